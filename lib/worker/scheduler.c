/*
 * scheduler.c — the workerpool scheduler (iexec-protocol.md §5.1, §4.4
 * steps 1–2, §2.5): SchedulerNotice logs of its workerpool become task
 * rows; UNSET tasks are initialized; TEE tasks get their enclave challenge
 * from the SMS (POST /tee/challenges signed by the pool owner); workers
 * are handed tasks with a WorkerpoolAuthorization H(worker ‖ task ‖
 * enclave) signed by the pool owner; replicated tasks are finalized with
 * the revealed result link once the reveals are in; every task past its
 * final deadline is claimed, with the cause recorded.
 *
 * Durable state (SQLite): the last scanned block, one row per task (its
 * enclave challenge, the revealed result link, open / ended) and one per
 * assignment. Every transaction is preceded by a chain read that says it
 * is still needed, so a restart never repeats one.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "decc/sms_client.h"
#include "worker/worker_int.h"

#define SCHED_SCHEMA                                                           \
  "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);"   \
  "CREATE TABLE IF NOT EXISTS tasks(taskid BLOB PRIMARY KEY, dealid BLOB NOT " \
  "NULL, idx INTEGER NOT NULL, tee INTEGER NOT NULL, trust INTEGER NOT NULL, " \
  "state INTEGER NOT NULL, enclave BLOB, results TEXT, callback BLOB);"        \
  "CREATE TABLE IF NOT EXISTS assignments(taskid BLOB NOT NULL, worker BLOB "  \
  "NOT NULL, state INTEGER NOT NULL, PRIMARY KEY(taskid, worker));"

/* Task row states. */
enum { T_NEW = 0, T_OPEN = 1, T_ENDED = 2 };
/* Most tasks one deal may create rows for; most tasks looked at per step. */
#define MAX_BOT 10000
#define MAX_PER_STEP 512

struct decc_scheduler {
  decc_scheduler_config cfg;
  uint8_t *sk; /* secure memory */
  decc_address owner;
  sqlite3 *db;
  pthread_mutex_t mu;
  /* enclave challenges: cfg.sms_client, else one opened over cfg.sms or
   * cfg.sms_url (own_smsc), else NULL (TEE tasks cannot be served) */
  decc_sms_client *smsc;
  int own_smsc;
};

static void slog(decc_scheduler *s, const char *fmt, ...) DECC_PRINTF(2, 3);
static void slog(decc_scheduler *s, const char *fmt, ...) {
  if (!s->cfg.log)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  s->cfg.log(s->cfg.log_ctx, line);
}

decc_status decc_scheduler_create(decc_scheduler **out,
                                  const decc_scheduler_config *cfg,
                                  decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(cfg != NULL);
  *out = NULL;
  if (!cfg->chain || !cfg->pool_sk32 || !cfg->state_path)
    return decc_err_set(err, DECC_E_INVALID,
                        "scheduler: chain, pool key and state path are "
                        "required");
  decc_scheduler *s = decc_calloc(1, sizeof *s);
  if (!s)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  s->cfg = *cfg;
  s->cfg.sms_url = NULL;
  s->cfg.state_path = NULL;
  decc_status st = DECC_OK;
  if (!(s->sk = decc_secure_alloc(32))) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto fail;
  }
  if (cfg->sms_client) {
    s->smsc = cfg->sms_client;
  } else if (cfg->sms || cfg->sms_url) {
    st = cfg->sms ? decc_sms_client_open_local(&s->smsc, cfg->sms, err)
                  : decc_sms_client_open_http(&s->smsc, cfg->sms_url, err);
    if (st)
      goto fail;
    s->own_smsc = 1;
  }
  memcpy(s->sk, cfg->pool_sk32, 32);
  pthread_mutex_init(&s->mu, NULL);
  if (decc_address_from_privkey(&s->owner, s->sk)) {
    st = decc_err_set(err, DECC_E_INVALID, "scheduler: bad pool key");
    goto fail_mu;
  }
  /* the key must own the workerpool (owner() of the registry entry); with
   * no workerpool given, every workerpool the key owns is served, checked
   * deal by deal (scan_deals) */
  if (!decc_address_is_zero(&cfg->workerpool)) {
    decc_address own;
    if ((st = decc_hub_owner_of(cfg->chain, &cfg->workerpool, &own, err)))
      goto fail_mu;
    if (!decc_address_eq(&own, &s->owner)) {
      st = decc_err_set(err, DECC_E_DENIED,
                        "scheduler: the key does not own the workerpool");
      goto fail_mu;
    }
  }
  if ((st = decc__wk_db_open(&s->db, cfg->state_path, SCHED_SCHEMA, 0, err)))
    goto fail_mu;
  if ((st = decc__wk_exec(s->db, err,
                          "INSERT OR IGNORE INTO meta(k, v) VALUES "
                          "('next_block', ?1)",
                          "i", (int64_t)cfg->from_block)))
    goto fail_mu;
  *out = s;
  return DECC_OK;
