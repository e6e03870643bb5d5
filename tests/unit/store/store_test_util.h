/*
 * store_test_util.h — the seeded PRNG the store vectors use (see
 * tools/vectors/gen_store.mjs): xorshift32, seed = (size mod 2^32) ^
 * 0x2545F491 (1 if 0), 4 bytes per step, least-significant first.
 */
#ifndef DECC_STORE_TEST_UTIL_H
#define DECC_STORE_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct prng_stream {
  uint32_t x;
  uint8_t pend[4];
  unsigned npend;
} prng_stream;

static inline void prng_init(prng_stream *s, uint64_t size) {
  s->x = (uint32_t)size ^ 0x2545F491u;
  if (s->x == 0)
    s->x = 1;
  s->npend = 0;
}

/* Produces the next n bytes of the stream. */
static inline void prng_fill(prng_stream *s, uint8_t *out, size_t n) {
  size_t i = 0;
  while (i < n && s->npend) {
    out[i++] = s->pend[4 - s->npend];
    s->npend--;
  }
  while (n - i >= 4) {
    uint32_t x = s->x;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s->x = x;
    out[i] = (uint8_t)x;
    out[i + 1] = (uint8_t)(x >> 8);
    out[i + 2] = (uint8_t)(x >> 16);
    out[i + 3] = (uint8_t)(x >> 24);
    i += 4;
  }
  if (i < n) {
    uint32_t x = s->x;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s->x = x;
    for (unsigned k = 0; k < 4; k++)
      s->pend[k] = (uint8_t)(x >> (8 * k));
    s->npend = 4;
    while (i < n) {
      out[i++] = s->pend[4 - s->npend];
      s->npend--;
    }
  }
}

/* Writes the PRNG file of `size` bytes to path. Returns 0 on success. */
static inline int prng_write_file(const char *path, uint64_t size) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return -1;
  prng_stream s;
  prng_init(&s, size);
  static uint8_t buf[1 << 16];
  uint64_t left = size;
  while (left) {
    size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
    prng_fill(&s, buf, n);
    if (fwrite(buf, 1, n, f) != n) {
      fclose(f);
      return -1;
    }
    left -= n;
  }
  return fclose(f) == 0 ? 0 : -1;
}

#endif
