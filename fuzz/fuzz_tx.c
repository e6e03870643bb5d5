/*
 * fuzz_tx.c — libFuzzer target for the strict transaction parser.
 *
 * Invariants (abort on violation): a parsed tx serializes back to exactly
 * the input (the parser only accepts canonical encodings); signing hash and
 * sender recovery never crash; a failed parse leaves the tx empty.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/tx.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  decc_tx tx;
  decc_tx_init(&tx);
  if (decc_tx_parse(&tx, data, size, NULL) != DECC_OK) {
    if (tx.data || tx.access_list || tx.is_signed)
      abort();
    return 0;
  }
  decc_buf out;
  decc_buf_init(&out, 0);
  if (decc_tx_serialize(&out, &tx, NULL) == DECC_OK &&
      (out.len != size || memcmp(out.data, data, size) != 0))
    abort();
  decc_buf_clear(&out);
  uint8_t h[32];
  decc_address from;
  if (decc_tx_signing_hash(h, &tx, NULL) != DECC_OK)
    abort(); /* every parsed tx has a signing payload */
  decc_status rs = decc_tx_recover(&from, &tx, NULL);
  if (rs != DECC_OK && rs != DECC_E_BAD_SIGNATURE)
    abort();
  if (decc_tx_check_chain(&tx, 1, NULL) == DECC_OK && tx.chain_id != 1)
    abort();
  decc_tx_clear(&tx);
  return 0;
}
