#!/usr/bin/env bash
# test_chain.sh — the ledger commands end to end on a fresh data directory:
# chain init/info/block/tx/logs/verify/time, account balance/deposit/
# withdraw/transfer (amount units), app/dataset/workerpool deploy/show/
# transfer (+ policy), order cancel/presign, match with orders signed by
# `decc order sign`, deal show, task initialize/show/claim after time
# travel; every write prints its tx hash and decoded events, and the error
# paths: bad amounts (exit 2), unknown tx/block (1), bad or missing key,
# reverts shown with PoCo's reason (exit 1, the tx still recorded).
# Needs DECC; uses jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${DECC:?DECC must point to the decc binary}"
export DECC_HOME="$T/home"

# ---- init ---------------------------------------------------------------
expect_err "info before init" 1 "$DECC" chain info
contains "hint to init" "decc chain init" "$(cat "$T/err")"
"$DECC" --json chain init --dev >"$T/init.json"
check_eq "chain id" 31337 "$(jq -r .chainId "$T/init.json")"
check_eq "dev accounts" 10 "$(jq -r '.accounts | length' "$T/init.json")"
for i in 0 1 2 3 4 5; do
  jq -r ".accounts[$i].privateKey" "$T/init.json" >"$T/k$i"
  eval "A$i=$(jq -r ".accounts[$i].address" "$T/init.json")"
done
expect_err "init twice" 1 "$DECC" chain init
contains "exists" "already exists" "$(cat "$T/err")"
# without --dev no key is printed
DECC_HOME="$T/home2" "$DECC" chain init >"$T/init2.txt"
if grep -q "0x[0-9a-f]\{64\}" "$T/init2.txt"; then bad "keys printed without --dev"; else ok; fi
INFO=$("$DECC" --json chain info)
HUB=$(jq -r .contracts.hub <<<"$INFO")
TOKEN=$(jq -r .contracts.token <<<"$INFO")
check_eq "hub" 0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0 "$HUB"
check_eq "head 0" 0 "$(jq -r .headNumber <<<"$INFO")"
contains "text info" "chain id            31337" "$("$DECC" chain info)"

# ---- accounts -----------------------------------------------------------
B=$("$DECC" --json account balance "$A1")
check_eq "stake" 1000000000000 "$(jq -r .stake <<<"$B")"
check_eq "wallet" 1000000000000000 "$(jq -r .wallet <<<"$B")"
check_eq "balance by key" "$B" "$("$DECC" --json account balance --private-key-file "$T/k1")"
contains "text balance" "stake   1000 RLC" "$("$DECC" account balance "$A1")"
OUT=$("$DECC" account deposit "1.5 RLC" --private-key-file "$T/k1")
contains "deposit tx" "tx 0x" "$OUT"
contains "deposit event" "Transfer" "$OUT"
check_eq "stake after deposit" 1001500000000 "$("$DECC" --json account balance "$A1" | jq -r .stake)"
J=$("$DECC" --json account withdraw 500000000 --private-key-file "$T/k1")
check_eq "withdraw status" 1 "$(jq -r .status <<<"$J")"
check_eq "withdraw amount" 500000000 "$(jq -r .amount <<<"$J")"
check_eq "withdraw tx hash" 66 "$(jq -r .transactionHash <<<"$J" | tr -d '\n' | wc -c)"
check_eq "stake after withdraw" 1001000000000 "$("$DECC" --json account balance "$A1" | jq -r .stake)"
J=$("$DECC" --json account transfer "$A5" "2 RLC" --private-key-file "$T/k1")
check_eq "transfer event" Transfer "$(jq -r '.events[0].event' <<<"$J")"
check_eq "transfer value" 2000000000 "$(jq -r '.events[0].args.value' <<<"$J")"
check_eq "transfer to" "$A5" "$(jq -r '.events[0].args.to' <<<"$J")"
check_eq "recipient wallet" 1000002000000000 "$("$DECC" --json account balance "$A5" | jq -r .wallet)"
for amt in "1.2.3" "abc" "1.0000000001 RLC" "5 ETH" "" "-3" "0.5 nRLC"; do
  expect_err "bad amount '$amt'" 2 "$DECC" account deposit "$amt" --private-key-file "$T/k1"
