/*
 * sms_fixture.h — a TEE deal on the in-memory chain view plus an SMS over
 * it, shared by the SMS tests: parties with fixed keys, a dataset owned by
 * key 0x11…11 (the §1.9 vector's signer), an app whose checksum is the
 * enclave measurement, a workerpool, an ACTIVE task with tag tee+tdx, and
 * helpers that walk the scheduler / enclave / worker side of a session.
 */
#ifndef SMS_FIXTURE_H
#define SMS_FIXTURE_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "decc/attest.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "test.h"

enum {
  K_DS_OWNER,
  K_APP_OWNER,
  K_POOL,
  K_REQ,
  K_WORKER,
  K_PLATFORM,
  K_OTHER,
  K_N
};

typedef struct fx {
  uint8_t sk[K_N][32];
  decc_address who[K_N];
  decc_address dataset, dataset2, app, pool;
  uint8_t deal[32], task[32], app_sum[32], ds_sum[32];
  decc_sms_memchain *mc;
  decc_sms *sms;
  decc_sms_deal d;
  decc_sms_task t;
  char vault_dir[512];
  char logs[16384];
  size_t logs_len;
} fx;

static uint64_t g_fx_clock = 1700000000;
static __attribute__((unused)) uint64_t fx_clock(void *ctx) {
  (void)ctx;
  return g_fx_clock;
}

static __attribute__((unused)) void fx_log(void *ctx, const char *line) {
  fx *f = ctx;
  size_t n = strlen(line);
  if (f->logs_len + n + 2 < sizeof f->logs) {
    memcpy(f->logs + f->logs_len, line, n);
    f->logs_len += n;
    f->logs[f->logs_len++] = '\n';
    f->logs[f->logs_len] = 0;
  }
}

static const char FX_PARAMS[] =
    "{\"iexec_secrets\":{\"1\":\"my-token\"},\"iexec_result_storage_provider\":"
    "\"ipfs\",\"iexec_result_encryption\":false,\"iexec_input_files\":["
    "\"https://x/y\"],\"iexec_args\":\"a b\"}";

static __attribute__((unused)) int fx_set_deal(fx *f, const char *params) {
  f->d.params = (char *)params;
  int rc =
      decc_sms_memchain_set_deal(f->mc, f->deal, &f->d) == DECC_OK ? 0 : -1;
  f->d.params = NULL;
  return rc;
}

static __attribute__((unused)) int fx_set_task_status(fx *f, unsigned status) {
  f->t.status = status;
  return decc_sms_memchain_set_task(f->mc, f->task, &f->t) == DECC_OK ? 0 : -1;
}

