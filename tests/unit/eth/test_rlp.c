/*
 * test_rlp.c — RLP: the Ethereum wiki examples as known answers, the
 * ethers-generated vectors in tests/vectors/eth/rlp.json (encoded with
 * decc's encoder and decoded back), and the canonical-form rejections the
 * strict decoder must make.
 */
#include <jansson.h>
#include <stdlib.h>

#include "decc/encoding.h"
#include "decc/rlp.h"
#include "test.h"

/* Hex (optional 0x) to a malloc'd buffer owned by the caller; aborts on
 * bad hex (vectors are trusted). */
static uint8_t *hexdup(const char *hex, size_t *len) {
  size_t n = strlen(hex);
  uint8_t *out = malloc(n / 2 + 1);
  size_t got = 0;
  if (!out || decc_hex_decode(out, n / 2 + 1, &got, hex, n) != DECC_OK)
    abort();
  if (len)
    *len = got;
  return out;
}

static int enc_eq(decc_rlp_enc *e, const uint8_t *want, size_t n) {
  decc_buf out;
  decc_buf_init(&out, 0);
  int ok = decc_rlp_enc_finish(e, &out) == DECC_OK && out.len == n &&
           (n == 0 || memcmp(out.data, want, n) == 0);
  decc_buf_clear(&out);
  return ok;
}

#define LOREM "Lorem ipsum dolor sit amet, consectetur adipisicing elit"

TEST(wiki_examples_encode) {
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, 0);
  ASSERT_OK(decc_rlp_enc_push_bytes(&e, "dog", 3));
  ASSERT(enc_eq(&e,
                (const uint8_t *)"\x83"
                                 "dog",
                4));

  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_push_bytes(&e, "cat", 3));
  ASSERT_OK(decc_rlp_enc_push_bytes(&e, "dog", 3));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT(enc_eq(&e,
                (const uint8_t *)"\xc8\x83"
                                 "cat\x83"
                                 "dog",
                9));

  ASSERT_OK(decc_rlp_enc_push_bytes(&e, NULL, 0));
  ASSERT(enc_eq(&e, (const uint8_t *)"\x80", 1));

  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT(enc_eq(&e, (const uint8_t *)"\xc0", 1));

  ASSERT_OK(decc_rlp_enc_push_u64(&e, 0));
  ASSERT(enc_eq(&e, (const uint8_t *)"\x80", 1));
  ASSERT_OK(decc_rlp_enc_push_bytes(&e, "\x00", 1));
  ASSERT(enc_eq(&e, (const uint8_t *)"\x00", 1));
  ASSERT_OK(decc_rlp_enc_push_u64(&e, 15));
  ASSERT(enc_eq(&e, (const uint8_t *)"\x0f", 1));
  ASSERT_OK(decc_rlp_enc_push_u64(&e, 1024));
  ASSERT(enc_eq(&e, (const uint8_t *)"\x82\x04\x00", 3));
  decc_u256 v = decc_u256_from_u64(1024);
  ASSERT_OK(decc_rlp_enc_push_u256(&e, &v));
  ASSERT(enc_eq(&e, (const uint8_t *)"\x82\x04\x00", 3));

  /* [ [], [[]], [ [], [[]] ] ] */
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT(enc_eq(&e, (const uint8_t *)"\xc7\xc0\xc1\xc0\xc3\xc0\xc1\xc0", 8));

  ASSERT_EQ(strlen(LOREM), 56);
  ASSERT_OK(decc_rlp_enc_push_bytes(&e, LOREM, 56));
  ASSERT(enc_eq(&e, (const uint8_t *)"\xb8\x38" LOREM, 58));
  decc_rlp_enc_clear(&e);
}

