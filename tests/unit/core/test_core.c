/*
 * test_core.c — status texts, error contexts, hex and base64 codecs (RFC
 * 4648 test vectors, malformed inputs), the bounded buffer and the memory
 * helpers.
 */
#include <stdlib.h>

#include "decc/buf.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "test.h"

TEST(status_names_and_texts) {
  ASSERT_STR_EQ(decc_status_name(DECC_OK), "OK");
  ASSERT_STR_EQ(decc_status_name(DECC_E_PARSE), "E_PARSE");
  ASSERT_STR_EQ(decc_strerror(DECC_E_BAD_MAC), "authentication failed");
  ASSERT_STR_EQ(decc_strerror((decc_status)9999), "unknown status");
}

TEST(err_set_and_prefix) {
  decc_err e;
  decc_err_clear(&e);
  ASSERT_EQ(decc_err_set(&e, DECC_E_RANGE, "value %d\ntoo big", 7),
            DECC_E_RANGE);
  ASSERT_STR_EQ(e.msg, "value 7 too big");
  decc_err_prefix(&e, "field %s", "price");
  ASSERT_STR_EQ(e.msg, "field price: value 7 too big");
  ASSERT_EQ(e.code, DECC_E_RANGE);
  ASSERT_EQ(decc_err_set(NULL, DECC_E_IO, "x"), DECC_E_IO);
  char longs[DECC_ERR_LEN + 100];
  memset(longs, 'a', sizeof longs - 1);
  longs[sizeof longs - 1] = 0;
  decc_err_set(&e, DECC_E_IO, "%s", longs);
  ASSERT_EQ(strlen(e.msg), DECC_ERR_LEN - 1);
}

TEST(hex_roundtrip_and_errors) {
  uint8_t in[256], out[256];
  for (int i = 0; i < 256; i++)
    in[i] = (uint8_t)i;
  char hex[520];
  decc_hex_encode(hex, in, 256, 1);
  ASSERT(strncmp(hex, "0x000102", 8) == 0);
  size_t n = 0;
  ASSERT_OK(decc_hex_decode(out, sizeof out, &n, hex, strlen(hex)));
  ASSERT_EQ(n, 256);
  ASSERT_MEM_EQ(in, out, 256);
  ASSERT_OK(decc_hex_decode(out, 4, &n, "0XABcd", 6));
  ASSERT_EQ(n, 2);
  ASSERT_EQ(out[0], 0xab);
  ASSERT_EQ(out[1], 0xcd);
  ASSERT_EQ(decc_hex_decode(out, 4, &n, "abc", 3), DECC_E_PARSE);
  ASSERT_EQ(decc_hex_decode(out, 4, &n, "zz", 2), DECC_E_PARSE);
  ASSERT_EQ(decc_hex_decode(out, 4, &n, "0g", 2), DECC_E_PARSE);
  ASSERT_EQ(decc_hex_decode(out, 4, &n, "  ", 2), DECC_E_PARSE);
  ASSERT_EQ(decc_hex_decode(out, 1, &n, "abcd", 4), DECC_E_RANGE);
  ASSERT_OK(decc_hex_decode(out, 1, &n, "0x", 2));
  ASSERT_EQ(n, 0);
  /* every non-hex byte value is rejected */
  for (int c = 0; c < 256; c++) {
    char s[3] = {'1', (char)c, 0};
    int is_hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                 (c >= 'A' && c <= 'F');
    decc_status st = decc_hex_decode(out, 1, &n, s, 2);
    ASSERT_EQ(st == DECC_OK, is_hex);
  }
}

TEST(hex_decode_exact_messages) {
  uint8_t out[32];
  decc_err e;
  decc_err_clear(&e);
  ASSERT_EQ(decc_hex_decode_exact(out, 32, "0x1234", "salt", &e), DECC_E_RANGE);
  ASSERT(strstr(e.msg, "salt") && strstr(e.msg, "64"));
  ASSERT_EQ(decc_hex_decode_exact(out, 2, "0xzz12", "tag", &e), DECC_E_PARSE);
  ASSERT(strstr(e.msg, "tag"));
  ASSERT_OK(decc_hex_decode_exact(out, 2, "0xff12", "tag", &e));
  ASSERT_EQ(out[0], 0xff);
}

TEST(base64_rfc4648_vectors) {
  static const char *plain[] = {"",     "f",     "fo",    "foo",
                                "foob", "fooba", "foobar"};
  static const char *enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                              "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; i++) {
    char out[32];
    decc_base64_encode(out, (const uint8_t *)plain[i], strlen(plain[i]));
    ASSERT_STR_EQ(out, enc[i]);
    ASSERT_EQ(decc_base64_encoded_len(strlen(plain[i])), strlen(enc[i]));
    uint8_t dec[32];
    size_t n = 0;
    ASSERT_OK(decc_base64_decode(dec, sizeof dec, &n, enc[i], strlen(enc[i])));
    ASSERT_EQ(n, strlen(plain[i]));
    ASSERT_MEM_EQ(dec, plain[i], n);
  }
}

