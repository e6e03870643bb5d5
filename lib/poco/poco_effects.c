/*
 * poco_effects.c — the effects object a PoCo rule fills instead of writing
 * state: its life cycle and the builders that record consumed orders,
 * presignatures, worker scores and escrow moves (earlier writes of the
 * same call are seen by later reads).
 */
#include <stdint.h>
#include <string.h>

#include "decc/mem.h"
#include "poco/poco_int.h"

/* ---- effects ------------------------------------------------------------------ */

void decc_poco_effects_init(decc_poco_effects *fx) {
  if (!fx)
    return;
  memset(fx, 0, sizeof *fx);
  decc_poco_accounts_init(&fx->accounts);
}

void decc_poco_effects_clear(decc_poco_effects *fx) {
  if (!fx)
    return;
  decc_poco_deal_clear(&fx->deal);
  decc_poco_task_clear(&fx->task);
  decc_free(fx->consumed);
  decc_free(fx->presigned);
  decc_free(fx->scores);
  decc_free(fx->moves);
  decc_poco_accounts_clear(&fx->accounts);
  for (size_t i = 0; i < fx->n_logs; i++)
    decc_free(fx->logs[i].data);
  decc_free(fx->logs);
  decc_free(fx->callback_data);
  decc_poco_effects_init(fx);
}

/* The capacity is implicit: 4, then doubling, so it only changes when n
 * is 0 or a power of two ≥ 4 (no capacity field in the effects). */
decc_status decc__poco_grow(void **arr, size_t n, size_t sz) {
  size_t cap;
  if (n == 0)
    cap = 4;
  else if (n >= 4 && (n & (n - 1)) == 0)
    cap = n * 2;
  else
    return DECC_OK;
  if (cap > SIZE_MAX / sz)
    return DECC_E_NOMEM;
  void *p = decc_realloc(*arr, cap * sz);
  if (!p)
    return DECC_E_NOMEM;
  *arr = p;
  return DECC_OK;
}

decc_status decc__poco_push_consumed(decc_poco_effects *fx,
                                     const uint8_t hash[32],
                                     const decc_u256 *value) {
  for (size_t i = 0; i < fx->n_consumed; i++)
    if (memcmp(fx->consumed[i].hash, hash, 32) == 0) {
      fx->consumed[i].value = *value;
      return DECC_OK;
    }
  POCO_TRY(decc__poco_grow((void **)&fx->consumed, fx->n_consumed,
                           sizeof *fx->consumed));
  memcpy(fx->consumed[fx->n_consumed].hash, hash, 32);
  fx->consumed[fx->n_consumed].value = *value;
  fx->n_consumed++;
  return DECC_OK;
}

decc_status decc__poco_push_presign(decc_poco_effects *fx,
                                    const uint8_t hash[32],
                                    const decc_address *signer) {
  POCO_TRY(decc__poco_grow((void **)&fx->presigned, fx->n_presigned,
                           sizeof *fx->presigned));
  memcpy(fx->presigned[fx->n_presigned].hash, hash, 32);
  fx->presigned[fx->n_presigned].signer = *signer;
  fx->n_presigned++;
  return DECC_OK;
}

decc_status decc__poco_score_get(const decc_poco_env *env,
                                 decc_poco_effects *fx,
                                 const decc_address *worker, decc_u256 *out) {
  for (size_t i = 0; i < fx->n_scores; i++)
    if (decc_address_eq(&fx->scores[i].worker, worker)) {
      *out = fx->scores[i].score;
      return DECC_OK;
    }
  if (!env->world->worker_score)
    return DECC_E_INVALID;
  return env->world->worker_score(env->world->ctx, worker, out);
}

decc_status decc__poco_score_set(decc_poco_effects *fx,
                                 const decc_address *worker,
                                 const decc_u256 *score) {
  for (size_t i = 0; i < fx->n_scores; i++)
    if (decc_address_eq(&fx->scores[i].worker, worker)) {
      fx->scores[i].score = *score;
      return DECC_OK;
    }
  POCO_TRY(
      decc__poco_grow((void **)&fx->scores, fx->n_scores, sizeof *fx->scores));
  fx->scores[fx->n_scores].worker = *worker;
  fx->scores[fx->n_scores].score = *score;
  fx->n_scores++;
  return DECC_OK;
}

decc_status decc__poco_push_move(decc_poco_effects *fx,
                                 decc_poco_move_kind kind,
                                 const decc_address *account,
                                 const decc_u256 *amount,
                                 const uint8_t *ref32) {
  POCO_TRY(
      decc__poco_grow((void **)&fx->moves, fx->n_moves, sizeof *fx->moves));
  decc_poco_move *m = &fx->moves[fx->n_moves++];
  memset(m, 0, sizeof *m);
  m->kind = kind;
  m->account = *account;
  m->amount = *amount;
  if (ref32)
    memcpy(m->ref, ref32, 32);
  return DECC_OK;
}
