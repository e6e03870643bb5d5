/*
 * scheduler_remote.c — the wire side of the remote scheduler (worker.h,
 * "remote scheduler protocol"): the signed request digest, the assignment
 * and report JSON, and the worker's HTTP client. A worker on another host
 * uses it instead of an in-process decc_scheduler; the node's scheduler
 * routes (lib/node/node_scheduler.c) verify the same digest.
 *
 * The digest binds method, path, worker, a millisecond timestamp and the
 * body hash, so a signature cannot be moved to another route, body or
 * time; replay within the window is stopped server-side by requiring
 * strictly increasing timestamps per worker.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/http_client.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/worker.h"

#define REMOTE_MAX_REPLY (64u * 1024u)
#define REMOTE_TIMEOUT_MS 15000L

void decc_scheduler_request_digest(uint8_t out32[32], const char *method,
                                   const char *path, const decc_address *worker,
                                   uint64_t ts_ms, const void *body,
                                   size_t body_len) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(method != NULL);
  DECC_ARG_CHECK_VOID(path != NULL);
  DECC_ARG_CHECK_VOID(worker != NULL);
  DECC_ARG_CHECK_VOID(body != NULL || body_len == 0);
  static const char TAG[] = "DECC-SCHEDULER-V1";
  uint8_t zero = 0, ts[8], bh[32];
  for (int i = 0; i < 8; i++)
    ts[i] = (uint8_t)(ts_ms >> (56 - 8 * i));
  decc_keccak256(bh, body ? body : "", body ? body_len : 0);
  decc_keccak256_ctx c;
  decc_keccak256_init(&c);
  decc_keccak256_update(&c, TAG, sizeof TAG - 1);
  decc_keccak256_update(&c, &zero, 1);
  decc_keccak256_update(&c, method, strlen(method));
  decc_keccak256_update(&c, &zero, 1);
  decc_keccak256_update(&c, path, strlen(path));
  decc_keccak256_update(&c, &zero, 1);
  decc_keccak256_update(&c, worker->b, 20);
  decc_keccak256_update(&c, ts, 8);
  decc_keccak256_update(&c, bh, 32);
  decc_keccak256_final(&c, out32);
}

static decc_status dump(char **json, json_t *o) {
  *json = NULL;
  char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  if (!s)
    return DECC_E_NOMEM;
  *json = decc_strdup(s);
  free(s);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

decc_status decc_assignment_to_json(char **json,
                                    const decc_task_assignment *a) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(a != NULL);
  char w[DECC_ADDRESS_HEX_LEN], e[DECC_ADDRESS_HEX_LEN];
  json_t *o = json_object();
  if (o) {
    json_object_set_new(o, "worker",
                        json_string(decc_address_to_checksum(w, &a->worker)));
    json_object_set_new(o, "taskid", decc__json_hex(a->task_id, 32));
    json_object_set_new(
        o, "enclaveChallenge",
        json_string(decc_address_to_checksum(e, &a->enclave_challenge)));
    json_object_set_new(o, "signature", decc__json_hex(a->authorization, 65));
    json_object_set_new(o, "dealid", decc__json_hex(a->deal_id, 32));
    json_object_set_new(o, "index", json_integer((json_int_t)a->index));
    json_object_set_new(o, "tee", json_boolean(a->tee));
  }
  return dump(json, o);
}

static decc_status get_hex(json_t *o, const char *k, uint8_t *out, size_t n,
                           decc_err *err) {
  /* The prefix stays optional here, as it always was for assignments. */
  if (decc__json_hex_exact(out, n, json_object_get(o, k), 0) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE, "%s: expected %zu hex bytes", k, n);
  return DECC_OK;
}

static decc_status get_addr(json_t *o, const char *k, decc_address *out,
                            decc_err *err) {
  const char *s = json_string_value(json_object_get(o, k));
  if (!s || decc_address_parse(out, s, NULL))
    return decc_err_set(err, DECC_E_PARSE, "%s: expected an address", k);
  return DECC_OK;
}

decc_status decc_assignment_from_json(decc_task_assignment *a, const char *json,
                                      size_t len, decc_err *err) {
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(json != NULL);
  memset(a, 0, sizeof *a);
  json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(o)) {
    json_decref(o);
    return decc_err_set(err, DECC_E_PARSE, "assignment: not a JSON object");
  }
  decc_status st = get_addr(o, "worker", &a->worker, err);
  if (!st)
    st = get_hex(o, "taskid", a->task_id, 32, err);
  if (!st)
    st = get_addr(o, "enclaveChallenge", &a->enclave_challenge, err);
  if (!st)
    st = get_hex(o, "signature", a->authorization, 65, err);
  if (!st)
    st = get_hex(o, "dealid", a->deal_id, 32, err);
  json_t *idx = json_object_get(o, "index");
  json_t *tee = json_object_get(o, "tee");
  if (!st && (!json_is_integer(idx) || json_integer_value(idx) < 0))
    st = decc_err_set(err, DECC_E_PARSE, "index: expected an integer >= 0");
  if (!st && !json_is_boolean(tee))
    st = decc_err_set(err, DECC_E_PARSE, "tee: expected a boolean");
  if (!st) {
    a->index = (uint64_t)json_integer_value(idx);
    a->tee = json_is_true(tee);
  }
  json_decref(o);
  return st;
}

