/*
 * test_blockstore.c — blockstore, exporter, pins and gc: add then read back
 * (whole files and byte ranges) for one- and two-level DAGs in both CID
 * profiles, stat/ls, idempotent and verified puts, corrupt and missing
 * blocks reported with their CID, pin/unpin durability across reopen,
 * garbage collection keeping exactly the pinned DAGs, and the gc lock.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/store.h"
#include "store_test_util.h"
#include "test.h"

static char *store_dir(const char *name) {
  static char buf[4][600];
  static int k;
  char *p = buf[k++ & 3];
  snprintf(p, 600, "%s/%s", decc_test_tmpdir(), name);
  return p;
}

static decc_status add_prng(decc_blockstore *bs, uint64_t size, unsigned ver,
                            int pin, decc_cid *root) {
  char path[700];
  snprintf(path, sizeof path, "%s/in-%llu", decc_test_tmpdir(),
           (unsigned long long)size);
  if (prng_write_file(path, size))
    return DECC_E_IO;
  decc_import_opts o;
  decc_import_opts_default(&o, ver);
  decc_err err;
  decc_status st = decc_store_add_fd(bs, root, NULL, &o, -1, path, pin, &err);
  if (st)
    fprintf(stderr, "add: %s\n", err.msg);
  unlink(path);
  return st;
}

typedef struct cmp_ctx {
  prng_stream s;
  uint64_t seen;
  int bad;
} cmp_ctx;

static decc_status cmp_write(void *ud, const uint8_t *p, size_t n,
                             decc_err *err) {
  cmp_ctx *c = ud;
  uint8_t want[1 << 16];
  size_t off = 0;
  while (off < n) {
    size_t k = n - off < sizeof want ? n - off : sizeof want;
    prng_fill(&c->s, want, k);
    if (memcmp(want, p + off, k))
      c->bad = 1;
    off += k;
  }
  c->seen += n;
  return DECC_OK;
}

/* Checks bytes [off, off+len) of the PRNG file `size` read from the store. */
static int check_range(decc_blockstore *bs, const decc_cid *root, uint64_t size,
                       uint64_t off, uint64_t len) {
  cmp_ctx c;
  memset(&c, 0, sizeof c);
  prng_init(&c.s, size);
  uint8_t skip[4096];
  uint64_t left = off;
  while (left) {
    size_t k = left < sizeof skip ? (size_t)left : sizeof skip;
    prng_fill(&c.s, skip, k);
    left -= k;
  }
  decc_err err;
  decc_status st = decc_store_cat(bs, root, off, len, cmp_write, &c, &err);
  if (st) {
    fprintf(stderr, "cat: %s\n", err.msg);
    return 0;
  }
  uint64_t want = off + len > size ? size - off : len;
  if (len == UINT64_MAX)
    want = size - off;
  return !c.bad && c.seen == want;
}

TEST(add_cat_ranges_both_profiles) {
  decc_blockstore *bs;
  ASSERT_OK(decc_blockstore_open(&bs, store_dir("s1"), NULL));
  const uint64_t C = DECC_STORE_CHUNK_SIZE;
  const uint64_t sizes[] = {0, 1, 12345, C, C + 1, 3 * C + 7, 174 * C + 1};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
    for (unsigned v = 0; v <= 1; v++) {
      decc_cid root;
      ASSERT_OK(add_prng(bs, sizes[i], v, 1, &root));
      ASSERT(check_range(bs, &root, sizes[i], 0, UINT64_MAX));
      if (sizes[i] > 10) {
        ASSERT(check_range(bs, &root, sizes[i], 3, 5));
        ASSERT(check_range(bs, &root, sizes[i], sizes[i] / 2, C + 3));
        ASSERT(check_range(bs, &root, sizes[i], sizes[i] - 1, 100));
      }
      ASSERT(check_range(bs, &root, sizes[i], sizes[i], 10)); /* empty */
      decc_exporter *ex;
      decc_err err;
      ASSERT_EQ(decc_exporter_create(&ex, decc_blockstore_get, bs, &root,
                                     sizes[i] + 1, 1, &err),
                DECC_E_RANGE);
      ASSERT_OK(decc_exporter_create(&ex, decc_blockstore_get, bs, &root, 0,
                                     UINT64_MAX, &err));
      ASSERT_EQ(decc_exporter_file_size(ex), sizes[i]);
      decc_exporter_destroy(ex);
      ASSERT(decc_blockstore_is_pinned(bs, &root));
    }
  decc_blockstore_close(bs);
}

typedef struct ls_ctx {
  size_t n;
  uint64_t tsum;
} ls_ctx;

static decc_status ls_cb(void *ud, const char *name, const decc_cid *cid,
                         uint64_t tsize, decc_err *err) {
  ls_ctx *l = ud;
  (void)cid;
  (void)err;
  if (name[0])
    return DECC_E_INTERNAL;
  l->n++;
  l->tsum += tsize;
  return DECC_OK;
}

