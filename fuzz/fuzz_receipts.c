/*
 * fuzz_receipts.c — libFuzzer target for what a receipt verifier reads
 * from outside: a receipt record (decc_rcpt_decode) and a grant policy
 * (decc_grant_policy_from_json).
 *
 * Input: byte 0 even = a record, odd = a policy JSON; the rest is the
 * input. Invariants (abort on violation): a decoded record re-encodes to
 * the same bytes and has a hash; a parsed policy re-serialises and parses
 * to the same policy hash.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/receipts.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  if (!(data[0] & 1)) {
    decc_rcpt r;
    if (decc_rcpt_decode(&r, p, n, NULL) != DECC_OK)
      return 0;
    uint8_t b[DECC_RCPT_MAX_LEN], h[32];
    size_t m = 0;
    if (decc_rcpt_encode(&r, b, sizeof b, &m) != DECC_OK || m != n ||
        memcmp(b, p, n) || decc_rcpt_hash(h, &r) != DECC_OK)
      abort();
    decc_address who;
    (void)!decc_rcpt_signer(&who, &r);
    return 0;
  }
  decc_grant_policy q, q2;
  if (decc_grant_policy_from_json(&q, (const char *)p, n, NULL) != DECC_OK)
    return 0;
  char *js = NULL;
  if (decc_grant_policy_to_json(&js, &q) != DECC_OK)
    abort();
  uint8_t h1[32], h2[32];
  if (decc_grant_policy_from_json(&q2, js, strlen(js), NULL) != DECC_OK)
    abort();
  decc_free(js);
  decc_grant_policy_hash(h1, &q);
  decc_grant_policy_hash(h2, &q2);
  if (memcmp(h1, h2, 32))
    abort();
  return 0;
}
