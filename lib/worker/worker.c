/*
 * worker.c — the worker (iexec-protocol.md §5.2): takes an assignment
 * from the scheduler, runs it — TEE tasks through the attested enclave
 * runtime (the worker relays the SMS nonce, the quote and the sealed
 * session, never sees the plaintext), standard tasks in the same sandbox
 * with a secret-free session — stores the app's logs and the outcome,
 * then sends contributeAndFinalize (TEE, trust 1) or contribute, and
 * reveals once PoCo's consensus is reached.
 *
 * State machine of a task row (durable, written before each transaction):
 *   RUNNING → (outcome) → SENDING (digest, results, signatures stored) →
 *   DONE (contributeAndFinalize) | CONTRIBUTED → DONE (revealed) ;
 *   any → FAILED (cause recorded, reported to the scheduler).
 * After a restart: RUNNING re-runs if the chain still allows it; SENDING
 * first reads the chain (our contribution there? the task completed by
 * us?) and re-sends only if nothing happened; CONTRIBUTED reveals when
 * the consensus is ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/cid.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/sms.h"
#include "decc/sms_client.h"
#include "worker/worker_int.h"

#define WORKER_SCHEMA                                                          \
  "CREATE TABLE IF NOT EXISTS tasks(taskid BLOB PRIMARY KEY, assignment "      \
  "BLOB NOT NULL, state INTEGER NOT NULL, digest BLOB, results TEXT, "         \
  "callback BLOB, enclave_sign BLOB, enclave BLOB, updated INTEGER NOT "       \
  "NULL);"

enum {
  W_RUNNING = 0,
  W_SENDING = 1,
  W_CONTRIBUTED = 2,
  W_DONE = 3,
  W_FAILED = 4
};

struct decc_worker {
  decc_worker_config cfg;
  uint8_t *sk;
  decc_address me;
  sqlite3 *db;
  char *dir, *work, *logs;
  char *ipfs_url, *sched_url, *enclave_exec;
  /* Every SMS call (nonces, sessions): cfg.sms_client, else one this
   * worker opened over cfg.sms or cfg.sms_url (own_smsc), else NULL (no
   * TEE task can run). */
  decc_sms_client *smsc;
  int own_smsc;
};

static void wlog(decc_worker *w, const char *fmt, ...) DECC_PRINTF(2, 3);
static void wlog(decc_worker *w, const char *fmt, ...) {
  if (!w->cfg.log)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  w->cfg.log(w->cfg.log_ctx, line);
}

decc_status decc_worker_create(decc_worker **out, const decc_worker_config *cfg,
                               decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(cfg != NULL);
  *out = NULL;
  if (!cfg->chain || !cfg->worker_sk32 ||
      (!cfg->scheduler && !cfg->scheduler_url) || !cfg->dir ||
      (!cfg->store.bs && !cfg->store.ipfs_api_url))
    return decc_err_set(err, DECC_E_INVALID,
                        "worker: chain, key, scheduler, store and dir are "
                        "required");
  decc_worker *w = decc_calloc(1, sizeof *w);
  if (!w)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  w->cfg = *cfg;
  if (!w->cfg.limits.wall_ms)
    decc_enclave_limits_init(&w->cfg.limits);
  decc_status st = DECC_OK;
  w->sk = decc_secure_alloc(32);
  w->dir = decc_strdup(cfg->dir);
  w->work = decc__path_join(cfg->dir, "work");
  w->logs = decc__path_join(cfg->dir, "logs");
  if (cfg->store.ipfs_api_url)
    w->ipfs_url = decc_strdup(cfg->store.ipfs_api_url);
  if (!cfg->scheduler && cfg->scheduler_url)
    w->sched_url = decc_strdup(cfg->scheduler_url);
  if (cfg->enclave_exec)
    w->enclave_exec = decc_strdup(cfg->enclave_exec);
  if (!w->sk || !w->dir || !w->work || !w->logs ||
      (cfg->enclave_exec && !w->enclave_exec) ||
      (!cfg->scheduler && !w->sched_url) ||
      (cfg->store.ipfs_api_url && !w->ipfs_url)) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto fail;
  }
  w->cfg.sms_url = NULL;
  if (cfg->sms_client) {
    w->smsc = cfg->sms_client;
  } else if (cfg->sms || cfg->sms_url) {
    st = cfg->sms ? decc_sms_client_open_local(&w->smsc, cfg->sms, err)
                  : decc_sms_client_open_http(&w->smsc, cfg->sms_url, err);
    if (st)
      goto fail;
    w->own_smsc = 1;
  }
  w->cfg.store.ipfs_api_url = w->ipfs_url;
  w->cfg.scheduler_url = w->sched_url;
  w->cfg.enclave_exec = w->enclave_exec;
  w->cfg.dir = w->dir;
  memcpy(w->sk, cfg->worker_sk32, 32);
  if (decc_address_from_privkey(&w->me, w->sk)) {
    st = decc_err_set(err, DECC_E_INVALID, "worker: bad key");
    goto fail;
  }
  if ((mkdir(w->dir, 0700) && errno != EEXIST) ||
      (mkdir(w->work, 0700) && errno != EEXIST) ||
      (mkdir(w->logs, 0700) && errno != EEXIST)) {
    st = decc_err_set(err, DECC_E_IO, "worker: cannot create %s: %s", w->dir,
                      strerror(errno));
    goto fail;
  }
  char *state = decc__path_join(w->dir, "state.sqlite");
  if (!state) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto fail;
  }
  st = decc__wk_db_open(&w->db, state, WORKER_SCHEMA, 0, err);
  decc_free(state);
  if (st)
    goto fail;
  *out = w;
  return DECC_OK;
