/*
 * test_misuse_order.c — the entry checks of order.h: each required pointer
 * passed as NULL (an order, an output, a key, a domain separator, JSON
 * text, a tag, a names buffer with room) is reported to the misuse handler
 * by the function called, which returns DECC_E_INVALID (0 for a number, at
 * once when void) without crashing or touching its outputs; the permitted
 * NULLs (decc_order_clear's order, parse_json's present, every err, a
 * missing tag text) are not reported and behave as documented.
 */
#include <string.h>

#include "decc/abi.h"
#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "misuse_check.h"

static const uint8_t SK[32] = {[31] = 1};

TEST(misuse_order_lifecycle_json) {
  MISUSE_BEGIN();
  decc_order o, c;
  decc_order_type t = DECC_ORDER_APP;
  char *json = NULL;
  unsigned present = 9;
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_init, NULL, DECC_ORDER_REQUEST);
  ASSERT_OK(decc_order_init(&o, DECC_ORDER_REQUEST));
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_copy, NULL, &o);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_copy, &c, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_type_parse, NULL, "apporder");
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_type_parse, &t, NULL);
  ASSERT_EQ(t, DECC_ORDER_APP);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_from_json, NULL, DECC_ORDER_APP,
                "{}", 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_from_json, &c, DECC_ORDER_APP, NULL,
                2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_parse_json, NULL, DECC_ORDER_APP,
                "{}", 2, &present, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_parse_json, &c, DECC_ORDER_APP, NULL,
                2, &present, NULL);
  ASSERT_EQ(present, 9u); /* untouched */
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_to_json, NULL, &o);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_to_json, &json, NULL);

  /* The permitted NULLs: clear(NULL), no present, no err. A round trip
   * through JSON still works after the rejected calls. */
  EXPECT_NO_MISUSE(decc_order_clear(NULL));
  EXPECT_OK_NO_MISUSE(decc_order_type_parse(&t, "requestorder"));
  ASSERT_EQ(t, DECC_ORDER_REQUEST);
  EXPECT_OK_NO_MISUSE(decc_order_to_json(&json, &o));
  ASSERT(json != NULL);
  EXPECT_OK_NO_MISUSE(decc_order_parse_json(&c, DECC_ORDER_REQUEST, json,
                                            strlen(json), NULL, NULL));
  decc_order_clear(&c);
  EXPECT_OK_NO_MISUSE(
      decc_order_from_json(&c, DECC_ORDER_REQUEST, json, strlen(json), NULL));
  decc_free(json);
  decc_order_clear(&o); /* copy fills an uninitialised dst */
  EXPECT_OK_NO_MISUSE(decc_order_copy(&o, &c));
  decc_order_clear(&c);
  decc_order_clear(&o);
}

TEST(misuse_order_hash_sign) {
  MISUSE_BEGIN();
  decc_order o;
  ASSERT_OK(decc_order_init(&o, DECC_ORDER_APP));
  decc_address hub = {{0}}, who;
  uint8_t dom[32], h[32], sig[65];
  EXPECT_MISUSE_VOID(decc_poco_domain_separator, NULL, 1, &hub);
  EXPECT_MISUSE_VOID(decc_poco_domain_separator, dom, 1, NULL);
  decc_poco_domain_separator(dom, 1, &hub);
  EXPECT_MISUSE_VOID(decc_order_struct_hash, NULL, &o);
  EXPECT_MISUSE_VOID(decc_order_struct_hash, h, NULL);
  EXPECT_MISUSE_VOID(decc_order_hash, NULL, &o, dom);
  EXPECT_MISUSE_VOID(decc_order_hash, h, NULL, dom);
  EXPECT_MISUSE_VOID(decc_order_hash, h, &o, NULL);
  EXPECT_MISUSE_VOID(decc_order_operation_hash, NULL, &o, DECC_OP_SIGN, dom);
  EXPECT_MISUSE_VOID(decc_order_operation_hash, h, NULL, DECC_OP_SIGN, dom);
  EXPECT_MISUSE_VOID(decc_order_operation_hash, h, &o, DECC_OP_SIGN, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_sign, NULL, SK, dom, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_sign, &o, NULL, dom, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_sign, &o, SK, NULL, 0);
  ASSERT_EQ(o.sign_len, 0u); /* untouched */
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_recover, NULL, &o, dom);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_recover, &who, NULL, dom);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_recover, &who, &o, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_operation_sign, NULL, &o,
                DECC_OP_CLOSE, SK, dom);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_operation_sign, sig, NULL,
                DECC_OP_CLOSE, SK, dom);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_operation_sign, sig, &o,
                DECC_OP_CLOSE, NULL, dom);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_operation_sign, sig, &o,
                DECC_OP_CLOSE, SK, NULL);

  /* Valid calls are not reported: the signer recovered is the key's. */
  decc_address want;
  ASSERT_OK(decc_address_from_privkey(&want, SK));
  EXPECT_OK_NO_MISUSE(decc_order_sign(&o, SK, dom, 1));
  EXPECT_OK_NO_MISUSE(decc_order_recover(&who, &o, dom));
  ASSERT(decc_address_eq(&who, &want));
  EXPECT_OK_NO_MISUSE(
      decc_order_operation_sign(sig, &o, DECC_OP_CLOSE, SK, dom));
  decc_order_clear(&o);
}

