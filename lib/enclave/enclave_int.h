/*
 * enclave_int.h — helpers shared by the enclave runtime's files
 * (runtime*.c, launch.c): outcome failures, paths, store fetch / upload,
 * and the three phases of a run.
 */
#ifndef DECC_ENCLAVE_INT_H
#define DECC_ENCLAVE_INT_H

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/enclave.h"

/* Sets the outcome's cause and detail unless a cause is already set. */
void decc__enclave_fail(decc_enclave_outcome *o, decc_task_cause c,
                        const char *fmt, ...) DECC_PRINTF(3, 4);
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

/* ---- the phases of a run (runtime_pre.c, runtime_app.c, runtime_post.c) */

#include "decc/bundle.h"
#include "decc/session.h"

/* Pre-compute: datasets (the deal's, a bulk slice's) and input files into
 * in_dir. Failures go to o. */
void decc__enclave_pre_compute(decc_enclave_outcome *o, const decc_session *s,
                               const char *in_dir,
                               const decc_enclave_store *store,
                               const decc_enclave_limits *lim);
/* The app in the sandbox with the session's app environment and args;
 * logs in logs_dir. Failures go to o. */
void decc__enclave_run_app(decc_enclave_outcome *o, const decc_session *s,
                           const decc_bundle_manifest *m, const char *app_dir,
                           const char *in_dir, const char *out_dir,
                           const char *logs_dir,
                           const decc_enclave_limits *lim);
/* Post-compute: result digest, archive, upload, enclave signature into o. */
void decc__enclave_post_compute(decc_enclave_outcome *o, const decc_session *s,
                                const char *work_dir, const char *out_dir,
                                const decc_enclave_store *store,
                                const decc_enclave_limits *lim);

#endif
