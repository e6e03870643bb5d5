/*
 * dagpb.c — protobuf encoding of the two messages a UnixFS file is made of:
 * the dag-pb PBNode/PBLink envelope and the UnixFS Data message inside it.
 * Encoders write exactly what @ipld/dag-pb and ipfs-unixfs write (so CIDs
 * match); decoders are strict and bounded because blocks come from outside.
 */
#include <string.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "store_int.h"

/* ---- protobuf primitives ------------------------------------------------- */

int decc__pb_varint(const uint8_t *in, size_t n, size_t *pos, uint64_t *v) {
  uint64_t r = 0;
  size_t p = *pos;
  for (unsigned i = 0; i < 10; i++) {
    if (p >= n)
      return -1;
    uint8_t b = in[p++];
    if (i == 9 && b > 1)
      return -1; /* beyond 64 bits */
    r |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *v = r;
      *pos = p;
      return 0;
    }
  }
  return -1;
}

int decc__pb_key(const uint8_t *in, size_t n, size_t *pos, uint64_t *field,
                 unsigned *wire) {
  uint64_t k;
  if (decc__pb_varint(in, n, pos, &k))
    return -1;
  *field = k >> 3;
  *wire = (unsigned)(k & 7);
  return *field == 0 ? -1 : 0;
}

int decc__pb_bytes(const uint8_t *in, size_t n, size_t *pos, const uint8_t **p,
                   size_t *len) {
  uint64_t l;
  if (decc__pb_varint(in, n, pos, &l))
    return -1;
  if (l > n - *pos)
    return -1;
  *p = in + *pos;
  *len = (size_t)l;
  *pos += (size_t)l;
  return 0;
}

