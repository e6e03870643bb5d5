/*
 * launch.c — the attested path of the enclave runtime. The worker process
 * forks the enclave process and the two talk over a socketpair with small
 * frames; the worker only ever sees public data and ciphertext:
 *
 *   worker  → enclave  'L' launch description   (exec mode only, first)
 *   enclave → worker   'N'                      give me an SMS nonce
 *   worker  → enclave  'n' nonce32 | 'E' error
 *   enclave → worker   'Q' claims (136 bytes)    quote these, relay my
 *                                                session request
 *   worker  → enclave  'q' signed quote JSON | 'E' error (attestation)
 *   worker  → enclave  's' sealed session | 'E' error (SMS)
 *   enclave → worker   'R' decc_enclave_outcome  (then it exits)
 *
 * Inside the enclave process: the bundle is fetched and measured (SHA-256),
 * an X25519 key pair is made (secret half in secure memory), the claims
 * (measurement, public key, task id, nonce, time) go to the worker, whose
 * TEE backend quotes them (so the platform key never enters the enclave
 * process), the enclave checks that the quote it gets back carries its own
 * claims, the sealed session is opened into secure memory, the run happens
 * (runtime.c) and every copy of the session is wiped before the process
 * exits. The process is made non-dumpable and without core dumps. Its JSON
 * allocations go through an allocator that wipes on free.
 *
 * Exec mode (l->exec_path set, what the decc CLI uses): the forked child
 * only moves the channel to fd 3 and execs the program, which calls
 * decc_enclave_child_main. The worker is multi-threaded (HTTP threads,
 * the ledger's recovery threads), and after fork() a child of a
 * multi-threaded process may only make async-signal-safe calls: a lock
 * another thread held at the fork stays held for ever in the child. glibc
 * protects malloc and pthread_create, but other runtimes do not (gcc 12's
 * ASan hangs in pthread_create in about 5 % of such children when the
 * parent creates threads: docs/internals/worker.md). A fresh image also
 * holds none of the worker's memory (wallet, platform and SMS keys).
 * Without exec_path the forked copy runs the enclave itself, which is
 * safe for single-threaded callers only.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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
#include "decc/store.h"
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

/* Waits until fd is readable (or closed) or the monotonic deadline (ms)
 * passes; a deadline of 0 means none. While waiting for a frame, the
 * socket's receive timeout is set to the time left, so that a frame the
 * enclave stops sending half-way is bounded too.
 * Returns: 1 readable, 0 deadline passed. */