fail:
  decc_worker_destroy(w);
  return st;
}

void decc_worker_destroy(decc_worker *w) {
  if (!w)
    return;
  sqlite3_close(w->db);
  if (w->sk) {
    decc_memzero(w->sk, 32);
    decc_secure_free(w->sk);
  }
  decc_free(w->dir);
  decc_free(w->work);
  decc_free(w->logs);
  if (w->own_smsc)
    decc_sms_client_destroy(w->smsc);
  decc_free(w->ipfs_url);
  decc_free(w->sched_url);
  decc_free(w->enclave_exec);
  decc_free(w);
}

const decc_address *decc_worker_address(const decc_worker *w) {
  DECC_ARG_CHECK_RET(w != NULL, NULL);
  return &w->me;
}

/* ---- SMS relay (ciphertext only) ---------------------------------------------- */

typedef struct relay {
  decc_worker *w;
  const decc_task_assignment *a;
  /* the SMS's refusal code handed to the enclave runtime, which copies it
   * before the next relay call */
  char code[DECC_SMS_CODE_MAX];
} relay;

static decc_status relay_nonce(void *ctx, uint8_t nonce32[32],
                               const char **code, decc_err *err) {
  relay *r = ctx;
  decc_status st =
      decc_smsc_nonce(r->w->smsc, r->a->task_id, nonce32, r->code, err);
  *code = r->code[0] ? r->code : NULL;
  return st;
}

static decc_status relay_session(void *ctx, const decc_quote *q,
                                 uint8_t **sealed, size_t *len,
                                 const char **code, decc_err *err) {
  relay *r = ctx;
  decc_sms_session_request req;
  memset(&req, 0, sizeof req);
  memcpy(req.task_id, r->a->task_id, 32);
  memcpy(req.deal_id, r->a->deal_id, 32);
  req.task_index = r->a->index;
  req.worker = r->w->me;
  req.enclave_challenge = r->a->enclave_challenge;
  memcpy(req.pool_signature, r->a->authorization, 65);
  req.quote = *q;
  char sid[DECC_SMS_SESSION_ID_LEN + 1];
  decc_status st = decc_smsc_session(r->w->smsc, &req, r->w->sk, sid, sealed,
                                     len, r->code, err);
  *code = r->code[0] ? r->code : NULL;
  return st;
}

/* ---- chain reads --------------------------------------------------------------- */

static decc_status app_asset(decc_worker *w, const decc_address *app,
                             uint8_t sum[32], decc_buf *maddr, decc_err *err) {
  uint8_t *m = NULL;
  size_t n = 0;
  decc_status st =
      decc_hub_asset_read(w->cfg.chain, DECC_HUB_APP, app, sum, &m, &n, err);
  if (!st && n)
    st = decc_buf_append(maddr, m, n);
  decc_free(m);
  return st;
}

static uint64_t chain_now(decc_worker *w) {
  uint64_t now = 0;
  if (decc_chain_block_timestamp(w->cfg.chain, &now, NULL))
    now = 0;
  uint64_t wall = (uint64_t)time(NULL);
  return wall > now ? wall : now;
}

/* ---- logs ------------------------------------------------------------------------ */

static char *read_bounded(const char *path, size_t max) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return decc_strdup("");
  char *b = decc_malloc(max + 1);
  size_t n = b ? fread(b, 1, max, f) : 0;
  fclose(f);
  if (b)
    b[n] = 0;
  return b;
}

