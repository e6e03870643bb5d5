/*
 * sms_client.c — the SMS client: what the SDK's sms/push.js, the scheduler
 * and the worker send to an SMS. Two layers in one file, because they share
 * the status contract:
 *   - the URL functions of decc/sms.h (decc_sms_client_*), over decc's
 *     libcurl client: each call signs the exact iExec challenge, sends
 *     iExec's request shape and turns the answer (status + iExec error
 *     body) back into a decc_status with the server's reason;
 *   - the decc_sms_client handle of decc/sms_client.h, a vtable with a
 *     "http" backend over those functions and a "local" backend over a
 *     decc_sms of this process, which signs the same challenges and maps
 *     the SMS's statuses through the HTTP status it would answer (the same
 *     mapping as map_reply), so both backends keep one contract.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "decc/sms_client.h"
#include "sms/sms_int.h"

#define REPLY_MAX (2u << 20)
#define TIMEOUT_MS 30000

/* Whether a refusal reason is about a signature (401: BAD_SIGNATURE rather
 * than DENIED). */
static int names_signature(const char *s) {
  return strstr(s, "SIGNATURE") != NULL || strstr(s, "signature") != NULL;
}

/* The server's reason from an iExec error body: {"error":["…"]} or
 * {"error":"CODE","message":"…"}; empty when none. */
static void server_reason(const decc_http_reply *r, char *out, size_t cap,
                          int *sig) {
  out[0] = 0;
  *sig = 0;
  json_error_t je;
  json_t *j = r->body.len
                  ? json_loadb((const char *)r->body.data, r->body.len, 0, &je)
                  : NULL;
  json_t *e = json_object_get(j, "error");
  if (json_is_array(e) && json_is_string(json_array_get(e, 0))) {
    snprintf(out, cap, "%s", json_string_value(json_array_get(e, 0)));
  } else if (json_is_string(e)) {
    const char *m = json_string_value(json_object_get(j, "message"));
    snprintf(out, cap, "%s%s%s", json_string_value(e), m ? ": " : "",
             m ? m : "");
  }
  *sig = names_signature(out);
  json_decref(j);
}

/* The status a remote caller reads from an HTTP answer (sig: the reason
 * names a signature). The one mapping of both backends' contract. */
static decc_status status_of_http(long status, int sig) {
  switch (status) {
  case 200:
  case 204:
    return DECC_OK;
  case 400:
    return DECC_E_INVALID;
  case 401:
  case 403:
    return sig ? DECC_E_BAD_SIGNATURE : DECC_E_DENIED;
  case 404:
    return DECC_E_NOT_FOUND;
  case 409:
    return DECC_E_EXISTS;
  case 413:
  case 429:
    return DECC_E_LIMIT;
  default:
    return status >= 500 ? DECC_E_INTERNAL : DECC_E_NETWORK;
  }
}

/* The refusal code of a TEE error body {"error":"CODE","message":…} into
 * code (DECC_SMS_CODE_MAX; "" when the body has none). */
static void reply_code(const decc_http_reply *r, char *code) {
  if (!code)
    return;
  code[0] = 0;
  json_error_t je;
  json_t *j = r->body.len
                  ? json_loadb((const char *)r->body.data, r->body.len, 0, &je)
                  : NULL;
  const char *c = json_string_value(json_object_get(j, "error"));
  if (c)
    snprintf(code, DECC_SMS_CODE_MAX, "%s", c);
  json_decref(j);
}

/* Maps an answer to a status (expected 2xx → DECC_OK). */
static decc_status map_reply(const decc_http_reply *r, const char *what,
                             decc_err *err) {
  if (r->status == 200 || r->status == 204)
    return DECC_OK;
  char why[200];
  int sig = 0;
  server_reason(r, why, sizeof why, &sig);
  decc_status st = status_of_http(r->status, sig);
  return decc_err_set(err, st, "%s: SMS answered %ld%s%s", what, r->status,
                      why[0] ? ": " : "", why);
}

