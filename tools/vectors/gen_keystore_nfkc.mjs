// gen_keystore_nfkc.mjs — a V3 keystore written by ethers 6 with a password
// that Unicode NFKC normalisation changes, for lib/eth/keystore.c (which
// normalises passwords as ethers' getPassword does: toUtf8Bytes(pw, "NFKC")).
//
// Uses the ethers the SDK harness installs (tools/sdk/install.sh) or any
// ethers 6 on NODE_PATH. From the repository root:
//   node tools/vectors/gen_keystore_nfkc.mjs
//   DECC=build/bin/decc node tools/vectors/gen_keystore_nfkc.mjs   # + reverse check
//
// Writes tests/vectors/keystore/ethers_nfkc_password.json (the file, byte for
// byte as ethers wrote it), ethers_raw_password_bytes.json (the same password
// passed to ethers as UTF-8 bytes, which it does not normalise — what geth
// writes) and ethers_nfkc_index.json: the password as given
// to ethers, equivalent spellings of it (NFC, NFD, NFKC, NFKD: all open the
// file with ethers, which the script checks), a spelling NFKC does not
// map to the same bytes (must be refused), the key and the address.
// With DECC set, `decc wallet import` also encrypts a key under the
// un-normalised password, and ethers must decrypt that file with each
// spelling — the direction the C tests cannot check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SDK = path.join(process.env.DECC_ENGINES_DIR || path.join(os.homedir(), '.cache/decc-engines'), 'sdk/node_modules');
const require = createRequire(path.join(process.env.NODE_PATH || SDK, 'x.js'));
const ethers = require('ethers');
const { encryptKeystoreJsonSync, decryptKeystoreJsonSync, keccak256, toUtf8Bytes, computeAddress, hexlify } = ethers;

const OUT = path.join(ROOT, 'tests/vectors/keystore');
// Compatibility characters NFKC rewrites: the "ﬁ" ligature (U+FB01 → "fi"),
// a circled digit (U+2460 → "1"), a fullwidth letter (U+FF21 → "A"), a
// superscript two (U+00B2 → "2"), and "Å" spelt as the Angstrom sign
// (U+212B → U+00C5) — plus plain ASCII around them.
const PASSWORD = 'p\uFB01le-\u2460\uFF21\u00B2-\u212Bngstr\u00F6m';
const key = keccak256(toUtf8Bytes('decc keystore vector ethers_nfkc_password'));
const forms = ['NFC', 'NFD', 'NFKC', 'NFKD'].map((f) => PASSWORD.normalize(f));
if (forms[2] === PASSWORD) throw new Error('the password must change under NFKC');
// Not equivalent: the ligature spelt out but the circled digit kept as "2".
const WRONG = 'pfile-2A2-\u00C5ngstr\u00F6m';

const file = 'ethers_nfkc_password.json';
const text = encryptKeystoreJsonSync({ address: computeAddress(key), privateKey: key }, PASSWORD, { scrypt: { N: 1024 } });
fs.writeFileSync(path.join(OUT, file), text + '\n');
for (const pw of [PASSWORD, ...forms]) {
  if (decryptKeystoreJsonSync(text, pw).privateKey !== key) throw new Error(`ethers: ${JSON.stringify(pw)} gave another key`);
}
let refused = false;
try { decryptKeystoreJsonSync(text, WRONG); } catch { refused = true; }
if (!refused) throw new Error('ethers opened the file with the wrong password');

// The same password given as bytes (ethers then does not normalise, like
// geth): decc must still open it with those exact bytes (its raw fallback).
const rawFile = 'ethers_raw_password_bytes.json';
const rawKey = keccak256(toUtf8Bytes('decc keystore vector ethers_raw_password_bytes'));
const rawText = encryptKeystoreJsonSync({ address: computeAddress(rawKey), privateKey: rawKey }, toUtf8Bytes(PASSWORD), { scrypt: { N: 1024 } });
fs.writeFileSync(path.join(OUT, rawFile), rawText + '\n');
if (decryptKeystoreJsonSync(rawText, toUtf8Bytes(PASSWORD)).privateKey !== rawKey) throw new Error('raw-bytes file');

const hex = (s) => hexlify(toUtf8Bytes(s)); // raw UTF-8 bytes, no normalisation
fs.writeFileSync(path.join(OUT, 'ethers_nfkc_index.json'), JSON.stringify({
  file,
  source: `ethers ${ethers.version} encryptKeystoreJsonSync scrypt N=1024, password normalised by ethers with NFKC`,
  password_utf8: hex(PASSWORD),
  equivalent_passwords_utf8: forms.map(hex),
  nfkc_utf8: hex(forms[2]),
  wrong_password_utf8: hex(WRONG),
  private_key: key,
  address: computeAddress(key).toLowerCase(),
  raw_bytes_file: rawFile,
  raw_bytes_private_key: rawKey,
}, null, 2) + '\n');
console.log(`wrote ${path.join(OUT, file)} and ethers_nfkc_index.json`);

if (process.env.DECC) {
  // decc encrypts with the un-normalised password; ethers must open it.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nfkc-'));
  try {
    const dkey = keccak256(toUtf8Bytes('decc keystore vector decc_nfkc_password'));
    fs.writeFileSync(path.join(tmp, 'pw'), PASSWORD);
    fs.writeFileSync(path.join(tmp, 'key'), dkey);
    execFileSync(process.env.DECC, ['--home', tmp, 'wallet', 'import', '--name', 'n', '--private-key-file',
      path.join(tmp, 'key'), '--password-file', path.join(tmp, 'pw'), '--scrypt-n', '1024'], { stdio: 'pipe' });
    const dtext = fs.readFileSync(path.join(tmp, 'wallets/n.json'), 'utf8');
    for (const pw of [PASSWORD, ...forms]) {
      if (decryptKeystoreJsonSync(dtext, pw).privateKey !== dkey) throw new Error(`decc's file: ${JSON.stringify(pw)} failed`);
    }
    console.log('decc wallet import: ethers opens its file with every equivalent spelling');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
