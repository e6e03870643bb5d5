#!/usr/bin/env bash
# test_cli_opts_ops.sh — the shared option parser (cli/cli_opts.c) through
# the operator and developer commands: decc itself (global options), node,
# worker run, scheduler run, init, dev, demo, order (cancel, presign,
# publish, ls, unpublish, hash), task (logs, replay), app (init, build,
# test), receipts (and receipts policy), verify. For each: the exact
# one-line usage errors (unknown option, missing value, bad number, repeated
# option, missing or extra argument, unknown subcommand), --help listing the
# options of the command's table, and --opt=value equal to --opt value.
# Everything here fails before any work (or only prints a configuration):
# no node, no chain, no root.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export DECC_HOME="$T/h"
unset DECC_NODE_URL DECC_CHAIN DECC_HUB DECC_DATAPROTECTOR
TID=0x$(printf '%064d' 1)

# one_line NAME RC WANT CMD...: exit RC and stderr exactly the line WANT
one_line() {
  local name=$1 rc=$2 want=$3
  shift 3
  refuse "$name" "$rc" "$@"
  check_eq "$name: message" "$want" "$(cat "$T/err")"
}
# lists NAME CMD... -- OPT...: CMD --help exits 0 and lists every OPT as an
# option line of its options section
lists() {
  local name=$1
  shift
  local cmd=()
  while [ "$1" != -- ]; do
    cmd+=("$1")
    shift
  done
  shift
  check_rc "$name --help" 0 "${cmd[@]}" --help
  contains "$name --help: options section" "options:" "$out"
  for o in "$@"; do
    grep -qE -- "^  (-., )?$o( |$)" <<<"$out" && ok || ko "$name --help lacks $o"
  done
}

# ---- decc: the global options
one_line "global unknown" 2 "decc: unknown option '--frob' for 'decc' (see decc --help)" \
  "$DECC" --frob util
one_line "global missing value" 2 "decc: --home needs a value (DIR) (see decc --help)" \
  "$DECC" --home
one_line "global twice" 2 "decc: --json given twice (see decc --help)" \
  "$DECC" --json --json util
one_line "global flag with value" 2 "decc: --json takes no value (see decc --help)" \
  "$DECC" --json=1 util
refuse "no command" 2 "$DECC"
contains "no command: overview on stderr" "commands:" "$(cat "$T/err")"
one_line "unknown command" 2 "decc: unknown command 'frob' (see --help)" "$DECC" frob
lists "decc" "$DECC" -- --json --quiet --home --chain --hub --dataprotector --version
contains "decc --help: command list" "  node         run decc's services" "$out"
check_rc "--version" 0 "$DECC" --version
contains "--version prints it" "decc " "$out"
check_rc "--home=DIR" 0 "$DECC" --home="$T/h2" node --print-config
contains "--home=DIR is the node's home" "\"home\":\"$T/h2\"" "$out"

# ---- decc node: every configuration key is an option of the table
one_line "node unknown" 2 "decc: unknown option '--frob' for 'decc node' (see decc node --help)" \
  "$DECC" node --frob 1
one_line "node missing value" 2 "decc: --port needs a value (VALUE) (see decc node --help)" \
  "$DECC" node --port
one_line "node twice" 2 "decc: --port given twice (see decc node --help)" \
  "$DECC" node --port 1 --port 2
one_line "node argument" 2 "decc: 'decc node' takes no argument ('x') (see decc node --help)" \
  "$DECC" node x
refuse "node bad value" 2 "$DECC" node --print-config --port nope
contains "node bad value: names the key" "port" "$(cat "$T/err")"
contains "node bad value: points at the help" "(see decc node --help)" "$(cat "$T/err")"
check_rc "node --key value" 0 "$DECC" node --print-config --max-body 12345 --roles chain
a=$out
# the worker's enclaves run as this binary unless the configuration says
contains "node enclave_exec defaults to decc" "\"enclave_exec\":\"$(readlink -f "$DECC")\"" "$a"
check_rc "node --enclave-exec" 0 "$DECC" node --print-config --enclave-exec /opt/decc
contains "node --enclave-exec applied" '"enclave_exec":"/opt/decc"' "$out"
# the enclave entry of the binary is not a command a person runs
one_line "enclave child by hand" 2 \
  "decc: __decc-enclave-child is started by a worker with its channel on fd 3, not by hand" \
  "$DECC" __decc-enclave-child
contains "node key applied" '"max_body":12345' "$a"
check_rc "node --key=value" 0 "$DECC" node --print-config --max-body=12345 --roles=chain
check_eq "node: --key=value is --key value" "$a" "$out"
check_rc "node --key_name" 0 "$DECC" node --print-config --max_body 12345 --roles chain
check_eq "node: --max_body is --max-body" "$a" "$out"
lists "node" "$DECC" node -- --config --port-file --print-config --max-body --chain-url --roles --log-json

