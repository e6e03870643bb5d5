/*
 * enclave_int.h — helpers shared by the enclave runtime's files
 * (runtime.c, launch.c): outcome failures, paths, store fetch / upload.
 */
#ifndef DECC_ENCLAVE_INT_H
#define DECC_ENCLAVE_INT_H

#include "decc/buf.h"
#include "decc/enclave.h"

/* Sets the outcome's cause and detail unless a cause is already set. */
void decc__enclave_fail(decc_enclave_outcome *o, decc_task_cause c,
                        const char *fmt, ...) DECC_PRINTF(3, 4);
/* Monotonic clock in milliseconds. */
double decc__enclave_now_ms(void);
/* Removes a directory tree (best effort, never follows symlinks). */
void decc__enclave_rmtree(const char *path);
/* "a/b" as a heap string (decc_free), NULL on OOM. */
char *decc__enclave_path(const char *a, const char *b);
/* Fetches url ("/ipfs/<cid>", "ipfs://<cid>" from the store, or http(s))
 * into fd or, when buf is non-NULL, into buf; at most max bytes.
 * Returns: DECC_OK, DECC_E_LIMIT, the store's / HTTP errors. */
decc_status decc__enclave_fetch(const decc_enclave_store *store,
                                const char *url, int fd, decc_buf *buf,
                                uint64_t max, long timeout_s, decc_err *err);
/* Adds the file at path to the store (pinned). Out: its CID text. */
decc_status decc__enclave_upload(const decc_enclave_store *store,
                                 const char *path, char *cid_out, size_t cap,
                                 decc_err *err);

#endif
