/*
 * market_client.c — the market client (decc/market_client.h): a handle
 * over a vtable with a "local" backend (a decc_market of this process) and
 * an "http" backend (the iExec market API: a decc node's market role or
 * iExec's market), plus the one market world adapter over a chain that the
 * SDK and the node both open their orderbooks with.
 *
 * The two backends keep one status contract: the http backend reads it
 * from the HTTP status (http_status_to), the local one sends the
 * orderbook's own status through the HTTP status a node would answer
 * (decc_market_http_status, also what node_market.c answers) and back, so
 * a caller sees the same status for the same refusal on either.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/hub.h"
#include "decc/market_client.h"
#include "decc/mem.h"

/* Largest market API answer read (a page of 1000 orders with their
 * params fits well under it). */
#define REPLY_MAX (16u << 20)
#define TIMEOUT_MS 30000
/* Longest base URL accepted (paths and queries are appended to it). */
#define BASE_URL_MAX 2048

/* ---- the world over a chain -------------------------------------------------- */

static decc_chain *w_take(decc_market_chain_world *w) {
  return w->acquire ? w->acquire(w->pool) : w->chain;
}

static void w_give(decc_market_chain_world *w, decc_chain *c) {
  if (w->acquire && w->release)
    w->release(w->pool, c);
}

static decc_status w_owner_of(void *ctx, decc_order_type type,
                              const decc_address *resource,
                              decc_address *owner) {
  (void)type; /* every entry contract answers owner() */
  decc_market_chain_world *w = ctx;
  decc_chain *c = w_take(w);
  if (!c)
    return DECC_E_STATE;
  decc_status st = decc_hub_owner_of(c, resource, owner, NULL);
  w_give(w, c);
  return st;
}

static decc_status w_consumed(void *ctx, const uint8_t hash32[32],
                              decc_u256 *consumed) {
  decc_market_chain_world *w = ctx;
  decc_chain *c = w_take(w);
  if (!c)
    return DECC_E_STATE;
  decc_status st = decc_hub_view_consumed(c, hash32, consumed, NULL);
  w_give(w, c);
  return st;
}

void decc_market_world_over_chain(decc_market_world *out,
                                  decc_market_chain_world *src) {
  DECC_ARG_CHECK_VOID(out != NULL);
  DECC_ARG_CHECK_VOID(src != NULL);
  memset(out, 0, sizeof *out);
  out->ctx = src;
  out->owner_of = w_owner_of;
  out->consumed = w_consumed;
}

/* ---- status contract ------------------------------------------------------------ */

int decc_market_http_status(decc_status st, char op) {
  if (st == DECC_OK)
    return op == 'p' ? 201 : 200;
  switch (op) {
  case 'p': /* POST /{type}orders: node_market.c's answers */
    switch (st) {
    case DECC_E_BAD_SIGNATURE:
    case DECC_E_INVALID:
    case DECC_E_PARSE:
    case DECC_E_RANGE:
    case DECC_E_NOT_FOUND:
      return 400;
    case DECC_E_LIMIT:
    case DECC_E_DENIED:
      return 403;
    case DECC_E_EXISTS:
      return 409;
    default:
      return 500;
    }
  case 'q':
    return st == DECC_E_INVALID ? 400 : 500;
  case 'g':
    return st == DECC_E_NOT_FOUND ? 404 : 500;
  default:
    return 500;
  }
}

static decc_status http_status_to(long status) {
  if (status >= 200 && status <= 299)
    return DECC_OK;
  switch (status) {
  case 400:
    return DECC_E_INVALID;
  case 401:
  case 403:
    return DECC_E_DENIED;
  case 404:
    return DECC_E_NOT_FOUND;
  case 409:
    return DECC_E_EXISTS;
  default:
    return status >= 500 ? DECC_E_INTERNAL : DECC_E_NETWORK;
  }
}

/* ---- the handle -------------------------------------------------------------------- */

struct decc_market_client {
  const decc_market_client_vtable *vt;
  void *self;
};

