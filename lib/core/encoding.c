/*
 * encoding.c — hex and base64 (RFC 4648, standard alphabet, padded).
 *
 * The decoders map characters with arithmetic instead of table look-ups so
 * their timing does not depend on the (possibly secret) input bytes; the
 * only data-dependent branch is the final "was anything invalid" check.
 * The library's other hex needs live here too, so that no layer keeps its
 * own copy: the digit parser for text read character by character, the
 * uppercase encoder for Intel's identifiers, and the 0x-DATA decoder into a
 * fresh buffer (internal.h).
 */
#include "decc/encoding.h"
#include "core/internal.h"
#include "decc/mem.h"

#include <string.h>

static const char HEXDIGITS[] = "0123456789abcdef";
static const char HEXDIGITS_UPPER[] = "0123456789ABCDEF";

/* One encoder for both cases: digits is one of the two tables above. */
static char *hex_encode_with(char *out, const uint8_t *in, size_t n, int prefix,
                             const char *digits) {
  char *p = out;
  if (prefix) {
    *p++ = '0';
    *p++ = 'x';
  }
  for (size_t i = 0; i < n; i++) {
    *p++ = digits[in[i] >> 4];
    *p++ = digits[in[i] & 15];
  }
  *p = '\0';
  return out;
}

char *decc_hex_encode(char *out, const uint8_t *in, size_t n, int prefix) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(in != NULL || n == 0, NULL);
  return hex_encode_with(out, in, n, prefix, HEXDIGITS);
}

char *decc__hex_encode_upper(char *out, const uint8_t *in, size_t n) {
  return hex_encode_with(out, in, n, 0, HEXDIGITS_UPPER);
}

int decc__hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

decc_status decc__hex_decode_alloc(const char *s, uint8_t **out, size_t *len) {
  *out = NULL;
  *len = 0;
  if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
    return DECC_E_PARSE;
  size_t digits = strlen(s + 2);
  if (digits % 2)
    return DECC_E_PARSE;
  if (!digits)
    return DECC_OK;
  uint8_t *b = decc_malloc(digits / 2);
  if (!b)
    return DECC_E_NOMEM;
  size_t n;
  if (decc_hex_decode(b, digits / 2, &n, s, digits + 2) != DECC_OK) {
    decc_free(b);
    return DECC_E_PARSE;
  }
  *out = b;
  *len = n;
  return DECC_OK;
}

/* Returns the nibble value of c, or a value with bit 8 set if c is not a hex
 * digit. Branch-free. */
static unsigned hex_nibble(unsigned char c) {
  unsigned x = c;
  /* '0'..'9' */
  unsigned is_digit = ((x - '0') | ('9' - x)) >> 31 ^ 1u;
  unsigned lower = x | 0x20; /* fold case for letters */
  unsigned is_alpha = ((lower - 'a') | ('f' - lower)) >> 31 ^ 1u;
  is_digit &= 1u;
  is_alpha &= 1u;
  unsigned v = (is_digit * (x - '0')) | (is_alpha * (lower - 'a' + 10));
  unsigned bad = (is_digit | is_alpha) ^ 1u;
  return (v & 0xf) | (bad << 8);
}

decc_status decc_hex_decode(uint8_t *out, size_t out_cap, size_t *out_len,
                            const char *in, size_t in_len) {
  DECC_ARG_CHECK(out != NULL || out_cap == 0);
  DECC_ARG_CHECK(in != NULL || in_len == 0);
  if (in_len >= 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X')) {
    in += 2;
    in_len -= 2;
  }
  if (out_len)
    *out_len = 0;
  if (in_len % 2)
    return DECC_E_PARSE;
  size_t n = in_len / 2;
  if (n > out_cap)
    return DECC_E_RANGE;
  unsigned bad = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned hi = hex_nibble((unsigned char)in[2 * i]);
    unsigned lo = hex_nibble((unsigned char)in[2 * i + 1]);
    bad |= (hi | lo) & 0x100;
    out[i] = (uint8_t)(((hi & 0xf) << 4) | (lo & 0xf));
  }
  if (bad) {
    memset(out, 0, n);
    return DECC_E_PARSE;
  }
  if (out_len)
    *out_len = n;
  return DECC_OK;
}

