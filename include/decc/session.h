/*
 * decc/session.h — the enclave session format and the deal params: the one
 * place that writes and reads them (docs/internals/session.md).
 *
 * The session is the JSON document the SMS seals to an attested enclave
 * (and the worker builds itself for a standard, non-TEE task): a name, a
 * version and up to three services — "pre-compute", "app", "post-compute"
 * — each with an "environment" object of string variables named by iExec
 * (docs/iexec-protocol.md §4.5). The app service's environment is exactly
 * what the app process gets. The deal params are the requester's JSON
 * string in the deal (§1.7): args, input files, requester secrets, result
 * encryption and storage, bulk root.
 *
 * Writers: the SMS (decc_sms_release_session) and the worker
 * (decc_enclave_standard_session). Reader: the enclave runtime
 * (decc_enclave_run_session). Every IEXEC_* name lives here as a constant;
 * no other file spells one.
 *
 * Values are text, as they appear in the document: ids and checksums are
 * 0x-hex, numbers are decimal, addresses as the SMS prints them. Values
 * marked secret (dataset keys, requester and app secrets, the enclave key,
 * storage token) are never logged; the writer copies them only into the
 * caller's buffer, which should be a secret decc_buf
 * (decc_buf_init_secret).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL or 0 when it returns a pointer or a number; a void
 * function returns at once) without touching anything.
 */
#ifndef DECC_SESSION_H
#define DECC_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- names (docs/iexec-protocol.md §4.5) ---------------------------------- */

#define DECC_SESSION_VERSION "0.1.0"
#define DECC_SESSION_PRE "pre-compute"
#define DECC_SESSION_APP "app"
#define DECC_SESSION_POST "post-compute"
/* The directories the enclave sees. */
#define DECC_SESSION_IN_DIR "/iexec_in"
#define DECC_SESSION_OUT_DIR "/iexec_out"
/* The address printed when the deal has no dataset. */
#define DECC_SESSION_ZERO_ADDRESS "0x0000000000000000000000000000000000000000"

/* Sign tokens (pre-compute and post-compute). */
#define DECC_ENV_TASK_ID "IEXEC_TASK_ID"
#define DECC_ENV_SIGN_WORKER_ADDRESS "SIGN_WORKER_ADDRESS"
#define DECC_ENV_SIGN_TEE_CHALLENGE_PRIVATE_KEY "SIGN_TEE_CHALLENGE_PRIVATE_KEY"
/* Pre-compute. */
#define DECC_ENV_PRE_COMPUTE_OUT "IEXEC_PRE_COMPUTE_OUT"
#define DECC_ENV_IS_DATASET_REQUIRED "IS_DATASET_REQUIRED"
#define DECC_ENV_DATASET_KEY "IEXEC_DATASET_KEY"
#define DECC_ENV_DATASET_URL "IEXEC_DATASET_URL"
#define DECC_ENV_DATASET_CHECKSUM "IEXEC_DATASET_CHECKSUM"
#define DECC_ENV_DATASET_FILENAME "IEXEC_DATASET_FILENAME"
#define DECC_ENV_DEAL_ID "IEXEC_DEAL_ID"
#define DECC_ENV_TASK_INDEX "IEXEC_TASK_INDEX"
#define DECC_ENV_INPUT_FILES_NUMBER "IEXEC_INPUT_FILES_NUMBER"
#define DECC_ENV_INPUT_FILES_FOLDER "IEXEC_INPUT_FILES_FOLDER"
/* Indexed names (1-based): stem ‖ i, built by decc_session_env_name. */
#define DECC_ENV_INPUT_FILE_URL_ "IEXEC_INPUT_FILE_URL_"
#define DECC_ENV_INPUT_FILE_NAME_ "IEXEC_INPUT_FILE_NAME_"
#define DECC_ENV_REQUESTER_SECRET_ "IEXEC_REQUESTER_SECRET_"
/* Bulk: IEXEC_BULK_SLICE_SIZE, then IEXEC_DATASET_<i>_URL / _CHECKSUM /
 * _KEY / _FILENAME, and decc's _REFUSED (the SMS's reason for a dataset it
 * released no key for; docs/internals/bulk.md). */
