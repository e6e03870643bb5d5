/*
 * rcpt_store.c — the SMS's receipt store (decc/receipts.h): the signing
 * key sealed in the SMS vault, the per-dataset append-only logs (one
 * frame per append, fdatasync before returning, flock against other
 * processes, a torn tail truncated and reported), the grant policies
 * (owner-signed, stored once, never replaced) and the two calls the SMS
 * makes around a key release.
 *
 * Durability: an append returns DECC_OK only after an fdatasync() of the
 * log that started after its frame was written (and an fsync() of the
 * directory when the file was just created), so an acknowledged receipt
 * survives kill -9 and power loss. What a crash can leave is a partial
 * last frame that was never acknowledged; the next append truncates
 * exactly those bytes (logged), which rewrites nothing that anyone was
 * told exists.
 *
 * Group commit: the frame is written under the store's mutex and the
 * log's flock (which order the appends), then both are released and the
 * appender waits for a sync. One waiting appender at a time is the leader:
 * it takes every frame written so far (all logs), fdatasyncs each log
 * once and wakes their appenders (each on its own condition variable,
 * plus the first appender of the next round, which leads it: a round
 * wakes no thread that would only go back to sleep); appends written
 * while it syncs wait for the next round. Concurrent releases (the HTTP
 * server's threads) thus share one disk flush instead of queueing for one
 * each; a lone appender still pays exactly one fdatasync. Frames written
 * but not yet synced are never acknowledged, so a crash between write and
 * sync can only lose (or tear) unacknowledged frames at the end of a log,
 * which the scan below treats as a torn tail as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "receipts/rcpt_int.h"

/* Tail state of a log this process appended to (skips rescanning). */
typedef struct tail_cache {
  decc_address dataset;
  uint64_t size;  /* end of the last frame (padding may follow) */
  uint64_t alloc; /* the file's size after our last append */
  uint64_t next_seq;
  uint8_t last[32]; /* hash of the last record */
  int used;
} tail_cache;

#define N_CACHE 64
/* Bytes reserved past a log's last frame when it must grow: about 100
 * receipts of the common size (about 660 bytes a frame), so the inode is
 * written by one sync in 100. */
#define RCPT_RESERVE (64u * 1024u)

/* One appender waiting for its frame to be synced (lives on its stack). */
typedef struct gc_wait {
  int fd;               /* the appender's descriptor of the log */
  decc_address dataset; /* which log: one fdatasync per log per round */
  int done;             /* set by the leader under gc_mu */
  int sync_errno;       /* 0: durable; else fdatasync's errno */
  /* Signalled when done is set, or when this waiter heads the queue as a
   * round ends (it leads the next): one condition per waiter, so a round
   * wakes its own appenders and one leader, not every waiting thread. */
  pthread_cond_t cv;
  struct gc_wait *next;
} gc_wait;

struct decc_rcpt_store {
  char *dir;     /* <sms>/receipts */
  char *pol_dir; /* <sms>/policies */
  uint8_t *sk;   /* 32 bytes, secure memory */
  decc_address signer;
  decc_vault *vault;
  pthread_mutex_t mu;
  tail_cache cache[N_CACHE];
  unsigned next_evict;
  /* group commit (see the top of this file) */
  pthread_mutex_t gc_mu;
  gc_wait *gc_head, *gc_tail; /* written, waiting for the next round */
  int gc_leading;             /* a leader is syncing a round */
};

/* Creates a store directory (and its parents) with owner-only access. */
static decc_status mkdir_owner(const char *d, decc_err *err) {
  if (decc__mkdir_p(d, 0700))
    return decc_err_set(err, DECC_E_IO, "cannot create %s: %s", d,
                        strerror(errno));
  return DECC_OK;
}

