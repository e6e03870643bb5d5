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
#   ok [MSG] / ko MSG (bad MSG is the same as ko; ok prints "ok - MSG" when
#                     given one: the long integration stories log progress)
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
#   signal_pid SIG PID   sends SIG to a background process started here,
#                        reaps it and returns its exit status (how it
#                        ended is then checkable); it is not stopped again
#   start_bg PORTFILE LOG CMD...      the same for any server command (a fake
#                        API in python3…): runs CMD in the background, stops
#                        it at exit, waits for PORTFILE (START_WAIT_S, 10 s);
#                        sets BG_PID and BG_URL
# Engines (tools/engines/install.sh installs them into $ENGINES; a missing
# one is a skip, a failure under CI=true):
#   ENGINES              $DECC_ENGINES_DIR, else ${XDG_CACHE_HOME:-~/.cache}/decc-engines
#   need_cmd CMD...      skip unless every CMD is on PATH
#   need_file PATH WHY   skip with WHY unless PATH exists
#   start_anvil LOG      anvil ($ENGINES/chain) on a loopback port chosen by
#                        anvil, chain id 31337, stopped at exit; waits 30 s
#                        for its port; sets ANVIL_URL and ANVIL_PID

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
# python3 without a version manager's shim: pyenv's (a bash script running
# `pyenv exec`) costs 0.3-1.5 s a call on a busy 2-core machine, and the
# scripts make dozens of python3 calls (jget, fake servers, checks). When
# the python3 on PATH is a shim, the first python3 on PATH outside a shims
# directory (Debian's, which scripts/setup.sh installs) is linked into
# $T/.bin, put first on PATH; only the stdlib is used.
case $(command -v python3 2>/dev/null) in
*/shims/python3)
  _lib_ifs=$IFS
  IFS=:
  for _lib_d in $PATH; do
    case $_lib_d in */shims) continue ;; esac
    if [ -x "$_lib_d/python3" ]; then
      mkdir -p "$T/.bin"
      ln -s "$_lib_d/python3" "$T/.bin/python3"
      PATH="$T/.bin:$PATH"
      break
    fi
  done
  IFS=$_lib_ifs
  ;;
esac
on_exit() { _lib_exit_cmds+=("$1"); }

_lib_in_ci() { [ -n "${CI:-}" ] && [ "${CI}" != false ] && [ "${CI}" != 0 ]; }
skip() {
  if _lib_in_ci; then
    echo "FAIL $(basename "$0"): $1 (required under CI=$CI)"
    exit 1
  fi
  echo "SKIP $(basename "$0"): $1"
  exit 77 # ctest: Skipped, never Passed
}
need_root() { [ "$(id -u)" = 0 ] || skip "$1"; }

ok() {
  pass=$((pass + 1))
  [ $# = 0 ] || echo "ok - $*"
}
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

_lib_stopped=" "
stop_pid() {
  [ -n "${1:-}" ] || return 0
  # Each pid is killed once: at exit, a pid stopped earlier may belong to
  # another process by now.
  case $_lib_stopped in *" $1 "*) return 0 ;; esac
  _lib_stopped+="$1 "
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
signal_pid() { # signal_pid SIG PID
  local rc=0
  _lib_stopped+="$2 "
  kill -"$1" "$2" 2>/dev/null || true
  wait "$2" 2>/dev/null || rc=$?
  return $rc
}
start_bg() { # start_bg PORTFILE LOG CMD...
  local portfile=$1 log=$2 i
  shift 2
  "$@" >>"$log" 2>&1 & # appended: a restarted server keeps one log
  BG_PID=$!
  on_exit "stop_pid $BG_PID"
  for ((i = 0; i < ${START_WAIT_S:-10} * 10; i++)); do
    [ -s "$portfile" ] && break
    kill -0 "$BG_PID" 2>/dev/null || break # exited: no need to wait
    sleep 0.1
  done
  if [ ! -s "$portfile" ]; then
    echo "FAIL: '$*' did not start: $(tail -c 2000 "$log")"
    exit 1
  fi
  BG_URL="http://127.0.0.1:$(cat "$portfile")"
}
start_node() { # start_node PORTFILE LOG ARGS...
  start_bg "$1" "$2" "$DECC" "${@:3}"
  NODE_LAST_PID=$BG_PID
  NODE_URL=$BG_URL
}

ENGINES=${DECC_ENGINES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/decc-engines}
need_cmd() { # need_cmd CMD...
  local c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "$c not found"; done
}
need_file() { [ -e "$1" ] || skip "$2"; } # need_file PATH WHY
start_anvil() { # start_anvil LOG
  local log=$1 port= i bin=$ENGINES/chain/node_modules/.bin/anvil
  need_file "$bin" "anvil not installed in $ENGINES/chain (run tools/engines/install.sh chain)"
  "$bin" --host 127.0.0.1 --port 0 --chain-id 31337 >"$log" 2>&1 &
  ANVIL_PID=$!
  on_exit "stop_pid $ANVIL_PID"
  for ((i = 0; i < 300; i++)); do # ≤ 30 s
    port=$(sed -n 's/^Listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$ANVIL_PID" 2>/dev/null || { echo "FAIL: anvil exited: $(tail -c 2000 "$log")"; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "FAIL: anvil did not print its port within 30 s"; exit 1; }
  ANVIL_URL="http://127.0.0.1:$port"
}
