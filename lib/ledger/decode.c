/*
 * decode.c — signed transactions checked before execution: one raw
 * transaction parsed, bound to the chain and its sender recovered
 * (ldg_raw_decode), and whole batches of them decoded on the ledger's
 * decoding threads beside the thread that executes them.
 *
 * Recovering a sender (secp256k1) is most of what decoding costs and each
 * transaction's is independent of the others', so a batch is decoded by
 * the ledger's pool (one thread per online core but the caller's, started
 * at the first large batch and kept until the ledger closes), each thread
 * taking the next few undecoded indexes (a group, LDG_GROUP: their hashes
 * are computed together, eight at a time where the CPU has AVX-512, then
 * each sender is recovered). Every result lands in its own slot and
 * slots are judged in index order, exactly as a serial loop would: the
 * first failing index is the one reported, whatever order the threads
 * finished in, so results, errors and the block built from them do not
 * depend on scheduling (docs/internals/performance.md). The same threads
 * recover the signatures PoCo calls will check during execution (the
 * orders of matchOrders, the authorization of contributeAndFinalize), so
 * the serial execution of the block finds them done.
 *
 * Decoding and execution overlap twice:
 *  - within a block, the executing thread runs transaction i as soon as
 *    slot i is decoded while the pool decodes the slots after it, and when
 *    slot i is not ready it decodes the next unclaimed slot itself rather
 *    than wait;
 *  - across blocks, a caller streaming blocks hands the next one over
 *    ahead (decc_ledger_prepare_raw): the pool decodes it while the
 *    current block executes and commits, after the current block's slots
 *    (those always come first). The submit of exactly those bytes takes
 *    the slots already decoded; decoding is a pure function of the bytes
 *    and of the ledger's immutable chain id, hub and EIP-712 domain, so
 *    the block is the one a decode-at-submit run builds.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/tx.h"
#include "ledger/ledger_int.h"

/* ldg_raw_decode in two steps around the hashing, so that a group of
 * transactions can be hashed together (decode_group). First: parses raw
 * into out, checks its chain and writes the bytes the sender signed to
 * pay. */
static decc_status raw_parse(uint64_t chain_id, const uint8_t *raw, size_t len,
                             ldg_rawtx *out, decc_buf *pay, decc_err *err) {
  memset(out, 0, sizeof *out);
  decc_tx_init(&out->tx);
  if (!raw || len == 0)
    return decc_err_set(err, DECC_E_INVALID, "empty transaction");
  if (len > DECC_TX_MAX_SIZE)
    return decc_err_set(err, DECC_E_LIMIT, "transaction of %zu bytes", len);
  decc_err e2;
  decc_err_clear(&e2);
  decc_status s = decc_tx_parse(&out->tx, raw, len, &e2);
  if (s == DECC_E_NOMEM)
    return decc_err_set(err, s, "out of memory");
  if (s != DECC_OK)
    return decc_err_set(err, DECC_E_INVALID, "%s",
                        e2.msg[0] ? e2.msg : "malformed transaction");
  if (decc_tx_check_chain(&out->tx, chain_id, &e2) != DECC_OK) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, DECC_E_INVALID, "%s", e2.msg);
  }
  if ((s = decc_tx_signing_payload(pay, &out->tx, &e2)) != DECC_OK) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, s == DECC_E_NOMEM ? s : DECC_E_BAD_SIGNATURE, "%s",
                        e2.msg);
  }
  return DECC_OK;
}

/* Then, with the keccak256 of pay (sighash) and of the raw bytes (txhash):
 * recovers the sender and checks what the ledger refuses. */
