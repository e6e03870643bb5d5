/*
 * abi.c — Solidity ABI encoding and decoding (see decc/abi.h).
 *
 * The encoder keeps one frame per open tuple/array, each with a head and a
 * tail buffer. A dynamic member writes a placeholder offset into the head
 * that is relative to the start of the tail; when the frame closes, its head
 * length is known and every recorded placeholder is shifted by it. A closed
 * frame is then either inlined into its parent's head (static) or appended
 * to the parent's tail behind a new placeholder (dynamic). This produces the
 * canonical layout in one pass over the pushes.
 *
 * The decoder walks the type and the input twice: pass one validates
 * everything and counts value nodes against a budget (no allocation), pass
 * two fills one block of exactly that many nodes. Validation rules follow
 * solc's ABI coder v2 (SPEC: docs.soliditylang.org/en/latest/abi-spec.html
 * "Formal Specification of the Encoding"; padding checks as in solc's
 * cleanup/validation of calldata arguments).
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/hash.h"
#include "decc/mem.h"

/* Largest static (head) size of a type; keeps size arithmetic far from
 * overflow. */
#define MAX_STATIC_SIZE ((size_t)1 << 30)

enum { FR_TUPLE = 1, FR_ARRAY, FR_FIXED };

struct decc_abi_type {
  decc_abi_kind kind;
  unsigned bits;          /* UINT/INT: N bits; FIXED_BYTES: N bytes */
  size_t count;           /* TUPLE: fields; FIXED_ARRAY: k */
  decc_abi_type *elem;    /* ARRAY/FIXED_ARRAY element */
  decc_abi_type **fields; /* TUPLE members */
  int dynamic;            /* encoded through an offset */
  size_t head;            /* bytes taken in the enclosing head */
  int depth;              /* container nesting below and including this */
};

/* ---- selectors, topics ---------------------------------------------------- */

void decc_abi_selector(uint8_t out4[4], const char *sig) {
  DECC_ARG_CHECK_VOID(out4 != NULL);
  DECC_ARG_CHECK_VOID(sig != NULL);
  uint8_t h[32];
  decc_keccak256(h, sig, strlen(sig));
  memcpy(out4, h, 4);
}

void decc_abi_event_topic(uint8_t out32[32], const char *sig) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(sig != NULL);
  decc_keccak256(out32, sig, strlen(sig));
}

void decc_abi_topic_address(uint8_t out32[32], const decc_address *a) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(a != NULL);
  memset(out32, 0, 12);
  memcpy(out32 + 12, a->b, 20);
}

void decc_abi_topic_u256(uint8_t out32[32], const decc_u256 *v) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(v != NULL);
  decc_u256_to_be(out32, v);
}

void decc_abi_topic_hash(uint8_t out32[32], const void *data, size_t n) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(data != NULL || n == 0);
  decc_keccak256(out32, data, n);
}

/* ---- encoder ---------------------------------------------------------------- */

static void put_u64_word(uint8_t w[32], uint64_t v) {
  memset(w, 0, 24);
  for (int i = 0; i < 8; i++)
    w[31 - i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64_tail(const uint8_t w[32]) {
  uint64_t v = 0;
  for (int i = 24; i < 32; i++)
    v = (v << 8) | w[i];
  return v;
}

static void frame_init(decc_abi_frame *f, size_t max, int kind) {
  decc_buf_init(&f->head, max);
  decc_buf_init(&f->tail, max);
  decc_buf_init(&f->fixups, 0);
  f->count = 0;
  f->kind = kind;
  f->dynamic = 0;
}

static void frame_reset(decc_abi_frame *f, int kind) {
  decc_buf_reset(&f->head);
  decc_buf_reset(&f->tail);
  decc_buf_reset(&f->fixups);
  f->count = 0;
  f->kind = kind;
  f->dynamic = kind == FR_ARRAY;
}

void decc_abi_enc_init(decc_abi_enc *e, size_t max_len) {
  DECC_ARG_CHECK_VOID(e != NULL);
  memset(e, 0, sizeof *e);
  e->max = max_len ? max_len : DECC_ABI_DEFAULT_MAX;
  for (int i = 0; i <= DECC_ABI_MAX_DEPTH; i++)
    frame_init(&e->frames[i], e->max, FR_TUPLE);
}

void decc_abi_enc_clear(decc_abi_enc *e) {
  DECC_ARG_CHECK_VOID(e != NULL);
  for (int i = 0; i <= DECC_ABI_MAX_DEPTH; i++) {
    decc_buf_clear(&e->frames[i].head);
    decc_buf_clear(&e->frames[i].tail);
    decc_buf_clear(&e->frames[i].fixups);
  }
  e->depth = 0;
  e->err = DECC_OK;
}

static void enc_reset(decc_abi_enc *e) {
  e->depth = 0;
  e->err = DECC_OK;
  frame_reset(&e->frames[0], FR_TUPLE);
}

static decc_status enc_fail(decc_abi_enc *e, decc_status st) {
  if (!e->err)
    e->err = st;
  return e->err;
}

/* Writes a tail-relative offset placeholder into f's head. */
static decc_status push_placeholder(decc_abi_frame *f) {
  uint8_t w[32];
  put_u64_word(w, (uint64_t)f->tail.len);
  size_t pos = f->head.len;
  decc_status st = decc_buf_append(&f->head, w, 32);
  if (!st)
    st = decc_buf_append(&f->fixups, &pos, sizeof pos);
  return st;
}

decc_status decc_abi_enc_push_word(decc_abi_enc *e, const uint8_t w32[32]) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(w32 != NULL);
  if (e->err)
    return e->err;
  decc_abi_frame *f = &e->frames[e->depth];
  decc_status st = decc_buf_append(&f->head, w32, 32);
  if (st)
    return enc_fail(e, st);
  f->count++;
  return DECC_OK;
}

decc_status decc_abi_enc_push_u256(decc_abi_enc *e, const decc_u256 *v) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(v != NULL);
  uint8_t w[32];
  decc_u256_to_be(w, v);
  return decc_abi_enc_push_word(e, w);
}

