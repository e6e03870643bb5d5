/*
 * test_sms_auth.c — SMS challenges against the known answers of
 * iexec-protocol.md §1.9 (computed with ethers from the SDK's formulas):
 * H("IEXEC_SMS_DOMAIN"), the web3 challenge for 0x2222…22 and its
 * personal_sign by key 0x11…11; plus the signature checks.
 */
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/sms_auth.h"
#include "test.h"

TEST(sms_domain_and_web3_challenge_vectors) {
  uint8_t h[32];
  char hex[67];
  decc_sms_domain_hash(h);
  ASSERT_STR_EQ(
      decc_hex_encode(hex, h, 32, 1),
      "0x0a26923d45a019b77e856d0001681f98ab9707ec15b2b98048cc91eed00b6793");
  decc_address ds;
  memset(ds.b, 0x22, 20);
  const char *value = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";
  decc_sms_web3_challenge(h, &ds, value, strlen(value));
  ASSERT_STR_EQ(
      decc_hex_encode(hex, h, 32, 1),
      "0xd3a5f62a98f46be3f58475c329075e752282a12df11bbbf9a365a6bbf493106e");
  uint8_t sk[32], sig[65];
  memset(sk, 0x11, 32);
  ASSERT_OK(decc_sms_sign_challenge(sig, sk, h));
  char shex[133];
  ASSERT_STR_EQ(
      decc_hex_encode(shex, sig, 65, 1),
      "0xbe0fe3093ef7b1996d7b247e379328a66affaa541a6cdddf15c88acf8d388b6e"
      "0e7b8554189db21a7f49b05fc2767f28dce2ae0c7992b376cad55c2ab636d1cd1c");
  decc_address owner;
  ASSERT_OK(decc_address_from_privkey(&owner, sk));
  decc_err err;
  ASSERT_OK(decc_sms_check_signature(shex, h, &owner, &err));
  /* wrong signer, malformed header, tampered challenge */
  ASSERT_EQ(decc_sms_check_signature(shex, h, &ds, &err), DECC_E_BAD_SIGNATURE);
  ASSERT_EQ(decc_sms_check_signature("0x1234", h, &owner, &err), DECC_E_PARSE);
  ASSERT_EQ(decc_sms_check_signature(NULL, h, &owner, &err), DECC_E_PARSE);
  h[0] ^= 1;
  ASSERT_EQ(decc_sms_check_signature(shex, h, &owner, &err),
            DECC_E_BAD_SIGNATURE);
}

TEST(sms_web2_and_authorization_hashes) {
  /* web2: H(H(DOMAIN) ‖ owner ‖ H(name) ‖ H(value)) recomputed by hand */
  decc_address owner;
  memset(owner.b, 0x33, 20);
  uint8_t buf[116], expect[32], got[32];
  decc_sms_domain_hash(buf);
  memcpy(buf + 32, owner.b, 20);
  decc_keccak256(buf + 52, "iexec-result-encryption-public-key", 34);
  decc_keccak256(buf + 84, "value", 5);
  decc_keccak256(expect, buf, sizeof buf);
  decc_sms_web2_challenge(got, &owner, "iexec-result-encryption-public-key", 34,
                          "value", 5);
  ASSERT_MEM_EQ(got, expect, 32);
  /* authorization: H(worker ‖ taskid ‖ enclave) and H(taskid) */
  uint8_t task[32], tb[72];
  memset(task, 0xcd, 32);
  decc_address w, e;
  memset(w.b, 1, 20);
  memset(e.b, 2, 20);
  memcpy(tb, w.b, 20);
  memcpy(tb + 20, task, 32);
  memcpy(tb + 52, e.b, 20);
  decc_keccak256(expect, tb, 72);
  decc_sms_authorization_hash(got, &w, task, &e);
  ASSERT_MEM_EQ(got, expect, 32);
  decc_keccak256(expect, task, 32);
  decc_sms_authorization_hash(got, NULL, task, NULL);
  ASSERT_MEM_EQ(got, expect, 32);
}
