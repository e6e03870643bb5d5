/*
 * test_vault.c — the SMS vault: put/get/has/delete with the iExec update
 * rules, case-insensitive web2 names, size limit, key file permissions,
 * passphrase mode (wrong passphrase refused), persistence, slot binding
 * (a sealed value moved to another slot fails authentication), and no
 * secret readable in the files on disk (the `strings` check).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "decc/mem.h"
#include "decc/vault.h"
#include "test.h"

static decc_address addr(int n) {
  decc_address a;
  memset(a.b, n, 20);
  return a;
}

static const char SECRET[] = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";

TEST(vault_put_get_rules) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/sms", decc_test_tmpdir());
  decc_vault *v;
  decc_err err;
  ASSERT_OK(decc_vault_open(&v, dir, NULL, 0, &err));
  decc_address ds = addr(1), user = addr(2);
  ASSERT(!decc_vault_has(v, DECC_SECRET_WEB3, &ds, NULL));
  ASSERT_OK(decc_vault_put(v, DECC_SECRET_WEB3, &ds, NULL,
                           (const uint8_t *)SECRET, strlen(SECRET), 0, &err));
  ASSERT(decc_vault_has(v, DECC_SECRET_WEB3, &ds, NULL));
  /* web3 secrets are never updatable */
  ASSERT_EQ(decc_vault_put(v, DECC_SECRET_WEB3, &ds, NULL, (const uint8_t *)"x",
                           1, 0, &err),
            DECC_E_EXISTS);
  uint8_t *val;
  size_t len;
  ASSERT_OK(decc_vault_get(v, DECC_SECRET_WEB3, &ds, NULL, &val, &len, &err));
  ASSERT_EQ(len, strlen(SECRET));
  ASSERT_MEM_EQ(val, SECRET, len);
  decc_secure_free(val);
  /* web2: names are case-insensitive; update needs an existing secret */
  ASSERT_EQ(decc_vault_put(v, DECC_SECRET_WEB2, &user, "My-Key",
                           (const uint8_t *)"v1", 2, 1, &err),
            DECC_E_NOT_FOUND);
  ASSERT_OK(decc_vault_put(v, DECC_SECRET_WEB2, &user, "My-Key",
                           (const uint8_t *)"v1", 2, 0, &err));
  ASSERT(decc_vault_has(v, DECC_SECRET_WEB2, &user, "my-key"));
  ASSERT_OK(decc_vault_put(v, DECC_SECRET_WEB2, &user, "MY-KEY",
                           (const uint8_t *)"v2", 2, 1, &err));
  ASSERT_OK(
      decc_vault_get(v, DECC_SECRET_WEB2, &user, "my-key", &val, &len, &err));
  ASSERT_MEM_EQ(val, "v2", 2);
  decc_secure_free(val);
  /* kinds do not mix */
  ASSERT(!decc_vault_has(v, DECC_SECRET_REQUESTER, &user, "my-key"));
  ASSERT_EQ(
      decc_vault_get(v, DECC_SECRET_WEB2, &ds, "my-key", &val, &len, &err),
      DECC_E_NOT_FOUND);
  /* size limit: 4096 bytes */
  uint8_t *big = calloc(1, DECC_SECRET_MAX + 1);
  ASSERT_OK(decc_vault_put(v, DECC_SECRET_REQUESTER, &user, "big", big,
                           DECC_SECRET_MAX, 0, &err));
  ASSERT_EQ(decc_vault_put(v, DECC_SECRET_REQUESTER, &user, "big2", big,
                           DECC_SECRET_MAX + 1, 0, &err),
            DECC_E_LIMIT);
  free(big);
  ASSERT_OK(decc_vault_delete(v, DECC_SECRET_REQUESTER, &user, "big", &err));
  ASSERT_EQ(decc_vault_delete(v, DECC_SECRET_REQUESTER, &user, "big", &err),
            DECC_E_NOT_FOUND);
  decc_vault_close(v);
  /* persistence */
  ASSERT_OK(decc_vault_open(&v, dir, NULL, 0, &err));
  ASSERT_OK(decc_vault_get(v, DECC_SECRET_WEB3, &ds, NULL, &val, &len, &err));
  ASSERT_MEM_EQ(val, SECRET, len);
  decc_secure_free(val);
  decc_vault_close(v);
  /* key file mode */
  char kp[700];
  snprintf(kp, sizeof kp, "%s/vault.key", dir);
  struct stat st;
  ASSERT_OK(stat(kp, &st));
  ASSERT_EQ(st.st_mode & 0777, 0600);
  chmod(kp, 0644);
  ASSERT_EQ(decc_vault_open(&v, dir, NULL, 0, &err), DECC_E_DENIED);
  ASSERT(strstr(err.msg, "0600"));
  chmod(kp, 0600);
  /* no secret readable on disk */
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "cat %s/* | strings -n 6 | grep -q 'q2o3Xr4'", dir);
  ASSERT(system(cmd) != 0);
}

