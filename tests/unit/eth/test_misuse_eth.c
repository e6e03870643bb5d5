/*
 * test_misuse_eth.c — the entry checks of the eth layer's public functions
 * (tx.h, rlp.h, eip712.h, keystore.h): each required pointer passed as NULL
 * (and a data pointer NULL with a non-zero length) is reported to the
 * misuse handler by the function called, which returns DECC_E_INVALID (or
 * at once when void) without crashing; the permitted NULLs (empty data,
 * optional outputs) are not reported and still work.
 */
#include <string.h>

#include "decc/eip712.h"
#include "decc/keystore.h"
#include "decc/rlp.h"
#include "decc/tx.h"
#include "misuse_check.h"

static const char TYPED[] =
    "{\"types\":{\"EIP712Domain\":[{\"name\":\"name\",\"type\":\"string\"}],"
    "\"Mail\":[{\"name\":\"contents\",\"type\":\"string\"}]},"
    "\"primaryType\":\"Mail\",\"domain\":{\"name\":\"x\"},"
    "\"message\":{\"contents\":\"hi\"}}";

TEST(misuse_tx) {
  MISUSE_BEGIN();
  decc_tx tx;
  uint8_t h[32], sk[32] = {1};
  decc_address a = {{0}};
  decc_buf b;
  decc_buf_init(&b, 0);
  EXPECT_MISUSE_VOID(decc_tx_init, NULL);
  EXPECT_MISUSE_VOID(decc_tx_clear, NULL);
  decc_tx_init(&tx);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_set_data, NULL, "x", 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_set_data, &tx, NULL, 1);
  ASSERT_STR_EQ(g_misuse.what, "p != NULL || n == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_add_access, &tx, NULL, NULL, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_add_access, &tx, &a, NULL, 2);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_signing_hash, NULL, &tx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_signing_hash, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_sign, &tx, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_sign, NULL, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_serialize, NULL, &tx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_serialize, &b, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_hash, NULL, &tx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_hash, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_parse, NULL, h, 3, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_parse, &tx, NULL, 3, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_recover, NULL, &tx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_recover, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_recover_hash, NULL, &tx, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_recover_hash, &a, NULL, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_recover_hash, &a, &tx, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_signing_payload, NULL, &tx, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_signing_payload, &b, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tx_check_chain, NULL, 1, NULL);

  /* Empty data is not misuse; a valid transaction still signs. */
  EXPECT_OK_NO_MISUSE(decc_tx_set_data(&tx, NULL, 0));
  tx.chain_id = 1;
  tx.type = DECC_TX_EIP1559;
  EXPECT_OK_NO_MISUSE(decc_tx_sign(&tx, sk, NULL));
  ASSERT(tx.is_signed);
  EXPECT_OK_NO_MISUSE(decc_tx_serialize(&b, &tx, NULL));
  ASSERT(b.len > 0);
  decc_buf_clear(&b);
  decc_tx_clear(&tx);
}

TEST(misuse_rlp) {
  MISUSE_BEGIN();
  decc_rlp_enc e;
  decc_rlp_item item, items[2];
  decc_rlp_iter it;
  decc_u256 v;
  uint64_t u;
  size_t n;
  const uint8_t one[1] = {0x05};
  decc_buf b;
  decc_buf_init(&b, 0);
  EXPECT_MISUSE_VOID(decc_rlp_enc_init, NULL, 0);
  EXPECT_MISUSE_VOID(decc_rlp_enc_clear, NULL);
  decc_rlp_enc_init(&e, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_push_bytes, NULL, one, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_push_bytes, &e, NULL, 4);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_push_u64, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_push_u256, NULL, &v);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_push_u256, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_push_raw, NULL, one, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_push_raw, &e, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_begin_list, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_end_list, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_finish, NULL, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_enc_finish, &e, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_decode_item, NULL, &n, one, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_decode_item, &item, &n, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_validate, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_decode, NULL, one, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_decode, &item, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_iter_init, NULL, &item);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_iter_init, &it, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_iter_next, NULL, &item, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_iter_next, &it, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_list_items, NULL, 2, &n, &item, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_list_items, items, 2, NULL, &item,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_list_items, items, 2, &n, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_item_get_u64, NULL, &u);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_item_get_u64, &item, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_item_get_u256, NULL, &v);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rlp_item_get_u256, &item, NULL);

  /* The encoder was not touched by the refused calls: it still works, and
   * an empty string (NULL, 0) is not misuse. */
  EXPECT_OK_NO_MISUSE(decc_rlp_enc_begin_list(&e));
  EXPECT_OK_NO_MISUSE(decc_rlp_enc_push_bytes(&e, NULL, 0));
  EXPECT_OK_NO_MISUSE(decc_rlp_enc_push_bytes(&e, one, 1));
  EXPECT_OK_NO_MISUSE(decc_rlp_enc_end_list(&e));
  ASSERT_OK(decc_rlp_enc_finish(&e, &b));
  const uint8_t want[] = {0xc2, 0x80, 0x05};
  ASSERT_EQ(b.len, sizeof want);
  ASSERT_MEM_EQ(b.data, want, sizeof want);
  ASSERT_OK(decc_rlp_decode(&item, b.data, b.len, NULL));
  ASSERT_OK(decc_rlp_list_items(items, 2, &n, &item, NULL));
  ASSERT_EQ(n, 2);
  decc_rlp_enc_clear(&e);
  decc_buf_clear(&b);
}

