/*
 * fuzz_ledger_logs.c — libFuzzer target for the decoder of a ledger log
 * row (ldg_logs_decode, lib/ledger/logs.c): the body of a transaction's
 * logs as read back from the ledger file, which a damaged or hostile file
 * can make anything.
 *
 * Input: byte 0 = the row's log count (0-255), the rest = its body.
 * Invariant (abort on violation): a body that decodes encodes back to the
 * same bytes (ldg_logs_encode), so the decoder accepts exactly the
 * encoder's output and reads no byte twice or past the end.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "fuzz.h"
#include "ledger/ledger_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  size_t n = data[0];
  const uint8_t *body = data + 1;
  size_t len = size - 1;
  decc_log *logs = n ? calloc(n, sizeof *logs) : NULL;
  if (n && !logs)
    return 0;
  decc_status s = ldg_logs_decode(body, len, n, logs);
  if (s == DECC_OK) {
    decc_buf b;
    decc_buf_init(&b, 0);
    if (ldg_logs_encode(&b, logs, n) != DECC_OK || b.len != len ||
        (len && memcmp(b.data, body, len)))
      abort();
    decc_buf_clear(&b);
    for (size_t i = 0; i < n; i++)
      decc_free(logs[i].data);
  } else if (s != DECC_E_CORRUPT && s != DECC_E_NOMEM) {
    abort();
  }
  free(logs);
  return 0;
}
