/*
 * test_ledger_reccache.c — the decoded record cache (lib/ledger/reccache.c)
 * serves a deal or task only for the exact bytes it was made from: a
 * changed byte, a different length or another id misses; a newer record
 * in the same slot replaces the older; what it returns is a deep copy the
 * caller owns (changing or freeing it, or the struct that was put, leaves
 * the cached entry intact). A ledger handle is used only as the cache's
 * owner: no SQL runs.
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
