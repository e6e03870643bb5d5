/*
 * test_task.c — PoCo's task state machine: initialize, contribute (score
 * policy, consensus for trust 1 and 3), reveal, reopen, finalize,
 * contributeAndFinalize and claim; every failed require (empty revert),
 * signature checks (scheduler, teebroker, enclave, malformed), deadlines,
 * callback digest rules, payments, scores and logs.
 */
#include <stdlib.h>

#include "decc/abi.h"
#include "decc/mem.h"
#include "poco/poco_int.h"
#include "poco_testworld.h"
#include "test.h"

enum { K_SCHED = 3, K_W1 = 5, K_W2 = 6, K_W3 = 7, K_BROKER = 12, K_ENC = 20 };
#define T0 1000000u
#define TREF 300u
#define WPPRICE 10000000007ULL
#define APPPRICE 2000000000ULL

typedef struct tf {
  tw w;
  decc_poco_world world;
  decc_poco_env env;
  decc_poco_deal deal;
  uint8_t deal_id[32];
  decc_poco_task task;
  uint8_t task_id[32];
  decc_poco_effects fx;
} tf;

static uint64_t u64(const decc_u256 *v) {
  uint64_t x = 0;
  return decc_u256_to_u64(&x, v) ? x : UINT64_MAX;
}

static void tf_init(tf *f, uint64_t trust, int tee, int callback) {
  memset(f, 0, sizeof *f);
  tw_init(&f->w);
  f->world = tw_world(&f->w);
  f->env.world = &f->world;
  f->env.hub = tw_addr(0x11);
  f->env.callback_gas = DECC_POCO_DEFAULT_CALLBACK_GAS;
  f->env.timestamp = T0;
  if (decc_poco_deal_init(&f->deal))
    abort();
  decc_poco_deal *d = &f->deal;
  d->app.pointer = tw_addr(0xA1);
  d->app.owner = tw_addr(0xA0);
  d->app.price = U(APPPRICE);
  d->workerpool.pointer = tw_addr(0xB1);
  d->workerpool.owner = tw_addr_of_key(K_SCHED);
  d->workerpool.price = U(WPPRICE);
  d->trust = U(trust);
  if (tee)
    decc_tag_from_bits(d->tag, 0x9);
  d->requester = tw_addr(0x50);
  d->sponsor = d->requester;
  if (callback)
    d->callback = tw_addr(0xCB);
  d->start_time = U(T0);
  d->bot_first = U(0);
  d->bot_size = U(2);
  d->worker_stake = U(WPPRICE * 30 / 100);
  d->scheduler_reward_ratio = U(1);
  memset(f->deal_id, 0xDE, 32);
  /* what matchOrders locked for 2 tasks */
  uint64_t price = APPPRICE + WPPRICE, stake = WPPRICE * 30 / 100;
  tw_acc(&f->w, &d->sponsor)->frozen = U(2 * price);
  tw_acc(&f->w, &d->workerpool.owner)->frozen = U(2 * stake);
  tw_acc(&f->w, &f->env.hub)->balance = U(2 * price + 2 * stake);
  for (int k = K_W1; k <= K_W3 + 1; k++) {
    decc_address a = tw_addr_of_key(k);
    tw_set_balance(&f->w, &a, 100000000000ULL);
  }
  decc_poco_effects_init(&f->fx);
  decc_poco_task_init(&f->task);
}

static void tf_clear(tf *f) {
  decc_poco_effects_clear(&f->fx);
  decc_poco_task_clear(&f->task);
  decc_poco_deal_clear(&f->deal);
}

/* Applies the effects of a successful call: world + task record. */
static decc_status commit(tf *f, decc_status st) {
  if (st != DECC_OK)
    return st;
  if (tw_apply(&f->w, &f->fx))
    return DECC_E_LIMIT;
  if (f->fx.has_task) {
    memcpy(f->task_id, f->fx.task_id, 32);
    decc_poco_task_clear(&f->task);
    f->task = f->fx.task;
    decc_poco_task_init(&f->fx.task);
    f->fx.has_task = 0;
  }
  return DECC_OK;
}

static decc_status init_task(tf *f, uint64_t idx) {
  decc_u256 i = U(idx);
  return commit(f, decc_poco_initialize(&f->env, f->deal_id, &f->deal, &i,
                                        &f->task, &f->fx, NULL));
}

static void digest_of(uint8_t out[32], int honest) {
  decc_keccak256(out, honest ? "good" : "bad", honest ? 4 : 3);
}

