/*
 * ledger_int.h — internals of the embedded ledger shared by the files of lib/ledger:
 * the handle, the prepared-statement cache and its bind/read helpers, the
 * execution context of one call, the contract dispatch table and the state
 * accessors. Nothing here is API.
 */
#ifndef DECC_LEDGER_INT_H
#define DECC_LEDGER_INT_H

#include <sqlite3.h>
#include <stdarg.h>
#include <sys/types.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/buf.h"
#include "decc/evm.h"
#include "decc/hash.h"
#include "decc/ledger.h"
#include "decc/poco.h"
#include "decc/tx.h"
#include "decc/u256.h"

/* Schema version stored in meta('schema'): 2 since the log store of
 * logs.c, 3 since the append-ordered transaction and record tables
 * (upgrade.c); an older file is upgraded when opened (ldg_schema_upgrade). */
#define LDG_SCHEMA_VERSION 3
/* Statement cache slots (a power of two, well above the number of
 * distinct SQL texts in lib/ledger). */
#define LDG_STMT_SLOTS 512
/* Deepest nesting of contract-to-contract calls. */
#define LDG_MAX_DEPTH 8
/* WAL size, in pages, at which a commit asks for a checkpoint (ckpt.c):
 * 16,000 pages (64 MiB at 4 KiB). A checkpoint copies each page once
 * however many blocks rewrote it, and the hash and id indexes take writes
 * on pages all over their B-trees, so fewer, larger checkpoints copy
 * fewer pages per block (docs/internals/ledger.md). */
#define LDG_CKPT_PAGES 16000
/* How much lower than the process the checkpoint thread runs (a nice
 * increment, ckpt.c). */
#define LDG_CKPT_NICE 10
/* Busy timeout for writers waiting on another process, ms. */
#define LDG_BUSY_TIMEOUT_MS 30000
/* Longest revert reason kept. */
#define LDG_REASON_LEN 160

/* Registry kinds (also the entries.kind column). */
enum { LDG_APP = 0, LDG_DATASET = 1, LDG_WORKERPOOL = 2 };

/* Transaction kinds (txs.kind column). */
enum { LDG_TX_CALL = 0, LDG_TX_RAW = 1 };

/* Contracts the dispatcher knows. */
typedef enum ldg_target {
  LDG_T_NONE = 0,
  LDG_T_TOKEN,
  LDG_T_HUB,
  LDG_T_APP_REGISTRY,
  LDG_T_DATASET_REGISTRY,
  LDG_T_WORKERPOOL_REGISTRY,
  LDG_T_DATAPROTECTOR,
  LDG_T_APP,
  LDG_T_DATASET,
  LDG_T_WORKERPOOL,
  LDG_T_COUNT
} ldg_target;

typedef struct ldg_stmt_slot {
  const char *sql; /* key: the literal's address */
  sqlite3_stmt *st;
} ldg_stmt_slot;

/* A log query prepared from generated SQL (decc_ledger_logs), kept by its
 * text: the SQL depends only on the filter's shape (how many addresses and
 * topic alternatives), and preparing it was most of a small query's cost. */
#define LDG_LOGQ_SLOTS 8
typedef struct ldg_logq {
  char *sql; /* owned copy; NULL: free slot */
  sqlite3_stmt *st;
  uint64_t used; /* the tick of its last use (the least recent goes) */
} ldg_logq;

typedef struct ldg_ckpt ldg_ckpt;

struct decc_ledger {
  sqlite3 *db;
  int memory;
  ldg_ckpt *ckpt; /* a file ledger's checkpoint thread (ckpt.c); else NULL */
  ldg_stmt_slot stmts[LDG_STMT_SLOTS];
  ldg_logq logq[LDG_LOGQ_SLOTS];
  uint64_t logq_tick;
  /* immutable configuration (read at open) */
  uint64_t chain_id;
  decc_chain_addresses addr;
  decc_address owner;
  uint8_t domain_sep[32];
  /* block under construction (inside BEGIN IMMEDIATE) */
  int in_block;
  uint64_t blk_number;
  uint64_t blk_timestamp;
  uint8_t blk_parent[32];
  uint32_t blk_txs;
  uint32_t blk_logs;
  decc_keccak256_ctx blk_txroot;
  decc_keccak256_ctx blk_rcroot;
  /* set by decc_ledger_submit_raw while its batch executes: the receipts'
   * digests are computed together at its end (ldg_receipt_digests), not
   * one by one in ldg_tx_execute */
  int rc_defer;
  /* ldg_receipt_digests' scratch buffer, kept between blocks */
  uint8_t *rcd;
  size_t rcd_cap;
  /* the transaction being executed (ldg_tx_execute): tx_active while its
   * call runs; sp_open once its SQLite savepoint is open (opened by
   * ldg_exec at the call's first direct SQL write, see sql.c) */
  int tx_active;
  int sp_open;
  /* per-block write-back overlay of the hot state rows (overlay.c) */
  struct ldg_overlay *ov;
  /* the signatures of the transaction being executed, recovered ahead
   * with the block's (decode.c); consulted by the PoCo world */
  const decc_poco_sigcheck *pre;
  size_t n_pre;
  /* the open block's distinct log keys, written at commit, and the
   * buffer a transaction's log row is encoded in (logs.c) */
  struct ldg_logkeys *lk;
  decc_buf logbody;
  /* decoded deal and task records beside their bytes (reccache.c) */
  struct ldg_reccache *rc;
  /* order signers recovered before, shared by the decoding threads
   * (sigcache.c); NULL until the first batch, or when out of memory */
  struct ldg_sigcache *sc;
  /* the decoding threads (decode.c), started by the first large batch;
   * pool_off: none can run (one core, no thread could start) */
  struct ldg_pool *pool;
  int pool_off;
  uint64_t prep_taken; /* submits that took a batch prepared ahead (tests) */
  /* entry and category rows read during the open block (blkcache.c);
   * bc_off (tests) turns it off */
  struct ldg_blkcache *bc;
  int bc_off;
  uint64_t call_writes; /* direct SQL writes made by calls (sql.c) */
};

