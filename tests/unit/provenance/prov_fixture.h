/*
 * prov_fixture.h — a consistent provenance bundle built from scratch with
 * real keys and signatures, shared by test_provenance.c and
 * bench/bench_provenance.c: a worker's signed contributeAndFinalize with
 * an enclave signature and a workerpool authorization, the hub events
 * naming that transaction, a software quote, and a result zip made by the
 * enclave's own zipper (decc_enclave_zip_dir) under a scratch directory.
 * Static functions: include it in one translation unit.
 */
#ifndef DECC_PROV_FIXTURE_H
#define DECC_PROV_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decc/abi.h"
#include "decc/enclave.h"
#include "decc/hash.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/provenance.h"
#include "decc/tx.h"

#define CHAIN 65535u

typedef struct fixture {
  uint8_t worker_sk[32], enclave_sk[32], pool_sk[32], platform_sk[32];
  decc_address worker, enclave, pool, platform;
  uint8_t *zip;
  size_t zip_len;
  uint8_t digest[32];
  decc_prov_bundle b;
} fixture;

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

/* Whole file into a heap buffer, or NULL. */
static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0, r;
  do {
    if (n == cap) {
      cap = cap ? 2 * cap : 4096;
      uint8_t *nb = realloc(buf, cap);
      if (!nb)
        break;
      buf = nb;
    }
    r = fread(buf + n, 1, cap - n, f);
    n += r;
  } while (r);
  fclose(f);
  *len = n;
  return buf;
}

/* A result zip with computed.json naming result.txt (text = its content).
 * Out: heap zip bytes. */
static uint8_t *make_zip(const char *t, const char *text, size_t *len) {
  char dir[512], path[600], zip[600];
  static int n;
  snprintf(dir, sizeof dir, "%s/out%d", t, n++);
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/result.txt", dir);
  write_file(path, text);
  snprintf(path, sizeof path, "%s/computed.json", dir);
  write_file(path, "{\"deterministic-output-path\":\"/iexec_out/result.txt\"}");
  snprintf(zip, sizeof zip, "%s.zip", dir);
  if (decc_enclave_zip_dir(zip, dir, 1 << 20, NULL))
    return NULL;
  return read_all(zip, len);
}

static void add_event(decc_prov_bundle *b, decc_poco_event ev,
                      const uint8_t (*topics)[32], size_t nt,
                      const uint8_t *data, size_t dl, uint64_t block,
                      uint32_t logi, const uint8_t txh[32]) {
  b->events = decc_realloc(b->events, (b->n_events + 1) * sizeof *b->events);
  decc_prov_event *e = &b->events[b->n_events++];
  memset(e, 0, sizeof *e);
  const char *sig = decc_poco_event_signature(ev);
  snprintf(e->name, sizeof e->name, "%.*s", (int)strcspn(sig, "("), sig);
  e->log.address = b->hub;
  if (decc_poco_event_topic(e->log.topics[0], ev))
    return;
  for (size_t i = 0; i < nt; i++)
    memcpy(e->log.topics[i + 1], topics[i], 32);
  e->log.n_topics = nt + 1;
  if (dl) {
    e->log.data = decc_malloc(dl);
    memcpy(e->log.data, data, dl);
    e->log.data_len = dl;
  }
  e->log.block_number = block;
  memset(e->log.block_hash, (int)block, 32);
  memcpy(e->log.tx_hash, txh, 32);
  e->log.log_index = logi;
}

/* The worker's signed contributeAndFinalize; esig_sk signs the enclave
 * message (the enclave key, or another to forge). Out: raw tx + hash. */
static void make_tx(fixture *f, const uint8_t esig_sk[32],
                    const uint8_t digest[32], uint8_t **raw, size_t *len,
                    uint8_t hash[32]) {
  decc_prov_bundle *b = &f->b;
  uint8_t rh[32], rs[32], msg[32], esig[65], asig[65];
  decc_poco_result_hash(rh, b->task_id, digest);
  decc_poco_result_seal(rs, &f->worker, b->task_id, digest);
  decc_poco_enclave_message(msg, rh, rs);
  if (decc_eip191_sign(esig, esig_sk, msg, 32))
    return;
  decc_poco_authorization_message(msg, &f->worker, b->task_id, &f->enclave);
  if (decc_eip191_sign(asig, f->pool_sk, msg, 32))
    return;
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes32(&e, b->task_id);
  decc_abi_enc_push_bytes32(&e, digest);
  decc_abi_enc_push_bytes(&e, b->results, b->results_len);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  decc_abi_enc_push_address(&e, &f->enclave);
  decc_abi_enc_push_bytes(&e, esig, 65);
  decc_abi_enc_push_bytes(&e, asig, 65);
  uint8_t sel[4];
  decc_abi_selector(sel, "contributeAndFinalize(bytes32,bytes32,bytes,bytes,"
                         "address,bytes,bytes)");
  decc_buf call, rb;
  decc_buf_init(&call, 0);
  decc_buf_init(&rb, 0);
  if (decc_abi_enc_finish_call(&e, sel, &call) ||
      decc_ledger_tx_build(&rb, CHAIN, f->worker_sk, 7, &b->hub, call.data,
                           call.len, NULL))
    return;
  decc_abi_enc_clear(&e);
  decc_tx tx;
  decc_tx_init(&tx);
  if (decc_tx_parse(&tx, rb.data, rb.len, NULL) ||
      decc_tx_hash(hash, &tx, NULL))
    return;
  decc_tx_clear(&tx);
  *raw = decc_malloc(rb.len);
  memcpy(*raw, rb.data, rb.len);
  *len = rb.len;
  decc_buf_clear(&call);
  decc_buf_clear(&rb);
}

