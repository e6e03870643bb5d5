/*
 * test_runtime.c — the enclave runtime on sessions built here (the SMS's
 * format): a confidential run (dataset fetched from the store, checksum,
 * decryption, secrets in the app environment, encrypted result uploaded,
 * enclave signature), and its failures with their causes: tampered
 * dataset, app measurement mismatch, app exit code (with logs), output
 * and result size limits, missing computed.json; the callback rule, the
 * directory digest rule, standard sessions (deterministic archives), and
 * the attested launch through a relay (quote checked, session sealed to
 * the enclave key, a swapped bundle refused), the same launch as a fresh
 * program (the decc binary through exec_path) while other threads of this
 * process keep creating threads, and an enclave refusing a quote that
 * does not carry its claims. Needs root (sandbox).
 */
#include <pthread.h>

#include <jansson.h>

#include "../worker/worker_fixture.h"
#include "decc/attest.h"
#include "decc/dataset.h"
#include "decc/enclave.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/poco.h"
#include "test.h"

typedef struct world {
  char tmp[600];
  decc_blockstore *bs;
  decc_buf bundle;
  uint8_t measurement[32];
  char ds_cid[160];
  uint8_t ds_sum[32];
  char ds_key[45];
  decc_rsa_key *rsa;
  char *rsa_b64;
  uint8_t task[32], sign_sk[32];
  decc_address worker, dataset;
  int runs;
} world;

static const char PLAIN[] = "hello dataset";

static int setup(world *w) {
  memset(w, 0, sizeof *w);
  snprintf(w->tmp, sizeof w->tmp, "%s", decc_test_tmpdir());
  char d[700];
  snprintf(d, sizeof d, "%s/store", w->tmp);
  if (decc_blockstore_open(&w->bs, d, NULL))
    return -1;
  if (fix_bundle(&w->bundle, w->measurement, w->tmp, "bundle", 0))
    return -1;
  decc_dataset_key *k = NULL;
  uint8_t *enc = NULL;
  size_t n = 0;
  if (decc_dataset_key_generate(&k, NULL) ||
      decc_dataset_encrypt(&enc, &n, w->ds_sum, k, NULL, PLAIN, strlen(PLAIN),
                           NULL) ||
      fix_add(w->bs, w->tmp, enc, n, w->ds_cid))
    return -1;
  decc_dataset_key_encode(w->ds_key, k);
  decc_dataset_key_destroy(k);
  decc_free(enc);
  if (decc_rsa_keygen(&w->rsa, 2048, NULL) ||
      decc_rsa_key_public_b64(&w->rsa_b64, NULL, w->rsa, NULL))
    return -1;
  memset(w->task, 0xab, 32);
  memset(w->sign_sk, 0x42, 32);
  uint8_t wsk[32];
  memset(wsk, 0x24, 32);
  if (decc_address_from_privkey(&w->worker, wsk))
    return -1;
  memset(w->dataset.b, 0x22, 20);
  return 0;
}

static void teardown(world *w) {
  decc_blockstore_close(w->bs);
  decc_buf_clear(&w->bundle);
  decc_rsa_key_destroy(w->rsa);
  decc_free(w->rsa_b64);
}

typedef struct sess_opts {
  const char *checksum_hex;   /* NULL = the right one */
  const uint8_t *fingerprint; /* NULL = the right measurement */
  const char *args;
  int callback;
  int encrypt;
} sess_opts;

