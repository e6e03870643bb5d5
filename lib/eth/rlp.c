/*
 * rlp.c — Recursive Length Prefix encoding (Ethereum Yellow Paper,
 * appendix B) with a strict canonical decoder (see decc/rlp.h).
 *
 * The encoder writes list payloads in place and, when a list closes,
 * inserts its header in front by moving the payload: the header size is
 * only known once the payload length is. Headers are at most 9 bytes, so
 * the move is cheap next to the hashing and signing that follow.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/rlp.h"

/* ---- encoder ---------------------------------------------------------------- */

void decc_rlp_enc_init(decc_rlp_enc *e, size_t max_len) {
  DECC_ARG_CHECK_VOID(e != NULL);
  memset(e, 0, sizeof *e);
  decc_buf_init(&e->buf, max_len ? max_len : DECC_RLP_DEFAULT_MAX);
}

void decc_rlp_enc_clear(decc_rlp_enc *e) {
  DECC_ARG_CHECK_VOID(e != NULL);
  decc_buf_clear(&e->buf);
  e->depth = 0;
  e->err = DECC_OK;
}

static decc_status rfail(decc_rlp_enc *e, decc_status st) {
  if (!e->err)
    e->err = st;
  return e->err;
}

/* Writes a header for a payload of n bytes with base 0x80 (string) or 0xc0
 * (list). Returns its length (1..9). */
static size_t put_header(uint8_t hdr[9], size_t n, uint8_t base) {
  if (n < 56) {
    hdr[0] = (uint8_t)(base + n);
    return 1;
  }
  size_t k = 0;
  for (size_t t = n; t; t >>= 8)
    k++;
  hdr[0] = (uint8_t)(base + 55 + k);
  for (size_t i = 0; i < k; i++)
    hdr[k - i] = (uint8_t)(n >> (8 * i));
  return k + 1;
}

decc_status decc_rlp_enc_push_bytes(decc_rlp_enc *e, const void *p, size_t n) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(p != NULL || n == 0);
  if (e->err)
    return e->err;
  const uint8_t *b = p;
  decc_status st;
  if (n == 1 && b[0] < 0x80) {
    st = decc_buf_append_byte(&e->buf, b[0]);
  } else {
    uint8_t hdr[9];
    size_t h = put_header(hdr, n, 0x80);
    st = decc_buf_reserve(&e->buf, h + n);
    if (!st)
      st = decc_buf_append(&e->buf, hdr, h);
    if (!st && n)
      st = decc_buf_append(&e->buf, p, n);
  }
  return st ? rfail(e, st) : DECC_OK;
}

decc_status decc_rlp_enc_push_u64(decc_rlp_enc *e, uint64_t v) {
  DECC_ARG_CHECK(e != NULL);
  uint8_t b[8];
  size_t k = 0;
  for (int i = 7; i >= 0; i--) {
    uint8_t x = (uint8_t)(v >> (8 * i));
    if (k || x)
      b[k++] = x;
  }
  return decc_rlp_enc_push_bytes(e, b, k);
}

decc_status decc_rlp_enc_push_u256(decc_rlp_enc *e, const decc_u256 *v) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(v != NULL);
  uint8_t w[32];
  decc_u256_to_be(w, v);
  size_t z = 0;
  while (z < 32 && w[z] == 0)
    z++;
  return decc_rlp_enc_push_bytes(e, w + z, 32 - z);
}

decc_status decc_rlp_enc_push_raw(decc_rlp_enc *e, const void *p, size_t n) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(p != NULL || n == 0);
  if (e->err)
    return e->err;
  decc_status st = decc_buf_append(&e->buf, p, n);
  return st ? rfail(e, st) : DECC_OK;
}

decc_status decc_rlp_enc_begin_list(decc_rlp_enc *e) {
  DECC_ARG_CHECK(e != NULL);
  if (e->err)
    return e->err;
  if (e->depth >= DECC_RLP_MAX_DEPTH)
    return rfail(e, DECC_E_LIMIT);
  e->open[e->depth++] = e->buf.len;
  return DECC_OK;
}

