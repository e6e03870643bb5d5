/*
 * decc/sms.h — the secret management service (SMS): the iExec SMS
 * endpoints (web3 / web2 / app-developer / requester secrets, enclave
 * challenges, TEE sessions) plus decc's attestation step, as an
 * in-process service, HTTP routes, and a client.
 *
 * Trust model (docs/internals/sms.md): secrets are sealed at rest in a
 * decc_vault; a secret is written only by the party iExec names (the
 * dataset's current owner(), the owner address itself, the app's owner(),
 * the requester) with the exact iExec personal_sign challenges
 * (decc/sms_auth.h). Secrets leave the SMS only inside a session, sealed to
 * the X25519 key of an enclave that presented an attestation quote
 * (decc/attest.h) signed by a trusted platform key, carrying a nonce the
 * SMS issued, for the task in the request, whose measurement equals the
 * app's on-chain checksum; the task must be ACTIVE with a TEE deal, the
 * worker authorised by the workerpool owner and the request signed by the
 * worker (iExec's checks); the enclave challenge must be the SMS's key for
 * that task. The session holds only what the deal entitles.
 *
 * On-chain reads go through a decc_sms_chain_view, a small table of
 * callbacks with two implementations: one over a decc_chain (ABI view
 * calls) and an in-memory one (tests, benchmarks, dry runs).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (code, expires_at, err, the HTTP prefix; a value or sealed buffer may be
 * NULL when its length is 0; the destroy and clear functions take NULL as
 * a no-op). A secret name, requester key or Authorization header is
 * outside input: NULL is refused like any invalid one (DECC_E_INVALID or
 * DECC_E_PARSE with a code), and decc_sms_requester_key_valid /
 * decc_sms_web2_name_valid return 0 for it. Any other NULL is reported to
 * the misuse handler (decc_set_misuse_handler, common.h) and the function
 * returns DECC_E_INVALID (NULL for decc_sms_vault; a void function returns
 * at once) without touching anything — except that decc_sms_create still
 * destroys cfg->chain when out is NULL, as it owns the view.
 *
 * Thread-safety: a decc_sms may be used from several threads at once (the
 * HTTP server's); the chain view over decc_chain serialises its calls.
 */
#ifndef DECC_SMS_H
#define DECC_SMS_H

#include "attest.h"
#include "chain.h"
#include "common.h"
#include "http.h"
#include "keys.h"
#include "poco.h"
#include "vault.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- chain view ---------------------------------------------------------- */

struct decc_order;      /* decc/order.h */
struct decc_blockstore; /* decc/store.h */

/* PoCo task statuses (viewTask) are decc/poco.h's DECC_TASK_*; these
 * older names stay as aliases of them for existing callers. */
#define DECC_SMS_TASK_UNSET DECC_TASK_UNSET
#define DECC_SMS_TASK_ACTIVE DECC_TASK_ACTIVE
#define DECC_SMS_TASK_REVEALING DECC_TASK_REVEALING
#define DECC_SMS_TASK_COMPLETED DECC_TASK_COMPLETED
#define DECC_SMS_TASK_FAILED DECC_TASK_FAILED

/* The fields of viewTask the SMS uses. */
typedef struct decc_sms_task {
  unsigned status; /* DECC_TASK_* (decc/poco.h) */
  uint8_t deal_id[32];
  uint64_t index;          /* idx */
  uint64_t final_deadline; /* unix seconds */
} decc_sms_task;

/* The fields of viewDeal the SMS uses. params is owned (decc_sms_deal_clear). */
typedef struct decc_sms_deal {
  decc_address app, app_owner;
  decc_address dataset, dataset_owner; /* zero when the deal has none */
  decc_address workerpool, workerpool_owner;
  decc_address requester, beneficiary, callback;
  uint8_t tag[32];
  uint64_t trust, category, start_time, bot_first, bot_size;
  char *params; /* deal params string (decc_malloc'd, never NULL once filled) */
} decc_sms_deal;

