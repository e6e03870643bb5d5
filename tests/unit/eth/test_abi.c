/*
 * test_abi.c — ABI encoder/decoder: the Solidity spec examples (expected
 * bytes transcribed from docs.soliditylang.org "abi-spec" Examples), the
 * ethers-generated vectors in tests/vectors/eth/abi.json (matchOrders
 * calldata, viewDeal/viewTask returns, nested and signed types) rebuilt with
 * the encoder and decoded back, and hostile inputs: truncation at every
 * length, out-of-range offsets and lengths, dirty padding, aliasing bombs,
 * malformed type strings and encoder misuse.
 */
#include <jansson.h>
#include <stdlib.h>

#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
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

/* Hex of a whole buffer (test-owned heap string). */
static char *hex_of(const uint8_t *p, size_t n) {
  char *s = malloc(2 * n + 3);
  decc_hex_encode(s, p, n, 1);
  return s;
}

/* Concatenates whitespace-separated hex chunks into bytes. */
static uint8_t *unhex_words(const char *words, size_t *len) {
  char *compact = malloc(strlen(words) + 1);
  size_t k = 0;
  for (const char *p = words; *p; p++)
    if (*p != ' ' && *p != '\n')
      compact[k++] = *p;
  compact[k] = 0;
  uint8_t *out = hexdup(compact, len);
  free(compact);
  return out;
}

static int buf_eq_hex(const decc_buf *b, const char *words) {
  size_t n;
  uint8_t *want = unhex_words(words, &n);
  int ok = b->len == n && memcmp(b->data, want, n) == 0;
  if (!ok) {
    char *got = hex_of(b->data, b->len);
    fprintf(stderr, "    got  %s\n", got);
    free(got);
  }
  free(want);
  return ok;
}

#define W0 "0000000000000000000000000000000000000000000000000000000000000000"

/* ---- Solidity ABI spec examples ------------------------------------------ */

TEST(spec_baz) {
  uint8_t sel[4];
  decc_abi_selector(sel, "baz(uint32,bool)");
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  decc_u256 v = decc_u256_from_u64(69);
  ASSERT_OK(decc_abi_enc_push_uint(&e, &v, 32));
  ASSERT_OK(decc_abi_enc_push_bool(&e, 1));
  ASSERT_OK(decc_abi_enc_finish_call(&e, sel, &out));
  ASSERT(buf_eq_hex(
      &out,
      "cdcd77c0"
      "0000000000000000000000000000000000000000000000000000000000000045"
      "0000000000000000000000000000000000000000000000000000000000000001"));
  decc_abi_value *args = NULL;
  ASSERT_OK(decc_abi_decode_call(&args, "baz(uint32,bool)", out.data, out.len,
                                 DECC_ABI_CANONICAL, NULL));
  uint64_t x = 0;
  int b = 0;
  ASSERT_OK(decc_abi_get_u64(decc_abi_item(args, 0), &x));
  ASSERT_OK(decc_abi_get_bool(decc_abi_item(args, 1), &b));
  ASSERT_EQ(x, 69);
  ASSERT_EQ(b, 1);
  decc_abi_value_free(args);
  decc_buf_clear(&out);
  decc_abi_enc_clear(&e);
}

TEST(spec_bar) {
  uint8_t sel[4];
  decc_abi_selector(sel, "bar(bytes3[2])");
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(decc_abi_enc_begin_fixed_array(&e));
  ASSERT_OK(decc_abi_enc_push_bytesn(&e, (const uint8_t *)"abc", 3));
  ASSERT_OK(decc_abi_enc_push_bytesn(&e, (const uint8_t *)"def", 3));
  ASSERT_OK(decc_abi_enc_end_array(&e));
  ASSERT_OK(decc_abi_enc_finish_call(&e, sel, &out));
  ASSERT(buf_eq_hex(
      &out,
      "fce353f6"
      "6162630000000000000000000000000000000000000000000000000000000000"
      "6465660000000000000000000000000000000000000000000000000000000000"));
  decc_abi_value *args = NULL;
  ASSERT_OK(decc_abi_decode_call(&args, "bar(bytes3[2])", out.data, out.len,
                                 DECC_ABI_CANONICAL, NULL));
  const decc_abi_value *arr = decc_abi_item(args, 0);
  ASSERT(arr && arr->kind == DECC_ABI_FIXED_ARRAY && arr->count == 2);
  ASSERT_EQ(arr->items[1].bits, 3);
  ASSERT_MEM_EQ(arr->items[1].word, "def", 3);
  decc_abi_value_free(args);
  decc_buf_clear(&out);
  decc_abi_enc_clear(&e);
}

TEST(spec_sam) {
  uint8_t sel[4];
  decc_abi_selector(sel, "sam(bytes,bool,uint256[])");
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(decc_abi_enc_push_bytes(&e, "dave", 4));
  ASSERT_OK(decc_abi_enc_push_bool(&e, 1));
  ASSERT_OK(decc_abi_enc_begin_array(&e));
  for (uint64_t i = 1; i <= 3; i++)
    ASSERT_OK(decc_abi_enc_push_u64(&e, i));
  ASSERT_OK(decc_abi_enc_end_array(&e));
  ASSERT_OK(decc_abi_enc_finish_call(&e, sel, &out));
  ASSERT(buf_eq_hex(
      &out,
      "a5643bf2"
      "0000000000000000000000000000000000000000000000000000000000000060"
      "0000000000000000000000000000000000000000000000000000000000000001"
      "00000000000000000000000000000000000000000000000000000000000000a0"
      "0000000000000000000000000000000000000000000000000000000000000004"
      "6461766500000000000000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000003"
      "0000000000000000000000000000000000000000000000000000000000000001"
      "0000000000000000000000000000000000000000000000000000000000000002"
      "0000000000000000000000000000000000000000000000000000000000000003"));
  decc_buf_clear(&out);
  decc_abi_enc_clear(&e);
}

