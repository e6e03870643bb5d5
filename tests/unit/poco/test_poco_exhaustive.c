/*
 * test_poco_exhaustive.c — every order of events in small PoCo worlds.
 *
 * A deal is made with matchOrders, then a depth-first search applies every
 * possible next event (initialize, contribute honestly or not, reveal,
 * reopen, finalize, contributeAndFinalize, claim, a clock tick of one
 * category time unit) to every reachable state; states already seen are
 * not expanded twice, so every interleaving is covered without repeating
 * work. Two worlds:
 *   A. trust 3, one task, three workers, no TEE (consensus, reopen,
 *      partial reveals, rejected and seized stakes, scores);
 *   B. trust 1, two tasks, two workers, TEE deal with a callback
 *      (enclave signatures, contributeAndFinalize, callback digests, the
 *      kitty filled by one task and drawn by the other).
 * In every state: the RLC supply (all balances, the hub's included) is
 * constant and the hub holds exactly the sum of frozen amounts; every
 * frozen amount is what the open tasks explain; ids follow the formulas;
 * a reverted call leaves no effect. From every state at or after the final
 * deadline, claim (after initialize for a task never started) ends every
 * task COMPLETED or FAILED; before it, claim reverts.
 */
#include <stdlib.h>

#include "decc/mem.h"
#include "poco_testworld.h"
#include "test.h"

enum { K_APP = 1, K_SCHED = 3, K_REQ = 4, K_W0 = 5, K_ENC0 = 20 };
#define T0 1000000u
#define TREF 300u
#define MAXT 2
#define MAXW 3
#define WPPRICE 10000000007ULL
#define APPPRICE 3000000001ULL

typedef struct cfg {
  int trust, ntasks, nworkers, tee, callback;
  int answers; /* 2: honest and dishonest contributions; 1: honest only */
} cfg;

typedef struct state {
  uint32_t tick;
  tw w;
  decc_poco_task task[MAXT];
} state;

/* ---- exploration context (one world at a time) ----------------------------- */

static cfg C;
static decc_poco_deal g_deal;
static uint8_t g_deal_id[32], g_task_id[MAXT][32];
static decc_address g_hub, g_worker[MAXW], g_enclave[MAXW];
static uint8_t g_auth[MAXT][MAXW][65], g_esig[MAXT][MAXW][2][65];
static uint8_t g_digest[2][32];
static uint8_t g_rh[MAXT][2][32], g_rs[MAXT][MAXW][2][32];
static const char *const g_preimage[2] = {"bad", "good"};
static uint64_t g_supply;
static int g_fail;
static struct {
  long states, calls, reverts, completed, failed, reopened, consensus, caf,
      max_depth;
} g_stat;

/* visited set: 64-bit fingerprints, open addressing */
#define VIS_BITS 21
static uint64_t *g_vis;

static int visit(uint64_t h) {
  if (h == 0)
    h = 1;
  size_t mask = ((size_t)1 << VIS_BITS) - 1, i = (size_t)h & mask;
  while (g_vis[i]) {
    if (g_vis[i] == h)
      return 0;
    i = (i + 1) & mask;
  }
  g_vis[i] = h;
  return 1;
}

