/*
 * decc/chain.h — the interface every part of decc uses to read and write
 * the chain: send a call as a transaction and wait for its receipt, read a
 * view (eth_call), fetch a receipt, query logs and watch new ones.
 *
 * A decc_chain is a handle over a backend (a vtable). The first backend is
 * the embedded ledger (decc/ledger.h): state in a local SQLite file, PoCo's
 * rules run natively. An Ethereum JSON-RPC backend talking to the real PoCo
 * contracts plugs in behind the same vtable later, so callers only ever
 * deal in Ethereum terms: addresses, ABI calldata, receipts and logs
 * (their value types are in decc/evm.h, below the ledger and the chain).
 *
 * Thread-safety: a decc_chain handle is used by one thread at a time;
 * open one handle per thread (the embedded backend serialises writers
 * across handles and processes itself).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0, and send_raw's arrays when n is 0); a NULL one is
 * reported to the misuse handler (decc_set_misuse_handler, common.h) and
 * the function returns DECC_E_INVALID (a void function returns at once)
 * without touching anything. err is always optional.
 */
#ifndef DECC_CHAIN_H
#define DECC_CHAIN_H

#include "buf.h"
#include "common.h"
#include "evm.h"
#include "keys.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct decc_chain decc_chain;

/* The backend vtable. Every function returns decc_status and fills err;
 * `self` is the backend's state. Backends implement all of them. */
typedef struct decc_chain_vtable {
  const char *name;
  decc_status (*chain_id)(void *self, uint64_t *out, decc_err *err);
  decc_status (*addresses)(void *self, decc_chain_addresses *out,
                           decc_err *err);
  decc_status (*block_number)(void *self, uint64_t *out, decc_err *err);
  decc_status (*block_timestamp)(void *self, uint64_t *out, decc_err *err);
  decc_status (*nonce)(void *self, const decc_address *a, uint64_t *out,
                       decc_err *err);
  /* Signs (with sk32) and submits one transaction, waits for its receipt. */
  decc_status (*send)(void *self, const uint8_t sk32[32],
                      const decc_address *to, const uint8_t *data, size_t len,
                      decc_receipt *out, decc_err *err);
  /* Submits already-signed raw transactions (one block on the embedded
   * backend) and returns one receipt per transaction. */
  decc_status (*send_raw)(void *self, const uint8_t *const *raw,
                          const size_t *lens, size_t n, decc_receipt *out,
                          decc_err *err);
  decc_status (*call)(void *self, const decc_address *from,
                      const decc_address *to, const uint8_t *data, size_t len,
                      decc_buf *out, decc_err *err);
  decc_status (*receipt)(void *self, const uint8_t tx_hash32[32],
                         decc_receipt *out, decc_err *err);
  decc_status (*logs)(void *self, const decc_log_filter *f, decc_log **out,
                      size_t *n, decc_err *err);
  /* eth_getCode at the latest block: appends the code to out (nothing for
   * an account without code). */
  decc_status (*code)(void *self, const decc_address *a, decc_buf *out,
                      decc_err *err);
  /* Dev chains only: moves the clock of later blocks forward by seconds
   * (evm_increaseTime, then a block is mined on JSON-RPC nodes). */
  decc_status (*increase_time)(void *self, uint64_t seconds, decc_err *err);
  void (*destroy)(void *self);
  /* Optional (NULL: not served): appends the signed raw form of a
   * committed transaction to out (eth_getRawTransactionByHash). Last so
   * that backends written before it need no change. */
  decc_status (*tx_raw)(void *self, const uint8_t tx_hash32[32], decc_buf *out,
                        decc_err *err);
} decc_chain_vtable;

/* Wraps a backend. Takes ownership of self (vt->destroy releases it, also
 * when this call fails). Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_chain_create(decc_chain **out,
                                       const decc_chain_vtable *vt,
                                       void *self) DECC_WARN_UNUSED;

/* Opens the embedded ledger stored at `path` (a SQLite file created by
 * decc_ledger_init) as a chain.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no ledger there); DECC_E_IO. */
DECC_API decc_status decc_chain_open_embedded(decc_chain **out,
                                              const char *path,
                                              decc_err *err) DECC_WARN_UNUSED;

/* Options of the Ethereum JSON-RPC backend. Zero fields take the default. */
typedef struct decc_chain_jsonrpc_opts {
  unsigned request_timeout_ms; /* one HTTP request (default 30000) */
  unsigned receipt_timeout_ms; /* send: wait for the receipt (default 120000) */
  unsigned poll_ms;            /* receipt polling interval (default 200) */
  unsigned gas_margin_pct;     /* added to eth_estimateGas (default 20 %) */
  uint64_t gas_cap;            /* most gas one transaction gets (25,000,000) */
  /* Fixed EIP-1559 fees for dev chains: when max_fee is non-zero both are
   * used as given and no fee is asked from the node. Otherwise tip =
   * eth_maxPriorityFeePerGas (or eth_gasPrice - baseFee on nodes without
   * it), maxFee = 2 * baseFee + tip; a chain without baseFeePerGas gets a
   * legacy EIP-155 transaction at eth_gasPrice. */
  decc_u256 max_fee;
  decc_u256 max_priority_fee;
  /* When eth_estimateGas reverts, send fails with DECC_E_REVERT and sends
   * nothing (no nonce, no gas spent). Non-zero: submit anyway with gas_cap
   * and return the status-0 receipt, as the embedded backend does. */
  int submit_reverting;
  size_t max_reply; /* largest reply body (default 32 MiB) */
} decc_chain_jsonrpc_opts;

