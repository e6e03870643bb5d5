# tests/cli/lib.sh — the scaffolding every CLI and integration test script
# shares, sourced instead of being redefined in each one: a temporary
# directory removed at exit (with the processes the script started), the
# pass/fail counters and their checks, the dev accounts, starting a node and
# waiting for its port, and the one rule for tests that cannot run here
# (skipped with exit 77 — ctest's "Skipped" — but a failure under CI=true).
#
# Usage, at the top of a script:
#   set -euo pipefail
#   . "$(dirname "$0")/../cli/lib.sh"      # or "$(dirname "$0")/lib.sh"
#   ... checks ...
#   finish
#
# Checks (each counts one pass or one failure; failures are printed):
#   ok / ko MSG (bad MSG is the same as ko)
#   check_eq NAME EXPECTED ACTUAL        the two strings are equal
#   contains NAME NEEDLE HAYSTACK        HAYSTACK contains NEEDLE (fixed string)
#   check_rc NAME RC CMD...              CMD exits RC (stdin /dev/null); its
#                                        stdout is left in $out, its stderr
#                                        in $T/err
#   expect_rc NAME RC CMD...             CMD exits RC; stdout in $T/out, stderr
#                                        in $T/err
#   expect_err NAME RC CMD...            the same, and a non-zero RC must come
#                                        with a "decc: " one-line message
#   run_ok NAME CMD...                   CMD succeeds (stdout in $T/out, stderr
#                                        in $T/err)
#   refuse NAME RC CMD...                CMD exits RC (output as run_ok); with
#                                        RC 1 the error must be exactly one
#                                        "decc: " line
#   has NAME NEEDLE                      NEEDLE in $out or $T/err
#   finish                               prints the counts; exit status 0 only
#                                        when nothing failed
# Helpers:
#   jget EXPR            evaluates a Python expression over the JSON on stdin (d)
#   need_root WHY        skip (or fail under CI=true) unless running as root
#   skip WHY             the same, unconditionally
#   on_exit CMD          runs CMD (eval'd) at exit, before $T is removed
#   dev_keys [OPTS...]   `decc chain init OPTS --dev` in $DECC_HOME; then
#                        key N / addr N print dev account N's key / address
#   start_node PORTFILE LOG ARGS...   runs `$DECC ARGS...` in the background
#                        (ARGS must include --port-file PORTFILE), stops it at
#                        exit, waits for its port (5 s) and sets NODE_URL
#   stop_pid PID         kills a background process and reaps it

DECC=${DECC:?DECC must point to the decc binary}
pass=0
fail=0
out=
T=$(mktemp -d)
_lib_exit_cmds=()
_lib_on_exit() {
  local i
  for ((i = ${#_lib_exit_cmds[@]} - 1; i >= 0; i--)); do
    eval "${_lib_exit_cmds[$i]}" || true
  done
  rm -rf "$T"
}
trap _lib_on_exit EXIT
on_exit() { _lib_exit_cmds+=("$1"); }

_lib_in_ci() { [ -n "${CI:-}" ] && [ "${CI}" != false ] && [ "${CI}" != 0 ]; }
skip() {
  if _lib_in_ci; then
    echo "FAIL: $1 (required under CI=$CI)"
    exit 1
  fi
  echo "SKIP: $1"
  exit 77 # ctest: Skipped, never Passed
}
need_root() { [ "$(id -u)" = 0 ] || skip "$1"; }

ok() { pass=$((pass + 1)); }
ko() {
  fail=$((fail + 1))
  echo "FAIL: $*" >&2
}
bad() { ko "$@"; }

check_eq() { # check_eq NAME EXPECTED ACTUAL
  if [ "$2" == "$3" ]; then ok; else ko "$1: expected '$2', got '$3'"; fi
}
contains() { # contains NAME NEEDLE HAYSTACK
  if grep -qF -- "$2" <<<"$3"; then ok; else ko "$1: '$2' not in: $3"; fi
}
check_rc() { # check_rc NAME RC CMD...   (stdout in $out, stderr in $T/err)
  local name=$1 want=$2 rc=0
  shift 2
  # stdin is /dev/null: a command that would prompt fails instead of hanging.
  out=$("$@" 2>"$T/err" </dev/null) || rc=$?
  if [ "$rc" = "$want" ]; then ok; else ko "$name: rc $rc (want $want): $out $(cat "$T/err")"; fi
}
expect_rc() { # expect_rc NAME RC CMD...  (stdout in $T/out, stderr in $T/err)
  local name=$1 want=$2 rc=0
  shift 2
  "$@" >"$T/out" 2>"$T/err" || rc=$?
  if [ "$rc" == "$want" ]; then ok; else ko "$name: exit $rc, expected $want ($(cat "$T/err"))"; fi
}
expect_err() { # expect_err NAME RC CMD...  (expect_rc + a "decc: " message)
  local want=$2
  expect_rc "$@"
  if [ "$want" != 0 ]; then
    if grep -q '^decc: ' "$T/err"; then ok; else ko "$name: no error message"; fi
  fi
}
run_ok() { # run_ok NAME CMD...
  local name=$1
  shift
  if "$@" >"$T/out" 2>"$T/err"; then ok; else ko "$name: $(cat "$T/err")"; fi
}
refuse() { # refuse NAME RC CMD...
  local name=$1 want=$2 rc=0
  shift 2
  "$@" >"$T/out" 2>"$T/err" || rc=$?
  if [ "$rc" = "$want" ]; then ok; else ko "$name (exit $rc, want $want): $(cat "$T/err")"; fi
  if [ "$want" = 1 ]; then
    if [ "$(wc -l <"$T/err")" = 1 ] && grep -q '^decc: ' "$T/err"; then ok; else ko "$name: error is not one line: $(cat "$T/err")"; fi
  fi
}
has() { # has NAME NEEDLE
  if grep -q -- "$2" <<<"$out$(cat "$T/err" 2>/dev/null)"; then ok; else ko "$1: no '$2' in: $out $(cat "$T/err" 2>/dev/null)"; fi
}
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" = 0 ]
}

jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

dev_keys() { # dev_keys [chain init options...]
  _lib_keys=$("$DECC" chain init "$@" --dev | grep '^(')
}
key() { awk -v i="($1)" '$1==i{print $3}' <<<"$_lib_keys"; }
addr() { awk -v i="($1)" '$1==i{print $2}' <<<"$_lib_keys"; }

stop_pid() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
start_node() { # start_node PORTFILE LOG ARGS...
  local portfile=$1 log=$2 pid
  shift 2
  "$DECC" "$@" >"$log" 2>&1 &
  pid=$!
  NODE_LAST_PID=$pid
  on_exit "stop_pid $pid"
  for _ in $(seq 50); do [ -s "$portfile" ] && break; sleep 0.1; done
  if [ ! -s "$portfile" ]; then
    echo "FAIL: '$DECC $1' did not start: $(cat "$log")"
    exit 1
  fi
  NODE_URL="http://127.0.0.1:$(cat "$portfile")"
}
