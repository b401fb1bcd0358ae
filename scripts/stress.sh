#!/usr/bin/env bash
# N native issuances through a fault-injecting proxy (scripts/fault-proxy.py) in front of Pebble, each for
# its own name, driven from saved state (examples/stress.rs). Fails unless every issuance ends with a
# certificate that verifies against Pebble's root and matches its key (none lost) and no issuance got a
# second certificate (none duplicated). Run under scripts/with-pebble.sh; `make stress` does, with
# PEBBLE_WFE_NONCEREJECT=50.
#
#   CERTSMITH_STRESS_N           issuances (default 200)
#   CERTSMITH_STRESS_JOBS        issuances at a time (default 4; most of the time is spent waiting)
#   CERTSMITH_STRESS_FAULT_RATE  share of requests the proxy spoils (default 0.2)
#   CERTSMITH_STRESS_SEED        the proxy's random seed (default: the time; printed)
#   CERTSMITH_STRESS_PROXY_PORT  (default 14443)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
: "${CERTSMITH_TEST_DIRECTORY:?run under scripts/with-pebble.sh}"
n="${CERTSMITH_STRESS_N:-200}"
jobs="${CERTSMITH_STRESS_JOBS:-4}"
rate="${CERTSMITH_STRESS_FAULT_RATE:-0.2}"
seed="${CERTSMITH_STRESS_SEED:-$(date +%s)}"
port="${CERTSMITH_STRESS_PROXY_PORT:-14443}"
certs="$(dirname "$CERTSMITH_TEST_CA_FILE")"
upstream="${CERTSMITH_TEST_DIRECTORY%/dir}"
out="$root/target/stress"
pebble_log="$root/target/pebble/pebble.log"
rm -rf "$out"
mkdir -p "$out"
started=$(date +%s)

cargo build --quiet --example stress
curl -fsS --cacert "$CERTSMITH_TEST_CA_FILE" "$CERTSMITH_TEST_MGMT/roots/0" >"$out/root.pem"

python3 scripts/fault-proxy.py --listen "127.0.0.1:$port" --upstream "$upstream" \
  --cert "$certs/localhost.pem" --key "$certs/localhost.key" --ca "$CERTSMITH_TEST_CA_FILE" \
  --rate "$rate" --seed "$seed" --report "$out/proxy.json" 2>"$out/proxy.log" &
proxy=$!
stop_proxy() {
  if [[ -n "${proxy:-}" ]] && kill -0 "$proxy" 2>/dev/null; then
    kill -TERM "$proxy" 2>/dev/null || true
    wait "$proxy" 2>/dev/null || true
  fi
  proxy=
}
trap stop_proxy EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

echo "stress: $n issuances, $jobs at a time, through https://127.0.0.1:$port (fault rate $rate, seed $seed)," \
  "Pebble rejecting ${PEBBLE_WFE_NONCEREJECT:-?}% of nonces"
status=0
target/debug/examples/stress --directory "https://127.0.0.1:$port/dir" --ca-file "$CERTSMITH_TEST_CA_FILE" \
  --challtestsrv "$CERTSMITH_TEST_CHALLTESTSRV" --out "$out" --count "$n" --jobs "$jobs" \
  2>"$out/driver.log" || status=$?
stop_proxy
cat "$out/proxy.log" >&2

# Every certificate: chain to Pebble's root, key match, and the issuance's own name.
: >"$out/verified"
for dir in "$out"/[0-9][0-9][0-9]; do
  name="i$(basename "$dir").stress.test"
  [[ -s "$dir/cert.pem" ]] || continue
  if openssl verify -CAfile "$out/root.pem" -untrusted "$dir/chain.pem" "$dir/cert.pem" >/dev/null 2>&1 &&
    cmp -s <(openssl pkey -in "$dir/privkey.pem" -pubout) <(openssl x509 -in "$dir/cert.pem" -noout -pubkey) &&
    openssl x509 -in "$dir/cert.pem" -noout -ext subjectAltName | grep -q "DNS:$name\$"; then
    echo "$name" >>"$out/verified"
  else
    echo "stress: $dir: the certificate does not verify, match its key or name $name" >&2
  fi
done

python3 - "$out" "$n" "$pebble_log" "$(($(date +%s) - started))" <<'EOF' || status=1
import collections, json, re, sys
out, n, pebble_log, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
results = json.load(open(f"{out}/results.json"))["issuances"]
proxy = json.load(open(f"{out}/proxy.json"))
verified = set(open(f"{out}/verified").read().split())
names = {r["name"] for r in results}
issued = sum(1 for r in results if r["ok"] and r["name"] in verified)
lost = n - issued
# Certificates per name, two ways: finalize calls Pebble accepted (seen by the proxy, even when it then
# dropped the reply), and Pebble's own log ("Issued certificate serial S for order O").
orders_of = proxy["orders"]
certs_proxy = collections.Counter()
for oid, k in proxy["finalized"].items():
    for name in orders_of.get(oid, ["?"]):
        certs_proxy[name] += k
certs_log = collections.Counter()
try:
    for m in re.finditer(r"Issued certificate serial \S+ for order (\S+)", open(pebble_log).read()):
        for name in orders_of.get(m.group(1), ["?"]):
            certs_log[name] += 1
except OSError:
    pass
dups = sorted(x for x in names | set(certs_proxy) | set(certs_log)
              if max(certs_proxy[x], certs_log[x]) > 1 or x == "?")
orders = collections.Counter(x for v in orders_of.values() for x in v)
orphans = sum(c - 1 for x, c in orders.items() if c > 1)
fk = proxy["faultsByKind"]
faults = ", ".join(f"{k}={fk.get(k, 0)}" for k in
                   ["reset", "500", "503", "delay", "truncated", "dropped-after-acting"])
resumes = sum(r["resumes"] for r in results)
read_backs = sum(r["readBacks"] for r in results)
print(f"stress: {issued} issued, {lost} lost, {len(dups)} duplicated; faults: {faults}; "
      f"resumes from saved state: {resumes}; read-backs after a lost or failed reply: {read_backs}; "
      f"orphaned orders (a lost newOrder reply; pending, never finalized): {orphans}; "
      f"{proxy['requests']} requests through the proxy; certificates in Pebble's log: {sum(certs_log.values())}; "
      f"{seconds} s")
for r in results:
    if not (r["ok"] and r["name"] in verified):
        print(f"stress: LOST {r['name']}: {r.get('error') or 'certificate did not verify'}", file=sys.stderr)
for x in dups:
    print(f"stress: DUPLICATED {x}: {certs_proxy[x]} finalized (proxy), {certs_log[x]} issued (Pebble log)",
          file=sys.stderr)
sys.exit(1 if lost or dups else 0)
EOF
if [[ $status != 0 ]]; then
  echo "stress: FAILED (driver log: $out/driver.log)" >&2
  grep -E "LOST|FAILED|panicked" "$out/driver.log" | head -20 >&2 || true
fi
exit "$status"
