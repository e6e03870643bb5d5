/*
 * test_vault.c — the SMS vault: put/get/has/delete with the iExec update
 * rules, case-insensitive web2 names, size limit, key file permissions,
 * passphrase mode (wrong passphrase refused), persistence, slot binding
 * (a sealed value moved to another slot fails authentication), and no
 * secret readable in the files on disk (the `strings` check), and reads
 * on the read connections from several threads while another thread
 * writes: each read sees every write committed before it began.
 */
#include <pthread.h>
#include <sched.h>
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

/* Readers on five threads (more than the pool's connections) while the
 * main thread writes secret i and publishes i: a reader that saw i
 * published must find secret i with its value, and a deleted secret must
 * be gone for every read that starts after the delete returned. */
typedef struct rd_job {
  decc_vault *v;
  volatile int *published; /* highest secret written, -1 none */
  volatile int *deleted;   /* secret 0 deleted */
  volatile int *stop;
  int bad;
  long reads;
} rd_job;

static void *reader(void *arg) {
  rd_job *j = arg;
  decc_address o = addr(9);
  unsigned seed = 7;
  while (!__atomic_load_n(j->stop, __ATOMIC_ACQUIRE)) {
    int top = __atomic_load_n(j->published, __ATOMIC_ACQUIRE);
    int gone = __atomic_load_n(j->deleted, __ATOMIC_ACQUIRE);
    if (top < 0) {
      sched_yield();
      continue;
    }
    int i = (int)((unsigned)rand_r(&seed) % ((unsigned)top + 1u));
    char name[32], want[32];
    snprintf(name, sizeof name, "s%d", i);
    snprintf(want, sizeof want, "value-%d", i);
    uint8_t buf[64];
    size_t n = 0;
    decc_status st = decc_vault_get_into(j->v, DECC_SECRET_WEB2, &o, name, buf,
                                         sizeof buf, &n, NULL);
    if (i == 0 && gone) {
      if (st != DECC_E_NOT_FOUND)
        j->bad++;
    } else if (i != 0 &&
               (st != DECC_OK || n != strlen(want) || memcmp(buf, want, n) ||
                !decc_vault_has(j->v, DECC_SECRET_WEB2, &o, name))) {
      j->bad++;
    }
    j->reads++;
    sched_yield(); /* the writer runs too where threads take turns (valgrind) */
  }
  return NULL;
}

TEST(vault_concurrent_reads_see_committed_writes) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/smsc", decc_test_tmpdir());
  decc_vault *v;
  ASSERT_OK(decc_vault_open(&v, dir, NULL, 0, NULL));
  volatile int published = -1, deleted = 0, stop = 0;
  rd_job jobs[5];
  pthread_t th[5];
  for (int k = 0; k < 5; k++) {
    jobs[k] = (rd_job){v, &published, &deleted, &stop, 0, 0};
    ASSERT_EQ(pthread_create(&th[k], NULL, reader, &jobs[k]), 0);
  }
  decc_address o = addr(9);
  for (int i = 0; i < 64; i++) {
    char name[32], val[32];
    snprintf(name, sizeof name, "s%d", i);
    snprintf(val, sizeof val, "value-%d", i);
    ASSERT_OK(decc_vault_put(v, DECC_SECRET_WEB2, &o, name,
                             (const uint8_t *)val, strlen(val), 0, NULL));
    __atomic_store_n(&published, i, __ATOMIC_RELEASE);
    if (i == 32) {
      ASSERT_OK(decc_vault_delete(v, DECC_SECRET_WEB2, &o, "s0", NULL));
      __atomic_store_n(&deleted, 1, __ATOMIC_RELEASE);
    }
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  long reads = 0;
  for (int k = 0; k < 5; k++) {
    pthread_join(th[k], NULL);
    ASSERT_EQ(jobs[k].bad, 0);
    reads += jobs[k].reads;
  }
  ASSERT(reads > 0);
  decc_address found;
  ASSERT_OK(decc_vault_find_owner(v, DECC_SECRET_WEB2, "s7", &found, NULL));
  ASSERT(decc_address_eq(&found, &o));
  decc_vault_close(v);
}

/* Reads a web2 secret of owner addr(9) as a string ("" when absent). */
static const char *get9(decc_vault *v, const char *name, char *buf,
                        size_t cap) {
  decc_address o = addr(9);
  size_t n = 0;
  if (decc_vault_get_into(v, DECC_SECRET_WEB2, &o, name, (uint8_t *)buf, cap,
                          &n, NULL) != DECC_OK)
    buf[0] = 0;
  return buf;
}

static void put9(decc_vault *v, const char *name, const char *val) {
  decc_address o = addr(9);
  ASSERT_OK(decc_vault_put(v, DECC_SECRET_WEB2, &o, name, (const uint8_t *)val,
                           strlen(val), 2, NULL));
}

