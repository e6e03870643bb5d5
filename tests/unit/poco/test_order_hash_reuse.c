/*
 * test_order_hash_reuse.c — matchOrders takes an order's EIP-712 hash from
 * the signatures listed ahead of the call (decc_poco_call_signatures, the
 * ledger's parallel signature pass) only for exactly the order it hashed.
 *
 * - the key of every order type matches an order iff the order's hash is
 *   the same: every byte of every member flipped in turn (padding flips
 *   keep the hash and must keep matching), request params short (kept as
 *   text) and long (compared through their hash), another domain;
 * - a match with the list gives the same effects as one without;
 * - a listed hash is really taken (a poisoned one makes the signature
 *   check fail), and a stale list (orders changed and re-signed after it
 *   was made) is never taken: the match succeeds with the fresh hashes.
 */
#include <stddef.h>
#include <stdlib.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "poco/poco_int.h"
#include "poco_testworld.h"
#include "test.h"

enum { K_APP = 1, K_DS = 2, K_SCHED = 3, K_REQ = 4, K_OTHER = 9 };

typedef struct mkt {
  tw w;
  decc_poco_world world;
  decc_poco_env env;
  decc_order o[4]; /* app, dataset, workerpool, request */
  decc_poco_sigcheck pre[4];
  size_t n_pre;
} mkt;

static const decc_poco_sigcheck *listed(void *ctx, size_t *n) {
  /* ctx is the tw, the first member of mkt */
  mkt *m = ctx;
  *n = m->n_pre;
  return m->pre;
}

static void sign_all(mkt *m) {
  static const int keys[4] = {K_APP, K_DS, K_SCHED, K_REQ};
  for (int i = 0; i < 4; i++) {
    uint8_t sk[32];
    tw_key(sk, keys[i]);
    if (decc_order_sign(&m->o[i], sk, m->env.domain_separator, 0))
      abort();
  }
}

/* A market that matches (as test_match.c's), signed, without a list. */
static void mkt_init(mkt *m, const char *params) {
  memset(m, 0, sizeof *m);
  tw_init(&m->w);
  m->world = tw_world(&m->w);
  m->env.world = &m->world;
  m->env.hub = tw_addr(0x11);
  m->env.callback_gas = DECC_POCO_DEFAULT_CALLBACK_GAS;
  m->env.timestamp = 1700000000;
  decc_poco_domain_separator(m->env.domain_separator, 134, &m->env.hub);
  decc_address app = tw_addr(0xA1), ds = tw_addr(0xD1), wp = tw_addr(0xB1);
  decc_address o = tw_addr_of_key(K_APP);
  tw_add_entry(&m->w, &app, &o, DECC_POCO_REG_APP);
  o = tw_addr_of_key(K_DS);
  tw_add_entry(&m->w, &ds, &o, DECC_POCO_REG_DATASET);
  o = tw_addr_of_key(K_SCHED);
  tw_add_entry(&m->w, &wp, &o, DECC_POCO_REG_WORKERPOOL);
  tw_set_balance(&m->w, &o, 1000000000000ULL);
  o = tw_addr_of_key(K_REQ);
  tw_set_balance(&m->w, &o, 1000000000000ULL);
  static const decc_order_type ty[4] = {DECC_ORDER_APP, DECC_ORDER_DATASET,
                                        DECC_ORDER_WORKERPOOL,
                                        DECC_ORDER_REQUEST};
  for (int i = 0; i < 4; i++)
    if (decc_order_init(&m->o[i], ty[i]))
      abort();
  decc_apporder *a = &m->o[0].u.app;
  a->app = app;
  a->appprice = U(5000000000ULL);
  a->volume = U(10);
  memset(a->salt, 0x01, 32);
  decc_datasetorder *d = &m->o[1].u.dataset;
  d->dataset = ds;
  d->datasetprice = U(3000000000ULL);
  d->volume = U(5);
  memset(d->salt, 0x02, 32);
  decc_workerpoolorder *w = &m->o[2].u.workerpool;
  w->workerpool = wp;
  w->workerpoolprice = U(10000000000ULL);
  w->volume = U(8);
  w->trust = U(5);
  memset(w->salt, 0x03, 32);
  decc_requestorder *r = &m->o[3].u.request;
  r->app = app;
  r->appmaxprice = U(5000000000ULL);
  r->dataset = ds;
  r->datasetmaxprice = U(3000000000ULL);
  r->workerpoolmaxprice = U(10000000000ULL);
  r->requester = tw_addr_of_key(K_REQ);
  r->beneficiary = r->requester;
  r->volume = U(3);
  memset(r->salt, 0x04, 32);
  decc_free(r->params);
  r->params = decc_strdup(params);
  if (!r->params)
    abort();
  sign_all(m);
}

