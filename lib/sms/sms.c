/*
 * sms.c — the SMS service core (decc/sms.h): its life cycle (create,
 * destroy), the refusal and log helpers every SMS file uses, and the
 * on-chain execution checks (task ACTIVE, deadline, TEE deal) that the
 * challenge, nonce and session endpoints share. The other concerns have
 * their own files: sms_secrets.c (who may write which secret),
 * sms_nonce.c (enclave challenge keys, attestation nonces),
 * sms_session.c (session requests and the session document),
 * sms_release.c (the checks of a session release), sms_http.c (routes and
 * HTTP statuses).
 *
 * Every refusal goes through refuse(): one stable code, a message in err
 * and one log line, all free of secret values. Secret values only travel
 * in vault-owned secure memory and a secret buffer that is wiped before it
 * is released; what leaves the service is the sealed box.
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
#include "sms/sms_int.h"

/* ---- small helpers -------------------------------------------------------- */

uint64_t decc__sms_wall_now(decc_sms *s) {
  return s->cfg.clock ? s->cfg.clock(s->cfg.clock_ctx) : (uint64_t)time(NULL);
}

void decc__sms_log(decc_sms *s, const char *fmt, ...) {
  if (!s->cfg.log)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  s->cfg.log(s->cfg.log_ctx, line);
}

