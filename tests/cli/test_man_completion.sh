#!/usr/bin/env bash
# test_man_completion.sh — the man page generated from the help
# (scripts/gen_man.sh, help2man) renders and documents every command of
# the binary with its own options; the zsh completion script parses, loads
# under compinit, registers _decc for decc, lists every command with its
# summary, and its helpers read subcommands, options and wallet names from
# the binary and the data directory; the bash script still loads. Needs
# help2man and zsh (scripts/setup.sh): without them the test exits 77
# (SKIP), and fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SRC=${DECC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
for t in help2man zsh man; do
  if ! command -v $t >/dev/null; then
    echo "SKIP: $t is not installed (scripts/setup.sh installs it)"
    [ "${CI:-}" = true ] && exit 1
    exit 77
  fi
done

# man page
bash "$SRC/scripts/gen_man.sh" "$DECC" "$T/decc.1" && ok || ko "gen_man.sh failed"
page=$(MANWIDTH=200 LC_ALL=C.UTF-8 man -l "$T/decc.1" 2>"$T/man.err")
[ -s "$T/decc.1" ] && [ -n "$page" ] && ok || ko "man page empty: $(cat "$T/man.err")"
cmds=$("$DECC" --help | awk '/^commands:/{f=1; next} f && /^$/{f=0} f{print $1}')
[ "$(wc -w <<<"$cmds")" -ge 30 ] && ok || ko "command list: $cmds"
missing=
for c in $cmds; do grep -q "^   decc $c\$" <<<"$page" || missing="$missing $c"; done
[ -z "$missing" ] && ok || ko "commands missing from the man page:$missing"
grep -q -- "--chain-id N" <<<"$page" && grep -q -- "--skip-wallet" <<<"$page" && ok || ko "command options missing from the man page"
grep -q "^ENVIRONMENT" <<<"$page" && grep -q "DECC_HOME" <<<"$page" && ok || ko "no ENVIRONMENT section"
grep -q "$("$DECC" --version | awk '{print $2}')" <<<"$page" && ok || ko "no version in the man page"

# zsh completion
"$DECC" completion zsh >"$T/_decc"
zsh -n "$T/_decc" && ok || ko "zsh script does not parse"
mkdir -p "$T/h/wallets"
echo '{}' >"$T/h/wallets/carol.json"
out=$(DECC_HOME="$T/h" PATH="$(dirname "$DECC"):$PATH" zsh -f -c '
  autoload -U compinit && compinit -u -D
  source "$1"
  print "comp=$_comps[decc]"
  print "ncmds=${#_decc_commands}"
  for c in $_decc_commands; do [[ $c == dev:* ]] && print "dev=$c"; done
  print "appsubs=$(_decc_subcmds app | tr "\n" " ")"
  print "devopts=$(_decc_opts dev | tr "\n" " ")"
  print "initopts=$(_decc_opts app init | tr "\n" " ")"
  w=(${DECC_HOME}/wallets/*.json(N:t:r)); print "wallets=$w"
' zsh "$T/_decc" 2>&1)
grep -q "^comp=_decc$" <<<"$out" && ok || ko "not registered: $out"
[ "$(sed -n 's/^ncmds=//p' <<<"$out")" = "$(wc -w <<<"$cmds")" ] && ok || ko "command count: $out"
grep -q "^dev=dev:a ready local stack" <<<"$out" && ok || ko "summary: $out"
grep -q "^appsubs=.*init.*test" <<<"$out" && ok || ko "app subcommands: $out"
grep -q "^devopts=.*--chain-id" <<<"$out" && ok || ko "dev options: $out"
grep -q "^initopts=.*--lang" <<<"$out" && ok || ko "app init options: $out"
grep -q "^wallets=carol$" <<<"$out" && ok || ko "wallet names: $out"
# bash: still generated and loadable
bash -c 'source <("$1" completion bash) && complete -p decc' _ "$DECC" >/dev/null && ok || ko "bash completion does not load"
"$DECC" completion fish >/dev/null 2>&1 && ko "an unknown shell is accepted" || ok

finish
