/*
 * eip712.c — EIP-712 typed structured data (see decc/eip712.h).
 *
 * The fixed-shape helpers (typehash, domain separator, 0x1901 digest, the
 * market Challenge) are small and allocation-free; the order code builds on
 * them. The generic encoder reads an eth_signTypedData_v4 document with
 * jansson, checks every declared type once (identifiers, known member
 * types, no duplicate members), then hashes the domain and the message
 * recursively. Recursion is bounded by DECC_EIP712_MAX_DEPTH and the
 * number of array elements by DECC_EIP712_MAX_ELEMENTS, so a hostile
 * document costs at most linear work in its size.
 *
 * Semantics follow ethers 6 TypedDataEncoder (what the iExec SDK uses):
 * encodeType lists the primary type then its dependencies sorted by name,
 * dynamic values (string, bytes) are hashed, arrays hash the concatenation
 * of their encoded elements, structs encode as their hashStruct, and the
 * inferred EIP712Domain keeps the fields the domain object carries in the
 * order name, version, chainId, verifyingContract, salt.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"

/* ---- fixed-shape helpers ------------------------------------------------- */

void decc_eip712_type_hash(uint8_t out32[32], const char *type_string) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(type_string != NULL);
  decc_keccak256(out32, type_string, strlen(type_string));
}

void decc_eip712_digest(uint8_t out32[32], const uint8_t domain_separator32[32],
                        const uint8_t struct_hash32[32]) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(domain_separator32 != NULL);
  DECC_ARG_CHECK_VOID(struct_hash32 != NULL);
  uint8_t pre[66];
  pre[0] = 0x19;
  pre[1] = 0x01;
  memcpy(pre + 2, domain_separator32, 32);
  memcpy(pre + 34, struct_hash32, 32);
  decc_keccak256(out32, pre, sizeof pre);
}

void decc_eip712_domain_separator(uint8_t out32[32],
                                  const decc_eip712_domain *d) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(d != NULL);
  /* Type string of the present fields, canonical order (EIP-712 §domain). */
  char ts[128];
  size_t n = 0;
  const char *parts[5];
  size_t np = 0;
  if (d->name)
    parts[np++] = "string name";
  if (d->version)
    parts[np++] = "string version";
  if (d->has_chain_id)
    parts[np++] = "uint256 chainId";
  if (d->verifying_contract)
    parts[np++] = "address verifyingContract";
  if (d->salt32)
    parts[np++] = "bytes32 salt";
  n += (size_t)snprintf(ts + n, sizeof ts - n, "EIP712Domain(");
  for (size_t i = 0; i < np; i++)
    n +=
        (size_t)snprintf(ts + n, sizeof ts - n, "%s%s", i ? "," : "", parts[i]);
  snprintf(ts + n, sizeof ts - n, ")");

  decc_keccak256_ctx c;
  uint8_t w[32];
  decc_keccak256_init(&c);
  decc_eip712_type_hash(w, ts);
  decc_keccak256_update(&c, w, 32);
  if (d->name) {
    decc_keccak256(w, d->name, strlen(d->name));
    decc_keccak256_update(&c, w, 32);
  }
  if (d->version) {
    decc_keccak256(w, d->version, strlen(d->version));
    decc_keccak256_update(&c, w, 32);
  }
  if (d->has_chain_id) {
    decc_u256_to_be(w, &d->chain_id);
    decc_keccak256_update(&c, w, 32);
  }
  if (d->verifying_contract) {
    memset(w, 0, 12);
    memcpy(w + 12, d->verifying_contract->b, 20);
    decc_keccak256_update(&c, w, 32);
  }
  if (d->salt32)
    decc_keccak256_update(&c, d->salt32, 32);
  decc_keccak256_final(&c, out32);
}

/* ---- market Challenge (iexec-market-api services/auth.js) ---------------- */

#define GATEWAY_NAME "iExec Gateway"
#define GATEWAY_VERSION "1"
#define CHALLENGE_TYPE "Challenge(string challenge)"

