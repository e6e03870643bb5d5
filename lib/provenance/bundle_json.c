/*
 * bundle_json.c — the provenance bundle's memory management and its JSON
 * form (decc/provenance.h, docs/provenance.md): a writer with keys in a
 * fixed order and a strict reader. The reader is the attack surface of
 * `decc verify` (a bundle comes from anyone), so it bounds every size and
 * count, refuses unknown and duplicate keys, and requires every hex field
 * to have its exact length; it is fuzzed by fuzz/fuzz_bundle.c.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/provenance.h"
#include "provenance/prov_int.h"

static const char *const STATUS[] = {"UNSET", "ACTIVE", "REVEALING",
                                     "COMPLETED", "FAILED"};

decc_status decc_prov_bundle_init(decc_prov_bundle *b) {
  DECC_ARG_CHECK(b != NULL);
  memset(b, 0, sizeof *b);
  if (decc_poco_deal_init(&b->deal) != DECC_OK ||
      !(b->chain_source = decc_strdup("")) ||
      !(b->app_multiaddr = decc_strdup("")) ||
      !(b->dataset_multiaddr = decc_strdup("")) ||
      !(b->attestation_note = decc_strdup(""))) {
    decc_prov_bundle_clear(b);
    return DECC_E_NOMEM;
  }
  return DECC_OK;
}

void decc_prov_bundle_clear(decc_prov_bundle *b) {
  if (!b)
    return;
  decc_free(b->chain_source);
  decc_free(b->results);
  decc_free(b->results_callback);
  decc_poco_deal_clear(&b->deal);
  decc_free(b->app_multiaddr);
  decc_free(b->dataset_multiaddr);
  for (size_t i = 0; i < b->n_txs; i++)
    decc_free(b->txs[i]);
  for (size_t i = 0; i < b->n_events; i++)
    decc_log_clear(&b->events[i].log);
  decc_free(b->events);
  decc_free(b->quote);
  decc_free(b->attestation_note);
  memset(b, 0, sizeof *b);
}

void decc_prov_set_result_file(decc_prov_bundle *b, const uint8_t *data,
                               size_t len) {
  DECC_ARG_CHECK_VOID(b != NULL);
  DECC_ARG_CHECK_VOID(data != NULL || len == 0);
  decc_sha256(b->result_file_sha256, data, len);
  b->result_file_size = len;
  b->has_result_file = 1;
}

const char *decc__prov_status_name(unsigned s) {
  return s < sizeof STATUS / sizeof STATUS[0] ? STATUS[s] : "UNKNOWN";
}

/* ---- writer ----------------------------------------------------------------- */

static json_t *jaddr(const decc_address *a) {
  char s[DECC_ADDRESS_HEX_LEN];
  return json_string(decc_address_to_checksum(s, a));
}

static json_t *ju256(const decc_u256 *v) {
  char s[DECC_U256_DEC_LEN];
  return json_string(decc_u256_to_dec(s, v));
}

/* json_object_set_new that remembers a failure (a NULL value = OOM). */
static void put(json_t *o, const char *k, json_t *v, int *bad) {
  if (!v || !o || json_object_set_new(o, k, v))
    *bad = 1;
}

static json_t *resource(const decc_poco_resource *r, int *bad) {
  json_t *o = json_object();
  put(o, "pointer", jaddr(&r->pointer), bad);
  put(o, "owner", jaddr(&r->owner), bad);
  put(o, "price", ju256(&r->price), bad);
  return o;
}

