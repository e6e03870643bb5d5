/*
 * c_poco.c — the hub's PoCo rule functions (matchOrders and its views,
 * manage*Order, signature views, createCategory, the task life cycle and
 * the deal / task / contribution views) wired to lib/poco's pure
 * functions. The rules live in lib/poco: this file decodes calldata into
 * orders and records, gives the rules a read-only world over the SQLite
 * state, and applies the effects they return (deal / task records,
 * consumed and presigned writes, scores, final escrow balances, logs) —
 * all inside the transaction's savepoint, so a revert applies nothing.
 *
 * Records: a deal is stored as its viewDeal ABI encoding; a task as an ABI
 * tuple of every decc_poco_task field (viewTask's fields plus the
 * contributions and the consensus groups). finalize callbacks are not
 * executed: none of the emulated contracts implements receiveResult, and
 * PoCo ignores the outcome of that call, so skipping it is equivalent.
 */
#include <pthread.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/order.h"
#include "decc/poco.h"
#include "ledger/ledger_int.h"

/* Deals are stored as viewDeal returns them; tasks are stored with their
 * whole contributions and groups (viewTask returns only the contributors),
 * hence a storage type of their own. */
#define DEAL_T DECC_POCO_DEAL_ABI_TYPE
#define TASK_T                                                                 \
  "(uint8,bytes32,uint256,uint256,uint256,uint256,uint256,bytes32,uint256,"    \
  "uint256,(address,uint8,bytes32,bytes32,address,uint256)[],bytes32,bytes,"   \
  "uint256,bytes,uint256,(bytes32,uint256)[])"

/* The two record types, parsed once per process: parsing the type text
 * cost about half of every record decode (~12 k instructions of ~25 k,
 * callgrind on bench_ledger), and a deal or task is decoded by every
 * initialize and contribute. Never freed (like exec.c's method table). */
static decc_abi_type *g_deal_t, *g_task_t;
static decc_status g_types_status = DECC_OK;
static pthread_once_t g_types_once = PTHREAD_ONCE_INIT;

static void parse_record_types(void) {
  if (decc_abi_type_parse(&g_deal_t, DEAL_T, NULL) != DECC_OK ||
      decc_abi_type_parse(&g_task_t, TASK_T, NULL) != DECC_OK)
    g_types_status = DECC_E_INTERNAL;
}

/* Decodes a stored record with its parsed type (kind 0 deal, 1 task). */
static decc_status decode_record(decc_abi_value **v, int kind,
                                 const decc_buf *rec) {
  pthread_once(&g_types_once, parse_record_types);
  if (g_types_status != DECC_OK)
    return g_types_status;
  return decc_abi_decode_type(v, kind ? g_task_t : g_deal_t, rec->data,
                              rec->len, 0, NULL);
}

/* ---- world ----------------------------------------------------------------- */

static decc_status w_owner_of(void *ctx, const decc_address *entry,
                              int *has_owner, decc_address *owner) {
  ldg_ctx *c = ctx;
  ldg_entry e;
  decc_status s = ldg_entry_head(c->l, entry, &e, has_owner, c->err);
  if (s == DECC_OK && *has_owner)
    *owner = e.owner;
  ldg_entry_clear(&e);
  return s;
}

static decc_status w_is_registered(void *ctx, decc_poco_registry reg,
                                   const decc_address *entry, int *yes) {
  ldg_ctx *c = ctx;
  ldg_entry e;
  int found;
  decc_status s = ldg_entry_head(c->l, entry, &e, &found, c->err);
  *yes = s == DECC_OK && found && e.kind == (int)reg;
  ldg_entry_clear(&e);
  return s;
}

static decc_status w_is_contract(void *ctx, const decc_address *a, int *yes) {
  ldg_ctx *c = ctx;
  ldg_target t;
  decc_status s = ldg_target_of(c->l, a, &t, c->err);
  *yes = s == DECC_OK && t != LDG_T_NONE;
  return s;
}

static decc_status w_consumed(void *ctx, const uint8_t h[32], decc_u256 *out) {
  ldg_ctx *c = ctx;
  return ldg_order_get(c->l, h, out, NULL, c->err);
}

static decc_status w_presigned(void *ctx, const uint8_t h[32],
                               decc_address *out) {
  ldg_ctx *c = ctx;
  return ldg_order_get(c->l, h, NULL, out, c->err);
}

static decc_status w_category_count(void *ctx, uint64_t *n) {
  ldg_ctx *c = ctx;
  return ldg_category_count(c->l, n, c->err);
}

static decc_status w_category_timeref(void *ctx, const decc_u256 *idx,
                                      int *found, decc_u256 *tref) {
  ldg_ctx *c = ctx;
  uint64_t i, t = 0;
  *found = 0;
  if (!decc_u256_to_u64(&i, idx))
    return DECC_OK;
  decc_status s = ldg_category_get(c->l, i, found, NULL, NULL, &t, c->err);
  *tref = decc_u256_from_u64(t);
  return s;
}

static decc_status w_workerpool_policy(void *ctx, const decc_address *wp,
                                       int *found, decc_u256 *wsr,
                                       decc_u256 *srr) {
  ldg_ctx *c = ctx;
  ldg_entry e;
  decc_status s = ldg_entry_head(c->l, wp, &e, found, c->err);
  if (s == DECC_OK && *found && e.kind != LDG_WORKERPOOL)
    *found = 0;
  if (s == DECC_OK && *found) {
    *wsr = decc_u256_from_u64((uint64_t)e.worker_stake_ratio);
    *srr = decc_u256_from_u64((uint64_t)e.scheduler_reward_ratio);
  }
  ldg_entry_clear(&e);
  return s;
}

static decc_status w_account(void *ctx, const decc_address *a, decc_u256 *b,
                             decc_u256 *f) {
  ldg_ctx *c = ctx;
  return ldg_escrow_get(c->l, a, b, f, c->err);
}

static decc_status w_worker_score(void *ctx, const decc_address *w,
                                  decc_u256 *v) {
  ldg_ctx *c = ctx;
  return ldg_score_get(c->l, w, v, c->err);
}

/* The current transaction's signatures recovered ahead (rawtx.c), for
 * exactly these bytes; NULL: the rule function recovers it itself. */
