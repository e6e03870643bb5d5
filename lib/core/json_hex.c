/*
 * json_hex.c — bytes as a JSON "0x…" string and back, written once.
 *
 * Ethereum's JSON-RPC, the receipts log, the remote scheduler's
 * assignments, the provenance bundle and every route of the node put byte
 * strings in JSON the same way: "0x" then lowercase hex (JSON-RPC's DATA
 * encoding, also used for hashes and signatures). Each of those layers used
 * to carry its own encoder and exact-length reader; a disagreement between
 * copies (one accepting what another refuses) is the bug this file removes.
 * It sits in core, the lowest layer, because jansson is linked by every
 * layer and the callers range from chain (12) to node (21).
 */
#include <jansson.h>
#include <stdint.h>
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/mem.h"

/* Most values are 32-byte hashes or 65-byte signatures: those are encoded
 * on the stack; longer ones (call data, logs) go through the heap. */
#define JSON_HEX_STACK 65

json_t *decc__json_hex(const uint8_t *p, size_t n) {
  if (!p && n)
    return NULL;
  if (n <= JSON_HEX_STACK) {
    char t[2 * JSON_HEX_STACK + 3];
    return json_string(decc_hex_encode(t, p, n, 1));
  }
  if (n > (SIZE_MAX - 3) / 2)
    return NULL;
  char *b = decc_malloc(2 * n + 3);
  if (!b)
    return NULL;
  json_t *j = json_string(decc_hex_encode(b, p, n, 1));
  decc_free(b);
  return j;
}

decc_status decc__json_hex_exact(uint8_t *out, size_t n, const json_t *v,
                                 int need_prefix) {
  const char *s = json_string_value(v);
  if (!s)
    return DECC_E_PARSE;
  /* The whole JSON string, not up to an embedded \u0000: text after a NUL
   * must not ride along unseen. */
  size_t len = json_string_length(v);
  if (strlen(s) != len)
    return DECC_E_PARSE;
  int has_prefix = len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  if (need_prefix && !has_prefix)
    return DECC_E_PARSE;
  size_t digits = has_prefix ? len - 2 : len;
  if (n > SIZE_MAX / 2 || digits != 2 * n)
    return DECC_E_RANGE;
  size_t got = 0;
  if (decc_hex_decode(out, n, &got, s, len) != DECC_OK || got != n)
    return DECC_E_PARSE;
  return DECC_OK;
}
