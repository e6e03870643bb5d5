#!/usr/bin/env bash
# test_order.sh — `decc order hash|sign|verify` against the iexec SDK vectors
# (tests/vectors/orders/orders.json): hashes and deterministic signatures of
# all four order types on three chains, salt handling, --json, -o, stdin,
# and every bad-input exit (1 for bad data, 2 for usage) with no output
# file left behind. Needs DECC and DECC_SOURCE_DIR; uses jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${DECC:?DECC must point to the decc binary}"
: "${DECC_SOURCE_DIR:?DECC_SOURCE_DIR must point to the source tree}"
V="$DECC_SOURCE_DIR/tests/vectors/orders/orders.json"

# ---- SDK vectors: every 7th order (covers all types, chains, tags) --------
jq -r '.orders | to_entries[] | select(.key % 7 == 0) |
  [.key, .value.type, .value.chainId, .value.hub, .value.privateKey, .value.orderHash,
   .value.order.sign, .value.signer, .value.order.salt, (.value.order | tojson | @base64)] | @tsv' "$V" >"$T/vectors.tsv"
check_eq "vector sample size" 1 "$([ "$(wc -l <"$T/vectors.tsv")" -ge 20 ] && echo 1)"
while IFS=$'\t' read -r i type chain hub key want_hash want_sign signer salt order; do
  base64 -d <<<"$order" >"$T/o.json"
  printf '%s\n' "$key" >"$T/key"
  common=(--type "$type" --chain-id "$chain" --hub "$hub")
  check_eq "hash #$i" "$want_hash" "$("$DECC" order hash "${common[@]}" "$T/o.json")"
  check_eq "verify #$i" "$signer" "$("$DECC" order verify "${common[@]}" "$T/o.json")"
  # The input carries a salt, so sign keeps it and RFC 6979 gives the
  # SDK's exact bytes.
  out=$("$DECC" --json order sign "${common[@]}" --private-key-file "$T/key" "$T/o.json")
  check_eq "sign #$i" "$want_sign" "$(jq -r .order.sign <<<"$out")"
  check_eq "salt kept #$i" "$salt" "$(jq -r .order.salt <<<"$out")"
  check_eq "signer #$i" "$signer" "$(jq -r .signer <<<"$out")"
  expect_err "verify --signer #$i" 0 "$DECC" order verify "${common[@]}" --signer "$signer" "$T/o.json"
done <"$T/vectors.tsv"
# Text-mode sign prints the order itself, member for member.
jq -c '.orders[3].order' "$V" >"$T/o.json"
printf '%s\n' "$(jq -r '.orders[3].privateKey' "$V")" >"$T/key"
"$DECC" order sign --type "$(jq -r '.orders[3].type' "$V")" --chain-id 42161 --private-key-file "$T/key" \
  "$T/o.json" >"$T/signed.json"
check_eq "sign shape" "$(jq -S . "$T/o.json")" "$(jq -S . "$T/signed.json")"

# ---- one app order worked through the options -----------------------------
H=0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0
printf '0x%s\n' "$(printf '11%.0s' $(seq 32))" >"$T/k11"
cat >"$T/app.json" <<'EOF'
{"app":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","appprice":"1000000000",
 "volume":"12","tag":"tee,tdx","datasetrestrict":"0x0000000000000000000000000000000000000000",
 "workerpoolrestrict":"0x0000000000000000000000000000000000000000",
 "requesterrestrict":"0x0000000000000000000000000000000000000000"}
EOF
A=(--type apporder --chain-id 42161)
# Default hub for Arbitrum One = explicit hub.
check_eq "default hub" "$("$DECC" order hash "${A[@]}" --hub $H "$T/app.json")" \
  "$("$DECC" order hash "${A[@]}" "$T/app.json")"
# No salt in the input: a random one each time, and both verify.
"$DECC" order sign "${A[@]}" --private-key-file "$T/k11" "$T/app.json" >"$T/s1.json"
"$DECC" order sign "${A[@]}" --private-key-file "$T/k11" "$T/app.json" >"$T/s2.json"
if [ "$(jq -r .salt "$T/s1.json")" != "$(jq -r .salt "$T/s2.json")" ]; then ok; else bad "random salt repeated"; fi
check_eq "tag names encoded" "0x0000000000000000000000000000000000000000000000000000000000000009" \
  "$(jq -r .tag "$T/s1.json")"
