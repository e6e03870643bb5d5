/*
 * decc/receipts.h — per-use receipts and expiring, purpose-bound grants
 * (issue 15; formats byte by byte and the trust model in docs/receipts.md).
 *
 * A receipt records one use of a protected dataset: the SMS writes one
 * when it releases the dataset key to an attested enclave (kind
 * KEY_RELEASE) and one when the task it served is completed on chain
 * (kind RESULT, carrying the enclave's result signature). Each receipt is
 * signed by the SMS's receipt key (secp256k1, sealed in the SMS vault) and
 * linked to the previous receipt of the same dataset by its hash, in an
 * append-only log file per dataset: <sms dir>/receipts/<dataset>.log.
 *
 * Log file: a sequence of frames u32be(len) ‖ record (len bytes). An
 * append writes one whole frame with one write() and fdatasync()s before
 * it returns; nothing already written is ever rewritten. A crash during an
 * append leaves a torn tail (a frame shorter than its length prefix): a
 * reader reports it and ignores it, the next appender truncates exactly
 * those never-acknowledged bytes (and logs it) before appending.
 *
 * A grant policy is the data owner's signed statement "dataset order H may
 * be used until T for purpose P". It lives off-chain with the SMS (and the
 * market, which stops listing the order after T): <sms dir>/policies/
 * <order hash>.json, written once, never replaced. The SMS refuses the key
 * after T (code GRANT_EXPIRED) whatever volume the order has left, and
 * hands the purpose to the app as DECC_GRANT_PURPOSE.
 *
 * Verification (decc_rcpt_verify_log / decc_rcpt_verify_chain) checks the
 * hash chain and sequence numbers, every signature against a pinned SMS
 * signer, then each receipt against the chain's deal and task: a release
 * without a matching deal, a dropped or reordered receipt, a forged or
 * replayed one is reported as an issue.
 *
 * Thread-safety: a decc_rcpt_store may be used from several threads (one
 * mutex) and several processes (flock on the log during an append).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL when it returns a pointer; a void function returns at
 * once) without touching anything.
 */
#ifndef DECC_RECEIPTS_H
#define DECC_RECEIPTS_H

#include "chain.h"
#include "common.h"
#include "keys.h"
#include "vault.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- receipts ------------------------------------------------------------ */

/* Record magic and version (first 5 bytes of every record). */
#define DECC_RCPT_MAGIC "DRC1"
#define DECC_RCPT_VERSION 1
/* Longest purpose text (UTF-8 bytes, no NUL, no control characters). */
#define DECC_RCPT_PURPOSE_MAX 256
/* Size of a record without its purpose bytes; a record is exactly
 * DECC_RCPT_FIXED_LEN + purpose_len bytes (layout in docs/receipts.md). */
#define DECC_RCPT_FIXED_LEN 646
/* Largest record. */
#define DECC_RCPT_MAX_LEN (DECC_RCPT_FIXED_LEN + DECC_RCPT_PURPOSE_MAX)

typedef enum decc_rcpt_kind {
  DECC_RCPT_KEY_RELEASE = 1, /* the SMS released the dataset key */
  DECC_RCPT_RESULT = 2       /* the task the key served was completed */
} decc_rcpt_kind;

/* One receipt. Fixed-size fields; the purpose is inline. */
typedef struct decc_rcpt {
  uint8_t kind;        /* decc_rcpt_kind */
  uint64_t seq;        /* 0-based position in the dataset's log */
  uint64_t time;       /* SMS wall clock, unix seconds */
  uint64_t chain_time; /* chain's latest block timestamp then */
  uint64_t chain_id;
  uint8_t prev[32]; /* decc_rcpt_hash of record seq-1 (zero at 0) */
  decc_address dataset;
  uint8_t deal_id[32];
  uint8_t task_id[32];
  uint64_t task_index;
  decc_address app;
  uint8_t app_checksum[32];     /* the app's on-chain checksum = the
                                   measurement the enclave attested */
  uint8_t dataset_checksum[32]; /* the dataset's on-chain checksum */
  decc_address requester;
  decc_address beneficiary;
  decc_address workerpool;
  decc_address worker;
  decc_address enclave;      /* the task's enclave challenge address */
  uint8_t price[32];         /* dataset price paid per task (nRLC, u256 BE) */
  uint8_t grant[32];         /* dataset order hash (zero: not found) */
  uint64_t grant_expires;    /* policy expiry, unix s (0: none) */
  uint8_t result_hash[32];   /* RESULT: the contribution's resultHash */
  uint8_t result_seal[32];   /* RESULT: resultSeal */
  uint8_t result_digest[32]; /* RESULT: the task's resultDigest */
  uint8_t enclave_sig[65];   /* RESULT: the enclave's personal_sign of
                               H(resultHash ‖ resultSeal) (all zero when
                               unavailable, see docs/receipts.md) */
  size_t purpose_len;
  char purpose[DECC_RCPT_PURPOSE_MAX + 1]; /* NUL-terminated */
  uint8_t sig[65]; /* SMS signature of decc_rcpt_digest */
} decc_rcpt;

