/*
 * runtime.c — runs one task from its decrypted session: the session read
 * (decc/session.h), the measured app bundle, then the three phases —
 * pre-compute (runtime_pre.c), the app in the sandbox (runtime_app.c),
 * post-compute (runtime_post.c) — and the standard (non-TEE) session. The
 * failure causes live in runtime_causes.c, store fetch / upload and file
 * helpers in runtime_io.c. Every failure becomes a cause in the
 * outcome, never a secret in a message. The session's secrets are copied
 * only into secure memory (the sandbox environment) and wiped after use;
 * in the attested path (launch.c) all of this runs inside the forked
 * enclave process, whose JSON allocations are wiped too.
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

#include "core/internal.h"
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

void decc_enclave_limits_init(decc_enclave_limits *l) {
  DECC_ARG_CHECK_VOID(l != NULL);
  memset(l, 0, sizeof *l);
  l->wall_ms = 60000;
  l->cpu_seconds = 60;
  l->mem_max_bytes = 1ull << 30;
  l->out_max_bytes = 64ull << 20;
  l->result_max_bytes = 64ull << 20;
  l->dataset_max_bytes = 1ull << 30;
  l->input_max_bytes = 256ull << 20;
  l->bundle_max_bytes = 256ull << 20;
  l->log_max_bytes = 64u << 10;
  l->max_input_files = 64;
  l->fetch_timeout_s = 120;
}

/* ---- the run ------------------------------------------------------------------- */