/* Lists the current orders' signatures as the ledger's pass does (from
 * the matchOrders calldata) and hands the list to the world. */
static int mkt_list(mkt *m) {
  decc_buf cd;
  decc_buf_init(&cd, 0);
  if (decc_match_orders_calldata(&cd, &m->o[0], &m->o[1], &m->o[2], &m->o[3],
                                 0) != DECC_OK)
    return -1;
  decc_address sender = tw_addr_of_key(K_OTHER);
  m->n_pre = decc_poco_call_signatures(m->pre, 4, m->env.domain_separator,
                                       &sender, cd.data, cd.len);
  decc_buf_clear(&cd);
  m->world.listed = listed;
  return m->n_pre == 4 ? 0 : -1;
}

static void mkt_clear(mkt *m) {
  for (int i = 0; i < 4; i++)
    decc_order_clear(&m->o[i]);
}

static decc_status match(mkt *m, decc_poco_effects *fx) {
  decc_address sender = tw_addr_of_key(K_OTHER);
  decc_poco_effects_init(fx);
  return decc_poco_match_orders(&m->env, &m->o[0], &m->o[1], &m->o[2], &m->o[3],
                                &sender, 0, fx, NULL);
}

/* The OrdersMatched log's data: deal id, the four order hashes, volume. */
static const decc_poco_log *orders_matched(const decc_poco_effects *fx) {
  uint8_t t0[32];
  if (decc_poco_event_topic(t0, DECC_EV_ORDERS_MATCHED) != DECC_OK)
    return NULL;
  for (size_t i = 0; i < fx->n_logs; i++)
    if (fx->logs[i].n_topics > 0 && !memcmp(fx->logs[i].topics[0], t0, 32))
      return &fx->logs[i];
  return NULL;
}

/* Effects a and b are the same deal, consumption and logs. */
static int same_effects(const decc_poco_effects *a,
                        const decc_poco_effects *b) {
  if (a->has_deal != b->has_deal || memcmp(a->deal_id, b->deal_id, 32) ||
      a->n_consumed != b->n_consumed || a->n_logs != b->n_logs)
    return 0;
  for (size_t i = 0; i < a->n_consumed; i++)
    if (memcmp(a->consumed[i].hash, b->consumed[i].hash, 32) ||
        decc_u256_cmp(&a->consumed[i].value, &b->consumed[i].value))
      return 0;
  for (size_t i = 0; i < a->n_logs; i++)
    if (a->logs[i].data_len != b->logs[i].data_len ||
        memcmp(a->logs[i].data, b->logs[i].data, a->logs[i].data_len))
      return 0;
  return 1;
}

/* Each order's hash in the OrdersMatched log is decc_order_hash of it. */
static int logged_hashes_fresh(const mkt *m, const decc_poco_effects *fx) {
  const decc_poco_log *lg = orders_matched(fx);
  if (!lg || lg->data_len != 6 * 32)
    return 0;
  for (int i = 0; i < 4; i++) {
    uint8_t h[32];
    decc_order_hash(h, &m->o[i], m->env.domain_separator);
    if (memcmp(lg->data + 32 * (1 + i), h, 32))
      return 0;
  }
  return 1;
}

/* ---- the key ------------------------------------------------------------------- */

/* For order o: the key made from it matches o, and for every byte of the
 * order's struct (the params pointer aside) flipped in turn, the key
 * matches the flipped order exactly when its hash did not change. */
