/*
 * launch.c — the attested path of the enclave runtime. The worker process
 * forks the enclave process and the two talk over a socketpair with small
 * frames; the worker only ever sees public data and ciphertext:
 *
 *   enclave → worker   'N'                      give me an SMS nonce
 *   worker  → enclave  'n' nonce32 | 'E' error
 *   enclave → worker   'Q' quote JSON            relay my session request
 *   worker  → enclave  's' sealed session | 'E' error
 *   enclave → worker   'R' decc_enclave_outcome  (then it exits)
 *
 * Inside the enclave process: the bundle is fetched and measured (SHA-256),
 * an X25519 key pair is made (secret half in secure memory), the TEE
 * backend quotes (measurement, public key, task id, nonce), the sealed
 * session is opened into secure memory, the run happens (runtime.c) and
 * every copy of the session is wiped before the process exits. The process
 * is made non-dumpable and without core dumps. Its JSON allocations go
 * through an allocator that wipes on free.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/attest.h"
#include "decc/cid.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/sms.h"
#include "enclave/enclave_int.h"

/* Largest frame: a sealed session plus slack. */
#define FRAME_MAX (DECC_SMS_SESSION_MAX + 4096)

static int write_full(int fd, const void *p, size_t n) {
  const uint8_t *b = p;
  while (n) {
    ssize_t w = send(fd, b, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    b += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_full(int fd, void *p, size_t n) {
  uint8_t *b = p;
  while (n) {
    ssize_t r = read(fd, b, n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return -1;
    b += r;
    n -= (size_t)r;
  }
  return 0;
}

static int send_frame(int fd, uint8_t type, const void *p, size_t n) {
  uint8_t h[5] = {type, (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16),
                  (uint8_t)(n >> 24)};
  if (n > FRAME_MAX || write_full(fd, h, 5))
    return -1;
  return n ? write_full(fd, p, n) : 0;
}

/* Out: *type, *p (decc_malloc'd, NUL-terminated, NULL when n is 0), *n. */
static int recv_frame(int fd, uint8_t *type, uint8_t **p, size_t *n) {
  uint8_t h[5];
  *p = NULL;
  *n = 0;
  if (read_full(fd, h, 5))
    return -1;
  size_t len = (size_t)h[1] | (size_t)h[2] << 8 | (size_t)h[3] << 16 |
               (size_t)h[4] << 24;
  if (len > FRAME_MAX)
    return -1;
  *type = h[0];
  uint8_t *b = decc_malloc(len + 1);
  if (!b)
    return -1;
  if (len && read_full(fd, b, len)) {
    decc_free(b);
    return -1;
  }
  b[len] = 0;
  *p = b;
  *n = len;
  return 0;
}

/* Error frame: code (NUL-terminated, may be empty) then the message. */
static int send_error(int fd, const char *code, const char *msg) {
  size_t cl = code ? strlen(code) : 0, ml = strlen(msg);
  char *b = decc_malloc(cl + ml + 2);
  if (!b)
    return -1;
  memcpy(b, code ? code : "", cl);
  b[cl] = 0;
  memcpy(b + cl + 1, msg, ml + 1);
  int rc = send_frame(fd, 'E', b, cl + ml + 2);
  decc_free(b);
  return rc;
}

/* ---- enclave process ----------------------------------------------------------- */

#define WIPE_HDR 16

static void *wipe_malloc(size_t n) {
  if (n > SIZE_MAX - WIPE_HDR)
    return NULL;
  uint8_t *p = malloc(n + WIPE_HDR);
  if (!p)
    return NULL;
  memcpy(p, &n, sizeof n);
  return p + WIPE_HDR;
}

static void wipe_free(void *q) {
  if (!q)
    return;
  uint8_t *p = (uint8_t *)q - WIPE_HDR;
  size_t n;
  memcpy(&n, p, sizeof n);
  decc_memzero(q, n);
  free(p);
}

/* Waits for the worker's answer to a request. Out: payload (decc_free). */
static int await(int fd, uint8_t want, uint8_t **p, size_t *n,
                 decc_enclave_outcome *o, decc_task_cause refused,
                 const char *what) {
  uint8_t t;
  if (recv_frame(fd, &t, p, n)) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL,
                       "%s: the worker closed the channel", what);
    return -1;
  }
  if (t == want)
    return 0;
  if (t == 'E' && *p) {
    const char *code = (const char *)*p;
    const char *msg = code + strlen(code) + 1;
    if ((size_t)(msg - code) > *n)
      msg = "";
    snprintf(o->sms_code, sizeof o->sms_code, "%s", code);
    decc__enclave_fail(o, refused, "%s: %s%s%s", what, *code ? code : "",
                       *code ? ": " : "", msg);
  } else {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "%s: unexpected answer", what);
  }
  decc_free(*p);
  *p = NULL;
  return -1;
}

void decc_enclave_quote_binding_message(uint8_t out32[32],
                                        const decc_quote *q) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(q != NULL);
  static const char tag[] = "decc-quote-binding-v1";
  uint8_t buf[sizeof tag - 1 + 32];
  memcpy(buf, tag, sizeof tag - 1);
  decc_quote_digest(buf + sizeof tag - 1, q);
  decc_keccak256(out32, buf, sizeof buf);
}

