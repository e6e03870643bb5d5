/*
 * serialize.c — writes a data object as the protected-data zip.
 *
 * decc writes the archive itself instead of going through libzip because
 * the goal is the exact layout JSZip (used by the SDK) produces with its
 * defaults: every entry stored, local header "version needed" 1.0, central
 * "version made by" 2.0/MS-DOS, no extra fields, no data descriptors,
 * directory entries flagged with the DOS directory attribute 0x10, entries
 * in object order with a "dir/" entry before a nested object's entries.
 * The only difference from the SDK is the timestamp, fixed at 1980-01-01
 * 00:00 (DOS date 0x0021, time 0) so the same object always gives the same
 * bytes. Values are streamed to a sink so a large value is never copied,
 * and a file-backed value (pd_file.c) is never in memory at all.
 *
 * zip64 (PKWARE APPNOTE 6.3.x 4.3.14-4.3.16, 4.4.1.4, 4.5.3), which JSZip
 * never writes, is used exactly where the classic fields overflow: an
 * entry whose size or local header offset is 0xFFFFFFFF or more gets the
 * zip64 extra field and "version needed" 4.5, and an archive with 65535
 * entries or more, or a central directory at or past 0xFFFFFFFF, gets the
 * zip64 end records. Everything below those limits — every archive the SDK
 * can produce — keeps the JSZip bytes (docs/iexec-protocol.md §3.2 step 3).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "protect_int.h"

#define DOS_TIME 0x0000
#define DOS_DATE 0x0021   /* 1980-01-01 */
#define Z16 0xFFFFu       /* a 16-bit field that overflowed: see zip64 */
#define Z32 0xFFFFFFFFull /* a 32-bit field that overflowed: see zip64 */

typedef decc_status (*sink_fn)(void *ctx, const void *p, size_t n);

typedef struct zw {
  sink_fn sink;
  void *ctx;
  uint64_t off;
  uint64_t count;
  int force64; /* decc__pd_zip64_force: zip64 records whatever the sizes */
  decc_buf cd;
  uint8_t *name; /* current entry name (a path stack) */
  size_t nlen, ncap;
  decc_err *err;
} zw;

static void le16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void le32(uint8_t *p, uint32_t v) {
  le16(p, v & 0xFFFF);
  le16(p + 2, v >> 16);
}
static void le64(uint8_t *p, uint64_t v) {
  le32(p, (uint32_t)v);
  le32(p + 4, (uint32_t)(v >> 32));
}

/* ---- headers ----------------------------------------------------------------
 * Built apart from the writer so tests can check them at the 32-bit edges
 * (0xFFFFFFFE / 0xFFFFFFFF) without writing 4 GiB. */

static int g_force64; /* tests only (decc__pd_zip64_force) */

void decc__pd_zip64_force(int on) {
  __atomic_store_n(&g_force64, on ? 1 : 0, __ATOMIC_RELAXED);
}

/* "version needed to extract": 1.0 as JSZip writes it, 4.5 for an entry
 * that uses zip64 (APPNOTE 4.4.3.2). Its low byte is also the "version
 * made by" of the central header, whose high byte 0 says MS-DOS. */
static uint32_t version_of(int zip64) { return zip64 ? 45 : 10; }

void decc__zip_local_header(decc__zip_hdr *h, uint32_t crc, uint64_t size,
                            size_t name_len, uint64_t offset, int force) {
  int big = force || size >= Z32;
  int z64 = big || offset >= Z32;
  memset(h, 0, sizeof *h);
  uint8_t *p = h->fixed;
  le32(p, 0x04034b50);
  le16(p + 4, version_of(z64));
  le16(p + 6, 0); /* flags */
  le16(p + 8, 0); /* method: stored */
  le16(p + 10, DOS_TIME);
  le16(p + 12, DOS_DATE);
  le32(p + 14, crc);
  le32(p + 18, big ? (uint32_t)Z32 : (uint32_t)size); /* compressed */
  le32(p + 22, big ? (uint32_t)Z32 : (uint32_t)size); /* original */
  le16(p + 26, (uint32_t)name_len);
  h->fixed_len = 30;
  if (big) {
    /* In a local header the extra field holds both sizes as soon as one
     * of them is 0xFFFFFFFF (APPNOTE 4.5.3). */
    uint8_t *x = h->extra;
    le16(x, 0x0001);
    le16(x + 2, 16);
    le64(x + 4, size);  /* original */
    le64(x + 12, size); /* compressed (stored: the same) */
    h->extra_len = 20;
  }
  le16(p + 28, (uint32_t)h->extra_len);
}

