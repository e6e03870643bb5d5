/*
 * test_ledger_reverts.c — every matchOrders revert code of
 * iexec-protocol.md §2.3 (0x00 … 0x60) reached on the ledger by a crafted
 * case, each one sent as a signed transaction: the receipt has status 0
 * and PoCo's reason, eth_call gives the same reason, and the state hash
 * is unchanged except for the sender's consumed nonce. The untouched base
 * orders do match (so no case passes vacuously), and the history verifies.
 */
#include <stdio.h>
#include <string.h>

#include "decc/order.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

enum { APP_OWNER = 1, DS_OWNER = 2, WP_OWNER = 3, REQUESTER = 4, OTHER = 5 };

typedef struct world {
  decc_ledger *l;
  decc_ledger_info info;
  uint8_t sk[8][32];
  decc_address who[8];
  decc_address app, ds, wp;
  uint8_t ds_sep[32];
} world;

static int send_tx(world *w, unsigned from, const decc_address *to,
                   const decc_buf *d, decc_receipt *r) {
  decc_err err;
  if (decc_ledger_send(w->l, w->sk[from], to, d->data, d->len, r, &err) !=
      DECC_OK) {
    fprintf(stderr, "send: %s\n", err.msg);
    return -1;
  }
  return r->status;
}

static int create(world *w, unsigned owner, const decc_address *reg, decc_buf d,
                  decc_address *out) {
  decc_receipt r;
  int st = send_tx(w, owner, reg, &d, &r);
  decc_buf_clear(&d);
  if (st != 1 || r.output_len != 32) {
    decc_receipt_clear(&r);
    return -1;
  }
  memcpy(out->b, r.output + 12, 20);
  decc_receipt_clear(&r);
  return 0;
}

static int setup(world *w) {
  memset(w, 0, sizeof *w);
  decc_genesis g;
  if (decc_genesis_default(&g) != DECC_OK)
    return -1;
  g.timestamp = 1700000000;
  int rc = decc_ledger_open_memory(&w->l, &g, NULL) == DECC_OK ? 0 : -1;
  decc_genesis_clear(&g);
  if (rc || decc_ledger_get_info(w->l, &w->info, NULL) != DECC_OK)
    return -1;
  for (unsigned i = 0; i < 8; i++)
    if (decc_ledger_dev_key(w->sk[i], i) != DECC_OK ||
        decc_address_from_privkey(&w->who[i], w->sk[i]) != DECC_OK)
      return -1;
  decc_poco_domain_separator(w->ds_sep, w->info.chain_id, &w->info.addr.hub);
  uint8_t sum[32];
  memset(sum, 7, 32);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[APP_OWNER]);
  decc_abi_enc_push_string(&e, "app");
  decc_abi_enc_push_string(&e, "DOCKER");
  decc_abi_enc_push_bytes(&e, "img", 3);
  decc_abi_enc_push_bytes32(&e, sum);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  if (create(w, APP_OWNER, &w->info.addr.app_registry,
             finish_call(&e, "createApp(address,string,string,bytes,bytes32,"
                             "bytes)"),
             &w->app))
    return -1;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[DS_OWNER]);
  decc_abi_enc_push_string(&e, "data");
  decc_abi_enc_push_bytes(&e, "/ipfs/x", 7);
  decc_abi_enc_push_bytes32(&e, sum);
  if (create(w, DS_OWNER, &w->info.addr.dataset_registry,
             finish_call(&e, "createDataset(address,string,bytes,bytes32)"),
             &w->ds))
    return -1;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w->who[WP_OWNER]);
  decc_abi_enc_push_string(&e, "pool");
  if (create(w, WP_OWNER, &w->info.addr.workerpool_registry,
             finish_call(&e, "createWorkerpool(address,string)"), &w->wp))
    return -1;
  return 0;
}

typedef struct orders {
  decc_order a, d, w, r;
  unsigned ka, kd, kw, kr; /* signing keys */
} orders;