/* A session document as the SMS writes it. Out: heap string (free). */
static char *session(world *w, const sess_opts *o) {
  char th[67], cks[67], fp[67], wa[43], ds[43], sk[67], url[200];
  decc_hex_encode(th, w->task, 32, 1);
  decc_hex_encode(cks, w->ds_sum, 32, 1);
  decc_hex_encode(fp, o->fingerprint ? o->fingerprint : w->measurement, 32, 1);
  decc_address_to_checksum(wa, &w->worker);
  decc_address_to_hex(ds, &w->dataset);
  decc_hex_encode(sk, w->sign_sk, 32, 1);
  snprintf(url, sizeof url, "/ipfs/%s", w->ds_cid);
  json_t *root = json_pack(
      "{s:s,s:s,s:[{s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}},"
      "{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}},"
      "{s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s}}]}",
      "name", "session", "version", "0.1.0", "services", "name", "pre-compute",
      "environment", "IEXEC_TASK_ID", th, "SIGN_WORKER_ADDRESS", wa,
      "SIGN_TEE_CHALLENGE_PRIVATE_KEY", sk, "IS_DATASET_REQUIRED", "true",
      "IEXEC_DATASET_KEY", w->ds_key, "IEXEC_DATASET_URL", url,
      "IEXEC_DATASET_CHECKSUM", o->checksum_hex ? o->checksum_hex : cks,
      "IEXEC_DATASET_FILENAME", ds, "IEXEC_INPUT_FILES_NUMBER", "0", "name",
      "app", "fingerprint", fp, "args", o->args ? o->args : "ok 'two words'",
      "environment", "IEXEC_TASK_ID", th, "IEXEC_IN", "/iexec_in", "IEXEC_OUT",
      "/iexec_out", "IEXEC_DATASET_FILENAME", ds, "IEXEC_DATASET_ADDRESS", ds,
      "IEXEC_REQUESTER_SECRET_1", "s3cr3t", "IEXEC_APP_DEVELOPER_SECRET",
      "devsecret", "IEXEC_INPUT_FILES_NUMBER", "0", "name", "post-compute",
      "environment", "IEXEC_TASK_ID", th, "SIGN_WORKER_ADDRESS", wa,
      "SIGN_TEE_CHALLENGE_PRIVATE_KEY", sk, "RESULT_ENCRYPTION",
      o->encrypt ? "true" : "false", "RESULT_ENCRYPTION_PUBLIC_KEY",
      o->encrypt ? w->rsa_b64 : "", "RESULT_STORAGE_CALLBACK",
      o->callback ? "true" : "false", "RESULT_STORAGE_PROVIDER",
      o->callback ? "" : "ipfs");
  char *s = json_dumps(root, JSON_COMPACT);
  json_decref(root);
  return s;
}

static decc_status run(world *w, const sess_opts *so,
                       const decc_enclave_limits *lim, decc_enclave_outcome *o,
                       char *work, size_t wn) {
  snprintf(work, wn, "%s/work%d", w->tmp, w->runs++);
  if (mkdir(work, 0700) != 0)
    return DECC_E_IO;
  char *s = session(w, so);
  decc_enclave_store st = {w->bs, NULL};
  decc_err err;
  decc_err_clear(&err);
  decc_status rc = decc_enclave_run_session(
      o, s, strlen(s), w->bundle.data, w->bundle.len, work, &st, lim, &err);
  if (rc)
    fprintf(stderr, "    run_session: %s\n", err.msg);
  if (o->cause)
    printf("    cause %s: %s\n", decc_task_cause_name(o->cause), o->detail);
  free(s);
  return rc;
}

