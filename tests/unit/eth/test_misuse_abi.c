/*
 * test_misuse_abi.c — the entry checks of abi.h: each required pointer
 * passed as NULL (an encoder, a value to push, an output, a type or
 * signature text, data NULL with a non-zero length) is reported to the
 * misuse handler by the function called, which returns DECC_E_INVALID (at
 * once when void) without crashing and without setting the encoder's
 * sticky error; the documented NULLs (a NULL value v to the accessors,
 * empty data, func_parse's sel4, the free functions) are not reported.
 */
#include <string.h>

#include "decc/abi.h"
#include "decc/mem.h"
#include "misuse_check.h"

TEST(misuse_abi_topics) {
  MISUSE_BEGIN();
  uint8_t s4[4], t32[32];
  decc_address a = {{0}};
  decc_u256 v = decc_u256_from_u64(1);
  EXPECT_MISUSE_VOID(decc_abi_selector, NULL, "f()");
  EXPECT_MISUSE_VOID(decc_abi_selector, s4, NULL);
  EXPECT_MISUSE_VOID(decc_abi_event_topic, NULL, "E()");
  EXPECT_MISUSE_VOID(decc_abi_event_topic, t32, NULL);
  EXPECT_MISUSE_VOID(decc_abi_topic_address, NULL, &a);
  EXPECT_MISUSE_VOID(decc_abi_topic_address, t32, NULL);
  EXPECT_MISUSE_VOID(decc_abi_topic_u256, NULL, &v);
  EXPECT_MISUSE_VOID(decc_abi_topic_u256, t32, NULL);
  EXPECT_MISUSE_VOID(decc_abi_topic_hash, NULL, "x", 1);
  EXPECT_MISUSE_VOID(decc_abi_topic_hash, t32, NULL, 1);

  /* transfer(address,uint256) = 0xa9059cbb (ERC-20). */
  static const uint8_t want[4] = {0xa9, 0x05, 0x9c, 0xbb};
  EXPECT_NO_MISUSE(decc_abi_selector(s4, "transfer(address,uint256)"));
  ASSERT_MEM_EQ(s4, want, 4);
  EXPECT_NO_MISUSE(decc_abi_topic_hash(t32, NULL, 0));
}

TEST(misuse_abi_encoder) {
  MISUSE_BEGIN();
  decc_abi_enc e;
  uint8_t w[32] = {0}, sel[4] = {1, 2, 3, 4};
  decc_u256 v = decc_u256_from_u64(5);
  decc_address a = {{0}};
  decc_buf out;
  decc_buf_init(&out, 0);
  EXPECT_MISUSE_VOID(decc_abi_enc_init, NULL, 0);
  decc_abi_enc_init(&e, 0);
  EXPECT_MISUSE_VOID(decc_abi_enc_clear, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_word, NULL, w);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_word, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_u256, NULL, &v);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_u256, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_uint, NULL, &v, 8);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_uint, &e, NULL, 8);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_u64, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_i64, NULL, -1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_address, NULL, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_address, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_bool, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_bytes32, NULL, w);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_bytes32, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_bytesn, NULL, w, 4);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_bytesn, &e, NULL, 4);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_bytes, NULL, w, 4);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_bytes, &e, NULL, 4);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_string, NULL, "s");
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_string, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_string_n, NULL, "s", 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_string_n, &e, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_begin_tuple, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_end_tuple, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_begin_array, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_begin_fixed_array, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_end_array, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_finish, NULL, &out);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_finish, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_finish_call, NULL, sel, &out);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_finish_call, &e, NULL, &out);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_finish_call, &e, sel, NULL);

  /* None of the rejected pushes set the sticky error: the encoder still
   * produces f(uint256 5, bytes "") = selector + 3 words, and empty bytes
   * given as NULL are not misuse. */
  EXPECT_OK_NO_MISUSE(decc_abi_enc_push_u256(&e, &v));
  EXPECT_OK_NO_MISUSE(decc_abi_enc_push_bytes(&e, NULL, 0));
  EXPECT_OK_NO_MISUSE(decc_abi_enc_push_string_n(&e, NULL, 0));
  EXPECT_OK_NO_MISUSE(decc_abi_enc_finish_call(&e, sel, &out));
  ASSERT_EQ(out.len, 4u + 5u * 32u);
  ASSERT_EQ(out.data[4 + 31], 5);
  EXPECT_OK_NO_MISUSE(decc_abi_enc_push_bool(&e, 1));
  EXPECT_OK_NO_MISUSE(decc_abi_enc_finish(&e, &out));
  ASSERT_EQ(out.len, 4u + 6u * 32u);
  decc_abi_enc_clear(&e);
  decc_buf_clear(&out);
}

