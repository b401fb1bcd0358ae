#!/usr/bin/env bash
# A --hook for examples/issue.rs (certbot's manual-auth-hook contract): places the TXT record or the
# HTTP-01 body the example hands over in CERTSMITH_* variables through pebble-challtestsrv's management API.
set -euo pipefail
mgmt="${CERTSMITH_TEST_CHALLTESTSRV:?run under scripts/with-pebble.sh}"
case "${CERTSMITH_CHALLENGE:?}" in
  dns-01)
    body=$(printf '{"host":"%s.","value":"%s"}' "$CERTSMITH_TXT_NAME" "$CERTSMITH_TXT_VALUE")
    curl -fsS -X POST -d "$body" "$mgmt/set-txt" ;;
  http-01)
    body=$(printf '{"token":"%s","content":"%s"}' "$CERTSMITH_HTTP_TOKEN" "$CERTSMITH_HTTP_CONTENT")
    curl -fsS -X POST -d "$body" "$mgmt/add-http01" ;;
  *) echo "unknown challenge $CERTSMITH_CHALLENGE" >&2; exit 1 ;;
esac
echo "hook: placed $CERTSMITH_CHALLENGE for $CERTSMITH_DOMAIN" >&2
