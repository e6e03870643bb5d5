#!/usr/bin/env bash
# valgrind.sh — the `make valgrind` run: every unit test executable of an
# optimised build under valgrind memcheck, failing on any memory error or
# definite leak (--error-exitcode, --leak-check=full). The ASan+UBSan run
# of `make test` already includes LeakSanitizer per test; this is the
# second opinion, on the uninstrumented code.
#
#   bash tools/valgrind.sh BUILD_DIR [TEST_NAME_PATTERN]
#
# The harness runs each test case in a forked child: memcheck follows
# forks by itself. --trace-children=no leaves every program a test execs
# (the sandboxed apps, the node binaries of a few tests) native.
#
# Not run under memcheck (SKIP below), each for a stated reason; they run
# under ASan+UBSan (and LeakSanitizer) in `make test`. See
# docs/operations.md ("Valgrind"):
#  - the cases that run a program in the enclave sandbox: the sandbox's
#    supervisor, namespace creator and pid 1 are forks of the test process,
#    so memcheck runs them, and memcheck cannot run them faithfully: it
#    does not know the Landlock system calls (444–446: ENOSYS, so the
#    sandbox would silently run without Landlock), it reserves file
#    descriptors of its own so pid 1's RLIMIT_NOFILE fails with EPERM, and
#    with --trace-children=yes it tries to start itself inside the enclave
#    (no valgrind there, seccomp). Every such case fails with
#    "sandbox setup failed: rlimits" or an app exit code 1;
#  - test_poco_exhaustive: the exhaustive PoCo state walk, hours under
#    memcheck (the same code paths run in test_ledger_poco).
#
# Time budgets: the harness ends a case after DECC_TEST_TIMEOUT seconds
# (default 300); memcheck is 20-50 times slower, so this run gives each
# case 1800 s (an RSA key generation in test_dp took longer than 300 s).
# The tests' own waits are on events (a pipe, a status), not clocks.
set -euo pipefail
BUILD=${1:-build}
PATTERN=${2:-}
SRC=$(cd "$(dirname "$0")/.." && pwd)
export DECC_TEST_TIMEOUT=${DECC_TEST_TIMEOUT:-1800}

# "test_file" skips a whole executable, "test_file:case" one case.
SKIP=(
  test_poco_exhaustive
  test_sandbox
  test_runtime:confidential_run_end_to_end
  test_runtime:app_failures_have_causes_and_logs
  test_runtime:callback_digest_rule
  test_runtime:standard_sessions_give_identical_archives
  test_runtime:attested_launch_through_a_relay
  test_e2e:confidential_task_end_to_end_with_payments
  test_e2e:failed_task_is_claimed_with_its_cause
  test_e2e:standard_task_replicated_with_consensus_and_restart
  test_restart
  test_bulk_precompute
  test_e2e_clients
)

skipped_file() {
  local s
  for s in "${SKIP[@]}"; do [[ "$s" == "$1" ]] && return 0; done
  return 1
}
skipped_cases() { # the case names skipped in executable $1, one a line
  local s
  for s in "${SKIP[@]}"; do [[ "$s" == "$1:"* ]] && echo "${s#*:}"; done
  return 0
}

VG=(valgrind -q --trace-children=no --error-exitcode=99 --leak-check=full
  --errors-for-leak-kinds=definite --show-leak-kinds=definite)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
pass=0
fail=0
skip=0
t0=$(date +%s)

# run_one NAME EXE [CASE]: one memcheck run, counted and reported.
run_one() {
  local name=$1 exe=$2 case=${3:-} start
  start=$(date +%s)
  if (cd "$BUILD" && "${VG[@]}" "$exe" ${case:+"$case"}) >"$log" 2>&1; then
    pass=$((pass + 1))
    echo "ok - $name${case:+ $case} ($(($(date +%s) - start)) s)"
  else
    fail=$((fail + 1))
    status=1
    echo "not ok - $name${case:+ $case}"
    tail -n 60 "$log"
  fi
}

for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  [[ -n "$PATTERN" && ! "$name" =~ $PATTERN ]] && continue
  if skipped_file "$name"; then
    skip=$((skip + 1))
    echo "skip - $name (see the SKIP list)"
    continue
  fi
  exe=$(cd "$(dirname "$t")" && pwd)/$name
  mapfile -t cut < <(skipped_cases "$name")
  if [ ${#cut[@]} -eq 0 ]; then
    run_one "$name" "$exe"
    continue
  fi
  # Some cases skipped: run the others one by one, by exact name (the
  # harness selects cases whose name contains its argument).
  src=$(find "$SRC/tests/unit" -name "$name.c" | head -n 1)
  [ -n "$src" ] || { echo "valgrind.sh: no source for $name" >&2; exit 1; }
  while read -r c; do
    if printf '%s\n' "${cut[@]}" | grep -qx "$c"; then
      skip=$((skip + 1))
      echo "skip - $name $c (see the SKIP list)"
      continue
    fi
    run_one "$name" "$exe" "$c"
  done < <(sed -n 's/^TEST(\([A-Za-z0-9_]*\)).*/\1/p' "$src")
done
echo "valgrind: $pass passed, $fail failed, $skip skipped" \
  "in $(($(date +%s) - t0)) s"
exit $status
