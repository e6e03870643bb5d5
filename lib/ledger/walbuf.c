/*
 * walbuf.c — a SQLite VFS that gathers a transaction's WAL frames into
 * a few large writes.
 *
 * Why: SQLite writes each WAL frame as two write calls, its 24-byte header
 * and its page, so a block of 100 task life cycles (~330 pages) cost ~660
 * `pwrite` system calls before its fsync; on this machine's virtual CPUs
 * that was ~15 % of the executing thread's time in `bench_ledger` (the
 * copy into the OS's page cache, which stays, was about a third of it).
 * This VFS wraps the default one ("unix") and, for a file SQLite opens as
 * a WAL (SQLITE_OPEN_WAL), appends contiguous writes to a buffer and
 * writes the buffer in pieces of 64 KiB (the most the unix VFS writes in
 * one call is 128 KiB - 1): ~21 calls for such a block.
 *
 * When the buffer is written (so that SQLite's guarantees stand):
 *  - right after the page of a commit frame (a frame header whose
 *    database-size field is not zero: SQLite sets it on the last frame of
 *    a transaction only). SQLite publishes the frames to readers (the
 *    wal-index in shared memory) only after it has written them all, so
 *    no reader, in this process or another, can look for a frame that is
 *    still here, whatever the synchronous setting;
 *  - before xSync (durability is what the fsync after it promises), before
 *    a read, size query, truncate or file control on the WAL, and at
 *    close;
 *  - when a write is not contiguous with the buffer (it is written first)
 *    or would overflow it. A write that lands inside the buffered range
 *    (SQLite rewriting a frame of the same transaction) updates it there.
 * A failed buffered write is reported by the call that writes the buffer;
 * at worst that is the commit's own frame or its sync, so a transaction is
 * never reported committed with frames missing. A crash loses only frames
 * of a transaction not yet committed, exactly like a crash before SQLite's
 * own writes.
 *
 * The main database file's writes are gathered the same way. In WAL mode
 * only checkpoints write it (ckpt.c's thread, through this VFS too): they
 * copy the WAL's pages in page order, so new pages appended to the file
 * come in long contiguous runs (at bench scale 1: 29,848 page writes in
 * 12,281 calls). That buffer is written before a sync (a checkpoint syncs
 * the file before it records in shared memory how far it copied), before a
 * read of its range, a size query, truncate, file control (SQLite sends
 * one in place of a sync it omits), lock change, shared-memory lock or
 * barrier, and at close; a failure no call could report (a barrier
 * returns nothing) is reported by the next one. Shared memory and every
 * other file and method go straight to the wrapped VFS, so connections
 * through this VFS and through the default one (readers, other processes,
 * the `sqlite3` shell) share the same files, locks and wal-index.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

#define WB_NAME "decc-walbuf"
#define WB_CAP (2u * 1024u * 1024u) /* a block of ~500 frames of 4 KiB */
#define WB_FRAME_HDR 24             /* SQLite's WAL frame header */
#define WB_PIECE (64u * 1024u)      /* one write call (see wb_flush) */

typedef struct wb_file {
  sqlite3_file base; /* pMethods: wb_methods */
  sqlite3_file *real;
  int wal;
  int db; /* the main database file: its checkpoint writes are gathered */
  int commit_pending; /* a commit frame's header is in: flush after its page */
  int err; /* a failed write of the buffer no caller could be told of yet */
  uint8_t *buf; /* WB_CAP bytes once the first write comes */
  size_t len;
  sqlite3_int64 off;   /* the file offset of buf[0] */
  sqlite3_file tail[]; /* the wrapped VFS's file (its szOsFile bytes) */
} wb_file;

#define WB_HEAD sizeof(wb_file)

static sqlite3_vfs *g_base;
static sqlite3_vfs g_vfs;
static int g_ok;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static atomic_ullong g_writes, g_flushes, g_read_flushes; /* for tests */
static atomic_ullong g_db_writes, g_db_flushes;