/* ---- SQL helpers (sql.c) --------------------------------------------------- */

/* Returns the cached prepared statement for the SQL literal `sql` (keyed by
 * its address: pass string literals only), reset and with bindings
 * cleared; NULL on a prepare error (err set). */
sqlite3_stmt *ldg_stmt(decc_ledger *l, const char *sql, decc_err *err);

/* Binds arguments described by fmt, one char each:
 *   a  const decc_address *          (20-byte blob)
 *   h  const uint8_t *               (32-byte blob)
 *   u  const decc_u256 *             (32-byte big-endian blob)
 *   b  const void *, size_t          (blob; NULL/0 = empty blob)
 *   t  const char *                  (text; NULL = SQL NULL)
 *   i  int64_t
 *   n  (no argument)                 (SQL NULL)
 * Returns DECC_OK or DECC_E_IO. */
decc_status ldg_bindv(decc_ledger *l, sqlite3_stmt *st, const char *fmt,
                      va_list ap, decc_err *err);
/* Runs a statement that returns no rows. Returns DECC_OK, DECC_E_IO. */
decc_status ldg_exec(decc_ledger *l, const char *sql, decc_err *err,
                     const char *fmt, ...);
/* Runs a query and steps to its first row. Out: *st (reset it with
 * sqlite3_reset when done) and *found. Returns DECC_OK or DECC_E_IO. */
decc_status ldg_query(decc_ledger *l, sqlite3_stmt **st, int *found,
                      const char *sql, decc_err *err, const char *fmt, ...);
/* Runs raw SQL text (schema, BEGIN/COMMIT). */
decc_status ldg_exec_raw(decc_ledger *l, const char *sql, decc_err *err);
/* Maps the last SQLite error to a status + message. */
decc_status ldg_sql_error(decc_ledger *l, decc_err *err, const char *what);

/* Column readers (missing / short values read as zero). */
void ldg_col_addr(sqlite3_stmt *st, int i, decc_address *out);
void ldg_col_u256(sqlite3_stmt *st, int i, decc_u256 *out);
void ldg_col_h32(sqlite3_stmt *st, int i, uint8_t out[32]);
/* Heap copy of a blob / text column (decc_free); *n its length. NULL and 0
 * for an empty value. Returns DECC_OK or DECC_E_NOMEM. */
decc_status ldg_col_blob(sqlite3_stmt *st, int i, uint8_t **out, size_t *n);
decc_status ldg_col_text(sqlite3_stmt *st, int i, char **out);

/* meta table. */
decc_status ldg_meta_get_i64(decc_ledger *l, const char *key, int64_t *out,
                             int *found, decc_err *err);
decc_status ldg_meta_set_i64(decc_ledger *l, const char *key, int64_t v,
                             decc_err *err);
decc_status ldg_meta_get_blob(decc_ledger *l, const char *key, uint8_t **out,
                              size_t *n, decc_err *err);
decc_status ldg_meta_set_blob(decc_ledger *l, const char *key, const void *v,
                              size_t n, decc_err *err);

/* ---- the database file (db.c) ------------------------------------------- */

/* Opens / creates the SQLite file and the schema; reads the config when
 * the ledger is initialised (init_done = 1). */
decc_status ldg_open_db(decc_ledger **out, const char *path, int create,
                        decc_err *err);
/* Loads chain id / addresses / owner from meta into l. */
decc_status ldg_load_config(decc_ledger *l, decc_err *err);
/* Writes the genesis state and block 0 into an empty ledger (genesis.c). */
decc_status ldg_apply_genesis(decc_ledger *l, const decc_genesis *g,
                              decc_err *err);

/* ---- the log store (logs.c) ---------------------------------------------- */

/* The logs table and its block index (see logs.c for why): one row per
 * transaction with logs, keyed (block, tx_index): `first` is the block
 * log index of its first log, `n` the number of logs, `body` the logs
 * one after the other, each address (20 bytes), topic count (1 byte,
 * 0-4), the topics (32 bytes each), the data length (4 bytes, big-endian)
 * and the data (schema 3; one row per log in schema 2). log_keys holds one
 * row per distinct (kind, key, block), kind being LDG_LK_*: a log's
 * address, its topic0, its topic1. */
#define LDG_LOGS_SCHEMA                                                        \
  "CREATE TABLE IF NOT EXISTS logs(block INTEGER NOT NULL,"                    \
  " tx_index INTEGER NOT NULL, first INTEGER NOT NULL, n INTEGER NOT NULL,"    \
  " body BLOB NOT NULL, UNIQUE(block, tx_index));"                             \
  "CREATE TABLE IF NOT EXISTS log_keys(kind INTEGER NOT NULL,"                 \
  " key BLOB NOT NULL, block INTEGER NOT NULL,"                                \
  " PRIMARY KEY(kind, key, block)) WITHOUT ROWID;"
enum { LDG_LK_ADDRESS = 0, LDG_LK_TOPIC0 = 1, LDG_LK_TOPIC1 = 2 };

/* Inserts the n logs of an executed transaction (block, tx and log
 * indexes set) and adds their keys to the open block's set. Returns
 * DECC_OK, DECC_E_IO or DECC_E_NOMEM (the block must then be aborted). */
decc_status ldg_logs_store(decc_ledger *l, const decc_log *logs, size_t n,
                           decc_err *err);
/* Writes the open block's log keys (in key order) and empties the set;
 * called just before the block row and COMMIT. Returns DECC_OK or
 * DECC_E_IO. */
decc_status ldg_logs_flush(decc_ledger *l, decc_err *err);
/* Empties the open block's key set (block begin / abort). */
void ldg_logs_clear(decc_ledger *l);
/* Frees the key set (ledger close). */
void ldg_logs_free(decc_ledger *l);
/* Appends to sql the SELECT of decc_ledger_logs for filter f: the rows
 * (block, tx_index, first, n, body, tx hash, block hash) of the blocks
 * that may hold a match, in chain order, for ldg_logs_read; parameters
 * ?1 from, ?2 to, then the addresses, then the topic0 and topic1
 * alternatives that go through log_keys. Returns DECC_OK or
 * DECC_E_NOMEM. */
