#!/usr/bin/env bash
# test_app_deploy.sh — `decc app deploy DIR` packs, stores and registers an
# iApp in one step (a ready bundle with --bundle too; the same bundle and
# name again is the same app); with an explicit --multiaddr the content
# must be fetchable: "hello" and a CID absent from the store are refused at
# deploy time, a CID added with `decc store add` is accepted; the app is
# then published with `decc app publish`.
set -euo pipefail
DECC=${DECC:?DECC must point to the decc binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export DECC_HOME="$T/home"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() {
  local name=$1 want=$2
  shift 2
  set +e
  out=$("$@" 2>"$T/err")
  local rc=$?
  set -e
  if [ "$rc" = "$want" ]; then ok; else ko "$name: rc $rc (want $want): $out $(cat "$T/err")"; fi
}
has() { if grep -q -- "$2" <<<"$out$(cat "$T/err")"; then ok; else ko "$1: no '$2' in: $out $(cat "$T/err")"; fi; }
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
cd "$T"
keys=$("$DECC" chain init --dev | grep '^(')
awk '$1=="(2)"{print $3}' <<<"$keys" >bob.key
chmod 600 bob.key
echo pw >pw
check "import bob" 0 "$DECC" wallet import --name bob --private-key-file bob.key --password-file pw --scrypt-n 1024
echo "{\"wallet\":\"bob\",\"passwordFile\":\"$T/pw\"}" >"$DECC_HOME/config.json"

"$DECC" app init myapp >/dev/null
check "deploy DIR" 0 "$DECC" --json app deploy myapp
APP=$(jget 'd["app"]' <<<"$out")
MA=$(jget 'd["multiaddr"]' <<<"$out")
[ "$(jget 'd["created"]' <<<"$out")" = True ] && ok || ko "created: $out"
[ "$(jget 'd["name"]' <<<"$out")" = myapp ] && ok || ko "name: $out"
[ "${MA:0:6}" = /ipfs/ ] && ok || ko "multiaddr: $out"
check "bundle in the store" 0 "$DECC" store cat "${MA#/ipfs/}"
check "app show" 0 "$DECC" --json app show "$APP"
grep -q "fingerprint" <<<"$out" && ok || ko "no mrenclave: $out"
check "deploy again" 0 "$DECC" app deploy myapp
has "same app" "already deployed"
has "same address" "$APP"

check "build" 0 "$DECC" --json app build myapp -o b.tar
check "deploy --bundle" 0 "$DECC" --json app deploy --bundle b.tar --name other
[ "$(jget 'd["app"]' <<<"$out")" != "$APP" ] && ok || ko "other: $out"
check "deploy DIR and extra" 2 "$DECC" app deploy myapp --multiaddr /ipfs/x
check "deploy missing DIR" 1 "$DECC" app deploy nowhere

M=$("$DECC" --json app build myapp -o b2.tar | jget 'd["measurement"]')
MR="{\"framework\":\"TDX\",\"fingerprint\":\"$M\"}"
check "multiaddr hello" 2 "$DECC" app deploy --name h --multiaddr hello --bundle b2.tar --mrenclave "$MR"
has "hello refused" "a bundle lives at /ipfs/CID"
head -c 1000 /dev/urandom >absent.bin
# its CID, from another data directory's store: absent from this one
ABSENT=$(DECC_HOME="$T/other" "$DECC" --json store add absent.bin | jget 'd["Hash"]')
check "absent CID" 1 "$DECC" app deploy --name a --multiaddr "/ipfs/$ABSENT" --bundle b2.tar --mrenclave "$MR"
has "absent refused" "not in the store"
check "store add" 0 "$DECC" --json store add b2.tar
CID=$(jget 'd["Hash"]' <<<"$out")
check "present CID" 0 "$DECC" --json app deploy --name p --multiaddr "/ipfs/$CID" --bundle b2.tar --mrenclave "$MR"

check "publish" 0 "$DECC" --json app publish "$APP" --price "1 RLC"
[ "$(jget 'len(d["orderHash"])' <<<"$out")" = 66 ] && ok || ko "publish: $out"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
