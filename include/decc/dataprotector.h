/*
 * decc/dataprotector.h — the high-level DataProtector SDK in C: what the
 * `decc` command and embedders call to protect data, grant and revoke
 * access, list protected data, transfer ownership and have an iApp process
 * protected data, plus the app / workerpool management a demo or a
 * developer needs (iexec-protocol.md §3, §9 recipes A–C).
 *
 * Behaviour follows @iexec/dataprotector 2.x (dp-sdk) unless said
 * otherwise: the same step names in progress reports, the same order
 * shapes (dataset orders for grants, tag tee+tdx = 0x…09 as SDK 9 signs
 * them), the same request params, the same result encryption (RSA-4096 key
 * of the requester, public key pushed to the SMS as base64(PEM)).
 *
 * Context. Every call takes a decc_dp, which holds the services it talks
 * to: a chain (decc/chain.h) and the signing key, a content store, an SMS
 * and a market. decc_dp_open builds the "embedded default": everything
 * lives in one data directory (layout below), opened in-process; nothing
 * has to be installed or started. A `decc node` running on the same data
 * directory can serve the same files at the same time (SQLite WAL,
 * per-file atomic blockstore writes).
 *
 * Data directory layout (relative to home):
 *   chain/ledger.sqlite    the embedded ledger (created with the default
 *                          dev genesis when missing, unless no_init)
 *   store/                 the blockstore (decc/store.h)
 *   sms/                   the SMS vault (decc/vault.h)
 *   market/orders.db       the orderbook (decc/market.h)
 *   results/<addr>_key     the requester's RSA result key (PKCS#8 PEM,
 *   results/<addr>_key.pub   0600) and its public half (SPKI PEM)
 *   tmp/                   scratch files of protect / process (removed)
 *
 * "TEE app" (decc's rule for grantAccess and processProtectedData): an app
 * registered in the AppRegistry whose m_appMREnclave is a JSON object with
 * "framework" equal to "TDX" (case-insensitive: the framework decc's SMS
 * serves, DECC_SMS_FRAMEWORK) and a "fingerprint" equal to the hex of its
 * on-chain checksum (the bundle measurement the SMS checks against the
 * enclave's attestation). decc_dp_app_deploy writes exactly that.
 *
 * Errors: every failure returns a status and one line in err that names
 * the cause and, when there is one, the fix (e.g. "no dataset order …:
 * access not granted or exhausted; ask the owner to grant it",
 * "insufficient balance: 0.5 RLC deposited, 1.5 RLC needed (missing 1 RLC):
 * deposit with `decc wallet deposit`"). Secrets never appear in messages.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "or NULL", "NULL = …", err; a bundle may be NULL when its
 * length is 0; the close and clear functions take NULL as a no-op;
 * decc_dp_get_protected_data's filter, decc_dp_wait_task's opts,
 * decc_dp_revoke_all_access's app / user / revoked / progress may be NULL).
 * Text that comes from users (a name, a description, an RLC amount, the
 * config's home) is input, not a contract: NULL there is refused like any
 * bad value, with the documented status. Any other NULL, and a protect
 * opts without its data, is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL when it returns a pointer; a void function returns
 * at once) without touching anything.
 *
 * Thread-safety: a decc_dp is used by one thread at a time.
 */
#ifndef DECC_DATAPROTECTOR_H
#define DECC_DATAPROTECTOR_H

#include "chain.h"
#include "common.h"
#include "keys.h"
#include "market.h"
#include "order.h"
#include "protect.h"
#include "sms.h"
#include "store.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Paths inside the data directory (see the file comment). */
#define DECC_DP_LEDGER_FILE "chain/ledger.sqlite"
#define DECC_DP_STORE_DIR "store"
#define DECC_DP_SMS_DIR "sms"
#define DECC_DP_MARKET_FILE "market/orders.db"
#define DECC_DP_RESULTS_DIR "results"
#define DECC_DP_TMP_DIR "tmp"

/* Tag of every order decc's SDK signs: tee + tdx (SDK 9's TDX_DEFAULT_TAG). */
#define DECC_DP_TAG_BITS 0x09u
/* Longest protected-data / app / workerpool name accepted. */
#define DECC_DP_NAME_MAX 256
/* Most granted accesses revokeAllAccess / getGrantedAccess walk. */
#define DECC_DP_MAX_GRANTS 10000
/* Most requester secrets and input files in one process request. */
#define DECC_DP_MAX_SECRETS 64
#define DECC_DP_MAX_INPUT_FILES 64

/* ---- progress ------------------------------------------------------------ */

/* Step report, as the SDK's onStatusUpdate({title, isDone, payload}).
 * title is one of the SDK's step names:
 *   protectData:   EXTRACT_DATA_SCHEMA, CREATE_ZIP_FILE, CREATE_ENCRYPTION_KEY,
 *                  ENCRYPT_FILE, UPLOAD_ENCRYPTED_FILE, DEPLOY_PROTECTED_DATA,
 *                  PUSH_SECRET_TO_SMS
 *   revokeAllAccess: RETRIEVE_ALL_GRANTED_ACCESS, REVOKE_ONE_ACCESS
 *   processProtectedData: FETCH_ORDERS, PUSH_REQUESTER_SECRET,
 *                  GENERATE_ENCRYPTION_KEY, PUSH_ENCRYPTION_KEY,
 *                  REQUEST_TO_PROCESS_PROTECTED_DATA, CONSUME_TASK,
 *                  CONSUME_RESULT_DOWNLOAD, CONSUME_RESULT_DECRYPT
 * Each step is reported once with done = 0 when it starts and once with
 * done = 1 when it succeeded (CONSUME_TASK also reports each task status
 * change with done = 0). detail is a short text (an address, a CID, a
 * task status) or NULL; never a secret. */
