/*
 * test_ledger_prepare.c — blocks handed over ahead
 * (decc_ledger_prepare_raw, decode.c) and order signers remembered
 * (sigcache.c).
 *
 * A stream of blocks submitted with each next block prepared ahead must
 * build exactly the chain a plain stream builds (every receipt, block by
 * block, and the state hash; block hashes also cover each block's
 * wall-clock time), and must really take the prepared work (counted); a bad
 * transaction in a prepared block is reported exactly as without it;
 * batches the stream passes by, or beyond the four kept, are dropped
 * without harm; limits are refused. A remembered order signer never
 * outlives the ownership it proved: after the app changes hands, the
 * same app order no longer matches.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "decc/hash.h"
#include "decc/order.h"
#include "decc/poco.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

#define PER 10 /* matchOrders per block: above the pool's minimum batch */
#define BLOCKS 4

typedef struct world {
  decc_ledger *l;
  decc_ledger_info info;
  uint8_t sk[3][32]; /* 0 app owner, 1 workerpool owner, 2 requester */
  decc_address who[3];
  decc_address app, wp;
  decc_order ao, ds, wo;
  uint64_t nonce; /* the requester's next */
} world;

/* A memory ledger with an app and a workerpool, and their orders of a
 * large volume signed once (matched again by every deal). */
static int setup(world *w) {
  memset(w, 0, sizeof *w);
  /* every block at the genesis time (the clock is moved back beyond it:
   * a block's time is never before its parent's), so that deals, which
   * record their start time, are the same on every ledger however slowly
   * the test runs (valgrind) */
  if (!(w->l = mem_ledger()) ||
      decc_ledger_time_increase(w->l, -(int64_t)time(NULL), NULL, NULL) !=
          DECC_OK ||
      decc_ledger_get_info(w->l, &w->info, NULL) != DECC_OK)
    return -1;
  for (unsigned i = 0; i < 3; i++)
    if (decc_ledger_dev_key(w->sk[i], i + 1) != DECC_OK ||
        decc_address_from_privkey(&w->who[i], w->sk[i]) != DECC_OK)
      return -1;
  if (ldg_t_create_app(w->l, &w->info, &w->who[0], &w->app) ||
      ldg_t_create_workerpool(w->l, &w->info, &w->who[1], &w->wp))
    return -1;
  if (ldg_t_offer_orders(&w->ao, &w->ds, &w->wo, &w->app, 1, &w->wp, 1, 1000))
    return -1;
  if (decc_order_sign(&w->ao, w->sk[0], w->l->domain_sep, 0) != DECC_OK ||
      decc_order_sign(&w->wo, w->sk[1], w->l->domain_sep, 0) != DECC_OK)
    return -1;
  return 0;
}

static void teardown(world *w) {
  decc_order_clear(&w->ao);
  decc_order_clear(&w->ds);
  decc_order_clear(&w->wo);
  decc_ledger_close(w->l);
}

/* A signed matchOrders of the shared app and workerpool orders with a
 * fresh request (salt), at the requester's next nonce. */
static decc_buf match_tx(world *w, uint64_t salt) {
  decc_order rq;
  decc_buf raw;
  decc_buf_init(&raw, DECC_TX_MAX_SIZE);
  if (decc_order_init(&rq, DECC_ORDER_REQUEST) != DECC_OK)
    return raw;
  rq.u.request.app = w->app;
  rq.u.request.appmaxprice = decc_u256_from_u64(1);
  rq.u.request.workerpoolmaxprice = decc_u256_from_u64(1);
  rq.u.request.requester = w->who[2];
  rq.u.request.beneficiary = w->who[2];
  rq.u.request.volume = decc_u256_from_u64(1);
  memcpy(rq.u.request.salt, &salt, sizeof salt);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  if (decc_order_sign(&rq, w->sk[2], w->l->domain_sep, 0) == DECC_OK) {
    ldg_t_push_order(&e, &w->ao);
    ldg_t_push_order(&e, &w->ds);
    ldg_t_push_order(&e, &w->wo);
    ldg_t_push_order(&e, &rq);
  }
  decc_buf d = finish_call(&e, "matchOrders(" DECC_ORDER_ABI_APP_TYPE
                               "," DECC_ORDER_ABI_DATASET_TYPE
                               "," DECC_ORDER_ABI_WORKERPOOL_TYPE
                               "," DECC_ORDER_ABI_REQUEST_TYPE ")");
  if (decc_ledger_tx_build(&raw, w->info.chain_id, w->sk[2], w->nonce++,
                           &w->info.addr.hub, d.data, d.len, NULL) != DECC_OK)
    raw.len = 0;
  decc_buf_clear(&d);
  decc_order_clear(&rq);
  return raw;
}

