/*
 * test_keys.c — keys.c against published vectors: EIP-55 checksums (the
 * EIP's examples), address derivation (key 1), web3.js's personal_sign
 * "Some data" example, the EIP-2098 compact-signature examples; plus the
 * OpenZeppelin-compatible rules: high-S rejected, v in {27,28,0,1} only,
 * bad keys and malformed signatures refused.
 */
#include <stdlib.h>

#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "test.h"

static void unhex(uint8_t *out, size_t n, const char *hex) {
  size_t got = 0;
  if (decc_hex_decode(out, n, &got, hex, strlen(hex)) != DECC_OK || got != n)
    memset(out, 0, n);
}

/* EIP-55 "Test Cases" (eips.ethereum.org/EIPS/eip-55). */
TEST(eip55_examples) {
  static const char *v[] = {"0x52908400098527886E0F7030069857D2E4169EE7",
                            "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
                            "0xde709f2102306220921060314715629080e2fb77",
                            "0x27b1fdb04752bbc536007a920d24acb045561c26",
                            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
                            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    decc_address a;
    char out[43], lower[43];
    ASSERT_OK(decc_address_parse(&a, v[i], NULL));
    ASSERT_STR_EQ(decc_address_to_checksum(out, &a), v[i]);
    /* The all-lowercase form carries no checksum and is accepted. */
    decc_address_to_hex(lower, &a);
    decc_address b;
    ASSERT_OK(decc_address_parse(&b, lower, NULL));
    ASSERT(decc_address_eq(&a, &b));
  }
}

