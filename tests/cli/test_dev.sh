#!/usr/bin/env bash
# test_dev.sh — `decc dev` brings up a ready local stack that commands run
# in another process can use at once: with only `decc dev` started, an app
# is created, deployed and published by bob, alice protects a record and
# grants it, bob's `decc process` gets the decrypted result — no key file,
# no password prompt, no node configuration. Ctrl-C (SIGINT) stops it
# cleanly (exit 0, port closed); a second `decc dev` resumes the same
# wallets and workerpool without publishing a second order; --chain-id
# that contradicts the existing ledger is refused.
# The worker's enclave sandbox needs root: without it the test exits 77
# (SKIP), and fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "the enclave sandbox needs root"
# jq (scripts/setup.sh): starts in milliseconds where python3 takes seconds
# on a loaded machine. (This jget replaces lib.sh's Python one.)
jget() { jq -r "$1"; }
export DECC_HOME="$T/home"
cd "$T"

# start_dev: decc dev --json in the background; waits for its JSON line.
start_dev() {
  : >"$T/dev.out"
  "$DECC" --json dev --port 0 >"$T/dev.out" 2>"$T/dev.err" &
  DEV_PID=$!
  on_exit "stop_pid $DEV_PID"
  for _ in $(seq 300); do [ -s "$T/dev.out" ] && break; sleep 0.1; done
  [ -s "$T/dev.out" ] || { echo "decc dev did not start: $(cat "$T/dev.err")"; exit 1; }
  DEV=$(head -1 "$T/dev.out")
}
stop_dev() {
  local rc=0
  signal_pid INT "$DEV_PID" || rc=$?
  [ "$rc" = 0 ] && ok || ko "decc dev after Ctrl-C: rc $rc: $(cat "$T/dev.err")"
}

start_dev
URL=$(jget .url <<<"$DEV")
WP=$(jget .workerpool <<<"$DEV")
[ "$(jget .chainId <<<"$DEV")" = 31337 ] && ok || ko "chain id: $DEV"
[ "$(jget '[.wallets[].name]|join(",")' <<<"$DEV")" = alice,bob,pool,worker ] && ok || ko "wallets: $DEV"
[ "$(jget '.wallets[0].default' <<<"$DEV")" = true ] && ok || ko "default wallet: $DEV"
grep -q 'RLC' <<<"$(jget '.wallets[1].balance' <<<"$DEV")" && ok || ko "balance: $DEV"
# The node answers JSON-RPC with the chain id.
check_rc "eth_chainId" 0 curl -sf -H 'content-type: application/json' \
  -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "$URL/"
[ "$(jget .result <<<"$out")" = 0x7a69 ] && ok || ko "eth_chainId: $out"
# While it runs, config.json sends the market to it (one orderbook writer).
[ "$(jget .market <"$DECC_HOME/config.json")" = "$URL" ] && ok || ko "config market: $(cat "$DECC_HOME/config.json")"
check_rc "wallet list" 0 "$DECC" --json wallet list
[ "$(jget '.wallets|length' <<<"$out")" = 4 ] && ok || ko "wallet list: $out"

# wallet show: balances without a password.
check_rc "wallet show" 0 "$DECC" wallet show
grep -q '^alice .*wallet 1000000 RLC  account 1000 RLC deposited' <<<"$out" && ok || ko "wallet show: $out"
check_rc "wallet show --all" 0 "$DECC" --json wallet show --all
[ "$(jget '[.wallets[]|select(.name=="bob")][0].nRLC' <<<"$out")" = 1000000000000000 ] && ok || ko "wallet show --all: $out"
check_rc "wallet show unknown" 1 "$DECC" wallet show nobody

