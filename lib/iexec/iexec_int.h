/*
 * iexec_int.h — helpers shared by the iExec format files (dataset.c,
 * result.c, rsa.c); not part of the public API.
 */
#ifndef DECC_IEXEC_INT_H
#define DECC_IEXEC_INT_H

#include <stdint.h>

#include "core/internal.h"
#include "decc/common.h"

/* Atomic output files (decc__atomic_*) and decc__write_all are core's:
 * lib/core/internal.h. */

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
