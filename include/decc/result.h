/*
 * decc/result.h — iExec result encryption: the beneficiary's RSA key pair
 * and the encrypted result archive (iexec-protocol.md §5.7 and §6).
 *
 * Key pair: RSA-4096; the public key travels as SPKI PEM ("BEGIN PUBLIC
 * KEY"), and the SMS stores base64(PEM) of it (secret
 * "iexec-result-encryption-public-key"); the private key is kept as PKCS#8
 * PEM ("BEGIN PRIVATE KEY").
 *
 * Archive (what the enclave's post-compute uploads when the request sets
 * iexec_result_encryption): a zip whose root holds
 *     iexec_out.zip.aes = IV(16) ‖ AES-256-CBC-PKCS#7(aesKey, iexec_out.zip)
 *     aes-key.rsa       = RSA-PKCS#1-v1.5-encrypt(beneficiary pub, aesKey)
 * with a fresh random 32-byte aesKey (aes-key.rsa is 512 raw bytes for
 * RSA-4096). Decryption follows the iExec SDK's decryptResult: both entries
 * required (aes-key.rsa at most 1000 bytes, iexec_out.zip.aes at most
 * 1,000,000,000 bytes); if the raw RSA decryption fails, the legacy form is
 * tried (aes-key.rsa is base64 text of the RSA ciphertext whose plaintext is
 * the base64 AES key); then a 32-byte key means AES-256-CBC with the IV in
 * the first 16 payload bytes, a 16-byte key means the legacy AES-128-ECB
 * over the base64-decoded payload. The output is the original iexec_out.zip.
 *
 * Payloads stream through fixed buffers (libzip reads the entry in chunks);
 * memory use does not grow with the result size for the file forms.
 *
 * Thread-safety: an RSA key is read-only after creation and may be shared.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL or 0 when it returns a pointer or a number; a void
 * function returns at once) without touching anything.
 */
#ifndef DECC_RESULT_H
#define DECC_RESULT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- RSA keys ------------------------------------------------------------ */

#define DECC_RSA_DEFAULT_BITS 4096u

/* An RSA public key or key pair (OpenSSL EVP_PKEY inside). Opaque. */
typedef struct decc_rsa_key decc_rsa_key;

/* Generates a key pair of `bits` bits (0 = 4096; 2048..16384, multiple of
 * 8), public exponent 65537. Takes about a second for 4096 bits.
 * Out: *out (decc_rsa_key_destroy). Returns: DECC_OK, DECC_E_INVALID (bits),
 * DECC_E_CRYPTO. */
DECC_API decc_status decc_rsa_keygen(decc_rsa_key **out, unsigned bits,
                                     decc_err *err) DECC_WARN_UNUSED;

/* Parses a key from text (`len` bytes, need not be NUL-terminated):
 * PEM "PUBLIC KEY" (SPKI), "RSA PUBLIC KEY" (PKCS#1), "PRIVATE KEY"
 * (PKCS#8) or "RSA PRIVATE KEY" (PKCS#1); or the base64 of such a PEM (the
 * SMS form); leading/trailing whitespace ignored. Encrypted private keys
 * are refused. The text may be secret: the caller wipes it.
 * Out: *out. Returns: DECC_OK; DECC_E_PARSE (not a PEM key / not RSA);
 * DECC_E_UNSUPPORTED (encrypted PEM); DECC_E_RANGE (under 1024 bits or
 * over 16384); DECC_E_NOMEM. */
DECC_API decc_status decc_rsa_key_parse(decc_rsa_key **out, const char *text,
                                        size_t len,
                                        decc_err *err) DECC_WARN_UNUSED;

/* Returns: 1 when key holds the private half, 0 when public only. */
DECC_API int decc_rsa_key_is_private(const decc_rsa_key *key);
/* Returns: the modulus size in bits. */
DECC_API unsigned decc_rsa_key_bits(const decc_rsa_key *key);

/* Serializes the public key as SPKI PEM ("-----BEGIN PUBLIC KEY-----",
 * 64-column lines, final newline). Out: *pem (NUL-terminated, decc_free),
 * *len (optional). Returns: DECC_OK, DECC_E_NOMEM, DECC_E_CRYPTO. */
DECC_API decc_status decc_rsa_key_public_pem(char **pem, size_t *len,
                                             const decc_rsa_key *key,
                                             decc_err *err) DECC_WARN_UNUSED;

/* The SMS form: base64 (standard, padded, one line) of the public PEM
 * above. Out: *b64 (decc_free), *len (optional). Returns: as above. */
DECC_API decc_status decc_rsa_key_public_b64(char **b64, size_t *len,
                                             const decc_rsa_key *key,
                                             decc_err *err) DECC_WARN_UNUSED;

/* Serializes the private key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE
 * KEY-----"). Out: *pem in secure memory (NUL-terminated; release with
 * decc_secure_free), *len (optional). Returns: DECC_OK; DECC_E_INVALID
 * (public key only); DECC_E_NOMEM; DECC_E_CRYPTO. */
