/*
 * fuzz_dcap_quote.c — libFuzzer target for the DCAP quote parser (the
 * quote is the attacker's input in every verification) and the PEM chain
 * reader it feeds.
 *
 * Invariants checked (abort on violation): a parsed quote's pointers and
 * lengths stay inside the input; the signed range is the start of the
 * input; the body kind fits the version and TEE type; the PEM reader never
 * returns an empty or oversized chain.
 */
#include <stdlib.h>
#include <string.h>

#include "dcap/dcap_int.h"
#include "fuzz.h"

static void inside(const uint8_t *base, size_t size, const uint8_t *p,
                   size_t n) {
  if (n == 0)
    return;
  if (!p || p < base || (size_t)(p - base) > size ||
      n > size - (size_t)(p - base))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  decc_dcap_quote q;
  decc_err err;
  if (decc_dcap_quote_parse(&q, data, size, &err) != DECC_OK)
    return 0;
  if (q.signed_data != data || q.signed_len > size ||
      (q.signed_len != 48 + 384 && q.signed_len != 48 + 584 &&
       q.signed_len != 54 + 384 && q.signed_len != 54 + 584 &&
       q.signed_len != 54 + 648))
    abort();
  inside(data, size, q.qe_report, 384);
  inside(data, size, q.qe_auth_data, q.qe_auth_len);
  inside(data, size, q.cert_data, q.cert_len);
  if (q.cert_type != 5 ||
      (q.tee_type == DECC_DCAP_TEE_SGX) != (q.body == DECC_DCAP_BODY_SGX))
    abort();
  /* Both PEM readers: OpenSSL's (collateral) and decc's (quotes). */
  STACK_OF(X509) *chain = decc__dcap_pem_chain(q.cert_data, q.cert_len);
  if (chain && (sk_X509_num(chain) < 1 || sk_X509_num(chain) > DCAP_MAX_CHAIN))
    abort();
  STACK_OF(X509) *mine =
      decc__dcap_pem_chain_known(q.cert_data, q.cert_len, NULL, 0);
  if (mine && (sk_X509_num(mine) < 1 || sk_X509_num(mine) > DCAP_MAX_CHAIN))
    abort();
  sk_X509_pop_free(chain, X509_free);
  sk_X509_pop_free(mine, X509_free);
  return 0;
}
