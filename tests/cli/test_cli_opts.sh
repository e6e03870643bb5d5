#!/usr/bin/env bash
# test_cli_opts.sh — the shared option parser (cli/cli_opts.c) through the
# commands that use it: the same one-line errors for every command (unknown
# option naming the command and its --help, missing or bad number, value
# given to a flag, option given twice, too many arguments, too many values
# of a repeatable option), --opt=value equal to --opt value, "--" ending the
# options, and a --help whose options section lists what the table accepts;
# `decc match` on the table with the wallet options; every command with
# subcommands (account, chain, data, deal, dataset, workerpool, completion,
# wallet, attest, util, store, result, sms) through one subcommand table: the same overview for
# -h, --help, help and no subcommand, and the same unknown-subcommand line.
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
# ---- wallet, sms, chain, attest, store, data, deal, util (one table per
# subcommand): each kind of mistake, exactly, in every one of them
H=0x$(printf '0%.0s' $(seq 64))
# help_lists NAME 'OPTS...' CMD...: CMD --help exits 0 and lists each option
help_lists() {
  local name=$1 opts=$2 o
  shift 2
  check_rc "$name" 0 "$@" --help
  for o in $opts; do
    grep -qE "^  (-., )?$o( |$)" <<<"$out" && ok || ko "$name lacks $o"
  done
}
one_line "wallet unknown" 2 "decc: unknown option '--frob' for 'decc wallet create' (see decc wallet create --help)" \
  "$DECC" wallet create --frob
one_line "wallet missing value" 2 "decc: --text needs a value (STR) (see decc wallet sign-message --help)" \
  "$DECC" wallet sign-message --text
one_line "wallet bad number" 2 "decc: --scrypt-n needs a number, not 'x' (see decc wallet create --help)" \
  "$DECC" wallet create --scrypt-n x
one_line "wallet scrypt-n power of two" 2 "decc: --scrypt-n must be a power of two >= 2 (see decc wallet create --help)" \
  "$DECC" wallet create --scrypt-n 1000
one_line "wallet pbkdf2-c range" 2 "decc: --pbkdf2-c must be 1..4294967295 (see decc wallet create --help)" \
  "$DECC" wallet create --kdf pbkdf2 --pbkdf2-c 0
one_line "wallet twice" 2 "decc: --text given twice (see decc wallet recover --help)" \
  "$DECC" wallet recover --text a --text=b --signature 0x00
one_line "wallet two messages" 2 "decc: give exactly one of --text, --hex, --hash, --file (see decc wallet recover --help)" \
  "$DECC" wallet recover --text a --hex 00 --signature 0x00
one_line "wallet missing argument" 2 "decc: sign-typed-data needs a FILE.json (see decc wallet sign-typed-data --help)" \
  "$DECC" wallet sign-typed-data --private-key-file /dev/null
one_line "wallet list argument" 2 "decc: 'decc wallet list' takes no argument ('x') (see decc wallet list --help)" \
  "$DECC" wallet list x
# a secret in argv is refused before parsing, and the message never repeats it
one_line "wallet secret" 2 "decc: --private-key: passwords and private keys are never taken from the command line; use --password-file FILE or --private-key-file FILE (or the no-echo prompt) (see --help)" \
  "$DECC" wallet address --private-key=0x1111
one_line "wallet secret =file" 2 "decc: --password-file: passwords and private keys are never taken from the command line; use --password-file FILE or --private-key-file FILE (or the no-echo prompt) (see --help)" \
  "$DECC" wallet create --password-file=pw
help_lists "wallet create --help" "--output --name --password-file --kdf --scrypt-n --pbkdf2-c --help" \
  "$DECC" wallet create
help_lists "wallet import --help" "--private-key-file --keystore --password-file --output --name" \
  "$DECC" wallet import
help_lists "wallet sign-message --help" "--text --hex --hash --file --wallet --keystore --password-file --private-key-file" \
  "$DECC" wallet sign-message
help_lists "wallet recover --help" "--text --hex --hash --file --typed-data --signature --expect" \
  "$DECC" wallet recover