/* Keeps the app's logs and the outcome as <logs>/<task>.json (0600). */
static void save_logs(decc_worker *w, const char *workdir, const char *th,
                      const decc_enclave_outcome *o) {
  char *lo = decc__path_join(workdir, "logs/stdout.txt");
  char *le = decc__path_join(workdir, "logs/stderr.txt");
  size_t max = (size_t)w->cfg.limits.log_max_bytes + 64;
  char *so = lo ? read_bounded(lo, max) : NULL;
  char *se = le ? read_bounded(le, max) : NULL;
  json_t *j =
      json_pack("{s:s,s:s,s:i,s:s,s:s?,s:s?}", "taskId", th, "cause",
                decc_task_cause_name(o->cause), "exitCode", o->exit_code,
                "detail", o->detail, "stdout", so, "stderr", se);
  char name[80], *tmp = NULL, *path = NULL;
  snprintf(name, sizeof name, "%s.json", th);
  path = decc__path_join(w->logs, name);
  snprintf(name, sizeof name, "%s.json.tmp", th);
  tmp = decc__path_join(w->logs, name);
  if (j && path && tmp) {
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
      int ok = json_dumpfd(j, fd, JSON_COMPACT) == 0 && fsync(fd) == 0;
      ok = close(fd) == 0 && ok;
      if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        wlog(w, "worker: task %s: could not store its logs", th);
      }
    }
  }
  json_decref(j);
  decc_free(lo);
  decc_free(le);
  decc_free(so);
  decc_free(se);
  decc_free(path);
  decc_free(tmp);
}

void decc_worker_logs_message(uint8_t out32[32], const uint8_t taskid32[32]) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(taskid32 != NULL);
  uint8_t buf[14 + 32];
  memcpy(buf, "DECC_TASK_LOGS", 14);
  memcpy(buf + 14, taskid32, 32);
  decc_keccak256(out32, buf, sizeof buf);
}

decc_status decc_worker_task_logs(decc_worker *w, const uint8_t taskid32[32],
                                  const uint8_t auth_sig65[65], char **json,
                                  decc_err *err) {
  DECC_ARG_CHECK(w != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(auth_sig65 != NULL);
  DECC_ARG_CHECK(json != NULL);
  *json = NULL;
  decc_poco_task t;
  decc_status st = decc_hub_view_task(w->cfg.chain, taskid32, &t, err);
  if (st)
    return st;
  if (t.status == DECC_TASK_UNSET) {
    decc_poco_task_clear(&t);
    return decc_err_set(err, DECC_E_NOT_FOUND, "no such task");
  }
  decc_poco_deal d;
  st = decc_hub_view_deal(w->cfg.chain, t.deal_id, &d, err);
  decc_poco_task_clear(&t);
  if (st)
    return st;
  uint8_t msg[32];
  decc_address signer;
  decc_worker_logs_message(msg, taskid32);
  if (decc_eip191_recover(&signer, msg, 32, auth_sig65) ||
      !decc_address_eq(&signer, &d.requester)) {
    decc_poco_deal_clear(&d);
    return decc_err_set(err, DECC_E_DENIED,
                        "task logs are readable by the requester only");
  }
  decc_poco_deal_clear(&d);
  char th[DECC_HEX32_LEN], name[80];
  snprintf(name, sizeof name, "%s.json", decc__wk_hex32(th, taskid32));
  char *path = decc__path_join(w->logs, name);
  char *text = path ? read_bounded(path, 1u << 20) : NULL;
  decc_free(path);
  if (!text || !*text) {
    decc_free(text);
    return decc_err_set(err, DECC_E_NOT_FOUND, "no logs for this task here");
  }
  *json = text;
  return DECC_OK;
}

/* ---- transactions ------------------------------------------------------------------ */

typedef struct sent {
  uint8_t digest[32];
  char results[DECC_ENCLAVE_RESULTS_MAX];
  uint8_t callback[DECC_ENCLAVE_CALLBACK_MAX];
  size_t callback_len;
  uint8_t enclave_sign[65];
  int has_sign;
  decc_address enclave;
} sent;

static void report(decc_worker *w, const decc_task_assignment *a,
                   decc_report_kind kind, const decc_enclave_outcome *o,
                   const sent *s) {
  decc_worker_report r;
  memset(&r, 0, sizeof r);
  memcpy(r.task_id, a->task_id, 32);
  r.worker = w->me;
  r.kind = kind;
  if (o) {
    r.cause = o->cause;
    r.exit_code = o->exit_code;
    snprintf(r.detail, sizeof r.detail, "%s", o->detail);
  }
  if (s) {
    snprintf(r.results, sizeof r.results, "%s", s->results);
    memcpy(r.callback, s->callback, s->callback_len);
    r.callback_len = s->callback_len;
  }
  decc_err e;
  decc_status rs =
      w->cfg.scheduler
          ? decc_scheduler_report(w->cfg.scheduler, &r, &e)
          : decc_scheduler_remote_report(w->sched_url, w->sk, &r, &e);
  if (rs)
    wlog(w, "worker: report to the scheduler failed: %s", e.msg);
}

static decc_status set_state(decc_worker *w, const uint8_t task[32], int state,
                             decc_err *err) {
  return decc__wk_exec(w->db, err,
                       "UPDATE tasks SET state=?2, updated=?3 WHERE taskid=?1",
                       "bii", task, (int64_t)state, (int64_t)time(NULL));
}

static decc_status fail_task(decc_worker *w, const decc_task_assignment *a,
                             const decc_enclave_outcome *o, decc_err *err) {
  char th[DECC_HEX32_LEN];
  wlog(w, "worker: task %s failed: %s (%s)", decc__wk_hex32(th, a->task_id),
       decc_task_cause_name(o->cause), o->detail);
  decc_status st = decc__wk_record_failure(
      w->db, a->task_id, o->cause, o->exit_code, o->detail, &w->me, err);
  if (!st)
    st = set_state(w, a->task_id, W_FAILED, err);
  report(w, a, DECC_REPORT_FAILED, o, NULL);
  return st;
}

static void outcome_fail(decc_enclave_outcome *o, decc_task_cause c,
                         const char *detail) {
  memset(o, 0, sizeof *o);
  o->cause = c;
  /* detail may be a whole error message (DECC_ERR_LEN): keep its start. */
  snprintf(o->detail, sizeof o->detail, "%.*s", (int)sizeof o->detail - 1,
           detail);
}

/* Sends the contribution stored in s (contributeAndFinalize for TEE trust
 * 1, else contribute). */
static decc_status send_contribution(decc_worker *w,
                                     const decc_task_assignment *a,
                                     const sent *s, int fast, decc_err *err) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  static const uint8_t nosig[65];
  const uint8_t *esig = s->has_sign ? s->enclave_sign : nosig;
  if (fast) {
    decc_abi_enc_push_bytes32(&e, a->task_id);
    decc_abi_enc_push_bytes32(&e, s->digest);
    decc_abi_enc_push_bytes(&e, s->results, strlen(s->results));
    decc_abi_enc_push_bytes(&e, s->callback, s->callback_len);
    decc_abi_enc_push_address(&e, &s->enclave);
    decc_abi_enc_push_bytes(&e, esig, 65);
    decc_abi_enc_push_bytes(&e, a->authorization, 65);
    return decc__wk_send(w->cfg.chain, w->sk, &e,
                         "contributeAndFinalize(bytes32,bytes32,bytes,bytes,"
                         "address,bytes,bytes)",
                         NULL, err);
  }
  uint8_t h[32], seal[32];
  decc_poco_result_hash(h, a->task_id, s->digest);
  decc_poco_result_seal(seal, &w->me, a->task_id, s->digest);
  decc_abi_enc_push_bytes32(&e, a->task_id);
  decc_abi_enc_push_bytes32(&e, h);
  decc_abi_enc_push_bytes32(&e, seal);
  decc_abi_enc_push_address(&e, &s->enclave);
  decc_abi_enc_push_bytes(&e, esig, 65);
  decc_abi_enc_push_bytes(&e, a->authorization, 65);
  return decc__wk_send(
      w->cfg.chain, w->sk, &e,
      "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)", NULL, err);
}

