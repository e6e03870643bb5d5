/*
 * sms_bulk.c — what the SMS reads and checks for a bulk processing task
 * (PoCo 6.1 / iexec-sms "bulk processing", docs/internals/bulk.md): the
 * deal's params carry `bulk_cid`, the CID of a JSON array of slice CIDs;
 * slice i (i = the task's index in the deal's request, its botIndex) is a
 * JSON array of signed dataset orders. Each order is judged on its own
 * (dataset registered, PoCo's assertDatasetDealCompatibility against the
 * deal, volume ≥ 2^53 - 2 as iexec-sms requires); build_session (sms.c)
 * releases the keys of the compatible ones only.
 *
 * Everything read here comes from the requester (the CIDs) or from IPFS:
 * sizes and counts are bounded before anything is parsed.
 */
#include <jansson.h>
#include <string.h>

#include "decc/buf.h"
#include "decc/cid.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/store.h"
#include "decc/u256.h"
#include "sms/sms_int.h"

/* A bulk root or slice file larger than this is refused. */
#define BULK_FILE_MAX (1u << 20)
/* Kubo fetch timeout (seconds). */
#define BULK_FETCH_TIMEOUT_S 30

typedef struct sink {
  decc_buf *b;
} sink;

static decc_status sink_write(void *ud, const uint8_t *p, size_t n,
                              decc_err *err) {
  sink *s = ud;
  if (s->b->len + n > BULK_FILE_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "file larger than %u bytes",
                        BULK_FILE_MAX);
  return decc_buf_append(s->b, p, n);
}

/* Reads a whole file through the exporter into w, at most 64 KiB at a
 * time as decc_store_cat does. get's blocks need not be verified: the
 * exporter re-hashes every block against the CID that named it, so a
 * source that lies yields an error naming the block, never wrong bytes. */
