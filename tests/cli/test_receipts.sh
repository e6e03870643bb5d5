#!/usr/bin/env bash
# test_receipts.sh — per-use receipts (issue 15): a `decc node` with every
# role runs two tasks on Alice's data; then
#   - `decc receipts DATA --verify` (the node's data directory) lists a
#     key-release and a result receipt per task and verifies them: hash
#     chain, SMS signatures, deals and tasks on the chain;
#   - from another data directory over the node's HTTP API: Alice (the
#     owner, signed challenge) gets and verifies the same receipts; Bob is
#     refused; a forged or stale Authorization is refused (401);
#   - bad input, each reported with the reason and exit 1: a forged receipt
#     (a byte changed), a receipt removed, a replayed receipt (appended
#     again), receipts reordered, receipts cut off the end (a completed
#     task without a release receipt), receipts checked against another
#     SMS key (--signer); a torn tail is a warning;
#   - the SMS's next append truncates the torn tail and the log verifies.
# Runs a `decc node` with every role (tests/cli/receipts_fixture.sh).
source "$(dirname "$0")/receipts_fixture.sh"

check_rc "grant" 0 "$DECC" grant "$PD" --app "$APP" --user "$BOB" --uses 5 --purpose "audit" --private-key-file alice.key
check_rc "process 1" 0 "$DECC" --json process "$PD" --app "$APP" --private-key-file bob.key --timeout 120
T1=$(jget 'd["taskId"]' <<<"$out")
check_rc "process 2" 0 "$DECC" --json process "$PD" --app "$APP" --private-key-file bob.key --timeout 120
T2=$(jget 'd["taskId"]' <<<"$out")

check_rc "receipts verify" 0 "$DECC" --json receipts "$PD" --verify
[ "$(jget '[(r["kind"], r["taskid"]) for r in d["receipts"]].count(("key-release", "'"$T1"'"))' <<<"$out")" = 1 ] && ok || ko "release 1: $out"
[ "$(jget '[(r["kind"], r["taskid"]) for r in d["receipts"]].count(("result", "'"$T2"'"))' <<<"$out")" = 1 ] && ok || ko "result 2: $out"
[ "$(jget 'len(d["receipts"])' <<<"$out")" = 4 ] && ok || ko "4 receipts: $out"
[ "$(jget 'd["verify"]["ok"]' <<<"$out")" = True ] && ok || ko "verify: $out"
[ "$(jget 'd["verify"]["chainChecked"]' <<<"$out")" = 4 ] && ok || ko "chain checked: $out"
[ "$(jget 'all(r["enclaveSignature"] for r in d["receipts"] if r["kind"]=="result")' <<<"$out")" = True ] && ok || ko "enclave signatures: $out"
SIGNER=$(jget 'd["signer"]' <<<"$out")
check_rc "receipts text" 0 "$DECC" receipts "$PD" --verify
grep -q '^verified: 4 receipt(s)' <<<"$out" && ok || ko "text verify: $out"

# An address that is not a protected data (the app's, an account): exit 1
# naming it, not "0 receipts".
check_rc "not a protected data" 1 "$DECC" receipts "$APP"
errhas "not a protected data" "no protected data $APP on this chain (check the address)"
check_rc "an account, not a protected data" 1 "$DECC" receipts "$BOB" --verify
errhas "an account, not a protected data" "no protected data $BOB on this chain"

# Over the node's HTTP API, from another data directory.
mkdir client
echo "{\"node\":\"$U\"}" >client/config.json
check_rc "remote owner" 0 env DECC_HOME="$T/client" "$DECC" --json receipts "$PD" --verify --private-key-file alice.key
[ "$(jget 'len(d["receipts"])' <<<"$out")" = 4 ] && ok || ko "remote receipts: $out"
[ "$(jget 'd["verify"]["ok"]' <<<"$out")" = True ] && ok || ko "remote verify: $out"
check_rc "remote not owner" 1 env DECC_HOME="$T/client" "$DECC" receipts "$PD" --private-key-file bob.key
errhas "remote not owner" "owner's signature"
check_rc "remote not a protected data" 1 env DECC_HOME="$T/client" "$DECC" receipts "$APP" --private-key-file alice.key
errhas "remote not a protected data" "no protected data $APP on this chain"
TS=$(date +%s)
check_rc "forged authorization" 0 curl -s -o /dev/null -w '%{http_code}' -H "Authorization: 0x$(printf '11%.0s' $(seq 65))" "$U/receipts/$PD?timestamp=$TS"
[ "$out" = 401 ] && ok || ko "forged auth: HTTP $out"
check_rc "stale timestamp" 0 curl -s -o /dev/null -w '%{http_code}' "$U/receipts/$PD?timestamp=1000"
[ "$out" = 401 ] && ok || ko "stale: HTTP $out"