static decc_status store_sent(decc_worker *w, const uint8_t task[32],
                              const sent *s, decc_err *err) {
  return decc__wk_exec(
      w->db, err,
      "UPDATE tasks SET state=1, digest=?2, results=?3, callback=?4, "
      "enclave_sign=?5, enclave=?6, updated=?7 WHERE taskid=?1",
      "bbtBBai", task, s->digest, s->results, s->callback, s->callback_len,
      s->enclave_sign, (size_t)(s->has_sign ? 65 : 0), &s->enclave,
      (int64_t)time(NULL));
}

/* ---- one run -------------------------------------------------------------------------- */

static decc_status fetch_bundle(decc_worker *w, const decc_buf *maddr,
                                decc_buf *out, decc_err *err) {
  char *url = NULL;
  if (decc_multiaddr_to_string(&url, maddr->data, maddr->len, NULL) != DECC_OK)
    url = decc_strndup((const char *)maddr->data, maddr->len);
  if (!url)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = decc_enclave_fetch(&w->cfg.store, url, out,
                                      w->cfg.limits.bundle_max_bytes,
                                      w->cfg.limits.fetch_timeout_s, err);
  decc_free(url);
  return st;
}

/* Runs the assignment and sends its transaction. The row exists (RUNNING). */
static decc_status run_assignment(decc_worker *w, const decc_task_assignment *a,
                                  size_t *actions, decc_err *err) {
  char th[DECC_HEX32_LEN];
  decc__wk_hex32(th, a->task_id);
  decc_enclave_outcome o;
  memset(&o, 0, sizeof o);
  decc_poco_task t;
  decc_poco_deal d;
  decc_status st = decc_hub_view_task(w->cfg.chain, a->task_id, &t, err);
  if (st)
    return st;
  st = decc_hub_view_deal(w->cfg.chain, a->deal_id, &d, err);
  if (st) {
    decc_poco_task_clear(&t);
    return st;
  }
  uint64_t cdl = 0, trust = 0, bot_first = 0, bot_size = 0;
  if (decc__wk_u64(&cdl, &t.contribution_deadline) ||
      decc__wk_u64(&trust, &d.trust))
    cdl = 0;
  if (decc__wk_u64(&bot_first, &d.bot_first) ||
      decc__wk_u64(&bot_size, &d.bot_size))
    bot_size = 0;
  int active = t.status == DECC_TASK_ACTIVE;
  decc_poco_task_clear(&t);
  decc_poco_contribution mine;
  if (!active || chain_now(w) >= cdl) {
    outcome_fail(&o, DECC_CAUSE_DEADLINE_REACHED,
                 "the task is no longer open for contributions");
  } else if ((st = decc_hub_view_contribution(w->cfg.chain, a->task_id, &w->me,
                                              &mine, err))) {
    decc_poco_deal_clear(&d);
    return st;
  } else if (mine.status != DECC_CONTRIB_UNSET) {
    outcome_fail(&o, DECC_CAUSE_INTERNAL, "already contributed to this task");
  }
  int tee = decc_tag_has(d.tag, 0);
  int fast = tee && trust <= 1;
  uint8_t sum[32];
  decc_buf maddr, bundle;
  decc_buf_init(&maddr, 4096);
  decc_buf_init(&bundle, 0);
  char *work = decc__path_join(w->work, th);
  if (!work)
    outcome_fail(&o, DECC_CAUSE_INTERNAL, "out of memory");
  if (!o.cause && (st = app_asset(w, &d.app.pointer, sum, &maddr, err))) {
    outcome_fail(&o, DECC_CAUSE_APP_FETCH_FAILED, err->msg);
    st = DECC_OK;
  }
  if (!o.cause) {
    decc__rmtree(work);
    if (mkdir(work, 0700) != 0)
      outcome_fail(&o, DECC_CAUSE_INTERNAL, "cannot create the work dir");
  }
  if (!o.cause && tee) {
    if (!w->cfg.backend || !w->smsc) {
      outcome_fail(&o, DECC_CAUSE_UNSUPPORTED_TASK,
                   "TEE task but this worker has no TEE backend or SMS");
    } else {
      relay r = {w, a, {0}};
      decc_enclave_launch l;
      memset(&l, 0, sizeof l);
      memcpy(l.task_id, a->task_id, 32);
      l.app_multiaddr = maddr.data;
      l.app_multiaddr_len = maddr.len;
      memcpy(l.app_checksum, sum, 32);
      l.backend = w->cfg.backend;
      l.relay.ctx = &r;
      l.relay.nonce = relay_nonce;
      l.relay.session = relay_session;
      l.work_dir = work;
      l.store = w->cfg.store;
      l.limits = w->cfg.limits;
      /* the relayed quote, bound to the result key, kept next to the logs
       * for requesters (GET /tasks/{id}/attestation, node_wpapi.c) */
      char an[96];
      snprintf(an, sizeof an, "%s.attestation.json", th);
      char *apath = decc__path_join(w->logs, an);
      l.attestation_path = apath;
      l.exec_path = w->cfg.enclave_exec;
      /* past the contribution deadline a result is useless: a hung
       * enclave must not hold this thread longer */
      uint64_t now = chain_now(w);
      if (cdl > now)
        l.deadline_s =
            cdl - now > UINT32_MAX ? UINT32_MAX : (uint32_t)(cdl - now);
      decc_err e2;
      decc_err_clear(&e2);
      decc_status lst = decc_enclave_launch_run(&o, &l, &e2);
      decc_free(apath);
      if (lst)
        outcome_fail(&o, DECC_CAUSE_INTERNAL, e2.msg);
      else if (!o.cause &&
               !decc_address_eq(&o.enclave_challenge, &a->enclave_challenge))
        outcome_fail(&o, DECC_CAUSE_SESSION_INVALID,
                     "the session's signing key is not the task's enclave "
                     "challenge");
    }
  } else if (!o.cause) {
    decc_err e2;
    decc_err_clear(&e2);
    uint8_t got[32];
    decc_enclave_standard std;
    memset(&std, 0, sizeof std);
    memcpy(std.task_id, a->task_id, 32);
    memcpy(std.deal_id, a->deal_id, 32);
    std.task_index = a->index;
    std.bot_first = bot_first;
    std.bot_size = bot_size;
    std.worker = w->me;
    std.callback = d.callback;
    std.params = d.params;
    memcpy(std.app_checksum, sum, 32);
    char *sess = NULL;
    size_t sl = 0;
    if (fetch_bundle(w, &maddr, &bundle, &e2)) {
      outcome_fail(&o, DECC_CAUSE_APP_FETCH_FAILED, e2.msg);
    } else if (decc_sha256(got, bundle.data, bundle.len),
               !decc_ct_memeq(got, sum, 32)) {
      outcome_fail(&o, DECC_CAUSE_APP_MEASUREMENT_MISMATCH,
                   "the app bundle's SHA-256 differs from the on-chain "
                   "checksum");
    } else if ((st = decc_enclave_standard_session(&sess, &sl, &std, &e2))) {
      outcome_fail(&o,
                   st == DECC_E_UNSUPPORTED ? DECC_CAUSE_UNSUPPORTED_TASK
                                            : DECC_CAUSE_INTERNAL,
                   e2.msg);
      st = DECC_OK;
    } else if (decc_enclave_run_session(&o, sess, sl, bundle.data, bundle.len,
                                        work, &w->cfg.store, &w->cfg.limits,
                                        &e2)) {
      outcome_fail(&o, DECC_CAUSE_INTERNAL, e2.msg);
    }
    decc_free(sess);
  }
  if (work) {
    save_logs(w, work, th, &o);
    decc__rmtree(work);
  }
  decc_free(work);
  decc_buf_clear(&maddr);
  decc_buf_clear(&bundle);
  if (actions)
    (*actions)++;

  if (!o.cause) {
    sent s;
    memset(&s, 0, sizeof s);
    memcpy(s.digest, o.result_digest, 32);
    if (o.has_callback) {
      char cb[DECC_ADDRESS_HEX_LEN];
      snprintf(s.results, sizeof s.results,
               "{ \"storage\": \"ethereum\", \"location\": \"%s\" }",
               decc_address_to_hex(cb, &d.callback));
      memcpy(s.callback, o.callback, o.callback_len);
      s.callback_len = o.callback_len;
    } else {
      snprintf(s.results, sizeof s.results, "%s", o.results);
    }
    s.has_sign = o.has_enclave_sign;
    memcpy(s.enclave_sign, o.enclave_sign, 65);
    s.enclave = tee ? a->enclave_challenge : s.enclave;
    if ((st = store_sent(w, a->task_id, &s, err)))
      goto out;
    decc_err e2;
    decc_err_clear(&e2);
    decc_status ts = send_contribution(w, a, &s, fast, &e2);
    if (ts == DECC_E_REVERT) {
      outcome_fail(&o, DECC_CAUSE_CONTRIBUTION_FAILED, e2.msg);
      if (strstr(e2.msg, "invalid-signature") || strstr(e2.msg, "authoriz"))
        o.cause = DECC_CAUSE_NOT_AUTHORIZED;
    } else if (ts) {
      /* not committed (I/O, timeout): the SENDING row is re-checked next
       * round against the chain */
      st = ts;
      if (err)
        *err = e2;
      goto out;
    } else if (fast) {
      wlog(w, "worker: task %s completed (contributeAndFinalize)", th);
      st = set_state(w, a->task_id, W_DONE, err);
      report(w, a, DECC_REPORT_COMPLETED, NULL, &s);
      goto out;
    } else {
      wlog(w, "worker: task %s contributed", th);
      st = set_state(w, a->task_id, W_CONTRIBUTED, err);
      report(w, a, DECC_REPORT_CONTRIBUTED, NULL, &s);
      goto out;
    }
  }
  st = fail_task(w, a, &o, err);
out:
  decc_poco_deal_clear(&d);
  return st;
}