decc_status ldg_logs_sql(const decc_log_filter *f, decc_buf *sql);
/* Steps st (columns as ldg_logs_sql's) and appends to *logs every log
 * that f matches (f NULL: every log), with its block, indexes and hashes;
 * more than limit matches is DECC_E_LIMIT. Returns DECC_OK, DECC_E_LIMIT,
 * DECC_E_NOMEM, DECC_E_CORRUPT (a body that does not decode) or DECC_E_IO.
 * On error *logs may hold what was read (the caller frees it). */
decc_status ldg_logs_read(decc_ledger *l, sqlite3_stmt *st,
                          const decc_log_filter *f, size_t limit,
                          decc_log **logs, size_t *n, decc_err *err);
/* Appends the body of logs[0..n) to b (the format of LDG_LOGS_SCHEMA).
 * Returns DECC_OK, DECC_E_NOMEM or DECC_E_LIMIT (data over 4 GiB). */
decc_status ldg_logs_encode(decc_buf *b, const decc_log *logs, size_t n);
/* Decodes the n logs of a body into out[0..n) (address, topics, data: a
 * copy the caller frees with the logs; the indexes and hashes are left
 * alone). Returns DECC_OK, DECC_E_NOMEM or DECC_E_CORRUPT (lengths that
 * do not add up; nothing is left allocated). */
decc_status ldg_logs_decode(const uint8_t *body, size_t len, size_t n,
                            decc_log *out);
/* Schema 1 or 2 → 3: packs the one-row-per-log table `old` (columns block,
 * tx_index, log_index, address, n_topics, topic0-3, data) into the new
 * logs table, inside the caller's write transaction. Returns DECC_OK,
 * DECC_E_IO or DECC_E_NOMEM. */
decc_status ldg_logs_pack(decc_ledger *l, const char *old, decc_err *err);
/* Schema 1 → 2 (the log rows and log_keys), inside the caller's write
 * transaction; upgrade.c calls it. Returns DECC_OK, DECC_E_IO or
 * DECC_E_CORRUPT (a log naming a transaction that is not at its block and
 * index). */
decc_status ldg_logs_migrate_v1(decc_ledger *l, decc_err *err);

/* ---- schema (db.c, upgrade.c) ---------------------------------------------- */

/* Schema 3's transaction table and the deal and task records (why: see
 * upgrade.c). All are rowid tables, so a block's rows are appended to the
 * last pages, and a row of up to about 4,000 bytes stays on its page (a
 * WITHOUT ROWID row keeps about 1,000 and spills the rest onto an
 * overflow page of its own). The unique index on (block, idx) takes
 * appends too; only the small indexes on the hash and the ids take random
 * inserts.
 *
 * The hash is found through an index on its first 8 bytes (since session
 * 15; files made before have a unique index on the whole hash instead,
 * and keep it). A hash is random, so each insert lands on a random page
 * of its index, and a block's inserts rewrite nearly every page of an
 * index still small enough for them to cover it: 13-byte entries (the
 * prefix and the rowid) make that about 2.6 times fewer pages than 40-byte
 * ones, and ~5 % less CPU per life cycle at `bench_ledger` scale 1.
 * Nothing needs the uniqueness SQLite enforced: a transaction's hash
 * covers its sender's nonce, which the ledger accepts once. LDG_TX_BY_HASH
 * is the condition every lookup uses: the prefix picks the index on new
 * files, the full compare the row (and the unique index on older ones).
 * A signed transaction (kind 1) stores an empty `input`: its calldata is
 * inside `raw`. `SELECT *` does not return the rowid, so the state hash
 * reads the same columns as before. */
#define LDG_TXS_SCHEMA                                                         \
  "CREATE TABLE IF NOT EXISTS txs(hash BLOB NOT NULL,"                         \
  " block INTEGER NOT NULL, idx INTEGER NOT NULL, kind INTEGER NOT NULL,"      \
  " sender BLOB NOT NULL, recipient BLOB NOT NULL, nonce INTEGER NOT NULL,"    \
  " input BLOB NOT NULL, raw BLOB, status INTEGER NOT NULL, reason TEXT,"      \
  " output BLOB NOT NULL, UNIQUE(block, idx));"                                \
  "CREATE INDEX IF NOT EXISTS txs_hash8 ON txs(substr(hash, 1, 8));"
/* The lookup of a transaction by its hash, bound as ?1 (table alias t). */
#define LDG_TX_BY_HASH "substr(t.hash, 1, 8)=substr(?1, 1, 8) AND t.hash=?1"
/* (tasks had an index on deal until session 14: nothing queries tasks by
 * deal, and its inserts landed on random pages, ~100 more WAL pages per
 * block of 100 life cycles; files made before keep it, unused) */
/* Deals and tasks, like transactions, are found by id through an index on
 * the id's first 8 bytes on files made since session 15 (older files
 * have a unique index on the whole id and keep it): LDG_ID_MATCH is the
 * condition of every lookup, and ldg_record_write writes a row (INSERT
 * for a new one, UPDATE for one already there: without a unique index
 * there is no INSERT OR REPLACE). */
#define LDG_RECORDS_SCHEMA                                                     \
  "CREATE TABLE IF NOT EXISTS deals(id BLOB NOT NULL,"                         \
  " record BLOB NOT NULL, app BLOB, dataset BLOB, workerpool BLOB,"            \
  " requester BLOB, block INTEGER);"                                           \
  "CREATE INDEX IF NOT EXISTS deals_id8 ON deals(substr(id, 1, 8));"           \
  "CREATE TABLE IF NOT EXISTS tasks(id BLOB NOT NULL,"                         \
  " deal BLOB NOT NULL, status INTEGER NOT NULL, record BLOB NOT NULL);"       \
  "CREATE INDEX IF NOT EXISTS tasks_id8 ON tasks(substr(id, 1, 8))"