static decc_status raw_finish(ldg_rawtx *out, const uint8_t sighash[32],
                              const uint8_t txhash[32], decc_err *err) {
  decc_err e2;
  decc_err_clear(&e2);
  decc_status s = decc_tx_recover_hash(&out->from, &out->tx, sighash, &e2);
  if (s != DECC_OK) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, s == DECC_E_NOMEM ? s : DECC_E_BAD_SIGNATURE, "%s",
                        e2.msg);
  }
  if (!out->tx.has_to) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, DECC_E_INVALID,
                        "contract creation is not supported (no EVM)");
  }
  if (!decc_u256_is_zero(&out->tx.value)) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, DECC_E_INVALID,
                        "the chain has no native currency: value must be 0");
  }
  if (out->tx.data_len > DECC_LEDGER_MAX_CALLDATA) {
    decc_tx_clear(&out->tx);
    return decc_err_set(err, DECC_E_LIMIT, "calldata of %zu bytes",
                        out->tx.data_len);
  }
  out->to = out->tx.to;
  out->nonce = out->tx.nonce;
  memcpy(out->hash, txhash, 32);
  return DECC_OK;
}

decc_status ldg_raw_decode(uint64_t chain_id, const uint8_t *raw, size_t len,
                           ldg_rawtx *out, decc_err *err) {
  decc_buf pay;
  decc_buf_init(&pay, 0);
  decc_status s = raw_parse(chain_id, raw, len, out, &pay, err);
  if (s == DECC_OK) {
    uint8_t sighash[32], txhash[32];
    decc_keccak256(sighash, pay.data, pay.len);
    decc_keccak256(txhash, raw, len);
    s = raw_finish(out, sighash, txhash, err);
  }
  decc_buf_clear(&pay);
  return s;
}

void ldg_raw_clear(ldg_rawtx *t) {
  decc_tx_clear(&t->tx);
  decc_free(t->pre);
  t->pre = NULL;
  t->n_pre = 0;
}

/* ---- the pool and its jobs ------------------------------------------------ */

#define LDG_DECODE_THREADS 7 /* besides the caller's: 8 cores in all */
#define LDG_DECODE_MIN 8 /* smaller batches: the caller decodes them alone */
/* Batches handed over ahead that wait at once: a caller streaming blocks
 * hands block N+1 over before it submits block N, which was itself handed
 * over one step earlier, so two wait at that moment; more room lets it
 * run further ahead. */
#define LDG_PREP_MAX 4
/* Finished jobs kept for reuse: a block of a few hundred transactions
 * allocates ~300 KiB of slots and copied bytes, and fresh memory of that
 * size comes with its page faults at every block. Jobs of more slots than
 * LDG_SPARE_SLOTS are freed instead. */
#define LDG_SPARES (LDG_PREP_MAX + 2)
#define LDG_SPARE_SLOTS 4096

typedef struct ldg_pool ldg_pool;

struct ldg_djob {
  const decc_ledger *l; /* its chain id, hub and domain (read only) */
  ldg_pool *p;          /* NULL: decoded by the caller alone, in order */
  const uint8_t *const *raw;
  const size_t *lens;
  size_t n;
  ldg_rawtx *tx;
  decc_status *st;
  /* a failed slot's error, allocated on failure only (a decc_err is
   * ~1 KiB: an array of them was most of a batch's allocation) */
  decc_err **errs;
  unsigned char *done;
  /* under p->mu (when p): the next unclaimed slot, slots being decoded */
  size_t next, busy;
  /* a prepared job's own copy of the bytes (own_cap bytes) and the
   * pointers into it */
  uint8_t *own;
  size_t own_cap;
  const uint8_t **own_raw;
  size_t *own_lens;
  size_t cap; /* slots the arrays hold (>= n) */
};

struct ldg_pool {
  pthread_mutex_t mu;
  pthread_cond_t work; /* a job has unclaimed slots, or quit */
  pthread_cond_t done; /* a slot was decoded */
  ldg_djob *cur;       /* the batch being executed: decoded first */
  /* the next batches, handed over ahead, oldest first (then decoded in
   * that order); the owner thread changes the list, under mu */
  ldg_djob *prep[LDG_PREP_MAX];
  size_t n_prep;
  int quit;
  size_t nth;
  pthread_t th[LDG_DECODE_THREADS];
  /* finished jobs for reuse; the owner thread's only (no lock) */
  ldg_djob *spare[LDG_SPARES];
  size_t n_spare;
};

