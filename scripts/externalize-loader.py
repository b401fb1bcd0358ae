#!/usr/bin/env python3
"""Trunk post_build hook: move Trunk's inline loader script into a file, so the page has no inline script.

Trunk injects an inline `<script type="module">` that imports the hashed JS glue and starts the wasm. The
Content-Security-Policy in index.html allows scripts only from the page's own origin (`script-src 'self'
'wasm-unsafe-eval'`, no hashes, no 'unsafe-inline'), so each inline script is written to
`loader-<hash>.js` beside the other assets and referenced with `src` and a Subresource Integrity hash.
"""
import base64
import hashlib
import os
import re
import sys

staging = os.environ["TRUNK_STAGING_DIR"]
public_url = os.environ.get("TRUNK_PUBLIC_URL", "/")
path = os.path.join(staging, "index.html")
html = open(path, encoding="utf-8").read()

if not re.search(r"<meta\s+http-equiv=\"Content-Security-Policy\"[^>]*script-src 'self' 'wasm-unsafe-eval';", html):
    sys.exit("externalize-loader.py: no Content-Security-Policy meta with script-src 'self' 'wasm-unsafe-eval' in %s" % path)

inline = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", flags=re.S)


def externalize(match):
    attributes, body = match.group(1), match.group(2)
    data = body.strip().encode("utf-8") + b"\n"
    name = "loader-%s.js" % hashlib.sha256(data).hexdigest()[:16]
    with open(os.path.join(staging, name), "wb") as out:
        out.write(data)
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
    return '<script%s src="%s%s" integrity="%s"></script>' % (attributes, public_url, name, integrity)


html, count = inline.subn(externalize, html)
open(path, "w", encoding="utf-8").write(html)
print("externalize-loader.py: %d inline script(s) moved into files" % count)