done
check_eq "nRLC unit" 1 "$("$DECC" --json account withdraw "7 nRLC" --private-key-file "$T/k1" | jq -r .status)"
# a revert: withdrawing more than the stake; the tx is recorded, nonce used
N0=$("$DECC" --json account balance "$A1" | jq -r .nonce)
expect_err "withdraw too much" 1 "$DECC" account withdraw "999999 RLC" --private-key-file "$T/k1"
contains "revert printed" "reverted" "$(cat "$T/err")"
REV_TX=$(sed -n 's/^tx //p' "$T/out")
check_eq "revert consumed nonce" $((N0 + 1)) "$("$DECC" --json account balance "$A1" | jq -r .nonce)"
check_eq "revert in chain tx" 0 "$("$DECC" --json chain tx "$REV_TX" 2>/dev/null | jq -r .status || true)"
# keys
printf 'not-a-key\n' >"$T/badkey"
expect_err "malformed key" 1 "$DECC" account deposit 1 --private-key-file "$T/badkey"
expect_err "missing key file" 1 "$DECC" account deposit 1 --private-key-file "$T/nope"
expect_err "no key" 2 "$DECC" account deposit 1
expect_err "both keys" 2 "$DECC" account deposit 1 --private-key-file "$T/k1" --keystore "$T/k1"
expect_err "bad address" 2 "$DECC" account balance 0x1234
# a keystore key signs the same way
echo 'chain-test-password' >"$T/pw"
"$DECC" wallet import --private-key-file "$T/k2" -o "$T/ks2.json" --password-file "$T/pw" \
  --kdf pbkdf2 --pbkdf2-c 1000 >/dev/null 2>&1
check_eq "keystore send" 1 "$("$DECC" --json account transfer "$A5" 1 --keystore "$T/ks2.json" --password-file "$T/pw" | jq -r .status)"
echo wrong >"$T/pw2"
expect_err "wrong password" 1 "$DECC" account transfer "$A5" 1 --keystore "$T/ks2.json" --password-file "$T/pw2"

