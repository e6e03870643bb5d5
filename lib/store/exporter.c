/*
 * exporter.c — reading a UnixFS file back from its root CID, plus the
 * store-level helpers built on it (add, cat, stat, ls).
 *
 * The exporter walks the DAG lazily: a stack holds the path from the root
 * to the leaf under the read position, so memory is one leaf block plus one
 * interior node per level. Every block is re-hashed against the CID that
 * named it, and every node's sizes are checked against what its parent
 * promised (blocksizes), so a damaged or inconsistent DAG is an error
 * naming the CID, never wrong bytes. Byte ranges seek through blocksizes
 * without fetching the skipped subtrees.
 */
#include <string.h>

#include "decc/mem.h"
#include "store_int.h"

typedef struct frame {
  decc_cid cid;
  uint8_t *block;
  size_t block_len;
  decc_dagpb_node node; /* dag-pb only */
  decc_unixfs fs;       /* dag-pb only */
  const uint8_t *data;  /* bytes held by this node itself */
  size_t data_len;
  int raw;
  uint64_t start; /* file offset of this node's first byte */
  uint64_t size;  /* file bytes under this node */
} frame;

struct decc_exporter {
  decc_block_get_fn get;
  void *ud;
  frame stack[DECC_STORE_MAX_DEPTH];
  unsigned depth;
  uint64_t pos, end;
  decc_status failed;
  decc_err failed_err;
};

static void frame_free(frame *f) {
  decc_dagpb_node_clear(&f->node);
  decc_unixfs_clear(&f->fs);
  decc_free(f->block);
  memset(f, 0, sizeof *f);
}

static decc_status corrupt(const decc_cid *cid, decc_err *err,
                           const char *why) {
  char s[DECC_CID_STR_MAX] = "?";
  decc_cid_to_string(s, sizeof s, cid);
  return decc_err_set(err, DECC_E_CORRUPT, "block %s: %s", s, why);
}

/* Fetches, verifies and decodes the node for cid into f. expect_size is the
 * size the parent promised (UINT64_MAX for the root). */
static decc_status load(decc_exporter *ex, frame *f, const decc_cid *cid,
                        uint64_t start, uint64_t expect_size, decc_err *err) {
  memset(f, 0, sizeof *f);
  f->cid = *cid;
  f->start = start;
  if (cid->codec != DECC_CODEC_RAW && cid->codec != DECC_CODEC_DAG_PB) {
    char s[DECC_CID_STR_MAX] = "?";
    decc_cid_to_string(s, sizeof s, cid);
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "block %s: codec 0x%llx is not a UnixFS file", s,
                        (unsigned long long)cid->codec);
  }
  decc_status st = ex->get(ex->ud, cid, &f->block, &f->block_len, err);
  if (st)
    return st;
  st = decc__verify_block(cid, f->block, f->block_len, err);
  if (st)
    goto out;
  if (cid->codec == DECC_CODEC_RAW) {
    f->raw = 1;
    f->data = f->block;
    f->data_len = f->block_len;
    f->size = f->block_len;
  } else {
    decc_err e2;
    decc_err_clear(&e2);
    if (decc_dagpb_decode(&f->node, f->block, f->block_len, 0, &e2) ||
        !f->node.has_data ||
        decc_unixfs_decode(&f->fs, f->node.data, f->node.data_len, &e2)) {
      st = corrupt(cid, err,
                   e2.msg[0] ? e2.msg : "dag-pb node without UnixFS data");
      goto out;
    }
    if (f->fs.type != DECC_UNIXFS_FILE && f->fs.type != DECC_UNIXFS_RAW) {
      char s[DECC_CID_STR_MAX] = "?";
      decc_cid_to_string(s, sizeof s, cid);
      st = decc_err_set(
          err, DECC_E_UNSUPPORTED, "%s is a UnixFS %s, not a file", s,
          f->fs.type == DECC_UNIXFS_DIRECTORY    ? "directory"
          : f->fs.type == DECC_UNIXFS_HAMT_SHARD ? "sharded directory"
          : f->fs.type == DECC_UNIXFS_SYMLINK    ? "symlink"
                                                 : "metadata node");
      goto out;
    }
    if (f->fs.nblocksizes != f->node.nlinks) {
      st = corrupt(cid, err, "blocksizes do not match the links");
      goto out;
    }
    f->data = f->fs.has_data ? f->fs.data : NULL;
    f->data_len = f->fs.has_data ? f->fs.data_len : 0;
    uint64_t total = f->data_len;
    for (size_t i = 0; i < f->fs.nblocksizes; i++) {
      if (f->fs.blocksizes[i] > UINT64_MAX - total) {
        st = corrupt(cid, err, "sizes overflow");
        goto out;
      }
      total += f->fs.blocksizes[i];
    }
    if (f->fs.has_filesize && f->fs.filesize != total) {
      st = corrupt(cid, err, "filesize does not match its content");
      goto out;
    }
    f->size = total;
  }
  if (expect_size != UINT64_MAX && f->size != expect_size) {
    st = corrupt(cid, err, "size differs from the parent's blocksizes");
    goto out;
  }
  if (f->size > UINT64_MAX - start)
    st = corrupt(cid, err, "sizes overflow");
