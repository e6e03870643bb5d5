// deploy.mjs — deploys a PoCo 6.1.0 diamond (token flavour, the facets
// deployed on Arbitrum), its three registries and RLC on a local node
// (anvil), from the @iexec/poco npm artifacts and deployments, then creates
// the five standard categories. decc's own script: the npm package ships no
// deployment code.
//
// Usage: node deploy.mjs <rpc-url> <out.json>
//   env DECC_ENGINES_DIR: the engines cache of tools/engines/install.sh
//   (default ${XDG_CACHE_HOME:-~/.cache}/decc-engines); its chain/ holds
//   node_modules/ (ethers) and poco/. The deployer is anvil's account 0 (a
//   public dev key).
//   env DECC_DEPLOY_TIMEOUT_S (default 240): the whole deployment's bound.
// Output: a JSON file with the chain id, the addresses decc needs (hub,
// registries, token, owner) and every deployed contract.
//
// Every wait is bounded: each JSON-RPC request (15 s), each receipt (polled
// by this script with eth_getTransactionReceipt every 50 ms, 60 s at most:
// ethers' own tx.wait() once waited forever when the receipt was polled
// before anvil had mined), and the whole run (a watchdog). On any timeout
// the script exits 1 with one line naming the step.
//
// Steps: RLC (bytecode from deployments/, its constructor mints the supply
// to the deployer) → IexecLibOrders_v5 → facets, with the library address
// linked at the positions artifacts' linkReferences give (placeholder
// __$9d824026d0515d8abd681f0f0f4707f16a$__) → Diamond(cut = DiamondCut,
// DiamondLoupe, Ownership; init = DiamondInit.init()) → one diamondCut per
// PoCo facet with all its selectors not yet routed → registries +
// initialize(0x0) → configure(RLC, …, registries) → createCategory ×5.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, outFile] = process.argv.slice(2);
const cache = process.env.DECC_ENGINES_DIR ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'decc-engines');
const dir = path.join(cache, 'chain');
if (!url || !outFile) {
  console.error('usage: [DECC_ENGINES_DIR=…] node deploy.mjs <rpc-url> <out.json>');
  process.exit(2);
}
const REQUEST_MS = 15_000, RECEIPT_MS = 60_000, POLL_MS = 50;
const TOTAL_S = Number(process.env.DECC_DEPLOY_TIMEOUT_S || 240);
let step = 'start';
const die = (msg) => { console.error(`deploy.mjs: ${msg}`); process.exit(1); };
setTimeout(() => die(`timed out after ${TOTAL_S} s (step: ${step})`), TOTAL_S * 1000).unref();
const why = (e) => (e && e.message ? e.message : String(e)) + (e && e.cause && e.cause.message ? ` (${e.cause.message})` : '');
process.on('unhandledRejection', (e) => die(`${step}: ${why(e)}`));
process.on('uncaughtException', (e) => die(`${step}: ${why(e)}`));

const require = createRequire(path.join(dir, 'package.json'));
const { ethers } = require('ethers');
const POCO = path.join(dir, 'poco');
const readJson = (p) => JSON.parse(fs.readFileSync(path.join(POCO, p), 'utf8'));
const artifact = (rel, name) => readJson(`artifacts/contracts/${rel}/${name}.json`);
const deployment = (name) => readJson(`deployments/arbitrumSepolia/${name}.json`);

// One bounded raw request first: the chain id, so that the provider gets
// a static network (ethers retries network detection forever otherwise).
async function rawRpc(method, params = []) {
  const res = await fetch(url, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(REQUEST_MS),
  });
  const j = await res.json();
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}
step = 'eth_chainId';
const chainId = Number(await rawRpc('eth_chainId'));
const req = new ethers.FetchRequest(url);
req.timeout = REQUEST_MS;
const provider = new ethers.JsonRpcProvider(req, chainId, {
  staticNetwork: ethers.Network.from(chainId), polling: true, pollingInterval: POLL_MS,
});