/* The scheduler's (or broker's) authorisation for worker k. */
static void auth_sig(tf *f, uint8_t sig[65], int signer, int worker,
                     const decc_address *ec) {
  uint8_t m[32], sk[32];
  decc_address w = tw_addr_of_key(worker);
  decc_poco_authorization_message(m, &w, f->task_id, ec);
  tw_key(sk, signer);
  if (decc_eip191_sign(sig, sk, m, 32))
    abort();
}

static decc_status contribute_full(tf *f, int worker, int honest, int signer,
                                   int enclave_key, size_t auth_len) {
  uint8_t dg[32], rh[32], rs[32], asig[65], esig[65] = {0};
  decc_address w = tw_addr_of_key(worker), ec;
  memset(&ec, 0, sizeof ec);
  if (enclave_key)
    ec = tw_addr_of_key(enclave_key);
  digest_of(dg, honest);
  decc_poco_result_hash(rh, f->task_id, dg);
  decc_poco_result_seal(rs, &w, f->task_id, dg);
  auth_sig(f, asig, signer, worker, &ec);
  if (enclave_key) {
    uint8_t m[32], sk[32];
    decc_poco_enclave_message(m, rh, rs);
    tw_key(sk, enclave_key);
    if (decc_eip191_sign(esig, sk, m, 32))
      abort();
  }
  return commit(f, decc_poco_contribute(&f->env, f->task_id, &f->deal, &f->task,
                                        &w, rh, rs, &ec, esig,
                                        enclave_key ? 65 : 0, asig, auth_len,
                                        &f->fx, NULL));
}

static decc_status contribute(tf *f, int worker, int honest) {
  return contribute_full(f, worker, honest, K_SCHED, 0, 65);
}

static decc_status reveal(tf *f, int worker, int honest) {
  uint8_t dg[32];
  decc_address w = tw_addr_of_key(worker);
  digest_of(dg, honest);
  return commit(
      f, decc_poco_reveal(&f->env, f->task_id, &f->task, &w, dg, &f->fx, NULL));
}

static decc_status finalize_rcb(tf *f, int sender, const char *rcb) {
  decc_address s = tw_addr_of_key(sender);
  return commit(f,
                decc_poco_finalize(&f->env, f->task_id, &f->deal, &f->task, &s,
                                   (const uint8_t *)"{\"storage\":\"ipfs\"}",
                                   18, (const uint8_t *)rcb,
                                   rcb ? strlen(rcb) : 0, &f->fx, NULL));
}

static decc_status finalize(tf *f, int sender) {
  return finalize_rcb(f, sender, NULL);
}

static decc_status reopen(tf *f, int sender) {
  decc_address s = tw_addr_of_key(sender);
  return commit(f, decc_poco_reopen(&f->env, f->task_id, &f->deal, &f->task, &s,
                                    &f->fx, NULL));
}

static decc_status claim(tf *f) {
  return commit(f, decc_poco_claim(&f->env, f->task_id, &f->deal, &f->task,
                                   &f->fx, NULL));
}

static int empty_revert(tf *f, decc_status st) {
  return st == DECC_E_REVERT && f->fx.revert.kind == DECC_POCO_REVERT_EMPTY &&
         f->fx.n_logs == 0 && f->fx.n_moves == 0 && !f->fx.has_task;
}

static decc_poco_account *acct(tf *f, int key) {
  decc_address a = tw_addr_of_key(key);
  return tw_acc(&f->w, &a);
}

/* Σ balances (the supply) and hub == Σ frozen. */
static int books_balance(tf *f, uint64_t supply) {
  decc_u256 bal, frz;
  tw_totals(&f->w, &bal, &frz);
  decc_poco_account *h = tw_acc(&f->w, &f->env.hub);
  return u64(&bal) == supply && decc_u256_cmp(&h->balance, &frz) == 0;
}

static uint64_t supply_of(tf *f) {
  decc_u256 bal, frz;
  tw_totals(&f->w, &bal, &frz);
  return u64(&bal);
}

/* ---- initialize ---------------------------------------------------------------- */

