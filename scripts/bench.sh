#!/usr/bin/env bash
# `make bench`: figures from one run on this machine (not pass/fail). Every server it starts listens on
# 127.0.0.1 and is stopped when it ends, however it ends.
#
#   1. native   requests and wall time per issuance of a name and its wildcard over dns-01: the native example
#               (examples/issue.rs, release) and lego, alternating, fresh names each run, on one Pebble with
#               authorization reuse off, first rejecting 0 % of nonces, then (a restarted Pebble) 50 %.
#               Requests are counted from Pebble's log (one "-> calling handler" line per request it
#               handles, CORS preflights excepted); the example also reports its own count and badNonce retries.
#   2. page     the page's requests to the CA's origin for one such issuance, by method, and the CORS
#               preflights before them (tests/e2e/bench.spec.ts, local build in target/dist-local)
#   3. size     the production build (dist/, `make build`): index.html and every JS, wasm and CSS file the
#               page loads, raw, gzip -9 and brotli
#   4. tti      time to interactive of the production build from a local static server: median of cold loads
#               (a fresh browser context each) until step 1's Connect button is enabled, for an English and
#               for a German browser (whose page fetches its catalogue first)
#   5. keygen   RSA-4096 certificate keys made by the page (headless Chromium, local build): each run's time
#               as the page reports it, and the median (tests/e2e/bench.spec.ts)
#   6. breakdown the wasm of the last build by crate (scripts/size-breakdown.sh: twiggy on a names-kept -Oz copy)
#
#   scripts/bench.sh [native] [page] [size] [tti] [keygen] [breakdown]
#                                                   (default: all; size and tti share one load of the page)
#
# Knobs: CERTSMITH_BENCH_ROUNDS (3 runs of each client per setting), CERTSMITH_BENCH_NONCE_REJECT ("0 50"),
# CERTSMITH_BENCH_PAGE_NONCE_REJECT (0), CERTSMITH_BENCH_LOADS (7), CERTSMITH_BENCH_KEYGEN_RUNS (7). Work files
# go to target/bench/.
# Pebble runs with its own state directory there (target/bench/pebble) but on the usual ports, so it cannot
# run beside `make test` or `make serve`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$root/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
here="$root/scripts"
out="$root/target/bench"
rounds="${CERTSMITH_BENCH_ROUNDS:-3}"
read -r -a rejects <<<"${CERTSMITH_BENCH_NONCE_REJECT:-0 50}"
loads="${CERTSMITH_BENCH_LOADS:-7}"
e2e_port="${CERTSMITH_BENCH_E2E_PORT:-8091}"
static_port="${CERTSMITH_BENCH_STATIC_PORT:-8092}"

# Pebble for every part: its own state directory (its log is what requests are counted from), no second
# (EAB) instance, no authorization reuse (each run validates), no alternate chains (no client fetches any).
export CERTSMITH_PEBBLE_DIR="$out/pebble" CERTSMITH_PEBBLE_EAB_INSTANCE=0
export PEBBLE_AUTHZREUSE=0 PEBBLE_ALTERNATE_ROOTS=0
pebble_log="$out/pebble/pebble.log"
example="$root/target/release/examples/issue"

# --- helpers ---------------------------------------------------------------------------------------------

# median of the numbers on stdin ("n/a" for none)
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (!NR) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2];
    else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# lines of Pebble's log so far
log_lines() { wc -l <"$pebble_log"; }

# requests Pebble handled after line FROM of its log: "<total> <by method>"
handled_since() {
  tail -n +"$(($1 + 1))" "$pebble_log" | awk '/-> calling handler/ { n++; m[$4]++ }
    END { s = ""; split("GET HEAD POST", order, " ")
      for (i = 1; i <= 3; i++) if (order[i] in m) { s = s (s ? "," : "") order[i] ":" m[order[i]]; delete m[order[i]] }
      for (k in m) s = s (s ? "," : "") k ":" m[k]
      print n + 0, (s ? s : "-") }'
}

# median of column COL of runs.tsv over the runs of CLIENT at REJECT % that issued
run_median() { # CLIENT REJECT COL
  awk -F'\t' -v c="$1" -v r="$2" -v k="$3" '$1 == c && $2 == r && $9 == "ok" { print $k }' "$out/runs.tsv" |
    grep -E '^[0-9.]+$' | median
}

# the value of KEY in a "BENCH what key=value ..." line
field() { grep -o " $1=[^ ]*" <<<"$2" | head -n 1 | cut -d= -f2-; }

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# --- 1. native: runs under scripts/with-pebble.sh (internal entry: bench.sh --native-runs REJECT) ----------

