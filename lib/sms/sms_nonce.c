/*
 * sms_nonce.c — the per-task enclave challenge keys (get-or-create in the
 * vault, expiring at the task's final deadline) and decc's attestation
 * nonces (stateless MAC'd issue, single-use consumption under a bounded
 * replay guard).
 */
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/cid.h"
#include "decc/dcap.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "decc/result.h"
#include "decc/session.h"
#include "decc/sms.h"
#include "decc/sms_auth.h"
#include "sms/sms_int.h"

/* ---- enclave challenge keys ------------------------------------------------ */

static uint64_t be64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* Loads the task's enclave key. Out: address, and (when sk32 != NULL) the
 * private key. An expired key is deleted and reported as absent.
 * Returns: DECC_OK, DECC_E_NOT_FOUND, vault errors. */
decc_status decc__sms_enclave_key_load(decc_sms *s, const char *task_hex,
                                       uint64_t chain_now, decc_address *addr,
                                       uint8_t *sk32, decc_err *err) {
  decc_status st =
      decc_vault_find_owner(s->vault, DECC_SECRET_ENCLAVE, task_hex, addr, err);
  if (st)
    return st;
  uint8_t rec[ENCLAVE_REC_LEN + 1];
  size_t n = 0;
  st = decc_vault_get_into(s->vault, DECC_SECRET_ENCLAVE, addr, task_hex, rec,
                           sizeof rec, &n, err);
  if (st == DECC_E_LIMIT || (!st && n != ENCLAVE_REC_LEN)) {
    decc_memzero(rec, sizeof rec);
    return decc_err_set(err, DECC_E_CORRUPT, "enclave key record corrupt");
  }
  if (st)
    return st;
  if (chain_now >= be64(rec + 32)) {
    decc_memzero(rec, sizeof rec);
    if (decc_vault_delete(s->vault, DECC_SECRET_ENCLAVE, addr, task_hex,
                          NULL) == DECC_OK)
      decc__sms_log(s, "sms: deleted expired enclave challenge of task %s",
                    task_hex);
    return decc_err_set(err, DECC_E_NOT_FOUND, "enclave challenge expired");
  }
  if (sk32)
    memcpy(sk32, rec, 32);
  decc_memzero(rec, sizeof rec);
  return DECC_OK;
}

decc_status decc_sms_enclave_challenge(decc_sms *s, const uint8_t taskid[32],
                                       const char *authorization,
                                       decc_address *enclave, const char **code,
                                       decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(taskid != NULL);
  DECC_ARG_CHECK(enclave != NULL);
  char th[DECC_HEX32_LEN], what[100];
  decc_hex_encode(th, taskid, 32, 1);
  snprintf(what, sizeof what, "enclave challenge for task %s", th);
  if (code)
    *code = NULL;
  decc_sms_task task;
  decc_sms_deal deal;
  decc_status st =
      decc__sms_check_execution(s, taskid, &task, &deal, code, err, what);
  if (st)
    return st;
  uint8_t h[32];
  decc_sms_authorization_hash(h, NULL, taskid, NULL);
  decc_err e2;
  st = decc_sms_check_signature(authorization, h, &deal.workerpool_owner, &e2);
  decc_sms_deal_clear(&deal);
  if (st)
    return decc__sms_refuse(
        s, code, "EXECUTION_NOT_AUTHORIZED_INVALID_SIGNATURE", st, err, what,
        "not signed by the deal's workerpool owner: %s", e2.msg);
  uint64_t now = 0;
  if ((st = s->chain.now(s->chain.ctx, &now, &e2)))
    return decc__sms_refuse(s, code, "CHAIN_ERROR", st, err, what, "%s",
                            e2.msg);
  pthread_mutex_lock(&s->enclave_mu);
  st = decc__sms_enclave_key_load(s, th, now, enclave, NULL, &e2);
  if (st == DECC_E_NOT_FOUND) {
    uint8_t *rec = decc_secure_alloc(ENCLAVE_REC_LEN);
    if (!rec)
      st = decc_err_set(&e2, DECC_E_NOMEM, "out of memory");
    else {
      st = decc_privkey_generate(rec);
      if (!st)
        st = decc_address_from_privkey(enclave, rec);
      for (int i = 0; i < 8; i++)
        rec[32 + i] = (uint8_t)(task.final_deadline >> (56 - 8 * i));
      if (!st)
        st = decc_vault_put(s->vault, DECC_SECRET_ENCLAVE, enclave, th, rec,
                            ENCLAVE_REC_LEN, 0, &e2);
      else
        decc_err_set(&e2, st, "key generation failed");
      decc_secure_free(rec);
      if (!st) {
        char a[DECC_ADDRESS_HEX_LEN];
        decc__sms_log(s, "sms: created enclave challenge %s for task %s",
                      decc_address_to_checksum(a, enclave), th);
      }
    }
  }
  pthread_mutex_unlock(&s->enclave_mu);
  if (st)
    return decc__sms_refuse(s, code, "ENCLAVE_CHALLENGE_GENERATION_FAILED", st,
                            err, what, "%s", e2.msg);
  return DECC_OK;
}