TEST(initialize_checks_and_record) {
  tf f;
  tf_init(&f, 1, 0, 0);
  ASSERT(empty_revert(&f, init_task(&f, 2))); /* idx ≥ botFirst + botSize */
  f.deal.bot_first = U(1);
  ASSERT(empty_revert(&f, init_task(&f, 0))); /* idx < botFirst */
  f.deal.bot_first = U(0);
  f.deal.category = U(7);
  decc_u256 i0 = U(0);
  ASSERT_EQ(
      decc_poco_initialize(&f.env, f.deal_id, &f.deal, &i0, NULL, &f.fx, NULL),
      DECC_E_REVERT);
  ASSERT_EQ(f.fx.revert.kind, DECC_POCO_REVERT_PANIC);
  ASSERT_EQ(f.fx.revert.panic, 0x32);
  f.deal.category = U(1); /* S: 1200 s */
  ASSERT_OK(init_task(&f, 1));
  uint8_t pre[64] = {0}, want[32];
  memcpy(pre, f.deal_id, 32);
  pre[63] = 1;
  decc_keccak256(want, pre, 64);
  ASSERT_MEM_EQ(f.task_id, want, 32);
  ASSERT_EQ(f.task.status, DECC_TASK_ACTIVE);
  ASSERT_EQ(u64(&f.task.timeref), 1200);
  ASSERT_EQ(u64(&f.task.contribution_deadline), T0 + 7 * 1200);
  ASSERT_EQ(u64(&f.task.final_deadline), T0 + 10 * 1200);
  ASSERT_EQ(u64(&f.task.consensus_total), 1);
  ASSERT_EQ(u64(&f.task.idx), 1);
  ASSERT_MEM_EQ(f.task.deal_id, f.deal_id, 32);
  ASSERT_EQ(f.fx.n_logs, 1);
  ASSERT_EQ(decc_poco_event_from_topic(f.fx.logs[0].topics[0]),
            DECC_EV_TASK_INITIALIZE);
  ASSERT_EQ(f.fx.logs[0].n_topics, 3);
  ASSERT_MEM_EQ(f.fx.logs[0].topics[1], want, 32);
  ASSERT_MEM_EQ(f.fx.logs[0].topics[2] + 12, f.deal.workerpool.pointer.b, 20);
  ASSERT_EQ(f.fx.logs[0].data_len, 0);
  /* Twice: the task is no longer UNSET. */
  ASSERT(empty_revert(&f, init_task(&f, 1)));
  /* A missing deal (all zero): botSize 0. */
  ASSERT_EQ(
      decc_poco_initialize(&f.env, f.deal_id, NULL, &i0, NULL, &f.fx, NULL),
      DECC_E_REVERT);
  tf_clear(&f);
}

/* ---- contribute ---------------------------------------------------------------- */

TEST(contribute_trust1_reaches_consensus) {
  tf f;
  tf_init(&f, 1, 0, 0);
  ASSERT_OK(init_task(&f, 0));
  f.env.timestamp = T0 + 100;
  uint64_t supply = supply_of(&f);
  ASSERT_OK(contribute(&f, K_W1, 1));
  ASSERT_EQ(f.task.status, DECC_TASK_REVEALING);
  ASSERT_EQ(u64(&f.task.reveal_deadline), T0 + 100 + 2 * TREF);
  ASSERT_EQ(u64(&f.task.winner_counter), 1);
  ASSERT_EQ(f.task.n_contributions, 1);
  ASSERT_EQ(f.task.contributions[0].status, DECC_CONTRIB_CONTRIBUTED);
  ASSERT_EQ(u64(&f.task.contributions[0].weight), 1); /* log2(2) */
  /* group = 2, total = 3 */
  ASSERT_EQ(u64(&f.task.consensus_total), 3);
  ASSERT_EQ(acct(&f, K_W1)->frozen.w[0], WPPRICE * 30 / 100);
  static const decc_poco_event evs[] = {DECC_EV_TRANSFER, DECC_EV_LOCK,
                                        DECC_EV_TASK_CONTRIBUTE,
                                        DECC_EV_TASK_CONSENSUS};
  ASSERT_EQ(f.fx.n_logs, 4);
  for (int i = 0; i < 4; i++)
    ASSERT_EQ(decc_poco_event_from_topic(f.fx.logs[i].topics[0]), evs[i]);
  ASSERT_MEM_EQ(f.fx.logs[2].data, f.task.contributions[0].result_hash, 32);
  ASSERT_MEM_EQ(f.fx.logs[3].data, f.task.consensus_value, 32);
  ASSERT(books_balance(&f, supply));
  /* A second worker cannot contribute once REVEALING. */
  ASSERT(empty_revert(&f, contribute(&f, K_W2, 1)));
  tf_clear(&f);
}