/* Builds the world; trusted platform = K_PLATFORM. Returns 0 on success. */
static __attribute__((unused)) int fx_init(fx *f) {
  memset(f, 0, sizeof *f);
  g_fx_clock = 1700000000;
  for (int i = 0; i < K_N; i++) {
    memset(f->sk[i], 0x11 + 0x10 * i, 32);
    if (decc_address_from_privkey(&f->who[i], f->sk[i]) != DECC_OK)
      return -1;
  }
  memset(f->dataset.b, 0x22, 20);
  memset(f->dataset2.b, 0x23, 20);
  memset(f->app.b, 0x44, 20);
  memset(f->pool.b, 0x55, 20);
  memset(f->deal, 0xcd, 32);
  uint8_t buf[64];
  memcpy(buf, f->deal, 32);
  memset(buf + 32, 0, 32);
  decc_keccak256(f->task, buf, 64);
  decc_sha256(f->app_sum, "app bundle", 10);
  decc_sha256(f->ds_sum, "encrypted dataset", 17);
  if (decc_sms_memchain_create(&f->mc))
    return -1;
  /* multiaddr of /ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ */
  size_t ml = 0;
  uint8_t *maddr = decc_test_unhex(
      "a5032212207237a7f4091a74ae95514890fa86a2e8a36037c350ea71c06a34c8cbe25a5"
      "057",
      &ml);
  if (decc_sms_memchain_set_owner(f->mc, &f->dataset, &f->who[K_DS_OWNER]) ||
      decc_sms_memchain_set_owner(f->mc, &f->dataset2, &f->who[K_DS_OWNER]) ||
      decc_sms_memchain_set_owner(f->mc, &f->app, &f->who[K_APP_OWNER]) ||
      decc_sms_memchain_set_owner(f->mc, &f->pool, &f->who[K_POOL]) ||
      decc_sms_memchain_set_asset(f->mc, &f->dataset, f->ds_sum, maddr, ml) ||
      decc_sms_memchain_set_asset(f->mc, &f->dataset2, f->ds_sum, maddr, ml) ||
      decc_sms_memchain_set_asset(f->mc, &f->app, f->app_sum,
                                  (const uint8_t *)"registry/app:1", 14))
    return -1;
  free(maddr);
  f->d.app = f->app;
  f->d.app_owner = f->who[K_APP_OWNER];
  f->d.dataset = f->dataset;
  f->d.dataset_owner = f->who[K_DS_OWNER];
  f->d.workerpool = f->pool;
  f->d.workerpool_owner = f->who[K_POOL];
  f->d.requester = f->who[K_REQ];
  f->d.beneficiary = f->who[K_REQ];
  f->d.tag[31] = 0x09;
  f->d.trust = 1;
  f->d.bot_first = 0;
  f->d.bot_size = 1;
  f->d.start_time = 1700000000;
  if (fx_set_deal(f, FX_PARAMS))
    return -1;
  memcpy(f->t.deal_id, f->deal, 32);
  f->t.index = 0;
  f->t.final_deadline = 1700003000;
  if (fx_set_task_status(f, DECC_SMS_TASK_ACTIVE))
    return -1;
  decc_sms_memchain_set_now(f->mc, 1700000100);
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  static int vault_no;
  snprintf(f->vault_dir, sizeof f->vault_dir, "%s/vault%d", decc_test_tmpdir(),
           vault_no++);
  cfg.vault_dir = f->vault_dir;
  cfg.trusted_platforms = &f->who[K_PLATFORM];
  cfg.n_trusted = 1;
  decc_sms_memchain_view(&cfg.chain, f->mc);
  cfg.clock = fx_clock;
  cfg.log = fx_log;
  cfg.log_ctx = f;
  decc_err err;
  if (decc_sms_create(&f->sms, &cfg, &err) != DECC_OK) {
    fprintf(stderr, "sms create: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static __attribute__((unused)) void fx_free(fx *f) {
  decc_sms_destroy(f->sms);
  decc_sms_memchain_destroy(f->mc);
}

/* Signs a challenge with key k and returns the header text (static). */
static __attribute__((unused)) const char *fx_sig(fx *f, int k,
                                                  const uint8_t ch[32]) {
  static char hex[133];
  uint8_t sig[65];
  if (decc_sms_sign_challenge(sig, f->sk[k], ch) != DECC_OK)
    return "";
  return decc_hex_encode(hex, sig, 65, 1);
}

/* Pushes with the core, signed by key k. */
static __attribute__((unused)) decc_status
fx_push_web3(fx *f, int k, const decc_address *ds, const char *v) {
  uint8_t ch[32];
  decc_sms_web3_challenge(ch, ds, v, strlen(v));
  return decc_sms_push_web3(f->sms, ds, v, strlen(v), fx_sig(f, k, ch), NULL,
                            NULL);
}
static __attribute__((unused)) decc_status
fx_push_web2(fx *f, int k, const char *name, const char *v, int update) {
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, &f->who[k], name, strlen(name), v, strlen(v));
  return decc_sms_push_web2(f->sms, &f->who[k], name, v, strlen(v), update,
                            fx_sig(f, k, ch), NULL, NULL);
}
static __attribute__((unused)) decc_status
fx_push_req(fx *f, int k, const char *key, const char *v) {
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, &f->who[k], key, strlen(key), v, strlen(v));
  return decc_sms_push_requester_secret(f->sms, &f->who[k], key, v, strlen(v),
                                        fx_sig(f, k, ch), NULL, NULL);
}
static __attribute__((unused)) decc_status fx_push_app(fx *f, int k,
                                                       const char *v) {
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, &f->app, "1", 1, v, strlen(v));
  return decc_sms_push_app_secret(f->sms, &f->app, v, strlen(v),
                                  fx_sig(f, k, ch), NULL, NULL);
}

