#!/usr/bin/env bash
# test_dp.sh — the DataProtector commands over a fresh data directory:
# protect (JSON and file), ls and its filters, grant (owner, TEE app rule,
# duplicates), grants, revoke (one, all), transfer, process refusals, the
# config file's default wallet, usage errors and `decc completion bash`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export DECC_HOME="$T/home"

cd "$T"
echo pw >pw
check_rc "wallet alice" 0 "$DECC" wallet create --name alice --password-file pw --scrypt-n 1024
check_rc "wallet bob" 0 "$DECC" wallet create --name bob --password-file pw --scrypt-n 1024
ALICE=$("$DECC" --json wallet list | jget '[w["address"] for w in d["wallets"] if w["path"].endswith("alice.json")][0]')
BOB=$("$DECC" --json wallet list | jget '[w["address"] for w in d["wallets"] if w["path"].endswith("bob.json")][0]')

# Several wallets and no config: the command says how to choose.
echo '{"email":"alice@example.com","score":42}' >rec.json
check_rc "no default wallet" 1 "$DECC" protect rec.json
has "no default wallet" "several wallets"
# A config file names the default wallet; unknown keys are refused.
echo '{"wallet":"alice","pasword":"x"}' >"$DECC_HOME/config.json"
check_rc "config typo" 1 "$DECC" ls --mine
has "config typo" "unknown key 'pasword'"
echo "{\"wallet\":\"alice\",\"passwordFile\":\"$T/pw\"}" >"$DECC_HOME/config.json"

check_rc "ls empty" 0 "$DECC" ls
check_rc "protect json" 0 "$DECC" --json protect rec.json --name "contact"
PD=$(jget 'd["address"]' <<<"$out")
[ "$(jget 'd["schema"]["score"]' <<<"$out")" = f64 ] && ok || ko "v2 schema: $out"
[ "$(jget 'd["owner"]' <<<"$out")" = "${ALICE,,}" ] && ok || ko "owner: $out"
head -c 3000 /dev/urandom >blob.bin
check_rc "protect file" 0 "$DECC" protect --file blob.bin --key doc --format legacy --key-out key.txt
has "protect file" "protected data 0x"
[ "$(tr -d '\n' <key.txt | wc -c)" = 44 ] && ok || ko "key file length"
[ "$(stat -c %a key.txt)" = 600 ] && ok || ko "key file mode"
check_rc "protect bad key" 1 "$DECC" protect <(echo '{"bad key":1}')
has "protect bad key" "bad key"

check_rc "ls mine" 0 "$DECC" --json ls --mine
[ "$(jget 'd["total"]' <<<"$out")" = 2 ] && ok || ko "ls mine total: $out"
check_rc "ls schema" 0 "$DECC" --json ls --schema '{"email":"string"}'
[ "$(jget 'len(d["protectedData"])' <<<"$out")" = 1 ] && ok || ko "ls schema: $out"
check_rc "ls schema legacy name" 0 "$DECC" --json ls --schema '{"score":"number"}'
[ "$(jget 'len(d["protectedData"])' <<<"$out")" = 1 ] && ok || ko "ls number~f64: $out"
check_rc "ls bad schema" 1 "$DECC" ls --schema '[1]'

# Bob's apps: a TEE app (MREnclave declares TDX and the measurement) and
# a plain one.
check_rc "app init" 0 "$DECC" app init app1
check_rc "app build" 0 "$DECC" --json app build app1 -o app1.tar
M=$(jget 'd["measurement"]' <<<"$out")
check_rc "store add" 0 "$DECC" --json store add app1.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check_rc "app deploy tee" 0 "$DECC" --json app deploy --name app1 --multiaddr "/ipfs/$CID" \
  --bundle app1.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}" \
  --keystore "$DECC_HOME/wallets/bob.json" --password-file pw
