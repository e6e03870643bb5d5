/*
 * fuzz_rlp.c — libFuzzer target for the strict RLP decoder.
 *
 * Invariants checked (abort on violation): decoding never reads outside the
 * input; whatever decc_rlp_decode accepts is canonical, so re-encoding the
 * decoded tree with decc_rlp_enc must give back exactly the input; the
 * integer getters agree with each other.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/rlp.h"
#include "fuzz.h"

static int reencode(decc_rlp_enc *e, const decc_rlp_item *it, int depth) {
  if (!it->is_list) {
    uint64_t v;
    decc_u256 w;
    decc_status a = decc_rlp_item_get_u64(it, &v);
    decc_status b = decc_rlp_item_get_u256(it, &w);
    if (a == DECC_OK &&
        (b != DECC_OK || w.w[0] != v || w.w[1] || w.w[2] || w.w[3]))
      abort();
    return decc_rlp_enc_push_bytes(e, it->data, it->len) == DECC_OK;
  }
  if (depth > DECC_RLP_MAX_DEPTH)
    abort(); /* validate must have refused this */
  if (decc_rlp_enc_begin_list(e))
    return 0;
  decc_rlp_iter iter;
  if (decc_rlp_iter_init(&iter, it))
    abort();
  decc_rlp_item k;
  decc_status st;
  while ((st = decc_rlp_iter_next(&iter, &k, NULL)) == DECC_OK)
    if (!reencode(e, &k, depth + 1))
      return 0;
  if (st != DECC_E_NOT_FOUND)
    abort(); /* validated children cannot fail */
  return decc_rlp_enc_end_list(e) == DECC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  decc_rlp_item it;
  size_t used;
  if (decc_rlp_decode_item(&it, &used, data, size, NULL) == DECC_OK &&
      (used > size || it.raw != data))
    abort();
  if (decc_rlp_decode(&it, data, size, NULL) != DECC_OK)
    return 0;
  decc_rlp_enc e;
  decc_rlp_enc_init(&e, 0);
  if (reencode(&e, &it, 1)) {
    decc_buf out;
    decc_buf_init(&out, 0);
    if (decc_rlp_enc_finish(&e, &out) == DECC_OK &&
        (out.len != size || memcmp(out.data, data, size) != 0))
      abort();
    decc_buf_clear(&out);
  }
  decc_rlp_enc_clear(&e);
  return 0;
}
