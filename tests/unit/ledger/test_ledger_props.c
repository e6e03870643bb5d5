/*
 * test_ledger_props.c — property tests over a small world (app, dataset
 * and workerpool owners, a requester, two workers): 40 deals with prices,
 * volumes, dataset or not, workerpool policies and task outcomes drawn
 * from a fixed-seed generator, each task completed (contributeAndFinalize)
 * or left to fail and claimed after its final deadline, in shuffled order.
 * After every transaction:
 *  * RLC is conserved: Σ token balances = supply; the hub holds exactly
 *    Σ stakes + Σ locked; the hub's own escrow row = Σ locked;
 *  * every account's stake and locked amount equal an independent model
 *    of PoCo's arithmetic (iexec-protocol.md §2.6: lock at match, seize /
 *    reward on success incl. the kitty reward, distributeRewardsFast,
 *    failedWork refund + 30 % seized into the kitty);
 *  * deal and task ids follow their formulas; every task ends COMPLETED
 *    or FAILED; the history replays (verify).
 */
#include <stdio.h>
#include <string.h>

#include "decc/order.h"
#include "decc/poco.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

enum { A = 1, D = 2, S = 3, R = 4, W1 = 5, W2 = 6, NACC = 8, KITTY = 7 };

typedef struct model {
  decc_u256 bal[NACC], frz[NACC];
} model;

typedef struct world {
  decc_ledger *l;
  decc_ledger_info info;
  uint8_t sk[NACC][32];
  decc_address who[NACC]; /* who[KITTY] = the kitty */
  decc_address app, ds, wp;
  uint8_t sep[32];
  model m;
  uint64_t rng;
} world;

/* set when a model / sum operation overflowed (a failure in itself) */
static int g_ovf;

static uint64_t rnd(world *w) {
  w->rng ^= w->rng << 13;
  w->rng ^= w->rng >> 7;
  w->rng ^= w->rng << 17;
  return w->rng;
}

static decc_u256 U(uint64_t v) { return decc_u256_from_u64(v); }
static void add(decc_u256 *x, uint64_t v) {
  decc_u256 t = U(v);
  g_ovf |= (int)decc_u256_add(x, x, &t);
}
static void sub(decc_u256 *x, uint64_t v) {
  decc_u256 t = U(v);
  g_ovf |= (int)decc_u256_sub(x, x, &t);
}

static int send(world *w, unsigned from, const decc_address *to, decc_buf d,
                uint8_t out32[32]) {
  decc_receipt r;
  decc_err err;
  int st = -1;
  if (decc_ledger_send(w->l, w->sk[from], to, d.data, d.len, &r, &err) ==
      DECC_OK) {
    st = r.status;
    if (!st)
      fprintf(stderr, "reverted (selector %02x%02x%02x%02x): %s\n", d.data[0],
              d.data[1], d.data[2], d.data[3], r.revert_reason);
    if (out32 && r.output_len >= 32)
      memcpy(out32, r.output, 32);
    decc_receipt_clear(&r);
  } else
    fprintf(stderr, "send: %s\n", err.msg);
  decc_buf_clear(&d);
  return st;
}

