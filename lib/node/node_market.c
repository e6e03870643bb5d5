/*
 * node_market.c — the market role: the iExec market API routes over the
 * orderbook (decc/market.h), its login challenges, the chain-backed world
 * the orderbook checks owners and consumed volume with (the shared adapter
 * of decc/market_client.h over the node's chain pool), and the watcher
 * that keeps order status in sync with OrdersMatched / Closed*Order events.
 *
 * Authorization follows market-api's scheme: GET /challenge gives EIP-712
 * typed data Challenge(string challenge) under {name:"iExec Gateway",
 * version:"1", chainId}; the client sends `authorization:
 * <typedDataHash>_<signature>_<address>`. A challenge is used once.
 *
 * The watcher starts at the chain head; what happened while the node was
 * down is picked up by the refresh at start (remaining volume from
 * viewConsumed, dead orders from owner()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "node_int.h"

/* ---- world --------------------------------------------------------------- */

/* The shared adapter (decc/market_client.h) over the node's chain pool:
 * the orderbook is called from every HTTP thread at once. */
static decc_chain *w_acquire(void *pool) {
  return decc__node_pool_acquire(pool);
}

static void w_release(void *pool, decc_chain *c) {
  decc__node_pool_release(pool, c);
}

static uint8_t g_topics[5][32];
static pthread_once_t g_topics_once = PTHREAD_ONCE_INIT;
static void init_topics(void) {
  static const decc_poco_event ev[5] = {
      DECC_EV_ORDERS_MATCHED, DECC_EV_CLOSED_APP_ORDER,
      DECC_EV_CLOSED_DATASET_ORDER, DECC_EV_CLOSED_WORKERPOOL_ORDER,
      DECC_EV_CLOSED_REQUEST_ORDER};
  for (int i = 0; i < 5; i++)
    if (decc_poco_event_topic(g_topics[i], ev[i]) != DECC_OK)
      memset(g_topics[i], 0, 32);
}

decc_status decc__node_market_open(decc_node *n, decc_err *err) {
  pthread_once(&g_topics_once, init_topics);
  size_t len = strlen(n->cfg.home) + 32;
  char *dir = decc_malloc(len), *path = decc_malloc(len);
  if (!dir || !path) {
    decc_free(dir);
    decc_free(path);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  snprintf(dir, len, "%s/market", n->cfg.home);
  snprintf(path, len, "%s/market/orders.db", n->cfg.home);
  decc_status st = DECC_OK;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    st = decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(errno));
  memset(&n->market_world, 0, sizeof n->market_world);
  n->market_world.acquire = w_acquire;
  n->market_world.release = w_release;
  n->market_world.pool = &n->cpool;
  decc_market_world w;
  decc_market_world_over_chain(&w, &n->market_world);
  if (!st)
    st = decc_market_open(&n->market, path, n->chain_id, &n->addr.hub, &w, err);
  decc_free(dir);
  decc_free(path);
  if (st)
    return st;
  st = decc__node_chain_open(n, &n->watch_chain, err);
  if (st)
    return st;
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &n->addr.hub;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])g_topics;
  f.n_topic_alts[0] = 5;
  f.limit = 1000;
  return decc_chain_watch_create(&n->watch, n->watch_chain, &f, UINT64_MAX,
                                 err);
}

typedef struct sync_ctx {
  decc_node *n;
  size_t applied;
  decc_status st;
} sync_ctx;

static int on_log(const decc_log *log, void *user) {
  sync_ctx *s = user;
  if (log->n_topics < 1)
    return 0;
  if (!memcmp(log->topics[0], g_topics[0], 32)) {
    if (log->data_len < 6 * 32)
      return 0;
    decc_u256 vol;
    decc_u256_from_be(&vol, log->data + 5 * 32);
    decc_status st =
        decc_market_on_matched(s->n->market, log->data + 32, log->data + 64,
                               log->data + 96, log->data + 128, &vol);
    if (st) {
      s->st = st;
      return 1;
    }
    s->applied++;
    return 0;
  }
  for (int i = 1; i < 5; i++) {
    if (memcmp(log->topics[0], g_topics[i], 32))
      continue;
    const uint8_t *h = log->data_len >= 32  ? log->data
                       : log->n_topics >= 2 ? log->topics[1]
                                            : NULL;
    if (!h)
      return 0;
    decc_status st = decc_market_on_closed(s->n->market, h);
    if (st) {
      s->st = st;
      return 1;
    }
    s->applied++;
  }
  return 0;
}