TEST(wiki_examples_decode) {
  decc_rlp_item it, kids[4];
  size_t n;
  ASSERT_OK(decc_rlp_decode(&it,
                            (const uint8_t *)"\xc8\x83"
                                             "cat\x83"
                                             "dog",
                            9, NULL));
  ASSERT(it.is_list);
  ASSERT_OK(decc_rlp_list_items(kids, 4, &n, &it, NULL));
  ASSERT_EQ(n, 2);
  ASSERT(!kids[1].is_list && kids[1].len == 3 &&
         !memcmp(kids[1].data, "dog", 3));
  ASSERT_EQ(kids[1].raw_len, 4);

  ASSERT_OK(decc_rlp_decode(&it, (const uint8_t *)"\x82\x04\x00", 3, NULL));
  uint64_t x;
  ASSERT_OK(decc_rlp_item_get_u64(&it, &x));
  ASSERT_EQ(x, 1024);
  ASSERT_OK(decc_rlp_decode(&it, (const uint8_t *)"\x80", 1, NULL));
  ASSERT_OK(decc_rlp_item_get_u64(&it, &x));
  ASSERT_EQ(x, 0);
  ASSERT_OK(decc_rlp_decode(&it, (const uint8_t *)"\x0f", 1, NULL));
  ASSERT_OK(decc_rlp_item_get_u64(&it, &x));
  ASSERT_EQ(x, 15);

  ASSERT_OK(decc_rlp_decode(
      &it, (const uint8_t *)"\xc7\xc0\xc1\xc0\xc3\xc0\xc1\xc0", 8, NULL));
  ASSERT_OK(decc_rlp_list_items(kids, 4, &n, &it, NULL));
  ASSERT_EQ(n, 3);
  ASSERT(kids[2].is_list && kids[2].len == 3);
  ASSERT_EQ(decc_rlp_list_items(kids, 2, &n, &it, NULL), DECC_E_LIMIT);
  ASSERT_EQ(decc_rlp_list_items(kids, 4, &n, &kids[0], NULL), DECC_OK);
  ASSERT_EQ(n, 0);

  ASSERT_OK(decc_rlp_decode(&it, (const uint8_t *)"\xb8\x38" LOREM, 58, NULL));
  ASSERT_EQ(it.len, 56);
  ASSERT_MEM_EQ(it.data, LOREM, 56);
  ASSERT_EQ(decc_rlp_list_items(kids, 4, &n, &it, NULL), DECC_E_INVALID);
}

TEST(three_byte_length) {
  size_t n = 70000; /* 0x011170 */
  uint8_t *p = calloc(1, n);
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, 0);
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_OK(decc_rlp_enc_push_bytes(&e, p, n));
  ASSERT_OK(decc_rlp_enc_end_list(&e));
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(decc_rlp_enc_finish(&e, &out));
  ASSERT_EQ(out.len, 4 + 4 + n);
  ASSERT_MEM_EQ(out.data, "\xfa\x01\x11\x74\xba\x01\x11\x70", 8);
  decc_rlp_item it;
  ASSERT_OK(decc_rlp_decode(&it, out.data, out.len, NULL));
  ASSERT_EQ(it.len, n + 4);
  decc_buf_clear(&out);
  decc_rlp_enc_clear(&e);
  free(p);
}

/* Tagged JSON → encoder. */
static decc_status push_json(decc_rlp_enc *e, json_t *j) {
  json_t *s = json_object_get(j, "s");
  if (s) {
    size_t n;
    uint8_t *b = hexdup(json_string_value(s), &n);
    decc_status st = decc_rlp_enc_push_bytes(e, b, n);
    free(b);
    return st;
  }
  decc_status st = decc_rlp_enc_begin_list(e);
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(j, "l"), i, x) {
    if (!st)
      st = push_json(e, x);
  }
  return st ? st : decc_rlp_enc_end_list(e);
}

static int item_matches(const decc_rlp_item *it, json_t *j) {
  json_t *s = json_object_get(j, "s");
  if (s) {
    size_t n;
    uint8_t *b = hexdup(json_string_value(s), &n);
    int ok =
        !it->is_list && it->len == n && (n == 0 || !memcmp(it->data, b, n));
    free(b);
    return ok;
  }
  if (!it->is_list)
    return 0;
  json_t *l = json_object_get(j, "l");
  decc_rlp_iter iter;
  if (decc_rlp_iter_init(&iter, it))
    return 0;
  for (size_t i = 0;; i++) {
    decc_rlp_item k;
    decc_status st = decc_rlp_iter_next(&iter, &k, NULL);
    if (st == DECC_E_NOT_FOUND)
      return i == json_array_size(l);
    if (st || i >= json_array_size(l) ||
        !item_matches(&k, json_array_get(l, i)))
      return 0;
  }
}