/* Opens an Ethereum JSON-RPC node (http:// or https:// URL; nothing is
 * sent yet) as a chain running the PoCo deployment at addrs (copied; the
 * node cannot tell them). opts may be NULL (defaults).
 * Differences from the embedded backend (docs/internals/chain-jsonrpc.md):
 * receipts carry no output (Ethereum receipts have no return data); the
 * revert reason of a mined, reverted transaction is recovered by replaying
 * it with eth_call at its block; send fails with DECC_E_REVERT when gas
 * estimation reverts (see submit_reverting); send_raw checks every
 * transaction (signature, chain id) before submitting any, then submits
 * them in order and waits for each receipt (they may land in several
 * blocks). Errors name the JSON-RPC method and quote the node's message:
 * DECC_E_NETWORK / DECC_E_TIMEOUT (no reply), DECC_E_PARSE (malformed
 * reply), DECC_E_IO (node error), DECC_E_UNSUPPORTED (method not found),
 * DECC_E_REVERT (execution reverted; the reason decoded from Error(string)
 * data, else the revert data in hex).
 * Returns: DECC_OK; DECC_E_INVALID (bad URL); DECC_E_NOMEM. */
DECC_API decc_status decc_chain_open_jsonrpc_ex(
    decc_chain **out, const char *url, const decc_chain_addresses *addrs,
    const decc_chain_jsonrpc_opts *opts, decc_err *err) DECC_WARN_UNUSED;
/* Same with default options. */
DECC_API decc_status decc_chain_open_jsonrpc(decc_chain **out, const char *url,
                                             const decc_chain_addresses *addrs,
                                             decc_err *err) DECC_WARN_UNUSED;

/* Closes the chain and its backend. NULL is a no-op. */
DECC_API void decc_chain_destroy(decc_chain *c);

/* Name of the backend ("embedded", "jsonrpc"); "none" when c is NULL. */
DECC_API const char *decc_chain_backend(const decc_chain *c);

DECC_API decc_status decc_chain_id(decc_chain *c, uint64_t *out,
                                   decc_err *err) DECC_WARN_UNUSED;
DECC_API decc_status decc_chain_get_addresses(decc_chain *c,
                                              decc_chain_addresses *out,
                                              decc_err *err) DECC_WARN_UNUSED;
DECC_API decc_status decc_chain_block_number(decc_chain *c, uint64_t *out,
                                             decc_err *err) DECC_WARN_UNUSED;
/* Timestamp of the latest block (seconds). */
DECC_API decc_status decc_chain_block_timestamp(decc_chain *c, uint64_t *out,
                                                decc_err *err) DECC_WARN_UNUSED;
