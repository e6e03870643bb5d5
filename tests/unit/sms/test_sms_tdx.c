/*
 * test_sms_tdx.c — the SMS's session check for hardware (TDX) quotes:
 *   - with the real sample TDX quote and its collateral (Intel's root): the
 *     chain verifies, and the quote is refused because its report data does
 *     not bind the session's claims (ATTESTATION_REPORT_DATA_MISMATCH); a
 *     tampered quote and expired collateral give their own codes, and an
 *     SMS without a DCAP policy refuses TDX quotes outright;
 *   - with TDX quotes signed by the test PKI (tests/unit/dcap): a quote
 *     binding the claims releases the session; a quote for other claims,
 *     a replay, a claimed measurement that is not the app's, and a TDX quote
 *     without its hardware quote are refused; software quotes still work.
 */
#include <sys/stat.h>

/* Both fixtures name their context `fx`: the DCAP one is renamed here. */
#define fx dcap_fx
#include "../dcap/dcap_fixture.h"
#undef fx
#include "sms_fixture.h"

/* Replaces the fixture's SMS by one with a DCAP configuration (same vault,
 * same chain). */
static int sms_with_dcap(fx *f, const char *policy, const char *coll,
                         const uint8_t *root, size_t root_len) {
  decc_sms_destroy(f->sms);
  f->sms = NULL;
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.vault_dir = f->vault_dir;
  cfg.trusted_platforms = &f->who[K_PLATFORM];
  cfg.n_trusted = 1;
  decc_sms_memchain_view(&cfg.chain, f->mc);
  cfg.clock = fx_clock;
  cfg.log = fx_log;
  cfg.log_ctx = f;
  cfg.dcap_policy_json = policy;
  cfg.dcap_collateral_json = coll;
  cfg.dcap_root_der = root;
  cfg.dcap_root_len = root_len;
  decc_err err;
  if (decc_sms_create(&f->sms, &cfg, &err) != DECC_OK) {
    printf("# sms create: %s\n", err.msg);
    return -1;
  }
  return 0;
}

/* Turns the prepared (software-signed) quote into a TDX one carrying
 * `hw` (n bytes). */
static void make_tdx(fx_enclave *e, const uint8_t *hw, size_t n) {
  decc_quote *q = &e->req.quote;
  memset(q->backend, 0, sizeof q->backend);
  memcpy(q->backend, "tdx", 3);
  memset(&q->platform, 0, sizeof q->platform);
  memset(q->signature, 0, sizeof q->signature);
  memcpy(q->hw_quote, hw, n);
  q->hw_quote_len = (uint32_t)n;
}

static const char *refusal(fx *f, fx_enclave *e) {
  const char *code = NULL;
  decc_status st = fx_release(f, e, &code, NULL, NULL);
  return st ? (code ? code : "(no code)") : "RELEASED";
}

TEST(real_sample_quote_refused_after_the_chain_verified) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  size_t qn, cn;
  char *sample =
      decc_test_read_file(decc_test_vector_path("dcap/tdx_quote"), &qn);
  char *coll = decc_test_read_file(
      decc_test_vector_path("dcap/tdx_quote_collateral.json"), &cn);
  ASSERT(sample && coll);
  int64_t t;
  ASSERT_OK(decc_dcap_parse_time(&t, "2025-06-20T12:00:00Z"));
  g_fx_clock = (uint64_t)t;
  decc_status st;
  fx_enclave e;

  /* An SMS without a DCAP policy trusts no hardware quote. */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  make_tdx(&e, (const uint8_t *)sample, qn);
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_UNTRUSTED_PLATFORM");

  /* A policy trusting the sample's guest image. */
  decc_dcap_quote pq;
  decc_err err;
  ASSERT_OK(decc_dcap_quote_parse(&pq, (const uint8_t *)sample, qn, &err));
  char policy[512], mh[2 * 48 + 1];
  snprintf(policy, sizeof policy,
           "{\"statuses\":[\"UpToDate\"],\"tdx\":[{\"mrtd\":\"%s\"}]}",
           decc_hex_encode(mh, pq.td.mrtd, 48, 0));
  ASSERT_EQ(sms_with_dcap(&f, policy, coll, NULL, 0), 0);
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  make_tdx(&e, (const uint8_t *)sample, qn);
  /* the request with its hardware quote fits the HTTP body limit and
   * reads back as sent (what the worker posts to /tee/sessions) */
  char *rj = NULL;
  ASSERT_OK(decc_sms_session_request_to_json(&rj, &e.req));
  ASSERT(strlen(rj) <= DECC_SMS_SESSION_REQUEST_MAX);
  decc_sms_session_request back;
  ASSERT_OK(decc_sms_session_request_parse(&back, rj, strlen(rj), &err));
  decc_free(rj);
  ASSERT_EQ(back.quote.hw_quote_len, qn);
  ASSERT_MEM_EQ(back.quote.hw_quote, sample, qn);
  /* genuine, current, trusted image — but not made for this session */
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_REPORT_DATA_MISMATCH");
  ASSERT(strstr(f.logs, "ATTESTATION_REPORT_DATA_MISMATCH"));
  /* a flipped byte in the signed body */
  e.req.quote.hw_quote[200] ^= 1;
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_BAD_SIGNATURE");
  e.req.quote.hw_quote[200] ^= 1;
  /* collateral past its nextUpdate */
  g_fx_clock = (uint64_t)t + 90 * 86400;
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_COLLATERAL_EXPIRED");
  g_fx_clock = (uint64_t)t;
  /* a truncated quote */
  e.req.quote.hw_quote_len = 100;
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_MALFORMED_QUOTE");
  /* a DCAP policy needs collateral */
  decc_sms_destroy(f.sms);
  f.sms = NULL;
  decc_sms_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.vault_dir = f.vault_dir;
  decc_sms_memchain_view(&cfg.chain, f.mc);
  cfg.dcap_policy_json = policy;
  ASSERT_EQ(decc_sms_create(&f.sms, &cfg, &err), DECC_E_INVALID);
  cfg.dcap_collateral_json = "{}";
  ASSERT_EQ(decc_sms_create(&f.sms, &cfg, &err), DECC_E_PARSE);
  cfg.dcap_collateral_json = coll;
  cfg.dcap_policy_json = "{\"statuses\":7}";
  ASSERT_EQ(decc_sms_create(&f.sms, &cfg, &err), DECC_E_PARSE);
  ASSERT(f.sms == NULL);
  fx_free(&f);
  free(sample);
  free(coll);
}