# ---- assets ---------------------------------------------------------------
SUM=0x$(printf '5a%.0s' $(seq 32))
J=$("$DECC" --json app deploy --name hello --multiaddr docker.io/hello:1 --checksum "$SUM" --private-key-file "$T/k1")
APP=$(jq -r .app <<<"$J")
check_eq "app deploy status" 1 "$(jq -r .status <<<"$J")"
check_eq "app mint event" Transfer "$(jq -r '.events[0].event' <<<"$J")"
check_eq "app mint token" "$(python3 -c "print(int('$APP',16))")" "$(jq -r '.events[0].args.tokenId' <<<"$J")"
S=$("$DECC" --json app show "$APP")
check_eq "app owner" "$A1" "$(jq -r .owner <<<"$S")"
check_eq "app name" hello "$(jq -r .name <<<"$S")"
check_eq "app multiaddr" docker.io/hello:1 "$(jq -r .multiaddr <<<"$S")"
check_eq "app checksum" "$SUM" "$(jq -r .checksum <<<"$S")"
check_eq "app type" DOCKER "$(jq -r .type <<<"$S")"
expect_err "app deploy twice" 1 "$DECC" app deploy --name hello --multiaddr docker.io/hello:1 --checksum "$SUM" --private-key-file "$T/k1"
contains "create2 revert" "Create2: Failed on deploy" "$(cat "$T/err")"
expect_err "app deploy no checksum" 2 "$DECC" app deploy --name x --multiaddr y --private-key-file "$T/k1"
expect_err "app deploy bad checksum" 2 "$DECC" app deploy --name x --multiaddr y --checksum 0x12 --private-key-file "$T/k1"
expect_err "app show unknown" 1 "$DECC" app show "$A3"
contains "not registered" "not a registered app" "$(cat "$T/err")"
# --bundle: the checksum is the bundle's SHA-256 (its measurement)
printf 'bundle bytes' >"$T/b.tar"
# (the bundle must be in the store the workers fetch from)
BCID=$("$DECC" --json store add "$T/b.tar" | jq -r .Hash)
J=$("$DECC" --json app deploy --name b --multiaddr "/ipfs/$BCID" --bundle "$T/b.tar" --private-key-file "$T/k1")
S=$("$DECC" --json app show "$(jq -r .app <<<"$J")")
check_eq "bundle checksum" "0x$(sha256sum "$T/b.tar" | cut -c1-64)" "$(jq -r .checksum <<<"$S")"
check_eq "ipfs multiaddr" "/ipfs/$BCID" "$(jq -r .multiaddr <<<"$S")"
# transfer: the NFT moves and so does the ownership
J=$("$DECC" --json app transfer "$(jq -r .app <<<"$J")" "$A5" --private-key-file "$T/k1")
check_eq "app transfer status" 1 "$(jq -r .status <<<"$J")"
check_eq "app transfer event" Transfer "$(jq -r '.events[-1].event' <<<"$J")"
check_eq "new app owner" "$A5" "$("$DECC" --json app show "$(jq -r '.events[-1].args.tokenId' <<<"$J" | python3 -c 'import sys;print("0x%040x"%int(sys.stdin.read()))')" | jq -r .owner)"
expect_err "app transfer not owner" 1 "$DECC" app transfer "$APP" "$A5" --private-key-file "$T/k2"
contains "erc721 reason" "ERC721" "$(cat "$T/err")"

J=$("$DECC" --json dataset deploy --name data --multiaddr /ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG --checksum "$SUM" --private-key-file "$T/k2")
DS=$(jq -r .dataset <<<"$J")
S=$("$DECC" --json dataset show "$DS")
check_eq "dataset owner" "$A2" "$(jq -r .owner <<<"$S")"
check_eq "dataset name" data "$(jq -r .name <<<"$S")"
contains "dataset text show" "checksum" "$("$DECC" dataset show "$DS")"
expect_err "dataset show app" 1 "$DECC" dataset show "$APP"

J=$("$DECC" --json workerpool deploy --description pool --private-key-file "$T/k3")
WP=$(jq -r .workerpool <<<"$J")
S=$("$DECC" --json workerpool show "$WP")
check_eq "wp description" pool "$(jq -r .description <<<"$S")"
check_eq "wp default stake ratio" 30 "$(jq -r .workerStakeRatioPolicy <<<"$S")"
check_eq "wp default reward ratio" 1 "$(jq -r .schedulerRewardRatioPolicy <<<"$S")"
J=$("$DECC" --json workerpool policy "$WP" --scheduler-reward-ratio 5 --private-key-file "$T/k3")
check_eq "policy event" PolicyUpdate "$(jq -r '.events[0].event' <<<"$J")"
S=$("$DECC" --json workerpool show "$WP")
check_eq "wp reward ratio" 5 "$(jq -r .schedulerRewardRatioPolicy <<<"$S")"
check_eq "wp stake ratio kept" 30 "$(jq -r .workerStakeRatioPolicy <<<"$S")"
expect_err "policy not owner" 1 "$DECC" workerpool policy "$WP" --worker-stake-ratio 10 --private-key-file "$T/k1"
expect_err "policy > 100" 2 "$DECC" workerpool policy "$WP" --scheduler-reward-ratio 101 --private-key-file "$T/k3"
# a dataset transfer to A5 and back
check_eq "dataset transfer" 1 "$("$DECC" --json dataset transfer "$DS" "$A5" --private-key-file "$T/k2" | jq -r .status)"
check_eq "dataset back" 1 "$("$DECC" --json dataset transfer "$DS" "$A2" --private-key-file "$T/k5" | jq -r .status)"

