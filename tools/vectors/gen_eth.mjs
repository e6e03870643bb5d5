// gen_eth.mjs — known-answer vectors for decc's Ethereum encoding layer
// (lib/eth: ABI, RLP, transactions), computed with ethers 6 (never by decc).
//
// Install ethers outside the repository and run from the repository root:
//   mkdir -p /work/scratch/eth && (cd /work/scratch/eth && npm install ethers@6)
//   NODE_PATH=/work/scratch/eth/node_modules node tools/vectors/gen_eth.mjs
// (ethers 6 is also inside iexec@9.0.1's dependencies.)
//
// Outputs tests/vectors/eth/abi.json, rlp.json and tx.json. Values are
// written as tagged trees ({"t":"uint","v":"123"}, {"t":"tuple","v":[...]})
// so the C tests can rebuild them with decc's encoder and compare bytes.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(process.env.NODE_PATH || '/work/scratch/eth/node_modules', 'x.js'));
const ethers = require('ethers');
const { AbiCoder, ParamType, Interface, Wallet, Transaction, keccak256, encodeRlp, id, hexlify, getBytes, toUtf8Bytes } = ethers;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'tests/vectors/eth');
const coder = AbiCoder.defaultAbiCoder();

// Deterministic pseudo-random bytes (xorshift) so vectors are reproducible.
let seed = 0x2545f491;
function rnd() { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; }
function rbytes(n) { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = rnd() & 0xff; return b; }
function raddr() { return ethers.getAddress(hexlify(rbytes(20))); }

// Tag a value according to its ParamType.
function tag(pt, v) {
  if (pt.baseType === 'tuple') return { t: 'tuple', v: pt.components.map((c, i) => tag(c, v[i])) };
  if (pt.baseType === 'array') {
    return { t: pt.arrayLength === -1 ? 'array' : 'fixed_array', v: v.map((x) => tag(pt.arrayChildren, x)) };
  }
  const ty = pt.type;
  if (ty.startsWith('uint')) return { t: 'uint', bits: Number(ty.slice(4) || 256), v: BigInt(v).toString() };
  if (ty.startsWith('int')) return { t: 'int', bits: Number(ty.slice(3) || 256), v: BigInt(v).toString() };
  if (ty === 'address') return { t: 'address', v: v.toLowerCase() };
  if (ty === 'bool') return { t: 'bool', v: !!v };
  if (ty === 'string') return { t: 'string', v: hexlify(toUtf8Bytes(v)) };
  if (ty === 'bytes') return { t: 'bytes', v: hexlify(v) };
  if (ty.startsWith('bytes')) return { t: 'bytesn', bits: Number(ty.slice(5)), v: hexlify(v) };
  throw new Error('type ' + ty);
}

function abiCase(name, types, values, sig) {
  const pts = types.map((t) => ParamType.from(t));
  const enc = coder.encode(pts, values);
  const c = { name, types: pts.map((p) => p.format('sighash')).join(','), values: pts.map((p, i) => tag(p, values[i])), encoded: enc };
  if (sig) {
    const frag = ethers.FunctionFragment.from(sig);
    c.signature = frag.format('sighash');
    c.selector = frag.selector;
    c.calldata = frag.selector + enc.slice(2);
  }
  return c;
}

const ORDER_APP = 'tuple(address app,uint256 appprice,uint256 volume,bytes32 tag,address datasetrestrict,address workerpoolrestrict,address requesterrestrict,bytes32 salt,bytes sign)';
const ORDER_DATASET = 'tuple(address dataset,uint256 datasetprice,uint256 volume,bytes32 tag,address apprestrict,address workerpoolrestrict,address requesterrestrict,bytes32 salt,bytes sign)';
const ORDER_WP = 'tuple(address workerpool,uint256 workerpoolprice,uint256 volume,bytes32 tag,uint256 category,uint256 trust,address apprestrict,address datasetrestrict,address requesterrestrict,bytes32 salt,bytes sign)';
const ORDER_REQ = 'tuple(address app,uint256 appmaxprice,address dataset,uint256 datasetmaxprice,address workerpool,uint256 workerpoolmaxprice,address requester,uint256 volume,bytes32 tag,uint256 category,uint256 trust,address beneficiary,address callback,string params,bytes32 salt,bytes sign)';
const Z = ethers.ZeroAddress, Z32 = ethers.ZeroHash;