/* Serialises r (every field but nothing else) into out (cap bytes, at
 * least DECC_RCPT_FIXED_LEN + r->purpose_len). Out: *len.
 * Returns: DECC_OK; DECC_E_INVALID (bad kind, purpose too long or with a
 * NUL); DECC_E_LIMIT (cap too small). */
DECC_API decc_status decc_rcpt_encode(const decc_rcpt *r, uint8_t *out,
                                      size_t cap, size_t *len) DECC_WARN_UNUSED;
/* Parses one record of exactly n bytes (strict: magic, version, kind,
 * purpose length and UTF-8, no trailing bytes). Signatures are not
 * checked here. Returns: DECC_OK; DECC_E_PARSE (err names the field). */
DECC_API decc_status decc_rcpt_decode(decc_rcpt *r, const uint8_t *rec,
                                      size_t n, decc_err *err) DECC_WARN_UNUSED;
/* The digest the SMS signs: keccak256 of the record without its last 65
 * bytes (the signature). Returns: DECC_OK or decc_rcpt_encode's errors. */
DECC_API decc_status decc_rcpt_digest(uint8_t out32[32],
                                      const decc_rcpt *r) DECC_WARN_UNUSED;
/* The record's hash, which the next record's prev holds: keccak256 of the
 * whole record, signature included. Returns as decc_rcpt_digest. */
DECC_API decc_status decc_rcpt_hash(uint8_t out32[32],
                                    const decc_rcpt *r) DECC_WARN_UNUSED;
/* Signs r (sets r->sig) with sk32. Returns: DECC_OK; DECC_E_INVALID. */
DECC_API decc_status decc_rcpt_sign(decc_rcpt *r,
                                    const uint8_t sk32[32]) DECC_WARN_UNUSED;
/* Recovers the signer of r. Returns: DECC_OK; DECC_E_BAD_SIGNATURE. */
DECC_API decc_status decc_rcpt_signer(decc_address *out,
                                      const decc_rcpt *r) DECC_WARN_UNUSED;
/* JSON object of r (hex fields 0x-prefixed, addresses checksummed).
 * Out: *json (decc_free). Returns: DECC_OK; DECC_E_NOMEM. */
DECC_API decc_status decc_rcpt_to_json(char **json,
                                       const decc_rcpt *r) DECC_WARN_UNUSED;
/* "key-release" / "result" / "unknown". */
DECC_API const char *decc_rcpt_kind_name(unsigned kind);

/* ---- reading a log --------------------------------------------------------- */

/* The receipts of one log, in file order, and what the reader met. */
typedef struct decc_rcpt_list {
  decc_rcpt *items;
  size_t n;
  uint64_t torn_bytes; /* bytes of an incomplete last frame (ignored) */
  uint64_t bad_frames; /* complete frames that do not parse (reported
                            by verify; their bytes are skipped) */
} decc_rcpt_list;

DECC_API void decc_rcpt_list_clear(decc_rcpt_list *l);

/* Reads the log file at path (at most max_records receipts; 0 = 10^7).
 * A missing file is an empty list. Out: *out (decc_rcpt_list_clear).
 * Returns: DECC_OK; DECC_E_IO; DECC_E_LIMIT; DECC_E_NOMEM. */
DECC_API decc_status decc_rcpt_log_read(decc_rcpt_list *out, const char *path,
                                        size_t max_records,
                                        decc_err *err) DECC_WARN_UNUSED;
/* The log path of a dataset under a receipts directory:
 * <dir>/<0x lowercase dataset>.log. Out: *path (decc_free). */
DECC_API decc_status decc_rcpt_log_path(
    char **path, const char *dir, const decc_address *dataset) DECC_WARN_UNUSED;

/* ---- verification -------------------------------------------------------- */