/* Records a refusal: code, message, log line. Returns st. */
decc_status decc__sms_refuse(decc_sms *s, const char **code_out,
                             const char *code, decc_status st, decc_err *err,
                             const char *what, const char *fmt, ...) {
  char msg[DECC_ERR_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (code_out)
    *code_out = code;
  decc_err_set(err, st, "%s", msg);
  decc__sms_log(s, "sms: refused %s: %s: %s", what, code, msg);
  if (s->cfg.observe)
    s->cfg.observe(s->cfg.observe_ctx, "refusal", code);
  return st;
}

static const char *status_name(unsigned st) {
  static const char *const n[] = {"UNSET", "ACTIVE", "REVEALING", "COMPLETED",
                                  "FAILED"};
  return st < 5 ? n[st] : "UNKNOWN";
}

/* Exact low-nibble match of TeeUtils#getTeeFramework. */
static const char *tee_framework(const uint8_t tag[32]) {
  switch (tag[31] & 0x0f) {
  case 0x3:
    return "SCONE";
  case 0x5:
    return "GRAMINE";
  case 0x9:
    return "TDX";
  default:
    return NULL;
  }
}

/* ---- lifecycle ------------------------------------------------------------- */

/* Hardware-quote trust: the policy, the verifier's root, and where the
 * collateral comes from. The collateral given as text is checked once here
 * so that a bad file fails at start, not at the first session. */
static decc_status dcap_setup(decc_sms *s, const decc_sms_config *cfg,
                              decc_err *err) {
  decc_status st =
      decc_dcap_policy_parse(&s->dcap_policy, cfg->dcap_policy_json,
                             strlen(cfg->dcap_policy_json), err);
  if (st)
    return decc_err_prefix(err, "sms: DCAP policy"), st;
  if (!cfg->dcap_collateral_json && !cfg->dcap_pccs_url)
    return decc_err_set(err, DECC_E_INVALID,
                        "sms: a DCAP policy needs collateral: a collateral "
                        "file or a PCCS URL");
  st = decc_dcap_verifier_create(&s->dcap_verifier, cfg->dcap_root_der,
                                 cfg->dcap_root_len, err);
  if (st)
    return decc_err_prefix(err, "sms: DCAP root"), st;
  if (cfg->dcap_collateral_json) {
    decc_dcap_collateral *c = NULL;
    st = decc_dcap_collateral_parse(&c, cfg->dcap_collateral_json,
                                    strlen(cfg->dcap_collateral_json), err);
    decc_dcap_collateral_destroy(c);
    if (st)
      return decc_err_prefix(err, "sms: DCAP collateral"), st;
    if (!(s->dcap_collateral = decc_strdup(cfg->dcap_collateral_json)))
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  } else {
    if (!(s->pccs_url = decc_strdup(cfg->dcap_pccs_url)) ||
        (cfg->dcap_pccs_cache_dir &&
         !(s->pccs_cache_dir = decc_strdup(cfg->dcap_pccs_cache_dir))))
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  return DECC_OK;
}

decc_status decc_sms_create(decc_sms **out, const decc_sms_config *cfg,
                            decc_err *err) {
  DECC_ARG_CHECK(cfg != NULL);
  /* (the SMS owns the chain view from here on, even on misuse) */
  if (!out && cfg->chain.destroy)
    cfg->chain.destroy(cfg->chain.ctx);
  DECC_ARG_CHECK(out != NULL);
  *out = NULL;
  decc_sms_chain_view cv = cfg->chain;
  decc_status st = DECC_OK;
  if (!cfg->vault_dir)
    st = decc_err_set(err, DECC_E_INVALID, "sms: no vault directory");
  else if (!cv.owner_of || !cv.task || !cv.deal || !cv.app || !cv.dataset ||
           !cv.now)
    st = decc_err_set(err, DECC_E_INVALID, "sms: incomplete chain view");
  decc_sms *s = NULL;
  if (!st && !(s = decc_calloc(1, sizeof *s)))
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (st) {
    if (cv.destroy)
      cv.destroy(cv.ctx);
    return st;
  }
  s->chain = cv;
  s->cfg = *cfg;
  s->cfg.passphrase = NULL; /* not kept */
  s->cfg.vault_dir = NULL;
  /* the DCAP strings are copied below, the caller's are not kept */
  s->cfg.dcap_policy_json = s->cfg.dcap_collateral_json = NULL;
  s->cfg.dcap_pccs_url = s->cfg.dcap_pccs_cache_dir = NULL;
  s->cfg.dcap_root_der = NULL;
  s->cfg.dcap_root_len = 0;
  if (!s->cfg.nonce_ttl_s)
    s->cfg.nonce_ttl_s = 120;
  if (!s->cfg.quote_max_age_s)
    s->cfg.quote_max_age_s = 300;
  if (!s->cfg.max_nonces)
    s->cfg.max_nonces = 8192;
  if (!s->cfg.max_nonces_per_task)
    s->cfg.max_nonces_per_task = 16;
  if (!s->cfg.max_params)
    s->cfg.max_params = 65536;
  if (!s->cfg.max_input_files)
    s->cfg.max_input_files = 64;
  pthread_mutex_init(&s->nonce_mu, NULL);
  pthread_mutex_init(&s->enclave_mu, NULL);
  if (cfg->n_trusted) {
    s->trusted = decc_calloc(cfg->n_trusted, sizeof *s->trusted);
    if (!s->trusted) {
      decc_sms_destroy(s);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    memcpy(s->trusted, cfg->trusted_platforms,
           cfg->n_trusted * sizeof *s->trusted);
    s->n_trusted = cfg->n_trusted;
  }
  s->nonces = decc_calloc(s->cfg.max_nonces, sizeof *s->nonces);
  s->nonce_key = decc_secure_alloc(32);
  if (!s->nonces || !s->nonce_key) {
    decc_sms_destroy(s);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  if (decc_random_bytes(s->nonce_key, 32) != DECC_OK) {
    decc_sms_destroy(s);
    return decc_err_set(err, DECC_E_CRYPTO,
                        "no randomness for the attestation nonce key");
  }
  if (cfg->dcap_policy_json && (st = dcap_setup(s, cfg, err))) {
    decc_sms_destroy(s);
    return st;
  }
  st = decc_vault_open(&s->vault, cfg->vault_dir, cfg->passphrase,
                       cfg->passphrase_len, err);
  if (!st)
    st = decc_rcpt_store_open(&s->receipts, cfg->vault_dir, s->vault, err);
  if (st) {
    decc_sms_destroy(s);
    return st;
  }
  *out = s;
  return DECC_OK;
}

void decc_sms_destroy(decc_sms *s) {
  if (!s)
    return;
  decc_rcpt_store_close(s->receipts);
  decc_vault_close(s->vault);
  if (s->chain.destroy)
    s->chain.destroy(s->chain.ctx);
  if (s->nonces) {
    decc_memzero(s->nonces, s->cfg.max_nonces * sizeof *s->nonces);
    decc_free(s->nonces);
  }
  decc_free(s->nonce_ix); /* one allocation (sms_nonce.c) */
  decc_secure_free(s->nonce_key);
  decc_free(s->trusted);
  decc_dcap_policy_destroy(s->dcap_policy);
  decc_dcap_verifier_destroy(s->dcap_verifier);
  decc_free(s->dcap_collateral);
  decc_free(s->pccs_url);
  decc_free(s->pccs_cache_dir);
  pthread_mutex_destroy(&s->nonce_mu);
  pthread_mutex_destroy(&s->enclave_mu);
  decc_free(s);
}

decc_vault *decc_sms_vault(decc_sms *s) {
  DECC_ARG_CHECK_RET(s != NULL, NULL);
  return s->vault;
}

/* ---- on-chain execution checks -------------------------------------------- */

/* Task ACTIVE, before its final deadline, deal readable, TEE tag of the
 * framework served here. Fills task and deal (clear deal). */
decc_status decc__sms_check_execution(decc_sms *s, const uint8_t taskid[32],
                                      decc_sms_task *task, decc_sms_deal *deal,
                                      const char **code, decc_err *err,
                                      const char *what) {
  decc_err e2;
  memset(deal, 0, sizeof *deal);
  decc_status st = s->chain.task(s->chain.ctx, taskid, task, &e2);
  if (st == DECC_E_NOT_FOUND)
    return decc__sms_refuse(
        s, code, "EXECUTION_NOT_AUTHORIZED_GET_CHAIN_TASK_FAILED", st, err,
        what, "task not found on chain: %s", e2.msg);
  if (st)
    return decc__sms_refuse(s, code,
                            "EXECUTION_NOT_AUTHORIZED_GET_CHAIN_TASK_FAILED",
                            st, err, what, "reading the task: %s", e2.msg);
  if (task->status != DECC_TASK_ACTIVE)
    return decc__sms_refuse(
        s, code, "EXECUTION_NOT_AUTHORIZED_TASK_NOT_ACTIVE", DECC_E_DENIED, err,
        what, "task is not ACTIVE (status %s)", status_name(task->status));
  uint64_t now = 0;
  if ((st = s->chain.now(s->chain.ctx, &now, &e2)))
    return decc__sms_refuse(s, code, "CHAIN_ERROR", st, err, what,
                            "reading the chain time: %s", e2.msg);
  if (now >= task->final_deadline)
    return decc__sms_refuse(
        s, code, "EXECUTION_NOT_AUTHORIZED_TASK_FINAL_DEADLINE_REACHED",
        DECC_E_DENIED, err, what, "task final deadline (%llu) has passed",
        (unsigned long long)task->final_deadline);
  st = s->chain.deal(s->chain.ctx, task->deal_id, deal, &e2);
  if (st)
    return decc__sms_refuse(s, code,
                            "EXECUTION_NOT_AUTHORIZED_GET_CHAIN_DEAL_FAILED",
                            st, err, what, "reading the deal: %s", e2.msg);
  const char *fw = tee_framework(deal->tag);
  if (!fw) {
    decc_sms_deal_clear(deal);
    return decc__sms_refuse(
        s, code, "EXECUTION_NOT_AUTHORIZED_NO_MATCH_ONCHAIN_TYPE",
        DECC_E_DENIED, err, what,
        "deal tag 0x..%02x names no TEE framework (TEE tasks need "
        "tee+tdx, 0x9)",
        deal->tag[31]);
  }
  if (strcmp(fw, DECC_SMS_FRAMEWORK) != 0) {
    decc_sms_deal_clear(deal);
    return decc__sms_refuse(s, code,
                            "EXECUTION_NOT_AUTHORIZED_NO_MATCH_ONCHAIN_TYPE",
                            DECC_E_DENIED, err, what,
                            "deal framework %s is not served by this SMS (%s)",
                            fw, DECC_SMS_FRAMEWORK);
  }
  return DECC_OK;
}
