/*
 * receipts.c — the receipt record (decc/receipts.h): its fixed big-endian
 * layout, digest, hash and signature, JSON rendering, reading a log file
 * frame by frame (a torn tail is reported, not fatal), and checking a log
 * on its own (sequence, hash links, signatures, replays).
 *
 * The layout is fixed-offset on purpose: a verifier in any language can
 * check a receipt with a keccak and an ecrecover, without a parser
 * (docs/receipts.md lists every byte).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "decc/receipts.h"
#include "receipts/rcpt_int.h"

/* Offsets of the record (docs/receipts.md). */
enum {
  O_MAGIC = 0,
  O_VERSION = 4,
  O_KIND = 5,
  O_PLEN = 6,
  O_SEQ = 8,
  O_TIME = 16,
  O_CTIME = 24,
  O_CHAINID = 32,
  O_PREV = 40,
  O_DATASET = 72,
  O_DEAL = 92,
  O_TASK = 124,
  O_TIDX = 156,
  O_APP = 164,
  O_APPCK = 184,
  O_DSCK = 216,
  O_REQ = 248,
  O_BENEF = 268,
  O_POOL = 288,
  O_WORKER = 308,
  O_ENCLAVE = 328,
  O_PRICE = 348,
  O_GRANT = 380,
  O_GEXP = 412,
  O_RHASH = 420,
  O_RSEAL = 452,
  O_RDIGEST = 484,
  O_ESIG = 516,
  O_PURPOSE = 581
};
_Static_assert(O_PURPOSE + 65 == DECC_RCPT_FIXED_LEN, "record layout");

void decc__rcpt_put64(uint8_t *p, uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8)
    p[i] = (uint8_t)v;
}

uint64_t decc__rcpt_get64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* Purpose text: UTF-8 without control characters (it is shown to people
 * and passed as an environment variable). */
int decc__rcpt_purpose_ok(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  if (n > DECC_RCPT_PURPOSE_MAX)
    return 0;
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    size_t k;
    uint32_t cp;
    if (c < 0x20 || c == 0x7f)
      return 0;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      k = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      k = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      k = 3, cp = c & 0x07;
    } else {
      return 0;
    }
    if (i + k >= n)
      return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((p[i + j] & 0xc0) != 0x80)
        return 0;
      cp = cp << 6 | (p[i + j] & 0x3f);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) ||
        (k == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
      return 0;
    i += k + 1;
  }
  return 1;
}

const char *decc_rcpt_kind_name(unsigned kind) {
  return kind == DECC_RCPT_KEY_RELEASE ? "key-release"
         : kind == DECC_RCPT_RESULT    ? "result"
                                       : "unknown";
}

decc_status decc_rcpt_encode(const decc_rcpt *r, uint8_t *out, size_t cap,
                             size_t *len) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(len != NULL);
  *len = 0;
  if ((r->kind != DECC_RCPT_KEY_RELEASE && r->kind != DECC_RCPT_RESULT) ||
      !decc__rcpt_purpose_ok(r->purpose, r->purpose_len))
    return DECC_E_INVALID;
  size_t n = DECC_RCPT_FIXED_LEN + r->purpose_len;
  if (cap < n)
    return DECC_E_LIMIT;
  memcpy(out + O_MAGIC, DECC_RCPT_MAGIC, 4);
  out[O_VERSION] = DECC_RCPT_VERSION;
  out[O_KIND] = r->kind;
  out[O_PLEN] = (uint8_t)(r->purpose_len >> 8);
  out[O_PLEN + 1] = (uint8_t)r->purpose_len;
  decc__rcpt_put64(out + O_SEQ, r->seq);
  decc__rcpt_put64(out + O_TIME, r->time);
  decc__rcpt_put64(out + O_CTIME, r->chain_time);
  decc__rcpt_put64(out + O_CHAINID, r->chain_id);
  memcpy(out + O_PREV, r->prev, 32);
  memcpy(out + O_DATASET, r->dataset.b, 20);
  memcpy(out + O_DEAL, r->deal_id, 32);
  memcpy(out + O_TASK, r->task_id, 32);
  decc__rcpt_put64(out + O_TIDX, r->task_index);
  memcpy(out + O_APP, r->app.b, 20);
  memcpy(out + O_APPCK, r->app_checksum, 32);
  memcpy(out + O_DSCK, r->dataset_checksum, 32);
  memcpy(out + O_REQ, r->requester.b, 20);
  memcpy(out + O_BENEF, r->beneficiary.b, 20);
  memcpy(out + O_POOL, r->workerpool.b, 20);
  memcpy(out + O_WORKER, r->worker.b, 20);
  memcpy(out + O_ENCLAVE, r->enclave.b, 20);
  memcpy(out + O_PRICE, r->price, 32);
  memcpy(out + O_GRANT, r->grant, 32);
  decc__rcpt_put64(out + O_GEXP, r->grant_expires);
  memcpy(out + O_RHASH, r->result_hash, 32);
  memcpy(out + O_RSEAL, r->result_seal, 32);
  memcpy(out + O_RDIGEST, r->result_digest, 32);
  memcpy(out + O_ESIG, r->enclave_sig, 65);
  memcpy(out + O_PURPOSE, r->purpose, r->purpose_len);
  memcpy(out + O_PURPOSE + r->purpose_len, r->sig, 65);
  *len = n;
  return DECC_OK;
}