#define DECC_ENV_BULK_SLICE_SIZE "IEXEC_BULK_SLICE_SIZE"
#define DECC_ENV_BULK_DATASET_ "IEXEC_DATASET_"
#define DECC_ENV_BULK_URL "_URL"
#define DECC_ENV_BULK_CHECKSUM "_CHECKSUM"
#define DECC_ENV_BULK_KEY "_KEY"
#define DECC_ENV_BULK_FILENAME "_FILENAME"
#define DECC_ENV_BULK_REFUSED "_REFUSED"
/* App. */
#define DECC_ENV_IN "IEXEC_IN"
#define DECC_ENV_OUT "IEXEC_OUT"
#define DECC_ENV_BOT_SIZE "IEXEC_BOT_SIZE"
#define DECC_ENV_BOT_FIRST_INDEX "IEXEC_BOT_FIRST_INDEX"
#define DECC_ENV_BOT_TASK_INDEX "IEXEC_BOT_TASK_INDEX"
#define DECC_ENV_DATASET_ADDRESS "IEXEC_DATASET_ADDRESS"
#define DECC_ENV_APP_DEVELOPER_SECRET "IEXEC_APP_DEVELOPER_SECRET"
#define DECC_ENV_APP_DEVELOPER_SECRET_1 "IEXEC_APP_DEVELOPER_SECRET_1"
/* decc: the purpose of the dataset's grant policy (docs/receipts.md). */
#define DECC_ENV_GRANT_PURPOSE "DECC_GRANT_PURPOSE"
/* Post-compute. */
#define DECC_ENV_RESULT_ENCRYPTION "RESULT_ENCRYPTION"
#define DECC_ENV_RESULT_ENCRYPTION_PUBLIC_KEY "RESULT_ENCRYPTION_PUBLIC_KEY"
#define DECC_ENV_RESULT_STORAGE_CALLBACK "RESULT_STORAGE_CALLBACK"
#define DECC_ENV_RESULT_STORAGE_PROVIDER "RESULT_STORAGE_PROVIDER"
#define DECC_ENV_RESULT_STORAGE_PROXY "RESULT_STORAGE_PROXY"
#define DECC_ENV_RESULT_STORAGE_TOKEN "RESULT_STORAGE_TOKEN"

/* Deal params keys (§1.7). */
#define DECC_PARAM_ARGS "iexec_args"
#define DECC_PARAM_INPUT_FILES "iexec_input_files"
#define DECC_PARAM_SECRETS "iexec_secrets"
#define DECC_PARAM_RESULT_ENCRYPTION "iexec_result_encryption"
#define DECC_PARAM_STORAGE_PROVIDER "iexec_result_storage_provider"
#define DECC_PARAM_STORAGE_PROXY "iexec_result_storage_proxy"
#define DECC_PARAM_BULK_CID "bulk_cid"
/* The storage provider when the params name none. */
#define DECC_PARAM_PROVIDER_DEFAULT "ipfs"

/* Most iexec_secrets entries accepted in deal params. */
#define DECC_SESSION_SECRETS_MAX 64
/* Most datasets of a bulk slice (the iexec SDK's MAX_DATASET_PER_TASK). */
#define DECC_SESSION_BULK_MAX 100
/* Room for any environment name this module builds (NUL included). */
#define DECC_SESSION_ENV_NAME_MAX 48

/* Builds an indexed environment name: stem ‖ decimal(i) ‖ suffix (suffix
 * may be NULL), e.g. ("IEXEC_DATASET_", 2, "_KEY") → "IEXEC_DATASET_2_KEY".
 * Returns: out, or "" when it would not fit (never with this module's
 * stems and suffixes). */
DECC_API char *decc_session_env_name(char out[DECC_SESSION_ENV_NAME_MAX],
                                     const char *stem, uint64_t i,
                                     const char *suffix);

/* ---- deal params ------------------------------------------------------------ */

/* One iexec_secrets entry: app-side index → requester secret name. */
typedef struct decc_param_secret {
  const char *index; /* "1", "2", … (checked: a positive integer, ≤ 4 digits) */
  const char *name; /* the requester's secret key, as given */
} decc_param_secret;

/* The deal params parsed. Strings are borrowed from the parsed document
 * (or, for params that are not a JSON object, from the text given to
 * decc_deal_params_parse, which must then outlive p). */
