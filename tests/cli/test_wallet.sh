#!/usr/bin/env bash
# test_wallet.sh — `decc wallet` end to end: create/import/list/address,
# sign-message/sign-typed-data/recover against signatures made by ethers
# (tests/vectors/keystore/wallet_signatures.json), unlocking keystores made by
# ethers and decc, and the refusals: wrong password, tampered or truncated
# files, unknown KDF, absurd scrypt N, missing files, existing target,
# secrets on the command line. Also checks that no secret reaches stdout,
# stderr or a stray file, and that keystores are mode 0600.
# Env: DECC (binary), DECC_SOURCE_DIR.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${DECC:?DECC must point to the decc binary}"
: "${DECC_SOURCE_DIR:?DECC_SOURCE_DIR must point to the source tree}"
V="$DECC_SOURCE_DIR/tests/vectors/keystore"
export DECC_HOME="$T/home"
unset HOME_OVERRIDE || true

LOG="$T/all-output.log" # every stdout/stderr, scanned for secrets at the end

# run NAME EXPECTED_RC CMD... : runs CMD, keeps stdout in $out, stderr in $err.
run() {
  local name="$1" want="$2"
  shift 2
  set +e
  "$@" >"$T/out" 2>"$T/err" </dev/null
  rc=$?
  set -e
  out="$(cat "$T/out")"
  err="$(cat "$T/err")"
  cat "$T/out" "$T/err" >>"$LOG"
  if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, expected $want; stderr: $err"; fi
}
expect_eq() { if [ "$2" == "$3" ]; then ok; else bad "$1: got '$2', expected '$3'"; fi; }
expect_has() { if [[ "$2" == *"$3"* ]]; then ok; else bad "$1: '$2' lacks '$3'"; fi; }
mode_of() { stat -c %a "$1"; }

PW="s3cret pass phrase"
printf '%s\n' "$PW" >"$T/pw"
printf 'not the password\n' >"$T/badpw"
SIG="$V/wallet_signatures.json"
KEY="$(jq -r .private_key "$SIG")"
ADDR="$(jq -r .address "$SIG")"
printf '%s\n' "$KEY" >"$T/key"
chmod 600 "$T/pw" "$T/key"

# ---- help ------------------------------------------------------------------
run "wallet --help" 0 "$DECC" wallet --help
expect_has "help lists create" "$out" "create"
for sub in create import list address sign-message sign-typed-data recover; do
  run "$sub --help" 0 "$DECC" wallet "$sub" --help
  expect_has "$sub help" "$out" "$sub"
done
run "no subcommand" 2 "$DECC" wallet
run "unknown subcommand" 2 "$DECC" wallet frobnicate

# ---- create -o -------------------------------------------------------------
run "create -o" 0 "$DECC" --json wallet create -o "$T/new.json" --password-file "$T/pw" --scrypt-n 1024
NEWADDR="$(jq -r .address <<<"$out")"
expect_eq "create path" "$(jq -r .path <<<"$out")" "$T/new.json"
expect_eq "create mode" "$(mode_of "$T/new.json")" "600"
expect_eq "keystore address field" "0x$(jq -r .address "$T/new.json")" "$(tr 'A-F' 'a-f' <<<"$NEWADDR")"
expect_eq "keystore version" "$(jq -r .version "$T/new.json")" "3"
expect_eq "keystore n" "$(jq -r .crypto.kdfparams.n "$T/new.json")" "1024"
run "address of created" 0 "$DECC" wallet address --keystore "$T/new.json" --password-file "$T/pw"
expect_eq "created key unlocks" "$out" "$NEWADDR"

before="$(sha256sum "$T/new.json")"
run "create refuses overwrite" 1 "$DECC" wallet create -o "$T/new.json" --password-file "$T/pw" --scrypt-n 1024
expect_has "overwrite message" "$err" "already exists"
expect_eq "existing file untouched" "$(sha256sum "$T/new.json")" "$before"
expect_eq "no temp files left" "$(ls "$T" | grep -c tmp || true)" "0"

run "create pbkdf2" 0 "$DECC" wallet create -o "$T/pb.json" --password-file "$T/pw" --kdf pbkdf2 --pbkdf2-c 1000
expect_eq "pbkdf2 kdf" "$(jq -r .crypto.kdf "$T/pb.json")" "pbkdf2"
run "create bad n" 2 "$DECC" wallet create -o "$T/x.json" --password-file "$T/pw" --scrypt-n 1000
run "create huge n" 1 "$DECC" wallet create -o "$T/x.json" --password-file "$T/pw" --scrypt-n 2097152
run "create -o and --name" 2 "$DECC" wallet create -o "$T/x.json" --name a --password-file "$T/pw"
run "create bad name" 2 "$DECC" wallet create --name ../evil --password-file "$T/pw"
run "create with a key" 2 "$DECC" wallet create --private-key-file "$T/key" --password-file "$T/pw"
run "create missing pw file" 1 "$DECC" wallet create -o "$T/x.json" --password-file "$T/nope" --scrypt-n 1024
[ -e "$T/x.json" ] && bad "failed create left a file" || ok

