/*
 * runtime_pre.c — pre-compute (iexec-protocol.md §5.3): the deal's
 * dataset and the datasets of a bulk slice fetched, checked against their
 * on-chain checksum and decrypted with the session's key into the input
 * directory (read-only), and the input files fetched by URL into
 * in/0x<sha256(url)>.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decc/bundle.h"
#include "decc/cid.h"
#include "decc/dataset.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/http_client.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "decc/result.h"
#include "decc/sandbox.h"
#include "decc/session.h"
#include "decc/store.h"
#include "enclave/enclave_int.h"

/* A file name the session may give (dataset filename): one path
 * component, printable, not "." or "..". */
static int safe_name(const char *n) {
  size_t l = n ? strlen(n) : 0;
  if (l == 0 || l > 255 || !strcmp(n, ".") || !strcmp(n, ".."))
    return 0;
  for (size_t i = 0; i < l; i++)
    if (n[i] == '/' || (unsigned char)n[i] < 0x21 || n[i] == 0x7f)
      return 0;
  return 1;
}

/* ---- pre-compute ------------------------------------------------------------ */

/* Fetches one dataset (url), checks its SHA-256 against sum (0x-hex),
 * decrypts it with key (base64) into in_dir/name (read-only). Failures go
 * to o; label names the dataset in the detail ("dataset" or "bulk dataset
 * 2 (0x…)"). */
static void fetch_dataset(decc_enclave_outcome *o, const char *label,
                          const char *url, const char *sum, const char *key,
                          const char *name, const char *in_dir,
                          const decc_enclave_store *store,
                          const decc_enclave_limits *lim) {
  decc_err err;
  decc_err_clear(&err);
  uint8_t want[32];
  if (!url || !*url || !sum || !key || !safe_name(name) ||
      decc_hex_decode_exact(want, 32, sum, "checksum", NULL)) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "pre-compute: %s URL, checksum, key or filename "
                       "missing or malformed",
                       label);
    return;
  }
  char *enc = decc__path_join(in_dir, ".dataset.enc");
  char *plain = decc__path_join(in_dir, name);
  decc_dataset_key *k = NULL;
  int fd = enc ? open(enc, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
  if (fd < 0 || !plain) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                       "pre-compute: cannot create the %s file", label);
  } else {
    decc_status st =
        decc__enclave_fetch(store, url, fd, NULL, lim->dataset_max_bytes,
                            lim->fetch_timeout_s, &err);
    if (close(fd) != 0 && !st)
      st = DECC_E_IO;
    fd = -1;
    uint8_t got[32];
    if (st) {
      decc__enclave_fail(o, DECC_CAUSE_DATASET_FETCH_FAILED,
                         "pre-compute: fetching the %s %s: %s", label, url,
                         err.msg);
    } else if (decc_sha256_file(got, enc, &err)) {
      decc__enclave_fail(o, DECC_CAUSE_DATASET_FETCH_FAILED,
                         "pre-compute: reading the %s: %s", label, err.msg);
    } else if (!decc_ct_memeq(got, want, 32)) {
      char gh[DECC_HEX32_LEN];
      decc__enclave_fail(o, DECC_CAUSE_DATASET_CHECKSUM_MISMATCH,
                         "pre-compute: %s checksum %s differs from "
                         "the on-chain %s",
                         label, decc_hex_encode(gh, got, 32, 1), sum);
    } else if (decc_dataset_key_parse(&k, key, strlen(key), NULL)) {
      decc__enclave_fail(o, DECC_CAUSE_DATASET_DECRYPTION_FAILED,
                         "pre-compute: the %s key is not a base64 "
                         "32-byte key",
                         label);
    } else if ((st = decc_dataset_decrypt_file(plain, NULL, k, enc, want,
                                               &err))) {
      decc__enclave_fail(o, DECC_CAUSE_DATASET_DECRYPTION_FAILED,
                         "pre-compute: %s decryption failed (%s)", label,
                         decc_status_name(st));
    } else if (chmod(plain, 0444) != 0) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                         "pre-compute: cannot make the %s readable", label);
    }
  }
  decc_dataset_key_destroy(k);
  if (enc)
    unlink(enc);
  decc_free(enc);
  decc_free(plain);
}

/* Bulk processing (iExec's pre-compute with IEXEC_BULK_SLICE_SIZE = N):
 * datasets 1..N from IEXEC_DATASET_<i>_URL / _CHECKSUM / _KEY / _FILENAME,
 * each fetched, checked and decrypted into in_dir/<filename>. As iExec's
 * pre-compute, every dataset is tried even after a failure and the task
 * fails if any did; the detail lists the failed ones, with the SMS's
 * reason for those it refused (IEXEC_DATASET_<i>_REFUSED, decc's). */
