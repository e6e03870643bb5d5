#!/usr/bin/env bash
# test_task_wait.sh — the requester's wait loop against a `decc node` that
# runs the scheduler and worker roles on the same data directory:
# `decc process` with an app that exits 3 ends with the cause the worker
# recorded (APP_EXIT_CODE, exit code 3) and the app's stderr, not at its
# timeout; `decc task wait` says the same for that task and fetches the
# result of a good one into TASKID.zip; Ctrl-C during the wait prints the
# task id and the resume command; `decc task ls` / `decc deal ls` list
# the requester's tasks and deals (with the failure cause).
# The enclave sandbox needs root: without it the test exits 77 (SKIP),
# and fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "the enclave sandbox needs root"

export DECC_HOME="$T/home"
cd "$T"
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
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"

Z=0x0000000000000000000000000000000000000000
TAG=0x0000000000000000000000000000000000000000000000000000000000000009
# deploy_app DIR: builds, stores, registers DIR as Bob's TEE app and
# publishes a free app order; sets APP.
deploy_app() {
  check_rc "build $1" 0 "$DECC" --json app build "$1" -o "$1.tar"
  local m cid
  m=$(jget 'd["measurement"]' <<<"$out")
  check_rc "store add $1" 0 "$DECC" --json store add "$1.tar"
  cid=$(jget 'd["Hash"]' <<<"$out")
  check_rc "deploy $1" 0 "$DECC" --json app deploy --name "$1" --multiaddr "/ipfs/$cid" \
    --bundle "$1.tar" --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$m\"}" \
    --private-key-file bob.key
  APP=$(jget 'd["app"]' <<<"$out")
  echo "{\"app\":\"$APP\",\"appprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >"$1.ao.json"
  check_rc "sign $1 order" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o "$1.ao.s.json" "$1.ao.json"
  check_rc "publish $1 order" 0 "$DECC" order publish --type apporder --private-key-file bob.key --node "$U" "$1.ao.s.json"
}

"$DECC" app init good >/dev/null
"$DECC" app init bad >/dev/null
# The failing app writes a cause on stderr and exits 3.
cat >bad/run.sh <<'EOF'
#!/bin/sh
echo "reading the record"
echo "line one of the trace" >&2
echo "boom: the record has no field 'age'" >&2
exit 3
EOF
"$DECC" app init slow >/dev/null
sed -i 's/^set -eu$/set -eu\nsleep 4/' slow/run.sh
deploy_app good; GOOD=$APP
deploy_app bad; BAD=$APP
deploy_app slow; SLOW=$APP
echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
check_rc "sign pool order" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --private-key-file pool.key -o wo.s.json wo.json
check_rc "publish pool order" 0 "$DECC" order publish --type workerpoolorder --private-key-file pool.key --node "$U" wo.s.json

# order ls / publish find the market in config.json (no --node).
check_rc "order ls from config" 0 "$DECC" --json order ls --type apporder --app "$GOOD"
[ "$(jget 'd["count"]' <<<"$out")" = 1 ] && ok || ko "order ls: $out"
echo "{\"app\":\"$GOOD\",\"appprice\":\"0\",\"volume\":\"7\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >ao7.json
check_rc "sign order 7" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o ao7.s.json ao7.json
check_rc "publish from config" 0 "$DECC" order publish --type apporder --private-key-file bob.key ao7.s.json
check_rc "order ls 2" 0 "$DECC" --json order ls --type apporder --app "$GOOD"
[ "$(jget 'd["count"]' <<<"$out")" = 2 ] && ok || ko "order ls after publish: $out"

echo '{"email":"alice@example.com","score":42}' >rec.json
check_rc "protect" 0 "$DECC" --json protect rec.json --private-key-file alice.key
PD=$(jget 'd["address"]' <<<"$out")
for a in "$GOOD" "$BAD" "$SLOW"; do
  check_rc "grant" 0 "$DECC" grant "$PD" --app "$a" --user "$BOB" --uses 5 --private-key-file alice.key
done

