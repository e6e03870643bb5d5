/*
 * harness.c — runner for TEST() functions: forks one child per test (so a
 * crash or an abort fails only that test), enforces a per-test timeout
 * (DECC_TEST_TIMEOUT seconds, default 300), prints one TAP-style line per
 * test and closes with "N passed, N failed".
 */
#include "test.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TESTS 1024

/* Under AddressSanitizer each test child runs LeakSanitizer when the test
 * returns (children leave with _exit, which skips LSan's exit hook), so a
 * leak in the library fails the test that caused it. Memory handed out by
 * the helpers below is excluded from the reports. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define DECC_HAVE_LSAN 1
#endif

/* Buffers returned by the helpers below may be freed by the test or not:
 * they are excluded from leak reports either way. */
/* Keeps them reachable for valgrind (external, so the stores stay). */
void *decc_test_kept[4096];
size_t decc_test_nkept;
static void own(void *p) {
  if (p && decc_test_nkept < sizeof decc_test_kept / sizeof decc_test_kept[0])
    decc_test_kept[decc_test_nkept++] = p;
#ifdef DECC_HAVE_LSAN
  if (p)
    __lsan_ignore_object(p);
#endif
}

static struct {
  const char *name;
  decc_test_fn fn;
} g_tests[MAX_TESTS];
static int g_ntests;
static int g_failed_in_child;
static int g_skipped_in_child;
static char g_tmpdir[512];

void decc_test_register(const char *name, decc_test_fn fn) {
  if (g_ntests < MAX_TESTS) {
    g_tests[g_ntests].name = name;
    g_tests[g_ntests].fn = fn;
    g_ntests++;
  }
}

void decc_test_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "    %s:%d: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  g_failed_in_child = 1;
}

void decc_test_skip(const char *reason) {
  const char *ci = getenv("CI");
  if (ci && !strcmp(ci, "true")) {
    fprintf(
        stderr,
        "    cannot run: %s (CI=true: a missing requirement is a failure)\n",
        reason);
    g_failed_in_child = 1;
    return;
  }
  printf("    skipped: %s\n", reason);
  g_skipped_in_child = 1;
}

const char *decc_test_vector_path(const char *rel) {
  size_t n = strlen(DECC_VECTORS_DIR) + strlen(rel) + 2;
  char *p = malloc(n);
  if (!p)
    abort();
  snprintf(p, n, "%s/%s", DECC_VECTORS_DIR, rel);
  own(p);
  return p;
}

char *decc_test_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    decc_test_fail(__FILE__, __LINE__, "cannot open %s: %s", path,
                   strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap + 1);
    }
    size_t r = fread(buf + n, 1, cap - n, f);
    if (r == 0)
      break;
    n += r;
  }
  fclose(f);
  buf[n] = 0;
  if (len)
    *len = n;
  own(buf);
  return buf;
}

const char *decc_test_tmpdir(void) {
  if (!g_tmpdir[0]) {
    const char *base = getenv("TMPDIR");
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/decc-test-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(g_tmpdir)) {
      perror("mkdtemp");
      abort();
    }
  }
  return g_tmpdir;
}

uint8_t *decc_test_unhex(const char *hex, size_t *len) {
  if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
    hex += 2;
  size_t n = strlen(hex) / 2;
  uint8_t *out = malloc(n + 1);
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1)
      abort();
    out[i] = (uint8_t)v;
  }
  if (len)
    *len = n;
  own(out);
  return out;
}

static void remove_tree(const char *path) {
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
  if (system(cmd) != 0)
    fprintf(stderr, "warning: could not remove %s\n", path);
}

int main(int argc, char **argv) {
  const char *filter = argc > 1 ? argv[1] : NULL;
  const char *to = getenv("DECC_TEST_TIMEOUT");
  int timeout = to ? atoi(to) : 300;
  int passed = 0, failed = 0, skipped = 0, idx = 0;
  setvbuf(stdout, NULL, _IONBF, 0);
  for (int i = 0; i < g_ntests; i++) {
    if (filter && !strstr(g_tests[i].name, filter))
      continue;
    idx++;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 2;
    }
    if (pid == 0) {
      alarm((unsigned)timeout);
      g_tmpdir[0] = 0;
      g_tests[i].fn();
      if (g_tmpdir[0])
        remove_tree(g_tmpdir);
#ifdef DECC_HAVE_LSAN
      const char *lk = getenv("DECC_TEST_LEAKS");
      if ((!lk || strcmp(lk, "0") != 0) && __lsan_do_recoverable_leak_check()) {
        fprintf(stderr,
                "    leak detected (see the LeakSanitizer report above)\n");
        g_failed_in_child = 1;
      }
#endif
      fflush(stdout);
      fflush(stderr);
      _exit(g_failed_in_child ? 1 : g_skipped_in_child ? 77 : 0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
      ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      printf("ok %d - %s\n", idx, g_tests[i].name);
      passed++;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
      printf("ok %d - %s # SKIP\n", idx, g_tests[i].name);
      skipped++;
    } else {
      if (WIFSIGNALED(status))
        printf("not ok %d - %s (signal %d%s)\n", idx, g_tests[i].name,
               WTERMSIG(status),
               WTERMSIG(status) == SIGALRM ? ", timeout" : "");
      else
        printf("not ok %d - %s\n", idx, g_tests[i].name);
      failed++;
    }
  }
  printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  /* A skipped test makes the binary Skipped for ctest (77), never Passed. */
  return failed ? 1 : skipped ? 77 : 0;
}
