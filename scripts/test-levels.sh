#!/usr/bin/env bash
# The three test levels, each run even when an earlier one failed; exits non-zero when any failed.
# Run it under scripts/with-pebble.sh (as `make test` does): the browser levels need the local CA, and
# the wasm tests read CERTSMITH_TEST_DIRECTORY at compile time. The e2e level needs target/dist-local
# (`make build-local`).
#
#   scripts/test-levels.sh [native] [wasm] [e2e]      (default: all three)
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

levels=("$@")
((${#levels[@]})) || levels=(native wasm e2e)

native() {
  # Every target (lib, bins, integration tests, examples, benches built as tests), then the doc tests.
  cargo test --all-targets && cargo test --doc
}

wasm() {
  # Only tests/web.rs: the other integration tests are native (they use tokio and real sockets).
  # The runner's page is cross-origin isolated by default (COEP require-corp), which turns every no-cors
  # answer into a network error and so hides a CORS-blocked CA; its default 20 s suite timeout is too short
  # for browser RSA key generation on 2 cores; --nocapture shows the key-generation figures.
  WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1 WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-180}" \
    cargo test --target wasm32-unknown-unknown --test web -- --nocapture
}

e2e() {
  [[ -f target/dist-local/index.html ]] || { echo "no target/dist-local: run make build-local first" >&2; return 1; }
  mkdir -p target/screenshots
  (cd tests/e2e && playwright test)
}

passed=() failed=()
for level in "${levels[@]}"; do
  case "$level" in native | wasm | e2e) ;; *) echo "unknown level $level" >&2; exit 2 ;; esac
  echo
  echo "=== test level: $level"
  start=$SECONDS
  if "$level"; then
    passed+=("$level")
    echo "=== $level passed in $((SECONDS - start)) s"
  else
    failed+=("$level")
    echo "=== $level FAILED after $((SECONDS - start)) s"
  fi
done

echo
echo "test levels passed: ${passed[*]:-none}; failed: ${failed[*]:-none}"
echo "levels: ${#passed[@]} passed, ${#failed[@]} failed"
((${#failed[@]} == 0))