# 1. A failing app: process ends with the recorded cause and the stderr tail
# (a 200 s timeout that, if reached, would say "still ACTIVE").
check_rc "process failing app" 1 "$DECC" process "$PD" --app "$BAD" --private-key-file bob.key --timeout 200
grep -q "APP_EXIT_CODE" "$T/err" && ok || ko "no cause: $(cat "$T/err")"
grep -q "exit code 3" "$T/err" && ok || ko "no exit code: $(cat "$T/err")"
grep -q "boom: the record has no field 'age'" "$T/err" && ok || ko "no stderr tail: $(cat "$T/err")"
grep -q "line one of the trace" "$T/err" && ok || ko "stderr tail misses a line: $(cat "$T/err")"
grep -q "still ACTIVE" "$T/err" && ko "timed out instead of ending: $(cat "$T/err")" || ok
BADTASK=$(grep -o 'task 0x[0-9a-f]\{64\} failed' "$T/err" | head -1 | cut -d' ' -f2)
[ ${#BADTASK} = 66 ] && ok || ko "no task id in the failure: $(cat "$T/err")"

# --json gives the cause as fields.
check_rc "process failing app --json" 1 "$DECC" --json process "$PD" --app "$BAD" --private-key-file bob.key --timeout 200
[ "$(jget 'd["cause"].split(":")[0]' <<<"$out")" = APP_EXIT_CODE ] && ok || ko "json cause: $out"
grep -q "boom" <<<"$(jget 'd["stderr"]' <<<"$out")" && ok || ko "json stderr: $out"

# 2. task wait on the failed task says the same, at once.
check_rc "task wait failed" 1 "$DECC" task wait "$BADTASK" --timeout 200 --private-key-file bob.key
grep -q "APP_EXIT_CODE" "$T/err" && grep -q "boom" "$T/err" && ok || ko "wait failed: $(cat "$T/err")"

# 3. A good app with --no-wait, then task wait: result named after the task.
check_rc "process no wait" 0 "$DECC" --json process "$PD" --app "$GOOD" --private-key-file bob.key --no-wait
GOODTASK=$(jget 'd["taskId"]' <<<"$out")
check_rc "task wait good" 0 "$DECC" task wait "$GOODTASK" --timeout 200 --private-key-file bob.key
[ -s "$GOODTASK.zip" ] && ok || ko "no $GOODTASK.zip: $out"
grep -q result.json <<<"$(unzip -l "$GOODTASK.zip")" && ok || ko "$GOODTASK.zip has no result.json"
check_rc "task wait good -o" 0 "$DECC" task wait "$GOODTASK" --private-key-file bob.key --path result.json -o r.json
[ "$(jget 'd["emailDomain"]' <r.json)" = example.com ] && ok || ko "result: $(cat r.json)"
check_rc "process default name" 0 "$DECC" --json process "$PD" --app "$GOOD" --private-key-file bob.key --timeout 200
T2=$(jget 'd["taskId"]' <<<"$out")
[ "$(jget 'd["result"]' <<<"$out")" = "$T2.zip" ] && [ -s "$T2.zip" ] && ok || ko "default name: $out"

# 4. Ctrl-C while waiting: the task id and how to resume; resuming works.
"$DECC" process "$PD" --app "$SLOW" --private-key-file bob.key --timeout 200 >"$T/int.out" 2>"$T/int.err" &
PP=$!
for _ in $(seq 300); do grep -q "CONSUME_TASK" "$T/int.err" && break; sleep 0.1; done
kill -INT "$PP"
set +e; wait "$PP"; rc=$?; set -e
[ "$rc" = 130 ] && ok || ko "interrupted process rc $rc: $(cat "$T/int.err")"
SLOWTASK=$(grep -o "decc task wait 0x[0-9a-f]\{64\}" "$T/int.err" | head -1 | awk '{print $4}')
[ ${#SLOWTASK} = 66 ] && ok || ko "no resume hint: $(cat "$T/int.err")"
check_rc "resume" 0 "$DECC" task wait "$SLOWTASK" --timeout 200 --private-key-file bob.key
[ -s "$SLOWTASK.zip" ] && ok || ko "resume wrote no $SLOWTASK.zip"

# 5. task ls / deal ls: Bob's requests, with the failure cause; Alice has none.
check_rc "task ls" 0 "$DECC" task ls --private-key-file bob.key
grep -q "$BADTASK  ACTIVE .*APP_EXIT_CODE" <<<"$out" && ok || ko "task ls bad: $out"
grep -q "$GOODTASK  COMPLETED" <<<"$out" && ok || ko "task ls good: $out"
check_rc "task ls --json --user" 0 "$DECC" --json task ls --user "$BOB"
[ "$(jget 'len(d)' <<<"$out")" = 5 ] && ok || ko "task count: $out"
check_rc "deal ls" 0 "$DECC" --json deal ls --user "$BOB"
[ "$(jget 'len(d)' <<<"$out")" = 5 ] && ok || ko "deal count: $out"
[ "$(jget 'd[0]["app"].lower()' <<<"$out")" = "${BAD,,}" ] && ok || ko "first deal: $out"
check_rc "deal ls alice" 0 "$DECC" deal ls --private-key-file alice.key
grep -q "no deal requested" <<<"$out" && ok || ko "alice: $out"
check_rc "deal ls bad user" 1 "$DECC" deal ls --user nosuchwallet
grep -q "no wallet 'nosuchwallet'" "$T/err" && ok || ko "bad user: $(cat "$T/err")"

# 6. A requester on another machine: its own data directory, chain, market,
# SMS and store all reached through the node (no worker state locally). The
# failure cause comes from the node's workerpool API (GET /tasks/{id}).
mkdir -p "$T/rhome"
echo "{\"chain\":\"$U\",\"market\":\"$U\",\"sms\":\"$U\",\"ipfs\":\"$U\"}" >"$T/rhome/config.json"
DP=$(jget 'd["contracts"]["dataProtector"]' <<<"$("$DECC" --json chain info)")
check_rc "remote requester failing app" 1 env DECC_HOME="$T/rhome" "$DECC" --dataprotector "$DP" process "$PD" --app "$BAD" --private-key-file bob.key --timeout 200
grep -q "APP_EXIT_CODE" "$T/err" && ok || ko "remote requester: no cause: $(cat "$T/err")"
grep -q "still ACTIVE" "$T/err" && ko "remote requester timed out instead of ending: $(cat "$T/err")" || ok

finish
