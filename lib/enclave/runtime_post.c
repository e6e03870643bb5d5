/*
 * runtime_post.c — post-compute (iexec-protocol.md §5.5–5.7):
 * computed.json, the result digest (file, directory or callback rule), the
 * result archive (zipped, encrypted for the beneficiary when asked,
 * uploaded to the store) and the enclave signature with the session's
 * enclave challenge key.
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

#define COMPUTED_MAX 65536

/* ---- post-compute -------------------------------------------------------------- */

/* Maps the container path /iexec_out[/rest] to out_dir[/rest]; refuses
 * "..", "." components and paths outside /iexec_out. */
static char *map_output_path(const char *p, const char *out_dir) {
  static const char root[] = "/iexec_out";
  if (strncmp(p, root, sizeof root - 1))
    return NULL;
  const char *rest = p + sizeof root - 1;
  if (*rest && *rest != '/')
    return NULL;
  for (const char *c = rest; *c;) {
    while (*c == '/')
      c++;
    size_t n = strcspn(c, "/");
    if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
      return NULL;
    c += n;
  }
  size_t l = strlen(out_dir) + strlen(rest) + 1;
  char *r = decc_malloc(l);
  if (r)
    snprintf(r, l, "%s%s", out_dir, rest);
  return r;
}

void decc__enclave_post_compute(decc_enclave_outcome *o, const decc_session *s,
                                const char *work_dir, const char *out_dir,
                                const decc_enclave_store *store,
                                const decc_enclave_limits *lim) {
  decc_err err;
  decc_err_clear(&err);
  uint8_t task[32];
  decc_address worker;
  const char *tid = s->task_id;
  const char *wa = s->worker;
  if (!tid || decc_hex_decode_exact(task, 32, tid, "task id", NULL) || !wa ||
      decc_address_parse(&worker, wa, NULL)) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "post-compute: " DECC_ENV_TASK_ID
                       " or " DECC_ENV_SIGN_WORKER_ADDRESS
                       " missing or malformed");
    return;
  }

  /* computed.json */
  char *cpath = decc__path_join(out_dir, "computed.json");
  struct stat cst;
  json_t *computed = NULL;
  if (!cpath || lstat(cpath, &cst) != 0 || !S_ISREG(cst.st_mode)) {
    decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                       "the app wrote no /iexec_out/computed.json");
  } else if (cst.st_size > COMPUTED_MAX) {
    decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                       "computed.json is larger than %d bytes", COMPUTED_MAX);
  } else {
    json_error_t je;
    computed = json_load_file(cpath, 0, &je);
    if (!json_is_object(computed))
      decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                         "computed.json is not a JSON object (line %d)",
                         je.line);
  }
  decc_free(cpath);
  if (o->cause) {
    json_decref(computed);
    return;
  }

  int callback = s->callback;
  if (callback) {
    json_t *cd = json_object_get(computed, "callback-data");
    const char *hex = json_is_string(cd) ? json_string_value(cd) : NULL;
    size_t n = 0;
    if (!hex || !*hex ||
        decc_hex_decode(o->callback, sizeof o->callback, &n, hex,
                        strlen(hex))) {
      decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                         "callback task: computed.json has no valid hex "
                         "callback-data (at most %d bytes)",
                         DECC_ENCLAVE_CALLBACK_MAX);
    } else {
      o->callback_len = n;
      o->has_callback = 1;
      decc_keccak256(o->result_digest, o->callback, n);
    }
  } else {
    json_t *dp = json_object_get(computed, "deterministic-output-path");
    const char *p = json_is_string(dp) ? json_string_value(dp) : NULL;
    char *host = p ? map_output_path(p, out_dir) : NULL;
    decc_status st;
    if (!host) {
      decc__enclave_fail(o, DECC_CAUSE_COMPUTED_FILE_INVALID,
                         "computed.json: deterministic-output-path missing "
                         "or not under /iexec_out");
    } else if ((st =
                    decc_enclave_result_digest(o->result_digest, host, &err))) {
      decc__enclave_fail(o, DECC_CAUSE_RESULT_DIGEST_FAILED,
                         "result digest: %s", err.msg);
    }
    decc_free(host);
  }
  json_decref(computed);
  if (o->cause)
    return;

  if (!callback) {
    const char *prov = s->provider;
    char *zip = decc__path_join(work_dir, "iexec_out.zip");
    char *enc = decc__path_join(work_dir, "result.zip");
    const char *upload = zip;
    struct stat zs;
    decc_status st;
    if (!zip || !enc) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "out of memory");
    } else if (prov && *prov && strcmp(prov, "ipfs")) {
      decc__enclave_fail(o, DECC_CAUSE_RESULT_UPLOAD_FAILED,
                         "result storage provider \"%s\" is not supported "
                         "(ipfs only)",
                         prov);
    } else if ((st = decc_enclave_zip_dir(zip, out_dir, lim->result_max_bytes,
                                          &err))) {
      decc__enclave_fail(o,
                         st == DECC_E_LIMIT ? DECC_CAUSE_RESULT_TOO_LARGE
                                            : DECC_CAUSE_INTERNAL,
                         "result zip: %s", err.msg);
    } else if (s->encrypt) {
      const char *pk = s->encryption_key;
      decc_rsa_key *key = NULL;
      if (!pk || !*pk || decc_rsa_key_parse(&key, pk, strlen(pk), NULL)) {
        decc__enclave_fail(o, DECC_CAUSE_RESULT_ENCRYPTION_FAILED,
                           "the beneficiary's result key is missing or not "
                           "an RSA public key");
      } else if ((st = decc_result_encrypt_file(enc, key, zip, &err))) {
        decc__enclave_fail(o, DECC_CAUSE_RESULT_ENCRYPTION_FAILED,
                           "result encryption: %s", err.msg);
      } else {
        upload = enc;
      }
      decc_rsa_key_destroy(key);
    }
    if (!o->cause) {
      if (stat(upload, &zs) != 0) {
        decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                           "the result archive vanished");
      } else if ((uint64_t)zs.st_size > lim->result_max_bytes) {
        decc__enclave_fail(o, DECC_CAUSE_RESULT_TOO_LARGE,
                           "result archive of %llu bytes exceeds the %llu "
                           "byte limit",
                           (unsigned long long)zs.st_size,
                           (unsigned long long)lim->result_max_bytes);
      } else if ((st = decc__enclave_upload(store, upload, o->result_cid,
                                            sizeof o->result_cid, &err))) {
        decc__enclave_fail(o, DECC_CAUSE_RESULT_UPLOAD_FAILED,
                           "result upload: %s", err.msg);
      } else {
        o->result_bytes = (uint64_t)zs.st_size;
        /* iExec's exact text (ResultService#buildResultLink), spaces
         * included. */
        snprintf(o->results, sizeof o->results,
                 "{ \"storage\": \"ipfs\", \"location\": \"/ipfs/%s\" }",
                 o->result_cid);
      }
    }
    if (zip)
      unlink(zip);
    if (enc)
      unlink(enc);
    decc_free(zip);
    decc_free(enc);
    if (o->cause)
      return;
  }

  decc_poco_result_hash(o->result_hash, task, o->result_digest);
  decc_poco_result_seal(o->result_seal, &worker, task, o->result_digest);
  const char *skhex = s->enclave_key;
  if (skhex && *skhex) {
    uint8_t *sk = decc_secure_alloc(32);
    uint8_t msg[32];
    if (!sk) {
      decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "out of memory");
      return;
    }
    if (decc_hex_decode_exact(sk, 32, skhex, "key", NULL) ||
        decc_address_from_privkey(&o->enclave_challenge, sk)) {
      decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                         "post-compute: the enclave challenge key is "
                         "malformed");
    } else {
      decc_poco_enclave_message(msg, o->result_hash, o->result_seal);
      if (decc_eip191_sign(o->enclave_sign, sk, msg, 32))
        decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                           "post-compute: signing failed");
      else
        o->has_enclave_sign = 1;
    }
    decc_memzero(sk, 32);
    decc_secure_free(sk);
  }
}
