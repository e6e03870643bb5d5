/*
 * fuzz_sms_bulk.c — libFuzzer target for what the SMS reads of a bulk
 * processing task (docs/internals/bulk.md): the requester controls the
 * bulk root and its slices on IPFS. The input is stored as a slice (first
 * byte 'S') or as the root itself (first byte 'R'; anything else: a slice)
 * in a blockstore, and decc__sms_bulk_load reads slice 0. An accepted
 * slice must hold 1..100 dataset orders; each is then judged against an
 * empty in-memory chain, which must refuse it with a reason (no dataset is
 * registered, so no key could ever be released).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/cid.h"
#include "decc/store.h"
#include "fuzz.h"
#include "sms/sms_int.h"

static decc_blockstore *g_bs;
static decc_sms_memchain *g_mc;
static char g_dir[64];

static int rm_cb(const char *p, const struct stat *sb, int flag,
                 struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(p);
  return 0;
}

static void cleanup(void) {
  decc_blockstore_close(g_bs);
  decc_sms_memchain_destroy(g_mc);
  if (g_dir[0])
    nftw(g_dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void) {
  if (g_bs)
    return;
  /* tmpfs when there is one: the blocks are written and read back for
   * every input, and a disk made that the cost of the target */
  struct stat st;
  const char *base =
      stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
  snprintf(g_dir, sizeof g_dir, "%s/decc-fuzz-bulk-XXXXXX", base);
  char store[96];
  if (!mkdtemp(g_dir))
    abort();
  snprintf(store, sizeof store, "%s/store", g_dir);
  if (decc_blockstore_open(&g_bs, store, NULL) != DECC_OK ||
      decc_sms_memchain_create(&g_mc) != DECC_OK)
    abort();
  atexit(cleanup);
}

/* Adds bytes to the store; out: CID text. Returns 0 or -1. Imports in
 * memory and writes the blocks with decc_blockstore_put_trusted: the
 * blocks land in the same store decc__sms_bulk_load reads, but without
 * decc_store_add_fd's temporary file, writer thread and syncfs, which
 * made this target about 70 inputs a second (perf: the time was in
 * syncfs and the thread, none in the bulk code). */
static int add(const uint8_t *p, size_t n, char cid[DECC_CID_STR_MAX]) {
  decc_import_opts o;
  decc_import_opts_default(&o, 0); /* what decc_store_add_fd(NULL opts) uses */
  /* 16 KiB chunks instead of 256 KiB: the importer's chunk buffer then
   * comes from ASan's size-class cache instead of a fresh mmap and page
   * faults for every input (perf: most of the time after the syncfs was
   * gone); larger inputs become multi-block files, which the loader must
   * read as well */
  o.chunk_size = 16384;
  decc_importer *imp;
  decc_cid c;
  if (decc_importer_create(&imp, &o, decc_blockstore_put_trusted, g_bs, NULL) !=
      DECC_OK)
    abort();
  decc_status st = decc_importer_update(imp, p, n, NULL);
  if (st == DECC_OK)
    st = decc_importer_final(imp, &c, NULL, NULL, NULL);
  decc_importer_destroy(imp);
  if (st != DECC_OK)
    return -1;
  return decc_cid_to_string(cid, DECC_CID_STR_MAX, &c) == DECC_OK ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20) + 1)
    return 0;
  setup();
  /* Nothing is pinned: every 1024 inputs gc empties the store, which
   * would otherwise grow by the blocks of every input of a long run
   * (millions of files). */
  static unsigned runs;
  if (++runs % 1024 == 0 &&
      decc_blockstore_gc(g_bs, NULL, NULL, NULL) != DECC_OK)
    abort();
  int root_mode = size && data[0] == 'R';
  if (size && (data[0] == 'R' || data[0] == 'S')) {
    data++;
    size--;
  }
  char cid[DECC_CID_STR_MAX], root[DECC_CID_STR_MAX];
  if (add(data, size, cid))
    return 0;
  if (root_mode) {
    memcpy(root, cid, sizeof root);
  } else {
    char txt[DECC_CID_STR_MAX + 8];
    snprintf(txt, sizeof txt, "[\"%s\"]", cid);
    if (add((const uint8_t *)txt, strlen(txt), root))
      return 0;
  }
  decc__sms_bulk_item *items = NULL;
  size_t n = 0;
  decc_err err;
  if (decc__sms_bulk_load(g_bs, NULL, root, 0, &items, &n, &err) == DECC_OK) {
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