help_lists "wallet show --help" "--all" "$DECC" wallet show

one_line "sms unknown" 2 "decc: unknown option '--frob' for 'decc sms serve' (see decc sms serve --help)" \
  "$DECC" sms serve --frob
one_line "sms missing value" 2 "decc: --sms needs a value (URL) (see decc sms check --help)" \
  "$DECC" sms check web3 --sms
one_line "sms twice" 2 "decc: --listen given twice (see decc sms serve --help)" \
  "$DECC" sms serve --vault "$T/v" --listen 127.0.0.1:1 --listen=127.0.0.1:2
one_line "sms bad port" 2 "decc: serve: --listen HOST:PORT (see decc sms serve --help)" \
  "$DECC" sms serve --vault "$T/v" --listen 127.0.0.1:-1
one_line "sms missing argument" 2 "decc: push-secret: which kind? web2 | requester | app-developer | result-key (see decc sms push-secret --help)" \
  "$DECC" sms push-secret --sms http://127.0.0.1:1 --value-file "$T/none"
one_line "sms one address" 2 "decc: give one of --address, --owner, --app, --dataset (see decc sms check --help)" \
  "$DECC" sms check web3 --sms http://127.0.0.1:1 --address "$A1" --app "$A2"
one_line "sms no secret in argv" 2 "decc: unknown option '--value' for 'decc sms push-secret' (see decc sms push-secret --help)" \
  "$DECC" sms push-secret web2 --value s3cret
help_lists "sms serve --help" "--vault --ledger --create-ledger --trust-platform --listen --port-file --passphrase-file" \
  "$DECC" sms serve
help_lists "sms push-secret --help" "--sms --value-file --public-key-file --name --app --update --keystore --private-key-file" \
  "$DECC" sms push-secret

one_line "chain unknown" 2 "decc: unknown option '--frm' for 'decc chain logs' (see decc chain logs --help)" \
  "$DECC" chain logs --frm 1
one_line "chain bad number" 2 "decc: --from needs a number, not 'x' (see decc chain logs --help)" \
  "$DECC" chain logs --from x
one_line "chain bad --to" 2 "decc: --to needs a number or latest, not '1x' (see decc chain logs --help)" \
  "$DECC" chain logs --to 1x
one_line "chain missing value" 2 "decc: --to needs a value (N|latest) (see decc chain logs --help)" \
  "$DECC" chain logs --to
one_line "chain twice" 2 "decc: --dev given twice (see decc chain init --help)" \
  "$DECC" chain init --dev --dev
one_line "chain too many" 2 "decc: unexpected argument '2' (see decc chain block --help)" \
  "$DECC" chain block 1 2
one_line "chain missing argument" 2 "decc: chain tx needs a transaction hash (see decc chain tx --help)" \
  "$DECC" chain tx
one_line "chain bad block" 2 "decc: block number: '1x' is not a non-negative integer (see decc chain block --help)" \
  "$DECC" chain block 1x
one_line "chain bad time" 2 "decc: time: 'x' is not a non-negative integer (see decc chain time --help)" \
  "$DECC" chain time +x
help_lists "chain logs --help" "--from --to --address --topic" "$DECC" chain logs
help_lists "chain init --help" "--genesis --profile --force-mainnet-chain-id --dev" "$DECC" chain init
one_line "deploy missing value" 2 "decc: --rpc needs a value (URL) (see decc chain deploy --help)" \
  "$DECC" chain deploy --rpc
one_line "deploy bad url" 2 "decc: chain deploy: --rpc 'ftp://x' is not an http(s):// URL (see decc chain deploy --help)" \
  "$DECC" chain deploy --rpc ftp://x
one_line "deploy argument" 2 "decc: 'decc chain deploy' takes no argument ('x') (see decc chain deploy --help)" \
  "$DECC" chain deploy x
help_lists "chain deploy --help" "--rpc --name --artifacts --dataprotector-artifact --force --json --wallet --keystore --password-file --private-key-file" \
  "$DECC" chain deploy

