#!/usr/bin/env python3
"""Trunk post_build hook: allow exactly Trunk's inline loader script in the page's CSP.

Trunk injects an inline `<script type="module">` that imports the hashed JS glue and starts the wasm. The
Content-Security-Policy meta in index.html lists `script-src 'self' 'wasm-unsafe-eval'`; this hook adds the
sha256 of every inline script of the output page to it, so no 'unsafe-inline' is needed.
"""
import base64
import hashlib
import os
import re
import sys

path = os.path.join(os.environ["TRUNK_STAGING_DIR"], "index.html")
html = open(path, encoding="utf-8").read()

inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
hashes = " ".join(
    "'sha256-%s'" % base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() for body in inline
)
csp = re.compile(r"(<meta\s+http-equiv=\"Content-Security-Policy\"\s+content=\"[^\"]*?script-src 'self')")
if not csp.search(html):
    sys.exit("csp-hash.py: no Content-Security-Policy meta with script-src 'self' in %s" % path)
html = csp.sub(lambda m: m.group(1) + " " + hashes, html, count=1)
open(path, "w", encoding="utf-8").write(html)
print("csp-hash.py: %d inline script(s) allowed by hash" % len(inline))
