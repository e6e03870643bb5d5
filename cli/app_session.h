/*
 * app_session.h — the enclave session of a local run (`decc app test`,
 * `decc task replay`): the session a worker builds for a standard task,
 * extended with the dataset and the requester secrets a TEE session would
 * carry. Read and written by the session module (decc/session.h), so that
 * lib/session stays the only place that spells the session's names.
 */
#ifndef DECC_CLI_APP_SESSION_H
#define DECC_CLI_APP_SESSION_H

#include <stddef.h>

#include "decc/buf.h"
#include "decc/enclave.h"
#include "decc/session.h"

/* Writes into out (initialised here as a secret buffer: decc_buf_clear
 * wipes it) the session of standard task t (decc_enclave_standard_session)
 * with dataset ds (NULL: none; its filename is also the app's dataset
 * address) and the n_secrets requester secrets (IEXEC_REQUESTER_SECRET_<i>
 * as the secrets' indexes say). out->data is NUL-terminated.
 * Returns CLI_OK, or CLI_FAIL after printing what went wrong (out is then
 * empty). */
int cli_local_session(decc_buf *out, const decc_enclave_standard *t,
                      const decc_session_dataset *ds,
                      const decc_session_secret *secrets, size_t n_secrets);

#endif
