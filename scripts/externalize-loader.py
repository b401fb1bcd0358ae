#!/usr/bin/env python3
"""Trunk post_build hook: move Trunk's inline loader script into a file, so the page has no inline script.

Trunk injects an inline `<script type="module">` that imports the hashed JS glue and starts the wasm. The
Content-Security-Policy in index.html allows scripts only from the page's own origin (`script-src 'self'
'wasm-unsafe-eval'`, no hashes, no 'unsafe-inline'), so each inline script is written to
`loader-<hash>.js` beside the other assets and referenced with `src` and a Subresource Integrity hash.

From the same loader it writes the page's worker (www/worker.js: the slow jobs of src/pki/job.rs run there
in a second copy of the wasm, off the page's main thread): its BUILD line names the JS glue and the wasm the
loader imports, it is saved as `worker-<hash>.js`, and `<meta name="certsmith-worker">` in index.html
names it for the page (src/web/worker.rs). It runs before scripts/service-worker.py, whose list of the
build's files (cached for offline use) so includes the worker.
"""
import base64
import hashlib
import json
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


loaders = []


def externalize_and_remember(match):
    loaders.append(match.group(2))
    return externalize(match)


def write_worker():
    """worker-<hash>.js from www/worker.js, for the glue and wasm of Trunk's loader; its URL."""
    glue = [m for body in loaders for m in re.findall(r"""^import init, \* as bindings from '([^']+\.js)';""", body, re.M)]
    wasm = [m for body in loaders for m in re.findall(r"""module_or_path: '([^']+\.wasm)'""", body)]
    if len(glue) != 1 or len(wasm) != 1:
        sys.exit("externalize-loader.py: no single JS glue and wasm in Trunk's loader (found %s, %s)" % (glue, wasm))
    template_path = os.path.join(os.environ.get("TRUNK_SOURCE_DIR", os.getcwd()), "www", "worker.js")
    template = open(template_path, encoding="utf-8").read()
    build_line = re.compile(r"^const BUILD = .*// BUILD: written by scripts/externalize-loader.py$", flags=re.M)
    if len(build_line.findall(template)) != 1:
        sys.exit("externalize-loader.py: %s needs exactly one `const BUILD = ...; // BUILD: ...` line" % template_path)
    for name in (glue[0], wasm[0]):
        if not os.path.isfile(os.path.join(staging, os.path.basename(name))):
            sys.exit("externalize-loader.py: the loader imports %s, which is not in the build" % name)
    build = {"glue": "./" + os.path.basename(glue[0]), "wasm": "./" + os.path.basename(wasm[0])}
    line = "const BUILD = %s;" % json.dumps(build, separators=(",", ":"))
    # The comments stay in www/worker.js; the page's visitors download the code.
    code = [l for l in build_line.sub(lambda _: line, template).splitlines() if not l.lstrip().startswith("//")]
    data = ("// Certsmith's worker, from www/worker.js by scripts/externalize-loader.py\n" + "\n".join(code) + "\n").encode("utf-8")
    name = "worker-%s.js" % hashlib.sha256(data).hexdigest()[:16]
    with open(os.path.join(staging, name), "wb") as out:
        out.write(data)
    return public_url + name


html, count = inline.subn(externalize_and_remember, html)
worker = write_worker()
meta = '<meta name="certsmith-worker" content="%s" />' % worker
html, found = re.subn(r"</head>", lambda _: "\n    %s\n  </head>" % meta, html, count=1)
if found != 1:
    sys.exit("externalize-loader.py: no </head> in %s" % path)
open(path, "w", encoding="utf-8").write(html)
print("externalize-loader.py: %d inline script(s) moved into files; the worker is %s" % (count, worker))