TEST(contribute_reverts) {
  tf f;
  tf_init(&f, 3, 0, 0);
  ASSERT(empty_revert(&f, contribute(&f, K_W1, 1))); /* UNSET task */
  ASSERT_OK(init_task(&f, 0));
  /* Authorisation by someone else than the scheduler. */
  ASSERT(empty_revert(&f, contribute_full(&f, K_W1, 1, K_W2, 0, 65)));
  /* Malformed authorisation: a format error with a reason. */
  decc_status st = contribute_full(&f, K_W1, 1, K_SCHED, 0, 0);
  ASSERT_EQ(st, DECC_E_REVERT);
  ASSERT_STR_EQ(f.fx.revert.reason, "invalid-signature-format");
  /* Not enough balance for the stake. */
  acct(&f, K_W1)->balance = U(WPPRICE * 30 / 100 - 1);
  ASSERT_EQ(contribute(&f, K_W1, 1), DECC_E_REVERT);
  ASSERT_STR_EQ(f.fx.revert.reason,
                "IexecEscrow: Transfer amount exceeds balance");
  acct(&f, K_W1)->balance = U(WPPRICE * 30 / 100);
  ASSERT_OK(contribute(&f, K_W1, 1));
  ASSERT_EQ(u64(&acct(&f, K_W1)->balance), 0);
  /* Twice. */
  acct(&f, K_W1)->balance = U(WPPRICE);
  ASSERT(empty_revert(&f, contribute(&f, K_W1, 0)));
  /* At the contribution deadline. */
  f.env.timestamp = T0 + 7 * TREF;
  ASSERT(empty_revert(&f, contribute(&f, K_W2, 1)));
  f.env.timestamp = T0 + 7 * TREF - 1;
  ASSERT_OK(contribute(&f, K_W2, 0));
  tf_clear(&f);
}

TEST(contribute_tee_enclave_and_teebroker) {
  tf f;
  tf_init(&f, 1, 1, 0);
  ASSERT_OK(init_task(&f, 0));
  /* TEE deal: an enclave challenge is required. */
  ASSERT(empty_revert(&f, contribute(&f, K_W1, 1)));
  /* Enclave signature by another key. */
  uint8_t dg[32], rh[32], rs[32], asig[65], esig[65], m[32], sk[32];
  decc_address w = tw_addr_of_key(K_W1), ec = tw_addr_of_key(K_ENC);
  digest_of(dg, 1);
  decc_poco_result_hash(rh, f.task_id, dg);
  decc_poco_result_seal(rs, &w, f.task_id, dg);
  auth_sig(&f, asig, K_SCHED, K_W1, &ec);
  decc_poco_enclave_message(m, rh, rs);
  tw_key(sk, K_ENC + 1);
  ASSERT_OK(decc_eip191_sign(esig, sk, m, 32));
  ASSERT(empty_revert(
      &f, commit(&f, decc_poco_contribute(&f.env, f.task_id, &f.deal, &f.task,
                                          &w, rh, rs, &ec, esig, 65, asig, 65,
                                          &f.fx, NULL))));
  /* Missing enclave signature: format error. */
  ASSERT_EQ(decc_poco_contribute(&f.env, f.task_id, &f.deal, &f.task, &w, rh,
                                 rs, &ec, NULL, 0, asig, 65, &f.fx, NULL),
            DECC_E_REVERT);
  ASSERT_STR_EQ(f.fx.revert.reason, "invalid-signature-format");
  /* With a teebroker, the scheduler's authorisation is not enough... */
  f.env.teebroker = tw_addr_of_key(K_BROKER);
  ASSERT(empty_revert(&f, contribute_full(&f, K_W1, 1, K_SCHED, K_ENC, 65)));
  /* ...the broker's is. */
  ASSERT_OK(contribute_full(&f, K_W1, 1, K_BROKER, K_ENC, 65));
  decc_address want = tw_addr_of_key(K_ENC);
  ASSERT(decc_address_eq(&f.task.contributions[0].enclave_challenge, &want));
  tf_clear(&f);

  /* Non-TEE deal with a teebroker and no challenge: the scheduler signs. */
  tf_init(&f, 1, 0, 0);
  f.env.teebroker = tw_addr_of_key(K_BROKER);
  ASSERT_OK(init_task(&f, 0));
  ASSERT(empty_revert(&f, contribute_full(&f, K_W1, 1, K_BROKER, 0, 65)));
  ASSERT_OK(contribute_full(&f, K_W1, 1, K_SCHED, 0, 65));
  tf_clear(&f);
}

/* ---- full flows ------------------------------------------------------------------- */

