/*
 * dp_market.c — the SDK's view of the orderbook, in-process (decc/market.h
 * on <home>/market) or remote (the iExec market API of a decc node or of
 * iExec: GET /{type}orders with the API's filter names, POST with the
 * EIP-712 login challenge of §7, GET /{type}orders/{hash}). Both answer in
 * the market API's JSON, parsed into signed orders the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataprotector/dp_int.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/http_client.h"

#define MARKET_REPLY_MAX (16u << 20)
#define MARKET_TIMEOUT_MS 30000

static const char *type_path(decc_order_type t) {
  static const char *P[] = {"apporders", "datasetorders", "workerpoolorders",
                            "requestorders"};
  return P[t];
}

/* GET/POST/PUT on the remote market; the body of a 2xx JSON answer with
 * "ok": true is returned parsed in *out. */
static decc_status remote(decc_dp *dp, const char *method, const char *path,
                          const char *const *headers, const char *body,
                          json_t **out, decc_err *err) {
  size_t n = strlen(dp->market_url) + strlen(path) + 2;
  char *url = decc_malloc(n);
  if (!url)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  snprintf(url, n, "%s%s", dp->market_url, path);
  decc_http_reply r;
  decc_status st = decc_http_fetch(&r, method, url, headers, body,
                                   body ? strlen(body) : 0, MARKET_REPLY_MAX,
                                   MARKET_TIMEOUT_MS, err);
  decc_free(url);
  if (st) {
    decc_buf_clear(&r.body);
    return decc_err_prefix(err, "market %s", dp->market_url);
  }
  json_error_t je;
  json_t *j = r.body.len ? json_loadb((const char *)r.body.data, r.body.len, 0,
                                      &je)
                         : NULL;
  decc_buf_clear(&r.body);
  if (r.status < 200 || r.status > 299 ||
      !json_is_true(json_object_get(j, "ok"))) {
    const char *why = json_string_value(json_object_get(j, "error"));
    st = r.status == 404   ? DECC_E_NOT_FOUND
         : r.status == 401 ? DECC_E_DENIED
         : r.status == 403 ? DECC_E_DENIED
         : r.status == 400 ? DECC_E_INVALID
                           : DECC_E_NETWORK;
    /* The route without its query string: the filter values would push
     * the server's reason out of the message. */
    decc_err_set(err, st, "market %s %.*s: HTTP %ld%s%s", method,
                 (int)strcspn(path, "?"), path, r.status, why ? ": " : "",
                 why ? why : "");
    json_decref(j);
    return st;
  }
  *out = j;
  return DECC_OK;
}

/* ---- publish ------------------------------------------------------------------ */

/* The market API's login: sign the Challenge typed data it serves. */
static decc_status market_auth(decc_dp *dp, char *hdr, size_t cap,
                               decc_err *err) {
  char a[43], path[160];
  snprintf(path, sizeof path, "/challenge?chainId=%llu&address=%s",
           (unsigned long long)dp->chain_id, decc_address_to_hex(a, &dp->me));
  json_t *j = NULL;
  decc_status st = remote(dp, "GET", path, NULL, NULL, &j, err);
  if (st)
    return st;
  char *typed = json_dumps(json_object_get(j, "data"), JSON_COMPACT);
  json_decref(j);
  if (!typed)
    return decc_err_set(err, DECC_E_PARSE, "market: malformed challenge");
  uint8_t sig[65], digest[32];
  st = decc_eip712_sign_json(sig, digest, dp->sk, typed, strlen(typed), err);
  free(typed);
  if (st)
    return decc_err_prefix(err, "market challenge");
  char dh[67], sh[133];
  snprintf(hdr, cap, "authorization: %s_%s_%s",
           decc_hex_encode(dh, digest, 32, 1), decc_hex_encode(sh, sig, 65, 1),
           a);
  return DECC_OK;
}