# ---- wallets folder: import, create --name, list ---------------------------
run "import key" 0 "$DECC" --json wallet import --private-key-file "$T/key" --password-file "$T/pw" --scrypt-n 1024
expect_eq "import address" "$(jq -r .address <<<"$out")" "$ADDR"
lower="$(tr 'A-F' 'a-f' <<<"$ADDR")"
expect_eq "import default path" "$(jq -r .path <<<"$out")" "$DECC_HOME/wallets/$lower.json"
expect_eq "wallet file mode" "$(mode_of "$DECC_HOME/wallets/$lower.json")" "600"
expect_eq "wallets dir mode" "$(mode_of "$DECC_HOME/wallets")" "700"
run "import again refused" 1 "$DECC" wallet import --private-key-file "$T/key" --password-file "$T/pw" --scrypt-n 1024
run "create --name" 0 "$DECC" wallet create --name alice --password-file "$T/pw" --scrypt-n 1024
expect_has "text output address" "$out" "address: 0x"
expect_has "text output path" "$out" "$DECC_HOME/wallets/alice.json"
run "create --home" 0 "$DECC" --home "$T/other" wallet create --name bob --password-file "$T/pw" --scrypt-n 16
[ -f "$T/other/wallets/bob.json" ] && ok || bad "--home not honoured"

printf 'not json' >"$DECC_HOME/wallets/junk.json"
run "list json" 0 "$DECC" --json wallet list
expect_eq "list count" "$(jq '.wallets | length' <<<"$out")" "3"
expect_eq "list has import" "$(jq -r --arg a "$ADDR" '[.wallets[] | select(.address == $a)] | length' <<<"$out")" "1"
expect_eq "list flags junk" "$(jq -r '.wallets[] | select(.path | endswith("junk.json")) | .problem' <<<"$out")" "not a keystore"
run "list text" 0 "$DECC" wallet list
expect_has "list text" "$out" "alice.json"
run "list empty home" 0 "$DECC" --home "$T/empty" --json wallet list
expect_eq "empty list" "$(jq '.wallets | length' <<<"$out")" "0"

# ---- import --keystore (foreign keystores copied after unlocking) -----------
ETH="$V/ethers_scrypt_n1024.json"
EPW="$(jq -r '.vectors[] | select(.file == "ethers_scrypt_n1024.json") | .password' "$V/index.json")"
printf '%s\n' "$EPW" >"$T/epw"
run "import ethers keystore" 0 "$DECC" --json wallet import --keystore "$ETH" --password-file "$T/epw" -o "$T/copied.json"
cmp -s "$ETH" "$T/copied.json" && ok || bad "imported keystore is not a byte copy"
expect_eq "copied mode" "$(mode_of "$T/copied.json")" "600"
run "import ethers wrong pw" 1 "$DECC" wallet import --keystore "$ETH" --password-file "$T/badpw" -o "$T/copied2.json"
expect_has "wrong password message" "$err" "wrong password"
[ -e "$T/copied2.json" ] && bad "import with wrong password wrote a file" || ok
before="$(sha256sum "$T/new.json")"
run "import keystore onto existing" 1 "$DECC" wallet import --keystore "$ETH" --password-file "$T/epw" -o "$T/new.json"
expect_has "import exists message" "$err" "already exists"
expect_eq "import left target alone" "$(sha256sum "$T/new.json")" "$before"
run "import --kdf with keystore" 2 "$DECC" wallet import --keystore "$ETH" --password-file "$T/epw" --kdf pbkdf2 -o "$T/c3.json"

# ---- every committed (non-slow) keystore unlocks through the CLI -----------
while IFS=$'\t' read -r file pwd addr; do
  printf '%s\n' "$pwd" >"$T/vpw"
  run "unlock $file" 0 "$DECC" wallet address --keystore "$V/$file" --password-file "$T/vpw"
  expect_eq "address of $file" "$(tr 'A-F' 'a-f' <<<"$out")" "$addr"
