/*
 * order.c — iExec PoCo orders: JSON in the SDK's shape, EIP-712 struct and
 * typed hashes under the PoCo domain, signing, signature recovery and the
 * <X>OrderOperation hashes (iexec-protocol.md §1.4, §1.8;
 * PoCo IexecLibOrders_v5.sol, iexec SDK market/order.js).
 *
 * One descriptor table per order type (member name, Solidity type, offset
 * in the C struct) drives everything: the EIP-712 type strings (built once
 * from the table, then hashed into the typehashes), hashing, parsing and
 * serialization. That keeps the member order in a single place, which is
 * the order the contracts hash in. Hashing allocates nothing and encodes
 * each order into one buffer hashed in one go, since signing and
 * verification throughput matter for the market.
 */
#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "poco/poco_int.h"

enum kind { K_ADDR, K_U256, K_B32, K_STR };

typedef struct fdesc {
  const char *name;
  enum kind kind;
  size_t off; /* offset inside the order's struct (union member) */
} fdesc;

typedef struct odesc {
  const char *json_name; /* SDK / market name */
  const char *primary;   /* EIP-712 primary type */
  const fdesc *f;
  size_t n;
} odesc;

#define F(T, name, kind)                                                       \
  { #name, kind, offsetof(T, name) }

static const fdesc APP_F[] = {F(decc_apporder, app, K_ADDR),
                              F(decc_apporder, appprice, K_U256),
                              F(decc_apporder, volume, K_U256),
                              F(decc_apporder, tag, K_B32),
                              F(decc_apporder, datasetrestrict, K_ADDR),
                              F(decc_apporder, workerpoolrestrict, K_ADDR),
                              F(decc_apporder, requesterrestrict, K_ADDR),
                              F(decc_apporder, salt, K_B32)};
static const fdesc DATASET_F[] = {
    F(decc_datasetorder, dataset, K_ADDR),
    F(decc_datasetorder, datasetprice, K_U256),
    F(decc_datasetorder, volume, K_U256),
    F(decc_datasetorder, tag, K_B32),
    F(decc_datasetorder, apprestrict, K_ADDR),
    F(decc_datasetorder, workerpoolrestrict, K_ADDR),
    F(decc_datasetorder, requesterrestrict, K_ADDR),
    F(decc_datasetorder, salt, K_B32)};
static const fdesc WORKERPOOL_F[] = {
    F(decc_workerpoolorder, workerpool, K_ADDR),
    F(decc_workerpoolorder, workerpoolprice, K_U256),
    F(decc_workerpoolorder, volume, K_U256),
    F(decc_workerpoolorder, tag, K_B32),
    F(decc_workerpoolorder, category, K_U256),
    F(decc_workerpoolorder, trust, K_U256),
    F(decc_workerpoolorder, apprestrict, K_ADDR),
    F(decc_workerpoolorder, datasetrestrict, K_ADDR),
    F(decc_workerpoolorder, requesterrestrict, K_ADDR),
    F(decc_workerpoolorder, salt, K_B32)};
static const fdesc REQUEST_F[] = {
    F(decc_requestorder, app, K_ADDR),
    F(decc_requestorder, appmaxprice, K_U256),
    F(decc_requestorder, dataset, K_ADDR),
    F(decc_requestorder, datasetmaxprice, K_U256),
    F(decc_requestorder, workerpool, K_ADDR),
    F(decc_requestorder, workerpoolmaxprice, K_U256),
    F(decc_requestorder, requester, K_ADDR),
    F(decc_requestorder, volume, K_U256),
    F(decc_requestorder, tag, K_B32),
    F(decc_requestorder, category, K_U256),
    F(decc_requestorder, trust, K_U256),
    F(decc_requestorder, beneficiary, K_ADDR),
    F(decc_requestorder, callback, K_ADDR),
    F(decc_requestorder, params, K_STR),
    F(decc_requestorder, salt, K_B32)};
#undef F

#define NF(a) (sizeof a / sizeof a[0])
static const odesc ORDERS[4] = {
    {"apporder", "AppOrder", APP_F, NF(APP_F)},
    {"datasetorder", "DatasetOrder", DATASET_F, NF(DATASET_F)},
    {"workerpoolorder", "WorkerpoolOrder", WORKERPOOL_F, NF(WORKERPOOL_F)},
    {"requestorder", "RequestOrder", REQUEST_F, NF(REQUEST_F)}};
#define MAX_FIELDS 15

/* Type strings and typehashes, built once from the tables. */
static struct {
  char type_string[4][512];
  char op_type_string[4][600];
  uint8_t typehash[4][32];
  uint8_t op_typehash[4][32];
} g_types;
static pthread_once_t g_types_once = PTHREAD_ONCE_INIT;

static const char *sol_type(enum kind k) {
  switch (k) {
  case K_ADDR:
    return "address";
  case K_U256:
    return "uint256";
  case K_B32:
    return "bytes32";
  case K_STR:
  default:
    return "string";
  }
}

static void build_types(void) {
  for (int t = 0; t < 4; t++) {
    const odesc *d = &ORDERS[t];
    char *s = g_types.type_string[t];
    size_t cap = sizeof g_types.type_string[t], n = 0;
    n += (size_t)snprintf(s + n, cap - n, "%s(", d->primary);
    for (size_t i = 0; i < d->n; i++)
      n += (size_t)snprintf(s + n, cap - n, "%s%s %s", i ? "," : "",
                            sol_type(d->f[i].kind), d->f[i].name);
    snprintf(s + n, cap - n, ")");
    decc_eip712_type_hash(g_types.typehash[t], s);
    /* <X>OrderOperation(<X>Order order,uint256 operation) + <X>Order. */
    snprintf(g_types.op_type_string[t], sizeof g_types.op_type_string[t],
             "%sOperation(%s order,uint256 operation)%s", d->primary,
             d->primary, s);
    decc_eip712_type_hash(g_types.op_typehash[t], g_types.op_type_string[t]);
  }
}

static void ensure_types(void) { pthread_once(&g_types_once, build_types); }

static int type_ok(decc_order_type t) { return (unsigned)t < 4u; }

const char *decc_order_type_name(decc_order_type t) {
  return type_ok(t) ? ORDERS[t].json_name : "unknown";
}

const char *decc_order_primary_type(decc_order_type t) {
  return type_ok(t) ? ORDERS[t].primary : "unknown";
}

const char *decc_order_type_string(decc_order_type t) {
  if (!type_ok(t))
    return "";
  ensure_types();
  return g_types.type_string[t];
}

decc_status decc_order_type_parse(decc_order_type *t, const char *s) {
  static const char *SHORT[4] = {"app", "dataset", "workerpool", "request"};
  DECC_ARG_CHECK(t != NULL);
  DECC_ARG_CHECK(s != NULL);
  for (int i = 0; i < 4; i++)
    if (!strcmp(s, ORDERS[i].json_name) || !strcmp(s, SHORT[i])) {
      *t = (decc_order_type)i;
      return DECC_OK;
    }
  return DECC_E_INVALID;
}

/* ---- lifecycle ----------------------------------------------------------- */

decc_status decc_order_init(decc_order *o, decc_order_type type) {
  DECC_ARG_CHECK(o != NULL);
  memset(o, 0, sizeof *o);
  if (!type_ok(type))
    return DECC_E_INVALID;
  o->type = type;
  if (type == DECC_ORDER_REQUEST) {
    o->u.request.params = decc_strdup("");
    if (!o->u.request.params)
      return DECC_E_NOMEM;
  }
  return DECC_OK;
}

void decc_order_clear(decc_order *o) {
  if (!o)
    return;
  if (o->type == DECC_ORDER_REQUEST)
    decc_free(o->u.request.params);
  memset(o, 0, sizeof *o);
}

decc_status decc_order_copy(decc_order *dst, const decc_order *src) {
  DECC_ARG_CHECK(dst != NULL);
  DECC_ARG_CHECK(src != NULL);
  memcpy(dst, src, sizeof *dst);
  if (src->type == DECC_ORDER_REQUEST) {
    dst->u.request.params =
        decc_strdup(src->u.request.params ? src->u.request.params : "");
    if (!dst->u.request.params) {
      memset(dst, 0, sizeof *dst);
      return DECC_E_NOMEM;
    }
  }
  return DECC_OK;
}

/* ---- hashing ------------------------------------------------------------- */

void decc_poco_domain_separator(uint8_t out32[32], uint64_t chain_id,
                                const decc_address *hub) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(hub != NULL);
  /* SPEC: iexec-protocol.md §1.4 (IexecConfigurationFacet._domain). */
  decc_eip712_domain d = {0};
  d.name = "iExecODB";
  d.version = "5.0.0";
  d.has_chain_id = 1;
  d.chain_id = decc_u256_from_u64(chain_id);
  d.verifying_contract = hub;
  decc_eip712_domain_separator(out32, &d);
}