/* ---- attestation nonces ----------------------------------------------------
 *
 * Issuing a nonce keeps no state, so there is nothing an outsider can
 * exhaust (task ids are public and issuing needs no signature): a nonce is
 * its expiry, random bytes and a MAC under a key only this SMS process
 * holds, binding both to the task. A session request's nonce is checked
 * (MAC, task, expiry) and then remembered until it expires, which makes it
 * single-use; only requests that already passed the worker authorization
 * and the platform's quote signature get that far, so only an authorized,
 * attested enclave can fill that memory. The key is random per process:
 * nonces outstanding across a restart are refused (the worker asks again). */

static void nonce_mac(const decc_sms *s, const uint8_t taskid[32],
                      const uint8_t head16[16], uint8_t mac16[16]) {
  crypto_auth_hmacsha256_state st;
  uint8_t full[32];
  crypto_auth_hmacsha256_init(&st, s->nonce_key, 32);
  crypto_auth_hmacsha256_update(&st, (const uint8_t *)NONCE_TAG,
                                sizeof NONCE_TAG - 1);
  crypto_auth_hmacsha256_update(&st, taskid, 32);
  crypto_auth_hmacsha256_update(&st, head16, 16);
  crypto_auth_hmacsha256_final(&st, full);
  memcpy(mac16, full, 16);
  decc_memzero(full, sizeof full);
  decc_memzero(&st, sizeof st);
}

static uint64_t be64_get(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++)
    v = v << 8 | p[i];
  return v;
}

/* Index of the used nonces. A release used to scan every remembered nonce
 * twice under nonce_mu (purge, then replay and per-task count): up to
 * max_nonces (8192) entries per release, serialising concurrent releases,
 * and growing with the nonces used. Two open-addressing tables over the
 * slots of s->nonces (load <= 1/2) make it O(1): ix finds a (task, nonce)
 * pair, tix counts a task's nonces. The purge, which compacts s->nonces and
 * rebuilds both, runs only once the earliest expiry has passed. */
typedef struct nonce_task {
  uint32_t slot1; /* 1 + a slot of this task; 0 = empty */
  uint32_t count;
} nonce_task;

/* One allocation (the header, then tix, then ix), so that decc_sms_destroy
 * frees it with decc_free without calling into this file (sms.c does not
 * depend on sms_nonce.c, which uses sms.c's execution checks). */
struct decc__sms_nonce_ix {
  size_t mask;  /* table size - 1 (a power of two) */
  uint32_t *ix; /* 1 + slot; 0 = empty */
  nonce_task *tix;
  uint64_t min_exp; /* earliest expiry among the slots (UINT64_MAX: none) */
};

/* A table position from 8 bytes (the MAC part of a nonce, the head of a
 * task id); the mix spreads ids that share their low bytes. */
static size_t ix_hash(const uint8_t *p, size_t mask) {
  uint64_t v;
  memcpy(&v, p, 8);
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdull;
  v ^= v >> 33;
  return (size_t)v & mask;
}

static nonce_task *ix_task(const decc_sms *s, const uint8_t task[32]) {
  struct decc__sms_nonce_ix *x = s->nonce_ix;
  size_t h = ix_hash(task, x->mask);
  while (x->tix[h].slot1 &&
         memcmp(s->nonces[x->tix[h].slot1 - 1].task, task, 32))
    h = (h + 1) & x->mask;
  return &x->tix[h]; /* this task's entry, or the empty one to fill */
}

static void ix_add(decc_sms *s, size_t slot) {
  struct decc__sms_nonce_ix *x = s->nonce_ix;
  const decc__sms_nonce_slot *n = &s->nonces[slot];
  size_t h = ix_hash(n->nonce + 16, x->mask);
  while (x->ix[h])
    h = (h + 1) & x->mask;
  x->ix[h] = (uint32_t)slot + 1;
  nonce_task *t = ix_task(s, n->task);
  if (!t->slot1)
    t->slot1 = (uint32_t)slot + 1;
  t->count++;
  if (n->expires < x->min_exp)
    x->min_exp = n->expires;
}

static int ix_seen(const decc_sms *s, const uint8_t task[32],
                   const uint8_t nonce[32]) {
  const struct decc__sms_nonce_ix *x = s->nonce_ix;
  for (size_t h = ix_hash(nonce + 16, x->mask); x->ix[h];
       h = (h + 1) & x->mask) {
    const decc__sms_nonce_slot *n = &s->nonces[x->ix[h] - 1];
    /* public freshness tokens: a plain comparison is enough */
    if (!memcmp(n->nonce, nonce, 32) && !memcmp(n->task, task, 32))
      return 1;
  }
  return 0;
}

