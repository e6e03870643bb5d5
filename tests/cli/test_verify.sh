#!/usr/bin/env bash
# test_verify.sh — result provenance end to end: a real task run by a
# `decc node` (scheduler, worker, SMS on one data directory), then
# `decc result get TASK --bundle FILE` and `decc verify FILE` offline (the
# node is stopped first: nothing is asked of it). The bundle verifies with
# its result and says what it cannot prove; each bad input of issue 15 is
# refused with its reason, exit 1 and one error line: a swapped result
# (an edited result file, an edited digest), a bundle from another chain
# (--chain-id, an edited chainId), a tampered signature, truncated and
# garbage JSON. Then `decc task replay` (also offline): Alice re-runs the
# task with her dataset key and gets the digest on chain; without her key,
# or with a wrong one, it says why. The enclave sandbox needs root: without it the test exits
# 77 (SKIP), and fails under CI=true.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SRC=${DECC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
need_root "the enclave sandbox needs root"
# refused NAME REASON COMMAND...: exit 1, one stderr line naming REASON
refused() {
  local name=$1 reason=$2
  shift 2
  check_rc "$name" 1 "$@"
  if [ "$(wc -l <"$T/err")" = 1 ] && grep -q "^decc: .*$reason" "$T/err"; then ok; else ko "$name: error: $(cat "$T/err")"; fi
}
# shellcheck source=../helpers/prov_stack.sh
. "$SRC/tests/helpers/prov_stack.sh"
prov_stack_up

check_rc "result get --bundle" 0 "$DECC" result get "$TASK" --bundle b.json -o r.zip --private-key-file bob.key
[ -s b.json ] && [ -s r.zip ] && ok || ko "no bundle or result"
[ "$(jget 'd["format"]' <b.json)" = decc-provenance/1 ] && ok || ko "format: $(head -3 b.json)"
[ "$(jget 'd["task"]["id"]' <b.json)" = "$TASK" ] && ok || ko "task id in bundle"
[ "$(jget 'len(d["transactions"])' <b.json)" -ge 1 ] && ok || ko "no contribution transaction"
names=$(jget '" ".join(e["name"] for e in d["events"])' <b.json)
for e in OrdersMatched TaskInitialize TaskContribute TaskFinalize; do
  grep -qw "$e" <<<"$names" && ok || ko "bundle lacks $e: $names"
done
# the "swapped" result: the same archive with another answer in the
# deterministic output (computed.json's deterministic-output-path)
python3 - r.zip other.zip <<'PY'
import json, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as z:
    entries = {n: z.read(n) for n in z.namelist()}
out = json.loads(entries["computed.json"])["deterministic-output-path"]
name = out[len("/iexec_out/"):]
entries[name] = entries[name].replace(b"example", b"exAmple")
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for n, d in entries.items():
        z.writestr(n, d)
PY
cmp -s r.zip other.zip && ko "the swapped zip is the same" || ok

# the platform's attestation: the worker kept the quote it relayed to the
# SMS with the result key's binding signature; the bundle carries it, and
# the node's workerpool API serves the same record to anyone
[ "$(jget 'd["attestation"]["quote"]["backend"]' <b.json)" = software ] && ok || ko "no quote in the bundle: $(jget 'd["attestation"]' <b.json)"
[ "$(jget 'd["attestation"]["quote"]["taskId"]' <b.json)" = "$TASK" ] && ok || ko "quote task id"
[ "$(jget 'len(d["attestation"]["binding"])' <b.json)" = 132 ] && ok || ko "no binding in the bundle"
check_rc "attestation route" 0 curl -sf "$U/tasks/$TASK/attestation"
[ "$(jget 'd["quote"]["signature"]' <<<"$out")" = "$(jget 'd["attestation"]["quote"]["signature"]' <b.json)" ] && ok || ko "node's quote differs: $out"
[ "$(jget 'd["binding"]' <<<"$out")" = "$(jget 'd["attestation"]["binding"]' <b.json)" ] && ok || ko "node's binding differs: $out"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/tasks/0x$(printf '%064d' 7)/attestation")
[ "$code" = 404 ] && ok || ko "unknown task's attestation: HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/tasks/0x12/attestation")
[ "$code" = 400 ] && ok || ko "bad task id: HTTP $code"

# the node's JSON-RPC serves the same signed transaction (remote chains)
txh=$(jget '[e["transactionHash"] for e in d["events"] if e["name"] == "TaskContribute"][0]' <b.json)
raw=$(curl -s -X POST -H 'Content-Type: application/json' "$U/" \
  -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_getRawTransactionByHash\",\"params\":[\"$txh\"]}" | jget 'd["result"]')
[ "$raw" = "$(jget 'd["transactions"][0]' <b.json)" ] && ok || ko "eth_getRawTransactionByHash: $raw"

