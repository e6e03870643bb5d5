#!/usr/bin/env bash
# make_schema_fixture.sh — writes a small ledger file in the schema of the
# decc build it runs, for the tests of the upgrade to the current schema:
# opening it must keep every answer, and `chain verify` must pass.
#
#  - tests/unit/ledger/schema1.sqlite (logs indexed by address, topic0,
#    topic1 and tx hash; test_ledger_logs.c) was written with the build of
#    commit 30bc14e, the last schema-1 build:
#    DECC=build-logs/bin/decc bash tests/unit/ledger/make_schema_fixture.sh \
#      tests/unit/ledger/schema1.sqlite
#  - tests/unit/ledger/schema2.sqlite and schema2.state (transactions keyed
#    by hash, deal and task records by id; test_ledger_upgrade.c) with the
#    build of commit 5537816, the last schema-2 build:
#    DECC=b/bin/decc bash tests/unit/ledger/make_schema_fixture.sh \
#      tests/unit/ledger/schema2.sqlite
# A later build writes a file of its own schema, so the committed files are
# the reference; do not regenerate them. Beside OUT it writes OUT's name
# with .state instead of .sqlite: the state hash `chain verify` printed
# (the schema-1 run predates that line).
#
# The history: deposit, withdraw, a reverted withdraw (no logs), transfers,
# app / dataset / workerpool deploys, a workerpool policy change, an NFT
# transfer, a match of four signed orders (Lock, OrdersMatched,
# SchedulerNotice…), a task initialize, time travel and a task claim, a
# presigned order and a cancelled one: many event kinds, addresses and
# topic1 values. Needs DECC, jq and sqlite3.
set -euo pipefail
: "${DECC:?DECC must point to the decc binary}"
OUT=${1:?usage: make_schema_fixture.sh OUT.sqlite}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export DECC_HOME="$T/home"
"$DECC" --json chain init --dev >"$T/init.json"
for i in 0 1 2 3 4 5; do
  jq -r ".accounts[$i].privateKey" "$T/init.json" >"$T/k$i"
  eval "A$i=$(jq -r ".accounts[$i].address" "$T/init.json")"
done
HUB=$("$DECC" --json chain info | jq -r .contracts.hub)
q() { "$DECC" --json "$@" >/dev/null; }
qrev() { "$DECC" --json "$@" >/dev/null 2>&1 && exit 1 || true; } # must revert
q account deposit "1.5 RLC" --private-key-file "$T/k1"
q account withdraw 500000000 --private-key-file "$T/k1"
qrev account withdraw "999999 RLC" --private-key-file "$T/k1"
q account transfer "$A5" "2 RLC" --private-key-file "$T/k1"
q account transfer "$A2" 7 --private-key-file "$T/k5"
SUM=0x$(printf '5a%.0s' $(seq 32))
APP=$("$DECC" --json app deploy --name hello --multiaddr docker.io/hello:1 --checksum "$SUM" --private-key-file "$T/k1" | jq -r .app)
DS=$("$DECC" --json dataset deploy --name data --multiaddr /ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG --checksum "$SUM" --private-key-file "$T/k2" | jq -r .dataset)
WP=$("$DECC" --json workerpool deploy --description pool --private-key-file "$T/k3" | jq -r .workerpool)
q workerpool policy "$WP" --scheduler-reward-ratio 5 --private-key-file "$T/k3"
q dataset transfer "$DS" "$A5" --private-key-file "$T/k2"
q dataset transfer "$DS" "$A2" --private-key-file "$T/k5"
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
rq() { # rq DATASET VOLUME
  cat <<EOF
{"app":"$APP","appmaxprice":"3000000000","dataset":"$1","datasetmaxprice":"1000000000",
 "workerpool":"$Z","workerpoolmaxprice":"1000000000","requester":"$A4","volume":"$2",
 "tag":"$Z32","category":"0","trust":"0","beneficiary":"$A4","callback":"$Z","params":"{}"}
EOF
}
rq "$DS" 2 >"$T/rq.json"
"$DECC" order sign --type apporder "${OS[@]}" --private-key-file "$T/k1" "$T/app.json" >"$T/app.s.json"
"$DECC" order sign --type datasetorder "${OS[@]}" --private-key-file "$T/k2" "$T/ds.json" >"$T/ds.s.json"
"$DECC" order sign --type workerpoolorder "${OS[@]}" --private-key-file "$T/k3" "$T/wp.json" >"$T/wp.s.json"
"$DECC" order sign --type requestorder "${OS[@]}" --private-key-file "$T/k4" "$T/rq.json" >"$T/rq.s.json"
DEAL=$("$DECC" --json match "$T/app.s.json" "$T/ds.s.json" "$T/wp.s.json" "$T/rq.s.json" --private-key-file "$T/k4" | jq -r .dealid)
TASK=$("$DECC" --json task initialize "$DEAL" 0 --private-key-file "$T/k3" | jq -r .taskid)
q task initialize "$DEAL" 1 --private-key-file "$T/k3"
q chain time +3001
q task claim "$TASK" --private-key-file "$T/k4"
jq 'del(.sign)' "$T/wp.s.json" >"$T/wp.unsigned.json"
q order presign "$T/wp.unsigned.json" --private-key-file "$T/k3"
rq "$Z" 1 >"$T/rq2.json"
"$DECC" order sign --type requestorder "${OS[@]}" --private-key-file "$T/k4" "$T/rq2.json" >"$T/rq2.s.json"
q match "$T/app.s.json" - "$T/wp.unsigned.json" "$T/rq2.s.json" --private-key-file "$T/k4"
q order cancel "$T/app.s.json" --private-key-file "$T/k1"
"$DECC" --json chain verify | jq -r .stateHash >"${OUT%.sqlite}.state"
# one self-contained file: fold the WAL in, small pages (a smaller file
# in git; the page size is not part of the format decc reads), no free pages
sqlite3 "$DECC_HOME/chain/ledger.sqlite" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; PRAGMA page_size=1024; VACUUM;" >/dev/null
cp "$DECC_HOME/chain/ledger.sqlite" "$OUT"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes, $(sqlite3 "$OUT" 'SELECT count(*) FROM logs') logs)"
