/*
 * test_misuse_poco.c — the entry checks of poco.h's record, account-table,
 * formula and view-encoding functions: each required pointer passed as
 * NULL (and view data NULL with a non-zero length) is reported to the
 * misuse handler by the function called, which returns DECC_E_INVALID (at
 * once when void) without crashing; the documented NULLs (init / clear,
 * a NULL task or table to the look-ups, genesis_categories' count) are
 * not reported and behave as documented.
 */
#include <string.h>

#include "decc/buf.h"
#include "decc/hash.h"
#include "decc/poco.h"
#include "misuse_check.h"

TEST(misuse_poco_records) {
  MISUSE_BEGIN();
  decc_poco_deal d, d2;
  decc_poco_task t, t2;
  decc_address a = {{0}};
  EXPECT_MISUSE_VOID(decc_poco_kitty_address, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deal_init, NULL);
  ASSERT_OK(decc_poco_deal_init(&d));
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deal_copy, NULL, &d);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deal_copy, &d2, NULL);
  decc_poco_task_init(&t);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_task_copy, NULL, &t);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_task_copy, &t2, NULL);

  /* The permitted NULLs. */
  size_t n = 0;
  EXPECT_NO_MISUSE(decc_poco_deal_clear(NULL));
  EXPECT_NO_MISUSE(decc_poco_task_clear(NULL));
  EXPECT_NO_MISUSE(decc_poco_task_init(NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_poco_task_contribution(NULL, &a) == NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_poco_genesis_categories(NULL) != NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_poco_genesis_categories(&n) != NULL));
  ASSERT_EQ(n, 5u);
  EXPECT_OK_NO_MISUSE(decc_poco_deal_copy(&d2, &d));
  ASSERT_STR_EQ(d2.params, "");
  EXPECT_OK_NO_MISUSE(decc_poco_task_copy(&t2, &t));
  EXPECT_NO_MISUSE(decc_poco_kitty_address(&a));
  ASSERT_EQ(a.b[0], 0x99);
  decc_poco_deal_clear(&d2);
  decc_poco_task_clear(&t2);
  decc_poco_deal_clear(&d);
}

TEST(misuse_poco_accounts) {
  MISUSE_BEGIN();
  decc_poco_accounts t;
  decc_poco_accounts_init(&t);
  decc_address a = {{1}};
  decc_u256 b = decc_u256_from_u64(5), f = decc_u256_from_u64(2), sb, sf;
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_accounts_set, NULL, &a, &b, &f);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_accounts_set, &t, NULL, &b, &f);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_accounts_set, &t, &a, NULL, &f);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_accounts_set, &t, &a, &b, NULL);
  ASSERT_EQ(t.n, 0u);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_accounts_total, NULL, &sb, &sf);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_accounts_total, &t, NULL, &sf);

  EXPECT_OK_NO_MISUSE(decc_poco_accounts_set(&t, &a, &b, &f));
  EXPECT_OK_NO_MISUSE(decc_poco_accounts_total(&t, &sb, NULL));
  ASSERT_EQ(sb.w[0], 5u);
  EXPECT_NO_MISUSE(ASSERT(decc_poco_accounts_find(NULL, &a) == NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_poco_accounts_find(&t, &a) != NULL));
  EXPECT_NO_MISUSE(decc_poco_accounts_clear(NULL));
  decc_poco_accounts_clear(&t);
}

