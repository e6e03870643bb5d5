/*
 * test_ledger_blkcache.c — the per-block row cache (lib/ledger/
 * blkcache.c) never serves a row a call of the same block changed. One
 * block, on two in-memory ledgers, one with the cache turned off: an app
 * NFT read, transferred, read again, transferred by its former owner
 * (must revert) and by its new one; a workerpool policy read, changed and
 * read again; a category created and counted. Each expected value is
 * asserted, and every receipt (status, output, logs) and the state hash
 * must be the same on both ledgers. ldg_entry_head gives the fixed fields
 * of ldg_entry_get without its strings, from the cache or not.
 */
#include <string.h>

#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

enum { NCALLS = 12 };

typedef struct world {
  decc_ledger *l;
  decc_ledger_info info;
  decc_address app, wp;
  decc_buf d[NCALLS];
  decc_ledger_call c[NCALLS];
  decc_receipt r[NCALLS];
  size_t n;
} world;

static decc_buf word_call(const char *sig, const decc_address *a,
                          const decc_address *b, const decc_address *tok,
                          uint64_t x, uint64_t y) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  if (a && decc_abi_enc_push_address(&e, a) != DECC_OK)
    decc_abi_enc_init(&e, 0);
  if (b && decc_abi_enc_push_address(&e, b) != DECC_OK)
    decc_abi_enc_init(&e, 0);
  if (tok) { /* an NFT's token id is uint256(address) */
    uint8_t w[32] = {0};
    memcpy(w + 12, tok->b, 20);
    if (decc_abi_enc_push_bytes32(&e, w) != DECC_OK)
      decc_abi_enc_init(&e, 0);
  }
  if (x && decc_abi_enc_push_u64(&e, x) != DECC_OK)
    decc_abi_enc_init(&e, 0);
  if (y && decc_abi_enc_push_u64(&e, y) != DECC_OK)
    decc_abi_enc_init(&e, 0);
  return finish_call(&e, sig);
}

static void add(world *w, unsigned from, const decc_address *to, decc_buf d) {
  w->d[w->n] = d;
  w->c[w->n] = (decc_ledger_call){dev_addr(from), *to, d.data, d.len};
  w->n++;
}

static void setup(world *w, int cache_off) {
  memset(w, 0, sizeof *w);
  w->l = mem_ledger();
  ASSERT(w->l);
  if (!w->l)
    return;
  w->l->bc_off = cache_off;
  ASSERT_OK(decc_ledger_get_info(w->l, &w->info, NULL));
  /* block 1: an app of dev 0, a workerpool of dev 3 */
  decc_address a0 = dev_addr(0), a3 = dev_addr(3);
  uint8_t sum[32];
  memset(sum, 9, 32);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  ASSERT_OK(decc_abi_enc_push_address(&e, &a0));
  ASSERT_OK(decc_abi_enc_push_string(&e, "app"));
  ASSERT_OK(decc_abi_enc_push_string(&e, "DOCKER"));
  ASSERT_OK(decc_abi_enc_push_bytes(&e, "x", 1));
  ASSERT_OK(decc_abi_enc_push_bytes32(&e, sum));
  ASSERT_OK(decc_abi_enc_push_bytes(&e, NULL, 0));
  decc_buf d1 =
      finish_call(&e, "createApp(address,string,string,bytes,bytes32,bytes)");
  decc_abi_enc_init(&e, 0);
  ASSERT_OK(decc_abi_enc_push_address(&e, &a3));
  ASSERT_OK(decc_abi_enc_push_string(&e, "pool"));
  decc_buf d2 = finish_call(&e, "createWorkerpool(address,string)");
  decc_ledger_call c[2] = {
      {a0, w->info.addr.app_registry, d1.data, d1.len},
      {a3, w->info.addr.workerpool_registry, d2.data, d2.len}};
  decc_receipt r[2];
  ASSERT_OK(decc_ledger_submit_calls(w->l, c, 2, r, NULL));
  ASSERT(r[0].status == 1 && r[1].status == 1);
  memcpy(w->app.b, r[0].output + 12, 20);
  memcpy(w->wp.b, r[1].output + 12, 20);
  decc_receipt_clear(&r[0]);
  decc_receipt_clear(&r[1]);
  decc_buf_clear(&d1);
  decc_buf_clear(&d2);
}

