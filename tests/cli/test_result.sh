#!/usr/bin/env bash
# test_result.sh — `decc result`: keygen (files, modes, PEM forms), encrypt
# (checked independently with the openssl CLI: RSA PKCS#1 v1.5 key entry,
# IV ‖ AES-256-CBC payload), decrypt of every archive the iExec SDK opens
# (tests/vectors/formats/result.json: current, legacy, mixed), pubkey in the
# SMS base64 form; wrong key, missing entry, oversized entry, public key
# given for decryption: exit 1, one line on stderr, no output file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DECC=$(cd "$(dirname "$DECC")" && pwd)/$(basename "$DECC") # we cd below
SRC=${DECC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
V="$SRC/tests/vectors/formats/result.json"
b64file() { jq -r "$1" "$V" | openssl base64 -d -A; }

cd "$T"

# ---- help ------------------------------------------------------------------
run_ok "result --help" "$DECC" result --help
for c in keygen encrypt decrypt pubkey; do
  run_ok "result $c --help" "$DECC" result "$c" --help
done
refuse "unknown subcommand" 2 "$DECC" result frobnicate

# ---- keygen -----------------------------------------------------------------
# 2048 bits keeps the test fast; the default (4096) is covered by the unit
# tests' vectors.
run_ok "keygen" "$DECC" -q result keygen -o keys --name 0xAbC --bits 2048
check_eq "private key mode" "$(stat -c %a keys/0xAbC_key)" 600
check_eq "dir mode" "$(stat -c %a keys)" 700
head -1 keys/0xAbC_key | grep -qx -- '-----BEGIN PRIVATE KEY-----' && ok || ko "PKCS#8 PEM"
head -1 keys/0xAbC_key.pub | grep -qx -- '-----BEGIN PUBLIC KEY-----' && ok || ko "SPKI PEM"
openssl pkey -in keys/0xAbC_key -noout -text 2>/dev/null | grep -q 'Private-Key: (2048 bit' && ok || ko "openssl reads the key"
check_eq "public key matches" "$(openssl pkey -in keys/0xAbC_key -pubout)" "$(cat keys/0xAbC_key.pub)"
refuse "keygen keeps an existing private key" 1 "$DECC" result keygen -o keys --name 0xAbC --bits 2048
refuse "keygen --bits 512" 2 "$DECC" result keygen --bits 512
refuse "keygen bad --name" 2 "$DECC" result keygen --name a/b
out=$("$DECC" --json result keygen -o keys --name two --bits 2048)
check_eq "json privateKeyFile" "$(echo "$out" | jq -r .privateKeyFile)" keys/two_key
check_eq "json SMS form" "$(echo "$out" | jq -r .publicKeySmsBase64 | openssl base64 -d -A)" "$(cat keys/two_key.pub)"

# ---- encrypt, checked with openssl -------------------------------------------
mkdir iexec_out && head -c 300000 /dev/urandom >iexec_out/blob.bin && echo '{"deterministic-output-path":"/iexec_out/blob.bin"}' >iexec_out/computed.json
(cd iexec_out && zip -q -r ../iexec_out.zip .)
run_ok "encrypt" "$DECC" -q result encrypt iexec_out.zip --public-key keys/0xAbC_key.pub -o enc.zip
check_eq "archive entries" "$(unzip -Z1 enc.zip | sort | tr '\n' ' ')" "aes-key.rsa iexec_out.zip.aes "
unzip -p enc.zip aes-key.rsa >k.rsa
check_eq "aes-key.rsa is raw RSA-2048" "$(stat -c %s k.rsa)" 256
openssl pkeyutl -decrypt -inkey keys/0xAbC_key -pkeyopt rsa_padding_mode:pkcs1 -in k.rsa -out aes.key
check_eq "AES key is 32 raw bytes" "$(stat -c %s aes.key)" 32
unzip -p enc.zip iexec_out.zip.aes >payload
keyhex=$(od -An -tx1 -v aes.key | tr -d ' \n')
ivhex=$(head -c 16 payload | od -An -tx1 -v | tr -d ' \n')
tail -c +17 payload | openssl enc -d -aes-256-cbc -K "$keyhex" -iv "$ivhex" >inner.ossl
cmp -s inner.ossl iexec_out.zip && ok || ko "openssl opens decc's archive"
run_ok "decrypt" "$DECC" -q result decrypt enc.zip --private-key keys/0xAbC_key -o results.zip
cmp -s results.zip iexec_out.zip && ok || ko "round trip"
check_eq "results mode" "$(stat -c %a results.zip)" 600
out=$("$DECC" --json result decrypt enc.zip --private-key keys/0xAbC_key -o r2.zip)
check_eq "json format" "$(echo "$out" | jq -r .format)" current
check_eq "json size" "$(echo "$out" | jq -r .size)" "$(stat -c %s iexec_out.zip)"
# the SMS form of the public key works as input too
"$DECC" result pubkey --key keys/0xAbC_key --sms >pub.b64
run_ok "encrypt with base64 PEM" "$DECC" -q result encrypt iexec_out.zip --public-key pub.b64 -o enc2.zip
run_ok "decrypt it" "$DECC" -q result decrypt enc2.zip --private-key keys/0xAbC_key -o r3.zip
cmp -s r3.zip iexec_out.zip && ok || ko "round trip (base64 public key)"
check_eq "pubkey PEM" "$("$DECC" result pubkey --key keys/0xAbC_key)" "$(cat keys/0xAbC_key.pub)"

# ---- archives the SDK opens ----------------------------------------------------
jq -r .private_key_pem "$V" >sdk_key
b64file .iexec_out_zip >sdk_inner.zip
n=$(jq '.archives | length' "$V")
[ "$n" -ge 6 ] && ok || ko "archive vectors present"
for i in $(seq 0 $((n - 1))); do
  name=$(jq -r ".archives[$i].name" "$V")
  b64file ".archives[$i].archive" >"sdk_$name.zip"
  rm -f dec.zip
  run_ok "sdk archive $name" "$DECC" -q result decrypt "sdk_$name.zip" --private-key sdk_key -o dec.zip
  if [ "$name" = empty_payload ]; then
    check_eq "sdk archive $name: empty" "$(stat -c %s dec.zip)" 0
  else
    cmp -s dec.zip sdk_inner.zip && ok || ko "sdk archive $name: content"
  fi
done
check_eq "pubkey --sms = SDK formatEncryptionKey" "$("$DECC" result pubkey --key sdk_key --sms)" "$(jq -r .public_key_sms_b64 "$V")"

# ---- failures ------------------------------------------------------------------
mkdir bad
refuse "wrong private key" 1 "$DECC" result decrypt sdk_current.zip --private-key keys/0xAbC_key -o bad/r.zip
grep -q 'private key' "$T/err" && ok || ko "wrong key message: $(cat "$T/err")"
for f in missing_key_entry missing_payload_entry oversized_key_entry not_a_zip; do
  i=$(jq "[.failures[].name] | index(\"$f\")" "$V")
  b64file ".failures[$i].archive" >"bad_$f.zip"
  refuse "sdk failure $f" 1 "$DECC" result decrypt "bad_$f.zip" --private-key sdk_key -o bad/r.zip
done
refuse "public key for decryption" 1 "$DECC" result decrypt sdk_current.zip --private-key keys/0xAbC_key.pub -o bad/r.zip
grep -q 'public key' "$T/err" && ok || ko "public key message"
refuse "plain zip is not an encrypted result" 1 "$DECC" result decrypt iexec_out.zip --private-key sdk_key -o bad/r.zip
grep -q 'no aes-key.rsa' "$T/err" && ok || ko "missing entry message: $(cat "$T/err")"
refuse "missing archive" 1 "$DECC" result decrypt nope.zip --private-key sdk_key -o bad/r.zip
refuse "bad key file" 1 "$DECC" result encrypt iexec_out.zip --public-key iexec_out.zip -o bad/e.zip
refuse "missing input" 1 "$DECC" result encrypt nope.zip --public-key keys/0xAbC_key.pub -o bad/e.zip
check_eq "failures leave nothing" "$(find bad -mindepth 1 | wc -l)" 0
refuse "existing output" 1 "$DECC" result decrypt enc.zip --private-key keys/0xAbC_key -o results.zip
run_ok "existing output with --force" "$DECC" -q result decrypt enc.zip --private-key keys/0xAbC_key -o results.zip --force
refuse "encrypt without -o" 2 "$DECC" result encrypt iexec_out.zip --public-key keys/0xAbC_key.pub
refuse "decrypt without --private-key" 2 "$DECC" result decrypt enc.zip
refuse "pubkey without --key" 2 "$DECC" result pubkey
check_eq "no stray temporary files" "$(find . -name '.*.tmp*' | wc -l)" 0

finish
