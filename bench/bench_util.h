/*
 * bench_util.h — timing helpers shared by the benchmarks: a monotonic
 * clock, peak RSS, and a uniform result line
 * "name: value unit (ratio vs reference)".
 */
#ifndef DECC_BENCH_UTIL_H
#define DECC_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Seconds from a monotonic clock. */
double bench_now(void);
/* Peak resident set size of this process in KiB (getrusage). */
long bench_peak_rss_kib(void);
/* Iterations scale: DECC_BENCH_SCALE env (default 1.0). */
double bench_scale(void);
/* Prints one result line. */
void bench_report(const char *name, double value, const char *unit);
/* Makes the process print its peak RSS ("peak RSS … MiB", the line every
 * benchmark ends with) when it exits normally (atexit): call once at the
 * start of main, so every return path, a skip included, reports it. */
void bench_peak_rss_at_exit(void);
#endif