/* block 2: reads and writes of the same rows, one after the other */
static void run_block(world *w) {
  const decc_address *reg = &w->info.addr.app_registry,
                     *hub = &w->info.addr.hub;
  decc_address a0 = dev_addr(0), a1 = dev_addr(1), a2 = dev_addr(2);
  add(w, 5, reg, word_call("ownerOf(uint256)", NULL, NULL, &w->app, 0, 0));
  add(w, 0, reg,
      word_call("transferFrom(address,address,uint256)", &a0, &a1, &w->app, 0,
                0));
  add(w, 5, reg, word_call("ownerOf(uint256)", NULL, NULL, &w->app, 0, 0));
  add(w, 5, &w->app, word_call("owner()", NULL, NULL, NULL, 0, 0));
  add(w, 0, reg, /* dev 0 no longer owns it */
      word_call("transferFrom(address,address,uint256)", &a0, &a2, &w->app, 0,
                0));
  add(w, 1, reg,
      word_call("transferFrom(address,address,uint256)", &a1, &a2, &w->app, 0,
                0));
  add(w, 5, &w->app, word_call("owner()", NULL, NULL, NULL, 0, 0));
  add(w, 5, &w->wp,
      word_call("m_workerStakeRatioPolicy()", NULL, NULL, NULL, 0, 0));
  add(w, 3, &w->wp,
      word_call("changePolicy(uint256,uint256)", NULL, NULL, NULL, 50, 10));
  add(w, 5, &w->wp,
      word_call("m_workerStakeRatioPolicy()", NULL, NULL, NULL, 0, 0));
  add(w, 5, hub, word_call("countCategory()", NULL, NULL, NULL, 0, 0));
  {
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    ASSERT_OK(decc_abi_enc_push_string(&e, "XXL"));
    ASSERT_OK(decc_abi_enc_push_string(&e, "{}"));
    ASSERT_OK(decc_abi_enc_push_u64(&e, 100000));
    add(w, 0, hub, finish_call(&e, "createCategory(string,string,uint256)"));
  }
  ASSERT_EQ(w->n, (size_t)NCALLS);
  ASSERT_OK(decc_ledger_submit_calls(w->l, w->c, w->n, w->r, NULL));
}

static uint64_t out_u64(const decc_receipt *r) {
  return r->output_len >= 32 ? word_u64(r->output) : UINT64_MAX;
}

static int out_is(const decc_receipt *r, const decc_address *a) {
  return r->output_len >= 32 && !memcmp(r->output + 12, a->b, 20);
}

static void clear(world *w) {
  for (size_t i = 0; i < w->n; i++) {
    decc_receipt_clear(&w->r[i]);
    decc_buf_clear(&w->d[i]);
  }
  decc_ledger_close(w->l);
}

