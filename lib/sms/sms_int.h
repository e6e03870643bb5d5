/*
 * sms_int.h — what the SMS files share (sms.c, sms_secrets.c,
 * sms_nonce.c, sms_session.c, sms_release.c, sms_bulk.c, sms_http.c,
 * sms_client.c): the service's state and its helpers; not part of the
 * public API.
 */
#ifndef DECC_SMS_INT_H
#define DECC_SMS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "decc/common.h"

/* ---- bulk processing (sms_bulk.c) ---- */

#include "decc/order.h"
#include "decc/sms.h"
#include "decc/store.h"

/* Most dataset orders in one bulk slice (the iexec SDK's
 * MAX_DATASET_PER_TASK). */
#define DECC_SMS_BULK_SLICE_MAX 100

/* One dataset order of a bulk slice and the SMS's verdict on it. */
typedef struct decc__sms_bulk_item {
  decc_order order; /* DECC_ORDER_DATASET */
  int ok;           /* 1: compatible with the deal: its key may go out */
  char reason[200]; /* why not (addresses and PoCo reasons, no secret) */
} decc__sms_bulk_item;

/* Reads slice slice_index of the bulk root bulk_cid and parses its dataset
 * orders (ok = 0 until checked). The files are read from a block source,
 * get(get_ud, …) (the SMS passes decc_blockstore_get and its store; the
 * fuzz target an in-memory map), through the exporter, which re-hashes
 * every block against its CID; when get is NULL, from the Kubo RPC at
 * api_url (blocks verified the same way); both NULL: DECC_E_UNSUPPORTED.
 * Out: *items (decc__sms_bulk_free), *n ≥ 1. Returns: DECC_OK;
 * DECC_E_PARSE / DECC_E_INVALID / DECC_E_LIMIT (malformed or oversized
 * root or slice, no such slice: err says which); the source's errors
 * (DECC_E_NOT_FOUND, DECC_E_CORRUPT…, err naming the root or slice). */
decc_status decc__sms_bulk_load(decc_block_get_fn get, void *get_ud,
                                const char *api_url, const char *bulk_cid,
                                uint64_t slice_index,
                                decc__sms_bulk_item **items, size_t *n,
                                decc_err *err);
void decc__sms_bulk_free(decc__sms_bulk_item *items, size_t n);
/* Judges one item against the deal (iexec-sms's order: the dataset is
 * registered, assertDatasetDealCompatibility, volume ≥ 2^53 - 2): sets
 * it->ok, or it->reason. */
void decc__sms_bulk_check(const decc_sms_chain_view *cv,
                          decc__sms_bulk_item *it, const uint8_t deal[32]);

/* ---- the service's state, shared by its files ---- */

#include <pthread.h>

#include "decc/buf.h"
#include "decc/dcap.h"
#include "decc/receipts.h"
#include "decc/session.h"

/* Enclave key record: secp256k1 key ‖ u64be(expiry). */
#define ENCLAVE_REC_LEN 40

/* A nonce this SMS accepted in a session request, remembered until it
 * expires so that it is accepted once only. */
typedef struct decc__sms_nonce_slot {
  uint8_t task[32];
  uint8_t nonce[32];
  uint64_t expires;
} decc__sms_nonce_slot;

/* Attestation nonce layout (32 bytes, decc-specific):
 * u64be(expiry) ‖ 8 random bytes ‖ the first 16 bytes of
 * HMAC-SHA256(nonce_key, NONCE_TAG ‖ taskId ‖ the first 16 bytes). */
#define NONCE_TAG "DECC-SMS-NONCE-V1"

struct decc_sms {
  decc_vault *vault;
  decc_address *trusted;
  size_t n_trusted;
  decc_sms_chain_view chain;
  decc_sms_config cfg;
  pthread_mutex_t nonce_mu;
  decc__sms_nonce_slot *nonces; /* used nonces (replay guard), max_nonces */
  size_t n_nonces;
  struct decc__sms_nonce_ix *nonce_ix; /* index over nonces (sms_nonce.c) */
  uint8_t *nonce_key;         /* 32 bytes, secure memory, random per process */
  pthread_mutex_t enclave_mu; /* get-or-create of enclave keys */
  /* hardware quotes (NULL policy: refused) */
  decc_dcap_policy *dcap_policy;
  decc_dcap_verifier *dcap_verifier;
  char *dcap_collateral; /* JSON text, parsed per request (thread-free) */
  char *pccs_url, *pccs_cache_dir;
  decc_rcpt_store *receipts; /* per-use receipts and grant policies */
};

/* Wall clock (unix seconds): the configured clock, else time(). */
uint64_t decc__sms_wall_now(decc_sms *s);
/* One log line (cfg.log), never a secret value. */
void decc__sms_log(decc_sms *s, const char *fmt, ...) DECC_PRINTF(2, 3);
/* Records a refusal: *code_out = code, err = the message, one log line,
 * the observe callback. Returns st. */
decc_status decc__sms_refuse(decc_sms *s, const char **code_out,
                             const char *code, decc_status st, decc_err *err,
                             const char *what, const char *fmt, ...)
    DECC_PRINTF(7, 8);
/* Task ACTIVE, before its final deadline, deal readable, TEE tag of the
 * framework served here (sms.c). Fills task and deal (clear deal). */
decc_status decc__sms_check_execution(decc_sms *s, const uint8_t taskid[32],
                                      decc_sms_task *task, decc_sms_deal *deal,
                                      const char **code, decc_err *err,
                                      const char *what);
/* The task's enclave challenge key if it exists and has not expired at
 * chain_now (sms_nonce.c). Out: *addr, sk32. Returns: DECC_OK,
 * DECC_E_NOT_FOUND, the vault's errors. */
decc_status decc__sms_enclave_key_load(decc_sms *s, const char *task_hex,
                                       uint64_t chain_now, decc_address *addr,
                                       uint8_t *sk32, decc_err *err);
/* Consumes an attestation nonce for the task (sms_nonce.c). Returns:
 * DECC_OK; DECC_E_TIMEOUT (expired); DECC_E_LIMIT (too many sessions);
 * another status when it was not issued here for the task or was used. */
decc_status decc__sms_consume_nonce(decc_sms *s, const uint8_t taskid[32],
                                    const uint8_t nonce[32]);

/* What one session document is built from (sms_session.c). */
typedef struct decc__sms_session_ctx {
  const decc_sms_session_request *r;
  const decc_sms_deal *deal;
  const decc_sms_asset *app;
  const uint8_t *enclave_sk;
  const char *session_id;
  uint8_t *arena; /* decc__sms_arena_take: secure memory for the secrets */
  decc__sms_bulk_item *bulk; /* bulk deals: the task's slice, judged */
  size_t n_bulk;
  const char *purpose; /* the grant policy's purpose, or NULL */
} decc__sms_session_ctx;
/* The calling thread's secret arena (NULL on OOM) and its return (wiped). */
uint8_t *decc__sms_arena_take(void);
void decc__sms_arena_give(uint8_t *a);
/* Reads what the deal entitles the enclave to and writes the session
 * document to b. Refusals as decc__sms_refuse. */
decc_status decc__sms_build_session(decc_sms *s, const decc__sms_session_ctx *c,
                                    const decc_deal_params *p, decc_buf *b,
                                    const char **code, decc_err *err,
                                    const char *what);

#endif