one_line "attest missing value" 2 "decc: --now needs a value (TIME) (see decc attest verify --help)" \
  "$DECC" attest verify q --now
one_line "attest twice" 2 "decc: --pccs given twice (see decc attest verify --help)" \
  "$DECC" attest verify q --pccs a --pccs b
one_line "attest missing argument" 2 "decc: verify needs a QUOTE file (see decc attest verify --help)" \
  "$DECC" attest verify
one_line "attest unknown" 2 "decc: unknown option '--frob' for 'decc attest verify' (see decc attest verify --help)" \
  "$DECC" attest verify q --frob
help_lists "attest verify --help" "--collateral --pccs --offline --now --policy --report-data" "$DECC" attest verify

one_line "store bad number" 2 "decc: --offset needs a number, not '-1' (see decc store cat --help)" \
  "$DECC" store cat x --offset -1
one_line "store option of another subcommand" 2 "decc: unknown option '--ipfs-api' for 'decc store stat' (see decc store stat --help)" \
  "$DECC" store stat --ipfs-api http://127.0.0.1:1 x
one_line "store no argument" 2 "decc: 'decc store pins' takes no argument ('x') (see decc store pins --help)" \
  "$DECC" store pins x
one_line "store missing value" 2 "decc: --cid-version needs a value (0|1) (see decc store add --help)" \
  "$DECC" store add --cid-version
one_line "store bad version" 2 "decc: --cid-version must be 0 or 1 (see decc store add --help)" \
  "$DECC" store add x --cid-version 2
one_line "store twice" 2 "decc: -Q given twice (see decc store add --help)" \
  "$DECC" store add x -Q -Q
help_lists "store add --help" "--ipfs-api --cid-version --no-pin --pin --cid-only --store" "$DECC" store add
contains "store add -Q" "-Q, --cid-only" "$out"
help_lists "store cat --help" "--ipfs-api --offset --length --store" "$DECC" store cat

one_line "data unknown" 2 "decc: unknown option '--frob' for 'decc data extract' (see decc data extract --help)" \
  "$DECC" data extract --frob
one_line "data missing value" 2 "decc: --mode needs a value (optimistic|borsh|legacy) (see decc data get --help)" \
  "$DECC" data get --mode
one_line "data missing argument" 2 "decc: get needs ZIP and PATH (see decc data get --help)" \
  "$DECC" data get z
one_line "data bad format" 2 "decc: unknown format 'x' (legacy or v2) (see decc data validate --help)" \
  "$DECC" data validate --format x in.json
one_line "data too many" 2 "decc: unexpected argument 'b' (see decc data schema --help)" \
  "$DECC" data schema a b
help_lists "data serialize --help" "--format --output" "$DECC" data serialize

one_line "deal bad number" 2 "decc: --from-block needs a number, not '1x' (see decc deal ls --help)" \
  "$DECC" deal ls --from-block 1x
one_line "deal missing value" 2 "decc: --since needs a value (WHEN) (see decc deal ls --help)" \
  "$DECC" deal ls --since
one_line "deal twice" 2 "decc: --user given twice (see decc deal ls --help)" \
  "$DECC" deal ls --user "$A1" --user "$A2"
one_line "deal missing argument" 2 "decc: deal show needs a DEALID (see decc deal show --help)" \
  "$DECC" deal show
one_line "task ls shares it" 2 "decc: unknown option '--frob' for 'decc task ls' (see decc task ls --help)" \
  "$DECC" task ls --frob
help_lists "deal ls --help" "--user --since --from-block --wallet" "$DECC" deal ls

one_line "util twice" 2 "decc: --text given twice (see decc util keccak256 --help)" \
  "$DECC" util keccak256 --text a --text b
one_line "util missing argument" 2 "decc: task-id needs DEAL_ID INDEX (see decc util task-id --help)" \
  "$DECC" util task-id "$H"
one_line "util no input" 2 "decc: keccak256 needs exactly one of --hex, --text, --file (see decc util keccak256 --help)" \
  "$DECC" util keccak256
one_line "util unknown" 2 "decc: unknown option '--x' for 'decc util checksum-address' (see decc util checksum-address --help)" \
  "$DECC" util checksum-address --x
