/*
 * decc/provenance.h — result provenance bundles: everything a third party
 * needs to check, offline and without a node, which code produced a task's
 * result on which data, and what that check cannot establish.
 *
 * A bundle (JSON, format "decc-provenance/1", every field in
 * docs/provenance.md) holds the deal and the task as the hub reports them,
 * the app's and the dataset's on-chain checksum and multiaddr, the signed
 * raw contribution transaction(s) (their calldata carries the enclave's
 * result signature and the workerpool's authorization), the chain's events
 * of the deal and task with their block hashes, the platform's attestation
 * when one is available, and the digest of the result file it was written
 * with.
 *
 * decc_prov_verify recomputes every binding it can from the bundle alone:
 * task id from the deal id and index; each transaction's hash, sender and
 * chain id from its signature; the contribution's result hash and seal;
 * the enclave's personal_sign over them; the workerpool's authorization;
 * the events against the task, the deal and the transactions; a software
 * quote's platform signature and claims; and, given the result zip, the
 * result digest of iexec-protocol.md §5.6. What it cannot prove (that the
 * block hashes belong to the chain the reader trusts, that a software
 * platform key is protected by hardware, a hardware quote's certificate
 * chain without collateral) is reported as such, never as proven.
 *
 * Thread-safety: none needed (no global state).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL or 0 when it returns a pointer or a number; a void
 * function returns at once) without touching anything.
 */
#ifndef DECC_PROVENANCE_H
#define DECC_PROVENANCE_H

#include <stddef.h>
#include <stdint.h>

#include "attest.h"
#include "chain.h"
#include "common.h"
#include "keys.h"
#include "poco.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DECC_PROV_FORMAT "decc-provenance/1"
/* Largest bundle accepted by the parser (bytes of JSON). */
#define DECC_PROV_MAX_BYTES (1u << 20)
/* Most events / contribution transactions a bundle carries. */
#define DECC_PROV_MAX_EVENTS 64
#define DECC_PROV_MAX_TXS 8
/* Largest raw transaction, results text, multiaddr, params. */
#define DECC_PROV_MAX_TX_BYTES (64u * 1024)
#define DECC_PROV_MAX_TEXT 8192

/* One chain event as the bundle records it. */
typedef struct decc_prov_event {
  char name[32]; /* "OrdersMatched", "TaskInitialize", … ("" if unknown) */
  decc_log log;  /* address, topics, data, block number/hash, tx hash/index,
                    log index */
} decc_prov_event;

/* A bundle. Strings are owned, NUL-terminated, never NULL after
 * decc_prov_bundle_init. */
typedef struct decc_prov_bundle {
  uint64_t chain_id;
  decc_address hub;
  char *chain_source; /* what the writer read the chain from ("embedded",
                         a URL, a profile): information only */
  uint64_t created;   /* unix seconds the bundle was written */
  /* task (viewTask) */
  uint8_t task_id[32];
  uint8_t deal_id[32];
  uint64_t task_index;
  unsigned task_status; /* decc_poco_task_status */
  uint8_t result_digest[32];
  uint8_t *results; /* task.results bytes (the result link JSON) */
  size_t results_len;
  uint8_t *results_callback;
  size_t results_callback_len;
  /* deal (viewDeal) */
  decc_poco_deal deal;
  /* app and dataset registry entries */
  uint8_t app_checksum[32];
  char *app_multiaddr;
  int has_dataset;
  uint8_t dataset_checksum[32];
  char *dataset_multiaddr;
  /* signed raw contribution transactions, in chain order */
  uint8_t *txs[DECC_PROV_MAX_TXS];
  size_t tx_lens[DECC_PROV_MAX_TXS];
  size_t n_txs;
  /* events of the deal and the task, in chain order */
  decc_prov_event *events;
  size_t n_events;
  /* attestation: a quote, or the reason there is none */
  int has_quote;
  decc_quote *quote;      /* owned (large: carries a hardware quote) */
  char *attestation_note; /* why there is no quote ("" when there is) */
  /* the enclave challenge key's personal_sign of
   * decc_enclave_quote_binding_message(quote): the key that signed the
   * result vouches for this quote (JSON attestation.binding, optional) */
  int has_binding;
  uint8_t binding[65];
  /* the result file the bundle was written with (decrypted zip) */
  int has_result_file;
  uint8_t result_file_sha256[32];
  uint64_t result_file_size;
} decc_prov_bundle;

/* Zeroes b and sets every string to "". Returns: DECC_OK, DECC_E_NOMEM. */
DECC_API decc_status decc_prov_bundle_init(decc_prov_bundle *b)
    DECC_WARN_UNUSED;
