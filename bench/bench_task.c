/*
 * bench_task.c — one confidential task on the embedded default, from
 * matchOrders to the requester's decrypted result (scheduler: notice,
 * initialize, enclave challenge; worker: attested enclave, SMS session,
 * pre-compute, app in the sandbox, encrypted upload, contributeAndFinalize;
 * requester: fetch + decrypt), for a trivial shell app: p50 / p90 latency
 * (target p50 ≤ 100 ms), and tasks per second with two worker threads.
 * Reference measured in the same run: fork/exec of /bin/sh running a
 * trivial command, so the ratio shows the cost of everything around the
 * app. Needs root (the sandbox).
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "../tests/unit/worker/e2e_world.h"
#include "bench_util.h"
#include "core/internal.h"

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double fork_exec_ms(void) {
  double t0 = bench_now();
  pid_t p = fork();
  if (p == 0) {
    execl("/bin/sh", "sh", "-c", "echo x > /dev/null", (char *)NULL);
    _exit(127);
  }
  int st;
  waitpid(p, &st, 0);
  return (bench_now() - t0) * 1e3;
}

typedef struct wthread {
  decc_worker *w;
  volatile int *stop;
  int errors;
} wthread;

static void *worker_loop(void *arg) {
  wthread *t = arg;
  while (!*t->stop) {
    size_t did = 0;
    decc_err err;
    if (decc_worker_step(t->w, &did, &err))
      t->errors++;
    if (!did)
      usleep(1000);
  }
  return NULL;
}

static const char PARAMS[] =
    "{\"iexec_args\":\"ok bench\",\"iexec_secrets\":{\"1\":\"my-secret\"},"
    "\"iexec_result_encryption\":true}";

int main(void) {
  if (geteuid() != 0) {
    printf("bench_task: skipped (the sandbox needs root)\n");
    return 0;
  }
  char tmpl[] = "/tmp/decc-bench-task-XXXXXX";
  char *tmp = mkdtemp(tmpl);
  if (!tmp || chmod(tmp, 0755) != 0)
    return 1;
  e2e t;
  if (setup(&t, tmp) || make_worker(&t, K_W1, &t.w1) ||
      make_worker(&t, K_W2, &t.w2)) {
    fprintf(stderr, "bench_task: setup failed\n");
    return 1;
  }
  int n = (int)(10 * bench_scale());
  if (n < 3)
    n = 3;
  double *lat = calloc((size_t)n, sizeof *lat), ref[9];
  decc_worker *ws[1] = {t.w1};
  int ok = 1;
  for (int i = 0; i < n && ok; i++) {
    uint8_t deal[32], task[32];
    double t0 = bench_now();
    if (match(&t, 1, 0, PARAMS, deal, task) ||
        drive(&t, task, ws, 1, 6) != DECC_TASK_COMPLETED) {
      ok = 0;
      break;
    }
    decc_poco_task tk;
    task_status(&t, task, &tk);
    json_t *r = json_loadb((const char *)tk.results, tk.results_len, 0, NULL);
    const char *loc = json_string_value(json_object_get(r, "location"));
    decc_buf arch;
    uint8_t *zip = NULL;
    size_t zn = 0;
    if (!loc || fix_cat(t.bs, loc, &arch) ||
        decc_result_decrypt(&zip, &zn, NULL, t.rsa, arch.data, arch.len, NULL))
      ok = 0;
    lat[i] = (bench_now() - t0) * 1e3;
    decc_free(zip);
    decc_buf_clear(&arch);
    json_decref(r);
    decc_poco_task_clear(&tk);
  }
  for (int i = 0; i < 9; i++)
    ref[i] = fork_exec_ms();
  qsort(ref, 9, sizeof *ref, cmp_d);
  if (!ok) {
    fprintf(stderr, "bench_task: a task did not complete\n");
    return 1;
  }
  qsort(lat, (size_t)n, sizeof *lat, cmp_d);
  double p50 = lat[n / 2], p90 = lat[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1];
  printf("confidential task, matchOrders → decrypted result (%d runs)\n", n);
  bench_report("task latency p50", p50, "ms");
  bench_report("task latency p90", p90, "ms");
  bench_report("reference fork/exec sh p50", ref[4], "ms");
  printf("ratio p50 task / fork-exec: %.1fx (target p50 <= 100 ms: %s)\n",
         p50 / ref[4], p50 <= 100 ? "met" : "NOT met");

  /* throughput: two worker threads, tasks matched up front */
  int m = (int)(8 * bench_scale());
  if (m < 4)
    m = 4;
  uint8_t(*tasks)[32] = calloc((size_t)m, 32);
  for (int i = 0; i < m; i++) {
    uint8_t deal[32];
    if (match(&t, 1, 0, PARAMS, deal, tasks[i]))
      return 1;
  }
  volatile int stop = 0;
  wthread a = {t.w1, &stop, 0}, b = {t.w2, &stop, 0};
  pthread_t ta, tb;
  double t0 = bench_now();
  pthread_create(&ta, NULL, worker_loop, &a);
  pthread_create(&tb, NULL, worker_loop, &b);
  int done = 0;
  for (int rounds = 0; rounds < 2000 && done < m; rounds++) {
    size_t did = 0;
    decc_err err;
    if (decc_scheduler_step(t.sched, &did, &err))
      fprintf(stderr, "scheduler: %s\n", err.msg);
    done = 0;
    for (int i = 0; i < m; i++)
      done += task_status(&t, tasks[i], NULL) == DECC_TASK_COMPLETED;
    if (!did)
      usleep(2000);
  }
  double el = bench_now() - t0;
  stop = 1;
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  printf("throughput, two workers, %d tasks (%d completed, %d step errors)\n",
         m, done, a.errors + b.errors);
  bench_report("tasks per second (2 workers)", done / el, "tasks/s");
  bench_report("tasks per second, serial equivalent", 1e3 / p50, "tasks/s");
  printf("ratio 2 workers / serial: %.2fx\n", (done / el) / (1e3 / p50));
  teardown(&t);
  decc__rmtree(tmp);
  bench_report("peak RSS", (double)bench_peak_rss_kib() / 1024.0, "MiB");
  free(lat);
  free(tasks);
  return done == m ? 0 : 1;
}