/* The result key (the session's enclave challenge key, the one that just
 * signed the result) signs the binding message of this enclave's quote, so
 * a verifier holding the quote and the result learns that the key which
 * signed the result was held by the enclave the quote describes (the SMS
 * seals that key to the quote's public key only). No binding on failure:
 * the outcome then simply lacks it. */
static void bind_quote(decc_enclave_outcome *o, const decc_quote *q,
                       const char *session, size_t slen) {
  json_error_t je;
  json_t *root = json_loadb(session, slen, 0, &je);
  json_t *svcs = json_object_get(root, "services"), *env = NULL;
  for (size_t i = 0; i < json_array_size(svcs); i++) {
    json_t *s = json_array_get(svcs, i);
    const char *name = json_string_value(json_object_get(s, "name"));
    if (name && !strcmp(name, "post-compute"))
      env = json_object_get(s, "environment");
  }
  const char *skhex =
      json_string_value(json_object_get(env, "SIGN_TEE_CHALLENGE_PRIVATE_KEY"));
  uint8_t *sk = decc_secure_alloc(32);
  decc_address a;
  uint8_t msg[32];
  if (sk && skhex && decc_hex_decode_exact(sk, 32, skhex, "key", NULL) == 0 &&
      decc_address_from_privkey(&a, sk) == 0 &&
      decc_address_eq(&a, &o->enclave_challenge)) {
    decc_enclave_quote_binding_message(msg, q);
    o->has_quote_binding = decc_eip191_sign(o->quote_binding, sk, msg, 32) == 0;
  }
  if (sk) {
    decc_memzero(sk, 32);
    decc_secure_free(sk);
  }
  json_decref(root);
}

static void enclave_main(const decc_enclave_launch *l, int fd,
                         decc_enclave_outcome *o) {
  decc_err err;
  decc_err_clear(&err);
  decc_buf bundle;
  decc_buf_init(&bundle, l->limits.bundle_max_bytes);
  uint8_t *sk = decc_secure_alloc(32), pk[32];
  uint8_t *sealed = NULL, *nonce = NULL;
  size_t sealed_len = 0, nn = 0;
  char *session = NULL, *qjson = NULL;
  size_t slen = 0;
  if (!sk) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "out of memory");
    goto out;
  }

  /* 1. the code that will run, and its measurement */
  if (l->bundle_override) {
    if (decc_buf_append(&bundle, l->bundle_override, l->bundle_override_len))
      decc__enclave_fail(o, DECC_CAUSE_APP_FETCH_FAILED, "bundle too large");
  } else {
    char *url = NULL;
    if (decc_multiaddr_to_string(&url, l->app_multiaddr, l->app_multiaddr_len,
                                 NULL) != DECC_OK) {
      url = decc_strndup((const char *)l->app_multiaddr, l->app_multiaddr_len);
    }
    if (!url || !*url)
      decc__enclave_fail(o, DECC_CAUSE_APP_FETCH_FAILED,
                         "the app has no readable multiaddr");
    else if (decc__enclave_fetch(&l->store, url, -1, &bundle,
                                 l->limits.bundle_max_bytes,
                                 l->limits.fetch_timeout_s, &err))
      decc__enclave_fail(o, DECC_CAUSE_APP_FETCH_FAILED,
                         "fetching the app bundle %s: %s", url, err.msg);
    decc_free(url);
  }
  if (o->cause)
    goto out;
  decc_sha256(o->measurement, bundle.data, bundle.len);
  if (!l->bundle_override &&
      !decc_ct_memeq(o->measurement, l->app_checksum, 32)) {
    decc__enclave_fail(o, DECC_CAUSE_APP_MEASUREMENT_MISMATCH,
                       "the app bundle's SHA-256 differs from the on-chain "
                       "app checksum");
    goto out;
  }

  /* 2. attestation: key pair, nonce, quote */
  if (decc_enclave_keypair(pk, sk)) {
    decc__enclave_fail(o, DECC_CAUSE_ATTESTATION_FAILED,
                       "cannot make the enclave key pair");
    goto out;
  }
  if (send_frame(fd, 'N', NULL, 0)) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "the worker is gone");
    goto out;
  }
  if (await(fd, 'n', &nonce, &nn, o, DECC_CAUSE_SMS_REFUSED, "SMS nonce"))
    goto out;
  if (nn != 32) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "SMS nonce: bad length");
    goto out;
  }
  decc_quote q;
  memset(&q, 0, sizeof q);
  memcpy(q.measurement, o->measurement, 32);
  memcpy(q.enclave_pubkey, pk, 32);
  memcpy(q.task_id, l->task_id, 32);
  memcpy(q.nonce, nonce, 32);
  q.timestamp = (uint64_t)time(NULL);
  if (!l->backend || !l->backend->quote ||
      l->backend->quote(l->backend->ctx, &q, &err)) {
    decc__enclave_fail(o, DECC_CAUSE_ATTESTATION_FAILED,
                       "the TEE backend gave no quote: %s",
                       l->backend ? err.msg : "no backend");
    goto out;
  }
  if (decc_quote_to_json(&qjson, &q) ||
      send_frame(fd, 'Q', qjson, strlen(qjson))) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "cannot send the quote");
    goto out;
  }

  /* 3. the sealed session, opened only here. From now on jansson's
   * allocations (the parsed session) are wiped when freed; nothing
   * allocated by jansson before this point is freed after it. */
  decc_free(qjson);
  qjson = NULL;
  json_set_alloc_funcs(wipe_malloc, wipe_free);
  if (await(fd, 's', &sealed, &sealed_len, o, DECC_CAUSE_SMS_REFUSED,
            "SMS session"))
    goto out;
  decc_status st =
      decc_sms_session_open(&session, &slen, sealed, sealed_len, pk, sk);
  decc_memzero(sk, 32);
  if (st) {
    decc__enclave_fail(o, DECC_CAUSE_SESSION_INVALID,
                       "the sealed session does not open (%s)",
                       decc_status_name(st));
    goto out;
  }

  /* 4. pre-compute, app, post-compute */
  uint8_t measured[32];
  memcpy(measured, o->measurement, 32);
  st = decc_enclave_run_session(o, session, slen, bundle.data, bundle.len,
                                l->work_dir, &l->store, &l->limits, &err);
  memcpy(o->measurement, measured, 32);
  if (st)
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "%s", err.msg);
  else if (!o->cause && o->has_enclave_sign)
    bind_quote(o, &q, session, slen);

