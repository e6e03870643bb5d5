/*
 * sms_client.c — the SMS client (decc/sms.h): what the SDK's sms/push.js,
 * the scheduler and the worker send to an SMS, over decc's libcurl client.
 * Each call signs the exact iExec challenge, sends iExec's request shape
 * and turns the answer (status + iExec error body) back into a decc_status
 * with the server's reason.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "sms/sms_int.h"

#define REPLY_MAX (2u << 20)
#define TIMEOUT_MS 30000

/* The server's reason from an iExec error body: {"error":["…"]} or
 * {"error":"CODE","message":"…"}; empty when none. */
static void server_reason(const decc_http_reply *r, char *out, size_t cap,
                          int *sig) {
  out[0] = 0;
  *sig = 0;
  json_error_t je;
  json_t *j = r->body.len ? json_loadb((const char *)r->body.data, r->body.len,
                                       0, &je)
                          : NULL;
  json_t *e = json_object_get(j, "error");
  if (json_is_array(e) && json_is_string(json_array_get(e, 0))) {
    snprintf(out, cap, "%s", json_string_value(json_array_get(e, 0)));
  } else if (json_is_string(e)) {
    const char *m = json_string_value(json_object_get(j, "message"));
    snprintf(out, cap, "%s%s%s", json_string_value(e), m ? ": " : "",
             m ? m : "");
  }
  *sig = strstr(out, "SIGNATURE") != NULL || strstr(out, "signature") != NULL;
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
  decc_status st;
  switch (r->status) {
  case 400:
    st = DECC_E_INVALID;
    break;
  case 401:
  case 403:
    st = sig ? DECC_E_BAD_SIGNATURE : DECC_E_DENIED;
    break;
  case 404:
    st = DECC_E_NOT_FOUND;
    break;
  case 409:
    st = DECC_E_EXISTS;
    break;
  case 413:
  case 429:
    st = DECC_E_LIMIT;
    break;
  default:
    st = r->status >= 500 ? DECC_E_INTERNAL : DECC_E_NETWORK;
  }
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

static void sig_hex(char out[133], const uint8_t sig[65]) {
  decc_hex_encode(out, sig, 65, 1);
}

static decc_status push(const char *base, const char *method, const char *path,
                        const uint8_t ch[32], const uint8_t sk32[32],
                        const char *value, size_t len, const char *what,
                        decc_err *err) {
  uint8_t sig[65];
  char sh[133];
  if (decc_sms_sign_challenge(sig, sk32, ch) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  sig_hex(sh, sig);
  decc_http_reply rep;
  decc_status st = call(&rep, method, base, path, sh, "text/plain", value, len,
                        err);
  if (!st)
    st = map_reply(&rep, what, err);
  decc_buf_clear(&rep.body);
  return st;
}

decc_status decc_sms_client_push_web3(const char *base,
                                      const decc_address *dataset,
                                      const char *value, size_t len,
                                      const uint8_t sk32[32], decc_err *err) {
  uint8_t ch[32];
  char a[43], path[96];
  decc_sms_web3_challenge(ch, dataset, value, len);
  snprintf(path, sizeof path, "/secrets/web3?secretAddress=%s",
           decc_address_to_checksum(a, dataset));
  return push(base, "POST", path, ch, sk32, value, len, "push dataset key",
              err);
}

decc_status decc_sms_client_push_web2(const char *base, const char *name,
                                      const char *value, size_t len, int update,
                                      const uint8_t sk32[32], decc_err *err) {
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
  char a[43];
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
  uint8_t ch[32];
  char a[43], path[96];
  decc_sms_web2_challenge(ch, app, DECC_SMS_APP_SECRET_INDEX, 1, value, len);
  snprintf(path, sizeof path, "/apps/%s/secrets",
           decc_address_to_checksum(a, app));
  return push(base, "POST", path, ch, sk32, value, len,
              "push app developer secret", err);
}

decc_status decc_sms_client_push_requester_secret(const char *base,
                                                  const char *key,
                                                  const char *value,
                                                  size_t len,
                                                  const uint8_t sk32[32],
                                                  decc_err *err) {
  if (!decc_sms_requester_key_valid(key))
    return decc_err_set(err, DECC_E_INVALID,
                        "secret key must match ^[a-zA-Z0-9-_]{1,64}$");
  decc_address owner;
  if (decc_address_from_privkey(&owner, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  uint8_t ch[32];
  decc_sms_web2_challenge(ch, &owner, key, strlen(key), value, len);
  char a[43], path[160];
  snprintf(path, sizeof path, "/requesters/%s/secrets/%s",
           decc_address_to_checksum(a, &owner), key);
  return push(base, "POST", path, ch, sk32, value, len,
              "push requester secret", err);
}

decc_status decc_sms_client_check(const char *base, decc_secret_kind kind,
                                  const decc_address *owner, const char *name,
                                  int *exists, decc_err *err) {
  *exists = 0;
  char a[43];
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
      st = decc_buf_printf(&path,
                           "/secrets/web2?ownerAddress=%s&secretName=%s", a,
                           en);
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

decc_status decc_sms_client_enclave_challenge(const char *base,
                                              const uint8_t taskid32[32],
                                              const uint8_t pool_sk32[32],
                                              decc_address *enclave,
                                              decc_err *err) {
  uint8_t h[32], sig[65];
  char sh[133], th[67], path[96];
  decc_sms_authorization_hash(h, NULL, taskid32, NULL);
  if (decc_sms_sign_challenge(sig, pool_sk32, h) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  sig_hex(sh, sig);
  snprintf(path, sizeof path, "/tee/challenges/%s",
           decc__sms_hex32(th, taskid32));
  decc_http_reply rep;
  decc_status st = call(&rep, "POST", base, path, sh, NULL, NULL, 0, err);
  if (!st)
    st = map_reply(&rep, "enclave challenge", err);
  if (!st && decc_address_parse(enclave, (const char *)rep.body.data, NULL) !=
                 DECC_OK)
    st = decc_err_set(err, DECC_E_PARSE,
                      "enclave challenge: the SMS did not answer an address");
  decc_buf_clear(&rep.body);
  return st;
}

decc_status decc_sms_client_nonce(const char *base, const uint8_t taskid32[32],
                                  uint8_t nonce32[32], decc_err *err) {
  char th[67], path[96];
  snprintf(path, sizeof path, "/tee/nonces/%s", decc__sms_hex32(th, taskid32));
  decc_http_reply rep;
  decc_status st = call(&rep, "POST", base, path, NULL, NULL, NULL, 0, err);
  if (!st)
    st = map_reply(&rep, "attestation nonce", err);
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

decc_status decc_sms_client_session(const char *base,
                                    const decc_sms_session_request *r,
                                    const uint8_t worker_sk32[32],
                                    char session_id[DECC_SMS_SESSION_ID_LEN + 1],
                                    uint8_t **sealed, size_t *sealed_len,
                                    decc_err *err) {
  *sealed = NULL;
  *sealed_len = 0;
  session_id[0] = 0;
  uint8_t h[32], sig[65];
  char sh[133];
  decc_sms_authorization_hash(h, &r->worker, r->task_id, &r->enclave_challenge);
  if (decc_sms_sign_challenge(sig, worker_sk32, h) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  sig_hex(sh, sig);
  char *body = NULL;
  if (decc_sms_session_request_to_json(&body, r) != DECC_OK)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_http_reply rep;
  decc_status st = call(&rep, "POST", base, "/tee/sessions", sh,
                        "application/json", body, strlen(body), err);
  decc_free(body);
  if (!st)
    st = map_reply(&rep, "session", err);
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
