#!/usr/bin/env bash
# test_node.sh — `decc node` as a process on 127.0.0.1 (port 0, --port-file)
# with a temporary data directory, driven with curl and the CLI:
# configuration precedence (file < env < flags), /health, Ethereum JSON-RPC
# (single, batch, errors), the store (Kubo add/cat, gateway, CID equal to
# `decc store add`), the market API (challenge login signed with `decc
# wallet`, publish / query / get / unpublish of a request order signed with
# `decc order sign`, every error status), SMS framework route, request logs
# without query strings, body limits, unknown routes, and a clean SIGTERM
# shutdown. Needs DECC; uses curl and jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
# status METHOD PATH [curl args…] → prints the HTTP status, body in $T/body
status() {
  local m=$1 p=$2
  shift 2
  curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$URL$p" "$@"
}
rpc() { curl -s -X POST -H 'Content-Type: application/json' --data "$1" "$URL/"; }

# ---- configuration precedence (file < env < flags) --------------------------
cat >"$T/config.json" <<EOF
{"port": 1111, "threads": 3, "max_body": 70000, "market_poll_ms": 100}
EOF
cfg=$(DECC_NODE_PORT=2222 DECC_NODE_THREADS=4 "$DECC" --home "$T/h" node \
  --config "$T/config.json" --threads 5 --print-config)
check_eq "port from env over file" 2222 "$(jq -r .port <<<"$cfg")"
check_eq "threads from flag over env" 5 "$(jq -r .threads <<<"$cfg")"
check_eq "max_body from file" 70000 "$(jq -r .max_body <<<"$cfg")"
check_eq "home from --home" "$T/h" "$(jq -r .home <<<"$cfg")"
check_eq "default roles" '["chain","store","market","sms"]' "$(jq -c .roles <<<"$cfg")"
rc=0
"$DECC" --home "$T/h" node --bogus 1 2>"$T/err" || rc=$?
check_eq "unknown flag → usage" 2 "$rc"
rc=0
"$DECC" --home "$T/h" node --port 99999 2>"$T/err" || rc=$?
check_eq "bad port → usage" 2 "$rc"
echo '{"port": ' >"$T/bad.json"
rc=0
"$DECC" --home "$T/h" node --config "$T/bad.json" 2>"$T/err" || rc=$?
check_eq "malformed config file → failure" 1 "$rc"
rc=0
"$DECC" --home "$T/h" node --roles worker 2>"$T/err" || rc=$?
check_eq "unavailable role refused" 1 "$rc"
# the SMS's policy for hardware (TDX) quotes: a missing file stops the node
# with one line naming the key; a malformed policy is refused by the SMS
rc=0
"$DECC" --home "$T/h" node --port 0 --sms-dcap-policy-file "$T/nope.json" 2>"$T/err" || rc=$?
check_eq "missing DCAP policy file → failure" 1 "$rc"
check_eq "error names the key" 1 "$(grep -c "sms_dcap_policy_file $T/nope.json" "$T/err")"
echo '{"statuses": 42}' >"$T/policy-bad.json"
rc=0
"$DECC" --home "$T/h" node --port 0 --sms-dcap-policy-file "$T/policy-bad.json" 2>"$T/err" || rc=$?
check_eq "malformed DCAP policy → failure" 1 "$rc"

# ---- start ------------------------------------------------------------------
# (with a policy and collateral for hardware quotes: accepted at start)
echo '{"statuses": ["UpToDate"], "tdx": [{"mrtd": "'"$(printf '00%.0s' $(seq 48))"'"}]}' >"$T/policy.json"
"$DECC" --home "$T/h" node --config "$T/config.json" --port 0 \
  --sms-dcap-policy-file "$T/policy.json" \
  --sms-dcap-collateral-file "$DECC_SOURCE_DIR/tests/vectors/dcap/tdx_quote_collateral.json" \
  --port-file "$T/port" --max-body 65536 >"$T/out" 2>"$T/log" &
NODE_PID=$!
on_exit "stop_pid $NODE_PID"
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
PORT=$(cat "$T/port" 2>/dev/null || true)
if [ -z "$PORT" ]; then
  cat "$T/log" >&2
  echo "node did not start"
  exit 1
fi
URL="http://127.0.0.1:$PORT"
check_eq "stdout names the URL" "decc node listening on $URL (home $T/h)" "$(head -1 "$T/out")"
for d in chain store market sms; do
  check_eq "data dir $d" 1 "$([ -d "$T/h/$d" ] && echo 1)"