decc_status decc_abi_enc_push_uint(decc_abi_enc *e, const decc_u256 *v,
                                   unsigned bits) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(v != NULL);
  if (e->err)
    return e->err;
  if (bits < 8 || bits > 256 || bits % 8)
    return enc_fail(e, DECC_E_INVALID);
  uint8_t w[32];
  decc_u256_to_be(w, v);
  for (unsigned i = 0; i < (256 - bits) / 8; i++)
    if (w[i])
      return enc_fail(e, DECC_E_RANGE);
  return decc_abi_enc_push_word(e, w);
}

decc_status decc_abi_enc_push_u64(decc_abi_enc *e, uint64_t v) {
  DECC_ARG_CHECK(e != NULL);
  uint8_t w[32];
  put_u64_word(w, v);
  return decc_abi_enc_push_word(e, w);
}

decc_status decc_abi_enc_push_i64(decc_abi_enc *e, int64_t v) {
  DECC_ARG_CHECK(e != NULL);
  uint8_t w[32];
  put_u64_word(w, (uint64_t)v);
  if (v < 0)
    memset(w, 0xff, 24);
  return decc_abi_enc_push_word(e, w);
}

decc_status decc_abi_enc_push_address(decc_abi_enc *e, const decc_address *a) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(a != NULL);
  uint8_t w[32];
  decc_abi_topic_address(w, a);
  return decc_abi_enc_push_word(e, w);
}

decc_status decc_abi_enc_push_bool(decc_abi_enc *e, int v) {
  DECC_ARG_CHECK(e != NULL);
  return decc_abi_enc_push_u64(e, v ? 1 : 0);
}

decc_status decc_abi_enc_push_bytes32(decc_abi_enc *e, const uint8_t b32[32]) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(b32 != NULL);
  return decc_abi_enc_push_word(e, b32);
}

decc_status decc_abi_enc_push_bytesn(decc_abi_enc *e, const uint8_t *b,
                                     size_t n) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(b != NULL || n == 0);
  if (e->err)
    return e->err;
  if (n == 0 || n > 32)
    return enc_fail(e, DECC_E_RANGE);
  uint8_t w[32] = {0};
  memcpy(w, b, n);
  return decc_abi_enc_push_word(e, w);
}

decc_status decc_abi_enc_push_bytes(decc_abi_enc *e, const void *b, size_t n) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(b != NULL || n == 0);
  if (e->err)
    return e->err;
  if (n > e->max)
    return enc_fail(e, DECC_E_LIMIT);
  decc_abi_frame *f = &e->frames[e->depth];
  decc_status st = push_placeholder(f);
  uint8_t w[32];
  put_u64_word(w, (uint64_t)n);
  if (!st)
    st = decc_buf_append(&f->tail, w, 32);
  if (!st && n)
    st = decc_buf_append(&f->tail, b, n);
  if (!st && n % 32) {
    uint8_t *pad;
    st = decc_buf_extend(&f->tail, 32 - n % 32, &pad);
  }
  if (st)
    return enc_fail(e, st);
  f->dynamic = 1;
  f->count++;
  return DECC_OK;
}

decc_status decc_abi_enc_push_string(decc_abi_enc *e, const char *s) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(s != NULL);
  return decc_abi_enc_push_bytes(e, s, strlen(s));
}

decc_status decc_abi_enc_push_string_n(decc_abi_enc *e, const char *s,
                                       size_t n) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(s != NULL || n == 0);
  return decc_abi_enc_push_bytes(e, s, n);
}

static decc_status enc_begin(decc_abi_enc *e, int kind) {
  if (e->err)
    return e->err;
  if (e->depth >= DECC_ABI_MAX_DEPTH)
    return enc_fail(e, DECC_E_LIMIT);
  e->depth++;
  frame_reset(&e->frames[e->depth], kind);
  return DECC_OK;
}

