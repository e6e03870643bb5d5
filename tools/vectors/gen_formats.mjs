#!/usr/bin/env node
// gen_formats.mjs — known-answer vectors for decc's iExec formats, computed
// with the official iExec SDK (never by decc itself):
//   * dataset encryption: iexec@9.0.1 dist/esm/common/utils/encryption-utils.js
//     (generateAes256Key, encryptAes256Cbc, sha256Sum — what
//     IExecDatasetModule.generateEncryptionKey / encrypt /
//     computeEncryptedFileChecksum call)
//   * result archives: built the way the TEE post-compute builds them
//     (iexec-protocol.md §5.7), plus the legacy SDK format, and every archive
//     is checked with the SDK's own decryptResult
//     (dist/esm/common/utils/result-utils.js, exported as `utils.decryptResult`).
//
// Install the SDK outside the repository:
//   mkdir -p /work/scratch/fmt && cd /work/scratch/fmt && npm install iexec@9.0.1
// then run:  FMT_SCRATCH=/work/scratch/fmt [DECC=build/bin/decc] node tools/vectors/gen_formats.mjs
//
// With DECC set, the script also cross-checks decc against the SDK: decc's
// `result encrypt` archive must open with the SDK's decryptResult, and
// decc's `dataset encrypt` output must decrypt with the SDK's AES (forge)
// to the original bytes with the checksum the SDK computes. Nothing from
// that run is written to the vectors.
//
// Outputs (tests/vectors/formats/): dataset.json, result.json.
// Plaintexts come from xorshift32 (seeded) so tests regenerate large ones
// instead of storing them:
//   x ^= x << 13; x ^= x >>> 17; x ^= x << 5 (uint32); byte = x & 0xff.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const S = process.env.FMT_SCRATCH || '/work/scratch/fmt';
const OUT = path.join(ROOT, 'tests/vectors/formats');
const DECC = process.env.DECC || '';
const SDK = path.join(S, 'node_modules/iexec/dist/esm');

const enc = await import(path.join(SDK, 'common/utils/encryption-utils.js'));
const { decryptResult } = await import(path.join(SDK, 'common/utils/result-utils.js'));
const forgeAes = (await import(path.join(SDK, 'common/libs/forge-aes.js'))).default;
const require = createRequire(path.join(S, 'node_modules/'));
const JSZip = require('jszip');
const sdkVersion = JSON.parse(fs.readFileSync(path.join(S, 'node_modules/iexec/package.json'), 'utf8')).version;