/* The lookup of a deal or task row by its id, bound as ?1. */
#define LDG_ID_MATCH "substr(id, 1, 8)=substr(?1, 1, 8) AND id=?1"

/* ---- checkpoints (ckpt.c) --------------------------------------------------- */

/* Replaces SQLite's automatic checkpoint on l's connection (which must
 * have wal_autocheckpoint=0) by a WAL hook that hands checkpoints to a
 * thread with its own connection to path, started at the first one
 * needed. Returns DECC_OK or DECC_E_NOMEM. */
decc_status ldg_ckpt_start(decc_ledger *l, const char *path, decc_err *err);
/* Stops and joins the thread, closes its connection, removes the hook
 * (no-op without one). Called by decc_ledger_close before the ledger's
 * connection is closed. */
void ldg_ckpt_stop(decc_ledger *l);
/* Tests: the thread id of l's checkpoint thread once it runs, else 0. */
pid_t ldg_ckpt_tid(decc_ledger *l);
/* Tests: the WAL size that asks for a checkpoint (pages, >= 1). */
void ldg_ckpt_set_threshold(decc_ledger *l, unsigned pages);
/* Tests: the checkpoints the thread completed and those the hook ran on
 * the committing thread; with wait_idle, first waits until no checkpoint
 * is asked for or running. Zeros without a checkpoint thread. */
void ldg_ckpt_stats(decc_ledger *l, int wait_idle, uint64_t *runs,
                    uint64_t *inline_runs);

/* Brings an older file (schema 1 or 2) to LDG_SCHEMA_VERSION in one write
 * transaction, checked again under the lock (another process may have
 * done it); a no-op for a current file, and for any other version, which
 * ldg_load_config judges. An interrupted or failed upgrade leaves the file
 * as it was. Returns DECC_OK, DECC_E_IO, DECC_E_TIMEOUT or DECC_E_CORRUPT
 * (err prefixed with what was being upgraded). */
decc_status ldg_schema_upgrade(decc_ledger *l, decc_err *err);

/* ---- execution (exec.c) --------------------------------------------------- */

/* One log being recorded (the address/topics/data of decc_log). */
typedef struct ldg_logvec {
  decc_log *v;
  size_t n, cap;
} ldg_logvec;

/* The execution context of one top-level call and its nested calls. */
typedef struct ldg_ctx {
  decc_ledger *l;
  decc_address sender; /* msg.sender of the current frame */
  decc_address self;   /* address(this) of the current frame */
  decc_address origin; /* tx.origin */
  uint64_t timestamp;  /* block.timestamp */
  uint64_t number;     /* block.number */
  int depth;
  ldg_logvec logs;
  /* revert of the innermost failing frame */
  char reason[LDG_REASON_LEN];
  int has_reason;       /* Error(string) vs empty revert */
  decc_buf revert_data; /* raw revert data when not Error(string) */
  decc_err *err;        /* internal failures */
} ldg_ctx;

/* Records a revert with an Error(string) reason. Returns DECC_E_REVERT. */
decc_status ldg_revert(ldg_ctx *c, const char *reason);
/* Records an empty revert (require without message). */
decc_status ldg_revert_empty(ldg_ctx *c);
/* Records a Panic(uint256) revert (0x4e487b71 ‖ code). */
decc_status ldg_revert_panic(ldg_ctx *c, unsigned code);
/* Records raw revert data (custom errors). */
decc_status ldg_revert_raw(ldg_ctx *c, const uint8_t *data, size_t len);
/* Appends a log emitted by c->self. topics: n × 32 bytes. Takes a copy of
 * data. Returns DECC_OK or DECC_E_NOMEM. */
decc_status ldg_emit(ldg_ctx *c, const decc_address *emitter, size_t n_topics,
                     const uint8_t (*topics)[32], const void *data, size_t len);
/* As ldg_emit, but takes *data (decc_malloc'd, len bytes) instead of a
 * copy: *data is NULL afterwards, and the log frees it. On error *data is
 * left to the caller. Returns DECC_OK, DECC_E_NOMEM or DECC_E_INTERNAL
 * (more than DECC_LOG_MAX_TOPICS topics). */
decc_status ldg_emit_take(ldg_ctx *c, const decc_address *emitter,
                          size_t n_topics, const uint8_t (*topics)[32],
                          uint8_t **data, size_t len);
/* Nested call: runs `data` on `to` with msg.sender = c->self. Appends the
 * return data to ret (may be NULL). A revert propagates (DECC_E_REVERT). */
decc_status ldg_call(ldg_ctx *c, const decc_address *to, const uint8_t *data,
                     size_t len, decc_buf *ret);
/* Same with an explicit sender (used by the top level). */
decc_status ldg_dispatch(ldg_ctx *c, const decc_address *from,
                         const decc_address *to, const uint8_t *data,
                         size_t len, decc_buf *ret);

/* Which contract lives at `a` (system contract or registry entry). */
decc_status ldg_target_of(decc_ledger *l, const decc_address *a,
                          ldg_target *out, decc_err *err);

/* A contract method: `sig` is the canonical signature; fn gets the decoded
 * argument tuple and pushes return values into `ret`. */
typedef decc_status (*ldg_fn)(ldg_ctx *c, const decc_abi_value *args,
                              decc_abi_enc *ret);
typedef struct ldg_method {
  ldg_target target;
  const char *sig;
  ldg_fn fn;
} ldg_method;

/* Method tables of each contract family (c_*.c). Terminated by sig NULL. */
extern const ldg_method ldg_token_methods[];
extern const ldg_method ldg_hub_methods[];
extern const ldg_method ldg_registry_methods[];
extern const ldg_method ldg_entry_methods[];
extern const ldg_method ldg_dataprotector_methods[];
/* Optional PoCo rule methods (c_poco.c); may be an empty table. */
extern const ldg_method ldg_poco_methods[];

/* ---- per-block state overlay (overlay.c) ------------------------------------ */