decc_status decc_abi_enc_begin_tuple(decc_abi_enc *e) {
  DECC_ARG_CHECK(e != NULL);
  return enc_begin(e, FR_TUPLE);
}
decc_status decc_abi_enc_begin_array(decc_abi_enc *e) {
  DECC_ARG_CHECK(e != NULL);
  return enc_begin(e, FR_ARRAY);
}
decc_status decc_abi_enc_begin_fixed_array(decc_abi_enc *e) {
  DECC_ARG_CHECK(e != NULL);
  return enc_begin(e, FR_FIXED);
}

/* Shifts every placeholder in f's head by the final head length, turning
 * tail-relative offsets into head-relative ones. */
static void apply_fixups(decc_abi_frame *f) {
  size_t n = f->fixups.len / sizeof(size_t);
  for (size_t i = 0; i < n; i++) {
    size_t pos;
    memcpy(&pos, f->fixups.data + i * sizeof pos, sizeof pos);
    uint8_t *w = f->head.data + pos;
    put_u64_word(w, get_u64_tail(w) + (uint64_t)f->head.len);
  }
  decc_buf_reset(&f->fixups);
}

static decc_status enc_end(decc_abi_enc *e, int want_array) {
  if (e->err)
    return e->err;
  if (e->depth == 0)
    return enc_fail(e, DECC_E_STATE);
  decc_abi_frame *c = &e->frames[e->depth];
  int is_array = c->kind != FR_TUPLE;
  if (is_array != want_array)
    return enc_fail(e, DECC_E_STATE);
  /* Empty tuples and T[0] have no valid ABI type (solc rejects both). */
  if (c->kind != FR_ARRAY && c->count == 0)
    return enc_fail(e, DECC_E_STATE);
  decc_abi_frame *p = &e->frames[e->depth - 1];
  apply_fixups(c);
  decc_status st;
  if (c->dynamic) {
    st = push_placeholder(p);
    if (!st && c->kind == FR_ARRAY) {
      uint8_t w[32];
      put_u64_word(w, (uint64_t)c->count);
      st = decc_buf_append(&p->tail, w, 32);
    }
    if (!st)
      st = decc_buf_append(&p->tail, c->head.data, c->head.len);
    if (!st)
      st = decc_buf_append(&p->tail, c->tail.data, c->tail.len);
    p->dynamic = 1;
  } else {
    st = decc_buf_append(&p->head, c->head.data, c->head.len);
  }
  if (st)
    return enc_fail(e, st);
  p->count++;
  e->depth--;
  return DECC_OK;
}

decc_status decc_abi_enc_end_tuple(decc_abi_enc *e) {
  DECC_ARG_CHECK(e != NULL);
  return enc_end(e, 0);
}
decc_status decc_abi_enc_end_array(decc_abi_enc *e) {
  DECC_ARG_CHECK(e != NULL);
  return enc_end(e, 1);
}

/* finish and finish_call; sel4 NULL = no selector. */
static decc_status enc_finish(decc_abi_enc *e, const uint8_t *sel4,
                              decc_buf *out) {
  decc_status st = e->err;
  if (!st && e->depth != 0)
    st = DECC_E_STATE;
  decc_abi_frame *f = &e->frames[0];
  if (!st) {
    apply_fixups(f);
    size_t total = f->head.len + f->tail.len;
    if (total > e->max)
      st = DECC_E_LIMIT;
    else
      st = decc_buf_reserve(out, total + (sel4 ? 4 : 0));
  }
  if (!st) {
    /* Cannot fail after the reserve above. */
    if (sel4)
      st = decc_buf_append(out, sel4, 4);
    if (!st)
      st = decc_buf_append(out, f->head.data, f->head.len);
    if (!st)
      st = decc_buf_append(out, f->tail.data, f->tail.len);
  }
  enc_reset(e);
  return st;
}

decc_status decc_abi_enc_finish_call(decc_abi_enc *e, const uint8_t sel4[4],
                                     decc_buf *out) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(sel4 != NULL);
  DECC_ARG_CHECK(out != NULL);
  return enc_finish(e, sel4, out);
}

decc_status decc_abi_enc_finish(decc_abi_enc *e, decc_buf *out) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(out != NULL);
  return enc_finish(e, NULL, out);
}

/* ---- type parser ------------------------------------------------------------- */

typedef struct pctx {
  const char *s;
  size_t pos;
  int nodes;
  decc_err *err;
} pctx;

void decc_abi_type_free(decc_abi_type *t) {
  if (!t)
    return;
  decc_abi_type_free(t->elem);
  if (t->fields) {
    for (size_t i = 0; i < t->count; i++)
      decc_abi_type_free(t->fields[i]);
    decc_free(t->fields);
  }
  decc_free(t);
}

static decc_status perr(pctx *c, decc_status st, const char *what) {
  return decc_err_set(c->err, st, "abi type: %s at position %zu", what, c->pos);
}

static decc_status new_type(pctx *c, decc_abi_type **out, decc_abi_kind k) {
  if (++c->nodes > DECC_ABI_MAX_TYPE_NODES)
    return perr(c, DECC_E_LIMIT, "too many type nodes");
  decc_abi_type *t = decc_calloc(1, sizeof *t);
  if (!t)
    return decc_err_set(c->err, DECC_E_NOMEM, "abi type: out of memory");
  t->kind = k;
  t->head = 32;
  *out = t;
  return DECC_OK;
}