static const decc_poco_sigcheck *w_recovered(void *ctx, const uint8_t h[32],
                                             const uint8_t *sig,
                                             size_t sig_len) {
  ldg_ctx *c = ctx;
  for (size_t i = 0; i < c->l->n_pre; i++) {
    const decc_poco_sigcheck *p = &c->l->pre[i];
    if (p->sig_len == sig_len && !memcmp(p->hash, h, 32) &&
        !memcmp(p->sig, sig, sig_len))
      return p;
  }
  return NULL;
}

/* The same list, for matchOrders to reuse the order hashes computed with
 * it (it checks each entry's key against the order it executes). */
static const decc_poco_sigcheck *w_listed(void *ctx, size_t *n) {
  ldg_ctx *c = ctx;
  *n = c->l->n_pre;
  return c->l->pre;
}

typedef struct poco_call {
  decc_poco_world world;
  decc_poco_env env;
  decc_poco_effects fx;
} poco_call;

static void pc_init(poco_call *p, ldg_ctx *c) {
  memset(p, 0, sizeof *p);
  p->world.ctx = c;
  p->world.owner_of = w_owner_of;
  p->world.is_registered = w_is_registered;
  p->world.is_contract = w_is_contract;
  p->world.consumed = w_consumed;
  p->world.presigned = w_presigned;
  p->world.category_count = w_category_count;
  p->world.category_timeref = w_category_timeref;
  p->world.workerpool_policy = w_workerpool_policy;
  p->world.account = w_account;
  p->world.worker_score = w_worker_score;
  if (c->l->n_pre) {
    p->world.recovered = w_recovered;
    p->world.listed = w_listed;
  }
  p->env.world = &p->world;
  p->env.hub = c->l->addr.hub;
  memcpy(p->env.domain_separator, c->l->domain_sep, 32);
  p->env.callback_gas = DECC_POCO_DEFAULT_CALLBACK_GAS;
  p->env.timestamp = c->timestamp;
  decc_poco_effects_init(&p->fx);
}

/* ---- records ------------------------------------------------------------------ */

/* ---- the records' encodings ------------------------------------------------------ */

static void w_u64(uint8_t w[32], uint64_t v) {
  for (int i = 0; i < 8; i++)
    w[31 - i] = (uint8_t)(v >> (8 * i));
}

static void w_addr(uint8_t w[32], const decc_address *a) {
  memcpy(w + 12, a->b, 20);
}

/* 32-byte words needed for n bytes of a bytes value's data. */
static size_t data_words(size_t n) { return n / 32 + (n % 32 != 0); }

/* Writes a bytes value's tail (length word, data zero-padded) at w;
 * returns the words written. */
static size_t w_bytes(uint8_t *w, const uint8_t *p, size_t n) {
  w_u64(w, n);
  if (n)
    memcpy(w + 32, p, n);
  return 1 + data_words(n);
}

static void w_res(uint8_t *w, const decc_poco_resource *r) {
  w_addr(w, &r->pointer);
  w_addr(w + 32, &r->owner);
  decc_u256_to_be(w + 64, &r->price);
}

decc_status ldg_deal_encode(decc_buf *out, const decc_poco_deal *d) {
  /* viewDeal's return encoding (DEAL_T, a list of one dynamic tuple): the
   * tuple's offset (0x20), its 22 head words (the three resources are
   * static tuples of 3 words, inline), then params (a length and padded
   * data). Written directly because decc_poco_deal_abi's generic encoder
   * cost ~14.7 k instructions per deal (callgrind, bench_ledger);
   * test_ledger_reccache checks it against decc_poco_deal_abi. */
  enum { HEAD = 22 };
  const char *params = d->params ? d->params : "";
  size_t n = strlen(params);
  if (n > SIZE_MAX / 4)
    return DECC_E_LIMIT;
  uint8_t *p;
  decc_status s = decc_buf_extend(out, 32 * (1 + HEAD + 1 + data_words(n)), &p);
  if (s != DECC_OK)
    return s;
  w_u64(p, 32);
  uint8_t *h = p + 32;
  w_res(h, &d->app);
  w_res(h + 96, &d->dataset);
  w_res(h + 192, &d->workerpool);
  decc_u256_to_be(h + 288, &d->trust);
  decc_u256_to_be(h + 320, &d->category);
  memcpy(h + 352, d->tag, 32);
  w_addr(h + 384, &d->requester);
  w_addr(h + 416, &d->beneficiary);
  w_addr(h + 448, &d->callback);
  w_u64(h + 480, 32 * HEAD);
  decc_u256_to_be(h + 512, &d->start_time);
  decc_u256_to_be(h + 544, &d->bot_first);
  decc_u256_to_be(h + 576, &d->bot_size);
  decc_u256_to_be(h + 608, &d->worker_stake);
  decc_u256_to_be(h + 640, &d->scheduler_reward_ratio);
  w_addr(h + 672, &d->sponsor);
  w_bytes(h + 32 * HEAD, (const uint8_t *)params, n);
  return DECC_OK;
}

static decc_status deal_store(ldg_ctx *c, const uint8_t id[32],
                              const decc_poco_deal *d) {
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_status s = ldg_deal_encode(&b, d);
  int encoded = s == DECC_OK;
  if (encoded)
    s = ldg_deal_put(c->l, id, b.data, b.len, &d->app.pointer,
                     &d->dataset.pointer, &d->workerpool.pointer, &d->requester,
                     c->number, c->err);
  /* only matchOrders stores a deal, always a new one (ldg_ov_note_new) */
  if (s == DECC_OK && c->l->in_block)
    ldg_ov_note_new(c->l, LDG_OV_DEAL, id, 32);
  if (s == DECC_OK) /* read back by the deal's tasks */
    ldg_rc_deal_put(c->l, id, b.data, b.len, d);
  else if (!encoded)
    decc_err_set(c->err, s, "ledger: cannot encode a deal");
  decc_buf_clear(&b);
  return s;
}

static void res_from(const decc_abi_value *t, decc_poco_resource *r) {
  (void)decc_abi_get_address(decc_abi_item(t, 0), &r->pointer);
  (void)decc_abi_get_address(decc_abi_item(t, 1), &r->owner);
  (void)decc_abi_get_u256(decc_abi_item(t, 2), &r->price);
}

