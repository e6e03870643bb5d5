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
# lib.sh needs DECC; this test does not run decc.
DECC=${DECC:-unused}
. "$src/tests/cli/lib.sh"
need_cmd node
need_file "$ENGINES/chain/node_modules/solc/package.json" \
  "solc not installed in $ENGINES/chain (run tools/engines/install.sh chain)"

tmp=$T
DECC_ENGINES_DIR="$ENGINES" timeout 300 node "$src/tools/contracts/compile.mjs" --out "$tmp" 2>"$tmp/log" ||
  { cat "$tmp/log" >&2; echo "FAIL compile.mjs" >&2; exit 1; }

n=0
for f in "$src"/contracts/*.sol; do
  name="$(basename "$f" .sol)"
  n=$((n + 1))
  committed="$src/contracts/build/$name.json"
  if [ ! -f "$committed" ]; then ko "$name: $committed not committed"; continue; fi
  if [ ! -f "$tmp/$name.json" ]; then ko "$name: compile.mjs made no $name.json"; continue; fi
  if cmp -s "$tmp/$name.json" "$committed"; then
    ok "$name: committed artifact equals a fresh compilation"
  else
    ko "$name: contracts/build/$name.json differs from a fresh compilation (run node tools/contracts/compile.mjs and commit)"
    diff <(head -c 4000 "$committed") <(head -c 4000 "$tmp/$name.json") | head -20 || true
  fi
  want="$(sha256sum "$f" | cut -d' ' -f1)"
  got="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).sourceHash)' "$committed")"
  if [ "$want" = "$got" ]; then ok "$name: sourceHash is the SHA-256 of $name.sol"
  else ko "$name: sourceHash $got, source is $want"; fi
done
[ "$n" -gt 0 ] || ko "no contracts/*.sol"
finish