void decc_eip712_challenge_domain(uint8_t out32[32], uint64_t chain_id) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  decc_eip712_domain d = {0};
  d.name = GATEWAY_NAME;
  d.version = GATEWAY_VERSION;
  d.has_chain_id = 1;
  d.chain_id = decc_u256_from_u64(chain_id);
  decc_eip712_domain_separator(out32, &d);
}

void decc_eip712_challenge_hash(uint8_t digest32[32], uint64_t chain_id,
                                const char *challenge, size_t n) {
  DECC_ARG_CHECK_VOID(digest32 != NULL);
  DECC_ARG_CHECK_VOID(challenge != NULL || n == 0);
  uint8_t enc[64], sh[32], ds[32];
  decc_eip712_type_hash(enc, CHALLENGE_TYPE);
  decc_keccak256(enc + 32, challenge, n);
  decc_keccak256(sh, enc, sizeof enc);
  decc_eip712_challenge_domain(ds, chain_id);
  decc_eip712_digest(digest32, ds, sh);
}

decc_status decc_eip712_challenge_json(char **json_out, uint64_t chain_id,
                                       const char *challenge) {
  DECC_ARG_CHECK(json_out != NULL);
  DECC_ARG_CHECK(challenge != NULL);
  *json_out = NULL;
  if (!challenge ||
      !decc__utf8_valid((const uint8_t *)challenge, strlen(challenge)))
    return DECC_E_INVALID;
  if (chain_id > (uint64_t)INT64_MAX)
    return DECC_E_INVALID;
  json_t *j = json_pack(
      "{s:{s:[{s:s,s:s},{s:s,s:s},{s:s,s:s}],s:[{s:s,s:s}]},"
      "s:{s:s,s:s,s:I},s:s,s:{s:s}}",
      "types", "EIP712Domain", "name", "name", "type", "string", "name",
      "version", "type", "string", "name", "chainId", "type", "uint256",
      "Challenge", "name", "challenge", "type", "string", "domain", "name",
      GATEWAY_NAME, "version", GATEWAY_VERSION, "chainId", (json_int_t)chain_id,
      "primaryType", "Challenge", "message", "challenge", challenge);
  if (!j)
    return DECC_E_NOMEM;
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!s)
    return DECC_E_NOMEM;
  *json_out = decc_strdup(s);
  free(s);
  return *json_out ? DECC_OK : DECC_E_NOMEM;
}

/* ---- generic typed-data encoder ----------------------------------------- */

typedef struct field {
  const char *name; /* borrowed from the JSON document */
  const char *type;
} field;

typedef struct stype {
  const char *name;
  field *fields;
  size_t nfields;
  uint8_t typehash[32];
  int has_typehash;
} stype;

typedef struct enc_ctx {
  stype types[DECC_EIP712_MAX_TYPES + 1]; /* +1: inferred EIP712Domain */
  size_t ntypes;
  field domain_fields[5];
  size_t elements;
  decc_err *err;
} enc_ctx;

static void ctx_free(enc_ctx *c) {
  for (size_t i = 0; i < c->ntypes; i++)
    if (c->types[i].fields != c->domain_fields)
      decc_free(c->types[i].fields);
  c->ntypes = 0;
}

static int is_ident(const char *s) {
  if (!s || !*s)
    return 0;
  for (size_t i = 0; s[i]; i++) {
    char ch = s[i];
    int alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                ch == '_' || ch == '$';
    int digit = ch >= '0' && ch <= '9';
    if (!alpha && !(digit && i > 0))
      return 0;
  }
  return 1;
}

/* Parses decimal digits s[0..n) without leading zeros into *v (≤ 1e6). */
static int parse_small(const char *s, size_t n, unsigned *v) {
  if (n == 0 || n > 6 || (s[0] == '0' && n > 1))
    return 0;
  unsigned r = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    r = r * 10 + (unsigned)(s[i] - '0');
  }
  *v = r;
  return 1;
}

enum atom {
  A_NONE = 0,
  A_ADDRESS,
  A_BOOL,
  A_STRING,
  A_BYTES,
  A_BYTESN,
  A_UINT,
  A_INT
};