TEST(confidential_run_end_to_end) {
  NEED_ROOT();
  world w;
  ASSERT_EQ(setup(&w), 0);
  sess_opts so = {0};
  so.encrypt = 1;
  decc_enclave_outcome o;
  char work[700];
  ASSERT_OK(run(&w, &so, NULL, &o, work, sizeof work));
  ASSERT_EQ(o.cause, DECC_CAUSE_NONE);
  ASSERT_MEM_EQ(o.measurement, w.measurement, 32);
  /* results: iExec's exact text */
  char want[300];
  snprintf(want, sizeof want,
           "{ \"storage\": \"ipfs\", \"location\": \"/ipfs/%s\" }",
           o.result_cid);
  ASSERT_STR_EQ(o.results, want);
  /* the archive decrypts with the beneficiary's key */
  decc_buf arch;
  ASSERT_EQ(fix_cat(w.bs, o.result_cid, &arch), 0);
  uint8_t *zip = NULL;
  size_t zn = 0;
  ASSERT_OK(
      decc_result_decrypt(&zip, &zn, NULL, w.rsa, arch.data, arch.len, NULL));
  char *res = fix_zip_entry(zip, zn, "result.txt");
  ASSERT(res != NULL);
  ASSERT(strstr(res, "data=hello dataset\n"));
  ASSERT(strstr(res, "secret=s3cr3t\n"));
  ASSERT(strstr(res, "dev=devsecret\n"));
  ASSERT(strstr(res, "args=ok two words\n"));
  char *cj = fix_zip_entry(zip, zn, "computed.json");
  ASSERT(cj != NULL);
  /* digest = sha256(result.txt); hash, seal and enclave signature */
  uint8_t d[32], h[32], s[32], msg[32];
  decc_sha256(d, res, strlen(res));
  ASSERT_MEM_EQ(o.result_digest, d, 32);
  decc_poco_result_hash(h, w.task, d);
  decc_poco_result_seal(s, &w.worker, w.task, d);
  ASSERT_MEM_EQ(o.result_hash, h, 32);
  ASSERT_MEM_EQ(o.result_seal, s, 32);
  ASSERT(o.has_enclave_sign);
  decc_address signer, expect;
  ASSERT_OK(decc_address_from_privkey(&expect, w.sign_sk));
  ASSERT(decc_address_eq(&o.enclave_challenge, &expect));
  decc_poco_enclave_message(msg, h, s);
  ASSERT_OK(decc_eip191_recover(&signer, msg, 32, o.enclave_sign));
  ASSERT(decc_address_eq(&signer, &expect));
  /* logs kept, inputs and outputs removed */
  char p[800];
  snprintf(p, sizeof p, "%s/logs/stdout.txt", work);
  char *log = decc_test_read_file(p, NULL);
  ASSERT(log && strstr(log, "app done: ok"));
  snprintf(p, sizeof p, "%s/in", work);
  struct stat sb;
  ASSERT(stat(p, &sb) != 0);
  free(res);
  free(cj);
  decc_free(zip);
  decc_buf_clear(&arch);
  teardown(&w);
}

TEST(tampered_dataset_and_wrong_measurement_are_refused) {
  NEED_ROOT();
  world w;
  ASSERT_EQ(setup(&w), 0);
  decc_enclave_outcome o;
  char work[700];
  /* the store's bytes do not match the on-chain checksum */
  uint8_t other[32];
  char oh[67];
  decc_sha256(other, "something else", 14);
  sess_opts so = {0};
  so.checksum_hex = decc_hex_encode(oh, other, 32, 1);
  ASSERT_OK(run(&w, &so, NULL, &o, work, sizeof work));
  ASSERT_EQ(o.cause, DECC_CAUSE_DATASET_CHECKSUM_MISMATCH);
  ASSERT(strstr(o.detail, oh));
  ASSERT(o.results[0] == 0);
  /* the app fingerprint in the session is another bundle's */
  decc_buf b2;
  uint8_t m2[32];
  ASSERT_EQ(fix_bundle(&b2, m2, w.tmp, "bundle2", 1), 0);
  sess_opts s2 = {0};
  s2.fingerprint = m2;
  ASSERT_OK(run(&w, &s2, NULL, &o, work, sizeof work));
  ASSERT_EQ(o.cause, DECC_CAUSE_APP_MEASUREMENT_MISMATCH);
  decc_buf_clear(&b2);
  teardown(&w);
}

TEST(app_failures_have_causes_and_logs) {
  NEED_ROOT();
  world w;
  ASSERT_EQ(setup(&w), 0);
  decc_enclave_outcome o;
  char work[700], p[800];
  sess_opts so = {0};
  so.args = "fail";
  ASSERT_OK(run(&w, &so, NULL, &o, work, sizeof work));
  ASSERT_EQ(o.cause, DECC_CAUSE_APP_EXIT_CODE);
  ASSERT_EQ(o.exit_code, 3);
  snprintf(p, sizeof p, "%s/logs/stderr.txt", work);
  char *log = decc_test_read_file(p, NULL);
  ASSERT(log && strstr(log, "failing on purpose"));
  free(log);

  so.args = "nocomputed";
  ASSERT_OK(run(&w, &so, NULL, &o, work, sizeof work));
  ASSERT_EQ(o.cause, DECC_CAUSE_COMPUTED_FILE_INVALID);

  decc_enclave_limits lim;
  decc_enclave_limits_init(&lim);
  lim.out_max_bytes = 1u << 20;
  so.args = "big";
  ASSERT_OK(run(&w, &so, &lim, &o, work, sizeof work));
  ASSERT_EQ(o.cause, DECC_CAUSE_OUTPUT_TOO_LARGE);

  decc_enclave_limits_init(&lim);
  lim.result_max_bytes = 2000;
  so.args = "noise";
  ASSERT_OK(run(&w, &so, &lim, &o, work, sizeof work));
  ASSERT_EQ(o.cause, DECC_CAUSE_RESULT_TOO_LARGE);
  teardown(&w);
}

