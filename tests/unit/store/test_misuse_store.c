/*
 * test_misuse_store.c — the entry checks of store.h's public functions: a
 * NULL node, importer, exporter, store, CID, callback or output, or NULL
 * data with a length, is reported to the misuse handler by the function
 * called, which returns its documented failure value (DECC_E_INVALID, 0,
 * or MHD_NO for the HTTP handler) without crashing; the permitted NULLs
 * (empty data, no put callback, no options, no optional sizes, no path
 * with an fd, clearing or closing NULL) are not reported and still work.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/store.h"
#include "misuse_check.h"

static decc_status count_cid(void *ud, const decc_cid *cid, decc_err *err) {
  (void)cid;
  (void)err;
  (*(int *)ud)++;
  return DECC_OK;
}

static decc_status sink(void *ud, const uint8_t *p, size_t n, decc_err *err) {
  (void)err;
  return decc_buf_append(ud, p, n);
}

static decc_status on_link(void *ud, const char *name, const decc_cid *cid,
                           uint64_t tsize, decc_err *err) {
  (void)name;
  (void)cid;
  (void)tsize;
  (void)err;
  (*(int *)ud)++;
  return DECC_OK;
}

TEST(misuse_store) {
  MISUSE_BEGIN();
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_dagpb_node node;
  decc_unixfs u;
  decc_cid cid, root;
  memset(&node, 0, sizeof node);
  memset(&u, 0, sizeof u);

  /* dag-pb / UnixFS codecs */
  EXPECT_MISUSE(DECC_E_INVALID, decc_dagpb_decode, NULL,
                (const uint8_t *)"\x0a", 1, 0, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dagpb_decode, &node, NULL, 1, 0, NULL);
  EXPECT_OK_NO_MISUSE(decc_dagpb_decode(&node, NULL, 0, 0, NULL));
  EXPECT_MISUSE(DECC_E_INVALID, decc_dagpb_encode, NULL, &node);
  EXPECT_MISUSE(DECC_E_INVALID, decc_dagpb_encode, &b, NULL);
  node.nlinks = 1; /* a count without its array */
  EXPECT_MISUSE(DECC_E_INVALID, decc_dagpb_encode, &b, &node);
  ASSERT_STR_EQ(g_misuse.what, "node->links != NULL || node->nlinks == 0");
  node.nlinks = 0;
  ASSERT_EQ(b.len, 0);
  EXPECT_OK_NO_MISUSE(decc_dagpb_encode(&b, &node));
  EXPECT_NO_MISUSE(decc_dagpb_node_clear(&node));
  EXPECT_NO_MISUSE(decc_dagpb_node_clear(NULL));
  u.type = DECC_UNIXFS_FILE;
  EXPECT_MISUSE(DECC_E_INVALID, decc_unixfs_encode, NULL, &u);
  EXPECT_MISUSE(DECC_E_INVALID, decc_unixfs_encode, &b, NULL);
  b.len = 0;
  EXPECT_OK_NO_MISUSE(decc_unixfs_encode(&b, &u));
  decc_unixfs u2;
  EXPECT_MISUSE(DECC_E_INVALID, decc_unixfs_decode, NULL, b.data, b.len, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_unixfs_decode, &u2, NULL, b.len, NULL);
  EXPECT_OK_NO_MISUSE(decc_unixfs_decode(&u2, b.data, b.len, NULL));
  ASSERT_EQ(u2.type, DECC_UNIXFS_FILE);
  EXPECT_NO_MISUSE(decc_unixfs_clear(&u2));
  EXPECT_NO_MISUSE(decc_unixfs_clear(NULL));

  /* importer */
  decc_import_opts o;
  EXPECT_MISUSE_VOID(decc_import_opts_default, NULL, 1);
  EXPECT_NO_MISUSE(decc_import_opts_default(&o, 1));
  ASSERT_EQ(o.raw_leaves, 1);
  decc_importer *imp = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_importer_create, NULL, &o, NULL, NULL,
                NULL);
  /* no options and no put: CIDv0 defaults, CID only */
  EXPECT_OK_NO_MISUSE(decc_importer_create(&imp, NULL, NULL, NULL, NULL));
  EXPECT_MISUSE(DECC_E_INVALID, decc_importer_update, NULL, "abc", 3, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_importer_update, imp, NULL, 3, NULL);
  EXPECT_OK_NO_MISUSE(decc_importer_update(imp, NULL, 0, NULL));
  EXPECT_OK_NO_MISUSE(decc_importer_update(imp, "abc", 3, NULL));
  EXPECT_MISUSE(DECC_E_INVALID, decc_importer_final, NULL, &root, NULL, NULL,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_importer_final, imp, NULL, NULL, NULL,
                NULL);
  /* the refused calls left the importer usable; sizes are optional */
  EXPECT_OK_NO_MISUSE(decc_importer_final(imp, &root, NULL, NULL, NULL));
  EXPECT_NO_MISUSE(decc_importer_destroy(imp));
  EXPECT_NO_MISUSE(decc_importer_destroy(NULL));

  char file[600], dir[600];
  snprintf(file, sizeof file, "%s/f.txt", decc_test_tmpdir());
  snprintf(dir, sizeof dir, "%s/store", decc_test_tmpdir());
  FILE *f = fopen(file, "wb");
  ASSERT(f != NULL);
  ASSERT_EQ(fwrite("abc", 1, 3, f), 3);
  ASSERT_EQ(fclose(f), 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_import_fd, NULL, NULL, NULL, -1, file,
                NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_import_fd, &cid, NULL, NULL, -1, NULL,
                NULL, NULL, NULL);
  ASSERT_STR_EQ(g_misuse.what, "fd >= 0 || path != NULL");
  int fd = open(file, O_RDONLY);
  ASSERT(fd >= 0);
  EXPECT_OK_NO_MISUSE(
      decc_import_fd(&cid, NULL, NULL, fd, NULL, NULL, NULL, NULL));
  close(fd);
  ASSERT(decc_cid_equal(&cid, &root));

  /* blockstore */
  decc_blockstore *bs = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_open, NULL, dir, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_open, &bs, NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_blockstore_open(&bs, dir, NULL));
  EXPECT_MISUSE_NULL(decc_blockstore_dir, NULL);
  ASSERT_STR_EQ(decc_blockstore_dir(bs), dir);

  decc_cid bc;
  ASSERT_OK(decc_cid_of_block(&bc, 1, DECC_CODEC_RAW, (const uint8_t *)"x", 1));
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_put, NULL, &bc,
                (const uint8_t *)"x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_put, bs, NULL,
                (const uint8_t *)"x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_put, bs, &bc, NULL, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_put_trusted, NULL, &bc,
                (const uint8_t *)"x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_put_trusted, bs, NULL,
                (const uint8_t *)"x", 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_put_trusted, bs, &bc, NULL, 1,
                NULL);
  EXPECT_MISUSE(0, decc_blockstore_has, NULL, &bc);
  EXPECT_MISUSE(0, decc_blockstore_has, bs, NULL);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_blockstore_has(bs, &bc), 0));
  EXPECT_OK_NO_MISUSE(
      decc_blockstore_put(bs, &bc, (const uint8_t *)"x", 1, NULL));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_blockstore_has(bs, &bc), 1));
  decc_cid ec; /* the empty raw block, stored from a NULL pointer */
  ASSERT_OK(decc_cid_of_block(&ec, 1, DECC_CODEC_RAW, NULL, 0));
  EXPECT_OK_NO_MISUSE(decc_blockstore_put(bs, &ec, NULL, 0, NULL));

  uint8_t *blk = NULL;
  size_t bn = 0;
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_get, NULL, &bc, &blk, &bn,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_get, bs, NULL, &blk, &bn, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_get, bs, &bc, NULL, &bn, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_get, bs, &bc, &blk, NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_blockstore_get(bs, &bc, &blk, &bn, NULL));
  ASSERT_EQ(bn, 1);
  decc_free(blk);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_sync, NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_blockstore_sync(bs, NULL));

  EXPECT_MISUSE(DECC_E_INVALID, decc_store_add_fd, NULL, &cid, NULL, NULL, -1,
                file, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_add_fd, bs, NULL, NULL, NULL, -1,
                file, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_add_fd, bs, &cid, NULL, NULL, -1,
                NULL, 1, NULL);
  EXPECT_OK_NO_MISUSE(
      decc_store_add_fd(bs, &cid, NULL, NULL, -1, file, 1, NULL));
  ASSERT(decc_cid_equal(&cid, &root));

  decc_buf out;
  decc_buf_init(&out, 0);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_cat, NULL, &cid, 0, UINT64_MAX, sink,
                &out, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_cat, bs, NULL, 0, UINT64_MAX, sink,
                &out, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_cat, bs, &cid, 0, UINT64_MAX, NULL,
                &out, NULL);
  ASSERT_EQ(out.len, 0);
  EXPECT_OK_NO_MISUSE(
      decc_store_cat(bs, &cid, 0, UINT64_MAX, sink, &out, NULL));
  ASSERT_EQ(out.len, 3);
  ASSERT_MEM_EQ(out.data, "abc", 3);
  decc_buf_clear(&out);

  decc_store_stat_info info;
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_stat, NULL, &cid, &info, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_stat, bs, NULL, &info, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_stat, bs, &cid, NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_store_stat(bs, &cid, &info, NULL));
  ASSERT_EQ(info.file_size, 3);
  int links = 0;
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_ls, NULL, &cid, on_link, &links,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_ls, bs, NULL, on_link, &links, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_store_ls, bs, &cid, NULL, &links, NULL);
  EXPECT_OK_NO_MISUSE(decc_store_ls(bs, &cid, on_link, &links, NULL));
  ASSERT_EQ(links, 0); /* a one-chunk file has no links */

  /* exporter over the store */
  decc_exporter *ex = NULL;
  EXPECT_MISUSE(DECC_E_INVALID, decc_exporter_create, NULL, decc_blockstore_get,
                bs, &cid, 0, UINT64_MAX, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_exporter_create, &ex, NULL, bs, &cid, 0,
                UINT64_MAX, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_exporter_create, &ex, decc_blockstore_get,
                bs, NULL, 0, UINT64_MAX, NULL);
  EXPECT_OK_NO_MISUSE(decc_exporter_create(&ex, decc_blockstore_get, bs, &cid,
                                           0, UINT64_MAX, NULL));
  EXPECT_MISUSE(0, decc_exporter_file_size, NULL);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_exporter_file_size(ex), 3));
  uint8_t rb[8];
  size_t got = 9;
  EXPECT_MISUSE(DECC_E_INVALID, decc_exporter_read, NULL, rb, sizeof rb, &got,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_exporter_read, ex, NULL, sizeof rb, &got,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_exporter_read, ex, rb, sizeof rb, NULL,
                NULL);
  ASSERT_EQ(got, 9);
  EXPECT_OK_NO_MISUSE(decc_exporter_read(ex, NULL, 0, &got, NULL));
  ASSERT_EQ(got, 0);
  EXPECT_OK_NO_MISUSE(decc_exporter_read(ex, rb, sizeof rb, &got, NULL));
  ASSERT_EQ(got, 3);
  ASSERT_MEM_EQ(rb, "abc", 3);
  EXPECT_NO_MISUSE(decc_exporter_destroy(ex));
  EXPECT_NO_MISUSE(decc_exporter_destroy(NULL));

  /* pins and gc */
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_pin, NULL, &bc, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_pin, bs, NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_blockstore_pin(bs, &bc, NULL));
  EXPECT_MISUSE(0, decc_blockstore_is_pinned, NULL, &bc);
  EXPECT_MISUSE(0, decc_blockstore_is_pinned, bs, NULL);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_blockstore_is_pinned(bs, &bc), 1));
  int npins = 0;
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_pins, NULL, count_cid, &npins,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_pins, bs, NULL, &npins, NULL);
  EXPECT_OK_NO_MISUSE(decc_blockstore_pins(bs, count_cid, &npins, NULL));
  ASSERT_EQ(npins, 2); /* the added file and bc */
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_unpin, NULL, &bc, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_unpin, bs, NULL, NULL);
  EXPECT_OK_NO_MISUSE(decc_blockstore_unpin(bs, &bc, NULL));
  EXPECT_MISUSE(DECC_E_INVALID, decc_blockstore_gc, NULL, NULL, NULL, NULL);
  /* the counters are optional */
  EXPECT_OK_NO_MISUSE(decc_blockstore_gc(bs, NULL, NULL, NULL));
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_blockstore_has(bs, &bc), 0));

  /* Kubo client: refused before any connection is attempted */
  EXPECT_MISUSE(DECC_E_INVALID, decc_kubo_add_file, NULL, file, NULL, &cid,
                NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_kubo_add_file, "http://127.0.0.1:9", NULL,
                NULL, &cid, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_kubo_add_file, "http://127.0.0.1:9", file,
                NULL, NULL, NULL, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_kubo_cat, NULL, &cid, 1, sink, &out, 1,
                NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_kubo_cat, "http://127.0.0.1:9", NULL, 1,
                sink, &out, 1, NULL);
  EXPECT_MISUSE(DECC_E_INVALID, decc_kubo_cat, "http://127.0.0.1:9", &cid, 1,
                NULL, &out, 1, NULL);

  /* HTTP routes (MHD_NO is 0) */
  EXPECT_MISUSE(0, decc_store_http_route, NULL);
  EXPECT_NO_MISUSE(ASSERT_EQ(decc_store_http_route("/api/v0/cat"), 1));
  decc_store_http_cfg cfg = {bs, 0, 0};
  struct MHD_Connection *conn = (struct MHD_Connection *)&cfg; /* never used */
  size_t up = 0;
  void *cls = NULL;
  EXPECT_MISUSE(0, decc_store_http_handle, NULL, conn, "/api/v0/cat", "POST",
                NULL, &up, &cls);
  EXPECT_MISUSE(0, decc_store_http_handle, &cfg, NULL, "/api/v0/cat", "POST",
                NULL, &up, &cls);
  EXPECT_MISUSE(0, decc_store_http_handle, &cfg, conn, NULL, "POST", NULL, &up,
                &cls);
  EXPECT_MISUSE(0, decc_store_http_handle, &cfg, conn, "/api/v0/cat", NULL,
                NULL, &up, &cls);
  EXPECT_MISUSE(0, decc_store_http_handle, &cfg, conn, "/api/v0/cat", "POST",
                NULL, NULL, &cls);
  EXPECT_MISUSE(0, decc_store_http_handle, &cfg, conn, "/api/v0/cat", "POST",
                NULL, &up, NULL);
  ASSERT(cls == NULL);
  EXPECT_MISUSE_VOID(decc_store_http_completed, NULL);
  EXPECT_NO_MISUSE(decc_store_http_completed(&cls));

  EXPECT_NO_MISUSE(decc_blockstore_close(bs));
  EXPECT_NO_MISUSE(decc_blockstore_close(NULL));
  decc_buf_clear(&b);
}
