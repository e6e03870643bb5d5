/*
 * test_escrow.c — PoCo's escrow primitives and payment rules: the
 * in-memory applier (every move kind, every revert, atomicity, supply
 * conservation over random move sequences), successWork's kitty fraction,
 * failedWork, distributeRewards' weighted split with mulDiv rounding and
 * score updates, and distributeRewardsFast.
 */
#include <stdlib.h>

#include "decc/mem.h"
#include "poco/poco_int.h"
#include "poco_testworld.h"
#include "test.h"

static decc_address A(uint8_t t) { return tw_addr(t); }

static uint64_t u64(const decc_u256 *v) {
  uint64_t x = 0;
  if (!decc_u256_to_u64(&x, v))
    return UINT64_MAX;
  return x;
}

static decc_poco_move mv(decc_poco_move_kind k, uint8_t who, uint64_t amount) {
  decc_poco_move m;
  memset(&m, 0, sizeof m);
  m.kind = k;
  m.account = A(who);
  m.amount = U(amount);
  return m;
}

TEST(escrow_apply_each_move) {
  decc_poco_accounts t;
  decc_poco_accounts_init(&t);
  decc_address hub = A(0x11), a = A(1);
  decc_u256 z = U(0), hundred = U(100);
  ASSERT_OK(decc_poco_accounts_set(&t, &a, &hundred, &z));
  decc_poco_move m[5] = {mv(DECC_POCO_LOCK, 1, 60), mv(DECC_POCO_UNLOCK, 1, 10),
                         mv(DECC_POCO_SEIZE, 1, 20),
                         mv(DECC_POCO_REWARD, 2, 20),
                         mv(DECC_POCO_FREEZE, 3, 7)};
  decc_poco_revert rev;
  ASSERT_OK(decc_poco_escrow_apply(&t, &hub, m, 5, &rev, NULL));
  const decc_poco_account *ea = decc_poco_accounts_find(&t, &a);
  decc_address b = A(2), c = A(3);
  const decc_poco_account *eb = decc_poco_accounts_find(&t, &b);
  const decc_poco_account *ec = decc_poco_accounts_find(&t, &c);
  const decc_poco_account *eh = decc_poco_accounts_find(&t, &hub);
  ASSERT(ea && eb && ec && eh);
  ASSERT_EQ(u64(&ea->balance), 50);
  ASSERT_EQ(u64(&ea->frozen), 30); /* 60 − 10 − 20 */
  ASSERT_EQ(u64(&eb->balance), 20);
  ASSERT_EQ(u64(&ec->frozen), 7);
  ASSERT_EQ(u64(&ec->balance), 0);
  ASSERT_EQ(u64(&eh->balance), 30); /* 60 − 10 − 20 */
  decc_u256 bs, fs;
  ASSERT_OK(decc_poco_accounts_total(&t, &bs, &fs));
  ASSERT_EQ(u64(&bs), 100);
  ASSERT_EQ(u64(&fs), 37);
  decc_poco_accounts_clear(&t);
}

static void expect_move_revert(decc_poco_move *m, size_t n,
                               decc_poco_revert_kind kind, const char *reason,
                               int *ok) {
  decc_poco_accounts t;
  decc_poco_accounts_init(&t);
  decc_address hub = A(0x11), a = A(1);
  decc_u256 z = U(0), hundred = U(100);
  *ok = decc_poco_accounts_set(&t, &a, &hundred, &z) == DECC_OK;
  decc_poco_accounts snap = t;
  decc_poco_account saved[4];
  memcpy(saved, t.v, t.n * sizeof *t.v);
  decc_poco_revert rev;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_poco_escrow_apply(&t, &hub, m, n, &rev, &err);
  *ok = *ok && st == DECC_E_REVERT && rev.kind == kind &&
        (!reason || strcmp(rev.reason, reason) == 0) && err.msg[0] &&
        t.n == snap.n && memcmp(t.v, saved, t.n * sizeof *t.v) == 0;
  if (!*ok)
    fprintf(stderr, "  got %d kind %d '%s'\n", st, rev.kind, rev.reason);
  decc_poco_accounts_clear(&t);
}

