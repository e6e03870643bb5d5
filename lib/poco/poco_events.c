/*
 * poco_events.c — the plumbing every PoCo rule shares: revert records and
 * their EVM revert data, checked arithmetic that turns an overflow into
 * Solidity's panic, the effects object and its builders, and the event
 * table (canonical signatures → topic0) with log emission.
 *
 * Topics are computed from the canonical signatures (not stored as
 * constants) so the table cannot drift from the text; the unit tests pin
 * the results against the values iExec publishes.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "decc/abi.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "poco/poco_int.h"

/* ---- reverts -------------------------------------------------------------- */

static decc_status set_revert(decc_poco_effects *fx, decc_poco_revert_kind k,
                              const char *msg, uint8_t panic) {
  memset(&fx->revert, 0, sizeof fx->revert);
  fx->revert.kind = k;
  fx->revert.panic = panic;
  if (msg)
    snprintf(fx->revert.reason, sizeof fx->revert.reason, "%s", msg);
  return DECC_E_REVERT;
}

decc_status decc__poco_revert_empty(decc_poco_effects *fx) {
  return set_revert(fx, DECC_POCO_REVERT_EMPTY, NULL, 0);
}

decc_status decc__poco_revert_msg(decc_poco_effects *fx, const char *msg) {
  return set_revert(fx, DECC_POCO_REVERT_ERROR, msg, 0);
}

decc_status decc__poco_revert_panic(decc_poco_effects *fx, uint8_t code) {
  return set_revert(fx, DECC_POCO_REVERT_PANIC, NULL, code);
}

const char *decc_poco_revert_text(const decc_poco_revert *r) {
  static const char *const panics[] = {"panic 0x11", "panic 0x12",
                                       "panic 0x32", "panic"};
  if (!r)
    return "no revert";
  switch (r->kind) {
  case DECC_POCO_REVERT_NONE:
    return "no revert";
  case DECC_POCO_REVERT_EMPTY:
    return "revert";
  case DECC_POCO_REVERT_ERROR:
  case DECC_POCO_REVERT_CUSTOM:
    return r->reason;
  case DECC_POCO_REVERT_PANIC:
    return r->panic == 0x11   ? panics[0]
           : r->panic == 0x12 ? panics[1]
           : r->panic == 0x32 ? panics[2]
                              : panics[3];
  }
  return "revert";
}

decc_status decc_poco_revert_data(decc_buf *out, const decc_poco_revert *r) {
  static const uint8_t error_sel[4] = {0x08, 0xc3, 0x79, 0xa0};
  static const uint8_t panic_sel[4] = {0x4e, 0x48, 0x7b, 0x71};
  if (!out || !r)
    return DECC_E_INVALID;
  switch (r->kind) {
  case DECC_POCO_REVERT_EMPTY:
    return DECC_OK;
  case DECC_POCO_REVERT_PANIC: {
    uint8_t w[32] = {0};
    w[31] = r->panic;
    decc_status st = decc_buf_append(out, panic_sel, 4);
    return st ? st : decc_buf_append(out, w, 32);
  }
  case DECC_POCO_REVERT_ERROR:
  case DECC_POCO_REVERT_CUSTOM: {
    uint8_t sel[4];
    if (r->kind == DECC_POCO_REVERT_CUSTOM) {
      if (!r->custom_sig)
        return DECC_E_INVALID;
      decc_abi_selector(sel, r->custom_sig);
    } else {
      memcpy(sel, error_sel, 4);
    }
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    (void)decc_abi_enc_push_string(&e, r->reason);
    decc_status st = decc_abi_enc_finish_call(&e, sel, out);
    decc_abi_enc_clear(&e);
    return st;
  }
  case DECC_POCO_REVERT_NONE:
    break;
  }
  return DECC_E_INVALID;
}

decc_status decc__poco_finish(decc_poco_effects *fx, decc_status st,
                              decc_err *err, const char *what) {
  if (st == DECC_OK)
    return st;
  if (st == DECC_E_REVERT) {
    decc_poco_revert r = fx->revert;
    decc_poco_effects_clear(fx);
    fx->revert = r;
    return decc_err_set(err, st, "%s reverted: %s", what,
                        decc_poco_revert_text(&fx->revert));
  }
  decc_poco_effects_clear(fx);
  if (err && err->code == st && err->msg[0])
    return st;
  return decc_err_set(err, st, "%s: %s", what, decc_strerror(st));
}

