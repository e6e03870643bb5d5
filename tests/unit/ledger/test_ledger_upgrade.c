/*
 * test_ledger_upgrade.c — the upgrade of a schema-2 ledger file to schema 3
 * (lib/ledger/upgrade.c). schema2.sqlite was written by the last schema-2
 * build (make_schema_fixture.sh), and schema2.state holds the state hash
 * that build's `decc chain verify` printed for it. On open:
 *  - every transaction row is kept, in (block, idx) order, with a signed
 *    transaction's input column emptied (its calldata is in the raw form);
 *    every log is kept (packed into one row per transaction): the same
 *    logs, in the same order, with the same indexes and hashes;
 *    every deal and task row is kept; the old tables are gone and the
 *    lookups by hash and id are indexed (no SCAN);
 *  - receipts and raw forms read by hash are what the schema-2 rows say,
 *    the state hash is the old build's, verify passes, a block written
 *    afterwards verifies, and a reopen does not upgrade again;
 *  - verify refuses a signed transaction whose input column is not empty;
 *  - an upgrade that fails half-way leaves the schema-2 file as it was;
 *  - transactions are found by hash through the 8-byte prefix index of
 *    files made since session 15, and through the unique index on the
 *    whole hash of schema-3 files made before (which keep it): the same
 *    answers, no SCAN, and a hash that shares only the prefix is unknown.
 * The expected values come from the schema-2 rows read with SQLite before
 * decc opens the file, or from the old build, never from the code under
 * test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decc/encoding.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

/* Every row of a one-column query (each row a quote()d record), joined
 * by newlines; NULL on an SQL error. */
static char *dump(sqlite3 *db, const char *sql) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
    return NULL;
  decc_buf b;
  decc_buf_init(&b, 0);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *t = (const char *)sqlite3_column_text(st, 0);
    if (decc_buf_append_str(&b, t ? t : "NULL") ||
        decc_buf_append_str(&b, "\n"))
      rc = SQLITE_NOMEM;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE || decc_buf_append(&b, "", 1)) {
    decc_buf_clear(&b);
    return NULL;
  }
  char *out = strdup((const char *)b.data);
  decc_buf_clear(&b);
  return out;
}

/* The transaction rows as schema 3 keeps them: a signed one's input is
 * empty. Applied to the schema-2 rows it says what the upgrade must
 * produce. */
#define TXS_DUMP                                                               \
  "SELECT quote(hash)||','||block||','||idx||','||kind||','||quote(sender)"    \
  "||','||quote(recipient)||','||nonce||','||quote(CASE WHEN kind=1 THEN "     \
  "X'' ELSE input END)||','||quote(raw)||','||status||','||quote(reason)||"    \
  "','||quote(output) FROM txs ORDER BY block, idx"
#define DEALS_DUMP                                                             \
  "SELECT quote(id)||','||quote(record)||','||quote(app)||','||"               \
  "quote(dataset)||','||quote(workerpool)||','||quote(requester)||','||"       \
  "quote(block) FROM deals ORDER BY id"
#define TASKS_DUMP                                                             \
  "SELECT quote(id)||','||quote(deal)||','||status||','||quote(record) FROM "  \
  "tasks ORDER BY id"

static void copy_fixture(char *path, size_t cap, const char *name) {
  snprintf(path, cap, "%s/%s", decc_test_tmpdir(), name);
  size_t n = 0;
  char *b = decc_test_read_file(
      decc_test_vector_path("../unit/ledger/schema2.sqlite"), &n);
  ASSERT(b);
  FILE *f = fopen(path, "wb");
  ASSERT(f);
  if (b && f)
    ASSERT_EQ(fwrite(b, 1, n, f), n);
  if (f)
    fclose(f);
  free(b);
}

/* EXPLAIN QUERY PLAN of sql has no full-table SCAN. */
static int indexed(sqlite3 *db, const char *sql) {
  char q[512];
  snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
    return 0;
  int ok = 1;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *d = (const char *)sqlite3_column_text(st, 3);
    if (d && strncmp(d, "SCAN", 4) == 0)
      ok = 0;
  }
  sqlite3_finalize(st);
  return ok;
}

