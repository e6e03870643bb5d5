/*
 * test_sms_client.c — the SMS client interface (decc/sms_client.h): one
 * scenario (every push kind, checks, refusals, enclave challenge, nonce,
 * session release and its refusals) run through the "local" backend over
 * an SMS of this process and through the "http" backend over an identical
 * SMS served on 127.0.0.1 by decc_sms_http_mount. Each step's status,
 * refusal code and result are written to a trace; the two traces must be
 * equal, and the local one is also checked against what the SMS must
 * answer, so that two backends wrong in the same way still fail.
 */
#include "decc/http.h"
#include "decc/sms_client.h"
#include "sms_fixture.h"

typedef struct trace {
  char text[8192];
  size_t len;
} trace;

static void step(trace *t, const char *name, decc_status st, const char *code,
                 const char *extra) {
  int n =
      snprintf(t->text + t->len, sizeof t->text - t->len, "%s: %s%s%s%s%s\n",
               name, decc_status_name(st), code && *code ? " " : "",
               code ? code : "", extra ? " " : "", extra ? extra : "");
  if (n > 0 && (size_t)n < sizeof t->text - t->len)
    t->len += (size_t)n;
}

static const char DS_KEY[] = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";

/* A quote for nonce, from platform key `platform`, into e (fx_prepare's
 * steps without the SMS calls, which go through the client here). */
static int make_request(fx *f, fx_enclave *e, const decc_address *challenge,
                        const uint8_t nonce[32], int platform) {
  memset(e, 0, sizeof *e);
  e->challenge = *challenge;
  decc_quote *q = &e->req.quote;
  memcpy(q->nonce, nonce, 32);
  if (decc_enclave_keypair(e->pk, e->sk))
    return -1;
  memcpy(q->measurement, f->app_sum, 32);
  memcpy(q->enclave_pubkey, e->pk, 32);
  memcpy(q->task_id, f->task, 32);
  q->timestamp = g_fx_clock;
  if (decc_quote_sign(q, f->sk[platform]))
    return -1;
  return decc_sms_authorize_worker(&e->req, f->sk[K_POOL], f->task, f->deal, 0,
                                   &f->who[K_WORKER], challenge) == DECC_OK
             ? 0
             : -1;
}

/* The scenario. Results that differ by nature between two SMS instances
 * (random enclave keys, nonces, session ids) are recorded by property. */
