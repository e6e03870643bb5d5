/*
 * test_ledger_overlay.c — the per-block state overlay (lib/ledger/overlay.c)
 * keeps the ledger's semantics: inside one block, a call that writes
 * overlaid rows (hub escrow balances) and then reverts leaves nothing
 * behind, a call that writes a SQLite row (an RLC allowance) and reverts
 * rolls back through the lazily opened savepoint, later calls of the block
 * read the earlier ones' writes, the committed state equals the one the
 * same calls reach one block each, and an aborted block drops its
 * overlay; deal and task rows are written once per id (INSERT or UPDATE
 * by what the block read, or UPDATE-else-INSERT), on both layouts of
 * their id indexes; small values kept in the overlay's chunks survive
 * reverts, chunk turnover and the next block's reuse of the chunks.
 */
#include <string.h>

#include "decc/u256.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

static decc_buf call_a_u(const char *sig, const decc_address *a, uint64_t v) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, a);
  decc_abi_enc_push_u64(&e, v);
  return finish_call(&e, sig);
}

static uint64_t stake_of(decc_ledger *l, const decc_address *a) {
  decc_u256 s;
  if (decc_ledger_escrow(l, a, &s, NULL, NULL) != DECC_OK)
    return UINT64_MAX;
  uint64_t v = 0;
  return decc_u256_to_u64(&v, &s) ? v : UINT64_MAX - 1;
}

/* The four calls of the scenario: a1 -> a2 5 (hub), a3 takes 7 of a1's
 * without an allowance (escrow moved, then reverts), a2 -> a3 2 (hub),
 * a1 deposits more RLC than it holds with approveAndCall (the RLC
 * allowance is written, then the hub's transferFrom reverts). */
typedef struct scenario {
  decc_ledger_call c[4];
  decc_buf d[4];
  decc_address a[4];
} scenario;

static void scenario_init(scenario *s, const decc_ledger_info *info) {
  for (unsigned i = 0; i < 4; i++)
    s->a[i] = dev_addr(i);
  s->d[0] = call_a_u("transfer(address,uint256)", &s->a[2], 5);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &s->a[1]);
  decc_abi_enc_push_address(&e, &s->a[3]);
  decc_abi_enc_push_u64(&e, 7);
  s->d[1] = finish_call(&e, "transferFrom(address,address,uint256)");
  s->d[2] = call_a_u("transfer(address,uint256)", &s->a[3], 2);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &info->addr.hub);
  decc_abi_enc_push_u64(&e, 2000000ull * 1000000000ull);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  s->d[3] = finish_call(&e, "approveAndCall(address,uint256,bytes)");
  const decc_address *from[4] = {&s->a[1], &s->a[3], &s->a[2], &s->a[1]};
  const decc_address *to[4] = {&info->addr.hub, &info->addr.hub,
                               &info->addr.hub, &info->addr.token};
  for (unsigned i = 0; i < 4; i++)
    s->c[i] = (decc_ledger_call){*from[i], *to[i], s->d[i].data, s->d[i].len};
}

static void scenario_clear(scenario *s) {
  for (unsigned i = 0; i < 4; i++)
    decc_buf_clear(&s->d[i]);
}