decc_status decc_rcpt_store_open(decc_rcpt_store **out, const char *sms_dir,
                                 decc_vault *v, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(sms_dir != NULL);
  DECC_ARG_CHECK(v != NULL);
  *out = NULL;
  decc_rcpt_store *s = decc_calloc(1, sizeof *s);
  if (!s)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  pthread_mutex_init(&s->mu, NULL);
  pthread_mutex_init(&s->gc_mu, NULL);
  s->vault = v;
  decc_status st = DECC_OK;
  s->dir = decc__path_join(sms_dir, "receipts");
  s->pol_dir = decc__path_join(sms_dir, "policies");
  s->sk = decc_secure_alloc(33); /* value + the vault's NUL */
  if (!s->dir || !s->pol_dir || !s->sk) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto fail;
  }
  if ((st = mkdir_owner(s->dir, err)) || (st = mkdir_owner(s->pol_dir, err)))
    goto fail;
  static const decc_address zero_owner;
  size_t n = 0;
  st = decc_vault_get_into(v, DECC_SECRET_WEB2, &zero_owner, DECC_RCPT_KEY_NAME,
                           s->sk, 33, &n, err);
  if (st == DECC_E_NOT_FOUND) {
    /* First use: a fresh key, sealed in the vault like every SMS secret. */
    if (decc_privkey_generate(s->sk)) {
      st = decc_err_set(err, DECC_E_CRYPTO,
                        "no randomness for the receipt "
                        "signing key");
      goto fail;
    }
    st = decc_vault_put(v, DECC_SECRET_WEB2, &zero_owner, DECC_RCPT_KEY_NAME,
                        s->sk, 32, 0, err);
    if (st == DECC_E_EXISTS) /* another process created it first */
      st = decc_vault_get_into(v, DECC_SECRET_WEB2, &zero_owner,
                               DECC_RCPT_KEY_NAME, s->sk, 33, &n, err);
    else
      n = 32;
  }
  if (st)
    goto fail;
  if (n != 32 || decc_address_from_privkey(&s->signer, s->sk)) {
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "the receipt signing key in the SMS vault is corrupt");
    goto fail;
  }
  /* The public signer address, for the owner's CLI (not a secret). */
  char *sp = decc__path_join(s->dir, "signer");
  char line[44];
  decc_address_to_checksum(line, &s->signer);
  line[42] = '\n';
  struct stat sb;
  if (!sp) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto fail;
  }
  if (stat(sp, &sb) != 0 || sb.st_size != 43)
    st = decc__atomic_write(sp, line, 43, 0600u, err);
  decc_free(sp);
  if (st)
    goto fail;
  *out = s;
  return DECC_OK;
fail:
  decc_rcpt_store_close(s);
  return st;
}

void decc_rcpt_store_close(decc_rcpt_store *s) {
  if (!s)
    return;
  decc_secure_free(s->sk);
  decc_free(s->dir);
  decc_free(s->pol_dir);
  pthread_mutex_destroy(&s->mu);
  pthread_mutex_destroy(&s->gc_mu);
  decc_free(s);
}

void decc_rcpt_store_signer(const decc_rcpt_store *s, decc_address *out) {
  DECC_ARG_CHECK_VOID(s != NULL);
  DECC_ARG_CHECK_VOID(out != NULL);
  *out = s->signer;
}

decc_vault *decc__rcpt_store_vault(decc_rcpt_store *s) { return s->vault; }

const char *decc_rcpt_store_dir(const decc_rcpt_store *s) {
  DECC_ARG_CHECK_RET(s != NULL, NULL);
  return s->dir;
}

const char *decc_rcpt_store_policy_dir(const decc_rcpt_store *s) {
  DECC_ARG_CHECK_RET(s != NULL, NULL);
  return s->pol_dir;
}

/* ---- appending ------------------------------------------------------------ */

typedef struct tail_visit {
  uint64_t next_seq;
  uint8_t last[32];
} tail_visit;

static int tail_visit_fn(void *vctx, const uint8_t *rec, size_t n,
                         uint64_t off) {
  (void)off;
  tail_visit *t = vctx;
  decc_rcpt r;
  if (decc_rcpt_decode(&r, rec, n, NULL))
    return 0;
  t->next_seq = r.seq + 1;
  decc_keccak256(t->last, rec, n);
  return 1;
}

static tail_cache *cache_get(decc_rcpt_store *s, const decc_address *d) {
  for (int i = 0; i < N_CACHE; i++)
    if (s->cache[i].used && decc_address_eq(&s->cache[i].dataset, d))
      return &s->cache[i];
  tail_cache *c = &s->cache[s->next_evict++ % N_CACHE];
  memset(c, 0, sizeof *c);
  c->dataset = *d;
  return c;
}

static void cache_forget(decc_rcpt_store *s, const decc_address *d) {
  for (int i = 0; i < N_CACHE; i++)
    if (s->cache[i].used && decc_address_eq(&s->cache[i].dataset, d))
      s->cache[i].used = 0;
}