/* A field of the order by its table entry. void *, not uint8_t *: callers
   convert it to the field's own type, and the offset is offsetof() of a
   member of that type, so the alignment is the member's. */
static const void *field_ptr(const decc_order *o, const fdesc *f) {
  return (const uint8_t *)&o->u + f->off;
}

static void *field_mut(decc_order *o, const fdesc *f) {
  return (uint8_t *)&o->u + f->off;
}

/* Writes o's member words into w (32 bytes each, in the type's member
 * order, as EIP-712's encodeData lays them out) and returns how many. A
 * string member's word is the keccak-256 of its text, or *str_word when
 * the caller already knows it (str_word NULL: hash the text). o->type is
 * valid. */
static size_t encode_members(uint8_t *w, const decc_order *o,
                             const uint8_t *str_word) {
  const odesc *d = &ORDERS[o->type];
  for (size_t i = 0; i < d->n; i++, w += 32) {
    const void *p = field_ptr(o, &d->f[i]);
    switch (d->f[i].kind) {
    case K_ADDR:
      memset(w, 0, 12);
      memcpy(w + 12, ((const decc_address *)p)->b, 20);
      break;
    case K_U256:
      decc_u256_to_be(w, (const decc_u256 *)p);
      break;
    case K_B32:
      memcpy(w, p, 32);
      break;
    case K_STR: {
      const char *s = *(char *const *)p;
      if (str_word)
        memcpy(w, str_word, 32);
      else
        decc_keccak256(w, s ? s : "", s ? strlen(s) : 0);
      break;
    }
    }
  }
  return d->n;
}

