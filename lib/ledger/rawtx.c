/*
 * rawtx.c — signed Ethereum transactions into the ledger: parse (legacy
 * EIP-155 or EIP-1559 type 2), check chain id, low-S signature and nonce,
 * execute as one block. Needs the transaction codec (decc/tx.h) from the
 * eth layer; until it is available submit_raw reports DECC_E_UNSUPPORTED
 * and signed transactions cannot be replayed either.
 */
#include "ledger/ledger_int.h"

decc_status decc_ledger_submit_raw(decc_ledger *l, const uint8_t *const *raw,
                                   const size_t *lens, size_t n,
                                   decc_receipt *out, decc_err *err) {
  (void)raw;
  (void)lens;
  (void)n;
  (void)out;
  if (!l)
    return decc_err_set(err, DECC_E_INVALID, "ledger: NULL argument");
  return decc_err_set(err, DECC_E_UNSUPPORTED,
                      "ledger: signed transactions need the transaction "
                      "codec (decc/tx.h), not available in this build");
}