TEST(a_row_changed_in_the_block_is_read_fresh_by_the_next_call) {
  world a, b;
  setup(&a, 0);
  setup(&b, 1);
  if (!a.l || !b.l)
    return;
  run_block(&a);
  run_block(&b);
  decc_address a0 = dev_addr(0), a1 = dev_addr(1), a2 = dev_addr(2);
  decc_receipt *r = a.r;
  ASSERT(out_is(&r[0], &a0));
  ASSERT_EQ(r[1].status, 1);
  ASSERT(out_is(&r[2], &a1));
  ASSERT(out_is(&r[3], &a1));
  ASSERT_EQ(r[4].status, 0); /* the former owner's transfer */
  ASSERT_EQ(r[5].status, 1);
  ASSERT(out_is(&r[6], &a2));
  ASSERT_EQ(r[8].status, 1);
  ASSERT_EQ(out_u64(&r[9]), 50u);
  ASSERT(out_u64(&r[7]) != 50u);
  ASSERT_EQ(out_u64(&r[10]), 5u);
  ASSERT_EQ(r[11].status, 1);
  /* the cached and the uncached ledger agree on everything */
  for (size_t i = 0; i < NCALLS; i++) {
    ASSERT_EQ(a.r[i].status, b.r[i].status);
    ASSERT_EQ(a.r[i].output_len, b.r[i].output_len);
    if (a.r[i].output_len == b.r[i].output_len && a.r[i].output_len)
      ASSERT_MEM_EQ(a.r[i].output, b.r[i].output, a.r[i].output_len);
    ASSERT_EQ(a.r[i].n_logs, b.r[i].n_logs);
    ASSERT_MEM_EQ(a.r[i].tx_hash, b.r[i].tx_hash, 32);
  }
  /* the blocks' content: every receipt's digest and every transaction
   * (their hashes also cover the wall-clock timestamps, which differ when
   * the two blocks fall on either side of a second: not compared) */
  decc_ledger_block ba, bb;
  ASSERT_OK(decc_ledger_block_get(a.l, UINT64_MAX, &ba, NULL));
  ASSERT_OK(decc_ledger_block_get(b.l, UINT64_MAX, &bb, NULL));
  ASSERT_EQ(ba.number, bb.number);
  ASSERT_EQ(ba.tx_count, bb.tx_count);
  ASSERT_MEM_EQ(ba.tx_root, bb.tx_root, 32);
  ASSERT_MEM_EQ(ba.receipt_root, bb.receipt_root, 32);
  if (ba.timestamp == bb.timestamp && !memcmp(ba.parent, bb.parent, 32))
    ASSERT_MEM_EQ(ba.hash, bb.hash, 32);
  uint8_t ha[32], hb[32];
  ASSERT_OK(decc_ledger_state_hash(a.l, ha, NULL));
  ASSERT_OK(decc_ledger_state_hash(b.l, hb, NULL));
  ASSERT_MEM_EQ(ha, hb, 32);
  /* a category created in the previous block is counted by the next */
  decc_buf d = word_call("countCategory()", NULL, NULL, NULL, 0, 0);
  decc_receipt rc;
  ASSERT_EQ(ldg_t_call(a.l, &a0, &a.info.addr.hub, &d, &rc), 1);
  ASSERT_EQ(out_u64(&rc), 6u);
  decc_receipt_clear(&rc);
  decc_buf_clear(&d);
  clear(&a);
  clear(&b);
}

/* ldg_entry_head: the fixed fields ldg_entry_get gives, no strings, on a
 * cache miss and on a hit, with the cache on and off; no entry: not
 * found. */
TEST(an_entry_head_has_the_fixed_fields_and_no_strings) {
  for (int off = 0; off < 2; off++) {
    world w;
    setup(&w, off);
    if (!w.l)
      return;
    ASSERT_OK(ldg_block_begin(w.l, 0, NULL));
    const decc_address *who[3] = {&w.app, &w.wp, &w.info.addr.hub};
    for (int i = 0; i < 3; i++) {
      ldg_entry full, head;
      int found_full = -1, found_head = -1;
      for (int pass = 0; pass < 2; pass++) { /* miss, then hit */
        ASSERT_OK(ldg_entry_head(w.l, who[i], &head, &found_head, NULL));
        ASSERT_OK(ldg_entry_get(w.l, who[i], &full, &found_full, NULL));
        ASSERT_EQ(found_head, found_full);
        ASSERT_EQ(found_head, i < 2);
        ASSERT(!head.name && !head.app_type && !head.multiaddr &&
               !head.mrenclave && !head.multiaddr_len && !head.mrenclave_len);
        if (found_full) {
          ASSERT(full.name != NULL); /* "app" / "pool" */
          ASSERT_EQ(head.kind, full.kind);
          ASSERT(decc_address_eq(&head.owner, &full.owner));
          ASSERT_EQ(head.global_index, full.global_index);
          ASSERT_EQ(head.owner_index, full.owner_index);
          ASSERT_MEM_EQ(head.checksum, full.checksum, 32);
          ASSERT_EQ(head.worker_stake_ratio, full.worker_stake_ratio);
          ASSERT_EQ(head.scheduler_reward_ratio, full.scheduler_reward_ratio);
        }
        ldg_entry_clear(&head);
        ldg_entry_clear(&full);
      }
    }
    ldg_block_abort(w.l);
    decc_ledger_close(w.l);
  }
}