out:
  if (session) {
    decc_memzero(session, slen);
    decc_secure_free(session);
  }
  if (sk) {
    decc_memzero(sk, 32);
    decc_secure_free(sk);
  }
  decc_free(sealed);
  decc_free(nonce);
  decc_free(qjson);
  decc_buf_clear(&bundle);
}

/* ---- worker side ---------------------------------------------------------------- */

static void relay_error(int fd, decc_status st, const char *code,
                        const decc_err *e) {
  char msg[DECC_ERR_LEN + 40];
  snprintf(msg, sizeof msg, "%s", e->msg[0] ? e->msg : decc_strerror(st));
  if (send_error(fd, code, msg)) {
    /* the enclave is gone; the main loop notices */
  }
}

/* Writes l->attestation_path (see decc/enclave.h) for a run whose outcome
 * binds the relayed quote: the binding must recover to the enclave
 * challenge that signed the result, else nothing is written (a verifier
 * would refuse it anyway). Temporary file, fsync, rename. Best effort:
 * the task's result does not depend on it. */
static void keep_attestation(const decc_enclave_launch *l,
                             const decc_enclave_outcome *o,
                             const decc_quote *q) {
  uint8_t msg[32];
  decc_address signer;
  decc_enclave_quote_binding_message(msg, q);
  if (!l->attestation_path || !o->has_quote_binding || o->cause ||
      decc_eip191_recover(&signer, msg, 32, o->quote_binding) ||
      !decc_address_eq(&signer, &o->enclave_challenge))
    return;
  char *qj = NULL, tid[DECC_HEX32_LEN], sig[DECC_SIG_HEX_LEN],
       ea[DECC_ADDRESS_HEX_LEN];
  json_error_t je;
  if (decc_quote_to_json(&qj, q))
    return;
  json_t *quote = json_loads(qj, 0, &je);
  decc_free(qj);
  decc_hex_encode(tid, q->task_id, 32, 1);
  decc_hex_encode(sig, o->quote_binding, 65, 1);
  json_t *j =
      quote ? json_pack("{s:s,s:s,s:o,s:s}", "taskId", tid, "enclaveChallenge",
                        decc_address_to_checksum(ea, &o->enclave_challenge),
                        "quote", quote, "binding", sig)
            : NULL;
  /* Best effort (the task's result does not depend on it), but never a
   * half-written file a requester would then fail to verify. */
  char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
  if (text)
    decc__atomic_write(l->attestation_path, text, strlen(text), 0644u, NULL);
  json_free_t jfree; /* whatever allocator jansson was given */
  json_get_alloc_funcs(NULL, &jfree);
  if (text)
    jfree(text);
  json_decref(j);
}