/* What an enclave run holds. */
typedef struct fx_enclave {
  uint8_t pk[32], sk[32];
  decc_address challenge;
  decc_sms_session_request req;
  char worker_auth[133];
} fx_enclave;

/* Scheduler: challenge; SMS: nonce; enclave: quote by platform key
 * `platform`; scheduler: authorization by `pool_key`; worker: header by
 * `worker_key`. Returns 0 or -1 (with the step's status in *st). */
static __attribute__((unused)) int fx_prepare(fx *f, fx_enclave *e,
                                              int platform, int pool_key,
                                              int worker_key, decc_status *st) {
  memset(e, 0, sizeof *e);
  uint8_t h[32];
  decc_sms_authorization_hash(h, NULL, f->task, NULL);
  *st = decc_sms_enclave_challenge(f->sms, f->task, fx_sig(f, K_POOL, h),
                                   &e->challenge, NULL, NULL);
  if (*st)
    return -1;
  decc_quote *q = &e->req.quote;
  if ((*st = decc_sms_attestation_nonce(f->sms, f->task, q->nonce, NULL, NULL,
                                        NULL)))
    return -1;
  if ((*st = decc_enclave_keypair(e->pk, e->sk)))
    return -1;
  memcpy(q->measurement, f->app_sum, 32);
  memcpy(q->enclave_pubkey, e->pk, 32);
  memcpy(q->task_id, f->task, 32);
  q->timestamp = g_fx_clock;
  if ((*st = decc_quote_sign(q, f->sk[platform])))
    return -1;
  if ((*st =
           decc_sms_authorize_worker(&e->req, f->sk[pool_key], f->task, f->deal,
                                     0, &f->who[K_WORKER], &e->challenge)))
    return -1;
  decc_sms_authorization_hash(h, &f->who[K_WORKER], f->task, &e->challenge);
  snprintf(e->worker_auth, sizeof e->worker_auth, "%s",
           fx_sig(f, worker_key, h));
  return 0;
}

/* Re-signs the quote after the test changed it. */
static __attribute__((unused)) int fx_resign_quote(fx *f, fx_enclave *e,
                                                   int platform) {
  return decc_quote_sign(&e->req.quote, f->sk[platform]) == DECC_OK ? 0 : -1;
}

/* Releases and opens the session. Out: *json (parsed; json_decref) and
 * *plain (secure memory; decc_secure_free). Returns the status. */
static __attribute__((unused)) decc_status fx_release(fx *f, fx_enclave *e,
                                                      const char **code,
                                                      json_t **json,
                                                      char **plain) {
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *box = NULL;
  size_t bl = 0;
  decc_err err;
  decc_err_clear(&err);
  if (json)
    *json = NULL;
  if (plain)
    *plain = NULL;
  decc_status st = decc_sms_release_session(f->sms, &e->req, e->worker_auth,
                                            sid, &box, &bl, code, &err);
  if (st)
    return st;
  char *txt = NULL;
  size_t n = 0;
  st = decc_sms_session_open(&txt, &n, box, bl, e->pk, e->sk);
  decc_free(box);
  if (st)
    return st;
  if (json) {
    json_error_t je;
    *json = json_loadb(txt, n, 0, &je);
    if (!*json)
      st = DECC_E_PARSE;
  }
  if (plain)
    *plain = txt;
  else
    decc_secure_free(txt);
  return st;
}

/* Environment value of service `svc` in a session document (or NULL). */
static __attribute__((unused)) const char *fx_env(json_t *doc, const char *svc,
                                                  const char *name) {
  json_t *services = json_object_get(doc, "services");
  for (size_t i = 0; i < json_array_size(services); i++) {
    json_t *s = json_array_get(services, i);
    const char *nm = json_string_value(json_object_get(s, "name"));
    if (nm && !strcmp(nm, svc))
      return json_string_value(
          json_object_get(json_object_get(s, "environment"), name));
  }
  return NULL;
}

#endif