static int key_matches_iff_same_hash(decc_order *o, const uint8_t dom[32]) {
  decc_poco_order_key k;
  uint8_t h0[32], hk[32];
  decc_order_hash(h0, o, dom);
  decc__order_hash_keyed(hk, &k, o, dom);
  if (memcmp(h0, hk, 32) || !k.set || !decc__order_key_matches(&k, o, dom))
    return 0;
  size_t size = 0, skip = SIZE_MAX;
  switch (o->type) {
  case DECC_ORDER_APP:
    size = sizeof o->u.app;
    break;
  case DECC_ORDER_DATASET:
    size = sizeof o->u.dataset;
    break;
  case DECC_ORDER_WORKERPOOL:
    size = sizeof o->u.workerpool;
    break;
  case DECC_ORDER_REQUEST:
    size = sizeof o->u.request;
    skip = offsetof(decc_requestorder, params);
    break;
  }
  uint8_t *u = (uint8_t *)&o->u;
  int members = 0;
  for (size_t i = 0; i < size; i++) {
    if (i >= skip && i < skip + sizeof(char *))
      continue;
    u[i] ^= 0x20;
    uint8_t h[32];
    decc_order_hash(h, o, dom);
    int same = !memcmp(h, h0, 32);
    int m = decc__order_key_matches(&k, o, dom);
    u[i] ^= 0x20;
    if (m != same) {
      fprintf(stderr, "  type %d byte %zu: key %d, same hash %d\n", o->type, i,
              m, same);
      return 0;
    }
    members += !same;
  }
  /* another domain, another type */
  uint8_t dom2[32];
  memcpy(dom2, dom, 32);
  dom2[31] ^= 1;
  if (decc__order_key_matches(&k, o, dom2))
    return 0;
  decc_order_type t = o->type;
  o->type = (decc_order_type)((t + 1) % 4);
  int other = decc__order_key_matches(&k, o, dom);
  o->type = t;
  return !other && members > 0 ? members : 0;
}

TEST(order_key_matches_exactly_the_hashed_order) {
  mkt m;
  mkt_init(&m, "{\"iexec_args\":\"x\"}");
  for (int i = 0; i < 4; i++)
    ASSERT(key_matches_iff_same_hash(&m.o[i], m.env.domain_separator) > 0);
  /* every member byte of a request (20-byte addresses, 32-byte words) but
   * params is in the struct: at least 6·20 + 9·32 bytes changed the hash */
  ASSERT(key_matches_iff_same_hash(&m.o[3], m.env.domain_separator) >=
         6 * 20 + 8 * 32);
  mkt_clear(&m);
}

/* params: the same text matches; one character, one more character or
 * the empty text does not, whether the key keeps them as text (short) or
 * only as their hash (longer than DECC_POCO_KEY_PARAMS_MAX). */
static int params_cases(const char *base) {
  mkt m;
  mkt_init(&m, base);
  const uint8_t *dom = m.env.domain_separator;
  decc_poco_order_key k;
  uint8_t h[32];
  decc__order_hash_keyed(h, &k, &m.o[3], dom);
  int kept = k.params_len != SIZE_MAX;
  size_t len = strlen(base);
  char *p = m.o[3].u.request.params;
  int ok = decc__order_key_matches(&k, &m.o[3], dom);
  p[len - 1] ^= 1; /* same length, one character */
  ok = ok && !decc__order_key_matches(&k, &m.o[3], dom);
  p[len - 1] ^= 1;
  ok = ok && decc__order_key_matches(&k, &m.o[3], dom);
  p[len - 1] = '\0'; /* one character fewer */
  ok = ok && !decc__order_key_matches(&k, &m.o[3], dom);
  decc_free(m.o[3].u.request.params);
  m.o[3].u.request.params = NULL; /* hashed as "" */
  ok = ok && !decc__order_key_matches(&k, &m.o[3], dom);
  mkt_clear(&m);
  return ok ? (kept ? 1 : 2) : 0;
}

TEST(order_key_params_short_and_long) {
  ASSERT_EQ(params_cases("{\"iexec_args\":\"x\"}"), 1); /* kept as text */
  char longp[DECC_POCO_KEY_PARAMS_MAX + 40];
  memset(longp, 'a', sizeof longp - 1);
  longp[sizeof longp - 1] = '\0';
  ASSERT_EQ(params_cases(longp), 2); /* only the hash word */
  /* exactly the limit is still kept as text */
  char edge[DECC_POCO_KEY_PARAMS_MAX + 1];
  memset(edge, 'b', sizeof edge - 1);
  edge[sizeof edge - 1] = '\0';
  ASSERT_EQ(params_cases(edge), 1);
}

