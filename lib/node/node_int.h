/*
 * node_int.h — what the node's files share: the node struct, the pool of
 * ledger handles (a decc_ledger belongs to one thread at a time, and the
 * HTTP server runs handlers on several), JSON helpers and the route
 * registration functions of each role.
 */
#ifndef DECC_NODE_INT_H
#define DECC_NODE_INT_H

#include <jansson.h>
#include <pthread.h>

#include "core/internal.h" /* decc__json_hex for every route */
#include "decc/chain.h"
#include "decc/http.h"
#include "decc/hub.h"
#include "decc/ledger.h"
#include "decc/market.h"
#include "decc/market_client.h"
#include "decc/node.h"
#include "decc/sms.h"
#include "decc/store.h"

#define NODE_POOL_MAX 16

/* A pool of handles that belong to one thread at a time: decc_ledger
 * (JSON-RPC endpoint) or decc_chain (views and logs for the market, deals
 * and categories, over the embedded ledger or a remote JSON-RPC node). */
typedef struct node_pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  void *h[NODE_POOL_MAX];
  void (*close_fn)(void *h);
  int free_idx[NODE_POOL_MAX];
  int nfree;
  int n;
  int inited;
} node_pool;

/* A few idle handles kept for the next request (the explorer's chain
 * handles, the deals index's connections): opening one (an SQLite file and
 * its schema) cost more than the request that used it. Unlike node_pool,
 * a request that finds none opens a new handle, so a handler that also
 * takes a pooled handle (the market's, via cpool) can never wait on it. */
#define NODE_IDLE_MAX 4
typedef struct node_idle {
  pthread_mutex_t mu;
  void *h[NODE_IDLE_MAX];
  int n;
  void (*close_fn)(void *h);
  int inited;
} node_idle;

/* Outstanding market login challenges (single use, bounded). */
#define NODE_CHALLENGES_MAX 10000
#define NODE_CHALLENGES_PER_ADDR 8

typedef struct node_challenge {
  decc_address addr;
  uint8_t digest[32];
  uint64_t expires;
} node_challenge;

typedef struct node_challenges {
  pthread_mutex_t mu;
  node_challenge *v;
  size_t n;
} node_challenges;

struct decc_node {
  decc_node_config cfg;
  void (*log)(void *ctx, const char *line);
  void *log_ctx;
  decc_http_server *http;
  uint64_t started_at;
  int started;

  /* chain role (pool: ledger handles) and chain access for the other roles
   * (cpool: decc_chain handles, embedded or remote) */
  char *ledger_path;
  node_pool pool;
  node_pool cpool;
  node_idle xchains; /* the explorer's chain handles (node_explorer.c) */
  node_idle dealsdb; /* the deals index's connections (node_deals.c) */
  int remote_chain;  /* 1: chain_url, no local ledger */
  uint64_t chain_id;
  decc_chain_addresses addr;

  /* store role */
  decc_blockstore *bs;
  decc_store_http_cfg store_cfg;

  /* market role */
  decc_market *market;
  decc_market_chain_world
      market_world; /* the orderbook's chain reads (cpool) */
  node_challenges ch;
  decc_chain *watch_chain;
  decc_chain_watch *watch;
  pthread_mutex_t sync_mu; /* one synchronisation step at a time */
  pthread_t watcher;
  int watcher_running;
  pthread_mutex_t stop_mu;
  pthread_cond_t stop_cv;
  int stopping;
  uint64_t last_refresh;
  uint64_t events_applied;
  void *market_routes; /* per-type route contexts (decc_free) */

  /* sms role */
  decc_sms *sms;

  /* scheduler / worker roles (node_workerpool.c) */
  struct decc_scheduler *sched;
  struct decc_worker *worker;
  decc_chain *sched_chain, *worker_chain;
  void *tee_backend; /* decc_tee_backend (heap) when the worker runs */
  pthread_t pool_thread;
  int pool_running;
  struct node_sched_http *sched_http; /* node_scheduler.c */

  /* subgraph endpoint + event index (node_graphql.c) */
  struct node_graphql *graphql;

  /* compass route + workerpool API (node_wpapi.c) */
  struct node_wpapi *wpapi;

  /* /metrics counters (node_metrics.c) */
  struct node_metrics *metrics;

  /* memory maintenance (node_memory.c) */
  struct {
    pthread_t thread;
    int running, stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t last_used, last_free; /* mallinfo2 after the last trim */
    uint64_t trims, trim_cpu_ns, released_kib; /* atomics (/metrics) */
  } mem;
};

/* Memory maintenance (node_memory.c): init at creation, start with the
 * node (a thread when malloc_trim_kib > 0), free (stops it) at destroy.
 * tick: one check, what the thread runs every few seconds; returns 1 when
 * it trimmed (malloc_trim), 0 when there was nothing to give back. */
void decc__node_memory_init(decc_node *n);
decc_status decc__node_memory_start(decc_node *n, decc_err *err);
void decc__node_memory_stop(decc_node *n);
void decc__node_memory_free(decc_node *n);
int decc__node_memory_tick(decc_node *n);