/* While a block is open (l->in_block), the rows execution reads and writes
 * most (one key each) live in an in-memory overlay: reads hit it first and
 * fill it from SQLite, writes go only to it, and ldg_ov_flush writes the
 * dirty rows into the block's SQLite transaction just before COMMIT. A
 * transaction's writes are undone in memory when its call reverts
 * (ldg_ov_tx_end), so a call that only touches overlaid rows needs no
 * SQLite savepoint. Outside a block every accessor goes to SQLite.
 *
 * Kinds, their keys and values (the value of a missing row reads as the
 * zero value; deals and tasks record whether the row exists):
 *   NONCE      address (20)   nonce, 8 bytes big-endian     -> accounts
 *   RLC        address (20)   amount (32)                   -> rlc_balances
 *   ESCROW     address (20)   balance (32) || frozen (32)   -> escrow
 *   CONSUMED   order hash(32) consumed (32)                 -> orders.consumed
 *   PRESIGNED  order hash(32) signer (20)                   -> orders.presigned
 *   SCORE      worker (20)    score (32)                    -> scores
 *   DEAL       deal id (32)   app||dataset||workerpool||requester (4 x 20)
 *                             || block (8, big-endian) || viewDeal record
 *   TASK       task id (32)   deal id (32) || status (8, big-endian) || record
 */
enum {
  LDG_OV_NONCE = 0,
  LDG_OV_RLC,
  LDG_OV_ESCROW,
  LDG_OV_CONSUMED,
  LDG_OV_PRESIGNED,
  LDG_OV_SCORE,
  LDG_OV_DEAL,
  LDG_OV_TASK,
  LDG_OV_KINDS
};
/* Offsets into DEAL / TASK values. */
#define LDG_OV_DEAL_RECORD 88
#define LDG_OV_TASK_RECORD 40

/* Looks key up. Returns 1 when the overlay holds it (*val / *vlen its
 * value, NULL / 0 for a row known to be missing; valid until the next
 * overlay write of that key), 0 when SQLite must be read. */
int ldg_ov_get(decc_ledger *l, int kind, const uint8_t *key, size_t klen,
               const uint8_t **val, size_t *vlen);
/* Caches a row just read from SQLite (val NULL = missing). A failure to
 * cache (out of memory) is harmless: the next read goes to SQLite. */
void ldg_ov_fill(decc_ledger *l, int kind, const uint8_t *key, size_t klen,
                 const void *val, size_t vlen);
/* Writes a row (copies val). Inside a transaction (l->tx_active) the old
 * value is kept for ldg_ov_tx_end. Returns DECC_OK or DECC_E_NOMEM. */
decc_status ldg_ov_put(decc_ledger *l, int kind, const uint8_t *key,
                       size_t klen, const void *val, size_t vlen,
                       decc_err *err);
/* Starts a transaction's undo log. */
void ldg_ov_tx_begin(decc_ledger *l);
/* Ends it: revert = 1 restores every row the transaction wrote. */
void ldg_ov_tx_end(decc_ledger *l, int revert);
/* Writes every dirty row into SQLite (in first-write order). Returns
 * DECC_OK, DECC_E_IO. */
decc_status ldg_ov_flush(decc_ledger *l, decc_err *err);
/* Records that the row of an entry already put had no SQLite row before
 * the block, when no read told (a deal matchOrders creates: its id hashes
 * the request order's consumed count, which only grows, so it never
 * existed), so that the flush INSERTs it instead of trying an UPDATE
 * first. An entry a read found present, or no entry, is left alone. */
void ldg_ov_note_new(decc_ledger *l, int kind, const uint8_t *key, size_t klen);
/* Empties the overlay after a commit or an abort: every entry and value
 * is dropped; its arrays and a few value chunks are kept for the next
 * block. */
void ldg_ov_clear(decc_ledger *l);
/* Empties the overlay and frees all its memory (at close). */
void ldg_ov_free(decc_ledger *l);

/* ---- WAL writes gathered per transaction (walbuf.c) ------------------------- */

/* The name of the VFS a file ledger is opened with (registered at the
 * first call; process-wide), or NULL when it could not be registered (then
 * the default VFS is used: the same files, one write per frame part). */
const char *ldg_walbuf_vfs(void);
/* Since the process started (tests): writes SQLite asked of WAL files
 * through that VFS, write calls made of them, and buffers written because
 * SQLite read back a frame still in them (a page spilled from the cache
 * during a transaction). */
void ldg_walbuf_stats(uint64_t *writes, uint64_t *flushes,
                      uint64_t *read_flushes);
/* The same for main database files: writes SQLite asked (checkpoints
 * copying pages in) and write calls made of them. */
void ldg_walbuf_db_stats(uint64_t *writes, uint64_t *flushes);

/* ---- recovered order signers (sigcache.c) ------------------------------------ */

typedef struct ldg_sigcache ldg_sigcache;
/* A new, empty cache; NULL when out of memory (then nothing is cached). */
ldg_sigcache *ldg_sigcache_new(void);
/* Frees c (NULL: no-op). */
void ldg_sigcache_free(ldg_sigcache *c);
/* decc_poco_sigcheck_recover(k), answered from c when k's exact digest
 * and signature were recovered before; otherwise recovers and remembers
 * it (best effort). c NULL: recovers. Thread-safe (c's own mutex). */
void ldg_sigcache_recover(ldg_sigcache *c, decc_poco_sigcheck *k);
/* Lookups answered from c and lookups that recovered, since c was made
 * (0 and 0 for NULL). */
void ldg_sigcache_stats(ldg_sigcache *c, uint64_t *hits, uint64_t *misses);

/* ---- decoded record cache (reccache.c) --------------------------------------- */

/* When (id, the record bytes rec/len just read) is cached: deep-copies the
 * decoded record into *out (uninitialised; the caller clears it) and
 * returns 1. Returns 0 on a miss or when out of memory (*out zeroed). */
int ldg_rc_deal_get(decc_ledger *l, const uint8_t id[32], const uint8_t *rec,
                    size_t len, decc_poco_deal *out);
