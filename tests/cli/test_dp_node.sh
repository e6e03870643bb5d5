#!/usr/bin/env bash
# test_dp_node.sh — `decc process` end to end against a `decc node` that
# runs the scheduler and worker roles on the same data directory: app and
# workerpool orders published on the node's market (`decc order publish`),
# Alice protects and grants with the CLI, Bob runs `decc process`, which
# waits for the node's worker (software enclave) and prints the decrypted
# result entry; the grant then has one use less, a second app is refused,
# and Bob's account paid exactly app + data + workerpool prices.
# The enclave sandbox needs root: without it the test says SKIP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "the enclave sandbox needs root"

export DECC_HOME="$T/home"
cd "$T"
# Dev accounts: 1 Alice, 2 Bob, 3 the pool operator, 4 its worker.
dev_keys
key 1 >alice.key; key 2 >bob.key; key 3 >pool.key; key 4 >worker.key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' >plat.key
chmod 600 ./*.key
BOB=$(addr 2)
PLAT=$("$DECC" wallet address --private-key-file plat.key | grep -o '0x[0-9a-fA-F]\{40\}')
HUB=$("$DECC" --json chain info | jget 'd["contracts"]["hub"] if "contracts" in d else d["hub"]')
check_rc "workerpool deploy" 0 "$DECC" --json workerpool deploy --description pool --private-key-file pool.key
WP=$(jget 'd["workerpool"]' <<<"$out")
start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" --roles all \
  --workerpool "$WP" --scheduler_key_file "$T/pool.key" --worker_key_file "$T/worker.key" \
  --platform_key_file "$T/plat.key" --sms_trusted_platforms "$PLAT" --log_requests false
U=$NODE_URL
# With a node serving the data directory, the orderbook has one writer: the
# node (its chain watcher applies OrdersMatched); the CLI uses its market.
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"

# Bob's TEE app and its order; the pool's order.
check_rc "app init" 0 "$DECC" app init app1
check_rc "app build" 0 "$DECC" --json app build app1 -o app1.tar
M=$(jget 'd["measurement"]' <<<"$out")
check_rc "store add" 0 "$DECC" --json store add app1.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check_rc "app deploy" 0 "$DECC" --json app deploy --name app1 --multiaddr "/ipfs/$CID" \
  --bundle app1.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}" \
  --private-key-file bob.key
APP=$(jget 'd["app"]' <<<"$out")
Z=0x0000000000000000000000000000000000000000
TAG=0x0000000000000000000000000000000000000000000000000000000000000009
echo "{\"app\":\"$APP\",\"appprice\":\"1000000000\",\"volume\":\"100\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >ao.json
echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"500000000\",\"volume\":\"100\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
check_rc "sign app order" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o ao.s.json ao.json
check_rc "publish app order" 0 "$DECC" order publish --type apporder --private-key-file bob.key --node "$U" ao.s.json
check_rc "sign pool order" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --private-key-file pool.key -o wo.s.json wo.json
check_rc "publish pool order" 0 "$DECC" order publish --type workerpoolorder --private-key-file pool.key --node "$U" wo.s.json

echo '{"email":"alice@example.com","score":42}' >rec.json
check_rc "protect" 0 "$DECC" --json protect rec.json --private-key-file alice.key
PD=$(jget 'd["address"]' <<<"$out")
check_rc "grant" 0 "$DECC" grant "$PD" --app "$APP" --user "$BOB" --uses 3 --price 2RLC --private-key-file alice.key
check_rc "balance before" 0 "$DECC" --json account balance "$BOB"
before=$(jget 'int(d["stake"])' <<<"$out")

check_rc "process" 0 "$DECC" process "$PD" --app "$APP" --app-max-price 1RLC --data-max-price 2RLC \
  --workerpool-max-price 0.5 --private-key-file bob.key --path result.json --timeout 120 --args hello
[ "$(jget 'd["emailDomain"]' <<<"$out")" = example.com ] && ok || ko "result: $out"
[ "$(jget 'd["args"]' <<<"$out")" = hello ] && ok || ko "args: $out"
grep -q "CONSUME_RESULT_DECRYPT" "$T/err" && ok || ko "no decrypt step: $(cat "$T/err")"
check_rc "process to a file" 0 "$DECC" --json process "$PD" --app "$APP" --app-max-price 1RLC \
  --data-max-price 2RLC --workerpool-max-price 0.5 --private-key-file bob.key -o r.zip
[ "$(jget 'd["status"]' <<<"$out")" = COMPLETED ] && ok || ko "json: $out"
grep -q result.json <<<"$(unzip -l r.zip)" && ok || ko "r.zip has no result.json"

# The node's market learns about matches from its chain watcher, which polls:
# give it a few rounds before reading the remaining uses.
for _ in $(seq 50); do
  out=$("$DECC" --json grants "$PD" --user "$BOB" --strict 2>/dev/null || true)
  [ "$(jget 'd["grantedAccess"][0]["remainingAccess"]' <<<"$out" 2>/dev/null)" = 1 ] && break
  sleep 0.2
done
check_rc "grants" 0 "$DECC" --json grants "$PD" --user "$BOB" --strict
[ "$(jget 'd["grantedAccess"][0]["remainingAccess"]' <<<"$out")" = 1 ] && ok || ko "remaining: $out"
check_rc "balance after" 0 "$DECC" --json account balance "$BOB"
after=$(jget 'int(d["stake"])' <<<"$out")
# Bob paid 2 × 3.5 RLC and, as the app owner, got 2 × 1 RLC back.
[ $((before - after)) = 5000000000 ] && ok || ko "Bob paid $((before - after)) nRLC"

check_rc "no wait" 0 "$DECC" --json process "$PD" --app "$APP" --app-max-price 1RLC \
  --data-max-price 2RLC --workerpool-max-price 0.5 --private-key-file bob.key --no-wait
[ "$(jget 'len(d["taskId"])' <<<"$out")" = 66 ] && ok || ko "no-wait: $out"
# Three uses granted, three consumed: the grant is exhausted.
check_rc "exhausted" 1 "$DECC" process "$PD" --app "$APP" --app-max-price 1RLC --data-max-price 2RLC \
  --workerpool-max-price 0.5 --private-key-file bob.key
grep -q "access not granted or exhausted" "$T/err" && ok || ko "exhausted: $(cat "$T/err")"

finish
