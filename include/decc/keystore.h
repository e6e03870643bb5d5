/*
 * decc/keystore.h — Ethereum V3 keystores (Web3 Secret Storage).
 *
 * Create and unlock JSON keystores readable by ethers, geth and foundry:
 * KDF scrypt (libsodium; any N/r/p the spec allows, including r=1) or
 * pbkdf2-hmac-sha256, cipher aes-128-ctr, MAC = keccak256(dk[16:32] ‖ ct).
 * Passwords and private keys are caller-owned; the library wipes its own
 * copies of derived keys before returning.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_KEYSTORE_H
#define DECC_KEYSTORE_H

#include "common.h"
#include "keys.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum decc_kdf {
  DECC_KDF_SCRYPT = 0, /* default: N=2^18, r=8, p=1 like geth/ethers */
  DECC_KDF_PBKDF2 = 1  /* c=262144, prf hmac-sha256 */
} decc_kdf;

typedef struct decc_keystore_params {
  decc_kdf kdf;
  uint64_t scrypt_n; /* 0 = default 262144 */
  uint32_t scrypt_r; /* 0 = default 8 */
  uint32_t scrypt_p; /* 0 = default 1 */
  uint32_t pbkdf2_c; /* 0 = default 262144 */
} decc_keystore_params;

/* Encrypts sk32 under password into a V3 keystore JSON text.
 * params may be NULL (scrypt defaults). Out: *json_out is a heap string
 * (decc_free) containing no secret in clear.
 * Returns: DECC_OK, DECC_E_INVALID (bad key, or KDF parameters beyond the
 * limits decc_keystore_decrypt enforces), DECC_E_NOMEM, DECC_E_CRYPTO. */
DECC_API decc_status decc_keystore_encrypt(char **json_out,
                                           const uint8_t sk32[32],
                                           const char *password, size_t pw_len,
                                           const decc_keystore_params *params,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Decrypts a V3 keystore JSON text. Out: sk32 (caller-provided, preferably
 * secure memory) and, if addr is non-NULL, the address derived from the key.
 * When the keystore carries an "address" field it must match the key.
 * Returns: DECC_OK; DECC_E_PARSE (not a V3 keystore, err says which field);
 * DECC_E_UNSUPPORTED (unknown kdf/cipher/prf); DECC_E_BAD_MAC (wrong
 * password or tampered file); DECC_E_LIMIT (KDF parameters beyond sane
 * limits: scrypt N a power of two ≤ 2^20, 128·N·r ≤ 1 GiB, N·r·p ≤ 2^24,
 * pbkdf2 c ≤ 2^24; file over 64 KiB); DECC_E_CORRUPT (the decrypted key is
 * invalid or does not match the "address" field: a tampered IV);
 * DECC_E_INVALID; DECC_E_NOMEM. sk32 is written only on success. */
DECC_API decc_status decc_keystore_decrypt(uint8_t sk32[32], decc_address *addr,
                                           const char *json, size_t json_len,
                                           const char *password, size_t pw_len,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Reads the address field of a keystore without decrypting it.
 * Returns: DECC_OK, DECC_E_PARSE, DECC_E_NOT_FOUND (no address field). */
DECC_API decc_status decc_keystore_address(decc_address *addr, const char *json,
                                           size_t json_len,
                                           decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