fail_mu:
  pthread_mutex_destroy(&s->mu);
fail:
  sqlite3_close(s->db);
  decc_secure_free(s->sk);
  if (s->own_smsc)
    decc_sms_client_destroy(s->smsc);
  decc_free(s);
  return st;
}

void decc_scheduler_destroy(decc_scheduler *s) {
  if (!s)
    return;
  sqlite3_close(s->db);
  decc_memzero(s->sk, 32);
  decc_secure_free(s->sk);
  if (s->own_smsc)
    decc_sms_client_destroy(s->smsc);
  pthread_mutex_destroy(&s->mu);
  decc_free(s);
}

static int64_t meta_get(decc_scheduler *s, const char *k) {
  sqlite3_stmt *q = NULL;
  int64_t v = 0;
  if (sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k=?1", -1, &q,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(q, 1, k, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
      v = sqlite3_column_int64(q, 0);
  }
  sqlite3_finalize(q);
  return v;
}

/* ---- deals → tasks ------------------------------------------------------------- */

static decc_status scan_deals(decc_scheduler *s, size_t *actions,
                              decc_err *err) {
  uint64_t head = 0;
  decc_status st = decc_chain_block_number(s->cfg.chain, &head, err);
  if (st)
    return st;
  uint64_t from = (uint64_t)meta_get(s, "next_block");
  if (from > head)
    return DECC_OK;
  decc_address hub;
  if ((st = decc__wk_hub(s->cfg.chain, &hub, err)))
    return st;
  int every_pool = decc_address_is_zero(&s->cfg.workerpool);
  uint8_t t0[32], t1[32];
  decc_abi_event_topic(t0, "SchedulerNotice(address,bytes32)");
  decc_abi_topic_address(t1, &s->cfg.workerpool);
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.from_block = from;
  f.to_block = head;
  f.addresses = &hub;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])t0;
  f.n_topic_alts[0] = 1;
  if (!every_pool) {
    f.topic_alts[1] = (const uint8_t(*)[32])t1;
    f.n_topic_alts[1] = 1;
  }
  decc_log *logs = NULL;
  size_t n = 0;
  if ((st = decc_chain_get_logs(s->cfg.chain, &f, &logs, &n, err)))
    return st;
  uint64_t next = head + 1;
  /* Every-pool mode: the owner of each notice's workerpool is read once
   * per round (a pool deployed or transferred since the last round is
   * seen at once). */
  decc_address mine[16], theirs[16];
  size_t n_mine = 0, n_theirs = 0;
  for (size_t i = 0; i < n && !st; i++) {
    if (logs[i].data_len < 32 || logs[i].n_topics < 2)
      continue;
    if (every_pool) {
      decc_address wp, owner;
      memcpy(wp.b, logs[i].topics[1] + 12, 20);
      int known = 0, ours = 0;
      for (size_t k = 0; k < n_mine && !known; k++)
        known = ours = decc_address_eq(&mine[k], &wp);
      for (size_t k = 0; k < n_theirs && !known; k++)
        known = decc_address_eq(&theirs[k], &wp);
      if (!known) {
        decc_err e3;
        decc_err_clear(&e3);
        ours = decc_hub_owner_of(s->cfg.chain, &wp, &owner, &e3) == DECC_OK &&
               decc_address_eq(&owner, &s->owner);
        if (ours && n_mine < 16)
          mine[n_mine++] = wp;
        else if (!ours && n_theirs < 16)
          theirs[n_theirs++] = wp;
      }
      if (!ours)
        continue;
    }
    const uint8_t *deal = logs[i].data;
    decc_poco_deal d;
    decc_err e2;
    if (decc_hub_view_deal(s->cfg.chain, deal, &d, &e2)) {
      /* a deal we cannot read now is read again next round */
      next = logs[i].block_number;
      slog(s, "scheduler: deal not readable yet: %s", e2.msg);
      break;
    }
    uint64_t first = 0, size = 0, trust = 0;
    if (decc__wk_u64(&first, &d.bot_first) ||
        decc__wk_u64(&size, &d.bot_size) || decc__wk_u64(&trust, &d.trust))
      size = 0;
    if (size > MAX_BOT)
      size = MAX_BOT;
    int tee = decc_tag_has(d.tag, 0);
    pthread_mutex_lock(&s->mu);
    for (uint64_t k = 0; k < size && !st; k++) {
      uint8_t task[32];
      decc_u256 idx = decc_u256_from_u64(first + k);
      decc_task_id(task, deal, &idx);
      st = decc__wk_exec(s->db, err,
                         "INSERT OR IGNORE INTO tasks(taskid, dealid, idx, "
                         "tee, trust, state) VALUES (?1,?2,?3,?4,?5,0)",
                         "bbiii", task, deal, (int64_t)(first + k),
                         (int64_t)tee, (int64_t)trust);
    }
    pthread_mutex_unlock(&s->mu);
    char dh[DECC_HEX32_LEN];
    slog(s, "scheduler: deal %s: %llu task(s)%s", decc__wk_hex32(dh, deal),
         (unsigned long long)size, tee ? " (TEE)" : "");
    if (actions)
      (*actions)++;
    decc_poco_deal_clear(&d);
  }
  decc_logs_free(logs, n);
  if (!st)
    st = decc__wk_exec(s->db, err, "UPDATE meta SET v=?1 WHERE k='next_block'",
                       "i", (int64_t)next);
  return st;
}

