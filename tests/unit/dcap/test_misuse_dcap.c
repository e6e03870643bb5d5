/*
 * test_misuse_dcap.c — the entry checks of dcap.h's public functions: a
 * NULL required pointer, or a length set without its bytes, is reported
 * to the misuse handler by the function called, which returns its
 * documented failure value (DECC_E_INVALID, or at once for a void
 * function) without crashing; the permitted NULLs (the pinned root, an
 * absent text or result, an optional code or name, the default TSM
 * directory's argument, the no-op destroys, err) are not reported and keep
 * their documented answers.
 */
#include <string.h>

#include "decc/attest.h"
#include "decc/dcap.h"
#include "decc/mem.h"
#include "misuse_check.h"

TEST(misuse_dcap) {
  MISUSE_BEGIN();
  static decc_dcap_result res; /* large: off the stack */
  static decc_quote claims;
  decc_dcap_quote q;
  decc_dcap_verifier *v = NULL;
  decc_dcap_policy *p = NULL;
  decc_dcap_tcb_status ts = DECC_DCAP_TCB_UNKNOWN;
  int64_t t = 5, t2 = 5;
  uint8_t rd[64] = {0}, qb[8] = {0};
  char *json = (char *)"untouched";
  uint8_t *quote = (uint8_t *)"untouched";
  size_t len = 9;
  const char *code = NULL;
  /* a non-NULL stand-in, never dereferenced: each call below is refused
   * on another argument first */
  decc_dcap_collateral *coll = (decc_dcap_collateral *)&q;

  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_quote_parse, NULL, qb, 8, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_quote_parse, &q, NULL, 8, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_tcb_status_parse, NULL, "UpToDate");
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_collateral_parse, NULL, "{}", 2,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_collateral_parse, &coll, NULL, 2,
                NULL);
  ASSERT(coll == (decc_dcap_collateral *)&q);
  EXPECT_MISUSE_VOID(decc_dcap_collateral_window, NULL, &t, &t2);
  EXPECT_MISUSE_VOID(decc_dcap_collateral_window, coll, NULL, &t2);
  EXPECT_MISUSE_VOID(decc_dcap_collateral_window, coll, &t, NULL);
  ASSERT_EQ(t, 5);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_verifier_create, NULL, NULL, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_verifier_create, &v, NULL, 3, NULL);
  EXPECT_OK_NO_MISUSE(decc_dcap_verifier_create(&v, NULL, 0, NULL));
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_verify, v, NULL, qb, 8, coll, 0,
                NULL);
  memset(&res, 0x5a, sizeof res);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_verify, NULL, &res, qb, 8, coll, 0,
                NULL);
  ASSERT_EQ(res.checks, 0); /* res initialised even then, as documented */
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_verify, v, &res, qb, 8, NULL, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_verify, v, &res, NULL, 8, coll, 0,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_parse_time, NULL, "0");
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_pccs_get, NULL, NULL, NULL, NULL, 1,
                qb, 8, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_pccs_get, &json, NULL, NULL, NULL, 1,
                NULL, 8, 0, NULL);
  ASSERT_STR_EQ(json, "untouched");
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_policy_parse, NULL, "{}", 2, NULL);
  EXPECT_OK_NO_MISUSE(decc_dcap_policy_parse(&p, "{}", 2, NULL));
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_policy_check, NULL, &res, rd, &code,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_policy_check, p, NULL, rd, &code,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dcap_policy_check, p, &res, NULL, &code,
                NULL);
  ASSERT(code == NULL);
  decc_dcap_policy_destroy(p);
  EXPECT_MISUSE_VOID(decc_dcap_report_data, NULL, &claims);
  EXPECT_MISUSE_VOID(decc_dcap_report_data, rd, NULL);
  ASSERT_EQ(rd[0], 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tdx_tsm_quote_entry, NULL, &len, "/x", rd,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tdx_tsm_quote_entry, &quote, NULL, "/x",
                rd, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tdx_tsm_quote_entry, &quote, &len, NULL,
                rd, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tdx_tsm_quote_entry, &quote, &len, "/x",
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tdx_tsm_quote, NULL, &len, NULL, rd, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tdx_tsm_quote, &quote, NULL, NULL, rd,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_tdx_tsm_quote, &quote, &len, NULL, NULL,
                NULL);
  ASSERT_EQ(len, 9);
  ASSERT_STR_EQ((const char *)quote, "untouched");

  /* Permitted: absent texts keep their documented answers; no result for
   * the refusal code; an optional name; a malformed quote is an ordinary
   * parse error; a verification refused on the quote, not on misuse; an
   * offline lookup without a base URL; the report data; the no-op
   * destroys. */
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_dcap_tcb_status_parse(&ts, NULL), DECC_E_PARSE));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_dcap_parse_time(&t, NULL), DECC_E_PARSE));
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_dcap_policy_parse(&p, NULL, 0, NULL), DECC_E_LIMIT));
  ASSERT(p == NULL);
  EXPECT_OK_NO_MISUSE(decc_dcap_parse_time(&t, "2024-01-02T03:04:05Z"));
  ASSERT_EQ(t, 1704164645);
  EXPECT_NO_MISUSE(ASSERT(decc_dcap_refusal_code(DECC_E_PARSE, NULL) != NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_dcap_check_text(0, NULL) != NULL));
  EXPECT_NO_MISUSE(ASSERT(decc_dcap_quote_parse(&q, NULL, 0, NULL) != DECC_OK));
  EXPECT_NO_MISUSE(ASSERT(decc_dcap_quote_parse(&q, qb, 8, NULL) != DECC_OK));
  EXPECT_NO_MISUSE(decc_dcap_report_data(rd, &claims));
  uint8_t zero[32] = {0};
  ASSERT(memcmp(rd, zero, 32) != 0);
  ASSERT_MEM_EQ(rd + 32, zero, 32);
  EXPECT_NO_MISUSE(decc_dcap_verifier_destroy(v));
  EXPECT_NO_MISUSE(decc_dcap_verifier_destroy(NULL));
  EXPECT_NO_MISUSE(decc_dcap_policy_destroy(NULL));
  EXPECT_NO_MISUSE(decc_dcap_collateral_destroy(NULL));
}