typedef struct decc_deal_params {
  const char *args;         /* iexec_args, or the whole text; "" if none */
  const char **input_files; /* iexec_input_files URLs (owned array) */
  size_t n_input_files;
  decc_param_secret *secrets; /* iexec_secrets in document order (owned) */
  size_t n_secrets;
  int encrypt;          /* iexec_result_encryption: true or "true" */
  const char *provider; /* iexec_result_storage_provider, "ipfs" default */
  const char *proxy;    /* iexec_result_storage_proxy, NULL if none */
  const char *bulk_cid; /* bulk_cid, NULL if not a bulk deal */
  void *doc_;           /* internal: the parsed JSON */
} decc_deal_params;

/* Parses deal params by iExec's DealParams rules: text that is not a JSON
 * object is entirely iexec_args; in an object, iexec_input_files is null or
 * an array of at most max_input_files strings, iexec_secrets null or an
 * object of at most DECC_SESSION_SECRETS_MAX index → name strings,
 * iexec_result_encryption a boolean, "true"/"false" or null; an empty
 * provider means the default; other keys and types are ignored. max_bytes
 * / max_input_files of 0 mean no limit. Out: *p (decc_deal_params_clear;
 * cleared on failure too).
 * Returns: DECC_OK; DECC_E_LIMIT (more than max_bytes); DECC_E_INVALID
 * (not UTF-8, or a key above malformed: err names it); DECC_E_NOMEM. */
DECC_API decc_status decc_deal_params_parse(decc_deal_params *p,
                                            const char *text, size_t len,
                                            size_t max_bytes,
                                            size_t max_input_files,
                                            decc_err *err) DECC_WARN_UNUSED;
/* Frees what decc_deal_params_parse allocated. NULL is a no-op. */
DECC_API void decc_deal_params_clear(decc_deal_params *p);

/* ---- the session -------------------------------------------------------------- */

/* A dataset for pre-compute: the deal's own, or one of a bulk slice. */
typedef struct decc_session_dataset {
  const char *url;      /* the multiaddr as text (/ipfs/Qm… or http(s)) */
  const char *checksum; /* 0x-hex SHA-256 of the encrypted file */
  const char *key;      /* secret: base64 dataset key */
  size_t key_len;
  const char *filename; /* the dataset address (lowercase 0x-hex) */
  const char *refused;  /* bulk (decc): why no key was released; NULL if
                           released. url, checksum and key are "" then. */
} decc_session_dataset;

/* A requester secret as the app sees it: IEXEC_REQUESTER_SECRET_<index>. */
typedef struct decc_session_secret {
  const char *index; /* "1", "2", … */
  const char *value; /* secret; "" when the requester has none by that name */
  size_t len;
} decc_session_secret;

/* One environment variable (reader: the app's environment, in order). */
typedef struct decc_session_var {
  const char *name;
  const char *value;
} decc_session_var;

/* Values filled just before they are written, so that a writer holding
 * many secrets needs room for one at a time (the SMS reads each from its
 * vault into one secure slot). Both callbacks are optional. */
typedef struct decc_session_source {
  void *ctx;
  /* Completes bulk dataset i (0-based; d starts as bulk[i], filename
   * set): url, checksum, key, refused. A non-OK status stops the writer,
   * which returns it. */
  decc_status (*bulk)(void *ctx, size_t i, decc_session_dataset *d);
  /* Fills secret i's value (and len); same status rule. */
  decc_status (*secret)(void *ctx, size_t i, decc_session_secret *sec);
  /* Called once a value filled above has been copied into the document
   * (kind 'b' bulk, 's' secret), so that the caller may wipe it. */
  void (*done)(void *ctx, char kind, size_t i);
} decc_session_source;

/* The session as the writer takes it and the reader returns it. Every
 * string is borrowed: from the caller (writer) or from the parsed
 * document (reader); a NULL string is written as "". Fields marked
 * "reader" are filled by decc_session_parse only. */