/* ---- per-task work ---------------------------------------------------------------- */

typedef struct trow {
  uint8_t task[32], deal[32];
  int64_t idx;
  int tee, trust, state, has_enclave;
  decc_address enclave;
  char *results;
  uint8_t *callback;
  size_t callback_len;
} trow;

static decc_status get_challenge(decc_scheduler *s, const uint8_t task[32],
                                 decc_address *enclave,
                                 char code[DECC_SMS_CODE_MAX], decc_err *err) {
  code[0] = 0;
  if (!s->smsc)
    return decc_err_set(err, DECC_E_STATE, "TEE task but no SMS configured");
  return decc_smsc_enclave_challenge(s->smsc, task, s->sk, enclave, code, err);
}

/* The cause to record for a claimed task: what a worker reported, else
 * the deadline. */
static void claim_cause(decc_scheduler *s, const uint8_t task[32],
                        decc_task_failure *f) {
  memset(f, 0, sizeof *f);
  sqlite3_stmt *q = NULL;
  f->cause = DECC_CAUSE_DEADLINE_REACHED;
  snprintf(f->detail, sizeof f->detail,
           "no result before the final deadline; claimed");
  if (sqlite3_prepare_v2(s->db,
                         "SELECT cause, exit_code, detail, worker FROM "
                         "failures WHERE taskid=?1",
                         -1, &q, NULL) == SQLITE_OK) {
    sqlite3_bind_blob(q, 1, task, 32, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW &&
        sqlite3_column_int(q, 0) != DECC_CAUSE_DEADLINE_REACHED) {
      f->cause = (decc_task_cause)sqlite3_column_int(q, 0);
      f->exit_code = sqlite3_column_int(q, 1);
      const unsigned char *d = sqlite3_column_text(q, 2);
      snprintf(f->detail, sizeof f->detail, "%s; claimed at the deadline",
               d ? (const char *)d : "");
      if (sqlite3_column_bytes(q, 3) == 20)
        memcpy(f->worker.b, sqlite3_column_blob(q, 3), 20);
    }
  }
  sqlite3_finalize(q);
}