/* Reads a canonical decimal (no leading zero) of at most 5 digits. */
static int read_num(pctx *c, size_t *out) {
  size_t v = 0, n = 0;
  while (c->s[c->pos] >= '0' && c->s[c->pos] <= '9') {
    if (n == 0 && c->s[c->pos] == '0' && c->s[c->pos + 1] >= '0' &&
        c->s[c->pos + 1] <= '9')
      return 0;
    if (++n > 5)
      return 0;
    v = v * 10 + (size_t)(c->s[c->pos] - '0');
    c->pos++;
  }
  *out = v;
  return n > 0;
}

static int is_ident(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9') || ch == '_' || ch == '$';
}

static decc_status parse_list(pctx *c, decc_abi_type **out, char end,
                              int depth);

static decc_status parse_elementary(pctx *c, decc_abi_type **out) {
  size_t start = c->pos;
  while (c->s[c->pos] >= 'a' && c->s[c->pos] <= 'z')
    c->pos++;
  size_t wl = c->pos - start;
  const char *w = c->s + start;
  decc_abi_kind k;
  size_t n = 0;
  int has_num = c->s[c->pos] >= '0' && c->s[c->pos] <= '9';
  if (has_num && !read_num(c, &n)) {
    c->pos = start;
    return perr(c, DECC_E_PARSE, "bad type size");
  }
#define IS(lit) (wl == sizeof(lit) - 1 && memcmp(w, lit, wl) == 0)
  if (IS("uint") || IS("int")) {
    k = w[0] == 'u' ? DECC_ABI_UINT : DECC_ABI_INT;
    if (!has_num)
      n = 256;
    if (n < 8 || n > 256 || n % 8) {
      c->pos = start;
      return perr(c, DECC_E_PARSE, "bad integer size");
    }
  } else if (IS("bytes")) {
    k = has_num ? DECC_ABI_FIXED_BYTES : DECC_ABI_BYTES;
    if (has_num && (n < 1 || n > 32)) {
      c->pos = start;
      return perr(c, DECC_E_PARSE, "bad bytesN size");
    }
  } else if (!has_num && IS("address")) {
    k = DECC_ABI_ADDRESS;
  } else if (!has_num && IS("bool")) {
    k = DECC_ABI_BOOL;
  } else if (!has_num && IS("string")) {
    k = DECC_ABI_STRING;
  } else {
    c->pos = start;
    return perr(c, DECC_E_PARSE, "unknown type");
  }
#undef IS
  decc_status st = new_type(c, out, k);
  if (st)
    return st;
  (*out)->bits = (unsigned)n;
  (*out)->dynamic = k == DECC_ABI_BYTES || k == DECC_ABI_STRING;
  return DECC_OK;
}

static decc_status parse_type(pctx *c, decc_abi_type **out, int depth) {
  decc_abi_type *t = NULL;
  decc_status st;
  if (c->s[c->pos] == '(') {
    if (depth >= DECC_ABI_MAX_DEPTH)
      return perr(c, DECC_E_LIMIT, "nesting too deep");
    c->pos++;
    st = parse_list(c, &t, ')', depth + 1);
    if (st)
      return st;
    if (t->count == 0) {
      decc_abi_type_free(t);
      return perr(c, DECC_E_PARSE, "empty tuple");
    }
    c->pos++; /* ')' checked by parse_list */
  } else {
    st = parse_elementary(c, &t);
    if (st)
      return st;
  }
  while (c->s[c->pos] == '[') {
    c->pos++;
    decc_abi_type *a = NULL;
    size_t k = 0;
    int fixed = c->s[c->pos] != ']';
    if (fixed && (!read_num(c, &k) || k == 0 || k > DECC_ABI_MAX_FIXED_ARRAY)) {
      decc_abi_type_free(t);
      return perr(c, DECC_E_PARSE, "bad array size");
    }
    if (c->s[c->pos] != ']') {
      decc_abi_type_free(t);
      return perr(c, DECC_E_PARSE, "expected ']'");
    }
    c->pos++;
    if (t->depth + 1 > DECC_ABI_MAX_DEPTH) {
      decc_abi_type_free(t);
      return perr(c, DECC_E_LIMIT, "nesting too deep");
    }
    st = new_type(c, &a, fixed ? DECC_ABI_FIXED_ARRAY : DECC_ABI_ARRAY);
    if (st) {
      decc_abi_type_free(t);
      return st;
    }
    a->elem = t;
    a->count = k;
    a->depth = t->depth + 1;
    if (fixed && !t->dynamic) {
      if (t->head > MAX_STATIC_SIZE / k) {
        decc_abi_type_free(a);
        return perr(c, DECC_E_LIMIT, "static size too large");
      }
      a->head = t->head * k;
    } else {
      a->dynamic = 1;
    }
    t = a;
  }
  *out = t;
  return DECC_OK;
}

