/*
 * poco_records.c — PoCo's stored records (deal, task with contributions and
 * consensus, category) as C structs: init / clear / copy, lookups, the
 * genesis categories, the contribution hash formulas workers use, and the
 * ABI return data of the view functions (viewDeal, viewTask,
 * viewContribution, viewCategory) so the ledger answers eth_call exactly
 * as the PoCo proxy does.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "poco/poco_int.h"

void decc_poco_kitty_address(decc_address *out) {
  DECC_ARG_CHECK_VOID(out != NULL);
  /* address(uint256(keccak256("iExecKitty")) - 1), FacetBase.v8.sol. */
  static const uint8_t kitty[20] = {0x99, 0xc2, 0x26, 0x84, 0x79, 0xb9, 0x3f,
                                    0xde, 0x36, 0x23, 0x23, 0x51, 0x22, 0x98,
                                    0x15, 0xdf, 0x80, 0x83, 0x7e, 0x23};
  memcpy(out->b, kitty, 20);
}

const decc_poco_category *decc_poco_genesis_categories(size_t *count) {
  static const decc_poco_category cats[] = {
      {"XS", "{}", 300},  {"S", "{}", 1200},   {"M", "{}", 3600},
      {"L", "{}", 10800}, {"XL", "{}", 36000},
  };
  if (count)
    *count = sizeof cats / sizeof cats[0];
  return cats;
}

/* ---- deal ------------------------------------------------------------------ */

decc_status decc_poco_deal_init(decc_poco_deal *d) {
  DECC_ARG_CHECK(d != NULL);
  memset(d, 0, sizeof *d);
  d->params = decc_strdup("");
  return d->params ? DECC_OK : DECC_E_NOMEM;
}

void decc_poco_deal_clear(decc_poco_deal *d) {
  if (!d)
    return;
  decc_free(d->params);
  memset(d, 0, sizeof *d);
}

decc_status decc_poco_deal_copy(decc_poco_deal *dst,
                                const decc_poco_deal *src) {
  DECC_ARG_CHECK(dst != NULL);
  DECC_ARG_CHECK(src != NULL);
  *dst = *src;
  dst->params = decc_strdup(src->params ? src->params : "");
  if (!dst->params) {
    memset(dst, 0, sizeof *dst);
    return DECC_E_NOMEM;
  }
  return DECC_OK;
}

/* ---- task ------------------------------------------------------------------ */

void decc_poco_task_init(decc_poco_task *t) {
  if (t)
    memset(t, 0, sizeof *t);
}

void decc_poco_task_clear(decc_poco_task *t) {
  if (!t)
    return;
  decc_free(t->contributions);
  decc_free(t->results);
  decc_free(t->results_callback);
  decc_free(t->groups);
  memset(t, 0, sizeof *t);
}

static decc_status dup_bytes(uint8_t **dst, const uint8_t *src, size_t n) {
  *dst = NULL;
  if (n == 0)
    return DECC_OK;
  *dst = decc_malloc(n);
  if (!*dst)
    return DECC_E_NOMEM;
  memcpy(*dst, src, n);
  return DECC_OK;
}

decc_status decc_poco_task_copy(decc_poco_task *dst,
                                const decc_poco_task *src) {
  DECC_ARG_CHECK(dst != NULL);
  DECC_ARG_CHECK(src != NULL);
  *dst = *src;
  dst->contributions = NULL;
  dst->results = NULL;
  dst->results_callback = NULL;
  dst->groups = NULL;
  decc_status st = dup_bytes((uint8_t **)&dst->contributions,
                             (const uint8_t *)src->contributions,
                             src->n_contributions * sizeof *src->contributions);
  if (!st)
    st = dup_bytes(&dst->results, src->results, src->results_len);
  if (!st)
    st = dup_bytes(&dst->results_callback, src->results_callback,
                   src->results_callback_len);
  if (!st)
    st = dup_bytes((uint8_t **)&dst->groups, (const uint8_t *)src->groups,
                   src->n_groups * sizeof *src->groups);
  if (st)
    decc_poco_task_clear(dst);
  return st;
}

const decc_poco_contribution *
decc_poco_task_contribution(const decc_poco_task *t,
                            const decc_address *worker) {
  if (!t || !worker)
    return NULL;
  for (size_t i = 0; i < t->n_contributions; i++)
    if (decc_address_eq(&t->contributions[i].worker, worker))
      return &t->contributions[i];
  return NULL;
}

decc_u256 decc_poco_task_group(const decc_poco_task *t,
                               const uint8_t hash32[32]) {
  if (t)
    for (size_t i = 0; i < t->n_groups; i++)
      if (memcmp(t->groups[i].hash, hash32, 32) == 0)
        return t->groups[i].value;
  return decc_u256_from_u64(0);
}

