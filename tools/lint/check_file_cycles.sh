#!/usr/bin/env bash
# check_file_cycles.sh — no two files of a layer call each other (no cycle
# of "file A calls a function defined in file B" inside lib/<layer>/).
#
# The layer checks (check_layers.sh, check_layer_links.sh) keep the layers
# in order, but not the files inside one layer: issue 11 found three
# circles (files that each needed the other, so neither could be read,
# tested or moved alone) and broke them by hand. This keeps them broken. It
# reads the compiled objects, like check_layer_links.sh and from the same
# manifest (layer_links.txt, written by CMakeLists.txt: LAYER|LINKED|OBJECTS
# per line), so a call through any header or a hand-written prototype
# counts. For each layer it draws the graph "A uses a global symbol that B
# defines" (nm: U in A, defined in B), drops the uses on the allow-list
# below, and fails on every strongly connected group of two or more files,
# naming the files and one symbol per edge. An allowed use that no longer
# exists fails too, so the list cannot outlive its reasons.
#
# Allowed: real mutual recursion that is the design, each with its reason,
# as "LAYER FROM TO SYMBOL" (files inside lib/LAYER/): the use of SYMBOL by
# FROM is not an edge. By symbol, not by file pair, so that any other call
# between the same two files still counts.
ALLOW=(
  # The embedded ledger runs PoCo's contracts natively. exec.c dispatches
  # every call through the contracts' method tables (c_*.c), and the
  # contracts are written on exec.c's primitives: ldg_call for a nested
  # call into another contract (the hub moving RLC on the token, the
  # registries' callbacks), ldg_emit for events — as on the EVM, a call
  # can come back into the dispatcher. The tables are the one way down.
  "ledger exec.c c_token.c ldg_token_methods"
  "ledger exec.c c_hub.c ldg_hub_methods"
  "ledger exec.c c_poco.c ldg_poco_methods"
  "ledger exec.c c_registry.c ldg_registry_methods"
  "ledger exec.c c_registry.c ldg_entry_methods"
  "ledger exec.c c_registry.c ldg_dataprotector_methods"
)
#
# Usage: check_file_cycles.sh MANIFEST            check the built tree
#        check_file_cycles.sh MANIFEST --self-test CC
#            first prove the check can fail: three objects compiled here
#            with a cycle a.c -> b.c -> c.c -> a.c must be refused (and name
#            the three files), the same objects without the closing call and
#            the cycle with its closing call allowed must pass; then check
#            MANIFEST.
#   exit 0 = no cycle, 1 = cycles listed (or the self-test failed),
#   2 = cannot check.
set -u
manifest=${1:?usage: check_file_cycles.sh MANIFEST [--self-test CC]}
command -v nm >/dev/null || { echo "check_file_cycles: nm not found (apt-get install binutils)" >&2; exit 2; }

