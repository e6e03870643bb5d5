/*
 * pd.c — the protected-data object tree: construction, JavaScript property
 * ordering, inspection, and the small text helpers (UTF-8 check, i128
 * decimal) the other protect files share.
 *
 * Why the ordering: the SDK works on a JavaScript object, whose property
 * order puts array-index keys first in numeric order. Keeping the tree in
 * that order means every traversal (validation, schema, zip entries) sees
 * exactly what the SDK sees, with no per-use sorting.
 */
#include <pthread.h>
#include <string.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "protect_int.h"

decc_pd *decc__pd_node_new(decc_pd_kind kind) {
  decc_pd *n = decc_calloc(1, sizeof *n);
  if (n)
    n->kind = kind;
  return n;
}

void decc__pd_node_free(decc_pd *node) {
  if (!node)
    return;
  if (node->kind == DECC_PD_OBJECT || node->kind == DECC_PD_ARRAY) {
    for (size_t i = 0; i < node->u.obj.n; i++) {
      decc_free(node->u.obj.items[i].key);
      decc__pd_node_free(node->u.obj.items[i].node);
    }
    decc_free(node->u.obj.items);
  } else if (node->kind == DECC_PD_STRING || node->kind == DECC_PD_BINARY ||
             node->kind == DECC_PD_I128) {
    decc_free(node->u.bytes.data);
  }
  decc_free(node->file);
  decc_free(node);
}

decc_status decc_pd_create(decc_pd **out) {
  DECC_ARG_CHECK(out != NULL);
  *out = decc__pd_node_new(DECC_PD_OBJECT);
  return *out ? DECC_OK : DECC_E_NOMEM;
}

void decc_pd_destroy(decc_pd *root) { decc__pd_node_free(root); }

/* ECMAScript "array index": the canonical decimal form of an integer in
 * [0, 2^32 - 2]. */
static int array_index(const char *k, size_t len, uint32_t *idx) {
  if (len == 0 || len > 10 || (len > 1 && k[0] == '0'))
    return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < len; i++) {
    if (k[i] < '0' || k[i] > '9')
      return 0;
    v = v * 10 + (uint64_t)(k[i] - '0');
  }
  if (v > 4294967294u)
    return 0;
  *idx = (uint32_t)v;
  return 1;
}

static uint32_t index_of(const pd_entry *e) {
  uint32_t v = 0;
  (void)array_index(e->key, e->key_len, &v);
  return v;
}

