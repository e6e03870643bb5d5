/*
 * poco_int.h — helpers shared by the PoCo rule files (match.c, task.c,
 * escrow.c): reverts (poco_revert.c), checked arithmetic that turns an
 * overflow into Solidity's panic (poco_arith.c), effect builders
 * (poco_effects.c), log emission (poco_events.c), the account table
 * (poco_accounts.c) and the escrow primitives over the per-call account
 * overlay (escrow.c). The helper files never call the rule files.
 *
 * Every helper returning decc_status follows the rule-function convention:
 * DECC_OK, DECC_E_REVERT (fx->revert filled), or a hard error.
 */
#ifndef DECC_POCO_INT_H
#define DECC_POCO_INT_H

#include "decc/poco.h"

/* Propagates any non-OK status (revert or hard error). */
#define POCO_TRY(expr)                                                         \
  do {                                                                         \
    decc_status st_ = (expr);                                                  \
    if (st_ != DECC_OK)                                                        \
      return st_;                                                              \
  } while (0)

/* 1 when env has a world with every non-optional callback. */
int decc__poco_world_ok(const decc_poco_env *env);

/* ---- reverts ------------------------------------------------------------ */
decc_status decc__poco_revert_empty(decc_poco_effects *fx);
decc_status decc__poco_revert_msg(decc_poco_effects *fx, const char *msg);
decc_status decc__poco_revert_panic(decc_poco_effects *fx, uint8_t code);
/* Ends a public rule function: on DECC_E_REVERT keeps only fx->revert and
 * fills err; on another error empties fx and names it in err. Returns st. */
decc_status decc__poco_finish(decc_poco_effects *fx, decc_status st,
                              decc_err *err, const char *what);

/* ---- checked arithmetic (overflow / underflow → panic 0x11) ------------- */
decc_status decc__poco_add(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b);
decc_status decc__poco_sub(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b);
decc_status decc__poco_mul(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b);
/* Division by zero → panic 0x12. */
decc_status decc__poco_div(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b);
/* OZ Math.mulDiv: d == 0 → panic 0x12; result overflow → OZ's
 * MathOverflowedMulDiv() custom error (reported as a panic 0x11 here;
 * unreachable in PoCo's uses). */
decc_status decc__poco_muldiv(decc_poco_effects *fx, decc_u256 *out,
                              const decc_u256 *a, const decc_u256 *b,
                              const decc_u256 *d);
decc_u256 decc__poco_u(uint64_t v);

/* ---- words and hashing -------------------------------------------------- */
void decc__poco_word_addr(uint8_t out32[32], const decc_address *a);
void decc__poco_word_u256(uint8_t out32[32], const decc_u256 *v);
int decc__poco_is_zero32(const uint8_t b[32]);

/* ---- order hashes with their keys (order.c) ------------------------------ */
/* decc_order_hash of o under domain32 into out32, and *k = what it was
 * computed from (k->set = 1 for a valid type). */
void decc__order_hash_keyed(uint8_t out32[32], decc_poco_order_key *k,
                            const decc_order *o, const uint8_t domain32[32]);
/* 1 when k is set and o under domain32 has the same type and member words
 * (so the same hash as the one computed with k), else 0. */
int decc__order_key_matches(const decc_poco_order_key *k, const decc_order *o,
                            const uint8_t domain32[32]);

/* ---- effects builders --------------------------------------------------- */
/* Grows *arr (elements of size sz) so that it holds n + 1 items. Returns
 * DECC_OK or DECC_E_NOMEM (*arr unchanged). */
decc_status decc__poco_grow(void **arr, size_t n, size_t sz);
decc_status decc__poco_push_consumed(decc_poco_effects *fx,
                                     const uint8_t hash[32],
                                     const decc_u256 *value);
decc_status decc__poco_push_presign(decc_poco_effects *fx,
                                    const uint8_t hash[32],
                                    const decc_address *signer);
