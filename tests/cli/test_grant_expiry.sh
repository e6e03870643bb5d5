#!/usr/bin/env bash
# test_grant_expiry.sh — grants with an expiry and a purpose (issue 15):
#   - `decc grant --expires 30d --purpose TEXT`: `decc grants` shows both,
#     the app gets TEXT as DECC_GRANT_PURPOSE (its result says so) and the
#     receipt records it;
#   - after `decc chain time` moves the chain 31 days on, the SMS refuses
#     the key (GRANT_EXPIRED) although the order still has uses left, and
#     the refusal is visible in the task's failure;
#   - a grant expiring in 10 s is no longer listed once expired (market);
#   - bad input, each refused with the reason and exit 1: the expired
#     policy presented again, a policy signed by someone other than the
#     owner, a policy whose purpose was edited after signing, a second
#     policy for the same grant; --expires in the past is a usage error.
# Runs a `decc node` with every role (tests/cli/receipts_fixture.sh).
source "$(dirname "$0")/receipts_fixture.sh"

# A grant expiring in 10 s (made first, checked again once expired: the
# steps in between take most of those 10 s, the rest is waited for; its
# listing right after the grant has the 10 s as a margin).
check_rc "grant 10s" 0 "$DECC" --json grant "$PD" --app "$APP" --user "$(addr 6)" --expires 10s --private-key-file alice.key
H2=$(jget 'd["orderHash"]' <<<"$out")
EXP2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expires"])' "$DECC_HOME/sms/policies/$H2.json")
check_rc "listed" 0 "$DECC" --json grants "$PD" --private-key-file alice.key
grep -q "$H2" <<<"$out" && ok || ko "not listed before expiry: $out"
check_rc "grant with policy" 0 "$DECC" --json grant "$PD" --app "$APP" --user "$BOB" --uses 5 \
  --expires 30d --purpose "cancer research" --private-key-file alice.key
H=$(jget 'd["orderHash"]' <<<"$out")
check_rc "grants" 0 "$DECC" --json grants "$PD" --private-key-file alice.key
[ "$(jget '[g for g in d["grantedAccess"] if g["orderHash"]=="'"$H"'"][0]["purpose"]' <<<"$out")" = "cancer research" ] && ok || ko "grants purpose: $out"
EXP=$(jget '[g for g in d["grantedAccess"] if g["orderHash"]=="'"$H"'"][0]["expires"]' <<<"$out")
NOW=$(date +%s)
[ "$EXP" -gt $((NOW + 29 * 86400)) ] && [ "$EXP" -le $((NOW + 30 * 86400 + 5)) ] && ok || ko "expiry $EXP (now $NOW)"
check_rc "grants text" 0 "$DECC" grants "$PD" --private-key-file alice.key
grep -q 'purpose "cancer research"' <<<"$out" && ok || ko "grants text: $out"
check_rc "policy show" 0 "$DECC" receipts policy show "$H"
cp "$DECC_HOME/sms/policies/$H.json" policy.json

check_rc "process" 0 "$DECC" --json process "$PD" --app "$APP" --private-key-file bob.key --timeout 120
RES=$(jget 'd["result"]' <<<"$out")
[ "$(unzip -p "$RES" result.json | jget 'd["purpose"]')" = "cancer research" ] && ok || ko "app did not get the purpose: $(unzip -p "$RES" result.json)"
check_rc "receipts" 0 "$DECC" --json receipts "$PD" --verify
[ "$(jget 'd["receipts"][0]["purpose"]' <<<"$out")" = "cancer research" ] && ok || ko "receipt purpose: $out"
[ "$(jget 'd["receipts"][0]["grant"]' <<<"$out")" = "$H" ] && ok || ko "receipt grant: $out"
[ "$(jget 'd["receipts"][0]["grantExpires"]' <<<"$out")" = "$EXP" ] && ok || ko "receipt expiry: $out"

# A policy signed by Carol (not the owner), an edited purpose, a second
# policy for one grant.
check_rc "grant 3" 0 "$DECC" --json grant "$PD" --app "$APP" --user "$(addr 5)" --private-key-file alice.key
H3=$(jget 'd["orderHash"]' <<<"$out")
check_rc "carol signs" 0 "$DECC" receipts policy sign --dataset "$PD" --order "$H3" --expires 10d --purpose x --private-key-file carol.key
echo "$out" >carol.json
check_rc "carol's policy" 1 "$DECC" receipts policy push carol.json
errhas "carol's policy" "not by the dataset owner"
check_rc "alice signs" 0 "$DECC" receipts policy sign --dataset "$PD" --order "$H3" --expires 10d --purpose "statistics" --private-key-file alice.key
echo "$out" >alice3.json
sed 's/statistics/marketing/' alice3.json >edited.json
check_rc "edited purpose" 1 "$DECC" receipts policy push edited.json
errhas "edited purpose" "not by the dataset owner"
check_rc "alice's policy" 0 "$DECC" receipts policy push alice3.json
check_rc "same policy again (idempotent)" 0 "$DECC" receipts policy push alice3.json
check_rc "alice signs another" 0 "$DECC" receipts policy sign --dataset "$PD" --order "$H3" --expires 20d --private-key-file alice.key
echo "$out" >alice3b.json
check_rc "second policy" 1 "$DECC" receipts policy push alice3b.json
errhas "second policy" "never replaced"
# ... disappears from the market once expired.
W=$((EXP2 - $(date +%s) + 1))
[ "$W" -gt 0 ] && sleep "$W"
check_rc "not listed" 0 "$DECC" --json grants "$PD" --private-key-file alice.key
grep -q "$H2" <<<"$out" && ko "listed after expiry: $out" || ok
check_rc "market API" 0 curl -sf "$U/datasetorders?chainId=31337&dataset=$PD"
grep -q "$H2" <<<"$out" && ko "market API lists the expired grant: $out" || ok


# 31 days later on the chain: uses are left (4 of 5), the key is not.
check_rc "time travel" 0 "$DECC" chain time +2678400
# (the worker takes an SMS refusal as possibly transient: the requester
# waits for her timeout, the refusal is in the node's log)
check_rc "process after expiry" 1 "$DECC" process "$PD" --app "$APP" --private-key-file bob.key --timeout 8
grep -q "GRANT_EXPIRED\|grant expired" "$T/err" "$T/node.log" && ok || ko "no GRANT_EXPIRED: $(cat "$T/err")"
check_rc "receipts after refusal" 0 "$DECC" --json receipts "$PD" --verify
[ "$(jget 'sum(1 for r in d["receipts"] if r["kind"]=="key-release")' <<<"$out")" = 1 ] && ok || ko "a refused release left a receipt: $out"

# The expired policy presented again is refused.
check_rc "expired policy again" 1 "$DECC" receipts policy push policy.json
errhas "expired policy again" "expired"

check_rc "past expiry" 2 "$DECC" grant "$PD" --app "$APP" --any-user --expires 2020-01-01 --private-key-file alice.key

finish
