#!/usr/bin/env bash
# test_anvil_cli.sh — the whole Alice & Bob story through the `decc` command
# on real engines: anvil running the real PoCo 6.1.0 contracts deployed by
# `decc chain deploy`, a js-ipfs daemon holding every file (app bundle,
# encrypted data, results), and one `decc node` (market, SMS, scheduler,
# worker) whose chain is anvil and whose store is js-ipfs. Nothing but the
# CLI and the node talk to the engines, exactly as a user would do it:
#   deploy → fund wallets (RLC transfers) → deposits → workerpool deploy and
#   order → app build + deploy and order → protect → grant → process (TEE
#   task COMPLETED on chain, decrypted result) → another app refused →
#   revoke → refused again → a grant with an expiry refused by the SMS once
#   the chain's clock passes it → balances equal to the embedded ledger's run of
#   the same story to the nRLC → a task that misses its deadline claimed
#   after anvil's time travel, with the requester refunded.
# The same story then runs on the embedded ledger (decc's own chain) and the
# balance deltas of every actor are compared.
#
# Engines from tools/engines/install.sh ($DECC_ENGINES_DIR, default
# ~/.cache/decc-engines): anvil, the @iexec/poco package and js-ipfs.
# Missing: exit 77 (skipped), or a failure under CI=true. The enclave
# sandbox needs root.
# Every engine step is bounded by a timeout; anvil and the node are killed on
# exit.
set -euo pipefail
src="${DECC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
build="${DECC_BUILD_DIR:-$src/build}"
DECC="${DECC:-$build/bin/decc}"
. "$src/tests/cli/lib.sh"

need_file "$ENGINES/chain/node_modules/.bin/anvil" "anvil not installed in $ENGINES/chain (run tools/engines/install.sh chain)"
need_file "$ENGINES/chain/poco/package.json" "@iexec/poco not in $ENGINES/chain/poco (run tools/engines/install.sh chain)"
need_root "the enclave sandbox needs root"
# shellcheck source=../../tools/engines/jsipfs.sh
source "$src/tools/engines/jsipfs.sh"
if why=$(jsipfs_missing); then skip "$why"; fi
[ -x "$DECC" ] || { echo "no decc binary at $DECC" >&2; exit 1; }
on_exit jsipfs_stop
NODE_PID=
stop_node() {
  stop_pid "$NODE_PID"
  NODE_PID=
}
# check NAME WANT_RC CMD…: runs CMD (bounded), stdout in $out, stderr in $T/err.
check() {
  local name=$1 want=$2
  shift 2
  set +e
  out=$(timeout 300 "$@" 2>"$T/err")
  local rc=$?
  set -e
  if [ "$rc" = "$want" ]; then ok "$name"; else ko "$name: rc $rc (want $want): $out $(tail -c 2000 "$T/err")"; fi
}
# jget EXPR: lib.sh's, except that it prints nothing (and fails softly)
# when stdin is not JSON, so that a failed step is reported by its own
# check instead of ending the script.
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1" 2>/dev/null || true; }

# anvil's default dev accounts (keys published by Foundry; never hold value):
# 0 deployer (holds all RLC), 1 Alice, 2 Bob, 3 the pool operator, 4 its
# worker, 5 a second app developer.
KEYS=(0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
  0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d
  0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a
  0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6
  0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a
  0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba)
NAMES=(deployer alice bob pool worker carol)
for i in 0 1 2 3 4 5; do
  printf '%s\n' "${KEYS[$i]}" >"$T/${NAMES[$i]}.key"