# ---- decc worker run / scheduler run: the node with the role fixed
one_line "worker --roles" 2 "decc: --roles is fixed to worker here; use decc node for other roles (see decc worker run --help)" \
  "$DECC" worker run --roles all
check_rc "worker run --print-config" 0 "$DECC" worker run --print-config
contains "worker role" '"roles":["worker"]' "$out"
one_line "worker unknown subcommand" 2 "decc: unknown worker command 'frob' (see decc worker --help)" \
  "$DECC" worker frob
refuse "worker no subcommand" 2 "$DECC" worker
contains "worker overview" "usage: decc worker <command>" "$(cat "$T/err")"
one_line "scheduler unknown" 2 "decc: unknown option '--bogus' for 'decc scheduler run' (see decc scheduler run --help)" \
  "$DECC" scheduler run --bogus
check_rc "scheduler run --print-config" 0 "$DECC" scheduler run --print-config
contains "scheduler role" '"roles":["scheduler"]' "$out"
lists "worker run" "$DECC" worker run -- --chain-url --scheduler-url --worker-key-file --port-file

# ---- decc init
refuse "init --password" 2 "$DECC" init --password hunter2
contains "init --password: why" "never taken from the command line" "$(cat "$T/err")"
grep -q hunter2 "$T/err" && ko "init --password echoes the password" || ok
one_line "init missing value" 2 "decc: --wallet needs a value (NAME) (see decc init --help)" \
  "$DECC" init --wallet
one_line "init twice" 2 "decc: --skip-wallet given twice (see decc init --help)" \
  "$DECC" init --skip-wallet --skip-wallet
one_line "init argument" 2 "decc: 'decc init' takes no argument ('x') (see decc init --help)" \
  "$DECC" init x
one_line "init exclusive" 2 "decc: --skip-wallet excludes --wallet and --password-file (see decc init --help)" \
  "$DECC" init --skip-wallet --wallet w
lists "init" "$DECC" init -- --wallet --password-file --skip-wallet

# ---- decc dev
one_line "dev port range" 2 "decc: --port must be 0..65535 (see decc dev --help)" \
  "$DECC" dev --port 70000
one_line "dev chain id 0" 2 "decc: --chain-id must be 1..4294967295 (see decc dev --help)" \
  "$DECC" dev --chain-id 0
one_line "dev bad number" 2 "decc: --chain-id needs a number, not 'x' (see decc dev --help)" \
  "$DECC" dev --chain-id x
one_line "dev missing number" 2 "decc: --port needs a number (see decc dev --help)" \
  "$DECC" dev --port
one_line "dev twice" 2 "decc: --log given twice (see decc dev --help)" \
  "$DECC" dev --log --log
lists "dev" "$DECC" dev -- --port --bind --chain-id --log

# ---- decc demo
one_line "demo lang" 2 "decc: --lang must be sh or c (see decc demo --help)" \
  "$DECC" demo --lang rust
one_line "demo missing value" 2 "decc: --dir needs a value (DIR) (see decc demo --help)" \
  "$DECC" demo --dir
one_line "demo argument" 2 "decc: 'decc demo' takes no argument ('x') (see decc demo --help)" \
  "$DECC" demo --keep x
lists "demo" "$DECC" demo -- --keep --dir --lang

# ---- decc order
one_line "order unknown subcommand" 2 "decc: unknown order command 'frob' (see decc order --help)" \
  "$DECC" order frob
one_line "order cancel missing value" 2 "decc: --type needs a value (TYPE) (see decc order cancel --help)" \
  "$DECC" order cancel --type
one_line "order presign no file" 2 "decc: an ORDER.json file is required (see decc order presign --help)" \
  "$DECC" order presign
one_line "order presign extra" 2 "decc: unexpected argument 'b' (see decc order presign --help)" \
  "$DECC" order presign a b
one_line "order publish chain id" 2 "decc: --chain-id must be at least 1 (see decc order publish --help)" \
  "$DECC" order publish --type apporder --chain-id 0 o.json
one_line "order publish no file" 2 "decc: an ORDER.json file is required ('-' for stdin) (see decc order publish --help)" \
  "$DECC" order publish --type apporder
one_line "order ls filter twice" 2 "decc: --app given twice (see decc order ls --help)" \
  "$DECC" order ls --type apporder --app a --app b
one_line "order ls unknown filter" 2 "decc: unknown option '--frob' for 'decc order ls' (see decc order ls --help)" \
  "$DECC" order ls --type apporder --frob x
one_line "order ls argument" 2 "decc: 'decc order ls' takes no argument ('x') (see decc order ls --help)" \
  "$DECC" order ls --type apporder x
one_line "order unpublish target" 2 "decc: give exactly one of --hash, --last, --all (see decc order unpublish --help)" \
  "$DECC" order unpublish --type apporder
one_line "order unpublish type" 2 "decc: --type is required (see decc order unpublish --help)" \
  "$DECC" order unpublish --hash "$TID"