/* ---- contribution formulas ---------------------------------------------------- */

void decc_poco_result_hash(uint8_t out32[32], const uint8_t task_id32[32],
                           const uint8_t result_digest32[32]) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(task_id32 != NULL);
  DECC_ARG_CHECK_VOID(result_digest32 != NULL);
  uint8_t m[64];
  memcpy(m, task_id32, 32);
  memcpy(m + 32, result_digest32, 32);
  decc_keccak256(out32, m, sizeof m);
}

void decc_poco_result_seal(uint8_t out32[32], const decc_address *worker,
                           const uint8_t task_id32[32],
                           const uint8_t result_digest32[32]) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(worker != NULL);
  DECC_ARG_CHECK_VOID(task_id32 != NULL);
  DECC_ARG_CHECK_VOID(result_digest32 != NULL);
  uint8_t m[84];
  memcpy(m, worker->b, 20);
  memcpy(m + 20, task_id32, 32);
  memcpy(m + 52, result_digest32, 32);
  decc_keccak256(out32, m, sizeof m);
}

void decc_poco_authorization_message(uint8_t out32[32],
                                     const decc_address *worker,
                                     const uint8_t task_id32[32],
                                     const decc_address *enclave_challenge) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(worker != NULL);
  DECC_ARG_CHECK_VOID(task_id32 != NULL);
  DECC_ARG_CHECK_VOID(enclave_challenge != NULL);
  uint8_t m[72];
  memcpy(m, worker->b, 20);
  memcpy(m + 20, task_id32, 32);
  memcpy(m + 52, enclave_challenge->b, 20);
  decc_keccak256(out32, m, sizeof m);
}

void decc_poco_enclave_message(uint8_t out32[32],
                               const uint8_t result_hash32[32],
                               const uint8_t result_seal32[32]) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(result_hash32 != NULL);
  DECC_ARG_CHECK_VOID(result_seal32 != NULL);
  uint8_t m[64];
  memcpy(m, result_hash32, 32);
  memcpy(m + 32, result_seal32, 32);
  decc_keccak256(out32, m, sizeof m);
}

/* ---- view encodings ------------------------------------------------------------- */

static void push_resource(decc_abi_enc *e, const decc_poco_resource *r) {
  (void)decc_abi_enc_begin_tuple(e);
  (void)decc_abi_enc_push_address(e, &r->pointer);
  (void)decc_abi_enc_push_address(e, &r->owner);
  (void)decc_abi_enc_push_u256(e, &r->price);
  (void)decc_abi_enc_end_tuple(e);
}

/* The encoder's errors are sticky, so only finish's status matters. */
static decc_status finish(decc_abi_enc *e, decc_buf *out) {
  decc_status st = decc_abi_enc_finish(e, out);
  decc_abi_enc_clear(e);
  return st;
}

decc_status decc_poco_deal_abi(decc_buf *out, const decc_poco_deal *d) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(d != NULL);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  (void)decc_abi_enc_begin_tuple(&e);
  push_resource(&e, &d->app);
  push_resource(&e, &d->dataset);
  push_resource(&e, &d->workerpool);
  (void)decc_abi_enc_push_u256(&e, &d->trust);
  (void)decc_abi_enc_push_u256(&e, &d->category);
  (void)decc_abi_enc_push_bytes32(&e, d->tag);
  (void)decc_abi_enc_push_address(&e, &d->requester);
  (void)decc_abi_enc_push_address(&e, &d->beneficiary);
  (void)decc_abi_enc_push_address(&e, &d->callback);
  (void)decc_abi_enc_push_string(&e, d->params ? d->params : "");
  (void)decc_abi_enc_push_u256(&e, &d->start_time);
  (void)decc_abi_enc_push_u256(&e, &d->bot_first);
  (void)decc_abi_enc_push_u256(&e, &d->bot_size);
  (void)decc_abi_enc_push_u256(&e, &d->worker_stake);
  (void)decc_abi_enc_push_u256(&e, &d->scheduler_reward_ratio);
  (void)decc_abi_enc_push_address(&e, &d->sponsor);
  (void)decc_abi_enc_end_tuple(&e);
  return finish(&e, out);
}