TEST(trust1_contribute_reveal_finalize_pays_exactly) {
  tf f;
  tf_init(&f, 1, 0, 0);
  uint64_t supply = supply_of(&f);
  ASSERT_OK(init_task(&f, 0));
  ASSERT_OK(contribute(&f, K_W1, 1));
  /* Reveal with the wrong digest, by a non-contributor, then right. */
  ASSERT(empty_revert(&f, reveal(&f, K_W1, 0)));
  ASSERT(empty_revert(&f, reveal(&f, K_W2, 1)));
  ASSERT(empty_revert(&f, finalize(&f, K_SCHED))); /* 0 of 1 revealed */
  ASSERT_OK(reveal(&f, K_W1, 1));
  ASSERT_EQ(u64(&f.task.reveal_counter), 1);
  uint8_t dg[32];
  digest_of(dg, 1);
  ASSERT_MEM_EQ(f.task.result_digest, dg, 32);
  ASSERT(empty_revert(&f, reveal(&f, K_W1, 1))); /* already PROVED */
  ASSERT(empty_revert(&f, finalize(&f, K_W1)));  /* not the scheduler */
  /* No callback: a non-empty resultsCallback must hash to the digest. */
  ASSERT(empty_revert(&f, finalize_rcb(&f, K_SCHED, "nope")));
  ASSERT_OK(finalize_rcb(&f, K_SCHED, "good"));
  ASSERT_EQ(f.task.status, DECC_TASK_COMPLETED);
  ASSERT_EQ(f.task.results_len, 18);
  ASSERT(!f.fx.has_callback);
  /* app owner got its price; worker stake back + 99 % of the price; the
   * scheduler 1 % + its 30 % stake back. */
  decc_poco_account *app = tw_acc(&f.w, &f.deal.app.owner);
  ASSERT_EQ(u64(&app->balance), APPPRICE);
  uint64_t wr = WPPRICE * 99 / 100;
  ASSERT_EQ(u64(&acct(&f, K_W1)->balance), 100000000000ULL + wr);
  ASSERT_EQ(u64(&acct(&f, K_W1)->frozen), 0);
  ASSERT_EQ(u64(&acct(&f, K_SCHED)->balance),
            WPPRICE * 30 / 100 + (WPPRICE - wr));
  ASSERT_EQ(u64(&acct(&f, K_SCHED)->frozen), WPPRICE * 30 / 100);
  ASSERT_EQ(u64(&tw_acc(&f.w, &f.deal.sponsor)->frozen), APPPRICE + WPPRICE);
  ASSERT(books_balance(&f, supply));
  /* TaskFinalize carries abi.encode(bytes results). */
  decc_poco_log *last = &f.fx.logs[f.fx.n_logs - 1];
  ASSERT_EQ(decc_poco_event_from_topic(last->topics[0]), DECC_EV_TASK_FINALIZE);
  decc_abi_value *root = NULL;
  ASSERT_OK(decc_abi_decode(&root, "bytes", last->data, last->data_len,
                            DECC_ABI_CANONICAL, NULL));
  const uint8_t *p;
  size_t n;
  ASSERT_OK(decc_abi_get_bytes(decc_abi_item(root, 0), &p, &n));
  ASSERT_EQ(n, 18);
  ASSERT_MEM_EQ(p, "{\"storage\":\"ipfs\"}", 18);
  decc_abi_value_free(root);
  ASSERT(empty_revert(&f, finalize(&f, K_SCHED))); /* COMPLETED */
  ASSERT(empty_revert(&f, claim(&f)));
  tf_clear(&f);
}

TEST(trust3_partial_reveal_after_deadline) {
  tf f;
  tf_init(&f, 3, 0, 0);
  uint64_t supply = supply_of(&f);
  ASSERT_OK(init_task(&f, 0));
  ASSERT_OK(contribute(&f, K_W1, 1));
  ASSERT_EQ(f.task.status, DECC_TASK_ACTIVE); /* 2·3 > 3·2 is false */
  ASSERT_OK(contribute(&f, K_W2, 1));
  ASSERT_EQ(f.task.status, DECC_TASK_REVEALING); /* 4·3 > 5·2 */
  ASSERT_EQ(u64(&f.task.winner_counter), 2);
  ASSERT(empty_revert(&f, contribute(&f, K_W3, 1)));
  ASSERT_OK(reveal(&f, K_W1, 1));
  ASSERT(empty_revert(&f, finalize(&f, K_SCHED))); /* 1 of 2, too early */
  f.env.timestamp = T0 + 2 * TREF;                 /* reveal deadline */
  ASSERT(empty_revert(&f, reveal(&f, K_W2, 1)));
  decc_u256 s2 = U(9);
  decc_address w2 = tw_addr_of_key(K_W2);
  tw_set_score(&f.w, &w2, &s2);
  ASSERT_OK(finalize(&f, K_SCHED));
  /* W2 did not reveal: stake seized, score 9 → 6; W1 gets everything. */
  uint64_t stake = WPPRICE * 30 / 100;
  uint64_t total = WPPRICE + stake, workers = total * 99 / 100;
  ASSERT_EQ(u64(&acct(&f, K_W1)->balance), 100000000000ULL + workers);
  ASSERT_EQ(u64(&acct(&f, K_W2)->balance), 100000000000ULL - stake);
  ASSERT_EQ(u64(&acct(&f, K_W2)->frozen), 0);
  decc_u256 sc;
  ASSERT_OK(tw_score_cb(&f.w, &w2, &sc));
  ASSERT_EQ(u64(&sc), 6);
  decc_address w1 = tw_addr_of_key(K_W1);
  ASSERT_OK(tw_score_cb(&f.w, &w1, &sc));
  ASSERT_EQ(u64(&sc), 1);
  ASSERT(books_balance(&f, supply));
  tf_clear(&f);
}