const app = [raddr(), 1000000000n, 1000000n, '0x' + '00'.repeat(31) + '03', Z, Z, Z, hexlify(rbytes(32)), hexlify(rbytes(65))];
const dataset = [Z, 0n, 0n, Z32, Z, Z, Z, Z32, '0x'];
const wp = [raddr(), 250000000n, 100n, '0x' + '00'.repeat(31) + '03', 0n, 0n, Z, Z, Z, hexlify(rbytes(32)), hexlify(rbytes(65))];
const req = [app[0], 1000000000n, Z, 0n, wp[0], 250000000n, raddr(), 1n, '0x' + '00'.repeat(31) + '03', 0n, 0n, raddr(), Z,
  '{"iexec_args":"--flag é ünïcode","iexec_input_files":["https://example.com/a.txt"],"iexec_result_storage_provider":"ipfs","iexec_result_storage_proxy":"https://result.v8-bellecour.iex.ec"}',
  hexlify(rbytes(32)), hexlify(rbytes(65))];
const MATCH_SIG = `matchOrders(${ORDER_APP} apporder,${ORDER_DATASET} datasetorder,${ORDER_WP} workerpoolorder,${ORDER_REQ} requestorder)`;

const DEAL = 'tuple(tuple(address pointer,address owner,uint256 price) app,tuple(address pointer,address owner,uint256 price) dataset,tuple(address pointer,address owner,uint256 price) workerpool,uint256 trust,uint256 category,bytes32 tag,address requester,address beneficiary,address callback,string params,uint256 startTime,uint256 botFirst,uint256 botSize,uint256 workerStake,uint256 schedulerRewardRatio,address sponsor)';
const deal = [[raddr(), raddr(), 1000000000n], [Z, Z, 0n], [raddr(), raddr(), 250000000n], 1n, 0n, '0x' + '00'.repeat(31) + '03',
  raddr(), raddr(), Z, '{"iexec_args":"hello"}', 1717171717n, 0n, 1n, 75000000n, 1n, raddr()];
const TASK = 'tuple(uint8 status,bytes32 dealid,uint256 idx,uint256 timeref,uint256 contributionDeadline,uint256 revealDeadline,uint256 finalDeadline,bytes32 consensusValue,uint256 revealCounter,uint256 winnerCounter,address[] contributors,bytes32 resultDigest,bytes results,uint256 resultsTimestamp,bytes resultsCallback)';
const task = [3, hexlify(rbytes(32)), 0n, 300n, 1717181717n, 1717182717n, 1717201717n, hexlify(rbytes(32)), 1n, 1n, [raddr(), raddr()], hexlify(rbytes(32)),
  hexlify(toUtf8Bytes('{ "storage": "ipfs", "location": "/ipfs/QmUVhChbLFiuzNK1g2GsWyWEiad7SXPqARnWzGumgziwEp" }')), 1717190000n, '0x'];