TEST(vault_read_hold_is_one_snapshot) {
  char dir[600], dir2[600], b[64];
  snprintf(dir, sizeof dir, "%s/smsh", decc_test_tmpdir());
  snprintf(dir2, sizeof dir2, "%s/smsh2", decc_test_tmpdir());
  decc_vault *v, *v2;
  ASSERT_OK(decc_vault_open(&v, dir, NULL, 0, NULL));
  ASSERT_OK(decc_vault_open(&v2, dir2, NULL, 0, NULL));
  decc_address o = addr(9), found;
  put9(v, "s1", "a");
  ASSERT_EQ(decc_vault_read_begin(v), 1);
  ASSERT_STR_EQ(get9(v, "s1", b, sizeof b), "a"); /* the snapshot starts */
  /* writes still go through (the writing connection), unseen meanwhile */
  put9(v, "s1", "b");
  put9(v, "s2", "c");
  ASSERT_STR_EQ(get9(v, "s1", b, sizeof b), "a");
  ASSERT(!decc_vault_has(v, DECC_SECRET_WEB2, &o, "s2"));
  ASSERT_EQ(decc_vault_find_owner(v, DECC_SECRET_WEB2, "s2", &found, NULL),
            DECC_E_NOT_FOUND);
  /* nested: the inner end keeps the hold */
  ASSERT_EQ(decc_vault_read_begin(v), 1);
  decc_vault_read_end(v);
  ASSERT_STR_EQ(get9(v, "s1", b, sizeof b), "a");
  /* one hold per thread: another vault is read one statement at a time */
  ASSERT_EQ(decc_vault_read_begin(v2), 0);
  put9(v2, "t", "v2");
  ASSERT_STR_EQ(get9(v2, "t", b, sizeof b), "v2");
  decc_vault_read_end(v2); /* holds nothing of v2: no-op */
  ASSERT_STR_EQ(get9(v, "s1", b, sizeof b), "a");
  decc_vault_read_end(v);
  /* after the end, every committed write is seen */
  ASSERT_STR_EQ(get9(v, "s1", b, sizeof b), "b");
  ASSERT_STR_EQ(get9(v, "s2", b, sizeof b), "c");
  ASSERT_OK(decc_vault_find_owner(v, DECC_SECRET_WEB2, "s2", &found, NULL));
  decc_vault_read_end(v); /* unbalanced end: no-op */
  ASSERT_STR_EQ(get9(v, "s1", b, sizeof b), "b");
  /* a hold ended on this thread frees its connection for another one */
  ASSERT_EQ(decc_vault_read_begin(v2), 1);
  decc_vault_read_end(v2);
  decc_vault_close(v2);
  decc_vault_close(v);
}

typedef struct hold_job {
  decc_vault *v;
  pthread_barrier_t *held, *release;
  int got;
  char seen[16];
} hold_job;

static void *holder(void *arg) {
  hold_job *j = arg;
  __atomic_store_n(&j->got, decc_vault_read_begin(j->v), __ATOMIC_RELEASE);
  pthread_barrier_wait(j->held);
  /* a holder reads on its own connection; the refused thread's read must
   * wait for a free one, so it reads after the holders let theirs go */
  if (j->got)
    get9(j->v, "s1", j->seen, sizeof j->seen);
  pthread_barrier_wait(j->release);
  decc_vault_read_end(j->v);
  if (!j->got)
    get9(j->v, "s1", j->seen, sizeof j->seen);
  return NULL;
}

/* The pool has eight read connections (vault.c, one per handler thread
 * of `decc node`): a ninth concurrent hold is refused, and its thread
 * still reads (once a connection is free). */
TEST(vault_read_hold_when_every_reader_is_taken) {
  enum { N = 9 };
  char dir[600], b[64];
  snprintf(dir, sizeof dir, "%s/smsh3", decc_test_tmpdir());
  decc_vault *v;
  ASSERT_OK(decc_vault_open(&v, dir, NULL, 0, NULL));
  put9(v, "s1", "x");
  pthread_barrier_t held, release;
  pthread_barrier_init(&held, NULL, N + 1);
  pthread_barrier_init(&release, NULL, N + 1);
  hold_job jobs[N];
  pthread_t th[N];
  /* one at a time, so that exactly the first eight find a free one */
  for (int k = 0; k < N; k++) {
    jobs[k] = (hold_job){v, &held, &release, -1, {0}};
    ASSERT_EQ(pthread_create(&th[k], NULL, holder, &jobs[k]), 0);
    while (__atomic_load_n(&jobs[k].got, __ATOMIC_ACQUIRE) < 0)
      sched_yield();
  }
  pthread_barrier_wait(&held);
  pthread_barrier_wait(&release);
  int holds = 0;
  for (int k = 0; k < N; k++) {
    pthread_join(th[k], NULL);
    holds += jobs[k].got;
    ASSERT_STR_EQ(jobs[k].seen, "x");
  }
  ASSERT_EQ(holds, N - 1);
  ASSERT_EQ(jobs[N - 1].got, 0);
  ASSERT_EQ(decc_vault_read_begin(v), 1); /* all given back */
  ASSERT_STR_EQ(get9(v, "s1", b, sizeof b), "x");
  decc_vault_read_end(v);
  pthread_barrier_destroy(&held);
  pthread_barrier_destroy(&release);
  decc_vault_close(v);
}