/* Loads m_deals[id] (all-zero when missing). *found tells which. */
static decc_status deal_load(ldg_ctx *c, const uint8_t id[32],
                             decc_poco_deal *d, int *found) {
  decc_status s = decc_poco_deal_init(d);
  if (s != DECC_OK)
    return decc_err_set(c->err, s, "out of memory");
  decc_buf rec;
  decc_buf_init(&rec, 0);
  s = ldg_deal_record(c->l, id, &rec, found, c->err);
  if (s != DECC_OK || !*found) {
    decc_buf_clear(&rec);
    return s;
  }
  decc_poco_deal_clear(d);
  if (ldg_rc_deal_get(c->l, id, rec.data, rec.len, d)) {
    decc_buf_clear(&rec);
    return DECC_OK;
  }
  if ((s = decc_poco_deal_init(d)) != DECC_OK) {
    decc_buf_clear(&rec);
    return decc_err_set(c->err, s, "out of memory");
  }
  decc_abi_value *v = NULL;
  /* the decoded tree points into the record: cleared only after reading */
  s = decode_record(&v, 0, &rec);
  if (s != DECC_OK) {
    decc_buf_clear(&rec);
    return decc_err_set(c->err, DECC_E_CORRUPT, "ledger: bad deal record");
  }
  const decc_abi_value *t = decc_abi_item(v, 0);
  res_from(decc_abi_item(t, 0), &d->app);
  res_from(decc_abi_item(t, 1), &d->dataset);
  res_from(decc_abi_item(t, 2), &d->workerpool);
  (void)decc_abi_get_u256(decc_abi_item(t, 3), &d->trust);
  (void)decc_abi_get_u256(decc_abi_item(t, 4), &d->category);
  (void)decc_abi_get_bytes32(decc_abi_item(t, 5), d->tag);
  (void)decc_abi_get_address(decc_abi_item(t, 6), &d->requester);
  (void)decc_abi_get_address(decc_abi_item(t, 7), &d->beneficiary);
  (void)decc_abi_get_address(decc_abi_item(t, 8), &d->callback);
  char *params = NULL;
  if (decc_abi_get_string(decc_abi_item(t, 9), &params) == DECC_OK) {
    decc_free(d->params);
    d->params = params;
  }
  (void)decc_abi_get_u256(decc_abi_item(t, 10), &d->start_time);
  (void)decc_abi_get_u256(decc_abi_item(t, 11), &d->bot_first);
  (void)decc_abi_get_u256(decc_abi_item(t, 12), &d->bot_size);
  (void)decc_abi_get_u256(decc_abi_item(t, 13), &d->worker_stake);
  (void)decc_abi_get_u256(decc_abi_item(t, 14), &d->scheduler_reward_ratio);
  (void)decc_abi_get_address(decc_abi_item(t, 15), &d->sponsor);
  decc_abi_value_free(v);
  ldg_rc_deal_put(c->l, id, rec.data, rec.len, d);
  decc_buf_clear(&rec);
  return DECC_OK;
}

decc_status ldg_task_encode(decc_buf *out, const decc_poco_task *t) {
  /* The ABI encoding of TASK_T (a list of one dynamic tuple): the tuple's
   * offset (0x20), its 17 head words, then the tails of the dynamic
   * members in order: contributions (a count and 6 words each: the tuple
   * is static), results, results_callback (a length and padded data),
   * groups (a count and 2 words each). Written directly because
   * decc_abi_enc cost ~19.5 k instructions per task (callgrind,
   * bench_ledger); test_ledger_reccache checks it against decc_abi_enc. */
  enum { HEAD = 17 };
  size_t cap_n = SIZE_MAX / 32 / 8;
  if (t->n_contributions > cap_n || t->n_groups > cap_n ||
      t->results_len > SIZE_MAX / 4 || t->results_callback_len > SIZE_MAX / 4)
    return DECC_E_LIMIT;
  size_t w_contrib = 1 + 6 * t->n_contributions;
  size_t w_res = 1 + data_words(t->results_len);
  size_t w_cb = 1 + data_words(t->results_callback_len);
  size_t w_groups = 1 + 2 * t->n_groups;
  size_t words = 1 + HEAD + w_contrib + w_res + w_cb + w_groups;
  uint8_t *p;
  decc_status s = decc_buf_extend(out, 32 * words, &p);
  if (s != DECC_OK)
    return s;
  w_u64(p, 32);
  uint8_t *h = p + 32; /* the tuple: offsets are relative to h */
  w_u64(h, (uint64_t)t->status);
  memcpy(h + 32, t->deal_id, 32);
  decc_u256_to_be(h + 64, &t->idx);
  decc_u256_to_be(h + 96, &t->timeref);
  decc_u256_to_be(h + 128, &t->contribution_deadline);
  decc_u256_to_be(h + 160, &t->reveal_deadline);
  decc_u256_to_be(h + 192, &t->final_deadline);
  memcpy(h + 224, t->consensus_value, 32);
  decc_u256_to_be(h + 256, &t->reveal_counter);
  decc_u256_to_be(h + 288, &t->winner_counter);
  size_t off = HEAD; /* in words from h */
  w_u64(h + 320, 32 * off);
  uint8_t *q = h + 32 * off;
  w_u64(q, t->n_contributions);
  for (size_t i = 0; i < t->n_contributions; i++) {
    const decc_poco_contribution *k = &t->contributions[i];
    uint8_t *r = q + 32 + 192 * i;
    w_addr(r, &k->worker);
    w_u64(r + 32, (uint64_t)k->status);
    memcpy(r + 64, k->result_hash, 32);
    memcpy(r + 96, k->result_seal, 32);
    w_addr(r + 128, &k->enclave_challenge);
    decc_u256_to_be(r + 160, &k->weight);
  }
  off += w_contrib;
  memcpy(h + 352, t->result_digest, 32);
  w_u64(h + 384, 32 * off);
  off += w_bytes(h + 32 * off, t->results, t->results_len);
  decc_u256_to_be(h + 416, &t->results_timestamp);
  w_u64(h + 448, 32 * off);
  off += w_bytes(h + 32 * off, t->results_callback, t->results_callback_len);
  decc_u256_to_be(h + 480, &t->consensus_total);
  w_u64(h + 512, 32 * off);
  q = h + 32 * off;
  w_u64(q, t->n_groups);
  for (size_t i = 0; i < t->n_groups; i++) {
    memcpy(q + 32 + 64 * i, t->groups[i].hash, 32);
    decc_u256_to_be(q + 64 + 64 * i, &t->groups[i].value);
  }
  return DECC_OK;
}

