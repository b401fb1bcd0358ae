#!/usr/bin/env bash
# The page's wasm by crate: what each dependency costs, for deciding what to move out of the first load.
# Figures, not a check (the check is size-budget.txt).
#
#   scripts/size-breakdown.sh [WASM]       (default: target/wasm32-unknown-unknown/release/certsmith.wasm)
#
# Builds nothing: it reads the module cargo left for the last `make build` or `make build-local`, then does
# what Trunk does with it (wasm-bindgen --target web, wasm-opt -Oz) but keeps the function names (-g), so
# twiggy can name every function. Sizes are of that optimized module before compression; the shipped file
# is the same code without the names section. Per crate: the sum of the functions whose name starts in that
# crate (a generic function counts where it is defined, e.g. `der::...::decode<x509_cert::...>` is der's);
# data segments (string literals, tables: not attributable by name) on one line.
# Installs twiggy 0.8.0 (cargo install --locked, about a minute) when it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/tests/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"
wasm="${1:-$root/target/wasm32-unknown-unknown/release/certsmith.wasm}"
[[ -f $wasm ]] || { echo "size-breakdown: no $wasm: run make build-local (or make build) first" >&2; exit 1; }
command -v twiggy >/dev/null || cargo install twiggy --version 0.8.0 --locked --quiet

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
wasm-bindgen --target web --out-dir "$work" --out-name page "$wasm"
wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-mutable-globals "$work/page_bg.wasm" -o "$work/page.wasm"
twiggy top -n 1000000 --format csv "$work/page.wasm" >"$work/top.csv"
python3 - "$work/top.csv" "$(stat -c %s "$work/page.wasm")" <<'EOF'
import collections, csv, re, sys

total = collections.Counter()
for row in csv.DictReader(open(sys.argv[1])):
    name, size = row["Name"], int(row["ShallowSize"])
    if name.startswith(('"function names"', "custom section")):
        continue  # names and producers: not in the shipped file
    if name.startswith("data segment"):
        total["(data segments: literals, tables)"] += size
        continue
    crate = re.search(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::", name)
    total[crate.group(1) if crate else "(glue and unnamed)"] += size
counted = sum(total.values())
print(f"size-breakdown: {counted:,} bytes of code and data (optimized, before compression), by crate:")
for crate, size in total.most_common(30):
    print(f"  {size:9,d}  {100 * size / counted:5.1f} %  {crate}")
rest = total.most_common()[30:]
print(f"  {sum(s for _, s in rest):9,d}  {100 * sum(s for _, s in rest) / counted:5.1f} %  {len(rest)} more")
EOF