TEST(spec_f) {
  uint8_t sel[4];
  decc_abi_selector(sel, "f(uint256,uint32[],bytes10,bytes)");
  ASSERT_MEM_EQ(sel, "\x8b\xe6\x52\x46", 4);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(decc_abi_enc_push_u64(&e, 0x123));
  ASSERT_OK(decc_abi_enc_begin_array(&e));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 0x456));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 0x789));
  ASSERT_OK(decc_abi_enc_end_array(&e));
  ASSERT_OK(decc_abi_enc_push_bytesn(&e, (const uint8_t *)"1234567890", 10));
  ASSERT_OK(decc_abi_enc_push_string(&e, "Hello, world!"));
  ASSERT_OK(decc_abi_enc_finish_call(&e, sel, &out));
  ASSERT(buf_eq_hex(
      &out,
      "8be65246"
      "0000000000000000000000000000000000000000000000000000000000000123"
      "0000000000000000000000000000000000000000000000000000000000000080"
      "3132333435363738393000000000000000000000000000000000000000000000"
      "00000000000000000000000000000000000000000000000000000000000000e0"
      "0000000000000000000000000000000000000000000000000000000000000002"
      "0000000000000000000000000000000000000000000000000000000000000456"
      "0000000000000000000000000000000000000000000000000000000000000789"
      "000000000000000000000000000000000000000000000000000000000000000d"
      "48656c6c6f2c20776f726c642100000000000000000000000000000000000000"));
  decc_abi_value *args = NULL;
  ASSERT_OK(decc_abi_decode_call(&args, "f(uint,uint32[],bytes10,bytes)",
                                 out.data, out.len, DECC_ABI_CANONICAL, NULL));
  const decc_abi_value *arr = decc_abi_item(args, 1);
  ASSERT(arr && arr->kind == DECC_ABI_ARRAY && arr->count == 2);
  uint64_t x;
  ASSERT_OK(decc_abi_get_u64(decc_abi_item(arr, 1), &x));
  ASSERT_EQ(x, 0x789);
  const uint8_t *p;
  size_t n;
  ASSERT_OK(decc_abi_get_bytes(decc_abi_item(args, 3), &p, &n));
  ASSERT_EQ(n, 13);
  ASSERT_MEM_EQ(p, "Hello, world!", 13);
  char *s = NULL;
  ASSERT_OK(decc_abi_get_string(decc_abi_item(args, 3), &s));
  ASSERT_STR_EQ(s, "Hello, world!");
  decc_free(s);
  /* wrong kinds */
  ASSERT_EQ(decc_abi_get_u64(decc_abi_item(args, 3), &x), DECC_E_INVALID);
  ASSERT(decc_abi_item(args, 4) == NULL);
  ASSERT(decc_abi_item(decc_abi_item(args, 0), 0) == NULL);
  decc_abi_value_free(args);
  decc_buf_clear(&out);
  decc_abi_enc_clear(&e);
}

TEST(spec_g) {
  uint8_t sel[4];
  decc_abi_selector(sel, "g(uint256[][],string[])");
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(decc_abi_enc_begin_array(&e));
  ASSERT_OK(decc_abi_enc_begin_array(&e));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 1));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 2));
  ASSERT_OK(decc_abi_enc_end_array(&e));
  ASSERT_OK(decc_abi_enc_begin_array(&e));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 3));
  ASSERT_OK(decc_abi_enc_end_array(&e));
  ASSERT_OK(decc_abi_enc_end_array(&e));
  ASSERT_OK(decc_abi_enc_begin_array(&e));
  ASSERT_OK(decc_abi_enc_push_string(&e, "one"));
  ASSERT_OK(decc_abi_enc_push_string(&e, "two"));
  ASSERT_OK(decc_abi_enc_push_string(&e, "three"));
  ASSERT_OK(decc_abi_enc_end_array(&e));
  ASSERT_OK(decc_abi_enc_finish_call(&e, sel, &out));
  ASSERT(buf_eq_hex(
      &out,
      "2289b18c"
      "0000000000000000000000000000000000000000000000000000000000000040"
      "0000000000000000000000000000000000000000000000000000000000000140"
      "0000000000000000000000000000000000000000000000000000000000000002"
      "0000000000000000000000000000000000000000000000000000000000000040"
      "00000000000000000000000000000000000000000000000000000000000000a0"
      "0000000000000000000000000000000000000000000000000000000000000002"
      "0000000000000000000000000000000000000000000000000000000000000001"
      "0000000000000000000000000000000000000000000000000000000000000002"
      "0000000000000000000000000000000000000000000000000000000000000001"
      "0000000000000000000000000000000000000000000000000000000000000003"
      "0000000000000000000000000000000000000000000000000000000000000003"
      "0000000000000000000000000000000000000000000000000000000000000060"
      "00000000000000000000000000000000000000000000000000000000000000a0"
      "00000000000000000000000000000000000000000000000000000000000000e0"
      "0000000000000000000000000000000000000000000000000000000000000003"
      "6f6e650000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000003"
      "74776f0000000000000000000000000000000000000000000000000000000000"
      "0000000000000000000000000000000000000000000000000000000000000005"
      "7468726565000000000000000000000000000000000000000000000000000000"));
  decc_abi_value *args = NULL;
  ASSERT_OK(decc_abi_decode_call(&args, "g(uint256[][],string[])", out.data,
                                 out.len, DECC_ABI_CANONICAL, NULL));
  const decc_abi_value *strs = decc_abi_item(args, 1);
  ASSERT(strs && strs->count == 3);
  ASSERT_EQ(strs->items[2].len, 5);
  ASSERT_MEM_EQ(strs->items[2].data, "three", 5);
  ASSERT_EQ(decc_abi_item(args, 0)->items[1].count, 1);
  decc_abi_value_free(args);
  decc_buf_clear(&out);
  decc_abi_enc_clear(&e);
}