static decc_status task_store(ldg_ctx *c, const uint8_t id[32],
                              const decc_poco_task *t) {
  decc_buf b;
  decc_buf_init(&b, 0);
  decc_status s = ldg_task_encode(&b, t);
  int encoded = s == DECC_OK;
  if (encoded)
    s = ldg_task_put(c->l, id, t->deal_id, (int64_t)t->status, b.data, b.len,
                     c->err);
  if (s == DECC_OK) /* read back by the task's next call */
    ldg_rc_task_put(c->l, id, b.data, b.len, t);
  else if (!encoded)
    decc_err_set(c->err, s, "ledger: cannot encode a task");
  decc_buf_clear(&b);
  return s;
}

static decc_status dup_bytes(const decc_abi_value *v, uint8_t **out,
                             size_t *n) {
  const uint8_t *p;
  *out = NULL;
  *n = 0;
  if (decc_abi_get_bytes(v, &p, n) != DECC_OK)
    return DECC_E_CORRUPT;
  if (!*n)
    return DECC_OK;
  if (!(*out = decc_malloc(*n)))
    return DECC_E_NOMEM;
  memcpy(*out, p, *n);
  return DECC_OK;
}

/* Loads m_tasks[id] (UNSET task when missing). */
static decc_status task_load(ldg_ctx *c, const uint8_t id[32],
                             decc_poco_task *t, int *found) {
  decc_poco_task_init(t);
  decc_buf rec;
  decc_buf_init(&rec, 0);
  decc_status s = ldg_task_record(c->l, id, &rec, found, c->err);
  if (s != DECC_OK || !*found) {
    decc_buf_clear(&rec);
    return s;
  }
  if (ldg_rc_task_get(c->l, id, rec.data, rec.len, t)) {
    decc_buf_clear(&rec);
    return DECC_OK;
  }
  decc_abi_value *v = NULL;
  s = decode_record(&v, 1, &rec);
  if (s != DECC_OK) {
    decc_buf_clear(&rec);
    return decc_err_set(c->err, DECC_E_CORRUPT, "ledger: bad task record");
  }
  const decc_abi_value *r = decc_abi_item(v, 0);
  uint64_t status = 0;
  (void)decc_abi_get_u64(decc_abi_item(r, 0), &status);
  t->status = (decc_poco_task_status)status;
  (void)decc_abi_get_bytes32(decc_abi_item(r, 1), t->deal_id);
  (void)decc_abi_get_u256(decc_abi_item(r, 2), &t->idx);
  (void)decc_abi_get_u256(decc_abi_item(r, 3), &t->timeref);
  (void)decc_abi_get_u256(decc_abi_item(r, 4), &t->contribution_deadline);
  (void)decc_abi_get_u256(decc_abi_item(r, 5), &t->reveal_deadline);
  (void)decc_abi_get_u256(decc_abi_item(r, 6), &t->final_deadline);
  (void)decc_abi_get_bytes32(decc_abi_item(r, 7), t->consensus_value);
  (void)decc_abi_get_u256(decc_abi_item(r, 8), &t->reveal_counter);
  (void)decc_abi_get_u256(decc_abi_item(r, 9), &t->winner_counter);
  const decc_abi_value *ca = decc_abi_item(r, 10);
  s = DECC_OK;
  if (ca && ca->count) {
    t->contributions = decc_calloc(ca->count, sizeof *t->contributions);
    if (!t->contributions)
      s = DECC_E_NOMEM;
    for (size_t i = 0; s == DECC_OK && i < ca->count; i++) {
      const decc_abi_value *k = decc_abi_item(ca, i);
      decc_poco_contribution *o = &t->contributions[i];
      uint64_t cs = 0;
      (void)decc_abi_get_address(decc_abi_item(k, 0), &o->worker);
      (void)decc_abi_get_u64(decc_abi_item(k, 1), &cs);
      o->status = (decc_poco_contribution_status)cs;
      (void)decc_abi_get_bytes32(decc_abi_item(k, 2), o->result_hash);
      (void)decc_abi_get_bytes32(decc_abi_item(k, 3), o->result_seal);
      (void)decc_abi_get_address(decc_abi_item(k, 4), &o->enclave_challenge);
      (void)decc_abi_get_u256(decc_abi_item(k, 5), &o->weight);
      t->n_contributions++;
    }
  }
  (void)decc_abi_get_bytes32(decc_abi_item(r, 11), t->result_digest);
  if (s == DECC_OK)
    s = dup_bytes(decc_abi_item(r, 12), &t->results, &t->results_len);
  (void)decc_abi_get_u256(decc_abi_item(r, 13), &t->results_timestamp);
  if (s == DECC_OK)
    s = dup_bytes(decc_abi_item(r, 14), &t->results_callback,
                  &t->results_callback_len);
  (void)decc_abi_get_u256(decc_abi_item(r, 15), &t->consensus_total);
  const decc_abi_value *ga = decc_abi_item(r, 16);
  if (s == DECC_OK && ga && ga->count) {
    t->groups = decc_calloc(ga->count, sizeof *t->groups);
    if (!t->groups)
      s = DECC_E_NOMEM;
    for (size_t i = 0; s == DECC_OK && i < ga->count; i++) {
      (void)decc_abi_get_bytes32(decc_abi_item(decc_abi_item(ga, i), 0),
                                 t->groups[i].hash);
      (void)decc_abi_get_u256(decc_abi_item(decc_abi_item(ga, i), 1),
                              &t->groups[i].value);
      t->n_groups++;
    }
  }
  decc_abi_value_free(v);
  if (s == DECC_OK)
    ldg_rc_task_put(c->l, id, rec.data, rec.len, t);
  decc_buf_clear(&rec);
  if (s != DECC_OK) {
    decc_poco_task_clear(t);
    return decc_err_set(c->err, s, "ledger: cannot load a task");
  }
  return DECC_OK;
}

/* ---- effects ----------------------------------------------------------------- */

static decc_status revert_from(ldg_ctx *c, const decc_poco_revert *r) {
  switch (r->kind) {
  case DECC_POCO_REVERT_ERROR:
    return ldg_revert(c, r->reason);
  case DECC_POCO_REVERT_PANIC:
    return ldg_revert_panic(c, r->panic);
  case DECC_POCO_REVERT_CUSTOM: {
    decc_buf b;
    decc_buf_init(&b, 0);
    if (decc_poco_revert_data(&b, r) != DECC_OK) {
      decc_buf_clear(&b);
      return ldg_revert_empty(c);
    }
    decc_status s = ldg_revert_raw(c, b.data, b.len);
    decc_buf_clear(&b);
    return s;
  }
  default:
    return ldg_revert_empty(c);
  }
}