/* Base orders that match: price 3 + 2 + 1 RLC, volume 5. */
static int base_orders(world *w, orders *o) {
  memset(o, 0, sizeof *o);
  if (decc_order_init(&o->a, DECC_ORDER_APP) != DECC_OK ||
      decc_order_init(&o->d, DECC_ORDER_DATASET) != DECC_OK ||
      decc_order_init(&o->w, DECC_ORDER_WORKERPOOL) != DECC_OK ||
      decc_order_init(&o->r, DECC_ORDER_REQUEST) != DECC_OK)
    return -1;
  o->ka = APP_OWNER;
  o->kd = DS_OWNER;
  o->kw = WP_OWNER;
  o->kr = REQUESTER;
  o->a.u.app.app = w->app;
  o->a.u.app.appprice = decc_u256_from_u64(3000000000ull);
  o->a.u.app.volume = decc_u256_from_u64(5);
  o->d.u.dataset.dataset = w->ds;
  o->d.u.dataset.datasetprice = decc_u256_from_u64(2000000000ull);
  o->d.u.dataset.volume = decc_u256_from_u64(5);
  o->w.u.workerpool.workerpool = w->wp;
  o->w.u.workerpool.workerpoolprice = decc_u256_from_u64(1000000000ull);
  o->w.u.workerpool.volume = decc_u256_from_u64(5);
  o->w.u.workerpool.category = decc_u256_from_u64(1);
  o->w.u.workerpool.trust = decc_u256_from_u64(1);
  decc_requestorder *r = &o->r.u.request;
  r->app = w->app;
  r->appmaxprice = decc_u256_from_u64(3000000000ull);
  r->dataset = w->ds;
  r->datasetmaxprice = decc_u256_from_u64(2000000000ull);
  r->workerpoolmaxprice = decc_u256_from_u64(1000000000ull);
  r->requester = w->who[REQUESTER];
  r->beneficiary = w->who[REQUESTER];
  r->volume = decc_u256_from_u64(5);
  r->category = decc_u256_from_u64(1);
  r->trust = decc_u256_from_u64(1);
  return 0;
}

static int sign_all(world *w, orders *o) {
  return decc_order_sign(&o->a, w->sk[o->ka], w->ds_sep, 1) == DECC_OK &&
                 decc_order_sign(&o->d, w->sk[o->kd], w->ds_sep, 1) ==
                     DECC_OK &&
                 decc_order_sign(&o->w, w->sk[o->kw], w->ds_sep, 1) ==
                     DECC_OK &&
                 decc_order_sign(&o->r, w->sk[o->kr], w->ds_sep, 1) == DECC_OK
             ? 0
             : -1;
}

static void clear_orders(orders *o) {
  decc_order_clear(&o->a);
  decc_order_clear(&o->d);
  decc_order_clear(&o->w);
  decc_order_clear(&o->r);
}

static void set_tag(uint8_t tag[32], uint8_t low) {
  memset(tag, 0, 32);
  tag[31] = low;
}

/* Applies case `code` to the base orders. */
static void mutate(world *w, orders *o, unsigned code) {
  decc_apporder *a = &o->a.u.app;
  decc_datasetorder *d = &o->d.u.dataset;
  decc_workerpoolorder *p = &o->w.u.workerpool;
  decc_requestorder *r = &o->r.u.request;
  decc_address stranger = w->who[OTHER];
  switch (code) {
  case 0x00:
    r->category = decc_u256_from_u64(0);
    break;
  case 0x01:
    r->category = p->category = decc_u256_from_u64(5); /* 5 categories */
    break;
  case 0x02:
    r->trust = decc_u256_from_u64(2);
    break;
  case 0x03:
    r->appmaxprice = decc_u256_from_u64(2999999999ull);
    break;
  case 0x04:
    r->datasetmaxprice = decc_u256_from_u64(1);
    break;
  case 0x05:
    r->workerpoolmaxprice = decc_u256_from_u64(0);
    break;
  case 0x06:
    set_tag(r->tag, 0x02);
    break;   /* the pool offers no bit */
  case 0x07: /* TEE asked, offered by the pool, but not a TEE app */
    set_tag(r->tag, 0x01);
    set_tag(p->tag, 0x01);
    break;
  case 0x10:
    r->app = w->ds;
    break;
  case 0x11:
    r->dataset = w->app;
    break;
  case 0x12:
    r->workerpool = stranger;
    break;
  case 0x13:
    a->datasetrestrict = stranger;
    break;
  case 0x14:
    a->workerpoolrestrict = stranger;
    break;
  case 0x15:
    a->requesterrestrict = stranger;
    break;
  case 0x16:
    d->apprestrict = stranger;
    break;
  case 0x17:
    d->workerpoolrestrict = stranger;
    break;
  case 0x18:
    d->requesterrestrict = stranger;
    break;
  case 0x19:
    p->apprestrict = stranger;
    break;
  case 0x1a:
    p->datasetrestrict = stranger;
    break;
  case 0x1b:
    p->requesterrestrict = stranger;
    break;
  /* an entry of another registry has owner() but is not registered */
  case 0x20:
    a->app = r->app = w->wp;
    break;
  case 0x21:
    o->ka = OTHER;
    break;
  case 0x30:
    d->dataset = r->dataset = w->app;
    break;
  case 0x31:
    o->kd = OTHER;
    break;
  case 0x40:
    p->workerpool = w->ds;
    break;
  case 0x41:
    o->kw = OTHER;
    break;
  case 0x50:
    o->kr = OTHER;
    break;
  case 0x60:
    p->volume = decc_u256_from_u64(0);
    break;
  default:
    break;
  }
}