function prng(seed, n) {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

const hex = (b) => Buffer.from(b).toString('hex');
const assert = (c, m) => { if (!c) { throw new Error(`check failed: ${m}`); } };

// ---- datasets -------------------------------------------------------------
const STORE_MAX = 4112; // store ciphertexts up to this size; larger: key/iv/checksum only
const sizes = [0, 1, 15, 16, 17, 31, 32, 4096, 1048576, 1048576 + 17];
const datasets = [];
for (const [i, size] of sizes.entries()) {
  const seed = 0x1000 + i;
  const plain = prng(seed, size);
  const key = enc.generateAes256Key();
  const encrypted = await enc.encryptAes256Cbc(plain, key);
  const checksum = await enc.sha256Sum(encrypted);
  assert(encrypted.length === 16 + (Math.floor(size / 16) + 1) * 16, `size ${size}`);
  const v = {
    size,
    seed,
    key,
    iv: hex(encrypted.subarray(0, 16)),
    checksum,
    plain_sha256: '0x' + crypto.createHash('sha256').update(plain).digest('hex'),
  };
  if (encrypted.length <= STORE_MAX) v.encrypted = hex(encrypted);
  datasets.push(v);
}
// A key that is valid for the SDK's validator but is not canonical base64
// would be a decc/SDK divergence; record the SDK's verdict on a few strings.
const keyChecks = [];
for (const text of [
  datasets[1].key,
  datasets[1].key.replace(/=$/, ''),
  'AAAA',
  Buffer.alloc(31).toString('base64'),
  Buffer.alloc(33).toString('base64'),
  'not base64 at all!!',
]) {
  let ok = true;
  try { await enc.encryptAes256Cbc(Buffer.from('x'), text); } catch { ok = false; }
  keyChecks.push({ text, sdk_accepts: ok });
}

// ---- result archives ------------------------------------------------------
const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', {
  modulusLength: 4096, // as `iexec result generate-encryption-keypair`
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

async function innerZip() {
  // What post-compute zips from /iexec_out: files only, Deflate.
  const z = new JSZip();
  const date = new Date(Date.UTC(2025, 0, 2, 3, 4, 6));
  z.file('computed.json', JSON.stringify({ 'deterministic-output-path': '/iexec_out/result.txt' }), { date });
  z.file('result.txt', prng(0x2000, 1500).toString('base64'), { date });
  z.file('bin.dat', prng(0x2001, 300), { date });
  return z.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

async function outerZip(keyEntry, payload, compression) {
  const z = new JSZip();
  const date = new Date(Date.UTC(2025, 0, 2, 3, 4, 6));
  z.file('iexec_out.zip.aes', payload, { date });
  z.file('aes-key.rsa', keyEntry, { date });
  return z.generateAsync({ type: 'nodebuffer', compression });
}

const rsaEnc = (data) => crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, data);

function ecbB64(data, key16, lineLen) {
  const c = crypto.createCipheriv('aes-128-ecb', key16, null);
  const ct = Buffer.concat([c.update(data), c.final()]);
  const b = ct.toString('base64');
  return lineLen ? b.replace(new RegExp(`(.{${lineLen}})`, 'g'), '$1\r\n') : b;
}

const inner = await innerZip();
const archives = [];
async function addArchive(name, description, buf, expect = inner) {
  const out = await decryptResult(buf, privateKey);
  assert(Buffer.compare(Buffer.from(out), expect) === 0, `decryptResult ${name}`);
  archives.push({ name, description, archive: buf.toString('base64') });
}

{ // current: what the post-compute produces
  const keyB64 = enc.generateAes256Key();
  const payload = await enc.encryptAes256Cbc(inner, keyB64);
  const keyEntry = rsaEnc(Buffer.from(keyB64, 'base64'));
  assert(keyEntry.length === 512, 'raw RSA-4096 ciphertext');
  await addArchive('current', 'raw RSA PKCS#1 v1.5 of a 32-byte key; IV ‖ AES-256-CBC payload; outer zip Deflate (post-compute)',
    await outerZip(keyEntry, payload, 'DEFLATE'));
  await addArchive('current_stored', 'same format, outer zip entries stored',
    await outerZip(rsaEnc(Buffer.from(keyB64, 'base64')), payload, 'STORE'));
}
{ // legacy: base64 RSA of a base64 AES-128 key; base64 AES-128-ECB payload
  const key16 = crypto.randomBytes(16);
  const keyEntry = Buffer.from(rsaEnc(Buffer.from(key16.toString('base64'))).toString('base64'));
  await addArchive('legacy', 'base64(RSA(base64(16-byte key))); payload base64(AES-128-ECB-PKCS7), one line',
    await outerZip(keyEntry, Buffer.from(ecbB64(inner, key16, 0)), 'DEFLATE'));
  const keyEntryWrapped = Buffer.from(rsaEnc(Buffer.from(key16.toString('base64'))).toString('base64')
    .replace(/(.{76})/g, '$1\n') + '\n');
  await addArchive('legacy_wrapped', 'legacy with MIME-style line breaks in both base64 texts',
    await outerZip(keyEntryWrapped, Buffer.from(ecbB64(inner, key16, 76)), 'DEFLATE'));
}
{ // combinations the SDK also accepts (the key length alone picks the cipher)
  const key16 = crypto.randomBytes(16);
  await addArchive('raw_rsa_ecb', 'raw RSA of a raw 16-byte key; base64 AES-128-ECB payload',
    await outerZip(rsaEnc(key16), Buffer.from(ecbB64(inner, key16, 0)), 'DEFLATE'));
  const keyB64 = enc.generateAes256Key();
  const payload = await enc.encryptAes256Cbc(inner, keyB64);
  await addArchive('b64_rsa_cbc', 'base64(RSA(base64(32-byte key))); IV ‖ AES-256-CBC payload',
    await outerZip(Buffer.from(rsaEnc(Buffer.from(keyB64)).toString('base64')), payload, 'DEFLATE'));
}
{ // an empty iexec_out.zip payload (0 bytes) still round-trips
  const keyB64 = enc.generateAes256Key();
  const payload = await enc.encryptAes256Cbc(Buffer.alloc(0), keyB64);
  await addArchive('empty_payload', 'current format around a 0-byte file',
    await outerZip(rsaEnc(Buffer.from(keyB64, 'base64')), payload, 'DEFLATE'), Buffer.alloc(0));
}
// Failures the SDK reports (decc must fail too): recorded with the SDK's message.
const failures = [];
async function addFailure(name, buf) {
  let msg = null;
  try { await decryptResult(buf, privateKey); } catch (e) { msg = e.message; }
  assert(msg !== null, `SDK should reject ${name}`);
  failures.push({ name, sdk_error: msg, archive: buf.toString('base64') });
}
{
  const keyB64 = enc.generateAes256Key();
  const payload = await enc.encryptAes256Cbc(inner, keyB64);
  const keyEntry = rsaEnc(Buffer.from(keyB64, 'base64'));
  const z1 = new JSZip(); z1.file('iexec_out.zip.aes', payload);
  await addFailure('missing_key_entry', await z1.generateAsync({ type: 'nodebuffer' }));
  const z2 = new JSZip(); z2.file('aes-key.rsa', keyEntry);
  await addFailure('missing_payload_entry', await z2.generateAsync({ type: 'nodebuffer' }));
  const other = crypto.generateKeyPairSync('rsa', { modulusLength: 4096 });
  const wrong = crypto.publicEncrypt({ key: other.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.from(keyB64, 'base64'));
  await addFailure('wrong_rsa_key', await outerZip(wrong, payload, 'DEFLATE'));
  await addFailure('oversized_key_entry', await outerZip(Buffer.concat([keyEntry, Buffer.alloc(600)]), payload, 'DEFLATE'));
  await addFailure('bad_key_length', await outerZip(rsaEnc(Buffer.alloc(24, 7)), payload, 'DEFLATE'));
  await addFailure('not_a_zip', Buffer.from('this is not a zip archive'));
}
const pubB64 = Buffer.from(publicKey).toString('base64'); // SDK formatEncryptionKey(PEM)

fs.mkdirSync(OUT, { recursive: true });
const meta = (what) => ({
  generator: 'tools/vectors/gen_formats.mjs',
  sdk: `iexec@${sdkVersion}`,
  what,
});
fs.writeFileSync(path.join(OUT, 'dataset.json'), JSON.stringify({
  ...meta('dataset encryption (IV ‖ AES-256-CBC-PKCS7) and checksum (0x SHA-256 of the encrypted bytes) by the SDK'),
  prng: 'xorshift32: x ^= x << 13; x ^= x >>> 17; x ^= x << 5 (uint32); byte = x & 0xff; x starts at seed',
  datasets,
  key_checks: keyChecks,
}, null, 1) + '\n');
fs.writeFileSync(path.join(OUT, 'result.json'), JSON.stringify({
  ...meta('encrypted result archives opened by the SDK decryptResult (all checked by the generator)'),
  private_key_pem: privateKey,
  public_key_pem: publicKey,
  public_key_sms_b64: pubB64,
  iexec_out_zip: inner.toString('base64'),
  archives,
  failures,
}, null, 1) + '\n');
console.log(`wrote ${datasets.length} dataset vectors, ${archives.length} archives, ${failures.length} failure cases`);

// ---- optional cross-check against a built decc ----------------------------
if (DECC) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'decc-fmt-'));
  try {
    fs.writeFileSync(path.join(tmp, 'pub.pem'), publicKey);
    fs.writeFileSync(path.join(tmp, 'pub.b64'), pubB64);
    fs.writeFileSync(path.join(tmp, 'iexec_out.zip'), inner);
    for (const pub of ['pub.pem', 'pub.b64']) {
      execFileSync(DECC, ['-q', 'result', 'encrypt', path.join(tmp, 'iexec_out.zip'),
        '--public-key', path.join(tmp, pub), '-o', path.join(tmp, `enc-${pub}.zip`)]);
      const out = await decryptResult(fs.readFileSync(path.join(tmp, `enc-${pub}.zip`)), privateKey);
      assert(Buffer.compare(Buffer.from(out), inner) === 0, `SDK decrypts decc's archive (${pub})`);
    }
    for (const size of [0, 1, 16, 100000]) {
      const plain = prng(0x3000 + size, size);
      fs.writeFileSync(path.join(tmp, 'plain'), plain);
      const keyB64 = enc.generateAes256Key();
      fs.writeFileSync(path.join(tmp, 'k'), keyB64);
      const sum = execFileSync(DECC, ['-q', 'dataset', 'encrypt', path.join(tmp, 'plain'),
        '--key-file', path.join(tmp, 'k'), '-o', path.join(tmp, 'plain.enc'), '--force']).toString().trim();
      const ct = fs.readFileSync(path.join(tmp, 'plain.enc'));
      assert(sum === await enc.sha256Sum(ct), `checksum of decc's dataset (${size})`);
      const d = forgeAes.cipher.createDecipher('AES-CBC', forgeAes.util.createBuffer(Buffer.from(keyB64, 'base64')));
      d.start({ iv: forgeAes.util.createBuffer(ct.subarray(0, 16)) });
      d.update(forgeAes.util.createBuffer(ct.subarray(16)));
      assert(d.finish(), `forge unpads decc's dataset (${size})`);
      assert(Buffer.compare(Buffer.from(d.output.getBytes(), 'binary'), plain) === 0, `forge decrypts decc's dataset (${size})`);
    }
    console.log('decc cross-check passed (result encrypt -> SDK decryptResult, dataset encrypt -> SDK AES/sha256Sum)');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
