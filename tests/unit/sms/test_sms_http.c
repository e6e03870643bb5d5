/*
 * test_sms_http.c — the SMS over a real HTTP server on 127.0.0.1 (port 0)
 * with decc's client and raw requests: the §1.9 vector through
 * POST /secrets/web3 exactly as the SDK sends it, every endpoint's happy
 * path, the scheduler → enclave → worker session flow, and the attacks as
 * the status codes and JSON reasons a remote caller sees, including
 * malformed bodies and headers, and an outsider's flood of nonce requests
 * that does not stop the worker's session.
 */
#include "decc/http.h"
#include "decc/http_client.h"
#include "sms/sms_int.h"
#include "sms_fixture.h"

typedef struct srv {
  fx f;
  decc_http_server *http;
  char url[64];
} srv;

static int srv_start(srv *s) {
  if (fx_init(&s->f))
    return -1;
  decc_http_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.threads = 2;
  if (decc_http_server_create(&s->http, &cfg) ||
      decc_sms_http_mount(s->f.sms, s->http, "") ||
      decc_http_server_start(s->http, NULL))
    return -1;
  snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u",
           (unsigned)decc_http_server_port(s->http));
  return 0;
}

static void srv_stop(srv *s) {
  decc_http_server_destroy(s->http);
  fx_free(&s->f);
}

/* Raw request: returns the HTTP status, body in *body (free) if wanted. */
static long raw(srv *s, const char *method, const char *path, const char *auth,
                const char *body, size_t n, char **out) {
  char url[512], ah[200];
  snprintf(url, sizeof url, "%s%s", s->url, path);
  const char *h[3] = {NULL, NULL, NULL};
  int nh = 0;
  if (auth) {
    snprintf(ah, sizeof ah, "Authorization: %s", auth);
    h[nh++] = ah;
  }
  h[nh++] = "Content-Type: text/plain";
  decc_http_reply r;
  decc_err err;
  if (decc_http_fetch(&r, method, url, h, body, n, 0, 5000, &err) != DECC_OK) {
    decc_buf_clear(&r.body);
    return -1;
  }
  if (out)
    *out = strdup(r.body.data ? (const char *)r.body.data : "");
  decc_buf_clear(&r.body);
  return r.status;
}

TEST(http_web3_vector_exactly_as_the_sdk_sends_it) {
  srv s;
  ASSERT_EQ(srv_start(&s), 0);
  const char *v = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";
  const char *sig =
      "0xbe0fe3093ef7b1996d7b247e379328a66affaa541a6cdddf15c88acf8d388b6e"
      "0e7b8554189db21a7f49b05fc2767f28dce2ae0c7992b376cad55c2ab636d1cd1c";
  const char *path =
      "/secrets/web3?secretAddress=0x2222222222222222222222222222222222222222";
  ASSERT_EQ(raw(&s, "HEAD", path, NULL, NULL, 0, NULL), 404);
  ASSERT_EQ(raw(&s, "POST", path, sig, v, strlen(v), NULL), 204);
  ASSERT_EQ(raw(&s, "HEAD", path, NULL, NULL, 0, NULL), 204);
  char *body = NULL;
  ASSERT_EQ(raw(&s, "POST", path, sig, v, strlen(v), &body), 409);
  ASSERT(strstr(body, "{\"error\":[") == body);
  free(body);
  srv_stop(&s);
}

