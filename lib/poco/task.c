/*
 * task.c — PoCo's task state machine (IexecPoco2Facet.sol): initialize,
 * contribute (with the 1/3 score policy and consensus detection), reveal,
 * reopen, finalize, contributeAndFinalize and claim, each checking what
 * PoCo checks in PoCo's order and returning the new task, the escrow moves
 * and the logs.
 *
 * All of PoCo's task requires are message-less, so a failed check is an
 * empty revert; only the signature verifier ("invalid-signature-format"),
 * the escrow and checked arithmetic produce other reasons.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "poco/poco_int.h"

static const decc_poco_deal zero_deal;
static const decc_poco_task zero_task;

static int env_ok(const decc_poco_env *env) { return decc__poco_world_ok(env); }

static decc_u256 now_u(const decc_poco_env *env) {
  return decc_u256_from_u64(env->timestamp);
}

/* a > b for u256. */
static int gt(const decc_u256 *a, const decc_u256 *b) {
  return decc_u256_cmp(a, b) > 0;
}

/* Starts fx->task as a copy of the stored task. */
static decc_status begin_task(decc_poco_effects *fx, const uint8_t task_id[32],
                              const decc_poco_task *t) {
  POCO_TRY(decc_poco_task_copy(&fx->task, t));
  fx->has_task = 1;
  memcpy(fx->task_id, task_id, 32);
  return DECC_OK;
}

static decc_poco_contribution *contribution_mut(decc_poco_task *t,
                                                const decc_address *w) {
  for (size_t i = 0; i < t->n_contributions; i++)
    if (decc_address_eq(&t->contributions[i].worker, w))
      return &t->contributions[i];
  return NULL;
}

static decc_status push_contribution(decc_poco_effects *fx,
                                     const decc_poco_contribution *c) {
  decc_poco_task *t = &fx->task;
  if (t->n_contributions >= DECC_POCO_MAX_CONTRIBUTORS)
    return decc__poco_revert_msg(fx, "decc: too many contributors");
  decc_poco_contribution *v =
      decc_realloc(t->contributions, (t->n_contributions + 1) * sizeof *v);
  if (!v)
    return DECC_E_NOMEM;
  t->contributions = v;
  v[t->n_contributions++] = *c;
  return DECC_OK;
}

static decc_status set_group(decc_poco_task *t, const uint8_t hash[32],
                             const decc_u256 *value) {
  for (size_t i = 0; i < t->n_groups; i++)
    if (memcmp(t->groups[i].hash, hash, 32) == 0) {
      t->groups[i].value = *value;
      return DECC_OK;
    }
  if (decc_u256_is_zero(value))
    return DECC_OK; /* an absent entry already reads as zero */
  decc_poco_group *g = decc_realloc(t->groups, (t->n_groups + 1) * sizeof *g);
  if (!g)
    return DECC_E_NOMEM;
  t->groups = g;
  memcpy(g[t->n_groups].hash, hash, 32);
  g[t->n_groups].value = *value;
  t->n_groups++;
  return DECC_OK;
}

static decc_status set_bytes(uint8_t **dst, size_t *dst_len, const uint8_t *src,
                             size_t n) {
  decc_free(*dst);
  *dst = NULL;
  *dst_len = 0;
  if (n == 0)
    return DECC_OK;
  *dst = decc_malloc(n);
  if (!*dst)
    return DECC_E_NOMEM;
  memcpy(*dst, src, n);
  *dst_len = n;
  return DECC_OK;
}

/* OZ Math.log2: floor(log2(x)), 0 for 0. */
static decc_u256 log2_u256(const decc_u256 *x) {
  for (int limb = 3; limb >= 0; limb--)
    if (x->w[limb]) {
      int bit = 63;
      while (!((x->w[limb] >> bit) & 1))
        bit--;
      return decc_u256_from_u64((uint64_t)(limb * 64 + bit));
    }
  return decc_u256_from_u64(0);
}

/* personal_sign digest of a 32-byte message. */
static void eth_signed(uint8_t out[32], const uint8_t msg[32]) {
  decc_eip191_digest(out, msg, 32);
}

