/*
 * sigcache.c — order signers already recovered, kept by (digest,
 * signature), so that an order matched again is not recovered again.
 *
 * Why: PoCo checks every order's signature at every matchOrders, and the
 * orders most matched are the same bytes each time: an app order or a
 * workerpool order is published once with a large volume and matched by
 * deal after deal (bench_ledger's life cycles match one app order and one
 * workerpool order 1,200 times). A secp256k1 recovery is ~40 µs of CPU,
 * the largest single cost of a transaction (docs/internals/performance.md).
 *
 * Correctness does not depend on what is cached or when it is dropped: an
 * entry is the output of decc_poco_sigcheck_recover for exactly its digest
 * and signature bytes, a pure function of them, and it is used only for a
 * byte-identical (digest, signature). The owner the signer must equal is
 * read from the state at execution, as before: a transferred app makes a
 * cached signer fail the check exactly as a fresh recovery would. So
 * state, receipts and hashes are the same with or without it.
 *
 * Bounded and shared: SC_SLOTS direct-mapped slots per ledger handle, the
 * slot chosen by the digest's first bytes, under one mutex (the decoding
 * threads of rawtx.c look up and fill it at once). One-off signatures
 * (a request order of volume 1) must not push out the orders matched over
 * and over, so each slot keeps a small score, raised by every hit and
 * lowered by every other signature that lands on the slot; a signature
 * takes the slot only when the score is down to zero.
 */
#include <pthread.h>
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

#define SC_SLOTS 512
#define SC_SCORE_MAX 3

typedef struct sc_slot {
  uint8_t used;
  uint8_t score;
  uint8_t sig_len;
  uint8_t hash[32];
  uint8_t sig[65];
  decc_address signer;
} sc_slot;

struct ldg_sigcache {
  pthread_mutex_t mu;
  uint64_t hits, misses; /* under mu; for tests and the benchmark */
  sc_slot slot[SC_SLOTS];
};

ldg_sigcache *ldg_sigcache_new(void) {
  ldg_sigcache *c = decc_calloc(1, sizeof *c);
  if (c && pthread_mutex_init(&c->mu, NULL) != 0) {
    decc_free(c);
    return NULL;
  }
  return c;
}

void ldg_sigcache_free(ldg_sigcache *c) {
  if (!c)
    return;
  pthread_mutex_destroy(&c->mu);
  decc_free(c);
}

static sc_slot *slot_of(ldg_sigcache *c, const uint8_t hash[32]) {
  return &c->slot[((size_t)hash[0] << 8 | hash[1]) % SC_SLOTS];
}

static int same(const sc_slot *s, const decc_poco_sigcheck *k) {
  return s->used && s->sig_len == k->sig_len && !memcmp(s->hash, k->hash, 32) &&
         !memcmp(s->sig, k->sig, k->sig_len);
}

void ldg_sigcache_recover(ldg_sigcache *c, decc_poco_sigcheck *k) {
  if (!c || k->sig_len > sizeof c->slot[0].sig) {
    decc_poco_sigcheck_recover(k);
    return;
  }
  sc_slot *s = slot_of(c, k->hash);
  pthread_mutex_lock(&c->mu);
  if (same(s, k)) {
    k->signer = s->signer;
    k->recovered = 1;
    if (s->score < SC_SCORE_MAX)
      s->score++;
    c->hits++;
    pthread_mutex_unlock(&c->mu);
    return;
  }
  c->misses++;
  pthread_mutex_unlock(&c->mu);
  decc_poco_sigcheck_recover(k); /* outside the lock: the other threads
                                    keep looking up meanwhile */
  if (!k->recovered)
    return; /* not an answer (out of memory): nothing to remember */
  pthread_mutex_lock(&c->mu);
  if (same(s, k)) {
    /* another thread recovered it meanwhile */
  } else if (s->used && s->score > 0) {
    s->score--;
  } else {
    s->used = 1;
    s->score = 0;
    s->sig_len = (uint8_t)k->sig_len;
    memcpy(s->hash, k->hash, 32);
    memcpy(s->sig, k->sig, k->sig_len);
    s->signer = k->signer;
  }
  pthread_mutex_unlock(&c->mu);
}

void ldg_sigcache_stats(ldg_sigcache *c, uint64_t *hits, uint64_t *misses) {
  *hits = *misses = 0;
  if (!c)
    return;
  pthread_mutex_lock(&c->mu);
  *hits = c->hits;
  *misses = c->misses;
  pthread_mutex_unlock(&c->mu);
}
