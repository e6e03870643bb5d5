/*
 * escrow.c — PoCo's escrow (IexecEscrow.v8.sol) and the payment rules that
 * use it (successWork, failedWork, distributeRewards,
 * distributeRewardsFast in IexecPoco2Facet.sol).
 *
 * Accounts follow PoCo's bookkeeping exactly: a lock moves value from the
 * account's balance to the hub's own balance and records it in the
 * account's frozen amount; a seize only lowers the frozen amount (the value
 * stays in the hub until a reward pays it out). So the sum of all balances,
 * hub included, never changes, and the hub's balance equals the sum of all
 * frozen amounts between transactions.
 *
 * The same single-move function serves two callers: the in-memory applier
 * (decc_poco_escrow_apply, a complete table) and the rule functions, which
 * work on a per-call overlay (fx->accounts) filled lazily from the world so
 * a lock fails exactly where PoCo's would.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "poco/poco_int.h"

/* ---- one move ------------------------------------------------------------------- */

static decc_status rev_msg(decc_poco_revert *rev, const char *msg) {
  if (rev) {
    memset(rev, 0, sizeof *rev);
    rev->kind = DECC_POCO_REVERT_ERROR;
    strncpy(rev->reason, msg, sizeof rev->reason - 1);
  }
  return DECC_E_REVERT;
}

static decc_status rev_overflow(decc_poco_revert *rev) {
  if (rev) {
    memset(rev, 0, sizeof *rev);
    rev->kind = DECC_POCO_REVERT_PANIC;
    rev->panic = DECC_POCO_PANIC_OVERFLOW;
  }
  return DECC_E_REVERT;
}

/* IexecEscrow._transfer: checks in PoCo's order, then debit, then credit
 * (so from == to is a no-op, as in Solidity). */
static decc_status transfer(decc_poco_accounts *t, const decc_address *from,
                            const decc_address *to, const decc_u256 *v,
                            decc_poco_revert *rev) {
  if (decc_address_is_zero(from))
    return rev_msg(rev, "IexecEscrow: Transfer from empty address");
  if (decc_address_is_zero(to))
    return rev_msg(rev, "IexecEscrow: Transfer to empty address");
  decc_poco_account *f = decc__poco_account_entry(t, from);
  if (!f)
    return DECC_E_NOMEM;
  if (decc_u256_cmp(v, &f->balance) > 0)
    return rev_msg(rev, "IexecEscrow: Transfer amount exceeds balance");
  decc_u256 nb;
  if (decc_u256_sub(&nb, &f->balance, v)) /* checked just above */
    return rev_overflow(rev);
  f->balance = nb;
  decc_poco_account *d =
      decc__poco_account_entry(t, to); /* may move f: not used below */
  if (!d)
    return DECC_E_NOMEM;
  /* Unchecked in PoCo; unreachable while the supply is conserved. */
  if (decc_u256_add(&d->balance, &d->balance, v))
    return rev_overflow(rev);
  return DECC_OK;
}

static decc_status frozen_add(decc_poco_accounts *t, const decc_address *a,
                              const decc_u256 *v, int sub,
                              decc_poco_revert *rev) {
  decc_poco_account *e = decc__poco_account_entry(t, a);
  if (!e)
    return DECC_E_NOMEM;
  decc_u256 r;
  if (sub ? decc_u256_sub(&r, &e->frozen, v) : decc_u256_add(&r, &e->frozen, v))
    return rev_overflow(rev);
  e->frozen = r;
  return DECC_OK;
}

decc_status decc__poco_move_apply(decc_poco_accounts *t,
                                  const decc_address *hub,
                                  const decc_poco_move *m,
                                  decc_poco_revert *rev) {
  decc_status st;
  switch (m->kind) {
  case DECC_POCO_LOCK:
    st = transfer(t, &m->account, hub, &m->amount, rev);
    return st ? st : frozen_add(t, &m->account, &m->amount, 0, rev);
  case DECC_POCO_UNLOCK:
    st = transfer(t, hub, &m->account, &m->amount, rev);
    return st ? st : frozen_add(t, &m->account, &m->amount, 1, rev);
  case DECC_POCO_SEIZE:
    return frozen_add(t, &m->account, &m->amount, 1, rev);
  case DECC_POCO_REWARD:
    return transfer(t, hub, &m->account, &m->amount, rev);
  case DECC_POCO_FREEZE:
    return frozen_add(t, &m->account, &m->amount, 0, rev);
  }
  return DECC_E_INVALID;
}

