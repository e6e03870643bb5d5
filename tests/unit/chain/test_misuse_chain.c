/*
 * test_misuse_chain.c — the entry checks of the chain layer's public
 * functions (chain.h, hub.h, deploy.h): each required pointer passed as NULL (and a
 * data pointer NULL with a non-zero length) is reported to the misuse
 * handler by the function called, which returns DECC_E_INVALID (or at once
 * when void) without crashing; the permitted NULLs (optional from, empty
 * data, send_raw with n = 0, NULL destroy/clear, the optional delivered
 * count) are not reported and still work on a real embedded ledger.
 */
#include <stdio.h>
#include <string.h>

#include "decc/chain.h"
#include "decc/deploy.h"
#include "decc/hub.h"
#include "decc/ledger.h"
#include "misuse_check.h"

static int count_log(const decc_log *log, void *user) {
  (void)log;
  (*(size_t *)user)++;
  return 0;
}

/* A fresh embedded ledger in the test's temporary directory. */
static decc_chain *open_chain(const char *name) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s.sqlite", decc_test_tmpdir(), name);
  decc_genesis g;
  if (decc_genesis_default(&g) != DECC_OK)
    return NULL;
  decc_status st = decc_ledger_init(path, &g, NULL);
  decc_genesis_clear(&g);
  decc_chain *c = NULL;
  if (st != DECC_OK || decc_chain_open_embedded(&c, path, NULL) != DECC_OK)
    return NULL;
  return c;
}

TEST(misuse_chain) {
  MISUSE_BEGIN();
  decc_chain *c = open_chain("chain");
  ASSERT(c != NULL);
  uint64_t u;
  uint8_t h[32] = {0}, sk[32] = {1};
  decc_address a = {{0}};
  decc_chain_addresses addrs;
  decc_receipt r;
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_log_filter f;
  decc_log_filter_init(&f);
  decc_log *logs = NULL;
  size_t n = 0;
  const uint8_t *raw[1] = {h};
  size_t lens[1] = {1};
  decc_chain_vtable vt;
  memset(&vt, 0, sizeof vt);

  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_create, NULL, &vt, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_create, &c, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_open_embedded, NULL, "x", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_open_embedded, &c, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_open_jsonrpc_ex, NULL,
                "http://127.0.0.1:1", &addrs, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_open_jsonrpc_ex, &c, NULL, &addrs,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_open_jsonrpc_ex, &c,
                "http://127.0.0.1:1", NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_open_jsonrpc, NULL,
                "http://127.0.0.1:1", &addrs, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_open_jsonrpc, &c, NULL, &addrs,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_open_jsonrpc, &c,
                "http://127.0.0.1:1", NULL, NULL);
  ASSERT(c != NULL); /* untouched by the refused calls */

  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_id, NULL, &u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_id, c, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_get_addresses, NULL, &addrs, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_get_addresses, c, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_block_number, NULL, &u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_block_number, c, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_block_timestamp, NULL, &u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_block_timestamp, c, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_nonce, NULL, &a, &u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_nonce, c, NULL, &u, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_nonce, c, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_send, NULL, sk, &a, h, 1, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_send, c, NULL, &a, h, 1, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_send, c, sk, &a, h, 1, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_send, c, sk, &a, NULL, 1, &r, NULL);
  ASSERT_STR_EQ(g_misuse.what, "data != NULL || len == 0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_send_raw, NULL, raw, lens, 1, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_send_raw, c, NULL, lens, 1, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_send_raw, c, raw, NULL, 1, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_send_raw, c, raw, lens, 1, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_call, NULL, NULL, &a, h, 1, &b,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_call, c, NULL, NULL, h, 1, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_call, c, NULL, &a, NULL, 1, &b,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_call, c, NULL, &a, h, 1, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_code, NULL, &a, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_code, c, NULL, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_code, c, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_increase_time, NULL, 10, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_receipt, NULL, h, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_receipt, c, NULL, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_receipt, c, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_tx_raw, NULL, h, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_tx_raw, c, NULL, &b, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_tx_raw, c, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_wait_receipt, NULL, h, 1, 1, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_wait_receipt, c, NULL, 1, 1, &r,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_wait_receipt, c, h, 1, 1, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_get_logs, NULL, &f, &logs, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_get_logs, c, NULL, &logs, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_get_logs, c, &f, NULL, &n, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_get_logs, c, &f, &logs, NULL, NULL);

  decc_chain_watch *w = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_watch_create, NULL, c, &f, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_watch_create, &w, NULL, &f, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_watch_create, &w, c, NULL, 0, NULL);
  ASSERT(w == NULL);
  EXPECT_OK_NO_MISUSE(decc_chain_watch_create(&w, c, &f, 0, NULL));
  size_t seen = 0;
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_watch_poll, NULL, count_log, &seen,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_chain_watch_poll, w, NULL, &seen, NULL,
                NULL);

  /* The documented NULLs: no report, and the calls still do their work. */
  EXPECT_OK_NO_MISUSE(decc_chain_watch_poll(w, count_log, &seen, NULL, NULL));
  EXPECT_NO_MISUSE(decc_chain_watch_destroy(w));
  EXPECT_NO_MISUSE(decc_chain_watch_destroy(NULL));
  EXPECT_NO_MISUSE(decc_chain_destroy(NULL));
  EXPECT_NO_MISUSE(ASSERT_STR_EQ(decc_chain_backend(NULL), "none"));
  EXPECT_OK_NO_MISUSE(decc_chain_id(c, &u, NULL));
  ASSERT(u > 0);
  EXPECT_OK_NO_MISUSE(decc_chain_get_addresses(c, &addrs, NULL));
  /* (empty calldata is no PoCo function: the hub reverts, it is not misuse) */
  EXPECT_NO_MISUSE(ASSERT_EQ(
      decc_chain_call(c, NULL, &addrs.hub, NULL, 0, &b, NULL), DECC_E_REVERT));
  EXPECT_OK_NO_MISUSE(decc_chain_send_raw(c, NULL, NULL, 0, NULL, NULL));
  EXPECT_OK_NO_MISUSE(decc_chain_code(c, &addrs.hub, &b, NULL));
  ASSERT(b.len > 0);
  EXPECT_OK_NO_MISUSE(decc_chain_get_logs(c, &f, &logs, &n, NULL));
  decc_logs_free(logs, n);
  decc_buf_clear(&b);
  decc_chain_destroy(c);
}

