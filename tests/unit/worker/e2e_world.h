/*
 * e2e_world.h — the end-to-end world shared by test_e2e.c and
 * bench/bench_task.c: an embedded ledger file with one chain handle per
 * role, a blockstore, an in-process SMS over the chain, a TEE app whose
 * bundle is in the store, an encrypted dataset with its key in the SMS, a
 * workerpool with its scheduler, workers, and order matching. Uses only
 * the public API plus worker_fixture.h.
 */
#ifndef E2E_WORLD_H
#define E2E_WORLD_H

#include <jansson.h>
#include <time.h>

#include "decc/abi.h"
#include "decc/dataset.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/hub.h"
#include "decc/ledger.h"
#include "decc/order.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "decc/worker.h"
#include "worker_fixture.h"

enum { K_APP, K_DS, K_POOL, K_REQ, K_W1, K_W2, K_PLATFORM, K_ROGUE, K_N };

typedef struct e2e {
  char tmp[600], ledger_path[700];
  uint8_t sk[K_N][32];
  decc_address who[K_N];
  decc_chain *c_test, *c_sched, *c_w1, *c_w2, *c_sms;
  decc_ledger *l;
  decc_chain_addresses addr;
  uint8_t dom[32];
  uint64_t chain_id;
  decc_blockstore *bs;
  decc_sms *sms;
  decc_address app, dataset, pool;
  decc_buf bundle;
  uint8_t measurement[32];
  decc_rsa_key *rsa;
  decc_tee_backend be;
  decc_scheduler *sched;
  decc_worker *w1, *w2;
} e2e;

static __attribute__((unused)) int call(e2e *t, int k, const decc_address *to,
                                        decc_abi_enc *e, const char *sig,
                                        decc_receipt *r) {
  uint8_t sel[4];
  decc_buf cd;
  decc_buf_init(&cd, 0);
  decc_abi_selector(sel, sig);
  if (decc_abi_enc_finish_call(e, sel, &cd))
    return -1;
  decc_abi_enc_clear(e);
  decc_receipt tmp;
  decc_receipt *rr = r ? r : &tmp;
  decc_err err;
  decc_status st =
      decc_chain_send(t->c_test, t->sk[k], to, cd.data, cd.len, rr, &err);
  decc_buf_clear(&cd);
  if (st) {
    fprintf(stderr, "    send %s: %s\n", sig, err.msg);
    return -1;
  }
  int ok = rr->status == 1;
  if (!ok)
    fprintf(stderr, "    %s reverted: %s\n", sig, rr->revert_reason);
  if (!r)
    decc_receipt_clear(&tmp);
  return ok ? 0 : -1;
}

static __attribute__((unused)) uint64_t stake(e2e *t, int k) {
  decc_u256 s, f;
  uint64_t x = 0;
  if (decc_ledger_escrow(t->l, &t->who[k], &s, &f, NULL) == DECC_OK)
    decc_u256_to_u64(&x, &s);
  return x;
}

static __attribute__((unused)) void logline(void *ctx, const char *line) {
  (void)ctx;
  if (getenv("DECC_TEST_VERBOSE"))
    printf("    | %s\n", line);
}

static __attribute__((unused)) int push_secret_web3(e2e *t, const char *v) {
  uint8_t ch[32], sig[65];
  char hex[133];
  decc_sms_web3_challenge(ch, &t->dataset, v, strlen(v));
  if (decc_sms_sign_challenge(sig, t->sk[K_DS], ch))
    return -1;
  decc_hex_encode(hex, sig, 65, 1);
  return decc_sms_push_web3(t->sms, &t->dataset, v, strlen(v), hex, NULL,
                            NULL) == DECC_OK
             ? 0
             : -1;
}

static __attribute__((unused)) int push_web2(e2e *t, int k, const char *name,
                                             const char *v, int req) {
  uint8_t ch[32], sig[65];
  char hex[133];
  decc_sms_web2_challenge(ch, &t->who[k], name, strlen(name), v, strlen(v));
  if (decc_sms_sign_challenge(sig, t->sk[k], ch))
    return -1;
  decc_hex_encode(hex, sig, 65, 1);
  decc_err err;
  decc_status st =
      req ? decc_sms_push_requester_secret(t->sms, &t->who[k], name, v,
                                           strlen(v), hex, NULL, &err)
          : decc_sms_push_web2(t->sms, &t->who[k], name, v, strlen(v), 0, hex,
                               NULL, &err);
  if (st)
    fprintf(stderr, "    push %s: %s\n", name, err.msg);
  return st ? -1 : 0;
}