done

# ---- health -------------------------------------------------------------------
check_eq "health 200" 200 "$(status GET /health)"
check_eq "health ok" true "$(jq -r .ok "$T/body")"
check_eq "health chainId" 31337 "$(jq -r .chainId "$T/body")"
check_eq "health market role" true "$(jq -r .roles.market "$T/body")"
HUB=$(jq -r .hub "$T/body")
check_eq "health hub is an address" 42 "${#HUB}"

# ---- JSON-RPC --------------------------------------------------------------------
check_eq "eth_chainId" 0x7a69 "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' | jq -r .result)"
check_eq "net_version" 31337 "$(rpc '{"jsonrpc":"2.0","id":1,"method":"net_version","params":[]}' | jq -r .result)"
check_eq "web3_clientVersion" decc "$(rpc '{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion"}' | jq -r '.result | split("/")[0]')"
check_eq "eth_blockNumber" 0x0 "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}' | jq -r .result)"
check_eq "eth_getBlockByNumber" 0x0 "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_getBlockByNumber","params":["latest",false]}' | jq -r .result.number)"
check_eq "eth_getTransactionCount" 0x0 "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_getTransactionCount","params":["0x0000000000000000000000000000000000000001","latest"]}' | jq -r .result)"
check_eq "eth_getLogs empty" 0 "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[{"fromBlock":"0x0"}]}' | jq -r '.result | length')"
check_eq "eth_call to an empty address" 3 "$(rpc "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{\"to\":\"$HUB\",\"data\":\"0xdeadbeef\"},\"latest\"]}" | jq -r .error.code)"
check_eq "batch" '[1,2]' "$(rpc '[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}]' | jq -c '[.[].id]')"
check_eq "unknown method" -32601 "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_foo"}' | jq -r .error.code)"
check_eq "rpc parse error status" 400 "$(status POST /rpc -H 'Content-Type: application/json' --data '{"jsonrpc":')"
check_eq "rpc parse error code" -32700 "$(jq -r .error.code "$T/body")"
check_eq "bad raw tx" -32602 "$(rpc '{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["0x1234"]}' | jq -r .error.code)"

# ---- store ---------------------------------------------------------------------------
printf 'hello world\n' >"$T/hello.txt"
add=$(curl -s -X POST -F "file=@$T/hello.txt" "$URL/api/v0/add")
CID=$(jq -r .Hash <<<"$add")
check_eq "store add CID (Kubo's)" QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o "$CID"
check_eq "same CID as decc store add" "$CID" "$("$DECC" --home "$T/other" store add "$T/hello.txt" | grep -o 'Qm[1-9A-Za-z]*' | head -1)"
check_eq "store cat" "hello world" "$(curl -s -X POST "$URL/api/v0/cat?arg=$CID")"
check_eq "gateway" "hello world" "$(curl -s "$URL/ipfs/$CID")"
check_eq "gateway unknown CID" 404 "$(status GET /ipfs/QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN)"
check_eq "cat with GET refused" 405 "$(status GET "/api/v0/cat?arg=$CID")"
head -c 300000 /dev/urandom >"$T/big.bin"
BIG=$(curl -s -X POST -F "file=@$T/big.bin" "$URL/api/v0/add" | jq -r .Hash)
curl -s "$URL/ipfs/$BIG" -o "$T/big.out"
check_eq "store 300 KB round trip (streamed, above max_body)" 1 "$(cmp -s "$T/big.bin" "$T/big.out" && echo 1)"

# ---- market -----------------------------------------------------------------------------
check_eq "version" true "$(curl -s "$URL/version" | jq -r .ok)"
check_eq "categories" 5 "$(curl -s "$URL/categories?chainId=31337" | jq -r .count)"
check_eq "workerpoolorders needs category" 400 "$(status GET /workerpoolorders)"
check_eq "error envelope" false "$(jq -r .ok "$T/body")"
check_eq "empty orderbook" 0 "$(curl -s "$URL/workerpoolorders?chainId=31337&category=0" | jq -r .count)"
check_eq "wrong chainId" 404 "$(status GET '/workerpoolorders?chainId=1&category=0')"