/* A consistent bundle for a TEE task whose result file is f->zip. */
static int setup_in(fixture *f, const char *tmp) {
  memset(f, 0, sizeof *f);
  memset(f->worker_sk, 0x11, 32);
  memset(f->enclave_sk, 0x22, 32);
  memset(f->pool_sk, 0x33, 32);
  memset(f->platform_sk, 0x44, 32);
  if (decc_address_from_privkey(&f->worker, f->worker_sk) ||
      decc_address_from_privkey(&f->enclave, f->enclave_sk) ||
      decc_address_from_privkey(&f->pool, f->pool_sk) ||
      decc_address_from_privkey(&f->platform, f->platform_sk))
    return -1;
  if (!(f->zip = make_zip(tmp, "42\n", &f->zip_len)))
    return -1;
  decc_sha256(f->digest, (const uint8_t *)"42\n", 3);
  decc_prov_bundle *b = &f->b;
  if (decc_prov_bundle_init(b))
    return -1;
  b->chain_id = CHAIN;
  memset(b->hub.b, 0x99, 20);
  memset(b->deal_id, 0xde, 32);
  b->task_index = 0;
  uint8_t m[64];
  memcpy(m, b->deal_id, 32);
  memset(m + 32, 0, 32);
  decc_keccak256(b->task_id, m, 64);
  b->task_status = DECC_TASK_COMPLETED;
  memcpy(b->result_digest, f->digest, 32);
  const char *link = "{ \"storage\": \"ipfs\", \"location\": \"/ipfs/Qm\" }";
  b->results_len = strlen(link);
  b->results = decc_malloc(b->results_len);
  memcpy(b->results, link, b->results_len);
  b->deal.workerpool.owner = f->pool;
  b->deal.tag[31] = 1;
  memset(b->app_checksum, 0xac, 32);
  uint8_t txh[32];
  make_tx(f, f->enclave_sk, f->digest, &b->txs[0], &b->tx_lens[0], txh);
  b->n_txs = 1;
  /* events: OrdersMatched, TaskInitialize, TaskContribute, TaskFinalize */
  uint8_t om[6 * 32];
  memset(om, 0, sizeof om);
  memcpy(om, b->deal_id, 32);
  om[191] = 1;
  uint8_t zero[32] = {0};
  add_event(b, DECC_EV_ORDERS_MATCHED, NULL, 0, om, sizeof om, 10, 0, zero);
  uint8_t tp[2][32];
  memcpy(tp[0], b->task_id, 32);
  memset(tp[1], 0, 32);
  memcpy(tp[1] + 12, f->pool.b, 20);
  add_event(b, DECC_EV_TASK_INITIALIZE, (const uint8_t(*)[32])tp, 2, NULL, 0,
            11, 0, zero);
  memset(tp[1], 0, 32);
  memcpy(tp[1] + 12, f->worker.b, 20);
  uint8_t rh[32];
  decc_poco_result_hash(rh, b->task_id, f->digest);
  add_event(b, DECC_EV_TASK_CONTRIBUTE, (const uint8_t(*)[32])tp, 2, rh, 32, 12,
            0, txh);
  decc_buf fin;
  decc_buf_init(&fin, 0);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_bytes(&e, b->results, b->results_len);
  if (decc_abi_enc_finish(&e, &fin))
    return -1;
  decc_abi_enc_clear(&e);
  add_event(b, DECC_EV_TASK_FINALIZE, (const uint8_t(*)[32])tp, 1, fin.data,
            fin.len, 12, 1, txh);
  decc_buf_clear(&fin);
  /* a software quote for this task and app */
  b->quote = decc_calloc(1, sizeof *b->quote);
  memcpy(b->quote->measurement, b->app_checksum, 32);
  memcpy(b->quote->task_id, b->task_id, 32);
  b->quote->timestamp = 1700000000;
  if (decc_quote_sign(b->quote, f->platform_sk))
    return -1;
  b->has_quote = 1;
  /* the result key's binding of the quote, as the enclave makes it */
  uint8_t bm[32];
  decc_enclave_quote_binding_message(bm, b->quote);
  if (decc_eip191_sign(b->binding, f->enclave_sk, bm, 32))
    return -1;
  b->has_binding = 1;
  decc_prov_set_result_file(b, f->zip, f->zip_len);
  return 0;
}

/* Releases what setup_in made. */
static void fixture_clear(fixture *f) {
  decc_prov_bundle_clear(&f->b);
  free(f->zip);
  f->zip = NULL;
}

#endif
