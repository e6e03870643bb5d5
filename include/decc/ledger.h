/*
 * decc/ledger.h — the embedded PoCo ledger: a single-machine chain that
 * speaks Ethereum (calldata, selectors, receipts, logs) and runs iExec's
 * contracts natively in C, with its state in SQLite.
 *
 * What it emulates, dispatched by the `to` address and the 4-byte selector
 * of the same calldata the real contracts accept: the RLC token (ERC-20,
 * approveAndCall), the PoCo hub (escrow, orders, matchOrders, tasks,
 * categories, configuration views), the three registries (ERC-721 with
 * PoCo's CREATE2 entry addresses), the registry entries (App, Dataset,
 * Workerpool views, changePolicy) and the DataProtector contract. There
 * is no EVM and no gas; failed calls revert with PoCo's reasons and change
 * nothing.
 *
 * Mechanics: every batch of transactions becomes one block, committed in
 * one SQLite transaction (WAL, synchronous=FULL) before any receipt is
 * returned, so whatever was acknowledged survives a crash. Each call runs
 * in its own savepoint (a revert rolls it back). Writers from several
 * processes on one file are serialised by BEGIN IMMEDIATE + a busy
 * timeout; readers never block the writer. `decc_ledger_verify` replays
 * the stored transactions from genesis into a fresh state and compares
 * block hashes, receipts and the final state hash.
 *
 * Handles: one decc_ledger per thread (SQLite connections are not shared).
 * Chain-level types (receipts, logs, filters, addresses) are in evm.h.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer or array
 * may be NULL when its length or count is 0; err is always optional); a
 * NULL one is reported to the misuse handler (decc_set_misuse_handler,
 * common.h) and the function returns DECC_E_INVALID without touching
 * anything. What the arguments hold — raw transactions, calldata, a call's
 * data, a log filter's lists, a log to decode, genesis JSON — is input,
 * never misuse: it keeps the ordinary errors and reverts documented below.
 */
#ifndef DECC_LEDGER_H
#define DECC_LEDGER_H

#include "buf.h"
#include "common.h"
#include "evm.h"
#include "keys.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits on genesis files. */
#define DECC_GENESIS_MAX_ACCOUNTS 1024
#define DECC_GENESIS_MAX_CATEGORIES 64
#define DECC_GENESIS_MAX_WORKERPOOLS 16
#define DECC_GENESIS_MAX_BYTES (1024 * 1024)
/* Largest calldata accepted in a transaction or view. */
#define DECC_LEDGER_MAX_CALLDATA (1024 * 1024)
/* Most transactions in one block / one submit call. */
#define DECC_LEDGER_MAX_BATCH 65536

/* Native coin of each dev account by default, in ether (as anvil and
 * hardhat give their dev accounts). */
#define DECC_GENESIS_DEV_NATIVE_ETH 10000u

/* Default chain id of a dev ledger (anvil's): distinct from every public
 * chain so nothing signed for it replays on Arbitrum. */
#define DECC_LEDGER_DEFAULT_CHAIN_ID 31337u

typedef struct decc_genesis_account {
  decc_address address;
  decc_u256 rlc;    /* RLC token balance (nRLC) */
  decc_u256 stake;  /* PoCo escrow balance (deposited nRLC) */
  decc_u256 native; /* native coin (wei), see decc_ledger_native_balance */
} decc_genesis_account;

typedef struct decc_genesis_category {
  char name[64];
  char description[256];
  uint64_t time_ref; /* workClockTimeRef, seconds */
} decc_genesis_category;

/* A workerpool registry entry created by the genesis at a fixed address
 * (not PoCo's CREATE2 address), e.g. the address an SDK uses as its default
 * workerpool, owned by a key the node's scheduler holds. */
typedef struct decc_genesis_workerpool {
  decc_address address;
  decc_address owner;
  char description[128];
} decc_genesis_workerpool;

