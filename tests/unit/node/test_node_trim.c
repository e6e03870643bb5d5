/*
 * test_node_trim.c — the node's memory maintenance (lib/node/node_memory.c):
 * after a burst of allocations on several threads (so several glibc
 * arenas), most of them freed but every 16th kept (so the free memory is
 * in the middle of the heaps, where free() never returns it), one
 * maintenance tick gives the free pages back: the resident set drops by a
 * good part of what was freed, and a second tick with nothing new does
 * nothing. With malloc_trim_kib 0 the tick never trims. The amounts are
 * measured with mallinfo2 and /proc/self/statm, never with clocks.
 * Under an allocator that mallinfo2 does not see (ASan's, valgrind's) the
 * burst is invisible: the tick must then find nothing to trim.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "decc/node.h"
#include "node/node_int.h"
#include "test.h"

#define THREADS 4
#define BLOCKS 8192 /* per thread */
#define BLOCK 2048  /* bytes: below any mmap threshold */
#define KEEP 16     /* every KEEP-th block stays allocated */

static void *blocks[THREADS][BLOCKS];
static pthread_barrier_t barrier;

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f)
    return 0;
  long size = 0, res = 0;
  int ok = fscanf(f, "%ld %ld", &size, &res) == 2;
  fclose(f);
  return ok ? res * (sysconf(_SC_PAGESIZE) / 1024) : 0;
}

/* Allocates (and touches) its blocks at the same time as the others, then
 * frees all but every KEEP-th. */
static void *burst(void *arg) {
  void **v = arg;
  pthread_barrier_wait(&barrier);
  for (int i = 0; i < BLOCKS; i++) {
    v[i] = malloc(BLOCK);
    if (v[i])
      memset(v[i], 0x5a, BLOCK);
  }
  pthread_barrier_wait(&barrier);
  for (int i = 0; i < BLOCKS; i++)
    if (i % KEEP) {
      free(v[i]);
      v[i] = NULL;
    }
  return NULL;
}

static void run_burst(void) {
  pthread_t th[THREADS];
  pthread_barrier_init(&barrier, NULL, THREADS);
  for (int t = 0; t < THREADS; t++)
    ASSERT(pthread_create(&th[t], NULL, burst, blocks[t]) == 0);
  for (int t = 0; t < THREADS; t++)
    pthread_join(th[t], NULL);
  pthread_barrier_destroy(&barrier);
}

static void free_kept(void) {
  for (int t = 0; t < THREADS; t++)
    for (int i = 0; i < BLOCKS; i++) {
      free(blocks[t][i]);
      blocks[t][i] = NULL;
    }
}

static decc_node *make_node(const char *trim_kib) {
  decc_node_config cfg;
  decc_node_config_init(&cfg);
  decc_err err;
  decc_node *n = NULL;
  if (decc_node_config_set(&cfg, "home", decc_test_tmpdir(), &err) ||
      decc_node_config_set(&cfg, "roles", "none", &err) ||
      decc_node_config_set(&cfg, "malloc_trim_kib", trim_kib, &err) ||
      decc_node_create(&n, &cfg, NULL, NULL, &err)) {
    decc_node_config_clear(&cfg);
    decc_test_fail(__FILE__, __LINE__, "node: %s", err.msg);
    return NULL;
  }
  decc_node_config_clear(&cfg);
  return n;
}

/* The free bytes glibc reports, or 0 when its allocator is not the one in
 * use (the burst then shows nowhere). */
static size_t glibc_free_after_burst(void) {
#ifdef __GLIBC__
  struct mallinfo2 mi = mallinfo2();
  size_t freed = (size_t)THREADS * BLOCKS * BLOCK / KEEP * (KEEP - 1);
  return mi.fordblks >= freed / 2 ? mi.fordblks : 0;
#else
  return 0;
#endif
}

TEST(tick_gives_free_memory_back) {
  decc_node *n = make_node("1024");
  ASSERT(n != NULL);
  run_burst();
  size_t fr = glibc_free_after_burst();
  long before = rss_kib();
  int trimmed = decc__node_memory_tick(n);
  long after = rss_kib();
  int again = decc__node_memory_tick(n);
  printf("  free in the arenas %zu KiB; RSS %ld -> %ld KiB; trimmed %d, "
         "then %d\n",
         fr / 1024, before, after, trimmed, again);
  if (!fr) {
    /* ASan / valgrind: their allocator, not glibc's arenas */
    ASSERT_EQ(trimmed, 0);
  } else {
    ASSERT_EQ(trimmed, 1);
    /* 60 MiB freed in runs of 30 KiB (7 whole pages each, of 7.5):
     * at least a quarter of it must leave the resident set */
    long freed_kib = (long)THREADS * BLOCKS * BLOCK / KEEP * (KEEP - 1) / 1024;
    ASSERT(before - after >= freed_kib / 4);
    ASSERT_EQ(again, 0); /* nothing changed since */
    ASSERT_EQ(n->mem.trims, 1);
    ASSERT(n->mem.released_kib >= (uint64_t)freed_kib / 4);
  }
  free_kept();
  decc_node_destroy(n);
}

TEST(no_trim_when_off) {
  decc_node *n = make_node("0");
  ASSERT(n != NULL);
  run_burst();
  size_t fr = glibc_free_after_burst();
  long before = rss_kib();
  int trimmed = decc__node_memory_tick(n);
  long after = rss_kib();
  printf("  free in the arenas %zu KiB; RSS %ld -> %ld KiB\n", fr / 1024,
         before, after);
  ASSERT_EQ(trimmed, 0);
  ASSERT_EQ(n->mem.trims, 0);
  if (fr) /* the freed pages stayed resident */
    ASSERT(after > before - 1024);
  free_kept();
  decc_node_destroy(n);
}
