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
. "$(dirname "$0")/lib.sh"

export DECC_HOME="$T/home"
start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" --log_requests false
U=$NODE_URL

cd "$T"
echo pw >pw
check_rc "wallet alice" 0 "$DECC" wallet create --name alice --password-file pw --scrypt-n 1024
check_rc "wallet bob" 0 "$DECC" wallet create --name bob --password-file pw --scrypt-n 1024
BOB=$("$DECC" --json wallet list | jget '[w["address"] for w in d["wallets"] if w["path"].endswith("bob.json")][0]')
echo "{\"wallet\":\"alice\",\"passwordFile\":\"$T/pw\",\"sms\":\"$U\",\"market\":\"$U\",\"ipfs\":\"$U\"}" \
  >"$DECC_HOME/config.json"

echo '{"email":"alice@example.com","score":42}' >rec.json
check_rc "protect" 0 "$DECC" --json protect rec.json
PD=$(jget 'd["address"]' <<<"$out")
# The key is in the node's SMS (HEAD answers 204).
check_rc "sms has the key" 0 curl -s -o /dev/null -w '%{http_code}' -I "$U/secrets/web3?secretAddress=$PD"
[ "$out" = 204 ] && ok || ko "HEAD web3 secret: $out"

check_rc "app init" 0 "$DECC" app init app1
check_rc "app build" 0 "$DECC" --json app build app1 -o app1.tar
M=$(jget 'd["measurement"]' <<<"$out")
check_rc "store add" 0 "$DECC" --json store add app1.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check_rc "app deploy" 0 "$DECC" --json app deploy --name app1 --multiaddr "/ipfs/$CID" \
  --bundle app1.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}" \
  --keystore "$DECC_HOME/wallets/bob.json" --password-file pw
APP=$(jget 'd["app"]' <<<"$out")

check_rc "grant" 0 "$DECC" --json grant "$PD" --app "$APP" --user "$BOB" --uses 2 --price 0.5
HASH=$(jget 'd["orderHash"]' <<<"$out")
check_rc "market lists it" 0 curl -s "$U/datasetorders?chainId=31337&dataset=$PD&app=any&requester=any&workerpool=any"
has "market lists it" "$HASH"
check_rc "grant duplicate" 1 "$DECC" grant "$PD" --app "$APP" --user "$BOB"
has "grant duplicate" "revoke it first"
check_rc "grants" 0 "$DECC" --json grants "$PD"
[ "$(jget 'd["count"]' <<<"$out")" = 1 ] && ok || ko "grants: $out"
check_rc "grants --all remote" 1 "$DECC" grants "$PD" --all
has "grants --all remote" "open orders only"
check_rc "revoke" 0 "$DECC" revoke "$HASH"
# The node's market follows the Closed order from the chain.
gone=0
for _ in $(seq 50); do
  c=$("$DECC" --json grants "$PD" | jget 'd["count"]')
  [ "$c" = 0 ] && { gone=1; break; }
  sleep 0.1
done
[ "$gone" = 1 ] && ok || ko "the node's market still lists the revoked grant"

finish