decc_status decc_poco_escrow_apply(decc_poco_accounts *t,
                                   const decc_address *hub,
                                   const decc_poco_move *moves, size_t n,
                                   decc_poco_revert *rev, decc_err *err) {
  DECC_ARG_CHECK(t != NULL);
  DECC_ARG_CHECK(hub != NULL);
  DECC_ARG_CHECK(moves != NULL || n == 0);
  if (rev)
    memset(rev, 0, sizeof *rev);
  /* Work on a copy so a revert half-way leaves t untouched. */
  decc_poco_accounts c;
  decc_poco_accounts_init(&c);
  if (t->n) {
    c.v = decc_malloc(t->n * sizeof *c.v);
    if (!c.v)
      return decc_err_set(err, DECC_E_NOMEM, "escrow apply: out of memory");
    memcpy(c.v, t->v, t->n * sizeof *c.v);
    c.n = c.cap = t->n;
  }
  decc_poco_revert r;
  memset(&r, 0, sizeof r);
  for (size_t i = 0; i < n; i++) {
    decc_status st = decc__poco_move_apply(&c, hub, &moves[i], &r);
    if (st) {
      decc_poco_accounts_clear(&c);
      if (rev)
        *rev = r;
      if (st == DECC_E_REVERT)
        return decc_err_set(err, st, "escrow move %zu reverted: %s", i,
                            decc_poco_revert_text(&r));
      return decc_err_set(err, st, "escrow move %zu: %s", i, decc_strerror(st));
    }
  }
  decc_poco_accounts_clear(t);
  *t = c;
  return DECC_OK;
}

/* ---- overlay primitives ---------------------------------------------------------- */

static decc_status load(const decc_poco_env *env, decc_poco_effects *fx,
                        const decc_address *a) {
  if (decc_poco_accounts_find(&fx->accounts, a))
    return DECC_OK;
  decc_u256 b = decc_u256_from_u64(0), f = b;
  if (!env->world->account)
    return DECC_E_INVALID;
  POCO_TRY(env->world->account(env->world->ctx, a, &b, &f));
  return decc_poco_accounts_set(&fx->accounts, a, &b, &f);
}

decc_status decc__poco_frozen(const decc_poco_env *env, decc_poco_effects *fx,
                              const decc_address *account, decc_u256 *out) {
  POCO_TRY(load(env, fx, account));
  *out = decc_poco_accounts_find(&fx->accounts, account)->frozen;
  return DECC_OK;
}

static decc_status do_move(const decc_poco_env *env, decc_poco_effects *fx,
                           decc_poco_move_kind kind, const decc_address *a,
                           const decc_u256 *v, const uint8_t *ref32) {
  POCO_TRY(load(env, fx, a));
  POCO_TRY(load(env, fx, &env->hub));
  decc_poco_move m;
  memset(&m, 0, sizeof m);
  m.kind = kind;
  m.account = *a;
  m.amount = *v;
  decc_status st =
      decc__poco_move_apply(&fx->accounts, &env->hub, &m, &fx->revert);
  if (st)
    return st;
  return decc__poco_push_move(fx, kind, a, v, ref32);
}

/* Transfer(from indexed, to indexed, value). */
static decc_status emit_transfer(const decc_poco_env *env,
                                 decc_poco_effects *fx,
                                 const decc_address *from,
                                 const decc_address *to, const decc_u256 *v) {
  uint8_t idx[2][32], w[1][32];
  decc__poco_word_addr(idx[0], from);
  decc__poco_word_addr(idx[1], to);
  decc__poco_word_u256(w[0], v);
  return decc__poco_emit_words(env, fx, DECC_EV_TRANSFER,
                               (const uint8_t(*)[32])idx, 2,
                               (const uint8_t(*)[32])w, 1);
}

/* Lock/Unlock(owner, amount) or Reward/Seize(owner, amount, ref). */
static decc_status emit_escrow(const decc_poco_env *env, decc_poco_effects *fx,
                               decc_poco_event ev, const decc_address *a,
                               const decc_u256 *v, const uint8_t *ref32) {
  uint8_t w[3][32];
  decc__poco_word_addr(w[0], a);
  decc__poco_word_u256(w[1], v);
  if (ref32)
    memcpy(w[2], ref32, 32);
  return decc__poco_emit_words(env, fx, ev, NULL, 0, (const uint8_t(*)[32])w,
                               ref32 ? 3 : 2);
}

decc_status decc__poco_lock(const decc_poco_env *env, decc_poco_effects *fx,
                            const decc_address *account, const decc_u256 *v) {
  POCO_TRY(do_move(env, fx, DECC_POCO_LOCK, account, v, NULL));
  POCO_TRY(emit_transfer(env, fx, account, &env->hub, v));
  return emit_escrow(env, fx, DECC_EV_LOCK, account, v, NULL);
}

decc_status decc__poco_unlock(const decc_poco_env *env, decc_poco_effects *fx,
                              const decc_address *account, const decc_u256 *v) {
  POCO_TRY(do_move(env, fx, DECC_POCO_UNLOCK, account, v, NULL));
  POCO_TRY(emit_transfer(env, fx, &env->hub, account, v));
  return emit_escrow(env, fx, DECC_EV_UNLOCK, account, v, NULL);
}