TEST(misuse_poco_formulas) {
  MISUSE_BEGIN();
  uint8_t out[32], id[32] = {1}, dg[32] = {2}, h2[32];
  decc_address w = {{3}};
  EXPECT_MISUSE_VOID(decc_poco_result_hash, NULL, id, dg);
  EXPECT_MISUSE_VOID(decc_poco_result_hash, out, NULL, dg);
  EXPECT_MISUSE_VOID(decc_poco_result_hash, out, id, NULL);
  EXPECT_MISUSE_VOID(decc_poco_result_seal, NULL, &w, id, dg);
  EXPECT_MISUSE_VOID(decc_poco_result_seal, out, NULL, id, dg);
  EXPECT_MISUSE_VOID(decc_poco_result_seal, out, &w, NULL, dg);
  EXPECT_MISUSE_VOID(decc_poco_result_seal, out, &w, id, NULL);
  EXPECT_MISUSE_VOID(decc_poco_authorization_message, NULL, &w, id, &w);
  EXPECT_MISUSE_VOID(decc_poco_authorization_message, out, NULL, id, &w);
  EXPECT_MISUSE_VOID(decc_poco_authorization_message, out, &w, NULL, &w);
  EXPECT_MISUSE_VOID(decc_poco_authorization_message, out, &w, id, NULL);
  EXPECT_MISUSE_VOID(decc_poco_enclave_message, NULL, id, dg);
  EXPECT_MISUSE_VOID(decc_poco_enclave_message, out, NULL, dg);
  EXPECT_MISUSE_VOID(decc_poco_enclave_message, out, id, NULL);

  /* resultHash = keccak256(taskid ‖ digest), computed here independently. */
  uint8_t m[64];
  memcpy(m, id, 32);
  memcpy(m + 32, dg, 32);
  decc_keccak256(h2, m, sizeof m);
  EXPECT_NO_MISUSE(decc_poco_result_hash(out, id, dg));
  ASSERT_MEM_EQ(out, h2, 32);
  EXPECT_NO_MISUSE(decc_poco_result_seal(out, &w, id, dg));
  EXPECT_NO_MISUSE(decc_poco_authorization_message(out, &w, id, &w));
  EXPECT_NO_MISUSE(decc_poco_enclave_message(out, id, dg));
}

TEST(misuse_poco_views) {
  MISUSE_BEGIN();
  decc_buf out;
  decc_buf_init(&out, 0);
  decc_poco_deal d, back;
  ASSERT_OK(decc_poco_deal_init(&d));
  decc_poco_task t, tb;
  decc_poco_task_init(&t);
  decc_poco_contribution c, cb;
  memset(&c, 0, sizeof c);
  decc_u256 ref = decc_u256_from_u64(300);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deal_abi, NULL, &d);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deal_abi, &out, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_task_abi, NULL, &t);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_task_abi, &out, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribution_abi, NULL, &c);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribution_abi, &out, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_category_abi, NULL, "XS", "{}", &ref);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_category_abi, &out, NULL, "{}", &ref);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_category_abi, &out, "XS", NULL, &ref);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_category_abi, &out, "XS", "{}", NULL);
  ASSERT_EQ(out.len, 0u);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deal_from_abi, NULL, out.data, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deal_from_abi, &back, NULL, 32, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_task_from_abi, NULL, out.data, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_task_from_abi, &tb, NULL, 32, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribution_from_abi, NULL, out.data,
                0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_contribution_from_abi, &cb, NULL, 32,
                NULL);

  /* Round trips still work. */
  d.bot_size = decc_u256_from_u64(4);
  EXPECT_OK_NO_MISUSE(decc_poco_deal_abi(&out, &d));
  EXPECT_OK_NO_MISUSE(decc_poco_deal_from_abi(&back, out.data, out.len, NULL));
  ASSERT_EQ(back.bot_size.w[0], 4u);
  decc_poco_deal_clear(&back);
  decc_buf_reset(&out);
  c.weight = decc_u256_from_u64(9);
  EXPECT_OK_NO_MISUSE(decc_poco_contribution_abi(&out, &c));
  EXPECT_OK_NO_MISUSE(
      decc_poco_contribution_from_abi(&cb, out.data, out.len, NULL));
  ASSERT_EQ(cb.weight.w[0], 9u);
  decc_buf_reset(&out);
  EXPECT_OK_NO_MISUSE(decc_poco_task_abi(&out, &t));
  EXPECT_OK_NO_MISUSE(decc_poco_task_from_abi(&tb, out.data, out.len, NULL));
  decc_poco_task_clear(&tb);
  decc_buf_reset(&out);
  EXPECT_OK_NO_MISUSE(decc_poco_category_abi(&out, "XS", "{}", &ref));
  ASSERT(out.len > 0);
  decc_buf_clear(&out);
  decc_poco_deal_clear(&d);
}