lego_hook() { # the EXEC_PATH program for lego: "present|cleanup FQDN VALUE", through challtestsrv
  cat >"$out/lego-hook.sh" <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
case "$1" in
  present) curl -fsS -X POST -d "{\"host\":\"$2\",\"value\":\"$3\"}" "$CERTSMITH_TEST_CHALLTESTSRV/set-txt" ;;
  cleanup) curl -fsS -X POST -d "{\"host\":\"$2\"}" "$CERTSMITH_TEST_CHALLTESTSRV/clear-txt" ;;
esac
EOF
  chmod +x "$out/lego-hook.sh"
}

run_example() { # NAME DIR
  timeout 300 "$example" --directory "$CERTSMITH_TEST_DIRECTORY" --ca-file "$CERTSMITH_TEST_CA_FILE" \
    --hook "$here/challtestsrv-hook.sh" --out "$2" --challenge dns-01 --domain "$1" --domain "*.$1"
}

run_lego() { # NAME DIR
  EXEC_PATH="$out/lego-hook.sh" EXEC_SEQUENCE_INTERVAL=1 LEGO_CA_CERTIFICATES="$CERTSMITH_TEST_CA_FILE" \
    timeout 300 lego --server "$CERTSMITH_TEST_DIRECTORY" --accept-tos --email bench@example.org \
    --domains "$1" --domains "*.$1" --dns exec --dns.resolvers "$CERTSMITH_TEST_DNS" --dns.disable-cp \
    --path "$2" run
}

# One row per run into runs.tsv: client reject run requests by-method self-reported badNonce wall status
native_runs() { # REJECT
  local reject="$1" round client name dir from t0 t1 status summary self bad
  lego_hook
  for round in $(seq "$rounds"); do
    for client in example lego; do
      name="bench-$client-$reject-$round-$(openssl rand -hex 3).example.test"
      dir="$out/runs/$client-$reject-$round"
      rm -rf "$dir"
      mkdir -p "$dir"
      from="$(log_lines)"
      t0="$(now)"
      status=ok
      "run_$client" "$name" "$dir" >"$dir.log" 2>&1 || status="failed($?)"
      t1="$(now)"
      read -r requests methods < <(handled_since "$from")
      self=- bad=n/a
      if [[ $client == example ]]; then
        summary="$(tail -n 1 "$dir.log")"
        [[ $summary =~ ([0-9]+)\ requests ]] && self="${BASH_REMATCH[1]}"
        [[ $summary =~ ([0-9]+)\ badNonce\ retries ]] && bad="${BASH_REMATCH[1]}"
      else
        # lego logs each retry: "[INFO] retry due to: acme: error: 400 :: POST :: URL :: ...:badNonce :: ..."
        bad="$(grep -c 'retry due to: .*:badNonce' "$dir.log" || true)"
      fi
      [[ -s $dir/fullchain.pem || -n $(find "$dir" -name '*.crt' -size +0 2>/dev/null) ]] || status="${status/ok/no certificate}"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$client" "$reject" "$round" "$requests" "$methods" \
        "$self" "$bad" "$(elapsed "$t0" "$t1")" "$status" >>"$out/runs.tsv"
      [[ $status == ok ]] || echo "bench: $client run $round at $reject % failed: see $dir.log" >&2
    done
  done
}

native() {
  echo "== 1. issuance: native example vs lego (dns-01, a name and its wildcard; authz reuse off)"
  cargo build --release --example issue || return 1
  rm -rf "$out/runs"
  : >"$out/runs.tsv"
  local reject ok=0
  for reject in "${rejects[@]}"; do
    PEBBLE_WFE_NONCEREJECT="$reject" CERTSMITH_DOH=0 "$here/with-pebble.sh" "$here/bench.sh" --native-runs "$reject" || ok=1
  done
  echo
  printf '%-8s %7s %4s %9s %-22s %6s %9s %8s  %s\n' client reject% run requests "by method (Pebble log)" \
    "self" badNonce "wall s" status
  awk -F'\t' '{ printf "%-8s %7s %4s %9s %-22s %6s %9s %8s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$out/runs.tsv"
  echo
  echo "medians of the runs that issued:"
  printf '%-8s %7s %9s %9s %8s\n' client reject% requests badNonce "wall s"
  local client
  for reject in "${rejects[@]}"; do
    for client in example lego; do
      printf '%-8s %7s %9s %9s %8s\n' "$client" "$reject" "$(run_median "$client" "$reject" 4)" \
        "$(run_median "$client" "$reject" 7)" "$(run_median "$client" "$reject" 8)"
    done
  done
  echo "(requests: every request Pebble logged during the run; self: the example's own count;"
  echo " badNonce: retries as the example reports them / as lego logs them; wall: process start to exit)"
  ! grep -qv $'\tok$' "$out/runs.tsv" && ((ok == 0))
}

