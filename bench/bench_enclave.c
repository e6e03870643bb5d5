/*
 * bench_enclave.c — cost of the software enclave: launch + teardown of a
 * trivial program (/usr/bin/true) in the full sandbox, against a plain
 * fork + exec of the same program, measured in the same run. Prints p50 and
 * p99 of both and the added latency (target: ≤ 5 ms added at p50).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "decc/sandbox.h"

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p) {
  qsort(v, (size_t)n, sizeof *v, cmp);
  int i = (int)(p * (n - 1));
  return v[i];
}

int main(void) {
  bench_peak_rss_at_exit();
  if (geteuid() != 0) {
    printf("bench_enclave: skipped (the sandbox needs root)\n");
    return 0;
  }
  int n = (int)(200 * bench_scale());
  if (n < 20)
    n = 20;
  char base[] = "/tmp/decc-bench-enclave-XXXXXX";
  if (!mkdtemp(base))
    return 1;
  char app[64], out[64];
  snprintf(app, sizeof app, "%s/app", base);
  snprintf(out, sizeof out, "%s/out", base);
  if (mkdir(app, 0755) || mkdir(out, 0755) || chmod(base, 0755))
    return 1;
  double *sb = malloc(sizeof(double) * (size_t)n);
  double *fe = malloc(sizeof(double) * (size_t)n);
  decc_sandbox_opts o;
  decc_sandbox_opts_init(&o);
  const char *argv[] = {"/usr/bin/true", NULL};
  o.app_dir = app;
  o.out_dir = out;
  o.argv = argv;
  decc_sandbox_result r;
  decc_err err;
  for (int i = 0; i < n; i++) {
    double t0 = bench_now();
    if (decc_sandbox_run(&o, &r, &err) != DECC_OK ||
        r.end != DECC_SANDBOX_EXITED || r.exit_code != 0) {
      fprintf(stderr, "sandbox run failed: %s\n", err.msg);
      return 1;
    }
    sb[i] = (bench_now() - t0) * 1000.0;
    t0 = bench_now();
    pid_t p = fork();
    if (p == 0) {
      execl("/usr/bin/true", "true", (char *)NULL);
      _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
    fe[i] = (bench_now() - t0) * 1000.0;
  }
  double sb50 = pct(sb, n, 0.5), sb99 = pct(sb, n, 0.99);
  double fe50 = pct(fe, n, 0.5), fe99 = pct(fe, n, 0.99);
  printf("enclave launch+teardown of /usr/bin/true, %d runs\n", n);
  bench_report("sandbox p50", sb50, "ms");
  bench_report("sandbox p99", sb99, "ms");
  bench_report("fork+exec p50 (reference)", fe50, "ms");
  bench_report("fork+exec p99 (reference)", fe99, "ms");
  bench_report("added latency p50 (target <= 5 ms)", sb50 - fe50, "ms");
  printf("landlock ABI %d\n", decc_sandbox_landlock_abi());
  rmdir(app);
  rmdir(out);
  rmdir(base);
  free(sb);
  free(fe);
  return 0;
}