decc_status decc_enclave_launch_run(decc_enclave_outcome *out,
                                    const decc_enclave_launch *l,
                                    decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(l != NULL);
  if (!l->work_dir || !l->relay.nonce || !l->relay.session ||
      (!l->bundle_override && (!l->app_multiaddr || !l->app_multiaddr_len)))
    return decc_err_set(err, DECC_E_INVALID,
                        "enclave launch: work_dir, relay and app multiaddr "
                        "are required");
  memset(out, 0, sizeof *out);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return decc_err_set(err, DECC_E_INTERNAL, "socketpair: %s",
                        strerror(errno));
  fflush(NULL);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return decc_err_set(err, DECC_E_INTERNAL, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    close(sv[0]);
    /* The enclave dies with its worker: a worker killed with SIGKILL and
     * restarted runs the task again in the same work directory, which an
     * orphaned enclave finishing the old run would clobber. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
      _exit(4);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    struct rlimit nocore = {0, 0};
    setrlimit(RLIMIT_CORE, &nocore);
    signal(SIGPIPE, SIG_IGN);
    decc_enclave_outcome o;
    memset(&o, 0, sizeof o);
    enclave_main(l, sv[1], &o);
    int rc = send_frame(sv[1], 'R', &o, sizeof o) ? 3 : 0;
    close(sv[1]);
    _exit(rc);
  }
  close(sv[1]);
  int fd = sv[0], got = 0;
  decc_quote *relayed = NULL; /* the quote sent to the SMS, kept for
                                 l->attestation_path */
  for (;;) {
    uint8_t t, *p = NULL;
    size_t n = 0;
    if (recv_frame(fd, &t, &p, &n))
      break;
    decc_err e;
    decc_err_clear(&e);
    const char *code = NULL;
    if (t == 'N') {
      uint8_t nonce[32];
      decc_status st = l->relay.nonce(l->relay.ctx, nonce, &code, &e);
      if (st)
        relay_error(fd, st, code, &e);
      else if (send_frame(fd, 'n', nonce, 32)) {
        /* enclave gone */
      }
    } else if (t == 'Q') {
      decc_quote q;
      uint8_t *sealed = NULL;
      size_t sl = 0;
      decc_status st = decc_quote_from_json(&q, (const char *)p, n, &e);
      if (!st)
        st = l->relay.session(l->relay.ctx, &q, &sealed, &sl, &code, &e);
      if (!st && l->attestation_path &&
          (relayed || (relayed = decc_malloc(sizeof *relayed))))
        *relayed = q;
      if (st)
        relay_error(fd, st, code, &e);
      else if (send_frame(fd, 's', sealed, sl)) {
        /* enclave gone */
      }
      decc_free(sealed);
    } else if (t == 'R' && n == sizeof *out) {
      memcpy(out, p, sizeof *out);
      out->detail[sizeof out->detail - 1] = 0;
      out->sms_code[sizeof out->sms_code - 1] = 0;
      out->results[sizeof out->results - 1] = 0;
      out->result_cid[sizeof out->result_cid - 1] = 0;
      if (out->callback_len > sizeof out->callback)
        out->callback_len = 0;
      got = 1;
    }
    decc_free(p);
    if (got)
      break;
  }
  close(fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got && relayed)
    keep_attestation(l, out, relayed);
  decc_free(relayed);
  if (!got) {
    memset(out, 0, sizeof *out);
    if (WIFSIGNALED(status))
      decc__enclave_fail(out, DECC_CAUSE_ENCLAVE_CRASHED,
                         "the enclave process was killed by signal %d",
                         WTERMSIG(status));
    else
      decc__enclave_fail(out, DECC_CAUSE_ENCLAVE_CRASHED,
                         "the enclave process ended without an outcome "
                         "(exit %d)",
                         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  return DECC_OK;
}

/* ---- fetching, for the worker ------------------------------------------------------- */

decc_status decc_enclave_fetch(const decc_enclave_store *store, const char *url,
                               decc_buf *out, uint64_t max, long timeout_s,
                               decc_err *err) {
  DECC_ARG_CHECK(store != NULL);
  DECC_ARG_CHECK(url != NULL);
  DECC_ARG_CHECK(out != NULL);
  return decc__enclave_fetch(store, url, -1, out, max, timeout_s, err);
}
