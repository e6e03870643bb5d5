/*
 * test_ledger_logs.c — the ledger's log store (lib/ledger/logs.c: a
 * transaction's logs in one row, log_keys per block):
 *  - a schema-1 file written by the last schema-1 build
 *    (schema1.sqlite, make_schema_fixture.sh) is upgraded on open, through
 *    schema 2 to the current schema 3, in one transaction: every log query (eth_getLogs by address, topics and
 *    block range; a transaction's receipt) answers what the schema-1 rows
 *    say, verify passes, blocks added after it verify too, and a reopen
 *    does not migrate again;
 *  - on multi-transaction blocks, every filter returns exactly the logs a
 *    plain filter over all logs selects, in chain order;
 *  - every log query is indexed: EXPLAIN QUERY PLAN shows no SCAN.
 * The expected answers are computed here from the logs themselves (the
 * schema-1 rows read with SQLite, or the receipts returned at submission),
 * never from the query under test.
 */
#include <stdio.h>
#include <string.h>

#include "decc/encoding.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

/* eth_getLogs' rule, written out. */
static int log_matches(const decc_log *lg, const decc_log_filter *f) {
  if (lg->block_number < f->from_block || lg->block_number > f->to_block)
    return 0;
  if (f->n_addresses) {
    int hit = 0;
    for (size_t i = 0; i < f->n_addresses; i++)
      hit |= decc_address_eq(&f->addresses[i], &lg->address);
    if (!hit)
      return 0;
  }
  for (size_t t = 0; t < DECC_LOG_MAX_TOPICS; t++) {
    if (!f->n_topic_alts[t])
      continue;
    if (lg->n_topics <= t)
      return 0;
    int hit = 0;
    for (size_t i = 0; i < f->n_topic_alts[t]; i++)
      hit |= !memcmp(f->topic_alts[t][i], lg->topics[t], 32);
    if (!hit)
      return 0;
  }
  return 1;
}

static int same_log(const decc_log *a, const decc_log *b) {
  if (a->block_number != b->block_number || a->log_index != b->log_index ||
      a->tx_index != b->tx_index || memcmp(a->tx_hash, b->tx_hash, 32) ||
      !decc_address_eq(&a->address, &b->address) ||
      a->n_topics != b->n_topics || a->data_len != b->data_len ||
      (a->data_len && memcmp(a->data, b->data, a->data_len)))
    return 0;
  for (size_t t = 0; t < a->n_topics; t++)
    if (memcmp(a->topics[t], b->topics[t], 32))
      return 0;
  return 1;
}

/* Logs the last check_filter call matched, and all calls since reset. */
static size_t g_last, g_total;

/* decc_ledger_logs(f) must return exactly the logs of all[] (chain order)
 * that match f, with their block's hash. Sets g_last, adds to g_total. */
static void check_filter(decc_ledger *l, const decc_log_filter *f,
                         const decc_log *all, size_t n_all) {
  decc_log *got = NULL;
  size_t n = 0, want = 0;
  ASSERT_OK(decc_ledger_logs(l, f, &got, &n, NULL));
  for (size_t i = 0; i < n_all; i++) {
    if (!log_matches(&all[i], f))
      continue;
    ASSERT(want < n);
    if (want >= n)
      break;
    ASSERT(same_log(&all[i], &got[want]));
    decc_ledger_block b;
    ASSERT_OK(decc_ledger_block_get(l, got[want].block_number, &b, NULL));
    ASSERT_MEM_EQ(got[want].block_hash, b.hash, 32);
    want++;
  }
  ASSERT_EQ(n, want);
  decc_logs_free(got, n);
  g_last = want;
  g_total += want;
}

/* Every filter shape the callers use (address, topic0 alternatives,
 * topic0 + topic1, address + topic0, topic2, block ranges) built from the
 * values of all[]. */
