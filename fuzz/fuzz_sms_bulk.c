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
  snprintf(g_dir, sizeof g_dir, "/tmp/decc-fuzz-bulk-XXXXXX");
  char store[96];
  if (!mkdtemp(g_dir))
    abort();
  snprintf(store, sizeof store, "%s/store", g_dir);
  if (decc_blockstore_open(&g_bs, store, NULL) != DECC_OK ||
      decc_sms_memchain_create(&g_mc) != DECC_OK)
    abort();
  atexit(cleanup);
}

/* Adds bytes to the store; out: CID text. Returns 0 or -1. */
static int add(const uint8_t *p, size_t n, char cid[DECC_CID_STR_MAX]) {
  char path[96];
  snprintf(path, sizeof path, "%s/in", g_dir);
  FILE *f = fopen(path, "wb");
  if (!f)
    abort();
  if (n && fwrite(p, 1, n, f) != n)
    abort();
  fclose(f);
  decc_cid c;
  if (decc_store_add_fd(g_bs, &c, NULL, NULL, -1, path, 0, NULL) != DECC_OK)
    return -1;
  return decc_cid_to_string(cid, DECC_CID_STR_MAX, &c) == DECC_OK ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (1u << 20) + 1)
    return 0;
  setup();
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
