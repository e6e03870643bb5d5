#!/usr/bin/env bash
# test_attest.sh — `decc attest verify` on the real DCAP samples
# (tests/vectors/dcap): collateral from a file and from a stand-in PCCS
# (fake_pccs.py on 127.0.0.1) through the cache, then offline from the cache
# alone; statuses and advisories as dcap-qvl reports them (expected.json);
# refusals (outdated TCB, expired collateral, tampered quote) exit 1; a
# policy (trusted MRTD, statuses, report data) with its refusal codes; usage
# errors exit 2. Needs DECC, DECC_SOURCE_DIR, jq and python3.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${DECC_SOURCE_DIR:?DECC_SOURCE_DIR must point to the source tree}"
need_cmd jq python3
V="$DECC_SOURCE_DIR/tests/vectors/dcap"
E="$V/expected.json"
exp() { jq -r --arg n "$1" ".cases[] | select(.name == \$n) | $2" "$E"; }

# Every sample as dcap-qvl saw it, collateral from the file.
for name in $(jq -r '.cases[].name' "$E"); do
  q=$(exp "$name" .quote)
  c=$(exp "$name" .collateral)
  now=$(exp "$name" .now)
  rc=0
  "$DECC" --json attest verify "$V/$q" --collateral "$V/$c" --now "$now" >"$T/j" 2>"$T/err" || rc=$?
  if [ "$(exp "$name" .ok)" == true ]; then
    check_eq "$name exit" 0 "$rc"
    check_eq "$name status" "$(exp "$name" .status)" "$(jq -r .status "$T/j")"
    check_eq "$name advisories" "$(exp "$name" '.advisory_ids | join(",")')" \
      "$(jq -r '.advisory_ids | join(",")' "$T/j")"
    check_eq "$name fmspc" "$(exp "$name" .fmspc)" "$(jq -r .fmspc "$T/j")"
    check_eq "$name report_data" "$(exp "$name" .report.report_data)" \
      "$(jq -r .measurements.report_data "$T/j")"
    check_eq "$name all ok" 0 "$(jq '[.checks[] | select(.result != "ok")] | length' "$T/j")"
  else
    check_eq "$name exit" 1 "$rc"
    check_eq "$name verified" false "$(jq -r .verified "$T/j")"
  fi
done
check_eq "tdx mrtd" "$(exp tdx_quote .report.mr_td)" \
  "$("$DECC" --json attest verify "$V/tdx_quote" --collateral "$V/tdx_quote_collateral.json" \
     --now 2025-06-20T12:00:00Z | jq -r .measurements.mrtd)"
check_eq "tdx rtmr2" "$(exp tdx_quote .report.rt_mr2)" \
  "$("$DECC" --json attest verify "$V/tdx_quote" --collateral "$V/tdx_quote_collateral.json" \
     --now 2025-06-20T12:00:00Z | jq -r .measurements.rtmr2)"
expect_rc "outdated refused" 1 "$DECC" attest verify "$V/tdx_quote_outdated" \
  --collateral "$V/tdx_quote_outdated_collateral.json" --now 2026-02-19T12:00:00Z
grep -q 'No matching TCB level found' "$T/out" && ok || bad "outdated: reason printed"
grep -q 'FAILED' "$T/out" && ok || bad "outdated: failed check marked"

# A tampered quote (one byte of MRTD) is refused by the quote signature.
cp "$V/tdx_quote" "$T/bad_quote"
printf '\x01' | dd of="$T/bad_quote" bs=1 seek=200 conv=notrunc status=none
expect_rc "tampered refused" 1 "$DECC" --json attest verify "$T/bad_quote" \
  --collateral "$V/tdx_quote_collateral.json" --now 2025-06-20T12:00:00Z
check_eq "tampered check" QUOTE_SIGNATURE \
  "$(jq -r '.checks[] | select(.result == "failed") | .check' "$T/out")"

# Collateral from a PCCS, cached under <home>/pccs-cache, then offline.
# (start_bg stops it at exit; its requests are logged to pccs.log)
start_bg "$T/port" "$T/pccs.out" python3 "$DECC_SOURCE_DIR/tests/cli/fake_pccs.py" \
  "$V/tdx_quote_collateral.json" "$T/port" "$T/pccs.log"
URL=$BG_URL
H="$T/home"
expect_rc "pccs fetch" 0 "$DECC" --home "$H" --json attest verify "$V/tdx_quote" \
  --pccs "$URL" --now 2025-06-20T12:00:00Z
