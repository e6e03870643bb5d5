// gen_ledger.mjs — known-answer vectors for the embedded ledger, built with
// ethers 6 from the @iexec/poco 6.1.0 artifacts (no chain involved):
//  * proxyCodeHash: the registries deploy each entry with CREATE2 over
//    type(InitializableUpgradeabilityProxy).creationCode. The package ships
//    no bytecode for that proxy on its own, but each registry embeds it:
//    we take the longest code object (0x6080604052 … solc metadata
//    "64736f6c6343" ‖ version ‖ 0033) that AppRegistry, DatasetRegistry
//    and WorkerpoolRegistry all embed identically, and hash it.
//  * predicted entry addresses: ethers getCreate2Address(registry,
//    keccak256(initializer ‖ owner), proxyCodeHash) with the initializer
//    calldata encoded from the App / Dataset / Workerpool artifact ABIs
//    (Registry._mintCreate: salt = keccak256(abi.encodePacked(args, owner))).
//  * calldata encoded with ethers Interface from the artifact ABIs:
//    createApp / createDataset / createWorkerpool, predict*, RLC approve /
//    approveAndCall, hub deposit / withdraw / balanceOf, matchOrders with
//    orders signed by ethers Wallet.signTypedData under the PoCo domain
//    ("iExecODB", "5.0.0", chainId, hub);
//  * every step is also an EIP-1559 transaction signed by ethers
//    (Wallet.signTransaction) with its hash, so the C test submits ethers'
//    raw bytes and checks the hashes and outputs.
// Accounts are decc's dev accounts: sk_i = keccak256("decc dev account " ‖ i).
// Addresses: decc's default genesis (Arbitrum One PoCo deployment).
//
// Usage (re-runnable; needs `npm install ethers@6` and the unpacked
// `npm pack @iexec/poco@6.1.0` in a scratch dir):
//   cd /work/scratch/ledger2 && tar xzf iexec-poco-6.1.0.tgz && \
//   node /work/main/tools/vectors/gen_ledger.mjs \
//     > /work/main/tests/vectors/ledger/ledger.json
// $POCO_DIR overrides ./package, $NODE_MODULES overrides ./node_modules.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const nm = process.env.NODE_MODULES || path.resolve('node_modules');
const pocoDir = process.env.POCO_DIR || path.resolve('package');
const { ethers } = await import(
  pathToFileURL(path.join(nm, 'ethers/lib.esm/index.js')).href
);

const art = (rel) =>
  JSON.parse(fs.readFileSync(path.join(pocoDir, 'artifacts', rel), 'utf8'));
const hrabi = (rel) =>
  JSON.parse(
    fs.readFileSync(path.join(pocoDir, 'abis/human-readable-abis', rel), 'utf8'),
  );

const appReg = art('contracts/registries/apps/AppRegistry.sol/AppRegistry.json');
const dsReg = art(
  'contracts/registries/datasets/DatasetRegistry.sol/DatasetRegistry.json',
);
const wpReg = art(
  'contracts/registries/workerpools/WorkerpoolRegistry.sol/WorkerpoolRegistry.json',
);
const appAbi = art('contracts/registries/apps/App.sol/App.json').abi;
const dsAbi = art('contracts/registries/datasets/Dataset.sol/Dataset.json').abi;
const wpAbi = art(
  'contracts/registries/workerpools/Workerpool.sol/Workerpool.json',
).abi;
const hubAbi = art('contracts/IexecInterfaceToken.sol/IexecInterfaceToken.json')
  .abi;
const rlcAbi = hrabi('rlc-faucet-contract/contracts/RLC.sol/RLC.json');