TEST(trust3_scores_change_weights) {
  tf f;
  tf_init(&f, 3, 0, 0);
  decc_address w1 = tw_addr_of_key(K_W1);
  decc_u256 s = U(30); /* weight max(10, 3) − 1 = 9, log2 = 3 */
  tw_set_score(&f.w, &w1, &s);
  ASSERT_OK(init_task(&f, 0));
  ASSERT_OK(contribute(&f, K_W1, 1));
  /* group 9, total 10: 27 > 20 — one trusted worker suffices. */
  ASSERT_EQ(f.task.status, DECC_TASK_REVEALING);
  ASSERT_EQ(u64(&f.task.contributions[0].weight), 3);
  ASSERT_EQ(u64(&f.task.consensus_total), 10);
  tf_clear(&f);
}

TEST(reopen_rejects_silent_winners) {
  tf f;
  tf_init(&f, 3, 0, 0);
  ASSERT_OK(init_task(&f, 0));
  ASSERT_OK(contribute(&f, K_W1, 0));
  ASSERT_OK(contribute(&f, K_W3, 1));
  ASSERT_OK(contribute(&f, K_W2, 0)); /* 2 against 1: 4·3 > 7·2 is false */
  ASSERT_EQ(f.task.status, DECC_TASK_ACTIVE);
  ASSERT_OK(contribute(&f, K_W3 + 1, 0)); /* bad answer wins: 8·3 > 11·2 */
  ASSERT_EQ(f.task.status, DECC_TASK_REVEALING);
  ASSERT_EQ(u64(&f.task.winner_counter), 3);
  ASSERT(empty_revert(&f, reopen(&f, K_SCHED))); /* before reveal deadline */
  f.env.timestamp = T0 + 2 * TREF;
  ASSERT(empty_revert(&f, reopen(&f, K_W1))); /* not the scheduler */
  ASSERT_OK(reopen(&f, K_SCHED));
  ASSERT_EQ(f.task.status, DECC_TASK_ACTIVE);
  ASSERT_EQ(f.task.contributions[0].status, DECC_CONTRIB_REJECTED);
  ASSERT_EQ(f.task.contributions[1].status, DECC_CONTRIB_CONTRIBUTED);
  ASSERT_EQ(f.task.contributions[2].status, DECC_CONTRIB_REJECTED);
  ASSERT_EQ(f.task.contributions[3].status, DECC_CONTRIB_REJECTED);
  /* total = 1 + 2 + 2 + 2 + 4 − 8 = 3 */
  ASSERT_EQ(u64(&f.task.consensus_total), 3);
  ASSERT(decc__poco_is_zero32(f.task.consensus_value));
  ASSERT_EQ(decc_poco_event_from_topic(f.fx.logs[0].topics[0]),
            DECC_EV_TASK_REOPEN);
  ASSERT(empty_revert(&f, contribute(&f, K_W1, 1))); /* rejected */
  ASSERT(empty_revert(&f, reopen(&f, K_SCHED)));     /* ACTIVE */
  /* final deadline passes: claim refunds everyone (rejected included). */
  f.env.timestamp = T0 + 10 * TREF - 1;
  ASSERT(empty_revert(&f, claim(&f)));
  f.env.timestamp = T0 + 10 * TREF;
  uint64_t supply = supply_of(&f);
  ASSERT_OK(claim(&f));
  ASSERT_EQ(f.task.status, DECC_TASK_FAILED);
  for (int k = K_W1; k <= K_W3 + 1; k++) {
    ASSERT_EQ(u64(&acct(&f, k)->frozen), 0);
    ASSERT_EQ(u64(&acct(&f, k)->balance), 100000000000ULL);
  }
  decc_address kitty;
  decc_poco_kitty_address(&kitty);
  ASSERT_EQ(u64(&tw_acc(&f.w, &kitty)->frozen), WPPRICE * 30 / 100);
  ASSERT_EQ(u64(&tw_acc(&f.w, &f.deal.sponsor)->balance), APPPRICE + WPPRICE);
  ASSERT(books_balance(&f, supply));
  ASSERT(empty_revert(&f, claim(&f)));
  tf_clear(&f);
}