# ---- orders, match, deal, tasks --------------------------------------------
Z=0x0000000000000000000000000000000000000000
Z32=0x0000000000000000000000000000000000000000000000000000000000000000
OS=(--chain-id 31337 --hub "$HUB")
cat >"$T/app.json" <<EOF
{"app":"$APP","appprice":"3000000000","volume":"10","tag":"$Z32",
 "datasetrestrict":"$Z","workerpoolrestrict":"$Z","requesterrestrict":"$Z"}
EOF
cat >"$T/ds.json" <<EOF
{"dataset":"$DS","datasetprice":"1000000000","volume":"10","tag":"$Z32",
 "apprestrict":"$Z","workerpoolrestrict":"$Z","requesterrestrict":"$Z"}
EOF
cat >"$T/wp.json" <<EOF
{"workerpool":"$WP","workerpoolprice":"1000000000","volume":"10","tag":"$Z32",
 "category":"0","trust":"0","apprestrict":"$Z","datasetrestrict":"$Z","requesterrestrict":"$Z"}
EOF
rq() { # rq CATEGORY DATASET VOLUME
  cat <<EOF
{"app":"$APP","appmaxprice":"3000000000","dataset":"$2","datasetmaxprice":"1000000000",
 "workerpool":"$Z","workerpoolmaxprice":"1000000000","requester":"$A4","volume":"$3",
 "tag":"$Z32","category":"$1","trust":"0","beneficiary":"$A4","callback":"$Z","params":"{}"}
EOF
}
rq 0 "$DS" 2 >"$T/rq.json"
rq 1 "$DS" 1 >"$T/rq_badcat.json"
"$DECC" order sign --type apporder "${OS[@]}" --private-key-file "$T/k1" "$T/app.json" >"$T/app.s.json"
"$DECC" order sign --type datasetorder "${OS[@]}" --private-key-file "$T/k2" "$T/ds.json" >"$T/ds.s.json"
"$DECC" order sign --type workerpoolorder "${OS[@]}" --private-key-file "$T/k3" "$T/wp.json" >"$T/wp.s.json"
"$DECC" order sign --type requestorder "${OS[@]}" --private-key-file "$T/k4" "$T/rq.json" >"$T/rq.s.json"
"$DECC" order sign --type requestorder "${OS[@]}" --private-key-file "$T/k4" "$T/rq_badcat.json" >"$T/rq_badcat.s.json"
# a refused match shows PoCo's reason and changes no balance
STAKE4=$("$DECC" --json account balance "$A4" | jq -r .stake)
expect_err "match 0x00" 1 "$DECC" match "$T/app.s.json" "$T/ds.s.json" "$T/wp.s.json" "$T/rq_badcat.s.json" --private-key-file "$T/k4"
contains "match reason" "iExecV5-matchOrders-0x00" "$(cat "$T/err")"
contains "match revert tx" "tx 0x" "$(cat "$T/out")"
check_eq "no lock on revert" "$STAKE4" "$("$DECC" --json account balance "$A4" | jq -r .stake)"
expect_err "match missing file" 1 "$DECC" match "$T/app.s.json" "$T/nope.json" "$T/wp.s.json" "$T/rq.s.json" --private-key-file "$T/k4"
expect_err "match 3 files" 2 "$DECC" match "$T/app.s.json" "$T/wp.s.json" "$T/rq.s.json" --private-key-file "$T/k4"
J=$("$DECC" --json match "$T/app.s.json" "$T/ds.s.json" "$T/wp.s.json" "$T/rq.s.json" --private-key-file "$T/k4")
DEAL=$(jq -r .dealid <<<"$J")
check_eq "match status" 1 "$(jq -r .status <<<"$J")"
check_eq "orders matched event" OrdersMatched "$(jq -r '[.events[].event] | last' <<<"$J")"
check_eq "matched volume" 2 "$(jq -r '.events[-1].args.volume' <<<"$J")"
check_eq "requester locked" 10000000000 "$("$DECC" --json account balance "$A4" | jq -r .locked)"
D=$("$DECC" --json deal show "$DEAL")
check_eq "deal app" "$APP" "$(jq -r .app.pointer <<<"$D")"
check_eq "deal dataset price" 1000000000 "$(jq -r .dataset.price <<<"$D")"
check_eq "deal bot size" 2 "$(jq -r .botSize <<<"$D")"
check_eq "deal tasks" 2 "$(jq -r '.tasks | length' <<<"$D")"
contains "deal text" "requester" "$("$DECC" deal show "$DEAL")"
expect_err "deal unknown" 1 "$DECC" deal show "$Z32"
expect_err "deal bad id" 2 "$DECC" deal show 0x12
J=$("$DECC" --json task initialize "$DEAL" 0 --private-key-file "$T/k3")
TASK=$(jq -r .taskid <<<"$J")
check_eq "task id = deal task 0" "$(jq -r '.tasks[0]' <<<"$D")" "$TASK"
check_eq "task init event" TaskInitialize "$(jq -r '.events[0].event' <<<"$J")"
T0=$("$DECC" --json task show "$TASK")
check_eq "task active" ACTIVE "$(jq -r .status <<<"$T0")"
check_eq "task deal" "$DEAL" "$(jq -r .dealid <<<"$T0")"
contains "task text" "ACTIVE" "$("$DECC" task show "$TASK")"
expect_err "task init twice" 1 "$DECC" task initialize "$DEAL" 0 --private-key-file "$T/k3"
expect_err "task show unknown" 1 "$DECC" task show "$Z32"
expect_err "claim too early" 1 "$DECC" task claim "$TASK" --private-key-file "$T/k4"
contains "claim reason" "reverted" "$(cat "$T/err")"
J=$("$DECC" --json chain time +3001)
check_eq "time offset" 3001 "$(jq -r .offset <<<"$J")"
expect_err "time backwards" 2 "$DECC" chain time -5
expect_err "time garbage" 2 "$DECC" chain time +abc
J=$("$DECC" --json task claim "$TASK" --private-key-file "$T/k4")
check_eq "claim status" 1 "$(jq -r .status <<<"$J")"
contains "claim events" TaskClaimed "$(jq -r '[.events[].event] | join(",")' <<<"$J")"
check_eq "task failed" FAILED "$("$DECC" --json task show "$TASK" | jq -r .status)"
check_eq "requester refunded one task" 5000000000 "$("$DECC" --json account balance "$A4" | jq -r .locked)"

