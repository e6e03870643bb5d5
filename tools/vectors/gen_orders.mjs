// gen_orders.mjs — iExec order, order-operation and market-challenge vectors
// produced with the official iexec SDK 9.0.1 (and the ethers 6 it ships).
//
// What comes from where:
//  * order hashes: the SDK's own market/order.js `hashApporder` …
//    `hashRequestorder` (which call `computeOrderHash` → sig-utils
//    `hashEIP712` → ethers TypedDataEncoder);
//  * order signatures: the SDK's `signApporder` … `signRequestorder`. Those
//    read the EIP-712 domain from the chain (`domain()` on the PoCo proxy)
//    and the resource owner (`owner()`); we give them a `contracts` object
//    whose `getIExecContract().domain()` returns what PoCo returns
//    ({name:"iExecODB", version:"5.0.0", chainId, verifyingContract: hub},
//    IexecConfigurationFacet._domain) and whose registry `owner()` returns
//    the signer, so no chain is needed. Note the SDK ORs tee+tdx (0x9) into
//    every tag it signs and draws a random salt, so SDK-signed orders carry
//    that tag and salt (recorded as signed).
//  * tags the SDK refuses to sign (e.g. bare 0x0 / gpu / tee on an app
//    order) are signed with ethers `Wallet.signTypedData(domain, types,
//    order)` using the very `types` object the SDK passed to the signer
//    (captured during an SDK signing), and hashed with the SDK's hash
//    function when its validator accepts the order, else with ethers'
//    TypedDataEncoder over the same types. `via` / `hashVia` record which.
//  * operations (<X>OrderOperation, used by manage<X>Order): ethers
//    TypedDataEncoder / signTypedData with the captured order types.
//  * deal ids: keccak256(abi.encodePacked(requestorderHash, consumed)) with
//    ethers solidityPackedKeccak256 (IexecPoco1Facet._matchOrders; the SDK
//    has no function for it); task ids: the SDK's execution/deal.js
//    `computeTaskId(dealid, idx)`.
//  * market Challenge: the typed data exactly as iexec-market-api serves it,
//    hashed with the SDK's sig-utils `hashEIP712` and signed like the SDK's
//    api-utils `getAuthorization` (signer.signTypedData(domain, types
//    without EIP712Domain, message)).
//
// Usage (re-runnable; needs `npm install iexec@9.0.1` in a scratch dir):
//   cd /work/scratch/sign && node /work/main/tools/vectors/gen_orders.mjs \
//     > /work/main/tests/vectors/orders/orders.json
// The scratch node_modules is taken from $IEXEC_NODE_MODULES, else
// ./node_modules of the current directory.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const nm = process.env.IEXEC_NODE_MODULES || path.resolve('node_modules');
const imp = (p) => import(pathToFileURL(path.join(nm, p)).href);
const ethers = await imp('ethers/lib.esm/index.js');
const order = await imp('iexec/dist/esm/common/market/order.js');
const sig = await imp('iexec/dist/esm/common/utils/sig-utils.js');
const deal = await imp('iexec/dist/esm/common/execution/deal.js');
const sdkPkg = JSON.parse(
  await (await import('node:fs/promises')).readFile(path.join(nm, 'iexec/package.json'), 'utf8'),
);
const { Wallet, TypedDataEncoder } = ethers;

const KEYS = [
  '0x' + '11'.repeat(32),
  '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318',
];
const CHAINS = [
  { chainId: 42161, hub: '0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0' },
  { chainId: 421614, hub: '0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E' },
  { chainId: 134, hub: '0x3eca1B216A7DF1C7689aEb259fFB83ADFB894E7f' },
];
const ZERO = '0x0000000000000000000000000000000000000000';
const A1 = '0x1111111111111111111111111111111111111111';
const A2 = '0x2222222222222222222222222222222222222222';
const A3 = '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB';
const A4 = '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb';
const A5 = '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359';
const TAGS = {
  zero: '0x' + '00'.repeat(32),
  tee: '0x' + '00'.repeat(31) + '01',
  teetdx: '0x' + '00'.repeat(31) + '09',
  gpu: '0x' + '00'.repeat(30) + '0100',
  gputeetdx: '0x' + '00'.repeat(30) + '0109',
};
const P64 = (2n ** 64n + 1n).toString();
const PMAX = (2n ** 256n - 1n).toString();
const PNEAR = (2n ** 256n - 12345678901234567890n).toString();
const PARAMS = [
  '',
  JSON.stringify({ iexec_args: 'hello wörld ☃ 😀 "quoted"', iexec_result_storage_provider: 'ipfs' }),
  JSON.stringify({
    iexec_secrets: { 1: 'my-secret' },
    iexec_result_encryption: true,
    iexec_input_files: ['https://example.com/a.txt', 'https://example.com/b.bin'],
    iexec_args: '--flag ünïcödé 数据',
  }),
];