check_eq "verify s1" "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A" "$("$DECC" order verify "${A[@]}" "$T/s1.json")"
check_eq "verify stdin" "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A" \
  "$("$DECC" order verify "${A[@]}" - <"$T/s2.json")"
# --salt wins and makes the output reproducible; this is the §1.9 vector
# of iexec-protocol.md when the order matches it.
cat >"$T/doc.json" <<'EOF'
{"app":"0x1111111111111111111111111111111111111111","appprice":"0","volume":"1000000",
 "tag":"0x0000000000000000000000000000000000000000000000000000000000000009",
 "datasetrestrict":"0x0000000000000000000000000000000000000000",
 "workerpoolrestrict":"0x0000000000000000000000000000000000000000",
 "requesterrestrict":"0x0000000000000000000000000000000000000000"}
EOF
SALT=0x$(printf 'ab%.0s' $(seq 32))
out=$("$DECC" --json order sign "${A[@]}" --salt "$SALT" --private-key-file "$T/k11" "$T/doc.json")
check_eq "doc vector hash" 0x1b91f1d09ef476a3256d59ba39338203764c71d42fb33ec0ada5ede973c67a49 "$(jq -r .orderHash <<<"$out")"
check_eq "doc vector sign" 0x99e72c1959d7d31ed60e06d0bb27921d2357b4639e081e23d9d662c42ac55ca94f12a2d7fda9fe77e6de52e3bc879c15d6b1e1fc171ece7e8387c063d04134231b \
  "$(jq -r .order.sign <<<"$out")"
check_eq "doc vector signer" 0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A "$(jq -r .signer <<<"$out")"
check_eq "doc vector salt" "$SALT" "$(jq -r .order.salt <<<"$out")"
# --json hash fields.
out=$("$DECC" --json order hash "${A[@]}" "$T/s1.json")
check_eq "json hash domain" 0x3b211ab198ac0c745a332d34416d88c417c2f06a87bd9f0d2fdd37b242c75402 \
  "$(jq -r .domainSeparator <<<"$out")"
check_eq "json hash type" apporder "$(jq -r .type <<<"$out")"
# -o writes atomically; the file holds exactly what stdout would.
"$DECC" order sign "${A[@]}" --salt "$SALT" --private-key-file "$T/k11" -o "$T/out.json" "$T/app.json" 2>/dev/null
check_eq "-o content" "$("$DECC" order sign "${A[@]}" --salt "$SALT" --private-key-file "$T/k11" "$T/app.json")" \
  "$(cat "$T/out.json")"
"$DECC" order hash "${A[@]}" -o "$T/h.txt" "$T/out.json"
check_eq "-o hash" "$("$DECC" order hash "${A[@]}" "$T/out.json")" "$(cat "$T/h.txt")"
# verify --json on a tampered order: valid=false, exit 1.
jq '.volume = "13"' "$T/s1.json" >"$T/tampered.json"
rc=0
out=$("$DECC" --json order verify "${A[@]}" --signer 0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A "$T/tampered.json") || rc=$?
check_eq "tampered rc" 1 "$rc"
check_eq "tampered valid" false "$(jq -r .valid <<<"$out")"

# Signing from a V3 keystore gives the same bytes as the raw key.
echo 'order-test-password' >"$T/pw"
"$DECC" wallet import --private-key-file "$T/k11" -o "$T/ks.json" --password-file "$T/pw" \
  --kdf pbkdf2 --pbkdf2-c 1000 >/dev/null 2>&1
check_eq "keystore sign" "$("$DECC" order sign "${A[@]}" --salt "$SALT" --private-key-file "$T/k11" "$T/doc.json" | jq -r .sign)" \
  "$("$DECC" order sign "${A[@]}" --salt "$SALT" --keystore "$T/ks.json" --password-file "$T/pw" "$T/doc.json" | jq -r .sign)"
echo 'wrong' >"$T/pw2"
expect_err "keystore wrong password" 1 "$DECC" order sign "${A[@]}" --keystore "$T/ks.json" --password-file "$T/pw2" "$T/doc.json"
expect_err "keystore and key file" 2 "$DECC" order sign "${A[@]}" --keystore "$T/ks.json" --password-file "$T/pw" \
  --private-key-file "$T/k11" "$T/doc.json"

