/*
 * decc/enclave.h — the enclave runtime: one task from its session to its
 * signed result (iexec-protocol.md §5.3–5.7).
 *
 *   pre-compute   fetch the dataset named by the session from the content
 *                 store (blockstore, Kubo node or http URL), check the
 *                 on-chain checksum ("0x"+sha256 of the encrypted bytes),
 *                 decrypt it with the session key into
 *                 $IEXEC_IN/<dataset address>; input files by URL into
 *                 $IEXEC_IN/0x<sha256(url)>;
 *   app           the app bundle (fetched from the store, unpacked only if
 *                 its SHA-256 is the measurement) run in the sandbox
 *                 (decc/sandbox.h) with the app environment of the session;
 *   post-compute  computed.json → result digest (file / directory /
 *                 callback rule) → zip of /iexec_out (regular files,
 *                 Deflate, no directory entries, fixed timestamps) →
 *                 encrypted for the beneficiary when asked → uploaded to
 *                 the store → enclave signature of H(resultHash ‖
 *                 resultSeal) with the session's enclave challenge key.
 *
 * Two ways in:
 *   decc_enclave_run_session  runs a decrypted session in the calling
 *                 process (tests, standard non-TEE tasks whose "session"
 *                 holds no secret: decc_enclave_standard_session);
 *   decc_enclave_launch_run   the attested path: forks the enclave process,
 *                 which makes an X25519 key pair, asks (through the
 *                 caller's relay) for an SMS nonce, gets a quote from its
 *                 TEE backend over (measurement, key, task, nonce), has the
 *                 relay send the quote to the SMS and opens the sealed
 *                 session it gets back. The plaintext session (dataset key,
 *                 secrets, enclave signing key) only ever exists in that
 *                 child process, in secure memory, wiped before it exits;
 *                 the caller (the worker) only relays nonces, quotes and
 *                 ciphertext and receives the non-secret outcome.
 *
 * Every failure ends in an outcome with a cause (decc_task_cause) and a one
 * line detail that never holds a secret. The app's stdout/stderr are kept
 * (bounded) in <work_dir>/logs/{stdout,stderr}.txt for the worker to store
 * as task logs.
 *
 * What the software enclave protects and what it does not: see
 * docs/internals/worker.md and docs/internals/enclave.md.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_ENCLAVE_H
#define DECC_ENCLAVE_H

#include "attest.h"
#include "buf.h"
#include "common.h"
#include "keys.h"

#ifdef __cplusplus
extern "C" {
#endif

struct decc_blockstore;

/* Why a task failed. Stable numbers (stored in state tables). */
#define DECC_TASK_CAUSE_MAP(XX)                                                \
  XX(NONE, 0, "no failure")                                                    \
  XX(APP_EXIT_CODE, 1, "the app exited with a non-zero code")                  \
  XX(APP_SIGNALED, 2, "the app was killed by a signal (CPU / memory limit)")   \
  XX(APP_TIMEOUT, 3, "the app exceeded its wall-clock limit")                  \
  XX(OUTPUT_TOO_LARGE, 4, "the app's output exceeded the size limit")          \
  XX(SANDBOX_FAILED, 5, "the sandbox could not be set up")                     \
  XX(APP_FETCH_FAILED, 6, "the app bundle could not be fetched")               \
  XX(APP_MEASUREMENT_MISMATCH, 7,                                              \
     "the app bundle does not match the on-chain checksum")                    \
  XX(APP_BUNDLE_INVALID, 8, "the app bundle is not a valid bundle")            \
  XX(DATASET_FETCH_FAILED, 9, "the dataset could not be fetched")              \
  XX(DATASET_CHECKSUM_MISMATCH, 10,                                            \
     "pre-compute: the dataset does not match its on-chain checksum")          \
  XX(DATASET_DECRYPTION_FAILED, 11, "pre-compute: dataset decryption failed")  \
  XX(INPUT_FILE_FETCH_FAILED, 12, "pre-compute: an input file failed")         \
  XX(COMPUTED_FILE_INVALID, 13, "computed.json is missing or invalid")         \
  XX(RESULT_DIGEST_FAILED, 14, "the result digest could not be computed")      \
  XX(RESULT_TOO_LARGE, 15, "the result archive exceeded the size limit")       \
  XX(RESULT_ENCRYPTION_FAILED, 16, "result encryption failed")                 \
  XX(RESULT_UPLOAD_FAILED, 17, "the result could not be uploaded")             \
  XX(ATTESTATION_FAILED, 18, "the enclave could not be attested")              \
  XX(SMS_REFUSED, 19, "the SMS refused the session")                           \
  XX(SESSION_INVALID, 20, "the session could not be opened or parsed")         \
  XX(ENCLAVE_CRASHED, 21, "the enclave process died")                          \
  XX(CONTRIBUTION_FAILED, 22, "the contribution transaction failed")           \
  XX(NOT_AUTHORIZED, 23, "the worker is not authorized for the task")          \
  XX(DEADLINE_REACHED, 24, "the task passed its final deadline (claimed)")     \
  XX(CONSENSUS_LOST, 25, "the worker's result lost the consensus")             \
  XX(UNSUPPORTED_TASK, 26, "the task needs a feature this worker lacks")       \
  XX(INTERNAL, 27, "internal error")                                           \
  XX(BULK_DATASET_REFUSED, 28,                                                 \
     "pre-compute: the SMS released no key for a dataset of the bulk slice")

