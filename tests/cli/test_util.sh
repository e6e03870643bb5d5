#!/usr/bin/env bash
# test_util.sh — `decc util`: keccak256, checksum-address (EIP-55
# examples), deal-id / task-id against the SDK vectors and
# iexec-protocol.md §1.9, multiaddr encode/decode (§1.9 vector), tag
# encode/decode, typed-data-hash (EIP-712 Mail example), --json, and error
# exits. Needs DECC and DECC_SOURCE_DIR; uses jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${DECC:?DECC must point to the decc binary}"
: "${DECC_SOURCE_DIR:?DECC_SOURCE_DIR must point to the source tree}"
V="$DECC_SOURCE_DIR/tests/vectors/orders/orders.json"

# keccak256 / checksum-address (kept from the first version).
check_eq "keccak text" 0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45 \
  "$("$DECC" util keccak256 --text abc)"
check_eq "keccak hex" 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470 \
  "$("$DECC" util keccak256 --hex 0x)"
for a in 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed 0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359 \
  0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB 0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb; do
  check_eq "checksum $a" "$a" "$("$DECC" util checksum-address "$(tr 'A-F' 'a-f' <<<"$a")")"
done
expect_rc "checksum wrong case" 1 "$DECC" util checksum-address 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD

# deal-id / task-id.
CD=0x$(printf 'cd%.0s' $(seq 32))
check_eq "task-id doc" 0x729a52d3615aaf5465e9bc938bf65c128bdf72abd751cbe4c0c1ac724a02d3f2 \
  "$("$DECC" util task-id "$CD" 0)"
check_eq "task-id json" 0x729a52d3615aaf5465e9bc938bf65c128bdf72abd751cbe4c0c1ac724a02d3f2 \
  "$("$DECC" --json util task-id "$CD" 0x0 | jq -r .taskid)"
nids=$(jq '.ids | length' "$V")
for ((i = 0; i < nids; i++)); do
  rh=$(jq -r ".ids[$i].requestorderHash" "$V")
  c=$(jq -r ".ids[$i].consumed" "$V")
  deal=$(jq -r ".ids[$i].dealid" "$V")
  check_eq "deal-id #$i" "$deal" "$("$DECC" util deal-id "$rh" "$c")"
  nt=$(jq ".ids[$i].tasks | length" "$V")
  for ((k = 0; k < nt; k++)); do
    check_eq "task-id #$i.$k" "$(jq -r ".ids[$i].tasks[$k].taskid" "$V")" \
      "$("$DECC" util task-id "$deal" "$(jq -r ".ids[$i].tasks[$k].index" "$V")")"
  done
done
expect_rc "deal-id short hash" 1 "$DECC" util deal-id 0x1234 0
expect_rc "deal-id bad hex" 1 "$DECC" util deal-id 0x$(printf 'zz%.0s' $(seq 32)) 0
expect_rc "deal-id bad number" 1 "$DECC" util deal-id "$CD" 12abc
expect_rc "deal-id 2^256" 1 "$DECC" util deal-id "$CD" \
  115792089237316195423570985008687907853269984665640564039457584007913129639936
expect_rc "task-id arity" 2 "$DECC" util task-id "$CD"

# multiaddr (iexec-protocol.md §1.9 / commons-poco MultiAddressHelperTests).
MA=0xa5032212207237a7f4091a74ae95514890fa86a2e8a36037c350ea71c06a34c8cbe25a5057
check_eq "multiaddr encode" "$MA" "$("$DECC" util multiaddr encode /ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ)"
check_eq "multiaddr decode" /ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ "$("$DECC" util multiaddr decode "$MA")"
check_eq "multiaddr json" "$MA" \
  "$("$DECC" --json util multiaddr encode /ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ | jq -r .hex)"
expect_rc "multiaddr bad cid" 1 "$DECC" util multiaddr encode /ipfs/QmNotACid
expect_rc "multiaddr bad hex" 1 "$DECC" util multiaddr decode 0xa50
expect_rc "multiaddr truncated" 1 "$DECC" util multiaddr decode 0xa5032212207237
expect_rc "multiaddr verb" 2 "$DECC" util multiaddr frob x

# tags.
check_eq "tag encode" 0x0000000000000000000000000000000000000000000000000000000000000009 "$("$DECC" util tag encode tee,tdx)"
check_eq "tag encode gpu" 0x0000000000000000000000000000000000000000000000000000000000000101 "$("$DECC" util tag encode gpu,tee)"
check_eq "tag decode" tee,tdx "$("$DECC" util tag decode 0x0000000000000000000000000000000000000000000000000000000000000009)"
check_eq "tag decode short" tee,scone,gpu "$("$DECC" util tag decode 0x103)"
check_eq "tag json" '["tee","tdx"]' "$("$DECC" --json util tag decode 0x9 | jq -c .names)"
expect_rc "tag unknown name" 1 "$DECC" util tag encode tee,sgx
expect_rc "tag unknown bit" 1 "$DECC" util tag decode 0x10
expect_rc "tag decode names" 1 "$DECC" util tag decode tee
expect_rc "tag too long" 1 "$DECC" util tag decode 0x$(printf '0%.0s' $(seq 65))

# typed-data-hash on the EIP-712 specification example.
cat >"$T/mail.json" <<'EOF'
{"types":{"Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
 "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
 "primaryType":"Mail","domain":{"name":"Ether Mail","version":"1","chainId":1,
 "verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
 "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
 "to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}
EOF
check_eq "typed-data-hash" 0xbe609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2 \
  "$("$DECC" util typed-data-hash "$T/mail.json")"
check_eq "typed-data-hash json" 0xf2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f \
  "$("$DECC" --json util typed-data-hash - <"$T/mail.json" | jq -r .domainSeparator)"
jq -c '.challenges[0].typedData' "$V" >"$T/ch.json"
check_eq "challenge typed data" "$(jq -r '.challenges[0].hash' "$V")" "$("$DECC" util typed-data-hash "$T/ch.json")"
jq '.message.from.wallet = "0xcD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"' "$T/mail.json" >"$T/bad.json"
expect_rc "typed-data bad checksum" 1 "$DECC" util typed-data-hash "$T/bad.json"
grep -q 'Person.wallet' "$T/err" && ok || bad "typed-data error names the field"

expect_rc "unknown util" 2 "$DECC" util frob
expect_rc "util help" 0 "$DECC" util --help
grep -q 'deal-id' "$T/out" && ok || bad "help lists deal-id"

finish