void decc__zip_central_header(decc__zip_hdr *h, int is_dir, uint32_t crc,
                              uint64_t size, size_t name_len, uint64_t offset,
                              int force) {
  int big = force || size >= Z32;
  int far = force || offset >= Z32;
  int z64 = big || far;
  memset(h, 0, sizeof *h);
  uint8_t *p = h->fixed;
  le32(p, 0x02014b50);
  le16(p + 4, z64 ? 45 : 0x0014); /* made by: 4.5 or JSZip's 2.0 */
  le16(p + 6, version_of(z64));
  le16(p + 8, 0);
  le16(p + 10, 0);
  le16(p + 12, DOS_TIME);
  le16(p + 14, DOS_DATE);
  le32(p + 16, crc);
  le32(p + 20, big ? (uint32_t)Z32 : (uint32_t)size); /* compressed */
  le32(p + 24, big ? (uint32_t)Z32 : (uint32_t)size); /* original */
  le16(p + 28, (uint32_t)name_len);
  /* comment length, disk number start, internal attributes: 0 */
  le32(p + 38, is_dir ? 0x10 : 0);
  le32(p + 42, far ? (uint32_t)Z32 : (uint32_t)offset);
  h->fixed_len = 46;
  if (z64) {
    /* Only the fields whose 32-bit slot is 0xFFFFFFFF, in this order:
     * original size, compressed size, local header offset (APPNOTE
     * 4.5.3; the disk number never overflows here). */
    uint8_t *x = h->extra;
    size_t k = 4;
    if (big) {
      le64(x + k, size);
      le64(x + k + 8, size);
      k += 16;
    }
    if (far) {
      le64(x + k, offset);
      k += 8;
    }
    le16(x, 0x0001);
    le16(x + 2, (uint32_t)(k - 4));
    h->extra_len = k;
  }
  le16(p + 30, (uint32_t)h->extra_len);
}

size_t decc__zip_end_records(uint8_t out[DECC__ZIP_END_MAX], uint64_t count,
                             uint64_t cd_size, uint64_t cd_off, int force) {
  int many = force || count >= Z16;
  int big = force || cd_size >= Z32;
  int far = force || cd_off >= Z32;
  size_t n = 0;
  if (many || big || far) {
    /* zip64 end of central directory record (APPNOTE 4.3.14), right
     * after the central directory, then its locator (4.3.15). */
    uint8_t *r = out;
    memset(r, 0, 56 + 20);
    le32(r, 0x06064b50);
    le64(r + 4, 56 - 12); /* size of the record after this field */
    le16(r + 12, 45);     /* version made by (MS-DOS) */
    le16(r + 14, 45);     /* version needed */
    /* this disk, disk of the directory: 0 */
    le64(r + 24, count);
    le64(r + 32, count);
    le64(r + 40, cd_size);
    le64(r + 48, cd_off);
    uint8_t *l = out + 56;
    le32(l, 0x07064b50);
    /* disk of the zip64 record: 0 */
    le64(l + 8, cd_off + cd_size);
    le32(l + 16, 1); /* total number of disks */
    n = 56 + 20;
  }
  /* The classic record; a field too small for its value holds 0xFFFF /
   * 0xFFFFFFFF and readers take it from the zip64 record (4.4.1.4). */
  uint8_t *e = out + n;
  memset(e, 0, 22);
  le32(e, 0x06054b50);
  le16(e + 8, many ? Z16 : (uint32_t)count);
  le16(e + 10, many ? Z16 : (uint32_t)count);
  le32(e + 12, big ? (uint32_t)Z32 : (uint32_t)cd_size);
  le32(e + 16, far ? (uint32_t)Z32 : (uint32_t)cd_off);
  return n + 22;
}

static decc_status put(zw *w, const void *p, size_t n) {
  if (!n)
    return DECC_OK;
  decc_status st = w->sink(w->ctx, p, n);
  if (st == DECC_OK)
    w->off += n;
  else if (w->err && w->err->code == DECC_OK)
    decc_err_set(w->err, st, "writing the zip: %s", decc_strerror(st));
  return st;
}

static decc_status name_push(zw *w, const void *p, size_t n) {
  if (w->nlen + n > 0xFFFF)
    return decc_err_set(w->err, DECC_E_LIMIT, "entry name too long");
  if (w->nlen + n > w->ncap) {
    size_t nc = (w->nlen + n) * 2 + 32;
    uint8_t *nn = decc_realloc(w->name, nc);
    if (!nn)
      return decc_err_set(w->err, DECC_E_NOMEM, "out of memory");
    w->name = nn;
    w->ncap = nc;
  }
  memcpy(w->name + w->nlen, p, n);
  w->nlen += n;
  return DECC_OK;
}