static const char *const KINDS[] = {NULL, "CONTRIBUTED", "REVEALED",
                                    "COMPLETED", "FAILED"};

decc_status decc_report_to_json(char **json, const decc_worker_report *r) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(r != NULL);
  if (r->kind < DECC_REPORT_CONTRIBUTED || r->kind > DECC_REPORT_FAILED ||
      r->callback_len > DECC_ENCLAVE_CALLBACK_MAX) {
    *json = NULL;
    return DECC_E_INVALID;
  }
  json_t *o = json_object();
  if (o) {
    json_object_set_new(o, "kind", json_string(KINDS[r->kind]));
    json_object_set_new(o, "cause",
                        json_string(decc_task_cause_name(r->cause)));
    json_object_set_new(o, "exitCode", json_integer(r->exit_code));
    json_object_set_new(o, "detail", json_string(r->detail));
    json_object_set_new(o, "results", json_string(r->results));
    json_object_set_new(o, "callback",
                        decc__json_hex(r->callback, r->callback_len));
  }
  return dump(json, o);
}

static decc_status copy_str(char *dst, size_t cap, json_t *o, const char *k,
                            decc_err *err) {
  json_t *v = json_object_get(o, k);
  if (!v) {
    dst[0] = 0;
    return DECC_OK;
  }
  const char *s = json_string_value(v);
  if (!s)
    return decc_err_set(err, DECC_E_PARSE, "%s: expected a string", k);
  size_t n = strlen(s);
  if (n >= cap)
    return decc_err_set(err, DECC_E_LIMIT, "%s: longer than %zu bytes", k,
                        cap - 1);
  memcpy(dst, s, n + 1);
  return DECC_OK;
}

decc_status decc_report_from_json(decc_worker_report *r, const char *json,
                                  size_t len, decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(json != NULL);
  memset(r, 0, sizeof *r);
  json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
  if (!json_is_object(o)) {
    json_decref(o);
    return decc_err_set(err, DECC_E_PARSE, "report: not a JSON object");
  }
  decc_status st = DECC_OK;
  const char *kind = json_string_value(json_object_get(o, "kind"));
  for (int k = DECC_REPORT_CONTRIBUTED; kind && k <= DECC_REPORT_FAILED; k++)
    if (!strcmp(kind, KINDS[k]))
      r->kind = (decc_report_kind)k;
  if (!r->kind)
    st = decc_err_set(err, DECC_E_PARSE,
                      "kind: expected CONTRIBUTED, REVEALED, COMPLETED or "
                      "FAILED");
  const char *cause = json_string_value(json_object_get(o, "cause"));
  if (!st && cause && decc_task_cause_parse(&r->cause, cause) != DECC_OK)
    st = decc_err_set(err, DECC_E_PARSE, "cause: unknown name");
  json_t *ec = json_object_get(o, "exitCode");
  if (!st && ec) {
    if (!json_is_integer(ec) || json_integer_value(ec) < INT32_MIN ||
        json_integer_value(ec) > INT32_MAX)
      st = decc_err_set(err, DECC_E_PARSE, "exitCode: expected an integer");
    else
      r->exit_code = (int)json_integer_value(ec);
  }
  if (!st)
    st = copy_str(r->detail, sizeof r->detail, o, "detail", err);
  if (!st)
    st = copy_str(r->results, sizeof r->results, o, "results", err);
  const char *cb = json_string_value(json_object_get(o, "callback"));
  if (!st && cb) {
    size_t n = 0;
    decc_status hs =
        decc_hex_decode(r->callback, sizeof r->callback, &n, cb, strlen(cb));
    if (hs)
      st = decc_err_set(err, hs == DECC_E_RANGE ? DECC_E_LIMIT : DECC_E_PARSE,
                        "callback: expected hex of at most %u bytes",
                        (unsigned)DECC_ENCLAVE_CALLBACK_MAX);
    else
      r->callback_len = n;
  }
  json_decref(o);
  return st;
}

/* ---- client ------------------------------------------------------------------ */

/* Strictly increasing timestamps from this process even when two requests
 * fall in the same millisecond (the scheduler rejects equal ones). */
static uint64_t next_ts(void) {
  /* C11 atomics on the _Atomic object (clang refuses the __atomic builtins
   * on an _Atomic-qualified variable; gcc accepted them). */
  static _Atomic uint64_t last;
  uint64_t t = decc__wall_ms();
  uint64_t prev = atomic_load(&last);
  for (;;) {
    uint64_t want = t > prev ? t : prev + 1;
    /* on failure prev is reloaded with the current value */
    if (atomic_compare_exchange_strong(&last, &prev, want))
      return want;
  }
}

