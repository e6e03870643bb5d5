/*
 * pd_file.c — binary values backed by a file: what lets `protect` stream a
 * value of any size with constant memory.
 *
 * The node keeps the path, the size and modification time seen when it
 * was added, and the first bytes (all MIME sniffing reads). Serializing it
 * needs the value's CRC-32 before its bytes, because the zip local header
 * carries the CRC and JSZip (whose layout decc reproduces byte for byte)
 * writes no data descriptor. So the file is read twice: a CRC pass, then
 * the data pass that feeds the sink. The second read comes from the page
 * cache for any file that fits in memory, and the CRC pass of a large file
 * is split in two halves computed on two threads, joined with the CRC
 * combination rule (CRC is linear over GF(2): CRC(A‖B) = CRC(A)·x^(8|B|)
 * mod P xor CRC(B), with the pre/post inversions cancelling out).
 * A file modified between the passes would yield a zip whose CRC does not
 * match its bytes; size and modification time are checked before, between
 * and after the passes, and a change fails the serialization.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/mem.h"
#include "protect_int.h"

#define PIECE (1u << 20)        /* read size of both passes */
#define SPLIT_MIN (16ull << 20) /* below this the CRC pass is one thread */

/* ---- nodes ----------------------------------------------------------------- */

static int64_t mtime_ns(const struct stat *sb) {
  return (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
}

static decc_status read_at(int fd, uint8_t *buf, size_t n, uint64_t off,
                           size_t *got) {
  *got = 0;
  while (*got < n) {
    ssize_t r = pread(fd, buf + *got, n - *got, (off_t)(off + *got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      return DECC_E_IO;
    if (r == 0)
      break;
    *got += (size_t)r;
  }
  return DECC_OK;
}

decc_status decc__pd_node_file(decc_pd **out, const char *path, decc_err *err) {
  *out = NULL;
  if (!path || !*path)
    return decc_err_set(err, DECC_E_INVALID, "missing file path");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
  struct stat sb;
  decc_status st = DECC_OK;
  if (fstat(fd, &sb) != 0)
    st = decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
  else if (!S_ISREG(sb.st_mode))
    st = decc_err_set(err, DECC_E_IO, "%s: not a regular file", path);
  /* No size limit: 4 GiB or more is written with zip64 (serialize.c). */
  decc_pd *n = NULL;
  if (!st) {
    size_t span = decc__pd_mime_span();
    size_t head = (uint64_t)sb.st_size < span ? (size_t)sb.st_size : span;
    n = decc__pd_node_new(DECC_PD_BINARY);
    if (n) {
      n->u.bytes.data = decc_malloc(head + 1);
      n->file = decc_strdup(path);
    }
    size_t got = 0;
    if (!n || !n->u.bytes.data || !n->file)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    else if (read_at(fd, n->u.bytes.data, head, 0, &got) != DECC_OK)
      st = decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
    else if (got != head)
      st = decc_err_set(err, DECC_E_STATE, "%s: shrank while being read", path);
    if (!st) {
      n->u.bytes.data[head] = 0;
      n->u.bytes.len = head;
      n->file_len = (uint64_t)sb.st_size;
      n->file_mtime_ns = mtime_ns(&sb);
    }
  }
  close(fd);
  if (st) {
    decc__pd_node_free(n);
    return st;
  }
  *out = n;
  return DECC_OK;
}

decc_status decc_pd_add_binary_file(decc_pd *obj, const char *key,
                                    const char *path, decc_err *err) {
  DECC_ARG_CHECK(obj != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(path != NULL);
  decc_pd *n;
  decc_status st = decc__pd_node_file(&n, path, err);
  if (st)
    return st;
  return decc__pd_insert(obj, key, strlen(key), n, 1, err);
}

/* ---- streaming -------------------------------------------------------------- */

typedef struct crc_job {
  int fd;
  uint64_t off, len;
  uint32_t crc;
  decc_status st; /* DECC_E_IO (errno in err_no), DECC_E_STATE (short) */
  int err_no;
  uint8_t *buf;
} crc_job;

static void crc_range(crc_job *j) {
  j->crc = 0;
  uint64_t done = 0;
  while (done < j->len && !j->st) {
    size_t want = j->len - done < PIECE ? (size_t)(j->len - done) : PIECE;
    size_t got;
    if (read_at(j->fd, j->buf, want, j->off + done, &got) != DECC_OK) {
      j->st = DECC_E_IO;
      j->err_no = errno;
    } else if (got != want) {
      j->st = DECC_E_STATE;
    } else {
      j->crc = decc__crc32(j->crc, j->buf, got);
      done += got;
    }
  }
}

static void *crc_thread(void *arg) {
  crc_range(arg);
  return NULL;
}

/* CRC-32 of the first len bytes of fd; buf: PIECE bytes. */
static decc_status file_crc(int fd, uint64_t len, uint8_t *buf, uint32_t *crc,
                            int *err_no) {
  crc_job a = {.fd = fd, .off = 0, .len = len, .buf = buf};
  crc_job b = {.fd = fd};
  pthread_t th;
  int two = 0;
  if (len >= SPLIT_MIN) {
    uint64_t half = (len / 2) & ~(uint64_t)(PIECE - 1);
    b.off = half;
    b.len = len - half;
    b.buf = decc_malloc(PIECE);
    if (b.buf && pthread_create(&th, NULL, crc_thread, &b) == 0) {
      two = 1;
      a.len = half;
    }
  }
  crc_range(&a);
  if (two)
    pthread_join(th, NULL);
  decc_free(b.buf);
  decc_status st = a.st ? a.st : two ? b.st : DECC_OK;
  *err_no = a.st ? a.err_no : b.err_no;
  if (!st)
    *crc = two ? decc__crc32_combine(a.crc, b.crc, b.len) : a.crc;
  return st;
}

decc_status
decc__pd_file_stream(const decc_pd *n, decc__pd_begin_fn begin, void *begin_ctx,
                     decc_status (*sink)(void *ctx, const void *p, size_t len),
                     void *sink_ctx, decc_err *err) {
  const char *path = n->file;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
  (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  uint8_t *buf = decc_malloc(PIECE);
  struct stat sb;
  decc_status st = DECC_OK;
  int err_no = 0;
  uint32_t crc = 0;
  if (!buf)
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  else if (fstat(fd, &sb) != 0)
    st = decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
  else if ((uint64_t)sb.st_size != n->file_len ||
           mtime_ns(&sb) != n->file_mtime_ns)
    st = decc_err_set(err, DECC_E_STATE,
                      "%s changed since it was added to the data object; "
                      "add it again",
                      path);
  else if ((st = file_crc(fd, n->file_len, buf, &crc, &err_no)))
    st = st == DECC_E_IO
             ? decc_err_set(err, st, "%s: %s", path, strerror(err_no))
             : decc_err_set(err, st, "%s shrank while being read", path);
  if (!st)
    st = begin(begin_ctx, crc);
  uint64_t done = 0;
  while (!st && done < n->file_len) {
    size_t want =
        n->file_len - done < PIECE ? (size_t)(n->file_len - done) : PIECE;
    size_t got;
    if (read_at(fd, buf, want, done, &got) != DECC_OK)
      st = decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
    else if (got != want)
      st = decc_err_set(err, DECC_E_STATE, "%s shrank while being read", path);
    else {
      st = sink(sink_ctx, buf, got);
      done += got;
    }
  }
  struct stat sb2;
  if (!st && (fstat(fd, &sb2) != 0 || sb2.st_size != sb.st_size ||
              mtime_ns(&sb2) != mtime_ns(&sb)))
    st = decc_err_set(err, DECC_E_STATE,
                      "%s changed while being protected; try again", path);
  close(fd);
  decc_free(buf);
  return st;
}
