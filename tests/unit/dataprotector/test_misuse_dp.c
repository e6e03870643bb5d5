/*
 * test_misuse_dp.c — the entry checks of dataprotector.h's public
 * functions: a NULL context or required pointer (a bundle NULL with a
 * length, a protect request without its data) is reported to the misuse
 * handler by the function called, which returns DECC_E_INVALID (NULL for
 * the accessors and decc_dp_format_rlc, at once when void) without
 * crashing; the documented NULLs (no filter, no app / user / count /
 * progress for revokeAllAccess, no key path, no `created`, a NULL amount
 * text, NULL to the close and clear functions) are not reported and give
 * their documented answers on an embedded context.
 */
#include <string.h>

#include "decc/dataprotector.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "misuse_check.h"

TEST(misuse_dp) {
  char home[512];
  snprintf(home, sizeof home, "%s/home", decc_test_tmpdir());
  decc_dp_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.home = home;
  decc_dp *dp = NULL;
  ASSERT_OK(decc_dp_open(&dp, &cfg, NULL));
  uint8_t sk[32];
  ASSERT_OK(decc_ledger_dev_key(sk, 1));
  MISUSE_BEGIN();

  decc_dp *no = NULL;
  decc_address a = {{1}};
  decc_u256 amount = decc_u256_from_u64(1);
  uint8_t h[32] = {3}, *bytes = NULL;
  size_t len = 0, revoked = 0;
  char *text = NULL, rlc[96];
  decc_dp_balance bal;
  decc_dp_protected prot;
  decc_dp_protect_opts popts;
  memset(&popts, 0, sizeof popts);
  decc_dp_pd_list pl;
  decc_dp_access acc;
  memset(&acc, 0, sizeof acc);
  decc_dp_access_list al;
  decc_dp_access_filter af;
  memset(&af, 0, sizeof af);
  decc_dp_grant_opts gopts;
  memset(&gopts, 0, sizeof gopts);
  decc_order order;
  memset(&order, 0, sizeof order);
  decc_dp_app app;
  decc_dp_publish_opts pub;
  memset(&pub, 0, sizeof pub);
  decc_dp_process_opts xo;
  memset(&xo, 0, sizeof xo);
  decc_dp_process_result xr;
  decc_dp_bulk_opts bo;
  memset(&bo, 0, sizeof bo);
  decc_dp_bulk_request breq;
  memset(&breq, 0, sizeof breq);
  decc_dp_bulk_result bres;
  decc_dp_task_end end;
  struct decc_rsa_key *key = NULL;

  /* context */
  decc_dp *dp2 = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_open, NULL, &cfg, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_open, &dp2, NULL, NULL);
  ASSERT(dp2 == NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_set_signer, no, sk, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_set_signer, dp, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_signer, no, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_signer, dp, NULL, NULL);
  EXPECT_MISUSE_VOID(decc_dp_set_runner, no, NULL, NULL);
  EXPECT_MISUSE_NULL(decc_dp_chain, no);
  EXPECT_MISUSE_NULL(decc_dp_market, no);
  EXPECT_MISUSE_NULL(decc_dp_sms, no);
  EXPECT_MISUSE_NULL(decc_dp_sms_client, no);
  EXPECT_MISUSE_NULL(decc_dp_market_client, no);
  EXPECT_MISUSE_NULL(decc_dp_blockstore, no);
  EXPECT_MISUSE_NULL(decc_dp_home, no);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_sync_market, no, NULL);

  /* accounts */
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_balance, no, &a, &bal, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_balance, dp, NULL, &bal, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_balance, dp, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_deposit, no, &amount, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_deposit, dp, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_withdraw, no, &amount, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_withdraw, dp, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_transfer_rlc, no, &a, &amount, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_transfer_rlc, dp, NULL, &amount, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_transfer_rlc, dp, &a, NULL, NULL);
  EXPECT_MISUSE_NULL(decc_dp_format_rlc, NULL, &amount);
  EXPECT_MISUSE_NULL(decc_dp_format_rlc, rlc, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_parse_rlc, NULL, "1", NULL);

  /* protected data */
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_protected_to_json, NULL, &prot, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_protected_to_json, &text, NULL, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_protect, no, &prot, &popts, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_protect, dp, NULL, &popts, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_protect, dp, &prot, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_protect, dp, &prot, &popts, NULL);
  ASSERT_STR_EQ(g_misuse.what, "o->data != NULL");
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_protected_data, no, &pl, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_protected_data, dp, NULL, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_transfer_ownership, no, &a, &a, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_transfer_ownership, dp, NULL, &a, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_transfer_ownership, dp, &a, NULL, NULL,
                NULL);

  /* access */
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_access_to_json, NULL, &acc);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_access_to_json, &text, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_grant_access, no, &acc, &gopts, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_grant_access, dp, NULL, &gopts, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_grant_access, dp, &acc, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_granted_access, no, &al, &af, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_granted_access, dp, NULL, &af,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_granted_access, dp, &al, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_access, no, &acc, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_access, dp, NULL, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_get_access, dp, &acc, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_revoke_one_access, no, &order, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_revoke_one_access, dp, NULL, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_revoke_all_access, no, &a, NULL, NULL,
                NULL, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_revoke_all_access, dp, NULL, NULL, NULL,
                NULL, NULL, NULL, NULL);

  /* apps and workerpools */
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_app_deploy, no, &app, "x",
                (const uint8_t *)"b", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_app_deploy, dp, NULL, "x",
                (const uint8_t *)"b", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_app_deploy, dp, &app, "x", NULL, 1,
                NULL);
  ASSERT_STR_EQ(g_misuse.what, "bundle != NULL || len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_app_show, no, &app, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_app_show, dp, NULL, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_app_show, dp, &app, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_check_tee_app, no, &a, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_check_tee_app, dp, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_workerpool_create, no, &a, "p", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_workerpool_create, dp, NULL, "p", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_apporder, no, NULL, &a, &pub,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_apporder, dp, NULL, NULL, &pub,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_apporder, dp, NULL, &a, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_datasetorder, no, NULL, &a,
                &pub, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_datasetorder, dp, NULL, NULL,
                &pub, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_datasetorder, dp, NULL, &a,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_workerpoolorder, no, NULL, &a,
                &pub, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_workerpoolorder, dp, NULL, NULL,
                &pub, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_publish_workerpoolorder, dp, NULL, &a,
                NULL, NULL);

  /* processing */
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process, no, &xr, &xo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process, dp, NULL, &xo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process, dp, &xr, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_prepare_bulk, no, &breq, &bo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_prepare_bulk, dp, NULL, &bo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_prepare_bulk, dp, &breq, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process_bulk_request, no, &bres, &breq,
                &bo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process_bulk_request, dp, NULL, &breq,
                &bo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process_bulk_request, dp, &bres, NULL,
                &bo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process_bulk_request, dp, &bres, &breq,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process_bulk, no, &bres, &bo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process_bulk, dp, NULL, &bo, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_process_bulk, dp, &bres, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_wait_task, no, h, NULL, &end, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_wait_task, dp, NULL, NULL, &end, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_wait_task, dp, h, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_fetch_result, no, &bytes, &len, h, NULL,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_fetch_result, dp, NULL, &len, h, NULL,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_fetch_result, dp, &bytes, NULL, h, NULL,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_fetch_result, dp, &bytes, &len, NULL,
                NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_result_key, no, &key, NULL, NULL, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_result_key, dp, NULL, NULL, NULL, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_task_logs, no, &text, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_task_logs, dp, NULL, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dp_task_logs, dp, &text, NULL, NULL);

  /* Permitted NULLs give their documented answers, unreported. */
  decc_u256 v;
  int before = g_misuse.calls;
  ASSERT_EQ(decc_dp_parse_rlc(&v, NULL, NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_dp_signer(dp, &a, NULL), DECC_E_STATE); /* no signer yet */
  ASSERT_EQ(decc_dp_app_deploy(dp, &app, "x", NULL, 0, NULL), DECC_E_STATE);
  ASSERT_EQ(g_misuse.calls, before);
  EXPECT_OK_NO_MISUSE(decc_dp_set_signer(dp, sk, NULL));
  ASSERT_EQ(decc_dp_result_key(dp, &key, NULL, NULL, 0, NULL),
            DECC_E_NOT_FOUND); /* default path, no `created`, no key yet */
  ASSERT_EQ(g_misuse.calls, before);
  EXPECT_OK_NO_MISUSE(decc_dp_parse_rlc(&v, "1.5", NULL));
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_dp_format_rlc(rlc, &v), "1.5 RLC"));
  EXPECT_NO_MISUSE(decc_dp_set_runner(dp, NULL, NULL));
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_dp_home(dp), home));
  EXPECT_OK_NO_MISUSE(decc_dp_get_protected_data(dp, &pl, NULL, NULL));
  decc_dp_pd_list_clear(&pl);
  EXPECT_OK_NO_MISUSE(
      decc_dp_revoke_all_access(dp, &a, NULL, NULL, NULL, NULL, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_dp_revoke_all_access(dp, &a, NULL, NULL, &revoked,
                                                NULL, NULL, NULL));
  ASSERT_EQ(revoked, 0);
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_dp_task_status_name(9), "UNKNOWN"));
  EXPECT_NO_MISUSE(decc_dp_protected_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_pd_list_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_access_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_access_list_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_app_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_process_result_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_bulk_request_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_bulk_result_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_task_end_clear(NULL));
  EXPECT_NO_MISUSE(decc_dp_close(NULL));
  EXPECT_NO_MISUSE(decc_dp_close(dp));
  decc_free(text);
  decc_free(bytes);
}
