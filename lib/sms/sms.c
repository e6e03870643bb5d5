/*
 * sms.c — the SMS service core (decc/sms.h): who may write which secret
 * (iExec's challenges and owners), per-task enclave challenge keys,
 * attestation nonces, and the release of a session to an attested enclave
 * with exactly the secrets its deal entitles.
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
#include "sms/sms_bulk_receipts.h"

/* Enclave key record: secp256k1 key ‖ u64be(expiry). */
#define ENCLAVE_REC_LEN 40

/* A nonce this SMS accepted in a session request, remembered until it
 * expires so that it is accepted once only. */
typedef struct nonce_slot {
  uint8_t task[32];
  uint8_t nonce[32];
  uint64_t expires;
} nonce_slot;

/* Attestation nonce layout (32 bytes, decc-specific):
 * u64be(expiry) ‖ 8 random bytes ‖ the first 16 bytes of
 * HMAC-SHA256(nonce_key, NONCE_TAG ‖ taskId ‖ the first 16 bytes). */
#define NONCE_TAG "DECC-SMS-NONCE-V1"

struct decc_sms {
  decc_vault *vault;
  decc_address *trusted;
  size_t n_trusted;
  decc_sms_chain_view chain;
  decc_sms_config cfg;
  pthread_mutex_t nonce_mu;
  nonce_slot *nonces; /* used nonces (replay guard), max_nonces */
  size_t n_nonces;
  uint8_t *nonce_key; /* 32 bytes, secure memory, random per process */
  pthread_mutex_t enclave_mu; /* get-or-create of enclave keys */
  /* hardware quotes (NULL policy: refused) */
  decc_dcap_policy *dcap_policy;
  decc_dcap_verifier *dcap_verifier;
  char *dcap_collateral; /* JSON text, parsed per request (thread-free) */
  char *pccs_url, *pccs_cache_dir;
  decc_rcpt_store *receipts; /* per-use receipts and grant policies */
};

/* ---- small helpers -------------------------------------------------------- */

char *decc__sms_hex32(char out[67], const uint8_t b[32]) {
  return decc_hex_encode(out, b, 32, 1);
}

static uint64_t wall_now(decc_sms *s) {
  return s->cfg.clock ? s->cfg.clock(s->cfg.clock_ctx) : (uint64_t)time(NULL);
}