typedef struct decc_genesis {
  uint64_t chain_id;
  uint64_t timestamp; /* genesis block time; 0 = the time of init */
  decc_chain_addresses addr;
  decc_address owner;             /* hub / registries owner (admin functions) */
  unsigned dev_accounts;          /* deterministic dev accounts to fund */
  decc_u256 dev_rlc;              /* RLC given to each dev account */
  decc_u256 dev_stake;            /* escrow stake given to each dev account */
  decc_u256 dev_native;           /* native coin (wei) of each dev account,
                            default DECC_GENESIS_DEV_NATIVE_ETH ether */
  decc_genesis_account *accounts; /* owned (decc_genesis_clear) */
  size_t n_accounts;
  decc_genesis_category categories[DECC_GENESIS_MAX_CATEGORIES];
  size_t n_categories;
  decc_genesis_workerpool workerpools[DECC_GENESIS_MAX_WORKERPOOLS];
  size_t n_workerpools;
} decc_genesis;

/* Fills g with decc's default dev genesis: chain id 31337; the Arbitrum
 * One addresses of PoCo, the registries, RLC and DataProtector (so CREATE2
 * addresses equal Arbitrum's for the same inputs); 10 dev accounts with
 * 1,000,000 RLC each and 1,000 RLC already deposited; the five standard
 * categories XS/S/M/L/XL (300/1200/3600/10800/36000 s).
 * Returns: DECC_OK. Clear with decc_genesis_clear. */
DECC_API decc_status decc_genesis_default(decc_genesis *g) DECC_WARN_UNUSED;
/* Frees g's accounts and zeroes g. NULL is a no-op. */
DECC_API void decc_genesis_clear(decc_genesis *g);

/* Fills g with a named dev profile (see docs/sdk.md):
 *   "dev"              decc_genesis_default (chain id 31337);
 *   "arbitrum-sepolia" chain id 421614, the hub and DataProtector addresses
 *                      of the iExec SDKs' Arbitrum Sepolia entry, and a
 *                      workerpool at the DataProtector SDK's default
 *                      workerpool address owned by dev account 3;
 *   "arbitrum-mainnet" chain id 42161 with Arbitrum One's addresses and
 *                      default workerpool: only with allow_mainnet != 0,
 *                      because transactions signed for a local chain with
 *                      mainnet's chain id are valid on Arbitrum One.
 * Dev accounts are funded as in the default genesis. Returns: DECC_OK;
 * DECC_E_INVALID (unknown name, or mainnet without allow_mainnet; err says
 * which). Clear with decc_genesis_clear. */
DECC_API decc_status decc_genesis_profile(decc_genesis *g, const char *name,
                                          int allow_mainnet,
                                          decc_err *err) DECC_WARN_UNUSED;

/* Parses a genesis JSON document; absent keys keep the defaults above:
 *   { "chainId": 31337, "timestamp": 0, "owner": "0x…",
 *     "contracts": { "hub": "0x…", "appRegistry": "0x…",
 *                    "datasetRegistry": "0x…", "workerpoolRegistry": "0x…",
 *                    "token": "0x…", "dataProtector": "0x…" },
 *     "devAccounts": { "count": 10, "rlc": "…", "stake": "…",
 *                      "native": "…" },
 *     "accounts": [ { "address": "0x…", "rlc": "…", "stake": "…",
 *                     "native": "…" } ],
 *     "categories": [ { "name": "XS", "description": "…",
 *                       "workClockTimeRef": 300 } ],
 *     "workerpools": [ { "address": "0x…", "owner": "0x…",
 *                        "description": "…" } ] }
 * Amounts are nRLC as decimal strings ("native": wei). "categories" replaces the default
 * list. json may be NULL when len is 0 (an empty document: DECC_E_PARSE).
 * Returns: DECC_OK; DECC_E_PARSE / DECC_E_INVALID / DECC_E_LIMIT with
 * err naming the field. */
DECC_API decc_status decc_genesis_from_json(decc_genesis *g, const char *json,
                                            size_t len,
                                            decc_err *err) DECC_WARN_UNUSED;
/* Serializes g to canonical JSON (the form stored in the ledger and
 * replayed by verify). Out: *json (decc_free). */
DECC_API decc_status decc_genesis_to_json(char **json, const decc_genesis *g)
    DECC_WARN_UNUSED;

/* Deterministic dev account i (0-based): sk = keccak256("decc dev account "
 * ‖ decimal(i)). These keys are public knowledge, like anvil's: never use
 * them for value. Returns: DECC_OK or DECC_E_CRYPTO. The caller wipes sk32. */
DECC_API decc_status decc_ledger_dev_key(uint8_t sk32[32],
                                         unsigned i) DECC_WARN_UNUSED;

