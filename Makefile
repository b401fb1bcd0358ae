# Certsmith. `make serve` to try it, `make test` to test it (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Trunk takes wasm-opt from PATH when its version matches Trunk.toml (npm's binaryen 132; Debian's is too old).
export PATH := $(CURDIR)/tests/e2e/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export RUSTUP_AUTO_INSTALL ?= 0
# Trunk otherwise asks the registry whether it has a newer version on every run.
export TRUNK_SKIP_VERSION_CHECK := true

# The local build: its default CA is the local Pebble, and it says so on the page.
LOCAL_DIST := target/dist-local
LOCAL_ENV := CERTSMITH_DEFAULT_DIRECTORY=https://127.0.0.1:14000/dir CERTSMITH_LOCAL_CA=1

# The page's two wasm modules (the page and its jobs module) are compiled by one pinned nightly
# (scripts/nightly-toolchain, installed by scripts/setup.sh with its rust-src) that rebuilds the standard
# library for size and stops at a panic without running any panic code (`-Cpanic=immediate-abort`): the
# panic machinery, its messages and locations leave the wasm. 32 KB gzip less of the first load, 33 KB less
# of the jobs module. A panic still shows its message over the page (src/web/panic.rs, from the trap).
# Everything else (native builds and tests, the wasm tests, lint) stays on stable.
NIGHTLY := $(strip $(file <scripts/nightly-toolchain))
WASM_BUILD_ENV := RUSTUP_TOOLCHAIN=$(NIGHTLY) CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"

.PHONY: help setup build build-local serve test test-native test-wasm test-e2e test-example stress fuzz deny bench lint fmt clean

help:
	@echo "make serve        build the local app and serve it with a local Pebble CA at http://127.0.0.1:8080"
	@echo "make test         setup, local build, cargo deny, then native, browser (wasm) and end-to-end tests against Pebble"
	@echo "make build        release build for production (default CA Let's Encrypt) into dist/"
	@echo "make build-local  release build against the local Pebble into $(LOCAL_DIST)/"
	@echo "make lint         rustfmt check and clippy (native and wasm32), warnings are errors"
	@echo "make deny         cargo deny (deny.toml): licenses, bans, sources; RustSec advisories when reachable"
	@echo "make setup        install missing tools (scripts/setup.sh; seconds when all is there)"
	@echo "make test-native|test-wasm|test-e2e   one test level under its own Pebble"
	@echo "make test-example the native example (examples/issue.rs) against Pebble rejecting 50% of nonces"
	@echo "make stress       200 native issuances through a fault-injecting proxy, none lost or duplicated (~7 min)"
	@echo "make fuzz         every fuzz target (fuzz/) for FUZZ_SECONDS=$(FUZZ_SECONDS) s each from the committed corpus"
	@echo "make bench        figures, not checks: requests and time per issuance (example vs lego), the page's"
	@echo "                  requests, first-load bytes, time to interactive, RSA-4096 generation in the page"
	@echo "                  (scripts/bench.sh; ~8 min); scripts/size-breakdown.sh: the wasm by crate"

setup:
	scripts/setup.sh

# Production: Let's Encrypt is the default CA (no CERTSMITH_DEFAULT_DIRECTORY).
build: setup
	env -u CERTSMITH_DEFAULT_DIRECTORY -u CERTSMITH_LOCAL_CA $(WASM_BUILD_ENV) trunk build --release
	@scripts/dist-report.sh dist

build-local: setup
	$(LOCAL_ENV) $(WASM_BUILD_ENV) trunk build --release --dist $(LOCAL_DIST)
	@scripts/dist-report.sh $(LOCAL_DIST)

serve: build-local
	scripts/serve.sh

# cargo deny first (seconds); one Pebble for all three levels, stopped afterwards whatever happened; then the
# native example against a fresh Pebble that rejects half of all nonces. Each runs even when one before failed.
test: build-local
	status=0; \
	scripts/deny.sh || status=$$?; \
	scripts/with-pebble.sh scripts/test-levels.sh native wasm e2e || status=$$?; \
	PEBBLE_WFE_NONCEREJECT=50 CERTSMITH_PEBBLE_EAB_INSTANCE=0 scripts/with-pebble.sh scripts/example-check.sh || status=$$?; \
	CERTSMITH_STRESS_N=20 PEBBLE_WFE_NONCEREJECT=50 CERTSMITH_PEBBLE_EAB_INSTANCE=0 CERTSMITH_DOH=0 scripts/with-pebble.sh scripts/stress.sh || status=$$?; \
	scripts/fuzz.sh $(FUZZ_TEST_SECONDS) || status=$$?; \
	exit $$status

test-example: setup
	PEBBLE_WFE_NONCEREJECT=50 CERTSMITH_PEBBLE_EAB_INSTANCE=0 scripts/with-pebble.sh scripts/example-check.sh

# CERTSMITH_STRESS_N (200) native issuances through a fault-injecting proxy (scripts/fault-proxy.py) in front
# of a Pebble rejecting 50% of nonces: none lost, none duplicated (scripts/stress.sh; about 7 min).
stress: setup
	PEBBLE_WFE_NONCEREJECT=50 CERTSMITH_PEBBLE_EAB_INSTANCE=0 CERTSMITH_DOH=0 scripts/with-pebble.sh scripts/stress.sh

# The fuzz targets of fuzz/ (cargo-fuzz on the pinned nightly), each for FUZZ_SECONDS from fuzz/corpus/; fails on a
# crash (scripts/fuzz.sh). `make test` runs them for FUZZ_TEST_SECONDS each, even when other checks failed.
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 10
fuzz: setup
	scripts/fuzz.sh $(FUZZ_SECONDS)

# Supply chain (deny.toml, scripts/deny.sh): licenses, bans and sources offline from the lock files; RustSec
# advisories when the database can be fetched or a recent copy is cached, else a loud SKIPPED line.
deny: setup
	scripts/deny.sh

test-native: setup
	scripts/with-pebble.sh scripts/test-levels.sh native

test-wasm: setup
	scripts/with-pebble.sh scripts/test-levels.sh wasm

test-e2e: build-local
	scripts/with-pebble.sh scripts/test-levels.sh e2e

# Figures from one run on this machine (scripts/bench.sh): both builds first, then the servers it needs.
bench: build build-local
	scripts/bench.sh

lint: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --lib --bins --test web -- -D warnings

fmt:
	cargo fmt

clean:
	rm -rf dist $(LOCAL_DIST) target/pebble target/screenshots target/playwright-results target/e2e-downloads \
		target/e2e-report.json target/example-check target/bench
