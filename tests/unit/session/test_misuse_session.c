/*
 * test_misuse_session.c — the entry checks of session.h's public functions:
 * a NULL required pointer, or a count set without its array, is reported
 * to the misuse handler by the function called, which returns its
 * documented failure value (DECC_E_INVALID, NULL or 0) without crashing;
 * the permitted NULLs (empty text, no suffix, no source) are not reported
 * and still work.
 */
#include <string.h>

#include "decc/buf.h"
#include "decc/session.h"
#include "misuse_check.h"

TEST(misuse_session) {
  MISUSE_BEGIN();
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_session s;
  memset(&s, 0, sizeof s);
  decc_deal_params p;
  char name[DECC_SESSION_ENV_NAME_MAX];

  EXPECT_MISUSE_NULL(decc_session_env_name, NULL, "IEXEC_", 1, NULL);
  EXPECT_MISUSE_NULL(decc_session_env_name, name, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_deal_params_parse, NULL, "{}", 2, 100, 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_deal_params_parse, &p, NULL, 2, 100, 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_write, NULL, &s, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_write, &b, NULL, NULL);
  s.n_bulk = 2; /* a count without its array */
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_write, &b, &s, NULL);
  ASSERT_STR_EQ(g_misuse.what, "s->n_bulk == 0 || s->bulk_datasets != NULL");
  s.n_bulk = 0;
  s.n_secrets = 1;
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_write, &b, &s, NULL);
  s.n_secrets = 0;
  s.n_input_files = 1;
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_write, &b, &s, NULL);
  s.n_input_files = 0;
  ASSERT_EQ(b.len, 0); /* nothing written by the refused calls */
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_parse, NULL, "{}", 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_parse, &s, NULL, 2, NULL);
  EXPECT_MISUSE(0, decc_session_text_ok, NULL, 3);
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_json_str, NULL, "a", 1);
  EXPECT_MISUSE(DECC_E_INVALID, decc_session_json_str, &b, NULL, 1);

  /* Permitted: no suffix, empty text, an empty session without source. */
  EXPECT_NO_MISUSE(
      ASSERT_STR_EQ(decc_session_env_name(name, "IEXEC_DATASET_", 2, NULL),
                    "IEXEC_DATASET_2"));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_session_text_ok(NULL, 0), 1));
  EXPECT_OK_NO_MISUSE(decc_session_json_str(&b, NULL, 0));
  ASSERT_EQ(b.len, 2);
  ASSERT_MEM_EQ(b.data, "\"\"", 2);
  b.len = 0;
  EXPECT_OK_NO_MISUSE(decc_session_write(&b, &s, NULL));
  ASSERT(b.len > 0);
  decc_buf_clear(&b);
}