typedef struct batch {
  decc_buf raw[PER];
  const uint8_t *p[PER];
  size_t len[PER];
} batch;

static void make_batch(world *w, batch *b, uint64_t salt0) {
  for (size_t i = 0; i < PER; i++) {
    b->raw[i] = match_tx(w, salt0 + i);
    b->p[i] = b->raw[i].data;
    b->len[i] = b->raw[i].len;
  }
}

static void clear_batch(batch *b) {
  for (size_t i = 0; i < PER; i++)
    decc_buf_clear(&b->raw[i]);
}

/* Submits b; returns the status and *dg, the keccak of the block's
 * receipt digests (every receipt field and log, not the block's hash,
 * which covers its wall-clock timestamp); every receipt must succeed
 * (*ok cleared otherwise). */
static decc_status submit(world *w, const batch *b, uint8_t dg[32], int *ok,
                          decc_err *err) {
  decc_receipt r[PER];
  decc_status s = decc_ledger_submit_raw(w->l, b->p, b->len, PER, r, err);
  if (s != DECC_OK)
    return s;
  uint8_t all[PER][32];
  for (size_t i = 0; i < PER; i++) {
    if (r[i].status != 1)
      *ok = 0;
    ldg_receipt_digest(all[i], &r[i]);
    decc_receipt_clear(&r[i]);
  }
  decc_keccak256(dg, all, sizeof all);
  return s;
}

static int have_pool(world *w) { return w->l->pool != NULL; }

TEST(prepared_stream_builds_the_same_chain) {
  world a, b;
  ASSERT_EQ(setup(&a), 0);
  ASSERT_EQ(setup(&b), 0);
  batch bs[BLOCKS];
  for (size_t k = 0; k < BLOCKS; k++)
    make_batch(&a, &bs[k], 1000 * (k + 1));
  b.nonce = a.nonce; /* the same transactions go to both */
  uint8_t ha[BLOCKS][32], hb[BLOCKS][32];
  int ok = 1;
  decc_err err;
  for (size_t k = 0; k < BLOCKS; k++)
    ASSERT_OK(submit(&a, &bs[k], ha[k], &ok, &err));
  /* b: each next block handed over before the current one is submitted */
  ASSERT_OK(decc_ledger_prepare_raw(b.l, bs[0].p, bs[0].len, PER, &err));
  for (size_t k = 0; k < BLOCKS; k++) {
    if (k + 1 < BLOCKS)
      ASSERT_OK(
          decc_ledger_prepare_raw(b.l, bs[k + 1].p, bs[k + 1].len, PER, &err));
    ASSERT_OK(submit(&b, &bs[k], hb[k], &ok, &err));
  }
  ASSERT_EQ(ok, 1);
  for (size_t k = 0; k < BLOCKS; k++) /* the same receipts, block by block */
    ASSERT_MEM_EQ(ha[k], hb[k], 32);
  uint8_t sa[32], sb[32];
  ASSERT_OK(decc_ledger_state_hash(a.l, sa, NULL));
  ASSERT_OK(decc_ledger_state_hash(b.l, sb, NULL));
  ASSERT_MEM_EQ(sa, sb, 32);
  /* the shared app and workerpool orders are recovered at their first
   * matches (more than once only while threads decode the first block at
   * once), then answered from the cache; each request order misses */
  uint64_t hits, misses;
  ldg_sigcache_stats(a.l->sc, &hits, &misses);
  ASSERT_EQ(hits + misses, (uint64_t)3 * BLOCKS * PER);
  ASSERT(hits >= (uint64_t)2 * (BLOCKS - 1) * PER);
  for (size_t k = 0; k < BLOCKS; k++)
    clear_batch(&bs[k]);
  if (!have_pool(&b)) {
    teardown(&a);
    teardown(&b);
    decc_test_skip("one core: no decoding thread to hand blocks over to");
    return;
  }
  ASSERT_EQ(b.l->prep_taken, (uint64_t)BLOCKS);
  ASSERT_EQ(a.l->prep_taken, 0u);
  teardown(&a);
  teardown(&b);
}