decc_status decc_node_market_sync(decc_node *n, size_t *applied,
                                  decc_err *err) {
  DECC_ARG_CHECK(n != NULL);
  if (applied)
    *applied = 0;
  if (!n->market || !n->watch)
    return decc_err_set(err, DECC_E_STATE, "market role is not enabled");
  pthread_mutex_lock(&n->sync_mu);
  sync_ctx s = {n, 0, DECC_OK};
  decc_status st = decc_chain_watch_poll(n->watch, on_log, &s, NULL, err);
  if (!st && s.st)
    st = decc_err_set(err, s.st, "market: cannot apply a chain event");
  /* atomic: /health reads it without taking sync_mu (a sync may be long) */
  __atomic_add_fetch(&n->events_applied, (uint64_t)s.applied, __ATOMIC_RELAXED);
  uint64_t now = (uint64_t)time(NULL);
  if (!st && n->cfg.market_refresh_s &&
      now - n->last_refresh >= n->cfg.market_refresh_s) {
    size_t changed = 0;
    st = decc_market_refresh(n->market, &changed);
    if (st)
      decc_err_set(err, st, "market refresh failed");
    n->last_refresh = now;
    if (changed)
      decc__node_logf(n, "market: refresh updated %zu order(s)", changed);
  }
  pthread_mutex_unlock(&n->sync_mu);
  if (applied)
    *applied = s.applied;
  return st;
}

