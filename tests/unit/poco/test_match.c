/*
 * test_match.c — matchOrders and friends against PoCo 6.1.0's rules: every
 * revert code reached by a crafted case (with the state left untouched),
 * the deal record, ids, consumed volumes, locks and logs of a successful
 * match, payments over many price combinations (including the division
 * order of the workerpool stake and prices above 2^64), signature forms
 * (65/64 bytes, presigned, ERC-1271, malformed), restrictions through
 * ERC-734 identities, order management, computeDealVolume,
 * assertDatasetDealCompatibility, event topics and revert data.
 */
#include <stdlib.h>

#include "decc/abi.h"
#include "decc/mem.h"
#include "poco_testworld.h"
#include "test.h"

enum {
  K_APP = 1,
  K_DS = 2,
  K_SCHED = 3,
  K_REQ = 4,
  K_SPONSOR = 8,
  K_OTHER = 9
};

typedef struct mkt {
  tw w;
  decc_poco_world world;
  decc_poco_env env;
  decc_address app_a, ds_a, wp_a;
  decc_order app, ds, wp, rq;
} mkt;

static void sign_all(mkt *m) {
  uint8_t sk[32];
  tw_key(sk, K_APP);
  if (decc_order_sign(&m->app, sk, m->env.domain_separator, 0))
    abort();
  tw_key(sk, K_DS);
  if (decc_order_sign(&m->ds, sk, m->env.domain_separator, 0))
    abort();
  tw_key(sk, K_SCHED);
  if (decc_order_sign(&m->wp, sk, m->env.domain_separator, 0))
    abort();
  tw_key(sk, K_REQ);
  if (decc_order_sign(&m->rq, sk, m->env.domain_separator, 0))
    abort();
}

/* A valid market: app 5 nRLC·1e9, dataset 3e9, workerpool 10e9, request
 * volume 3 (the smallest), category 0, trust 0, no tags. */
static void mkt_init(mkt *m) {
  memset(m, 0, sizeof *m);
  tw_init(&m->w);
  m->world = tw_world(&m->w);
  m->env.world = &m->world;
  m->env.hub = tw_addr(0x11);
  m->env.callback_gas = DECC_POCO_DEFAULT_CALLBACK_GAS;
  m->env.timestamp = 1700000000;
  decc_poco_domain_separator(m->env.domain_separator, 42161, &m->env.hub);
  m->app_a = tw_addr(0xA1);
  m->ds_a = tw_addr(0xD1);
  m->wp_a = tw_addr(0xB1);
  decc_address o;
  o = tw_addr_of_key(K_APP);
  tw_add_entry(&m->w, &m->app_a, &o, DECC_POCO_REG_APP);
  o = tw_addr_of_key(K_DS);
  tw_add_entry(&m->w, &m->ds_a, &o, DECC_POCO_REG_DATASET);
  o = tw_addr_of_key(K_SCHED);
  tw_add_entry(&m->w, &m->wp_a, &o, DECC_POCO_REG_WORKERPOOL);
  tw_set_balance(&m->w, &o, 1000000000000ULL);
  o = tw_addr_of_key(K_REQ);
  tw_set_balance(&m->w, &o, 1000000000000ULL);
  o = tw_addr_of_key(K_SPONSOR);
  tw_set_balance(&m->w, &o, 1000000000000ULL);

  if (decc_order_init(&m->app, DECC_ORDER_APP) ||
      decc_order_init(&m->ds, DECC_ORDER_DATASET) ||
      decc_order_init(&m->wp, DECC_ORDER_WORKERPOOL) ||
      decc_order_init(&m->rq, DECC_ORDER_REQUEST))
    abort();
  decc_apporder *a = &m->app.u.app;
  a->app = m->app_a;
  a->appprice = U(5000000000ULL);
  a->volume = U(10);
  memset(a->salt, 0x01, 32);
  decc_datasetorder *d = &m->ds.u.dataset;
  d->dataset = m->ds_a;
  d->datasetprice = U(3000000000ULL);
  d->volume = U(5);
  memset(d->salt, 0x02, 32);
  decc_workerpoolorder *w = &m->wp.u.workerpool;
  w->workerpool = m->wp_a;
  w->workerpoolprice = U(10000000000ULL);
  w->volume = U(8);
  memset(w->salt, 0x03, 32);
  decc_requestorder *r = &m->rq.u.request;
  r->app = m->app_a;
  r->appmaxprice = U(5000000000ULL);
  r->dataset = m->ds_a;
  r->datasetmaxprice = U(3000000000ULL);
  r->workerpoolmaxprice = U(10000000000ULL);
  r->requester = tw_addr_of_key(K_REQ);
  r->beneficiary = r->requester;
  r->volume = U(3);
  memset(r->salt, 0x04, 32);
  decc_free(r->params);
  r->params = decc_strdup("{\"iexec_args\":\"x\"}");
  sign_all(m);
}

static void mkt_clear(mkt *m) {
  decc_order_clear(&m->app);
  decc_order_clear(&m->ds);
  decc_order_clear(&m->wp);
  decc_order_clear(&m->rq);
}

static decc_status match(mkt *m, decc_poco_effects *fx) {
  decc_address sender = tw_addr_of_key(K_OTHER);
  return decc_poco_match_orders(&m->env, &m->app, &m->ds, &m->wp, &m->rq,
                                &sender, 0, fx, NULL);
}

static int fx_empty(const decc_poco_effects *fx) {
  return !fx->has_deal && !fx->has_task && fx->n_consumed == 0 &&
         fx->n_presigned == 0 && fx->n_scores == 0 && fx->n_moves == 0 &&
         fx->accounts.n == 0 && fx->n_logs == 0 && !fx->has_callback;
}

/* Runs matchOrders and checks it reverts with `reason` (NULL = empty
 * revert) leaving the world byte-identical and the effects empty. */
static int expect_revert(mkt *m, const char *reason) {
  tw before = m->w;
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  decc_status st = match(m, &fx);
  int ok = st == DECC_E_REVERT && fx_empty(&fx) &&
           memcmp(&before, &m->w, sizeof before) == 0;
  if (reason)
    ok = ok && fx.revert.kind == DECC_POCO_REVERT_ERROR &&
         strcmp(fx.revert.reason, reason) == 0;
  else
    ok = ok && fx.revert.kind == DECC_POCO_REVERT_EMPTY;
  if (!ok)
    fprintf(stderr, "  expected revert %s, got status %d kind %d \"%s\"\n",
            reason ? reason : "(empty)", st, fx.revert.kind, fx.revert.reason);
  decc_poco_effects_clear(&fx);
  return ok;
}

