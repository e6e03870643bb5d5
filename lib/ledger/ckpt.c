/*
 * ckpt.c — WAL checkpoints of a file ledger on their own thread.
 *
 * A commit appends the block's pages to the WAL; a checkpoint copies them
 * into the database file, fsyncs it, and lets the WAL start over. SQLite
 * runs it inside the COMMIT that crosses wal_autocheckpoint pages, on the
 * thread that executes blocks: one block in about nine then also read and
 * rewrote 4,000 pages and waited for a second fsync, which doubled that
 * block's latency (p99 73–76 ms against a p50 of 35 ms for blocks of 100
 * life cycles) and took 15–20 % of the executing thread's time.
 *
 * Here the automatic checkpoint is off on the ledger's connection; a WAL
 * hook (called after each commit with the WAL's size in pages) wakes a
 * thread that owns a second connection to the same file and runs a
 * PASSIVE checkpoint there: it copies what it can without taking the
 * write lock, so the next block executes meanwhile. The WAL starts over
 * once a checkpoint has copied every frame and a new write transaction
 * begins, as before. Durability is unchanged: a block is acknowledged
 * after its COMMIT's fsync of the WAL (synchronous=FULL), and the
 * checkpoint connection also runs with synchronous=FULL, so the database
 * file is synced before the WAL may be reused.
 *
 * The thread runs at a lower priority than the rest of the process (nice
 * LDG_CKPT_NICE more, at most 19): its work can wait for the gaps the
 * executing and decoding threads leave (their waits on the WAL's sync and
 * on each other), instead of taking the core from them whenever it is
 * runnable. At the same priority it preempted them during every
 * checkpoint; lowered, bench_ledger's cores were busy 89-95 % of the life
 * cycles instead of 88-91 %, and the slowest blocks' commit latency (p99)
 * fell from 49-70 ms to 30-65 ms (docs/internals/performance.md). It is a
 * nice value, not SCHED_IDLE: under contention from other processes the
 * thread still gets a share (about a tenth of a core's), so a checkpoint
 * it has begun (holding SQLite's checkpointer lock, which keeps the WAL
 * from starting over) still finishes. Lowering a thread's priority needs
 * no privilege; if it fails the thread runs as before.
 *
 * If the thread or its connection cannot be started, or the WAL keeps
 * growing past four times the threshold (the thread behind, or a reader
 * holding old frames), the hook checkpoints on the committing thread as
 * SQLite's own automatic checkpoint would. The thread starts at the first
 * checkpoint a handle needs, so short-lived handles (a CLI command)
 * never start it; closing the last connection checkpoints the rest, as
 * before.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

struct ldg_ckpt {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t th;
  int started; /* th is running (joined in ldg_ckpt_stop) */
  int failed;  /* could not start: checkpoint inline from now on */
  int pending; /* a checkpoint was asked for since the last one began */
  int stop;
  int busy; /* a checkpoint is running */
  unsigned threshold;
  uint64_t runs;        /* checkpoints the thread completed */
  uint64_t inline_runs; /* checkpoints run by the hook itself */
  pid_t tid;            /* the thread's id, once it runs (0 before) */
  char *path;
};

/* Lowers the calling thread's priority by LDG_CKPT_NICE (Linux: a
 * thread's nice value is its own, set through its thread id). */
static void lower_priority(void) {
  pid_t tid = gettid();
  errno = 0;
  int cur = getpriority(PRIO_PROCESS, (id_t)tid);
  if (cur == -1 && errno)
    return;
  int want = cur + LDG_CKPT_NICE;
  (void)setpriority(PRIO_PROCESS, (id_t)tid, want > 19 ? 19 : want);
}

