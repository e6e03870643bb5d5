#!/usr/bin/env bash
# smoke.sh — CI guard for the fuzz targets: configures a clang + libFuzzer
# (+ ASan/UBSan) build in the given directory, builds every fuzz/fuzz_*.c
# target and runs each for a few seconds from a scratch copy of its seed
# corpus. Fails if a target does not build, crashes, leaks, times out on an
# input or exits abnormally. The whole fuzzing phase is bounded (default 80 s
# split across the targets, each at least 3 s; JOBS targets run at once, one
# per core), so that `make fuzz` cannot break silently without costing CI
# much.
#
#   bash fuzz/smoke.sh BUILD_DIR [TOTAL_SECONDS]
#
# Needs clang with libFuzzer (Debian: clang, libclang-rt-dev or the clang
# package's runtime). Crash inputs are kept in BUILD_DIR/fuzz-smoke-artifacts.
set -euo pipefail

BUILD=${1:?usage: fuzz/smoke.sh BUILD_DIR [TOTAL_SECONDS]}
TOTAL=${2:-80}
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/.." && pwd)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

command -v clang >/dev/null || { echo "smoke.sh: clang not found (apt-get install clang)" >&2; exit 1; }

targets=()
for src in "$SRC"/fuzz/fuzz_*.c; do
  targets+=("$(basename "$src" .c)")
done
[ ${#targets[@]} -gt 0 ] || { echo "smoke.sh: no fuzz targets in $SRC/fuzz" >&2; exit 1; }

# Only the fuzz targets (and the library they link): tests are not needed.
# One group target (CMakeLists.txt, DECC_GROUP) so that they are built side
# by side, not one after another as `--target a b …` would.
CC=clang cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDECC_FUZZ=ON -DDECC_SANITIZE=ON "-DDECC_GROUP=$(IFS=';'; echo "${targets[*]}")" >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target decc_group

each=$(( TOTAL / ${#targets[@]} ))
[ "$each" -ge 3 ] || each=3
artifacts="$BUILD/fuzz-smoke-artifacts"
mkdir -p "$artifacts"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# run_one NAME: one target's bounded run from a scratch copy of its seed
# corpus; its log in $scratch/NAME.log, its exit code in $scratch/NAME.rc.
run_one() {
  local name=$1 work="$scratch/$1"
  mkdir -p "$work"
  cp -r "$HERE/corpus/$name/." "$work/" 2>/dev/null || true
  # -timeout: one input taking longer than 10 s counts as a failure (a hang).
  # The outer `timeout` bounds the run even if libFuzzer itself wedges.
  set +e
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    timeout -k 5 $(( each + 30 )) "$BUILD/fuzz/$name" -max_total_time="$each" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$name-" "$work" >"$scratch/$name.log" 2>&1
  echo $? >"$scratch/$name.rc"
}

# JOBS targets at a time (libFuzzer runs on one core): each still fuzzes
# for its full $each seconds; the reports follow in the targets' order.
status=0
running=0
started=()
for name in "${targets[@]}"; do
  if [ ! -x "$BUILD/fuzz/$name" ]; then
    echo "!! $name: not built ($BUILD/fuzz/$name missing)"; status=1; continue
  fi
  run_one "$name" &
  started+=("$name")
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
for name in "${started[@]}"; do
  echo "== $name for ${each}s"
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' "$scratch/$name.log" 2>/dev/null || true
  rc=$(cat "$scratch/$name.rc" 2>/dev/null || echo "unknown")
  if [ "$rc" != 0 ]; then
    tail -n 40 "$scratch/$name.log" 2>/dev/null || true
    echo "!! $name failed (exit $rc); inputs in $artifacts"
    status=1
  fi
done
[ $status -eq 0 ] && echo "fuzz smoke: ${#targets[@]} targets ran ${each}s each without a crash"
exit $status
