/*
 * test_order.c — iExec orders against the iexec SDK 9.0.1: every vector of
 * tests/vectors/orders/orders.json (four order types, tags 0x0 / tee /
 * tee+tdx / gpu, prices up to 2^256-1, restrictions, unicode params, three
 * chains) is parsed from the SDK's JSON, hashed, re-signed (RFC 6979 makes
 * signatures deterministic, so the bytes must match) and recovered; the
 * same orders go through the generic EIP-712 encoder as a cross-check.
 * Also: the typehash constants and domain separators of
 * iexec-protocol.md §1.4, the §1.9 AppOrder vector, order operations,
 * deal/task ids, tags, and the JSON error paths.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "test.h"

static const char *hex32(char out[67], const uint8_t b[32]) {
  return decc_hex_encode(out, b, 32, 1);
}

static json_t *load_vectors(void) {
  json_error_t je;
  return json_load_file(decc_test_vector_path("orders/orders.json"), 0, &je);
}

static int domain_of(uint8_t ds[32], json_t *v) {
  decc_address hub;
  if (decc_address_parse(&hub, json_string_value(json_object_get(v, "hub")),
                         NULL))
    return -1;
  decc_poco_domain_separator(
      ds, (uint64_t)json_integer_value(json_object_get(v, "chainId")), &hub);
  return 0;
}

/* Typehashes published in iexec-protocol.md §1.4 (equal to the Solidity
 * constants of IexecLibOrders_v5). */
TEST(typehashes_match_poco_constants) {
  static const char *want[4] = {
      "0x60815a0eeec47dddf1615fe53b31d016c31444e01b9d796db365443a6445d008",
      "0x6cfc932a5a3d22c4359295b9f433edff52b60703fa47690a04a83e40933dd47c",
      "0xaa3429fb281b34691803133d3d978a75bb77c617ed6bc9aa162b9b30920022bb",
      "0xf24e853034a3a450aba845a82914fbb564ad85accca6cf62be112a154520fae0"};
  static const char *want_op[4] = {
      "0x0638bb0702457e2b4b01be8a202579b8bf97e587fb4f2cc4d4aad01f21a06ee0",
      "0x075eb6f7578ff4292c241bd2484cd5c1d5e6ecc2ddd3317e1d8176b5a45865ec",
      "0x322d980b7d7a6a1f7c39ff0c5445da6ae1d8e0393ff0dd468c8be3e2c8644388",
      "0x0ded7b52c2d77595a40d242eca751df172b18e686326dbbed3f4748828af77c7"};
  json_t *root = load_vectors();
  ASSERT(root);
  json_t *ts = json_object_get(root, "typeStrings");
  for (int t = 0; t < 4; t++) {
    uint8_t h[32];
    char hx[67], op[800];
    const char *s = decc_order_type_string((decc_order_type)t);
    ASSERT_STR_EQ(s, json_string_value(json_object_get(
                         ts, decc_order_primary_type((decc_order_type)t))));
    decc_eip712_type_hash(h, s);
    ASSERT_STR_EQ(hex32(hx, h), want[t]);
    snprintf(op, sizeof op, "%sOperation(%s order,uint256 operation)%s",
             decc_order_primary_type((decc_order_type)t),
             decc_order_primary_type((decc_order_type)t), s);
    decc_eip712_type_hash(h, op);
    ASSERT_STR_EQ(hex32(hx, h), want_op[t]);
  }
  json_decref(root);
}

TEST(domain_separators) {
  decc_address hub;
  uint8_t ds[32];
  char h[67];
  ASSERT_OK(decc_address_parse(
      &hub, "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0", NULL));
  decc_poco_domain_separator(ds, 42161, &hub);
  ASSERT_STR_EQ(
      hex32(h, ds),
      "0x3b211ab198ac0c745a332d34416d88c417c2f06a87bd9f0d2fdd37b242c75402");
  ASSERT_OK(decc_address_parse(
      &hub, "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E", NULL));
  decc_poco_domain_separator(ds, 421614, &hub);
  ASSERT_STR_EQ(
      hex32(h, ds),
      "0xde6e7a8f1c22386ba73ee5376e4ec7089a2d2b07ebbfce54d4cb386daa34cc92");
  json_t *root = load_vectors();
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(root, "domains"), i, v) {
    ASSERT_OK(domain_of(ds, v));
    ASSERT_STR_EQ(hex32(h, ds),
                  json_string_value(json_object_get(v, "domainSeparator")));
  }
  json_decref(root);
}