// ---- proxy creation code embedded identically in the three registries ----
function codeObjects(bytecode) {
  const hex = bytecode.slice(2).toLowerCase();
  const out = new Set();
  for (let i = 0; i < hex.length; i += 2) {
    if (!hex.startsWith('6080604052', i)) continue;
    const e = hex.indexOf('64736f6c6343', i);
    if (e < 0) continue;
    const end = e + 12 + 6 + 4; // "solc" ‖ 3-byte version ‖ 0x0033
    if (hex.slice(end - 4, end) !== '0033') continue;
    out.add(hex.slice(i, end));
  }
  return out;
}
const common = [...codeObjects(appReg.bytecode)].filter(
  (c) => codeObjects(dsReg.bytecode).has(c) && codeObjects(wpReg.bytecode).has(c),
);
if (!common.length) throw new Error('no common proxy code in the registries');
common.sort((a, b) => b.length - a.length);
const proxyCode = '0x' + common[0];
const proxyCodeHash = ethers.keccak256(proxyCode);

// ---- chain ------------------------------------------------------------------
const chainId = 31337;
const C = {
  hub: '0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0',
  appRegistry: '0x9950D94fb074182ee93ff79A50Cd698C4983281F',
  datasetRegistry: '0x07Cc4E1EA30dD02796795876509A3BfC5053128D',
  workerpoolRegistry: '0xe3c13bb4A5068601c6A08041Cb50887B07B5F398',
  token: '0xe649e6a1F2afc63ca268C2363691ceCAF75CF47C',
};
const dev = (i) => new ethers.Wallet(ethers.id(`decc dev account ${i}`));
const W = [0, 1, 2, 3, 4, 5].map(dev);

const iApp = new ethers.Interface(appAbi);
const iDs = new ethers.Interface(dsAbi);
const iWp = new ethers.Interface(wpAbi);
const iAppReg = new ethers.Interface(appReg.abi);
const iDsReg = new ethers.Interface(dsReg.abi);
const iWpReg = new ethers.Interface(wpReg.abi);
const iHub = new ethers.Interface(hubAbi);
const iRlc = new ethers.Interface(rlcAbi);

const predict = (registry, initializer, owner) =>
  ethers.getCreate2Address(
    registry,
    ethers.keccak256(ethers.concat([initializer, owner])),
    proxyCodeHash,
  );

// ---- assets -------------------------------------------------------------------
const checksum = ethers.keccak256(ethers.toUtf8Bytes('decc ledger vector'));
const app = {
  owner: W[1].address,
  name: 'vector-app',
  type: 'DOCKER',
  multiaddr: ethers.hexlify(ethers.toUtf8Bytes('docker.io/decc/vector:1.0.0')),
  checksum,
  mrenclave: '0x',
};
const appInit = iApp.encodeFunctionData('initialize', [
  app.name, app.type, app.multiaddr, app.checksum, app.mrenclave,
]);
const appAddr = predict(C.appRegistry, appInit, app.owner);
const ds = {
  owner: W[2].address,
  name: 'vector-dataset',
  // binary multiaddr of /ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG
  multiaddr:
    '0xa503221220' +
    ethers
      .decodeBase58('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')
      .toString(16)
      .padStart(68, '0')
      .slice(4),
  checksum,
};
const dsInit = iDs.encodeFunctionData('initialize', [
  ds.name, ds.multiaddr, ds.checksum,
]);
const dsAddr = predict(C.datasetRegistry, dsInit, ds.owner);
const wp = { owner: W[3].address, description: 'vector-pool' };
const wpInit = iWp.encodeFunctionData('initialize', [wp.description]);
const wpAddr = predict(C.workerpoolRegistry, wpInit, wp.owner);

