/*
 * node.c — `decc node` as a library: lays out the data directory, opens
 * the services of the enabled roles, mounts their HTTP routes on one
 * server, serves GET /health, and tears everything down in the reverse
 * order (HTTP first, so no handler runs against a closed service).
 *
 * Data directory: <home>/chain/ledger.sqlite (embedded ledger), <home>/store
 * (blockstore), <home>/market/orders.db (orderbook), <home>/sms (vault).
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "node_int.h"
#include "node_receipts.h"

/* ---- handle pools (the helpers are in node_shared.c) ------------------ */

static void close_ledger(void *h) { decc_ledger_close(h); }
static void close_chain(void *h) { decc_chain_destroy(h); }

static decc_status cpool_open(decc_node *n, int count, decc_err *err) {
  decc__node_pool_init(&n->cpool, close_chain);
  for (int i = 0; i < count && i < NODE_POOL_MAX; i++) {
    decc_chain *c = NULL;
    decc_status st = decc__node_chain_open(n, &c, err);
    if (st)
      return st;
    decc__node_pool_add(&n->cpool, c);
  }
  return DECC_OK;
}

/* ---- data directory ------------------------------------------------------ */

/* The node's directories are private to its user (keys, vault, logs). */
static decc_status mkdir_p(const char *path, decc_err *err) {
  if (decc__mkdir_p(path, 0700) != 0)
    return decc_err_set(err, DECC_E_IO, "%s: cannot create the directory: %s",
                        path, strerror(errno));
  return DECC_OK;
}

static decc_status open_chain(decc_node *n, decc_err *err) {
  char *dir = decc__path_join(n->cfg.home, "chain");
  if (!dir)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = mkdir_p(dir, err);
  if (st) {
    decc_free(dir);
    return st;
  }
  n->ledger_path = decc__path_join(dir, "ledger.sqlite");
  decc_free(dir);
  if (!n->ledger_path)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (access(n->ledger_path, F_OK) != 0) {
    decc_genesis g;
    if (decc_genesis_default(&g) != DECC_OK)
      return decc_err_set(err, DECC_E_INTERNAL, "default genesis");
    if (n->cfg.genesis) {
      FILE *f = fopen(n->cfg.genesis, "rb");
      if (!f) {
        decc_genesis_clear(&g);
        return decc_err_set(err, DECC_E_IO, "genesis %s: %s", n->cfg.genesis,
                            strerror(errno));
      }
      char *buf = decc_malloc(DECC_GENESIS_MAX_BYTES + 1);
      size_t len = buf ? fread(buf, 1, DECC_GENESIS_MAX_BYTES + 1, f) : 0;
      fclose(f);
      if (!buf) {
        decc_genesis_clear(&g);
        return decc_err_set(err, DECC_E_NOMEM, "out of memory");
      }
      if (len > DECC_GENESIS_MAX_BYTES)
        st = decc_err_set(err, DECC_E_LIMIT, "genesis file too large");
      else
        st = decc_genesis_from_json(&g, buf, len, err);
      decc_free(buf);
      if (st) {
        decc_genesis_clear(&g);
        return st;
      }
    }
    st = decc_ledger_init(n->ledger_path, &g, err);
    decc_genesis_clear(&g);
    if (st && st != DECC_E_EXISTS)
      return st;
    decc__node_logf(n, "chain: created ledger %s", n->ledger_path);
  }
  decc__node_pool_init(&n->pool, close_ledger);
  for (unsigned i = 0; i < n->cfg.threads + 2 && i < NODE_POOL_MAX; i++) {
    decc_ledger *l = NULL;
    st = decc_ledger_open(&l, n->ledger_path, err);
    if (st)
      return st;
    decc__node_pool_add(&n->pool, l);
  }
  decc_ledger *l = decc__node_pool_acquire(&n->pool);
  decc_ledger_info info;
  st = decc_ledger_get_info(l, &info, err);
  decc__node_pool_release(&n->pool, l);
  if (st)
    return st;
  n->chain_id = info.chain_id;
  n->addr = info.addr;
  return cpool_open(n, (int)n->cfg.threads + 2, err);
}