done
chmod 600 "$T"/*.key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' >"$T/plat.key"
chmod 600 "$T/plat.key"

# config.json of the current home: the node's market; on anvil the chain
# profile and js-ipfs for the CLI's uploads and downloads.
write_config() {
  echo "{\"market\":\"$U\"${DECC_CHAIN:+,\"chain\":\"$DECC_CHAIN\",\"ipfs\":\"$IPFS_API\"}}" >"$DECC_HOME/config.json"
}

# story_node ROLES: the node of the current DECC_HOME with the pool's
# scheduler and worker; on anvil its chain is the remote one.
story_node() {
  local roles=$1 chainargs=() global=()
  if [ -n "${DECC_CHAIN:-}" ]; then
    # anvil: the chain (the deploy profile) and the store are the real engines
    global=(--chain "$DECC_CHAIN")
    chainargs=(--store_url "$IPFS_API")
  else
    roles="chain,store,$roles"
  fi
  rm -f "$T/port"
  : >"$T/node.log" # each run's log alone: the checks grep it
  start_node "$T/port" "$T/node.log" "${global[@]}" node --home "$DECC_HOME" --port 0 --port-file "$T/port" --roles "$roles" "${chainargs[@]}" \
    --scheduler_key_file "$T/pool.key" --worker_key_file "$T/worker.key" \
    --platform_key_file "$T/plat.key" --sms_trusted_platforms "$PLAT" --log_requests false \
    --workerpool_poll_ms 100 --market_poll_ms 100
  NODE_PID=$NODE_LAST_PID
  U=$NODE_URL
}

addr_of() { "$DECC" wallet address --private-key-file "$T/$1.key" | grep -o '0x[0-9a-fA-F]\{40\}'; }
PLAT=$(addr_of plat)
BOB=$(addr_of bob)
stake_of() { "$DECC" --json account balance "$(addr_of "$1")" | jget 'int(d["stake"])'; }

Z=0x0000000000000000000000000000000000000000
TAG=0x0000000000000000000000000000000000000000000000000000000000000009

# story KIND: KIND = anvil (the chain given by $DECC_CHAIN) or embedded.
# Leaves the stake deltas of every actor in $T/deltas.KIND.
story() {
  local kind=$1
  export DECC_HOME="$T/home-$kind"
  mkdir -p "$DECC_HOME" "$T/work-$kind"
  cp -p "$T"/*.key "$T/work-$kind/"
  cd "$T/work-$kind"
  if [ "$kind" = embedded ]; then
    # The same accounts, funded as on anvil: 900 RLC in the wallet, 100 RLC
    # deposited.
    local accts=""
    for who in alice bob pool worker carol; do
      accts="$accts${accts:+,}{\"address\":\"$(addr_of $who)\",\"rlc\":\"900000000000\",\"stake\":\"100000000000\"}"
    done
    echo "{\"chainId\":31337,\"accounts\":[$accts]}" >genesis.json
    check "[$kind] chain init" 0 "$DECC" chain init --genesis genesis.json
  else
    # RLC is the deployer's: everyone gets 1,000 RLC, and 100 RLC deposited.
    for who in alice bob pool worker carol; do
      check "[$kind] fund $who" 0 "$DECC" account transfer "$(addr_of $who)" "1000 RLC" --private-key-file deployer.key
    done
  fi
  local -A before
  for who in alice bob pool worker carol; do
    if [ "$kind" = anvil ]; then
      check "[$kind] deposit $who" 0 "$DECC" account deposit "100 RLC" --private-key-file "$who.key"
    fi
    before[$who]=$(stake_of $who)
  done
  HUB=$("$DECC" --json chain info | jget 'd["contracts"]["hub"]')

  # The node starts before the workerpool exists: its scheduler serves
  # every workerpool its key owns, including those deployed later.
  story_node market,sms,scheduler,worker
  # The node's market is the one orderbook; its store serves the app bundle.
  write_config
  check "[$kind] workerpool deploy" 0 "$DECC" --json workerpool deploy --description pool --private-key-file pool.key
  WP=$(jget 'd["workerpool"]' <<<"$out")

  for dev in bob carol; do
    check "[$kind] app init ($dev)" 0 "$DECC" app init "app-$dev"
    check "[$kind] app build ($dev)" 0 "$DECC" --json app build "app-$dev" -o "app-$dev.tar"
    local m cid
    m=$(jget 'd["measurement"]' <<<"$out")
    check "[$kind] store add ($dev)" 0 "$DECC" --json store add ${DECC_CHAIN:+--ipfs-api "$IPFS_API"} "app-$dev.tar"
    cid=$(jget 'd["Hash"]' <<<"$out")
    check "[$kind] app deploy ($dev)" 0 "$DECC" --json app deploy --name "app-$dev" --multiaddr "/ipfs/$cid" \
      --bundle "app-$dev.tar" --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$m\"}" \
      --private-key-file "$dev.key"
    local app
    app=$(jget 'd["app"]' <<<"$out")
    eval "APP_$dev=$app"
    echo "{\"app\":\"$app\",\"appprice\":\"1000000000\",\"volume\":\"100\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >"ao-$dev.json"
    check "[$kind] sign app order ($dev)" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file "$dev.key" -o "ao-$dev.s.json" "ao-$dev.json"
    check "[$kind] publish app order ($dev)" 0 "$DECC" order publish --type apporder --private-key-file "$dev.key" --node "$U" "ao-$dev.s.json"
  done
  echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"500000000\",\"volume\":\"100\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
  check "[$kind] sign pool order" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --private-key-file pool.key -o wo.s.json wo.json
  check "[$kind] publish pool order" 0 "$DECC" order publish --type workerpoolorder --private-key-file pool.key --node "$U" wo.s.json

  echo '{"email":"alice@example.com","score":42}' >rec.json
  check "[$kind] protect" 0 "$DECC" --json protect rec.json --private-key-file alice.key
  PD=$(jget 'd["address"]' <<<"$out")
  if [ "$kind" = anvil ]; then
    # the encrypted file lives on the IPFS daemon, not in the data directory
    check "[$kind] dataset show" 0 "$DECC" --json dataset show "$PD"
    local dcid
    dcid=$(jget 'd["multiaddr"].split("/")[-1]' <<<"$out")
    [ -n "$dcid" ] && curl --max-time 30 -sf -X POST "$IPFS_API/api/v0/block/stat?arg=$dcid" >/dev/null &&
      ok "[$kind] encrypted data on js-ipfs" || ko "[$kind] $dcid not on js-ipfs"
    check "[$kind] not in the local store" 1 "$DECC" store stat "$dcid"
  fi
  check "[$kind] ls shows it" 0 "$DECC" --json ls --owner "$(addr_of alice)"
  [ "$(jget 'd[0]["address"].lower() if isinstance(d, list) else d["protectedData"][0]["address"].lower()' <<<"$out" 2>/dev/null)" = "${PD,,}" ] &&
    ok "[$kind] ls lists the protected data" || ko "[$kind] ls: $out"
  check "[$kind] grant" 0 "$DECC" --json grant "$PD" --app "$APP_bob" --user "$BOB" --uses 3 --price 2RLC --private-key-file alice.key
  GRANT=$(jget 'd.get("orderHash") or d["order"]["hash"] if "order" in d else d.get("orderHash")' <<<"$out" 2>/dev/null || true)

  check "[$kind] process" 0 "$DECC" process "$PD" --app "$APP_bob" --app-max-price 1RLC --data-max-price 2RLC \
    --workerpool-max-price 0.5RLC --private-key-file bob.key --path result.json --timeout 240 --args hello
  [ "$(jget 'd["emailDomain"]' <<<"$out" 2>/dev/null)" = example.com ] && ok "[$kind] decrypted result" || ko "[$kind] result: $out"
  check "[$kind] other app refused" 1 "$DECC" process "$PD" --app "$APP_carol" --app-max-price 1RLC --data-max-price 2RLC \
    --workerpool-max-price 0.5RLC --private-key-file bob.key --timeout 60
  grep -q "access not granted or exhausted" "$T/err" && ok "[$kind] refusal names the grant" || ko "[$kind] other app: $(cat "$T/err")"
  check "[$kind] revoke" 0 "$DECC" revoke "$PD" --all --private-key-file alice.key
  check "[$kind] refused after revoke" 1 "$DECC" process "$PD" --app "$APP_bob" --app-max-price 1RLC --data-max-price 2RLC \
    --workerpool-max-price 0.5RLC --private-key-file bob.key --timeout 60
  grep -q "access not granted or exhausted" "$T/err" && ok "[$kind] revoked grant refused" || ko "[$kind] after revoke: $(cat "$T/err")"

  # A grant with an expiry and a purpose: the app gets the purpose while it
  # is valid; 31 days later on this chain's clock the SMS refuses the key
  # (GRANT_EXPIRED) although uses are left — on anvil as on the ledger.
  check "[$kind] grant expiring in 30 days" 0 "$DECC" grant "$PD" --app "$APP_bob" --user "$BOB" --uses 3 --price 0 \
    --expires 30d --purpose "audit-$kind" --private-key-file alice.key
  check "[$kind] process within the expiry" 0 "$DECC" process "$PD" --app "$APP_bob" --app-max-price 1RLC --data-max-price 2RLC \
    --workerpool-max-price 0.5RLC --private-key-file bob.key --path result.json --timeout 240
  [ "$(jget 'd["emailDomain"]' <<<"$out" 2>/dev/null)" = example.com ] && ok "[$kind] result within the expiry" || ko "[$kind] expiring grant: $out"
  check "[$kind] time travel past the expiry" 0 "$DECC" chain time +2678400
  check "[$kind] refused after the expiry" 1 "$DECC" process "$PD" --app "$APP_bob" --app-max-price 1RLC --data-max-price 2RLC \
    --workerpool-max-price 0.5RLC --private-key-file bob.key --timeout 60
  grep -q "GRANT_EXPIRED" "$T/err" "$T/node.log" && ok "[$kind] the SMS refused the expired grant" || ko "[$kind] after expiry: $(cat "$T/err")"
  check "[$kind] revoke the expired grant" 0 "$DECC" revoke "$PD" --all --private-key-file alice.key

  # A task that misses its deadline: no worker runs it; the scheduler
  # (pool) initializes it, the chain clock moves past the final deadline
  # (category 0: 10 × 300 s), anyone claims it and the requester is
  # refunded in full.
  stop_node
  story_node market,sms
  write_config
  check "[$kind] grant for the deadline task" 0 "$DECC" grant "$PD" --app "$APP_bob" --user "$BOB" --uses 1 --price 0 --private-key-file alice.key
  local bob_before
  bob_before=$(stake_of bob)
  check "[$kind] request without a worker" 0 "$DECC" --json process "$PD" --app "$APP_bob" --app-max-price 1RLC \
    --data-max-price 2RLC --workerpool-max-price 0.5RLC --private-key-file bob.key --no-wait
  local task deal
  task=$(jget 'd["taskId"]' <<<"$out")
  deal=$(jget 'd["dealId"]' <<<"$out")
  check "[$kind] stake locked" 0 true
  [ $((bob_before - $(stake_of bob))) = 1500000000 ] && ok "[$kind] 1.5 RLC locked" || ko "[$kind] lock: $bob_before → $(stake_of bob)"
  check "[$kind] initialize" 0 "$DECC" task initialize "$deal" 0 --private-key-file pool.key
  check "[$kind] claim before the deadline refused" 1 "$DECC" task claim "$task" --private-key-file carol.key
  check "[$kind] time travel" 0 "$DECC" chain time +3001
  check "[$kind] claim" 0 "$DECC" task claim "$task" --private-key-file carol.key
  check "[$kind] task FAILED" 0 "$DECC" --json task show "$task"
  [ "$(jget 'd["status"]' <<<"$out")" = FAILED ] && ok "[$kind] claimed task is FAILED" || ko "[$kind] task: $out"
  [ "$(stake_of bob)" = "$bob_before" ] && ok "[$kind] requester refunded" || ko "[$kind] refund: $bob_before → $(stake_of bob)"
  stop_node

  : >"$T/deltas.$kind"
  for who in alice bob pool worker carol; do
    echo "$who $(($(stake_of $who) - ${before[$who]}))" >>"$T/deltas.$kind"
  done
  unset DECC_HOME
}

start_anvil "$T/anvil.log"
RPC=$ANVIL_URL
jsipfs_start "$T/ipfs" || exit 1
export DECC_HOME="$T/home-anvil"
check "chain deploy" 0 "$DECC" chain deploy --rpc "$RPC" --private-key-file "$T/deployer.key" --name anvil
check "deploy again finds it" 0 "$DECC" chain deploy --rpc "$RPC" --private-key-file "$T/deployer.key" --name anvil
grep -qi found <<<"$out$(cat "$T/err")" && ok "second deploy found the first" || ko "second deploy: $out"
unset DECC_HOME
DECC_CHAIN=anvil story anvil
unset DECC_CHAIN

# Bad input on a real chain: one line naming the URL or address, exit 1,
# nothing sent and nothing half-done locally.
export DECC_HOME="$T/home-anvil"
cd "$T/work-anvil"
NOCODE=0x00000000000000000000000000000000DeaDBeef
check "unreachable URL" 1 "$DECC" --chain http://127.0.0.1:9 account balance "$BOB"
grep -q "http://127.0.0.1:9" "$T/err" && [ "$(wc -l <"$T/err")" = 1 ] && ok "error names the URL in one line" || ko "unreachable: $(cat "$T/err")"
check "hub without code" 1 "$DECC" --chain "$RPC" --hub "$NOCODE" account balance "$BOB"
grep -qi "no PoCo hub at 0x00000000000000000000000000000000DeaDBeef on chain 31337" "$T/err" && ok "error names the hub and the chain id" || ko "hub: $(cat "$T/err")"
python3 - "$DECC_HOME/chains/anvil.json" "$DECC_HOME/chains/wrongid.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); p["chainId"] = 1; p["name"] = "wrongid"
json.dump(p, open(sys.argv[2], "w"))
PY
check "wrong chain id" 1 "$DECC" --chain wrongid account balance "$BOB"
grep -q "chain id 31337, expected 1" "$T/err" && ok "wrong chain id refused" || ko "chain id: $(cat "$T/err")"
check "unknown profile" 1 "$DECC" --chain nosuchprofile account balance "$BOB"
nonce0=$("$DECC" --chain anvil --json account balance "$(addr_of alice)" | jget 'd["nonce"]')
sum0=$(sha256sum rec.json)
check "protect without a DataProtector" 1 "$DECC" --chain anvil --dataprotector "$NOCODE" protect rec.json --private-key-file alice.key
grep -q "no DataProtector at" "$T/err" && ok "protect refused before anything is sent" || ko "protect: $(cat "$T/err")"
[ "$("$DECC" --chain anvil --json account balance "$(addr_of alice)" | jget 'd["nonce"]')" = "$nonce0" ] &&
  ok "no transaction sent" || ko "a transaction was sent"
[ "$(sha256sum rec.json)" = "$sum0" ] && ok "data file untouched" || ko "data file changed"
check "ls at an empty address" 1 "$DECC" --chain anvil --dataprotector "$NOCODE" ls --owner "$(addr_of alice)"
grep -q "no DataProtector at" "$T/err" && ok "no empty listing from a wrong address" || ko "ls: $out $(cat "$T/err")"
check "block on an EVM chain" 1 "$DECC" --chain anvil chain block 1
grep -q "embedded ledger" "$T/err" && ok "chain block explains it is embedded-only" || ko "block: $(cat "$T/err")"
unset DECC_HOME

story embedded
if cmp -s "$T/deltas.anvil" "$T/deltas.embedded"; then
  ok "every actor's stake moved by the same nRLC on anvil and on the embedded ledger"
else
  ko "balances differ: anvil $(tr '\n' ' ' <"$T/deltas.anvil") / embedded $(tr '\n' ' ' <"$T/deltas.embedded")"
fi
finish
