/*
 * test_hash.c — keccak-256 against vectors generated with ethers (lengths
 * 0..300 cover every padding position of the 136-byte rate, plus 1 KB to
 * 1 MiB), every streaming split of short inputs, and SHA-256 against the
 * FIPS 180-2 examples.
 */
#include <jansson.h>
#include <stdlib.h>

#include "decc/encoding.h"
#include "decc/hash.h"
#include "test.h"

static uint8_t *gen_input(size_t n) {
  uint8_t *b = malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++)
    b[i] = (uint8_t)((i * 31 + n * 7 + 3) & 0xff);
  return b;
}

TEST(keccak_known_answers) {
  uint8_t h[32];
  char hex[67];
  decc_keccak256(h, "", 0);
  ASSERT_STR_EQ(
      decc_hex_encode(hex, h, 32, 0),
      "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  decc_keccak256(h, "abc", 3);
  ASSERT_STR_EQ(
      decc_hex_encode(hex, h, 32, 0),
      "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(keccak_vectors_from_ethers) {
  json_error_t je;
  json_t *root =
      json_load_file(decc_test_vector_path("crypto/keccak.json"), 0, &je);
  ASSERT(root != NULL);
  json_t *gen = json_object_get(root, "generated");
  ASSERT(json_array_size(gen) > 300);
  size_t i;
  json_t *v;
  json_array_foreach(gen, i, v) {
    size_t n = (size_t)json_integer_value(json_object_get(v, "len"));
    uint8_t *in = gen_input(n);
    uint8_t h[32];
    char hex[67];
    decc_keccak256(h, in, n);
    free(in);
    ASSERT_STR_EQ(decc_hex_encode(hex, h, 32, 1),
                  json_string_value(json_object_get(v, "hash")));
  }
  json_array_foreach(json_object_get(root, "texts"), i, v) {
    const char *t = json_string_value(json_object_get(v, "text"));
    uint8_t h[32];
    char hex[67];
    decc_keccak256(h, t, strlen(t));
    ASSERT_STR_EQ(decc_hex_encode(hex, h, 32, 1),
                  json_string_value(json_object_get(v, "hash")));
  }
  json_decref(root);
}

TEST(keccak_streaming_equals_oneshot) {
  /* Every split point of every length up to 2 blocks + 1. */
  for (size_t n = 0; n <= 273; n++) {
    uint8_t *in = gen_input(n);
    uint8_t ref[32];
    decc_keccak256(ref, in, n);
    for (size_t a = 0; a <= n; a += (n > 40 ? 7 : 1)) {
      for (size_t b = a; b <= n; b += (n > 40 ? 11 : 1)) {
        decc_keccak256_ctx c;
        uint8_t h[32];
        decc_keccak256_init(&c);
        decc_keccak256_update(&c, in, a);
        decc_keccak256_update(&c, in + a, b - a);
        decc_keccak256_update(&c, in + b, n - b);
        decc_keccak256_final(&c, h);
        if (memcmp(h, ref, 32) != 0) {
          free(in);
          decc_test_fail(__FILE__, __LINE__, "split n=%zu a=%zu b=%zu", n, a,
                         b);
          return;
        }
      }
    }
    free(in);
  }
}

TEST(sha256_fips_examples) {
  uint8_t h[32];
  char hex[65];
  decc_sha256(h, "abc", 3);
  ASSERT_STR_EQ(
      decc_hex_encode(hex, h, 32, 0),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  decc_sha256(h, "", 0);
  ASSERT_STR_EQ(
      decc_hex_encode(hex, h, 32, 0),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  decc_sha256_ctx c;
  ASSERT_OK(decc_sha256_init(&c));
  decc_sha256_update(&c, two, 10);
  decc_sha256_update(&c, two + 10, strlen(two) - 10);
  decc_sha256_final(&c, h);
  ASSERT_STR_EQ(
      decc_hex_encode(hex, h, 32, 0),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(sha256_file_and_missing_file) {
  const char *dir = decc_test_tmpdir();
  char path[600];
  snprintf(path, sizeof path, "%s/f.bin", dir);
  FILE *f = fopen(path, "wb");
  ASSERT(f != NULL);
  fputs("abc", f);
  fclose(f);
  uint8_t h[32], ref[32];
  decc_sha256(ref, "abc", 3);
  ASSERT_OK(decc_sha256_file(h, path, NULL));
  ASSERT_MEM_EQ(h, ref, 32);
  decc_err err;
  decc_err_clear(&err);
  snprintf(path, sizeof path, "%s/missing", dir);
  ASSERT_EQ(decc_sha256_file(h, path, &err), DECC_E_IO);
  ASSERT(strstr(err.msg, "missing") != NULL);
}
