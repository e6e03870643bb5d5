/*
 * node_receipts.c — receipts and grant policies over the node's HTTP API
 * (decc/receipts.h, docs/receipts.md, docs/api/http.md):
 *
 *   GET  /receipts/signer             {"signer":"0x…"} (the SMS receipt key)
 *   GET  /receipts/{dataset}?timestamp=T
 *        Authorization: 0x… = the dataset owner's personal_sign of
 *        decc_rcpt_read_challenge(dataset, T), T within
 *        DECC_RCPT_AUTH_WINDOW s of the node's clock. Appends the RESULT
 *        receipts of completed tasks first, then answers the raw records
 *        {"dataset","signer","records":["0x…",…],"tornBytes","badFrames"}:
 *        the owner verifies them herself (she need not trust the node).
 *   GET  /receipts/policies/{orderHash}  the policy of a grant (public, as
 *        the order itself is; 404 when the grant has none)
 *   POST /receipts/policies           a signed grant policy (JSON): checked
 *        against the dataset's owner on chain, stored with the SMS, and
 *        its expiry given to this node's market when it has one.
 *
 * Mounted with the SMS role, or the market role alone (then only the
 * policy POST, which records the expiry in the market).
 *
 * The receipts are the owner's business only: who used her data is not
 * public, hence the signed challenge (the same personal_sign scheme as the
 * SMS's secret pushes, decc/sms_auth.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decc/encoding.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "decc/sms_auth.h"
#include "node_int.h"
#include "node_receipts.h"

typedef struct rnode {
  decc_node *n;
  decc_rcpt_store *store;
  struct rnode *next;
} rnode;

/* Route contexts of the nodes of this process (freed with the node). */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static rnode *g_list;

static json_t *jaddr(const decc_address *a) {
  char t[DECC_ADDRESS_HEX_LEN];
  return json_string(decc_address_to_checksum(t, a));
}

static void h_signer(void *ctx, decc_http_request *req,
                     decc_http_response *res) {
  (void)req;
  rnode *r = ctx;
  decc_address a;
  if (!r->store) {
    decc_http_res_error(res, 404, "this node runs no SMS");
    return;
  }
  decc_rcpt_store_signer(r->store, &a);
  decc__node_send_json(res, 200, json_pack("{s:o}", "signer", jaddr(&a)));
}

/* The dataset's current owner, through the node's chain. */
static decc_status owner_and_time(rnode *r, const decc_address *dataset,
                                  decc_address *owner, uint64_t *chain_now,
                                  decc_err *err) {
  if (!r->n->cpool.n)
    return decc_err_set(err, DECC_E_STATE, "this node has no chain access");
  decc_chain *c = decc__node_pool_acquire(&r->n->cpool);
  decc_status st = decc_hub_owner_of(c, dataset, owner, err);
  if (!st && chain_now)
    st = decc_chain_block_timestamp(c, chain_now, err);
  decc__node_pool_release(&r->n->cpool, c);
  return st;
}

static void h_list(void *ctx, decc_http_request *req, decc_http_response *res) {
  rnode *r = ctx;
  decc_address ds, owner;
  decc_err err;
  decc_err_clear(&err);
  const char *dp = decc_http_req_param(req, "dataset");
  const char *ts = decc_http_req_query(req, "timestamp");
  const char *auth = decc_http_req_header(req, "Authorization");
  if (!r->store) {
    decc_http_res_error(res, 404, "this node runs no SMS: no receipts here");
    return;
  }
  if (!dp || decc_address_parse(&ds, dp, NULL) != DECC_OK) {
    decc_http_res_error(res, 400, "dataset: expected a 0x address");
    return;
  }
  char *end = NULL;
  unsigned long long t = ts ? strtoull(ts, &end, 10) : 0;
  if (!ts || !*ts || *end || strlen(ts) > 20) {
    decc_http_res_error(res, 400, "timestamp: expected unix seconds");
    return;
  }
  uint64_t now = (uint64_t)time(NULL);
  if (t + DECC_RCPT_AUTH_WINDOW < now || t > now + DECC_RCPT_AUTH_WINDOW) {
    decc_http_res_error(res, 401,
                        "timestamp %llu is not within %d s of this node's "
                        "clock (%llu): sign a fresh challenge",
                        t, DECC_RCPT_AUTH_WINDOW, (unsigned long long)now);
    return;
  }
  decc_status st = owner_and_time(r, &ds, &owner, NULL, &err);
  if (st) {
    decc_http_res_error(res, st == DECC_E_NOT_FOUND ? 404 : 500, "%s", err.msg);
    return;
  }
  uint8_t ch[32];
  decc_rcpt_read_challenge(ch, &ds, (uint64_t)t);
  if (!auth || decc_sms_check_signature(auth, ch, &owner, &err)) {
    decc_http_res_error(res, 401,
                        "Authorization must be the dataset owner's signature "
                        "of the receipts read challenge%s%s",
                        auth ? ": " : "", auth ? err.msg : "");
    return;
  }
  /* RESULT receipts of tasks completed since the last look. */
  decc_chain *c = decc__node_pool_acquire(&r->n->cpool);
  st = decc_rcpt_sync_results(r->store, c, &ds, NULL, &err);
  decc__node_pool_release(&r->n->cpool, c);
  if (st) {
    decc_http_res_error(res, 500, "recording result receipts: %s", err.msg);
    return;
  }
  char *path = NULL;
  decc_rcpt_list l;
  if (decc_rcpt_log_path(&path, decc_rcpt_store_dir(r->store), &ds)) {
    decc_http_res_error(res, 500, "out of memory");
    return;
  }
  st = decc_rcpt_log_read(&l, path, 0, &err);
  decc_free(path);
  if (st) {
    decc_http_res_error(res, 500, "%s", err.msg);
    return;
  }
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < l.n; i++) {
    uint8_t rec[DECC_RCPT_MAX_LEN];
    char hx[2 * DECC_RCPT_MAX_LEN + 3];
    size_t n;
    if (decc_rcpt_encode(&l.items[i], rec, sizeof rec, &n) ||
        json_array_append_new(arr,
                              json_string(decc_hex_encode(hx, rec, n, 1)))) {
      json_decref(arr);
      arr = NULL;
    }
  }
  decc_address signer;
  decc_rcpt_store_signer(r->store, &signer);
  json_t *o = arr ? json_pack("{s:o,s:o,s:o,s:I,s:I}", "dataset", jaddr(&ds),
                              "signer", jaddr(&signer), "records", arr,
                              "tornBytes", (json_int_t)l.torn_bytes,
                              "badFrames", (json_int_t)l.bad_frames)
                  : NULL;
  decc_rcpt_list_clear(&l);
  if (!o) {
    decc_http_res_error(res, 500, "out of memory");
    return;
  }
  decc__node_send_json(res, 200, o);
}