/* Slots a thread claims at once: their transaction hashes and signing
 * hashes (two messages of up to a few kilobytes each) are hashed together,
 * eight at a time where the CPU has AVX-512 (decc_keccak256_many). Small,
 * so that the executing thread, which claims a group when the slot it
 * waits for is not taken, soon gets back to executing. */
#define LDG_GROUP 8

/* Keeps slot i's error (allocated on failure only; when no room is left
 * for it, the wait reports the status with a generic message). */
static void keep_error(const ldg_djob *j, size_t i, const decc_err *e) {
  if ((j->errs[i] = decc_malloc(sizeof *e)) != NULL)
    *j->errs[i] = *e;
}

/* For a decoded call to the hub, recovers the signatures the call will
 * verify (PoCo's matchOrders, contributeAndFinalize): they are pure
 * functions of the transaction's bytes, so computing them here, on any
 * thread, gives what execution would compute in order. */
static void presign(const ldg_djob *j, ldg_rawtx *t) {
  if (!decc_address_eq(&t->to, &j->l->addr.hub))
    return;
  decc_poco_sigcheck pre[LDG_PRESIG_MAX];
  size_t n = decc_poco_call_signatures(pre, LDG_PRESIG_MAX, j->l->domain_sep,
                                       &t->from, t->tx.data, t->tx.data_len);
  /* out of memory: no entries, and execution recovers and hashes them
   * itself (the same results, computed later) */
  if (n == 0 || !(t->pre = decc_malloc(n * sizeof *t->pre)))
    return;
  for (size_t k = 0; k < n; k++) {
    /* an order is often matched again and again (an app or workerpool
     * order of large volume): its signer is remembered; the rest (an
     * authorization, signed for one task) is recovered each time */
    if (pre[k].order.set)
      ldg_sigcache_recover(j->l->sc, &pre[k]);
    else
      decc_poco_sigcheck_recover(&pre[k]);
    t->pre[k] = pre[k];
  }
  t->n_pre = n;
}

/* Publishes slot i's status s. With a pool, under p->mu: a thread that
 * sees done[i] under mu sees the slot's bytes, written before. */
static void publish(ldg_djob *j, size_t i, decc_status s) {
  ldg_pool *p = j->p;
  if (p)
    pthread_mutex_lock(&p->mu);
  j->st[i] = s;
  j->done[i] = 1;
  if (p) {
    j->busy--;
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->mu);
  }
}

/* Decodes raw[first .. first + k) (k <= LDG_GROUP) into their slots and
 * publishes each as soon as it is done, in index order: parses them all,
 * hashes their signing payloads and raw bytes together, then recovers
 * each. The slots are this thread's (claimed, counted busy when pooled);
 * called without p->mu. */
static void decode_group(ldg_djob *j, size_t first, size_t k) {
  decc_buf pay[LDG_GROUP];
  const uint8_t *msg[2 * LDG_GROUP] = {0};
  size_t mlen[2 * LDG_GROUP] = {0}, m = 0;
  uint8_t h[2 * LDG_GROUP][32];
  decc_status st[LDG_GROUP];
  decc_err e;
  for (size_t q = 0; q < k; q++) {
    size_t i = first + q;
    decc_buf_init(&pay[q], 0);
    decc_err_clear(&e);
    st[q] = raw_parse(j->l->chain_id, j->raw[i], j->lens[i], &j->tx[i], &pay[q],
                      &e);
    if (st[q] != DECC_OK) {
      keep_error(j, i, &e);
      continue;
    }
    msg[m] = pay[q].data, mlen[m++] = pay[q].len;
    msg[m] = j->raw[i], mlen[m++] = j->lens[i];
  }
  decc_keccak256_many(h, msg, mlen, m);
  m = 0;
  for (size_t q = 0; q < k; q++) {
    size_t i = first + q;
    if (st[q] == DECC_OK) {
      decc_err_clear(&e);
      st[q] = raw_finish(&j->tx[i], h[m], h[m + 1], &e);
      m += 2;
      if (st[q] != DECC_OK)
        keep_error(j, i, &e);
      else
        presign(j, &j->tx[i]);
    }
    decc_buf_clear(&pay[q]);
    publish(j, i, st[q]);
  }
}