TEST(reverts_inside_a_block_leave_nothing_and_blocks_agree) {
  decc_ledger *one = mem_ledger(), *each = mem_ledger();
  ASSERT(one && each);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(one, &info, NULL));
  scenario s;
  scenario_init(&s, &info);
  uint64_t base = stake_of(one, &s.a[1]);
  ASSERT(base > 1000 && base < UINT64_MAX - 1);
  decc_abi_enc e0;
  decc_abi_enc_init(&e0, 0);
  decc_abi_enc_push_address(&e0, &s.a[1]);
  decc_abi_enc_push_address(&e0, &info.addr.hub);
  decc_buf q0 = finish_call(&e0, "allowance(address,address)");
  uint8_t w0[32];
  ASSERT_OK(view_word(one, &info.addr.token, &q0, w0));
  decc_buf_clear(&q0);
  uint64_t allowance0 = word_u64(w0);

  /* the four calls in one block */
  decc_receipt r[4];
  ASSERT_OK(decc_ledger_submit_calls(one, s.c, 4, r, NULL));
  ASSERT_EQ(r[0].status, 1);
  ASSERT_EQ(r[1].status, 0);
  ASSERT_EQ(r[1].n_logs, 0);
  ASSERT_EQ(r[2].status, 1);
  ASSERT_EQ(r[3].status, 0);
  ASSERT_EQ(r[0].block_number, r[3].block_number);
  for (unsigned i = 0; i < 4; i++)
    decc_receipt_clear(&r[i]);
  ASSERT_EQ(stake_of(one, &s.a[1]), base - 5);
  ASSERT_EQ(stake_of(one, &s.a[2]), base + 5 - 2);
  ASSERT_EQ(stake_of(one, &s.a[3]), base + 2);
  uint64_t nonce;
  ASSERT_OK(decc_ledger_nonce(one, &s.a[1], &nonce, NULL));
  ASSERT_EQ(nonce, 2); /* both of a1's calls used a nonce */
  ASSERT_OK(decc_ledger_nonce(one, &s.a[3], &nonce, NULL));
  ASSERT_EQ(nonce, 1);
  /* the reverted approve left the allowance as it was */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &s.a[1]);
  decc_abi_enc_push_address(&e, &info.addr.hub);
  decc_buf q = finish_call(&e, "allowance(address,address)");
  uint8_t w[32];
  ASSERT_OK(view_word(one, &info.addr.token, &q, w));
  ASSERT_EQ(word_u64(w), allowance0);

  /* the same calls one block each reach the same state */
  for (unsigned i = 0; i < 4; i++) {
    ASSERT_OK(decc_ledger_submit_calls(each, &s.c[i], 1, &r[0], NULL));
    ASSERT_EQ(r[0].status, i == 0 || i == 2);
    decc_receipt_clear(&r[0]);
  }
  uint8_t h1[32], h2[32];
  ASSERT_OK(view_word(each, &info.addr.token, &q, w));
  decc_buf_clear(&q);
  ASSERT_EQ(word_u64(w), allowance0);
  ASSERT_OK(decc_ledger_state_hash(one, h1, NULL));
  ASSERT_OK(decc_ledger_state_hash(each, h2, NULL));
  ASSERT_MEM_EQ(h1, h2, 32);
  /* and both histories replay */
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(one, &rep, NULL));
  ASSERT_OK(decc_ledger_verify(each, &rep, NULL));
  scenario_clear(&s);
  decc_ledger_close(one);
  decc_ledger_close(each);
}

TEST(an_aborted_block_drops_the_overlay) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_address a = dev_addr(1),
               fresh = addr_of("0x3333333333333333333333333333333333333333");
  uint64_t base = stake_of(l, &a);
  uint8_t h0[32], h1[32];
  ASSERT_OK(decc_ledger_state_hash(l, h0, NULL));
  decc_u256 v = decc_u256_from_u64(42), z = decc_u256_from_u64(0), b, f;
  ASSERT_OK(ldg_block_begin(l, 0, NULL));
  ASSERT_OK(ldg_escrow_set(l, &a, &v, &z, NULL));
  ASSERT_OK(ldg_escrow_set(l, &fresh, &v, &v, NULL));
  ASSERT_OK(ldg_escrow_get(l, &a, &b, &f, NULL));
  ASSERT(decc_u256_cmp(&b, &v) == 0); /* a block reads its own writes */
  ldg_block_abort(l);
  ASSERT_EQ(stake_of(l, &a), base);
  ASSERT_EQ(stake_of(l, &fresh), 0);
  ASSERT_OK(decc_ledger_state_hash(l, h1, NULL));
  ASSERT_MEM_EQ(h0, h1, 32);
  /* a row first written by a reverted transaction reads from SQLite again */
  ASSERT_OK(ldg_block_begin(l, 0, NULL));
  ldg_ov_tx_begin(l);
  ASSERT_OK(ldg_escrow_set(l, &fresh, &v, &v, NULL));
  ldg_ov_tx_end(l, 1);
  ASSERT_OK(ldg_escrow_get(l, &fresh, &b, &f, NULL));
  ASSERT(decc_u256_is_zero(&b) && decc_u256_is_zero(&f));
  ldg_ov_tx_begin(l);
  ASSERT_OK(ldg_escrow_set(l, &a, &v, &z, NULL));
  ldg_ov_tx_end(l, 0);
  ASSERT_OK(ldg_block_commit(l, NULL, NULL));
  ASSERT_EQ(stake_of(l, &a), 42);
  ASSERT_EQ(stake_of(l, &fresh), 0);
  decc_ledger_close(l);
}

/* An address numbered i (i < 2^16), none a dev account. */
static decc_address numbered(unsigned i) {
  decc_address a;
  memset(a.b, 0x5a, 20);
  a.b[18] = (uint8_t)(i >> 8);
  a.b[19] = (uint8_t)i;
  return a;
}

