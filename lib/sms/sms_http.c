/*
 * sms_http.c — the SMS's HTTP routes (decc_sms_http_mount, decc/sms.h):
 * iExec's paths, query parameters, headers and status codes, mapped onto
 * the service core. Secret endpoints answer errors as iExec's
 * {"error":["…"]}; TEE endpoints as {"error":"<CODE>","message":"…"}, the
 * code being the refusal code of the core. Request parsing is strict and
 * bounded: malformed addresses, ids or bodies are 400 before the core
 * sees them.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/session.h"
#include "decc/sms.h"
#include "sms/sms_int.h"

/* Route body limit for secret pushes: larger than DECC_SECRET_MAX so the
 * core answers oversized secrets with its own 413 and message. */
#define PUSH_BODY_MAX (64u * 1024u)

static void send_json_error_list(decc_http_response *res, int status,
                                 const char *msg) {
  decc_buf b;
  decc_buf_init(&b, 0);
  if (decc_buf_append_str(&b, "{\"error\":[") ||
      decc_session_json_str(&b, msg, strlen(msg)) ||
      decc_buf_append_str(&b, "]}")) {
    decc_buf_clear(&b);
    (void)decc_http_res_error(res, 500, "out of memory");
    return;
  }
  size_t n = 0;
  uint8_t *p = decc_buf_steal(&b, &n);
  /* send_owned frees the body itself when it fails */
  (void)decc_http_res_send_owned(res, status, "application/json", p, n);
}

static void send_tee_error(decc_http_response *res, int status,
                           const char *code, const char *msg) {
  decc_buf b;
  decc_buf_init(&b, 0);
  if (decc_buf_append_str(&b, "{\"error\":") ||
      decc_session_json_str(&b, code, strlen(code)) ||
      decc_buf_append_str(&b, ",\"message\":") ||
      decc_session_json_str(&b, msg, strlen(msg)) ||
      decc_buf_append_str(&b, "}")) {
    decc_buf_clear(&b);
    (void)decc_http_res_error(res, 500, "out of memory");
    return;
  }
  size_t n = 0;
  uint8_t *p = decc_buf_steal(&b, &n);
  /* send_owned frees the body itself when it fails */
  (void)decc_http_res_send_owned(res, status, "application/json", p, n);
}

static void send_empty(decc_http_response *res, int status) {
  (void)decc_http_res_send(res, status, "text/plain", "", 0);
}

static int is_head(decc_http_request *req) {
  return !strcmp(decc_http_req_method(req), "HEAD");
}

/* Parses an address from a query or path value; answers 400 on failure. */
static int want_address(decc_http_request *req, decc_http_response *res,
                        const char *v, const char *what, decc_address *out) {
  if (v && decc_address_parse(out, v, NULL) == DECC_OK)
    return 1;
  if (is_head(req))
    send_empty(res, 400);
  else {
    char m[96];
    snprintf(m, sizeof m, "%s must be a 0x-prefixed 20-byte address", what);
    send_json_error_list(res, 400, m);
  }
  return 0;
}

static void push_reply(decc_http_response *res, decc_status st, char op,
                       const decc_err *err) {
  int code = decc_sms_http_status(st, op);
  if (code == 204)
    send_empty(res, 204);
  else
    send_json_error_list(res, code, err->msg[0] ? err->msg : decc_strerror(st));
}

static void head_reply(decc_http_response *res, decc_status st) {
  send_empty(res, st == DECC_OK ? 204 : st == DECC_E_NOT_FOUND ? 404 : 400);
}

/* ---- secrets ----------------------------------------------------------------- */

static void h_web3(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_sms *s = ctx;
  decc_address a;
  if (!want_address(req, res, decc_http_req_query(req, "secretAddress"),
                    "secretAddress", &a))
    return;
  decc_err err;
  decc_err_clear(&err);
  if (is_head(req)) {
    head_reply(res,
               decc_sms_secret_exists(s, DECC_SECRET_WEB3, &a, NULL, &err));
    return;
  }
  size_t n = 0;
  const uint8_t *body = decc_http_req_body(req, &n);
  decc_status st = decc_sms_push_web3(
      s, &a, (const char *)body, n, decc_http_req_header(req, "Authorization"),
      NULL, &err);
  push_reply(res, st, 'w', &err);
}