/* Records the central directory entry and writes the local header and
 * name of an entry named w->name; its size bytes of data must follow. */
static decc_status entry_head(zw *w, int is_dir, uint32_t crc, uint64_t size) {
  decc__zip_hdr lh, ch;
  decc__zip_local_header(&lh, crc, size, w->nlen, w->off, w->force64);
  decc__zip_central_header(&ch, is_dir, crc, size, w->nlen, w->off, w->force64);
  decc_status st = decc_buf_append(&w->cd, ch.fixed, ch.fixed_len);
  if (st == DECC_OK)
    st = decc_buf_append(&w->cd, w->name, w->nlen);
  if (st == DECC_OK)
    st = decc_buf_append(&w->cd, ch.extra, ch.extra_len);
  if (st != DECC_OK)
    return decc_err_set(w->err, st, "zip directory: %s", decc_strerror(st));
  if ((st = put(w, lh.fixed, lh.fixed_len)) != DECC_OK ||
      (st = put(w, w->name, w->nlen)) != DECC_OK ||
      (st = put(w, lh.extra, lh.extra_len)) != DECC_OK)
    return st;
  w->count++;
  return DECC_OK;
}

/* One entry named w->name; data = pre ‖ body (pre: the borsh length prefix
 * of a string, or nothing). */
static decc_status entry(zw *w, int is_dir, const uint8_t *pre, size_t pre_len,
                         const uint8_t *body, size_t body_len) {
  uint64_t size = (uint64_t)pre_len + body_len;
  decc_status st;
  uint32_t crc = decc__crc32(0, pre, pre_len);
  crc = decc__crc32(crc, body, body_len);
  if ((st = entry_head(w, is_dir, crc, size)) != DECC_OK ||
      (st = put(w, pre, pre_len)) != DECC_OK ||
      (st = put(w, body, body_len)) != DECC_OK)
    return st;
  return DECC_OK;
}

/* A file-backed binary value: the headers once its CRC is known, then its
 * bytes straight from the file (pd_file.c). */
typedef struct file_entry {
  zw *w;
  uint64_t size;
} file_entry;

static decc_status file_begin(void *ctx, uint32_t crc) {
  file_entry *f = ctx;
  return entry_head(f->w, 0, crc, f->size);
}

static decc_status file_put(void *ctx, const void *p, size_t n) {
  return put(ctx, p, n);
}

static decc_status entry_file(zw *w, const decc_pd *n) {
  file_entry f = {w, n->file_len};
  return decc__pd_file_stream(n, file_begin, &f, file_put, w, w->err);
}

static decc_status leaf(zw *w, const decc_pd *n, decc_pd_format fmt) {
  uint8_t small[48];
  switch (n->kind) {
  case DECC_PD_BOOL:
    small[0] = n->u.b ? 1 : 0;
    return entry(w, 0, NULL, 0, small, 1);
  case DECC_PD_NUMBER:
    if (fmt == DECC_PD_LEGACY) {
      /* Safe integers only (validated): plain decimal, and -0 prints "0"
       * as JavaScript's toString does. */
      double d = n->u.num == 0 ? 0.0 : n->u.num;
      int k = snprintf((char *)small, sizeof small, "%.0f", d);
      return entry(w, 0, NULL, 0, small, (size_t)k);
    } else {
      uint64_t bits;
      memcpy(&bits, &n->u.num, 8);
      for (int i = 0; i < 8; i++)
        small[i] = (uint8_t)(bits >> (8 * i));
      return entry(w, 0, NULL, 0, small, 8);
    }
  case DECC_PD_I128: {
    int neg, big;
    decc__u128 mag;
    if (decc__i128_parse((const char *)n->u.bytes.data, n->u.bytes.len, &neg,
                         &mag, &big) != DECC_OK ||
        big)
      return decc_err_set(w->err, DECC_E_INVALID, "bad i128 value");
    decc__i128_encode(small, neg, mag);
    return entry(w, 0, NULL, 0, small, 16);
  }
  case DECC_PD_STRING:
    if (fmt == DECC_PD_V2) {
      if (n->u.bytes.len > 0xFFFFFFFFu)
        return decc_err_set(w->err, DECC_E_LIMIT, "string too long");
      uint8_t pre[4];
      le32(pre, (uint32_t)n->u.bytes.len);
      return entry(w, 0, pre, 4, n->u.bytes.data, n->u.bytes.len);
    }
    return entry(w, 0, NULL, 0, n->u.bytes.data, n->u.bytes.len);
  case DECC_PD_BINARY:
    if (n->file)
      return entry_file(w, n);
    return entry(w, 0, NULL, 0, n->u.bytes.data, n->u.bytes.len);
  default:
    return decc_err_set(w->err, DECC_E_INVALID, "unsupported value");
  }
}