decc_status decc_rcpt_decode(decc_rcpt *r, const uint8_t *p, size_t n,
                             decc_err *err) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(p != NULL || n == 0);
  memset(r, 0, sizeof *r);
  if (n < DECC_RCPT_FIXED_LEN)
    return decc_err_set(err, DECC_E_PARSE,
                        "receipt: %zu bytes, shorter than a record", n);
  if (memcmp(p, DECC_RCPT_MAGIC, 4) || p[O_VERSION] != DECC_RCPT_VERSION)
    return decc_err_set(err, DECC_E_PARSE,
                        "receipt: not a version-1 decc receipt (magic)");
  size_t plen = (size_t)p[O_PLEN] << 8 | p[O_PLEN + 1];
  if (plen > DECC_RCPT_PURPOSE_MAX || n != DECC_RCPT_FIXED_LEN + plen)
    return decc_err_set(err, DECC_E_PARSE,
                        "receipt: purpose length %zu does not match the "
                        "record size %zu",
                        plen, n);
  r->kind = p[O_KIND];
  if (r->kind != DECC_RCPT_KEY_RELEASE && r->kind != DECC_RCPT_RESULT)
    return decc_err_set(err, DECC_E_PARSE, "receipt: unknown kind %u", r->kind);
  if (!decc__rcpt_purpose_ok((const char *)p + O_PURPOSE, plen))
    return decc_err_set(err, DECC_E_PARSE,
                        "receipt: purpose is not printable UTF-8");
  r->seq = decc__rcpt_get64(p + O_SEQ);
  r->time = decc__rcpt_get64(p + O_TIME);
  r->chain_time = decc__rcpt_get64(p + O_CTIME);
  r->chain_id = decc__rcpt_get64(p + O_CHAINID);
  memcpy(r->prev, p + O_PREV, 32);
  memcpy(r->dataset.b, p + O_DATASET, 20);
  memcpy(r->deal_id, p + O_DEAL, 32);
  memcpy(r->task_id, p + O_TASK, 32);
  r->task_index = decc__rcpt_get64(p + O_TIDX);
  memcpy(r->app.b, p + O_APP, 20);
  memcpy(r->app_checksum, p + O_APPCK, 32);
  memcpy(r->dataset_checksum, p + O_DSCK, 32);
  memcpy(r->requester.b, p + O_REQ, 20);
  memcpy(r->beneficiary.b, p + O_BENEF, 20);
  memcpy(r->workerpool.b, p + O_POOL, 20);
  memcpy(r->worker.b, p + O_WORKER, 20);
  memcpy(r->enclave.b, p + O_ENCLAVE, 20);
  memcpy(r->price, p + O_PRICE, 32);
  memcpy(r->grant, p + O_GRANT, 32);
  r->grant_expires = decc__rcpt_get64(p + O_GEXP);
  memcpy(r->result_hash, p + O_RHASH, 32);
  memcpy(r->result_seal, p + O_RSEAL, 32);
  memcpy(r->result_digest, p + O_RDIGEST, 32);
  memcpy(r->enclave_sig, p + O_ESIG, 65);
  memcpy(r->purpose, p + O_PURPOSE, plen);
  r->purpose[plen] = 0;
  r->purpose_len = plen;
  memcpy(r->sig, p + O_PURPOSE + plen, 65);
  return DECC_OK;
}