TEST(small_values_outlive_reverts_and_chunk_reuse) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  /* 3,000 escrow rows of 64 bytes fill about a dozen 16 KiB chunks, more
   * than an emptied overlay keeps; every third write is reverted (a first
   * write: the row reads as absent again) and every row is rewritten once
   * in a later transaction (the undo log holds the older value) */
  enum { N = 3000 };
  for (int round = 0; round < 3; round++) {
    ASSERT_OK(ldg_block_begin(l, 0, NULL));
    for (unsigned i = 0; i < N; i++) {
      decc_address a = numbered(i);
      decc_u256 v = decc_u256_from_u64(1000u * (unsigned)round + i),
                z = decc_u256_from_u64(0);
      ldg_ov_tx_begin(l);
      ASSERT_OK(ldg_escrow_set(l, &a, &v, &z, NULL));
      ldg_ov_tx_end(l, round == 0 && i % 3 == 0);
    }
    for (unsigned i = 0; i < N; i += 2) {
      decc_address a = numbered(i);
      decc_u256 v = decc_u256_from_u64(7u + i), z = decc_u256_from_u64(0);
      ldg_ov_tx_begin(l);
      ASSERT_OK(ldg_escrow_set(l, &a, &v, &z, NULL));
      ASSERT_OK(ldg_escrow_set(l, &a, &z, &v, NULL));
      ldg_ov_tx_end(l, 1); /* back to the value the first loop wrote */
    }
    /* the block reads its own values back (from the chunks) */
    for (unsigned i = 0; i < N; i++) {
      decc_address a = numbered(i);
      decc_u256 b, f;
      ASSERT_OK(ldg_escrow_get(l, &a, &b, &f, NULL));
      uint64_t want =
                   round == 0 && i % 3 == 0 ? 0 : 1000u * (unsigned)round + i,
               got;
      ASSERT(decc_u256_to_u64(&got, &b) && decc_u256_is_zero(&f));
      ASSERT_EQ(got, want);
    }
    if (round == 2) {
      ldg_block_abort(l); /* the third round is dropped whole */
      break;
    }
    ASSERT_OK(ldg_block_commit(l, NULL, NULL));
  }
  for (unsigned i = 0; i < N; i++) {
    decc_address a = numbered(i);
    ASSERT_EQ(stake_of(l, &a), 1000u + i);
  }
  decc_ledger_close(l);
}

/* The number of rows of table (deals or tasks) whose id is 32 bytes of
 * `fill` except the last, `last`; and their status (tasks) or block
 * (deals) summed. */
static int64_t rows_of(decc_ledger *l, const char *table, int fill, int last,
                       int64_t *val) {
  char sql[400], hex[65];
  for (int i = 0; i < 31; i++)
    snprintf(hex + 2 * i, 3, "%02x", fill);
  snprintf(hex + 62, 3, "%02x", last);
  snprintf(sql, sizeof sql, "SELECT sum(%s) FROM %s WHERE id=x'%s'",
           strcmp(table, "tasks") ? "block" : "status", table, hex);
  *val = ldg_t_q_int(l->db, sql);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE id=x'%s'", table,
           hex);
  return ldg_t_q_int(l->db, sql);
}

static void id_of(uint8_t id[32], int fill, int last) {
  memset(id, fill, 32);
  id[31] = (uint8_t)last;
}

/* Asserts the task and the deal of id (fill, last) each have `n` rows
 * (0 or 1), the one with status / block `val`. */
static void expect_rows(decc_ledger *l, int fill, int last, int64_t n,
                        int64_t val) {
  int64_t v;
  ASSERT_EQ(rows_of(l, "tasks", fill, last, &v), n);
  if (n)
    ASSERT_EQ(v, val);
  ASSERT_EQ(rows_of(l, "deals", fill, last, &v), n);
  if (n)
    ASSERT_EQ(v, val);
}

/* Writes task (fill, last) with `status` and deal (fill, last) with block
 * `status`, after reading them first when `read`. */
static void put_both(decc_ledger *l, int fill, int last, int64_t status,
                     int read) {
  uint8_t id[32], deal[32];
  id_of(id, fill, last);
  memset(deal, 0xdd, 32);
  decc_address a = dev_addr(1);
  if (read) {
    decc_buf b;
    decc_buf_init(&b, 0);
    int found;
    ASSERT_OK(ldg_task_record(l, id, &b, &found, NULL));
    ASSERT_OK(ldg_deal_record(l, id, &b, &found, NULL));
    decc_buf_clear(&b);
  }
  ASSERT_OK(ldg_task_put(l, id, deal, status, (const uint8_t *)"rec", 3, NULL));
  ASSERT_OK(ldg_deal_put(l, id, (const uint8_t *)"rec", 3, &a, &a, &a, &a,
                         (uint64_t)status, NULL));
}

/* One row per id whatever the way it was written: in a block after a read
 * that found no row (INSERT), after one that found it (UPDATE), without a
 * read (UPDATE, else INSERT), outside a block, by a reverted transaction
 * (nothing); ids sharing their first 8 bytes stay apart. On the layout of
 * new files (indexes on the ids' first 8 bytes) and on the one of files
 * made before session 15 (unique indexes on the whole ids). */
