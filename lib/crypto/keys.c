/*
 * keys.c — secp256k1 keys, Ethereum addresses (EIP-55), digest signatures
 * and EIP-191 personal_sign, on top of libsecp256k1.
 *
 * Verification mirrors OpenZeppelin's ECDSA.tryRecover as PoCo uses it:
 * s must be in the lower half of the curve order and v must be 27/28 (0/1
 * are accepted as raw recovery ids, as ethers does). libsecp256k1's
 * ecdsa_recover accepts high-S, so the check is explicit here.
 */
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/mem.h"

static const secp256k1_context *ctx(void) {
  return (const secp256k1_context *)decc__secp_ctx();
}

decc_status decc_privkey_verify(const uint8_t sk32[32]) {
  DECC_ARG_CHECK(sk32 != NULL);
  const secp256k1_context *c = ctx();
  if (!c)
    return DECC_E_CRYPTO;
  return secp256k1_ec_seckey_verify(c, sk32) ? DECC_OK : DECC_E_INVALID;
}

decc_status decc_privkey_generate(uint8_t sk32[32]) {
  DECC_ARG_CHECK(sk32 != NULL);
  for (int i = 0; i < 128; i++) {
    if (decc_random_bytes(sk32, 32) != DECC_OK)
      return DECC_E_CRYPTO;
    if (decc_privkey_verify(sk32) == DECC_OK)
      return DECC_OK;
  }
  decc_memzero(sk32, 32);
  return DECC_E_CRYPTO; /* 128 invalid draws means the RNG is broken */
}

decc_status decc_pubkey_from_privkey(uint8_t pub64[64],
                                     const uint8_t sk32[32]) {
  DECC_ARG_CHECK(pub64 != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  const secp256k1_context *c = ctx();
  if (!c)
    return DECC_E_CRYPTO;
  secp256k1_pubkey pk;
  if (!secp256k1_ec_pubkey_create(c, &pk, sk32))
    return DECC_E_INVALID;
  uint8_t ser[65];
  size_t len = sizeof ser;
  if (!secp256k1_ec_pubkey_serialize(c, ser, &len, &pk,
                                     SECP256K1_EC_UNCOMPRESSED))
    return DECC_E_CRYPTO;
  memcpy(pub64, ser + 1, 64);
  return DECC_OK;
}

void decc_address_from_pubkey(decc_address *out, const uint8_t pub64[64]) {
  DECC_ARG_CHECK_VOID(out != NULL);
  DECC_ARG_CHECK_VOID(pub64 != NULL);
  uint8_t h[32];
  decc_keccak256(h, pub64, 64);
  memcpy(out->b, h + 12, 20);
}

decc_status decc_address_from_privkey(decc_address *out,
                                      const uint8_t sk32[32]) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  uint8_t pub[64];
  decc_status st = decc_pubkey_from_privkey(pub, sk32);
  if (st)
    return st;
  decc_address_from_pubkey(out, pub);
  return DECC_OK;
}

char *decc_address_to_hex(char out[DECC_ADDRESS_HEX_LEN],
                          const decc_address *a) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(a != NULL, NULL);
  return decc_hex_encode(out, a->b, 20, 1);
}

char *decc_address_to_checksum(char out[DECC_ADDRESS_HEX_LEN],
                               const decc_address *a) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(a != NULL, NULL);
  char lower[DECC_ADDRESS_HEX_LEN];
  decc_hex_encode(lower, a->b, 20, 1);
  uint8_t h[32];
  /* EIP-55: hash the 40 lowercase hex characters (no 0x). */
  decc_keccak256(h, lower + 2, 40);
  out[0] = '0';
  out[1] = 'x';
  for (int i = 0; i < 40; i++) {
    char c = lower[2 + i];
    int nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 0xf;
    if (c >= 'a' && c <= 'f' && nib >= 8)
      c = (char)(c - 'a' + 'A');
    out[2 + i] = c;
  }
  out[42] = '\0';
  return out;
}