static void check_filters(decc_ledger *l, const decc_log *all, size_t n_all) {
  decc_log_filter f;
  decc_log_filter_init(&f);
  check_filter(l, &f, all, n_all);
  uint64_t last = n_all ? all[n_all - 1].block_number : 0;
  f.from_block = 2;
  f.to_block = last > 3 ? last - 1 : last;
  check_filter(l, &f, all, n_all);
  for (size_t i = 0; i < n_all; i += 1 + i % 3) {
    const decc_log *lg = &all[i];
    decc_log_filter_init(&f);
    f.addresses = &lg->address;
    f.n_addresses = 1;
    check_filter(l, &f, all, n_all);
    if (!lg->n_topics)
      continue;
    const uint8_t(*t0)[32] = (const uint8_t(*)[32])lg->topics[0];
    f.topic_alts[0] = t0;
    f.n_topic_alts[0] = 1;
    check_filter(l, &f, all, n_all); /* address + topic0 */
    f.n_addresses = 0;
    check_filter(l, &f, all, n_all); /* topic0 */
    /* two alternatives: this topic0 and the next log's */
    uint8_t alts[2][32];
    memcpy(alts[0], lg->topics[0], 32);
    memcpy(alts[1],
           all[(i + 1) % n_all].n_topics ? all[(i + 1) % n_all].topics[0]
                                         : lg->topics[0],
           32);
    f.topic_alts[0] = (const uint8_t(*)[32])alts;
    f.n_topic_alts[0] = 2;
    f.from_block = lg->block_number;
    check_filter(l, &f, all, n_all);
    f.from_block = 0;
    if (lg->n_topics > 1) {
      f.topic_alts[1] = (const uint8_t(*)[32])lg->topics[1];
      f.n_topic_alts[1] = 1;
      check_filter(l, &f, all, n_all); /* topic0 + topic1 */
      f.n_topic_alts[0] = 0;
      check_filter(l, &f, all, n_all); /* topic1 */
      f.n_topic_alts[1] = 0;
    }
    if (lg->n_topics > 2) {
      decc_log_filter_init(&f);
      f.topic_alts[2] = (const uint8_t(*)[32])lg->topics[2];
      f.n_topic_alts[2] = 1;
      check_filter(l, &f, all, n_all); /* topic2 only */
    }
  }
}

/* The logs of tx `hash` in all[] must be its receipt's, in order. */
static void check_receipt_logs(decc_ledger *l, const uint8_t hash[32],
                               const decc_log *all, size_t n_all) {
  decc_receipt r;
  ASSERT_OK(decc_ledger_receipt(l, hash, &r, NULL));
  size_t k = 0;
  for (size_t i = 0; i < n_all; i++) {
    if (memcmp(all[i].tx_hash, hash, 32))
      continue;
    ASSERT(k < r.n_logs);
    if (k >= r.n_logs)
      break;
    ASSERT(same_log(&all[i], &r.logs[k]));
    ASSERT_MEM_EQ(r.logs[k].block_hash, r.block_hash, 32);
    k++;
  }
  ASSERT_EQ(r.n_logs, k);
  decc_receipt_clear(&r);
}

/* The logs of a schema-1 file, read with SQLite (its own columns). */
static decc_log *v1_logs(sqlite3 *db, size_t *n) {
  return ldg_t_row_logs(db,
                        "SELECT block, log_index, tx_index, tx_hash, address, "
                        "n_topics, topic0, topic1, topic2, topic3, data FROM "
                        "logs ORDER BY block, log_index",
                        n);
}

/* The distinct (block, tx_index) of logs[] (in chain order). */
static int64_t distinct_txs(const decc_log *all, size_t n) {
  int64_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += i == 0 || all[i].block_number != all[i - 1].block_number ||
         all[i].tx_index != all[i - 1].tx_index;
  return k;
}

/* The distinct (address, block), (topic0, block) and (topic1, block) of
 * logs[]: the rows log_keys must hold. */
static int64_t distinct_keys(const decc_log *all, size_t n) {
  int64_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int a = 1, t0 = all[i].n_topics > 0, t1 = all[i].n_topics > 1;
    for (size_t j = 0; j < i; j++) {
      if (all[j].block_number != all[i].block_number)
        continue;
      if (decc_address_eq(&all[j].address, &all[i].address))
        a = 0;
      if (t0 && all[j].n_topics > 0 &&
          !memcmp(all[j].topics[0], all[i].topics[0], 32))
        t0 = 0;
      if (t1 && all[j].n_topics > 1 &&
          !memcmp(all[j].topics[1], all[i].topics[1], 32))
        t1 = 0;
    }
    k += a + t0 + t1;
  }
  return k;
}

static void copy_file(const char *from, const char *to) {
  size_t n = 0;
  char *b = decc_test_read_file(from, &n);
  ASSERT(b);
  FILE *f = fopen(to, "wb");
  ASSERT(f);
  if (!b || !f)
    return;
  ASSERT_EQ(fwrite(b, 1, n, f), n);
  fclose(f);
  free(b);
}

