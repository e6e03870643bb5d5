#!/usr/bin/env bash
# ipfs_node.sh — optional check of decc's store against a real IPFS node
# (js-ipfs 0.66.1, `jsipfs daemon`, Kubo RPC API), bound to 127.0.0.1 only.
#
# Never downloads anything: it needs an already-installed copy, found in
# $DECC_IPFS_NODE_DIR (a directory where `npm install ipfs@0.66.1` was run;
# default /work/scratch/store/jsipfs), and skips (exit 0, "SKIP: …") when
# node or that copy is missing. Two workarounds from dependencies.md §12
# are applied: a Promise.withResolvers polyfill (Node 20) and
# Addresses.Swarm = [] (otherwise the daemon hangs).
#
# Checks: `decc store add --ipfs-api` gives the same CID as decc's local
# importer (CIDv0 and CIDv1; js-ipfs answers CIDv1 in base58btc, decc
# compares the hash), `decc store cat/get --ipfs-api` returns the bytes and
# verifies them, a file added by decc locally is identical to what the node
# serves on its gateway, and the known "hello world\n" CID.
# Env: DECC (decc binary; default build/bin/decc next to this tree).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/../.." && pwd)
DECC=${DECC:-$HERE/build/bin/decc}
NODE_DIR=${DECC_IPFS_NODE_DIR:-/work/scratch/store/jsipfs}
JSIPFS=$NODE_DIR/node_modules/.bin/jsipfs
if ! command -v node >/dev/null 2>&1; then echo "SKIP: node is not installed"; exit 0; fi
if [ ! -x "$JSIPFS" ]; then
  echo "SKIP: no js-ipfs copy at $JSIPFS (set DECC_IPFS_NODE_DIR to a dir with 'npm install ipfs@0.66.1')"
  exit 0
fi
[ -x "$DECC" ] || { echo "decc binary not found: $DECC" >&2; exit 1; }

T=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  chmod -R u+w "$T" 2>/dev/null || true
  rm -rf "$T"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { if [ "$2" == "$3" ]; then ok; else bad "$1: expected '$2', got '$3'"; fi; }

# Free loopback ports for the API and the gateway.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
API_PORT=$(port) GW_PORT=$(port) RPC_PORT=$(port)
cat >"$T/withresolvers.cjs" <<'JS'
if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function () { let resolve, reject; const promise = new Promise((a, b) => { resolve = a; reject = b }); return { promise, resolve, reject } }
}
JS
export IPFS_PATH=$T/repo NODE_OPTIONS="--require $T/withresolvers.cjs"
"$JSIPFS" init --profile test >"$T/init.log" 2>&1
node -e '
const fs = require("fs"); const p = process.argv[1]; const c = JSON.parse(fs.readFileSync(p));
c.Addresses = c.Addresses || {};
c.Addresses.API = "/ip4/127.0.0.1/tcp/" + process.argv[2];
c.Addresses.Gateway = "/ip4/127.0.0.1/tcp/" + process.argv[3];
c.Addresses.RPC = "/ip4/127.0.0.1/tcp/" + process.argv[4];
c.Addresses.Swarm = []; c.Bootstrap = [];
fs.writeFileSync(p, JSON.stringify(c, null, 2));' "$IPFS_PATH/config" "$API_PORT" "$GW_PORT" "$RPC_PORT"
"$JSIPFS" daemon --offline --enable-preload=false >"$T/daemon.log" 2>&1 &
PID=$!
API=http://127.0.0.1:$API_PORT
for _ in $(seq 1 100); do
  if curl -sf -X POST "$API/api/v0/version" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -sf -X POST "$API/api/v0/version" >/dev/null || { cat "$T/daemon.log" >&2; echo "daemon did not start" >&2; exit 1; }
echo "js-ipfs $(curl -s -X POST "$API/api/v0/version" | sed -n 's/.*"Version":"\([^"]*\)".*/\1/p') at $API"

export DECC_HOME=$T/home
printf 'hello world\n' >"$T/hello.txt"
check "hello via node" QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o \
  "$("$DECC" store add -Q --ipfs-api "$API" "$T/hello.txt")"
for size in 0 1 262144 262145 $((174 * 262144 + 1)) $((3 * 1024 * 1024 + 77)); do
  head -c "$size" /dev/urandom >"$T/f.bin"
  for v in 0 1; do
    local_cid=$("$DECC" store add -Q --cid-version $v "$T/f.bin")
    remote=$("$DECC" --json store add --ipfs-api "$API" --cid-version $v "$T/f.bin")
    remote_cid=$(printf '%s' "$remote" | sed -n 's/.*"Hash":"\([^"]*\)".*/\1/p')
    # js-ipfs prints CIDv1 in base58btc (z…): compare through decc's CIDv1 text.
    "$DECC" store get --ipfs-api "$API" "$remote_cid" -o "$T/back.bin" &&
      cmp -s "$T/f.bin" "$T/back.bin" && ok || bad "get --ipfs-api size $size v$v"
    if [ "$v" = 0 ]; then
      check "CIDv0 size $size" "$local_cid" "$remote_cid"
    else
      # same multihash: decc's stat of the local CID works with the remote text
      "$DECC" store stat "$remote_cid" >/dev/null && ok || bad "CIDv1 size $size: $remote_cid is not $local_cid"
    fi
    # The node's gateway serves what decc stored locally, byte for byte.
    curl -sf "http://127.0.0.1:$GW_PORT/ipfs/$local_cid" -o "$T/gw.bin" &&
      cmp -s "$T/gw.bin" "$T/f.bin" && ok || bad "gateway size $size v$v"
  done
done
"$DECC" store cat --ipfs-api "$API" QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o | grep -qx 'hello world' && ok || bad "cat --ipfs-api"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
