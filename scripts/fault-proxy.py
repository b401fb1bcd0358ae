#!/usr/bin/env python3
"""A fault-injecting HTTPS proxy between an ACME client and Pebble (make stress, scripts/stress.sh).

    scripts/fault-proxy.py --listen 127.0.0.1:14443 --upstream https://127.0.0.1:14000 \
        --cert target/pebble/certs/localhost.pem --key target/pebble/certs/localhost.key \
        --ca target/pebble/certs/ca.pem [--rate 0.2] [--seed 1] [--report FILE]

Same origin by construction: the client's Host header (127.0.0.1:14443) is passed to Pebble unchanged, and
Pebble builds every URL it hands out (directory, Location, Link, order/authorization/finalize/certificate
URLs) and checks every JWS "url" from the request's Host, so all URLs name the proxy and no body is
rewritten. (Any leftover upstream origin in a Location/Link header or body would be rewritten anyway.)

Per request, with probability --rate, one fault chosen at random (seeded):
  reset       the connection is reset (RST) before anything is forwarded
  500, 503    an error before forwarding: with or without a problem document, 503 with or without
              Retry-After: 1 (kinds 500-problem, 500-plain, 503-problem, 503-plain, each +retry-after or not)
  delay       0.5-2 s before forwarding, then the reply as usual
  truncated   forwarded (the CA acts), then half the body is sent under the full Content-Length and the
              connection closed
  dropped     forwarded (the CA acts), then the connection is closed without a reply
POSTs to newOrder, a challenge or finalize get "dropped" for half of their faults: the lost reply after
the CA acted is the case the client must resume from.

It also records, from the replies Pebble gave, every order created (newOrder 201: order id -> names) and
every finalize Pebble accepted (200: that order's certificate is issued), so that a certificate issued
twice for the same names shows. On SIGTERM/SIGINT it prints the fault counts and writes --report (JSON).
"""
import argparse
import http.client
import json
import random
import signal
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
ACTING = ("/order-plz", "/chalZ/", "/finalize-order/")


class State:
    def __init__(self, rate, seed):
        self.rate = rate
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.faults = {}
        self.requests = 0
        self.forwarded = 0
        self.orders = {}  # order id -> sorted names (newOrder answered 201 by Pebble)
        self.finalized = {}  # order id -> number of finalize calls Pebble accepted (200)

    def choose(self, method, path):
        with self.lock:
            self.requests += 1
            if self.rng.random() >= self.rate:
                return None, 0.0
            acting = method == "POST" and any(path.startswith(p) for p in ACTING)
            if acting and self.rng.random() < 0.5:
                return "dropped-after-acting", 0.0
            kind = self.rng.choice(
                ["reset", "500", "503", "delay", "truncated", "dropped-after-acting"]
            )
            detail = 0.0
            if kind in ("500", "503"):
                problem = self.rng.random() < 0.5
                retry = self.rng.random() < 0.5
                kind = f"{kind}{'-problem' if problem else '-plain'}{'+retry-after' if retry else ''}"
            elif kind == "delay":
                detail = self.rng.uniform(0.5, 2.0)
            return kind, detail

    def count(self, kind):
        with self.lock:
            self.faults[kind] = self.faults.get(kind, 0) + 1

    def report(self):
        with self.lock:
            grouped = {}
            for kind, n in self.faults.items():
                base = kind.split("-")[0] if kind[:3] in ("500", "503") else kind
                grouped[base] = grouped.get(base, 0) + n
            return {
                "requests": self.requests,
                "forwarded": self.forwarded,
                "faults": dict(sorted(self.faults.items())),
                "faultsByKind": grouped,
                "orders": self.orders,
                "finalized": self.finalized,
            }


