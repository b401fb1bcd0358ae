#!/usr/bin/env python3
"""Trunk post_build hook: move Trunk's inline loader script into a file, so the page has no inline script.

Trunk injects an inline `<script type="module">` that imports the hashed JS glue and starts the wasm. The
Content-Security-Policy in index.html allows scripts only from the page's own origin (`script-src 'self'
'wasm-unsafe-eval'`, no hashes, no 'unsafe-inline'), so each inline script is written to
`loader-<hash>.js` beside the other assets and referenced with `src` and a Subresource Integrity hash.

Then the jobs module (src/jobs.rs: the slow jobs of src/pki/job.rs, a wasm of its own), which Trunk builds
as a worker and so names without a hash (`certsmith-jobs.js`, `certsmith-jobs_bg.wasm`): both are renamed
`certsmith-jobs-<hash of the wasm>.js` and `..._bg.wasm` (the glue's own mention of its wasm too), so
that a host may cache them for ever like the rest, and `<meta name="certsmith-jobs">` names the two for
the page, which loads them itself where it has no worker. And the page's worker (www/worker.js, where the
jobs run off the page's main thread): its BUILD line names the jobs module's glue and wasm, it is saved as
`worker-<hash>.js`, and `<meta name="certsmith-worker">` in index.html names it for the page
(src/web/worker.rs). It runs before scripts/service-worker.py, whose list of the build's files (cached for
offline use) so includes the jobs module and the worker.
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


def hash_jobs_module():
    """Renames Trunk's unhashed jobs module; the names of its glue and wasm."""
    glue, wasm = "certsmith-jobs.js", "certsmith-jobs_bg.wasm"
    for name in (glue, wasm):
        if not os.path.isfile(os.path.join(staging, name)):
            sys.exit("externalize-loader.py: no %s in the build: is the jobs module a data-trunk asset of index.html?" % name)
    wasm_data = open(os.path.join(staging, wasm), "rb").read()
    base = "certsmith-jobs-%s" % hashlib.sha256(wasm_data).hexdigest()[:16]
    glue_text = open(os.path.join(staging, glue), encoding="utf-8").read()
    if glue_text.count(wasm) != 1:
        sys.exit("externalize-loader.py: %s does not name %s once" % (glue, wasm))
    with open(os.path.join(staging, base + ".js"), "w", encoding="utf-8") as out:
        out.write(glue_text.replace(wasm, base + "_bg.wasm"))
    os.rename(os.path.join(staging, wasm), os.path.join(staging, base + "_bg.wasm"))
    os.remove(os.path.join(staging, glue))
    return base + ".js", base + "_bg.wasm"


def write_worker(glue, wasm):
    """worker-<hash>.js from www/worker.js, for the jobs module's glue and wasm; its URL."""
    template_path = os.path.join(os.environ.get("TRUNK_SOURCE_DIR", os.getcwd()), "www", "worker.js")
    template = open(template_path, encoding="utf-8").read()
    build_line = re.compile(r"^const BUILD = .*// BUILD: written by scripts/externalize-loader.py$", flags=re.M)
    if len(build_line.findall(template)) != 1:
        sys.exit("externalize-loader.py: %s needs exactly one `const BUILD = ...; // BUILD: ...` line" % template_path)
    build = {"glue": "./" + glue, "wasm": "./" + wasm}
    line = "const BUILD = %s;" % json.dumps(build, separators=(",", ":"))
    # The comments stay in www/worker.js; the page's visitors download the code.
    code = [l for l in build_line.sub(lambda _: line, template).splitlines() if not l.lstrip().startswith("//")]
    data = ("// Certsmith's worker, from www/worker.js by scripts/externalize-loader.py\n" + "\n".join(code) + "\n").encode("utf-8")
    name = "worker-%s.js" % hashlib.sha256(data).hexdigest()[:16]
    with open(os.path.join(staging, name), "wb") as out:
        out.write(data)
    return public_url + name


html, count = inline.subn(externalize, html)
jobs_glue, jobs_wasm = hash_jobs_module()
worker = write_worker(jobs_glue, jobs_wasm)
metas = [
    '<meta name="certsmith-worker" content="%s" />' % worker,
    '<meta name="certsmith-jobs" content="%s%s %s%s" />' % (public_url, jobs_glue, public_url, jobs_wasm),
]
html, found = re.subn(r"</head>", lambda _: "".join("\n    " + m for m in metas) + "\n  </head>", html, count=1)
if found != 1:
    sys.exit("externalize-loader.py: no </head> in %s" % path)
open(path, "w", encoding="utf-8").write(html)
print("externalize-loader.py: %d inline script(s) moved into files; the jobs module is %s; the worker is %s" % (count, jobs_wasm, worker))