decc_status decc_hex_decode_exact(uint8_t *out, size_t n, const char *in,
                                  const char *what, decc_err *err) {
  DECC_ARG_CHECK(out != NULL || n == 0);
  DECC_ARG_CHECK(in != NULL);
  if (!what)
    what = "value";
  if (!in)
    return decc_err_set(err, DECC_E_INVALID, "%s: missing", what);
  size_t len = strlen(in);
  size_t digits = len;
  if (len >= 2 && in[0] == '0' && (in[1] == 'x' || in[1] == 'X'))
    digits -= 2;
  if (digits != 2 * n)
    return decc_err_set(err, DECC_E_RANGE,
                        "%s: expected %zu hex digits, got %zu", what, 2 * n,
                        digits);
  size_t got = 0;
  decc_status st = decc_hex_decode(out, n, &got, in, len);
  if (st)
    return decc_err_set(err, DECC_E_PARSE, "%s: not valid hex", what);
  return DECC_OK;
}

size_t decc_base64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

/* Branch-free mapping of a 6-bit value to its base64 character, so the
 * encoding of a key does not leak through table look-ups. */
static char b64_char(unsigned v) {
  int x = (int)v;
  int c = x + 'A';
  c += ((25 - x) >> 8) & 6;  /* 26..51 -> 'a'.. */
  c -= ((51 - x) >> 8) & 75; /* 52..61 -> '0'.. */
  c -= ((61 - x) >> 8) & 15; /* 62 -> '+' */
  c += ((62 - x) >> 8) & 3;  /* 63 -> '/' */
  return (char)c;
}

char *decc_base64_encode(char *out, const uint8_t *in, size_t n) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(in != NULL || n == 0, NULL);
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    size_t rem = n - i;
    unsigned b0 = in[i];
    unsigned b1 = rem > 1 ? in[i + 1] : 0;
    unsigned b2 = rem > 2 ? in[i + 2] : 0;
    out[o++] = b64_char(b0 >> 2);
    out[o++] = b64_char(((b0 & 3) << 4) | (b1 >> 4));
    out[o++] = rem > 1 ? b64_char(((b1 & 15) << 2) | (b2 >> 6)) : '=';
    out[o++] = rem > 2 ? b64_char(b2 & 63) : '=';
  }
  out[o] = '\0';
  return out;
}

/* Returns the 6-bit value of c, or 0x100 set for an invalid character.
 * Branch-free. */
static unsigned b64_val(unsigned char ch) {
  int c = ch;
  unsigned ret = 0x100;
  /* each term is -1 (all ones) when c is in range, 0 otherwise */
  int in_upper = ((('A' - 1) - c) & (c - ('Z' + 1))) >> 8;
  int in_lower = ((('a' - 1) - c) & (c - ('z' + 1))) >> 8;
  int in_digit = ((('0' - 1) - c) & (c - ('9' + 1))) >> 8;
  int is_plus = (((c ^ '+') - 1) >> 8);
  int is_slash = (((c ^ '/') - 1) >> 8);
  unsigned v = 0;
  v |= (unsigned)(in_upper & (c - 'A'));
  v |= (unsigned)(in_lower & (c - 'a' + 26));
  v |= (unsigned)(in_digit & (c - '0' + 52));
  v |= (unsigned)(is_plus & 62);
  v |= (unsigned)(is_slash & 63);
  int any = in_upper | in_lower | in_digit | is_plus | is_slash;
  ret &= (unsigned)~any;
  return (v & 63) | ret;
}

decc_status decc_base64_decode(uint8_t *out, size_t out_cap, size_t *out_len,
                               const char *in, size_t in_len) {
  DECC_ARG_CHECK(out != NULL || out_cap == 0);
  DECC_ARG_CHECK(in != NULL || in_len == 0);
  if (out_len)
    *out_len = 0;
  /* strip padding (at most two '=') */
  size_t pad = 0;
  while (in_len > 0 && in[in_len - 1] == '=' && pad < 2) {
    in_len--;
    pad++;
  }
  if (pad && (in_len + pad) % 4)
    return DECC_E_PARSE;
  if (in_len % 4 == 1)
    return DECC_E_PARSE;
  size_t n = in_len / 4 * 3 + (in_len % 4 ? in_len % 4 - 1 : 0);
  if (n > out_cap)
    return DECC_E_RANGE;
  unsigned bad = 0;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < in_len; i++) {
    unsigned v = b64_val((unsigned char)in[i]);
    bad |= v & 0x100;
    acc = (acc << 6) | (v & 63);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  /* Leftover bits must be zero for a canonical encoding. */
  if (bits && (acc & ((1u << bits) - 1)))
    bad |= 0x100;
  if (bad) {
    memset(out, 0, o);
    return DECC_E_PARSE;
  }
  if (out_len)
    *out_len = o;
  return DECC_OK;
}