/* Waits until w's frame is synced: as the leader of a round (fdatasync of
 * every log with a queued frame, once each) or woken by one. */
static void group_sync(decc_rcpt_store *s, gc_wait *w) {
  pthread_mutex_lock(&s->gc_mu);
  while (!w->done) {
    if (s->gc_leading) {
      pthread_cond_wait(&w->cv, &s->gc_mu);
      continue;
    }
    s->gc_leading = 1;
    gc_wait *round = s->gc_head;
    s->gc_head = s->gc_tail = NULL;
    pthread_mutex_unlock(&s->gc_mu);
    for (gc_wait *a = round; a; a = a->next) {
      gc_wait *same = NULL;
      for (gc_wait *b = round; b != a && !same; b = b->next)
        if (decc_address_eq(&b->dataset, &a->dataset))
          same = b;
      /* Every frame of the round was written before the round began, so
       * one fdatasync of a log (any descriptor of it) covers them all. */
      if (same)
        a->sync_errno = same->sync_errno;
      else if (fdatasync(a->fd))
        a->sync_errno = errno ? errno : EIO;
    }
    pthread_mutex_lock(&s->gc_mu);
    /* Each appender of the round is woken; it cannot see done (and leave,
     * taking its gc_wait with it) before gc_mu is released. */
    for (gc_wait *a = round; a; a = a->next) {
      a->done = 1;
      pthread_cond_signal(&a->cv);
    }
    s->gc_leading = 0;
    /* Frames written during the round: their first appender leads the
     * next one (if it is not waiting yet, it finds no leader on entry). */
    if (s->gc_head)
      pthread_cond_signal(&s->gc_head->cv);
  }
  pthread_mutex_unlock(&s->gc_mu);
}

