/*
 * tag.c — iExec tags: bytes32 bitmaps of the features an order requires or
 * offers (iexec-protocol.md §1.6). Bit 0 is the least significant bit of
 * byte 31; the SDK's TAG_MAP names bits 0 (tee), 1 (scone), 2 (gramine),
 * 3 (tdx) and 8 (gpu). Parsing accepts the two spellings the SDK accepts:
 * hex ("0x…", at most 32 bytes, left-padded) or a comma-separated list of
 * names.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/order.h"

static const struct {
  const char *name;
  unsigned bit;
} TAG_NAMES[] = {
    {"tee", 0}, {"scone", 1}, {"gramine", 2}, {"tdx", 3}, {"gpu", 8}};
#define NTAGS (sizeof TAG_NAMES / sizeof TAG_NAMES[0])

void decc_tag_from_bits(uint8_t tag32[32], uint64_t bits) {
  DECC_ARG_CHECK_VOID(tag32 != NULL);
  memset(tag32, 0, 32);
  for (int i = 0; i < 8; i++)
    tag32[31 - i] = (uint8_t)(bits >> (8 * i));
}

int decc_tag_has(const uint8_t tag32[32], unsigned bit) {
  DECC_ARG_CHECK_RET(tag32 != NULL, 0);
  if (bit >= 256)
    return 0;
  return (tag32[31 - bit / 8] >> (bit % 8)) & 1;
}

const char *decc_tag_bit_name(unsigned bit) {
  for (size_t i = 0; i < NTAGS; i++)
    if (TAG_NAMES[i].bit == bit)
      return TAG_NAMES[i].name;
  return NULL;
}

decc_status decc_tag_parse(uint8_t tag32[32], const char *s, decc_err *err) {
  DECC_ARG_CHECK(tag32 != NULL);
  memset(tag32, 0, 32);
  if (!s)
    return decc_err_set(err, DECC_E_PARSE, "tag missing");
  size_t len = strlen(s);
  if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    /* A hex number of 1..64 digits, right-aligned in the 32 bytes. */
    size_t nd = len - 2;
    if (nd == 0 || nd > 64)
      return decc_err_set(err, DECC_E_PARSE,
                          "invalid tag '%.80s': expected 1 to 64 hex digits",
                          s);
    /* Core's decoder takes whole bytes: an odd count gets a leading 0 so
     * the number stays right-aligned. The "0x" is kept in front of the
     * digits so that the decoder strips exactly that prefix and a second
     * one among the digits ("0x0x12") is refused as non-hex, as before. */
    char buf[2 + 1 + 64];
    size_t k = 0;
    buf[k++] = '0';
    buf[k++] = 'x';
    if (nd % 2)
      buf[k++] = '0';
    memcpy(buf + k, s + 2, nd);
    k += nd;
    size_t nb = (k - 2) / 2;
    if (decc_hex_decode(tag32 + 32 - nb, nb, NULL, buf, k) != DECC_OK) {
      memset(tag32, 0, 32);
      return decc_err_set(err, DECC_E_PARSE,
                          "invalid tag '%.80s': not hexadecimal", s);
    }
    return DECC_OK;
  }
  /* Comma-separated names; surrounding spaces tolerated. */
  const char *p = s;
  if (len == 0)
    return decc_err_set(err, DECC_E_PARSE,
                        "empty tag: give 0x… hex or names like tee,tdx");
  for (;;) {
    while (*p == ' ')
      p++;
    const char *e = p;
    while (*e && *e != ',')
      e++;
    const char *q = e;
    while (q > p && q[-1] == ' ')
      q--;
    size_t n = (size_t)(q - p);
    int found = 0;
    for (size_t i = 0; i < NTAGS; i++)
      if (strlen(TAG_NAMES[i].name) == n && !memcmp(TAG_NAMES[i].name, p, n)) {
        tag32[31 - TAG_NAMES[i].bit / 8] |=
            (uint8_t)(1u << (TAG_NAMES[i].bit % 8));
        found = 1;
      }
    if (!found) {
      memset(tag32, 0, 32);
      return decc_err_set(
          err, DECC_E_PARSE,
          "unknown tag '%.*s' (known: tee, scone, gramine, tdx, "
          "gpu)",
          (int)(n > 40 ? 40 : n), p);
    }
    if (!*e)
      break;
    p = e + 1;
  }
  return DECC_OK;
}

decc_status decc_tag_to_names(char *out, size_t cap, const uint8_t tag32[32],
                              decc_err *err) {
  DECC_ARG_CHECK(out != NULL || cap == 0);
  DECC_ARG_CHECK(tag32 != NULL);
  if (!cap)
    return decc_err_set(err, DECC_E_RANGE, "tag names: no room");
  size_t n = 0;
  out[0] = 0;
  for (unsigned bit = 0; bit < 256; bit++) {
    if (!decc_tag_has(tag32, bit))
      continue;
    const char *name = decc_tag_bit_name(bit);
    if (!name) {
      out[0] = 0;
      return decc_err_set(err, DECC_E_PARSE, "unknown bit %u in tag", bit);
    }
    size_t l = strlen(name);
    if (n + (n ? 1 : 0) + l + 1 > cap) {
      out[0] = 0;
      return decc_err_set(err, DECC_E_RANGE, "tag names: buffer too small");
    }
    if (n)
      out[n++] = ',';
    memcpy(out + n, name, l + 1);
    n += l;
  }
  return DECC_OK;
}
