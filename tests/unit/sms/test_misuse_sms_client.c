/*
 * test_misuse_sms_client.c — the entry checks of sms_client.h's public
 * functions: a NULL handle or required pointer (or a NULL value with a
 * length) is reported to the misuse handler by the function called, which
 * returns DECC_E_INVALID ("" for the backend name) without crashing and
 * without reaching the backend; the documented NULLs (no code buffer, an
 * empty value, no name for a web3 check, a NULL client to destroy) are not
 * reported and reach the backend. A recording backend stands in for the
 * SMS so that what the wrapper passes on can be seen.
 */
#include <string.h>

#include "decc/mem.h"
#include "decc/sms_client.h"
#include "misuse_check.h"

/* What the recording backend saw. */
typedef struct {
  int calls;
  int code_given; /* the wrapper passed a code buffer */
  int destroyed;
} rec;

static decc_status r_web3(void *self, const decc_address *d, const char *v,
                          size_t n, const uint8_t sk[32], decc_err *err) {
  (void)d, (void)v, (void)n, (void)sk, (void)err;
  ((rec *)self)->calls++;
  return DECC_OK;
}
static decc_status r_web2(void *self, const char *name, const char *v, size_t n,
                          int update, const uint8_t sk[32], decc_err *err) {
  (void)name, (void)v, (void)n, (void)update, (void)sk, (void)err;
  ((rec *)self)->calls++;
  return DECC_OK;
}
static decc_status r_app(void *self, const decc_address *a, const char *v,
                         size_t n, const uint8_t sk[32], decc_err *err) {
  (void)a, (void)v, (void)n, (void)sk, (void)err;
  ((rec *)self)->calls++;
  return DECC_OK;
}
static decc_status r_req(void *self, const char *k, const char *v, size_t n,
                         const uint8_t sk[32], decc_err *err) {
  (void)k, (void)v, (void)n, (void)sk, (void)err;
  ((rec *)self)->calls++;
  return DECC_OK;
}
static decc_status r_exists(void *self, decc_secret_kind kind,
                            const decc_address *o, const char *name, int *ex,
                            decc_err *err) {
  (void)kind, (void)o, (void)name, (void)err;
  ((rec *)self)->calls++;
  *ex = 1;
  return DECC_OK;
}
static decc_status r_chal(void *self, const uint8_t t[32], const uint8_t sk[32],
                          decc_address *enclave, char code[DECC_SMS_CODE_MAX],
                          decc_err *err) {
  (void)t, (void)sk, (void)err;
  rec *r = self;
  r->calls++;
  r->code_given = code != NULL;
  code[0] = '\0';
  memset(enclave->b, 7, sizeof enclave->b);
  return DECC_OK;
}
static decc_status r_nonce(void *self, const uint8_t t[32], uint8_t nonce[32],
                           char code[DECC_SMS_CODE_MAX], decc_err *err) {
  (void)t, (void)err;
  rec *r = self;
  r->calls++;
  r->code_given = code != NULL;
  code[0] = '\0';
  memset(nonce, 9, 32);
  return DECC_OK;
}
static decc_status r_session(void *self, const decc_sms_session_request *rq,
                             const uint8_t sk[32],
                             char id[DECC_SMS_SESSION_ID_LEN + 1],
                             uint8_t **sealed, size_t *sealed_len,
                             char code[DECC_SMS_CODE_MAX], decc_err *err) {
  (void)rq, (void)sk, (void)err;
  rec *r = self;
  r->calls++;
  r->code_given = code != NULL;
  code[0] = '\0';
  id[0] = '\0';
  *sealed = NULL;
  *sealed_len = 0;
  return DECC_OK;
}
static void r_destroy(void *self) { ((rec *)self)->destroyed++; }

static const decc_sms_client_vtable REC_VT = {
    .name = "rec",
    .push_web3 = r_web3,
    .push_web2 = r_web2,
    .push_app_secret = r_app,
    .push_requester_secret = r_req,
    .secret_exists = r_exists,
    .enclave_challenge = r_chal,
    .nonce = r_nonce,
    .session = r_session,
    .destroy = r_destroy,
};