decc_status decc_prov_to_json(char **json, const decc_prov_bundle *b) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(b != NULL);
  *json = NULL;
  int bad = 0;
  json_t *root = json_object();
  put(root, "format", json_string(DECC_PROV_FORMAT), &bad);
  put(root, "created", json_integer((json_int_t)b->created), &bad);
  json_t *ch = json_object();
  put(ch, "chainId", json_integer((json_int_t)b->chain_id), &bad);
  put(ch, "hub", jaddr(&b->hub), &bad);
  put(ch, "source", json_string(b->chain_source), &bad);
  put(root, "chain", ch, &bad);

  json_t *t = json_object();
  put(t, "id", decc__json_hex(b->task_id, 32), &bad);
  put(t, "dealId", decc__json_hex(b->deal_id, 32), &bad);
  put(t, "index", json_integer((json_int_t)b->task_index), &bad);
  put(t, "status", json_string(decc__prov_status_name(b->task_status)), &bad);
  put(t, "resultDigest", decc__json_hex(b->result_digest, 32), &bad);
  put(t, "results", decc__json_hex(b->results, b->results_len), &bad);
  put(t, "resultsCallback",
      decc__json_hex(b->results_callback, b->results_callback_len), &bad);
  put(root, "task", t, &bad);

  const decc_poco_deal *d = &b->deal;
  json_t *dj = json_object();
  put(dj, "app", resource(&d->app, &bad), &bad);
  put(dj, "dataset", resource(&d->dataset, &bad), &bad);
  put(dj, "workerpool", resource(&d->workerpool, &bad), &bad);
  put(dj, "trust", ju256(&d->trust), &bad);
  put(dj, "category", ju256(&d->category), &bad);
  put(dj, "tag", decc__json_hex(d->tag, 32), &bad);
  put(dj, "requester", jaddr(&d->requester), &bad);
  put(dj, "beneficiary", jaddr(&d->beneficiary), &bad);
  put(dj, "callback", jaddr(&d->callback), &bad);
  put(dj, "params", json_string(d->params ? d->params : ""), &bad);
  put(dj, "startTime", ju256(&d->start_time), &bad);
  put(dj, "botFirst", ju256(&d->bot_first), &bad);
  put(dj, "botSize", ju256(&d->bot_size), &bad);
  put(dj, "workerStake", ju256(&d->worker_stake), &bad);
  put(dj, "schedulerRewardRatio", ju256(&d->scheduler_reward_ratio), &bad);
  put(dj, "sponsor", jaddr(&d->sponsor), &bad);
  put(root, "deal", dj, &bad);

  json_t *app = json_object();
  put(app, "checksum", decc__json_hex(b->app_checksum, 32), &bad);
  put(app, "multiaddr", json_string(b->app_multiaddr), &bad);
  put(root, "app", app, &bad);
  if (b->has_dataset) {
    json_t *ds = json_object();
    put(ds, "checksum", decc__json_hex(b->dataset_checksum, 32), &bad);
    put(ds, "multiaddr", json_string(b->dataset_multiaddr), &bad);
    put(root, "dataset", ds, &bad);
  } else {
    put(root, "dataset", json_null(), &bad);
  }

  json_t *txs = json_array();
  for (size_t i = 0; txs && i < b->n_txs; i++)
    if (json_array_append_new(txs, decc__json_hex(b->txs[i], b->tx_lens[i])))
      bad = 1;
  put(root, "transactions", txs, &bad);

  json_t *evs = json_array();
  for (size_t i = 0; evs && i < b->n_events; i++) {
    const decc_log *l = &b->events[i].log;
    json_t *e = json_object();
    put(e, "name", json_string(b->events[i].name), &bad);
    put(e, "address", jaddr(&l->address), &bad);
    json_t *tp = json_array();
    for (size_t k = 0; tp && k < l->n_topics; k++)
      if (json_array_append_new(tp, decc__json_hex(l->topics[k], 32)))
        bad = 1;
    put(e, "topics", tp, &bad);
    put(e, "data", decc__json_hex(l->data, l->data_len), &bad);
    put(e, "blockNumber", json_integer((json_int_t)l->block_number), &bad);
    put(e, "blockHash", decc__json_hex(l->block_hash, 32), &bad);
    put(e, "transactionHash", decc__json_hex(l->tx_hash, 32), &bad);
    put(e, "transactionIndex", json_integer(l->tx_index), &bad);
    put(e, "logIndex", json_integer(l->log_index), &bad);
    if (!e || json_array_append_new(evs, e))
      bad = 1;
  }
  put(root, "events", evs, &bad);

  json_t *at = json_object();
  if (b->has_quote && b->quote) {
    char *q = NULL;
    json_t *qj = NULL;
    if (decc_quote_to_json(&q, b->quote) == DECC_OK)
      qj = json_loads(q, 0, NULL);
    decc_free(q);
    put(at, "quote", qj, &bad);
    if (b->has_binding)
      put(at, "binding", decc__json_hex(b->binding, 65), &bad);
  } else {
    put(at, "quote", json_null(), &bad);
  }
  put(at, "note", json_string(b->attestation_note), &bad);
  put(root, "attestation", at, &bad);

  if (b->has_result_file) {
    json_t *rf = json_object();
    put(rf, "sha256", decc__json_hex(b->result_file_sha256, 32), &bad);
    put(rf, "size", json_integer((json_int_t)b->result_file_size), &bad);
    put(root, "resultFile", rf, &bad);
  } else {
    put(root, "resultFile", json_null(), &bad);
  }
  if (bad || !root) {
    json_decref(root);
    return DECC_E_NOMEM;
  }
  *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (!*json)
    return DECC_E_NOMEM;
  /* jansson's buffer comes from its own allocator: hand back a decc one */
  char *copy = decc_strdup(*json);
  free(*json);
  *json = copy;
  return copy ? DECC_OK : DECC_E_NOMEM;
}