/* An app or dataset registry entry: checksum and multiaddr bytes (owned). */
typedef struct decc_sms_asset {
  uint8_t checksum[32];
  uint8_t *multiaddr; /* decc_malloc'd (NULL when empty) */
  size_t multiaddr_len;
} decc_sms_asset;

DECC_API void decc_sms_deal_clear(decc_sms_deal *d);
DECC_API void decc_sms_asset_clear(decc_sms_asset *a);

/* What the SMS reads from the chain. Every callback returns DECC_OK,
 * DECC_E_NOT_FOUND (no such entry / task / deal; err says which) or an
 * error of the backend. `now` is the chain's time (latest block timestamp),
 * used for task deadlines. destroy (optional) releases ctx. */
typedef struct decc_sms_chain_view {
  void *ctx;
  decc_status (*owner_of)(void *ctx, const decc_address *entry,
                          decc_address *owner, decc_err *err);
  decc_status (*task)(void *ctx, const uint8_t taskid32[32], decc_sms_task *out,
                      decc_err *err);
  decc_status (*deal)(void *ctx, const uint8_t dealid32[32], decc_sms_deal *out,
                      decc_err *err);
  decc_status (*app)(void *ctx, const decc_address *app, decc_sms_asset *out,
                     decc_err *err);
  decc_status (*dataset)(void *ctx, const decc_address *dataset,
                         decc_sms_asset *out, decc_err *err);
  decc_status (*now)(void *ctx, uint64_t *out, decc_err *err);
  void (*destroy)(void *ctx);
  /* Bulk processing (docs/internals/bulk.md): PoCo 6.1's
   * assertDatasetDealCompatibility(datasetOrder, dealId) view. Returns
   * DECC_OK when the order may serve the deal; DECC_E_REVERT with err
   * holding PoCo's reason ("Dataset order is revoked or fully consumed",
   * "Invalid dataset order signature", "App restriction not satisfied",
   * …); other errors of the backend. Optional: when NULL every dataset of
   * a bulk slice is refused ("this chain view cannot check …"). */
  decc_status (*dataset_order_compatible)(void *ctx,
                                          const struct decc_order *order,
                                          const uint8_t dealid32[32],
                                          decc_err *err);
  /* Receipts (decc/receipts.h): the deal's dataset price (u256 BE), the
   * hashes of the orders it matched (app, dataset, workerpool, request:
   * the hub's OrdersMatched event) and the chain id. Optional: when NULL
   * receipts name no grant and no price, and no grant policy (expiry,
   * purpose) can apply. */
  decc_status (*deal_grant)(void *ctx, const uint8_t dealid32[32],
                            uint8_t price32[32], uint8_t orders[4][32],
                            uint64_t *chain_id, decc_err *err);
} decc_sms_chain_view;

/* A chain view over a decc_chain: owner() of the entry contract,
 * viewTask / viewDeal on the hub, m_appChecksum / m_appMultiaddr,
 * m_datasetChecksum / m_datasetMultiaddr, latest block timestamp. Calls
 * are serialised by a mutex (a decc_chain is single-threaded). When
 * take_chain is 1 the view destroys the chain in its destroy callback.
 * Returns: DECC_OK, DECC_E_NOMEM, or the chain's error reading the hub
 * address. */
DECC_API decc_status decc_sms_chain_view_over(decc_sms_chain_view *out,
                                              decc_chain *chain, int take_chain,
                                              decc_err *err) DECC_WARN_UNUSED;

/* ---- in-memory chain view (tests, benchmarks, dry runs) ----------------- */

typedef struct decc_sms_memchain decc_sms_memchain;

/* Creates an empty in-memory chain (time 0). Returns: DECC_OK, DECC_E_NOMEM. */
DECC_API decc_status decc_sms_memchain_create(decc_sms_memchain **out)
    DECC_WARN_UNUSED;
/* Frees it. NULL is a no-op. A view made by decc_sms_memchain_view borrows
 * the memchain: destroy the SMS first. */