/* One request: base + path (path already escaped). auth may be NULL. */
static decc_status call(decc_http_reply *rep, const char *method,
                        const char *base, const char *path, const char *auth,
                        const char *ctype, const void *body, size_t n,
                        decc_err *err) {
  memset(rep, 0, sizeof *rep);
  decc_buf_init(&rep->body, 0);
  size_t bl = strlen(base);
  while (bl && base[bl - 1] == '/')
    bl--;
  decc_buf url;
  decc_buf_init(&url, 8192);
  decc_status st = decc_buf_printf(&url, "%.*s%s", (int)bl, base, path);
  if (st) {
    decc_buf_clear(&url);
    return decc_err_set(err, DECC_E_LIMIT, "SMS URL too long");
  }
  char ah[160], ch[64];
  const char *hdrs[3];
  int nh = 0;
  if (auth) {
    snprintf(ah, sizeof ah, "Authorization: %s", auth);
    hdrs[nh++] = ah;
  }
  if (ctype) {
    snprintf(ch, sizeof ch, "Content-Type: %s", ctype);
    hdrs[nh++] = ch;
  }
  hdrs[nh] = NULL;
  st = decc_http_fetch(rep, method, (const char *)url.data, hdrs, body, n,
                       REPLY_MAX, TIMEOUT_MS, err);
  decc_buf_clear(&url);
  return st;
}