decc_status decc_address_parse(decc_address *out, const char *s,
                               decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  if (!s)
    return decc_err_set(err, DECC_E_PARSE, "address missing");
  size_t len = strlen(s);
  if (len != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
    return decc_err_set(
        err, DECC_E_PARSE,
        "invalid address '%.60s': expected 0x and 40 hex digits", s);
  size_t n = 0;
  if (decc_hex_decode(out->b, 20, &n, s, len) != DECC_OK || n != 20)
    return decc_err_set(err, DECC_E_PARSE,
                        "invalid address '%.60s': not hexadecimal", s);
  int has_lower = 0, has_upper = 0;
  for (size_t i = 2; i < len; i++) {
    if (s[i] >= 'a' && s[i] <= 'f')
      has_lower = 1;
    if (s[i] >= 'A' && s[i] <= 'F')
      has_upper = 1;
  }
  if (has_lower && has_upper) {
    char cs[DECC_ADDRESS_HEX_LEN];
    decc_address_to_checksum(cs, out);
    if (strcmp(cs + 2, s + 2) != 0)
      return decc_err_set(err, DECC_E_INVALID,
                          "bad EIP-55 checksum in address %s (expected %s)", s,
                          cs);
  }
  return DECC_OK;
}

int decc_address_is_zero(const decc_address *a) {
  DECC_ARG_CHECK_RET(a != NULL, 0);
  static const uint8_t z[20];
  return memcmp(a->b, z, 20) == 0;
}

int decc_address_eq(const decc_address *a, const decc_address *b) {
  DECC_ARG_CHECK_RET(a != NULL, 0);
  DECC_ARG_CHECK_RET(b != NULL, 0);
  return memcmp(a->b, b->b, 20) == 0;
}

decc_status decc_sign_digest(uint8_t sig65[65], const uint8_t sk32[32],
                             const uint8_t digest32[32]) {
  DECC_ARG_CHECK(sig65 != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(digest32 != NULL);
  const secp256k1_context *c = ctx();
  if (!c)
    return DECC_E_CRYPTO;
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_sign_recoverable(c, &sig, digest32, sk32, NULL, NULL))
    return DECC_E_INVALID;
  int recid = 0;
  if (!secp256k1_ecdsa_recoverable_signature_serialize_compact(c, sig65, &recid,
                                                               &sig))
    return DECC_E_CRYPTO;
  sig65[64] = (uint8_t)(27 + recid);
  return DECC_OK;
}

/* Half the curve order n/2, big-endian: OpenZeppelin's upper bound for s. */
static const uint8_t HALF_N[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
    0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

static decc_status recover_rs(decc_address *out, const uint8_t digest32[32],
                              const uint8_t rs[64], int recid) {
  const secp256k1_context *c = ctx();
  if (!c)
    return DECC_E_CRYPTO;
  if (memcmp(rs + 32, HALF_N, 32) > 0)
    return DECC_E_BAD_SIGNATURE; /* high-S: malleable, rejected by OZ */
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(c, &sig, rs, recid))
    return DECC_E_BAD_SIGNATURE;
  secp256k1_pubkey pk;
  if (!secp256k1_ecdsa_recover(c, &pk, &sig, digest32))
    return DECC_E_BAD_SIGNATURE;
  uint8_t ser[65];
  size_t len = sizeof ser;
  if (!secp256k1_ec_pubkey_serialize(c, ser, &len, &pk,
                                     SECP256K1_EC_UNCOMPRESSED))
    return DECC_E_CRYPTO;
  decc_address_from_pubkey(out, ser + 1);
  return DECC_OK;
}

decc_status decc_recover_digest(decc_address *out, const uint8_t digest32[32],
                                const uint8_t sig65[65]) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(digest32 != NULL);
  DECC_ARG_CHECK(sig65 != NULL);
  int v = sig65[64];
  if (v == 27 || v == 28)
    v -= 27;
  if (v != 0 && v != 1)
    return DECC_E_BAD_SIGNATURE;
  return recover_rs(out, digest32, sig65, v);
}

decc_status decc_recover_digest_any(decc_address *out,
                                    const uint8_t digest32[32],
                                    const uint8_t *sig, size_t sig_len) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(digest32 != NULL);
  DECC_ARG_CHECK(sig != NULL);
  if (sig_len == 65)
    return decc_recover_digest(out, digest32, sig);
  if (sig_len != 64)
    return DECC_E_BAD_SIGNATURE;
  /* EIP-2098: the top bit of s carries the y parity. */
  uint8_t rs[64];
  memcpy(rs, sig, 64);
  int recid = rs[32] >> 7;
  rs[32] &= 0x7f;
  return recover_rs(out, digest32, rs, recid);
}

decc_status decc_verify_digest(const decc_address *expected,
                               const uint8_t digest32[32],
                               const uint8_t sig65[65]) {
  DECC_ARG_CHECK(expected != NULL);
  DECC_ARG_CHECK(digest32 != NULL);
  DECC_ARG_CHECK(sig65 != NULL);
  decc_address got;
  decc_status st = decc_recover_digest(&got, digest32, sig65);
  if (st)
    return st;
  return decc_address_eq(&got, expected) ? DECC_OK : DECC_E_BAD_SIGNATURE;
}

void decc_eip191_digest(uint8_t out32[32], const void *msg, size_t n) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(msg != NULL || n == 0);
  char prefix[64];
  int plen = snprintf(prefix, sizeof prefix,
                      "\x19"
                      "Ethereum Signed Message:\n%zu",
                      n);
  decc_keccak256_ctx c;
  decc_keccak256_init(&c);
  decc_keccak256_update(&c, prefix, (size_t)plen);
  decc_keccak256_update(&c, msg, n);
  decc_keccak256_final(&c, out32);
}

decc_status decc_eip191_sign(uint8_t sig65[65], const uint8_t sk32[32],
                             const void *msg, size_t n) {
  DECC_ARG_CHECK(sig65 != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(msg != NULL || n == 0);
  uint8_t d[32];
  decc_eip191_digest(d, msg, n);
  return decc_sign_digest(sig65, sk32, d);
}

decc_status decc_eip191_recover(decc_address *out, const void *msg, size_t n,
                                const uint8_t sig65[65]) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(msg != NULL || n == 0);
  DECC_ARG_CHECK(sig65 != NULL);
  uint8_t d[32];
  decc_eip191_digest(d, msg, n);
  return decc_recover_digest(out, d, sig65);
}
