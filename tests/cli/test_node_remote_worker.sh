#!/usr/bin/env bash
# test_node_remote_worker.sh — a two-node deployment on 127.0.0.1: a main
# node (chain, store, market, sms, scheduler) and a worker-only node with
# its own data directory that reaches the main node's chain, SMS, store and
# scheduler by URL (the scheduler's signed HTTP API). Bob runs `decc
# process` against the main node; the remote worker runs the task in its
# software enclave and the decrypted result comes back. Also checks the
# scheduler API's authentication: unsigned, badly signed, replayed and
# not-allowed requests are refused. The worker node runs as `decc worker run`.
# The enclave sandbox needs root: without it the test says SKIP.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "the enclave sandbox needs root"

export DECC_HOME="$T/home"
cd "$T"
# Dev accounts: 1 Alice, 2 Bob, 3 the pool operator, 4 its worker.
dev_keys
key 1 >alice.key; key 2 >bob.key; key 3 >pool.key; key 4 >worker.key; key 5 >prober.key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' >plat.key
chmod 600 ./*.key
BOB=$(addr 2)
PLAT=$("$DECC" wallet address --private-key-file plat.key | grep -o '0x[0-9a-fA-F]\{40\}')
HUB=$("$DECC" --json chain info | jget 'd["contracts"]["hub"] if "contracts" in d else d["hub"]')
check_rc "workerpool deploy" 0 "$DECC" --json workerpool deploy --description pool --private-key-file pool.key
WP=$(jget 'd["workerpool"]' <<<"$out")
WORKER=$(addr 4)
# A second listed worker signs the hand-made requests below: the scheduler
# keeps one last-accepted timestamp per worker, so hand-made requests in
# the name of the running worker would make its own polls look replayed
# (or be refused as replays of them) depending on timing.
PROBER=$(addr 5)
start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" \
  --roles chain,store,market,sms,scheduler \
  --workerpool "$WP" --scheduler_key_file "$T/pool.key" \
  --sms_trusted_platforms "$PLAT" --scheduler_workers "$WORKER,$PROBER" --log_requests false
U=$NODE_URL
# The worker node: its own data directory, everything else by URL.
# (decc worker run = decc node --roles worker)
start_node "$T/wport" "$T/wnode.log" worker run --home "$T/whome" --port 0 --port-file "$T/wport" \
  --chain_url "$U" --sms_url "$U" --store_url "$U" --scheduler_url "$U" \
  --worker_key_file "$T/worker.key" --platform_key_file "$T/plat.key" \
  --workerpool_poll_ms 100 --log_requests false
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"

check_rc "worker run --help" 0 "$DECC" worker run --help
check_rc "scheduler run --help" 0 "$DECC" scheduler --help
check_rc "worker run --roles refused" 2 "$DECC" worker run --roles all
check_rc "worker without scheduler" 1 "$DECC" worker run --home "$T/x" --chain-url "$U" --sms-url "$U" \
  --store-url "$U" --worker-key-file "$T/worker.key" --platform-key-file "$T/plat.key"
grep -q "scheduler_url" "$T/err" && ok || ko "no scheduler: $(cat "$T/err")"

# Scheduler API authentication.
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
[ "$(code -X POST -d '{}' "$U/scheduler/replicates/available")" = 401 ] && ok || ko "unsigned: $(cat "$T/body")"
TS=$(( $(date +%s) * 1000 + 5000 ))
[ "$(code -X POST -d '{}' -H "X-Decc-Worker: $WORKER" -H "X-Decc-Timestamp: $TS" \
  -H "X-Decc-Signature: 0x$(printf '11%.0s' $(seq 65))" "$U/scheduler/replicates/available")" = 401 ] \
  && ok || ko "bad signature: $(cat "$T/body")"
# A correctly signed request (docs/api/http.md, "Scheduler"), made by hand:
# keccak256("DECC-SCHEDULER-V1" 0 method 0 path 0 worker ts(8) keccak(body)).
hexs() { printf '%s' "$1" | od -v -An -tx1 | tr -d ' \n'; }
signed() { # signed KEYFILE ADDR TS PATH BODY → curl args in $T/hdr
  local bh msg dg sig
  bh=$("$DECC" util keccak256 --text "$5")
  local a=${2#0x}
  msg="0x$(hexs DECC-SCHEDULER-V1)00$(hexs POST)00$(hexs "$4")00${a,,}$(printf '%016x' "$3")${bh#0x}"
  dg=$("$DECC" util keccak256 --hex "$msg")
  sig=$("$DECC" wallet sign-message --private-key-file "$1" --hash "$dg")
  printf '%s\n' "X-Decc-Worker: $2" "X-Decc-Timestamp: $3" "X-Decc-Signature: $sig" >"$T/hdr"
}
hdr() { local a=(); while IFS= read -r l; do a+=(-H "$l"); done <"$T/hdr"; printf '%s\0' "${a[@]}"; }
post_signed() { # post_signed PATH BODY
  local args=(); while IFS= read -r -d '' x; do args+=("$x"); done < <(hdr)
  code -X POST "${args[@]}" -H 'Content-Type: application/json' --data-binary "$2" "$U$1"
}
TS=$(( $(date +%s%3N) + 1000 ))
# A worker the pool owner did not list (Alice's key) is refused.
signed alice.key "$(addr 1)" "$TS" /scheduler/replicates/available '{}'
[ "$(post_signed /scheduler/replicates/available '{}')" = 403 ] && ok || ko "not allowed: $(cat "$T/body")"
# A listed worker's signed request is served (no task yet: 204), and
# the same request replayed is refused; so is a body it did not sign.
TS=$((TS + 1))
signed prober.key "$PROBER" "$TS" /scheduler/replicates/available '{}'
r=$(post_signed /scheduler/replicates/available '{}')
[ "$r" = 204 ] || [ "$r" = 200 ] && ok || ko "signed: $r $(cat "$T/body")"
[ "$(post_signed /scheduler/replicates/available '{}')" = 401 ] && grep -q replayed "$T/body" \
  && ok || ko "replay: $(cat "$T/body")"
TS=$((TS + 1))
signed prober.key "$PROBER" "$TS" /scheduler/replicates/available '{}'
[ "$(post_signed /scheduler/replicates/available '{"x":1}')" = 401 ] && ok || ko "other body: $(cat "$T/body")"
# An old timestamp (outside the window) is refused.
TS=$(( $(date +%s%3N) - 600000 ))
signed prober.key "$PROBER" "$TS" /scheduler/replicates/available '{}'
[ "$(post_signed /scheduler/replicates/available '{}')" = 401 ] && grep -q stale "$T/body" \
  && ok || ko "stale: $(cat "$T/body")"
# A report on a task the worker was never given.
TS=$(( $(date +%s%3N) + 2000 ))
P=/scheduler/replicates/0x$(printf '22%.0s' $(seq 32))/status
signed prober.key "$PROBER" "$TS" "$P" '{"kind":"COMPLETED"}'
[ "$(post_signed "$P" '{"kind":"COMPLETED"}')" = 404 ] && ok || ko "unknown task: $(cat "$T/body")"

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

# The task ran on the worker node, not on the main node.
grep -q "tasks from the scheduler at $U" "$T/wnode.log" && ok || ko "worker log: $(cat "$T/wnode.log")"
[ -d "$T/whome/worker" ] && ok || ko "no worker state on the worker node"
[ ! -e "$DECC_HOME/worker/state.sqlite" ] && ok || ko "main node ran a worker"

finish