static void smslog(decc_sms *s, const char *fmt, ...) DECC_PRINTF(2, 3);
static void smslog(decc_sms *s, const char *fmt, ...) {
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
static decc_status refuse(decc_sms *s, const char **code_out,
                          const char *code, decc_status st, decc_err *err,
                          const char *what, const char *fmt, ...)
    DECC_PRINTF(7, 8);
static decc_status refuse(decc_sms *s, const char **code_out,
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
  smslog(s, "sms: refused %s: %s: %s", what, code, msg);
  if (s->cfg.observe)
    s->cfg.observe(s->cfg.observe_ctx, "refusal", code);
  return st;
}

/* A hardware (TDX) quote: the DCAP chain to the root with the collateral
 * (text from the configuration, or the PCCS through its cache), then the
 * policy (TCB status, advisories, MRTD/RTMRs) and the report data, which
 * must be decc_dcap_report_data of the quote's claims — so the claims the
 * caller checks next (task, nonce, measurement, timestamp) are the TD's. */
static decc_status verify_hw_quote(decc_sms *s, const decc_quote *q,
                                   const char **code, decc_err *err,
                                   const char *what) {
  if (!s->dcap_policy)
    return refuse(s, code, "ATTESTATION_UNTRUSTED_PLATFORM", DECC_E_DENIED,
                  err, what,
                  "hardware (tdx) quotes are not accepted: this SMS has no "
                  "DCAP policy configured");
  if (!q->hw_quote_len || q->hw_quote_len > DECC_QUOTE_HW_MAX)
    return refuse(s, code, "ATTESTATION_MALFORMED_QUOTE", DECC_E_DENIED, err,
                  what, "a tdx quote without its hardware quote (hwQuote)");
  int64_t now = (int64_t)wall_now(s);
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
      return refuse(s, code,
                    st == DECC_E_PARSE ? "ATTESTATION_MALFORMED_QUOTE"
                                       : "ATTESTATION_COLLATERAL_UNAVAILABLE",
                    st, err, what, "collateral from the PCCS: %s", e2.msg);
  }
  decc_dcap_collateral *coll = NULL;
  st = decc_dcap_collateral_parse(&coll, json, strlen(json), &e2);
  if (json != s->dcap_collateral)
    decc_free(json);
  if (st)
    return refuse(s, code, "ATTESTATION_COLLATERAL_UNAVAILABLE", st, err,
                  what, "collateral: %s", e2.msg);
  decc_dcap_result *res = decc_calloc(1, sizeof *res);
  if (!res) {
    decc_dcap_collateral_destroy(coll);
    return refuse(s, code, "ATTESTATION_COLLATERAL_UNAVAILABLE", DECC_E_NOMEM,
                  err, what, "out of memory");
  }
  st = decc_dcap_verify(s->dcap_verifier, res, q->hw_quote, q->hw_quote_len,
                        coll, now, &e2);
  decc_dcap_collateral_destroy(coll);
  if (st) {
    st = refuse(s, code, decc_dcap_refusal_code(st, res), st, err, what,
                "tdx quote: %s", e2.msg);
  } else {
    uint8_t rd[64];
    decc_dcap_report_data(rd, q);
    const char *pc = NULL;
    st = decc_dcap_policy_check(s->dcap_policy, res, rd, &pc, &e2);
    if (st)
      st = refuse(s, code, pc ? pc : "ATTESTATION_UNTRUSTED_PLATFORM", st,
                  err, what, "tdx quote: %s", e2.msg);
  }
  decc_free(res);
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
  decc_status st = decc_dcap_policy_parse(&s->dcap_policy,
                                          cfg->dcap_policy_json,
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
  *out = NULL;
  decc_sms_chain_view cv = cfg ? cfg->chain : (decc_sms_chain_view){0};
  decc_status st = DECC_OK;
  if (!cfg || !cfg->vault_dir)
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

decc_vault *decc_sms_vault(decc_sms *s) { return s->vault; }

/* ---- secrets --------------------------------------------------------------- */

int decc_sms_requester_key_valid(const char *key) {
  if (!key)
    return 0;
  size_t n = strlen(key);
  if (n < 1 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = key[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return 0;
  }
  return 1;
}

int decc_sms_web2_name_valid(const char *name) {
  if (!name)
    return 0;
  size_t n = strlen(name);
  if (n < 1 || n > 256)
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
      return 0;
  return 1;
}

/* Size and encoding checks every pushed value passes. */
static decc_status check_value(decc_sms *s, const char *value, size_t len,
                               const char **code, decc_err *err,
                               const char *what) {
  if (len > DECC_SECRET_MAX)
    return refuse(s, code, "SECRET_TOO_LARGE", DECC_E_LIMIT, err, what,
                  "secret of %zu bytes exceeds the %d-byte limit", len,
                  DECC_SECRET_MAX);
  if (!decc_session_text_ok(value ? value : "", len))
    return refuse(s, code, "SECRET_NOT_UTF8", DECC_E_INVALID, err, what,
                  "secret value must be UTF-8 text without NUL bytes");
  return DECC_OK;
}

/* Signature check of a push against the expected signer. */
static decc_status check_push_sig(decc_sms *s, const char *authorization,
                                  const uint8_t challenge[32],
                                  const decc_address *signer,
                                  const char **code, decc_err *err,
                                  const char *what) {
  decc_err e2;
  decc_status st = decc_sms_check_signature(authorization, challenge, signer,
                                            &e2);
  if (st)
    return refuse(s, code,
                  st == DECC_E_PARSE ? "MISSING_OR_MALFORMED_AUTHORIZATION"
                                     : "INVALID_SIGNATURE",
                  st, err, what, "%s", e2.msg);
  return DECC_OK;
}

static decc_status store(decc_sms *s, decc_secret_kind kind,
                         const decc_address *owner, const char *name,
                         const char *value, size_t len, int update,
                         const char **code, decc_err *err, const char *what) {
  decc_err e2;
  decc_status st = decc_vault_put(s->vault, kind, owner, name,
                                  (const uint8_t *)(value ? value : ""), len,
                                  update, &e2);
  if (st == DECC_E_EXISTS)
    return refuse(s, code, "SECRET_ALREADY_EXISTS", st, err, what,
                  "secret already exists and cannot be replaced");
  if (st == DECC_E_NOT_FOUND)
    return refuse(s, code, "SECRET_NOT_FOUND", st, err, what,
                  "secret does not exist (nothing to update)");
  if (st)
    return refuse(s, code, "VAULT_ERROR", st, err, what, "%s", e2.msg);
  smslog(s, "sms: stored %s", what);
  return DECC_OK;
}

/* owner() of an on-chain entry; a missing entry is refused like a wrong
 * signer (nobody can prove ownership of nothing). */
static decc_status chain_owner(decc_sms *s, const decc_address *entry,
                               decc_address *owner, const char **code,
                               decc_err *err, const char *what) {
  decc_err e2;
  decc_status st = s->chain.owner_of(s->chain.ctx, entry, owner, &e2);
  if (st == DECC_E_NOT_FOUND)
    return refuse(s, code, "NO_OWNER_ON_CHAIN", DECC_E_DENIED, err, what,
                  "%s", e2.msg);
  if (st)
    return refuse(s, code, "CHAIN_ERROR", st, err, what, "reading owner(): %s",
                  e2.msg);
  return DECC_OK;
}

decc_status decc_sms_push_web3(decc_sms *s, const decc_address *addr,
                               const char *value, size_t len,
                               const char *authorization, const char **code,
                               decc_err *err) {
  char a[43], what[96];
  snprintf(what, sizeof what, "web3 secret of %s",
           decc_address_to_checksum(a, addr));
  if (code)
    *code = NULL;
  decc_status st = check_value(s, value, len, code, err, what);
  if (st)
    return st;
  decc_address owner;
  if ((st = chain_owner(s, addr, &owner, code, err, what)))
    return st;
  uint8_t ch[32];
  decc_sms_web3_challenge(ch, addr, value ? value : "", len);
  if ((st = check_push_sig(s, authorization, ch, &owner, code, err, what)))
    return st;
  return store(s, DECC_SECRET_WEB3, addr, NULL, value, len, 0, code, err,
               what);
}

decc_status decc_sms_push_web2(decc_sms *s, const decc_address *owner,
                               const char *name, const char *value, size_t len,
                               int update, const char *authorization,
                               const char **code, decc_err *err) {
  char a[43], what[128];
  snprintf(what, sizeof what, "web2 secret of %s",
           decc_address_to_checksum(a, owner));
  if (code)
    *code = NULL;
  if (!decc_sms_web2_name_valid(name))
    return refuse(s, code, "INVALID_SECRET_NAME", DECC_E_INVALID, err, what,
                  "secret name must be 1..256 printable ASCII characters");
  decc_status st = check_value(s, value, len, code, err, what);
  if (st)
    return st;
  uint8_t ch[32];
  /* The challenge signs the name as sent; storage lowercases it. */
  decc_sms_web2_challenge(ch, owner, name, strlen(name), value ? value : "",
                          len);
  if ((st = check_push_sig(s, authorization, ch, owner, code, err, what)))
    return st;
  if (!strcasecmp(name, DECC_SMS_RESULT_ENCRYPTION_KEY)) {
    decc_rsa_key *k = NULL;
    decc_err e2;
    int ok = decc_rsa_key_parse(&k, value ? value : "", len, &e2) == DECC_OK &&
             !decc_rsa_key_is_private(k) &&
             (len == 0 || strstr(value, "-----") == NULL);
    decc_rsa_key_destroy(k);
    if (!ok)
      return refuse(s, code, "INVALID_RESULT_ENCRYPTION_KEY", DECC_E_INVALID,
                    err, what,
                    "%s must be base64 of a PEM RSA public key",
                    DECC_SMS_RESULT_ENCRYPTION_KEY);
  }
  return store(s, DECC_SECRET_WEB2, owner, name, value, len, update ? 1 : 0,
               code, err, what);
}

decc_status decc_sms_push_app_secret(decc_sms *s, const decc_address *app,
                                     const char *value, size_t len,
                                     const char *authorization,
                                     const char **code, decc_err *err) {
  char a[43], what[96];
  snprintf(what, sizeof what, "app developer secret of %s",
           decc_address_to_checksum(a, app));
  if (code)
    *code = NULL;
  decc_status st = check_value(s, value, len, code, err, what);
  if (st)
    return st;
  decc_address owner;
  if ((st = chain_owner(s, app, &owner, code, err, what)))
    return st;
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, app, DECC_SMS_APP_SECRET_INDEX, 1,
                          value ? value : "", len);
  if ((st = check_push_sig(s, authorization, ch, &owner, code, err, what)))
    return st;
  return store(s, DECC_SECRET_APP_DEV, app, DECC_SMS_APP_SECRET_INDEX, value,
               len, 0, code, err, what);
}

decc_status decc_sms_push_requester_secret(decc_sms *s,
                                           const decc_address *requester,
                                           const char *key, const char *value,
                                           size_t len,
                                           const char *authorization,
                                           const char **code, decc_err *err) {
  char a[43], what[96];
  snprintf(what, sizeof what, "requester secret of %s",
           decc_address_to_checksum(a, requester));
  if (code)
    *code = NULL;
  if (!decc_sms_requester_key_valid(key))
    return refuse(s, code, "INVALID_SECRET_KEY", DECC_E_INVALID, err, what,
                  "secret key must match ^[a-zA-Z0-9-_]{1,64}$");
  decc_status st = check_value(s, value, len, code, err, what);
  if (st)
    return st;
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, requester, key, strlen(key), value ? value : "",
                          len);
  if ((st = check_push_sig(s, authorization, ch, requester, code, err, what)))
    return st;
  return store(s, DECC_SECRET_REQUESTER, requester, key, value, len, 0, code,
               err, what);
}

decc_status decc_sms_secret_exists(decc_sms *s, decc_secret_kind kind,
                                   const decc_address *owner, const char *name,
                                   decc_err *err) {
  switch (kind) {
  case DECC_SECRET_WEB3:
    name = NULL;
    break;
  case DECC_SECRET_APP_DEV:
    name = DECC_SMS_APP_SECRET_INDEX;
    break;
  case DECC_SECRET_WEB2:
    if (!decc_sms_web2_name_valid(name))
      return decc_err_set(err, DECC_E_INVALID, "invalid secret name");
    break;
  case DECC_SECRET_REQUESTER:
    if (!decc_sms_requester_key_valid(name))
      return decc_err_set(err, DECC_E_INVALID,
                          "secret key must match ^[a-zA-Z0-9-_]{1,64}$");
    break;
  default:
    return decc_err_set(err, DECC_E_INVALID, "no such secret kind");
  }
  if (decc_vault_has(s->vault, kind, owner, name))
    return DECC_OK;
  return decc_err_set(err, DECC_E_NOT_FOUND, "secret not found");
}

/* ---- on-chain execution checks -------------------------------------------- */

/* Task ACTIVE, before its final deadline, deal readable, TEE tag of the
 * framework served here. Fills task and deal (clear deal). */
static decc_status check_execution(decc_sms *s, const uint8_t taskid[32],
                                   decc_sms_task *task, decc_sms_deal *deal,
                                   const char **code, decc_err *err,
                                   const char *what) {
  decc_err e2;
  memset(deal, 0, sizeof *deal);
  decc_status st = s->chain.task(s->chain.ctx, taskid, task, &e2);
  if (st == DECC_E_NOT_FOUND)
    return refuse(s, code, "EXECUTION_NOT_AUTHORIZED_GET_CHAIN_TASK_FAILED",
                  st, err, what, "task not found on chain: %s", e2.msg);
  if (st)
    return refuse(s, code, "EXECUTION_NOT_AUTHORIZED_GET_CHAIN_TASK_FAILED",
                  st, err, what, "reading the task: %s", e2.msg);
  if (task->status != DECC_TASK_ACTIVE)
    return refuse(s, code, "EXECUTION_NOT_AUTHORIZED_TASK_NOT_ACTIVE",
                  DECC_E_DENIED, err, what, "task is not ACTIVE (status %s)",
                  status_name(task->status));
  uint64_t now = 0;
  if ((st = s->chain.now(s->chain.ctx, &now, &e2)))
    return refuse(s, code, "CHAIN_ERROR", st, err, what,
                  "reading the chain time: %s", e2.msg);
  if (now >= task->final_deadline)
    return refuse(s, code,
                  "EXECUTION_NOT_AUTHORIZED_TASK_FINAL_DEADLINE_REACHED",
                  DECC_E_DENIED, err, what,
                  "task final deadline (%llu) has passed",
                  (unsigned long long)task->final_deadline);
  st = s->chain.deal(s->chain.ctx, task->deal_id, deal, &e2);
  if (st)
    return refuse(s, code, "EXECUTION_NOT_AUTHORIZED_GET_CHAIN_DEAL_FAILED",
                  st, err, what, "reading the deal: %s", e2.msg);
  const char *fw = tee_framework(deal->tag);
  if (!fw) {
    decc_sms_deal_clear(deal);
    return refuse(s, code, "EXECUTION_NOT_AUTHORIZED_NO_MATCH_ONCHAIN_TYPE",
                  DECC_E_DENIED, err, what,
                  "deal tag 0x..%02x names no TEE framework (TEE tasks need "
                  "tee+tdx, 0x9)",
                  deal->tag[31]);
  }
  if (strcmp(fw, DECC_SMS_FRAMEWORK) != 0) {
    decc_sms_deal_clear(deal);
    return refuse(s, code, "EXECUTION_NOT_AUTHORIZED_NO_MATCH_ONCHAIN_TYPE",
                  DECC_E_DENIED, err, what,
                  "deal framework %s is not served by this SMS (%s)", fw,
                  DECC_SMS_FRAMEWORK);
  }
  return DECC_OK;
}

/* ---- enclave challenge keys ------------------------------------------------ */

static uint64_t be64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* Loads the task's enclave key. Out: address, and (when sk32 != NULL) the
 * private key. An expired key is deleted and reported as absent.
 * Returns: DECC_OK, DECC_E_NOT_FOUND, vault errors. */
static decc_status enclave_key_load(decc_sms *s, const char *task_hex,
                                    uint64_t chain_now, decc_address *addr,
                                    uint8_t *sk32, decc_err *err) {
  decc_status st = decc_vault_find_owner(s->vault, DECC_SECRET_ENCLAVE,
                                         task_hex, addr, err);
  if (st)
    return st;
  uint8_t rec[ENCLAVE_REC_LEN + 1];
  size_t n = 0;
  st = decc_vault_get_into(s->vault, DECC_SECRET_ENCLAVE, addr, task_hex, rec,
                           sizeof rec, &n, err);
  if (st == DECC_E_LIMIT || (!st && n != ENCLAVE_REC_LEN)) {
    decc_memzero(rec, sizeof rec);
    return decc_err_set(err, DECC_E_CORRUPT, "enclave key record corrupt");
  }
  if (st)
    return st;
  if (chain_now >= be64(rec + 32)) {
    decc_memzero(rec, sizeof rec);
    if (decc_vault_delete(s->vault, DECC_SECRET_ENCLAVE, addr, task_hex,
                          NULL) == DECC_OK)
      smslog(s, "sms: deleted expired enclave challenge of task %s", task_hex);
    return decc_err_set(err, DECC_E_NOT_FOUND, "enclave challenge expired");
  }
  if (sk32)
    memcpy(sk32, rec, 32);
  decc_memzero(rec, sizeof rec);
  return DECC_OK;
}

decc_status decc_sms_enclave_challenge(decc_sms *s, const uint8_t taskid[32],
                                       const char *authorization,
                                       decc_address *enclave,
                                       const char **code, decc_err *err) {
  char th[67], what[100];
  decc__sms_hex32(th, taskid);
  snprintf(what, sizeof what, "enclave challenge for task %s", th);
  if (code)
    *code = NULL;
  decc_sms_task task;
  decc_sms_deal deal;
  decc_status st = check_execution(s, taskid, &task, &deal, code, err, what);
  if (st)
    return st;
  uint8_t h[32];
  decc_sms_authorization_hash(h, NULL, taskid, NULL);
  decc_err e2;
  st = decc_sms_check_signature(authorization, h, &deal.workerpool_owner, &e2);
  decc_sms_deal_clear(&deal);
  if (st)
    return refuse(s, code, "EXECUTION_NOT_AUTHORIZED_INVALID_SIGNATURE", st,
                  err, what, "not signed by the deal's workerpool owner: %s",
                  e2.msg);
  uint64_t now = 0;
  if ((st = s->chain.now(s->chain.ctx, &now, &e2)))
    return refuse(s, code, "CHAIN_ERROR", st, err, what, "%s", e2.msg);
  pthread_mutex_lock(&s->enclave_mu);
  st = enclave_key_load(s, th, now, enclave, NULL, &e2);
  if (st == DECC_E_NOT_FOUND) {
    uint8_t *rec = decc_secure_alloc(ENCLAVE_REC_LEN);
    if (!rec)
      st = decc_err_set(&e2, DECC_E_NOMEM, "out of memory");
    else {
      st = decc_privkey_generate(rec);
      if (!st)
        st = decc_address_from_privkey(enclave, rec);
      for (int i = 0; i < 8; i++)
        rec[32 + i] = (uint8_t)(task.final_deadline >> (56 - 8 * i));
      if (!st)
        st = decc_vault_put(s->vault, DECC_SECRET_ENCLAVE, enclave, th, rec,
                            ENCLAVE_REC_LEN, 0, &e2);
      else
        decc_err_set(&e2, st, "key generation failed");
      decc_secure_free(rec);
      if (!st) {
        char a[43];
        smslog(s, "sms: created enclave challenge %s for task %s",
               decc_address_to_checksum(a, enclave), th);
      }
    }
  }
  pthread_mutex_unlock(&s->enclave_mu);
  if (st)
    return refuse(s, code, "ENCLAVE_CHALLENGE_GENERATION_FAILED", st, err,
                  what, "%s", e2.msg);
  return DECC_OK;
}

/* ---- attestation nonces ----------------------------------------------------
 *
 * Issuing a nonce keeps no state, so there is nothing an outsider can
 * exhaust (task ids are public and issuing needs no signature): a nonce is
 * its expiry, random bytes and a MAC under a key only this SMS process
 * holds, binding both to the task. A session request's nonce is checked
 * (MAC, task, expiry) and then remembered until it expires, which makes it
 * single-use; only requests that already passed the worker authorization
 * and the platform's quote signature get that far, so only an authorized,
 * attested enclave can fill that memory. The key is random per process:
 * nonces outstanding across a restart are refused (the worker asks again). */

static void nonce_mac(const decc_sms *s, const uint8_t taskid[32],
                      const uint8_t head16[16], uint8_t mac16[16]) {
  crypto_auth_hmacsha256_state st;
  uint8_t full[32];
  crypto_auth_hmacsha256_init(&st, s->nonce_key, 32);
  crypto_auth_hmacsha256_update(&st, (const uint8_t *)NONCE_TAG,
                                sizeof NONCE_TAG - 1);
  crypto_auth_hmacsha256_update(&st, taskid, 32);
  crypto_auth_hmacsha256_update(&st, head16, 16);
  crypto_auth_hmacsha256_final(&st, full);
  memcpy(mac16, full, 16);
  decc_memzero(full, sizeof full);
  decc_memzero(&st, sizeof st);
}

static uint64_t be64_get(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* Drops expired used nonces (caller holds nonce_mu). */
static void purge_nonces(decc_sms *s, uint64_t now) {
  size_t j = 0;
  for (size_t i = 0; i < s->n_nonces; i++)
    if (s->nonces[i].expires > now)
      s->nonces[j++] = s->nonces[i];
  if (j < s->n_nonces)
    decc_memzero(&s->nonces[j], (s->n_nonces - j) * sizeof *s->nonces);
  s->n_nonces = j;
}

decc_status decc_sms_attestation_nonce(decc_sms *s, const uint8_t taskid[32],
                                       uint8_t nonce32[32],
                                       uint64_t *expires_at, const char **code,
                                       decc_err *err) {
  char th[67], what[100];
  decc__sms_hex32(th, taskid);
  snprintf(what, sizeof what, "attestation nonce for task %s", th);
  if (code)
    *code = NULL;
  decc_sms_task task;
  decc_sms_deal deal;
  decc_status st = check_execution(s, taskid, &task, &deal, code, err, what);
  if (st)
    return st;
  decc_sms_deal_clear(&deal);
  uint64_t expires = wall_now(s) + s->cfg.nonce_ttl_s;
  for (int i = 0; i < 8; i++)
    nonce32[i] = (uint8_t)(expires >> (56 - 8 * i));
  if (decc_random_bytes(nonce32 + 8, 8) != DECC_OK)
    return refuse(s, code, "NONCE_GENERATION_FAILED", DECC_E_CRYPTO, err,
                  what, "no randomness");
  nonce_mac(s, taskid, nonce32, nonce32 + 16);
  if (expires_at)
    *expires_at = expires;
  return DECC_OK;
}

/* Checks a session request's nonce and consumes it (single use).
 * Returns: DECC_OK; DECC_E_NOT_FOUND (not issued by this SMS process for
 * this task, or already used); DECC_E_TIMEOUT (expired); DECC_E_LIMIT
 * (too many sessions for the task, or overall, within the nonce lifetime). */
static decc_status consume_nonce(decc_sms *s, const uint8_t taskid[32],
                                 const uint8_t nonce[32]) {
  uint8_t mac[16];
  nonce_mac(s, taskid, nonce, mac);
  if (!decc_ct_memeq(mac, nonce + 16, 16))
    return DECC_E_NOT_FOUND;
  uint64_t now = wall_now(s), expires = be64_get(nonce);
  if (expires <= now)
    return DECC_E_TIMEOUT;
  decc_status st = DECC_OK;
  pthread_mutex_lock(&s->nonce_mu);
  purge_nonces(s, now);
  size_t per_task = 0;
  for (size_t i = 0; i < s->n_nonces && !st; i++) {
    if (memcmp(s->nonces[i].task, taskid, 32))
      continue;
    per_task++;
    /* public freshness tokens: a plain comparison is enough */
    if (!memcmp(s->nonces[i].nonce, nonce, 32))
      st = DECC_E_NOT_FOUND; /* replayed */
  }
  if (!st && (per_task >= s->cfg.max_nonces_per_task ||
              s->n_nonces >= s->cfg.max_nonces))
    st = DECC_E_LIMIT;
  if (!st) {
    nonce_slot *n = &s->nonces[s->n_nonces++];
    memcpy(n->task, taskid, 32);
    memcpy(n->nonce, nonce, 32);
    n->expires = expires;
  }
  pthread_mutex_unlock(&s->nonce_mu);
  return st;
}

/* ---- session requests ------------------------------------------------------ */

static decc_status hex_member(uint8_t *out, size_t n, json_t *o,
                              const char *name, decc_err *err) {
  const char *v = json_string_value(json_object_get(o, name));
  if (!v)
    return decc_err_set(err, DECC_E_PARSE, "session request: missing \"%s\"",
                        name);
  if (decc_hex_decode_exact(out, n, v, name, NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "session request: \"%s\" must be 0x + %zu hex digits",
                        name, n * 2);
  return DECC_OK;
}

static decc_status addr_member(decc_address *out, json_t *o, const char *name,
                               decc_err *err) {
  const char *v = json_string_value(json_object_get(o, name));
  if (!v || decc_address_parse(out, v, NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "session request: \"%s\" must be an address", name);
  return DECC_OK;
}

decc_status decc_sms_session_request_parse(decc_sms_session_request *r,
                                           const char *json, size_t len,
                                           decc_err *err) {
  memset(r, 0, sizeof *r);
  if (len > DECC_SMS_SESSION_REQUEST_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "session request too large");
  json_error_t je;
  json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!j || !json_is_object(j)) {
    json_decref(j);
    return decc_err_set(err, DECC_E_PARSE,
                        "session request: not a JSON object");
  }
  decc_status st = hex_member(r->task_id, 32, j, "chainTaskId", err);
  if (!st)
    st = hex_member(r->deal_id, 32, j, "dealId", err);
  if (!st) {
    json_t *ti = json_object_get(j, "taskIndex");
    const char *tis = json_string_value(ti);
    if (json_is_integer(ti) && json_integer_value(ti) >= 0)
      r->task_index = (uint64_t)json_integer_value(ti);
    else if (tis && *tis && strlen(tis) <= 19 &&
             strspn(tis, "0123456789") == strlen(tis))
      r->task_index = strtoull(tis, NULL, 10);
    else
      st = decc_err_set(err, DECC_E_PARSE,
                        "session request: \"taskIndex\" must be a "
                        "non-negative integer");
  }
  if (!st)
    st = addr_member(&r->worker, j, "workerWallet", err);
  if (!st)
    st = addr_member(&r->enclave_challenge, j, "enclaveChallenge", err);
  if (!st) {
    json_t *sig = json_object_get(j, "signature");
    if (!json_is_object(sig))
      st = decc_err_set(err, DECC_E_PARSE,
                        "session request: \"signature\" must be "
                        "{\"value\":\"0x…\"}");
    else
      st = hex_member(r->pool_signature, 65, sig, "value", err);
  }
  if (!st) {
    json_t *q = json_object_get(j, "quote");
    char *qs = json_is_object(q) ? json_dumps(q, JSON_COMPACT) : NULL;
    if (!qs)
      st = decc_err_set(err, DECC_E_PARSE,
                        "session request: missing attestation \"quote\"");
    else {
      st = decc_quote_from_json(&r->quote, qs, strlen(qs), err);
      free(qs);
      if (st)
        decc_err_prefix(err, "session request");
    }
  }
  json_decref(j);
  if (st)
    memset(r, 0, sizeof *r);
  return st;
}

decc_status decc_sms_session_request_to_json(
    char **json, const decc_sms_session_request *r) {
  *json = NULL;
  char *q = NULL;
  if (decc_quote_to_json(&q, &r->quote) != DECC_OK)
    return DECC_E_NOMEM;
  char t[67], d[67], w[43], e[43], sg[133];
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_status st = decc_buf_printf(
      &b,
      "{\"chainTaskId\":\"%s\",\"dealId\":\"%s\",\"taskIndex\":%llu,"
      "\"workerWallet\":\"%s\",\"enclaveChallenge\":\"%s\","
      "\"signature\":{\"value\":\"%s\"},\"quote\":%s}",
      decc__sms_hex32(t, r->task_id), decc__sms_hex32(d, r->deal_id),
      (unsigned long long)r->task_index,
      decc_address_to_checksum(w, &r->worker),
      decc_address_to_checksum(e, &r->enclave_challenge),
      decc_hex_encode(sg, r->pool_signature, 65, 1), q);
  decc_free(q);
  if (st) {
    decc_buf_clear(&b);
    return DECC_E_NOMEM;
  }
  *json = (char *)decc_buf_steal(&b, NULL);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

decc_status decc_sms_authorize_worker(decc_sms_session_request *r,
                                      const uint8_t pool_sk32[32],
                                      const uint8_t taskid32[32],
                                      const uint8_t dealid32[32],
                                      uint64_t index,
                                      const decc_address *worker,
                                      const decc_address *enclave) {
  memcpy(r->task_id, taskid32, 32);
  memcpy(r->deal_id, dealid32, 32);
  r->task_index = index;
  r->worker = *worker;
  r->enclave_challenge = *enclave;
  uint8_t h[32];
  decc_sms_authorization_hash(h, worker, taskid32, enclave);
  return decc_sms_sign_challenge(r->pool_signature, pool_sk32, h);
}

/* ---- session document (written by decc/session.h) -------------------------- */

/* Secrets read for one session land in one secure arena of fixed slots
 * (one guarded allocation per release instead of one per secret). */
enum { SLOT_DATASET, SLOT_ENC, SLOT_APP, SLOT_TOKEN, SLOT_PROXY, SLOT_REQ,
       N_SLOTS };
#define SLOT_SIZE (DECC_SECRET_MAX + 1)
#define ARENA_SIZE ((size_t)N_SLOTS * SLOT_SIZE)

/* The arena is kept by the thread that released a session for its next
 * one: a guarded, locked allocation costs several system calls (mmap,
 * mprotect, mlock, then munmap with a TLB shootdown on every core), about
 * a third of a release, while wiping its 24 KiB costs a microsecond. It is
 * wiped before it is kept, and freed (wiped again) when the thread exits.
 * So no secret outlives its release, as before, and the memory stays
 * locked and guarded. */
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;
static int arena_key_ok;

static void arena_free(void *p) { decc_secure_free(p); }

static void arena_key_init(void) {
  arena_key_ok = pthread_key_create(&arena_key, arena_free) == 0;
}

static uint8_t *arena_take(void) {
  pthread_once(&arena_once, arena_key_init);
  uint8_t *a = arena_key_ok ? pthread_getspecific(arena_key) : NULL;
  if (a && pthread_setspecific(arena_key, NULL) == 0)
    return a;
  return decc_secure_alloc(ARENA_SIZE);
}

static void arena_give(uint8_t *a) {
  if (!a)
    return;
  decc_memzero(a, ARENA_SIZE); /* every secret read for the session */
  if (!arena_key_ok || pthread_getspecific(arena_key) ||
      pthread_setspecific(arena_key, a) != 0)
    decc_secure_free(a);
}

/* A secret value read into its slot, or NULL (absent); *st = vault error. */
static const uint8_t *vault_value(decc_sms *s, uint8_t *arena, int slot,
                                  decc_secret_kind kind,
                                  const decc_address *owner, const char *name,
                                  size_t *len, decc_status *st) {
  uint8_t *dst = arena + (size_t)slot * SLOT_SIZE;
  *st = decc_vault_get_into(s->vault, kind, owner, name, dst, SLOT_SIZE, len,
                            NULL);
  if (*st == DECC_E_NOT_FOUND) {
    *st = DECC_OK;
    return NULL;
  }
  return *st ? NULL : dst;
}

typedef struct session_ctx {
  const decc_sms_session_request *r;
  const decc_sms_deal *deal;
  const decc_sms_asset *app;
  const uint8_t *enclave_sk;
  const char *session_id;
  uint8_t *arena; /* N_SLOTS * SLOT_SIZE bytes of secure memory */
  decc__sms_bulk_item *bulk; /* bulk deals: the task's slice, judged */
  size_t n_bulk;
  const char *purpose; /* the grant policy's purpose, or NULL */
} session_ctx;

/* Renders a registry multiaddr: binary multiaddr → "/ipfs/Qm…", else the
 * bytes as text (an URL). Out: heap string. */
static decc_status multiaddr_text(char **out, const uint8_t *m, size_t n) {
  *out = NULL;
  if (n && decc_multiaddr_to_string(out, m, n, NULL) == DECC_OK)
    return DECC_OK;
  for (size_t i = 0; i < n; i++)
    if (m[i] < 0x21 || m[i] > 0x7e)
      return DECC_E_PARSE;
  *out = decc_strndup(n ? (const char *)m : "", n);
  return *out ? DECC_OK : DECC_E_NOMEM;
}

/* What the writer's just-in-time callbacks need: bulk dataset keys and
 * requester secrets are read one at a time into their slot, copied into
 * the (secret) document and wiped before the next. */
typedef struct fill_ctx {
  decc_sms *s;
  const session_ctx *c;
  const decc_deal_params *p;
  const char *th;
  const char **code;
  decc_err *err;
  const char *what;
  int refused; /* a callback refused the session (err and code are set) */
  /* the bulk item being written */
  char *url;
  decc_sms_asset a;
  char cks[67], fa[43];
  size_t klen;
  int has_key;
  /* the requester secret being written */
  size_t vlen;
  int has_value;
} fill_ctx;

/* Bulk dataset i (iexec-sms getPreComputeTokens): an order the SMS judged
 * compatible gets its URL, checksum and key, unless its registry entry or
 * its key is missing; a refused one only its file name and decc's reason. */
static decc_status fill_bulk(void *ctx, size_t i, decc_session_dataset *d) {
  fill_ctx *f = ctx;
  decc_sms *s = f->s;
  decc__sms_bulk_item *it = &f->c->bulk[i];
  const decc_address *ds = &it->order.u.dataset.dataset;
  decc_address_to_hex(f->fa, ds);
  f->url = NULL;
  memset(&f->a, 0, sizeof f->a);
  f->has_key = 0;
  f->klen = 0;
  const uint8_t *k = NULL;
  decc_status vs = DECC_OK;
  decc_err e2;
  if (it->ok) {
    if (s->chain.dataset(s->chain.ctx, ds, &f->a, &e2) ||
        multiaddr_text(&f->url, f->a.multiaddr, f->a.multiaddr_len)) {
      it->ok = 0;
      snprintf(it->reason, sizeof it->reason,
               "its registry entry could not be read");
    }
  }
  if (it->ok) {
    k = vault_value(s, f->c->arena, SLOT_DATASET, DECC_SECRET_WEB3, ds, NULL,
                    &f->klen, &vs);
    if (vs) {
      decc_free(f->url);
      f->url = NULL;
      decc_sms_asset_clear(&f->a);
      f->refused = 1;
      return refuse(s, f->code, "SECRET_READ_FAILED", vs, f->err, f->what,
                    "the vault could not read the key of bulk dataset %s",
                    f->fa);
    }
    if (!k) {
      it->ok = 0;
      snprintf(it->reason, sizeof it->reason, "no key for it in this SMS");
    }
  }
  f->has_key = k != NULL;
  d->url = f->url;
  d->checksum = decc__sms_hex32(f->cks, f->a.checksum);
  d->key = (const char *)k;
  d->key_len = k ? f->klen : 0;
  d->refused = it->ok ? NULL : it->reason;
  return DECC_OK;
}

/* Requester secret i: only the deal requester's own secrets are
 * reachable: the lookup is keyed by deal.requester, whatever name the
 * params give; a missing one is given empty. */
static decc_status fill_secret(void *ctx, size_t i, decc_session_secret *sec) {
  fill_ctx *f = ctx;
  decc_sms *s = f->s;
  const char *name = f->p->secrets[i].name;
  const uint8_t *v = NULL;
  decc_status vs = DECC_OK;
  f->vlen = 0;
  if (decc_sms_requester_key_valid(name))
    v = vault_value(s, f->c->arena, SLOT_REQ, DECC_SECRET_REQUESTER,
                    &f->c->deal->requester, name, &f->vlen, &vs);
  if (vs) {
    f->refused = 1;
    return refuse(s, f->code, "SECRET_READ_FAILED", vs, f->err, f->what,
                  "the vault could not read a requester secret");
  }
  f->has_value = v != NULL;
  sec->value = (const char *)v;
  sec->len = v ? f->vlen : 0;
  if (!v)
    smslog(s, "sms: task %s: requester secret \"%s\" (index %s) not found "
              "for the requester; given empty",
           f->th, name, sec->index);
  return DECC_OK;
}

static void fill_done(void *ctx, char kind, size_t i) {
  fill_ctx *f = ctx;
  if (kind == 's') {
    if (f->has_value)
      decc_memzero(f->c->arena + (size_t)SLOT_REQ * SLOT_SIZE, f->vlen);
    return;
  }
  const decc__sms_bulk_item *it = &f->c->bulk[i];
  if (f->has_key)
    decc_memzero(f->c->arena + (size_t)SLOT_DATASET * SLOT_SIZE, f->klen);
  smslog(f->s, "sms: task %s: bulk dataset %zu %s %s%s%s", f->th, i + 1,
         f->fa, it->ok ? "released" : "refused", it->ok ? "" : ": ",
         it->ok ? "" : it->reason);
  decc_free(f->url);
  f->url = NULL;
  decc_sms_asset_clear(&f->a);
}

/* Reads what the deal entitles the enclave to (dataset key, result
 * encryption key, app developer secret, result storage token and proxy)
 * and has decc_session_write put it in the document. */
static decc_status build_session(decc_sms *s, const session_ctx *c,
                                 const decc_deal_params *p, decc_buf *b,
                                 const char **code, decc_err *err,
                                 const char *what) {
  const decc_sms_deal *d = c->deal;
  char th[67], dh[67], dsa[43], cks[67], acks[67], wa[43], sk[67];
  char ti[24], bsz[24], bfi[24];
  decc__sms_hex32(th, c->r->task_id);
  decc__sms_hex32(dh, c->r->deal_id);
  decc_address_to_hex(dsa, &d->dataset); /* lowercase, as web3j prints it */
  int has_dataset = !decc_address_is_zero(&d->dataset);
  decc_status st = DECC_OK, vs = DECC_OK;
  decc_err e2;
  const uint8_t *dkey = NULL, *enc = NULL, *appsec = NULL, *token = NULL,
                *pxy = NULL;
  size_t dkey_len = 0, enc_len = 0, appsec_len = 0, token_len = 0,
         pxy_len = 0;
  char *ds_url = NULL, *app_image = NULL;
  char(*fa)[43] = NULL;
  decc_session_dataset *bulk = NULL;
  decc_session_secret *secrets = NULL;
  decc_sms_asset ds;
  memset(&ds, 0, sizeof ds);

  if (has_dataset) {
    if ((st = s->chain.dataset(s->chain.ctx, &d->dataset, &ds, &e2))) {
      st = refuse(s, code, "PRE_COMPUTE_GET_DATASET_FAILED", st, err, what,
                  "reading the deal's dataset: %s", e2.msg);
      goto out;
    }
    if (multiaddr_text(&ds_url, ds.multiaddr, ds.multiaddr_len)) {
      st = refuse(s, code, "PRE_COMPUTE_GET_DATASET_FAILED", DECC_E_PARSE,
                  err, what, "the dataset's multiaddr is not readable");
      goto out;
    }
    dkey = vault_value(s, c->arena, SLOT_DATASET, DECC_SECRET_WEB3,
                       &d->dataset, NULL, &dkey_len, &vs);
    if (!vs && !dkey) {
      st = refuse(s, code, "PRE_COMPUTE_GET_DATASET_SECRET_FAILED",
                  DECC_E_NOT_FOUND, err, what,
                  "no key for the deal's dataset %s in this SMS", dsa);
      goto out;
    }
  }
  if (!vs && p->encrypt) {
    enc = vault_value(s, c->arena, SLOT_ENC, DECC_SECRET_WEB2, &d->beneficiary,
                      DECC_SMS_RESULT_ENCRYPTION_KEY, &enc_len, &vs);
    if (!vs && !enc) {
      st = refuse(s, code,
                  "POST_COMPUTE_GET_ENCRYPTION_TOKENS_FAILED_EMPTY_"
                  "BENEFICIARY_KEY",
                  DECC_E_NOT_FOUND, err, what,
                  "result encryption asked but the beneficiary has no %s",
                  DECC_SMS_RESULT_ENCRYPTION_KEY);
      goto out;
    }
  }
  if (!vs)
    appsec = vault_value(s, c->arena, SLOT_APP, DECC_SECRET_APP_DEV, &d->app,
                         DECC_SMS_APP_SECRET_INDEX, &appsec_len, &vs);
  if (vs) {
    st = refuse(s, code, "SECRET_READ_FAILED", vs, err, what,
                "the vault could not read a secret");
    goto out;
  }
  /* result storage (post-compute): none for a callback */
  int callback = !decc_address_is_zero(&d->callback);
  if (!callback) {
    if (!strcmp(p->provider, "dropbox"))
      token = vault_value(s, c->arena, SLOT_TOKEN, DECC_SECRET_WEB2,
                          &d->requester, DECC_SMS_RESULT_DROPBOX_TOKEN,
                          &token_len, &vs);
    else {
      token = vault_value(s, c->arena, SLOT_TOKEN, DECC_SECRET_WEB2,
                          &c->r->worker, DECC_SMS_RESULT_IPFS_TOKEN,
                          &token_len, &vs);
      if (!vs && !token)
        token = vault_value(s, c->arena, SLOT_TOKEN, DECC_SECRET_WEB2,
                            &d->requester, DECC_SMS_RESULT_IPFS_TOKEN,
                            &token_len, &vs);
    }
    if (!vs && !(p->proxy && *p->proxy))
      pxy = vault_value(s, c->arena, SLOT_PROXY, DECC_SECRET_WEB2,
                        &d->workerpool_owner, DECC_SMS_RESULT_PROXY_URL,
                        &pxy_len, &vs);
    if (vs) {
      st = refuse(s, code, "SECRET_READ_FAILED", vs, err, what,
                  "the vault could not read a result storage secret");
      goto out;
    }
  }
  if (multiaddr_text(&app_image, c->app->multiaddr, c->app->multiaddr_len))
    app_image = NULL; /* not printable: leave the image name empty */
  if (c->n_bulk) {
    fa = decc_calloc(c->n_bulk, sizeof *fa);
    bulk = decc_calloc(c->n_bulk, sizeof *bulk);
  }
  if (p->n_secrets)
    secrets = decc_calloc(p->n_secrets, sizeof *secrets);
  if ((c->n_bulk && (!fa || !bulk)) || (p->n_secrets && !secrets)) {
    st = refuse(s, code, "SECURE_SESSION_GENERATION_FAILED", DECC_E_NOMEM,
                err, what, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < c->n_bulk; i++)
    bulk[i].filename =
        decc_address_to_hex(fa[i], &c->bulk[i].order.u.dataset.dataset);
  for (size_t i = 0; i < p->n_secrets; i++)
    secrets[i].index = p->secrets[i].index;

  snprintf(ti, sizeof ti, "%llu", (unsigned long long)c->r->task_index);
  snprintf(bsz, sizeof bsz, "%llu", (unsigned long long)d->bot_size);
  snprintf(bfi, sizeof bfi, "%llu", (unsigned long long)d->bot_first);
  decc_session ss;
  memset(&ss, 0, sizeof ss);
  ss.name = c->session_id;
  ss.task_id = th;
  ss.deal_id = dh;
  ss.task_index = ti;
  ss.bot_size = bsz;
  ss.bot_first = bfi;
  ss.worker = decc_address_to_checksum(wa, &c->r->worker);
  ss.enclave_key = decc_hex_encode(sk, c->enclave_sk, 32, 1);
  ss.has_dataset = has_dataset;
  if (has_dataset) {
    ss.dataset.url = ds_url;
    ss.dataset.checksum = decc__sms_hex32(cks, ds.checksum);
    ss.dataset.key = (const char *)dkey;
    ss.dataset.key_len = dkey_len;
    ss.dataset.filename = dsa;
  }
  ss.bulk = p->bulk_cid != NULL;
  ss.bulk_datasets = bulk;
  ss.n_bulk = c->n_bulk;
  ss.input_files = p->input_files;
  ss.n_input_files = p->n_input_files;
  ss.app_image = app_image;
  ss.app_fingerprint = decc__sms_hex32(acks, c->app->checksum);
  ss.args = p->args;
  ss.dataset_address = dsa;
  ss.purpose = c->purpose;
  ss.secrets = secrets;
  ss.n_secrets = p->n_secrets;
  ss.app_secret = (const char *)appsec;
  ss.app_secret_len = appsec_len;
  ss.encrypt = p->encrypt;
  ss.encryption_key = (const char *)enc;
  ss.encryption_key_len = enc ? enc_len : 0;
  ss.callback = callback;
  ss.provider = callback ? "" : p->provider;
  if (callback) {
    ss.proxy = "";
  } else if (p->proxy && *p->proxy) {
    ss.proxy = p->proxy;
    ss.proxy_len = strlen(p->proxy);
  } else {
    ss.proxy = (const char *)pxy;
    ss.proxy_len = pxy ? pxy_len : 0;
  }
  ss.token = (const char *)token;
  ss.token_len = token ? token_len : 0;
  fill_ctx fc;
  memset(&fc, 0, sizeof fc);
  fc.s = s;
  fc.c = c;
  fc.p = p;
  fc.th = th;
  fc.code = code;
  fc.err = err;
  fc.what = what;
  decc_session_source src = {&fc, fill_bulk, fill_secret, fill_done};
  st = decc_session_write(b, &ss, &src);
  decc_memzero(sk, sizeof sk);
  if (st && !fc.refused)
    st = refuse(s, code, "SECURE_SESSION_GENERATION_FAILED", st, err, what,
                "session document could not be built (%s)",
                decc_strerror(st));
out:
  decc_free(ds_url);
  decc_free(app_image);
  decc_free(fa);
  decc_free(bulk);
  decc_free(secrets);
  decc_sms_asset_clear(&ds);
  return st;
}

/* ---- receipts (decc/receipts.h) -------------------------------------------- */

/* What a dataset key release is recorded with. */
typedef struct rcpt_ctx {
  decc_rcpt_release rel;
  uint8_t price[32], orders[4][32], ds_ck[32];
  decc_grant_policy pol;
} rcpt_ctx;

static void rcpt_log(void *ctx, const char *line) { smslog(ctx, "%s", line); }

/* Before a dataset key leaves: the grant's policy (expiry, owner's
 * signature) allows it. Fills rc for receipt_record. */
static decc_status receipt_check(decc_sms *s, const decc_sms_session_request *r,
                                 const decc_sms_deal *deal,
                                 const decc_sms_asset *app, uint64_t chain_now,
                                 rcpt_ctx *rc, const char **code,
                                 decc_err *err, const char *what) {
  memset(rc, 0, sizeof *rc);
  decc_rcpt_release *rel = &rc->rel;
  decc_err e2;
  decc_sms_asset ds;
  memset(&ds, 0, sizeof ds);
  decc_status st = s->chain.dataset(s->chain.ctx, &deal->dataset, &ds, &e2);
  if (st)
    return refuse(s, code, "PRE_COMPUTE_GET_DATASET_FAILED", st, err, what,
                  "reading the deal's dataset: %s", e2.msg);
  memcpy(rc->ds_ck, ds.checksum, 32);
  decc_sms_asset_clear(&ds);
  if (s->chain.deal_grant) {
    st = s->chain.deal_grant(s->chain.ctx, r->deal_id, rc->price, rc->orders,
                             &rel->chain_id, &e2);
    if (st)
      return refuse(s, code, "CHAIN_ERROR", st, err, what,
                    "reading the deal's grant (dataset order): %s", e2.msg);
    rel->grant32 = rc->orders[1];
  }
  rel->wall_now = wall_now(s);
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
    return refuse(s, code, pc ? pc : "GRANT_POLICY_INVALID", st, err, what,
                  "%s", e2.msg);
  return DECC_OK;
}

decc_status decc_sms_release_session(
    decc_sms *s, const decc_sms_session_request *r,
    const char *worker_authorization,
    char session_id[DECC_SMS_SESSION_ID_LEN + 1], uint8_t **sealed,
    size_t *sealed_len, const char **code, decc_err *err) {
  char th[67], wa[43], what[160];
  decc__sms_hex32(th, r->task_id);
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
  decc_status st;

  /* 1. the worker's own signature (iExec's first check) */
  decc_sms_authorization_hash(h, &r->worker, r->task_id,
                              &r->enclave_challenge);
  if ((st = decc_sms_check_signature(worker_authorization, h, &r->worker,
                                     &e2))) {
    st = refuse(s, code, "INVALID_WORKER_SIGNATURE", st, err, what,
                "Authorization is not the worker's signature of the "
                "authorization: %s",
                e2.msg);
    goto out;
  }
  /* 2. on-chain: task ACTIVE, deadline, TEE deal */
  if ((st = check_execution(s, r->task_id, &task, &deal, code, err, what)))
    goto out;
  if (memcmp(task.deal_id, r->deal_id, 32) || task.index != r->task_index) {
    st = refuse(s, code, "EXECUTION_NOT_AUTHORIZED_INVALID_AUTHORIZATION",
                DECC_E_DENIED, err, what,
                "dealId/taskIndex do not match the task on chain");
    goto out;
  }
  /* 3. the workerpool owner authorised this worker for this enclave */
  decc_address who;
  if (decc_eip191_recover(&who, h, 32, r->pool_signature) != DECC_OK ||
      !decc_address_eq(&who, &deal.workerpool_owner)) {
    st = refuse(s, code, "EXECUTION_NOT_AUTHORIZED_INVALID_SIGNATURE",
                DECC_E_BAD_SIGNATURE, err, what,
                "worker not authorized by the deal's workerpool owner");
    goto out;
  }
  /* 4. the enclave challenge is this SMS's key for the task */
  uint64_t chain_now = 0;
  if ((st = s->chain.now(s->chain.ctx, &chain_now, &e2))) {
    st = refuse(s, code, "CHAIN_ERROR", st, err, what, "%s", e2.msg);
    goto out;
  }
  decc_address ech;
  st = enclave_key_load(s, th, chain_now, &ech, sk, &e2);
  if (st == DECC_E_NOT_FOUND) {
    st = refuse(s, code, "NO_ENCLAVE_CHALLENGE", DECC_E_DENIED, err, what,
                "no enclave challenge was generated for this task");
    goto out;
  } else if (st) {
    st = refuse(s, code, "SECRET_READ_FAILED", st, err, what, "%s", e2.msg);
    goto out;
  }
  if (!decc_address_eq(&ech, &r->enclave_challenge)) {
    st = refuse(s, code, "ENCLAVE_CHALLENGE_MISMATCH", DECC_E_DENIED, err,
                what, "enclaveChallenge is not this SMS's key for the task");
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
      st = refuse(s, code,
                  st == DECC_E_BAD_SIGNATURE ? "ATTESTATION_BAD_SIGNATURE"
                                             : "ATTESTATION_UNTRUSTED_PLATFORM",
                  st, err, what, "%s", e2.msg);
      goto out;
    }
  }
  uint64_t now = wall_now(s);
  if (q->timestamp > now + 60 || now - q->timestamp > s->cfg.quote_max_age_s) {
    st = refuse(s, code, "ATTESTATION_STALE_QUOTE", DECC_E_DENIED, err, what,
                "quote timestamp %llu is outside the accepted window",
                (unsigned long long)q->timestamp);
    goto out;
  }
  if (memcmp(q->task_id, r->task_id, 32)) {
    st = refuse(s, code, "ATTESTATION_TASK_MISMATCH", DECC_E_DENIED, err,
                what, "the quote was made for another task");
    goto out;
  }
  st = consume_nonce(s, r->task_id, q->nonce);
  if (st == DECC_E_LIMIT) {
    st = refuse(s, code, "TOO_MANY_SESSIONS", DECC_E_DENIED, err, what,
                "more than %zu sessions for this task (or %zu overall) "
                "within the nonce lifetime; retry later",
                s->cfg.max_nonces_per_task, s->cfg.max_nonces);
    goto out;
  }
  if (st) {
    st = refuse(s, code,
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
    st = refuse(s, code, "GET_APP_FAILED", st, err, what,
                "reading the deal's app: %s", e2.msg);
    goto out;
  }
  if (memcmp(app.checksum, q->measurement, 32)) {
    char m1[67], m2[67];
    st = refuse(s, code, "ATTESTATION_MEASUREMENT_MISMATCH", DECC_E_DENIED,
                err, what,
                "enclave measurement %s differs from the app's on-chain "
                "checksum %s",
                decc__sms_hex32(m1, q->measurement),
                decc__sms_hex32(m2, app.checksum));
    goto out;
  }
  /* 6. the session */
  if ((st = decc_deal_params_parse(&p, deal.params, strlen(deal.params),
                                   s->cfg.max_params, s->cfg.max_input_files,
                                   &e2))) {
    st = refuse(s, code, "INVALID_DEAL_PARAMS", st, err, what, "%s", e2.msg);
    goto out;
  }
  if (p.bulk_cid) {
    /* The task's slice: index = the task's index in the deal's request
     * (iexec-sms uses botIndex); every order judged before the document
     * is built. */
    if (!s->cfg.bulk_store && !s->cfg.bulk_ipfs_api_url) {
      st = refuse(s, code, "BULK_NOT_SUPPORTED", DECC_E_UNSUPPORTED, err,
                  what,
                  "bulk processing (bulk_cid) needs a content store: this "
                  "SMS has none configured");
      goto out;
    }
    decc_err e3;
    if ((st = decc__sms_bulk_load(s->cfg.bulk_store, s->cfg.bulk_ipfs_api_url,
                                  p.bulk_cid, task.index, &bulk, &n_bulk,
                                  &e3))) {
      st = refuse(s, code, "BULK_SLICE_UNAVAILABLE", st, err, what, "%s",
                  e3.msg);
      goto out;
    }
    for (size_t i = 0; i < n_bulk; i++)
      decc__sms_bulk_check(&s->chain, &bulk[i], r->deal_id);
  }
  static const char alnum[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  uint8_t rnd[10];
  if (decc_random_bytes(rnd, sizeof rnd) != DECC_OK) {
    st = refuse(s, code, "SECURE_SESSION_GENERATION_FAILED", DECC_E_CRYPTO,
                err, what, "no randomness");
    goto out;
  }
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  for (int i = 0; i < 10; i++)
    sid[i] = alnum[rnd[i] % 62];
  snprintf(sid + 10, sizeof sid - 10, "0000%s", th);
  arena = arena_take();
  if (!arena) {
    st = refuse(s, code, "SECURE_SESSION_GENERATION_FAILED", DECC_E_NOMEM,
                err, what, "out of memory");
    goto out;
  }
  session_ctx c = {r, &deal, &app, sk, sid, arena, bulk, n_bulk, NULL};
  int has_ds = !decc_address_is_zero(&deal.dataset);
  if (has_ds) {
    if ((st = receipt_check(s, r, &deal, &app, chain_now, &rc, code, err,
                            what)))
      goto out;
    c.purpose = rc.pol.purpose;
  }
  if ((st = build_session(s, &c, &p, &doc, code, err, what)))
    goto out;
  uint8_t *box = decc_malloc(doc.len + DECC_SEAL_OVERHEAD);
  if (!box) {
    st = refuse(s, code, "SECURE_SESSION_GENERATION_FAILED", DECC_E_NOMEM,
                err, what, "out of memory");
    goto out;
  }
  if ((st = decc_seal(box, doc.data, doc.len, q->enclave_pubkey))) {
    decc_free(box);
    st = refuse(s, code, "SECURE_SESSION_GENERATION_FAILED", st, err, what,
                "sealing the session failed");
    goto out;
  }
  /* No receipt, no key: the release is recorded (durably) before the
   * sealed session leaves. */
  if (has_ds && (st = decc_rcpt_release_record(s->receipts, &rc.rel, &rc.pol,
                                               rcpt_log, s, &e2))) {
    decc_free(box);
    st = refuse(s, code, "RECEIPT_WRITE_FAILED", st, err, what,
                "the key release could not be recorded, so it is not made: "
                "%s",
                e2.msg);
    goto out;
  }
  /* Bulk tasks: one receipt per released dataset (sms_bulk_receipts.c). */
  if (n_bulk && (st = decc__sms_bulk_receipts(
                     s->receipts, &s->chain, r, &deal, &app, wall_now(s),
                     chain_now, bulk, n_bulk, rcpt_log, s, &e2))) {
    decc_free(box);
    st = refuse(s, code, "RECEIPT_WRITE_FAILED", st, err, what,
                "a bulk dataset's key release could not be recorded, so the "
                "session is not released: %s",
                e2.msg);
    goto out;
  }
  *sealed = box;
  *sealed_len = doc.len + DECC_SEAL_OVERHEAD;
  memcpy(session_id, sid, sizeof sid);
  {
    char pf[43];
    smslog(s,
           "sms: released session %.14s… for task %s to worker %s (platform "
           "%s, dataset %s, %zu requester secret(s))",
           sid, th, wa, decc_address_to_checksum(pf, &q->platform),
           decc_address_is_zero(&deal.dataset) ? "none" : "of the deal",
           p.n_secrets);
    if (s->cfg.observe)
      s->cfg.observe(s->cfg.observe_ctx, "release", NULL);
  }
out:
  decc_memzero(sk, sizeof sk);
  arena_give(arena); /* wipes every secret read for this session */
  decc_buf_clear(&doc);
  decc_deal_params_clear(&p);
  decc_sms_deal_clear(&deal);
  decc_sms_asset_clear(&app);
  decc__sms_bulk_free(bulk, n_bulk);
  return st;
}

decc_status decc_sms_session_open(char **json, size_t *len,
                                  const uint8_t *sealed, size_t n,
                                  const uint8_t pk32[32],
                                  const uint8_t sk32[32]) {
  *json = NULL;
  *len = 0;
  if (n < DECC_SEAL_OVERHEAD || n - DECC_SEAL_OVERHEAD > DECC_SMS_SESSION_MAX)
    return DECC_E_RANGE;
  size_t m = n - DECC_SEAL_OVERHEAD;
  char *out = decc_secure_alloc(m + 1);
  if (!out)
    return DECC_E_NOMEM;
  decc_status st = decc_seal_open((uint8_t *)out, sealed, n, pk32, sk32);
  if (st) {
    decc_secure_free(out);
    return st;
  }
  out[m] = 0;
  *json = out;
  *len = m;
  return DECC_OK;
}

int decc_sms_http_status(decc_status st, char op) {
  switch (st) {
  case DECC_OK:
    return (op == 'w' || op == 'u') ? 204 : 200;
  case DECC_E_PARSE:
  case DECC_E_BAD_SIGNATURE:
  case DECC_E_DENIED:
    return 401;
  case DECC_E_INVALID:
  case DECC_E_UNSUPPORTED:
  case DECC_E_RANGE:
    return 400;
  case DECC_E_LIMIT:
    return op == 'n' ? 429 : 413;
  case DECC_E_EXISTS:
    return 409;
  case DECC_E_NOT_FOUND:
    return op == 'w' ? 401 : 404;
  default:
    return 500;
  }
}
