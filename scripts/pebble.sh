#!/usr/bin/env bash
# A local ACME test CA: Debian's Pebble plus pebble-challtestsrv (its DNS server and HTTP-01 responder).
#
#   scripts/pebble.sh start    generate what is missing under target/pebble/, start both, wait until ready
#   scripts/pebble.sh stop     stop both (by the PIDs recorded at start)
#   scripts/pebble.sh status   say whether they run; exit 0 when both do
#   scripts/pebble.sh env      print the `export CERTSMITH_TEST_...=...` lines for tests (see with-pebble.sh)
#
# Pebble's own knobs pass through from the caller's environment: PEBBLE_VA_NOSLEEP (default 1 here),
# PEBBLE_VA_ALWAYS_VALID, PEBBLE_WFE_NONCEREJECT (Pebble's default 5 %), PEBBLE_AUTHZREUSE,
# PEBBLE_ALTERNATE_ROOTS, PEBBLE_CHAIN_LENGTH, PEBBLE_WFE_ORDERS_PER_PAGE.
#
# Everything else can be overridden, e.g. to run a second instance beside the first:
#   CERTSMITH_PEBBLE_NAME     file name stem of this instance's config, logs and PID files (default pebble)
#   CERTSMITH_PEBBLE_DIR      state directory (default <repo>/target/pebble); the TLS certificates live in its certs/
#   CERTSMITH_PEBBLE_PORT     ACME listen port (14000)        CERTSMITH_PEBBLE_MGMT_PORT  management port (15000)
#   CERTSMITH_PEBBLE_HTTP_PORT port Pebble's VA uses for http-01 (5002; challtestsrv serves it)
#   CERTSMITH_PEBBLE_TLS_PORT  port for tls-alpn-01 (5001; nothing serves it)
#   CERTSMITH_CHALLTESTSRV_DNS_PORT  (8053)              CERTSMITH_CHALLTESTSRV_MGMT_PORT (8055)
#   CERTSMITH_PEBBLE_OWN_CHALLTESTSRV  1 (default): start this instance's own challtestsrv; 0: share the one
#                             that another instance runs on the ports above (Pebble's DNS, http-01 files)
#   CERTSMITH_PEBBLE_EAB      a JSON object {"kid": "base64url HMAC key", ...}: the generated config then
#                             requires external account binding with these keys
#   CERTSMITH_PEBBLE_CONFIG   use this config file instead of generating one (keep its ports equal to the above)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${CERTSMITH_PEBBLE_NAME:-pebble}"
dir="${CERTSMITH_PEBBLE_DIR:-$root/target/pebble}"
certs="$dir/certs"
port="${CERTSMITH_PEBBLE_PORT:-14000}"
mgmt_port="${CERTSMITH_PEBBLE_MGMT_PORT:-15000}"
http_port="${CERTSMITH_PEBBLE_HTTP_PORT:-5002}"
tls_port="${CERTSMITH_PEBBLE_TLS_PORT:-5001}"
dns_port="${CERTSMITH_CHALLTESTSRV_DNS_PORT:-8053}"
cts_port="${CERTSMITH_CHALLTESTSRV_MGMT_PORT:-8055}"
own_cts="${CERTSMITH_PEBBLE_OWN_CHALLTESTSRV:-1}"
config="${CERTSMITH_PEBBLE_CONFIG:-$dir/$name.json}"
pebble_pid="$dir/$name.pid"
cts_pid="$dir/$name-challtestsrv.pid"
pebble_log="$dir/$name.log"
cts_log="$dir/$name-challtestsrv.log"
ca="$certs/ca.pem"
directory="https://127.0.0.1:$port/dir"

say() { echo "pebble.sh[$name]: $*" >&2; }

# alive PIDFILE COMMAND: the PID in PIDFILE runs COMMAND (guards against a recycled PID) and is not a
# zombie waiting for its reaper.
alive() {
  local pid stat
  [[ -s "$1" ]] || return 1
  pid="$(<"$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]] || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]]
}

# stop_one PIDFILE COMMAND: TERM, wait up to 5 s, then KILL; by PID only.
stop_one() {
  local pid i
  if alive "$1" "$2"; then
    pid="$(<"$1")"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 50); do
      alive "$1" "$2" || break
      sleep 0.1
    done
    if alive "$1" "$2"; then
      say "$2 ($pid) ignored TERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped $2 ($pid)"
  fi
  rm -f "$1"
}

