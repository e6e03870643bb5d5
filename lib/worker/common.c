/*
 * common.c — shared by the scheduler and the worker: PoCo views decoded
 * into decc_poco_* structs (viewTask, viewDeal, viewContribution),
 * sending hub transactions, the SQLite state store and its failure table
 * (also read by `decc task show` through decc_task_failure_read).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decc/encoding.h"
#include "decc/mem.h"
#include "worker/worker_int.h"

#define TASK_T                                                                 \
  "(uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,uint256,"    \
  "uint256,address[],bytes32,bytes,uint256,bytes)"
#define DEAL_T                                                                 \
  "((address,address,uint256),(address,address,uint256),(address,address,"    \
  "uint256),uint256,uint256,bytes32,address,address,address,string,uint256,"   \
  "uint256,uint256,uint256,uint256,address)"

char *decc__wk_hex32(char out[67], const uint8_t b[32]) {
  return decc_hex_encode(out, b, 32, 1);
}

void decc__wk_log(void (*log)(void *, const char *), void *ctx,
                  const char *fmt, ...) {
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

static decc_status view(decc_chain *c, decc_abi_enc *e, const char *sig,
                        decc_buf *out, decc_err *err) {
  decc_address hub;
  uint8_t sel[4];
  decc_buf cd;
  decc_buf_init(&cd, 0);
  decc_buf_init(out, 0);
  decc_abi_selector(sel, sig);
  decc_status st = decc_abi_enc_finish_call(e, sel, &cd);
  decc_abi_enc_clear(e);
  if (!st)
    st = decc__wk_hub(c, &hub, err);
  if (!st)
    st = decc_chain_call(c, NULL, &hub, cd.data, cd.len, out, err);
  decc_buf_clear(&cd);
  return st;
}

static decc_status get_u256(const decc_abi_value *v, decc_u256 *out) {
  return decc_abi_get_u256(v, out);
}

decc_status decc_worker_view_task(decc_chain *c, const uint8_t taskid32[32],
                                  decc_poco_task *t, decc_err *err) {
  decc_poco_task_init(t);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, taskid32);
  decc_buf out;
  decc_status st = view(c, &e, "viewTask(bytes32)", &out, err);
  decc_abi_value *v = NULL;
  if (!st)
    st = decc_abi_decode(&v, TASK_T, out.data, out.len, 0, err);
  if (!st) {
    const decc_abi_value *r = decc_abi_item(v, 0);
    uint64_t status = 0;
    const decc_abi_value *cs = decc_abi_item(r, 10);
    const uint8_t *res = NULL, *cb = NULL;
    size_t rl = 0, cl = 0;
    if (decc_abi_get_u64(decc_abi_item(r, 0), &status) ||
        decc_abi_get_bytes32(decc_abi_item(r, 1), t->deal_id) ||
        get_u256(decc_abi_item(r, 2), &t->idx) ||
        get_u256(decc_abi_item(r, 3), &t->timeref) ||
        get_u256(decc_abi_item(r, 4), &t->contribution_deadline) ||
        get_u256(decc_abi_item(r, 5), &t->reveal_deadline) ||
        get_u256(decc_abi_item(r, 6), &t->final_deadline) ||
        decc_abi_get_bytes32(decc_abi_item(r, 7), t->consensus_value) ||
        get_u256(decc_abi_item(r, 8), &t->reveal_counter) ||
        get_u256(decc_abi_item(r, 9), &t->winner_counter) || !cs ||
        decc_abi_get_bytes32(decc_abi_item(r, 11), t->result_digest) ||
        decc_abi_get_bytes(decc_abi_item(r, 12), &res, &rl) ||
        get_u256(decc_abi_item(r, 13), &t->results_timestamp) ||
        decc_abi_get_bytes(decc_abi_item(r, 14), &cb, &cl) || status > 4) {
      st = decc_err_set(err, DECC_E_PARSE, "viewTask: bad answer");
    } else {
      t->status = (decc_poco_task_status)status;
      if (cs->count) {
        t->contributions = decc_calloc(cs->count, sizeof *t->contributions);
        if (!t->contributions)
          st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        for (size_t i = 0; !st && i < cs->count; i++) {
          if (decc_abi_get_address(decc_abi_item(cs, i),
                                   &t->contributions[i].worker))
            st = decc_err_set(err, DECC_E_PARSE, "viewTask: bad contributor");
          t->n_contributions = i + 1;
        }
      }
      if (!st && rl) {
        if (!(t->results = decc_malloc(rl + 1)))
          st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        else {
          memcpy(t->results, res, rl);
          t->results[rl] = 0;
          t->results_len = rl;
        }
      }
      if (!st && cl) {
        if (!(t->results_callback = decc_malloc(cl)))
          st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        else {
          memcpy(t->results_callback, cb, cl);
          t->results_callback_len = cl;
        }
      }
    }
  }
  decc_abi_value_free(v);
  decc_buf_clear(&out);
  if (st)
    decc_poco_task_clear(t);
  return st;
}

static decc_status resource(const decc_abi_value *v, decc_poco_resource *r) {
  if (decc_abi_get_address(decc_abi_item(v, 0), &r->pointer) ||
      decc_abi_get_address(decc_abi_item(v, 1), &r->owner) ||
      decc_abi_get_u256(decc_abi_item(v, 2), &r->price))
    return DECC_E_PARSE;
  return DECC_OK;
}

decc_status decc_worker_view_deal(decc_chain *c, const uint8_t dealid32[32],
                                  decc_poco_deal *d, decc_err *err) {
  decc_status st = decc_poco_deal_init(d);
  if (st)
    return decc_err_set(err, st, "out of memory");
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, dealid32);
  decc_buf out;
  st = view(c, &e, "viewDeal(bytes32)", &out, err);
  decc_abi_value *v = NULL;
  if (!st)
    st = decc_abi_decode(&v, DEAL_T, out.data, out.len, 0, err);
  if (!st) {
    const decc_abi_value *r = decc_abi_item(v, 0);
    char *params = NULL;
    if (resource(decc_abi_item(r, 0), &d->app) ||
        resource(decc_abi_item(r, 1), &d->dataset) ||
        resource(decc_abi_item(r, 2), &d->workerpool) ||
        get_u256(decc_abi_item(r, 3), &d->trust) ||
        get_u256(decc_abi_item(r, 4), &d->category) ||
        decc_abi_get_bytes32(decc_abi_item(r, 5), d->tag) ||
        decc_abi_get_address(decc_abi_item(r, 6), &d->requester) ||
        decc_abi_get_address(decc_abi_item(r, 7), &d->beneficiary) ||
        decc_abi_get_address(decc_abi_item(r, 8), &d->callback) ||
        decc_abi_get_string(decc_abi_item(r, 9), &params) ||
        get_u256(decc_abi_item(r, 10), &d->start_time) ||
        get_u256(decc_abi_item(r, 11), &d->bot_first) ||
        get_u256(decc_abi_item(r, 12), &d->bot_size) ||
        get_u256(decc_abi_item(r, 13), &d->worker_stake) ||
        get_u256(decc_abi_item(r, 14), &d->scheduler_reward_ratio) ||
        decc_abi_get_address(decc_abi_item(r, 15), &d->sponsor)) {
      decc_free(params);
      st = decc_err_set(err, DECC_E_PARSE, "viewDeal: bad answer");
    } else {
      decc_free(d->params);
      d->params = params;
    }
  }
  decc_abi_value_free(v);
  decc_buf_clear(&out);
  if (!st && decc_address_is_zero(&d->app.pointer))
    st = decc_err_set(err, DECC_E_NOT_FOUND, "no such deal");
  if (st)
    decc_poco_deal_clear(d);
  return st;
}

decc_status decc_worker_view_contribution(decc_chain *c,
                                          const uint8_t taskid32[32],
                                          const decc_address *worker,
                                          decc_poco_contribution *out,
                                          decc_err *err) {
  memset(out, 0, sizeof *out);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, taskid32);
  decc_abi_enc_push_address(&e, worker);
  decc_buf b;
  decc_status st =
      view(c, &e, "viewContribution(bytes32,address)", &b, err);
  decc_abi_value *v = NULL;
  if (!st)
    st = decc_abi_decode(&v, "(uint8,bytes32,bytes32,address,uint256)",
                         b.data, b.len, 0, err);
  if (!st) {
    const decc_abi_value *r = decc_abi_item(v, 0);
    uint64_t s = 0;
    if (decc_abi_get_u64(decc_abi_item(r, 0), &s) || s > 3 ||
        decc_abi_get_bytes32(decc_abi_item(r, 1), out->result_hash) ||
        decc_abi_get_bytes32(decc_abi_item(r, 2), out->result_seal) ||
        decc_abi_get_address(decc_abi_item(r, 3), &out->enclave_challenge) ||
        decc_abi_get_u256(decc_abi_item(r, 4), &out->weight))
      st = decc_err_set(err, DECC_E_PARSE, "viewContribution: bad answer");
    out->status = (decc_poco_contribution_status)s;
    out->worker = *worker;
  }
  decc_abi_value_free(v);
  decc_buf_clear(&b);
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
    st = decc_err_set(err, DECC_E_REVERT, "%s reverted: %s", name,
                      rr->revert_reason && *rr->revert_reason
                          ? rr->revert_reason
                          : "(no reason)");
  }
  if (!r)
    decc_receipt_clear(&tmp);
  return st;
}

/* ---- state store ------------------------------------------------------------- */

decc_status decc__wk_db_open(sqlite3 **db, const char *path,
                             const char *schema, int readonly, decc_err *err) {
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
  if (sqlite3_exec(*db,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL,
                   NULL, &msg) != SQLITE_OK ||
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
                                    const decc_address *worker,
                                    decc_err *err) {
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
                                      const uint8_t task_id32[32],
                                      char **cause, decc_err *err) {
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
  return decc_err_set(err, DECC_E_NOT_FOUND, "no failure recorded for the task");
}