/* ---- reader ------------------------------------------------------------------- */

typedef struct rd {
  decc_err *err;
  decc_status st;
} rd;

static int fail(rd *r, decc_status st, const char *field, const char *why) {
  if (!r->st)
    r->st = decc_err_set(r->err, st, "bundle: %s %s", field, why);
  return -1;
}

/* Refuses keys outside the allowlist (NULL-terminated). */
static int only_keys(rd *r, json_t *o, const char *what,
                     const char *const *keys) {
  if (!json_is_object(o))
    return fail(r, DECC_E_PARSE, what, "must be an object");
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    int ok = 0;
    for (size_t i = 0; keys[i]; i++)
      ok |= !strcmp(k, keys[i]);
    if (!ok) {
      char f[96];
      snprintf(f, sizeof f, "%s.%.40s", what, k);
      return fail(r, DECC_E_PARSE, f, "is not a bundle field");
    }
  }
  return 0;
}

static json_t *need(rd *r, json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  if (!v)
    fail(r, DECC_E_PARSE, k, "is missing");
  return v;
}

/* Exact-length 0x-hex. */
static int hex_fixed(rd *r, json_t *o, const char *k, uint8_t *out, size_t n) {
  json_t *v = need(r, o, k);
  if (!v)
    return -1;
  if (decc__json_hex_exact(out, n, v, 1) != DECC_OK)
    return fail(r, DECC_E_PARSE, k, "must be 0x-hex of the exact length");
  return 0;
}

/* Variable-length 0x-hex, at most max bytes. Out: *out (decc_malloc'd, NULL
 * when empty). */
static int hex_var(rd *r, json_t *v, const char *k, size_t max, uint8_t **out,
                   size_t *len) {
  *out = NULL;
  *len = 0;
  const char *s = json_string_value(v);
  if (!s || s[0] != '0' || s[1] != 'x')
    return fail(r, DECC_E_PARSE, k, "must be a 0x-hex string");
  size_t hl = strlen(s + 2);
  if (hl % 2)
    return fail(r, DECC_E_PARSE, k, "has an odd number of hex digits");
  if (hl / 2 > max)
    return fail(r, DECC_E_LIMIT, k, "is too large");
  if (!hl)
    return 0;
  if (!(*out = decc_malloc(hl / 2)))
    return fail(r, DECC_E_NOMEM, k, "(out of memory)");
  if (decc_hex_decode_exact(*out, hl / 2, s, k, NULL) != DECC_OK) {
    DECC_FREE(*out);
    return fail(r, DECC_E_PARSE, k, "must be 0x-hex");
  }
  *len = hl / 2;
  return 0;
}

static int addr(rd *r, json_t *o, const char *k, decc_address *out) {
  json_t *v = need(r, o, k);
  if (!v)
    return -1;
  const char *s = json_string_value(v);
  if (!s || strlen(s) != 42 || decc_address_parse(out, s, NULL) != DECC_OK)
    return fail(r, DECC_E_PARSE, k, "must be a 0x address");
  return 0;
}

static int u256(rd *r, json_t *o, const char *k, decc_u256 *out) {
  json_t *v = need(r, o, k);
  if (!v)
    return -1;
  const char *s = json_string_value(v);
  if (!s || !*s || strlen(s) > 78 || s[strspn(s, "0123456789")] ||
      decc_u256_parse(out, s) != DECC_OK)
    return fail(r, DECC_E_PARSE, k, "must be a decimal string");
  return 0;
}

static int u64(rd *r, json_t *o, const char *k, uint64_t *out) {
  json_t *v = need(r, o, k);
  if (!v)
    return -1;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return fail(r, DECC_E_PARSE, k, "must be a non-negative integer");
  *out = (uint64_t)json_integer_value(v);
  return 0;
}