decc_status decc_rcpt_store_append(decc_rcpt_store *s, decc_rcpt *r,
                                   void (*log)(void *, const char *),
                                   void *log_ctx, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(r != NULL);
  char *path = NULL;
  if (decc_rcpt_log_path(&path, s->dir, &r->dataset))
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  pthread_mutex_lock(&s->mu);
  decc_status st = DECC_OK;
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    st = decc_err_set(err, DECC_E_IO, "receipt log %s: %s", path,
                      strerror(errno));
    goto out;
  }
  while (flock(fd, LOCK_EX) != 0)
    if (errno != EINTR) {
      st = decc_err_set(err, DECC_E_IO, "receipt log %s: lock: %s", path,
                        strerror(errno));
      goto out;
    }
  struct stat sb;
  if (fstat(fd, &sb)) {
    st = decc_err_set(err, DECC_E_IO, "receipt log %s: %s", path,
                      strerror(errno));
    goto out;
  }
  int is_new = sb.st_size == 0;
  tail_cache *c = cache_get(s, &r->dataset);
  uint64_t size = (uint64_t)sb.st_size;
  /* Did another process write since our last append? Its frame would
   * start where ours ended, in the padding, or it changed the size. */
  int moved = !c->used || c->size > size || c->alloc != size;
  if (!moved && c->size < size) {
    uint8_t at[4] = {0};
    ssize_t k;
    do
      k = pread(fd, at, 4, (off_t)c->size);
    while (k < 0 && errno == EINTR);
    moved = k != 4 || (at[0] | at[1] | at[2] | at[3]) != 0;
  }
  if (moved) {
    /* Another process appended (or first use): rescan from what we know. */
    tail_visit tv;
    uint64_t from = 0;
    memset(&tv, 0, sizeof tv);
    if (c->used && c->size < size) {
      from = c->size;
      tv.next_seq = c->next_seq;
      memcpy(tv.last, c->last, 32);
    }
    decc__rcpt_tail t;
    if ((st = decc__rcpt_scan(fd, from, tail_visit_fn, &tv, &t, err)))
      goto out;
    if (t.bad_frames || t.valid_end != t.end) {
      st = decc_err_set(err, DECC_E_CORRUPT,
                        "receipt log %s has %llu frame(s) that are not "
                        "receipts: nothing appended; run 'decc receipts "
                        "DATA --verify' and keep the file for inspection",
                        path, (unsigned long long)t.bad_frames);
      c->used = 0;
      goto out;
    }
    if (t.torn) {
      /* An append interrupted by a crash: never acknowledged. The padding
       * after it goes too; the append below reserves new space. */
      if (ftruncate(fd, (off_t)t.end) || fdatasync(fd)) {
        st = decc_err_set(err, DECC_E_IO,
                          "receipt log %s: truncating a "
                          "torn tail: %s",
                          path, strerror(errno));
        goto out;
      }
      if (log) {
        char line[300];
        snprintf(line, sizeof line,
                 "receipts: %s: truncated a torn tail of %llu bytes (an "
                 "append interrupted by a crash, never acknowledged)",
                 path, (unsigned long long)t.torn);
        log(log_ctx, line);
      }
    }
    if (t.torn)
      size = t.end;
    c->used = 1;
    c->size = t.end;
    c->next_seq = tv.next_seq;
    memcpy(c->last, tv.last, 32);
  }
  r->seq = c->next_seq;
  memcpy(r->prev, c->last, 32);
  if ((st = decc_rcpt_sign(r, s->sk))) {
    decc_err_set(err, st, "receipt: cannot sign (invalid receipt)");
    goto out;
  }
  uint8_t frame[4 + DECC_RCPT_MAX_LEN];
  size_t n;
  if ((st = decc_rcpt_encode(r, frame + 4, sizeof frame - 4, &n))) {
    decc_err_set(err, st, "receipt: cannot encode (invalid purpose)");
    goto out;
  }
  frame[0] = (uint8_t)(n >> 24);
  frame[1] = (uint8_t)(n >> 16);
  frame[2] = (uint8_t)(n >> 8);
  frame[3] = (uint8_t)n;
  /* Space ahead of the frames is reserved (written as zeros) a chunk at
   * a time, so that most appends leave the file's size alone: then
   * fdatasync writes the frame's data and not the inode too (one disk
   * write instead of two; measured in docs/internals/performance.md).
   * Readers take the zeros after the last frame for padding. */
  if (c->size + n + 4 > size) {
    uint64_t grow = c->size + n + 4 + RCPT_RESERVE - size;
    for (uint64_t at = size; at < size + grow;) {
      static const uint8_t zeros[RCPT_RESERVE];
      size_t k = size + grow - at < sizeof zeros ? (size_t)(size + grow - at)
                                                 : sizeof zeros;
      ssize_t w = pwrite(fd, zeros, k, (off_t)at);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        int e = errno;
        if (ftruncate(fd, (off_t)size) == 0)
          (void)fdatasync(fd);
        st = decc_err_set(err, DECC_E_IO, "receipt log %s: reserving space: %s",
                          path, w < 0 ? strerror(e) : "short write");
        goto out;
      }
      at += (uint64_t)w;
    }
    size += grow;
  }
  /* One pwrite of the whole frame at the end we checked under the lock. */
  size_t done = 0;
  while (done < n + 4) {
    ssize_t k = pwrite(fd, frame + done, n + 4 - done, (off_t)(c->size + done));
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      int e = errno;
      if (ftruncate(fd, (off_t)c->size) == 0)
        (void)fdatasync(fd);
      st = decc_err_set(err, DECC_E_IO, "receipt log %s: write: %s", path,
                        strerror(e));
      goto out;
    }
    done += (size_t)k;
  }
  if (is_new) {
    /* The first frame of a log is synced here, flock held, with the
     * directory: no appender (of any process) can see the file before its
     * entry is durable, so a later append never needs the directory. */
    if (fdatasync(fd)) {
      st = decc_err_set(err, DECC_E_IO, "receipt log %s: fdatasync: %s", path,
                        strerror(errno));
      c->used = 0; /* unknown state: rescan next time */
      goto out;
    }
    if (decc__fsync_parent(path)) {
      st = decc_err_set(err, DECC_E_IO, "receipts directory %s: fsync failed",
                        s->dir);
      goto out;
    }
  }
  /* The frame is whole in the file: the next append, from this process
   * or another, chains to it. */
  c->size += n + 4;
  c->alloc = size;
  c->next_seq++;
  decc_keccak256(c->last, frame + 4, n);
  if (is_new)
    goto out;
  /* Queued under s->mu, so rounds sync frames in the order written. */
  gc_wait w;
  memset(&w, 0, sizeof w);
  w.fd = fd;
  w.dataset = r->dataset;
  pthread_cond_init(&w.cv, NULL);
  pthread_mutex_lock(&s->gc_mu);
  if (s->gc_tail)
    s->gc_tail->next = &w;
  else
    s->gc_head = &w;
  s->gc_tail = &w;
  pthread_mutex_unlock(&s->gc_mu);
  (void)flock(fd, LOCK_UN);
  pthread_mutex_unlock(&s->mu);
  group_sync(s, &w);
  pthread_cond_destroy(&w.cv);
  if (w.sync_errno) {
    st = decc_err_set(err, DECC_E_IO, "receipt log %s: fdatasync: %s", path,
                      strerror(w.sync_errno));
    pthread_mutex_lock(&s->mu);
    cache_forget(s, &r->dataset); /* unknown state: rescan next time */
    pthread_mutex_unlock(&s->mu);
  }
  close(fd);
  decc_free(path);
  return st;
