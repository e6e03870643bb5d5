/*
 * test_ledger_presig.c — signatures recovered ahead of execution
 * (decc_poco_call_signatures, decc_poco_sigcheck_recover, the PoCo world's
 * `recovered` hook, decode.c's jobs / ldg_exec_pre): a matchOrders
 * call lists its signed orders with their EIP-712 hashes and recovers to
 * their signers; a contributeAndFinalize lists the scheduler's
 * authorization; other calldata lists nothing; the same signed
 * transaction executed with and without the recovered signatures leaves
 * the same receipt and state hash; and a wrong recovered signer changes
 * the outcome (so execution really uses them, and only for the exact
 * bytes it checks).
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
  uint8_t sk[3][32]; /* 0 app owner, 1 workerpool owner, 2 requester */
  decc_address who[3];
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
  for (unsigned i = 0; i < 3; i++)
    if (decc_ledger_dev_key(w->sk[i], i + 1) != DECC_OK ||
        decc_address_from_privkey(&w->who[i], w->sk[i]) != DECC_OK)
      return -1;
  if (ldg_t_create_app(w->l, &w->info, &w->who[0], &w->app) ||
      ldg_t_create_workerpool(w->l, &w->info, &w->who[1], &w->wp))
    return -1;
  return 0;
}

typedef struct orders {
  decc_order app, ds, wp, rq;
} orders;

/* App, workerpool and request orders signed (the dataset order is empty:
 * no dataset, unsigned). */
static int make_orders(world *w, orders *o) {
  if (ldg_t_offer_orders(&o->app, &o->ds, &o->wp, &w->app, 5, &w->wp, 1, 100) ||
      decc_order_init(&o->rq, DECC_ORDER_REQUEST) != DECC_OK)
    return -1;
  o->rq.u.request.app = w->app;
  o->rq.u.request.appmaxprice = decc_u256_from_u64(5);
  o->rq.u.request.workerpoolmaxprice = decc_u256_from_u64(1);
  o->rq.u.request.requester = w->who[2];
  o->rq.u.request.beneficiary = w->who[2];
  o->rq.u.request.volume = decc_u256_from_u64(1);
  if (decc_order_sign(&o->app, w->sk[0], w->l->domain_sep, 0) != DECC_OK ||
      decc_order_sign(&o->wp, w->sk[1], w->l->domain_sep, 0) != DECC_OK ||
      decc_order_sign(&o->rq, w->sk[2], w->l->domain_sep, 0) != DECC_OK)
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
  ldg_t_push_order(&e, &o->app);
  ldg_t_push_order(&e, &o->ds);
  ldg_t_push_order(&e, &o->wp);
  ldg_t_push_order(&e, &o->rq);
  return finish_call(&e, "matchOrders(" DECC_ORDER_ABI_APP_TYPE
                         "," DECC_ORDER_ABI_DATASET_TYPE
                         "," DECC_ORDER_ABI_WORKERPOOL_TYPE
                         "," DECC_ORDER_ABI_REQUEST_TYPE ")");
}

TEST(call_signatures_listed_and_recovered) {
  world w;
  ASSERT_EQ(setup(&w), 0);
  orders o;
  ASSERT_EQ(make_orders(&w, &o), 0);
  decc_buf d = match_call(&o);
  ASSERT(d.len > 4);
  decc_poco_sigcheck pre[4];
  size_t n = decc_poco_call_signatures(pre, 4, w.l->domain_sep, &w.who[2],
                                       d.data, d.len);
  ASSERT_EQ(n, 3u); /* the empty dataset order has no signature */
  const decc_order *signed_[3] = {&o.app, &o.wp, &o.rq};
  for (size_t i = 0; i < 3; i++) {
    uint8_t h[32];
    decc_order_hash(h, signed_[i], w.l->domain_sep);
    ASSERT_MEM_EQ(pre[i].hash, h, 32);
    ASSERT_EQ(pre[i].sig_len, signed_[i]->sign_len);
    ASSERT_EQ(pre[i].recovered, 0);
    decc_poco_sigcheck_recover(&pre[i]);
    ASSERT_EQ(pre[i].recovered, 1);
    ASSERT(decc_address_eq(&pre[i].signer, &w.who[i]));
  }
  /* a v the EVM's ecrecover does not know recovers to nobody */
  pre[0].sig[64] = 29;
  decc_poco_sigcheck_recover(&pre[0]);
  ASSERT_EQ(pre[0].recovered, 1);
  ASSERT(decc_address_is_zero(&pre[0].signer));
  /* a cap is respected; truncated calldata and other calls list nothing */
  ASSERT_EQ(decc_poco_call_signatures(pre, 2, w.l->domain_sep, &w.who[2],
                                      d.data, d.len),
            2u);
  ASSERT_EQ(decc_poco_call_signatures(pre, 4, w.l->domain_sep, &w.who[2],
                                      d.data, d.len - 40),
            0u);
  uint8_t other[68] = {0xa9, 0x05, 0x9c, 0xbb}; /* transfer(address,uint256) */
  ASSERT_EQ(decc_poco_call_signatures(pre, 4, w.l->domain_sep, &w.who[2], other,
                                      sizeof other),
            0u);
  decc_buf_clear(&d);

  /* contributeAndFinalize: the scheduler's authorization of the sender */
  uint8_t task[32], msg[32], auth[65], digest[32];
  memset(task, 7, 32);
  memset(digest, 8, 32);
  decc_address none;
  memset(&none, 0, sizeof none);
  decc_poco_authorization_message(msg, &w.who[2], task, &none);
  ASSERT_OK(decc_eip191_sign(auth, w.sk[1], msg, 32));
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, task);
  decc_abi_enc_push_bytes32(&e, digest);
  decc_abi_enc_push_bytes(&e, "/ipfs/x", 7);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_enc_push_address(&e, &none);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_enc_push_bytes(&e, auth, 65);
  d = finish_call(&e, "contributeAndFinalize(bytes32,bytes32,bytes,bytes,"
                      "address,bytes,bytes)");
  ASSERT_EQ(decc_poco_call_signatures(pre, 4, w.l->domain_sep, &w.who[2],
                                      d.data, d.len),
            1u);
  decc_poco_sigcheck_recover(&pre[0]);
  ASSERT(decc_address_eq(&pre[0].signer, &w.who[1]));
  decc_buf_clear(&d);
  clear_orders(&o);
  decc_ledger_close(w.l);
}