static decc_status task_round(decc_scheduler *s, trow *r, uint64_t now,
                              size_t *actions, decc_err *err) {
  char th[DECC_HEX32_LEN];
  decc__wk_hex32(th, r->task);
  decc_poco_task t;
  decc_status st = decc_hub_view_task(s->cfg.chain, r->task, &t, err);
  if (st)
    return st;
  decc_abi_enc e;
  if (t.status == DECC_TASK_UNSET) {
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_bytes32(&e, r->deal);
    decc_abi_enc_push_u64(&e, (uint64_t)r->idx);
    st = decc__wk_send(s->cfg.chain, s->sk, &e, "initialize(bytes32,uint256)",
                       NULL, err);
    if (actions)
      (*actions)++;
    decc_poco_task_clear(&t);
    if (st)
      return st;
    slog(s, "scheduler: task %s initialized", th);
    if ((st = decc_hub_view_task(s->cfg.chain, r->task, &t, err)))
      return st;
  }
  uint64_t final_dl = 0, reveal_dl = 0, reveals = 0, winners = 0;
  if (decc__wk_u64(&final_dl, &t.final_deadline) ||
      decc__wk_u64(&reveal_dl, &t.reveal_deadline) ||
      decc__wk_u64(&reveals, &t.reveal_counter) ||
      decc__wk_u64(&winners, &t.winner_counter))
    final_dl = reveal_dl = UINT64_MAX;
  int status = (int)t.status;
  decc_poco_task_clear(&t);

  if (status == DECC_TASK_COMPLETED || status == DECC_TASK_FAILED) {
    pthread_mutex_lock(&s->mu);
    st = decc__wk_exec(s->db, err, "UPDATE tasks SET state=2 WHERE taskid=?1",
                       "b", r->task);
    pthread_mutex_unlock(&s->mu);
    return st;
  }
  /* tasks always end */
  if (now >= final_dl) {
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_bytes32(&e, r->task);
    st = decc__wk_send(s->cfg.chain, s->sk, &e, "claim(bytes32)", NULL, err);
    if (actions)
      (*actions)++;
    if (st)
      return st;
    decc_task_failure f;
    pthread_mutex_lock(&s->mu);
    claim_cause(s, r->task, &f);
    st = decc__wk_record_failure(s->db, r->task, f.cause, f.exit_code, f.detail,
                                 &f.worker, err);
    if (!st)
      st = decc__wk_exec(s->db, err, "UPDATE tasks SET state=2 WHERE taskid=?1",
                         "b", r->task);
    pthread_mutex_unlock(&s->mu);
    slog(s, "scheduler: task %s claimed (%s)", th,
         decc_task_cause_name(f.cause));
    return st;
  }
  if (status == DECC_TASK_ACTIVE) {
    if (r->tee && !r->has_enclave) {
      char code[DECC_SMS_CODE_MAX];
      decc_address enc;
      decc_err e2;
      decc_err_clear(&e2);
      st = get_challenge(s, r->task, &enc, code, &e2);
      if (actions)
        (*actions)++;
      if (st) {
        /* e2 quotes the SMS's refusal code and reason (both backends) */
        slog(s, "scheduler: task %s: SMS refused the challenge: %s", th,
             e2.msg);
        pthread_mutex_lock(&s->mu);
        st = decc__wk_record_failure(s->db, r->task, DECC_CAUSE_SMS_REFUSED, 0,
                                     e2.msg, NULL, err);
        pthread_mutex_unlock(&s->mu);
        return st;
      }
      pthread_mutex_lock(&s->mu);
      st = decc__wk_exec(s->db, err,
                         "UPDATE tasks SET enclave=?2, state=1 WHERE "
                         "taskid=?1",
                         "ba", r->task, &enc);
      pthread_mutex_unlock(&s->mu);
      char ea[DECC_ADDRESS_HEX_LEN];
      slog(s, "scheduler: task %s: enclave challenge %s", th,
           decc_address_to_checksum(ea, &enc));
      return st;
    }
    if (r->state == T_NEW) {
      pthread_mutex_lock(&s->mu);
      st = decc__wk_exec(s->db, err, "UPDATE tasks SET state=1 WHERE taskid=?1",
                         "b", r->task);
      pthread_mutex_unlock(&s->mu);
    }
    return st;
  }
  if (status == DECC_TASK_REVEALING && r->results &&
      ((winners && reveals >= winners) || (now >= reveal_dl && reveals))) {
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_bytes32(&e, r->task);
    decc_abi_enc_push_bytes(&e, r->results, strlen(r->results));
    decc_abi_enc_push_bytes(&e, r->callback, r->callback_len);
    st = decc__wk_send(s->cfg.chain, s->sk, &e, "finalize(bytes32,bytes,bytes)",
                       NULL, err);
    if (actions)
      (*actions)++;
    if (st)
      return st;
    slog(s, "scheduler: task %s finalized (%llu reveal(s))", th,
         (unsigned long long)reveals);
    pthread_mutex_lock(&s->mu);
    st = decc__wk_exec(s->db, err, "UPDATE tasks SET state=2 WHERE taskid=?1",
                       "b", r->task);
    pthread_mutex_unlock(&s->mu);
  }
  return st;
}

