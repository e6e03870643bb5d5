/*
 * test_misuse_u256.c — the entry checks of u256.h and evm.h: each required
 * pointer passed as NULL (and a log whose data is NULL with a non-zero
 * length) is reported to the misuse handler by the function called, which
 * returns DECC_E_INVALID (NULL / 0 for pointer and number results, at once
 * when void) without crashing; the documented NULLs (to_u64's out, div's
 * quot and rem, parse's missing text, the clear / free functions) are not
 * reported and work.
 */
#include <string.h>

#include "decc/evm.h"
#include "decc/mem.h"
#include "decc/u256.h"
#include "misuse_check.h"

TEST(misuse_u256_compare_convert) {
  MISUSE_BEGIN();
  decc_u256 a = decc_u256_from_u64(7), b = decc_u256_from_u64(9);
  uint64_t u = 0;
  uint8_t be[32];
  char dec[DECC_U256_DEC_LEN], hex[DECC_U256_HEX_LEN];
  EXPECT_MISUSE(0, decc_u256_to_u64, &u, NULL);
  EXPECT_MISUSE(0, decc_u256_is_zero, NULL);
  EXPECT_MISUSE(0, decc_u256_cmp, NULL, &b);
  EXPECT_MISUSE(0, decc_u256_cmp, &a, NULL);
  EXPECT_MISUSE_VOID(decc_u256_from_be, NULL, be);
  EXPECT_MISUSE_VOID(decc_u256_from_be, &a, NULL);
  EXPECT_MISUSE_VOID(decc_u256_to_be, NULL, &a);
  EXPECT_MISUSE_VOID(decc_u256_to_be, be, NULL);
  EXPECT_MISUSE_NULL(decc_u256_to_dec, NULL, &a);
  EXPECT_MISUSE_NULL(decc_u256_to_dec, dec, NULL);
  EXPECT_MISUSE_NULL(decc_u256_to_hex, NULL, &a);
  EXPECT_MISUSE_NULL(decc_u256_to_hex, hex, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_parse, NULL, "1");
  ASSERT_EQ(a.w[0], 7u); /* untouched */

  /* to_u64's out is optional: a NULL one only tests the range. */
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_u256_to_u64(NULL, &b), 1));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_u256_cmp(&a, &b), -1));
  EXPECT_NO_MISUSE(decc_u256_to_be(be, &b));
  EXPECT_NO_MISUSE(decc_u256_from_be(&a, be));
  ASSERT_EQ(decc_u256_cmp(&a, &b), 0);
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_u256_to_dec(dec, &a), "9"));
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_u256_to_hex(hex, &a), "0x9"));
  /* An empty or missing string stays a parse error, not misuse. */
  int before = g_misuse.calls;
  ASSERT_EQ(decc_u256_parse(&a, ""), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&a, NULL), DECC_E_PARSE);
  ASSERT_EQ(g_misuse.calls, before);
}

TEST(misuse_u256_arithmetic) {
  MISUSE_BEGIN();
  decc_u256 a = decc_u256_from_u64(20), b = decc_u256_from_u64(6), r;
  decc_u256 q, m;
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_add, NULL, &a, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_add, &r, NULL, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_add, &r, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_sub, NULL, &a, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_sub, &r, NULL, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_sub, &r, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_mul, NULL, &a, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_mul, &r, NULL, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_mul, &r, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_div, &q, &m, NULL, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_div, &q, &m, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_muldiv, NULL, &a, &b, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_muldiv, &r, NULL, &b, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_muldiv, &r, &a, NULL, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_u256_muldiv, &r, &a, &b, NULL);

  /* quot and rem are each optional. */
  EXPECT_OK_NO_MISUSE(decc_u256_div(&q, NULL, &a, &b));
  ASSERT_EQ(q.w[0], 3u);
  EXPECT_OK_NO_MISUSE(decc_u256_div(NULL, &m, &a, &b));
  ASSERT_EQ(m.w[0], 2u);
  EXPECT_OK_NO_MISUSE(decc_u256_muldiv(&r, &a, &b, &b));
  ASSERT_EQ(r.w[0], 20u);
  /* Overflow and division by zero stay DECC_E_RANGE, not misuse. */
  decc_u256 z = decc_u256_from_u64(0);
  int before = g_misuse.calls;
  ASSERT_EQ(decc_u256_div(&q, &m, &a, &z), DECC_E_RANGE);
  ASSERT_EQ(decc_u256_sub(&r, &b, &a), DECC_E_RANGE);
  ASSERT_EQ(g_misuse.calls, before);
}

TEST(misuse_evm) {
  MISUSE_BEGIN();
  decc_log src, dst;
  memset(&src, 0, sizeof src);
  uint8_t data[3] = {1, 2, 3};
  decc_log_filter f;
  EXPECT_MISUSE(DECC_E_INVALID, decc_log_copy, NULL, &src);
  EXPECT_MISUSE(DECC_E_INVALID, decc_log_copy, &dst, NULL);
  src.data_len = 3; /* data NULL with a length */
  EXPECT_MISUSE(DECC_E_INVALID, decc_log_copy, &dst, &src);
  EXPECT_MISUSE_VOID(decc_log_filter_init, NULL);

  /* The clear / free functions take NULL as a no-op. */
  EXPECT_NO_MISUSE(decc_log_clear(NULL));
  EXPECT_NO_MISUSE(decc_receipt_clear(NULL));
  EXPECT_NO_MISUSE(decc_logs_free(NULL, 4));
  src.data = data;
  EXPECT_OK_NO_MISUSE(decc_log_copy(&dst, &src));
  ASSERT(dst.data != src.data);
  ASSERT_MEM_EQ(dst.data, data, 3);
  EXPECT_NO_MISUSE(decc_log_clear(&dst));
  ASSERT(dst.data == NULL);
  EXPECT_NO_MISUSE(decc_log_filter_init(&f));
  ASSERT_EQ(f.to_block, UINT64_MAX);
}