static void h_web2(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_sms *s = ctx;
  decc_address a;
  if (!want_address(req, res, decc_http_req_query(req, "ownerAddress"),
                    "ownerAddress", &a))
    return;
  const char *name = decc_http_req_query(req, "secretName");
  decc_err err;
  decc_err_clear(&err);
  if (!decc_sms_web2_name_valid(name)) {
    if (is_head(req))
      send_empty(res, 400);
    else
      send_json_error_list(res, 400,
                           "secretName must be 1..256 printable ASCII "
                           "characters");
    return;
  }
  if (is_head(req)) {
    head_reply(res,
               decc_sms_secret_exists(s, DECC_SECRET_WEB2, &a, name, &err));
    return;
  }
  int update = !strcmp(decc_http_req_method(req), "PUT");
  size_t n = 0;
  const uint8_t *body = decc_http_req_body(req, &n);
  decc_status st = decc_sms_push_web2(
      s, &a, name, (const char *)body, n, update,
      decc_http_req_header(req, "Authorization"), NULL, &err);
  push_reply(res, st, update ? 'u' : 'w', &err);
}

static void h_app(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_sms *s = ctx;
  decc_address a;
  if (!want_address(req, res, decc_http_req_param(req, "appAddress"),
                    "appAddress", &a))
    return;
  decc_err err;
  decc_err_clear(&err);
  if (is_head(req)) {
    head_reply(res,
               decc_sms_secret_exists(s, DECC_SECRET_APP_DEV, &a, NULL, &err));
    return;
  }
  size_t n = 0;
  const uint8_t *body = decc_http_req_body(req, &n);
  decc_status st = decc_sms_push_app_secret(
      s, &a, (const char *)body, n, decc_http_req_header(req, "Authorization"),
      NULL, &err);
  push_reply(res, st, 'w', &err);
}

static void h_requester(void *ctx, decc_http_request *req,
                        decc_http_response *res) {
  decc_sms *s = ctx;
  decc_address a;
  if (!want_address(req, res, decc_http_req_param(req, "requester"),
                    "requester", &a))
    return;
  const char *key = decc_http_req_param(req, "secretKey");
  decc_err err;
  decc_err_clear(&err);
  if (!decc_sms_requester_key_valid(key)) {
    if (is_head(req))
      send_empty(res, 400);
    else
      send_json_error_list(res, 400,
                           "secret key must match ^[a-zA-Z0-9-_]{1,64}$");
    return;
  }
  if (is_head(req)) {
    head_reply(res,
               decc_sms_secret_exists(s, DECC_SECRET_REQUESTER, &a, key, &err));
    return;
  }
  size_t n = 0;
  const uint8_t *body = decc_http_req_body(req, &n);
  decc_status st = decc_sms_push_requester_secret(
      s, &a, key, (const char *)body, n,
      decc_http_req_header(req, "Authorization"), NULL, &err);
  push_reply(res, st, 'w', &err);
}

/* ---- TEE ---------------------------------------------------------------------- */

static int want_task(decc_http_response *res, const char *v, uint8_t task[32]) {
  if (v && decc_hex_decode_exact(task, 32, v, "taskId", NULL) == DECC_OK)
    return 1;
  send_tee_error(res, 400, "INVALID_TASK_ID",
                 "task id must be 0x + 64 hex digits");
  return 0;
}

static void h_challenge(void *ctx, decc_http_request *req,
                        decc_http_response *res) {
  decc_sms *s = ctx;
  uint8_t task[32];
  if (!want_task(res, decc_http_req_param(req, "taskId"), task))
    return;
  decc_err err;
  decc_err_clear(&err);
  const char *code = NULL;
  decc_address e;
  decc_status st = decc_sms_enclave_challenge(
      s, task, decc_http_req_header(req, "Authorization"), &e, &code, &err);
  if (st) {
    send_tee_error(res, decc_sms_http_status(st, 'c'), code ? code : "ERROR",
                   err.msg);
    return;
  }
  char a[DECC_ADDRESS_HEX_LEN];
  decc_address_to_hex(a, &e);
  (void)decc_http_res_send(res, 200, "text/plain", a, strlen(a));
}

static void h_nonce(void *ctx, decc_http_request *req,
                    decc_http_response *res) {
  decc_sms *s = ctx;
  uint8_t task[32], nonce[32];
  if (!want_task(res, decc_http_req_param(req, "taskId"), task))
    return;
  decc_err err;
  decc_err_clear(&err);
  const char *code = NULL;
  uint64_t exp = 0;
  decc_status st =
      decc_sms_attestation_nonce(s, task, nonce, &exp, &code, &err);
  if (st) {
    send_tee_error(res, decc_sms_http_status(st, 'n'), code ? code : "ERROR",
                   err.msg);
    return;
  }
  char hx[DECC_HEX32_LEN], body[160];
  int n = snprintf(body, sizeof body,
                   "{\"data\":{\"nonce\":\"%s\",\"expiresAt\":%llu}}",
                   decc_hex_encode(hx, nonce, 32, 1), (unsigned long long)exp);
  (void)decc_http_res_send(res, 200, "application/json", body, (size_t)n);
}