/* ---- resuming ---------------------------------------------------------------------------- */

typedef struct row {
  decc_task_assignment a;
  int state;
  sent s;
} row;

static decc_status resume(decc_worker *w, row *r, size_t *actions,
                          decc_err *err) {
  char th[DECC_HEX32_LEN];
  decc__wk_hex32(th, r->a.task_id);
  decc_poco_task t;
  decc_status st = decc_hub_view_task(w->cfg.chain, r->a.task_id, &t, err);
  if (st)
    return st;
  decc_poco_contribution c;
  st = decc_hub_view_contribution(w->cfg.chain, r->a.task_id, &w->me, &c, err);
  if (st) {
    decc_poco_task_clear(&t);
    return st;
  }
  decc_enclave_outcome o;
  int status = (int)t.status;
  uint8_t cons[32];
  memcpy(cons, t.consensus_value, 32);
  int ours_completed = status == DECC_TASK_COMPLETED &&
                       t.n_contributions == 1 &&
                       decc_address_eq(&t.contributions[0].worker, &w->me);
  decc_poco_task_clear(&t);
  if (r->state == W_RUNNING) {
    if (status == DECC_TASK_ACTIVE && c.status == DECC_CONTRIB_UNSET) {
      wlog(w, "worker: task %s was interrupted; running it again", th);
      return run_assignment(w, &r->a, actions, err);
    }
    outcome_fail(&o, DECC_CAUSE_INTERNAL,
                 "the worker stopped while running the task");
    return fail_task(w, &r->a, &o, err);
  }
  if (r->state == W_SENDING) {
    if (c.status != DECC_CONTRIB_UNSET || ours_completed) {
      /* the transaction went through before the stop */
      int done = ours_completed || status == DECC_TASK_COMPLETED;
      wlog(w, "worker: task %s: contribution found on chain after restart", th);
      st = set_state(w, r->a.task_id, done ? W_DONE : W_CONTRIBUTED, err);
      report(w, &r->a, done ? DECC_REPORT_COMPLETED : DECC_REPORT_CONTRIBUTED,
             NULL, &r->s);
      return st;
    }
    if (status == DECC_TASK_ACTIVE) {
      decc_poco_deal d;
      if ((st = decc_hub_view_deal(w->cfg.chain, r->a.deal_id, &d, err)))
        return st;
      uint64_t trust = 1;
      if (decc__wk_u64(&trust, &d.trust))
        trust = 2;
      int fast = decc_tag_has(d.tag, 0) && trust <= 1;
      decc_poco_deal_clear(&d);
      decc_err e2;
      decc_err_clear(&e2);
      st = send_contribution(w, &r->a, &r->s, fast, &e2);
      if (actions)
        (*actions)++;
      if (!st) {
        st = set_state(w, r->a.task_id, fast ? W_DONE : W_CONTRIBUTED, err);
        report(w, &r->a, fast ? DECC_REPORT_COMPLETED : DECC_REPORT_CONTRIBUTED,
               NULL, &r->s);
        return st;
      }
      if (st != DECC_E_REVERT) {
        if (err)
          *err = e2;
        return st;
      }
      outcome_fail(&o, DECC_CAUSE_CONTRIBUTION_FAILED, e2.msg);
      return fail_task(w, &r->a, &o, err);
    }
    outcome_fail(&o, DECC_CAUSE_DEADLINE_REACHED,
                 "the task closed before the contribution was sent");
    return fail_task(w, &r->a, &o, err);
  }
  /* CONTRIBUTED: reveal when the consensus is ours */
  if (c.status == DECC_CONTRIB_PROVED || status == DECC_TASK_COMPLETED ||
      status == DECC_TASK_FAILED) {
    if (c.status != DECC_CONTRIB_PROVED && status == DECC_TASK_FAILED) {
      outcome_fail(&o, DECC_CAUSE_DEADLINE_REACHED,
                   "the task failed before this worker revealed");
      return fail_task(w, &r->a, &o, err);
    }
    return set_state(w, r->a.task_id, W_DONE, err);
  }
  if (status != DECC_TASK_REVEALING)
    return DECC_OK; /* consensus not reached yet */
  if (memcmp(c.result_hash, cons, 32) != 0) {
    outcome_fail(&o, DECC_CAUSE_CONSENSUS_LOST,
                 "another result won the consensus");
    return fail_task(w, &r->a, &o, err);
  }
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, r->a.task_id);
  decc_abi_enc_push_bytes32(&e, r->s.digest);
  decc_err e2;
  decc_err_clear(&e2);
  st = decc__wk_send(w->cfg.chain, w->sk, &e, "reveal(bytes32,bytes32)", NULL,
                     &e2);
  if (actions)
    (*actions)++;
  if (st == DECC_E_REVERT) {
    outcome_fail(&o, DECC_CAUSE_CONTRIBUTION_FAILED, e2.msg);
    return fail_task(w, &r->a, &o, err);
  }
  if (st) {
    if (err)
      *err = e2;
    return st;
  }
  wlog(w, "worker: task %s revealed", th);
  st = set_state(w, r->a.task_id, W_DONE, err);
  report(w, &r->a, DECC_REPORT_REVEALED, NULL, &r->s);
  return st;
}