// ---- orders -------------------------------------------------------------------
const domain = { name: 'iExecODB', version: '5.0.0', chainId, verifyingContract: C.hub };
const T = {
  AppOrder: [
    { name: 'app', type: 'address' }, { name: 'appprice', type: 'uint256' },
    { name: 'volume', type: 'uint256' }, { name: 'tag', type: 'bytes32' },
    { name: 'datasetrestrict', type: 'address' },
    { name: 'workerpoolrestrict', type: 'address' },
    { name: 'requesterrestrict', type: 'address' }, { name: 'salt', type: 'bytes32' },
  ],
  DatasetOrder: [
    { name: 'dataset', type: 'address' }, { name: 'datasetprice', type: 'uint256' },
    { name: 'volume', type: 'uint256' }, { name: 'tag', type: 'bytes32' },
    { name: 'apprestrict', type: 'address' },
    { name: 'workerpoolrestrict', type: 'address' },
    { name: 'requesterrestrict', type: 'address' }, { name: 'salt', type: 'bytes32' },
  ],
  WorkerpoolOrder: [
    { name: 'workerpool', type: 'address' },
    { name: 'workerpoolprice', type: 'uint256' }, { name: 'volume', type: 'uint256' },
    { name: 'tag', type: 'bytes32' }, { name: 'category', type: 'uint256' },
    { name: 'trust', type: 'uint256' }, { name: 'apprestrict', type: 'address' },
    { name: 'datasetrestrict', type: 'address' },
    { name: 'requesterrestrict', type: 'address' }, { name: 'salt', type: 'bytes32' },
  ],
  RequestOrder: [
    { name: 'app', type: 'address' }, { name: 'appmaxprice', type: 'uint256' },
    { name: 'dataset', type: 'address' }, { name: 'datasetmaxprice', type: 'uint256' },
    { name: 'workerpool', type: 'address' },
    { name: 'workerpoolmaxprice', type: 'uint256' }, { name: 'requester', type: 'address' },
    { name: 'volume', type: 'uint256' }, { name: 'tag', type: 'bytes32' },
    { name: 'category', type: 'uint256' }, { name: 'trust', type: 'uint256' },
    { name: 'beneficiary', type: 'address' }, { name: 'callback', type: 'address' },
    { name: 'params', type: 'string' }, { name: 'salt', type: 'bytes32' },
  ],
};
const Z = ethers.ZeroAddress;
const Z32 = ethers.ZeroHash;
const salt = (s) => ethers.id(`vector salt ${s}`);
const ao = {
  app: appAddr, appprice: 4000000000n, volume: 10n, tag: Z32,
  datasetrestrict: Z, workerpoolrestrict: Z, requesterrestrict: Z, salt: salt('app'),
};
const dso = {
  dataset: dsAddr, datasetprice: 1500000000n, volume: 10n, tag: Z32,
  apprestrict: Z, workerpoolrestrict: Z, requesterrestrict: Z, salt: salt('ds'),
};
const wpo = {
  workerpool: wpAddr, workerpoolprice: 700000000n, volume: 10n, tag: Z32,
  category: 2n, trust: 0n, apprestrict: Z, datasetrestrict: Z, requesterrestrict: Z,
  salt: salt('wp'),
};
const rqo = {
  app: appAddr, appmaxprice: 4000000000n, dataset: dsAddr, datasetmaxprice: 1500000000n,
  workerpool: Z, workerpoolmaxprice: 700000000n, requester: W[4].address, volume: 3n,
  tag: Z32, category: 2n, trust: 0n, beneficiary: W[4].address, callback: Z,
  params: '{"iexec_args":"vector"}', salt: salt('rq'),
};
const sign = async (w, type, o) =>
  w.signTypedData(domain, { [type]: T[type] }, o);
ao.sign = await sign(W[1], 'AppOrder', ao);
dso.sign = await sign(W[2], 'DatasetOrder', dso);
wpo.sign = await sign(W[3], 'WorkerpoolOrder', wpo);
rqo.sign = await sign(W[4], 'RequestOrder', rqo);
const rqHash = ethers.TypedDataEncoder.hash(domain, { RequestOrder: T.RequestOrder }, rqo);
const dealid = ethers.solidityPackedKeccak256(['bytes32', 'uint256'], [rqHash, 0]);
const volume = 3n;
const cost = (4000000000n + 1500000000n + 700000000n) * volume;