TEST(eip55_wrong_checksum_and_bad_input) {
  decc_address a;
  decc_err err;
  /* One letter's case flipped. */
  ASSERT_EQ(decc_address_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
                               &err),
            DECC_E_INVALID);
  ASSERT(strstr(err.msg, "checksum") != NULL);
  ASSERT(strstr(err.msg, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") != NULL);
  ASSERT_EQ(decc_address_parse(&a, "0xfb6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
                               &err),
            DECC_E_INVALID);
  /* All-uppercase hex digits: no checksum either. */
  ASSERT_OK(decc_address_parse(&a, "0xFB6916095CA1DF60BB79CE92CE3EA74C37C5D359",
                               &err));
  ASSERT_EQ(
      decc_address_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA", &err),
      DECC_E_PARSE);
  ASSERT_EQ(decc_address_parse(&a, "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00",
                               &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_address_parse(&a, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
                               &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_address_parse(&a, "", &err), DECC_E_PARSE);
  ASSERT_EQ(decc_address_parse(&a, NULL, &err), DECC_E_PARSE);
  memset(&a, 0, sizeof a);
  ASSERT(decc_address_is_zero(&a));
}

TEST(address_from_key_one) {
  uint8_t sk[32] = {0};
  sk[31] = 1;
  decc_address a;
  char out[43];
  ASSERT_OK(decc_address_from_privkey(&a, sk));
  ASSERT_STR_EQ(decc_address_to_hex(out, &a),
                "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf");
  uint8_t pub[64];
  ASSERT_OK(decc_pubkey_from_privkey(pub, sk));
  /* Generator point G. */
  char hx[131];
  ASSERT_STR_EQ(
      decc_hex_encode(hx, pub, 32, 0),
      "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");
}

/* web3.js docs: accounts.sign("Some data", 0x4c0883a6…3f362318). */
TEST(web3js_personal_sign_vector) {
  uint8_t sk[32], d[32], sig[65];
  char hx[133], a[43];
  unhex(sk, 32,
        "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");
  decc_address me;
  ASSERT_OK(decc_address_from_privkey(&me, sk));
  ASSERT_STR_EQ(decc_address_to_checksum(a, &me),
                "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23");
  decc_eip191_digest(d, "Some data", 9);
  ASSERT_STR_EQ(
      decc_hex_encode(hx, d, 32, 1),
      "0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655");
  ASSERT_OK(decc_eip191_sign(sig, sk, "Some data", 9));
  ASSERT_STR_EQ(
      decc_hex_encode(hx, sig, 65, 1),
      "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd"
      "6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c");
  decc_address who;
  ASSERT_OK(decc_eip191_recover(&who, "Some data", 9, sig));
  ASSERT(decc_address_eq(&who, &me));
  ASSERT_OK(decc_verify_digest(&me, d, sig));
  /* A different message does not verify. */
  decc_eip191_digest(d, "Some datA", 9);
  ASSERT_EQ(decc_verify_digest(&me, d, sig), DECC_E_BAD_SIGNATURE);
}

/* EIP-2098 test cases (eips.ethereum.org/EIPS/eip-2098): personal_sign by
 * 0x1234…1234 of "Hello World" (yParity 0) and "It's a small(er) world"
 * (yParity 1), and their compact forms. */
TEST(eip2098_examples) {
  static const struct {
    const char *msg, *r, *s, *vs;
    int v;
  } C[] = {
      {"Hello World",
       "68a020a209d3d56c46f38cc50a33f704f4a9a10a59377f8dd762ac66910e9b90",
       "7e865ad05c4035ab5792787d4a0297a43617ae897930a6fe4d822b8faea52064",
       "7e865ad05c4035ab5792787d4a0297a43617ae897930a6fe4d822b8faea52064", 27},
      {"It's a small(er) world",
       "9328da16089fcba9bececa81663203989f2df5fe1faa6291a45381c81bd17f76",
       "139c6d6b623b42da56557e5e734a43dc83345ddfadec52cbe24d0cc64f550793",
       "939c6d6b623b42da56557e5e734a43dc83345ddfadec52cbe24d0cc64f550793", 28}};
  uint8_t sk[32];
  unhex(sk, 32,
        "1234567890123456789012345678901234567890123456789012345678901234");
  decc_address me;
  ASSERT_OK(decc_address_from_privkey(&me, sk));
  for (size_t i = 0; i < 2; i++) {
    uint8_t sig[65], want[65], compact[64], d[32];
    unhex(want, 32, C[i].r);
    unhex(want + 32, 32, C[i].s);
    want[64] = (uint8_t)C[i].v;
    ASSERT_OK(decc_eip191_sign(sig, sk, C[i].msg, strlen(C[i].msg)));
    ASSERT_MEM_EQ(sig, want, 65);
    unhex(compact, 32, C[i].r);
    unhex(compact + 32, 32, C[i].vs);
    decc_eip191_digest(d, C[i].msg, strlen(C[i].msg));
    decc_address who;
    ASSERT_OK(decc_recover_digest_any(&who, d, compact, 64));
    ASSERT(decc_address_eq(&who, &me));
    ASSERT_OK(decc_recover_digest_any(&who, d, sig, 65));
    ASSERT(decc_address_eq(&who, &me));
    ASSERT_EQ(decc_recover_digest_any(&who, d, sig, 63), DECC_E_BAD_SIGNATURE);
    ASSERT_EQ(decc_recover_digest_any(&who, d, sig, 66), DECC_E_BAD_SIGNATURE);
  }
}

/* n − s over 32 big-endian bytes. */
static void neg_s(uint8_t s[32]) {
  static const uint8_t N[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                                0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
                                0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int d = N[i] - s[i] - borrow;
    borrow = d < 0;
    s[i] = (uint8_t)(d + (borrow ? 256 : 0));
  }
}

TEST(high_s_rejected_and_v_handling) {
  uint8_t sk[32], d[32], sig[65], alt[65];
  memset(sk, 0x42, 32);
  decc_keccak256(d, "payload", 7);
  decc_address me, who;
  ASSERT_OK(decc_address_from_privkey(&me, sk));
  ASSERT_OK(decc_sign_digest(sig, sk, d));
  ASSERT(sig[64] == 27 || sig[64] == 28);
  ASSERT((sig[32] & 0x80) == 0); /* low-S output */
  /* The malleated twin (n − s, flipped parity) is a valid ECDSA signature
   * of the same key, but OpenZeppelin — hence PoCo — refuses it. */
  memcpy(alt, sig, 65);
  neg_s(alt + 32);
  alt[64] = (uint8_t)(sig[64] ^ 1);
  ASSERT_EQ(decc_recover_digest(&who, d, alt), DECC_E_BAD_SIGNATURE);
  ASSERT_EQ(decc_verify_digest(&me, d, alt), DECC_E_BAD_SIGNATURE);
  /* v as a raw recovery id (0/1) is accepted; other values are not. */
  memcpy(alt, sig, 65);
  alt[64] = (uint8_t)(sig[64] - 27);
  ASSERT_OK(decc_recover_digest(&who, d, alt));
  ASSERT(decc_address_eq(&who, &me));
  for (int v = 2; v < 256; v++) {
    if (v == 27 || v == 28)
      continue;
    alt[64] = (uint8_t)v;
    ASSERT_EQ(decc_recover_digest(&who, d, alt), DECC_E_BAD_SIGNATURE);
  }
  /* The wrong parity recovers someone else (or nothing). */
  alt[64] = (uint8_t)(sig[64] ^ 1);
  decc_status st = decc_recover_digest(&who, d, alt);
  ASSERT(st != DECC_OK || !decc_address_eq(&who, &me));
  /* r = 0 and s = 0 are invalid. */
  memcpy(alt, sig, 65);
  memset(alt, 0, 32);
  ASSERT_EQ(decc_recover_digest(&who, d, alt), DECC_E_BAD_SIGNATURE);
  memcpy(alt, sig, 65);
  memset(alt + 32, 0, 32);
  ASSERT_EQ(decc_recover_digest(&who, d, alt), DECC_E_BAD_SIGNATURE);
  memset(alt, 0xff, 64);
  alt[64] = 27;
  ASSERT_EQ(decc_recover_digest(&who, d, alt), DECC_E_BAD_SIGNATURE);
}

TEST(bad_private_keys) {
  uint8_t zero[32] = {0}, n[32], sig[65], d[32] = {1};
  unhex(n, 32,
        "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  ASSERT_EQ(decc_privkey_verify(zero), DECC_E_INVALID);
  ASSERT_EQ(decc_privkey_verify(n), DECC_E_INVALID);
  n[31] = 0x40; /* n − 1 is the largest valid key */
  ASSERT_OK(decc_privkey_verify(n));
  decc_address a;
  uint8_t pub[64];
  ASSERT_EQ(decc_address_from_privkey(&a, zero), DECC_E_INVALID);
  ASSERT_EQ(decc_pubkey_from_privkey(pub, zero), DECC_E_INVALID);
  ASSERT_EQ(decc_sign_digest(sig, zero, d), DECC_E_INVALID);
  uint8_t k1[32], k2[32];
  ASSERT_OK(decc_privkey_generate(k1));
  ASSERT_OK(decc_privkey_generate(k2));
  ASSERT_OK(decc_privkey_verify(k1));
  ASSERT(memcmp(k1, k2, 32) != 0);
}

TEST(signing_is_deterministic) {
  uint8_t sk[32], d[32], s1[65], s2[65];
  memset(sk, 7, 32);
  memset(d, 9, 32);
  ASSERT_OK(decc_sign_digest(s1, sk, d));
  ASSERT_OK(decc_sign_digest(s2, sk, d));
  ASSERT_MEM_EQ(s1, s2, 65);
}
