#!/usr/bin/env bash
# check_layers.sh — enforces decc's layer order (docs/internals/layout.md).
#
# Every directory under lib/ is a layer; a layer may include its own headers,
# the public headers (include/decc/*.h) of its own or LOWER layers, and the
# internal headers (lib/<layer>/*_int.h, lib/core/internal.h) of its own layer
# only (core's internal.h is shared by every layer: it is the toolbox). cli/
# sees only the public headers and its own; bench/ also core's helpers and
# the test worlds it times (tests/). A new include edge
# that goes up the order, or into another layer's internals, fails the build's
# test suite with the file, the include and the rule it breaks: the layering
# is written down once (LAYERS below, mirrored in layout.md) and checked on
# every run instead of eroding one include at a time.
#
# Usage: check_layers.sh [REPO_ROOT]   exit 0 = clean, 1 = violations listed.
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || { echo "check_layers: cannot enter $root" >&2; exit 2; }

# Lowest first. A layer may depend only on layers listed before it.
LAYERS="core crypto api eth attest vault iexec session protect store poco ledger chain market dcap receipts sms enclave worker dataprotector provenance node"

# Which layer implements each public header (include/decc/NAME.h).
declare -A OWNER=(
  [common]=core [mem]=core [buf]=core [encoding]=core
  [hash]=crypto [keys]=crypto
  [http]=api [http_client]=api
  [abi]=eth [rlp]=eth [u256]=eth [tx]=eth [eip712]=eth [keystore]=eth [evm]=eth
  [dataset]=iexec [result]=iexec
  [session]=session
  [protect]=protect [zipsafe]=protect
  [cid]=store [store]=store
  [poco]=poco [order]=poco
  [ledger]=ledger
  [chain]=chain [hub]=chain [deploy]=chain
  [market]=market [market_client]=market
  [dcap]=dcap
  [vault]=vault [receipts]=receipts
  [sms]=sms [sms_auth]=sms [sms_client]=sms
  [enclave]=enclave [bundle]=enclave [sandbox]=enclave
  [attest]=attest
  [worker]=worker
  [dataprotector]=dataprotector
  [provenance]=provenance
  [node]=node
)
declare -A RANK=()
i=0
for l in $LAYERS; do RANK[$l]=$i; i=$((i + 1)); done

bad=0
fail() { echo "check_layers: $1"; bad=1; }

# Every public header must have an owner, and every lib/ directory a rank.
for h in include/decc/*.h; do
  n=${h#include/decc/}; n=${n%.h}
  [ -n "${OWNER[$n]:-}" ] || fail "include/decc/$n.h has no layer: add it to OWNER in tools/lint/check_layers.sh and to docs/internals/layout.md"
done
for d in lib/*/; do
  l=${d#lib/}; l=${l%/}
  [ -n "${RANK[$l]:-}" ] || fail "lib/$l/ is not in the layer order: add it to LAYERS in tools/lint/check_layers.sh and to docs/internals/layout.md"
done

# check_include FILE LAYER INCLUDE: LAYER is the including layer ("" for
# cli/bench). Pure parameter expansion: no process per include.
check_include() {
  local f=$1 from=$2 inc=$3 to n
  case $inc in
    decc/*.h)
      n=${inc#decc/}; n=${n%.h}; to=${OWNER[$n]:-}
      [ -n "$to" ] || return 0 # reported above
      if [ -n "$from" ] && [ -n "${RANK[$from]:-}" ] && [ "${RANK[$to]}" -gt "${RANK[$from]}" ]; then
        fail "$f includes $inc: layer '$from' may not depend on the higher layer '$to'"
      fi ;;
    core/internal.h|../core/internal.h)
      # Benchmarks link the object library to time internals; the CLI
      # links the shared library and sees only the public API.
      case $f in lib/*|bench/*) ;; *) fail "$f includes $inc: the CLI may use only public headers (decc/*.h)" ;; esac ;;
    ../tests/*)
      case $f in bench/*) ;; *) fail "$f includes $inc: only benchmarks may reuse the test worlds" ;; esac ;;
    */*)
      to=${inc%%/*}; [ "$to" = ".." ] && { to=${inc#../}; to=${to%%/*}; }
      if [ -z "$from" ]; then
        case $f in cli/*) [ "$to" = cli ] && return 0 ;; bench/*) [ "$to" = bench ] && return 0 ;; esac
        fail "$f includes $inc: outside lib/, only public headers (decc/*.h) may be used"
      elif [ "$to" != "$from" ]; then
        fail "$f includes $inc: the internals of layer '$to' are private to it (move what you need to a public header or to core)"
      fi ;;
    *)
      # Same-directory include: fine inside lib/, cli/ and bench/.
      if [ -z "$from" ] && [ ! -f "${f%/*}/$inc" ]; then
        fail "$f includes \"$inc\" which is not beside it"
      fi ;;
  esac
}

# One grep over every file; each line is FILE:#include "X".
while IFS= read -r line; do
  f=${line%%:*}
  inc=${line#*\"}; inc=${inc%%\"*}
  case $f in
    include/decc/*) n=${f#include/decc/}; n=${n%.h}; from=${OWNER[$n]:-}; [ -n "$from" ] || continue ;;
    lib/*) from=${f#lib/}; from=${from%%/*} ;;
    *) from= ;;
  esac
  check_include "$f" "$from" "$inc"
done < <(grep -H '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
           include/decc/*.h lib/*/*.c lib/*/*.h cli/*.c cli/*.h bench/*.c bench/*.h 2>/dev/null)

if [ $bad -eq 0 ]; then
  echo "check_layers: $(echo $LAYERS | wc -w) layers, no include against the order"
fi
exit $bad
