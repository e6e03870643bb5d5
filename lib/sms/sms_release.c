/*
 * sms_release.c — POST /tee/sessions: every check before a session leaves
 * the SMS (worker and workerpool signatures, task on chain, enclave
 * challenge, quote — software or TDX through DCAP — freshness, nonce,
 * measurement, grant policy), then the document sealed to the enclave's
 * key and the dataset key release recorded before it is returned.
 */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/cid.h"
#include "decc/dcap.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "decc/result.h"
#include "decc/session.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "sms/sms_bulk_receipts.h"
#include "sms/sms_int.h"

/* A hardware (TDX) quote: the DCAP chain to the root with the collateral
 * (text from the configuration, or the PCCS through its cache), then the
 * policy (TCB status, advisories, MRTD/RTMRs) and the report data, which
 * must be decc_dcap_report_data of the quote's claims — so the claims the
 * caller checks next (task, nonce, measurement, timestamp) are the TD's. */
static decc_status verify_hw_quote(decc_sms *s, const decc_quote *q,
                                   const char **code, decc_err *err,
                                   const char *what) {
  if (!s->dcap_policy)
    return decc__sms_refuse(
        s, code, "ATTESTATION_UNTRUSTED_PLATFORM", DECC_E_DENIED, err, what,
        "hardware (tdx) quotes are not accepted: this SMS has no "
        "DCAP policy configured");
  if (!q->hw_quote_len || q->hw_quote_len > DECC_QUOTE_HW_MAX)
    return decc__sms_refuse(s, code, "ATTESTATION_MALFORMED_QUOTE",
                            DECC_E_DENIED, err, what,
                            "a tdx quote without its hardware quote (hwQuote)");
  int64_t now = (int64_t)decc__sms_wall_now(s);
  decc_err e2;
  decc_status st;
  char *json = NULL;
  if (s->dcap_collateral) {
    json = s->dcap_collateral;
  } else {
    int cached = 0;
    st = decc_dcap_pccs_get(&json, &cached, s->pccs_url, s->pccs_cache_dir,
                            s->cfg.dcap_pccs_offline, q->hw_quote,
                            q->hw_quote_len, now, &e2);
    if (st)
      return decc__sms_refuse(
          s, code,
          st == DECC_E_PARSE ? "ATTESTATION_MALFORMED_QUOTE"
                             : "ATTESTATION_COLLATERAL_UNAVAILABLE",
          st, err, what, "collateral from the PCCS: %s", e2.msg);
  }
  decc_dcap_collateral *coll = NULL;
  st = decc_dcap_collateral_parse(&coll, json, strlen(json), &e2);
  if (json != s->dcap_collateral)
    decc_free(json);
  if (st)
    return decc__sms_refuse(s, code, "ATTESTATION_COLLATERAL_UNAVAILABLE", st,
                            err, what, "collateral: %s", e2.msg);
  decc_dcap_result *res = decc_calloc(1, sizeof *res);
  if (!res) {
    decc_dcap_collateral_destroy(coll);
    return decc__sms_refuse(s, code, "ATTESTATION_COLLATERAL_UNAVAILABLE",
                            DECC_E_NOMEM, err, what, "out of memory");
  }
  st = decc_dcap_verify(s->dcap_verifier, res, q->hw_quote, q->hw_quote_len,
                        coll, now, &e2);
  decc_dcap_collateral_destroy(coll);
  if (st) {
    st = decc__sms_refuse(s, code, decc_dcap_refusal_code(st, res), st, err,
                          what, "tdx quote: %s", e2.msg);
  } else {
    uint8_t rd[64];
    decc_dcap_report_data(rd, q);
    const char *pc = NULL;
    st = decc_dcap_policy_check(s->dcap_policy, res, rd, &pc, &e2);
    if (st)
      st = decc__sms_refuse(s, code, pc ? pc : "ATTESTATION_UNTRUSTED_PLATFORM",
                            st, err, what, "tdx quote: %s", e2.msg);
  }
  decc_free(res);
  return st;
}

/* ---- receipts (decc/receipts.h) -------------------------------------------- */