TEST(misuse_eip712) {
  MISUSE_BEGIN();
  uint8_t h[32] = {0}, d[32], sig[65], sk[32] = {7};
  char *json = NULL;
  decc_eip712_domain dom = {.name = "x"};
  EXPECT_MISUSE_VOID(decc_eip712_type_hash, NULL, "Mail(string contents)");
  EXPECT_MISUSE_VOID(decc_eip712_type_hash, h, NULL);
  EXPECT_MISUSE_VOID(decc_eip712_digest, NULL, h, h);
  EXPECT_MISUSE_VOID(decc_eip712_digest, d, NULL, h);
  EXPECT_MISUSE_VOID(decc_eip712_digest, d, h, NULL);
  EXPECT_MISUSE_VOID(decc_eip712_domain_separator, NULL, &dom);
  EXPECT_MISUSE_VOID(decc_eip712_domain_separator, d, NULL);
  EXPECT_MISUSE_VOID(decc_eip712_challenge_domain, NULL, 1);
  EXPECT_MISUSE_VOID(decc_eip712_challenge_hash, NULL, 1, "c", 1);
  EXPECT_MISUSE_VOID(decc_eip712_challenge_hash, d, 1, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_challenge_json, NULL, 1, "c");
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_challenge_json, &json, 1, NULL);
  ASSERT(json == NULL);
  size_t n = sizeof TYPED - 1;
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_hash_json, NULL, NULL, TYPED, n,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_hash_json, d, NULL, NULL, n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_hash_json_parts, NULL, NULL, NULL,
                TYPED, n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_hash_json_parts, d, NULL, NULL,
                NULL, n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_encode_type, NULL, TYPED, n, "Mail",
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_encode_type, &json, NULL, n, "Mail",
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_encode_type, &json, TYPED, n, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_sign_json, NULL, NULL, sk, TYPED, n,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_sign_json, sig, NULL, NULL, TYPED,
                n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_eip712_sign_json, sig, NULL, sk, NULL, n,
                NULL);

  /* The optional outputs may be NULL; the digest equals the parts' one. */
  EXPECT_OK_NO_MISUSE(decc_eip712_hash_json(d, NULL, TYPED, n, NULL));
  ASSERT_OK(decc_eip712_hash_json_parts(h, NULL, NULL, TYPED, n, NULL));
  ASSERT_MEM_EQ(d, h, 32);
  EXPECT_OK_NO_MISUSE(decc_eip712_sign_json(sig, NULL, sk, TYPED, n, NULL));
  EXPECT_NO_MISUSE(decc_eip712_challenge_hash(d, 1, NULL, 0));
}

TEST(misuse_keystore) {
  MISUSE_BEGIN();
  uint8_t sk[32] = {9};
  char *json = NULL;
  decc_address a;
  decc_keystore_params p = {0};
  const char ks[] =
      "{\"address\":\"0000000000000000000000000000000000000001\"}";
  EXPECT_MISUSE(DECC_E_INVALID, decc_keystore_encrypt, NULL, sk, "pw", 2, &p,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_keystore_encrypt, &json, NULL, "pw", 2, &p,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_keystore_encrypt, &json, sk, NULL, 2, &p,
                NULL);
  ASSERT(json == NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_keystore_decrypt, NULL, &a, ks,
                sizeof ks - 1, "pw", 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_keystore_decrypt, sk, &a, NULL, 10, "pw",
                2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_keystore_decrypt, sk, &a, ks,
                sizeof ks - 1, NULL, 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_keystore_address, NULL, ks, sizeof ks - 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_keystore_address, &a, NULL, 10, NULL);
  /* A NULL err is never misuse: the address field still reads. */
  EXPECT_OK_NO_MISUSE(decc_keystore_address(&a, ks, sizeof ks - 1, NULL));
}
