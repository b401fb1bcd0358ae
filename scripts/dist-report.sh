#!/usr/bin/env bash
# Lists a Trunk output directory with raw, gzip -9 and brotli sizes, and holds its first load to the budget
# recorded in size-budget.txt: prints the figure and the budget always, and fails when the build is over it.
#
#   scripts/dist-report.sh [DIR] [local|production]
#
# The first load is every file of the build but _headers (which no page fetches), the language catalogues
# and the jobs module: index.html, the loader, the JS glue, the wasm, the CSS and the icon, then, after the
# load event, www/sw-register.js, the service worker and the web manifest. That is an English visit. A
# catalogue (catalogue-<lang>-*.json) is what a visit in that language fetches on top, before the page shows
# (the service worker fetches only the browser's language's); each has its own budget line,
# `catalogue-<lang>`. The jobs module (certsmith-jobs-*: src/jobs.rs, the slow jobs in a wasm of their own)
# and the worker script that runs it are fetched after the page is up: by the service worker for its
# offline cache, or by the first job (an RSA key, the account key's lock, a PFX); their budget line is
# `jobs`. A first visit fetches nothing else. Each file is compressed on its own, as a host sends it; the
# budgets are on gzip -9 (what every host offers); brotli (-q 11) is reported beside it.
#
# Which budget: the `local` line for target/dist-local (make build-local, which make test runs), the
# `production` line for any other directory (make build: dist/); a second argument says it explicitly.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${1:-dist}"
kind="${2:-}"
budget_file="$root/size-budget.txt"
if [[ -z $kind ]]; then
  if [[ "$(realpath -m "$dist")" == "$(realpath -m "$root/target/dist-local")" ]]; then kind=local; else kind=production; fi
fi
[[ $kind == local || $kind == production ]] || { echo "dist-report.sh: unknown build kind '$kind' (local or production)" >&2; exit 2; }
[[ -f $dist/index.html ]] || { echo "dist-report.sh: no $dist/index.html" >&2; exit 1; }

brotli_size() { # FILE: bytes of brotli -q 11, or n/a without the brotli command
  if command -v brotli >/dev/null; then brotli -q 11 -c "$1" | wc -c; else echo n/a; fi
}
group() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; } # 1234567 -> 1,234,567

printf '%-48s %10s %10s %10s\n' "$dist/" "bytes" "gzip -9" "brotli"
raw=0 gz=0 br=0 catalogues=() jobs=0
while IFS= read -r -d '' f; do
  name="${f#"$dist"/}"
  r="$(stat -c %s "$f")" g="$(gzip -9c "$f" | wc -c)" b="$(brotli_size "$f")"
  if [[ $name == _headers ]]; then
    printf '%-48s %10d %10d %10s  (not fetched)\n' "$name" "$r" "$g" "$b"
    continue
  fi
  if [[ $name =~ ^catalogue-([a-z]+)-[0-9a-f]+\.json$ ]]; then
    printf '%-48s %10d %10d %10s  (a visit in this language only)\n' "$name" "$r" "$g" "$b"
    catalogues+=("${BASH_REMATCH[1]} $g")
    continue
  fi
  if [[ $name =~ ^(certsmith-jobs-[0-9a-f]{16}(\.js|_bg\.wasm)|worker-[0-9a-f]{16}\.js)$ ]]; then
    printf '%-48s %10d %10d %10s  (the jobs module, after the load)\n' "$name" "$r" "$g" "$b"
    jobs=$((jobs + g))
    continue
  fi
  printf '%-48s %10d %10d %10s\n' "$name" "$r" "$g" "$b"
  raw=$((raw + r)) gz=$((gz + g))
  if [[ $b == n/a || $br == n/a ]]; then br=n/a; else br=$((br + b)); fi
done < <(find "$dist" -mindepth 1 -name '.*' -prune -o -type f -print0 | sort -z) # not Trunk's .stage/
printf '%-48s %10d %10d %10s\n' "first load" "$raw" "$gz" "$br"

# The budget: the first `<kind> <bytes>` line of size-budget.txt.
budget="$(awk -v kind="$kind" '$1 == kind && $2 ~ /^[0-9]+$/ { print $2; exit }' "$budget_file" 2>/dev/null || true)"
if [[ -z $budget ]]; then
  echo "dist-report.sh: size-budget.txt has no '$kind <bytes>' line: record one (the gzip -9 figure above, rounded up to the next 1,000 bytes)" >&2
  exit 1
fi
suggested=$(((gz + 999) / 1000 * 1000))
echo "first load of the $kind build: $(group "$gz") bytes gzip -9 (budget $(group "$budget"), size-budget.txt), $( [[ $br == n/a ]] && echo "brotli n/a (no brotli command)" || echo "$(group "$br") bytes brotli"), $(group "$raw") bytes raw"
if ((gz > budget)); then
  {
    echo "dist-report.sh: FAILED: the first load of the $kind build is $(group "$gz") bytes gzip -9, $(group $((gz - budget))) bytes over its budget of $(group "$budget") (size-budget.txt)."
    echo "  Make it smaller again, or, when the growth is worth it, raise the '$kind' line of size-budget.txt to $suggested in the same change and say why."
  } >&2
  exit 1
fi
# Each catalogue against its own line.
for entry in "${catalogues[@]}"; do
  lang="${entry% *}" size="${entry#* }"
  limit="$(awk -v key="catalogue-$lang" '$1 == key && $2 ~ /^[0-9]+$/ { print $2; exit }' "$budget_file" 2>/dev/null || true)"
  echo "the $lang catalogue: $(group "$size") bytes gzip -9 on top of the first load (budget $(group "${limit:-none}"))"
  if [[ -z $limit ]] || ((size > limit)); then
    echo "dist-report.sh: FAILED: record or raise 'catalogue-$lang' in size-budget.txt (now $(group "$size") bytes gzip -9), and say why" >&2
    exit 1
  fi
done
# The jobs module against its line.
jobs_limit="$(awk '$1 == "jobs" && $2 ~ /^[0-9]+$/ { print $2; exit }' "$budget_file" 2>/dev/null || true)"
echo "the jobs module and its worker: $(group "$jobs") bytes gzip -9 after the first load (budget $(group "${jobs_limit:-none}"))"
if [[ -z $jobs_limit ]] || ((jobs > jobs_limit)); then
  echo "dist-report.sh: FAILED: record or raise 'jobs' in size-budget.txt (now $(group "$jobs") bytes gzip -9), and say why" >&2
  exit 1
fi
# A ratchet: when a change made the page smaller, the budget should follow it down.
if ((suggested < budget)); then
  echo "  $(group $((budget - gz))) bytes under budget: lock the gain in by lowering the '$kind' line of size-budget.txt to $suggested."
fi