TEST(callback_digest_rule) {
  NEED_ROOT();
  world w;
  ASSERT_EQ(setup(&w), 0);
  decc_enclave_outcome o;
  char work[700];
  sess_opts so = {0};
  so.args = "callback";
  so.callback = 1;
  ASSERT_OK(run(&w, &so, NULL, &o, work, sizeof work));
  ASSERT_EQ(o.cause, DECC_CAUSE_NONE);
  ASSERT(o.has_callback);
  ASSERT_EQ(o.callback_len, 32);
  ASSERT_EQ(o.callback[31], 7);
  uint8_t d[32];
  decc_keccak256(d, o.callback, 32);
  ASSERT_MEM_EQ(o.result_digest, d, 32);
  ASSERT_STR_EQ(o.result_cid, "");
  teardown(&w);
}

TEST(directory_digest_rule) {
  const char *t = decc_test_tmpdir();
  char d[700], sub[800];
  snprintf(d, sizeof d, "%s/digestdir", t);
  ASSERT_OK(mkdir(d, 0755));
  fix_write(d, "b.txt", "bbb", 0644);
  fix_write(d, "a.txt", "aa", 0644);
  snprintf(sub, sizeof sub, "%s/sub", d);
  ASSERT_OK(mkdir(sub, 0755));
  fix_write(sub, "ignored.txt", "x", 0644);
  uint8_t ha[32], hb[32], cat[64], want[32], got[32];
  decc_sha256(ha, "aa", 2);
  decc_sha256(hb, "bbb", 3);
  memcpy(cat, ha, 32);
  memcpy(cat + 32, hb, 32);
  decc_keccak256(want, cat, 64);
  ASSERT_OK(decc_enclave_result_digest(got, d, NULL));
  ASSERT_MEM_EQ(got, want, 32);
  char f[800];
  snprintf(f, sizeof f, "%s/a.txt", d);
  ASSERT_OK(decc_enclave_result_digest(got, f, NULL));
  ASSERT_MEM_EQ(got, ha, 32);
  fix_write(d, "empty", "", 0644);
  snprintf(f, sizeof f, "%s/empty", d);
  ASSERT_EQ(decc_enclave_result_digest(got, f, NULL), DECC_E_INVALID);
  ASSERT_EQ(decc_task_cause_parse(&(decc_task_cause){0}, "APP_TIMEOUT"),
            DECC_OK);
  ASSERT_STR_EQ(decc_task_cause_name(DECC_CAUSE_DATASET_CHECKSUM_MISMATCH),
                "DATASET_CHECKSUM_MISMATCH");
}

TEST(standard_sessions_give_identical_archives) {
  NEED_ROOT();
  world w;
  ASSERT_EQ(setup(&w), 0);
  decc_enclave_standard t;
  memset(&t, 0, sizeof t);
  memcpy(t.task_id, w.task, 32);
  t.worker = w.worker;
  t.bot_size = 1;
  t.params = "{\"iexec_args\":\"ok std\"}";
  memcpy(t.app_checksum, w.measurement, 32);
  char *s = NULL;
  size_t n = 0;
  ASSERT_OK(decc_enclave_standard_session(&s, &n, &t, NULL));
  decc_enclave_store st = {w.bs, NULL};
  decc_enclave_outcome o1, o2;
  char work[700];
  for (int i = 0; i < 2; i++) {
    snprintf(work, sizeof work, "%s/std%d", w.tmp, i);
    ASSERT_OK(mkdir(work, 0700));
    ASSERT_OK(decc_enclave_run_session(i ? &o2 : &o1, s, n, w.bundle.data,
                                       w.bundle.len, work, &st, NULL, NULL));
  }
  ASSERT_EQ(o1.cause, DECC_CAUSE_NONE);
  ASSERT_EQ(o1.has_enclave_sign, 0);
  ASSERT_STR_EQ(o1.result_cid, o2.result_cid);
  ASSERT_MEM_EQ(o1.result_digest, o2.result_digest, 32);
  decc_buf arch;
  ASSERT_EQ(fix_cat(w.bs, o1.result_cid, &arch), 0);
  char *res = fix_zip_entry(arch.data, arch.len, "result.txt");
  ASSERT(res && strstr(res, "args=ok std"));
  ASSERT(strstr(res, "secret=\n"));
  free(res);
  decc_buf_clear(&arch);
  /* secrets and encryption need a TEE */
  t.params = "{\"iexec_result_encryption\":true}";
  decc_free(s);
  ASSERT_EQ(decc_enclave_standard_session(&s, &n, &t, NULL),
            DECC_E_UNSUPPORTED);
  teardown(&w);
}