TEST(escrow_reverts_are_atomic) {
  int ok;
  decc_poco_move m1[] = {mv(DECC_POCO_LOCK, 1, 50), mv(DECC_POCO_LOCK, 1, 51)};
  expect_move_revert(m1, 2, DECC_POCO_REVERT_ERROR,
                     "IexecEscrow: Transfer amount exceeds balance", &ok);
  ASSERT(ok);
  decc_poco_move m2[] = {mv(DECC_POCO_LOCK, 1, 50), mv(DECC_POCO_LOCK, 0, 0)};
  memset(&m2[1].account, 0, sizeof m2[1].account);
  expect_move_revert(m2, 2, DECC_POCO_REVERT_ERROR,
                     "IexecEscrow: Transfer from empty address", &ok);
  ASSERT(ok);
  decc_poco_move m3[] = {mv(DECC_POCO_LOCK, 1, 50), mv(DECC_POCO_REWARD, 0, 1)};
  memset(&m3[1].account, 0, sizeof m3[1].account);
  expect_move_revert(m3, 2, DECC_POCO_REVERT_ERROR,
                     "IexecEscrow: Transfer to empty address", &ok);
  ASSERT(ok);
  /* Seize more than frozen: checked subtraction. */
  decc_poco_move m4[] = {mv(DECC_POCO_LOCK, 1, 50), mv(DECC_POCO_SEIZE, 1, 51)};
  expect_move_revert(m4, 2, DECC_POCO_REVERT_PANIC, NULL, &ok);
  ASSERT(ok);
  /* Unlock to an account with nothing frozen: the hub pays, then the
   * frozen subtraction underflows. */
  decc_poco_move m5[] = {mv(DECC_POCO_LOCK, 1, 50), mv(DECC_POCO_UNLOCK, 2, 5)};
  expect_move_revert(m5, 2, DECC_POCO_REVERT_PANIC, NULL, &ok);
  ASSERT(ok);
  /* Reward above the hub's balance. */
  decc_poco_move m6[] = {mv(DECC_POCO_LOCK, 1, 50),
                         mv(DECC_POCO_REWARD, 2, 51)};
  expect_move_revert(m6, 2, DECC_POCO_REVERT_ERROR,
                     "IexecEscrow: Transfer amount exceeds balance", &ok);
  ASSERT(ok);
}

static uint64_t rs = 88172645463325252ULL;
static uint64_t rnd(void) {
  rs ^= rs << 13;
  rs ^= rs >> 7;
  rs ^= rs << 17;
  return rs;
}

TEST(escrow_random_sequences_conserve_supply) {
  decc_poco_accounts t;
  decc_poco_accounts_init(&t);
  decc_address hub = A(0x11);
  decc_u256 z = U(0);
  for (uint8_t i = 1; i <= 4; i++) {
    decc_address a = A(i);
    decc_u256 b = U(1000);
    ASSERT_OK(decc_poco_accounts_set(&t, &a, &b, &z));
  }
  int applied = 0, reverted = 0;
  for (int it = 0; it < 3000; it++) {
    decc_poco_move m[3];
    for (int k = 0; k < 3; k++)
      m[k] = mv((decc_poco_move_kind)(1 + rnd() % 4), (uint8_t)(1 + rnd() % 4),
                rnd() % 300);
    /* seize and reward in pairs keep the hub covering frozen amounts */
    decc_status st = decc_poco_escrow_apply(&t, &hub, m, 3, NULL, NULL);
    if (st == DECC_OK)
      applied++;
    else if (st == DECC_E_REVERT)
      reverted++;
    else
      ASSERT_OK(st);
    decc_u256 bs;
    ASSERT_OK(decc_poco_accounts_total(&t, &bs, NULL));
    ASSERT_EQ(u64(&bs), 4000);
  }
  ASSERT(applied > 100);
  ASSERT(reverted > 100);
  decc_poco_accounts_clear(&t);
}

/* ---- payment rules through the overlay ---------------------------------------------- */

typedef struct fixture {
  tw w;
  decc_poco_world world;
  decc_poco_env env;
  decc_poco_deal deal;
  uint8_t task_id[32];
} fixture;