static void scenario(fx *f, decc_sms_client *c, trace *t) {
  decc_err err;
  decc_status st;
  int ex = -1;
  char x[256], code[DECC_SMS_CODE_MAX];

  st = decc_smsc_secret_exists(c, DECC_SECRET_WEB3, &f->dataset, NULL, &ex,
                               &err);
  snprintf(x, sizeof x, "exists=%d", ex);
  step(t, "web3 absent", st, NULL, x);
  step(t, "web3 push",
       decc_smsc_push_web3(c, &f->dataset, DS_KEY, strlen(DS_KEY),
                           f->sk[K_DS_OWNER], &err),
       NULL, NULL);
  step(t, "web3 again",
       decc_smsc_push_web3(c, &f->dataset, DS_KEY, strlen(DS_KEY),
                           f->sk[K_DS_OWNER], &err),
       NULL, NULL);
  step(t, "web3 not owner",
       decc_smsc_push_web3(c, &f->dataset2, "k", 1, f->sk[K_OTHER], &err), NULL,
       NULL);
  st = decc_smsc_secret_exists(c, DECC_SECRET_WEB3, &f->dataset, NULL, &ex,
                               &err);
  snprintf(x, sizeof x, "exists=%d", ex);
  step(t, "web3 present", st, NULL, x);

  step(
      t, "web2 bad name",
      decc_smsc_push_web2(c, "Name With Space?", "v", 1, 0, f->sk[K_REQ], &err),
      NULL, NULL);
  step(t, "web2 update absent",
       decc_smsc_push_web2(c, "tok", "v", 1, 1, f->sk[K_REQ], &err), NULL,
       NULL);
  step(t, "web2 create",
       decc_smsc_push_web2(c, "tok", "v1", 2, 0, f->sk[K_REQ], &err), NULL,
       NULL);
  step(t, "web2 create again",
       decc_smsc_push_web2(c, "tok", "v1", 2, 0, f->sk[K_REQ], &err), NULL,
       NULL);
  step(t, "web2 update",
       decc_smsc_push_web2(c, "tok", "v2", 2, 1, f->sk[K_REQ], &err), NULL,
       NULL);
  st = decc_smsc_secret_exists(c, DECC_SECRET_WEB2, &f->who[K_REQ], "TOK", &ex,
                               &err);
  snprintf(x, sizeof x, "exists=%d", ex);
  step(t, "web2 exists (case)", st, NULL, x);

  step(t, "app secret not owner",
       decc_smsc_push_app_secret(c, &f->app, "dev", 3, f->sk[K_OTHER], &err),
       NULL, NULL);
  step(t, "app secret",
       decc_smsc_push_app_secret(c, &f->app, "app-dev-secret-value", 20,
                                 f->sk[K_APP_OWNER], &err),
       NULL, NULL);
  step(t, "requester bad key",
       decc_smsc_push_requester_secret(c, "bad key!", "r", 1, f->sk[K_REQ],
                                       &err),
       NULL, NULL);
  step(t, "requester secret",
       decc_smsc_push_requester_secret(c, "my-token", "requester-value", 15,
                                       f->sk[K_REQ], &err),
       NULL, NULL);
  st = decc_smsc_secret_exists(c, DECC_SECRET_REQUESTER, &f->who[K_REQ], "nope",
                               &ex, &err);
  snprintf(x, sizeof x, "exists=%d", ex);
  step(t, "requester absent", st, NULL, x);
  step(t, "exists bad key",
       decc_smsc_secret_exists(c, DECC_SECRET_REQUESTER, &f->who[K_REQ],
                               "bad key!", &ex, &err),
       NULL, NULL);

  /* TEE: challenge, nonce, session */
  decc_address enclave;
  st = decc_smsc_enclave_challenge(c, f->task, f->sk[K_OTHER], &enclave, code,
                                   &err);
  step(t, "challenge not pool owner", st, code, NULL);
  memset(&enclave, 0, sizeof enclave);
  st = decc_smsc_enclave_challenge(c, f->task, f->sk[K_POOL], &enclave, code,
                                   &err);
  step(t, "challenge", st, code,
       decc_address_is_zero(&enclave) ? "zero" : "address");
  uint8_t nonce[32] = {0}, zero[32] = {0};
  st = decc_smsc_nonce(c, f->task, nonce, code, &err);
  step(t, "nonce", st, code, memcmp(nonce, zero, 32) ? "set" : "zero");

  fx_enclave e;
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  uint8_t *box = NULL;
  size_t bl = 0;
  if (make_request(f, &e, &enclave, nonce, K_PLATFORM)) {
    step(t, "session request", DECC_E_INTERNAL, NULL, NULL);
    return;
  }
  st =
      decc_smsc_session(c, &e.req, f->sk[K_WORKER], sid, &box, &bl, code, &err);
  x[0] = 0;
  if (!st) {
    char *txt = NULL;
    size_t n = 0;
    json_t *doc = NULL;
    if (decc_sms_session_open(&txt, &n, box, bl, e.pk, e.sk) == DECC_OK &&
        (doc = json_loadb(txt, n, 0, NULL))) {
      const char *k = fx_env(doc, "pre-compute", "IEXEC_DATASET_KEY");
      const char *r = fx_env(doc, "app", "IEXEC_REQUESTER_SECRET_1");
      const char *a = fx_env(doc, "app", "IEXEC_APP_DEVELOPER_SECRET");
      const char *nm = json_string_value(json_object_get(doc, "name"));
      snprintf(x, sizeof x, "key=%s requester=%s dev=%s id=%s", k ? k : "-",
               r ? r : "-", a ? a : "-",
               nm && !strcmp(nm, sid) ? "named" : "other");
    } else {
      snprintf(x, sizeof x, "unopened");
    }
    json_decref(doc);
    if (txt)
      decc_secure_free(txt);
  }
  decc_free(box);
  box = NULL;
  step(t, "session", st, code, x);
  /* the nonce was used: the same request again is a replay */
  st =
      decc_smsc_session(c, &e.req, f->sk[K_WORKER], sid, &box, &bl, code, &err);
  decc_free(box);
  box = NULL;
  step(t, "session replay", st, code, NULL);
  /* an untrusted platform's quote over a fresh nonce */
  if (decc_smsc_nonce(c, f->task, nonce, code, &err) ||
      make_request(f, &e, &enclave, nonce, K_OTHER)) {
    step(t, "untrusted request", DECC_E_INTERNAL, NULL, NULL);
    return;
  }
  st =
      decc_smsc_session(c, &e.req, f->sk[K_WORKER], sid, &box, &bl, code, &err);
  decc_free(box);
  box = NULL;
  step(t, "session untrusted platform", st, code, NULL);
  /* a worker key other than the authorized one */
  if (decc_smsc_nonce(c, f->task, nonce, code, &err) ||
      make_request(f, &e, &enclave, nonce, K_PLATFORM)) {
    step(t, "worker request", DECC_E_INTERNAL, NULL, NULL);
    return;
  }
  st = decc_smsc_session(c, &e.req, f->sk[K_OTHER], sid, &box, &bl, code, &err);
  decc_free(box);
  box = NULL;
  step(t, "session wrong worker", st, code, NULL);
  /* the task is over */
  if (fx_set_task_status(f, DECC_SMS_TASK_COMPLETED)) {
    step(t, "task status", DECC_E_INTERNAL, NULL, NULL);
    return;
  }
  st = decc_smsc_nonce(c, f->task, nonce, code, &err);
  step(t, "nonce task completed", st, code, NULL);
}

