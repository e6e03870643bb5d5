/*
 * decc/dataset.h — iExec dataset encryption: keys, the encrypted-file format
 * and its checksum (iexec-protocol.md §3.2 steps 4–6).
 *
 * Format (byte-identical with the iExec SDK's encryptAes256Cbc and the
 * pre-compute's decryption):
 *     encrypted = IV(16 random bytes) ‖ AES-256-CBC-PKCS#7(key, IV, data)
 *     checksum  = "0x" ‖ hex(SHA-256(encrypted))      (the on-chain bytes32)
 *     key       = base64 (standard alphabet, padded) of 32 random bytes,
 *                 i.e. 44 characters
 * There is no MAC: a wrong key is detected only through the PKCS#7 padding
 * of the last block (about 255 times out of 256), otherwise it decrypts to
 * garbage. Compare the checksum against the on-chain value to detect a
 * substituted file.
 *
 * Everything streams in constant memory (256 KiB buffers), for files of any
 * size; encryption computes the checksum in the same pass (on a second
 * thread when the data is larger than one buffer).
 *
 * Thread-safety: keys are read-only after creation and may be shared;
 * a stream belongs to one thread at a time.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL or 0 when it returns a pointer or a number; a void
 * function returns at once) without touching anything.
 */
#ifndef DECC_DATASET_H
#define DECC_DATASET_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DECC_DATASET_KEY_BYTES 32
#define DECC_DATASET_KEY_B64_LEN 44 /* characters, without NUL */
#define DECC_DATASET_IV_BYTES 16
#define DECC_DATASET_CHECKSUM_HEX_LEN 66 /* "0x" + 64, without NUL */

/* ---- keys ---------------------------------------------------------------- */

/* A dataset key: 32 bytes held in secure memory (decc_secure_alloc), wiped
 * when destroyed. Opaque. */
typedef struct decc_dataset_key decc_dataset_key;

/* Creates a fresh random key. Out: *out (decc_dataset_key_destroy).
 * Returns: DECC_OK, DECC_E_NOMEM, DECC_E_CRYPTO (no randomness). */
DECC_API decc_status decc_dataset_key_generate(decc_dataset_key **out,
                                               decc_err *err) DECC_WARN_UNUSED;

/* Parses the base64 text form (`len` bytes at `text`, need not be
 * NUL-terminated). Leading and trailing ASCII whitespace is ignored (key
 * files often end with a newline); the rest must be standard base64
 * (padding optional) that decodes to exactly 32 bytes.
 * Out: *out. Returns: DECC_OK; DECC_E_PARSE (not base64); DECC_E_RANGE
 * (decodes to another length than 32 bytes); DECC_E_NOMEM. The message
 * never contains the key. */
DECC_API decc_status decc_dataset_key_parse(decc_dataset_key **out,
                                            const char *text, size_t len,
                                            decc_err *err) DECC_WARN_UNUSED;

/* Wraps 32 raw key bytes (copied into secure memory; the caller wipes its
 * own copy). Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status
decc_dataset_key_from_bytes(decc_dataset_key **out, const uint8_t key32[32],
                            decc_err *err) DECC_WARN_UNUSED;

/* Writes the 44-character base64 form plus a NUL into out45. The caller
 * must wipe out45 (decc_memzero) when done: it is the key. */
DECC_API void decc_dataset_key_encode(char out45[45],
                                      const decc_dataset_key *key);

/* Returns: the 32 raw key bytes, borrowed from key (valid until it is
 * destroyed). */
DECC_API const uint8_t *decc_dataset_key_bytes(const decc_dataset_key *key);

/* Wipes and frees the key. NULL is a no-op. */
DECC_API void decc_dataset_key_destroy(decc_dataset_key *key);

/* ---- streaming ----------------------------------------------------------- */

/* Output callback: receives the next `len` output bytes in order.
 * Returns DECC_OK to continue; any other status aborts the stream (that
 * status is returned by the update/final call that triggered it). */
typedef decc_status (*decc_dataset_sink_fn)(const uint8_t *data, size_t len,
                                            void *user);

typedef struct decc_dataset_stream decc_dataset_stream;

/* Stream flags. */
#define DECC_DATASET_ENCRYPT 0x1u     /* encrypt (default: decrypt) */
#define DECC_DATASET_NO_CHECKSUM 0x2u /* skip the SHA-256 (final gives none) */

/* Starts an encryption (flags & DECC_DATASET_ENCRYPT) or a decryption.
 * Encryption uses iv16 when non-NULL (reproducible output, for tests and
 * vectors; never reuse an IV with the same key), else 16 random bytes; the
 * IV is the first output. Decryption takes the IV from the first 16 input
 * bytes (iv16 must be NULL). The key is copied into the cipher state: it
 * may be destroyed after this call.
 * The stream owns eight 256 KiB output buffers (and, when decrypting more
 * than 256 KiB with a checksum, eight more for the input copies it
 * hashes); output is handed to sink in chunks of at most 256 KiB + 32
 * bytes, from the calling thread only.
 * Out: *out (decc_dataset_stream_destroy).
 * Returns: DECC_OK; DECC_E_INVALID (iv16 with decryption); DECC_E_NOMEM;
 * DECC_E_CRYPTO. */
DECC_API decc_status decc_dataset_stream_create(
    decc_dataset_stream **out, unsigned flags, const decc_dataset_key *key,
    const uint8_t *iv16, decc_dataset_sink_fn sink, void *user,
    decc_err *err) DECC_WARN_UNUSED;

/* Feeds n input bytes (any split). Returns: DECC_OK; the sink's status;
 * DECC_E_STATE after an earlier failure or after final. */