decc_status decc_poco_task_abi(decc_buf *out, const decc_poco_task *t) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(t != NULL);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  (void)decc_abi_enc_begin_tuple(&e);
  (void)decc_abi_enc_push_u64(&e, (uint64_t)t->status);
  (void)decc_abi_enc_push_bytes32(&e, t->deal_id);
  (void)decc_abi_enc_push_u256(&e, &t->idx);
  (void)decc_abi_enc_push_u256(&e, &t->timeref);
  (void)decc_abi_enc_push_u256(&e, &t->contribution_deadline);
  (void)decc_abi_enc_push_u256(&e, &t->reveal_deadline);
  (void)decc_abi_enc_push_u256(&e, &t->final_deadline);
  (void)decc_abi_enc_push_bytes32(&e, t->consensus_value);
  (void)decc_abi_enc_push_u256(&e, &t->reveal_counter);
  (void)decc_abi_enc_push_u256(&e, &t->winner_counter);
  (void)decc_abi_enc_begin_array(&e);
  for (size_t i = 0; i < t->n_contributions; i++)
    (void)decc_abi_enc_push_address(&e, &t->contributions[i].worker);
  (void)decc_abi_enc_end_array(&e);
  (void)decc_abi_enc_push_bytes32(&e, t->result_digest);
  (void)decc_abi_enc_push_bytes(&e, t->results, t->results_len);
  (void)decc_abi_enc_push_u256(&e, &t->results_timestamp);
  (void)decc_abi_enc_push_bytes(&e, t->results_callback,
                                t->results_callback_len);
  (void)decc_abi_enc_end_tuple(&e);
  return finish(&e, out);
}

decc_status decc_poco_contribution_abi(decc_buf *out,
                                       const decc_poco_contribution *c) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(c != NULL);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  (void)decc_abi_enc_begin_tuple(&e);
  (void)decc_abi_enc_push_u64(&e, (uint64_t)c->status);
  (void)decc_abi_enc_push_bytes32(&e, c->result_hash);
  (void)decc_abi_enc_push_bytes32(&e, c->result_seal);
  (void)decc_abi_enc_push_address(&e, &c->enclave_challenge);
  (void)decc_abi_enc_push_u256(&e, &c->weight);
  (void)decc_abi_enc_end_tuple(&e);
  return finish(&e, out);
}

decc_status decc_poco_category_abi(decc_buf *out, const char *name,
                                   const char *description,
                                   const decc_u256 *work_clock_time_ref) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(name != NULL);
  DECC_ARG_CHECK(description != NULL);
  DECC_ARG_CHECK(work_clock_time_ref != NULL);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  (void)decc_abi_enc_begin_tuple(&e);
  (void)decc_abi_enc_push_string(&e, name);
  (void)decc_abi_enc_push_string(&e, description);
  (void)decc_abi_enc_push_u256(&e, work_clock_time_ref);
  (void)decc_abi_enc_end_tuple(&e);
  return finish(&e, out);
}

/* ---- view decodings ------------------------------------------------------------ */