TEST(schema1_file_upgrades_with_the_same_answers) {
  char path[512];
  snprintf(path, sizeof path, "%s/ledger.sqlite", decc_test_tmpdir());
  copy_file(decc_test_vector_path("../unit/ledger/schema1.sqlite"), path);
  /* what the schema-1 file holds, read before decc touches it */
  sqlite3 *db;
  ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
  ASSERT_EQ(ldg_t_q_int(db, "SELECT value FROM meta WHERE key='schema'"), 1);
  size_t n_all;
  decc_log *all = v1_logs(db, &n_all);
  ASSERT(all && n_all >= 30);
  uint8_t hashes[64][32];
  size_t n_tx = 0;
  sqlite3_stmt *st;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT hash FROM txs ORDER BY block, idx",
                               -1, &st, NULL),
            SQLITE_OK);
  while (n_tx < 64 && sqlite3_step(st) == SQLITE_ROW)
    memcpy(hashes[n_tx++], sqlite3_column_blob(st, 0), 32);
  sqlite3_finalize(st);
  sqlite3_close(db);
  ASSERT(n_tx >= 15);

  decc_ledger *l;
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT value FROM meta WHERE key='schema'"), 3);
  ASSERT_EQ(ldg_t_q_int(l->db,
                        "SELECT count(*) FROM sqlite_master WHERE name IN "
                        "('logs_v1','logs_address','logs_topic0',"
                        "'logs_topic1','logs_tx','txs_sender','txs_v2',"
                        "'deals_v2','tasks_v2')"),
            0);
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT sum(n) FROM logs"), (int64_t)n_all);
  /* one row per transaction with logs */
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT count(*) FROM logs"),
            distinct_txs(all, n_all));
  /* log_keys: exactly the distinct (kind, key, block) of the logs */
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT count(*) FROM log_keys"),
            distinct_keys(all, n_all));
  g_total = 0;
  check_filters(l, all, n_all);
  ASSERT(g_total > n_all);
  for (size_t i = 0; i < n_tx; i++)
    check_receipt_logs(l, hashes[i], all, n_all);
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  ASSERT_EQ(rep.txs, n_tx);

  /* a block written after the upgrade: found by the same queries */
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a0 = dev_addr(0), a1 = dev_addr(1);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  ASSERT_OK(decc_abi_enc_push_address(&e, &a1));
  ASSERT_OK(decc_abi_enc_push_u64(&e, 77));
  decc_buf d = finish_call(&e, "transfer(address,uint256)");
  decc_ledger_call calls[2] = {{a0, info.addr.token, d.data, d.len},
                               {a0, info.addr.token, d.data, d.len}};
  decc_receipt r[2];
  ASSERT_OK(decc_ledger_submit_calls(l, calls, 2, r, NULL));
  decc_log *all2 = calloc(n_all + 2, sizeof *all2);
  ASSERT(all2);
  memcpy(all2, all, n_all * sizeof *all);
  all2[n_all] = r[0].logs[0];
  all2[n_all + 1] = r[1].logs[0];
  check_filters(l, all2, n_all + 2);
  check_receipt_logs(l, r[1].tx_hash, all2, n_all + 2);
  ASSERT_OK(decc_ledger_verify(l, &rep, NULL));
  decc_ledger_close(l);
  /* reopened: already schema 3, the same answers */
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  ASSERT_EQ(ldg_t_q_int(l->db, "SELECT value FROM meta WHERE key='schema'"), 3);
  check_filters(l, all2, n_all + 2);
  decc_ledger_close(l);
  free(all2);
  decc_receipt_clear(&r[0]);
  decc_receipt_clear(&r[1]);
  decc_buf_clear(&d);
  decc_logs_free(all, n_all);
}

