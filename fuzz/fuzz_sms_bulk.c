/*
 * fuzz_sms_bulk.c — libFuzzer target for what the SMS reads of a bulk
 * processing task (docs/internals/bulk.md): the requester controls the
 * bulk root and its slices on IPFS. The input is imported as a UnixFS file
 * (16 KiB chunks, so inputs past 16 KiB are multi-block files) and used as
 * a slice (first byte 'S') or as the root itself (first byte 'R'; anything
 * else: a slice, under a root naming it), and decc__sms_bulk_load — the
 * production loader, exporter included — reads slice 0 back through a
 * block source. An accepted slice must hold 1..100 dataset orders; each is
 * then judged against an empty in-memory chain, which must refuse it with
 * a reason (no dataset is registered, so no key could ever be released).
 *
 * The block source is an in-memory map that the importer's put callback
 * fills, emptied before every input: the SMS reads its blockstore through
 * the same get-function shape (decc_blockstore_get), and the files the
 * on-disk store wrote and read back for every block (plus a gc every 1024
 * inputs) were most of this target's time (perf: syscalls, page faults).
 * The blockstore itself is fuzzed through the store's own targets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/cid.h"
#include "decc/mem.h"
#include "decc/store.h"
#include "fuzz.h"
#include "sms/sms_int.h"

static decc_sms_memchain *g_mc;

/* One block of the current input: its CID and where its bytes are in the
 * arena. */
typedef struct memblk {
  decc_cid cid;
  size_t off, n;
} memblk;

/* The blocks of the current input. Kept across inputs (reset, not freed)
 * so that an input costs no allocation here once the arrays have grown to
 * the largest input's blocks (bounded: inputs are at most 1 MiB + 1). */
static struct {
  memblk *v;
  size_t n, cap;
  uint8_t *arena;
  size_t used, arena_cap;
} g_mem;

static void cleanup(void) {
  decc_sms_memchain_destroy(g_mc);
  free(g_mem.v);
  free(g_mem.arena);
}

static void setup(void) {
  if (g_mc)
    return;
  if (decc_sms_memchain_create(&g_mc) != DECC_OK)
    abort();
  atexit(cleanup);
}

/* A decc_block_put_fn: copies the block into the map. */
static decc_status mem_put(void *ud, const decc_cid *cid, const uint8_t *block,
                           size_t n, decc_err *err) {
  (void)ud;
  (void)err;
  if (g_mem.n == g_mem.cap) {
    size_t cap = g_mem.cap ? 2 * g_mem.cap : 64;
    memblk *v = realloc(g_mem.v, cap * sizeof *v);
    if (!v)
      abort();
    g_mem.v = v;
    g_mem.cap = cap;
  }
  if (n > g_mem.arena_cap - g_mem.used) {
    size_t cap = g_mem.arena_cap ? g_mem.arena_cap : 1u << 16;
    while (cap - g_mem.used < n)
      cap *= 2;
    uint8_t *a = realloc(g_mem.arena, cap);
    if (!a)
      abort();
    g_mem.arena = a;
    g_mem.arena_cap = cap;
  }
  if (n)
    memcpy(g_mem.arena + g_mem.used, block, n);
  g_mem.v[g_mem.n++] = (memblk){*cid, g_mem.used, n};
  g_mem.used += n;
  return DECC_OK;
}

/* A decc_block_get_fn over the map. Blocks are found by multihash, as the
 * blockstore files them, and a missing one gets the blockstore's status
 * and message, so the loader sees what it would see from the SMS's store. */
