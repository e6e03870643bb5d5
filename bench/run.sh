#!/usr/bin/env bash
# run.sh — runs every benchmark executable built in BUILD/bench and prints
# their figures. DECC_BENCH_SCALE (default 1) scales the workloads; set it
# below 1 for a quick run (e.g. 0.1 uses ~100 MiB instead of 1 GiB files).
set -euo pipefail
BUILD=${1:-build}
export DECC_BENCH_SCALE=${DECC_BENCH_SCALE:-1}
export TMPDIR=${TMPDIR:-/tmp}
export DECC_SOURCE_DIR=${DECC_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)} # sample inputs (bench_dcap)
echo "decc benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, scale $DECC_BENCH_SCALE)"
HERE=$(cd "$(dirname "$0")/.." && pwd)
# the decc binary that deploys PoCo on anvil (anvil_poco.sh)
export DECC_BUILD_DIR=${DECC_BUILD_DIR:-$(cd "$BUILD" && pwd)}
# with_anvil_poco CMD: runs CMD with anvil + PoCo 6.1.0 started for it
# (tools/anvil/anvil_poco.sh: engines of tools/engines/install.sh, every
# step under a timeout) and DECC_ANVIL_URL / DECC_POCO_* set; when the
# engines are missing or do not start, CMD runs with DECC_ANVIL_SKIP=why.
with_anvil_poco() (
  # shellcheck source=../tools/anvil/anvil_poco.sh
  source "$HERE/tools/anvil/anvil_poco.sh"
  w=$(mktemp -d)
  trap 'anvil_poco_stop; rm -rf "$w"' EXIT
  if why=$(anvil_poco_missing); then
    export DECC_ANVIL_SKIP="$why"
  elif ! anvil_poco_start "$w" 2>"$w/start.err"; then
    export DECC_ANVIL_SKIP="anvil + PoCo did not start: $(tail -n 1 "$w/start.err")"
  else
    export DECC_ANVIL_URL="$ANVIL_URL" DECC_POCO_HUB="$POCO_HUB" DECC_POCO_APPREG="$POCO_APPREG" \
      DECC_POCO_DSREG="$POCO_DSREG" DECC_POCO_WPREG="$POCO_WPREG" DECC_POCO_RLC="$POCO_RLC"
  fi
  "$@"
)
status=0
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo
  echo "== $(basename "$b")"
  run=()
  case "$(basename "$b")" in
    bench_chain_cycles) run=(with_anvil_poco) ;; # anvil + PoCo vs embedded
    bench_ledger) run=(with_anvil_poco) ;; # prints anvil's cycles/s beside
  esac
  if ! "${run[@]}" "$b"; then
    echo "!! $(basename "$b") failed"
    status=1
  fi
done
exit $status
