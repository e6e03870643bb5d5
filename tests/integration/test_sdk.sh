#!/usr/bin/env bash
# test_sdk.sh — the official iExec JavaScript SDKs (iexec, @iexec/dataprotector,
# pinned by tools/sdk/install.sh), unmodified, against one `decc node` with
# every role (chain, store, market, SMS, scheduler, worker): tools/sdk/sdk_flow.mjs
# runs each public SDK call that makes sense on one node back to back and
# prints "N passed, M failed"; this script passes its status through.
# The ledger is the arbitrum-sepolia dev profile (chain id 421614): the
# DataProtector SDK only starts on the chain ids of its defaults table.
# Skips (exit 77) when the SDKs are not installed or the enclave sandbox
# cannot run (not root) — unless CI=true, where that is a failure.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
. "$HERE/tests/cli/lib.sh"
SDK_DIR=$ENGINES/sdk
command -v node >/dev/null || skip "node (Node.js >= 18) is not installed"
[ -f "$SDK_DIR/node_modules/iexec/package.json" ] &&
  [ -f "$SDK_DIR/node_modules/@iexec/dataprotector/package.json" ] ||
  skip "the SDKs are not installed: run tools/sdk/install.sh"
need_root "the enclave sandbox of the node's worker needs root"

# Bounded wait: every CLI step gets at most 60 s.
run() { timeout 60 "$@" 2>"$T/err" || { echo "setup failed: $* : $(cat "$T/err")"; echo "0 passed, 1 failed"; exit 1; }; }

export DECC_HOME="$T/home"
cd "$T"
keys=$(run "$DECC" chain init --profile arbitrum-sepolia --dev | grep '^(')
key() { awk -v i="($1)" '$1==i{print $3}' <<<"$keys"; }
key 1 >user.key; key 2 >user2.key; key 3 >pool.key; key 4 >worker.key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' >plat.key
chmod 600 ./*.key
PLAT=$(run "$DECC" wallet address --private-key-file plat.key | grep -o '0x[0-9a-fA-F]\{40\}')
INFO=$(run "$DECC" --json chain info)
DP=$(jget 'd["contracts"]["dataProtector"] if "contracts" in d else d["dataProtector"]' <<<"$INFO")
# The profile's workerpool, at the DataProtector SDK's default address, is
# owned by dev account 3: the node's scheduler serves it with that key.
WP=0xB967057a21dc6A66A29721d96b8Aa7454B7c383F
start_bg "$T/port" "$T/node.log" timeout 590 "$DECC" node --home "$DECC_HOME" --port 0 --port-file "$T/port" --roles all --threads 4 \
  --workerpool "$WP" --scheduler_key_file "$T/pool.key" --worker_key_file "$T/worker.key" \
  --platform_key_file "$T/plat.key" --sms_trusted_platforms "$PLAT" --log_requests true
U=$BG_URL
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"

# The TEE app: built and stored by decc (its bundle is what the worker runs).
run "$DECC" app init app1
out=$(run "$DECC" --json app build app1 -o app1.tar); M=$(jget 'd["measurement"]' <<<"$out")
out=$(run "$DECC" --json store add app1.tar); CID=$(jget 'd["Hash"]' <<<"$out")
# The SDK deploys it (tools/sdk/sdk_flow.mjs, app.deployApp): a TDX app has
# no MREnclave, its checksum is the bundle's measurement.
case $M in 0x*) ;; *) M=0x$M ;; esac

set +e
DECC_NODE_URL=$U SDK_DIR=$SDK_DIR SDK_USER_KEY=$(cat user.key) SDK_USER2_KEY=$(cat user2.key) \
  SDK_POOL_KEY=$(cat pool.key) SDK_WORKERPOOL=$WP SDK_APP_MULTIADDR=/ipfs/$CID SDK_APP_CHECKSUM=$M SDK_DATAPROTECTOR=$DP \
  timeout 540 node "$HERE/tools/sdk/sdk_flow.mjs"
rc=$?
set -e
if [ "$rc" != 0 ]; then
  echo "--- node log (last 40 lines)"; tail -40 "$T/node.log"
fi
exit "$rc"
