#!/usr/bin/env bash
# test_worker_restart.sh — restart safety of a remote worker under kill -9.
# A main node (chain, store, market, sms), a scheduler (`decc scheduler
# run`) and a worker (`decc worker run`), each its own process and data
# directory, reaching each other by URL. Kill points:
#  (1) the worker killed with SIGKILL while idle; the scheduler initializes
#      the next task while no worker runs; the worker restarts;
#  (2) the worker killed in the middle of the enclave run of a slow app (it
#      sleeps 4 s; the kill lands while its `sleep` runs) and restarted on
#      the same data directory;
#  (3) the scheduler and the worker both killed during a run, restarted.
# Each task must end COMPLETED with its decrypted result, each with one
# contribution (this worker's), and the worker's nonce must equal the
# number of tasks: one contributeAndFinalize each, no duplicate, no
# reverted retry.
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
WORKER=$(addr 4)
start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" \
  --roles chain,store,market,sms --sms_trusted_platforms "$PLAT" --log_requests false
U=$NODE_URL
# The scheduler (decc scheduler run) on a port that stays the same across
# its restarts, and the worker node: each its own data directory,
# everything else by URL.
SPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
S="http://127.0.0.1:$SPORT"
start_scheduler() {
  "$DECC" scheduler run --home "$T/shome" --port "$SPORT" --chain_url "$U" --sms_url "$U" \
    --workerpool "$WP" --scheduler_key_file "$T/pool.key" --scheduler_workers "$WORKER" \
    --workerpool_poll_ms 100 --log_requests false >>"$T/snode.log" 2>&1 &
  SNODE_PID=$!
  on_exit "stop_pid $SNODE_PID"
  for _ in $(seq 50); do curl -sf "$S/health" >/dev/null && break; sleep 0.1; done
  curl -sf "$S/health" >/dev/null || { echo "scheduler did not start: $(cat "$T/snode.log")"; exit 1; }
}
kill9_scheduler() { signal_pid 9 "$SNODE_PID" || true; }
start_scheduler
start_worker() {
  rm -f "$T/wport"
  start_node "$T/wport" "$T/wnode.log" worker run --home "$T/whome" --port 0 --port-file "$T/wport" \
    --chain_url "$U" --sms_url "$U" --store_url "$U" --scheduler_url "$S" \
    --worker_key_file "$T/worker.key" --platform_key_file "$T/plat.key" \
    --workerpool_poll_ms 100 --log_requests false
  WNODE_PID=$NODE_LAST_PID
}
kill9_worker() { signal_pid 9 "$WNODE_PID" || true; }
start_worker
# app_sleep PID: prints the pid of a `sleep` process below PID (the slow
# app's, inside the worker's enclave run); fails if there is none.
app_sleep() {
  local c s
  for c in $(pgrep -P "$1" 2>/dev/null); do
    [ "$(cat "/proc/$c/comm" 2>/dev/null)" = sleep ] && { echo "$c"; return 0; }
    s=$(app_sleep "$c") && { echo "$s"; return 0; }
  done
  return 1
}
# wait_app_sleep: waits (60 s at most) until the slow app sleeps in the
# worker's enclave run, i.e. the run has begun.
wait_app_sleep() {
  SLEEPER=
  for _ in $(seq 600); do SLEEPER=$(app_sleep "$WNODE_PID") && break; sleep 0.1; done
  [ -n "$SLEEPER" ]
}

echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"

# The sample app, made slow on request (first argument "slow"): 4 s, a
# window the kill cannot miss since it is sent as soon as the `sleep` runs.
check_rc "app init" 0 "$DECC" app init app1
sed -i 's|^set -eu$|set -eu\n[ "${1:-}" = slow ] \&\& sleep 4|' app1/run.sh
grep -q "sleep 4" app1/run.sh && ok || ko "app not patched"
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
echo "{\"app\":\"$APP\",\"appprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >ao.json
echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
check_rc "sign app order" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o ao.s.json ao.json
check_rc "publish app order" 0 "$DECC" order publish --type apporder --private-key-file bob.key --node "$U" ao.s.json
check_rc "sign pool order" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --private-key-file pool.key -o wo.s.json wo.json
check_rc "publish pool order" 0 "$DECC" order publish --type workerpoolorder --private-key-file pool.key --node "$U" wo.s.json
echo '{"email":"alice@example.com","score":42}' >rec.json
check_rc "protect" 0 "$DECC" --json protect rec.json --private-key-file alice.key
PD=$(jget 'd["address"]' <<<"$out")
check_rc "grant" 0 "$DECC" grant "$PD" --app "$APP" --user "$BOB" --uses 10 --price 0 --private-key-file alice.key

