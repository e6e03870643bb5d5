/*
 * bench_util.c — see bench_util.h.
 */
#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

long bench_peak_rss_kib(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

double bench_scale(void) {
  const char *s = getenv("DECC_BENCH_SCALE");
  double v = s ? atof(s) : 1.0;
  return v > 0 ? v : 1.0;
}

void bench_report(const char *name, double value, const char *unit) {
  printf("%-44s %14.2f %s\n", name, value, unit);
  fflush(stdout);
}

static void print_peak_rss(void) {
  bench_report("peak RSS", (double)bench_peak_rss_kib() / 1024.0, "MiB");
}

void bench_peak_rss_at_exit(void) { atexit(print_peak_rss); }
