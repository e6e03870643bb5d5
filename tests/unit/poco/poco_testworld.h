/*
 * poco_testworld.h — a small in-memory PoCo state for the poco unit tests:
 * registry entries with owners and workerpool policies, ERC-734 identity
 * contracts, consumed / presigned maps, worker scores, categories and the
 * escrow accounts, all in fixed-size arrays so a whole state is copied
 * with one assignment (the exhaustive test forks states by value).
 *
 * tw_world() exposes it as a decc_poco_world; tw_apply() writes the
 * effects of a successful call back, exactly as a ledger would.
 * Header-only (static functions) so each test executable stays one file.
 */
#ifndef POCO_TESTWORLD_H
#define POCO_TESTWORLD_H

#include <string.h>

#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/order.h"
#include "decc/poco.h"

#define TW_MAX 48

typedef struct tw_entry {
  decc_address addr, owner;
  int registry; /* decc_poco_registry, or -1: a contract with owner() only */
  int has_policy;
  decc_u256 stake_ratio, sched_ratio;
} tw_entry;

typedef struct tw_identity {
  decc_address addr;
  decc_address members[4];
  int n;
} tw_identity;

typedef struct tw_hv {
  uint8_t h[32];
  decc_u256 v;
  decc_address a;
} tw_hv;

typedef struct tw_score {
  decc_address a;
  decc_u256 s;
} tw_score;

typedef struct tw {
  tw_entry entries[16];
  int n_entries;
  tw_identity ids[4];
  int n_ids;
  decc_address erc1271[4]; /* contracts whose isValidSignature accepts a
                              signature equal to 65 × 0xEE */
  int n_erc1271;
  tw_hv consumed[TW_MAX];
  int n_consumed;
  tw_hv presigned[TW_MAX];
  int n_presigned;
  tw_score scores[16];
  int n_scores;
  uint64_t timerefs[8];
  uint64_t ncat;
  decc_poco_account acc[24];
  int n_acc;
  int fail_accounts; /* 1: the account callback fails with DECC_E_IO */
} tw;

static inline decc_u256 U(uint64_t v) { return decc_u256_from_u64(v); }

static inline void tw_init(tw *w) {
  memset(w, 0, sizeof *w);
  size_t n;
  const decc_poco_category *c = decc_poco_genesis_categories(&n);
  for (size_t i = 0; i < n; i++)
    w->timerefs[i] = c[i].work_clock_time_ref;
  w->ncat = n;
}

static inline tw_entry *tw_find_entry(tw *w, const decc_address *a) {
  for (int i = 0; i < w->n_entries; i++)
    if (decc_address_eq(&w->entries[i].addr, a))
      return &w->entries[i];
  return NULL;
}

static inline void tw_add_entry(tw *w, const decc_address *a,
                                const decc_address *owner, int registry) {
  tw_entry *e = &w->entries[w->n_entries++];
  memset(e, 0, sizeof *e);
  e->addr = *a;
  e->owner = *owner;
  e->registry = registry;
  if (registry == DECC_POCO_REG_WORKERPOOL) {
    e->has_policy = 1;
    e->stake_ratio = U(DECC_POCO_DEFAULT_WORKER_STAKE_RATIO);
    e->sched_ratio = U(DECC_POCO_DEFAULT_SCHEDULER_REWARD_RATIO);
  }
}

static inline decc_poco_account *tw_acc(tw *w, const decc_address *a) {
  for (int i = 0; i < w->n_acc; i++)
    if (decc_address_eq(&w->acc[i].addr, a))
      return &w->acc[i];
  if (w->n_acc == 24)
    return NULL;
  decc_poco_account *e = &w->acc[w->n_acc++];
  memset(e, 0, sizeof *e);
  e->addr = *a;
  return e;
}

static inline void tw_set_balance(tw *w, const decc_address *a, uint64_t b) {
  decc_poco_account *e = tw_acc(w, a);
  if (e)
    e->balance = U(b);
}

static inline tw_hv *tw_hv_find(tw_hv *arr, int n, const uint8_t h[32]) {
  for (int i = 0; i < n; i++)
    if (memcmp(arr[i].h, h, 32) == 0)
      return &arr[i];
  return NULL;
}

