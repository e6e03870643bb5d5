#!/usr/bin/env bash
# test_store_lying_ipfs.sh — `decc store cat/get --ipfs-api URL` against a
# lying Kubo RPC API (tests/cli/lying_kubo.py, python3 on 127.0.0.1): the
# node's /api/v0/cat answer is never trusted, blocks are verified before any
# of their bytes are written, so whatever the node does, stdout holds only a
# prefix of the true file (empty when the root lies), the exit status is 1
# and `get` leaves no output file. The honest case returns the exact file.
# Needs DECC and python3.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
need_cmd python3
export DECC_HOME="$T/home"
SRV_PID=
stop_server() {
  stop_pid "$SRV_PID"
  SRV_PID=
}

# start_server ROOT MODE: the fake API for ROOT's blocks; sets URL.
start_server() {
  stop_server
  rm -f "$T/port"
  start_bg "$T/port" "$T/server.err" python3 "$HERE/lying_kubo.py" "$DECC_HOME/store" "$1" "$2" "$T/port"
  SRV_PID=$BG_PID
  URL=$BG_URL
}

# is_prefix FILE OF: FILE's bytes are the first bytes of OF.
is_prefix() {
  local n
  n=$(stat -c %s "$1")
  cmp -s "$1" <(head -c "$n" "$2")
}

# A 4-leaf file (CIDv0: dag-pb leaves) and a one-block file (CIDv1 raw leaf).
head -c $((3 * 262144 + 777)) /dev/urandom >"$T/big.bin"
printf 'small and true\n' >"$T/small.txt"
big=$("$DECC" store add -Q "$T/big.bin")
small=$("$DECC" store add -Q --cid-version 1 "$T/small.txt")

# Honest blocks (while /api/v0/cat lies): the exact file, from the blocks.
start_server "$big" honest
rc=0
"$DECC" store cat "$big" --ipfs-api "$URL" >"$T/out" 2>"$T/err" || rc=$?
if [ $rc -eq 0 ] && cmp -s "$T/out" "$T/big.bin"; then ok; else bad "honest big: exit $rc ($(cat "$T/err"))"; fi
"$DECC" store get "$big" --ipfs-api "$URL" -o "$T/got.bin" 2>"$T/err" &&
  cmp -s "$T/got.bin" "$T/big.bin" && ok || bad "honest get ($(cat "$T/err"))"
start_server "$small" honest
out=$("$DECC" store cat "$small" --ipfs-api "$URL" 2>"$T/err") || true
[ "$out" = "small and true" ] && ok || bad "honest small: '$out' ($(cat "$T/err"))"

# Lies: exit 1, no LIE byte on stdout, stdout a prefix of the true file.
lie_case() { # lie_case NAME ROOT TRUE_FILE MODE MAX_OUT_BYTES
  local name=$1 root=$2 truth=$3 mode=$4 max=$5 rc=0
  start_server "$root" "$mode"
  "$DECC" store cat "$root" --ipfs-api "$URL" >"$T/out" 2>"$T/err" || rc=$?
  [ $rc -eq 1 ] && ok || bad "$name: exit $rc, expected 1"
  if grep -q 'LIE-LIE' "$T/out"; then bad "$name: lying bytes reached stdout"; else ok; fi
  is_prefix "$T/out" "$truth" && ok || bad "$name: stdout is not a prefix of the file"
  local n
  n=$(stat -c %s "$T/out")
  [ "$n" -le "$max" ] && ok || bad "$name: $n bytes written, at most $max expected"
  [ -s "$T/err" ] && ok || bad "$name: no error message"
  rm -f "$T/got.bin"
  rc=0
  "$DECC" store get "$root" --ipfs-api "$URL" -o "$T/got.bin" 2>/dev/null || rc=$?
  [ $rc -eq 1 ] && [ ! -e "$T/got.bin" ] && ok || bad "$name: get exit $rc or file left"
}
# The second leaf lies: only the first leaf (verified) may have been written.
lie_case "tampered leaf" "$big" "$T/big.bin" leaf 262144
grep -q "does not match" "$T/err" && ok || bad "tampered leaf: message '$(cat "$T/err")'"
lie_case "tampered root" "$big" "$T/big.bin" root 0
lie_case "tampered raw block" "$small" "$T/small.txt" root 0
lie_case "oversize block" "$big" "$T/big.bin" oversize 0
lie_case "node error" "$big" "$T/big.bin" error 0
grep -q "block not found" "$T/err" && ok || bad "node error: message '$(cat "$T/err")'"

stop_server
finish