/* ---- attested launch through a relay ------------------------------------------ */

typedef struct relay_ctx {
  world *w;
  uint8_t nonce[32];
  decc_address platform;
  int nonces, sessions;
} relay_ctx;

static decc_status r_nonce(void *ctx, uint8_t n32[32], const char **code,
                           decc_err *err) {
  relay_ctx *r = ctx;
  (void)code;
  r->nonces++;
  if (decc_random_bytes(r->nonce, 32))
    return decc_err_set(err, DECC_E_CRYPTO, "rng");
  memcpy(n32, r->nonce, 32);
  return DECC_OK;
}

/* Plays the SMS: checks the quote and seals the session to its key. */
static decc_status r_session(void *ctx, const decc_quote *q, uint8_t **sealed,
                             size_t *len, const char **code, decc_err *err) {
  relay_ctx *r = ctx;
  r->sessions++;
  decc_status st = decc_quote_verify(q, &r->platform, 1, r->nonce, 0, 0, err);
  if (st)
    return st;
  if (memcmp(q->measurement, r->w->measurement, 32) ||
      memcmp(q->task_id, r->w->task, 32)) {
    *code = "APP_MEASUREMENT_MISMATCH";
    return decc_err_set(err, DECC_E_DENIED, "measurement is not the app's");
  }
  sess_opts so = {0};
  so.encrypt = 1;
  char *s = session(r->w, &so);
  size_t n = strlen(s);
  *sealed = decc_malloc(n + DECC_SEAL_OVERHEAD);
  st = decc_seal(*sealed, (const uint8_t *)s, n, q->enclave_pubkey);
  *len = n + DECC_SEAL_OVERHEAD;
  free(s);
  return st;
}

/* The bundle added to the store, as the app's binary multiaddr (80 bytes
 * are plenty for /ipfs/<cid>). Returns 0 or -1. */
static int bundle_multiaddr(world *w, uint8_t ma[80], size_t *ml) {
  char cid[160], url[200];
  if (fix_add(w->bs, w->tmp, w->bundle.data, w->bundle.len, cid))
    return -1;
  snprintf(url, sizeof url, "/ipfs/%s", cid);
  return decc_multiaddr_from_string(ma, 80, ml, url, NULL) ? -1 : 0;
}

/* A relay playing the SMS that trusts the platform key psk. */
static decc_status relay_init(relay_ctx *rc, world *w, const uint8_t psk[32]) {
  memset(rc, 0, sizeof *rc);
  rc->w = w;
  return decc_address_from_privkey(&rc->platform, psk);
}

/* What the launch tests share: the world, the bundle's multiaddr, a
 * software platform key (every byte psk_byte), its backend and a relay
 * (the "SMS") trusting it. The relay points into the fixture: keep it
 * where it is. */
typedef struct {
  world w;
  uint8_t ma[80];
  size_t ml;
  decc_tee_backend be;
  relay_ctx rc;
} launch_fx;

static int fx_setup(launch_fx *f, uint8_t psk_byte) {
  memset(f, 0, sizeof *f);
  uint8_t psk[32];
  memset(psk, psk_byte, 32);
  if (setup(&f->w) || bundle_multiaddr(&f->w, f->ma, &f->ml) ||
      decc_tee_software_create(&f->be, psk) || relay_init(&f->rc, &f->w, psk))
    return -1;
  return 0;
}

static void fx_teardown(launch_fx *f) {
  decc_tee_software_destroy(&f->be);
  teardown(&f->w);
}

/* A launch of f's bundle through f's relay, quoted by be, in the work
 * directory <tmp>/name (created). */
