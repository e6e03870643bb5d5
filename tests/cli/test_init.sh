#!/usr/bin/env bash
# test_init.sh — `decc init` sets up a data directory as `iexec init` does a
# project: a new wallet "main" (password from a file; no terminal and no
# file is an error, never an empty password), config.json naming it; a
# second run changes nothing; --wallet NAME adds a wallet without taking
# the default from the configured one; --skip-wallet makes none; a password
# on the command line is refused; the JSON output; an existing keystore is
# never overwritten.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# jq filters, not lib.sh's Python expressions: jq starts in milliseconds.
jget() { jq -r "$1"; }
cd "$T"
echo 'a long password' >pw
export DECC_HOME="$T/h"

check_rc "no password source" 1 "$DECC" init
grep -q "password" "$T/err" && ok || ko "no-terminal message: $(cat "$T/err")"
[ ! -e "$T/h/wallets/main.json" ] && ok || ko "a wallet was written without a password"

check_rc "init" 0 "$DECC" --json init --password-file pw
[ "$(jget .walletCreated <<<"$out")" = true ] && ok || ko "created: $out"
[ "$(jget .chainId <<<"$out")" = 31337 ] && ok || ko "chain id: $out"
ADDR=$(jget .address <<<"$out")
[ "$(jget .wallet <"$T/h/config.json")" = main ] && ok || ko "config: $(cat "$T/h/config.json")"
[ -s "$T/h/chain/ledger.sqlite" ] && ok || ko "no ledger"
[ "$(stat -c %a "$T/h/wallets/main.json")" = 600 ] && ok || ko "keystore mode"
# The keystore unlocks with that password and is the reported address.
check_rc "address" 0 "$DECC" wallet address --keystore "$T/h/wallets/main.json" --password-file pw
grep -qi "$ADDR" <<<"$out" && ok || ko "address: $out vs $ADDR"
# The default wallet is used by commands without --wallet.
check_rc "wallet show" 0 "$DECC" wallet show
grep -q "^main .*$ADDR" <<<"$out" && ok || ko "wallet show: $out"

before=$(sha256sum "$T/h/wallets/main.json" "$T/h/config.json")
check_rc "again" 0 "$DECC" --json init --password-file pw
[ "$(jget .walletCreated <<<"$out"),$(jget .configChanged <<<"$out")" = false,false ] && ok || ko "second run: $out"
[ "$before" = "$(sha256sum "$T/h/wallets/main.json" "$T/h/config.json")" ] && ok || ko "second run changed files"

check_rc "second wallet" 0 "$DECC" init --wallet second --password-file pw
[ -s "$T/h/wallets/second.json" ] && ok || ko "no second wallet"
[ "$(jget .wallet <"$T/h/config.json")" = main ] && ok || ko "default changed: $(cat "$T/h/config.json")"
grep -q 'keeps "main"' "$T/err" && ok || ko "no note on the default: $(cat "$T/err")"

check_rc "password in argv" 2 "$DECC" init --password hunter2
check_rc "bad name" 2 "$DECC" init --wallet ../x --password-file pw
check_rc "skip-wallet" 0 env DECC_HOME="$T/h2" "$DECC" --json init --skip-wallet
[ "$(jget .wallet <<<"$out")" = null ] && [ ! -d "$T/h2/wallets" ] || [ -z "$(ls "$T/h2/wallets" 2>/dev/null)" ] && ok || ko "skip-wallet: $out"

finish