static decc_status emit_task(const decc_poco_env *env, decc_poco_effects *fx,
                             decc_poco_event ev, const uint8_t task_id[32],
                             const decc_address *indexed_addr,
                             const uint8_t *word32) {
  uint8_t idx[2][32], w[1][32];
  memcpy(idx[0], task_id, 32);
  if (indexed_addr)
    decc__poco_word_addr(idx[1], indexed_addr);
  if (word32)
    memcpy(w[0], word32, 32);
  return decc__poco_emit_words(env, fx, ev, (const uint8_t(*)[32])idx,
                               indexed_addr ? 2 : 1, (const uint8_t(*)[32])w,
                               word32 ? 1 : 0);
}

static decc_status emit_finalize(const decc_poco_env *env,
                                 decc_poco_effects *fx,
                                 const uint8_t task_id[32],
                                 const uint8_t *results, size_t len) {
  decc_abi_enc e;
  decc_buf data;
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&data, 0);
  (void)decc_abi_enc_push_bytes(&e, results, len);
  decc_status st = decc_abi_enc_finish(&e, &data);
  decc_abi_enc_clear(&e);
  if (!st) {
    uint8_t idx[1][32];
    memcpy(idx[0], task_id, 32);
    st = decc__poco_emit(env, fx, DECC_EV_TASK_FINALIZE,
                         (const uint8_t(*)[32])idx, 1, data.data, data.len);
  }
  decc_buf_clear(&data);
  return st;
}

/* executeCallback: returned to the caller instead of executed. */
static decc_status set_callback(const decc_poco_env *env, decc_poco_effects *fx,
                                const decc_poco_deal *deal,
                                const uint8_t task_id[32], const uint8_t *rcb,
                                size_t rcb_len) {
  if (decc_address_is_zero(&deal->callback))
    return DECC_OK;
  uint8_t sel[4];
  decc_abi_selector(sel, "receiveResult(bytes32,bytes)");
  decc_abi_enc e;
  decc_buf data;
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&data, 0);
  (void)decc_abi_enc_push_bytes32(&e, task_id);
  (void)decc_abi_enc_push_bytes(&e, rcb, rcb_len);
  decc_status st = decc_abi_enc_finish_call(&e, sel, &data);
  decc_abi_enc_clear(&e);
  if (st) {
    decc_buf_clear(&data);
    return st;
  }
  fx->has_callback = 1;
  fx->callback = deal->callback;
  fx->callback_gas = env->callback_gas;
  fx->callback_data = decc_buf_steal(&data, &fx->callback_data_len);
  decc_buf_clear(&data);
  return fx->callback_data ? DECC_OK : DECC_E_NOMEM;
}

/* The worker + taskid + enclave authorisation (scheduler or teebroker),
 * then the enclave's signature of (resultHash, resultSeal). */
static decc_status
check_signatures(const decc_poco_env *env, decc_poco_effects *fx,
                 const decc_poco_deal *deal, const uint8_t task_id[32],
                 const decc_address *worker, const decc_address *ec,
                 const uint8_t rh[32], const uint8_t rs[32],
                 const uint8_t *esig, size_t esig_len, const uint8_t *asig,
                 size_t asig_len) {
  int has_ec = !decc_address_is_zero(ec);
  const decc_address *signer =
      (has_ec && !decc_address_is_zero(&env->teebroker))
          ? &env->teebroker
          : &deal->workerpool.owner;
  uint8_t m[32], dg[32];
  int ok = 0;
  decc_poco_authorization_message(m, worker, task_id, ec);
  eth_signed(dg, m);
  POCO_TRY(decc_poco_verify_signature(env, signer, dg, asig, asig_len, &ok,
                                      &fx->revert));
  if (!ok)
    return decc__poco_revert_empty(fx);
  if (has_ec) {
    decc_poco_enclave_message(m, rh, rs);
    eth_signed(dg, m);
    POCO_TRY(decc_poco_verify_signature(env, ec, dg, esig, esig_len, &ok,
                                        &fx->revert));
    if (!ok)
      return decc__poco_revert_empty(fx);
  }
  return DECC_OK;
}

/* ---- initialize ------------------------------------------------------------------ */

