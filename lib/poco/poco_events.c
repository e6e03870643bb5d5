/*
 * poco_events.c — the plumbing every PoCo rule shares: revert records and
 * their EVM revert data, checked arithmetic that turns an overflow into
 * Solidity's panic, the effects object and its builders, and the event
 * table (canonical signatures → topic0) with log emission.
 *
 * Topics are stored precomputed next to their canonical signatures; the
 * unit tests recompute every one with keccak256 and pin the published
 * values (iexec-protocol.md Appendix A).
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
  static const char *const panics[] = {"panic 0x11", "panic 0x12", "panic 0x32",
                                       "panic"};
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
  POCO_TRY(
      grow((void **)&fx->presigned, fx->n_presigned, sizeof *fx->presigned));
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

/* keccak256 of each signature above, precomputed (hot path: every log);
 * test_match checks each entry against the hash of its signature. */
static const uint8_t event_topics[DECC_EV_COUNT][32] = {
    /* Transfer(address,address,uint256) */
    {0xdd, 0xf2, 0x52, 0xad, 0x1b, 0xe2, 0xc8, 0x9b, 0x69, 0xc2, 0xb0,
     0x68, 0xfc, 0x37, 0x8d, 0xaa, 0x95, 0x2b, 0xa7, 0xf1, 0x63, 0xc4,
     0xa1, 0x16, 0x28, 0xf5, 0x5a, 0x4d, 0xf5, 0x23, 0xb3, 0xef},
    /* Lock(address,uint256) */
    {0x62, 0x5f, 0xed, 0x98, 0x75, 0xda, 0xda, 0x86, 0x43, 0xf2, 0x41,
     0x8b, 0x83, 0x8a, 0xe0, 0xbc, 0x78, 0xd9, 0xa1, 0x48, 0xa1, 0x8e,
     0xee, 0x4e, 0xe1, 0x97, 0x9f, 0xf0, 0xf3, 0xf5, 0xd4, 0x27},
    /* Unlock(address,uint256) */
    {0x63, 0x81, 0xd9, 0x81, 0x3c, 0xab, 0xeb, 0x57, 0x47, 0x1b, 0x5a,
     0x7e, 0x05, 0x07, 0x8e, 0x64, 0x84, 0x5c, 0xcd, 0xb5, 0x63, 0x14,
     0x6a, 0x69, 0x11, 0xd5, 0x36, 0xf2, 0x4c, 0xe9, 0x60, 0xf1},
    /* Reward(address,uint256,bytes32) */
    {0xc2, 0xac, 0xa5, 0x5a, 0xa6, 0x96, 0x93, 0x8c, 0x7e, 0x95, 0x84,
     0x2e, 0x89, 0x39, 0xca, 0x0f, 0xbb, 0x21, 0x20, 0xa3, 0xee, 0xb8,
     0x94, 0x8c, 0xdc, 0xee, 0x2b, 0x70, 0xda, 0x56, 0x66, 0x72},
    /* Seize(address,uint256,bytes32) */
    {0x1b, 0xcc, 0xc5, 0x49, 0xc3, 0x85, 0x61, 0xcd, 0x5b, 0x57, 0xf0,
     0xdb, 0x11, 0xce, 0xb8, 0xdd, 0xe1, 0xb0, 0xb6, 0xee, 0x05, 0xab,
     0x5e, 0x15, 0x5b, 0x51, 0xc7, 0xc5, 0xba, 0x64, 0xbe, 0xcb},
    /* SchedulerNotice(address,bytes32) */
    {0x69, 0x2a, 0xd6, 0x10, 0x76, 0xdc, 0xed, 0xdd, 0x0f, 0x1a, 0x86,
     0x1f, 0x73, 0x75, 0x53, 0xdd, 0x61, 0xfc, 0x85, 0x01, 0xcf, 0x41,
     0x90, 0xd2, 0x9c, 0x4e, 0x90, 0xaf, 0x66, 0x07, 0xf7, 0x65},
    /* OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256) */
    {0xd8, 0x11, 0xb5, 0x92, 0xed, 0x08, 0x99, 0x22, 0x57, 0x73, 0xe8,
     0x93, 0x3d, 0x8d, 0xf6, 0x4b, 0xd0, 0xb6, 0x27, 0x61, 0xa9, 0xd7,
     0xaa, 0xd4, 0xed, 0x5b, 0x22, 0x73, 0x5f, 0x46, 0x10, 0xa4},
    /* DealSponsored(bytes32,address) */
    {0x81, 0xee, 0xc3, 0xd5, 0x40, 0x1b, 0xb1, 0x69, 0x3d, 0xbe, 0xf6,
     0x1f, 0x08, 0x00, 0xbc, 0x16, 0x60, 0x29, 0x05, 0xd6, 0x67, 0x7d,
     0x69, 0x1c, 0x12, 0x62, 0xd6, 0xf0, 0x84, 0x56, 0xe9, 0xa0},
    /* TaskInitialize(bytes32,address) */
    {0x25, 0x29, 0x92, 0xfb, 0x04, 0x68, 0xd6, 0x8d, 0x6a, 0x57, 0x84,
     0xec, 0x03, 0x21, 0x4f, 0x0d, 0x0a, 0x36, 0x20, 0x83, 0xf2, 0xd7,
     0xeb, 0xd1, 0x57, 0xaf, 0x43, 0xb0, 0x17, 0xa2, 0x2e, 0x06},
    /* TaskContribute(bytes32,address,bytes32) */
    {0x3f, 0xdb, 0x8d, 0x77, 0x97, 0x56, 0x2d, 0x49, 0xa8, 0x10, 0x78,
     0xdb, 0xf7, 0xfa, 0x17, 0x71, 0x95, 0x8e, 0xa4, 0x52, 0xf8, 0xb1,
     0x3d, 0x11, 0x48, 0x38, 0x3b, 0xd9, 0x50, 0x6a, 0xec, 0xfb},
    /* TaskConsensus(bytes32,bytes32) */
    {0xf6, 0xd4, 0x9b, 0xf3, 0xe0, 0x5d, 0x33, 0xa4, 0xbc, 0x49, 0x7d,
     0x3c, 0x79, 0x3f, 0xb5, 0x75, 0x63, 0x88, 0xbb, 0x96, 0xb9, 0x47,
     0xcf, 0x51, 0xbb, 0x60, 0xaa, 0xec, 0xb0, 0xe0, 0x22, 0xe3},
    /* TaskReveal(bytes32,address,bytes32) */
    {0x4b, 0x17, 0x63, 0xd4, 0x73, 0xac, 0x8f, 0xa8, 0x0b, 0x44, 0x32,
     0xba, 0x90, 0x04, 0x7e, 0x1b, 0x92, 0x44, 0x4d, 0x8f, 0xab, 0xc5,
     0x5e, 0x6a, 0x00, 0x2d, 0x9b, 0x1a, 0x31, 0x6d, 0x79, 0x59},
    /* TaskReopen(bytes32) */
    {0x3a, 0xfe, 0x0f, 0x24, 0x79, 0x6c, 0xe6, 0x53, 0xc6, 0xab, 0x1f,
     0x3e, 0x7a, 0xba, 0x5c, 0xe5, 0x64, 0xee, 0xce, 0x5e, 0x82, 0xae,
     0xe7, 0x24, 0xaf, 0xf2, 0x82, 0x53, 0xe8, 0x29, 0xf0, 0x7b},
    /* TaskFinalize(bytes32,bytes) */
    {0x78, 0xce, 0x8a, 0x8b, 0xc0, 0xfc, 0xb7, 0x04, 0xe8, 0xba, 0x3b,
     0x3d, 0xbb, 0x36, 0xaa, 0x88, 0x00, 0x2d, 0xf8, 0x03, 0x81, 0x28,
     0xb4, 0xaf, 0x2f, 0x27, 0xef, 0x65, 0xdb, 0x66, 0x50, 0x44},
    /* TaskClaimed(bytes32) */
    {0xcb, 0xc3, 0x08, 0xb5, 0xf9, 0x10, 0x40, 0xd2, 0x65, 0x9a, 0x52,
     0x01, 0x85, 0x83, 0x44, 0xb0, 0xb5, 0x83, 0xcd, 0x2f, 0x9e, 0x18,
     0xe8, 0x47, 0x0c, 0x2f, 0xa0, 0x52, 0xc5, 0xb2, 0x1f, 0xf8},
    /* AccurateContribution(address,bytes32) */
    {0x97, 0x03, 0xf4, 0x58, 0x98, 0x02, 0x24, 0x6c, 0x80, 0xb8, 0x22,
     0xe6, 0x36, 0x97, 0x18, 0x0d, 0xa7, 0x99, 0xe3, 0x63, 0xcd, 0x1b,
     0x6f, 0xd9, 0x46, 0x5a, 0x5e, 0x55, 0x74, 0xd5, 0x34, 0x92},
    /* FaultyContribution(address,bytes32) */
    {0xf8, 0x68, 0x78, 0x89, 0x48, 0xd5, 0x52, 0x40, 0x77, 0x4f, 0xdb,
     0xad, 0x06, 0x55, 0x51, 0x05, 0xef, 0x20, 0xbb, 0xc7, 0x0d, 0x1b,
     0x7e, 0xcc, 0xda, 0x98, 0x2b, 0x65, 0xe1, 0x1e, 0x79, 0xbb},
    /* SignedAppOrder(bytes32) */
    {0x50, 0x93, 0x3c, 0xf5, 0xa9, 0xc4, 0x4d, 0x5e, 0xd6, 0x6b, 0x89,
     0x5d, 0xeb, 0x27, 0x21, 0x2a, 0xa3, 0x3d, 0x81, 0x1b, 0x46, 0xa7,
     0xb4, 0x10, 0x93, 0xe0, 0x47, 0xe2, 0x13, 0xc0, 0xbc, 0xab},
    /* SignedDatasetOrder(bytes32) */
    {0x79, 0xce, 0x85, 0x90, 0x9b, 0xe2, 0xc5, 0x90, 0xa7, 0x28, 0xd1,
     0x63, 0x4c, 0xe6, 0xec, 0x8a, 0x7c, 0xbf, 0x81, 0x52, 0x60, 0xba,
     0xcc, 0x05, 0x38, 0x78, 0x90, 0xa3, 0x13, 0xda, 0x81, 0x30},
    /* SignedWorkerpoolOrder(bytes32) */
    {0x3a, 0x61, 0xaa, 0xbf, 0x2a, 0xb0, 0x47, 0x90, 0xd0, 0x82, 0xff,
     0x1e, 0x33, 0x28, 0x53, 0xb2, 0xf6, 0x69, 0x44, 0xc2, 0xe9, 0x51,
     0xa1, 0x46, 0x12, 0x1f, 0x80, 0x27, 0x28, 0x12, 0xa4, 0x76},
    /* SignedRequestOrder(bytes32) */
    {0x3b, 0x0a, 0xc0, 0x41, 0x65, 0x53, 0x6d, 0x6b, 0x11, 0xd0, 0x42,
     0x20, 0xf9, 0x98, 0xc8, 0x40, 0xbd, 0x6e, 0x43, 0x9d, 0x59, 0xc5,
     0xd8, 0x72, 0x1b, 0xba, 0x8a, 0x4e, 0x1f, 0xb9, 0xeb, 0xfd},
    /* ClosedAppOrder(bytes32) */
    {0x73, 0x43, 0xf7, 0x5b, 0xe4, 0x3a, 0xba, 0x52, 0x4f, 0x85, 0x32,
     0x65, 0x08, 0xcd, 0x97, 0x5d, 0x01, 0x6e, 0xf7, 0x88, 0x46, 0x76,
     0x37, 0x73, 0x66, 0xc6, 0x9a, 0x7c, 0x32, 0xe3, 0x06, 0x68},
    /* ClosedDatasetOrder(bytes32) */
    {0xcf, 0x52, 0xe3, 0x22, 0x8b, 0xc4, 0x82, 0xa6, 0x65, 0x6d, 0x8a,
     0xb5, 0x6c, 0x09, 0x88, 0x8b, 0x1c, 0x5b, 0xf6, 0xaa, 0xad, 0xba,
     0x01, 0x85, 0xe9, 0x6a, 0x34, 0x83, 0x6f, 0x2b, 0xb1, 0xd4},
    /* ClosedWorkerpoolOrder(bytes32) */
    {0x14, 0x5a, 0xd5, 0x1e, 0x44, 0x96, 0x17, 0x3b, 0xca, 0x15, 0xe2,
     0x4e, 0x7e, 0xb4, 0x6f, 0x9a, 0xb3, 0xa1, 0x0e, 0xea, 0x04, 0x97,
     0xe2, 0x80, 0x1a, 0x3a, 0x68, 0x06, 0xc0, 0x61, 0x13, 0xa3},
    /* ClosedRequestOrder(bytes32) */
    {0x58, 0x2f, 0x43, 0xf2, 0xa7, 0x41, 0xcb, 0xe7, 0x08, 0xaa, 0xe3,
     0xb8, 0xd3, 0x8a, 0x4e, 0xfc, 0x3d, 0x09, 0xd7, 0xe8, 0x19, 0x19,
     0x69, 0x7b, 0x3c, 0xa6, 0x93, 0xf4, 0xc4, 0x44, 0xcc, 0x05},
    /* CreateCategory(uint256,string,string,uint256) */
    {0x62, 0xbf, 0x08, 0x36, 0x0c, 0x9d, 0x56, 0x17, 0x49, 0xc5, 0x4e,
     0xaf, 0x4f, 0x8b, 0xf8, 0xcb, 0x6c, 0x8b, 0x6f, 0x4f, 0x40, 0x60,
     0x7b, 0xce, 0xc3, 0x9a, 0x81, 0x72, 0xe7, 0x14, 0xd2, 0x5c},
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
  memcpy(out32, event_topics[ev], 32);
  return DECC_OK;
}

decc_poco_event decc_poco_event_from_topic(const uint8_t topic32[32]) {
  for (int ev = 0; ev < DECC_EV_COUNT; ev++)
    if (memcmp(event_topics[ev], topic32, 32) == 0)
      return (decc_poco_event)ev;
  return DECC_EV_COUNT;
}

decc_status decc__poco_emit(const decc_poco_env *env, decc_poco_effects *fx,
                            decc_poco_event ev, const uint8_t (*indexed)[32],
                            size_t n_indexed, const uint8_t *data,
                            size_t data_len) {
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
