/*
 * text.c — UTF-8 well-formedness, written once.
 *
 * Three layers need the same strict check (RFC 3629: no overlong forms, no
 * UTF-16 surrogates, nothing above U+10FFFF): EIP-712 challenges (what a
 * wallet is asked to sign must be text), protected-data string values (the
 * SDK's serializer refuses what JavaScript could not hold) and the HTTP
 * server's error bodies (quoted client bytes must stay valid JSON). A
 * disagreement between copies would let one layer accept what another
 * refuses, so there is one implementation. (The protected-data reader's
 * lossy decoder is different on purpose: it replaces, per WHATWG, instead of
 * refusing.)
 */
#include "core/internal.h"

size_t decc__utf8_seq_len(const uint8_t *p, size_t avail) {
  if (avail == 0)
    return 0;
  unsigned c = p[0];
  if (c < 0x80)
    return 1;
  size_t n;
  unsigned min;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4, min = 0x10000;
  else
    return 0; /* a continuation byte, 0xc0/0xc1 (always overlong), ≥ 0xf5 */
  if (avail < n)
    return 0;
  unsigned cp = c & (0x7fu >> n);
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3fu);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

int decc__utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t k = decc__utf8_seq_len(s + i, n - i);
    if (k == 0)
      return 0;
    i += k;
  }
  return 1;
}