static void launch_init(decc_enclave_launch *l, launch_fx *f,
                        const decc_tee_backend *be, char *work, size_t cap,
                        const char *name) {
  memset(l, 0, sizeof *l);
  memcpy(l->task_id, f->w.task, 32);
  l->app_multiaddr = f->ma;
  l->app_multiaddr_len = f->ml;
  memcpy(l->app_checksum, f->w.measurement, 32);
  l->backend = be;
  l->relay.ctx = &f->rc;
  l->relay.nonce = r_nonce;
  l->relay.session = r_session;
  snprintf(work, cap, "%s/%s", f->w.tmp, name);
  mkdir(work, 0700);
  l->work_dir = work;
  l->store.bs = f->w.bs;
  decc_enclave_limits_init(&l->limits);
}

TEST(attested_launch_through_a_relay) {
  NEED_ROOT();
  launch_fx f;
  ASSERT_EQ(fx_setup(&f, 0x61), 0);
  decc_enclave_launch l;
  char work[700];
  launch_init(&l, &f, &f.be, work, sizeof work, "launch");
  decc_enclave_outcome o;
  ASSERT_OK(decc_enclave_launch_run(&o, &l, NULL));
  if (o.cause)
    printf("    cause %s: %s\n", decc_task_cause_name(o.cause), o.detail);
  ASSERT_EQ(o.cause, DECC_CAUSE_NONE);
  ASSERT(o.has_enclave_sign);
  ASSERT(strncmp(o.results, "{ \"storage\": \"ipfs\"", 19) == 0);
  ASSERT_MEM_EQ(o.measurement, f.w.measurement, 32);

  /* a host that swaps the code: the quote carries the other measurement,
   * the "SMS" refuses, nothing runs */
  decc_buf b2;
  uint8_t m2[32];
  ASSERT_EQ(fix_bundle(&b2, m2, f.w.tmp, "evil", 2), 0);
  l.bundle_override = b2.data;
  l.bundle_override_len = b2.len;
  snprintf(work, sizeof work, "%s/launch2", f.w.tmp);
  ASSERT_OK(mkdir(work, 0700));
  l.work_dir = work;
  ASSERT_OK(decc_enclave_launch_run(&o, &l, NULL));
  ASSERT_EQ(o.cause, DECC_CAUSE_SMS_REFUSED);
  ASSERT_STR_EQ(o.sms_code, "APP_MEASUREMENT_MISMATCH");
  ASSERT_MEM_EQ(o.measurement, m2, 32);
  /* the registered checksum is not the bundle's: refused before attesting */
  l.bundle_override = NULL;
  memset(l.app_checksum, 0, 32);
  int before = f.rc.nonces;
  ASSERT_OK(decc_enclave_launch_run(&o, &l, NULL));
  ASSERT_EQ(o.cause, DECC_CAUSE_APP_MEASUREMENT_MISMATCH);
  ASSERT_EQ(f.rc.nonces, before);
  decc_buf_clear(&b2);
  fx_teardown(&f);
}

/* ---- exec mode -------------------------------------------------------------------- */

/* Other threads of the process creating and joining threads (as the
 * ledger's recovery threads and HTTP connections do in a node) while the
 * enclave process starts: a forked copy that needs a lock one of them
 * held would hang; the exec'd program holds no inherited lock. */
static volatile int g_churn_stop;
static void *nop_thread(void *a) {
  void *p = malloc(128);
  free(p);
  return a;
}
static void *churn(void *a) {
  while (!g_churn_stop) {
    pthread_t t;
    if (pthread_create(&t, NULL, nop_thread, NULL) == 0)
      pthread_join(t, NULL);
  }
  return a;
}

