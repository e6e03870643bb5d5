/*
 * test_misuse_hash.c — the entry checks of hash.h: each required pointer
 * passed as NULL (a context, an output, data NULL with a non-zero length,
 * a path) is reported to the misuse handler by the function called, which
 * returns DECC_E_INVALID (at once when void) without crashing; empty data
 * given as NULL is not misuse and hashes to the empty-message digest.
 */
#include <string.h>

#include "decc/hash.h"
#include "misuse_check.h"

TEST(misuse_keccak) {
  MISUSE_BEGIN();
  decc_keccak256_ctx c;
  uint8_t out[32], ref[32];
  EXPECT_MISUSE_VOID(decc_keccak256_init, NULL);
  decc_keccak256_init(&c);
  EXPECT_MISUSE_VOID(decc_keccak256_update, NULL, "a", 1);
  EXPECT_MISUSE_VOID(decc_keccak256_update, &c, NULL, 1);
  ASSERT_STR_EQ(g_misuse.what, "data != NULL || n == 0");
  EXPECT_MISUSE_VOID(decc_keccak256_final, NULL, out);
  EXPECT_MISUSE_VOID(decc_keccak256_final, &c, NULL);
  EXPECT_MISUSE_VOID(decc_keccak256, NULL, "a", 1);
  EXPECT_MISUSE_VOID(decc_keccak256, out, NULL, 1);
  {
    const uint8_t *msgs[1] = {(const uint8_t *)"a"};
    size_t lens[1] = {1};
    uint8_t outs[1][32];
    EXPECT_MISUSE_VOID(decc_keccak256_many, NULL, msgs, lens, 1);
    EXPECT_MISUSE_VOID(decc_keccak256_many, outs, NULL, lens, 1);
    EXPECT_MISUSE_VOID(decc_keccak256_many, outs, msgs, NULL, 1);
    EXPECT_NO_MISUSE(decc_keccak256_many(NULL, NULL, NULL, 0));
  }

  /* The rejected calls left the context as it was: it still hashes "abc"
   * like the one-shot form, and NULL empty data is no misuse. */
  EXPECT_NO_MISUSE(decc_keccak256_update(&c, NULL, 0));
  decc_keccak256_update(&c, "abc", 3);
  EXPECT_NO_MISUSE(decc_keccak256_final(&c, out));
  decc_keccak256(ref, "abc", 3);
  ASSERT_MEM_EQ(out, ref, 32);
  EXPECT_NO_MISUSE(decc_keccak256(out, NULL, 0));
  decc_keccak256(ref, "", 0);
  ASSERT_MEM_EQ(out, ref, 32);
}

TEST(misuse_sha256) {
  MISUSE_BEGIN();
  decc_sha256_ctx c;
  uint8_t out[32], ref[32];
  EXPECT_MISUSE(DECC_E_INVALID, decc_sha256_init, NULL);
  ASSERT_OK(decc_sha256_init(&c));
  EXPECT_MISUSE_VOID(decc_sha256_update, NULL, "a", 1);
  EXPECT_MISUSE_VOID(decc_sha256_update, &c, NULL, 1);
  EXPECT_MISUSE_VOID(decc_sha256_final, NULL, out);
  EXPECT_MISUSE_VOID(decc_sha256_final, &c, NULL);
  EXPECT_MISUSE_VOID(decc_sha256_abort, NULL);
  EXPECT_MISUSE_VOID(decc_sha256, NULL, "a", 1);
  EXPECT_MISUSE_VOID(decc_sha256, out, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sha256_file, NULL, "/dev/null", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sha256_file, out, NULL, NULL);

  EXPECT_NO_MISUSE(decc_sha256_update(&c, NULL, 0));
  decc_sha256_update(&c, "abc", 3);
  EXPECT_NO_MISUSE(decc_sha256_final(&c, out));
  decc_sha256(ref, "abc", 3);
  ASSERT_MEM_EQ(out, ref, 32);
  /* abort after final is a documented no-op. */
  EXPECT_NO_MISUSE(decc_sha256_abort(&c));
  EXPECT_NO_MISUSE(decc_sha256(out, NULL, 0));
  EXPECT_OK_NO_MISUSE(decc_sha256_file(ref, "/dev/null", NULL));
  ASSERT_MEM_EQ(out, ref, 32);
}
