/*
 * test_rcpt_group.c — the receipt store's group commit
 * (lib/receipts/rcpt_store.c): appends from many threads to two logs at
 * once each get a distinct sequence number, the logs stay linked and
 * signed with every receipt exactly once; and a process appending from
 * many threads killed with SIGKILL leaves logs that verify and contain
 * every receipt it acknowledged, at the sequence number it was given,
 * with the next append continuing after them (nothing rewritten).
 * Power loss (frames written but not yet synced) cannot be simulated
 * here; the ordering argument is in the file's header comment.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/receipts.h"
#include "decc/vault.h"
#include "test.h"

#define THREADS 8

static decc_address addr(int n) {
  decc_address a;
  memset(a.b, n, 20);
  return a;
}

/* A KEY_RELEASE receipt for dataset addr(ds) whose task index is `task`. */
static void sample(decc_rcpt *r, int ds, uint64_t task) {
  memset(r, 0, sizeof *r);
  r->kind = DECC_RCPT_KEY_RELEASE;
  r->time = 1700000000 + task;
  r->chain_time = 1700000001;
  r->chain_id = 31337;
  r->dataset = addr(ds);
  memset(r->deal_id, 2, 32);
  memcpy(r->task_id, &task, sizeof task);
  r->task_index = task;
  r->app = addr(3);
  r->requester = addr(5);
  r->worker = addr(6);
  r->enclave = addr(7);
  static const char p[] = "group commit";
  r->purpose_len = sizeof p - 1;
  memcpy(r->purpose, p, sizeof p - 1);
}

static decc_rcpt_store *open_store(const char *dir, decc_vault **v) {
  decc_rcpt_store *s = NULL;
  if (decc_vault_open(v, dir, NULL, 0, NULL) != DECC_OK)
    return NULL;
  if (decc_rcpt_store_open(&s, dir, *v, NULL) != DECC_OK)
    return NULL;
  return s;
}

static char *log_path(decc_rcpt_store *s, int ds) {
  char *p = NULL;
  decc_address a = addr(ds);
  if (decc_rcpt_log_path(&p, decc_rcpt_store_dir(s), &a) != DECC_OK)
    return NULL;
  return p;
}

typedef struct worker {
  decc_rcpt_store *s;
  int id, n;
  int fd; /* acknowledgements go here (-1: none) */
  int failures;
} worker;

/* Appends n receipts alternating between the two datasets; each
 * acknowledged one is reported as {ds, seq, task} in one pipe write
 * (atomic: under PIPE_BUF). */
static void *append_many(void *arg) {
  worker *w = arg;
  for (int i = 0; w->n < 0 || i < w->n; i++) {
    decc_rcpt r;
    uint64_t task = (uint64_t)w->id * 1000000u + (uint64_t)i;
    int ds = 1 + (i & 1);
    sample(&r, ds, task);
    if (decc_rcpt_store_append(w->s, &r, NULL, NULL, NULL) != DECC_OK) {
      w->failures++;
      continue;
    }
    if (w->fd >= 0) {
      uint64_t ack[3] = {(uint64_t)ds, r.seq, task};
      if (write(w->fd, ack, sizeof ack) != (ssize_t)sizeof ack)
        w->failures++;
    }
  }
  return NULL;
}

/* Reads the log of ds, checks it verifies (a torn tail allowed) and
 * returns it in *l. */
static int read_verified(decc_rcpt_store *s, int ds, decc_rcpt_list *l) {
  char *p = log_path(s, ds);
  decc_address a = addr(ds), signer;
  decc_rcpt_store_signer(s, &signer);
  decc_rcpt_report rep;
  int ok = p && decc_rcpt_log_read(l, p, 0, NULL) == DECC_OK &&
           decc_rcpt_verify_log(&rep, l, &a, &signer, NULL) == DECC_OK;
  if (ok) {
    for (size_t i = 0; i < rep.n; i++)
      fprintf(stderr, "  issue %s: %s\n", rep.issues[i].code,
              rep.issues[i].msg);
    ok = rep.n == 0;
    decc_rcpt_report_clear(&rep);
  }
  decc_free(p);
  return ok;
}

