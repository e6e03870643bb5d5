/*
 * runtime_causes.c — the task failure causes (decc/enclave.h
 * DECC_TASK_CAUSE_MAP): their stable names and texts, parsing a name, and
 * how a phase records the first cause of a run with a one-line detail
 * (never a secret).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
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

/* ---- causes ---------------------------------------------------------------- */

#define CAUSE_NAME(name, value, text)                                          \
  case DECC_CAUSE_##name:                                                      \
    return #name;
#define CAUSE_TEXT(name, value, text)                                          \
  case DECC_CAUSE_##name:                                                      \
    return text;

const char *decc_task_cause_name(decc_task_cause c) {
  switch (c) { DECC_TASK_CAUSE_MAP(CAUSE_NAME) }
  return "UNKNOWN";
}

const char *decc_task_cause_text(decc_task_cause c) {
  switch (c) { DECC_TASK_CAUSE_MAP(CAUSE_TEXT) }
  return "unknown cause";
}

decc_status decc_task_cause_parse(decc_task_cause *c, const char *name) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(name != NULL);
#define CAUSE_PARSE(n, value, text)                                            \
  if (!strcmp(name, #n)) {                                                     \
    *c = DECC_CAUSE_##n;                                                       \
    return DECC_OK;                                                            \
  }
  if (name) {
    DECC_TASK_CAUSE_MAP(CAUSE_PARSE)
  }
#undef CAUSE_PARSE
  return DECC_E_NOT_FOUND;
}

void decc__enclave_fail(decc_enclave_outcome *o, decc_task_cause c,
                        const char *fmt, ...) {
  if (o->cause != DECC_CAUSE_NONE)
    return; /* the first cause is the one that counts */
  o->cause = c;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(o->detail, sizeof o->detail, fmt, ap);
  va_end(ap);
  for (char *p = o->detail; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
}
