/*
 * runtime_io.c — what the runtime's phases share for files and content:
 * the monotonic clock, tree removal and path joins, fetching a URL from
 * the content store (CID-verified) or over http(s) into a file or buffer,
 * and adding a result file to the store.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/bundle.h"
#include "decc/cid.h"
#include "decc/dataset.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "decc/result.h"
#include "decc/sandbox.h"
#include "decc/session.h"
#include "decc/store.h"
#include "enclave/enclave_int.h"

/* ---- fetching ---------------------------------------------------------------- */

typedef struct sink {
  int fd;
  decc_buf *buf;
  uint64_t n, max;
} sink;

static decc_status sink_write(void *ud, const uint8_t *p, size_t n,
                              decc_err *err) {
  sink *s = ud;
  if (s->n + n > s->max)
    return decc_err_set(err, DECC_E_LIMIT, "content larger than %llu bytes",
                        (unsigned long long)s->max);
  s->n += n;
  if (s->buf)
    return decc_buf_append(s->buf, p, n);
  while (n) {
    ssize_t w = write(s->fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return decc_err_set(err, DECC_E_IO, "write failed: %s", strerror(errno));
    }
    p += w;
    n -= (size_t)w;
  }
  return DECC_OK;
}

/* Parses "/ipfs/<cid>", "/p2p/<cid>" or "ipfs://<cid>". Returns 1 if url
 * names store content. */
static int ipfs_cid(decc_cid *cid, const char *url) {
  const char *c = NULL;
  if (!strncmp(url, "/ipfs/", 6))
    c = url + 6;
  else if (!strncmp(url, "/p2p/", 5))
    c = url + 5;
  else if (!strncmp(url, "ipfs://", 7))
    c = url + 7;
  if (!c)
    return 0;
  char tmp[DECC_CID_STR_MAX];
  size_t n = strcspn(c, "/?#");
  if (n == 0 || n >= sizeof tmp)
    return 0;
  memcpy(tmp, c, n);
  tmp[n] = 0;
  return decc_cid_parse(cid, tmp, NULL) == DECC_OK;
}

decc_status decc__enclave_fetch(const decc_enclave_store *store,
                                const char *url, int fd, decc_buf *buf,
                                uint64_t max, long timeout_s, decc_err *err) {
  sink s = {fd, buf, 0, max};
  decc_cid cid;
  if (ipfs_cid(&cid, url)) {
    if (store && store->bs)
      return decc_store_cat(store->bs, &cid, 0, UINT64_MAX, sink_write, &s,
                            err);
    if (store && store->ipfs_api_url)
      return decc_kubo_cat(store->ipfs_api_url, &cid, 1, sink_write, &s,
                           timeout_s, err);
    return decc_err_set(err, DECC_E_INVALID, "no content store configured");
  }
  if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "unsupported URL scheme (only /ipfs/ and http(s))");
  decc_http_reply r;
  decc_status st = decc_http_fetch(&r, "GET", url, NULL, NULL, 0,
                                   (size_t)(max < SIZE_MAX / 2 ? max : 0),
                                   timeout_s * 1000, err);
  if (!st && (r.status < 200 || r.status > 299))
    st = decc_err_set(err, DECC_E_NETWORK, "HTTP %ld", r.status);
  if (!st)
    st = sink_write(&s, r.body.data, r.body.len, err);
  decc_buf_clear(&r.body);
  return st;
}

decc_status decc__enclave_upload(const decc_enclave_store *store,
                                 const char *path, char *cid_out, size_t cap,
                                 decc_err *err) {
  decc_cid cid;
  decc_status st;
  if (store && store->bs) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return decc_err_set(err, DECC_E_IO, "cannot open the result archive");
    st = decc_store_add_fd(store->bs, &cid, NULL, NULL, fd, path, 1, err);
    close(fd);
  } else if (store && store->ipfs_api_url) {
    decc_kubo_add_opts o = {0, -1, 1, 300};
    st = decc_kubo_add_file(store->ipfs_api_url, path, &o, &cid, NULL, err);
  } else {
    return decc_err_set(err, DECC_E_INVALID, "no content store configured");
  }
  if (st)
    return st;
  return decc_cid_to_string(cid_out, cap, &cid);
}