static __attribute__((unused)) int setup(e2e *t, const char *tmpdir) {
  memset(t, 0, sizeof *t);
  snprintf(t->tmp, sizeof t->tmp, "%s", tmpdir);
  snprintf(t->ledger_path, sizeof t->ledger_path, "%s/ledger.sqlite", t->tmp);
  for (int i = 0; i < K_N; i++)
    if (decc_ledger_dev_key(t->sk[i], (unsigned)i + 1) ||
        decc_address_from_privkey(&t->who[i], t->sk[i]))
      return -1;
  decc_genesis g;
  if (decc_genesis_default(&g))
    return -1;
  int rc = decc_ledger_init(t->ledger_path, &g, NULL) == DECC_OK ? 0 : -1;
  decc_genesis_clear(&g);
  if (rc || decc_chain_open_embedded(&t->c_test, t->ledger_path, NULL) ||
      decc_chain_open_embedded(&t->c_sched, t->ledger_path, NULL) ||
      decc_chain_open_embedded(&t->c_w1, t->ledger_path, NULL) ||
      decc_chain_open_embedded(&t->c_w2, t->ledger_path, NULL) ||
      decc_chain_open_embedded(&t->c_sms, t->ledger_path, NULL) ||
      decc_ledger_open(&t->l, t->ledger_path, NULL) ||
      decc_chain_get_addresses(t->c_test, &t->addr, NULL) ||
      decc_chain_id(t->c_test, &t->chain_id, NULL))
    return -1;
  decc_poco_domain_separator(t->dom, t->chain_id, &t->addr.hub);
  char d[800];
  snprintf(d, sizeof d, "%s/store", t->tmp);
  if (decc_blockstore_open(&t->bs, d, NULL))
    return -1;

  /* the app: bundle in the store, measurement on chain */
  if (fix_bundle(&t->bundle, t->measurement, t->tmp, "app", 0))
    return -1;
  char cid[160], url[200];
  uint8_t ma[80];
  size_t ml;
  if (fix_add(t->bs, t->tmp, t->bundle.data, t->bundle.len, cid))
    return -1;
  snprintf(url, sizeof url, "/ipfs/%s", cid);
  if (decc_multiaddr_from_string(ma, sizeof ma, &ml, url, NULL))
    return -1;
  decc_abi_enc e;
  decc_receipt r;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &t->who[K_APP]);
  decc_abi_enc_push_string(&e, "e2e-app");
  decc_abi_enc_push_string(&e, "DECC_BUNDLE");
  decc_abi_enc_push_bytes(&e, ma, ml);
  decc_abi_enc_push_bytes32(&e, t->measurement);
  decc_abi_enc_push_bytes(&e, "{}", 2);
  if (call(t, K_APP, &t->addr.app_registry, &e,
           "createApp(address,string,string,bytes,bytes32,bytes)", &r))
    return -1;
  memcpy(t->app.b, r.output + 12, 20);
  decc_receipt_clear(&r);

  /* the dataset: encrypted, stored, registered with its checksum */
  decc_dataset_key *k = NULL;
  uint8_t *enc = NULL, sum[32];
  size_t n = 0;
  char b64[45];
  if (decc_dataset_key_generate(&k, NULL) ||
      decc_dataset_encrypt(&enc, &n, sum, k, NULL, "alice's data", 12, NULL) ||
      fix_add(t->bs, t->tmp, enc, n, cid))
    return -1;
  decc_dataset_key_encode(b64, k);
  decc_dataset_key_destroy(k);
  decc_free(enc);
  snprintf(url, sizeof url, "/ipfs/%s", cid);
  if (decc_multiaddr_from_string(ma, sizeof ma, &ml, url, NULL))
    return -1;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &t->who[K_DS]);
  decc_abi_enc_push_string(&e, "alice");
  decc_abi_enc_push_bytes(&e, ma, ml);
  decc_abi_enc_push_bytes32(&e, sum);
  if (call(t, K_DS, &t->addr.dataset_registry, &e,
           "createDataset(address,string,bytes,bytes32)", &r))
    return -1;
  memcpy(t->dataset.b, r.output + 12, 20);
  decc_receipt_clear(&r);

  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &t->who[K_POOL]);
  decc_abi_enc_push_string(&e, "pool");
  if (call(t, K_POOL, &t->addr.workerpool_registry, &e,
           "createWorkerpool(address,string)", &r))
    return -1;
  memcpy(t->pool.b, r.output + 12, 20);
  decc_receipt_clear(&r);

  /* the SMS over the chain, trusting the worker host's platform key */
  decc_sms_config sc;
  memset(&sc, 0, sizeof sc);
  snprintf(d, sizeof d, "%s/sms", t->tmp);
  sc.vault_dir = d;
  sc.trusted_platforms = &t->who[K_PLATFORM];
  sc.n_trusted = 1;
  if (decc_sms_chain_view_over(&sc.chain, t->c_sms, 1, NULL))
    return -1;
  t->c_sms = NULL; /* owned by the view now */
  decc_err err;
  if (decc_sms_create(&t->sms, &sc, &err)) {
    fprintf(stderr, "    sms: %s\n", err.msg);
    return -1;
  }
  char *pub = NULL;
  if (push_secret_web3(t, b64) ||
      push_web2(t, K_REQ, "my-secret", "requester-secret", 1) ||
      decc_rsa_keygen(&t->rsa, 2048, NULL) ||
      decc_rsa_key_public_b64(&pub, NULL, t->rsa, NULL) ||
      push_web2(t, K_REQ, DECC_SMS_RESULT_ENCRYPTION_KEY, pub, 0))
    return -1;
  decc_free(pub);
  decc_memzero(b64, sizeof b64);

  /* the workerpool's services */
  if (decc_tee_software_create(&t->be, t->sk[K_PLATFORM]))
    return -1;
  decc_scheduler_config scfg;
  memset(&scfg, 0, sizeof scfg);
  scfg.chain = t->c_sched;
  scfg.pool_sk32 = t->sk[K_POOL];
  scfg.workerpool = t->pool;
  scfg.sms = t->sms;
  snprintf(d, sizeof d, "%s/scheduler.sqlite", t->tmp);
  scfg.state_path = d;
  scfg.log = logline;
  if (decc_scheduler_create(&t->sched, &scfg, &err)) {
    fprintf(stderr, "    scheduler: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static __attribute__((unused)) int make_worker(e2e *t, int k,
                                               decc_worker **out) {
  decc_worker_config w;
  memset(&w, 0, sizeof w);
  w.chain = k == K_W1 ? t->c_w1 : t->c_w2;
  w.worker_sk32 = t->sk[k];
  w.scheduler = t->sched;
  w.sms = t->sms;
  w.store.bs = t->bs;
  w.backend = &t->be;
  char d[800];
  snprintf(d, sizeof d, "%s/worker%d", t->tmp, k);
  w.dir = d;
  w.log = logline;
  decc_err err;
  if (decc_worker_create(out, &w, &err)) {
    fprintf(stderr, "    worker: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static __attribute__((unused)) void teardown(e2e *t) {
  decc_worker_destroy(t->w1);
  decc_worker_destroy(t->w2);
  decc_scheduler_destroy(t->sched);
  decc_sms_destroy(t->sms);
  decc_tee_software_destroy(&t->be);
  decc_rsa_key_destroy(t->rsa);
  decc_blockstore_close(t->bs);
  decc_buf_clear(&t->bundle);
  decc_chain_destroy(t->c_test);
  decc_chain_destroy(t->c_sched);
  decc_chain_destroy(t->c_w1);
  decc_chain_destroy(t->c_w2);
  decc_ledger_close(t->l);
}

static __attribute__((unused)) void push_order(decc_abi_enc *e,
                                               const decc_order *o) {
  if (decc_order_abi_push(e, o) != DECC_OK) {
    /* the encoder error is sticky: finish reports it */
  }
}

#define APP_PRICE 5000000000ull
#define DS_PRICE 2000000000ull
#define WP_PRICE 1000000000ull

/* Matches orders for one task. tee: tag 0x…09 and the dataset; else tag
 * 0 without dataset. Out: deal and task ids. */
static __attribute__((unused)) int match(e2e *t, int tee, uint64_t trust,
                                         const char *params, uint8_t deal[32],
                                         uint8_t task[32]) {
  decc_order a, d, w, q;
  if (decc_order_init(&a, DECC_ORDER_APP) ||
      decc_order_init(&d, DECC_ORDER_DATASET) ||
      decc_order_init(&w, DECC_ORDER_WORKERPOOL) ||
      decc_order_init(&q, DECC_ORDER_REQUEST))
    return -1;
  uint8_t tag[32];
  memset(tag, 0, 32);
  if (tee)
    tag[31] = 0x09;
  a.u.app.app = t->app;
  a.u.app.appprice = decc_u256_from_u64(APP_PRICE);
  a.u.app.volume = decc_u256_from_u64(100);
  memcpy(a.u.app.tag, tag, 32);
  w.u.workerpool.workerpool = t->pool;
  w.u.workerpool.workerpoolprice = decc_u256_from_u64(WP_PRICE);
  w.u.workerpool.volume = decc_u256_from_u64(100);
  w.u.workerpool.trust = decc_u256_from_u64(trust);
  memcpy(w.u.workerpool.tag, tag, 32);
  q.u.request.app = t->app;
  q.u.request.appmaxprice = decc_u256_from_u64(APP_PRICE);
  q.u.request.workerpool = t->pool;
  q.u.request.workerpoolmaxprice = decc_u256_from_u64(WP_PRICE);
  q.u.request.requester = t->who[K_REQ];
  q.u.request.beneficiary = t->who[K_REQ];
  q.u.request.volume = decc_u256_from_u64(1);
  q.u.request.trust = decc_u256_from_u64(trust);
  memcpy(q.u.request.tag, tag, 32);
  decc_free(q.u.request.params);
  q.u.request.params = decc_strdup(params);
  if (tee) {
    d.u.dataset.dataset = t->dataset;
    d.u.dataset.datasetprice = decc_u256_from_u64(DS_PRICE);
    d.u.dataset.volume = decc_u256_from_u64(100);
    d.u.dataset.apprestrict = t->app;
    memcpy(d.u.dataset.tag, tag, 32);
    q.u.request.dataset = t->dataset;
    q.u.request.datasetmaxprice = decc_u256_from_u64(DS_PRICE);
    if (decc_order_sign(&d, t->sk[K_DS], t->dom, 1))
      return -1;
  }
  if (decc_order_sign(&a, t->sk[K_APP], t->dom, 1) ||
      decc_order_sign(&w, t->sk[K_POOL], t->dom, 1) ||
      decc_order_sign(&q, t->sk[K_REQ], t->dom, 1))
    return -1;
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  push_order(&e, &a);
  push_order(&e, &d);
  push_order(&e, &w);
  push_order(&e, &q);
  decc_receipt r;
  int rc = call(t, K_REQ, &t->addr.hub, &e,
                "matchOrders((address,uint256,uint256,bytes32,address,address,"
                "address,bytes32,bytes),(address,uint256,uint256,bytes32,"
                "address,address,address,bytes32,bytes),(address,uint256,"
                "uint256,bytes32,uint256,uint256,address,address,address,"
                "bytes32,bytes),(address,uint256,address,uint256,address,"
                "uint256,address,uint256,bytes32,uint256,uint256,address,"
                "address,string,bytes32,bytes))",
                &r);
  if (!rc) {
    memcpy(deal, r.output, 32);
    decc_u256 zero = decc_u256_from_u64(0);
    decc_task_id(task, deal, &zero);
    decc_receipt_clear(&r);
  }
  decc_order_clear(&a);
  decc_order_clear(&d);
  decc_order_clear(&w);
  decc_order_clear(&q);
  return rc;
}

static __attribute__((unused)) int task_status(e2e *t, const uint8_t task[32],
                                               decc_poco_task *out) {
  decc_poco_task tk;
  if (decc_hub_view_task(t->c_test, task, &tk, NULL))
    return -1;
  int s = (int)tk.status;
  if (out)
    *out = tk;
  else
    decc_poco_task_clear(&tk);
  return s;
}

/* Steps the scheduler and the given workers until the task ends. */
static __attribute__((unused)) int drive(e2e *t, const uint8_t task[32],
                                         decc_worker **ws, int nw, int rounds) {
  decc_err err;
  for (int i = 0; i < rounds; i++) {
    if (decc_scheduler_step(t->sched, NULL, &err)) {
      fprintf(stderr, "    scheduler step: %s\n", err.msg);
      return -1;
    }
    for (int k = 0; k < nw; k++)
      if (decc_worker_step(ws[k], NULL, &err)) {
        fprintf(stderr, "    worker step: %s\n", err.msg);
        return -1;
      }
    int s = task_status(t, task, NULL);
    if (s == DECC_TASK_COMPLETED || s == DECC_TASK_FAILED)
      return s;
  }
  return task_status(t, task, NULL);
}

#endif
