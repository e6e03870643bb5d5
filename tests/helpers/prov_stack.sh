# prov_stack.sh — sourced by the provenance, replay and explorer tests: a
# dev chain and one `decc node --roles all` (market, SMS, scheduler,
# worker, explorer) on a fresh data directory, a TEE app, Alice's
# protected data granted to Bob, and one completed task.
# Needs: DECC, T (scratch dir), check_rc/ok/ko/jget/start_node from the
# caller (tests/cli/lib.sh).
# Sets: DECC_HOME U HUB WP APP PD TASK BOB ALICE NODE_PID; alice.key,
# bob.key … in $T. The node is stopped at exit (lib.sh's start_node);
# `stop_pid "$NODE_PID"` stops it earlier.
# shellcheck shell=bash
prov_stack_up() {
  export DECC_HOME="$T/home"
  cd "$T"
  local keys
  keys=$("$DECC" chain init --dev | grep '^(')
  key() { awk -v i="($1)" '$1==i{print $3}' <<<"$keys"; }
  addr() { awk -v i="($1)" '$1==i{print $2}' <<<"$keys"; }
  key 1 >alice.key; key 2 >bob.key; key 3 >pool.key; key 4 >worker.key
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' >plat.key
  chmod 600 ./*.key
  ALICE=$(addr 1)
  BOB=$(addr 2)
  local plat
  plat=$("$DECC" wallet address --private-key-file plat.key | grep -o '0x[0-9a-fA-F]\{40\}')
  HUB=$("$DECC" --json chain info | jget 'd["contracts"]["hub"] if "contracts" in d else d["hub"]')
  check_rc "workerpool deploy" 0 "$DECC" --json workerpool deploy --description pool --private-key-file pool.key
  WP=$(jget 'd["workerpool"]' <<<"$out")
  start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" --roles all \
    --workerpool "$WP" --scheduler_key_file "$T/pool.key" --worker_key_file "$T/worker.key" \
    --platform_key_file "$T/plat.key" --sms_trusted_platforms "$plat" --log_requests false
  NODE_PID=$NODE_LAST_PID
  U=$NODE_URL
  echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"
  local Z=0x0000000000000000000000000000000000000000
  local TAG=0x0000000000000000000000000000000000000000000000000000000000000009
  "$DECC" app init good >/dev/null
  check_rc "build app" 0 "$DECC" --json app build good -o good.tar
  local m cid
  m=$(jget 'd["measurement"]' <<<"$out")
  check_rc "store add app" 0 "$DECC" --json store add good.tar
  cid=$(jget 'd["Hash"]' <<<"$out")
  check_rc "deploy app" 0 "$DECC" --json app deploy --name good --multiaddr "/ipfs/$cid" \
    --bundle good.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$m\"}" \
    --private-key-file bob.key
  APP=$(jget 'd["app"]' <<<"$out")
  echo "{\"app\":\"$APP\",\"appprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >ao.json
  check_rc "sign app order" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o ao.s.json ao.json
  check_rc "publish app order" 0 "$DECC" order publish --type apporder --private-key-file bob.key --node "$U" ao.s.json
  echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
  check_rc "sign pool order" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --private-key-file pool.key -o wo.s.json wo.json
  check_rc "publish pool order" 0 "$DECC" order publish --type workerpoolorder --private-key-file pool.key --node "$U" wo.s.json
  echo '{"email":"alice@example.com","score":42}' >rec.json
  check_rc "protect" 0 "$DECC" --json protect rec.json --name "alice-contact" --key-out "$T/pd.key" --private-key-file alice.key
  PD=$(jget 'd["address"]' <<<"$out")
  check_rc "grant" 0 "$DECC" grant "$PD" --app "$APP" --user "$BOB" --uses 5 --private-key-file alice.key
  check_rc "process" 0 "$DECC" --json process "$PD" --app "$APP" --private-key-file bob.key --timeout 200 -o first.zip
  TASK=$(jget 'd["taskId"]' <<<"$out")
}