static void fixture_init(fixture *f, uint64_t app, uint64_t ds, uint64_t wp) {
  memset(f, 0, sizeof *f);
  tw_init(&f->w);
  f->world = tw_world(&f->w);
  f->env.world = &f->world;
  f->env.hub = A(0x11);
  if (decc_poco_deal_init(&f->deal))
    abort();
  f->deal.app.owner = A(0xA0);
  f->deal.app.price = U(app);
  f->deal.dataset.pointer = A(0xD1);
  f->deal.dataset.owner = A(0xD0);
  f->deal.dataset.price = U(ds);
  f->deal.workerpool.owner = A(0xB0);
  f->deal.workerpool.price = U(wp);
  f->deal.sponsor = A(0x50);
  f->deal.worker_stake = U(wp * 30 / 100);
  f->deal.scheduler_reward_ratio = U(1);
  memset(f->task_id, 0x7A, 32);
  /* What matchOrders locked for one task. */
  decc_poco_account *s = tw_acc(&f->w, &f->deal.sponsor);
  s->frozen = U(app + ds + wp);
  decc_poco_account *p = tw_acc(&f->w, &f->deal.workerpool.owner);
  p->frozen = U(wp * 30 / 100);
  decc_poco_account *h = tw_acc(&f->w, &f->env.hub);
  h->balance = U(app + ds + wp + wp * 30 / 100);
}

static void set_kitty(fixture *f, const decc_u256 *frozen) {
  decc_address k;
  decc_poco_kitty_address(&k);
  decc_poco_account *e = tw_acc(&f->w, &k);
  e->frozen = *frozen;
  decc_poco_account *h = tw_acc(&f->w, &f->env.hub);
  if (decc_u256_add(&h->balance, &h->balance, frozen))
    h->balance = U(0);
}

TEST(success_work_kitty_fraction) {
  /* kitty values around KITTY_MIN and the 10 % threshold */
  static const uint64_t kitties[] = {
      0,          1,           999999999,   1000000000,      5000000000,
      9999999999, 10000000000, 10000000001, 123456789012345, UINT64_MAX / 20};
  for (size_t i = 0; i < sizeof kitties / sizeof kitties[0]; i++) {
    fixture f;
    fixture_init(&f, 5, 3, 1000000007);
    decc_u256 k = U(kitties[i]);
    set_kitty(&f, &k);
    decc_poco_effects fx;
    decc_poco_effects_init(&fx);
    ASSERT_OK(decc__poco_success_work(&f.env, &fx, &f.deal, f.task_id));
    uint64_t kv = kitties[i];
    uint64_t part = kv * 10 / 100;
    if (part < DECC_POCO_KITTY_MIN)
      part = DECC_POCO_KITTY_MIN;
    if (part > kv)
      part = kv;
    /* moves: seize sponsor, reward app, reward dataset, unlock pool
     * [, seize kitty, reward pool]. */
    ASSERT_EQ(fx.n_moves, kv ? 6 : 4);
    ASSERT_EQ(fx.moves[0].kind, DECC_POCO_SEIZE);
    ASSERT_EQ(u64(&fx.moves[0].amount), 1000000015ULL);
    ASSERT_EQ(u64(&fx.moves[3].amount), 300000002ULL); /* floor(30 %) */
    if (kv) {
      ASSERT_EQ(fx.moves[4].kind, DECC_POCO_SEIZE);
      ASSERT_EQ(u64(&fx.moves[4].amount), part);
      ASSERT_EQ(fx.moves[5].kind, DECC_POCO_REWARD);
      ASSERT_EQ(u64(&fx.moves[5].amount), part);
    }
    decc_address kitty;
    decc_poco_kitty_address(&kitty);
    const decc_poco_account *ke = decc_poco_accounts_find(&fx.accounts, &kitty);
    ASSERT(ke != NULL);
    ASSERT_EQ(u64(&ke->frozen), kv - part);
    decc_poco_effects_clear(&fx);
    decc_poco_deal_clear(&f.deal);
  }
  /* kitty × 10 overflowing: panic, as Solidity's checked multiply. */
  fixture f;
  fixture_init(&f, 5, 3, 10);
  decc_u256 huge;
  ASSERT_OK(decc_u256_parse(
      &huge,
      "0x2000000000000000000000000000000000000000000000000000000000000000"));
  set_kitty(&f, &huge);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_EQ(decc__poco_success_work(&f.env, &fx, &f.deal, f.task_id),
            DECC_E_REVERT);
  ASSERT_EQ(fx.revert.panic, 0x11);
  decc_poco_effects_clear(&fx);
  decc_poco_deal_clear(&f.deal);
}

