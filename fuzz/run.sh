#!/usr/bin/env bash
# run.sh — runs each libFuzzer target of a DECC_FUZZ=ON build for a bounded
# time, starting from its seed corpus (new inputs go to a scratch copy so the
# committed corpus only changes on purpose).
set -euo pipefail
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
status=0
for f in "$BUILD"/fuzz/fuzz_*; do
  [ -x "$f" ] || continue
  name=$(basename "$f")
  work=$(mktemp -d)
  cp -r "$HERE/corpus/$name/." "$work/" 2>/dev/null || true
  echo "== $name for ${SECONDS_EACH}s"
  if ! "$f" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 "$work" 2>&1 | tail -n 12; then
    echo "!! $name found a crash (see crash-* files in $(pwd))"
    status=1
  fi
  rm -rf "$work"
done
exit $status