TEST(attested_launch_as_a_fresh_program) {
  NEED_ROOT();
  launch_fx f;
  ASSERT_EQ(fx_setup(&f, 0x61), 0);
  decc_enclave_launch l;
  decc_enclave_outcome o;
  char work[700];

  g_churn_stop = 0;
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    ASSERT_EQ(pthread_create(&th[i], NULL, churn, NULL), 0);
  for (int i = 0; i < 4; i++) {
    char name[32];
    snprintf(name, sizeof name, "exec%d", i);
    launch_init(&l, &f, &f.be, work, sizeof work, name);
    l.exec_path = DECC_TEST_CLI;
    ASSERT_OK(decc_enclave_launch_run(&o, &l, NULL));
    if (o.cause)
      printf("    cause %s: %s\n", decc_task_cause_name(o.cause), o.detail);
    ASSERT_EQ(o.cause, DECC_CAUSE_NONE);
    ASSERT(o.has_enclave_sign);
    ASSERT(o.has_quote_binding);
    ASSERT_MEM_EQ(o.measurement, f.w.measurement, 32);
  }
  g_churn_stop = 1;
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);

  /* the bundle override crosses to the program too: refused by the SMS */
  decc_buf b2;
  uint8_t m2[32];
  ASSERT_EQ(fix_bundle(&b2, m2, f.w.tmp, "evil", 2), 0);
  launch_init(&l, &f, &f.be, work, sizeof work, "exec-evil");
  l.exec_path = DECC_TEST_CLI;
  l.bundle_override = b2.data;
  l.bundle_override_len = b2.len;
  ASSERT_OK(decc_enclave_launch_run(&o, &l, NULL));
  ASSERT_EQ(o.cause, DECC_CAUSE_SMS_REFUSED);
  ASSERT_STR_EQ(o.sms_code, "APP_MEASUREMENT_MISMATCH");
  ASSERT_MEM_EQ(o.measurement, m2, 32);
  decc_buf_clear(&b2);

  /* a program that cannot be started: the outcome says which */
  launch_init(&l, &f, &f.be, work, sizeof work, "exec-missing");
  l.exec_path = "/nonexistent/decc";
  ASSERT_OK(decc_enclave_launch_run(&o, &l, NULL));
  ASSERT_EQ(o.cause, DECC_CAUSE_ENCLAVE_CRASHED);
  ASSERT(strstr(o.detail, "/nonexistent/decc did not start") != NULL);

  /* a program that hangs (it never answers the launch description): the
   * deadline stops it and says so, instead of holding the worker */
  char hang[700];
  snprintf(hang, sizeof hang, "%s/hang.sh", f.w.tmp);
  FILE *hf = fopen(hang, "w");
  ASSERT(hf != NULL);
  fputs("#!/bin/sh\nexec sleep 600\n", hf);
  ASSERT_EQ(fclose(hf), 0);
  ASSERT_EQ(chmod(hang, 0755), 0);
  launch_init(&l, &f, &f.be, work, sizeof work, "exec-hang");
  l.exec_path = hang;
  l.deadline_s = 1;
  ASSERT_OK(decc_enclave_launch_run(&o, &l, NULL));
  ASSERT_EQ(o.cause, DECC_CAUSE_DEADLINE_REACHED);
  ASSERT(strstr(o.detail, "deadline (1 s)") != NULL);
  fx_teardown(&f);
}

/* A worker whose backend quotes something else than the enclave's claims
 * (here: another measurement): the enclave refuses to go on, so its result
 * key never binds a quote about other code. */
typedef struct {
  decc_tee_backend inner;
} lying_backend;
static decc_status lying_quote(void *ctx, decc_quote *q, decc_err *err) {
  lying_backend *lb = ctx;
  q->measurement[0] ^= 1;
  return lb->inner.quote(lb->inner.ctx, q, err);
}

TEST(an_enclave_refuses_a_quote_about_other_claims) {
  NEED_ROOT();
  launch_fx f;
  ASSERT_EQ(fx_setup(&f, 0x62), 0);
  lying_backend lb = {f.be};
  decc_tee_backend be = {"software", &lb, lying_quote};
  decc_enclave_launch l;
  decc_enclave_outcome o;
  char work[700];
  for (int mode = 0; mode < 2; mode++) {
    launch_init(&l, &f, &be, work, sizeof work,
                mode ? "lying-exec" : "lying-fork");
    l.exec_path = mode ? DECC_TEST_CLI : NULL;
    ASSERT_OK(decc_enclave_launch_run(&o, &l, NULL));
    ASSERT_EQ(o.cause, DECC_CAUSE_ATTESTATION_FAILED);
    ASSERT(strstr(o.detail, "does not carry this enclave's claims") != NULL);
    ASSERT(!o.has_quote_binding && !o.has_enclave_sign);
  }
  fx_teardown(&f);
}