decc_status decc_rlp_enc_end_list(decc_rlp_enc *e) {
  DECC_ARG_CHECK(e != NULL);
  if (e->err)
    return e->err;
  if (e->depth == 0)
    return rfail(e, DECC_E_STATE);
  size_t start = e->open[--e->depth];
  size_t n = e->buf.len - start;
  uint8_t hdr[9];
  size_t h = put_header(hdr, n, 0xc0);
  uint8_t *tail;
  decc_status st = decc_buf_extend(&e->buf, h, &tail);
  if (st)
    return rfail(e, st);
  memmove(e->buf.data + start + h, e->buf.data + start, n);
  memcpy(e->buf.data + start, hdr, h);
  return DECC_OK;
}

decc_status decc_rlp_enc_finish(decc_rlp_enc *e, decc_buf *out) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_status st = e->err;
  if (!st && e->depth)
    st = DECC_E_STATE;
  if (!st)
    st = decc_buf_append(out, e->buf.data, e->buf.len);
  decc_buf_reset(&e->buf);
  e->depth = 0;
  e->err = DECC_OK;
  return st;
}

/* ---- decoder ---------------------------------------------------------------- */

static decc_status perr(decc_err *err, const char *what, size_t off) {
  return decc_err_set(err, DECC_E_PARSE, "rlp: %s at byte %zu", what, off);
}

/* Decodes the header at in[0..len); `base` is the offset of in within the
 * outermost input, for messages only. */
static decc_status decode_at(decc_rlp_item *item, const uint8_t *in, size_t len,
                             size_t base, decc_err *err) {
  if (len == 0)
    return perr(err, "unexpected end of input", base);
  uint8_t b = in[0];
  size_t hdr, n;
  int is_list = b >= 0xc0;
  if (b < 0x80) {
    item->is_list = 0;
    item->data = in;
    item->len = 1;
    item->raw = in;
    item->raw_len = 1;
    return DECC_OK;
  }
  uint8_t short_base = is_list ? 0xc0 : 0x80;
  if (b <= short_base + 55) {
    hdr = 1;
    n = (size_t)(b - short_base);
    if (!is_list && n == 1) {
      if (len < 2)
        return perr(err, "length past the end", base);
      if (in[1] < 0x80)
        return perr(err, "single byte below 0x80 wrapped in a string", base);
    }
  } else {
    size_t k = (size_t)(b - short_base - 55); /* 1..8 */
    if (len - 1 < k)
      return perr(err, "length past the end", base);
    if (in[1] == 0)
      return perr(err, "leading zero in length", base);
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++)
      v = (v << 8) | in[1 + i];
    if (v < 56)
      return perr(err, "long form for a short payload", base);
    if (v > SIZE_MAX)
      return perr(err, "length past the end", base);
    hdr = 1 + k;
    n = (size_t)v;
  }
  if (n > len - hdr)
    return perr(err, "length past the end", base);
  item->is_list = is_list;
  item->data = in + hdr;
  item->len = n;
  item->raw = in;
  item->raw_len = hdr + n;
  return DECC_OK;
}

decc_status decc_rlp_decode_item(decc_rlp_item *item, size_t *consumed,
                                 const uint8_t *in, size_t len, decc_err *err) {
  DECC_ARG_CHECK(item != NULL);
  DECC_ARG_CHECK(in != NULL || len == 0);
  decc_status st = decode_at(item, in, len, 0, err);
  if (!st && consumed)
    *consumed = item->raw_len;
  return st;
}

/* Validates every item of a list payload, recursing into sub-lists. */
static decc_status validate_payload(const uint8_t *p, size_t n, size_t base,
                                    int depth, decc_err *err) {
  if (depth > DECC_RLP_MAX_DEPTH)
    return decc_err_set(err, DECC_E_LIMIT, "rlp: nesting deeper than %d",
                        DECC_RLP_MAX_DEPTH);
  size_t off = 0;
  while (off < n) {
    decc_rlp_item it = {0};
    decc_status st = decode_at(&it, p + off, n - off, base + off, err);
    if (st)
      return st;
    if (it.is_list) {
      st = validate_payload(it.data, it.len,
                            base + off + (size_t)(it.data - it.raw), depth + 1,
                            err);
      if (st)
        return st;
    }
    off += it.raw_len;
  }
  return DECC_OK;
}