void decc_order_struct_hash(uint8_t out32[32], const decc_order *o) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(o != NULL);
  if (!type_ok(o->type)) {
    memset(out32, 0, 32);
    return;
  }
  ensure_types();
  uint8_t buf[32 * (MAX_FIELDS + 1)];
  memcpy(buf, g_types.typehash[o->type], 32);
  size_t n = encode_members(buf + 32, o, NULL);
  decc_keccak256(out32, buf, 32 * (n + 1));
}

void decc_order_hash(uint8_t out32[32], const decc_order *o,
                     const uint8_t domain_separator32[32]) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(o != NULL);
  DECC_ARG_CHECK_VOID(domain_separator32 != NULL);
  uint8_t sh[32];
  decc_order_struct_hash(sh, o);
  decc_eip712_digest(out32, domain_separator32, sh);
}

/* The index of the request's string member (params), whose word a key
 * holds as a hash. */
static size_t params_index(void) {
  for (size_t i = 0; i < NF(REQUEST_F); i++)
    if (REQUEST_F[i].kind == K_STR)
      return i;
  return 0; /* unreachable: the request has one */
}

void decc__order_hash_keyed(uint8_t out32[32], decc_poco_order_key *k,
                            const decc_order *o, const uint8_t domain32[32]) {
  memset(k, 0, sizeof *k);
  if (!type_ok(o->type)) {
    decc_order_hash(out32, o, domain32);
    return;
  }
  ensure_types();
  uint8_t buf[32 * (MAX_FIELDS + 1)], sh[32];
  memcpy(buf, g_types.typehash[o->type], 32);
  size_t n = encode_members(buf + 32, o, NULL);
  decc_keccak256(sh, buf, 32 * (n + 1));
  decc_eip712_digest(out32, domain32, sh);
  /* the key: exactly what went into out32 besides the fixed typehash */
  k->set = 1;
  k->type = o->type;
  memcpy(k->domain, domain32, 32);
  memcpy(k->enc, buf + 32, 32 * n);
  k->params_len = SIZE_MAX;
  if (o->type == DECC_ORDER_REQUEST) {
    const char *p = o->u.request.params ? o->u.request.params : "";
    size_t len = strlen(p);
    if (len <= sizeof k->params) {
      memcpy(k->params, p, len);
      k->params_len = len;
    }
  }
}