#define DECC_CAUSE_XX_ENUM(name, value, text) DECC_CAUSE_##name = value,
typedef enum decc_task_cause {
  DECC_TASK_CAUSE_MAP(DECC_CAUSE_XX_ENUM)
} decc_task_cause;
#undef DECC_CAUSE_XX_ENUM

/* Returns: the stable name ("APP_EXIT_CODE", …) / a short description of a
 * cause; "UNKNOWN" for values outside the map. Static strings. */
DECC_API const char *decc_task_cause_name(decc_task_cause c);
DECC_API const char *decc_task_cause_text(decc_task_cause c);
/* Parses a cause name. Returns: DECC_OK or DECC_E_NOT_FOUND. */
DECC_API decc_status decc_task_cause_parse(decc_task_cause *c,
                                           const char *name) DECC_WARN_UNUSED;

/* Limits of one run. */
typedef struct decc_enclave_limits {
  uint32_t wall_ms;           /* app wall clock, default 60000 */
  uint32_t cpu_seconds;       /* default 60 */
  uint64_t mem_max_bytes;     /* default 1 GiB */
  uint64_t out_max_bytes;     /* /iexec_out tmpfs, default 64 MiB */
  uint64_t result_max_bytes;  /* uploaded archive, default 64 MiB */
  uint64_t dataset_max_bytes; /* encrypted dataset, default 1 GiB */
  uint64_t input_max_bytes;   /* each input file, default 256 MiB */
  uint64_t bundle_max_bytes;  /* app bundle, default 256 MiB */
  uint64_t log_max_bytes;     /* kept per stream (stdout, stderr), 64 KiB */
  unsigned max_input_files;   /* default 64 */
  long fetch_timeout_s;       /* each download, default 120 */
} decc_enclave_limits;

DECC_API void decc_enclave_limits_init(decc_enclave_limits *l);

/* Where content lives: a local blockstore (bs) or a Kubo RPC node
 * (ipfs_api_url, e.g. "http://127.0.0.1:5001"). Exactly one is set.
 * http(s) dataset / bundle URLs are fetched directly either way. */
typedef struct decc_enclave_store {
  struct decc_blockstore *bs;
  const char *ipfs_api_url;
} decc_enclave_store;

/* Most bytes of callback data / results JSON in an outcome. */
#define DECC_ENCLAVE_CALLBACK_MAX 4096
#define DECC_ENCLAVE_RESULTS_MAX 512
/* Most datasets of a bulk slice pre-compute accepts (the iexec SDK's
 * MAX_DATASET_PER_TASK; docs/internals/bulk.md). */
#define DECC_ENCLAVE_BULK_MAX 100

/* What a run produced: plain data (no pointers, no secrets), so it can
 * cross a pipe from the enclave process. */
typedef struct decc_enclave_outcome {
  decc_task_cause cause; /* NONE = success */
  int exit_code;         /* app exit code (APP_EXIT_CODE) */
  int signal;            /* APP_SIGNALED */
  char detail[256];      /* one line, no secret; "" on success */
  char sms_code[96];     /* SMS_REFUSED: the SMS's refusal code */
  uint8_t result_digest[32];
  uint8_t result_hash[32];        /* H(taskid ‖ digest) */
  uint8_t result_seal[32];        /* H(worker ‖ taskid ‖ digest) */
  int has_enclave_sign;           /* TEE runs */
  decc_address enclave_challenge; /* address of the session's signing key */
  uint8_t enclave_sign[65]; /* personal_sign(H(resultHash ‖ resultSeal)) */
  char results[DECC_ENCLAVE_RESULTS_MAX];      /* task.results JSON text */
  uint8_t callback[DECC_ENCLAVE_CALLBACK_MAX]; /* resultsCallback bytes */
  size_t callback_len;
  int has_callback;
  char result_cid[160];    /* uploaded archive ("" for callbacks) */
  uint64_t result_bytes;   /* size of the uploaded archive */
  uint8_t measurement[32]; /* SHA-256 of the bundle that ran */
  double pre_ms, app_ms, post_ms;
  /* Attested runs that signed a result: the enclave challenge key's
   * personal_sign of decc_enclave_quote_binding_message(quote) — the key
   * that signed the result vouching for the quote of the enclave that
   * held it (docs/provenance.md). */
  int has_quote_binding;
  uint8_t quote_binding[65];
} decc_enclave_outcome;

