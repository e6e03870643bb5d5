/*
 * test_misuse_enclave.c — the entry checks of the enclave layer's public
 * functions (enclave.h, bundle.h, sandbox.h): a NULL required pointer (or
 * NULL data with a length) is reported to the misuse handler by the
 * function called, which returns DECC_E_INVALID (or at once when void)
 * without crashing and without touching its outputs; valid calls still
 * work with the handler installed.
 */
#include <string.h>

#include "decc/attest.h"
#include "decc/buf.h"
#include "decc/bundle.h"
#include "decc/enclave.h"
#include "decc/sandbox.h"
#include "misuse_check.h"

TEST(misuse_enclave) {
  MISUSE_BEGIN();
  decc_enclave_outcome o;
  decc_enclave_launch l;
  decc_enclave_store store = {0};
  decc_enclave_standard std;
  decc_enclave_limits lim;
  decc_quote q;
  decc_task_cause cause = DECC_CAUSE_NONE;
  decc_buf b;
  char *json = NULL;
  uint8_t h[32], bundle[1] = {0};
  memset(&l, 0, sizeof l);
  memset(&std, 0, sizeof std);
  memset(&q, 0, sizeof q);
  decc_buf_init(&b, 0);
  const char *wd = decc_test_tmpdir();

  EXPECT_MISUSE_VOID(decc_enclave_limits_init, NULL);
  EXPECT_MISUSE_VOID(decc_enclave_quote_binding_message, NULL, &q);
  EXPECT_MISUSE_VOID(decc_enclave_quote_binding_message, h, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_task_cause_parse, NULL, "NONE");
  EXPECT_MISUSE(DECC_E_INVALID, decc_task_cause_parse, &cause, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_run_session, NULL, "{}", 2, bundle,
                1, wd, &store, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_run_session, &o, NULL, 2, bundle,
                1, wd, &store, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_run_session, &o, "{}", 2, NULL, 1,
                wd, &store, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_run_session, &o, "{}", 2, bundle,
                1, NULL, &store, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_run_session, &o, "{}", 2, bundle,
                1, wd, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_standard_session, NULL, NULL, &std,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_standard_session, &json, NULL,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_launch_run, NULL, &l, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_launch_run, &o, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_fetch, NULL, "/ipfs/x", &b, 10, 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_fetch, &store, NULL, &b, 10, 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_fetch, &store, "/ipfs/x", NULL, 10,
                1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_result_digest, NULL, "p", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_result_digest, h, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_zip_dir, NULL, wd, 100, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_enclave_zip_dir, "o.zip", NULL, 100, NULL);
  ASSERT(json == NULL);
  ASSERT_EQ(b.len, 0);

  /* Valid calls with the handler installed: no report. */
  EXPECT_NO_MISUSE(decc_enclave_limits_init(&lim));
  EXPECT_OK_NO_MISUSE(decc_task_cause_parse(&cause, "APP_FETCH_FAILED"));
  ASSERT_EQ(cause, DECC_CAUSE_APP_FETCH_FAILED);
  EXPECT_NO_MISUSE(decc_enclave_quote_binding_message(h, &q));
  decc_buf_clear(&b);
}

TEST(misuse_bundle_sandbox) {
  MISUSE_BEGIN();
  decc_bundle_manifest m;
  decc_sandbox_opts so;
  decc_sandbox_result res;
  decc_buf b;
  uint8_t meas[32];
  decc_buf_init(&b, 0);
  const char *dir = decc_test_tmpdir();

  EXPECT_MISUSE(DECC_E_INVALID, decc_bundle_manifest_read, NULL, dir, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_bundle_manifest_read, &m, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_bundle_pack, NULL, meas, dir, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_bundle_pack, &b, NULL, dir, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_bundle_pack, &b, meas, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_bundle_unpack, NULL, 10, NULL, dir, &m,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_bundle_unpack, meas, 32, NULL, NULL, &m,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_bundle_scaffold, NULL, "sh", "app", NULL);
  EXPECT_MISUSE_VOID(decc_sandbox_opts_init, NULL);
  decc_sandbox_opts_init(&so);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sandbox_run, NULL, &res, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_sandbox_run, &so, NULL, NULL);
  ASSERT_EQ(b.len, 0);

  /* A scaffolded app packs (no report), with its measurement. */
  char app[4096];
  snprintf(app, sizeof app, "%s/app", dir);
  EXPECT_OK_NO_MISUSE(decc_bundle_scaffold(app, "sh", "app", NULL));
  EXPECT_OK_NO_MISUSE(decc_bundle_pack(&b, meas, app, NULL));
  ASSERT(b.len > 0);
  decc_buf_clear(&b);
}