decc_status decc_rcpt_digest(uint8_t out32[32], const decc_rcpt *r) {
  DECC_ARG_CHECK(out32 != NULL);
  DECC_ARG_CHECK(r != NULL);
  uint8_t b[DECC_RCPT_MAX_LEN];
  size_t n;
  decc_status st = decc_rcpt_encode(r, b, sizeof b, &n);
  if (st)
    return st;
  decc_keccak256(out32, b, n - 65);
  return DECC_OK;
}

decc_status decc_rcpt_hash(uint8_t out32[32], const decc_rcpt *r) {
  DECC_ARG_CHECK(out32 != NULL);
  DECC_ARG_CHECK(r != NULL);
  uint8_t b[DECC_RCPT_MAX_LEN];
  size_t n;
  decc_status st = decc_rcpt_encode(r, b, sizeof b, &n);
  if (st)
    return st;
  decc_keccak256(out32, b, n);
  return DECC_OK;
}

decc_status decc_rcpt_sign(decc_rcpt *r, const uint8_t sk32[32]) {
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  uint8_t d[32];
  decc_status st = decc_rcpt_digest(d, r);
  if (st)
    return st;
  return decc_sign_digest(r->sig, sk32, d);
}

decc_status decc_rcpt_signer(decc_address *out, const decc_rcpt *r) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(r != NULL);
  uint8_t d[32];
  if (decc_rcpt_digest(d, r))
    return DECC_E_BAD_SIGNATURE;
  return decc_recover_digest(out, d, r->sig);
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *jaddr(const decc_address *a) {
  char t[DECC_ADDRESS_HEX_LEN];
  return json_string(decc_address_to_checksum(t, a));
}

static int zero(const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (b[i])
      return 0;
  return 1;
}

