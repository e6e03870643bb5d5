/*
 * test_ledger_poco.c — PoCo through the ledger: apps / workerpools
 * created by calldata, orders signed with decc's EIP-712 code, matchOrders
 * (success, a revert that changes nothing), initialize,
 * contributeAndFinalize, the payments, the views, claim after the final
 * deadline with time travel, and a replay verification of it all.
 */
#include <stdio.h>
#include <string.h>

#include "decc/order.h"
#include "decc/poco.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

typedef struct world {
  decc_ledger *l;
  decc_ledger_info info;
  uint8_t sk[4]
            [32]; /* 0 app owner, 1 workerpool owner, 2 requester, 3 worker */
  decc_address who[4];
  decc_address app, wp;
} world;

static int setup(world *w) {
  decc_genesis g;
  memset(w, 0, sizeof *w);
  if (decc_genesis_default(&g) != DECC_OK)
    return -1;
  g.timestamp = 1700000000;
  int rc = decc_ledger_open_memory(&w->l, &g, NULL) == DECC_OK ? 0 : -1;
  decc_genesis_clear(&g);
  if (rc || decc_ledger_get_info(w->l, &w->info, NULL) != DECC_OK)
    return -1;
  for (unsigned i = 0; i < 4; i++)
    if (decc_ledger_dev_key(w->sk[i], i + 1) != DECC_OK ||
        decc_address_from_privkey(&w->who[i], w->sk[i]) != DECC_OK)
      return -1;
  if (ldg_t_create_app(w->l, &w->info, &w->who[0], &w->app) ||
      ldg_t_create_workerpool(w->l, &w->info, &w->who[1], &w->wp))
    return -1;
  return 0;
}

static void push_order(decc_abi_enc *e, const decc_order *o) {
  if (decc_order_abi_push(e, o) != DECC_OK) {
    /* the encoder error is sticky: finish reports it */
  }
}

typedef struct orders {
  decc_order app, ds, wp, rq;
} orders;

static int make_orders(world *w, orders *o, uint64_t category,
                       uint64_t volume) {
  if (ldg_t_offer_orders(&o->app, &o->ds, &o->wp, &w->app, 5000000000ull,
                         &w->wp, 1000000000ull, 100) ||
      decc_order_init(&o->rq, DECC_ORDER_REQUEST) != DECC_OK)
    return -1;
  o->wp.u.workerpool.category = decc_u256_from_u64(0);
  o->rq.u.request.app = w->app;
  o->rq.u.request.appmaxprice = decc_u256_from_u64(5000000000ull);
  o->rq.u.request.workerpoolmaxprice = decc_u256_from_u64(1000000000ull);
  o->rq.u.request.requester = w->who[2];
  o->rq.u.request.beneficiary = w->who[2];
  o->rq.u.request.volume = decc_u256_from_u64(volume);
  o->rq.u.request.category = decc_u256_from_u64(category);
  if (decc_order_sign(&o->app, w->sk[0], w->l->domain_sep, 1) != DECC_OK ||
      decc_order_sign(&o->wp, w->sk[1], w->l->domain_sep, 1) != DECC_OK ||
      decc_order_sign(&o->rq, w->sk[2], w->l->domain_sep, 1) != DECC_OK)
    return -1;
  return 0;
}

static void clear_orders(orders *o) {
  decc_order_clear(&o->app);
  decc_order_clear(&o->ds);
  decc_order_clear(&o->wp);
  decc_order_clear(&o->rq);
}

static decc_buf match_call(const orders *o) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  push_order(&e, &o->app);
  push_order(&e, &o->ds);
  push_order(&e, &o->wp);
  push_order(&e, &o->rq);
  return finish_call(
      &e,
      "matchOrders((address,uint256,uint256,bytes32,address,address,address,"
      "bytes32,bytes),(address,uint256,uint256,bytes32,address,address,"
      "address,bytes32,bytes),(address,uint256,uint256,bytes32,uint256,"
      "uint256,address,address,address,bytes32,bytes),(address,uint256,"
      "address,uint256,address,uint256,address,uint256,bytes32,uint256,"
      "uint256,address,address,string,bytes32,bytes))");
}

static uint64_t stake(world *w, const decc_address *a, uint64_t *frozen) {
  decc_u256 b, f;
  uint64_t x = UINT64_MAX, y = UINT64_MAX;
  if (decc_ledger_escrow(w->l, a, &b, &f, NULL) == DECC_OK) {
    decc_u256_to_u64(&x, &b);
    decc_u256_to_u64(&y, &f);
  }
  if (frozen)
    *frozen = y;
  return x;
}