TEST(deal_and_task_rows_are_written_once_per_id) {
  uint8_t state[2][32];
  for (int layout = 0; layout < 2; layout++) {
    decc_ledger *l = mem_ledger();
    ASSERT(l);
    if (!l)
      return;
    if (layout == 1)
      ASSERT_EQ(sqlite3_exec(l->db,
                             "DROP INDEX deals_id8; DROP INDEX tasks_id8;"
                             "CREATE UNIQUE INDEX d_before ON deals(id);"
                             "CREATE UNIQUE INDEX t_before ON tasks(id);",
                             NULL, NULL, NULL),
                SQLITE_OK);
    ASSERT_OK(ldg_block_begin(l, 0, NULL));
    put_both(l, 0x11, 1, 1, 1); /* read: absent */
    put_both(l, 0x11, 2, 7, 0); /* same 8-byte prefix, no read */
    ASSERT_OK(ldg_block_commit(l, NULL, NULL));
    expect_rows(l, 0x11, 1, 1, 1);
    ASSERT_OK(ldg_block_begin(l, 0, NULL));
    put_both(l, 0x11, 1, 2, 1); /* read: present */
    ASSERT_OK(ldg_block_commit(l, NULL, NULL));
    expect_rows(l, 0x11, 1, 1, 2);
    ASSERT_OK(ldg_block_begin(l, 0, NULL));
    put_both(l, 0x11, 1, 3, 0); /* no read: present */
    put_both(l, 0x22, 1, 5, 0); /* no read: absent */
    ldg_ov_tx_begin(l);
    put_both(l, 0x33, 1, 9, 1); /* written, then reverted */
    ldg_ov_tx_end(l, 1);
    ASSERT_OK(ldg_block_commit(l, NULL, NULL));
    expect_rows(l, 0x11, 1, 1, 3);
    expect_rows(l, 0x22, 1, 1, 5);
    expect_rows(l, 0x33, 1, 0, 0);
    /* a row noted new is INSERTed; a note on a row a read found present
     * changes nothing (UPDATE) */
    uint8_t id4[32], id1[32];
    id_of(id4, 0x44, 1);
    id_of(id1, 0x11, 1);
    ASSERT_OK(ldg_block_begin(l, 0, NULL));
    put_both(l, 0x44, 1, 4, 0);
    ldg_ov_note_new(l, LDG_OV_DEAL, id4, 32);
    put_both(l, 0x11, 1, 6, 1);
    ldg_ov_note_new(l, LDG_OV_DEAL, id1, 32);
    ASSERT_OK(ldg_block_commit(l, NULL, NULL));
    expect_rows(l, 0x44, 1, 1, 4);
    expect_rows(l, 0x11, 1, 1, 6);
    /* outside a block: straight to SQLite */
    put_both(l, 0x11, 1, 4, 0);
    put_both(l, 0x44, 1, 6, 0);
    expect_rows(l, 0x11, 1, 1, 4);
    expect_rows(l, 0x44, 1, 1, 6);
    /* the neighbour sharing the prefix kept its own row */
    expect_rows(l, 0x11, 2, 1, 7);
    /* and each reads back its own record */
    uint8_t id[32];
    id_of(id, 0x11, 2);
    decc_buf b;
    decc_buf_init(&b, 0);
    int found = 0;
    ASSERT_OK(ldg_task_record(l, id, &b, &found, NULL));
    ASSERT(found && b.len == 3 && !memcmp(b.data, "rec", 3));
    decc_buf_clear(&b);
    ASSERT_EQ(ldg_t_q_int(l->db, "SELECT count(*) FROM tasks"), 4);
    ASSERT_EQ(ldg_t_q_int(l->db, "SELECT count(*) FROM deals"), 4);
    ASSERT_OK(decc_ledger_state_hash(l, state[layout], NULL));
    if (layout == 0) {
      /* the state hash walks the prefix index (query.c, state_order):
       * no sort of the whole table */
      for (int k = 0; k < 2; k++) {
        char sql[120];
        sqlite3_stmt *st = NULL;
        snprintf(sql, sizeof sql,
                 "EXPLAIN QUERY PLAN SELECT * FROM %s ORDER BY substr(id, 1, "
                 "8), id",
                 k ? "tasks" : "deals");
        ASSERT_EQ(sqlite3_prepare_v2(l->db, sql, -1, &st, NULL), SQLITE_OK);
        int uses_index = 0, full_sort = 0;
        while (st && sqlite3_step(st) == SQLITE_ROW) {
          const char *d = (const char *)sqlite3_column_text(st, 3);
          uses_index |= d && strstr(d, "USING INDEX") != NULL;
          full_sort |= d && !strcmp(d, "USE TEMP B-TREE FOR ORDER BY");
        }
        sqlite3_finalize(st);
        ASSERT(uses_index && !full_sort);
      }
    }
    decc_ledger_close(l);
  }
  /* the same rows give the same state hash on either layout */
  ASSERT_MEM_EQ(state[0], state[1], 32);
}