/* ---- ethers vectors --------------------------------------------------------- */

static json_t *load_vectors(void) {
  json_error_t je;
  json_t *root = json_load_file(decc_test_vector_path("eth/abi.json"), 0, &je);
  if (!root)
    fprintf(stderr, "    abi.json: %s\n", je.text);
  return root;
}

/* Pushes a tagged JSON value (see tools/vectors/gen_eth.mjs). */
static decc_status push_json(decc_abi_enc *e, json_t *j) {
  const char *t = json_string_value(json_object_get(j, "t"));
  json_t *v = json_object_get(j, "v");
  unsigned bits = (unsigned)json_integer_value(json_object_get(j, "bits"));
  if (!t)
    return DECC_E_INVALID;
  if (!strcmp(t, "uint")) {
    decc_u256 x;
    decc_status st = decc_u256_parse(&x, json_string_value(v));
    return st ? st : decc_abi_enc_push_uint(e, &x, bits);
  }
  if (!strcmp(t, "int")) {
    /* Two's complement of a decimal (possibly negative) value. */
    const char *s = json_string_value(v);
    int neg = s[0] == '-';
    decc_u256 x, zero = decc_u256_from_u64(0), one = decc_u256_from_u64(1);
    decc_status st = decc_u256_parse(&x, s + neg);
    if (st)
      return st;
    if (neg) {
      /* -x = ~x + 1 = (2^256-1 - x) + 1, computed without overflow */
      decc_u256 max;
      if (decc_u256_sub(&max, &zero, &zero))
        return DECC_E_INTERNAL;
      for (int i = 0; i < 4; i++)
        max.w[i] = UINT64_MAX;
      if (decc_u256_sub(&x, &max, &x) || decc_u256_add(&x, &x, &one))
        return DECC_E_INTERNAL;
    }
    return decc_abi_enc_push_u256(e, &x);
  }
  if (!strcmp(t, "address")) {
    decc_address a;
    decc_status st = decc_address_parse(&a, json_string_value(v), NULL);
    return st ? st : decc_abi_enc_push_address(e, &a);
  }
  if (!strcmp(t, "bool"))
    return decc_abi_enc_push_bool(e, json_is_true(v));
  if (!strcmp(t, "bytes") || !strcmp(t, "string") || !strcmp(t, "bytesn")) {
    size_t n;
    uint8_t *b = hexdup(json_string_value(v), &n);
    decc_status st = !strcmp(t, "bytesn") ? decc_abi_enc_push_bytesn(e, b, n)
                     : !strcmp(t, "string")
                         ? decc_abi_enc_push_string_n(e, (const char *)b, n)
                         : decc_abi_enc_push_bytes(e, b, n);
    free(b);
    return st;
  }
  decc_status st = !strcmp(t, "tuple")   ? decc_abi_enc_begin_tuple(e)
                   : !strcmp(t, "array") ? decc_abi_enc_begin_array(e)
                                         : decc_abi_enc_begin_fixed_array(e);
  size_t i;
  json_t *item;
  json_array_foreach(v, i, item) {
    if (!st)
      st = push_json(e, item);
  }
  if (st)
    return st;
  return !strcmp(t, "tuple") ? decc_abi_enc_end_tuple(e)
                             : decc_abi_enc_end_array(e);
}

/* Checks a decoded value against the tagged JSON. */
static int value_matches(const decc_abi_value *d, json_t *j) {
  const char *t = json_string_value(json_object_get(j, "t"));
  json_t *v = json_object_get(j, "v");
  if (!strcmp(t, "tuple") || !strcmp(t, "array") || !strcmp(t, "fixed_array")) {
    decc_abi_kind k = !strcmp(t, "tuple")   ? DECC_ABI_TUPLE
                      : !strcmp(t, "array") ? DECC_ABI_ARRAY
                                            : DECC_ABI_FIXED_ARRAY;
    if (d->kind != k || d->count != json_array_size(v))
      return 0;
    for (size_t i = 0; i < d->count; i++)
      if (!value_matches(&d->items[i], json_array_get(v, i)))
        return 0;
    return 1;
  }
  if (!strcmp(t, "uint")) {
    decc_u256 a, b;
    return decc_abi_get_u256(d, &a) == DECC_OK &&
           decc_u256_parse(&b, json_string_value(v)) == DECC_OK &&
           decc_u256_cmp(&a, &b) == 0 &&
           d->bits == json_integer_value(json_object_get(j, "bits"));
  }
  if (!strcmp(t, "int")) {
    /* Compare via the encoder: re-push the JSON and compare words. */
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_buf b;
    decc_buf_init(&b, 0);
    int ok = d->kind == DECC_ABI_INT && push_json(&e, j) == DECC_OK &&
             decc_abi_enc_finish(&e, &b) == DECC_OK && b.len == 32 &&
             !memcmp(b.data, d->word, 32);
    decc_buf_clear(&b);
    decc_abi_enc_clear(&e);
    return ok;
  }
  if (!strcmp(t, "address")) {
    decc_address a, b;
    return decc_abi_get_address(d, &a) == DECC_OK &&
           decc_address_parse(&b, json_string_value(v), NULL) == DECC_OK &&
           decc_address_eq(&a, &b);
  }
  if (!strcmp(t, "bool")) {
    int b;
    return decc_abi_get_bool(d, &b) == DECC_OK && b == json_is_true(v);
  }
  size_t n;
  uint8_t *want = hexdup(json_string_value(v), &n);
  int ok;
  if (!strcmp(t, "bytesn")) {
    uint8_t w[32];
    ok = decc_abi_get_bytes32(d, w) == DECC_OK && d->bits == n &&
         !memcmp(w, want, n);
  } else {
    const uint8_t *p;
    size_t len;
    ok = d->kind == (!strcmp(t, "string") ? DECC_ABI_STRING : DECC_ABI_BYTES) &&
         decc_abi_get_bytes(d, &p, &len) == DECC_OK && len == n &&
         (n == 0 || !memcmp(p, want, n));
  }
  free(want);
  return ok;
}