/* Classifies an atomic type name t[0..n); *width gets N of bytesN/uintN/intN. */
static enum atom atom_of(const char *t, size_t n, unsigned *width) {
  *width = 0;
#define IS(lit) (n == sizeof(lit) - 1 && !memcmp(t, lit, n))
  if (IS("address"))
    return A_ADDRESS;
  if (IS("bool"))
    return A_BOOL;
  if (IS("string"))
    return A_STRING;
  if (IS("bytes"))
    return A_BYTES;
#undef IS
  unsigned w;
  if (n > 5 && !memcmp(t, "bytes", 5) && parse_small(t + 5, n - 5, &w) &&
      w >= 1 && w <= 32) {
    *width = w;
    return A_BYTESN;
  }
  if (n > 4 && !memcmp(t, "uint", 4) && parse_small(t + 4, n - 4, &w) &&
      w >= 8 && w <= 256 && w % 8 == 0) {
    *width = w;
    return A_UINT;
  }
  if (n > 3 && !memcmp(t, "int", 3) && parse_small(t + 3, n - 3, &w) &&
      w >= 8 && w <= 256 && w % 8 == 0) {
    *width = w;
    return A_INT;
  }
  return A_NONE;
}

static stype *find_type(enc_ctx *c, const char *t, size_t n) {
  for (size_t i = 0; i < c->ntypes; i++)
    if (strlen(c->types[i].name) == n && !memcmp(c->types[i].name, t, n))
      return &c->types[i];
  return NULL;
}

/* Length of the base type (before the first '['). */
static size_t base_len(const char *t) {
  const char *b = strchr(t, '[');
  return b ? (size_t)(b - t) : strlen(t);
}

/* Checks the array suffixes of a member type: "[]" or "[N]" (N ≥ 1). */
static int suffixes_ok(const char *t) {
  const char *p = strchr(t, '[');
  while (p && *p) {
    if (*p != '[')
      return 0;
    const char *e = strchr(p, ']');
    if (!e)
      return 0;
    unsigned v;
    if (e > p + 1 && (!parse_small(p + 1, (size_t)(e - p - 1), &v) || v == 0))
      return 0;
    p = e + 1;
  }
  return 1;
}

/* Loads and validates "types". */
static decc_status load_types(enc_ctx *c, json_t *types) {
  if (!json_is_object(types))
    return decc_err_set(c->err, DECC_E_PARSE,
                        "typed data: \"types\" must be an object");
  if (json_object_size(types) > DECC_EIP712_MAX_TYPES)
    return decc_err_set(c->err, DECC_E_LIMIT, "typed data: more than %d types",
                        DECC_EIP712_MAX_TYPES);
  const char *key;
  json_t *arr;
  json_object_foreach(types, key, arr) {
    if (!is_ident(key))
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: invalid type name '%.64s'", key);
    unsigned w;
    if (atom_of(key, strlen(key), &w) != A_NONE)
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: type name '%.64s' is an atomic type",
                          key);
    if (!json_is_array(arr))
      return decc_err_set(c->err, DECC_E_PARSE,
                          "typed data: type %.64s must be an array of members",
                          key);
    size_t nf = json_array_size(arr);
    if (nf > DECC_EIP712_MAX_FIELDS)
      return decc_err_set(c->err, DECC_E_LIMIT,
                          "typed data: type %.64s has more than %d members",
                          key, DECC_EIP712_MAX_FIELDS);
    stype *st = &c->types[c->ntypes];
    memset(st, 0, sizeof *st);
    st->name = key;
    st->fields = decc_calloc(nf ? nf : 1, sizeof(field));
    if (!st->fields)
      return decc_err_set(c->err, DECC_E_NOMEM, "out of memory");
    c->ntypes++;
    st->nfields = nf;
    for (size_t i = 0; i < nf; i++) {
      json_t *m = json_array_get(arr, i);
      const char *fn = json_string_value(json_object_get(m, "name"));
      const char *ft = json_string_value(json_object_get(m, "type"));
      if (!json_is_object(m) || !fn || !ft)
        return decc_err_set(c->err, DECC_E_PARSE,
                            "typed data: member %zu of %.64s needs string "
                            "\"name\" and \"type\"",
                            i, key);
      if (!is_ident(fn))
        return decc_err_set(c->err, DECC_E_INVALID,
                            "typed data: invalid member name '%.64s' in %.64s",
                            fn, key);
      for (size_t k = 0; k < i; k++)
        if (!strcmp(st->fields[k].name, fn))
          return decc_err_set(c->err, DECC_E_INVALID,
                              "typed data: duplicate member %.64s.%.64s", key,
                              fn);
      if (!suffixes_ok(ft))
        return decc_err_set(c->err, DECC_E_INVALID,
                            "typed data: bad array type '%.64s' in %.64s.%.64s",
                            ft, key, fn);
      st->fields[i].name = fn;
      st->fields[i].type = ft;
    }
  }
  /* Every member type must be atomic or a declared struct. */
  for (size_t i = 0; i < c->ntypes; i++)
    for (size_t k = 0; k < c->types[i].nfields; k++) {
      const char *ft = c->types[i].fields[k].type;
      size_t bl = base_len(ft);
      unsigned w;
      if (atom_of(ft, bl, &w) == A_NONE && !find_type(c, ft, bl))
        return decc_err_set(c->err, DECC_E_INVALID,
                            "typed data: unknown type '%.*s' in %.64s.%.64s",
                            (int)(bl > 64 ? 64 : bl), ft, c->types[i].name,
                            c->types[i].fields[k].name);
    }
  return DECC_OK;
}