/* Checks conservation and the model. Returns 0 when all hold. */
static int check(world *w) {
  sqlite3_stmt *st;
  int found;
  decc_u256 sum = U(0), supply, x;
  if (ldg_query(w->l, &st, &found, "SELECT amount FROM rlc_balances", NULL,
                "") != DECC_OK)
    return -1;
  while (found) {
    ldg_col_u256(st, 0, &x);
    g_ovf |= (int)decc_u256_add(&sum, &sum, &x);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_reset(st);
  if (ldg_kv_get(w->l, "rlc.supply", &supply, NULL) != DECC_OK ||
      decc_u256_cmp(&sum, &supply)) {
    fprintf(stderr, "token supply not conserved\n");
    return -1;
  }
  decc_u256 bal = U(0), frz = U(0), hub_row = U(0), hub_rlc, b, f;
  if (ldg_query(w->l, &st, &found,
                "SELECT address, balance, frozen FROM escrow", NULL,
                "") != DECC_OK)
    return -1;
  while (found) {
    decc_address a;
    ldg_col_addr(st, 0, &a);
    ldg_col_u256(st, 1, &b);
    ldg_col_u256(st, 2, &f);
    if (decc_address_eq(&a, &w->info.addr.hub))
      hub_row = b;
    else {
      g_ovf |= (int)decc_u256_add(&bal, &bal, &b);
      g_ovf |= (int)decc_u256_add(&frz, &frz, &f);
    }
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_reset(st);
  decc_u256 total;
  g_ovf |= (int)decc_u256_add(&total, &bal, &frz);
  if (decc_ledger_rlc_balance(w->l, &w->info.addr.hub, &hub_rlc, NULL) !=
          DECC_OK ||
      decc_u256_cmp(&hub_rlc, &total) || decc_u256_cmp(&hub_row, &frz)) {
    fprintf(stderr, "escrow not conserved\n");
    return -1;
  }
  for (unsigned i = 1; i < NACC; i++) {
    if (decc_ledger_escrow(w->l, &w->who[i], &b, &f, NULL) != DECC_OK)
      return -1;
    if (decc_u256_cmp(&b, &w->m.bal[i]) || decc_u256_cmp(&f, &w->m.frz[i])) {
      char e1[80], e2[80], g1[80], g2[80];
      fprintf(stderr, "account %u: stake %s locked %s, model %s / %s\n", i,
              decc_u256_to_dec(g1, &b), decc_u256_to_dec(g2, &f),
              decc_u256_to_dec(e1, &w->m.bal[i]),
              decc_u256_to_dec(e2, &w->m.frz[i]));
      return -1;
    }
  }
  return 0;
}

static int create_assets(world *w) {
  uint8_t out[32], sum[32];
  memset(sum, 3, 32);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[A]);
  decc_abi_enc_push_string(&e, "app");
  decc_abi_enc_push_string(&e, "DOCKER");
  decc_abi_enc_push_bytes(&e, "i", 1);
  decc_abi_enc_push_bytes32(&e, sum);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  if (send(w, A, &w->info.addr.app_registry,
           finish_call(&e, "createApp(address,string,string,bytes,bytes32,"
                           "bytes)"),
           out) != 1)
    return -1;
  memcpy(w->app.b, out + 12, 20);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[D]);
  decc_abi_enc_push_string(&e, "ds");
  decc_abi_enc_push_bytes(&e, "d", 1);
  decc_abi_enc_push_bytes32(&e, sum);
  if (send(w, D, &w->info.addr.dataset_registry,
           finish_call(&e, "createDataset(address,string,bytes,bytes32)"),
           out) != 1)
    return -1;
  memcpy(w->ds.b, out + 12, 20);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[S]);
  decc_abi_enc_push_string(&e, "wp");
  if (send(w, S, &w->info.addr.workerpool_registry,
           finish_call(&e, "createWorkerpool(address,string)"), out) != 1)
    return -1;
  memcpy(w->wp.b, out + 12, 20);
  return 0;
}

static int setup(world *w) {
  memset(w, 0, sizeof *w);
  w->rng = 0x9e3779b97f4a7c15ull;
  decc_genesis g;
  if (decc_genesis_default(&g) != DECC_OK)
    return -1;
  g.timestamp = 1700000000;
  int rc = decc_ledger_open_memory(&w->l, &g, NULL) == DECC_OK ? 0 : -1;
  decc_u256 stake = g.dev_stake;
  decc_genesis_clear(&g);
  if (rc || decc_ledger_get_info(w->l, &w->info, NULL) != DECC_OK)
    return -1;
  for (unsigned i = 0; i < NACC; i++) {
    if (i == KITTY) {
      decc_poco_kitty_address(&w->who[i]);
      continue;
    }
    if (decc_ledger_dev_key(w->sk[i], i) != DECC_OK ||
        decc_address_from_privkey(&w->who[i], w->sk[i]) != DECC_OK)
      return -1;
    w->m.bal[i] = stake;
  }
  decc_poco_domain_separator(w->sep, w->info.chain_id, &w->info.addr.hub);
  return create_assets(w);
}

typedef struct scenario {
  uint64_t ap, dp, wpp, volume, srr, wsr;
  int dataset;
} scenario;

static int policy(world *w, uint64_t wsr, uint64_t srr) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u64(&e, wsr);
  decc_abi_enc_push_u64(&e, srr);
  return send(w, S, &w->wp, finish_call(&e, "changePolicy(uint256,uint256)"),
              NULL) == 1
             ? 0
             : -1;
}

static int task_status(world *w, const uint8_t task[32]) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, task);
  decc_buf d = finish_call(&e, "viewTask(bytes32)");
  decc_buf out;
  decc_buf_init(&out, 0);
  int st = -1;
  /* the first word of the struct's head (after its offset) is the status */
  if (decc_ledger_view(w->l, NULL, &w->info.addr.hub, d.data, d.len, &out,
                       NULL) == DECC_OK &&
      out.len >= 64)
    st = out.data[63];
  decc_buf_clear(&out);
  decc_buf_clear(&d);
  return st;
}