TEST(ethers_vectors_encode_decode) {
  json_t *root = load_vectors();
  ASSERT(root);
  json_t *cases = json_object_get(root, "cases");
  ASSERT(json_array_size(cases) >= 10);
  size_t i;
  json_t *c;
  json_array_foreach(cases, i, c) {
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *types = json_string_value(json_object_get(c, "types"));
    size_t n;
    uint8_t *want =
        hexdup(json_string_value(json_object_get(c, "encoded")), &n);
    /* encode */
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    size_t k;
    json_t *v;
    json_array_foreach(json_object_get(c, "values"), k, v) {
      ASSERT_OK(push_json(&e, v));
    }
    decc_buf out;
    decc_buf_init(&out, 0);
    ASSERT_OK(decc_abi_enc_finish(&e, &out));
    if (out.len != n || (n && memcmp(out.data, want, n))) {
      fprintf(stderr, "    case %s: encoding differs (%zu vs %zu bytes)\n",
              name, out.len, n);
      ASSERT(0);
    }
    /* decode, canonical */
    decc_abi_value *root_v = NULL;
    decc_err err;
    decc_status st =
        decc_abi_decode(&root_v, types, want, n, DECC_ABI_CANONICAL, &err);
    if (st)
      fprintf(stderr, "    case %s: %s\n", name, err.msg);
    ASSERT_OK(st);
    ASSERT_EQ(root_v->count, json_array_size(json_object_get(c, "values")));
    json_array_foreach(json_object_get(c, "values"), k, v) {
      if (!value_matches(&root_v->items[k], v)) {
        fprintf(stderr, "    case %s: value %zu differs\n", name, k);
        ASSERT(0);
      }
    }
    /* the canonical type text round-trips */
    decc_abi_type *ty = NULL;
    ASSERT_OK(decc_abi_type_parse(&ty, types, NULL));
    decc_buf canon;
    decc_buf_init(&canon, 0);
    ASSERT_OK(decc_abi_type_canonical(&canon, ty));
    ASSERT_STR_EQ((const char *)(canon.data ? canon.data : (uint8_t *)""),
                  types);
    decc_buf_clear(&canon);
    decc_abi_type_free(ty);
    /* calldata with selector */
    json_t *sig = json_object_get(c, "signature");
    if (sig) {
      size_t cn;
      uint8_t *cd =
          hexdup(json_string_value(json_object_get(c, "calldata")), &cn);
      uint8_t sel[4], sel2[4];
      decc_abi_selector(sel, json_string_value(sig));
      ASSERT_MEM_EQ(sel, cd, 4);
      decc_abi_type *args = NULL;
      ASSERT_OK(decc_abi_func_parse(&args, sel2, json_string_value(sig), NULL));
      ASSERT_MEM_EQ(sel2, cd, 4);
      decc_abi_type_free(args);
      decc_abi_value *av = NULL;
      ASSERT_OK(decc_abi_decode_call(&av, json_string_value(sig), cd, cn,
                                     DECC_ABI_CANONICAL, NULL));
      decc_buf cd2;
      decc_buf_init(&cd2, 0);
      json_array_foreach(json_object_get(c, "values"), k, v) {
        ASSERT_OK(push_json(&e, v));
      }
      ASSERT_OK(decc_abi_enc_finish_call(&e, sel, &cd2));
      ASSERT_EQ(cd2.len, cn);
      ASSERT_MEM_EQ(cd2.data, cd, cn);
      /* selector mismatch */
      cd[0] ^= 1;
      decc_abi_value *bad = NULL;
      ASSERT_EQ(
          decc_abi_decode_call(&bad, json_string_value(sig), cd, cn, 0, NULL),
          DECC_E_PARSE);
      ASSERT(bad == NULL);
      decc_buf_clear(&cd2);
      decc_abi_value_free(av);
      free(cd);
    }
    /* re-encoding the decoded tree is byte-identical */
    decc_buf re;
    decc_buf_init(&re, 0);
    ASSERT_OK(decc_abi_encode_value(&re, root_v));
    ASSERT_EQ(re.len, n);
    ASSERT(n == 0 || !memcmp(re.data, want, n));
    decc_buf_clear(&re);
    decc_abi_value_free(root_v);
    decc_buf_clear(&out);
    decc_abi_enc_clear(&e);
    free(want);
  }
  json_decref(root);
}