typedef struct oldtx {
  uint8_t hash[32];
  int status;
  uint8_t *raw, *output;
  size_t raw_len, output_len;
  int64_t n_logs;
} oldtx;

TEST(schema2_file_upgrades_with_the_same_answers) {
  char path[512];
  copy_fixture(path, sizeof path, "s2.sqlite");
  /* the schema-2 rows, read before decc touches the file */
  sqlite3 *db;
  ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
  ASSERT_EQ(ldg_t_q_int(db, "SELECT value FROM meta WHERE key='schema'"), 2);
  char *txs = dump(db, TXS_DUMP), *deals = dump(db, DEALS_DUMP),
       *tasks = dump(db, TASKS_DUMP);
  ASSERT(txs && deals && tasks);
  ASSERT(ldg_t_q_int(db, "SELECT count(*) FROM deals") >= 2);
  ASSERT(ldg_t_q_int(db, "SELECT count(*) FROM tasks") >= 2);
  oldtx old[64];
  size_t n_tx = 0, n_signed = 0;
  sqlite3_stmt *st;
  ASSERT_EQ(sqlite3_prepare_v2(
                db,
                "SELECT t.hash, t.status, t.raw, t.output, t.input, t.kind, "
                "(SELECT count(*) FROM logs l WHERE l.block=t.block AND "
                "l.tx_index=t.idx) FROM txs t ORDER BY t.block, t.idx",
                -1, &st, NULL),
            SQLITE_OK);
  while (n_tx < 64 && sqlite3_step(st) == SQLITE_ROW) {
    oldtx *o = &old[n_tx++];
    memcpy(o->hash, sqlite3_column_blob(st, 0), 32);
    o->status = sqlite3_column_int(st, 1);
    o->raw_len = (size_t)sqlite3_column_bytes(st, 2);
    o->raw = malloc(o->raw_len + 1);
    memcpy(o->raw, sqlite3_column_blob(st, 2), o->raw_len);
    o->output_len = (size_t)sqlite3_column_bytes(st, 3);
    o->output = malloc(o->output_len + 1);
    if (o->output_len)
      memcpy(o->output, sqlite3_column_blob(st, 3), o->output_len);
    o->n_logs = sqlite3_column_int64(st, 6);
    if (sqlite3_column_int(st, 5) == LDG_TX_RAW) {
      /* the copy schema 3 drops is the calldata the raw form holds */
      decc_tx t;
      decc_tx_init(&t);
      ASSERT_OK(decc_tx_parse(&t, o->raw, o->raw_len, NULL));
      ASSERT_EQ((size_t)sqlite3_column_bytes(st, 4), t.data_len);
      if (t.data_len)
        ASSERT_MEM_EQ(sqlite3_column_blob(st, 4), t.data, t.data_len);
      decc_tx_clear(&t);
      n_signed++;
    }
  }
  sqlite3_finalize(st);
  /* every log, one row each in schema 2 */
  size_t n_olog = 0;
  decc_log *olog = ldg_t_row_logs(
      db,
      "SELECT l.block, l.log_index, l.tx_index, t.hash, l.address, "
      "l.n_topics, l.topic0, l.topic1, l.topic2, l.topic3, l.data FROM logs "
      "l JOIN txs t ON t.block=l.block AND t.idx=l.tx_index ORDER BY "
      "l.block, l.log_index",
      &n_olog);
  ASSERT(olog);
  sqlite3_close(db);
  ASSERT(n_tx >= 15 && n_signed == n_tx);
  ASSERT(n_olog >= 30);

  decc_ledger *l;
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT value FROM meta WHERE key='schema'"), 3);
  ASSERT_EQ(ldg_t_q_int(l->db,
                        "SELECT count(*) FROM sqlite_master WHERE name IN "
                        "('txs_v2','deals_v2','tasks_v2')"),
            0);
  /* tasks_deal went with tasks_v2 and is not made again: no query reads
   * tasks by deal, and its random inserts cost every block */
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT count(*) FROM sqlite_master WHERE "
                               "type='index' AND tbl_name='tasks' AND "
                               "name='tasks_deal'"),
            0);
  char *txs3 = dump(l->db, TXS_DUMP), *deals3 = dump(l->db, DEALS_DUMP),
       *tasks3 = dump(l->db, TASKS_DUMP);
  ASSERT(txs3 && deals3 && tasks3);
  if (txs3 && deals3 && tasks3) {
    ASSERT_STR_EQ(txs3, txs);
    ASSERT_STR_EQ(deals3, deals);
    ASSERT_STR_EQ(tasks3, tasks);
  }
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT count(*) FROM txs WHERE kind=1 AND "
                               "length(input) > 0"),
            0);
  /* the lookups the ledger makes by hash and id use an index */
  ASSERT(indexed(l->db, "SELECT raw FROM txs t WHERE " LDG_TX_BY_HASH));
  ASSERT(indexed(l->db, "SELECT record FROM deals WHERE " LDG_ID_MATCH));
  ASSERT(indexed(l->db, "SELECT record FROM tasks WHERE " LDG_ID_MATCH));
  ASSERT(indexed(l->db, "SELECT hash FROM txs WHERE block=1 ORDER BY idx"));

  for (size_t i = 0; i < n_tx; i++) {
    decc_receipt r;
    ASSERT_OK(decc_ledger_receipt(l, old[i].hash, &r, NULL));
    ASSERT_EQ(r.status, old[i].status);
    ASSERT_EQ(r.output_len, old[i].output_len);
    if (r.output_len == old[i].output_len && r.output_len)
      ASSERT_MEM_EQ(r.output, old[i].output, r.output_len);
    ASSERT_EQ((int64_t)r.n_logs, old[i].n_logs);
    decc_receipt_clear(&r);
    decc_buf raw;
    decc_buf_init(&raw, 0);
    ASSERT_OK(decc_ledger_tx_raw(l, old[i].hash, &raw, NULL));
    ASSERT_EQ(raw.len, old[i].raw_len);
    if (raw.len == old[i].raw_len)
      ASSERT_MEM_EQ(raw.data, old[i].raw, raw.len);
    decc_buf_clear(&raw);
    free(old[i].raw);
    free(old[i].output);
  }
  /* the logs, packed one row per transaction now: the same, in order */
  decc_log_filter f;
  decc_log_filter_init(&f);
  decc_log *got = NULL;
  size_t n_got = 0;
  ASSERT_OK(decc_ledger_logs(l, &f, &got, &n_got, NULL));
  ASSERT_EQ(n_got, n_olog);
  for (size_t i = 0; olog && i < n_got && i < n_olog; i++) {
    const decc_log *a = &got[i], *b = &olog[i];
    ASSERT_EQ(a->block_number, b->block_number);
    ASSERT_EQ(a->log_index, b->log_index);
    ASSERT_EQ(a->tx_index, b->tx_index);
    ASSERT_MEM_EQ(a->tx_hash, b->tx_hash, 32);
    ASSERT_MEM_EQ(a->address.b, b->address.b, 20);
    ASSERT_EQ(a->n_topics, b->n_topics);
    for (size_t t = 0; t < a->n_topics && t < 4; t++)
      ASSERT_MEM_EQ(a->topics[t], b->topics[t], 32);
    ASSERT_EQ(a->data_len, b->data_len);
    if (a->data_len == b->data_len && a->data_len)
      ASSERT_MEM_EQ(a->data, b->data, a->data_len);
  }
  decc_logs_free(got, n_got);
  for (size_t i = 0; i < n_olog; i++)
    decc_free(olog[i].data);
  free(olog);
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT sum(n) FROM logs"), (int64_t)n_olog);
  /* the state hash the schema-2 build printed for this file */
  size_t sn = 0;
  char *want = decc_test_read_file(
      decc_test_vector_path("../unit/ledger/schema2.state"), &sn);
  ASSERT(want && sn >= 66);
  uint8_t want32[32], got32[32];
  memset(want32, 0, 32);
  if (want && sn >= 66) {
    want[66] = 0; /* "0x" and 64 hex digits, then a newline */
    ASSERT_OK(decc_hex_decode_exact(want32, 32, want + 2, "state hash", NULL));
  }
  free(want);
  ASSERT_OK(decc_ledger_state_hash(l, got32, NULL));
  ASSERT_MEM_EQ(got32, want32, 32);
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, n_tx);
  ASSERT_MEM_EQ(rep.state_hash, want32, 32);

  /* a signed transaction written after the upgrade verifies too */
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  uint8_t sk[32];
  ASSERT_OK(decc_ledger_dev_key(sk, 1));
  decc_address a2 = dev_addr(2);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  ASSERT_OK(decc_abi_enc_push_address(&e, &a2));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 5));
  decc_buf d = finish_call(&e, "transfer(address,uint256)");
  decc_receipt r;
  ASSERT_OK(decc_ledger_send(l, sk, &info.addr.token, d.data, d.len, &r, NULL));
  ASSERT_EQ(r.status, 1);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, n_tx + 1);
  decc_ledger_close(l);
  /* reopened: already schema 3, nothing copied again */
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT value FROM meta WHERE key='schema'"), 3);
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, n_tx + 1);

  /* verify reads a signed transaction from its raw form only: a second
   * copy of the calldata in the input column is refused */
  ASSERT_EQ(sqlite3_exec(l->db,
                         "UPDATE txs SET input=x'a9059cbb' WHERE kind=1 AND "
                         "block=3",
                         NULL, NULL, NULL),
            SQLITE_OK);
  decc_err err;
  ASSERT_EQ(decc_ledger_verify(l, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "block 3") && strstr(err.msg, "does not match"));
  decc_ledger_close(l);
  decc_memzero(sk, sizeof sk);
  free(txs);
  free(deals);
  free(tasks);
  free(txs3);
  free(deals3);
  free(tasks3);
}

