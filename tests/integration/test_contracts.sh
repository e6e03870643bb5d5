#!/usr/bin/env bash
# test_contracts.sh — the committed contract artifacts
# (contracts/build/*.json) are exactly what the pinned compiler makes of the
# committed sources: recompiles with tools/contracts/compile.mjs into a
# temporary directory and compares byte for byte, and checks that the
# artifact records the source it was built from (SHA-256).
# Needs node and npm solc 0.8.28 in $DECC_ENGINES_DIR/chain (tools/engines/
# install.sh chain). Missing: exit 77 (skipped), or failure under CI=true.
set -euo pipefail
src="${DECC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
engines="${DECC_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/decc-engines}"

skip() {
  if [ "${CI:-}" = "true" ]; then echo "FAIL test_contracts: $* (required under CI=true)" >&2; exit 1; fi
  echo "SKIP test_contracts: $*"; exit 77
}
command -v node >/dev/null || skip "node not found"
[ -f "$engines/chain/node_modules/solc/package.json" ] ||
  skip "solc not installed in $engines/chain (run tools/engines/install.sh chain)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
DECC_ENGINES_DIR="$engines" timeout 300 node "$src/tools/contracts/compile.mjs" --out "$tmp" 2>"$tmp/log" ||
  { cat "$tmp/log" >&2; echo "FAIL compile.mjs" >&2; exit 1; }

fail=0 n=0
for f in "$src"/contracts/*.sol; do
  name="$(basename "$f" .sol)"
  n=$((n + 1))
  committed="$src/contracts/build/$name.json"
  if [ ! -f "$committed" ]; then echo "FAIL - $name: $committed not committed"; fail=1; continue; fi
  if [ ! -f "$tmp/$name.json" ]; then echo "FAIL - $name: compile.mjs made no $name.json"; fail=1; continue; fi
  if cmp -s "$tmp/$name.json" "$committed"; then
    echo "ok - $name: committed artifact equals a fresh compilation"
  else
    echo "FAIL - $name: contracts/build/$name.json differs from a fresh compilation (run node tools/contracts/compile.mjs and commit)"
    diff <(head -c 4000 "$committed") <(head -c 4000 "$tmp/$name.json") | head -20 || true
    fail=1
  fi
  want="$(sha256sum "$f" | cut -d' ' -f1)"
  got="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).sourceHash)' "$committed")"
  if [ "$want" = "$got" ]; then echo "ok - $name: sourceHash is the SHA-256 of $name.sol"
  else echo "FAIL - $name: sourceHash $got, source is $want"; fail=1; fi
done
[ "$n" -gt 0 ] || { echo "FAIL - no contracts/*.sol"; exit 1; }
exit "$fail"
