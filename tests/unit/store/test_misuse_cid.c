/*
 * test_misuse_cid.c — the entry checks of cid.h's public functions: a
 * NULL output, CID or text, or NULL data with a length, is reported to the
 * misuse handler by the function called, which returns its documented
 * failure value (DECC_E_INVALID, or 0 for a count or a truth value)
 * without crashing; the permitted NULLs (empty data, the optional outputs
 * of decc_multihash_parse, decc_cid_decode's used, err) are not reported
 * and still work.
 */
#include <string.h>

#include "decc/cid.h"
#include "decc/mem.h"
#include "misuse_check.h"

static const char V0[] = "QmNLei78zWmzUdbeRB3CiUfAizWUrbeeZh5K1rhAQKCh51";

TEST(misuse_cid) {
  MISUSE_BEGIN();
  uint8_t b[256], vb[10];
  char t[DECC_CID_STR_MAX];
  size_t n = 0, used = 0;
  uint64_t v = 0;
  decc_cid cid, c2;
  uint8_t d32[32];
  memset(d32, 0xab, sizeof d32);

  EXPECT_MISUSE(0, decc_varint_encode, NULL, 300);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_varint_encode(vb, 300), 2));
  EXPECT_MISUSE(DECC_E_INVALID, decc_varint_decode, NULL, &used, vb, 2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_varint_decode, &v, NULL, vb, 2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_varint_decode, &v, &used, NULL, 2);
  ASSERT_STR_EQ(g_misuse.what, "in != NULL || n == 0");
  EXPECT_OK_NO_MISUSE(decc_varint_decode(&v, &used, vb, 2));
  ASSERT_EQ(v, 300);
  /* no bytes: a parse error, not a misuse */
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_varint_decode(&v, &used, NULL, 0), DECC_E_PARSE));

  EXPECT_MISUSE(DECC_E_INVALID, decc_base58btc_encode, NULL, sizeof t, vb, 2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_base58btc_encode, t, sizeof t, NULL, 2);
  EXPECT_OK_NO_MISUSE(decc_base58btc_encode(t, sizeof t, NULL, 0));
  ASSERT_STR_EQ(t, "");
  EXPECT_MISUSE(DECC_E_INVALID, decc_base58btc_decode, NULL, sizeof b, &n, "2g",
                2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_base58btc_decode, b, sizeof b, NULL, "2g",
                2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_base58btc_decode, b, sizeof b, &n, NULL,
                2);
  EXPECT_OK_NO_MISUSE(decc_base58btc_decode(b, sizeof b, &n, NULL, 0));
  ASSERT_EQ(n, 0);

  EXPECT_MISUSE(DECC_E_INVALID, decc_base32_encode, NULL, sizeof t, vb, 2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_base32_encode, t, sizeof t, NULL, 2);
  EXPECT_OK_NO_MISUSE(decc_base32_encode(t, sizeof t, NULL, 0));
  ASSERT_STR_EQ(t, "");
  EXPECT_MISUSE(DECC_E_INVALID, decc_base32_decode, NULL, sizeof b, &n, "me",
                2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_base32_decode, b, sizeof b, NULL, "me", 2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_base32_decode, b, sizeof b, &n, NULL, 2);
  n = 9;
  EXPECT_OK_NO_MISUSE(decc_base32_decode(b, sizeof b, &n, NULL, 0));
  ASSERT_EQ(n, 0);

  uint8_t mh[34];
  memset(mh, 0, sizeof mh);
  EXPECT_MISUSE_VOID(decc_multihash_sha256, NULL, "a", 1);
  EXPECT_MISUSE_VOID(decc_multihash_sha256, mh, NULL, 1);
  ASSERT_EQ(mh[0], 0); /* untouched by the refused calls */
  EXPECT_NO_MISUSE(decc_multihash_sha256(mh, NULL, 0));
  ASSERT_EQ(mh[0], DECC_MH_SHA2_256);
  EXPECT_MISUSE(DECC_E_INVALID, decc_multihash_parse, NULL, NULL, NULL, NULL,
                34);
  /* every output optional */
  EXPECT_OK_NO_MISUSE(decc_multihash_parse(NULL, NULL, NULL, mh, sizeof mh));

  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_from_sha256, NULL, 1, DECC_CODEC_RAW,
                d32);
  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_from_sha256, &cid, 1, DECC_CODEC_RAW,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_of_block, NULL, 1, DECC_CODEC_RAW,
                (const uint8_t *)"x", 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_of_block, &cid, 1, DECC_CODEC_RAW,
                NULL, 1);
  EXPECT_OK_NO_MISUSE(decc_cid_of_block(&cid, 1, DECC_CODEC_RAW, NULL, 0));
  ASSERT_MEM_EQ(cid.mh, mh, 34); /* sha2-256 of nothing, both ways */

  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_parse, NULL, V0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_parse, &cid, NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_cid_parse(&cid, V0, NULL));

  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_encode, NULL, sizeof b, &n, &cid);
  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_encode, b, sizeof b, NULL, &cid);
  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_encode, b, sizeof b, &n, NULL);
  EXPECT_OK_NO_MISUSE(decc_cid_encode(b, sizeof b, &n, &cid));
  ASSERT_EQ(n, 34);

  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_decode, NULL, NULL, b, n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_decode, &c2, NULL, NULL, n, NULL);
  EXPECT_OK_NO_MISUSE(decc_cid_decode(&c2, NULL, b, n, NULL));
  EXPECT_OK_NO_MISUSE(decc_cid_decode(&c2, &used, b, n, NULL));
  ASSERT_EQ(used, 34);

  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_to_string, NULL, sizeof t, &cid);
  EXPECT_MISUSE(DECC_E_INVALID, decc_cid_to_string, t, sizeof t, NULL);
  EXPECT_OK_NO_MISUSE(decc_cid_to_string(t, sizeof t, &c2));
  ASSERT_STR_EQ(t, V0);

  EXPECT_MISUSE(0, decc_cid_equal, NULL, &c2);
  EXPECT_MISUSE(0, decc_cid_equal, &cid, NULL);
  EXPECT_MISUSE(0, decc_cid_same_hash, NULL, &c2);
  EXPECT_MISUSE(0, decc_cid_same_hash, &cid, NULL);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_cid_equal(&cid, &c2), 1));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_cid_same_hash(&cid, &c2), 1));

  char ma[64];
  snprintf(ma, sizeof ma, "/ipfs/%s", V0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_multiaddr_from_string, NULL, sizeof b, &n,
                ma, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_multiaddr_from_string, b, sizeof b, NULL,
                ma, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_multiaddr_from_string, b, sizeof b, &n,
                NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_multiaddr_from_string(b, sizeof b, &n, ma, NULL));
  char *back = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_multiaddr_to_string, NULL, b, n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_multiaddr_to_string, &back, NULL, n, NULL);
  EXPECT_OK_NO_MISUSE(decc_multiaddr_to_string(&back, b, n, NULL));
  ASSERT_STR_EQ(back, ma);
  decc_free(back);
}