int ldg_rc_task_get(decc_ledger *l, const uint8_t id[32], const uint8_t *rec,
                    size_t len, decc_poco_task *out);
/* Caches a deep copy of a record with the bytes it is stored as (rec is
 * its ABI encoding); best effort (silently skipped when out of memory). */
void ldg_rc_deal_put(decc_ledger *l, const uint8_t id[32], const uint8_t *rec,
                     size_t len, const decc_poco_deal *d);
void ldg_rc_task_put(decc_ledger *l, const uint8_t id[32], const uint8_t *rec,
                     size_t len, const decc_poco_task *t);
/* Frees the cache (decc_ledger_close). */
void ldg_rc_free(decc_ledger *l);

/* Appends a task's stored record (c_poco.c: the ABI encoding of every
 * decc_poco_task field, the tasks table's record column) to out.
 * Returns: DECC_OK; DECC_E_LIMIT (an array or value too large to encode);
 * DECC_E_NOMEM or out's limit error. */
decc_status ldg_task_encode(decc_buf *out, const decc_poco_task *t);
/* Appends a deal's stored record (its viewDeal ABI encoding, byte for byte
 * decc_poco_deal_abi's) to out. Returns: as ldg_task_encode. */
decc_status ldg_deal_encode(decc_buf *out, const decc_poco_deal *d);

/* ---- state accessors (state.c) --------------------------------------------- */

decc_status ldg_nonce_get(decc_ledger *l, const decc_address *a, uint64_t *out,
                          decc_err *err);
decc_status ldg_nonce_set(decc_ledger *l, const decc_address *a, uint64_t v,
                          decc_err *err);

/* RLC token. */
decc_status ldg_rlc_balance(decc_ledger *l, const decc_address *a,
                            decc_u256 *out, decc_err *err);
decc_status ldg_rlc_set_balance(decc_ledger *l, const decc_address *a,
                                const decc_u256 *v, decc_err *err);
decc_status ldg_rlc_allowance(decc_ledger *l, const decc_address *owner,
                              const decc_address *spender, decc_u256 *out,
                              decc_err *err);
decc_status ldg_rlc_set_allowance(decc_ledger *l, const decc_address *owner,
                                  const decc_address *spender,
                                  const decc_u256 *v, decc_err *err);

/* Hub escrow (m_balances, m_frozens), hub ERC-20 allowances, supply. */
decc_status ldg_escrow_get(decc_ledger *l, const decc_address *a,
                           decc_u256 *balance, decc_u256 *frozen,
                           decc_err *err);
decc_status ldg_escrow_set(decc_ledger *l, const decc_address *a,
                           const decc_u256 *balance, const decc_u256 *frozen,
                           decc_err *err);
decc_status ldg_hub_allowance(decc_ledger *l, const decc_address *owner,
                              const decc_address *spender, decc_u256 *out,
                              decc_err *err);
decc_status ldg_hub_set_allowance(decc_ledger *l, const decc_address *owner,
                                  const decc_address *spender,
                                  const decc_u256 *v, decc_err *err);
/* Keyed u256 values of the contracts: "rlc.supply", "hub.supply". */
decc_status ldg_kv_get(decc_ledger *l, const char *key, decc_u256 *out,
                       decc_err *err);
decc_status ldg_kv_set(decc_ledger *l, const char *key, const decc_u256 *v,
                       decc_err *err);

/* Registry entries. */
typedef struct ldg_entry {
  int kind;
  decc_address address;
  decc_address owner;
  int64_t global_index; /* mint order within its registry (tokenByIndex) */
  int64_t owner_index;  /* position in the owner's token list */
  char *name;           /* app / dataset name, workerpool description */
  char *app_type;
  uint8_t *multiaddr;
  size_t multiaddr_len;
  uint8_t checksum[32];
  uint8_t *mrenclave;
  size_t mrenclave_len;
  int64_t worker_stake_ratio;
  int64_t scheduler_reward_ratio;
} ldg_entry;
void ldg_entry_clear(ldg_entry *e);
/* Sets *dst to src's fixed fields (kind, address, owner, indexes,
 * checksum, ratios) with no strings or byte strings: nothing to free,
 * src keeps its own. */
static inline void ldg_entry_fixed(ldg_entry *dst, const ldg_entry *src) {
  *dst = *src;
  dst->name = dst->app_type = NULL;
  dst->multiaddr = dst->mrenclave = NULL;
  dst->multiaddr_len = dst->mrenclave_len = 0;
}

/* ---- per-block row cache (blkcache.c) ---------------------------------------- */

/* Used only while a block is open (the write lock held). The getters
 * return 1 on a hit (outputs set), 0 on a miss (read SQLite, then put),
 * and ldg_bc_entry_get -1 when copying the entry ran out of memory
 * (strings = 0: only the fixed fields are set, the strings and byte
 * strings are NULL, nothing is allocated). A put that cannot allocate just
 * caches nothing. */
int ldg_bc_entry_get(decc_ledger *l, const decc_address *a, ldg_entry *out,
                     int *found, int strings);
void ldg_bc_entry_put(decc_ledger *l, const decc_address *a, const ldg_entry *e,
                      int found);
/* kind: LDG_APP / LDG_DATASET / LDG_WORKERPOOL, or -1 for no entry */
int ldg_bc_kind_get(decc_ledger *l, const decc_address *a, int *kind);
void ldg_bc_kind_put(decc_ledger *l, const decc_address *a, int kind);
int ldg_bc_cat_count_get(decc_ledger *l, uint64_t *n);
void ldg_bc_cat_count_put(decc_ledger *l, uint64_t n);
int ldg_bc_cat_get(decc_ledger *l, uint64_t idx, int *found,
                   uint64_t *time_ref);
void ldg_bc_cat_put(decc_ledger *l, uint64_t idx, int found, uint64_t time_ref);
/* Empties it: at block begin and end and after a call's writes are
 * rolled back; it also empties itself when l->call_writes moves. */
