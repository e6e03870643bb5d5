/*
 * dp_market.c — the SDK's view of the orderbook through its market client
 * (decc/market_client.h): the embedded orderbook of <home>/market, or the
 * iExec market API of a decc node or of iExec. Both answer in the market
 * API's JSON, parsed into signed orders here the same way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "dataprotector/dp_int.h"
#include "decc/encoding.h"

/* ---- publish ------------------------------------------------------------------ */

decc_status decc__dp_publish(decc_dp *dp, decc_order *o, uint8_t *hash32,
                             decc_err *err) {
  decc_status st = decc__dp_need_signer(dp, err);
  if (st)
    return st;
  if ((st = decc_order_sign(o, dp->sk, dp->domain, 1)))
    return decc_err_set(err, st, "cannot sign the %s",
                        decc_order_type_name(o->type));
  if ((st = decc_market_client_publish(dp->mc, o, dp->sk, NULL, err)))
    return decc_err_prefix(err, "market refused the %s",
                           decc_order_type_name(o->type));
  if (hash32)
    decc_order_hash(hash32, o, dp->domain);
  return DECC_OK;
}

/* ---- query ------------------------------------------------------------------------ */

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
  char *js = NULL;
  decc_status st = decc_market_client_query(dp->mc, type, f, &js, err);
  if (st)
    return st; /* err names the market and the query */
  json_error_t je;
  json_t *root = json_loads(js, 0, &je);
  decc_free(js);
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
  DECC_ARG_CHECK(dp != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  memset(out, 0, sizeof *out);
  char h[DECC_HEX32_LEN];
  decc_hex_encode(h, hash32, 32, 1);
  char *js = NULL;
  decc_status st =
      decc_market_client_get(dp->mc, DECC_ORDER_DATASET, hash32, &js, err);
  if (st)
    return st == DECC_E_NOT_FOUND
               ? decc_err_set(err, st, "no granted access %s on the market", h)
               : st;
  json_error_t je;
  json_t *rec = json_loads(js, 0, &je);
  decc_free(js);
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

/* A remote market's node follows the chain itself: the client's refresh
 * and closed are no-ops there. */
decc_status decc_dp_sync_market(decc_dp *dp, decc_err *err) {
  DECC_ARG_CHECK(dp != NULL);
  return decc_market_client_refresh(dp->mc, err);
}

decc_status decc__dp_market_closed(decc_dp *dp, const uint8_t hash32[32],
                                   decc_err *err) {
  return decc_market_client_closed(dp->mc, hash32, err);
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