/* Parses "T1,T2,...,Tn" up to (not including) `end`, as a tuple type. */
static decc_status parse_list(pctx *c, decc_abi_type **out, char end,
                              int depth) {
  decc_abi_type *t = NULL;
  decc_status st = new_type(c, &t, DECC_ABI_TUPLE);
  if (st)
    return st;
  size_t cap = 0;
  t->head = 0;
  if (c->s[c->pos] != end) {
    for (;;) {
      if (t->count == cap) {
        size_t ncap = cap ? cap * 2 : 4;
        decc_abi_type **nf = decc_realloc(t->fields, ncap * sizeof *nf);
        if (!nf) {
          decc_abi_type_free(t);
          return decc_err_set(c->err, DECC_E_NOMEM, "abi type: out of memory");
        }
        t->fields = nf;
        cap = ncap;
      }
      decc_abi_type *f = NULL;
      st = parse_type(c, &f, depth);
      if (st) {
        decc_abi_type_free(t);
        return st;
      }
      t->fields[t->count++] = f;
      if (f->dynamic)
        t->dynamic = 1;
      t->head += f->head;
      if (f->depth + 1 > t->depth)
        t->depth = f->depth + 1;
      if (t->head > MAX_STATIC_SIZE) {
        decc_abi_type_free(t);
        return perr(c, DECC_E_LIMIT, "static size too large");
      }
      if (c->s[c->pos] != ',')
        break;
      c->pos++;
    }
  }
  if (c->s[c->pos] != end) {
    decc_abi_type_free(t);
    return perr(c, DECC_E_PARSE,
                end ? "expected ',' or ')'" : "unexpected character");
  }
  if (t->depth == 0)
    t->depth = 1;
  if (t->depth > DECC_ABI_MAX_DEPTH) {
    decc_abi_type_free(t);
    return perr(c, DECC_E_LIMIT, "nesting too deep");
  }
  if (t->dynamic)
    t->head = 32;
  *out = t;
  return DECC_OK;
}

decc_status decc_abi_type_parse(decc_abi_type **out, const char *types,
                                decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(types != NULL);
  *out = NULL;
  pctx c = {types, 0, 0, err};
  return parse_list(&c, out, '\0', 0);
}

static decc_status write_type(decc_buf *b, const decc_abi_type *t, int list) {
  decc_status st = DECC_OK;
  switch (t->kind) {
  case DECC_ABI_UINT:
    return decc_buf_printf(b, "uint%u", t->bits);
  case DECC_ABI_INT:
    return decc_buf_printf(b, "int%u", t->bits);
  case DECC_ABI_ADDRESS:
    return decc_buf_append_str(b, "address");
  case DECC_ABI_BOOL:
    return decc_buf_append_str(b, "bool");
  case DECC_ABI_FIXED_BYTES:
    return decc_buf_printf(b, "bytes%u", t->bits);
  case DECC_ABI_BYTES:
    return decc_buf_append_str(b, "bytes");
  case DECC_ABI_STRING:
    return decc_buf_append_str(b, "string");
  case DECC_ABI_TUPLE:
    if (!list)
      st = decc_buf_append_byte(b, '(');
    for (size_t i = 0; !st && i < t->count; i++) {
      if (i)
        st = decc_buf_append_byte(b, ',');
      if (!st)
        st = write_type(b, t->fields[i], 0);
    }
    if (!st && !list)
      st = decc_buf_append_byte(b, ')');
    return st;
  case DECC_ABI_ARRAY:
    st = write_type(b, t->elem, 0);
    return st ? st : decc_buf_append_str(b, "[]");
  case DECC_ABI_FIXED_ARRAY:
    st = write_type(b, t->elem, 0);
    return st ? st : decc_buf_printf(b, "[%zu]", t->count);
  }
  return DECC_E_INTERNAL;
}

decc_status decc_abi_type_canonical(decc_buf *out, const decc_abi_type *t) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(t != NULL);
  return write_type(out, t, 1);
}

decc_status decc_abi_func_parse(decc_abi_type **args, uint8_t sel4[4],
                                const char *sig, decc_err *err) {
  DECC_ARG_CHECK(args != NULL);
  DECC_ARG_CHECK(sig != NULL);
  *args = NULL;
  pctx c = {sig, 0, 0, err};
  if (!(is_ident(sig[0]) && !(sig[0] >= '0' && sig[0] <= '9')))
    return perr(&c, DECC_E_PARSE, "expected a function name");
  while (is_ident(sig[c.pos]))
    c.pos++;
  size_t name_len = c.pos;
  if (sig[c.pos] != '(')
    return perr(&c, DECC_E_PARSE, "expected '('");
  c.pos++;
  decc_abi_type *t = NULL;
  decc_status st = parse_list(&c, &t, ')', 1);
  if (st)
    return st;
  c.pos++;
  if (sig[c.pos] != '\0') {
    decc_abi_type_free(t);
    return perr(&c, DECC_E_PARSE, "trailing characters");
  }
  if (sel4) {
    decc_buf b;
    decc_buf_init(&b, 0);
    st = decc_buf_append(&b, sig, name_len);
    if (!st)
      st = decc_buf_append_byte(&b, '(');
    if (!st)
      st = write_type(&b, t, 1);
    if (!st)
      st = decc_buf_append_byte(&b, ')');
    if (st) {
      decc_buf_clear(&b);
      decc_abi_type_free(t);
      return decc_err_set(err, st, "abi signature: out of memory");
    }
    decc_abi_selector(sel4, (const char *)b.data);
    decc_buf_clear(&b);
  }
  *args = t;
  return DECC_OK;
}