decc_status decc__poco_reward(const decc_poco_env *env, decc_poco_effects *fx,
                              const decc_address *account, const decc_u256 *v,
                              const uint8_t ref32[32]) {
  POCO_TRY(do_move(env, fx, DECC_POCO_REWARD, account, v, ref32));
  POCO_TRY(emit_transfer(env, fx, &env->hub, account, v));
  return emit_escrow(env, fx, DECC_EV_REWARD, account, v, ref32);
}

decc_status decc__poco_seize(const decc_poco_env *env, decc_poco_effects *fx,
                             const decc_address *account, const decc_u256 *v,
                             const uint8_t ref32[32]) {
  POCO_TRY(do_move(env, fx, DECC_POCO_SEIZE, account, v, ref32));
  return emit_escrow(env, fx, DECC_EV_SEIZE, account, v, ref32);
}

/* ---- payment rules ------------------------------------------------------------------ */

static decc_status task_price(decc_poco_effects *fx, const decc_poco_deal *d,
                              decc_u256 *price, decc_u256 *poolstake) {
  decc_u256 ratio = decc__poco_u(DECC_POCO_WORKERPOOL_STAKE_RATIO);
  decc_u256 hundred = decc__poco_u(100);
  POCO_TRY(decc__poco_add(fx, price, &d->app.price, &d->dataset.price));
  POCO_TRY(decc__poco_add(fx, price, price, &d->workerpool.price));
  POCO_TRY(decc__poco_mul(fx, poolstake, &d->workerpool.price, &ratio));
  return decc__poco_div(fx, poolstake, poolstake, &hundred);
}

decc_status decc__poco_success_work(const decc_poco_env *env,
                                    decc_poco_effects *fx,
                                    const decc_poco_deal *deal,
                                    const uint8_t task_id[32]) {
  decc_u256 price, poolstake;
  POCO_TRY(task_price(fx, deal, &price, &poolstake));
  POCO_TRY(decc__poco_seize(env, fx, &deal->sponsor, &price, task_id));
  if (!decc_u256_is_zero(&deal->app.price))
    POCO_TRY(decc__poco_reward(env, fx, &deal->app.owner, &deal->app.price,
                               task_id));
  if (!decc_u256_is_zero(&deal->dataset.price) &&
      !decc_address_is_zero(&deal->dataset.pointer))
    POCO_TRY(decc__poco_reward(env, fx, &deal->dataset.owner,
                               &deal->dataset.price, task_id));
  POCO_TRY(decc__poco_unlock(env, fx, &deal->workerpool.owner, &poolstake));

  /* Part of the kitty: min(max(kitty × 10 / 100, KITTY_MIN), kitty). */
  decc_address kitty_addr;
  decc_poco_kitty_address(&kitty_addr);
  decc_u256 kitty;
  POCO_TRY(decc__poco_frozen(env, fx, &kitty_addr, &kitty));
  if (!decc_u256_is_zero(&kitty)) {
    decc_u256 ratio = decc__poco_u(DECC_POCO_KITTY_RATIO);
    decc_u256 hundred = decc__poco_u(100);
    decc_u256 min = decc__poco_u(DECC_POCO_KITTY_MIN);
    decc_u256 part;
    POCO_TRY(decc__poco_mul(fx, &part, &kitty, &ratio));
    POCO_TRY(decc__poco_div(fx, &part, &part, &hundred));
    if (decc_u256_cmp(&part, &min) < 0)
      part = min;
    if (decc_u256_cmp(&part, &kitty) > 0)
      part = kitty;
    POCO_TRY(decc__poco_seize(env, fx, &kitty_addr, &part, task_id));
    POCO_TRY(
        decc__poco_reward(env, fx, &deal->workerpool.owner, &part, task_id));
  }
  return DECC_OK;
}

decc_status decc__poco_failed_work(const decc_poco_env *env,
                                   decc_poco_effects *fx,
                                   const decc_poco_deal *deal,
                                   const uint8_t task_id[32]) {
  decc_u256 price, poolstake;
  POCO_TRY(task_price(fx, deal, &price, &poolstake));
  POCO_TRY(decc__poco_unlock(env, fx, &deal->sponsor, &price));
  POCO_TRY(
      decc__poco_seize(env, fx, &deal->workerpool.owner, &poolstake, task_id));
  /* PoCo's shortcut for reward(kitty) + lock(kitty): frozen += stake, and
   * the two events without the transfers. */
  decc_address kitty_addr;
  decc_poco_kitty_address(&kitty_addr);
  POCO_TRY(do_move(env, fx, DECC_POCO_FREEZE, &kitty_addr, &poolstake, NULL));
  POCO_TRY(
      emit_escrow(env, fx, DECC_EV_REWARD, &kitty_addr, &poolstake, task_id));
  return emit_escrow(env, fx, DECC_EV_LOCK, &kitty_addr, &poolstake, NULL);
}