/* The message the enclave challenge key personal_signs to bind itself to
 * the enclave's quote: keccak256("decc-quote-binding-v1" ‖
 * decc_quote_digest(q)) (the digest covers backend, measurement, enclave
 * public key, task id, nonce and timestamp; a TDX quote's report data is
 * derived from the same claims). Distinct from the result message, a
 * keccak256 of 64 bytes. */
DECC_API void decc_enclave_quote_binding_message(uint8_t out32[32],
                                                 const decc_quote *q);

/* Runs a decrypted session in the calling process.
 *   session: the SMS session document (decc/sms.h, docs/api/sms-http.md:
 *     {"name","version","services":[{"name":"pre-compute"|"app"|
 *     "post-compute","environment":{…}[,"args"]}]}), len bytes;
 *   bundle: the app bundle bytes; it is unpacked only if its SHA-256
 *     equals the app service's "fingerprint" (when present) —
 *     APP_MEASUREMENT_MISMATCH otherwise;
 *   work_dir: an existing, empty directory (app/, in/, out/, logs/ are
 *     made inside; in/ and out/ are removed at the end, logs/ kept).
 * The session text should be in secure memory; this function wipes the
 * copies it makes. Out: *out (always filled).
 * Returns: DECC_OK when the run happened (success or a task failure: see
 * out->cause); DECC_E_INVALID (missing argument); DECC_E_IO (work_dir
 * unusable). */
DECC_API decc_status decc_enclave_run_session(
    decc_enclave_outcome *out, const char *session, size_t len,
    const uint8_t *bundle, size_t bundle_len, const char *work_dir,
    const decc_enclave_store *store, const decc_enclave_limits *limits,
    decc_err *err) DECC_WARN_UNUSED;

/* A standard (non-TEE) task: what the worker knows from the chain. */
typedef struct decc_enclave_standard {
  uint8_t task_id[32];
  uint8_t deal_id[32];
  uint64_t task_index, bot_first, bot_size;
  decc_address worker;
  decc_address callback;    /* zero when none */
  const char *params;       /* deal params (JSON or plain args) */
  uint8_t app_checksum[32]; /* on-chain (all zero: not checked) */
} decc_enclave_standard;

/* Builds the session document of a standard task (no dataset key, no
 * secrets, no enclave key, no encryption; input files and args from the
 * params). Out: *json (decc_free), *len. Returns: DECC_OK;
 * DECC_E_UNSUPPORTED (params ask for result encryption or secrets, which
 * need a TEE); DECC_E_PARSE (bad params); DECC_E_NOMEM. */
DECC_API decc_status decc_enclave_standard_session(
    char **json, size_t *len, const decc_enclave_standard *t,
    decc_err *err) DECC_WARN_UNUSED;

/* What the enclave asks of the worker process: both calls only carry
 * public data (a nonce, a quote) and ciphertext. */
typedef struct decc_enclave_relay {
  void *ctx;
  /* A fresh SMS attestation nonce for the task. code: SMS refusal code. */
  decc_status (*nonce)(void *ctx, uint8_t nonce32[32], const char **code,
                       decc_err *err);
  /* Sends the session request (the worker adds its WorkerpoolAuthorization
   * and signature) and returns the sealed session (decc_malloc'd). */
  decc_status (*session)(void *ctx, const decc_quote *quote, uint8_t **sealed,
                         size_t *sealed_len, const char **code, decc_err *err);
} decc_enclave_relay;

