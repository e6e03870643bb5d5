/*
 * tsm.c — TDX quotes from inside a TDX guest through Linux's configfs-tsm
 * report interface (Documentation/ABI/testing/configfs-tsm, Linux ≥ 6.7):
 *
 *   mkdir /sys/kernel/config/tsm/report/<entry>
 *   write 64 bytes of report data to <entry>/inblob
 *   read <entry>/generation, <entry>/outblob (the quote, made by the TD's
 *        quoting path), <entry>/generation again: equal means no other
 *        writer changed inblob in between
 *   read <entry>/provider: "tdx_guest"
 *   rmdir <entry>
 *
 * Only tested here against a stand-in directory holding a real quote: this
 * machine is not a TDX guest (docs/internals/dcap.md says how an operator
 * checks it on a TDX VM).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "dcap/dcap_int.h"
#include "decc/mem.h"

/* Reads a whole attribute file (at most max bytes). */
static decc_status read_attr(uint8_t **out, size_t *len, const char *dir,
                             const char *name, size_t max, decc_err *err) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO,
                        "tsm: cannot open %s (%s): not a TDX guest with "
                        "configfs-tsm?",
                        path, strerror(errno));
  uint8_t *buf = decc_malloc(max + 1);
  size_t n = 0;
  decc_status st =
      buf ? DECC_OK : decc_err_set(err, DECC_E_NOMEM, "out of memory");
  while (!st) {
    ssize_t r = read(fd, buf + n, max + 1 - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      st = decc_err_set(err, DECC_E_IO, "tsm: reading %s: %s", path,
                        strerror(errno));
    else if (r == 0)
      break;
    else if ((n += (size_t)r) > max)
      st = decc_err_set(err, DECC_E_LIMIT, "tsm: %s exceeds %zu bytes", path,
                        max);
  }
  close(fd);
  if (st) {
    decc_free(buf);
    return st;
  }
  buf[n] = 0;
  *out = buf;
  *len = n;
  return DECC_OK;
}

decc_status decc_tdx_tsm_quote_entry(uint8_t **quote, size_t *len,
                                     const char *entry_dir,
                                     const uint8_t report_data64[64],
                                     decc_err *err) {
  DECC_ARG_CHECK(quote != NULL);
  DECC_ARG_CHECK(len != NULL);
  DECC_ARG_CHECK(entry_dir != NULL);
  DECC_ARG_CHECK(report_data64 != NULL);
  *quote = NULL;
  *len = 0;
  char path[4200];
  if (strlen(entry_dir) > 4000)
    return decc_err_set(err, DECC_E_INVALID, "tsm: path too long");
  uint8_t *prov = NULL, *g1 = NULL, *g2 = NULL, *blob = NULL;
  size_t pl, g1l, g2l, bl;
  decc_status st = read_attr(&prov, &pl, entry_dir, "provider", 64, err);
  if (st)
    return st;
  int tdx = pl >= 9 && !memcmp(prov, "tdx_guest", 9) &&
            (pl == 9 || (pl == 10 && prov[9] == '\n'));
  decc_free(prov);
  if (!tdx)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "tsm: provider is not tdx_guest (another TEE?)");
  snprintf(path, sizeof path, "%s/inblob", entry_dir);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO, "tsm: cannot open %s: %s", path,
                        strerror(errno));
  ssize_t w;
  do
    w = write(fd, report_data64, 64);
  while (w < 0 && errno == EINTR);
  int bad = w != 64;
  if (close(fd) != 0)
    bad = 1;
  if (bad)
    return decc_err_set(err, DECC_E_IO, "tsm: writing the report data failed");
  if ((st = read_attr(&g1, &g1l, entry_dir, "generation", 32, err)) ||
      (st = read_attr(&blob, &bl, entry_dir, "outblob", DECC_DCAP_QUOTE_MAX,
                      err)) ||
      (st = read_attr(&g2, &g2l, entry_dir, "generation", 32, err)))
    goto out;
  if (g1l != g2l || memcmp(g1, g2, g1l)) {
    st = decc_err_set(err, DECC_E_STATE,
                      "tsm: the entry was written by someone else during the "
                      "request; retry");
    goto out;
  }
  decc_dcap_quote q;
  decc_err e2;
  e2.msg[0] = 0; /* a quote that parses (SGX) leaves e2 unwritten */
  if (decc_dcap_quote_parse(&q, blob, bl, &e2) != DECC_OK ||
      q.tee_type != DECC_DCAP_TEE_TDX) {
    st = decc_err_set(err, DECC_E_PARSE, "tsm: outblob is not a TDX quote (%s)",
                      e2.msg[0] ? e2.msg : "SGX quote");
    goto out;
  }
  if (memcmp(q.td.report_data, report_data64, 64)) {
    st = decc_err_set(err, DECC_E_STATE,
                      "tsm: the quote carries other report data; retry");
    goto out;
  }
  *quote = blob;
  *len = bl;
  blob = NULL;
out:
  decc_free(g1);
  decc_free(g2);
  decc_free(blob);
  return st;
}

decc_status decc_tdx_tsm_quote(uint8_t **quote, size_t *len,
                               const char *tsm_dir,
                               const uint8_t report_data64[64], decc_err *err) {
  DECC_ARG_CHECK(quote != NULL);
  DECC_ARG_CHECK(len != NULL);
  DECC_ARG_CHECK(report_data64 != NULL);
  *quote = NULL;
  *len = 0;
  if (!tsm_dir)
    tsm_dir = DECC_TSM_REPORT_DIR;
  if (strlen(tsm_dir) > 3900)
    return decc_err_set(err, DECC_E_INVALID, "tsm: path too long");
  uint8_t rnd[8];
  if (decc_random_bytes(rnd, sizeof rnd) != DECC_OK)
    return decc_err_set(err, DECC_E_CRYPTO, "tsm: no randomness");
  char entry[4000];
  snprintf(entry, sizeof entry, "%s/decc-%ld-%02x%02x%02x%02x%02x%02x%02x%02x",
           tsm_dir, (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
           rnd[5], rnd[6], rnd[7]);
  if (mkdir(entry, 0700) != 0)
    return decc_err_set(err, DECC_E_IO,
                        "tsm: cannot create %s (%s): not a TDX guest with "
                        "configfs-tsm (Linux >= 6.7, /sys/kernel/config "
                        "mounted)?",
                        entry, strerror(errno));
  decc_status st =
      decc_tdx_tsm_quote_entry(quote, len, entry, report_data64, err);
  /* configfs removes the attributes with the directory */
  (void)rmdir(entry);
  return st;
}