TEST(tdx_quote_binding_the_session_releases_it) {
  fx f;
  ASSERT_EQ(fx_init(&f), 0);
  g_fx_clock = (uint64_t)NOW;
  /* The test PKI, made once: the SMS trusts its root and collateral before
   * any quote exists. */
  fx_opts o;
  default_opts(&o, 1);
  o.keep_pki = 1;
  decc_buf lv;
  decc_buf_init(&lv, 0);
  B(decc_buf_append_str(&lv, "["));
  level(&lv, 5, 13, "0,0,2", "UpToDate", NULL);
  B(decc_buf_append_str(&lv, "]"));
  B(decc_buf_append_byte(&lv, 0));
  o.tcb_levels = (char *)lv.data;
  dcap_fx f0;
  build(&f0, &o);
  decc_dcap_quote pq;
  decc_err err;
  ASSERT_OK(decc_dcap_quote_parse(&pq, f0.quote.data, f0.quote.len, &err));
  char policy[512], mh[2 * 48 + 1];
  snprintf(policy, sizeof policy, "{\"tdx\":[{\"mrtd\":\"%s\"}]}",
           decc_hex_encode(mh, pq.td.mrtd, 48, 0));
  ASSERT_EQ(
      sms_with_dcap(&f, policy, f0.coll, f0.root_der, (size_t)f0.root_len), 0);

  /* the dataset key the session carries */
  ASSERT_OK(fx_push_web3(
      &f, K_DS_OWNER, &f.dataset,
      "0x7f5a0b0c1d2e3f405162738495a6b7c8d9eaf0112233445566778899aabbccdd"));

  /* The enclave's claims, bound into a TD quote's report data. */
  decc_status st;
  fx_enclave e;
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  make_tdx(&e, (const uint8_t *)"", 0);
  uint8_t rd[64];
  decc_dcap_report_data(rd, &e.req.quote);
  o.report_data = rd;
  dcap_fx f1;
  build(&f1, &o);
  make_tdx(&e, f1.quote.data, f1.quote.len);
  fx_enclave replay = e;
  json_t *doc = NULL;
  const char *code = NULL;
  st = fx_release(&f, &e, &code, &doc, NULL);
  if (st)
    printf("# %s\n%s", code ? code : "-", f.logs);
  ASSERT_OK(st);
  ASSERT(json_object_get(doc, "services"));
  ASSERT(strstr(f.logs, "released"));
  json_decref(doc);
  /* the same quote again: its nonce is used */
  ASSERT_STR_EQ(refusal(&f, &replay), "ATTESTATION_NONCE_UNKNOWN");

  /* A new session presenting the previous quote: other nonce, other
   * report data. */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  make_tdx(&e, f1.quote.data, f1.quote.len);
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_REPORT_DATA_MISMATCH");

  /* A TD that binds a measurement other than the app's checksum: the
   * binding holds, the claim itself is refused. */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  e.req.quote.measurement[0] ^= 1;
  make_tdx(&e, (const uint8_t *)"", 0);
  decc_dcap_report_data(rd, &e.req.quote);
  dcap_fx f2;
  build(&f2, &o);
  make_tdx(&e, f2.quote.data, f2.quote.len);
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_MEASUREMENT_MISMATCH");

  /* "tdx" without the hardware quote */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  make_tdx(&e, (const uint8_t *)"", 0);
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_MALFORMED_QUOTE");

  /* The software platform-key path is unchanged on this SMS. */
  ASSERT_EQ(fx_prepare(&f, &e, K_PLATFORM, K_POOL, K_WORKER, &st), 0);
  ASSERT_STR_EQ(refusal(&f, &e), "RELEASED");
  ASSERT_EQ(fx_prepare(&f, &e, K_OTHER, K_POOL, K_WORKER, &st), 0);
  ASSERT_STR_EQ(refusal(&f, &e), "ATTESTATION_UNTRUSTED_PLATFORM");

  fx_clear(&f0);
  fx_clear(&f1);
  fx_clear(&f2);
  fx_pki_free();
  decc_buf_clear(&lv);
  fx_free(&f);
}
