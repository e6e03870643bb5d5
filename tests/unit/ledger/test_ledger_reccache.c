/*
 * test_ledger_reccache.c — the decoded record cache (lib/ledger/reccache.c)
 * serves a deal or task only for the exact bytes it was made from: a
 * changed byte, a different length or another id misses; a newer record
 * in the same slot replaces the older; what it returns is a deep copy the
 * caller owns (changing or freeing it, or the struct that was put, leaves
 * the cached entry intact). A ledger handle is used only as the cache's
 * owner: no SQL runs. Also: ldg_task_encode, the task record's direct
 * encoding, equals what the generic ABI encoder produced for 64 random
 * tasks, and ldg_deal_encode decc_poco_deal_abi's for 64 random deals
 * (the records stored, and so the state hash, are unchanged).
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"
#include "test.h"

static void deal_fill(decc_poco_deal *d, uint8_t seed) {
  memset(d, 0, sizeof *d);
  memset(d->app.pointer.b, seed, 20);
  d->trust = decc_u256_from_u64(seed);
  memset(d->tag, seed ^ 0x5a, 32);
  d->params = decc_strdup("{\"iexec_args\":\"x\"}");
}

static void task_fill(decc_poco_task *t, uint8_t seed) {
  decc_poco_task_init(t);
  t->status = DECC_TASK_ACTIVE;
  memset(t->deal_id, seed, 32);
  t->n_contributions = 2;
  t->contributions = decc_calloc(2, sizeof *t->contributions);
  memset(t->contributions[1].worker.b, seed, 20);
  t->results_len = 3;
  t->results = decc_malloc(3);
  memcpy(t->results, "abc", 3);
}

TEST(a_deal_is_served_only_for_its_exact_bytes) {
  decc_ledger l;
  memset(&l, 0, sizeof l);
  uint8_t id[32], other[32], rec[64];
  memset(id, 1, 32);
  memset(other, 1, 32);
  other[31] = 2; /* same slot (first bytes), another id */
  for (size_t i = 0; i < sizeof rec; i++)
    rec[i] = (uint8_t)i;
  decc_poco_deal d, out;
  deal_fill(&d, 7);
  ASSERT(!ldg_rc_deal_get(&l, id, rec, sizeof rec, &out)); /* empty */
  ldg_rc_deal_put(&l, id, rec, sizeof rec, &d);
  /* the cache owns a copy: the caller's struct may go */
  decc_poco_deal_clear(&d);
  ASSERT(ldg_rc_deal_get(&l, id, rec, sizeof rec, &out));
  ASSERT_EQ(out.app.pointer.b[19], 7);
  ASSERT_STR_EQ(out.params, "{\"iexec_args\":\"x\"}");
  /* a deep copy: clearing it leaves the entry */
  decc_poco_deal_clear(&out);
  ASSERT(ldg_rc_deal_get(&l, id, rec, sizeof rec, &out));
  ASSERT_STR_EQ(out.params, "{\"iexec_args\":\"x\"}");
  decc_poco_deal_clear(&out);
  ASSERT(!ldg_rc_deal_get(&l, other, rec, sizeof rec, &out));
  ASSERT(!ldg_rc_deal_get(&l, id, rec, sizeof rec - 1, &out));
  rec[40] ^= 1;
  ASSERT(!ldg_rc_deal_get(&l, id, rec, sizeof rec, &out));
  rec[40] ^= 1;
  /* a task with the same id is another table */
  decc_poco_task t;
  ASSERT(!ldg_rc_task_get(&l, id, rec, sizeof rec, &t));
  /* a newer record in the slot replaces the older */
  deal_fill(&d, 9);
  ldg_rc_deal_put(&l, other, rec, sizeof rec, &d);
  decc_poco_deal_clear(&d);
  ASSERT(!ldg_rc_deal_get(&l, id, rec, sizeof rec, &out));
  ASSERT(ldg_rc_deal_get(&l, other, rec, sizeof rec, &out));
  ASSERT_EQ(out.app.pointer.b[0], 9);
  decc_poco_deal_clear(&out);
  ldg_rc_free(&l);
  ASSERT(l.rc == NULL);
}