static decc_status walk(zw *w, const decc_pd *obj, decc_pd_format fmt) {
  size_t base = w->nlen;
  for (size_t i = 0; i < obj->u.obj.n; i++) {
    const pd_entry *e = &obj->u.obj.items[i];
    decc_status st = name_push(w, e->key, e->key_len);
    if (st != DECC_OK)
      return st;
    if (e->node->kind == DECC_PD_OBJECT) {
      if ((st = name_push(w, "/", 1)) != DECC_OK ||
          (st = entry(w, 1, NULL, 0, NULL, 0)) != DECC_OK ||
          (st = walk(w, e->node, fmt)) != DECC_OK)
        return st;
    } else if ((st = leaf(w, e->node, fmt)) != DECC_OK) {
      return st;
    }
    w->nlen = base;
  }
  return DECC_OK;
}

static decc_status finish(zw *w) {
  uint8_t end[DECC__ZIP_END_MAX];
  size_t n =
      decc__zip_end_records(end, w->count, w->cd.len, w->off, w->force64);
  decc_status st = put(w, w->cd.data, w->cd.len);
  if (st == DECC_OK)
    st = put(w, end, n);
  return st;
}

static decc_status run(const decc_pd *root, decc_pd_format fmt, sink_fn sink,
                       void *ctx, decc_err *err) {
  decc_status st = decc_pd_validate(root, fmt, NULL, err);
  if (st != DECC_OK)
    return st;
  zw w = {.sink = sink,
          .ctx = ctx,
          .err = err,
          .force64 = __atomic_load_n(&g_force64, __ATOMIC_RELAXED)};
  decc_buf_init(&w.cd, 0);
  st = walk(&w, root, fmt);
  if (st == DECC_OK)
    st = finish(&w);
  decc_buf_clear(&w.cd);
  decc_free(w.name);
  return st;
}

static decc_status buf_sink(void *ctx, const void *p, size_t n) {
  return decc_buf_append(ctx, p, n);
}

decc_status decc_pd_serialize(const decc_pd *root, decc_pd_format fmt,
                              decc_buf *out, decc_err *err) {
  DECC_ARG_CHECK(root != NULL);
  DECC_ARG_CHECK(out != NULL);
  return run(root, fmt, buf_sink, out, err);
}

decc_status decc_pd_serialize_stream(const decc_pd *root, decc_pd_format fmt,
                                     decc_pd_sink_fn sink, void *ctx,
                                     decc_err *err) {
  DECC_ARG_CHECK(root != NULL);
  DECC_ARG_CHECK(sink != NULL);
  return run(root, fmt, sink, ctx, err);
}

typedef struct fd_sink_ctx {
  int fd;
  int err_no;
} fd_sink_ctx;

static decc_status fd_sink(void *ctx, const void *p, size_t n) {
  fd_sink_ctx *c = ctx;
  const uint8_t *q = p;
  while (n) {
    ssize_t k = write(c->fd, q, n > (1u << 30) ? (1u << 30) : n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      c->err_no = k < 0 ? errno : EIO;
      return DECC_E_IO;
    }
    q += k;
    n -= (size_t)k;
  }
  return DECC_OK;
}

decc_status decc_pd_serialize_file(const decc_pd *root, decc_pd_format fmt,
                                   const char *path, decc_err *err) {
  DECC_ARG_CHECK(root != NULL);
  DECC_ARG_CHECK(path != NULL);
  decc_status st = decc_pd_validate(root, fmt, NULL, err);
  if (st != DECC_OK)
    return st;
  /* Plain protected data: readable by its owner only (0600), written
   * whole or not at all (core's atomic file). */
  decc__atomic_file af;
  st = decc__atomic_open(&af, path, 0600u, err);
  if (st != DECC_OK)
    return st;
  fd_sink_ctx c = {af.fd, 0};
  decc_err local;
  decc_err_clear(&local);
  st = run(root, fmt, fd_sink, &c, &local);
  if (st != DECC_OK) {
    decc__atomic_abort(&af);
    if (st == DECC_E_IO && c.err_no)
      decc_err_set(err, st, "%s: %s", path, strerror(c.err_no));
    else if (err)
      *err = local;
    return st;
  }
  return decc__atomic_commit(&af, err);
}
