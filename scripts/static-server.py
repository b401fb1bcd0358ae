#!/usr/bin/env python3
"""A small static file server for the local build, sending the headers of hosting/_headers.

`make serve` (scripts/serve.sh) and the Playwright suite (tests/e2e/playwright.config.ts) use it instead of
`python3 -m http.server`, so that the page is tested with the headers a real host sends (hosting/README.md):
every response, errors included, carries the headers of the `/*` block of hosting/_headers (Netlify /
Cloudflare Pages syntax), except Strict-Transport-Security, which this server leaves out because it speaks
plain http (RFC 6797 section 7.2: HSTS must not be sent over http; browsers ignore it there anyway).

Content types are set for what Trunk writes (.wasm as application/wasm, which WebAssembly.instantiateStreaming
requires); a directory without index.html is a 404, never a listing. Standard library only.

    scripts/static-server.py [--bind 127.0.0.1] [--port 8080] [--headers hosting/_headers] DIR
"""
import argparse
import functools
import http.server
import os
import signal
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_HEADERS = os.path.join(ROOT, "hosting", "_headers")
# Sent only over https (RFC 6797 section 7.2); this server is http only.
HTTPS_ONLY = {"strict-transport-security"}


def parse_headers_file(path, pattern="/*"):
    """The (name, value) pairs of the block for `pattern` in a Netlify/Cloudflare Pages `_headers` file.

    A block starts with an unindented URL pattern; its header lines are indented `Name: value`; `#` starts a
    comment line. Only the exact pattern's block is read (the file has just `/*`)."""
    headers, current = [], None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            if not line[0].isspace():
                current = stripped
                continue
            if current != pattern:
                continue
            name, sep, value = stripped.partition(":")
            if not sep or not name.strip() or not value.strip():
                sys.exit("static-server.py: %s:%d: not a `Name: value` line: %r" % (path, number, stripped))
            headers.append((name.strip(), value.strip()))
    if not headers:
        sys.exit("static-server.py: %s has no headers for %s" % (path, pattern))
    return headers


class Handler(http.server.SimpleHTTPRequestHandler):
    extra_headers = []
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".svg": "image/svg+xml",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".webmanifest": "application/manifest+json",
        ".txt": "text/plain; charset=utf-8",
        "": "application/octet-stream",
    }

    def end_headers(self):
        for name, value in self.extra_headers:
            self.send_header(name, value)
        super().end_headers()

    def list_directory(self, path):
        self.send_error(404, "Not Found")
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--headers", default=DEFAULT_HEADERS, help="a _headers file (default: hosting/_headers)")
    parser.add_argument("directory")
    args = parser.parse_args()
    if not os.path.isdir(args.directory):
        sys.exit("static-server.py: no directory %s" % args.directory)

    headers = parse_headers_file(args.headers)
    Handler.extra_headers = [(n, v) for n, v in headers if n.lower() not in HTTPS_ONLY]
    left_out = [n for n, _ in headers if n.lower() in HTTPS_ONLY]
    handler = functools.partial(Handler, directory=args.directory)
    server = http.server.ThreadingHTTPServer((args.bind, args.port), handler)
    # A stop by signal is a normal end (serve.sh and Playwright stop it with SIGTERM).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(
        "static-server.py: serving %s on http://%s:%d/ with %d headers from %s%s"
        % (
            args.directory,
            args.bind,
            args.port,
            len(Handler.extra_headers),
            os.path.relpath(args.headers, ROOT),
            " (left out over http: %s)" % ", ".join(left_out) if left_out else "",
        ),
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