static int wb_flush(wb_file *f) {
  f->commit_pending = 0;
  int rc = SQLITE_OK;
  /* in pieces: the unix VFS writes at most 128 KiB - 1 per call (it masks
   * the length with 0x1ffff) and reports the rest as a full disk */
  for (size_t done = 0; done < f->len && rc == SQLITE_OK; done += WB_PIECE) {
    size_t n = f->len - done < WB_PIECE ? f->len - done : WB_PIECE;
    rc = f->real->pMethods->xWrite(f->real, f->buf + done, (int)n,
                                   f->off + (sqlite3_int64)done);
    atomic_fetch_add(f->db ? &g_db_flushes : &g_flushes, 1);
  }
  f->len = 0;
  return rc;
}

/* Writes f's buffer, if it holds anything, before an operation that must
 * see the file as SQLite wrote it. */
static int wb_settle(wb_file *f) {
  int rc = f->len ? wb_flush(f) : SQLITE_OK;
  if (rc == SQLITE_OK && f->err) { /* reported once, here */
    rc = f->err;
    f->err = SQLITE_OK;
  }
  return rc;
}

static int wb_close(sqlite3_file *file) {
  wb_file *f = (wb_file *)file;
  int rc = wb_settle(f);
  int rc2 = f->real->pMethods->xClose(f->real);
  decc_free(f->buf);
  f->buf = NULL;
  return rc != SQLITE_OK ? rc : rc2;
}

static int wb_read(sqlite3_file *file, void *p, int amt, sqlite3_int64 off) {
  wb_file *f = (wb_file *)file;
  if (f->len && off < f->off + (sqlite3_int64)f->len && off + amt > f->off) {
    atomic_fetch_add(&g_read_flushes, 1);
    int rc = wb_flush(f);
    if (rc != SQLITE_OK)
      return rc;
  }
  return f->real->pMethods->xRead(f->real, p, amt, off);
}

static int wb_write(sqlite3_file *file, const void *p, int amt,
                    sqlite3_int64 off) {
  wb_file *f = (wb_file *)file;
  if (!f->wal && !f->db)
    return f->real->pMethods->xWrite(f->real, p, amt, off);
  atomic_fetch_add(f->db ? &g_db_writes : &g_writes, 1);
  size_t n = (size_t)amt;
  int rc = SQLITE_OK;
  int was_commit_page = f->commit_pending;
  if (!f->buf && !(f->buf = decc_malloc(WB_CAP)))
    return f->real->pMethods->xWrite(f->real, p, amt, off);
  if (f->len && off == f->off + (sqlite3_int64)f->len && f->len + n <= WB_CAP) {
    memcpy(f->buf + f->len, p, n);
    f->len += n;
  } else if (f->len && off >= f->off &&
             off + amt <= f->off + (sqlite3_int64)f->len) {
    memcpy(f->buf + (off - f->off), p, n); /* a frame rewritten */
  } else {
    if ((rc = wb_flush(f)) != SQLITE_OK)
      return rc;
    if (n > WB_PIECE) /* (never asked: SQLite writes a page at most) */
      return f->real->pMethods->xWrite(f->real, p, amt, off);
    memcpy(f->buf, p, n);
    f->len = n;
    f->off = off;
  }
  const uint8_t *b = p;
  if (f->db)
    return rc;
  if (n == WB_FRAME_HDR && (b[4] | b[5] | b[6] | b[7]))
    f->commit_pending = 1;
  else if (was_commit_page)
    rc = wb_flush(f); /* the commit frame is complete */
  return rc;
}