TEST(success_work_skips_zero_prices_and_missing_dataset) {
  fixture f;
  fixture_init(&f, 0, 9, 100);
  memset(&f.deal.dataset.pointer, 0, sizeof(decc_address));
  f.deal.dataset.price = U(0);
  tw_acc(&f.w, &f.deal.sponsor)->frozen = U(100);
  tw_acc(&f.w, &f.env.hub)->balance = U(130);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_OK(decc__poco_success_work(&f.env, &fx, &f.deal, f.task_id));
  ASSERT_EQ(fx.n_moves, 2); /* seize sponsor, unlock pool */
  ASSERT_EQ(fx.moves[1].kind, DECC_POCO_UNLOCK);
  ASSERT_EQ(u64(&fx.moves[1].amount), 30);
  /* Logs: Seize, Transfer, Unlock. */
  ASSERT_EQ(fx.n_logs, 3);
  ASSERT_EQ(decc_poco_event_from_topic(fx.logs[0].topics[0]), DECC_EV_SEIZE);
  ASSERT_EQ(fx.logs[0].data_len, 96);
  ASSERT_MEM_EQ(fx.logs[0].data + 64, f.task_id, 32);
  ASSERT_EQ(decc_poco_event_from_topic(fx.logs[2].topics[0]), DECC_EV_UNLOCK);
  ASSERT_EQ(fx.logs[2].data_len, 64);
  decc_poco_effects_clear(&fx);
  decc_poco_deal_clear(&f.deal);
}

TEST(failed_work_refunds_and_feeds_kitty) {
  fixture f;
  fixture_init(&f, 5, 3, 1000000007);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_OK(decc__poco_failed_work(&f.env, &fx, &f.deal, f.task_id));
  ASSERT_EQ(fx.n_moves, 3);
  ASSERT_EQ(fx.moves[0].kind, DECC_POCO_UNLOCK);
  ASSERT_EQ(u64(&fx.moves[0].amount), 1000000015ULL);
  ASSERT_EQ(fx.moves[1].kind, DECC_POCO_SEIZE);
  ASSERT_EQ(u64(&fx.moves[1].amount), 300000002ULL);
  ASSERT_EQ(fx.moves[2].kind, DECC_POCO_FREEZE);
  decc_address kitty;
  decc_poco_kitty_address(&kitty);
  ASSERT(decc_address_eq(&fx.moves[2].account, &kitty));
  /* Transfer, Unlock, Seize, Reward(kitty), Lock(kitty): no transfer for
   * the kitty. */
  static const decc_poco_event evs[] = {DECC_EV_TRANSFER, DECC_EV_UNLOCK,
                                        DECC_EV_SEIZE, DECC_EV_REWARD,
                                        DECC_EV_LOCK};
  ASSERT_EQ(fx.n_logs, 5);
  for (int i = 0; i < 5; i++)
    ASSERT_EQ(decc_poco_event_from_topic(fx.logs[i].topics[0]), evs[i]);
  ASSERT_MEM_EQ(fx.logs[3].data + 12, kitty.b, 20);
  /* The hub still covers every frozen amount. */
  ASSERT_OK(tw_apply(&f.w, &fx));
  decc_u256 bal, frz;
  tw_totals(&f.w, &bal, &frz);
  const decc_poco_account *h = tw_acc(&f.w, &f.env.hub);
  ASSERT_EQ(decc_u256_cmp(&h->balance, &frz), 0);
  decc_poco_effects_clear(&fx);
  decc_poco_deal_clear(&f.deal);
}

static void add_contrib(decc_poco_task *t, uint8_t who,
                        decc_poco_contribution_status st, uint64_t weight) {
  t->contributions =
      decc_realloc(t->contributions,
                   (t->n_contributions + 1) * sizeof(decc_poco_contribution));
  decc_poco_contribution *c = &t->contributions[t->n_contributions++];
  memset(c, 0, sizeof *c);
  c->worker = A(who);
  c->status = st;
  c->weight = U(weight);
}