decc_status decc__dp_publish(decc_dp *dp, decc_order *o, uint8_t *hash32,
                             decc_err *err) {
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  if ((st = decc_order_sign(o, dp->sk, dp->domain, 1)))
    return decc_err_set(err, st, "cannot sign the %s",
                        decc_order_type_name(o->type));
  if (!dp->market_url) {
    st = decc_market_publish(dp->market, o, &dp->me, NULL, err);
  } else {
    char hdr[300], path[96];
    char *oj = NULL;
    if (!(st = market_auth(dp, hdr, sizeof hdr, err)) &&
        !(st = decc_order_to_json(&oj, o))) {
      size_t bl = strlen(oj) + 16;
      char *body = decc_malloc(bl);
      if (!body)
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      else {
        snprintf(body, bl, "{\"order\":%s}", oj);
        snprintf(path, sizeof path, "/%s?chainId=%llu", type_path(o->type),
                 (unsigned long long)dp->chain_id);
        const char *h[] = {hdr, "Content-Type: application/json", NULL};
        json_t *j = NULL;
        st = remote(dp, "POST", path, h, body, &j, err);
        json_decref(j);
        decc_free(body);
      }
    } else if (st && !err)
      st = DECC_E_NOMEM;
    decc_free(oj);
  }
  if (st)
    return decc_err_prefix(err, "market refused the %s",
                           decc_order_type_name(o->type));
  if (hash32)
    decc_order_hash(hash32, o, dp->domain);
  return DECC_OK;
}

/* ---- query ------------------------------------------------------------------------ */

static decc_status addq(decc_buf *q, const char *name, const char *value) {
  char *v = decc_http_escape(value);
  if (!v)
    return DECC_E_NOMEM;
  decc_status st =
      decc_buf_printf(q, "%s%s=%s", q->len ? "&" : "?", name, v);
  decc_free(v);
  return st;
}

static decc_status add_restrict(decc_buf *q, const char *name,
                                const char *strict_name,
                                const decc_market_restrict *r) {
  char a[43];
  if (r->mode == DECC_MF_OMITTED)
    return DECC_OK;
  if (r->mode == DECC_MF_ANY)
    return addq(q, name, "any");
  decc_status st = addq(q, name, decc_address_to_hex(a, &r->addr));
  if (!st && r->strict && strict_name)
    st = addq(q, strict_name, "true");
  return st;
}

/* The market API's query string for f (node_market.c reads the same). */
static decc_status query_string(decc_buf *q, const decc_dp *dp,
                                decc_order_type t,
                                const decc_market_filter *f) {
  static const char *RES[] = {"app", "dataset", "workerpool", "requester"};
  static const char *OWN[] = {"appOwner", "datasetOwner", "workerpoolOwner",
                              NULL};
  char a[43], num[32], tag[67];
  decc_status st;
  snprintf(num, sizeof num, "%llu", (unsigned long long)dp->chain_id);
  if ((st = addq(q, "chainId", num)))
    return st;
  if (f->has_resource && (st = addq(q, RES[t], decc_address_to_hex(a, &f->resource))))
    return st;
  if (f->has_owner && OWN[t] &&
      (st = addq(q, OWN[t], decc_address_to_hex(a, &f->owner))))
    return st;
  if (t != DECC_ORDER_APP &&
      (st = add_restrict(q, "app", "isAppStrict", &f->app)))
    return st;
  if (t != DECC_ORDER_DATASET &&
      (st = add_restrict(q, "dataset", "isDatasetStrict", &f->dataset)))
    return st;
  if (t != DECC_ORDER_WORKERPOOL &&
      (st = add_restrict(q, "workerpool", "isWorkerpoolStrict",
                         &f->workerpool)))
    return st;
  if (t != DECC_ORDER_REQUEST &&
      (st = add_restrict(q, "requester", "isRequesterStrict", &f->requester)))
    return st;
  if (f->has_category) {
    snprintf(num, sizeof num, "%llu", (unsigned long long)f->category);
    if ((st = addq(q, "category", num)))
      return st;
  }
  if (f->has_min_tag &&
      (st = addq(q, "minTag", decc_hex_encode(tag, f->min_tag, 32, 1))))
    return st;
  if (f->has_max_tag &&
      (st = addq(q, "maxTag", decc_hex_encode(tag, f->max_tag, 32, 1))))
    return st;
  if (f->min_volume) {
    snprintf(num, sizeof num, "%llu", (unsigned long long)f->min_volume);
    if ((st = addq(q, "minVolume", num)))
      return st;
  }
  if (f->has_min_trust) {
    snprintf(num, sizeof num, "%llu", (unsigned long long)f->min_trust);
    if ((st = addq(q, "minTrust", num)))
      return st;
  }
  if (f->bulk_only && (st = addq(q, "bulkOnly", "true")))
    return st;
  snprintf(num, sizeof num, "%u", f->page_index);
  if (f->page_index && (st = addq(q, "pageIndex", num)))
    return st;
  snprintf(num, sizeof num, "%u", f->page_size);
  if (f->page_size && (st = addq(q, "pageSize", num)))
    return st;
  return DECC_OK;
}

