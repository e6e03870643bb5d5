/*
 * test_misuse_sms_auth.c — the entry checks of sms_auth.h's public
 * functions: a NULL required pointer (or NULL data with a length) is
 * reported to the misuse handler by the function called, which returns
 * DECC_E_INVALID (or at once when void) without crashing; the documented
 * NULLs (no worker / enclave, an absent header) are not reported, and a
 * signed challenge still verifies with the handler installed.
 */
#include <stdio.h>
#include <string.h>

#include "decc/encoding.h"
#include "decc/keys.h"
#include "decc/sms_auth.h"
#include "misuse_check.h"

TEST(misuse_sms_auth) {
  MISUSE_BEGIN();
  uint8_t h[32] = {0}, sig[65], sk[32] = {8}, id[32] = {1};
  decc_address a = {{0}};
  EXPECT_MISUSE_VOID(decc_sms_domain_hash, NULL);
  EXPECT_MISUSE_VOID(decc_sms_web3_challenge, NULL, &a, "v", 1);
  EXPECT_MISUSE_VOID(decc_sms_web3_challenge, h, NULL, "v", 1);
  EXPECT_MISUSE_VOID(decc_sms_web3_challenge, h, &a, NULL, 1);
  EXPECT_MISUSE_VOID(decc_sms_web2_challenge, NULL, &a, "n", 1, "v", 1);
  EXPECT_MISUSE_VOID(decc_sms_web2_challenge, h, NULL, "n", 1, "v", 1);
  EXPECT_MISUSE_VOID(decc_sms_web2_challenge, h, &a, NULL, 1, "v", 1);
  EXPECT_MISUSE_VOID(decc_sms_web2_challenge, h, &a, "n", 1, NULL, 1);
  EXPECT_MISUSE_VOID(decc_sms_authorization_hash, NULL, &a, id, &a);
  EXPECT_MISUSE_VOID(decc_sms_authorization_hash, h, &a, NULL, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_sign_challenge, NULL, sk, h);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_sign_challenge, sig, NULL, h);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_sign_challenge, sig, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_check_signature, "0x00", NULL, &a,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sms_check_signature, "0x00", h, NULL,
                NULL);

  /* Documented NULLs: H(taskid) without worker and enclave; no header is
   * a malformed request, not misuse. A signature round trip works. */
  EXPECT_NO_MISUSE(decc_sms_authorization_hash(h, NULL, id, NULL));
  EXPECT_NO_MISUSE(
      ASSERT(decc_sms_check_signature(NULL, h, &a, NULL) != DECC_OK));
  EXPECT_OK_NO_MISUSE(decc_sms_sign_challenge(sig, sk, h));
  char header[3 + 130];
  header[0] = '0';
  header[1] = 'x';
  ASSERT(decc_hex_encode(header + 2, sig, 65, 0) != NULL);
  ASSERT_OK(decc_address_from_privkey(&a, sk));
  EXPECT_OK_NO_MISUSE(decc_sms_check_signature(header, h, &a, NULL));
}
