/*
 * decc/evm.h — Ethereum's value types shared by the embedded ledger and the
 * chain interface: event logs, transaction receipts, eth_getLogs filters and
 * the addresses of a PoCo deployment.
 *
 * They live in the eth layer, below both the ledger (which produces them)
 * and decc/chain.h (which hands them to every caller), so that the ledger
 * does not depend on the layer built on top of it (docs/internals/layout.md).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (the clear / free functions take NULL as a no-op); a NULL one, or a log
 * to copy whose data is NULL with a non-zero data_len, is reported to the
 * misuse handler (decc_set_misuse_handler, common.h) and the function
 * returns DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_EVM_H
#define DECC_EVM_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "keys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most topics an Ethereum log carries. */
#define DECC_LOG_MAX_TOPICS 4

/* One event log. All memory owned by the struct (decc_log_clear). */
typedef struct decc_log {
  decc_address address; /* emitting contract */
  uint8_t topics[DECC_LOG_MAX_TOPICS][32];
  size_t n_topics;
  uint8_t *data; /* decc_malloc'd, NULL when data_len is 0 */
  size_t data_len;
  uint64_t block_number;
  uint8_t block_hash[32];
  uint8_t tx_hash[32];
  uint32_t tx_index;  /* position of the transaction in its block */
  uint32_t log_index; /* position of the log in its block */
} decc_log;

/* A transaction receipt. All memory owned (decc_receipt_clear). */
typedef struct decc_receipt {
  uint8_t tx_hash[32];
  uint64_t block_number;
  uint8_t block_hash[32];
  uint32_t tx_index;
  decc_address from;
  decc_address to;               /* zero for a contract creation */
  int has_contract;              /* 1: a contract creation that succeeded */
  decc_address contract_address; /* the created contract (has_contract) */
  uint64_t nonce;
  int status;          /* 1 = success, 0 = reverted */
  char *revert_reason; /* reverted: the reason string ("" if none); else NULL */
  uint8_t *output;     /* ABI-encoded return data (success) */
  size_t output_len;
  decc_log *logs; /* emitted logs (none when reverted) */
  size_t n_logs;
} decc_receipt;

/* Frees what a log / receipt owns and zeroes it. NULL is a no-op. */
DECC_API void decc_log_clear(decc_log *log);
DECC_API void decc_receipt_clear(decc_receipt *r);
/* Frees an array of n logs returned by a query. NULL is a no-op. */
DECC_API void decc_logs_free(decc_log *logs, size_t n);
/* Deep copy of a log. Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_log_copy(decc_log *dst,
                                   const decc_log *src) DECC_WARN_UNUSED;

/* Most alternatives per topic position / addresses in a filter. */
#define DECC_FILTER_MAX_ALTS 16

/* eth_getLogs-style filter. A position with n_topic_alts[i] == 0 matches
 * anything; otherwise the log's topic i must equal one of the listed
 * values. n_addresses == 0 matches every address. */
typedef struct decc_log_filter {
  uint64_t from_block;
  uint64_t to_block; /* UINT64_MAX = latest */
  const decc_address *addresses;
  size_t n_addresses;
  const uint8_t (*topic_alts[DECC_LOG_MAX_TOPICS])[32];
  size_t n_topic_alts[DECC_LOG_MAX_TOPICS];
  size_t limit; /* most logs returned; 0 = 10000 */
} decc_log_filter;

/* Initialises a filter that matches every log of every block. */
DECC_API void decc_log_filter_init(decc_log_filter *f);

/* Addresses of the PoCo deployment a chain runs. */
typedef struct decc_chain_addresses {
  decc_address hub; /* PoCo diamond (EIP-712 verifyingContract) */
  decc_address app_registry;
  decc_address dataset_registry;
  decc_address workerpool_registry;
  decc_address token; /* RLC */
  decc_address dataprotector;
} decc_chain_addresses;

#ifdef __cplusplus
}
#endif

#endif /* DECC_EVM_H */