/* One problem found by verification (static code, message). */
typedef struct decc_rcpt_issue {
  uint64_t seq;     /* receipt position (UINT64_MAX: the whole log) */
  const char *code; /* e.g. "BAD_SIGNATURE", "CHAIN_BROKEN" */
  char msg[200];
} decc_rcpt_issue;

typedef struct decc_rcpt_report {
  decc_rcpt_issue *issues;
  size_t n;
  size_t checked;       /* receipts examined */
  size_t chain_checked; /* receipts cross-checked against the chain */
  decc_address signer;  /* the signer the log was checked against */
  uint64_t torn_bytes;  /* a torn tail (crash during an append): a
                             warning, not an issue — those bytes were never
                             acknowledged and the next append drops them */
} decc_rcpt_report;

DECC_API void decc_rcpt_report_clear(decc_rcpt_report *r);

/* Checks a log on its own: torn tail / bad frames, every sequence number
 * (0, 1, 2, … in order: a dropped or reordered receipt breaks it), every
 * prev link (a removed, inserted or replayed record breaks it), the
 * dataset field, and every signature against `signer` (NULL: the signer of
 * the first receipt, recorded in rep->signer — then pin it yourself).
 * Issue codes: BAD_FRAME, WRONG_DATASET, SEQ_GAP, CHAIN_BROKEN,
 * BAD_SIGNATURE, REPLAYED (a receipt repeated: the same release, or a
 * second result for one task; a task's key released again to a retrying
 * worker is a distinct, legitimate receipt), RESULT_WITHOUT_RELEASE,
 * BAD_ENCLAVE_SIGNATURE.
 * Returns: DECC_OK (issues, if any, are in *rep); DECC_E_NOMEM. */
DECC_API decc_status decc_rcpt_verify_log(decc_rcpt_report *rep,
                                          const decc_rcpt_list *l,
                                          const decc_address *dataset,
                                          const decc_address *signer,
                                          decc_err *err) DECC_WARN_UNUSED;

/* Cross-checks each receipt against the chain (decc/hub.h): the deal
 * exists, names this dataset, app, requester and price, and was made by
 * the grant (the OrdersMatched event's datasetHash); the task belongs to
 * the deal at task_index; the app's checksum is the one recorded; a
 * RESULT receipt's task is COMPLETED with that result digest and the
 * contribution's resultHash / resultSeal / enclaveChallenge; and the chain
 * id matches. Issue codes: CHAIN_ID, NO_DEAL, DEAL_MISMATCH, NO_GRANT,
 * TASK_MISMATCH, APP_MISMATCH, RESULT_MISMATCH.
 * Returns: DECC_OK (issues in *rep); chain errors that prevent checking. */
DECC_API decc_status decc_rcpt_verify_chain(decc_rcpt_report *rep,
                                            const decc_rcpt_list *l,
                                            decc_chain *chain,
                                            decc_err *err) DECC_WARN_UNUSED;

/* Checks the log is complete against the chain: every task of every deal
 * of `dataset` (the hub's OrdersMatched events, then viewDeal) that is
 * COMPLETED on chain has a KEY_RELEASE receipt in l. Catches receipts cut
 * off the end of a log, which the hash chain alone cannot. Issue code:
 * MISSING_RECEIPT (the message says it may also be a task served by
 * another SMS holding the same dataset key). At most 10,000 deals.
 * Returns: DECC_OK (issues in *rep); chain errors; DECC_E_NOMEM. */
DECC_API decc_status decc_rcpt_verify_coverage(decc_rcpt_report *rep,
                                               const decc_rcpt_list *l,
                                               const decc_address *dataset,
                                               decc_chain *chain,
                                               decc_err *err) DECC_WARN_UNUSED;

/* Report as JSON {"ok":bool,"checked":n,"chainChecked":n,"signer":"0x…",
 * "issues":[{"seq":n|null,"code":"…","message":"…"}]}. Out: *json
 * (decc_free). Returns: DECC_OK; DECC_E_NOMEM. */
DECC_API decc_status decc_rcpt_report_to_json(
    char **json, const decc_rcpt_report *rep) DECC_WARN_UNUSED;

/* The hub's OrdersMatched hashes of a deal: app, dataset, workerpool,
 * request order hashes (in that order). Scans the hub's logs.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no such deal); chain errors. */
DECC_API decc_status decc_rcpt_deal_orders(decc_chain *chain,
                                           const uint8_t dealid32[32],
                                           uint8_t hashes[4][32],
                                           decc_err *err) DECC_WARN_UNUSED;

