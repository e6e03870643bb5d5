/*
 * test_provenance.c — provenance bundles (decc/provenance.h) built from
 * scratch with real keys and signatures: a worker's signed
 * contributeAndFinalize carrying an enclave signature and a workerpool
 * authorization, the hub events naming that transaction, a software quote
 * and a result zip made by the enclave's own zipper. A consistent bundle
 * verifies (also after a JSON round trip); each kind of bad input of issue
 * 15 is refused with its reason: a swapped result (file, digest, results
 * link), a bundle from another chain, a tampered signature or transaction,
 * a quote for another task, truncated, garbage or oversized JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "decc/abi.h"
#include "decc/enclave.h"
#include "decc/hash.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/provenance.h"
#include "decc/tx.h"
#include "test.h"

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

/* A result zip with computed.json naming result.txt (text = its content).
 * Out: heap zip bytes. */
static uint8_t *make_zip(const char *text, size_t *len) {
  const char *t = decc_test_tmpdir();
  char dir[512], path[600], zip[600];
  static int n;
  snprintf(dir, sizeof dir, "%s/out%d", t, n++);
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/result.txt", dir);
  write_file(path, text);
  snprintf(path, sizeof path, "%s/computed.json", dir);
  write_file(path,
             "{\"deterministic-output-path\":\"/iexec_out/result.txt\"}");
  snprintf(zip, sizeof zip, "%s.zip", dir);
  if (decc_enclave_zip_dir(zip, dir, 1 << 20, NULL))
    return NULL;
  return (uint8_t *)decc_test_read_file(zip, len);
}

static void add_event(decc_prov_bundle *b, decc_poco_event ev,
                      const uint8_t (*topics)[32], size_t nt,
                      const uint8_t *data, size_t dl, uint64_t block,
                      uint32_t logi, const uint8_t txh[32]) {
  b->events = realloc(b->events, (b->n_events + 1) * sizeof *b->events);
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
static int setup(fixture *f) {
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
  if (!(f->zip = make_zip("42\n", &f->zip_len)))
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
  add_event(b, DECC_EV_TASK_CONTRIBUTE, (const uint8_t(*)[32])tp, 2, rh, 32,
            12, 0, txh);
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
  decc_prov_set_result_file(b, f->zip, f->zip_len);
  return 0;
}

static decc_status verify(fixture *f, decc_prov_report *rep, decc_err *err) {
  decc_prov_verify_opts o;
  memset(&o, 0, sizeof o);
  o.result_zip = f->zip;
  o.result_zip_len = f->zip_len;
  o.expected_chain_id = CHAIN;
  return decc_prov_verify(&f->b, &o, rep, err);
}

static int has_line(const decc_prov_report *r, decc_prov_verdict v,
                    const char *needle) {
  for (size_t i = 0; i < r->n; i++)
    if (r->lines[i].verdict == v && strstr(r->lines[i].text, needle))
      return 1;
  return 0;
}

TEST(bundle_consistent_verifies_and_says_what_it_cannot_prove) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  decc_prov_report rep;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(verify(&f, &rep, &err));
  ASSERT_EQ(rep.n_failed, 0);
  ASSERT(decc_address_eq(&rep.worker, &f.worker));
  ASSERT(decc_address_eq(&rep.enclave, &f.enclave));
  ASSERT(decc_address_eq(&rep.authorizer, &f.pool));
  ASSERT(decc_address_eq(&rep.platform, &f.platform));
  ASSERT(has_line(&rep, DECC_PROV_PROVEN, "signed result digest"));
  ASSERT(has_line(&rep, DECC_PROV_PROVEN, "hashes to the signed result"));
  ASSERT(has_line(&rep, DECC_PROV_NOT_PROVEN, "not hardware protection"));
  ASSERT(has_line(&rep, DECC_PROV_NOT_PROVEN, "chain source's word"));
  decc_prov_bundle_clear(&f.b);
}

TEST(bundle_json_round_trip) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  char *j1 = NULL, *j2 = NULL;
  ASSERT_OK(decc_prov_to_json(&j1, &f.b));
  decc_prov_bundle c;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_OK(decc_prov_from_json(&c, j1, strlen(j1), &err));
  ASSERT_OK(decc_prov_to_json(&j2, &c));
  ASSERT_STR_EQ(j1, j2);
  decc_prov_bundle_clear(&f.b);
  f.b = c;
  decc_prov_report rep;
  ASSERT_OK(verify(&f, &rep, &err));
  decc_free(j1);
  decc_free(j2);
  decc_prov_bundle_clear(&f.b);
}

TEST(bundle_swapped_result_file_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  size_t n;
  uint8_t *other = make_zip("43\n", &n);
  ASSERT(other);
  f.zip = other;
  f.zip_len = n;
  decc_prov_report rep;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "swapped result"));
  decc_prov_bundle_clear(&f.b);
}

TEST(bundle_swapped_digest_or_results_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  decc_prov_report rep;
  decc_err err;
  f.b.result_digest[0] ^= 1;
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "swapped result"));
  f.b.result_digest[0] ^= 1;
  f.b.results[5] ^= 1;
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "swapped result"));
  decc_prov_bundle_clear(&f.b);
}