typedef struct decc_session {
  const char *name;        /* the session id */
  const char *task_id;     /* 0x-hex */
  const char *deal_id;     /* 0x-hex */
  const char *task_index;  /* decimal */
  const char *bot_size;    /* decimal */
  const char *bot_first;   /* decimal */
  const char *worker;      /* EIP-55 address */
  const char *enclave_key; /* secret: 0x-hex key; NULL/"" standard task */

  /* pre-compute: written when there is a dataset, an input file or a
   * bulk slice; has_pre tells the reader whether the service exists. */
  int has_pre;     /* reader */
  int has_dataset; /* IS_DATASET_REQUIRED */
  decc_session_dataset dataset;
  int bulk; /* a bulk deal (IEXEC_BULK_SLICE_SIZE given) */
  decc_session_dataset *bulk_datasets; /* n_bulk items; reader: owned */
  size_t n_bulk;
  const char *bulk_size;    /* reader: IEXEC_BULK_SLICE_SIZE as given; the
                                items are read only when it is a number in
                                0..DECC_SESSION_BULK_MAX */
  const char **input_files; /* URLs, n_input_files; reader: owned array
                                of the URLs present from 1 on */
  size_t n_input_files;
  const char *input_files_number; /* reader: pre's IEXEC_INPUT_FILES_NUMBER */

  /* app */
  const char *app_image;        /* image_name (the app multiaddr as text) */
  const char *app_fingerprint;  /* 0x-hex app checksum; "" not checked */
  const char *args;             /* iexec_args */
  const char *dataset_address;  /* IEXEC_DATASET_ADDRESS / _FILENAME */
  const char *purpose;          /* DECC_GRANT_PURPOSE; NULL/"" none */
  decc_session_secret *secrets; /* n_secrets; reader: owned */
  size_t n_secrets;
  const char *app_secret; /* secret: app developer secret; NULL none */
  size_t app_secret_len;
  decc_session_var *app_env; /* reader: the app environment verbatim */
  size_t n_app_env;

  /* post-compute */
  int encrypt;
  const char *encryption_key; /* base64 PEM of the beneficiary's key */
  size_t encryption_key_len;
  int callback;         /* the deal has a callback contract */
  const char *provider; /* "" for callbacks */
  const char *proxy;    /* secret-ish: storage proxy URL */
  size_t proxy_len;
  const char *token; /* secret: storage token */
  size_t token_len;

  void *doc_; /* reader: the parsed JSON */
} decc_session;

/* Writes the session document of s (the byte layout of docs/internals/
 * session.md: member order, escapes) to the end of out. src (optional)
 * fills bulk datasets and secrets just in time. Secret values are copied
 * only into out. Returns: DECC_OK; DECC_E_INVALID (s NULL, or n_bulk /
 * n_secrets / n_input_files set without their array); DECC_E_LIMIT (out's
 * maximum reached); DECC_E_NOMEM; a status returned by a src callback. */
DECC_API decc_status decc_session_write(decc_buf *out, const decc_session *s,
                                        const decc_session_source *src)
    DECC_WARN_UNUSED;

/* Reads a session document (len bytes; no duplicate keys; the app and
 * post-compute services required, pre-compute optional; every environment
 * value a string). Fields the document lacks are NULL / 0: the runtime
 * decides what a phase cannot do without. Out: *s (decc_session_clear;
 * cleared on failure too). Strings borrow from the parsed document: in an
 * enclave, set wiping allocators for jansson first (launch.c does).
 * Returns: DECC_OK; DECC_E_PARSE (err says what is wrong); DECC_E_NOMEM. */
DECC_API decc_status decc_session_parse(decc_session *s, const char *text,
                                        size_t len,
                                        decc_err *err) DECC_WARN_UNUSED;
/* Frees what decc_session_parse allocated (not the caller's text). */
DECC_API void decc_session_clear(decc_session *s);

/* Checks a session string value for the writer: 1 when s[0..n) is UTF-8
 * without NUL bytes (what a JSON string may carry), else 0. */
DECC_API int decc_session_text_ok(const char *s, size_t n);

/* Appends s[0..n) to b as a JSON string literal, the way the session
 * writer does: '"' and '\\' escaped, control characters as \u00XX, all
 * else as is (s must be decc_session_text_ok). Returns: DECC_OK,
 * DECC_E_LIMIT, DECC_E_NOMEM. */
DECC_API decc_status decc_session_json_str(decc_buf *b, const char *s,
                                           size_t n) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_SESSION_H */