decc_status decc_scheduler_step(decc_scheduler *s, size_t *actions,
                                decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  if (actions)
    *actions = 0;
  decc_status st = scan_deals(s, actions, err);
  if (st)
    return st;
  uint64_t now = 0;
  if ((st = decc_chain_block_timestamp(s->cfg.chain, &now, err)))
    return st;
  uint64_t wall = (uint64_t)time(NULL);
  if (wall > now)
    now = wall;
  /* read the open rows first (the mutex is not held across chain calls) */
  trow *rows = decc_calloc(MAX_PER_STEP, sizeof *rows);
  if (!rows)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  size_t n = 0;
  pthread_mutex_lock(&s->mu);
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT taskid, dealid, idx, tee, trust, state, "
                         "enclave, results, callback FROM tasks WHERE state<2 "
                         "ORDER BY rowid LIMIT ?1",
                         -1, &q, NULL) == SQLITE_OK) {
    sqlite3_bind_int(q, 1, MAX_PER_STEP);
    while (n < MAX_PER_STEP && sqlite3_step(q) == SQLITE_ROW) {
      trow *r = &rows[n++];
      memcpy(r->task, sqlite3_column_blob(q, 0), 32);
      memcpy(r->deal, sqlite3_column_blob(q, 1), 32);
      r->idx = sqlite3_column_int64(q, 2);
      r->tee = sqlite3_column_int(q, 3);
      r->trust = sqlite3_column_int(q, 4);
      r->state = sqlite3_column_int(q, 5);
      if (sqlite3_column_bytes(q, 6) == 20) {
        memcpy(r->enclave.b, sqlite3_column_blob(q, 6), 20);
        r->has_enclave = 1;
      }
      const unsigned char *res = sqlite3_column_text(q, 7);
      if (res)
        r->results = decc_strdup((const char *)res);
      int cl = sqlite3_column_bytes(q, 8);
      if (cl > 0 && (r->callback = decc_malloc((size_t)cl))) {
        memcpy(r->callback, sqlite3_column_blob(q, 8), (size_t)cl);
        r->callback_len = (size_t)cl;
      }
    }
  } else {
    st = decc_err_set(err, DECC_E_IO, "state: %s", sqlite3_errmsg(s->db));
  }
  sqlite3_finalize(q);
  pthread_mutex_unlock(&s->mu);
  for (size_t i = 0; i < n && !st; i++) {
    decc_err e2;
    decc_err_clear(&e2);
    decc_status ts = task_round(s, &rows[i], now, actions, &e2);
    if (ts == DECC_E_REVERT) {
      /* the chain said no (a race with another party): logged, retried
       * next round after a fresh read */
      char th[DECC_HEX32_LEN];
      slog(s, "scheduler: task %s: %s", decc__wk_hex32(th, rows[i].task),
           e2.msg);
    } else if (ts) {
      st = ts;
      if (err)
        *err = e2;
    }
  }
  for (size_t i = 0; i < n; i++) {
    decc_free(rows[i].results);
    decc_free(rows[i].callback);
  }
  decc_free(rows);
  return st;
}