TEST(distribute_rewards_weights_rounding_and_scores) {
  fixture f;
  fixture_init(&f, 0, 0, 1000);
  f.deal.scheduler_reward_ratio = U(7);
  f.deal.worker_stake = U(301);
  /* Three proved (weights 1, 2, 4), one unrevealed, one rejected. */
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  decc_poco_task_init(&fx.task);
  add_contrib(&fx.task, 1, DECC_CONTRIB_PROVED, 1);
  add_contrib(&fx.task, 2, DECC_CONTRIB_PROVED, 2);
  add_contrib(&fx.task, 3, DECC_CONTRIB_CONTRIBUTED, 1);
  add_contrib(&fx.task, 4, DECC_CONTRIB_PROVED, 4);
  add_contrib(&fx.task, 5, DECC_CONTRIB_REJECTED, 3);
  for (uint8_t w = 1; w <= 5; w++) {
    decc_address a = A(w);
    tw_acc(&f.w, &a)->frozen = U(301);
    decc_u256 s = U(10 * w);
    tw_set_score(&f.w, &a, &s);
  }
  tw_acc(&f.w, &f.env.hub)->balance = U(1000 + 5 * 301);
  ASSERT_OK(decc__poco_distribute_rewards(&f.env, &fx, &f.deal, f.task_id));
  /* totalReward = 1000 + 2 × 301 = 1602; workers = 1602 × 93 / 100 = 1489;
   * shares floor(1489 × w / 7): 212, 425, 850; scheduler 1602 − 1487. */
  uint64_t total = 1000 + 2 * 301, workers = total * 93 / 100;
  uint64_t r1 = workers * 1 / 7, r2 = workers * 2 / 7, r4 = workers * 4 / 7;
  decc_address w1 = A(1), w2 = A(2), w3 = A(3), w4 = A(4), w5 = A(5);
  const decc_poco_account *e;
  e = decc_poco_accounts_find(&fx.accounts, &w1);
  ASSERT_EQ(u64(&e->balance), 301 + r1);
  ASSERT_EQ(u64(&e->frozen), 0);
  e = decc_poco_accounts_find(&fx.accounts, &w2);
  ASSERT_EQ(u64(&e->balance), 301 + r2);
  e = decc_poco_accounts_find(&fx.accounts, &w4);
  ASSERT_EQ(u64(&e->balance), 301 + r4);
  e = decc_poco_accounts_find(&fx.accounts, &w3);
  ASSERT_EQ(u64(&e->balance), 0);
  ASSERT_EQ(u64(&e->frozen), 0);
  e = decc_poco_accounts_find(&fx.accounts, &w5);
  ASSERT_EQ(u64(&e->frozen), 0);
  e = decc_poco_accounts_find(&fx.accounts, &f.deal.workerpool.owner);
  ASSERT_EQ(u64(&e->balance), total - r1 - r2 - r4);
  e = decc_poco_accounts_find(&fx.accounts, &f.env.hub);
  ASSERT_EQ(u64(&e->balance), 0);
  /* Scores: proved +1, others × 2 / 3 (floor). */
  ASSERT_EQ(fx.n_scores, 5);
  uint64_t want[6] = {0, 11, 21, 30 * 2 / 3, 41, 50 * 2 / 3};
  for (size_t i = 0; i < fx.n_scores; i++) {
    uint8_t who = fx.scores[i].worker.b[1];
    ASSERT_EQ(u64(&fx.scores[i].score), want[who]);
  }
  int accurate = 0, faulty = 0;
  for (size_t i = 0; i < fx.n_logs; i++) {
    decc_poco_event ev = decc_poco_event_from_topic(fx.logs[i].topics[0]);
    if (ev == DECC_EV_ACCURATE_CONTRIBUTION) {
      accurate++;
      ASSERT_EQ(fx.logs[i].n_topics, 3);
      ASSERT_MEM_EQ(fx.logs[i].topics[2], f.task_id, 32);
    }
    faulty += ev == DECC_EV_FAULTY_CONTRIBUTION;
  }
  ASSERT_EQ(accurate, 3);
  ASSERT_EQ(faulty, 2);
  decc_poco_effects_clear(&fx);
  decc_poco_deal_clear(&f.deal);
}