static void h_policy(void *ctx, decc_http_request *req,
                     decc_http_response *res) {
  rnode *r = ctx;
  size_t n = 0;
  const uint8_t *body = decc_http_req_body(req, &n);
  decc_grant_policy p;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_grant_policy_from_json(&p, (const char *)body, n, &err);
  if (st) {
    decc_http_res_error(res, 400, "%s", err.msg);
    return;
  }
  decc_address owner;
  uint64_t chain_now = 0;
  if ((st = owner_and_time(r, &p.dataset, &owner, &chain_now, &err))) {
    decc_http_res_error(res, st == DECC_E_NOT_FOUND ? 404 : 500, "%s", err.msg);
    return;
  }
  if ((st = decc_grant_policy_verify(&p, &owner, &err))) {
    decc_http_res_error(res, st == DECC_E_INVALID ? 400 : 401, "%s", err.msg);
    return;
  }
  uint64_t now = (uint64_t)time(NULL);
  if (chain_now > now)
    now = chain_now;
  if (!r->store && p.expires && p.expires <= now) {
    decc_http_res_error(res, 410, "grant policy expired at %llu",
                        (unsigned long long)p.expires);
    return;
  }
  st = r->store ? decc_grant_policy_store(decc_rcpt_store_policy_dir(r->store),
                                          &p, now, &err)
                : DECC_OK;
  if (st) {
    decc_http_res_error(res,
                        st == DECC_E_EXISTS  ? 409
                        : st == DECC_E_STATE ? 410
                                             : 500,
                        "%s", err.msg);
    return;
  }
  if (r->n->market && p.expires &&
      decc_market_set_expiry(r->n->market, p.order_hash, p.expires)) {
    decc_http_res_error(res, 500, "the market could not record the expiry");
    return;
  }
  decc__node_send_json(res, 200, json_pack("{s:b}", "ok", 1));
}

static void h_policy_get(void *ctx, decc_http_request *req,
                         decc_http_response *res) {
  rnode *r = ctx;
  uint8_t h[32];
  const char *hp = decc_http_req_param(req, "hash");
  if (!hp || decc_hex_decode_exact(h, 32, hp, "orderHash", NULL)) {
    decc_http_res_error(res, 400, "orderHash: expected 0x + 64 hex digits");
    return;
  }
  decc_grant_policy p;
  decc_err err;
  decc_err_clear(&err);
  if (!r->store) {
    decc_http_res_error(res, 404, "this node runs no SMS: no policies here");
    return;
  }
  decc_status st =
      decc_grant_policy_load(decc_rcpt_store_policy_dir(r->store), h, &p, &err);
  char *js = NULL;
  if (st || decc_grant_policy_to_json(&js, &p)) {
    decc_http_res_error(res, st == DECC_E_NOT_FOUND ? 404 : 500, "%s",
                        st ? err.msg : "out of memory");
    return;
  }
  decc_http_res_json(res, 200, js);
  decc_free(js);
}

decc_status decc__node_receipts_mount(decc_node *n, decc_err *err) {
  if (!n->sms && !n->market)
    return DECC_OK;
  rnode *r = decc_calloc(1, sizeof *r);
  if (!r)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/sms", n->cfg.home);
  decc_status st =
      n->sms ? decc_rcpt_store_open(&r->store, dir, decc_sms_vault(n->sms), err)
             : DECC_OK;
  if (st) {
    decc_free(r);
    return st;
  }
  r->n = n;
  pthread_mutex_lock(&g_mu);
  r->next = g_list;
  g_list = r;
  pthread_mutex_unlock(&g_mu);
  if ((st = decc_http_route(n->http, "GET", "/receipts/signer", h_signer, r)) ||
      (st = decc_http_route(n->http, "GET", "/receipts/policies/{hash}",
                            h_policy_get, r)) ||
      (st =
           decc_http_route(n->http, "GET", "/receipts/{dataset}", h_list, r)) ||
      (st = decc_http_route_limit(n->http, "POST", "/receipts/policies",
                                  h_policy, r, 8192)))
    return decc_err_set(err, st, "receipt routes: %s", decc_strerror(st));
  return DECC_OK;
}

void decc__node_receipts_free(decc_node *n) {
  pthread_mutex_lock(&g_mu);
  for (rnode **pp = &g_list; *pp; pp = &(*pp)->next) {
    if ((*pp)->n == n) {
      rnode *r = *pp;
      *pp = r->next;
      decc_rcpt_store_close(r->store);
      decc_free(r);
      break;
    }
  }
  pthread_mutex_unlock(&g_mu);
}
