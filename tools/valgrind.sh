#!/usr/bin/env bash
# valgrind.sh — runs unit test executables of an optimised build under
# valgrind memcheck (following the harness's forked children), failing on
# any memory error or definite leak. The ASan+UBSan run of `make test`
# already includes LeakSanitizer per test; this is the second opinion.
# Usage: tools/valgrind.sh BUILD_DIR [TEST_NAME_PATTERN]
set -euo pipefail
BUILD=${1:-build}
PATTERN=${2:-}
# The exhaustive PoCo test and the sandbox test (which needs root and
# namespaces valgrind does not follow well) are left to the ASan run.
SKIP='test_poco_exhaustive|test_sandbox'
status=0
pass=0
fail=0
for t in "$BUILD"/tests/test_*; do
  name=$(basename "$t")
  [[ -n "$PATTERN" && ! "$name" =~ $PATTERN ]] && continue
  [[ "$name" =~ $SKIP ]] && continue
  if valgrind -q --trace-children=yes --trace-children-skip='/usr/*,/bin/*' \
      --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite --show-leak-kinds=definite "$t" >/tmp/vg.$$ 2>&1; then
    pass=$((pass + 1))
    echo "ok - $name"
  else
    fail=$((fail + 1))
    status=1
    echo "not ok - $name"
    tail -n 40 /tmp/vg.$$
  fi
done
rm -f /tmp/vg.$$
echo "$pass passed, $fail failed"
exit $status