static decc_status
initialize_body(const decc_poco_env *env, const uint8_t deal_id[32],
                const decc_poco_deal *deal, const decc_u256 *idx,
                const decc_poco_task *current, decc_poco_effects *fx) {
  if (decc_u256_cmp(idx, &deal->bot_first) < 0)
    return decc__poco_revert_empty(fx);
  decc_u256 end;
  POCO_TRY(decc__poco_add(fx, &end, &deal->bot_first, &deal->bot_size));
  if (decc_u256_cmp(idx, &end) >= 0)
    return decc__poco_revert_empty(fx);
  uint8_t task_id[32];
  decc_task_id(task_id, deal_id, idx);
  if (current->status != DECC_TASK_UNSET)
    return decc__poco_revert_empty(fx);
  POCO_TRY(begin_task(fx, task_id, current));
  decc_poco_task *t = &fx->task;
  t->status = DECC_TASK_ACTIVE;
  memcpy(t->deal_id, deal_id, 32);
  t->idx = *idx;
  int found = 0;
  POCO_TRY(env->world->category_timeref(env->world->ctx, &deal->category,
                                        &found, &t->timeref));
  if (!found)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OUT_OF_BOUNDS);
  decc_u256 k = decc__poco_u(DECC_POCO_CONTRIBUTION_DEADLINE_RATIO), x;
  POCO_TRY(decc__poco_mul(fx, &x, &t->timeref, &k));
  POCO_TRY(
      decc__poco_add(fx, &t->contribution_deadline, &deal->start_time, &x));
  k = decc__poco_u(DECC_POCO_FINAL_DEADLINE_RATIO);
  POCO_TRY(decc__poco_mul(fx, &x, &t->timeref, &k));
  POCO_TRY(decc__poco_add(fx, &t->final_deadline, &deal->start_time, &x));
  t->consensus_total = decc__poco_u(1);
  return emit_task(env, fx, DECC_EV_TASK_INITIALIZE, task_id,
                   &deal->workerpool.pointer, NULL);
}