/* iexec-protocol.md §1.9 (computed there with ethers 6). */
TEST(protocol_doc_apporder_vector) {
  const char *j =
      "{\"app\":\"0x1111111111111111111111111111111111111111\",\"appprice\":"
      "\"0\","
      "\"volume\":\"1000000\",\"tag\":"
      "\"0x0000000000000000000000000000000000000000000000000000000000000009\","
      "\"datasetrestrict\":\"0x0000000000000000000000000000000000000000\","
      "\"workerpoolrestrict\":\"0x0000000000000000000000000000000000000000\","
      "\"requesterrestrict\":\"0x0000000000000000000000000000000000000000\","
      "\"salt\":"
      "\"0xabababababababababababababababababababababababababababababababab\"}";
  decc_order o;
  decc_err err;
  unsigned present = 0;
  ASSERT_OK(
      decc_order_parse_json(&o, DECC_ORDER_APP, j, strlen(j), &present, &err));
  ASSERT_EQ(present, DECC_ORDER_HAS_SALT);
  decc_address hub;
  ASSERT_OK(decc_address_parse(
      &hub, "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0", NULL));
  uint8_t ds[32], sh[32], th[32], sk[32];
  char h[67], s130[133];
  decc_poco_domain_separator(ds, 42161, &hub);
  decc_order_struct_hash(sh, &o);
  decc_order_hash(th, &o, ds);
  ASSERT_STR_EQ(
      hex32(h, sh),
      "0xfb1ca8ed04a4b59c93ee92fbee31dd1fde775551dd72d7e4b102f364b730ce32");
  ASSERT_STR_EQ(
      hex32(h, th),
      "0x1b91f1d09ef476a3256d59ba39338203764c71d42fb33ec0ada5ede973c67a49");
  memset(sk, 0x11, 32);
  ASSERT_OK(decc_order_sign(&o, sk, ds, 0));
  ASSERT_EQ(o.sign_len, 65);
  ASSERT_STR_EQ(
      decc_hex_encode(s130, o.sign, 65, 1),
      "0x99e72c1959d7d31ed60e06d0bb27921d2357b4639e081e23d9d662c42ac55ca9"
      "4f12a2d7fda9fe77e6de52e3bc879c15d6b1e1fc171ece7e8387c063d04134231b");
  decc_address signer;
  char a[43];
  ASSERT_OK(decc_order_recover(&signer, &o, ds));
  ASSERT_STR_EQ(decc_address_to_checksum(a, &signer),
                "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A");
  decc_order_clear(&o);
}

/* Builds the eth_signTypedData_v4 document of an order from its type string
 * (so the generic encoder is checked on the same inputs). */
static char *typed_doc(json_t *vec, json_t *order_json, const char *type_string,
                       const char *primary) {
  json_t *members = json_array();
  const char *p = strchr(type_string, '(') + 1;
  while (*p && *p != ')') {
    const char *sp = strchr(p, ' ');
    const char *end = p + strcspn(p, ",)");
    json_array_append_new(members, json_pack("{s:s%,s:s%}", "name", sp + 1,
                                             (size_t)(end - sp - 1), "type", p,
                                             (size_t)(sp - p)));
    p = *end == ',' ? end + 1 : end;
  }
  json_t *msg = json_deep_copy(order_json);
  json_object_del(msg, "sign");
  json_t *doc = json_pack("{s:{s:o},s:s,s:{s:s,s:s,s:O,s:O},s:o}", "types",
                          primary, members, "primaryType", primary, "domain",
                          "name", "iExecODB", "version", "5.0.0", "chainId",
                          json_object_get(vec, "chainId"), "verifyingContract",
                          json_object_get(vec, "hub"), "message", msg);
  char *s = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  return s;
}

