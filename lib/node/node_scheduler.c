/*
 * node_scheduler.c — the scheduler's HTTP API for workers on other hosts
 * (worker.h "remote scheduler protocol", docs/api/http.md "Scheduler"):
 *   POST /scheduler/replicates/available        next assignment or 204
 *   POST /scheduler/replicates/{taskid}/status  a worker's report
 *
 * Each request is authenticated by the worker's personal_sign over
 * decc_scheduler_request_digest (method, path, worker, timestamp, body
 * hash). Replays are refused: the timestamp must be within the window of
 * the node's clock, after the node started (so nothing signed before a
 * restart is accepted again) and strictly greater than the last one
 * accepted from the same worker (kept in memory, bounded). The pool owner
 * chooses its workers with scheduler_workers (comma-separated addresses);
 * an empty list lets any worker in — the chain still only pays workers
 * the owner's key authorized, and every assignment is signed for the
 * requesting worker only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/worker.h"
#include "node_int.h"

#define SCHED_MAX_WORKERS 4096
#define SCHED_BODY_MAX (16u * 1024u)

typedef struct seen_worker {
  decc_address addr;
  uint64_t last_ts;
} seen_worker;

struct node_sched_http {
  decc_node *n;
  pthread_mutex_t mu;
  uint64_t start_ms;
  decc_address *allowed;
  size_t n_allowed;
  seen_worker *seen;
  size_t n_seen;
};

/* Checks the signed headers; on success *worker is the signer. Answers
 * the error itself and returns non-zero otherwise. */
static int authenticate(node_sched_http *h, decc_http_request *req,
                        decc_http_response *res, decc_address *worker) {
  const char *hw = decc_http_req_header(req, "X-Decc-Worker");
  const char *ht = decc_http_req_header(req, "X-Decc-Timestamp");
  const char *hs = decc_http_req_header(req, "X-Decc-Signature");
  if (!hw || !ht || !hs) {
    (void)decc_http_res_error(res, 401,
                              "missing X-Decc-Worker, X-Decc-Timestamp or "
                              "X-Decc-Signature");
    return 1;
  }
  decc_address claimed, signer;
  uint8_t sig[65], dg[32];
  if (decc_address_parse(&claimed, hw, NULL)) {
    (void)decc_http_res_error(res, 400, "X-Decc-Worker: not an address");
    return 1;
  }
  if (decc_hex_decode_exact(sig, 65, hs, "signature", NULL)) {
    (void)decc_http_res_error(res, 400,
                              "X-Decc-Signature: expected 65 hex bytes");
    return 1;
  }
  char *end = NULL;
  errno = 0;
  unsigned long long ts = strtoull(ht, &end, 10);
  if (errno || !end || *end || end == ht || ht[0] == '-') {
    (void)decc_http_res_error(res, 400, "X-Decc-Timestamp: expected unix ms");
    return 1;
  }
  size_t blen = 0;
  const uint8_t *body = decc_http_req_body(req, &blen);
  decc_scheduler_request_digest(dg, decc_http_req_method(req),
                                decc_http_req_path(req), &claimed, (uint64_t)ts,
                                body, blen);
  if (decc_eip191_recover(&signer, dg, 32, sig) ||
      !decc_address_eq(&signer, &claimed)) {
    (void)decc_http_res_error(res, 401, "bad signature");
    return 1;
  }
  if (h->n_allowed) {
    int ok = 0;
    for (size_t i = 0; i < h->n_allowed && !ok; i++)
      ok = decc_address_eq(&h->allowed[i], &claimed);
    if (!ok) {
      (void)decc_http_res_error(res, 403,
                                "worker not allowed by the workerpool owner");
      return 1;
    }
  }
  uint64_t now = decc__wall_ms();
  uint64_t d = ts > now ? ts - now : now - ts;
  if (d > DECC_SCHED_AUTH_WINDOW_MS || ts <= h->start_ms) {
    (void)decc_http_res_error(res, 401,
                              "stale timestamp (clock skew over %u ms or "
                              "signed before the scheduler started)",
                              (unsigned)DECC_SCHED_AUTH_WINDOW_MS);
    return 1;
  }
  int verdict = 0;
  pthread_mutex_lock(&h->mu);
  seen_worker *sw = NULL;
  for (size_t i = 0; i < h->n_seen && !sw; i++)
    if (decc_address_eq(&h->seen[i].addr, &claimed))
      sw = &h->seen[i];
  if (!sw) {
    if (h->n_seen == SCHED_MAX_WORKERS) {
      /* Drop the quietest entry: its next timestamp is still bounded by
       * the window, and entries older than the window cannot replay. */
      size_t old = 0;
      for (size_t i = 1; i < h->n_seen; i++)
        if (h->seen[i].last_ts < h->seen[old].last_ts)
          old = i;
      if (h->seen[old].last_ts + DECC_SCHED_AUTH_WINDOW_MS >= now)
        verdict = 2;
      else
        sw = &h->seen[old];
    } else {
      sw = &h->seen[h->n_seen++];
    }
    if (sw) {
      sw->addr = claimed;
      sw->last_ts = 0;
    }
  }
  if (sw && ts <= sw->last_ts)
    verdict = 1;
  else if (sw)
    sw->last_ts = ts;
  pthread_mutex_unlock(&h->mu);
  if (verdict == 1) {
    (void)decc_http_res_error(res, 401,
                              "replayed request (timestamp not after the "
                              "last accepted one)");
    return 1;
  }
  if (verdict == 2) {
    (void)decc_http_res_error(res, 503, "too many workers, retry later");
    return 1;
  }
  *worker = claimed;
  return 0;
}

