#!/usr/bin/env bash
# test_layer_build.sh — proves that the build's two layer checks can fail.
#
# A check that never fails proves nothing, so this test injects the
# mistakes each one exists for and expects a refusal:
# 1. links: check_layer_links.sh on a synthetic pair of layers (two objects
#    compiled here) where the lower layer calls a function of the higher one
#    through a hand-written prototype — invisible to the include check —
#    must fail and name the symbol and both layers; the same objects with
#    the call removed must pass.
# 2. includes: a file compiled with a layer's generated include root (the
#    flags the build gives lib/<layer>/*.c) that includes another layer's
#    internal header, or a higher layer's public header, must not compile;
#    the same layer's own internal header and a lower public header must.
#
# Usage: test_layer_build.sh REPO_ROOT BUILD_DIR CC   exit 0 = both checks
# refuse what they must and accept the rest.
set -u
root=${1:?usage: test_layer_build.sh REPO_ROOT BUILD_DIR CC}
build=${2:?usage: test_layer_build.sh REPO_ROOT BUILD_DIR CC}
cc=${3:?usage: test_layer_build.sh REPO_ROOT BUILD_DIR CC}
checker=$root/tools/lint/check_layer_links.sh
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
bad=0
ok() { echo "ok: $1"; }
ko() { echo "FAIL: $1"; bad=1; }

# ---- 1. links -------------------------------------------------------------
cat >"$tmp/low.c" <<'EOF'
int high_fn(int x); /* a prototype written by hand: no include to catch */
int low_fn(int x);
int low_fn(int x) { return USE_HIGH ? high_fn(x) : x + 1; }
EOF
cat >"$tmp/high.c" <<'EOF'
int low_fn(int x);
int high_fn(int x);
int high_fn(int x) { return low_fn(x) * 2; }
EOF
"$cc" -c -O0 -DUSE_HIGH=1 -o "$tmp/low_bad.o" "$tmp/low.c" || exit 2
"$cc" -c -O0 -DUSE_HIGH=0 -o "$tmp/low_ok.o" "$tmp/low.c" || exit 2
"$cc" -c -O0 -o "$tmp/high.o" "$tmp/high.c" || exit 2
printf 'low||%s\nhigh|decc_layer_low|%s\n' "$tmp/low_bad.o" "$tmp/high.o" >"$tmp/bad.txt"
printf 'low||%s\nhigh|decc_layer_low|%s\n' "$tmp/low_ok.o" "$tmp/high.o" >"$tmp/good.txt"

out=$(bash "$checker" "$tmp/bad.txt" "$tmp/bad.stamp" 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "layer 'low' .* uses high_fn, defined in layer 'high'" <<<"$out" &&
   [ ! -e "$tmp/bad.stamp" ]; then
  ok "a call from a lower layer into a higher one fails the link check"
else
  ko "back-edge low -> high not refused (rc $rc): $out"
fi
out=$(bash "$checker" "$tmp/good.txt" "$tmp/good.stamp" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -e "$tmp/good.stamp" ]; then
  ok "calls down the order pass the link check"
else
  ko "a clean order refused (rc $rc): $out"
fi
# The same symbol defined by two layers is refused too.
printf 'low||%s\nhigh|decc_layer_low|%s;%s\n' "$tmp/low_ok.o" "$tmp/high.o" "$tmp/low_ok.o" >"$tmp/dup.txt"
out=$(bash "$checker" "$tmp/dup.txt" 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "low_fn is defined in layers" <<<"$out"; then
  ok "a symbol defined in two layers fails the link check"
else
  ko "duplicate definition not refused (rc $rc): $out"
fi
# And the real tree, as built, passes.
out=$(bash "$checker" "$build/layer_links.txt" 2>&1)
rc=$?
if [ $rc -eq 0 ]; then ok "the tree: $out"; else ko "the tree fails the link check (rc $rc): $out"; fi

# ---- 2. includes ------------------------------------------------------------
inc=$build/layer-include
[ -d "$inc/ledger" ] && [ -d "$inc/sms" ] || { echo "no $inc/{ledger,sms}: configure $build first" >&2; exit 2; }
# The dependencies' include flags, as CMakeLists.txt's pkg_check_modules.
deps_cflags=$(pkg-config --cflags libsecp256k1 libcrypto libsodium jansson libzip \
  sqlite3 libcurl libmicrohttpd libseccomp icu-uc 2>/dev/null)
# compile LAYER CODE: 0 when CODE compiles with LAYER's include flags.
compile() {
  printf '%s\n' "$2" >"$tmp/probe.c"
  "$cc" -std=c17 -D_GNU_SOURCE -DDECC_BUILDING_LIBRARY -fsyntax-only -I"$inc/$1" \
    $deps_cflags "$tmp/probe.c" 2>"$tmp/cc.err"
}
expect_refused() {
  if compile "$1" "$2"; then ko "layer $1 may compile: $2"
  elif grep -q 'No such file' "$tmp/cc.err"; then ok "layer $1 cannot: $2"
  else ko "layer $1: $2 failed for another reason: $(head -3 "$tmp/cc.err")"
  fi
}
expect_allowed() {
  if compile "$1" "$2"; then ok "layer $1 may: $2"
  else ko "layer $1 cannot compile $2: $(head -3 "$tmp/cc.err")"
  fi
}
expect_refused ledger '#include "sms/sms_int.h"'
expect_refused ledger '#include "decc/sms.h"'
expect_refused core '#include "decc/hash.h"'
expect_refused store '#include "protect/protect_int.h"'
expect_allowed ledger '#include "ledger/ledger_int.h"'
expect_allowed ledger '#include "core/internal.h"'
expect_allowed ledger '#include "decc/poco.h"'
expect_allowed sms '#include "sms/sms_int.h"'

[ $bad -eq 0 ] && echo "test_layer_build: the link and include checks refuse back-edges"
exit $bad
