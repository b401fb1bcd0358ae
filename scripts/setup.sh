#!/usr/bin/env bash
# Installs what building and testing Certsmith needs, and nothing that is already there: with everything
# present it takes seconds. Safe to run again at any time (`make serve`, `make test` and `make build` do).
#
#   - Rust target wasm32-unknown-unknown (+ rustfmt, clippy for `make lint`)
#   - Debian packages: chromium chromium-driver (browser tests), pebble (local ACME CA), openssl curl,
#     dnsdist (the local DNS-over-HTTPS server, scripts/doh.sh), libnss3-tools lego (reference client and
#     helpers for later tests), brotli (make bench's size figures), nodejs npm if missing
#   - trunk 0.21.14 and wasm-bindgen-cli at the exact wasm-bindgen version of Cargo.lock (cargo install)
#   - tests/e2e/node_modules from the committed package-lock.json (npm ci): Playwright and binaryen's wasm-opt
#   - every crate of Cargo.lock (cargo fetch), because Trunk builds offline
#   - for the fuzz targets (fuzz/, scripts/fuzz.sh): the nightly toolchain (rustup) and cargo-fuzz
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
DEBIAN_PACKAGES=(chromium chromium-driver pebble openssl curl python3 dnsdist libnss3-tools lego brotli)

say() { echo "setup: $*"; }
started=$SECONDS

# --- Debian packages (apt only when one is missing) -------------------------------------------------------
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# scripts/doh.sh needs a dnsdist built with incoming DNS-over-HTTPS (Debian's is).
dnsdist_version="$(dnsdist --version 2>&1 || true)"
if [[ $dnsdist_version != *dns-over-https* ]]; then
  say "dnsdist has no DNS-over-HTTPS support (${dnsdist_version%%$'\n'*}): scripts/doh.sh cannot run"
  exit 1
fi

# --- Rust --------------------------------------------------------------------------------------------------
# RUSTUP_AUTO_INSTALL=0: nothing is installed on demand, so add the target and components explicitly.
installed_targets="$(rustup target list --installed)"
if ! grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
installed_components="$(rustup component list --installed)"
for component in rustfmt clippy; do
  if ! grep -q "^$component" <<<"$installed_components"; then
    say "adding rustup component $component"
    rustup component add "$component"
  fi
done

# wasm-bindgen-cli must be exactly the wasm-bindgen of Cargo.lock (the generated glue and the runtime crate
# must agree). Installed without --locked: a locked dependency of it is missing from the registry.
wbg_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$wbg_version" ]] || { say "no wasm-bindgen in Cargo.lock"; exit 1; }
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg_version" ]] ||
  ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $wbg_version (about 3 min)"
  cargo install wasm-bindgen-cli --version "$wbg_version" --force
fi
trunk_wants="$(sed -n 's/^wasm_bindgen = "\(.*\)"/\1/p' Trunk.toml)"
if [[ "$trunk_wants" != "$wbg_version" ]]; then
  say "Trunk.toml [tools] wasm_bindgen = \"$trunk_wants\" but Cargo.lock has wasm-bindgen $wbg_version: make them equal"
  exit 1
fi

if [[ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]]; then
  say "installing trunk $TRUNK_VERSION (about 11 min)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# --- npm: Playwright and binaryen (wasm-opt) for tests/e2e --------------------------------------------------
# npm ci only when node_modules was not installed from exactly this lock file by this Node.
e2e="$root/tests/e2e"
stamp="$e2e/node_modules/.certsmith-lock-stamp"
want_stamp="$(sha256sum "$e2e/package-lock.json" | cut -d' ' -f1) node-$(node --version)"
if [[ ! -f "$stamp" || "$(<"$stamp")" != "$want_stamp" || ! -x "$e2e/node_modules/.bin/wasm-opt" ]]; then
  say "installing the e2e suite's npm packages (npm ci)"
  (cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$want_stamp" >"$stamp"
fi

# --- fuzzing: cargo-fuzz needs a nightly compiler (libFuzzer, sanitizer flags) --------------------------------
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  say "installing the nightly Rust toolchain for the fuzz targets (about 30 s)"
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  say "installing cargo-fuzz (about 1 min)"
  cargo install cargo-fuzz --locked
fi

# --- crates: Trunk runs cargo offline ------------------------------------------------------------------------
if ! cargo fetch --offline --quiet 2>/dev/null; then
  say "fetching crates"
  cargo fetch
fi

say "ready in $((SECONDS - started)) s"
