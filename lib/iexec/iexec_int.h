/*
 * iexec_int.h — helpers shared by the iExec format files (dataset.c,
 * result.c, rsa.c); not part of the public API.
 */
#ifndef DECC_IEXEC_INT_H
#define DECC_IEXEC_INT_H

#include <stdint.h>

#include "decc/common.h"

/* A file being written atomically: a temporary file in the destination's
 * directory that becomes `path` only on commit. */
typedef struct decc__atomic_file {
  int fd;     /* write here; -1 when not open */
  char *tmp;  /* temporary path (heap) */
  char *path; /* final path (heap) */
} decc__atomic_file;

/* Creates the temporary file (mode `mode`, applied before any byte is
 * written). Returns: DECC_OK or DECC_E_IO / DECC_E_NOMEM (err names the
 * path). On failure af is left closed. */
decc_status decc__atomic_open(decc__atomic_file *af, const char *path,
                              unsigned mode, decc_err *err);
/* fsyncs, closes and renames the temporary file over path. On failure the
 * temporary file is removed. Either way af is closed afterwards. */
decc_status decc__atomic_commit(decc__atomic_file *af, decc_err *err);
/* Closes and removes the temporary file (no-op when not open). */
void decc__atomic_abort(decc__atomic_file *af);

/* Writes all n bytes to fd (retrying short writes and EINTR).
 * Returns: DECC_OK or DECC_E_IO (errno preserved). */
decc_status decc__write_all(int fd, const void *p, size_t n);

/* Returns: 0666 & ~umask (read without changing the umask for good). */
unsigned decc__default_file_mode(void);

/* Lenient base64 decoding exactly as Node.js's Buffer.from(s, 'base64'):
 * characters outside both the standard and URL-safe alphabets are skipped,
 * decoding stops at the first '=', and a trailing group of 2 or 3 symbols
 * yields 1 or 2 bytes (a lone symbol yields nothing). Used only for the
 * legacy result format, which the SDK decodes this way. */
typedef struct decc__b64_lenient {
  uint32_t acc; /* private */
  int nsym;     /* symbols in acc */
  int stopped;  /* '=' seen */
} decc__b64_lenient;
void decc__b64_lenient_init(decc__b64_lenient *d);
/* Decodes n characters; writes at most (n / 4 + 1) * 3 bytes to out.
 * Returns: bytes written. */
size_t decc__b64_lenient_update(decc__b64_lenient *d, uint8_t *out,
                                const char *in, size_t n);
/* Flushes a trailing partial group. Writes at most 2 bytes.
 * Returns: bytes written. */
size_t decc__b64_lenient_final(decc__b64_lenient *d, uint8_t *out);

#endif