def make_handler(state, upstream_host, upstream_port, upstream_ctx, own_origin, upstream_origin):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def _abort(self, rst):
            if rst:
                # SO_LINGER 0: close() sends RST instead of FIN.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            try:
                self.connection.close()
            except OSError:
                pass

        def _error(self, kind):
            status = 500 if kind.startswith("500") else 503
            if "-problem" in kind:
                body = json.dumps({
                    "type": "urn:ietf:params:acme:error:serverInternal",
                    "detail": f"fault-proxy: injected {status}",
                    "status": status,
                }).encode()
                ctype = "application/problem+json"
            else:
                body = f"fault-proxy: injected {status}\n".encode()
                ctype = "text/plain"
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if "+retry-after" in kind:
                self.send_header("Retry-After", "1")
            self.end_headers()
            self.wfile.write(body)

        def _forward(self, body):
            conn = http.client.HTTPSConnection(upstream_host, upstream_port, context=upstream_ctx, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            conn.close()
            with state.lock:
                state.forwarded += 1
            return resp, data

        def _record(self, resp, data):
            path = self.path.split("?")[0]
            if self.command != "POST":
                return
            try:
                if path == "/order-plz" and resp.status == 201:
                    oid = (resp.getheader("Location") or "").rstrip("/").rsplit("/", 1)[-1]
                    names = sorted(i["value"] for i in json.loads(data)["identifiers"])
                    with state.lock:
                        state.orders[oid] = names
                elif path.startswith("/finalize-order/") and resp.status == 200:
                    oid = path.rstrip("/").rsplit("/", 1)[-1]
                    with state.lock:
                        state.finalized[oid] = state.finalized.get(oid, 0) + 1
            except (ValueError, KeyError, TypeError):
                pass

        def _handle(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            kind, detail = state.choose(self.command, self.path)
            if kind:
                state.count(kind)
            if kind == "reset":
                return self._abort(rst=True)
            if kind and kind[:3] in ("500", "503"):
                return self._error(kind)
            if kind == "delay":
                time.sleep(detail)
            try:
                resp, data = self._forward(body)
            except OSError as e:
                print(f"fault-proxy: upstream failed: {e}", file=sys.stderr)
                return self._abort(rst=False)
            self._record(resp, data)
            if kind == "dropped-after-acting":
                return self._abort(rst=False)
            if upstream_origin.encode() in data:
                data = data.replace(upstream_origin.encode(), own_origin.encode())
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() in HOP or k.lower() == "content-length":
                    continue
                self.send_header(k, v.replace(upstream_origin, own_origin))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if kind == "truncated":
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                return self._abort(rst=False)
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_GET(self):
            self._handle()

        def do_HEAD(self):
            self._handle()

        def do_POST(self):
            self._handle()

    return Handler


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", default="127.0.0.1:14443")
    ap.add_argument("--upstream", default="https://127.0.0.1:14000")
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--ca", required=True, help="the CA that signed the upstream's TLS certificate")
    ap.add_argument("--rate", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--report", help="write the counts as JSON here on exit")
    args = ap.parse_args()

    host, port = args.listen.rsplit(":", 1)
    up = args.upstream.split("://", 1)[1]
    up_host, up_port = up.rsplit(":", 1)
    upstream_ctx = ssl.create_default_context(cafile=args.ca)
    state = State(args.rate, args.seed)
    handler = make_handler(state, up_host, int(up_port), upstream_ctx,
                           f"https://{args.listen}", args.upstream.rstrip("/"))
    server = ThreadingHTTPServer((host, int(port)), handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"fault-proxy: https://{args.listen} -> {args.upstream}, fault rate {args.rate}, seed {args.seed}",
          file=sys.stderr, flush=True)
    server.serve_forever()
    report = state.report()
    if args.report:
        with open(args.report, "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
    print("fault-proxy: %d requests, %d forwarded; faults: %s" % (
        report["requests"], report["forwarded"],
        ", ".join(f"{k}={v}" for k, v in sorted(report["faultsByKind"].items())) or "none"),
        file=sys.stderr)


if __name__ == "__main__":
    main()
