/*
 * misuse_check.h — what the per-layer test_misuse*.c files share: a misuse
 * handler that records each report (decc_set_misuse_handler, common.h) and
 * assertions that a call with a broken contract (a required pointer NULL,
 * an impossible length) was reported once, under the called function's own
 * name, and returned the failure value its header documents — without
 * crashing (each test runs in a forked child: a crash fails the test).
 *
 *   MISUSE_BEGIN();                       installs the recording handler
 *   EXPECT_MISUSE(want, fn, args...)      fn(args) == want, one report by fn
 *   EXPECT_MISUSE_NULL(fn, args...)       fn(args) == NULL, one report by fn
 *   EXPECT_MISUSE_VOID(fn, args...)       fn(args) returns, one report by fn
 *   EXPECT_OK_NO_MISUSE(expr)             expr returns DECC_OK, no report
 *   EXPECT_NO_MISUSE(stmt)                stmt (a void call) runs, no report
 */
#ifndef DECC_MISUSE_CHECK_H
#define DECC_MISUSE_CHECK_H

#include <stdio.h>

#include "decc/common.h"
#include "test.h"

typedef struct {
  int calls;
  char func[96];
  char what[160];
} misuse_seen;

static misuse_seen g_misuse;

static void misuse_record(const char *func, const char *what, void *ud) {
  misuse_seen *s = ud;
  s->calls++;
  snprintf(s->func, sizeof s->func, "%s", func);
  snprintf(s->what, sizeof s->what, "%s", what);
}

#define MISUSE_BEGIN() decc_set_misuse_handler(misuse_record, &g_misuse)

/* (the calls are counted before and after: exactly one report, and by the
 * function called, not by a helper further down) */
#define EXPECT_MISUSE(want, fn, ...)                                           \
  do {                                                                         \
    int before_ = g_misuse.calls;                                              \
    ASSERT_EQ(fn(__VA_ARGS__), (want));                                        \
    ASSERT_EQ(g_misuse.calls, before_ + 1);                                    \
    ASSERT_STR_EQ(g_misuse.func, #fn);                                         \
  } while (0)

#define EXPECT_MISUSE_NULL(fn, ...)                                            \
  do {                                                                         \
    int before_ = g_misuse.calls;                                              \
    ASSERT(fn(__VA_ARGS__) == NULL);                                           \
    ASSERT_EQ(g_misuse.calls, before_ + 1);                                    \
    ASSERT_STR_EQ(g_misuse.func, #fn);                                         \
  } while (0)

#define EXPECT_MISUSE_VOID(fn, ...)                                            \
  do {                                                                         \
    int before_ = g_misuse.calls;                                              \
    fn(__VA_ARGS__);                                                           \
    ASSERT_EQ(g_misuse.calls, before_ + 1);                                    \
    ASSERT_STR_EQ(g_misuse.func, #fn);                                         \
  } while (0)

#define EXPECT_OK_NO_MISUSE(expr)                                              \
  do {                                                                         \
    int before_ = g_misuse.calls;                                              \
    ASSERT_OK(expr);                                                           \
    ASSERT_EQ(g_misuse.calls, before_);                                        \
  } while (0)

#define EXPECT_NO_MISUSE(stmt)                                                 \
  do {                                                                         \
    int before_ = g_misuse.calls;                                              \
    stmt;                                                                      \
    ASSERT_EQ(g_misuse.calls, before_);                                        \
  } while (0)

#endif
