/*
 * app_session.c — the enclave session of a local run (app_session.h): the
 * standard task's session read back with decc_session_parse, given a
 * dataset and requester secrets, and written again with
 * decc_session_write, so that no CLI file builds the session's JSON or
 * spells an IEXEC_* name.
 */
#include <string.h>

#include "app_session.h"
#include "cli.h"
#include "decc/mem.h"

int cli_local_session(decc_buf *out, const decc_enclave_standard *t,
                      const decc_session_dataset *ds,
                      const decc_session_secret *secrets, size_t n_secrets) {
  decc_buf_init_secret(out, 0);
  decc_err err;
  decc_err_clear(&err);
  char *doc = NULL;
  size_t doc_len = 0;
  if (decc_enclave_standard_session(&doc, &doc_len, t, &err) != DECC_OK)
    return cli_fail("session: %s", err.msg[0] ? err.msg : "cannot build it");
  decc_session s;
  decc_status st = decc_session_parse(&s, doc, doc_len, &err);
  if (st != DECC_OK) {
    decc_free(doc);
    return cli_fail("session: %s", err.msg[0] ? err.msg : decc_strerror(st));
  }
  if (ds) {
    /* pre-compute fetches and decrypts it; the app sees its address. */
    s.has_dataset = 1;
    s.dataset = *ds;
    s.dataset_address = ds->filename;
  }
  /* The parsed session owns its (empty) secrets array: borrow the
   * caller's for the write, then give it back for decc_session_clear. */
  decc_session_secret *own = s.secrets;
  size_t n_own = s.n_secrets;
  if (n_secrets) {
    s.secrets = (decc_session_secret *)secrets;
    s.n_secrets = n_secrets;
  }
  st = decc_session_write(out, &s, NULL);
  s.secrets = own;
  s.n_secrets = n_own;
  decc_session_clear(&s);
  decc_memzero(doc, doc_len);
  decc_free(doc);
  if (st != DECC_OK) {
    decc_buf_clear(out);
    return cli_fail("session: cannot write it (%s)", decc_strerror(st));
  }
  return CLI_OK;
}