static decc_status emit_worker_event(const decc_poco_env *env,
                                     decc_poco_effects *fx, decc_poco_event ev,
                                     const decc_address *worker,
                                     const uint8_t task_id[32]) {
  uint8_t idx[2][32];
  decc__poco_word_addr(idx[0], worker);
  memcpy(idx[1], task_id, 32);
  return decc__poco_emit(env, fx, ev, (const uint8_t(*)[32])idx, 2, NULL, 0);
}

decc_status decc__poco_distribute_rewards(const decc_poco_env *env,
                                          decc_poco_effects *fx,
                                          const decc_poco_deal *deal,
                                          const uint8_t task_id[32]) {
  const decc_poco_task *t = &fx->task;
  decc_u256 total_weight = decc__poco_u(0);
  decc_u256 total_reward = deal->workerpool.price;
  for (size_t i = 0; i < t->n_contributions; i++) {
    const decc_poco_contribution *c = &t->contributions[i];
    if (c->status == DECC_CONTRIB_PROVED)
      POCO_TRY(decc__poco_add(fx, &total_weight, &total_weight, &c->weight));
    else
      POCO_TRY(decc__poco_add(fx, &total_reward, &total_reward,
                              &deal->worker_stake));
  }
  decc_u256 hundred = decc__poco_u(100), share, workers_reward;
  POCO_TRY(decc__poco_sub(fx, &share, &hundred, &deal->scheduler_reward_ratio));
  POCO_TRY(decc__poco_mul(fx, &workers_reward, &total_reward, &share));
  POCO_TRY(decc__poco_div(fx, &workers_reward, &workers_reward, &hundred));

  for (size_t i = 0; i < t->n_contributions; i++) {
    /* Copy: the moves below may grow arrays, never fx->task, but a copy
     * keeps the loop independent of that. */
    decc_poco_contribution c = t->contributions[i];
    decc_u256 score;
    if (c.status == DECC_CONTRIB_PROVED) {
      decc_u256 reward;
      POCO_TRY(decc__poco_muldiv(fx, &reward, &workers_reward, &c.weight,
                                 &total_weight));
      POCO_TRY(decc__poco_sub(fx, &total_reward, &total_reward, &reward));
      POCO_TRY(decc__poco_unlock(env, fx, &c.worker, &deal->worker_stake));
      POCO_TRY(decc__poco_reward(env, fx, &c.worker, &reward, task_id));
      if (t->n_contributions > 1) {
        decc_u256 one = decc__poco_u(1);
        POCO_TRY(decc__poco_score_get(env, fx, &c.worker, &score));
        POCO_TRY(decc__poco_add(fx, &score, &score, &one));
        POCO_TRY(decc__poco_score_set(fx, &c.worker, &score));
        POCO_TRY(emit_worker_event(env, fx, DECC_EV_ACCURATE_CONTRIBUTION,
                                   &c.worker, task_id));
      }
    } else {
      decc_u256 two = decc__poco_u(2), three = decc__poco_u(3);
      POCO_TRY(
          decc__poco_seize(env, fx, &c.worker, &deal->worker_stake, task_id));
      POCO_TRY(decc__poco_score_get(env, fx, &c.worker, &score));
      POCO_TRY(decc__poco_muldiv(fx, &score, &score, &two, &three));
      POCO_TRY(decc__poco_score_set(fx, &c.worker, &score));
      POCO_TRY(emit_worker_event(env, fx, DECC_EV_FAULTY_CONTRIBUTION,
                                 &c.worker, task_id));
    }
  }
  return decc__poco_reward(env, fx, &deal->workerpool.owner, &total_reward,
                           task_id);
}

decc_status decc__poco_distribute_rewards_fast(const decc_poco_env *env,
                                               decc_poco_effects *fx,
                                               const decc_poco_deal *deal,
                                               const uint8_t task_id[32],
                                               const decc_address *worker) {
  decc_u256 hundred = decc__poco_u(100), share, worker_reward, sched_reward;
  POCO_TRY(decc__poco_sub(fx, &share, &hundred, &deal->scheduler_reward_ratio));
  POCO_TRY(decc__poco_mul(fx, &worker_reward, &deal->workerpool.price, &share));
  POCO_TRY(decc__poco_div(fx, &worker_reward, &worker_reward, &hundred));
  POCO_TRY(decc__poco_sub(fx, &sched_reward, &deal->workerpool.price,
                          &worker_reward));
  POCO_TRY(decc__poco_reward(env, fx, worker, &worker_reward, task_id));
  return decc__poco_reward(env, fx, &deal->workerpool.owner, &sched_reward,
                           task_id);
}