/* Result of a rule call: applies fx on success, converts a revert. */
static decc_status settle(ldg_ctx *c, decc_status rs, poco_call *p) {
  decc_poco_effects *fx = &p->fx;
  if (rs == DECC_E_REVERT)
    return revert_from(c, &fx->revert);
  if (rs != DECC_OK)
    return c->err && c->err->code
               ? c->err->code
               : decc_err_set(c->err, rs, "poco: %s", decc_strerror(rs));
  decc_status s = DECC_OK;
  if (fx->has_deal)
    s = deal_store(c, fx->deal_id, &fx->deal);
  if (s == DECC_OK && fx->has_task)
    s = task_store(c, fx->task_id, &fx->task);
  for (size_t i = 0; s == DECC_OK && i < fx->n_consumed; i++)
    s = ldg_order_set_consumed(c->l, fx->consumed[i].hash,
                               &fx->consumed[i].value, c->err);
  for (size_t i = 0; s == DECC_OK && i < fx->n_presigned; i++)
    s = ldg_order_set_presigned(c->l, fx->presigned[i].hash,
                                &fx->presigned[i].signer, c->err);
  for (size_t i = 0; s == DECC_OK && i < fx->n_scores; i++)
    s = ldg_score_set(c->l, &fx->scores[i].worker, &fx->scores[i].score,
                      c->err);
  for (size_t i = 0; s == DECC_OK && i < fx->accounts.n; i++) {
    const decc_poco_account *a = &fx->accounts.v[i];
    s = ldg_escrow_set(c->l, &a->addr, &a->balance, &a->frozen, c->err);
  }
  /* the logs' data moves to the receipt's logs: no second copy */
  for (size_t i = 0; s == DECC_OK && i < fx->n_logs; i++) {
    decc_poco_log *lg = &fx->logs[i];
    s = ldg_emit_take(c, &lg->address, lg->n_topics,
                      (const uint8_t(*)[32])lg->topics, &lg->data,
                      lg->data_len);
    if (s == DECC_OK)
      lg->data_len = 0;
  }
  return s;
}

/* ---- decoding orders ------------------------------------------------------------ */

typedef struct four_orders {
  decc_order o[4];
  int n;
} four_orders;

static void four_clear(four_orders *f) {
  for (int i = 0; i < f->n; i++)
    decc_order_clear(&f->o[i]);
  f->n = 0;
}

static decc_status four_from(const decc_abi_value *a, four_orders *f) {
  static const decc_order_type ty[4] = {DECC_ORDER_APP, DECC_ORDER_DATASET,
                                        DECC_ORDER_WORKERPOOL,
                                        DECC_ORDER_REQUEST};
  f->n = 0;
  for (int i = 0; i < 4; i++) {
    decc_status s =
        decc_order_abi_get(&f->o[i], ty[i], decc_abi_item(a, (size_t)i));
    if (s != DECC_OK) {
      four_clear(f);
      return s;
    }
    f->n++;
  }
  return DECC_OK;
}

/* ---- matchOrders & co -------------------------------------------------------- */

static decc_status match(ldg_ctx *c, const decc_abi_value *a, decc_abi_enc *r,
                         int sponsor) {
  four_orders f;
  if (four_from(a, &f) != DECC_OK)
    return ldg_revert_empty(c);
  poco_call p;
  pc_init(&p, c);
  decc_status rs =
      decc_poco_match_orders(&p.env, &f.o[0], &f.o[1], &f.o[2], &f.o[3],
                             &c->sender, sponsor, &p.fx, NULL);
  decc_status s = settle(c, rs, &p);
  if (s == DECC_OK)
    s = decc_abi_enc_push_bytes32(r, p.fx.deal_id);
  decc_poco_effects_clear(&p.fx);
  four_clear(&f);
  return s;
}

static decc_status f_match(ldg_ctx *c, const decc_abi_value *a,
                           decc_abi_enc *r) {
  return match(c, a, r, 0);
}

static decc_status f_sponsor_match(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  return match(c, a, r, 1);
}

static decc_status f_compute_volume(ldg_ctx *c, const decc_abi_value *a,
                                    decc_abi_enc *r) {
  four_orders f;
  if (four_from(a, &f) != DECC_OK)
    return ldg_revert_empty(c);
  poco_call p;
  pc_init(&p, c);
  decc_status rs = decc_poco_compute_deal_volume(&p.env, &f.o[0], &f.o[1],
                                                 &f.o[2], &f.o[3], &p.fx, NULL);
  decc_u256 vol = p.fx.volume;
  decc_status s =
      rs == DECC_OK ? decc_abi_enc_push_u256(r, &vol) : settle(c, rs, &p);
  decc_poco_effects_clear(&p.fx);
  four_clear(&f);
  return s;
}

static decc_status f_assert_compat(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  decc_order ds;
  uint8_t id[32];
  if (decc_order_abi_get(&ds, DECC_ORDER_DATASET, decc_abi_item(a, 0)) !=
      DECC_OK)
    return ldg_revert_empty(c);
  if (decc_abi_get_bytes32(decc_abi_item(a, 1), id) != DECC_OK) {
    decc_order_clear(&ds);
    return ldg_revert_empty(c);
  }
  decc_poco_deal d;
  int found;
  decc_status s = deal_load(c, id, &d, &found);
  if (s == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs = decc_poco_assert_dataset_deal_compatibility(
        &p.env, &ds, &d, &p.fx, NULL);
    s = rs == DECC_OK ? DECC_OK : settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
  }
  decc_poco_deal_clear(&d);
  decc_order_clear(&ds);
  return s;
}

static decc_status manage(ldg_ctx *c, const decc_abi_value *a,
                          decc_order_type type) {
  const decc_abi_value *op = decc_abi_item(a, 0);
  decc_order o;
  uint64_t opv;
  const uint8_t *sig;
  size_t sig_len;
  if (decc_order_abi_get(&o, type, decc_abi_item(op, 0)) != DECC_OK)
    return ldg_revert_empty(c);
  if (decc_abi_get_u64(decc_abi_item(op, 1), &opv) != DECC_OK ||
      decc_abi_get_bytes(decc_abi_item(op, 2), &sig, &sig_len) != DECC_OK) {
    decc_order_clear(&o);
    return ldg_revert_empty(c);
  }
  poco_call p;
  pc_init(&p, c);
  decc_status rs = decc_poco_manage_order(&p.env, &o, (unsigned)opv, sig,
                                          sig_len, &c->sender, &p.fx, NULL);
  decc_status s = settle(c, rs, &p);
  decc_poco_effects_clear(&p.fx);
  decc_order_clear(&o);
  return s;
}

