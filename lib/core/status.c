/*
 * status.c — status code names and texts, error-context helpers, version.
 *
 * The status table is generated from DECC_STATUS_MAP so the enum, the names
 * and the texts can never drift apart.
 */
#include "decc/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *decc_strerror(decc_status st) {
  switch (st) {
#define DECC_XX_TEXT(name, value, text)                                        \
  case DECC_##name:                                                            \
    return text;
    DECC_STATUS_MAP(DECC_XX_TEXT)
#undef DECC_XX_TEXT
  }
  return "unknown status";
}

const char *decc_status_name(decc_status st) {
  switch (st) {
#define DECC_XX_NAME(name, value, text)                                        \
  case DECC_##name:                                                            \
    return #name;
    DECC_STATUS_MAP(DECC_XX_NAME)
#undef DECC_XX_NAME
  }
  return "UNKNOWN";
}

void decc_err_clear(decc_err *err) {
  if (!err)
    return;
  err->code = DECC_OK;
  err->msg[0] = '\0';
}

decc_status decc_err_set(decc_err *err, decc_status code, const char *fmt,
                         ...) {
  if (!err)
    return code;
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  if (n < 0)
    snprintf(err->msg, sizeof err->msg, "%s", decc_strerror(code));
  /* Keep messages on one line: a newline would break CLI error output. */
  for (char *p = err->msg; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  return code;
}

decc_status decc_err_prefix(decc_err *err, const char *fmt, ...) {
  if (!err)
    return DECC_OK;
  char prefix[DECC_ERR_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  char old[DECC_ERR_LEN];
  memcpy(old, err->msg, sizeof old);
  const char *tail = old[0] ? old : decc_strerror(err->code);
  /* Build "prefix: tail" by hand; truncation is intended for long texts. */
  size_t pl = strnlen(prefix, sizeof err->msg - 1);
  memcpy(err->msg, prefix, pl);
  size_t pos = pl;
  const char *sep = ": ";
  for (size_t i = 0; sep[i] && pos < sizeof err->msg - 1; i++)
    err->msg[pos++] = sep[i];
  for (size_t i = 0; tail[i] && pos < sizeof err->msg - 1; i++)
    err->msg[pos++] = tail[i];
  err->msg[pos] = '\0';
  return err->code;
}

const char *decc_version(void) { return "0.1.0"; }
