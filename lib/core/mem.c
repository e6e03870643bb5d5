/*
 * mem.c — allocator hooks, secret wiping, constant-time compare, secure
 * allocation and the random generator.
 *
 * Secure allocation and randomness come from libsodium (guard pages,
 * canary, mlock, MADV_DONTDUMP; getrandom-backed CSPRNG). decc_init starts
 * libsodium once; the helpers here call it lazily so library users do not
 * have to.
 */
#include "decc/mem.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *libc_malloc(size_t n) { return malloc(n); }
static void *libc_realloc(void *p, size_t n) { return realloc(p, n); }
static void libc_free(void *p) { free(p); }

static decc_allocator g_alloc = {libc_malloc, libc_realloc, libc_free};

void decc_set_allocator(const decc_allocator *a) {
  if (a && a->malloc_fn && a->realloc_fn && a->free_fn)
    g_alloc = *a;
  else
    g_alloc = (decc_allocator){libc_malloc, libc_realloc, libc_free};
}

void *decc_malloc(size_t n) { return g_alloc.malloc_fn(n ? n : 1); }

void *decc_calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size)
    return NULL;
  void *p = decc_malloc(count * size);
  if (p)
    memset(p, 0, (count * size) != 0 ? count * size : 1);
  return p;
}

void *decc_realloc(void *p, size_t n) {
  return g_alloc.realloc_fn(p, n ? n : 1);
}

void decc_free(void *p) {
  if (p)
    g_alloc.free_fn(p);
}

char *decc_strndup(const char *s, size_t n) {
  if (!s)
    return NULL;
  char *d = decc_malloc(n + 1);
  if (!d)
    return NULL;
  memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

char *decc_strdup(const char *s) {
  return s ? decc_strndup(s, strlen(s)) : NULL;
}

void decc_memzero(void *p, size_t n) {
  if (p && n)
    sodium_memzero(p, n);
}

int decc_ct_memeq(const void *a, const void *b, size_t n) {
  DECC_ARG_CHECK_RET(a != NULL || n == 0, 0);
  DECC_ARG_CHECK_RET(b != NULL || n == 0, 0);
  if (n == 0)
    return 1;
  return sodium_memcmp(a, b, n) == 0;
}

void *decc_secure_alloc(size_t n) {
  if (decc_init() != DECC_OK)
    return NULL;
  void *p = sodium_malloc(n ? n : 1);
  if (p)
    memset(p, 0, n ? n : 1);
  return p;
}

void decc_secure_free(void *p) {
  if (p)
    sodium_free(p); /* wipes before unmapping */
}

decc_status decc_random_bytes(void *buf, size_t n) {
  DECC_ARG_CHECK(buf != NULL || n == 0);
  if (decc_init() != DECC_OK)
    return DECC_E_CRYPTO;
  if (n) /* libsodium declares buf non-NULL even for 0 bytes */
    randombytes_buf(buf, n);
  return DECC_OK;
}