TEST(misuse_hub) {
  MISUSE_BEGIN();
  decc_chain *c = open_chain("hub");
  ASSERT(c != NULL);
  uint8_t h[32] = {0}, sum[32];
  decc_address a = {{0}}, o;
  decc_poco_deal d;
  decc_poco_task t;
  decc_poco_contribution pc;
  decc_u256 v;
  decc_hub_account acc;
  decc_hub_entry e;
  int yes;
  uint8_t *ma = NULL;
  size_t ml = 0;
  decc_hub_remote r;
  memset(&r, 0, sizeof r);
  decc_chain *out = NULL;

  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_deal, NULL, h, &d, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_deal, c, NULL, &d, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_deal, c, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_task, NULL, h, &t, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_task, c, NULL, &t, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_task, c, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_contribution, NULL, h, &a, &pc,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_contribution, c, NULL, &a, &pc,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_contribution, c, h, NULL, &pc,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_contribution, c, h, &a, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_consumed, NULL, h, &v, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_consumed, c, NULL, &v, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_view_consumed, c, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_account_of, NULL, &a, &acc, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_account_of, c, NULL, &acc, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_account_of, c, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_owner_of, NULL, &a, &o, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_owner_of, c, NULL, &o, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_owner_of, c, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_is_registered, NULL, &a, &a, &yes,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_is_registered, c, NULL, &a, &yes,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_is_registered, c, &a, NULL, &yes,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_is_registered, c, &a, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_entry_read, NULL, DECC_HUB_APP, &a, &e,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_entry_read, c, DECC_HUB_APP, NULL, &e,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_entry_read, c, DECC_HUB_APP, &a, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_asset_read, NULL, DECC_HUB_APP, &a,
                sum, &ma, &ml, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_asset_read, c, DECC_HUB_APP, NULL, sum,
                &ma, &ml, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_asset_read, c, DECC_HUB_APP, &a, NULL,
                &ma, &ml, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_asset_read, c, DECC_HUB_APP, &a, sum,
                NULL, &ml, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_asset_read, c, DECC_HUB_APP, &a, sum,
                &ma, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_require_code, NULL, &a, "hub", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_require_code, c, NULL, "hub", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_require_code, c, &a, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_open_remote, NULL, &r, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_open_remote, &out, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_hub_open_remote, &out, &r, NULL);
  ASSERT_STR_EQ(g_misuse.what, "r->url != NULL");
  ASSERT(out == NULL);

  /* Valid calls are not reported; NULL clear is a no-op. */
  EXPECT_NO_MISUSE(decc_hub_entry_clear(NULL));
  decc_chain_addresses x;
  ASSERT_OK(decc_chain_get_addresses(c, &x, NULL));
  EXPECT_OK_NO_MISUSE(decc_hub_require_code(c, &x.hub, "PoCo hub", NULL));
  EXPECT_OK_NO_MISUSE(decc_hub_account_of(c, &a, &acc, NULL));
  EXPECT_OK_NO_MISUSE(decc_hub_view_consumed(c, h, &v, NULL));
  ASSERT(decc_u256_is_zero(&v));
  decc_chain_destroy(c);
}

TEST(misuse_deploy) {
  MISUSE_BEGIN();
  decc_chain *c = open_chain("deploy");
  ASSERT(c != NULL);
  uint8_t sk[32] = {1};
  decc_poco_deploy_opts o;
  memset(&o, 0, sizeof o);
  decc_chain_addresses x;
  ASSERT_OK(decc_chain_get_addresses(c, &x, NULL));
  decc_chain_addresses got = x;

  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deploy, NULL, sk, &o, &got, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deploy, c, NULL, &o, &got, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deploy, c, sk, NULL, &got, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deploy, c, sk, &o, NULL, NULL);
  ASSERT_MEM_EQ(&got, &x, sizeof x); /* untouched */
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deployment_check, NULL, &x, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_poco_deployment_check, c, NULL, NULL);

  /* Not misuse: no artifacts directory is a configuration error with a
   * message; the embedded deployment checks; builtin's outputs are
   * optional. */
  decc_err err;
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_poco_deploy(c, sk, &o, &got, &err), DECC_E_INVALID));
  ASSERT(strstr(err.msg, "artifacts") != NULL);
  EXPECT_OK_NO_MISUSE(decc_poco_deployment_check(c, &x, NULL));
  const char *hex = NULL;
  EXPECT_NO_MISUSE(decc_dataprotector_builtin(&hex, NULL, NULL));
  ASSERT(hex != NULL && strncmp(hex, "0x", 2) == 0);
  EXPECT_NO_MISUSE(decc_dataprotector_builtin(NULL, NULL, NULL));
  decc_chain_destroy(c);
}
