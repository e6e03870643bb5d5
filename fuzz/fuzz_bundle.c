/*
 * fuzz_bundle.c — libFuzzer target for the provenance bundle reader
 * (decc_prov_from_json), the input `decc verify` takes from anyone. An
 * accepted bundle must serialise, parse back and serialise to the same
 * text (a round-trip failure traps), and verifying it must not crash
 * whatever it claims. The result-zip digest reader is fed the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/provenance.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  decc_prov_bundle b;
  decc_err err;
  decc_err_clear(&err);
  uint8_t d[32];
  decc_status zs = decc_prov_zip_result_digest(d, data, size, &err);
  (void)zs; /* any answer is fine: only a crash or a leak is a finding */
  if (decc_prov_from_json(&b, (const char *)data, size, &err) != DECC_OK)
    return 0;
  char *j1 = NULL, *j2 = NULL;
  if (decc_prov_to_json(&j1, &b) == DECC_OK) {
    decc_prov_bundle c;
    if (decc_prov_from_json(&c, j1, strlen(j1), &err) != DECC_OK)
      __builtin_trap();
    if (decc_prov_to_json(&j2, &c) != DECC_OK || strcmp(j1, j2))
      __builtin_trap();
    decc_prov_bundle_clear(&c);
  }
  decc_prov_report *rep = decc_calloc(1, sizeof *rep);
  if (rep) {
    decc_status vs = decc_prov_verify(&b, NULL, rep, &err);
    if (vs == DECC_OK && rep->n_failed)
      __builtin_trap(); /* OK must mean nothing failed */
    decc_free(rep);
  }
  decc_free(j1);
  decc_free(j2);
  decc_prov_bundle_clear(&b);
  return 0;
}
