/*
 * importer.c — streaming UnixFS file importer with Kubo's default layout.
 *
 * Bytes are cut into fixed-size chunks; each chunk becomes a leaf (a dag-pb
 * node holding a UnixFS File message for CIDv0, a raw block for CIDv1 with
 * raw leaves). Leaves are grouped into parents of at most max_links links,
 * parents into grandparents, and so on (ipfs-unixfs-importer's "balanced"
 * layout): a level is reduced as soon as it holds max_links entries, and
 * at the end every partial level is reduced bottom-up until one root
 * remains. A single leaf is its own root (reduceSingleLeafToSelf). So the
 * memory in use is one chunk plus one partial link list per level, whatever
 * the file size.
 *
 * Leaf blocks are assembled in place: the chunk is read into a buffer with
 * room for the dag-pb/UnixFS header before it and the filesize field after
 * it, so each byte of the file is copied once and hashed once.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "decc/buf.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "store_int.h"

#define LEVELS 16
#define HDR_RESERVE 24 /* 0a vl(<=1MiB+16) 08 02 12 vl(<=1MiB): <= 12 bytes */
#define TRAILER 16

typedef struct entry {
  decc_cid cid;
  uint64_t tsize; /* cumulative block bytes of the subtree */
  uint64_t fsize; /* file bytes in the subtree */
} entry;

struct decc_importer {
  decc_import_opts o;
  decc_block_put_fn put;
  void *ud;
  uint8_t *blk; /* HDR_RESERVE + chunk + TRAILER */
  size_t fill;  /* chunk bytes at blk + HDR_RESERVE */
  entry *lev[LEVELS];
  size_t nlev[LEVELS];
  uint64_t leaves;
  uint64_t file_size;
  decc_buf node; /* parent node encoding, reused */
  decc_status failed;
  int finished;
};

void decc_import_opts_default(decc_import_opts *opts, unsigned cid_version) {
  DECC_ARG_CHECK_VOID(opts != NULL);
  opts->cid_version = cid_version;
  opts->raw_leaves = cid_version == 1;
  opts->chunk_size = DECC_STORE_CHUNK_SIZE;
  opts->max_links = DECC_STORE_MAX_LINKS;
}