TEST(ethers_vectors) {
  json_error_t je;
  json_t *root = json_load_file(decc_test_vector_path("eth/rlp.json"), 0, &je);
  ASSERT(root);
  json_t *cases = json_object_get(root, "cases");
  ASSERT(json_array_size(cases) >= 15);
  size_t i;
  json_t *c;
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, 0);
  json_array_foreach(cases, i, c) {
    size_t n;
    uint8_t *want =
        hexdup(json_string_value(json_object_get(c, "encoded")), &n);
    ASSERT_OK(push_json(&e, json_object_get(c, "value")));
    if (!enc_eq(&e, want, n)) {
      fprintf(stderr, "    case %zu: encoding differs\n", i);
      ASSERT(0);
    }
    decc_rlp_item it;
    ASSERT_OK(decc_rlp_decode(&it, want, n, NULL));
    ASSERT(item_matches(&it, json_object_get(c, "value")));
    /* every strict prefix is rejected */
    for (size_t k = 0; k < n; k++)
      ASSERT(decc_rlp_decode(&it, want, k, NULL) != DECC_OK);
    free(want);
  }
  decc_rlp_enc_clear(&e);
  json_decref(root);
}

static decc_status dec(const char *hex) {
  size_t n;
  uint8_t *b = hexdup(hex, &n);
  decc_rlp_item it;
  decc_err err;
  decc_status st = decc_rlp_decode(&it, b, n, &err);
  free(b);
  return st;
}

TEST(non_canonical_rejected) {
  ASSERT_EQ(dec(""), DECC_E_PARSE);
  ASSERT_EQ(dec("8100"), DECC_E_PARSE); /* single byte wrapped */
  ASSERT_EQ(dec("817f"), DECC_E_PARSE);
  ASSERT_OK(dec("8180"));                 /* 0x80 needs the wrapper */
  ASSERT_EQ(dec("81"), DECC_E_PARSE);     /* wrapped byte missing */
  ASSERT_EQ(dec("b80161"), DECC_E_PARSE); /* long form, short payload */
  ASSERT_EQ(dec("b837"
                "00000000000000000000000000000000000000000000000000000000000000"
                "00000000000000000000000000000000000000000000000000"),
            DECC_E_PARSE); /* 55 bytes in long form */
  ASSERT_EQ(dec("b90038"
                "00"),
            DECC_E_PARSE); /* leading zero in length */
  ASSERT_EQ(dec("f800"), DECC_E_PARSE);
  ASSERT_EQ(dec("f90000"), DECC_E_PARSE);
  ASSERT_EQ(dec("8364"), DECC_E_PARSE); /* length past the end */
  ASSERT_EQ(dec("c1"), DECC_E_PARSE);
  ASSERT_EQ(dec("b9ffff"), DECC_E_PARSE);
  ASSERT_EQ(dec("bfffffffffffffffff"), DECC_E_PARSE); /* 2^64-1 bytes */
  ASSERT_EQ(dec("ffffffffffffffffff"), DECC_E_PARSE);
  ASSERT_EQ(dec("bf01"), DECC_E_PARSE);     /* length bytes missing */
  ASSERT_EQ(dec("8000"), DECC_E_PARSE);     /* trailing byte */
  ASSERT_EQ(dec("c28100"), DECC_E_PARSE);   /* bad child */
  ASSERT_EQ(dec("c3c28100"), DECC_E_PARSE); /* bad grandchild */
  ASSERT_EQ(dec("c2c1"), DECC_E_PARSE);     /* child past its parent */
  ASSERT_EQ(dec("c2c3c000"), DECC_E_PARSE); /* child crosses its parent's end */
  ASSERT_OK(dec("c3c1c000"));
}

TEST(depth_limit) {
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, 0);
  for (int i = 0; i < DECC_RLP_MAX_DEPTH; i++)
    ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_EQ(decc_rlp_enc_begin_list(&e), DECC_E_LIMIT);
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_EQ(decc_rlp_enc_finish(&e, &out), DECC_E_LIMIT);
  for (int i = 0; i < DECC_RLP_MAX_DEPTH; i++)
    ASSERT_OK(decc_rlp_enc_begin_list(&e));
  for (int i = 0; i < DECC_RLP_MAX_DEPTH; i++)
    ASSERT_OK(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_finish(&e, &out));
  ASSERT_OK(decc_rlp_validate(out.data, out.len, NULL));
  /* wrap once more by hand: 65 levels */
  decc_buf deeper;
  decc_buf_init(&deeper, 0);
  ASSERT(out.len >= 56 && out.len < 256);
  ASSERT_OK(decc_buf_append_byte(&deeper, 0xf8));
  ASSERT_OK(decc_buf_append_byte(&deeper, (uint8_t)out.len));
  ASSERT_OK(decc_buf_append(&deeper, out.data, out.len));
  ASSERT_EQ(decc_rlp_validate(deeper.data, deeper.len, NULL), DECC_E_LIMIT);
  /* misuse */
  ASSERT_EQ(decc_rlp_enc_end_list(&e), DECC_E_STATE);
  ASSERT_EQ(decc_rlp_enc_finish(&e, &out), DECC_E_STATE);
  ASSERT_OK(decc_rlp_enc_begin_list(&e));
  ASSERT_EQ(decc_rlp_enc_finish(&e, &out), DECC_E_STATE);
  decc_buf_clear(&deeper);
  decc_buf_clear(&out);
  decc_rlp_enc_clear(&e);
}

