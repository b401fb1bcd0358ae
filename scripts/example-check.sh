#!/usr/bin/env bash
# The native example end to end against a Pebble that rejects half of all nonces: a DNS-01 order for a
# name and its wildcard, and an HTTP-01 order for a name and an IP address, each placed by the
# challtestsrv hook. Every chain is verified with openssl against Pebble's root and every key matched to
# its certificate. Run under scripts/with-pebble.sh (make test does, with PEBBLE_WFE_NONCEREJECT=50).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
: "${CERTSMITH_TEST_DIRECTORY:?run under scripts/with-pebble.sh}"
out="$root/target/example-check"
rm -rf "$out"
mkdir -p "$out"
curl -fsS --cacert "$CERTSMITH_TEST_CA_FILE" "$CERTSMITH_TEST_MGMT/roots/0" > "$out/root.pem"

cargo build --quiet --example issue
issue=target/debug/examples/issue

check() { # DIR
  openssl verify -CAfile "$out/root.pem" -untrusted "$1/chain.pem" "$1/cert.pem"
  if [[ -s "$1/privkey.pem" ]]; then
    cmp <(openssl pkey -in "$1/privkey.pem" -pubout) <(openssl x509 -in "$1/cert.pem" -noout -pubkey)
    echo "$1: private key matches the certificate"
  fi
}

run() { # NAME ARGS...
  local name="$1"; shift
  "$issue" --directory "$CERTSMITH_TEST_DIRECTORY" --ca-file "$CERTSMITH_TEST_CA_FILE" \
    --hook scripts/challtestsrv-hook.sh --out "$out/$name" "$@" | tee "$out/$name.summary"
  check "$out/$name"
}

run dns01 --challenge dns-01 --domain example-check.test --domain '*.example-check.test'
run http01 --challenge http-01 --domain web.example-check.test --ip 127.0.0.1 --key-type rsa2048
echo "example: 2 passed, 0 failed"
