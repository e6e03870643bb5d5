/*
 * test_misuse_ledger.c — the entry checks of ledger.h: each required
 * pointer passed as NULL (and a data pointer or array NULL with a non-zero
 * length or count) is reported once to the misuse handler by the function
 * called, which returns DECC_E_INVALID without crashing or touching its
 * outputs; the permitted NULLs (close / clear, empty batches, empty data,
 * the optional from, offset and escrow outputs, an empty genesis document)
 * are not reported and still work on a real ledger, and what the
 * arguments hold (a call's data NULL with a length) stays an ordinary
 * error.
 */
#include <stdio.h>
#include <string.h>

#include "decc/buf.h"
#include "decc/keys.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "misuse_check.h"

TEST(misuse_ledger_genesis_and_open) {
  MISUSE_BEGIN();
  decc_genesis g;
  uint8_t sk[32] = {0};
  char *js = NULL;
  decc_err err;
  decc_err_clear(&err);

  EXPECT_MISUSE(DECC_E_INVALID, decc_genesis_default, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_genesis_profile, NULL, "dev", 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_genesis_profile, &g, NULL, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_genesis_from_json, NULL, "{}", 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_genesis_from_json, &g, NULL, 2, NULL);
  ASSERT_STR_EQ(g_misuse.what, "json != NULL || len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_dev_key, NULL, 0);
  ASSERT_OK(decc_genesis_default(&g));
  EXPECT_MISUSE(DECC_E_INVALID, decc_genesis_to_json, NULL, &g);
  EXPECT_MISUSE(DECC_E_INVALID, decc_genesis_to_json, &js, NULL);
  ASSERT(js == NULL);

  char path[512];
  snprintf(path, sizeof path, "%s/misuse.sqlite", decc_test_tmpdir());
  decc_ledger *l = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_init, NULL, &g, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_init, path, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_open, NULL, path, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_open, &l, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_open_memory, NULL, &g, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_open_memory, &l, NULL, NULL);
  ASSERT(l == NULL);

  /* The permitted NULLs and the real calls still work. */
  EXPECT_NO_MISUSE(decc_ledger_close(NULL));
  EXPECT_NO_MISUSE(decc_genesis_clear(NULL));
  decc_genesis g2;
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_genesis_from_json(&g2, NULL, 0, &err), DECC_E_PARSE));
  decc_genesis_clear(&g2);
  EXPECT_OK_NO_MISUSE(decc_genesis_from_json(&g2, "{\"chainId\":7}", 13, &err));
  ASSERT_EQ(g2.chain_id, 7u);
  decc_genesis_clear(&g2);
  EXPECT_OK_NO_MISUSE(decc_genesis_profile(&g2, "dev", 0, NULL));
  decc_genesis_clear(&g2);
  EXPECT_OK_NO_MISUSE(decc_ledger_dev_key(sk, 0));
  EXPECT_OK_NO_MISUSE(decc_genesis_to_json(&js, &g));
  ASSERT(js != NULL && strstr(js, "\"chainId\"") != NULL);
  decc_free(js);
  EXPECT_OK_NO_MISUSE(decc_ledger_init(path, &g, NULL));
  EXPECT_OK_NO_MISUSE(decc_ledger_open(&l, path, NULL));
  decc_ledger_close(l);
  l = NULL;
  EXPECT_OK_NO_MISUSE(decc_ledger_open_memory(&l, &g, NULL));
  decc_ledger_close(l);
  decc_genesis_clear(&g);
}

/* balanceOf(a) calldata. */
static void balance_of(uint8_t cd[36], const decc_address *a) {
  static const uint8_t sel[4] = {0x70, 0xa0, 0x82, 0x31};
  memset(cd, 0, 36);
  memcpy(cd, sel, 4);
  memcpy(cd + 16, a->b, 20);
}

