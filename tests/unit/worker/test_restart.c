/*
 * test_restart.c — restart safety of the worker under SIGKILL, on the
 * embedded ledger: the worker runs in a forked child (its own ledger
 * handle, its own state directory) that is killed with SIGKILL, then a
 * new worker on the same directory takes over.
 *   - a standard trust-3 task: the child contributes and kills itself
 *     right after (SIGKILL before any report or further state write);
 *   - the same kind of task killed by the parent at several delays into
 *     the child's round (anywhere: before the run, in the sandbox, around
 *     the transaction).
 *   - the assignment recorded by the scheduler but lost by the worker
 *     (died before its own record): handed again, run once.
 * Each task must end COMPLETED with two contributions, and the restarted
 * worker's account must have sent exactly contribute + reveal (its nonce):
 * nothing sent twice, no reverted retry. Needs root (sandbox).
 */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e_world.h"
#include "test.h"

/* In the child: a fresh ledger handle (SQLite handles do not survive
 * fork), a worker on W1's directory, one step, then per `self_kill`
 * SIGKILL itself (after the step) or wait to be killed. */
static void child_round(e2e *t, int self_kill) {
  decc_chain *c = NULL;
  if (decc_chain_open_embedded(&c, t->ledger_path, NULL))
    _exit(3);
  t->c_w1 = c;
  decc_worker *w = NULL;
  if (make_worker(t, K_W1, &w))
    _exit(4);
  decc_err err;
  if (decc_worker_step(w, NULL, &err))
    _exit(5);
  if (self_kill)
    raise(SIGKILL);
  for (;;)
    pause();
}

static uint64_t nonce_of(e2e *t, int k) {
  uint64_t n = 0;
  if (decc_chain_nonce(t->c_test, &t->who[k], &n, NULL))
    return UINT64_MAX;
  return n;
}

/* Runs one trust-3 task with W1 killed per delay_ms (< 0: self-kill after
 * its contribution). Returns 0 when every check holds. */
static int one_task(e2e *t, int delay_ms, const char *args) {
  uint8_t deal[32], task[32];
  char params[128];
  snprintf(params, sizeof params, "{\"iexec_args\":\"%s\"}", args);
  if (match(t, 0, 3, params, deal, task))
    return -1;
  decc_err err;
  if (decc_scheduler_step(t->sched, NULL, &err))
    return -2;
  uint64_t n0 = nonce_of(t, K_W1);
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0)
    return -3;
  if (pid == 0)
    child_round(t, delay_ms < 0);
  if (delay_ms >= 0) {
    struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) ||
      WTERMSIG(status) != SIGKILL) {
    fprintf(stderr, "    child did not die of SIGKILL (status %d)\n", status);
    return -4;
  }
  uint64_t at_kill = nonce_of(t, K_W1);
  if (delay_ms < 0 && at_kill != n0 + 1) {
    fprintf(stderr, "    the child did not contribute before dying\n");
    return -5;
  }
  printf("    killed %s its contribution (delay %d ms)\n",
         at_kill == n0 ? "before" : "after", delay_ms);
  /* Restart W1 on its directory; W2 joins. */
  decc_worker_destroy(t->w1);
  t->w1 = NULL;
  if (make_worker(t, K_W1, &t->w1))
    return -6;
  decc_worker *ws[2] = {t->w1, t->w2};
  /* A restarted worker may need a few more rounds (it re-runs an
   * interrupted task, the scheduler hands the task back): allow 30; each
   * round is one step of every service, so a stuck task still fails. */
  int s = drive(t, task, ws, 2, 30);
  if (s != DECC_TASK_COMPLETED) {
    fprintf(stderr, "    task status %d after restart (delay %d)\n", s,
            delay_ms);
    return -7;
  }
  decc_poco_task tk;
  if (task_status(t, task, &tk) != DECC_TASK_COMPLETED)
    return -8;
  size_t nc = tk.n_contributions;
  decc_poco_task_clear(&tk);
  if (nc != 2)
    return -9;
  /* contribute + reveal, exactly once each */
  uint64_t n1 = nonce_of(t, K_W1);
  if (n1 != n0 + 2) {
    fprintf(stderr, "    worker 1 sent %llu transactions (want 2)\n",
            (unsigned long long)(n1 - n0));
    return -10;
  }
  return 0;
}

TEST(trust3_worker_killed_after_contribute_resumes) {
  NEED_ROOT();
  e2e t;
  ASSERT_EQ(setup(&t, decc_test_tmpdir()), 0);
  ASSERT_EQ(make_worker(&t, K_W2, &t.w2), 0);
  ASSERT_EQ(one_task(&t, -1, "after-contribute"), 0);
  teardown(&t);
}

TEST(trust3_worker_killed_at_several_points_resumes) {
  NEED_ROOT();
  e2e t;
  ASSERT_EQ(setup(&t, decc_test_tmpdir()), 0);
  ASSERT_EQ(make_worker(&t, K_W2, &t.w2), 0);
  static const int delays[] = {0, 5, 8, 11, 15, 40, 150};
  for (size_t i = 0; i < sizeof delays / sizeof delays[0]; i++) {
    char args[32];
    snprintf(args, sizeof args, "kill-%d", delays[i]);
    int rc = one_task(&t, delays[i], args);
    if (rc)
      fprintf(stderr, "    delay %d ms: check %d failed\n", delays[i], rc);
    ASSERT_EQ(rc, 0);
  }
  teardown(&t);
}

/* The narrowest window: the scheduler recorded the assignment, the worker
 * died before its own record (or lost the HTTP answer). The scheduler
 * must hand the same task again, and the worker must run it once. */
TEST(assignment_lost_between_scheduler_and_worker_is_handed_again) {
  NEED_ROOT();
  e2e t;
  ASSERT_EQ(setup(&t, decc_test_tmpdir()), 0);
  ASSERT_EQ(make_worker(&t, K_W2, &t.w2), 0);
  uint8_t deal[32], task[32];
  ASSERT_EQ(match(&t, 0, 3, "{\"iexec_args\":\"lost\"}", deal, task), 0);
  decc_err err;
  ASSERT_OK(decc_scheduler_step(t.sched, NULL, &err));
  uint64_t n0 = nonce_of(&t, K_W1);
  decc_task_assignment lost, again;
  ASSERT_OK(decc_scheduler_assign(t.sched, &t.who[K_W1], &lost, &err));
  ASSERT_MEM_EQ(lost.task_id, task, 32);
  /* asked again without a report: the same task, for the same worker */
  ASSERT_OK(decc_scheduler_assign(t.sched, &t.who[K_W1], &again, &err));
  ASSERT_MEM_EQ(again.task_id, task, 32);
  ASSERT(decc_address_eq(&again.worker, &t.who[K_W1]));
  ASSERT_EQ(make_worker(&t, K_W1, &t.w1), 0);
  decc_worker *ws[2] = {t.w1, t.w2};
  ASSERT_EQ(drive(&t, task, ws, 2, 30), DECC_TASK_COMPLETED);
  decc_poco_task tk;
  ASSERT_EQ(task_status(&t, task, &tk), DECC_TASK_COMPLETED);
  ASSERT_EQ(tk.n_contributions, 2);
  decc_poco_task_clear(&tk);
  ASSERT_EQ(nonce_of(&t, K_W1), n0 + 2); /* contribute + reveal, once */
  /* the task ended: nothing is handed out any more */
  ASSERT_EQ(decc_scheduler_assign(t.sched, &t.who[K_W1], &again, &err),
            DECC_E_NOT_FOUND);
  teardown(&t);
}