/* ---- decoder ----------------------------------------------------------------- */

typedef struct dctx {
  const uint8_t *d;
  size_t len;
  size_t nodes, budget;
  decc_abi_value *pool; /* NULL during the validating pass */
  size_t used;
  decc_err *err;
} dctx;

static decc_status derr(dctx *c, size_t pos, const char *what) {
  return decc_err_set(c->err, DECC_E_PARSE, "abi: %s at byte %zu", what, pos);
}

/* Reads the word at pos as an offset or length: it must lie in the input
 * and be below 2^64 (solc's bound), and fit size_t. */
static decc_status read_size(dctx *c, size_t pos, size_t *out) {
  if (pos > c->len || c->len - pos < 32)
    return derr(c, pos, "input too short");
  const uint8_t *w = c->d + pos;
  for (int i = 0; i < 24; i++)
    if (w[i])
      return derr(c, pos, "offset or length too large");
  uint64_t v = get_u64_tail(w);
  if (v > SIZE_MAX)
    return derr(c, pos, "offset or length too large");
  *out = (size_t)v;
  return DECC_OK;
}

static decc_status dec_value(dctx *c, const decc_abi_type *t, size_t at,
                             decc_abi_value *v);

/* Decodes n members laid out as a tuple starting at `start`: each static
 * member in place, each dynamic one through an offset relative to start. */
static decc_status dec_seq(dctx *c, const decc_abi_type *t, size_t n,
                           size_t start, decc_abi_value *v) {
  if (v) {
    v->count = n;
    v->items = c->pool + c->used;
    c->used += n;
  }
  size_t h = start;
  for (size_t i = 0; i < n; i++) {
    const decc_abi_type *et =
        t->kind == DECC_ABI_TUPLE ? t->fields[i] : t->elem;
    size_t p = h;
    if (et->dynamic) {
      size_t off;
      decc_status st = read_size(c, h, &off);
      if (st)
        return st;
      if (off > c->len - start)
        return derr(c, h, "offset points past the end");
      p = start + off;
    }
    decc_status st = dec_value(c, et, p, v ? &v->items[i] : NULL);
    if (st)
      return st;
    h += et->head; /* bounded: static sizes ≤ 2^30, reads check h */
  }
  return DECC_OK;
}

static decc_status dec_value(dctx *c, const decc_abi_type *t, size_t at,
                             decc_abi_value *v) {
  if (++c->nodes > c->budget)
    return decc_err_set(c->err, DECC_E_LIMIT,
                        "abi: too many values for the input size");
  if (v) {
    v->kind = t->kind;
    v->bits = t->kind == DECC_ABI_UINT || t->kind == DECC_ABI_INT ||
                      t->kind == DECC_ABI_FIXED_BYTES
                  ? t->bits
                  : 0;
  }
  const uint8_t *w = NULL;
  if (t->kind <= DECC_ABI_FIXED_BYTES) {
    if (at > c->len || c->len - at < 32)
      return derr(c, at, "input too short");
    w = c->d + at;
    if (v)
      v->word = w;
  }
  switch (t->kind) {
  case DECC_ABI_UINT:
    for (unsigned i = 0; i < (256 - t->bits) / 8; i++)
      if (w[i])
        return derr(c, at, "uint value out of range");
    return DECC_OK;
  case DECC_ABI_INT: {
    size_t first = (256 - t->bits) / 8;
    uint8_t sign = (w[first] & 0x80) ? 0xff : 0x00;
    for (size_t i = 0; i < first; i++)
      if (w[i] != sign)
        return derr(c, at, "int value not sign-extended");
    return DECC_OK;
  }
  case DECC_ABI_ADDRESS:
    for (int i = 0; i < 12; i++)
      if (w[i])
        return derr(c, at, "address with dirty high bytes");
    return DECC_OK;
  case DECC_ABI_BOOL:
    for (int i = 0; i < 31; i++)
      if (w[i])
        return derr(c, at, "bool not 0 or 1");
    if (w[31] > 1)
      return derr(c, at, "bool not 0 or 1");
    return DECC_OK;
  case DECC_ABI_FIXED_BYTES:
    for (unsigned i = t->bits; i < 32; i++)
      if (w[i])
        return derr(c, at, "bytesN with dirty low bytes");
    return DECC_OK;
  case DECC_ABI_BYTES:
  case DECC_ABI_STRING: {
    size_t n;
    decc_status st = read_size(c, at, &n);
    if (st)
      return st;
    if (n > c->len - at - 32)
      return derr(c, at, "bytes length past the end");
    if (v) {
      v->data = c->d + at + 32;
      v->len = n;
    }
    return DECC_OK;
  }
  case DECC_ABI_TUPLE:
  case DECC_ABI_FIXED_ARRAY:
    return dec_seq(c, t, t->count, at, v);
  case DECC_ABI_ARRAY: {
    size_t n;
    decc_status st = read_size(c, at, &n);
    if (st)
      return st;
    size_t start = at + 32;
    /* Every element takes at least one 32-byte head slot. */
    if (n > (c->len - start) / t->elem->head)
      return derr(c, at, "array length past the end");
    return dec_seq(c, t, n, start, v);
  }
  }
  return decc_err_set(c->err, DECC_E_INTERNAL, "abi: bad type");
}