TEST(ethers_selectors_topics) {
  json_t *root = load_vectors();
  ASSERT(root);
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(root, "selectors"), i, c) {
    uint8_t sel[4];
    decc_abi_selector(sel, json_string_value(json_object_get(c, "signature")));
    size_t n;
    uint8_t *want =
        hexdup(json_string_value(json_object_get(c, "selector")), &n);
    ASSERT_EQ(n, 4);
    ASSERT_MEM_EQ(sel, want, 4);
    free(want);
  }
  json_array_foreach(json_object_get(root, "topics"), i, c) {
    uint8_t t[32];
    decc_abi_event_topic(t, json_string_value(json_object_get(c, "signature")));
    size_t n;
    uint8_t *want = hexdup(json_string_value(json_object_get(c, "topic")), &n);
    ASSERT_MEM_EQ(t, want, 32);
    free(want);
  }
  json_decref(root);
}

/* The matchOrders calldata: every length short of the full input must be
 * rejected (the last 'sign' bytes reach the end, so truncation always cuts
 * something the decoder needs), and never crash. */
TEST(matchorders_truncation) {
  json_t *root = load_vectors();
  ASSERT(root);
  json_t *c = NULL;
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(root, "cases"), i, it) {
    if (!strcmp(json_string_value(json_object_get(it, "name")), "matchOrders"))
      c = it;
  }
  ASSERT(c);
  const char *sig = json_string_value(json_object_get(c, "signature"));
  size_t n;
  uint8_t *cd = hexdup(json_string_value(json_object_get(c, "calldata")), &n);
  decc_abi_type *args = NULL;
  uint8_t sel[4];
  ASSERT_OK(decc_abi_func_parse(&args, sel, sig, NULL));
  ASSERT_MEM_EQ(sel, "\x15\x61\x94\xd4", 4); /* iexec-protocol.md §2.3 */
  for (size_t len = 4; len < n; len++) {
    uint8_t *copy = malloc(len - 4 + 1); /* exact-size copy for ASan */
    memcpy(copy, cd + 4, len - 4);
    decc_abi_value *v = NULL;
    decc_status st = decc_abi_decode_type(&v, args, copy, len - 4, 0, NULL);
    /* the last 32-byte word is padding of the final 'sign' bytes */
    if (len <= n - 32)
      ASSERT(st != DECC_OK);
    decc_abi_value_free(v);
    free(copy);
  }
  /* the full input decodes; with trailing bytes too unless canonical */
  decc_abi_value *v = NULL;
  ASSERT_OK(decc_abi_decode_type(&v, args, cd + 4, n - 4, 0, NULL));
  const decc_abi_value *req = decc_abi_item(v, 3);
  char *params = NULL;
  ASSERT_OK(decc_abi_get_string(decc_abi_item(req, 13), &params));
  ASSERT(strstr(params, "iexec_args") != NULL);
  decc_free(params);
  decc_abi_value_free(v);
  uint8_t *longer = malloc(n + 5);
  memcpy(longer, cd, n);
  memset(longer + n, 0, 5);
  ASSERT_OK(decc_abi_decode_type(&v, args, longer + 4, n + 1, 0, NULL));
  decc_abi_value_free(v);
  ASSERT_EQ(decc_abi_decode_type(&v, args, longer + 4, n + 1,
                                 DECC_ABI_CANONICAL, NULL),
            DECC_E_PARSE);
  free(longer);
  decc_abi_type_free(args);
  free(cd);
  json_decref(root);
}

/* ---- hostile inputs ------------------------------------------------------------ */

static decc_status dec_hex(const char *types, const char *words,
                           unsigned flags) {
  size_t n;
  uint8_t *b = unhex_words(words, &n);
  decc_abi_value *v = NULL;
  decc_err err;
  decc_status st = decc_abi_decode(&v, types, b, n, flags, &err);
  decc_abi_value_free(v);
  free(b);
  return st;
}

#define WORD(x)                                                                \
  "00000000000000000000000000000000000000000000000000000000000000" x

