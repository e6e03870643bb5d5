/*
 * test_misuse_provenance.c — the entry checks of provenance.h's public
 * functions: a NULL required pointer (or NULL data with a length) is
 * reported to the misuse handler by the function called, which returns
 * DECC_E_INVALID (or at once when void) without crashing or touching its
 * other arguments; the permitted NULLs (no options, no err, clear(NULL))
 * are not reported.
 */
#include <string.h>

#include "decc/mem.h"
#include "decc/provenance.h"
#include "misuse_check.h"

TEST(misuse_provenance) {
  MISUSE_BEGIN();
  decc_prov_bundle b;
  decc_prov_report rep;
  char *json = NULL;
  uint8_t id[32] = {1}, out[32];
  int fake_chain; /* never dereferenced: the checks come first */
  decc_chain *c = (decc_chain *)&fake_chain;

  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_bundle_init, NULL);
  ASSERT_OK(decc_prov_bundle_init(&b));
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_collect, NULL, c, "src", id, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_collect, &b, NULL, "src", id, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_collect, &b, c, "src", NULL, NULL);
  EXPECT_MISUSE_VOID(decc_prov_set_result_file, NULL, id, 32);
  EXPECT_MISUSE_VOID(decc_prov_set_result_file, &b, NULL, 32);
  ASSERT_EQ(b.has_result_file, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_to_json, NULL, &b);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_to_json, &json, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_from_json, NULL, "{}", 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_from_json, &b, NULL, 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_verify, NULL, NULL, &rep, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_verify, &b, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_zip_result_digest, NULL, id, 32,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_prov_zip_result_digest, out, NULL, 32,
                NULL);

  /* The bundle is intact: it serialises and reads back (no misuse). */
  EXPECT_NO_MISUSE(decc_prov_set_result_file(&b, NULL, 0));
  ASSERT_EQ(b.has_result_file, 1);
  EXPECT_OK_NO_MISUSE(decc_prov_to_json(&json, &b));
  decc_prov_bundle back; /* from_json initialises it */
  EXPECT_OK_NO_MISUSE(decc_prov_from_json(&back, json, strlen(json), NULL));
  decc_free(json);
  EXPECT_NO_MISUSE(decc_prov_bundle_clear(NULL));
  decc_prov_bundle_clear(&back);
  decc_prov_bundle_clear(&b);
}
