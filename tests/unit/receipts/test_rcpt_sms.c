/*
 * test_rcpt_sms.c — the SMS's receipt hook (lib/sms/sms.c + lib/receipts):
 * over the in-memory chain of tests/unit/sms/sms_fixture.h with a
 * deal_grant callback naming the deal's dataset order,
 *   - a session release appends one KEY_RELEASE receipt naming the deal,
 *     task, app measurement, requester, price and grant, signed by the
 *     SMS's receipt key;
 *   - with an owner-signed policy the app gets DECC_GRANT_PURPOSE and the
 *     receipt records purpose and expiry; without one, no variable;
 *   - after the expiry (SMS clock or chain clock) the key is refused with
 *     GRANT_EXPIRED and no receipt is written;
 *   - a policy file signed by another key is refused (GRANT_POLICY_INVALID);
 *   - a receipt log the SMS cannot append to blocks the release
 *     (RECEIPT_WRITE_FAILED): no receipt, no key.
 */
#include <fcntl.h>
#include <unistd.h>

#include "../sms/sms_fixture.h"
#include "decc/receipts.h"

static uint8_t g_grant[32];

static decc_status grant_cb(void *ctx, const uint8_t dealid[32],
                            uint8_t price32[32], uint8_t orders[4][32],
                            uint64_t *chain_id, decc_err *err) {
  (void)ctx;
  (void)dealid;
  (void)err;
  memset(price32, 0, 32);
  price32[31] = 7;
  memset(orders, 0, 4 * 32);
  memcpy(orders[1], g_grant, 32);
  *chain_id = 31337;
  return DECC_OK;
}

static const char DS_KEY[] = "q2o3Xr4+N0C6n5x0z8N3Z5n3m0n5p7r9t1v3x5z7B9E=";

/* The fixture's SMS again, with a chain view that knows the grant. */
static int setup(fx *f) {
  if (fx_init(f))
    return -1;
  decc_sms_destroy(f->sms);
  f->sms = NULL;
  memset(g_grant, 0xab, 32);
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.vault_dir = f->vault_dir;
  cfg.trusted_platforms = &f->who[K_PLATFORM];
  cfg.n_trusted = 1;
  decc_sms_memchain_view(&cfg.chain, f->mc);
  cfg.chain.deal_grant = grant_cb;
  cfg.clock = fx_clock;
  cfg.log = fx_log;
  cfg.log_ctx = f;
  decc_err err;
  if (decc_sms_create(&f->sms, &cfg, &err) != DECC_OK)
    return -1;
  /* a deal without requester secrets or input files: only the dataset */
  if (fx_set_deal(f, "{\"iexec_args\":\"x\"}"))
    return -1;
  return fx_push_web3(f, K_DS_OWNER, &f->dataset, DS_KEY) == DECC_OK ? 0 : -1;
}

static decc_rcpt_list log_of(fx *f) {
  char dir[700], *path = NULL;
  decc_rcpt_list l;
  memset(&l, 0, sizeof l);
  snprintf(dir, sizeof dir, "%s/receipts", f->vault_dir);
  if (decc_rcpt_log_path(&path, dir, &f->dataset) != DECC_OK ||
      decc_rcpt_log_read(&l, path, 0, NULL) != DECC_OK)
    memset(&l, 0, sizeof l);
  decc_free(path);
  return l;
}

static void store_policy(fx *f, int key, uint64_t expires,
                         const char *purpose) {
  decc_grant_policy p;
  memset(&p, 0, sizeof p);
  p.dataset = f->dataset;
  memcpy(p.order_hash, g_grant, 32);
  p.expires = expires;
  p.purpose_len = strlen(purpose);
  memcpy(p.purpose, purpose, p.purpose_len);
  ASSERT_OK(decc_grant_policy_sign(&p, f->sk[key]));
  char dir[700];
  snprintf(dir, sizeof dir, "%s/policies", f->vault_dir);
  ASSERT_OK(decc_grant_policy_store(dir, &p, 0, NULL));
}

