/*
 * evm.c — memory management of the Ethereum value types of decc/evm.h
 * (logs, receipts, log filters), used by the ledger and by every chain
 * backend alike.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/evm.h"
#include "decc/mem.h"

void decc_log_clear(decc_log *log) {
  if (!log)
    return;
  decc_free(log->data);
  memset(log, 0, sizeof *log);
}

void decc_logs_free(decc_log *logs, size_t n) {
  if (!logs)
    return;
  for (size_t i = 0; i < n; i++)
    decc_log_clear(&logs[i]);
  decc_free(logs);
}

void decc_receipt_clear(decc_receipt *r) {
  if (!r)
    return;
  decc_free(r->revert_reason);
  decc_free(r->output);
  decc_logs_free(r->logs, r->n_logs);
  memset(r, 0, sizeof *r);
}

decc_status decc_log_copy(decc_log *dst, const decc_log *src) {
  DECC_ARG_CHECK(dst != NULL);
  DECC_ARG_CHECK(src != NULL);
  DECC_ARG_CHECK(src->data != NULL || src->data_len == 0);
  *dst = *src;
  dst->data = NULL;
  if (src->data_len) {
    dst->data = decc_malloc(src->data_len);
    if (!dst->data) {
      dst->data_len = 0;
      return DECC_E_NOMEM;
    }
    memcpy(dst->data, src->data, src->data_len);
  }
  return DECC_OK;
}

void decc_log_filter_init(decc_log_filter *f) {
  DECC_ARG_CHECK_VOID(f != NULL);
  memset(f, 0, sizeof *f);
  f->to_block = UINT64_MAX;
}