static decc_status f_manage_app(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  return manage(c, a, DECC_ORDER_APP);
}
static decc_status f_manage_dataset(ldg_ctx *c, const decc_abi_value *a,
                                    decc_abi_enc *r) {
  return manage(c, a, DECC_ORDER_DATASET);
}
static decc_status f_manage_workerpool(ldg_ctx *c, const decc_abi_value *a,
                                       decc_abi_enc *r) {
  return manage(c, a, DECC_ORDER_WORKERPOOL);
}
static decc_status f_manage_request(ldg_ctx *c, const decc_abi_value *a,
                                    decc_abi_enc *r) {
  return manage(c, a, DECC_ORDER_REQUEST);
}

static decc_status verify_sig(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r, int mode) {
  decc_address acct;
  uint8_t h[32];
  const uint8_t *sig = NULL;
  size_t n = 0;
  if (decc_abi_get_address(decc_abi_item(a, 0), &acct) != DECC_OK ||
      decc_abi_get_bytes32(decc_abi_item(a, 1), h) != DECC_OK ||
      (mode != 1 &&
       decc_abi_get_bytes(decc_abi_item(a, 2), &sig, &n) != DECC_OK))
    return ldg_revert_empty(c);
  if (mode == 1) { /* verifyPresignature */
    decc_address p;
    decc_status s = ldg_order_get(c->l, h, NULL, &p, c->err);
    if (s != DECC_OK)
      return s;
    return decc_abi_enc_push_bool(r, !decc_address_is_zero(&acct) &&
                                         decc_address_eq(&p, &acct));
  }
  poco_call p;
  pc_init(&p, c);
  int valid = 0;
  decc_status rs = mode == 0
                       ? decc_poco_verify_signature(&p.env, &acct, h, sig, n,
                                                    &valid, &p.fx.revert)
                       : decc_poco_verify_signature_or_presignature(
                             &p.env, &acct, h, sig, n, &valid, &p.fx.revert);
  decc_status s =
      rs == DECC_OK ? decc_abi_enc_push_bool(r, valid) : settle(c, rs, &p);
  decc_poco_effects_clear(&p.fx);
  return s;
}

static decc_status f_verify_signature(ldg_ctx *c, const decc_abi_value *a,
                                      decc_abi_enc *r) {
  return verify_sig(c, a, r, 0);
}
static decc_status f_verify_presignature(ldg_ctx *c, const decc_abi_value *a,
                                         decc_abi_enc *r) {
  return verify_sig(c, a, r, 1);
}
static decc_status f_verify_either(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  return verify_sig(c, a, r, 2);
}

static decc_status f_create_category(ldg_ctx *c, const decc_abi_value *a,
                                     decc_abi_enc *r) {
  char *name = NULL, *desc = NULL;
  decc_u256 tref;
  uint64_t n, t64;
  decc_status s;
  if (decc_abi_get_string(decc_abi_item(a, 0), &name) != DECC_OK ||
      decc_abi_get_string(decc_abi_item(a, 1), &desc) != DECC_OK ||
      decc_abi_get_u256(decc_abi_item(a, 2), &tref) != DECC_OK) {
    decc_free(name);
    decc_free(desc);
    return ldg_revert_empty(c);
  }
  if ((s = ldg_category_count(c->l, &n, c->err)) == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs = decc_poco_create_category(
        &p.env, &c->sender, &c->l->owner, n, name, desc, &tref, &p.fx, NULL);
    s = settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
    /* decc stores time refs as SQLite integers (2^63-1 s is already far
     * past any deadline arithmetic PoCo could complete). */
    if (s == DECC_OK &&
        (!decc_u256_to_u64(&t64, &tref) || t64 > (uint64_t)INT64_MAX))
      s = ldg_revert_panic(c, 0x11);
    if (s == DECC_OK)
      s = ldg_category_add(c->l, name, desc, t64, NULL, c->err);
    if (s == DECC_OK)
      s = decc_abi_enc_push_u64(r, n);
  }
  decc_free(name);
  decc_free(desc);
  return s;
}

/* ---- tasks ---------------------------------------------------------------------- */

/* Loads a task and its deal (zero records when missing). */
typedef struct task_ctx {
  uint8_t id[32];
  decc_poco_task task;
  decc_poco_deal deal;
  int has_task;
} task_ctx;

static decc_status tc_load(ldg_ctx *c, const uint8_t id[32], task_ctx *t) {
  memcpy(t->id, id, 32);
  int found;
  decc_status s = task_load(c, id, &t->task, &t->has_task);
  if (s != DECC_OK) {
    memset(&t->deal, 0, sizeof t->deal); /* safe to clear */
    return s;
  }
  s = deal_load(c, t->task.deal_id, &t->deal, &found);
  return s;
}

static void tc_clear(task_ctx *t) {
  decc_poco_task_clear(&t->task);
  decc_poco_deal_clear(&t->deal);
}

static decc_status do_initialize(ldg_ctx *c, const uint8_t deal_id[32],
                                 const decc_u256 *idx, uint8_t task_id[32]) {
  decc_poco_deal d;
  decc_poco_task cur;
  int found_d, found_t;
  decc_task_id(task_id, deal_id, idx);
  decc_status s = deal_load(c, deal_id, &d, &found_d);
  if (s == DECC_OK)
    s = task_load(c, task_id, &cur, &found_t);
  else
    decc_poco_task_init(&cur);
  if (s == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs = decc_poco_initialize(&p.env, deal_id, &d, idx,
                                          found_t ? &cur : NULL, &p.fx, NULL);
    s = settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
  }
  decc_poco_task_clear(&cur);
  decc_poco_deal_clear(&d);
  return s;
}

static decc_status f_initialize(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  uint8_t deal[32], task[32];
  decc_u256 idx;
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), deal) != DECC_OK ||
      decc_abi_get_u256(decc_abi_item(a, 1), &idx) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = do_initialize(c, deal, &idx, task);
  return s != DECC_OK ? s : decc_abi_enc_push_bytes32(r, task);
}