TEST(http_client_pushes_and_checks_every_secret_kind) {
  srv s;
  ASSERT_EQ(srv_start(&s), 0);
  fx *f = &s.f;
  decc_err err;
  int ex = -1;
  ASSERT_OK(decc_sms_client_push_web3(s.url, &f->dataset, "k", 1,
                                      f->sk[K_DS_OWNER], &err));
  ASSERT_EQ(decc_sms_client_push_web3(s.url, &f->dataset, "k", 1,
                                      f->sk[K_DS_OWNER], &err),
            DECC_E_EXISTS);
  ASSERT(strstr(err.msg, "409") != NULL);
  ASSERT_OK(decc_sms_client_check(s.url, DECC_SECRET_WEB3, &f->dataset, NULL,
                                  &ex, &err));
  ASSERT_EQ(ex, 1);
  ASSERT_EQ(decc_sms_client_push_web2(s.url, "Name With Space?", "v", 1, 0,
                                      f->sk[K_REQ], &err),
            DECC_E_INVALID);
  ASSERT_OK(decc_sms_client_push_web2(s.url, "My&Name=x", "v1", 2, 0,
                                      f->sk[K_REQ], &err));
  ASSERT_OK(decc_sms_client_check(s.url, DECC_SECRET_WEB2, &f->who[K_REQ],
                                  "my&name=X", &ex, &err));
  ASSERT_EQ(ex, 1);
  ASSERT_OK(decc_sms_client_push_web2(s.url, "my&name=x", "v2", 2, 1,
                                      f->sk[K_REQ], &err));
  ASSERT_EQ(decc_sms_client_push_web2(s.url, "absent", "v2", 2, 1, f->sk[K_REQ],
                                      &err),
            DECC_E_NOT_FOUND);
  ASSERT_OK(decc_sms_client_push_app_secret(s.url, &f->app, "dev", 3,
                                            f->sk[K_APP_OWNER], &err));
  ASSERT_EQ(decc_sms_client_push_app_secret(s.url, &f->app, "dev", 3,
                                            f->sk[K_OTHER], &err),
            DECC_E_BAD_SIGNATURE);
  ASSERT_OK(decc_sms_client_check(s.url, DECC_SECRET_APP_DEV, &f->app, NULL,
                                  &ex, &err));
  ASSERT_EQ(ex, 1);
  ASSERT_OK(decc_sms_client_push_requester_secret(s.url, "tok", "r", 1,
                                                  f->sk[K_REQ], &err));
  ASSERT_OK(decc_sms_client_check(s.url, DECC_SECRET_REQUESTER, &f->who[K_REQ],
                                  "tok", &ex, &err));
  ASSERT_EQ(ex, 1);
  ASSERT_OK(decc_sms_client_check(s.url, DECC_SECRET_REQUESTER, &f->who[K_REQ],
                                  "nope", &ex, &err));
  ASSERT_EQ(ex, 0);
  /* GET /tee/framework */
  char *body = NULL;
  ASSERT_EQ(raw(&s, "GET", "/tee/framework", NULL, NULL, 0, &body), 200);
  ASSERT_STR_EQ(body, "\"TDX\"");
  free(body);
  srv_stop(&s);
}

TEST(http_full_session_flow_scheduler_enclave_worker) {
  srv s;
  ASSERT_EQ(srv_start(&s), 0);
  fx *f = &s.f;
  decc_err err;
  const char *dk = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";
  ASSERT_OK(decc_sms_client_push_web3(s.url, &f->dataset, dk, strlen(dk),
                                      f->sk[K_DS_OWNER], &err));
  ASSERT_OK(decc_sms_client_push_requester_secret(s.url, "my-token", "rsv", 3,
                                                  f->sk[K_REQ], &err));
  /* scheduler */
  decc_address ch, ch2;
  ASSERT_OK(decc_sms_client_enclave_challenge(s.url, f->task, f->sk[K_POOL],
                                              &ch, &err));
  ASSERT_OK(decc_sms_client_enclave_challenge(s.url, f->task, f->sk[K_POOL],
                                              &ch2, &err));
  ASSERT(decc_address_eq(&ch, &ch2));
  ASSERT_EQ(decc_sms_client_enclave_challenge(s.url, f->task, f->sk[K_OTHER],
                                              &ch2, &err),
            DECC_E_BAD_SIGNATURE);
  decc_sms_session_request r;
  memset(&r, 0, sizeof r);
  ASSERT_OK(decc_sms_authorize_worker(&r, f->sk[K_POOL], f->task, f->deal, 0,
                                      &f->who[K_WORKER], &ch));
  /* enclave */
  uint8_t pk[32], sk[32];
  ASSERT_OK(decc_enclave_keypair(pk, sk));
  ASSERT_OK(decc_sms_client_nonce(s.url, f->task, r.quote.nonce, &err));
  memcpy(r.quote.measurement, f->app_sum, 32);
  memcpy(r.quote.enclave_pubkey, pk, 32);
  memcpy(r.quote.task_id, f->task, 32);
  r.quote.timestamp = g_fx_clock;
  ASSERT_OK(decc_quote_sign(&r.quote, f->sk[K_PLATFORM]));
  /* worker relays */
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *box = NULL;
  size_t bl = 0;
  ASSERT_OK(decc_sms_client_session(s.url, &r, f->sk[K_WORKER], sid, &box, &bl,
                                    &err));
  ASSERT_EQ(strlen(sid), DECC_SMS_SESSION_ID_LEN);
  char *txt = NULL;
  size_t n = 0;
  ASSERT_OK(decc_sms_session_open(&txt, &n, box, bl, pk, sk));
  json_error_t je;
  json_t *doc = json_loadb(txt, n, 0, &je);
  ASSERT(doc != NULL);
  ASSERT_STR_EQ(json_string_value(json_object_get(doc, "name")), sid);
  ASSERT_STR_EQ(fx_env(doc, "pre-compute", "IEXEC_DATASET_KEY"), dk);
  ASSERT_STR_EQ(fx_env(doc, "app", "IEXEC_REQUESTER_SECRET_1"), "rsv");
  json_decref(doc);
  decc_secure_free(txt);
  decc_free(box);
  /* replay of the same request: 401 with the reason */
  ASSERT_EQ(
      decc_sms_client_session(s.url, &r, f->sk[K_WORKER], sid, &box, &bl, &err),
      DECC_E_DENIED);
  ASSERT(strstr(err.msg, "ATTESTATION_NONCE_UNKNOWN") != NULL);
  srv_stop(&s);
}