static void h_available(void *ctx, decc_http_request *req,
                        decc_http_response *res) {
  node_sched_http *h = ctx;
  decc_address worker;
  if (authenticate(h, req, res, &worker))
    return;
  decc_task_assignment a;
  decc_err e;
  decc_err_clear(&e);
  decc_status st = decc_scheduler_assign(h->n->sched, &worker, &a, &e);
  if (st == DECC_E_NOT_FOUND) {
    (void)decc_http_res_send(res, 204, "application/json", "", 0);
    return;
  }
  if (st) {
    (void)decc_http_res_error(res, 500, "scheduler: %s", e.msg);
    return;
  }
  char *json = NULL;
  if (decc_assignment_to_json(&json, &a) != DECC_OK) {
    (void)decc_http_res_error(res, 500, "out of memory");
    return;
  }
  if (decc_http_res_send_owned(res, 200, "application/json", json,
                               strlen(json)) != DECC_OK) {
    decc_free(json);
    (void)decc_http_res_error(res, 500, "out of memory");
  }
}

static void h_status(void *ctx, decc_http_request *req,
                     decc_http_response *res) {
  node_sched_http *h = ctx;
  decc_address worker;
  if (authenticate(h, req, res, &worker))
    return;
  uint8_t task[32];
  const char *tid = decc_http_req_param(req, "taskid");
  if (!tid || decc_hex_decode_exact(task, 32, tid, "taskid", NULL)) {
    (void)decc_http_res_error(res, 400, "taskid: expected 32 hex bytes");
    return;
  }
  size_t blen = 0;
  const uint8_t *body = decc_http_req_body(req, &blen);
  decc_worker_report r;
  decc_err e;
  decc_err_clear(&e);
  decc_status st = decc_report_from_json(&r, (const char *)body, blen, &e);
  if (st) {
    (void)decc_http_res_error(res, decc_http_status_for(st), "%s", e.msg);
    return;
  }
  memcpy(r.task_id, task, 32);
  r.worker = worker;
  st = decc_scheduler_report(h->n->sched, &r, &e);
  if (st) {
    (void)decc_http_res_error(res, decc_http_status_for(st), "%s", e.msg);
    return;
  }
  (void)decc_http_res_json(res, 200, "{\"ok\":true}");
}

static decc_status parse_allowed(node_sched_http *h, const char *list,
                                 decc_err *err) {
  if (!list || !*list)
    return DECC_OK;
  size_t cap = 1;
  for (const char *p = list; *p; p++)
    cap += *p == ',';
  if (cap > SCHED_MAX_WORKERS)
    return decc_err_set(err, DECC_E_LIMIT,
                        "scheduler_workers: more than %u addresses",
                        (unsigned)SCHED_MAX_WORKERS);
  h->allowed = decc_calloc(cap, sizeof *h->allowed);
  if (!h->allowed)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  const char *p = list;
  while (*p) {
    const char *q = strchr(p, ',');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    while (len && (*p == ' ')) {
      p++;
      len--;
    }
    while (len && p[len - 1] == ' ')
      len--;
    if (len) {
      char one[64];
      if (len >= sizeof one ||
          (memcpy(one, p, len), one[len] = 0,
           decc_address_parse(&h->allowed[h->n_allowed], one, NULL)))
        return decc_err_set(err, DECC_E_INVALID,
                            "scheduler_workers: not an address list");
      h->n_allowed++;
    }
    if (!q)
      break;
    p = q + 1;
  }
  return DECC_OK;
}

void decc__node_scheduler_free(node_sched_http *h) {
  if (!h)
    return;
  pthread_mutex_destroy(&h->mu);
  decc_free(h->allowed);
  decc_free(h->seen);
  decc_free(h);
}

decc_status decc__node_scheduler_mount(decc_node *n, decc_err *err) {
  node_sched_http *h = decc_calloc(1, sizeof *h);
  if (!h)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  pthread_mutex_init(&h->mu, NULL);
  h->n = n;
  h->start_ms = decc__wall_ms();
  n->sched_http = h;
  h->seen = decc_calloc(SCHED_MAX_WORKERS, sizeof *h->seen);
  if (!h->seen)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = parse_allowed(h, n->cfg.scheduler_workers, err);
  if (st)
    return st;
  st = decc_http_route_limit(n->http, "POST", DECC_SCHED_PATH_AVAILABLE,
                             h_available, h, SCHED_BODY_MAX);
  if (!st)
    st = decc_http_route_limit(n->http, "POST",
                               "/scheduler/replicates/{taskid}/status",
                               h_status, h, SCHED_BODY_MAX);
  if (st)
    return decc_err_set(err, st, "scheduler routes: %s", decc_strerror(st));
  decc__node_logf(n, "scheduler API: %s",
                  h->n_allowed ? "listed workers only" : "any worker");
  return DECC_OK;
}