static decc_status do_claim(ldg_ctx *c, const uint8_t id[32]) {
  task_ctx t;
  decc_status s = tc_load(c, id, &t);
  if (s == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs = decc_poco_claim(&p.env, id, &t.deal,
                                     t.has_task ? &t.task : NULL, &p.fx, NULL);
    s = settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
  }
  tc_clear(&t);
  return s;
}

static decc_status f_initialize_array(ldg_ctx *c, const decc_abi_value *a,
                                      decc_abi_enc *r, int claim) {
  const decc_abi_value *deals = decc_abi_item(a, 0),
                       *idxs = decc_abi_item(a, 1);
  if (!deals || !idxs || deals->count != idxs->count)
    return ldg_revert_empty(c);
  for (size_t i = 0; i < deals->count; i++) {
    uint8_t deal[32], task[32];
    decc_u256 idx;
    if (decc_abi_get_bytes32(decc_abi_item(deals, i), deal) != DECC_OK ||
        decc_abi_get_u256(decc_abi_item(idxs, i), &idx) != DECC_OK)
      return ldg_revert_empty(c);
    decc_status s = do_initialize(c, deal, &idx, task);
    if (s == DECC_OK && claim)
      s = do_claim(c, task);
    if (s != DECC_OK)
      return s;
  }
  return decc_abi_enc_push_bool(r, 1);
}

static decc_status f_init_array(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  return f_initialize_array(c, a, r, 0);
}
static decc_status f_init_claim_array(ldg_ctx *c, const decc_abi_value *a,
                                      decc_abi_enc *r) {
  return f_initialize_array(c, a, r, 1);
}

static decc_status f_claim(ldg_ctx *c, const decc_abi_value *a,
                           decc_abi_enc *r) {
  uint8_t id[32];
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK)
    return ldg_revert_empty(c);
  return do_claim(c, id);
}

static decc_status f_claim_array(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r) {
  const decc_abi_value *ids = decc_abi_item(a, 0);
  if (!ids)
    return ldg_revert_empty(c);
  for (size_t i = 0; i < ids->count; i++) {
    uint8_t id[32];
    if (decc_abi_get_bytes32(decc_abi_item(ids, i), id) != DECC_OK)
      return ldg_revert_empty(c);
    decc_status s = do_claim(c, id);
    if (s != DECC_OK)
      return s;
  }
  return decc_abi_enc_push_bool(r, 1);
}

static int get_sig(const decc_abi_value *v, const uint8_t **p, size_t *n) {
  return decc_abi_get_bytes(v, p, n) == DECC_OK;
}

static decc_status f_contribute(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  uint8_t id[32], rh[32], rseal[32];
  decc_address ec;
  const uint8_t *es, *as;
  size_t esn, asn;
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK ||
      decc_abi_get_bytes32(decc_abi_item(a, 1), rh) != DECC_OK ||
      decc_abi_get_bytes32(decc_abi_item(a, 2), rseal) != DECC_OK ||
      decc_abi_get_address(decc_abi_item(a, 3), &ec) != DECC_OK ||
      !get_sig(decc_abi_item(a, 4), &es, &esn) ||
      !get_sig(decc_abi_item(a, 5), &as, &asn))
    return ldg_revert_empty(c);
  task_ctx t;
  decc_status s = tc_load(c, id, &t);
  if (s == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs =
        decc_poco_contribute(&p.env, id, &t.deal, &t.task, &c->sender, rh,
                             rseal, &ec, es, esn, as, asn, &p.fx, NULL);
    s = settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
  }
  tc_clear(&t);
  return s;
}

static decc_status f_reveal(ldg_ctx *c, const decc_abi_value *a,
                            decc_abi_enc *r) {
  uint8_t id[32], dg[32];
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK ||
      decc_abi_get_bytes32(decc_abi_item(a, 1), dg) != DECC_OK)
    return ldg_revert_empty(c);
  task_ctx t;
  decc_status s = tc_load(c, id, &t);
  if (s == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs =
        decc_poco_reveal(&p.env, id, &t.task, &c->sender, dg, &p.fx, NULL);
    s = settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
  }
  tc_clear(&t);
  return s;
}

static decc_status f_reopen(ldg_ctx *c, const decc_abi_value *a,
                            decc_abi_enc *r) {
  uint8_t id[32];
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK)
    return ldg_revert_empty(c);
  task_ctx t;
  decc_status s = tc_load(c, id, &t);
  if (s == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs =
        decc_poco_reopen(&p.env, id, &t.deal, &t.task, &c->sender, &p.fx, NULL);
    s = settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
  }
  tc_clear(&t);
  return s;
}

static decc_status f_finalize(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  uint8_t id[32];
  const uint8_t *res, *cb;
  size_t resn, cbn;
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK ||
      !get_sig(decc_abi_item(a, 1), &res, &resn) ||
      !get_sig(decc_abi_item(a, 2), &cb, &cbn))
    return ldg_revert_empty(c);
  task_ctx t;
  decc_status s = tc_load(c, id, &t);
  if (s == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs =
        decc_poco_finalize(&p.env, id, &t.deal, &t.task, &c->sender, res, resn,
                           cb, cbn, &p.fx, NULL);
    s = settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
  }
  tc_clear(&t);
  return s;
}

static decc_status f_contribute_and_finalize(ldg_ctx *c,
                                             const decc_abi_value *a,
                                             decc_abi_enc *r) {
  uint8_t id[32], dg[32];
  decc_address ec;
  const uint8_t *res, *cb, *es, *as;
  size_t resn, cbn, esn, asn;
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK ||
      decc_abi_get_bytes32(decc_abi_item(a, 1), dg) != DECC_OK ||
      !get_sig(decc_abi_item(a, 2), &res, &resn) ||
      !get_sig(decc_abi_item(a, 3), &cb, &cbn) ||
      decc_abi_get_address(decc_abi_item(a, 4), &ec) != DECC_OK ||
      !get_sig(decc_abi_item(a, 5), &es, &esn) ||
      !get_sig(decc_abi_item(a, 6), &as, &asn))
    return ldg_revert_empty(c);
  task_ctx t;
  decc_status s = tc_load(c, id, &t);
  if (s == DECC_OK) {
    poco_call p;
    pc_init(&p, c);
    decc_status rs = decc_poco_contribute_and_finalize(
        &p.env, id, &t.deal, &t.task, &c->sender, dg, res, resn, cb, cbn, &ec,
        es, esn, as, asn, &p.fx, NULL);
    s = settle(c, rs, &p);
    decc_poco_effects_clear(&p.fx);
  }
  tc_clear(&t);
  return s;
}

