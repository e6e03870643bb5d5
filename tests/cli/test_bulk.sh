#!/usr/bin/env bash
# test_bulk.sh — bulk processing (docs/internals/bulk.md) end to end with
# the CLI against a `decc node` running the scheduler and worker roles:
# Alice protects two records and Carol one, both grant Bob's app with
# `decc grant … --bulk`; Bob's `decc process PD1 PD2 PD3 --app APP` makes
# one deal with one task whose app finds the three records decrypted
# (IEXEC_BULK_SLICE_SIZE, IEXEC_DATASET_<i>_FILENAME) and writes a line per
# record; --per-task 2 makes two tasks; --bulk-file reads the list; a
# record granted without --bulk and a revoked bulk grant are refused with
# a reason naming the record, before anything is paid.
# The enclave sandbox needs root: without it the test exits 77 (SKIP), and
# fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root "the enclave sandbox needs root"

export DECC_HOME="$T/home"
cd "$T"
dev_keys
key 1 >alice.key; key 2 >bob.key; key 3 >pool.key; key 4 >worker.key; key 5 >carol.key
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/' >plat.key
chmod 600 ./*.key
BOB=$(addr 2)
PLAT=$("$DECC" wallet address --private-key-file plat.key | grep -o '0x[0-9a-fA-F]\{40\}')
HUB=$("$DECC" --json chain info | jget 'd["contracts"]["hub"] if "contracts" in d else d["hub"]')
check_rc "workerpool deploy" 0 "$DECC" --json workerpool deploy --description pool --private-key-file pool.key
WP=$(jget 'd["workerpool"]' <<<"$out")
start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" \
  --roles all --workerpool "$WP" --scheduler_key_file "$T/pool.key" \
  --worker_key_file "$T/worker.key" --platform_key_file "$T/plat.key" \
  --sms_trusted_platforms "$PLAT" --log_requests false
U=$NODE_URL
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"

# Bob's app: one line "i address email" per record of the slice.
"$DECC" app init bulkapp >/dev/null
cat >bulkapp/run.sh <<'EOF'
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
EOF
check_rc "build" 0 "$DECC" --json app build bulkapp -o bulkapp.tar
M=$(jget 'd["measurement"]' <<<"$out")
check_rc "store add" 0 "$DECC" --json store add bulkapp.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check_rc "app deploy" 0 "$DECC" --json app deploy --name bulkapp --multiaddr "/ipfs/$CID" \
  --bundle bulkapp.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}" \
  --private-key-file bob.key
APP=$(jget 'd["app"]' <<<"$out")
Z=0x0000000000000000000000000000000000000000
TAG=0x0000000000000000000000000000000000000000000000000000000000000009
echo "{\"app\":\"$APP\",\"appprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >ao.json
check_rc "sign app order" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o ao.s.json ao.json
check_rc "publish app order" 0 "$DECC" order publish --type apporder --private-key-file bob.key --node "$U" ao.s.json
echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"0\",\"volume\":\"100\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
check_rc "sign pool order" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --private-key-file pool.key -o wo.s.json wo.json
check_rc "publish pool order" 0 "$DECC" order publish --type workerpoolorder --private-key-file pool.key --node "$U" wo.s.json

# Three records of two owners, granted with --bulk; a fourth granted
# without it.
protect() { # protect EMAIL KEYFILE -> PD
  echo "{\"email\":\"$1\"}" >rec.json
  check_rc "protect $1" 0 "$DECC" --json protect rec.json --private-key-file "$2"
  PD=$(jget 'd["address"]' <<<"$out")
}
protect a1@alice.example alice.key; PD1=$PD
protect a2@alice.example alice.key; PD2=$PD
protect c1@carol.example carol.key; PD3=$PD
protect c2@carol.example carol.key; PD4=$PD
check_rc "grant 1" 0 "$DECC" grant "$PD1" --app "$APP" --user "$BOB" --bulk --private-key-file alice.key
check_rc "grant 2" 0 "$DECC" --json grant "$PD2" --app "$APP" --user "$BOB" --bulk --private-key-file alice.key
check_eq "bulk grant volume" 9007199254740991 "$(jget 'd["volume"]' <<<"$out")"
check_eq "bulk grant price" 0 "$(jget 'd["datasetprice"]' <<<"$out")"
H2=$(jget 'd["orderHash"]' <<<"$out")
check_rc "grant 3" 0 "$DECC" --json grant "$PD3" --app "$APP" --user "$BOB" --bulk --private-key-file carol.key
H3=$(jget 'd["orderHash"]' <<<"$out")
check_rc "grant 4 (not bulk)" 0 "$DECC" grant "$PD4" --app "$APP" --user "$BOB" --uses 5 --private-key-file carol.key
expect_rc "bulk grant with a price" 1 "$DECC" grant "$PD4" --app "$APP" --any-user --bulk --price 1RLC --private-key-file carol.key
has "bulk grant with a price: reason" "must be free"
check_rc "grants --bulk" 0 "$DECC" --json grants --owner "$(addr 5)" --bulk
check_eq "carol's bulk grants" 1 "$(jget 'd["count"]' <<<"$out")"

# 1. One task processes the three records.
check_rc "bulk process" 0 "$DECC" --json process "$PD1" "$PD2" "$PD3" --app "$APP" \
  --private-key-file bob.key --timeout 120 -o .
check_eq "one task" 1 "$(jget 'len(d["tasks"])' <<<"$out")"
check_eq "task completed" COMPLETED "$(jget 'd["tasks"][0]["status"]' <<<"$out")"
ZIP=$(jget 'd["tasks"][0]["result"]' <<<"$out")
RES=$(unzip -p "$ZIP" result.txt)
lc() { tr 'A-F' 'a-f' <<<"$1"; }
hasi() { # hasi NAME NEEDLE: has, ignoring case (addresses are checksummed)
  if grep -qi -- "$2" "$T/err"; then ok; else ko "$1: no '$2' in: $(cat "$T/err")"; fi
}
check_eq "the app saw three decrypted records" \
  "$(printf '1 %s a1@alice.example\n2 %s a2@alice.example\n3 %s c1@carol.example' \
    "$(lc "$PD1")" "$(lc "$PD2")" "$(lc "$PD3")")" "$RES"

# Each owner's receipts show the bulk task, one key release per record
# (in each record's own log), and verify against the chain.
BT=$(jget 'd["tasks"][0]["taskId"]' <<<"$out")
for pd in "$PD1" "$PD3"; do
  check_rc "bulk receipts $pd" 0 "$DECC" --json receipts "$pd" --verify
  check_eq "bulk key release of $pd" 1 "$(jget '[(r["kind"], r["taskid"].lower(), r["dataset"].lower()) for r in d["receipts"]].count(("key-release", "'"$(lc "$BT")"'", "'"$(lc "$pd")"'"))' <<<"$out")"
  check_eq "bulk result receipt of $pd" 1 "$(jget '[(r["kind"], r["taskid"].lower()) for r in d["receipts"]].count(("result", "'"$(lc "$BT")"'"))' <<<"$out")"
  check_eq "bulk receipts of $pd verify" True "$(jget 'd["verify"]["ok"]' <<<"$out")"
done
check_rc "no receipt for the record not in the task" 0 "$DECC" --json receipts "$PD4"
check_eq "PD4 has no receipt" 0 "$(jget 'len(d["receipts"])' <<<"$out")"

# 2. --per-task 2: two tasks (slices 0 and 1), their entries in task order.
printf '# bulk list\n%s\n\n%s  # Carol\n%s\n' "$PD3" "$PD1" "$PD2" >list.txt
check_rc "bulk file, 2 per task" 0 "$DECC" process --bulk-file list.txt --per-task 2 \
  --app "$APP" --private-key-file bob.key --timeout 120 --path result.txt
grep -q "PREPARE_PROTECTED_DATA_BULK" "$T/err" && ok || ko "no bulk step: $(cat "$T/err")"
check_eq "two slices" \
  "$(printf '1 %s c1@carol.example\n2 %s a1@alice.example\n1 %s a2@alice.example' \
    "$(lc "$PD3")" "$(lc "$PD1")" "$(lc "$PD2")")" "$out"

# 3. A record granted without --bulk is refused, naming it.
expect_rc "not a bulk grant" 1 "$DECC" process "$PD1" "$PD4" --app "$APP" --private-key-file bob.key
hasi "not bulk: names the record" "$PD4"
has "not bulk: reason" "does not allow bulk processing"
has "not bulk: fix" "--bulk"
# 4. A revoked bulk grant too. The node's market API lists open orders
# only: once its watcher applied the revocation the CLI cannot tell revoked
# from exhausted and says both; just before, the order is listed but
# consumed on chain, which only a revocation does to a bulk grant.
check_rc "revoke bulk grant 2" 0 "$DECC" revoke "$H2" --private-key-file alice.key
expect_rc "revoked" 1 "$DECC" process "$PD1" "$PD2" --app "$APP" --private-key-file bob.key
hasi "revoked: names the record" "$PD2"
has "revoked: reason" "revoked"
# Reading the data directory's own market file (which also keeps closed
# orders), the grant is known to be revoked.
mv "$DECC_HOME/config.json" config.off
expect_rc "revoked (local market)" 1 "$DECC" process "$PD1" "$PD2" --app "$APP" --private-key-file bob.key
hasi "revoked (local): names the record" "$PD2"
has "revoked (local): reason" "was revoked by the owner"
mv config.off "$DECC_HOME/config.json"
# 5. The SMS checks every grant against the deal when the task runs: a
# grant revoked after the deal was made gets no key. With the node stopped,
# Bob makes the deal on the data directory's ledger and market, Carol
# revokes; the restarted node runs the task and its pre-compute fails,
# naming the record and PoCo's reason.
stop_pid "$NODE_LAST_PID"
mv "$DECC_HOME/config.json" config.off
check_rc "bulk deal, node down" 0 "$DECC" --json process "$PD1" "$PD3" --app "$APP" \
  --no-wait --private-key-file bob.key
TASK=$(jget 'd["tasks"][0]["taskId"]' <<<"$out")
check_rc "revoke bulk grant 3" 0 "$DECC" revoke "$H3" --private-key-file carol.key
rm -f "$T/port"
start_node "$T/port" "$T/node2.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" \
  --roles all --workerpool "$WP" --scheduler_key_file "$T/pool.key" \
  --worker_key_file "$T/worker.key" --platform_key_file "$T/plat.key" \
  --sms_trusted_platforms "$PLAT" --log_requests false
U=$NODE_URL
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"
rm -f config.off
expect_rc "task with a revoked grant" 1 "$DECC" task wait "$TASK" --timeout 120 --private-key-file bob.key
has "revoked at run time: cause" "BULK_DATASET_REFUSED"
has "revoked at run time: reason" "Dataset order is revoked or fully consumed"
hasi "revoked at run time: names the record" "#2 $PD3"
grep -q "bulk dataset 1 .* released" "$T/node2.log" && ok || ko "SMS log: no release of item 1"
grep -q "bulk dataset 2 .* refused" "$T/node2.log" && ok || ko "SMS log: no refusal of item 2"

# 6. Bad input.
expect_rc "twice" 1 "$DECC" process "$PD1" "$PD1" --app "$APP" --private-key-file bob.key
has "twice: reason" "listed twice"
expect_rc "bad --per-task" 2 "$DECC" process "$PD1" "$PD3" --per-task 101 --app "$APP" --private-key-file bob.key
expect_rc "data max price" 2 "$DECC" process "$PD1" "$PD3" --data-max-price 1 --app "$APP" --private-key-file bob.key
printf 'not-an-address\n' >bad.txt
expect_rc "bad list" 2 "$DECC" process --bulk-file bad.txt --app "$APP" --private-key-file bob.key
has "bad list: line" "bad.txt line 1"
finish
