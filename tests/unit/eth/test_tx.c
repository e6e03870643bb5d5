/*
 * test_tx.c — transactions against ethers 6 (tests/vectors/eth/tx.json):
 * decc builds and signs each tx from its fields and must reproduce ethers'
 * raw bytes, signing hash and tx hash exactly (RFC 6979 makes signing
 * deterministic); parsing the raw gives back the fields and the sender.
 * Then strictness: malformed, non-canonical, high-S, wrong field counts,
 * unsupported types, chain-id checks, and truncation/bit flips that must
 * never crash.
 */
#include <jansson.h>
#include <stdlib.h>

#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/rlp.h"
#include "decc/tx.h"
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

static json_t *load(void) {
  json_error_t je;
  json_t *r = json_load_file(decc_test_vector_path("eth/tx.json"), 0, &je);
  if (!r)
    fprintf(stderr, "    tx.json: %s\n", je.text);
  return r;
}

static const char *jstr(json_t *o, const char *k) {
  return json_string_value(json_object_get(o, k));
}

static int u64_of(json_t *o, const char *k, uint64_t *out) {
  decc_u256 v;
  return decc_u256_parse(&v, jstr(o, k)) == DECC_OK &&
         decc_u256_to_u64(out, &v);
}

/* Builds a decc_tx from a vector's fields (unsigned). */
static int build(decc_tx *tx, json_t *c) {
  decc_tx_init(tx);
  tx->type = (int)json_integer_value(json_object_get(c, "type"));
  if (!u64_of(c, "chainId", &tx->chain_id) || !u64_of(c, "nonce", &tx->nonce) ||
      !u64_of(c, "gasLimit", &tx->gas_limit) ||
      decc_u256_parse(&tx->value, jstr(c, "value")))
    return 0;
  if (tx->type == DECC_TX_LEGACY) {
    if (decc_u256_parse(&tx->gas_price, jstr(c, "gasPrice")))
      return 0;
  } else {
    if (decc_u256_parse(&tx->max_priority_fee,
                        jstr(c, "maxPriorityFeePerGas")) ||
        decc_u256_parse(&tx->max_fee, jstr(c, "maxFeePerGas")))
      return 0;
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(c, "accessList"), i, a) {
      decc_address addr;
      if (decc_address_parse(&addr, jstr(a, "address"), NULL))
        return 0;
      json_t *keys = json_object_get(a, "storageKeys");
      size_t nk = json_array_size(keys);
      uint8_t(*k)[32] = calloc(nk ? nk : 1, 32);
      for (size_t j = 0; j < nk; j++)
        if (decc_hex_decode_exact(k[j], 32,
                                  json_string_value(json_array_get(keys, j)),
                                  "key", NULL))
          return 0;
      decc_status st =
          decc_tx_add_access(tx, &addr, (const uint8_t(*)[32])k, nk);
      free(k);
      if (st)
        return 0;
    }
  }
  json_t *to = json_object_get(c, "to");
  if (json_is_string(to)) {
    tx->has_to = 1;
    if (decc_address_parse(&tx->to, json_string_value(to), NULL))
      return 0;
  }
  size_t n;
  uint8_t *d = hexdup(jstr(c, "data"), &n);
  decc_status st = decc_tx_set_data(tx, d, n);
  free(d);
  return st == DECC_OK;
}

static int tx_equal(const decc_tx *a, const decc_tx *b) {
  if (a->type != b->type || a->chain_id != b->chain_id ||
      a->nonce != b->nonce || a->gas_limit != b->gas_limit ||
      a->has_to != b->has_to || a->data_len != b->data_len ||
      a->access_len != b->access_len)
    return 0;
  if (decc_u256_cmp(&a->value, &b->value) ||
      decc_u256_cmp(&a->gas_price, &b->gas_price) ||
      decc_u256_cmp(&a->max_fee, &b->max_fee) ||
      decc_u256_cmp(&a->max_priority_fee, &b->max_priority_fee))
    return 0;
  if (a->has_to && !decc_address_eq(&a->to, &b->to))
    return 0;
  if (a->data_len && memcmp(a->data, b->data, a->data_len))
    return 0;
  for (size_t i = 0; i < a->access_len; i++) {
    const decc_tx_access *x = &a->access_list[i], *y = &b->access_list[i];
    if (!decc_address_eq(&x->address, &y->address) || x->nkeys != y->nkeys ||
        (x->nkeys && memcmp(x->keys, y->keys, 32 * x->nkeys)))
      return 0;
  }
  return 1;
}