void decc__dp_recs_free(decc__dp_rec *recs, size_t n) {
  if (!recs)
    return;
  for (size_t i = 0; i < n; i++)
    decc_order_clear(&recs[i].order);
  decc_free(recs);
}

/* Parses one market order record {orderHash, order, remaining, status}. */
static decc_status parse_record(decc__dp_rec *r, decc_order_type type,
                                json_t *rec, decc_err *err) {
  char *otext = json_dumps(json_object_get(rec, "order"), JSON_COMPACT);
  const char *h = json_string_value(json_object_get(rec, "orderHash"));
  const char *status = json_string_value(json_object_get(rec, "status"));
  json_t *rem = json_object_get(rec, "remaining");
  if (!otext || !h) {
    free(otext);
    return decc_err_set(err, DECC_E_PARSE, "market: malformed order record");
  }
  decc_status st =
      decc_order_from_json(&r->order, type, otext, strlen(otext), err);
  free(otext);
  if (st)
    return st;
  if (decc_hex_decode_exact(r->hash, 32, h, "orderHash", err) != DECC_OK) {
    decc_order_clear(&r->order);
    return DECC_E_PARSE;
  }
  r->remaining = json_is_integer(rem) ? (uint64_t)json_integer_value(rem)
                 : json_is_string(rem)
                     ? strtoull(json_string_value(rem), NULL, 10)
                     : 0;
  snprintf(r->status, sizeof r->status, "%s", status ? status : "open");
  return DECC_OK;
}

