#!/usr/bin/env bash
# test_chain_deploy.sh — `decc chain deploy` against a real EVM node
# (anvil): PoCo 6.1.0 from the @iexec/poco artifacts, the five categories
# and decc's DataProtector; then checks, with ethers (independent of decc):
# code at every address, the hub's views (registries, token, 5 categories),
# the profile file (exact keys, EIP-55 addresses), a createDatasetWithSchema
# through the deployed DataProtector whose DatasetSchema event names the
# address the DatasetRegistry predicts (predictDataset, and the CREATE2
# formula computed here); a second run finds the deployment and sends
# nothing (deployer nonce and block unchanged); --force deploys a new set;
# bad input (unreachable URL, no key, wrong artifacts dir, a deployer
# without funds) fails with one line and sends nothing.
#
# Needs, from tools/engines/install.sh chain ($DECC_ENGINES_DIR, default
# ~/.cache/decc-engines): anvil, ethers, the @iexec/poco package; and node.
# Missing: exit 77 (skipped), or failure under CI=true. Every wait is
# bounded; anvil is killed on exit.
set -euo pipefail
src="${DECC_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
build="${DECC_BUILD_DIR:-$src/build}"
decc="${DECC:-$build/bin/decc}"
DECC=$decc
. "$src/tests/cli/lib.sh"
chain="$ENGINES/chain"

need_file "$chain/node_modules/.bin/anvil" "anvil not installed in $chain (run tools/engines/install.sh chain)"
need_file "$chain/poco/package.json" "@iexec/poco not unpacked in $chain/poco (run tools/engines/install.sh chain)"
need_file "$chain/node_modules/ethers" "ethers not installed in $chain"
need_cmd node
need_file "$decc" "no decc binary at $decc (build decc first)"

tmp=$T
TMO=300 # seconds any single command may take

start_anvil "$tmp/anvil.log"
url=$ANVIL_URL
echo "# anvil at $url"

# anvil's dev account 0: a publicly known key, never used for value.
umask 077
printf '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80\n' >"$tmp/key0"
# A key nobody funded on this chain.
printf '0x%064x\n' 4242 >"$tmp/poor"
chmod 600 "$tmp/key0" "$tmp/poor"
home="$tmp/home"

# node + ethers from the engines cache; prints one JSON value.
js() { NODE_PATH="$chain/node_modules" timeout "$TMO" node -e "$1" "${@:2}"; }
nonce() { js 'const {ethers}=require("ethers");(async()=>{const p=new ethers.JsonRpcProvider(process.argv[1]);console.log(await p.getTransactionCount(process.argv[2]))})().catch(e=>{console.error(e.message);process.exit(1)})' "$url" "$1"; }
blockno() { js 'const {ethers}=require("ethers");(async()=>{const p=new ethers.JsonRpcProvider(process.argv[1]);console.log(await p.getBlockNumber())})().catch(e=>{console.error(e.message);process.exit(1)})' "$url"; }
DEV0=0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266

# ---- bad input first (nothing may be sent) -------------------------------------
one_line_error() { # name, expected substring, command…
  local name="$1" want="$2"; shift 2
  local rc=0
  timeout "$TMO" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
  local lines; lines=$(wc -l <"$tmp/bad.err")
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$lines" -eq 1 ] && grep -qF -- "$want" "$tmp/bad.err"; then
    ok "$name: exit $rc, one line: $(cat "$tmp/bad.err")"
  else
    bad "$name: exit $rc, $lines line(s), wanted '$want': $(head -c 600 "$tmp/bad.err")"
  fi
}
n0="$(nonce $DEV0)"
one_line_error "unreachable URL" "http://127.0.0.1:1" \
  "$decc" --home "$home" chain deploy --rpc http://127.0.0.1:1 --private-key-file "$tmp/key0"
one_line_error "no key" "--private-key-file" \
  "$decc" --home "$home" chain deploy --rpc "$url"
one_line_error "wrong artifacts dir" "$tmp/nothing" \
  "$decc" --home "$home" chain deploy --rpc "$url" --private-key-file "$tmp/key0" --artifacts "$tmp/nothing"
one_line_error "not the poco package" "decc deploys @iexec/poco 6.1.0" \
  "$decc" --home "$home" chain deploy --rpc "$url" --private-key-file "$tmp/key0" --artifacts "$chain/node_modules/ethers"