TEST(ethers_vectors_sign_serialize_parse) {
  json_t *root = load();
  ASSERT(root);
  uint8_t sk[32];
  ASSERT_OK(
      decc_hex_decode_exact(sk, 32, jstr(root, "privateKey"), "key", NULL));
  decc_address signer, expect_signer;
  ASSERT_OK(decc_address_from_privkey(&signer, sk));
  ASSERT_OK(decc_address_parse(&expect_signer, jstr(root, "address"), NULL));
  ASSERT(decc_address_eq(&signer, &expect_signer));
  json_t *cases = json_object_get(root, "cases");
  ASSERT(json_array_size(cases) >= 8);
  size_t i;
  json_t *c;
  json_array_foreach(cases, i, c) {
    const char *name = jstr(c, "name");
    decc_tx tx;
    ASSERT(build(&tx, c));
    uint8_t h[32], want[32];
    decc_err err;
    ASSERT_OK(decc_tx_signing_hash(h, &tx, &err));
    ASSERT_OK(
        decc_hex_decode_exact(want, 32, jstr(c, "unsignedHash"), "h", NULL));
    if (memcmp(h, want, 32)) {
      fprintf(stderr, "    %s: signing hash differs\n", name);
      ASSERT(0);
    }
    decc_buf raw;
    decc_buf_init(&raw, 0);
    ASSERT_EQ(decc_tx_serialize(&raw, &tx, NULL), DECC_E_STATE); /* unsigned */
    ASSERT_OK(decc_tx_sign(&tx, sk, &err));
    ASSERT_OK(decc_tx_serialize(&raw, &tx, &err));
    size_t n;
    uint8_t *want_raw = hexdup(jstr(c, "raw"), &n);
    if (raw.len != n || memcmp(raw.data, want_raw, n)) {
      fprintf(stderr, "    %s: raw differs (%zu vs %zu bytes)\n", name, raw.len,
              n);
      ASSERT(0);
    }
    ASSERT_EQ(tx.y_parity, json_integer_value(json_object_get(c, "yParity")));
    ASSERT_OK(decc_tx_hash(h, &tx, NULL));
    ASSERT_OK(decc_hex_decode_exact(want, 32, jstr(c, "hash"), "h", NULL));
    ASSERT_MEM_EQ(h, want, 32);

    /* parse ethers' raw */
    decc_tx p;
    decc_tx_init(&p);
    decc_status st = decc_tx_parse(&p, want_raw, n, &err);
    if (st)
      fprintf(stderr, "    %s: %s\n", name, err.msg);
    ASSERT_OK(st);
    ASSERT(tx_equal(&p, &tx));
    ASSERT_MEM_EQ(p.r, tx.r, 32);
    ASSERT_MEM_EQ(p.s, tx.s, 32);
    ASSERT_EQ(p.y_parity, tx.y_parity);
    decc_address from, want_from;
    ASSERT_OK(decc_tx_recover(&from, &p, &err));
    ASSERT_OK(decc_address_parse(&want_from, jstr(c, "from"), NULL));
    ASSERT(decc_address_eq(&from, &want_from));
    ASSERT(decc_address_eq(&from, &signer));
    /* the same in two steps: the signed bytes hashed by the caller */
    decc_buf pay;
    decc_buf_init(&pay, 0);
    ASSERT_OK(decc_tx_signing_payload(&pay, &p, NULL));
    uint8_t sh[32], sh2[32];
    decc_keccak256(sh, pay.data, pay.len);
    ASSERT_OK(decc_tx_signing_hash(sh2, &p, NULL));
    ASSERT_MEM_EQ(sh, sh2, 32);
    decc_address from2;
    ASSERT_OK(decc_tx_recover_hash(&from2, &p, sh, NULL));
    ASSERT(decc_address_eq(&from2, &want_from));
    sh[0] ^= 1; /* another hash: another signer, or none */
    if (decc_tx_recover_hash(&from2, &p, sh, NULL) == DECC_OK)
      ASSERT(!decc_address_eq(&from2, &want_from));
    decc_buf_clear(&pay);
    /* re-serialization is byte-identical */
    decc_buf again;
    decc_buf_init(&again, 0);
    ASSERT_OK(decc_tx_serialize(&again, &p, NULL));
    ASSERT_EQ(again.len, n);
    ASSERT_MEM_EQ(again.data, want_raw, n);
    /* appended after what out holds; an out too small for it is left as
     * it was (length and bytes) */
    decc_buf_reset(&again);
    ASSERT_OK(decc_buf_append_str(&again, "ab"));
    ASSERT_OK(decc_tx_serialize(&again, &p, NULL));
    ASSERT_EQ(again.len, n + 2);
    ASSERT_MEM_EQ(again.data + 2, want_raw, n);
    decc_buf small;
    decc_buf_init(&small, n); /* room for "ab" and n - 2 bytes */
    ASSERT_OK(decc_buf_append_str(&small, "ab"));
    ASSERT_EQ(decc_tx_serialize(&small, &p, NULL), DECC_E_LIMIT);
    ASSERT_EQ(small.len, 2);
    ASSERT_STR_EQ((const char *)small.data, "ab");
    decc_buf_clear(&small);
    /* chain checks */
    if (p.chain_id) {
      ASSERT_OK(decc_tx_check_chain(&p, p.chain_id, NULL));
      ASSERT_EQ(decc_tx_check_chain(&p, p.chain_id + 1, NULL), DECC_E_DENIED);
    } else {
      ASSERT_EQ(p.type, DECC_TX_LEGACY);
      ASSERT_EQ(decc_tx_check_chain(&p, 0, NULL), DECC_E_DENIED);
      ASSERT_EQ(decc_tx_check_chain(&p, 1, NULL), DECC_E_DENIED);
    }
    /* parsing into a used tx replaces its content */
    ASSERT_OK(decc_tx_parse(&p, want_raw, n, NULL));
    ASSERT(tx_equal(&p, &tx));
    decc_buf_clear(&again);
    decc_tx_clear(&p);
    decc_tx_clear(&tx);
    decc_buf_clear(&raw);
    free(want_raw);
  }
  json_decref(root);
}

