/*
 * test_sms_chain.c — the SMS chain view over a decc_chain on the embedded
 * ledger: a real TEE deal (app, dataset, workerpool created by calldata,
 * four signed orders with tag tee+tdx, matchOrders, initialize), read back
 * through owner() / viewTask / viewDeal / m_appChecksum / m_datasetMultiaddr,
 * then the whole SMS flow (dataset key push, enclave challenge, nonce,
 * session) against it, and the task-state refusal after time travel.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decc/abi.h"
#include "decc/cid.h"
#include "decc/ledger.h"
#include "decc/order.h"
#include "sms_fixture.h"

typedef struct cw {
  decc_chain *chain;
  decc_chain_addresses addr;
  uint64_t chain_id;
  uint8_t sk[6][32]; /* 0 app owner, 1 dataset owner, 2 pool, 3 requester,
                        4 worker, 5 platform */
  decc_address who[6];
  decc_address app, dataset, pool;
  uint8_t app_sum[32], ds_sum[32], deal[32], task[32];
  char path[512];
} cw;

static decc_buf calldata(decc_abi_enc *e, const char *sig) {
  uint8_t sel[4];
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_abi_selector(sel, sig);
  if (decc_abi_enc_finish_call(e, sel, &b) != DECC_OK)
    decc_buf_clear(&b);
  decc_abi_enc_clear(e);
  return b;
}

/* Sends a call; returns the first output word's last 20 bytes as an
 * address (creates) or the whole word in out32. -1 on failure/revert. */
static int send(cw *w, int k, const decc_address *to, decc_buf *d,
                uint8_t out32[32]) {
  decc_receipt r;
  decc_err err;
  int rc = -1;
  if (decc_chain_send(w->chain, w->sk[k], to, d->data, d->len, &r, &err) ==
      DECC_OK) {
    if (r.status == 1 && (!out32 || r.output_len >= 32)) {
      if (out32)
        memcpy(out32, r.output, 32);
      rc = 0;
    } else
      fprintf(stderr, "revert: %s\n", r.revert_reason ? r.revert_reason : "");
    decc_receipt_clear(&r);
  } else
    fprintf(stderr, "send: %s\n", err.msg);
  decc_buf_clear(d);
  return rc;
}

static void push_order(decc_abi_enc *e, const decc_order *o) {
  if (decc_order_abi_push(e, o) != DECC_OK) {
    /* the encoder error is sticky: finish reports it */
  }
}

static const char PARAMS[] = "{\"iexec_secrets\":{\"1\":\"tok\"}}";

