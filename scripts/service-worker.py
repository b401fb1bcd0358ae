#!/usr/bin/env python3
"""Trunk post_build hook: the web manifest and the service worker (offline after the first visit).

Runs after scripts/externalize-loader.py (Trunk.toml chains the two: Trunk runs the hooks of one stage at the
same time), on the finished files of the staging directory:

1. The web manifest: www/manifest.webmanifest (the `<link rel="manifest">` of index.html names it) with each
   icon's source path replaced by the hashed file Trunk wrote for it, written as
   `manifest-<hash>.webmanifest`; the link then points there.
2. sw.js (from the template www/sw.js): its BUILD line lists every file of the build but `_headers` (which
   the page never fetches) with its Subresource Integrity hash, index.html as the page itself ("./"), and a
   version: the SHA-256 of the template and of every listed file's name and content, so that any change of
   the build is a new version and a new cache. sw.js keeps its name: browsers look for updates at the
   registered URL. The template's comment lines are left out. The page's worker script (index.html's
   `<meta name="certsmith-worker">`) is one of those files.
"""
import base64
import hashlib
import json
import os
import re
import sys

staging = os.environ["TRUNK_STAGING_DIR"]
source = os.environ.get("TRUNK_SOURCE_DIR", os.getcwd())
public_url = os.environ.get("TRUNK_PUBLIC_URL", "/")
if not public_url.endswith("/"):
    public_url += "/"
index_path = os.path.join(staging, "index.html")
html = open(index_path, encoding="utf-8").read()
NOT_SERVED = {"_headers"}


def fail(message):
    sys.exit("service-worker.py: %s" % message)


def sri(data):
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


# --- 1. the manifest ----------------------------------------------------------------------------------------

links = re.findall(r'<link rel="manifest" href="([^"]+)"\s*/?>', html)
if len(links) != 1:
    fail('index.html needs exactly one <link rel="manifest" href="..."> (found %d)' % len(links))
manifest = json.load(open(os.path.join(source, links[0]), encoding="utf-8"))


def hashed(path):
    """The file Trunk wrote for the source file `path` (`icon.svg` -> `icon-<16 hex>.svg`)."""
    stem, ext = os.path.splitext(os.path.basename(path))
    pattern = re.compile(r"%s-[0-9a-f]{16}%s$" % (re.escape(stem), re.escape(ext)))
    found = [name for name in os.listdir(staging) if pattern.match(name)]
    if len(found) != 1:
        fail("no single hashed copy of %s in the build (found %s): is it a data-trunk asset of index.html?" % (path, found))
    return found[0]


for icon in manifest.get("icons", []):
    icon["src"] = hashed(icon["src"])  # relative to the manifest, which sits beside it
data = (json.dumps(manifest, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")
manifest_name = "manifest-%s.webmanifest" % hashlib.sha256(data).hexdigest()[:16]
with open(os.path.join(staging, manifest_name), "wb") as out:
    out.write(data)
html = html.replace('href="%s"' % links[0], 'href="%s%s"' % (public_url, manifest_name), 1)
with open(index_path, "w", encoding="utf-8") as out:
    out.write(html)

# --- 2. the service worker ----------------------------------------------------------------------------------

template_path = os.path.join(source, "www", "sw.js")
template = open(template_path, encoding="utf-8").read()
build_line = re.compile(r"^const BUILD = .*// BUILD: written by scripts/service-worker.py$", flags=re.M)
if len(build_line.findall(template)) != 1:
    fail("%s needs exactly one line `const BUILD = ...; // BUILD: written by scripts/service-worker.py`" % template_path)

files = []
for directory, subdirectories, names in os.walk(staging):
    subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
    for name in sorted(names):
        rel = os.path.relpath(os.path.join(directory, name), staging).replace(os.sep, "/")
        if rel in NOT_SERVED or rel == "sw.js" or name.startswith("."):
            continue
        files.append((rel, open(os.path.join(directory, name), "rb").read()))
if not any(rel == "index.html" for rel, _ in files):
    fail("no index.html in %s" % staging)
# The page's worker (written by scripts/externalize-loader.py) is one of the build's files: offline, the page
# starts it from the cache like the rest.
for worker in re.findall(r'<meta name="certsmith-worker" content="([^"]+)"', html):
    if not worker.startswith(public_url) or not any(rel == worker[len(public_url):] for rel, _ in files):
        fail("index.html names the worker %s, which is not among the build's files" % worker)

version = hashlib.sha256(template.encode("utf-8"))
for rel, content in files:
    version.update(rel.encode("utf-8") + b"\0" + hashlib.sha256(content).digest())
build = {
    "version": version.hexdigest()[:16],
    "index": "./",
    "assets": [[rel, sri(content)] for rel, content in files if rel != "index.html"],
}
line = "const BUILD = %s;" % json.dumps(build, separators=(",", ":"))
# The comments of the template stay in www/sw.js; the page's visitors download the code.
code = [l for l in build_line.sub(lambda _: line, template).splitlines() if not l.lstrip().startswith("//")]
header = "// Certsmith's service worker %s, from www/sw.js by scripts/service-worker.py" % build["version"]
with open(os.path.join(staging, "sw.js"), "w", encoding="utf-8") as out:
    out.write("\n".join([header] + code) + "\n")
print(
    "service-worker.py: %s; sw.js version %s caches index.html and %d files"
    % (manifest_name, build["version"], len(build["assets"]))
)