TEST(multi_tx_blocks_every_filter_exact) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  /* 4 blocks of 12 calls: RLC transfers (Transfer: topic1 from, topic2 to)
   * and deposits through approveAndCall (several logs, two contracts) */
  enum { BLOCKS = 4, PER = 12 };
  decc_log all[BLOCKS * PER * 4];
  size_t n_all = 0;
  decc_receipt keep[BLOCKS * PER];
  size_t n_keep = 0;
  for (unsigned b = 0; b < BLOCKS; b++) {
    decc_ledger_call calls[PER];
    decc_buf d[PER];
    for (unsigned i = 0; i < PER; i++) {
      decc_address from = dev_addr((b + i) % 5), to = dev_addr(5 + i % 4);
      decc_abi_enc e;
      decc_abi_enc_init(&e, 0);
      if (i % 3 == 2) {
        ASSERT_OK(decc_abi_enc_push_address(&e, &info.addr.hub));
        ASSERT_OK(decc_abi_enc_push_u64(&e, 100 + i));
        ASSERT_OK(decc_abi_enc_push_bytes(&e, NULL, 0));
        d[i] = finish_call(&e, "approveAndCall(address,uint256,bytes)");
      } else {
        ASSERT_OK(decc_abi_enc_push_address(&e, &to));
        ASSERT_OK(decc_abi_enc_push_u64(&e, 1 + i + b));
        d[i] = finish_call(&e, "transfer(address,uint256)");
      }
      calls[i] = (decc_ledger_call){from, info.addr.token, d[i].data, d[i].len};
    }
    decc_receipt r[PER];
    ASSERT_OK(decc_ledger_submit_calls(l, calls, PER, r, NULL));
    for (unsigned i = 0; i < PER; i++) {
      ASSERT_EQ(r[i].status, 1);
      for (size_t k = 0; k < r[i].n_logs && n_all < sizeof all / sizeof *all;
           k++)
        all[n_all++] = r[i].logs[k];
      keep[n_keep++] = r[i];
      decc_buf_clear(&d[i]);
    }
  }
  ASSERT(n_all > BLOCKS * PER);
  check_filters(l, all, n_all);
  for (size_t i = 0; i < n_keep; i++)
    check_receipt_logs(l, keep[i].tx_hash, all, n_all);
  /* the same with the hub's address and two addresses at once */
  decc_log_filter f;
  decc_log_filter_init(&f);
  decc_address two[2] = {info.addr.hub, info.addr.token};
  f.addresses = two;
  f.n_addresses = 2;
  check_filter(l, &f, all, n_all);
  ASSERT_EQ(g_last, n_all);
  f.n_addresses = 1;
  check_filter(l, &f, all, n_all);
  ASSERT(g_last > 0 && g_last < n_all);
  /* more filter shapes than a handle keeps prepared (LDG_LOGQ_SLOTS),
   * three rounds: a statement reused, evicted or prepared again must
   * answer exactly as the first time */
  uint8_t t0s[3][32];
  size_t pick[3] = {0, n_all / 2, n_all - 1};
  for (int k = 0; k < 3; k++) {
    ASSERT(all[pick[k]].n_topics > 0);
    memcpy(t0s[k], all[pick[k]].topics[0], 32);
  }
  decc_address addrs[4] = {info.addr.hub, info.addr.token, dev_addr(1),
                           info.addr.token};
  int shapes = 0;
  for (int round = 0; round < 3; round++)
    for (size_t na = 0; na <= 4; na++)
      for (size_t nt = 0; nt <= 3; nt++) {
        decc_log_filter_init(&f);
        f.addresses = na ? addrs : NULL;
        f.n_addresses = na;
        f.topic_alts[0] = nt ? (const uint8_t(*)[32])t0s : NULL;
        f.n_topic_alts[0] = nt;
        check_filter(l, &f, all, n_all);
        shapes += round == 0;
      }
  ASSERT(shapes > LDG_LOGQ_SLOTS);
  for (size_t i = 0; i < n_keep; i++)
    decc_receipt_clear(&keep[i]);
  decc_ledger_close(l);
}

/* No plan step of q may scan a table (SCAN …): every step is a SEARCH. */
static void no_scan(decc_ledger *l, const char *q) {
  char *sql = decc_malloc(strlen(q) + 32);
  ASSERT(sql);
  if (!sql)
    return;
  snprintf(sql, strlen(q) + 32, "EXPLAIN QUERY PLAN %s", q);
  sqlite3_stmt *st = NULL;
  ASSERT_EQ(sqlite3_prepare_v2(l->db, sql, -1, &st, NULL), SQLITE_OK);
  int steps = 0;
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    const char *d = (const char *)sqlite3_column_text(st, 3);
    steps++;
    if (d && !strncmp(d, "SCAN", 4))
      decc_test_fail(__FILE__, __LINE__, "%s: %s", d, q);
  }
  ASSERT(steps > 0);
  sqlite3_finalize(st);
  decc_free(sql);
}

TEST(every_log_query_is_indexed) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_address a[2];
  memset(a, 1, sizeof a);
  uint8_t t[3][32];
  memset(t, 2, sizeof t);
  /* the shapes of eth_getLogs, /deals, the explorer, the subgraphs, the
   * workerpool API, the scheduler and rcpt_chain (see their filters) */
  for (int shape = 0; shape < 9; shape++) {
    decc_log_filter f;
    decc_log_filter_init(&f);
    f.addresses = a;
    f.n_addresses = (size_t)(shape % 3);
    for (int k = 0; k < 3; k++)
      f.topic_alts[k] = (const uint8_t(*)[32])t;
    f.n_topic_alts[0] = shape >= 3 ? (size_t)(shape % 2 + 1) : 0;
    f.n_topic_alts[1] = shape >= 6 ? 1 : 0;
    f.n_topic_alts[2] = shape == 8 || shape == 2 ? 1 : 0;
    decc_buf sql;
    decc_buf_init(&sql, 8192);
    ASSERT_OK(ldg_logs_sql(&f, &sql));
    no_scan(l, (const char *)sql.data);
    decc_buf_clear(&sql);
  }
  /* a transaction's receipt and logs */
  no_scan(l, "SELECT l.block, l.tx_index, l.first, l.n, l.body, ?3, "
             "b.hash FROM logs l JOIN blocks b ON b.number=l.block "
             "WHERE l.block=?1 AND l.tx_index=?2");
  no_scan(l, "SELECT t.block, b.hash, t.idx FROM txs t JOIN blocks b ON "
             "b.number=t.block WHERE " LDG_TX_BY_HASH);
  decc_ledger_close(l);
}