/* A bounded string copy. */
static int text(rd *r, json_t *o, const char *k, char **out) {
  json_t *v = need(r, o, k);
  if (!v)
    return -1;
  const char *s = json_string_value(v);
  if (!s)
    return fail(r, DECC_E_PARSE, k, "must be a string");
  size_t n = json_string_length(v);
  if (n > DECC_PROV_MAX_TEXT)
    return fail(r, DECC_E_LIMIT, k, "is too long");
  if (strlen(s) != n)
    return fail(r, DECC_E_PARSE, k, "contains a NUL character");
  char *c = decc_strdup(s);
  if (!c)
    return fail(r, DECC_E_NOMEM, k, "(out of memory)");
  decc_free(*out);
  *out = c;
  return 0;
}

static int resource_rd(rd *r, json_t *o, const char *k,
                       decc_poco_resource *res) {
  static const char *const K[] = {"pointer", "owner", "price", NULL};
  json_t *v = need(r, o, k);
  if (!v || only_keys(r, v, k, K))
    return -1;
  return addr(r, v, "pointer", &res->pointer) ||
                 addr(r, v, "owner", &res->owner) ||
                 u256(r, v, "price", &res->price)
             ? -1
             : 0;
}

static int parse_deal(rd *r, json_t *d, decc_poco_deal *out) {
  static const char *const K[] = {
      "app",       "dataset",     "workerpool",
      "trust",     "category",    "tag",
      "requester", "beneficiary", "callback",
      "params",    "startTime",   "botFirst",
      "botSize",   "workerStake", "schedulerRewardRatio",
      "sponsor",   NULL};
  if (only_keys(r, d, "deal", K))
    return -1;
  if (resource_rd(r, d, "app", &out->app) ||
      resource_rd(r, d, "dataset", &out->dataset) ||
      resource_rd(r, d, "workerpool", &out->workerpool) ||
      u256(r, d, "trust", &out->trust) ||
      u256(r, d, "category", &out->category) ||
      hex_fixed(r, d, "tag", out->tag, 32) ||
      addr(r, d, "requester", &out->requester) ||
      addr(r, d, "beneficiary", &out->beneficiary) ||
      addr(r, d, "callback", &out->callback) ||
      text(r, d, "params", &out->params) ||
      u256(r, d, "startTime", &out->start_time) ||
      u256(r, d, "botFirst", &out->bot_first) ||
      u256(r, d, "botSize", &out->bot_size) ||
      u256(r, d, "workerStake", &out->worker_stake) ||
      u256(r, d, "schedulerRewardRatio", &out->scheduler_reward_ratio) ||
      addr(r, d, "sponsor", &out->sponsor))
    return -1;
  return 0;
}

static int parse_event(rd *r, json_t *e, decc_prov_event *out) {
  static const char *const K[] = {
      "name",        "address",   "topics",          "data",
      "blockNumber", "blockHash", "transactionHash", "transactionIndex",
      "logIndex",    NULL};
  if (only_keys(r, e, "events[]", K))
    return -1;
  json_t *n = need(r, e, "name");
  if (!n)
    return -1;
  const char *ns = json_string_value(n);
  if (!ns || strlen(ns) >= sizeof out->name)
    return fail(r, DECC_E_PARSE, "events[].name", "must be a short string");
  snprintf(out->name, sizeof out->name, "%s", ns);
  decc_log *l = &out->log;
  uint64_t ti = 0, li = 0;
  if (addr(r, e, "address", &l->address) ||
      u64(r, e, "blockNumber", &l->block_number) ||
      hex_fixed(r, e, "blockHash", l->block_hash, 32) ||
      hex_fixed(r, e, "transactionHash", l->tx_hash, 32) ||
      u64(r, e, "transactionIndex", &ti) || u64(r, e, "logIndex", &li))
    return -1;
  if (ti > UINT32_MAX || li > UINT32_MAX)
    return fail(r, DECC_E_PARSE, "events[].logIndex", "is out of range");
  l->tx_index = (uint32_t)ti;
  l->log_index = (uint32_t)li;
  json_t *tp = need(r, e, "topics");
  if (!tp)
    return -1;
  if (!json_is_array(tp) || json_array_size(tp) > DECC_LOG_MAX_TOPICS)
    return fail(r, DECC_E_PARSE, "events[].topics",
                "must be an array of at most 4 topics");
  for (size_t k = 0; k < json_array_size(tp); k++) {
    if (decc__json_hex_exact(l->topics[k], 32, json_array_get(tp, k), 1) !=
        DECC_OK)
      return fail(r, DECC_E_PARSE, "events[].topics[]",
                  "must be 0x-hex of 32 bytes");
  }
  l->n_topics = json_array_size(tp);
  json_t *dv = need(r, e, "data");
  if (!dv)
    return -1;
  return hex_var(r, dv, "events[].data", DECC_PROV_MAX_TEXT, &l->data,
                 &l->data_len);
}