/* ---- the SMS's receipt store ------------------------------------------------ */

typedef struct decc_rcpt_store decc_rcpt_store;

/* Name of the receipt signing key in the SMS vault (kind WEB2, owner the
 * zero address: no one can push a secret for it). */
#define DECC_RCPT_KEY_NAME "decc-receipts-signing-key"

/* Opens the store of an SMS: logs in <sms_dir>/receipts, policies in
 * <sms_dir>/policies (both created, mode 0700); the signing key is read
 * from the vault, or generated and sealed there on first use; its address
 * is written to <sms_dir>/receipts/signer (public, for the owner's CLI).
 * v is borrowed (must outlive the store).
 * Returns: DECC_OK; DECC_E_IO; the vault's errors; DECC_E_NOMEM. */
DECC_API decc_status decc_rcpt_store_open(decc_rcpt_store **out,
                                          const char *sms_dir, decc_vault *v,
                                          decc_err *err) DECC_WARN_UNUSED;
DECC_API void decc_rcpt_store_close(decc_rcpt_store *s);
/* The store's signer address. */
DECC_API void decc_rcpt_store_signer(const decc_rcpt_store *s,
                                     decc_address *out);
/* The receipts directory (borrowed string). */
DECC_API const char *decc_rcpt_store_dir(const decc_rcpt_store *s);
/* The policies directory (borrowed string). */
DECC_API const char *decc_rcpt_store_policy_dir(const decc_rcpt_store *s);

/* Appends r to its dataset's log: sets r->seq and r->prev from the log's
 * tail, signs r, writes one frame, fdatasync()s (and fsyncs the directory
 * when the file is new). Truncates a torn tail first (reported through
 * `log`, optional). Returns only once the receipt is durable.
 * Returns: DECC_OK; DECC_E_IO; DECC_E_CORRUPT (the log's last complete
 * record does not parse: nothing is appended; the owner must look);
 * DECC_E_INVALID (bad receipt). */
DECC_API decc_status decc_rcpt_store_append(
    decc_rcpt_store *s, decc_rcpt *r, void (*log)(void *ctx, const char *line),
    void *log_ctx, decc_err *err) DECC_WARN_UNUSED;

/* ---- grant policies ------------------------------------------------------------ */

/* The owner's policy for one dataset order. */
typedef struct decc_grant_policy {
  decc_address dataset;
  uint8_t order_hash[32]; /* EIP-712 hash of the dataset order */
  uint64_t expires;       /* unix seconds; 0 = never */
  size_t purpose_len;
  char purpose[DECC_RCPT_PURPOSE_MAX + 1];
  uint8_t sig[65]; /* owner's personal_sign of decc_grant_policy_hash */
} decc_grant_policy;

/* keccak256("DECC-GRANT-POLICY-V1" ‖ dataset(20) ‖ orderHash(32) ‖
 * u64be(expires) ‖ keccak256(purpose)). */
DECC_API void decc_grant_policy_hash(uint8_t out32[32],
                                     const decc_grant_policy *p);
/* Signs p as the owner (personal_sign of the hash, EIP-191).
 * Returns: DECC_OK; DECC_E_INVALID (bad key or purpose). */
DECC_API decc_status decc_grant_policy_sign(
    decc_grant_policy *p, const uint8_t sk32[32]) DECC_WARN_UNUSED;
/* Checks p's purpose (UTF-8, no control characters, at most
 * DECC_RCPT_PURPOSE_MAX bytes) and that it is signed by `owner`.
 * Returns: DECC_OK; DECC_E_INVALID; DECC_E_BAD_SIGNATURE ("signed by 0x…,
 * not the dataset owner 0x…"). */
DECC_API decc_status decc_grant_policy_verify(const decc_grant_policy *p,
                                              const decc_address *owner,
                                              decc_err *err) DECC_WARN_UNUSED;
/* JSON {"dataset","orderHash","expires","purpose","signature"}.
 * Out: *json (decc_free). Returns: DECC_OK; DECC_E_NOMEM. */
DECC_API decc_status decc_grant_policy_to_json(
    char **json, const decc_grant_policy *p) DECC_WARN_UNUSED;
/* Parses that JSON (strict; at most 4096 bytes).
 * Returns: DECC_OK; DECC_E_PARSE; DECC_E_INVALID (bad purpose). */
DECC_API decc_status
decc_grant_policy_from_json(decc_grant_policy *p, const char *json, size_t n,
                            decc_err *err) DECC_WARN_UNUSED;