TEST(prepared_bad_transaction_reported_the_same) {
  world a, b;
  ASSERT_EQ(setup(&a), 0);
  ASSERT_EQ(setup(&b), 0);
  batch bad;
  make_batch(&a, &bad, 77);
  /* transaction 6's signature s made invalid: the last 32 bytes */
  bad.raw[6].data[bad.raw[6].len - 1] ^= 0x55;
  bad.raw[6].data[bad.raw[6].len - 2] ^= 0x55;
  uint8_t bh[32];
  int ok = 1;
  decc_err ea, eb;
  decc_ledger_info ia0, ib0;
  ASSERT_OK(decc_ledger_get_info(a.l, &ia0, NULL));
  ASSERT_OK(decc_ledger_get_info(b.l, &ib0, NULL));
  decc_status sa = submit(&a, &bad, bh, &ok, &ea);
  ASSERT_OK(decc_ledger_prepare_raw(b.l, bad.p, bad.len, PER, &eb));
  decc_status sb = submit(&b, &bad, bh, &ok, &eb);
  ASSERT(sa != DECC_OK);
  ASSERT_EQ(sa, sb);
  ASSERT_STR_EQ(ea.msg, eb.msg);
  ASSERT(strncmp(ea.msg, "transaction 6", 13) == 0);
  /* nothing committed: both heads are where they were */
  decc_ledger_info ia, ib;
  ASSERT_OK(decc_ledger_get_info(a.l, &ia, NULL));
  ASSERT_OK(decc_ledger_get_info(b.l, &ib, NULL));
  ASSERT_EQ(ia.head_number, ia0.head_number);
  ASSERT_EQ(ib.head_number, ib0.head_number);
  if (have_pool(&b))
    ASSERT_EQ(b.l->prep_taken, 1u);
  clear_batch(&bad);
  teardown(&a);
  teardown(&b);
}

TEST(prepared_batches_passed_by_or_beyond_four_are_dropped) {
  world w;
  ASSERT_EQ(setup(&w), 0);
  batch bs[6];
  for (size_t k = 0; k < 6; k++)
    make_batch(&w, &bs[k], 5000 + 100 * k);
  decc_err err;
  uint8_t bh[32];
  int ok = 1;
  /* another sender's transaction submitted while bs[0] waits: bs[0]
   * stays prepared and is taken by its own submit after */
  ASSERT_OK(decc_ledger_prepare_raw(w.l, bs[0].p, bs[0].len, PER, &err));
  decc_buf other;
  decc_buf_init(&other, DECC_TX_MAX_SIZE);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &w.who[1]);
  decc_abi_enc_push_u64(&e, 0);
  decc_buf d = finish_call(&e, "transfer(address,uint256)");
  ASSERT_OK(decc_ledger_tx_build(&other, w.info.chain_id, w.sk[0], 1,
                                 &w.info.addr.token, d.data, d.len, NULL));
  decc_buf_clear(&d);
  const uint8_t *op = other.data;
  size_t ol = other.len;
  decc_receipt r;
  decc_status so = decc_ledger_submit_raw(w.l, &op, &ol, 1, &r, &err);
  if (so != DECC_OK)
    fprintf(stderr, "    %s\n", err.msg);
  ASSERT_OK(so);
  ASSERT_EQ(r.status, 1);
  decc_receipt_clear(&r);
  decc_buf_clear(&other);
  ASSERT_OK(submit(&w, &bs[0], bh, &ok, &err));
  int pool = have_pool(&w);
  if (pool)
    ASSERT_EQ(w.l->prep_taken, 1u);
  /* five handed over: bs[1], the oldest, is dropped (decoded again at
   * its submit), then bs[2..5] are taken in turn */
  for (size_t k = 1; k < 6; k++)
    ASSERT_OK(decc_ledger_prepare_raw(w.l, bs[k].p, bs[k].len, PER, &err));
  for (size_t k = 1; k < 6; k++)
    ASSERT_OK(submit(&w, &bs[k], bh, &ok, &err));
  ASSERT_EQ(ok, 1);
  if (pool)
    ASSERT_EQ(w.l->prep_taken, 5u);
  /* handed over, then the stream skips it: bs[2] is dropped when bs[4]
   * (prepared after it) is submitted; a batch left prepared at close is
   * freed (the leak checkers watch this) */
  batch more[3];
  for (size_t k = 0; k < 3; k++) {
    make_batch(&w, &more[k], 9000 + 100 * k);
    ASSERT_OK(decc_ledger_prepare_raw(w.l, more[k].p, more[k].len, PER, &err));
  }
  /* more[1] before more[0]: its nonces are out of sequence, so the
   * submit fails, and more[0] (passed by) is dropped */
  ASSERT_EQ(submit(&w, &more[1], bh, &ok, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "nonce") != NULL);
  if (pool)
    ASSERT_EQ(w.l->prep_taken, 6u);
  ASSERT_OK(submit(&w, &more[0], bh, &ok, &err));
  if (pool)
    ASSERT_EQ(w.l->prep_taken, 6u); /* decoded again: it was dropped */
  for (size_t k = 0; k < 6; k++)
    clear_batch(&bs[k]);
  for (size_t k = 0; k < 3; k++)
    clear_batch(&more[k]);
  teardown(&w); /* more[2] still prepared */
}