static int parse_task(rd *r, json_t *t, decc_prov_bundle *b) {
  static const char *const K[] = {
      "id",           "dealId",  "index",           "status",
      "resultDigest", "results", "resultsCallback", NULL};
  if (only_keys(r, t, "task", K))
    return -1;
  if (hex_fixed(r, t, "id", b->task_id, 32) ||
      hex_fixed(r, t, "dealId", b->deal_id, 32) ||
      u64(r, t, "index", &b->task_index) ||
      hex_fixed(r, t, "resultDigest", b->result_digest, 32))
    return -1;
  json_t *st = need(r, t, "status");
  if (!st)
    return -1;
  const char *ss = json_string_value(st);
  b->task_status = 99;
  for (unsigned i = 0; ss && i < sizeof STATUS / sizeof STATUS[0]; i++)
    if (!strcmp(ss, STATUS[i]))
      b->task_status = i;
  if (b->task_status == 99)
    return fail(r, DECC_E_PARSE, "task.status", "is not a task status");
  json_t *rv = need(r, t, "results"), *cv = need(r, t, "resultsCallback");
  if (!rv || !cv)
    return -1;
  return hex_var(r, rv, "task.results", DECC_PROV_MAX_TEXT, &b->results,
                 &b->results_len) ||
                 hex_var(r, cv, "task.resultsCallback", DECC_PROV_MAX_TEXT,
                         &b->results_callback, &b->results_callback_len)
             ? -1
             : 0;
}

static int parse_asset(rd *r, json_t *a, const char *what, uint8_t sum[32],
                       char **multiaddr) {
  static const char *const K[] = {"checksum", "multiaddr", NULL};
  if (only_keys(r, a, what, K))
    return -1;
  return hex_fixed(r, a, "checksum", sum, 32) ||
                 text(r, a, "multiaddr", multiaddr)
             ? -1
             : 0;
}

static int parse_attestation(rd *r, json_t *a, decc_prov_bundle *b) {
  static const char *const K[] = {"quote", "binding", "note", NULL};
  if (only_keys(r, a, "attestation", K) ||
      text(r, a, "note", &b->attestation_note))
    return -1;
  json_t *q = need(r, a, "quote");
  if (!q)
    return -1;
  /* binding: optional (bundles written before it existed lack it) */
  if (json_object_get(a, "binding")) {
    if (json_is_null(q))
      return fail(r, DECC_E_PARSE, "attestation.binding",
                  "comes without a quote");
    if (hex_fixed(r, a, "binding", b->binding, 65))
      return -1;
    b->has_binding = 1;
  }
  if (json_is_null(q))
    return 0;
  if (!json_is_object(q))
    return fail(r, DECC_E_PARSE, "attestation.quote", "must be an object");
  char *s = json_dumps(q, JSON_COMPACT);
  if (!s)
    return fail(r, DECC_E_NOMEM, "attestation.quote", "(out of memory)");
  if (!(b->quote = decc_calloc(1, sizeof *b->quote))) {
    free(s);
    return fail(r, DECC_E_NOMEM, "attestation.quote", "(out of memory)");
  }
  decc_err e2;
  decc_err_clear(&e2);
  decc_status st = decc_quote_from_json(b->quote, s, strlen(s), &e2);
  free(s);
  if (st) {
    if (!r->st)
      r->st = decc_err_set(r->err, DECC_E_PARSE,
                           "bundle: attestation.quote: %s", e2.msg);
    return -1;
  }
  b->has_quote = 1;
  return 0;
}