TEST(http_attacks_answer_401_with_the_reason) {
  srv s;
  ASSERT_EQ(srv_start(&s), 0);
  fx *f = &s.f;
  decc_err err;
  fx_enclave e;
  decc_status st;
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *box = NULL;
  size_t bl = 0;
  /* measurement mismatch */
  ASSERT_EQ(fx_prepare(f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  e.req.quote.measurement[31] ^= 1;
  ASSERT_EQ(fx_resign_quote(f, &e, K_PLATFORM), 0);
  ASSERT_EQ(decc_sms_client_session(s.url, &e.req, f->sk[K_WORKER], sid, &box,
                                    &bl, &err),
            DECC_E_DENIED);
  ASSERT(strstr(err.msg, "401") && strstr(err.msg, "MEASUREMENT_MISMATCH"));
  /* untrusted platform */
  ASSERT_EQ(fx_prepare(f, &e, K_OTHER, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(decc_sms_client_session(s.url, &e.req, f->sk[K_WORKER], sid, &box,
                                    &bl, &err),
            DECC_E_DENIED);
  ASSERT(strstr(err.msg, "ATTESTATION_UNTRUSTED_PLATFORM") != NULL);
  /* worker not authorized by the pool owner */
  ASSERT_EQ(fx_prepare(f, &e, K_PLATFORM, K_OTHER, K_WORKER, &st), 0);
  ASSERT_EQ(decc_sms_client_session(s.url, &e.req, f->sk[K_WORKER], sid, &box,
                                    &bl, &err),
            DECC_E_BAD_SIGNATURE);
  ASSERT(strstr(err.msg, "INVALID_SIGNATURE") != NULL);
  /* task completed */
  ASSERT_EQ(fx_prepare(f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_set_task_status(f, DECC_SMS_TASK_COMPLETED), 0);
  ASSERT_EQ(decc_sms_client_session(s.url, &e.req, f->sk[K_WORKER], sid, &box,
                                    &bl, &err),
            DECC_E_DENIED);
  ASSERT(strstr(err.msg, "TASK_NOT_ACTIVE") != NULL);
  ASSERT_EQ(decc_sms_client_nonce(s.url, f->task, e.req.quote.nonce, &err),
            DECC_E_DENIED);
  ASSERT(box == NULL);
  /* non-owner pushing a dataset key */
  ASSERT_EQ(decc_sms_client_push_web3(s.url, &f->dataset, "k", 1,
                                      f->sk[K_OTHER], &err),
            DECC_E_BAD_SIGNATURE);
  srv_stop(&s);
}

TEST(http_malformed_requests_are_400_401_413_never_a_crash) {
  srv s;
  ASSERT_EQ(srv_start(&s), 0);
  fx *f = &s.f;
  char *body = NULL;
  const char *web3 =
      "/secrets/web3?secretAddress=0x2222222222222222222222222222222222222222";
  /* headers: missing, not hex, wrong length, a valid signature of junk */
  ASSERT_EQ(raw(&s, "POST", web3, NULL, "k", 1, &body), 401);
  ASSERT(strstr(body, "Authorization") != NULL);
  free(body);
  ASSERT_EQ(raw(&s, "POST", web3, "0xzz", "k", 1, NULL), 401);
  ASSERT_EQ(raw(&s, "POST", web3, "0x1234", "k", 1, NULL), 401);
  ASSERT_EQ(raw(&s, "POST", web3, "not even hex at all", "k", 1, NULL), 401);
  /* addresses and names */
  ASSERT_EQ(
      raw(&s, "POST", "/secrets/web3?secretAddress=0x12", "0x", "k", 1, NULL),
      400);
  ASSERT_EQ(raw(&s, "POST", "/secrets/web3", "0x", "k", 1, NULL), 400);
  ASSERT_EQ(
      raw(&s, "HEAD", "/secrets/web3?secretAddress=zz", NULL, NULL, 0, NULL),
      400);
  ASSERT_EQ(raw(&s, "POST",
                "/secrets/web2?ownerAddress=0x2222222222222222222222222222222"
                "222222222",
                "0x", "k", 1, NULL),
            400);
  ASSERT_EQ(raw(&s, "POST",
                "/requesters/0x2222222222222222222222222222222222222222/"
                "secrets/bad%20key",
                "0x", "k", 1, &body),
            400);
  ASSERT(strstr(body, "[a-zA-Z0-9-_]") != NULL);
  free(body);
  ASSERT_EQ(raw(&s, "HEAD",
                "/requesters/0x2222222222222222222222222222222222222222/"
                "secrets/bad.key",
                NULL, NULL, 0, NULL),
            400);
  /* oversized secret: 413 from the core (4097) and from the server (1 MiB) */
  char *big = malloc(1 << 20);
  memset(big, 'a', 1 << 20);
  ASSERT_EQ(raw(&s, "POST", web3, "0x", big, 4097, &body), 413);
  ASSERT(strstr(body, "4096") != NULL);
  free(body);
  ASSERT_EQ(raw(&s, "POST", web3, "0x", big, 1 << 20, NULL), 413);
  /* sessions: malformed JSON bodies */
  static const char *bodies[] = {"",
                                 "{",
                                 "[]",
                                 "null",
                                 "{\"chainTaskId\":5}",
                                 "{\"chainTaskId\":\"0x00\",\"quote\":{}}"};
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    ASSERT_EQ(raw(&s, "POST", "/tee/sessions", "0x", bodies[i],
                  strlen(bodies[i]), &body),
              400);
    ASSERT(strstr(body, "INVALID_SESSION_REQUEST") != NULL);
    free(body);
  }
  ASSERT_EQ(raw(&s, "POST", "/tee/sessions", "0x", big,
                DECC_SMS_SESSION_REQUEST_MAX + 1, NULL),
            413);
  free(big);
  /* a well-formed request with a garbage worker header */
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  char *json = NULL;
  ASSERT_OK(decc_sms_session_request_to_json(&json, &e.req));
  ASSERT_EQ(
      raw(&s, "POST", "/tee/sessions", "garbage", json, strlen(json), &body),
      401);
  ASSERT(strstr(body, "INVALID_WORKER_SIGNATURE") != NULL);
  free(body);
  decc_free(json);
  /* task ids */
  ASSERT_EQ(raw(&s, "POST", "/tee/challenges/0x1234", "0x", NULL, 0, NULL),
            400);
  ASSERT_EQ(raw(&s, "POST", "/tee/nonces/xyz", NULL, NULL, 0, NULL), 400);
  char path[128];
  snprintf(path, sizeof path, "/tee/challenges/0x%064d", 7);
  ASSERT_EQ(raw(&s, "POST", path, "0x", NULL, 0, &body), 404);
  ASSERT(strstr(body, "GET_CHAIN_TASK_FAILED") != NULL);
  free(body);
  /* routes and methods */
  ASSERT_EQ(raw(&s, "GET", "/secrets/web3", NULL, NULL, 0, NULL), 405);
  ASSERT_EQ(raw(&s, "POST", "/nope", NULL, NULL, 0, NULL), 404);
  srv_stop(&s);
}

TEST(http_outsider_nonce_flood_then_the_worker_session) {
  srv s;
  ASSERT_EQ(srv_start(&s), 0);
  fx *f = &s.f;
  decc_err err;
  const char *dk = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";
  ASSERT_OK(decc_sms_client_push_web3(s.url, &f->dataset, dk, strlen(dk),
                                      f->sk[K_DS_OWNER], &err));
  /* An outsider, unauthenticated, asks for 200 nonces for the public task
   * id (the old per-task table held 16 and answered 429 past them). */
  char path[128], th[67];
  snprintf(path, sizeof path, "/tee/nonces/%s",
           decc_hex_encode(th, f->task, 32, 1));
  int ok = 0;
  for (int i = 0; i < 200; i++)
    ok += raw(&s, "POST", path, NULL, NULL, 0, NULL) == 200;
  ASSERT_EQ(ok, 200);
  /* The worker's flow (nonce, quote, session) still goes through. */
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_OK(decc_sms_client_nonce(s.url, f->task, e.req.quote.nonce, &err));
  ASSERT_EQ(fx_resign_quote(f, &e, K_PLATFORM), 0);
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *box = NULL;
  size_t bl = 0;
  ASSERT_OK(decc_sms_client_session(s.url, &e.req, f->sk[K_WORKER], sid, &box,
                                    &bl, &err));
  char *txt = NULL;
  size_t n = 0;
  ASSERT_OK(decc_sms_session_open(&txt, &n, box, bl, e.pk, e.sk));
  ASSERT(strstr(txt, dk) != NULL);
  decc_secure_free(txt);
  decc_free(box);
  srv_stop(&s);
}