TEST(stat_and_ls) {
  decc_blockstore *bs;
  ASSERT_OK(decc_blockstore_open(&bs, store_dir("s2"), NULL));
  decc_cid root;
  const uint64_t size = 3 * DECC_STORE_CHUNK_SIZE + 5;
  ASSERT_OK(add_prng(bs, size, 0, 0, &root));
  decc_store_stat_info info;
  ASSERT_OK(decc_store_stat(bs, &root, &info, NULL));
  ASSERT_EQ(info.codec, DECC_CODEC_DAG_PB);
  ASSERT_EQ(info.nlinks, 4);
  ASSERT_EQ(info.unixfs_type, DECC_UNIXFS_FILE);
  ASSERT_EQ(info.file_size, size);
  ls_ctx l = {0};
  ASSERT_OK(decc_store_ls(bs, &root, ls_cb, &l, NULL));
  ASSERT_EQ(l.n, 4);
  ASSERT_EQ(info.cumulative_size, info.block_size + l.tsum);
  /* A raw leaf. */
  ASSERT_OK(add_prng(bs, 100, 1, 0, &root));
  ASSERT_OK(decc_store_stat(bs, &root, &info, NULL));
  ASSERT_EQ(info.codec, DECC_CODEC_RAW);
  ASSERT_EQ(info.block_size, 100);
  ASSERT_EQ(info.unixfs_type, -1);
  decc_blockstore_close(bs);
}

TEST(put_verifies_and_is_idempotent) {
  decc_blockstore *bs;
  ASSERT_OK(decc_blockstore_open(&bs, store_dir("s3"), NULL));
  decc_cid c;
  ASSERT_OK(
      decc_cid_of_block(&c, 1, DECC_CODEC_RAW, (const uint8_t *)"abc", 3));
  ASSERT_OK(decc_blockstore_put(bs, &c, (const uint8_t *)"abc", 3, NULL));
  ASSERT_OK(decc_blockstore_put(bs, &c, (const uint8_t *)"abc", 3, NULL));
  ASSERT(decc_blockstore_has(bs, &c));
  decc_err err;
  ASSERT_EQ(decc_blockstore_put(bs, &c, (const uint8_t *)"abd", 3, &err),
            DECC_E_CORRUPT);
  /* the message names the block by its CID text, formatted on failure */
  char cs[DECC_CID_STR_MAX], want[256];
  ASSERT_OK(decc_cid_to_string(cs, sizeof cs, &c));
  snprintf(want, sizeof want,
           "block %s: content does not match its hash (corrupt)", cs);
  ASSERT_STR_EQ(err.msg, want);
  uint8_t *b;
  size_t n;
  ASSERT_OK(decc_blockstore_get(bs, &c, &b, &n, NULL));
  ASSERT_EQ(n, 3);
  ASSERT_MEM_EQ(b, "abc", 3);
  decc_free(b);
  decc_cid missing;
  ASSERT_OK(
      decc_cid_of_block(&missing, 1, DECC_CODEC_RAW, (const uint8_t *)"zz", 2));
  ASSERT_EQ(decc_blockstore_get(bs, &missing, &b, &n, &err), DECC_E_NOT_FOUND);
  ASSERT_OK(decc_cid_to_string(cs, sizeof cs, &missing));
  snprintf(want, sizeof want, "block %s: not found", cs);
  ASSERT_STR_EQ(err.msg, want);
  ASSERT(strstr(err.msg, "bafkrei") != NULL);
  decc_blockstore_close(bs);
}

/* Finds the on-disk file of a block (blocks/<xx>/<key>.data). */
static void block_file(char *out, size_t cap, const char *dir,
                       const decc_cid *cid) {
  char key[DECC_CID_STR_MAX];
  decc_base32_encode(key, sizeof key, cid->mh, cid->mh_len);
  size_t kl = strlen(key);
  snprintf(out, cap, "%s/blocks/%.2s/%s.data", dir, key + kl - 3, key);
}

typedef struct first_link {
  decc_cid cid;
  int have;
} first_link;

static decc_status first_cb(void *ud, const char *name, const decc_cid *cid,
                            uint64_t tsize, decc_err *err) {
  first_link *f = ud;
  (void)name;
  (void)tsize;
  (void)err;
  if (!f->have) {
    f->cid = *cid;
    f->have = 1;
  }
  return DECC_OK;
}

