/*
 * rcpt_int.h — what the files of lib/receipts share and nothing else
 * needs: big-endian helpers, the purpose check, the frame scanner used by
 * both the reader and the appender, the JSON object of a receipt and the
 * report's issue list.
 */
#ifndef DECC_RCPT_INT_H
#define DECC_RCPT_INT_H

#include <jansson.h>

#include "decc/receipts.h"

void decc__rcpt_put64(uint8_t *p, uint64_t v);
uint64_t decc__rcpt_get64(const uint8_t *p);
/* 1 when s[0..n) is a valid purpose: UTF-8, no control characters, at
 * most DECC_RCPT_PURPOSE_MAX bytes. */
int decc__rcpt_purpose_ok(const char *s, size_t n);
/* A new JSON object of r (NULL: out of memory). */
json_t *decc__rcpt_json(const decc_rcpt *r);

/* Called for each complete frame: return 1 (a receipt), 0 (not a receipt:
 * counted as a bad frame) or -1 (stop: limit or out of memory). */
typedef int (*decc__rcpt_visit_fn)(void *ctx, const uint8_t *rec, size_t n,
                                   uint64_t offset);
/* What a scan found at the end of the file. */
typedef struct decc__rcpt_tail {
  uint64_t end;        /* offset after the last complete frame */
  uint64_t valid_end;  /* offset after the last frame visit accepted */
  uint64_t torn;       /* bytes of an incomplete frame after `end` */
  uint64_t bad_frames; /* frames visit refused, or an impossible length */
  uint64_t bad_bytes;  /* bytes from an impossible length prefix on */
  uint64_t n_frames;   /* complete frames seen */
  uint64_t pad;        /* zero bytes after the content (reserved space) */
  decc_status stop_status;
} decc__rcpt_tail;
/* Reads fd from offset `from` to the end of its content, frame by frame;
 * the zero bytes after the content are padding (tail->pad), not frames. */
decc_status decc__rcpt_scan(int fd, uint64_t from, decc__rcpt_visit_fn visit,
                            void *ctx, decc__rcpt_tail *tail, decc_err *err);

/* Appends one issue to rep. Returns DECC_OK or DECC_E_NOMEM. */
decc_status decc__rcpt_issue(decc_rcpt_report *rep, uint64_t seq,
                             const char *code, const char *fmt, ...)
    DECC_PRINTF(4, 5);

/* The vault the store was opened with (borrowed). */
decc_vault *decc__rcpt_store_vault(decc_rcpt_store *s);

#endif
