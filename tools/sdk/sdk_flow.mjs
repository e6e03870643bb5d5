// sdk_flow.mjs — drives the official iExec SDKs (iexec, @iexec/dataprotector),
// unmodified, against one `decc node`, the way a dApp developer would: every
// public call that makes sense on one node, back to back (no pauses), each
// step timed out, and prints one line per step then "N passed, M failed".
// Exit status: 0 when every step passed, 1 otherwise.
//
// Run by tests/integration/test_sdk.sh, which starts the node, deploys the
// TEE app bundle and the workerpool with the decc CLI and passes through the
// environment:
//   DECC_NODE_URL           the node (JSON-RPC at /, market, SMS, Kubo, gateway)
//   SDK_DIR                 where tools/sdk/install.sh put node_modules
//   SDK_USER_KEY            requester / data owner private key (0x hex)
//   SDK_USER2_KEY           a second user (grants, transferOwnership)
//   SDK_POOL_KEY            the workerpool owner's key
//   SDK_WORKERPOOL          the workerpool the node's scheduler serves
//   SDK_APP_MULTIADDR       /ipfs/CID of a TEE app bundle built by `decc app build`
//   SDK_APP_CHECKSUM        its measurement (the app checksum of a TDX app)
//   SDK_DATAPROTECTOR       DataProtector contract address of the ledger
//   SDK_STEP_TIMEOUT_S      per-step timeout (default 120)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const env = (k, d) => {
  const v = process.env[k] ?? d;
  if (v === undefined) {
    console.error(`sdk_flow: ${k} must be set`);
    process.exit(2);
  }
  return v;
};
const URL_ = env('DECC_NODE_URL');
// The SDKs live outside the repository: import each package's ESM entry
// (its package.json "exports") so that iexec, the DataProtector SDK and this
// script share ONE ethers instance (the CommonJS build's classes would fail
// the SDKs' instanceof checks).
async function esm(pkg) {
  const dir = path.join(env('SDK_DIR'), 'node_modules', pkg);
  const j = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  let e = j.exports?.['.'] ?? j.exports ?? j.module ?? j.main;
  if (typeof e === 'object') e = e.import ?? e.node ?? e.default;
  if (typeof e === 'object') e = e.default;
  return import(pathToFileURL(path.join(dir, e)).href);
}
// One file of a package's dist (for SDK helpers that are not exported).
async function sdkModule(pkg, file) {
  return import(pathToFileURL(path.join(env('SDK_DIR'), 'node_modules', pkg, file)).href);
}
const { IExec, utils } = await esm('iexec');
const { JsonRpcProvider, Wallet } = await esm('ethers');
const { IExecDataProtectorCore } = await esm('@iexec/dataprotector');

const STEP_TIMEOUT = Number(env('SDK_STEP_TIMEOUT_S', '120')) * 1000;
const provider = new JsonRpcProvider(URL_, undefined, { pollingInterval: 200 });
const user = new Wallet(env('SDK_USER_KEY'), provider);
const user2 = new Wallet(env('SDK_USER2_KEY'), provider);
const pool = new Wallet(env('SDK_POOL_KEY'), provider);
const WORKERPOOL = env('SDK_WORKERPOOL');

const iexecOptions = {
  smsURL: URL_,
  iexecGatewayURL: URL_,
  ipfsGatewayURL: URL_,
  ipfsNodeURL: URL_,
  resultProxyURL: URL_,
  pocoSubgraphURL: `${URL_}/subgraphs/poco`,
  compassURL: URL_,
};
const iexec = new IExec({ ethProvider: user }, iexecOptions);
const iexecPool = new IExec({ ethProvider: pool }, iexecOptions);
const dpOptions = {
  iexecOptions,
  subgraphUrl: `${URL_}/subgraphs/dataprotector`,
  ipfsNode: URL_,
  ipfsGateway: URL_,
  dataprotectorContractAddress: env('SDK_DATAPROTECTOR'),
};
const dp = new IExecDataProtectorCore(user, dpOptions);
const dp2 = new IExecDataProtectorCore(user2, dpOptions);