TEST(integers) {
  decc_rlp_item it;
  uint64_t x;
  decc_u256 v;
  ASSERT_OK(decc_rlp_decode(&it, (const uint8_t *)"\x82\x00\x01", 3, NULL));
  ASSERT_EQ(decc_rlp_item_get_u64(&it, &x), DECC_E_PARSE); /* leading zero */
  ASSERT_EQ(decc_rlp_item_get_u256(&it, &v), DECC_E_PARSE);
  ASSERT_OK(decc_rlp_decode(&it, (const uint8_t *)"\x00", 1, NULL));
  ASSERT_EQ(decc_rlp_item_get_u64(&it, &x), DECC_E_PARSE); /* 0 is 0x80 */
  ASSERT_OK(decc_rlp_decode(
      &it, (const uint8_t *)"\x89\x01\x00\x00\x00\x00\x00\x00\x00\x00", 10,
      NULL));
  ASSERT_EQ(decc_rlp_item_get_u64(&it, &x), DECC_E_RANGE);
  ASSERT_OK(decc_rlp_item_get_u256(&it, &v));
  ASSERT(v.w[1] == 1 && v.w[0] == 0);
  ASSERT_OK(decc_rlp_decode(&it, (const uint8_t *)"\xc0", 1, NULL));
  ASSERT_EQ(decc_rlp_item_get_u64(&it, &x), DECC_E_INVALID);
  /* u64/u256 round trips at byte boundaries */
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  for (int bit = 0; bit < 64; bit++) {
    uint64_t vals[3] = {(1ull << bit) - 1, 1ull << bit, (1ull << bit) + 1};
    for (int k = 0; k < 3; k++) {
      decc_buf_reset(&out);
      ASSERT_OK(decc_rlp_enc_push_u64(&e, vals[k]));
      ASSERT_OK(decc_rlp_enc_finish(&e, &out));
      ASSERT_OK(decc_rlp_decode(&it, out.data, out.len, NULL));
      ASSERT_OK(decc_rlp_item_get_u64(&it, &x));
      ASSERT(x == vals[k]);
    }
  }
  decc_u256 max;
  ASSERT_OK(decc_u256_parse(
      &max,
      "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"));
  decc_buf_reset(&out);
  ASSERT_OK(decc_rlp_enc_push_u256(&e, &max));
  ASSERT_OK(decc_rlp_enc_finish(&e, &out));
  ASSERT_EQ(out.len, 33);
  ASSERT_EQ(out.data[0], 0xa0);
  ASSERT_OK(decc_rlp_decode(&it, out.data, out.len, NULL));
  ASSERT_OK(decc_rlp_item_get_u256(&it, &v));
  ASSERT_EQ(decc_u256_cmp(&v, &max), 0);
  decc_buf_clear(&out);
  decc_rlp_enc_clear(&e);
}

TEST(encoder_limits) {
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, 10);
  ASSERT_EQ(decc_rlp_enc_push_bytes(&e, "0123456789abcdef", 16), DECC_E_LIMIT);
  ASSERT_EQ(decc_rlp_enc_push_u64(&e, 1), DECC_E_LIMIT); /* sticky */
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_EQ(decc_rlp_enc_finish(&e, &out), DECC_E_LIMIT);
  ASSERT_EQ(out.len, 0);
  ASSERT_OK(decc_rlp_enc_push_raw(&e, "\xc0", 1));
  ASSERT_OK(decc_rlp_enc_finish(&e, &out));
  ASSERT_EQ(out.len, 1);
  decc_buf_clear(&out);
  decc_rlp_enc_clear(&e);
}
