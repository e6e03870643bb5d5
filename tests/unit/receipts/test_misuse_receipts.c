/*
 * test_misuse_receipts.c — the entry checks of receipts.h's public
 * functions: a NULL required pointer (or NULL data with a length) is
 * reported to the misuse handler by the function called, which returns
 * DECC_E_INVALID (NULL for a pointer, at once when void) without crashing
 * or touching its outputs; the same receipt and policy still encode, sign,
 * recover and round-trip with the handler installed.
 */
#include <string.h>

#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "misuse_check.h"

TEST(misuse_receipts) {
  MISUSE_BEGIN();
  decc_rcpt r, back;
  decc_rcpt_list l;
  decc_rcpt_report rep;
  decc_address a = {{0}};
  uint8_t h[32], sk[32] = {5}, buf[DECC_RCPT_MAX_LEN], hashes[4][32];
  size_t n = 0;
  char *json = NULL, *path = NULL;
  int fake; /* never dereferenced: the checks come first */
  decc_chain *c = (decc_chain *)&fake;
  memset(&r, 0, sizeof r);
  memset(&l, 0, sizeof l);
  r.kind = DECC_RCPT_KEY_RELEASE;
  r.chain_id = 1;

  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_encode, NULL, buf, sizeof buf, &n);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_encode, &r, NULL, sizeof buf, &n);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_encode, &r, buf, sizeof buf, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_decode, NULL, buf, 10, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_decode, &back, NULL, 10, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_digest, NULL, &r);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_digest, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_hash, NULL, &r);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_hash, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_sign, NULL, sk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_sign, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_signer, NULL, &r);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_signer, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_to_json, NULL, &r);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_to_json, &json, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_log_path, NULL, "d", &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_log_path, &path, NULL, &a);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_log_path, &path, "d", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_log_read, NULL, "p", 10, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_log_read, &l, NULL, 10, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_log, NULL, &l, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_log, &rep, NULL, &a, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_log, &rep, &l, NULL, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_report_to_json, NULL, &rep);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_report_to_json, &json, NULL);
  EXPECT_MISUSE_VOID(decc_rcpt_read_challenge, NULL, &a, 1);
  EXPECT_MISUSE_VOID(decc_rcpt_read_challenge, h, NULL, 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_deal_orders, NULL, h, hashes, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_deal_orders, c, NULL, hashes, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_deal_orders, c, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_chain, NULL, &l, c, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_chain, &rep, NULL, c, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_chain, &rep, &l, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_coverage, NULL, &l, &a, c,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_coverage, &rep, &l, NULL, c,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_verify_coverage, &rep, &l, &a, NULL,
                NULL);
  ASSERT(json == NULL && path == NULL);

  /* With the handler installed, the receipt still works end to end. */
  EXPECT_OK_NO_MISUSE(decc_rcpt_sign(&r, sk));
  EXPECT_OK_NO_MISUSE(decc_rcpt_encode(&r, buf, sizeof buf, &n));
  EXPECT_OK_NO_MISUSE(decc_rcpt_decode(&back, buf, n, NULL));
  decc_address want, got;
  ASSERT_OK(decc_address_from_privkey(&want, sk));
  EXPECT_OK_NO_MISUSE(decc_rcpt_signer(&got, &back));
  ASSERT(decc_address_eq(&want, &got));
  EXPECT_NO_MISUSE(decc_rcpt_list_clear(NULL));
  EXPECT_NO_MISUSE(decc_rcpt_report_clear(NULL));
}

TEST(misuse_grant_policy_and_store) {
  MISUSE_BEGIN();
  decc_grant_policy p, q;
  decc_rcpt_store *st = NULL;
  decc_rcpt_release rel;
  decc_address a = {{0}};
  uint8_t h[32], sk[32] = {6};
  char *json = NULL;
  int fake; /* never dereferenced: the checks come first */
  decc_rcpt_store *s = (decc_rcpt_store *)&fake;
  decc_vault *v = (decc_vault *)&fake;
  decc_rcpt r;
  memset(&p, 0, sizeof p);
  memset(&rel, 0, sizeof rel);
  memset(&r, 0, sizeof r);
  const char *dir = decc_test_tmpdir();

  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_store_open, NULL, dir, v, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_store_open, &st, NULL, v, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_store_open, &st, dir, NULL, NULL);
  ASSERT(st == NULL);
  EXPECT_MISUSE_VOID(decc_rcpt_store_signer, NULL, &a);
  EXPECT_MISUSE_VOID(decc_rcpt_store_signer, s, NULL);
  EXPECT_MISUSE_NULL(decc_rcpt_store_dir, NULL);
  EXPECT_MISUSE_NULL(decc_rcpt_store_policy_dir, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_store_append, NULL, &r, NULL, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_store_append, s, NULL, NULL, NULL,
                NULL);
  EXPECT_MISUSE_VOID(decc_grant_policy_hash, NULL, &p);
  EXPECT_MISUSE_VOID(decc_grant_policy_hash, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_sign, NULL, sk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_sign, &p, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_verify, NULL, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_verify, &p, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_to_json, NULL, &p);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_to_json, &json, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_from_json, NULL, "{}", 2,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_from_json, &q, NULL, 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_load, NULL, h, &q, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_load, dir, NULL, &q, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_load, dir, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_store, NULL, &p, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_grant_policy_store, dir, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_release_check, NULL, &rel, &q, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_release_check, s, NULL, &q, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_release_check, s, &rel, NULL, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_release_record, NULL, &rel, &p, NULL,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_rcpt_release_record, s, NULL, &p, NULL,
                NULL, NULL);
  ASSERT(json == NULL);

  /* A signed policy verifies against its owner and round-trips through
   * JSON, with the handler installed and no report. */
  memcpy(p.purpose, "research", 8);
  p.purpose_len = 8;
  p.expires = 4102444800u;
  decc_address owner;
  ASSERT_OK(decc_address_from_privkey(&owner, sk));
  EXPECT_OK_NO_MISUSE(decc_grant_policy_sign(&p, sk));
  EXPECT_OK_NO_MISUSE(decc_grant_policy_verify(&p, &owner, NULL));
  EXPECT_OK_NO_MISUSE(decc_grant_policy_to_json(&json, &p));
  EXPECT_OK_NO_MISUSE(
      decc_grant_policy_from_json(&q, json, strlen(json), NULL));
  ASSERT_EQ(q.purpose_len, 8);
  ASSERT_MEM_EQ(q.sig, p.sig, 65);
  decc_free(json);
  EXPECT_NO_MISUSE(decc_rcpt_store_close(NULL));
}
