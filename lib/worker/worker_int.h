/*
 * worker_int.h — what the scheduler and the worker share: chain views and
 * transaction helpers, the durable state store (SQLite) with its failure
 * table, and logging.
 */
#ifndef DECC_WORKER_INT_H
#define DECC_WORKER_INT_H

#include <sqlite3.h>

#include "decc/abi.h"
#include "decc/chain.h"
#include "decc/hub.h"
#include "decc/worker.h"

/* Hub address of the chain. */
decc_status decc__wk_hub(decc_chain *c, decc_address *hub, decc_err *err);

/* Finishes the encoder as calldata for sig and sends it to the hub.
 * Out: *r (optional; cleared otherwise). A reverted transaction returns
 * DECC_E_REVERT with the reason in err. */
decc_status decc__wk_send(decc_chain *c, const uint8_t sk32[32],
                          decc_abi_enc *e, const char *sig, decc_receipt *r,
                          decc_err *err);

/* Opens (creating) a state database and applies schema (idempotent SQL).
 * WAL, synchronous FULL, busy timeout. */
decc_status decc__wk_db_open(sqlite3 **db, const char *path, const char *schema,
                             int readonly, decc_err *err);
/* Runs one statement with bound arguments: types is a string of
 * 'b' (32-byte blob), 'a' (decc_address*), 'i' (int64), 't' (text),
 * 'B' (blob pointer + size_t length, two arguments). */
decc_status decc__wk_exec(sqlite3 *db, decc_err *err, const char *sql,
                          const char *types, ...);
/* Records (replaces) the failure of a task in the failures table. */
decc_status decc__wk_record_failure(sqlite3 *db, const uint8_t task[32],
                                    decc_task_cause cause, int exit_code,
                                    const char *detail,
                                    const decc_address *worker, decc_err *err);

#define DECC_WK_FAILURES_SCHEMA                                                \
  "CREATE TABLE IF NOT EXISTS failures(taskid BLOB PRIMARY KEY, cause "        \
  "INTEGER NOT NULL, exit_code INTEGER NOT NULL, detail TEXT NOT NULL, "       \
  "worker BLOB, updated INTEGER NOT NULL);"

void decc__wk_log(void (*log)(void *, const char *), void *ctx, const char *fmt,
                  ...) DECC_PRINTF(3, 4);

/* decc_u256_to_u64 with a status-like result: 0 when v fits. */
static inline int decc__wk_u64(uint64_t *out, const decc_u256 *v) {
  return decc_u256_to_u64(out, v) ? 0 : 1;
}

/* Hex of a task id, for logs. */
char *decc__wk_hex32(char out[DECC_HEX32_LEN], const uint8_t b[32]);

#endif