static int world(cw *w) {
  memset(w, 0, sizeof *w);
  decc_genesis g;
  if (decc_genesis_default(&g) != DECC_OK)
    return -1;
  g.timestamp = 1700000000;
  snprintf(w->path, sizeof w->path, "%s/ledger.db", decc_test_tmpdir());
  decc_err err;
  int rc = decc_ledger_init(w->path, &g, &err) == DECC_OK ? 0 : -1;
  decc_genesis_clear(&g);
  if (rc || decc_chain_open_embedded(&w->chain, w->path, &err) ||
      decc_chain_get_addresses(w->chain, &w->addr, &err) ||
      decc_chain_id(w->chain, &w->chain_id, &err)) {
    fprintf(stderr, "ledger: %s\n", err.msg);
    return -1;
  }
  for (unsigned i = 0; i < 6; i++)
    if (decc_ledger_dev_key(w->sk[i], i + 1) != DECC_OK ||
        decc_address_from_privkey(&w->who[i], w->sk[i]) != DECC_OK)
      return -1;
  decc_sha256(w->app_sum, "bundle", 6);
  decc_sha256(w->ds_sum, "encrypted", 9);
  uint8_t word[32], maddr[64];
  size_t ml = 0;
  if (decc_multiaddr_from_string(
          maddr, sizeof maddr, &ml,
          "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ", NULL))
    return -1;
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[0]);
  decc_abi_enc_push_string(&e, "app");
  decc_abi_enc_push_string(&e, "DOCKER");
  decc_abi_enc_push_bytes(&e, "img", 3);
  decc_abi_enc_push_bytes32(&e, w->app_sum);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_buf d =
      calldata(&e, "createApp(address,string,string,bytes,bytes32,bytes)");
  if (send(w, 0, &w->addr.app_registry, &d, word))
    return -1;
  memcpy(w->app.b, word + 12, 20);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[1]);
  decc_abi_enc_push_string(&e, "data");
  decc_abi_enc_push_bytes(&e, maddr, ml);
  decc_abi_enc_push_bytes32(&e, w->ds_sum);
  d = calldata(&e, "createDataset(address,string,bytes,bytes32)");
  if (send(w, 1, &w->addr.dataset_registry, &d, word))
    return -1;
  memcpy(w->dataset.b, word + 12, 20);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[2]);
  decc_abi_enc_push_string(&e, "pool");
  d = calldata(&e, "createWorkerpool(address,string)");
  if (send(w, 2, &w->addr.workerpool_registry, &d, word))
    return -1;
  memcpy(w->pool.b, word + 12, 20);

  uint8_t ds[32], tag[32];
  decc_poco_domain_separator(ds, w->chain_id, &w->addr.hub);
  decc_tag_from_bits(tag, 0x9);
  decc_order o[4];
  if (decc_order_init(&o[0], DECC_ORDER_APP) ||
      decc_order_init(&o[1], DECC_ORDER_DATASET) ||
      decc_order_init(&o[2], DECC_ORDER_WORKERPOOL) ||
      decc_order_init(&o[3], DECC_ORDER_REQUEST))
    return -1;
  o[0].u.app.app = w->app;
  o[0].u.app.volume = decc_u256_from_u64(10);
  memcpy(o[0].u.app.tag, tag, 32);
  o[1].u.dataset.dataset = w->dataset;
  o[1].u.dataset.volume = decc_u256_from_u64(10);
  memcpy(o[1].u.dataset.tag, tag, 32);
  o[2].u.workerpool.workerpool = w->pool;
  o[2].u.workerpool.volume = decc_u256_from_u64(10);
  memcpy(o[2].u.workerpool.tag, tag, 32);
  o[3].u.request.app = w->app;
  o[3].u.request.dataset = w->dataset;
  o[3].u.request.requester = w->who[3];
  o[3].u.request.beneficiary = w->who[3];
  o[3].u.request.volume = decc_u256_from_u64(1);
  memcpy(o[3].u.request.tag, tag, 32);
  decc_free(o[3].u.request.params);
  o[3].u.request.params = decc_strdup(PARAMS);
  if (decc_order_sign(&o[0], w->sk[0], ds, 1) ||
      decc_order_sign(&o[1], w->sk[1], ds, 1) ||
      decc_order_sign(&o[2], w->sk[2], ds, 1) ||
      decc_order_sign(&o[3], w->sk[3], ds, 1))
    return -1;
  decc_abi_enc_init(&e, 0);
  for (int i = 0; i < 4; i++)
    push_order(&e, &o[i]);
  d = calldata(&e,
               "matchOrders((address,uint256,uint256,bytes32,address,address,"
               "address,bytes32,bytes),(address,uint256,uint256,bytes32,"
               "address,address,address,bytes32,bytes),(address,uint256,"
               "uint256,bytes32,uint256,uint256,address,address,address,"
               "bytes32,bytes),(address,uint256,address,uint256,address,"
               "uint256,address,uint256,bytes32,uint256,uint256,address,"
               "address,string,bytes32,bytes))");
  for (int i = 0; i < 4; i++)
    decc_order_clear(&o[i]);
  if (send(w, 3, &w->addr.hub, &d, w->deal))
    return -1;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, w->deal);
  decc_abi_enc_push_u64(&e, 0);
  d = calldata(&e, "initialize(bytes32,uint256)");
  if (send(w, 2, &w->addr.hub, &d, w->task))
    return -1;
  return 0;
}

