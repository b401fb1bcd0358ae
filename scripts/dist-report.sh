#!/usr/bin/env bash
# Lists a Trunk output directory with raw and gzip sizes.
set -euo pipefail
dist="${1:-dist}"
printf '%-48s %10s %10s\n' "$dist/" "bytes" "gzip -9"
for f in "$dist"/*; do
  [[ -f "$f" ]] || continue
  printf '%-48s %10d %10d\n' "$(basename "$f")" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done