TEST(base64_all_bytes_and_errors) {
  uint8_t in[256], dec[256];
  for (int i = 0; i < 256; i++)
    in[i] = (uint8_t)(255 - i);
  for (size_t len = 0; len <= 64; len++) {
    char out[400];
    decc_base64_encode(out, in, len);
    size_t n = 0;
    ASSERT_OK(decc_base64_decode(dec, sizeof dec, &n, out, strlen(out)));
    ASSERT_EQ(n, len);
    ASSERT_MEM_EQ(dec, in, len);
  }
  char all[400];
  decc_base64_encode(all, in, 255);
  ASSERT(strchr(all, '+') && strchr(all, '/'));
  size_t n;
  ASSERT_EQ(decc_base64_decode(dec, 16, &n, "Zm9v!mFy", 8), DECC_E_PARSE);
  ASSERT_EQ(decc_base64_decode(dec, 16, &n, "Zm9vY", 5), DECC_E_PARSE);
  ASSERT_EQ(decc_base64_decode(dec, 16, &n, "Zg=", 3), DECC_E_PARSE);
  ASSERT_EQ(decc_base64_decode(dec, 16, &n, "Zh==", 4),
            DECC_E_PARSE); /* non-canonical */
  ASSERT_EQ(decc_base64_decode(dec, 1, &n, "Zm9v", 4), DECC_E_RANGE);
  ASSERT_EQ(decc_base64_decode(dec, 16, &n, "Zm 9", 4), DECC_E_PARSE);
}

TEST(buf_growth_limits_and_steal) {
  decc_buf b;
  decc_buf_init(&b, 10);
  ASSERT_OK(decc_buf_append_str(&b, "hello"));
  ASSERT_OK(decc_buf_printf(&b, "%d", 1234));
  ASSERT_STR_EQ((char *)b.data, "hello1234");
  ASSERT_EQ(decc_buf_append_str(&b, "xx"), DECC_E_LIMIT);
  ASSERT_EQ(b.len, 9);
  ASSERT_OK(decc_buf_append_byte(&b, '!'));
  size_t len;
  uint8_t *p = decc_buf_steal(&b, &len);
  ASSERT_EQ(len, 10);
  ASSERT(b.data == NULL && b.len == 0);
  decc_free(p);
  decc_buf_init_secret(&b, 0);
  for (int i = 0; i < 1000; i++)
    ASSERT_OK(decc_buf_append(&b, "0123456789", 10));
  ASSERT_EQ(b.len, 10000);
  uint8_t *ext;
  ASSERT_OK(decc_buf_extend(&b, 5, &ext));
  ASSERT_EQ(ext[0], 0);
  decc_buf_reset(&b);
  ASSERT_EQ(b.len, 0);
  decc_buf_clear(&b);
  ASSERT(b.data == NULL);
}

static int g_fail_after = -1;
static void *failing_malloc(size_t n) {
  if (g_fail_after == 0)
    return NULL;
  if (g_fail_after > 0)
    g_fail_after--;
  return malloc(n);
}
static void *failing_realloc(void *p, size_t n) {
  if (g_fail_after == 0)
    return NULL;
  if (g_fail_after > 0)
    g_fail_after--;
  return realloc(p, n);
}

TEST(buf_reports_oom) {
  decc_allocator a = {failing_malloc, failing_realloc, free};
  decc_set_allocator(&a);
  decc_buf b;
  decc_buf_init(&b, 0);
  g_fail_after = 0;
  ASSERT_EQ(decc_buf_append_str(&b, "x"), DECC_E_NOMEM);
  g_fail_after = -1;
  ASSERT_OK(decc_buf_append_str(&b, "x"));
  decc_buf_clear(&b);
  decc_set_allocator(NULL);
}

TEST(memory_helpers) {
  uint8_t a[32], b[32];
  memset(a, 7, sizeof a);
  memcpy(b, a, sizeof b);
  ASSERT(decc_ct_memeq(a, b, 32));
  b[31] ^= 1;
  ASSERT(!decc_ct_memeq(a, b, 32));
  decc_memzero(a, sizeof a);
  for (int i = 0; i < 32; i++)
    ASSERT_EQ(a[i], 0);
  uint8_t *s = decc_secure_alloc(100);
  ASSERT(s != NULL);
  for (int i = 0; i < 100; i++)
    ASSERT_EQ(s[i], 0);
  decc_secure_free(s);
  uint8_t r1[32], r2[32];
  ASSERT_OK(decc_random_bytes(r1, 32));
  ASSERT_OK(decc_random_bytes(r2, 32));
  ASSERT(memcmp(r1, r2, 32) != 0);
  char *d = decc_strndup("abcdef", 3);
  ASSERT_STR_EQ(d, "abc");
  decc_free(d);
  ASSERT(decc_calloc(SIZE_MAX / 2, 4) == NULL);
}