# check MANIFEST ALLOWFILE: prints the verdict, returns 0/1/2.
check() {
  local man=$1 allow=$2 layer linked objs tmp rc
  [ -r "$man" ] || { echo "check_file_cycles: cannot read $man (build the decc_layer_* targets first)" >&2; return 2; }
  tmp=$(mktemp -d) || return 2
  # "LAYER FILE SYMBOL KIND" for every layer, KIND U or D (global defined).
  : >"$tmp/syms"
  while IFS='|' read -r layer linked objs; do
    [ -n "$layer" ] || continue
    IFS=';' read -ra o <<<"$objs"
    [ ${#o[@]} -gt 0 ] || { echo "check_file_cycles: layer '$layer' has no objects in $man" >&2; rm -rf "$tmp"; return 2; }
    nm -P -A "${o[@]}" >"$tmp/nm" || { echo "check_file_cycles: nm failed on layer '$layer'" >&2; rm -rf "$tmp"; return 2; }
    # file name as in lib/<layer>/: ".../decc_layer_x.dir/lib/x/f.c.o" -> f.c
    awk -v L="$layer" '{
        f = $1; sub(/:$/, "", f); sub(/\.o$/, "", f); sub(/.*\//, "", f)
        if ($3 == "U") print L, f, $2, "U"
        else if ($3 ~ /^[A-TV-Z]$/) print L, f, $2, "D"
      }' "$tmp/nm" >>"$tmp/syms"
  done <"$man"
  # (a first line of its own: the passes below count files by FNR == 1,
  # which an empty file would never reach)
  { echo "# allowed uses"; cat "$allow"; } >"$tmp/allow" || { rm -rf "$tmp"; return 2; }
  # Pass 1: allowed uses. Pass 2: definitions. Pass 3: edges, then per
  # layer the transitive closure (Floyd-Warshall; a layer has tens of
  # files) and every group of files that reach each other.
  awk '
    FNR == 1 { pass++ }
    pass == 1 { if (NF >= 4) allow[$1 SUBSEP $2 SUBSEP $3 SUBSEP $4] = 1; next }
    pass == 2 { if ($4 == "D") def[$1 SUBSEP $3] = $2; next }
    $4 == "U" && (($1 SUBSEP $3) in def) {
      to = def[$1 SUBSEP $3]
      if (to == $2) next
      if (($1 SUBSEP $2 SUBSEP to SUBSEP $3) in allow) { used[$1 SUBSEP $2 SUBSEP to SUBSEP $3] = 1; next }
      if (!(($1 SUBSEP $2 SUBSEP to) in edge)) {
        edge[$1 SUBSEP $2 SUBSEP to] = $3
        for (k = 2; k <= 3; k++) {
          f = (k == 2) ? $2 : to
          if (!(($1 SUBSEP f) in idx)) { n[$1]++; idx[$1 SUBSEP f] = n[$1]; name[$1 SUBSEP n[$1]] = f }
        }
        r[$1 SUBSEP idx[$1 SUBSEP $2] SUBSEP idx[$1 SUBSEP to]] = 1
      }
    }
    END {
      bad = 0; layers = 0
      for (u in allow)
        if (!(u in used)) {
          split(u, w, SUBSEP)
          printf "check_file_cycles: allowed use %s %s -> %s (%s) no longer exists: remove it from ALLOW in tools/lint/check_file_cycles.sh\n", w[1], w[2], w[3], w[4]
          bad = 1
        }
      for (L in n) {
        layers++
        m = n[L]
        for (k = 1; k <= m; k++)
          for (i = 1; i <= m; i++)
            if ((L SUBSEP i SUBSEP k) in r)
              for (j = 1; j <= m; j++)
                if ((L SUBSEP k SUBSEP j) in r) r[L SUBSEP i SUBSEP j] = 1
        delete done
        for (i = 1; i <= m; i++) {
          if ((i in done) || !((L SUBSEP i SUBSEP i) in r)) continue
          grp = ""; ev = ""
          for (j = 1; j <= m; j++)
            if (j == i || (((L SUBSEP i SUBSEP j) in r) && ((L SUBSEP j SUBSEP i) in r))) {
              done[j] = 1; grp = grp " " name[L SUBSEP j]; mem[j] = 1
            }
          for (a = 1; a <= m; a++) for (b = 1; b <= m; b++)
            if ((a in mem) && (b in mem) && ((L SUBSEP name[L SUBSEP a] SUBSEP name[L SUBSEP b]) in edge))
              ev = ev sprintf("\n  %s -> %s (%s)", name[L SUBSEP a], name[L SUBSEP b], edge[L SUBSEP name[L SUBSEP a] SUBSEP name[L SUBSEP b]])
          delete mem
          printf "check_file_cycles: layer '\''%s'\'': files that call each other:%s%s\n  fix: move what both need into one of them (or a new file both use), or, for recursion that is the design, add the use with its reason to ALLOW in tools/lint/check_file_cycles.sh\n", L, grp, ev
          bad = 1
        }
      }
      if (!bad) printf "check_file_cycles: %d layers with calls between files, no cycle between files\n", layers
      exit bad
    }' "$tmp/allow" "$tmp/syms" "$tmp/syms"
  rc=$?
  rm -rf "$tmp"
  return $rc
}

self_test() {
  local cc=$1 tmp rc out fails=0
  tmp=$(mktemp -d) || return 2
  # a -> b -> c, and c -> a only when CLOSE is 1.
  printf 'int fb(int);\nint fa(int);\nint fa(int x) { return x ? fb(x - 1) : 0; }\n' >"$tmp/a.c"
  printf 'int fc(int);\nint fb(int);\nint fb(int x) { return fc(x) + 1; }\n' >"$tmp/b.c"
  printf 'int fa(int);\nint fc(int);\nint fc(int x) { return CLOSE ? fa(x) : x; }\n' >"$tmp/c.c"
  mkdir -p "$tmp/o/lib/t" "$tmp/p/lib/t"
  "$cc" -c -O0 -o "$tmp/o/lib/t/a.c.o" "$tmp/a.c" &&
    "$cc" -c -O0 -o "$tmp/o/lib/t/b.c.o" "$tmp/b.c" &&
    "$cc" -c -O0 -DCLOSE=1 -o "$tmp/o/lib/t/c.c.o" "$tmp/c.c" &&
    "$cc" -c -O0 -DCLOSE=0 -o "$tmp/p/lib/t/c.c.o" "$tmp/c.c" || { rm -rf "$tmp"; return 2; }
  printf 't||%s;%s;%s\n' "$tmp/o/lib/t/a.c.o" "$tmp/o/lib/t/b.c.o" "$tmp/o/lib/t/c.c.o" >"$tmp/cycle.txt"
  printf 't||%s;%s;%s\n' "$tmp/o/lib/t/a.c.o" "$tmp/o/lib/t/b.c.o" "$tmp/p/lib/t/c.c.o" >"$tmp/chain.txt"
  : >"$tmp/none"
  echo "t c.c a.c fa" >"$tmp/allow_ca"
  out=$(check "$tmp/cycle.txt" "$tmp/none" 2>&1)
  rc=$?
  if [ $rc -eq 1 ] && grep -q "layer 't': files that call each other: a.c b.c c.c" <<<"$out" &&
     grep -q "c.c -> a.c (fa)" <<<"$out"; then
    echo "ok: the cycle a.c -> b.c -> c.c -> a.c is refused"
  else
    echo "FAIL: an injected cycle passed (rc $rc): $out"; fails=1
  fi
  out=$(check "$tmp/chain.txt" "$tmp/none" 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then echo "ok: the chain a.c -> b.c -> c.c passes"; else echo "FAIL: a chain refused (rc $rc): $out"; fails=1; fi
  out=$(check "$tmp/cycle.txt" "$tmp/allow_ca" 2>&1)
  rc=$?
  if [ $rc -eq 0 ]; then echo "ok: the cycle with its closing call allowed passes"; else echo "FAIL: an allowed use still refused (rc $rc): $out"; fails=1; fi
  out=$(check "$tmp/chain.txt" "$tmp/allow_ca" 2>&1)
  rc=$?
  if [ $rc -eq 1 ] && grep -q "allowed use t c.c -> a.c (fa) no longer exists" <<<"$out"; then
    echo "ok: an allowed use that is gone is refused"
  else
    echo "FAIL: a stale allowed use passed (rc $rc): $out"; fails=1
  fi
  rm -rf "$tmp"
  return $fails
}

allowfile=$(mktemp) || exit 2
trap 'rm -f "$allowfile"' EXIT
printf '%s\n' "${ALLOW[@]}" >"$allowfile"
bad=0
if [ "${2:-}" = "--self-test" ]; then
  self_test "${3:?usage: check_file_cycles.sh MANIFEST --self-test CC}"
  rc=$?
  [ $rc -eq 2 ] && { echo "check_file_cycles: the self-test could not compile its probes" >&2; exit 2; }
  [ $rc -eq 0 ] || bad=1
fi
check "$manifest" "$allowfile"
rc=$?
[ $rc -eq 2 ] && exit 2
[ $rc -eq 0 ] || bad=1
exit $bad
