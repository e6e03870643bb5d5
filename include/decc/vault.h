/*
 * decc/vault.h — the SMS's sealed secret store.
 *
 * Secrets (dataset keys, web2 secrets, requester and app-developer
 * secrets, enclave challenge keys) are stored in SQLite, each value sealed
 * with AES-256-GCM under the vault key, a fresh 96-bit nonce per write,
 * and the record's identity (kind, owner, name) as associated data so a
 * sealed value cannot be moved to another slot. Nothing secret is ever
 * written in clear (SQLite runs with secure_delete so overwritten pages
 * are zeroed).
 *
 * The vault key is either a random 32-byte key kept in a 0600 file next
 * to the database, or derived from a passphrase with Argon2id (libsodium,
 * salt stored beside the database; no key on disk).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (the secret name, the passphrase, err; a value may be NULL when its
 * length is 0; decc_vault_close(NULL) is a no-op); a NULL one is reported
 * to the misuse handler (decc_set_misuse_handler, common.h) and the
 * function returns DECC_E_INVALID (0 for decc_vault_has) without touching
 * anything.
 */
#ifndef DECC_VAULT_H
#define DECC_VAULT_H

#include "common.h"
#include "keys.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct decc_vault decc_vault;

/* Secret kinds, as the iExec SMS distinguishes them. */
typedef enum decc_secret_kind {
  DECC_SECRET_WEB3 = 1,      /* dataset key; owner = dataset address */
  DECC_SECRET_WEB2 = 2,      /* owner + name (lowercased) */
  DECC_SECRET_APP_DEV = 3,   /* owner = app address, name = "1" */
  DECC_SECRET_REQUESTER = 4, /* owner = requester, name = secret key */
  DECC_SECRET_ENCLAVE = 5    /* enclave challenge key; owner = address of the
                                key, name = task id (0x-hex) */
} decc_secret_kind;

/* Longest secret value (the iExec SMS limit: 4096 bytes of UTF-8). */
#define DECC_SECRET_MAX 4096

/* Opens (creating) the vault in directory dir (created 0700 if missing).
 * passphrase NULL → key file <dir>/vault.key (created with a random key,
 * mode 0600); otherwise the key is derived from the passphrase with
 * Argon2id and a salt in <dir>/vault.salt; a wrong passphrase is detected
 * with a sealed check value (DECC_E_BAD_MAC).
 * Returns: DECC_OK, DECC_E_IO (err says which file), DECC_E_BAD_MAC,
 * DECC_E_NOMEM, DECC_E_CRYPTO. */
DECC_API decc_status decc_vault_open(decc_vault **v, const char *dir,
                                     const char *passphrase, size_t pp_len,
                                     decc_err *err) DECC_WARN_UNUSED;
/* Closes and wipes the key. NULL is a no-op. */
DECC_API void decc_vault_close(decc_vault *v);

/* Stores a secret. name may be NULL (web3). When `update` is 0 an existing
 * secret is not replaced (DECC_E_EXISTS); when 1 it must exist
 * (DECC_E_NOT_FOUND otherwise); when 2 it is created or replaced.
 * Returns: DECC_OK, DECC_E_EXISTS, DECC_E_NOT_FOUND, DECC_E_LIMIT (value
 * larger than DECC_SECRET_MAX), DECC_E_IO, DECC_E_CRYPTO. */
DECC_API decc_status decc_vault_put(decc_vault *v, decc_secret_kind kind,
                                    const decc_address *owner, const char *name,
                                    const uint8_t *value, size_t len,
                                    int update, decc_err *err) DECC_WARN_UNUSED;

/* Reads a secret into secure memory. Out: *value (decc_secure_free it; a
 * NUL follows the bytes), *len. Returns: DECC_OK, DECC_E_NOT_FOUND,
 * DECC_E_BAD_MAC (record tampered), DECC_E_IO. */
DECC_API decc_status decc_vault_get(decc_vault *v, decc_secret_kind kind,
                                    const decc_address *owner, const char *name,
                                    uint8_t **value, size_t *len,
                                    decc_err *err) DECC_WARN_UNUSED;

/* Same as decc_vault_get, into caller memory (for example one secure
 * arena reused for several reads): buf holds cap bytes, the value and a
 * NUL after it. Out: *len. Returns: as decc_vault_get, plus DECC_E_LIMIT
 * when the value does not fit (nothing is written then). */
DECC_API decc_status decc_vault_get_into(decc_vault *v, decc_secret_kind kind,
                                         const decc_address *owner,
                                         const char *name, uint8_t *buf,
                                         size_t cap, size_t *len,
                                         decc_err *err) DECC_WARN_UNUSED;

/* Returns: 1 if the secret exists, 0 if not (or on error). */
DECC_API int decc_vault_has(decc_vault *v, decc_secret_kind kind,
                            const decc_address *owner, const char *name);

/* Finds the owner of a secret by kind and name (e.g. the enclave key of a
 * task id). Out: *owner (the first match when several owners hold that
 * name). Returns: DECC_OK, DECC_E_NOT_FOUND, DECC_E_IO. */
DECC_API decc_status decc_vault_find_owner(decc_vault *v, decc_secret_kind kind,
                                           const char *name,
                                           decc_address *owner,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Makes the calling thread's reads of v (decc_vault_get, _get_into, _has,
 * _find_owner) until decc_vault_read_end share one read transaction on
 * one connection, held by this thread meanwhile: they see one consistent
 * snapshot (writes committed after the first of them are not seen) and
 * cost one lock of the database instead of one each. Writes are not
 * affected (they go through the writing connection). Hold it briefly:
 * other threads skip a held connection, and the snapshot keeps SQLite
 * from checkpointing past it.
 * Returns: 1 when held (pair it with decc_vault_read_end); 0 when not
 * (every read connection is in use, this thread already holds another
 * vault's, or the transaction could not start): reads then go one at a
 * time as without it, and decc_vault_read_end is a harmless no-op.
 * Nested calls on the same vault count and need as many ends. */
DECC_API int decc_vault_read_begin(decc_vault *v);

/* Ends what decc_vault_read_begin started on this thread (the last of
 * nested ends does). A no-op when this thread holds nothing of v, so it
 * may sit on every exit path. Never fails: a transaction that cannot
 * commit is rolled back. */
DECC_API void decc_vault_read_end(decc_vault *v);

/* Deletes a secret (e.g. an expired enclave key).
 * Returns: DECC_OK or DECC_E_NOT_FOUND. */
DECC_API decc_status decc_vault_delete(decc_vault *v, decc_secret_kind kind,
                                       const decc_address *owner,
                                       const char *name,
                                       decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_VAULT_H */