decc_status decc__pd_insert(decc_pd *obj, const char *key, size_t key_len,
                            decc_pd *node, int check_dup, decc_err *err) {
  if (!node)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (!obj || (obj->kind != DECC_PD_OBJECT && obj->kind != DECC_PD_ARRAY) ||
      !key) {
    decc__pd_node_free(node);
    return decc_err_set(err, DECC_E_INVALID, "not an object node");
  }
  if (check_dup) {
    for (size_t i = 0; i < obj->u.obj.n; i++) {
      const pd_entry *e = &obj->u.obj.items[i];
      if (e->key_len == key_len && !memcmp(e->key, key, key_len)) {
        decc__pd_node_free(node);
        return decc_err_set(err, DECC_E_EXISTS, "duplicate key \"%.*s\"",
                            (int)(key_len > 64 ? 64 : key_len), key);
      }
    }
  }
  if (obj->u.obj.n == obj->u.obj.cap) {
    size_t ncap = obj->u.obj.cap ? obj->u.obj.cap * 2 : 8;
    pd_entry *ni = decc_realloc(obj->u.obj.items, ncap * sizeof *ni);
    if (!ni) {
      decc__pd_node_free(node);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    obj->u.obj.items = ni;
    obj->u.obj.cap = ncap;
  }
  char *k = decc_malloc(key_len + 1);
  if (!k) {
    decc__pd_node_free(node);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  memcpy(k, key, key_len);
  k[key_len] = 0;
  pd_entry e = {k, key_len, node};
  size_t pos = obj->u.obj.n;
  uint32_t idx;
  if (obj->kind == DECC_PD_OBJECT && array_index(key, key_len, &idx)) {
    pos = 0;
    while (pos < obj->u.obj.n_index && index_of(&obj->u.obj.items[pos]) < idx)
      pos++;
    obj->u.obj.n_index++;
  }
  memmove(&obj->u.obj.items[pos + 1], &obj->u.obj.items[pos],
          (obj->u.obj.n - pos) * sizeof e);
  obj->u.obj.items[pos] = e;
  obj->u.obj.n++;
  return DECC_OK;
}

static decc_status add_simple(decc_pd *obj, const char *key, decc_pd *node,
                              decc_err *err) {
  return decc__pd_insert(obj, key, key ? strlen(key) : 0, node, 1, err);
}

decc_status decc_pd_add_bool(decc_pd *obj, const char *key, int value,
                             decc_err *err) {
  DECC_ARG_CHECK(obj != NULL);
  DECC_ARG_CHECK(key != NULL);
  decc_pd *n = decc__pd_node_new(DECC_PD_BOOL);
  if (n)
    n->u.b = value != 0;
  return add_simple(obj, key, n, err);
}

decc_status decc_pd_add_number(decc_pd *obj, const char *key, double value,
                               decc_err *err) {
  DECC_ARG_CHECK(obj != NULL);
  DECC_ARG_CHECK(key != NULL);
  decc_pd *n = decc__pd_node_new(DECC_PD_NUMBER);
  if (n)
    n->u.num = value;
  return add_simple(obj, key, n, err);
}

decc_pd *decc__pd_node_bytes(decc_pd_kind kind, const void *data, size_t len) {
  decc_pd *n = decc__pd_node_new(kind);
  if (!n)
    return NULL;
  n->u.bytes.data = decc_malloc(len + 1);
  if (!n->u.bytes.data) {
    decc_free(n);
    return NULL;
  }
  if (len)
    memcpy(n->u.bytes.data, data, len);
  n->u.bytes.data[len] = 0;
  n->u.bytes.len = len;
  return n;
}

decc_pd *decc__pd_node_i128(const char *decimal, size_t len, decc_status *st) {
  int neg, big;
  decc__u128 mag;
  if (decc__i128_parse(decimal, len, &neg, &mag, &big) != DECC_OK) {
    *st = DECC_E_PARSE;
    return NULL;
  }
  /* Canonical text: no leading zeros, no "-0" (what BigInt would print). */
  size_t i = (size_t)neg;
  while (i + 1 < len && decimal[i] == '0')
    i++;
  int zero = len - i == 1 && decimal[i] == '0';
  char *t = decc_malloc(len + 1);
  if (!t) {
    *st = DECC_E_NOMEM;
    return NULL;
  }
  size_t o = 0;
  if (neg && !zero)
    t[o++] = '-';
  memcpy(t + o, decimal + i, len - i);
  o += len - i;
  decc_pd *n = decc__pd_node_bytes(DECC_PD_I128, t, o);
  decc_free(t);
  *st = n ? DECC_OK : DECC_E_NOMEM;
  return n;
}

decc_status decc_pd_add_i128(decc_pd *obj, const char *key, const char *decimal,
                             decc_err *err) {
  DECC_ARG_CHECK(obj != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(decimal != NULL);
  decc_status st;
  decc_pd *n = decc__pd_node_i128(decimal, strlen(decimal), &st);
  if (st == DECC_E_PARSE)
    return decc_err_set(err, st, "i128 value is not a decimal integer");
  return add_simple(obj, key, n, err);
}

decc_status decc_pd_add_string(decc_pd *obj, const char *key, const char *s,
                               size_t len, decc_err *err) {
  DECC_ARG_CHECK(obj != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(s != NULL || len == 0);
  if (!decc__utf8_valid((const uint8_t *)s, len))
    return decc_err_set(err, DECC_E_INVALID, "string is not valid UTF-8");
  return add_simple(obj, key, decc__pd_node_bytes(DECC_PD_STRING, s, len), err);
}

decc_status decc_pd_add_binary(decc_pd *obj, const char *key, const void *data,
                               size_t len, decc_err *err) {
  DECC_ARG_CHECK(obj != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  return add_simple(obj, key, decc__pd_node_bytes(DECC_PD_BINARY, data, len),
                    err);
}

decc_status decc_pd_add_binary_owned(decc_pd *obj, const char *key, void *data,
                                     size_t len, decc_err *err) {
  /* (data is ours even when refused, as on DECC_E_NOMEM) */
  if (!obj || !key || (!data && len))
    decc_free(data);
  DECC_ARG_CHECK(obj != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  decc_pd *n = decc__pd_node_new(DECC_PD_BINARY);
  /* One spare byte keeps the "NUL after the data" rule without a copy. */
  uint8_t *d = n ? decc_realloc(data, len + 1) : NULL;
  if (!d) {
    decc_free(n);
    decc_free(data);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  d[len] = 0;
  n->u.bytes.data = d;
  n->u.bytes.len = len;
  return add_simple(obj, key, n, err);
}

decc_status decc_pd_add_object(decc_pd *obj, const char *key, decc_pd **child,
                               decc_err *err) {
  DECC_ARG_CHECK(obj != NULL);
  DECC_ARG_CHECK(key != NULL);
  decc_pd *n = decc__pd_node_new(DECC_PD_OBJECT);
  decc_status st = add_simple(obj, key, n, err);
  if (child)
    *child = st == DECC_OK ? n : NULL;
  return st;
}

decc_pd_kind decc_pd_kind_of(const decc_pd *node) {
  DECC_ARG_CHECK_RET(node != NULL, (decc_pd_kind)0);
  return node->kind;
}

size_t decc_pd_count(const decc_pd *obj) {
  DECC_ARG_CHECK_RET(obj != NULL, 0);
  return (obj->kind == DECC_PD_OBJECT || obj->kind == DECC_PD_ARRAY)
             ? obj->u.obj.n
             : 0;
}

const decc_pd *decc_pd_entry(const decc_pd *obj, size_t i, const char **key,
                             size_t *key_len) {
  DECC_ARG_CHECK_RET(obj != NULL, NULL);
  if (i >= decc_pd_count(obj))
    return NULL;
  if (key)
    *key = obj->u.obj.items[i].key;
  if (key_len)
    *key_len = obj->u.obj.items[i].key_len;
  return obj->u.obj.items[i].node;
}

const decc_pd *decc_pd_lookup(const decc_pd *obj, const char *key) {
  DECC_ARG_CHECK_RET(obj != NULL, NULL);
  DECC_ARG_CHECK_RET(key != NULL, NULL);
  size_t kl = strlen(key);
  for (size_t i = 0; i < decc_pd_count(obj); i++)
    if (obj->u.obj.items[i].key_len == kl &&
        !memcmp(obj->u.obj.items[i].key, key, kl))
      return obj->u.obj.items[i].node;
  return NULL;
}

int decc_pd_bool_value(const decc_pd *node) {
  DECC_ARG_CHECK_RET(node != NULL, 0);
  return node->kind == DECC_PD_BOOL ? node->u.b : 0;
}

double decc_pd_number_value(const decc_pd *node) {
  DECC_ARG_CHECK_RET(node != NULL, 0.0);
  return node->kind == DECC_PD_NUMBER ? node->u.num : 0.0;
}

const uint8_t *decc_pd_bytes_value(const decc_pd *node, size_t *len) {
  DECC_ARG_CHECK_RET(node != NULL, NULL);
  if ((node->kind != DECC_PD_STRING && node->kind != DECC_PD_BINARY) ||
      node->file)
    return NULL;
  if (len)
    *len = node->u.bytes.len;
  return node->u.bytes.data;
}

const char *decc_pd_i128_text(const decc_pd *node) {
  DECC_ARG_CHECK_RET(node != NULL, NULL);
  return node->kind == DECC_PD_I128 ? (const char *)node->u.bytes.data : NULL;
}

const char *decc_pd_format_name(decc_pd_format f) {
  return f == DECC_PD_V2 ? "v2" : "legacy";
}

decc_status decc_pd_format_parse(decc_pd_format *out, const char *name) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(name != NULL);
  if (!strcmp(name, "legacy"))
    *out = DECC_PD_LEGACY;
  else if (!strcmp(name, "v2"))
    *out = DECC_PD_V2;
  else
    return DECC_E_INVALID;
  return DECC_OK;
}

/* ---- helpers ------------------------------------------------------------ */

decc_status decc__i128_parse(const char *s, size_t len, int *neg,
                             decc__u128 *mag, int *too_big) {
  size_t i = 0;
  *neg = 0;
  *too_big = 0;
  *mag = 0;
  if (len > 0 && s[0] == '-') {
    *neg = 1;
    i = 1;
  }
  if (i == len)
    return DECC_E_PARSE;
  const decc__u128 max = ~(decc__u128)0;
  for (; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return DECC_E_PARSE;
    unsigned d = (unsigned)(s[i] - '0');
    if (*mag > (max - d) / 10)
      *too_big = 1;
    else
      *mag = *mag * 10 + d;
  }
  return DECC_OK;
}

void decc__i128_encode(uint8_t le[16], int neg, decc__u128 mag) {
  decc__u128 v = neg ? (decc__u128)0 - mag : mag;
  for (int i = 0; i < 16; i++) {
    le[i] = (uint8_t)v;
    v >>= 8;
  }
}

char *decc_i128_to_dec(char out[41], const decc_i128 *v) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(v != NULL, NULL);
  decc__u128 x = 0;
  for (int i = 15; i >= 0; i--)
    x = (x << 8) | v->le[i];
  int neg = (v->le[15] & 0x80) != 0;
  if (neg)
    x = (decc__u128)0 - x;
  char tmp[41];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + (int)(x % 10));
    x /= 10;
  } while (x);
  int o = 0;
  if (neg)
    out[o++] = '-';
  while (n)
    out[o++] = tmp[--n];
  out[o] = 0;
  return out;
}

decc_status decc__json_quote(decc_buf *b, const uint8_t *s, size_t len) {
  static const char hexd[] = "0123456789abcdef";
  decc_status st = decc_buf_append_byte(b, '"');
  for (size_t i = 0; st == DECC_OK && i < len; i++) {
    uint8_t c = s[i];
    const char *esc = NULL;
    switch (c) {
    case '"':
      esc = "\\\"";
      break;
    case '\\':
      esc = "\\\\";
      break;
    case '\b':
      esc = "\\b";
      break;
    case '\f':
      esc = "\\f";
      break;
    case '\n':
      esc = "\\n";
      break;
    case '\r':
      esc = "\\r";
      break;
    case '\t':
      esc = "\\t";
      break;
    default:
      break;
    }
    if (esc) {
      st = decc_buf_append_str(b, esc);
    } else if (c < 0x20) {
      char u[7] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15], 0};
      st = decc_buf_append_str(b, u);
    } else {
      st = decc_buf_append_byte(b, c);
    }
  }
  if (st == DECC_OK)
    st = decc_buf_append_byte(b, '"');
  return st;
}

/* Table-driven CRC-32, eight bytes per step (slicing-by-8): the 100 MiB
 * values of large datasets make the byte-at-a-time loop the bottleneck. */
static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_tab[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++)
      crc_tab[t][i] =
          (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xFF];
}

