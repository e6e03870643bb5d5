/*
 * common.c — shared by the scheduler and the worker: sending hub
 * transactions (the views are decc/hub.h's), the SQLite state store and its failure table
 * (also read by `decc task show` through decc_task_failure_read).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "worker/worker_int.h"

char *decc__wk_hex32(char out[DECC_HEX32_LEN], const uint8_t b[32]) {
  return decc_hex_encode(out, b, 32, 1);
}

void decc__wk_log(void (*log)(void *, const char *), void *ctx, const char *fmt,
                  ...) {
  if (!log)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  log(ctx, line);
}

decc_status decc__wk_hub(decc_chain *c, decc_address *hub, decc_err *err) {
  decc_chain_addresses a;
  decc_status st = decc_chain_get_addresses(c, &a, err);
  if (!st)
    *hub = a.hub;
  return st;
}

decc_status decc__wk_send(decc_chain *c, const uint8_t sk32[32],
                          decc_abi_enc *e, const char *sig, decc_receipt *r,
                          decc_err *err) {
  decc_address hub;
  uint8_t sel[4];
  decc_buf cd;
  decc_buf_init(&cd, 0);
  decc_abi_selector(sel, sig);
  decc_status st = decc_abi_enc_finish_call(e, sel, &cd);
  decc_abi_enc_clear(e);
  if (st) {
    decc_buf_clear(&cd);
    return decc_err_set(err, st, "%s: cannot encode the call", sig);
  }
  decc_receipt tmp;
  decc_receipt *rr = r ? r : &tmp;
  memset(rr, 0, sizeof *rr);
  st = decc__wk_hub(c, &hub, err);
  if (!st)
    st = decc_chain_send(c, sk32, &hub, cd.data, cd.len, rr, err);
  decc_buf_clear(&cd);
  if (!st && rr->status != 1) {
    char name[48];
    snprintf(name, sizeof name, "%.*s", (int)strcspn(sig, "("), sig);
    st =
        decc_err_set(err, DECC_E_REVERT, "%s reverted: %s", name,
                     rr->revert_reason && *rr->revert_reason ? rr->revert_reason
                                                             : "(no reason)");
  }
  if (!r)
    decc_receipt_clear(&tmp);
  return st;
}

/* ---- state store ------------------------------------------------------------- */

decc_status decc__wk_db_open(sqlite3 **db, const char *path, const char *schema,
                             int readonly, decc_err *err) {
  *db = NULL;
  int flags = readonly ? SQLITE_OPEN_READONLY
                       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_FULLMUTEX, NULL) !=
      SQLITE_OK) {
    decc_status st = decc_err_set(err, readonly ? DECC_E_NOT_FOUND : DECC_E_IO,
                                  "state %s: %s", path,
                                  *db ? sqlite3_errmsg(*db) : "cannot open");
    sqlite3_close(*db);
    *db = NULL;
    return st;
  }
  sqlite3_busy_timeout(*db, 5000);
  if (readonly)
    return DECC_OK;
  char *msg = NULL;
  if (sqlite3_exec(*db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                   NULL, NULL, &msg) != SQLITE_OK ||
      sqlite3_exec(*db, schema, NULL, NULL, &msg) != SQLITE_OK ||
      sqlite3_exec(*db, DECC_WK_FAILURES_SCHEMA, NULL, NULL, &msg) !=
          SQLITE_OK) {
    decc_status st = decc_err_set(err, DECC_E_IO, "state %s: %s", path,
                                  msg ? msg : "schema failed");
    sqlite3_free(msg);
    sqlite3_close(*db);
    *db = NULL;
    return st;
  }
  return DECC_OK;
}

decc_status decc__wk_exec(sqlite3 *db, decc_err *err, const char *sql,
                          const char *types, ...) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
    return decc_err_set(err, DECC_E_IO, "state: %s", sqlite3_errmsg(db));
  va_list ap;
  va_start(ap, types);
  int i = 1;
  for (const char *t = types; t && *t; t++, i++) {
    switch (*t) {
    case 'b':
      sqlite3_bind_blob(s, i, va_arg(ap, const uint8_t *), 32, SQLITE_STATIC);
      break;
    case 'a':
      sqlite3_bind_blob(s, i, va_arg(ap, const decc_address *)->b, 20,
                        SQLITE_STATIC);
      break;
    case 'i':
      sqlite3_bind_int64(s, i, va_arg(ap, int64_t));
      break;
    case 't':
      sqlite3_bind_text(s, i, va_arg(ap, const char *), -1, SQLITE_STATIC);
      break;
    case 'B': {
      const void *p = va_arg(ap, const void *);
      size_t n = va_arg(ap, size_t);
      sqlite3_bind_blob(s, i, p ? p : "", (int)n, SQLITE_STATIC);
      break;
    }
    }
  }
  va_end(ap);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return decc_err_set(err, DECC_E_IO, "state: %s", sqlite3_errmsg(db));
  return DECC_OK;
}