/* Every truncation fails; single bit flips never crash and never parse
 * into a tx recovering the original sender with different content. */
TEST(truncation_and_bitflips) {
  json_t *root = load();
  ASSERT(root);
  size_t i;
  json_t *c;
  decc_address want_from;
  ASSERT_OK(decc_address_parse(&want_from, jstr(root, "address"), NULL));
  json_array_foreach(json_object_get(root, "cases"), i, c) {
    size_t n;
    uint8_t *raw = hexdup(jstr(c, "raw"), &n);
    if (n > 1000) { /* the big matchOrders txs: truncation only, sampled */
      for (size_t k = 0; k < n; k += 97) {
        decc_tx t;
        decc_tx_init(&t);
        ASSERT(decc_tx_parse(&t, raw, k, NULL) != DECC_OK);
      }
      free(raw);
      continue;
    }
    for (size_t k = 0; k < n; k++) {
      uint8_t *cut = malloc(k ? k : 1);
      memcpy(cut, raw, k);
      decc_tx t;
      decc_tx_init(&t);
      ASSERT(decc_tx_parse(&t, cut, k, NULL) != DECC_OK);
      free(cut);
    }
    decc_tx orig;
    decc_tx_init(&orig);
    ASSERT_OK(decc_tx_parse(&orig, raw, n, NULL));
    for (size_t bit = 0; bit < n * 8; bit++) {
      raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
      decc_tx t;
      decc_tx_init(&t);
      if (decc_tx_parse(&t, raw, n, NULL) == DECC_OK) {
        decc_address from;
        if (decc_tx_recover(&from, &t, NULL) == DECC_OK &&
            decc_address_eq(&from, &want_from)) {
          /* only possible if the signed content is unchanged */
          uint8_t h1[32], h2[32];
          ASSERT_OK(decc_tx_signing_hash(h1, &t, NULL));
          ASSERT_OK(decc_tx_signing_hash(h2, &orig, NULL));
          ASSERT_MEM_EQ(h1, h2, 32);
        }
        decc_tx_clear(&t);
      }
      raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    decc_tx_clear(&orig);
    free(raw);
  }
  json_decref(root);
}

/* ---- hand-built malformed transactions -------------------------------------- */

/* Builds rlp(list of fields) (prefixed by `type` when non-zero) and parses
 * it. A field is hex bytes, "[]" for an empty list, or "raw:<hex>" for an
 * already-encoded item. */
static decc_status parse_built(uint8_t type, const char *const *f, size_t nf) {
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, 0);
  decc_status st = decc_rlp_enc_begin_list(&e);
  for (size_t i = 0; !st && i < nf; i++) {
    if (!strcmp(f[i], "[]")) {
      st = decc_rlp_enc_begin_list(&e);
      if (!st)
        st = decc_rlp_enc_end_list(&e);
      continue;
    }
    if (!strncmp(f[i], "raw:", 4)) {
      size_t n;
      uint8_t *b = hexdup(f[i] + 4, &n);
      st = decc_rlp_enc_push_raw(&e, b, n);
      free(b);
      continue;
    }
    size_t n;
    uint8_t *b = hexdup(f[i], &n);
    st = decc_rlp_enc_push_bytes(&e, b, n);
    free(b);
  }
  if (!st)
    st = decc_rlp_enc_end_list(&e);
  decc_buf out;
  decc_buf_init(&out, 0);
  if (type)
    st = st ? st : decc_buf_append_byte(&out, type);
  if (!st)
    st = decc_rlp_enc_finish(&e, &out);
  decc_rlp_enc_clear(&e);
  if (st)
    return DECC_E_INTERNAL;
  decc_tx t;
  decc_tx_init(&t);
  decc_err err;
  st = decc_tx_parse(&t, out.data, out.len, &err);
  if (!st) {
    /* what fuzz_tx checks: a parsed tx has a signing payload and
     * serializes back to exactly its bytes */
    uint8_t h[32];
    decc_buf again;
    decc_buf_init(&again, 0);
    if (decc_tx_signing_hash(h, &t, &err) != DECC_OK ||
        decc_tx_serialize(&again, &t, &err) != DECC_OK ||
        again.len != out.len || memcmp(again.data, out.data, out.len) != 0)
      st = DECC_E_INTERNAL;
    decc_buf_clear(&again);
  }
  decc_tx_clear(&t);
  decc_buf_clear(&out);
  return st;
}

