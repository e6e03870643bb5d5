/*
 * node_memory.c — the node gives the memory it no longer uses back to the
 * system. glibc keeps what is freed in its arenas for reuse: after a burst
 * of concurrent requests the free chunks stay resident, spread over the
 * arenas the handler threads used, and only the top of each heap is ever
 * returned by free() itself. A long-running node's RSS then drifts up with
 * each burst although its heap in use is flat (bench_soak: +7 % over 10
 * minutes, heap in use +1.6 %, the growth all free memory in the arenas).
 *
 * A maintenance thread wakes every MEM_TICK_S seconds and, when the arenas
 * hold more than malloc_trim_kib KiB free (mallinfo2) and the heap changed
 * since its last trim, calls malloc_trim(0), which returns the free pages
 * of every arena (madvise), not just the tops. An idle node stops trimming
 * (nothing changed); a busy one trims at most once per tick. The trims,
 * their CPU time and the resident memory they released are counted for
 * /metrics (node_metrics.c). Without glibc (or under a sanitizer's or
 * valgrind's allocator, whose memory mallinfo2 does not see) nothing is
 * trimmed.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "node_int.h"

#define MEM_TICK_S 5

/* Resident set of this process in KiB (statm: one read), 0 if unknown. */
static uint64_t rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f)
    return 0;
  unsigned long long size = 0, res = 0;
  int ok = fscanf(f, "%llu %llu", &size, &res) == 2;
  fclose(f);
  long page = sysconf(_SC_PAGESIZE);
  return ok && page > 0 ? (uint64_t)res * (uint64_t)page / 1024 : 0;
}

static uint64_t thread_cpu_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int decc__node_memory_tick(decc_node *n) {
#ifdef __GLIBC__
  if (!n->cfg.malloc_trim_kib)
    return 0;
  struct mallinfo2 mi = mallinfo2();
  /* (used, free) as after the last trim: nothing new to give back */
  if (mi.fordblks < (size_t)n->cfg.malloc_trim_kib * 1024 ||
      (mi.uordblks == n->mem.last_used && mi.fordblks == n->mem.last_free))
    return 0;
  uint64_t rss0 = rss_kib(), t0 = thread_cpu_ns();
  (void)malloc_trim(0);
  uint64_t t1 = thread_cpu_ns(), rss1 = rss_kib();
  mi = mallinfo2();
  n->mem.last_used = mi.uordblks;
  n->mem.last_free = mi.fordblks;
  __atomic_add_fetch(&n->mem.trims, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&n->mem.trim_cpu_ns, t1 - t0, __ATOMIC_RELAXED);
  if (rss0 > rss1)
    __atomic_add_fetch(&n->mem.released_kib, rss0 - rss1, __ATOMIC_RELAXED);
  return 1;
#else
  (void)n;
  return 0;
#endif
}

static void *mem_main(void *arg) {
  decc_node *n = arg;
  pthread_mutex_lock(&n->mem.mu);
  while (!n->mem.stop) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += MEM_TICK_S;
    pthread_cond_timedwait(&n->mem.cv, &n->mem.mu, &ts);
    if (n->mem.stop)
      break;
    pthread_mutex_unlock(&n->mem.mu);
    (void)decc__node_memory_tick(n);
    pthread_mutex_lock(&n->mem.mu);
  }
  pthread_mutex_unlock(&n->mem.mu);
  return NULL;
}

void decc__node_memory_init(decc_node *n) {
  pthread_mutex_init(&n->mem.mu, NULL);
  /* the tick's waits use the monotonic clock (a clock step is no tick) */
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&n->mem.cv, &ca);
  pthread_condattr_destroy(&ca);
}

decc_status decc__node_memory_start(decc_node *n, decc_err *err) {
#ifdef __GLIBC__
  if (!n->cfg.malloc_trim_kib || n->mem.running)
    return DECC_OK;
  if (pthread_create(&n->mem.thread, NULL, mem_main, n) != 0)
    return decc_err_set(err, DECC_E_NOMEM,
                        "cannot start the memory maintenance thread (set "
                        "malloc_trim_kib to 0 to run without it)");
  n->mem.running = 1;
#else
  (void)n;
  (void)err;
#endif
  return DECC_OK;
}

void decc__node_memory_stop(decc_node *n) {
  if (!n->mem.running)
    return;
  pthread_mutex_lock(&n->mem.mu);
  n->mem.stop = 1;
  pthread_cond_broadcast(&n->mem.cv);
  pthread_mutex_unlock(&n->mem.mu);
  pthread_join(n->mem.thread, NULL);
  n->mem.running = 0;
}

void decc__node_memory_free(decc_node *n) {
  decc__node_memory_stop(n);
  pthread_cond_destroy(&n->mem.cv);
  pthread_mutex_destroy(&n->mem.mu);
}