/* Stores a policy the caller has verified against the dataset's owner
 * (decc_grant_policy_verify), in <dir>/<orderHash>.json, atomically and
 * once: an identical policy again is DECC_OK (idempotent); a different one
 * for the same order is DECC_E_EXISTS; a policy whose expiry is at or
 * before `now` is refused (DECC_E_STATE, "policy expired at …": an expired
 * policy presented again never revives a grant).
 * Returns: DECC_OK; DECC_E_EXISTS; DECC_E_STATE; DECC_E_IO. */
DECC_API decc_status decc_grant_policy_store(const char *dir,
                                             const decc_grant_policy *p,
                                             uint64_t now,
                                             decc_err *err) DECC_WARN_UNUSED;
/* Loads the policy of order_hash from dir (its signature is checked
 * again by the caller when it matters).
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no policy: the grant has no expiry
 * and no purpose); DECC_E_PARSE / DECC_E_CORRUPT; DECC_E_IO. */
DECC_API decc_status decc_grant_policy_load(const char *dir,
                                            const uint8_t order_hash32[32],
                                            decc_grant_policy *p,
                                            decc_err *err) DECC_WARN_UNUSED;

/* ---- the SMS hook ------------------------------------------------------------ */

/* What the SMS knows when it is about to release a dataset key. */
typedef struct decc_rcpt_release {
  uint64_t wall_now, chain_now, chain_id;
  const uint8_t *task_id, *deal_id; /* 32 bytes each */
  uint64_t task_index;
  const decc_address *dataset, *dataset_owner, *app, *requester, *beneficiary,
      *workerpool, *worker, *enclave;
  const uint8_t *app_checksum, *dataset_checksum; /* 32 bytes */
  const uint8_t *price32;                         /* u256 BE */
  const uint8_t *grant32; /* dataset order hash; NULL: unknown */
} decc_rcpt_release;

/* Before the release: the policy of the grant (if any) must be signed by
 * the dataset's owner and not expired at max(wall_now, chain_now).
 * Out: *policy (zeroed when there is none), *code (static refusal code:
 * "GRANT_EXPIRED", "GRANT_POLICY_INVALID").
 * Returns: DECC_OK (release allowed); DECC_E_DENIED (refused; err says
 * why); DECC_E_IO / DECC_E_CORRUPT (policy unreadable: refused too). */
DECC_API decc_status decc_rcpt_release_check(decc_rcpt_store *s,
                                             const decc_rcpt_release *rel,
                                             decc_grant_policy *policy,
                                             const char **code,
                                             decc_err *err) DECC_WARN_UNUSED;
/* After the session is built: appends the KEY_RELEASE receipt (with the
 * policy's purpose and expiry). Returns as decc_rcpt_store_append. */
DECC_API decc_status decc_rcpt_release_record(
    decc_rcpt_store *s, const decc_rcpt_release *rel,
    const decc_grant_policy *policy, void (*log)(void *ctx, const char *line),
    void *log_ctx, decc_err *err) DECC_WARN_UNUSED;

/* Appends the RESULT receipts missing from a dataset's log: for every
 * KEY_RELEASE whose task is now COMPLETED on `chain` and that has no
 * RESULT receipt yet, one RESULT receipt with the task's resultDigest, the
 * contribution's resultHash / resultSeal / enclaveChallenge and the
 * enclave's signature (see docs/receipts.md for where it comes from).
 * Out: *added (optional). Returns: DECC_OK; chain and store errors. */
DECC_API decc_status decc_rcpt_sync_results(decc_rcpt_store *s,
                                            decc_chain *chain,
                                            const decc_address *dataset,
                                            size_t *added,
                                            decc_err *err) DECC_WARN_UNUSED;

/* ---- owner access over HTTP ---------------------------------------------------- */

/* The challenge the owner signs (personal_sign, EIP-191) to read a
 * dataset's receipts from a node: keccak256("DECC-RECEIPTS-READ-V1" ‖
 * dataset(20) ‖ u64be(timestamp)). The node accepts a timestamp within
 * DECC_RCPT_AUTH_WINDOW seconds of its clock. */
#define DECC_RCPT_AUTH_WINDOW 300
DECC_API void decc_rcpt_read_challenge(uint8_t out32[32],
                                       const decc_address *dataset,
                                       uint64_t timestamp);

#ifdef __cplusplus
}
#endif
#endif /* DECC_RECEIPTS_H */