// anvil's account 0 (well-known dev key, never used for value).
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const wallet = new ethers.NonceManager(new ethers.Wallet(DEV_KEY, provider));
const owner = await wallet.getAddress();
// Deployments of the biggest facets take ~3.3M gas; stay well under
// anvil's 30M block limit (a 30M transaction is never mined).
const GAS = 12_000_000n;

// The receipt of a sent transaction, polled until it exists (bounded).
async function receipt(label, hash) {
  const end = Date.now() + RECEIPT_MS;
  for (;;) {
    const r = await provider.getTransactionReceipt(hash);
    if (r) {
      if (r.status !== 1) throw new Error(`${label}: reverted (tx ${hash})`);
      return r;
    }
    if (Date.now() > end) throw new Error(`${label}: no receipt for ${hash} after ${RECEIPT_MS / 1000} s`);
    await new Promise((ok) => setTimeout(ok, POLL_MS));
  }
}

async function deployBytecode(label, abi, bytecode, args = []) {
  step = `deploy ${label}`;
  const f = new ethers.ContractFactory(abi, bytecode, wallet);
  const c = await f.deploy(...args, { gasLimit: GAS });
  const r = await receipt(label, c.deploymentTransaction().hash);
  const a = await c.getAddress();
  console.error(`deployed ${label} at ${a} (gas ${r.gasUsed})`);
  return a;
}

function link(art, libs) {
  let hex = art.bytecode.slice(2);
  for (const [file, byName] of Object.entries(art.linkReferences || {})) {
    for (const [name, refs] of Object.entries(byName)) {
      const addr = libs[name];
      if (!addr) throw new Error(`no address for library ${file}:${name}`);
      for (const { start, length } of refs) {
        if (length !== 20) throw new Error('unexpected link length');
        hex = hex.slice(0, 2 * start) + addr.slice(2).toLowerCase() + hex.slice(2 * (start + length));
      }
    }
  }
  if (hex.includes('__$')) throw new Error(`${art.contractName}: unlinked placeholder left`);
  return '0x' + hex;
}

async function send(label, txp) {
  step = label;
  const tx = await txp;
  return receipt(label, tx.hash);
}

const out = { chainId, owner, contracts: {} };

// Token: RLC as deployed (bytecode only; no constructor arguments).
const rlc = deployment('RLC');
out.contracts.RLC = await deployBytecode('RLC', [], rlc.bytecode);

// Library for order hashing, then the facets that use it.
const libArt = artifact('libs/IexecLibOrders_v5.sol', 'IexecLibOrders_v5');
const libs = { IexecLibOrders_v5: await deployBytecode('IexecLibOrders_v5', [], libArt.bytecode) };
out.contracts.IexecLibOrders_v5 = libs.IexecLibOrders_v5;

// Diamond plumbing from deployments/ (the artifacts lack these four).
const plumbing = {};
for (const name of ['DiamondCutFacet', 'DiamondLoupeFacet', 'OwnershipFacet', 'DiamondInit']) {
  const d = deployment(name);
  plumbing[name] = { address: await deployBytecode(name, d.abi, d.bytecode), abi: d.abi };
  out.contracts[name] = plumbing[name].address;
}
const selectorsOf = (abi) =>
  new ethers.Interface(abi).fragments.filter((f) => f.type === 'function').map((f) => f.selector);

const diamondArt = artifact('Diamond.sol', 'Diamond');
const routed = new Set();
const baseCuts = ['DiamondCutFacet', 'DiamondLoupeFacet', 'OwnershipFacet'].map((n) => {
  const sels = selectorsOf(plumbing[n].abi);
  sels.forEach((s) => routed.add(s));
  return { facetAddress: plumbing[n].address, action: 0, functionSelectors: sels };
});
const initIface = new ethers.Interface(plumbing.DiamondInit.abi);
const hub = await deployBytecode('Diamond', diamondArt.abi, diamondArt.bytecode, [
  baseCuts,
  { owner, init: plumbing.DiamondInit.address, initCalldata: initIface.encodeFunctionData('init', []) },
]);
out.contracts.Diamond = hub;