# The loop, in "another terminal": nothing but wallet names.
"$DECC" app init hello >/dev/null
check_rc "app deploy" 0 "$DECC" --json app deploy hello --wallet bob
APP=$(jget .app <<<"$out")
check_rc "app publish" 0 "$DECC" --json app publish "$APP" --wallet bob
echo '{"email":"alice@example.com","score":7}' >rec.json
check_rc "protect (default wallet alice)" 0 "$DECC" --json protect rec.json
PD=$(jget .address <<<"$out")
check_rc "grant" 0 "$DECC" grant "$PD" --app "$APP" --user bob --wallet alice
# dataset publish: an order as iexec dataset publish (owner only).
check_rc "dataset publish" 0 "$DECC" --json dataset publish "$PD" --wallet alice --price "0.5 RLC" --volume 2 --app-restrict "$APP" --requester-restrict bob
[ "$(jget .price <<<"$out"),$(jget .volume <<<"$out")" = "0.5 RLC,2" ] && ok || ko "dataset publish: $out"
check_rc "dataset publish by another" 1 "$DECC" dataset publish "$PD" --wallet bob
grep -q "owner" "$T/err" && ok || ko "not-owner message: $(cat "$T/err")"
check_rc "dataset orders" 0 "$DECC" --json order ls --type datasetorder --dataset "$PD" --app any --requester any
[ "$(jget .count <<<"$out")" = 2 ] && ok || ko "dataset orders (grant + published): $out"
check_rc "process" 0 "$DECC" --json process "$PD" --app "$APP" --wallet bob --path result.json -o r.json --timeout 60
[ "$(jget .emailDomain <r.json 2>/dev/null)" = example.com ] && ok || ko "result: $out $(cat r.json 2>/dev/null)"

# task show prints its deadlines as dates.
TASK=$(jget .taskId <<<"$out")
check_rc "task show" 0 "$DECC" task show "$TASK"
grep -q "^finalDeadline  *$(date -u +%Y-%m-%d) [0-9:]* UTC (in [0-9]* [a-z]*)$\|^finalDeadline  *20[0-9-]* [0-9:]* UTC (in [0-9]* [a-z]*)$" <<<"$out" && ok || ko "task show dates: $out"

# decc run: the app without protected data (iexec app run).
check_rc "run" 0 "$DECC" run "$APP" --wallet bob --args "hi there" --path result.json -o run.json --timeout 60
[ "$(jget .args <run.json 2>/dev/null)" = "hi there" ] && [ "$(jget .entries <run.json)" = 0 ] && ok || ko "run result: $out $(cat run.json 2>/dev/null)"
check_rc "run with --app" 2 "$DECC" run --app "$APP"
check_rc "run without APP" 2 "$DECC" run --args x

# Dates in and out: ls and deal ls take --since as a date or a duration
# and print human dates.
check_rc "ls --since 1h" 0 "$DECC" ls --since 1h
grep -qi "$PD  owner .*created $(date -u +%Y-%m-%d) [0-9:]* UTC" <<<"$out" && ok || ko "ls date: $out"
check_rc "ls --since tomorrow" 0 "$DECC" --json ls --since "$(date -u -d tomorrow +%Y-%m-%d)"
[ "$(jget .total <<<"$out")" = 0 ] && ok || ko "ls --since tomorrow: $out"
check_rc "ls --since bad date" 2 "$DECC" ls --since 2026-02-30
grep -q "no such day" "$T/err" && ok || ko "bad date message: $(cat "$T/err")"
check_rc "deal ls --since" 0 "$DECC" --json deal ls --wallet bob --since 2h
[ "$(jget length <<<"$out")" = 2 ] && ok || ko "deal ls --since 2h: $out"
check_rc "deal ls --since future" 0 "$DECC" --json deal ls --wallet bob --since +1d
[ "$(jget length <<<"$out")" = 0 ] && ok || ko "deal ls --since +1d: $out"

# Ctrl-C: clean stop, nothing listening any more.
stop_dev
[ "$(jget .market <"$DECC_HOME/config.json")" = null ] && ok || ko "market left in config: $(cat "$DECC_HOME/config.json")"
[ "$(jget .wallet <"$DECC_HOME/config.json")" = alice ] && ok || ko "default wallet: $(cat "$DECC_HOME/config.json")"
check_rc "port closed" 7 curl -s -o /dev/null "$URL/health"

# Again: same workerpool, its open order is reused.
start_dev
[ "$(jget .workerpool <<<"$DEV")" = "$WP" ] && ok || ko "workerpool changed: $DEV"
check_rc "one workerpool order" 0 "$DECC" --json order ls --type workerpoolorder --workerpool "$WP" --category 0 --node "$(jget .url <<<"$DEV")"
[ "$(jget .count <<<"$out")" = 1 ] && ok || ko "workerpool orders: $out"
# Killed outright, it leaves its URL in config.json; the next run takes it
# for its own and removes it when stopped.
signal_pid 9 "$DEV_PID" || true
start_dev
stop_dev
[ "$(jget .market <"$DECC_HOME/config.json")" = null ] && ok || ko "stale market kept: $(cat "$DECC_HOME/config.json")"

check_rc "chain id mismatch" 1 "$DECC" dev --port 0 --chain-id 42
grep -q "chain id 31337" "$T/err" && ok || ko "mismatch message: $(cat "$T/err")"

finish