done < <(jq -r '.vectors[] | select(.slow | not) | select(.file | startswith("spec_scrypt") | not) | [.file, .password, .address] | @tsv' "$V/index.json")

# ---- bad keystores -----------------------------------------------------------
run "wrong password" 1 "$DECC" wallet address --keystore "$T/new.json" --password-file "$T/badpw"
expect_has "wrong password text" "$err" "wrong password"
# change the first ciphertext byte (whatever it was: a random key can start with 00)
jq -c '.crypto.ciphertext |= ((if .[0:2] == "00" then "ff" else "00" end) + .[2:])' \
  "$T/new.json" >"$T/tampered.json"
run "tampered ciphertext" 1 "$DECC" wallet address --keystore "$T/tampered.json" --password-file "$T/pw"
jq -c '.crypto.mac |= ((if .[0:2] == "00" then "ff" else "00" end) + .[2:])' \
  "$T/new.json" >"$T/tampered_mac.json"
run "tampered mac" 1 "$DECC" wallet address --keystore "$T/tampered_mac.json" --password-file "$T/pw"
head -c 100 "$T/new.json" >"$T/trunc.json"
run "truncated" 1 "$DECC" wallet address --keystore "$T/trunc.json" --password-file "$T/pw"
expect_has "truncated message" "$err" "not valid JSON"
jq -c '.crypto.kdf = "argon2id"' "$T/new.json" >"$T/kdf.json"
run "unknown kdf" 1 "$DECC" wallet address --keystore "$T/kdf.json" --password-file "$T/pw"
expect_has "unknown kdf message" "$err" "not supported"
jq -c '.crypto.kdfparams.n = 1073741824' "$T/new.json" >"$T/bign.json"
start=$(date +%s)
run "absurd N" 1 "$DECC" wallet address --keystore "$T/bign.json" --password-file "$T/pw"
expect_has "absurd N message" "$err" "exceeds the limit"
[ $(($(date +%s) - start)) -le 2 ] && ok || bad "absurd N was not refused quickly"
run "missing keystore" 1 "$DECC" wallet address --keystore "$T/none.json" --password-file "$T/pw"
run "missing password file" 1 "$DECC" wallet address --keystore "$T/new.json" --password-file "$T/none"
run "missing key file" 1 "$DECC" wallet address --private-key-file "$T/none"
printf '0x1234\n' >"$T/shortkey"
run "short key file" 1 "$DECC" wallet address --private-key-file "$T/shortkey"
run "no key" 2 "$DECC" wallet address
# No terminal and no --password-file: refuse instead of hanging or echoing.
if command -v setsid >/dev/null; then
  run "no tty" 1 setsid -w "$DECC" wallet address --keystore "$T/new.json"
  expect_has "no tty message" "$err" "password-file"
fi

# ---- secrets never from argv ------------------------------------------------
for opt in --password --password=x --private-key --private-key=0x11 --passphrase --mnemonic --password-file=x; do
  run "refuse $opt" 2 "$DECC" wallet create -o "$T/argv.json" "$opt" x
  expect_has "refuse $opt message" "$err" "never taken from the command line"
  run "refuse $opt (sign)" 2 "$DECC" wallet sign-message --text hi "$opt" x
done
[ -e "$T/argv.json" ] && bad "argv password created a file" || ok

# ---- signing: matches ethers ------------------------------------------------
n=$(jq '.messages | length' "$SIG")
for i in $(seq 0 $((n - 1))); do
  opt="$(jq -r ".messages[$i].option" "$SIG")"
  val="$(jq -r ".messages[$i].value" "$SIG")"
  want="$(jq -r ".messages[$i].signature" "$SIG")"
  dig="$(jq -r ".messages[$i].digest" "$SIG")"
  run "sign $opt #$i" 0 "$DECC" wallet sign-message --private-key-file "$T/key" "$opt" "$val"
  expect_eq "signature $opt #$i" "$out" "$want"
  run "sign json $opt #$i" 0 "$DECC" --json wallet sign-message --keystore "$DECC_HOME/wallets/$lower.json" --password-file "$T/pw" "$opt" "$val"
  expect_eq "keystore signature $opt #$i" "$(jq -r .signature <<<"$out")" "$want"
  expect_eq "digest $opt #$i" "$(jq -r .digest <<<"$out")" "$dig"
  expect_eq "signer $opt #$i" "$(jq -r .address <<<"$out")" "$ADDR"
  run "recover $opt #$i" 0 "$DECC" wallet recover "$opt" "$val" --signature "$want"
  expect_eq "recovered $opt #$i" "$out" "$ADDR"