static int run(world *w, const scenario *sc, unsigned n, uint8_t *kitty_hit) {
  if (policy(w, sc->wsr, sc->srr))
    return -1;
  decc_order o[4];
  if (decc_order_init(&o[0], DECC_ORDER_APP) != DECC_OK ||
      decc_order_init(&o[1], DECC_ORDER_DATASET) != DECC_OK ||
      decc_order_init(&o[2], DECC_ORDER_WORKERPOOL) != DECC_OK ||
      decc_order_init(&o[3], DECC_ORDER_REQUEST) != DECC_OK)
    return -1;
  int rc = -1;
  uint8_t salt[32];
  memset(salt, 0, 32);
  salt[0] = (uint8_t)n;
  salt[1] = (uint8_t)(n >> 8);
  o[0].u.app.app = w->app;
  o[0].u.app.appprice = U(sc->ap);
  o[0].u.app.volume = U(sc->volume);
  memcpy(o[0].u.app.salt, salt, 32);
  if (sc->dataset) {
    o[1].u.dataset.dataset = w->ds;
    o[1].u.dataset.datasetprice = U(sc->dp);
    o[1].u.dataset.volume = U(sc->volume);
    memcpy(o[1].u.dataset.salt, salt, 32);
  }
  o[2].u.workerpool.workerpool = w->wp;
  o[2].u.workerpool.workerpoolprice = U(sc->wpp);
  o[2].u.workerpool.volume = U(sc->volume);
  memcpy(o[2].u.workerpool.salt, salt, 32);
  decc_requestorder *q = &o[3].u.request;
  q->app = w->app;
  q->appmaxprice = U(sc->ap);
  if (sc->dataset) {
    q->dataset = w->ds;
    q->datasetmaxprice = U(sc->dp);
  }
  q->workerpoolmaxprice = U(sc->wpp);
  q->requester = w->who[R];
  q->beneficiary = w->who[R];
  q->volume = U(sc->volume);
  memcpy(q->salt, salt, 32);
  uint64_t dp = sc->dataset ? sc->dp : 0;
  if (decc_order_sign(&o[0], w->sk[A], w->sep, 1) != DECC_OK ||
      (sc->dataset && decc_order_sign(&o[1], w->sk[D], w->sep, 1) != DECC_OK) ||
      decc_order_sign(&o[2], w->sk[S], w->sep, 1) != DECC_OK ||
      decc_order_sign(&o[3], w->sk[R], w->sep, 1) != DECC_OK)
    goto out;
  uint8_t deal[32], want[32], rh[32];
  if (send(w, R, &w->info.addr.hub,
           ldg_t_match_call(&o[0], &o[1], &o[2], &o[3]), deal) != 1)
    goto out;
  /* deal id = keccak256(requestHash ‖ consumed before the match = 0) */
  decc_order_hash(rh, &o[3], w->sep);
  decc_u256 zero = U(0);
  decc_deal_id(want, rh, &zero);
  if (memcmp(want, deal, 32)) {
    fprintf(stderr, "deal id formula\n");
    goto out;
  }
  uint64_t price = sc->ap + dp + sc->wpp, wlock = sc->wpp * 30 / 100;
  sub(&w->m.bal[R], price * sc->volume);
  add(&w->m.frz[R], price * sc->volume);
  sub(&w->m.bal[S], wlock * sc->volume);
  add(&w->m.frz[S], wlock * sc->volume);
  if (check(w))
    goto out;
  /* Tasks in a shuffled order, each drawn to succeed or fail. PoCo's
   * contribution deadline (7 × timeref after the deal) passes before the
   * final one (10 ×), so the successes happen first, interleaved with the
   * initialisation of the tasks that will fail; then time travels past the
   * final deadline and the failed ones are claimed, in shuffled order. */
  uint64_t idx[4] = {0, 1, 2, 3};
  for (uint64_t i = sc->volume; i > 1; i--) {
    uint64_t j = rnd(w) % i, t = idx[i - 1];
    idx[i - 1] = idx[j];
    idx[j] = t;
  }
  uint8_t tasks[4][32];
  int fails[4];
  for (uint64_t k = 0; k < sc->volume; k++) {
    decc_u256 iu = U(idx[k]);
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_bytes32(&e, deal);
    decc_abi_enc_push_u64(&e, idx[k]);
    uint8_t task[32];
    if (send(w, S, &w->info.addr.hub,
             finish_call(&e, "initialize(bytes32,uint256)"), task) != 1)
      goto out;
    decc_task_id(want, deal, &iu);
    if (memcmp(want, task, 32)) {
      fprintf(stderr, "task id formula\n");
      goto out;
    }
    memcpy(tasks[k], task, 32);
    fails[k] = rnd(w) % 3 == 0;
    if (fails[k])
      continue;
    unsigned wk = rnd(w) % 2 ? W1 : W2;
    uint8_t digest[32], msg[32], auth[65];
    memset(digest, (int)(n + k + 1), 32);
    decc_address none;
    memset(&none, 0, sizeof none);
    decc_poco_authorization_message(msg, &w->who[wk], task, &none);
    if (decc_eip191_sign(auth, w->sk[S], msg, 32) != DECC_OK)
      goto out;
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_bytes32(&e, task);
    decc_abi_enc_push_bytes32(&e, digest);
    decc_abi_enc_push_bytes(&e, "r", 1);
    decc_abi_enc_push_bytes(&e, NULL, 0);
    decc_abi_enc_push_address(&e, &none);
    decc_abi_enc_push_bytes(&e, NULL, 0);
    decc_abi_enc_push_bytes(&e, auth, 65);
    if (send(w, wk, &w->info.addr.hub,
             finish_call(&e, "contributeAndFinalize(bytes32,bytes32,bytes,"
                             "bytes,address,bytes,bytes)"),
             NULL) != 1)
      goto out;
    sub(&w->m.frz[R], price);
    add(&w->m.bal[A], sc->ap);
    add(&w->m.bal[D], dp);
    sub(&w->m.frz[S], wlock);
    add(&w->m.bal[S], wlock);
    uint64_t kf = 0;
    (void)decc_u256_to_u64(&kf, &w->m.frz[KITTY]);
    if (kf) {
      uint64_t kk = kf * 10 / 100;
      kk = kk < 1000000000ull ? 1000000000ull : kk;
      kk = kk > kf ? kf : kk;
      sub(&w->m.frz[KITTY], kk);
      add(&w->m.bal[S], kk);
      *kitty_hit = 1;
    }
    uint64_t wr = sc->wpp * (100 - sc->srr) / 100;
    add(&w->m.bal[wk], wr);
    add(&w->m.bal[S], sc->wpp - wr);
    if (check(w))
      goto out;
  }
  int travelled = 0;
  for (uint64_t k = 0; k < sc->volume; k++) {
    if (!fails[k])
      continue;
    decc_abi_enc e;
    if (!travelled &&
        decc_ledger_time_increase(w->l, 10 * 300 + 1, NULL, NULL) != DECC_OK)
      goto out;
    travelled = 1;
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_bytes32(&e, tasks[k]);
    if (send(w, R, &w->info.addr.hub, finish_call(&e, "claim(bytes32)"),
             NULL) != 1)
      goto out;
    sub(&w->m.frz[R], price);
    add(&w->m.bal[R], price);
    sub(&w->m.frz[S], wlock);
    add(&w->m.frz[KITTY], wlock);
    if (check(w))
      goto out;
  }
  for (uint64_t k = 0; k < sc->volume; k++) {
    int st = task_status(w, tasks[k]);
    if (st != DECC_TASK_COMPLETED && st != DECC_TASK_FAILED) {
      fprintf(stderr, "task ends in status %d\n", st);
      goto out;
    }
  }
  rc = 0;
out:
  for (int i = 0; i < 4; i++)
    decc_order_clear(&o[i]);
  return rc;
}