static void *ckpt_main(void *arg) {
  ldg_ckpt *c = arg;
  sqlite3 *db = NULL;
  lower_priority();
  pthread_mutex_lock(&c->mu);
  c->tid = gettid();
  pthread_mutex_unlock(&c->mu);
  /* its own connection: SQLite connections opened NOMUTEX are used by
   * one thread each; through walbuf.c, which gathers the pages a
   * checkpoint copies into the database file into few write calls (NULL,
   * the default VFS, if it could not be registered) */
  if (sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      ldg_walbuf_vfs()) != SQLITE_OK ||
      sqlite3_exec(db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
          SQLITE_OK) {
    sqlite3_close(db);
    pthread_mutex_lock(&c->mu);
    c->failed = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return NULL;
  }
  sqlite3_busy_timeout(db, 100);
  pthread_mutex_lock(&c->mu);
  for (;;) {
    while (!c->pending && !c->stop)
      pthread_cond_wait(&c->cv, &c->mu);
    if (c->stop)
      break;
    c->pending = 0;
    c->busy = 1;
    pthread_mutex_unlock(&c->mu);
    /* PASSIVE: never waits for the writer or readers; a frame it cannot
     * copy now is copied by a later run. An error (BUSY while another
     * connection checkpoints, I/O) leaves the WAL as it is: the next
     * commit asks again, and the hook's inline fallback bounds it. */
    sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    pthread_mutex_lock(&c->mu);
    c->busy = 0;
    c->runs++;
    pthread_cond_broadcast(&c->cv);
  }
  pthread_mutex_unlock(&c->mu);
  sqlite3_close(db);
  return NULL;
}

/* sqlite3_wal_hook: after every commit of the ledger's connection, on the
 * committing thread, with the WAL's size in pages. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages) {
  ldg_ckpt *c = arg;
  if (pages < 0 || (unsigned)pages < c->threshold)
    return SQLITE_OK;
  int run_inline = 0;
  pthread_mutex_lock(&c->mu);
  if (!c->started && !c->failed) {
    if (pthread_create(&c->th, NULL, ckpt_main, c) == 0)
      c->started = 1;
    else
      c->failed = 1;
  }
  if (c->failed || (unsigned)pages >= 4u * c->threshold)
    run_inline = 1;
  else {
    c->pending = 1;
    pthread_cond_signal(&c->cv);
  }
  if (run_inline)
    c->inline_runs++;
  pthread_mutex_unlock(&c->mu);
  if (run_inline)
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
  return SQLITE_OK;
}

decc_status ldg_ckpt_start(decc_ledger *l, const char *path, decc_err *err) {
  ldg_ckpt *c = decc_calloc(1, sizeof *c);
  size_t n = strlen(path);
  if (!c || !(c->path = decc_malloc(n + 1))) {
    decc_free(c);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  memcpy(c->path, path, n + 1);
  c->threshold = LDG_CKPT_PAGES;
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->cv, NULL);
  /* SQLite's own automatic checkpoint is a WAL hook too: this one
   * replaces it */
  sqlite3_wal_hook(l->db, wal_hook, c);
  l->ckpt = c;
  return DECC_OK;
}

void ldg_ckpt_set_threshold(decc_ledger *l, unsigned pages) {
  if (!l->ckpt)
    return;
  pthread_mutex_lock(&l->ckpt->mu);
  l->ckpt->threshold = pages ? pages : 1;
  pthread_mutex_unlock(&l->ckpt->mu);
}

void ldg_ckpt_stats(decc_ledger *l, int wait_idle, uint64_t *runs,
                    uint64_t *inline_runs) {
  *runs = *inline_runs = 0;
  ldg_ckpt *c = l->ckpt;
  if (!c)
    return;
  pthread_mutex_lock(&c->mu);
  while (wait_idle && c->started && !c->failed && (c->pending || c->busy))
    pthread_cond_wait(&c->cv, &c->mu);
  *runs = c->runs;
  *inline_runs = c->inline_runs;
  pthread_mutex_unlock(&c->mu);
}

pid_t ldg_ckpt_tid(decc_ledger *l) {
  ldg_ckpt *c = l->ckpt;
  if (!c)
    return 0;
  pthread_mutex_lock(&c->mu);
  pid_t t = c->tid;
  pthread_mutex_unlock(&c->mu);
  return t;
}

void ldg_ckpt_stop(decc_ledger *l) {
  ldg_ckpt *c = l->ckpt;
  if (!c)
    return;
  sqlite3_wal_hook(l->db, NULL, NULL);
  pthread_mutex_lock(&c->mu);
  c->stop = 1;
  pthread_cond_broadcast(&c->cv);
  int started = c->started;
  pthread_mutex_unlock(&c->mu);
  if (started)
    pthread_join(c->th, NULL);
  pthread_cond_destroy(&c->cv);
  pthread_mutex_destroy(&c->mu);
  decc_free(c->path);
  decc_free(c);
  l->ckpt = NULL;
}