TEST(chain_view_reads_owner_task_deal_and_assets_from_the_ledger) {
  cw w;
  ASSERT_EQ(world(&w), 0);
  decc_sms_chain_view v;
  decc_err err;
  ASSERT_OK(decc_sms_chain_view_over(&v, w.chain, 0, &err));
  decc_address owner;
  ASSERT_OK(v.owner_of(v.ctx, &w.dataset, &owner, &err));
  ASSERT(decc_address_eq(&owner, &w.who[1]));
  ASSERT_OK(v.owner_of(v.ctx, &w.app, &owner, &err));
  ASSERT(decc_address_eq(&owner, &w.who[0]));
  decc_address nobody;
  memset(nobody.b, 0x77, 20);
  ASSERT_EQ(v.owner_of(v.ctx, &nobody, &owner, &err), DECC_E_NOT_FOUND);
  decc_sms_task t;
  ASSERT_OK(v.task(v.ctx, w.task, &t, &err));
  ASSERT_EQ(t.status, DECC_SMS_TASK_ACTIVE);
  ASSERT_MEM_EQ(t.deal_id, w.deal, 32);
  ASSERT_EQ(t.index, 0);
  ASSERT(t.final_deadline > 1700000000);
  uint8_t none[32];
  memset(none, 0x99, 32);
  ASSERT_EQ(v.task(v.ctx, none, &t, &err), DECC_E_NOT_FOUND);
  decc_sms_deal d;
  ASSERT_OK(v.deal(v.ctx, w.deal, &d, &err));
  ASSERT(decc_address_eq(&d.app, &w.app));
  ASSERT(decc_address_eq(&d.dataset, &w.dataset));
  ASSERT(decc_address_eq(&d.dataset_owner, &w.who[1]));
  ASSERT(decc_address_eq(&d.workerpool_owner, &w.who[2]));
  ASSERT(decc_address_eq(&d.requester, &w.who[3]));
  ASSERT_EQ(d.tag[31], 0x09);
  ASSERT_STR_EQ(d.params, PARAMS);
  ASSERT_EQ(d.bot_size, 1);
  decc_sms_deal_clear(&d);
  ASSERT_EQ(v.deal(v.ctx, none, &d, &err), DECC_E_NOT_FOUND);
  decc_sms_asset a;
  ASSERT_OK(v.app(v.ctx, &w.app, &a, &err));
  ASSERT_MEM_EQ(a.checksum, w.app_sum, 32);
  ASSERT_EQ(a.multiaddr_len, 3);
  decc_sms_asset_clear(&a);
  ASSERT_OK(v.dataset(v.ctx, &w.dataset, &a, &err));
  ASSERT_MEM_EQ(a.checksum, w.ds_sum, 32);
  ASSERT_EQ(a.multiaddr_len, 37); /* a5 03 22 12 20 + 32-byte digest */
  decc_sms_asset_clear(&a);
  uint64_t now = 0;
  ASSERT_OK(v.now(v.ctx, &now, &err));
  ASSERT(now >= 1700000000);
  v.destroy(v.ctx);
  decc_chain_destroy(w.chain);
}