#define R1 "01"
#define ADDR "3535353535353535353535353535353535353535"
#define HIGH_S                                                                 \
  "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"
#define HALF_N                                                                 \
  "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"
#define CURVE_N                                                                \
  "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"

TEST(legacy_strictness) {
  /* nonce, gasPrice, gas, to, value, data, v, r, s */
  const char *ok[] = {"", "01", "5208", ADDR, "", "", "25", R1, HALF_N};
  ASSERT_OK(parse_built(0, ok, 9));
  const char *nonce0[] = {"00", "01", "5208", ADDR, "", "", "25", R1, "01"};
  ASSERT_EQ(parse_built(0, nonce0, 9), DECC_E_PARSE); /* 0 must be empty */
  const char *lead0[] = {"0001", "01", "5208", ADDR, "", "", "25", R1, "01"};
  ASSERT_EQ(parse_built(0, lead0, 9), DECC_E_PARSE);
  const char *nonce_big[] = {
      "010000000000000000", "01", "5208", ADDR, "", "", "25", R1, "01"};
  ASSERT_EQ(parse_built(0, nonce_big, 9), DECC_E_PARSE);
  const char *to19[] = {
      "",   "01", "5208", "35353535353535353535353535353535353535", "", "",
      "25", R1,   "01"};
  ASSERT_EQ(parse_built(0, to19, 9), DECC_E_PARSE);
  const char *to_list[] = {"", "01", "5208", "[]", "", "", "25", R1, "01"};
  ASSERT_EQ(parse_built(0, to_list, 9), DECC_E_PARSE);
  const char *v29[] = {"", "01", "5208", ADDR, "", "", "1d", R1, "01"};
  ASSERT_EQ(parse_built(0, v29, 9), DECC_E_PARSE);
  const char *v36[] = {"", "01", "5208", ADDR, "", "", "24", R1, "01"};
  ASSERT_EQ(parse_built(0, v36, 9), DECC_E_PARSE);
  const char *v27[] = {"", "01", "5208", ADDR, "", "", "1b", R1, "01"};
  ASSERT_OK(parse_built(0, v27, 9));
  /* the largest v values (found by fuzz_tx): 2^64 - 1 is chain id
   * 2^63 - 18 with yParity 0, 2^64 - 2 chain id 2^63 - 19 with yParity 1;
   * both sign and serialize back */
  const char *vmax[] = {"", "01", "5208", ADDR, "", "", "ffffffffffffffff",
                        R1, "01"};
  ASSERT_OK(parse_built(0, vmax, 9));
  const char *vmax1[] = {"", "01", "5208", ADDR, "", "", "fffffffffffffffe",
                         R1, "01"};
  ASSERT_OK(parse_built(0, vmax1, 9));
  const char *v65bits[] = {"", "01", "5208", ADDR, "", "", "010000000000000000",
                           R1, "01"};
  ASSERT_EQ(parse_built(0, v65bits, 9), DECC_E_PARSE);
  /* chain id 2^63 - 18 fits v with yParity 0 only */
  decc_tx big;
  decc_tx_init(&big);
  big.type = DECC_TX_LEGACY;
  big.chain_id = UINT64_MAX / 2 - 17; /* 2^63 - 18 */
  big.is_signed = 1;
  big.r[31] = 1;
  big.s[31] = 1;
  decc_buf wire;
  decc_buf_init(&wire, 0);
  ASSERT_OK(decc_tx_serialize(&wire, &big, NULL));
  decc_buf_clear(&wire);
  big.y_parity = 1;
  ASSERT_EQ(decc_tx_serialize(&wire, &big, NULL), DECC_E_INVALID);
  decc_buf_clear(&wire);
  decc_tx_clear(&big);
  const char *highs[] = {"", "01", "5208", ADDR, "", "", "25", R1, HIGH_S};
  ASSERT_EQ(parse_built(0, highs, 9), DECC_E_PARSE);
  const char *r0[] = {"", "01", "5208", ADDR, "", "", "25", "", "01"};
  ASSERT_EQ(parse_built(0, r0, 9), DECC_E_PARSE);
  const char *rn[] = {"", "01", "5208", ADDR, "", "", "25", CURVE_N, "01"};
  ASSERT_EQ(parse_built(0, rn, 9), DECC_E_PARSE);
  const char *s0[] = {"", "01", "5208", ADDR, "", "", "25", R1, ""};
  ASSERT_EQ(parse_built(0, s0, 9), DECC_E_PARSE);
  ASSERT_EQ(parse_built(0, ok, 8), DECC_E_PARSE);
  const char *ten[] = {"", "01", "5208", ADDR, "", "", "25", R1, "01", "01"};
  ASSERT_EQ(parse_built(0, ten, 10), DECC_E_PARSE);
  const char *thirteen[] = {"", "", "", "", "", "", "", "", "", "", "", "", ""};
  ASSERT_EQ(parse_built(0, thirteen, 13), DECC_E_PARSE);
  /* non-canonical nested RLP inside the list */
  const char *bad_rlp[] = {"",         "01", "5208", ADDR, "",
                           "raw:8100", "25", R1,     "01"};
  ASSERT_EQ(parse_built(0, bad_rlp, 9), DECC_E_PARSE);
}

