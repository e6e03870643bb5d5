#!/usr/bin/env bash
# test_sdk_bulk.sh — bulk processing through the official iExec SDKs
# (iexec, @iexec/dataprotector, pinned by tools/sdk/install.sh), unmodified,
# against one `decc node` with every role: tools/sdk/sdk_bulk.mjs runs
# grantAccess({ allowBulk }), getGrantedAccess({ bulkOnly }),
# prepareBulkRequest and processBulkRequest over three records of two
# owners, and a grant revoked after prepareBulkRequest refused by the SMS.
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

# Bounded setup steps.
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
# The profile's workerpool (the SDK's default address), owned by account 3.
WP=0xB967057a21dc6A66A29721d96b8Aa7454B7c383F
start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" \
  --roles all --threads 4 --workerpool "$WP" --scheduler_key_file "$T/pool.key" \
  --worker_key_file "$T/worker.key" --platform_key_file "$T/plat.key" \
  --sms_trusted_platforms "$PLAT" --log_requests true
U=$NODE_URL
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"

# The bulk app: one line "i address email" per record of its slice.
run "$DECC" app init bulkapp
cat >bulkapp/run.sh <<'APP'
#!/bin/sh
set -eu
out="$IEXEC_OUT"
n="${IEXEC_BULK_SLICE_SIZE:-0}"
: > "$out/result.txt"
i=1
while [ "$i" -le "$n" ]; do
  eval f=\$IEXEC_DATASET_${i}_FILENAME
  email=$(unzip -p "$IEXEC_IN/$f" email | tr -d '\000-\037')
  echo "$i $f $email" >> "$out/result.txt"
  i=$((i + 1))
done
printf '{"deterministic-output-path":"%s/result.txt"}\n' "$out" > "$out/computed.json"
APP
out=$(run "$DECC" --json app build bulkapp -o bulkapp.tar); M=$(jget 'd["measurement"]' <<<"$out")
out=$(run "$DECC" --json store add bulkapp.tar); CID=$(jget 'd["Hash"]' <<<"$out")
case $M in 0x*) ;; *) M=0x$M ;; esac

set +e
DECC_NODE_URL=$U SDK_DIR=$SDK_DIR SDK_USER_KEY=$(cat user.key) SDK_USER2_KEY=$(cat user2.key) \
  SDK_POOL_KEY=$(cat pool.key) SDK_WORKERPOOL=$WP SDK_APP_MULTIADDR=/ipfs/$CID SDK_APP_CHECKSUM=$M \
  SDK_DATAPROTECTOR=$DP timeout 400 node "$HERE/tools/sdk/sdk_bulk.mjs"
rc=$?
set -e
# The SMS's verdict on the revoked grant (sdk_bulk.mjs's last bulk task):
# item 2 refused with PoCo's reason, the task failed for it.
if [ "$rc" = 0 ]; then
  if grep -q "bulk dataset 2 0x[0-9a-f]\{40\} refused: IncompatibleDatasetOrder: Dataset order is revoked or fully consumed" "$T/node.log" &&
    grep -q "failed: BULK_DATASET_REFUSED" "$T/node.log"; then
    echo "ok   the node's SMS refused the revoked grant (node log)"
  else
    echo "FAIL the node's log has no SMS refusal of the revoked grant"
    rc=1
  fi
fi
if [ "$rc" != 0 ]; then
  echo "--- node log (last 40 lines)"; tail -40 "$T/node.log"
fi
exit "$rc"
