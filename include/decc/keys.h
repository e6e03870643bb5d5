/*
 * decc/keys.h — secp256k1 keys, Ethereum addresses, signatures, EIP-191.
 *
 * Signatures are 65 bytes r ‖ s ‖ v with v in {27, 28}, always low-S when
 * produced here. Verification follows OpenZeppelin's ECDSA: a high-S
 * signature, or v outside {27, 28} (0/1 accepted as recovery ids), is
 * rejected with DECC_E_BAD_SIGNATURE. Private keys are 32 bytes; callers
 * keep them in decc_secure_alloc'd memory or wipe them after use.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional"; a message pointer may be NULL when its length is 0); a NULL
 * one is reported to the misuse handler (decc_set_misuse_handler,
 * common.h) and the function returns DECC_E_INVALID (NULL or 0 when it
 * returns a pointer or a number; a void function returns at once) without
 * touching anything. decc_address_parse treats a NULL s as missing input
 * (DECC_E_PARSE), not as misuse.
 */
#ifndef DECC_KEYS_H
#define DECC_KEYS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A 20-byte Ethereum address. */
typedef struct decc_address {
  uint8_t b[20];
} decc_address;

/* Generates a uniformly random valid private key.
 * Returns: DECC_OK or DECC_E_CRYPTO. */
DECC_API decc_status decc_privkey_generate(uint8_t sk32[32]) DECC_WARN_UNUSED;

/* Returns: DECC_OK when sk32 is a valid secp256k1 secret (0 < sk < n),
 * DECC_E_INVALID otherwise. */
DECC_API decc_status decc_privkey_verify(const uint8_t sk32[32])
    DECC_WARN_UNUSED;

/* Derives the uncompressed public key X ‖ Y (64 bytes, no 0x04 prefix).
 * Returns: DECC_OK or DECC_E_INVALID for an invalid secret. */
DECC_API decc_status decc_pubkey_from_privkey(
    uint8_t pub64[64], const uint8_t sk32[32]) DECC_WARN_UNUSED;

/* Address = last 20 bytes of keccak256(X ‖ Y). */
DECC_API void decc_address_from_pubkey(decc_address *out,
                                       const uint8_t pub64[64]);

/* Returns: DECC_OK, or DECC_E_INVALID for an invalid secret. */
DECC_API decc_status decc_address_from_privkey(
    decc_address *out, const uint8_t sk32[32]) DECC_WARN_UNUSED;

/* Writes the EIP-55 checksummed form "0x…" (43 bytes with NUL). */
DECC_API char *decc_address_to_checksum(char out[DECC_ADDRESS_HEX_LEN],
                                        const decc_address *a);
/* Writes the lowercase form "0x…" (43 bytes with NUL). */
DECC_API char *decc_address_to_hex(char out[DECC_ADDRESS_HEX_LEN],
                                   const decc_address *a);

/* Parses "0x" + 40 hex digits. All-lowercase and all-uppercase are
 * accepted as they carry no checksum; mixed case must be a valid EIP-55
 * checksum (like ethers' getAddress).
 * Returns: DECC_OK; DECC_E_PARSE (not 40 hex digits, or s NULL); DECC_E_INVALID
 * (mixed case with a wrong checksum). err names the problem. */
DECC_API decc_status decc_address_parse(decc_address *out, const char *s,
                                        decc_err *err) DECC_WARN_UNUSED;

/* Returns: 1 if every byte of a is zero. */
DECC_API int decc_address_is_zero(const decc_address *a);
/* Returns: 1 if equal. */
DECC_API int decc_address_eq(const decc_address *a, const decc_address *b);

/* Signs a 32-byte digest (RFC 6979 nonce, low-S). Out: sig65 = r ‖ s ‖ v
 * with v = 27 + recid. Returns: DECC_OK or DECC_E_INVALID (bad secret). */
DECC_API decc_status decc_sign_digest(uint8_t sig65[65], const uint8_t sk32[32],
                                      const uint8_t digest32[32])
    DECC_WARN_UNUSED;

/* Recovers the signer address of a 65-byte signature over digest32.
 * v may be 27/28 or 0/1. High-S signatures are rejected.
 * Returns: DECC_OK or DECC_E_BAD_SIGNATURE. */
DECC_API decc_status
decc_recover_digest(decc_address *out, const uint8_t digest32[32],
                    const uint8_t sig65[65]) DECC_WARN_UNUSED;

/* Like decc_recover_digest but also accepts 64-byte EIP-2098 compact
 * signatures (r ‖ yParityAndS). sig_len must be 64 or 65.
 * Returns: DECC_OK or DECC_E_BAD_SIGNATURE. */
DECC_API decc_status decc_recover_digest_any(decc_address *out,
                                             const uint8_t digest32[32],
                                             const uint8_t *sig,
                                             size_t sig_len) DECC_WARN_UNUSED;

/* Returns: DECC_OK when sig recovers to `expected`, DECC_E_BAD_SIGNATURE
 * otherwise (including high-S). */
DECC_API decc_status
decc_verify_digest(const decc_address *expected, const uint8_t digest32[32],
                   const uint8_t sig65[65]) DECC_WARN_UNUSED;

/* EIP-191 personal_sign digest: keccak256("\x19Ethereum Signed Message:\n"
 * ‖ decimal(n) ‖ msg). */
DECC_API void decc_eip191_digest(uint8_t out32[32], const void *msg, size_t n);

/* personal_sign over arbitrary bytes (text or a 32-byte hash as bytes). */
DECC_API decc_status decc_eip191_sign(uint8_t sig65[65], const uint8_t sk32[32],
                                      const void *msg,
                                      size_t n) DECC_WARN_UNUSED;
/* Recovers the signer of a personal_sign signature.
 * Returns: DECC_OK or DECC_E_BAD_SIGNATURE. */
DECC_API decc_status decc_eip191_recover(decc_address *out, const void *msg,
                                         size_t n, const uint8_t sig65[65])
    DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_KEYS_H */