/* A remote chain (chain_url): the hub from the configuration (or the
 * default genesis'), the registries and token read from the hub's views,
 * the chain id from the node. */
static decc_status open_remote_chain(decc_node *n, decc_err *err) {
  n->remote_chain = 1;
  memset(&n->addr, 0, sizeof n->addr);
  if (n->cfg.hub) {
    decc_status st = decc_address_parse(&n->addr.hub, n->cfg.hub, err);
    if (st)
      return st;
  } else {
    decc_genesis g;
    if (decc_genesis_default(&g) != DECC_OK)
      return decc_err_set(err, DECC_E_INTERNAL, "default genesis");
    n->addr.hub = g.addr.hub;
    n->addr.dataprotector = g.addr.dataprotector;
    decc_genesis_clear(&g);
  }
  /* Checked like every decc client (decc/hub.h): chain id, hub code,
   * registries and token read from the hub. */
  decc_hub_remote r;
  memset(&r, 0, sizeof r);
  r.url = n->cfg.chain_url;
  r.hub = n->addr.hub;
  decc_chain *c = NULL;
  decc_status st = decc_hub_open_remote(&c, &r, err);
  if (!st)
    st = decc_chain_id(c, &n->chain_id, err);
  if (!st) {
    decc_address dp = n->addr.dataprotector;
    st = decc_chain_get_addresses(c, &n->addr, err);
    n->addr.dataprotector = dp;
  }
  decc_chain_destroy(c);
  if (st)
    return decc_err_prefix(err, "chain_url %s", n->cfg.chain_url);
  decc__node_logf(n, "chain: remote %s (chain id %llu)", n->cfg.chain_url,
                  (unsigned long long)n->chain_id);
  return cpool_open(n, (int)n->cfg.threads + 2, err);
}

/* ---- store --------------------------------------------------------------- */

static int store_match(void *ctx, const char *url) {
  (void)ctx;
  return decc_store_http_route(url);
}

static int store_handle(void *ctx, struct MHD_Connection *conn, const char *url,
                        const char *method, const char *upload_data,
                        size_t *upload_data_size, void **con_cls) {
  decc_node *n = ctx;
  return decc_store_http_handle(&n->store_cfg, conn, url, method, upload_data,
                                upload_data_size, con_cls);
}

static void store_completed(void *ctx, void **con_cls) {
  (void)ctx;
  decc_store_http_completed(con_cls);
}

static decc_status open_store(decc_node *n, decc_err *err) {
  char *dir = decc__path_join(n->cfg.home, "store");
  if (!dir)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = mkdir_p(dir, err);
  if (!st)
    st = decc_blockstore_open(&n->bs, dir, err);
  decc_free(dir);
  if (st)
    return st;
  n->store_cfg.bs = n->bs;
  n->store_cfg.max_add_bytes = n->cfg.max_upload;
  n->store_cfg.read_only = 0;
  st = decc_http_route_raw(n->http, store_match, store_handle, store_completed,
                           n);
  return st ? decc_err_set(err, st, "store routes: %s", decc_strerror(st))
            : DECC_OK;
}

/* ---- sms ----------------------------------------------------------------- */

/* Reads a small JSON file of the configuration (NUL-terminated, at most
 * 1 MiB). Out: *out (decc_free). */
static decc_status read_conf_file(const char *key, const char *path, char **out,
                                  decc_err *err) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f)
    return decc_err_set(err, DECC_E_IO, "%s %s: %s", key, path,
                        strerror(errno));
  size_t cap = (1u << 20) + 1, n = 0;
  char *b = decc_malloc(cap);
  if (!b) {
    fclose(f);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  n = fread(b, 1, cap, f);
  int bad = ferror(f);
  fclose(f);
  if (bad || n == cap) {
    decc_free(b);
    return decc_err_set(err, bad ? DECC_E_IO : DECC_E_LIMIT, "%s %s: %s", key,
                        path, bad ? "read error" : "larger than 1 MiB");
  }
  b[n] = 0;
  *out = b;
  return DECC_OK;
}

