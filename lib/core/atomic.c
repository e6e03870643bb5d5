/*
 * atomic.c — files that appear whole or not at all.
 *
 * Every file decc writes for a user or for itself (results, keys, configs,
 * caches, pins) goes through here: the bytes go to a temporary file next to
 * the destination (same filesystem, so the final rename is atomic), the
 * file gets its mode before any byte is written (a secret is never readable
 * by others, not even for a moment), it is fsync'ed, renamed over the
 * destination, and the directory is fsync'ed so that the rename itself
 * survives a power cut. A crash at any point leaves the old file or the new
 * one, never half of one; at worst a ".<name>.tmpXXXXXX" dot-file. This was
 * written about ten times across the layers before it lived here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/mem.h"

decc_status decc__write_all(int fd, const void *p, size_t n) {
  const uint8_t *b = p;
  while (n > 0) {
    ssize_t w = write(fd, b, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (w == 0)
        errno = EIO;
      return DECC_E_IO;
    }
    b += w;
    n -= (size_t)w;
  }
  return DECC_OK;
}

unsigned decc__default_file_mode(void) {
  /* Read the umask from /proc: umask(2) can only read it by setting it,
   * which races with other threads creating files (the node is
   * multi-threaded). Fall back to the strictest common value. */
  unsigned m = 077;
  FILE *f = fopen("/proc/self/status", "re");
  char line[128];
  while (f && fgets(line, sizeof line, f)) {
    unsigned v;
    if (sscanf(line, "Umask: %o", &v) == 1) {
      m = v & 0777;
      break;
    }
  }
  if (f)
    fclose(f);
  return 0666u & ~m;
}

decc_status decc__atomic_open(decc__atomic_file *af, const char *path,
                              unsigned mode, decc_err *err) {
  af->fd = -1;
  af->tmp = NULL;
  af->path = NULL;
  size_t plen = strlen(path);
  if (plen == 0)
    return decc_err_set(err, DECC_E_INVALID, "empty output path");
  /* ".<name>.tmpXXXXXX" next to the destination, so the rename stays on one
   * filesystem and a crash leaves only a dot-file. */
  const char *slash = strrchr(path, '/');
  size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
  af->tmp = decc_malloc(plen + 16);
  af->path = decc_strdup(path);
  if (!af->tmp || !af->path) {
    DECC_FREE(af->tmp);
    DECC_FREE(af->path);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  memcpy(af->tmp, path, dirlen);
  snprintf(af->tmp + dirlen, plen + 16 - dirlen, ".%s.tmpXXXXXX",
           path + dirlen);
  int fd = mkostemp(af->tmp, O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    DECC_FREE(af->tmp);
    DECC_FREE(af->path);
    return decc_err_set(err, DECC_E_IO, "%s: cannot create: %s", path,
                        strerror(e));
  }
  if (fchmod(fd, (mode_t)mode) != 0) {
    int e = errno;
    close(fd);
    unlink(af->tmp);
    DECC_FREE(af->tmp);
    DECC_FREE(af->path);
    return decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(e));
  }
  af->fd = fd;
  return DECC_OK;
}

void decc__atomic_abort(decc__atomic_file *af) {
  if (af->fd >= 0)
    close(af->fd);
  if (af->tmp)
    unlink(af->tmp);
  af->fd = -1;
  DECC_FREE(af->tmp);
  DECC_FREE(af->path);
}

decc_status decc__fsync_parent(const char *path) {
  const char *slash = strrchr(path, '/');
  char dir[4096];
  if (!slash) {
    dir[0] = '.';
    dir[1] = '\0';
  } else {
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir) {
      errno = ENAMETOOLONG;
      return DECC_E_IO;
    }
    memcpy(dir, path, n);
    dir[n] = '\0';
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return DECC_E_IO;
  /* Some filesystems (tmpfs, some FUSE) refuse fsync on a directory with
   * EINVAL: there is nothing more to make durable there. */
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  if (rc != 0 && e != EINVAL) {
    errno = e;
    return DECC_E_IO;
  }
  return DECC_OK;
}

decc_status decc__atomic_commit(decc__atomic_file *af, decc_err *err) {
  const char *what = "fsync";
  if (fsync(af->fd) != 0)
    goto fail;
  what = "close";
  int rc = close(af->fd);
  af->fd = -1;
  if (rc != 0)
    goto fail;
  what = "rename";
  if (rename(af->tmp, af->path) != 0)
    goto fail;
  DECC_FREE(af->tmp);
  /* The new name is in place; make it durable. A failure here is reported
   * (the caller must not claim durability) but the file stays: it is
   * complete and correct, only its survival of a power cut is unsure. */
  decc_status st = decc__fsync_parent(af->path);
  if (st)
    decc_err_set(err, DECC_E_IO, "%s: fsync of its directory failed: %s",
                 af->path, strerror(errno));
  DECC_FREE(af->path);
  return st;
fail:;
  int e = errno;
  decc_err_set(err, DECC_E_IO, "%s: %s failed: %s", af->path, what,
               strerror(e));
  decc__atomic_abort(af);
  return DECC_E_IO;
}

decc_status decc__atomic_write(const char *path, const void *data, size_t n,
                               unsigned mode, decc_err *err) {
  decc__atomic_file af;
  decc_status st = decc__atomic_open(&af, path, mode, err);
  if (st)
    return st;
  if (decc__write_all(af.fd, data, n)) {
    int e = errno;
    decc_err_set(err, DECC_E_IO, "%s: write failed: %s", path, strerror(e));
    decc__atomic_abort(&af);
    return DECC_E_IO;
  }
  return decc__atomic_commit(&af, err);
}