let passed = 0;
let failed = 0;
let notDone = 0;
const results = {};
// SDK calls decc does not serve yet. They run like every step; a failure
// is reported as "TODO", not counted as a pass; one that passes is an
// error until it is removed from this list, so the list cannot go stale.
// (Empty: every call of this flow is served.)
const NOT_DONE = new Set([]);
function withTimeout(p, ms, name) {
  let t;
  const to = new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, to]).finally(() => clearTimeout(t)).catch((e) => {
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { step: name });
  });
}
// Runs one step; a step whose inputs come from a failed step fails too (it
// is counted, never silently skipped).
async function step(name, fn, ...needs) {
  const missing = needs.filter((n) => results[n] === undefined);
  if (missing.length) {
    failed++;
    console.log(`FAIL ${name}: needs ${missing.join(', ')}`);
    return undefined;
  }
  const t0 = Date.now();
  try {
    const r = await withTimeout(Promise.resolve().then(fn), STEP_TIMEOUT, name);
    results[name] = r === undefined ? null : r;
    if (NOT_DONE.has(name)) {
      failed++;
      console.log(`FAIL ${name}: passes now; remove it from NOT_DONE in sdk_flow.mjs`);
      return r;
    }
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    return r;
  } catch (e) {
    const cause = e?.cause?.message || e?.errorCause?.message || '';
    if (NOT_DONE.has(name)) {
      notDone++;
      console.log(`TODO ${name}: not served by decc yet: ${e?.message || e}`);
      return undefined;
    }
    failed++;
    console.log(`FAIL ${name}: ${e?.message || e}${cause ? ` (${cause})` : ''}`);
    return undefined;
  }
}
function must(cond, what) {
  if (!cond) throw new Error(`unexpected result: ${what}`);
}
const rand32 = () => utils.NULL_BYTES32.replace(/0{64}$/, [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join(''));

// ---- iexec SDK ------------------------------------------------------------
const me = user.address;
const net = await step('network.getNetwork', async () => {
  const n = await iexec.network.getNetwork();
  must(Number(n.chainId) > 0, `chainId ${n.chainId}`);
  return n;
});
await step('wallet.checkBalances', async () => {
  const b = await iexec.wallet.checkBalances(me);
  must(b.nRLC.gtn(0), 'no RLC');
  // a dev account holds the genesis' native coin (eth_getBalance)
  must(b.wei.gtn(0), 'no native coin');
});
const bal0 = await step('account.checkBalance', async () => {
  const b = await iexec.account.checkBalance(me);
  return b.stake.toString();
});
await step('account.deposit twice back to back', async () => {
  await iexec.account.deposit(1000);
  await iexec.account.deposit(2000);
  const b = await iexec.account.checkBalance(me);
  must(BigInt(b.stake.toString()) === BigInt(bal0) + 3000n, `stake ${b.stake}`);
}, 'account.checkBalance');
await step('account.withdraw', async () => {
  await iexec.account.withdraw(500);
});
const APP = await step('app.deployApp (TEE app)', async () => {
  const r = await iexec.app.deployApp({
    owner: me,
    name: 'sdk-tee-app',
    type: 'DOCKER',
    multiaddr: env('SDK_APP_MULTIADDR'),
    checksum: env('SDK_APP_CHECKSUM'),
  });
  must(/^0x[0-9a-fA-F]{40}$/.test(r.address), r.address);
  return r.address;
});
await step('app.showApp', async () => {
  const { app } = await iexec.app.showApp(APP);
  must(app.appChecksum.toLowerCase() === env('SDK_APP_CHECKSUM').toLowerCase(), app.appChecksum);
}, 'app.deployApp (TEE app)');
await step('app.deployApp (second app)', async () => {
  const r = await iexec.app.deployApp({
    owner: me,
    name: `sdk-app-${Date.now()}`,
    type: 'DOCKER',
    multiaddr: 'registry.example/app:1.0.0',
    checksum: rand32(),
  });
  must(/^0x[0-9a-fA-F]{40}$/.test(r.address), r.address);
});
await step('app.countUserApps', async () => {
  const c = await iexec.app.countUserApps(me);
  must(c.gtn(0), 'no app');
});
const dataset = await step('dataset.deployDataset', async () => {
  const r = await iexec.dataset.deployDataset({
    owner: me,
    name: `sdk-ds-${Date.now()}`,
    multiaddr: '/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ',
    checksum: rand32(),
  });
  return r.address;
});
await step('dataset.showDataset', async () => {
  const { dataset: d } = await iexec.dataset.showDataset(dataset);
  must(d.owner.toLowerCase() === me.toLowerCase(), d.owner);
}, 'dataset.deployDataset');
await step('workerpool.showWorkerpool', async () => {
  const { workerpool: w } = await iexec.workerpool.showWorkerpool(WORKERPOOL);
  must(w.owner.toLowerCase() === pool.address.toLowerCase(), w.owner);
});
await step('secrets.pushRequesterSecret', async () => {
  const name = `s${Date.now()}`;
  must((await iexec.secrets.pushRequesterSecret(name, 'value')).isPushed === true, 'push');
  must(await iexec.secrets.checkRequesterSecretExists(me, name) === true, 'exists');
});
const keyPair = await step('result.pushResultEncryptionKey', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const kp = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const r = await iexec.result.pushResultEncryptionKey(kp.publicKey, { forceUpdate: true });
  must(r.isPushed, 'not pushed');
  must(await iexec.result.checkResultEncryptionKeyExists(me), 'exists');
  return kp;
});
const TAG = ['tee', 'tdx'];
await step('order.publishApporder', async () => {
  const o = await iexec.order.createApporder({ app: APP, appprice: 0, volume: 1000, tag: TAG });
  return iexec.order.publishApporder(await iexec.order.signApporder(o));
}, 'app.deployApp (TEE app)');
await step('order.publishWorkerpoolorder', async () => {
  const o = await iexecPool.order.createWorkerpoolorder({
    workerpool: WORKERPOOL, workerpoolprice: 0, volume: 1000, tag: TAG, category: 0,
  });
  return iexecPool.order.publishWorkerpoolorder(await iexecPool.order.signWorkerpoolorder(o));
});
const apporder = await step('orderbook.fetchAppOrderbook', async () => {
  const { orders } = await iexec.orderbook.fetchAppOrderbook({ app: APP, minTag: TAG });
  must(orders.length > 0, 'no app order');
  return orders[0].order;
}, 'order.publishApporder', 'app.deployApp (TEE app)');
const wporder = await step('orderbook.fetchWorkerpoolOrderbook', async () => {
  const { orders } = await iexec.orderbook.fetchWorkerpoolOrderbook({ workerpool: WORKERPOOL, category: 0, minTag: TAG });
  must(orders.length > 0, 'no workerpool order');
  return orders[0].order;
}, 'order.publishWorkerpoolorder');
const deal = await step('order.matchOrders', async () => {
  const ro = await iexec.order.createRequestorder({
    app: APP, appmaxprice: 0, workerpoolmaxprice: 0, category: 0, volume: 1, tag: TAG,
    workerpool: WORKERPOOL, params: { iexec_args: 'sdk', iexec_result_encryption: true },
  });
  const r = await iexec.order.matchOrders({
    apporder, workerpoolorder: wporder, requestorder: await iexec.order.signRequestorder(ro),
  });
  return r.dealid;
}, 'orderbook.fetchAppOrderbook', 'orderbook.fetchWorkerpoolOrderbook', 'result.pushResultEncryptionKey');
const taskid = await step('deal.show + computeTaskId', async () => {
  const d = await iexec.deal.show(deal);
  must(d.app.pointer.toLowerCase() === APP.toLowerCase(), d.app.pointer);
  return iexec.deal.computeTaskId(deal, 0);
}, 'order.matchOrders');
await step('task.obsTask until COMPLETED', async () => {
  const obs = await iexec.task.obsTask(taskid, { dealid: deal });
  await new Promise((resolve, reject) => {
    obs.subscribe({
      next: ({ message, task }) => {
        if (message === 'TASK_COMPLETED') resolve(task);
        if (message === 'TASK_TIMEDOUT' || message === 'TASK_FAILED') reject(new Error(message));
      },
      error: reject,
      complete: () => resolve(),
    });
  });
  const t = await iexec.task.show(taskid);
  must(t.statusName === 'COMPLETED', `task status ${t.statusName}`);
}, 'deal.show + computeTaskId');
await step('task.fetchResults + utils.decryptResult', async () => {
  const res = await iexec.task.fetchResults(taskid);
  const zip = await res.arrayBuffer();
  const clear = await utils.decryptResult(zip, keyPair.privateKey);
  must(clear.length > 0, 'empty result');
}, 'task.obsTask until COMPLETED', 'result.pushResultEncryptionKey');
// Compass (GET /{chainId}/workerpools/{address}) then the workerpool API
// of the node (GET /tasks/{id}): the task's off-chain view.
await step('task.fetchOffchainInfo', async () => {
  const i = await iexec.task.fetchOffchainInfo(taskid);
  must(i.task?.status === 'COMPLETED', `task status ${i.task?.status}`);
  must(i.task.statusHistory.some((s) => s.status === 'INITIALIZED'), 'no INITIALIZED in the history');
  must(i.replicates.length === 1, `${i.replicates.length} replicates`);
  must(i.replicates[0].status === 'COMPLETED' && i.replicates[0].exitCode === 0,
    `replicate ${JSON.stringify(i.replicates[0])}`);
}, 'task.obsTask until COMPLETED');
// The app's stdout / stderr for the requester, with the SDK's challenge
// (GET /tasks/logs/challenge) and Authorization header.
await step('task.fetchLogs', async () => {
  const l = await iexec.task.fetchLogs(taskid);
  must(Array.isArray(l) && l.length === 1, `logs ${JSON.stringify(l)}`);
  // The test app (decc app init) echoes its args ("sdk") on stdout.
  must(/^done: .*"args":"sdk"/m.test(l[0].stdout), `stdout ${JSON.stringify(l[0].stdout)}`);
  must(typeof l[0].stderr === 'string', 'stderr');
  must(/^0x[0-9a-fA-F]{40}$/.test(l[0].worker), `worker ${l[0].worker}`);
}, 'task.obsTask until COMPLETED');
// Another account: the SDK itself refuses before asking, so go through the
// SDK's own authorization helper to the same endpoint: the node must answer
// 403 (the requester check is the server's, not only the SDK's).
await step('task logs refused to another account', async () => {
  const api = await sdkModule('iexec', 'dist/esm/common/utils/api-utils.js');
  const { chainId } = await provider.getNetwork();
  const authorization = await api.getAuthorization({
    api: URL_, endpoint: '/tasks/logs/challenge', chainId: chainId.toString(),
    address: user2.address, signer: user2,
  });
  const r = await fetch(new URL(`/tasks/${taskid}/logs`, URL_), { headers: { Authorization: authorization } });
  const body = await r.json();
  must(r.status === 403 && /requester only/.test(body.error), `${r.status} ${JSON.stringify(body)}`);
  // and the requester's SDK refuses user2 before asking
  const other = new IExec({ ethProvider: user2 }, iexecOptions);
  let refused = false;
  await other.task.fetchLogs(taskid).catch((e) => { refused = /Only task requester/.test(e.message); });
  must(refused, 'the SDK did not refuse another account');
}, 'task.obsTask until COMPLETED');