TEST(match_initialize_contribute_and_finalize_pays) {
  world w;
  ASSERT_EQ(setup(&w), 0);
  orders o;
  ASSERT_EQ(make_orders(&w, &o, 0, 1), 0);
  uint64_t app0 = stake(&w, &w.who[0], NULL), wp0 = stake(&w, &w.who[1], NULL),
           rq0 = stake(&w, &w.who[2], NULL), wk0 = stake(&w, &w.who[3], NULL);

  /* a wrong category first: reverts 0x00 and changes nothing but a nonce */
  orders bad;
  ASSERT_EQ(make_orders(&w, &bad, 1, 1), 0);
  decc_buf d = match_call(&bad);
  uint8_t h0[32], h1[32];
  uint64_t n0;
  ASSERT_OK(decc_ledger_nonce(w.l, &w.who[2], &n0, NULL));
  ASSERT_OK(decc_ledger_state_hash(w.l, h0, NULL));
  decc_receipt r;
  ASSERT_EQ(ldg_t_call(w.l, &w.who[2], &w.info.addr.hub, &d, &r), 0);
  ASSERT_STR_EQ(r.revert_reason, "iExecV5-matchOrders-0x00");
  decc_receipt_clear(&r);
  /* same state once the consumed nonce is put back */
  if (n0)
    ASSERT_OK(ldg_nonce_set(w.l, &w.who[2], n0, NULL));
  else
    ASSERT_OK(ldg_exec(w.l, "DELETE FROM accounts WHERE address=?1", NULL, "a",
                       &w.who[2]));
  ASSERT_OK(decc_ledger_state_hash(w.l, h1, NULL));
  ASSERT_MEM_EQ(h0, h1, 32);
  ASSERT_OK(ldg_nonce_set(w.l, &w.who[2], n0 + 1, NULL));
  decc_buf_clear(&d);
  clear_orders(&bad);

  d = match_call(&o);
  ASSERT_EQ(ldg_t_call(w.l, &w.who[2], &w.info.addr.hub, &d, &r), 1);
  ASSERT_EQ(r.output_len, 32);
  uint8_t deal[32];
  memcpy(deal, r.output, 32);
  /* Transfer, Lock, Transfer, Lock, SchedulerNotice, OrdersMatched */
  ASSERT_EQ(r.n_logs, 6);
  uint8_t t0[32];
  decc_abi_event_topic(t0,
                       "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,"
                       "uint256)");
  ASSERT_MEM_EQ(r.logs[5].topics[0], t0, 32);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  uint64_t fr;
  ASSERT_EQ(stake(&w, &w.who[2], &fr), rq0 - 6000000000ull);
  ASSERT_EQ(fr, 6000000000ull);
  ASSERT_EQ(stake(&w, &w.who[1], &fr), wp0 - 300000000ull);
  ASSERT_EQ(fr, 300000000ull);

  /* the same match again: volume exhausted (0x60) */
  d = match_call(&o);
  ASSERT_EQ(ldg_t_call(w.l, &w.who[2], &w.info.addr.hub, &d, &r), 0);
  ASSERT_STR_EQ(r.revert_reason, "iExecV5-matchOrders-0x60");
  decc_receipt_clear(&r);
  decc_buf_clear(&d);

  /* initialize(deal, 0) */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, deal);
  decc_abi_enc_push_u64(&e, 0);
  d = finish_call(&e, "initialize(bytes32,uint256)");
  ASSERT_EQ(ldg_t_call(w.l, &w.who[1], &w.info.addr.hub, &d, &r), 1);
  uint8_t task[32], want[32];
  decc_u256 zero = decc_u256_from_u64(0);
  decc_task_id(want, deal, &zero);
  ASSERT_MEM_EQ(r.output, want, 32);
  memcpy(task, r.output, 32);
  decc_receipt_clear(&r);
  /* twice: reverts */
  ASSERT_EQ(ldg_t_call(w.l, &w.who[1], &w.info.addr.hub, &d, &r), 0);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);

  /* contributeAndFinalize by the worker, authorised by the scheduler */
  uint8_t digest[32], msg[32], auth[65];
  memset(digest, 0x77, 32);
  decc_address no_enclave;
  memset(&no_enclave, 0, sizeof no_enclave);
  decc_poco_authorization_message(msg, &w.who[3], task, &no_enclave);
  ASSERT_OK(decc_eip191_sign(auth, w.sk[1], msg, 32));
  const char *results = "{ \"storage\": \"ipfs\", \"location\": \"/ipfs/x\" }";
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, task);
  decc_abi_enc_push_bytes32(&e, digest);
  decc_abi_enc_push_bytes(&e, results, strlen(results));
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_enc_push_address(&e, &no_enclave);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_enc_push_bytes(&e, auth, 65);
  d = finish_call(&e, "contributeAndFinalize(bytes32,bytes32,bytes,bytes,"
                      "address,bytes,bytes)");
  ASSERT_EQ(ldg_t_call(w.l, &w.who[3], &w.info.addr.hub, &d, &r), 1);
  ASSERT(r.n_logs >= 4);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  /* payments: app owner +5 RLC; worker 1 RLC × 99%; scheduler the rest */
  ASSERT_EQ(stake(&w, &w.who[0], NULL), app0 + 5000000000ull);
  ASSERT_EQ(stake(&w, &w.who[2], &fr), rq0 - 6000000000ull);
  ASSERT_EQ(fr, 0);
  ASSERT_EQ(stake(&w, &w.who[3], NULL), wk0 + 990000000ull);
  ASSERT_EQ(stake(&w, &w.who[1], &fr), wp0 + 10000000ull);
  ASSERT_EQ(fr, 0);

  /* viewTask says COMPLETED with our results */
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, task);
  d = finish_call(&e, "viewTask(bytes32)");
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(
      decc_ledger_view(w.l, NULL, &w.info.addr.hub, d.data, d.len, &out, NULL));
  decc_abi_value *v = NULL;
  ASSERT_OK(decc_abi_decode(&v,
                            "(uint8,bytes32,uint256,uint256,uint256,uint256,"
                            "uint256,bytes32,uint256,uint256,address[],bytes32,"
                            "bytes,uint256,bytes)",
                            out.data, out.len, DECC_ABI_CANONICAL, NULL));
  uint64_t status;
  ASSERT_OK(decc_abi_get_u64(decc_abi_item(decc_abi_item(v, 0), 0), &status));
  ASSERT_EQ(status, 3);
  const uint8_t *res;
  size_t resn;
  ASSERT_OK(
      decc_abi_get_bytes(decc_abi_item(decc_abi_item(v, 0), 12), &res, &resn));
  ASSERT_EQ(resn, strlen(results));
  decc_abi_value_free(v);
  decc_buf_clear(&out);
  decc_buf_clear(&d);

  decc_ledger_verify_report rep;
  decc_err err;
  ASSERT_OK(decc_ledger_verify(w.l, &rep, &err));
  ASSERT_EQ(rep.txs, 8);
  clear_orders(&o);
  decc_ledger_close(w.l);
}