APP=$(jget 'd["app"]' <<<"$out")
# not a TEE app: no measurement (zero checksum), so no enclave can attest it
check_rc "app deploy plain" 0 "$DECC" --json app deploy --name app2 --multiaddr "/ipfs/$CID" \
  --checksum 0x0000000000000000000000000000000000000000000000000000000000000000 \
  --keystore "$DECC_HOME/wallets/bob.json" --password-file pw
APP2=$(jget 'd["app"]' <<<"$out")

check_rc "grant not tee" 1 "$DECC" grant "$PD" --app "$APP2" --user "$BOB"
has "grant not tee" "not a TEE app"
check_rc "grant not app" 1 "$DECC" grant "$PD" --app "$BOB" --user "$BOB"
has "grant not app" "not a registered app"
check_rc "grant usage" 2 "$DECC" grant "$PD" --app "$APP"
check_rc "grant not owner" 1 "$DECC" grant "$PD" --app "$APP" --user "$BOB" --wallet bob
has "grant not owner" "not by your wallet"
check_rc "grant" 0 "$DECC" --json grant "$PD" --app "$APP" --user "$BOB" --uses 3 --price 2.5
[ "$(jget 'd["remainingAccess"]' <<<"$out")" = 3 ] && ok || ko "remaining: $out"
[ "$(jget 'd["datasetprice"]' <<<"$out")" = 2500000000 ] && ok || ko "price: $out"
[ "$(jget 'd["tag"]' <<<"$out")" = 0x0000000000000000000000000000000000000000000000000000000000000009 ] && ok || ko "tag: $out"
HASH=$(jget 'd["orderHash"]' <<<"$out")
check_rc "grant duplicate" 1 "$DECC" grant "$PD" --app "$APP" --user "$BOB" --uses 3
has "grant duplicate" "revoke it first"
check_rc "grants" 0 "$DECC" grants
has "grants" "$HASH"
check_rc "grants user strict" 0 "$DECC" --json grants "$PD" --user "$BOB" --strict
[ "$(jget 'd["count"]' <<<"$out")" = 1 ] && ok || ko "grants strict: $out"

# Bob cannot run it yet: nobody published an app order here.
check_rc "process no app order" 1 "$DECC" process "$PD" --app "$APP" --wallet bob --no-wait
has "process no app order" "no app order"
check_rc "process secret argv" 2 "$DECC" process "$PD" --app "$APP" --secret x
check_rc "process usage" 2 "$DECC" process "$PD"

check_rc "revoke not owner" 1 "$DECC" revoke "$HASH" --wallet bob
check_rc "revoke one" 0 "$DECC" revoke "$HASH"
has "revoke one" "revoked $HASH"
check_rc "grants after revoke" 0 "$DECC" --json grants "$PD"
[ "$(jget 'd["count"]' <<<"$out")" = 0 ] && ok || ko "grants after revoke: $out"
check_rc "grants all" 0 "$DECC" grants "$PD" --all
has "grants all" "canceled"
check_rc "grant again" 0 "$DECC" grant "$PD" --app "$APP" --any-user
check_rc "revoke all" 0 "$DECC" revoke "$PD" --all
has "revoke all" "revoked 1 granted access"

check_rc "transfer" 0 "$DECC" transfer "$PD" "$BOB"
check_rc "ls owner bob" 0 "$DECC" --json ls --owner "$BOB"
[ "$(jget 'd["protectedData"][0]["address"]' <<<"$out")" = "${PD,,}" ] && ok || ko "ls owner: $out"
check_rc "transfer again" 1 "$DECC" transfer "$PD" "$ALICE"
has "transfer again" "owned by"

check_rc "completion" 0 "$DECC" completion bash
has "completion" "complete -o filenames -F _decc decc"
has "completion commands" "protect"
check_rc "completion usage" 2 "$DECC" completion fish
for c in protect grant grants revoke ls transfer process demo; do
  check_rc "$c --help" 0 "$DECC" "$c" --help
done

finish
