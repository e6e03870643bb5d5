#!/usr/bin/env bash
# test_sms.sh — `decc sms`: a served SMS over a fresh embedded dev ledger,
# then the client commands against it: web2 / requester / result-key /
# app-developer pushes, updates, HEAD checks (text and --json), refusals
# with their reasons (409, 401 no owner on chain, 400 bad names, 413
# oversized), values only from files, --help everywhere.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

# expect CODE CMD...: runs CMD, checks its exit code; output in $T/out, $T/err
expect() {
  local want=$1
  shift
  expect_rc "$*" "$want" "$@"
}
# contains_file FILE NEEDLE: FILE holds NEEDLE (a grep pattern)
contains_file() { if grep -q -- "$2" "$1"; then ok; else ko "$1 lacks '$2': $(cat "$1")"; fi; }

umask 077
printf '0x%s\n' "$(printf '11%.0s' $(seq 32))" >"$T/k1"
printf '0x%s\n' "$(printf '22%.0s' $(seq 32))" >"$T/k2"
A1=0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A

# ---- serve ------------------------------------------------------------------
expect 0 "$DECC" sms serve --help
expect 1 "$DECC" sms serve --vault "$T/vault" --ledger "$T/none.db"
# without --ledger: the chosen chain (here the embedded one, absent)
expect 1 "$DECC" --home "$T/nohome" sms serve --vault "$T/vault"
expect 2 "$DECC" sms serve --vault "$T/vault" --create-ledger
contains_file "$T/err" "create-ledger"
start_bg "$T/port" "$T/serve.err" "$DECC" sms serve --vault "$T/vault" --ledger "$T/ledger.db" --create-ledger \
  --port-file "$T/port" --trust-platform $A1
SMS=$BG_URL
ok

# ---- web2 ---------------------------------------------------------------------
printf 'value one' >"$T/v1"
printf 'value two' >"$T/v2"
expect 0 "$DECC" sms push-secret web2 --sms "$SMS" --name My-Name --value-file "$T/v1" --private-key-file "$T/k1"
contains_file "$T/out" "secret pushed"
expect 1 "$DECC" sms push-secret web2 --sms "$SMS" --name my-name --value-file "$T/v2" --private-key-file "$T/k1"
contains_file "$T/err" "409"
expect 0 "$DECC" sms push-secret web2 --sms "$SMS" --name MY-NAME --value-file "$T/v2" --update --private-key-file "$T/k1"
expect 1 "$DECC" sms push-secret web2 --sms "$SMS" --name absent --value-file "$T/v2" --update --private-key-file "$T/k1"
contains_file "$T/err" "404"
expect 0 "$DECC" sms check web2 --sms "$SMS" --address $A1 --name my-NAME
contains_file "$T/out" "present"
expect 1 "$DECC" sms check web2 --sms "$SMS" --address $A1 --name other
contains_file "$T/out" "absent"
DECC_SMS_URL="$SMS" expect 0 "$DECC" --json sms check web2 --address $A1 --name my-name
contains_file "$T/out" '"exists":true'

# ---- requester ------------------------------------------------------------------
expect 0 "$DECC" sms push-secret requester --sms "$SMS" --name api_key-1 --value-file "$T/v1" --private-key-file "$T/k1"
expect 0 "$DECC" sms check requester --sms "$SMS" --address $A1 --name api_key-1
expect 2 "$DECC" sms push-secret requester --sms "$SMS" --name 'bad key' --value-file "$T/v1" --private-key-file "$T/k1"
# another key writes under its own address, never under A1's
expect 0 "$DECC" sms push-secret requester --sms "$SMS" --name api_key-1 --value-file "$T/v1" --private-key-file "$T/k2"
expect 1 "$DECC" sms push-secret requester --sms "$SMS" --name api_key-1 --value-file "$T/v1" --private-key-file "$T/k1"
contains_file "$T/err" "409"
# values never from argv
expect 2 "$DECC" sms push-secret requester --sms "$SMS" --name x --value secret --private-key-file "$T/k1"
# stdin works
printf 'from stdin' | expect 0 "$DECC" sms push-secret requester --sms "$SMS" --name stdin --value-file - --private-key-file "$T/k1"
# oversized
head -c 5000 /dev/zero | tr '\0' a >"$T/big"
expect 1 "$DECC" sms push-secret requester --sms "$SMS" --name big --value-file "$T/big" --private-key-file "$T/k1"
contains_file "$T/err" "4096"

# ---- result encryption key ------------------------------------------------------------
expect 0 "$DECC" result keygen -o "$T/rsa" --bits 2048
expect 0 "$DECC" sms push-secret result-key --sms "$SMS" --value-file "$T/rsa/beneficiary_key.pub" --private-key-file "$T/k1"
expect 0 "$DECC" sms check web2 --sms "$SMS" --address $A1 --name iexec-result-encryption-public-key
expect 1 "$DECC" sms push-secret web2 --sms "$SMS" --name iexec-result-encryption-public-key --value-file "$T/v1" --private-key-file "$T/k2"
contains_file "$T/err" "RSA public key"

# ---- on-chain owners ------------------------------------------------------------------
expect 0 "$DECC" dataset keygen -o "$T/ds.key"
expect 1 "$DECC" sms push-dataset-key --sms "$SMS" --dataset 0x2222222222222222222222222222222222222222 --key-file "$T/ds.key" --private-key-file "$T/k1"
contains_file "$T/err" "401"
expect 1 "$DECC" sms push-dataset-key --sms "$SMS" --dataset 0x2222222222222222222222222222222222222222 --key-file "$T/v1" --private-key-file "$T/k1"
contains_file "$T/err" "not a dataset key"
expect 1 "$DECC" sms check web3 --sms "$SMS" --address 0x2222222222222222222222222222222222222222
expect 1 "$DECC" sms push-secret app-developer --sms "$SMS" --app 0x4444444444444444444444444444444444444444 --value-file "$T/v1" --private-key-file "$T/k1"
contains_file "$T/err" "401"
expect 1 "$DECC" sms check app-developer --sms "$SMS" --address 0x4444444444444444444444444444444444444444

# ---- usage ----------------------------------------------------------------------------------
expect 0 "$DECC" sms --help
for c in push-dataset-key push-secret check; do expect 0 "$DECC" sms $c --help; done
expect 2 "$DECC" sms push-secret web2 --name x --value-file "$T/v1" --private-key-file "$T/k1"
# no key option and no wallet in the data directory: the default-wallet
# lookup says how to give one (exit 1, like every signing command)
expect 1 "$DECC" sms push-secret web2 --sms "$SMS" --name x --value-file "$T/v1"
contains_file "$T/err" "no wallet"
expect 2 "$DECC" sms check web9 --sms "$SMS" --address $A1
expect 2 "$DECC" sms nope
expect 1 "$DECC" sms check web2 --sms "http://127.0.0.1:1" --address $A1 --name x

# the server logged refusals with reasons and no secret value
contains_file "$T/serve.err" "NO_OWNER_ON_CHAIN"
if grep -q "value one\|value two" "$T/serve.err"; then ko "secret in server log"; else ok; fi

finish
