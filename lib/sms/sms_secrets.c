/*
 * sms_secrets.c — secret pushes and checks (decc/sms.h): who may write
 * which secret (iExec's challenges, decc/sms_auth.h, and the owners the
 * chain names), the name rules, and the sealed vault writes. Values never
 * appear in refusals or logs.
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
    return decc__sms_refuse(
        s, code, "SECRET_TOO_LARGE", DECC_E_LIMIT, err, what,
        "secret of %zu bytes exceeds the %d-byte limit", len, DECC_SECRET_MAX);
  if (!decc_session_text_ok(value ? value : "", len))
    return decc__sms_refuse(
        s, code, "SECRET_NOT_UTF8", DECC_E_INVALID, err, what,
        "secret value must be UTF-8 text without NUL bytes");
  return DECC_OK;
}

/* Signature check of a push against the expected signer. */
static decc_status check_push_sig(decc_sms *s, const char *authorization,
                                  const uint8_t challenge[32],
                                  const decc_address *signer, const char **code,
                                  decc_err *err, const char *what) {
  decc_err e2;
  decc_status st =
      decc_sms_check_signature(authorization, challenge, signer, &e2);
  if (st)
    return decc__sms_refuse(s, code,
                            st == DECC_E_PARSE
                                ? "MISSING_OR_MALFORMED_AUTHORIZATION"
                                : "INVALID_SIGNATURE",
                            st, err, what, "%s", e2.msg);
  return DECC_OK;
}

static decc_status store(decc_sms *s, decc_secret_kind kind,
                         const decc_address *owner, const char *name,
                         const char *value, size_t len, int update,
                         const char **code, decc_err *err, const char *what) {
  decc_err e2;
  decc_status st =
      decc_vault_put(s->vault, kind, owner, name,
                     (const uint8_t *)(value ? value : ""), len, update, &e2);
  if (st == DECC_E_EXISTS)
    return decc__sms_refuse(s, code, "SECRET_ALREADY_EXISTS", st, err, what,
                            "secret already exists and cannot be replaced");
  if (st == DECC_E_NOT_FOUND)
    return decc__sms_refuse(s, code, "SECRET_NOT_FOUND", st, err, what,
                            "secret does not exist (nothing to update)");
  if (st)
    return decc__sms_refuse(s, code, "VAULT_ERROR", st, err, what, "%s",
                            e2.msg);
  decc__sms_log(s, "sms: stored %s", what);
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
    return decc__sms_refuse(s, code, "NO_OWNER_ON_CHAIN", DECC_E_DENIED, err,
                            what, "%s", e2.msg);
  if (st)
    return decc__sms_refuse(s, code, "CHAIN_ERROR", st, err, what,
                            "reading owner(): %s", e2.msg);
  return DECC_OK;
}

decc_status decc_sms_push_web3(decc_sms *s, const decc_address *addr,
                               const char *value, size_t len,
                               const char *authorization, const char **code,
                               decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(addr != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  char a[DECC_ADDRESS_HEX_LEN], what[96];
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
  return store(s, DECC_SECRET_WEB3, addr, NULL, value, len, 0, code, err, what);
}

decc_status decc_sms_push_web2(decc_sms *s, const decc_address *owner,
                               const char *name, const char *value, size_t len,
                               int update, const char *authorization,
                               const char **code, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(owner != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  char a[DECC_ADDRESS_HEX_LEN], what[128];
  snprintf(what, sizeof what, "web2 secret of %s",
           decc_address_to_checksum(a, owner));
  if (code)
    *code = NULL;
  if (!decc_sms_web2_name_valid(name))
    return decc__sms_refuse(
        s, code, "INVALID_SECRET_NAME", DECC_E_INVALID, err, what,
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
      return decc__sms_refuse(s, code, "INVALID_RESULT_ENCRYPTION_KEY",
                              DECC_E_INVALID, err, what,
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
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(app != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  char a[DECC_ADDRESS_HEX_LEN], what[96];
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
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(requester != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  char a[DECC_ADDRESS_HEX_LEN], what[96];
  snprintf(what, sizeof what, "requester secret of %s",
           decc_address_to_checksum(a, requester));
  if (code)
    *code = NULL;
  if (!decc_sms_requester_key_valid(key))
    return decc__sms_refuse(s, code, "INVALID_SECRET_KEY", DECC_E_INVALID, err,
                            what,
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
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(owner != NULL);
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