decc_status decc_rlp_validate(const uint8_t *in, size_t len, decc_err *err) {
  DECC_ARG_CHECK(in != NULL || len == 0);
  decc_rlp_item it = {0};
  decc_status st = decode_at(&it, in, len, 0, err);
  if (st)
    return st;
  if (it.raw_len != len)
    return perr(err, "trailing bytes after the item", it.raw_len);
  if (it.is_list)
    return validate_payload(it.data, it.len, (size_t)(it.data - in), 1, err);
  return DECC_OK;
}

decc_status decc_rlp_decode(decc_rlp_item *item, const uint8_t *in, size_t len,
                            decc_err *err) {
  DECC_ARG_CHECK(item != NULL);
  DECC_ARG_CHECK(in != NULL || len == 0);
  decc_status st = decc_rlp_validate(in, len, err);
  if (st)
    return st;
  return decode_at(item, in, len, 0, err);
}

decc_status decc_rlp_iter_init(decc_rlp_iter *it, const decc_rlp_item *list) {
  DECC_ARG_CHECK(it != NULL);
  DECC_ARG_CHECK(list != NULL);
  if (!list->is_list)
    return DECC_E_INVALID;
  it->p = list->data;
  it->left = list->len;
  return DECC_OK;
}

decc_status decc_rlp_iter_next(decc_rlp_iter *it, decc_rlp_item *item,
                               decc_err *err) {
  DECC_ARG_CHECK(it != NULL);
  DECC_ARG_CHECK(item != NULL);
  if (it->left == 0)
    return DECC_E_NOT_FOUND;
  decc_status st = decode_at(item, it->p, it->left, 0, err);
  if (st)
    return st;
  it->p += item->raw_len;
  it->left -= item->raw_len;
  return DECC_OK;
}

decc_status decc_rlp_list_items(decc_rlp_item *items, size_t max, size_t *count,
                                const decc_rlp_item *list, decc_err *err) {
  DECC_ARG_CHECK(items != NULL || max == 0);
  DECC_ARG_CHECK(count != NULL);
  DECC_ARG_CHECK(list != NULL);
  decc_rlp_iter it;
  *count = 0;
  if (decc_rlp_iter_init(&it, list))
    return decc_err_set(err, DECC_E_INVALID, "rlp: expected a list");
  for (;;) {
    decc_rlp_item x;
    decc_status st = decc_rlp_iter_next(&it, &x, err);
    if (st == DECC_E_NOT_FOUND)
      return DECC_OK;
    if (st)
      return st;
    if (*count == max)
      return decc_err_set(err, DECC_E_LIMIT, "rlp: more than %zu list items",
                          max);
    items[(*count)++] = x;
  }
}

static decc_status get_uint(const decc_rlp_item *item, uint8_t *out,
                            size_t width) {
  if (item->is_list)
    return DECC_E_INVALID;
  if (item->len > 0 && item->data[0] == 0)
    return DECC_E_PARSE;
  if (item->len > width)
    return DECC_E_RANGE;
  memset(out, 0, width - item->len);
  if (item->len)
    memcpy(out + width - item->len, item->data, item->len);
  return DECC_OK;
}

decc_status decc_rlp_item_get_u64(const decc_rlp_item *item, uint64_t *out) {
  DECC_ARG_CHECK(item != NULL);
  DECC_ARG_CHECK(out != NULL);
  uint8_t b[8];
  decc_status st = get_uint(item, b, 8);
  if (st)
    return st;
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = (v << 8) | b[i];
  *out = v;
  return DECC_OK;
}

decc_status decc_rlp_item_get_u256(const decc_rlp_item *item, decc_u256 *out) {
  DECC_ARG_CHECK(item != NULL);
  DECC_ARG_CHECK(out != NULL);
  uint8_t b[32];
  decc_status st = get_uint(item, b, 32);
  if (st)
    return st;
  decc_u256_from_be(out, b);
  return DECC_OK;
}