/* Next nonce of an account. */
DECC_API decc_status decc_chain_nonce(decc_chain *c, const decc_address *a,
                                      uint64_t *out,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Sends `data` to `to` as a transaction signed with sk32 (the sender is
 * the key's address; nonce and chain id are filled in) and waits until it
 * is in a committed block. to == NULL creates a contract whose init code is
 * `data` (JSON-RPC backend only: the embedded ledger has no EVM and answers
 * DECC_E_UNSUPPORTED); the receipt then has has_contract = 1 and the new
 * contract's address. Out: *out, the receipt (clear it). A reverted
 * transaction is NOT an error here: it returns DECC_OK with status 0 and
 * the reason in out->revert_reason (it consumed a nonce, like on Ethereum).
 * Returns: DECC_OK; DECC_E_INVALID (bad key); DECC_E_IO / DECC_E_TIMEOUT
 * (not committed: no receipt). */
DECC_API decc_status decc_chain_send(decc_chain *c, const uint8_t sk32[32],
                                     const decc_address *to,
                                     const uint8_t *data, size_t len,
                                     decc_receipt *out,
                                     decc_err *err) DECC_WARN_UNUSED;

/* Submits n signed raw transactions (RLP, EIP-155 legacy or EIP-1559 type
 * 2). out receives n receipts. Invalid transactions (bad signature, chain
 * id, nonce) fail the whole call with DECC_E_INVALID / DECC_E_BAD_SIGNATURE
 * before anything is committed. */
DECC_API decc_status decc_chain_send_raw(decc_chain *c,
                                         const uint8_t *const *raw,
                                         const size_t *lens, size_t n,
                                         decc_receipt *out,
                                         decc_err *err) DECC_WARN_UNUSED;

/* eth_call: runs a view (or any call, discarding its effects) against the
 * latest block. from may be NULL (zero address). Out: the ABI-encoded
 * return data appended to out. Returns: DECC_OK; DECC_E_REVERT (err holds
 * the reason); other errors. */
DECC_API decc_status decc_chain_call(decc_chain *c, const decc_address *from,
                                     const decc_address *to,
                                     const uint8_t *data, size_t len,
                                     decc_buf *out,
                                     decc_err *err) DECC_WARN_UNUSED;

/* Code of an account at the latest block (eth_getCode), appended to out;
 * an account without code appends nothing. On the embedded ledger, whose
 * contracts run natively, every contract (hub, registries, token,
 * DataProtector, app / dataset / workerpool entries) has the one-byte code
 * 0xfe (EVM INVALID): non-empty, as presence checks expect, and never
 * executable. Returns: DECC_OK; the backend's errors. */
DECC_API decc_status decc_chain_code(decc_chain *c, const decc_address *a,
                                     decc_buf *out,
                                     decc_err *err) DECC_WARN_UNUSED;

/* Time travel on a development chain (deadline tests, `decc chain time`):
 * later blocks are stamped `seconds` later. The embedded ledger moves its
 * clock offset; a JSON-RPC node gets evm_increaseTime then evm_mine
 * (anvil, hardhat, ganache). Returns: DECC_OK; DECC_E_UNSUPPORTED (a node
 * without these dev methods); DECC_E_INVALID (0 or more than a century). */
DECC_API decc_status decc_chain_increase_time(decc_chain *c, uint64_t seconds,
                                              decc_err *err) DECC_WARN_UNUSED;

/* Fetches the receipt of a committed transaction.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (unknown / not yet mined). */
DECC_API decc_status decc_chain_receipt(decc_chain *c,
                                        const uint8_t tx_hash32[32],
                                        decc_receipt *out,
                                        decc_err *err) DECC_WARN_UNUSED;

/* The signed raw form (RLP) of a committed transaction, appended to out
 * (decc_tx_parse reads it). Used by provenance bundles, whose verifier
 * recovers the sender and the chain id from it.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (unknown transaction, or none signed);
 * DECC_E_UNSUPPORTED (the backend does not serve raw transactions);
 * backend errors. */
DECC_API decc_status decc_chain_tx_raw(decc_chain *c,
                                       const uint8_t tx_hash32[32],
                                       decc_buf *out,
                                       decc_err *err) DECC_WARN_UNUSED;

/* Polls for a receipt until it exists or timeout_ms elapses (poll every
 * poll_ms, 0 = 100 ms). Returns: DECC_OK; DECC_E_TIMEOUT. */
DECC_API decc_status decc_chain_wait_receipt(
    decc_chain *c, const uint8_t tx_hash32[32], unsigned timeout_ms,
    unsigned poll_ms, decc_receipt *out, decc_err *err) DECC_WARN_UNUSED;

/* Logs matching a filter, in chain order. Out: *logs (decc_logs_free) and
 * *n. Returns: DECC_OK (possibly none); DECC_E_INVALID (bad filter). */
DECC_API decc_status decc_chain_get_logs(decc_chain *c,
                                         const decc_log_filter *f,
                                         decc_log **logs, size_t *n,
                                         decc_err *err) DECC_WARN_UNUSED;

/* ---- watching new logs (poll-based) -------------------------------------- */

typedef struct decc_chain_watch decc_chain_watch;

/* Called once per new matching log, in chain order. Return 0 to continue,
 * non-zero to stop the current poll (the log counts as delivered). */
typedef int (*decc_log_cb)(const decc_log *log, void *user);

/* Creates a watcher over f (copied) that delivers logs from block
 * `from_block` on (UINT64_MAX = only blocks after the current head).
 * Returns: DECC_OK or DECC_E_NOMEM / DECC_E_INVALID. */
DECC_API decc_status decc_chain_watch_create(decc_chain_watch **out,
                                             decc_chain *c,
                                             const decc_log_filter *f,
                                             uint64_t from_block,
                                             decc_err *err) DECC_WARN_UNUSED;
/* Delivers every matching log committed since the last poll to cb (never
 * twice, never skipping one). Out: *delivered (optional) = count.
 * Returns: DECC_OK or the backend's error (then nothing is marked seen
 * beyond what cb already received). */
DECC_API decc_status decc_chain_watch_poll(decc_chain_watch *w, decc_log_cb cb,
                                           void *user, size_t *delivered,
                                           decc_err *err) DECC_WARN_UNUSED;
/* Frees the watcher (not its chain). NULL is a no-op. */
DECC_API void decc_chain_watch_destroy(decc_chain_watch *w);

#ifdef __cplusplus
}
#endif
#endif /* DECC_CHAIN_H */
