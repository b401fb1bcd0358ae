#!/usr/bin/env bash
# Installs what building and testing Certsmith needs, and nothing that is already there: with everything
# present it takes seconds. Safe to run again at any time (`make serve`, `make test` and `make build` do).
#
#   - Rust target wasm32-unknown-unknown (+ rustfmt, clippy for `make lint`)
#   - Debian packages: chromium chromium-driver (browser tests), pebble (local ACME CA), openssl curl,
#     dnsdist (the local DNS-over-HTTPS server, scripts/doh.sh), libnss3-tools, lego and certbot (reference
#     clients: bench, account import tests), python3-icalendar (checks the reminder .ics files), brotli
#     (make bench's size figures), nodejs npm if missing
#   - trunk 0.21.14 and wasm-bindgen-cli at the exact wasm-bindgen version of Cargo.lock, cargo-deny 0.20.2
#     (scripts/deny.sh), all with cargo install --locked
#   - tests/e2e/node_modules from the committed package-lock.json (npm ci): Playwright and binaryen's wasm-opt
#   - every crate of Cargo.lock and fuzz/Cargo.lock (cargo fetch): Trunk builds, scripts/deny.sh checks offline
#   - the pinned nightly of scripts/nightly-toolchain with rust-src (rustup), and the crates of its standard
#     library: it compiles the page's wasm (Makefile, WASM_BUILD_ENV) and the fuzz targets; and cargo-fuzz
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
DENY_VERSION=0.20.2
DEBIAN_PACKAGES=(chromium chromium-driver pebble openssl curl python3 dnsdist libnss3-tools lego certbot python3-icalendar brotli)

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
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { say "not root and no sudo: install these Debian packages as root, then run this again"; exit 1; }
    sudo=(sudo)
  fi
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
# must agree), and is built --locked from the Cargo.lock it ships with, so every machine gets the same tool.
# Where the registry lacks a version that lock names (this machine's crates.io copy has no webpki-roots
# 1.0.11), the install moves exactly those packages to the newest compatible version the registry has, says
# which, and keeps every other locked version; any other failure of the locked install stops setup.
install_wasm_bindgen_cli() {
  local version=$1 log work src out name locked
  log="$(mktemp)"
  if cargo install wasm-bindgen-cli --version "$version" --locked --force 2>&1 | tee "$log"; then
    rm -f "$log"
    return
  fi
  if ! grep -q 'failed to select a version for the requirement' "$log"; then
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  # cargo install unpacked the crate (and its Cargo.lock) into the registry before resolving.
  src="$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"wasm-bindgen-cli-$version" 2>/dev/null || true)"
  src="${src%%$'\n'*}"
  [[ -n "$src" ]] || { say "no unpacked wasm-bindgen-cli $version in the cargo registry"; return 1; }
  work="$(mktemp -d)"
  cp -r "$src/." "$work"
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if out="$(cargo fetch --locked --manifest-path "$work/Cargo.toml" 2>&1)"; then
      cargo install --path "$work" --locked --force
      rm -rf "$work"
      return
    fi
    # "failed to select a version for the requirement `webpki-roots = "^1.0.10"` (locked to 1.0.11)"
    # shellcheck disable=SC2016 # the backquotes are cargo's
    name="$(sed -n 's/.*for the requirement `\([^ `]*\) = .*(locked to \([^)]*\)).*/\1@\2/p' <<<"$out")"
    name="${name%%$'\n'*}"
    [[ -n "$name" ]] || break
    locked="${name#*@}"
    name="${name%@*}"
    say "WARNING: wasm-bindgen-cli $version's Cargo.lock pins $name $locked, which this registry lacks:" \
      "using the newest compatible $name it has, every other locked version as locked"
    cargo update --manifest-path "$work/Cargo.toml" -p "$name@$locked"
  done
  echo "$out" >&2
  rm -rf "$work"
  return 1
}
wbg_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
[[ -n "$wbg_version" ]] || { say "no wasm-bindgen in Cargo.lock"; exit 1; }
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wbg_version" ]] ||
  ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli $wbg_version (about 3 min)"
  install_wasm_bindgen_cli "$wbg_version"
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

# cargo-deny for scripts/deny.sh (deny.toml).
if [[ "$(cargo-deny --version 2>/dev/null)" != "cargo-deny $DENY_VERSION" ]]; then
  say "installing cargo-deny $DENY_VERSION (about 7 min)"
  deny_started=$SECONDS
  cargo install cargo-deny --version "$DENY_VERSION" --locked --force
  say "cargo-deny installed in $((SECONDS - deny_started)) s"
fi

# --- npm: Playwright and binaryen (wasm-opt) for tests/e2e --------------------------------------------------
# Playwright needs Node.js 20 or newer (package-lock.json's engines); npm ci would only warn, and the e2e
# level would fail much later. Debian bookworm's own nodejs is 18.
node_major="$(node --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p')"
if [[ -z $node_major || $node_major -lt 20 ]]; then
  say "Node.js 20 or newer is needed for the e2e suite (found: $(node --version 2>/dev/null || echo none)); install it, then run this again"
  exit 1
fi
# npm ci only when node_modules was not installed from exactly this lock file by this Node.
e2e="$root/tests/e2e"
stamp="$e2e/node_modules/.certsmith-lock-stamp"
want_stamp="$(sha256sum "$e2e/package-lock.json" | cut -d' ' -f1) node-$(node --version)"
if [[ ! -f "$stamp" || "$(<"$stamp")" != "$want_stamp" || ! -x "$e2e/node_modules/.bin/wasm-opt" ]]; then
  say "installing the e2e suite's npm packages (npm ci)"
  (cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
  echo "$want_stamp" >"$stamp"
fi

# --- the pinned nightly: the page's wasm (the standard library rebuilt, -Cpanic=immediate-abort) and the fuzz
# targets (cargo-fuzz needs libFuzzer's sanitizer flags) -----------------------------------------------------
nightly="$(<scripts/nightly-toolchain)"
if ! rustup run "$nightly" rustc --version >/dev/null 2>&1 ||
  ! rustup component list --toolchain "$nightly" --installed 2>/dev/null | grep -q '^rust-src'; then
  say "installing the Rust toolchain $nightly with rust-src (about 15 s)"
  rustup toolchain install "$nightly" --profile minimal --component rust-src
fi
if ! command -v cargo-fuzz >/dev/null; then
  say "installing cargo-fuzz (about 1 min)"
  cargo install cargo-fuzz --locked
fi

# --- crates: Trunk builds offline, scripts/deny.sh reads both graphs offline ----------------------------------
for manifest in Cargo.toml fuzz/Cargo.toml; do
  if ! cargo fetch --offline --quiet --manifest-path "$manifest" 2>/dev/null; then
    say "fetching crates for $manifest"
    cargo fetch --manifest-path "$manifest"
  fi
done
# The crates the nightly's standard library is built from (its own lock file, in rust-src).
build_std=(-Zbuild-std=std,panic_abort --target wasm32-unknown-unknown)
if ! cargo "+$nightly" fetch --offline --quiet "${build_std[@]}" 2>/dev/null; then
  say "fetching the crates of $nightly's standard library"
  cargo "+$nightly" fetch "${build_std[@]}"
fi

say "ready in $((SECONDS - started)) s"