TEST(misuse_abi_types_decode) {
  MISUSE_BEGIN();
  decc_abi_type *t = NULL;
  decc_abi_value *root = NULL;
  uint8_t sel[4], word[32] = {[31] = 7};
  decc_buf out;
  decc_buf_init(&out, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_type_parse, NULL, "uint256", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_type_parse, &t, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_func_parse, NULL, sel, "f()", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_func_parse, &t, sel, NULL, NULL);
  ASSERT_OK(decc_abi_type_parse(&t, "uint256", NULL));
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_type_canonical, NULL, t);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_type_canonical, &out, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode_type, NULL, t, word, 32, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode_type, &root, NULL, word, 32, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode_type, &root, t, NULL, 32, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode, NULL, "uint256", word, 32, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode, &root, NULL, word, 32, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode, &root, "uint256", NULL, 32, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode_call, NULL, "f()", sel, 4, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode_call, &root, NULL, sel, 4, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_decode_call, &root, "f()", NULL, 4, 0,
                NULL);
  ASSERT(root == NULL);

  /* Valid: func_parse without sel4, the canonical text, a decode, and the
   * NULL-tolerant frees. */
  decc_abi_type *args = NULL;
  EXPECT_OK_NO_MISUSE(decc_abi_func_parse(&args, NULL, "f(uint)", NULL));
  EXPECT_OK_NO_MISUSE(decc_abi_type_canonical(&out, args));
  ASSERT_EQ(out.len, 7u);
  ASSERT(memcmp(out.data, "uint256", 7) == 0);
  EXPECT_OK_NO_MISUSE(decc_abi_decode_type(&root, t, word, 32, 0, NULL));
  EXPECT_NO_MISUSE(decc_abi_value_free(root));
  EXPECT_NO_MISUSE(decc_abi_value_free(NULL));
  EXPECT_NO_MISUSE(decc_abi_type_free(NULL));
  decc_abi_type_free(args);
  decc_abi_type_free(t);
  decc_buf_clear(&out);
}

TEST(misuse_abi_values) {
  MISUSE_BEGIN();
  uint8_t data[64] = {[31] = 7, [63] = 1};
  decc_abi_value *root = NULL;
  ASSERT_OK(decc_abi_decode(&root, "uint256,bool", data, 64, 0, NULL));
  const decc_abi_value *u = decc_abi_item(root, 0);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_buf out;
  decc_buf_init(&out, 0);
  const uint8_t *p;
  size_t n;
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_value, NULL, u);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_enc_push_value, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_encode_value, NULL, root);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_encode_value, &out, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_address, u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_u256, u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_u64, u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_i64, u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_bool, u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_bytes32, u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_bytes, u, NULL, &n);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_bytes, u, &p, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_abi_get_string, u, NULL);

  /* A NULL value is the documented end of a chain of gets, not misuse. */
  uint64_t x = 0;
  int before = g_misuse.calls;
  ASSERT(decc_abi_item(NULL, 0) == NULL);
  ASSERT_EQ(decc_abi_get_u64(NULL, &x), DECC_E_INVALID);
  ASSERT_EQ(decc_abi_get_u64(decc_abi_item(root, 9), &x), DECC_E_INVALID);
  ASSERT_EQ(g_misuse.calls, before);
  EXPECT_OK_NO_MISUSE(decc_abi_get_u64(u, &x));
  ASSERT_EQ(x, 7u);
  EXPECT_OK_NO_MISUSE(decc_abi_encode_value(&out, root));
  ASSERT_EQ(out.len, 64u);
  ASSERT_MEM_EQ(out.data, data, 64);
  decc_buf_clear(&out);
  decc_abi_enc_clear(&e);
  decc_abi_value_free(root);
}