const abi = {
  source: 'ethers ' + ethers.version,
  cases: [
    abiCase('spec_baz', ['uint32', 'bool'], [69, true], 'baz(uint32 x, bool y)'),
    abiCase('spec_bar', ['bytes3[2]'], [['0x616263', '0x646566']], 'bar(bytes3[2])'),
    abiCase('spec_sam', ['bytes', 'bool', 'uint256[]'], [toUtf8Bytes('dave'), true, [1, 2, 3]], 'sam(bytes,bool,uint256[])'),
    abiCase('spec_f', ['uint256', 'uint32[]', 'bytes10', 'bytes'], [0x123, [0x456, 0x789], toUtf8Bytes('1234567890'), toUtf8Bytes('Hello, world!')], 'f(uint256,uint32[],bytes10,bytes)'),
    abiCase('spec_g', ['uint256[][]', 'string[]'], [[[1, 2], [3]], ['one', 'two', 'three']], 'g(uint256[][],string[])'),
    abiCase('matchOrders', [ORDER_APP, ORDER_DATASET, ORDER_WP, ORDER_REQ], [app, dataset, wp, req], MATCH_SIG),
    abiCase('viewDeal_return', [DEAL], [deal]),
    abiCase('viewTask_return', [TASK], [task]),
    abiCase('OrdersMatched_data', ['bytes32', 'bytes32', 'bytes32', 'bytes32', 'uint256'], [hexlify(rbytes(32)), hexlify(rbytes(32)), Z32, hexlify(rbytes(32)), 7n]),
    abiCase('ints', ['int8', 'int16', 'int256', 'int64', 'uint8', 'uint256', 'int32'], [-1, -32768, -(2n ** 255n), 9223372036854775807n, 255, 2n ** 256n - 1n, -5]),
    abiCase('nested_fixed', ['(uint8,bytes7,bool)[2][]', 'string[2]', 'address[3]'],
      [[[[1, '0x01020304050607', true], [2, '0x' + 'ff'.repeat(7), false]], [[3, '0x00000000000000', true], [4, '0x0a0b0c0d0e0f10', false]]], ['', 'x'.repeat(33)], [raddr(), Z, raddr()]]),
    abiCase('nested_dynamic', ['(bytes,(string,uint256[])[])', 'bytes[]', 'string[][]'],
      [['0x' + 'ab'.repeat(40), [['a', []], ['bc', [1n, 2n ** 200n]]]], ['0x', '0x00', hexlify(rbytes(64))], [[], ['x', ''], ['long'.repeat(20)]]]),
    abiCase('empty_list', [], []),
    abiCase('createDataset', ['address', 'string', 'bytes', 'bytes32'], [raddr(), 'my dataset', hexlify(toUtf8Bytes('/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ')), hexlify(rbytes(32))], 'createDataset(address,string,bytes,bytes32)'),
  ],
  selectors: ['transfer(address,uint256)', 'viewDeal(bytes32)', 'viewTask(bytes32)', 'balanceOf(address)',
    'contribute(bytes32,bytes32,bytes32,address,bytes,bytes)', 'finalize(bytes32,bytes,bytes)', 'claim(bytes32)']
    .map((s) => ({ signature: s, selector: id(s).slice(0, 10) })),
  topics: ['OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)', 'SchedulerNotice(address,bytes32)', 'Transfer(address,address,uint256)']
    .map((s) => ({ signature: s, topic: id(s) })),
};

// ---- RLP -----------------------------------------------------------------
function rlpTag(x) { return typeof x === 'string' ? { s: x } : { l: x.map(rlpTag) }; }
const rlpInputs = [
  '0x', '0x00', '0x01', '0x7f', '0x80', '0xff', hexlify(toUtf8Bytes('dog')), hexlify(rbytes(55)), hexlify(rbytes(56)), hexlify(rbytes(255)),
  hexlify(rbytes(256)), hexlify(rbytes(1024)),
  [], [[]], [[], [[]], [[], [[]]]], ['0x', '0x00', [], ['0x7f']], Array.from({ length: 30 }, () => hexlify(rbytes(rnd() % 4))),
  [hexlify(rbytes(60))], Array.from({ length: 20 }, () => hexlify(rbytes(20))), [[[[[[['0x05']]]]]]],
];
const rlp = { source: 'ethers ' + ethers.version, cases: rlpInputs.map((x) => ({ value: rlpTag(x), encoded: encodeRlp(x) })) };