static void collect_deps(enc_ctx *c, const stype *t, int *seen) {
  for (size_t k = 0; k < t->nfields; k++) {
    const char *ft = t->fields[k].type;
    stype *d = find_type(c, ft, base_len(ft));
    if (d && !seen[d - c->types]) {
      seen[d - c->types] = 1;
      collect_deps(c, d, seen);
    }
  }
}

static decc_status append_one_type(decc_buf *b, const stype *t) {
  decc_status st = decc_buf_append_str(b, t->name);
  if (!st)
    st = decc_buf_append_byte(b, '(');
  for (size_t k = 0; !st && k < t->nfields; k++) {
    if (k)
      st = decc_buf_append_byte(b, ',');
    if (!st)
      st = decc_buf_printf(b, "%s %s", t->fields[k].type, t->fields[k].name);
  }
  if (!st)
    st = decc_buf_append_byte(b, ')');
  return st;
}

static int cmp_type_ptr(const void *a, const void *b) {
  const stype *x = *(const stype *const *)a, *y = *(const stype *const *)b;
  return strcmp(x->name, y->name);
}

/* encodeType: t, then its dependencies sorted by name. */
static decc_status encode_type(enc_ctx *c, const stype *t, decc_buf *out) {
  int seen[DECC_EIP712_MAX_TYPES + 1] = {0};
  seen[t - c->types] = 1;
  collect_deps(c, t, seen);
  const stype *deps[DECC_EIP712_MAX_TYPES + 1];
  size_t nd = 0;
  for (size_t i = 0; i < c->ntypes; i++)
    if (seen[i] && &c->types[i] != t)
      deps[nd++] = &c->types[i];
  qsort(deps, nd, sizeof deps[0], cmp_type_ptr);
  decc_status st = append_one_type(out, t);
  for (size_t i = 0; !st && i < nd; i++)
    st = append_one_type(out, deps[i]);
  if (st)
    return decc_err_set(c->err, st, "typed data: type string too long");
  return DECC_OK;
}

static decc_status type_hash_of(enc_ctx *c, stype *t) {
  if (t->has_typehash)
    return DECC_OK;
  decc_buf b;
  decc_buf_init(&b, 1 << 20);
  decc_status st = encode_type(c, t, &b);
  if (!st) {
    decc_keccak256(t->typehash, b.data, b.len);
    t->has_typehash = 1;
  }
  decc_buf_clear(&b);
  return st;
}

