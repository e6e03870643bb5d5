/*
 * decc/node.h — `decc node`: one process exposing decc's services over
 * HTTP, each role switched on or off:
 *   chain      the embedded ledger (<home>/chain/ledger.db) and an Ethereum
 *              JSON-RPC endpoint (POST / and POST /rpc);
 *   store      the content store (<home>/store): Kubo RPC /api/v0/add,
 *              /api/v0/cat and the /ipfs/<cid> gateway;
 *   market     the orderbook (<home>/market/orders.db) with the iExec market
 *              API routes, login challenges, and a watcher that keeps order
 *              status in sync with the chain's OrdersMatched / Closed*Order
 *              events;
 *   sms        the secret management service (<home>/sms vault);
 *   scheduler, worker   (library services of the worker layer); the
 *              scheduler also serves workers on other hosts (POST
 *              /scheduler/replicates/...), and a worker may use a remote
 *              scheduler by scheduler_url.
 * Plus GET /health. Every route is documented in docs/api/http.md.
 *
 * Configuration is a flat set of keys (decc_node_config_set) that a JSON
 * file, the environment (DECC_NODE_<KEY>, and DECC_HOME for home) and
 * command-line flags all write; the caller applies them in the order file,
 * environment, flags so that flags win.
 *
 * Thread-safety: a decc_node is created, started and destroyed by one
 * thread; its services run on their own threads in between.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "NULL is a no-op"; err and the log callback and its context
 * may always be NULL); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (0 from decc_node_port; a void function returns at once)
 * without touching anything.
 */
#ifndef DECC_NODE_H
#define DECC_NODE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Roles (bit mask). */
#define DECC_NODE_ROLE_CHAIN 0x01u
#define DECC_NODE_ROLE_STORE 0x02u
#define DECC_NODE_ROLE_MARKET 0x04u
#define DECC_NODE_ROLE_SMS 0x08u
#define DECC_NODE_ROLE_SCHEDULER 0x10u
#define DECC_NODE_ROLE_WORKER 0x20u
#define DECC_NODE_ROLE_ALL 0x3fu

/* Defaults. */
#define DECC_NODE_DEFAULT_PORT 8545u
#define DECC_NODE_DEFAULT_ROLES                                                \
  (DECC_NODE_ROLE_CHAIN | DECC_NODE_ROLE_STORE | DECC_NODE_ROLE_MARKET |       \
   DECC_NODE_ROLE_SMS)

/* The effective configuration. Strings are owned by the struct
 * (decc_node_config_clear); NULL means unset. Change it through
 * decc_node_config_set so values are validated. */