/* What a dataset key release is recorded with. */
typedef struct rcpt_ctx {
  decc_rcpt_release rel;
  uint8_t price[32], orders[4][32], ds_ck[32];
  decc_grant_policy pol;
} rcpt_ctx;

static void rcpt_log(void *ctx, const char *line) {
  decc__sms_log(ctx, "%s", line);
}

/* Before a dataset key leaves: the grant's policy (expiry, owner's
 * signature) allows it. Fills rc for receipt_record. */
static decc_status receipt_check(decc_sms *s, const decc_sms_session_request *r,
                                 const decc_sms_deal *deal,
                                 const decc_sms_asset *app, uint64_t chain_now,
                                 rcpt_ctx *rc, const char **code, decc_err *err,
                                 const char *what) {
  memset(rc, 0, sizeof *rc);
  decc_rcpt_release *rel = &rc->rel;
  decc_err e2;
  decc_sms_asset ds;
  memset(&ds, 0, sizeof ds);
  decc_status st = s->chain.dataset(s->chain.ctx, &deal->dataset, &ds, &e2);
  if (st)
    return decc__sms_refuse(s, code, "PRE_COMPUTE_GET_DATASET_FAILED", st, err,
                            what, "reading the deal's dataset: %s", e2.msg);
  memcpy(rc->ds_ck, ds.checksum, 32);
  decc_sms_asset_clear(&ds);
  if (s->chain.deal_grant) {
    st = s->chain.deal_grant(s->chain.ctx, r->deal_id, rc->price, rc->orders,
                             &rel->chain_id, &e2);
    if (st)
      return decc__sms_refuse(s, code, "CHAIN_ERROR", st, err, what,
                              "reading the deal's grant (dataset order): %s",
                              e2.msg);
    rel->grant32 = rc->orders[1];
  }
  rel->wall_now = decc__sms_wall_now(s);
  rel->chain_now = chain_now;
  rel->task_id = r->task_id;
  rel->deal_id = r->deal_id;
  rel->task_index = r->task_index;
  rel->dataset = &deal->dataset;
  rel->dataset_owner = &deal->dataset_owner;
  rel->app = &deal->app;
  rel->requester = &deal->requester;
  rel->beneficiary = &deal->beneficiary;
  rel->workerpool = &deal->workerpool;
  rel->worker = &r->worker;
  rel->enclave = &r->enclave_challenge;
  rel->app_checksum = app->checksum;
  rel->dataset_checksum = rc->ds_ck;
  rel->price32 = rc->price;
  const char *pc = NULL;
  st = decc_rcpt_release_check(s->receipts, rel, &rc->pol, &pc, &e2);
  if (st)
    return decc__sms_refuse(s, code, pc ? pc : "GRANT_POLICY_INVALID", st, err,
                            what, "%s", e2.msg);
  return DECC_OK;
}