/* Claims the next group of j's slots (called and returns with p->mu
 * held), then decodes and publishes them. */
static void run_claimed(ldg_djob *j) {
  ldg_pool *p = j->p;
  size_t first = j->next;
  size_t k = j->n - first < LDG_GROUP ? j->n - first : LDG_GROUP;
  j->next += k;
  j->busy += k;
  pthread_mutex_unlock(&p->mu);
  decode_group(j, first, k);
  pthread_mutex_lock(&p->mu);
}

static void *pool_worker(void *arg) {
  ldg_pool *p = arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    ldg_djob *j = NULL;
    if (p->cur && p->cur->next < p->cur->n)
      j = p->cur;
    for (size_t k = 0; !j && k < p->n_prep; k++)
      if (p->prep[k]->next < p->prep[k]->n)
        j = p->prep[k];
    if (!j) {
      if (p->quit)
        break;
      pthread_cond_wait(&p->work, &p->mu);
      continue;
    }
    run_claimed(j);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* l's pool, started at the first call: one thread per online core but
 * the caller's. NULL on one core or when no thread could start (then
 * batches are decoded by the caller alone; not an error). */
static ldg_pool *pool_get(decc_ledger *l) {
  if (l->pool || l->pool_off)
    return l->pool;
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  size_t want = cores > 1 ? (size_t)cores - 1 : 0;
  if (want > LDG_DECODE_THREADS)
    want = LDG_DECODE_THREADS;
  ldg_pool *p = want ? decc_calloc(1, sizeof *p) : NULL;
  if (!p) {
    l->pool_off = 1;
    return NULL;
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->work, NULL);
  pthread_cond_init(&p->done, NULL);
  for (; p->nth < want; p->nth++)
    if (pthread_create(&p->th[p->nth], NULL, pool_worker, p) != 0)
      break;
  if (p->nth == 0) {
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    decc_free(p);
    l->pool_off = 1;
    return NULL;
  }
  l->pool = p;
  return p;
}

static void job_free(ldg_djob *j) {
  decc_free(j->tx);
  decc_free(j->st);
  decc_free(j->errs);
  decc_free(j->done);
  decc_free(j->own);
  decc_free(j->own_raw);
  decc_free(j->own_lens);
  decc_free(j);
}

/* A job whose arrays hold cap slots (at least one); NULL when out of
 * memory. */
static ldg_djob *job_alloc(size_t cap) {
  ldg_djob *j = decc_calloc(1, sizeof *j);
  if (!j)
    return NULL;
  j->cap = cap ? cap : 1;
  j->tx = decc_calloc(j->cap, sizeof *j->tx);
  j->st = decc_calloc(j->cap, sizeof *j->st);
  j->errs = decc_calloc(j->cap, sizeof *j->errs);
  j->done = decc_calloc(j->cap, 1);
  j->own_raw = decc_calloc(j->cap, sizeof *j->own_raw);
  j->own_lens = decc_calloc(j->cap, sizeof *j->own_lens);
  if (!j->tx || !j->st || !j->errs || !j->done || !j->own_raw || !j->own_lens) {
    job_free(j);
    return NULL;
  }
  return j;
}

/* A job over raw[0..n) (not copied) with every slot initialized, reused
 * from l's spares when one is large enough; NULL when out of memory. Not
 * yet visible to the pool. */