DECC_API void decc_sms_memchain_destroy(decc_sms_memchain *m);
/* Sets (or replaces) the owner() of an entry (dataset, app, workerpool). */
DECC_API decc_status
decc_sms_memchain_set_owner(decc_sms_memchain *m, const decc_address *entry,
                            const decc_address *owner) DECC_WARN_UNUSED;
/* Sets an app / dataset record (checksum, multiaddr bytes copied). */
DECC_API decc_status decc_sms_memchain_set_asset(decc_sms_memchain *m,
                                                 const decc_address *entry,
                                                 const uint8_t checksum32[32],
                                                 const uint8_t *multiaddr,
                                                 size_t len) DECC_WARN_UNUSED;
/* Sets a deal (deep copy; owners are taken from the deal struct). */
DECC_API decc_status
decc_sms_memchain_set_deal(decc_sms_memchain *m, const uint8_t dealid32[32],
                           const decc_sms_deal *d) DECC_WARN_UNUSED;
/* Sets a task. */
DECC_API decc_status
decc_sms_memchain_set_task(decc_sms_memchain *m, const uint8_t taskid32[32],
                           const decc_sms_task *t) DECC_WARN_UNUSED;
DECC_API void decc_sms_memchain_set_now(decc_sms_memchain *m, uint64_t now);
/* A view reading m (thread-safe: the memchain has its own lock). */
DECC_API void decc_sms_memchain_view(decc_sms_chain_view *out,
                                     decc_sms_memchain *m);

/* ---- the service --------------------------------------------------------- */

/* Reserved web2 secret names (iExec sms-lib ReservedSecretKeyName). */
#define DECC_SMS_RESULT_ENCRYPTION_KEY "iexec-result-encryption-public-key"
#define DECC_SMS_RESULT_IPFS_TOKEN "iexec-result-iexec-ipfs-token"
#define DECC_SMS_RESULT_DROPBOX_TOKEN "iexec-result-dropbox-token"
#define DECC_SMS_RESULT_PROXY_URL "iexec-result-iexec-result-proxy-url"
/* The app developer secret index (sms-lib APP_DEVELOPER_SECRET_INDEX). */
#define DECC_SMS_APP_SECRET_INDEX "1"
/* The framework this SMS serves (GET /tee/framework). */
#define DECC_SMS_FRAMEWORK "TDX"

typedef struct decc_sms_config {
  const char *vault_dir;  /* required */
  const char *passphrase; /* NULL: key file in vault_dir (decc_vault_open) */
  size_t passphrase_len;
  /* Platform keys whose quotes are accepted (copied). n may be 0: then no
   * session is ever released (every quote is "untrusted platform"). */
  const decc_address *trusted_platforms;
  size_t n_trusted;
  /* Chain view; the SMS owns it from decc_sms_create on (its destroy is
   * called by decc_sms_destroy, also when create fails). */
  decc_sms_chain_view chain;
  uint64_t nonce_ttl_s;     /* attestation nonce lifetime, default 120 */
  uint64_t quote_max_age_s; /* quote timestamp tolerance, default 300 */
  /* Nonces are issued without state (see decc_sms_attestation_nonce); a
   * nonce used by a session request is remembered until it expires. */
  size_t max_nonces;          /* used nonces remembered, default 8192 */
  size_t max_nonces_per_task; /* sessions per task within nonce_ttl_s,
                                default 16 */
  size_t max_params;          /* deal params bytes accepted, default 65536 */
  size_t max_input_files;     /* iexec_input_files entries, default 64 */
  /* Wall clock (unix seconds) for nonces and quotes; NULL = time(). */
  uint64_t (*clock)(void *clock_ctx);
  void *clock_ctx;
  /* One line per decision (refusals say why); never secret values. */
  void (*log)(void *log_ctx, const char *line);
  void *log_ctx;
  /* Hardware quotes (decc_quote backend "tdx", raw DCAP quote in
   * hw_quote; see docs/internals/dcap.md). All copied at create.
   *   dcap_policy_json      decc_dcap_policy JSON (decc/dcap.h); NULL:
   *                         every hardware quote is refused
   *                         (ATTESTATION_UNTRUSTED_PLATFORM);
   *   dcap_collateral_json  collateral (decc_dcap_collateral_parse format),
   *                         or NULL to fetch it from dcap_pccs_url;
   *   dcap_pccs_url         PCCS base URL (decc_dcap_pccs_get), with
   *   dcap_pccs_cache_dir   its cache directory (NULL: no cache) and
   *   dcap_pccs_offline     1: the cache only;
   *   dcap_root_der/_len    trust anchor (DER); NULL: the pinned Intel SGX
   *                         Root CA. Only tests set it (their own PKI). */
  const char *dcap_policy_json;
  const char *dcap_collateral_json;
  const char *dcap_pccs_url;
  const char *dcap_pccs_cache_dir;
  int dcap_pccs_offline;
  const uint8_t *dcap_root_der;
  size_t dcap_root_len;
  /* Bulk processing: where the SMS reads the bulk_cid root and its slices
   * (JSON files on IPFS, docs/internals/bulk.md): a blockstore, else a
   * Kubo RPC URL; both borrowed and must outlive the service. Neither:
   * bulk deals are refused (BULK_NOT_SUPPORTED). */
  struct decc_blockstore *bulk_store;
  const char *bulk_ipfs_api_url;
  /* Optional (metrics): called once per decision on the calling thread:
   * event "release" (a session released to an enclave; code NULL) or
   * "refusal" with its stable code (the code of the refusal's log line).
   * Never given secret values. Must be thread-safe. */
  void (*observe)(void *observe_ctx, const char *event, const char *code);
  void *observe_ctx;
} decc_sms_config;

