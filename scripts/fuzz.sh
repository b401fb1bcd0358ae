#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ (cargo-fuzz, libFuzzer, the nightly of scripts/nightly-toolchain) for
# SECONDS_PER_TARGET seconds each (default 60), one after the other, starting from the committed seeds in
# fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      `make fuzz` runs 60 s per target, `make test` 10 s
#
# The targets are built once (fuzz/target/). New inputs libFuzzer finds go to a scratch corpus in
# fuzz/target/fuzz-corpus/<target>/ (git-ignored, kept between runs, minimized when it grows past 10000
# inputs), never into fuzz/corpus/, so the repository only grows by hand: minimized reproducers of fixed
# crashes and hand-picked seeds.
# Prints the executions per target and fails if any target crashes, with the reproducer's path
# (fuzz/artifacts/<target>/) and the command that replays it.
#
# FUZZ_SANITIZER=address builds with AddressSanitizer (slower to build and run; the default `none` still
# catches every panic, failed invariant, timeout and out-of-memory). FUZZ_TARGETS="keys csr" runs a subset.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTUP_AUTO_INSTALL=0

seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "usage: $0 [SECONDS_PER_TARGET]" >&2; exit 2; }
sanitizer="${FUZZ_SANITIZER:-none}"
say() { echo "fuzz: $*"; }

nightly="$(<"$root/scripts/nightly-toolchain")"
if ! rustup run "$nightly" rustc --version >/dev/null 2>&1 || ! command -v cargo-fuzz >/dev/null; then
  say "needs the toolchain $nightly and cargo-fuzz: run scripts/setup.sh"
  exit 1
fi

read -r -a targets <<<"${FUZZ_TARGETS:-$(cargo "+$nightly" fuzz list | tr '\n' ' ')}"
started=$SECONDS
say "building the fuzz targets (sanitizer $sanitizer)"
cargo "+$nightly" fuzz build --sanitizer "$sanitizer" >/dev/null 2>build.log.tmp || {
  cat build.log.tmp >&2
  rm -f build.log.tmp
  say "build failed"
  exit 1
}
rm -f build.log.tmp
build_seconds=$((SECONDS - started))
say "built in ${build_seconds} s"

# cargo fuzz builds for the host: its triple, not x86_64's, names the folder.
host="$(rustc "+$nightly" -vV | sed -n 's/^host: //p')"
bin_dir="target/$host/release"
logs="target/fuzz-logs"
mkdir -p "$logs"
failed=()
summary=()
for target in "${targets[@]}"; do
  scratch="target/fuzz-corpus/$target"
  artifacts="artifacts/$target"
  mkdir -p "$scratch" "corpus/$target" "$artifacts"
  log="$logs/$target.log"
  # Kept between runs, the scratch corpus grows; past 10000 inputs it is minimized to those that add
  # coverage (libFuzzer -merge), so loading it does not eat the time budget.
  if (($(find "$scratch" -type f | wc -l) > 10000)); then
    rm -rf "$scratch.merged" && mkdir -p "$scratch.merged"
    if "$bin_dir/$target" -merge=1 "$scratch.merged" "$scratch" >"$logs/$target.merge.log" 2>&1; then
      rm -rf "$scratch" && mv "$scratch.merged" "$scratch"
      say "$target: scratch corpus minimized to $(find "$scratch" -type f | wc -l) inputs"
    fi
  fi
  # The scratch corpus comes first: libFuzzer writes what it finds into the first directory only.
  # -timeout: one input taking 20 s would hang the page, so it counts as a finding.
  status=0
  "$bin_dir/$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$scratch" "corpus/$target" >"$log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
  [[ -n "$execs" ]] || execs="$(sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' "$log" | tail -n1)"
  per_second="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)"
  if ((status == 0)); then
    summary+=("$(printf '%-12s %10s executions %8s/s   ok' "$target" "${execs:-?}" "${per_second:-?}")")
  else
    reproducer="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)"
    summary+=("$(printf '%-12s %10s executions %8s/s   FAILED (exit %s)' "$target" "${execs:-?}" "${per_second:-?}" "$status")")
    failed+=("$target")
    echo "----- $target failed; the end of fuzz/$log:" >&2
    grep -v '^\(#[0-9]\|INFO:\|MS:\|base unit:\|0x\)' "$log" | tail -n 40 >&2
    if [[ -n "$reproducer" ]]; then
      say "reproducer: fuzz/$reproducer"
      say "replay it: cd fuzz && cargo +$nightly fuzz run --sanitizer $sanitizer $target $reproducer"
    fi
  fi
done

say "${seconds} s per target, built in ${build_seconds} s, $((SECONDS - started)) s in all"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  say "FAILED: ${failed[*]} (logs in fuzz/$logs/)"
  exit 1
fi