TEST(failed_upgrade_leaves_the_schema2_file_as_it_was) {
  char path[512];
  copy_fixture(path, sizeof path, "s2-fail.sqlite");
  sqlite3 *db;
  ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
  char *before = dump(db, TXS_DUMP);
  ASSERT(before);
  /* a table in the way of the second step: the rename of deals fails
   * after txs has already been rebuilt inside the transaction */
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE deals_v2(x)", NULL, NULL, NULL),
            SQLITE_OK);
  sqlite3_close(db);
  decc_ledger *l = NULL;
  decc_err err;
  ASSERT_EQ(decc_ledger_open(&l, path, &err), DECC_E_IO);
  ASSERT(l == NULL);
  ASSERT(strstr(err.msg, "upgrading the file from schema 2 to 3") &&
         strstr(err.msg, "deals_v2"));
  ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
  ASSERT_EQ(ldg_t_q_int(db, "SELECT value FROM meta WHERE key='schema'"), 2);
  /* still the schema-2 table: keyed by hash, the input copies kept */
  ASSERT_EQ(ldg_t_q_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                            "name='txs_v2'"),
            0);
  ASSERT(ldg_t_q_int(db, "SELECT count(*) FROM txs WHERE kind=1 AND "
                         "length(input) > 0") > 0);
  char *after = dump(db, TXS_DUMP);
  ASSERT(after);
  if (before && after)
    ASSERT_STR_EQ(after, before);
  /* with the obstacle gone, the next open upgrades */
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE deals_v2", NULL, NULL, NULL),
            SQLITE_OK);
  sqlite3_close(db);
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  decc_ledger_close(l);
  free(before);
  free(after);
}

