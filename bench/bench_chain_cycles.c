/*
 * bench_chain_cycles.c — full TEE task life cycles per second through
 * decc's chain interface (decc/chain.h), with the same client code on two
 * backends in one run: anvil running the real PoCo 6.1.0 contracts
 * (JSON-RPC backend) and decc's embedded ledger (a file ledger, one
 * durable commit per transaction).
 *
 * One life cycle = what a requester, a scheduler and a worker send for a
 * trust-1 TEE task: four orders signed with decc (app, workerpool,
 * request; no dataset) and matchOrders, initialize, then
 * contributeAndFinalize with the scheduler's authorization and an enclave
 * signature made as decc's enclave runtime makes it. Each transaction is
 * signed, sent and waited for (decc_chain_send) — the clients' real path,
 * nothing batched. Every receipt must succeed and every task must end
 * COMPLETED, else the bench fails.
 *
 * anvil comes from bench/run.sh, which starts it and deploys PoCo
 * (tools/anvil/anvil_poco.sh) and passes DECC_ANVIL_URL, DECC_POCO_HUB,
 * DECC_POCO_APPREG, DECC_POCO_WPREG, DECC_POCO_RLC; or DECC_ANVIL_SKIP (the
 * reason) when the engines are not installed: then only the embedded
 * ledger runs and the anvil line says why it was skipped.
 * Cycle counts scale with DECC_BENCH_SCALE (anvil 60, embedded 300 at 1),
 * each run bounded to 60 s of wall time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "decc/abi.h"
#include "decc/chain.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/poco.h"

/* anvil's dev accounts 0, 1, 3, 4, 6 (keys of a public mnemonic). */
enum { OWNER, APP_OWNER, SCHEDULER, REQUESTER, WORKER, N_KEYS };
static const char *const KEYS[N_KEYS] = {
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"};
static uint8_t g_sk[N_KEYS][32];
static decc_address g_addr[N_KEYS];
static uint8_t g_enclave_sk[32];
static decc_address g_enclave;

#define APP_PRICE 1000u
#define WP_PRICE 3000u
#define MAX_SECONDS 60.0

/* One chain under test and what setup made on it. */
typedef struct bench_chain {
  decc_chain *c;
  decc_chain_addresses a;
  uint8_t domain[32];
  decc_address app, pool;
  uint8_t tee[32];
} bench_chain;

static void die(const char *backend, const char *what, const char *msg) {
  fprintf(stderr, "bench_chain_cycles: %s: %s%s%s\n", backend, what,
          msg ? ": " : "", msg ? msg : "");
  exit(1);
}

/* Sends calldata built in e (then reset) to `to`; requires success.
 * Keeps the receipt in *r when r is given. */
static void send_ok(bench_chain *b, int who, const decc_address *to,
                    decc_abi_enc *e, const char *sig, decc_receipt *r) {
  uint8_t sel[4];
  decc_buf cd;
  decc_receipt own;
  decc_err err;
  decc_buf_init(&cd, 0);
  memset(&own, 0, sizeof own);
  decc_abi_selector(sel, sig);
  if (decc_abi_enc_finish_call(e, sel, &cd) != DECC_OK)
    die(decc_chain_backend(b->c), sig, "ABI encoding failed");
  if (!r)
    r = &own;
  if (decc_chain_send(b->c, g_sk[who], to, cd.data, cd.len, r, &err) != DECC_OK)
    die(decc_chain_backend(b->c), sig, err.msg);
  if (r->status != 1)
    die(decc_chain_backend(b->c), sig,
        r->revert_reason ? r->revert_reason : "reverted");
  decc_receipt_clear(&own);
  decc_buf_clear(&cd);
}

/* The entry minted by a registry (ERC-721 Transfer, tokenId = address). */
static void minted(const decc_receipt *r, const decc_address *reg,
                   decc_address *out, const char *backend) {
  uint8_t t0[32];
  decc_abi_event_topic(t0, "Transfer(address,address,uint256)");
  for (size_t i = 0; i < r->n_logs; i++)
    if (decc_address_eq(&r->logs[i].address, reg) && r->logs[i].n_topics == 4 &&
        !memcmp(r->logs[i].topics[0], t0, 32)) {
      memcpy(out->b, r->logs[i].topics[3] + 12, 20);
      return;
    }
  die(backend, "registry", "no Transfer log in the receipt");
}

/* Untimed: deposits, an app and a workerpool, the hub's domain. */
static void setup(bench_chain *b) {
  const char *be = decc_chain_backend(b->c);
  decc_err err;
  decc_abi_enc e;
  decc_receipt r;
  decc_abi_enc_init(&e, 0);
  memset(&r, 0, sizeof r);
  if (decc_chain_get_addresses(b->c, &b->a, &err) != DECC_OK)
    die(be, "addresses", err.msg);
  if (decc_tag_parse(b->tee, "tee", &err) != DECC_OK)
    die(be, "tag", err.msg);
  for (int who = SCHEDULER; who <= REQUESTER; who++) {
    decc_abi_enc_push_address(&e, &g_addr[who]);
    decc_abi_enc_push_u64(&e, 1000000000000ull);
    send_ok(b, OWNER, &b->a.token, &e, "transfer(address,uint256)", NULL);
    decc_abi_enc_push_address(&e, &b->a.hub);
    decc_abi_enc_push_u64(&e, 1000000000000ull);
    decc_abi_enc_push_bytes(&e, NULL, 0);
    send_ok(b, who, &b->a.token, &e, "approveAndCall(address,uint256,bytes)",
            NULL);
  }
  char name[64];
  static const uint8_t checksum[32] = {0x11, 0x22, 0x33};
  const char *image = "docker.io/decc/bench-app:1.0.0";
  snprintf(name, sizeof name, "decc-bench-app-%ld", (long)getpid());
  decc_abi_enc_push_address(&e, &g_addr[APP_OWNER]);
  decc_abi_enc_push_string(&e, name);
  decc_abi_enc_push_string(&e, "DOCKER");
  decc_abi_enc_push_bytes(&e, image, strlen(image));
  decc_abi_enc_push_bytes32(&e, checksum);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  send_ok(b, APP_OWNER, &b->a.app_registry, &e,
          "createApp(address,string,string,bytes,bytes32,bytes)", &r);
  minted(&r, &b->a.app_registry, &b->app, be);
  decc_receipt_clear(&r);
  snprintf(name, sizeof name, "decc-bench-pool-%ld", (long)getpid());
  decc_abi_enc_push_address(&e, &g_addr[SCHEDULER]);
  decc_abi_enc_push_string(&e, name);
  send_ok(b, SCHEDULER, &b->a.workerpool_registry, &e,
          "createWorkerpool(address,string)", &r);
  minted(&r, &b->a.workerpool_registry, &b->pool, be);
  decc_receipt_clear(&r);
  uint8_t sel[4];
  decc_buf ret;
  decc_buf_init(&ret, 0);
  decc_abi_selector(sel, "eip712domain_separator()");
  if (decc_chain_call(b->c, NULL, &b->a.hub, sel, 4, &ret, &err) != DECC_OK ||
      ret.len != 32)
    die(be, "eip712domain_separator", err.msg);
  memcpy(b->domain, ret.data, 32);
  decc_buf_clear(&ret);
  decc_abi_enc_clear(&e);
}

static void u(decc_u256 *v, uint64_t x) { *v = decc_u256_from_u64(x); }

/* One full life cycle (salt n makes its orders unique). */
static void cycle(bench_chain *b, uint64_t n, uint8_t task[32]) {
  const char *be = decc_chain_backend(b->c);
  decc_abi_enc e;
  decc_receipt r;
  decc_order ao, dso, wo, ro;
  decc_abi_enc_init(&e, 0);
  memset(&r, 0, sizeof r);
  if (decc_order_init(&ao, DECC_ORDER_APP) ||
      decc_order_init(&dso, DECC_ORDER_DATASET) ||
      decc_order_init(&wo, DECC_ORDER_WORKERPOOL) ||
      decc_order_init(&ro, DECC_ORDER_REQUEST))
    die(be, "orders", "out of memory");
  uint8_t salt[32] = {0};
  for (int i = 0; i < 8; i++)
    salt[24 + i] = (uint8_t)(n >> (56 - 8 * i));
  ao.u.app.app = b->app;
  u(&ao.u.app.appprice, APP_PRICE);
  u(&ao.u.app.volume, 1);
  memcpy(ao.u.app.tag, b->tee, 32);
  memcpy(ao.u.app.salt, salt, 32);
  wo.u.workerpool.workerpool = b->pool;
  u(&wo.u.workerpool.workerpoolprice, WP_PRICE);
  u(&wo.u.workerpool.volume, 1);
  memcpy(wo.u.workerpool.tag, b->tee, 32);
  memcpy(wo.u.workerpool.salt, salt, 32);
  decc_requestorder *q = &ro.u.request;
  q->app = b->app;
  u(&q->appmaxprice, APP_PRICE);
  q->workerpool = b->pool;
  u(&q->workerpoolmaxprice, WP_PRICE);
  q->requester = g_addr[REQUESTER];
  q->beneficiary = g_addr[REQUESTER];
  memcpy(q->tag, b->tee, 32);
  u(&q->volume, 1);
  memcpy(q->salt, salt, 32);
  if (decc_order_sign(&ao, g_sk[APP_OWNER], b->domain, 0) ||
      decc_order_sign(&wo, g_sk[SCHEDULER], b->domain, 0) ||
      decc_order_sign(&ro, g_sk[REQUESTER], b->domain, 0))
    die(be, "orders", "signing failed");
  if (decc_order_abi_push(&e, &ao) || decc_order_abi_push(&e, &dso) ||
      decc_order_abi_push(&e, &wo) || decc_order_abi_push(&e, &ro))
    die(be, "orders", "ABI encoding failed");
  decc_order_clear(&ao);
  decc_order_clear(&dso);
  decc_order_clear(&wo);
  decc_order_clear(&ro);
  send_ok(b, REQUESTER, &b->a.hub, &e,
          "matchOrders((address,uint256,uint256,bytes32,address,address,"
          "address,bytes32,bytes),(address,uint256,uint256,bytes32,address,"
          "address,address,bytes32,bytes),(address,uint256,uint256,bytes32,"
          "uint256,uint256,address,address,address,bytes32,bytes),(address,"
          "uint256,address,uint256,address,uint256,address,uint256,bytes32,"
          "uint256,uint256,address,address,string,bytes32,bytes))",
          &r);
  uint8_t t0[32], deal[32];
  int got = 0;
  decc_abi_event_topic(
      t0, "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)");
  for (size_t i = 0; i < r.n_logs; i++)
    if (r.logs[i].n_topics && !memcmp(r.logs[i].topics[0], t0, 32) &&
        r.logs[i].data_len >= 32) {
      memcpy(deal, r.logs[i].data, 32);
      got = 1;
    }
  decc_receipt_clear(&r);
  if (!got)
    die(be, "matchOrders", "no OrdersMatched log");
  decc_abi_enc_push_bytes32(&e, deal);
  decc_abi_enc_push_u64(&e, 0);
  send_ok(b, SCHEDULER, &b->a.hub, &e, "initialize(bytes32,uint256)", NULL);
  decc_u256 zero = decc_u256_from_u64(0);
  decc_task_id(task, deal, &zero);

  /* The enclave's signature and the scheduler's authorization. */
  uint8_t digest[32], rh[32], rs[32], msg[32], esig[65], auth[65];
  char result[64];
  int rl = snprintf(result, sizeof result, "result of cycle %llu\n",
                    (unsigned long long)n);
  decc_sha256(digest, result, (size_t)rl);
  decc_poco_result_hash(rh, task, digest);
  decc_poco_result_seal(rs, &g_addr[WORKER], task, digest);
  decc_poco_enclave_message(msg, rh, rs);
  if (decc_eip191_sign(esig, g_enclave_sk, msg, 32))
    die(be, "enclave signature", "signing failed");
  decc_poco_authorization_message(msg, &g_addr[WORKER], task, &g_enclave);
  if (decc_eip191_sign(auth, g_sk[SCHEDULER], msg, 32))
    die(be, "authorization", "signing failed");
  const char *results = "{ \"storage\": \"ipfs\", \"location\": \"/ipfs/x\" }";
  decc_abi_enc_push_bytes32(&e, task);
  decc_abi_enc_push_bytes32(&e, digest);
  decc_abi_enc_push_bytes(&e, results, strlen(results));
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_enc_push_address(&e, &g_enclave);
  decc_abi_enc_push_bytes(&e, esig, 65);
  decc_abi_enc_push_bytes(&e, auth, 65);
  send_ok(b, WORKER, &b->a.hub, &e,
          "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,"
          "bytes)",
          NULL);
  decc_abi_enc_clear(&e);
}

/* Runs up to n cycles (bounded by MAX_SECONDS), checks the first and
 * the last task are COMPLETED on chain, returns cycles/s. */
static double run(bench_chain *b, size_t n, size_t *done) {
  uint8_t first[32], last[32];
  setup(b);
  cycle(b, 0, first); /* warm-up, untimed */
  double t0 = bench_now(), t = 0;
  size_t i;
  for (i = 1; i <= n; i++) {
    cycle(b, i, last);
    t = bench_now() - t0;
    if (t > MAX_SECONDS) {
      i++;
      break;
    }
  }
  *done = i - 1;
  const uint8_t *tasks[2] = {first, last};
  for (int k = 0; k < 2; k++) {
    decc_abi_enc e;
    decc_buf cd, out;
    uint8_t sel[4];
    decc_err err;
    decc_abi_enc_init(&e, 0);
    decc_buf_init(&cd, 0);
    decc_buf_init(&out, 0);
    decc_abi_enc_push_bytes32(&e, tasks[k]);
    decc_abi_selector(sel, "viewTask(bytes32)");
    /* viewTask returns a dynamic tuple: offset word, then the status */
    if (decc_abi_enc_finish_call(&e, sel, &cd) ||
        decc_chain_call(b->c, NULL, &b->a.hub, cd.data, cd.len, &out, &err) ||
        out.len < 64 || out.data[63] != DECC_TASK_COMPLETED)
      die(decc_chain_backend(b->c), "viewTask", "a task is not COMPLETED");
    decc_buf_clear(&out);
    decc_buf_clear(&cd);
    decc_abi_enc_clear(&e);
  }
  return (double)*done / t;
}

static int env_addr(decc_address *a, const char *name) {
  const char *v = getenv(name);
  return v && decc_address_parse(a, v, NULL) == DECC_OK;
}

int main(void) {
  decc_err err;
  for (int i = 0; i < N_KEYS; i++)
    if (decc_hex_decode_exact(g_sk[i], 32, KEYS[i], "key", &err) ||
        decc_address_from_privkey(&g_addr[i], g_sk[i]))
      die("setup", "keys", err.msg);
  if (decc_privkey_generate(g_enclave_sk) ||
      decc_address_from_privkey(&g_enclave, g_enclave_sk))
    die("setup", "enclave key", NULL);
  double scale = bench_scale();
  size_t n_anvil = (size_t)(60 * scale), n_emb = (size_t)(300 * scale);
  if (n_anvil < 5)
    n_anvil = 5;
  if (n_emb < 5)
    n_emb = 5;

  /* The embedded ledger: a file ledger in a temporary directory, the RLC
   * supply with anvil's account 0 as on the PoCo deployment. */
  char dir[512], path[600];
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/decc-bench-chain-XXXXXX", tmp ? tmp : "/tmp");
  if (!mkdtemp(dir))
    die("embedded", "mkdtemp", dir);
  snprintf(path, sizeof path, "%s/ledger.sqlite", dir);
  decc_genesis g;
  if (decc_genesis_default(&g))
    die("embedded", "genesis", NULL);
  g.owner = g_addr[OWNER];
  g.dev_accounts = 0;
  decc_free(g.accounts);
  g.accounts = decc_calloc(1, sizeof *g.accounts);
  if (!g.accounts)
    die("embedded", "genesis", "out of memory");
  g.n_accounts = 1;
  g.accounts[0].address = g_addr[OWNER];
  g.accounts[0].rlc = decc_u256_from_u64(87000000000000000ull);
  bench_chain emb;
  memset(&emb, 0, sizeof emb);
  if (decc_ledger_init(path, &g, &err) ||
      decc_chain_open_embedded(&emb.c, path, &err))
    die("embedded", "ledger", err.msg);
  decc_genesis_clear(&g);

  printf("TEE task life cycles (matchOrders + initialize + "
         "contributeAndFinalize, trust 1), each tx sent and waited for\n");
  size_t done_e = 0, done_a = 0;
  double cps_e = run(&emb, n_emb, &done_e);
  char line[160];
  snprintf(line, sizeof line, "embedded ledger (%zu cycles, durable)", done_e);
  bench_report(line, cps_e, "cycles/s");
  decc_chain_destroy(emb.c);
  const char *sfx[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
    char p2[640];
    snprintf(p2, sizeof p2, "%s%s", path, sfx[i]);
    unlink(p2);
  }
  rmdir(dir);

  const char *url = getenv("DECC_ANVIL_URL");
  if (!url || !*url) {
    const char *why = getenv("DECC_ANVIL_SKIP");
    printf("anvil + PoCo 6.1.0: skipped (%s)\n",
           why && *why ? why
                       : "DECC_ANVIL_URL not set: run it through bench/run.sh, "
                         "which starts anvil and deploys PoCo");
    bench_report("peak RSS", (double)bench_peak_rss_kib() / 1024.0, "MiB");
    return 0;
  }
  decc_chain_addresses a;
  memset(&a, 0, sizeof a);
  if (!env_addr(&a.hub, "DECC_POCO_HUB") ||
      !env_addr(&a.app_registry, "DECC_POCO_APPREG") ||
      !env_addr(&a.workerpool_registry, "DECC_POCO_WPREG") ||
      !env_addr(&a.token, "DECC_POCO_RLC"))
    die("anvil", "DECC_POCO_HUB / _APPREG / _WPREG / _RLC", "missing or bad");
  env_addr(&a.dataset_registry, "DECC_POCO_DSREG");
  decc_chain_jsonrpc_opts opts;
  memset(&opts, 0, sizeof opts);
  opts.request_timeout_ms = 10000;
  opts.receipt_timeout_ms = 30000;
  opts.poll_ms = 10; /* anvil mines at once: poll the receipt soon */
  bench_chain an;
  memset(&an, 0, sizeof an);
  if (decc_chain_open_jsonrpc_ex(&an.c, url, &a, &opts, &err))
    die("anvil", "open", err.msg);
  double cps_a = run(&an, n_anvil, &done_a);
  decc_chain_destroy(an.c);
  snprintf(line, sizeof line, "anvil + PoCo 6.1.0, JSON-RPC (%zu cycles)",
           done_a);
  bench_report(line, cps_a, "cycles/s");
  bench_report("ratio embedded / anvil", cps_e / cps_a, "x");
  bench_report("peak RSS", (double)bench_peak_rss_kib() / 1024.0, "MiB");
  return 0;
}
