#!/usr/bin/env bash
# test_app_deploy.sh — `decc app deploy DIR` packs, stores and registers an
# iApp in one step (a ready bundle with --bundle too; the same bundle and
# name again is the same app); with an explicit --multiaddr the content
# must be fetchable: "hello" and a CID absent from the store are refused at
# deploy time, a CID added with `decc store add` is accepted; the app is
# then published with `decc app publish`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export DECC_HOME="$T/home"
cd "$T"
dev_keys
key 2 >bob.key
chmod 600 bob.key
echo pw >pw
check_rc "import bob" 0 "$DECC" wallet import --name bob --private-key-file bob.key --password-file pw --scrypt-n 1024
echo "{\"wallet\":\"bob\",\"passwordFile\":\"$T/pw\"}" >"$DECC_HOME/config.json"

"$DECC" app init myapp >/dev/null
check_rc "deploy DIR" 0 "$DECC" --json app deploy myapp
APP=$(jget 'd["app"]' <<<"$out")
MA=$(jget 'd["multiaddr"]' <<<"$out")
[ "$(jget 'd["created"]' <<<"$out")" = True ] && ok || ko "created: $out"
[ "$(jget 'd["name"]' <<<"$out")" = myapp ] && ok || ko "name: $out"
[ "${MA:0:6}" = /ipfs/ ] && ok || ko "multiaddr: $out"
check_rc "bundle in the store" 0 "$DECC" store cat "${MA#/ipfs/}"
check_rc "app show" 0 "$DECC" --json app show "$APP"
grep -q "fingerprint" <<<"$out" && ok || ko "no mrenclave: $out"
check_rc "deploy again" 0 "$DECC" app deploy myapp
has "same app" "already deployed"
has "same address" "$APP"

check_rc "build" 0 "$DECC" --json app build myapp -o b.tar
check_rc "deploy --bundle" 0 "$DECC" --json app deploy --bundle b.tar --name other
[ "$(jget 'd["app"]' <<<"$out")" != "$APP" ] && ok || ko "other: $out"
check_rc "deploy DIR and extra" 2 "$DECC" app deploy myapp --multiaddr /ipfs/x
check_rc "deploy missing DIR" 1 "$DECC" app deploy nowhere

M=$("$DECC" --json app build myapp -o b2.tar | jget 'd["measurement"]')
MR="{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}"
check_rc "multiaddr hello" 2 "$DECC" app deploy --name h --multiaddr hello --bundle b2.tar --mrenclave "$MR"
has "hello refused" "a bundle lives at /ipfs/CID"
head -c 1000 /dev/urandom >absent.bin
# its CID, from another data directory's store: absent from this one
ABSENT=$(DECC_HOME="$T/other" "$DECC" --json store add absent.bin | jget 'd["Hash"]')
check_rc "absent CID" 1 "$DECC" app deploy --name a --multiaddr "/ipfs/$ABSENT" --bundle b2.tar --mrenclave "$MR"
has "absent refused" "not in the store"
check_rc "store add" 0 "$DECC" --json store add b2.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check_rc "present CID" 0 "$DECC" --json app deploy --name p --multiaddr "/ipfs/$CID" --bundle b2.tar --mrenclave "$MR"

check_rc "publish" 0 "$DECC" --json app publish "$APP" --price "1 RLC"
[ "$(jget 'len(d["orderHash"])' <<<"$out")" = 66 ] && ok || ko "publish: $out"

finish