/* Integer value → sign and magnitude. */
static decc_status read_integer(enc_ctx *c, const char *where, json_t *v,
                                int *neg, decc_u256 *mag) {
  *neg = 0;
  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if (i < 0) {
      *neg = 1;
      *mag = decc_u256_from_u64((uint64_t)(-(i + 1)) + 1);
    } else {
      *mag = decc_u256_from_u64((uint64_t)i);
    }
    return DECC_OK;
  }
  const char *s = json_string_value(v);
  if (!s)
    return decc_err_set(
        c->err, DECC_E_INVALID,
        "typed data: %s: expected an integer (number or string)", where);
  if (*s == '-') {
    *neg = 1;
    s++;
  }
  decc_status st = decc_u256_parse(mag, s);
  if (st == DECC_E_RANGE)
    return decc_err_set(c->err, DECC_E_RANGE,
                        "typed data: %s: integer does not fit in 256 bits",
                        where);
  if (st)
    return decc_err_set(c->err, DECC_E_INVALID,
                        "typed data: %s: '%.40s' is not an integer", where,
                        json_string_value(v));
  if (decc_u256_is_zero(mag))
    *neg = 0;
  return DECC_OK;
}

/* Number of significant bits of v. */
static unsigned bit_length(const decc_u256 *v) {
  for (int i = 3; i >= 0; i--)
    if (v->w[i])
      return (unsigned)(64 * i + 64 - __builtin_clzll(v->w[i]));
  return 0;
}

static decc_status encode_integer(enc_ctx *c, const char *where, json_t *v,
                                  int is_signed, unsigned width,
                                  uint8_t out32[32]) {
  int neg;
  decc_u256 mag;
  decc_status st = read_integer(c, where, v, &neg, &mag);
  if (st)
    return st;
  unsigned bl = bit_length(&mag);
  int ok;
  if (!is_signed) {
    ok = !neg && bl <= width;
  } else if (!neg) {
    ok = bl <= width - 1;
  } else {
    /* |v| ≤ 2^(width-1): fewer bits, or exactly the power of two. */
    decc_u256 lim = {{0, 0, 0, 0}};
    lim.w[(width - 1) / 64] = (uint64_t)1 << ((width - 1) % 64);
    ok = bl < width || decc_u256_cmp(&mag, &lim) == 0;
  }
  if (!ok)
    return decc_err_set(c->err, DECC_E_RANGE,
                        "typed data: %s: value out of range for %sint%u", where,
                        is_signed ? "" : "u", width);
  if (neg) {
    /* Two's complement over 256 bits: ~mag + 1. */
    for (int i = 0; i < 4; i++)
      mag.w[i] = ~mag.w[i];
    for (int i = 0; i < 4; i++)
      if (++mag.w[i] != 0)
        break;
  }
  decc_u256_to_be(out32, &mag);
  return DECC_OK;
}

static decc_status decode_hex_value(enc_ctx *c, const char *where, json_t *v,
                                    uint8_t **bytes, size_t *n) {
  const char *s = json_string_value(v);
  *bytes = NULL;
  if (!s || strncmp(s, "0x", 2) != 0)
    return decc_err_set(c->err, DECC_E_INVALID,
                        "typed data: %s: expected 0x-prefixed hex", where);
  size_t sl = json_string_length(v);
  uint8_t *b = decc_malloc(sl / 2 + 1);
  if (!b)
    return decc_err_set(c->err, DECC_E_NOMEM, "out of memory");
  if (decc_hex_decode(b, sl / 2 + 1, n, s, sl) != DECC_OK) {
    decc_free(b);
    return decc_err_set(c->err, DECC_E_INVALID,
                        "typed data: %s: invalid hex (odd length or bad digit)",
                        where);
  }
  *bytes = b;
  return DECC_OK;
}

static decc_status hash_struct(enc_ctx *c, stype *t, json_t *v, unsigned depth,
                               uint8_t out32[32]);