typedef struct decc_node_config {
  char *home;               /* data directory (required) */
  char *bind;               /* listen address, default "127.0.0.1" */
  uint16_t port;            /* 0 = any free port; default 8545 */
  unsigned roles;           /* DECC_NODE_ROLE_* mask */
  unsigned threads;         /* HTTP worker threads, default 8: handlers
                               block (an SMS release waits for its receipt's
                               fdatasync, a store cat reads the disk, a
                               JSON-RPC send may be held 310 ms), so the pool
                               is sized for waiting, not for the cores */
  unsigned max_connections; /* default 256 */
  unsigned timeout_s;       /* idle connection timeout, default 30 */
  size_t max_body;          /* JSON request bodies, default 1 MiB */
  size_t max_header_bytes;  /* per-connection header memory, default 32 KiB */
  uint64_t max_upload;      /* store add bodies, default 1 GiB */
  unsigned rpc_max_batch;   /* JSON-RPC batch size limit, default 100 */
  /* Remote services (a worker node on another host points at a main
   * node); NULL = local role or none. */
  char *chain_url;
  char *sms_url;
  char *store_url;
  char *scheduler_url;
  char *genesis;           /* genesis JSON file used when creating the ledger */
  char *hub;               /* PoCo hub of chain_url (default: the default
                            genesis hub, i.e. a decc node's); the registries
                            and token are read from it */
  unsigned market_poll_ms; /* event watcher period, default 500 */
  unsigned market_refresh_s;   /* full refresh period (dead orders), default
                                60; 0 = only at start */
  int market_auth;             /* 1 (default): publish / unpublish need the
                            challenge authorization header */
  unsigned challenge_ttl_s;    /* login challenge lifetime, default 600 */
  char *sms_passphrase_file;   /* vault passphrase file (NULL: key file) */
  char *sms_trusted_platforms; /* comma-separated platform addresses */
  int log_requests;   /* 1 (default): one line per request on the log */
  int log_json;       /* 1: `decc node` writes its log as one JSON object
                            per line (docs/operations.md); the library's
                            log callback still receives text lines */
  char *cors_origins; /* origins whose browser pages may call the node
                         (decc_http_config.cors_origins): "*", or a comma
                         list of scheme://host[:port]; NULL or "" (the
                         default): none */
  /* scheduler / worker roles */
  char *workerpool;            /* the workerpool the scheduler serves (NULL:
                                every workerpool the scheduler key owns,
                                also those deployed after the start) */
  char *scheduler_key_file;    /* workerpool owner key (0x hex file) */
  char *worker_key_file;       /* worker wallet key (0x hex file) */
  char *platform_key_file;     /* software TEE platform key (0x hex file); its
                                address must be in the SMS's trusted list */
  unsigned workerpool_poll_ms; /* scheduler/worker round period, default 500 */
  char *scheduler_workers;     /* comma-separated worker addresses the
                                scheduler's HTTP API serves; NULL or empty:
                                any worker with a valid signature */
  char *tee_backend;           /* worker TEE backend: "software" (NULL, the
                                default: quotes signed with
                                platform_key_file) or "tdx" (inside an Intel
                                TDX guest: DCAP quotes via configfs-tsm) */
  char *tsm_dir;               /* tdx: configfs-tsm report directory (NULL:
                                /sys/kernel/config/tsm/report) */
  char *tsm_entry;             /* tdx: an existing entry directory to use
                                instead of creating one under tsm_dir */
  char *enclave_exec;          /* worker: the program each enclave runs as
                                (decc_enclave_launch's exec_path; `decc
                                node` sets its own binary). NULL: a forked
                                copy of the node (tests only: the node is
                                multi-threaded) */
  /* sms role, hardware quotes (docs/internals/dcap.md): without a policy
   * every TDX quote is refused. Collateral from a file, else from the PCCS
   * (cached in <home>/pccs-cache). */
  char *sms_dcap_policy_file;     /* decc_dcap_policy JSON */
  char *sms_dcap_collateral_file; /* collateral JSON (offline use) */
  char *sms_dcap_pccs_url;        /* Intel PCS or a caching PCCS */
  /* glibc malloc bound for a long-running node (decc_node_create applies
   * it to the whole process): at most this many arenas, and allocations of
   * 128 KiB or more always mmap'd (returned to the system when freed)
   * instead of the threshold that rises with each large free. Default 4;
   * 0 leaves malloc as it is. No effect without glibc. */
  unsigned malloc_arenas;
  /* When glibc's arenas hold more than this many KiB free, the node gives
   * the free pages back to the system (malloc_trim), checked every 5 s
   * while the heap changes. Default 1024; 0 never trims. No effect
   * without glibc. */
  unsigned malloc_trim_kib;
  /* Not a key (set in code): 1 starts the HTTP server without its threads
   * (decc_http_config.external_loop): nothing is served until the caller
   * drives it with decc_http_server_run on decc_node_http. For harnesses
   * (the fuzz targets, fuzz/fuzz_node.h), never for a serving node.
   * Default 0. */
  int http_external_loop;
} decc_node_config;

/* Fills c with the defaults (home from nothing: NULL). */
DECC_API void decc_node_config_init(decc_node_config *c);
/* Frees the owned strings and re-initialises c. */
DECC_API void decc_node_config_clear(decc_node_config *c);

/* Sets one key from its text value. Keys (JSON file names; flags are
 * "--" + key with '_' → '-'; environment DECC_NODE_ + upper-case key):
 *   home bind port roles threads max_connections timeout max_body
 *   max_header_bytes max_upload rpc_max_batch chain_url sms_url store_url
 *   scheduler_url genesis hub market_poll_ms market_refresh_s market_auth
 *   challenge_ttl sms_passphrase_file sms_trusted_platforms log_requests
 *   log_json cors_origins
 *   workerpool scheduler_key_file worker_key_file platform_key_file
 *   workerpool_poll_ms scheduler_workers tee_backend tsm_dir tsm_entry
 *   enclave_exec sms_dcap_policy_file sms_dcap_collateral_file sms_dcap_pccs_url
 *   malloc_arenas malloc_trim_kib
 * roles is a comma-separated list of chain,store,market,sms,scheduler,
 * worker, or "all" / "none"; booleans are true/false/1/0/yes/no.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (unknown key); DECC_E_INVALID (bad
 * value; err names the key); DECC_E_NOMEM. */
