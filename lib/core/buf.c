/*
 * buf.c — growable byte buffer with a ceiling (see decc/buf.h).
 *
 * Growth doubles the capacity; a secret buffer never uses realloc (which
 * could leave a copy of the old content in freed memory): it allocates,
 * copies, then wipes and frees the old block.
 */
#include "decc/buf.h"
#include "core/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decc/mem.h"

#define DEFAULT_MAX (SIZE_MAX / 2)

void decc_buf_init(decc_buf *b, size_t max) {
  DECC_ARG_CHECK_VOID(b != NULL);
  memset(b, 0, sizeof *b);
  b->max = max ? max : DEFAULT_MAX;
}

void decc_buf_init_secret(decc_buf *b, size_t max) {
  DECC_ARG_CHECK_VOID(b != NULL);
  decc_buf_init(b, max);
  b->secret = 1;
}

void decc_buf_clear(decc_buf *b) {
  DECC_ARG_CHECK_VOID(b != NULL);
  if (b->data) {
    if (b->secret)
      decc_memzero(b->data, b->cap);
    decc_free(b->data);
  }
  size_t max = b->max;
  int secret = b->secret;
  memset(b, 0, sizeof *b);
  b->max = max;
  b->secret = secret;
}

void decc_buf_reset(decc_buf *b) {
  DECC_ARG_CHECK_VOID(b != NULL);
  if (b->data && b->secret)
    decc_memzero(b->data, b->len);
  b->len = 0;
  if (b->data)
    b->data[0] = 0;
}

decc_status decc_buf_reserve(decc_buf *b, size_t n) {
  DECC_ARG_CHECK(b != NULL);
  if (n > b->max || b->len > b->max - n)
    return DECC_E_LIMIT;
  size_t need = b->len + n + 1; /* +1 keeps room for the NUL */
  if (need <= b->cap)
    return DECC_OK;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  uint8_t *p;
  if (b->secret) {
    p = decc_malloc(cap);
    if (!p)
      return DECC_E_NOMEM;
    if (b->data) {
      memcpy(p, b->data, b->len + 1);
      decc_memzero(b->data, b->cap);
      decc_free(b->data);
    }
  } else {
    p = decc_realloc(b->data, cap);
    if (!p)
      return DECC_E_NOMEM;
  }
  b->data = p;
  b->cap = cap;
  return DECC_OK;
}

decc_status decc_buf_append(decc_buf *b, const void *p, size_t n) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(p != NULL || n == 0);
  decc_status st = decc_buf_reserve(b, n);
  if (st)
    return st;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
  return DECC_OK;
}

decc_status decc_buf_append_byte(decc_buf *b, uint8_t c) {
  DECC_ARG_CHECK(b != NULL);
  return decc_buf_append(b, &c, 1);
}

decc_status decc_buf_append_str(decc_buf *b, const char *s) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(s != NULL);
  return decc_buf_append(b, s, strlen(s));
}

decc_status decc_buf_extend(decc_buf *b, size_t n, uint8_t **out) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_status st = decc_buf_reserve(b, n);
  if (st)
    return st;
  memset(b->data + b->len, 0, n);
  *out = b->data + b->len;
  b->len += n;
  b->data[b->len] = 0;
  return DECC_OK;
}

decc_status decc_buf_printf(decc_buf *b, const char *fmt, ...) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(fmt != NULL);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return DECC_E_INVALID;
  decc_status st = decc_buf_reserve(b, (size_t)n);
  if (st)
    return st;
  va_start(ap, fmt);
  vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return DECC_OK;
}

uint8_t *decc_buf_steal(decc_buf *b, size_t *len_out) {
  DECC_ARG_CHECK_RET(b != NULL, NULL);
  uint8_t *p = b->data;
  if (len_out)
    *len_out = b->len;
  size_t max = b->max;
  int secret = b->secret;
  memset(b, 0, sizeof *b);
  b->max = max;
  b->secret = secret;
  return p;
}