DECC_API decc_status decc_dataset_stream_update(decc_dataset_stream *s,
                                                const void *in, size_t n,
                                                decc_err *err) DECC_WARN_UNUSED;

/* Ends the stream: pads (encryption) or checks and strips the padding
 * (decryption) and hands the remaining output to the sink.
 * Out: checksum32 (optional; unavailable with DECC_DATASET_NO_CHECKSUM) =
 * SHA-256 of the encrypted bytes (IV ‖ ciphertext): the output when
 * encrypting, the input when decrypting.
 * Returns: DECC_OK; DECC_E_CORRUPT (decryption input shorter than 32 bytes
 * or not IV + a multiple of 16 bytes: truncated); DECC_E_BAD_MAC (bad
 * padding: wrong key or tampered data); the sink's status; DECC_E_STATE.
 * On failure the output already handed to the sink must be discarded. */
DECC_API decc_status decc_dataset_stream_final(decc_dataset_stream *s,
                                               uint8_t *checksum32,
                                               decc_err *err) DECC_WARN_UNUSED;

/* Returns: bytes fed so far / bytes handed to the sink so far. */
DECC_API uint64_t decc_dataset_stream_bytes_in(const decc_dataset_stream *s);
DECC_API uint64_t decc_dataset_stream_bytes_out(const decc_dataset_stream *s);

/* Releases the stream (wiping the cipher state and buffers). NULL is a
 * no-op. */
DECC_API void decc_dataset_stream_destroy(decc_dataset_stream *s);

/* ---- whole files and memory ---------------------------------------------- */

/* Returns: the encrypted size for a plaintext of n bytes:
 * 16 + (n / 16 + 1) * 16. */
DECC_API uint64_t decc_dataset_encrypted_size(uint64_t n);

/* Encrypts everything readable from in_fd into out_fd (both left open;
 * neither needs to be seekable). iv16 as in decc_dataset_stream_create.
 * Out: checksum32 (optional). Returns: DECC_OK, DECC_E_IO, DECC_E_NOMEM,
 * DECC_E_CRYPTO. */
DECC_API decc_status decc_dataset_encrypt_fd(int out_fd, uint8_t *checksum32,
                                             const decc_dataset_key *key,
                                             const uint8_t *iv16, int in_fd,
                                             decc_err *err) DECC_WARN_UNUSED;

/* Decrypts in_fd into out_fd. Out: checksum32 (optional) = SHA-256 of the
 * input. Returns: as decc_dataset_stream_final, plus DECC_E_IO. On failure
 * out_fd holds partial garbage the caller must discard. */
DECC_API decc_status decc_dataset_decrypt_fd(int out_fd, uint8_t *checksum32,
                                             const decc_dataset_key *key,
                                             int in_fd,
                                             decc_err *err) DECC_WARN_UNUSED;

/* Encrypts the file in_path into out_path. The output is written to a
 * temporary file in out_path's directory, fsync'ed and renamed over
 * out_path only on success (mode 0666 & ~umask); on failure nothing is
 * left behind. in_path and out_path may name the same file.
 * Out: checksum32 (optional). Returns: DECC_OK, DECC_E_IO (err names the
 * path), DECC_E_NOMEM, DECC_E_CRYPTO. */
DECC_API decc_status decc_dataset_encrypt_file(const char *out_path,
                                               uint8_t *checksum32,
                                               const decc_dataset_key *key,
                                               const char *in_path,
                                               decc_err *err) DECC_WARN_UNUSED;

/* Decrypts in_path into out_path, atomically as above; the plaintext file
 * is created with mode 0600. When expect32 is non-NULL the SHA-256 of the
 * input must equal it (the on-chain checksum), else DECC_E_CORRUPT and no
 * output. Out: checksum32 (optional) = SHA-256 of the input.
 * Returns: DECC_OK; DECC_E_IO; DECC_E_CORRUPT (truncated, or checksum
 * mismatch); DECC_E_BAD_MAC (wrong key / tampered); DECC_E_NOMEM. */
DECC_API decc_status decc_dataset_decrypt_file(const char *out_path,
                                               uint8_t *checksum32,
                                               const decc_dataset_key *key,
                                               const char *in_path,
                                               const uint8_t *expect32,
                                               decc_err *err) DECC_WARN_UNUSED;

/* In-memory encryption. Out: *out (decc_free), *out_len =
 * decc_dataset_encrypted_size(n), checksum32 (optional). iv16 as above.
 * Returns: DECC_OK, DECC_E_NOMEM, DECC_E_CRYPTO. */
DECC_API decc_status decc_dataset_encrypt(uint8_t **out, size_t *out_len,
                                          uint8_t *checksum32,
                                          const decc_dataset_key *key,
                                          const uint8_t *iv16, const void *in,
                                          size_t n,
                                          decc_err *err) DECC_WARN_UNUSED;

/* In-memory decryption. Out: *out (decc_free; a NUL byte follows the data,
 * not counted), *out_len, checksum32 (optional, SHA-256 of the input).
 * Returns: as decc_dataset_stream_final. */
DECC_API decc_status decc_dataset_decrypt(uint8_t **out, size_t *out_len,
                                          uint8_t *checksum32,
                                          const decc_dataset_key *key,
                                          const void *in, size_t n,
                                          decc_err *err) DECC_WARN_UNUSED;

/* The dataset checksum of a file: "0x" + 64 lowercase hex digits of its
 * SHA-256, written with a NUL into hex67. Streams in constant memory.
 * Returns: DECC_OK, DECC_E_IO, DECC_E_NOMEM. */
DECC_API decc_status decc_dataset_checksum_file(char hex67[DECC_HEX32_LEN],
                                                const char *path,
                                                decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_DATASET_H */
