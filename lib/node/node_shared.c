/*
 * node_shared.c — the helpers every file of the node uses: the log line,
 * the pools of ledger/chain handles, the idle handles kept between
 * requests, opening a chain for this node and the
 * JSON response helpers. They live apart from node.c (which composes the
 * roles) so that calls go one way: node.c -> role files -> node_shared.c,
 * and no role file calls back into the composer (issue 11's circle).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "node_int.h"

void decc__node_logf(decc_node *n, const char *fmt, ...) {
  if (!n->log)
    return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  n->log(n->log_ctx, line);
}

/* ---- handle pools -------------------------------------------------------- */

void decc__node_pool_init(node_pool *p, void (*close_fn)(void *)) {
  memset(p, 0, sizeof *p);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  p->close_fn = close_fn;
  p->inited = 1;
}

void decc__node_pool_add(node_pool *p, void *h) {
  p->h[p->n] = h;
  p->free_idx[p->nfree++] = p->n;
  p->n++;
}

void decc__node_pool_close(node_pool *p) {
  for (int i = 0; i < p->n; i++)
    p->close_fn(p->h[i]);
  if (p->inited) {
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
  }
  memset(p, 0, sizeof *p);
}

void *decc__node_pool_acquire(node_pool *p) {
  pthread_mutex_lock(&p->mu);
  while (p->nfree == 0)
    pthread_cond_wait(&p->cv, &p->mu);
  void *h = p->h[p->free_idx[--p->nfree]];
  pthread_mutex_unlock(&p->mu);
  return h;
}

void decc__node_pool_release(node_pool *p, void *h) {
  pthread_mutex_lock(&p->mu);
  for (int i = 0; i < p->n; i++)
    if (p->h[i] == h) {
      p->free_idx[p->nfree++] = i;
      break;
    }
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* ---- idle handles -------------------------------------------------------- */

void decc__node_idle_init(node_idle *c, void (*close_fn)(void *)) {
  memset(c, 0, sizeof *c);
  pthread_mutex_init(&c->mu, NULL);
  c->close_fn = close_fn;
  c->inited = 1;
}

void *decc__node_idle_take(node_idle *c) {
  pthread_mutex_lock(&c->mu);
  void *h = c->n ? c->h[--c->n] : NULL;
  pthread_mutex_unlock(&c->mu);
  return h;
}

void decc__node_idle_put(node_idle *c, void *h) {
  if (!h)
    return;
  pthread_mutex_lock(&c->mu);
  int kept = c->n < NODE_IDLE_MAX;
  if (kept)
    c->h[c->n++] = h;
  pthread_mutex_unlock(&c->mu);
  if (!kept) /* outside the lock: closing may wait on the disk */
    c->close_fn(h);
}

void decc__node_idle_close(node_idle *c) {
  if (!c->inited)
    return;
  for (int i = 0; i < c->n; i++)
    c->close_fn(c->h[i]);
  pthread_mutex_destroy(&c->mu);
  memset(c, 0, sizeof *c);
}

decc_status decc__node_chain_open(decc_node *n, decc_chain **out,
                                  decc_err *err) {
  if (n->remote_chain) /* addresses checked once by open_remote_chain */
    return decc_chain_open_jsonrpc(out, n->cfg.chain_url, &n->addr, err);
  return decc_chain_open_embedded(out, n->ledger_path, err);
}

/* ---- JSON helpers -------------------------------------------------------- */

void decc__node_send_json(decc_http_response *res, int status, json_t *j) {
  char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(j);
  if (!s) {
    (void)decc_http_res_error(res, 500, "out of memory");
    return;
  }
  if (decc_http_res_json(res, status, s) != DECC_OK)
    (void)decc_http_res_error(res, 500, "out of memory");
  free(s);
}

json_t *decc__node_json_qty(uint64_t v) {
  char b[24];
  snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
  return json_string(b);
}

json_t *decc__node_json_addr(const decc_address *a) {
  char b[DECC_ADDRESS_HEX_LEN];
  return json_string(decc_address_to_hex(b, a));
}