typedef struct decc_sms decc_sms;

/* Creates the service: opens the vault, copies the configuration.
 * Returns: DECC_OK; DECC_E_INVALID (no vault_dir / incomplete chain view,
 * a DCAP policy without collateral or PCCS URL); DECC_E_PARSE (bad DCAP
 * policy, collateral or root: err names it);
 * the vault's errors (DECC_E_IO, DECC_E_BAD_MAC wrong passphrase);
 * DECC_E_NOMEM. */
DECC_API decc_status decc_sms_create(decc_sms **out, const decc_sms_config *cfg,
                                     decc_err *err) DECC_WARN_UNUSED;
/* Destroys the service (closes the vault, wipes nonces, destroys the chain
 * view). NULL is a no-op. */
DECC_API void decc_sms_destroy(decc_sms *s);
/* The service's vault (for inspection and tools; do not close it). */
DECC_API decc_vault *decc_sms_vault(decc_sms *s);

/* Why a request was refused: a stable code ("EXECUTION_NOT_AUTHORIZED_
 * TASK_NOT_ACTIVE", "ATTESTATION_UNTRUSTED_PLATFORM", …; iExec's names
 * where iExec has one) with the human message in err. Functions below take
 * an optional `const char **code` receiving a static string (NULL on
 * success). */

/* Secret pushes. `authorization` is the Authorization header: the
 * 0x-hex personal_sign of the iExec challenge. value must be UTF-8 without
 * NUL, at most DECC_SECRET_MAX bytes.
 * Returns: DECC_OK; DECC_E_PARSE (bad header) and DECC_E_BAD_SIGNATURE
 * (wrong signer) → 401; DECC_E_NOT_FOUND (no owner on chain: 401 too, the
 * signer cannot be the owner); DECC_E_INVALID (bad name / value) → 400;
 * DECC_E_LIMIT → 413; DECC_E_EXISTS → 409 (POST of an existing secret);
 * DECC_E_NOT_FOUND for an update (PUT) of a missing web2 secret → 404
 * (see decc_sms_http_status). */
/* web3 (dataset key): signer = current owner() of secret_address; never
 * updatable. */
DECC_API decc_status decc_sms_push_web3(decc_sms *s,
                                        const decc_address *secret_address,
                                        const char *value, size_t len,
                                        const char *authorization,
                                        const char **code,
                                        decc_err *err) DECC_WARN_UNUSED;
