/*
 * test_sms_bulk_source.c — the bulk loader's block source
 * (decc__sms_bulk_load's get function + context, sms_int.h): the SMS
 * passes decc_blockstore_get and its store, the fuzz target an in-memory
 * map. Whatever the source, the loader must read the same orders, refuse a
 * missing block with the same status and message as from the store, refuse
 * a source that returns other bytes than a block's CID names (the exporter
 * re-hashes every block), and apply the same 1 MiB limit to multi-block
 * files.
 */
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/order.h"
#include "decc/store.h"
#include "decc/u256.h"
#include "sms/sms_int.h"
#include "test.h"

/* ---- an in-memory block source ------------------------------------------ */

#define MAP_MAX 64

typedef struct mapblk {
  decc_cid cid;
  uint8_t *bytes;
  size_t n;
} mapblk;

typedef struct blockmap {
  mapblk v[MAP_MAX];
  size_t n;
  int lie; /* 1: every block is returned with its last byte flipped */
  decc_blockstore *bs; /* when set, put also stores the block there */
} blockmap;

static decc_status map_put(void *ud, const decc_cid *cid, const uint8_t *block,
                           size_t n, decc_err *err) {
  blockmap *m = ud;
  if (m->n == MAP_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "test map full");
  uint8_t *p = malloc(n ? n : 1);
  if (!p)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  memcpy(p, block, n);
  m->v[m->n++] = (mapblk){*cid, p, n};
  return m->bs ? decc_blockstore_put(m->bs, cid, block, n, err) : DECC_OK;
}

static decc_status map_get(void *ud, const decc_cid *cid, uint8_t **block,
                           size_t *n, decc_err *err) {
  blockmap *m = ud;
  for (size_t i = 0; i < m->n; i++) {
    if (m->v[i].cid.mh_len != cid->mh_len ||
        memcmp(m->v[i].cid.mh, cid->mh, cid->mh_len))
      continue;
    uint8_t *p = decc_malloc(m->v[i].n ? m->v[i].n : 1);
    if (!p)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    memcpy(p, m->v[i].bytes, m->v[i].n);
    if (m->lie && m->v[i].n)
      p[m->v[i].n - 1] ^= 1;
    *block = p;
    *n = m->v[i].n;
    return DECC_OK;
  }
  /* the store's wording, so that the two sources can be compared */
  char s[DECC_CID_STR_MAX];
  decc_cid_to_string(s, sizeof s, cid);
  return decc_err_set(err, DECC_E_NOT_FOUND, "block %s: not found", s);
}

static void map_free(blockmap *m) {
  for (size_t i = 0; i < m->n; i++)
    free(m->v[i].bytes);
  m->n = 0;
}

/* Imports text (chunk bytes per leaf) into m and, when m->bs is set, the
 * store; put = 0 only computes the CID. Out: cid text. */
static int add(blockmap *m, const char *text, size_t chunk, int put,
               char cid[DECC_CID_STR_MAX]) {
  decc_import_opts o;
  decc_import_opts_default(&o, 0);
  o.chunk_size = chunk;
  decc_importer *imp;
  decc_cid c;
  if (decc_importer_create(&imp, &o, put ? map_put : NULL, m, NULL))
    return -1;
  decc_status st = decc_importer_update(imp, text, strlen(text), NULL);
  if (!st)
    st = decc_importer_final(imp, &c, NULL, NULL, NULL);
  decc_importer_destroy(imp);
  if (st)
    return -1;
  return decc_cid_to_string(cid, DECC_CID_STR_MAX, &c) ? -1 : 0;
}

/* A dataset order for dataset 0x<b>…<b> as JSON (heap; free). */
static char *order_json(uint8_t b) {
  decc_order o;
  if (decc_order_init(&o, DECC_ORDER_DATASET))
    return NULL;
  memset(o.u.dataset.dataset.b, b, 20);
  o.u.dataset.volume = decc_u256_from_u64(9007199254740991ull);
  memset(o.u.dataset.salt, b, 32);
  char *j = NULL;
  if (decc_order_to_json(&j, &o))
    j = NULL;
  decc_order_clear(&o);
  return j;
}