TEST(eip1559_strictness) {
  /* chainId, nonce, maxPrio, maxFee, gas, to, value, data, accessList,
   * yParity, r, s */
  const char *ok[] = {"01", "", "",   "", "5208", ADDR,
                      "",   "", "[]", "", R1,     "01"};
  ASSERT_OK(parse_built(2, ok, 12));
  ASSERT_EQ(parse_built(0, ok, 12), DECC_E_PARSE); /* missing type byte */
  ASSERT_EQ(parse_built(1, ok, 12), DECC_E_UNSUPPORTED);
  ASSERT_EQ(parse_built(3, ok, 12), DECC_E_UNSUPPORTED);
  ASSERT_EQ(parse_built(2, ok, 11), DECC_E_PARSE);
  const char *par2[] = {"01", "", "",   "",   "5208", ADDR,
                        "",   "", "[]", "02", R1,     "01"};
  ASSERT_EQ(parse_built(2, par2, 12), DECC_E_PARSE);
  const char *par0[] = {"01", "", "",   "",   "5208", ADDR,
                        "",   "", "[]", "00", R1,     "01"};
  ASSERT_EQ(parse_built(2, par0, 12), DECC_E_PARSE); /* 0 is the empty string */
  const char *al_str[] = {"01", "", "", "", "5208", ADDR,
                          "",   "", "", "", R1,     "01"};
  ASSERT_EQ(parse_built(2, al_str, 12), DECC_E_PARSE);
  /* access list entries: [addr, [key]] ok; wrong shapes rejected */
  const char *al_ok[] = {"01",
                         "",
                         "",
                         "",
                         "5208",
                         ADDR,
                         "",
                         "",
                         "raw:f7d6"
                         "94" ADDR "c0"
                         "df"
                         "94" ADDR "c9"
                         "88"
                         "0000000000000000",
                         "",
                         R1,
                         "01"};
  ASSERT_EQ(parse_built(2, al_ok, 12), DECC_E_PARSE); /* 8-byte key */
  const char *al_good[] = {
      "01",
      "",
      "",
      "",
      "5208",
      ADDR,
      "",
      "",
      "raw:f84fd6"
      "94" ADDR "c0"
      "f7"
      "94" ADDR "e1"
      "a0"
      "0000000000000000000000000000000000000000000000000000000000000001",
      "",
      R1,
      "01"};
  ASSERT_OK(parse_built(2, al_good, 12));
  const char *al_3[] = {"01",
                        "",
                        "",
                        "",
                        "5208",
                        ADDR,
                        "",
                        "",
                        "raw:d8d7"
                        "94" ADDR "c0"
                        "80",
                        "",
                        R1,
                        "01"};
  ASSERT_EQ(parse_built(2, al_3, 12), DECC_E_PARSE);
  const char *al_addr[] = {"01",
                           "",
                           "",
                           "",
                           "5208",
                           ADDR,
                           "",
                           "",
                           "raw:d6d5"
                           "93"
                           "35353535353535353535353535353535353535"
                           "c0",
                           "",
                           R1,
                           "01"};
  ASSERT_EQ(parse_built(2, al_addr, 12), DECC_E_PARSE);
  const char *highs[] = {"01", "", "",   "", "5208", ADDR,
                         "",   "", "[]", "", R1,     HIGH_S};
  ASSERT_EQ(parse_built(2, highs, 12), DECC_E_PARSE);
  const char *create[] = {"01", "",     "",   "",   "5208", "",
                          "",   "6000", "[]", "01", R1,     "01"};
  ASSERT_OK(parse_built(2, create, 12));
}

