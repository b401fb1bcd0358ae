#!/usr/bin/env bash
# Run a command against fresh local Pebbles: start them, export CERTSMITH_TEST_* for the command, run it,
# and stop them on exit whether the command passed or failed (or was interrupted). Exits with the
# command's status.
#
#   scripts/with-pebble.sh cargo test
#
# Two instances share one pebble-challtestsrv (DNS and http-01 for both):
#   main  https://127.0.0.1:14000/dir, management :15000          -> CERTSMITH_TEST_DIRECTORY, _CA_FILE, _MGMT,
#                                                                     _CHALLTESTSRV, _DNS
#   EAB   https://127.0.0.1:14001/dir, management :15001, requires
#         external account binding with one generated key          -> CERTSMITH_TEST_EAB_DIRECTORY, _EAB_MGMT,
#                                                                     _EAB_KID, _EAB_HMAC_KEY
# CERTSMITH_PEBBLE_EAB_INSTANCE=0 skips the second one.
#
# Then a local DNS-over-HTTPS server (scripts/doh.sh: dnsdist on https://127.0.0.1:8443/dns-query, answering
# from challtestsrv's DNS, certificate from the same throwaway CA)   -> CERTSMITH_TEST_DOH
# CERTSMITH_DOH=0 skips it.
#
# Test defaults (a caller's own values win): PEBBLE_WFE_NONCEREJECT=30 (clients must retry badNonce),
# PEBBLE_ALTERNATE_ROOTS=1 (alternate chains exist). See scripts/pebble.sh for the other knobs.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ $# -gt 0 ]] || { echo "usage: $0 COMMAND [ARG...]" >&2; exit 2; }

export PEBBLE_WFE_NONCEREJECT="${PEBBLE_WFE_NONCEREJECT:-30}"
export PEBBLE_ALTERNATE_ROOTS="${PEBBLE_ALTERNATE_ROOTS:-1}"
with_eab="${CERTSMITH_PEBBLE_EAB_INSTANCE:-1}"
with_doh="${CERTSMITH_DOH:-1}"

eab_kid=certsmith-test-kid
eab_key="$(openssl rand 32 | base64 -w0 | tr '+/' '-_' | tr -d '=')"
eab() {
  CERTSMITH_PEBBLE_NAME=pebble-eab CERTSMITH_PEBBLE_PORT=14001 CERTSMITH_PEBBLE_MGMT_PORT=15001 \
    CERTSMITH_PEBBLE_OWN_CHALLTESTSRV=0 CERTSMITH_PEBBLE_EAB="{\"$eab_kid\": \"$eab_key\"}" "$here/pebble.sh" "$@"
}

# Stop only what this script started (a `make serve` running elsewhere keeps its Pebble: starting a second
# one on the same ports fails instead).
started_main=0 started_eab=0 started_doh=0
stop_all() {
  [[ $started_doh != 1 ]] || "$here/doh.sh" stop
  [[ $started_eab != 1 ]] || eab stop
  [[ $started_main != 1 ]] || "$here/pebble.sh" stop
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# pebble.sh start cleans up after itself when it fails, so "started" is set only on success.
"$here/pebble.sh" start
started_main=1
eval "$("$here/pebble.sh" env)"
if [[ $with_eab == 1 ]]; then
  eab start
  started_eab=1
  eval "$(eab env | sed -n 's/^export CERTSMITH_TEST_\(DIRECTORY\|MGMT\)=/export CERTSMITH_TEST_EAB_\1=/p')"
  export CERTSMITH_TEST_EAB_KID="$eab_kid" CERTSMITH_TEST_EAB_HMAC_KEY="$eab_key"
fi
if [[ $with_doh != 0 ]]; then
  "$here/doh.sh" start
  started_doh=1
  eval "$("$here/doh.sh" env)"
fi

status=0
"$@" || status=$?
exit "$status"
