#!/usr/bin/env bash
# test_dp_remote.sh — the DataProtector commands with their SMS, market and
# store taken from a running `decc node` (config keys "sms", "market",
# "ipfs"): protect pushes the key to the node's SMS over HTTP and uploads
# through its Kubo routes; grant logs into the node's market (EIP-712
# challenge) and publishes; grants queries it; revoke closes the order
# on-chain and the node's watcher marks it canceled.
# The chain stays the embedded ledger of the node's data directory, shared
# by both processes (the JSON-RPC route is not used here).
set -euo pipefail
DECC=${DECC:?DECC must point to the decc binary}
T=$(mktemp -d)
NODE_PID=
cleanup() {
  if [ -n "$NODE_PID" ]; then kill "$NODE_PID" 2>/dev/null || true; wait "$NODE_PID" 2>/dev/null || true; fi
  rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() {
  local name=$1 want=$2
  shift 2
  set +e
  out=$("$@" 2>&1)
  local rc=$?
  set -e
  if [ "$rc" = "$want" ]; then ok; else ko "$name: rc $rc (want $want): $out"; fi
}
has() { if grep -q -- "$2" <<<"$out"; then ok; else ko "$1: no '$2' in: $out"; fi; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

export DECC_HOME="$T/home"
"$DECC" node --home "$DECC_HOME" --port 0 --port-file "$T/port" --log_requests false \
  >"$T/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || { echo "node did not start: $(cat "$T/node.log")"; exit 1; }
U="http://127.0.0.1:$(cat "$T/port")"

cd "$T"
echo pw >pw
check "wallet alice" 0 "$DECC" wallet create --name alice --password-file pw --scrypt-n 1024
check "wallet bob" 0 "$DECC" wallet create --name bob --password-file pw --scrypt-n 1024
BOB=$("$DECC" --json wallet list | jget '[w["address"] for w in d["wallets"] if w["path"].endswith("bob.json")][0]')
echo "{\"wallet\":\"alice\",\"passwordFile\":\"$T/pw\",\"sms\":\"$U\",\"market\":\"$U\",\"ipfs\":\"$U\"}" \
  >"$DECC_HOME/config.json"

echo '{"email":"alice@example.com","score":42}' >rec.json
check "protect" 0 "$DECC" --json protect rec.json
PD=$(jget 'd["address"]' <<<"$out")
# The key is in the node's SMS (HEAD answers 204).
check "sms has the key" 0 curl -s -o /dev/null -w '%{http_code}' -I "$U/secrets/web3?secretAddress=$PD"
[ "$out" = 204 ] && ok || ko "HEAD web3 secret: $out"

check "app init" 0 "$DECC" app init app1
check "app build" 0 "$DECC" --json app build app1 -o app1.tar
M=$(jget 'd["measurement"]' <<<"$out")
check "store add" 0 "$DECC" --json store add app1.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check "app deploy" 0 "$DECC" --json app deploy --name app1 --multiaddr "/ipfs/$CID" \
  --bundle app1.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}" \
  --keystore "$DECC_HOME/wallets/bob.json" --password-file pw
APP=$(jget 'd["app"]' <<<"$out")

check "grant" 0 "$DECC" --json grant "$PD" --app "$APP" --user "$BOB" --uses 2 --price 0.5
HASH=$(jget 'd["orderHash"]' <<<"$out")
check "market lists it" 0 curl -s "$U/datasetorders?chainId=31337&dataset=$PD&app=any&requester=any&workerpool=any"
has "market lists it" "$HASH"
check "grant duplicate" 1 "$DECC" grant "$PD" --app "$APP" --user "$BOB"
has "grant duplicate" "revoke it first"
check "grants" 0 "$DECC" --json grants "$PD"
[ "$(jget 'd["count"]' <<<"$out")" = 1 ] && ok || ko "grants: $out"
check "grants --all remote" 1 "$DECC" grants "$PD" --all
has "grants --all remote" "open orders only"
check "revoke" 0 "$DECC" revoke "$HASH"
# The node's market follows the Closed order from the chain.
gone=0
for _ in $(seq 50); do
  c=$("$DECC" --json grants "$PD" | jget 'd["count"]')
  [ "$c" = 0 ] && { gone=1; break; }
  sleep 0.1
done
[ "$gone" = 1 ] && ok || ko "the node's market still lists the revoked grant"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