# a requester key and its address
printf '0x%s\n' "$(printf '4%.0s' $(seq 64))" >"$T/key"
ADDR=$("$DECC" wallet address --private-key-file "$T/key" | grep -o '0x[0-9a-fA-F]\{40\}' | head -1)
cat >"$T/rq.json" <<EOF
{"app":"0x1000000000000000000000000000000000000001","appmaxprice":"0",
 "dataset":"0x0000000000000000000000000000000000000000","datasetmaxprice":"0",
 "workerpool":"0x0000000000000000000000000000000000000000","workerpoolmaxprice":"7",
 "requester":"$ADDR","volume":"3","tag":"0x0000000000000000000000000000000000000000000000000000000000000000",
 "category":"0","trust":"0","beneficiary":"$ADDR",
 "callback":"0x0000000000000000000000000000000000000000","params":"{\"iexec_args\":\"x\"}"}
EOF
"$DECC" order sign --type requestorder --chain-id 31337 --hub "$HUB" \
  --private-key-file "$T/key" "$T/rq.json" >"$T/rq.signed.json"
HASH=$("$DECC" order hash --type requestorder --chain-id 31337 --hub "$HUB" "$T/rq.signed.json")

# login: GET /challenge, sign the typed data, authorization header
login() {
  curl -s "$URL/challenge?chainId=31337&address=$ADDR" | jq .data >"$T/typed.json"
  local h s
  h=$("$DECC" util typed-data-hash "$T/typed.json" | grep -o '0x[0-9a-f]\{64\}' | head -1)
  s=$("$DECC" wallet sign-typed-data --private-key-file "$T/key" "$T/typed.json" | grep -o '0x[0-9a-f]\{130\}' | head -1)
  echo "authorization: ${h}_${s}_${ADDR}"
}
check_eq "challenge typed data" Challenge "$(curl -s "$URL/challenge?chainId=31337&address=$ADDR" | jq -r .data.primaryType)"
check_eq "challenge message" "Sign this message to log into iExec Gateway:" \
  "$(curl -s "$URL/challenge?chainId=31337&address=$ADDR" | jq -r '.data.message.challenge' | cut -c1-44)"
check_eq "challenge needs address" 400 "$(status GET '/challenge?chainId=31337')"
jq '{order: .}' "$T/rq.signed.json" >"$T/body.json"
check_eq "publish without authorization" 401 "$(status POST '/requestorders?chainId=31337' -H 'Content-Type: application/json' --data @"$T/body.json")"
AUTH=$(login)
check_eq "publish" 201 "$(status POST '/requestorders?chainId=31337' -H "$AUTH" -H 'Content-Type: application/json' --data @"$T/body.json")"
check_eq "published hash" "$HASH" "$(jq -r .published.orderHash "$T/body")"
check_eq "published remaining" 3 "$(jq -r .published.remaining "$T/body")"
check_eq "published status" open "$(jq -r .published.status "$T/body")"
check_eq "challenge is single-use" 401 "$(status POST '/requestorders?chainId=31337' -H "$AUTH" -H 'Content-Type: application/json' --data @"$T/body.json")"
check_eq "already published" 409 "$(status POST '/requestorders?chainId=31337' -H "$(login)" -H 'Content-Type: application/json' --data @"$T/body.json")"
check_eq "query" 1 "$(curl -s "$URL/requestorders?chainId=31337&category=0&requester=$ADDR" | jq -r .count)"
check_eq "query maxTrust" 1 "$(curl -s "$URL/requestorders?category=0&maxTrust=0" | jq -r .count)"
check_eq "query other beneficiary" 0 "$(curl -s "$URL/requestorders?category=0&beneficiary=0x0000000000000000000000000000000000000002" | jq -r .count)"
check_eq "query bad address" 400 "$(status GET '/requestorders?category=0&requester=0xzz')"
check_eq "query bad pageSize" 400 "$(status GET '/requestorders?category=0&pageSize=2')"
check_eq "get by hash" "$HASH" "$(curl -s "$URL/requestorders/$HASH" | jq -r .orderHash)"
check_eq "get unknown hash" 404 "$(status GET "/requestorders/0x$(printf '0%.0s' $(seq 64))")"
# wrong owner: requester is another address than the signer
jq --arg r 0x0000000000000000000000000000000000000002 '.requester = $r' "$T/rq.json" >"$T/rq2.json"
"$DECC" order sign --type requestorder --chain-id 31337 --hub "$HUB" \
  --private-key-file "$T/key" "$T/rq2.json" 2>/dev/null | jq '{order: .}' >"$T/body2.json"