static decc_status mem_get(void *ud, const decc_cid *cid, uint8_t **block,
                           size_t *n, decc_err *err) {
  (void)ud;
  *block = NULL;
  *n = 0;
  for (size_t i = 0; i < g_mem.n; i++) {
    const memblk *m = &g_mem.v[i];
    if (m->cid.mh_len != cid->mh_len ||
        memcmp(m->cid.mh, cid->mh, cid->mh_len) != 0)
      continue;
    uint8_t *p = decc_malloc(m->n ? m->n : 1);
    if (!p)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    if (m->n)
      memcpy(p, g_mem.arena + m->off, m->n);
    *block = p;
    *n = m->n;
    return DECC_OK;
  }
  char s[DECC_CID_STR_MAX];
  if (decc_cid_to_string(s, sizeof s, cid))
    snprintf(s, sizeof s, "(invalid CID)");
  return decc_err_set(err, DECC_E_NOT_FOUND, "block %s: not found", s);
}

/* Imports bytes into the map; out: CID text, the CIDv0 (base58btc) Kubo
 * prints when v0, else the same block named as a CIDv1 (base32, 'b…').
 * Returns 0 or -1. */
static int add(const uint8_t *p, size_t n, int v0, char cid[DECC_CID_STR_MAX]) {
  decc_import_opts o;
  decc_import_opts_default(&o, 0); /* what decc_store_add_fd(NULL opts) uses */
  /* 16 KiB chunks instead of 256 KiB: the importer's chunk buffer then
   * comes from ASan's size-class cache instead of a fresh mmap and page
   * faults for every input; larger inputs become multi-block files, which
   * the loader must read as well */
  o.chunk_size = 16384;
  decc_importer *imp;
  decc_cid c;
  if (decc_importer_create(&imp, &o, mem_put, NULL, NULL) != DECC_OK)
    abort();
  decc_status st = decc_importer_update(imp, p, n, NULL);
  if (st == DECC_OK)
    st = decc_importer_final(imp, &c, NULL, NULL, NULL);
  decc_importer_destroy(imp);
  if (st != DECC_OK)
    return -1;
  if (!v0)
    c.version = 1; /* same codec (dag-pb) and multihash: the same block */
  return decc_cid_to_string(cid, DECC_CID_STR_MAX, &c) == DECC_OK ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20) + 1)
    return 0;
  setup();
  g_mem.n = 0;
  g_mem.used = 0;
  int root_mode = size && data[0] == 'R';
  if (size && (data[0] == 'R' || data[0] == 'S')) {
    data++;
    size--;
  }
  /* A root input is named by its CIDv0 and names its slices itself (the
   * corpus's CIDv0 text, or whatever the mutations make of it), so base58
   * parsing stays covered; a slice and the root made for it are named by
   * CIDv1 text, which the loader accepts as well: base58's quadratic
   * encode and decode were a fifth of this target's time (perf), spent on
   * text the target wrote itself. */
  char cid[DECC_CID_STR_MAX], root[DECC_CID_STR_MAX];
  if (add(data, size, root_mode, cid))
    return 0;
  if (root_mode) {
    memcpy(root, cid, sizeof root);
  } else {
    char txt[DECC_CID_STR_MAX + 8];
    snprintf(txt, sizeof txt, "[\"%s\"]", cid);
    if (add((const uint8_t *)txt, strlen(txt), 0, root))
      return 0;
  }
  decc__sms_bulk_item *items = NULL;
  size_t n = 0;
  decc_err err;
  if (decc__sms_bulk_load(mem_get, NULL, NULL, root, 0, &items, &n, &err) ==
      DECC_OK) {
    if (n == 0 || n > DECC_SMS_BULK_SLICE_MAX || !items)
      __builtin_trap();
    decc_sms_chain_view v;
    decc_sms_memchain_view(&v, g_mc);
    uint8_t deal[32] = {0};
    for (size_t i = 0; i < n; i++) {
      if (items[i].order.type != DECC_ORDER_DATASET)
        __builtin_trap();
      decc__sms_bulk_check(&v, &items[i], deal);
      if (items[i].ok || !items[i].reason[0])
        __builtin_trap();
    }
  } else if (items || n) {
    __builtin_trap();
  }
  decc__sms_bulk_free(items, n);
  return 0;
}