decc_status decc__dp_query(decc_dp *dp, decc_order_type type,
                           const decc_market_filter *f, decc__dp_rec **recs,
                           size_t *n, size_t *count, decc_err *err) {
  *recs = NULL;
  *n = 0;
  if (count)
    *count = 0;
  json_t *root = NULL;
  decc_status st;
  if (!dp->market_url) {
    char *js = NULL;
    if ((st = decc_market_query(dp->market, type, f, &js, err)))
      return decc_err_prefix(err, "market query");
    json_error_t je;
    root = json_loads(js, 0, &je);
    decc_free(js);
  } else {
    if (f->include_all_status)
      return decc_err_set(err, DECC_E_UNSUPPORTED,
                          "the market API lists open orders only");
    decc_buf q, path;
    decc_buf_init(&q, 8192);
    decc_buf_init(&path, 8192);
    st = query_string(&q, dp, type, f);
    if (!st)
      st = decc_buf_printf(&path, "/%s%s", type_path(type), (char *)q.data);
    decc_buf_clear(&q);
    if (st) {
      decc_buf_clear(&path);
      return decc_err_set(err, st, "market query too long");
    }
    st = remote(dp, "GET", (char *)path.data, NULL, NULL, &root, err);
    decc_buf_clear(&path);
    if (st)
      return st;
  }
  json_t *orders = root ? json_object_get(root, "orders") : NULL;
  if (!json_is_array(orders)) {
    json_decref(root);
    return decc_err_set(err, DECC_E_PARSE, "market: malformed answer");
  }
  if (count)
    *count = (size_t)json_integer_value(json_object_get(root, "count"));
  size_t k = json_array_size(orders);
  decc__dp_rec *r = k ? decc_calloc(k, sizeof *r) : NULL;
  if (k && !r) {
    json_decref(root);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t i;
  st = DECC_OK;
  for (i = 0; i < k && !st; i++)
    if ((st = parse_record(&r[i], type, json_array_get(orders, i), err)))
      break;
  json_decref(root);
  if (st) {
    decc__dp_recs_free(r, i);
    return st;
  }
  *recs = r;
  *n = k;
  return DECC_OK;
}

decc_status decc_dp_get_access(decc_dp *dp, decc_dp_access *out,
                               const uint8_t hash32[32], decc_err *err) {
  memset(out, 0, sizeof *out);
  char h[67];
  decc_hex_encode(h, hash32, 32, 1);
  json_t *rec = NULL;
  decc_status st;
  if (!dp->market_url) {
    char *js = NULL;
    if ((st = decc_market_get(dp->market, DECC_ORDER_DATASET, hash32, &js,
                              err)))
      return decc_err_set(err, st, "no granted access %s on the market", h);
    json_error_t je;
    rec = json_loads(js, 0, &je);
    decc_free(js);
  } else {
    char path[160];
    json_t *j = NULL;
    snprintf(path, sizeof path, "/datasetorders/%s?chainId=%llu", h,
             (unsigned long long)dp->chain_id);
    if ((st = remote(dp, "GET", path, NULL, NULL, &j, err)))
      return st == DECC_E_NOT_FOUND
                 ? decc_err_set(err, st, "no granted access %s on the market",
                                h)
                 : st;
    /* The API wraps the record; accept it bare too. */
    rec = json_object_get(j, "order") && json_object_get(j, "orderHash")
              ? json_incref(j)
              : json_incref(json_object_get(j, "orders")
                                ? json_array_get(json_object_get(j, "orders"), 0)
                                : json_object_get(j, "data"));
    json_decref(j);
  }
  if (!rec)
    return decc_err_set(err, DECC_E_PARSE, "market: malformed order record");
  decc__dp_rec r;
  memset(&r, 0, sizeof r);
  st = parse_record(&r, DECC_ORDER_DATASET, rec, err);
  json_decref(rec);
  if (st)
    return st;
  out->order = r.order;
  memcpy(out->hash, r.hash, 32);
  out->remaining = r.remaining;
  memcpy(out->status, r.status, sizeof out->status);
  return DECC_OK;
}

/* ---- chain events ------------------------------------------------------------------ */

decc_status decc_dp_sync_market(decc_dp *dp, decc_err *err) {
  if (dp->market_url)
    return DECC_OK; /* the node's watcher follows the chain */
  decc_status st = decc_market_refresh(dp->market, NULL);
  if (st)
    return decc_err_set(err, st, "market: cannot refresh the orderbook");
  return DECC_OK;
}

decc_status decc__dp_market_closed(decc_dp *dp, const uint8_t hash32[32],
                                   decc_err *err) {
  if (dp->market_url)
    return DECC_OK;
  if (decc_market_on_closed(dp->market, hash32) != DECC_OK)
    return decc_err_set(err, DECC_E_IO,
                        "the order was closed on-chain but the market could "
                        "not record it");
  return DECC_OK;
}

/* decc_market_on_matched subtracts the volume: applied here AND by a node
 * watching the chain over the same orderbook file it would count twice.
 * The refresh recomputes remaining volumes from the chain's consumed
 * counters instead, which gives the same answer however often it runs. */
decc_status decc__dp_market_matched(decc_dp *dp, const uint8_t *data192,
                                    decc_err *err) {
  (void)data192;
  return decc_dp_sync_market(dp, err);
}
