/*
 * test_misuse_mem.c — the entry checks of mem.h (and of decc_buf_clear /
 * decc_buf_reset in buf.h): a NULL pointer with a non-zero length to
 * decc_ct_memeq or decc_random_bytes, or a NULL buffer to clear / reset, is
 * reported to the misuse handler by the function called, which returns 0 /
 * DECC_E_INVALID (at once when void) without crashing; the libc-style NULLs
 * the header allows (free, secure_free, memzero, strdup, realloc, zero
 * lengths) are not reported and behave as documented.
 */
#include <string.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "misuse_check.h"

TEST(misuse_mem) {
  MISUSE_BEGIN();
  uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 4};
  EXPECT_MISUSE(0, decc_ct_memeq, NULL, b, 4);
  EXPECT_MISUSE(0, decc_ct_memeq, a, NULL, 4);
  EXPECT_MISUSE(DECC_E_INVALID, decc_random_bytes, NULL, 4);
  ASSERT_STR_EQ(g_misuse.what, "buf != NULL || n == 0");

  EXPECT_NO_MISUSE(ASSERT_EQ(decc_ct_memeq(a, b, 4), 1));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_ct_memeq(NULL, NULL, 0), 1));
  EXPECT_OK_NO_MISUSE(decc_random_bytes(NULL, 0));
  EXPECT_OK_NO_MISUSE(decc_random_bytes(a, sizeof a));
  EXPECT_NO_MISUSE(decc_free(NULL));
  EXPECT_NO_MISUSE(decc_secure_free(NULL));
  EXPECT_NO_MISUSE(decc_memzero(NULL, 8));
  EXPECT_NO_MISUSE(ASSERT(decc_strdup(NULL) == NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_strndup(NULL, 3) == NULL));
  void *p = NULL;
  EXPECT_NO_MISUSE(p = decc_realloc(NULL, 16));
  ASSERT(p != NULL);
  decc_free(p);
  char *s = decc_strndup("abcdef", 3);
  ASSERT_STR_EQ(s, "abc");
  decc_free(s);
}

TEST(misuse_buf_clear_reset) {
  MISUSE_BEGIN();
  EXPECT_MISUSE_VOID(decc_buf_clear, NULL);
  EXPECT_MISUSE_VOID(decc_buf_reset, NULL);
  decc_buf b;
  decc_buf_init_secret(&b, 0);
  ASSERT_OK(decc_buf_append_str(&b, "key"));
  EXPECT_NO_MISUSE(decc_buf_reset(&b));
  ASSERT_EQ(b.len, 0u);
  EXPECT_NO_MISUSE(decc_buf_clear(&b));
  ASSERT(b.data == NULL);
}