static uint32_t crc32_table(uint32_t crc, const uint8_t *p, size_t n);

/* ---- CRC-32 combination ------------------------------------------------
 * (pd_file.c joins the CRCs of a file's two halves with it; the PCLMUL
 * folding below takes its constants from x_pow_bytes.)
 * Reflected representation: bit 31 holds the coefficient of x^0, bit 0
 * that of x^31; P = 0xEDB88320 (x^32 implicit). */

/* a·b mod P. */
static uint32_t gf_mul(uint32_t a, uint32_t b) {
  uint32_t r = 0;
  for (int i = 31; i >= 0; i--) { /* bit i of a: coefficient of x^(31-i) */
    if ((a >> i) & 1)
      r ^= b;
    b = (b >> 1) ^ (0xEDB88320u & (0u - (b & 1))); /* b·x mod P */
  }
  return r;
}

/* x^(8n) mod P, by squaring. */
static uint32_t x_pow_bytes(uint64_t n) {
  uint32_t r = 0x80000000u;       /* x^0 */
  uint32_t base = 1u << (31 - 8); /* x^8 */
  while (n) {
    if (n & 1)
      r = gf_mul(r, base);
    base = gf_mul(base, base);
    n >>= 1;
  }
  return r;
}

uint32_t decc__crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) {
  return gf_mul(x_pow_bytes(len_b), crc_a) ^ crc_b;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* Carry-less multiplication (PCLMULQDQ) folding, for long values: the
 * CRC's polynomial arithmetic done 16 bytes at a time (several GB/s where
 * the tables give about one; a file's CRC pass is on protect's critical
 * path, see pd_file.c).
 * Reflected layout, as the bytes come: in a 16-byte block A, the low
 * 64-bit lane (bytes 0-7) holds the coefficients of x^127..x^64, the high
 * lane those of x^63..x^0. Appending the next block B gives
 * A·x^128 + B ≡ lo·(x^192 mod P) + hi·(x^128 mod P) + B (mod P), which
 * stays 128 bits wide. A raw carry-less product of two reflected 64-bit
 * values has the coefficient of x^(126-m) at bit m, so the sum is shifted
 * left by one bit to put x^(127-m) there. At the end the 16 bytes of A and
 * the tail go through the tables from state 0. The starting state is
 * xor'ed into the first four bytes (the usual equivalence for a reflected
 * CRC). The two constants come from the same GF(2) arithmetic as the CRC
 * combination (x_pow_bytes above). */