static size_t load_rows(decc_worker *w, row *rows, size_t max) {
  sqlite3_stmt *q = NULL;
  size_t n = 0;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT assignment, state, digest, results, "
                         "callback, enclave_sign, enclave FROM tasks WHERE "
                         "state<3 ORDER BY rowid",
                         -1, &q, NULL) != SQLITE_OK)
    return 0;
  while (n < max && sqlite3_step(q) == SQLITE_ROW) {
    row *r = &rows[n];
    memset(r, 0, sizeof *r);
    if (sqlite3_column_bytes(q, 0) != (int)sizeof r->a)
      continue;
    memcpy(&r->a, sqlite3_column_blob(q, 0), sizeof r->a);
    r->state = sqlite3_column_int(q, 1);
    if (sqlite3_column_bytes(q, 2) == 32)
      memcpy(r->s.digest, sqlite3_column_blob(q, 2), 32);
    const unsigned char *res = sqlite3_column_text(q, 3);
    snprintf(r->s.results, sizeof r->s.results, "%s",
             res ? (const char *)res : "");
    int cl = sqlite3_column_bytes(q, 4);
    if (cl > 0 && (size_t)cl <= sizeof r->s.callback) {
      memcpy(r->s.callback, sqlite3_column_blob(q, 4), (size_t)cl);
      r->s.callback_len = (size_t)cl;
    }
    if (sqlite3_column_bytes(q, 5) == 65) {
      memcpy(r->s.enclave_sign, sqlite3_column_blob(q, 5), 65);
      r->s.has_sign = 1;
    }
    if (sqlite3_column_bytes(q, 6) == 20)
      memcpy(r->s.enclave.b, sqlite3_column_blob(q, 6), 20);
    n++;
  }
  sqlite3_finalize(q);
  return n;
}