static decc_status open_sms(decc_node *n, decc_err *err) {
  char *dir = decc__path_join(n->cfg.home, "sms");
  if (!dir)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = mkdir_p(dir, err);
  decc_address plat[64];
  size_t nplat = 0;
  char *pass = NULL;
  size_t pass_len = 0;
  decc_chain *chain = NULL;
  char *dcap_policy = NULL, *dcap_coll = NULL, *pccs_cache = NULL;
  if (st)
    goto out;
  if ((n->cfg.sms_dcap_policy_file &&
       (st = read_conf_file("sms_dcap_policy_file", n->cfg.sms_dcap_policy_file,
                            &dcap_policy, err))) ||
      (n->cfg.sms_dcap_collateral_file &&
       (st = read_conf_file("sms_dcap_collateral_file",
                            n->cfg.sms_dcap_collateral_file, &dcap_coll, err))))
    goto out;
  if (n->cfg.sms_dcap_pccs_url &&
      !(pccs_cache = decc__path_join(n->cfg.home, "pccs-cache"))) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto out;
  }
  if (n->cfg.sms_trusted_platforms) {
    const char *p = n->cfg.sms_trusted_platforms;
    while (*p) {
      while (*p == ',' || *p == ' ')
        p++;
      if (!*p)
        break;
      size_t k = strcspn(p, ", ");
      char a[64];
      if (k >= sizeof a || nplat >= 64) {
        st = decc_err_set(err, DECC_E_INVALID,
                          "sms_trusted_platforms: bad address list");
        goto out;
      }
      memcpy(a, p, k);
      a[k] = 0;
      st = decc_address_parse(&plat[nplat], a, err);
      if (st) {
        decc_err_prefix(err, "sms_trusted_platforms");
        goto out;
      }
      nplat++;
      p += k;
    }
  }
  if (n->cfg.sms_passphrase_file) {
    FILE *f = fopen(n->cfg.sms_passphrase_file, "rb");
    if (!f) {
      st = decc_err_set(err, DECC_E_IO, "sms passphrase file %s: %s",
                        n->cfg.sms_passphrase_file, strerror(errno));
      goto out;
    }
    pass = decc_secure_alloc(1025);
    if (!pass) {
      fclose(f);
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      goto out;
    }
    pass_len = fread(pass, 1, 1024, f);
    fclose(f);
    while (pass_len &&
           (pass[pass_len - 1] == '\n' || pass[pass_len - 1] == '\r'))
      pass_len--;
    pass[pass_len] = 0;
  }
  st = decc__node_chain_open(n, &chain, err);
  if (st)
    goto out;
  decc_sms_config sc;
  memset(&sc, 0, sizeof sc);
  sc.vault_dir = dir;
  sc.passphrase = pass;
  sc.passphrase_len = pass_len;
  sc.trusted_platforms = plat;
  sc.n_trusted = nplat;
  sc.dcap_policy_json = dcap_policy;
  sc.dcap_collateral_json = dcap_coll;
  sc.dcap_pccs_url = n->cfg.sms_dcap_pccs_url;
  sc.dcap_pccs_cache_dir = pccs_cache;
  sc.bulk_store = n->bs; /* bulk_cid slices (NULL: store role off) */
  st = decc_sms_chain_view_over(&sc.chain, chain, 1, err);
  if (st) {
    decc_chain_destroy(chain);
    goto out;
  }
  sc.log = n->log;
  sc.log_ctx = n->log_ctx;
  sc.observe = decc__node_metrics_observe_sms;
  sc.observe_ctx = n->metrics;
  st = decc_sms_create(&n->sms, &sc, err);
  if (st)
    goto out;
  st = decc_sms_http_mount(n->sms, n->http, "");
  if (st)
    st = decc_err_set(err, st, "sms routes: %s", decc_strerror(st));