static ldg_djob *job_new(const decc_ledger *l, const uint8_t *const *raw,
                         const size_t *lens, size_t n) {
  ldg_pool *p = l->pool;
  ldg_djob *j = NULL;
  for (size_t k = 0; p && k < p->n_spare; k++)
    if (p->spare[k]->cap >= n) {
      j = p->spare[k];
      p->spare[k] = p->spare[--p->n_spare];
      break;
    }
  if (!j && !(j = job_alloc(n)))
    return NULL;
  j->l = l;
  j->p = NULL;
  j->raw = raw;
  j->lens = lens;
  j->n = n;
  j->next = j->busy = 0;
  memset(j->tx, 0, n * sizeof *j->tx);
  memset(j->st, 0, n * sizeof *j->st);
  memset(j->errs, 0, n * sizeof *j->errs);
  memset(j->done, 0, n);
  for (size_t i = 0; i < n; i++)
    decc_tx_init(&j->tx[i].tx);
  return j;
}

/* Whether prepared job j holds exactly raw[0..n). */
static int job_matches(const ldg_djob *j, const uint8_t *const *raw,
                       const size_t *lens, size_t n) {
  if (j->n != n)
    return 0;
  for (size_t i = 0; i < n; i++) {
    if (j->lens[i] != lens[i] || (j->raw[i] == NULL) != (raw[i] == NULL))
      return 0;
    if (raw[i] && lens[i] && memcmp(j->raw[i], raw[i], lens[i]))
      return 0;
  }
  return 1;
}

ldg_djob *ldg_djob_begin(decc_ledger *l, const uint8_t *const *raw,
                         const size_t *lens, size_t n) {
  ldg_pool *p = n >= LDG_DECODE_MIN ? pool_get(l) : l->pool;
  /* (the list is the owner's: read here without the lock) */
  for (size_t k = 0; p && k < p->n_prep; k++) {
    if (!job_matches(p->prep[k], raw, lens, n))
      continue;
    /* handed over ahead: take its slots (decoded or not) as they are;
     * the batches handed over before it were passed over by the stream */
    while (k-- > 0)
      ldg_djob_end(p->prep[0]);
    pthread_mutex_lock(&p->mu);
    ldg_djob *j = p->prep[0];
    memmove(&p->prep[0], &p->prep[1], (p->n_prep - 1) * sizeof p->prep[0]);
    p->n_prep--;
    p->cur = j;
    pthread_mutex_unlock(&p->mu);
    l->prep_taken++;
    return j;
  }
  ldg_djob *j = job_new(l, raw, lens, n);
  if (j && p && n >= LDG_DECODE_MIN) {
    j->p = p;
    pthread_mutex_lock(&p->mu);
    p->cur = j;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
  }
  return j;
}

decc_status ldg_djob_wait(ldg_djob *j, size_t i, const ldg_rawtx **t,
                          decc_err *err) {
  ldg_pool *p = j->p;
  decc_status s;
  if (!p) {
    /* alone, in order: this slot and the few after it (hashed together) */
    if (!j->done[i])
      decode_group(j, i, j->n - i < LDG_GROUP ? j->n - i : LDG_GROUP);
    s = j->st[i];
  } else {
    pthread_mutex_lock(&p->mu);
    while (!j->done[i]) {
      if (j->next < j->n) {
        run_claimed(j);
      } else {
        pthread_cond_wait(&p->done, &p->mu);
      }
    }
    s = j->st[i];
    pthread_mutex_unlock(&p->mu);
  }
  if (t)
    *t = &j->tx[i];
  if (s != DECC_OK && err) {
    if (j->errs[i])
      *err = *j->errs[i];
    else
      decc_err_set(err, s, "undecodable transaction (no memory for details)");
  }
  return s;
}

/* Stops claiming j's slots, waits for the ones being decoded and takes j
 * out of the pool's view. */