static inline void tw_set_consumed(tw *w, const uint8_t h[32],
                                   const decc_u256 *v) {
  tw_hv *e = tw_hv_find(w->consumed, w->n_consumed, h);
  if (!e && w->n_consumed < TW_MAX) {
    e = &w->consumed[w->n_consumed++];
    memcpy(e->h, h, 32);
  }
  if (e)
    e->v = *v;
}

static inline void tw_set_presigned(tw *w, const uint8_t h[32],
                                    const decc_address *a) {
  tw_hv *e = tw_hv_find(w->presigned, w->n_presigned, h);
  if (!e && w->n_presigned < TW_MAX) {
    e = &w->presigned[w->n_presigned++];
    memcpy(e->h, h, 32);
  }
  if (e)
    e->a = *a;
}

static inline void tw_set_score(tw *w, const decc_address *a,
                                const decc_u256 *s) {
  for (int i = 0; i < w->n_scores; i++)
    if (decc_address_eq(&w->scores[i].a, a)) {
      w->scores[i].s = *s;
      return;
    }
  if (w->n_scores < 16) {
    w->scores[w->n_scores].a = *a;
    w->scores[w->n_scores].s = *s;
    w->n_scores++;
  }
}

/* ---- callbacks ----------------------------------------------------------- */

static inline decc_status tw_owner_of(void *ctx, const decc_address *entry,
                                      int *has, decc_address *owner) {
  tw_entry *e = tw_find_entry(ctx, entry);
  *has = e != NULL;
  if (e)
    *owner = e->owner;
  return DECC_OK;
}

static inline decc_status tw_is_registered(void *ctx, decc_poco_registry reg,
                                           const decc_address *entry,
                                           int *yes) {
  tw_entry *e = tw_find_entry(ctx, entry);
  *yes = e && e->registry == (int)reg;
  return DECC_OK;
}

static inline decc_status tw_is_contract(void *ctx, const decc_address *a,
                                         int *yes) {
  tw *w = ctx;
  *yes = tw_find_entry(w, a) != NULL;
  for (int i = 0; i < w->n_ids; i++)
    if (decc_address_eq(&w->ids[i].addr, a))
      *yes = 1;
  for (int i = 0; i < w->n_erc1271; i++)
    if (decc_address_eq(&w->erc1271[i], a))
      *yes = 1;
  return DECC_OK;
}

static inline decc_status tw_key_has_purpose(void *ctx,
                                             const decc_address *identity,
                                             const uint8_t key32[32],
                                             uint64_t purpose, int *result) {
  tw *w = ctx;
  *result = 0;
  for (int i = 0; i < w->n_ids; i++) {
    if (!decc_address_eq(&w->ids[i].addr, identity))
      continue;
    for (int j = 0; j < w->ids[i].n; j++) {
      uint8_t k[32] = {0};
      memcpy(k + 12, w->ids[i].members[j].b, 20);
      if (memcmp(k, key32, 32) == 0 && purpose == 4)
        *result = 1;
    }
  }
  return DECC_OK;
}

static inline decc_status tw_is_valid_signature(void *ctx,
                                                const decc_address *acct,
                                                const uint8_t hash32[32],
                                                const uint8_t *sig, size_t len,
                                                int *valid) {
  tw *w = ctx;
  (void)hash32;
  *valid = 0;
  for (int i = 0; i < w->n_erc1271; i++)
    if (decc_address_eq(&w->erc1271[i], acct) && len == 65) {
      int all = 1;
      for (size_t k = 0; k < len; k++)
        all &= sig[k] == 0xEE;
      *valid = all;
    }
  return DECC_OK;
}

static inline decc_status tw_consumed(void *ctx, const uint8_t h[32],
                                      decc_u256 *out) {
  tw *w = ctx;
  tw_hv *e = tw_hv_find(w->consumed, w->n_consumed, h);
  *out = e ? e->v : U(0);
  return DECC_OK;
}

static inline decc_status tw_presigned(void *ctx, const uint8_t h[32],
                                       decc_address *out) {
  tw *w = ctx;
  tw_hv *e = tw_hv_find(w->presigned, w->n_presigned, h);
  memset(out, 0, sizeof *out);
  if (e)
    *out = e->a;
  return DECC_OK;
}

static inline decc_status tw_category_count(void *ctx, uint64_t *count) {
  *count = ((tw *)ctx)->ncat;
  return DECC_OK;
}

