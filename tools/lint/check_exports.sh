#!/usr/bin/env bash
# check_exports.sh — the shared library exports exactly the public API.
#
# libdecc.so is built with hidden visibility; only declarations marked
# DECC_API in include/decc/*.h are exported. Two ways this drifts without
# anyone noticing: a function declared in a public header that nothing
# defines (a caller gets a link error, the header lies), and a symbol
# exported without a public declaration (an internal leaking into the ABI).
# This test lists both, so the public headers and the ABI stay one thing.
#
# Usage: check_exports.sh REPO_ROOT LIBDECC_SO   exit 0 = equal, 1 = listed.
set -u
root=${1:?usage: check_exports.sh REPO_ROOT LIBDECC_SO}
lib=${2:?usage: check_exports.sh REPO_ROOT LIBDECC_SO}
[ -r "$lib" ] || { echo "check_exports: cannot read $lib (build the library first)" >&2; exit 2; }
command -v nm >/dev/null || { echo "check_exports: nm not found (apt-get install binutils)" >&2; exit 2; }

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# Declared: the identifier of every DECC_API declaration (a function's name
# is the word before its parameter list; a variable's the last word).
python3 - "$root/include/decc" >"$tmp/declared" <<'PY' || exit 2
import glob, re, sys
names = set()
for h in sorted(glob.glob(sys.argv[1] + "/*.h")):
    s = open(h, encoding="utf-8").read()
    s = re.sub(r"/\*.*?\*/", " ", s, flags=re.S)
    s = re.sub(r"//[^\n]*", " ", s)
    s = re.sub(r"^\s*#.*$", " ", s, flags=re.M)  # the macro's own definition
    for m in re.finditer(r"\bDECC_API\b([^;{]*)", s):
        d = m.group(1)
        f = re.search(r"(\w+)\s*\(", d)
        v = f or re.search(r"(\w+)\s*(\[[^\]]*\])?\s*$", d.strip())
        if v:
            names.add(v.group(1))
print("\n".join(sorted(names)))
PY
nm -D --defined-only "$lib" | awk '$3 != "" {print $3}' | sort -u >"$tmp/exported"

rc=0
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
if [ -n "$missing" ]; then
  echo "declared DECC_API in include/decc/ but not defined in libdecc (define them or remove the declarations):"
  printf '  %s\n' $missing
  rc=1
fi
if [ -n "$extra" ]; then
  echo "exported by libdecc but not declared DECC_API in include/decc/ (declare them or make them static/hidden):"
  printf '  %s\n' $extra
  rc=1
fi
[ $rc = 0 ] && echo "exports: $(wc -l <"$tmp/exported") symbols, equal to the DECC_API declarations"
exit $rc
