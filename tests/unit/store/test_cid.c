/*
 * test_cid.c — varint, multibase, multihash, CID and binary multiaddr
 * codecs against known answers (Kubo's "hello world\n" CIDs, the iExec
 * multiaddr vector from commons-poco) and round trips.
 */
#include <stdlib.h>

#include "decc/cid.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "test.h"

TEST(varint_known_and_errors) {
  uint8_t b[10];
  ASSERT_EQ(decc_varint_encode(b, 421), 2);
  ASSERT_EQ(b[0], 0xa5);
  ASSERT_EQ(b[1], 0x03);
  ASSERT_EQ(decc_varint_encode(b, 0), 1);
  ASSERT_EQ(decc_varint_encode(b, 127), 1);
  ASSERT_EQ(decc_varint_encode(b, 128), 2);
  uint64_t v;
  size_t u;
  const uint8_t ok[] = {0xa5, 0x03, 0xff};
  ASSERT_OK(decc_varint_decode(&v, &u, ok, 3));
  ASSERT_EQ(v, 421);
  ASSERT_EQ(u, 2);
  const uint8_t nonmin[] = {0x80, 0x00};
  ASSERT_EQ(decc_varint_decode(&v, &u, nonmin, 2), DECC_E_PARSE);
  const uint8_t trunc[] = {0x80};
  ASSERT_EQ(decc_varint_decode(&v, &u, trunc, 1), DECC_E_PARSE);
  const uint8_t toolong[10] = {0xff, 0xff, 0xff, 0xff, 0xff,
                               0xff, 0xff, 0xff, 0xff, 0x01};
  ASSERT_EQ(decc_varint_decode(&v, &u, toolong, 10), DECC_E_PARSE);
  for (uint64_t x = 1; x < (1ull << 62); x = x * 3 + 1) {
    size_t n = decc_varint_encode(b, x);
    ASSERT_OK(decc_varint_decode(&v, &u, b, n));
    ASSERT_EQ(u, n);
    ASSERT(v == x);
  }
}

TEST(base58_and_base32) {
  char s[64];
  const uint8_t in[] = {0, 0, 'h', 'i'};
  ASSERT_OK(decc_base58btc_encode(s, sizeof s, in, 4));
  ASSERT_STR_EQ(s, "118wr");
  ASSERT_OK(
      decc_base58btc_encode(s, sizeof s, (const uint8_t *)"hello world", 11));
  ASSERT_STR_EQ(s, "StV1DL6CwTryKyV");
  uint8_t out[64];
  size_t n;
  ASSERT_OK(decc_base58btc_decode(out, sizeof out, &n, "118wr", 5));
  ASSERT_EQ(n, 4);
  ASSERT_MEM_EQ(out, in, 4);
  ASSERT_EQ(decc_base58btc_decode(out, sizeof out, &n, "0OIl", 4),
            DECC_E_PARSE);
  ASSERT_EQ(decc_base58btc_encode(s, 3, in, 4), DECC_E_RANGE);
  /* RFC 4648 test vectors (lowercase, unpadded). */
  ASSERT_OK(decc_base32_encode(s, sizeof s, (const uint8_t *)"foobar", 6));
  ASSERT_STR_EQ(s, "mzxw6ytboi");
  ASSERT_OK(decc_base32_encode(s, sizeof s, (const uint8_t *)"f", 1));
  ASSERT_STR_EQ(s, "my");
  ASSERT_OK(decc_base32_decode(out, sizeof out, &n, "MZXW6YTBOI", 10));
  ASSERT_EQ(n, 6);
  ASSERT_MEM_EQ(out, "foobar", 6);
  ASSERT_EQ(decc_base32_decode(out, sizeof out, &n, "mz", 2), DECC_E_PARSE);
  ASSERT_EQ(decc_base32_decode(out, sizeof out, &n, "m", 1), DECC_E_PARSE);
  ASSERT_EQ(decc_base32_decode(out, sizeof out, &n, "m1", 2), DECC_E_PARSE);
}