function mockContracts(chain, wallet, captured) {
  const signer = {
    getAddress: async () => wallet.address,
    signTypedData: async (domain, types, value) => {
      const primary = Object.keys(types)[0];
      captured[primary] = types;
      return wallet.signTypedData(domain, types, value);
    },
  };
  return {
    chainId: String(chain.chainId),
    signer,
    getIExecContract: () => ({
      domain: async () => ({
        name: 'iExecODB',
        version: '5.0.0',
        chainId: BigInt(chain.chainId),
        verifyingContract: chain.hub,
      }),
    }),
    getContract: () => ({ owner: async () => wallet.address }),
  };
}

const domainOf = (chain) => ({
  name: 'iExecODB',
  version: '5.0.0',
  chainId: String(chain.chainId),
  verifyingContract: chain.hub,
});

const SPEC = {
  apporder: { primary: 'AppOrder', sign: order.signApporder, hash: order.hashApporder },
  datasetorder: { primary: 'DatasetOrder', sign: order.signDatasetorder, hash: order.hashDatasetorder },
  workerpoolorder: { primary: 'WorkerpoolOrder', sign: order.signWorkerpoolorder, hash: order.hashWorkerpoolorder },
  requestorder: { primary: 'RequestOrder', sign: order.signRequestorder, hash: order.hashRequestorder },
};

function cases(signer) {
  const out = [];
  const tags = [TAGS.zero, TAGS.tee, TAGS.teetdx, TAGS.gpu, TAGS.gputeetdx];
  const prices = ['0', '1000000000', P64, PNEAR, PMAX];
  for (let i = 0; i < tags.length; i++) {
    const price = prices[i];
    const r = i % 2 ? [A3, A4, A5] : [ZERO, ZERO, ZERO];
    out.push(['apporder', {
      app: i === 2 ? A1 : A3, appprice: price, volume: i === 3 ? '9007199254740991' : String(1 + i),
      tag: tags[i], datasetrestrict: r[0], workerpoolrestrict: r[1], requesterrestrict: r[2],
    }]);
    out.push(['datasetorder', {
      dataset: A4, datasetprice: price, volume: i === 1 ? P64 : '1000000', tag: tags[i],
      apprestrict: r[0], workerpoolrestrict: r[1], requesterrestrict: r[2],
    }]);
    out.push(['workerpoolorder', {
      workerpool: A5, workerpoolprice: price, volume: String(10 ** i), tag: tags[i],
      category: String(i), trust: i === 4 ? PMAX : String(i * 7), apprestrict: r[0],
      datasetrestrict: r[1], requesterrestrict: r[2],
    }]);
    out.push(['requestorder', {
      app: A3, appmaxprice: price, dataset: i % 2 ? A4 : ZERO, datasetmaxprice: i === 1 ? P64 : '0',
      workerpool: i % 2 ? A5 : ZERO, workerpoolmaxprice: prices[(i + 2) % prices.length],
      requester: signer, volume: String(i + 1), tag: tags[i], category: String(i % 3),
      trust: String(i), beneficiary: i % 2 ? A2 : signer, callback: i === 3 ? A1 : ZERO,
      params: PARAMS[i % PARAMS.length],
    }]);
  }
  return out;
}