# A second task for the replay's failure paths: an app whose output changes
# from run to run, served over HTTP (loopback) from a file that is swapped
# afterwards. The worker reaches it as any app.
"$DECC" app init rnd >/dev/null
cat >rnd/run.sh <<'EOF'
#!/bin/sh
set -eu
out="${IEXEC_OUT:-/iexec_out}"
printf '{"draw":"%s"}\n' "$(date +%s%N)-$(od -An -N8 -tx8 /dev/urandom 2>/dev/null | tr -d ' ')" >"$out/result.json"
printf '{"deterministic-output-path":"%s/result.json"}\n' "$out" >"$out/computed.json"
EOF
check_rc "build rnd app" 0 "$DECC" --json app build rnd -o rnd.tar
rm_=$(jget 'd["measurement"]' <<<"$out")
mkdir www && cp rnd.tar www/app.tar
python3 -u -m http.server --bind 127.0.0.1 --directory www 0 >www.log 2>&1 &
WWW_PID=$!
on_exit "stop_pid $WWW_PID"
for _ in $(seq 50); do grep -q "port [0-9]" www.log && break; sleep 0.1; done
WWW="http://127.0.0.1:$(grep -o 'port [0-9]*' www.log | head -1 | cut -d' ' -f2)"
check_rc "deploy rnd app over HTTP" 0 "$DECC" --json app deploy --name rnd --multiaddr "$WWW/app.tar" \
  --bundle rnd.tar --mrenclave "{\"framework\":\"TDX\",\"fingerprint\":\"$rm_\"}" --private-key-file bob.key
RAPP=$(jget 'd["app"]' <<<"$out")
Z=0x0000000000000000000000000000000000000000
echo "{\"app\":\"$RAPP\",\"appprice\":\"0\",\"volume\":\"100\",\"tag\":\"0x0000000000000000000000000000000000000000000000000000000000000009\",\"datasetrestrict\":\"$Z\",\"workerpoolrestrict\":\"$Z\",\"requesterrestrict\":\"$Z\"}" >rao.json
check_rc "sign rnd app order" 0 "$DECC" order sign --type apporder --chain-id 31337 --hub "$HUB" --private-key-file bob.key -o rao.s.json rao.json
check_rc "publish rnd app order" 0 "$DECC" order publish --type apporder --private-key-file bob.key --node "$U" rao.s.json
check_rc "grant rnd app" 0 "$DECC" grant "$PD" --app "$RAPP" --user "$BOB" --uses 5 --private-key-file alice.key
check_rc "process rnd" 0 "$DECC" --json process "$PD" --app "$RAPP" --private-key-file bob.key --timeout 200 -o rnd.zip
RTASK=$(jget 'd["taskId"]' <<<"$out")

# offline from here on: nothing may reach the node
stop_pid "$NODE_PID"

check_rc "verify" 0 "$DECC" verify b.json --result r.zip --chain-id 31337
grep -q "^PROVEN .*enclave key 0x[0-9a-fA-F]\{40\} signed result digest" <<<"$out" && ok || ko "no enclave line: $out"
grep -q "^PROVEN .*workerpool owner" <<<"$out" && ok || ko "no authorization line: $out"
grep -q "^PROVEN .*hashes to the signed result digest" <<<"$out" && ok || ko "no result line: $out"
grep -q "^NOT PROVEN .*chain source's word" <<<"$out" && ok || ko "no block-hash caveat: $out"
plat=$("$DECC" wallet address --private-key-file plat.key | grep -o '0x[0-9a-fA-F]\{40\}')
grep -qi "^PROVEN .*platform key $plat quoted an enclave running the app checksum for this task" <<<"$out" && ok || ko "no quote line: $out"
grep -q "^PROVEN .*which signed the result, signed this quote's claims" <<<"$out" && ok || ko "no binding line: $out"
grep -q "^NOT PROVEN .*software quote is signed by a key on the worker host: it is not hardware protection" <<<"$out" && ok || ko "no software caveat: $out"
check_rc "verify trusted platform" 0 "$DECC" verify b.json --trust-platform "$plat"
grep -q "^FAILED" <<<"$out" && ko "a FAILED line: $out" || ok
check_rc "verify --json" 0 "$DECC" verify b.json --result r.zip --json
[ "$(jget 'd["valid"]' <<<"$out")" = True ] && ok || ko "json valid: $out"
[ "$(jget 'd["taskId"]' <<<"$out")" = "$TASK" ] && ok || ko "json task: $out"
check_rc "verify without result" 0 "$DECC" verify b.json
grep -q "^NOT PROVEN .*no result file given" <<<"$out" && ok || ko "no result caveat: $out"
check_rc "verify help" 0 "$DECC" verify --help
check_rc "verify usage" 2 "$DECC" verify

