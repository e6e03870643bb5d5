/*
 * test.h — decc's small C test harness.
 *
 * A test file defines functions with TEST(name) { ... }; they register
 * themselves at load time and harness.c's main runs them all (or those
 * whose name contains argv[1]), each in a forked child so a crash fails one
 * test instead of the run. Assertions print both sides and end the test.
 * The run closes with "N passed, N failed" (the line CI reads).
 */
#ifndef DECC_TEST_H
#define DECC_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*decc_test_fn)(void);
void decc_test_register(const char *name, decc_test_fn fn);
/* Marks the current test failed (used by the assertion macros). */
void decc_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Returns a path under tests/vectors. Memory returned by this and the
 * helpers below is heap memory the test may free (or not: it is excluded
 * from leak reports). */
const char *decc_test_vector_path(const char *rel);
/* Reads a whole file into a heap buffer (NUL-terminated). Returns NULL and
 * fails the test if it cannot. */
char *decc_test_read_file(const char *path, size_t *len);
/* Creates a fresh temporary directory for the test; returns its path. */
const char *decc_test_tmpdir(void);
/* Marks the current test skipped because something it needs is missing
 * (reason: what, e.g. "the sandbox needs root"). Under CI=true that is a
 * failure instead: CI must provide everything. A binary with a skipped test
 * and no failure exits 77, which ctest reports as Skipped — never Passed.
 * The test must return right after (NEED_ROOT does). */
void decc_test_skip(const char *reason);
/* Decodes hex into a heap buffer (test helper). */
uint8_t *decc_test_unhex(const char *hex, size_t *len);

#define TEST(name)                                                             \
  static void name(void);                                                      \
  __attribute__((constructor)) static void name##_register(void) {             \
    decc_test_register(#name, name);                                           \
  }                                                                            \
  static void name(void)

/* Skips (or, under CI, fails) the current test unless it runs as root (the
 * file includes <unistd.h>; test.h does not, to keep its names out): the
 * enclave sandbox needs namespaces, mounts and cgroups. */
#define NEED_ROOT()                                                            \
  do {                                                                         \
    if (geteuid() != 0) {                                                      \
      decc_test_skip("the sandbox needs root");                                \
      return;                                                                  \
    }                                                                          \
  } while (0)

#define ASSERT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      decc_test_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);       \
      return;                                                                  \
    }                                                                          \
  } while (0)

#define ASSERT_EQ(a, b)                                                        \
  do {                                                                         \
    long long _a = (long long)(a), _b = (long long)(b);                        \
    if (_a != _b) {                                                            \
      decc_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, _a, \
                     _b);                                                      \
      return;                                                                  \
    }                                                                          \
  } while (0)

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    int _st = (int)(expr);                                                     \
    if (_st != 0) {                                                            \
      decc_test_fail(__FILE__, __LINE__, "%s returned %d (expected 0)", #expr, \
                     _st);                                                     \
      return;                                                                  \
    }                                                                          \
  } while (0)

#define ASSERT_STR_EQ(a, b)                                                    \
  do {                                                                         \
    const char *_a = (a), *_b = (b);                                           \
    if (!_a || !_b || strcmp(_a, _b) != 0) {                                   \
      decc_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
                     _a ? _a : "(null)", _b ? _b : "(null)");                  \
      return;                                                                  \
    }                                                                          \
  } while (0)

#define ASSERT_MEM_EQ(a, b, n)                                                 \
  do {                                                                         \
    if (memcmp((a), (b), (n)) != 0) {                                          \
      decc_test_fail(__FILE__, __LINE__, "%s == %s: %zu bytes differ", #a, #b, \
                     (size_t)(n));                                             \
      return;                                                                  \
    }                                                                          \
  } while (0)

#endif