/* web2: signer = owner itself; name case-insensitive (1..256 bytes,
 * printable ASCII); update 0 = create (409 if present), 1 = replace (404 if
 * absent). The reserved name DECC_SMS_RESULT_ENCRYPTION_KEY must hold
 * base64(PEM SPKI) of an RSA public key. */
DECC_API decc_status decc_sms_push_web2(decc_sms *s, const decc_address *owner,
                                        const char *name, const char *value,
                                        size_t len, int update,
                                        const char *authorization,
                                        const char **code,
                                        decc_err *err) DECC_WARN_UNUSED;
/* App developer secret (index "1"): signer = owner() of app; challenge =
 * web2 challenge with owner = app, name = "1". Not updatable. */
DECC_API decc_status decc_sms_push_app_secret(decc_sms *s,
                                              const decc_address *app,
                                              const char *value, size_t len,
                                              const char *authorization,
                                              const char **code,
                                              decc_err *err) DECC_WARN_UNUSED;
/* Requester secret: key must match ^[A-Za-z0-9-_]{1,64}$ (else
 * DECC_E_INVALID → 400); signer = requester. Not updatable. */
DECC_API decc_status decc_sms_push_requester_secret(
    decc_sms *s, const decc_address *requester, const char *key,
    const char *value, size_t len, const char *authorization, const char **code,
    decc_err *err) DECC_WARN_UNUSED;

/* HEAD checks: DECC_OK when the secret exists, DECC_E_NOT_FOUND when not,
 * DECC_E_INVALID for an invalid requester key / web2 name. kind is WEB3
 * (name NULL), WEB2, APP_DEV (owner = app, name NULL) or REQUESTER. */
DECC_API decc_status decc_sms_secret_exists(decc_sms *s, decc_secret_kind kind,
                                            const decc_address *owner,
                                            const char *name,
                                            decc_err *err) DECC_WARN_UNUSED;

/* Checks a secret name / requester key (exported for the CLI and client).
 * Returns: 1 valid, 0 not. */
DECC_API int decc_sms_requester_key_valid(const char *key);
DECC_API int decc_sms_web2_name_valid(const char *name);

/* POST /tee/challenges/{taskId}: the task must exist, be ACTIVE, before
 * its final deadline, with a TEE deal of the framework this SMS serves,
 * and `authorization` must be the deal's workerpool owner's personal_sign
 * of H(taskid). Gets or creates the task's enclave challenge key
 * (secp256k1, sealed in the vault, expiring at the final deadline).
 * Out: *enclave, its address.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no such task / deal) → 404;
 * DECC_E_DENIED / DECC_E_BAD_SIGNATURE / DECC_E_PARSE → 401. */
DECC_API decc_status decc_sms_enclave_challenge(
    decc_sms *s, const uint8_t taskid32[32], const char *authorization,
    decc_address *enclave, const char **code, decc_err *err) DECC_WARN_UNUSED;

/* decc's attestation nonce: 32 bytes, valid nonce_ttl_s, bound to the task
 * by a MAC under a key random to this SMS process (expiry ‖ random ‖ MAC;
 * docs/internals/sms.md), single-use (a session request consumes it).
 * Issued only for a task that is ACTIVE with a TEE deal, with no signature
 * (the nonce proves freshness, not identity) and without keeping state, so
 * any number may be issued: an outsider asking for many takes nothing from
 * the worker. Out: nonce32, *expires_at (unix seconds, optional).
 * Returns: DECC_OK; DECC_E_NOT_FOUND / DECC_E_DENIED as for challenges;
 * DECC_E_CRYPTO (no randomness). */
DECC_API decc_status decc_sms_attestation_nonce(
    decc_sms *s, const uint8_t taskid32[32], uint8_t nonce32[32],
    uint64_t *expires_at, const char **code, decc_err *err) DECC_WARN_UNUSED;

/* A session request: iExec's WorkerpoolAuthorization plus decc's quote.
 * JSON: {"chainTaskId":"0x…","dealId":"0x…","taskIndex":n,
 *        "workerWallet":"0x…","enclaveChallenge":"0x…",
 *        "signature":{"value":"0x…130 hex"},"quote":{decc_quote JSON}} */
