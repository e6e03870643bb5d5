/*
 * decc/encoding.h — hex and base64 codecs.
 *
 * Hex decoding accepts an optional "0x"/"0X" prefix and either case; hex
 * encoding emits lowercase. Base64 is RFC 4648 standard alphabet with
 * padding (what the iExec SDK uses for dataset keys). Decoders used on
 * secrets run in time independent of the byte values.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional"; a data pointer may be NULL when its length or capacity is
 * 0); a NULL one is reported to the misuse handler (decc_set_misuse_handler,
 * common.h) and the function returns DECC_E_INVALID (NULL when it returns a
 * pointer) without touching anything.
 */
#ifndef DECC_ENCODING_H
#define DECC_ENCODING_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes 2*n lowercase hex digits plus NUL to out (size >= 2*n+1), with a
 * "0x" prefix when prefix != 0 (then size >= 2*n+3). Returns out. */
DECC_API char *decc_hex_encode(char *out, const uint8_t *in, size_t n,
                               int prefix);

/* Decodes hex text `in` of length in_len (optional 0x prefix) into out.
 * Out: *out_len (optional) = bytes written.
 * Returns: DECC_OK; DECC_E_PARSE for an odd length or a non-hex character;
 * DECC_E_RANGE when the result does not fit in out_cap bytes. */
DECC_API decc_status decc_hex_decode(uint8_t *out, size_t out_cap,
                                     size_t *out_len, const char *in,
                                     size_t in_len) DECC_WARN_UNUSED;

/* Decodes a NUL-terminated hex string that must encode exactly n bytes.
 * Returns: DECC_OK; DECC_E_PARSE (bad characters); DECC_E_RANGE (wrong
 * length). err (optional) names the problem using `what`. */
DECC_API decc_status decc_hex_decode_exact(uint8_t *out, size_t n,
                                           const char *in, const char *what,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Returns: the base64 text length (without NUL) for n input bytes. */
DECC_API size_t decc_base64_encoded_len(size_t n);
/* Writes the padded base64 of in plus NUL into out (size >=
 * decc_base64_encoded_len(n)+1). Returns out. Constant-time in the data. */
DECC_API char *decc_base64_encode(char *out, const uint8_t *in, size_t n);
/* Decodes padded or unpadded standard base64 (no whitespace allowed).
 * Returns: DECC_OK; DECC_E_PARSE on a bad character/length/padding;
 * DECC_E_RANGE when out_cap is too small. Constant-time in the data. */
DECC_API decc_status decc_base64_decode(uint8_t *out, size_t out_cap,
                                        size_t *out_len, const char *in,
                                        size_t in_len) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_ENCODING_H */