TEST(misc_inputs) {
  decc_tx t;
  decc_tx_init(&t);
  ASSERT_EQ(decc_tx_parse(&t, (const uint8_t *)"", 0, NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_tx_parse(&t, (const uint8_t *)"\x80", 1, NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_tx_parse(&t, (const uint8_t *)"\x02", 1, NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_tx_parse(&t, (const uint8_t *)"\x02\x80", 2, NULL),
            DECC_E_PARSE);
  ASSERT_EQ(decc_tx_parse(&t, (const uint8_t *)"\x04\xc0", 2, NULL),
            DECC_E_UNSUPPORTED);
  ASSERT_EQ(decc_tx_parse(&t, (const uint8_t *)"\xc0", 1, NULL), DECC_E_PARSE);
  /* unsigned tx cannot be recovered or hashed; unknown type */
  decc_address a;
  ASSERT_EQ(decc_tx_recover(&a, &t, NULL), DECC_E_STATE);
  uint8_t h[32];
  ASSERT_EQ(decc_tx_hash(h, &t, NULL), DECC_E_STATE);
  t.type = 1;
  ASSERT_EQ(decc_tx_signing_hash(h, &t, NULL), DECC_E_INVALID);
  t.type = DECC_TX_LEGACY;
  t.chain_id = UINT64_MAX / 2;
  ASSERT_EQ(decc_tx_signing_hash(h, &t, NULL), DECC_E_INVALID);
  /* a bad key */
  uint8_t zero[32] = {0};
  t.chain_id = 1;
  ASSERT(decc_tx_sign(&t, zero, NULL) != DECC_OK);
  ASSERT_EQ(t.is_signed, 0);
  decc_tx_clear(&t);
}

/* A tx built, signed and serialized by decc parses back and recovers the
 * signer, for both types and many nonces/values (no ethers involved). */
TEST(decc_roundtrip_many) {
  uint8_t sk[32];
  for (int i = 0; i < 32; i++)
    sk[i] = (uint8_t)(0x42 + i);
  decc_address me;
  ASSERT_OK(decc_address_from_privkey(&me, sk));
  for (int k = 0; k < 40; k++) {
    decc_tx tx;
    decc_tx_init(&tx);
    tx.type = (k & 1) ? DECC_TX_EIP1559 : DECC_TX_LEGACY;
    tx.chain_id =
        (k % 5 == 0 && tx.type == DECC_TX_LEGACY) ? 0 : 42161 + (uint64_t)k;
    tx.nonce = (uint64_t)k * UINT64_C(0x0101010101);
    tx.gas_limit = 21000 + (uint64_t)k;
    if (tx.type == DECC_TX_LEGACY) {
      tx.gas_price = decc_u256_from_u64((uint64_t)k << 40);
    } else {
      tx.max_fee = decc_u256_from_u64((uint64_t)k * UINT64_C(1000000007));
      tx.max_priority_fee = decc_u256_from_u64((uint64_t)k);
    }
    tx.value.w[k % 4] = (uint64_t)k;
    tx.has_to = k % 3 != 0;
    memset(tx.to.b, k, 20);
    uint8_t data[100];
    memset(data, k, sizeof data);
    ASSERT_OK(decc_tx_set_data(&tx, data, (size_t)k * 2));
    if (tx.type == DECC_TX_EIP1559 && k % 4 == 1) {
      uint8_t keys[2][32];
      memset(keys, k, sizeof keys);
      ASSERT_OK(decc_tx_add_access(&tx, &me, (const uint8_t(*)[32])keys, 2));
      ASSERT_OK(decc_tx_add_access(&tx, &tx.to, NULL, 0));
    }
    ASSERT_OK(decc_tx_sign(&tx, sk, NULL));
    decc_buf raw;
    decc_buf_init(&raw, 0);
    ASSERT_OK(decc_tx_serialize(&raw, &tx, NULL));
    decc_tx p;
    decc_tx_init(&p);
    ASSERT_OK(decc_tx_parse(&p, raw.data, raw.len, NULL));
    ASSERT(tx_equal(&p, &tx));
    decc_address from;
    ASSERT_OK(decc_tx_recover(&from, &p, NULL));
    ASSERT(decc_address_eq(&from, &me));
    /* tampering with the value changes the sender */
    p.value.w[0] ^= 1;
    if (decc_tx_recover(&from, &p, NULL) == DECC_OK)
      ASSERT(!decc_address_eq(&from, &me));
    decc_tx_clear(&p);
    decc_buf_clear(&raw);
    decc_tx_clear(&tx);
  }
}