TEST(release_writes_a_signed_receipt) {
  fx f;
  ASSERT_EQ(setup(&f), 0);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  const char *code = NULL;
  ASSERT_OK(fx_release(&f, &e, &code, &doc, NULL));
  ASSERT(fx_env(doc, "app", "DECC_GRANT_PURPOSE") == NULL);
  json_decref(doc);
  decc_rcpt_list l = log_of(&f);
  ASSERT_EQ(l.n, 1u);
  decc_rcpt *r = &l.items[0];
  ASSERT_EQ(r->kind, DECC_RCPT_KEY_RELEASE);
  ASSERT_MEM_EQ(r->task_id, f.task, 32);
  ASSERT_MEM_EQ(r->deal_id, f.deal, 32);
  ASSERT_MEM_EQ(r->app_checksum, f.app_sum, 32);
  ASSERT_MEM_EQ(r->dataset_checksum, f.ds_sum, 32);
  ASSERT_MEM_EQ(r->grant, g_grant, 32);
  ASSERT(decc_address_eq(&r->requester, &f.who[K_REQ]));
  ASSERT(decc_address_eq(&r->worker, &f.who[K_WORKER]));
  ASSERT(decc_address_eq(&r->enclave, &e.challenge));
  ASSERT_EQ(r->price[31], 7);
  ASSERT_EQ(r->chain_id, 31337u);
  ASSERT_EQ(r->time, 1700000000u);
  ASSERT_EQ(r->purpose_len, 0u);
  /* signed by the key the SMS keeps in its vault */
  char sp[700], line[64] = {0};
  snprintf(sp, sizeof sp, "%s/receipts/signer", f.vault_dir);
  FILE *fp = fopen(sp, "r");
  ASSERT(fp != NULL);
  ASSERT(fgets(line, sizeof line, fp) != NULL);
  fclose(fp);
  line[42] = 0;
  decc_address signer;
  ASSERT_OK(decc_address_parse(&signer, line, NULL));
  decc_rcpt_report rep;
  ASSERT_OK(decc_rcpt_verify_log(&rep, &l, &f.dataset, &signer, NULL));
  ASSERT_EQ(rep.n, 0u);
  decc_rcpt_report_clear(&rep);
  decc_rcpt_list_clear(&l);
  fx_free(&f);
}

TEST(purpose_reaches_the_app_and_expiry_is_enforced) {
  fx f;
  ASSERT_EQ(setup(&f), 0);
  store_policy(&f, K_DS_OWNER, 1700001000, "cancer research");
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  json_t *doc = NULL;
  const char *code = NULL;
  ASSERT_OK(fx_release(&f, &e, &code, &doc, NULL));
  const char *pv = fx_env(doc, "app", "DECC_GRANT_PURPOSE");
  ASSERT(pv != NULL);
  ASSERT_STR_EQ(pv, "cancer research");
  json_decref(doc);
  decc_rcpt_list l = log_of(&f);
  ASSERT_EQ(l.n, 1u);
  ASSERT_STR_EQ(l.items[0].purpose, "cancer research");
  ASSERT_EQ(l.items[0].grant_expires, 1700001000u);
  decc_rcpt_list_clear(&l);

  /* the chain's clock passes the expiry (time travel): refused */
  decc_sms_memchain_set_now(f.mc, 1700001000);
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "GRANT_EXPIRED");
  ASSERT(strstr(f.logs, "GRANT_EXPIRED") != NULL);
  /* the SMS's own clock past it, the chain's not: refused too */
  decc_sms_memchain_set_now(f.mc, 1700000200);
  g_fx_clock = 1700001001;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "GRANT_EXPIRED");
  l = log_of(&f);
  ASSERT_EQ(l.n, 1u); /* refusals leave no receipt */
  decc_rcpt_list_clear(&l);
  fx_free(&f);
}

TEST(policy_of_another_signer_is_refused) {
  fx f;
  ASSERT_EQ(setup(&f), 0);
  store_policy(&f, K_OTHER, 1800000000, "marketing");
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  const char *code = NULL;
  ASSERT_EQ(fx_release(&f, &e, &code, NULL, NULL), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "GRANT_POLICY_INVALID");
  decc_rcpt_list l = log_of(&f);
  ASSERT_EQ(l.n, 0u);
  fx_free(&f);
}

TEST(no_receipt_no_key) {
  fx f;
  ASSERT_EQ(setup(&f), 0);
  /* a log whose last frame is not a receipt: the store refuses to append */
  char dir[700], *path = NULL;
  snprintf(dir, sizeof dir, "%s/receipts", f.vault_dir);
  ASSERT_OK(decc_rcpt_log_path(&path, dir, &f.dataset));
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT(fd >= 0);
  static uint8_t junk[4 + DECC_RCPT_FIXED_LEN];
  junk[2] = DECC_RCPT_FIXED_LEN >> 8;
  junk[3] = DECC_RCPT_FIXED_LEN & 0xff;
  /* a complete frame ends in a non-zero byte (a signature's v); one whose
   * end is zero could be a write cut short by a crash (a torn tail) */
  junk[sizeof junk - 1] = 27;
  ASSERT_EQ(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
  close(fd);
  decc_free(path);
  fx_enclave e;
  decc_status st;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  const char *code = NULL;
  st = fx_release(&f, &e, &code, NULL, NULL);
  ASSERT(st != DECC_OK);
  ASSERT_STR_EQ(code, "RECEIPT_WRITE_FAILED");
  fx_free(&f);
}
