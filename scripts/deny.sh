#!/usr/bin/env bash
# Supply-chain checks with cargo-deny and deny.toml, for the crate and for fuzz/ (its own Cargo.lock):
#
#   scripts/deny.sh        `make deny`; `make test` runs it too. Takes seconds.
#
# 1. licenses, bans, sources: offline (--frozen), from Cargo.lock and the fetched crates. An error fails.
# 2. advisories: the RustSec database is a git clone of github.com/RustSec/advisory-db in
#    $CARGO_HOME/advisory-dbs/. It is fetched first; if that fails, a cached copy fetched in the last 90 days
#    (cargo-deny's own limit) is used, and said so. With neither, the advisory check is SKIPPED with a loud
#    line saying why, and that alone does not fail the script. An advisory or a yanked crate found fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
export GIT_TERMINAL_PROMPT=0

DB_URL=https://github.com/RustSec/advisory-db
DB_ROOT="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
MAX_DB_AGE_DAYS=90
FETCH_TIMEOUT=60

say() { echo "deny: $*"; }
loud() {
  local rule="deny: ==========================================================================================="
  echo "$rule"
  printf 'deny: %s\n' "$@"
  echo "$rule"
}

command -v cargo-deny >/dev/null || { say "cargo-deny is missing: run scripts/setup.sh"; exit 1; }
started=$SECONDS
status=0

# The two graphs share deny.toml; libfuzzer-sys (its license exception) is only in fuzz/'s, checked second.
say "licenses, bans, sources: the crate"
cargo deny --frozen check --allow license-exception-not-encountered licenses bans sources || status=1
say "licenses, bans, sources: fuzz/"
cargo deny --frozen --manifest-path fuzz/Cargo.toml --config deny.toml check licenses bans sources || status=1

# --- advisories: fetch the database, else a recent cached copy, else SKIPPED ---------------------------------
db_state=none
fetch_log="$(mktemp)"
trap 'rm -f "$fetch_log"' EXIT
fetch_rc=0
timeout "$FETCH_TIMEOUT" cargo deny fetch db >"$fetch_log" 2>&1 || fetch_rc=$?
if ((fetch_rc == 0)); then
  db_state=fetched
  say "advisory database fetched from $DB_URL"
else
  if ((fetch_rc == 124)); then
    why="no answer within $FETCH_TIMEOUT s"
  else
    why="$(grep -m1 '^fatal:' "$fetch_log" || grep -m1 -i 'error' "$fetch_log" || echo "exit status $fetch_rc")"
    why="${why#fatal: }"
  fi
  # Where cargo-deny keeps this URL's clone (named in its error), and how old it is: the time of the last
  # fetch that brought something (a failed fetch leaves FETCH_HEAD empty but new), else of the newest commit.
  db_dir="$(grep -o -m1 "$DB_ROOT/advisory-db-[0-9a-f]*" "$fetch_log" || true)"
  if [[ -z "$db_dir" ]]; then
    for dir in "$DB_ROOT"/advisory-db-*; do
      [[ -d "$dir/.git" ]] && db_dir="$dir" && break
    done
  fi
  db_time=""
  if [[ -n "$db_dir" && -d "$db_dir/.git" ]]; then
    if [[ -s "$db_dir/.git/FETCH_HEAD" ]]; then
      db_time="$(stat -c %Y "$db_dir/.git/FETCH_HEAD")"
    else
      db_time="$(git -C "$db_dir" show -s --format=%ct HEAD 2>/dev/null || true)"
    fi
  fi
  if [[ -n "$db_time" ]] && (((EPOCHSECONDS - db_time) / 86400 < MAX_DB_AGE_DAYS)); then
    db_state=cached
    say "advisory database NOT fetched ($why): using the cached copy $db_dir," \
      "fetched $(date -u -d "@$db_time" +%F) ($(((EPOCHSECONDS - db_time) / 86400)) days ago)"
  elif [[ -n "$db_time" ]]; then
    skipped="the cached copy $db_dir is $(((EPOCHSECONDS - db_time) / 86400)) days old (limit $MAX_DB_AGE_DAYS)"
  else
    skipped="there is no cached copy (${db_dir:-$DB_ROOT})"
  fi
fi

if [[ "$db_state" != none ]]; then
  # The database was fetched just now (or is recent enough): check against it without fetching again.
  say "advisories: the crate"
  cargo deny --frozen check advisories || status=1
  say "advisories: fuzz/"
  cargo deny --frozen --manifest-path fuzz/Cargo.toml --config deny.toml check advisories || status=1
fi

say "done in $((SECONDS - started)) s"
if [[ "$db_state" == none ]]; then
  loud "SKIPPED: cargo deny check advisories (RustSec vulnerabilities, unmaintained, yanked) did NOT run." \
    "  The advisory database could not be fetched from $DB_URL:" \
    "  $why;" \
    "  and $skipped." \
    "  Licenses, bans and sources were checked." \
    "  To check advisories: run scripts/deny.sh where github.com is reachable, or clone the database to" \
    "  ${db_dir:-$DB_ROOT}."
fi
if ((status)); then
  say "FAILED: see the errors above"
fi
exit "$status"
