/*
 * node_deals.c — the market API's deal routes (GET /deals, GET
 * /deals/{dealid}) read straight from the chain: deals are the
 * OrdersMatched events of the hub, each completed with viewDeal. No index
 * of its own: a list request scans the hub's OrdersMatched logs (at most
 * DEALS_SCAN_MAX, newest first), which suits a single-machine chain; a
 * busy public chain would want the deals stored by the watcher instead.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "node_int.h"

#define DEALS_SCAN_MAX 10000

typedef struct deal_filter {
  int has[6];
  decc_address a[6]; /* requester, beneficiary, app, dataset, workerpool, */
  uint64_t category; /* has[5] */
} deal_filter;

static json_t *num_json(const decc_u256 *u) {
  uint64_t x;
  if (decc_u256_to_u64(&x, u) && x <= 9007199254740991ULL)
    return json_integer((json_int_t)x);
  char d[DECC_U256_DEC_LEN];
  return json_string(decc_u256_to_dec(d, u));
}

static json_t *res_json(const decc_poco_resource *r) {
  return json_pack("{s:o,s:o,s:o}", "pointer",
                   decc__node_json_addr(&r->pointer), "owner",
                   decc__node_json_addr(&r->owner), "price",
                   num_json(&r->price));
}

/* Builds the deal JSON from the log and viewDeal; returns NULL when the
 * deal does not pass the filter (or cannot be read). */
static json_t *deal_json(decc_node *n, decc_chain *l, const decc_log *log,
                         const deal_filter *f, decc_err *err) {
  if (log->data_len < 6 * 32)
    return NULL;
  decc_poco_deal d;
  json_t *j = NULL;
  if (decc_hub_view_deal(l, log->data, &d, err))
    goto out;
  uint64_t category = 0;
  const decc_address *vals[5] = {&d.requester, &d.beneficiary, &d.app.pointer,
                                 &d.dataset.pointer, &d.workerpool.pointer};
  for (int i = 0; i < 5; i++)
    if (f->has[i] && !decc_address_eq(&f->a[i], vals[i]))
      goto out;
  if (f->has[5] && (!decc_u256_to_u64(&category, &d.category) ||
                    f->category != category))
    goto out;
  j = json_pack(
      "{s:o,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:o,"
      "s:o,s:o,s:o,s:o,s:I,s:o}",
      "dealid", decc__node_json_hex(log->data, 32), "chainId",
      (json_int_t)n->chain_id, "app", res_json(&d.app), "dataset",
      res_json(&d.dataset), "workerpool", res_json(&d.workerpool), "appHash",
      decc__node_json_hex(log->data + 32, 32), "datasetHash",
      decc__node_json_hex(log->data + 64, 32), "workerpoolHash",
      decc__node_json_hex(log->data + 96, 32), "requestHash",
      decc__node_json_hex(log->data + 128, 32), "requester",
      decc__node_json_addr(&d.requester), "beneficiary",
      decc__node_json_addr(&d.beneficiary), "callback",
      decc__node_json_addr(&d.callback), "tag", decc__node_json_hex(d.tag, 32),
      "params", d.params ? d.params : "", "trust", num_json(&d.trust),
      "category", num_json(&d.category), "startTime", num_json(&d.start_time),
      "botFirst", num_json(&d.bot_first), "botSize", num_json(&d.bot_size),
      "workerStake", num_json(&d.worker_stake), "schedulerRewardRatio",
      num_json(&d.scheduler_reward_ratio), "blockNumber",
      (json_int_t)log->block_number, "transactionHash",
      decc__node_json_hex(log->tx_hash, 32));
out:
  decc_poco_deal_clear(&d);
  return j;
}

static decc_status read_logs(decc_node *n, decc_chain *l, const uint8_t *deal,
                             decc_log **logs, size_t *nlogs, decc_err *err) {
  uint8_t topic[32];
  decc_status st = decc_poco_event_topic(topic, DECC_EV_ORDERS_MATCHED);
  if (st)
    return decc_err_set(err, st, "event topic");
  (void)deal;
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &n->addr.hub;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])topic;
  f.n_topic_alts[0] = 1;
  f.limit = DEALS_SCAN_MAX;
  return decc_chain_get_logs(l, &f, logs, nlogs, err);
}

static int chain_ok(decc_node *n, decc_http_request *req,
                    decc_http_response *res) {
  const char *c = decc_http_req_query(req, "chainId");
  if (!c)
    return 1;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(c, &end, 10);
  if (!*c || errno || *end || v != n->chain_id) {
    (void)decc_http_res_error(res, 404, "chainId %.24s is not served here", c);
    return 0;
  }
  return 1;
}