decc_status decc_importer_create(decc_importer **out,
                                 const decc_import_opts *opts,
                                 decc_block_put_fn put, void *ud,
                                 decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  *out = NULL;
  decc_import_opts o;
  decc_import_opts_default(&o, 0);
  if (opts) {
    o.cid_version = opts->cid_version;
    o.raw_leaves =
        opts->raw_leaves < 0 ? opts->cid_version == 1 : opts->raw_leaves != 0;
    if (opts->chunk_size)
      o.chunk_size = opts->chunk_size;
    if (opts->max_links)
      o.max_links = opts->max_links;
  }
  if (o.cid_version > 1)
    return decc_err_set(err, DECC_E_INVALID,
                        "import: CID version must be 0 or 1");
  if (o.cid_version == 0 && o.raw_leaves)
    return decc_err_set(err, DECC_E_INVALID,
                        "import: raw leaves need CID version 1");
  if (o.chunk_size > 1024 * 1024)
    return decc_err_set(err, DECC_E_INVALID, "import: chunk size above 1 MiB");
  if (o.max_links < 2 || o.max_links > 4096)
    return decc_err_set(err, DECC_E_INVALID,
                        "import: max links must be 2..4096");
  decc_importer *imp = decc_calloc(1, sizeof *imp);
  if (!imp)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  imp->o = o;
  imp->put = put;
  imp->ud = ud;
  imp->blk = decc_malloc(HDR_RESERVE + o.chunk_size + TRAILER);
  if (!imp->blk) {
    decc_free(imp);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  decc_buf_init(&imp->node, DECC_STORE_MAX_BLOCK);
  *out = imp;
  return DECC_OK;
}

void decc_importer_destroy(decc_importer *imp) {
  if (!imp)
    return;
  for (int i = 0; i < LEVELS; i++)
    decc_free(imp->lev[i]);
  decc_buf_clear(&imp->node);
  decc_free(imp->blk);
  decc_free(imp);
}

static decc_status fail(decc_importer *imp, decc_status st) {
  imp->failed = st;
  return st;
}

static decc_status push(decc_importer *imp, int k, const entry *e,
                        decc_err *err);

/* Builds the parent of level k's entries and pushes it to level k+1. */
static decc_status reduce(decc_importer *imp, int k, decc_err *err) {
  entry *es = imp->lev[k];
  size_t m = imp->nlev[k];
  decc_buf *b = &imp->node;
  decc_buf_reset(b);
  uint64_t fsum = 0, tsum = 0;
  size_t ulen = 2; /* 08 02 */
  decc_status st = DECC_OK;
  for (size_t i = 0; i < m; i++) {
    if (es[i].fsize == 0)
      continue; /* ipfs-unixfs-importer drops empty children */
    fsum += es[i].fsize;
    ulen += 1 + decc__pb_varint_len(es[i].fsize);
  }
  ulen += 1 + decc__pb_varint_len(fsum);
  uint8_t tmp[DECC_CID_BIN_MAX + 40];
  for (size_t i = 0; i < m && !st; i++) {
    if (es[i].fsize == 0)
      continue;
    uint8_t cb[DECC_CID_BIN_MAX];
    size_t cl;
    st = decc_cid_encode(cb, sizeof cb, &cl, &es[i].cid);
    if (st)
      break;
    size_t body = 1 + decc__pb_varint_len(cl) + cl + 2 + 1 +
                  decc__pb_varint_len(es[i].tsize);
    size_t t = 0;
    tmp[t++] = 0x12;
    t += decc__pb_put_varint(tmp + t, body);
    tmp[t++] = 0x0a;
    t += decc__pb_put_varint(tmp + t, cl);
    st = decc_buf_append(b, tmp, t);
    if (!st)
      st = decc_buf_append(b, cb, cl);
    t = 0;
    tmp[t++] = 0x12; /* Name: "" (always written by the importer) */
    tmp[t++] = 0x00;
    tmp[t++] = 0x18;
    t += decc__pb_put_varint(tmp + t, es[i].tsize);
    if (!st)
      st = decc_buf_append(b, tmp, t);
    tsum += es[i].tsize;
  }
  if (!st) {
    size_t t = 0;
    tmp[t++] = 0x0a;
    t += decc__pb_put_varint(tmp + t, ulen);
    tmp[t++] = 0x08;
    tmp[t++] = DECC_UNIXFS_FILE;
    tmp[t++] = 0x18;
    t += decc__pb_put_varint(tmp + t, fsum);
    st = decc_buf_append(b, tmp, t);
  }
  for (size_t i = 0; i < m && !st; i++) {
    if (es[i].fsize == 0)
      continue;
    uint8_t v[11];
    v[0] = 0x20;
    size_t t = 1 + decc__pb_put_varint(v + 1, es[i].fsize);
    st = decc_buf_append(b, v, t);
  }
  if (st)
    return fail(imp, decc_err_set(err, st, "import: parent node too large"));
  entry p;
  st = decc_cid_of_block(&p.cid, imp->o.cid_version, DECC_CODEC_DAG_PB, b->data,
                         b->len);
  if (!st && imp->put)
    st = imp->put(imp->ud, &p.cid, b->data, b->len, err);
  if (st)
    return fail(imp, st);
  p.tsize = b->len + tsum;
  p.fsize = fsum;
  imp->nlev[k] = 0;
  return push(imp, k + 1, &p, err);
}

static decc_status push(decc_importer *imp, int k, const entry *e,
                        decc_err *err) {
  if (k >= LEVELS)
    return fail(imp, decc_err_set(err, DECC_E_LIMIT, "import: DAG too deep"));
  if (!imp->lev[k]) {
    imp->lev[k] = decc_malloc(imp->o.max_links * sizeof(entry));
    if (!imp->lev[k])
      return fail(imp, decc_err_set(err, DECC_E_NOMEM, "out of memory"));
  }
  imp->lev[k][imp->nlev[k]++] = *e;
  if (imp->nlev[k] == imp->o.max_links)
    return reduce(imp, k, err);
  return DECC_OK;
}

/* Turns the buffered chunk into a leaf block and pushes it to level 0. */
static decc_status emit_leaf(decc_importer *imp, decc_err *err) {
  size_t L = imp->fill;
  uint8_t *data = imp->blk + HDR_RESERVE;
  entry e;
  const uint8_t *block;
  size_t blen;
  decc_status st;
  if (imp->o.raw_leaves) {
    block = data;
    blen = L;
    st = decc_cid_of_block(&e.cid, 1, DECC_CODEC_RAW, block, blen);
  } else {
    /* UnixFS: 08 02 [12 vl(L) data] 18 vl(L); wrapped as dag-pb Data. */
    size_t ulen = 2 + (L ? 1 + decc__pb_varint_len(L) + L : 0) + 1 +
                  decc__pb_varint_len(L);
    uint8_t hdr[HDR_RESERVE];
    size_t h = 0;
    hdr[h++] = 0x0a;
    h += decc__pb_put_varint(hdr + h, ulen);
    hdr[h++] = 0x08;
    hdr[h++] = DECC_UNIXFS_FILE;
    if (L) {
      hdr[h++] = 0x12;
      h += decc__pb_put_varint(hdr + h, L);
    }
    memcpy(data - h, hdr, h);
    size_t t = 0;
    data[L + t++] = 0x18;
    t += decc__pb_put_varint(data + L + t, L);
    block = data - h;
    blen = h + L + t;
    st = decc_cid_of_block(&e.cid, imp->o.cid_version, DECC_CODEC_DAG_PB, block,
                           blen);
  }
  if (!st && imp->put)
    st = imp->put(imp->ud, &e.cid, block, blen, err);
  if (st)
    return fail(imp, st);
  e.tsize = blen;
  e.fsize = L;
  imp->leaves++;
  imp->fill = 0;
  return push(imp, 0, &e, err);
}

decc_status decc_importer_update(decc_importer *imp, const void *data, size_t n,
                                 decc_err *err) {
  DECC_ARG_CHECK(imp != NULL);
  DECC_ARG_CHECK(data != NULL || n == 0);
  if (imp->failed || imp->finished)
    return decc_err_set(err, imp->failed ? imp->failed : DECC_E_STATE,
                        "import: importer already %s",
                        imp->failed ? "failed" : "finished");
  const uint8_t *p = data;
  while (n > 0) {
    size_t room = imp->o.chunk_size - imp->fill;
    size_t take = n < room ? n : room;
    memcpy(imp->blk + HDR_RESERVE + imp->fill, p, take);
    imp->fill += take;
    imp->file_size += take;
    p += take;
    n -= take;
    if (imp->fill == imp->o.chunk_size) {
      decc_status st = emit_leaf(imp, err);
      if (st)
        return st;
    }
  }
  return DECC_OK;
}

decc_status decc_importer_final(decc_importer *imp, decc_cid *root,
                                uint64_t *cumulative_size, uint64_t *file_size,
                                decc_err *err) {
  DECC_ARG_CHECK(imp != NULL);
  DECC_ARG_CHECK(root != NULL);
  if (imp->failed || imp->finished)
    return decc_err_set(err, imp->failed ? imp->failed : DECC_E_STATE,
                        "import: importer already %s",
                        imp->failed ? "failed" : "finished");
  decc_status st;
  /* The chunker yields one (empty) chunk for an empty file. */
  if (imp->fill > 0 || imp->leaves == 0) {
    st = emit_leaf(imp, err);
    if (st)
      return st;
  }
  for (int k = 0; k < LEVELS; k++) {
    if (imp->nlev[k] == 0)
      continue;
    int higher = 0;
    for (int j = k + 1; j < LEVELS; j++)
      higher |= imp->nlev[j] != 0;
    if (!higher && imp->nlev[k] == 1) {
      imp->finished = 1;
      *root = imp->lev[k][0].cid;
      if (cumulative_size)
        *cumulative_size = imp->lev[k][0].tsize;
      if (file_size)
        *file_size = imp->file_size;
      return DECC_OK;
    }
    st = reduce(imp, k, err);
    if (st)
      return st;
  }
  return fail(imp, decc_err_set(err, DECC_E_INTERNAL, "import: no root"));
}

decc_status decc_import_fd(decc_cid *root, uint64_t *cumulative_size,
                           const decc_import_opts *opts, int fd,
                           const char *path, decc_block_put_fn put, void *ud,
                           decc_err *err) {
  DECC_ARG_CHECK(root != NULL);
  DECC_ARG_CHECK(fd >= 0 || path != NULL);
  const char *what = path ? path : "input";
  int own = 0;
  if (fd < 0) {
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return decc_err_set(err, DECC_E_IO, "%s: %s", what, strerror(errno));
    own = 1;
  }
  decc_importer *imp;
  decc_status st = decc_importer_create(&imp, opts, put, ud, err);
  if (st) {
    if (own)
      close(fd);
    return st;
  }
  /* Read straight into the chunk buffer: no intermediate copy. */
  for (;;) {
    size_t room = imp->o.chunk_size - imp->fill;
    ssize_t r = read(fd, imp->blk + HDR_RESERVE + imp->fill, room);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      st = decc_err_set(err, DECC_E_IO, "%s: %s", what, strerror(errno));
      break;
    }
    if (r == 0)
      break;
    imp->fill += (size_t)r;
    imp->file_size += (uint64_t)r;
    if (imp->fill == imp->o.chunk_size && (st = emit_leaf(imp, err)) != DECC_OK)
      break;
  }
  if (!st)
    st = decc_importer_final(imp, root, cumulative_size, NULL, err);
  decc_importer_destroy(imp);
  if (own)
    close(fd);
  return st;
}