typedef struct decc_ledger decc_ledger;

/* Creates a new ledger file at path from genesis g (the directory must
 * exist). Returns: DECC_OK; DECC_E_EXISTS (a ledger is already there);
 * DECC_E_IO; DECC_E_INVALID (bad genesis). */
DECC_API decc_status decc_ledger_init(const char *path, const decc_genesis *g,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Opens an existing ledger. Returns: DECC_OK; DECC_E_NOT_FOUND (no ledger
 * at path); DECC_E_CORRUPT (not a decc ledger / wrong schema); DECC_E_IO.
 * Close with decc_ledger_close. */
DECC_API decc_status decc_ledger_open(decc_ledger **out, const char *path,
                                      decc_err *err) DECC_WARN_UNUSED;
/* Opens a fresh in-memory ledger from genesis (tests, verify). */
DECC_API decc_status decc_ledger_open_memory(decc_ledger **out,
                                             const decc_genesis *g,
                                             decc_err *err) DECC_WARN_UNUSED;
/* Closes l (rolling back a block left open). NULL is a no-op. */
DECC_API void decc_ledger_close(decc_ledger *l);

typedef struct decc_ledger_info {
  uint64_t chain_id;
  decc_chain_addresses addr;
  decc_address owner;
  uint64_t head_number;
  uint8_t head_hash[32];
  uint64_t head_timestamp;
  int64_t time_offset; /* seconds added to the wall clock (time travel) */
  uint64_t tx_count;   /* transactions stored */
} decc_ledger_info;

DECC_API decc_status decc_ledger_get_info(decc_ledger *l, decc_ledger_info *out,
                                          decc_err *err) DECC_WARN_UNUSED;

/* A call executed as `from` without a signature: the dev-mode equivalent
 * of anvil's impersonated accounts, used by tests and tools before (and
 * besides) signed transactions. It consumes the sender's nonce like a
 * signed transaction and is stored and replayed the same way. */
typedef struct decc_ledger_call {
  decc_address from;
  decc_address to;
  const uint8_t *data;
  size_t len;
} decc_ledger_call;

/* Executes n calls as one block and commits it. out receives n receipts
 * (caller clears each); calls and out may be NULL when n is 0. A call's
 * data NULL with a non-zero len is a bad batch (DECC_E_LIMIT), not
 * misuse. A reverted call is recorded with status 0 and changes nothing
 * but the sender's nonce. Returns: DECC_OK (the block is
 * durable); DECC_E_INVALID / DECC_E_LIMIT (bad batch: nothing done);
 * DECC_E_IO / DECC_E_TIMEOUT (database busy or failing: nothing done). */
DECC_API decc_status decc_ledger_submit_calls(decc_ledger *l,
                                              const decc_ledger_call *calls,
                                              size_t n, decc_receipt *out,
                                              decc_err *err) DECC_WARN_UNUSED;

/* Executes n signed raw Ethereum transactions (legacy EIP-155 or EIP-1559
 * type 2) as one block. Each must carry this chain id, a low-S signature
 * and the sender's next nonce (in batch order); the tx hash is keccak256 of
 * the raw bytes. raw, lens and out may be NULL when n is 0.
 * Returns: as decc_ledger_submit_calls; DECC_E_BAD_SIGNATURE
 * / DECC_E_INVALID for a bad transaction: malformed, another chain id,
 * a contract creation, a non-zero value, or a nonce out of sequence
 * (nothing committed: the whole batch is rejected, err names the
 * transaction's index). A call that reverts is not an error: its receipt
 * has status 0 and PoCo's reason, and its nonce is consumed. */
DECC_API decc_status decc_ledger_submit_raw(decc_ledger *l,
                                            const uint8_t *const *raw,
                                            const size_t *lens, size_t n,
                                            decc_receipt *out,
                                            decc_err *err) DECC_WARN_UNUSED;

/* Hands over the transactions of the next block ahead of its submit, so
 * that a caller streaming blocks keeps every core busy: the ledger's
 * decoding threads parse them and recover their signatures while the
 * caller submits the current block (after that block's own, which always
 * come first). The bytes are copied; raw and lens may be freed on
 * return. The next decc_ledger_submit_raw of exactly these n byte strings
 * takes the work done; its outcome is the one it has without this call
 * (decoding is a pure function of the bytes and the chain); batches
 * handed over before that one are dropped (the stream passed them by).
 * Up to four batches wait at once (block N+1 is handed over before block
 * N, handed over earlier, is submitted): a fifth drops the oldest. A
 * submit of other transactions leaves them waiting; closing the ledger
 * drops them. Nothing is checked here: the submit
 * reports every error. On one core, or for a batch too small to share,
 * this does nothing. Returns: DECC_OK; DECC_E_LIMIT (more than
 * DECC_LEDGER_MAX_BATCH transactions, or one longer than DECC_TX_MAX_SIZE:
 * the submit would refuse them); DECC_E_NOMEM. */
DECC_API decc_status decc_ledger_prepare_raw(decc_ledger *l,
                                             const uint8_t *const *raw,
                                             const size_t *lens, size_t n,
                                             decc_err *err) DECC_WARN_UNUSED;

/* Builds and signs (with sk32) an EIP-1559 (type 2) call transaction for
 * this kind of chain: chainId, nonce, zero fees, a 30,000,000 gas limit,
 * value 0. Appends the raw bytes to raw. Returns: DECC_OK; DECC_E_INVALID
 * (bad key or argument); DECC_E_LIMIT; DECC_E_NOMEM. */
DECC_API decc_status decc_ledger_tx_build(decc_buf *raw, uint64_t chain_id,
                                          const uint8_t sk32[32],
                                          uint64_t nonce,
                                          const decc_address *to,
                                          const uint8_t *data, size_t len,
                                          decc_err *err) DECC_WARN_UNUSED;

/* Signs a type-2 transaction calling `to` with `data` as the key's address
 * with its next nonce (read under the write lock, so concurrent senders
 * never collide) and executes it as a block of its own, stored with its
 * raw bytes. Out: *out, the receipt (clear it); a revert is status 0.
 * Returns: as decc_ledger_submit_calls; DECC_E_INVALID (bad key). */
DECC_API decc_status decc_ledger_send(decc_ledger *l, const uint8_t sk32[32],
                                      const decc_address *to,
                                      const uint8_t *data, size_t len,
                                      decc_receipt *out,
                                      decc_err *err) DECC_WARN_UNUSED;

/* eth_call against the latest state: runs the call and rolls everything
 * back. from may be NULL. Out: return data appended to out.
 * Returns: DECC_OK; DECC_E_REVERT (err->msg = the revert reason). */
DECC_API decc_status decc_ledger_view(decc_ledger *l, const decc_address *from,
                                      const decc_address *to,
                                      const uint8_t *data, size_t len,
                                      decc_buf *out,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Code of an account as eth_getCode reports it for the embedded ledger:
 * contracts run natively here, so every contract (hub, registries, token,
 * DataProtector, registry entries) gets the one-byte code 0xfe (EVM
 * INVALID) and any other address none. Appended to out.
 * Returns: DECC_OK; DECC_E_IO; DECC_E_NOMEM. */
DECC_API decc_status decc_ledger_code(decc_ledger *l, const decc_address *a,
                                      decc_buf *out,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Native coin balance of a (wei): what the genesis gives it (dev
 * accounts: dev_native; listed accounts: their native), 0 for every other
 * address. Constant: the ledger charges no gas and refuses transactions
 * with a value, so nothing spends or moves it — it exists so that wallets
 * and SDKs that check for gas money see funded dev accounts, as on anvil.
 * Read from the genesis stored in the ledger (no state of its own, so the
 * state hash and `verify` are unchanged). Returns: DECC_OK; DECC_E_CORRUPT
 * (stored genesis unreadable); DECC_E_IO; DECC_E_NOMEM. */
DECC_API decc_status decc_ledger_native_balance(decc_ledger *l,
                                                const decc_address *a,
                                                decc_u256 *out,
                                                decc_err *err) DECC_WARN_UNUSED;

/* Next nonce of an account. */
DECC_API decc_status decc_ledger_nonce(decc_ledger *l, const decc_address *a,
                                       uint64_t *out,
                                       decc_err *err) DECC_WARN_UNUSED;

/* Receipt of a stored transaction. Returns DECC_E_NOT_FOUND if unknown. */
DECC_API decc_status decc_ledger_receipt(decc_ledger *l,
                                         const uint8_t tx_hash32[32],
                                         decc_receipt *out,
                                         decc_err *err) DECC_WARN_UNUSED;

/* The signed raw form (RLP, as submitted) of a stored transaction,
 * appended to out.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (unknown transaction, or one the
 * ledger made itself without a signature); DECC_E_IO; DECC_E_NOMEM. */
DECC_API decc_status decc_ledger_tx_raw(decc_ledger *l,
                                        const uint8_t tx_hash32[32],
                                        decc_buf *out,
                                        decc_err *err) DECC_WARN_UNUSED;

typedef struct decc_ledger_block {
  uint64_t number;
  uint8_t hash[32];
  uint8_t parent[32];
  uint64_t timestamp;
  uint32_t tx_count;
  uint8_t tx_root[32];      /* keccak256 of the tx hashes, in order */
  uint8_t receipt_root[32]; /* keccak256 of the receipt digests */
} decc_ledger_block;

/* Block by number (UINT64_MAX = latest). Returns DECC_E_NOT_FOUND. */
DECC_API decc_status decc_ledger_block_get(decc_ledger *l, uint64_t number,
                                           decc_ledger_block *out,
                                           decc_err *err) DECC_WARN_UNUSED;
/* Hashes of the transactions of a block, in order. Out: *hashes (n × 32
 * bytes, decc_free). */
DECC_API decc_status decc_ledger_block_txs(decc_ledger *l, uint64_t number,
                                           uint8_t **hashes, size_t *n,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Logs matching f, in chain order (see decc_log_filter in evm.h). */
DECC_API decc_status decc_ledger_logs(decc_ledger *l, const decc_log_filter *f,
                                      decc_log **logs, size_t *n,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Time travel (evm_increaseTime): adds seconds to the clock of every later
 * block. Out: *offset (optional) = the new total offset. */
DECC_API decc_status decc_ledger_time_increase(decc_ledger *l, int64_t seconds,
                                               int64_t *offset,
                                               decc_err *err) DECC_WARN_UNUSED;

/* Hash of the whole contract state (accounts, balances, escrow, registries,
 * orders, deals, tasks, contributions, scores, categories), independent of
 * history. Two ledgers with equal state have equal hashes. */
DECC_API decc_status decc_ledger_state_hash(decc_ledger *l, uint8_t out32[32],
                                            decc_err *err) DECC_WARN_UNUSED;

typedef struct decc_ledger_verify_report {
  uint64_t blocks;          /* blocks replayed (genesis excluded) */
  uint64_t txs;             /* transactions replayed */
  uint8_t state_hash[32];   /* of the stored state */
  uint8_t replay_hash[32];  /* of the replayed state */
  uint64_t first_bad_block; /* UINT64_MAX when all blocks matched */
} decc_ledger_verify_report;

/* Replays every stored transaction from the stored genesis into a fresh
 * in-memory state and checks each block hash and receipt, then the final
 * state hash. Returns: DECC_OK (all match); DECC_E_CORRUPT (a mismatch:
 * err and report say where); other errors. */
DECC_API decc_status decc_ledger_verify(decc_ledger *l,
                                        decc_ledger_verify_report *report,
                                        decc_err *err) DECC_WARN_UNUSED;

/* Most convenient ABI-level helpers for tools: RLC balance, escrow account
 * (stake, locked; each optional). */
DECC_API decc_status decc_ledger_rlc_balance(decc_ledger *l,
                                             const decc_address *a,
                                             decc_u256 *out,
                                             decc_err *err) DECC_WARN_UNUSED;
DECC_API decc_status decc_ledger_escrow(decc_ledger *l, const decc_address *a,
                                        decc_u256 *stake, decc_u256 *locked,
                                        decc_err *err) DECC_WARN_UNUSED;

/* Decodes a log of a known PoCo / ERC-20 / ERC-721 / DataProtector event.
 * Out: *name (static string, e.g. "OrdersMatched") and *json (decc_free), a
 * JSON object of the named arguments with lowercase hex for addresses and
 * bytes, decimal strings for integers. Returns: DECC_OK; DECC_E_NOT_FOUND
 * (unknown topic0); DECC_E_PARSE (malformed data). */
DECC_API decc_status decc_ledger_decode_log(const decc_log *log,
                                            const char **name, char **json,
                                            decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_LEDGER_H */