out:
  if (st)
    frame_free(f);
  return st;
}

decc_status decc_exporter_create(decc_exporter **out, decc_block_get_fn get,
                                 void *ud, const decc_cid *root,
                                 uint64_t offset, uint64_t length,
                                 decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(get != NULL);
  DECC_ARG_CHECK(root != NULL);
  *out = NULL;
  decc_exporter *ex = decc_calloc(1, sizeof *ex);
  if (!ex)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  ex->get = get;
  ex->ud = ud;
  decc_status st = load(ex, &ex->stack[0], root, 0, UINT64_MAX, err);
  if (st) {
    decc_free(ex);
    return st;
  }
  ex->depth = 1;
  uint64_t size = ex->stack[0].size;
  if (offset > size) {
    decc_exporter_destroy(ex);
    return decc_err_set(err, DECC_E_RANGE, "offset %llu is past the end (%llu)",
                        (unsigned long long)offset, (unsigned long long)size);
  }
  ex->pos = offset;
  ex->end = length > size - offset ? size : offset + length;
  *out = ex;
  return DECC_OK;
}

uint64_t decc_exporter_file_size(const decc_exporter *ex) {
  DECC_ARG_CHECK_RET(ex != NULL, 0);
  return ex->stack[0].size;
}

void decc_exporter_destroy(decc_exporter *ex) {
  if (!ex)
    return;
  for (unsigned i = 0; i < ex->depth; i++)
    frame_free(&ex->stack[i]);
  decc_free(ex);
}

/* Makes the top of the stack the node whose own data holds ex->pos.
 * Out: *p, *avail = bytes readable there. */
static decc_status locate(decc_exporter *ex, const uint8_t **p, size_t *avail,
                          decc_err *err) {
  while (ex->depth > 1) {
    frame *t = &ex->stack[ex->depth - 1];
    if (ex->pos >= t->start && ex->pos < t->start + t->size)
      break;
    frame_free(t);
    ex->depth--;
  }
  for (;;) {
    frame *t = &ex->stack[ex->depth - 1];
    uint64_t rel = ex->pos - t->start;
    if (rel < t->data_len) {
      *p = t->data + rel;
      *avail = t->data_len - (size_t)rel;
      return DECC_OK;
    }
    if (t->raw)
      return corrupt(&t->cid, err, "read past a raw block");
    uint64_t off = t->start + t->data_len;
    size_t i = 0;
    for (; i < t->fs.nblocksizes; i++) {
      if (ex->pos < off + t->fs.blocksizes[i])
        break;
      off += t->fs.blocksizes[i];
    }
    if (i == t->fs.nblocksizes)
      return corrupt(&t->cid, err, "position beyond the node's children");
    if (ex->depth >= DECC_STORE_MAX_DEPTH)
      return decc_err_set(err, DECC_E_LIMIT, "DAG deeper than %u levels",
                          DECC_STORE_MAX_DEPTH);
    decc_cid child;
    decc_err e2;
    decc_err_clear(&e2);
    if (decc_cid_decode(&child, NULL, t->node.links[i].hash,
                        t->node.links[i].hash_len, &e2))
      return corrupt(&t->cid, err, "bad link CID");
    decc_status st =
        load(ex, &ex->stack[ex->depth], &child, off, t->fs.blocksizes[i], err);
    if (st)
      return st;
    ex->depth++;
  }
}

decc_status decc_exporter_read(decc_exporter *ex, uint8_t *buf, size_t cap,
                               size_t *got, decc_err *err) {
  DECC_ARG_CHECK(ex != NULL);
  DECC_ARG_CHECK(buf != NULL || cap == 0);
  DECC_ARG_CHECK(got != NULL);
  *got = 0;
  if (ex->failed) {
    if (err)
      *err = ex->failed_err;
    return ex->failed;
  }
  while (*got < cap && ex->pos < ex->end) {
    const uint8_t *p = NULL;
    size_t avail = 0;
    decc_err e2;
    decc_err_clear(&e2);
    decc_status st = locate(ex, &p, &avail, &e2);
    if (st) {
      ex->failed = st;
      ex->failed_err = e2;
      if (err)
        *err = e2;
      *got = 0;
      return st;
    }
    size_t n = cap - *got;
    if (n > avail)
      n = avail;
    if (n > ex->end - ex->pos)
      n = (size_t)(ex->end - ex->pos);
    memcpy(buf + *got, p, n);
    *got += n;
    ex->pos += n;
  }
  return DECC_OK;
}