typedef void (*decc_dp_progress_fn)(void *user, const char *title, int done,
                                    const char *detail);

/* ---- context --------------------------------------------------------------- */

typedef struct decc_dp decc_dp;

/* Runs the off-chain services of a workerpool for one polling round: the
 * embedded default calls it while waiting for a task, so that a scheduler
 * and a worker living in the same process make progress (decc_dp_set_runner).
 * Returns DECC_OK (whether or not something happened) or an error that
 * stops the wait. */
typedef decc_status (*decc_dp_runner_fn)(void *user, decc_err *err);

typedef struct decc_dp_config {
  const char *home;         /* data directory (required: wallets' result
                                 keys and scratch files live there even
                                 when every service is remote) */
  int no_init;              /* 1: a missing ledger is an error */
  const char *ipfs_api_url; /* non-NULL: a Kubo RPC node stores and serves
                                 the encrypted files instead of <home>/store */
  /* Remote services (NULL = in-process, from home). node_url sets all four
   * at once for a `decc node` (JSON-RPC at /, market API, SMS and Kubo
   * routes on the same origin); a specific URL overrides it. */
  const char *node_url;
  const char *chain_url; /* Ethereum JSON-RPC (PoCo addresses of the
                                 default dev genesis unless `addresses`) */
  const decc_chain_addresses *addresses; /* hub and dataprotector are used;
                                 the registries and token are read from the
                                 hub (decc_hub_open_remote) */
  uint64_t expect_chain_id; /* non-zero: refuse a chain with another id */
  const char *sms_url;      /* iExec SMS REST API */
  const char *market_url;   /* iExec market API */
  /* Platform keys the in-process SMS trusts for enclave sessions (copied);
   * none = sessions are never released (decc/sms.h). */
  const decc_address *trusted_platforms;
  size_t n_trusted;
} decc_dp_config;

/* Opens the embedded default context on cfg->home: creates the directory
 * layout, the ledger (default dev genesis, chain id 31337) when missing,
 * opens the blockstore, the SMS (vault key file in <home>/sms) and the
 * market — each service given by URL is used remotely instead (then its
 * local files are not touched). No signer is set yet (decc_dp_set_signer).
 * Remote market: only open orders are listed (the market API has no
 * history) and the node's chain watcher keeps statuses in sync.
 * Out: *out (decc_dp_close). Returns: DECC_OK; DECC_E_INVALID (no home);
 * DECC_E_NOT_FOUND (no ledger and no_init); DECC_E_IO / the services'
 * errors, with err naming the file. */
DECC_API decc_status decc_dp_open(decc_dp **out, const decc_dp_config *cfg,
                                  decc_err *err) DECC_WARN_UNUSED;
/* Closes every service and wipes the signing key. NULL is a no-op. */
DECC_API void decc_dp_close(decc_dp *dp);

/* Sets (or replaces) the signing key: copied into secure memory; the
 * caller wipes its own copy. Returns: DECC_OK, DECC_E_INVALID (bad key),
 * DECC_E_NOMEM. */
DECC_API decc_status decc_dp_set_signer(decc_dp *dp, const uint8_t sk32[32],
                                        decc_err *err) DECC_WARN_UNUSED;
/* Out: *addr = the signer's address. Returns: DECC_OK or DECC_E_STATE (no
 * signer set). */
DECC_API decc_status decc_dp_signer(const decc_dp *dp, decc_address *addr,
                                    decc_err *err) DECC_WARN_UNUSED;
/* Installs the runner called while waiting for tasks (NULL removes it). */
DECC_API void decc_dp_set_runner(decc_dp *dp, decc_dp_runner_fn fn, void *user);

/* The services (borrowed; valid until decc_dp_close). For in-process
 * schedulers / workers, the node and tests. market and sms are NULL when
 * they are remote. */
DECC_API decc_chain *decc_dp_chain(decc_dp *dp);
DECC_API decc_market *decc_dp_market(decc_dp *dp);
DECC_API decc_sms *decc_dp_sms(decc_dp *dp);
/* The clients every SDK call goes through (borrowed; valid until
 * decc_dp_close; never NULL after decc_dp_open): the SMS and the market,
 * in-process or remote alike (decc/sms_client.h, decc/market_client.h). */
DECC_API struct decc_sms_client *decc_dp_sms_client(decc_dp *dp);
DECC_API struct decc_market_client *decc_dp_market_client(decc_dp *dp);
/* NULL when the store is a Kubo node. */
DECC_API decc_blockstore *decc_dp_blockstore(decc_dp *dp);
/* The data directory given to decc_dp_open. */
DECC_API const char *decc_dp_home(const decc_dp *dp);

/* Brings the market in line with the chain (remaining volumes, canceled /
 * filled / dead orders). Called by the functions below before they read
 * the orderbook. Returns: DECC_OK or the market's error. */