static int expect_ok(mkt *m) {
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  decc_status st = match(m, &fx);
  if (st)
    fprintf(stderr, "  expected success, got %d \"%s\"\n", st,
            decc_poco_revert_text(&fx.revert));
  decc_poco_effects_clear(&fx);
  return st == DECC_OK;
}

static void hex32(uint8_t out[32], const char *hex) {
  size_t n;
  uint8_t *b = decc_test_unhex(hex, &n);
  memset(out, 0, 32);
  if (b && n == 32)
    memcpy(out, b, 32);
}

/* ---- success ------------------------------------------------------------------ */

TEST(match_success_records_deal_locks_and_logs) {
  mkt m;
  mkt_init(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_OK(match(&m, &fx));

  uint8_t h[4][32];
  decc_order_hash(h[0], &m.app, m.env.domain_separator);
  decc_order_hash(h[1], &m.ds, m.env.domain_separator);
  decc_order_hash(h[2], &m.wp, m.env.domain_separator);
  decc_order_hash(h[3], &m.rq, m.env.domain_separator);
  /* dealid = keccak256(requestHash ‖ u256(0)), by hand. */
  uint8_t pre[64] = {0}, dealid[32];
  memcpy(pre, h[3], 32);
  decc_keccak256(dealid, pre, 64);
  ASSERT_MEM_EQ(fx.deal_id, dealid, 32);
  ASSERT(fx.has_deal);

  const decc_poco_deal *d = &fx.deal;
  decc_address app_owner = tw_addr_of_key(K_APP),
               ds_owner = tw_addr_of_key(K_DS), sched = tw_addr_of_key(K_SCHED),
               req = tw_addr_of_key(K_REQ);
  ASSERT(decc_address_eq(&d->app.pointer, &m.app_a));
  ASSERT(decc_address_eq(&d->app.owner, &app_owner));
  ASSERT(decc_address_eq(&d->dataset.owner, &ds_owner));
  ASSERT(decc_address_eq(&d->workerpool.owner, &sched));
  ASSERT(decc_address_eq(&d->sponsor, &req));
  ASSERT(decc_address_eq(&d->requester, &req));
  uint64_t v;
  ASSERT(decc_u256_to_u64(&v, &d->trust) && v == 1); /* max(0, 1) */
  ASSERT(decc_u256_to_u64(&v, &d->bot_first) && v == 0);
  ASSERT(decc_u256_to_u64(&v, &d->bot_size) && v == 3);
  ASSERT(decc_u256_to_u64(&v, &fx.volume) && v == 3);
  ASSERT(decc_u256_to_u64(&v, &d->start_time) && v == 1700000000);
  ASSERT(decc_u256_to_u64(&v, &d->worker_stake) && v == 3000000000ULL);
  ASSERT(decc_u256_to_u64(&v, &d->scheduler_reward_ratio) && v == 1);
  ASSERT_STR_EQ(d->params, "{\"iexec_args\":\"x\"}");

  /* consumed: every order += 3. */
  ASSERT_EQ(fx.n_consumed, 4);
  for (int i = 0; i < 4; i++) {
    ASSERT_MEM_EQ(fx.consumed[i].hash, h[i], 32);
    ASSERT(decc_u256_to_u64(&v, &fx.consumed[i].value) && v == 3);
  }

  /* locks: requester 18e9 × 3; scheduler (10e9 × 30 / 100) × 3. */
  ASSERT_EQ(fx.n_moves, 2);
  ASSERT_EQ(fx.moves[0].kind, DECC_POCO_LOCK);
  ASSERT(decc_u256_to_u64(&v, &fx.moves[0].amount) && v == 54000000000ULL);
  ASSERT(decc_address_eq(&fx.moves[0].account, &req));
  ASSERT(decc_u256_to_u64(&v, &fx.moves[1].amount) && v == 9000000000ULL);
  ASSERT(decc_address_eq(&fx.moves[1].account, &sched));
  const decc_poco_account *ra = decc_poco_accounts_find(&fx.accounts, &req);
  const decc_poco_account *ha =
      decc_poco_accounts_find(&fx.accounts, &m.env.hub);
  ASSERT(ra && ha);
  ASSERT(decc_u256_to_u64(&v, &ra->balance) &&
         v == 1000000000000ULL - 54000000000ULL);
  ASSERT(decc_u256_to_u64(&v, &ra->frozen) && v == 54000000000ULL);
  ASSERT(decc_u256_to_u64(&v, &ha->balance) && v == 63000000000ULL);

  /* logs: Transfer, Lock, Transfer, Lock, SchedulerNotice, OrdersMatched. */
  ASSERT_EQ(fx.n_logs, 6);
  static const decc_poco_event order[] = {
      DECC_EV_TRANSFER,         DECC_EV_LOCK,
      DECC_EV_TRANSFER,         DECC_EV_LOCK,
      DECC_EV_SCHEDULER_NOTICE, DECC_EV_ORDERS_MATCHED};
  for (int i = 0; i < 6; i++) {
    ASSERT_EQ(decc_poco_event_from_topic(fx.logs[i].topics[0]), order[i]);
    ASSERT(decc_address_eq(&fx.logs[i].address, &m.env.hub));
  }
  uint8_t t[32];
  hex32(t, "692ad61076dceddd0f1a861f737553dd61fc8501cf4190d29c4e90af6607f765");
  ASSERT_MEM_EQ(fx.logs[4].topics[0], t, 32);
  ASSERT_EQ(fx.logs[4].n_topics, 2);
  ASSERT_MEM_EQ(fx.logs[4].topics[1] + 12, m.wp_a.b, 20);
  ASSERT_EQ(fx.logs[4].data_len, 32);
  ASSERT_MEM_EQ(fx.logs[4].data, dealid, 32);
  hex32(t, "d811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f4610a4");
  ASSERT_MEM_EQ(fx.logs[5].topics[0], t, 32);
  ASSERT_EQ(fx.logs[5].data_len, 6 * 32);
  ASSERT_MEM_EQ(fx.logs[5].data, dealid, 32);
  for (int i = 0; i < 4; i++)
    ASSERT_MEM_EQ(fx.logs[5].data + 32 * (i + 1), h[i], 32);
  ASSERT_EQ(fx.logs[5].data[6 * 32 - 1], 3);
  /* Transfer(requester → hub, 54e9): indexed from/to. */
  ASSERT_EQ(fx.logs[0].n_topics, 3);
  ASSERT_MEM_EQ(fx.logs[0].topics[1] + 12, req.b, 20);
  ASSERT_MEM_EQ(fx.logs[0].topics[2] + 12, m.env.hub.b, 20);
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

TEST(match_partial_consumption_new_dealid_and_botfirst) {
  mkt m;
  mkt_init(&m);
  m.rq.u.request.volume = U(10);
  m.app.u.app.volume = U(100);
  m.ds.u.dataset.volume = U(100);
  m.wp.u.workerpool.volume = U(4);
  sign_all(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_OK(match(&m, &fx));
  ASSERT_OK(tw_apply(&m.w, &fx));
  uint8_t first[32];
  memcpy(first, fx.deal_id, 32);
  /* The workerpool order is exhausted now. */
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x60"));
  /* A fresh workerpool order: the request continues at botFirst 4. */
  memset(m.wp.u.workerpool.salt, 0x33, 32);
  sign_all(&m);
  ASSERT_OK(match(&m, &fx));
  uint8_t rh[32], pre[64] = {0}, want[32];
  decc_order_hash(rh, &m.rq, m.env.domain_separator);
  memcpy(pre, rh, 32);
  pre[63] = 4;
  decc_keccak256(want, pre, 64);
  ASSERT_MEM_EQ(fx.deal_id, want, 32);
  ASSERT(memcmp(fx.deal_id, first, 32) != 0);
  uint64_t v;
  ASSERT(decc_u256_to_u64(&v, &fx.deal.bot_first) && v == 4);
  ASSERT(decc_u256_to_u64(&v, &fx.volume) && v == 4);
  ASSERT(decc_u256_to_u64(&v, &fx.consumed[3].value) && v == 8);
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

TEST(match_without_dataset_and_sponsored) {
  mkt m;
  mkt_init(&m);
  decc_order_clear(&m.ds);
  ASSERT_OK(decc_order_init(&m.ds, DECC_ORDER_DATASET));
  m.ds.u.dataset.datasetprice = U(7); /* still checked against maxprice */
  memset(&m.rq.u.request.dataset, 0, sizeof(decc_address));
  m.rq.u.request.datasetmaxprice = U(6);
  sign_all(&m);
  m.ds.sign_len = 0;
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x04"));
  m.rq.u.request.datasetmaxprice = U(7);
  sign_all(&m);
  m.ds.sign_len = 0;
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  decc_address sponsor = tw_addr_of_key(K_SPONSOR);
  ASSERT_OK(decc_poco_match_orders(&m.env, &m.app, &m.ds, &m.wp, &m.rq,
                                   &sponsor, 1, &fx, NULL));
  ASSERT(decc_u256_is_zero(&fx.deal.dataset.price));
  ASSERT(decc_address_is_zero(&fx.deal.dataset.owner));
  ASSERT(decc_address_eq(&fx.deal.sponsor, &sponsor));
  ASSERT_EQ(fx.n_consumed, 3);
  ASSERT(decc_address_eq(&fx.moves[0].account, &sponsor));
  uint64_t v;
  ASSERT(decc_u256_to_u64(&v, &fx.moves[0].amount) && v == 45000000000ULL);
  ASSERT_EQ(fx.n_logs, 7);
  ASSERT_EQ(decc_poco_event_from_topic(fx.logs[6].topics[0]),
            DECC_EV_DEAL_SPONSORED);
  ASSERT_MEM_EQ(fx.logs[6].data, fx.deal_id, 32);
  ASSERT_MEM_EQ(fx.logs[6].data + 44, sponsor.b, 20);
  uint8_t zero[32] = {0};
  ASSERT_MEM_EQ(fx.logs[5].data + 64, zero, 32); /* datasetHash = 0 */
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

/* ---- every revert code -------------------------------------------------------- */

TEST(match_revert_codes_compatibility) {
  mkt m;
  mkt_init(&m);
  ASSERT(expect_ok(&m));
  m.rq.u.request.category = U(1);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x00"));
  m.wp.u.workerpool.category = U(5); /* = number of categories */
  m.rq.u.request.category = U(5);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x01"));
  m.wp.u.workerpool.category = U(4);
  m.rq.u.request.category = U(4);
  m.rq.u.request.trust = U(3);
  m.wp.u.workerpool.trust = U(2);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x02"));
  m.wp.u.workerpool.trust = U(3);
  sign_all(&m);
  ASSERT(expect_ok(&m));
  m.rq.u.request.appmaxprice = U(4999999999ULL);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x03"));
  m.rq.u.request.appmaxprice = U(5000000000ULL);
  m.rq.u.request.datasetmaxprice = U(1);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x04"));
  m.rq.u.request.datasetmaxprice = U(3000000000ULL);
  m.rq.u.request.workerpoolmaxprice = U(0);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x05"));
  m.rq.u.request.workerpoolmaxprice = U(10000000000ULL);
  decc_tag_from_bits(m.rq.u.request.tag, 1u << 8); /* gpu, not offered */
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x06"));
  decc_tag_from_bits(m.wp.u.workerpool.tag, (1u << 8) | 0x9);
  sign_all(&m);
  ASSERT(expect_ok(&m));
  /* TEE requested, app not TEE. */
  decc_tag_from_bits(m.rq.u.request.tag, 0x9);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x07"));
  /* A dataset's TEE bit alone also forces 0x07 (6.1.0 ORs it in). */
  decc_tag_from_bits(m.rq.u.request.tag, 0);
  decc_tag_from_bits(m.ds.u.dataset.tag, 0x3);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x06"));
  decc_tag_from_bits(m.wp.u.workerpool.tag, 0x3);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x07"));
  /* A TEE app makes the deal TEE even if nobody asked. */
  decc_tag_from_bits(m.app.u.app.tag, 0x9);
  decc_tag_from_bits(m.ds.u.dataset.tag, 0);
  decc_tag_from_bits(m.wp.u.workerpool.tag, 0x9);
  sign_all(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_OK(match(&m, &fx));
  ASSERT_EQ(fx.deal.tag[31], 0x9);
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

TEST(match_revert_codes_matching_and_restrictions) {
  mkt m;
  mkt_init(&m);
  decc_address other = tw_addr(0x77);
  m.rq.u.request.app = other;
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x10"));
  m.rq.u.request.app = m.app_a;
  m.rq.u.request.dataset = other;
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x11"));
  m.rq.u.request.dataset = m.ds_a;

  /* Each restriction field set to a foreign address, one at a time. */
  struct {
    decc_address *field;
    const char *code;
  } cases[] = {
      {&m.rq.u.request.workerpool, "iExecV5-matchOrders-0x12"},
      {&m.app.u.app.datasetrestrict, "iExecV5-matchOrders-0x13"},
      {&m.app.u.app.workerpoolrestrict, "iExecV5-matchOrders-0x14"},
      {&m.app.u.app.requesterrestrict, "iExecV5-matchOrders-0x15"},
      {&m.ds.u.dataset.apprestrict, "iExecV5-matchOrders-0x16"},
      {&m.ds.u.dataset.workerpoolrestrict, "iExecV5-matchOrders-0x17"},
      {&m.ds.u.dataset.requesterrestrict, "iExecV5-matchOrders-0x18"},
      {&m.wp.u.workerpool.apprestrict, "iExecV5-matchOrders-0x19"},
      {&m.wp.u.workerpool.datasetrestrict, "iExecV5-matchOrders-0x1a"},
      {&m.wp.u.workerpool.requesterrestrict, "iExecV5-matchOrders-0x1b"},
  };
  decc_address rightful[10] = {m.wp_a,
                               m.ds_a,
                               m.wp_a,
                               tw_addr_of_key(K_REQ),
                               m.app_a,
                               m.wp_a,
                               tw_addr_of_key(K_REQ),
                               m.app_a,
                               m.ds_a,
                               tw_addr_of_key(K_REQ)};
  for (int i = 0; i < 10; i++) {
    *cases[i].field = other;
    sign_all(&m);
    ASSERT(expect_revert(&m, cases[i].code));
    *cases[i].field = rightful[i]; /* exact address: allowed */
    sign_all(&m);
    ASSERT(expect_ok(&m));
    memset(cases[i].field, 0, sizeof(decc_address));
  }

  /* ERC-734 identity: the requester is a member of group 0x5A. */
  decc_address idc = tw_addr(0x5A);
  m.w.ids[0].addr = idc;
  m.w.ids[0].members[0] = tw_addr_of_key(K_REQ);
  m.w.ids[0].n = 1;
  m.w.n_ids = 1;
  m.app.u.app.requesterrestrict = idc;
  sign_all(&m);
  ASSERT(expect_ok(&m));
  m.w.ids[0].members[0] = other;
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x15"));
  /* An EOA restriction never delegates. */
  m.app.u.app.requesterrestrict = tw_addr_of_key(K_OTHER);
  sign_all(&m);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x15"));
  mkt_clear(&m);
}

TEST(match_revert_codes_authenticity) {
  mkt m;
  mkt_init(&m);
  uint8_t sk[32];
  decc_address other = tw_addr(0x77);
  /* The app address is not a contract: owner() reverts without data. */
  m.app.u.app.app = other;
  m.rq.u.request.app = other;
  sign_all(&m);
  ASSERT(expect_revert(&m, NULL));
  /* An entry of another registry: owner() works, isRegistered fails. */
  m.app.u.app.app = m.ds_a;
  m.rq.u.request.app = m.ds_a;
  tw_key(sk, K_DS);
  sign_all(&m);
  ASSERT_OK(decc_order_sign(&m.app, sk, m.env.domain_separator, 0));
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x20"));
  m.app.u.app.app = m.app_a;
  m.rq.u.request.app = m.app_a;
  sign_all(&m);
  tw_key(sk, K_OTHER);
  ASSERT_OK(decc_order_sign(&m.app, sk, m.env.domain_separator, 0));
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x21"));
  sign_all(&m);

  m.ds.u.dataset.dataset = m.app_a;
  m.rq.u.request.dataset = m.app_a;
  sign_all(&m);
  tw_key(sk, K_APP);
  ASSERT_OK(decc_order_sign(&m.ds, sk, m.env.domain_separator, 0));
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x30"));
  m.ds.u.dataset.dataset = m.ds_a;
  m.rq.u.request.dataset = m.ds_a;
  sign_all(&m);
  tw_key(sk, K_REQ);
  ASSERT_OK(decc_order_sign(&m.ds, sk, m.env.domain_separator, 0));
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x31"));
  sign_all(&m);

  m.wp.u.workerpool.workerpool = m.app_a;
  sign_all(&m);
  tw_key(sk, K_APP);
  ASSERT_OK(decc_order_sign(&m.wp, sk, m.env.domain_separator, 0));
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x40"));
  m.wp.u.workerpool.workerpool = m.wp_a;
  sign_all(&m);
  tw_key(sk, K_APP);
  ASSERT_OK(decc_order_sign(&m.wp, sk, m.env.domain_separator, 0));
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x41"));
  sign_all(&m);

  tw_key(sk, K_SCHED);
  ASSERT_OK(decc_order_sign(&m.rq, sk, m.env.domain_separator, 0));
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x50"));
  sign_all(&m);
  ASSERT(expect_ok(&m));

  /* Volume: a closed app order. */
  uint8_t h[32];
  decc_order_hash(h, &m.app, m.env.domain_separator);
  decc_u256 ten = U(10);
  tw_set_consumed(&m.w, h, &ten);
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x60"));
  /* consumed above volume: checked subtraction panics. */
  decc_u256 eleven = U(11);
  tw_set_consumed(&m.w, h, &eleven);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_EQ(match(&m, &fx), DECC_E_REVERT);
  ASSERT_EQ(fx.revert.kind, DECC_POCO_REVERT_PANIC);
  ASSERT_EQ(fx.revert.panic, 0x11);
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

TEST(match_signature_forms) {
  mkt m;
  mkt_init(&m);
  /* Unsigned and not presigned: the verifier rejects the length. */
  m.app.sign_len = 0;
  ASSERT(expect_revert(&m, "invalid-signature-format"));
  m.app.sign_len = 66; /* a longer `sign` from calldata */
  ASSERT(expect_revert(&m, "invalid-signature-format"));
  /* Presigned: the signature is not even looked at. */
  uint8_t h[32];
  decc_order_hash(h, &m.app, m.env.domain_separator);
  decc_address owner = tw_addr_of_key(K_APP);
  tw_set_presigned(&m.w, h, &owner);
  ASSERT(expect_ok(&m));
  m.w.n_presigned = 0;
  sign_all(&m);
  /* v = 0/1 is not accepted by ecrecover. */
  m.app.sign[64] -= 27;
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x21"));
  m.app.sign[64] += 27;
  ASSERT(expect_ok(&m));
  /* EIP-2098 compact form. */
  uint8_t compact[64];
  memcpy(compact, m.app.sign, 64);
  if (m.app.sign[64] == 28)
    compact[32] |= 0x80;
  memcpy(m.app.sign, compact, 64);
  m.app.sign_len = 64;
  ASSERT(expect_ok(&m));
  sign_all(&m);
  /* High-S twin of a valid signature: rejected (OZ). */
  static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
                                0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b,
                                0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  decc_u256 nn, s, hs;
  decc_u256_from_be(&nn, n);
  decc_u256_from_be(&s, m.app.sign + 32);
  ASSERT_OK(decc_u256_sub(&hs, &nn, &s));
  decc_u256_to_be(m.app.sign + 32, &hs);
  m.app.sign[64] = m.app.sign[64] == 27 ? 28 : 27;
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x21"));
  sign_all(&m);
  /* ERC-1271: the app owner is a contract that accepts 65 × 0xEE. */
  decc_address cowner = tw_addr(0x4C);
  m.w.entries[0].owner = cowner;
  m.w.erc1271[0] = cowner;
  m.w.n_erc1271 = 1;
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x21"));
  memset(m.app.sign, 0xEE, 65);
  ASSERT(expect_ok(&m));
  /* A contract signer with a short signature is not a format error. */
  m.app.sign_len = 0;
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x21"));
  mkt_clear(&m);
}

TEST(match_requester_zero_and_escrow_reverts) {
  mkt m;
  mkt_init(&m);
  /* requester 0 with an unrecoverable signature passes 0x50 (tryRecover
   * gives address 0), then the escrow refuses to lock from address 0. */
  memset(&m.rq.u.request.requester, 0, sizeof(decc_address));
  sign_all(&m);
  memset(m.rq.sign, 0, 64);
  m.rq.sign[64] = 27;
  ASSERT(expect_revert(&m, "IexecEscrow: Transfer from empty address"));
  mkt_clear(&m);

  mkt_init(&m);
  decc_address req = tw_addr_of_key(K_REQ), sched = tw_addr_of_key(K_SCHED);
  tw_set_balance(&m.w, &req, 54000000000ULL - 1);
  ASSERT(expect_revert(&m, "IexecEscrow: Transfer amount exceeds balance"));
  tw_set_balance(&m.w, &req, 54000000000ULL);
  tw_set_balance(&m.w, &sched, 9000000000ULL - 1);
  ASSERT(expect_revert(&m, "IexecEscrow: Transfer amount exceeds balance"));
  tw_set_balance(&m.w, &sched, 9000000000ULL);
  ASSERT(expect_ok(&m));
  /* Workerpool without a policy getter: the call reverts (empty). */
  m.w.entries[2].has_policy = 0;
  ASSERT(expect_revert(&m, NULL));
  m.w.entries[2].has_policy = 1;
  /* Price sum overflow: panic 0x11. */
  decc_u256 big;
  ASSERT_OK(decc_u256_parse(
      &big,
      "0x8000000000000000000000000000000000000000000000000000000000000000"));
  m.app.u.app.appprice = big;
  m.ds.u.dataset.datasetprice = big;
  m.rq.u.request.appmaxprice = big;
  m.rq.u.request.datasetmaxprice = big;
  sign_all(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_EQ(match(&m, &fx), DECC_E_REVERT);
  ASSERT_EQ(fx.revert.kind, DECC_POCO_REVERT_PANIC);
  ASSERT_EQ(fx.revert.panic, 0x11);
  decc_buf rd;
  decc_buf_init(&rd, 0);
  ASSERT_OK(decc_poco_revert_data(&rd, &fx.revert));
  ASSERT_EQ(rd.len, 36);
  ASSERT_EQ(rd.data[0], 0x4e);
  ASSERT_EQ(rd.data[35], 0x11);
  decc_buf_clear(&rd);
  decc_poco_effects_clear(&fx);
  /* A world failure is passed through, not a revert. */
  mkt_clear(&m);
  mkt_init(&m);
  m.w.fail_accounts = 1;
  decc_err err;
  decc_err_clear(&err);
  decc_address sender = tw_addr_of_key(K_OTHER);
  ASSERT_EQ(decc_poco_match_orders(&m.env, &m.app, &m.ds, &m.wp, &m.rq, &sender,
                                   0, &fx, &err),
            DECC_E_IO);
  ASSERT(fx_empty(&fx));
  ASSERT(err.msg[0] != 0);
  mkt_clear(&m);
}

/* ---- payments over many prices -------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

static decc_u256 pick_price(void) {
  static const char *const special[] = {
      "0",
      "1",
      "2",
      "3",
      "7",
      "99",
      "100",
      "101",
      "333",
      "1000000007",
      "18446744073709551615",
      "18446744073709551616",
      "18446744073709551621",
      "1267650600228229401496703205379", /* 2^100 + 3 */
      "340282366920938463463374607431768211455"};
  decc_u256 v = U(0);
  uint64_t r = rnd() % 4;
  if (r == 0) {
    if (decc_u256_parse(&v, special[rnd() % 15]))
      abort();
  } else if (r == 1) {
    v = U(rnd() % 1000);
  } else if (r == 2) {
    v = U(rnd() % 1000000000000ULL);
  } else {
    v.w[0] = rnd();
    v.w[1] = rnd() % 4096;
  }
  return v;
}

TEST(match_payments_many_prices) {
  int checked = 0, order_mattered = 0;
  for (int iter = 0; iter < 300; iter++) {
    mkt m;
    mkt_init(&m);
    decc_u256 ap = pick_price(), dp = pick_price(), wpp = pick_price();
    uint64_t vol = 1 + rnd() % (iter % 3 == 0 ? 1000000 : 50);
    m.app.u.app.appprice = ap;
    m.rq.u.request.appmaxprice = ap;
    m.ds.u.dataset.datasetprice = dp;
    m.rq.u.request.datasetmaxprice = dp;
    m.wp.u.workerpool.workerpoolprice = wpp;
    m.rq.u.request.workerpoolmaxprice = wpp;
    m.app.u.app.volume = U(vol);
    m.ds.u.dataset.volume = U(vol);
    m.wp.u.workerpool.volume = U(vol);
    m.rq.u.request.volume = U(vol);
    sign_all(&m);
    decc_address req = tw_addr_of_key(K_REQ), sched = tw_addr_of_key(K_SCHED);
    decc_u256 rich;
    ASSERT_OK(decc_u256_parse(&rich,
                              "0x1000000000000000000000000000000000000000000"));
    tw_acc(&m.w, &req)->balance = rich;
    tw_acc(&m.w, &sched)->balance = rich;

    /* Expected with the textbook formulas. */
    decc_u256 sum, total, stake, v = U(vol), hundred = U(100), thirty = U(30);
    ASSERT_OK(decc_u256_add(&sum, &ap, &dp));
    ASSERT_OK(decc_u256_add(&sum, &sum, &wpp));
    ASSERT_OK(decc_u256_mul(&total, &sum, &v));
    ASSERT_OK(decc_u256_mul(&stake, &wpp, &thirty));
    ASSERT_OK(decc_u256_div(&stake, NULL, &stake, &hundred));
    ASSERT_OK(decc_u256_mul(&stake, &stake, &v));
    /* The other order would differ whenever price × 30 % 100 ≠ 0. */
    decc_u256 alt;
    ASSERT_OK(decc_u256_mul(&alt, &wpp, &v));
    ASSERT_OK(decc_u256_mul(&alt, &alt, &thirty));
    ASSERT_OK(decc_u256_div(&alt, NULL, &alt, &hundred));
    if (decc_u256_cmp(&alt, &stake) != 0)
      order_mattered++;

    decc_poco_effects fx;
    decc_poco_effects_init(&fx);
    ASSERT_OK(match(&m, &fx));
    ASSERT_EQ(decc_u256_cmp(&fx.moves[0].amount, &total), 0);
    ASSERT_EQ(decc_u256_cmp(&fx.moves[1].amount, &stake), 0);
    /* worker stake = price × 30 / 100 (policy 30). */
    decc_u256 ws;
    ASSERT_OK(decc_u256_mul(&ws, &wpp, &thirty));
    ASSERT_OK(decc_u256_div(&ws, NULL, &ws, &hundred));
    ASSERT_EQ(decc_u256_cmp(&fx.deal.worker_stake, &ws), 0);
    /* Small values: cross-check with plain 64-bit integers. Each price
       < 2^40 and vol <= 10^6 < 2^20, so the sums of products stay under
       3 * 2^60 < 2^64: exact in uint64_t (ISO C has no 128-bit type). */
    uint64_t a64, d64, w64;
    if (decc_u256_to_u64(&a64, &ap) && decc_u256_to_u64(&d64, &dp) &&
        decc_u256_to_u64(&w64, &wpp) && a64 < (1ULL << 40) &&
        d64 < (1ULL << 40) && w64 < (1ULL << 40) && vol <= 1000000) {
      uint64_t t = (a64 + d64 + w64) * vol;
      uint64_t s = (w64 * 30 / 100) * vol;
      uint64_t got;
      ASSERT(decc_u256_to_u64(&got, &fx.moves[0].amount) && got == t);
      ASSERT(decc_u256_to_u64(&got, &fx.moves[1].amount) && got == s);
      checked++;
    }
    /* Conservation inside the call's account view. */
    decc_u256 b0, b1;
    ASSERT_OK(decc_u256_add(&b0, &rich, &rich));
    ASSERT_OK(decc_poco_accounts_total(&fx.accounts, &b1, NULL));
    ASSERT_EQ(decc_u256_cmp(&b0, &b1), 0);
    decc_poco_effects_clear(&fx);
    mkt_clear(&m);
  }
  ASSERT(checked > 50);
  ASSERT(order_mattered > 20);
}

TEST(match_stake_division_before_multiplication) {
  mkt m;
  mkt_init(&m);
  /* 7 × 30 / 100 = 2 per task, × 10 = 20 (not 7 × 10 × 30 / 100 = 21). */
  m.wp.u.workerpool.workerpoolprice = U(7);
  m.rq.u.request.workerpoolmaxprice = U(7);
  m.app.u.app.volume = U(10);
  m.ds.u.dataset.volume = U(10);
  m.wp.u.workerpool.volume = U(10);
  m.rq.u.request.volume = U(10);
  sign_all(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_OK(match(&m, &fx));
  uint64_t v;
  ASSERT(decc_u256_to_u64(&v, &fx.moves[1].amount) && v == 20);
  ASSERT(decc_u256_to_u64(&v, &fx.deal.worker_stake) && v == 2);
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

/* ---- views ------------------------------------------------------------------------------ */

TEST(compute_deal_volume_view) {
  mkt m;
  mkt_init(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_OK(decc_poco_compute_deal_volume(&m.env, &m.app, &m.ds, &m.wp, &m.rq,
                                          &fx, NULL));
  uint64_t v;
  ASSERT(decc_u256_to_u64(&v, &fx.volume) && v == 3);
  /* No dataset: its volume is ignored. */
  memset(&m.ds.u.dataset.dataset, 0, sizeof(decc_address));
  m.ds.u.dataset.volume = U(0);
  m.rq.u.request.volume = U(50);
  ASSERT_OK(decc_poco_compute_deal_volume(&m.env, &m.app, &m.ds, &m.wp, &m.rq,
                                          &fx, NULL));
  ASSERT(decc_u256_to_u64(&v, &fx.volume) && v == 8);
  /* Wrong order type is a usage error. */
  ASSERT_EQ(decc_poco_compute_deal_volume(&m.env, &m.ds, &m.ds, &m.wp, &m.rq,
                                          &fx, NULL),
            DECC_E_INVALID);
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

static int expect_incompatible(mkt *m, const decc_poco_deal *deal,
                               const char *why) {
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  decc_status st = decc_poco_assert_dataset_deal_compatibility(&m->env, &m->ds,
                                                               deal, &fx, NULL);
  int ok;
  if (!why)
    ok = st == DECC_OK;
  else
    ok = st == DECC_E_REVERT && fx.revert.kind == DECC_POCO_REVERT_CUSTOM &&
         strcmp(fx.revert.reason, why) == 0 &&
         strcmp(fx.revert.custom_sig, "IncompatibleDatasetOrder(string)") == 0;
  if (!ok)
    fprintf(stderr, "  want %s got %d %s\n", why ? why : "ok", st,
            fx.revert.reason);
  decc_poco_effects_clear(&fx);
  return ok;
}

TEST(assert_dataset_deal_compatibility_reasons) {
  mkt m;
  mkt_init(&m);
  /* A bulk-style deal without dataset, TEE tag. */
  decc_poco_deal deal;
  ASSERT_OK(decc_poco_deal_init(&deal));
  deal.app.pointer = m.app_a;
  deal.workerpool.pointer = m.wp_a;
  deal.requester = tw_addr_of_key(K_REQ);
  decc_tag_from_bits(deal.tag, 0x9);
  decc_tag_from_bits(m.ds.u.dataset.tag, 0x1);
  sign_all(&m);
  ASSERT(expect_incompatible(&m, &deal, NULL));
  decc_tag_from_bits(m.ds.u.dataset.tag, 0x3);
  sign_all(&m);
  ASSERT(expect_incompatible(&m, &deal, "Tag compatibility not satisfied"));
  decc_tag_from_bits(m.ds.u.dataset.tag, 0x9);
  m.ds.u.dataset.requesterrestrict = tw_addr(0x77);
  sign_all(&m);
  ASSERT(expect_incompatible(&m, &deal, "Requester restriction not satisfied"));
  m.ds.u.dataset.workerpoolrestrict = tw_addr(0x77);
  sign_all(&m);
  ASSERT(
      expect_incompatible(&m, &deal, "Workerpool restriction not satisfied"));
  m.ds.u.dataset.apprestrict = tw_addr(0x77);
  sign_all(&m);
  ASSERT(expect_incompatible(&m, &deal, "App restriction not satisfied"));
  deal.dataset.pointer = m.ds_a;
  ASSERT(expect_incompatible(&m, &deal, "Deal already has a dataset"));
  memset(&deal.requester, 0, sizeof deal.requester);
  ASSERT(expect_incompatible(&m, &deal, "Deal not found"));
  uint8_t sk[32];
  tw_key(sk, K_OTHER);
  ASSERT_OK(decc_order_sign(&m.ds, sk, m.env.domain_separator, 0));
  ASSERT(expect_incompatible(&m, &deal, "Invalid dataset order signature"));
  uint8_t h[32];
  decc_order_hash(h, &m.ds, m.env.domain_separator);
  decc_u256 five = U(5);
  tw_set_consumed(&m.w, h, &five);
  ASSERT(expect_incompatible(&m, &deal,
                             "Dataset order is revoked or fully consumed"));
  /* Revert data of the custom error: selector ‖ abi(string). */
  decc_poco_revert r;
  memset(&r, 0, sizeof r);
  r.kind = DECC_POCO_REVERT_CUSTOM;
  r.custom_sig = "IncompatibleDatasetOrder(string)";
  strcpy(r.reason, "Deal not found");
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_poco_revert_data(&b, &r));
  uint8_t sel[4];
  decc_abi_selector(sel, "IncompatibleDatasetOrder(string)");
  ASSERT_MEM_EQ(b.data, sel, 4);
  ASSERT_EQ(b.len, 4 + 32 + 32 + 32);
  ASSERT_EQ(b.data[4 + 63], 14);
  ASSERT_MEM_EQ(b.data + 4 + 64, "Deal not found", 14);
  decc_buf_clear(&b);
  decc_poco_deal_clear(&deal);
  mkt_clear(&m);
}

/* ---- order management ---------------------------------------------------------------------- */

static decc_status manage(mkt *m, const decc_order *o, unsigned op,
                          const uint8_t *sig, size_t sig_len, int sender_key,
                          decc_poco_effects *fx) {
  decc_address s = tw_addr_of_key(sender_key);
  return decc_poco_manage_order(&m->env, o, op, sig, sig_len, &s, fx, NULL);
}

TEST(manage_orders_sign_close_and_authorization) {
  mkt m;
  mkt_init(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  uint8_t h[32], t[32];
  decc_order_hash(h, &m.ds, m.env.domain_separator);

  /* Owner closes: consumed = volume, ClosedDatasetOrder(hash). */
  ASSERT_OK(manage(&m, &m.ds, DECC_OP_CLOSE, NULL, 0, K_DS, &fx));
  ASSERT_EQ(fx.n_consumed, 1);
  ASSERT_MEM_EQ(fx.consumed[0].hash, h, 32);
  uint64_t v;
  ASSERT(decc_u256_to_u64(&v, &fx.consumed[0].value) && v == 5);
  ASSERT_EQ(fx.n_logs, 1);
  hex32(t, "cf52e3228bc482a6656d8ab56c09888b1c5bf6aaadba0185e96a34836f2bb1d4");
  ASSERT_MEM_EQ(fx.logs[0].topics[0], t, 32);
  ASSERT_MEM_EQ(fx.logs[0].data, h, 32);
  ASSERT_OK(tw_apply(&m.w, &fx));
  ASSERT(expect_revert(&m, "iExecV5-matchOrders-0x60"));

  /* Third party without signature. */
  tw before = m.w;
  ASSERT_EQ(manage(&m, &m.app, DECC_OP_SIGN, NULL, 0, K_OTHER, &fx),
            DECC_E_REVERT);
  ASSERT_STR_EQ(fx.revert.reason, "invalid-signature-format");
  uint8_t sig[65], sk[32];
  tw_key(sk, K_OTHER);
  ASSERT_OK(decc_order_operation_sign(sig, &m.app, DECC_OP_SIGN, sk,
                                      m.env.domain_separator));
  ASSERT_EQ(manage(&m, &m.app, DECC_OP_SIGN, sig, 65, K_OTHER, &fx),
            DECC_E_REVERT);
  ASSERT_STR_EQ(fx.revert.reason, "invalid-sender-or-signature");
  ASSERT(fx_empty(&fx));
  ASSERT(memcmp(&before, &m.w, sizeof before) == 0);
  /* The owner's signature of the CLOSE operation does not sign. */
  tw_key(sk, K_APP);
  ASSERT_OK(decc_order_operation_sign(sig, &m.app, DECC_OP_CLOSE, sk,
                                      m.env.domain_separator));
  ASSERT_EQ(manage(&m, &m.app, DECC_OP_SIGN, sig, 65, K_OTHER, &fx),
            DECC_E_REVERT);
  /* The owner's signature of SIGN, relayed by anyone: presigned. */
  ASSERT_OK(decc_order_operation_sign(sig, &m.app, DECC_OP_SIGN, sk,
                                      m.env.domain_separator));
  ASSERT_OK(manage(&m, &m.app, DECC_OP_SIGN, sig, 65, K_OTHER, &fx));
  decc_order_hash(h, &m.app, m.env.domain_separator);
  ASSERT_EQ(fx.n_presigned, 1);
  ASSERT_MEM_EQ(fx.presigned[0].hash, h, 32);
  decc_address app_owner = tw_addr_of_key(K_APP);
  ASSERT(decc_address_eq(&fx.presigned[0].signer, &app_owner));
  ASSERT_EQ(decc_poco_event_from_topic(fx.logs[0].topics[0]),
            DECC_EV_SIGNED_APP_ORDER);

  /* Request orders: the requester is the owner. */
  ASSERT_OK(manage(&m, &m.rq, DECC_OP_SIGN, NULL, 0, K_REQ, &fx));
  ASSERT_EQ(decc_poco_event_from_topic(fx.logs[0].topics[0]),
            DECC_EV_SIGNED_REQUEST_ORDER);
  ASSERT_OK(manage(&m, &m.wp, DECC_OP_CLOSE, NULL, 0, K_SCHED, &fx));
  ASSERT_EQ(decc_poco_event_from_topic(fx.logs[0].topics[0]),
            DECC_EV_CLOSED_WORKERPOOL_ORDER);
  /* Out-of-range operation (ABI enum check) and non-entry owner(). */
  ASSERT_EQ(manage(&m, &m.app, 2, NULL, 0, K_APP, &fx), DECC_E_REVERT);
  ASSERT_EQ(fx.revert.kind, DECC_POCO_REVERT_EMPTY);
  m.app.u.app.app = tw_addr(0x77);
  ASSERT_EQ(manage(&m, &m.app, DECC_OP_SIGN, NULL, 0, K_APP, &fx),
            DECC_E_REVERT);
  ASSERT_EQ(fx.revert.kind, DECC_POCO_REVERT_EMPTY);
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

TEST(presigned_order_matches_unsigned) {
  mkt m;
  mkt_init(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  ASSERT_OK(manage(&m, &m.wp, DECC_OP_SIGN, NULL, 0, K_SCHED, &fx));
  ASSERT_OK(tw_apply(&m.w, &fx));
  m.wp.sign_len = 0;
  ASSERT(expect_ok(&m));
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

/* ---- categories, topics, revert data ---------------------------------------------------------- */

TEST(create_category_owner_only_and_event) {
  mkt m;
  mkt_init(&m);
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  decc_address owner = tw_addr_of_key(K_OTHER), other = tw_addr_of_key(K_REQ);
  decc_u256 tr = U(600);
  ASSERT_EQ(decc_poco_create_category(&m.env, &other, &owner, 5, "XXS", "{}",
                                      &tr, &fx, NULL),
            DECC_E_REVERT);
  ASSERT_STR_EQ(fx.revert.reason, "Ownable: caller is not the owner");
  ASSERT_OK(decc_poco_create_category(&m.env, &owner, &owner, 5, "XXS", "{}",
                                      &tr, &fx, NULL));
  ASSERT_EQ(fx.n_logs, 1);
  decc_abi_value *root = NULL;
  ASSERT_OK(decc_abi_decode(&root, "uint256,string,string,uint256",
                            fx.logs[0].data, fx.logs[0].data_len,
                            DECC_ABI_CANONICAL, NULL));
  uint64_t v;
  char *name = NULL;
  ASSERT_OK(decc_abi_get_u64(decc_abi_item(root, 0), &v));
  ASSERT_EQ(v, 5);
  ASSERT_OK(decc_abi_get_string(decc_abi_item(root, 1), &name));
  ASSERT_STR_EQ(name, "XXS");
  decc_free(name);
  ASSERT_OK(decc_abi_get_u64(decc_abi_item(root, 3), &v));
  ASSERT_EQ(v, 600);
  decc_abi_value_free(root);
  decc_poco_effects_clear(&fx);
  size_t n;
  const decc_poco_category *c = decc_poco_genesis_categories(&n);
  ASSERT_EQ(n, 5);
  ASSERT_STR_EQ(c[0].name, "XS");
  ASSERT_EQ(c[0].work_clock_time_ref, 300);
  ASSERT_STR_EQ(c[4].name, "XL");
  ASSERT_EQ(c[4].work_clock_time_ref, 36000);
  ASSERT_STR_EQ(c[2].description, "{}");
  mkt_clear(&m);
}

TEST(event_topics_match_published_values) {
  static const struct {
    decc_poco_event ev;
    const char *hex;
  } known[] = {
      {DECC_EV_ORDERS_MATCHED,
       "d811b592ed0899225773e8933d8df64bd0b62761a9d7aad4ed5b22735f4610a4"},
      {DECC_EV_SCHEDULER_NOTICE,
       "692ad61076dceddd0f1a861f737553dd61fc8501cf4190d29c4e90af6607f765"},
      {DECC_EV_TASK_INITIALIZE,
       "252992fb0468d68d6a5784ec03214f0d0a362083f2d7ebd157af43b017a22e06"},
      {DECC_EV_TASK_CONTRIBUTE,
       "3fdb8d7797562d49a81078dbf7fa1771958ea452f8b13d1148383bd9506aecfb"},
      {DECC_EV_TASK_CONSENSUS,
       "f6d49bf3e05d33a4bc497d3c793fb5756388bb96b947cf51bb60aaecb0e022e3"},
      {DECC_EV_TASK_REVEAL,
       "4b1763d473ac8fa80b4432ba90047e1b92444d8fabc55e6a002d9b1a316d7959"},
      {DECC_EV_TASK_FINALIZE,
       "78ce8a8bc0fcb704e8ba3b3dbb36aa88002df8038128b4af2f27ef65db665044"},
      {DECC_EV_TASK_CLAIMED,
       "cbc308b5f91040d2659a5201858344b0b583cd2f9e18e8470c2fa052c5b21ff8"},
      {DECC_EV_CLOSED_DATASET_ORDER,
       "cf52e3228bc482a6656d8ab56c09888b1c5bf6aaadba0185e96a34836f2bb1d4"},
      {DECC_EV_TRANSFER,
       "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
  };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    uint8_t want[32], got[32];
    hex32(want, known[i].hex);
    ASSERT_OK(decc_poco_event_topic(got, known[i].ev));
    ASSERT_MEM_EQ(got, want, 32);
    ASSERT_EQ(decc_poco_event_from_topic(want), known[i].ev);
  }
  /* Every signature hashes to its topic, and all topics differ. */
  uint8_t all[DECC_EV_COUNT][32];
  for (int e = 0; e < DECC_EV_COUNT; e++) {
    const char *sig = decc_poco_event_signature((decc_poco_event)e);
    ASSERT(sig != NULL);
    uint8_t k[32];
    decc_keccak256(k, sig, strlen(sig));
    ASSERT_OK(decc_poco_event_topic(all[e], (decc_poco_event)e));
    ASSERT_MEM_EQ(all[e], k, 32);
    for (int f = 0; f < e; f++)
      ASSERT(memcmp(all[e], all[f], 32) != 0);
  }
  ASSERT(decc_poco_event_signature(DECC_EV_COUNT) == NULL);
  decc_address kitty;
  decc_poco_kitty_address(&kitty);
  /* FacetBase's comment says address(uint256(keccak256("iExecKitty")) - 1);
   * the constant actually is the first 20 bytes of that hash, minus 1. */
  uint8_t k[32];
  decc_keccak256(k, "iExecKitty", 10);
  int i = 19;
  while (k[i] == 0)
    k[i--] = 0xff;
  k[i]--;
  ASSERT_MEM_EQ(kitty.b, k, 20);
}

TEST(revert_data_error_string) {
  decc_poco_revert r;
  memset(&r, 0, sizeof r);
  r.kind = DECC_POCO_REVERT_ERROR;
  strcpy(r.reason, "iExecV5-matchOrders-0x21");
  decc_buf b;
  decc_buf_init(&b, 0);
  ASSERT_OK(decc_poco_revert_data(&b, &r));
  static const uint8_t sel[4] = {0x08, 0xc3, 0x79, 0xa0};
  ASSERT_EQ(b.len, 100);
  ASSERT_MEM_EQ(b.data, sel, 4);
  ASSERT_EQ(b.data[4 + 31], 0x20);
  ASSERT_EQ(b.data[4 + 63], 24);
  ASSERT_MEM_EQ(b.data + 68, "iExecV5-matchOrders-0x21", 24);
  decc_buf_reset(&b);
  r.kind = DECC_POCO_REVERT_EMPTY;
  ASSERT_OK(decc_poco_revert_data(&b, &r));
  ASSERT_EQ(b.len, 0);
  r.kind = DECC_POCO_REVERT_NONE;
  ASSERT_EQ(decc_poco_revert_data(&b, &r), DECC_E_INVALID);
  decc_buf_clear(&b);
}