/* A slice of k orders (datasets 0x01…, 0x02…), as JSON text (heap). */
static char *slice_json(int k) {
  size_t cap = 16, len = 1;
  char *s = malloc(cap);
  if (!s)
    return NULL;
  strcpy(s, "[");
  for (int i = 0; i < k; i++) {
    char *o = order_json((uint8_t)(i + 1));
    if (!o) {
      free(s);
      return NULL;
    }
    size_t need = len + strlen(o) + 3;
    if (need > cap) {
      cap = need * 2;
      char *t = realloc(s, cap);
      if (!t) {
        free(o);
        free(s);
        return NULL;
      }
      s = t;
    }
    strcat(s, i ? "," : "");
    strcat(s, o);
    len = strlen(s);
    free(o);
  }
  strcat(s, "]");
  return s;
}

static decc_blockstore *open_store(void) {
  char d[600];
  snprintf(d, sizeof d, "%s/store", decc_test_tmpdir());
  decc_blockstore *bs = NULL;
  return decc_blockstore_open(&bs, d, NULL) ? NULL : bs;
}

/* ---- tests --------------------------------------------------------------- */

TEST(bulk_source_store_and_map_read_the_same_multi_block_slice) {
  decc_blockstore *bs = open_store();
  ASSERT(bs);
  blockmap m = {.bs = bs};
  char *slice = slice_json(3);
  ASSERT(slice && strlen(slice) > 1024);
  char scid[DECC_CID_STR_MAX], root[DECC_CID_STR_MAX],
      txt[DECC_CID_STR_MAX + 8];
  /* 512-byte leaves: the slice is a file of several blocks */
  ASSERT_EQ(add(&m, slice, 512, 1, scid), 0);
  ASSERT(m.n > 2);
  snprintf(txt, sizeof txt, "[\"%s\"]", scid);
  ASSERT_EQ(add(&m, txt, 512, 1, root), 0);

  decc__sms_bulk_item *a = NULL, *b = NULL;
  size_t na = 0, nb = 0;
  decc_err err;
  ASSERT_EQ(decc__sms_bulk_load(decc_blockstore_get, bs, NULL, root, 0, &a, &na,
                                &err),
            DECC_OK);
  ASSERT_EQ(decc__sms_bulk_load(map_get, &m, NULL, root, 0, &b, &nb, &err),
            DECC_OK);
  ASSERT_EQ(na, 3);
  ASSERT_EQ(nb, 3);
  for (size_t i = 0; i < 3; i++) {
    uint8_t want[20];
    memset(want, (int)(i + 1), 20);
    ASSERT_MEM_EQ(a[i].order.u.dataset.dataset.b, want, 20);
    ASSERT_MEM_EQ(b[i].order.u.dataset.dataset.b, want, 20);
    ASSERT_EQ(a[i].ok, 0);
    ASSERT_EQ(b[i].ok, 0);
  }
  /* slice index past the root's list: the same refusal from both */
  decc__sms_bulk_item *x = NULL;
  size_t nx = 0;
  decc_err ea, eb;
  ASSERT_EQ(decc__sms_bulk_load(decc_blockstore_get, bs, NULL, root, 1, &x, &nx,
                                &err),
            DECC_E_INVALID);
  ea = err;
  ASSERT_EQ(decc__sms_bulk_load(map_get, &m, NULL, root, 1, &x, &nx, &err),
            DECC_E_INVALID);
  eb = err;
  ASSERT_STR_EQ(ea.msg, eb.msg);
  ASSERT(strstr(ea.msg, "task index 1 has no slice"));
  ASSERT(!x && nx == 0);
  decc__sms_bulk_free(a, na);
  decc__sms_bulk_free(b, nb);
  free(slice);
  map_free(&m);
  decc_blockstore_close(bs);
}

