// gen_keccak.mjs — keccak-256 known answers computed with ethers 6
// (whose keccak256 is @noble/hashes), for decc's own implementation.
// Inputs come from a documented generator so the C test can rebuild them:
// byte i of the input of length n is (i * 31 + n * 7 + 3) & 0xff.
// Usage: node gen_keccak.mjs > tests/vectors/crypto/keccak.json
// (run where `ethers@6` is installed, e.g. NODE_PATH=/path/node_modules).
import { keccak256, toUtf8Bytes } from 'ethers';

function input(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + n * 7 + 3) & 0xff;
  return b;
}
const lengths = [];
for (let n = 0; n <= 300; n++) lengths.push(n);
lengths.push(1000, 4096, 65536, 1 << 20);
const generated = lengths.map((n) => ({ len: n, hash: keccak256(input(n)) }));
const texts = ['', 'abc', 'hello world', 'The quick brown fox jumps over the lazy dog',
  'IEXEC_SMS_DOMAIN', 'transfer(address,uint256)'].map((t) => ({ text: t, hash: keccak256(toUtf8Bytes(t)) }));
console.log(JSON.stringify({ source: 'ethers ' + (await import('ethers')).version, generated, texts }, null, 1));