DECC_API decc_status decc_dp_sync_market(decc_dp *dp,
                                         decc_err *err) DECC_WARN_UNUSED;

/* ---- accounts -------------------------------------------------------------- */

typedef struct decc_dp_balance {
  decc_u256 wallet; /* RLC token balance (nRLC) */
  decc_u256 stake;  /* PoCo account: free balance (nRLC) */
  decc_u256 locked; /* PoCo account: frozen (nRLC) */
} decc_dp_balance;

/* Balances of any address. Returns: DECC_OK or the chain's error. */
DECC_API decc_status decc_dp_get_balance(decc_dp *dp, const decc_address *who,
                                         decc_dp_balance *out,
                                         decc_err *err) DECC_WARN_UNUSED;
/* Moves amount nRLC from the signer's wallet into its PoCo account
 * (RLC.approveAndCall(hub, amount, "")). Returns: DECC_OK; DECC_E_REVERT
 * (e.g. not enough RLC: err says how much is missing); chain errors. */
DECC_API decc_status decc_dp_deposit(decc_dp *dp, const decc_u256 *amount,
                                     decc_err *err) DECC_WARN_UNUSED;
/* Withdraws amount nRLC from the signer's PoCo account to its wallet. */
DECC_API decc_status decc_dp_withdraw(decc_dp *dp, const decc_u256 *amount,
                                      decc_err *err) DECC_WARN_UNUSED;
/* Transfers amount nRLC of RLC tokens from the signer to `to`. */
DECC_API decc_status decc_dp_transfer_rlc(decc_dp *dp, const decc_address *to,
                                          const decc_u256 *amount,
                                          decc_err *err) DECC_WARN_UNUSED;
/* Writes "1.5 RLC" style text (9 decimals, trailing zeros dropped) of an
 * nRLC amount into out (at least 96 bytes). Returns out. */
DECC_API char *decc_dp_format_rlc(char out[96], const decc_u256 *nrlc);
/* Parses "1.5", "1.5 RLC", "1500000000 nRLC" or a bare integer (nRLC) into
 * nRLC. Returns: DECC_OK, DECC_E_PARSE, DECC_E_RANGE. */
DECC_API decc_status decc_dp_parse_rlc(decc_u256 *out, const char *text,
                                       decc_err *err) DECC_WARN_UNUSED;

/* ---- protectData ------------------------------------------------------------ */

typedef struct decc_dp_protect_opts {
  const decc_pd *data;   /* the object to protect (required) */
  decc_pd_format format; /* DECC_PD_V2 (default) or DECC_PD_LEGACY */
  const char *name;      /* NULL = "" (the SDK's default) */
  int want_key;          /* 1: return the base64 dataset key */
  int want_zip;          /* 1: return the (unencrypted) zip bytes */
  decc_dp_progress_fn progress;
  void *user;
} decc_dp_protect_opts;

/* A protected data item, as protectData / getProtectedData return it.
 * Owned memory: decc_dp_protected_clear. */
typedef struct decc_dp_protected {
  char *name;
  decc_address address;
  decc_address owner;
  char *schema;                /* JSON text */
  uint64_t creation_timestamp; /* unix seconds (block time) */
  uint8_t tx_hash[32];
  uint64_t block_number;
  char *multiaddr; /* "/p2p/<cid>" (v2) or "/ipfs/<cid>" */
  uint8_t checksum[32];
  uint8_t *zip; /* want_zip: the zip bytes, else NULL */
  size_t zip_len;
  int has_key;
  char encryption_key[45]; /* want_key: base64 key (wiped by clear) */
} decc_dp_protected;

DECC_API void decc_dp_protected_clear(decc_dp_protected *p);
/* JSON object in the SDK's shape {name, address, owner, schema (object),
 * creationTimestamp, transactionHash, multiaddr[, encryptionKey]}
 * (zip omitted). Out: *json (decc_free). Returns: DECC_OK, DECC_E_NOMEM. */
DECC_API decc_status decc_dp_protected_to_json(char **json,
                                               const decc_dp_protected *p,
                                               int with_key) DECC_WARN_UNUSED;

/* protectData: validate → schema → zip → key → encrypt (IV ‖ AES-256-CBC)
 * → upload (CIDv0) → DataProtector.createDatasetWithSchema(signer, name,
 * schema, multiaddr, checksum) → dataset address from the DatasetSchema
 * log → key pushed to the SMS (web3 secret signed by the owner). The zip
 * and the ciphertext stream through temporary files in <home>/tmp, so
 * memory stays at the size of the data object.
 * Out: *out (decc_dp_protected_clear). Returns: DECC_OK; DECC_E_INVALID
 * (data rejected: the SDK's message and key path); DECC_E_STATE (no
 * signer); DECC_E_REVERT (the transaction reverted: reason in err);
 * store / SMS / I/O errors. A failure after the dataset was created says
 * so (the address is in the message). */
DECC_API decc_status decc_dp_protect(decc_dp *dp, decc_dp_protected *out,
                                     const decc_dp_protect_opts *opts,
                                     decc_err *err) DECC_WARN_UNUSED;

/* ---- getProtectedData ------------------------------------------------------- */