TEST(padding_checks) {
  /* address with a dirty high byte */
  ASSERT_OK(dec_hex("address",
                    "000000000000000000000000"
                    "1111111111111111111111111111111111111111",
                    0));
  ASSERT_EQ(dec_hex("address",
                    "010000000000000000000000"
                    "1111111111111111111111111111111111111111",
                    0),
            DECC_E_PARSE);
  /* bool must be 0 or 1 */
  ASSERT_OK(dec_hex("bool", WORD("01"), 0));
  ASSERT_OK(dec_hex("bool", WORD("00"), 0));
  ASSERT_EQ(dec_hex("bool", WORD("02"), 0), DECC_E_PARSE);
  ASSERT_EQ(
      dec_hex("bool",
              "01"
              "00000000000000000000000000000000000000000000000000000000000001",
              0),
      DECC_E_PARSE);
  /* uint8 range, int8 sign extension */
  ASSERT_OK(dec_hex("uint8", WORD("ff"), 0));
  ASSERT_EQ(
      dec_hex(
          "uint8",
          "0000000000000000000000000000000000000000000000000000000000000100",
          0),
      DECC_E_PARSE);
  ASSERT_OK(dec_hex(
      "int8",
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80", 0));
  ASSERT_EQ(dec_hex("int8", WORD("80"), 0), DECC_E_PARSE);
  ASSERT_EQ(
      dec_hex(
          "int8",
          "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
          0),
      DECC_E_PARSE);
  ASSERT_OK(dec_hex("int8", WORD("7f"), 0));
  /* bytes2 with a dirty low byte */
  ASSERT_OK(dec_hex(
      "bytes2",
      "abcd000000000000000000000000000000000000000000000000000000000000", 0));
  ASSERT_EQ(
      dec_hex(
          "bytes2",
          "abcd010000000000000000000000000000000000000000000000000000000000",
          0),
      DECC_E_PARSE);
  /* int64 getter range */
  size_t n;
  uint8_t *b = unhex_words(
      "ffffffffffffffffffffffffffffffffffffffffffffffff8000000000000000", &n);
  decc_abi_value *v = NULL;
  ASSERT_OK(decc_abi_decode(&v, "int256", b, n, 0, NULL));
  int64_t x;
  ASSERT_OK(decc_abi_get_i64(decc_abi_item(v, 0), &x));
  ASSERT(x == INT64_MIN);
  decc_abi_value_free(v);
  b[23] = 0xfe;
  ASSERT_OK(decc_abi_decode(&v, "int256", b, n, 0, NULL));
  ASSERT_EQ(decc_abi_get_i64(decc_abi_item(v, 0), &x), DECC_E_RANGE);
  decc_abi_value_free(v);
  free(b);
}

TEST(offsets_and_lengths) {
  /* offset past the end */
  ASSERT_EQ(dec_hex("bytes", WORD("40") WORD("00"), 0), DECC_E_PARSE);
  /* offset at the end exactly: no room for the length word */
  ASSERT_EQ(dec_hex("bytes", WORD("20"), 0), DECC_E_PARSE);
  /* huge offset (≥ 2^64) */
  ASSERT_EQ(dec_hex("bytes",
                    "0000000000000000000000000000000000000000000000010000000000"
                    "000020" WORD("00"),
                    0),
            DECC_E_PARSE);
  /* offset 2^64-1: no wraparound */
  ASSERT_EQ(dec_hex("bytes",
                    "000000000000000000000000000000000000000000000000ffffffffff"
                    "ffffff" WORD("00"),
                    0),
            DECC_E_PARSE);
  /* length past the end; length 2^64-1 */
  ASSERT_EQ(dec_hex("bytes", WORD("20") WORD("21") W0, 0), DECC_E_PARSE);
  ASSERT_EQ(dec_hex("bytes",
                    WORD("20") "00000000000000000000000000000000000000000000000"
                               "0ffffffffffffffff",
                    0),
            DECC_E_PARSE);
  /* solc accepts unpadded bytes at the very end, canonical mode does not */
  ASSERT_OK(dec_hex("bytes", WORD("20") WORD("02") "abcd", 0));
  ASSERT_EQ(dec_hex("bytes", WORD("20") WORD("02") "abcd", DECC_ABI_CANONICAL),
            DECC_E_PARSE);
  /* dirty padding after bytes: accepted, not canonical */
  ASSERT_OK(dec_hex("bytes",
                    WORD("20") WORD("01") "ab0000000000000000000000000000000000"
                                          "0000000000000000000000000001",
                    0));
  ASSERT_EQ(dec_hex("bytes",
                    WORD("20") WORD("01") "ab0000000000000000000000000000000000"
                                          "0000000000000000000000000001",
                    DECC_ABI_CANONICAL),
            DECC_E_PARSE);
  /* non-canonical offset with a gap: accepted, not canonical */
  ASSERT_OK(dec_hex("string", WORD("40") W0 WORD("00"), 0));
  ASSERT_EQ(dec_hex("string", WORD("40") W0 WORD("00"), DECC_ABI_CANONICAL),
            DECC_E_PARSE);
  ASSERT_OK(dec_hex("string", WORD("20") WORD("00"), DECC_ABI_CANONICAL));
  /* array length larger than the data could hold */
  ASSERT_EQ(
      dec_hex("uint256[]", WORD("20") WORD("03") WORD("01") WORD("02"), 0),
      DECC_E_PARSE);
  ASSERT_OK(
      dec_hex("uint256[]", WORD("20") WORD("02") WORD("01") WORD("02"), 0));
  ASSERT_EQ(dec_hex("uint256[]",
                    WORD("20") "00000000000000000000000000000000000000000000000"
                               "000000000ffffffff",
                    0),
            DECC_E_PARSE);
  /* static tuple array: each element 64 bytes */
  ASSERT_EQ(dec_hex("(uint256,uint256)[]",
                    WORD("20") WORD("02") WORD("01") WORD("02") WORD("03"), 0),
            DECC_E_PARSE);
  /* empty input for a non-empty list */
  ASSERT_EQ(dec_hex("uint256", "", 0), DECC_E_PARSE);
  ASSERT_OK(dec_hex("", "", DECC_ABI_CANONICAL));
  /* NULL data with a length is misuse */
  decc_abi_value *v = NULL;
  ASSERT_EQ(decc_abi_decode(&v, "uint256", NULL, 32, 0, NULL), DECC_E_INVALID);
}

/* Offsets that all alias one array multiply the decoded size: the node
 * budget must stop it with DECC_E_LIMIT instead of exhausting memory. */
TEST(aliasing_bomb_is_bounded) {
  /* uint256[][] with N outer elements all pointing at one inner array of
   * M elements: input ~ (N + M) words, canonical output N*M words. */
  size_t N = 2000, M = 2000;
  size_t words = 2 + N + 1 + M;
  uint8_t *b = calloc(words, 32);
  b[31] = 0x20; /* offset of the outer array */
  b[32 + 30] = (uint8_t)(N >> 8), b[32 + 31] = (uint8_t)N; /* outer length */
  size_t inner = N * 32; /* relative to element start */
  for (size_t i = 0; i < N; i++) {
    uint8_t *w = b + 64 + i * 32;
    w[29] = (uint8_t)(inner >> 16);
    w[30] = (uint8_t)(inner >> 8);
    w[31] = (uint8_t)inner;
  }
  uint8_t *w = b + 64 + N * 32;
  w[30] = (uint8_t)(M >> 8), w[31] = (uint8_t)M;
  decc_abi_value *v = NULL;
  decc_err err;
  ASSERT_EQ(decc_abi_decode(&v, "uint256[][]", b, words * 32, 0, &err),
            DECC_E_LIMIT);
  ASSERT(v == NULL);
  /* a small aliasing input within the budget still decodes (solc would
   * accept it too) */
  N = 3, M = 2;
  memset(b, 0, words * 32);
  b[31] = 0x20;
  b[32 + 31] = (uint8_t)N;
  for (size_t i = 0; i < N; i++)
    b[64 + i * 32 + 31] = (uint8_t)(N * 32);
  b[64 + N * 32 + 31] = (uint8_t)M;
  ASSERT_OK(
      decc_abi_decode(&v, "uint256[][]", b, (2 + N + 1 + M) * 32, 0, NULL));
  ASSERT_EQ(v->items[0].count, N);
  ASSERT_EQ(v->items[0].items[2].count, M);
  decc_abi_value_free(v);
  free(b);
}

TEST(type_strings) {
  static const char *good[] = {
      "uint",          "int",
      "uint8",         "int256",
      "bytes1",        "bytes32",
      "address[]",     "(address,(uint256,bytes)[])[2][]",
      "bool,string",   "",
      "uint256[65536]"};
  static const char *bad[] = {"uint7",
                              "uint264",
                              "uint0",
                              "uint08",
                              "bytes0",
                              "bytes33",
                              "address ",
                              " address",
                              "address,",
                              ",address",
                              "()",
                              "(uint256,)",
                              "uint256[0]",
                              "uint256[01]",
                              "uint256[65537]",
                              "uint256[",
                              "uint256]",
                              "Uint256",
                              "tuple(uint256)",
                              "(uint256",
                              "uint256)",
                              "function",
                              "address,,bool",
                              "uint256[2][x]",
                              "strings",
                              "bytes256"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    decc_abi_type *t = NULL;
    decc_err err;
    decc_status st = decc_abi_type_parse(&t, good[i], &err);
    if (st)
      fprintf(stderr, "    '%s': %s\n", good[i], err.msg);
    ASSERT_OK(st);
    decc_abi_type_free(t);
  }
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    decc_abi_type *t = NULL;
    decc_err err;
    decc_status st = decc_abi_type_parse(&t, bad[i], &err);
    if (st == DECC_OK)
      fprintf(stderr, "    '%s' accepted\n", bad[i]);
    ASSERT(st != DECC_OK);
    ASSERT(t == NULL);
    ASSERT(strlen(err.msg) > 0);
  }
  /* nesting limits */
  char deep[256];
  size_t k = 0;
  for (int i = 0; i < 40; i++)
    deep[k++] = '(';
  memcpy(deep + k, "uint256", 7);
  k += 7;
  for (int i = 0; i < 40; i++)
    deep[k++] = ')';
  deep[k] = 0;
  decc_abi_type *t = NULL;
  ASSERT_EQ(decc_abi_type_parse(&t, deep, NULL), DECC_E_LIMIT);
  char arr[256] = "uint256";
  for (int i = 0; i < 40; i++)
    strcat(arr, "[]");
  ASSERT_EQ(decc_abi_type_parse(&t, arr, NULL), DECC_E_LIMIT);
  /* static size limit: 2^16 * 2^16 * 32 bytes */
  ASSERT_EQ(decc_abi_type_parse(&t, "uint256[65536][65536]", NULL),
            DECC_E_LIMIT);
  /* canonical normalisation and function signatures */
  ASSERT_OK(decc_abi_type_parse(&t, "uint,int[],(uint,bytes)", NULL));
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_abi_type_canonical(&b, t));
  ASSERT_STR_EQ((char *)b.data, "uint256,int256[],(uint256,bytes)");
  decc_buf_clear(&b);
  decc_abi_type_free(t);
  uint8_t s1[4], s2[4];
  ASSERT_OK(decc_abi_func_parse(&t, s1, "transfer(address,uint)", NULL));
  decc_abi_selector(s2, "transfer(address,uint256)");
  ASSERT_MEM_EQ(s1, "\xa9\x05\x9c\xbb", 4);
  ASSERT_MEM_EQ(s1, s2, 4);
  decc_abi_type_free(t);
  ASSERT_OK(decc_abi_func_parse(&t, s1, "owner()", NULL));
  ASSERT_MEM_EQ(s1, "\x8d\xa5\xcb\x5b", 4);
  decc_abi_type_free(t);
  ASSERT_EQ(decc_abi_func_parse(&t, s1, "owner", NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_abi_func_parse(&t, s1, "owner()x", NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_abi_func_parse(&t, s1, "1x()", NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_abi_func_parse(&t, s1, "(uint256)", NULL), DECC_E_PARSE);
}

TEST(encoder_misuse_and_limits) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  /* end without begin */
  ASSERT_EQ(decc_abi_enc_end_tuple(&e), DECC_E_STATE);
  /* sticky: later pushes report the first error */
  ASSERT_EQ(decc_abi_enc_push_u64(&e, 1), DECC_E_STATE);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_STATE);
  ASSERT_EQ(out.len, 0);
  /* the encoder is reusable after finish */
  ASSERT_OK(decc_abi_enc_push_u64(&e, 1));
  ASSERT_OK(decc_abi_enc_finish(&e, &out));
  ASSERT_EQ(out.len, 32);
  /* unclosed tuple */
  decc_buf_reset(&out);
  ASSERT_OK(decc_abi_enc_begin_tuple(&e));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 1));
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_STATE);
  ASSERT_EQ(out.len, 0);
  /* tuple closed as array, empty tuple, empty fixed array */
  ASSERT_OK(decc_abi_enc_begin_tuple(&e));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 1));
  ASSERT_EQ(decc_abi_enc_end_array(&e), DECC_E_STATE);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_STATE);
  ASSERT_OK(decc_abi_enc_begin_tuple(&e));
  ASSERT_EQ(decc_abi_enc_end_tuple(&e), DECC_E_STATE);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_STATE);
  ASSERT_OK(decc_abi_enc_begin_fixed_array(&e));
  ASSERT_EQ(decc_abi_enc_end_array(&e), DECC_E_STATE);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_STATE);
  /* empty dynamic array is fine */
  ASSERT_OK(decc_abi_enc_begin_array(&e));
  ASSERT_OK(decc_abi_enc_end_array(&e));
  ASSERT_OK(decc_abi_enc_finish(&e, &out));
  ASSERT(buf_eq_hex(&out, WORD("20") W0));
  /* depth limit */
  for (int i = 0; i < DECC_ABI_MAX_DEPTH; i++)
    ASSERT_OK(decc_abi_enc_begin_array(&e));
  ASSERT_EQ(decc_abi_enc_begin_array(&e), DECC_E_LIMIT);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_LIMIT);
  /* range checks */
  decc_u256 big = decc_u256_from_u64(256);
  ASSERT_EQ(decc_abi_enc_push_uint(&e, &big, 8), DECC_E_RANGE);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_RANGE);
  ASSERT_EQ(decc_abi_enc_push_uint(&e, &big, 7), DECC_E_INVALID);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_INVALID);
  ASSERT_EQ(decc_abi_enc_push_bytesn(&e, (const uint8_t *)"x", 0),
            DECC_E_RANGE);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_RANGE);
  decc_abi_enc_clear(&e);
  /* size ceiling */
  decc_abi_enc_init(&e, 100);
  static uint8_t blob[200];
  ASSERT_EQ(decc_abi_enc_push_bytes(&e, blob, sizeof blob), DECC_E_LIMIT);
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_LIMIT);
  ASSERT_OK(decc_abi_enc_push_bytes(&e, blob, 10)); /* 96 bytes */
  ASSERT_OK(decc_abi_enc_finish(&e, &out));
  ASSERT_OK(decc_abi_enc_push_bytes(&e, blob, 10));
  ASSERT_OK(decc_abi_enc_push_bool(&e, 1)); /* 128 bytes > 100 */
  ASSERT_EQ(decc_abi_enc_finish(&e, &out), DECC_E_LIMIT);
  decc_abi_enc_clear(&e);
  decc_buf_clear(&out);
}

