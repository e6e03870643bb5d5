/*
 * chain.c — the backend-independent part of decc/chain.h: the vtable
 * wrapper, receipt polling and the poll-based log watcher (it remembers
 * the last delivered (block, log index) so each log is delivered once, in
 * order).
 */
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "decc/chain.h"
#include "decc/mem.h"

struct decc_chain {
  const decc_chain_vtable *vt;
  void *self;
};

decc_status decc_chain_create(decc_chain **out, const decc_chain_vtable *vt,
                              void *self) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(vt != NULL);
  *out = decc_calloc(1, sizeof **out);
  if (!*out) {
    if (vt->destroy)
      vt->destroy(self);
    return DECC_E_NOMEM;
  }
  (*out)->vt = vt;
  (*out)->self = self;
  return DECC_OK;
}

void decc_chain_destroy(decc_chain *c) {
  if (!c)
    return;
  if (c->vt->destroy)
    c->vt->destroy(c->self);
  decc_free(c);
}

const char *decc_chain_backend(const decc_chain *c) {
  return c ? c->vt->name : "none";
}

decc_status decc_chain_id(decc_chain *c, uint64_t *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(out != NULL);
  return c->vt->chain_id(c->self, out, err);
}

decc_status decc_chain_get_addresses(decc_chain *c, decc_chain_addresses *out,
                                     decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(out != NULL);
  return c->vt->addresses(c->self, out, err);
}

decc_status decc_chain_block_number(decc_chain *c, uint64_t *out,
                                    decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(out != NULL);
  return c->vt->block_number(c->self, out, err);
}

decc_status decc_chain_block_timestamp(decc_chain *c, uint64_t *out,
                                       decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(out != NULL);
  return c->vt->block_timestamp(c->self, out, err);
}

decc_status decc_chain_nonce(decc_chain *c, const decc_address *a,
                             uint64_t *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(out != NULL);
  return c->vt->nonce(c->self, a, out, err);
}

decc_status decc_chain_send(decc_chain *c, const uint8_t sk32[32],
                            const decc_address *to, const uint8_t *data,
                            size_t len, decc_receipt *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  return c->vt->send(c->self, sk32, to, data, len, out, err);
}

decc_status decc_chain_send_raw(decc_chain *c, const uint8_t *const *raw,
                                const size_t *lens, size_t n, decc_receipt *out,
                                decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(n == 0 || (raw != NULL && lens != NULL && out != NULL));
  return c->vt->send_raw(c->self, raw, lens, n, out, err);
}