one_line "order hash chain id" 2 "decc: --chain-id needs a number, not '12x' (see decc order hash --help)" \
  "$DECC" order hash --type apporder --chain-id 12x o.json
one_line "order sign no chain id" 2 "decc: --chain-id is required (see decc order sign --help)" \
  "$DECC" order sign --type apporder o.json
lists "order ls" "$DECC" order ls -- --node --type --minTag --pageSize --wallet
lists "order unpublish" "$DECC" order unpublish -- --hash --last --all --chain-id --keystore
lists "order cancel" "$DECC" order cancel -- --type --private-key-file

# ---- decc task logs / replay
one_line "task unknown subcommand" 2 "decc: unknown task command 'frob' (see decc task --help)" \
  "$DECC" task frob
one_line "task logs no task" 2 "decc: task logs needs a TASKID (see decc task logs --help)" \
  "$DECC" task logs
one_line "task logs missing value" 2 "decc: --node needs a value (URL) (see decc task logs --help)" \
  "$DECC" task logs "$TID" --node
one_line "task logs timeline" 2 "decc: --timeline reads the chain: it takes no key or --node (see decc task logs --help)" \
  "$DECC" task logs "$TID" --timeline --node http://127.0.0.1:1
lists "task logs" "$DECC" task logs -- --node --timeline --wallet
one_line "task replay extra" 2 "decc: unexpected argument 'b' (see decc task replay --help)" \
  "$DECC" task replay a b
one_line "task replay missing value" 2 "decc: --key-file needs a value (FILE) (see decc task replay --help)" \
  "$DECC" task replay "$TID" --key-file
lists "task replay" "$DECC" task replay -- --key-file --wallet

# ---- decc app init / build / test
one_line "app unknown subcommand" 2 "decc: unknown app command 'frob' (see decc app --help)" \
  "$DECC" app frob
one_line "app init no dir" 2 "decc: app init needs the app's DIR (see decc app init --help)" \
  "$DECC" app init
one_line "app init lang" 2 "decc: unknown app language 'rust' (use sh, c or python) (see decc app init --help)" \
  "$DECC" app init --lang rust "$T/app"
[ ! -e "$T/app" ] && ok || ko "app init made a directory on a usage error"
one_line "app build missing value" 2 "decc: -o needs a value (BUNDLE.tar) (see decc app build --help)" \
  "$DECC" app build "$T/app" -o
one_line "app build extra" 2 "decc: unexpected argument 'b' (see decc app build --help)" \
  "$DECC" app build a b
one_line "app test format" 2 "decc: --format: v2 (borsh) or legacy, not 'bogus' (see decc app test --help)" \
  "$DECC" app test "$T/app" --format bogus
refuse "app test --secret" 2 "$DECC" app test "$T/app" --secret s3cr3t
contains "app test --secret: why" "use --secret-file FILE" "$(cat "$T/err")"
grep -q s3cr3t "$T/err" && ko "app test --secret echoes the secret" || ok
many=()
for i in $(seq 1 17); do many+=(--secret-file "f$i"); done
one_line "app test secret files" 2 "decc: --secret-file: at most 16 values (see decc app test --help)" \
  "$DECC" app test "$T/app" "${many[@]}"
lists "app test" "$DECC" app test -- --protected-data --format --args --secret-file --output
lists "app build" "$DECC" app build -- --output
check_rc "app --help" 0 "$DECC" app --help
for c in init build test publish deploy show transfer; do
  grep -qE "^  $c " <<<"$out" && ok || ko "app --help lacks $c"
done

# ---- decc receipts (and receipts policy)
one_line "receipts no data" 2 "decc: give the protected data's address (see decc receipts --help)" \
  "$DECC" receipts
one_line "receipts twice" 2 "decc: --verify given twice (see decc receipts --help)" \
  "$DECC" receipts x --verify --verify
one_line "receipts policy sign" 2 "decc: policy sign needs --dataset and --order (see decc receipts policy sign --help)" \
  "$DECC" receipts policy sign --dataset x
one_line "receipts policy unknown" 2 "decc: unknown receipts policy command 'frob' (see decc receipts policy --help)" \
  "$DECC" receipts policy frob
one_line "receipts policy show no hash" 2 "decc: policy show needs the ORDER_HASH (see decc receipts policy show --help)" \
  "$DECC" receipts policy show
lists "receipts" "$DECC" receipts -- --verify --signer --log --wallet
lists "receipts policy sign" "$DECC" receipts policy sign -- --dataset --order --expires --purpose

# ---- decc verify
one_line "verify no bundle" 2 "decc: a bundle file is required (see decc verify --help)" \
  "$DECC" verify
one_line "verify chain id" 2 "decc: --chain-id must be at least 1 (see decc verify --help)" \
  "$DECC" verify b.json --chain-id 0
one_line "verify platform" 2 "decc: --trust-platform: 'nope' is not an address (see decc verify --help)" \
  "$DECC" verify b.json --trust-platform nope
lists "verify" "$DECC" verify -- --result --chain-id --trust-platform --json

finish
