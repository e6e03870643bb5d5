/*
 * jsnum.c — JavaScript's number ↔ text conversions, needed where decc must
 * agree with the deserializer (legacy "number" values are decoded with
 * Number(text)) and wherever decc prints a number the way a JS tool would.
 *
 * Number::toString: the shortest decimal digits that round-trip (found by
 * trying 1..17 significant digits with correctly rounded printf), laid out
 * by the ECMAScript rules (plain notation for exponents in [-7, 21)).
 * StringToNumber: trim JS whitespace, then "", Infinity, 0x/0o/0b integers
 * or a decimal literal; anything else is NaN. Radix literals are rounded
 * through a hex string so strtod performs the one correct rounding.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "protect_int.h"

char *decc_js_number_to_string(char out[32], double d) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  if (isnan(d)) {
    strcpy(out, "NaN");
    return out;
  }
  if (isinf(d)) {
    strcpy(out, d < 0 ? "-Infinity" : "Infinity");
    return out;
  }
  if (d == 0) {
    strcpy(out, "0");
    return out;
  }
  char tmp[40];
  int p;
  for (p = 1; p <= 17; p++) {
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
    if (strtod(tmp, NULL) == d)
      break;
  }
  /* tmp = [-]D[.DDD]e[+-]XX → digits and exponent */
  const char *s = tmp;
  int neg = *s == '-';
  if (neg)
    s++;
  char digits[20];
  int k = 0;
  for (; *s && *s != 'e'; s++)
    if (*s != '.')
      digits[k++] = *s;
  while (k > 1 && digits[k - 1] == '0')
    k--;
  digits[k] = 0;
  int e = atoi(s + 1);
  int n = e + 1; /* position of the decimal point */
  char *o = out;
  if (neg)
    *o++ = '-';
  if (k <= n && n <= 21) {
    memcpy(o, digits, (size_t)k);
    o += k;
    for (int i = 0; i < n - k; i++)
      *o++ = '0';
  } else if (0 < n && n <= 21) {
    memcpy(o, digits, (size_t)n);
    o += n;
    *o++ = '.';
    memcpy(o, digits + n, (size_t)(k - n));
    o += k - n;
  } else if (-6 < n && n <= 0) {
    *o++ = '0';
    *o++ = '.';
    for (int i = 0; i < -n; i++)
      *o++ = '0';
    memcpy(o, digits, (size_t)k);
    o += k;
  } else {
    *o++ = digits[0];
    if (k > 1) {
      *o++ = '.';
      memcpy(o, digits + 1, (size_t)(k - 1));
      o += k - 1;
    }
    o += snprintf(o, 8, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
  }
  *o = 0;
  return out;
}

/* Length of the JS WhiteSpace/LineTerminator sequence at s (0 if none). */
static size_t js_space(const uint8_t *s, size_t n) {
  if (!n)
    return 0;
  uint8_t c = s[0];
  if (c == 9 || c == 10 || c == 11 || c == 12 || c == 13 || c == 32)
    return 1;
  if (n >= 2 && c == 0xC2 && s[1] == 0xA0)
    return 2; /* U+00A0 */
  if (n < 3)
    return 0;
  uint32_t cp = 0;
  if ((c & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80)
    cp = (uint32_t)(c & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
         (s[2] & 0x3F);
  if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
      cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 ||
      cp == 0xFEFF)
    return 3;
  return 0;
}

static size_t js_space_back(const uint8_t *s, size_t n) {
  for (size_t k = 1; k <= 3 && k <= n; k++)
    if (js_space(s + n - k, k) == k)
      return k;
  return 0;
}

static double radix_value(const char *d, size_t n, int bits) {
  /* Re-express the digits in hex so strtod rounds once, correctly. */
  size_t total = n * (size_t)bits;
  char *hex = decc_malloc(total / 4 + 8);
  if (!hex)
    return NAN;
  size_t lead = (4 - total % 4) % 4; /* pad to a whole hex digit */
  size_t o = 0;
  hex[o++] = '0';
  hex[o++] = 'x';
  unsigned acc = 0, nb = (unsigned)lead;
  for (size_t i = 0; i < n; i++) {
    unsigned v =
        (unsigned)(d[i] <= '9' ? d[i] - '0' : (d[i] | 0x20) - 'a' + 10);
    for (int b = bits - 1; b >= 0; b--) {
      acc = acc << 1 | ((v >> b) & 1);
      if (++nb == 4) {
        hex[o++] = "0123456789abcdef"[acc];
        acc = 0;
        nb = 0;
      }
    }
  }
  hex[o] = 0;
  double r = strtod(hex, NULL);
  decc_free(hex);
  return r;
}

double decc_js_string_to_number(const char *text, size_t len) {
  DECC_ARG_CHECK_RET(text != NULL || len == 0, NAN);
  const uint8_t *s = (const uint8_t *)text;
  size_t k;
  while ((k = js_space(s, len)) > 0) {
    s += k;
    len -= k;
  }
  while ((k = js_space_back(s, len)) > 0)
    len -= k;
  if (len == 0)
    return 0.0;
  const char *t = (const char *)s;
  if (len == 8 && !memcmp(t, "Infinity", 8))
    return INFINITY;
  if (len == 9 && !memcmp(t, "+Infinity", 9))
    return INFINITY;
  if (len == 9 && !memcmp(t, "-Infinity", 9))
    return -INFINITY;
  if (len > 2 && t[0] == '0') {
    int bits = (t[1] | 0x20) == 'x'   ? 4
               : (t[1] | 0x20) == 'o' ? 3
               : (t[1] | 0x20) == 'b' ? 1
                                      : 0;
    if (bits) {
      for (size_t i = 2; i < len; i++) {
        char c = t[i];
        int ok = bits == 4   ? ((c >= '0' && c <= '9') ||
                              ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
                 : bits == 3 ? (c >= '0' && c <= '7')
                             : (c == '0' || c == '1');
        if (!ok)
          return NAN;
      }
      return radix_value(t + 2, len - 2, bits);
    }
  }
  /* StrDecimalLiteral: [+-] (D+ [. D*] | . D+) [(e|E) [+-] D+] */
  size_t i = 0, digits = 0;
  if (t[i] == '+' || t[i] == '-')
    i++;
  while (i < len && t[i] >= '0' && t[i] <= '9') {
    i++;
    digits++;
  }
  if (i < len && t[i] == '.') {
    i++;
    while (i < len && t[i] >= '0' && t[i] <= '9') {
      i++;
      digits++;
    }
  }
  if (!digits)
    return NAN;
  if (i < len && (t[i] == 'e' || t[i] == 'E')) {
    i++;
    if (i < len && (t[i] == '+' || t[i] == '-'))
      i++;
    size_t ed = 0;
    while (i < len && t[i] >= '0' && t[i] <= '9') {
      i++;
      ed++;
    }
    if (!ed)
      return NAN;
  }
  if (i != len)
    return NAN;
  char *copy = decc_strndup(t, len);
  if (!copy)
    return NAN;
  double r = strtod(copy, NULL);
  decc_free(copy);
  return r;
}
