# receipts_fixture.sh — sourced by test_receipts.sh and test_grant_expiry.sh:
# a dev chain, a `decc node` with every role (its worker runs tasks in the
# software enclave), a TEE app that writes DECC_GRANT_PURPOSE into its
# result, published app and workerpool orders, and Alice's protected data.
# Defines check/ok/ko/jget, $T, $U, $APP, $PD, key files alice.key (owner),
# bob.key (requester), carol.key (a stranger), and cleans up on exit.
# The enclave sandbox needs root: without it the test exits 77 (SKIP), and
# fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "the enclave sandbox needs root"
errhas() { if grep -q -- "$2" "$T/err"; then ok; else ko "$1: no '$2' in: $(cat "$T/err")"; fi; }

export DECC_HOME="$T/home"
cd "$T"
dev_keys
key 1 >alice.key; key 2 >bob.key; key 3 >pool.key; key 4 >worker.key; key 5 >carol.key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' >plat.key
chmod 600 ./*.key
ALICE=$(addr 1)
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
"$DECC" app init purpose >/dev/null
# The app's result is the purpose it was given (DECC_GRANT_PURPOSE).
cat >purpose/run.sh <<'EOF'
#!/bin/sh
set -eu
out="${IEXEC_OUT:-/iexec_out}"
printf '{"purpose":"%s"}\n' "${DECC_GRANT_PURPOSE:-}" >"$out/result.json"
printf '{"deterministic-output-path":"%s/result.json"}\n' "$out" >"$out/computed.json"
EOF
check_rc "build" 0 "$DECC" --json app build purpose -o purpose.tar
M=$(jget 'd["measurement"]' <<<"$out")
check_rc "store add" 0 "$DECC" --json store add purpose.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check_rc "deploy" 0 "$DECC" --json app deploy --name purpose --multiaddr "/ipfs/$CID" \
  --bundle purpose.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}" \
  --private-key-file bob.key
APP=$(jget 'd["app"]' <<<"$out")
echo "{\"app\":\"$APP\",\"appprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >ao.json
check_rc "sign app order" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o ao.s.json ao.json
check_rc "publish app order" 0 "$DECC" order publish --type apporder --private-key-file bob.key ao.s.json
echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
check_rc "sign pool order" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --private-key-file pool.key -o wo.s.json wo.json
check_rc "publish pool order" 0 "$DECC" order publish --type workerpoolorder --private-key-file pool.key wo.s.json
echo '{"email":"alice@example.com"}' >rec.json
check_rc "protect" 0 "$DECC" --json protect rec.json --private-key-file alice.key
PD=$(jget 'd["address"]' <<<"$out")
