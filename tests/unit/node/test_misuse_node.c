/*
 * test_misuse_node.c — the entry checks of node.h's public functions: a
 * NULL required pointer is reported to the misuse handler by the function
 * called, which returns its documented failure value (DECC_E_INVALID, 0,
 * or at once for a void function) without crashing; the permitted NULLs
 * (err, the log callback, the applied count, the no-op destroy) are not
 * reported and still work, and a configuration without home stays an
 * ordinary error.
 */
#include <string.h>

#include "decc/mem.h"
#include "decc/node.h"
#include "misuse_check.h"

TEST(misuse_node_config) {
  MISUSE_BEGIN();
  decc_node_config c;
  unsigned mask = 0;
  char *json = (char *)"untouched";
  EXPECT_MISUSE_VOID(decc_node_config_init, NULL);
  EXPECT_MISUSE_VOID(decc_node_config_clear, NULL);
  EXPECT_NO_MISUSE(decc_node_config_init(&c));
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_set, NULL, "port", "1", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_set, &c, NULL, "1", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_set, &c, "port", NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_load_json, NULL, "{}", 2,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_load_json, &c, NULL, 2, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_load_file, NULL, "/x.json",
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_load_file, &c, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_load_env, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_to_json, NULL, &c);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_config_to_json, &json, NULL);
  ASSERT_STR_EQ(json, "untouched");
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_roles_parse, NULL, "chain", NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_roles_parse, &mask, NULL, NULL);
  ASSERT_EQ(mask, 0);
  ASSERT_EQ(c.port, DECC_NODE_DEFAULT_PORT); /* the refused sets did nothing */

  /* Permitted: a NULL err everywhere; a NULL-length JSON text. */
  EXPECT_OK_NO_MISUSE(decc_node_config_set(&c, "port", "4321", NULL));
  ASSERT_EQ(c.port, 4321);
  EXPECT_OK_NO_MISUSE(
      decc_node_config_load_json(&c, "{\"threads\":3}", 13, NULL));
  ASSERT_EQ(c.threads, 3);
  EXPECT_OK_NO_MISUSE(decc_node_roles_parse(&mask, "chain,store", NULL));
  ASSERT(mask != 0);
  EXPECT_NO_MISUSE(ASSERT(decc_node_config_key(0) != NULL));
  EXPECT_OK_NO_MISUSE(decc_node_config_to_json(&json, &c));
  ASSERT(strstr(json, "4321") != NULL);
  decc_free(json);
  /* An unknown key is an ordinary error, not misuse. */
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_node_config_set(&c, "no_such_key", "1", NULL),
                             DECC_E_NOT_FOUND));
  EXPECT_NO_MISUSE(decc_node_config_clear(&c));
}

TEST(misuse_node) {
  MISUSE_BEGIN();
  decc_node_config c;
  decc_node_config_init(&c);
  decc_node *n = (decc_node *)&c; /* a value the refused create must keep */
  decc_err e;
  size_t applied = 7;
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_create, NULL, &c, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_create, &n, NULL, NULL, NULL, NULL);
  ASSERT(n == (decc_node *)&c);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_start, NULL, NULL);
  EXPECT_MISUSE(0, decc_node_port, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_node_market_sync, NULL, &applied, NULL);
  ASSERT_EQ(applied, 7);

  /* Permitted: the no-op destroy; a configuration without home is an
   * ordinary error with its message, not misuse. */
  EXPECT_NO_MISUSE(decc_node_destroy(NULL));
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_node_create(&n, &c, NULL, NULL, &e), DECC_E_INVALID));
  ASSERT(n == NULL);
  ASSERT(strstr(e.msg, "home") != NULL);
  decc_node_config_clear(&c);
}