int decc__order_key_matches(const decc_poco_order_key *k, const decc_order *o,
                            const uint8_t domain32[32]) {
  if (!k->set || k->type != o->type || !type_ok(o->type) ||
      memcmp(k->domain, domain32, 32) != 0)
    return 0;
  const uint8_t *str_word = NULL;
  if (o->type == DECC_ORDER_REQUEST && k->params_len != SIZE_MAX) {
    /* params kept as text: equal text means an equal hash word, so the
     * key's word stands for it; different text never matches */
    const char *p = o->u.request.params ? o->u.request.params : "";
    size_t len = strlen(p);
    if (len != k->params_len || memcmp(p, k->params, len) != 0)
      return 0;
    str_word = k->enc + 32 * params_index();
  }
  /* (params not kept: encode_members hashes o's text, compared below) */
  uint8_t buf[32 * MAX_FIELDS];
  size_t n = encode_members(buf, o, str_word);
  return memcmp(buf, k->enc, 32 * n) == 0;
}

void decc_order_operation_hash(uint8_t out32[32], const decc_order *o,
                               decc_order_operation op,
                               const uint8_t domain_separator32[32]) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(o != NULL);
  DECC_ARG_CHECK_VOID(domain_separator32 != NULL);
  ensure_types();
  uint8_t buf[96], sh[32];
  memcpy(buf, g_types.op_typehash[type_ok(o->type) ? o->type : 0], 32);
  decc_order_struct_hash(buf + 32, o);
  decc_u256 v = decc_u256_from_u64((uint64_t)op);
  decc_u256_to_be(buf + 64, &v);
  decc_keccak256(sh, buf, sizeof buf);
  decc_eip712_digest(out32, domain_separator32, sh);
}

/* ---- signatures ---------------------------------------------------------- */

decc_status decc_order_sign(decc_order *o, const uint8_t sk32[32],
                            const uint8_t domain_separator32[32],
                            int salt_random) {
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(domain_separator32 != NULL);
  if (!type_ok(o->type))
    return DECC_E_INVALID;
  uint8_t *salt =
      (uint8_t *)&o->u + ORDERS[o->type].f[ORDERS[o->type].n - 1].off;
  if (salt_random && decc_random_bytes(salt, 32) != DECC_OK)
    return DECC_E_CRYPTO;
  uint8_t h[32];
  decc_order_hash(h, o, domain_separator32);
  decc_status st = decc_sign_digest(o->sign, sk32, h);
  if (st) {
    memset(o->sign, 0, sizeof o->sign);
    o->sign_len = 0;
    return st;
  }
  o->sign_len = 65;
  return DECC_OK;
}

decc_status decc_order_recover(decc_address *signer, const decc_order *o,
                               const uint8_t domain_separator32[32]) {
  DECC_ARG_CHECK(signer != NULL);
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(domain_separator32 != NULL);
  if (!type_ok(o->type) || (o->sign_len != 64 && o->sign_len != 65))
    return DECC_E_BAD_SIGNATURE;
  uint8_t h[32];
  decc_order_hash(h, o, domain_separator32);
  return decc_recover_digest_any(signer, h, o->sign, o->sign_len) == DECC_OK
             ? DECC_OK
             : DECC_E_BAD_SIGNATURE;
}

decc_status decc_order_operation_sign(uint8_t sig65[65], const decc_order *o,
                                      decc_order_operation op,
                                      const uint8_t sk32[32],
                                      const uint8_t domain_separator32[32]) {
  DECC_ARG_CHECK(sig65 != NULL);
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(domain_separator32 != NULL);
  if (!type_ok(o->type) || (op != DECC_OP_SIGN && op != DECC_OP_CLOSE))
    return DECC_E_INVALID;
  uint8_t h[32];
  decc_order_operation_hash(h, o, op, domain_separator32);
  return decc_sign_digest(sig65, sk32, h);
}

/* ---- JSON ---------------------------------------------------------------- */

static decc_status parse_u256_value(decc_u256 *out, json_t *v,
                                    const char *where, decc_err *err) {
  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if (i < 0)
      return decc_err_set(err, DECC_E_RANGE, "%s: negative value", where);
    *out = decc_u256_from_u64((uint64_t)i);
    return DECC_OK;
  }
  const char *s = json_string_value(v);
  if (!s)
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: expected a decimal string or an integer", where);
  decc_status st = decc_u256_parse(out, s);
  if (st == DECC_E_RANGE)
    return decc_err_set(err, DECC_E_RANGE,
                        "%s: value %.80s%s is not below 2^256", where, s,
                        strlen(s) > 80 ? "…" : "");
  if (st)
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: '%.80s' is not a non-negative integer", where, s);
  return DECC_OK;
}