TEST(bundle_from_another_chain_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  decc_prov_report rep;
  decc_err err;
  /* the bundle claims another chain: the transaction's own chain id says no */
  f.b.chain_id = 1;
  decc_prov_verify_opts o;
  memset(&o, 0, sizeof o);
  ASSERT_EQ(decc_prov_verify(&f.b, &o, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "another chain"));
  /* the reader expects another chain than the bundle's */
  f.b.chain_id = CHAIN;
  o.expected_chain_id = 1;
  ASSERT_EQ(decc_prov_verify(&f.b, &o, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "not the chain 1 you expect"));
  decc_prov_bundle_clear(&f.b);
}

TEST(bundle_tampered_signature_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  decc_prov_report rep;
  decc_err err;
  /* an enclave signature by another key, in a transaction the events name */
  uint8_t other[32], txh[32];
  memset(other, 0x55, 32);
  decc_free(f.b.txs[0]);
  make_tx(&f, other, f.digest, &f.b.txs[0], &f.b.tx_lens[0], txh);
  for (size_t i = 0; i < f.b.n_events; i++)
    if (!strcmp(f.b.events[i].name, "TaskContribute") ||
        !strcmp(f.b.events[i].name, "TaskFinalize"))
      memcpy(f.b.events[i].log.tx_hash, txh, 32);
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_BAD_SIGNATURE);
  ASSERT(strstr(err.msg, "tampered signature"));
  decc_prov_bundle_clear(&f.b);
  /* a byte of the signed transaction flipped (its signature area) */
  ASSERT_EQ(setup(&f), 0);
  f.b.txs[0][f.b.tx_lens[0] - 5] ^= 0x40;
  ASSERT(verify(&f, &rep, &err) != DECC_OK);
  decc_prov_bundle_clear(&f.b);
  /* a tampered quote */
  ASSERT_EQ(setup(&f), 0);
  f.b.quote->signature[10] ^= 1;
  ASSERT(verify(&f, &rep, &err) != DECC_OK);
  decc_prov_bundle_clear(&f.b);
}

TEST(bundle_quote_for_another_task_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  f.b.quote->task_id[0] ^= 1;
  ASSERT_OK(decc_quote_sign(f.b.quote, f.platform_sk));
  decc_prov_report rep;
  decc_err err;
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "another task"));
  decc_prov_bundle_clear(&f.b);
}

TEST(bundle_missing_event_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  /* drop TaskFinalize */
  decc_log_clear(&f.b.events[3].log);
  f.b.n_events = 3;
  decc_prov_report rep;
  decc_err err;
  ASSERT_EQ(verify(&f, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "TaskFinalize"));
  decc_prov_bundle_clear(&f.b);
}

TEST(bundle_bad_json_refused) {
  fixture f;
  ASSERT_EQ(setup(&f), 0);
  char *j = NULL;
  ASSERT_OK(decc_prov_to_json(&j, &f.b));
  decc_prov_bundle c;
  decc_err err;
  /* truncated */
  ASSERT_EQ(decc_prov_from_json(&c, j, strlen(j) / 2, &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "not JSON"));
  /* garbage */
  ASSERT_EQ(decc_prov_from_json(&c, "\x01\x02garbage", 9, &err), DECC_E_PARSE);
  /* another format */
  char *p = strstr(j, "decc-provenance/1");
  ASSERT(p);
  p[16] = '9';
  ASSERT_EQ(decc_prov_from_json(&c, j, strlen(j), &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "format"));
  p[16] = '1';
  /* an unknown field */
  p = strstr(j, "\"created\"");
  ASSERT(p);
  memcpy(p, "\"cheated\"", 9);
  ASSERT_EQ(decc_prov_from_json(&c, j, strlen(j), &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "cheated"));
  /* too large */
  ASSERT_EQ(decc_prov_from_json(&c, j, DECC_PROV_MAX_BYTES + 1, &err),
            DECC_E_LIMIT);
  decc_free(j);
  decc_prov_bundle_clear(&f.b);
}

TEST(zip_result_digest_directory_rule) {
  /* deterministic output = the whole /iexec_out: keccak of the direct file
   * children's sha256 in name order (computed.json included) */
  const char *t = decc_test_tmpdir();
  char dir[512], path[600], zip[600];
  snprintf(dir, sizeof dir, "%s/dirout", t);
  mkdir(dir, 0755);
  snprintf(path, sizeof path, "%s/b.txt", dir);
  write_file(path, "bee");
  snprintf(path, sizeof path, "%s/a.txt", dir);
  write_file(path, "ay");
  snprintf(path, sizeof path, "%s/computed.json", dir);
  write_file(path, "{\"deterministic-output-path\":\"/iexec_out/\"}");
  snprintf(path, sizeof path, "%s/sub", dir);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/sub/c.txt", dir);
  write_file(path, "sea");
  snprintf(zip, sizeof zip, "%s.zip", dir);
  ASSERT_OK(decc_enclave_zip_dir(zip, dir, 1 << 20, NULL));
  uint8_t want[32], got[32];
  /* the enclave's own rule on the directory itself */
  ASSERT_OK(decc_enclave_result_digest(want, dir, NULL));
  size_t n;
  uint8_t *z = (uint8_t *)decc_test_read_file(zip, &n);
  decc_err err;
  ASSERT_OK(decc_prov_zip_result_digest(got, z, n, &err));
  ASSERT(!memcmp(want, got, 32));
  /* not a zip */
  ASSERT_EQ(decc_prov_zip_result_digest(got, (const uint8_t *)"PK nope", 7,
                                        &err),
            DECC_E_PARSE);
}