/* The plan of sql, its details joined by "; " (empty on an error). */
static void plan_of(sqlite3 *db, const char *sql, char *out, size_t cap) {
  char q[512];
  snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
  out[0] = 0;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
    return;
  size_t n = 0;
  while (sqlite3_step(st) == SQLITE_ROW && n + 1 < cap) {
    const char *d = (const char *)sqlite3_column_text(st, 3);
    int k = snprintf(out + n, cap - n, "%s; ", d ? d : "");
    n = k < 0 || (size_t)k >= cap - n ? cap - 1 : n + (size_t)k;
  }
  sqlite3_finalize(st);
}

/* Finds each of the n transactions by hash (block and index as
 * submitted), and none of two hashes that are not there: one sharing the
 * first hash's 8-byte prefix, one differing in it. */
static void lookups_by_hash(decc_ledger *l, uint8_t (*h)[32], size_t n,
                            uint64_t block) {
  for (size_t i = 0; i < n; i++) {
    decc_receipt rc;
    ASSERT_OK(decc_ledger_receipt(l, h[i], &rc, NULL));
    ASSERT_MEM_EQ(rc.tx_hash, h[i], 32);
    ASSERT_EQ(rc.block_number, block);
    ASSERT_EQ(rc.tx_index, (uint32_t)i);
    decc_receipt_clear(&rc);
  }
  uint8_t other[32];
  memcpy(other, h[0], 32);
  other[31] ^= 1; /* same prefix */
  decc_receipt rc;
  ASSERT_EQ(decc_ledger_receipt(l, other, &rc, NULL), DECC_E_NOT_FOUND);
  decc_buf raw;
  decc_buf_init(&raw, 0);
  ASSERT_EQ(decc_ledger_tx_raw(l, other, &raw, NULL), DECC_E_NOT_FOUND);
  decc_buf_clear(&raw);
  other[31] ^= 1;
  other[0] ^= 1; /* another prefix */
  ASSERT_EQ(decc_ledger_receipt(l, other, &rc, NULL), DECC_E_NOT_FOUND);
}

