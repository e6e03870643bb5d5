/*
 * test_misuse_attest.c — the entry checks of attest.h's public functions:
 * a NULL required pointer, or a length set without its bytes, is reported
 * to the misuse handler by the function called, which returns its
 * documented failure value (DECC_E_INVALID, or at once for a void
 * function) without crashing; the permitted NULLs (no expected nonce, no
 * trusted list with n 0, an empty message, the default TSM paths, the
 * no-op destroys, err) are not reported and still work.
 */
#include <string.h>

#include "decc/attest.h"
#include "decc/mem.h"
#include "misuse_check.h"

TEST(misuse_attest) {
  MISUSE_BEGIN();
  static decc_quote q, back; /* 16 KiB each: off the stack */
  memset(&q, 0, sizeof q);
  uint8_t sk[32] = {0}, d[32] = {0}, pk[32], esk[32];
  sk[31] = 1;
  char *json = (char *)"untouched";
  decc_tee_backend b;
  memset(&b, 0x5a, sizeof b);
  uint8_t msg[4] = {1, 2, 3, 4}, box[4 + DECC_SEAL_OVERHEAD], plain[4];

  EXPECT_MISUSE_VOID(decc_quote_digest, NULL, &q);
  EXPECT_MISUSE_VOID(decc_quote_digest, d, NULL);
  uint8_t zero[32] = {0};
  ASSERT_MEM_EQ(d, zero, 32);
  EXPECT_MISUSE(DECC_E_INVALID, decc_quote_sign, NULL, sk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_quote_sign, &q, NULL);
  ASSERT_EQ(q.backend[0], 0); /* untouched */
  EXPECT_MISUSE(DECC_E_INVALID, decc_quote_verify, NULL, NULL, 0, NULL, 0, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_quote_verify, &q, NULL, 2, NULL, 0, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_quote_to_json, NULL, &q);
  EXPECT_MISUSE(DECC_E_INVALID, decc_quote_to_json, &json, NULL);
  ASSERT_STR_EQ(json, "untouched");
  EXPECT_MISUSE(DECC_E_INVALID, decc_quote_from_json, NULL, "{}", 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_quote_from_json, &back, NULL, 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tee_software_create, NULL, sk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tee_software_create, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tee_tdx_create, NULL, NULL, NULL);
  ASSERT_EQ(((uint8_t *)&b)[0], 0x5a); /* untouched */
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_keypair, NULL, esk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_keypair, pk, NULL);
  ASSERT_OK(decc_enclave_keypair(pk, esk));
  EXPECT_MISUSE(DECC_E_INVALID, decc_seal, NULL, msg, 4, pk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_seal, box, NULL, 4, pk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_seal, box, msg, 4, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_seal_open, NULL, box, sizeof box, pk, esk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_seal_open, plain, NULL, sizeof box, pk,
                esk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_seal_open, plain, box, sizeof box, NULL,
                esk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_seal_open, plain, box, sizeof box, pk,
                NULL);

  /* Permitted: the no-op destroys; the default TSM paths; a signed quote
   * verified with no expected nonce, and (denied, not misuse) against no
   * trusted platform; an empty message sealed and opened. */
  EXPECT_NO_MISUSE(decc_tee_software_destroy(NULL));
  EXPECT_NO_MISUSE(decc_tee_tdx_destroy(NULL));
  EXPECT_OK_NO_MISUSE(decc_tee_tdx_create(&b, NULL, NULL));
  EXPECT_NO_MISUSE(decc_tee_tdx_destroy(&b));
  EXPECT_OK_NO_MISUSE(decc_tee_software_create(&b, sk));
  EXPECT_NO_MISUSE(decc_tee_software_destroy(&b));
  EXPECT_OK_NO_MISUSE(decc_quote_sign(&q, sk));
  EXPECT_OK_NO_MISUSE(decc_quote_verify(&q, &q.platform, 1, NULL, 0, 0, NULL));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_quote_verify(&q, NULL, 0, NULL, 0, 0, NULL),
                             DECC_E_DENIED));
  EXPECT_OK_NO_MISUSE(decc_quote_to_json(&json, &q));
  EXPECT_OK_NO_MISUSE(decc_quote_from_json(&back, json, strlen(json), NULL));
  ASSERT_MEM_EQ(back.signature, q.signature, 65);
  decc_free(json);
  uint8_t ebox[DECC_SEAL_OVERHEAD];
  EXPECT_OK_NO_MISUSE(decc_seal(ebox, NULL, 0, pk));
  EXPECT_OK_NO_MISUSE(decc_seal_open(plain, ebox, sizeof ebox, pk, esk));
  EXPECT_OK_NO_MISUSE(decc_seal(box, msg, 4, pk));
  EXPECT_OK_NO_MISUSE(decc_seal_open(plain, box, sizeof box, pk, esk));
  ASSERT_MEM_EQ(plain, msg, 4);
}