/* ---- views --------------------------------------------------------------------- */

/* Appends pre-encoded return data (a struct return is already the full
 * return encoding) by pushing its words: decc_abi_enc has no raw append,
 * so decode it with the same type and push the value. */
static decc_status push_encoded(decc_abi_enc *r, const char *type,
                                const decc_buf *b) {
  decc_abi_value *v = NULL;
  decc_status s = decc_abi_decode(&v, type, b->data, b->len, 0, NULL);
  if (s == DECC_OK)
    for (size_t i = 0; s == DECC_OK && i < v->count; i++)
      s = decc_abi_enc_push_value(r, &v->items[i]);
  decc_abi_value_free(v);
  return s;
}

static decc_status f_view_deal(ldg_ctx *c, const decc_abi_value *a,
                               decc_abi_enc *r) {
  uint8_t id[32];
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK)
    return ldg_revert_empty(c);
  decc_poco_deal d;
  int found;
  decc_status s = deal_load(c, id, &d, &found);
  decc_buf b;
  decc_buf_init(&b, 0);
  if (s == DECC_OK && (s = decc_poco_deal_abi(&b, &d)) == DECC_OK)
    s = push_encoded(r, DEAL_T, &b);
  decc_buf_clear(&b);
  decc_poco_deal_clear(&d);
  return s;
}

static decc_status f_view_task(ldg_ctx *c, const decc_abi_value *a,
                               decc_abi_enc *r) {
  uint8_t id[32];
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK)
    return ldg_revert_empty(c);
  decc_poco_task t;
  int found;
  decc_status s = task_load(c, id, &t, &found);
  decc_buf b;
  decc_buf_init(&b, 0);
  if (s == DECC_OK && (s = decc_poco_task_abi(&b, &t)) == DECC_OK)
    s = push_encoded(r, DECC_POCO_TASK_ABI_TYPE, &b);
  decc_buf_clear(&b);
  decc_poco_task_clear(&t);
  return s;
}

static decc_status f_view_contribution(ldg_ctx *c, const decc_abi_value *a,
                                       decc_abi_enc *r) {
  uint8_t id[32];
  decc_address w;
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK ||
      decc_abi_get_address(decc_abi_item(a, 1), &w) != DECC_OK)
    return ldg_revert_empty(c);
  decc_poco_task t;
  int found;
  decc_status s = task_load(c, id, &t, &found);
  if (s != DECC_OK)
    return s;
  decc_poco_contribution zero;
  memset(&zero, 0, sizeof zero);
  const decc_poco_contribution *k = decc_poco_task_contribution(&t, &w);
  decc_buf b;
  decc_buf_init(&b, 0);
  s = decc_poco_contribution_abi(&b, k ? k : &zero);
  if (s == DECC_OK)
    s = push_encoded(r, "(uint8,bytes32,bytes32,address,uint256)", &b);
  decc_buf_clear(&b);
  decc_poco_task_clear(&t);
  return s;
}

static decc_status f_result_for(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  uint8_t id[32];
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), id) != DECC_OK)
    return ldg_revert_empty(c);
  decc_poco_task t;
  int found;
  decc_status s = task_load(c, id, &t, &found);
  if (s != DECC_OK)
    return s;
  if (t.status != DECC_TASK_COMPLETED)
    s = ldg_revert(c, "task-pending");
  else
    s = decc_abi_enc_push_bytes(r, t.results_callback, t.results_callback_len);
  decc_poco_task_clear(&t);
  return s;
}

#define APPO DECC_ORDER_ABI_APP_TYPE /* dataset orders have the same shape */
#define WPO DECC_ORDER_ABI_WORKERPOOL_TYPE
#define RQO DECC_ORDER_ABI_REQUEST_TYPE
#define ORDERS4 APPO "," APPO "," WPO "," RQO

#define HUB LDG_T_HUB
const ldg_method ldg_poco_methods[] = {
    {HUB, "matchOrders(" ORDERS4 ")", f_match},
    {HUB, "sponsorMatchOrders(" ORDERS4 ")", f_sponsor_match},
    {HUB, "computeDealVolume(" ORDERS4 ")", f_compute_volume},
    {HUB, "assertDatasetDealCompatibility(" APPO ",bytes32)", f_assert_compat},
    {HUB, "manageAppOrder((" APPO ",uint8,bytes))", f_manage_app},
    {HUB, "manageDatasetOrder((" APPO ",uint8,bytes))", f_manage_dataset},
    {HUB, "manageWorkerpoolOrder((" WPO ",uint8,bytes))", f_manage_workerpool},
    {HUB, "manageRequestOrder((" RQO ",uint8,bytes))", f_manage_request},
    {HUB, "verifySignature(address,bytes32,bytes)", f_verify_signature},
    {HUB, "verifyPresignature(address,bytes32)", f_verify_presignature},
    {HUB, "verifyPresignatureOrSignature(address,bytes32,bytes)",
     f_verify_either},
    {HUB, "createCategory(string,string,uint256)", f_create_category},
    {HUB, "initialize(bytes32,uint256)", f_initialize},
    {HUB, "initializeArray(bytes32[],uint256[])", f_init_array},
    {HUB, "initializeAndClaimArray(bytes32[],uint256[])", f_init_claim_array},
    {HUB, "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)",
     f_contribute},
    {HUB, "reveal(bytes32,bytes32)", f_reveal},
    {HUB, "reopen(bytes32)", f_reopen},
    {HUB, "finalize(bytes32,bytes,bytes)", f_finalize},
    {HUB,
     "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)",
     f_contribute_and_finalize},
    {HUB, "claim(bytes32)", f_claim},
    {HUB, "claimArray(bytes32[])", f_claim_array},
    {HUB, "viewDeal(bytes32)", f_view_deal},
    {HUB, "viewTask(bytes32)", f_view_task},
    {HUB, "viewContribution(bytes32,address)", f_view_contribution},
    {HUB, "resultFor(bytes32)", f_result_for},
    {LDG_T_NONE, NULL, NULL}};
