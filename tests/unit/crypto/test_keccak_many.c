/*
 * test_keccak_many.c — decc_keccak256_many, the eight-lane AVX-512 path
 * (lib/crypto/keccak_x8.c) and the one-message path: the ethers vectors
 * of every length 0..300 (every padding position of the 136-byte rate)
 * hashed in one call, and queues of random lengths and counts (lanes
 * refilled mid-run with messages of other lengths, empty messages given
 * as NULL) against decc_keccak256. On a CPU without AVX-512 (or under
 * valgrind, whose CPUID hides it) both runs take the one-message path;
 * the test says which it ran.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "test.h"

static uint8_t *gen_input(size_t n) {
  uint8_t *b = malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)((i * 31 + n * 7 + 3) & 0xff);
  return b;
}

TEST(keccak_many_path) {
  printf("  eight-lane AVX-512 path: %s\n",
         decc__keccak_x8_available() ? "available, tested"
                                     : "not available here (one at a time)");
}

/* Every generated ethers vector in one call (both paths). */
TEST(keccak_many_vectors_from_ethers) {
  json_error_t je;
  json_t *root =
      json_load_file(decc_test_vector_path("crypto/keccak.json"), 0, &je);
  ASSERT(root != NULL);
  json_t *gen = json_object_get(root, "generated");
  size_t n = json_array_size(gen);
  ASSERT(n > 300);
  uint8_t **in = calloc(n, sizeof *in);
  size_t *len = calloc(n, sizeof *len);
  uint8_t(*h)[32] = calloc(n, sizeof *h);
  ASSERT(in && len && h);
  for (size_t i = 0; i < n; i++) {
    len[i] = (size_t)json_integer_value(
        json_object_get(json_array_get(gen, i), "len"));
    in[i] = gen_input(len[i]);
  }
  for (int scalar = 0; scalar < 2; scalar++) {
    decc__keccak_many_scalar(scalar);
    memset(h, 0, n * sizeof *h);
    decc_keccak256_many(h, (const uint8_t *const *)in, len, n);
    for (size_t i = 0; i < n; i++) {
      char hex[67];
      ASSERT_STR_EQ(
          decc_hex_encode(hex, h[i], 32, 1),
          json_string_value(json_object_get(json_array_get(gen, i), "hash")));
    }
  }
  decc__keccak_many_scalar(0);
  for (size_t i = 0; i < n; i++)
    free(in[i]);
  free(in);
  free(len);
  free(h);
  json_decref(root);
}

/* Random queues against decc_keccak256, message by message. */
TEST(keccak_many_random_queues) {
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  enum { MAXN = 41 };
  for (int round = 0; round < 300; round++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t n = (size_t)(x % MAXN);
    uint8_t *in[MAXN];
    size_t len[MAXN];
    uint8_t h[MAXN][32], ref[32];
    for (size_t i = 0; i < n; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      /* mostly one block (logs, hashes of 32-byte words), some long */
      len[i] = (size_t)(x % 8 == 0 ? x % 1500 : (x >> 8) % 140);
      in[i] = len[i] == 0 && (x & 1) ? NULL : malloc(len[i] ? len[i] : 1);
      for (size_t k = 0; k < len[i]; k++)
        in[i][k] = (uint8_t)(x >> (k % 56));
    }
    memset(h, 0xee, sizeof h);
    decc_keccak256_many(h, (const uint8_t *const *)in, len, n);
    for (size_t i = 0; i < n; i++) {
      decc_keccak256(ref, in[i], len[i]);
      if (memcmp(h[i], ref, 32) != 0)
        fprintf(stderr, "round %d: message %zu of %zu (%zu bytes)\n", round, i,
                n, len[i]);
      ASSERT_MEM_EQ(h[i], ref, 32);
    }
    /* the slots after n are not written */
    for (size_t i = n; i < MAXN; i++)
      ASSERT(h[i][0] == 0xee && h[i][31] == 0xee);
    for (size_t i = 0; i < n; i++)
      free(in[i]);
  }
}