check_eq "wrong owner" 403 "$(status POST '/requestorders?chainId=31337' -H "$(login)" -H 'Content-Type: application/json' --data @"$T/body2.json")"
# bad signature: a signature that is not 65 valid bytes
jq '.order.sign = "0x1234"' "$T/body.json" >"$T/body3.json"
check_eq "bad signature" 400 "$(status POST '/requestorders?chainId=31337' -H "$(login)" -H 'Content-Type: application/json' --data @"$T/body3.json")"
check_eq "malformed JSON" 400 "$(status POST '/requestorders?chainId=31337' -H "$(login)" -H 'Content-Type: application/json' --data '{"order": ')"
check_eq "malformed JSON envelope" false "$(jq -r .ok "$T/body")"
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/huge.json"
check_eq "oversized body" 413 "$(status POST /rpc -H 'Content-Type: application/json' --data-binary @"$T/huge.json")"
check_eq "unknown route" 404 "$(status GET /no/such/route)"
check_eq "unknown route JSON" "no such route" "$(jq -r .error "$T/body")"
check_eq "wrong method" 405 "$(status DELETE /requestorders)"

wired=$("$DECC" order ls --type requestorder --node http://127.0.0.1:1 2>&1 || true)
if ! grep -q 'unknown order command' <<<"$wired"; then
  check_eq "decc order ls" 1 "$("$DECC" --json order ls --node "$URL" --type requestorder --category 0 --requester "$ADDR" | jq -r .count)"
  "$DECC" order unpublish --node "$URL" --type requestorder --private-key-file "$T/key" --hash "$HASH" >"$T/unp.txt"
  check_eq "decc order unpublish" "unpublished $HASH" "$(cat "$T/unp.txt")"
  check_eq "decc order publish" 0 "$("$DECC" order publish --node "$URL" --type requestorder --private-key-file "$T/key" "$T/rq.signed.json" >/dev/null && echo 0)"
else
  echo "note: decc order publish|ls|unpublish not wired into 'decc order' yet; CLI market checks skipped"
fi
BODY="{\"target\":\"unpublish_all\",\"requester\":\"$ADDR\"}"
check_eq "unpublish all" 200 "$(status PUT '/requestorders?chainId=31337' -H "$(login)" -H 'Content-Type: application/json' --data "$BODY")"
check_eq "unpublished hash" "$HASH" "$(jq -r '.unpublished[0]' "$T/body")"
check_eq "nothing left" 0 "$(curl -s "$URL/requestorders?category=0" | jq -r .count)"
check_eq "deals (none)" 0 "$(curl -s "$URL/deals?chainId=31337" | jq -r .count)"

# ---- SMS ---------------------------------------------------------------------------------
check_eq "sms framework" '"TDX"' "$(curl -s "$URL/tee/framework")"
check_eq "sms secret absent" 404 "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL/secrets/web3?secretAddress=0x00000000000000000000000000000000000000a1")"

# ---- request logs: one line per request, never a query string --------------------------
check_eq "log has the health line" 1 "$(grep -c 'GET /health 200' "$T/log" | head -1 | awk '{print ($1>0)}')"
check_eq "no query strings in logs" 0 "$(grep -c 'secretAddress\|?chainId\|address=' "$T/log" || true)"
check_eq "no bodies in logs" 0 "$(grep -c 'iexec_args\|Challenge' "$T/log" || true)"

# ---- SIGTERM -------------------------------------------------------------------------------
rc=0
signal_pid TERM "$NODE_PID" || rc=$?
check_eq "SIGTERM exit status" 0 "$rc"
check_eq "shutdown logged" 1 "$(grep -c 'SIGTERM: shutting down' "$T/log")"
check_eq "stopped logged" 1 "$(grep -c 'stopped' "$T/log")"
check_eq "port closed" 000 "$(curl -s -o /dev/null -w '%{http_code}' "$URL/health" || true)"

# ---- restart on the same data directory keeps the chain and the store -------------------
"$DECC" --home "$T/h" node --port 0 --port-file "$T/port2" --roles chain,store >"$T/out2" 2>"$T/log2" &
NODE_PID=$!
on_exit "stop_pid $NODE_PID"
for _ in $(seq 100); do [ -s "$T/port2" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat "$T/port2")"
check_eq "store kept across restart" "hello world" "$(curl -s "$URL/ipfs/$CID")"
check_eq "market role off" 404 "$(status GET '/workerpoolorders?category=0')"
rc=0
signal_pid INT "$NODE_PID" || rc=$?
check_eq "SIGINT exit status" 0 "$rc"

finish
