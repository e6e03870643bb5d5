/*
 * decc/sms_client.h — one way to reach an SMS, whether it runs in this
 * process or behind a URL: the SDK (push secrets, check a dataset key),
 * the scheduler (enclave challenges) and the worker (attestation nonces,
 * sessions) hold a decc_sms_client and never ask which kind it is.
 *
 * Like decc_chain (decc/chain.h), a decc_sms_client is a handle over a
 * backend vtable. Two backends ship: "local" over a decc_sms of this
 * process (decc/sms.h, borrowed) and "http" over the iExec SMS REST API of
 * a decc node or of iExec (the decc_sms_client_* URL functions of
 * decc/sms.h). Callers sign nothing themselves: each call takes the key
 * iExec names (the secret's owner, the workerpool owner, the worker) and
 * the backend signs the exact iExec challenge, so the same call gives the
 * same answer on both backends.
 *
 * One status contract whatever the backend (docs/internals/clients.md):
 * statuses are those a remote caller can tell apart — DECC_OK,
 * DECC_E_INVALID (400), DECC_E_BAD_SIGNATURE / DECC_E_DENIED (401: the
 * signature, or the right, is refused), DECC_E_NOT_FOUND (404),
 * DECC_E_EXISTS (409), DECC_E_LIMIT (413 / 429), DECC_E_INTERNAL (5xx);
 * the http backend adds DECC_E_NETWORK / DECC_E_TIMEOUT / DECC_E_PARSE for
 * transport failures. The local backend maps the SMS's own statuses
 * through the HTTP status the SMS would answer (decc_sms_http_status), so
 * a caller tested on one backend behaves the same on the other. err holds
 * one line with the SMS's reason (never a secret value). The TEE calls
 * also give the SMS's stable refusal code ("EXECUTION_NOT_AUTHORIZED_…")
 * in a caller buffer, empty when there is none.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("may be NULL", "NULL is a no-op", err; a value may be NULL when its
 * length is 0; decc_smsc_secret_exists's name as decc_sms_secret_exists
 * allows); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID ("" for decc_sms_client_backend) without touching
 * anything — except that decc_sms_client_create still releases self
 * (vt->destroy) when out is NULL, as it owns self.
 *
 * Thread-safety: both backends may be used from several threads at once
 * (the local one relies on decc_sms being thread-safe; the http one keeps
 * no state but its URL).
 */
#ifndef DECC_SMS_CLIENT_H
#define DECC_SMS_CLIENT_H

#include "common.h"
#include "keys.h"
#include "sms.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size of a refusal code buffer (codes are short upper-case names; a
 * longer one from a remote SMS is cut). */
#define DECC_SMS_CODE_MAX 96

typedef struct decc_sms_client decc_sms_client;

/* The backend vtable. `self` is the backend's state. Every function
 * returns decc_status under the contract of the file comment and fills
 * err; `code` (when present) is a DECC_SMS_CODE_MAX buffer the backend
 * sets to the refusal code or "". Backends implement all of them. */
typedef struct decc_sms_client_vtable {
  const char *name;
  decc_status (*push_web3)(void *self, const decc_address *dataset,
                           const char *value, size_t len,
                           const uint8_t sk32[32], decc_err *err);
  decc_status (*push_web2)(void *self, const char *name, const char *value,
                           size_t len, int update, const uint8_t sk32[32],
                           decc_err *err);
  decc_status (*push_app_secret)(void *self, const decc_address *app,
                                 const char *value, size_t len,
                                 const uint8_t sk32[32], decc_err *err);
  decc_status (*push_requester_secret)(void *self, const char *key,
                                       const char *value, size_t len,
                                       const uint8_t sk32[32], decc_err *err);
  decc_status (*secret_exists)(void *self, decc_secret_kind kind,
                               const decc_address *owner, const char *name,
                               int *exists, decc_err *err);
  decc_status (*enclave_challenge)(void *self, const uint8_t taskid32[32],
                                   const uint8_t pool_sk32[32],
                                   decc_address *enclave,
                                   char code[DECC_SMS_CODE_MAX], decc_err *err);
  decc_status (*nonce)(void *self, const uint8_t taskid32[32],
                       uint8_t nonce32[32], char code[DECC_SMS_CODE_MAX],
                       decc_err *err);
  decc_status (*session)(void *self, const decc_sms_session_request *r,
                         const uint8_t worker_sk32[32],
                         char session_id[DECC_SMS_SESSION_ID_LEN + 1],
                         uint8_t **sealed, size_t *sealed_len,
                         char code[DECC_SMS_CODE_MAX], decc_err *err);
  void (*destroy)(void *self);
} decc_sms_client_vtable;

/* Wraps a backend (vt must outlive the client). Takes ownership of self:
 * vt->destroy releases it, also when this call fails.
 * Returns: DECC_OK; DECC_E_INVALID (NULL argument); DECC_E_NOMEM. */
DECC_API decc_status decc_sms_client_create(decc_sms_client **out,
                                            const decc_sms_client_vtable *vt,
                                            void *self) DECC_WARN_UNUSED;