TEST(distribute_rewards_single_contributor_keeps_score) {
  fixture f;
  fixture_init(&f, 0, 0, 999);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  add_contrib(&fx.task, 1, DECC_CONTRIB_PROVED, 1);
  decc_address w1 = A(1);
  tw_acc(&f.w, &w1)->frozen = U(299);
  tw_acc(&f.w, &f.env.hub)->balance = U(999 + 299);
  ASSERT_OK(decc__poco_distribute_rewards(&f.env, &fx, &f.deal, f.task_id));
  ASSERT_EQ(fx.n_scores, 0);
  const decc_poco_account *e = decc_poco_accounts_find(&fx.accounts, &w1);
  ASSERT_EQ(u64(&e->balance), 299 + 999 * 99 / 100);
  e = decc_poco_accounts_find(&fx.accounts, &f.deal.workerpool.owner);
  ASSERT_EQ(u64(&e->balance), 999 - 999 * 99 / 100);
  decc_poco_effects_clear(&fx);
  decc_poco_deal_clear(&f.deal);
}

TEST(distribute_rewards_fast_ratios) {
  static const uint64_t ratios[] = {0, 1, 33, 99, 100};
  for (size_t i = 0; i < 5; i++) {
    fixture f;
    fixture_init(&f, 0, 0, 1000000007);
    f.deal.scheduler_reward_ratio = U(ratios[i]);
    tw_acc(&f.w, &f.env.hub)->balance = U(1000000007);
    decc_poco_effects fx;
    decc_poco_effects_init(&fx);
    decc_address w = A(9);
    ASSERT_OK(decc__poco_distribute_rewards_fast(&f.env, &fx, &f.deal,
                                                 f.task_id, &w));
    uint64_t wr = 1000000007ULL * (100 - ratios[i]) / 100;
    ASSERT_EQ(u64(&fx.moves[0].amount), wr);
    ASSERT_EQ(u64(&fx.moves[1].amount), 1000000007ULL - wr);
    decc_poco_effects_clear(&fx);
    decc_poco_deal_clear(&f.deal);
  }
  /* A ratio above 100 underflows 100 − ratio: panic. */
  fixture f;
  fixture_init(&f, 0, 0, 10);
  f.deal.scheduler_reward_ratio = U(101);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  decc_address w = A(9);
  ASSERT_EQ(
      decc__poco_distribute_rewards_fast(&f.env, &fx, &f.deal, f.task_id, &w),
      DECC_E_REVERT);
  ASSERT_EQ(fx.revert.kind, DECC_POCO_REVERT_PANIC);
  decc_poco_effects_clear(&fx);
  decc_poco_deal_clear(&f.deal);
}

TEST(records_copy_and_views) {
  decc_poco_task t;
  decc_poco_task_init(&t);
  add_contrib(&t, 1, DECC_CONTRIB_PROVED, 3);
  t.status = DECC_TASK_COMPLETED;
  t.results = decc_malloc(3);
  memcpy(t.results, "abc", 3);
  t.results_len = 3;
  decc_poco_task c;
  ASSERT_OK(decc_poco_task_copy(&c, &t));
  decc_poco_task_clear(&t);
  ASSERT_EQ(c.n_contributions, 1);
  ASSERT_MEM_EQ(c.results, "abc", 3);
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_poco_task_abi(&b, &c));
  /* (uint8,bytes32,...,address[],bytes32,bytes,uint256,bytes) as one
   * dynamic tuple: offset word, then 15 head words. */
  ASSERT(b.len >= 32 + 15 * 32);
  ASSERT_EQ(b.data[31], 0x20);
  ASSERT_EQ(b.data[32 + 31], DECC_TASK_COMPLETED);
  decc_buf_reset(&b);
  ASSERT_OK(decc_poco_contribution_abi(&b, &c.contributions[0]));
  ASSERT_EQ(b.len, 5 * 32); /* static tuple: inline */
  ASSERT_EQ(b.data[31], DECC_CONTRIB_PROVED);
  decc_buf_reset(&b);
  decc_poco_deal d;
  ASSERT_OK(decc_poco_deal_init(&d));
  ASSERT_OK(decc_poco_deal_abi(&b, &d));
  ASSERT_EQ(b.data[31], 0x20);
  /* 9 resource words + 6 + params offset + 6 = 22 head words, then "" */
  ASSERT_EQ(b.len, 32 + 22 * 32 + 32);
  decc_buf_reset(&b);
  decc_u256 tr = U(300);
  ASSERT_OK(decc_poco_category_abi(&b, "XS", "{}", &tr));
  ASSERT_EQ(b.len, 32 + 3 * 32 + 2 * 64);
  decc_buf_clear(&b);
  decc_poco_deal_clear(&d);
  decc_poco_task_clear(&c);
}