TEST(sms_session_over_the_embedded_ledger) {
  cw w;
  ASSERT_EQ(world(&w), 0);
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  char vdir[600];
  snprintf(vdir, sizeof vdir, "%s/vault", decc_test_tmpdir());
  cfg.vault_dir = vdir;
  cfg.trusted_platforms = &w.who[5];
  cfg.n_trusted = 1;
  decc_err err;
  ASSERT_OK(decc_sms_chain_view_over(&cfg.chain, w.chain, 1, &err));
  decc_sms *sms = NULL;
  ASSERT_OK(decc_sms_create(&sms, &cfg, &err));
  /* dataset key by its on-chain owner; a requester secret */
  const char *key = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";
  uint8_t ch[32], sig[65];
  char sh[133];
  decc_sms_web3_challenge(ch, &w.dataset, key, strlen(key));
  ASSERT_OK(decc_sms_sign_challenge(sig, w.sk[0], ch));
  ASSERT_EQ(decc_sms_push_web3(sms, &w.dataset, key, strlen(key),
                               decc_hex_encode(sh, sig, 65, 1), NULL, &err),
            DECC_E_BAD_SIGNATURE); /* the app owner does not own the data */
  ASSERT_OK(decc_sms_sign_challenge(sig, w.sk[1], ch));
  ASSERT_OK(decc_sms_push_web3(sms, &w.dataset, key, strlen(key),
                               decc_hex_encode(sh, sig, 65, 1), NULL, &err));
  decc_sms_web2_challenge(ch, &w.who[3], "tok", 3, "rv", 2);
  ASSERT_OK(decc_sms_sign_challenge(sig, w.sk[3], ch));
  ASSERT_OK(decc_sms_push_requester_secret(sms, &w.who[3], "tok", "rv", 2,
                                           decc_hex_encode(sh, sig, 65, 1),
                                           NULL, &err));
  /* scheduler: enclave challenge */
  decc_sms_authorization_hash(ch, NULL, w.task, NULL);
  ASSERT_OK(decc_sms_sign_challenge(sig, w.sk[2], ch));
  decc_address enclave;
  ASSERT_OK(decc_sms_enclave_challenge(
      sms, w.task, decc_hex_encode(sh, sig, 65, 1), &enclave, NULL, &err));
  /* enclave: nonce + quote; scheduler: authorization; worker: header */
  decc_sms_session_request r;
  memset(&r, 0, sizeof r);
  uint8_t pk[32], esk[32];
  ASSERT_OK(decc_enclave_keypair(pk, esk));
  ASSERT_OK(
      decc_sms_attestation_nonce(sms, w.task, r.quote.nonce, NULL, NULL, &err));
  memcpy(r.quote.measurement, w.app_sum, 32);
  memcpy(r.quote.enclave_pubkey, pk, 32);
  memcpy(r.quote.task_id, w.task, 32);
  r.quote.timestamp = (uint64_t)time(NULL);
  ASSERT_OK(decc_quote_sign(&r.quote, w.sk[5]));
  ASSERT_OK(decc_sms_authorize_worker(&r, w.sk[2], w.task, w.deal, 0, &w.who[4],
                                      &enclave));
  decc_sms_authorization_hash(ch, &w.who[4], w.task, &enclave);
  ASSERT_OK(decc_sms_sign_challenge(sig, w.sk[4], ch));
  decc_hex_encode(sh, sig, 65, 1);
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *box = NULL;
  size_t bl = 0;
  const char *code = NULL;
  ASSERT_OK(decc_sms_release_session(sms, &r, sh, sid, &box, &bl, &code, &err));
  char *txt = NULL;
  size_t n = 0;
  ASSERT_OK(decc_sms_session_open(&txt, &n, box, bl, pk, esk));
  json_error_t je;
  json_t *doc = json_loadb(txt, n, 0, &je);
  ASSERT(doc != NULL);
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_KEY"), key);
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_URL"),
                "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ");
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_REQUESTER_SECRET_1"), "rv");
  json_decref(doc);
  decc_secure_free(txt);
  decc_free(box);
  decc_sms_destroy(sms);

  /* past the final deadline on the ledger clock: refused */
  decc_ledger *l = NULL;
  ASSERT_OK(decc_ledger_open(&l, w.path, &err));
  ASSERT_OK(decc_ledger_time_increase(l, 100000, NULL, &err));
  decc_ledger_close(l);
  decc_chain *c2 = NULL;
  ASSERT_OK(decc_chain_open_embedded(&c2, w.path, &err));
  w.chain = c2; /* a block after the time travel moves the chain clock */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u64(&e, 0);
  decc_buf d = calldata(&e, "deposit(uint256)");
  decc_receipt rc;
  ASSERT_OK(
      decc_chain_send(c2, w.sk[3], &w.addr.hub, d.data, d.len, &rc, &err));
  decc_receipt_clear(&rc);
  decc_buf_clear(&d);
  ASSERT_OK(decc_sms_chain_view_over(&cfg.chain, c2, 1, &err));
  ASSERT_OK(decc_sms_create(&sms, &cfg, &err));
  ASSERT_EQ(
      decc_sms_attestation_nonce(sms, w.task, r.quote.nonce, NULL, &code, &err),
      DECC_E_DENIED);
  ASSERT_STR_EQ(code, "EXECUTION_NOT_AUTHORIZED_TASK_FINAL_DEADLINE_REACHED");
  decc_sms_destroy(sms);
}