DECC_API decc_status decc_node_config_set(decc_node_config *c, const char *key,
                                          const char *value,
                                          decc_err *err) DECC_WARN_UNUSED;
/* Applies a JSON object of keys (values: strings, numbers, booleans; roles
 * may also be an array of names). At most 64 KiB.
 * Returns: as decc_node_config_set, DECC_E_PARSE (not a JSON object),
 * DECC_E_LIMIT. */
DECC_API decc_status decc_node_config_load_json(decc_node_config *c,
                                                const char *json, size_t len,
                                                decc_err *err) DECC_WARN_UNUSED;
/* Reads and applies a JSON config file. Returns: as load_json, DECC_E_IO. */
DECC_API decc_status decc_node_config_load_file(decc_node_config *c,
                                                const char *path,
                                                decc_err *err) DECC_WARN_UNUSED;
/* Applies DECC_HOME and every DECC_NODE_<KEY> variable that is set.
 * Returns: as decc_node_config_set (err names the variable). */
DECC_API decc_status decc_node_config_load_env(decc_node_config *c,
                                               decc_err *err) DECC_WARN_UNUSED;
/* Name of configuration key i (0-based) or NULL past the last. */
DECC_API const char *decc_node_config_key(size_t i);
/* The configuration as a JSON object (never secrets: the passphrase file
 * is shown as a path only). Out: *json (decc_free). */
DECC_API decc_status decc_node_config_to_json(
    char **json, const decc_node_config *c) DECC_WARN_UNUSED;
/* Parses a role list into a mask. Returns: DECC_OK or DECC_E_INVALID. */
DECC_API decc_status decc_node_roles_parse(unsigned *mask, const char *s,
                                           decc_err *err) DECC_WARN_UNUSED;

typedef struct decc_node decc_node;

/* Creates the node: makes the data directory layout, opens (creating on
 * first use) the ledger, store, market and SMS of the enabled roles, and
 * registers their routes. Nothing listens yet. cfg is copied.
 * log (optional) receives one line per request and per service event
 * (never bodies, query strings or secrets); it is called from the node's
 * threads.
 * Returns: DECC_OK; DECC_E_INVALID (no home, a role that needs a missing
 * piece: err says which; a worker needs the scheduler role in the same
 * node or scheduler_url, plus chain_url / sms_url / store_url for the
 * roles it lacks); DECC_E_UNSUPPORTED (a
 * role this build lacks);
 * market and sms need the chain role or chain_url (a remote Ethereum
 * JSON-RPC node running PoCo, e.g. another decc node);
 * DECC_E_IO; the services' errors. */
DECC_API decc_status decc_node_create(decc_node **out,
                                      const decc_node_config *cfg,
                                      void (*log)(void *ctx, const char *line),
                                      void *log_ctx,
                                      decc_err *err) DECC_WARN_UNUSED;
/* Starts listening and the background threads (market watcher).
 * Returns: DECC_OK; DECC_E_IO (address in use…); DECC_E_STATE (started). */
DECC_API decc_status decc_node_start(decc_node *n,
                                     decc_err *err) DECC_WARN_UNUSED;
/* Port bound (after start). */
DECC_API uint16_t decc_node_port(const decc_node *n);
/* The node's HTTP server (owned by the node; valid until
 * decc_node_destroy), for a caller that drives it
 * (cfg.http_external_loop: decc_http_server_run,
 * decc_http_server_add_connection). NULL when n is NULL (misuse). */
DECC_API struct decc_http_server *decc_node_http(decc_node *n);
/* Runs one market synchronisation step now (events since the last poll),
 * as the watcher thread does. Out: *applied (optional) = events applied.
 * Returns: DECC_OK, DECC_E_STATE (no market or no chain), chain errors. */
DECC_API decc_status decc_node_market_sync(decc_node *n, size_t *applied,
                                           decc_err *err) DECC_WARN_UNUSED;
/* Stops the HTTP server and the threads (waiting for in-flight requests),
 * closes every service and frees the node. NULL is a no-op. */
DECC_API void decc_node_destroy(decc_node *n);

#ifdef __cplusplus
}
#endif
#endif /* DECC_NODE_H */