TEST(event_topics_and_data) {
  /* SchedulerNotice(address indexed workerpool, bytes32 dealid) */
  uint8_t t0[32], t1[32];
  decc_abi_event_topic(t0, "SchedulerNotice(address,bytes32)");
  uint8_t *want = hexdup(
      "0x692ad61076dceddd0f1a861f737553dd61fc8501cf4190d29c4e90af6607f765",
      NULL);
  ASSERT_MEM_EQ(t0, want, 32);
  free(want);
  decc_address wp;
  memset(wp.b, 0xab, 20);
  decc_abi_topic_address(t1, &wp);
  for (int i = 0; i < 12; i++)
    ASSERT_EQ(t1[i], 0);
  ASSERT_MEM_EQ(t1 + 12, wp.b, 20);
  decc_u256 v = decc_u256_from_u64(0x1234);
  decc_abi_topic_u256(t1, &v);
  ASSERT_EQ(t1[30], 0x12);
  ASSERT_EQ(t1[31], 0x34);
  /* indexed string: keccak of the content */
  uint8_t h[32];
  decc_abi_topic_hash(t1, "hello", 5);
  decc_keccak256(h, "hello", 5);
  ASSERT_MEM_EQ(t1, h, 32);
}

TEST(encoder_reuse_many_rounds) {
  /* memory is kept between rounds; outputs stay identical */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf first, out;
  decc_buf_init(&first, 0);
  decc_buf_init(&out, 0);
  for (int round = 0; round < 50; round++) {
    decc_buf *dst = round == 0 ? &first : &out;
    decc_buf_reset(dst);
    ASSERT_OK(decc_abi_enc_begin_array(&e));
    for (int i = 0; i < 5; i++) {
      ASSERT_OK(decc_abi_enc_begin_tuple(&e));
      ASSERT_OK(decc_abi_enc_push_string(&e, "abc"));
      ASSERT_OK(decc_abi_enc_push_u64(&e, (uint64_t)i));
      ASSERT_OK(decc_abi_enc_end_tuple(&e));
    }
    ASSERT_OK(decc_abi_enc_end_array(&e));
    ASSERT_OK(decc_abi_enc_finish(&e, dst));
    if (round) {
      ASSERT_EQ(out.len, first.len);
      ASSERT_MEM_EQ(out.data, first.data, first.len);
    }
  }
  decc_abi_value *v = NULL;
  ASSERT_OK(decc_abi_decode(&v, "(string,uint64)[]", first.data, first.len,
                            DECC_ABI_CANONICAL, NULL));
  ASSERT_EQ(v->items[0].count, 5);
  uint64_t x;
  ASSERT_OK(decc_abi_get_u64(&v->items[0].items[4].items[1], &x));
  ASSERT_EQ(x, 4);
  decc_abi_value_free(v);
  decc_buf_clear(&first);
  decc_buf_clear(&out);
  decc_abi_enc_clear(&e);
}
