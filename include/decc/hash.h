/*
 * decc/hash.h — keccak-256 (Ethereum's, 0x01 padding) and SHA-256.
 *
 * keccak-256 is implemented in decc (Debian has no C library for it);
 * SHA-256 wraps OpenSSL libcrypto. Both offer one-shot and streaming forms.
 * Streaming contexts are caller-allocated and need no clear function unless
 * they hashed secrets (then decc_memzero them). *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL or 0 when it returns a pointer or a number; a void
 * function returns at once) without touching anything.
 */
#ifndef DECC_HASH_H
#define DECC_HASH_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct decc_keccak256_ctx {
  uint64_t st[25]; /* private */
  uint8_t buf[136];
  size_t pos;
} decc_keccak256_ctx;

DECC_API void decc_keccak256_init(decc_keccak256_ctx *c);
DECC_API void decc_keccak256_update(decc_keccak256_ctx *c, const void *data,
                                    size_t n);
/* Writes the digest and wipes the context. */
DECC_API void decc_keccak256_final(decc_keccak256_ctx *c, uint8_t out32[32]);
/* One-shot keccak-256. */
DECC_API void decc_keccak256(uint8_t out32[32], const void *data, size_t n);
/* keccak-256 of n independent messages: out[i] = keccak256(data[i][0 ..
 * len[i])) for i < n (data[i] may be NULL when len[i] is 0; out may not
 * overlap the messages). Where the CPU has AVX-512, eight messages are
 * hashed at once, several times the rate of one at a time for short
 * messages (bench_keccak); elsewhere one at a time. Same digests either
 * way. */
DECC_API void decc_keccak256_many(uint8_t (*out)[32],
                                  const uint8_t *const *data, const size_t *len,
                                  size_t n);

typedef struct decc_sha256_ctx {
  void *md; /* private: OpenSSL EVP_MD_CTX */
} decc_sha256_ctx;

/* Returns: DECC_OK or DECC_E_NOMEM. On success the ctx must be finished with
 * decc_sha256_final or released with decc_sha256_abort. */
DECC_API decc_status decc_sha256_init(decc_sha256_ctx *c) DECC_WARN_UNUSED;
DECC_API void decc_sha256_update(decc_sha256_ctx *c, const void *data,
                                 size_t n);
DECC_API void decc_sha256_final(decc_sha256_ctx *c, uint8_t out32[32]);
/* Releases an unfinished ctx; a ctx already finished or aborted is a no-op
 * (c itself is required). */
DECC_API void decc_sha256_abort(decc_sha256_ctx *c);
/* One-shot SHA-256 (never fails for in-memory input). */
DECC_API void decc_sha256(uint8_t out32[32], const void *data, size_t n);

/* SHA-256 of a whole file, streamed in constant memory.
 * Returns: DECC_OK, DECC_E_IO (err names the path), DECC_E_NOMEM. */
DECC_API decc_status decc_sha256_file(uint8_t out32[32], const char *path,
                                      decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_HASH_H */