__attribute__((target("pclmul,sse2"))) static uint32_t
crc32_clmul(uint32_t crc, const uint8_t *p, size_t n) {
  const uint64_t k_lo = (uint64_t)x_pow_bytes(24) << 32; /* x^192 */
  const uint64_t k_hi = (uint64_t)x_pow_bytes(16) << 32; /* x^128 */
  const __m128i k = _mm_set_epi64x((long long)k_hi, (long long)k_lo);
  /* __m128i_u: the 1-byte-aligned vector type unaligned loads take. */
  __m128i a = _mm_loadu_si128((const __m128i_u *)p);
  a = _mm_xor_si128(a, _mm_cvtsi32_si128((int)~crc));
  p += 16;
  n -= 16;
  while (n >= 16) {
    __m128i t = _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00),
                              _mm_clmulepi64_si128(a, k, 0x11));
    t = _mm_or_si128(_mm_slli_epi64(t, 1),
                     _mm_srli_epi64(_mm_slli_si128(t, 8), 63));
    a = _mm_xor_si128(t, _mm_loadu_si128((const __m128i_u *)p));
    p += 16;
    n -= 16;
  }
  uint8_t blk[16];
  _mm_storeu_si128((__m128i_u *)blk, a);
  /* From state 0: the table function takes and returns inverted states. */
  uint32_t c = crc32_table(~0u, blk, 16);
  return crc32_table(c, p, n);
}