static void job_detach(ldg_djob *j) {
  ldg_pool *p = j->p;
  if (!p)
    return;
  pthread_mutex_lock(&p->mu);
  j->next = j->n;
  while (j->busy)
    pthread_cond_wait(&p->done, &p->mu);
  if (p->cur == j)
    p->cur = NULL;
  for (size_t k = 0; k < p->n_prep; k++)
    if (p->prep[k] == j) {
      memmove(&p->prep[k], &p->prep[k + 1],
              (p->n_prep - k - 1) * sizeof p->prep[0]);
      p->n_prep--;
      break;
    }
  pthread_mutex_unlock(&p->mu);
}

void ldg_djob_end(ldg_djob *j) {
  if (!j)
    return;
  job_detach(j);
  for (size_t k = 0; k < j->n; k++)
    ldg_raw_clear(&j->tx[k]);
  for (size_t k = 0; k < j->n; k++)
    decc_free(j->errs[k]);
  ldg_pool *p = j->l->pool;
  if (p && p->n_spare < LDG_SPARES && j->cap <= LDG_SPARE_SLOTS)
    p->spare[p->n_spare++] = j;
  else
    job_free(j);
}

decc_status decc_ledger_prepare_raw(decc_ledger *l, const uint8_t *const *raw,
                                    const size_t *lens, size_t n,
                                    decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(raw != NULL || n == 0);
  DECC_ARG_CHECK(lens != NULL || n == 0);
  if (n > DECC_LEDGER_MAX_BATCH)
    return decc_err_set(err, DECC_E_LIMIT, "ledger: batch of %zu transactions",
                        n);
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (raw[i] && lens[i] > DECC_TX_MAX_SIZE)
      return decc_err_set(err, DECC_E_LIMIT,
                          "ledger: transaction %zu: %zu bytes (at most %u)", i,
                          lens[i], DECC_TX_MAX_SIZE);
    total += raw[i] ? lens[i] : 0;
  }
  ldg_pool *p = pool_get(l);
  if (p && p->n_prep == LDG_PREP_MAX)
    ldg_djob_end(p->prep[0]); /* no room: the oldest goes */
  if (!p || n < LDG_DECODE_MIN)
    return DECC_OK; /* nothing to run ahead on: the submit decodes it */
  ldg_djob *j = job_new(l, NULL, NULL, n);
  if (j && j->own_cap < total) {
    uint8_t *own = decc_realloc(j->own, total);
    if (own) {
      j->own = own;
      j->own_cap = total;
    }
  }
  if (!j || j->own_cap < total) {
    if (j)
      ldg_djob_end(j);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    j->own_lens[i] = lens[i];
    j->own_raw[i] = NULL;
    if (raw[i]) {
      if (lens[i])
        memcpy(j->own + off, raw[i], lens[i]);
      j->own_raw[i] = j->own + off;
      off += lens[i];
    }
  }
  j->raw = j->own_raw;
  j->lens = j->own_lens;
  j->p = p;
  pthread_mutex_lock(&p->mu);
  p->prep[p->n_prep++] = j;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mu);
  return DECC_OK;
}

void ldg_pool_free(decc_ledger *l) {
  ldg_pool *p = l->pool;
  if (!p)
    return;
  while (p->n_prep)
    ldg_djob_end(p->prep[0]);
  pthread_mutex_lock(&p->mu);
  p->quit = 1;
  pthread_cond_broadcast(&p->work);
  pthread_mutex_unlock(&p->mu);
  for (size_t k = 0; k < p->nth; k++)
    pthread_join(p->th[k], NULL);
  while (p->n_spare)
    job_free(p->spare[--p->n_spare]);
  pthread_cond_destroy(&p->done);
  pthread_cond_destroy(&p->work);
  pthread_mutex_destroy(&p->mu);
  decc_free(p);
  l->pool = NULL;
}