/* ---- arithmetic ------------------------------------------------------------- */

decc_u256 decc__poco_u(uint64_t v) { return decc_u256_from_u64(v); }

decc_status decc__poco_add(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b) {
  if (decc_u256_add(out, a, b) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OVERFLOW);
  return DECC_OK;
}

decc_status decc__poco_sub(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b) {
  if (decc_u256_sub(out, a, b) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OVERFLOW);
  return DECC_OK;
}

decc_status decc__poco_mul(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b) {
  if (decc_u256_mul(out, a, b) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OVERFLOW);
  return DECC_OK;
}

decc_status decc__poco_div(decc_poco_effects *fx, decc_u256 *out,
                           const decc_u256 *a, const decc_u256 *b) {
  if (decc_u256_is_zero(b))
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_DIV_ZERO);
  if (decc_u256_div(out, NULL, a, b) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_DIV_ZERO);
  return DECC_OK;
}

decc_status decc__poco_muldiv(decc_poco_effects *fx, decc_u256 *out,
                              const decc_u256 *a, const decc_u256 *b,
                              const decc_u256 *d) {
  if (decc_u256_is_zero(d))
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_DIV_ZERO);
  if (decc_u256_muldiv(out, a, b, d) != DECC_OK)
    return decc__poco_revert_panic(fx, DECC_POCO_PANIC_OVERFLOW);
  return DECC_OK;
}

/* ---- words ------------------------------------------------------------------ */

void decc__poco_word_addr(uint8_t out32[32], const decc_address *a) {
  memset(out32, 0, 12);
  memcpy(out32 + 12, a->b, 20);
}

void decc__poco_word_u256(uint8_t out32[32], const decc_u256 *v) {
  decc_u256_to_be(out32, v);
}

int decc__poco_is_zero32(const uint8_t b[32]) {
  uint8_t acc = 0;
  for (int i = 0; i < 32; i++)
    acc |= b[i];
  return acc == 0;
}

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

/* Grows *arr (elements of size sz) so that it holds n + 1 items. The
 * capacity is implicit: 4, then doubling, so it only changes when n is 0
 * or a power of two ≥ 4. */
static decc_status grow(void **arr, size_t n, size_t sz) {
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
  POCO_TRY(grow((void **)&fx->consumed, fx->n_consumed, sizeof *fx->consumed));
  memcpy(fx->consumed[fx->n_consumed].hash, hash, 32);
  fx->consumed[fx->n_consumed].value = *value;
  fx->n_consumed++;
  return DECC_OK;
}