TEST(a_task_copy_carries_its_arrays) {
  decc_ledger l;
  memset(&l, 0, sizeof l);
  uint8_t id[32], rec[96];
  memset(id, 0xab, 32);
  memset(rec, 0x11, sizeof rec);
  decc_poco_task t, out;
  task_fill(&t, 3);
  ldg_rc_task_put(&l, id, rec, sizeof rec, &t);
  /* the put copied the arrays: changing the caller's leaves the entry */
  t.contributions[1].worker.b[0] = 0xee;
  decc_poco_task_clear(&t);
  ASSERT(ldg_rc_task_get(&l, id, rec, sizeof rec, &out));
  ASSERT_EQ(out.status, DECC_TASK_ACTIVE);
  ASSERT_EQ(out.n_contributions, 2);
  ASSERT_EQ(out.contributions[1].worker.b[0], 3);
  ASSERT_EQ(out.results_len, 3);
  ASSERT_MEM_EQ(out.results, "abc", 3);
  ASSERT_EQ(out.deal_id[31], 3);
  decc_poco_task_clear(&out);
  /* an empty or oversized record is not cached */
  task_fill(&t, 4);
  uint8_t id2[32];
  memset(id2, 0xcd, 32);
  ldg_rc_task_put(&l, id2, rec, 0, &t);
  ASSERT(!ldg_rc_task_get(&l, id2, rec, 0, &out));
  size_t big = 64 * 1024 + 1;
  uint8_t *b = decc_calloc(1, big);
  ASSERT(b != NULL);
  ldg_rc_task_put(&l, id2, b, big, &t);
  ASSERT(!ldg_rc_task_get(&l, id2, b, big, &out));
  decc_free(b);
  decc_poco_task_clear(&t);
  ldg_rc_free(&l);
}

/* The task record as c_poco.c wrote it with the generic encoder before
 * ldg_task_encode (the reference the direct encoding must equal). */
static void task_abi_ref(decc_buf *b, const decc_poco_task *t) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_begin_tuple(&e);
  decc_abi_enc_push_u64(&e, (uint64_t)t->status);
  decc_abi_enc_push_bytes32(&e, t->deal_id);
  decc_abi_enc_push_u256(&e, &t->idx);
  decc_abi_enc_push_u256(&e, &t->timeref);
  decc_abi_enc_push_u256(&e, &t->contribution_deadline);
  decc_abi_enc_push_u256(&e, &t->reveal_deadline);
  decc_abi_enc_push_u256(&e, &t->final_deadline);
  decc_abi_enc_push_bytes32(&e, t->consensus_value);
  decc_abi_enc_push_u256(&e, &t->reveal_counter);
  decc_abi_enc_push_u256(&e, &t->winner_counter);
  decc_abi_enc_begin_array(&e);
  for (size_t i = 0; i < t->n_contributions; i++) {
    const decc_poco_contribution *k = &t->contributions[i];
    decc_abi_enc_begin_tuple(&e);
    decc_abi_enc_push_address(&e, &k->worker);
    decc_abi_enc_push_u64(&e, (uint64_t)k->status);
    decc_abi_enc_push_bytes32(&e, k->result_hash);
    decc_abi_enc_push_bytes32(&e, k->result_seal);
    decc_abi_enc_push_address(&e, &k->enclave_challenge);
    decc_abi_enc_push_u256(&e, &k->weight);
    decc_abi_enc_end_tuple(&e);
  }
  decc_abi_enc_end_array(&e);
  decc_abi_enc_push_bytes32(&e, t->result_digest);
  decc_abi_enc_push_bytes(&e, t->results, t->results_len);
  decc_abi_enc_push_u256(&e, &t->results_timestamp);
  decc_abi_enc_push_bytes(&e, t->results_callback, t->results_callback_len);
  decc_abi_enc_push_u256(&e, &t->consensus_total);
  decc_abi_enc_begin_array(&e);
  for (size_t i = 0; i < t->n_groups; i++) {
    decc_abi_enc_begin_tuple(&e);
    decc_abi_enc_push_bytes32(&e, t->groups[i].hash);
    decc_abi_enc_push_u256(&e, &t->groups[i].value);
    decc_abi_enc_end_tuple(&e);
  }
  decc_abi_enc_end_array(&e);
  decc_abi_enc_end_tuple(&e);
  if (decc_abi_enc_finish(&e, b) != DECC_OK)
    b->len = 0;
  decc_abi_enc_clear(&e);
}