check_eq "pccs status" UpToDate "$(jq -r .status "$T/out")"
check_eq "pccs source" pccs "$(jq -r .collateral_source "$T/out")"
grep -q '^/tdx/certification/v4/tcb?fmspc=B0C06F000000$' "$T/pccs.log" && ok || bad "pccs: tcb by FMSPC"
grep -q '^/sgx/certification/v4/pckcrl?ca=platform' "$T/pccs.log" && ok || bad "pccs: pckcrl platform"
ls "$H/pccs-cache/"tdx-B0C06F000000-platform.json >/dev/null && ok || bad "pccs: cache file"
stop_pid "$BG_PID"
expect_rc "pccs cached" 0 "$DECC" --home "$H" --json attest verify "$V/tdx_quote" \
  --pccs "$URL" --now 2025-06-21T12:00:00Z
check_eq "cache source" pccs-cache "$(jq -r .collateral_source "$T/out")"
expect_rc "offline" 0 "$DECC" --home "$H" attest verify "$V/tdx_quote" --pccs "$URL" \
  --offline --now 2025-06-21T12:00:00Z
# Stale cache and no server: a clear error, no verification.
expect_rc "stale offline" 1 "$DECC" --home "$H" attest verify "$V/tdx_quote" --pccs "$URL" \
  --offline --now 2025-08-01T00:00:00Z
grep -q 'fetch it once online' "$T/err" && ok || bad "stale: hint printed"
expect_rc "server gone" 1 "$DECC" --home "$H" attest verify "$V/tdx_quote" --pccs "$URL" \
  --now 2025-08-01T00:00:00Z

# The relying party's policy: trusted MRTD, statuses, report data.
MRTD=$(exp tdx_quote .report.mr_td)
RD=$(exp tdx_quote .report.report_data)
echo "{\"tdx\":[{\"mrtd\":\"$MRTD\"}]}" >"$T/pol.json"
expect_rc "policy accepted" 0 "$DECC" --json attest verify "$V/tdx_quote" \
  --collateral "$V/tdx_quote_collateral.json" --now 2025-06-20T12:00:00Z \
  --policy "$T/pol.json" --report-data "$RD"
check_eq "policy accepted" accepted "$(jq -r .policy "$T/out")"
expect_rc "policy report data" 1 "$DECC" --json attest verify "$V/tdx_quote" \
  --collateral "$V/tdx_quote_collateral.json" --now 2025-06-20T12:00:00Z \
  --policy "$T/pol.json" --report-data "$(printf '00%.0s' $(seq 64))"
check_eq "policy report data" ATTESTATION_REPORT_DATA_MISMATCH "$(jq -r .refusal "$T/out")"
expect_rc "policy status" 1 "$DECC" --json attest verify "$V/sgx_quote" \
  --collateral "$V/sgx_quote_collateral.json" --now 2025-06-20T12:00:00Z --policy "$T/pol.json"
check_eq "policy status" ATTESTATION_TCB_NOT_ACCEPTED "$(jq -r .refusal "$T/out")"
echo '{"tdx":[{"mrtd":"00"}]}' >"$T/badpol.json"
expect_rc "bad policy" 1 "$DECC" attest verify "$V/tdx_quote" \
  --collateral "$V/tdx_quote_collateral.json" --policy "$T/badpol.json"
expect_rc "report data alone" 2 "$DECC" attest verify "$V/tdx_quote" \
  --collateral "$V/tdx_quote_collateral.json" --report-data "$RD"

# Usage errors.
expect_rc "no collateral" 2 "$DECC" attest verify "$V/tdx_quote"
expect_rc "both sources" 2 "$DECC" attest verify "$V/tdx_quote" --collateral x --pccs http://127.0.0.1:1
expect_rc "bad now" 2 "$DECC" attest verify "$V/tdx_quote" --collateral x --now yesterday
expect_rc "help" 0 "$DECC" attest --help
grep -q '^  verify ' "$T/out" && ok || bad "attest --help: lists verify"
expect_rc "verify help" 0 "$DECC" attest verify --help
grep -q -- '--collateral' "$T/out" && ok || bad "attest verify --help: lists --collateral"
expect_rc "unknown" 2 "$DECC" attest frob
check_eq "unknown: message" "decc: unknown attest command 'frob' (see decc attest --help)" "$(cat "$T/err")"

finish