// ---- transactions --------------------------------------------------------
const KEY = '0x' + '11'.repeat(32);
const wallet = new Wallet(KEY);
const HUB = '0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f';
const matchCalldata = abi.cases.find((c) => c.name === 'matchOrders').calldata;
const txInputs = [
  { name: 'legacy_mainnet', tx: { type: 0, chainId: 1n, nonce: 0, gasPrice: 20000000000n, gasLimit: 21000n, to: '0x3535353535353535353535353535353535353535', value: 1000000000000000000n, data: '0x' } },
  { name: 'legacy_bellecour_data', tx: { type: 0, chainId: 134n, nonce: 9, gasPrice: 0n, gasLimit: 1000000n, to: HUB, value: 0n, data: matchCalldata } },
  { name: 'legacy_arbitrum', tx: { type: 0, chainId: 42161n, nonce: 123456789, gasPrice: 100000000n, gasLimit: 80000n, to: raddr(), value: 1n, data: '0xdeadbeef' } },
  { name: 'legacy_zero', tx: { type: 0, chainId: 5n, nonce: 0, gasPrice: 0n, gasLimit: 0n, to: raddr(), value: 0n, data: '0x' } },
  { name: 'legacy_create', tx: { type: 0, chainId: 31337n, nonce: 1, gasPrice: 1n, gasLimit: 3000000n, to: null, value: 0n, data: hexlify(rbytes(100)) } },
  { name: 'legacy_pre155', tx: { type: 0, chainId: 0n, nonce: 3, gasPrice: 1000000000n, gasLimit: 21000n, to: raddr(), value: 5n, data: '0x' } },
  { name: 'eip1559_arbitrum_match', tx: { type: 2, chainId: 42161n, nonce: 1, maxPriorityFeePerGas: 1000000000n, maxFeePerGas: 100000000000n, gasLimit: 500000n, to: HUB, value: 0n, data: matchCalldata, accessList: [] } },
  { name: 'eip1559_create', tx: { type: 2, chainId: 421614n, nonce: 0, maxPriorityFeePerGas: 0n, maxFeePerGas: 1n, gasLimit: 5000000n, to: null, value: 0n, data: hexlify(rbytes(300)), accessList: [] } },
  { name: 'eip1559_bigvalue', tx: { type: 2, chainId: 1n, nonce: 2n ** 40n, maxPriorityFeePerGas: 2n ** 64n, maxFeePerGas: 2n ** 100n, gasLimit: 21000n, to: raddr(), value: 2n ** 200n + 12345n, data: '0x', accessList: [] } },
  { name: 'eip1559_accesslist', tx: { type: 2, chainId: 42161n, nonce: 7, maxPriorityFeePerGas: 10n, maxFeePerGas: 20n, gasLimit: 100000n, to: HUB, value: 0n, data: '0x12345678',
    accessList: [{ address: raddr(), storageKeys: [hexlify(rbytes(32)), hexlify(rbytes(32))] }, { address: raddr(), storageKeys: [] }] } },
];
const txs = [];
for (const { name, tx } of txInputs) {
  const raw = await wallet.signTransaction(tx);
  const parsed = Transaction.from(raw);
  const t = { name, type: tx.type, chainId: tx.chainId.toString(), nonce: BigInt(tx.nonce).toString(), gasLimit: tx.gasLimit.toString(),
    to: tx.to ? tx.to.toLowerCase() : null, value: tx.value.toString(), data: tx.data };
  if (tx.type === 0) t.gasPrice = tx.gasPrice.toString();
  else {
    t.maxPriorityFeePerGas = tx.maxPriorityFeePerGas.toString();
    t.maxFeePerGas = tx.maxFeePerGas.toString();
    t.accessList = tx.accessList.map((e) => ({ address: e.address.toLowerCase(), storageKeys: e.storageKeys }));
  }
  t.unsignedHash = parsed.unsignedHash;
  t.v = parsed.signature.v; t.yParity = parsed.signature.yParity; t.r = parsed.signature.r; t.s = parsed.signature.s;
  t.raw = raw; t.hash = keccak256(raw); t.from = parsed.from.toLowerCase();
  if (t.hash !== parsed.hash) throw new Error('hash mismatch');
  txs.push(t);
}
const txv = { source: 'ethers ' + ethers.version, privateKey: KEY, address: wallet.address.toLowerCase(), cases: txs };

fs.mkdirSync(OUT, { recursive: true });
const bigintSafe = (k, v) => (typeof v === 'bigint' ? v.toString() : v);
fs.writeFileSync(path.join(OUT, 'abi.json'), JSON.stringify(abi, bigintSafe, 1) + '\n');
fs.writeFileSync(path.join(OUT, 'rlp.json'), JSON.stringify(rlp, bigintSafe, 1) + '\n');
fs.writeFileSync(path.join(OUT, 'tx.json'), JSON.stringify(txv, bigintSafe, 1) + '\n');
console.error(`wrote ${abi.cases.length} abi, ${rlp.cases.length} rlp, ${txs.length} tx vectors`);
