/*
 * fuzz_abi.c — libFuzzer target for the ABI type parser and decoder.
 *
 * Input layout: byte 0 selects a type list from TYPES (bit 7 set = use the
 * rest of the input, up to a NUL, as the type string itself, to fuzz the
 * type parser), byte 1 bit 0 = DECC_ABI_CANONICAL; the rest is the
 * encoding. Invariants (abort on violation): anything decoded re-encodes;
 * the re-encoding decodes canonically and re-encodes to itself.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/abi.h"
#include "fuzz.h"

static const char *const TYPES[] = {
    "uint256",
    "address,uint256",
    "bytes,bool,uint256[]",
    "uint256,uint32[],bytes10,bytes",
    "uint256[][],string[]",
    "(address,uint256,bytes,string)[]",
    "bytes3[2],int8,int256",
    "(uint8,bytes7,bool)[2][],string[2],address[3]",
    "(bytes,(string,uint256[])[]),bytes[],string[][]",
    /* matchOrders arguments */
    ("(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes),"
     "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes),"
     "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,"
     "bytes32,bytes),"
     "(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,"
     "uint256,uint256,address,address,string,bytes32,bytes)"),
    /* viewTask return */
    ("(uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,uint256,"
     "uint256,address[],bytes32,bytes,uint256,bytes)"),
};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

static void check_roundtrip(const decc_abi_type *t, const decc_abi_value *v) {
  decc_buf a, b;
  decc_buf_init(&a, 0);
  decc_buf_init(&b, 0);
  if (decc_abi_encode_value(&a, v) != DECC_OK)
    goto out; /* only allocation failures may get here */
  decc_abi_value *v2 = NULL;
  if (decc_abi_decode_type(&v2, t, a.data, a.len, DECC_ABI_CANONICAL, NULL) !=
      DECC_OK)
    abort();
  if (decc_abi_encode_value(&b, v2) != DECC_OK || b.len != a.len ||
      (a.len && memcmp(a.data, b.data, a.len)))
    abort();
  decc_abi_value_free(v2);
out:
  decc_buf_clear(&a);
  decc_buf_clear(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  decc_abi_type *t = NULL;
  const uint8_t *enc = data + 2;
  size_t n = size - 2;
  if (data[0] & 0x80) {
    /* type string from the input */
    const uint8_t *nul = memchr(enc, 0, n);
    if (!nul)
      nul = enc + n;
    size_t tl = (size_t)(nul - enc);
    char *s = malloc(tl + 1);
    if (!s)
      return 0;
    memcpy(s, enc, tl);
    s[tl] = 0;
    decc_status st = decc_abi_type_parse(&t, s, NULL);
    if (st == DECC_OK) {
      decc_buf canon;
      decc_buf_init(&canon, 0);
      if (decc_abi_type_canonical(&canon, t) == DECC_OK) {
        decc_abi_type *t2 = NULL;
        if (decc_abi_type_parse(&t2, canon.len ? (const char *)canon.data : "",
                                NULL) != DECC_OK)
          abort();
        decc_abi_type_free(t2);
      }
      decc_buf_clear(&canon);
    }
    free(s);
    if (st)
      return 0;
    enc = nul < data + size ? nul + 1 : nul;
    n = (size_t)(data + size - enc);
  } else if (decc_abi_type_parse(&t, TYPES[data[0] % NTYPES], NULL)) {
    abort();
  }
  unsigned flags = (data[1] & 1) ? DECC_ABI_CANONICAL : 0;
  decc_abi_value *v = NULL;
  if (decc_abi_decode_type(&v, t, enc, n, flags, NULL) == DECC_OK) {
    check_roundtrip(t, v);
    decc_abi_value_free(v);
  }
  decc_abi_type_free(t);
  return 0;
}