size_t decc__pb_put_varint(uint8_t *out, uint64_t v) {
  size_t i = 0;
  while (v >= 0x80) {
    out[i++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[i++] = (uint8_t)v;
  return i;
}

size_t decc__pb_varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

static decc_status put_varint(decc_buf *b, uint64_t v) {
  uint8_t t[10];
  return decc_buf_append(b, t, decc__pb_put_varint(t, v));
}

/* Skips a field of an allowed wire type (varint, 64-bit, length, 32-bit). */
static int pb_skip(const uint8_t *in, size_t n, size_t *pos, unsigned wire) {
  uint64_t v;
  const uint8_t *p;
  size_t l;
  switch (wire) {
  case 0:
    return decc__pb_varint(in, n, pos, &v);
  case 1:
    if (n - *pos < 8)
      return -1;
    *pos += 8;
    return 0;
  case 2:
    return decc__pb_bytes(in, n, pos, &p, &l);
  case 5:
    if (n - *pos < 4)
      return -1;
    *pos += 4;
    return 0;
  default:
    return -1;
  }
}

/* ---- dag-pb -------------------------------------------------------------- */

static decc_status decode_link(decc_dagpb_link *l, const uint8_t *in, size_t n,
                               size_t idx, decc_err *err) {
  size_t pos = 0;
  uint64_t last = 0;
  memset(l, 0, sizeof *l);
  while (pos < n) {
    uint64_t f;
    unsigned w;
    if (decc__pb_key(in, n, &pos, &f, &w))
      return decc_err_set(err, DECC_E_PARSE, "dag-pb link %zu: bad key", idx);
    /* Fields must appear once each, in order Hash, Name, Tsize. */
    if (f <= last || f > 3)
      return decc_err_set(err, DECC_E_PARSE,
                          "dag-pb link %zu: unexpected field %llu", idx,
                          (unsigned long long)f);
    last = f;
    if (f == 1 || f == 2) {
      const uint8_t *p;
      size_t len;
      if (w != PB_LEN || decc__pb_bytes(in, n, &pos, &p, &len))
        return decc_err_set(err, DECC_E_PARSE, "dag-pb link %zu: bad %s field",
                            idx, f == 1 ? "Hash" : "Name");
      if (f == 1) {
        l->hash = p;
        l->hash_len = len;
      } else {
        l->name = (const char *)p;
        l->name_len = len;
        l->has_name = 1;
      }
    } else {
      if (w != PB_VARINT || decc__pb_varint(in, n, &pos, &l->tsize))
        return decc_err_set(err, DECC_E_PARSE,
                            "dag-pb link %zu: bad Tsize field", idx);
      l->has_tsize = 1;
    }
  }
  if (!l->hash)
    return decc_err_set(err, DECC_E_PARSE, "dag-pb link %zu: no Hash", idx);
  return DECC_OK;
}

decc_status decc_dagpb_decode(decc_dagpb_node *node, const uint8_t *block,
                              size_t n, size_t max_links, decc_err *err) {
  DECC_ARG_CHECK(node != NULL);
  DECC_ARG_CHECK(block != NULL || n == 0);
  memset(node, 0, sizeof *node);
  if (max_links == 0 || max_links > DECC_DAGPB_MAX_LINKS)
    max_links = DECC_DAGPB_MAX_LINKS;
  /* First pass: validate the framing and count the links, so the link array
   * is allocated once with its exact size. */
  size_t pos = 0, count = 0;
  int seen_data = 0;
  while (pos < n) {
    uint64_t f;
    unsigned w;
    const uint8_t *p;
    size_t len;
    if (decc__pb_key(block, n, &pos, &f, &w) || w != PB_LEN ||
        decc__pb_bytes(block, n, &pos, &p, &len))
      return decc_err_set(err, DECC_E_PARSE, "dag-pb: malformed field at %zu",
                          pos);
    if (f == 2) {
      if (seen_data)
        return decc_err_set(err, DECC_E_PARSE, "dag-pb: Links after Data");
      if (++count > max_links)
        return decc_err_set(err, DECC_E_LIMIT, "dag-pb: more than %zu links",
                            max_links);
    } else if (f == 1) {
      if (seen_data)
        return decc_err_set(err, DECC_E_PARSE, "dag-pb: duplicate Data");
      seen_data = 1;
      node->data = p;
      node->data_len = len;
      node->has_data = 1;
    } else {
      return decc_err_set(err, DECC_E_PARSE, "dag-pb: unknown field %llu",
                          (unsigned long long)f);
    }
  }
  if (count) {
    node->links = decc_calloc(count, sizeof *node->links);
    if (!node->links)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  pos = 0;
  for (size_t i = 0; i < count; i++) {
    uint64_t f;
    unsigned w;
    const uint8_t *p;
    size_t len;
    if (decc__pb_key(block, n, &pos, &f, &w) ||
        decc__pb_bytes(block, n, &pos, &p, &len)) {
      decc_dagpb_node_clear(node);
      return decc_err_set(err, DECC_E_PARSE, "dag-pb: malformed link");
    }
    decc_status st = decode_link(&node->links[i], p, len, i, err);
    if (st) {
      decc_dagpb_node_clear(node);
      return st;
    }
  }
  node->nlinks = count;
  return DECC_OK;
}

void decc_dagpb_node_clear(decc_dagpb_node *node) {
  if (!node)
    return;
  decc_free(node->links);
  memset(node, 0, sizeof *node);
}

decc_status decc_dagpb_encode(decc_buf *out, const decc_dagpb_node *node) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(node != NULL);
  DECC_ARG_CHECK(node->links != NULL || node->nlinks == 0);
  decc_status st = DECC_OK;
  for (size_t i = 0; i < node->nlinks && !st; i++) {
    const decc_dagpb_link *l = &node->links[i];
    size_t body = 1 + decc__pb_varint_len(l->hash_len) + l->hash_len;
    if (l->has_name)
      body += 1 + decc__pb_varint_len(l->name_len) + l->name_len;
    if (l->has_tsize)
      body += 1 + decc__pb_varint_len(l->tsize);
    st = decc_buf_append_byte(out, 0x12);
    if (!st)
      st = put_varint(out, body);
    if (!st)
      st = decc_buf_append_byte(out, 0x0a);
    if (!st)
      st = put_varint(out, l->hash_len);
    if (!st)
      st = decc_buf_append(out, l->hash, l->hash_len);
    if (!st && l->has_name) {
      st = decc_buf_append_byte(out, 0x12);
      if (!st)
        st = put_varint(out, l->name_len);
      if (!st)
        st = decc_buf_append(out, l->name, l->name_len);
    }
    if (!st && l->has_tsize) {
      st = decc_buf_append_byte(out, 0x18);
      if (!st)
        st = put_varint(out, l->tsize);
    }
  }
  if (!st && node->has_data) {
    st = decc_buf_append_byte(out, 0x0a);
    if (!st)
      st = put_varint(out, node->data_len);
    if (!st)
      st = decc_buf_append(out, node->data, node->data_len);
  }
  return st;
}

/* ---- UnixFS Data --------------------------------------------------------- */

static decc_status push_blocksize(decc_unixfs *u, size_t *cap, uint64_t v,
                                  decc_err *err) {
  if (u->nblocksizes >= DECC_DAGPB_MAX_LINKS)
    return decc_err_set(err, DECC_E_LIMIT, "unixfs: too many blocksizes");
  if (u->nblocksizes == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    uint64_t *nb = decc_realloc(u->blocksizes, nc * sizeof *nb);
    if (!nb)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    u->blocksizes = nb;
    *cap = nc;
  }
  u->blocksizes[u->nblocksizes++] = v;
  return DECC_OK;
}

decc_status decc_unixfs_decode(decc_unixfs *u, const uint8_t *in, size_t n,
                               decc_err *err) {
  DECC_ARG_CHECK(u != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  memset(u, 0, sizeof *u);
  u->type = -1;
  size_t pos = 0, cap = 0;
  decc_status st = DECC_OK;
  while (pos < n && !st) {
    uint64_t f, v;
    unsigned w;
    if (decc__pb_key(in, n, &pos, &f, &w)) {
      st = decc_err_set(err, DECC_E_PARSE, "unixfs: bad key");
      break;
    }
    if (f == 1 || f == 3) {
      if (w != PB_VARINT || decc__pb_varint(in, n, &pos, &v)) {
        st = decc_err_set(err, DECC_E_PARSE, "unixfs: bad %s",
                          f == 1 ? "Type" : "filesize");
      } else if (f == 1) {
        if (v > DECC_UNIXFS_HAMT_SHARD)
          st = decc_err_set(err, DECC_E_PARSE, "unixfs: unknown Type %llu",
                            (unsigned long long)v);
        u->type = (int)v;
      } else {
        u->filesize = v;
        u->has_filesize = 1;
      }
    } else if (f == 2) {
      if (w != PB_LEN || decc__pb_bytes(in, n, &pos, &u->data, &u->data_len))
        st = decc_err_set(err, DECC_E_PARSE, "unixfs: bad Data");
      u->has_data = !st;
    } else if (f == 4) {
      if (w == PB_VARINT) {
        if (decc__pb_varint(in, n, &pos, &v))
          st = decc_err_set(err, DECC_E_PARSE, "unixfs: bad blocksize");
        else
          st = push_blocksize(u, &cap, v, err);
      } else if (w == PB_LEN) { /* packed form, also valid proto2 */
        const uint8_t *p = NULL;
        size_t len = 0, q = 0;
        if (decc__pb_bytes(in, n, &pos, &p, &len))
          st = decc_err_set(err, DECC_E_PARSE, "unixfs: bad blocksizes");
        while (!st && q < len) {
          if (decc__pb_varint(p, len, &q, &v))
            st = decc_err_set(err, DECC_E_PARSE, "unixfs: bad blocksize");
          else
            st = push_blocksize(u, &cap, v, err);
        }
      } else {
        st = decc_err_set(err, DECC_E_PARSE, "unixfs: bad blocksizes");
      }
    } else if (f <= 8) { /* hashType, fanout, mode, mtime */
      if (pb_skip(in, n, &pos, w))
        st = decc_err_set(err, DECC_E_PARSE, "unixfs: bad field %llu",
                          (unsigned long long)f);
    } else {
      st = decc_err_set(err, DECC_E_PARSE, "unixfs: unknown field %llu",
                        (unsigned long long)f);
    }
  }
  if (!st && u->type < 0)
    st = decc_err_set(err, DECC_E_PARSE, "unixfs: missing Type");
  if (st)
    decc_unixfs_clear(u);
  return st;
}

void decc_unixfs_clear(decc_unixfs *u) {
  if (!u)
    return;
  decc_free(u->blocksizes);
  memset(u, 0, sizeof *u);
}

decc_status decc_unixfs_encode(decc_buf *out, const decc_unixfs *u) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(u != NULL);
  decc_status st = decc_buf_append_byte(out, 0x08);
  if (!st)
    st = put_varint(out, (uint64_t)u->type);
  /* ipfs-unixfs leaves an empty Data out entirely. */
  if (!st && u->has_data && u->data_len > 0) {
    st = decc_buf_append_byte(out, 0x12);
    if (!st)
      st = put_varint(out, u->data_len);
    if (!st)
      st = decc_buf_append(out, u->data, u->data_len);
  }
  if (!st && u->has_filesize) {
    st = decc_buf_append_byte(out, 0x18);
    if (!st)
      st = put_varint(out, u->filesize);
  }
  for (size_t i = 0; i < u->nblocksizes && !st; i++) {
    st = decc_buf_append_byte(out, 0x20);
    if (!st)
      st = put_varint(out, u->blocksizes[i]);
  }
  return st;
}