decc_status
decc_enclave_run_session(decc_enclave_outcome *out, const char *session_text,
                         size_t len, const uint8_t *bundle, size_t bundle_len,
                         const char *work_dir, const decc_enclave_store *store,
                         const decc_enclave_limits *limits, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(session_text != NULL);
  DECC_ARG_CHECK(bundle != NULL);
  DECC_ARG_CHECK(work_dir != NULL);
  DECC_ARG_CHECK(store != NULL);
  memset(out, 0, sizeof *out);
  decc_enclave_limits lim;
  if (limits)
    lim = *limits;
  else
    decc_enclave_limits_init(&lim);

  char *app_dir = decc__path_join(work_dir, "app");
  char *in_dir = decc__path_join(work_dir, "in");
  char *out_dir = decc__path_join(work_dir, "out");
  char *logs_dir = decc__path_join(work_dir, "logs");
  if (!app_dir || !in_dir || !out_dir || !logs_dir) {
    decc_free(app_dir);
    decc_free(in_dir);
    decc_free(out_dir);
    decc_free(logs_dir);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  decc_status rc = DECC_OK;
  if (chmod(work_dir, 0711) != 0 || mkdir(app_dir, 0755) != 0 ||
      mkdir(in_dir, 0755) != 0 || mkdir(out_dir, 0755) != 0 ||
      (mkdir(logs_dir, 0700) != 0 && errno != EEXIST)) {
    rc = decc_err_set(err, DECC_E_IO,
                      "enclave: work directory %s is not usable (%s)", work_dir,
                      strerror(errno));
    goto done;
  }

  decc_session s;
  decc_err e2;
  decc_err_clear(&e2);
  double t0 = (decc__mono_s() * 1e3);
  if (decc_session_parse(&s, session_text, len, &e2)) {
    decc__enclave_fail(out, DECC_CAUSE_SESSION_INVALID, "%s", e2.msg);
  } else {
    /* measured launch: the bundle that runs is the one the SMS checked */
    decc_sha256(out->measurement, bundle, bundle_len);
    const char *fps = s.app_fingerprint ? s.app_fingerprint : "";
    uint8_t want[32];
    decc_bundle_manifest m;
    if (*fps && (decc_hex_decode_exact(want, 32, fps, "fingerprint", NULL) ||
                 !decc_ct_memeq(want, out->measurement, 32))) {
      decc__enclave_fail(out, DECC_CAUSE_APP_MEASUREMENT_MISMATCH,
                         "the app bundle's SHA-256 differs from the app "
                         "fingerprint %s",
                         fps);
    } else if (decc_bundle_unpack(bundle, bundle_len, out->measurement, app_dir,
                                  &m, &e2)) {
      decc__enclave_fail(out, DECC_CAUSE_APP_BUNDLE_INVALID, "app bundle: %s",
                         e2.msg);
    } else {
      if (s.has_pre)
        decc__enclave_pre_compute(out, &s, in_dir, store, &lim);
      double t1 = (decc__mono_s() * 1e3);
      out->pre_ms = t1 - t0;
      if (!out->cause)
        decc__enclave_run_app(out, &s, &m, app_dir, in_dir, out_dir, logs_dir,
                              &lim);
      double t2 = (decc__mono_s() * 1e3);
      out->app_ms = t2 - t1;
      if (!out->cause)
        decc__enclave_post_compute(out, &s, work_dir, out_dir, store, &lim);
      out->post_ms = (decc__mono_s() * 1e3) - t2;
    }
  }
  decc_session_clear(&s);

done:
  /* the decrypted dataset and the app's files do not outlive the run */
  decc__rmtree(in_dir);
  decc__rmtree(out_dir);
  decc__rmtree(app_dir);
  decc_free(app_dir);
  decc_free(in_dir);
  decc_free(out_dir);
  decc_free(logs_dir);
  return rc;
}

/* ---- standard tasks --------------------------------------------------------------- */

decc_status decc_enclave_standard_session(char **json, size_t *len,
                                          const decc_enclave_standard *t,
                                          decc_err *err) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(t != NULL);
  *json = NULL;
  if (len)
    *len = 0;
  const char *params = t->params ? t->params : "";
  decc_deal_params p;
  decc_err e2;
  decc_status st =
      decc_deal_params_parse(&p, params, strlen(params), 0, 0, &e2);
  if (st)
    return decc_err_set(err, st == DECC_E_NOMEM ? st : DECC_E_PARSE, "%s",
                        e2.msg);
  if (p.encrypt || p.n_secrets) {
    decc_deal_params_clear(&p);
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "result encryption and secrets need a TEE task");
  }
  /* What the worker knows from the chain; no secret, no enclave key, no
   * result encryption; results go to the worker's store (ipfs). */
  char th[DECC_HEX32_LEN], dh[DECC_HEX32_LEN], cks[DECC_HEX32_LEN],
      wa[DECC_ADDRESS_HEX_LEN], ti[24], bsz[24], bfi[24];
  static const uint8_t zero[32];
  int callback = !decc_address_is_zero(&t->callback);
  snprintf(ti, sizeof ti, "%llu", (unsigned long long)t->task_index);
  snprintf(bsz, sizeof bsz, "%llu", (unsigned long long)t->bot_size);
  snprintf(bfi, sizeof bfi, "%llu", (unsigned long long)t->bot_first);
  decc_session s;
  memset(&s, 0, sizeof s);
  s.name = decc_hex_encode(th, t->task_id, 32, 1);
  s.task_id = th;
  s.deal_id = decc_hex_encode(dh, t->deal_id, 32, 1);
  s.task_index = ti;
  s.bot_size = bsz;
  s.bot_first = bfi;
  s.worker = decc_address_to_checksum(wa, &t->worker);
  s.input_files = p.input_files;
  s.n_input_files = p.n_input_files;
  s.app_fingerprint = memcmp(t->app_checksum, zero, 32)
                          ? decc_hex_encode(cks, t->app_checksum, 32, 1)
                          : "";
  s.args = p.args;
  s.dataset_address = DECC_SESSION_ZERO_ADDRESS;
  s.callback = callback;
  s.provider = callback ? "" : DECC_PARAM_PROVIDER_DEFAULT;
  decc_buf b;
  decc_buf_init(&b, 0);
  st = decc_session_write(&b, &s, NULL);
  decc_deal_params_clear(&p);
  if (st) {
    decc_buf_clear(&b);
    return decc_err_set(err, st, "the session could not be written (%s)",
                        decc_strerror(st));
  }
  *json = decc_strndup((const char *)b.data, b.len);
  if (*json && len)
    *len = b.len;
  decc_buf_clear(&b);
  return *json ? DECC_OK : decc_err_set(err, DECC_E_NOMEM, "out of memory");
}