TEST(misuse_order_tags_ids) {
  MISUSE_BEGIN();
  uint8_t tag[32], id[32], h[32] = {7};
  char names[32] = "x";
  decc_u256 n = decc_u256_from_u64(3);
  EXPECT_MISUSE_VOID(decc_tag_from_bits, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tag_parse, NULL, "tee", NULL);
  EXPECT_MISUSE(0, decc_tag_has, NULL, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tag_to_names, NULL, 8, tag, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tag_to_names, names, sizeof names, NULL,
                NULL);
  ASSERT_STR_EQ(names, "x"); /* untouched */
  EXPECT_MISUSE_VOID(decc_deal_id, NULL, h, &n);
  EXPECT_MISUSE_VOID(decc_deal_id, id, NULL, &n);
  EXPECT_MISUSE_VOID(decc_deal_id, id, h, NULL);
  EXPECT_MISUSE_VOID(decc_task_id, NULL, h, &n);
  EXPECT_MISUSE_VOID(decc_task_id, id, NULL, &n);
  EXPECT_MISUSE_VOID(decc_task_id, id, h, NULL);

  /* A missing tag text is a parse error, not misuse; a zero capacity is a
   * range error even with a NULL buffer. */
  int before = g_misuse.calls;
  ASSERT_EQ(decc_tag_parse(tag, NULL, NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_tag_to_names(NULL, 0, tag, NULL), DECC_E_RANGE);
  ASSERT_EQ(g_misuse.calls, before);
  EXPECT_OK_NO_MISUSE(decc_tag_parse(tag, "tee,tdx", NULL));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_tag_has(tag, 3), 1));
  EXPECT_OK_NO_MISUSE(decc_tag_to_names(names, sizeof names, tag, NULL));
  ASSERT_STR_EQ(names, "tee,tdx");
  uint8_t bits[32];
  EXPECT_NO_MISUSE(decc_tag_from_bits(bits, 9));
  ASSERT_MEM_EQ(bits, tag, 32);
  EXPECT_NO_MISUSE(decc_deal_id(id, h, &n));
  uint8_t tid[32];
  EXPECT_NO_MISUSE(decc_task_id(tid, id, &n));
  ASSERT(memcmp(tid, id, 32) != 0);
}

TEST(misuse_order_abi) {
  MISUSE_BEGIN();
  decc_order app, ds, wp, rq, back;
  ASSERT_OK(decc_order_init(&app, DECC_ORDER_APP));
  ASSERT_OK(decc_order_init(&ds, DECC_ORDER_DATASET));
  ASSERT_OK(decc_order_init(&wp, DECC_ORDER_WORKERPOOL));
  ASSERT_OK(decc_order_init(&rq, DECC_ORDER_REQUEST));
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_abi_push, NULL, &app);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_abi_push, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_abi_get, NULL, DECC_ORDER_APP, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_order_abi_get, &back, DECC_ORDER_APP,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_match_orders_calldata, NULL, &app, &ds,
                &wp, &rq, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_match_orders_calldata, &out, NULL, &ds,
                &wp, &rq, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_match_orders_calldata, &out, &app, NULL,
                &wp, &rq, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_match_orders_calldata, &out, &app, &ds,
                NULL, &rq, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_match_orders_calldata, &out, &app, &ds,
                &wp, NULL, 0);
  ASSERT_EQ(out.len, 0u);

  /* matchOrders(4 tuples): selector + 4 head words at least. */
  EXPECT_OK_NO_MISUSE(decc_match_orders_calldata(&out, &app, &ds, &wp, &rq, 0));
  ASSERT(out.len >= 4 + 4 * 32);
  EXPECT_OK_NO_MISUSE(decc_order_abi_push(&e, &app));
  decc_abi_enc_clear(&e);
  decc_buf_clear(&out);
  decc_order_clear(&app);
  decc_order_clear(&ds);
  decc_order_clear(&wp);
  decc_order_clear(&rq);
}
