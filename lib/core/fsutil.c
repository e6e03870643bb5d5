/*
 * fsutil.c — the small file-system and clock helpers every layer needs
 * (join a path, create a directory chain, remove a tree, a monotonic clock),
 * written once here instead of once per layer (they were repeated in the
 * enclave, node, store, worker and market files).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/internal.h"
#include "decc/mem.h"

char *decc__path_join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 2;
  char *p = decc_malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", a, b);
  return p;
}

int decc__mkdir_p(const char *path, unsigned mode) {
  char tmp[4096];
  size_t n = strlen(path);
  if (n == 0 || n >= sizeof tmp) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(tmp, path, n + 1);
  /* Create each prefix in turn; an existing directory is fine, an existing
   * non-directory is not (mkdir's EEXIST alone would hide it). */
  for (char *p = tmp + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char c = *p;
    *p = '\0';
    if (mkdir(tmp, (mode_t)mode) != 0) {
      struct stat st;
      if (errno != EEXIST || stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (errno == EEXIST)
          errno = ENOTDIR;
        return -1;
      }
    }
    if (c == '\0')
      return 0;
    *p = c;
  }
}

decc_status decc_mkdir_p(const char *path, unsigned mode, decc_err *err) {
  if (!path || !*path || strlen(path) >= 4096)
    return decc_err_set(err, DECC_E_INVALID,
                        "mkdir: the path is empty or too long (max 4095 "
                        "bytes)");
  if (decc__mkdir_p(path, mode) != 0)
    return decc_err_set(err, DECC_E_IO, "cannot create directory %s: %s", path,
                        strerror(errno));
  return DECC_OK;
}

static int rm_cb(const char *p, const struct stat *sb, int flag,
                 struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(p);
  return 0;
}

void decc__rmtree(const char *path) {
  /* FTW_PHYS: a symlink planted inside the tree is removed, never followed. */
  nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

uint64_t decc__mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

double decc__mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t decc__wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
