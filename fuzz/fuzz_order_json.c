/*
 * fuzz_order_json.c — libFuzzer target for the order JSON parser, the tag
 * parser and the generic EIP-712 typed-data encoder. Every input is tried
 * as each of the four order types; an accepted order must serialize, parse
 * back, and hash to the same struct hash (a round-trip failure traps).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decc/eip712.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *json = (const char *)data;
  for (int t = 0; t < 4; t++) {
    decc_order o;
    decc_err err;
    unsigned present = 0;
    if (decc_order_parse_json(&o, (decc_order_type)t, json, size, &present,
                              &err) != DECC_OK)
      continue;
    uint8_t h1[32], h2[32];
    decc_order_struct_hash(h1, &o);
    char *out = NULL;
    if (decc_order_to_json(&out, &o) == DECC_OK) {
      decc_order back;
      if (decc_order_from_json(&back, (decc_order_type)t, out, strlen(out),
                               &err) != DECC_OK)
        __builtin_trap();
      decc_order_struct_hash(h2, &back);
      if (memcmp(h1, h2, 32) != 0 || back.sign_len != o.sign_len)
        __builtin_trap();
      decc_order_clear(&back);
      decc_free(out);
    }
    decc_order_clear(&o);
  }
  uint8_t d[32], ds[32];
  decc_err err;
  decc_err_clear(&err);
  if (decc_eip712_hash_json(d, ds, json, size, &err) == DECC_OK &&
      err.code != DECC_OK)
    __builtin_trap(); /* success must not leave an error behind */
  if (size < 512) {
    char buf[512];
    memcpy(buf, data, size);
    buf[size] = 0;
    uint8_t tag[32];
    char names[128];
    if (decc_tag_parse(tag, buf, &err) == DECC_OK &&
        decc_tag_to_names(names, sizeof names, tag, &err) == DECC_OK) {
      /* Names of a parsed tag parse back to the same tag. */
      uint8_t again[32];
      if (names[0] && (decc_tag_parse(again, names, &err) != DECC_OK ||
                       memcmp(again, tag, 32) != 0))
        __builtin_trap();
    }
  }
  return 0;
}