# --- 2. page: runs under scripts/with-pebble.sh (internal entry: bench.sh --page-run) -----------------------

page_run() {
  local from status=0
  from="$(log_lines)"
  (cd tests/e2e && CERTSMITH_BENCH=page CERTSMITH_E2E_PORT="$e2e_port" \
    playwright test bench.spec.ts --reporter=list --output "$out/playwright-results") >"$out/page.log" 2>&1 ||
    status=$?
  read -r requests methods < <(handled_since "$from")
  echo "BENCH pebble total=$requests by_method=$methods" >>"$out/page.log"
  return "$status"
}

page() {
  echo "== 2. the page: one fresh issuance of a name and its wildcard over dns-01 (Playwright, local build)"
  [[ -f target/dist-local/index.html ]] || { echo "bench: no target/dist-local: run make build-local" >&2; return 1; }
  local reject="${CERTSMITH_BENCH_PAGE_NONCE_REJECT:-0}" status=0 line
  PEBBLE_WFE_NONCEREJECT="$reject" "$here/with-pebble.sh" "$here/bench.sh" --page-run || status=$?
  line="$(grep -o 'BENCH page .*' "$out/page.log" | tail -n 1 || true)"
  if [[ -z $line || $status != 0 ]]; then
    echo "bench: the page's issuance failed (exit $status); its output:" >&2
    tail -n 40 "$out/page.log" >&2
    return 1
  fi
  local pebble
  pebble="$(grep -o 'BENCH pebble .*' "$out/page.log" | tail -n 1)"
  echo "Pebble rejecting $reject % of nonces; what the page sent to https://127.0.0.1:${CERTSMITH_PEBBLE_PORT:-14000}:"
  printf '  %-34s %s\n' \
    "total (Playwright request events)" "$(field total "$line")" \
    "GET / HEAD / POST / other" "$(field GET "$line") / $(field HEAD "$line") / $(field POST "$line") / $(field other "$line")" \
    "badNonce answers (retried)" "$(field badNonce "$line")" \
    "CORS preflights (OPTIONS, via CDP)" "$(field preflight "$line")" \
    "by path" "$(field paths "$line")" \
    "cross-check: CDP non-preflight" "$(field cdp_requests "$line")" \
    "cross-check: Pebble's log" "$(field total "$pebble") ($(field by_method "$pebble"))" \
    "seconds, page load to certificate" "$(field seconds "$line")" \
    "requests to other hosts (refused)" "$(field offsite "$line")"
}

# --- 5. keygen: runs under scripts/with-pebble.sh (internal entry: bench.sh --keygen-run) -------------------

keygen_run() {
  (cd tests/e2e && CERTSMITH_BENCH=keygen CERTSMITH_E2E_PORT="$e2e_port" \
    playwright test bench.spec.ts --reporter=list --output "$out/playwright-results") >"$out/keygen.log" 2>&1
}

keygen() {
  echo "== 5. RSA-4096 certificate keys made by the page (headless Chromium, local build)"
  [[ -f target/dist-local/index.html ]] || { echo "bench: no target/dist-local: run make build-local" >&2; return 1; }
  local status=0 lines median
  PEBBLE_WFE_NONCEREJECT=0 "$here/with-pebble.sh" "$here/bench.sh" --keygen-run || status=$?
  lines="$(grep -o 'BENCH keygen .*' "$out/keygen.log" || true)"
  median="$(grep -o 'BENCH keygen_median .*' "$out/keygen.log" | tail -n 1 || true)"
  if [[ -z $median || $status != 0 ]]; then
    echo "bench: the page's key generation was not measured (exit $status); its output:" >&2
    tail -n 40 "$out/keygen.log" >&2
    return 1
  fi
  awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "  run %-3s %8s ms  (%s)\n", v["run"], v["ms"], v["how"] }' <<<"$lines"
  printf '  median %s ms of %s runs (min %s, max %s)\n' "$(field median_ms "$median")" "$(field runs "$median")" \
    "$(field min_ms "$median")" "$(field max_ms "$median")"
  echo "  (as the page times each key: its generation and reading it into the core, without the order around it)"
}