# bad input: each refused with its reason
refused "swapped result file" "swapped result" "$DECC" verify b.json --result other.zip
python3 - b.json >b_digest.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
x = d["task"]["resultDigest"]
d["task"]["resultDigest"] = x[:-1] + ("0" if x[-1] != "0" else "1")
print(json.dumps(d, indent=2))
PY
refused "swapped digest" "swapped result" "$DECC" verify b_digest.json
refused "expected another chain" "not the chain 1 you expect" "$DECC" verify b.json --chain-id 1
python3 - b.json >b_chain.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["chain"]["chainId"] = 134
print(json.dumps(d, indent=2))
PY
refused "bundle from another chain" "another chain" "$DECC" verify b_chain.json
# flip one hex digit inside the transaction's calldata (the enclave
# signature is its second-to-last bytes argument)
python3 - b.json >b_sig.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["transactions"][0]
i = len(t) - 2 * (65 + 3 + 32 + 65 + 40)
d["transactions"][0] = t[:i] + ("0" if t[i] != "0" else "1") + t[i + 1:]
print(json.dumps(d, indent=2))
PY
check_rc "tampered signature" 1 "$DECC" verify b_sig.json
grep -q "^decc: " "$T/err" && ok || ko "tampered: $(cat "$T/err")"
head -c 700 b.json >b_trunc.json
refused "truncated bundle" "not JSON" "$DECC" verify b_trunc.json
head -c 300 /dev/urandom >b_garbage.json
refused "garbage bundle" "not JSON" "$DECC" verify b_garbage.json
python3 - b.json >b_extra.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["task"]["trustMe"] = True
print(json.dumps(d))
PY
refused "unknown field" "trustMe" "$DECC" verify b_extra.json
refused "missing file" "" "$DECC" verify nosuch.json
# the attestation: a tampered quote, a quote bound to another key, a
# bundle whose binding was dropped, a quote from another platform
python3 - b.json >b_quote.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
q = d["attestation"]["quote"]
k = q["enclavePublicKey"]
q["enclavePublicKey"] = k[:-1] + ("0" if k[-1] != "0" else "1")
print(json.dumps(d, indent=2))
PY
refused "tampered quote" "does not recover to its platform key" "$DECC" verify b_quote.json
python3 - b.json >b_bind.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = d["attestation"]["binding"]
d["attestation"]["binding"] = b[:20] + ("0" if b[20] != "0" else "1") + b[21:]
print(json.dumps(d, indent=2))
PY
check_rc "quote bound to another key" 1 "$DECC" verify b_bind.json
grep -q "^decc: .*\(binding signature does not recover\|not to the enclave key that signed the result\)" "$T/err" && ok || ko "binding: $(cat "$T/err")"
python3 - b.json >b_nobind.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
del d["attestation"]["binding"]
print(json.dumps(d, indent=2))
PY
check_rc "quote without binding" 0 "$DECC" verify b_nobind.json
grep -q "^NOT PROVEN .*no binding signature from the result key" <<<"$out" && ok || ko "no-binding caveat: $out"
refused "untrusted platform" "not one of the platforms you trust" "$DECC" verify b.json --trust-platform "$BOB"

# ---- decc task replay: the owner re-runs the task with her key (offline) --
check_rc "replay" 0 "$DECC" task replay "$TASK" --key-file pd.key --private-key-file alice.key
grep -q "matches the digest on chain" <<<"$out" && ok || ko "replay: $out"
grep -q "result digest $(jget 'd["task"]["resultDigest"]' <b.json)" <<<"$out" && ok || ko "replay digest: $out"
refused "replay without key" "missing key" "$DECC" task replay "$TASK" --private-key-file alice.key
head -c 32 /dev/urandom | base64 | tr -d '\n' >wrong.key
check_rc "replay wrong key" 1 "$DECC" task replay "$TASK" --key-file wrong.key --private-key-file alice.key
grep -q "^decc: the replay failed" "$T/err" && ok || ko "wrong key: $(cat "$T/err")"
# the replay's explanations: a nondeterministic app (two replays differ),
# then the app changed (the bundle at its multiaddr is no longer the one
# whose checksum is on chain), then gone
check_rc "replay nondeterministic" 1 "$DECC" task replay "$RTASK" --key-file pd.key --private-key-file alice.key
grep -q "^decc: nondeterministic app: two replays gave 0x[0-9a-f]\{64\} and 0x[0-9a-f]\{64\}" "$T/err" && ok || ko "nondeterministic: $(cat "$T/err")"
cp good.tar www/app.tar
refused "replay app changed" "app changed: the bundle at $WWW/app.tar has SHA-256 0x[0-9a-f]\{64\}, not the app's on-chain checksum $rm_" \
  "$DECC" task replay "$RTASK" --key-file pd.key --private-key-file alice.key
rm www/app.tar
refused "replay app gone" "app changed or gone" "$DECC" task replay "$RTASK" --key-file pd.key --private-key-file alice.key
check_rc "replay help" 0 "$DECC" task replay --help

finish
