/*
 * test_attest.c — attestation quotes: sign/verify round trip, JSON
 * transport, and every refusal the SMS relies on (tampered field, forged
 * signature, untrusted platform, wrong nonce, stale quote), plus sealed
 * boxes to the enclave key (wrong key, tampering).
 */
#include "test.h"
#include "decc/attest.h"
#include "decc/mem.h"

static void fill(decc_quote *q) {
  memset(q, 0, sizeof *q);
  memset(q->measurement, 0x11, 32);
  memset(q->enclave_pubkey, 0x22, 32);
  memset(q->task_id, 0x33, 32);
  memset(q->nonce, 0x44, 32);
  q->timestamp = 1700000000;
}

TEST(quote_sign_verify_and_refusals) {
  uint8_t sk[32], other[32];
  memset(sk, 7, 32);
  memset(other, 8, 32);
  decc_address plat, other_addr;
  ASSERT_OK(decc_address_from_privkey(&plat, sk));
  ASSERT_OK(decc_address_from_privkey(&other_addr, other));
  decc_tee_backend b;
  ASSERT_OK(decc_tee_software_create(&b, sk));
  decc_quote q;
  fill(&q);
  decc_err err;
  ASSERT_OK(b.quote(b.ctx, &q, &err));
  ASSERT_STR_EQ(q.backend, "software");
  ASSERT(decc_address_eq(&q.platform, &plat));
  uint8_t nonce[32];
  memset(nonce, 0x44, 32);
  ASSERT_OK(decc_quote_verify(&q, &plat, 1, nonce, 1700000010, 300, &err));
  /* untrusted platform */
  ASSERT_EQ(decc_quote_verify(&q, &other_addr, 1, nonce, 1700000010, 300, &err),
            DECC_E_DENIED);
  ASSERT(strstr(err.msg, "untrusted"));
  /* every field is covered by the signature */
  decc_quote t = q;
  t.measurement[5] ^= 1;
  ASSERT_EQ(decc_quote_verify(&t, &plat, 1, NULL, 0, 0, &err),
            DECC_E_BAD_SIGNATURE);
  t = q;
  t.enclave_pubkey[0] ^= 1;
  ASSERT_EQ(decc_quote_verify(&t, &plat, 1, NULL, 0, 0, &err),
            DECC_E_BAD_SIGNATURE);
  t = q;
  t.task_id[31] ^= 1;
  ASSERT_EQ(decc_quote_verify(&t, &plat, 1, NULL, 0, 0, &err),
            DECC_E_BAD_SIGNATURE);
  t = q;
  t.timestamp++;
  ASSERT_EQ(decc_quote_verify(&t, &plat, 1, NULL, 0, 0, &err),
            DECC_E_BAD_SIGNATURE);
  t = q;
  memcpy(t.backend, "tdx\0\0\0\0\0", 8);
  ASSERT_EQ(decc_quote_verify(&t, &plat, 1, NULL, 0, 0, &err),
            DECC_E_BAD_SIGNATURE);
  /* a quote signed by another key but claiming the trusted platform */
  t = q;
  ASSERT_OK(decc_quote_sign(&t, other));
  t.platform = plat;
  ASSERT_EQ(decc_quote_verify(&t, &plat, 1, NULL, 0, 0, &err),
            DECC_E_BAD_SIGNATURE);
  /* nonce and freshness */
  uint8_t wrong[32];
  memset(wrong, 0x45, 32);
  ASSERT_EQ(decc_quote_verify(&q, &plat, 1, wrong, 0, 0, &err), DECC_E_DENIED);
  ASSERT_EQ(decc_quote_verify(&q, &plat, 1, nonce, 1700009999, 300, &err),
            DECC_E_DENIED);
  decc_tee_software_destroy(&b);
}

TEST(quote_json_roundtrip) {
  uint8_t sk[32];
  memset(sk, 9, 32);
  decc_quote q, back;
  fill(&q);
  ASSERT_OK(decc_quote_sign(&q, sk));
  char *js = NULL;
  ASSERT_OK(decc_quote_to_json(&js, &q));
  ASSERT(strstr(js, "\"backend\":\"software\""));
  decc_err err;
  ASSERT_OK(decc_quote_from_json(&back, js, strlen(js), &err));
  ASSERT_MEM_EQ(&back, &q, sizeof q);
  decc_free(js);
  ASSERT_EQ(decc_quote_from_json(&back, "{}", 2, &err), DECC_E_PARSE);
  ASSERT_EQ(decc_quote_from_json(&back, "[", 1, &err), DECC_E_PARSE);
}

TEST(sealed_boxes) {
  uint8_t pk[32], sk[32], pk2[32], sk2[32];
  ASSERT_OK(decc_enclave_keypair(pk, sk));
  ASSERT_OK(decc_enclave_keypair(pk2, sk2));
  const char *msg = "dataset key material";
  size_t n = strlen(msg);
  uint8_t box[128], out[128];
  ASSERT_OK(decc_seal(box, (const uint8_t *)msg, n, pk));
  ASSERT_OK(decc_seal_open(out, box, n + DECC_SEAL_OVERHEAD, pk, sk));
  ASSERT_MEM_EQ(out, msg, n);
  ASSERT_EQ(decc_seal_open(out, box, n + DECC_SEAL_OVERHEAD, pk2, sk2),
            DECC_E_BAD_MAC);
  box[50] ^= 1;
  ASSERT_EQ(decc_seal_open(out, box, n + DECC_SEAL_OVERHEAD, pk, sk),
            DECC_E_BAD_MAC);
  ASSERT_EQ(decc_seal_open(out, box, 10, pk, sk), DECC_E_RANGE);
}
