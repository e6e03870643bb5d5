/*
 * test_ledger_walbuf.c — a file ledger's WAL frames gathered into a few
 * large writes (lib/ledger/walbuf.c):
 *  - a block's frames reach the file in far fewer write calls than SQLite
 *    asks for, and every committed block is visible at once to another
 *    connection that uses SQLite's default VFS (SQLite publishes frames
 *    only after the commit frame, which is when the buffer is written);
 *  - a block too large for a tiny page cache spills pages into the WAL
 *    before its commit and reads them back while the frames may still be
 *    in the buffer: the read writes the buffer first, and the chain built
 *    this way verifies and has the state of the same blocks on a memory
 *    ledger;
 *  - with synchronous=NORMAL (no sync at commit) the buffer is still
 *    written at the commit frame: another connection reads each block's
 *    rows right after its commit;
 *  - the file survives a close and a reopen with its history intact.
 * test_ledger_crash (kill -9 of writers) also runs through this VFS.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

static void file_ledger(decc_ledger **l, const char *name, char *path,
                        size_t cap) {
  *l = NULL;
  snprintf(path, cap, "%s/%s", decc_test_tmpdir(), name);
  decc_genesis g;
  ASSERT_OK(decc_genesis_default(&g));
  g.timestamp = 1700000000;
  ASSERT_OK(decc_ledger_init(path, &g, NULL));
  decc_genesis_clear(&g);
  ASSERT_OK(decc_ledger_open(l, path, NULL));
}

static long long count_blocks(sqlite3 *db) {
  sqlite3_stmt *st;
  long long n = -1;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM blocks", -1, &st, NULL) ==
      SQLITE_OK) {
    if (sqlite3_step(st) == SQLITE_ROW)
      n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
  }
  return n;
}

TEST(frames_gathered_and_visible_at_commit) {
  ASSERT(ldg_walbuf_vfs() != NULL);
  char path[512];
  decc_ledger *l;
  file_ledger(&l, "wb.sqlite", path, sizeof path);
  ASSERT(l != NULL);
  sqlite3 *other;
  ASSERT_EQ(sqlite3_open_v2(path, &other, SQLITE_OPEN_READONLY, NULL),
            SQLITE_OK); /* the default VFS */
  long long base = count_blocks(other);
  ASSERT(base >= 1);
  uint64_t w0, f0, r0, w1, f1, r1;
  for (unsigned b = 0; b < 5; b++) {
    ldg_walbuf_stats(&w0, &f0, &r0);
    ASSERT_EQ(ldg_t_transfer_block(l, 0x3c, b, 200), 0);
    ldg_walbuf_stats(&w1, &f1, &r1);
    /* committed: the other connection sees it now */
    ASSERT_EQ(count_blocks(other), base + b + 1);
    /* two writes asked per frame (header, page); a few 64 KiB pieces
     * made of them */
    ASSERT(w1 - w0 >= 20);
    ASSERT(f1 - f0 >= 1);
    ASSERT((f1 - f0) * 8 <= w1 - w0);
  }
  sqlite3_close(other);
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  decc_ledger_close(l);
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.blocks, (uint64_t)(base - 1 + 5));
  decc_ledger_close(l);
}

TEST(pages_spilled_before_commit_read_back_through_the_buffer) {
  char path[512];
  decc_ledger *l;
  file_ledger(&l, "spill.sqlite", path, sizeof path);
  ASSERT(l != NULL);
  decc_ledger *m = mem_ledger();
  ASSERT(m != NULL);
  /* a page cache of 16 pages: a block of 400 transfers dirties far more,
   * so SQLite writes some to the WAL mid-transaction and reads them back */
  ASSERT_EQ(sqlite3_exec(l->db, "PRAGMA cache_size=16", NULL, NULL, NULL),
            SQLITE_OK);
  uint64_t w0, f0, r0, w1, f1, r1;
  ldg_walbuf_stats(&w0, &f0, &r0);
  for (unsigned b = 0; b < 3; b++) {
    ASSERT_EQ(ldg_t_transfer_block(l, 0x3c, b, 400), 0);
    ASSERT_EQ(ldg_t_transfer_block(m, 0x3c, b, 400), 0);
  }
  ldg_walbuf_stats(&w1, &f1, &r1);
  ASSERT(r1 > r0); /* frames were read back from the buffer's range */
  uint8_t hl[32], hm[32];
  ASSERT_OK(decc_ledger_state_hash(l, hl, NULL));
  ASSERT_OK(decc_ledger_state_hash(m, hm, NULL));
  ASSERT_MEM_EQ(hl, hm, 32);
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  decc_ledger_close(l);
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  ASSERT_OK(decc_ledger_state_hash(l, hl, NULL));
  ASSERT_MEM_EQ(hl, hm, 32);
  decc_ledger_close(l);
  decc_ledger_close(m);
}

TEST(commit_frame_written_without_a_sync) {
  char path[512];
  decc_ledger *l;
  file_ledger(&l, "nosync.sqlite", path, sizeof path);
  ASSERT(l != NULL);
  /* no xSync at commit: only the commit frame's flush puts the frames in
   * the file before SQLite publishes them */
  ASSERT_EQ(sqlite3_exec(l->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL),
            SQLITE_OK);
  sqlite3 *other;
  ASSERT_EQ(sqlite3_open_v2(path, &other, SQLITE_OPEN_READONLY, NULL),
            SQLITE_OK);
  long long base = count_blocks(other);
  for (unsigned b = 0; b < 4; b++) {
    ASSERT_EQ(ldg_t_transfer_block(l, 0x3c, 100 + b, 150), 0);
    ASSERT_EQ(count_blocks(other), base + b + 1);
    sqlite3_stmt *st;
    ASSERT_EQ(sqlite3_prepare_v2(other,
                                 "SELECT count(*) FROM txs WHERE block=(SELECT "
                                 "max(number) FROM blocks)",
                                 -1, &st, NULL),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    ASSERT_EQ(sqlite3_column_int(st, 0), 150);
    sqlite3_finalize(st);
  }
  sqlite3_close(other);
  decc_ledger_close(l);
}