typedef struct decc_sms_session_request {
  uint8_t task_id[32];
  uint8_t deal_id[32];
  uint64_t task_index;
  decc_address worker;
  decc_address enclave_challenge;
  uint8_t pool_signature[65]; /* workerpool owner: H(worker‖task‖enclave) */
  decc_quote quote;
} decc_sms_session_request;

/* Most bytes of a session request body: the fields, plus a hardware
 * quote in hex (decc_quote hwQuote, at most DECC_QUOTE_HW_MAX bytes). */
#define DECC_SMS_SESSION_REQUEST_MAX (8192u + 2u * DECC_QUOTE_HW_MAX)

/* Parses a session request (strict: every field present and well formed,
 * at most DECC_SMS_SESSION_REQUEST_MAX bytes).
 * Returns: DECC_OK or DECC_E_PARSE / DECC_E_LIMIT (err names the field). */
DECC_API decc_status
decc_sms_session_request_parse(decc_sms_session_request *r, const char *json,
                               size_t len, decc_err *err) DECC_WARN_UNUSED;
/* Serializes a request. Out: *json (decc_free). Returns: DECC_OK, NOMEM. */
DECC_API decc_status decc_sms_session_request_to_json(
    char **json, const decc_sms_session_request *r) DECC_WARN_UNUSED;

/* Fills r's WorkerpoolAuthorization fields and signs them with the
 * workerpool owner's key (what the scheduler does). The quote is left as
 * is. Returns: DECC_OK or DECC_E_INVALID (bad key). */
DECC_API decc_status decc_sms_authorize_worker(
    decc_sms_session_request *r, const uint8_t pool_sk32[32],
    const uint8_t taskid32[32], const uint8_t dealid32[32], uint64_t index,
    const decc_address *worker,
    const decc_address *enclave_challenge) DECC_WARN_UNUSED;

/* Most bytes of a session document (before sealing). */
#define DECC_SMS_SESSION_MAX (256u * 1024u)
/* Session id: 10 random alphanumerics + "0000" + 0x task id. */
#define DECC_SMS_SESSION_ID_LEN 80

/* POST /tee/sessions: every check of the file comment, then builds the
 * session document (JSON, docs/api/sms-http.md) and seals it to
 * r->quote.enclave_pubkey. worker_authorization = the worker's
 * personal_sign of H(worker‖task‖enclave) (Authorization header).
 * Out: session_id (NUL-terminated), *sealed (decc_free) and *sealed_len.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (task / deal / secret missing) → 404;
 * DECC_E_DENIED, DECC_E_BAD_SIGNATURE, DECC_E_PARSE (bad header) → 401;
 * DECC_E_UNSUPPORTED (bulk) → 400; others → 500. */
DECC_API decc_status decc_sms_release_session(
    decc_sms *s, const decc_sms_session_request *r,
    const char *worker_authorization,
    char session_id[DECC_SMS_SESSION_ID_LEN + 1], uint8_t **sealed,
    size_t *sealed_len, const char **code, decc_err *err) DECC_WARN_UNUSED;

/* Opens a sealed session inside the enclave. Out: *json in secure memory
 * (NUL-terminated; decc_secure_free), *len.
 * Returns: DECC_OK, DECC_E_BAD_MAC (not for this key / tampered),
 * DECC_E_RANGE (too short / too long), DECC_E_NOMEM. */
DECC_API decc_status
decc_sms_session_open(char **json, size_t *len, const uint8_t *sealed, size_t n,
                      const uint8_t enclave_pk32[32],
                      const uint8_t enclave_sk32[32]) DECC_WARN_UNUSED;

/* The HTTP status the SMS answers for a status returned by the functions
 * above (`op` = 'w' secret write, 'u' web2 update (PUT), 'c' challenge,
 * 'n' nonce, 's' session). */
DECC_API int decc_sms_http_status(decc_status st, char op);

/* ---- HTTP routes ---------------------------------------------------------- */