# ---- bad input: exit 1, clear message, no output file ---------------------
mk() { jq -c "$1" "$T/app.json" >"$T/bad.json"; }
badrun() { # badrun NAME RC extra-args...
  local name=$1 want=$2
  shift 2
  rm -f "$T/never.json"
  expect_err "$name" "$want" "$DECC" order sign "${A[@]}" --private-key-file "$T/k11" -o "$T/never.json" "$@"
  if ls "$T"/never.json.tmp* >/dev/null 2>&1; then bad "$name: temporary file left"; else ok; fi
  if [ "$want" == 0 ]; then
    [ -s "$T/never.json" ] && ok || bad "$name: no output file"
  elif [ -e "$T/never.json" ]; then bad "$name: output file left"; else ok; fi
}
mk '.appprice = "115792089237316195423570985008687907853269984665640564039457584007913129639936"'
badrun "price >= 2^256" 1 "$T/bad.json"
grep -q 'appprice' "$T/err" && ok || bad "price message names the field"
mk '.appprice = "115792089237316195423570985008687907853269984665640564039457584007913129639935"'
badrun "price = 2^256-1 ok" 0 "$T/bad.json"
mk '.appprice = "-1"'
badrun "negative price" 1 "$T/bad.json"
mk '.app = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"'
badrun "bad checksum" 1 "$T/bad.json"
grep -q 'checksum' "$T/err" && ok || bad "checksum message"
mk '.app = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"'
badrun "short address" 1 "$T/bad.json"
mk '.app = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAzz"'
badrun "non-hex address" 1 "$T/bad.json"
mk '.bogus = 1'
badrun "unknown field" 1 "$T/bad.json"
grep -q "unknown field 'bogus'" "$T/err" && ok || bad "unknown field message"
mk 'del(.volume)'
badrun "missing field" 1 "$T/bad.json"
mk '.tag = "tee,sgx"'
badrun "unknown tag" 1 "$T/bad.json"
mk '.salt = "0x1234"'
badrun "short salt in order" 1 "$T/bad.json"
mk '.sign = "0xabcd"'
badrun "short sign in order" 1 "$T/bad.json"
printf '{"app":' >"$T/bad.json"
badrun "truncated JSON" 1 "$T/bad.json"
badrun "missing file" 1 "$T/nonexistent.json"
badrun "bad --salt hex" 1 --salt 0xzz "$T/app.json"
badrun "short --salt" 1 --salt 0x1234 "$T/app.json"
printf '0x1234\n' >"$T/shortkey"
rm -f "$T/never.json"
expect_err "short private key" 1 "$DECC" order sign "${A[@]}" --private-key-file "$T/shortkey" -o "$T/never.json" "$T/app.json"
[ -e "$T/never.json" ] && bad "short key: file left" || ok
expect_err "--hub bad checksum" 1 "$DECC" order hash --type apporder --chain-id 5 --hub 0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9F0 "$T/app.json"
expect_err "verify unsigned" 1 "$DECC" order verify "${A[@]}" "$T/app.json"
expect_err "verify bad --signer" 1 "$DECC" order verify "${A[@]}" --signer 0x1234 "$T/s1.json"
jq '.sign = "0x" + ("ff" * 64) + "1b"' "$T/s1.json" >"$T/badsig.json"
expect_err "verify garbage signature" 1 "$DECC" order verify "${A[@]}" "$T/badsig.json"

# ---- usage errors: exit 2 --------------------------------------------------
expect_err "unknown type" 2 "$DECC" order hash --type bogusorder --chain-id 1 --hub $H "$T/app.json"
expect_err "missing --type" 2 "$DECC" order hash --chain-id 42161 "$T/app.json"
expect_err "missing --chain-id" 2 "$DECC" order hash --type apporder "$T/app.json"
expect_err "bad --chain-id" 2 "$DECC" order hash --type apporder --chain-id 12x "$T/app.json"
expect_err "no default hub" 2 "$DECC" order hash --type apporder --chain-id 5 "$T/app.json"
expect_err "missing file arg" 2 "$DECC" order hash "${A[@]}"
expect_err "two files" 2 "$DECC" order hash "${A[@]}" "$T/app.json" "$T/app.json"
expect_err "unknown option" 2 "$DECC" order hash "${A[@]}" --frobnicate "$T/app.json"
expect_err "sign without key" 2 "$DECC" order sign "${A[@]}" "$T/app.json"
expect_err "unknown subcommand" 2 "$DECC" order frob
expect_err "--salt on hash" 2 "$DECC" order hash "${A[@]}" --salt "$SALT" "$T/app.json"
expect_err "help" 0 "$DECC" order --help
grep -q 'usage: decc order' "$T/out" && ok || bad "help text"
expect_err "sub help" 0 "$DECC" order sign --help

finish