typedef struct decc_enclave_launch {
  uint8_t task_id[32];
  /* The app as registered: its multiaddr bytes (binary multiaddr or URL
   * text) and its on-chain checksum. */
  const uint8_t *app_multiaddr;
  size_t app_multiaddr_len;
  uint8_t app_checksum[32];
  const decc_tee_backend *backend; /* quotes (software or hardware) */
  decc_enclave_relay relay;
  const char *work_dir; /* as for decc_enclave_run_session */
  decc_enclave_store store;
  decc_enclave_limits limits;
  /* Tests only: run these bundle bytes instead of the registered app and
   * skip the local checksum pre-check (a host that swaps the code): the
   * quote then carries their measurement and the SMS must refuse. */
  const uint8_t *bundle_override;
  size_t bundle_override_len;
  /* When non-NULL: after a run that signed a result, the worker side writes
   * here, atomically, {"taskId","enclaveChallenge","quote","binding"} —
   * the quote it relayed (decc_quote_to_json) and the outcome's
   * quote_binding, checked to recover to the enclave challenge first —
   * so a requester can fetch the platform's attestation after the task
   * (node: GET /tasks/{id}/attestation). Nothing in it is secret. */
  const char *attestation_path;
  /* When non-NULL: the enclave process is a fresh program image. The
   * forked child moves the channel to fd 3 and executes exec_path with
   * argv {exec_path, DECC_ENCLAVE_CHILD_ARG}; that program must then call
   * decc_enclave_child_main(3) (the decc binary does). The launch
   * description (everything above but backend, relay and
   * attestation_path, which stay with the caller) is sent over the
   * channel; store.bs is reopened there by its directory. Use it whenever
   * the caller has other threads: a forked copy of a multi-threaded
   * process may hang on a lock another thread held at the fork
   * (docs/internals/worker.md). NULL: the forked copy runs the enclave
   * (single-threaded callers). */
  const char *exec_path;
  /* When non-zero: the worker side stops the enclave process (SIGKILL;
   * its sandboxed app dies with it) if no outcome has come after this
   * many seconds, and reports DEADLINE_REACHED. The worker sets it to the
   * time left before the task's contribution deadline, after which a
   * result could no longer be contributed: a hung enclave then costs the
   * workerpool that task, not its thread. 0: no deadline of the launch's
   * own (the process's limits bound it). */
  uint32_t deadline_s;
} decc_enclave_launch;

/* argv[1] of an enclave process started through exec_path. */
#define DECC_ENCLAVE_CHILD_ARG "__decc-enclave-child"

/* The enclave side of decc_enclave_launch_run in a program started through
 * exec_path: reads the launch description from fd, runs the enclave
 * (attestation relayed over fd, then the session), sends the outcome and
 * closes fd. Makes the process non-dumpable and without core dumps first.
 * Call it from main before starting threads; the process should exit with
 * the returned value.
 * Returns: 0 when the outcome was sent; 3 when the worker was gone;
 * 5 when the launch description was missing or malformed (then no outcome
 * is sent: the worker reports ENCLAVE_CRASHED). */
DECC_API int decc_enclave_child_main(int fd);

/* The attested path (file comment). Blocks until the enclave process
 * ends (its own limits bound it) or l->deadline_s passes. Out: *out.
 * Returns: DECC_OK when an outcome was produced (see out->cause, e.g.
 * SMS_REFUSED, ATTESTATION_FAILED, ENCLAVE_CRASHED, DEADLINE_REACHED);
 * DECC_E_INVALID;
 * DECC_E_INTERNAL (fork / pipe failure). */
DECC_API decc_status decc_enclave_launch_run(decc_enclave_outcome *out,
                                             const decc_enclave_launch *l,
                                             decc_err *err) DECC_WARN_UNUSED;

/* Fetches url — "/ipfs/<cid>" or "ipfs://<cid>" from store, or an
 * http(s) URL — into out (appended), at most max bytes, giving up after
 * timeout_s seconds. Content from the store is verified against its CID
 * before it is returned. This is how pre-compute fetches datasets, exposed
 * for the worker, which fetches app bundles the same way.
 * Returns: DECC_OK, DECC_E_LIMIT (larger than max), the store's or HTTP
 * client's errors (err names the URL). */
DECC_API decc_status decc_enclave_fetch(const decc_enclave_store *store,
                                        const char *url, decc_buf *out,
                                        uint64_t max, long timeout_s,
                                        decc_err *err) DECC_WARN_UNUSED;

/* The result digest of §5.6 for a path (file: "0x"+sha256; directory: the
 * direct children's sha256 concatenated and keccak-hashed in byte order of
 * their names, a sub-directory or unreadable child contributing nothing).
 * Returns: DECC_OK; DECC_E_NOT_FOUND; DECC_E_INVALID (empty file); DECC_E_IO. */
DECC_API decc_status decc_enclave_result_digest(uint8_t out32[32],
                                                const char *path,
                                                decc_err *err) DECC_WARN_UNUSED;

/* Zips the regular files under dir (relative names, no directory entries,
 * symlinks skipped, Deflate, fixed timestamps so equal content gives equal
 * bytes) into out_path (temp + rename). Fails with DECC_E_LIMIT past
 * max_bytes of input. Returns: DECC_OK, DECC_E_LIMIT, DECC_E_IO. */
DECC_API decc_status decc_enclave_zip_dir(const char *out_path, const char *dir,
                                          uint64_t max_bytes,
                                          decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_ENCLAVE_H */
