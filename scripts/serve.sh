#!/usr/bin/env bash
# `make serve`: the local build (target/dist-local) at http://127.0.0.1:8080 and a local Pebble that
# validates every challenge, until Ctrl-C, which stops both. The web server (scripts/static-server.py) sends
# the headers of hosting/_headers, as a real host would (hosting/README.md), except HSTS over plain http.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${CERTSMITH_SERVE_PORT:-8080}"
dist="$root/target/dist-local"
[[ -f "$dist/index.html" ]] || { echo "serve.sh: no $dist: run make build-local" >&2; exit 1; }

export PEBBLE_VA_ALWAYS_VALID="${PEBBLE_VA_ALWAYS_VALID:-1}"
export PEBBLE_WFE_NONCEREJECT="${PEBBLE_WFE_NONCEREJECT:-0}"

server=""
started_pebble=""
cleanup() {
  if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    echo "serve.sh: stopped the web server ($server)"
  fi
  # Only the Pebble this script started: one that was already running (a test run's) is not ours to stop.
  if [[ -n "$started_pebble" ]]; then
    scripts/pebble.sh stop
  fi
}
trap cleanup EXIT
trap 'exit 0' INT  # Ctrl-C is how serve ends
trap 'exit 143' TERM

scripts/pebble.sh start
started_pebble=1
eval "$(scripts/pebble.sh env)"
python3 scripts/static-server.py --bind 127.0.0.1 --port "$port" "$dist" >"$root/target/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "serve.sh: the web server did not start:" >&2
    cat "$root/target/serve.log" >&2
    exit 1
  fi
  sleep 0.1
done

cat <<INFO

  Certsmith (local build)  http://127.0.0.1:$port/   (web server PID $server, log target/serve.log)
      response headers     hosting/_headers (without Strict-Transport-Security: this is plain http)
  Local ACME CA (Pebble)   $CERTSMITH_TEST_DIRECTORY   (PID $(<target/pebble/pebble.pid), log target/pebble/pebble.log)
      every challenge valid: PEBBLE_VA_ALWAYS_VALID=$PEBBLE_VA_ALWAYS_VALID, nonce rejection: $PEBBLE_WFE_NONCEREJECT %
      management API       $CERTSMITH_TEST_MGMT   (issuing root: $CERTSMITH_TEST_MGMT/roots/0)
      challtestsrv         $CERTSMITH_TEST_CHALLTESTSRV   (DNS on $CERTSMITH_TEST_DNS)
      TLS CA of the above  $CERTSMITH_TEST_CA_FILE

  Your browser must accept Pebble's throwaway certificate once: open $CERTSMITH_TEST_DIRECTORY
  and accept the warning, then reload the app.  Ctrl-C stops everything.

INFO
wait "$server"