decc_status decc_poco_initialize(const decc_poco_env *env,
                                 const uint8_t deal_id32[32],
                                 const decc_poco_deal *deal,
                                 const decc_u256 *idx,
                                 const decc_poco_task *current,
                                 decc_poco_effects *fx, decc_err *err) {
  DECC_ARG_CHECK(env_ok(env));
  DECC_ARG_CHECK(deal_id32 != NULL);
  DECC_ARG_CHECK(idx != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  decc_status st = initialize_body(env, deal_id32, deal ? deal : &zero_deal,
                                   idx, current ? current : &zero_task, fx);
  return decc__poco_finish(fx, st, err, "initialize");
}

/* ---- contribute ------------------------------------------------------------------ */

static decc_status check_consensus(const decc_poco_env *env,
                                   decc_poco_effects *fx,
                                   const decc_poco_deal *deal,
                                   const uint8_t task_id[32],
                                   const uint8_t consensus[32]) {
  decc_poco_task *t = &fx->task;
  decc_u256 one = decc__poco_u(1), lhs, rhs, tm1;
  decc_u256 group = decc_poco_task_group(t, consensus);
  POCO_TRY(decc__poco_mul(fx, &lhs, &group, &deal->trust));
  POCO_TRY(decc__poco_sub(fx, &tm1, &deal->trust, &one));
  POCO_TRY(decc__poco_mul(fx, &rhs, &t->consensus_total, &tm1));
  if (!gt(&lhs, &rhs))
    return DECC_OK;
  uint64_t winners = 0;
  for (size_t i = 0; i < t->n_contributions; i++)
    if (memcmp(t->contributions[i].result_hash, consensus, 32) == 0 &&
        t->contributions[i].status == DECC_CONTRIB_CONTRIBUTED)
      winners++;
  t->status = DECC_TASK_REVEALING;
  memcpy(t->consensus_value, consensus, 32);
  decc_u256 k = decc__poco_u(DECC_POCO_REVEAL_DEADLINE_RATIO), x,
            now = now_u(env);
  POCO_TRY(decc__poco_mul(fx, &x, &t->timeref, &k));
  POCO_TRY(decc__poco_add(fx, &t->reveal_deadline, &now, &x));
  t->reveal_counter = decc__poco_u(0);
  t->winner_counter = decc__poco_u(winners);
  return emit_task(env, fx, DECC_EV_TASK_CONSENSUS, task_id, NULL, consensus);
}

static decc_status
contribute_body(const decc_poco_env *env, const uint8_t task_id[32],
                const decc_poco_deal *deal, const decc_poco_task *task,
                const decc_address *sender, const uint8_t rh[32],
                const uint8_t rs[32], const decc_address *ec,
                const uint8_t *esig, size_t esig_len, const uint8_t *asig,
                size_t asig_len, decc_poco_effects *fx) {
  decc_u256 now = now_u(env);
  if (task->status != DECC_TASK_ACTIVE)
    return decc__poco_revert_empty(fx);
  if (!gt(&task->contribution_deadline, &now))
    return decc__poco_revert_empty(fx);
  const decc_poco_contribution *prev =
      decc_poco_task_contribution(task, sender);
  if (prev && prev->status != DECC_CONTRIB_UNSET)
    return decc__poco_revert_empty(fx);
  if (decc_address_is_zero(ec) && (deal->tag[31] & 0x01))
    return decc__poco_revert_empty(fx);
  POCO_TRY(check_signatures(env, fx, deal, task_id, sender, ec, rh, rs, esig,
                            esig_len, asig, asig_len));

  POCO_TRY(begin_task(fx, task_id, task));
  decc_poco_contribution c;
  memset(&c, 0, sizeof c);
  c.worker = *sender;
  c.status = DECC_CONTRIB_CONTRIBUTED;
  memcpy(c.result_hash, rh, 32);
  memcpy(c.result_seal, rs, 32);
  c.enclave_challenge = *ec;
  POCO_TRY(push_contribution(fx, &c));
  POCO_TRY(decc__poco_lock(env, fx, sender, &deal->worker_stake));
  POCO_TRY(emit_task(env, fx, DECC_EV_TASK_CONTRIBUTE, task_id, sender, rh));

  /* Score policy 1/3: weight = max(score / 3, 3) − 1. */
  decc_u256 score, weight, three = decc__poco_u(3), one = decc__poco_u(1);
  POCO_TRY(decc__poco_score_get(env, fx, sender, &score));
  POCO_TRY(decc__poco_div(fx, &weight, &score, &three));
  if (decc_u256_cmp(&weight, &three) < 0)
    weight = three;
  POCO_TRY(decc__poco_sub(fx, &weight, &weight, &one));
  decc_poco_task *t = &fx->task;
  decc_u256 group = decc_poco_task_group(t, rh);
  decc_u256 delta, g1 = decc_u256_is_zero(&group) ? one : group;
  POCO_TRY(decc__poco_mul(fx, &delta, &g1, &weight));
  POCO_TRY(decc__poco_sub(fx, &delta, &delta, &group));
  t->contributions[t->n_contributions - 1].weight = log2_u256(&weight);
  decc_u256 ng;
  POCO_TRY(decc__poco_add(fx, &ng, &group, &delta));
  POCO_TRY(set_group(t, rh, &ng));
  POCO_TRY(
      decc__poco_add(fx, &t->consensus_total, &t->consensus_total, &delta));
  return check_consensus(env, fx, deal, task_id, rh);
}

static int sign_len_ok(size_t a, size_t b) {
  return a <= DECC_POCO_MAX_BYTES && b <= DECC_POCO_MAX_BYTES;
}

decc_status decc_poco_contribute(
    const decc_poco_env *env, const uint8_t task_id32[32],
    const decc_poco_deal *deal, const decc_poco_task *task,
    const decc_address *sender, const uint8_t result_hash32[32],
    const uint8_t result_seal32[32], const decc_address *enclave_challenge,
    const uint8_t *enclave_sign, size_t enclave_sign_len,
    const uint8_t *authorization_sign, size_t authorization_sign_len,
    decc_poco_effects *fx, decc_err *err) {
  DECC_ARG_CHECK(env_ok(env));
  DECC_ARG_CHECK(task_id32 != NULL);
  DECC_ARG_CHECK(sender != NULL);
  DECC_ARG_CHECK(result_hash32 != NULL);
  DECC_ARG_CHECK(result_seal32 != NULL);
  DECC_ARG_CHECK(enclave_challenge != NULL);
  DECC_ARG_CHECK(enclave_sign != NULL || enclave_sign_len == 0);
  DECC_ARG_CHECK(authorization_sign != NULL || authorization_sign_len == 0);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  if (!sign_len_ok(enclave_sign_len, authorization_sign_len))
    return decc_err_set(err, DECC_E_LIMIT, "contribute: signature too long");
  decc_status st = contribute_body(
      env, task_id32, deal ? deal : &zero_deal, task ? task : &zero_task,
      sender, result_hash32, result_seal32, enclave_challenge, enclave_sign,
      enclave_sign_len, authorization_sign, authorization_sign_len, fx);
  return decc__poco_finish(fx, st, err, "contribute");
}

/* ---- reveal ------------------------------------------------------------------------ */

static decc_status
reveal_body(const decc_poco_env *env, const uint8_t task_id[32],
            const decc_poco_task *task, const decc_address *sender,
            const uint8_t digest[32], decc_poco_effects *fx) {
  decc_u256 now = now_u(env);
  if (task->status != DECC_TASK_REVEALING)
    return decc__poco_revert_empty(fx);
  if (!gt(&task->reveal_deadline, &now))
    return decc__poco_revert_empty(fx);
  const decc_poco_contribution *c = decc_poco_task_contribution(task, sender);
  if (!c || c->status != DECC_CONTRIB_CONTRIBUTED)
    return decc__poco_revert_empty(fx);
  if (memcmp(c->result_hash, task->consensus_value, 32) != 0)
    return decc__poco_revert_empty(fx);
  uint8_t h[32];
  decc_poco_result_hash(h, task_id, digest);
  if (memcmp(c->result_hash, h, 32) != 0)
    return decc__poco_revert_empty(fx);
  decc_poco_result_seal(h, sender, task_id, digest);
  if (memcmp(c->result_seal, h, 32) != 0)
    return decc__poco_revert_empty(fx);

  POCO_TRY(begin_task(fx, task_id, task));
  decc_poco_task *t = &fx->task;
  contribution_mut(t, sender)->status = DECC_CONTRIB_PROVED;
  decc_u256 one = decc__poco_u(1);
  POCO_TRY(decc__poco_add(fx, &t->reveal_counter, &t->reveal_counter, &one));
  memcpy(t->result_digest, digest, 32);
  return emit_task(env, fx, DECC_EV_TASK_REVEAL, task_id, sender, digest);
}

decc_status decc_poco_reveal(const decc_poco_env *env,
                             const uint8_t task_id32[32],
                             const decc_poco_task *task,
                             const decc_address *sender,
                             const uint8_t result_digest32[32],
                             decc_poco_effects *fx, decc_err *err) {
  DECC_ARG_CHECK(env_ok(env));
  DECC_ARG_CHECK(task_id32 != NULL);
  DECC_ARG_CHECK(sender != NULL);
  DECC_ARG_CHECK(result_digest32 != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  decc_status st = reveal_body(env, task_id32, task ? task : &zero_task, sender,
                               result_digest32, fx);
  return decc__poco_finish(fx, st, err, "reveal");
}

/* ---- reopen ------------------------------------------------------------------------ */

static decc_status
reopen_body(const decc_poco_env *env, const uint8_t task_id[32],
            const decc_poco_deal *deal, const decc_poco_task *task,
            const decc_address *sender, decc_poco_effects *fx) {
  decc_u256 now = now_u(env);
  if (!decc_address_eq(sender, &deal->workerpool.owner))
    return decc__poco_revert_empty(fx); /* onlyScheduler */
  if (task->status != DECC_TASK_REVEALING)
    return decc__poco_revert_empty(fx);
  if (!gt(&task->final_deadline, &now))
    return decc__poco_revert_empty(fx);
  if (gt(&task->reveal_deadline, &now) ||
      !decc_u256_is_zero(&task->reveal_counter))
    return decc__poco_revert_empty(fx);

  POCO_TRY(begin_task(fx, task_id, task));
  decc_poco_task *t = &fx->task;
  for (size_t i = 0; i < t->n_contributions; i++)
    if (memcmp(t->contributions[i].result_hash, t->consensus_value, 32) == 0)
      t->contributions[i].status = DECC_CONTRIB_REJECTED;
  decc_u256 g = decc_poco_task_group(t, t->consensus_value);
  decc_u256 zero = decc__poco_u(0);
  POCO_TRY(decc__poco_sub(fx, &t->consensus_total, &t->consensus_total, &g));
  POCO_TRY(set_group(t, t->consensus_value, &zero));
  t->status = DECC_TASK_ACTIVE;
  memset(t->consensus_value, 0, 32);
  t->reveal_deadline = zero;
  t->winner_counter = zero;
  return emit_task(env, fx, DECC_EV_TASK_REOPEN, task_id, NULL, NULL);
}

decc_status decc_poco_reopen(const decc_poco_env *env,
                             const uint8_t task_id32[32],
                             const decc_poco_deal *deal,
                             const decc_poco_task *task,
                             const decc_address *sender, decc_poco_effects *fx,
                             decc_err *err) {
  DECC_ARG_CHECK(env_ok(env));
  DECC_ARG_CHECK(task_id32 != NULL);
  DECC_ARG_CHECK(sender != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  decc_status st = reopen_body(env, task_id32, deal ? deal : &zero_deal,
                               task ? task : &zero_task, sender, fx);
  return decc__poco_finish(fx, st, err, "reopen");
}

/* ---- finalize ------------------------------------------------------------------------ */

/* (callback == 0 && resultsCallback empty) || keccak256(resultsCallback)
 * == digest. */
static int callback_ok(const decc_poco_deal *deal, const uint8_t *rcb,
                       size_t rcb_len, const uint8_t digest[32]) {
  if (decc_address_is_zero(&deal->callback) && rcb_len == 0)
    return 1;
  uint8_t h[32];
  decc_keccak256(h, rcb, rcb_len);
  return memcmp(h, digest, 32) == 0;
}

static decc_status
finalize_body(const decc_poco_env *env, const uint8_t task_id[32],
              const decc_poco_deal *deal, const decc_poco_task *task,
              const decc_address *sender, const uint8_t *results,
              size_t results_len, const uint8_t *rcb, size_t rcb_len,
              decc_poco_effects *fx) {
  decc_u256 now = now_u(env);
  if (!decc_address_eq(sender, &deal->workerpool.owner))
    return decc__poco_revert_empty(fx); /* onlyScheduler */
  if (task->status != DECC_TASK_REVEALING)
    return decc__poco_revert_empty(fx);
  if (!gt(&task->final_deadline, &now))
    return decc__poco_revert_empty(fx);
  int all_revealed =
      decc_u256_cmp(&task->reveal_counter, &task->winner_counter) == 0;
  int late_partial = !decc_u256_is_zero(&task->reveal_counter) &&
                     !gt(&task->reveal_deadline, &now);
  if (!all_revealed && !late_partial)
    return decc__poco_revert_empty(fx);
  if (!callback_ok(deal, rcb, rcb_len, task->result_digest))
    return decc__poco_revert_empty(fx);

  POCO_TRY(begin_task(fx, task_id, task));
  decc_poco_task *t = &fx->task;
  t->status = DECC_TASK_COMPLETED;
  POCO_TRY(set_bytes(&t->results, &t->results_len, results, results_len));
  POCO_TRY(
      set_bytes(&t->results_callback, &t->results_callback_len, rcb, rcb_len));
  POCO_TRY(decc__poco_success_work(env, fx, deal, task_id));
  POCO_TRY(decc__poco_distribute_rewards(env, fx, deal, task_id));
  POCO_TRY(emit_finalize(env, fx, task_id, results, results_len));
  return set_callback(env, fx, deal, task_id, rcb, rcb_len);
}

decc_status
decc_poco_finalize(const decc_poco_env *env, const uint8_t task_id32[32],
                   const decc_poco_deal *deal, const decc_poco_task *task,
                   const decc_address *sender, const uint8_t *results,
                   size_t results_len, const uint8_t *results_callback,
                   size_t results_callback_len, decc_poco_effects *fx,
                   decc_err *err) {
  DECC_ARG_CHECK(env_ok(env));
  DECC_ARG_CHECK(task_id32 != NULL);
  DECC_ARG_CHECK(sender != NULL);
  DECC_ARG_CHECK(results != NULL || results_len == 0);
  DECC_ARG_CHECK(results_callback != NULL || results_callback_len == 0);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  if (results_len > DECC_POCO_MAX_BYTES ||
      results_callback_len > DECC_POCO_MAX_BYTES)
    return decc_err_set(err, DECC_E_LIMIT, "finalize: results too large");
  decc_status st = finalize_body(
      env, task_id32, deal ? deal : &zero_deal, task ? task : &zero_task,
      sender, results, results_len, results_callback, results_callback_len, fx);
  return decc__poco_finish(fx, st, err, "finalize");
}

/* ---- contributeAndFinalize ------------------------------------------------------------ */

static decc_status
caf_body(const decc_poco_env *env, const uint8_t task_id[32],
         const decc_poco_deal *deal, const decc_poco_task *task,
         const decc_address *sender, const uint8_t digest[32],
         const uint8_t *results, size_t results_len, const uint8_t *rcb,
         size_t rcb_len, const decc_address *ec, const uint8_t *esig,
         size_t esig_len, const uint8_t *asig, size_t asig_len,
         decc_poco_effects *fx) {
  decc_u256 now = now_u(env), one = decc__poco_u(1);
  if (task->status != DECC_TASK_ACTIVE)
    return decc__poco_revert_empty(fx);
  if (!gt(&task->contribution_deadline, &now))
    return decc__poco_revert_empty(fx);
  if (task->n_contributions != 0)
    return decc__poco_revert_empty(fx);
  if (decc_u256_cmp(&deal->trust, &one) != 0)
    return decc__poco_revert_empty(fx);
  uint8_t rh[32], rs[32];
  decc_poco_result_hash(rh, task_id, digest);
  decc_poco_result_seal(rs, sender, task_id, digest);
  if (!callback_ok(deal, rcb, rcb_len, digest))
    return decc__poco_revert_empty(fx);
  if (decc_address_is_zero(ec) && (deal->tag[31] & 0x01))
    return decc__poco_revert_empty(fx);
  POCO_TRY(check_signatures(env, fx, deal, task_id, sender, ec, rh, rs, esig,
                            esig_len, asig, asig_len));

  POCO_TRY(begin_task(fx, task_id, task));
  decc_poco_task *t = &fx->task;
  decc_poco_contribution c;
  memset(&c, 0, sizeof c);
  c.worker = *sender;
  c.status = DECC_CONTRIB_PROVED;
  memcpy(c.result_hash, rh, 32);
  memcpy(c.result_seal, rs, 32);
  c.enclave_challenge = *ec;
  t->status = DECC_TASK_COMPLETED;
  memcpy(t->consensus_value, rh, 32);
  decc_u256 k = decc__poco_u(DECC_POCO_REVEAL_DEADLINE_RATIO), x;
  POCO_TRY(decc__poco_mul(fx, &x, &t->timeref, &k));
  POCO_TRY(decc__poco_add(fx, &t->reveal_deadline, &now, &x));
  t->reveal_counter = one;
  t->winner_counter = one;
  memcpy(t->result_digest, digest, 32);
  POCO_TRY(set_bytes(&t->results, &t->results_len, results, results_len));
  POCO_TRY(
      set_bytes(&t->results_callback, &t->results_callback_len, rcb, rcb_len));
  POCO_TRY(push_contribution(fx, &c));

  POCO_TRY(decc__poco_success_work(env, fx, deal, task_id));
  POCO_TRY(decc__poco_distribute_rewards_fast(env, fx, deal, task_id, sender));
  POCO_TRY(emit_task(env, fx, DECC_EV_TASK_CONTRIBUTE, task_id, sender, rh));
  POCO_TRY(emit_task(env, fx, DECC_EV_TASK_CONSENSUS, task_id, NULL, rh));
  POCO_TRY(emit_task(env, fx, DECC_EV_TASK_REVEAL, task_id, sender, digest));
  POCO_TRY(emit_finalize(env, fx, task_id, results, results_len));
  return set_callback(env, fx, deal, task_id, rcb, rcb_len);
}

decc_status decc_poco_contribute_and_finalize(
    const decc_poco_env *env, const uint8_t task_id32[32],
    const decc_poco_deal *deal, const decc_poco_task *task,
    const decc_address *sender, const uint8_t result_digest32[32],
    const uint8_t *results, size_t results_len, const uint8_t *results_callback,
    size_t results_callback_len, const decc_address *enclave_challenge,
    const uint8_t *enclave_sign, size_t enclave_sign_len,
    const uint8_t *authorization_sign, size_t authorization_sign_len,
    decc_poco_effects *fx, decc_err *err) {
  DECC_ARG_CHECK(env_ok(env));
  DECC_ARG_CHECK(task_id32 != NULL);
  DECC_ARG_CHECK(sender != NULL);
  DECC_ARG_CHECK(result_digest32 != NULL);
  DECC_ARG_CHECK(results != NULL || results_len == 0);
  DECC_ARG_CHECK(results_callback != NULL || results_callback_len == 0);
  DECC_ARG_CHECK(enclave_challenge != NULL);
  DECC_ARG_CHECK(enclave_sign != NULL || enclave_sign_len == 0);
  DECC_ARG_CHECK(authorization_sign != NULL || authorization_sign_len == 0);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  if (results_len > DECC_POCO_MAX_BYTES ||
      results_callback_len > DECC_POCO_MAX_BYTES ||
      !sign_len_ok(enclave_sign_len, authorization_sign_len))
    return decc_err_set(err, DECC_E_LIMIT,
                        "contributeAndFinalize: argument too large");
  decc_status st = caf_body(
      env, task_id32, deal ? deal : &zero_deal, task ? task : &zero_task,
      sender, result_digest32, results, results_len, results_callback,
      results_callback_len, enclave_challenge, enclave_sign, enclave_sign_len,
      authorization_sign, authorization_sign_len, fx);
  return decc__poco_finish(fx, st, err, "contributeAndFinalize");
}

/* ---- claim ------------------------------------------------------------------------------ */

static decc_status claim_body(const decc_poco_env *env,
                              const uint8_t task_id[32],
                              const decc_poco_deal *deal,
                              const decc_poco_task *task,
                              decc_poco_effects *fx) {
  decc_u256 now = now_u(env);
  if (task->status != DECC_TASK_ACTIVE && task->status != DECC_TASK_REVEALING)
    return decc__poco_revert_empty(fx);
  if (gt(&task->final_deadline, &now))
    return decc__poco_revert_empty(fx);
  POCO_TRY(begin_task(fx, task_id, task));
  fx->task.status = DECC_TASK_FAILED;
  POCO_TRY(decc__poco_failed_work(env, fx, deal, task_id));
  for (size_t i = 0; i < fx->task.n_contributions; i++) {
    decc_address w = fx->task.contributions[i].worker;
    POCO_TRY(decc__poco_unlock(env, fx, &w, &deal->worker_stake));
  }
  return emit_task(env, fx, DECC_EV_TASK_CLAIMED, task_id, NULL, NULL);
}

decc_status decc_poco_claim(const decc_poco_env *env,
                            const uint8_t task_id32[32],
                            const decc_poco_deal *deal,
                            const decc_poco_task *task, decc_poco_effects *fx,
                            decc_err *err) {
  DECC_ARG_CHECK(env_ok(env));
  DECC_ARG_CHECK(task_id32 != NULL);
  DECC_ARG_CHECK(fx != NULL);
  decc_poco_effects_clear(fx);
  decc_status st = claim_body(env, task_id32, deal ? deal : &zero_deal,
                              task ? task : &zero_task, fx);
  return decc__poco_finish(fx, st, err, "claim");
}