typedef struct decc_dp_pd_filter {
  int has_address; /* one protected data item */
  decc_address address;
  int has_owner; /* current owner (after transfers) */
  decc_address owner;
  const char *required_schema; /* JSON object: every listed path must
                                    have the given type; a value may be an
                                    array of types ("any of"); "boolean" /
                                    "bool" and "number" / "f64" are treated
                                    as the same type. NULL = no filter. */
  uint64_t created_after;      /* creationTimestamp >= this (0 = any) */
  uint32_t page;               /* 0-based */
  uint32_t page_size;          /* 0 = 1000; at most 1000 */
} decc_dp_pd_filter;

typedef struct decc_dp_pd_list {
  decc_dp_protected *items;
  size_t n;
  size_t total; /* matches before pagination */
} decc_dp_pd_list;

DECC_API void decc_dp_pd_list_clear(decc_dp_pd_list *l);

/* getProtectedData: every DatasetSchema log of the DataProtector
 * contract, newest first (creationTimestamp desc, then block/log order),
 * filtered and paginated. owner is the current owner().
 * Returns: DECC_OK (possibly empty); DECC_E_PARSE (bad required_schema);
 * DECC_E_INVALID (page size); chain errors. */
DECC_API decc_status decc_dp_get_protected_data(decc_dp *dp,
                                                decc_dp_pd_list *out,
                                                const decc_dp_pd_filter *f,
                                                decc_err *err) DECC_WARN_UNUSED;

/* transferOwnership: DatasetRegistry.safeTransferFrom(signer, new_owner,
 * uint256(dataset)). Grants signed by the old owner stop being usable
 * (the market marks them dead). Returns: DECC_OK; DECC_E_DENIED (signer
 * is not the owner); DECC_E_NOT_FOUND (not a dataset); DECC_E_REVERT.
 * tx_hash32 (optional) receives the transaction hash. */
DECC_API decc_status decc_dp_transfer_ownership(decc_dp *dp,
                                                const decc_address *dataset,
                                                const decc_address *new_owner,
                                                uint8_t *tx_hash32,
                                                decc_err *err) DECC_WARN_UNUSED;

/* ---- access --------------------------------------------------------------------- */

typedef struct decc_dp_grant_opts {
  decc_address protected_data;
  decc_address authorized_app;
  int any_user;                 /* 1: requesterrestrict = 0 (anyone) */
  decc_address authorized_user; /* when any_user is 0 */
  decc_u256 price_per_access;   /* nRLC (default 0) */
  uint64_t number_of_access;    /* 0 = 1 (the SDK's default) */
  int allow_bulk;               /* 1: the SDK's allowBulk: price must be 0
                                  and number_of_access 0 or
                                  DECC_DP_BULK_VOLUME; the order gets volume
                                  DECC_DP_BULK_VOLUME (decc_dp_process_bulk) */
} decc_dp_grant_opts;

/* Volume of a grant that allows bulk processing: the SDK's
 * DATASET_INFINITE_VOLUME (2^53 - 1). The SMS accepts a bulk dataset order
 * whose volume is at least DECC_DP_BULK_VOLUME - 1 (iexec-sms). */
#define DECC_DP_BULK_VOLUME 9007199254740991ull

/* A granted access: the signed dataset order, its hash, what remains. */
typedef struct decc_dp_access {
  decc_order order; /* DECC_ORDER_DATASET, signed */
  uint8_t hash[32];
  uint64_t remaining;
  char status[16]; /* market status: open, filled, canceled, dead */
} decc_dp_access;

DECC_API void decc_dp_access_clear(decc_dp_access *a);
/* The SDK's GrantedAccess JSON: {dataset, datasetprice, volume, tag,
 * apprestrict, workerpoolrestrict, requesterrestrict, salt, sign,
 * remainingAccess} with every value a lowercase string, plus decc's
 * orderHash. Out: *json (decc_free). */
DECC_API decc_status
decc_dp_access_to_json(char **json, const decc_dp_access *a) DECC_WARN_UNUSED;

/* grantAccess: checks that the signer owns the protected data, that the
 * app is a TEE app (file comment), that no open grant already exists for
 * (data, app, user) — DECC_E_EXISTS names it and says to revoke it first —
 * then signs and publishes the dataset order {dataset, datasetprice =
 * price, volume = number of accesses, tag 0x…09, apprestrict = app,
 * workerpoolrestrict 0, requesterrestrict = user | 0, random salt}.
 * Out: *out (decc_dp_access_clear). Returns: DECC_OK; DECC_E_DENIED (not
 * the owner); DECC_E_NOT_FOUND (no such protected data / app);
 * DECC_E_UNSUPPORTED (app not a TEE app); DECC_E_EXISTS; DECC_E_INVALID;
 * market errors. */
DECC_API decc_status decc_dp_grant_access(decc_dp *dp, decc_dp_access *out,
                                          const decc_dp_grant_opts *opts,
                                          decc_err *err) DECC_WARN_UNUSED;

typedef struct decc_dp_access_filter {
  int has_protected_data;
  decc_address protected_data;
  int has_owner; /* datasetOwner, when no protected data */
  decc_address owner;
  int has_app; /* authorizedApp (strict) */
  decc_address app;
  int has_user; /* authorizedUser */
  decc_address user;
  int user_strict;    /* 1: only grants to exactly that user */
  int include_closed; /* 1: also filled / canceled / dead */
  uint32_t page;
  uint32_t page_size; /* 0 = 20; 10..1000 */
  int bulk_only;      /* 1: only grants that allow bulk (price 0,
                                  volume >= 2^53 - 2): the SDK's bulkOnly */
} decc_dp_access_filter;