TEST(bulk_source_missing_block_gives_the_stores_error) {
  decc_blockstore *bs = open_store();
  ASSERT(bs);
  blockmap m = {.bs = bs};
  char *slice = slice_json(1);
  ASSERT(slice);
  char scid[DECC_CID_STR_MAX], root[DECC_CID_STR_MAX],
      txt[DECC_CID_STR_MAX + 8];
  /* the slice's CID is computed but its block is in neither source */
  ASSERT_EQ(add(&m, slice, 0, 0, scid), 0);
  ASSERT_EQ(m.n, 0);
  snprintf(txt, sizeof txt, "[\"%s\"]", scid);
  ASSERT_EQ(add(&m, txt, 0, 1, root), 0);

  decc__sms_bulk_item *it = NULL;
  size_t n = 0;
  decc_err err;
  decc_err es, em;
  ASSERT_EQ(decc__sms_bulk_load(decc_blockstore_get, bs, NULL, root, 0, &it, &n,
                                &err),
            DECC_E_NOT_FOUND);
  es = err;
  ASSERT_EQ(decc__sms_bulk_load(map_get, &m, NULL, root, 0, &it, &n, &err),
            DECC_E_NOT_FOUND);
  em = err;
  ASSERT(!it && n == 0);
  ASSERT_STR_EQ(es.msg, em.msg);
  char want[2 * DECC_CID_STR_MAX + 32];
  snprintf(want, sizeof want, "bulk slice %s: block %s", scid, scid);
  ASSERT(strstr(es.msg, want) == es.msg);
  ASSERT(strstr(es.msg, "not found"));
  free(slice);
  map_free(&m);
  decc_blockstore_close(bs);
}

TEST(bulk_source_that_lies_is_refused_and_none_is_unsupported) {
  blockmap m = {0};
  char *slice = slice_json(1);
  ASSERT(slice);
  char scid[DECC_CID_STR_MAX], root[DECC_CID_STR_MAX],
      txt[DECC_CID_STR_MAX + 8];
  ASSERT_EQ(add(&m, slice, 0, 1, scid), 0);
  snprintf(txt, sizeof txt, "[\"%s\"]", scid);
  ASSERT_EQ(add(&m, txt, 0, 1, root), 0);

  decc__sms_bulk_item *it = NULL;
  size_t n = 0;
  decc_err err;
  m.lie = 1;
  ASSERT_EQ(decc__sms_bulk_load(map_get, &m, NULL, root, 0, &it, &n, &err),
            DECC_E_CORRUPT);
  ASSERT(!it && n == 0);
  ASSERT(strstr(err.msg, "bulk root "));
  ASSERT(strstr(err.msg, "does not match its hash"));
  m.lie = 0;
  ASSERT_EQ(decc__sms_bulk_load(map_get, &m, NULL, root, 0, &it, &n, &err),
            DECC_OK);
  ASSERT_EQ(n, 1);
  decc__sms_bulk_free(it, n);
  it = NULL;
  n = 0;
  ASSERT_EQ(decc__sms_bulk_load(NULL, NULL, NULL, root, 0, &it, &n, &err),
            DECC_E_UNSUPPORTED);
  ASSERT(strstr(err.msg, "no content store configured"));
  ASSERT(!it && n == 0);
  free(slice);
  map_free(&m);
}

TEST(bulk_source_file_over_one_mib_is_refused_by_both) {
  decc_blockstore *bs = open_store();
  ASSERT(bs);
  blockmap m = {.bs = bs};
  /* 1 MiB + 1 of JSON whitespace around an empty list: 5 leaves */
  size_t len = (1u << 20) + 1;
  char *big = malloc(len + 1);
  ASSERT(big);
  memset(big, ' ', len);
  big[0] = '[';
  big[len - 1] = ']';
  big[len] = 0;
  char root[DECC_CID_STR_MAX];
  ASSERT_EQ(add(&m, big, 0, 1, root), 0);
  free(big);
  decc__sms_bulk_item *it = NULL;
  size_t n = 0;
  decc_err err;
  decc_err es, em;
  ASSERT_EQ(decc__sms_bulk_load(decc_blockstore_get, bs, NULL, root, 0, &it, &n,
                                &err),
            DECC_E_LIMIT);
  es = err;
  ASSERT_EQ(decc__sms_bulk_load(map_get, &m, NULL, root, 0, &it, &n, &err),
            DECC_E_LIMIT);
  em = err;
  ASSERT_STR_EQ(es.msg, em.msg);
  ASSERT(strstr(es.msg, "file larger than 1048576 bytes"));
  ASSERT(!it && n == 0);
  map_free(&m);
  decc_blockstore_close(bs);
}