/* Current score of worker as seen by this call (earlier writes first). */
decc_status decc__poco_score_get(const decc_poco_env *env,
                                 decc_poco_effects *fx,
                                 const decc_address *worker, decc_u256 *out);
decc_status decc__poco_score_set(decc_poco_effects *fx,
                                 const decc_address *worker,
                                 const decc_u256 *score);
decc_status decc__poco_push_move(decc_poco_effects *fx,
                                 decc_poco_move_kind kind,
                                 const decc_address *account,
                                 const decc_u256 *amount, const uint8_t *ref32);

/* Appends a log: topic0 of ev, then n_indexed more topics, then data. */
decc_status decc__poco_emit(const decc_poco_env *env, decc_poco_effects *fx,
                            decc_poco_event ev, const uint8_t (*indexed)[32],
                            size_t n_indexed, const uint8_t *data,
                            size_t data_len);
/* Same with data = the concatenation of n static 32-byte words. */
decc_status decc__poco_emit_words(const decc_poco_env *env,
                                  decc_poco_effects *fx, decc_poco_event ev,
                                  const uint8_t (*indexed)[32],
                                  size_t n_indexed, const uint8_t (*words)[32],
                                  size_t n_words);

/* ---- account table (poco_accounts.c) ------------------------------------ */
/* The entry of a in t, created at zero when absent; NULL on allocation
 * failure. The pointer is valid until the next call that may add one. */
decc_poco_account *decc__poco_account_entry(decc_poco_accounts *t,
                                            const decc_address *a);

/* ---- escrow over the call's account overlay (escrow.c) ------------------- */
/* Applies one move to a complete table (no lazy loading). */
decc_status decc__poco_move_apply(decc_poco_accounts *t,
                                  const decc_address *hub,
                                  const decc_poco_move *m,
                                  decc_poco_revert *rev);
/* Each primitive loads the touched accounts from the world into
 * fx->accounts on first use, applies the move, records it and emits PoCo's
 * logs for it (Transfer + Lock / Unlock / Reward, or Seize). */
decc_status decc__poco_lock(const decc_poco_env *env, decc_poco_effects *fx,
                            const decc_address *account, const decc_u256 *v);
decc_status decc__poco_unlock(const decc_poco_env *env, decc_poco_effects *fx,
                              const decc_address *account, const decc_u256 *v);
decc_status decc__poco_reward(const decc_poco_env *env, decc_poco_effects *fx,
                              const decc_address *account, const decc_u256 *v,
                              const uint8_t ref32[32]);
decc_status decc__poco_seize(const decc_poco_env *env, decc_poco_effects *fx,
                             const decc_address *account, const decc_u256 *v,
                             const uint8_t ref32[32]);
/* frozen[account] as seen by this call. */
decc_status decc__poco_frozen(const decc_poco_env *env, decc_poco_effects *fx,
                              const decc_address *account, decc_u256 *out);

/* successWork / failedWork / distributeRewards / distributeRewardsFast. */
decc_status decc__poco_success_work(const decc_poco_env *env,
                                    decc_poco_effects *fx,
                                    const decc_poco_deal *deal,
                                    const uint8_t task_id[32]);
decc_status decc__poco_failed_work(const decc_poco_env *env,
                                   decc_poco_effects *fx,
                                   const decc_poco_deal *deal,
                                   const uint8_t task_id[32]);
/* Uses (and updates scores from) fx->task, the task being finalized. */
decc_status decc__poco_distribute_rewards(const decc_poco_env *env,
                                          decc_poco_effects *fx,
                                          const decc_poco_deal *deal,
                                          const uint8_t task_id[32]);
decc_status decc__poco_distribute_rewards_fast(const decc_poco_env *env,
                                               decc_poco_effects *fx,
                                               const decc_poco_deal *deal,
                                               const uint8_t task_id[32],
                                               const decc_address *worker);

#endif /* DECC_POCO_INT_H */