poor_addr="$(js 'const {ethers}=require("ethers");console.log(new ethers.Wallet(require("fs").readFileSync(process.argv[1],"utf8").trim()).address)' "$tmp/poor")"
one_line_error "deployer without funds" "deployer $poor_addr has 0 ETH (0 wei)" \
  "$decc" --home "$home" chain deploy --rpc "$url" --private-key-file "$tmp/poor"
# Funds for a few contracts only (0.01 ETH, anvil_setBalance): the failure
# part-way names the deployer and its balance, and writes no profile.
js 'const {ethers}=require("ethers");(async()=>{const p=new ethers.JsonRpcProvider(process.argv[1]);await p.send("anvil_setBalance",[process.argv[2],"0x2386f26fc10000"])})().catch(e=>{console.error(e.message);process.exit(1)})' "$url" "$poor_addr"
one_line_error "deployer out of funds part-way" "deployer $poor_addr has 0.00" \
  "$decc" -q --home "$home" chain deploy --rpc "$url" --private-key-file "$tmp/poor"
grep -qi "insufficient funds" "$tmp/bad.err" && ok "… and quotes the node's insufficient funds" ||
  bad "out of funds: $(cat "$tmp/bad.err")"
[ "$(nonce $DEV0)" = "$n0" ] && ok "bad input sent nothing (nonce $n0)" || bad "bad input changed the deployer nonce"
[ ! -e "$home/chains" ] || [ -z "$(ls -A "$home/chains")" ] && ok "bad input wrote no profile" || bad "bad input wrote a profile: $(ls "$home/chains")"

# ---- deploy -----------------------------------------------------------------------
if timeout "$TMO" "$decc" --home "$home" --json chain deploy --rpc "$url" --private-key-file "$tmp/key0" \
  >"$tmp/d1.json" 2>"$tmp/d1.err"; then
  ok "decc chain deploy"
else
  cat "$tmp/d1.err" >&2; bad "decc chain deploy failed"; echo "$pass passed, $fail failed"; exit 1
fi
profile="$home/chains/chain-31337.json"
[ -f "$profile" ] && ok "profile $profile written" || bad "no profile at $profile"