static int have_clmul(void) {
  /* Racing first calls compute the same answer; atomics keep it a
   * well-defined race (the CRC pass calls this from two threads). */
  static int v = -1;
  int r = __atomic_load_n(&v, __ATOMIC_RELAXED);
  if (r < 0) {
    r = __builtin_cpu_supports("pclmul") ? 1 : 0;
    __atomic_store_n(&v, r, __ATOMIC_RELAXED);
  }
  return r;
}
#endif

uint32_t decc__crc32(uint32_t crc, const uint8_t *p, size_t n) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (n >= 256 && have_clmul())
    return crc32_clmul(crc, p, n);
#endif
  return crc32_table(crc, p, n);
}

static uint32_t crc32_table(uint32_t crc, const uint8_t *p, size_t n) {
  /* Racing initialisations compute identical tables, so no lock. */
  pthread_once(&crc_once, crc_init);
  uint32_t c = ~crc;
  while (n >= 8) {
    uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
                       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
    uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
                  (uint32_t)p[7] << 24;
    c = crc_tab[7][lo & 0xFF] ^ crc_tab[6][(lo >> 8) & 0xFF] ^
        crc_tab[5][(lo >> 16) & 0xFF] ^ crc_tab[4][lo >> 24] ^
        crc_tab[3][hi & 0xFF] ^ crc_tab[2][(hi >> 8) & 0xFF] ^
        crc_tab[1][(hi >> 16) & 0xFF] ^ crc_tab[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--)
    c = crc_tab[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
  return ~c;
}
