#!/usr/bin/env bash
# test_poco_subgraph.sh — the PoCo subgraph entities of `decc node`
# (POST /subgraphs/poco, lib/node/node_poco_subgraph.c) with the literal
# query the DataProtector SDK sends (inspectBulkRequest,
# getProtectedDataInBulkByBulkRequestHash.js). A bulk request order whose
# params name a bulk root (a JSON array of slice CIDs in the node's store,
# each slice a JSON array of dataset orders) is matched into a deal of two
# tasks: deals(where: {requestorder}) lists the deal's tasks with their ids
# (as `decc deal show` computes them) and each task's slice datasets
# (lowercase). A request without bulk_cid gives bulkSlice null; another
# request hash gives no deal; unknown fields, filters, arguments and a huge
# `first` are GraphQL errors.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
eq() { if [ "$2" = "$3" ]; then ok; else ko "$1: got '$2', want '$3'"; fi; }

export DECC_HOME="$T/home"
cd "$T"
dev_keys
for i in 1 2 3 4; do key $i >k$i; done
chmod 600 k*
start_node "$T/port" "$T/node.log" node --home "$DECC_HOME" --port 0 --port-file "$T/port" --roles chain,store,market \
  --log_requests false
U=$NODE_URL

Z=0x0000000000000000000000000000000000000000
Z32=0x0000000000000000000000000000000000000000000000000000000000000000
HUB=$("$DECC" --json chain info | jq -r '.contracts.hub // .hub')
OS=(--chain-id 31337 --hub "$HUB")
# The bulk root and its slices, in the node's store (the SDK uploads them
# the same way): only each order's dataset matters here.
D1=0xAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAaAa
D2=0x00000000000000000000000000000000000000b2
D3=0x00000000000000000000000000000000000000c3
echo "[{\"dataset\":\"$D1\",\"datasetprice\":\"0\"},{\"dataset\":\"$D2\",\"datasetprice\":\"0\"}]" >s1.json
echo "[{\"dataset\":\"$D3\",\"datasetprice\":\"0\"}]" >s2.json
S1=$(curl -sf -F file=@s1.json "$U/api/v0/add" | jq -r .Hash)
S2=$(curl -sf -F file=@s2.json "$U/api/v0/add" | jq -r .Hash)
echo "[\"$S1\",\"$S2\"]" >root.json
ROOT=$(curl -sf -F file=@root.json "$U/api/v0/add" | jq -r .Hash)
[ -n "$ROOT" ] && [ "$ROOT" != null ] && ok || ko "store add root"

APP=$("$DECC" --json app deploy --name a --multiaddr registry.example/a:1 --checksum "0x$(printf '%064d' 1)" --private-key-file k1 | jq -r .app)
WP=$("$DECC" --json workerpool deploy --description pool --private-key-file k3 | jq -r .workerpool)
cat >app.json <<EOF
{"app":"$APP","appprice":"0","volume":"10","tag":"$Z32",
 "datasetrestrict":"$Z","workerpoolrestrict":"$Z","requesterrestrict":"$Z"}
EOF
cat >wp.json <<EOF
{"workerpool":"$WP","workerpoolprice":"0","volume":"10","tag":"$Z32",
 "category":"0","trust":"0","apprestrict":"$Z","datasetrestrict":"$Z","requesterrestrict":"$Z"}