# Independent checks with ethers: code, hub views, profile format, and a
# protected-data creation through the deployed DataProtector.
cat >"$tmp/check.js" <<'EOF'
const { ethers } = require('ethers');
const fs = require('fs');
const [url, outFile, profileFile, dpArtifact] = process.argv.slice(2);
const out = JSON.parse(fs.readFileSync(outFile, 'utf8'));
const prof = JSON.parse(fs.readFileSync(profileFile, 'utf8'));
let fails = 0;
const ok = (c, m) => { console.log(`${c ? 'ok' : 'FAIL'} - ${m}`); if (!c) fails++; };
(async () => {
  const p = new ethers.JsonRpcProvider(url, undefined, { staticNetwork: true });
  const KEYS = ['name', 'rpc', 'chainId', 'hub', 'appRegistry', 'datasetRegistry', 'workerpoolRegistry',
    'token', 'dataprotector', 'deployer', 'block'];
  ok(JSON.stringify(Object.keys(prof)) === JSON.stringify(KEYS), `profile keys ${Object.keys(prof).join(',')}`);
  ok(prof.name === 'chain-31337' && prof.rpc === url && prof.chainId === 31337, 'profile name, rpc, chainId');
  ok(prof.deployer === '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', 'profile deployer is the key\'s address');
  for (const k of KEYS.slice(3, 10)) {
    ok(ethers.getAddress(prof[k]) === prof[k], `${k} ${prof[k]} is EIP-55`);
    ok(out[k] === prof[k], `printed ${k} equals the profile's`);
  }
  ok(out.found === false, 'first run deployed (found: false)');
  for (const k of ['hub', 'appRegistry', 'datasetRegistry', 'workerpoolRegistry', 'token', 'dataprotector'])
    ok((await p.getCode(prof[k])).length > 2, `code at ${k}`);
  ok(Number.isInteger(prof.block) && prof.block >= 1 &&
     (await p.getCode(prof.hub, prof.block - 1)) === '0x', `block ${prof.block}: no hub before it`);
  const hub = new ethers.Contract(prof.hub, [
    'function appregistry() view returns (address)', 'function datasetregistry() view returns (address)',
    'function workerpoolregistry() view returns (address)', 'function token() view returns (address)',
    'function countCategory() view returns (uint256)',
    'function viewCategory(uint256) view returns ((string name, string description, uint256 workClockTimeRef))',
    'function owner() view returns (address)'], p);
  ok(await hub.appregistry() === prof.appRegistry, 'hub.appregistry()');
  ok(await hub.datasetregistry() === prof.datasetRegistry, 'hub.datasetregistry()');
  ok(await hub.workerpoolregistry() === prof.workerpoolRegistry, 'hub.workerpoolregistry()');
  ok(await hub.token() === prof.token, 'hub.token()');
  ok(await hub.countCategory() === 5n, 'hub.countCategory() = 5');
  const want = [['XS', 300n], ['S', 1200n], ['M', 3600n], ['L', 10800n], ['XL', 36000n]];
  for (let i = 0; i < 5; i++) {
    const c = await hub.viewCategory(i);
    ok(c.name === want[i][0] && c.description === '{}' && c.workClockTimeRef === want[i][1],
       `category ${i} = ${c.name} ${c.workClockTimeRef}`);
  }
  ok(await hub.owner() === prof.deployer, 'hub owner is the deployer');
  const rlc = new ethers.Contract(prof.token, ['function balanceOf(address) view returns (uint256)'], p);
  ok(await rlc.balanceOf(prof.deployer) > 0n, 'the deployer holds RLC');

  // A protected data through the deployed DataProtector, sent by dev account 1
  // for another owner (anyone may create for anyone, as in PoCo).
  const art = JSON.parse(fs.readFileSync(dpArtifact, 'utf8'));
  const wallet = new ethers.Wallet('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d', p);
  const dp = new ethers.Contract(prof.dataprotector, art.abi, wallet);
  ok(await dp.DATASET_REGISTRY() === prof.datasetRegistry, 'DataProtector.DATASET_REGISTRY()');
  const owner = ethers.getAddress('0x' + '42'.repeat(20));
  const name = 'decc deploy test', schema = '{"email":"string"}';
  const multiaddr = ethers.toUtf8Bytes('/p2p/QmTestTestTest');
  const checksum = ethers.keccak256(ethers.toUtf8Bytes('content'));
  const reg = new ethers.Contract(prof.datasetRegistry, [
    'function predictDataset(address,string,bytes,bytes32) view returns (address)',
    'function proxyCodeHash() view returns (bytes32)', 'function ownerOf(uint256) view returns (address)',
    'function balanceOf(address) view returns (uint256)'], p);
  const predicted = await reg.predictDataset(owner, name, multiaddr, checksum);
  const args = new ethers.Interface(['function initialize(string,bytes,bytes32)'])
    .encodeFunctionData('initialize', [name, multiaddr, checksum]);
  const create2 = ethers.getCreate2Address(prof.datasetRegistry,
    ethers.keccak256(ethers.concat([args, owner])), await reg.proxyCodeHash());
  ok(predicted === create2, `registry prediction ${predicted} = CREATE2 computed here`);
  const ret = await dp.createDatasetWithSchema.staticCall(owner, name, schema, multiaddr, checksum);
  const tx = await dp.createDatasetWithSchema(owner, name, schema, multiaddr, checksum, { gasLimit: 3_000_000 });
  const r = await tx.wait(1, 60_000);
  ok(r.status === 1, 'createDatasetWithSchema mined');
  const topic = dp.interface.getEvent('DatasetSchema').topicHash;
  ok(topic === '0x37b19b8900a9b045473748167f459fa16828f33c13d71473bca4b5e52e5f4d5d', 'DatasetSchema topic as in the SDK');
  const logs = r.logs.filter((l) => l.address === prof.dataprotector && l.topics[0] === topic);
  ok(logs.length === 1, 'one DatasetSchema log from the DataProtector');
  const ev = logs.length ? dp.interface.parseLog(logs[0]) : null;
  ok(ev && ev.args.dataset === predicted, `DatasetSchema dataset ${ev && ev.args.dataset} = predicted ${predicted}`);
  ok(ev && ev.args.schema === schema, 'DatasetSchema schema as sent');
  ok(ret === predicted, 'createDatasetWithSchema returns the dataset');
  ok(await reg.ownerOf(BigInt(predicted)) === owner, 'the owner (not the DataProtector) holds the dataset');
  ok(await reg.balanceOf(prof.dataprotector) === 0n, 'the DataProtector holds no dataset');
  ok((await p.getCode(predicted)).length > 2, 'code at the dataset');
  // The same creation again reverts in the registry (CREATE2 collision): passed through.
  let reverted = false;
  try { await dp.createDatasetWithSchema.staticCall(owner, name, schema, multiaddr, checksum); }
  catch (e) { reverted = true; }
  ok(reverted, 'creating the same dataset twice reverts');
  process.exit(fails ? 1 : 0);
})().catch((e) => { console.log(`FAIL - ${e.message}`); process.exit(1); });
EOF
set +e
NODE_PATH="$chain/node_modules" timeout "$TMO" node "$tmp/check.js" "$url" "$tmp/d1.json" "$profile" \
  "$src/contracts/build/DataProtector.json" | tee "$tmp/check.out"