decc_status decc_chain_call(decc_chain *c, const decc_address *from,
                            const decc_address *to, const uint8_t *data,
                            size_t len, decc_buf *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(to != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  return c->vt->call(c->self, from, to, data, len, out, err);
}

decc_status decc_chain_code(decc_chain *c, const decc_address *a, decc_buf *out,
                            decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(out != NULL);
  return c->vt->code(c->self, a, out, err);
}

decc_status decc_chain_increase_time(decc_chain *c, uint64_t seconds,
                                     decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  if (seconds == 0 || seconds > (uint64_t)100 * 365 * 86400)
    return decc_err_set(err, DECC_E_INVALID,
                        "time travel: %llu s is out of range (1 s to a "
                        "century)",
                        (unsigned long long)seconds);
  return c->vt->increase_time(c->self, seconds, err);
}

decc_status decc_chain_receipt(decc_chain *c, const uint8_t tx_hash32[32],
                               decc_receipt *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(tx_hash32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  return c->vt->receipt(c->self, tx_hash32, out, err);
}

decc_status decc_chain_tx_raw(decc_chain *c, const uint8_t tx_hash32[32],
                              decc_buf *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(tx_hash32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  if (!c->vt->tx_raw)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "chain %s does not serve raw transactions",
                        c->vt->name);
  return c->vt->tx_raw(c->self, tx_hash32, out, err);
}

decc_status decc_chain_wait_receipt(decc_chain *c, const uint8_t tx_hash32[32],
                                    unsigned timeout_ms, unsigned poll_ms,
                                    decc_receipt *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(tx_hash32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  if (!poll_ms)
    poll_ms = 100;
  uint64_t t0 = decc__mono_ms();
  for (;;) {
    decc_status s = c->vt->receipt(c->self, tx_hash32, out, err);
    if (s != DECC_E_NOT_FOUND)
      return s;
    if (decc__mono_ms() - t0 >= timeout_ms)
      return decc_err_set(err, DECC_E_TIMEOUT, "no receipt after %u ms",
                          timeout_ms);
    struct timespec d = {(time_t)(poll_ms / 1000),
                         (long)(poll_ms % 1000) * 1000000L};
    nanosleep(&d, NULL);
  }
}

decc_status decc_chain_get_logs(decc_chain *c, const decc_log_filter *f,
                                decc_log **logs, size_t *n, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(f != NULL);
  DECC_ARG_CHECK(logs != NULL);
  DECC_ARG_CHECK(n != NULL);
  return c->vt->logs(c->self, f, logs, n, err);
}

/* ---- watcher --------------------------------------------------------------------- */

struct decc_chain_watch {
  decc_chain *c;
  decc_log_filter f;
  decc_address addrs[DECC_FILTER_MAX_ALTS];
  uint8_t topics[DECC_LOG_MAX_TOPICS][DECC_FILTER_MAX_ALTS][32];
  uint64_t next_block; /* first block not fully delivered */
  uint32_t next_log;   /* first undelivered log index in next_block */
};

decc_status decc_chain_watch_create(decc_chain_watch **out, decc_chain *c,
                                    const decc_log_filter *f,
                                    uint64_t from_block, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(f != NULL);
  *out = NULL;
  if (f->n_addresses > DECC_FILTER_MAX_ALTS)
    return decc_err_set(err, DECC_E_INVALID, "watch: too many addresses");
  for (int t = 0; t < DECC_LOG_MAX_TOPICS; t++)
    if (f->n_topic_alts[t] > DECC_FILTER_MAX_ALTS)
      return decc_err_set(err, DECC_E_INVALID, "watch: too many topics");
  decc_chain_watch *w = decc_calloc(1, sizeof *w);
  if (!w)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  w->c = c;
  w->f = *f;
  if (f->n_addresses)
    memcpy(w->addrs, f->addresses, f->n_addresses * sizeof *w->addrs);
  w->f.addresses = w->addrs;
  for (int t = 0; t < DECC_LOG_MAX_TOPICS; t++) {
    if (f->n_topic_alts[t])
      memcpy(w->topics[t], f->topic_alts[t], f->n_topic_alts[t] * 32);
    w->f.topic_alts[t] = (const uint8_t(*)[32])w->topics[t];
  }
  if (from_block == UINT64_MAX) {
    uint64_t head;
    decc_status s = decc_chain_block_number(c, &head, err);
    if (s != DECC_OK) {
      decc_free(w);
      return s;
    }
    from_block = head + 1;
  }
  w->next_block = from_block;
  *out = w;
  return DECC_OK;
}

decc_status decc_chain_watch_poll(decc_chain_watch *w, decc_log_cb cb,
                                  void *user, size_t *delivered,
                                  decc_err *err) {
  DECC_ARG_CHECK(w != NULL);
  DECC_ARG_CHECK(cb != NULL);
  if (delivered)
    *delivered = 0;
  uint64_t head;
  decc_status s = decc_chain_block_number(w->c, &head, err);
  if (s != DECC_OK || head < w->next_block)
    return s;
  decc_log_filter f = w->f;
  f.from_block = w->next_block;
  f.to_block = head;
  decc_log *logs = NULL;
  size_t n = 0;
  if ((s = decc_chain_get_logs(w->c, &f, &logs, &n, err)) != DECC_OK)
    return s;
  size_t i = 0;
  int stopped = 0;
  for (; i < n && !stopped; i++) {
    const decc_log *lg = &logs[i];
    if (lg->block_number == w->next_block && lg->log_index < w->next_log)
      continue; /* delivered by an earlier, interrupted poll */
    if (delivered)
      (*delivered)++;
    w->next_block = lg->block_number;
    w->next_log = lg->log_index + 1;
    stopped = cb(lg, user) != 0;
  }
  if (!stopped) {
    w->next_block = head + 1;
    w->next_log = 0;
  }
  decc_logs_free(logs, n);
  return DECC_OK;
}

void decc_chain_watch_destroy(decc_chain_watch *w) { decc_free(w); }