TEST(corrupt_and_missing_blocks_are_errors) {
  const char *dir = store_dir("s4");
  decc_blockstore *bs;
  ASSERT_OK(decc_blockstore_open(&bs, dir, NULL));
  decc_cid root;
  const uint64_t size = 2 * DECC_STORE_CHUNK_SIZE + 1;
  ASSERT_OK(add_prng(bs, size, 0, 0, &root));
  first_link fl = {0};
  ASSERT_OK(decc_store_ls(bs, &root, first_cb, &fl, NULL));
  ASSERT(fl.have);
  char leafcid[DECC_CID_STR_MAX];
  decc_cid_to_string(leafcid, sizeof leafcid, &fl.cid);
  char path[900];
  block_file(path, sizeof path, dir, &fl.cid);
  /* Flip one byte of the first leaf. */
  chmod(path, 0644);
  int fd = open(path, O_RDWR);
  ASSERT(fd >= 0);
  uint8_t byte;
  ASSERT_EQ(pread(fd, &byte, 1, 100), 1);
  byte ^= 1;
  ASSERT_EQ(pwrite(fd, &byte, 1, 100), 1);
  close(fd);
  cmp_ctx c;
  memset(&c, 0, sizeof c);
  prng_init(&c.s, size);
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_store_cat(bs, &root, 0, UINT64_MAX, cmp_write, &c, &err),
            DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, leafcid) != NULL);
  ASSERT_EQ(c.seen, 0); /* nothing of the bad leaf was written */
  /* Pinning checks the DAG too. */
  ASSERT_EQ(decc_blockstore_pin(bs, &root, &err), DECC_E_CORRUPT);
  /* A range that avoids the bad leaf still reads. */
  ASSERT(check_range(bs, &root, size, DECC_STORE_CHUNK_SIZE, 10));
  unlink(path);
  ASSERT_EQ(decc_store_cat(bs, &root, 0, UINT64_MAX, cmp_write, &c, &err),
            DECC_E_NOT_FOUND);
  ASSERT(strstr(err.msg, leafcid) != NULL);
  ASSERT_EQ(decc_blockstore_pin(bs, &root, &err), DECC_E_NOT_FOUND);
  decc_blockstore_close(bs);
}

static decc_status count_pin(void *ud, const decc_cid *cid, decc_err *err) {
  (void)cid;
  (void)err;
  (*(int *)ud)++;
  return DECC_OK;
}

TEST(pins_and_gc) {
  const char *dir = store_dir("s5");
  decc_blockstore *bs;
  ASSERT_OK(decc_blockstore_open(&bs, dir, NULL));
  decc_cid a, b, shared;
  const uint64_t C = DECC_STORE_CHUNK_SIZE;
  ASSERT_OK(add_prng(bs, 2 * C + 9, 0, 1, &a));
  ASSERT_OK(add_prng(bs, 3 * C + 9, 1, 0, &b));
  /* The CIDv1 form of a pinned DAG's root is also pinned (same hash). */
  shared = a;
  shared.version = 1;
  ASSERT(decc_blockstore_is_pinned(bs, &shared));
  int npins = 0;
  ASSERT_OK(decc_blockstore_pins(bs, count_pin, &npins, NULL));
  ASSERT_EQ(npins, 1);
  /* Another opener blocks gc. */
  decc_blockstore *other;
  ASSERT_OK(decc_blockstore_open(&other, dir, NULL));
  decc_err err;
  uint64_t nb = 0, bytes = 0;
  ASSERT_EQ(decc_blockstore_gc(bs, &nb, &bytes, &err), DECC_E_STATE);
  decc_blockstore_close(other);
  ASSERT_OK(decc_blockstore_gc(bs, &nb, &bytes, &err));
  ASSERT_EQ(nb, 5); /* b: 4 raw leaves + 1 root */
  ASSERT(bytes > 3 * C);
  ASSERT(check_range(bs, &a, 2 * C + 9, 0, UINT64_MAX));
  ASSERT(!decc_blockstore_has(bs, &b));
  /* Pins survive a reopen; unpin then gc empties the store. */
  decc_blockstore_close(bs);
  ASSERT_OK(decc_blockstore_open(&bs, dir, NULL));
  ASSERT(decc_blockstore_is_pinned(bs, &a));
  ASSERT_OK(decc_blockstore_unpin(bs, &a, NULL));
  ASSERT_EQ(decc_blockstore_unpin(bs, &a, &err), DECC_E_NOT_FOUND);
  ASSERT_OK(decc_blockstore_gc(bs, &nb, &bytes, &err));
  ASSERT_EQ(nb, 4); /* 3 leaves + root */
  ASSERT(!decc_blockstore_has(bs, &a));
  decc_blockstore_close(bs);
}

TEST(gc_refuses_incomplete_pinned_dag) {
  const char *dir = store_dir("s6");
  decc_blockstore *bs;
  ASSERT_OK(decc_blockstore_open(&bs, dir, NULL));
  decc_cid a, b;
  ASSERT_OK(add_prng(bs, 2 * DECC_STORE_CHUNK_SIZE, 0, 1, &a));
  ASSERT_OK(add_prng(bs, 77, 0, 0, &b));
  first_link fl = {0};
  ASSERT_OK(decc_store_ls(bs, &a, first_cb, &fl, NULL));
  char path[900];
  block_file(path, sizeof path, dir, &fl.cid);
  ASSERT_EQ(unlink(path), 0);
  decc_err err;
  uint64_t nb = 0;
  ASSERT_EQ(decc_blockstore_gc(bs, &nb, NULL, &err), DECC_E_NOT_FOUND);
  ASSERT(decc_blockstore_has(bs, &b)); /* nothing deleted */
  decc_blockstore_close(bs);
}