out:
  if (pass)
    decc_secure_free(pass);
  decc_free(dcap_policy);
  decc_free(dcap_coll);
  decc_free(pccs_cache);
  decc_free(dir);
  return st;
}

/* ---- health -------------------------------------------------------------- */

static void h_health(void *ctx, decc_http_request *req,
                     decc_http_response *res) {
  (void)req;
  decc_node *n = ctx;
  json_t *roles = json_object();
  json_object_set_new(roles, "chain",
                      json_boolean(n->cfg.roles & DECC_NODE_ROLE_CHAIN));
  json_object_set_new(roles, "store",
                      json_boolean(n->cfg.roles & DECC_NODE_ROLE_STORE));
  json_object_set_new(roles, "market",
                      json_boolean(n->cfg.roles & DECC_NODE_ROLE_MARKET));
  json_object_set_new(roles, "sms",
                      json_boolean(n->cfg.roles & DECC_NODE_ROLE_SMS));
  json_object_set_new(roles, "scheduler",
                      json_boolean(n->cfg.roles & DECC_NODE_ROLE_SCHEDULER));
  json_object_set_new(roles, "worker",
                      json_boolean(n->cfg.roles & DECC_NODE_ROLE_WORKER));
  json_t *j = json_pack("{s:b,s:s,s:s,s:o,s:I}", "ok", 1, "status", "up",
                        "version", decc_version(), "roles", roles, "uptime",
                        (json_int_t)((uint64_t)time(NULL) - n->started_at));
  if (j && n->cpool.n) {
    decc_chain *c = decc__node_pool_acquire(&n->cpool);
    uint64_t bn = 0;
    decc_err e;
    int ok = decc_chain_block_number(c, &bn, &e) == DECC_OK;
    decc__node_pool_release(&n->cpool, c);
    json_object_set_new(j, "chainId", json_integer((json_int_t)n->chain_id));
    json_object_set_new(j, "hub", decc__node_json_addr(&n->addr.hub));
    if (ok)
      json_object_set_new(j, "blockNumber", json_integer((json_int_t)bn));
    else
      json_object_set_new(j, "chainError", json_string(e.msg));
  }
  if (j && n->market)
    json_object_set_new(j, "marketEventsApplied",
                        json_integer((json_int_t)__atomic_load_n(
                            &n->events_applied, __ATOMIC_RELAXED)));
  json_t *remote = json_object();
  if (n->cfg.chain_url)
    json_object_set_new(remote, "chain", json_string(n->cfg.chain_url));
  if (n->cfg.sms_url)
    json_object_set_new(remote, "sms", json_string(n->cfg.sms_url));
  if (n->cfg.store_url)
    json_object_set_new(remote, "store", json_string(n->cfg.store_url));
  if (n->cfg.scheduler_url)
    json_object_set_new(remote, "scheduler", json_string(n->cfg.scheduler_url));
  if (j)
    json_object_set_new(j, "remote", remote);
  else
    json_decref(remote);
  decc__node_send_json(res, 200, j);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void http_log(void *ctx, const char *line) {
  decc_node *n = ctx;
  if (n->cfg.log_requests && n->log)
    n->log(n->log_ctx, line);
}

/* A long-running node's memory reaches its plateau at once (soak RSS):
 * glibc creates up to 8 arenas per core as threads contend, each keeping
 * what was freed in it, and it raises its mmap threshold after every large
 * free, so later large buffers (a store cat's blocks, a market page) come
 * from the arenas and stay there. A few arenas and a fixed threshold bound
 * both. Process-wide; applied before the node's threads start. */
static void bound_malloc(unsigned arenas) {
#ifdef __GLIBC__
  if (arenas) {
    (void)mallopt(M_ARENA_MAX, (int)arenas);
    (void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  }
#else
  (void)arenas;
#endif
}

decc_status decc_node_create(decc_node **out, const decc_node_config *cfg,
                             void (*log)(void *ctx, const char *line),
                             void *log_ctx, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(cfg != NULL);
  *out = NULL;
  if (!cfg->home || !*cfg->home)
    return decc_err_set(err, DECC_E_INVALID,
                        "no data directory: set home (--home, DECC_HOME or "
                        "\"home\" in the config file)");
  unsigned roles = cfg->roles;
  if ((roles & DECC_NODE_ROLE_WORKER) && !(roles & DECC_NODE_ROLE_SCHEDULER) &&
      !cfg->scheduler_url)
    return decc_err_set(err, DECC_E_INVALID,
                        "the worker role needs a scheduler: the scheduler "
                        "role in the same node or scheduler_url");
  if ((roles & (DECC_NODE_ROLE_MARKET | DECC_NODE_ROLE_SMS |
                DECC_NODE_ROLE_SCHEDULER | DECC_NODE_ROLE_WORKER)) &&
      !(roles & DECC_NODE_ROLE_CHAIN) && !cfg->chain_url)
    return decc_err_set(
        err, DECC_E_INVALID,
        "the market, sms, scheduler and worker roles read the chain: "
        "enable the chain role or set chain_url");
  decc_node *n = decc_calloc(1, sizeof *n);
  if (!n)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_node_config_init(&n->cfg);
  if (decc__node_config_copy(&n->cfg, cfg) != DECC_OK) {
    decc_node_config_clear(&n->cfg);
    decc_free(n);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  bound_malloc(n->cfg.malloc_arenas);
  n->log = log;
  n->log_ctx = log_ctx;
  pthread_mutex_init(&n->stop_mu, NULL);
  pthread_cond_init(&n->stop_cv, NULL);
  pthread_mutex_init(&n->sync_mu, NULL);
  pthread_mutex_init(&n->ch.mu, NULL);
  decc__node_memory_init(n);

  decc_status st = mkdir_p(n->cfg.home, err);
  if (st)
    goto fail;
  decc_http_config hc;
  memset(&hc, 0, sizeof hc);
  hc.bind_address = n->cfg.bind ? n->cfg.bind : "127.0.0.1";
  hc.port = n->cfg.port;
  hc.threads = n->cfg.threads;
  hc.max_connections = n->cfg.max_connections;
  hc.timeout_s = n->cfg.timeout_s;
  hc.max_body = n->cfg.max_body;
  hc.max_header_bytes = n->cfg.max_header_bytes;
  hc.log = http_log;
  hc.log_ctx = n;
  if ((st = decc__node_metrics_create(n, err)))
    goto fail;
  hc.observe = decc__node_metrics_observe_http;
  hc.observe_ctx = n->metrics;
  hc.external_loop = n->cfg.http_external_loop;
  hc.cors_origins = n->cfg.cors_origins;
  st = decc_http_server_create(&n->http, &hc);
  if (st) {
    decc_err_set(err, st, "%s",
                 st == DECC_E_INVALID
                     ? "cors_origins: expected * or a comma-separated list "
                       "of origins (scheme://host[:port], no path)"
                     : "out of memory");
    goto fail;
  }
  st = decc_http_route(n->http, "GET", "/health", h_health, n);
  if (st) {
    decc_err_set(err, st, "health route");
    goto fail;
  }
  if ((st = decc__node_metrics_mount(n, err)))
    goto fail;
  if ((st = decc__node_explorer_mount(n, err))) /* node_explorer.c */
    goto fail;
  if (roles & DECC_NODE_ROLE_CHAIN) {
    st = open_chain(n, err);
    if (!st)
      st = decc__node_rpc_mount(n, err);
    if (st)
      goto fail;
  } else if (n->cfg.chain_url &&
             (roles & (DECC_NODE_ROLE_MARKET | DECC_NODE_ROLE_SMS |
                       DECC_NODE_ROLE_SCHEDULER | DECC_NODE_ROLE_WORKER))) {
    st = open_remote_chain(n, err);
    if (st)
      goto fail;
  }
  if (roles & DECC_NODE_ROLE_STORE) {
    st = open_store(n, err);
    if (st)
      goto fail;
  }
  if (roles & DECC_NODE_ROLE_MARKET) {
    st = decc__node_market_open(n, err);
    if (!st)
      st = decc__node_market_mount(n, err);
    if (!st)
      st = decc__node_graphql_mount(n, err);
    if (st)
      goto fail;
  }
  if (roles & DECC_NODE_ROLE_SMS) {
    st = open_sms(n, err);
    if (!st)
      st = decc__node_receipts_mount(n, err);
    if (st)
      goto fail;
  }
  if (roles & (DECC_NODE_ROLE_SCHEDULER | DECC_NODE_ROLE_WORKER)) {
    st = decc__node_pool_open_services(n, err);
    if (!st && n->sched)
      st = decc__node_scheduler_mount(n, err);
    if (!st)
      st = decc__node_wpapi_mount(n, err);
    if (st)
      goto fail;
  }
  *out = n;
  return DECC_OK;
fail:
  decc_node_destroy(n);
  return st;
}

decc_status decc_node_start(decc_node *n, decc_err *err) {
  DECC_ARG_CHECK(n != NULL);
  if (n->started)
    return decc_err_set(err, DECC_E_STATE, "node already started");
  n->started_at = (uint64_t)time(NULL);
  decc_status st = decc_http_server_start(n->http, err);
  if (st)
    return st;
  n->started = 1;
  if (n->market) {
    st = decc__node_market_start(n, err);
    if (!st)
      st = decc__node_graphql_start(n, err);
    if (st)
      return st;
  }
  if (n->sched || n->worker) {
    st = decc__node_pool_start(n, err);
    if (st)
      return st;
  }
  if ((st = decc__node_memory_start(n, err))) /* node_memory.c */
    return st;
  decc__node_logf(n, "listening on %s:%u",
                  n->cfg.bind ? n->cfg.bind : "127.0.0.1",
                  (unsigned)decc_http_server_port(n->http));
  return DECC_OK;
}

uint16_t decc_node_port(const decc_node *n) {
  DECC_ARG_CHECK_RET(n != NULL, 0);
  return decc_http_server_port(n->http);
}

struct decc_http_server *decc_node_http(decc_node *n) {
  DECC_ARG_CHECK_RET(n != NULL, NULL);
  return n->http;
}

void decc_node_destroy(decc_node *n) {
  if (!n)
    return;
  /* HTTP first: after this no handler runs. */
  decc_http_server_destroy(n->http);
  n->http = NULL;
  decc__node_memory_stop(n);
  decc__node_market_stop(n);
  decc__node_graphql_close(n);
  decc__node_pool_stop(n);
  decc__node_pool_close_services(n);
  decc__node_scheduler_free(n->sched_http);
  n->sched_http = NULL;
  decc__node_wpapi_free(n);
  decc__node_market_close(n);
  decc_free(n->market_routes);
  decc__node_receipts_free(n); /* before the SMS: it borrows its vault */
  decc_sms_destroy(n->sms);
  decc__node_metrics_free(n); /* after every observer (HTTP, SMS) is gone */
  decc_blockstore_close(n->bs);
  decc__node_idle_close(&n->xchains); /* kept by node_explorer.c */
  decc__node_idle_close(&n->dealsdb); /* kept by node_deals.c */
  decc__node_pool_close(&n->pool);
  decc__node_pool_close(&n->cpool);
  decc_free(n->ledger_path);
  decc_free(n->ch.v);
  pthread_mutex_destroy(&n->ch.mu);
  pthread_mutex_destroy(&n->sync_mu);
  pthread_mutex_destroy(&n->stop_mu);
  pthread_cond_destroy(&n->stop_cv);
  decc__node_memory_free(n);
  decc_node_config_clear(&n->cfg);
  decc_free(n);
}