/* If the task has a row, *have = 1 and the report matching its state is
 * sent again (nothing for a task still in progress). */
static decc_status rereport(decc_worker *w, const decc_task_assignment *a,
                            int *have, decc_err *err) {
  *have = 0;
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(w->db,
                         "SELECT state, results, callback FROM tasks WHERE "
                         "taskid=?1",
                         -1, &q, NULL) != SQLITE_OK)
    return decc_err_set(err, DECC_E_IO, "state: %s", sqlite3_errmsg(w->db));
  sqlite3_bind_blob(q, 1, a->task_id, 32, SQLITE_STATIC);
  int state = -1;
  sent *s = decc_calloc(1, sizeof *s);
  if (!s) {
    sqlite3_finalize(q);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  if (sqlite3_step(q) == SQLITE_ROW) {
    *have = 1;
    state = sqlite3_column_int(q, 0);
    const unsigned char *res = sqlite3_column_text(q, 1);
    snprintf(s->results, sizeof s->results, "%s", res ? (const char *)res : "");
    int cl = sqlite3_column_bytes(q, 2);
    if (cl > 0 && (size_t)cl <= sizeof s->callback) {
      memcpy(s->callback, sqlite3_column_blob(q, 2), (size_t)cl);
      s->callback_len = (size_t)cl;
    }
  }
  sqlite3_finalize(q);
  if (state == W_CONTRIBUTED) {
    report(w, a, DECC_REPORT_CONTRIBUTED, NULL, s);
  } else if (state == W_DONE) {
    report(w, a, a->tee ? DECC_REPORT_COMPLETED : DECC_REPORT_REVEALED, NULL,
           s);
  } else if (state == W_FAILED) {
    decc_enclave_outcome *o = decc_calloc(1, sizeof *o);
    decc_task_failure f;
    char *path = decc__path_join(w->dir, "state.sqlite");
    if (o && path && decc_task_failure_read(path, a->task_id, &f, NULL) == 0) {
      o->cause = f.cause;
      o->exit_code = f.exit_code;
      snprintf(o->detail, sizeof o->detail, "%s", f.detail);
    } else if (o) {
      outcome_fail(o, DECC_CAUSE_INTERNAL, "failed on the worker");
    }
    if (o)
      report(w, a, DECC_REPORT_FAILED, o, NULL);
    decc_free(path);
    decc_free(o);
  }
  decc_free(s);
  return DECC_OK;
}

