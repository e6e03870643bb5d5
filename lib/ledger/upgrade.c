/*
 * upgrade.c — brings a ledger file written by an older decc to the current
 * schema when it is opened: schema 1 → 2 (the log store, logs.c) and
 * schema 2 → 3 (below), in one write transaction.
 *
 * Why schema 3: in schema 2 the transactions were keyed by their hash and
 * the deal and task records by their id, in WITHOUT ROWID tables. Those
 * keys are random, so each row of a block landed on its own B-tree page:
 * a block of 100 task life cycles dirtied about 1,250 pages (5 MiB
 * written to the WAL, then again to the file at the checkpoint) by its
 * twelfth block, and more as the tables grew, each a 4 KiB copy through
 * the kernel. Schema 3 stores transactions, logs, deals and tasks in
 * rowid tables, so a block's rows are appended to the last pages and only
 * the small unique indexes on the hash and the ids take random inserts
 * (about 80 entries to a page instead of one to three rows); a rowid row
 * also stays on its page up to about 4,000 bytes, where a WITHOUT ROWID
 * one spilled past about 1,000 onto an overflow page of its own. A
 * transaction's logs are one row instead of one row each (logs.c). A
 * signed transaction's `input` column, a copy of the calldata already
 * inside `raw`, is empty. The same block of 100 life cycles then writes
 * about 390 pages (docs/internals/ledger.md). Nothing the ledger hashes
 * changed: state hash, receipts, block hashes and answers are the same.
 */
#include "ledger/ledger_int.h"

/* Schema 2 → 3, inside the caller's write transaction. Every row is
 * copied; a signed transaction's input is dropped (its raw form holds
 * it, and verify re-derives everything from the raw form). tasks_deal
 * follows the renamed table, so it is dropped; the new schema has no such
 * index (ledger_int.h). */
static decc_status migrate_v2(decc_ledger *l, decc_err *err) {
  return ldg_exec_raw(
      l,
      "ALTER TABLE txs RENAME TO txs_v2;" LDG_TXS_SCHEMA
      "INSERT INTO txs(hash, block, idx, kind, sender, recipient, nonce,"
      " input, raw, status, reason, output) SELECT hash, block, idx, kind,"
      " sender, recipient, nonce, CASE WHEN kind=1 THEN X'' ELSE input END,"
      " raw, status, reason, output FROM txs_v2 ORDER BY block, idx;"
      "DROP TABLE txs_v2;"
      "ALTER TABLE deals RENAME TO deals_v2;"
      "ALTER TABLE tasks RENAME TO tasks_v2;"
      "DROP INDEX tasks_deal;" LDG_RECORDS_SCHEMA ";"
      "INSERT INTO deals(id, record, app, dataset, workerpool, requester,"
      " block) SELECT id, record, app, dataset, workerpool, requester, block"
      " FROM deals_v2 ORDER BY block, id;"
      "INSERT INTO tasks(id, deal, status, record) SELECT id, deal, status,"
      " record FROM tasks_v2 ORDER BY deal, id;"
      "DROP TABLE deals_v2;"
      "DROP TABLE tasks_v2;",
      err);
}

/* Schema 2 → 3 for the logs: one row per log packed into one row per
 * transaction (logs.c); log_keys stays as it is. */
static decc_status pack_v2_logs(decc_ledger *l, decc_err *err) {
  decc_status s = ldg_exec_raw(
      l, "ALTER TABLE logs RENAME TO logs_v2;" LDG_LOGS_SCHEMA, err);
  if (s == DECC_OK)
    s = ldg_logs_pack(l, "logs_v2", err);
  if (s == DECC_OK)
    s = ldg_exec_raw(l, "DROP TABLE logs_v2;", err);
  return s;
}

decc_status ldg_schema_upgrade(decc_ledger *l, decc_err *err) {
  int64_t v;
  int found;
  /* cheap check first: an up-to-date file takes no write lock */
  decc_status s = ldg_meta_get_i64(l, "schema", &v, &found, err);
  if (s != DECC_OK || !found || v < 1 || v >= LDG_SCHEMA_VERSION)
    return s;
  int64_t from = v;
  if ((s = ldg_exec_raw(l, "BEGIN IMMEDIATE", err)) != DECC_OK)
    return s;
  /* again under the lock: another process may have upgraded it */
  if ((s = ldg_meta_get_i64(l, "schema", &v, &found, err)) == DECC_OK &&
      found && v >= 1 && v < LDG_SCHEMA_VERSION) {
    from = v;
    if (v == 1)
      s = ldg_logs_migrate_v1(l, err);
    else
      s = pack_v2_logs(l, err);
    if (s == DECC_OK)
      s = migrate_v2(l, err);
    if (s == DECC_OK)
      s = ldg_meta_set_i64(l, "schema", LDG_SCHEMA_VERSION, err);
  }
  if (s == DECC_OK)
    s = ldg_exec_raw(l, "COMMIT", err);
  if (s != DECC_OK) {
    sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
    decc_err_prefix(err, "ledger: upgrading the file from schema %lld to %d",
                    (long long)from, LDG_SCHEMA_VERSION);
  }
  return s;
}