TEST(claim_after_final_deadline_refunds_and_feeds_the_kitty) {
  world w;
  ASSERT_EQ(setup(&w), 0);
  orders o;
  ASSERT_EQ(make_orders(&w, &o, 0, 1), 0);
  uint64_t rq0 = stake(&w, &w.who[2], NULL), wp0 = stake(&w, &w.who[1], NULL);
  decc_buf d = match_call(&o);
  decc_receipt r;
  ASSERT_EQ(ldg_t_call(w.l, &w.who[2], &w.info.addr.hub, &d, &r), 1);
  uint8_t deal[32];
  memcpy(deal, r.output, 32);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_begin_array(&e);
  decc_abi_enc_push_bytes32(&e, deal);
  decc_abi_enc_end_array(&e);
  decc_abi_enc_begin_array(&e);
  decc_abi_enc_push_u64(&e, 0);
  decc_abi_enc_end_array(&e);
  d = finish_call(&e, "initializeArray(bytes32[],uint256[])");
  ASSERT_EQ(ldg_t_call(w.l, &w.who[1], &w.info.addr.hub, &d, NULL), 1);
  decc_buf_clear(&d);
  uint8_t task[32];
  decc_u256 zero = decc_u256_from_u64(0);
  decc_task_id(task, deal, &zero);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, task);
  d = finish_call(&e, "claim(bytes32)");
  /* too early (category 0: 10 × 300 s) */
  ASSERT_EQ(ldg_t_call(w.l, &w.who[2], &w.info.addr.hub, &d, NULL), 0);
  ASSERT_OK(decc_ledger_time_increase(w.l, 3001, NULL, NULL));
  ASSERT_EQ(ldg_t_call(w.l, &w.who[2], &w.info.addr.hub, &d, &r), 1);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  uint64_t fr;
  ASSERT_EQ(stake(&w, &w.who[2], &fr), rq0);
  ASSERT_EQ(fr, 0);
  ASSERT_EQ(stake(&w, &w.who[1], &fr), wp0 - 300000000ull);
  ASSERT_EQ(fr, 0);
  decc_address kitty;
  decc_poco_kitty_address(&kitty);
  stake(&w, &kitty, &fr);
  ASSERT_EQ(fr, 300000000ull);
  /* RLC conservation: hub RLC = Σ escrow balances (hub's own included) */
  decc_u256 hub_rlc, sum = decc_u256_from_u64(0);
  ASSERT_OK(decc_ledger_rlc_balance(w.l, &w.info.addr.hub, &hub_rlc, NULL));
  sqlite3_stmt *st;
  int found;
  ASSERT_OK(
      ldg_query(w.l, &st, &found, "SELECT balance FROM escrow", NULL, ""));
  while (found) {
    decc_u256 b;
    ldg_col_u256(st, 0, &b);
    ASSERT_OK(decc_u256_add(&sum, &sum, &b));
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_reset(st);
  ASSERT_EQ(decc_u256_cmp(&sum, &hub_rlc), 0);
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(w.l, &rep, NULL));
  clear_orders(&o);
  decc_ledger_close(w.l);
}