void ldg_bc_clear(decc_ledger *l);
/* Frees it (decc_ledger_close). */
void ldg_bc_free(decc_ledger *l);
/* Out: *found; e filled when found (clear it). */
decc_status ldg_entry_get(decc_ledger *l, const decc_address *a, ldg_entry *e,
                          int *found, decc_err *err);
/* As ldg_entry_get, but only the fixed fields (kind, owner, indexes,
 * checksum, ratios) are set: name, app_type, multiaddr and mrenclave are
 * NULL, so a block-cache hit allocates nothing (what PoCo's checks read of
 * an entry). Clearing e is still allowed. */
decc_status ldg_entry_head(decc_ledger *l, const decc_address *a, ldg_entry *e,
                           int *found, decc_err *err);
/* Inserts a new entry (mint): assigns global_index and owner_index. */
decc_status ldg_entry_insert(decc_ledger *l, ldg_entry *e, decc_err *err);
/* ERC-721 transfer of an entry's token with OpenZeppelin's enumerable
 * bookkeeping (swap-and-pop in the old owner's list). */
decc_status ldg_entry_transfer(decc_ledger *l, const decc_address *entry,
                               const decc_address *to, decc_err *err);
decc_status ldg_entry_set_policy(decc_ledger *l, const decc_address *entry,
                                 int64_t worker_stake_ratio,
                                 int64_t scheduler_reward_ratio, decc_err *err);
/* balanceOf / tokenOfOwnerByIndex / totalSupply / tokenByIndex. */
decc_status ldg_nft_balance(decc_ledger *l, int kind, const decc_address *owner,
                            uint64_t *out, decc_err *err);
decc_status ldg_nft_owned_at(decc_ledger *l, int kind,
                             const decc_address *owner, uint64_t idx,
                             decc_address *out, int *found, decc_err *err);
decc_status ldg_nft_total(decc_ledger *l, int kind, uint64_t *out,
                          decc_err *err);
decc_status ldg_nft_by_index(decc_ledger *l, int kind, uint64_t idx,
                             decc_address *out, int *found, decc_err *err);
/* ERC-721 approvals. */
decc_status ldg_nft_approved(decc_ledger *l, const decc_address *token,
                             decc_address *out, decc_err *err);
decc_status ldg_nft_set_approved(decc_ledger *l, const decc_address *token,
                                 const decc_address *to, decc_err *err);
decc_status ldg_nft_operator(decc_ledger *l, int kind,
                             const decc_address *owner, const decc_address *op,
                             int *out, decc_err *err);
decc_status ldg_nft_set_operator(decc_ledger *l, int kind,
                                 const decc_address *owner,
                                 const decc_address *op, int approved,
                                 decc_err *err);

/* Categories. */
decc_status ldg_category_count(decc_ledger *l, uint64_t *out, decc_err *err);
/* Out: heap name/description (decc_free; may be NULL args to skip). */
decc_status ldg_category_get(decc_ledger *l, uint64_t idx, int *found,
                             char **name, char **description,
                             uint64_t *time_ref, decc_err *err);
decc_status ldg_category_add(decc_ledger *l, const char *name,
                             const char *description, uint64_t time_ref,
                             uint64_t *idx, decc_err *err);

/* Orders: m_consumed, m_presigned. */
decc_status ldg_order_get(decc_ledger *l, const uint8_t hash[32],
                          decc_u256 *consumed, decc_address *presigned,
                          decc_err *err);
decc_status ldg_order_set_consumed(decc_ledger *l, const uint8_t hash[32],
                                   const decc_u256 *v, decc_err *err);
decc_status ldg_order_set_presigned(decc_ledger *l, const uint8_t hash[32],
                                    const decc_address *signer, decc_err *err);

/* Deal and task records (m_deals, m_tasks): the stored ABI record of id
 * appended to out; *found = 0 when there is none. Returns DECC_OK,
 * DECC_E_IO, DECC_E_NOMEM. */
decc_status ldg_deal_record(decc_ledger *l, const uint8_t id[32], decc_buf *out,
                            int *found, decc_err *err);
decc_status ldg_task_record(decc_ledger *l, const uint8_t id[32], decc_buf *out,
                            int *found, decc_err *err);
/* Stores a deal: its record and the indexed columns. */
decc_status ldg_deal_put(decc_ledger *l, const uint8_t id[32],
                         const uint8_t *rec, size_t len,
                         const decc_address *app, const decc_address *dataset,
                         const decc_address *workerpool,
                         const decc_address *requester, uint64_t block,
                         decc_err *err);
/* Stores a task: its deal, status and record. */
decc_status ldg_task_put(decc_ledger *l, const uint8_t id[32],
                         const uint8_t deal[32], int64_t status,
                         const uint8_t *rec, size_t len, decc_err *err);
/* Writes the deal (kind LDG_OV_DEAL) or task (LDG_OV_TASK) row of id from
 * v, a value in the overlay's layout (LDG_OV_DEAL_RECORD /
 * LDG_OV_TASK_RECORD bytes of columns, then the record). exists: 1 the
 * row is in the table (UPDATE), 0 it is not (INSERT), -1 not known
 * (UPDATE, then INSERT when it changed no row). Returns DECC_OK or
 * DECC_E_IO. */
decc_status ldg_record_write(decc_ledger *l, int kind, const uint8_t id[32],
                             const uint8_t *v, size_t vlen, int exists,
                             decc_err *err);

/* Worker scores. */
decc_status ldg_score_get(decc_ledger *l, const decc_address *w, decc_u256 *out,
                          decc_err *err);
decc_status ldg_score_set(decc_ledger *l, const decc_address *w,
                          const decc_u256 *v, decc_err *err);

/* Names of the state tables in state-hash order, NULL-terminated, with the
 * ORDER BY clause of each. */
extern const char *const ldg_state_tables[][2];

/* ---- small helpers -------------------------------------------------------- */

/* Event topic0 of a canonical signature (cached per call site is not
 * needed: keccak is cheap next to SQLite). */