decc_status decc_prov_from_json(decc_prov_bundle *b, const char *json,
                                size_t len, decc_err *err) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(json != NULL || len == 0);
  decc_status st = decc_prov_bundle_init(b);
  if (st)
    return decc_err_set(err, st, "out of memory");
  if (len > DECC_PROV_MAX_BYTES) {
    decc_prov_bundle_clear(b);
    return decc_err_set(err, DECC_E_LIMIT,
                        "bundle: %zu bytes, more than the %u accepted", len,
                        DECC_PROV_MAX_BYTES);
  }
  json_error_t je;
  json_t *root = json_loadb(json ? json : "", len, JSON_REJECT_DUPLICATES, &je);
  if (!root) {
    decc_prov_bundle_clear(b);
    return decc_err_set(err, DECC_E_PARSE,
                        "bundle: not JSON (line %d: %.120s) — truncated or "
                        "not a provenance bundle",
                        je.line, je.text);
  }
  rd r = {err, DECC_OK};
  static const char *const K[] = {
      "format",  "created",      "chain",  "task",        "deal",       "app",
      "dataset", "transactions", "events", "attestation", "resultFile", NULL};
  json_t *v;
  do {
    if (only_keys(&r, root, "bundle", K))
      break;
    const char *fmt = json_string_value(json_object_get(root, "format"));
    if (!fmt || strcmp(fmt, DECC_PROV_FORMAT)) {
      fail(&r, DECC_E_PARSE, "format", "is not \"" DECC_PROV_FORMAT "\"");
      break;
    }
    if (u64(&r, root, "created", &b->created))
      break;
    static const char *const KC[] = {"chainId", "hub", "source", NULL};
    if (!(v = need(&r, root, "chain")) || only_keys(&r, v, "chain", KC) ||
        u64(&r, v, "chainId", &b->chain_id) || addr(&r, v, "hub", &b->hub) ||
        text(&r, v, "source", &b->chain_source))
      break;
    if (!(v = need(&r, root, "task")) || parse_task(&r, v, b))
      break;
    if (!(v = need(&r, root, "deal")) || parse_deal(&r, v, &b->deal))
      break;
    if (!(v = need(&r, root, "app")) ||
        parse_asset(&r, v, "app", b->app_checksum, &b->app_multiaddr))
      break;
    if (!(v = need(&r, root, "dataset")))
      break;
    if (!json_is_null(v)) {
      if (parse_asset(&r, v, "dataset", b->dataset_checksum,
                      &b->dataset_multiaddr))
        break;
      b->has_dataset = 1;
    }
    if (!(v = need(&r, root, "transactions")))
      break;
    if (!json_is_array(v) || json_array_size(v) > DECC_PROV_MAX_TXS) {
      fail(&r, DECC_E_LIMIT, "transactions",
           "must be an array of at most 8 raw transactions");
      break;
    }
    for (size_t i = 0; i < json_array_size(v) && !r.st; i++) {
      if (hex_var(&r, json_array_get(v, i), "transactions[]",
                  DECC_PROV_MAX_TX_BYTES, &b->txs[i], &b->tx_lens[i]))
        break;
      b->n_txs = i + 1;
      if (!b->tx_lens[i])
        fail(&r, DECC_E_PARSE, "transactions[]", "is empty");
    }
    if (r.st)
      break;
    if (!(v = need(&r, root, "events")))
      break;
    if (!json_is_array(v) || json_array_size(v) > DECC_PROV_MAX_EVENTS) {
      fail(&r, DECC_E_LIMIT, "events", "must be an array of at most 64 events");
      break;
    }
    size_t ne = json_array_size(v);
    if (ne && !(b->events = decc_calloc(ne, sizeof *b->events))) {
      fail(&r, DECC_E_NOMEM, "events", "(out of memory)");
      break;
    }
    for (size_t i = 0; i < ne; i++) {
      b->n_events = i + 1;
      if (parse_event(&r, json_array_get(v, i), &b->events[i]))
        break;
    }
    if (r.st)
      break;
    if (!(v = need(&r, root, "attestation")) || parse_attestation(&r, v, b))
      break;
    if (!(v = need(&r, root, "resultFile")))
      break;
    if (!json_is_null(v)) {
      static const char *const KR[] = {"sha256", "size", NULL};
      if (only_keys(&r, v, "resultFile", KR) ||
          hex_fixed(&r, v, "sha256", b->result_file_sha256, 32) ||
          u64(&r, v, "size", &b->result_file_size))
        break;
      b->has_result_file = 1;
    }
  } while (0);
  json_decref(root);
  if (r.st) {
    decc_prov_bundle_clear(b);
    return r.st;
  }
  return DECC_OK;
}