TEST(transactions_found_by_hash_with_either_index) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  if (!l)
    return;
  /* one block of transfers, their hashes kept */
  enum { N = 12 };
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a0 = dev_addr(0);
  decc_buf d[N];
  decc_ledger_call calls[N];
  decc_receipt r[N];
  uint8_t h[N][32];
  for (unsigned i = 0; i < N; i++) {
    decc_address to;
    memset(to.b, 0x5a, 20);
    to.b[0] = (uint8_t)i;
    calls[i] = ldg_t_transfer_call(&info, &a0, &to, 1 + i, &d[i]);
  }
  ASSERT_OK(decc_ledger_submit_calls(l, calls, N, r, NULL));
  uint64_t block = r[0].block_number;
  for (unsigned i = 0; i < N; i++) {
    ASSERT_EQ(r[i].status, 1);
    memcpy(h[i], r[i].tx_hash, 32);
    decc_receipt_clear(&r[i]);
    decc_buf_clear(&d[i]);
  }
  char plan[512];
  /* a new file: the prefix index, and no index on the whole hash */
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT count(*) FROM sqlite_schema WHERE "
                               "type='index' AND name='txs_hash8'"),
            1);
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT count(*) FROM pragma_index_list('txs')"
                               " WHERE \"unique\"=1"),
            1); /* (block, idx) only */
  plan_of(l->db,
          "SELECT t.block FROM txs t JOIN blocks b ON b.number=t.block "
          "WHERE " LDG_TX_BY_HASH,
          plan, sizeof plan);
  ASSERT(strstr(plan, "txs_hash8") != NULL);
  ASSERT(strstr(plan, "SCAN") == NULL);
  lookups_by_hash(l, h, N, block);
  /* a schema-3 file made before session 15: a unique index on the whole
   * hash, no prefix index */
  ASSERT_EQ(sqlite3_exec(l->db,
                         "DROP INDEX txs_hash8; CREATE UNIQUE INDEX "
                         "txs_hash_before ON txs(hash);",
                         NULL, NULL, NULL),
            SQLITE_OK);
  /* (the ledger's cached statements are prepared again by SQLite after a
   * schema change) */
  plan_of(l->db, "SELECT raw FROM txs t WHERE " LDG_TX_BY_HASH, plan,
          sizeof plan);
  ASSERT(strstr(plan, "txs_hash_before") != NULL);
  ASSERT(strstr(plan, "SCAN") == NULL);
  lookups_by_hash(l, h, N, block);
  decc_ledger_close(l);
}