typedef struct server {
  decc_http_server *http;
  char url[64];
} server;

static int serve(server *s, decc_sms *sms) {
  decc_http_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.threads = 2;
  if (decc_http_server_create(&s->http, &cfg) ||
      decc_sms_http_mount(sms, s->http, "") ||
      decc_http_server_start(s->http, NULL))
    return -1;
  snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u",
           (unsigned)decc_http_server_port(s->http));
  return 0;
}

TEST(both_backends_give_the_same_answers) {
  fx a, b;
  ASSERT_EQ(fx_init(&a), 0);
  ASSERT_EQ(fx_init(&b), 0);
  server srv;
  ASSERT_EQ(serve(&srv, b.sms), 0);
  decc_sms_client *local = NULL, *http = NULL;
  decc_err err;
  ASSERT_OK(decc_sms_client_open_local(&local, a.sms, &err));
  ASSERT_OK(decc_sms_client_open_http(&http, srv.url, &err));
  ASSERT_STR_EQ(decc_sms_client_backend(local), "local");
  ASSERT_STR_EQ(decc_sms_client_backend(http), "http");
  trace tl, th;
  memset(&tl, 0, sizeof tl);
  memset(&th, 0, sizeof th);
  scenario(&a, local, &tl);
  scenario(&b, http, &th);
  if (strcmp(tl.text, th.text) || getenv("TRACE"))
    fprintf(stderr, "local:\n%s\nhttp:\n%s\n", tl.text, th.text);
  ASSERT_STR_EQ(tl.text, th.text);
  /* what the SMS must answer, independently of the comparison */
  static const char *const WANT[] = {
      "web3 absent: OK exists=0\n",
      "web3 push: OK\n",
      "web3 again: E_EXISTS\n",
      "web3 not owner: E_BAD_SIGNATURE\n",
      "web3 present: OK exists=1\n",
      "web2 bad name: E_INVALID\n",
      "web2 update absent: E_NOT_FOUND\n",
      "web2 create: OK\n",
      "web2 create again: E_EXISTS\n",
      "web2 update: OK\n",
      "web2 exists (case): OK exists=1\n",
      "app secret not owner: E_BAD_SIGNATURE\n",
      "app secret: OK\n",
      "requester bad key: E_INVALID\n",
      "requester secret: OK\n",
      "requester absent: OK exists=0\n",
      "exists bad key: E_INVALID\n",
      "challenge not pool owner: E_BAD_SIGNATURE "
      "EXECUTION_NOT_AUTHORIZED_INVALID_SIGNATURE\n",
      "challenge: OK address\n",
      "nonce: OK set\n",
      "session: OK key=q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E= "
      "requester=requester-value dev=app-dev-secret-value id=named\n",
      "session replay: E_DENIED ATTESTATION_NONCE_UNKNOWN\n",
      "session untrusted platform: E_DENIED "
      "ATTESTATION_UNTRUSTED_PLATFORM\n",
      "session wrong worker: E_BAD_SIGNATURE INVALID_WORKER_SIGNATURE\n",
      "nonce task completed: E_DENIED "
      "EXECUTION_NOT_AUTHORIZED_TASK_NOT_ACTIVE\n",
  };
  /* every step, in order: the local trace is exactly the expected one */
  char want[8192];
  size_t wl = 0;
  for (size_t i = 0; i < sizeof WANT / sizeof WANT[0]; i++)
    wl += (size_t)snprintf(want + wl, sizeof want - wl, "%s", WANT[i]);
  ASSERT_STR_EQ(tl.text, want);
  decc_sms_client_destroy(local);
  decc_sms_client_destroy(http);
  decc_http_server_destroy(srv.http);
  fx_free(&a);
  fx_free(&b);
}

TEST(misuse_and_bad_urls_are_errors) {
  decc_sms_client *c = NULL;
  decc_err err;
  uint8_t n[32], sk[32];
  memset(n, 0, 32);
  memset(sk, 1, 32);
  ASSERT_EQ(decc_smsc_nonce(NULL, n, n, NULL, &err), DECC_E_INVALID);
  ASSERT_EQ(decc_sms_client_open_http(&c, "ftp://x", &err), DECC_E_INVALID);
  ASSERT(c == NULL);
  ASSERT_EQ(decc_sms_client_open_local(&c, NULL, &err), DECC_E_INVALID);
  /* nothing listens on port 1: a transport error, not a refusal */
  ASSERT_OK(decc_sms_client_open_http(&c, "http://127.0.0.1:1", &err));
  ASSERT_EQ(decc_smsc_push_web2(c, "name", NULL, 0, 0, NULL, &err),
            DECC_E_INVALID);
  decc_status st = decc_smsc_push_web2(c, "name", "v", 1, 0, sk, &err);
  ASSERT(st == DECC_E_NETWORK || st == DECC_E_TIMEOUT);
  decc_sms_client_destroy(c);
  decc_sms_client_destroy(NULL);
}