static int nonce_restore(world *w, unsigned who, uint64_t n0) {
  if (n0)
    return ldg_nonce_set(w->l, &w->who[who], n0, NULL) == DECC_OK ? 0 : -1;
  return ldg_exec(w->l, "DELETE FROM accounts WHERE address=?1", NULL, "a",
                  &w->who[who]) == DECC_OK
             ? 0
             : -1;
}

TEST(every_match_orders_revert_code_changes_nothing) {
  world w;
  ASSERT_EQ(setup(&w), 0);
  static const unsigned CODES[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                   0x07, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
                                   0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x20,
                                   0x21, 0x30, 0x31, 0x40, 0x41, 0x50, 0x60};
  size_t n = sizeof CODES / sizeof CODES[0];
  for (size_t i = 0; i < n; i++) {
    orders o;
    ASSERT_EQ(base_orders(&w, &o), 0);
    mutate(&w, &o, CODES[i]);
    ASSERT_EQ(sign_all(&w, &o), 0);
    decc_buf d = ldg_t_match_call(&o.a, &o.d, &o.w, &o.r);
    ASSERT(d.len > 4);
    char want[40];
    snprintf(want, sizeof want, "iExecV5-matchOrders-0x%02x", CODES[i]);
    /* eth_call first: same reason, nothing written */
    decc_buf out;
    decc_buf_init(&out, 0);
    decc_err err;
    ASSERT_EQ(decc_ledger_view(w.l, &w.who[REQUESTER], &w.info.addr.hub, d.data,
                               d.len, &out, &err),
              DECC_E_REVERT);
    ASSERT_STR_EQ(err.msg, want);
    decc_buf_clear(&out);
    uint8_t h0[32], h1[32];
    uint64_t n0;
    ASSERT_OK(decc_ledger_nonce(w.l, &w.who[REQUESTER], &n0, NULL));
    ASSERT_OK(decc_ledger_state_hash(w.l, h0, NULL));
    decc_receipt r;
    ASSERT_EQ(send_tx(&w, REQUESTER, &w.info.addr.hub, &d, &r), 0);
    ASSERT_STR_EQ(r.revert_reason, want);
    ASSERT_EQ(r.n_logs, 0);
    decc_receipt_clear(&r);
    uint64_t n1;
    ASSERT_OK(decc_ledger_nonce(w.l, &w.who[REQUESTER], &n1, NULL));
    ASSERT_EQ(n1, n0 + 1);
    /* identical state once the consumed nonce is put back */
    ASSERT_EQ(nonce_restore(&w, REQUESTER, n0), 0);
    ASSERT_OK(decc_ledger_state_hash(w.l, h1, NULL));
    ASSERT_MEM_EQ(h0, h1, 32);
    ASSERT_OK(ldg_nonce_set(w.l, &w.who[REQUESTER], n1, NULL));
    decc_buf_clear(&d);
    clear_orders(&o);
  }
  /* the base orders themselves match: volume 5, prices locked */
  orders o;
  ASSERT_EQ(base_orders(&w, &o), 0);
  ASSERT_EQ(sign_all(&w, &o), 0);
  decc_buf d = ldg_t_match_call(&o.a, &o.d, &o.w, &o.r);
  decc_receipt r;
  ASSERT_EQ(send_tx(&w, REQUESTER, &w.info.addr.hub, &d, &r), 1);
  ASSERT_EQ(r.output_len, 32);
  decc_receipt_clear(&r);
  /* and once consumed, the same orders hit 0x60 */
  ASSERT_EQ(send_tx(&w, REQUESTER, &w.info.addr.hub, &d, &r), 0);
  ASSERT_STR_EQ(r.revert_reason, "iExecV5-matchOrders-0x60");
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  clear_orders(&o);
  /* every nonce was put back to its replayed value: the history verifies */
  decc_ledger_verify_report rep;
  decc_err err;
  ASSERT_OK(decc_ledger_verify(w.l, &rep, &err));
  ASSERT_EQ(rep.txs, 3 + n + 2);
  decc_ledger_close(w.l);
}
