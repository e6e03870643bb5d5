/*
 * node_workerpool.c — the scheduler and worker roles: the workerpool
 * services of decc/worker.h run by one background thread of the node,
 * round after round (scheduler step, worker step, scheduler step — the
 * worker's report is finalized in the same round), every
 * workerpool_poll_ms.
 *
 * Keys come from files (never the command line) into secure memory, are
 * handed to the services (which copy them) and wiped. The SMS is the
 * node's own when the sms role is on, else sms_url; the worker's store is
 * the node's blockstore when the store role is on, else store_url (a Kubo
 * RPC API, e.g. another decc node). The worker's scheduler is the node's
 * own when the scheduler role is on, else scheduler_url (another node's
 * scheduler API, node_scheduler.c): a worker-only node on another host
 * then needs chain_url, sms_url, store_url and scheduler_url.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "decc/attest.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/worker.h"
#include "node_int.h"

/* Reads a 0x-hex private key file into sk (secure memory, caller frees). */
static decc_status read_key(const char *what, const char *path, uint8_t **sk,
                            decc_err *err) {
  *sk = NULL;
  if (!path)
    return decc_err_set(err, DECC_E_INVALID, "%s is required", what);
  FILE *f = fopen(path, "rb");
  if (!f)
    return decc_err_set(err, DECC_E_IO, "%s %s: %s", what, path,
                        strerror(errno));
  char *text = decc_secure_alloc(256);
  *sk = decc_secure_alloc(32);
  if (!text || !*sk) {
    fclose(f);
    decc_secure_free(text);
    decc_secure_free(*sk);
    *sk = NULL;
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t n = fread(text, 1, 255, f);
  fclose(f);
  while (n &&
         (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
    n--;
  text[n] = 0;
  decc_status st = decc_hex_decode_exact(*sk, 32, text, what, NULL);
  decc_secure_free(text);
  if (!st)
    st = decc_privkey_verify(*sk);
  if (st) {
    decc_secure_free(*sk);
    *sk = NULL;
    return decc_err_set(err, DECC_E_INVALID,
                        "%s %s: expected a 0x-hex 32-byte private key", what,
                        path);
  }
  return DECC_OK;
}

static char *home_path(decc_node *n, const char *rel) {
  size_t len = strlen(n->cfg.home) + strlen(rel) + 2;
  char *p = decc_malloc(len);
  if (p)
    snprintf(p, len, "%s/%s", n->cfg.home, rel);
  return p;
}

decc_status decc__node_pool_open_services(decc_node *n, decc_err *err) {
  decc_address pool;
  memset(&pool, 0, sizeof pool);
  decc_status st = DECC_OK;
  int with_sched = (n->cfg.roles & DECC_NODE_ROLE_SCHEDULER) != 0;
  if (!with_sched && !n->cfg.scheduler_url)
    return decc_err_set(err, DECC_E_INVALID,
                        "the worker role needs the scheduler role or "
                        "scheduler_url");
  if (!n->sms && !n->cfg.sms_url)
    return decc_err_set(err, DECC_E_INVALID,
                        "the scheduler and worker roles need an SMS: the sms "
                        "role or sms_url");
  if (!with_sched)
    goto worker_only;
  /* No workerpool configured: serve every workerpool the scheduler key
   * owns, also those deployed after the node started. */
  memset(&pool, 0, sizeof pool);
  if (n->cfg.workerpool &&
      (st = decc_address_parse(&pool, n->cfg.workerpool, err)))
    return st;
worker_only:;
  uint8_t *pool_sk = NULL, *worker_sk = NULL, *platform_sk = NULL;
  char *state = NULL, *sdir = NULL, *wdir = NULL;
  wdir = home_path(n, "worker");
  if (!wdir) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto out;
  }
  if (!with_sched)
    goto open_worker;
  st = read_key("scheduler_key_file", n->cfg.scheduler_key_file, &pool_sk, err);
  if (st)
    goto out;
  sdir = home_path(n, "scheduler");
  state = home_path(n, "scheduler/state.sqlite");
  if (!sdir || !state) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto out;
  }
  if (mkdir(sdir, 0700) != 0 && errno != EEXIST) {
    st = decc_err_set(err, DECC_E_IO, "%s: %s", sdir, strerror(errno));
    goto out;
  }
  st = decc__node_chain_open(n, &n->sched_chain, err);
  if (st)
    goto out;
  decc_scheduler_config sc;
  memset(&sc, 0, sizeof sc);
  sc.chain = n->sched_chain;
  sc.pool_sk32 = pool_sk;
  sc.workerpool = pool;
  sc.sms = n->sms;
  sc.sms_url = n->sms ? NULL : n->cfg.sms_url;
  sc.state_path = state;
  sc.log = n->log;
  sc.log_ctx = n->log_ctx;
  st = decc_scheduler_create(&n->sched, &sc, err);
  if (st)
    goto out;
open_worker:
  if (n->cfg.roles & DECC_NODE_ROLE_WORKER) {
    if (!n->bs && !n->cfg.store_url) {
      st = decc_err_set(err, DECC_E_INVALID,
                        "the worker role needs a store: the store role or "
                        "store_url");
      goto out;
    }
    /* tee_backend tdx: DCAP quotes from configfs-tsm, no platform key */
    int tdx = n->cfg.tee_backend && !strcmp(n->cfg.tee_backend, "tdx");
    st = read_key("worker_key_file", n->cfg.worker_key_file, &worker_sk, err);
    if (!st && !tdx)
      st = read_key("platform_key_file", n->cfg.platform_key_file, &platform_sk,
                    err);
    if (st)
      goto out;
    decc_tee_backend *b = decc_calloc(1, sizeof *b);
    if (!b) {
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      goto out;
    }
    st = tdx ? decc_tee_tdx_create(b, n->cfg.tsm_dir, n->cfg.tsm_entry)
             : decc_tee_software_create(b, platform_sk);
    if (st) {
      decc_free(b);
      decc_err_set(err, st, "%s TEE backend: %s", tdx ? "tdx" : "software",
                   decc_strerror(st));
      goto out;
    }
    n->tee_backend = b;
    st = decc__node_chain_open(n, &n->worker_chain, err);
    if (st)
      goto out;
    decc_worker_config wc;
    memset(&wc, 0, sizeof wc);
    wc.chain = n->worker_chain;
    wc.worker_sk32 = worker_sk;
    wc.scheduler = n->sched;
    wc.scheduler_url = n->sched ? NULL : n->cfg.scheduler_url;
    wc.sms = n->sms;
    wc.sms_url = n->sms ? NULL : n->cfg.sms_url;
    wc.store.bs = n->bs;
    wc.store.ipfs_api_url = n->bs ? NULL : n->cfg.store_url;
    wc.backend = b;
    wc.dir = wdir;
    wc.log = n->log;
    wc.log_ctx = n->log_ctx;
    wc.enclave_exec = n->cfg.enclave_exec;
    st = decc_worker_create(&n->worker, &wc, err);
    if (st)
      goto out;
  }
  char a[DECC_ADDRESS_HEX_LEN];
  if (n->sched && !decc_address_is_zero(&pool))
    decc__node_logf(n, "workerpool %s: scheduler%s",
                    decc_address_to_checksum(a, &pool),
                    n->worker ? " and worker" : "");
  else if (n->sched) {
    decc_address owner;
    if (decc_address_from_privkey(&owner, pool_sk) != DECC_OK)
      memset(&owner, 0, sizeof owner);
    decc__node_logf(n, "every workerpool owned by %s: scheduler%s",
                    decc_address_to_checksum(a, &owner),
                    n->worker ? " and worker" : "");
  } else
    decc__node_logf(n, "worker %s: tasks from the scheduler at %s",
                    decc_address_to_checksum(a, decc_worker_address(n->worker)),
                    n->cfg.scheduler_url);
out:
  decc_secure_free(pool_sk);
  decc_secure_free(worker_sk);
  decc_secure_free(platform_sk);
  decc_free(state);
  decc_free(sdir);
  decc_free(wdir);
  return st;
}

static void *pool_main(void *arg) {
  decc_node *n = arg;
  pthread_mutex_lock(&n->stop_mu);
  while (!n->stopping) {
    pthread_mutex_unlock(&n->stop_mu);
    decc_err e;
    decc_err_clear(&e);
    decc_status st =
        n->sched ? decc_scheduler_step(n->sched, NULL, &e) : DECC_OK;
    if (!st && n->worker)
      st = decc_worker_step(n->worker, NULL, &e);
    if (!st && n->worker && n->sched)
      st = decc_scheduler_step(n->sched, NULL, &e);
    if (st)
      decc__node_logf(n, "workerpool round: %s",
                      e.msg[0] ? e.msg : decc_strerror(st));
    pthread_mutex_lock(&n->stop_mu);
    if (n->stopping)
      break;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ns =
        (uint64_t)ts.tv_nsec + (uint64_t)n->cfg.workerpool_poll_ms * 1000000u;
    ts.tv_sec += (time_t)(ns / 1000000000u);
    ts.tv_nsec = (long)(ns % 1000000000u);
    pthread_cond_timedwait(&n->stop_cv, &n->stop_mu, &ts);
  }
  pthread_mutex_unlock(&n->stop_mu);
  return NULL;
}

decc_status decc__node_pool_start(decc_node *n, decc_err *err) {
  if (pthread_create(&n->pool_thread, NULL, pool_main, n) != 0)
    return decc_err_set(err, DECC_E_INTERNAL,
                        "cannot start the workerpool thread");
  n->pool_running = 1;
  return DECC_OK;
}

void decc__node_pool_stop(decc_node *n) {
  if (!n->pool_running)
    return;
  pthread_mutex_lock(&n->stop_mu);
  n->stopping = 1;
  pthread_cond_broadcast(&n->stop_cv);
  pthread_mutex_unlock(&n->stop_mu);
  pthread_join(n->pool_thread, NULL);
  n->pool_running = 0;
}

void decc__node_pool_close_services(decc_node *n) {
  decc_worker_destroy(n->worker);
  n->worker = NULL;
  decc_scheduler_destroy(n->sched);
  n->sched = NULL;
  if (n->tee_backend) {
    decc_tee_backend *tb = n->tee_backend;
    if (tb->name && !strcmp(tb->name, "tdx"))
      decc_tee_tdx_destroy(tb);
    else
      decc_tee_software_destroy(tb);
    decc_free(n->tee_backend);
    n->tee_backend = NULL;
  }
  decc_chain_destroy(n->worker_chain);
  n->worker_chain = NULL;
  decc_chain_destroy(n->sched_chain);
  n->sched_chain = NULL;
}