json_t *decc__rcpt_json(const decc_rcpt *r) {
  decc_u256 price;
  char dec[DECC_U256_DEC_LEN];
  decc_u256_from_be(&price, r->price);
  uint8_t h[32];
  json_t *o = json_object();
  if (!o)
    return NULL;
  int bad = 0;
  bad |= json_object_set_new(o, "seq", json_integer((json_int_t)r->seq));
  bad |=
      json_object_set_new(o, "kind", json_string(decc_rcpt_kind_name(r->kind)));
  bad |= json_object_set_new(o, "time", json_integer((json_int_t)r->time));
  bad |= json_object_set_new(o, "chainTime",
                             json_integer((json_int_t)r->chain_time));
  bad |=
      json_object_set_new(o, "chainId", json_integer((json_int_t)r->chain_id));
  bad |= json_object_set_new(o, "dataset", jaddr(&r->dataset));
  bad |= json_object_set_new(o, "dealid", decc__json_hex(r->deal_id, 32));
  bad |= json_object_set_new(o, "taskid", decc__json_hex(r->task_id, 32));
  bad |= json_object_set_new(o, "taskIndex",
                             json_integer((json_int_t)r->task_index));
  bad |= json_object_set_new(o, "app", jaddr(&r->app));
  bad |= json_object_set_new(o, "appChecksum",
                             decc__json_hex(r->app_checksum, 32));
  bad |= json_object_set_new(o, "datasetChecksum",
                             decc__json_hex(r->dataset_checksum, 32));
  bad |= json_object_set_new(o, "requester", jaddr(&r->requester));
  bad |= json_object_set_new(o, "beneficiary", jaddr(&r->beneficiary));
  bad |= json_object_set_new(o, "workerpool", jaddr(&r->workerpool));
  bad |= json_object_set_new(o, "worker", jaddr(&r->worker));
  bad |= json_object_set_new(o, "enclave", jaddr(&r->enclave));
  bad |= json_object_set_new(o, "price",
                             json_string(decc_u256_to_dec(dec, &price)));
  bad |= json_object_set_new(o, "grant",
                             zero(r->grant, 32) ? json_null()
                                                : decc__json_hex(r->grant, 32));
  bad |= json_object_set_new(o, "grantExpires",
                             r->grant_expires
                                 ? json_integer((json_int_t)r->grant_expires)
                                 : json_null());
  bad |= json_object_set_new(o, "purpose",
                             json_stringn(r->purpose, r->purpose_len));
  if (r->kind == DECC_RCPT_RESULT) {
    bad |= json_object_set_new(o, "resultHash",
                               decc__json_hex(r->result_hash, 32));
    bad |= json_object_set_new(o, "resultSeal",
                               decc__json_hex(r->result_seal, 32));
    bad |= json_object_set_new(o, "resultDigest",
                               decc__json_hex(r->result_digest, 32));
    bad |= json_object_set_new(o, "enclaveSignature",
                               zero(r->enclave_sig, 65)
                                   ? json_null()
                                   : decc__json_hex(r->enclave_sig, 65));
  }
  bad |= json_object_set_new(o, "prev", decc__json_hex(r->prev, 32));
  if (decc_rcpt_hash(h, r) == DECC_OK)
    bad |= json_object_set_new(o, "hash", decc__json_hex(h, 32));
  bad |= json_object_set_new(o, "signature", decc__json_hex(r->sig, 65));
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

decc_status decc_rcpt_to_json(char **json, const decc_rcpt *r) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(r != NULL);
  json_t *o = decc__rcpt_json(r);
  *json = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

/* ---- reading ------------------------------------------------------------------ */

void decc_rcpt_list_clear(decc_rcpt_list *l) {
  if (!l)
    return;
  decc_free(l->items);
  memset(l, 0, sizeof *l);
}

decc_status decc_rcpt_log_path(char **path, const char *dir,
                               const decc_address *dataset) {
  DECC_ARG_CHECK(path != NULL);
  DECC_ARG_CHECK(dir != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  char a[DECC_ADDRESS_HEX_LEN];
  decc_address_to_hex(a, dataset);
  size_t n = strlen(dir) + 48;
  *path = decc_malloc(n);
  if (!*path)
    return DECC_E_NOMEM;
  snprintf(*path, n, "%s/%s.log", dir, a);
  return DECC_OK;
}

/* Where the file's content ends: after its last non-zero byte. What
 * follows is zero padding, the space an appender reserves ahead of its
 * frames (docs/receipts.md, "Log file"); a complete frame never ends in a
 * zero byte (its last byte is the signature's v, 27 or 28), so the cut
 * can only fall after a whole frame or inside an incomplete one. Reads
 * backwards through buf (cap bytes: one read covers a whole reservation).
 * Out: *content_end, *size. */
static decc_status content_end_of(int fd, uint8_t *buf, size_t cap,
                                  uint64_t *content_end, uint64_t *size,
                                  decc_err *err) {
  for (;;) {
    struct stat sb;
    if (fstat(fd, &sb))
      return decc_err_set(err, DECC_E_IO, "receipt log: %s", strerror(errno));
    *size = (uint64_t)sb.st_size;
    uint64_t end = *size;
    int shrunk = 0;
    while (end > 0 && !shrunk) {
      size_t n = end < cap ? (size_t)end : cap;
      ssize_t k;
      do
        k = pread(fd, buf, n, (off_t)(end - n));
      while (k < 0 && errno == EINTR);
      if (k < 0)
        return decc_err_set(err, DECC_E_IO, "receipt log: read: %s",
                            strerror(errno));
      if ((size_t)k != n) { /* shrunk under us: start again */
        shrunk = 1;
        break;
      }
      size_t z = n;
      while (z > 0 && buf[z - 1] == 0)
        z--;
      end -= n - z;
      if (z > 0)
        break;
    }
    if (!shrunk) {
      *content_end = end;
      return DECC_OK;
    }
  }
}

decc_status decc__rcpt_scan(int fd, uint64_t from, decc__rcpt_visit_fn visit,
                            void *ctx, decc__rcpt_tail *tail, decc_err *err) {
  memset(tail, 0, sizeof *tail);
  tail->end = from;
  tail->valid_end = from;
  /* A buffered reader: 64 KiB blocks, frames never longer than a record;
   * the content (not the padding) is read. */
  enum { CAP = 1 << 16 };
  uint8_t *buf = decc_malloc(CAP);
  if (!buf)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  uint64_t limit = 0, size = 0;
  decc_status st = content_end_of(fd, buf, CAP, &limit, &size, err);
  if (st) {
    decc_free(buf);
    return st;
  }
  if (limit < from)
    limit = from; /* only padding past `from` */
  tail->pad = size > limit ? size - limit : 0;
  size_t have = 0, pos = 0;
  uint64_t off = from, rpos = from;
  int eof = 0;
  for (;;) {
    if (have - pos < 4 + DECC_RCPT_MAX_LEN && !eof) {
      memmove(buf, buf + pos, have - pos);
      have -= pos;
      pos = 0;
      size_t want = CAP - have;
      if ((uint64_t)want > limit - rpos)
        want = (size_t)(limit - rpos);
      ssize_t k = 0;
      if (want)
        do
          k = pread(fd, buf + have, want, (off_t)rpos);
        while (k < 0 && errno == EINTR);
      if (k < 0) {
        st = decc_err_set(err, DECC_E_IO, "receipt log: read: %s",
                          strerror(errno));
        break;
      }
      if (k == 0)
        eof = 1;
      have += (size_t)k;
      rpos += (uint64_t)k;
      if (k > 0)
        continue;
    }
    size_t left = have - pos;
    if (left == 0)
      break;
    if (left < 4) {
      tail->torn = left;
      break;
    }
    uint32_t len = (uint32_t)buf[pos] << 24 | (uint32_t)buf[pos + 1] << 16 |
                   (uint32_t)buf[pos + 2] << 8 | buf[pos + 3];
    if (len < DECC_RCPT_FIXED_LEN || len > DECC_RCPT_MAX_LEN) {
      /* Not a frame we could ever have written: the rest of the file is
       * unreadable (frames have no resync marker); reported as one bad
       * frame spanning the rest. */
      tail->bad_frames++;
      tail->bad_bytes = left;
      if (limit > off) /* with the bytes not buffered yet */
        tail->bad_bytes = limit - off;
      break;
    }
    if (left < 4 + (size_t)len) {
      if (eof) {
        tail->torn = left;
        break;
      }
      continue; /* read more */
    }
    int ok = visit(ctx, buf + pos + 4, len, off);
    if (ok < 0) {
      st = tail->stop_status ? tail->stop_status : DECC_E_LIMIT;
      decc_err_set(err, st, "receipt log: too many records");
      break;
    }
    if (ok == 0)
      tail->bad_frames++;
    pos += 4 + (size_t)len;
    off += 4 + (uint64_t)len;
    tail->end = off;
    if (ok > 0)
      tail->valid_end = off;
    tail->n_frames++;
  }
  decc_free(buf);
  return st;
}

typedef struct read_ctx {
  decc_rcpt_list *l;
  size_t cap, max;
} read_ctx;

static int read_visit(void *vctx, const uint8_t *rec, size_t n, uint64_t off) {
  (void)off;
  read_ctx *c = vctx;
  decc_rcpt r;
  if (decc_rcpt_decode(&r, rec, n, NULL))
    return 0;
  if (c->l->n >= c->max)
    return -1;
  if (c->l->n == c->cap) {
    size_t nc = c->cap ? c->cap * 2 : 64;
    decc_rcpt *p = decc_realloc(c->l->items, nc * sizeof *p);
    if (!p)
      return -1;
    c->l->items = p;
    c->cap = nc;
  }
  c->l->items[c->l->n++] = r;
  return 1;
}

decc_status decc_rcpt_log_read(decc_rcpt_list *out, const char *path,
                               size_t max_records, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(path != NULL);
  memset(out, 0, sizeof *out);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return DECC_OK;
    return decc_err_set(err, DECC_E_IO, "receipt log %s: %s", path,
                        strerror(errno));
  }
  read_ctx c = {out, 0, max_records ? max_records : 10000000u};
  decc__rcpt_tail t;
  decc_status st = decc__rcpt_scan(fd, 0, read_visit, &c, &t, err);
  close(fd);
  if (st) {
    decc_rcpt_list_clear(out);
    return st;
  }
  out->torn_bytes = t.torn;
  out->bad_frames = t.bad_frames;
  return DECC_OK;
}

/* ---- verification of a log on its own ------------------------------------------ */

void decc_rcpt_report_clear(decc_rcpt_report *r) {
  if (!r)
    return;
  decc_free(r->issues);
  memset(r, 0, sizeof *r);
}

decc_status decc__rcpt_issue(decc_rcpt_report *rep, uint64_t seq,
                             const char *code, const char *fmt, ...) {
  if (rep->n % 16 == 0) {
    decc_rcpt_issue *p = decc_realloc(rep->issues, (rep->n + 16) * sizeof *p);
    if (!p)
      return DECC_E_NOMEM;
    rep->issues = p;
  }
  decc_rcpt_issue *i = &rep->issues[rep->n++];
  i->seq = seq;
  i->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(i->msg, sizeof i->msg, fmt, ap);
  va_end(ap);
  return DECC_OK;
}

/* Index of the KEY_RELEASE receipts by task id, for RESULT and replay
 * checks: a small open-addressing table (tasks are 32 random bytes). */
typedef struct task_ix {
  size_t cap;
  struct {
    uint8_t task[32];
    size_t release; /* index in the list + 1 of the first release */
    size_t result;  /* index + 1 of the RESULT receipt */
  } * slots;
} task_ix;

static size_t ix_find(task_ix *t, const uint8_t task[32], int insert) {
  size_t h = decc__rcpt_get64(task) & (t->cap - 1);
  for (;;) {
    if (!t->slots[h].release && !t->slots[h].result) {
      if (insert)
        memcpy(t->slots[h].task, task, 32);
      return insert ? h : SIZE_MAX;
    }
    if (!memcmp(t->slots[h].task, task, 32))
      return h;
    h = (h + 1) & (t->cap - 1);
  }
}

decc_status decc_rcpt_verify_log(decc_rcpt_report *rep, const decc_rcpt_list *l,
                                 const decc_address *dataset,
                                 const decc_address *signer, decc_err *err) {
  DECC_ARG_CHECK(rep != NULL);
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  memset(rep, 0, sizeof *rep);
  decc_status st = DECC_OK;
  task_ix ix = {0, NULL};
#define ISSUE(...)                                                             \
  do {                                                                         \
    if ((st = decc__rcpt_issue(rep, __VA_ARGS__)))                             \
      goto nomem;                                                              \
  } while (0)
  /* A torn tail is what a crash leaves, not tampering: reported in
   * rep->torn_bytes, not as an issue. */
  rep->torn_bytes = l->torn_bytes;
  if (l->bad_frames)
    ISSUE(UINT64_MAX, "BAD_FRAME",
          "%llu frame(s) of the log are not receipts (corrupted or edited "
          "file)",
          (unsigned long long)l->bad_frames);
  ix.cap = 64;
  while (ix.cap < l->n * 2)
    ix.cap *= 2;
  ix.slots = decc_calloc(ix.cap, sizeof *ix.slots);
  if (!ix.slots)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  uint8_t prev[32] = {0};
  int have_signer = signer != NULL;
  if (signer)
    rep->signer = *signer;
  for (size_t i = 0; i < l->n; i++) {
    const decc_rcpt *r = &l->items[i];
    char a[DECC_ADDRESS_HEX_LEN];
    rep->checked++;
    if (dataset && !decc_address_eq(&r->dataset, dataset))
      ISSUE(r->seq, "WRONG_DATASET",
            "receipt %llu is for dataset %s, not this log's",
            (unsigned long long)r->seq,
            decc_address_to_checksum(a, &r->dataset));
    if (r->seq != i)
      ISSUE(r->seq, "SEQ_GAP",
            "receipt at position %zu has sequence number %llu: a receipt "
            "was removed, inserted or reordered",
            i, (unsigned long long)r->seq);
    if (memcmp(r->prev, prev, 32))
      ISSUE(r->seq, "CHAIN_BROKEN",
            "receipt %llu does not link to the receipt before it (hash "
            "chain broken: removed, reordered or forged)",
            (unsigned long long)r->seq);
    decc_address who;
    if (decc_rcpt_signer(&who, r)) {
      ISSUE(r->seq, "BAD_SIGNATURE", "receipt %llu has no valid signature",
            (unsigned long long)r->seq);
    } else if (!have_signer) {
      rep->signer = who;
      have_signer = 1;
    } else if (!decc_address_eq(&who, &rep->signer)) {
      char b[DECC_ADDRESS_HEX_LEN];
      ISSUE(r->seq, "BAD_SIGNATURE",
            "receipt %llu is signed by %s, not by the SMS %s (forged)",
            (unsigned long long)r->seq, decc_address_to_checksum(a, &who),
            decc_address_to_checksum(b, &rep->signer));
    }
    size_t h = ix_find(&ix, r->task_id, 1);
    if (r->kind == DECC_RCPT_KEY_RELEASE) {
      if (ix.slots[h].release) {
        const decc_rcpt *p = &l->items[ix.slots[h].release - 1];
        /* The SMS may release a task's key again (a worker retrying a
         * session): a distinct receipt. The same receipt body at another
         * position is a replay. */
        if (p->time == r->time && p->chain_time == r->chain_time &&
            decc_address_eq(&p->worker, &r->worker) &&
            !memcmp(p->sig, r->sig, 32))
          ISSUE(r->seq, "REPLAYED",
                "receipt %llu repeats receipt %llu (replayed)",
                (unsigned long long)r->seq, (unsigned long long)p->seq);
      } else {
        ix.slots[h].release = i + 1;
      }
    } else {
      if (!ix.slots[h].release)
        ISSUE(r->seq, "RESULT_WITHOUT_RELEASE",
              "result receipt %llu names a task whose key release is not "
              "in the log before it",
              (unsigned long long)r->seq);
      if (ix.slots[h].result)
        ISSUE(r->seq, "REPLAYED",
              "result receipt %llu repeats the result of receipt %llu",
              (unsigned long long)r->seq,
              (unsigned long long)l->items[ix.slots[h].result - 1].seq);
      else
        ix.slots[h].result = i + 1;
      if (!zero(r->enclave_sig, 65)) {
        uint8_t msg[32];
        decc_address e;
        decc_poco_enclave_message(msg, r->result_hash, r->result_seal);
        if (decc_eip191_recover(&e, msg, 32, r->enclave_sig) ||
            !decc_address_eq(&e, &r->enclave))
          ISSUE(r->seq, "BAD_ENCLAVE_SIGNATURE",
                "result receipt %llu: the enclave signature does not "
                "recover to the task's enclave %s",
                (unsigned long long)r->seq,
                decc_address_to_checksum(a, &r->enclave));
      }
    }
    if (decc_rcpt_hash(prev, r))
      memset(prev, 0, 32);
  }
  decc_free(ix.slots);
  return DECC_OK;
nomem:
  decc_free(ix.slots);
  decc_rcpt_report_clear(rep);
  return decc_err_set(err, DECC_E_NOMEM, "out of memory");
#undef ISSUE
}

decc_status decc_rcpt_report_to_json(char **json, const decc_rcpt_report *rep) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(rep != NULL);
  *json = NULL;
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < rep->n; i++) {
    const decc_rcpt_issue *is = &rep->issues[i];
    json_t *o = json_pack(
        "{s:o,s:s,s:s}", "seq",
        is->seq == UINT64_MAX ? json_null() : json_integer((json_int_t)is->seq),
        "code", is->code, "message", is->msg);
    if (!o || json_array_append_new(arr, o)) {
      json_decref(arr);
      arr = NULL;
    }
  }
  json_t *root = arr ? json_pack("{s:b,s:I,s:I,s:o,s:o}", "ok", rep->n == 0,
                                 "checked", (json_int_t)rep->checked,
                                 "chainChecked", (json_int_t)rep->chain_checked,
                                 "signer", jaddr(&rep->signer), "issues", arr)
                     : NULL;
  if (root)
    *json = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

void decc_rcpt_read_challenge(uint8_t out32[32], const decc_address *dataset,
                              uint64_t timestamp) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(dataset != NULL);
  static const char tag[] = "DECC-RECEIPTS-READ-V1";
  uint8_t b[sizeof tag - 1 + 20 + 8];
  memcpy(b, tag, sizeof tag - 1);
  memcpy(b + sizeof tag - 1, dataset->b, 20);
  decc__rcpt_put64(b + sizeof tag - 1 + 20, timestamp);
  decc_keccak256(out32, b, sizeof b);
}