static void fail(const char *what, const state *s) {
  if (!g_fail)
    fprintf(stderr, "  exhaustive: %s (tick %u)\n", what, s->tick);
  g_fail = 1;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const uint8_t *b = p;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

static uint64_t fingerprint(const state *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv(h, &s->tick, sizeof s->tick);
  for (int i = 0; i < s->w.n_acc; i++) {
    h = fnv(h, &s->w.acc[i].balance, sizeof(decc_u256));
    h = fnv(h, &s->w.acc[i].frozen, sizeof(decc_u256));
  }
  for (int i = 0; i < s->w.n_scores; i++)
    h = fnv(h, &s->w.scores[i].s, sizeof(decc_u256));
  for (int k = 0; k < C.ntasks; k++) {
    const decc_poco_task *t = &s->task[k];
    h = fnv(h, &t->status, sizeof t->status);
    h = fnv(h, &t->reveal_deadline, sizeof t->reveal_deadline);
    h = fnv(h, t->consensus_value, 32);
    h = fnv(h, &t->reveal_counter, sizeof t->reveal_counter);
    h = fnv(h, &t->winner_counter, sizeof t->winner_counter);
    h = fnv(h, t->result_digest, 32);
    h = fnv(h, &t->consensus_total, sizeof t->consensus_total);
    for (size_t i = 0; i < t->n_contributions; i++) {
      const decc_poco_contribution *c = &t->contributions[i];
      h = fnv(h, c->worker.b, 20);
      h = fnv(h, &c->status, sizeof c->status);
      h = fnv(h, c->result_hash, 32);
    }
    for (size_t i = 0; i < t->n_groups; i++) {
      h = fnv(h, t->groups[i].hash, 32);
      h = fnv(h, &t->groups[i].value, sizeof(decc_u256));
    }
  }
  return h;
}

/* ---- state handling ------------------------------------------------------------- */

static int state_copy(state *dst, const state *src) {
  dst->tick = src->tick;
  dst->w = src->w;
  for (int k = 0; k < MAXT; k++)
    if (decc_poco_task_copy(&dst->task[k], &src->task[k]))
      return -1;
  return 0;
}

static void state_clear(state *s) {
  for (int k = 0; k < MAXT; k++)
    decc_poco_task_clear(&s->task[k]);
}

static void env_of(state *s, decc_poco_world *world, decc_poco_env *env) {
  *world = tw_world(&s->w);
  memset(env, 0, sizeof *env);
  env->world = world;
  env->hub = g_hub;
  env->callback_gas = DECC_POCO_DEFAULT_CALLBACK_GAS;
  env->timestamp = T0 + (uint64_t)s->tick * TREF;
}

/* Writes fx into s; the task record goes to slot k. */
static int apply(state *s, int k, decc_poco_effects *fx) {
  if (tw_apply(&s->w, fx))
    return -1;
  if (fx->has_task) {
    if (memcmp(fx->task_id, g_task_id[k], 32) != 0)
      return -1;
    decc_poco_task_clear(&s->task[k]);
    s->task[k] = fx->task;
    decc_poco_task_init(&fx->task);
    fx->has_task = 0;
  }
  return 0;
}

static int fx_empty(const decc_poco_effects *fx) {
  return !fx->has_deal && !fx->has_task && fx->n_consumed == 0 &&
         fx->n_presigned == 0 && fx->n_scores == 0 && fx->n_moves == 0 &&
         fx->accounts.n == 0 && fx->n_logs == 0 && !fx->has_callback;
}

static uint64_t u64(const decc_u256 *v) {
  uint64_t x = 0;
  return decc_u256_to_u64(&x, v) ? x : UINT64_MAX;
}

static int is_open(const decc_poco_task *t) {
  return t->status != DECC_TASK_COMPLETED && t->status != DECC_TASK_FAILED;
}

static int contributed(const decc_poco_task *t, int w) {
  return decc_poco_task_contribution(t, &g_worker[w]) != NULL;
}

/* ---- invariants -------------------------------------------------------------------- */

static void check_invariants(const state *s) {
  decc_u256 bal, frz;
  tw_totals(&s->w, &bal, &frz);
  if (u64(&bal) != g_supply)
    fail("supply changed", s);
  const decc_poco_account *hub = NULL;
  for (int i = 0; i < s->w.n_acc; i++)
    if (decc_address_eq(&s->w.acc[i].addr, &g_hub))
      hub = &s->w.acc[i];
  if (!hub || decc_u256_cmp(&hub->balance, &frz) != 0)
    fail("hub balance differs from the sum of frozen amounts", s);

  uint64_t stake = u64(&g_deal.worker_stake);
  uint64_t price = APPPRICE + WPPRICE, pool = WPPRICE * 30 / 100;
  int open = 0;
  for (int k = 0; k < C.ntasks; k++)
    open += is_open(&s->task[k]);
  for (int i = 0; i < s->w.n_acc; i++) {
    const decc_poco_account *a = &s->w.acc[i];
    uint64_t want = UINT64_MAX;
    if (decc_address_eq(&a->addr, &g_deal.sponsor))
      want = price * (uint64_t)open;
    else if (decc_address_eq(&a->addr, &g_deal.workerpool.owner))
      want = pool * (uint64_t)open;
    for (int w = 0; w < C.nworkers; w++)
      if (decc_address_eq(&a->addr, &g_worker[w])) {
        want = 0;
        for (int k = 0; k < C.ntasks; k++)
          if (is_open(&s->task[k]) && s->task[k].status != DECC_TASK_UNSET &&
              contributed(&s->task[k], w))
            want += stake;
      }
    if (want != UINT64_MAX && u64(&a->frozen) != want)
      fail("frozen amount not explained by the open tasks", s);
  }
  for (int k = 0; k < C.ntasks; k++) {
    const decc_poco_task *t = &s->task[k];
    if (t->status == DECC_TASK_UNSET)
      continue;
    uint8_t pre[64] = {0}, id[32];
    memcpy(pre, g_deal_id, 32);
    pre[63] = (uint8_t)k;
    decc_keccak256(id, pre, 64);
    if (memcmp(id, g_task_id[k], 32) != 0 ||
        memcmp(t->deal_id, g_deal_id, 32) != 0 || u64(&t->idx) != (uint64_t)k)
      fail("task id / deal id formula", s);
    if (u64(&t->final_deadline) != T0 + 10 * TREF ||
        u64(&t->contribution_deadline) != T0 + 7 * TREF)
      fail("deadlines", s);
    if (t->status == DECC_TASK_COMPLETED && u64(&t->reveal_counter) == 0)
      fail("completed without a revealed result", s);
    /* Counters recomputed from the contributions. */
    uint64_t winners = 0, proved = 0, groups = 0;
    for (size_t i = 0; i < t->n_contributions; i++) {
      const decc_poco_contribution *c = &t->contributions[i];
      proved += c->status == DECC_CONTRIB_PROVED;
      winners += memcmp(c->result_hash, t->consensus_value, 32) == 0 &&
                 (c->status == DECC_CONTRIB_CONTRIBUTED ||
                  c->status == DECC_CONTRIB_PROVED);
    }
    for (size_t i = 0; i < t->n_groups; i++)
      groups += u64(&t->groups[i].value);
    if (t->status == DECC_TASK_REVEALING || t->status == DECC_TASK_COMPLETED) {
      if (u64(&t->winner_counter) != winners)
        fail("winner counter", s);
      if (u64(&t->reveal_counter) != proved)
        fail("reveal counter", s);
    }
    if (t->status == DECC_TASK_ACTIVE && (winners != 0 && proved != 0))
      fail("active task with proved winners", s);
    if (u64(&t->consensus_total) != 1 + groups)
      fail("consensus total differs from 1 + the groups", s);
  }
}

/* ---- actions ----------------------------------------------------------------------------- */

enum act { A_INIT, A_CONTRIB, A_REVEAL, A_REOPEN, A_FINALIZE, A_CAF, A_CLAIM };

/* Which digest worker w contributed to task k (it reveals that one). */
static int digest_index(const decc_poco_task *t, int k, int w) {
  const decc_poco_contribution *c =
      decc_poco_task_contribution(t, &g_worker[w]);
  return !c || memcmp(g_rh[k][1], c->result_hash, 32) == 0;
}

static decc_status run(state *s, enum act a, int k, int w, int honest,
                       decc_poco_effects *fx) {
  decc_poco_world world;
  decc_poco_env env;
  env_of(s, &world, &env);
  const decc_poco_task *t = &s->task[k];
  decc_address sched = g_deal.workerpool.owner;
  decc_address zero;
  memset(&zero, 0, sizeof zero);
  const decc_address *ec = C.tee ? &g_enclave[w] : &zero;
  switch (a) {
  case A_INIT: {
    decc_u256 idx = U((uint64_t)k);
    return decc_poco_initialize(&env, g_deal_id, &g_deal, &idx, t, fx, NULL);
  }
  case A_CONTRIB:
    return decc_poco_contribute(&env, g_task_id[k], &g_deal, t, &g_worker[w],
                                g_rh[k][honest], g_rs[k][w][honest], ec,
                                g_esig[k][w][honest], C.tee ? 65 : 0,
                                g_auth[k][w], 65, fx, NULL);
  case A_REVEAL:
    return decc_poco_reveal(&env, g_task_id[k], t, &g_worker[w],
                            g_digest[digest_index(t, k, w)], fx, NULL);
  case A_REOPEN:
    return decc_poco_reopen(&env, g_task_id[k], &g_deal, t, &sched, fx, NULL);
  case A_FINALIZE: {
    /* The scheduler passes the callback data whose hash is the revealed
     * digest (callback deals) or nothing. */
    const char *rcb = NULL;
    if (C.callback)
      rcb = g_preimage[memcmp(t->result_digest, g_digest[1], 32) == 0];
    return decc_poco_finalize(&env, g_task_id[k], &g_deal, t, &sched,
                              (const uint8_t *)"res", 3, (const uint8_t *)rcb,
                              rcb ? strlen(rcb) : 0, fx, NULL);
  }
  case A_CAF: {
    const char *rcb = C.callback ? g_preimage[honest] : NULL;
    return decc_poco_contribute_and_finalize(
        &env, g_task_id[k], &g_deal, t, &g_worker[w], g_digest[honest],
        (const uint8_t *)"res", 3, (const uint8_t *)rcb, rcb ? strlen(rcb) : 0,
        ec, g_esig[k][w][honest], C.tee ? 65 : 0, g_auth[k][w], 65, fx, NULL);
  }
  case A_CLAIM:
    return decc_poco_claim(&env, g_task_id[k], &g_deal, t, fx, NULL);
  }
  return DECC_E_INVALID;
}

/* From s (at or after the final deadline), claim closes every task. */
static void check_claim_closure(const state *s) {
  state c;
  memset(&c, 0, sizeof c);
  if (state_copy(&c, s)) {
    fail("copy", s);
    return;
  }
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  for (int k = 0; k < C.ntasks; k++) {
    decc_poco_task_status before = c.task[k].status;
    if (before == DECC_TASK_UNSET) {
      if (run(&c, A_INIT, k, 0, 0, &fx) || apply(&c, k, &fx))
        fail("initialize after the deadline", s);
    }
    decc_status st = run(&c, A_CLAIM, k, 0, 0, &fx);
    if (is_open(&c.task[k])) {
      if (st != DECC_OK || apply(&c, k, &fx) ||
          c.task[k].status != DECC_TASK_FAILED)
        fail("claim did not close an open task", s);
    } else if (st != DECC_E_REVERT) {
      fail("claim of a closed task did not revert", s);
    }
  }
  check_invariants(&c);
  for (int k = 0; k < C.ntasks; k++)
    if (is_open(&c.task[k]))
      fail("task still open after claims", s);
  decc_poco_effects_clear(&fx);
  state_clear(&c);
}

static void dfs(const state *s, int depth);

static void try_action(const state *s, enum act a, int k, int w, int honest,
                       int depth) {
  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  /* The rules only read the state through the world: no copy needed
   * unless the call succeeds. */
  decc_status st = run((state *)s, a, k, w, honest, &fx);
  g_stat.calls++;
  if (st == DECC_OK) {
    state c;
    memset(&c, 0, sizeof c);
    decc_poco_task_status before = s->task[k].status;
    if (a == A_CLAIM && s->tick < 10)
      fail("claim before the final deadline", s);
    if (state_copy(&c, s) || apply(&c, k, &fx)) {
      fail("apply", s);
    } else {
      decc_poco_task_status after = c.task[k].status;
      if (after == DECC_TASK_COMPLETED && before != after)
        g_stat.completed++;
      if (after == DECC_TASK_FAILED && before != after)
        g_stat.failed++;
      if (a == A_REOPEN)
        g_stat.reopened++;
      if (a == A_CAF)
        g_stat.caf++;
      if (after == DECC_TASK_REVEALING && before == DECC_TASK_ACTIVE)
        g_stat.consensus++;
      decc_poco_effects_clear(&fx);
      dfs(&c, depth + 1);
    }
    state_clear(&c);
  } else if (st == DECC_E_REVERT) {
    g_stat.reverts++;
    if (!fx_empty(&fx))
      fail("a revert left effects", s);
  } else {
    fail("hard error", s);
  }
  decc_poco_effects_clear(&fx);
}

static void dfs(const state *s, int depth) {
  if (g_fail || !visit(fingerprint(s)))
    return;
  g_stat.states++;
  if (depth > g_stat.max_depth)
    g_stat.max_depth = depth;
  check_invariants(s);
  if (s->tick >= 10)
    check_claim_closure(s);
  for (int k = 0; k < C.ntasks; k++) {
    try_action(s, A_INIT, k, 0, 0, depth);
    for (int w = 0; w < C.nworkers; w++) {
      for (int h = 2 - C.answers; h < 2; h++) {
        try_action(s, A_CONTRIB, k, w, h, depth);
        if (C.trust == 1)
          try_action(s, A_CAF, k, w, h, depth);
      }
      try_action(s, A_REVEAL, k, w, 0, depth);
    }
    try_action(s, A_REOPEN, k, 0, 0, depth);
    try_action(s, A_FINALIZE, k, 0, 0, depth);
    try_action(s, A_CLAIM, k, 0, 0, depth);
  }
  if (s->tick < 11) {
    state c;
    memset(&c, 0, sizeof c);
    if (state_copy(&c, s) == 0) {
      c.tick++;
      dfs(&c, depth + 1);
    }
    state_clear(&c);
  }
}

/* ---- setup: orders, matchOrders, signatures --------------------------------------- */

static int setup(state *s0) {
  memset(s0, 0, sizeof *s0);
  memset(&g_stat, 0, sizeof g_stat);
  g_fail = 0;
  tw_init(&s0->w);
  g_hub = tw_addr(0x11);
  decc_poco_world world;
  decc_poco_env env;
  env_of(s0, &world, &env);
  uint8_t ds[32];
  decc_poco_domain_separator(ds, 421614, &g_hub);
  memcpy(env.domain_separator, ds, 32);

  decc_address app = tw_addr(0xA1), wp = tw_addr(0xB1);
  decc_address app_owner = tw_addr_of_key(K_APP),
               sched = tw_addr_of_key(K_SCHED), req = tw_addr_of_key(K_REQ);
  tw_add_entry(&s0->w, &app, &app_owner, DECC_POCO_REG_APP);
  tw_add_entry(&s0->w, &wp, &sched, DECC_POCO_REG_WORKERPOOL);
  /* Every account exists up front so the state layout is canonical. */
  decc_address kitty;
  decc_poco_kitty_address(&kitty);
  tw_set_balance(&s0->w, &g_hub, 0);
  tw_set_balance(&s0->w, &kitty, 0);
  tw_set_balance(&s0->w, &app_owner, 0);
  tw_set_balance(&s0->w, &sched, 100000000000ULL);
  tw_set_balance(&s0->w, &req, 100000000000ULL);
  decc_u256 zero = U(0);
  for (int w = 0; w < C.nworkers; w++) {
    g_worker[w] = tw_addr_of_key(K_W0 + w);
    g_enclave[w] = tw_addr_of_key(K_ENC0 + w);
    tw_set_balance(&s0->w, &g_worker[w], 100000000000ULL);
    tw_set_score(&s0->w, &g_worker[w], &zero);
  }
  decc_u256 bal, frz;
  tw_totals(&s0->w, &bal, &frz);
  g_supply = u64(&bal);

  decc_order o[4];
  static const decc_order_type ty[4] = {DECC_ORDER_APP, DECC_ORDER_DATASET,
                                        DECC_ORDER_WORKERPOOL,
                                        DECC_ORDER_REQUEST};
  for (int i = 0; i < 4; i++)
    if (decc_order_init(&o[i], ty[i]))
      return -1;
  uint64_t tag = C.tee ? 0x9 : 0;
  o[0].u.app.app = app;
  o[0].u.app.appprice = U(APPPRICE);
  o[0].u.app.volume = U(100);
  decc_tag_from_bits(o[0].u.app.tag, tag);
  o[2].u.workerpool.workerpool = wp;
  o[2].u.workerpool.workerpoolprice = U(WPPRICE);
  o[2].u.workerpool.volume = U(100);
  o[2].u.workerpool.trust = U((uint64_t)C.trust);
  decc_tag_from_bits(o[2].u.workerpool.tag, tag);
  decc_requestorder *r = &o[3].u.request;
  r->app = app;
  r->appmaxprice = U(APPPRICE);
  r->workerpoolmaxprice = U(WPPRICE);
  r->requester = req;
  r->beneficiary = req;
  r->volume = U((uint64_t)C.ntasks);
  r->trust = U((uint64_t)C.trust);
  decc_tag_from_bits(r->tag, tag);
  if (C.callback)
    r->callback = tw_addr(0xCB);
  uint8_t sk[32];
  tw_key(sk, K_APP);
  int bad = decc_order_sign(&o[0], sk, ds, 1) != DECC_OK;
  tw_key(sk, K_SCHED);
  bad |= decc_order_sign(&o[2], sk, ds, 1) != DECC_OK;
  tw_key(sk, K_REQ);
  bad |= decc_order_sign(&o[3], sk, ds, 1) != DECC_OK;

  decc_poco_effects fx;
  decc_poco_effects_init(&fx);
  decc_status st = bad ? DECC_E_INVALID
                       : decc_poco_match_orders(&env, &o[0], &o[1], &o[2],
                                                &o[3], &req, 0, &fx, NULL);
  if (st == DECC_OK) {
    /* dealid = keccak256(requestHash ‖ u256(0)), recomputed here */
    uint8_t rh[32], pre[64] = {0};
    decc_order_hash(rh, &o[3], ds);
    memcpy(pre, rh, 32);
    decc_keccak256(g_deal_id, pre, 64);
    if (memcmp(g_deal_id, fx.deal_id, 32) != 0)
      st = DECC_E_INTERNAL;
    else if (decc_poco_deal_copy(&g_deal, &fx.deal) || tw_apply(&s0->w, &fx))
      st = DECC_E_NOMEM;
  }
  decc_poco_effects_clear(&fx);
  for (int i = 0; i < 4; i++)
    decc_order_clear(&o[i]);
  if (st)
    return -1;

  decc_keccak256(g_digest[0], g_preimage[0], strlen(g_preimage[0]));
  decc_keccak256(g_digest[1], g_preimage[1], strlen(g_preimage[1]));
  for (int k = 0; k < C.ntasks; k++) {
    decc_u256 idx = U((uint64_t)k);
    decc_task_id(g_task_id[k], g_deal_id, &idx);
    for (int w = 0; w < C.nworkers; w++) {
      uint8_t m[32];
      decc_address zero_a;
      memset(&zero_a, 0, sizeof zero_a);
      decc_poco_authorization_message(m, &g_worker[w], g_task_id[k],
                                      C.tee ? &g_enclave[w] : &zero_a);
      tw_key(sk, K_SCHED);
      if (decc_eip191_sign(g_auth[k][w], sk, m, 32))
        return -1;
      for (int h = 0; h < 2; h++) {
        decc_poco_result_hash(g_rh[k][h], g_task_id[k], g_digest[h]);
        decc_poco_result_seal(g_rs[k][w][h], &g_worker[w], g_task_id[k],
                              g_digest[h]);
        decc_poco_enclave_message(m, g_rh[k][h], g_rs[k][w][h]);
        tw_key(sk, K_ENC0 + w);
        if (decc_eip191_sign(g_esig[k][w][h], sk, m, 32))
          return -1;
      }
    }
  }
  return 0;
}

static int explore(cfg c) {
  C = c;
  state s0;
  if (setup(&s0)) {
    fprintf(stderr, "  setup failed\n");
    return -1;
  }
  g_vis = calloc((size_t)1 << VIS_BITS, sizeof *g_vis);
  if (!g_vis)
    return -1;
  dfs(&s0, 0);
  free(g_vis);
  g_vis = NULL;
  state_clear(&s0);
  decc_poco_deal_clear(&g_deal);
  fprintf(stderr,
          "  trust %d, %d task(s), %d workers: %ld states, %ld calls, "
          "%ld reverts, %ld completed, %ld failed, %ld reopened, %ld "
          "consensus, %ld contributeAndFinalize, depth %ld\n",
          c.trust, c.ntasks, c.nworkers, g_stat.states, g_stat.calls,
          g_stat.reverts, g_stat.completed, g_stat.failed, g_stat.reopened,
          g_stat.consensus, g_stat.caf, g_stat.max_depth);
  return g_fail ? -1 : 0;
}

TEST(exhaustive_trust3_one_task_three_workers) {
  cfg c = {3, 1, 3, 0, 0, 2};
  ASSERT_OK(explore(c));
  ASSERT(g_stat.states > 1000);
  ASSERT(g_stat.completed > 0);
  ASSERT(g_stat.failed > 0);
  ASSERT(g_stat.reopened > 0);
  ASSERT(g_stat.consensus > 0);
}

TEST(exhaustive_trust1_two_tasks_tee_callback) {
  /* With trust 1 the first contribution is the consensus whatever its
   * value, so a dishonest answer is the same path with another digest. */
  cfg c = {1, 2, 2, 1, 1, 1};
  ASSERT_OK(explore(c));
  ASSERT(g_stat.states > 1000);
  ASSERT(g_stat.completed > 0);
  ASSERT(g_stat.failed > 0);
  ASSERT(g_stat.caf > 0);
}