typedef struct decc_dp_access_list {
  decc_dp_access *items;
  size_t n;
  size_t count; /* market count before pagination */
} decc_dp_access_list;

DECC_API void decc_dp_access_list_clear(decc_dp_access_list *l);

/* getGrantedAccess: market GET /datasetorders with dataset (or
 * datasetOwner), app (strict), requester (strict when user_strict; else
 * grants to anyone match too). Without has_user every user matches.
 * Returns: DECC_OK; DECC_E_INVALID (neither data nor owner; page size). */
DECC_API decc_status decc_dp_get_granted_access(decc_dp *dp,
                                                decc_dp_access_list *out,
                                                const decc_dp_access_filter *f,
                                                decc_err *err) DECC_WARN_UNUSED;

/* One granted access by its order hash (open or not on a local market;
 * open only on a remote one). Out: *out (decc_dp_access_clear).
 * Returns: DECC_OK; DECC_E_NOT_FOUND. */
DECC_API decc_status decc_dp_get_access(decc_dp *dp, decc_dp_access *out,
                                        const uint8_t hash32[32],
                                        decc_err *err) DECC_WARN_UNUSED;

/* revokeOneAccess: manageDatasetOrder((order, sign), CLOSE, "") by the
 * owner; the market marks the order canceled. tx_hash32 optional.
 * Returns: DECC_OK; DECC_E_DENIED (not the owner); DECC_E_REVERT. */
DECC_API decc_status decc_dp_revoke_one_access(decc_dp *dp,
                                               const decc_order *order,
                                               uint8_t *tx_hash32,
                                               decc_err *err) DECC_WARN_UNUSED;

/* revokeAllAccess: every open grant of protected_data (optionally only
 * for app / user), one CLOSE transaction each, with progress
 * (RETRIEVE_ALL_GRANTED_ACCESS, then REVOKE_ONE_ACCESS per order, detail =
 * the order hash). Out: *revoked (optional). Stops at the first failure
 * (err says how many were revoked before it). */
DECC_API decc_status decc_dp_revoke_all_access(
    decc_dp *dp, const decc_address *protected_data, const decc_address *app,
    const decc_address *user, size_t *revoked, decc_dp_progress_fn progress,
    void *user_data, decc_err *err) DECC_WARN_UNUSED;

/* ---- apps and workerpools ----------------------------------------------------- */

typedef struct decc_dp_app {
  decc_address address;
  decc_address owner;
  char *name;
  uint8_t checksum[32]; /* bundle measurement */
  char *multiaddr;      /* "/ipfs/<bundle CID>" */
  char *mrenclave;      /* JSON */
  uint8_t tx_hash[32];
  int created; /* 0: it already existed (same inputs) */
} decc_dp_app;

DECC_API void decc_dp_app_clear(decc_dp_app *a);

/* Deploys an app from a bundle archive (decc/bundle.h; measurement =
 * SHA-256 of the bytes): uploads it to the store, then
 * AppRegistry.createApp(signer, name, "DECC_BUNDLE", multiaddr,
 * checksum = measurement, mrenclave = {"framework":"TDX","version":
 * "decc-software-1","entrypoint":…,"fingerprint":"<measurement hex>"}).
 * Deploying the same bundle with the same name again returns the existing
 * app (created = 0). Returns: DECC_OK; DECC_E_PARSE (not a canonical
 * bundle); DECC_E_REVERT; store / chain errors. */
DECC_API decc_status decc_dp_app_deploy(decc_dp *dp, decc_dp_app *out,
                                        const char *name, const uint8_t *bundle,
                                        size_t len,
                                        decc_err *err) DECC_WARN_UNUSED;