static int wb_truncate(sqlite3_file *file, sqlite3_int64 size) {
  wb_file *f = (wb_file *)file;
  int rc = wb_settle(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int wb_sync(sqlite3_file *file, int flags) {
  wb_file *f = (wb_file *)file;
  int rc = wb_settle(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xSync(f->real, flags);
}

static int wb_size(sqlite3_file *file, sqlite3_int64 *size) {
  wb_file *f = (wb_file *)file;
  int rc = wb_settle(f);
  return rc != SQLITE_OK ? rc : f->real->pMethods->xFileSize(f->real, size);
}

static int wb_lock(sqlite3_file *file, int l) {
  wb_file *f = (wb_file *)file;
  return f->real->pMethods->xLock(f->real, l);
}

static int wb_unlock(sqlite3_file *file, int l) {
  wb_file *f = (wb_file *)file;
  /* (a rollback-journal commit without a sync); the lock is released
   * whatever happened, or another process would wait on it for ever */
  int rc = wb_settle(f);
  int rc2 = f->real->pMethods->xUnlock(f->real, l);
  return rc != SQLITE_OK ? rc : rc2;
}

static int wb_reserved(sqlite3_file *file, int *out) {
  wb_file *f = (wb_file *)file;
  return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int wb_fcntl(sqlite3_file *file, int op, void *arg) {
  wb_file *f = (wb_file *)file;
  int rc = wb_settle(f);
  if (rc != SQLITE_OK)
    return rc;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int wb_sector(sqlite3_file *file) {
  wb_file *f = (wb_file *)file;
  return f->real->pMethods->xSectorSize(f->real);
}

static int wb_devchar(sqlite3_file *file) {
  wb_file *f = (wb_file *)file;
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int wb_shm_map(sqlite3_file *file, int pg, int pgsz, int extend,
                      void volatile **pp) {
  wb_file *f = (wb_file *)file;
  return f->real->pMethods->xShmMap(f->real, pg, pgsz, extend, pp);
}

/* (the wal-index lives in the main database file's shared memory: a
 * checkpoint publishes how far it copied through it, so the pages it
 * wrote reach the file before any lock or barrier there) */
static int wb_shm_lock(sqlite3_file *file, int offset, int n, int flags) {
  wb_file *f = (wb_file *)file;
  int rc = wb_settle(f);
  /* a lock is not taken after a failed write; a release always happens */
  if (rc != SQLITE_OK && !(flags & SQLITE_SHM_UNLOCK))
    return rc;
  int rc2 = f->real->pMethods->xShmLock(f->real, offset, n, flags);
  return rc != SQLITE_OK ? rc : rc2;
}

static void wb_shm_barrier(sqlite3_file *file) {
  wb_file *f = (wb_file *)file;
  /* (no way to report a failure here: the next sync, size query, lock or
   * close does, so a checkpoint never counts pages as copied that are
   * not) */
  int rc = f->len ? wb_flush(f) : SQLITE_OK;
  if (rc != SQLITE_OK)
    f->err = rc;
  f->real->pMethods->xShmBarrier(f->real);
}

static int wb_shm_unmap(sqlite3_file *file, int del) {
  wb_file *f = (wb_file *)file;
  return f->real->pMethods->xShmUnmap(f->real, del);
}

static int wb_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **pp) {
  wb_file *f = (wb_file *)file;
  if (f->wal || f->db) { /* never asked (no mmap_size); refuse rather
                             than hand out bytes the buffer may change */
    *pp = NULL;
    return SQLITE_OK;
  }
  return f->real->pMethods->xFetch(f->real, off, amt, pp);
}

static int wb_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p) {
  wb_file *f = (wb_file *)file;
  return f->real->pMethods->xUnfetch(f->real, off, p);
}

static const sqlite3_io_methods wb_methods = {3,
                                              wb_close,
                                              wb_read,
                                              wb_write,
                                              wb_truncate,
                                              wb_sync,
                                              wb_size,
                                              wb_lock,
                                              wb_unlock,
                                              wb_reserved,
                                              wb_fcntl,
                                              wb_sector,
                                              wb_devchar,
                                              wb_shm_map,
                                              wb_shm_lock,
                                              wb_shm_barrier,
                                              wb_shm_unmap,
                                              wb_fetch,
                                              wb_unfetch};

static int wb_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file,
                   int flags, int *out_flags) {
  (void)vfs;
  wb_file *f = (wb_file *)file;
  memset(f, 0, WB_HEAD);
  f->real = f->tail;
  memset(f->real, 0, (size_t)g_base->szOsFile);
  int rc = g_base->xOpen(g_base, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    if (f->real->pMethods)
      f->real->pMethods->xClose(f->real);
    f->base.pMethods = NULL; /* SQLite then does not call xClose */
    return rc;
  }
  /* the wrapped file must offer what wb_methods forwards (iVersion 3) */
  if (!f->real->pMethods || f->real->pMethods->iVersion < 3) {
    f->real->pMethods->xClose(f->real);
    f->base.pMethods = NULL;
    return SQLITE_CANTOPEN;
  }
  f->wal = (flags & SQLITE_OPEN_WAL) != 0;
  f->db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  f->base.pMethods = &wb_methods;
  return SQLITE_OK;
}

static int wb_delete(sqlite3_vfs *v, const char *name, int sync) {
  (void)v;
  return g_base->xDelete(g_base, name, sync);
}

static int wb_access(sqlite3_vfs *v, const char *name, int flags, int *out) {
  (void)v;
  return g_base->xAccess(g_base, name, flags, out);
}

static int wb_fullpath(sqlite3_vfs *v, const char *name, int n, char *out) {
  (void)v;
  return g_base->xFullPathname(g_base, name, n, out);
}

static int wb_random(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  return g_base->xRandomness(g_base, n, out);
}

static int wb_sleep(sqlite3_vfs *v, int us) {
  (void)v;
  return g_base->xSleep(g_base, us);
}

static int wb_time(sqlite3_vfs *v, double *out) {
  (void)v;
  return g_base->xCurrentTime(g_base, out);
}

static int wb_lasterr(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  return g_base->xGetLastError(g_base, n, out);
}

static int wb_time64(sqlite3_vfs *v, sqlite3_int64 *out) {
  (void)v;
  return g_base->xCurrentTimeInt64(g_base, out);
}

static void *wb_dlopen(sqlite3_vfs *v, const char *name) {
  (void)v;
  return g_base->xDlOpen(g_base, name);
}

static void wb_dlerror(sqlite3_vfs *v, int n, char *out) {
  (void)v;
  g_base->xDlError(g_base, n, out);
}

static void (*wb_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void) {
  (void)v;
  return g_base->xDlSym(g_base, h, sym);
}

static void wb_dlclose(sqlite3_vfs *v, void *h) {
  (void)v;
  g_base->xDlClose(g_base, h);
}

static void wb_register(void) {
  g_base = sqlite3_vfs_find(NULL);
  if (!g_base || g_base->iVersion < 2 || !g_base->xCurrentTimeInt64)
    return;
  g_vfs = (sqlite3_vfs){
      .iVersion = 2,
      .szOsFile = (int)(WB_HEAD + (size_t)g_base->szOsFile),
      .mxPathname = g_base->mxPathname,
      .zName = WB_NAME,
      .xOpen = wb_open,
      .xDelete = wb_delete,
      .xAccess = wb_access,
      .xFullPathname = wb_fullpath,
      .xDlOpen = wb_dlopen,
      .xDlError = wb_dlerror,
      .xDlSym = wb_dlsym,
      .xDlClose = wb_dlclose,
      .xRandomness = wb_random,
      .xSleep = wb_sleep,
      .xCurrentTime = wb_time,
      .xGetLastError = wb_lasterr,
      .xCurrentTimeInt64 = wb_time64,
  };
  g_ok = sqlite3_vfs_register(&g_vfs, 0) == SQLITE_OK;
}

const char *ldg_walbuf_vfs(void) {
  pthread_once(&g_once, wb_register);
  return g_ok ? WB_NAME : NULL;
}

void ldg_walbuf_stats(uint64_t *writes, uint64_t *flushes,
                      uint64_t *read_flushes) {
  *writes = (uint64_t)atomic_load(&g_writes);
  *flushes = (uint64_t)atomic_load(&g_flushes);
  *read_flushes = (uint64_t)atomic_load(&g_read_flushes);
}

void ldg_walbuf_db_stats(uint64_t *writes, uint64_t *flushes) {
  *writes = (uint64_t)atomic_load(&g_db_writes);
  *flushes = (uint64_t)atomic_load(&g_db_flushes);
}