// PoCo facets as on Arbitrum (token escrow; no Boost facets).
const FACETS = [
  'IexecAccessorsABILegacyFacet', 'IexecCategoryManagerFacet', 'IexecConfigurationFacet',
  'IexecConfigurationExtraFacet', 'IexecERC20Facet', 'IexecEscrowTokenFacet',
  'IexecOrderManagementFacet', 'IexecPoco1Facet', 'IexecPoco2Facet',
  'IexecPocoAccessorsFacet', 'IexecRelayFacet',
];
const cutter = new ethers.Contract(hub, plumbing.DiamondCutFacet.abi, wallet);
const hubAbi = [];
for (const name of FACETS) {
  const art = artifact(`facets/${name}.sol`, name);
  const addr = await deployBytecode(name, art.abi, link(art, libs));
  out.contracts[name] = addr;
  const sels = selectorsOf(art.abi).filter((s) => !routed.has(s));
  sels.forEach((s) => routed.add(s));
  hubAbi.push(...art.abi.filter((f) => f.type === 'function' || f.type === 'event'));
  if (sels.length)
    await send(`diamondCut ${name}`, cutter.diamondCut([{ facetAddress: addr, action: 0, functionSelectors: sels }],
                                                        ethers.ZeroAddress, '0x', { gasLimit: GAS }));
  console.error(`  routed ${sels.length} selectors to ${name}`);
}

// Registries (each creates its entries' proxies with CREATE2).
const regs = {};
for (const [key, rel, name] of [
  ['appRegistry', 'registries/apps/AppRegistry.sol', 'AppRegistry'],
  ['datasetRegistry', 'registries/datasets/DatasetRegistry.sol', 'DatasetRegistry'],
  ['workerpoolRegistry', 'registries/workerpools/WorkerpoolRegistry.sol', 'WorkerpoolRegistry'],
]) {
  const art = artifact(rel, name);
  regs[key] = await deployBytecode(name, art.abi, art.bytecode);
  out.contracts[name] = regs[key];
  const reg = new ethers.Contract(regs[key], art.abi, wallet);
  await send(`${name}.initialize`, reg.initialize(ethers.ZeroAddress));
}

// Configure the hub, then the standard categories (PoCo config.json).
const iexec = new ethers.Contract(hub, new ethers.Interface(
  hubAbi.filter((f, i, a) => f.type !== 'function' ||
    a.findIndex((g) => g.type === 'function' && g.name === f.name &&
      JSON.stringify(g.inputs) === JSON.stringify(f.inputs)) === i)), wallet);
await send('configure', iexec.configure(out.contracts.RLC, 'Staked RLC', 'SRLC', 9,
  regs.appRegistry, regs.datasetRegistry, regs.workerpoolRegistry, ethers.ZeroAddress));
for (const [name, ref] of [['XS', 300], ['S', 1200], ['M', 3600], ['L', 10800], ['XL', 36000]])
  await send(`createCategory ${name}`, iexec.createCategory(name, '{}', ref));

out.hub = hub;
out.appRegistry = regs.appRegistry;
out.datasetRegistry = regs.datasetRegistry;
out.workerpoolRegistry = regs.workerpoolRegistry;
out.token = out.contracts.RLC;
step = 'read back';
out.countCategory = Number(await iexec.countCategory());
out.domainSeparator = await iexec.eip712domain_separator();
out.proxyCodeHash = {
  app: await new ethers.Contract(regs.appRegistry, ['function proxyCodeHash() view returns (bytes32)'], provider).proxyCodeHash(),
};
const tmp = `${outFile}.tmp${process.pid}`;
fs.writeFileSync(tmp, JSON.stringify(out, null, 2) + '\n');
fs.renameSync(tmp, outFile);
console.error(`PoCo hub ${hub} on chain ${out.chainId}; ${out.countCategory} categories`);
process.exit(0);