/* Encodes value v of member type t[0..tn) into one 32-byte word. */
static decc_status encode_value(enc_ctx *c, const char *where, const char *t,
                                size_t tn, json_t *v, unsigned depth,
                                uint8_t out32[32]) {
  if (depth > DECC_EIP712_MAX_DEPTH)
    return decc_err_set(c->err, DECC_E_LIMIT,
                        "typed data: %s: nesting deeper than %d", where,
                        DECC_EIP712_MAX_DEPTH);
  if (tn > 0 && t[tn - 1] == ']') {
    size_t lb = tn - 1;
    while (lb > 0 && t[lb] != '[')
      lb--;
    unsigned fixed = 0;
    int has_fixed = tn - lb > 2 && parse_small(t + lb + 1, tn - lb - 2, &fixed);
    if (!json_is_array(v))
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: %s: expected an array for %.*s", where,
                          (int)(tn > 64 ? 64 : tn), t);
    size_t n = json_array_size(v);
    if (has_fixed && n != fixed)
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: %s: array has %zu elements, type %.*s "
                          "needs %u",
                          where, n, (int)(tn > 64 ? 64 : tn), t, fixed);
    c->elements += n;
    if (c->elements > DECC_EIP712_MAX_ELEMENTS)
      return decc_err_set(c->err, DECC_E_LIMIT,
                          "typed data: more than %d array elements",
                          DECC_EIP712_MAX_ELEMENTS);
    decc_keccak256_ctx k;
    decc_keccak256_init(&k);
    for (size_t i = 0; i < n; i++) {
      uint8_t w[32];
      decc_status st =
          encode_value(c, where, t, lb, json_array_get(v, i), depth + 1, w);
      if (st)
        return st;
      decc_keccak256_update(&k, w, 32);
    }
    decc_keccak256_final(&k, out32);
    return DECC_OK;
  }
  stype *s = find_type(c, t, tn);
  if (s)
    return hash_struct(c, s, v, depth + 1, out32);
  unsigned width;
  enum atom a = atom_of(t, tn, &width);
  memset(out32, 0, 32);
  switch (a) {
  case A_ADDRESS: {
    decc_address addr;
    decc_err e2;
    const char *str = json_string_value(v);
    if (!str)
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: %s: expected an address string", where);
    if (decc_address_parse(&addr, str, &e2) != DECC_OK)
      return decc_err_set(c->err, DECC_E_INVALID, "typed data: %s: %s", where,
                          e2.msg);
    memcpy(out32 + 12, addr.b, 20);
    return DECC_OK;
  }
  case A_BOOL:
    if (!json_is_boolean(v))
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: %s: expected true or false", where);
    out32[31] = json_is_true(v) ? 1 : 0;
    return DECC_OK;
  case A_STRING:
    if (!json_is_string(v))
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: %s: expected a string", where);
    decc_keccak256(out32, json_string_value(v), json_string_length(v));
    return DECC_OK;
  case A_BYTES:
  case A_BYTESN: {
    uint8_t *b;
    size_t n;
    decc_status st = decode_hex_value(c, where, v, &b, &n);
    if (st)
      return st;
    if (a == A_BYTES) {
      decc_keccak256(out32, b, n);
    } else if (n != width) {
      decc_free(b);
      return decc_err_set(
          c->err, DECC_E_INVALID,
          "typed data: %s: bytes%u needs exactly %u bytes, got %zu", where,
          width, width, n);
    } else {
      memcpy(out32, b, n); /* bytesN is left-aligned, zero-padded right */
    }
    decc_free(b);
    return DECC_OK;
  }
  case A_UINT:
  case A_INT:
    return encode_integer(c, where, v, a == A_INT, width, out32);
  case A_NONE:
  default:
    break;
  }
  return decc_err_set(c->err, DECC_E_INVALID,
                      "typed data: %s: unknown type %.*s", where,
                      (int)(tn > 64 ? 64 : tn), t);
}

