/*
 * decc/u256.h — 256-bit unsigned integers (Solidity's uint256).
 *
 * Prices, volumes and balances are uint256 in PoCo; decc never routes them
 * through double. Arithmetic reports overflow instead of wrapping (PoCo
 * uses checked arithmetic, so an overflow is a revert there too).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL"); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL or 0 when it returns a pointer or a number; a void
 * function returns at once) without touching anything. decc_u256_parse
 * treats a NULL s as missing input (DECC_E_PARSE), not as misuse.
 */
#ifndef DECC_U256_H
#define DECC_U256_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Little-endian 64-bit limbs: value = w[0] + w[1]·2^64 + … */
typedef struct decc_u256 {
  uint64_t w[4];
} decc_u256;

/* Longest decimal text of a uint256 (78 digits) plus NUL. */
#define DECC_U256_DEC_LEN 79

DECC_API decc_u256 decc_u256_from_u64(uint64_t v);
/* Returns: 1 if v fits in 64 bits (and stores it in *out; out may be NULL
 * to only test), 0 otherwise. */
DECC_API int decc_u256_to_u64(uint64_t *out, const decc_u256 *v);
DECC_API int decc_u256_is_zero(const decc_u256 *v);
/* Returns: -1, 0 or 1. */
DECC_API int decc_u256_cmp(const decc_u256 *a, const decc_u256 *b);

/* 32-byte big-endian (ABI) form. */
DECC_API void decc_u256_from_be(decc_u256 *out, const uint8_t in32[32]);
DECC_API void decc_u256_to_be(uint8_t out32[32], const decc_u256 *v);

/* Parses decimal digits, or hex with a 0x prefix. No sign, no spaces, no
 * exponent; leading zeros allowed.
 * Returns: DECC_OK; DECC_E_PARSE (s NULL or empty, a bad character);
 * DECC_E_RANGE
 * (≥ 2^256). */
DECC_API decc_status decc_u256_parse(decc_u256 *out,
                                     const char *s) DECC_WARN_UNUSED;
/* Writes the decimal form into out (DECC_U256_DEC_LEN bytes). Returns out. */
DECC_API char *decc_u256_to_dec(char out[DECC_U256_DEC_LEN],
                                const decc_u256 *v);
/* Longest "0x"-prefixed hex text of a uint256 (2 + 64 digits) plus NUL. */
#define DECC_U256_HEX_LEN 67

/* Writes the minimal lowercase hex form with a 0x prefix ("0x0" for zero,
 * no leading zeros: the JSON-RPC QUANTITY form). Returns out. */
DECC_API char *decc_u256_to_hex(char out[DECC_U256_HEX_LEN],
                                const decc_u256 *v);

/* Checked arithmetic. Returns: DECC_OK or DECC_E_RANGE on overflow /
 * underflow / division by zero; *out is unspecified on error. out may
 * alias an input. */
DECC_API decc_status decc_u256_add(decc_u256 *out, const decc_u256 *a,
                                   const decc_u256 *b) DECC_WARN_UNUSED;
DECC_API decc_status decc_u256_sub(decc_u256 *out, const decc_u256 *a,
                                   const decc_u256 *b) DECC_WARN_UNUSED;
DECC_API decc_status decc_u256_mul(decc_u256 *out, const decc_u256 *a,
                                   const decc_u256 *b) DECC_WARN_UNUSED;
/* Floor division; quot and rem are optional (may be NULL): each receives
 * the quotient / remainder when given. */
DECC_API decc_status decc_u256_div(decc_u256 *quot, decc_u256 *rem,
                                   const decc_u256 *a,
                                   const decc_u256 *b) DECC_WARN_UNUSED;
/* floor(a·b / d) with a 512-bit intermediate (OpenZeppelin Math.mulDiv).
 * Returns DECC_E_RANGE if d == 0 or the result overflows. */
DECC_API decc_status decc_u256_muldiv(decc_u256 *out, const decc_u256 *a,
                                      const decc_u256 *b,
                                      const decc_u256 *d) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_U256_H */