TEST(sdk_order_vectors) {
  json_t *root = load_vectors();
  ASSERT(root);
  json_t *orders = json_object_get(root, "orders");
  ASSERT(json_array_size(orders) >= 100);
  size_t i;
  json_t *v;
  int seen_types = 0;
  json_array_foreach(orders, i, v) {
    decc_order_type type;
    ASSERT_OK(decc_order_type_parse(
        &type, json_string_value(json_object_get(v, "type"))));
    seen_types |= 1 << type;
    json_t *oj = json_object_get(v, "order");
    char *text = json_dumps(oj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    decc_order o;
    decc_err err;
    decc_err_clear(&err);
    unsigned present = 0;
    decc_status st =
        decc_order_parse_json(&o, type, text, strlen(text), &present, &err);
    if (st)
      fprintf(stderr, "vector %zu: %s\n", i, err.msg);
    ASSERT_OK(st);
    ASSERT_EQ(present, DECC_ORDER_HAS_SALT | DECC_ORDER_HAS_SIGN);
    uint8_t ds[32], sh[32], th[32], sk[32];
    char h[67], s130[133], a[43];
    ASSERT_OK(domain_of(ds, v));
    decc_order_struct_hash(sh, &o);
    decc_order_hash(th, &o, ds);
    ASSERT_STR_EQ(hex32(h, sh),
                  json_string_value(json_object_get(v, "structHash")));
    ASSERT_STR_EQ(hex32(h, th),
                  json_string_value(json_object_get(v, "orderHash")));
    /* The given signature recovers to the SDK's signer. */
    decc_address who;
    ASSERT_OK(decc_order_recover(&who, &o, ds));
    ASSERT_STR_EQ(decc_address_to_checksum(a, &who),
                  json_string_value(json_object_get(v, "signer")));
    /* Re-signing gives the same bytes (RFC 6979 on both sides). */
    uint8_t given[65];
    memcpy(given, o.sign, 65);
    ASSERT_OK(decc_hex_decode_exact(
        sk, 32, json_string_value(json_object_get(v, "privateKey")), "k",
        NULL));
    ASSERT_OK(decc_order_sign(&o, sk, ds, 0));
    ASSERT_MEM_EQ(o.sign, given, 65);
    ASSERT_STR_EQ(decc_hex_encode(s130, o.sign, 65, 1),
                  json_string_value(json_object_get(oj, "sign")));
    /* Serialization gives back the SDK's JSON member for member. */
    char *out = NULL;
    ASSERT_OK(decc_order_to_json(&out, &o));
    json_error_t je;
    json_t *back = json_loads(out, 0, &je);
    ASSERT(back);
    const char *key;
    json_t *val;
    ASSERT_EQ(json_object_size(back), json_object_size(oj));
    json_object_foreach(oj, key, val) {
      const char *mine = json_string_value(json_object_get(back, key));
      ASSERT(mine != NULL);
      if (strcmp(mine, json_string_value(val)) != 0) {
        fprintf(stderr, "vector %zu field %s: %s != %s\n", i, key, mine,
                json_string_value(val));
        ASSERT(0);
      }
    }
    json_decref(back);
    decc_free(out);
    /* The generic EIP-712 encoder agrees. */
    char *doc = typed_doc(v, oj, decc_order_type_string(type),
                          decc_order_primary_type(type));
    uint8_t d2[32];
    st = decc_eip712_hash_json(d2, NULL, doc, strlen(doc), &err);
    if (st)
      fprintf(stderr, "vector %zu generic: %s\n", i, err.msg);
    ASSERT_OK(st);
    ASSERT_MEM_EQ(d2, th, 32);
    free(doc);
    free(text);
    decc_order_clear(&o);
  }
  ASSERT_EQ(seen_types, 15);
  json_decref(root);
}

TEST(sdk_operation_vectors) {
  json_t *root = load_vectors();
  json_t *ops = json_object_get(root, "operations");
  ASSERT(json_array_size(ops) >= 8);
  size_t i;
  json_t *v;
  json_array_foreach(ops, i, v) {
    decc_order_type type;
    ASSERT_OK(decc_order_type_parse(
        &type, json_string_value(json_object_get(v, "type"))));
    char *text = json_dumps(json_object_get(v, "order"), JSON_COMPACT);
    decc_order o;
    ASSERT_OK(decc_order_from_json(&o, type, text, strlen(text), NULL));
    free(text);
    uint8_t ds[32], h[32], sk[32], sig[65];
    char hx[67], s130[133];
    ASSERT_OK(domain_of(ds, v));
    decc_order_operation op = (decc_order_operation)json_integer_value(
        json_object_get(v, "operation"));
    decc_order_operation_hash(h, &o, op, ds);
    ASSERT_STR_EQ(hex32(hx, h), json_string_value(json_object_get(v, "hash")));
    ASSERT_OK(decc_hex_decode_exact(
        sk, 32, json_string_value(json_object_get(v, "privateKey")), "k",
        NULL));
    ASSERT_OK(decc_order_operation_sign(sig, &o, op, sk, ds));
    ASSERT_STR_EQ(decc_hex_encode(s130, sig, 65, 1),
                  json_string_value(json_object_get(v, "sign")));
    decc_order_clear(&o);
  }
  json_decref(root);
}

TEST(deal_and_task_ids) {
  /* iexec-protocol.md §1.9: taskid(0xcdcd…cd, 0). */
  uint8_t deal[32], out[32];
  char h[67];
  memset(deal, 0xcd, 32);
  decc_u256 zero = decc_u256_from_u64(0);
  decc_task_id(out, deal, &zero);
  ASSERT_STR_EQ(
      hex32(h, out),
      "0x729a52d3615aaf5465e9bc938bf65c128bdf72abd751cbe4c0c1ac724a02d3f2");
  json_t *root = load_vectors();
  size_t i, k;
  json_t *v, *t;
  ASSERT(json_array_size(json_object_get(root, "ids")) >= 2);
  json_array_foreach(json_object_get(root, "ids"), i, v) {
    uint8_t rh[32];
    decc_u256 c;
    ASSERT_OK(decc_hex_decode_exact(
        rh, 32, json_string_value(json_object_get(v, "requestorderHash")), "h",
        NULL));
    ASSERT_OK(
        decc_u256_parse(&c, json_string_value(json_object_get(v, "consumed"))));
    decc_deal_id(deal, rh, &c);
    ASSERT_STR_EQ(hex32(h, deal),
                  json_string_value(json_object_get(v, "dealid")));
    json_array_foreach(json_object_get(v, "tasks"), k, t) {
      decc_u256 idx;
      ASSERT_OK(decc_u256_parse(
          &idx, json_string_value(json_object_get(t, "index"))));
      decc_task_id(out, deal, &idx);
      ASSERT_STR_EQ(hex32(h, out),
                    json_string_value(json_object_get(t, "taskid")));
    }
  }
  json_decref(root);
}

TEST(tags) {
  uint8_t t[32], w[32];
  char names[64];
  decc_err err;
  ASSERT_OK(decc_tag_parse(t, "tee,tdx", &err));
  decc_tag_from_bits(w, 0x9);
  ASSERT_MEM_EQ(t, w, 32);
  ASSERT_OK(decc_tag_parse(t, " gpu , tee ", &err));
  decc_tag_from_bits(w, 0x101);
  ASSERT_MEM_EQ(t, w, 32);
  ASSERT_OK(decc_tag_parse(t, "0x9", &err));
  decc_tag_from_bits(w, 0x9);
  ASSERT_MEM_EQ(t, w, 32);
  ASSERT_OK(decc_tag_parse(
      t, "0x0000000000000000000000000000000000000000000000000000000000000103",
      &err));
  ASSERT(decc_tag_has(t, 0) && decc_tag_has(t, 1) && decc_tag_has(t, 8));
  ASSERT(!decc_tag_has(t, 3) && !decc_tag_has(t, 255) && !decc_tag_has(t, 256));
  ASSERT_OK(decc_tag_to_names(names, sizeof names, t, &err));
  ASSERT_STR_EQ(names, "tee,scone,gpu");
  decc_tag_from_bits(w, 0);
  ASSERT_OK(decc_tag_to_names(names, sizeof names, w, &err));
  ASSERT_STR_EQ(names, "");
  decc_tag_from_bits(w, 0x10);
  ASSERT_EQ(decc_tag_to_names(names, sizeof names, w, &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "bit 4") != NULL);
  decc_tag_from_bits(w, 0x10f);
  ASSERT_EQ(decc_tag_to_names(names, 8, w, &err), DECC_E_RANGE);
  ASSERT_EQ(decc_tag_parse(t, "tee,sgx", &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "sgx") != NULL);
  ASSERT_EQ(decc_tag_parse(t, "", &err), DECC_E_PARSE);
  ASSERT_EQ(decc_tag_parse(t, "tee,", &err), DECC_E_PARSE);
  ASSERT_EQ(decc_tag_parse(t, "0x", &err), DECC_E_PARSE);
  ASSERT_EQ(decc_tag_parse(t, "0xzz", &err), DECC_E_PARSE);
  /* Hex syntax: either case in prefix and digits, an odd digit count
   * right-aligned, exactly one prefix; a refused tag leaves all zero. */
  ASSERT_OK(decc_tag_parse(t, "0X1F0", &err));
  decc_tag_from_bits(w, 0x1f0);
  ASSERT_MEM_EQ(t, w, 32);
  ASSERT_OK(decc_tag_parse(t, "0xaBc", &err));
  decc_tag_from_bits(w, 0xabc);
  ASSERT_MEM_EQ(t, w, 32);
  ASSERT_EQ(decc_tag_parse(t, "0x0x12", &err), DECC_E_PARSE);
  ASSERT_EQ(decc_tag_parse(t, "0x12 ", &err), DECC_E_PARSE);
  ASSERT_EQ(decc_tag_parse(t, "0x1g3", &err), DECC_E_PARSE);
  decc_tag_from_bits(w, 0);
  ASSERT_MEM_EQ(t, w, 32);
  ASSERT_EQ(
      decc_tag_parse(
          t,
          "0x00000000000000000000000000000000000000000000000000000000000000001",
          &err),
      DECC_E_PARSE);
  ASSERT_STR_EQ(decc_tag_bit_name(3), "tdx");
  ASSERT(decc_tag_bit_name(4) == NULL);
}

static const char *APP_OK =
    "{\"app\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\",\"appprice\":"
    "\"5\",\"volume\":1,"
    "\"tag\":[\"tee\",\"tdx\"],\"datasetrestrict\":"
    "\"0x0000000000000000000000000000000000000000\","
    "\"workerpoolrestrict\":\"0x0000000000000000000000000000000000000000\","
    "\"requesterrestrict\":\"0x0000000000000000000000000000000000000000\"}";

/* Replaces `from` by `to` in APP_OK and parses the result. */
static decc_status parse_variant(const char *from, const char *to,
                                 decc_err *err) {
  char buf[2048];
  const char *p = strstr(APP_OK, from);
  if (!p)
    return DECC_E_INTERNAL;
  snprintf(buf, sizeof buf, "%.*s%s%s", (int)(p - APP_OK), APP_OK, to,
           p + strlen(from));
  decc_order o;
  decc_err_clear(err);
  decc_status st =
      decc_order_from_json(&o, DECC_ORDER_APP, buf, strlen(buf), err);
  if (!st)
    decc_order_clear(&o);
  return st;
}

TEST(json_errors) {
  decc_err err;
  ASSERT_OK(parse_variant("\"appprice\":\"5\"", "\"appprice\":\"5\"", &err));
  ASSERT_EQ(parse_variant("\"appprice\":\"5\"",
                          "\"appprice\":"
                          "\"11579208923731619542357098500868790785326998466564"
                          "0564039457584007913129639936\"",
                          &err),
            DECC_E_RANGE);
  ASSERT(strstr(err.msg, "apporder.appprice") != NULL);
  ASSERT_OK(parse_variant("\"appprice\":\"5\"",
                          "\"appprice\":"
                          "\"11579208923731619542357098500868790785326998466564"
                          "0564039457584007913129639935\"",
                          &err));
  ASSERT_EQ(parse_variant("\"appprice\":\"5\"", "\"appprice\":-5", &err),
            DECC_E_RANGE);
  ASSERT_EQ(parse_variant("\"appprice\":\"5\"", "\"appprice\":\"5 RLC\"", &err),
            DECC_E_PARSE);
  ASSERT_EQ(parse_variant("\"appprice\":\"5\"", "\"appprice\":5.5", &err),
            DECC_E_PARSE);
  ASSERT_EQ(parse_variant("\"appprice\":\"5\"",
                          "\"appprice\":\"5\",\"bogus\":1", &err),
            DECC_E_INVALID);
  ASSERT(strstr(err.msg, "unknown field 'bogus'") != NULL);
  ASSERT_EQ(parse_variant("\"appprice\":\"5\",", "", &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "apporder.appprice: missing") != NULL);
  ASSERT_EQ(parse_variant("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                          "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", &err),
            DECC_E_INVALID);
  ASSERT(strstr(err.msg, "checksum") != NULL);
  ASSERT_EQ(parse_variant("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
                          "0x5aAeb605", &err),
            DECC_E_PARSE);
  ASSERT_EQ(parse_variant("[\"tee\",\"tdx\"]", "[\"tee\",\"sgx\"]", &err),
            DECC_E_PARSE);
  ASSERT_EQ(parse_variant("[\"tee\",\"tdx\"]", "[\"0x1\"]", &err),
            DECC_E_PARSE);
  ASSERT_EQ(parse_variant("[\"tee\",\"tdx\"]", "7", &err), DECC_E_PARSE);
  ASSERT_OK(parse_variant("[\"tee\",\"tdx\"]", "\"tee,tdx\"", &err));
  ASSERT_EQ(
      parse_variant("\"volume\":1", "\"volume\":1,\"salt\":\"0x1234\"", &err),
      DECC_E_RANGE);
  ASSERT_EQ(
      parse_variant("\"volume\":1", "\"volume\":1,\"sign\":\"0x1234\"", &err),
      DECC_E_PARSE);
  ASSERT_EQ(
      parse_variant("\"volume\":1", "\"volume\":1,\"sign\":\"nothex\"", &err),
      DECC_E_PARSE);
  ASSERT_EQ(parse_variant("\"volume\":1", "\"volume\":1,\"volume\":2", &err),
            DECC_E_PARSE);
  /* Fields of another order type are unknown here. */
  ASSERT_EQ(parse_variant("\"volume\":1", "\"volume\":1,\"params\":\"\"", &err),
            DECC_E_INVALID);
  decc_order o;
  ASSERT_EQ(decc_order_from_json(&o, DECC_ORDER_APP, "[1]", 3, &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_order_from_json(&o, DECC_ORDER_APP, "{", 1, &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_order_from_json(&o, (decc_order_type)7, "{}", 2, &err),
            DECC_E_INVALID);
  ASSERT_EQ(decc_order_from_json(&o, DECC_ORDER_APP, APP_OK,
                                 DECC_ORDER_JSON_MAX + 1, &err),
            DECC_E_LIMIT);
  decc_order_type t;
  ASSERT_EQ(decc_order_type_parse(&t, "bogusorder"), DECC_E_INVALID);
  ASSERT_OK(decc_order_type_parse(&t, "workerpoolorder"));
  ASSERT_EQ(t, DECC_ORDER_WORKERPOOL);
}

TEST(request_params_forms_and_copy) {
  const char *j =
      "{\"app\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\",\"appmaxprice\":"
      "\"0\","
      "\"dataset\":\"0x0000000000000000000000000000000000000000\","
      "\"datasetmaxprice\":\"0\","
      "\"workerpool\":\"0x0000000000000000000000000000000000000000\","
      "\"workerpoolmaxprice\":\"0\","
      "\"requester\":\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\",\"volume\":"
      "\"1\",\"tag\":\"0x0\","
      "\"category\":\"0\",\"trust\":\"0\",\"beneficiary\":"
      "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\","
      "\"callback\":\"0x0000000000000000000000000000000000000000\","
      "\"params\":{\"iexec_args\":\"a b\",\"iexec_result_encryption\":true}}";
  decc_order o, c;
  decc_err err;
  unsigned present = 9;
  ASSERT_OK(decc_order_parse_json(&o, DECC_ORDER_REQUEST, j, strlen(j),
                                  &present, &err));
  ASSERT_EQ(present, 0);
  ASSERT_STR_EQ(o.u.request.params,
                "{\"iexec_args\":\"a b\",\"iexec_result_encryption\":true}");
  ASSERT_OK(decc_order_copy(&c, &o));
  ASSERT(c.u.request.params != o.u.request.params);
  uint8_t h1[32], h2[32];
  decc_order_struct_hash(h1, &o);
  decc_order_struct_hash(h2, &c);
  ASSERT_MEM_EQ(h1, h2, 32);
  /* Random salt changes the hash; an unsigned order does not recover. */
  uint8_t sk[32], ds[32];
  memset(sk, 0x22, 32);
  memset(ds, 0x33, 32);
  decc_address who;
  ASSERT_EQ(decc_order_recover(&who, &c, ds), DECC_E_BAD_SIGNATURE);
  ASSERT_OK(decc_order_sign(&c, sk, ds, 1));
  decc_order_struct_hash(h2, &c);
  ASSERT(memcmp(h1, h2, 32) != 0);
  decc_address expect;
  ASSERT_OK(decc_address_from_privkey(&expect, sk));
  ASSERT_OK(decc_order_recover(&who, &c, ds));
  ASSERT(decc_address_eq(&who, &expect));
  /* A tampered order no longer recovers to the signer. */
  c.u.request.volume = decc_u256_from_u64(2);
  decc_status st = decc_order_recover(&who, &c, ds);
  ASSERT(st != DECC_OK || !decc_address_eq(&who, &expect));
  /* Bad key. */
  uint8_t zero[32] = {0};
  ASSERT_EQ(decc_order_sign(&c, zero, ds, 0), DECC_E_INVALID);
  ASSERT_EQ(c.sign_len, 0);
  decc_order_clear(&o);
  decc_order_clear(&c);
  decc_order_clear(&c); /* safe twice */
}

TEST(to_json_rejects_non_utf8_params) {
  decc_order o;
  ASSERT_OK(decc_order_init(&o, DECC_ORDER_REQUEST));
  decc_free(o.u.request.params);
  o.u.request.params = decc_strdup("bad \xff");
  char *s = NULL;
  ASSERT_EQ(decc_order_to_json(&s, &o), DECC_E_INVALID);
  ASSERT(s == NULL);
  decc_order_clear(&o);
}

/* matchOrders calldata built by the library equals what ethers encoded
 * from the PoCo ABI for the same four signed orders (ledger vectors). */
#include "decc/buf.h"
TEST(match_orders_calldata_matches_ethers) {
  size_t len = 0;
  char *txt =
      decc_test_read_file(decc_test_vector_path("ledger/ledger.json"), &len);
  ASSERT(txt != NULL);
  json_error_t je;
  json_t *root = json_loadb(txt, len, 0, &je);
  ASSERT(root != NULL);
  json_t *orders = json_object_get(root, "orders");
  static const char *names[4] = {"app", "dataset", "workerpool", "request"};
  decc_order o[4];
  for (int i = 0; i < 4; i++) {
    char *js = json_dumps(json_object_get(orders, names[i]), JSON_COMPACT);
    ASSERT(js != NULL);
    decc_err err;
    decc_status st =
        decc_order_from_json(&o[i], (decc_order_type)i, js, strlen(js), &err);
    free(js);
    if (st)
      fprintf(stderr, "    %s: %s\n", names[i], err.msg);
    ASSERT_OK(st);
  }
  const char *want = NULL;
  size_t i;
  json_t *step;
  json_array_foreach(json_object_get(root, "steps"), i, step) {
    if (!strcmp(json_string_value(json_object_get(step, "what")),
                "matchOrders"))
      want = json_string_value(json_object_get(step, "data"));
  }
  ASSERT(want != NULL);
  decc_buf cd;
  decc_buf_init(&cd, 0);
  ASSERT_OK(decc_match_orders_calldata(&cd, &o[0], &o[1], &o[2], &o[3], 0));
  char *hex = malloc(2 * cd.len + 3);
  decc_hex_encode(hex, cd.data, cd.len, 1);
  ASSERT_STR_EQ(hex, want);
  /* wrong order types are refused */
  ASSERT_EQ(decc_match_orders_calldata(&cd, &o[1], &o[0], &o[2], &o[3], 0),
            DECC_E_INVALID);
  free(hex);
  decc_buf_clear(&cd);
  for (int k = 0; k < 4; k++)
    decc_order_clear(&o[k]);
  json_decref(root);
}

/* decc_order_abi_get reads back what decc_order_abi_push wrote, for the
 * ethers-checked orders of the ledger vectors (every field, params and
 * sign included), and refuses a tuple of another type. */
TEST(order_abi_get_inverts_push) {
  size_t len = 0;
  char *txt =
      decc_test_read_file(decc_test_vector_path("ledger/ledger.json"), &len);
  ASSERT(txt != NULL);
  json_error_t je;
  json_t *root = json_loadb(txt, len, 0, &je);
  ASSERT(root != NULL);
  json_t *orders = json_object_get(root, "orders");
  static const char *names[4] = {"app", "dataset", "workerpool", "request"};
  static const char *types[4] = {
      DECC_ORDER_ABI_APP_TYPE, DECC_ORDER_ABI_DATASET_TYPE,
      DECC_ORDER_ABI_WORKERPOOL_TYPE, DECC_ORDER_ABI_REQUEST_TYPE};
  for (int i = 0; i < 4; i++) {
    char *js = json_dumps(json_object_get(orders, names[i]), JSON_COMPACT);
    ASSERT(js != NULL);
    decc_order o, back;
    ASSERT_OK(
        decc_order_from_json(&o, (decc_order_type)i, js, strlen(js), NULL));
    free(js);
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    ASSERT_OK(decc_order_abi_push(&e, &o));
    decc_buf b, b2;
    decc_buf_init(&b, 0);
    decc_buf_init(&b2, 0);
    ASSERT_OK(decc_abi_enc_finish(&e, &b));
    decc_abi_enc_clear(&e);
    decc_abi_value *v = NULL;
    ASSERT_OK(decc_abi_decode(&v, types[i], b.data, b.len, 0, NULL));
    ASSERT_OK(
        decc_order_abi_get(&back, (decc_order_type)i, decc_abi_item(v, 0)));
    /* same hash, same sign, and the same bytes once encoded again */
    uint8_t h1[32], h2[32], dom[32];
    decc_address hub;
    memset(&hub, 0x11, sizeof hub);
    decc_poco_domain_separator(dom, 31337, &hub);
    decc_order_hash(h1, &o, dom);
    decc_order_hash(h2, &back, dom);
    ASSERT_MEM_EQ(h1, h2, 32);
    ASSERT_EQ(back.sign_len, o.sign_len);
    ASSERT_MEM_EQ(back.sign, o.sign, o.sign_len);
    decc_abi_enc_init(&e, 0);
    ASSERT_OK(decc_order_abi_push(&e, &back));
    ASSERT_OK(decc_abi_enc_finish(&e, &b2));
    decc_abi_enc_clear(&e);
    ASSERT_EQ(b2.len, b.len);
    ASSERT_MEM_EQ(b2.data, b.data, b.len);
    decc_abi_value_free(v);
    /* a workerpool tuple read as an app order is refused */
    if (i == 2) {
      v = NULL;
      ASSERT_OK(decc_abi_decode(&v, types[2], b.data, b.len, 0, NULL));
      decc_order wrong;
      ASSERT(decc_order_abi_get(&wrong, DECC_ORDER_REQUEST,
                                decc_abi_item(v, 0)) != DECC_OK);
      decc_abi_value_free(v);
    }
    decc_buf_clear(&b);
    decc_buf_clear(&b2);
    decc_order_clear(&o);
    decc_order_clear(&back);
  }
  json_decref(root);
  free(txt);
}
