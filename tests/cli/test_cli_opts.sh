#!/usr/bin/env bash
# test_cli_opts.sh — the shared option parser (cli/cli_opts.c) through the
# commands that use it: the same one-line errors for every command (unknown
# option naming the command and its --help, missing or bad number, value
# given to a flag, option given twice, too many arguments, too many values
# of a repeatable option), --opt=value equal to --opt value, "--" ending the
# options, and a --help whose options section lists what the table accepts.
# Offline: `decc ls` on an empty data directory is the command that runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export DECC_HOME="$T/h"
A1=0x0000000000000000000000000000000000000001
A2=0x0000000000000000000000000000000000000002

# one_line NAME RC WANT CMD...: exit RC and stderr exactly the line WANT
one_line() {
  local name=$1 rc=$2 want=$3
  shift 3
  refuse "$name" "$rc" "$@"
  check_eq "$name: message" "$want" "$(cat "$T/err")"
}

one_line "unknown long" 2 "decc: unknown option '--frob' for 'decc grant' (see decc grant --help)" \
  "$DECC" grant "$A1" --frob
one_line "unknown short" 2 "decc: unknown option '-x' for 'decc grants' (see decc grants --help)" \
  "$DECC" grants -x
one_line "unknown, subcommand" 2 "decc: unknown option '--category' for 'decc app publish' (see decc app publish --help)" \
  "$DECC" app publish "$A1" --category 3
one_line "unknown --opt=value" 2 "decc: unknown option '--nope=1' for 'decc ls' (see decc ls --help)" \
  "$DECC" ls --nope=1
one_line "missing number" 2 "decc: --volume needs a number (see decc dataset publish --help)" \
  "$DECC" dataset publish "$A1" --volume
one_line "bad number" 2 "decc: --uses needs a number, not '-3' (see decc grant --help)" \
  "$DECC" grant "$A1" --app "$A2" --any-user --uses -3
one_line "bad number =" 2 "decc: --page needs a number, not '1x' (see decc ls --help)" \
  "$DECC" ls --page=1x
one_line "number too small" 2 "decc: --uses must be at least 1 (see decc grant --help)" \
  "$DECC" grant "$A1" --app "$A2" --any-user --uses=0
one_line "number out of range" 2 "decc: --per-task must be 1..100 (see decc process --help)" \
  "$DECC" process "$A1" --app "$A2" --per-task 101
one_line "missing value" 2 "decc: --app needs a value (APP) (see decc grant --help)" \
  "$DECC" grant "$A1" --app
one_line "flag with a value" 2 "decc: --mine takes no value (see decc ls --help)" \
  "$DECC" ls --mine=yes
one_line "given twice" 2 "decc: --app given twice (see decc grant --help)" \
  "$DECC" grant "$A1" --app "$A2" --app=$A2
one_line "wallet given twice" 2 "decc: --wallet given twice (see decc revoke --help)" \
  "$DECC" revoke "$A1" --wallet a --wallet b
one_line "too many arguments" 2 "decc: unexpected argument 'c' (see decc transfer --help)" \
  "$DECC" transfer a b c
one_line "no argument taken" 2 "decc: 'decc ls' takes no argument ('x') (see decc ls --help)" \
  "$DECC" ls x
many=()
for i in $(seq 1 65); do many+=(--input-file "u$i"); done
refuse "too many values" 2 "$DECC" run "$A2" "${many[@]}"
contains "too many values: message" "--input-file: at most" "$(cat "$T/err")"
# a repeatable option takes each value; a secret never comes from argv
refuse "--secret refused" 2 "$DECC" process "$A1" --app "$A2" --secret x
contains "--secret: message" "use --secret-file FILE" "$(cat "$T/err")"

# "--": what follows is an argument, even when it looks like an option
one_line "after --" 2 "decc: unexpected argument '--frob' (see decc transfer --help)" \
  "$DECC" transfer a b -- --frob
one_line "-- then argument" 2 "decc: PROTECTED_DATA and --app are required (see decc grant --help)" \
  "$DECC" grant -- --frob

# --opt=value and --opt value give the same result (the command runs)
check_rc "ls --opt value" 0 "$DECC" --json ls --since 7d --page-size 3
a=$out
check_rc "ls --opt=value" 0 "$DECC" --json ls --since=7d --page-size=3
check_eq "same result" "$a" "$out"
contains "ls ran" '"total":0' "$out"
check_rc "ls --" 0 "$DECC" ls --

# help from the table: every option of grant's table, the wallet options,
# and the option syntax printed once, generated
check_rc "grant --help" 0 "$DECC" grant --help
for o in --app --user --any-user --price --uses --bulk --expires --purpose \
  --wallet --keystore --password-file --private-key-file --help; do
  grep -qE "^  (-., )?$o( |$)" <<<"$out" && ok || ko "grant --help lacks $o"
done
contains "help: options section" "options:" "$out"
contains "help: amount syntax" "AMOUNT: RLC" "$out"
check_rc "help after other options" 0 "$DECC" process --app x --help
contains "process help: -o" "-o, --output FILE" "$out"
finish
