#!/usr/bin/env python3
"""Trunk post_build hook: the web manifest, the language catalogues and the service worker (offline after the
first visit).

Runs after scripts/externalize-loader.py (Trunk.toml chains the two: Trunk runs the hooks of one stage at the
same time), on the finished files of the staging directory:

1. The web manifest: www/manifest.webmanifest (the `<link rel="manifest">` of index.html names it) with each
   icon's source path replaced by the hashed file Trunk wrote for it, written as
   `manifest-<hash>.webmanifest`; the link then points there.
2. The catalogues: each `i18n/<lang>/*.json` merged into one `catalogue-<lang>-<hash>.json` (the page fetches
   it before it mounts when it shows that language), named in `<meta name="certsmith-catalogue-<lang>">`.
   Each English key is written as its FNV-1a hash (8 hex digits, src/i18n.rs `key`): the page has the
   English already. tests/catalogue.rs checks the files against the sources; here a key in two files, or two
   keys with one hash, is an error too. The service worker keeps them apart from the other files: it
   fetches only the catalogue of the browser's preferred language when it installs, and any other when the
   page first asks for it.
3. sw.js (from the template www/sw.js): its BUILD line lists every file of the build but `_headers` (which
   the page never fetches) with its Subresource Integrity hash (the catalogues apart, by language), index.html as the page itself ("./"), and a
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

# --- 2. the catalogues ----------------------------------------------------------------------------------------


def fnv1a(text):
    """FNV-1a, 32 bits, of the UTF-8 of `text` (src/i18n.rs `key`)."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


catalogues = []
i18n_dir = os.path.join(source, "i18n")
for lang in sorted(os.listdir(i18n_dir)) if os.path.isdir(i18n_dir) else []:
    merged = {}
    for part in sorted(os.listdir(os.path.join(i18n_dir, lang))):
        if not part.endswith(".json"):
            continue
        texts = json.load(open(os.path.join(i18n_dir, lang, part), encoding="utf-8"))
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            fail("i18n/%s/%s is not a JSON object of texts" % (lang, part))
        for key in texts:
            if key in merged:
                fail("i18n/%s: %r is in two files" % (lang, key))
        merged.update(texts)
    hashed = {}
    for key, text in merged.items():
        digest = "%08x" % fnv1a(key)
        if digest in hashed:
            fail("i18n/%s: two texts share the key %s; change one of them a little" % (lang, digest))
        hashed[digest] = text
    data = json.dumps(hashed, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")
    name = "catalogue-%s-%s.json" % (lang, hashlib.sha256(data).hexdigest()[:16])
    with open(os.path.join(staging, name), "wb") as out:
        out.write(data)
    meta = '<meta name="certsmith-catalogue-%s" content="%s%s" />' % (lang, public_url, name)
    html = html.replace("</head>", "  " + meta + "\n  </head>", 1)
    catalogues.append((lang, name))
with open(index_path, "w", encoding="utf-8") as out:
    out.write(html)

# --- 3. the service worker ----------------------------------------------------------------------------------

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
catalogue_files = {name: lang for lang, name in catalogues}
build = {
    "version": version.hexdigest()[:16],
    "index": "./",
    "assets": [[rel, sri(content)] for rel, content in files if rel != "index.html" and rel not in catalogue_files],
    "catalogues": {catalogue_files[rel]: [rel, sri(content)] for rel, content in files if rel in catalogue_files},
}
line = "const BUILD = %s;" % json.dumps(build, separators=(",", ":"))
# The comments of the template stay in www/sw.js; the page's visitors download the code.
code = [l for l in build_line.sub(lambda _: line, template).splitlines() if not l.lstrip().startswith("//")]
header = "// Certsmith's service worker %s, from www/sw.js by scripts/service-worker.py" % build["version"]
with open(os.path.join(staging, "sw.js"), "w", encoding="utf-8") as out:
    out.write("\n".join([header] + code) + "\n")
print(
    "service-worker.py: %s; catalogues %s; sw.js version %s caches index.html and %d files, and the catalogue of"
    " the browser's language"
    % (manifest_name, ", ".join(name for _, name in catalogues) or "none", build["version"], len(build["assets"]))
)
