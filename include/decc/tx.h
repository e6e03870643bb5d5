/*
 * decc/tx.h — Ethereum transactions: legacy (with or without EIP-155 replay
 * protection) and EIP-1559 (type 2).
 *
 * Build a decc_tx, sign it with a private key, serialize it to the raw
 * bytes eth_sendRawTransaction takes; or parse raw bytes strictly, recover
 * the sender and check the chain id. Signing is deterministic (RFC 6979),
 * so decc's raw bytes equal those of ethers for the same fields and key.
 *
 * Wire formats (SPEC: EIP-155, EIP-2718, EIP-1559, EIP-2930 access lists):
 *   legacy:  rlp([nonce, gasPrice, gas, to, value, data, v, r, s])
 *            v = 27 + yParity (no chain id) or chainId·2 + 35 + yParity;
 *            signed over keccak(rlp([nonce, gasPrice, gas, to, value, data,
 *            chainId, 0, 0])) (6 fields without a chain id).
 *   type 2:  0x02 ‖ rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas,
 *            gas, to, value, data, accessList, yParity, r, s]); signed over
 *            keccak(0x02 ‖ rlp(first 9 fields)).
 *   to is the empty string for contract creation; the tx hash is
 *   keccak256 of the raw bytes.
 * The parser accepts only canonical RLP and integers, exactly the expected
 * field count, yParity 0/1, 1 ≤ r < n and 1 ≤ s ≤ n/2 (EIP-2 low-S), and
 * rejects types 1, 3, 4 with DECC_E_UNSUPPORTED.
 *
 * Ownership: a decc_tx owns its data and access list (heap copies); init it
 * with decc_tx_init and release it with decc_tx_clear.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_TX_H
#define DECC_TX_H

#include "buf.h"
#include "common.h"
#include "keys.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest raw transaction parse/serialize accept (bytes). */
#define DECC_TX_MAX_SIZE (4u * 1024u * 1024u)

#define DECC_TX_LEGACY 0
#define DECC_TX_EIP1559 2

/* One access-list entry: an address and the storage keys it pre-warms. */
typedef struct decc_tx_access {
  decc_address address;
  uint8_t (*keys)[32]; /* nkeys storage keys, owned by the tx */
  size_t nkeys;
} decc_tx_access;

/* Public fields; set them directly, except data / access_list which go
 * through the setters (the tx owns those copies). */
typedef struct decc_tx {
  int type;                   /* DECC_TX_LEGACY or DECC_TX_EIP1559 */
  uint64_t chain_id;          /* 0 = legacy without EIP-155 protection */
  uint64_t nonce;             /* EIP-2681: < 2^64 */
  decc_u256 gas_price;        /* legacy only */
  decc_u256 max_priority_fee; /* type 2: maxPriorityFeePerGas */
  decc_u256 max_fee;          /* type 2: maxFeePerGas */
  uint64_t gas_limit;
  int has_to; /* 0 = contract creation */
  decc_address to;
  decc_u256 value; /* wei */
  uint8_t *data;   /* read-only; see decc_tx_set_data */
  size_t data_len;
  decc_tx_access *access_list; /* read-only; type 2 only */
  size_t access_len;
  /* Signature (set by decc_tx_sign or decc_tx_parse). */
  int is_signed;
  uint8_t y_parity;     /* 0 or 1 */
  uint8_t r[32], s[32]; /* big-endian */
} decc_tx;

/* Zeroes a tx (legacy, no chain id, no data). */
DECC_API void decc_tx_init(decc_tx *tx);
/* Frees data and access list; tx is re-initialised. */
DECC_API void decc_tx_clear(decc_tx *tx);

/* Replaces the data field with a copy of p[0..n).
 * Returns: DECC_OK, DECC_E_LIMIT (> DECC_TX_MAX_SIZE), DECC_E_NOMEM. */
DECC_API decc_status decc_tx_set_data(decc_tx *tx, const void *p,
                                      size_t n) DECC_WARN_UNUSED;
