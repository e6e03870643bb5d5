#!/usr/bin/env bash
# test_task_logs.sh — `decc task logs TASK`: the app's stdout / stderr for
# the task's requester only. A `decc node` with every role runs a task
# whose app writes on both streams; then
#   - in the node's data directory (its worker ran the task): the requester
#     sees both streams and the exit code; another wallet is refused;
#   - from another data directory (the chain and the node over HTTP): the
#     CLI finds the workerpool API through the node's compass route, signs
#     its challenge, and gets the same logs; another wallet gets the node's
#     403 in one line;
#   - the routes themselves: no / a forged / a replayed Authorization is
#     401, GET /tasks/{id} says COMPLETED with the worker's replicate,
#     compass answers 404 for a workerpool the node does not serve;
#   - --timeline still prints the on-chain events.
# The enclave sandbox needs root: without it the test exits 77 (SKIP),
# and fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "the enclave sandbox needs root"
# jq, not python: a python start costs seconds on a loaded machine (this
# replaces lib.sh's Python jget; the expressions below are jq filters).
jget() { jq -r "$1"; }

export DECC_HOME="$T/home"
cd "$T"
dev_keys
key 1 >alice.key; key 2 >bob.key; key 3 >pool.key; key 4 >worker.key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' >plat.key
chmod 600 ./*.key
WORKER=$(addr 4)
PLAT=$("$DECC" wallet address --private-key-file plat.key | grep -o '0x[0-9a-fA-F]\{40\}')
HUB=$("$DECC" --json chain info | jget '.contracts.hub // .hub')
check_rc "workerpool deploy" 0 "$DECC" --json workerpool deploy --description pool --private-key-file pool.key
WP=$(jget '.workerpool' <<<"$out")
start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" --roles all \
  --workerpool "$WP" --scheduler_key_file "$T/pool.key" --worker_key_file "$T/worker.key" \
  --platform_key_file "$T/plat.key" --sms_trusted_platforms "$PLAT" --log_requests false
U=$NODE_URL
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"

Z=0x0000000000000000000000000000000000000000
TAG=0x0000000000000000000000000000000000000000000000000000000000000009
"$DECC" app init talk >/dev/null
# The app writes a line on each stream (with its argument) and succeeds.
cat >talk/run.sh <<'EOF'
#!/bin/sh
set -eu
out="${IEXEC_OUT:-/iexec_out}"
echo "to stdout: args=$*"
echo "to stderr: warning 42" >&2
echo '{}' >"$out/result.json"
printf '{"deterministic-output-path":"%s/result.json"}\n' "$out" >"$out/computed.json"
EOF
check_rc "build" 0 "$DECC" --json app build talk -o talk.tar
M=$(jget '.measurement' <<<"$out")
check_rc "store add" 0 "$DECC" --json store add talk.tar
CID=$(jget '.Hash' <<<"$out")
check_rc "deploy" 0 "$DECC" --json app deploy --name talk --multiaddr "/ipfs/$CID" \
  --bundle talk.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}" \
  --private-key-file bob.key
APP=$(jget '.app' <<<"$out")
echo "{\"app\":\"$APP\",\"appprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >ao.json
check_rc "sign app order" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o ao.s.json ao.json
check_rc "publish app order" 0 "$DECC" order publish --type apporder --private-key-file bob.key ao.s.json
echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
check_rc "sign pool order" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --private-key-file pool.key -o wo.s.json wo.json
check_rc "publish pool order" 0 "$DECC" order publish --type workerpoolorder --private-key-file pool.key wo.s.json
echo '{"email":"alice@example.com"}' >rec.json
check_rc "protect" 0 "$DECC" --json protect rec.json --private-key-file alice.key
PD=$(jget '.address' <<<"$out")
check_rc "grant" 0 "$DECC" grant "$PD" --app "$APP" --user "$(addr 2)" --uses 5 --private-key-file alice.key
check_rc "process" 0 "$DECC" --json process "$PD" --app "$APP" --args "hello logs" --private-key-file bob.key --timeout 120
TASK=$(jget '.taskId' <<<"$out")
[ ${#TASK} = 66 ] && ok || ko "no task id: $out"

# 1. The node's data directory: its worker ran the task.
check_rc "local logs (requester)" 0 "$DECC" task logs "$TASK" --private-key-file bob.key
grep -q "^to stdout: args=hello logs$" <<<"$out" && ok || ko "local stdout: $out"
grep -q "^to stderr: warning 42$" <<<"$out" && ok || ko "local stderr: $out"
grep -q "exit code 0" <<<"$out" && ok || ko "local exit code: $out"
check_rc "local logs (other wallet)" 1 "$DECC" task logs "$TASK" --private-key-file alice.key
grep -q "readable by its requester $(addr 2) only" "$T/err" && ok || ko "local refusal: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] && ok || ko "local refusal is not one line: $(cat "$T/err")"

# 2. Another data directory: the chain and the workerpool API over HTTP.
mkdir client
echo "{\"chain\":\"$U\",\"market\":\"$U\"}" >client/config.json
check_rc "remote logs (requester)" 0 env DECC_HOME="$T/client" "$DECC" --json task logs "$TASK" --private-key-file bob.key
[ "$(jget '.stdout' <<<"$out")" = "to stdout: args=hello logs" ] && ok || ko "remote stdout: $out"
[ "$(jget '.stderr' <<<"$out")" = "to stderr: warning 42" ] && ok || ko "remote stderr: $out"
[ "$(jget '.worker | ascii_downcase' <<<"$out")" = "${WORKER,,}" ] && ok || ko "remote worker: $out"
[ "$(jget '.exitCode' <<<"$out")" = 0 ] && ok || ko "remote exit code: $out"
[ "$(jget '.source' <<<"$out")" = "$U" ] && ok || ko "remote source: $out"
check_rc "remote logs (other wallet)" 1 env DECC_HOME="$T/client" "$DECC" task logs "$TASK" --private-key-file alice.key
grep -q "answered 403: the logs of a task are readable by its requester only ($(addr 2))" "$T/err" &&
  ok || ko "remote refusal: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] && ok || ko "remote refusal is not one line: $(cat "$T/err")"
check_rc "remote logs (--node)" 0 env DECC_HOME="$T/client" DECC_NODE_URL=http://127.0.0.1:1 "$DECC" task logs "$TASK" --node "$U" --private-key-file bob.key
grep -q "^to stdout: args=hello logs$" <<<"$out" && ok || ko "--node: $out"

# 3. The routes.
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
[ "$(code "$U/tasks/$TASK/logs")" = 401 ] && ok || ko "no authorization: $(cat "$T/body")"
FORGED="0x$(printf '%064d' 0)_0x$(printf '%0130d' 0)_$(addr 2)"
[ "$(code -H "Authorization: $FORGED" "$U/tasks/$TASK/logs")" = 401 ] && ok || ko "forged: $(cat "$T/body")"
# A signed challenge opens the logs once: replaying the header is refused.
check_rc "challenge" 0 curl -sf "$U/tasks/logs/challenge?chainId=31337&address=$(addr 2)"
echo "$out" >typed.json
[ "$(jget '.domain.name' <typed.json)" = "iExec Core" ] && ok || ko "challenge domain: $out"
check_rc "sign challenge" 0 "$DECC" --json wallet sign-typed-data --private-key-file bob.key typed.json
SIG=$(jget '.signature' <<<"$out"); DG=$(jget '.digest' <<<"$out")
AUTH="${DG}_${SIG}_$(addr 2)"
[ "$(code -H "Authorization: $AUTH" "$U/tasks/$TASK/logs")" = 200 ] && ok || ko "signed: $(cat "$T/body")"
[ "$(jget '.computeLogsList[0].stdout' <"$T/body")" = "to stdout: args=hello logs" ] && ok || ko "signed body: $(cat "$T/body")"
[ "$(code -H "Authorization: $AUTH" "$U/tasks/$TASK/logs")" = 401 ] && ok || ko "replayed: $(cat "$T/body")"
[ "$(code "$U/tasks/$TASK")" = 200 ] && ok || ko "task info: $(cat "$T/body")"
[ "$(jget '.currentStatus' <"$T/body")" = COMPLETED ] && ok || ko "task status: $(cat "$T/body")"
[ "$(jget '.replicates[0].walletAddress | ascii_downcase' <"$T/body")" = "${WORKER,,}" ] && ok || ko "replicate: $(cat "$T/body")"
[ "$(jget '.replicates[0].appExitCode' <"$T/body")" = 0 ] && ok || ko "replicate exit code: $(cat "$T/body")"
[ "$(code "$U/31337/workerpools/$WP")" = 200 ] && ok || ko "compass: $(cat "$T/body")"
[ "$(jget '.apiUrl' <"$T/body")" = "$U" ] && ok || ko "compass apiUrl: $(cat "$T/body")"
[ "$(code "$U/31337/workerpools/$APP")" = 404 ] && ok || ko "compass other: $(cat "$T/body")"
[ "$(code "$U/5/workerpools/$WP")" = 404 ] && ok || ko "compass other chain: $(cat "$T/body")"
[ "$(code "$U/tasks/0x$(printf '%064d' 7)")" = 404 ] && ok || ko "unknown task: $(cat "$T/body")"

# 4. The on-chain view stays available.
check_rc "timeline" 0 "$DECC" task logs "$TASK" --timeline
grep -q "TaskInitialize" <<<"$out" && grep -q "TaskFinalize" <<<"$out" && ok || ko "timeline: $out"
check_rc "timeline with key" 2 "$DECC" task logs "$TASK" --timeline --private-key-file bob.key

finish