TEST(vault_passphrase_mode) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/sms", decc_test_tmpdir());
  decc_vault *v;
  decc_err err;
  ASSERT_OK(decc_vault_open(&v, dir, "correct horse", 13, &err));
  decc_address o = addr(3);
  ASSERT_OK(decc_vault_put(v, DECC_SECRET_APP_DEV, &o, "1",
                           (const uint8_t *)"dev-secret", 10, 0, &err));
  decc_vault_close(v);
  ASSERT_EQ(decc_vault_open(&v, dir, "wrong horse", 11, &err), DECC_E_BAD_MAC);
  ASSERT_OK(decc_vault_open(&v, dir, "correct horse", 13, &err));
  uint8_t *val;
  size_t len;
  ASSERT_OK(decc_vault_get(v, DECC_SECRET_APP_DEV, &o, "1", &val, &len, &err));
  ASSERT_MEM_EQ(val, "dev-secret", 10);
  decc_secure_free(val);
  decc_vault_close(v);
  char kp[700];
  snprintf(kp, sizeof kp, "%s/vault.key", dir);
  struct stat st;
  ASSERT(stat(kp, &st) != 0); /* no key on disk in passphrase mode */
}

TEST(vault_binds_values_to_slots) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/sms", decc_test_tmpdir());
  decc_vault *v;
  decc_err err;
  ASSERT_OK(decc_vault_open(&v, dir, NULL, 0, &err));
  decc_address a = addr(4), b = addr(5);
  ASSERT_OK(decc_vault_put(v, DECC_SECRET_WEB3, &a, NULL,
                           (const uint8_t *)"key-of-a", 8, 0, &err));
  ASSERT_OK(decc_vault_put(v, DECC_SECRET_WEB3, &b, NULL,
                           (const uint8_t *)"key-of-b", 8, 0, &err));
  decc_vault_close(v);
  /* an attacker with write access to the database swaps the records */
  char db[700];
  snprintf(db, sizeof db, "%s/secrets.sqlite", dir);
  sqlite3 *h;
  ASSERT_EQ(sqlite3_open(db, &h), SQLITE_OK);
  char *e = NULL;
  ASSERT_EQ(
      sqlite3_exec(h,
                   "UPDATE secrets SET "
                   "owner=X'0000000000000000000000000000000000000000' WHERE "
                   "owner=X'0505050505050505050505050505050505050505';"
                   "UPDATE secrets SET "
                   "owner=X'0505050505050505050505050505050505050505' WHERE "
                   "owner=X'0404040404040404040404040404040404040404';",
                   NULL, NULL, &e),
      SQLITE_OK);
  sqlite3_close(h);
  ASSERT_OK(decc_vault_open(&v, dir, NULL, 0, &err));
  uint8_t *val;
  size_t len;
  ASSERT_EQ(decc_vault_get(v, DECC_SECRET_WEB3, &b, NULL, &val, &len, &err),
            DECC_E_BAD_MAC);
  decc_vault_close(v);
}
