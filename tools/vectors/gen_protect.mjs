#!/usr/bin/env node
// gen_protect.mjs — known-answer vectors for decc's protect layer, computed
// with the official DataProtector packages (never by decc itself):
//   * @iexec/dataprotector@0.5.3   (legacy format)   dist/utils/data.js
//   * @iexec/dataprotector@2.0.0-beta.27 (v2/borsh)  dist/src/utils/data.js
//   * @iexec/dataprotector-deserializer@0.1.1        (what an iApp reads with)
//   * magic-bytes.js (the SDK's MIME sniffer; its signature table is exported
//     as facts for lib/protect/mime_sigs.inc)
//
// Install the packages outside the repository, e.g.
//   mkdir -p $S/legacy $S/v2 $S/deser
//   (cd $S/legacy && npm i @iexec/dataprotector@0.5.3)
//   (cd $S/v2 && npm i @iexec/dataprotector@2.0.0-beta.27)
//   (cd $S/deser && npm i @iexec/dataprotector-deserializer@0.1.1)
// then run:  DP_SCRATCH=$S [DECC=build/bin/decc] node tools/vectors/gen_protect.mjs
//
// With DECC set, the script also runs decc on every valid case, requires its
// schema and zip to be byte-identical to the SDK's, and runs the SDK's
// deserializer over the decc-made zips (recorded in deserializer_decc.json).
//
// Outputs (tests/vectors/protect/): objects.json, mime.json,
// deserializer.json, deserializer_decc.json (only with DECC), and
// lib/protect/mime_sigs.inc.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const S = process.env.DP_SCRATCH || '/work/scratch/protect';
const OUT = path.join(ROOT, 'tests/vectors/protect');
const DECC = process.env.DECC || '';

const legacy = await import(path.join(S, 'legacy/node_modules/@iexec/dataprotector/dist/utils/data.js'));
const v2 = await import(path.join(S, 'v2/node_modules/@iexec/dataprotector/dist/src/utils/data.js'));
const { IExecDataProtectorDeserializer } = await import(
  path.join(S, 'deser/node_modules/@iexec/dataprotector-deserializer/dist/esm/index.js'));
const pkgVersion = (p) => JSON.parse(fs.readFileSync(path.join(S, p, 'package.json'), 'utf8')).version;
const versions = {
  legacy: pkgVersion('legacy/node_modules/@iexec/dataprotector'),
  v2: pkgVersion('v2/node_modules/@iexec/dataprotector'),
  deserializer: pkgVersion('deser/node_modules/@iexec/dataprotector-deserializer'),
  'magic-bytes.js': pkgVersion('v2/node_modules/magic-bytes.js'),
  jszip: pkgVersion('v2/node_modules/jszip'),
  borsh: pkgVersion('v2/node_modules/borsh'),
};

// JSZip stamps entries with `new Date()` (UTC fields). Pin the clock to
// 1980-01-01T00:00:00Z — the DOS epoch decc writes — so the SDK's zips are
// reproducible and comparable byte for byte.
const RealDate = Date;
const FIXED = RealDate.UTC(1980, 0, 1, 0, 0, 0);
globalThis.Date = class extends RealDate {
  constructor(...a) { if (a.length === 0) super(FIXED); else super(...a); }
  static now() { return FIXED; }
};