/* The "local" backend over an SMS of this process. sms is borrowed: it
 * must outlive the client. Returns: DECC_OK; DECC_E_INVALID; DECC_E_NOMEM. */
DECC_API decc_status decc_sms_client_open_local(decc_sms_client **out,
                                                decc_sms *sms,
                                                decc_err *err) DECC_WARN_UNUSED;

/* The "http" backend over the SMS at base_url ("http://host:port[/prefix]",
 * copied; nothing is sent yet).
 * Returns: DECC_OK; DECC_E_INVALID (not an http:// or https:// URL, or
 * longer than 2048 bytes); DECC_E_NOMEM. */
DECC_API decc_status decc_sms_client_open_http(decc_sms_client **out,
                                               const char *base_url,
                                               decc_err *err) DECC_WARN_UNUSED;

/* Closes the client and its backend state (a local backend's SMS stays
 * open). NULL is a no-op. */
DECC_API void decc_sms_client_destroy(decc_sms_client *c);

/* Name of the backend ("local", "http", or a custom vtable's name). */
DECC_API const char *decc_sms_client_backend(const decc_sms_client *c);

/* Pushes a dataset key (web3 secret) for dataset, signed by sk32 (the
 * dataset's current owner()). Never updatable: DECC_E_EXISTS when set. */
DECC_API decc_status decc_smsc_push_web3(decc_sms_client *c,
                                         const decc_address *dataset,
                                         const char *value, size_t len,
                                         const uint8_t sk32[32],
                                         decc_err *err) DECC_WARN_UNUSED;
/* Creates (update 0; DECC_E_EXISTS when present) or replaces (update 1;
 * DECC_E_NOT_FOUND when absent) the web2 secret `name` owned by the key's
 * address. DECC_E_INVALID for a name decc_sms_web2_name_valid refuses. */
DECC_API decc_status decc_smsc_push_web2(decc_sms_client *c, const char *name,
                                         const char *value, size_t len,
                                         int update, const uint8_t sk32[32],
                                         decc_err *err) DECC_WARN_UNUSED;
/* Pushes the app developer secret of app, signed by the app's owner(). */
DECC_API decc_status decc_smsc_push_app_secret(decc_sms_client *c,
                                               const decc_address *app,
                                               const char *value, size_t len,
                                               const uint8_t sk32[32],
                                               decc_err *err) DECC_WARN_UNUSED;
/* Pushes a requester secret `key` owned by the key's address (key must
 * satisfy decc_sms_requester_key_valid, else DECC_E_INVALID). */
DECC_API decc_status decc_smsc_push_requester_secret(
    decc_sms_client *c, const char *key, const char *value, size_t len,
    const uint8_t sk32[32], decc_err *err) DECC_WARN_UNUSED;

/* Whether a secret exists (no signature: the SMS's HEAD routes). kind and
 * name as for decc_sms_secret_exists. Out: *exists (1/0).
 * Returns: DECC_OK (whether or not it exists); DECC_E_INVALID (bad name or
 * key); transport errors. */
DECC_API decc_status decc_smsc_secret_exists(decc_sms_client *c,
                                             decc_secret_kind kind,
                                             const decc_address *owner,
                                             const char *name, int *exists,
                                             decc_err *err) DECC_WARN_UNUSED;

/* The task's enclave challenge, asked as the workerpool owner (pool_sk32
 * signs H(taskid)). Out: *enclave; code (may be NULL) = refusal code or "".
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no such task / deal);
 * DECC_E_BAD_SIGNATURE / DECC_E_DENIED (not the workerpool owner, task not
 * active, not a TEE deal); transport errors. */
DECC_API decc_status decc_smsc_enclave_challenge(
    decc_sms_client *c, const uint8_t taskid32[32], const uint8_t pool_sk32[32],
    decc_address *enclave, char *code, decc_err *err) DECC_WARN_UNUSED;

/* A fresh attestation nonce for the task (decc_sms_attestation_nonce).
 * Out: nonce32; code (may be NULL). Returns as above; DECC_E_LIMIT (the
 * SMS is rate-limiting). */
DECC_API decc_status decc_smsc_nonce(decc_sms_client *c,
                                     const uint8_t taskid32[32],
                                     uint8_t nonce32[32], char *code,
                                     decc_err *err) DECC_WARN_UNUSED;

/* Requests the task's session as the worker (worker_sk32 signs
 * H(worker‖task‖enclave) for the Authorization header). Out: session_id,
 * *sealed (decc_free; sealed to r->quote.enclave_pubkey) and *sealed_len;
 * code (may be NULL). Returns: DECC_OK; the refusals of
 * decc_sms_release_session under the contract above (e.g. an untrusted
 * platform: DECC_E_DENIED with code "ATTESTATION_UNTRUSTED_PLATFORM"). */
DECC_API decc_status decc_smsc_session(
    decc_sms_client *c, const decc_sms_session_request *r,
    const uint8_t worker_sk32[32], char session_id[DECC_SMS_SESSION_ID_LEN + 1],
    uint8_t **sealed, size_t *sealed_len, char *code,
    decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_SMS_CLIENT_H */