decc_status decc_market_client_create(decc_market_client **out,
                                      const decc_market_client_vtable *vt,
                                      void *self) {
  DECC_ARG_CHECK(vt != NULL);
  /* (self is released even on misuse: the caller gave it away) */
  if (!out && vt->destroy)
    vt->destroy(self);
  DECC_ARG_CHECK(out != NULL);
  *out = NULL;
  decc_market_client *c = decc_calloc(1, sizeof *c);
  if (!c) {
    if (vt->destroy)
      vt->destroy(self);
    return DECC_E_NOMEM;
  }
  c->vt = vt;
  c->self = self;
  *out = c;
  return DECC_OK;
}

void decc_market_client_destroy(decc_market_client *c) {
  if (!c)
    return;
  if (c->vt->destroy)
    c->vt->destroy(c->self);
  decc_free(c);
}

const char *decc_market_client_backend(const decc_market_client *c) {
  DECC_ARG_CHECK_RET(c != NULL, "");
  return c->vt->name ? c->vt->name : "";
}

unsigned decc_market_client_caps(const decc_market_client *c) {
  DECC_ARG_CHECK_RET(c != NULL, 0);
  return c->vt->caps;
}

decc_status decc_market_client_publish(decc_market_client *c,
                                       const decc_order *o,
                                       const uint8_t sk32[32],
                                       char **published_json, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  if (published_json)
    *published_json = NULL;
  return c->vt->publish(c->self, o, sk32, published_json, err);
}

decc_status decc_market_client_query(decc_market_client *c,
                                     decc_order_type type,
                                     const decc_market_filter *f, char **json,
                                     decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK((unsigned)type <= DECC_ORDER_REQUEST);
  DECC_ARG_CHECK(f != NULL);
  DECC_ARG_CHECK(json != NULL);
  *json = NULL;
  if (f->include_all_status && !(c->vt->caps & DECC_MARKET_CLIENT_ALL_STATUS))
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "the market API lists open orders only");
  return c->vt->query(c->self, type, f, json, err);
}

decc_status decc_market_client_get(decc_market_client *c, decc_order_type type,
                                   const uint8_t hash32[32], char **json,
                                   decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK((unsigned)type <= DECC_ORDER_REQUEST);
  DECC_ARG_CHECK(hash32 != NULL);
  DECC_ARG_CHECK(json != NULL);
  *json = NULL;
  return c->vt->get(c->self, type, hash32, json, err);
}

decc_status decc_market_client_refresh(decc_market_client *c, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  return c->vt->refresh(c->self, err);
}

decc_status decc_market_client_closed(decc_market_client *c,
                                      const uint8_t hash32[32], decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(hash32 != NULL);
  return c->vt->closed(c->self, hash32, err);
}

/* ---- "local" backend ---------------------------------------------------------------- */

/* The contract for the orderbook's status st of operation op. */
static decc_status local_result(decc_status st, char op, const char *what,
                                decc_err *inner, decc_err *err) {
  if (!st)
    return DECC_OK;
  decc_status out = http_status_to(decc_market_http_status(st, op));
  return decc_err_set(err, out, "market %s: %s", what,
                      inner->msg[0] ? inner->msg : decc_strerror(st));
}