done
printf 'Some data' >"$T/msg"
run "sign --file" 0 "$DECC" wallet sign-message --private-key-file "$T/key" --file "$T/msg"
expect_eq "file signature" "$out" "$(jq -r '.messages[0].signature' "$SIG")"
FSIG="$out"
run "recover --file --expect" 0 "$DECC" --json wallet recover --file "$T/msg" --signature "$FSIG" --expect "$ADDR"
expect_eq "expect match" "$(jq -r .match <<<"$out")" "true"
run "recover --expect other" 1 "$DECC" wallet recover --file "$T/msg" --signature "$FSIG" --expect "$NEWADDR"
run "recover other message" 0 "$DECC" wallet recover --text "Some datA" --signature "$FSIG"
[ "$out" != "$ADDR" ] && ok || bad "a different message recovered the same signer"
run "recover bad sig length" 1 "$DECC" wallet recover --text x --signature 0x1234
run "recover bad v" 1 "$DECC" wallet recover --text x --signature "${FSIG:0:130}05"
run "sign two messages" 2 "$DECC" wallet sign-message --private-key-file "$T/key" --text a --hex 00
run "sign no message" 2 "$DECC" wallet sign-message --private-key-file "$T/key"
run "sign bad --hash" 1 "$DECC" wallet sign-message --private-key-file "$T/key" --hash 0x1234
run "sign bad --hex" 1 "$DECC" wallet sign-message --private-key-file "$T/key" --hex 0xzz
run "sign no key" 2 "$DECC" wallet sign-message --text x
run "sign wrong password" 1 "$DECC" wallet sign-message --keystore "$T/new.json" --password-file "$T/badpw" --text x

# ---- typed data -------------------------------------------------------------
nt=$(jq '.typed | length' "$SIG")
for i in $(seq 0 $((nt - 1))); do
  f="$V/$(jq -r ".typed[$i].file" "$SIG")"
  want="$(jq -r ".typed[$i].signature" "$SIG")"
  run "sign-typed-data #$i" 0 "$DECC" --json wallet sign-typed-data --private-key-file "$T/key" "$f"
  expect_eq "typed signature #$i" "$(jq -r .signature <<<"$out")" "$want"
  expect_eq "typed digest #$i" "$(jq -r .digest <<<"$out")" "$(jq -r ".typed[$i].digest" "$SIG")"
  expect_eq "typed domain #$i" "$(jq -r .domain_separator <<<"$out")" "$(jq -r ".typed[$i].domain_separator" "$SIG")"
  run "recover typed #$i" 0 "$DECC" wallet recover --typed-data "$f" --signature "$want"
  expect_eq "typed signer #$i" "$out" "$ADDR"
done
# The domain may be left out of "types" (inferred from the domain's fields).
jq 'del(.types.EIP712Domain)' "$V/typed_mail.json" >"$T/typed_nodomain.json"
run "typed without EIP712Domain" 0 "$DECC" wallet sign-typed-data --private-key-file "$T/key" "$T/typed_nodomain.json"
expect_eq "inferred domain signature" "$out" "$(jq -r '.typed[0].signature' "$SIG")"
jq '.message.contents = "Hello, Eve!"' "$V/typed_mail.json" >"$T/typed_changed.json"
run "recover changed typed" 0 "$DECC" wallet recover --typed-data "$T/typed_changed.json" --signature "$(jq -r '.typed[0].signature' "$SIG")"
[ "$out" != "$ADDR" ] && ok || bad "changed typed data recovered the same signer"
printf '{"types":' >"$T/typed_bad.json"
run "typed bad json" 1 "$DECC" wallet sign-typed-data --private-key-file "$T/key" "$T/typed_bad.json"
run "typed missing file" 1 "$DECC" wallet sign-typed-data --private-key-file "$T/key" "$T/none.json"
run "typed no file" 2 "$DECC" wallet sign-typed-data --private-key-file "$T/key"
run "recover typed and text" 2 "$DECC" wallet recover --typed-data "$V/typed_mail.json" --text x --signature "$FSIG"

# ---- no secret anywhere ---------------------------------------------------------
for secret in "$PW" "$EPW" "${KEY#0x}"; do
  if grep -qiF -- "$secret" "$LOG"; then bad "a secret appeared in the output"; else ok; fi
  if grep -rqiF -- "$secret" "$DECC_HOME" "$T/new.json" "$T/pb.json"; then
    bad "a secret appears in clear in a wallet file"
  else ok; fi
done
leftover="$(find "$DECC_HOME" "$T" -name '*.tmp*' | wc -l)"
expect_eq "no temporary files" "$leftover" "0"

finish