set -e
pass=$((pass + $(grep -c '^ok - ' "$tmp/check.out" || true)))
cfail=$(grep -c '^FAIL - ' "$tmp/check.out" || true)
[ -s "$tmp/check.out" ] || cfail=1
fail=$((fail + cfail))

# ---- a second run finds the deployment and sends nothing -----------------------
n1="$(nonce $DEV0)" b1="$(blockno)"
if timeout "$TMO" "$decc" --home "$home" chain deploy --rpc "$url" --private-key-file "$tmp/key0" \
  >"$tmp/d2.out" 2>"$tmp/d2.err"; then
  grep -q '^found PoCo 6.1.0 on chain 31337' "$tmp/d2.out" && ok "second run says found" ||
    bad "second run did not say found: $(head -3 "$tmp/d2.out")"
  hub1="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).hub)' "$profile")"
  grep -q "^hub  *$hub1\$" "$tmp/d2.out" && ok "second run prints the same hub" || bad "second run printed another hub"
else
  bad "second run failed: $(cat "$tmp/d2.err")"
fi
[ "$(nonce $DEV0)" = "$n1" ] && [ "$(blockno)" = "$b1" ] && ok "second run sent nothing (nonce $n1, block $b1)" ||
  bad "second run sent a transaction"

# ---- --force deploys a new set under another name ---------------------------------
if timeout "$TMO" "$decc" --home "$home" --json chain deploy --rpc "$url" --private-key-file "$tmp/key0" \
  --force --name second >"$tmp/d3.json" 2>"$tmp/d3.err"; then
  read -r h1 h3 f3 < <(node -e '
    const fs = require("fs");
    const a = JSON.parse(fs.readFileSync(process.argv[1])), b = JSON.parse(fs.readFileSync(process.argv[2]));
    console.log(a.hub, b.hub, b.found);' "$profile" "$tmp/d3.json")
  [ "$h1" != "$h3" ] && [ "$f3" = "false" ] && [ -f "$home/chains/second.json" ] &&
    ok "--force deployed a new hub $h3 (profile second)" || bad "--force: hub $h3 (first $h1), found=$f3"
else
  bad "--force deploy failed: $(cat "$tmp/d3.err")"
fi

# ---- a profile of this chain whose hub has no code is not reused -------------------
mkdir -p "$tmp/home3/chains"
node -e '
  const fs = require("fs"); const j = JSON.parse(fs.readFileSync(process.argv[1]));
  j.hub = "0x000000000000000000000000000000000000dEaD";
  fs.writeFileSync(process.argv[2], JSON.stringify(j, null, 2));' "$profile" "$tmp/home3/chains/chain-31337.json"
if timeout "$TMO" "$decc" --home "$tmp/home3" --json chain deploy --rpc "$url" --private-key-file "$tmp/key0" \
  >"$tmp/d4.json" 2>"$tmp/d4.err"; then
  f4="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).found)' "$tmp/d4.json")"
  [ "$f4" = "false" ] && grep -q "no code on this chain; not reused" "$tmp/d4.err" &&
    ok "a stale profile is reported and a new deployment made" || bad "stale profile: found=$f4, $(cat "$tmp/d4.err")"
else
  bad "deploy over a stale profile failed: $(cat "$tmp/d4.err")"
fi

finish
