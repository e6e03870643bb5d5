// compile.mjs — compiles decc's Solidity contracts (contracts/*.sol) with
// the pinned npm solc (0.8.28, installed by tools/engines/install.sh) into
// contracts/build/<Name>.json, reproducibly: same source + same compiler +
// the fixed settings below = the same bytes, which is what
// tests/integration/test_contracts.sh checks against the committed files.
//
// Usage: node tools/contracts/compile.mjs [--out DIR]
//   DIR defaults to <repo>/contracts/build. The compiler is taken from
//   $DECC_ENGINES_DIR/chain/node_modules/solc (default
//   ${XDG_CACHE_HOME:-~/.cache}/decc-engines); any other version is refused.
// Output per contract: {contractName, sourceName, compilerVersion, settings,
//   sourceHash (SHA-256 of the source file, hex), abi, bytecode,
//   deployedBytecode, immutableReferences}, JSON with 2-space indent and a
//   final newline, written atomically.
//
// Settings and why:
// - optimizer on, 200 runs: solc's default trade-off between deployment
//   size and call cost, and what PoCo's own artifacts use.
// - evmVersion "paris": the newest target without PUSH0 (Shanghai), MCOPY or
//   transient storage (Cancun). Paris bytecode runs on every chain with the
//   London/merge opcode set — anvil at any hardfork, Arbitrum One/Sepolia,
//   and EVM chains or L2s that never adopted Shanghai — whereas Shanghai
//   code fails there with an invalid opcode. The contract gains nothing
//   from the newer opcodes beyond a few gas.
// - metadata appended as solc's default (IPFS hash): it identifies the exact
//   source and settings, and is deterministic.
// - compilation warnings are errors: the committed bytecode comes from a
//   source solc has nothing to say about.
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOLC_VERSION = '0.8.28';
const CONTRACTS = ['DataProtector']; // contracts/<Name>.sol defines contract <Name>
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'paris',
};

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let outDir = path.join(repo, 'contracts', 'build');
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--out' && i + 1 < argv.length) outDir = path.resolve(argv[++i]);
  else {
    console.error('usage: node tools/contracts/compile.mjs [--out DIR]');
    process.exit(2);
  }
}

const engines = process.env.DECC_ENGINES_DIR ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'decc-engines');
const chainDir = path.join(engines, 'chain');
if (!fs.existsSync(path.join(chainDir, 'node_modules', 'solc', 'package.json'))) {
  console.error(`compile.mjs: solc not installed in ${chainDir} (run tools/engines/install.sh chain)`);
  process.exit(3);
}
const solc = createRequire(path.join(chainDir, 'package.json'))('solc');
const version = solc.version();
if (!version.startsWith(SOLC_VERSION + '+')) {
  console.error(`compile.mjs: solc ${version} found, ${SOLC_VERSION} required (run tools/engines/install.sh chain)`);
  process.exit(3);
}

function writeAtomic(file, text) {
  const tmp = `${file}.tmp${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

fs.mkdirSync(outDir, { recursive: true });
for (const name of CONTRACTS) {
  const sourceName = `contracts/${name}.sol`;
  const content = fs.readFileSync(path.join(repo, sourceName), 'utf8');
  const input = {
    language: 'Solidity',
    sources: { [sourceName]: { content } },
    settings: {
      ...SETTINGS,
      outputSelection: {
        [sourceName]: {
          [name]: ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object',
            'evm.deployedBytecode.immutableReferences'],
        },
      },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const problems = output.errors || [];
  for (const e of problems) console.error(e.formattedMessage || e.message);
  if (problems.length) {
    console.error(`compile.mjs: ${sourceName}: ${problems.length} error(s)/warning(s); nothing written`);
    process.exit(1);
  }
  const c = output.contracts?.[sourceName]?.[name];
  if (!c || !c.evm.bytecode.object) {
    console.error(`compile.mjs: ${sourceName} defines no contract ${name}`);
    process.exit(1);
  }
  const artifact = {
    contractName: name,
    sourceName,
    compilerVersion: version,
    settings: SETTINGS,
    sourceHash: crypto.createHash('sha256').update(content, 'utf8').digest('hex'),
    abi: c.abi,
    bytecode: '0x' + c.evm.bytecode.object,
    deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    immutableReferences: c.evm.deployedBytecode.immutableReferences || {},
  };
  const file = path.join(outDir, `${name}.json`);
  writeAtomic(file, JSON.stringify(artifact, null, 2) + '\n');
  console.error(`compiled ${sourceName} with solc ${version} -> ${path.relative(process.cwd(), file) || file}`);
}