static decc_status parse_tag_value(uint8_t tag32[32], json_t *v,
                                   const char *where, decc_err *err) {
  decc_err e2;
  decc_err_clear(&e2);
  if (json_is_string(v)) {
    if (decc_tag_parse(tag32, json_string_value(v), &e2) != DECC_OK)
      return decc_err_set(err, DECC_E_PARSE, "%s: %s", where, e2.msg);
    return DECC_OK;
  }
  if (json_is_array(v)) {
    memset(tag32, 0, 32);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      const char *name = json_string_value(e);
      uint8_t one[32];
      if (!name || !strncmp(name, "0x", 2) || strchr(name, ',') ||
          decc_tag_parse(one, name, &e2) != DECC_OK)
        return decc_err_set(err, DECC_E_PARSE,
                            "%s: element %zu is not a tag name", where, i);
      for (int k = 0; k < 32; k++)
        tag32[k] |= one[k];
    }
    return DECC_OK;
  }
  return decc_err_set(err, DECC_E_PARSE,
                      "%s: expected 0x bytes32 or a list of tag names", where);
}

static decc_status parse_field(decc_order *o, const fdesc *f, json_t *v,
                               const char *where, decc_err *err) {
  void *p = field_mut(o, f);
  switch (f->kind) {
  case K_ADDR: {
    const char *s = json_string_value(v);
    decc_err e2;
    decc_err_clear(&e2);
    if (!s)
      return decc_err_set(err, DECC_E_PARSE, "%s: expected an address string",
                          where);
    decc_status st = decc_address_parse((decc_address *)p, s, &e2);
    if (st)
      return decc_err_set(err, st, "%s: %s", where, e2.msg);
    return DECC_OK;
  }
  case K_U256:
    return parse_u256_value((decc_u256 *)p, v, where, err);
  case K_B32:
    if (!strcmp(f->name, "tag"))
      return parse_tag_value(p, v, where, err);
    if (!json_is_string(v))
      return decc_err_set(err, DECC_E_PARSE, "%s: expected 0x bytes32", where);
    {
      decc_err e2;
      decc_err_clear(&e2);
      decc_status st =
          decc_hex_decode_exact(p, 32, json_string_value(v), where, &e2);
      if (st)
        return decc_err_set(err, st, "%s", e2.msg);
    }
    return DECC_OK;
  case K_STR: {
    char **slot = (char **)p;
    char *s = NULL;
    if (json_is_string(v)) {
      if (strlen(json_string_value(v)) != json_string_length(v))
        return decc_err_set(err, DECC_E_PARSE, "%s: contains a NUL character",
                            where);
      s = decc_strdup(json_string_value(v));
    } else if (json_is_object(v)) {
      /* An object is what the SDK accepts too; it signs its JSON text. */
      char *d = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
      if (!d)
        return decc_err_set(err, DECC_E_NOMEM, "out of memory");
      s = decc_strdup(d);
      free(d);
    } else {
      return decc_err_set(err, DECC_E_PARSE,
                          "%s: expected a string (or a JSON object)", where);
    }
    if (!s)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    if (strlen(s) > DECC_PARAMS_MAX) {
      decc_free(s);
      return decc_err_set(err, DECC_E_LIMIT, "%s: longer than %d bytes", where,
                          DECC_PARAMS_MAX);
    }
    decc_free(*slot);
    *slot = s;
    return DECC_OK;
  }
  }
  return DECC_E_INTERNAL;
}