static int wait_frame(int fd, uint64_t deadline) {
  if (!deadline)
    return 1;
  for (;;) {
    uint64_t now = decc__mono_ms();
    if (now >= deadline)
      return 0;
    uint64_t left = deadline - now;
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    int r = poll(&pf, 1, left > 60000 ? 60000 : (int)left);
    if (r < 0 && errno != EINTR)
      return 1; /* the read below reports the failure */
    if (r > 0) {
      struct timeval tv = {.tv_sec = (time_t)(left / 1000),
                           .tv_usec = (suseconds_t)(left % 1000 * 1000)};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      return 1;
    }
  }
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

/* The claims an enclave asks its worker to quote: measurement, enclave
 * public key, task id, nonce, then the timestamp (u64 little-endian). */
#define CLAIMS_LEN (4 * 32 + 8)

static void claims_encode(uint8_t out[CLAIMS_LEN], const decc_quote *q) {
  memcpy(out, q->measurement, 32);
  memcpy(out + 32, q->enclave_pubkey, 32);
  memcpy(out + 64, q->task_id, 32);
  memcpy(out + 96, q->nonce, 32);
  for (int i = 0; i < 8; i++)
    out[128 + i] = (uint8_t)(q->timestamp >> (8 * i));
}

static void claims_decode(decc_quote *q, const uint8_t in[CLAIMS_LEN]) {
  memset(q, 0, sizeof *q);
  memcpy(q->measurement, in, 32);
  memcpy(q->enclave_pubkey, in + 32, 32);
  memcpy(q->task_id, in + 64, 32);
  memcpy(q->nonce, in + 96, 32);
  for (int i = 0; i < 8; i++)
    q->timestamp |= (uint64_t)in[128 + i] << (8 * i);
}

static int claims_equal(const decc_quote *a, const decc_quote *b) {
  return !memcmp(a->measurement, b->measurement, 32) &&
         !memcmp(a->enclave_pubkey, b->enclave_pubkey, 32) &&
         !memcmp(a->task_id, b->task_id, 32) &&
         !memcmp(a->nonce, b->nonce, 32) && a->timestamp == b->timestamp;
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
  char *session = NULL;
  uint8_t *qjson = NULL;
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
  uint8_t claims[CLAIMS_LEN];
  claims_encode(claims, &q);
  if (send_frame(fd, 'Q', claims, sizeof claims)) {
    decc__enclave_fail(o, DECC_CAUSE_INTERNAL, "the worker is gone");
    goto out;
  }
  /* The quote comes back from the worker's TEE backend. It must carry
   * this enclave's claims: the result key later signs its binding
   * (bind_quote), so a quote about anything else must not be bound. */
  if (await(fd, 'q', &qjson, &slen, o, DECC_CAUSE_ATTESTATION_FAILED,
            "TEE quote"))
    goto out;
  decc_quote signed_q;
  if (decc_quote_from_json(&signed_q, (const char *)qjson, slen, &err) ||
      !claims_equal(&signed_q, &q)) {
    decc__enclave_fail(o, DECC_CAUSE_ATTESTATION_FAILED,
                       "the worker's quote does not carry this enclave's "
                       "claims");
    goto out;
  }
  q = signed_q;
  slen = 0;

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

/* ---- the launch description (exec mode) ------------------------------------------ */

/* 'L' payload: "DEL1", u32 sizeof(decc_enclave_limits), task id,
 * app checksum, the limits as laid out in memory (both ends are the same
 * build: the size check catches a mismatched program), then five
 * length-prefixed fields (u32 little-endian): app multiaddr, work
 * directory, blockstore directory, IPFS API URL, bundle override, and a
 * final byte saying whether there is a bundle override. */
#define LAUNCH_MAGIC "DEL1"

static int put_u32(decc_buf *b, uint32_t v) {
  uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                  (uint8_t)(v >> 24)};
  return decc_buf_append(b, x, 4) != DECC_OK;
}

static int put_field(decc_buf *b, const void *p, size_t n) {
  if (n > UINT32_MAX || put_u32(b, (uint32_t)n))
    return -1;
  return n && decc_buf_append(b, p, n) != DECC_OK;
}

static int put_str(decc_buf *b, const char *s) {
  return put_field(b, s, s ? strlen(s) : 0);
}

static int launch_encode(decc_buf *b, const decc_enclave_launch *l) {
  const decc_blockstore *bs = l->store.bs;
  uint8_t flag = l->bundle_override != NULL;
  return decc_buf_append(b, LAUNCH_MAGIC, 4) ||
         put_u32(b, (uint32_t)sizeof l->limits) ||
         decc_buf_append(b, l->task_id, 32) ||
         decc_buf_append(b, l->app_checksum, 32) ||
         decc_buf_append(b, &l->limits, sizeof l->limits) ||
         put_field(b, l->app_multiaddr, l->app_multiaddr_len) ||
         put_str(b, l->work_dir) ||
         put_str(b, bs ? decc_blockstore_dir(bs) : NULL) ||
         put_str(b, l->store.ipfs_api_url) ||
         put_field(b, l->bundle_override, l->bundle_override_len) ||
         decc_buf_append(b, &flag, 1);
}

typedef struct {
  const uint8_t *p;
  size_t n;
} cursor;

static int take(cursor *c, void *out, size_t n) {
  if (c->n < n)
    return -1;
  if (out)
    memcpy(out, c->p, n);
  c->p += n;
  c->n -= n;
  return 0;
}

/* Out: a NUL-terminated copy (decc_free), NULL when empty. */
static int take_field(cursor *c, uint8_t **out, size_t *len) {
  uint8_t x[4];
  *out = NULL;
  *len = 0;
  if (take(c, x, 4))
    return -1;
  size_t n = (size_t)x[0] | (size_t)x[1] << 8 | (size_t)x[2] << 16 |
             (size_t)x[3] << 24;
  if (n > c->n)
    return -1;
  if (!n)
    return 0;
  if (!(*out = decc_malloc(n + 1)))
    return -1;
  memcpy(*out, c->p, n);
  (*out)[n] = 0;
  *len = n;
  return take(c, NULL, n);
}

typedef struct {
  decc_enclave_launch l;
  uint8_t *maddr, *work, *bsdir, *ipfs, *bundle;
  decc_blockstore *bs;
} decoded_launch;

static void decoded_clear(decoded_launch *d) {
  decc_blockstore_close(d->bs);
  decc_free(d->maddr);
  decc_free(d->work);
  decc_free(d->bsdir);
  decc_free(d->ipfs);
  decc_free(d->bundle);
}

static int launch_decode(decoded_launch *d, const uint8_t *p, size_t n) {
  memset(d, 0, sizeof *d);
  cursor c = {p, n};
  uint8_t magic[4], sz[4], flag = 0;
  size_t ml = 0, wl = 0, bl = 0, il = 0, ol = 0;
  if (take(&c, magic, 4) || memcmp(magic, LAUNCH_MAGIC, 4) || take(&c, sz, 4) ||
      ((uint32_t)sz[0] | (uint32_t)sz[1] << 8 | (uint32_t)sz[2] << 16 |
       (uint32_t)sz[3] << 24) != sizeof d->l.limits ||
      take(&c, d->l.task_id, 32) || take(&c, d->l.app_checksum, 32) ||
      take(&c, &d->l.limits, sizeof d->l.limits) ||
      take_field(&c, &d->maddr, &ml) || take_field(&c, &d->work, &wl) ||
      take_field(&c, &d->bsdir, &bl) || take_field(&c, &d->ipfs, &il) ||
      take_field(&c, &d->bundle, &ol) || take(&c, &flag, 1) || c.n != 0 ||
      !d->work || (!d->bsdir && !d->ipfs))
    return -1;
  d->l.app_multiaddr = d->maddr;
  d->l.app_multiaddr_len = ml;
  d->l.work_dir = (const char *)d->work;
  d->l.store.ipfs_api_url = (const char *)d->ipfs;
  if (flag) {
    /* an empty override is still an override (a test's empty bundle) */
    d->l.bundle_override = d->bundle ? d->bundle : (const uint8_t *)"";
    d->l.bundle_override_len = ol;
  }
  if (d->bsdir) {
    decc_err e;
    decc_err_clear(&e);
    if (decc_blockstore_open(&d->bs, (const char *)d->bsdir, &e) != DECC_OK)
      return -1;
    d->l.store.bs = d->bs;
  }
  return 0;
}

/* What the enclave process does once it exists, in either mode. */
static void enclave_process_setup(void) {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  struct rlimit nocore = {0, 0};
  setrlimit(RLIMIT_CORE, &nocore);
  signal(SIGPIPE, SIG_IGN);
}

static int enclave_run_and_report(const decc_enclave_launch *l, int fd) {
  decc_enclave_outcome o;
  memset(&o, 0, sizeof o);
  enclave_main(l, fd, &o);
  int rc = send_frame(fd, 'R', &o, sizeof o) ? 3 : 0;
  close(fd);
  return rc;
}

int decc_enclave_child_main(int fd) {
  enclave_process_setup();
  if (decc_init() != DECC_OK) {
    close(fd);
    return 5;
  }
  uint8_t t = 0, *p = NULL;
  size_t n = 0;
  decoded_launch d;
  memset(&d, 0, sizeof d);
  if (recv_frame(fd, &t, &p, &n) || t != 'L' || launch_decode(&d, p, n)) {
    decc_free(p);
    decoded_clear(&d);
    close(fd);
    return 5;
  }
  decc_free(p);
  int rc = enclave_run_and_report(&d.l, fd);
  decoded_clear(&d);
  return rc;
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
  /* Everything exec mode needs is made before the fork: the child of a
   * multi-threaded process only makes async-signal-safe calls. */
  decc_buf desc;
  decc_buf_init(&desc, FRAME_MAX);
  char *argv[3] = {(char *)l->exec_path, (char *)DECC_ENCLAVE_CHILD_ARG, NULL};
  if (l->exec_path && launch_encode(&desc, l)) {
    decc_buf_clear(&desc);
    close(sv[0]);
    close(sv[1]);
    return decc_err_set(err, DECC_E_LIMIT,
                        "enclave launch: the launch description is larger "
                        "than a frame");
  }
  fflush(NULL);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    decc_buf_clear(&desc);
    close(sv[0]);
    close(sv[1]);
    return decc_err_set(err, DECC_E_INTERNAL, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    close(sv[0]);
    /* The enclave dies with its worker: a worker killed with SIGKILL and
     * restarted runs the task again in the same work directory, which an
     * orphaned enclave finishing the old run would clobber. PDEATHSIG
     * survives the exec below. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != parent)
      _exit(4);
    if (l->exec_path) {
      /* the channel on fd 3 without close-on-exec, every other
       * descriptor above it closed (the worker's sockets and files are
       * not the enclave's) */
      int fd = sv[1] == 3 ? 3 : dup2(sv[1], 3);
      if (fd != 3 || fcntl(3, F_SETFD, 0) != 0)
        _exit(4);
      syscall(SYS_close_range, 4u, ~0u, 0u);
      execv(l->exec_path, argv);
      _exit(127);
    }
    enclave_process_setup();
    _exit(enclave_run_and_report(l, sv[1]));
  }
  close(sv[1]);
  int fd = sv[0], got = 0;
  if (l->exec_path && send_frame(fd, 'L', desc.data, desc.len)) {
    /* the program did not start: the exit status below says why */
  }
  decc_buf_clear(&desc);
  decc_quote *relayed = NULL; /* the quote sent to the SMS, kept for
                                 l->attestation_path */
  uint64_t deadline =
      l->deadline_s ? decc__mono_ms() + (uint64_t)l->deadline_s * 1000u : 0;
  int late = 0;
  for (;;) {
    uint8_t t, *p = NULL;
    size_t n = 0;
    if (!wait_frame(fd, deadline) || recv_frame(fd, &t, &p, &n)) {
      late = deadline && decc__mono_ms() >= deadline;
      break;
    }
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
    } else if (t == 'Q' && n == CLAIMS_LEN) {
      /* the worker's TEE backend quotes the enclave's claims, then the
       * SMS gets the quote */
      decc_quote *q = decc_malloc(sizeof *q);
      uint8_t *sealed = NULL;
      char *qj = NULL;
      size_t sl = 0;
      decc_status st = DECC_OK;
      if (q)
        claims_decode(q, p);
      if (!q || !l->backend || !l->backend->quote)
        st = decc_err_set(&e, q ? DECC_E_UNSUPPORTED : DECC_E_NOMEM,
                          "the TEE backend gave no quote: %s",
                          q ? "no backend" : "out of memory");
      else if ((st = l->backend->quote(l->backend->ctx, q, &e)) != DECC_OK) {
        char m[DECC_ERR_LEN];
        snprintf(m, sizeof m, "%s", e.msg[0] ? e.msg : decc_strerror(st));
        decc_err_set(&e, st, "the TEE backend gave no quote: %s", m);
      } else if ((st = decc_quote_to_json(&qj, q)) != DECC_OK)
        decc_err_set(&e, st, "the TEE backend's quote does not encode");
      if (st) {
        relay_error(fd, st, NULL, &e);
      } else if (send_frame(fd, 'q', qj, strlen(qj))) {
        /* enclave gone */
      } else {
        st = l->relay.session(l->relay.ctx, q, &sealed, &sl, &code, &e);
        if (!st && l->attestation_path &&
            (relayed || (relayed = decc_malloc(sizeof *relayed))))
          *relayed = *q;
        if (st)
          relay_error(fd, st, code, &e);
        else if (send_frame(fd, 's', sealed, sl)) {
          /* enclave gone */
        }
      }
      decc_free(qj);
      decc_free(sealed);
      decc_free(q);
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
  if (late && !got)
    kill(pid, SIGKILL); /* the sandboxed app has PDEATHSIG: it goes too */
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (got && relayed)
    keep_attestation(l, out, relayed);
  decc_free(relayed);
  if (!got) {
    memset(out, 0, sizeof *out);
    if (late)
      decc__enclave_fail(out, DECC_CAUSE_DEADLINE_REACHED,
                         "the enclave process gave no outcome within its "
                         "deadline (%u s) and was stopped",
                         (unsigned)l->deadline_s);
    else if (WIFSIGNALED(status))
      decc__enclave_fail(out, DECC_CAUSE_ENCLAVE_CRASHED,
                         "the enclave process was killed by signal %d",
                         WTERMSIG(status));
    else if (l->exec_path && WIFEXITED(status) && WEXITSTATUS(status) == 127)
      decc__enclave_fail(out, DECC_CAUSE_ENCLAVE_CRASHED,
                         "the enclave program %s did not start", l->exec_path);
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