void ldg_topic(uint8_t out[32], const char *event_sig);
void ldg_topic_addr(uint8_t out[32], const decc_address *a);
/* Address → uint256 token id word. */
void ldg_addr_word(uint8_t out[32], const decc_address *a);
/* Current block head (latest committed, or the block being built). */
decc_status ldg_head(decc_ledger *l, uint64_t *number, uint8_t hash[32],
                     uint64_t *timestamp, decc_err *err);
/* v as 8 big-endian bytes (block headers, receipt digests, state keys). */
static inline void ldg_be64(uint8_t out[8], uint64_t v) {
  for (int i = 7; i >= 0; i--, v >>= 8)
    out[i] = (uint8_t)v;
}
/* The 8 big-endian bytes at p as a number (ldg_be64's inverse). */
static inline uint64_t ldg_be64_get(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* ---- receipt digests (rcdigest.c) ------------------------------------------ */

/* The digest of r that goes into the receipt root. */
void ldg_receipt_digest(uint8_t out[32], const decc_receipt *r);
/* out[i] = the digest of r[i] for i < n, computed together (eight hashes
 * at once where the CPU has AVX-512) in l's scratch buffer, which it grows
 * and keeps; out of memory, one at a time. The same digests as
 * ldg_receipt_digest. */
void ldg_receipt_digests(decc_ledger *l, const decc_receipt *r, size_t n,
                         uint8_t (*out)[32]);
/* Frees l's scratch buffer (decc_ledger_close). */
void ldg_rcd_free(decc_ledger *l);
/* Reads a stored receipt (query.c). */
decc_status ldg_read_receipt(decc_ledger *l, const uint8_t hash[32],
                             decc_receipt *out, int *found, decc_err *err);

/* Block building (exec.c). ts = 0: now + offset. */
decc_status ldg_block_begin(decc_ledger *l, uint64_t ts, decc_err *err);
decc_status ldg_block_commit(decc_ledger *l, uint8_t hash_out[32],
                             decc_err *err);
void ldg_block_abort(decc_ledger *l);
/* Executes one transaction inside the open block and fills the receipt
 * (minus block hash, known at commit). kind/raw are stored for replay. */
decc_status ldg_tx_execute(decc_ledger *l, int kind, const uint8_t hash[32],
                           const decc_address *from, const decc_address *to,
                           uint64_t nonce, const uint8_t *data, size_t len,
                           const uint8_t *raw, size_t raw_len,
                           decc_receipt *out, decc_err *err);
/* The tx hash of an impersonated call. */
void ldg_call_hash(uint8_t out[32], uint64_t chain_id, const decc_address *from,
                   uint64_t nonce, const decc_address *to, const uint8_t *data,
                   size_t len);

/* ---- signed transactions (decode.c, rawtx.c) ------------------------------ */

/* A raw transaction checked for this chain: parsed, chain id bound, sender
 * recovered, a call (no creation, no value). data is tx.data. */
#define LDG_PRESIG_MAX 4 /* matchOrders checks four order signatures */
typedef struct ldg_rawtx {
  decc_tx tx;
  decc_address from, to;
  uint64_t nonce;
  uint8_t hash[32]; /* keccak256(raw) */
  /* a hub call's signatures, recovered ahead (decode.c): heap,
   * n_pre entries, NULL when the call has none. Not inline: an entry holds
   * its order's key (~0.9 KB), and a batch has a slot per transaction, most
   * of which check no signature. Freed by ldg_raw_clear. */
  decc_poco_sigcheck *pre;
  size_t n_pre;
} ldg_rawtx;
/* Decodes and checks raw (not the nonce). Returns DECC_OK; DECC_E_INVALID
 * (malformed, wrong chain, creation, value); DECC_E_BAD_SIGNATURE;
 * DECC_E_LIMIT; DECC_E_NOMEM. Clear with ldg_raw_clear (also on error). */
decc_status ldg_raw_decode(uint64_t chain_id, const uint8_t *raw, size_t len,
                           ldg_rawtx *out, decc_err *err);
/* ldg_tx_execute of decoded t with t's recovered signatures offered to the
 * PoCo world for the duration of the call (same arguments otherwise). */
decc_status ldg_exec_pre(decc_ledger *l, const ldg_rawtx *t, int kind,
                         const uint8_t hash[32], const decc_address *from,
                         const decc_address *to, uint64_t nonce,
                         const uint8_t *data, size_t len, const uint8_t *raw,
                         size_t raw_len, decc_receipt *out, decc_err *err);
void ldg_raw_clear(ldg_rawtx *t);
/* ---- batches decoded on the ledger's threads (decode.c) ------------------ */

/* The decoding of one batch, raw[0..n) (not copied: valid until
 * ldg_djob_end). */
typedef struct ldg_djob ldg_djob;
/* Starts decoding raw[0..n) on l's decoding threads (started here at the
 * first batch large enough to share, LDG_DECODE_MIN in decode.c; a
 * smaller batch is decoded by the caller in ldg_djob_wait). When the batch prepared ahead
 * (decc_ledger_prepare_raw) holds exactly these bytes, its slots are
 * taken as they are. Returns the job (end it with ldg_djob_end), NULL
 * when out of memory. Only one job per ledger at a time. */
ldg_djob *ldg_djob_begin(decc_ledger *l, const uint8_t *const *raw,
                         const size_t *lens, size_t n);
/* Waits until slot i is decoded, decoding unclaimed slots meanwhile.
 * Returns its ldg_raw_decode status; *t (when t) points at the decoded
 * transaction (owned by j); on failure *err (when err) is its error.
 * Slots must be waited for in increasing order. */
decc_status ldg_djob_wait(ldg_djob *j, size_t i, const ldg_rawtx **t,
                          decc_err *err);
/* Stops the job, waits for the slots being decoded and frees it with
 * every decoded transaction (NULL: no-op). */
void ldg_djob_end(ldg_djob *j);
/* Stops and joins l's decoding threads, dropping the batches handed over
 * and the jobs kept for reuse (decc_ledger_close). */
void ldg_pool_free(decc_ledger *l);

#endif
