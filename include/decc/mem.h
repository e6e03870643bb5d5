/*
 * decc/mem.h — allocation hooks, secure memory and randomness.
 *
 * All library allocations go through decc_malloc/decc_realloc/decc_free so
 * an embedder (or a test) can replace the allocator and make it fail.
 * Secret material (private keys, dataset keys, passwords) lives in memory
 * obtained from decc_secure_alloc (guard pages, mlock when the limit allows,
 * excluded from core dumps) or in locals wiped with decc_memzero on every
 * return path.
 *
 * Misuse: decc_ct_memeq and decc_random_bytes require their pointers when
 * the length is non-zero; a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns 0 /
 * DECC_E_INVALID without touching anything. The allocator functions keep
 * the libc contract: decc_free(NULL), decc_secure_free(NULL) and
 * decc_memzero(NULL, n) are no-ops, decc_realloc(NULL, n) allocates, and
 * decc_strdup / decc_strndup return NULL for a NULL s; none of these is
 * misuse.
 */
#ifndef DECC_MEM_H
#define DECC_MEM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Allocator hooks. Returns NULL on failure, like malloc. */
DECC_API void *decc_malloc(size_t n);
DECC_API void *decc_calloc(size_t count, size_t size);
DECC_API void *decc_realloc(void *p, size_t n);
/* Frees p; NULL is a no-op. */
DECC_API void decc_free(void *p);
/* Returns: a heap copy of s (decc_free it), or NULL on OOM / NULL input. */
DECC_API char *decc_strdup(const char *s);
/* Returns: a heap copy of the first n bytes of s plus a NUL (s must hold n
 * bytes), NULL on OOM or NULL s. */
DECC_API char *decc_strndup(const char *s, size_t n);

typedef struct decc_allocator {
  void *(*malloc_fn)(size_t n);
  void *(*realloc_fn)(void *p, size_t n);
  void (*free_fn)(void *p);
} decc_allocator;

/* Replaces the allocator (NULL restores the libc one). Not thread-safe:
 * call it before any other decc function. */
DECC_API void decc_set_allocator(const decc_allocator *a);

/* Frees p and sets it to NULL. */
#define DECC_FREE(p)                                                           \
  do {                                                                         \
    decc_free(p);                                                              \
    (p) = NULL;                                                                \
  } while (0)

/* Overwrites n bytes at p with zeros in a way the compiler cannot elide.
 * p NULL is a no-op. */
DECC_API void decc_memzero(void *p, size_t n);

/* Constant-time comparison. Returns: 1 when equal, 0 otherwise. The time
 * depends only on n. */
DECC_API int decc_ct_memeq(const void *a, const void *b, size_t n);

/* Secure allocation for long-lived secrets: guard pages, canary, mlock
 * (best effort: RLIMIT_MEMLOCK may prevent it), MADV_DONTDUMP.
 * Returns: zero-filled memory or NULL on OOM. Free with decc_secure_free,
 * which wipes the block. */
DECC_API void *decc_secure_alloc(size_t n);
/* Wipes and frees p; NULL is a no-op. */
DECC_API void decc_secure_free(void *p);

/* Fills buf with n cryptographically secure random bytes (libsodium).
 * Returns: DECC_OK or DECC_E_CRYPTO if the generator cannot start. */
DECC_API decc_status decc_random_bytes(void *buf, size_t n) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_MEM_H */