static void *rand_bytes(uint64_t *x, size_t n) {
  uint8_t *p = n ? decc_malloc(n) : NULL;
  for (size_t i = 0; i < n; i++) {
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    p[i] = (uint8_t)(*x >> 56);
  }
  return p;
}

TEST(the_direct_task_encoding_equals_the_generic_encoder) {
  uint64_t x = 42;
  /* every field random, arrays of 0..3 entries, byte strings of lengths
   * around the 32-byte word boundaries */
  static const size_t lens[] = {0, 1, 31, 32, 33, 64, 65, 200};
  for (int round = 0; round < 64; round++) {
    decc_poco_task t;
    decc_poco_task_init(&t);
    void *r = rand_bytes(&x, sizeof t);
    /* scalar fields from random bytes, pointers and counts set below */
    memcpy(&t, r, sizeof t);
    decc_free(r);
    t.status = (decc_poco_task_status)(round % 5);
    t.n_contributions = (size_t)(round % 4);
    t.contributions =
        rand_bytes(&x, t.n_contributions * sizeof *t.contributions);
    for (size_t i = 0; i < t.n_contributions; i++)
      t.contributions[i].status = (decc_poco_contribution_status)(i % 4);
    t.results_len = lens[round % 8];
    t.results = rand_bytes(&x, t.results_len);
    t.results_callback_len = lens[(round / 8) % 8];
    t.results_callback = rand_bytes(&x, t.results_callback_len);
    t.n_groups = (size_t)((round / 4) % 4);
    t.groups = rand_bytes(&x, t.n_groups * sizeof *t.groups);
    decc_buf want, got;
    decc_buf_init(&want, 0);
    decc_buf_init(&got, 0);
    task_abi_ref(&want, &t);
    ASSERT(want.len > 0);
    ASSERT_OK(ldg_task_encode(&got, &t));
    ASSERT_EQ(got.len, want.len);
    ASSERT_MEM_EQ(got.data, want.data, want.len);
    decc_buf_clear(&want);
    decc_buf_clear(&got);
    decc_poco_task_clear(&t);
  }
}

TEST(the_direct_deal_encoding_equals_viewdeals) {
  uint64_t x = 7;
  static const size_t lens[] = {0, 1, 31, 32, 33, 64, 65, 300};
  for (int round = 0; round < 64; round++) {
    decc_poco_deal d;
    void *r = rand_bytes(&x, sizeof d);
    memcpy(&d, r, sizeof d);
    decc_free(r);
    size_t n = lens[round % 8];
    d.params = decc_malloc(n + 1);
    ASSERT(d.params != NULL);
    for (size_t i = 0; i < n; i++)
      d.params[i] = (char)('a' + (i + (size_t)round) % 26);
    d.params[n] = 0;
    decc_buf want, got;
    decc_buf_init(&want, 0);
    decc_buf_init(&got, 0);
    ASSERT_OK(decc_poco_deal_abi(&want, &d));
    ASSERT_OK(ldg_deal_encode(&got, &d));
    ASSERT_EQ(got.len, want.len);
    ASSERT_MEM_EQ(got.data, want.data, want.len);
    decc_buf_clear(&want);
    decc_buf_clear(&got);
    decc_poco_deal_clear(&d);
  }
}