TEST(call_signatures_fill_keys_only_for_orders) {
  mkt m;
  mkt_init(&m, "{}");
  ASSERT_EQ(mkt_list(&m), 0);
  for (int i = 0; i < 4; i++) {
    uint8_t h[32];
    decc_order_hash(h, &m.o[i], m.env.domain_separator);
    ASSERT_MEM_EQ(m.pre[i].hash, h, 32);
    ASSERT_EQ(m.pre[i].order.set, 1);
    ASSERT(decc__order_key_matches(&m.pre[i].order, &m.o[i],
                                   m.env.domain_separator));
  }
  mkt_clear(&m);
}

/* ---- matchOrders with a list --------------------------------------------------- */

TEST(match_with_list_same_effects_as_without) {
  mkt m;
  mkt_init(&m, "{\"iexec_args\":\"x\"}");
  decc_poco_effects ref, got;
  ASSERT_EQ(match(&m, &ref), DECC_OK);
  ASSERT(logged_hashes_fresh(&m, &ref));
  ASSERT_EQ(mkt_list(&m), 0);
  ASSERT_EQ(match(&m, &got), DECC_OK);
  ASSERT(same_effects(&ref, &got));
  decc_poco_effects_clear(&ref);
  decc_poco_effects_clear(&got);
  mkt_clear(&m);
}

TEST(match_takes_a_listed_hash_for_the_same_order) {
  /* a poisoned hash under an intact key is believed (that is the reuse):
   * the app order's signature then fails to verify */
  mkt m;
  mkt_init(&m, "{}");
  ASSERT_EQ(mkt_list(&m), 0);
  memset(m.pre[0].hash, 0xEE, 32);
  decc_poco_effects fx;
  ASSERT_EQ(match(&m, &fx), DECC_E_REVERT);
  ASSERT_STR_EQ(fx.revert.reason, "iExecV5-matchOrders-0x21");
  decc_poco_effects_clear(&fx);
  mkt_clear(&m);
}

/* One change to an order after its signatures were listed; the orders are
 * signed again, so only the fresh hashes let the match succeed. */
typedef void (*mutation)(mkt *m);
static void mut_app_salt(mkt *m) { m->o[0].u.app.salt[31] ^= 1; }
static void mut_app_volume(mkt *m) { m->o[0].u.app.volume = U(11); }
static void mut_app_restrict(mkt *m) {
  m->o[0].u.app.requesterrestrict = m->o[3].u.request.requester;
}
static void mut_ds_price(mkt *m) {
  m->o[1].u.dataset.datasetprice = U(2999999999ULL);
}
static void mut_wp_trust(mkt *m) { m->o[2].u.workerpool.trust = U(6); }
static void mut_wp_tag(mkt *m) { m->o[2].u.workerpool.tag[31] = 0x02; }
static void mut_rq_params_char(mkt *m) { m->o[3].u.request.params[1] ^= 1; }
static void mut_rq_params_len(mkt *m) {
  decc_free(m->o[3].u.request.params);
  m->o[3].u.request.params = decc_strdup("{ }");
}
static void mut_rq_beneficiary(mkt *m) {
  m->o[3].u.request.beneficiary = tw_addr(0x77);
}
static void mut_rq_volume(mkt *m) { m->o[3].u.request.volume = U(2); }
static void mut_domain(mkt *m) { m->env.domain_separator[0] ^= 1; }

TEST(match_never_takes_a_stale_listed_hash) {
  static const mutation muts[] = {
      mut_app_salt,       mut_app_volume, mut_app_restrict,   mut_ds_price,
      mut_wp_trust,       mut_wp_tag,     mut_rq_params_char, mut_rq_params_len,
      mut_rq_beneficiary, mut_rq_volume,  mut_domain};
  for (size_t i = 0; i < sizeof muts / sizeof muts[0]; i++) {
    mkt m;
    mkt_init(&m, "{\"iexec_args\":\"x\"}");
    ASSERT_EQ(mkt_list(&m), 0);
    muts[i](&m);
    sign_all(&m);
    decc_poco_effects got, ref;
    decc_status st = match(&m, &got);
    if (st != DECC_OK)
      fprintf(stderr, "  mutation %zu: %s\n", i,
              decc_poco_revert_text(&got.revert));
    ASSERT_EQ(st, DECC_OK);
    ASSERT(logged_hashes_fresh(&m, &got));
    m.world.listed = NULL;
    ASSERT_EQ(match(&m, &ref), DECC_OK);
    ASSERT(same_effects(&ref, &got));
    decc_poco_effects_clear(&got);
    decc_poco_effects_clear(&ref);
    mkt_clear(&m);
  }
}