submit() { # submit ARGS → task id in $TASK
  check_rc "process --no-wait $1" 0 "$DECC" --json process "$PD" --app "$APP" --app-max-price 0 \
    --data-max-price 0 --workerpool-max-price 0 --private-key-file bob.key --no-wait --args "$1"
  TASK=$(jget 'd["taskId"]' <<<"$out")
}
status() { "$DECC" --json task show "$1" 2>/dev/null | jget 'd["status"]' 2>/dev/null || echo "?"; }
wait_status() { # wait_status TASK STATUS SECONDS
  for _ in $(seq $(($3 * 10))); do [ "$(status "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}

# (1) Killed while idle; the scheduler initializes the task meanwhile.
kill9_worker
submit fast
T1=$TASK
wait_status "$T1" ACTIVE 20 && ok || ko "task 1 not initialized: $(status "$T1")"
start_worker
wait_status "$T1" COMPLETED 60 && ok || ko "task 1 after restart: $(status "$T1") $(tail -5 "$T/wnode.log")"

# (2) Killed during the enclave run: as soon as the app's `sleep` runs.
submit slow
T2=$TASK
for _ in $(seq 200); do [ "$(grep -c "→ worker" "$T/snode.log")" = 2 ] && break; sleep 0.1; done
[ "$(grep -c "→ worker" "$T/snode.log")" = 2 ] && ok || ko "task 2 never assigned: $(cat "$T/snode.log")"
wait_app_sleep && ok || ko "task 2's app never ran: $(tail -5 "$T/wnode.log")"
kill9_worker
[ "$(status "$T2")" = ACTIVE ] && ok || ko "task 2 not running when killed: $(status "$T2")"
start_worker
wait_status "$T2" COMPLETED 60 && ok || ko "task 2 after restart: $(status "$T2") $(tail -5 "$T/wnode.log")"
grep -q "interrupted; running it again" "$T/wnode.log" && ok || ko "no resume: $(cat "$T/wnode.log")"

# (3) The scheduler killed while the worker runs a slow task, restarted on
# its data directory; the worker is killed too, before it finishes.
submit slow
T3=$TASK
for _ in $(seq 200); do [ "$(grep -c "→ worker" "$T/snode.log")" = 3 ] && break; sleep 0.1; done
[ "$(grep -c "→ worker" "$T/snode.log")" = 3 ] && ok || ko "task 3 never assigned: $(cat "$T/snode.log")"
wait_app_sleep && ok || ko "task 3's app never ran: $(tail -5 "$T/wnode.log")"
kill9_scheduler
kill9_worker
[ "$(status "$T3")" = ACTIVE ] && ok || ko "task 3 not running when killed: $(status "$T3")"
start_scheduler
start_worker
wait_status "$T3" COMPLETED 60 && ok || ko "task 3 after restarts: $(status "$T3") $(tail -5 "$T/wnode.log") $(tail -5 "$T/snode.log")"
[ "$(grep -c "interrupted; running it again" "$T/wnode.log")" = 2 ] && ok || ko "task 3 not resumed: $(cat "$T/wnode.log")"

# Results decrypt (the requester's key) and carry the right arguments.
for t in "$T1:fast" "$T2:slow" "$T3:slow"; do
  check_rc "result get ${t#*:}" 0 "$DECC" result get "${t%%:*}" --private-key-file bob.key -o "r-${t#*:}.zip"
  unzip -p "r-${t#*:}.zip" result.json >"r-${t#*:}.json" 2>/dev/null || true
  [ "$(jget 'd["args"]' <"r-${t#*:}.json" 2>/dev/null)" = "${t#*:}" ] && ok || ko "result ${t#*:}: $(cat "r-${t#*:}.json" 2>/dev/null)"
done

# Exactly one transaction of the worker per task on the whole chain: its
# nonce counts every transaction it ever sent (mined, reverted or not), and
# each task has exactly one contribution, by this worker.
n=$(curl -s -H 'Content-Type: application/json' \
  -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getTransactionCount\",\"params\":[\"$WORKER\",\"latest\"]}" \
  "$U/rpc" | jget 'int(d["result"],16)')
[ "$n" = 3 ] && ok || ko "the worker sent $n transactions for 3 tasks"
for t in "$T1" "$T2" "$T3"; do
  check_rc "task show" 0 "$DECC" --json task show "$t"
  echo "$out" >"$T/show.json"
  [ "$(jget '",".join(a.lower() for a in d["contributors"])' <"$T/show.json")" = "${WORKER,,}" ] \
    && ok || ko "contributions of $t: $out"
done

finish