static decc_status hash_struct(enc_ctx *c, stype *t, json_t *v, unsigned depth,
                               uint8_t out32[32]) {
  if (!json_is_object(v))
    return decc_err_set(c->err, DECC_E_INVALID,
                        "typed data: value of type %.64s must be an object",
                        t->name);
  decc_status st = type_hash_of(c, t);
  if (st)
    return st;
  decc_keccak256_ctx k;
  decc_keccak256_init(&k);
  decc_keccak256_update(&k, t->typehash, 32);
  for (size_t i = 0; i < t->nfields; i++) {
    char where[160];
    snprintf(where, sizeof where, "%.64s.%.64s", t->name, t->fields[i].name);
    json_t *fv = json_object_get(v, t->fields[i].name);
    if (!fv || json_is_null(fv))
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: missing value for %s", where);
    uint8_t w[32];
    st = encode_value(c, where, t->fields[i].type, strlen(t->fields[i].type),
                      fv, depth, w);
    if (st)
      return st;
    decc_keccak256_update(&k, w, 32);
  }
  decc_keccak256_final(&k, out32);
  return DECC_OK;
}

/* Adds the EIP712Domain type inferred from the domain object's keys. */
static decc_status infer_domain_type(enc_ctx *c, json_t *domain) {
  static const field CANON[5] = {{"name", "string"},
                                 {"version", "string"},
                                 {"chainId", "uint256"},
                                 {"verifyingContract", "address"},
                                 {"salt", "bytes32"}};
  const char *key;
  json_t *val;
  json_object_foreach(domain, key, val) {
    int known = 0;
    for (int i = 0; i < 5; i++)
      known |= !strcmp(key, CANON[i].name);
    if (!known)
      return decc_err_set(c->err, DECC_E_INVALID,
                          "typed data: unknown domain field '%.64s'", key);
  }
  size_t n = 0;
  for (int i = 0; i < 5; i++) {
    json_t *fv = json_object_get(domain, CANON[i].name);
    if (fv && !json_is_null(fv))
      c->domain_fields[n++] = CANON[i];
  }
  stype *st = &c->types[c->ntypes++];
  memset(st, 0, sizeof *st);
  st->name = "EIP712Domain";
  st->fields = c->domain_fields;
  st->nfields = n;
  return DECC_OK;
}

/* Primary type: the one not referenced by any other struct. */
static decc_status infer_primary(enc_ctx *c, stype **out) {
  stype *found = NULL;
  for (size_t i = 0; i < c->ntypes; i++) {
    stype *t = &c->types[i];
    if (!strcmp(t->name, "EIP712Domain"))
      continue;
    int referenced = 0;
    for (size_t j = 0; j < c->ntypes && !referenced; j++) {
      if (j == i)
        continue;
      for (size_t k = 0; k < c->types[j].nfields; k++) {
        const char *ft = c->types[j].fields[k].type;
        size_t bl = base_len(ft);
        if (bl == strlen(t->name) && !memcmp(ft, t->name, bl))
          referenced = 1;
      }
    }
    if (!referenced) {
      if (found)
        return decc_err_set(c->err, DECC_E_INVALID,
                            "typed data: no primaryType and several root types "
                            "(%.64s, %.64s)",
                            found->name, t->name);
      found = t;
    }
  }
  if (!found)
    return decc_err_set(c->err, DECC_E_INVALID,
                        "typed data: no primaryType and no root type");
  *out = found;
  return DECC_OK;
}

static decc_status load_doc(json_t **root, const char *json, size_t len,
                            decc_err *err) {
  *root = NULL;
  if (!json)
    return decc_err_set(err, DECC_E_INVALID, "typed data: no input");
  if (len > DECC_EIP712_JSON_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "typed data larger than %u bytes",
                        DECC_EIP712_JSON_MAX);
  json_error_t je;
  json_t *r = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!r)
    return decc_err_set(err, DECC_E_PARSE,
                        "typed data: invalid JSON at line %d column %d: %s",
                        je.line, je.column, je.text);
  if (!json_is_object(r)) {
    json_decref(r);
    return decc_err_set(err, DECC_E_PARSE,
                        "typed data: expected a JSON object");
  }
  *root = r;
  return DECC_OK;
}