decc_status decc_abi_decode_type(decc_abi_value **root, const decc_abi_type *t,
                                 const uint8_t *data, size_t len,
                                 unsigned flags, decc_err *err) {
  DECC_ARG_CHECK(root != NULL);
  DECC_ARG_CHECK(t != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  *root = NULL;
  static const uint8_t empty[1] = {0};
  if (!data)
    data = empty;
  if (t->kind != DECC_ABI_TUPLE)
    return decc_err_set(err, DECC_E_INVALID, "abi: root type is not a list");
  dctx c = {data, len, 0, 0, NULL, 0, err};
  /* Canonical encodings need at most (depth+1) nodes per 32 input bytes;
   * anything beyond re-reads aliased data. */
  size_t words = len / 32 + 1;
  size_t per = (size_t)t->depth + 1;
  c.budget =
      words > DECC_ABI_MAX_NODES / per ? DECC_ABI_MAX_NODES : 256 + words * per;
  if (c.budget > DECC_ABI_MAX_NODES)
    c.budget = DECC_ABI_MAX_NODES;
  decc_status st = dec_value(&c, t, 0, NULL);
  if (st)
    return st;
  decc_abi_value *pool = decc_calloc(c.nodes, sizeof *pool);
  if (!pool)
    return decc_err_set(err, DECC_E_NOMEM, "abi: out of memory");
  c.pool = pool;
  c.used = 1;
  c.nodes = 0;
  st = dec_value(&c, t, 0, pool);
  if (st) { /* impossible: same walk as the validating pass */
    decc_free(pool);
    return decc_err_set(err, DECC_E_INTERNAL, "abi: decoder inconsistency");
  }
  if (flags & DECC_ABI_CANONICAL) {
    decc_buf b;
    decc_buf_init(&b, len + 1);
    st = decc_abi_encode_value(&b, pool);
    int same = !st && b.len == len && (len == 0 || !memcmp(b.data, data, len));
    decc_buf_clear(&b);
    if (!same) {
      decc_free(pool);
      if (st == DECC_E_NOMEM)
        return decc_err_set(err, st, "abi: out of memory");
      return decc_err_set(err, DECC_E_PARSE, "abi: non-canonical encoding");
    }
  }
  *root = pool;
  return DECC_OK;
}

decc_status decc_abi_decode(decc_abi_value **root, const char *types,
                            const uint8_t *data, size_t len, unsigned flags,
                            decc_err *err) {
  DECC_ARG_CHECK(root != NULL);
  DECC_ARG_CHECK(types != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  *root = NULL;
  decc_abi_type *t = NULL;
  decc_status st = decc_abi_type_parse(&t, types, err);
  if (st)
    return st;
  st = decc_abi_decode_type(root, t, data, len, flags, err);
  decc_abi_type_free(t);
  return st;
}

decc_status decc_abi_decode_call(decc_abi_value **args, const char *sig,
                                 const uint8_t *calldata, size_t len,
                                 unsigned flags, decc_err *err) {
  DECC_ARG_CHECK(args != NULL);
  DECC_ARG_CHECK(sig != NULL);
  DECC_ARG_CHECK(calldata != NULL || len == 0);
  *args = NULL;
  decc_abi_type *t = NULL;
  uint8_t sel[4];
  decc_status st = decc_abi_func_parse(&t, sel, sig, err);
  if (st)
    return st;
  if (len < 4 || memcmp(calldata, sel, 4) != 0) {
    decc_abi_type_free(t);
    return decc_err_set(err, DECC_E_PARSE, "abi: selector mismatch");
  }
  st = decc_abi_decode_type(args, t, calldata + 4, len - 4, flags, err);
  decc_abi_type_free(t);
  return st;
}

void decc_abi_value_free(decc_abi_value *root) { decc_free(root); }

/* ---- re-encoding and accessors ------------------------------------------------ */

decc_status decc_abi_enc_push_value(decc_abi_enc *e, const decc_abi_value *v) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(v != NULL);
  if (e->err)
    return e->err;
  decc_status st;
  switch (v->kind) {
  case DECC_ABI_UINT:
  case DECC_ABI_INT:
  case DECC_ABI_ADDRESS:
  case DECC_ABI_BOOL:
  case DECC_ABI_FIXED_BYTES:
    return decc_abi_enc_push_word(e, v->word);
  case DECC_ABI_BYTES:
  case DECC_ABI_STRING:
    return decc_abi_enc_push_bytes(e, v->data, v->len);
  case DECC_ABI_TUPLE:
    st = decc_abi_enc_begin_tuple(e);
    break;
  case DECC_ABI_ARRAY:
    st = decc_abi_enc_begin_array(e);
    break;
  case DECC_ABI_FIXED_ARRAY:
    st = decc_abi_enc_begin_fixed_array(e);
    break;
  default:
    return enc_fail(e, DECC_E_INVALID);
  }
  for (size_t i = 0; !st && i < v->count; i++)
    st = decc_abi_enc_push_value(e, &v->items[i]);
  if (st)
    return st;
  return v->kind == DECC_ABI_TUPLE ? decc_abi_enc_end_tuple(e)
                                   : decc_abi_enc_end_array(e);
}

decc_status decc_abi_encode_value(decc_buf *out, const decc_abi_value *root) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(root != NULL);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_status st = DECC_OK;
  if (root->kind == DECC_ABI_TUPLE) {
    for (size_t i = 0; !st && i < root->count; i++)
      st = decc_abi_enc_push_value(&e, &root->items[i]);
  } else {
    st = decc_abi_enc_push_value(&e, root);
  }
  st = decc_abi_enc_finish(&e, out);
  decc_abi_enc_clear(&e);
  return st;
}