TEST(cid_roundtrips) {
  decc_cid c;
  decc_err err;
  char s[DECC_CID_STR_MAX];
  const char *v0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o";
  ASSERT_OK(decc_cid_parse(&c, v0, &err));
  ASSERT_EQ(c.version, 0);
  ASSERT_EQ(c.codec, DECC_CODEC_DAG_PB);
  ASSERT_OK(decc_cid_to_string(s, sizeof s, &c));
  ASSERT_STR_EQ(s, v0);
  const char *v1 =
      "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
  ASSERT_OK(decc_cid_parse(&c, v1, &err));
  ASSERT_EQ(c.version, 1);
  ASSERT_EQ(c.codec, DECC_CODEC_RAW);
  ASSERT_OK(decc_cid_to_string(s, sizeof s, &c));
  ASSERT_STR_EQ(s, v1);
  /* Raw-leaf CID of "hello world\n" is sha256 of the bytes. */
  decc_cid h;
  ASSERT_OK(decc_cid_of_block(&h, 1, DECC_CODEC_RAW,
                              (const uint8_t *)"hello world\n", 12));
  ASSERT(decc_cid_equal(&h, &c));
  /* v0 -> v1 dag-pb form and back through z (base58btc) text. */
  decc_cid a, b;
  ASSERT_OK(decc_cid_parse(&a, v0, &err));
  a.version = 1;
  ASSERT_OK(decc_cid_to_string(s, sizeof s, &a));
  ASSERT(s[0] == 'b' && s[1] == 'a' && s[2] == 'f' && s[3] == 'y');
  ASSERT_OK(decc_cid_parse(&b, s, &err));
  ASSERT(decc_cid_equal(&a, &b));
  uint8_t bin[DECC_CID_BIN_MAX];
  size_t n;
  ASSERT_OK(decc_cid_encode(bin, sizeof bin, &n, &a));
  char z[DECC_CID_STR_MAX] = "z";
  ASSERT_OK(decc_base58btc_encode(z + 1, sizeof z - 1, bin, n));
  ASSERT_OK(decc_cid_parse(&b, z, &err));
  ASSERT(decc_cid_equal(&a, &b));
  decc_cid v0c;
  ASSERT_OK(decc_cid_parse(&v0c, v0, &err));
  ASSERT(decc_cid_same_hash(&a, &v0c));
  ASSERT(!decc_cid_equal(&a, &v0c));
}

TEST(cid_rejects) {
  decc_cid c;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_cid_parse(&c, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5O",
                           &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_cid_parse(&c, "", &err), DECC_E_PARSE);
  ASSERT_EQ(decc_cid_parse(&c, "xyz", &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "multibase") != NULL);
  ASSERT_EQ(decc_cid_parse(
                &c,
                "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei",
                &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_cid_parse(
                &c,
                "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4a",
                &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_cid_parse(&c, "b", &err), DECC_E_PARSE);
  const uint8_t v2[] = {2, 0x70, 0x12, 0x20};
  ASSERT_EQ(decc_cid_decode(&c, NULL, v2, sizeof v2, &err), DECC_E_PARSE);
}

TEST(multiaddr_vector) {
  const char *hex = "a5032212207237a7f4091a74ae95514890fa86a2e8a36037c350ea71c0"
                    "6a34c8cbe25a5057";
  size_t want_len;
  uint8_t *want = decc_test_unhex(hex, &want_len);
  uint8_t out[128];
  size_t n;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_multiaddr_from_string(
      out, sizeof out, &n,
      "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ", &err));
  ASSERT_EQ(n, want_len);
  ASSERT_MEM_EQ(out, want, n);
  /* /p2p/ and the CIDv1 form of the same hash give the same bytes. */
  ASSERT_OK(decc_multiaddr_from_string(
      out, sizeof out, &n,
      "/p2p/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ", &err));
  ASSERT_MEM_EQ(out, want, n);
  decc_cid c;
  ASSERT_OK(decc_cid_parse(&c, "QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ",
                           &err));
  c.version = 1;
  char s[DECC_CID_STR_MAX + 8] = "/ipfs/";
  ASSERT_OK(decc_cid_to_string(s + 6, sizeof s - 6, &c));
  ASSERT_OK(decc_multiaddr_from_string(out, sizeof out, &n, s, &err));
  ASSERT_EQ(n, want_len);
  ASSERT_MEM_EQ(out, want, n);
  char *text = NULL;
  ASSERT_OK(decc_multiaddr_to_string(&text, want, want_len, &err));
  ASSERT_STR_EQ(text, "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ");
  decc_free(text);
  /* Errors. */
  ASSERT_EQ(decc_multiaddr_from_string(
                out, 10, &n,
                "/ipfs/QmW2WQi7j6c7UgJTarActp7tDNikE4B2qXtFCfLPdsgaTQ", &err),
            DECC_E_RANGE);
  ASSERT_EQ(
      decc_multiaddr_from_string(out, sizeof out, &n, "/ip4/1.2.3.4", &err),
      DECC_E_PARSE);
  ASSERT_EQ(decc_multiaddr_from_string(out, sizeof out, &n, "/ipfs/", &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_multiaddr_from_string(out, sizeof out, &n, "/ipfs/Qm/x", &err),
            DECC_E_PARSE);
  ASSERT_EQ(decc_multiaddr_to_string(&text, want, want_len - 1, &err),
            DECC_E_PARSE);
  want[3] = 0x13; /* sha2-512 code with a 32-byte digest: no CIDv0 form */
  ASSERT_EQ(decc_multiaddr_to_string(&text, want, want_len, &err),
            DECC_E_PARSE);
  want[3] = 0x12;
  want[0] = 0x04;
  ASSERT_EQ(decc_multiaddr_to_string(&text, want, want_len, &err),
            DECC_E_PARSE);
  ASSERT(text == NULL);
}