/* Decodes raw on l (recovering its signatures ahead) and runs it in a
 * block of its own at a fixed time; poison != 0 replaces the first
 * recovered signer, presig == 0 drops them all. Returns the receipt's
 * status (1 success, 0 revert, -1 error); *state the state hash after. */
static int run(world *w, const decc_buf *raw, int presig, int poison,
               uint8_t state[32], char reason[128]) {
  const uint8_t *rp = raw->data;
  size_t rl = raw->len;
  const ldg_rawtx *tj = NULL;
  ldg_djob *j = ldg_djob_begin(w->l, &rp, &rl, 1);
  int out = -1;
  decc_receipt r;
  memset(&r, 0, sizeof r);
  if (!j || ldg_djob_wait(j, 0, &tj, NULL) != DECC_OK || tj->n_pre != 3)
    goto done;
  ldg_rawtx t = *tj; /* a shallow copy to alter (the job owns pre) */
  if (!presig)
    t.n_pre = 0;
  if (poison)
    memset(t.pre[0].signer.b, 0x66, 20);
  uint8_t bh[32];
  if (ldg_block_begin(w->l, 1700000500, NULL) != DECC_OK)
    goto done;
  if (ldg_exec_pre(w->l, &t, LDG_TX_RAW, t.hash, &t.from, &t.to, t.nonce,
                   t.tx.data, t.tx.data_len, raw->data, raw->len, &r,
                   NULL) != DECC_OK ||
      ldg_block_commit(w->l, bh, NULL) != DECC_OK) {
    ldg_block_abort(w->l);
    goto done;
  }
  out = r.status ? 1 : 0;
  snprintf(reason, 128, "%s", r.revert_reason);
  if (decc_ledger_state_hash(w->l, state, NULL) != DECC_OK)
    out = -1;
done:
  decc_receipt_clear(&r);
  ldg_djob_end(j);
  return out;
}

TEST(same_outcome_with_and_without_recovered_signatures) {
  world a, b, c;
  ASSERT_EQ(setup(&a), 0);
  ASSERT_EQ(setup(&b), 0);
  ASSERT_EQ(setup(&c), 0);
  uint8_t h[3][32];
  ASSERT_OK(decc_ledger_state_hash(a.l, h[0], NULL));
  ASSERT_OK(decc_ledger_state_hash(b.l, h[1], NULL));
  ASSERT_MEM_EQ(h[0], h[1], 32); /* the same world before */
  orders o;
  ASSERT_EQ(make_orders(&a, &o), 0);
  decc_buf d = match_call(&o);
  decc_buf raw;
  decc_buf_init(&raw, DECC_TX_MAX_SIZE);
  ASSERT_OK(decc_ledger_tx_build(&raw, a.info.chain_id, a.sk[2], 0,
                                 &a.info.addr.hub, d.data, d.len, NULL));
  char ra[128] = "", rb[128] = "", rc[128] = "";
  ASSERT_EQ(run(&a, &raw, 1, 0, h[0], ra), 1);
  ASSERT_EQ(run(&b, &raw, 0, 0, h[1], rb), 1);
  ASSERT_MEM_EQ(h[0], h[1], 32);
  /* a wrong recovered app-order signer: the match fails as with a bad
   * signature (0x21: app order signature), and only the nonce
   * changes */
  ASSERT_EQ(run(&c, &raw, 1, 1, h[2], rc), 0);
  ASSERT_STR_EQ(rc, "iExecV5-matchOrders-0x21");
  ASSERT(memcmp(h[2], h[0], 32) != 0);
  decc_buf_clear(&raw);
  decc_buf_clear(&d);
  clear_orders(&o);
  decc_ledger_close(a.l);
  decc_ledger_close(b.l);
  decc_ledger_close(c.l);
}