decc_status decc_worker_step(decc_worker *w, size_t *actions, decc_err *err) {
  DECC_ARG_CHECK(w != NULL);
  if (actions)
    *actions = 0;
  row *rows = decc_calloc(64, sizeof *rows);
  if (!rows)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  size_t n = load_rows(w, rows, 64);
  decc_status st = DECC_OK;
  for (size_t i = 0; i < n && !st; i++)
    st = resume(w, &rows[i], actions, err);
  decc_free(rows);
  if (st)
    return st;
  decc_task_assignment a;
  decc_err e2;
  decc_status as =
      w->cfg.scheduler
          ? decc_scheduler_assign(w->cfg.scheduler, &w->me, &a, &e2)
          : decc_scheduler_remote_assign(w->sched_url, w->sk, &a, &e2);
  if (as == DECC_E_NOT_FOUND)
    return DECC_OK;
  if (as) {
    if (err)
      *err = e2;
    return as;
  }
  /* A task we already hold (the scheduler hands it again while it has no
   * report from us: our report was lost, or we died between its record
   * and ours — then we have no row and run it now): never run it twice,
   * send the report again instead. */
  int have = 0;
  if ((st = rereport(w, &a, &have, err)))
    return st;
  if (have)
    return DECC_OK;
  if ((st = decc__wk_exec(w->db, err,
                          "INSERT OR REPLACE INTO tasks(taskid, assignment, "
                          "state, updated) VALUES (?1,?2,0,?3)",
                          "bBi", a.task_id, &a, sizeof a, (int64_t)time(NULL))))
    return st;
  return run_assignment(w, &a, actions, err);
}