typedef struct node_metrics node_metrics;
/* /metrics (node_metrics.c): create before the HTTP server (its observe
 * hook counts into n->metrics), mount with /health, free (NULL-safe) after
 * the HTTP server and the SMS are gone. The observers take n->metrics as
 * ctx (decc_http_config.observe, decc_sms_config.observe). */
/* A deep copy of src into dst: every string key of the table in
 * node_config.c duplicated (one list, so a new key cannot be missed).
 * Release with decc_node_config_clear. Returns: DECC_OK, or DECC_E_NOMEM
 * (the strings that could not be copied are NULL in dst). */
decc_status decc__node_config_copy(decc_node_config *dst,
                                   const decc_node_config *src);
decc_status decc__node_metrics_create(decc_node *n, decc_err *err);
decc_status decc__node_metrics_mount(decc_node *n, decc_err *err);
void decc__node_metrics_free(decc_node *n);
void decc__node_metrics_observe_http(void *ctx, const char *method,
                                     const char *route, int status,
                                     double seconds);
void decc__node_metrics_observe_sms(void *ctx, const char *event,
                                    const char *code);

typedef struct node_sched_http node_sched_http;
typedef struct node_graphql node_graphql;
typedef struct node_wpapi node_wpapi;
/* Compass route and workerpool API (node_wpapi.c): mounted with the
 * scheduler or worker role (a no-op otherwise), freed (NULL-safe) after the
 * HTTP server is gone. */
decc_status decc__node_wpapi_mount(decc_node *n, decc_err *err);
void decc__node_wpapi_free(decc_node *n);
/* The PoCo subgraph's `deals` field (node_poco_subgraph.c) for
 * /subgraphs/poco: the JSON array, or NULL with a one-line GraphQL error in
 * err (cap bytes). */
struct gql_field;
json_t *decc__node_poco_deals(decc_node *n, const struct gql_field *f,
                              char *err, size_t cap);
/* Subgraph routes and index (node_graphql.c): mount with the market role,
 * start the indexer thread with the node, close (NULL-safe) after the HTTP
 * server is gone. */
decc_status decc__node_graphql_mount(decc_node *n, decc_err *err);
decc_status decc__node_graphql_start(decc_node *n, decc_err *err);
void decc__node_graphql_close(decc_node *n);
/* Mounts the remote-worker scheduler routes (node_scheduler.c); needs
 * n->sched. Frees with decc__node_scheduler_free (NULL ok). */
decc_status decc__node_scheduler_mount(decc_node *n, decc_err *err);
void decc__node_scheduler_free(node_sched_http *h);

/* Logs one line through the node's log callback (printf-style). */
void decc__node_logf(decc_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Pools (node_shared.c). init before add; add takes ownership of h (at
 * most NODE_POOL_MAX handles); close closes every handle with close_fn;
 * acquire blocks until a handle is free. */
void decc__node_pool_init(node_pool *p, void (*close_fn)(void *));
void decc__node_pool_add(node_pool *p, void *h);
void decc__node_pool_close(node_pool *p);
void *decc__node_pool_acquire(node_pool *p);
void decc__node_pool_release(node_pool *p, void *h);
/* Idle handles (node_shared.c). init before use (close_fn closes one
 * handle); take returns an idle handle, now the caller's, or NULL when
 * there is none; put keeps h for a later take, or closes it when
 * NODE_IDLE_MAX are already kept (h NULL: nothing); close closes every
 * kept handle (no take or put may run then or after). */
void decc__node_idle_init(node_idle *c, void (*close_fn)(void *));
void *decc__node_idle_take(node_idle *c);
void decc__node_idle_put(node_idle *c, void *h);
void decc__node_idle_close(node_idle *c);
/* Opens a decc_chain for this node: the local ledger, or chain_url. */
decc_status decc__node_chain_open(decc_node *n, decc_chain **out,
                                  decc_err *err);

/* Sends a jansson value as the response (steals j). */
void decc__node_send_json(decc_http_response *res, int status, json_t *j);

/* The read-only HTML explorer at / (node_explorer.c). */
decc_status decc__node_explorer_mount(decc_node *n, decc_err *err);

/* Route registration per role. */
decc_status decc__node_rpc_mount(decc_node *n, decc_err *err);
decc_status decc__node_market_open(decc_node *n, decc_err *err);
decc_status decc__node_market_mount(decc_node *n, decc_err *err);
decc_status decc__node_deals_mount(decc_node *n, decc_err *err);
decc_status decc__node_market_start(decc_node *n, decc_err *err);
void decc__node_market_stop(decc_node *n);
void decc__node_market_close(decc_node *n);
decc_status decc__node_pool_open_services(decc_node *n, decc_err *err);
decc_status decc__node_pool_start(decc_node *n, decc_err *err);
void decc__node_pool_stop(decc_node *n);
void decc__node_pool_close_services(decc_node *n);

/* Hex helpers: "0x" quantity for a u64, lowercase 0x data. */
json_t *decc__node_json_qty(uint64_t v);
json_t *decc__node_json_addr(const decc_address *a);

#endif /* DECC_NODE_INT_H */