TEST(reopen_needs_no_reveal_and_final_deadline) {
  tf f;
  tf_init(&f, 1, 0, 0);
  ASSERT_OK(init_task(&f, 0));
  ASSERT_OK(contribute(&f, K_W1, 1));
  ASSERT_OK(reveal(&f, K_W1, 1));
  f.env.timestamp = T0 + 2 * TREF;
  ASSERT(empty_revert(&f, reopen(&f, K_SCHED))); /* revealCounter 1 */
  tf_clear(&f);
  tf_init(&f, 1, 0, 0);
  ASSERT_OK(init_task(&f, 0));
  f.env.timestamp = T0 + 6 * TREF;
  ASSERT_OK(contribute(&f, K_W1, 1)); /* reveal deadline 8T < final 10T */
  f.env.timestamp = T0 + 10 * TREF;
  ASSERT(empty_revert(&f, reopen(&f, K_SCHED)));   /* final deadline */
  ASSERT(empty_revert(&f, finalize(&f, K_SCHED))); /* idem */
  ASSERT_OK(claim(&f));
  tf_clear(&f);
}

TEST(finalize_with_callback) {
  tf f;
  tf_init(&f, 1, 0, 1);
  ASSERT_OK(init_task(&f, 0));
  ASSERT_OK(contribute(&f, K_W1, 1));
  ASSERT_OK(reveal(&f, K_W1, 1));
  /* A callback deal needs keccak256(resultsCallback) == resultDigest. */
  ASSERT(empty_revert(&f, finalize(&f, K_SCHED)));
  ASSERT(empty_revert(&f, finalize_rcb(&f, K_SCHED, "bad")));
  ASSERT_OK(finalize_rcb(&f, K_SCHED, "good"));
  ASSERT(f.fx.has_callback);
  ASSERT(decc_address_eq(&f.fx.callback, &f.deal.callback));
  ASSERT_EQ(f.fx.callback_gas, 100000);
  decc_abi_value *root = NULL;
  ASSERT_OK(decc_abi_decode_call(&root, "receiveResult(bytes32,bytes)",
                                 f.fx.callback_data, f.fx.callback_data_len,
                                 DECC_ABI_CANONICAL, NULL));
  uint8_t tid[32];
  const uint8_t *p;
  size_t n;
  ASSERT_OK(decc_abi_get_bytes32(decc_abi_item(root, 0), tid));
  ASSERT_MEM_EQ(tid, f.task_id, 32);
  ASSERT_OK(decc_abi_get_bytes(decc_abi_item(root, 1), &p, &n));
  ASSERT_EQ(n, 4);
  ASSERT_MEM_EQ(p, "good", 4);
  decc_abi_value_free(root);
  ASSERT_EQ(f.task.results_callback_len, 4);
  tf_clear(&f);
}

/* ---- contributeAndFinalize ------------------------------------------------------------ */

static decc_status caf(tf *f, int worker, const char *rcb, int enclave_key,
                       int honest) {
  uint8_t dg[32], asig[65], esig[65] = {0};
  decc_address w = tw_addr_of_key(worker), ec;
  memset(&ec, 0, sizeof ec);
  if (rcb)
    decc_keccak256(dg, rcb, strlen(rcb));
  else
    digest_of(dg, honest);
  if (enclave_key) {
    ec = tw_addr_of_key(enclave_key);
    uint8_t rh[32], rs[32], m[32], sk[32];
    decc_poco_result_hash(rh, f->task_id, dg);
    decc_poco_result_seal(rs, &w, f->task_id, dg);
    decc_poco_enclave_message(m, rh, rs);
    tw_key(sk, enclave_key);
    if (decc_eip191_sign(esig, sk, m, 32))
      abort();
  }
  auth_sig(f, asig, K_SCHED, worker, &ec);
  return commit(f, decc_poco_contribute_and_finalize(
                       &f->env, f->task_id, &f->deal, &f->task, &w, dg,
                       (const uint8_t *)"r", 1, (const uint8_t *)rcb,
                       rcb ? strlen(rcb) : 0, &ec, esig, enclave_key ? 65 : 0,
                       asig, 65, &f->fx, NULL));
}