// ---- steps ------------------------------------------------------------------
const abi = ethers.AbiCoder.defaultAbiCoder();
const steps = [];
const nonces = {};
async function step(what, from, to, data, output) {
  const w = W[from];
  const nonce = nonces[from] || 0;
  nonces[from] = nonce + 1;
  const raw = await w.signTransaction({
    type: 2, chainId, nonce, to, data, value: 0n, gasLimit: 30000000n,
    maxFeePerGas: 0n, maxPriorityFeePerGas: 0n,
  });
  steps.push({
    what, from, sender: w.address, to, nonce, data,
    raw, hash: ethers.keccak256(raw), status: 1, output,
  });
}
const word = (a) => abi.encode(['address'], [a]);
// predictions as views (no tx): calldata + expected return
const views = [
  {
    what: 'predictApp', to: C.appRegistry,
    data: iAppReg.encodeFunctionData('predictApp', [
      app.owner, app.name, app.type, app.multiaddr, app.checksum, app.mrenclave,
    ]),
    output: word(appAddr),
  },
  {
    what: 'predictDataset', to: C.datasetRegistry,
    data: iDsReg.encodeFunctionData('predictDataset', [
      ds.owner, ds.name, ds.multiaddr, ds.checksum,
    ]),
    output: word(dsAddr),
  },
  {
    what: 'predictWorkerpool', to: C.workerpoolRegistry,
    data: iWpReg.encodeFunctionData('predictWorkerpool', [wp.owner, wp.description]),
    output: word(wpAddr),
  },
  {
    what: 'proxyCodeHash', to: C.appRegistry,
    data: iAppReg.encodeFunctionData('proxyCodeHash', []),
    output: abi.encode(['bytes32'], [proxyCodeHash]),
  },
];
await step('createApp', 1, C.appRegistry,
  iAppReg.encodeFunctionData('createApp', [
    app.owner, app.name, app.type, app.multiaddr, app.checksum, app.mrenclave,
  ]), word(appAddr));
await step('createDataset', 2, C.datasetRegistry,
  iDsReg.encodeFunctionData('createDataset', [ds.owner, ds.name, ds.multiaddr, ds.checksum]),
  word(dsAddr));
await step('createWorkerpool', 3, C.workerpoolRegistry,
  iWpReg.encodeFunctionData('createWorkerpool', [wp.owner, wp.description]),
  word(wpAddr));
await step('approveAndCall deposit', 4, C.token,
  iRlc.encodeFunctionData('approveAndCall', [C.hub, 20000000000n, '0x']),
  abi.encode(['bool'], [true]));
await step('approve', 4, C.token,
  iRlc.encodeFunctionData('approve', [C.hub, 1000000000n]), abi.encode(['bool'], [true]));
await step('deposit', 4, C.hub, iHub.encodeFunctionData('deposit', [1000000000n]),
  abi.encode(['bool'], [true]));
await step('withdraw', 4, C.hub, iHub.encodeFunctionData('withdraw', [500000000n]),
  abi.encode(['bool'], [true]));
await step('matchOrders', 4, C.hub,
  iHub.encodeFunctionData('matchOrders', [ao, dso, wpo, rqo]),
  abi.encode(['bytes32'], [dealid]));
views.push({
  what: 'frozenOf requester after match', to: C.hub,
  data: iHub.encodeFunctionData('frozenOf', [W[4].address]),
  output: abi.encode(['uint256'], [cost]),
});
views.push({
  what: 'viewConsumed request', to: C.hub,
  data: iHub.encodeFunctionData('viewConsumed', [rqHash]),
  output: abi.encode(['uint256'], [volume]),
});

const out = {
  generator: 'tools/vectors/gen_ledger.mjs (ethers ' + ethers.version +
    ', @iexec/poco 6.1.0 artifacts)',
  chainId,
  contracts: C,
  proxyCodeHash,
  proxyCodeLength: (proxyCode.length - 2) / 2,
  predicted: { app: appAddr, dataset: dsAddr, workerpool: wpAddr },
  orders: { app: ao, dataset: dso, workerpool: wpo, request: rqo },
  requestHash: rqHash,
  dealid,
  steps,
  views,
};
console.log(
  JSON.stringify(out, (k, v) => (typeof v === 'bigint' ? v.toString() : v), 2),
);
