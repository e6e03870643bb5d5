/*
 * poco_arith.c — Solidity 0.8's checked arithmetic for the PoCo rules (an
 * overflow or a division by zero becomes the panic PoCo's contracts would
 * raise) and the 32-byte ABI words the events carry.
 */
#include <string.h>

#include "poco/poco_int.h"

/* ---- arithmetic ------------------------------------------------------------- */

decc_u256 decc__poco_u(uint64_t v) { return decc_u256_from_u64(v); }

decc_status decc__poco_add(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b) {
  if (decc_u256_add(out, a, b) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OVERFLOW);
  return DECC_OK;
}

decc_status decc__poco_sub(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b) {
  if (decc_u256_sub(out, a, b) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OVERFLOW);
  return DECC_OK;
}

decc_status decc__poco_mul(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b) {
  if (decc_u256_mul(out, a, b) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OVERFLOW);
  return DECC_OK;
}

decc_status decc__poco_div(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b) {
  if (decc_u256_is_zero(b))
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_DIV_ZERO);
  if (decc_u256_div(out, NULL, a, b) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_DIV_ZERO);
  return DECC_OK;
}

decc_status decc__poco_muldiv(decc_poco_effects *fx, decc_u256 *out,
                              const decc_u256 *a, const decc_u256 *b,
                              const decc_u256 *d) {
  if (decc_u256_is_zero(d))
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_DIV_ZERO);
  if (decc_u256_muldiv(out, a, b, d) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OVERFLOW);
  return DECC_OK;
}

/* ---- words ------------------------------------------------------------------ */

void decc__poco_word_addr(uint8_t out32[32], const decc_address *a) {
  memset(out32, 0, 12);
  memcpy(out32 + 12, a->b, 20);
}

void decc__poco_word_u256(uint8_t out32[32], const decc_u256 *v) {
  decc_u256_to_be(out32, v);
}

int decc__poco_is_zero32(const uint8_t b[32]) {
  uint8_t acc = 0;
  for (int i = 0; i < 32; i++)
    acc |= b[i];
  return acc == 0;
}