EOF
rq() { # rq VOLUME PARAMS(JSON text, quoted into the string field)
  jq -n --arg app "$APP" --arg r "$(addr 4)" --arg z "$Z" --arg z32 "$Z32" --arg v "$1" --arg p "$2" \
    '{app:$app,appmaxprice:"0",dataset:$z,datasetmaxprice:"0",workerpool:$z,workerpoolmaxprice:"0",
      requester:$r,volume:$v,tag:$z32,category:"0",trust:"0",beneficiary:$r,callback:$z,params:$p}'
}
rq 2 "{\"bulk_cid\":\"$ROOT\",\"iexec_result_encryption\":true}" >rq.json
rq 1 '{"iexec_args":"plain"}' >rq2.json
"$DECC" order sign --type apporder "${OS[@]}" --private-key-file k1 app.json >app.s.json
"$DECC" order sign --type workerpoolorder "${OS[@]}" --private-key-file k3 wp.json >wp.s.json
"$DECC" order sign --type requestorder "${OS[@]}" --private-key-file k4 rq.json >rq.s.json
"$DECC" order sign --type requestorder "${OS[@]}" --private-key-file k4 rq2.json >rq2.s.json
RQH=$("$DECC" order hash --type requestorder "${OS[@]}" rq.s.json | grep -o '0x[0-9a-f]\{64\}')
RQ2H=$("$DECC" order hash --type requestorder "${OS[@]}" rq2.s.json | grep -o '0x[0-9a-f]\{64\}')
DEAL=$("$DECC" --json match app.s.json none wp.s.json rq.s.json --private-key-file k4 | jq -r '.dealid // .dealId')
DEAL2=$("$DECC" --json match app.s.json none wp.s.json rq2.s.json --private-key-file k4 | jq -r '.dealid // .dealId')
[ ${#DEAL} = 66 ] && [ ${#DEAL2} = 66 ] && ok || ko "match: $DEAL $DEAL2"
TASKS=$("$DECC" --json deal show "$DEAL" | jq -c '[.tasks[] | if type == "object" then (.taskid // .taskId) else . end]')

# The DataProtector SDK's query, verbatim, and its variables.
Q='
    query ($where: Deal_filter) {
      deals(where: $where) {
        tasks {
          taskId: id
          bulkSlice {
            datasets {
              id
            }
          }
        }
      }
    }
  '
gq() { # gq QUERY VARIABLES_JSON
  jq -n --arg q "$1" --argjson v "$2" '{query:$q, variables:$v}' |
    curl -s -H 'Content-Type: application/json' --data-binary @- "$U/subgraphs/poco"
}
out=$(gq "$Q" "{\"where\":{\"requestorder\":\"$RQH\"}}")
eq "one deal" "$(jq '.data.deals | length' <<<"$out")" 1
eq "two tasks" "$(jq '.data.deals[0].tasks | length' <<<"$out")" 2
eq "task ids" "$(jq -c '[.data.deals[0].tasks[].taskId]' <<<"$out")" "$TASKS"
eq "slice 0 datasets" "$(jq -c '[.data.deals[0].tasks[0].bulkSlice.datasets[].id]' <<<"$out")" \
  "[\"${D1,,}\",\"$D2\"]"
eq "slice 1 datasets" "$(jq -c '[.data.deals[0].tasks[1].bulkSlice.datasets[].id]' <<<"$out")" "[\"$D3\"]"
# A request without bulk_cid: no slice.
out=$(gq "$Q" "{\"where\":{\"requestorder\":\"$RQ2H\"}}")
eq "plain deal slice" "$(jq -c '[.data.deals[0].tasks[].bulkSlice]' <<<"$out")" "[null]"
# Another hash: nothing.
out=$(gq "$Q" "{\"where\":{\"requestorder\":\"0x$(printf '%064d' 5)\"}}")
eq "no deal" "$(jq -c '.data.deals' <<<"$out")" "[]"
# Deal fields and the id filter.
out=$(gq "query(\$id: String) { deals(where: {id: \$id}) { id botFirst botSize requestorder { id } } }" "{\"id\":\"$DEAL\"}")
eq "deal by id" "$(jq -c '.data.deals[0]' <<<"$out")" \
  "{\"id\":\"$DEAL\",\"botFirst\":\"0\",\"botSize\":\"2\",\"requestorder\":{\"id\":\"$RQH\"}}"
out=$(gq '{ deals(first: 1) { id } }' '{}')
eq "first 1 newest" "$(jq -r '.data.deals[0].id' <<<"$out")" "$DEAL2"
# Refusals are GraphQL errors.
for bad in '{ deals { owner } }' '{ deals(where: {owner: "0x00"}) { id } }' '{ deals(first: 5000) { id } }' \
  '{ deals(orderBy: id) { id } }' '{ deals { tasks { bulkSlice { datasets { name } } } } }' \
  '{ tasks { id } }' '{ deals(where: {requestorder: "0x12"}) { id } }'; do
  out=$(gq "$bad" '{}')
  if jq -e '.errors[0].message and (.data == null)' <<<"$out" >/dev/null; then ok; else ko "not refused: $bad -> $out"; fi
done

finish
