/*
 * misuse.c — what happens when a caller breaks an API contract.
 *
 * A NULL where a function documents a required pointer is a bug in the
 * caller, not bad input. libsecp256k1's answer is an "illegal argument"
 * callback the application can replace; decc does the same, but the default
 * reports and returns (DECC_E_INVALID, NULL or 0) instead of aborting: the
 * library is embedded in long-running nodes, where a bug in one request's
 * path must not take down every other request. An application that prefers
 * to stop at the first misuse installs a handler that aborts (the tests do:
 * they count the reports).
 */
#include <pthread.h>
#include <stdio.h>

#include "core/internal.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static decc_misuse_fn g_fn; /* NULL: the default report to stderr */
static void *g_ud;

void decc_set_misuse_handler(decc_misuse_fn fn, void *ud) {
  pthread_mutex_lock(&g_lock);
  g_fn = fn;
  g_ud = ud;
  pthread_mutex_unlock(&g_lock);
}

void decc__misuse(const char *func, const char *what) {
  pthread_mutex_lock(&g_lock);
  decc_misuse_fn fn = g_fn;
  void *ud = g_ud;
  pthread_mutex_unlock(&g_lock);
  if (fn)
    fn(func, what, ud);
  else
    fprintf(stderr, "decc: API misuse: %s called with %s false\n", func, what);
}