# --- 6. breakdown ------------------------------------------------------------------------------------------

breakdown() {
  echo "== 6. the wasm of the last build (make build or make build-local) by crate"
  "$here/size-breakdown.sh" | sed 's/^/  /'
}

# --- 3 + 4. the production build: first-load bytes and time to interactive ----------------------------------

brotli_size() { # FILE: bytes of brotli -q 11, or n/a
  if command -v brotli >/dev/null; then
    brotli -q 11 -c "$1" | wc -c
  elif python3 -c 'import brotli' 2>/dev/null; then
    python3 -c 'import brotli, sys; print(len(brotli.compress(open(sys.argv[1], "rb").read(), quality=11)))' "$1"
  else
    echo n/a
  fi
}

server_pid=""
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

# The production page from python's static server, loaded in Chromium: BENCH lines into target/bench/tti.log
tti_run() {
  local i status=0
  python3 -m http.server --bind 127.0.0.1 "$static_port" --directory "$root/dist" >"$out/static.log" 2>&1 &
  server_pid=$!
  for i in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$static_port/" && break
    kill -0 "$server_pid" 2>/dev/null || { echo "bench: the static server did not start" >&2; cat "$out/static.log" >&2; return 1; }
    sleep 0.1
  done
  # In English, then in German (the page fetches its catalogue before it shows): tti.log, tti-de.log.
  local locale log
  for locale in en-US de-DE; do
    log="$out/tti.log"
    [[ $locale == en-US ]] || log="$out/tti-${locale%%-*}.log"
    (cd tests/e2e && CERTSMITH_BENCH=tti CERTSMITH_BENCH_URL="http://127.0.0.1:$static_port/" \
      CERTSMITH_BENCH_LOADS="$loads" CERTSMITH_BENCH_LOCALE="$locale" CERTSMITH_E2E_PORT="$e2e_port" \
      playwright test bench.spec.ts --reporter=list --output "$out/playwright-results") >"$log" 2>&1 ||
      status=$?
  done
  stop_server
  return "$status"
}

