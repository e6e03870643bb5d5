#!/usr/bin/env bash
# test_dataset.sh — `decc dataset`: keygen, encrypt (with a key file and
# with a generated FILE.key), decrypt, checksum; cross-checked with the
# openssl CLI (same IV ‖ AES-256-CBC bytes, same SHA-256) and with a
# ciphertext made by the iExec SDK (tests/vectors/formats/dataset.json);
# wrong key, truncated and tampered input, checksum mismatch: exit 1, one
# line on stderr, and no output file left behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DECC=$(cd "$(dirname "$DECC")" && pwd)/$(basename "$DECC") # we cd below
SRC=${DECC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
V="$SRC/tests/vectors/formats/dataset.json"
hex2bin() { printf '%b' "$(sed 's/../\\x&/g')"; }
entries() { find "$1" -mindepth 1 -maxdepth 1 | wc -l; }

cd "$T"

# ---- help ------------------------------------------------------------------
run_ok "dataset --help" "$DECC" dataset --help
grep -q 'keygen' "$T/out" && ok || ko "help lists keygen"
for c in keygen encrypt decrypt checksum; do
  run_ok "dataset $c --help" "$DECC" dataset "$c" --help
done
refuse "no subcommand" 2 "$DECC" dataset
refuse "unknown subcommand" 2 "$DECC" dataset frobnicate

# ---- keygen -----------------------------------------------------------------
run_ok "keygen -o" "$DECC" -q dataset keygen -o k1
check_eq "key file mode" "$(stat -c %a k1)" 600
check_eq "key file is 44 bytes, no newline" "$(wc -c <k1)" 44
grep -Eq '^[A-Za-z0-9+/]{43}=$' k1 && ok || ko "key is padded base64"
refuse "keygen keeps an existing file" 1 "$DECC" dataset keygen -o k1
cp k1 k1.orig
run_ok "keygen --force" "$DECC" -q dataset keygen -o k1 --force
cmp -s k1 k1.orig && ko "--force made a new key" || ok
run_ok "keygen default file" "$DECC" -q dataset keygen
[ -f dataset.key ] && check_eq "dataset.key mode" "$(stat -c %a dataset.key)" 600 || ko "dataset.key written"
out=$("$DECC" dataset keygen --print)
[[ "$out" =~ ^[A-Za-z0-9+/]{43}=$ ]] && ok || ko "--print prints a key ($out)"
refuse "keygen -o and --print" 2 "$DECC" dataset keygen -o x --print
out=$("$DECC" --json dataset keygen --print)
[[ "$(echo "$out" | jq -r .key)" =~ ^[A-Za-z0-9+/]{43}=$ ]] && ok || ko "--json keygen --print"

# ---- encrypt / decrypt ------------------------------------------------------
head -c $((3 * 1048576 + 17)) /dev/urandom >plain.bin
sum=$("$DECC" -q dataset encrypt plain.bin --key-file k1)
[ -f plain.bin.enc ] && ok || ko "default output FILE.enc"
check_eq "encrypted size" "$(stat -c %s plain.bin.enc)" $((16 + (3 * 1048576 + 17) / 16 * 16 + 16))
check_eq "checksum = sha256 of the output" "$sum" "0x$(openssl dgst -sha256 -r plain.bin.enc | cut -d' ' -f1)"
check_eq "dataset checksum" "$("$DECC" dataset checksum plain.bin.enc)" "$sum"
check_eq "dataset checksum --json" "$("$DECC" --json dataset checksum plain.bin.enc | jq -r .checksum)" "$sum"
# independent decryption with the openssl CLI: IV = first 16 bytes
keyhex=$(openssl base64 -d -A <k1 | od -An -tx1 -v | tr -d ' \n')
ivhex=$(head -c 16 plain.bin.enc | od -An -tx1 -v | tr -d ' \n')
tail -c +17 plain.bin.enc | openssl enc -d -aes-256-cbc -K "$keyhex" -iv "$ivhex" >plain.ossl
cmp -s plain.ossl plain.bin && ok || ko "openssl decrypts decc's output"
mv plain.bin orig.bin
run_ok "decrypt (default OUT strips .enc)" "$DECC" -q dataset decrypt plain.bin.enc --key-file k1
cmp -s plain.bin orig.bin && ok || ko "round trip"
check_eq "plaintext mode" "$(stat -c %a plain.bin)" 600
run_ok "decrypt --checksum" "$DECC" -q dataset decrypt plain.bin.enc --key-file k1 -o p2 --checksum "$sum"
cmp -s p2 orig.bin && ok || ko "round trip with checksum"
# openssl-made ciphertext decrypts with decc
openssl rand 16 >iv.bin
printf 'hello iExec\n' >small.txt
{ cat iv.bin; openssl enc -aes-256-cbc -K "$keyhex" -iv "$(od -An -tx1 -v iv.bin | tr -d ' \n')" -in small.txt; } >small.enc
run_ok "decrypt openssl's ciphertext" "$DECC" -q dataset decrypt small.enc --key-file k1 -o small.out
cmp -s small.out small.txt && ok || ko "openssl -> decc"

# without --key-file: FILE.key is generated (like `iexec dataset encrypt`)
printf 'abc' >auto.txt
out=$("$DECC" --json dataset encrypt auto.txt)
check_eq "json keyFile" "$(echo "$out" | jq -r .keyFile)" auto.txt.key
check_eq "json encryptedFile" "$(echo "$out" | jq -r .encryptedFile)" auto.txt.enc
check_eq "generated key mode" "$(stat -c %a auto.txt.key)" 600
check_eq "json checksum" "$(echo "$out" | jq -r .checksum)" "$("$DECC" dataset checksum auto.txt.enc)"
run_ok "decrypt with the generated key" "$DECC" -q dataset decrypt auto.txt.enc --key-file auto.txt.key -o auto.out
check_eq "auto round trip" "$(cat auto.out)" abc
refuse "encrypt keeps an existing FILE.key" 1 "$DECC" dataset encrypt auto.txt -o other.enc
[ -f other.enc ] && ko "no output when the key file exists" || ok

# an empty file encrypts to 32 bytes
: >empty
run_ok "encrypt empty" "$DECC" -q dataset encrypt empty --key-file k1
check_eq "empty -> 32 bytes" "$(stat -c %s empty.enc)" 32
run_ok "decrypt empty" "$DECC" -q dataset decrypt empty.enc --key-file k1 -o empty.out
check_eq "empty round trip" "$(stat -c %s empty.out)" 0

# ---- the SDK's ciphertext ----------------------------------------------------
for i in $(seq 0 $(($(jq '.datasets | length' "$V") - 1))); do
  enc=$(jq -r ".datasets[$i].encrypted // empty" "$V")
  [ -n "$enc" ] || continue
  size=$(jq -r ".datasets[$i].size" "$V")
  jq -r ".datasets[$i].key" "$V" | tr -d '\n' >sdk.key
  echo "$enc" | hex2bin >sdk.enc
  check_eq "sdk vector $size: ciphertext length" "$(stat -c %s sdk.enc)" $(( ${#enc} / 2 ))
  rm -f sdk.out
  run_ok "sdk vector $size: decrypt" "$DECC" -q dataset decrypt sdk.enc --key-file sdk.key -o sdk.out \
    --checksum "$(jq -r ".datasets[$i].checksum" "$V")"
  check_eq "sdk vector $size: plaintext" "0x$(openssl dgst -sha256 -r sdk.out | cut -d' ' -f1)" \
    "$(jq -r ".datasets[$i].plain_sha256" "$V")"
  check_eq "sdk vector $size: checksum" "$("$DECC" dataset checksum sdk.enc)" "$(jq -r ".datasets[$i].checksum" "$V")"
done

# ---- bad input --------------------------------------------------------------
mkdir bad
cp plain.bin.enc bad/c.enc
n0=$(entries bad)
refuse "wrong key" 1 "$DECC" dataset decrypt bad/c.enc --key-file dataset.key -o bad/out
grep -q 'wrong key' "$T/err" && ok || ko "wrong key message: $(cat "$T/err")"
check_eq "wrong key: nothing left" "$(entries bad)" "$n0"
head -c 10 plain.bin.enc >bad/short.enc
refuse "truncated (< 16 bytes)" 1 "$DECC" dataset decrypt bad/short.enc --key-file k1 -o bad/out
grep -q 'truncated' "$T/err" && ok || ko "truncated message"
head -c 16 plain.bin.enc >bad/ivonly.enc
refuse "IV only" 1 "$DECC" dataset decrypt bad/ivonly.enc --key-file k1 -o bad/out
head -c $(( $(stat -c %s plain.bin.enc) - 5 )) plain.bin.enc >bad/cut.enc
refuse "not a multiple of 16" 1 "$DECC" dataset decrypt bad/cut.enc --key-file k1 -o bad/out
grep -q 'multiple of 16' "$T/err" && ok || ko "multiple-of-16 message"
cp plain.bin.enc bad/tamper.enc
size=$(stat -c %s bad/tamper.enc)
# CBC: flipping a byte of the next-to-last ciphertext block flips the same
# byte of the last plaintext block. Its last byte is the padding length
# (1..16); XOR 0x5a makes it 0x4a..0x5f, never a valid length, so the
# refusal is certain. (Overwriting the last block instead garbles it at
# random, and about one run in 256 still ended in a valid padding byte.)
last=$(od -An -tu1 -j $((size - 17)) -N1 bad/tamper.enc | tr -d ' ')
printf "\\x$(printf %02x $((last ^ 0x5a)))" |
  dd of=bad/tamper.enc bs=1 seek=$((size - 17)) conv=notrunc status=none
refuse "tampered last block" 1 "$DECC" dataset decrypt bad/tamper.enc --key-file k1 -o bad/out
refuse "checksum mismatch" 1 "$DECC" dataset decrypt plain.bin.enc --key-file k1 -o bad/out \
  --checksum 0x0000000000000000000000000000000000000000000000000000000000000000
grep -q 'checksum mismatch' "$T/err" && ok || ko "checksum message"
check_eq "bad input: nothing left" "$(entries bad)" 5
printf 'AAAA' >bad.key
refuse "short key file" 1 "$DECC" dataset decrypt plain.bin.enc --key-file bad.key -o bad/out
grep -q '32 bytes' "$T/err" && ok || ko "short key message"
refuse "missing key file" 1 "$DECC" dataset decrypt plain.bin.enc --key-file nope.key -o bad/out
refuse "missing input" 1 "$DECC" dataset encrypt nope.bin --key-file k1
refuse "checksum of a missing file" 1 "$DECC" dataset checksum nope.bin
refuse "existing output" 1 "$DECC" dataset decrypt plain.bin.enc --key-file k1 -o orig.bin
run_ok "existing output with --force" "$DECC" -q dataset decrypt plain.bin.enc --key-file k1 -o orig.bin --force
refuse "decrypt without --key-file" 2 "$DECC" dataset decrypt plain.bin.enc -o x
refuse "decrypt without -o and no .enc" 2 "$DECC" dataset decrypt orig.bin --key-file k1
refuse "bad --checksum" 2 "$DECC" dataset decrypt plain.bin.enc --key-file k1 -o x --checksum 0x12
refuse "unknown option" 2 "$DECC" dataset encrypt plain.bin --frob
check_eq "no stray temporary files" "$(find . -name '.*.tmp*' | wc -l)" 0

finish