static decc_status push(const char *base, const char *method, const char *path,
                        const uint8_t ch[32], const uint8_t sk32[32],
                        const char *value, size_t len, const char *what,
                        decc_err *err) {
  uint8_t sig[65];
  char sh[DECC_SIG_HEX_LEN];
  if (decc_sms_sign_challenge(sig, sk32, ch) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  decc_hex_encode(sh, sig, 65, 1);
  decc_http_reply rep;
  decc_status st =
      call(&rep, method, base, path, sh, "text/plain", value, len, err);
  if (!st)
    st = map_reply(&rep, what, err);
  decc_buf_clear(&rep.body);
  return st;
}

decc_status decc_sms_client_push_web3(const char *base,
                                      const decc_address *dataset,
                                      const char *value, size_t len,
                                      const uint8_t sk32[32], decc_err *err) {
  DECC_ARG_CHECK(base != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  DECC_ARG_CHECK(sk32 != NULL);
  uint8_t ch[32];
  char a[DECC_ADDRESS_HEX_LEN], path[96];
  decc_sms_web3_challenge(ch, dataset, value, len);
  snprintf(path, sizeof path, "/secrets/web3?secretAddress=%s",
           decc_address_to_checksum(a, dataset));
  return push(base, "POST", path, ch, sk32, value, len, "push dataset key",
              err);
}

decc_status decc_sms_client_push_web2(const char *base, const char *name,
                                      const char *value, size_t len, int update,
                                      const uint8_t sk32[32], decc_err *err) {
  DECC_ARG_CHECK(base != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  DECC_ARG_CHECK(sk32 != NULL);
  if (!decc_sms_web2_name_valid(name))
    return decc_err_set(err, DECC_E_INVALID, "invalid secret name");
  decc_address owner;
  if (decc_address_from_privkey(&owner, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, &owner, name, strlen(name), value, len);
  char *en = decc_http_escape(name);
  if (!en)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  char a[DECC_ADDRESS_HEX_LEN];
  decc_buf path;
  decc_buf_init(&path, 4096);
  decc_status st =
      decc_buf_printf(&path, "/secrets/web2?ownerAddress=%s&secretName=%s",
                      decc_address_to_checksum(a, &owner), en);
  decc_free(en);
  if (!st)
    st = push(base, update ? "PUT" : "POST", (const char *)path.data, ch, sk32,
              value, len, "push web2 secret", err);
  else
    st = decc_err_set(err, st, "secret name too long");
  decc_buf_clear(&path);
  return st;
}

decc_status decc_sms_client_push_app_secret(const char *base,
                                            const decc_address *app,
                                            const char *value, size_t len,
                                            const uint8_t sk32[32],
                                            decc_err *err) {
  DECC_ARG_CHECK(base != NULL);
  DECC_ARG_CHECK(app != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  DECC_ARG_CHECK(sk32 != NULL);
  uint8_t ch[32];
  char a[DECC_ADDRESS_HEX_LEN], path[96];
  decc_sms_web2_challenge(ch, app, DECC_SMS_APP_SECRET_INDEX, 1, value, len);
  snprintf(path, sizeof path, "/apps/%s/secrets",
           decc_address_to_checksum(a, app));
  return push(base, "POST", path, ch, sk32, value, len,
              "push app developer secret", err);
}

decc_status decc_sms_client_push_requester_secret(const char *base,
                                                  const char *key,
                                                  const char *value, size_t len,
                                                  const uint8_t sk32[32],
                                                  decc_err *err) {
  DECC_ARG_CHECK(base != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  DECC_ARG_CHECK(sk32 != NULL);
  if (!decc_sms_requester_key_valid(key))
    return decc_err_set(err, DECC_E_INVALID,
                        "secret key must match ^[a-zA-Z0-9-_]{1,64}$");
  decc_address owner;
  if (decc_address_from_privkey(&owner, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, &owner, key, strlen(key), value, len);
  char a[DECC_ADDRESS_HEX_LEN], path[160];
  snprintf(path, sizeof path, "/requesters/%s/secrets/%s",
           decc_address_to_checksum(a, &owner), key);
  return push(base, "POST", path, ch, sk32, value, len, "push requester secret",
              err);
}

decc_status decc_sms_client_check(const char *base, decc_secret_kind kind,
                                  const decc_address *owner, const char *name,
                                  int *exists, decc_err *err) {
  DECC_ARG_CHECK(base != NULL);
  DECC_ARG_CHECK(owner != NULL);
  DECC_ARG_CHECK(exists != NULL);
  *exists = 0;
  char a[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(a, owner);
  decc_buf path;
  decc_buf_init(&path, 4096);
  decc_status st = DECC_OK;
  char *en = NULL;
  switch (kind) {
  case DECC_SECRET_WEB3:
    st = decc_buf_printf(&path, "/secrets/web3?secretAddress=%s", a);
    break;
  case DECC_SECRET_WEB2:
    if (!decc_sms_web2_name_valid(name))
      st = decc_err_set(err, DECC_E_INVALID, "invalid secret name");
    else if (!(en = decc_http_escape(name)))
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    else
      st = decc_buf_printf(&path, "/secrets/web2?ownerAddress=%s&secretName=%s",
                           a, en);
    break;
  case DECC_SECRET_APP_DEV:
    st = decc_buf_printf(&path, "/apps/%s/secrets", a);
    break;
  case DECC_SECRET_REQUESTER:
    if (!decc_sms_requester_key_valid(name))
      st = decc_err_set(err, DECC_E_INVALID,
                        "secret key must match ^[a-zA-Z0-9-_]{1,64}$");
    else
      st = decc_buf_printf(&path, "/requesters/%s/secrets/%s", a, name);
    break;
  default:
    st = decc_err_set(err, DECC_E_INVALID, "no such secret kind");
  }
  decc_free(en);
  if (st) {
    decc_buf_clear(&path);
    return st;
  }
  decc_http_reply rep;
  st = call(&rep, "HEAD", base, (const char *)path.data, NULL, NULL, NULL, 0,
            err);
  decc_buf_clear(&path);
  if (!st) {
    if (rep.status == 204 || rep.status == 200)
      *exists = 1;
    else if (rep.status != 404)
      st = map_reply(&rep, "check secret", err);
  }
  decc_buf_clear(&rep.body);
  return st;
}

/* The TEE calls below take the refusal code buffer (NULL: not wanted):
 * the URL functions pass NULL, the "http" backend a buffer. */
static decc_status http_challenge(const char *base, const uint8_t taskid32[32],
                                  const uint8_t pool_sk32[32],
                                  decc_address *enclave, char *code,
                                  decc_err *err) {
  if (code)
    code[0] = 0;
  uint8_t h[32], sig[65];
  char sh[DECC_SIG_HEX_LEN], th[DECC_HEX32_LEN], path[96];
  decc_sms_authorization_hash(h, NULL, taskid32, NULL);
  if (decc_sms_sign_challenge(sig, pool_sk32, h) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  decc_hex_encode(sh, sig, 65, 1);
  snprintf(path, sizeof path, "/tee/challenges/%s",
           decc_hex_encode(th, taskid32, 32, 1));
  decc_http_reply rep;
  decc_status st = call(&rep, "POST", base, path, sh, NULL, NULL, 0, err);
  if (!st && (st = map_reply(&rep, "enclave challenge", err)))
    reply_code(&rep, code);
  if (!st &&
      decc_address_parse(enclave, (const char *)rep.body.data, NULL) != DECC_OK)
    st = decc_err_set(err, DECC_E_PARSE,
                      "enclave challenge: the SMS did not answer an address");
  decc_buf_clear(&rep.body);
  return st;
}

decc_status decc_sms_client_enclave_challenge(const char *base,
                                              const uint8_t taskid32[32],
                                              const uint8_t pool_sk32[32],
                                              decc_address *enclave,
                                              decc_err *err) {
  DECC_ARG_CHECK(base != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(pool_sk32 != NULL);
  DECC_ARG_CHECK(enclave != NULL);
  return http_challenge(base, taskid32, pool_sk32, enclave, NULL, err);
}

static decc_status http_nonce(const char *base, const uint8_t taskid32[32],
                              uint8_t nonce32[32], char *code, decc_err *err) {
  if (code)
    code[0] = 0;
  char th[DECC_HEX32_LEN], path[96];
  snprintf(path, sizeof path, "/tee/nonces/%s",
           decc_hex_encode(th, taskid32, 32, 1));
  decc_http_reply rep;
  decc_status st = call(&rep, "POST", base, path, NULL, NULL, NULL, 0, err);
  if (!st && (st = map_reply(&rep, "attestation nonce", err)))
    reply_code(&rep, code);
  if (!st) {
    json_error_t je;
    json_t *j = json_loadb((const char *)rep.body.data, rep.body.len, 0, &je);
    const char *n =
        json_string_value(json_object_get(json_object_get(j, "data"), "nonce"));
    if (!n || decc_hex_decode_exact(nonce32, 32, n, "nonce", NULL) != DECC_OK)
      st = decc_err_set(err, DECC_E_PARSE,
                        "attestation nonce: malformed answer");
    json_decref(j);
  }
  decc_buf_clear(&rep.body);
  return st;
}

decc_status decc_sms_client_nonce(const char *base, const uint8_t taskid32[32],
                                  uint8_t nonce32[32], decc_err *err) {
  DECC_ARG_CHECK(base != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(nonce32 != NULL);
  return http_nonce(base, taskid32, nonce32, NULL, err);
}

static decc_status http_session(const char *base,
                                const decc_sms_session_request *r,
                                const uint8_t worker_sk32[32],
                                char session_id[DECC_SMS_SESSION_ID_LEN + 1],
                                uint8_t **sealed, size_t *sealed_len,
                                char *code, decc_err *err) {
  if (code)
    code[0] = 0;
  *sealed = NULL;
  *sealed_len = 0;
  session_id[0] = 0;
  uint8_t h[32], sig[65];
  char sh[DECC_SIG_HEX_LEN];
  decc_sms_authorization_hash(h, &r->worker, r->task_id, &r->enclave_challenge);
  if (decc_sms_sign_challenge(sig, worker_sk32, h) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  decc_hex_encode(sh, sig, 65, 1);
  char *body = NULL;
  if (decc_sms_session_request_to_json(&body, r) != DECC_OK)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_http_reply rep;
  decc_status st = call(&rep, "POST", base, "/tee/sessions", sh,
                        "application/json", body, strlen(body), err);
  decc_free(body);
  if (!st && (st = map_reply(&rep, "session", err)))
    reply_code(&rep, code);
  if (!st) {
    json_error_t je;
    json_t *j = json_loadb((const char *)rep.body.data, rep.body.len, 0, &je);
    json_t *d = json_object_get(j, "data");
    const char *id = json_string_value(json_object_get(d, "sessionId"));
    const char *b64 = json_string_value(json_object_get(d, "sealedSession"));
    size_t bl = b64 ? strlen(b64) : 0, cap = bl / 4 * 3 + 3, n = 0;
    uint8_t *box = b64 ? decc_malloc(cap) : NULL;
    if (!id || strlen(id) > DECC_SMS_SESSION_ID_LEN || !b64)
      st = decc_err_set(err, DECC_E_PARSE, "session: malformed answer");
    else if (!box)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    else if (decc_base64_decode(box, cap, &n, b64, bl) != DECC_OK ||
             n < DECC_SEAL_OVERHEAD)
      st = decc_err_set(err, DECC_E_PARSE, "session: bad sealedSession");
    if (!st) {
      memcpy(session_id, id, strlen(id) + 1);
      *sealed = box;
      *sealed_len = n;
      box = NULL;
    }
    decc_free(box);
    json_decref(j);
  }
  decc_buf_clear(&rep.body);
  return st;
}

decc_status
decc_sms_client_session(const char *base, const decc_sms_session_request *r,
                        const uint8_t worker_sk32[32],
                        char session_id[DECC_SMS_SESSION_ID_LEN + 1],
                        uint8_t **sealed, size_t *sealed_len, decc_err *err) {
  DECC_ARG_CHECK(base != NULL);
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(worker_sk32 != NULL);
  DECC_ARG_CHECK(session_id != NULL);
  DECC_ARG_CHECK(sealed != NULL);
  DECC_ARG_CHECK(sealed_len != NULL);
  return http_session(base, r, worker_sk32, session_id, sealed, sealed_len,
                      NULL, err);
}

/* ---- the decc_sms_client handle (decc/sms_client.h) ----------------------- */

struct decc_sms_client {
  const decc_sms_client_vtable *vt;
  void *self;
};

decc_status decc_sms_client_create(decc_sms_client **out,
                                   const decc_sms_client_vtable *vt,
                                   void *self) {
  DECC_ARG_CHECK(vt != NULL);
  /* (self is released even on misuse: the caller gave it away) */
  if (!out && vt->destroy)
    vt->destroy(self);
  DECC_ARG_CHECK(out != NULL);
  *out = NULL;
  decc_sms_client *c = decc_calloc(1, sizeof *c);
  if (!c) {
    if (vt->destroy)
      vt->destroy(self);
    return DECC_E_NOMEM;
  }
  c->vt = vt;
  c->self = self;
  *out = c;
  return DECC_OK;
}

void decc_sms_client_destroy(decc_sms_client *c) {
  if (!c)
    return;
  if (c->vt->destroy)
    c->vt->destroy(c->self);
  decc_free(c);
}

const char *decc_sms_client_backend(const decc_sms_client *c) {
  DECC_ARG_CHECK_RET(c != NULL, "");
  return c->vt->name ? c->vt->name : "";
}

decc_status decc_smsc_push_web3(decc_sms_client *c, const decc_address *dataset,
                                const char *value, size_t len,
                                const uint8_t sk32[32], decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  DECC_ARG_CHECK(sk32 != NULL);
  return c->vt->push_web3(c->self, dataset, value ? value : "", len, sk32, err);
}

decc_status decc_smsc_push_web2(decc_sms_client *c, const char *name,
                                const char *value, size_t len, int update,
                                const uint8_t sk32[32], decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(name != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  DECC_ARG_CHECK(sk32 != NULL);
  return c->vt->push_web2(c->self, name, value ? value : "", len, update, sk32,
                          err);
}

decc_status decc_smsc_push_app_secret(decc_sms_client *c,
                                      const decc_address *app,
                                      const char *value, size_t len,
                                      const uint8_t sk32[32], decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(app != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  DECC_ARG_CHECK(sk32 != NULL);
  return c->vt->push_app_secret(c->self, app, value ? value : "", len, sk32,
                                err);
}

decc_status decc_smsc_push_requester_secret(decc_sms_client *c, const char *key,
                                            const char *value, size_t len,
                                            const uint8_t sk32[32],
                                            decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  DECC_ARG_CHECK(sk32 != NULL);
  return c->vt->push_requester_secret(c->self, key, value ? value : "", len,
                                      sk32, err);
}

decc_status decc_smsc_secret_exists(decc_sms_client *c, decc_secret_kind kind,
                                    const decc_address *owner, const char *name,
                                    int *exists, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(owner != NULL);
  DECC_ARG_CHECK(exists != NULL);
  *exists = 0;
  return c->vt->secret_exists(c->self, kind, owner, name, exists, err);
}

decc_status decc_smsc_enclave_challenge(decc_sms_client *c,
                                        const uint8_t taskid32[32],
                                        const uint8_t pool_sk32[32],
                                        decc_address *enclave, char *code,
                                        decc_err *err) {
  char local[DECC_SMS_CODE_MAX];
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(pool_sk32 != NULL);
  DECC_ARG_CHECK(enclave != NULL);
  return c->vt->enclave_challenge(c->self, taskid32, pool_sk32, enclave,
                                  code ? code : local, err);
}

decc_status decc_smsc_nonce(decc_sms_client *c, const uint8_t taskid32[32],
                            uint8_t nonce32[32], char *code, decc_err *err) {
  char local[DECC_SMS_CODE_MAX];
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(nonce32 != NULL);
  return c->vt->nonce(c->self, taskid32, nonce32, code ? code : local, err);
}

decc_status decc_smsc_session(decc_sms_client *c,
                              const decc_sms_session_request *r,
                              const uint8_t worker_sk32[32],
                              char session_id[DECC_SMS_SESSION_ID_LEN + 1],
                              uint8_t **sealed, size_t *sealed_len, char *code,
                              decc_err *err) {
  char local[DECC_SMS_CODE_MAX];
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(worker_sk32 != NULL);
  DECC_ARG_CHECK(session_id != NULL);
  DECC_ARG_CHECK(sealed != NULL);
  DECC_ARG_CHECK(sealed_len != NULL);
  return c->vt->session(c->self, r, worker_sk32, session_id, sealed, sealed_len,
                        code ? code : local, err);
}

/* ---- "http" backend: the URL functions above -------------------------------- */

static decc_status h_push_web3(void *self, const decc_address *dataset,
                               const char *value, size_t len,
                               const uint8_t sk32[32], decc_err *err) {
  return decc_sms_client_push_web3(self, dataset, value, len, sk32, err);
}
static decc_status h_push_web2(void *self, const char *name, const char *value,
                               size_t len, int update, const uint8_t sk32[32],
                               decc_err *err) {
  return decc_sms_client_push_web2(self, name, value, len, update, sk32, err);
}
static decc_status h_push_app(void *self, const decc_address *app,
                              const char *value, size_t len,
                              const uint8_t sk32[32], decc_err *err) {
  return decc_sms_client_push_app_secret(self, app, value, len, sk32, err);
}
static decc_status h_push_req(void *self, const char *key, const char *value,
                              size_t len, const uint8_t sk32[32],
                              decc_err *err) {
  return decc_sms_client_push_requester_secret(self, key, value, len, sk32,
                                               err);
}
static decc_status h_exists(void *self, decc_secret_kind kind,
                            const decc_address *owner, const char *name,
                            int *exists, decc_err *err) {
  return decc_sms_client_check(self, kind, owner, name, exists, err);
}
static decc_status h_challenge(void *self, const uint8_t taskid32[32],
                               const uint8_t pool_sk32[32],
                               decc_address *enclave,
                               char code[DECC_SMS_CODE_MAX], decc_err *err) {
  return http_challenge(self, taskid32, pool_sk32, enclave, code, err);
}
static decc_status h_nonce(void *self, const uint8_t taskid32[32],
                           uint8_t nonce32[32], char code[DECC_SMS_CODE_MAX],
                           decc_err *err) {
  return http_nonce(self, taskid32, nonce32, code, err);
}
static decc_status h_session(void *self, const decc_sms_session_request *r,
                             const uint8_t worker_sk32[32],
                             char session_id[DECC_SMS_SESSION_ID_LEN + 1],
                             uint8_t **sealed, size_t *sealed_len,
                             char code[DECC_SMS_CODE_MAX], decc_err *err) {
  return http_session(self, r, worker_sk32, session_id, sealed, sealed_len,
                      code, err);
}
static void h_destroy(void *self) { decc_free(self); }

static const decc_sms_client_vtable HTTP_VT = {
    .name = "http",
    .push_web3 = h_push_web3,
    .push_web2 = h_push_web2,
    .push_app_secret = h_push_app,
    .push_requester_secret = h_push_req,
    .secret_exists = h_exists,
    .enclave_challenge = h_challenge,
    .nonce = h_nonce,
    .session = h_session,
    .destroy = h_destroy,
};

/* Longest SMS base URL accepted (paths are appended to it). */
#define BASE_URL_MAX 2048

decc_status decc_sms_client_open_http(decc_sms_client **out,
                                      const char *base_url, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(base_url != NULL);
  *out = NULL;
  if (strlen(base_url) > BASE_URL_MAX ||
      (strncmp(base_url, "http://", 7) && strncmp(base_url, "https://", 8)))
    return decc_err_set(err, DECC_E_INVALID,
                        "SMS URL must start with http:// or https:// (at most "
                        "%d bytes)",
                        BASE_URL_MAX);
  char *url = decc_strdup(base_url);
  if (!url)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = decc_sms_client_create(out, &HTTP_VT, url);
  return st ? decc_err_set(err, st, "out of memory") : DECC_OK;
}

/* ---- "local" backend: a decc_sms of this process ---------------------------- */

/* Signs a 32-byte challenge as the iExec Authorization header text. */
static decc_status auth_header(char out[DECC_SIG_HEX_LEN],
                               const uint8_t sk32[32], const uint8_t ch[32],
                               decc_err *err) {
  uint8_t sig[65];
  if (decc_sms_sign_challenge(sig, sk32, ch) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  decc_hex_encode(out, sig, 65, 1);
  decc_memzero(sig, sizeof sig);
  return DECC_OK;
}

/* The contract: what a remote caller would read for status st of SMS
 * operation op ('w', 'u', 'c', 'n', 's': decc_sms_http_status), with the
 * SMS's reason kept in err. code (may be NULL) gets the refusal code. */
static decc_status local_result(decc_status st, char op, const char *what,
                                const char *sms_code, char *code,
                                decc_err *inner, decc_err *err) {
  if (code)
    snprintf(code, DECC_SMS_CODE_MAX, "%s", sms_code ? sms_code : "");
  if (!st)
    return DECC_OK;
  const char *why = inner->msg[0] ? inner->msg : decc_strerror(st);
  /* the HTTP route's reason text is "CODE: message" for TEE calls */
  int sig = names_signature(why) || (sms_code && names_signature(sms_code));
  decc_status out = status_of_http(decc_sms_http_status(st, op), sig);
  if (sms_code)
    return decc_err_set(err, out, "%s: %s: %s", what, sms_code, why);
  return decc_err_set(err, out, "%s: %s", what, why);
}

static decc_status l_push_web3(void *self, const decc_address *dataset,
                               const char *value, size_t len,
                               const uint8_t sk32[32], decc_err *err) {
  uint8_t ch[32];
  char hdr[DECC_SIG_HEX_LEN];
  decc_sms_web3_challenge(ch, dataset, value, len);
  decc_status st = auth_header(hdr, sk32, ch, err);
  if (st)
    return st;
  decc_err e;
  decc_err_clear(&e);
  st = decc_sms_push_web3(self, dataset, value, len, hdr, NULL, &e);
  return local_result(st, 'w', "push dataset key", NULL, NULL, &e, err);
}

static decc_status l_push_web2(void *self, const char *name, const char *value,
                               size_t len, int update, const uint8_t sk32[32],
                               decc_err *err) {
  if (!decc_sms_web2_name_valid(name))
    return decc_err_set(err, DECC_E_INVALID, "invalid secret name");
  decc_address owner;
  if (decc_address_from_privkey(&owner, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  uint8_t ch[32];
  char hdr[DECC_SIG_HEX_LEN];
  decc_sms_web2_challenge(ch, &owner, name, strlen(name), value, len);
  decc_status st = auth_header(hdr, sk32, ch, err);
  if (st)
    return st;
  decc_err e;
  decc_err_clear(&e);
  st =
      decc_sms_push_web2(self, &owner, name, value, len, update, hdr, NULL, &e);
  return local_result(st, update ? 'u' : 'w', "push web2 secret", NULL, NULL,
                      &e, err);
}

static decc_status l_push_app(void *self, const decc_address *app,
                              const char *value, size_t len,
                              const uint8_t sk32[32], decc_err *err) {
  uint8_t ch[32];
  char hdr[DECC_SIG_HEX_LEN];
  decc_sms_web2_challenge(ch, app, DECC_SMS_APP_SECRET_INDEX, 1, value, len);
  decc_status st = auth_header(hdr, sk32, ch, err);
  if (st)
    return st;
  decc_err e;
  decc_err_clear(&e);
  st = decc_sms_push_app_secret(self, app, value, len, hdr, NULL, &e);
  return local_result(st, 'w', "push app developer secret", NULL, NULL, &e,
                      err);
}

static decc_status l_push_req(void *self, const char *key, const char *value,
                              size_t len, const uint8_t sk32[32],
                              decc_err *err) {
  if (!decc_sms_requester_key_valid(key))
    return decc_err_set(err, DECC_E_INVALID,
                        "secret key must match ^[a-zA-Z0-9-_]{1,64}$");
  decc_address owner;
  if (decc_address_from_privkey(&owner, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  uint8_t ch[32];
  char hdr[DECC_SIG_HEX_LEN];
  decc_sms_web2_challenge(ch, &owner, key, strlen(key), value, len);
  decc_status st = auth_header(hdr, sk32, ch, err);
  if (st)
    return st;
  decc_err e;
  decc_err_clear(&e);
  st = decc_sms_push_requester_secret(self, &owner, key, value, len, hdr, NULL,
                                      &e);
  return local_result(st, 'w', "push requester secret", NULL, NULL, &e, err);
}

static decc_status l_exists(void *self, decc_secret_kind kind,
                            const decc_address *owner, const char *name,
                            int *exists, decc_err *err) {
  decc_err e;
  decc_err_clear(&e);
  decc_status st = decc_sms_secret_exists(self, kind, owner, name, &e);
  if (st == DECC_OK || st == DECC_E_NOT_FOUND) {
    *exists = st == DECC_OK;
    return DECC_OK;
  }
  /* the HEAD routes answer 400 for any other refusal */
  return decc_err_set(err, DECC_E_INVALID, "check secret: %s",
                      e.msg[0] ? e.msg : decc_strerror(st));
}

static decc_status l_challenge(void *self, const uint8_t taskid32[32],
                               const uint8_t pool_sk32[32],
                               decc_address *enclave,
                               char code[DECC_SMS_CODE_MAX], decc_err *err) {
  uint8_t h[32];
  char hdr[DECC_SIG_HEX_LEN];
  code[0] = 0;
  decc_sms_authorization_hash(h, NULL, taskid32, NULL);
  decc_status st = auth_header(hdr, pool_sk32, h, err);
  if (st)
    return st;
  decc_err e;
  decc_err_clear(&e);
  const char *c = NULL;
  st = decc_sms_enclave_challenge(self, taskid32, hdr, enclave, &c, &e);
  return local_result(st, 'c', "enclave challenge", c, code, &e, err);
}

static decc_status l_nonce(void *self, const uint8_t taskid32[32],
                           uint8_t nonce32[32], char code[DECC_SMS_CODE_MAX],
                           decc_err *err) {
  decc_err e;
  decc_err_clear(&e);
  const char *c = NULL;
  decc_status st =
      decc_sms_attestation_nonce(self, taskid32, nonce32, NULL, &c, &e);
  return local_result(st, 'n', "attestation nonce", c, code, &e, err);
}

static decc_status l_session(void *self, const decc_sms_session_request *r,
                             const uint8_t worker_sk32[32],
                             char session_id[DECC_SMS_SESSION_ID_LEN + 1],
                             uint8_t **sealed, size_t *sealed_len,
                             char code[DECC_SMS_CODE_MAX], decc_err *err) {
  *sealed = NULL;
  *sealed_len = 0;
  session_id[0] = 0;
  code[0] = 0;
  uint8_t h[32];
  char hdr[DECC_SIG_HEX_LEN];
  decc_sms_authorization_hash(h, &r->worker, r->task_id, &r->enclave_challenge);
  decc_status st = auth_header(hdr, worker_sk32, h, err);
  if (st)
    return st;
  decc_err e;
  decc_err_clear(&e);
  const char *c = NULL;
  st = decc_sms_release_session(self, r, hdr, session_id, sealed, sealed_len,
                                &c, &e);
  return local_result(st, 's', "session", c, code, &e, err);
}

static const decc_sms_client_vtable LOCAL_VT = {
    .name = "local",
    .push_web3 = l_push_web3,
    .push_web2 = l_push_web2,
    .push_app_secret = l_push_app,
    .push_requester_secret = l_push_req,
    .secret_exists = l_exists,
    .enclave_challenge = l_challenge,
    .nonce = l_nonce,
    .session = l_session,
    .destroy = NULL, /* the SMS is borrowed */
};

decc_status decc_sms_client_open_local(decc_sms_client **out, decc_sms *sms,
                                       decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(sms != NULL);
  *out = NULL;
  decc_status st = decc_sms_client_create(out, &LOCAL_VT, sms);
  return st ? decc_err_set(err, st, "out of memory") : DECC_OK;
}
