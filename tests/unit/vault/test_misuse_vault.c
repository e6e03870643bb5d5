/*
 * test_misuse_vault.c — the entry checks of vault.h's public functions: a
 * NULL vault, directory, owner or output, or a NULL value with a length,
 * is reported to the misuse handler by the function called, which returns
 * its documented failure value (DECC_E_INVALID, or 0 for decc_vault_has
 * and decc_vault_read_begin)
 * without crashing; the permitted NULLs (a web3 secret's name, no
 * passphrase, an empty value, no err, closing NULL) are not reported and
 * still work.
 */
#include <string.h>

#include "decc/mem.h"
#include "decc/vault.h"
#include "misuse_check.h"

TEST(misuse_vault) {
  MISUSE_BEGIN();
  char dir[600];
  snprintf(dir, sizeof dir, "%s/vault", decc_test_tmpdir());
  decc_vault *v = NULL;
  decc_address ds;
  memset(ds.b, 7, sizeof ds.b);
  uint8_t *val = NULL, buf[64];
  size_t len = 0;

  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_open, NULL, dir, NULL, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_open, &v, NULL, NULL, 0, NULL);
  ASSERT(v == NULL);
  /* no passphrase (key file) and no err are permitted */
  EXPECT_OK_NO_MISUSE(decc_vault_open(&v, dir, NULL, 0, NULL));

  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_put, NULL, DECC_SECRET_WEB3, &ds,
                NULL, (const uint8_t *)"k", 1, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_put, v, DECC_SECRET_WEB3, NULL, NULL,
                (const uint8_t *)"k", 1, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_put, v, DECC_SECRET_WEB3, &ds, NULL,
                NULL, 1, 0, NULL);
  ASSERT_STR_EQ(g_misuse.what, "value != NULL || len == 0");
  /* nothing was stored by the refused calls */
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_vault_has(v, DECC_SECRET_WEB3, &ds, NULL), 0));
  EXPECT_MISUSE(0, decc_vault_has, NULL, DECC_SECRET_WEB3, &ds, NULL);
  EXPECT_MISUSE(0, decc_vault_has, v, DECC_SECRET_WEB3, NULL, NULL);
  /* a NULL vault holds nothing; ending a hold of NULL is a no-op */
  EXPECT_MISUSE(0, decc_vault_read_begin, NULL);
  EXPECT_NO_MISUSE(decc_vault_read_end(NULL));

  /* an empty value given as NULL, and a NULL (web3) name, are permitted */
  EXPECT_OK_NO_MISUSE(
      decc_vault_put(v, DECC_SECRET_WEB2, &ds, "empty", NULL, 0, 0, NULL));
  EXPECT_OK_NO_MISUSE(decc_vault_put(v, DECC_SECRET_WEB3, &ds, NULL,
                                     (const uint8_t *)"key", 3, 0, NULL));
  EXPECT_NO_MISUSE(
      ASSERT_EQ(decc_vault_has(v, DECC_SECRET_WEB3, &ds, NULL), 1));

  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_get, NULL, DECC_SECRET_WEB3, &ds,
                NULL, &val, &len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_get, v, DECC_SECRET_WEB3, NULL, NULL,
                &val, &len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_get, v, DECC_SECRET_WEB3, &ds, NULL,
                NULL, &len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_get, v, DECC_SECRET_WEB3, &ds, NULL,
                &val, NULL, NULL);
  EXPECT_OK_NO_MISUSE(
      decc_vault_get(v, DECC_SECRET_WEB3, &ds, NULL, &val, &len, NULL));
  ASSERT_EQ(len, 3);
  ASSERT_MEM_EQ(val, "key", 3);
  decc_secure_free(val);

  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_get_into, NULL, DECC_SECRET_WEB3,
                &ds, NULL, buf, sizeof buf, &len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_get_into, v, DECC_SECRET_WEB3, NULL,
                NULL, buf, sizeof buf, &len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_get_into, v, DECC_SECRET_WEB3, &ds,
                NULL, NULL, sizeof buf, &len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_get_into, v, DECC_SECRET_WEB3, &ds,
                NULL, buf, sizeof buf, NULL, NULL);
  len = 0;
  EXPECT_OK_NO_MISUSE(decc_vault_get_into(v, DECC_SECRET_WEB3, &ds, NULL, buf,
                                          sizeof buf, &len, NULL));
  ASSERT_EQ(len, 3);
  ASSERT_MEM_EQ(buf, "key", 3);

  decc_address owner;
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_find_owner, NULL, DECC_SECRET_WEB2,
                "empty", &owner, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_find_owner, v, DECC_SECRET_WEB2,
                "empty", NULL, NULL);
  EXPECT_OK_NO_MISUSE(
      decc_vault_find_owner(v, DECC_SECRET_WEB2, "empty", &owner, NULL));
  ASSERT_MEM_EQ(owner.b, ds.b, 20);

  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_delete, NULL, DECC_SECRET_WEB3, &ds,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_vault_delete, v, DECC_SECRET_WEB3, NULL,
                NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_vault_delete(v, DECC_SECRET_WEB3, &ds, NULL, NULL));

  EXPECT_NO_MISUSE(decc_vault_close(v));
  EXPECT_NO_MISUSE(decc_vault_close(NULL));
}