// ---- DataProtector SDK ----------------------------------------------------
const pd = await step('dataprotector.protectData', async () => {
  const r = await dp.protectData({ name: 'sdk-test', data: { email: 'alice@example.com', n: 42 } });
  return r.address;
});
await step('dataprotector.grantAccess x2', async () => {
  await dp.grantAccess({ protectedData: pd, authorizedApp: APP, authorizedUser: me, numberOfAccess: 10 });
  await dp.grantAccess({ protectedData: pd, authorizedApp: APP, authorizedUser: user2.address, numberOfAccess: 1 });
}, 'dataprotector.protectData', 'app.deployApp (TEE app)');
await step('dataprotector.getGrantedAccess', async () => {
  const r = await dp.getGrantedAccess({ protectedData: pd });
  must(r.count >= 2, `count ${r.count}`);
}, 'dataprotector.grantAccess x2');
await step('dataprotector.getProtectedData (owner, schema)', async () => {
  const r = await dp.getProtectedData({ owner: me, requiredSchema: { email: 'string' } });
  must(r.some((x) => x.address.toLowerCase() === pd.toLowerCase()), `${r.length} items`);
}, 'dataprotector.protectData');
await step('dataprotector.getProtectedData (creation time, pagination)', async () => {
  const r = await dp.getProtectedData({ owner: me, createdAfterTimestamp: 1, page: 0, pageSize: 10 });
  must(r.length >= 1, `${r.length} items`);
}, 'dataprotector.protectData');
const pdTask = await step('dataprotector.processProtectedData', async () => {
  const r = await dp.processProtectedData({
    // No workerpool: the SDK's default, which the dev profile puts at
    // the node's own pool.
    protectedData: pd, app: APP, args: 'sdk',
  });
  must(r.taskId && r.result, 'no result');
  return r.taskId;
}, 'dataprotector.grantAccess x2');
await step('dataprotector.getResultFromCompletedTask', async () => {
  const r = await dp.getResultFromCompletedTask({ taskId: pdTask });
  must(r.result.byteLength > 0, 'empty');
}, 'dataprotector.processProtectedData');
await step('dataprotector.revokeAllAccess (several grants)', async () => {
  const r = await dp.revokeAllAccess({ protectedData: pd });
  must(r.length >= 2, `revoked ${r.length}`);
}, 'dataprotector.grantAccess x2');
await step('dataprotector.grant + revokeOneAccess', async () => {
  const g = await dp.grantAccess({ protectedData: pd, authorizedApp: APP, authorizedUser: user2.address });
  await dp.revokeOneAccess(g);
}, 'dataprotector.protectData');
await step('dataprotector.transferOwnership', async () => {
  await dp.transferOwnership({ protectedData: pd, newOwner: user2.address });
  const { dataset: d } = await iexec.dataset.showDataset(pd);
  must(d.owner.toLowerCase() === user2.address.toLowerCase(), d.owner);
  await dp2.transferOwnership({ protectedData: pd, newOwner: me });
}, 'dataprotector.protectData');

if (notDone) console.log(`${notDone} SDK call(s) not served by decc yet (TODO above)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
