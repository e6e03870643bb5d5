#!/usr/bin/env bash
# test_anvil_poco.sh — OPTIONAL integration test of decc's JSON-RPC chain
# backend against anvil running the real PoCo 6.1.0 contracts.
#
# Needs what tools/anvil/install.sh puts in $DECC_ANVIL_DIR (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/decc-anvil): anvil, ethers, the poco
# artifacts; plus node and a C compiler. When any of them is missing the test
# prints why and SKIPS (exit 0): it never downloads anything.
# When present: starts anvil on 127.0.0.1 (port chosen by anvil), deploys
# PoCo with tools/anvil/deploy.mjs, builds tests/integration/anvil_poco_flow.c
# against the shared library of DECC_BUILD_DIR, and runs it: the same iExec
# sequence on anvil and on the embedded ledger, compared check by check.
# Env: DECC_BUILD_DIR (default <repo>/build), DECC_SOURCE_DIR (default repo).
set -euo pipefail
src="${DECC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
build="${DECC_BUILD_DIR:-$src/build}"
dir="${DECC_ANVIL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/decc-anvil}"

skip() { echo "SKIP test_anvil_poco: $*"; echo "0 passed, 0 failed (skipped)"; exit 0; }
anvil="$dir/node_modules/.bin/anvil"
[ -x "$anvil" ] || skip "anvil not installed in $dir (run tools/anvil/install.sh)"
[ -f "$dir/poco/artifacts/contracts/Diamond.sol/Diamond.json" ] ||
  skip "@iexec/poco 6.1.0 artifacts not in $dir/poco (run tools/anvil/install.sh)"
[ -d "$dir/node_modules/ethers" ] || skip "ethers not installed in $dir"
command -v node >/dev/null || skip "node not found"
cc="${CC:-cc}"
command -v "$cc" >/dev/null || skip "no C compiler ($cc)"
[ -e "$build/libdecc.so" ] || skip "no $build/libdecc.so (build decc first)"

tmp="$(mktemp -d)"
anvil_pid=""
cleanup() {
  if [ -n "$anvil_pid" ]; then kill "$anvil_pid" 2>/dev/null || true; wait "$anvil_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$anvil" --host 127.0.0.1 --port 0 --chain-id 31337 >"$tmp/anvil.log" 2>&1 &
anvil_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/anvil.log" | head -n 1)"
  [ -n "$port" ] && break
  kill -0 "$anvil_pid" 2>/dev/null || { cat "$tmp/anvil.log" >&2; echo "anvil exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "anvil did not start" >&2; exit 1; }
url="http://127.0.0.1:$port"

DECC_ANVIL_DIR="$dir" node "$src/tools/anvil/deploy.mjs" "$url" "$tmp/deployment.json" 2>"$tmp/deploy.log" ||
  { cat "$tmp/deploy.log" >&2; echo "PoCo deployment failed" >&2; exit 1; }
read -r hub appreg dsreg wpreg rlc < <(node -e '
  const j = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log([j.hub, j.appRegistry, j.datasetRegistry, j.workerpoolRegistry, j.token].join(" "));
' "$tmp/deployment.json")
echo "# PoCo deployed on anvil at $url: hub $hub"

"$cc" -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -I"$src/include" \
  "$src/tests/integration/anvil_poco_flow.c" -o "$tmp/anvil_poco_flow" \
  -L"$build" -Wl,-rpath,"$build" -ldecc
mkdir "$tmp/work"
set +e
"$tmp/anvil_poco_flow" "$url" "$hub" "$appreg" "$dsreg" "$wpreg" "$rlc" "$tmp/work" | tee "$tmp/out.txt"
rc=${PIPESTATUS[0]}
set -e
passed=$(grep -c '^ok - ' "$tmp/out.txt" || true)
failed=$(grep -c '^FAIL - ' "$tmp/out.txt" || true)
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