static decc_status signed_post(const char *base_url, const uint8_t sk32[32],
                               const char *path, const char *body,
                               decc_http_reply *reply, decc_err *err) {
  memset(reply, 0, sizeof *reply);
  decc_address me;
  decc_status st = decc_address_from_privkey(&me, sk32);
  if (st)
    return decc_err_set(err, st, "worker key: %s", decc_strerror(st));
  size_t blen = body ? strlen(body) : 0;
  uint64_t ts = next_ts();
  uint8_t dg[32], sig[65];
  decc_scheduler_request_digest(dg, "POST", path, &me, ts, body, blen);
  st = decc_eip191_sign(sig, sk32, dg, 32);
  if (st)
    return decc_err_set(err, st, "signing the scheduler request failed");
  char a[DECC_ADDRESS_HEX_LEN], sh[DECC_SIG_HEX_LEN];
  char h_worker[64], h_ts[64], h_sig[160];
  snprintf(h_worker, sizeof h_worker, "X-Decc-Worker: %s",
           decc_address_to_checksum(a, &me));
  snprintf(h_ts, sizeof h_ts, "X-Decc-Timestamp: %" PRIu64, ts);
  snprintf(h_sig, sizeof h_sig, "X-Decc-Signature: %s",
           decc_hex_encode(sh, sig, 65, 1));
  const char *headers[] = {h_worker, h_ts, h_sig,
                           "Content-Type: application/json", NULL};
  size_t blen_url = strlen(base_url);
  while (blen_url && base_url[blen_url - 1] == '/')
    blen_url--;
  size_t ulen = blen_url + strlen(path) + 1;
  char *url = decc_malloc(ulen);
  if (!url)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  snprintf(url, ulen, "%.*s%s", (int)blen_url, base_url, path);
  st = decc_http_fetch(reply, "POST", url, headers, body ? body : "", blen,
                       REMOTE_MAX_REPLY, REMOTE_TIMEOUT_MS, err);
  decc_free(url);
  return st;
}

static decc_status reply_error(const decc_http_reply *r, const char *what,
                               decc_err *err) {
  const char *msg = "";
  json_t *j = json_loadb((const char *)r->body.data, r->body.len, 0, NULL);
  const char *m = j ? json_string_value(json_object_get(j, "error")) : NULL;
  char copy[160];
  snprintf(copy, sizeof copy, "%s", m ? m : msg);
  json_decref(j);
  decc_status st = r->status == 401 || r->status == 403 ? DECC_E_DENIED
                   : r->status == 404                   ? DECC_E_NOT_FOUND
                   : r->status == 400                   ? DECC_E_INVALID
                                                        : DECC_E_NETWORK;
  return decc_err_set(err, st, "scheduler %s: HTTP %ld %s", what, r->status,
                      copy);
}

decc_status decc_scheduler_remote_assign(const char *base_url,
                                         const uint8_t sk32[32],
                                         decc_task_assignment *a,
                                         decc_err *err) {
  DECC_ARG_CHECK(base_url != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(a != NULL);
  memset(a, 0, sizeof *a);
  decc_http_reply r;
  decc_status st =
      signed_post(base_url, sk32, DECC_SCHED_PATH_AVAILABLE, "{}", &r, err);
  if (!st) {
    if (r.status == 204)
      st = decc_err_set(err, DECC_E_NOT_FOUND, "no task to hand out");
    else if (r.status != 200)
      st = reply_error(&r, "replicates/available", err);
    else
      st = decc_assignment_from_json(a, (const char *)r.body.data, r.body.len,
                                     err);
  }
  decc_buf_clear(&r.body);
  if (!st) {
    decc_address me;
    if (decc_address_from_privkey(&me, sk32) ||
        !decc_address_eq(&me, &a->worker))
      st = decc_err_set(err, DECC_E_PARSE,
                        "scheduler handed out a task for another worker");
  }
  return st;
}

decc_status decc_scheduler_remote_report(const char *base_url,
                                         const uint8_t sk32[32],
                                         const decc_worker_report *rep,
                                         decc_err *err) {
  DECC_ARG_CHECK(base_url != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(rep != NULL);
  char *body = NULL;
  decc_status st = decc_report_to_json(&body, rep);
  if (st)
    return decc_err_set(err, st, "report: cannot encode");
  char path[128], th[DECC_HEX32_LEN];
  snprintf(path, sizeof path, "/scheduler/replicates/%s/status",
           decc_hex_encode(th, rep->task_id, 32, 1));
  decc_http_reply r;
  st = signed_post(base_url, sk32, path, body, &r, err);
  decc_free(body);
  if (!st && r.status != 200)
    st = reply_error(&r, "replicates/status", err);
  decc_buf_clear(&r.body);
  return st;
}