TEST(misuse_ledger_calls_and_queries) {
  MISUSE_BEGIN();
  decc_genesis g;
  ASSERT_OK(decc_genesis_default(&g));
  decc_ledger *l = NULL;
  ASSERT_OK(decc_ledger_open_memory(&l, &g, NULL));
  decc_address token = g.addr.token;
  decc_genesis_clear(&g);

  uint8_t sk[32], h[32] = {0}, cd[36];
  ASSERT_OK(decc_ledger_dev_key(sk, 0));
  decc_address me;
  ASSERT_OK(decc_address_from_privkey(&me, sk));
  balance_of(cd, &me);
  decc_receipt r;
  memset(&r, 0, sizeof r);
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_ledger_call call = {me, token, cd, sizeof cd};
  const uint8_t *raw[1] = {cd};
  size_t lens[1] = {sizeof cd};
  decc_ledger_info info;
  decc_ledger_block blk;
  decc_ledger_verify_report rep;
  decc_u256 u, s, lk;
  uint64_t n64 = 0;
  uint8_t *hashes = NULL;
  size_t n = 0;
  decc_log_filter f;
  decc_log_filter_init(&f);
  decc_log *logs = NULL;
  decc_log lg;
  memset(&lg, 0, sizeof lg);
  const char *name = NULL;
  char *json = NULL;

  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_get_info, NULL, &info, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_get_info, l, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_submit_calls, NULL, &call, 1, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_submit_calls, l, NULL, 1, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_submit_calls, l, &call, 1, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_submit_raw, NULL, raw, lens, 1, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_submit_raw, l, NULL, lens, 1, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_submit_raw, l, raw, NULL, 1, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_submit_raw, l, raw, lens, 1, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_tx_build, NULL, 31337, sk, 0,
                &token, cd, sizeof cd, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_tx_build, &b, 31337, NULL, 0,
                &token, cd, sizeof cd, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_tx_build, &b, 31337, sk, 0, NULL,
                cd, sizeof cd, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_tx_build, &b, 31337, sk, 0, &token,
                NULL, 4, NULL);
  ASSERT_EQ(b.len, 0u);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_send, NULL, sk, &token, cd,
                sizeof cd, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_send, l, NULL, &token, cd,
                sizeof cd, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_send, l, sk, NULL, cd, sizeof cd,
                &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_send, l, sk, &token, NULL, 4, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_send, l, sk, &token, cd, sizeof cd,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_view, NULL, &me, &token, cd,
                sizeof cd, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_view, l, &me, NULL, cd, sizeof cd,
                &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_view, l, &me, &token, NULL, 4, &b,
                NULL);
  ASSERT_STR_EQ(g_misuse.what, "data != NULL || len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_view, l, &me, &token, cd, sizeof cd,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_code, NULL, &token, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_code, l, NULL, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_code, l, &token, NULL, NULL);
  ASSERT_EQ(b.len, 0u);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_native_balance, NULL, &me, &u,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_native_balance, l, NULL, &u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_native_balance, l, &me, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_nonce, NULL, &me, &n64, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_nonce, l, NULL, &n64, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_nonce, l, &me, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_receipt, NULL, h, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_receipt, l, NULL, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_receipt, l, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_tx_raw, NULL, h, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_tx_raw, l, NULL, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_tx_raw, l, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_block_get, NULL, 0, &blk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_block_get, l, 0, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_block_txs, NULL, 0, &hashes, &n,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_block_txs, l, 0, NULL, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_block_txs, l, 0, &hashes, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_logs, NULL, &f, &logs, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_logs, l, NULL, &logs, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_logs, l, &f, NULL, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_logs, l, &f, &logs, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_time_increase, NULL, 10, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_state_hash, NULL, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_state_hash, l, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_verify, NULL, &rep, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_verify, l, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_rlc_balance, NULL, &me, &u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_rlc_balance, l, NULL, &u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_rlc_balance, l, &me, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_escrow, NULL, &me, &s, &lk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_escrow, l, NULL, &s, &lk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_decode_log, NULL, &name, &json,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_decode_log, &lg, NULL, &json, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_ledger_decode_log, &lg, &name, NULL, NULL);
  ASSERT(hashes == NULL && logs == NULL && name == NULL && json == NULL);
  /* Nothing was executed by the refused calls. */
  EXPECT_OK_NO_MISUSE(decc_ledger_nonce(l, &me, &n64, NULL));
  ASSERT_EQ(n64, 0u);

  /* The permitted NULLs, on the same ledger. */
  EXPECT_OK_NO_MISUSE(decc_ledger_submit_calls(l, NULL, 0, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_ledger_submit_raw(l, NULL, NULL, 0, NULL, NULL));
  EXPECT_OK_NO_MISUSE(
      decc_ledger_view(l, NULL, &token, cd, sizeof cd, &b, NULL));
  ASSERT_EQ(b.len, 32u);
  decc_u256 bal;
  ASSERT_OK(decc_ledger_rlc_balance(l, &me, &bal, NULL));
  decc_u256 viewed;
  decc_u256_from_be(&viewed, b.data);
  ASSERT(decc_u256_cmp(&viewed, &bal) == 0);
  EXPECT_OK_NO_MISUSE(decc_ledger_escrow(l, &me, NULL, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_ledger_escrow(l, &me, &s, NULL, NULL));
  int64_t off = 0;
  EXPECT_OK_NO_MISUSE(decc_ledger_time_increase(l, 10, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_ledger_time_increase(l, 5, &off, NULL));
  ASSERT_EQ(off, 15);
  decc_buf_reset(&b);
  EXPECT_OK_NO_MISUSE(
      decc_ledger_tx_build(&b, 31337, sk, 0, &token, NULL, 0, NULL));
  ASSERT(b.len > 0);
  /* An empty call (no data) to the token: a transaction, not misuse. */
  EXPECT_OK_NO_MISUSE(decc_ledger_send(l, sk, &token, NULL, 0, &r, NULL));
  decc_receipt_clear(&r);
  EXPECT_OK_NO_MISUSE(decc_ledger_nonce(l, &me, &n64, NULL));
  ASSERT_EQ(n64, 1u);
  /* A call's data NULL with a length is a bad batch: an ordinary error. */
  decc_ledger_call bad = {me, token, NULL, 4};
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_ledger_submit_calls(l, &bad, 1, &r, NULL), DECC_E_LIMIT));
  EXPECT_OK_NO_MISUSE(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, 1u);

  decc_buf_clear(&b);
  decc_ledger_close(l);
}