static void h_deals(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_node *n = ctx;
  if (!chain_ok(n, req, res))
    return;
  deal_filter f;
  memset(&f, 0, sizeof f);
  static const char *names[5] = {"requester", "beneficiary", "app", "dataset",
                                 "workerpool"};
  for (int i = 0; i < 5; i++) {
    const char *v = decc_http_req_query(req, names[i]);
    if (!v)
      continue;
    if (decc_address_parse(&f.a[i], v, NULL) != DECC_OK) {
      (void)decc_http_res_error(res, 400, "%s must be an address", names[i]);
      return;
    }
    f.has[i] = 1;
  }
  unsigned long long page = 0, size = 20;
  const char *c = decc_http_req_query(req, "category");
  const char *pi = decc_http_req_query(req, "pageIndex");
  const char *ps = decc_http_req_query(req, "pageSize");
  char *end = NULL;
  if (c) {
    errno = 0;
    f.category = strtoull(c, &end, 10);
    if (!*c || errno || *end) {
      (void)decc_http_res_error(res, 400, "category must be a number");
      return;
    }
    f.has[5] = 1;
  }
  if (pi) {
    errno = 0;
    page = strtoull(pi, &end, 10);
    if (!*pi || errno || *end || page > 1000000) {
      (void)decc_http_res_error(res, 400, "pageIndex must be a number");
      return;
    }
  }
  if (ps) {
    errno = 0;
    size = strtoull(ps, &end, 10);
    if (!*ps || errno || *end || size < DECC_MARKET_PAGE_MIN ||
        size > DECC_MARKET_PAGE_MAX) {
      (void)decc_http_res_error(res, 400, "pageSize must be between %d and %d",
                                DECC_MARKET_PAGE_MIN, DECC_MARKET_PAGE_MAX);
      return;
    }
  }
  decc_chain *l = decc__node_pool_acquire(&n->cpool);
  decc_log *logs = NULL;
  size_t nlogs = 0;
  decc_err e;
  decc_err_clear(&e);
  decc_status st = read_logs(n, l, NULL, &logs, &nlogs, &e);
  json_t *list = json_array();
  uint64_t matched = 0;
  /* newest first, as the market API sorts deals */
  for (size_t k = nlogs; !st && k-- > 0;) {
    json_t *d = deal_json(n, l, &logs[k], &f, NULL);
    if (!d)
      continue;
    if (matched >= page * size && matched < (page + 1) * size)
      json_array_append_new(list, d);
    else
      json_decref(d);
    matched++;
  }
  decc__node_pool_release(&n->cpool, l);
  decc_logs_free(logs, nlogs);
  if (st) {
    json_decref(list);
    (void)decc_http_res_error(res, 500, "deals: %s", e.msg);
    return;
  }
  json_t *j = json_pack("{s:b,s:o,s:I}", "ok", 1, "deals", list, "count",
                        (json_int_t)matched);
  if (j && (page + 1) * size < matched)
    json_object_set_new(j, "nextPage", json_integer((json_int_t)(page + 1)));
  decc__node_send_json(res, 200, j);
}

static void h_deal(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_node *n = ctx;
  if (!chain_ok(n, req, res))
    return;
  const char *id = decc_http_req_param(req, "dealid");
  uint8_t h[32];
  if (!id || strncmp(id, "0x", 2) ||
      decc_hex_decode_exact(h, 32, id, "dealid", NULL) != DECC_OK) {
    (void)decc_http_res_error(res, 400, "dealid must be a 0x-prefixed bytes32");
    return;
  }
  deal_filter f;
  memset(&f, 0, sizeof f);
  decc_chain *l = decc__node_pool_acquire(&n->cpool);
  decc_log *logs = NULL;
  size_t nlogs = 0;
  decc_err e;
  decc_err_clear(&e);
  decc_status st = read_logs(n, l, h, &logs, &nlogs, &e);
  json_t *d = NULL;
  for (size_t k = 0; !st && k < nlogs; k++)
    if (logs[k].data_len >= 32 && !memcmp(logs[k].data, h, 32)) {
      d = deal_json(n, l, &logs[k], &f, NULL);
      break;
    }
  decc__node_pool_release(&n->cpool, l);
  decc_logs_free(logs, nlogs);
  if (st) {
    (void)decc_http_res_error(res, 500, "deals: %s", e.msg);
    return;
  }
  if (!d) {
    (void)decc_http_res_error(res, 404, "deal %s not found", id);
    return;
  }
  json_t *j = json_pack("{s:b}", "ok", 1);
  json_object_update(j, d);
  json_decref(d);
  decc__node_send_json(res, 200, j);
}

decc_status decc__node_deals_mount(decc_node *n, decc_err *err) {
  decc_status st = decc_http_route(n->http, "GET", "/deals", h_deals, n);
  if (!st)
    st = decc_http_route(n->http, "GET", "/deals/{dealid}", h_deal, n);
  return st ? decc_err_set(err, st, "deal routes: %s", decc_strerror(st))
            : DECC_OK;
}