static void *watcher_main(void *arg) {
  decc_node *n = arg;
  pthread_mutex_lock(&n->stop_mu);
  while (!n->stopping) {
    pthread_mutex_unlock(&n->stop_mu);
    decc_err e;
    decc_err_clear(&e);
    size_t applied = 0;
    if (decc_node_market_sync(n, &applied, &e) != DECC_OK)
      decc__node_logf(n, "market watcher: %s", e.msg);
    else if (applied)
      decc__node_logf(n, "market: applied %zu chain event(s)", applied);
    pthread_mutex_lock(&n->stop_mu);
    if (n->stopping)
      break;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns =
        (uint64_t)ts.tv_nsec + (uint64_t)n->cfg.market_poll_ms * 1000000u;
    ts.tv_sec += (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    pthread_cond_timedwait(&n->stop_cv, &n->stop_mu, &ts);
  }
  pthread_mutex_unlock(&n->stop_mu);
  return NULL;
}

decc_status decc__node_market_start(decc_node *n, decc_err *err) {
  /* Catch up with what happened while the node was down: the refresh
   * recomputes remaining volumes and dead orders from the chain. */
  n->last_refresh = 0;
  if (n->cfg.market_refresh_s == 0)
    n->last_refresh = UINT64_MAX / 2;
  if (pthread_create(&n->watcher, NULL, watcher_main, n) != 0)
    return decc_err_set(err, DECC_E_INTERNAL,
                        "cannot start the market watcher");
  n->watcher_running = 1;
  return DECC_OK;
}

void decc__node_market_stop(decc_node *n) {
  if (!n->watcher_running)
    return;
  pthread_mutex_lock(&n->stop_mu);
  n->stopping = 1;
  pthread_cond_broadcast(&n->stop_cv);
  pthread_mutex_unlock(&n->stop_mu);
  pthread_join(n->watcher, NULL);
  n->watcher_running = 0;
}

void decc__node_market_close(decc_node *n) {
  decc_chain_watch_destroy(n->watch);
  n->watch = NULL;
  decc_chain_destroy(n->watch_chain);
  n->watch_chain = NULL;
  decc_market_close(n->market);
  n->market = NULL;
}

/* ---- challenges ---------------------------------------------------------- */

static void challenges_purge(node_challenges *c, uint64_t now) {
  size_t j = 0;
  for (size_t i = 0; i < c->n; i++)
    if (c->v[i].expires > now)
      c->v[j++] = c->v[i];
  c->n = j;
}

static decc_status challenge_add(decc_node *n, const decc_address *a,
                                 const uint8_t digest[32]) {
  node_challenges *c = &n->ch;
  uint64_t now = (uint64_t)time(NULL);
  pthread_mutex_lock(&c->mu);
  challenges_purge(c, now);
  size_t per = 0, oldest = SIZE_MAX;
  for (size_t i = 0; i < c->n; i++)
    if (decc_address_eq(&c->v[i].addr, a)) {
      per++;
      if (oldest == SIZE_MAX || c->v[i].expires < c->v[oldest].expires)
        oldest = i;
    }
  if (per >= NODE_CHALLENGES_PER_ADDR && oldest != SIZE_MAX) {
    c->v[oldest] = c->v[--c->n]; /* drop the oldest of this address */
  }
  decc_status st = DECC_OK;
  if (c->n >= NODE_CHALLENGES_MAX) {
    st = DECC_E_LIMIT;
  } else {
    if (!c->v) {
      c->v = decc_calloc(NODE_CHALLENGES_MAX, sizeof *c->v);
      if (!c->v)
        st = DECC_E_NOMEM;
    }
    if (!st) {
      c->v[c->n].addr = *a;
      memcpy(c->v[c->n].digest, digest, 32);
      c->v[c->n].expires = now + n->cfg.challenge_ttl_s;
      c->n++;
    }
  }
  pthread_mutex_unlock(&c->mu);
  return st;
}

/* Checks an authorization header; on success the challenge is consumed and
 * *who is the authenticated address. */
static decc_status check_auth(decc_node *n, const char *hdr, decc_address *who,
                              decc_err *err) {
  char parts[3][160];
  const char *p = hdr;
  for (int i = 0; i < 3; i++) {
    size_t k = strcspn(p, "_");
    if (k >= sizeof parts[i] || (i < 2 && p[k] != '_') || (i == 2 && p[k]))
      return decc_err_set(
          err, DECC_E_PARSE,
          "authorization: expected <hash>_<signature>_<address>");
    memcpy(parts[i], p, k);
    parts[i][k] = 0;
    p += k + (i < 2);
  }
  uint8_t digest[32], sig[65];
  size_t sl = 0;
  if (decc_hex_decode_exact(digest, 32, parts[0], "hash", NULL) != DECC_OK ||
      decc_hex_decode(sig, 65, &sl, parts[1], strlen(parts[1])) != DECC_OK ||
      sl != 65 || decc_address_parse(who, parts[2], NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "authorization: malformed hash, signature or address");
  decc_address rec;
  if (decc_recover_digest(&rec, digest, sig) != DECC_OK ||
      !decc_address_eq(&rec, who))
    return decc_err_set(err, DECC_E_BAD_SIGNATURE,
                        "authorization: signature does not match the address");
  node_challenges *c = &n->ch;
  uint64_t now = (uint64_t)time(NULL);
  int found = 0;
  pthread_mutex_lock(&c->mu);
  challenges_purge(c, now);
  for (size_t i = 0; i < c->n; i++)
    if (decc_address_eq(&c->v[i].addr, who) &&
        decc_ct_memeq(c->v[i].digest, digest, 32)) {
      c->v[i] = c->v[--c->n]; /* single use */
      found = 1;
      break;
    }
  pthread_mutex_unlock(&c->mu);
  if (!found)
    return decc_err_set(err, DECC_E_DENIED,
                        "authorization: unknown, expired or already used "
                        "challenge (GET /challenge again)");
  return DECC_OK;
}

/* ---- helpers --------------------------------------------------------------- */

static int check_chain(decc_node *n, decc_http_request *req,
                       decc_http_response *res) {
  const char *c = decc_http_req_query(req, "chainId");
  if (!c)
    return 1;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(c, &end, 10);
  if (!*c || errno || *end) {
    (void)decc_http_res_error(res, 400, "chainId must be a number");
    return 0;
  }
  if (v != n->chain_id) {
    (void)decc_http_res_error(res, 404,
                              "chainId %llu is not served here (this node "
                              "serves chain %llu)",
                              v, (unsigned long long)n->chain_id);
    return 0;
  }
  return 1;
}

static const char *TYPE_PATHS[4] = {"apporders", "datasetorders",
                                    "workerpoolorders", "requestorders"};

static int parse_u64_arg(const char *s, uint64_t *out) {
  if (!s || !*s || *s == '-' || *s == '+')
    return 0;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end)
    return 0;
  *out = v;
  return 1;
}

static int parse_bool_arg(const char *s, int *out) {
  if (!strcmp(s, "true") || !strcmp(s, "1")) {
    *out = 1;
    return 1;
  }
  if (!strcmp(s, "false") || !strcmp(s, "0")) {
    *out = 0;
    return 1;
  }
  return 0;
}

/* Reads one restriction filter (name, strict flag name). */
static decc_status q_restrict(decc_http_request *req, const char *name,
                              const char *strict_name, decc_market_restrict *r,
                              decc_err *err) {
  const char *v = decc_http_req_query(req, name);
  r->mode = DECC_MF_OMITTED;
  if (v) {
    if (!strcasecmp(v, "any"))
      r->mode = DECC_MF_ANY;
    else {
      if (decc_address_parse(&r->addr, v, NULL) != DECC_OK)
        return decc_err_set(err, DECC_E_INVALID,
                            "%s must be an address or 'any'", name);
      r->mode = DECC_MF_VALUE;
    }
  }
  if (strict_name) {
    const char *s = decc_http_req_query(req, strict_name);
    if (s && !parse_bool_arg(s, &r->strict))
      return decc_err_set(err, DECC_E_INVALID, "%s must be true or false",
                          strict_name);
  }
  return DECC_OK;
}

static decc_status q_address(decc_http_request *req, const char *name, int *has,
                             decc_address *a, decc_err *err) {
  const char *v = decc_http_req_query(req, name);
  if (!v)
    return DECC_OK;
  if (decc_address_parse(a, v, NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "%s must be an address", name);
  *has = 1;
  return DECC_OK;
}

static decc_status q_uint(decc_http_request *req, const char *name, int *has,
                          uint64_t *out, decc_err *err) {
  const char *v = decc_http_req_query(req, name);
  if (!v)
    return DECC_OK;
  if (!parse_u64_arg(v, out))
    return decc_err_set(err, DECC_E_INVALID,
                        "%s must be a non-negative integer", name);
  if (has)
    *has = 1;
  return DECC_OK;
}

static decc_status q_tag(decc_http_request *req, const char *name, int *has,
                         uint8_t tag[32], decc_err *err) {
  const char *v = decc_http_req_query(req, name);
  if (!v)
    return DECC_OK;
  if (decc_tag_parse(tag, v, NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID,
                        "%s must be a bytes32 hex tag or tag names", name);
  *has = 1;
  return DECC_OK;
}

/* Builds the orderbook filter of a list request. */
static decc_status read_filter(decc_http_request *req, decc_order_type type,
                               decc_market_filter *f, decc_err *err) {
  decc_market_filter_init(f);
  decc_status st = DECC_OK;
  uint64_t u = 0;
  int dummy = 0;
#define TRY(x)                                                                 \
  do {                                                                         \
    if ((st = (x)) != DECC_OK)                                                 \
      return st;                                                               \
  } while (0)
  switch (type) {
  case DECC_ORDER_APP:
    TRY(q_address(req, "app", &f->has_resource, &f->resource, err));
    TRY(q_address(req, "appOwner", &f->has_owner, &f->owner, err));
    TRY(q_restrict(req, "dataset", "isDatasetStrict", &f->dataset, err));
    TRY(q_restrict(req, "workerpool", "isWorkerpoolStrict", &f->workerpool,
                   err));
    TRY(q_restrict(req, "requester", "isRequesterStrict", &f->requester, err));
    break;
  case DECC_ORDER_DATASET:
    TRY(q_address(req, "dataset", &f->has_resource, &f->resource, err));
    TRY(q_address(req, "datasetOwner", &f->has_owner, &f->owner, err));
    TRY(q_restrict(req, "app", "isAppStrict", &f->app, err));
    TRY(q_restrict(req, "workerpool", "isWorkerpoolStrict", &f->workerpool,
                   err));
    TRY(q_restrict(req, "requester", "isRequesterStrict", &f->requester, err));
    {
      const char *b = decc_http_req_query(req, "bulkOnly");
      if (b && !parse_bool_arg(b, &f->bulk_only))
        return decc_err_set(err, DECC_E_INVALID,
                            "bulkOnly must be true or false");
    }
    break;
  case DECC_ORDER_WORKERPOOL:
    TRY(q_uint(req, "category", &f->has_category, &f->category, err));
    TRY(q_address(req, "workerpool", &f->has_resource, &f->resource, err));
    TRY(q_address(req, "workerpoolOwner", &f->has_owner, &f->owner, err));
    TRY(q_restrict(req, "app", "isAppStrict", &f->app, err));
    TRY(q_restrict(req, "dataset", "isDatasetStrict", &f->dataset, err));
    TRY(q_restrict(req, "requester", "isRequesterStrict", &f->requester, err));
    TRY(q_uint(req, "minTrust", &f->has_min_trust, &f->min_trust, err));
    break;
  case DECC_ORDER_REQUEST:
    TRY(q_uint(req, "category", &f->has_category, &f->category, err));
    TRY(q_address(req, "requester", &f->has_resource, &f->resource, err));
    TRY(q_address(req, "beneficiary", &f->has_beneficiary, &f->beneficiary,
                  err));
    TRY(q_restrict(req, "app", NULL, &f->app, err));
    TRY(q_restrict(req, "dataset", NULL, &f->dataset, err));
    TRY(q_restrict(req, "workerpool", "isWorkerpoolStrict", &f->workerpool,
                   err));
    TRY(q_uint(req, "maxTrust", &f->has_max_trust, &f->max_trust, err));
    break;
  }
  TRY(q_tag(req, "minTag", &f->has_min_tag, f->min_tag, err));
  TRY(q_tag(req, "maxTag", &f->has_max_tag, f->max_tag, err));
  TRY(q_uint(req, "minVolume", &dummy, &f->min_volume, err));
  if (decc_http_req_query(req, "pageIndex")) {
    TRY(q_uint(req, "pageIndex", NULL, &u, err));
    if (u > 1000000)
      return decc_err_set(err, DECC_E_INVALID, "pageIndex too large");
    f->page_index = (uint32_t)u;
  }
  if (decc_http_req_query(req, "pageSize")) {
    TRY(q_uint(req, "pageSize", NULL, &u, err));
    if (u < DECC_MARKET_PAGE_MIN || u > DECC_MARKET_PAGE_MAX)
      return decc_err_set(err, DECC_E_INVALID,
                          "pageSize must be between %d and %d",
                          DECC_MARKET_PAGE_MIN, DECC_MARKET_PAGE_MAX);
    f->page_size = (uint32_t)u;
  }
#undef TRY
  return DECC_OK;
}

/* ---- routes -------------------------------------------------------------- */

typedef struct type_route {
  decc_node *n;
  decc_order_type type;
} type_route;

static void h_list(void *ctx, decc_http_request *req, decc_http_response *res) {
  type_route *tr = ctx;
  if (!check_chain(tr->n, req, res))
    return;
  decc_market_filter f;
  decc_err e;
  decc_err_clear(&e);
  decc_status st = read_filter(req, tr->type, &f, &e);
  char *json = NULL;
  if (!st)
    st = decc_market_query(tr->n->market, tr->type, &f, &json, &e);
  if (st) {
    (void)decc_http_res_error(res, decc_market_http_status(st, 'q'), "%s",
                              e.msg);
    return;
  }
  if (decc_http_res_send_owned(res, 200, "application/json", json,
                               strlen(json)) != DECC_OK)
    (void)decc_http_res_error(res, 500, "out of memory");
}

static int parse_hash_param(decc_http_request *req, const char *name,
                            uint8_t h[32], decc_http_response *res) {
  const char *v = decc_http_req_param(req, name);
  if (!v || decc_hex_decode_exact(h, 32, v, name, NULL) != DECC_OK ||
      strncmp(v, "0x", 2)) {
    (void)decc_http_res_error(res, 400, "%s must be a 0x-prefixed bytes32",
                              name);
    return 0;
  }
  return 1;
}

static void h_get(void *ctx, decc_http_request *req, decc_http_response *res) {
  type_route *tr = ctx;
  if (!check_chain(tr->n, req, res))
    return;
  uint8_t h[32];
  if (!parse_hash_param(req, "hash", h, res))
    return;
  char *json = NULL;
  decc_err e;
  decc_err_clear(&e);
  decc_status st = decc_market_get(tr->n->market, tr->type, h, &json, &e);
  if (st) {
    (void)decc_http_res_error(res, decc_market_http_status(st, 'g'), "%s",
                              e.msg);
    return;
  }
  json_error_t je;
  json_t *rec = json_loads(json, 0, &je);
  decc_free(json);
  json_t *out = json_pack("{s:b}", "ok", 1);
  if (!rec || !out) {
    json_decref(rec);
    json_decref(out);
    (void)decc_http_res_error(res, 500, "out of memory");
    return;
  }
  json_object_update(out, rec);
  json_decref(rec);
  decc__node_send_json(res, 200, out);
}

/* Authenticates a write request. Returns 1 and sets *who (or leaves
 * *has_who 0 when auth is off and no header came), 0 after answering. */
static int authenticate(decc_node *n, decc_http_request *req,
                        decc_http_response *res, decc_address *who,
                        int *has_who) {
  *has_who = 0;
  const char *h = decc_http_req_header(req, "authorization");
  if (!h) {
    if (!n->cfg.market_auth)
      return 1;
    (void)decc_http_res_error(res, 401,
                              "authorization required (GET /challenge, sign "
                              "it, send authorization: "
                              "<hash>_<signature>_<address>)");
    return 0;
  }
  decc_err e;
  decc_err_clear(&e);
  if (check_auth(n, h, who, &e) != DECC_OK) {
    (void)decc_http_res_error(res, 401, "%s", e.msg);
    return 0;
  }
  *has_who = 1;
  return 1;
}

static json_t *parse_body(decc_http_request *req, decc_http_response *res) {
  size_t len = 0;
  const uint8_t *b = decc_http_req_body(req, &len);
  json_error_t je;
  json_t *j = json_loadb((const char *)b, len, JSON_REJECT_DUPLICATES, &je);
  if (!j) {
    (void)decc_http_res_error(res, 400,
                              "malformed JSON body: line %d col %d: %s",
                              je.line, je.column, je.text);
    return NULL;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    (void)decc_http_res_error(res, 400, "the body must be a JSON object");
    return NULL;
  }
  return j;
}

static void h_publish(void *ctx, decc_http_request *req,
                      decc_http_response *res) {
  type_route *tr = ctx;
  decc_node *n = tr->n;
  if (!check_chain(n, req, res))
    return;
  decc_address who;
  int has_who = 0;
  if (!authenticate(n, req, res, &who, &has_who))
    return;
  json_t *body = parse_body(req, res);
  if (!body)
    return;
  json_t *oj = json_object_get(body, "order");
  if (!json_is_object(oj)) {
    json_decref(body);
    (void)decc_http_res_error(res, 400,
                              "order is required (body {\"order\": {…}})");
    return;
  }
  char *text = json_dumps(oj, JSON_COMPACT);
  json_decref(body);
  if (!text) {
    (void)decc_http_res_error(res, 500, "out of memory");
    return;
  }
  decc_order o;
  decc_err e;
  decc_err_clear(&e);
  unsigned present = 0;
  decc_status st =
      decc_order_parse_json(&o, tr->type, text, strlen(text), &present, &e);
  free(text);
  if (st) {
    (void)decc_http_res_error(res, 400, "invalid %s: %s",
                              decc_order_type_name(tr->type), e.msg);
    return;
  }
  if (!(present & DECC_ORDER_HAS_SIGN)) {
    decc_order_clear(&o);
    (void)decc_http_res_error(res, 400,
                              "order is not signed (\"sign\" missing)");
    return;
  }
  char *pub = NULL;
  st = decc_market_publish(n->market, &o, has_who ? &who : NULL, &pub, &e);
  decc_order_clear(&o);
  if (st) {
    (void)decc_http_res_error(res, decc_market_http_status(st, 'p'), "%s",
                              e.msg);
    return;
  }
  json_error_t je;
  json_t *p = json_loads(pub, 0, &je);
  decc_free(pub);
  decc__node_send_json(
      res, 201, p ? json_pack("{s:b,s:o}", "ok", 1, "published", p) : NULL);
}

static const char *RESOURCE_KEYS[4] = {"app", "dataset", "workerpool",
                                       "requester"};

static void h_unpublish(void *ctx, decc_http_request *req,
                        decc_http_response *res) {
  type_route *tr = ctx;
  decc_node *n = tr->n;
  if (!check_chain(n, req, res))
    return;
  decc_address who;
  int has_who = 0;
  if (!authenticate(n, req, res, &who, &has_who))
    return;
  json_t *body = parse_body(req, res);
  if (!body)
    return;
  const char *target = json_string_value(json_object_get(body, "target"));
  decc_err e;
  decc_err_clear(&e);
  decc_status st;
  json_t *unpublished = NULL;
  if (!target || !strcmp(target, "unpublish_orderHash")) {
    const char *hs = json_string_value(json_object_get(body, "orderHash"));
    uint8_t h[32];
    if (!hs || decc_hex_decode_exact(h, 32, hs, "orderHash", NULL) != DECC_OK) {
      json_decref(body);
      (void)decc_http_res_error(res, 400, "orderHash must be a bytes32");
      return;
    }
    st = decc_market_unpublish(n->market, tr->type, h, has_who ? &who : NULL,
                               &e);
    if (!st) {
      char hx[DECC_HEX32_LEN];
      decc_hex_encode(hx, h, 32, 1);
      unpublished = json_pack("[s]", hx);
    }
  } else if (!strcmp(target, "unpublish_last") ||
             !strcmp(target, "unpublish_all")) {
    const char *key = RESOURCE_KEYS[tr->type];
    const char *rs = json_string_value(json_object_get(body, key));
    decc_address r;
    if (!rs || decc_address_parse(&r, rs, NULL) != DECC_OK) {
      json_decref(body);
      (void)decc_http_res_error(res, 400, "%s must be an address", key);
      return;
    }
    if (!has_who) {
      json_decref(body);
      (void)decc_http_res_error(res, 401,
                                "%s needs an authorization header (it names "
                                "the signer)",
                                target);
      return;
    }
    char *hashes = NULL;
    st = decc_market_unpublish_by(n->market, tr->type, &r, &who,
                                  !strcmp(target, "unpublish_last"), &hashes,
                                  &e);
    if (!st) {
      json_error_t je;
      unpublished = json_loads(hashes, 0, &je);
      decc_free(hashes);
    }
  } else {
    json_decref(body);
    (void)decc_http_res_error(res, 400,
                              "target must be unpublish_orderHash, "
                              "unpublish_last or unpublish_all");
    return;
  }
  json_decref(body);
  if (st) {
    (void)decc_http_res_error(res,
                              st == DECC_E_NOT_FOUND ? 404
                              : st == DECC_E_DENIED  ? 403
                                                     : 500,
                              "%s", e.msg);
    return;
  }
  decc__node_send_json(
      res, 200,
      unpublished ? json_pack("{s:b,s:o}", "ok", 1, "unpublished", unpublished)
                  : NULL);
}

static void h_challenge(void *ctx, decc_http_request *req,
                        decc_http_response *res) {
  decc_node *n = ctx;
  if (!decc_http_req_query(req, "chainId")) {
    (void)decc_http_res_error(res, 400, "chainId is required");
    return;
  }
  if (!check_chain(n, req, res))
    return;
  const char *as = decc_http_req_query(req, "address");
  decc_address a;
  if (!as || decc_address_parse(&a, as, NULL) != DECC_OK) {
    (void)decc_http_res_error(res, 400, "address must be an Ethereum address");
    return;
  }
  uint8_t rnd[20];
  if (decc_random_bytes(rnd, sizeof rnd) != DECC_OK) {
    (void)decc_http_res_error(res, 500, "no randomness");
    return;
  }
  char challenge[128], hx[41];
  decc_hex_encode(hx, rnd, sizeof rnd, 0);
  snprintf(challenge, sizeof challenge,
           "Sign this message to log into iExec Gateway: %s", hx);
  uint8_t digest[32];
  decc_eip712_challenge_hash(digest, n->chain_id, challenge, strlen(challenge));
  decc_status st = challenge_add(n, &a, digest);
  if (st) {
    (void)decc_http_res_error(res, st == DECC_E_LIMIT ? 503 : 500,
                              "too many outstanding challenges");
    return;
  }
  char *typed = NULL;
  if (decc_eip712_challenge_json(&typed, n->chain_id, challenge) != DECC_OK) {
    (void)decc_http_res_error(res, 500, "out of memory");
    return;
  }
  json_error_t je;
  json_t *t = json_loads(typed, 0, &je);
  decc_free(typed);
  decc__node_send_json(res, 200,
                       t ? json_pack("{s:b,s:o}", "ok", 1, "data", t) : NULL);
}

static void h_version(void *ctx, decc_http_request *req,
                      decc_http_response *res) {
  (void)ctx;
  (void)req;
  char v[64];
  snprintf(v, sizeof v, "decc-%s", decc_version());
  decc__node_send_json(res, 200, json_pack("{s:b,s:s}", "ok", 1, "version", v));
}

/* Categories come from the hub (countCategory / viewCategory). */
static void h_categories(void *ctx, decc_http_request *req,
                         decc_http_response *res) {
  decc_node *n = ctx;
  if (!check_chain(n, req, res))
    return;
  uint64_t min_ref = 0, max_ref = UINT64_MAX, page = 0, size = 20;
  int has = 0;
  decc_err e;
  decc_err_clear(&e);
  if (q_uint(req, "minWorkClockTimeRef", &has, &min_ref, &e) ||
      q_uint(req, "maxWorkClockTimeRef", &has, &max_ref, &e) ||
      q_uint(req, "pageIndex", &has, &page, &e) ||
      q_uint(req, "pageSize", &has, &size, &e)) {
    (void)decc_http_res_error(res, 400, "%s", e.msg);
    return;
  }
  if (size < DECC_MARKET_PAGE_MIN || size > DECC_MARKET_PAGE_MAX ||
      page > 1000000) {
    (void)decc_http_res_error(res, 400, "pageSize must be between %d and %d",
                              DECC_MARKET_PAGE_MIN, DECC_MARKET_PAGE_MAX);
    return;
  }
  uint8_t sel_count[4], sel_view[4];
  decc_abi_selector(sel_count, "countCategory()");
  decc_abi_selector(sel_view, "viewCategory(uint256)");
  decc_chain *l = decc__node_pool_acquire(&n->cpool);
  decc_buf out;
  decc_buf_init(&out, 1 << 20);
  json_t *list = json_array();
  uint64_t count = 0, matched = 0;
  decc_status st =
      decc_chain_call(l, NULL, &n->addr.hub, sel_count, 4, &out, &e);
  if (!st && out.len == 32) {
    decc_u256 c;
    decc_u256_from_be(&c, out.data);
    if (!decc_u256_to_u64(&count, &c) || count > 100000)
      count = 100000;
  }
  for (uint64_t i = 0; !st && i < count; i++) {
    uint8_t data[36];
    memcpy(data, sel_view, 4);
    memset(data + 4, 0, 32);
    for (int k = 0; k < 8; k++)
      data[35 - k] = (uint8_t)(i >> (8 * k));
    decc_buf_reset(&out);
    st = decc_chain_call(l, NULL, &n->addr.hub, data, sizeof data, &out, &e);
    if (st)
      break;
    decc_abi_value *v = NULL;
    st = decc_abi_decode(&v, "(string,string,uint256)", out.data, out.len, 0,
                         &e);
    if (st)
      break;
    const decc_abi_value *t = decc_abi_item(v, 0);
    char *name = NULL, *desc = NULL;
    uint64_t ref = 0;
    if (decc_abi_get_string(decc_abi_item(t, 0), &name) == DECC_OK &&
        decc_abi_get_string(decc_abi_item(t, 1), &desc) == DECC_OK &&
        decc_abi_get_u64(decc_abi_item(t, 2), &ref) == DECC_OK &&
        ref >= min_ref && ref <= max_ref) {
      if (matched >= page * size && matched < (page + 1) * size)
        json_array_append_new(
            list, json_pack("{s:I,s:I,s:s,s:s,s:I}", "catid", (json_int_t)i,
                            "chainId", (json_int_t)n->chain_id, "name", name,
                            "description", desc, "workClockTimeRef",
                            (json_int_t)ref));
      matched++;
    }
    decc_free(name);
    decc_free(desc);
    decc_abi_value_free(v);
  }
  decc__node_pool_release(&n->cpool, l);
  decc_buf_clear(&out);
  if (st) {
    json_decref(list);
    (void)decc_http_res_error(res, 500, "categories: %s", e.msg);
    return;
  }
  json_t *j = json_pack("{s:b,s:o,s:I}", "ok", 1, "categories", list, "count",
                        (json_int_t)matched);
  if (j && (page + 1) * size < matched)
    json_object_set_new(j, "nextPage", json_integer((json_int_t)(page + 1)));
  decc__node_send_json(res, 200, j);
}

decc_status decc__node_market_mount(decc_node *n, decc_err *err) {
  /* One context per order type; freed with the node. */
  type_route *tr = decc_calloc(4, sizeof *tr);
  if (!tr)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  n->market_routes = tr;
  decc_status st = DECC_OK;
  char path[64];
  for (int t = 0; t < 4 && !st; t++) {
    tr[t].n = n;
    tr[t].type = (decc_order_type)t;
    snprintf(path, sizeof path, "/%s", TYPE_PATHS[t]);
    if (!st)
      st = decc_http_route(n->http, "GET", path, h_list, &tr[t]);
    if (!st)
      st = decc_http_route_limit(n->http, "POST", path, h_publish, &tr[t],
                                 DECC_PARAMS_MAX + 16384);
    if (!st)
      st = decc_http_route_limit(n->http, "PUT", path, h_unpublish, &tr[t],
                                 4096);
    snprintf(path, sizeof path, "/%s/{hash}", TYPE_PATHS[t]);
    if (!st)
      st = decc_http_route(n->http, "GET", path, h_get, &tr[t]);
  }
  if (!st)
    st = decc_http_route(n->http, "GET", "/challenge", h_challenge, n);
  if (!st)
    st = decc_http_route(n->http, "GET", "/version", h_version, n);
  if (!st)
    st = decc_http_route(n->http, "GET", "/categories", h_categories, n);
  if (!st)
    st = decc__node_deals_mount(n, err);
  else
    decc_err_set(err, st, "market routes: %s", decc_strerror(st));
  return st;
}