size() { # uses what the first load in tti.log requested, when there is one
  echo "== 3. first-load bytes of the production build (dist/)"
  [[ -f dist/index.html ]] || { echo "bench: no dist/: run make build" >&2; return 1; }
  local files=() f how
  local loaded
  loaded="$(grep -o 'BENCH loaded files=.*' "$out/tti.log" 2>/dev/null | tail -n 1 | cut -d= -f2- || true)"
  if [[ -n $loaded ]]; then
    how="as requested by the page's first load"
    local requested
    IFS=, read -r -a requested <<<"$loaded"
    for f in "${requested[@]}"; do
      [[ $f == / ]] && f=/index.html
      [[ $f =~ \.(html|js|mjs|wasm|css)$ && -f dist$f ]] && files+=("${f#/}")
    done
  else
    how="index.html and every JS, wasm and CSS file in dist/ but the jobs module (no browser load to say what the page requests)"
    files=(index.html)
    for f in dist/*.js dist/*.mjs dist/*.wasm dist/*.css; do
      [[ -f $f && ! ${f#dist/} =~ ^(certsmith-jobs-|worker-) ]] && files+=("${f#dist/}")
    done
  fi
  echo "files: $how"
  [[ $(brotli_size dist/index.html) != n/a ]] || echo "(no brotli: install Debian's brotli or python3-brotli)"
  printf '  %-44s %10s %10s %10s\n' file raw "gzip -9" "brotli 11"
  # The jobs module (and the worker script that runs it) comes after the load: the service worker caches
  # it, or the first job fetches it. Listed and summed apart, as scripts/dist-report.sh does.
  local raw gz br traw=0 tgz=0 tbr=0 jraw=0 jgz=0 jbr=0 label
  for f in $(printf '%s\n' "${files[@]}" | awk '!seen[$0]++'); do
    raw="$(stat -c %s "dist/$f")"
    gz="$(gzip -9c "dist/$f" | wc -c)"
    br="$(brotli_size "dist/$f")"
    label=""
    if [[ $f =~ ^(certsmith-jobs-|worker-) ]]; then
      label="  (the jobs module, after the load)"
      jraw=$((jraw + raw)) jgz=$((jgz + gz))
      if [[ $br == n/a || $jbr == n/a ]]; then jbr=n/a; else jbr=$((jbr + br)); fi
    else
      traw=$((traw + raw)) tgz=$((tgz + gz))
      if [[ $br == n/a || $tbr == n/a ]]; then tbr=n/a; else tbr=$((tbr + br)); fi
    fi
    printf '  %-44s %10d %10d %10s%s\n' "$f" "$raw" "$gz" "$br" "$label"
  done
  printf '  %-44s %10d %10d %10s\n' "first load" "$traw" "$tgz" "$tbr"
  if ((jraw > 0)); then
    printf '  %-44s %10d %10d %10s\n' "the jobs module, after the load" "$jraw" "$jgz" "$jbr"
    printf '  %-44s %10d %10d %10s\n' "the first visit in all" "$((traw + jraw))" "$((tgz + jgz))" \
      "$([[ $tbr == n/a || $jbr == n/a ]] && echo n/a || echo $((tbr + jbr)))"
  fi
  if [[ -n $loaded ]]; then
    local other=() d
    for d in dist/*; do
      [[ -f $d ]] || continue
      [[ " ${files[*]} " == *" ${d#dist/} "* ]] || other+=("${d#dist/}$([[ ",$loaded," == *",/${d#dist/},"* ]] && echo ' (loaded)')")
    done
    ((${#other[@]} == 0)) || echo "  other files in dist/: ${other[*]}"
  fi
}

tti() {
  echo "== 4. time to interactive of the production build (python3 http.server on 127.0.0.1, headless Chromium)"
  local log status=0
  for log in "$out/tti.log" "$out/tti-de.log"; do
    tti_of "$log" || status=1
  done
  return "$status"
}

tti_of() { # LOG: the loads of one language
  local lines
  lines="$(grep -o 'BENCH tti .*' "$1" 2>/dev/null || true)"
  if [[ -z $lines ]]; then
    echo "bench: no load was measured; the output:" >&2
    tail -n 40 "$1" >&2 2>/dev/null || true
    return 1
  fi
  echo "  browser language $(grep -o -m1 'locale=[^ ]*' <<<"$lines" | cut -d= -f2):"
  printf '  %-6s %14s %17s %8s %9s %8s\n' load "interactive ms" "DOMContentLoaded" "load ms" requests offsite
  awk '{ for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "  %-6s %14s %17s %8s %9s %8s\n", v["load"], v["interactive_ms"], v["dcl_ms"], v["load_ms"], v["requests"],
      v["offsite"] }' <<<"$lines"
  column() { grep -o " $1=[0-9.]*" <<<"$lines" | cut -d= -f2 | median; }
  printf '  %-6s %14s %17s %8s\n' median "$(column interactive_ms)" "$(column dcl_ms)" "$(column load_ms)"
  echo "  (ms since navigation start; $(wc -l <<<"$lines") cold loads, a fresh browser context each; interactive:"
  echo "   step 1's Connect button exists and is enabled; offsite: requests to other hosts, refused)"
  (($(wc -l <<<"$lines") == loads)) || { echo "bench: $loads loads wanted; see $1" >&2; return 1; }
}

# --- main --------------------------------------------------------------------------------------------------

case "${1:-}" in
  --native-runs) native_runs "$2"; exit ;;
  --page-run) page_run; exit ;;
  --keygen-run) keygen_run; exit ;;
esac

parts=("$@")
((${#parts[@]})) || parts=(native page size tti keygen breakdown)
for part in "${parts[@]}"; do
  case "$part" in native | page | size | tti | keygen | breakdown) ;; *) echo "usage: $0 [native] [page] [size] [tti] [keygen] [breakdown]" >&2; exit 2 ;; esac
done

trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$out"
started=$SECONDS
echo "bench: $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (work tree differs)')"
echo "bench: $(dpkg-query -W -f '${Package} ${Version}  ' pebble lego chromium 2>/dev/null)node $(node --version)"
failed=()
rm -f "$out/tti.log"
for part in "${parts[@]}"; do
  echo
  # size lists what the page's first load requested: the loads of tti run first, once, for both
  if [[ $part == size || $part == tti ]] && [[ ! -f $out/tti.log ]]; then
    if [[ -f dist/index.html ]]; then tti_run || true; else echo "bench: no dist/: run make build" >"$out/tti.log"; fi
  fi
  "$part" || failed+=("$part")
done
echo
echo "bench: done in $((SECONDS - started)) s; ${#failed[@]} part(s) not fully measured${failed[*]:+: ${failed[*]}} (work files in target/bench/)"
((${#failed[@]} == 0))
