/*
 * test_ledger_ckpt.c — WAL checkpoints on their own thread (lib/ledger/
 * ckpt.c), on a file ledger with a small threshold:
 *  - the thread runs them (its count rises; the hook runs none inline),
 *    the WAL stays bounded where the same blocks without checkpoints grow
 *    it several times over, and the history verifies and survives a
 *    reopen;
 *  - while a reader holds an old snapshot the WAL cannot start over, so it
 *    grows past four times the threshold and the committing thread
 *    checkpoints too; once the reader is gone, blocks go on and verify;
 *  - the checkpoint thread runs LDG_CKPT_NICE lower than the process
 *    (its nice value, read from /proc);
 *  - the pages a checkpoint copies into the database file reach it in
 *    fewer write calls than pages (walbuf.c gathers contiguous ones), and
 *    a connection through the default VFS, opened while the ledger runs
 *    and again after it closed, finds an intact file with every block.
 * Also run under ThreadSanitizer (tools/tsan.sh).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

static long long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void file_ledger(decc_ledger **l, const char *name, char *path,
                        size_t cap) {
  *l = NULL;
  snprintf(path, cap, "%s/%s", decc_test_tmpdir(), name);
  decc_genesis g;
  ASSERT_OK(decc_genesis_default(&g));
  ASSERT_OK(decc_ledger_init(path, &g, NULL));
  decc_genesis_clear(&g);
  ASSERT_OK(decc_ledger_open(l, path, NULL));
}

TEST(checkpoints_run_on_their_own_thread_and_bound_the_wal) {
  char path[512], wal[540], path2[512], wal2[540];
  decc_ledger *l, *u;
  file_ledger(&l, "ck.sqlite", path, sizeof path);
  file_ledger(&u, "nock.sqlite", path2, sizeof path2);
  if (!l || !u)
    return;
  snprintf(wal, sizeof wal, "%s-wal", path);
  snprintf(wal2, sizeof wal2, "%s-wal", path2);
  ldg_ckpt_set_threshold(l, 32);
  ldg_ckpt_set_threshold(u, 1u << 30); /* never */
  long long db0 = file_size(path);
  for (unsigned b = 0; b < 60; b++) {
    ASSERT_EQ(ldg_t_transfer_block(l, 0x5a, b, 20), 0);
    ASSERT_EQ(ldg_t_transfer_block(u, 0x5a, b, 20), 0);
    /* as a busy node would: the next block comes after the checkpoint
     * had time to run (under valgrind or TSan it is slow) */
    uint64_t runs, inl;
    ldg_ckpt_stats(l, 1, &runs, &inl);
  }
  uint64_t runs, inl, runs_u, inl_u;
  ldg_ckpt_stats(l, 1, &runs, &inl);
  ldg_ckpt_stats(u, 1, &runs_u, &inl_u);
  ASSERT(runs >= 5);
  ASSERT_EQ(inl, 0u);
  ASSERT_EQ(runs_u + inl_u, 0u);
  long long w = file_size(wal), w2 = file_size(wal2);
  /* copied into the database file by the thread, the WAL started over */
  ASSERT(file_size(path) > db0);
  ASSERT(w > 0 && w2 > 0);
  fprintf(stderr,
          "# WAL %lld bytes with checkpoints every 32 pages, %lld without "
          "(%llu run(s))\n",
          w, w2, (unsigned long long)runs);
  ASSERT(w * 4 < w2);
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, 60u * 20u);
  decc_ledger_close(l);
  decc_ledger_close(u);
  /* the last close folded the WAL in; everything is still there */
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  ASSERT_EQ(info.head_number, 60u);
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, 60u * 20u);
  decc_ledger_close(l);
}