decc_status decc__wk_record_failure(sqlite3 *db, const uint8_t task[32],
                                    decc_task_cause cause, int exit_code,
                                    const char *detail,
                                    const decc_address *worker, decc_err *err) {
  decc_address zero;
  memset(&zero, 0, sizeof zero);
  return decc__wk_exec(db, err,
                       "INSERT OR REPLACE INTO failures(taskid, cause, "
                       "exit_code, detail, worker, updated) VALUES "
                       "(?1,?2,?3,?4,?5,?6)",
                       "biitai", task, (int64_t)cause, (int64_t)exit_code,
                       detail ? detail : "", worker ? worker : &zero,
                       (int64_t)time(NULL));
}

decc_status decc_task_failure_read(const char *state_path,
                                   const uint8_t taskid32[32],
                                   decc_task_failure *out, decc_err *err) {
  DECC_ARG_CHECK(state_path != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  memset(out, 0, sizeof *out);
  sqlite3 *db = NULL;
  decc_status st = decc__wk_db_open(&db, state_path, NULL, 1, err);
  if (st)
    return st;
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db,
                         "SELECT cause, exit_code, detail, worker, updated "
                         "FROM failures WHERE taskid=?1",
                         -1, &s, NULL) != SQLITE_OK) {
    st = decc_err_set(err, DECC_E_NOT_FOUND, "state %s: no failure table",
                      state_path);
  } else {
    sqlite3_bind_blob(s, 1, taskid32, 32, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
      out->cause = (decc_task_cause)sqlite3_column_int(s, 0);
      out->exit_code = sqlite3_column_int(s, 1);
      const unsigned char *d = sqlite3_column_text(s, 2);
      snprintf(out->detail, sizeof out->detail, "%s", d ? (const char *)d : "");
      if (sqlite3_column_bytes(s, 3) == 20)
        memcpy(out->worker.b, sqlite3_column_blob(s, 3), 20);
      out->updated = (uint64_t)sqlite3_column_int64(s, 4);
    } else {
      st = decc_err_set(err, DECC_E_NOT_FOUND, "no failure recorded");
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return st;
}

/* ---- failure causes for `decc task show` ---------------------------------- */

/* The scheduler state of a data directory: where `decc node` (and the
 * embedded runners) keep it. */
static const char *const STATE_FILES[] = {
    "scheduler/state.sqlite", /* decc node */
    "scheduler.sqlite",       /* embedded runner (decc process, decc demo) */
    "worker/state.sqlite"};

decc_status decc_worker_failure_cause(const char *home,
                                      const uint8_t task_id32[32], char **cause,
                                      decc_err *err) {
  DECC_ARG_CHECK(task_id32 != NULL);
  DECC_ARG_CHECK(cause != NULL);
  *cause = NULL;
  char dir[4096];
  if (home && *home)
    snprintf(dir, sizeof dir, "%s", home);
  else {
    const char *h = getenv("DECC_HOME");
    const char *u = getenv("HOME");
    if (h && *h)
      snprintf(dir, sizeof dir, "%s", h);
    else
      snprintf(dir, sizeof dir, "%s/.decc", u && *u ? u : ".");
  }
  for (size_t i = 0; i < sizeof STATE_FILES / sizeof STATE_FILES[0]; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, STATE_FILES[i]);
    if (access(path, R_OK) != 0)
      continue;
    decc_task_failure f;
    decc_status st = decc_task_failure_read(path, task_id32, &f, err);
    if (st == DECC_E_NOT_FOUND)
      continue;
    if (st)
      return st;
    char text[512];
    if (f.exit_code)
      snprintf(text, sizeof text, "%s: %s (exit code %d)",
               decc_task_cause_name(f.cause), f.detail, f.exit_code);
    else
      snprintf(text, sizeof text, "%s: %s", decc_task_cause_name(f.cause),
               f.detail);
    *cause = decc_strdup(text);
    return *cause ? DECC_OK : decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  return decc_err_set(err, DECC_E_NOT_FOUND,
                      "no failure recorded for the task");
}
