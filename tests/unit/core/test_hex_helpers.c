/*
 * test_hex_helpers.c — core's hex helpers beyond decc/encoding.h, which
 * replaced the private copies of eight layers (internal.h): the digit
 * parser, the uppercase encoder, the 0x-DATA decoder into a fresh buffer,
 * and the JSON "0x…" pair. Each is checked against an independent
 * reference (a digit table, the public codec, a round trip) over every
 * character or many lengths, and on the inputs the old copies refused.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "test.h"

TEST(hex_digit_all_256_characters) {
  static const char DIG[] = "0123456789abcdef";
  for (int c = 0; c < 256; c++) {
    int want = -1;
    const char *p = c ? strchr(DIG, tolower(c)) : NULL;
    if (p && c < 128)
      want = (int)(p - DIG);
    ASSERT_EQ(decc__hex_digit((char)c), want);
  }
}

TEST(hex_encode_upper_matches_public_codec) {
  /* Intel's spelling of an FMSPC, as in its TCB info. */
  const uint8_t fmspc[6] = {0x00, 0x90, 0x6e, 0xd5, 0x00, 0x00};
  char up[13];
  ASSERT_STR_EQ(decc__hex_encode_upper(up, fmspc, 6), "00906ED50000");
  uint8_t b[256];
  for (size_t i = 0; i < sizeof b; i++)
    b[i] = (uint8_t)(i * 151u + 7u);
  for (size_t n = 0; n <= sizeof b; n += 17) {
    char u[2 * 256 + 1], l[2 * 256 + 1];
    decc__hex_encode_upper(u, b, n);
    decc_hex_encode(l, b, n, 0);
    ASSERT_EQ(strlen(u), 2 * n);
    for (size_t i = 0; i < 2 * n; i++) {
      ASSERT(!islower((unsigned char)u[i]));
      ASSERT_EQ(tolower((unsigned char)u[i]), l[i]);
    }
    uint8_t back[256];
    size_t got = 0;
    ASSERT_OK(decc_hex_decode(back, sizeof back, &got, u, 2 * n));
    ASSERT_EQ(got, n);
    ASSERT_MEM_EQ(back, b, n);
  }
}

TEST(hex_decode_alloc_data) {
  uint8_t *d = (uint8_t *)1;
  size_t n = 99;
  ASSERT_OK(decc__hex_decode_alloc("0x", &d, &n));
  ASSERT(d == NULL);
  ASSERT_EQ(n, 0);
  ASSERT_OK(decc__hex_decode_alloc("0XaB01", &d, &n));
  ASSERT_EQ(n, 2);
  ASSERT_EQ(d[0], 0xab);
  ASSERT_EQ(d[1], 0x01);
  decc_free(d);
  /* What JSON-RPC DATA is not: each refused with nothing allocated. */
  const char *bad[] = {NULL,  "",      "0",    "ab",   "x0",
                       "0x0", "0xabc", "0xzz", "0x0g", " 0x00"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    d = (uint8_t *)1;
    n = 99;
    ASSERT_EQ(decc__hex_decode_alloc(bad[i], &d, &n), DECC_E_PARSE);
    ASSERT(d == NULL);
    ASSERT_EQ(n, 0);
  }
  /* A long value round-trips through the public encoder. */
  uint8_t b[3000];
  for (size_t i = 0; i < sizeof b; i++)
    b[i] = (uint8_t)(i ^ (i >> 8));
  char *h = decc_malloc(2 * sizeof b + 3);
  ASSERT(h != NULL);
  decc_hex_encode(h, b, sizeof b, 1);
  ASSERT_OK(decc__hex_decode_alloc(h, &d, &n));
  ASSERT_EQ(n, sizeof b);
  ASSERT_MEM_EQ(d, b, n);
  decc_free(d);
  decc_free(h);
}

TEST(json_hex_round_trip_every_length) {
  uint8_t b[200], back[200];
  for (size_t i = 0; i < sizeof b; i++)
    b[i] = (uint8_t)(255 - i * 3);
  /* Both sides of the 65-byte stack buffer, and the empty value. */
  for (size_t n = 0; n <= sizeof b; n++) {
    json_t *j = decc__json_hex(b, n);
    ASSERT(json_is_string(j));
    char want[2 * 200 + 3];
    ASSERT_STR_EQ(json_string_value(j), decc_hex_encode(want, b, n, 1));
    ASSERT_EQ(json_string_length(j), 2 + 2 * n);
    memset(back, 0xee, sizeof back);
    ASSERT_OK(decc__json_hex_exact(back, n, j, 1));
    ASSERT_MEM_EQ(back, b, n);
    if (n < sizeof back) /* nothing written past n bytes */
      ASSERT_EQ(back[n], 0xee);
    json_decref(j);
  }
  json_t *e = decc__json_hex(NULL, 0);
  ASSERT_STR_EQ(json_string_value(e), "0x");
  json_decref(e);
  ASSERT(decc__json_hex(NULL, 1) == NULL);
}

TEST(json_hex_exact_refusals) {
  uint8_t out[4];
  const uint8_t keep[4] = {1, 2, 3, 4};
  json_t *j;
  /* The prefix: required for JSON-RPC, optional for the assignments. */
  j = json_string("deadbeef");
  ASSERT_EQ(decc__json_hex_exact(out, 4, j, 1), DECC_E_PARSE);
  ASSERT_OK(decc__json_hex_exact(out, 4, j, 0));
  ASSERT_EQ(out[0], 0xde);
  ASSERT_EQ(out[3], 0xef);
  json_decref(j);
  j = json_string("0XDEADBEEF");
  ASSERT_OK(decc__json_hex_exact(out, 4, j, 1));
  ASSERT_EQ(out[1], 0xad);
  json_decref(j);
  /* Another length: DECC_E_RANGE, out untouched. */
  const char *lens[] = {"0x", "0xdeadbe", "0xdeadbeef00", "0xdeadbeef0"};
  for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
    memcpy(out, keep, 4);
    j = json_string(lens[i]);
    ASSERT_EQ(decc__json_hex_exact(out, 4, j, 1), DECC_E_RANGE);
    ASSERT_MEM_EQ(out, keep, 4);
    json_decref(j);
  }
  /* A non-hex digit, a non-string, nothing at all. */
  j = json_string("0xdeadbeeg");
  ASSERT_EQ(decc__json_hex_exact(out, 4, j, 1), DECC_E_PARSE);
  json_decref(j);
  j = json_integer(0);
  ASSERT_EQ(decc__json_hex_exact(out, 4, j, 1), DECC_E_PARSE);
  json_decref(j);
  ASSERT_EQ(decc__json_hex_exact(out, 4, NULL, 0), DECC_E_PARSE);
  /* An embedded NUL: the bytes after it are part of the value. */
  j = json_stringn("0xdeadbeef\0zz", 13);
  ASSERT(j != NULL);
  ASSERT_EQ(decc__json_hex_exact(out, 4, j, 1), DECC_E_PARSE);
  json_decref(j);
}
