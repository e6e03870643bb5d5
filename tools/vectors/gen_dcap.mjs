// gen_dcap.mjs — expected DCAP verification results for decc's tests,
// computed by an independent verifier: the npm package @phala/dcap-qvl
// (pure JavaScript, pinned to 0.3.9), on the real quotes and collateral in
// tests/vectors/dcap/ at pinned "now" times.
// Usage (dcap-qvl installed outside the repo):
//   mkdir -p ~/.cache/decc-dcap-qvl && cd ~/.cache/decc-dcap-qvl &&
//     npm init -y && npm install --save-exact @phala/dcap-qvl@0.3.9
//   DECC_DCAP_QVL=~/.cache/decc-dcap-qvl node tools/vectors/gen_dcap.mjs \
//     > tests/vectors/dcap/expected.json
import { createRequire } from 'module';
import { readFileSync } from 'fs';
import { join, dirname } from 'path';
import { fileURLToPath } from 'url';

const qvlDir = process.env.DECC_DCAP_QVL;
if (!qvlDir) throw new Error('set DECC_DCAP_QVL to the directory where @phala/dcap-qvl is installed');
const require = createRequire(join(qvlDir, 'package.json'));
const qvl = require('@phala/dcap-qvl');
const version = require('@phala/dcap-qvl/package.json').version;
if (version !== '0.3.9') throw new Error(`expected @phala/dcap-qvl 0.3.9, found ${version}`);

const here = dirname(fileURLToPath(import.meta.url));
const vectors = join(here, '..', '..', 'tests', 'vectors', 'dcap');
const hex = (b) => Buffer.from(b).toString('hex');

// name, quote file, collateral file, now (inside / outside the validity of
// the collateral: TCB info and QE identity are valid for 30 days).
const cases = [
  ['tdx_quote', 'tdx_quote', 'tdx_quote_collateral.json', '2025-06-20T12:00:00Z'],
  ['sgx_quote', 'sgx_quote', 'sgx_quote_collateral.json', '2025-06-20T12:00:00Z'],
  ['tdx_quote_outdated', 'tdx_quote_outdated', 'tdx_quote_outdated_collateral.json', '2026-02-19T12:00:00Z'],
  ['tdx_quote_expired_collateral', 'tdx_quote', 'tdx_quote_collateral.json', '2025-07-20T00:00:00Z'],
  ['tdx_quote_collateral_not_yet_valid', 'tdx_quote', 'tdx_quote_collateral.json', '2025-06-18T00:00:00Z'],
  ['sgx_quote_expired_collateral', 'sgx_quote', 'sgx_quote_collateral.json', '2025-08-01T00:00:00Z'],
];

function reportFields(quote) {
  const r = quote.report;
  if (r.type === 'sgx') {
    const d = r.data;
    return {
      cpu_svn: hex(d.cpuSvn), misc_select: d.miscSelect, attributes: hex(d.attributes),
      mr_enclave: hex(d.mrEnclave), mr_signer: hex(d.mrSigner),
      isv_prod_id: d.isvProdId, isv_svn: d.isvSvn, report_data: hex(d.reportData),
    };
  }
  const d = r.type === 'td15' ? r.data.base : r.data;
  const out = {
    tee_tcb_svn: hex(d.teeTcbSvn), mr_seam: hex(d.mrSeam), mr_signer_seam: hex(d.mrSignerSeam),
    seam_attributes: hex(d.seamAttributes), td_attributes: hex(d.tdAttributes), xfam: hex(d.xfam),
    mr_td: hex(d.mrTd), mr_config_id: hex(d.mrConfigId), mr_owner: hex(d.mrOwner),
    mr_owner_config: hex(d.mrOwnerConfig),
    rt_mr0: hex(d.rtMr0), rt_mr1: hex(d.rtMr1), rt_mr2: hex(d.rtMr2), rt_mr3: hex(d.rtMr3),
    report_data: hex(d.reportData),
  };
  if (r.type === 'td15') {
    out.tee_tcb_svn2 = hex(r.data.teeTcbSvn2);
    out.mr_service_td = hex(r.data.mrServiceTd);
  }
  return out;
}

const out = [];
for (const [name, quoteFile, collFile, nowIso] of cases) {
  const raw = readFileSync(join(vectors, quoteFile));
  const collateral = JSON.parse(readFileSync(join(vectors, collFile), 'utf8'));
  const now = Date.parse(nowIso) / 1000;
  const quote = qvl.Quote.parse(raw);
  const certs = qvl.utils.extractCerts(Buffer.from(quote.rawCertChain()));
  const ext = qvl.utils.getIntelExtension(certs[0]);
  // dcap-qvl 0.3.9's parsePckExtension refuses these certificates (a 3-byte
  // ENUMERATED), so the PPID is not part of the expected outputs.
  const entry = {
    name, quote: quoteFile, collateral: collFile, now: nowIso, now_unix: now,
    version: quote.header.version,
    tee_type: quote.header.teeType,
    qe_svn: quote.header.qeSvn,
    pce_svn: quote.header.pceSvn,
    report_type: quote.report.type,
    fmspc: hex(qvl.utils.getFmspc(ext)).toUpperCase(),
    pck_pcesvn: qvl.utils.getPceSvn(ext),
    pck_cpusvn: hex(qvl.utils.getCpuSvn(ext)),
    report: reportFields(quote),
  };
  try {
    const res = qvl.verify(raw, collateral, now);
    entry.ok = true;
    entry.status = res.status;
    entry.advisory_ids = res.advisory_ids;
  } catch (e) {
    entry.ok = false;
    entry.error = e.message;
  }
  out.push(entry);
}
console.log(JSON.stringify({ source: `@phala/dcap-qvl ${version}`, cases: out }, null, 1));