static decc_status l_publish(void *self, const decc_order *o,
                             const uint8_t sk32[32], char **published_json,
                             decc_err *err) {
  decc_address me;
  if (decc_address_from_privkey(&me, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  decc_err e;
  decc_err_clear(&e);
  /* the signer is "logged in" as itself, as the http backend's login */
  decc_status st = decc_market_publish(self, o, &me, published_json, &e);
  return local_result(st, 'p', "publish", &e, err);
}

static decc_status l_query(void *self, decc_order_type type,
                           const decc_market_filter *f, char **json,
                           decc_err *err) {
  decc_err e;
  decc_err_clear(&e);
  decc_status st = decc_market_query(self, type, f, json, &e);
  return local_result(st, 'q', "query", &e, err);
}

static decc_status l_get(void *self, decc_order_type type,
                         const uint8_t hash32[32], char **json, decc_err *err) {
  decc_err e;
  decc_err_clear(&e);
  decc_status st = decc_market_get(self, type, hash32, json, &e);
  return local_result(st, 'g', "get", &e, err);
}

static decc_status l_refresh(void *self, decc_err *err) {
  decc_status st = decc_market_refresh(self, NULL);
  if (st)
    return decc_err_set(err, st, "market: cannot refresh the orderbook");
  return DECC_OK;
}

static decc_status l_closed(void *self, const uint8_t hash32[32],
                            decc_err *err) {
  if (decc_market_on_closed(self, hash32) != DECC_OK)
    return decc_err_set(err, DECC_E_IO,
                        "the order was closed on-chain but the market could "
                        "not record it");
  return DECC_OK;
}

static const decc_market_client_vtable LOCAL_VT = {
    .name = "local",
    .caps = DECC_MARKET_CLIENT_ALL_STATUS,
    .publish = l_publish,
    .query = l_query,
    .get = l_get,
    .refresh = l_refresh,
    .closed = l_closed,
    .destroy = NULL, /* the orderbook is borrowed */
};

decc_status decc_market_client_open_local(decc_market_client **out,
                                          decc_market *m, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(m != NULL);
  *out = NULL;
  decc_status st = decc_market_client_create(out, &LOCAL_VT, m);
  return st ? decc_err_set(err, st, "out of memory") : DECC_OK;
}

/* ---- "http" backend: the market API --------------------------------------------------- */

typedef struct remote {
  char *url; /* without trailing '/' */
  uint64_t chain_id;
} remote;

static const char *type_path(decc_order_type t) {
  static const char *P[] = {"apporders", "datasetorders", "workerpoolorders",
                            "requestorders"};
  return P[t];
}

/* GET/POST on the market API; the body of a 2xx JSON answer with
 * "ok": true is returned parsed in *out. */
static decc_status call(remote *r, const char *method, const char *path,
                        const char *const *headers, const char *body,
                        json_t **out, decc_err *err) {
  *out = NULL;
  decc_buf url;
  decc_buf_init(&url, BASE_URL_MAX + 16384);
  if (decc_buf_printf(&url, "%s%s", r->url, path) != DECC_OK) {
    decc_buf_clear(&url);
    return decc_err_set(err, DECC_E_LIMIT, "market request too long");
  }
  decc_http_reply rep;
  decc_status st =
      decc_http_fetch(&rep, method, (const char *)url.data, headers, body,
                      body ? strlen(body) : 0, REPLY_MAX, TIMEOUT_MS, err);
  decc_buf_clear(&url);
  if (st) {
    decc_buf_clear(&rep.body);
    return decc_err_prefix(err, "market %s", r->url);
  }
  json_error_t je;
  json_t *j = rep.body.len ? json_loadb((const char *)rep.body.data,
                                        rep.body.len, 0, &je)
                           : NULL;
  decc_buf_clear(&rep.body);
  if (rep.status < 200 || rep.status > 299 ||
      !json_is_true(json_object_get(j, "ok"))) {
    const char *why = json_string_value(json_object_get(j, "error"));
    st = http_status_to(rep.status);
    if (!st)
      st = DECC_E_PARSE; /* 2xx without "ok": true */
    /* The route without its query string: the filter values would push
     * the server's reason out of the message. */
    decc_err_set(err, st, "market %s %.*s: HTTP %ld%s%s", method,
                 (int)strcspn(path, "?"), path, rep.status, why ? ": " : "",
                 why ? why : "");
    json_decref(j);
    return st;
  }
  *out = j;
  return DECC_OK;
}

/* The market API's login: sign the Challenge typed data it serves
 * (iexec-protocol.md §7). Out: the header line in hdr. */
static decc_status login(remote *r, const uint8_t sk32[32], char *hdr,
                         size_t cap, decc_err *err) {
  decc_address me;
  if (decc_address_from_privkey(&me, sk32) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "invalid signing key");
  char a[DECC_ADDRESS_HEX_LEN], path[160];
  snprintf(path, sizeof path, "/challenge?chainId=%llu&address=%s",
           (unsigned long long)r->chain_id, decc_address_to_hex(a, &me));
  json_t *j = NULL;
  decc_status st = call(r, "GET", path, NULL, NULL, &j, err);
  if (st)
    return st;
  char *typed = json_dumps(json_object_get(j, "data"), JSON_COMPACT);
  json_decref(j);
  if (!typed)
    return decc_err_set(err, DECC_E_PARSE, "market: malformed challenge");
  uint8_t sig[65], digest[32];
  st = decc_eip712_sign_json(sig, digest, sk32, typed, strlen(typed), err);
  free(typed);
  if (st)
    return decc_err_prefix(err, "market challenge");
  char dh[DECC_HEX32_LEN], sh[DECC_SIG_HEX_LEN];
  snprintf(hdr, cap, "authorization: %s_%s_%s",
           decc_hex_encode(dh, digest, 32, 1), decc_hex_encode(sh, sig, 65, 1),
           a);
  return DECC_OK;
}

static decc_status h_publish(void *self, const decc_order *o,
                             const uint8_t sk32[32], char **published_json,
                             decc_err *err) {
  remote *r = self;
  char hdr[300], path[96];
  decc_status st = login(r, sk32, hdr, sizeof hdr, err);
  if (st)
    return st;
  char *oj = NULL;
  if (decc_order_to_json(&oj, o) != DECC_OK)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  size_t bl = strlen(oj) + 16;
  char *body = decc_malloc(bl);
  if (!body) {
    decc_free(oj);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  snprintf(body, bl, "{\"order\":%s}", oj);
  decc_free(oj);
  snprintf(path, sizeof path, "/%s?chainId=%llu", type_path(o->type),
           (unsigned long long)r->chain_id);
  const char *h[] = {hdr, "Content-Type: application/json", NULL};
  json_t *j = NULL;
  st = call(r, "POST", path, h, body, &j, err);
  decc_free(body);
  if (!st && published_json) {
    char *p = json_dumps(json_object_get(j, "published"), JSON_COMPACT);
    if (p) {
      *published_json = decc_strdup(p);
      free(p);
    }
    if (!*published_json)
      st = decc_err_set(err, DECC_E_PARSE,
                        "market: the answer names no published order");
  }
  json_decref(j);
  return st;
}

static decc_status addq(decc_buf *q, const char *name, const char *value) {
  char *v = decc_http_escape(value);
  if (!v)
    return DECC_E_NOMEM;
  decc_status st = decc_buf_printf(q, "%s%s=%s", q->len ? "&" : "?", name, v);
  decc_free(v);
  return st;
}

static decc_status add_restrict(decc_buf *q, const char *name,
                                const char *strict_name,
                                const decc_market_restrict *r) {
  char a[DECC_ADDRESS_HEX_LEN];
  if (r->mode == DECC_MF_OMITTED)
    return DECC_OK;
  if (r->mode == DECC_MF_ANY)
    return addq(q, name, "any");
  decc_status st = addq(q, name, decc_address_to_hex(a, &r->addr));
  if (!st && r->strict && strict_name)
    st = addq(q, strict_name, "true");
  return st;
}

/* The market API's query string for f (node_market.c's read_filter reads
 * the same names). */
static decc_status query_string(decc_buf *q, uint64_t chain_id,
                                decc_order_type t,
                                const decc_market_filter *f) {
  static const char *RES[] = {"app", "dataset", "workerpool", "requester"};
  static const char *OWN[] = {"appOwner", "datasetOwner", "workerpoolOwner",
                              NULL};
  char a[DECC_ADDRESS_HEX_LEN], num[32], tag[DECC_HEX32_LEN];
  decc_status st;
  snprintf(num, sizeof num, "%llu", (unsigned long long)chain_id);
  if ((st = addq(q, "chainId", num)))
    return st;
  if (f->has_resource &&
      (st = addq(q, RES[t], decc_address_to_hex(a, &f->resource))))
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
      (st =
           add_restrict(q, "workerpool", "isWorkerpoolStrict", &f->workerpool)))
    return st;
  if (t != DECC_ORDER_REQUEST &&
      (st = add_restrict(q, "requester", "isRequesterStrict", &f->requester)))
    return st;
  if (f->has_beneficiary && t == DECC_ORDER_REQUEST &&
      (st = addq(q, "beneficiary", decc_address_to_hex(a, &f->beneficiary))))
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
  if (f->has_max_trust) {
    snprintf(num, sizeof num, "%llu", (unsigned long long)f->max_trust);
    if ((st = addq(q, "maxTrust", num)))
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

/* Hands a parsed answer back as heap JSON text (decc_free). */
static decc_status dump(json_t *j, char **json, decc_err *err) {
  char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
  *json = t ? decc_strdup(t) : NULL;
  free(t);
  if (!*json)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  return DECC_OK;
}

static decc_status h_query(void *self, decc_order_type type,
                           const decc_market_filter *f, char **json,
                           decc_err *err) {
  remote *r = self;
  decc_buf q, path;
  decc_buf_init(&q, 8192);
  decc_buf_init(&path, 8192 + 64);
  decc_status st = query_string(&q, r->chain_id, type, f);
  if (!st)
    st = decc_buf_printf(&path, "/%s%s", type_path(type), (char *)q.data);
  decc_buf_clear(&q);
  if (st) {
    decc_buf_clear(&path);
    return decc_err_set(err, st, "market query too long");
  }
  json_t *j = NULL;
  st = call(r, "GET", (char *)path.data, NULL, NULL, &j, err);
  decc_buf_clear(&path);
  if (!st) {
    if (!json_is_array(json_object_get(j, "orders")))
      st = decc_err_set(err, DECC_E_PARSE, "market: malformed answer");
    else
      st = dump(j, json, err);
  }
  json_decref(j);
  return st;
}

static decc_status h_get(void *self, decc_order_type type,
                         const uint8_t hash32[32], char **json, decc_err *err) {
  remote *r = self;
  char h[DECC_HEX32_LEN], path[160];
  json_t *j = NULL;
  decc_hex_encode(h, hash32, 32, 1);
  snprintf(path, sizeof path, "/%s/%s?chainId=%llu", type_path(type), h,
           (unsigned long long)r->chain_id);
  decc_status st = call(r, "GET", path, NULL, NULL, &j, err);
  if (st)
    return st;
  /* A decc node merges the record into {"ok":true,…}; other market APIs
   * wrap it in "orders"[0] or "data": the record alone either way. */
  json_t *rec =
      json_object_get(j, "order") && json_object_get(j, "orderHash")
          ? json_incref(j)
          : json_incref(json_object_get(j, "orders")
                            ? json_array_get(json_object_get(j, "orders"), 0)
                            : json_object_get(j, "data"));
  json_decref(j);
  if (!json_is_object(rec)) {
    json_decref(rec);
    return decc_err_set(err, DECC_E_PARSE, "market: malformed order record");
  }
  json_t *bare = json_deep_copy(rec);
  json_decref(rec);
  if (!bare)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  json_object_del(bare, "ok");
  st = dump(bare, json, err);
  json_decref(bare);
  return st;
}

static decc_status h_noop(void *self, decc_err *err) {
  (void)self;
  (void)err;
  return DECC_OK; /* the market's node follows the chain itself */
}

static decc_status h_closed(void *self, const uint8_t hash32[32],
                            decc_err *err) {
  (void)hash32;
  return h_noop(self, err);
}

static void h_destroy(void *self) {
  remote *r = self;
  if (r)
    decc_free(r->url);
  decc_free(r);
}

static const decc_market_client_vtable HTTP_VT = {
    .name = "http",
    .caps = 0,
    .publish = h_publish,
    .query = h_query,
    .get = h_get,
    .refresh = h_noop,
    .closed = h_closed,
    .destroy = h_destroy,
};

decc_status decc_market_client_open_http(decc_market_client **out,
                                         const char *base_url,
                                         uint64_t chain_id, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(base_url != NULL);
  *out = NULL;
  if (strlen(base_url) > BASE_URL_MAX ||
      (strncmp(base_url, "http://", 7) && strncmp(base_url, "https://", 8)))
    return decc_err_set(err, DECC_E_INVALID,
                        "market URL must start with http:// or https:// (at "
                        "most %d bytes)",
                        BASE_URL_MAX);
  remote *r = decc_calloc(1, sizeof *r);
  if (!r || !(r->url = decc_strdup(base_url))) {
    decc_free(r);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t n = strlen(r->url);
  while (n && r->url[n - 1] == '/')
    r->url[--n] = 0;
  r->chain_id = chain_id;
  decc_status st = decc_market_client_create(out, &HTTP_VT, r);
  return st ? decc_err_set(err, st, "out of memory") : DECC_OK;
}