decc_status decc_eip712_hash_json_parts(uint8_t digest32[32],
                                        uint8_t *domain_sep32,
                                        uint8_t *struct_hash32,
                                        const char *json, size_t len,
                                        decc_err *err) {
  DECC_ARG_CHECK(digest32 != NULL);
  DECC_ARG_CHECK(json != NULL);
  json_t *root;
  decc_status st = load_doc(&root, json, len, err);
  if (st)
    return st;
  enc_ctx *c = decc_calloc(1, sizeof *c);
  if (!c) {
    json_decref(root);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  c->err = err;
  uint8_t ds[32], sh[32];
  json_t *domain = json_object_get(root, "domain");
  json_t *message = json_object_get(root, "message");
  json_t *pt = json_object_get(root, "primaryType");
  stype *primary = NULL;
  st = load_types(c, json_object_get(root, "types"));
  if (st)
    goto done;
  if (!json_is_object(domain) || !json_is_object(message)) {
    st = decc_err_set(err, DECC_E_PARSE,
                      "typed data: \"domain\" and \"message\" must be objects");
    goto done;
  }
  if (pt) {
    const char *pts = json_string_value(pt);
    if (!pts || !(primary = find_type(c, pts, strlen(pts)))) {
      st =
          decc_err_set(err, DECC_E_INVALID,
                       "typed data: primaryType '%.64s' is not a declared type",
                       pts ? pts : "?");
      goto done;
    }
  } else if ((st = infer_primary(c, &primary)) != DECC_OK) {
    goto done;
  }
  stype *dt = find_type(c, "EIP712Domain", 12);
  if (!dt) {
    if ((st = infer_domain_type(c, domain)) != DECC_OK)
      goto done;
    dt = &c->types[c->ntypes - 1];
  }
  if ((st = hash_struct(c, dt, domain, 0, ds)) != DECC_OK)
    goto done;
  if ((st = hash_struct(c, primary, message, 0, sh)) != DECC_OK)
    goto done;
  decc_eip712_digest(digest32, ds, sh);
  if (domain_sep32)
    memcpy(domain_sep32, ds, 32);
  if (struct_hash32)
    memcpy(struct_hash32, sh, 32);
done:
  ctx_free(c);
  decc_free(c);
  json_decref(root);
  return st;
}

decc_status decc_eip712_hash_json(uint8_t digest32[32], uint8_t *domain_sep32,
                                  const char *json, size_t len, decc_err *err) {
  DECC_ARG_CHECK(digest32 != NULL);
  DECC_ARG_CHECK(json != NULL);
  return decc_eip712_hash_json_parts(digest32, domain_sep32, NULL, json, len,
                                     err);
}

decc_status decc_eip712_encode_type(char **out, const char *json, size_t len,
                                    const char *type_name, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(type_name != NULL);
  *out = NULL;
  json_t *root;
  decc_status st = load_doc(&root, json, len, err);
  if (st)
    return st;
  enc_ctx *c = decc_calloc(1, sizeof *c);
  if (!c) {
    json_decref(root);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  c->err = err;
  st = load_types(c, json_object_get(root, "types"));
  stype *t = NULL;
  if (!st && !(t = find_type(c, type_name, strlen(type_name))))
    st = decc_err_set(err, DECC_E_NOT_FOUND,
                      "typed data: type '%.64s' is not declared", type_name);
  if (!st) {
    decc_buf b;
    decc_buf_init(&b, 1 << 20);
    st = encode_type(c, t, &b);
    if (!st) {
      *out = decc_strndup((const char *)b.data, b.len);
      if (!*out)
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    decc_buf_clear(&b);
  }
  ctx_free(c);
  decc_free(c);
  json_decref(root);
  return st;
}

decc_status decc_eip712_sign_json(uint8_t sig65[65], uint8_t *digest32,
                                  const uint8_t sk32[32], const char *json,
                                  size_t len, decc_err *err) {
  DECC_ARG_CHECK(sig65 != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(json != NULL);
  uint8_t d[32];
  decc_status st = decc_eip712_hash_json(d, NULL, json, len, err);
  if (st)
    return st;
  st = decc_sign_digest(sig65, sk32, d);
  if (st)
    return decc_err_set(err, st, "signing failed: invalid private key");
  if (digest32)
    memcpy(digest32, d, 32);
  return DECC_OK;
}