/* Appends an access-list entry (copies the keys). Type 2 only.
 * Returns: DECC_OK, DECC_E_NOMEM. */
DECC_API decc_status decc_tx_add_access(decc_tx *tx, const decc_address *addr,
                                        const uint8_t (*keys)[32],
                                        size_t nkeys) DECC_WARN_UNUSED;

/* The digest the sender signs (ethers' unsignedHash).
 * Returns: DECC_OK; DECC_E_INVALID (unknown type; chain id too large for a
 * legacy v); DECC_E_NOMEM; DECC_E_LIMIT. */
DECC_API decc_status decc_tx_signing_hash(uint8_t out32[32], const decc_tx *tx,
                                          decc_err *err) DECC_WARN_UNUSED;

/* Appends to out the bytes the signing hash is the keccak256 of (the
 * unsigned transaction as the sender signed it), for a caller that hashes
 * many at once (decc_keccak256_many) and then recovers with
 * decc_tx_recover_hash. Returns: as decc_tx_signing_hash, and out's errors;
 * on error out may hold part of the bytes. */
DECC_API decc_status decc_tx_signing_payload(decc_buf *out, const decc_tx *tx,
                                             decc_err *err) DECC_WARN_UNUSED;

/* Signs tx with sk32 (RFC 6979, low-S) and stores the signature in tx.
 * Returns: as decc_tx_signing_hash, or DECC_E_INVALID for a bad key. */
DECC_API decc_status decc_tx_sign(decc_tx *tx, const uint8_t sk32[32],
                                  decc_err *err) DECC_WARN_UNUSED;

/* Appends the signed raw transaction to out.
 * Returns: DECC_OK; DECC_E_STATE (unsigned); the errors of
 * decc_tx_signing_hash; out's errors. out is unchanged on error. */
DECC_API decc_status decc_tx_serialize(decc_buf *out, const decc_tx *tx,
                                       decc_err *err) DECC_WARN_UNUSED;

/* Transaction hash: keccak256 of the serialized signed tx.
 * Returns: as decc_tx_serialize. */
DECC_API decc_status decc_tx_hash(uint8_t out32[32], const decc_tx *tx,
                                  decc_err *err) DECC_WARN_UNUSED;

/* Parses a signed raw transaction (strict; see the file comment) into tx,
 * which must be initialised (its previous content is cleared).
 * Returns: DECC_OK; DECC_E_PARSE (malformed or non-canonical, bad
 * signature values); DECC_E_UNSUPPORTED (another tx type); DECC_E_LIMIT
 * (> DECC_TX_MAX_SIZE); DECC_E_NOMEM. On error tx is left cleared. */
DECC_API decc_status decc_tx_parse(decc_tx *tx, const uint8_t *raw, size_t len,
                                   decc_err *err) DECC_WARN_UNUSED;

/* Recovers the sender of a signed tx.
 * Returns: DECC_OK; DECC_E_STATE (unsigned); DECC_E_BAD_SIGNATURE
 * (including high-S); errors of decc_tx_signing_hash. */
DECC_API decc_status decc_tx_recover(decc_address *from, const decc_tx *tx,
                                     decc_err *err) DECC_WARN_UNUSED;
/* decc_tx_recover with the signing hash already computed (the keccak256
 * of decc_tx_signing_payload's bytes; a wrong hash recovers another
 * address or fails). Returns: DECC_OK; DECC_E_STATE (unsigned);
 * DECC_E_BAD_SIGNATURE (including high-S). */
DECC_API decc_status decc_tx_recover_hash(decc_address *from, const decc_tx *tx,
                                          const uint8_t sighash[32],
                                          decc_err *err) DECC_WARN_UNUSED;

/* Checks the tx is bound to chain_id. A legacy tx without EIP-155
 * protection (chain_id 0) is refused: it could be replayed on any chain.
 * Returns: DECC_OK or DECC_E_DENIED. */
DECC_API decc_status decc_tx_check_chain(const decc_tx *tx, uint64_t chain_id,
                                         decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_TX_H */