/* ---- handing tasks out --------------------------------------------------------------- */

decc_status decc_scheduler_assign(decc_scheduler *s, const decc_address *worker,
                                  decc_task_assignment *a, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(worker != NULL);
  DECC_ARG_CHECK(a != NULL);
  memset(a, 0, sizeof *a);
  decc_status st = DECC_E_NOT_FOUND;
  pthread_mutex_lock(&s->mu);
  sqlite3_stmt *q = NULL;
  /* First an open task already handed to this worker that it never
   * reported on: the worker may have died (or lost the answer) between our
   * record and its own, so it gets the same task again (the worker ignores
   * a task it already holds and re-sends its report). Then open tasks this
   * worker has not had, TEE ones once their challenge is known, with fewer
   * assignments than replicas wanted. */
  int again = 0;
  if (sqlite3_prepare_v2(
          s->db,
          "SELECT t.taskid, t.dealid, t.idx, t.tee, t.enclave, t.trust FROM "
          "tasks t JOIN assignments x ON x.taskid=t.taskid WHERE t.state=1 "
          "AND x.worker=?1 AND x.state=0 ORDER BY t.rowid LIMIT 1",
          -1, &q, NULL) == SQLITE_OK) {
    sqlite3_bind_blob(q, 1, worker->b, 20, SQLITE_STATIC);
    again = sqlite3_step(q) == SQLITE_ROW;
    if (!again) {
      sqlite3_finalize(q);
      q = NULL;
    }
  }
  if (!again &&
      sqlite3_prepare_v2(
          s->db,
          "SELECT t.taskid, t.dealid, t.idx, t.tee, t.enclave, t.trust FROM "
          "tasks t WHERE t.state=1 AND (t.tee=0 OR t.enclave IS NOT NULL) AND "
          "NOT EXISTS (SELECT 1 FROM assignments x WHERE x.taskid=t.taskid "
          "AND x.worker=?1) AND (SELECT count(*) FROM assignments y WHERE "
          "y.taskid=t.taskid) < (CASE WHEN t.tee=1 THEN 1 WHEN ?2>0 THEN ?2 "
          "WHEN t.trust>1 THEN t.trust ELSE 1 END) ORDER BY t.rowid LIMIT 1",
          -1, &q, NULL) != SQLITE_OK) {
    st = decc_err_set(err, DECC_E_IO, "state: %s", sqlite3_errmsg(s->db));
  } else {
    if (!again) {
      sqlite3_bind_blob(q, 1, worker->b, 20, SQLITE_STATIC);
      sqlite3_bind_int(q, 2, (int)s->cfg.max_replicas);
    }
    if (again || sqlite3_step(q) == SQLITE_ROW) {
      memcpy(a->task_id, sqlite3_column_blob(q, 0), 32);
      memcpy(a->deal_id, sqlite3_column_blob(q, 1), 32);
      a->index = (uint64_t)sqlite3_column_int64(q, 2);
      a->tee = sqlite3_column_int(q, 3);
      if (sqlite3_column_bytes(q, 4) == 20)
        memcpy(a->enclave_challenge.b, sqlite3_column_blob(q, 4), 20);
      a->worker = *worker;
      uint8_t msg[32];
      decc_poco_authorization_message(msg, worker, a->task_id,
                                      &a->enclave_challenge);
      st = decc_eip191_sign(a->authorization, s->sk, msg, 32);
      if (st)
        st = decc_err_set(err, st, "signing the authorization failed");
    } else {
      decc_err_set(err, DECC_E_NOT_FOUND, "no task to hand out");
    }
  }
  sqlite3_finalize(q);
  if (!st && !again)
    st = decc__wk_exec(s->db, err,
                       "INSERT INTO assignments(taskid, worker, state) VALUES "
                       "(?1,?2,0)",
                       "ba", a->task_id, worker);
  pthread_mutex_unlock(&s->mu);
  if (!st) {
    char th[DECC_HEX32_LEN], wa[DECC_ADDRESS_HEX_LEN];
    slog(s,
         again ? "scheduler: task %s handed again to worker %s (no report "
                 "yet)"
               : "scheduler: task %s → worker %s",
         decc__wk_hex32(th, a->task_id), decc_address_to_checksum(wa, worker));
  }
  return st;
}