/* Frees what b owns; b is left zeroed. NULL or zeroed: no-op. */
DECC_API void decc_prov_bundle_clear(decc_prov_bundle *b);

/* Fills an initialised b from the chain for task_id32: viewTask (must be
 * COMPLETED), viewDeal, the app's and dataset's checksum and multiaddr,
 * the deal's and task's hub events (OrdersMatched, SchedulerNotice, Task*)
 * and the signed raw transaction of each TaskContribute. source is
 * recorded as chain_source (may be NULL).
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no such task); DECC_E_STATE (task not
 * COMPLETED: err says its status); DECC_E_UNSUPPORTED (the chain does not
 * serve raw transactions); chain errors; DECC_E_NOMEM. */
DECC_API decc_status decc_prov_collect(decc_prov_bundle *b, decc_chain *c,
                                       const char *source,
                                       const uint8_t task_id32[32],
                                       decc_err *err) DECC_WARN_UNUSED;

/* Records the result file the bundle vouches for (its SHA-256 and size). */
DECC_API void decc_prov_set_result_file(decc_prov_bundle *b,
                                        const uint8_t *data, size_t len);

/* Serialises b. Out: *json (decc_free), pretty-printed, keys in a fixed
 * order. Returns: DECC_OK; DECC_E_NOMEM. */
DECC_API decc_status decc_prov_to_json(char **json, const decc_prov_bundle *b)
    DECC_WARN_UNUSED;
/* Parses a bundle (strict: format string, known keys only, every hex field
 * of its exact length, bounded counts and sizes). b must be uninitialised
 * or cleared; on failure it is left cleared.
 * Returns: DECC_OK; DECC_E_PARSE (err names the field); DECC_E_LIMIT (more
 * than DECC_PROV_MAX_BYTES / events / transactions); DECC_E_NOMEM. */
DECC_API decc_status decc_prov_from_json(decc_prov_bundle *b, const char *json,
                                         size_t len,
                                         decc_err *err) DECC_WARN_UNUSED;

/* What the verifier is given besides the bundle. */
typedef struct decc_prov_verify_opts {
  /* the chain id the reader expects (0: take the bundle's, and say so) */
  uint64_t expected_chain_id;
  /* the result zip (decrypted) to check against the signed digest, or
   * NULL; borrowed */
  const uint8_t *result_zip;
  size_t result_zip_len;
  /* software platform keys the reader trusts (may be 0) */
  const decc_address *trusted_platforms;
  size_t n_trusted_platforms;
} decc_prov_verify_opts;

/* One line of the verifier's report. */
typedef enum decc_prov_verdict {
  DECC_PROV_PROVEN = 0, /* checked from the bundle alone */
  DECC_PROV_NOT_PROVEN, /* cannot be established offline (says why) */
  DECC_PROV_FAILED      /* the bundle contradicts itself: refused */
} decc_prov_verdict;

#define DECC_PROV_MAX_LINES 48
typedef struct decc_prov_line {
  decc_prov_verdict verdict;
  char text[320];
} decc_prov_line;

typedef struct decc_prov_report {
  decc_prov_line lines[DECC_PROV_MAX_LINES];
  size_t n;
  size_t n_failed;
  /* what the checks established (valid when the matching check passed) */
  decc_address worker;
  decc_address enclave;
  decc_address authorizer;
  decc_address platform;
} decc_prov_report;

/* Verifies b offline (see the file comment) and fills rep (every line,
 * including NOT_PROVEN ones).
 * Returns: DECC_OK when nothing FAILED; DECC_E_BAD_SIGNATURE (a signature
 * does not recover to the party the bundle names); DECC_E_CORRUPT (the
 * bundle contradicts itself or the result file: swapped result, other
 * chain, missing event); err holds the first failure's text. */
DECC_API decc_status decc_prov_verify(const decc_prov_bundle *b,
                                      const decc_prov_verify_opts *opts,
                                      decc_prov_report *rep,
                                      decc_err *err) DECC_WARN_UNUSED;

/* The result digest of iexec-protocol.md §5.6 computed from a result zip
 * (entries relative to /iexec_out): computed.json's
 * deterministic-output-path names a file (digest = SHA-256) or a directory
 * (keccak256 of the SHA-256 of its direct file children in byte order of
 * their names). Out: out32.
 * Returns: DECC_OK; DECC_E_PARSE (not a zip, no or malformed
 * computed.json); DECC_E_NOT_FOUND (the output path is not in the zip);
 * DECC_E_INVALID (empty output file); DECC_E_LIMIT; DECC_E_NOMEM. */
DECC_API decc_status
decc_prov_zip_result_digest(uint8_t out32[32], const uint8_t *zip, size_t len,
                            decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_PROVENANCE_H */
