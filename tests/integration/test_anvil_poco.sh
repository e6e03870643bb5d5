#!/usr/bin/env bash
# test_anvil_poco.sh — integration test of decc's JSON-RPC chain backend
# against anvil running the real PoCo 6.1.0 contracts.
#
# Needs the chain engines of tools/engines/install.sh in $DECC_ENGINES_DIR
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/decc-engines; `make test` installs
# them): chain/ with anvil and the poco artifacts; plus a
# C compiler. It never downloads anything. When something is missing it
# prints why and exits 77 (ctest: Skipped); under CI (CI=true) that is a
# failure (exit 1) with the same one-line reason.
# When present: starts anvil on 127.0.0.1 (port chosen by anvil) and deploys
# PoCo with `decc chain deploy` (tools/anvil/anvil_poco.sh, each step
# under a timeout), builds tests/integration/anvil_poco_flow.c against the
# shared library of DECC_BUILD_DIR and runs it (bounded by
# DECC_FLOW_TIMEOUT_S, default 300 s): the same iExec sequence on anvil and
# on the embedded ledger, compared check by check — up to a TEE task's
# contributeAndFinalize with the payments, and a task claimed after its
# deadline with anvil's time travel.
# Env: DECC_BUILD_DIR (default <repo>/build), DECC_SOURCE_DIR (default repo).
set -euo pipefail
src="${DECC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
build="${DECC_BUILD_DIR:-$src/build}"
DECC=${DECC:-$build/bin/decc}
. "$src/tests/cli/lib.sh"
# shellcheck source=../../tools/anvil/anvil_poco.sh
source "$src/tools/anvil/anvil_poco.sh"

if why="$(anvil_poco_missing)"; then skip "$why"; fi
cc="${CC:-cc}"
command -v "$cc" >/dev/null || skip "no C compiler ($cc)"
[ -e "$build/libdecc.so" ] || { echo "no $build/libdecc.so (build decc first)" >&2; exit 1; }

tmp=$T
on_exit anvil_poco_stop

t0=$(date +%s)
anvil_poco_start "$tmp" || exit 1
echo "# PoCo deployed on anvil at $ANVIL_URL in $(( $(date +%s) - t0 )) s: hub $POCO_HUB"

"$cc" -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -I"$src/include" \
  "$src/tests/integration/anvil_poco_flow.c" -o "$tmp/anvil_poco_flow" \
  -L"$build" -Wl,-rpath,"$build" -ldecc
mkdir "$tmp/work"
set +e
timeout -k 5 "${DECC_FLOW_TIMEOUT_S:-300}" "$tmp/anvil_poco_flow" "$ANVIL_URL" \
  "$POCO_HUB" "$POCO_APPREG" "$POCO_DSREG" "$POCO_WPREG" "$POCO_RLC" "$tmp/work" |
  tee "$tmp/out.txt"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -ne 124 ] || echo "FAIL - anvil_poco_flow timed out after ${DECC_FLOW_TIMEOUT_S:-300} s"
# the flow's own "ok - " / "FAIL - " lines are the checks
pass=$(grep -c '^ok - ' "$tmp/out.txt" || true)
fail=$(grep -c '^FAIL - ' "$tmp/out.txt" || true)
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi
finish