help_lists "util keccak256 --help" "--hex --text --file" "$DECC" util keccak256
check_rc "util --opt value" 0 "$DECC" util keccak256 --text abc
a=$out
check_rc "util --opt=value" 0 "$DECC" util keccak256 --text=abc
check_eq "util same result" "$a" "$out"
check_eq "util keccak of abc" "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45" "$out"

# ---- decc match: four order files and the wallet options, by the table
one_line "match unknown" 2 "decc: unknown option '--frob' for 'decc match' (see decc match --help)" \
  "$DECC" match a - c d --frob
one_line "match twice" 2 "decc: --keystore given twice (see decc match --help)" \
  "$DECC" match a - c d --keystore k1 --keystore=k2
one_line "match missing value" 2 "decc: --private-key-file needs a value (FILE) (see decc match --help)" \
  "$DECC" match a - c d --private-key-file
one_line "match three files" 2 "decc: match needs four order files: APP DATASET|- WORKERPOOL REQUEST (see decc match --help)" \
  "$DECC" match a - c --private-key-file k
one_line "match five files" 2 "decc: unexpected argument 'e' (see decc match --help)" \
  "$DECC" match a - c d e
help_lists "match --help" "--wallet --keystore --password-file --private-key-file --help" "$DECC" match
contains "match --help: usage" "usage: decc match APP.json DATASET.json|- WORKERPOOL.json REQUEST.json" "$out"

# ---- commands with subcommands: one table each (cli_dispatch), so the
# overview, -h/--help/help and the unknown-subcommand error are the same
# everywhere; each subcommand's --help is its own parser's
subs_of() {
  case $1 in
  account) echo balance deposit withdraw transfer ;;
  chain) echo init info block tx logs verify time deploy ;;
  data) echo validate schema serialize get list extract ;;
  deal) echo show ls ;;
  dataset) echo keygen encrypt decrypt checksum publish deploy show transfer ;;
  workerpool) echo publish deploy show transfer policy ;;
  completion) echo bash zsh ;;
  wallet) echo create import list show address sign-message sign-typed-data recover ;;
  attest) echo verify ;;
  util) echo keccak256 checksum-address deal-id task-id multiaddr tag typed-data-hash ;;
  store) echo add cat get stat ls pin unpin pins gc ;;
  result) echo keygen encrypt decrypt pubkey get ;;
  sms) echo push-dataset-key push-secret check serve ;;
  esac
}
for c in account chain data deal dataset workerpool completion wallet attest util store result sms; do
  one_line "$c unknown subcommand" 2 "decc: unknown $c command 'frob' (see decc $c --help)" \
    "$DECC" "$c" frob
  check_rc "$c --help" 0 "$DECC" "$c" --help
  help=$out
  contains "$c --help: usage" "usage: decc $c <command> [options]" "$help"
  for sc in $(subs_of "$c"); do # bash matching: no process per check
    [[ $'\n'$help == *$'\n'"  $sc "* ]] && ok || ko "$c --help lacks $sc"
  done
  # -h and no subcommand go through the same cli_dispatch: each is checked
  # on every other command (a decc run costs ~0.2 s on a loaded machine)
  case $c in
  account | data | dataset | completion | attest | store | sms)
    check_rc "$c -h" 0 "$DECC" "$c" -h
    check_eq "$c -h is --help" "$help" "$out"
    ;;
  *)
    refuse "$c no subcommand" 2 "$DECC" "$c"
    check_eq "$c no subcommand: overview on stderr" "$help" "$(<"$T/err")"
    ;;
  esac
done
one_line "dataset checksum no file" 2 "decc: checksum needs exactly one FILE (see decc dataset checksum --help)" \
  "$DECC" dataset checksum
help_lists "workerpool policy --help" "--worker-stake-ratio --scheduler-reward-ratio --wallet" "$DECC" workerpool policy
one_line "completion extra" 2 "decc: 'decc completion bash' takes no argument ('x') (see decc completion bash --help)" \
  "$DECC" completion bash x
finish