DECC_API decc_status decc_rsa_key_private_pem(char **pem, size_t *len,
                                              const decc_rsa_key *key,
                                              decc_err *err) DECC_WARN_UNUSED;

/* RSA PKCS#1 v1.5 encryption. out_cap must be at least bits/8; n at most
 * bits/8 - 11. Out: out, *out_len (= bits/8). Returns: DECC_OK;
 * DECC_E_RANGE (n too large or out too small); DECC_E_CRYPTO. */
DECC_API decc_status decc_rsa_encrypt_pkcs1(uint8_t *out, size_t out_cap,
                                            size_t *out_len,
                                            const decc_rsa_key *key,
                                            const void *in, size_t n,
                                            decc_err *err) DECC_WARN_UNUSED;

/* RSA PKCS#1 v1.5 decryption with the private key. The ciphertext must be
 * exactly bits/8 bytes. Implicit rejection (OpenSSL >= 3.2) is switched
 * off so a wrong key or a corrupted ciphertext is an error on every OpenSSL
 * version. Distinct errors make this a padding oracle if it were offered
 * to others as a service: decc only uses it locally, to decrypt one's own
 * results (the iExec SDK does the same); never expose it over a network.
 * Out: out (secret: the caller wipes it), *out_len.
 * Returns: DECC_OK; DECC_E_INVALID (public key only); DECC_E_RANGE (out too
 * small); DECC_E_BAD_MAC (wrong key or corrupted ciphertext). */
DECC_API decc_status decc_rsa_decrypt_pkcs1(uint8_t *out, size_t out_cap,
                                            size_t *out_len,
                                            const decc_rsa_key *key,
                                            const void *in, size_t n,
                                            decc_err *err) DECC_WARN_UNUSED;

/* Frees the key (OpenSSL wipes the private half). NULL is a no-op. */
DECC_API void decc_rsa_key_destroy(decc_rsa_key *key);

/* ---- result archive ------------------------------------------------------ */

#define DECC_RESULT_KEY_ENTRY "aes-key.rsa"
#define DECC_RESULT_PAYLOAD_ENTRY "iexec_out.zip.aes"
#define DECC_RESULT_MAX_KEY_ENTRY 1000u       /* SDK ENC_KEY_MAX_SIZE */
#define DECC_RESULT_MAX_PAYLOAD 1000000000ull /* SDK ENC_RESULTS_MAX_SIZE */

/* What decryption found. */
typedef struct decc_result_info {
  int legacy_key_b64;    /* 1: aes-key.rsa was base64 text (legacy) */
  unsigned aes_bits;     /* 256 (AES-256-CBC) or 128 (legacy AES-128-ECB) */
  uint64_t payload_size; /* bytes of iexec_out.zip.aes */
  uint64_t output_size;  /* bytes of the decrypted iexec_out.zip */
} decc_result_info;

/* Builds the encrypted archive of the file zip_path (the plain
 * iexec_out.zip) for the public key pub, into out_path (temporary file +
 * rename; nothing left on failure). The payload is encrypted while libzip
 * writes it (constant memory). Entries are stored (encrypted data does not
 * compress). Returns: DECC_OK; DECC_E_IO; DECC_E_LIMIT (input above
 * DECC_RESULT_MAX_PAYLOAD once encrypted); DECC_E_CRYPTO; DECC_E_NOMEM. */
DECC_API decc_status decc_result_encrypt_file(const char *out_path,
                                              const decc_rsa_key *pub,
                                              const char *zip_path,
                                              decc_err *err) DECC_WARN_UNUSED;

/* Same for n bytes in memory. Out: *out (decc_free), *out_len. */
DECC_API decc_status decc_result_encrypt(uint8_t **out, size_t *out_len,
                                         const decc_rsa_key *pub,
                                         const void *zip, size_t n,
                                         decc_err *err) DECC_WARN_UNUSED;

/* Decrypts the archive at archive_path with the private key into out_path
 * (temporary file + rename, mode 0600; nothing left on failure).
 * Out: info (optional). Returns: DECC_OK; DECC_E_IO; DECC_E_PARSE (not a
 * zip); DECC_E_NOT_FOUND (an entry is missing); DECC_E_LIMIT (an entry too
 * large); DECC_E_INVALID (a duplicated entry, or pub is not private);
 * DECC_E_BAD_MAC (wrong private key, or bad padding: wrong key or tampered
 * payload); DECC_E_CORRUPT (truncated payload, bad zip CRC, unexpected key
 * length); DECC_E_NOMEM. */
DECC_API decc_status decc_result_decrypt_file(const char *out_path,
                                              decc_result_info *info,
                                              const decc_rsa_key *priv,
                                              const char *archive_path,
                                              decc_err *err) DECC_WARN_UNUSED;

/* Same for an archive in memory. Out: *out (decc_free; NUL byte after the
 * data, not counted), *out_len, info (optional). */
DECC_API decc_status decc_result_decrypt(uint8_t **out, size_t *out_len,
                                         decc_result_info *info,
                                         const decc_rsa_key *priv,
                                         const void *archive, size_t n,
                                         decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_RESULT_H */