static decc_status read_file(decc_block_get_fn get, void *get_ud,
                             const decc_cid *cid, sink *w, decc_err *err) {
  decc_exporter *ex;
  decc_status st =
      decc_exporter_create(&ex, get, get_ud, cid, 0, UINT64_MAX, err);
  if (st)
    return st;
  /* The root's size (checked against the blocks as they are read: a lie
   * is an error naming the block) sizes the copy buffer and reserves the
   * whole file in w at once: a bulk root is a few hundred bytes, and a
   * fresh 64 KiB buffer for it, then a buffer grown by doubling, were most
   * of the bytes a load allocated. The limit is still sink_write's, on
   * the bytes actually read. */
  uint64_t size = decc_exporter_file_size(ex);
  size_t piece = size < (1u << 16) ? (size ? (size_t)size : 1) : 1u << 16;
  uint8_t *buf = decc_malloc(piece);
  if (!buf || (size <= BULK_FILE_MAX && decc_buf_reserve(w->b, (size_t)size))) {
    decc_free(buf);
    decc_exporter_destroy(ex);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  for (;;) {
    size_t got;
    st = decc_exporter_read(ex, buf, piece, &got, err);
    if (st || got == 0)
      break;
    if ((st = sink_write(w, buf, got, err)))
      break;
  }
  decc_free(buf);
  decc_exporter_destroy(ex);
  return st;
}

/* Reads a whole IPFS file (bounded) into b: from get's blocks when there
 * is a block source, else from the Kubo RPC at api_url. */
static decc_status fetch(decc_block_get_fn get, void *get_ud,
                         const char *api_url, const char *cid_text, decc_buf *b,
                         decc_err *err) {
  decc_cid cid;
  const char *c = cid_text;
  if (!strncmp(c, "/ipfs/", 6))
    c += 6;
  else if (!strncmp(c, "ipfs://", 7))
    c += 7;
  if (decc_cid_parse(&cid, c, NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE, "'%.80s' is not a CID", cid_text);
  decc_buf_init(b, BULK_FILE_MAX + 1);
  sink s = {b};
  decc_status st;
  if (get)
    st = read_file(get, get_ud, &cid, &s, err);
  else if (api_url)
    st = decc_kubo_cat(api_url, &cid, 1, sink_write, &s, BULK_FETCH_TIMEOUT_S,
                       err);
  else
    st = decc_err_set(err, DECC_E_UNSUPPORTED, "no content store configured");
  if (st)
    decc_buf_clear(b);
  return st;
}

void decc__sms_bulk_free(decc__sms_bulk_item *items, size_t n) {
  if (!items)
    return;
  for (size_t i = 0; i < n; i++)
    decc_order_clear(&items[i].order);
  decc_free(items);
}

decc_status decc__sms_bulk_load(decc_block_get_fn get, void *get_ud,
                                const char *api_url, const char *bulk_cid,
                                uint64_t slice_index,
                                decc__sms_bulk_item **items, size_t *n,
                                decc_err *err) {
  *items = NULL;
  *n = 0;
  decc_buf b;
  json_error_t je;
  decc_err e2;
  decc_status st = fetch(get, get_ud, api_url, bulk_cid, &b, &e2);
  if (st)
    return decc_err_set(err, st, "bulk root %.80s: %s", bulk_cid, e2.msg);
  json_t *root = json_loadb((const char *)b.data, b.len, 0, &je);
  decc_buf_clear(&b);
  if (!json_is_array(root)) {
    json_decref(root);
    return decc_err_set(err, DECC_E_PARSE,
                        "bulk root %.80s is not a JSON array of slice CIDs",
                        bulk_cid);
  }
  if (slice_index >= json_array_size(root)) {
    size_t k = json_array_size(root);
    json_decref(root);
    return decc_err_set(err, DECC_E_INVALID,
                        "task index %llu has no slice in bulk root %.80s "
                        "(%zu slices)",
                        (unsigned long long)slice_index, bulk_cid, k);
  }
  json_t *sc = json_array_get(root, (size_t)slice_index);
  if (!json_is_string(sc)) {
    json_decref(root);
    return decc_err_set(err, DECC_E_PARSE,
                        "slice %llu of bulk root %.80s is not a CID string",
                        (unsigned long long)slice_index, bulk_cid);
  }
  char slice_cid[DECC_CID_STR_MAX];
  snprintf(slice_cid, sizeof slice_cid, "%s", json_string_value(sc));
  json_decref(root);
  if ((st = fetch(get, get_ud, api_url, slice_cid, &b, &e2)))
    return decc_err_set(err, st, "bulk slice %s: %s", slice_cid, e2.msg);
  json_t *arr = json_loadb((const char *)b.data, b.len, 0, &je);
  decc_buf_clear(&b);
  if (!json_is_array(arr) || json_array_size(arr) == 0 ||
      json_array_size(arr) > DECC_SMS_BULK_SLICE_MAX) {
    json_decref(arr);
    return decc_err_set(err, DECC_E_PARSE,
                        "bulk slice %s is not a JSON array of 1..%d dataset "
                        "orders",
                        slice_cid, DECC_SMS_BULK_SLICE_MAX);
  }
  size_t k = json_array_size(arr);
  decc__sms_bulk_item *it = decc_calloc(k, sizeof *it);
  if (!it) {
    json_decref(arr);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < k; i++) {
    char *txt = json_dumps(json_array_get(arr, i), JSON_COMPACT);
    st = txt ? decc_order_from_json(&it[i].order, DECC_ORDER_DATASET, txt,
                                    strlen(txt), &e2)
             : DECC_E_NOMEM;
    free(txt);
    if (st) {
      json_decref(arr);
      decc__sms_bulk_free(it, i);
      return decc_err_set(err, st,
                          "bulk slice %s: entry %zu is not a dataset order "
                          "(%s)",
                          slice_cid, i + 1,
                          st == DECC_E_NOMEM ? "no memory" : e2.msg);
    }
  }
  json_decref(arr);
  *items = it;
  *n = k;
  return DECC_OK;
}

/* 2^53 - 2: the least dataset order volume iexec-sms accepts for bulk
 * (BULK_DATASET_VOLUME; the SDK's DATASET_INFINITE_VOLUME is 2^53 - 1). */
#define BULK_MIN_VOLUME 9007199254740990ull

void decc__sms_bulk_check(const decc_sms_chain_view *cv,
                          decc__sms_bulk_item *it, const uint8_t deal[32]) {
  decc_err e2;
  decc_err_clear(&e2);
  it->ok = 0;
  decc_sms_asset a;
  memset(&a, 0, sizeof a);
  decc_status st = cv->dataset(cv->ctx, &it->order.u.dataset.dataset, &a, &e2);
  decc_sms_asset_clear(&a);
  if (st) {
    snprintf(it->reason, sizeof it->reason,
             "not a dataset on this chain (%.120s)", e2.msg);
    return;
  }
  if (!cv->dataset_order_compatible) {
    snprintf(it->reason, sizeof it->reason,
             "this SMS's chain view cannot check dataset orders against the "
             "deal");
    return;
  }
  decc_err_clear(&e2);
  st = cv->dataset_order_compatible(cv->ctx, &it->order, deal, &e2);
  if (st) {
    snprintf(it->reason, sizeof it->reason, "%.190s",
             e2.msg[0] ? e2.msg : decc_strerror(st));
    return;
  }
  decc_u256 min = decc_u256_from_u64(BULK_MIN_VOLUME);
  if (decc_u256_cmp(&it->order.u.dataset.volume, &min) < 0) {
    char v[DECC_U256_DEC_LEN];
    decc_u256_to_dec(v, &it->order.u.dataset.volume);
    snprintf(it->reason, sizeof it->reason,
             "dataset order volume %s is invalid for bulk processing (a bulk "
             "grant has volume 9007199254740991 and price 0)",
             v);
    return;
  }
  it->ok = 1;
}
