/*
 * fuzz_cid.c — libFuzzer target for the CID and multibase text/binary
 * parsers and the binary multiaddr decoder. Whatever parses must re-encode
 * to a form that parses back to the same CID.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/cid.h"
#include "decc/mem.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096)
    return 0;
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = 0;
  decc_cid c, back;
  char txt[DECC_CID_STR_MAX];
  if (decc_cid_parse(&c, s, NULL) == DECC_OK) {
    if (decc_cid_to_string(txt, sizeof txt, &c) != DECC_OK ||
        decc_cid_parse(&back, txt, NULL) != DECC_OK ||
        !decc_cid_equal(&c, &back))
      abort();
  }
  size_t used;
  if (decc_cid_decode(&c, &used, data, size, NULL) == DECC_OK) {
    uint8_t bin[DECC_CID_BIN_MAX];
    size_t n;
    if (used > size || decc_cid_encode(bin, sizeof bin, &n, &c) != DECC_OK ||
        decc_cid_decode(&back, NULL, bin, n, NULL) != DECC_OK ||
        !decc_cid_equal(&c, &back))
      abort();
  }
  uint8_t out[256];
  size_t n;
  (void)decc_multiaddr_from_string(out, sizeof out, &n, s, NULL);
  char *ma = NULL;
  if (decc_multiaddr_to_string(&ma, data, size, NULL) == DECC_OK) {
    if (decc_multiaddr_from_string(out, sizeof out, &n, ma, NULL) == DECC_OK &&
        (n != size || memcmp(out, data, n)))
      abort();
    decc_free(ma);
  }
  uint8_t dec[2048];
  (void)decc_base58btc_decode(dec, sizeof dec, &n, s, size);
  (void)decc_base32_decode(dec, sizeof dec, &n, s, size);
  uint64_t v;
  (void)decc_varint_decode(&v, &n, data, size);
  free(s);
  return 0;
}