static void pre_compute_bulk(decc_enclave_outcome *o, const decc_session *s,
                             const char *in_dir,
                             const decc_enclave_store *store,
                             const decc_enclave_limits *lim) {
  if (!s->bulk) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "pre-compute: " DECC_ENV_BULK_SLICE_SIZE " is not a "
                       "number of datasets in 0..%d",
                       DECC_ENCLAVE_BULK_MAX);
    return;
  }
  unsigned long n = (unsigned long)s->n_bulk;
  decc_task_cause first = DECC_CAUSE_NONE;
  char detail[sizeof o->detail];
  size_t failed = 0, used = 0;
  detail[0] = 0;
  for (unsigned long i = 1; i <= n; i++) {
    const decc_session_dataset *d = &s->bulk_datasets[i - 1];
    char label[80];
    const char *name = d->filename;
    snprintf(label, sizeof label, "bulk dataset %lu (%.42s)", i,
             name ? name : "?");
    decc_enclave_outcome one;
    memset(&one, 0, sizeof one);
    const char *refused = d->refused, *url = d->url, *key = d->key;
    if (refused || !url || !*url || !key || !*key)
      decc__enclave_fail(&one, DECC_CAUSE_BULK_DATASET_REFUSED,
                         "%s: no key released by the SMS: %s", label,
                         refused ? refused : "no reason given");
    else
      fetch_dataset(&one, label, url, d->checksum, key, name, in_dir, store,
                    lim);
    if (one.cause == DECC_CAUSE_NONE)
      continue;
    if (!failed++)
      first = one.cause;
    /* The detail has room for a few items: "#i 0xADDR: why", why = the
     * SMS's reason for a refusal (PoCo's text), else the cause name. */
    const char *why = decc_task_cause_name(one.cause);
    if (one.cause == DECC_CAUSE_BULK_DATASET_REFUSED && refused) {
      why = refused;
      if (!strncmp(why, "IncompatibleDatasetOrder: ", 26))
        why += 26;
    }
    int w = snprintf(detail + used, sizeof detail - used, "%s#%lu %.42s: %s",
                     used ? "; " : "", i, name ? name : "?", why);
    if (w > 0)
      used = used + (size_t)w < sizeof detail ? used + (size_t)w
                                              : sizeof detail - 1;
  }
  if (failed)
    decc__enclave_fail(o, first,
                       "pre-compute: %zu of %lu bulk datasets "
                       "failed: %s",
                       failed, n, detail);
}

void decc__enclave_pre_compute(decc_enclave_outcome *o, const decc_session *s,
                               const char *in_dir,
                               const decc_enclave_store *store,
                               const decc_enclave_limits *lim) {
  if (s->has_dataset) {
    fetch_dataset(o, "dataset", s->dataset.url, s->dataset.checksum,
                  s->dataset.key, s->dataset.filename, in_dir, store, lim);
    if (o->cause)
      return;
  }
  if (s->bulk_size) {
    pre_compute_bulk(o, s, in_dir, store, lim);
    if (o->cause)
      return;
  }
  decc_err err;
  decc_err_clear(&err);
  const char *ns = s->input_files_number;
  unsigned long n = ns ? strtoul(ns, NULL, 10) : 0;
  if (n > lim->max_input_files) {
    decc__enclave_fail(o, DECC_CAUSE_INPUT_FILE_FETCH_FAILED,
                       "pre-compute: %lu input files (at most %u)", n,
                       lim->max_input_files);
    return;
  }
  for (unsigned long i = 1; i <= n && !o->cause; i++) {
    char k[DECC_SESSION_ENV_NAME_MAX], h[DECC_HEX32_LEN];
    decc_session_env_name(k, DECC_ENV_INPUT_FILE_URL_, i, NULL);
    const char *url = i <= s->n_input_files ? s->input_files[i - 1] : NULL;
    if (!url || !*url) {
      decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                         "pre-compute: %s missing", k);
      return;
    }
    uint8_t d[32];
    decc_sha256(d, url, strlen(url));
    decc_hex_encode(h, d, 32, 1);
    char *path = decc__path_join(in_dir, h);
    char *tmp = decc__path_join(in_dir, ".input.tmp");
    int fd = (path && tmp)
                 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                 : -1;
    if (fd < 0) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                         "pre-compute: cannot create an input file");
    } else {
      decc_status st =
          decc__enclave_fetch(store, url, fd, NULL, lim->input_max_bytes,
                              lim->fetch_timeout_s, &err);
      if (close(fd) != 0 && !st)
        st = DECC_E_IO;
      if (st)
        decc__enclave_fail(o, DECC_CAUSE_INPUT_FILE_FETCH_FAILED,
                           "pre-compute: input file %lu: %s", i, err.msg);
      else if (fchmodat(AT_FDCWD, tmp, 0444, 0) != 0 || rename(tmp, path))
        decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                           "pre-compute: cannot store input file %lu", i);
    }
    if (tmp)
      unlink(tmp);
    decc_free(path);
    decc_free(tmp);
  }
}
