#!/usr/bin/env bash
# test_demo.sh — runs `decc demo` (the README's main command) in a kept
# data directory and checks its story: every step printed, the decrypted
# result (the app saw Alice's email domain), the other app and the revoked
# grant refused with the reason, the books adding up to the nRLC, and the
# chain agreeing (Bob's grant used once, then canceled).
# When this build has no workerpool services the demo says which step is
# not available and exits 1: the test then checks every other step and
# that the task step is reported missing, not faked.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

set +e
start=$(date +%s)
"$DECC" demo --dir "$T/home" >"$T/out" 2>&1
rc=$?
out=$(cat "$T/out")
secs=$(($(date +%s) - start))
set -e
cat "$T/out"

has "demo output" "Bob creates a wallet 0x"
has "demo output" "Bob builds the sample iApp (sh) and deploys it: app 0x"
has "demo output" "Bob publishes an app order: 1 RLC per run"
has "demo output" "publishes its order: 0.5 RLC per task"
has "demo output" 'Alice protects {email, score}: protected data 0x'
has "demo output" "Alice grants app 0x.* to Bob: 3 uses at 2 RLC each"
has "demo output" "Bob tries app 0x.* instead: refused — no dataset order .*access not granted or exhausted"
has "demo output" "Alice revokes her grant (1 order closed on-chain"
has "demo output" "Bob tries again with the granted app: refused — .*access not granted or exhausted"
has "demo output" "balances before: alice 0 RLC"
has "demo output" "balances after:"
[ "$secs" -lt 60 ] && ok || ko "the demo took ${secs}s"

if grep -q "NOT AVAILABLE: running tasks" "$T/out"; then
  # Incomplete build: the missing step is named and nothing pretends.
  [ "$rc" = 1 ] && ok || ko "incomplete demo exit code $rc"
  has "demo output" "demo INCOMPLETE"
  has "demo output" "its execution is NOT AVAILABLE"
  has "demo output" "the books: totals unchanged (Alice 0 RLC, Bob 0 RLC, total 0 RLC); Bob's 3.5 RLC stays locked"
  if grep -q "COMPLETED" "$T/out"; then ko "a result was reported without a worker"; else ok; fi
  echo "note: workerpool services not in this build: result checks skipped"
else
  [ "$rc" = 0 ] && ok || ko "demo exit code $rc"
  has "demo output" "demo complete"
  has "demo output" "Bob processes it: task 0x[0-9a-f]* COMPLETED; decrypted result.json = "
  has "demo output" '"emailDomain":"example.com"'
  has "demo output" "the books: Alice +2 RLC (data), Bob -2.5 RLC (paid 3.5 RLC, got 1 RLC back as app owner)"
  has "demo output" "total 0 RLC: adds up to the nRLC"
  # The chain agrees: one use of the grant consumed before the revocation.
  export DECC_HOME="$T/home"
  out=$("$DECC" --json grants --all --owner "$(grep -o 'Alice 0x[0-9a-fA-F]*' "$T/out" |
    head -1 | cut -d' ' -f2)" 2>/dev/null || true)
  if grep -q '"status":"canceled"' <<<"$out"; then ok; else ko "grant not canceled: $out"; fi
fi

finish