# Tampered copies of the log, checked with --log.
LOG="$DECC_HOME/sms/receipts/${PD,,}.log"
frames() { # frames IN OUT PYEXPR(list of frames -> list of frames)
  python3 - "$1" "$2" "$3" <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read()
fr, i = [], 0
while i + 4 <= len(data):
    n = int.from_bytes(data[i:i+4], 'big')
    if n == 0: break  # zero padding: the space reserved for the next frames
    fr.append(bytearray(data[i:i+4+n])); i += 4 + n
f = eval(sys.argv[3])
open(sys.argv[2], 'wb').write(b''.join(bytes(x) for x in f))
EOF
}
frames "$LOG" same.log 'fr'
check_rc "copy verifies" 0 "$DECC" receipts "$PD" --log same.log --verify
check_rc "--log names no file" 1 "$DECC" receipts "$PD" --log no-such.log --verify
errhas "--log names no file" "no-such.log: No such file or directory"
frames "$LOG" forged.log '[fr[0]] + [fr[1][:300] + bytes([fr[1][300] ^ 1]) + fr[1][301:]] + fr[2:]'
check_rc "forged receipt" 1 "$DECC" receipts "$PD" --log forged.log --verify
errhas "forged receipt" "receipt #1: BAD_SIGNATURE"
frames "$LOG" removed.log '[fr[0]] + fr[2:]'
check_rc "receipt removed" 1 "$DECC" receipts "$PD" --log removed.log --verify
errhas "receipt removed" "SEQ_GAP"
errhas "receipt removed" "CHAIN_BROKEN"
frames "$LOG" cut.log 'fr[:1]'
check_rc "receipts cut off the end" 1 "$DECC" receipts "$PD" --log cut.log --verify
errhas "receipts cut off the end" "MISSING_RECEIPT"
frames "$LOG" replayed.log 'fr + [fr[0]]'
check_rc "receipt replayed" 1 "$DECC" receipts "$PD" --log replayed.log --verify
errhas "receipt replayed" "REPLAYED"
frames "$LOG" reordered.log '[fr[1], fr[0]] + fr[2:]'
check_rc "receipts reordered" 1 "$DECC" receipts "$PD" --log reordered.log --verify
errhas "receipts reordered" "SEQ_GAP"
check_rc "another SMS key" 1 "$DECC" receipts "$PD" --log same.log --verify --signer "$ALICE"
errhas "another SMS key" "not by the SMS"
frames "$LOG" torn.log 'fr + [fr[0][:100]]'
check_rc "torn tail" 0 "$DECC" receipts "$PD" --log torn.log --verify
errhas "torn tail" "interrupted by a crash"

# A crash left a torn tail in the SMS's own log: the next release
# truncates it (reported in the node's log) and the log verifies.
# The crash is simulated where it would leave its bytes: right after the
# last frame, in the space reserved for the next ones (the frame's length
# and magic: 8 bytes whose last one is not zero).
python3 - "$LOG" <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read()
end = len(data.rstrip(b'\0'))
with open(sys.argv[1], 'r+b') as f:
    f.seek(end); f.write(data[:8])
EOF
check_rc "process 3" 0 "$DECC" --json process "$PD" --app "$APP" --private-key-file bob.key --timeout 120
check_rc "after torn tail" 0 "$DECC" --json receipts "$PD" --verify
[ "$(jget 'd["verify"]["ok"] and len(d["receipts"]) == 6' <<<"$out")" = True ] && ok || ko "after torn tail: $out"
grep -q "truncated a torn tail of 8 bytes" "$T/node.log" && ok || ko "no truncation line in the node log"
[ "$(jget 'd["signer"]' <<<"$out")" = "$SIGNER" ] && ok || ko "signer changed"

finish
