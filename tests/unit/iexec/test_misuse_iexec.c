/*
 * test_misuse_iexec.c — the entry checks of the iexec layer's public
 * functions (dataset.h, result.h): each required pointer passed as NULL
 * (and a data pointer NULL with a non-zero length) is reported to the
 * misuse handler by the function called, which returns its documented
 * failure value (DECC_E_INVALID, NULL or 0) without crashing; the
 * permitted NULLs (optional outputs, empty input, destroy(NULL)) are not
 * reported and still work.
 */
#include <string.h>

#include "decc/dataset.h"
#include "decc/mem.h"
#include "decc/result.h"
#include "misuse_check.h"

static decc_status sink(const uint8_t *data, size_t len, void *user) {
  (void)data;
  *(size_t *)user += len;
  return DECC_OK;
}

TEST(misuse_dataset) {
  MISUSE_BEGIN();
  decc_dataset_key *k = NULL;
  decc_dataset_stream *s = NULL;
  uint8_t key32[32] = {3}, sum[32], *out = NULL;
  size_t n = 0;
  char b64[45], hex[DECC_HEX32_LEN];
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_key_generate, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_key_from_bytes, NULL, key32, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_key_from_bytes, &k, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_key_parse, NULL, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_key_parse, &k, NULL, 44, NULL);
  ASSERT(k == NULL);
  ASSERT_OK(decc_dataset_key_from_bytes(&k, key32, NULL));
  EXPECT_MISUSE_VOID(decc_dataset_key_encode, NULL, k);
  EXPECT_MISUSE_VOID(decc_dataset_key_encode, b64, NULL);
  EXPECT_MISUSE_NULL(decc_dataset_key_bytes, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_stream_create, NULL,
                DECC_DATASET_ENCRYPT, k, NULL, sink, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_stream_create, &s,
                DECC_DATASET_ENCRYPT, NULL, NULL, sink, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_stream_create, &s,
                DECC_DATASET_ENCRYPT, k, NULL, NULL, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_stream_update, NULL, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_stream_final, NULL, sum, NULL);
  EXPECT_MISUSE(0, decc_dataset_stream_bytes_in, NULL);
  EXPECT_MISUSE(0, decc_dataset_stream_bytes_out, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_encrypt_fd, 1, sum, NULL, NULL, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_decrypt_fd, 1, sum, NULL, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_encrypt_file, NULL, sum, k, "in",
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_encrypt_file, "out", sum, NULL,
                "in", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_encrypt_file, "out", sum, k, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_decrypt_file, NULL, sum, k, "in",
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_decrypt_file, "out", sum, NULL,
                "in", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_decrypt_file, "out", sum, k, NULL,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_encrypt, NULL, &n, sum, k, NULL,
                "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_encrypt, &out, NULL, sum, k, NULL,
                "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_encrypt, &out, &n, sum, NULL, NULL,
                "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_encrypt, &out, &n, sum, k, NULL,
                NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_decrypt, NULL, &n, sum, k, "x", 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_decrypt, &out, NULL, sum, k, "x",
                1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_decrypt, &out, &n, sum, NULL, "x",
                1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_decrypt, &out, &n, sum, k, NULL, 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_checksum_file, NULL, "f", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dataset_checksum_file, hex, NULL, NULL);
  ASSERT(out == NULL);

  /* Permitted: empty input (NULL, 0), no checksum, destroy(NULL). An empty
   * plaintext encrypts to IV + one padding block and decrypts back. */
  uint8_t *back = NULL;
  size_t blen = 7;
  EXPECT_OK_NO_MISUSE(
      decc_dataset_encrypt(&out, &n, NULL, k, NULL, NULL, 0, NULL));
  ASSERT_EQ(n, decc_dataset_encrypted_size(0));
  EXPECT_OK_NO_MISUSE(
      decc_dataset_decrypt(&back, &blen, NULL, k, out, n, NULL));
  ASSERT_EQ(blen, 0);
  EXPECT_NO_MISUSE(decc_dataset_key_destroy(NULL));
  EXPECT_NO_MISUSE(decc_dataset_stream_destroy(NULL));
  decc_free(out);
  decc_free(back);
  decc_dataset_key_destroy(k);
}

TEST(misuse_rsa_result) {
  MISUSE_BEGIN();
  decc_rsa_key *k = NULL;
  char *pem = NULL;
  size_t len = 0;
  uint8_t buf[512], *out = NULL;
  decc_result_info info;
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_keygen, NULL, 2048, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_key_parse, NULL, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_key_parse, &k, NULL, 10, NULL);
  EXPECT_MISUSE(0, decc_rsa_key_is_private, NULL);
  EXPECT_MISUSE(0, decc_rsa_key_bits, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_key_public_pem, &pem, &len, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_key_public_b64, &pem, &len, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_key_private_pem, &pem, &len, NULL,
                NULL);
  ASSERT_OK(decc_rsa_keygen(&k, 2048, NULL));
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_key_public_pem, NULL, &len, k, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_key_public_b64, NULL, &len, k, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_key_private_pem, NULL, &len, k, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_encrypt_pkcs1, NULL, sizeof buf, &len,
                k, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_encrypt_pkcs1, buf, sizeof buf, NULL,
                k, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_encrypt_pkcs1, buf, sizeof buf, &len,
                NULL, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_encrypt_pkcs1, buf, sizeof buf, &len,
                k, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_decrypt_pkcs1, NULL, sizeof buf, &len,
                k, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_decrypt_pkcs1, buf, sizeof buf, NULL,
                k, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_decrypt_pkcs1, buf, sizeof buf, &len,
                NULL, "x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rsa_decrypt_pkcs1, buf, sizeof buf, &len,
                k, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_encrypt_file, NULL, k, "z", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_encrypt_file, "o", NULL, "z", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_encrypt_file, "o", k, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_encrypt, NULL, &len, k, "z", 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_encrypt, &out, NULL, k, "z", 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_encrypt, &out, &len, NULL, "z", 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_encrypt, &out, &len, k, NULL, 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_decrypt_file, NULL, &info, k, "a",
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_decrypt_file, "o", &info, NULL, "a",
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_decrypt_file, "o", &info, k, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_decrypt, NULL, &len, &info, k, "a",
                1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_decrypt, &out, NULL, &info, k, "a",
                1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_decrypt, &out, &len, &info, NULL,
                "a", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_result_decrypt, &out, &len, &info, k, NULL,
                1, NULL);
  ASSERT(out == NULL);

  /* The key is intact and works: optional len NULL, a PKCS#1 round trip. */
  ASSERT_EQ(decc_rsa_key_is_private(k), 1);
  ASSERT_EQ(decc_rsa_key_bits(k), 2048);
  EXPECT_OK_NO_MISUSE(decc_rsa_key_public_pem(&pem, NULL, k, NULL));
  ASSERT(strstr(pem, "BEGIN PUBLIC KEY"));
  decc_free(pem);
  uint8_t ct[256], pt[256];
  size_t clen = 0, plen = 0;
  EXPECT_OK_NO_MISUSE(
      decc_rsa_encrypt_pkcs1(ct, sizeof ct, &clen, k, "secret", 6, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_rsa_decrypt_pkcs1(pt, sizeof pt, &plen, k, ct, clen, NULL));
  ASSERT_EQ(plen, 6);
  ASSERT_MEM_EQ(pt, "secret", 6);
  EXPECT_NO_MISUSE(decc_rsa_key_destroy(NULL));
  decc_rsa_key_destroy(k);
}