TEST(misuse_sms_client) {
  MISUSE_BEGIN();
  rec r = {0};
  decc_sms_client *c = NULL;
  uint8_t sk[32] = {3}, id[32] = {1}, nonce[32];
  decc_address a = {{0}}, enclave;
  decc_sms_session_request rq;
  memset(&rq, 0, sizeof rq);
  char sid[DECC_SMS_SESSION_ID_LEN + 1], code[DECC_SMS_CODE_MAX];
  uint8_t *sealed = NULL;
  size_t sealed_len = 0;
  int ex = 0;

  /* Opening: a NULL output or backend is refused; create still releases
   * the state it was given when out is NULL (it owns it). */
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_create, NULL, &REC_VT, &r);
  ASSERT_EQ(r.destroyed, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_create, &c, NULL, &r);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_open_local, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_open_http, NULL,
                "http://127.0.0.1:1", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_open_http, &c, NULL, NULL);
  ASSERT(c == NULL);
  r.destroyed = 0;
  EXPECT_OK_NO_MISUSE(decc_sms_client_create(&c, &REC_VT, &r));
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_client_open_local, &c, NULL, NULL);
  ASSERT(c != NULL); /* refused before *out was touched */

  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_sms_client_backend(c), "rec"));
  {
    int before = g_misuse.calls;
    ASSERT_STR_EQ(decc_sms_client_backend(NULL), "");
    ASSERT_EQ(g_misuse.calls, before + 1);
    ASSERT_STR_EQ(g_misuse.func, "decc_sms_client_backend");
  }

  /* Every call with a NULL handle or required pointer. */
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_web3, NULL, &a, "k", 1, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_web3, c, NULL, "k", 1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_web3, c, &a, NULL, 1, sk, NULL);
  ASSERT_STR_EQ(g_misuse.what, "value != NULL || len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_web3, c, &a, "k", 1, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_web2, NULL, "n", "v", 1, 0, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_web2, c, NULL, "v", 1, 0, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_web2, c, "n", NULL, 1, 0, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_web2, c, "n", "v", 1, 0, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_app_secret, NULL, &a, "v", 1, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_app_secret, c, NULL, "v", 1, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_app_secret, c, &a, NULL, 1, sk,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_app_secret, c, &a, "v", 1, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_requester_secret, NULL, "k", "v",
                1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_requester_secret, c, NULL, "v",
                1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_requester_secret, c, "k", NULL,
                1, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_push_requester_secret, c, "k", "v", 1,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_secret_exists, NULL, DECC_SECRET_WEB3,
                &a, NULL, &ex, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_secret_exists, c, DECC_SECRET_WEB3,
                NULL, NULL, &ex, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_secret_exists, c, DECC_SECRET_WEB3,
                &a, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_enclave_challenge, NULL, id, sk,
                &enclave, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_enclave_challenge, c, NULL, sk,
                &enclave, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_enclave_challenge, c, id, NULL,
                &enclave, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_enclave_challenge, c, id, sk, NULL,
                code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_nonce, NULL, id, nonce, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_nonce, c, NULL, nonce, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_nonce, c, id, NULL, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_session, NULL, &rq, sk, sid, &sealed,
                &sealed_len, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_session, c, NULL, sk, sid, &sealed,
                &sealed_len, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_session, c, &rq, NULL, sid, &sealed,
                &sealed_len, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_session, c, &rq, sk, NULL, &sealed,
                &sealed_len, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_session, c, &rq, sk, sid, NULL,
                &sealed_len, code, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_smsc_session, c, &rq, sk, sid, &sealed,
                NULL, code, NULL);
  ASSERT_EQ(r.calls, 0); /* no refused call reached the backend */

  /* Permitted: empty values, no name for web3, no code buffer. */
  EXPECT_OK_NO_MISUSE(decc_smsc_push_web3(c, &a, NULL, 0, sk, NULL));
  EXPECT_OK_NO_MISUSE(decc_smsc_push_web2(c, "n", NULL, 0, 0, sk, NULL));
  EXPECT_OK_NO_MISUSE(decc_smsc_push_app_secret(c, &a, NULL, 0, sk, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_smsc_push_requester_secret(c, "k", NULL, 0, sk, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_smsc_secret_exists(c, DECC_SECRET_WEB3, &a, NULL, &ex, NULL));
  ASSERT_EQ(ex, 1);
  EXPECT_OK_NO_MISUSE(
      decc_smsc_enclave_challenge(c, id, sk, &enclave, NULL, NULL));
  ASSERT(r.code_given);
  ASSERT_EQ(enclave.b[0], 7);
  r.code_given = 0;
  EXPECT_OK_NO_MISUSE(decc_smsc_nonce(c, id, nonce, NULL, NULL));
  ASSERT(r.code_given);
  ASSERT_EQ(nonce[31], 9);
  r.code_given = 0;
  EXPECT_OK_NO_MISUSE(
      decc_smsc_session(c, &rq, sk, sid, &sealed, &sealed_len, NULL, NULL));
  ASSERT(r.code_given);
  ASSERT_EQ(r.calls, 8);

  EXPECT_NO_MISUSE(decc_sms_client_destroy(NULL));
  EXPECT_NO_MISUSE(decc_sms_client_destroy(c));
  ASSERT_EQ(r.destroyed, 1);
}
