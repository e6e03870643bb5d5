// gen_eip712.mjs — generic EIP-712 typed-data vectors computed with ethers 6
// (the TypedDataEncoder the iexec SDK uses): atomic types at their limits,
// nested structs, struct arrays, fixed and nested arrays, and domains with
// different subsets of the EIP712Domain fields. Each entry holds the
// eth_signTypedData_v4 document, the encodeType of the primary type, the
// domain separator, hashStruct(message), the digest, and a signature by a
// fixed test key.
// Usage: cd /work/scratch/sign && node /work/main/tools/vectors/gen_eip712.mjs \
//          > /work/main/tests/vectors/eth/eip712.json
// (node_modules from $IEXEC_NODE_MODULES or ./node_modules; ethers comes
// with iexec@9.0.1).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const nm = process.env.IEXEC_NODE_MODULES || path.resolve('node_modules');
const ethers = await import(pathToFileURL(path.join(nm, 'ethers/lib.esm/index.js')).href);
const { Wallet, TypedDataEncoder, keccak256, toUtf8Bytes } = ethers;

const KEY = keccak256(toUtf8Bytes('cow'));
const wallet = new Wallet(KEY);

const docs = [];
const add = (comment, types, primaryType, domain, message) => docs.push({ comment, types, primaryType, domain, message });

add('EIP-712 specification example (Mail)', {
  Person: [{ name: 'name', type: 'string' }, { name: 'wallet', type: 'address' }],
  Mail: [{ name: 'from', type: 'Person' }, { name: 'to', type: 'Person' }, { name: 'contents', type: 'string' }],
}, 'Mail', { name: 'Ether Mail', version: '1', chainId: 1, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' }, {
  from: { name: 'Cow', wallet: '0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826' },
  to: { name: 'Bob', wallet: '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB' },
  contents: 'Hello, Bob!',
});

add('struct arrays and address arrays (MetaMask v4 style)', {
  Person: [{ name: 'name', type: 'string' }, { name: 'wallets', type: 'address[]' }],
  Mail: [{ name: 'from', type: 'Person' }, { name: 'to', type: 'Person[]' }, { name: 'contents', type: 'string' }],
  Group: [{ name: 'name', type: 'string' }, { name: 'members', type: 'Person[]' }],
  Envelope: [{ name: 'mail', type: 'Mail' }, { name: 'group', type: 'Group' }, { name: 'stamp', type: 'bytes32' }],
}, 'Envelope', { name: 'Ether Mail', version: '1', chainId: 1, verifyingContract: '0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC' }, {
  mail: {
    from: { name: 'Cow', wallets: ['0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826', '0xDeaDbeefdEAdbeefdEadbEEFdeadbeEFdEaDbeeF'] },
    to: [{ name: 'Bob', wallets: ['0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB', '0xB0BdaBea57B0BDABeA57b0bdABEA57b0BDabEa57', '0xB0B0b0b0b0b0B000000000000000000000000000'] }],
    contents: 'Hello, Bob!',
  },
  group: { name: 'empty', members: [] },
  stamp: '0x' + 'ab'.repeat(32),
});

add('atomic types at their limits', {
  Limits: [
    { name: 'u8', type: 'uint8' }, { name: 'u256', type: 'uint256' }, { name: 'u64', type: 'uint64' },
    { name: 'i8min', type: 'int8' }, { name: 'i8max', type: 'int8' }, { name: 'i256min', type: 'int256' },
    { name: 'i64neg', type: 'int64' }, { name: 'i128', type: 'int128' }, { name: 'flag', type: 'bool' }, { name: 'off', type: 'bool' },
    { name: 'b1', type: 'bytes1' }, { name: 'b7', type: 'bytes7' }, { name: 'b32', type: 'bytes32' },
    { name: 'dyn', type: 'bytes' }, { name: 'empty', type: 'bytes' }, { name: 'text', type: 'string' }, { name: 'blank', type: 'string' },
    { name: 'who', type: 'address' },
  ],
}, 'Limits', { name: 'Limits', chainId: '42161' }, {
  u8: 255, u256: (2n ** 256n - 1n).toString(), u64: '0xffffffffffffffff',
  i8min: -128, i8max: 127, i256min: (-(2n ** 255n)).toString(), i64neg: '-9007199254740993', i128: '170141183460469231731687303715884105727',
  flag: true, off: false, b1: '0x7f', b7: '0x01020304050607', b32: '0x' + 'fe'.repeat(32),
  dyn: '0x' + '00ff'.repeat(50), empty: '0x', text: 'ünïcödé ✓ 😀 "q" \\ \n', blank: '',
  who: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed',
});

add('fixed and nested arrays', {
  Grid: [
    { name: 'row', type: 'uint16[3]' }, { name: 'cells', type: 'int32[][]' }, { name: 'names', type: 'string[2]' },
    { name: 'blobs', type: 'bytes[]' }, { name: 'points', type: 'Point[2]' },
  ],
  Point: [{ name: 'x', type: 'int256' }, { name: 'y', type: 'int256' }],
}, 'Grid', { name: 'Grid', version: '2', chainId: 421614, verifyingContract: '0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E', salt: '0x' + '5a'.repeat(32) }, {
  row: [1, 2, 65535], cells: [[-1, 2], [], [2147483647, -2147483648, 0]], names: ['a', 'β'],
  blobs: ['0x', '0x00', '0xdeadbeef'], points: [{ x: -5, y: '10' }, { x: '0x10', y: '-0' }],
});

add('domain with only a name', {
  Note: [{ name: 'text', type: 'string' }],
}, 'Note', { name: 'only-name' }, { text: 'hello' });

add('domain with salt and verifyingContract only', {
  Note: [{ name: 'n', type: 'uint256' }],
}, 'Note', { verifyingContract: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359', salt: '0x' + '01'.repeat(32) }, { n: 7 });

add('dependencies sorted by name, not by use', {
  Zed: [{ name: 'a', type: 'Alpha' }, { name: 'm', type: 'Mid' }],
  Mid: [{ name: 'a', type: 'Alpha' }, { name: 'v', type: 'uint8' }],
  Alpha: [{ name: 's', type: 'string' }],
}, 'Zed', { name: 'Order', version: '1', chainId: 134 }, {
  a: { s: 'first' }, m: { a: { s: 'second' }, v: 3 },
});

const out = [];
for (const d of docs) {
  const enc = TypedDataEncoder.from(d.types);
  out.push({
    ...d,
    encodeType: enc.encodeType(d.primaryType),
    domainSeparator: TypedDataEncoder.hashDomain(d.domain),
    structHash: enc.hashStruct(d.primaryType, d.message),
    digest: TypedDataEncoder.hash(d.domain, d.types, d.message),
    privateKey: KEY,
    signer: wallet.address,
    sign: await wallet.signTypedData(d.domain, d.types, d.message),
  });
}
console.log(JSON.stringify({ source: `ethers ${ethers.version} TypedDataEncoder; generated by tools/vectors/gen_eip712.mjs`, vectors: out }, null, 1));