# presign / cancel: an unsigned workerpool order works once presigned; a
# cancelled app order cannot be matched again
jq 'del(.sign)' "$T/wp.s.json" >"$T/wp.unsigned.json"
J=$("$DECC" --json order presign "$T/wp.unsigned.json" --private-key-file "$T/k3")
check_eq "presign event" SignedWorkerpoolOrder "$(jq -r '.events[0].event' <<<"$J")"
rq 0 "$Z" 1 >"$T/rq2.json"
"$DECC" order sign --type requestorder "${OS[@]}" --private-key-file "$T/k4" "$T/rq2.json" >"$T/rq2.s.json"
J=$("$DECC" --json match "$T/app.s.json" - "$T/wp.unsigned.json" "$T/rq2.s.json" --private-key-file "$T/k4")
check_eq "presigned match" 1 "$(jq -r .status <<<"$J")"
expect_err "presign not owner" 1 "$DECC" order presign "$T/wp.unsigned.json" --private-key-file "$T/k1"
J=$("$DECC" --json order cancel "$T/app.s.json" --private-key-file "$T/k1")
check_eq "cancel event" ClosedAppOrder "$(jq -r '.events[0].event' <<<"$J")"
"$DECC" order sign --type requestorder "${OS[@]}" --private-key-file "$T/k4" "$T/rq2.json" >"$T/rq3.s.json"
expect_err "match cancelled" 1 "$DECC" match "$T/app.s.json" none "$T/wp.unsigned.json" "$T/rq3.s.json" --private-key-file "$T/k4"
contains "cancelled reason" "iExecV5-matchOrders-0x60" "$(cat "$T/err")"
expect_err "cancel no file" 2 "$DECC" order cancel --private-key-file "$T/k1"
expect_err "cancel bad type" 2 "$DECC" order cancel "$T/app.s.json" --type nope --private-key-file "$T/k1"

