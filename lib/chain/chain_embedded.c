/*
 * chain_embedded.c — the embedded-ledger backend of decc/chain.h. Views go
 * straight to decc_ledger_view; `send` builds and signs a real EIP-1559
 * transaction with the key (decc_ledger_send: the nonce is taken under the
 * ledger's write lock) and returns once its block is committed, so the
 * stored history holds the raw signed bytes that `verify` re-checks;
 * send_raw takes already-signed transactions through
 * decc_ledger_submit_raw.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/chain.h"
#include "decc/ledger.h"
#include "decc/mem.h"

static decc_status e_chain_id(void *self, uint64_t *out, decc_err *err) {
  decc_ledger_info i;
  decc_status s = decc_ledger_get_info(self, &i, err);
  if (s == DECC_OK)
    *out = i.chain_id;
  return s;
}

static decc_status e_addresses(void *self, decc_chain_addresses *out,
                               decc_err *err) {
  decc_ledger_info i;
  decc_status s = decc_ledger_get_info(self, &i, err);
  if (s == DECC_OK)
    *out = i.addr;
  return s;
}

static decc_status e_block_number(void *self, uint64_t *out, decc_err *err) {
  decc_ledger_block b;
  decc_status s = decc_ledger_block_get(self, UINT64_MAX, &b, err);
  if (s == DECC_OK)
    *out = b.number;
  return s;
}

static decc_status e_block_timestamp(void *self, uint64_t *out, decc_err *err) {
  decc_ledger_block b;
  decc_status s = decc_ledger_block_get(self, UINT64_MAX, &b, err);
  if (s == DECC_OK)
    *out = b.timestamp;
  return s;
}

static decc_status e_nonce(void *self, const decc_address *a, uint64_t *out,
                           decc_err *err) {
  return decc_ledger_nonce(self, a, out, err);
}

static decc_status e_send(void *self, const uint8_t sk32[32],
                          const decc_address *to, const uint8_t *data,
                          size_t len, decc_receipt *out, decc_err *err) {
  if (!to)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "the embedded ledger has no EVM: contracts cannot be "
                        "deployed on it (use an EVM chain: --chain URL)");
  return decc_ledger_send(self, sk32, to, data, len, out, err);
}

static decc_status e_send_raw(void *self, const uint8_t *const *raw,
                              const size_t *lens, size_t n, decc_receipt *out,
                              decc_err *err) {
  return decc_ledger_submit_raw(self, raw, lens, n, out, err);
}

static decc_status e_call(void *self, const decc_address *from,
                          const decc_address *to, const uint8_t *data,
                          size_t len, decc_buf *out, decc_err *err) {
  return decc_ledger_view(self, from, to, data, len, out, err);
}

static decc_status e_receipt(void *self, const uint8_t h[32], decc_receipt *out,
                             decc_err *err) {
  return decc_ledger_receipt(self, h, out, err);
}

static decc_status e_logs(void *self, const decc_log_filter *f, decc_log **out,
                          size_t *n, decc_err *err) {
  return decc_ledger_logs(self, f, out, n, err);
}

static decc_status e_code(void *self, const decc_address *a, decc_buf *out,
                          decc_err *err) {
  return decc_ledger_code(self, a, out, err);
}

static decc_status e_increase_time(void *self, uint64_t seconds,
                                   decc_err *err) {
  return decc_ledger_time_increase(self, (int64_t)seconds, NULL, err);
}

static void e_destroy(void *self) { decc_ledger_close(self); }

static decc_status e_tx_raw(void *self, const uint8_t h[32], decc_buf *out,
                            decc_err *err) {
  return decc_ledger_tx_raw(self, h, out, err);
}

static const decc_chain_vtable EMBEDDED = {
    "embedded", e_chain_id, e_addresses,     e_block_number, e_block_timestamp,
    e_nonce,    e_send,     e_send_raw,      e_call,         e_receipt,
    e_logs,     e_code,     e_increase_time, e_destroy,      e_tx_raw};

decc_status decc_chain_open_embedded(decc_chain **out, const char *path,
                                     decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(path != NULL);
  decc_ledger *l;
  decc_status s = decc_ledger_open(&l, path, err);
  if (s != DECC_OK)
    return s;
  s = decc_chain_create(out, &EMBEDDED, l);
  if (s != DECC_OK)
    return decc_err_set(err, s, "out of memory");
  return DECC_OK;
}
