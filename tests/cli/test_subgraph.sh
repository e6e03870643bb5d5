#!/usr/bin/env bash
# test_subgraph.sh — the node's subgraph endpoint (POST /subgraphs/dataprotector)
# and its event index: protected data created with `decc protect` are listed
# with the DataProtector SDK's query (owner / schema / creation-time filters,
# descending order, pagination) in the subgraph's entity shape; bad queries
# get GraphQL errors; after kill -9 the node catches up on restart with what
# was created while it was down; a transfer moves the owner.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export DECC_HOME="$T/home"
cd "$T"
dev_keys --profile arbitrum-sepolia
key 1 >a.key; key 2 >b.key; chmod 600 ./*.key
A=$(addr 1 | tr 'A-F' 'a-f'); B=$(addr 2 | tr 'A-F' 'a-f')

sg_node() {
  rm -f "$T/port"
  # Not under timeout(1): NODE_LAST_PID must be the node itself, so that
  # the kill -9 below hits the node (ctest's TIMEOUT bounds the test).
  start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" \
    --roles chain,store,market,sms --market_poll_ms 100 --log_requests false
  U=$NODE_URL
}
# gql QUERY VARIABLES_JSON → response body
gql() {
  python3 - "$U/subgraphs/dataprotector" "$1" "$2" <<'PY'
import json, sys, urllib.request
body = json.dumps({"query": sys.argv[2], "variables": json.loads(sys.argv[3])}).encode()
req = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
try:
    print(urllib.request.urlopen(req, timeout=20).read().decode())
except urllib.error.HTTPError as e:
    print(e.read().decode())
PY
}
Q='query ($start: Int!, $range: Int!, $where: ProtectedData_filter) {
  protectedDatas(where: $where skip: $start first: $range orderBy: creationTimestamp orderDirection: desc) {
    id name owner { id } schema { id } creationTimestamp multiaddr } }'
py() { python3 -c "import json,sys; d=json.loads(sys.stdin.read()); $1"; }

sg_node
echo "{\"market\":\"$U\"}" >"$DECC_HOME/config.json"
echo '{"email":"a@example.com","score":1}' >r1.json
echo '{"email":"b@example.com"}' >r2.json
echo '{"age":3}' >r3.json
P1=$("$DECC" --json protect r1.json --name one --private-key-file a.key | py 'print(d["address"].lower())')
P2=$("$DECC" --json protect r2.json --name two --private-key-file a.key | py 'print(d["address"].lower())')
P3=$("$DECC" --json protect r3.json --name three --private-key-file b.key | py 'print(d["address"].lower())')

out=$(gql "$Q" "{\"start\":0,\"range\":10,\"where\":{\"and\":[{\"owner\":\"$A\"}]}}")
[ "$(py 'print(",".join(p["id"] for p in d["data"]["protectedDatas"]))' <<<"$out")" = "$P2,$P1" ] && ok || ko "owner filter, newest first: $out"
[ "$(py 'p=d["data"]["protectedDatas"][1]; print(p["name"], p["owner"]["id"], sorted(s["id"] for s in p["schema"]), p["multiaddr"][:2], int(p["creationTimestamp"]) > 0)' <<<"$out")" = "one $A ['email:string', 'score:f64'] 0x True" ] && ok || ko "entity shape: $out"
out=$(gql "$Q" "{\"start\":0,\"range\":10,\"where\":{\"and\":[{\"schema_contains\":[\"score:f64\"]}]}}")
[ "$(py 'print(",".join(p["id"] for p in d["data"]["protectedDatas"]))' <<<"$out")" = "$P1" ] && ok || ko "schema filter: $out"
out=$(gql "$Q" "{\"start\":0,\"range\":10,\"where\":{\"or\":[{\"schema_contains\":[\"age:f64\"]},{\"schema_contains\":[\"score:f64\"]}]}}")
[ "$(py 'print(len(d["data"]["protectedDatas"]))' <<<"$out")" = 2 ] && ok || ko "or filter: $out"
out=$(gql "$Q" '{"start":1,"range":1}')
[ "$(py 'print(",".join(p["id"] for p in d["data"]["protectedDatas"]))' <<<"$out")" = "$P2" ] && ok || ko "pagination: $out"
out=$(gql "$Q" '{"start":0,"range":10,"where":{"creationTimestamp_gte":99999999999}}')
[ "$(py 'print(len(d["data"]["protectedDatas"]))' <<<"$out")" = 0 ] && ok || ko "creation time filter: $out"

# Bad queries: GraphQL errors, never data.
for q in '{ protectedDatas(first: 1001) { id } }' '{ protectedDatas { id secret } }' \
         '{ protectedDatas(where: {nope: 1}) { id } }' '{ deals { id } }' 'mutation { x }' \
         '{ a { b { c { d { e { f { g { h { i { j { k { l { m } } } } } } } } } } } } }'; do
  out=$(gql "$q" '{}')
  py 'assert "errors" in d and "data" not in d and d["errors"][0]["message"]' <<<"$out" && ok || ko "bad query $q: $out"
done
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data 'not json' "$U/subgraphs/dataprotector")
[ "$st" = 400 ] && ok || ko "malformed body: $st"

# kill -9, then changes while the node is down, then catch-up on restart.
signal_pid 9 "$NODE_LAST_PID" || true
rm -f "$DECC_HOME/config.json"
"$DECC" transfer "$P2" "$B" --private-key-file a.key >/dev/null 2>"$T/err" || ko "transfer: $(cat "$T/err")"
sg_node
out=$(gql "$Q" "{\"start\":0,\"range\":10,\"where\":{\"owner\":\"$B\"}}")
[ "$(py 'print(",".join(sorted(p["id"] for p in d["data"]["protectedDatas"])))' <<<"$out")" = "$(printf '%s\n' "$P2" "$P3" | sort | paste -sd,)" ] && ok || ko "catch-up after kill -9: $out"

finish