TEST(prepare_limits) {
  world w;
  ASSERT_EQ(setup(&w), 0);
  decc_err err;
  static const uint8_t *p[DECC_LEDGER_MAX_BATCH + 1];
  static size_t len[DECC_LEDGER_MAX_BATCH + 1];
  ASSERT_EQ(
      decc_ledger_prepare_raw(w.l, p, len, DECC_LEDGER_MAX_BATCH + 1, &err),
      DECC_E_LIMIT);
  ASSERT(strstr(err.msg, "batch of") != NULL);
  static uint8_t big[1];
  p[3] = big;
  len[3] = (size_t)DECC_TX_MAX_SIZE + 1;
  ASSERT_EQ(decc_ledger_prepare_raw(w.l, p, len, 10, &err), DECC_E_LIMIT);
  ASSERT(strstr(err.msg, "transaction 3") != NULL);
  /* empty and NULL entries are prepared as they are; the submit judges */
  p[3] = NULL;
  len[3] = 0;
  ASSERT_OK(decc_ledger_prepare_raw(w.l, p, len, 10, &err));
  decc_receipt r[10];
  ASSERT_EQ(decc_ledger_submit_raw(w.l, p, len, 10, r, &err), DECC_E_INVALID);
  ASSERT_STR_EQ(err.msg, "transaction 0: empty transaction");
  ASSERT_OK(decc_ledger_prepare_raw(w.l, NULL, NULL, 0, &err));
  teardown(&w);
}

TEST(remembered_signer_does_not_outlive_ownership) {
  world w;
  ASSERT_EQ(setup(&w), 0);
  decc_err err;
  for (int round = 0; round < 3; round++) {
    if (round == 2) {
      /* the app changes hands: its order, signed by the former owner,
       * must no longer match although its signer is remembered */
      decc_abi_enc e;
      decc_abi_enc_init(&e, 0);
      decc_u256 id;
      uint8_t word[32] = {0};
      memcpy(word + 12, w.app.b, 20);
      decc_u256_from_be(&id, word);
      decc_abi_enc_push_address(&e, &w.who[0]);
      decc_abi_enc_push_address(&e, &w.who[1]);
      decc_abi_enc_push_u256(&e, &id);
      decc_buf d = finish_call(&e, "transferFrom(address,address,uint256)");
      ASSERT_EQ(ldg_t_call(w.l, &w.who[0], &w.info.addr.app_registry, &d, NULL),
                1);
      decc_buf_clear(&d);
    }
    decc_buf raw = match_tx(&w, 40 + (uint64_t)round);
    const uint8_t *rp = raw.data;
    size_t rl = raw.len;
    decc_receipt r;
    ASSERT_OK(decc_ledger_submit_raw(w.l, &rp, &rl, 1, &r, &err));
    if (round < 2) {
      ASSERT_EQ(r.status, 1);
    } else {
      ASSERT_EQ(r.status, 0);
      ASSERT_STR_EQ(r.revert_reason, "iExecV5-matchOrders-0x21");
    }
    decc_receipt_clear(&r);
    decc_buf_clear(&raw);
  }
  uint64_t hits, misses;
  ldg_sigcache_stats(w.l->sc, &hits, &misses);
  ASSERT_EQ(hits, 4u); /* app and workerpool orders, rounds 1 and 2 */
  teardown(&w);
}