TEST(a_reader_on_an_old_snapshot_makes_the_committer_checkpoint_too) {
  char path[512];
  decc_ledger *l;
  file_ledger(&l, "rd.sqlite", path, sizeof path);
  if (!l)
    return;
  ldg_ckpt_set_threshold(l, 16);
  ASSERT_EQ(ldg_t_transfer_block(l, 0x5a, 0, 20), 0);
  /* a reader in another connection keeps its snapshot open */
  sqlite3 *rd;
  ASSERT_EQ(sqlite3_open_v2(path, &rd, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(rd, "BEGIN; SELECT count(*) FROM blocks;", NULL, NULL, NULL),
      SQLITE_OK);
  for (unsigned b = 1; b < 40; b++) {
    ASSERT_EQ(ldg_t_transfer_block(l, 0x5a, b, 20), 0);
    uint64_t runs, inl;
    ldg_ckpt_stats(l, 1, &runs, &inl);
  }
  uint64_t runs, inl;
  ldg_ckpt_stats(l, 1, &runs, &inl);
  ASSERT(inl > 0);
  ASSERT_EQ(sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(rd);
  for (unsigned b = 40; b < 50; b++)
    ASSERT_EQ(ldg_t_transfer_block(l, 0x5a, b, 20), 0);
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, 50u * 20u);
  decc_ledger_close(l);
}

/* integrity_check and the number of txs rows, through the default VFS */
static long long plain_txs(const char *path) {
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  long long n = -1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) ==
          SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW &&
      strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0) {
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM txs", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

TEST(checkpoint_pages_reach_the_file_in_few_writes) {
  char path[512];
  decc_ledger *l;
  file_ledger(&l, "ckw.sqlite", path, sizeof path);
  if (!l)
    return;
  ldg_ckpt_set_threshold(l, 64);
  uint64_t w0, f0, w1, f1, runs, inl;
  ldg_walbuf_db_stats(&w0, &f0);
  for (unsigned b = 0; b < 40; b++) {
    ASSERT_EQ(ldg_t_transfer_block(l, 0x3c, b, 50), 0);
    ldg_ckpt_stats(l, 1, &runs, &inl); /* waits for the checkpoint */
  }
  ldg_walbuf_db_stats(&w1, &f1);
  ASSERT(runs >= 3);
  fprintf(stderr, "# checkpoints: %llu page writes in %llu write calls\n",
          (unsigned long long)(w1 - w0), (unsigned long long)(f1 - f0));
  ASSERT(w1 - w0 >= 100);
  ASSERT((f1 - f0) * 2 <= w1 - w0);
  /* another connection, default VFS, while the ledger is open */
  ASSERT_EQ(plain_txs(path), 40 * 50);
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, 40u * 50u);
  decc_ledger_close(l); /* the last checkpoint, through the buffer too */
  ASSERT_EQ(plain_txs(path), 40 * 50);
}

/* The nice value of thread tid of this process (field 19 of its stat
 * line, after the parenthesised name); -100 when it cannot be read. */
static int thread_nice(pid_t tid) {
  char p[64], line[1024];
  snprintf(p, sizeof p, "/proc/self/task/%d/stat", (int)tid);
  FILE *f = fopen(p, "r");
  if (!f)
    return -100;
  size_t n = fread(line, 1, sizeof line - 1, f);
  fclose(f);
  line[n] = 0;
  const char *q = strrchr(line, ')');
  int nice = -100, field = 2;
  for (; q && *q && field < 19; q++)
    if (*q == ' ')
      field++;
  if (q && field == 19)
    sscanf(q, "%d", &nice);
  return nice;
}

TEST(the_checkpoint_thread_runs_at_a_lower_priority) {
  char path[512];
  decc_ledger *l;
  file_ledger(&l, "nice.sqlite", path, sizeof path);
  if (!l)
    return;
  ASSERT_EQ(ldg_ckpt_tid(l), 0); /* not started before a checkpoint */
  ldg_ckpt_set_threshold(l, 8);
  uint64_t runs = 0, inl = 0;
  for (unsigned b = 0; b < 6 && !runs; b++) {
    ASSERT_EQ(ldg_t_transfer_block(l, 0x6b, b, 20), 0);
    ldg_ckpt_stats(l, 1, &runs, &inl);
  }
  ASSERT(runs > 0);
  pid_t tid = ldg_ckpt_tid(l);
  ASSERT(tid > 0);
  errno = 0;
  int base = getpriority(PRIO_PROCESS, 0);
  ASSERT(!(base == -1 && errno));
  int want = base + LDG_CKPT_NICE > 19 ? 19 : base + LDG_CKPT_NICE;
  ASSERT_EQ(thread_nice(tid), want);
  ASSERT_EQ(thread_nice(getpid()), base); /* the process is left alone */
  decc_ledger_close(l);
}
