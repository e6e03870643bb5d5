#!/usr/bin/env bash
# gen_man.sh DECC OUT — writes the decc(1) man page OUT from the binary's own
# help with help2man: the synopsis and global options from `decc --help`,
# then a COMMANDS section with each command's `decc CMD --help` verbatim
# (the command list comes from the binary, so the page never drifts from
# the code). Used by the CMake target `man` (make man).
set -euo pipefail
DECC=${1:?usage: gen_man.sh DECC OUT}
OUT=${2:?usage: gen_man.sh DECC OUT}
command -v help2man >/dev/null || { echo "gen_man.sh: help2man is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
inc=$(mktemp)
trap 'rm -f "$inc"' EXIT
# roff-escape a help text: backslashes, and lines starting with . or '
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
{
  echo "[COMMANDS]"
  echo "Each command's own help (decc COMMAND --help):"
  for c in $("$DECC" --help | awk '/^commands:/{f=1; next} f && /^$/{f=0} f{print $1}'); do
    echo ".SS \"decc $c\""
    echo ".nf"
    "$DECC" "$c" --help 2>&1 </dev/null | esc || true
    echo ".fi"
  done
  cat <<'TXT'
[FILES]
.TP
.I ~/.decc
the data directory (--home, $DECC_HOME): config.json, wallets/, chain/ledger.sqlite, store/, sms/, market/
.TP
.I ~/.decc/config.json
default wallet, password file and service URLs (node, chain, market, sms, ipfs)
[ENVIRONMENT]
.TP
.B DECC_HOME
the data directory
.TP
.B DECC_CHAIN, DECC_HUB, DECC_DATAPROTECTOR
the chain and its contract addresses (as --chain, --hub, --dataprotector)
.TP
.B DECC_NODE_<KEY>
configuration keys of decc node
[SEE ALSO]
The tutorial docs/tutorial.md, decc dev (docs/dev.md) and the reference in docs/ of the decc sources.
TXT
} >"$inc"
help2man --no-info --no-discard-stderr --section 1 \
  --name "decentralized confidential computing, iExec-compatible" \
  --include "$inc" --output "$OUT.tmp" "$DECC"
mv "$OUT.tmp" "$OUT"