const decc_abi_value *decc_abi_item(const decc_abi_value *v, size_t i) {
  if (!v ||
      (v->kind != DECC_ABI_TUPLE && v->kind != DECC_ABI_ARRAY &&
       v->kind != DECC_ABI_FIXED_ARRAY) ||
      i >= v->count)
    return NULL;
  return &v->items[i];
}

decc_status decc_abi_get_address(const decc_abi_value *v, decc_address *out) {
  DECC_ARG_CHECK(out != NULL);
  if (!v || v->kind != DECC_ABI_ADDRESS)
    return DECC_E_INVALID;
  memcpy(out->b, v->word + 12, 20);
  return DECC_OK;
}

decc_status decc_abi_get_u256(const decc_abi_value *v, decc_u256 *out) {
  DECC_ARG_CHECK(out != NULL);
  if (!v || v->kind != DECC_ABI_UINT)
    return DECC_E_INVALID;
  decc_u256_from_be(out, v->word);
  return DECC_OK;
}

decc_status decc_abi_get_u64(const decc_abi_value *v, uint64_t *out) {
  DECC_ARG_CHECK(out != NULL);
  if (!v || v->kind != DECC_ABI_UINT)
    return DECC_E_INVALID;
  for (int i = 0; i < 24; i++)
    if (v->word[i])
      return DECC_E_RANGE;
  *out = get_u64_tail(v->word);
  return DECC_OK;
}

decc_status decc_abi_get_i64(const decc_abi_value *v, int64_t *out) {
  DECC_ARG_CHECK(out != NULL);
  if (!v || v->kind != DECC_ABI_INT)
    return DECC_E_INVALID;
  uint8_t sign = (v->word[24] & 0x80) ? 0xff : 0x00;
  for (int i = 0; i < 24; i++)
    if (v->word[i] != sign)
      return DECC_E_RANGE;
  uint64_t u = get_u64_tail(v->word);
  *out = (int64_t)
      u; /* two's complement (C17 implementation-defined, GCC/Clang wrap) */
  return DECC_OK;
}

decc_status decc_abi_get_bool(const decc_abi_value *v, int *out) {
  DECC_ARG_CHECK(out != NULL);
  if (!v || v->kind != DECC_ABI_BOOL)
    return DECC_E_INVALID;
  *out = v->word[31];
  return DECC_OK;
}

decc_status decc_abi_get_bytes32(const decc_abi_value *v, uint8_t out32[32]) {
  DECC_ARG_CHECK(out32 != NULL);
  if (!v || v->kind != DECC_ABI_FIXED_BYTES)
    return DECC_E_INVALID;
  memcpy(out32, v->word, 32);
  return DECC_OK;
}

decc_status decc_abi_get_bytes(const decc_abi_value *v, const uint8_t **data,
                               size_t *len) {
  DECC_ARG_CHECK(data != NULL);
  DECC_ARG_CHECK(len != NULL);
  if (!v || (v->kind != DECC_ABI_BYTES && v->kind != DECC_ABI_STRING))
    return DECC_E_INVALID;
  *data = v->data;
  *len = v->len;
  return DECC_OK;
}

decc_status decc_abi_get_string(const decc_abi_value *v, char **out) {
  DECC_ARG_CHECK(out != NULL);
  if (!v || (v->kind != DECC_ABI_BYTES && v->kind != DECC_ABI_STRING))
    return DECC_E_INVALID;
  if (v->len && memchr(v->data, 0, v->len))
    return DECC_E_PARSE;
  char *s = decc_strndup(v->len ? (const char *)v->data : "", v->len);
  if (!s)
    return DECC_E_NOMEM;
  *out = s;
  return DECC_OK;
}
