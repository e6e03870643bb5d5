/*
 * test_misuse.c — a broken API contract (a NULL where a pointer is
 * required) is reported to the installed handler with the function's name
 * and the condition, and the function returns its documented failure value
 * without touching memory: never a crash (libsecp256k1's illegal-argument
 * callback, with a non-aborting default).
 */
#include <string.h>

#include "decc/buf.h"
#include "decc/common.h"
#include "decc/encoding.h"
#include "decc/keys.h"
#include "test.h"

typedef struct {
  int calls;
  char func[64];
  char what[64];
} seen;

static void record(const char *func, const char *what, void *ud) {
  seen *s = ud;
  s->calls++;
  snprintf(s->func, sizeof s->func, "%s", func);
  snprintf(s->what, sizeof s->what, "%s", what);
}

TEST(misuse_reported_and_refused) {
  seen s = {0};
  decc_set_misuse_handler(record, &s);
  uint8_t sk[32] = {1}, d[32] = {2}, sig[65], pub[64] = {0};
  decc_address a;

  ASSERT_EQ(decc_sign_digest(NULL, sk, d), DECC_E_INVALID);
  ASSERT_EQ(s.calls, 1);
  ASSERT_STR_EQ(s.func, "decc_sign_digest");
  ASSERT_STR_EQ(s.what, "sig65 != NULL");

  ASSERT_EQ(decc_recover_digest(&a, NULL, sig), DECC_E_INVALID);
  ASSERT_STR_EQ(s.what, "digest32 != NULL");
  ASSERT(decc_address_to_hex(NULL, &a) == NULL);
  ASSERT_EQ(decc_address_eq(&a, NULL), 0);
  decc_address_from_pubkey(NULL, pub); /* void: returns, touches nothing */
  ASSERT_STR_EQ(s.func, "decc_address_from_pubkey");
  ASSERT_EQ(decc_address_parse(NULL, "0x0", NULL), DECC_E_INVALID);
  ASSERT_EQ(decc_hex_decode(NULL, 4, NULL, "00", 2), DECC_E_INVALID);
  ASSERT(decc_hex_encode(NULL, sk, 1, 0) == NULL);
  ASSERT_EQ(decc_buf_append(NULL, "x", 1), DECC_E_INVALID);
  ASSERT_STR_EQ(s.func, "decc_buf_append");
  int before = s.calls;

  /* The permitted empty cases are not misuse. */
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_buf_append(&b, NULL, 0));
  char hex[3];
  ASSERT(decc_hex_encode(hex, NULL, 0, 0) == hex);
  uint8_t dg[32];
  decc_eip191_digest(dg, NULL, 0);
  ASSERT_EQ(s.calls, before);
  decc_buf_clear(&b);

  /* Valid calls still work with a handler installed. */
  ASSERT_OK(decc_sign_digest(sig, sk, d));
  ASSERT_OK(decc_recover_digest(&a, d, sig));
  decc_address b2;
  ASSERT_OK(decc_address_from_privkey(&b2, sk));
  ASSERT(decc_address_eq(&a, &b2));
  ASSERT_EQ(s.calls, before);

  decc_set_misuse_handler(NULL, NULL); /* default: a line on stderr */
  ASSERT_EQ(decc_buf_reserve(NULL, 1), DECC_E_INVALID);
  ASSERT_EQ(s.calls, before);
}