/* ---- store-level helpers ------------------------------------------------- */

decc_status decc_store_add_fd(decc_blockstore *bs, decc_cid *root,
                              uint64_t *cumulative_size,
                              const decc_import_opts *opts, int fd,
                              const char *path, int pin, decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(root != NULL);
  DECC_ARG_CHECK(fd >= 0 || path != NULL);
  /* Hashing here, block writes on the writer's thread; one sync below
   * makes the whole add durable (docs/internals/performance.md). */
  decc__bs_writer *w;
  decc_status st = decc__bs_writer_start(&w, bs, err);
  if (st)
    return st;
  st = decc_import_fd(root, cumulative_size, opts, fd, path,
                      decc__bs_writer_put, w, err);
  decc_err werr;
  decc_err_clear(&werr);
  decc_status wst = decc__bs_writer_finish(w, &werr);
  if (wst && (!st || st == wst)) {
    /* A write failed: that is the cause (the import only relayed it). */
    st = wst;
    if (err)
      *err = werr;
  }
  if (!st)
    st = pin ? decc__pin_record(bs, root, err) : decc_blockstore_sync(bs, err);
  return st;
}

decc_status decc_store_cat(decc_blockstore *bs, const decc_cid *cid,
                           uint64_t offset, uint64_t length,
                           decc_write_fn write_fn, void *ud, decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(write_fn != NULL);
  decc_exporter *ex;
  decc_status st = decc_exporter_create(&ex, decc__blockstore_get_unverified,
                                        bs, cid, offset, length, err);
  if (st)
    return st;
  uint8_t *buf = decc_malloc(1 << 16);
  if (!buf) {
    decc_exporter_destroy(ex);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  for (;;) {
    size_t got;
    st = decc_exporter_read(ex, buf, 1 << 16, &got, err);
    if (st || got == 0)
      break;
    st = write_fn(ud, buf, got, err);
    if (st)
      break;
  }
  decc_free(buf);
  decc_exporter_destroy(ex);
  return st;
}

decc_status decc_store_stat(decc_blockstore *bs, const decc_cid *cid,
                            decc_store_stat_info *info, decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(info != NULL);
  memset(info, 0, sizeof *info);
  uint8_t *block;
  size_t n;
  decc_status st = decc_blockstore_get(bs, cid, &block, &n, err);
  if (st)
    return st;
  info->codec = cid->codec;
  info->block_size = n;
  info->unixfs_type = -1;
  info->file_size = n;
  info->cumulative_size = n;
  if (cid->codec == DECC_CODEC_DAG_PB) {
    decc_dagpb_node node;
    st = decc_dagpb_decode(&node, block, n, 0, err);
    if (!st) {
      info->nlinks = node.nlinks;
      for (size_t i = 0; i < node.nlinks; i++)
        info->cumulative_size += node.links[i].tsize;
      info->file_size = 0;
      decc_unixfs fs;
      if (node.has_data &&
          decc_unixfs_decode(&fs, node.data, node.data_len, NULL) == DECC_OK) {
        info->unixfs_type = fs.type;
        uint64_t total = fs.has_data ? fs.data_len : 0;
        for (size_t i = 0; i < fs.nblocksizes; i++)
          total += fs.blocksizes[i];
        info->file_size = fs.has_filesize ? fs.filesize : total;
        decc_unixfs_clear(&fs);
      }
      decc_dagpb_node_clear(&node);
    } else {
      st = corrupt(cid, err, "not a valid dag-pb node");
    }
  }
  decc_free(block);
  return st;
}

decc_status decc_store_ls(decc_blockstore *bs, const decc_cid *cid,
                          decc_link_fn fn, void *ud, decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(fn != NULL);
  uint8_t *block;
  size_t n;
  decc_status st = decc_blockstore_get(bs, cid, &block, &n, err);
  if (st || cid->codec != DECC_CODEC_DAG_PB) {
    decc_free(block);
    return st;
  }
  decc_dagpb_node node;
  st = decc_dagpb_decode(&node, block, n, 0, err);
  if (st)
    st = corrupt(cid, err, "not a valid dag-pb node");
  for (size_t i = 0; !st && i < node.nlinks; i++) {
    decc_cid child;
    if (decc_cid_decode(&child, NULL, node.links[i].hash,
                        node.links[i].hash_len, NULL)) {
      st = corrupt(cid, err, "bad link CID");
      break;
    }
    char name[256];
    size_t nl = node.links[i].has_name ? node.links[i].name_len : 0;
    if (nl >= sizeof name)
      nl = sizeof name - 1;
    memcpy(name, node.links[i].name ? node.links[i].name : "", nl);
    name[nl] = 0;
    st = fn(ud, name, &child, node.links[i].tsize, err);
  }
  decc_dagpb_node_clear(&node);
  decc_free(block);
  return st;
}