/* Mounts the SMS routes on a server (before decc_http_server_start):
 *   HEAD/POST      /secrets/web3?secretAddress=
 *   HEAD/POST/PUT  /secrets/web2?ownerAddress=&secretName=
 *   HEAD/POST      /apps/{appAddress}/secrets
 *   HEAD/POST      /requesters/{requester}/secrets/{secretKey}
 *   POST           /tee/challenges/{taskId}
 *   POST           /tee/nonces/{taskId}            (decc)
 *   POST           /tee/sessions
 *   GET            /tee/framework
 * prefix ("" or e.g. "/sms") is prepended to every path. s must outlive
 * the server. Returns: DECC_OK or the server's route errors. */
DECC_API decc_status decc_sms_http_mount(decc_sms *s, decc_http_server *srv,
                                         const char *prefix) DECC_WARN_UNUSED;

/* ---- client ------------------------------------------------------------- */

/* Each call talks to the SMS at base_url ("http://host:port[/prefix]"),
 * signs what iExec signs with sk32, and maps the HTTP answer back to a
 * status (204/200 → DECC_OK, 400 → DECC_E_INVALID, 401 →
 * DECC_E_BAD_SIGNATURE or DECC_E_DENIED, 404 → DECC_E_NOT_FOUND, 409 →
 * DECC_E_EXISTS, 413 → DECC_E_LIMIT, 429 → DECC_E_LIMIT, other →
 * DECC_E_NETWORK / DECC_E_INTERNAL) with the server's reason in err. */

/* Pushes a dataset key (web3 secret) for dataset as its owner. */
DECC_API decc_status decc_sms_client_push_web3(const char *base_url,
                                               const decc_address *dataset,
                                               const char *value, size_t len,
                                               const uint8_t sk32[32],
                                               decc_err *err) DECC_WARN_UNUSED;
/* Pushes (update 0: POST) or replaces (update 1: PUT) a web2 secret owned
 * by the key's address. */
DECC_API decc_status decc_sms_client_push_web2(
    const char *base_url, const char *name, const char *value, size_t len,
    int update, const uint8_t sk32[32], decc_err *err) DECC_WARN_UNUSED;
/* Pushes the app developer secret of app (key = the app's owner). */
DECC_API decc_status decc_sms_client_push_app_secret(
    const char *base_url, const decc_address *app, const char *value,
    size_t len, const uint8_t sk32[32], decc_err *err) DECC_WARN_UNUSED;
/* Pushes a requester secret owned by the key's address. */
DECC_API decc_status decc_sms_client_push_requester_secret(
    const char *base_url, const char *key, const char *value, size_t len,
    const uint8_t sk32[32], decc_err *err) DECC_WARN_UNUSED;
/* HEAD check. Out: *exists (1/0). Returns: DECC_OK when the SMS answered
 * 204 or 404; DECC_E_INVALID (400); network errors. */
DECC_API decc_status decc_sms_client_check(const char *base_url,
                                           decc_secret_kind kind,
                                           const decc_address *owner,
                                           const char *name, int *exists,
                                           decc_err *err) DECC_WARN_UNUSED;
/* Asks for the task's enclave challenge as the workerpool owner (pool_sk32).
 * Out: *enclave. */
DECC_API decc_status decc_sms_client_enclave_challenge(
    const char *base_url, const uint8_t taskid32[32],
    const uint8_t pool_sk32[32], decc_address *enclave,
    decc_err *err) DECC_WARN_UNUSED;
/* Gets a fresh attestation nonce for the task. */
DECC_API decc_status decc_sms_client_nonce(const char *base_url,
                                           const uint8_t taskid32[32],
                                           uint8_t nonce32[32],
                                           decc_err *err) DECC_WARN_UNUSED;
/* Requests the session as the worker (worker_sk32 signs the
 * Authorization header). Out: session_id, *sealed (decc_free), *len. */
DECC_API decc_status decc_sms_client_session(
    const char *base_url, const decc_sms_session_request *r,
    const uint8_t worker_sk32[32], char session_id[DECC_SMS_SESSION_ID_LEN + 1],
    uint8_t **sealed, size_t *sealed_len, decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_SMS_H */
