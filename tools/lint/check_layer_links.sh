#!/usr/bin/env bash
# check_layer_links.sh — the layer order checked on the compiled objects.
#
# check_layers.sh reads #include lines; this reads what the compiler
# produced. Each layer (lib/<layer>/) is a CMake object library whose link
# edges (target_link_libraries) are the layers it may use: every layer below
# it in docs/internals/layout.md. A function of a higher layer called
# through a hand-written prototype, an extern, or a macro — anything the
# include check cannot see — shows up here as an undefined symbol of layer X
# that another layer, not linked to X, defines. Undefined symbols that no
# layer defines come from the system libraries (libc, OpenSSL, sqlite ...)
# and are fine.
#
# The manifest is written by CMakeLists.txt (file(GENERATE), at build time)
# with one line per layer: LAYER|LINKED|OBJECTS, where LINKED is the layer's
# LINK_LIBRARIES filtered to the decc_layer_* targets and OBJECTS its object
# files, both ';'-separated. The build runs this check after compiling the
# layers (target decc_layer_links), so a back-edge fails the build.
#
# Usage: check_layer_links.sh MANIFEST [STAMP]
#   exit 0 = clean (STAMP touched), 1 = back-edges listed, 2 = cannot check.
set -u
manifest=${1:?usage: check_layer_links.sh MANIFEST [STAMP]}
stamp=${2:-}
[ -r "$manifest" ] || { echo "check_layer_links: cannot read $manifest (build the decc_layer_* targets first)" >&2; exit 2; }
command -v nm >/dev/null || { echo "check_layer_links: nm not found (apt-get install binutils)" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# One table for every layer: "LAYER OBJECT SYMBOL KIND", KIND U (undefined)
# or D (defined, global). nm -P: "file: symbol type [value size]"; local
# symbols (lower-case types) cannot be reached from another object.
: >"$tmp/syms"
echo "- -" >"$tmp/edges" # never empty: the awk below counts files by FNR == 1
nlayers=0
while IFS='|' read -r layer linked objs; do
  [ -n "$layer" ] || continue
  nlayers=$((nlayers + 1))
  IFS=';' read -ra o <<<"$objs"
  if [ ${#o[@]} -eq 0 ]; then
    echo "check_layer_links: layer '$layer' has no objects in $manifest" >&2
    exit 2
  fi
  IFS=';' read -ra l <<<"$linked"
  for x in "${l[@]}"; do
    [ -n "$x" ] && echo "$layer ${x#decc_layer_}" >>"$tmp/edges"
  done
  nm -P -A "${o[@]}" >"$tmp/nm" || { echo "check_layer_links: nm failed on layer '$layer'" >&2; exit 2; }
  awk -v L="$layer" '{
      f = $1; sub(/:$/, "", f); sub(/.*\.dir\//, "", f)
      t = $3
      if (t == "U") print L, f, $2, "U"
      else if (t ~ /^[A-TV-Z]$/) print L, f, $2, "D"
    }' "$tmp/nm" >>"$tmp/syms"
done <"$manifest"
[ $nlayers -gt 0 ] || { echo "check_layer_links: $manifest lists no layer" >&2; exit 2; }

# Pass 1 (edges): which layer may use which. Pass 2 (syms, read twice):
# where each symbol is defined, then every undefined use that lands in a
# layer neither itself nor linked.
awk '
  FNR == 1 { pass++ }
  pass == 1 { ok[$1 " " $2] = 1; next }
  pass == 2 { if ($4 == "D") { if (($3 in def) && def[$3] != $1) dup[$3] = def[$3] " and " $1; def[$3] = $1 }; next }
  $4 == "U" && ($3 in def) {
    to = def[$3]
    if (to != $1 && !((($1 " " to)) in ok)) {
      printf "check_layer_links: layer '\''%s'\'' (%s) uses %s, defined in layer '\''%s'\'', which it may not use (not below it in docs/internals/layout.md): move the code down a layer or the caller up\n", $1, $2, $3, to
      bad = 1
    }
  }
  END {
    for (s in dup) { printf "check_layer_links: %s is defined in layers %s: one definition per symbol\n", s, dup[s]; bad = 1 }
    exit bad
  }' "$tmp/edges" "$tmp/syms" "$tmp/syms"
rc=$?
if [ $rc -eq 0 ]; then
  echo "check_layer_links: $nlayers layers, every symbol a layer uses is its own, a lower layer's or the system's"
  [ -z "$stamp" ] || touch "$stamp"
fi
exit $rc