out:
  if (fd >= 0)
    close(fd); /* releases the flock */
  pthread_mutex_unlock(&s->mu);
  decc_free(path);
  return st;
}

/* ---- grant policies ------------------------------------------------------------ */

void decc_grant_policy_hash(uint8_t out32[32], const decc_grant_policy *p) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(p != NULL);
  static const char tag[] = "DECC-GRANT-POLICY-V1";
  uint8_t b[sizeof tag - 1 + 20 + 32 + 8 + 32];
  size_t o = sizeof tag - 1;
  memcpy(b, tag, o);
  memcpy(b + o, p->dataset.b, 20);
  memcpy(b + o + 20, p->order_hash, 32);
  decc__rcpt_put64(b + o + 52, p->expires);
  decc_keccak256(b + o + 60, p->purpose, p->purpose_len);
  decc_keccak256(out32, b, sizeof b);
}

decc_status decc_grant_policy_sign(decc_grant_policy *p,
                                   const uint8_t sk32[32]) {
  DECC_ARG_CHECK(p != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  if (!decc__rcpt_purpose_ok(p->purpose, p->purpose_len))
    return DECC_E_INVALID;
  uint8_t h[32];
  decc_grant_policy_hash(h, p);
  return decc_eip191_sign(p->sig, sk32, h, 32);
}

decc_status decc_grant_policy_verify(const decc_grant_policy *p,
                                     const decc_address *owner, decc_err *err) {
  DECC_ARG_CHECK(p != NULL);
  DECC_ARG_CHECK(owner != NULL);
  if (!decc__rcpt_purpose_ok(p->purpose, p->purpose_len))
    return decc_err_set(err, DECC_E_INVALID,
                        "grant policy: the purpose must be printable UTF-8 "
                        "of at most %d bytes",
                        DECC_RCPT_PURPOSE_MAX);
  uint8_t h[32];
  decc_address who;
  decc_grant_policy_hash(h, p);
  if (decc_eip191_recover(&who, h, 32, p->sig))
    return decc_err_set(err, DECC_E_BAD_SIGNATURE,
                        "grant policy: the signature is not valid");
  if (!decc_address_eq(&who, owner)) {
    char a[DECC_ADDRESS_HEX_LEN], b[DECC_ADDRESS_HEX_LEN];
    return decc_err_set(err, DECC_E_BAD_SIGNATURE,
                        "grant policy: signed by %s, not by the dataset "
                        "owner %s",
                        decc_address_to_checksum(a, &who),
                        decc_address_to_checksum(b, owner));
  }
  return DECC_OK;
}

decc_status decc_grant_policy_to_json(char **json, const decc_grant_policy *p) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(p != NULL);
  char d[DECC_ADDRESS_HEX_LEN], h[DECC_HEX32_LEN], sg[DECC_SIG_HEX_LEN];
  json_t *o =
      json_pack("{s:s,s:s,s:I,s:s%,s:s}", "dataset",
                decc_address_to_checksum(d, &p->dataset), "orderHash",
                decc_hex_encode(h, p->order_hash, 32, 1), "expires",
                (json_int_t)p->expires, "purpose", p->purpose, p->purpose_len,
                "signature", decc_hex_encode(sg, p->sig, 65, 1));
  *json = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
  json_decref(o);
  return *json ? DECC_OK : DECC_E_NOMEM;
}