# A throwaway CA and a certificate for localhost/127.0.0.1 that Pebble serves ACME over. Never committed
# (target/ is ignored); reused while valid for at least 30 more days.
make_certs() {
  mkdir -p "$certs"
  if [[ -s "$certs/localhost.pem" && -s "$certs/localhost.key" && -s "$ca" ]] &&
    openssl x509 -checkend $((30 * 86400)) -noout -in "$certs/localhost.pem" >/dev/null 2>&1; then
    return
  fi
  say "generating a throwaway TLS CA and a localhost certificate in $certs"
  local tmp
  tmp="$(mktemp -d)"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=Certsmith local test TLS CA (throwaway)" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$tmp/localhost.key" -out "$tmp/localhost.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$tmp/ext.cnf"
  openssl x509 -req -in "$tmp/localhost.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
    -days 365 -extfile "$tmp/ext.cnf" -out "$tmp/localhost.pem" 2>/dev/null
  chmod 600 "$tmp"/*.key
  mv "$tmp/ca.key" "$tmp/ca.pem" "$tmp/localhost.key" "$tmp/localhost.pem" "$certs/"
  rm -rf "$tmp"
}

write_config() {
  [[ -n "${CERTSMITH_PEBBLE_CONFIG:-}" ]] && return
  local eab_required=false eab_keys='{}'
  if [[ -n "${CERTSMITH_PEBBLE_EAB:-}" ]]; then
    eab_required=true
    eab_keys="$CERTSMITH_PEBBLE_EAB"
  fi
  cat >"$config" <<EOF
{
  "pebble": {
    "listenAddress": "127.0.0.1:$port",
    "managementListenAddress": "127.0.0.1:$mgmt_port",
    "certificate": "$certs/localhost.pem",
    "privateKey": "$certs/localhost.key",
    "httpPort": $http_port,
    "tlsPort": $tls_port,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": $eab_required,
    "externalAccountMACKeys": $eab_keys
  }
}
EOF
}

fail_start() {
  say "$1"
  for log in "$cts_log" "$pebble_log"; do
    [[ -s "$log" ]] && { echo "--- last lines of $log" >&2; tail -n 20 "$log" >&2; }
  done
  stop
  exit 1
}

start() {
  for cmd in pebble pebble-challtestsrv openssl curl; do
    command -v "$cmd" >/dev/null || { say "$cmd is missing: run scripts/setup.sh"; exit 1; }
  done
  mkdir -p "$dir"
  if alive "$pebble_pid" pebble || { [[ $own_cts == 1 ]] && alive "$cts_pid" pebble-challtes; }; then
    say "already running (stop it first: scripts/pebble.sh stop)"
    exit 1
  fi
  if curl -s -o /dev/null --max-time 2 -k "$directory"; then
    say "something else already answers on 127.0.0.1:$port (a Pebble started elsewhere?)"
    exit 1
  fi
  make_certs
  write_config
  # Interrupted while starting: leave nothing behind.
  trap 'stop; exit 130' INT
  trap 'stop; exit 143' TERM

  : >"$pebble_log"
  if [[ $own_cts == 1 ]]; then
    : >"$cts_log"
    pebble-challtestsrv -dns01 "127.0.0.1:$dns_port" -http01 "127.0.0.1:$http_port" -https01 "" -tlsalpn01 "" \
      -management "127.0.0.1:$cts_port" -defaultIPv4 127.0.0.1 -defaultIPv6 "" >>"$cts_log" 2>&1 &
    echo $! >"$cts_pid"
  fi
  PEBBLE_VA_NOSLEEP="${PEBBLE_VA_NOSLEEP:-1}" pebble -config "$config" -dnsserver "127.0.0.1:$dns_port" \
    >>"$pebble_log" 2>&1 &
  echo $! >"$pebble_pid"

  local i
  for i in $(seq 100); do
    [[ $own_cts != 1 ]] || alive "$cts_pid" pebble-challtes || fail_start "pebble-challtestsrv exited"
    alive "$pebble_pid" pebble || fail_start "pebble exited"
    if curl -sf -o /dev/null --max-time 2 --cacert "$ca" "$directory" &&
      curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$cts_port/"; then
      say "ready: $directory (pebble $(<"$pebble_pid")$([[ $own_cts == 1 ]] && echo ", challtestsrv $(<"$cts_pid")"); logs in $dir)"
      return
    fi
    sleep 0.2
  done
  fail_start "not ready after 20 s"
}

stop() {
  stop_one "$pebble_pid" pebble
  [[ $own_cts != 1 ]] || stop_one "$cts_pid" pebble-challtes
}

status() {
  local ok=0
  if alive "$pebble_pid" pebble; then say "pebble runs ($(<"$pebble_pid")): $directory"; else say "pebble is not running"; ok=1; fi
  if [[ $own_cts != 1 ]]; then
    say "uses the challtestsrv at http://127.0.0.1:$cts_port (not its own)"
  elif alive "$cts_pid" pebble-challtes; then
    say "challtestsrv runs ($(<"$cts_pid")): http://127.0.0.1:$cts_port"
  else
    say "challtestsrv is not running"
    ok=1
  fi
  return $ok
}

env_lines() {
  cat <<EOF
export CERTSMITH_TEST_DIRECTORY=$directory
export CERTSMITH_TEST_CA_FILE=$ca
export CERTSMITH_TEST_MGMT=https://127.0.0.1:$mgmt_port
export CERTSMITH_TEST_CHALLTESTSRV=http://127.0.0.1:$cts_port
export CERTSMITH_TEST_DNS=127.0.0.1:$dns_port
EOF
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) env_lines ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
