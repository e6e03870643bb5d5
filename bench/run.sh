#!/usr/bin/env bash
# run.sh — runs every benchmark executable built in BUILD/bench and prints
# their figures. DECC_BENCH_SCALE (default 1) scales the workloads; set it
# below 1 for a quick run (e.g. 0.1 uses ~100 MiB instead of 1 GiB files).
set -euo pipefail
BUILD=${1:-build}
export DECC_BENCH_SCALE=${DECC_BENCH_SCALE:-1}
export TMPDIR=${TMPDIR:-/tmp}
echo "decc benchmarks ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, scale $DECC_BENCH_SCALE)"
status=0
for b in "$BUILD"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo
  echo "== $(basename "$b")"
  if ! "$b"; then
    echo "!! $(basename "$b") failed"
    status=1
  fi
done
exit $status