decc_status decc_grant_policy_from_json(decc_grant_policy *p, const char *json,
                                        size_t n, decc_err *err) {
  DECC_ARG_CHECK(p != NULL);
  DECC_ARG_CHECK(json != NULL || n == 0);
  memset(p, 0, sizeof *p);
  if (n > 4096)
    return decc_err_set(err, DECC_E_PARSE,
                        "grant policy: more than 4096 "
                        "bytes");
  json_error_t je;
  json_t *o = json_loadb(json, n, JSON_REJECT_DUPLICATES, &je);
  const char *ds = NULL, *oh = NULL, *pu = NULL, *sg = NULL;
  json_int_t exp = -1;
  size_t plen = 0;
  decc_status st = DECC_OK;
  if (!o ||
      json_unpack_ex(o, &je, JSON_STRICT, "{s:s,s:s,s:I,s:s%,s:s}", "dataset",
                     &ds, "orderHash", &oh, "expires", &exp, "purpose", &pu,
                     &plen, "signature", &sg) ||
      exp < 0) {
    st = decc_err_set(err, DECC_E_PARSE,
                      "grant policy: expected {dataset, orderHash, expires, "
                      "purpose, signature}: %s",
                      o ? je.text : "not JSON");
    goto out;
  }
  if (decc_address_parse(&p->dataset, ds, NULL) ||
      decc_hex_decode_exact(p->order_hash, 32, oh, "orderHash", NULL) ||
      decc_hex_decode_exact(p->sig, 65, sg, "signature", NULL)) {
    st = decc_err_set(err, DECC_E_PARSE,
                      "grant policy: dataset, orderHash or signature is "
                      "malformed");
    goto out;
  }
  if (plen > DECC_RCPT_PURPOSE_MAX || !decc__rcpt_purpose_ok(pu, plen)) {
    st = decc_err_set(err, DECC_E_INVALID,
                      "grant policy: the purpose must be printable UTF-8 of "
                      "at most %d bytes",
                      DECC_RCPT_PURPOSE_MAX);
    goto out;
  }
  memcpy(p->purpose, pu, plen);
  p->purpose[plen] = 0;
  p->purpose_len = plen;
  p->expires = (uint64_t)exp;
out:
  json_decref(o);
  return st;
}

static char *policy_path(const char *dir, const uint8_t h[32]) {
  char hx[DECC_HEX32_LEN];
  decc_hex_encode(hx, h, 32, 1);
  size_t n = strlen(dir) + 80;
  char *p = decc_malloc(n);
  if (p)
    snprintf(p, n, "%s/%s.json", dir, hx);
  return p;
}

decc_status decc_grant_policy_load(const char *dir,
                                   const uint8_t order_hash32[32],
                                   decc_grant_policy *p, decc_err *err) {
  DECC_ARG_CHECK(dir != NULL);
  DECC_ARG_CHECK(order_hash32 != NULL);
  DECC_ARG_CHECK(p != NULL);
  memset(p, 0, sizeof *p);
  char *path = policy_path(dir, order_hash32);
  if (!path)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = DECC_OK;
  FILE *f = fopen(path, "rb");
  if (!f) {
    st = errno == ENOENT
             ? decc_err_set(err, DECC_E_NOT_FOUND, "no policy for this grant")
             : decc_err_set(err, DECC_E_IO, "grant policy %s: %s", path,
                            strerror(errno));
    decc_free(path);
    return st;
  }
  char buf[4097];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  if (n > 4096)
    st = decc_err_set(err, DECC_E_CORRUPT, "grant policy %s: too large", path);
  else if ((st = decc_grant_policy_from_json(p, buf, n, err)))
    decc_err_prefix(err, "%s", path);
  else if (memcmp(p->order_hash, order_hash32, 32))
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "grant policy %s names another order", path);
  decc_free(path);
  return st;
}

