#!/usr/bin/env bash
# test_wallet_units.sh — one wallet option and one amount syntax across the
# commands: --wallet NAME on account / order sign / app deploy / task claim
# / workerpool deploy, the default wallet of config.json, wallet names
# where an address is asked (account balance bob, grants --user bob), the
# amount syntax ("1.5 RLC", 0.5, "200 nRLC", bare nRLC) with units printed,
# app publish / workerpool publish with units and defaults, a max price
# too low naming the flag to raise, and a long error that
# keeps its cause (an unreachable market).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export DECC_HOME="$T/home"

cd "$T"
dev_keys
key 1 >alice.key; key 2 >bob.key
chmod 600 ./*.key
echo pw >pw
check_rc "import bob" 0 "$DECC" wallet import --name bob --private-key-file bob.key --password-file pw --scrypt-n 1024
check_rc "import alice" 0 "$DECC" wallet import --name alice --private-key-file alice.key --password-file pw --scrypt-n 1024
BOB=$(addr 2)
ALICE=$(addr 1)

# Wallet names where an address is asked.
check_rc "balance bob" 0 "$DECC" --json account balance bob
[ "$(jget 'd["address"].lower()' <<<"$out")" = "${BOB,,}" ] && ok || ko "balance bob address: $out"
stake0=$(jget 'int(d["stake"])' <<<"$out")
check_rc "balance unknown wallet" 2 "$DECC" account balance carol
has "balance unknown wallet" "no wallet 'carol'"

# --wallet on account: amounts with units, a decimal point means RLC.
check_rc "deposit 1.5 RLC" 0 "$DECC" account deposit "1.5 RLC" --wallet bob --password-file pw
check_rc "deposit 0.5" 0 "$DECC" account deposit 0.5 --wallet bob --password-file pw
check_rc "deposit 200nRLC" 0 "$DECC" account deposit 200nRLC --wallet bob --password-file pw
check_rc "deposit bare" 0 "$DECC" account deposit 300 --wallet bob --password-file pw
check_rc "balance" 0 "$DECC" --json account balance bob
[ $(( $(jget 'int(d["stake"])' <<<"$out") - stake0 )) = 2000000500 ] && ok || ko "deposits: $out"
check_rc "balance text" 0 "$DECC" account balance bob
has "units printed" "stake   .* RLC"
check_rc "bad amount" 2 "$DECC" account deposit "1.5 ETH" --wallet bob --password-file pw
has "bad amount names the syntax" "1.5 RLC"

# The default wallet from config.json: no key option at all.
echo "{\"wallet\":\"bob\",\"passwordFile\":\"$T/pw\"}" >"$DECC_HOME/config.json"
check_rc "deposit default wallet" 0 "$DECC" --json account deposit "1 nRLC"
check_rc "balance default wallet" 0 "$DECC" --json account balance
[ "$(jget 'd["address"].lower()' <<<"$out")" = "${BOB,,}" ] && ok || ko "default balance: $out"

# --wallet on the other signing commands.
check_rc "workerpool deploy --wallet" 0 "$DECC" --json workerpool deploy --description p --wallet alice --password-file pw
WP=$(jget 'd["workerpool"]' <<<"$out")
check_rc "workerpool owner" 0 "$DECC" --json workerpool show "$WP"
grep -qi "${ALICE}" <<<"$out" && ok || ko "workerpool owner: $out"
HUB=$("$DECC" --json chain info | jget 'd["contracts"]["hub"] if "contracts" in d else d["hub"]')
Z=0x0000000000000000000000000000000000000000
TAG=0x0000000000000000000000000000000000000000000000000000000000000009
echo "{\"workerpool\":\"$WP\",\"workerpoolprice\":\"0\",\"volume\":\"1\",\"tag\":\"$TAG\",\"category\":\"0\",\"trust\":\"0\",\"apprestrict\":\"$Z\",\"datasetrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >wo.json
check_rc "order sign --wallet" 0 "$DECC" --json order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --wallet alice --password-file pw -o wo.s.json wo.json
check_rc "order sign default wallet" 0 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" -o wo2.s.json wo.json
check_rc "task claim --wallet" 1 "$DECC" task claim 0x$(printf '%064d' 1) --wallet bob --password-file pw
grep -q "unknown option" "$T/err" && ko "task claim refused --wallet: $(cat "$T/err")" || ok
check_rc "unknown --wallet" 2 "$DECC" order sign --type workerpoolorder --chain-id 31337 --hub "$HUB" --wallet nobody -o x.json wo.json
has "unknown --wallet" "no wallet 'nobody'"

# Protected data, then --user with a wallet name; a too low max price names
# its flag.
echo '{"email":"a@example.com"}' >rec.json
check_rc "protect" 0 "$DECC" --json protect rec.json --wallet alice
PD=$(jget 'd["address"]' <<<"$out")
"$DECC" app init app1 >/dev/null
check_rc "app build" 0 "$DECC" --json app build app1 -o app1.tar
M=$(jget 'd["measurement"]' <<<"$out")
check_rc "store add" 0 "$DECC" --json store add app1.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check_rc "app deploy --wallet" 0 "$DECC" --json app deploy --name app1 --multiaddr "/ipfs/$CID" \
  --bundle app1.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}" --wallet bob --password-file pw
APP=$(jget 'd["app"]' <<<"$out")
check_rc "grant --user bob" 0 "$DECC" grant "$PD" --app "$APP" --user bob --price "0.25 RLC" --wallet alice
check_rc "grants --user bob" 0 "$DECC" --json grants "$PD" --user bob --wallet alice
[ "$(jget 'd["grantedAccess"][0]["requesterrestrict"].lower()' <<<"$out")" = "${BOB,,}" ] && ok || ko "grants: $out"
# app publish / workerpool publish: defaults, units, chain id and hub
# read from the chain, the data directory's market.
check_rc "app publish" 0 "$DECC" --json app publish "$APP" --price "0.1 RLC" --volume 5
[ "$(jget 'd["price"]' <<<"$out")" = "0.1 RLC" ] && [ "$(jget 'd["volume"]' <<<"$out")" = 5 ] && ok || ko "app publish: $out"
check_rc "app publish not owner" 1 "$DECC" app publish "$APP" --wallet alice
check_rc "workerpool publish" 0 "$DECC" workerpool publish "$WP" --wallet alice --price 200nRLC
has "workerpool publish units" "price 0.0000002 RLC, volume 1"
check_rc "process app price too low" 1 "$DECC" process "$PD" --app "$APP" --data-max-price 1RLC
has "names the app flag" "raise it with --app-max-price"
check_rc "max price too low" 1 "$DECC" process "$PD" --app "$APP" --app-max-price 0.1 --data-max-price "200 nRLC"
has "names the flag" "raise it with --data-max-price"
has "suggests the price" "--data-max-price '0.25 RLC'"

# A long error keeps its cause: the market is unreachable.
echo "{\"wallet\":\"bob\",\"passwordFile\":\"$T/pw\",\"market\":\"http://127.0.0.1:9/a/long/prefix/to/the/market/api/$(printf 'x%.0s' $(seq 150))\"}" >"$DECC_HOME/config.json"
check_rc "market down" 1 "$DECC" process "$PD" --app "$APP" --app-max-price 1RLC --data-max-price 1RLC
has "cause kept" "onnect"
grep -q "minTag=" "$T/err" && ko "query string in the error: $(cat "$T/err")" || ok

finish