decc_status
decc_sms_release_session(decc_sms *s, const decc_sms_session_request *r,
                         const char *worker_authorization,
                         char session_id[DECC_SMS_SESSION_ID_LEN + 1],
                         uint8_t **sealed, size_t *sealed_len,
                         const char **code, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(session_id != NULL);
  DECC_ARG_CHECK(sealed != NULL);
  DECC_ARG_CHECK(sealed_len != NULL);
  char th[DECC_HEX32_LEN], wa[DECC_ADDRESS_HEX_LEN], what[160];
  decc_hex_encode(th, r->task_id, 32, 1);
  snprintf(what, sizeof what, "session for task %s worker %s", th,
           decc_address_to_checksum(wa, &r->worker));
  *sealed = NULL;
  *sealed_len = 0;
  session_id[0] = 0;
  if (code)
    *code = NULL;
  decc_err e2;
  uint8_t h[32], sk[32];
  decc_sms_deal deal;
  decc_sms_task task;
  decc_sms_asset app;
  decc_deal_params p;
  decc_buf doc;
  rcpt_ctx rc;
  memset(&deal, 0, sizeof deal);
  memset(&app, 0, sizeof app);
  memset(&p, 0, sizeof p);
  decc_buf_init_secret(&doc, DECC_SMS_SESSION_MAX);
  uint8_t *arena = NULL;
  decc__sms_bulk_item *bulk = NULL;
  size_t n_bulk = 0;
  int held = 0; /* this release holds a vault read transaction */
  decc_status st;

  /* 1. the worker's own signature (iExec's first check) */
  decc_sms_authorization_hash(h, &r->worker, r->task_id, &r->enclave_challenge);
  if ((st = decc_sms_check_signature(worker_authorization, h, &r->worker,
                                     &e2))) {
    st = decc__sms_refuse(s, code, "INVALID_WORKER_SIGNATURE", st, err, what,
                          "Authorization is not the worker's signature of the "
                          "authorization: %s",
                          e2.msg);
    goto out;
  }
  /* 2. on-chain: task ACTIVE, deadline, TEE deal */
  if ((st = decc__sms_check_execution(s, r->task_id, &task, &deal, code, err,
                                      what)))
    goto out;
  if (memcmp(task.deal_id, r->deal_id, 32) || task.index != r->task_index) {
    st = decc__sms_refuse(s, code,
                          "EXECUTION_NOT_AUTHORIZED_INVALID_AUTHORIZATION",
                          DECC_E_DENIED, err, what,
                          "dealId/taskIndex do not match the task on chain");
    goto out;
  }
  /* 3. the workerpool owner authorised this worker for this enclave */
  decc_address who;
  if (decc_eip191_recover(&who, h, 32, r->pool_signature) != DECC_OK ||
      !decc_address_eq(&who, &deal.workerpool_owner)) {
    st = decc__sms_refuse(
        s, code, "EXECUTION_NOT_AUTHORIZED_INVALID_SIGNATURE",
        DECC_E_BAD_SIGNATURE, err, what,
        "worker not authorized by the deal's workerpool owner");
    goto out;
  }
  /* 4. the enclave challenge is this SMS's key for the task */
  uint64_t chain_now = 0;
  if ((st = s->chain.now(s->chain.ctx, &chain_now, &e2))) {
    st = decc__sms_refuse(s, code, "CHAIN_ERROR", st, err, what, "%s", e2.msg);
    goto out;
  }
  /* From here to the session document, every vault read of the release
   * (enclave key, dataset key, beneficiary, app and storage secrets)
   * shares one read transaction: one snapshot, one lock (vault.h). */
  held = decc_vault_read_begin(s->vault);
  decc_address ech;
  st = decc__sms_enclave_key_load(s, th, chain_now, &ech, sk, &e2);
  if (st == DECC_E_NOT_FOUND) {
    st = decc__sms_refuse(s, code, "NO_ENCLAVE_CHALLENGE", DECC_E_DENIED, err,
                          what,
                          "no enclave challenge was generated for this task");
    goto out;
  } else if (st) {
    st = decc__sms_refuse(s, code, "SECRET_READ_FAILED", st, err, what, "%s",
                          e2.msg);
    goto out;
  }
  if (!decc_address_eq(&ech, &r->enclave_challenge)) {
    st = decc__sms_refuse(
        s, code, "ENCLAVE_CHALLENGE_MISMATCH", DECC_E_DENIED, err, what,
        "enclaveChallenge is not this SMS's key for the task");
    goto out;
  }
  /* 5. attestation: a software quote signed by a trusted platform key, or
   * a hardware quote verified to Intel's root, accepted by the policy and
   * binding these claims; then the claims themselves. */
  const decc_quote *q = &r->quote;
  if (!strncmp(q->backend, "tdx", sizeof q->backend)) {
    if ((st = verify_hw_quote(s, q, code, err, what)))
      goto out;
  } else {
    st = decc_quote_verify(q, s->trusted, s->n_trusted, NULL, 0, 0, &e2);
    if (st) {
      st = decc__sms_refuse(s, code,
                            st == DECC_E_BAD_SIGNATURE
                                ? "ATTESTATION_BAD_SIGNATURE"
                                : "ATTESTATION_UNTRUSTED_PLATFORM",
                            st, err, what, "%s", e2.msg);
      goto out;
    }
  }
  uint64_t now = decc__sms_wall_now(s);
  if (q->timestamp > now + 60 || now - q->timestamp > s->cfg.quote_max_age_s) {
    st = decc__sms_refuse(s, code, "ATTESTATION_STALE_QUOTE", DECC_E_DENIED,
                          err, what,
                          "quote timestamp %llu is outside the accepted window",
                          (unsigned long long)q->timestamp);
    goto out;
  }
  if (memcmp(q->task_id, r->task_id, 32)) {
    st = decc__sms_refuse(s, code, "ATTESTATION_TASK_MISMATCH", DECC_E_DENIED,
                          err, what, "the quote was made for another task");
    goto out;
  }
  st = decc__sms_consume_nonce(s, r->task_id, q->nonce);
  if (st == DECC_E_LIMIT) {
    st = decc__sms_refuse(
        s, code, "TOO_MANY_SESSIONS", DECC_E_DENIED, err, what,
        "more than %zu sessions for this task (or %zu overall) "
        "within the nonce lifetime; retry later",
        s->cfg.max_nonces_per_task, s->cfg.max_nonces);
    goto out;
  }
  if (st) {
    st = decc__sms_refuse(
        s, code,
        st == DECC_E_TIMEOUT ? "ATTESTATION_NONCE_EXPIRED"
                             : "ATTESTATION_NONCE_UNKNOWN",
        DECC_E_DENIED, err, what, "%s",
        st == DECC_E_TIMEOUT
            ? "stale nonce: the quote's nonce has expired"
            : "the quote's nonce was not issued for this task or was "
              "already used (replayed quote)");
    goto out;
  }
  if ((st = s->chain.app(s->chain.ctx, &deal.app, &app, &e2))) {
    st = decc__sms_refuse(s, code, "GET_APP_FAILED", st, err, what,
                          "reading the deal's app: %s", e2.msg);
    goto out;
  }
  if (memcmp(app.checksum, q->measurement, 32)) {
    char m1[DECC_HEX32_LEN], m2[DECC_HEX32_LEN];
    st = decc__sms_refuse(
        s, code, "ATTESTATION_MEASUREMENT_MISMATCH", DECC_E_DENIED, err, what,
        "enclave measurement %s differs from the app's on-chain "
        "checksum %s",
        decc_hex_encode(m1, q->measurement, 32, 1),
        decc_hex_encode(m2, app.checksum, 32, 1));
    goto out;
  }
  /* 6. the session */
  if ((st = decc_deal_params_parse(&p, deal.params, strlen(deal.params),
                                   s->cfg.max_params, s->cfg.max_input_files,
                                   &e2))) {
    st = decc__sms_refuse(s, code, "INVALID_DEAL_PARAMS", st, err, what, "%s",
                          e2.msg);
    goto out;
  }
  if (p.bulk_cid) {
    /* The task's slice: index = the task's index in the deal's request
     * (iexec-sms uses botIndex); every order judged before the document
     * is built. */
    if (!s->cfg.bulk_store && !s->cfg.bulk_ipfs_api_url) {
      st = decc__sms_refuse(
          s, code, "BULK_NOT_SUPPORTED", DECC_E_UNSUPPORTED, err, what,
          "bulk processing (bulk_cid) needs a content store: this "
          "SMS has none configured");
      goto out;
    }
    decc_err e3;
    if ((st = decc__sms_bulk_load(
             s->cfg.bulk_store ? decc_blockstore_get : NULL, s->cfg.bulk_store,
             s->cfg.bulk_ipfs_api_url, p.bulk_cid, task.index, &bulk, &n_bulk,
             &e3))) {
      st = decc__sms_refuse(s, code, "BULK_SLICE_UNAVAILABLE", st, err, what,
                            "%s", e3.msg);
      goto out;
    }
    for (size_t i = 0; i < n_bulk; i++)
      decc__sms_bulk_check(&s->chain, &bulk[i], r->deal_id);
  }
  static const char alnum[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  uint8_t rnd[10];
  if (decc_random_bytes(rnd, sizeof rnd) != DECC_OK) {
    st = decc__sms_refuse(s, code, "SECURE_SESSION_GENERATION_FAILED",
                          DECC_E_CRYPTO, err, what, "no randomness");
    goto out;
  }
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  for (int i = 0; i < 10; i++)
    sid[i] = alnum[rnd[i] % 62];
  snprintf(sid + 10, sizeof sid - 10, "0000%s", th);
  arena = decc__sms_arena_take();
  if (!arena) {
    st = decc__sms_refuse(s, code, "SECURE_SESSION_GENERATION_FAILED",
                          DECC_E_NOMEM, err, what, "out of memory");
    goto out;
  }
  decc__sms_session_ctx c = {r,     &deal, &app,   sk,  sid,
                             arena, bulk,  n_bulk, NULL};
  int has_ds = !decc_address_is_zero(&deal.dataset);
  if (has_ds) {
    if ((st =
             receipt_check(s, r, &deal, &app, chain_now, &rc, code, err, what)))
      goto out;
    c.purpose = rc.pol.purpose;
  }
  if ((st = decc__sms_build_session(s, &c, &p, &doc, code, err, what)))
    goto out;
  if (held)
    decc_vault_read_end(s->vault);
  held = 0;
  uint8_t *box = decc_malloc(doc.len + DECC_SEAL_OVERHEAD);
  if (!box) {
    st = decc__sms_refuse(s, code, "SECURE_SESSION_GENERATION_FAILED",
                          DECC_E_NOMEM, err, what, "out of memory");
    goto out;
  }
  if ((st = decc_seal(box, doc.data, doc.len, q->enclave_pubkey))) {
    decc_free(box);
    st = decc__sms_refuse(s, code, "SECURE_SESSION_GENERATION_FAILED", st, err,
                          what, "sealing the session failed");
    goto out;
  }
  /* No receipt, no key: the release is recorded (durably) before the
   * sealed session leaves. */
  if (has_ds && (st = decc_rcpt_release_record(s->receipts, &rc.rel, &rc.pol,
                                               rcpt_log, s, &e2))) {
    decc_free(box);
    st = decc__sms_refuse(
        s, code, "RECEIPT_WRITE_FAILED", st, err, what,
        "the key release could not be recorded, so it is not made: "
        "%s",
        e2.msg);
    goto out;
  }
  /* Bulk tasks: one receipt per released dataset (sms_bulk_receipts.c). */
  if (n_bulk &&
      (st = decc__sms_bulk_receipts(s->receipts, &s->chain, r, &deal, &app,
                                    decc__sms_wall_now(s), chain_now, bulk,
                                    n_bulk, rcpt_log, s, &e2))) {
    decc_free(box);
    st = decc__sms_refuse(
        s, code, "RECEIPT_WRITE_FAILED", st, err, what,
        "a bulk dataset's key release could not be recorded, so the "
        "session is not released: %s",
        e2.msg);
    goto out;
  }
  *sealed = box;
  *sealed_len = doc.len + DECC_SEAL_OVERHEAD;
  memcpy(session_id, sid, sizeof sid);
  {
    char pf[DECC_ADDRESS_HEX_LEN];
    decc__sms_log(
        s,
        "sms: released session %.14s… for task %s to worker %s (platform "
        "%s, dataset %s, %zu requester secret(s))",
        sid, th, wa, decc_address_to_checksum(pf, &q->platform),
        decc_address_is_zero(&deal.dataset) ? "none" : "of the deal",
        p.n_secrets);
    if (s->cfg.observe)
      s->cfg.observe(s->cfg.observe_ctx, "release", NULL);
  }
out:
  if (held)
    decc_vault_read_end(s->vault);
  decc_memzero(sk, sizeof sk);
  decc__sms_arena_give(arena); /* wipes every secret read for this session */
  decc_buf_clear(&doc);
  decc_deal_params_clear(&p);
  decc_sms_deal_clear(&deal);
  decc_sms_asset_clear(&app);
  decc__sms_bulk_free(bulk, n_bulk);
  return st;
}