decc_status decc__poco_push_presign(decc_poco_effects *fx,
                                    const uint8_t hash[32],
                                    const decc_address *signer) {
  POCO_TRY(grow((void **)&fx->presigned, fx->n_presigned,
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
  POCO_TRY(grow((void **)&fx->scores, fx->n_scores, sizeof *fx->scores));
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
  POCO_TRY(grow((void **)&fx->moves, fx->n_moves, sizeof *fx->moves));
  decc_poco_move *m = &fx->moves[fx->n_moves++];
  memset(m, 0, sizeof *m);
  m->kind = kind;
  m->account = *account;
  m->amount = *amount;
  if (ref32)
    memcpy(m->ref, ref32, 32);
  return DECC_OK;
}

/* ---- events ----------------------------------------------------------------------- */

static const char *const event_sigs[DECC_EV_COUNT] = {
    [DECC_EV_TRANSFER] = "Transfer(address,address,uint256)",
    [DECC_EV_LOCK] = "Lock(address,uint256)",
    [DECC_EV_UNLOCK] = "Unlock(address,uint256)",
    [DECC_EV_REWARD] = "Reward(address,uint256,bytes32)",
    [DECC_EV_SEIZE] = "Seize(address,uint256,bytes32)",
    [DECC_EV_SCHEDULER_NOTICE] = "SchedulerNotice(address,bytes32)",
    [DECC_EV_ORDERS_MATCHED] =
        "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)",
    [DECC_EV_DEAL_SPONSORED] = "DealSponsored(bytes32,address)",
    [DECC_EV_TASK_INITIALIZE] = "TaskInitialize(bytes32,address)",
    [DECC_EV_TASK_CONTRIBUTE] = "TaskContribute(bytes32,address,bytes32)",
    [DECC_EV_TASK_CONSENSUS] = "TaskConsensus(bytes32,bytes32)",
    [DECC_EV_TASK_REVEAL] = "TaskReveal(bytes32,address,bytes32)",
    [DECC_EV_TASK_REOPEN] = "TaskReopen(bytes32)",
    [DECC_EV_TASK_FINALIZE] = "TaskFinalize(bytes32,bytes)",
    [DECC_EV_TASK_CLAIMED] = "TaskClaimed(bytes32)",
    [DECC_EV_ACCURATE_CONTRIBUTION] = "AccurateContribution(address,bytes32)",
    [DECC_EV_FAULTY_CONTRIBUTION] = "FaultyContribution(address,bytes32)",
    [DECC_EV_SIGNED_APP_ORDER] = "SignedAppOrder(bytes32)",
    [DECC_EV_SIGNED_DATASET_ORDER] = "SignedDatasetOrder(bytes32)",
    [DECC_EV_SIGNED_WORKERPOOL_ORDER] = "SignedWorkerpoolOrder(bytes32)",
    [DECC_EV_SIGNED_REQUEST_ORDER] = "SignedRequestOrder(bytes32)",
    [DECC_EV_CLOSED_APP_ORDER] = "ClosedAppOrder(bytes32)",
    [DECC_EV_CLOSED_DATASET_ORDER] = "ClosedDatasetOrder(bytes32)",
    [DECC_EV_CLOSED_WORKERPOOL_ORDER] = "ClosedWorkerpoolOrder(bytes32)",
    [DECC_EV_CLOSED_REQUEST_ORDER] = "ClosedRequestOrder(bytes32)",
    [DECC_EV_CREATE_CATEGORY] = "CreateCategory(uint256,string,string,uint256)",
};

const char *decc_poco_event_signature(decc_poco_event ev) {
  if ((unsigned)ev >= DECC_EV_COUNT)
    return NULL;
  return event_sigs[ev];
}

decc_status decc_poco_event_topic(uint8_t out32[32], decc_poco_event ev) {
  const char *sig = decc_poco_event_signature(ev);
  if (!sig || !out32)
    return DECC_E_INVALID;
  decc_abi_event_topic(out32, sig);
  return DECC_OK;
}

decc_poco_event decc_poco_event_from_topic(const uint8_t topic32[32]) {
  uint8_t t[32];
  for (int ev = 0; ev < DECC_EV_COUNT; ev++) {
    decc_abi_event_topic(t, event_sigs[ev]);
    if (memcmp(t, topic32, 32) == 0)
      return (decc_poco_event)ev;
  }
  return DECC_EV_COUNT;
}

decc_status decc__poco_emit(const decc_poco_env *env, decc_poco_effects *fx,
                            decc_poco_event ev,
                            const uint8_t (*indexed)[32], size_t n_indexed,
                            const uint8_t *data, size_t data_len) {
  if (n_indexed > 3)
    return DECC_E_INVALID;
  POCO_TRY(grow((void **)&fx->logs, fx->n_logs, sizeof *fx->logs));
  decc_poco_log *l = &fx->logs[fx->n_logs];
  memset(l, 0, sizeof *l);
  if (data_len) {
    l->data = decc_malloc(data_len);
    if (!l->data)
      return DECC_E_NOMEM;
    memcpy(l->data, data, data_len);
    l->data_len = data_len;
  }
  l->address = env->hub;
  POCO_TRY(decc_poco_event_topic(l->topics[0], ev));
  for (size_t i = 0; i < n_indexed; i++)
    memcpy(l->topics[i + 1], indexed[i], 32);
  l->n_topics = 1 + n_indexed;
  fx->n_logs++;
  return DECC_OK;
}

decc_status decc__poco_emit_words(const decc_poco_env *env,
                                  decc_poco_effects *fx, decc_poco_event ev,
                                  const uint8_t (*indexed)[32],
                                  size_t n_indexed, const uint8_t (*words)[32],
                                  size_t n_words) {
  /* The widest static event (OrdersMatched) has six words. */
  uint8_t data[8 * 32];
  if (n_words > 8)
    return DECC_E_INVALID;
  for (size_t i = 0; i < n_words; i++)
    memcpy(data + 32 * i, words[i], 32);
  return decc__poco_emit(env, fx, ev, indexed, n_indexed, data, 32 * n_words);
}