TEST(conservation_payments_ids_and_outcomes) {
  world w;
  ASSERT_EQ(setup(&w), 0);
  ASSERT_EQ(check(&w), 0);
  static const uint64_t AP[] = {0, 1, 7, 1000000003ull, 2500000000ull};
  static const uint64_t DP[] = {0, 3, 999999999ull};
  static const uint64_t WP[] = {
      0, 1, 99, 333333333ull, 1000000007ull, 7000000000ull};
  static const uint64_t SRR[] = {0, 1, 17, 50, 99, 100};
  uint8_t kitty_hit = 0;
  for (unsigned n = 0; n < 40; n++) {
    scenario sc = {AP[rnd(&w) % 5],   DP[rnd(&w) % 3],  WP[rnd(&w) % 6],
                   1 + rnd(&w) % 4,   SRR[rnd(&w) % 6], rnd(&w) % 60,
                   (int)(rnd(&w) % 2)};
    if (run(&w, &sc, n, &kitty_hit)) {
      fprintf(stderr,
              "scenario %u: ap %llu dp %llu wp %llu vol %llu srr "
              "%llu ds %d\n",
              n, (unsigned long long)sc.ap, (unsigned long long)sc.dp,
              (unsigned long long)sc.wpp, (unsigned long long)sc.volume,
              (unsigned long long)sc.srr, sc.dataset);
      ASSERT(0);
    }
  }
  ASSERT(kitty_hit); /* the kitty path was exercised */
  ASSERT_EQ(g_ovf, 0);
  decc_ledger_verify_report rep;
  decc_err err;
  ASSERT_OK(decc_ledger_verify(w.l, &rep, &err));
  decc_ledger_close(w.l);
}