decc_status decc_order_parse_json(decc_order *o, decc_order_type type,
                                  const char *json, size_t len,
                                  unsigned *present, decc_err *err) {
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(json != NULL);
  if (present)
    *present = 0;
  decc_status st = decc_order_init(o, type);
  if (st)
    return decc_err_set(
        err, st, st == DECC_E_NOMEM ? "out of memory" : "unknown order type %d",
        (int)type);
  const odesc *d = &ORDERS[type];
  if (len > DECC_ORDER_JSON_MAX) {
    decc_order_clear(o);
    return decc_err_set(err, DECC_E_LIMIT, "%s: JSON larger than %u bytes",
                        d->json_name, DECC_ORDER_JSON_MAX);
  }
  json_error_t je;
  json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    decc_order_clear(o);
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: invalid JSON at line %d column %d: %s",
                        d->json_name, je.line, je.column, je.text);
  }
  unsigned pres = 0;
  if (!json_is_object(root)) {
    st = decc_err_set(err, DECC_E_PARSE, "%s: expected a JSON object",
                      d->json_name);
    goto done;
  }
  const char *key;
  json_t *v;
  json_object_foreach(root, key, v) {
    int known = !strcmp(key, "sign");
    for (size_t i = 0; i < d->n && !known; i++)
      known = !strcmp(key, d->f[i].name);
    if (!known) {
      st = decc_err_set(err, DECC_E_INVALID, "%s: unknown field '%.64s'",
                        d->json_name, key);
      goto done;
    }
  }
  for (size_t i = 0; i < d->n; i++) {
    char where[96];
    snprintf(where, sizeof where, "%s.%s", d->json_name, d->f[i].name);
    v = json_object_get(root, d->f[i].name);
    int is_salt = !strcmp(d->f[i].name, "salt");
    if (!v || json_is_null(v)) {
      if (is_salt)
        continue;
      st = decc_err_set(err, DECC_E_INVALID, "%s: missing field", where);
      goto done;
    }
    if ((st = parse_field(o, &d->f[i], v, where, err)) != DECC_OK)
      goto done;
    if (is_salt)
      pres |= DECC_ORDER_HAS_SALT;
  }
  v = json_object_get(root, "sign");
  if (v && !json_is_null(v)) {
    const char *s = json_string_value(v);
    size_t n = 0;
    if (!s ||
        decc_hex_decode(o->sign, sizeof o->sign, &n, s, strlen(s)) != DECC_OK) {
      st = decc_err_set(err, DECC_E_PARSE, "%s.sign: expected 0x hex",
                        d->json_name);
      goto done;
    }
    if (n != 0 && n != 64 && n != 65) {
      st = decc_err_set(err, DECC_E_PARSE,
                        "%s.sign: %zu bytes (a signature has 65, or 64 in "
                        "EIP-2098 form)",
                        d->json_name, n);
      goto done;
    }
    o->sign_len = n;
    if (n)
      pres |= DECC_ORDER_HAS_SIGN;
  }
done:
  json_decref(root);
  if (st) {
    decc_order_clear(o);
    return st;
  }
  if (present)
    *present = pres;
  return DECC_OK;
}

decc_status decc_order_from_json(decc_order *o, decc_order_type type,
                                 const char *json, size_t len, decc_err *err) {
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(json != NULL);
  return decc_order_parse_json(o, type, json, len, NULL, err);
}

decc_status decc_order_to_json(char **json_out, const decc_order *o) {
  DECC_ARG_CHECK(json_out != NULL);
  DECC_ARG_CHECK(o != NULL);
  *json_out = NULL;
  if (!type_ok(o->type))
    return DECC_E_INVALID;
  const odesc *d = &ORDERS[o->type];
  json_t *j = json_object();
  if (!j)
    return DECC_E_NOMEM;
  decc_status st = DECC_OK;
  for (size_t i = 0; i < d->n && !st; i++) {
    const void *p = field_ptr(o, &d->f[i]);
    json_t *v = NULL;
    char buf[DECC_U256_DEC_LEN + 70];
    switch (d->f[i].kind) {
    case K_ADDR:
      v = json_string(decc_address_to_checksum(buf, (const decc_address *)p));
      break;
    case K_U256:
      v = json_string(decc_u256_to_dec(buf, (const decc_u256 *)p));
      break;
    case K_B32:
      v = json_string(decc_hex_encode(buf, p, 32, 1));
      break;
    case K_STR: {
      const char *s = *(char *const *)p;
      v = json_string(s ? s : "");
      if (!v) {
        st = DECC_E_INVALID; /* not UTF-8 */
        continue;
      }
      break;
    }
    }
    if (!v || json_object_set_new(j, d->f[i].name, v) != 0)
      st = DECC_E_NOMEM;
  }
  if (!st && o->sign_len) {
    char hex[2 * 65 + 3];
    json_t *v = json_string(decc_hex_encode(hex, o->sign, o->sign_len, 1));
    if (!v || json_object_set_new(j, "sign", v) != 0)
      st = DECC_E_NOMEM;
  }
  char *s = st ? NULL : json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (st)
    return st;
  if (!s)
    return DECC_E_NOMEM;
  *json_out = decc_strdup(s);
  free(s);
  return *json_out ? DECC_OK : DECC_E_NOMEM;
}