decc_status decc_poco_task_from_abi(decc_poco_task *t, const uint8_t *data,
                                    size_t len, decc_err *err) {
  DECC_ARG_CHECK(t != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  decc_poco_task_init(t);
  decc_abi_value *v = NULL;
  decc_status st =
      decc_abi_decode(&v, DECC_POCO_TASK_ABI_TYPE, data, len, 0, err);
  if (st)
    return decc_err_prefix(err, "viewTask");
  const decc_abi_value *r = decc_abi_item(v, 0);
  uint64_t status = 0;
  const decc_abi_value *cs = decc_abi_item(r, 10);
  const uint8_t *res = NULL, *cb = NULL;
  size_t rl = 0, cl = 0;
  if (decc_abi_get_u64(decc_abi_item(r, 0), &status) ||
      decc_abi_get_bytes32(decc_abi_item(r, 1), t->deal_id) ||
      decc_abi_get_u256(decc_abi_item(r, 2), &t->idx) ||
      decc_abi_get_u256(decc_abi_item(r, 3), &t->timeref) ||
      decc_abi_get_u256(decc_abi_item(r, 4), &t->contribution_deadline) ||
      decc_abi_get_u256(decc_abi_item(r, 5), &t->reveal_deadline) ||
      decc_abi_get_u256(decc_abi_item(r, 6), &t->final_deadline) ||
      decc_abi_get_bytes32(decc_abi_item(r, 7), t->consensus_value) ||
      decc_abi_get_u256(decc_abi_item(r, 8), &t->reveal_counter) ||
      decc_abi_get_u256(decc_abi_item(r, 9), &t->winner_counter) || !cs ||
      decc_abi_get_bytes32(decc_abi_item(r, 11), t->result_digest) ||
      decc_abi_get_bytes(decc_abi_item(r, 12), &res, &rl) ||
      decc_abi_get_u256(decc_abi_item(r, 13), &t->results_timestamp) ||
      decc_abi_get_bytes(decc_abi_item(r, 14), &cb, &cl) || status > 4) {
    st = decc_err_set(err, DECC_E_PARSE, "viewTask: bad answer");
  } else {
    t->status = (decc_poco_task_status)status;
    if (cs->count) {
      t->contributions = decc_calloc(cs->count, sizeof *t->contributions);
      if (!t->contributions)
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      for (size_t i = 0; !st && i < cs->count; i++) {
        if (decc_abi_get_address(decc_abi_item(cs, i),
                                 &t->contributions[i].worker))
          st = decc_err_set(err, DECC_E_PARSE, "viewTask: bad contributor");
        t->n_contributions = i + 1;
      }
    }
    if (!st && rl) {
      if (!(t->results = decc_malloc(rl + 1)))
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      else {
        memcpy(t->results, res, rl);
        t->results[rl] = 0;
        t->results_len = rl;
      }
    }
    if (!st && cl) {
      if (!(t->results_callback = decc_malloc(cl)))
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      else {
        memcpy(t->results_callback, cb, cl);
        t->results_callback_len = cl;
      }
    }
  }
  decc_abi_value_free(v);
  if (st)
    decc_poco_task_clear(t);
  return st;
}

static decc_status get_resource(const decc_abi_value *v,
                                decc_poco_resource *r) {
  if (decc_abi_get_address(decc_abi_item(v, 0), &r->pointer) ||
      decc_abi_get_address(decc_abi_item(v, 1), &r->owner) ||
      decc_abi_get_u256(decc_abi_item(v, 2), &r->price))
    return DECC_E_PARSE;
  return DECC_OK;
}

decc_status decc_poco_deal_from_abi(decc_poco_deal *d, const uint8_t *data,
                                    size_t len, decc_err *err) {
  DECC_ARG_CHECK(d != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  decc_status st = decc_poco_deal_init(d);
  if (st)
    return decc_err_set(err, st, "out of memory");
  decc_abi_value *v = NULL;
  if ((st = decc_abi_decode(&v, DECC_POCO_DEAL_ABI_TYPE, data, len, 0, err))) {
    decc_poco_deal_clear(d);
    return decc_err_prefix(err, "viewDeal");
  }
  const decc_abi_value *r = decc_abi_item(v, 0);
  char *params = NULL;
  if (get_resource(decc_abi_item(r, 0), &d->app) ||
      get_resource(decc_abi_item(r, 1), &d->dataset) ||
      get_resource(decc_abi_item(r, 2), &d->workerpool) ||
      decc_abi_get_u256(decc_abi_item(r, 3), &d->trust) ||
      decc_abi_get_u256(decc_abi_item(r, 4), &d->category) ||
      decc_abi_get_bytes32(decc_abi_item(r, 5), d->tag) ||
      decc_abi_get_address(decc_abi_item(r, 6), &d->requester) ||
      decc_abi_get_address(decc_abi_item(r, 7), &d->beneficiary) ||
      decc_abi_get_address(decc_abi_item(r, 8), &d->callback) ||
      decc_abi_get_string(decc_abi_item(r, 9), &params) ||
      decc_abi_get_u256(decc_abi_item(r, 10), &d->start_time) ||
      decc_abi_get_u256(decc_abi_item(r, 11), &d->bot_first) ||
      decc_abi_get_u256(decc_abi_item(r, 12), &d->bot_size) ||
      decc_abi_get_u256(decc_abi_item(r, 13), &d->worker_stake) ||
      decc_abi_get_u256(decc_abi_item(r, 14), &d->scheduler_reward_ratio) ||
      decc_abi_get_address(decc_abi_item(r, 15), &d->sponsor)) {
    decc_free(params);
    st = decc_err_set(err, DECC_E_PARSE, "viewDeal: bad answer");
  } else {
    decc_free(d->params);
    d->params = params;
  }
  decc_abi_value_free(v);
  if (st)
    decc_poco_deal_clear(d);
  return st;
}

decc_status decc_poco_contribution_from_abi(decc_poco_contribution *out,
                                            const uint8_t *data, size_t len,
                                            decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  decc_address worker = out->worker;
  memset(out, 0, sizeof *out);
  out->worker = worker;
  decc_abi_value *v = NULL;
  decc_status st =
      decc_abi_decode(&v, DECC_POCO_CONTRIBUTION_ABI_TYPE, data, len, 0, err);
  if (st)
    return decc_err_prefix(err, "viewContribution");
  const decc_abi_value *r = decc_abi_item(v, 0);
  uint64_t s = 0;
  if (decc_abi_get_u64(decc_abi_item(r, 0), &s) || s > 3 ||
      decc_abi_get_bytes32(decc_abi_item(r, 1), out->result_hash) ||
      decc_abi_get_bytes32(decc_abi_item(r, 2), out->result_seal) ||
      decc_abi_get_address(decc_abi_item(r, 3), &out->enclave_challenge) ||
      decc_abi_get_u256(decc_abi_item(r, 4), &out->weight))
    st = decc_err_set(err, DECC_E_PARSE, "viewContribution: bad answer");
  else
    out->status = (decc_poco_contribution_status)s;
  decc_abi_value_free(v);
  return st;
}