TEST(concurrent_appends_linked_once_each) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/sms", decc_test_tmpdir());
  decc_vault *v;
  decc_rcpt_store *s = open_store(dir, &v);
  ASSERT(s != NULL);
  enum { PER = 30 };
  worker w[THREADS];
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (worker){s, i, PER, -1, 0};
    ASSERT_OK(pthread_create(&th[i], NULL, append_many, &w[i]));
  }
  for (int i = 0; i < THREADS; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < THREADS; i++)
    ASSERT_EQ(w[i].failures, 0);
  for (int ds = 1; ds <= 2; ds++) {
    decc_rcpt_list l;
    ASSERT(read_verified(s, ds, &l));
    ASSERT_EQ(l.n, THREADS * PER / 2);
    ASSERT_EQ(l.torn_bytes, 0u);
    /* every task of this dataset exactly once */
    static unsigned char seen[THREADS][PER];
    memset(seen, 0, sizeof seen);
    for (size_t k = 0; k < l.n; k++) {
      ASSERT_EQ(l.items[k].seq, k);
      uint64_t t = l.items[k].task_index;
      int id = (int)(t / 1000000u), i = (int)(t % 1000000u);
      ASSERT(id < THREADS && i < PER && 1 + (i & 1) == ds);
      ASSERT_EQ(seen[id][i]++, 0);
    }
    decc_rcpt_list_clear(&l);
  }
  decc_rcpt_store_close(s);
  decc_vault_close(v);
}

TEST(kill_9_during_concurrent_appends_keeps_every_acknowledged_receipt) {
  char dir[600];
  snprintf(dir, sizeof dir, "%s/sms", decc_test_tmpdir());
  decc_vault *v;
  decc_rcpt_store *s = open_store(dir, &v);
  ASSERT(s != NULL);
  /* both logs exist first, so the child's appends all go through the
   * group commit (a log's first frame is synced on its own) */
  for (int ds = 1; ds <= 2; ds++) {
    decc_rcpt r;
    sample(&r, ds, 999000000u + (uint64_t)ds);
    ASSERT_OK(decc_rcpt_store_append(s, &r, NULL, NULL, NULL));
  }
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  for (int round = 0; round < 2; round++) {
    int pfd[2];
    ASSERT_OK(pipe(pfd));
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
      close(pfd[0]);
      decc_vault *cv;
      decc_rcpt_store *cs = open_store(dir, &cv);
      if (!cs)
        _exit(3);
      worker w[THREADS];
      pthread_t th[THREADS];
      for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){cs, (round + 1) * 100 + i, -1, pfd[1], 0};
        if (pthread_create(&th[i], NULL, append_many, &w[i]))
          _exit(4);
      }
      for (int i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL); /* never: killed first */
      _exit(5);
    }
    close(pfd[1]);
    size_t cap = 4096, n = 0;
    uint64_t(*acks)[3] = malloc(cap * sizeof *acks);
    ASSERT(acks != NULL);
    /* the kill lands while appends are under way: after the first
     * acknowledgement (a slow start on a loaded machine is not a kill
     * before any append), at a random moment */
    ssize_t first = read(pfd[0], acks[0], sizeof acks[0]);
    if (first == (ssize_t)sizeof acks[0])
      n = 1;
    usleep(100000 + (useconds_t)(rand() % 200000));
    kill(pid, SIGKILL);
    int wst;
    waitpid(pid, &wst, 0);
    ASSERT(WIFSIGNALED(wst));
    /* every acknowledgement the child sent */
    for (;;) {
      if (n == cap) {
        cap *= 2;
        uint64_t(*m)[3] = realloc(acks, cap * sizeof *acks);
        ASSERT(m != NULL);
        acks = m;
      }
      ssize_t k = read(pfd[0], acks[n], sizeof acks[n]);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        break;
      ASSERT_EQ(k, (ssize_t)sizeof acks[n]);
      n++;
    }
    close(pfd[0]);
    ASSERT(n > 0);
    decc_rcpt_list l[2];
    ASSERT(read_verified(s, 1, &l[0]));
    ASSERT(read_verified(s, 2, &l[1]));
    for (size_t i = 0; i < n; i++) {
      decc_rcpt_list *L = &l[acks[i][0] - 1];
      ASSERT(acks[i][1] < L->n);
      ASSERT_EQ(L->items[acks[i][1]].task_index, acks[i][2]);
    }
    /* the next append goes on after the last whole receipt */
    for (int ds = 1; ds <= 2; ds++) {
      decc_rcpt r;
      sample(&r, ds, 998000000u + (uint64_t)round);
      ASSERT_OK(decc_rcpt_store_append(s, &r, NULL, NULL, NULL));
      ASSERT_EQ(r.seq, l[ds - 1].n);
      decc_rcpt_list after;
      ASSERT(read_verified(s, ds, &after));
      ASSERT_EQ(after.n, l[ds - 1].n + 1);
      ASSERT_EQ(after.torn_bytes, 0u);
      decc_rcpt_list_clear(&after);
    }
    decc_rcpt_list_clear(&l[0]);
    decc_rcpt_list_clear(&l[1]);
    free(acks);
  }
  decc_rcpt_store_close(s);
  decc_vault_close(v);
}