decc_status decc_scheduler_report(decc_scheduler *s,
                                  const decc_worker_report *r, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(r != NULL);
  pthread_mutex_lock(&s->mu);
  decc_status st = decc__wk_exec(
      s->db, err,
      "UPDATE assignments SET state=?3 WHERE taskid=?1 AND worker=?2", "bai",
      r->task_id, &r->worker, (int64_t)r->kind);
  if (!st && sqlite3_changes(s->db) == 0)
    st = decc_err_set(err, DECC_E_NOT_FOUND, "no such assignment");
  if (!st && r->kind == DECC_REPORT_REVEALED)
    st = decc__wk_exec(s->db, err,
                       "UPDATE tasks SET results=coalesce(results, ?2), "
                       "callback=coalesce(callback, ?3) WHERE taskid=?1",
                       "btB", r->task_id, r->results, r->callback,
                       r->callback_len);
  if (!st && r->kind == DECC_REPORT_FAILED)
    st = decc__wk_record_failure(s->db, r->task_id, r->cause, r->exit_code,
                                 r->detail, &r->worker, err);
  pthread_mutex_unlock(&s->mu);
  if (!st && r->kind == DECC_REPORT_FAILED) {
    char th[DECC_HEX32_LEN];
    slog(s, "scheduler: task %s failed on a worker: %s (%s)",
         decc__wk_hex32(th, r->task_id), decc_task_cause_name(r->cause),
         r->detail);
  }
  return st;
}

void decc_scheduler_counts(decc_scheduler *s, size_t *open, size_t *ended) {
  DECC_ARG_CHECK_VOID(s != NULL);
  size_t o = 0, e = 0;
  pthread_mutex_lock(&s->mu);
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(s->db, "SELECT sum(state<2), sum(state=2) FROM tasks",
                         -1, &q, NULL) == SQLITE_OK &&
      sqlite3_step(q) == SQLITE_ROW) {
    o = (size_t)sqlite3_column_int64(q, 0);
    e = (size_t)sqlite3_column_int64(q, 1);
  }
  sqlite3_finalize(q);
  pthread_mutex_unlock(&s->mu);
  if (open)
    *open = o;
  if (ended)
    *ended = e;
}