async function trySdk(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

const orders = [];
const operations = [];
const captured = {};

// Prime: let the SDK sign every case once so the types object it hands to
// the signer is captured for each order type.
{
  const wallet = new Wallet(KEYS[0]);
  const contracts = mockContracts(CHAINS[0], wallet, captured);
  for (const [type, unsigned] of cases(wallet.address)) await trySdk(() => SPEC[type].sign(contracts, unsigned));
  for (const s of Object.values(SPEC)) if (!captured[s.primary]) throw new Error(`SDK signed no ${s.primary}`);
}

for (const chain of CHAINS) {
  for (const key of KEYS) {
    const wallet = new Wallet(key);
    const contracts = mockContracts(chain, wallet, captured);
    const domain = domainOf(chain);
    for (const [type, unsigned] of cases(wallet.address)) {
      const spec = SPEC[type];
      const types = captured[spec.primary];
      const variants = [];
      const sdkSigned = await trySdk(() => spec.sign(contracts, unsigned));
      if (!sdkSigned.error)
        variants.push([sdkSigned, `sdk.sign${type[0].toUpperCase()}${type.slice(1)}`]);
      // The SDK refused, or changed the tag (it ORs tee+tdx): also sign the
      // order exactly as given, with the SDK's types and a deterministic salt.
      if (sdkSigned.error || sdkSigned.tag !== unsigned.tag) {
        const salt = ethers.keccak256(ethers.toUtf8Bytes(`decc:${chain.chainId}:${type}:${orders.length}`));
        const salted = { ...unsigned, salt };
        variants.push([
          { ...salted, sign: await wallet.signTypedData(domain, types, salted) },
          'ethers.Wallet.signTypedData(sdk types)',
        ]);
      }
      for (const [signed, via] of variants) {
        const { sign, ...salted } = signed;
        const ethersHash = TypedDataEncoder.hash(domain, types, salted);
        let hash = await trySdk(() => spec.hash(contracts, salted));
        let hashVia = `sdk.hash${type[0].toUpperCase()}${type.slice(1)}`;
        if (typeof hash !== 'string') {
          hash = ethersHash;
          hashVia = 'ethers.TypedDataEncoder.hash(sdk types)';
        } else if (hash !== ethersHash) {
          throw new Error('SDK hash differs from TypedDataEncoder hash');
        }
        orders.push({
          type,
          chainId: chain.chainId,
          hub: chain.hub,
          privateKey: key,
          signer: wallet.address,
          order: signed,
          structHash: TypedDataEncoder.hashStruct(spec.primary, types, salted),
          orderHash: hash,
          via,
          hashVia,
        });
      }
    }
  }
}

// Operations (manage<X>Order): SIGN = 0, CLOSE = 1.
for (const o of orders.filter((_, i) => i % 5 === 0)) {
  const spec = SPEC[o.type];
  const types = {
    [`${spec.primary}Operation`]: [
      { name: 'order', type: spec.primary },
      { name: 'operation', type: 'uint256' },
    ],
    [spec.primary]: captured[spec.primary][spec.primary],
  };
  const { sign, ...salted } = o.order;
  const domain = domainOf(o);
  const wallet = new Wallet(o.privateKey);
  for (const operation of [0, 1]) {
    const value = { order: salted, operation };
    operations.push({
      type: o.type,
      chainId: o.chainId,
      hub: o.hub,
      privateKey: o.privateKey,
      signer: wallet.address,
      order: salted,
      operation,
      typeString: TypedDataEncoder.from(types).encodeType(`${spec.primary}Operation`),
      hash: TypedDataEncoder.hash(domain, types, value),
      sign: await wallet.signTypedData(domain, types, value),
    });
  }
}

// Market login challenge (iexec-market-api services/auth.js shape).
const challenges = [];
const messages = [
  'Sign this message to log into iExec Gateway: 8zCr6ZJ3bV7cNq0Rk2aW',
  'Sign this message to log into iExec Gateway: ünïcödé ✓',
  '',
];
for (const chain of CHAINS) {
  for (const m of messages) {
    const typedData = {
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
          { name: 'chainId', type: 'uint256' },
        ],
        Challenge: [{ name: 'challenge', type: 'string' }],
      },
      domain: { name: 'iExec Gateway', version: '1', chainId: chain.chainId },
      primaryType: 'Challenge',
      message: { challenge: m },
    };
    const wallet = new Wallet(KEYS[0]);
    const { EIP712Domain, ...types } = typedData.types;
    challenges.push({
      chainId: chain.chainId,
      challenge: m,
      typedData,
      domainSeparator: TypedDataEncoder.hashDomain(typedData.domain),
      hash: sig.hashEIP712(typedData),
      privateKey: KEYS[0],
      signer: wallet.address,
      sign: await wallet.signTypedData(typedData.domain, types, typedData.message),
    });
  }
}

// Deal and task ids from some request-order hashes.
const ids = [];
const consumedValues = ['0', '1', '5', (2n ** 64n + 1n).toString()];
const taskIdx = ['0', '1', '2', (2n ** 64n + 3n).toString()];
for (const [n, o] of orders.filter((x) => x.type === 'requestorder').slice(0, 4).entries()) {
  const consumed = consumedValues[n];
  const dealid = ethers.solidityPackedKeccak256(['bytes32', 'uint256'], [o.orderHash, consumed]);
  const tasks = [];
  for (const idx of taskIdx) tasks.push({ index: idx, taskid: await deal.computeTaskId(dealid, idx) });
  ids.push({ requestorderHash: o.orderHash, consumed, dealid, tasks });
}

const domains = CHAINS.map((c) => ({ ...c, domainSeparator: TypedDataEncoder.hashDomain(domainOf(c)) }));
const typeStrings = Object.fromEntries(
  Object.values(SPEC).map((s) => [s.primary, TypedDataEncoder.from(captured[s.primary]).encodeType(s.primary)]),
);

console.log(
  JSON.stringify(
    {
      source: `iexec ${sdkPkg.version} (market/order.js, utils/sig-utils.js) with ethers ${ethers.version}; generated by tools/vectors/gen_orders.mjs`,
      domains,
      typeStrings,
      orders,
      operations,
      challenges,
      ids,
    },
    null,
    1,
  ),
);