// ---- deterministic pseudo-random bytes ---------------------------------
let seed = 0x12345678;
const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 16) & 0xff; };
const rbytes = (n) => Uint8Array.from({ length: n }, rnd);
const hex = (u8) => Buffer.from(u8).toString('hex');
const b64 = (u8) => Buffer.from(u8).toString('base64');
const bytes = (...parts) => Uint8Array.from(Buffer.concat(parts.map((p) =>
  typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

// ---- decc input JSON  ->  SDK JavaScript object --------------------------
// {"$base64": ".."} -> Uint8Array, {"$i128": "-1"} -> BigInt; everything else
// as JSON.parse gives it (so JS property order applies, as in the SDK).
const special = (v) => v && typeof v === 'object' && !Array.isArray(v) &&
  Object.keys(v).length === 1 && ['$base64', '$i128'].includes(Object.keys(v)[0]);
const toJs = (v) => {
  if (special(v)) return v.$base64 !== undefined ? new Uint8Array(Buffer.from(v.$base64, 'base64')) : BigInt(v.$i128);
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJs(x);
    return o;
  }
  return v;
};

// ---- sample binaries ----------------------------------------------------
const JSZip = createRequire(path.join(S, 'v2/package.json'))('jszip');
const smallZip = await new JSZip().file('hello.txt', 'hello').generateAsync({ type: 'uint8array' });
const bin = {
  pdf: bytes('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n'),
  png: bytes('\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89'),
  zip: smallZip,
  unknown: bytes('hello binary \x01\x02\x03'),
  empty: new Uint8Array(0),
  gif: bytes('GIF89a\x01\x00\x01\x00\x00\x00\x00;'),
  jpeg: bytes('\xff\xd8\xff\xe0\x00\x10JFIF\x00'),
  webp: bytes('RIFF\x24\x00\x00\x00WEBPVP8 '),
  wav: bytes('RIFF\x24\x00\x00\x00WAVEfmt '),
  avi: bytes('RIFF\x24\x00\x00\x00AVI LIST'),
  mp4: bytes('\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00'),
  midi: bytes('MThd\x00\x00\x00\x06\x00\x01'),
  mp3: bytes('ID3\x03\x00\x00\x00\x00\x00\x00'),
  bmp: bytes('BM\x36\x00\x00\x00'),
  xml: bytes('<?xml version="1.0"?><a/>'),
  mpeg: bytes('\x00\x00\x01\xba\x44\x00'),
  docx: bytes('PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00'),
  tar: bytes(new Uint8Array(257), 'ustar\x0000'),
};
const B = (k) => ({ $base64: b64(bin[k]) });

// ---- cases ----------------------------------------------------------------
// Each input is decc's CLI JSON. formats: which formats accept it; a case may
// be valid in one format and rejected in the other (the SDK decides).
const cases = [
  { name: 'flat', input: { email: 'a@b.c', age: 42, ok: true, no: false } },
  { name: 'nested', input: { user: { name: 'Alice', address: { city: 'Paris', zip: '75001' } }, n: 1, empty: {} } },
  { name: 'unicode', input: { s: 'h\u00e9llo w\u00f6rld \u2713 \u{1F600} \u0000 nul', emptystr: '', ctl: 'a\tb\nc"d\\e' } },
  // JSON text where the text itself matters (key order as written, -0, 1.0)
  { name: 'key_order', json: '{"b":1,"10":2,"2":3,"a":{"1":true,"z":false,"0":"x"},"007":4,"4294967295":5,"4294967294":6}' },
  { name: 'safe_ints', json: '{"max":9007199254740991,"min":-9007199254740991,"zero":0,"negzero":-0,"e3":1e3,"one":1.0,"neg":-5}' },
  { name: 'floats', path: { legacy: 'pointone' }, json: '{"pointone":0.1,"negzero":-0,"huge":1e308,"tiny":5e-324,"neg":-2.5,"int":42,"third":0.3333333333333333,"big":123456789012345678901234567890}' },
  { name: 'bigints', path: { legacy: 'a' }, input: { a: { $i128: '-123' }, max: { $i128: '170141183460469231731687303715884105727' },
      min: { $i128: '-170141183460469231731687303715884105728' }, zero: { $i128: '0' }, one: { $i128: '1' },
      // the SDK's range check lets 2^127 through; borsh then writes it modulo 2^128
      wrap: { $i128: '170141183460469231731687303715884105728' } } },
  { name: 'booleans', input: { t: true, f: false, deep: { deeper: { t: true, f: false } } } },
  { name: 'binaries', input: Object.fromEntries(Object.keys(bin).map((k) => [k, B(k)])) },
  { name: 'mixed', input: { email: 'a@b.c', age: 42, ok: true, nested: { file: B('pdf'), pic: B('png') }, s: '' } },
  { name: 'empty', input: {} },
  { name: 'keys_charset', input: { 'A-Z_a-z-0_9': 'x', '-': 1, _: 2 } },
  // invalid ones (both formats unless the SDK accepts it)
  { name: 'bad_key_space', input: { ok: 1, nested: { 'bad key': 1 } }, path: 'nested.bad key' },
  { name: 'bad_key_empty', input: { '': 1 }, path: '' },
  { name: 'bad_key_unicode', input: { '\u00e9': 1 }, path: '\u00e9' },
  { name: 'bad_key_dot', input: { a: { 'b.c': 1 } }, path: 'a.b.c' },
  { name: 'bad_key_dollar', input: { $x: 1 }, path: '$x' },
  { name: 'null_value', input: { a: { b: null } }, path: 'a.b' },
  { name: 'array_value', input: { arr: [1, 2] }, path: 'arr' },
  { name: 'legacy_float', input: { x: { y: 0.5 } }, path: { legacy: 'x.y' } },
  { name: 'legacy_unsafe_int', input: { n: 9007199254740992 }, path: { legacy: 'n' } },
  { name: 'legacy_huge', input: { n: 1e308 }, path: { legacy: 'n' } },
  { name: 'i128_too_big', input: { n: { $i128: '170141183460469231731687303715884105729' } }, path: 'n' },
  { name: 'i128_too_small', input: { n: { $i128: '-170141183460469231731687303715884105729' } }, path: 'n' },
  // error order follows the SDK: JS property order, validation before serialization
  { name: 'order_index_first', json: '{"z":{"bad key":1},"1":{"":2}}', path: '1.' },
  { name: 'order_validate_first', input: { a: 0.5, 'b c': 1 }, path: 'b c' },
  { name: 'order_array_before_key', input: { a: [1], 'b c': 1 }, path: 'a' },
];

// What protectData would do, step by step (validation, then serialization).
async function sdkRun(lib, obj) {
  try { lib.ensureDataObjectIsValid(obj); } catch (e) { return { error: e.message, stage: 'validate' }; }
  const schema = await lib.extractDataSchema(obj);
  let zip;
  try { zip = await lib.createZipFromObject(obj); } catch (e) { return { error: e.message, stage: 'serialize' }; }
  return { schema: JSON.stringify(schema), zip };
}

// Entries of a zip, in central-directory order, read with JSZip.
async function zipEntries(u8) {
  const z = await new JSZip().loadAsync(u8);
  const out = [];
  for (const name of Object.keys(z.files)) {
    const f = z.files[name];
    out.push(f.dir ? { name, dir: true } : { name, hex: hex(await f.async('uint8array')) });
  }
  return out;
}

// Leaves (path, schema type) of a schema, in order.
const leaves = (schema, prefix = '') => Object.entries(schema).flatMap(([k, t]) =>
  typeof t === 'object' ? leaves(t, prefix + k + '.') : [[prefix + k, t]]);

// A JS value returned by the deserializer, as JSON both sides can compare.
const jsNum = (x) => (Object.is(x, -0) ? '-0' : String(x));
const enc = (v) => {
  if (typeof v === 'boolean') return { bool: v };
  if (typeof v === 'number') return { number: jsNum(v) };
  if (typeof v === 'bigint') return { i128: v.toString() };
  if (typeof v === 'string') return { string: Buffer.from(v, 'utf8').toString('hex') };
  return { bytes: hex(v) };
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gen_protect-'));
async function readAll(zipU8, reads) {
  const f = path.join(tmp, `z${Math.random().toString(16).slice(2)}.zip`);
  fs.writeFileSync(f, zipU8);
  const out = [];
  for (const mode of ['borsh', 'legacy', 'optimistic']) {
    const d = new IExecDataProtectorDeserializer({ mode, protectedDataPath: f });
    for (const [p, type] of reads) {
      try { out.push({ mode, path: p, type, ...enc(await d.getValue(p, type)) }); } catch (e) { out.push({ mode, path: p, type, error: e.message }); }
    }
  }
  fs.unlinkSync(f);
  return out;
}
const READ_TYPES = ['bool', 'f64', 'i128', 'string', 'number', 'boolean', 'application/pdf'];

const objects = { generator: 'tools/vectors/gen_protect.mjs', versions, dos_date: '1980-01-01T00:00:00Z', cases: [] };
const deser = { generator: 'tools/vectors/gen_protect.mjs', versions, zips: [] };
for (const c of cases) {
  const text = c.json ?? JSON.stringify(c.input);
  const obj = toJs(JSON.parse(text));
  const entry = { name: c.name, input_json: text };
  for (const [fmt, lib] of [['legacy', legacy], ['v2', v2]]) {
    const r = await sdkRun(lib, obj);
    const wantPath = typeof c.path === 'object' ? c.path[fmt] : c.path;
    if (r.error) {
      if (wantPath === undefined) throw new Error(`${c.name}/${fmt}: unexpected SDK error ${r.error}`);
      entry[fmt] = { error: r.error, stage: r.stage, path: wantPath };
    } else {
      entry[fmt] = { schema: r.schema, entries: await zipEntries(r.zip), zip_b64: b64(r.zip) };
      const reads = [...leaves(JSON.parse(r.schema)).flatMap(([p, t]) => [t, ...READ_TYPES].map((ty) => [p, ty])),
        ['missing.path', 'string']];
      deser.zips.push({ case: c.name, format: fmt, zip_b64: b64(r.zip), reads: await readAll(r.zip, reads) });
      if (wantPath !== undefined) throw new Error(`${c.name}/${fmt}: the SDK accepted it`);
    }
  }
  objects.cases.push(entry);
}

// Tricky bytes for the deserializer's borsh / legacy / optimistic decoding.
const tricky = {
  empty: '', borsh_hello: '05000000hello', borsh_short: '05000000hel', legacy_hello: 'hello',
  bad_utf8: '\xff\xfe\x41', borsh_bad_utf8: '03000000\xff\xfe\x41', borsh_lone_surrogate: '03000000\xed\xa0\x80',
  borsh_pair_surrogates: '06000000\xed\xa0\xbd\xed\xb8\x80', borsh_too_high_cp: '04000000\xf8\x88\x80\x80',
  borsh_trunc_seq: '02000000\x41\xe2', legacy_trunc_seq: '\x41\xe2\x82', overlong: '\xc0\xaf\x41', surrogate_raw: '\xed\xa0\x80x',
  num_ws: ' 42 ', num_hex: '0x1f', num_HEX: '0X1F', num_bin: '0b101', num_oct: '0o17', num_exp: '1e3', num_negzero: '-0',
  num_abc: 'abc', num_inf: 'Infinity', num_neginf: '-Infinity', num_plusinf: '+Infinity', num_plus: '+5', num_dot5: '.5', num_5dot: '5.',
  num_underscore: '1_000', num_nbsp: '\t\n 7 \xc2\xa0', num_big: '12345678901234567890', num_neg_hex: '-0x10', num_inf_lower: 'inf',
  num_nan: 'NaN', num_exp_only: 'e5', num_dot: '.', num_sign: '-', num_e_sign: '1e+', num_frac: '-12.5e-3', num_bom: '\xef\xbb\xbf3',
  num_ls: '\xe2\x80\xa85', num_huge: '1e400', num_tiny: '1e-400', num_lead0: '007', num_hex_frac: '0x1.8',
  bool_2: '\x02', bool_01: '\x00\x01', bool_10: '\x01\x00', i128_ff: '\xff'.repeat(16), i128_short: '\x01'.repeat(15),
  i128_long: '\x02' + '\x00'.repeat(16), f64_nan: '\x01\x00\x00\x00\x00\x00\xf8\x7f', f64_short: '\x00\x00\x00',
  f64_negzero: '\x00\x00\x00\x00\x00\x00\x00\x80', f64_inf: '\x00\x00\x00\x00\x00\x00\xf0\x7f',
};
const trickyHex = Object.fromEntries(Object.entries(tricky).map(([k, v]) =>
  [k, v.startsWith('0') && /^[0-9a-f]{8}/.test(v) ? Buffer.concat([Buffer.from(v.slice(0, 8), 'hex'), Buffer.from(v.slice(8), 'latin1')]).toString('hex')
    : Buffer.from(v, 'latin1').toString('hex')]));
{
  const z = new JSZip();
  for (const [k, h] of Object.entries(trickyHex)) z.file(k, Buffer.from(h, 'hex'));
  z.folder('dir');
  const u8 = await z.generateAsync({ type: 'uint8array' });
  const reads = Object.keys(trickyHex).flatMap((k) => [...READ_TYPES, 'x'].map((t) => [k, t]));
  reads.push(['dir', 'string'], ['dir/', 'string'], ['nope', 'bool']);
  deser.zips.push({ case: 'tricky', format: 'raw', zip_b64: b64(u8), entries_hex: trickyHex, reads: await readAll(u8, reads) });
}

// ---- magic-bytes.js signature table (facts) ------------------------------
const mbRequire = createRequire(path.join(S, 'v2/node_modules/magic-bytes.js/package.json'));
const sigs = [];
{
  const file = mbRequire.resolve('magic-bytes.js/dist/model/pattern-tree.js');
  const exp = new Proxy({}, {
    get: (t, k) => (k === 'add' ? (name, sig, info, off) => sigs.push({ name, sig: sig.map((s) => s.toLowerCase()), mime: info?.mime ?? null, offset: off || 0 }) : t[k]),
    set: (t, k, v) => { if (k !== 'add') t[k] = v; return true; },
  });
  vm.runInNewContext(fs.readFileSync(file, 'utf8'), { exports: exp, require: createRequire(file) });
}
const SUPPORTED = ['application/octet-stream', 'application/pdf', 'application/xml', 'application/zip', 'audio/midi',
  'audio/mpeg', 'audio/x-wav', 'image/bmp', 'image/gif', 'image/jpeg', 'image/png', 'image/webp', 'video/mp4',
  'video/mpeg', 'video/x-msvideo'];
{
  const lines = [
    '/* mime_sigs.inc — GENERATED by tools/vectors/gen_protect.mjs from',
    ` * magic-bytes.js ${versions['magic-bytes.js']} (dist/model/pattern-tree.js): every signature, in`,
    ' * registration order (the order matters: it shapes the match tree). Facts',
    ' * only: offset, bytes (-1 = "?" wildcard) and the MIME index in',
    ' * decc_pd_mime_supported[] (-1 = a type the SDK does not support). */',
  ];
  for (const s of sigs) {
    const mi = s.mime === null ? -1 : SUPPORTED.indexOf(s.mime);
    const b = s.sig.map((x) => (x === '?' ? '-1' : String(parseInt(x, 16)))).join(', ');
    lines.push(`SIG(${s.offset}, ${s.sig.length}, ${mi}, ${JSON.stringify(s.name)}, {${b}})`);
  }
  fs.writeFileSync(path.join(ROOT, 'lib/protect/mime_sigs.inc'), lines.join('\n') + '\n');
}

// ---- MIME vectors: the SDK's extractDataSchema on crafted buffers ---------
const mime = { generator: 'tools/vectors/gen_protect.mjs', versions, cases: [] };
async function sdkMime(u8) {
  const a = (await v2.extractDataSchema({ x: u8 })).x;
  const b = (await legacy.extractDataSchema({ x: u8 })).x;
  if (a !== b) throw new Error(`legacy/v2 MIME disagree on ${hex(u8)}`);
  return a;
}
const fill = (s) => Uint8Array.from(s.sig.map((x) => (x === '?' ? rnd() : parseInt(x, 16))));
for (const s of sigs) {
  const pad = rbytes(s.offset);
  const body = fill(s);
  for (const buf of [bytes(pad, body), bytes(pad, body, rbytes(6)), bytes(pad, body.slice(0, body.length - 1))]) {
    mime.cases.push({ hex: hex(buf), mime: await sdkMime(buf) });
  }
}
for (let i = 0; i < 300; i++) {
  const s = sigs[rnd() % sigs.length];
  const body = fill(s);
  const cut = body.slice(0, 1 + (rnd() % body.length));
  if (rnd() & 1) cut[rnd() % cut.length] = rnd();
  const buf = bytes(s.offset && (rnd() & 1) ? rbytes(s.offset) : new Uint8Array(0), cut, rbytes(rnd() % 5));
  mime.cases.push({ hex: hex(buf), mime: await sdkMime(buf) });
}
for (const k of Object.keys(bin)) mime.cases.push({ hex: hex(bin[k]), mime: await sdkMime(bin[k]) });

// ---- decc cross-check ------------------------------------------------------
// objects.json is meant to be read by people; the bulk files one record a line.
const write = (f, o) => fs.writeFileSync(path.join(OUT, f), f === 'objects.json' ? JSON.stringify(o, null, 1) + '\n'
  : JSON.stringify(o).replace(/\},\{"(mode|hex)"/g, '},\n{"$1"') + '\n');
fs.mkdirSync(OUT, { recursive: true });
if (DECC) {
  const dd = { generator: 'tools/vectors/gen_protect.mjs', versions, note: 'zips made by decc, read by the SDK deserializer', zips: [] };
  let fails = 0;
  for (const c of objects.cases) {
    for (const fmt of ['legacy', 'v2']) {
      const want = c[fmt];
      const inFile = path.join(tmp, 'in.json');
      const outFile = path.join(tmp, 'out.zip');
      fs.writeFileSync(inFile, c.input_json);
      let schema, zip, err;
      try {
        schema = execFileSync(DECC, ['data', 'schema', '--format', fmt, inFile], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
        execFileSync(DECC, ['data', 'serialize', '--format', fmt, inFile, '-o', outFile], { stdio: ['ignore', 'pipe', 'pipe'] });
        zip = fs.readFileSync(outFile);
      } catch (e) { err = e.stderr.toString().trim(); }
      if (want.error) {
        const exp = `decc: ${want.error} (at "${want.path}")`;
        if (err !== exp) { fails++; console.error(`${c.name}/${fmt}: want error ${exp}, got ${err ?? 'success'}`); }
        continue;
      }
      if (err) { fails++; console.error(`${c.name}/${fmt}: decc failed: ${err}`); continue; }
      if (schema !== want.schema) { fails++; console.error(`${c.name}/${fmt}: schema ${schema} != ${want.schema}`); }
      if (b64(zip) !== want.zip_b64) { fails++; console.error(`${c.name}/${fmt}: zip differs from the SDK's`); }
      const reads = leaves(JSON.parse(want.schema)).map(([p, t]) => [p, t]);
      const got = await readAll(new Uint8Array(zip), reads);
      const sdkReads = await readAll(Buffer.from(want.zip_b64, 'base64'), reads);
      if (JSON.stringify(got) !== JSON.stringify(sdkReads)) { fails++; console.error(`${c.name}/${fmt}: deserializer reads differ`); }
      dd.zips.push({ case: c.name, format: fmt, zip_b64: b64(zip), reads: got });
    }
  }
  if (fails) { console.error(`${fails} decc mismatches`); process.exit(1); }
  write('deserializer_decc.json', dd);
  console.log(`decc agrees with the SDK on every case; ${dd.zips.length} decc zips read back by the deserializer`);
}
write('objects.json', objects);
write('deserializer.json', deser);
write('mime.json', mime);
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`objects: ${objects.cases.length} cases, mime: ${mime.cases.length}, deserializer zips: ${deser.zips.length}, signatures: ${sigs.length}`);