static inline decc_status tw_category_timeref(void *ctx, const decc_u256 *idx,
                                              int *found, decc_u256 *timeref) {
  tw *w = ctx;
  uint64_t i;
  *found = decc_u256_to_u64(&i, idx) && i < w->ncat;
  if (*found)
    *timeref = U(w->timerefs[i]);
  return DECC_OK;
}

static inline decc_status tw_policy(void *ctx, const decc_address *wp,
                                    int *found, decc_u256 *stake,
                                    decc_u256 *sched) {
  tw_entry *e = tw_find_entry(ctx, wp);
  *found = e && e->has_policy;
  if (*found) {
    *stake = e->stake_ratio;
    *sched = e->sched_ratio;
  }
  return DECC_OK;
}

static inline decc_status tw_account(void *ctx, const decc_address *a,
                                     decc_u256 *balance, decc_u256 *frozen) {
  tw *w = ctx;
  if (w->fail_accounts)
    return DECC_E_IO;
  *balance = U(0);
  *frozen = U(0);
  for (int i = 0; i < w->n_acc; i++)
    if (decc_address_eq(&w->acc[i].addr, a)) {
      *balance = w->acc[i].balance;
      *frozen = w->acc[i].frozen;
    }
  return DECC_OK;
}

static inline decc_status tw_score_cb(void *ctx, const decc_address *a,
                                      decc_u256 *s) {
  tw *w = ctx;
  *s = U(0);
  for (int i = 0; i < w->n_scores; i++)
    if (decc_address_eq(&w->scores[i].a, a))
      *s = w->scores[i].s;
  return DECC_OK;
}

static inline decc_poco_world tw_world(tw *w) {
  decc_poco_world x;
  memset(&x, 0, sizeof x);
  x.ctx = w;
  x.owner_of = tw_owner_of;
  x.is_registered = tw_is_registered;
  x.is_contract = tw_is_contract;
  x.key_has_purpose = tw_key_has_purpose;
  x.is_valid_signature = tw_is_valid_signature;
  x.consumed = tw_consumed;
  x.presigned = tw_presigned;
  x.category_count = tw_category_count;
  x.category_timeref = tw_category_timeref;
  x.workerpool_policy = tw_policy;
  x.account = tw_account;
  x.worker_score = tw_score_cb;
  return x;
}

/* Writes the state changes of a successful call into w (records — deal,
 * task — are the caller's). Returns 0, or -1 when an array is full. */
static inline int tw_apply(tw *w, const decc_poco_effects *fx) {
  for (size_t i = 0; i < fx->n_consumed; i++)
    tw_set_consumed(w, fx->consumed[i].hash, &fx->consumed[i].value);
  for (size_t i = 0; i < fx->n_presigned; i++)
    tw_set_presigned(w, fx->presigned[i].hash, &fx->presigned[i].signer);
  for (size_t i = 0; i < fx->n_scores; i++)
    tw_set_score(w, &fx->scores[i].worker, &fx->scores[i].score);
  for (size_t i = 0; i < fx->accounts.n; i++) {
    decc_poco_account *e = tw_acc(w, &fx->accounts.v[i].addr);
    if (!e)
      return -1;
    e->balance = fx->accounts.v[i].balance;
    e->frozen = fx->accounts.v[i].frozen;
  }
  return 0;
}

/* Σ balance and Σ frozen over all accounts (values kept below 2^64 in the
 * tests that use this). */
static inline void tw_totals(const tw *w, decc_u256 *bal, decc_u256 *frz) {
  *bal = U(0);
  *frz = U(0);
  for (int i = 0; i < w->n_acc; i++) {
    if (decc_u256_add(bal, bal, &w->acc[i].balance) ||
        decc_u256_add(frz, frz, &w->acc[i].frozen))
      *bal = U(UINT64_MAX); /* poison: tests compare against small sums */
  }
}

/* Deterministic test key i (i ≥ 1): 32 bytes of i. */
static inline void tw_key(uint8_t sk[32], int i) { memset(sk, i, 32); }

static inline decc_address tw_addr_of_key(int i) {
  uint8_t sk[32];
  decc_address a;
  tw_key(sk, i);
  if (decc_address_from_privkey(&a, sk) != DECC_OK)
    memset(&a, 0, sizeof a);
  return a;
}

/* A recognisable non-key address (contracts, restrictions). */
static inline decc_address tw_addr(uint8_t tag) {
  decc_address a;
  memset(a.b, tag, 20);
  a.b[0] = 0xC0;
  return a;
}

#endif /* POCO_TESTWORLD_H */