static void h_session(void *ctx, decc_http_request *req,
                      decc_http_response *res) {
  decc_sms *s = ctx;
  size_t n = 0;
  const uint8_t *body = decc_http_req_body(req, &n);
  decc_err err;
  decc_err_clear(&err);
  decc_sms_session_request r;
  if (decc_sms_session_request_parse(&r, (const char *)body, n, &err)) {
    send_tee_error(res, 400, "INVALID_SESSION_REQUEST", err.msg);
    return;
  }
  const char *code = NULL;
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *sealed = NULL;
  size_t sl = 0;
  decc_status st = decc_sms_release_session(
      s, &r, decc_http_req_header(req, "Authorization"), sid, &sealed, &sl,
      &code, &err);
  if (st) {
    send_tee_error(res, decc_sms_http_status(st, 's'), code ? code : "ERROR",
                   err.msg);
    return;
  }
  decc_buf b;
  decc_buf_init(&b, 0);
  size_t b64n = decc_base64_encoded_len(sl);
  uint8_t *p = NULL;
  st = decc_buf_printf(&b,
                       "{\"data\":{\"sessionId\":\"%s\","
                       "\"secretProvisioningUrl\":\"\",\"sealedSession\":\"",
                       sid);
  if (!st)
    st = decc_buf_extend(&b, b64n, &p);
  if (!st) {
    decc_base64_encode((char *)p, sealed,
                       sl); /* the NUL lands on the buffer's own terminator */
    st = decc_buf_append_str(&b, "\"}}");
  }
  decc_free(sealed);
  if (st) {
    decc_buf_clear(&b);
    send_tee_error(res, 500, "SECURE_SESSION_GENERATION_FAILED",
                   "out of memory");
    return;
  }
  size_t len = 0;
  uint8_t *out = decc_buf_steal(&b, &len);
  (void)decc_http_res_send_owned(res, 200, "application/json", out, len);
}

static void h_framework(void *ctx, decc_http_request *req,
                        decc_http_response *res) {
  (void)ctx;
  (void)req;
  (void)decc_http_res_json(res, 200, "\"" DECC_SMS_FRAMEWORK "\"");
}

/* ---- mount ------------------------------------------------------------------- */

decc_status decc_sms_http_mount(decc_sms *s, decc_http_server *srv,
                                const char *prefix) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(srv != NULL);
  static const struct {
    const char *method, *path;
    decc_http_handler fn;
    size_t limit;
  } R[] = {
      {"HEAD", "/secrets/web3", h_web3, 0},
      {"POST", "/secrets/web3", h_web3, PUSH_BODY_MAX},
      {"HEAD", "/secrets/web2", h_web2, 0},
      {"POST", "/secrets/web2", h_web2, PUSH_BODY_MAX},
      {"PUT", "/secrets/web2", h_web2, PUSH_BODY_MAX},
      {"HEAD", "/apps/{appAddress}/secrets", h_app, 0},
      {"POST", "/apps/{appAddress}/secrets", h_app, PUSH_BODY_MAX},
      {"HEAD", "/requesters/{requester}/secrets/{secretKey}", h_requester, 0},
      {"POST", "/requesters/{requester}/secrets/{secretKey}", h_requester,
       PUSH_BODY_MAX},
      {"POST", "/tee/challenges/{taskId}", h_challenge, 1024},
      {"POST", "/tee/nonces/{taskId}", h_nonce, 1024},
      {"POST", "/tee/sessions", h_session, DECC_SMS_SESSION_REQUEST_MAX},
      {"GET", "/tee/framework", h_framework, 0},
  };
  if (!prefix)
    prefix = "";
  if (strlen(prefix) > 128)
    return DECC_E_INVALID;
  for (size_t i = 0; i < sizeof R / sizeof R[0]; i++) {
    char pat[256];
    snprintf(pat, sizeof pat, "%s%s", prefix, R[i].path);
    /* A release waits for its receipt's fdatasync: on the handler pool,
     * that wait does not hold the other connections of its MHD thread, and
     * concurrent releases share one sync (decc_http_route_blocking). */
    decc_status st = R[i].fn == h_session
                         ? decc_http_route_blocking(srv, R[i].method, pat,
                                                    R[i].fn, s, R[i].limit)
                         : decc_http_route_limit(srv, R[i].method, pat, R[i].fn,
                                                 s, R[i].limit);
    if (st)
      return st;
  }
  return DECC_OK;
}

/* ---- HTTP statuses of the service's answers ------------------------------ */

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