/* Allocates the index on first use (caller holds nonce_mu). */
static decc_status ix_ensure(decc_sms *s) {
  if (s->nonce_ix)
    return DECC_OK;
  if (s->cfg.max_nonces > ((size_t)1 << 30))
    return DECC_E_NOMEM; /* (slots are 32-bit; such a table never fits) */
  size_t cap = 16;
  while (cap < 2 * s->cfg.max_nonces)
    cap *= 2;
  struct decc__sms_nonce_ix *x =
      decc_calloc(1, sizeof *x + cap * (sizeof *x->tix + sizeof *x->ix));
  if (!x)
    return DECC_E_NOMEM;
  x->tix = (nonce_task *)(x + 1);
  x->ix = (uint32_t *)(x->tix + cap);
  x->mask = cap - 1;
  x->min_exp = UINT64_MAX;
  s->nonce_ix = x;
  for (size_t i = 0; i < s->n_nonces; i++)
    ix_add(s, i);
  return DECC_OK;
}

/* Drops expired used nonces and rebuilds the index, once the earliest
 * expiry has passed (caller holds nonce_mu; the index exists). */
static void purge_nonces(decc_sms *s, uint64_t now) {
  struct decc__sms_nonce_ix *x = s->nonce_ix;
  if (now < x->min_exp)
    return;
  size_t j = 0;
  for (size_t i = 0; i < s->n_nonces; i++)
    if (s->nonces[i].expires > now)
      s->nonces[j++] = s->nonces[i];
  if (j < s->n_nonces)
    decc_memzero(&s->nonces[j], (s->n_nonces - j) * sizeof *s->nonces);
  s->n_nonces = j;
  memset(x->ix, 0, (x->mask + 1) * sizeof *x->ix);
  memset(x->tix, 0, (x->mask + 1) * sizeof *x->tix);
  x->min_exp = UINT64_MAX;
  for (size_t i = 0; i < s->n_nonces; i++)
    ix_add(s, i);
}

decc_status decc_sms_attestation_nonce(decc_sms *s, const uint8_t taskid[32],
                                       uint8_t nonce32[32],
                                       uint64_t *expires_at, const char **code,
                                       decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(taskid != NULL);
  DECC_ARG_CHECK(nonce32 != NULL);
  char th[DECC_HEX32_LEN], what[100];
  decc_hex_encode(th, taskid, 32, 1);
  snprintf(what, sizeof what, "attestation nonce for task %s", th);
  if (code)
    *code = NULL;
  decc_sms_task task;
  decc_sms_deal deal;
  decc_status st =
      decc__sms_check_execution(s, taskid, &task, &deal, code, err, what);
  if (st)
    return st;
  decc_sms_deal_clear(&deal);
  uint64_t expires = decc__sms_wall_now(s) + s->cfg.nonce_ttl_s;
  for (int i = 0; i < 8; i++)
    nonce32[i] = (uint8_t)(expires >> (56 - 8 * i));
  if (decc_random_bytes(nonce32 + 8, 8) != DECC_OK)
    return decc__sms_refuse(s, code, "NONCE_GENERATION_FAILED", DECC_E_CRYPTO,
                            err, what, "no randomness");
  nonce_mac(s, taskid, nonce32, nonce32 + 16);
  if (expires_at)
    *expires_at = expires;
  return DECC_OK;
}

/* Checks a session request's nonce and consumes it (single use).
 * Returns: DECC_OK; DECC_E_NOT_FOUND (not issued by this SMS process for
 * this task, or already used); DECC_E_TIMEOUT (expired); DECC_E_LIMIT
 * (too many sessions for the task, or overall, within the nonce lifetime). */
decc_status decc__sms_consume_nonce(decc_sms *s, const uint8_t taskid[32],
                                    const uint8_t nonce[32]) {
  uint8_t mac[16];
  nonce_mac(s, taskid, nonce, mac);
  if (!decc_ct_memeq(mac, nonce + 16, 16))
    return DECC_E_NOT_FOUND;
  uint64_t now = decc__sms_wall_now(s), expires = be64_get(nonce);
  if (expires <= now)
    return DECC_E_TIMEOUT;
  pthread_mutex_lock(&s->nonce_mu);
  decc_status st = ix_ensure(s);
  if (!st) {
    purge_nonces(s, now);
    if (ix_seen(s, taskid, nonce))
      st = DECC_E_NOT_FOUND; /* replayed */
    else if (ix_task(s, taskid)->count >= s->cfg.max_nonces_per_task ||
             s->n_nonces >= s->cfg.max_nonces)
      st = DECC_E_LIMIT;
  }
  if (!st) {
    decc__sms_nonce_slot *n = &s->nonces[s->n_nonces];
    memcpy(n->task, taskid, 32);
    memcpy(n->nonce, nonce, 32);
    n->expires = expires;
    ix_add(s, s->n_nonces++);
  }
  pthread_mutex_unlock(&s->nonce_mu);
  return st;
}