decc_status decc_grant_policy_store(const char *dir, const decc_grant_policy *p,
                                    uint64_t now, decc_err *err) {
  DECC_ARG_CHECK(dir != NULL);
  DECC_ARG_CHECK(p != NULL);
  if (p->expires && p->expires <= now)
    return decc_err_set(err, DECC_E_STATE,
                        "grant policy expired at %llu (now %llu): an expired "
                        "policy is never accepted again; grant anew",
                        (unsigned long long)p->expires,
                        (unsigned long long)now);
  decc_grant_policy old;
  decc_err e2;
  decc_status st = decc_grant_policy_load(dir, p->order_hash, &old, &e2);
  if (st == DECC_OK) {
    if (!memcmp(old.sig, p->sig, 65) && old.expires == p->expires &&
        old.purpose_len == p->purpose_len &&
        !memcmp(old.purpose, p->purpose, p->purpose_len) &&
        decc_address_eq(&old.dataset, &p->dataset))
      return DECC_OK;
    return decc_err_set(err, DECC_E_EXISTS,
                        "this grant already has a policy (expiry %llu); a "
                        "policy is never replaced: revoke the grant and "
                        "grant anew",
                        (unsigned long long)old.expires);
  }
  if (st != DECC_E_NOT_FOUND)
    return decc_err_set(err, st, "%s", e2.msg);
  char *json = NULL, *path = policy_path(dir, p->order_hash);
  if (!path || decc_grant_policy_to_json(&json, p)) {
    decc_free(path);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  st = decc__atomic_write(path, json, strlen(json), 0600u, err);
  decc_free(json);
  decc_free(path);
  return st;
}

/* ---- the SMS hook ----------------------------------------------------------------- */

static int zero32(const uint8_t *h) {
  for (int i = 0; i < 32; i++)
    if (h[i])
      return 0;
  return 1;
}

decc_status decc_rcpt_release_check(decc_rcpt_store *s,
                                    const decc_rcpt_release *rel,
                                    decc_grant_policy *policy,
                                    const char **code, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(rel != NULL);
  DECC_ARG_CHECK(policy != NULL);
  memset(policy, 0, sizeof *policy);
  if (code)
    *code = NULL;
  if (!rel->grant32 || zero32(rel->grant32))
    return DECC_OK;
  decc_grant_policy p;
  decc_err e2;
  decc_status st = decc_grant_policy_load(s->pol_dir, rel->grant32, &p, &e2);
  if (st == DECC_E_NOT_FOUND)
    return DECC_OK;
  if (st) {
    if (code)
      *code = "GRANT_POLICY_INVALID";
    return decc_err_set(err, st, "the grant's policy is unreadable: %s",
                        e2.msg);
  }
  if (!decc_address_eq(&p.dataset, rel->dataset) ||
      decc_grant_policy_verify(&p, rel->dataset_owner, &e2)) {
    if (code)
      *code = "GRANT_POLICY_INVALID";
    return decc_err_set(
        err, DECC_E_DENIED, "the grant's policy is not the dataset owner's: %s",
        decc_address_eq(&p.dataset, rel->dataset) ? e2.msg
                                                  : "it names another dataset");
  }
  uint64_t now =
      rel->wall_now > rel->chain_now ? rel->wall_now : rel->chain_now;
  if (p.expires && now >= p.expires) {
    if (code)
      *code = "GRANT_EXPIRED";
    return decc_err_set(err, DECC_E_DENIED,
                        "the grant expired at %llu (now %llu): the owner's "
                        "policy forbids this use even though the order has "
                        "volume left",
                        (unsigned long long)p.expires, (unsigned long long)now);
  }
  *policy = p;
  return DECC_OK;
}

decc_status decc_rcpt_release_record(decc_rcpt_store *s,
                                     const decc_rcpt_release *rel,
                                     const decc_grant_policy *policy,
                                     void (*log)(void *, const char *),
                                     void *log_ctx, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(rel != NULL);
  decc_rcpt r;
  memset(&r, 0, sizeof r);
  r.kind = DECC_RCPT_KEY_RELEASE;
  r.time = rel->wall_now;
  r.chain_time = rel->chain_now;
  r.chain_id = rel->chain_id;
  r.dataset = *rel->dataset;
  memcpy(r.deal_id, rel->deal_id, 32);
  memcpy(r.task_id, rel->task_id, 32);
  r.task_index = rel->task_index;
  r.app = *rel->app;
  memcpy(r.app_checksum, rel->app_checksum, 32);
  memcpy(r.dataset_checksum, rel->dataset_checksum, 32);
  r.requester = *rel->requester;
  r.beneficiary = *rel->beneficiary;
  r.workerpool = *rel->workerpool;
  r.worker = *rel->worker;
  r.enclave = *rel->enclave;
  if (rel->price32)
    memcpy(r.price, rel->price32, 32);
  if (rel->grant32)
    memcpy(r.grant, rel->grant32, 32);
  if (policy) {
    r.grant_expires = policy->expires;
    r.purpose_len = policy->purpose_len;
    memcpy(r.purpose, policy->purpose, policy->purpose_len);
  }
  return decc_rcpt_store_append(s, &r, log, log_ctx, err);
}