# ---- chain queries --------------------------------------------------------
HEAD=$("$DECC" --json chain info | jq -r .headNumber)
B1=$("$DECC" --json chain block 1)
check_eq "block 1" 1 "$(jq -r .number <<<"$B1")"
check_eq "block 1 txs" 1 "$(jq -r '.transactions | length' <<<"$B1")"
check_eq "latest" "$HEAD" "$("$DECC" --json chain block latest | jq -r .number)"
check_eq "parent link" "$(jq -r .hash <<<"$B1")" "$("$DECC" --json chain block 2 | jq -r .parentHash)"
expect_err "block unknown" 1 "$DECC" chain block 999999
expect_err "block garbage" 2 "$DECC" chain block x1
TX1=$(jq -r '.transactions[0]' <<<"$B1")
check_eq "tx from block" "$TX1" "$("$DECC" --json chain tx "$TX1" | jq -r .transactionHash)"
contains "tx text" "block 1, success" "$("$DECC" chain tx "$TX1")"
expect_err "tx unknown" 1 "$DECC" chain tx "$Z32"
contains "unknown tx message" "unknown transaction" "$(cat "$T/err")"
expect_err "tx bad hash" 2 "$DECC" chain tx 0xabc
OM=0xd811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f4610a4
L=$("$DECC" --json chain logs --address "$HUB" --topic "$OM")
check_eq "OrdersMatched logs" 2 "$(jq -r 'length' <<<"$L")"
check_eq "OrdersMatched deal" "$DEAL" "$(jq -r '.[0].args.dealid' <<<"$L")"
check_eq "logs range empty" 0 "$("$DECC" --json chain logs --from 1 --to 1 --topic "$OM" | jq -r length)"
check_eq "logs any topic0" "$("$DECC" --json chain logs --address "$TOKEN" | jq -r length)" \
  "$("$DECC" --json chain logs --address "$TOKEN" --topic - | jq -r length)"
contains "logs text" "OrdersMatched" "$("$DECC" chain logs --topic "$OM")"
expect_err "logs bad topic" 2 "$DECC" chain logs --topic 0x12
expect_err "logs bad option" 2 "$DECC" chain logs --frm 1
V=$("$DECC" --json chain verify)
check_eq "verify ok" true "$(jq -r .ok <<<"$V")"
check_eq "verify txs" "$("$DECC" --json chain info | jq -r .transactions)" "$(jq -r .transactions <<<"$V")"
contains "verify text" "ok:" "$("$DECC" chain verify)"
contains "time text" "offset +3001" "$("$DECC" chain time)"

# ---- help and usage ---------------------------------------------------------
for c in chain account workerpool match deal task; do
  expect_err "$c --help" 0 "$DECC" $c --help
done
expect_err "app deploy --help" 0 "$DECC" app deploy --help
expect_err "dataset deploy --help" 0 "$DECC" dataset deploy --help
expect_err "order cancel --help" 0 "$DECC" order cancel --help
expect_err "chain nope" 2 "$DECC" chain nope
expect_err "account nope" 2 "$DECC" account nope
expect_err "task nope" 2 "$DECC" task nope

finish