TEST(contribute_and_finalize_tee_callback) {
  tf f;
  tf_init(&f, 1, 1, 1);
  uint64_t supply = supply_of(&f);
  ASSERT_OK(init_task(&f, 0));
  ASSERT(empty_revert(&f, caf(&f, K_W1, "cb", 0, 1))); /* TEE: no challenge */
  ASSERT(empty_revert(&f, caf(&f, K_W1, NULL, K_ENC, 1))); /* callback */
  f.env.timestamp = T0 + 50;
  ASSERT_OK(caf(&f, K_W1, "cb", K_ENC, 1));
  ASSERT_EQ(f.task.status, DECC_TASK_COMPLETED);
  ASSERT_EQ(u64(&f.task.reveal_deadline), T0 + 50 + 2 * TREF);
  ASSERT_EQ(u64(&f.task.reveal_counter), 1);
  ASSERT_EQ(u64(&f.task.winner_counter), 1);
  ASSERT_EQ(f.task.contributions[0].status, DECC_CONTRIB_PROVED);
  ASSERT_EQ(u64(&f.task.contributions[0].weight), 0);
  ASSERT_EQ(u64(&f.task.consensus_total), 1); /* consensus untouched */
  ASSERT(f.fx.has_callback);
  /* No stake locked: the worker only gains. */
  uint64_t wr = WPPRICE * 99 / 100;
  ASSERT_EQ(u64(&acct(&f, K_W1)->balance), 100000000000ULL + wr);
  ASSERT_EQ(u64(&acct(&f, K_W1)->frozen), 0);
  ASSERT(books_balance(&f, supply));
  int n = (int)f.fx.n_logs;
  ASSERT_EQ(decc_poco_event_from_topic(f.fx.logs[n - 4].topics[0]),
            DECC_EV_TASK_CONTRIBUTE);
  ASSERT_EQ(decc_poco_event_from_topic(f.fx.logs[n - 3].topics[0]),
            DECC_EV_TASK_CONSENSUS);
  ASSERT_EQ(decc_poco_event_from_topic(f.fx.logs[n - 2].topics[0]),
            DECC_EV_TASK_REVEAL);
  ASSERT_EQ(decc_poco_event_from_topic(f.fx.logs[n - 1].topics[0]),
            DECC_EV_TASK_FINALIZE);
  ASSERT(empty_revert(&f, caf(&f, K_W2, "cb", K_ENC, 1)));
  tf_clear(&f);
}

TEST(contribute_and_finalize_reverts) {
  tf f;
  tf_init(&f, 3, 0, 0);
  ASSERT_OK(init_task(&f, 0));
  ASSERT(empty_revert(&f, caf(&f, K_W1, NULL, 0, 1))); /* trust 3 */
  tf_clear(&f);
  tf_init(&f, 1, 0, 0);
  ASSERT(empty_revert(&f, caf(&f, K_W1, NULL, 0, 1))); /* UNSET */
  ASSERT_OK(init_task(&f, 0));
  /* A results callback on a deal without callback must match the digest. */
  ASSERT_OK(caf(&f, K_W1, "whatever", 0, 1));
  tf_clear(&f);
  tf_init(&f, 1, 0, 0);
  ASSERT_OK(init_task(&f, 0));
  f.env.timestamp = T0 + 7 * TREF;
  ASSERT(empty_revert(&f, caf(&f, K_W1, NULL, 0, 1))); /* deadline */
  tf_clear(&f);
  tf_init(&f, 1, 0, 0);
  ASSERT_OK(init_task(&f, 0));
  f.env.timestamp = T0 + TREF;
  ASSERT_OK(contribute(&f, K_W2, 1));
  ASSERT(empty_revert(&f, caf(&f, K_W1, NULL, 0, 1))); /* REVEALING */
  tf_clear(&f);
}

TEST(kitty_part_goes_to_the_scheduler) {
  tf f;
  tf_init(&f, 1, 0, 0);
  uint64_t supply = supply_of(&f);
  decc_address kitty;
  decc_poco_kitty_address(&kitty);
  /* Seed the kitty as a previous failure would have. */
  uint64_t stake = WPPRICE * 30 / 100;
  tw_acc(&f.w, &kitty)->frozen = U(stake);
  tw_acc(&f.w, &f.env.hub)->balance.w[0] += stake;
  supply += stake;
  ASSERT_OK(init_task(&f, 0));
  ASSERT_OK(caf(&f, K_W1, NULL, 0, 1));
  uint64_t part =
      stake * 10 / 100 < 1000000000ULL ? 1000000000ULL : stake * 10 / 100;
  ASSERT_EQ(u64(&tw_acc(&f.w, &kitty)->frozen), stake - part);
  ASSERT_EQ(u64(&acct(&f, K_SCHED)->balance),
            stake + part + (WPPRICE - WPPRICE * 99 / 100));
  ASSERT(books_balance(&f, supply));
  tf_clear(&f);
}