/* Reads an app's registry entry. Returns: DECC_OK, DECC_E_NOT_FOUND. */
DECC_API decc_status decc_dp_app_show(decc_dp *dp, decc_dp_app *out,
                                      const decc_address *app,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Returns: DECC_OK when app is a TEE app (file comment); DECC_E_NOT_FOUND
 * (not a registered app); DECC_E_UNSUPPORTED (registered, not TEE: err
 * says what is missing and how to fix it). */
DECC_API decc_status decc_dp_check_tee_app(decc_dp *dp, const decc_address *app,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Creates a workerpool owned by the signer (WorkerpoolRegistry.
 * createWorkerpool(signer, description)); an existing one with the same
 * description is returned. Out: *out. */
DECC_API decc_status decc_dp_workerpool_create(decc_dp *dp, decc_address *out,
                                               const char *description,
                                               decc_err *err) DECC_WARN_UNUSED;

typedef struct decc_dp_publish_opts {
  decc_u256 price;   /* nRLC per task */
  uint64_t volume;   /* 0 = 1 */
  uint64_t category; /* workerpool orders */
  uint64_t trust;    /* workerpool orders */
  decc_address dataset_restrict, workerpool_restrict, requester_restrict,
      app_restrict; /* zero = anyone (those that apply to the type) */
} decc_dp_publish_opts;

/* Signs (tag 0x…09, random salt) and publishes an app order for app /
 * a workerpool order for workerpool. Out: hash32 (optional).
 * Returns: DECC_OK; market errors (DECC_E_DENIED: the signer does not own
 * the resource). */
DECC_API decc_status decc_dp_publish_apporder(decc_dp *dp, uint8_t *hash32,
                                              const decc_address *app,
                                              const decc_dp_publish_opts *o,
                                              decc_err *err) DECC_WARN_UNUSED;
/* A dataset order for dataset (a protected data; the signer must own it),
 * as `iexec dataset publish`: tag 0x…09, price, volume, app / workerpool /
 * requester restrictions of o (zero = anyone: any TEE app may then process
 * the data; decc_dp_grant_access is the DataProtector way, restricted to
 * one app). Returns as decc_dp_publish_apporder. */
DECC_API decc_status decc_dp_publish_datasetorder(
    decc_dp *dp, uint8_t *hash32, const decc_address *dataset,
    const decc_dp_publish_opts *o, decc_err *err) DECC_WARN_UNUSED;
DECC_API decc_status decc_dp_publish_workerpoolorder(
    decc_dp *dp, uint8_t *hash32, const decc_address *workerpool,
    const decc_dp_publish_opts *o, decc_err *err) DECC_WARN_UNUSED;

/* ---- processProtectedData ------------------------------------------------------- */

typedef struct decc_dp_process_opts {
  decc_address protected_data; /* zero: no dataset (an app run without
                                  protected data, `decc run`) */
  decc_address app;
  int has_workerpool; /* 0: any workerpool */
  decc_address workerpool;
  decc_u256 data_max_price; /* nRLC; default 0 */
  decc_u256 app_max_price;
  decc_u256 workerpool_max_price;
  uint64_t category;              /* default 0 */
  const char *args;               /* iexec_args, or NULL */
  const char *const *input_files; /* iexec_input_files (http(s) URLs) */
  size_t n_input_files;
  const char *const *secrets; /* requester secrets, app indexes 1..n */
  size_t n_secrets;
  int no_encrypt_result;       /* 1: plain result (default: encrypted) */
  const char *result_key_path; /* PEM private key; NULL = <home>/results/
                                   <requester>_key, generated when missing */
  const char *path;            /* extract this entry of the result zip */
  int no_wait;                 /* 1: return after matchOrders */
  unsigned timeout_s;          /* 0 = until the task's final deadline */
  unsigned poll_ms;            /* 0 = 200 ms (embedded) */
  decc_dp_progress_fn progress;
  void *user;
} decc_dp_process_opts;

typedef struct decc_dp_process_result {
  uint8_t deal_id[32];
  uint8_t task_id[32];
  uint8_t tx_hash[32];
  unsigned task_status;  /* DECC_TASK_* (decc/poco.h) when waited */
  decc_u256 total_price; /* app + dataset + workerpool price */
  uint8_t *result;       /* the (decrypted) result zip, or the
                              extracted entry when opts->path; NULL with
                              no_wait */
  size_t result_len;
  char *results_json;  /* task.results as stored on chain (JSON) */
  char *failure_cause; /* when the wait ended on a failure the worker
                              or scheduler recorded: "CAUSE: detail (exit
                              code N)", else NULL */
  char *stderr_tail;   /* the last lines of the app's stderr when the
                              worker's logs are readable here, else NULL */
} decc_dp_process_result;

DECC_API void decc_dp_process_result_clear(decc_dp_process_result *r);

/* processProtectedData (recipe §9 C): picks the first app order (tag ⊇
 * tee, price ≤ app max), the first dataset order for (data, app,
 * requester) under the data max price, the cheapest workerpool order
 * under its max price; checks the requester's PoCo balance covers the
 * total; pushes the requester secrets under random names; for an
 * encrypted result loads or generates the RSA-4096 key and pushes its
 * public half; signs the request order {app, dataset, workerpool (chosen),
 * max prices = chosen prices, requester = beneficiary = signer, volume 1,
 * tag 0x…09, category, trust 0, params {iexec_secrets, iexec_args,
 * iexec_input_files, iexec_result_encryption, iexec_result_storage_provider
 * "ipfs"}}; matchOrders; taskid = H(dealid ‖ 0); then (unless no_wait)
 * polls the task (calling the runner each round) until COMPLETED or
 * FAILED, downloads task.results' location from the store, decrypts it and
 * extracts opts->path.
 * Out: *out (decc_dp_process_result_clear). Returns: DECC_OK;
 * DECC_E_NOT_FOUND (no matching app / dataset / workerpool order: err
 * names which and why, e.g. "access not granted or exhausted");
 * DECC_E_UNSUPPORTED (app not a TEE app); DECC_E_RANGE (insufficient
 * balance: err says how much is missing); DECC_E_REVERT (matchOrders
 * reverted); DECC_E_TIMEOUT (task not done in time: the task id is in
 * err); DECC_E_STATE (task FAILED, or failed on the worker:
 * out->failure_cause / out->stderr_tail say why, see decc_dp_wait_task);
 * store / SMS / decryption errors. */
DECC_API decc_status decc_dp_process(decc_dp *dp, decc_dp_process_result *out,
                                     const decc_dp_process_opts *opts,
                                     decc_err *err) DECC_WARN_UNUSED;

/* ---- bulk processing (prepareBulkRequest / processBulkRequest) ----------------------------- */

/* Most protected data items in one task (the iexec SDK's
 * MAX_DATASET_PER_TASK) and in one bulk request (decc's bound). */
#define DECC_DP_BULK_PER_TASK_MAX 100
#define DECC_DP_BULK_ITEMS_MAX 10000

typedef struct decc_dp_bulk_opts {
  const decc_address
      *protected_data; /* the items (1..DECC_DP_BULK_ITEMS_MAX) */
  size_t n_protected_data;
  decc_address app;
  int has_workerpool; /* 0: any workerpool */
  decc_address workerpool;
  decc_u256 app_max_price; /* nRLC per task */
  decc_u256 workerpool_max_price;
  uint32_t max_per_task; /* 0 = DECC_DP_BULK_PER_TASK_MAX */
  const char *args;      /* iexec_args, or NULL */
  const char *const *input_files;
  size_t n_input_files;
  const char *const *secrets; /* requester secrets, app indexes 1..n */
  size_t n_secrets;
  int no_encrypt_result;       /* 1: plain results (default: encrypted) */
  const char *result_key_path; /* as decc_dp_process_opts */
  const char *path;            /* extract this entry of each result zip */
  int no_wait;                 /* 1: return after the deals are made */
  unsigned timeout_s;          /* per task; 0 = its final deadline */
  unsigned poll_ms;
  decc_dp_progress_fn progress;
  void *user;
} decc_dp_bulk_opts;

/* A prepared bulk request: the signed request order (dataset 0,
 * datasetmaxprice 0, volume = number of slices, params with bulk_cid) and
 * what it names. */
typedef struct decc_dp_bulk_request {
  decc_order order;   /* DECC_ORDER_REQUEST, signed */
  uint8_t hash[32];   /* its order hash */
  char bulk_cid[160]; /* root: JSON array of slice CIDs */
  size_t n_slices;    /* = tasks */
  size_t n_items;     /* protected data items */
} decc_dp_bulk_request;

DECC_API void decc_dp_bulk_request_clear(decc_dp_bulk_request *r);

/* One task of a bulk request (slice bulk_index). */
typedef struct decc_dp_bulk_task {
  uint8_t deal_id[32];
  uint8_t task_id[32];
  uint64_t bulk_index; /* the slice = the task's index */
  unsigned status;     /* DECC_TASK_* when waited */
  uint8_t *result;     /* (decrypted) result zip or entry */
  size_t result_len;
  char *failure_cause; /* as decc_dp_process_result */
  char *stderr_tail;
} decc_dp_bulk_task;

typedef struct decc_dp_bulk_result {
  decc_dp_bulk_task *tasks; /* sorted by bulk_index */
  size_t n_tasks;
  size_t n_deals;
} decc_dp_bulk_result;

DECC_API void decc_dp_bulk_result_clear(decc_dp_bulk_result *r);

/* prepareBulkRequest: for each protected data item, the open grant that
 * allows bulk (price 0, volume >= 2^53 - 2, app and requester restrictions
 * letting opts->app and the signer use it, workerpool restriction 0 or
 * opts->workerpool) with volume left on chain; refused with a reason
 * naming the item otherwise ("protected data 0x…: its grant for app 0x…
 * does not allow bulk processing (price 1 nRLC, 10 accesses): the owner
 * must grant it with allowBulk (decc grant … --bulk)", "… its bulk grant
 * was revoked …", "… no grant …"). Then, as the iexec SDK's
 * prepareDatasetBulk: slices of max_per_task signed dataset orders (JSON
 * array, SDK shape) uploaded to the store, a root (JSON array of the slice
 * CIDs) uploaded; requester secrets pushed; result key pushed unless
 * no_encrypt_result; the request order {app, appmaxprice, dataset 0,
 * datasetmaxprice 0, workerpool (opts or 0), workerpoolmaxprice, requester
 * = beneficiary = signer, volume = slices, tag 0x…09, category 0, trust 0,
 * params {bulk_cid, iexec_secrets, iexec_args, iexec_input_files,
 * iexec_result_encryption, iexec_result_storage_provider}} signed.
 * Out: *out (decc_dp_bulk_request_clear). Returns: DECC_OK;
 * DECC_E_INVALID (no items, too many, a duplicate, bad input file);
 * DECC_E_NOT_FOUND (an item has no usable bulk grant: err names it and
 * why); DECC_E_UNSUPPORTED (app not a TEE app); store / SMS errors. */
DECC_API decc_status decc_dp_prepare_bulk(decc_dp *dp,
                                          decc_dp_bulk_request *out,
                                          const decc_dp_bulk_opts *opts,
                                          decc_err *err) DECC_WARN_UNUSED;

/* processBulkRequest: while the request has volume left on chain
 * (viewConsumed), picks an app order (price ≤ appmaxprice, tag ⊇ tee) and
 * the cheapest workerpool order (≤ workerpoolmaxprice) and matchOrders
 * with an empty dataset order; each deal's tasks are the slices
 * [botFirst, botFirst + botSize). Checks the requester's balance for the
 * remaining volume first. Unless opts->no_wait, waits for every task and
 * fetches (and decrypts) its result. opts supplies the waiting and result
 * options (its items, app and prices are not used: the request carries
 * them). Out: *out (decc_dp_bulk_result_clear; filled as far as it got).
 * Returns: DECC_OK (every task COMPLETED); DECC_E_NOT_FOUND (no app /
 * workerpool order fits); DECC_E_RANGE (insufficient balance);
 * DECC_E_REVERT; DECC_E_STATE (a task failed: err names it and its cause,
 * the other results are still in out); DECC_E_TIMEOUT. */
DECC_API decc_status decc_dp_process_bulk_request(
    decc_dp *dp, decc_dp_bulk_result *out, const decc_dp_bulk_request *req,
    const decc_dp_bulk_opts *opts, decc_err *err) DECC_WARN_UNUSED;

/* decc_dp_prepare_bulk then decc_dp_process_bulk_request. */
DECC_API decc_status decc_dp_process_bulk(decc_dp *dp, decc_dp_bulk_result *out,
                                          const decc_dp_bulk_opts *opts,
                                          decc_err *err) DECC_WARN_UNUSED;

/* ---- waiting for a task ----------------------------------------------------------- */

typedef struct decc_dp_wait_opts {
  unsigned timeout_s;           /* 0 = until the task's final deadline */
  unsigned poll_ms;             /* 0 = 200 ms */
  decc_dp_progress_fn progress; /* "CONSUME_TASK" with each status change */
  void *user;
} decc_dp_wait_opts;

/* How a wait ended (decc_dp_task_end_clear). */
typedef struct decc_dp_task_end {
  unsigned status;   /* DECC_TASK_* on chain when the wait ended */
  char *cause;       /* failure recorded by a scheduler / worker of this
                          data directory ("APP_EXIT_CODE: … (exit code 3)"),
                          or NULL */
  char *stderr_tail; /* last lines (≤ 2 KiB) of the app's stderr from the
                          worker's logs (<home>/worker/logs/<task>.json)
                          when readable here, or NULL */
} decc_dp_task_end;

DECC_API void decc_dp_task_end_clear(decc_dp_task_end *e);

/* Waits for a task (calling the runner each round) until it is COMPLETED
 * on chain, FAILED on chain, or a scheduler / worker recorded why it failed
 * (decc_worker_failure_cause: the app's exit code, an invalid
 * computed.json, a bundle that could not be fetched, the app's time limit
 * …) — the wait ends then, without waiting for the task's deadline. The
 * record is read from this data directory's scheduler / worker state, or,
 * when the market is a node (market_url), from that node's workerpool API
 * (GET /tasks/{id}: the replicate's failureCause, polled once a second).
 * A recorded SMS_REFUSED does not end it (the scheduler retries the
 * session) unless the refusal is final (GRANT_EXPIRED,
 * GRANT_POLICY_INVALID).
 * Out: *end (always cleared first; filled on every return).
 * Returns: DECC_OK (COMPLETED); DECC_E_STATE (failed: err names the cause,
 * end->cause / end->stderr_tail hold it); DECC_E_TIMEOUT (still running
 * after timeout_s or past its final deadline: err says so and how to
 * resume); chain errors. */
DECC_API decc_status decc_dp_wait_task(decc_dp *dp, const uint8_t task_id32[32],
                                       const decc_dp_wait_opts *opts,
                                       decc_dp_task_end *end,
                                       decc_err *err) DECC_WARN_UNUSED;

/* Fetches the result of a completed task: task.results → store → (when
 * the deal asked for encryption) decrypt with the key at key_path (NULL =
 * the requester's key under <home>/results) → optional path extraction.
 * Out: *out (decc_free), *len. Returns: DECC_OK; DECC_E_STATE (task not
 * completed: err says its status); DECC_E_NOT_FOUND (no key / entry). */
DECC_API decc_status decc_dp_fetch_result(
    decc_dp *dp, uint8_t **out, size_t *len, const uint8_t task_id32[32],
    const char *key_path, const char *path, decc_err *err) DECC_WARN_UNUSED;

/* Loads the requester's RSA result key from path (NULL = <home>/results/
 * <signer>_key), generating and saving an RSA-4096 pair when the file
 * does not exist (create != 0). Out: *key (decc_rsa_key_destroy), *created
 * (optional). Returns: DECC_OK; DECC_E_NOT_FOUND (missing, create 0);
 * parse / I/O errors. */
struct decc_rsa_key;
DECC_API decc_status decc_dp_result_key(decc_dp *dp, struct decc_rsa_key **key,
                                        int *created, const char *path,
                                        int create,
                                        decc_err *err) DECC_WARN_UNUSED;

/* One line per on-chain event of a task (TaskInitialize, TaskContribute,
 * TaskConsensus, TaskReveal, TaskFinalize, TaskClaimed …), with block
 * number and time, then its current status and deadline. Out: *text
 * (decc_free). Returns: DECC_OK; DECC_E_NOT_FOUND (no such task). */
DECC_API decc_status decc_dp_task_logs(decc_dp *dp, char **text,
                                       const uint8_t task_id32[32],
                                       decc_err *err) DECC_WARN_UNUSED;

/* Status name of a PoCo task status ("UNSET", "ACTIVE", "REVEALING",
 * "COMPLETED", "FAILED"). Static. */
DECC_API const char *decc_dp_task_status_name(unsigned status);

#ifdef __cplusplus
}
#endif
#endif /* DECC_DATAPROTECTOR_H */
