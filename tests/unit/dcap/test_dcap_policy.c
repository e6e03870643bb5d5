/*
 * test_dcap_policy.c — the relying party's policy for hardware quotes and
 * the TDX quote path inside a guest:
 *   - policy parsing and every refusal code (report data, TCB status,
 *     advisory, guest image / enclave) on the real samples;
 *   - the report data that binds decc's session claims (measurement,
 *     enclave key, task, nonce) into a quote, end to end with a TDX quote
 *     built by the test PKI: accepted, then refused for another nonce;
 *   - decc_dcap_refusal_code for verification failures;
 *   - configfs-tsm against a stand-in entry directory serving the real
 *     sample quote (this machine is not a TDX guest).
 */
#include <sys/stat.h>
#include <unistd.h>

#include "dcap_fixture.h"
#include "decc/attest.h"

static char *read_vec(const char *name, size_t *n) {
  char path[128];
  snprintf(path, sizeof path, "dcap/%s", name);
  return decc_test_read_file(decc_test_vector_path(path), n);
}

static decc_status verify_vec(decc_dcap_result *r, const char *quote,
                              const char *coll, const char *now_s) {
  size_t qn, cn;
  char *q = read_vec(quote, &qn), *c = read_vec(coll, &cn);
  decc_dcap_collateral *col;
  decc_dcap_verifier *v;
  decc_err err;
  int64_t now;
  if (decc_dcap_parse_time(&now, now_s) ||
      decc_dcap_collateral_parse(&col, c, cn, &err) ||
      decc_dcap_verifier_create(&v, NULL, 0, &err))
    return DECC_E_INTERNAL;
  decc_status st =
      decc_dcap_verify(v, r, (const uint8_t *)q, qn, col, now, &err);
  decc_dcap_collateral_destroy(col);
  decc_dcap_verifier_destroy(v);
  return st;
}

static decc_dcap_policy *pol(const char *json) {
  decc_dcap_policy *p = NULL;
  decc_err err;
  if (decc_dcap_policy_parse(&p, json, strlen(json), &err) != DECC_OK) {
    printf("# policy: %s\n", err.msg);
    return NULL;
  }
  return p;
}

static char *hexstr(const uint8_t *b, size_t n) {
  static char buf[4][2 * 64 + 1];
  static int k;
  k = (k + 1) % 4;
  decc_hex_encode(buf[k], b, n, 0);
  return buf[k];
}

TEST(policy_on_real_tdx_quote) {
  decc_dcap_result r;
  ASSERT_OK(verify_vec(&r, "tdx_quote", "tdx_quote_collateral.json",
                       "2025-06-20T12:00:00Z"));
  const uint8_t *rd = r.quote.td.report_data;
  char json[2048];
  snprintf(json, sizeof json,
           "{\"statuses\":[\"UpToDate\"],\"tdx\":[{\"mrtd\":\"%s\","
           "\"rtmr0\":\"%s\",\"rtmr1\":\"%s\",\"rtmr2\":\"%s\"}]}",
           hexstr(r.quote.td.mrtd, 48), hexstr(r.quote.td.rtmr[0], 48),
           hexstr(r.quote.td.rtmr[1], 48), hexstr(r.quote.td.rtmr[2], 48));
  decc_dcap_policy *p = pol(json);
  ASSERT(p);
  const char *code;
  decc_err err;
  ASSERT_OK(decc_dcap_policy_check(p, &r, rd, &code, &err));
  uint8_t other[64];
  memcpy(other, rd, 64);
  other[63] ^= 1;
  ASSERT_EQ(decc_dcap_policy_check(p, &r, other, &code, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_REPORT_DATA_MISMATCH");
  decc_dcap_policy_destroy(p);
  /* another RTMR1 (a different kernel) */
  uint8_t r1[48];
  memcpy(r1, r.quote.td.rtmr[1], 48);
  r1[0] ^= 1;
  snprintf(json, sizeof json, "{\"tdx\":[{\"mrtd\":\"%s\",\"rtmr1\":\"%s\"}]}",
           hexstr(r.quote.td.mrtd, 48), hexstr(r1, 48));
  ASSERT((p = pol(json)));
  ASSERT_EQ(decc_dcap_policy_check(p, &r, rd, &code, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_UNTRUSTED_IMAGE");
  decc_dcap_policy_destroy(p);
  /* MRTD only: any RTMR */
  snprintf(json, sizeof json, "{\"tdx\":[{\"mrtd\":\"%s\"}]}",
           hexstr(r.quote.td.mrtd, 48));
  ASSERT((p = pol(json)));
  ASSERT_OK(decc_dcap_policy_check(p, &r, rd, &code, &err));
  decc_dcap_policy_destroy(p);
  /* no image trusted at all */
  ASSERT((p = pol("{}")));
  ASSERT_EQ(decc_dcap_policy_check(p, &r, rd, &code, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_UNTRUSTED_IMAGE");
  decc_dcap_policy_destroy(p);
}

TEST(policy_on_real_sgx_quote_statuses_and_advisories) {
  decc_dcap_result r;
  ASSERT_OK(verify_vec(&r, "sgx_quote", "sgx_quote_collateral.json",
                       "2025-06-20T12:00:00Z"));
  const uint8_t *rd = r.quote.sgx.report_data;
  char json[1024];
  const char *code;
  decc_err err;
  decc_dcap_policy *p;
  snprintf(json, sizeof json, "{\"sgx\":[{\"mrenclave\":\"%s\"}]}",
           hexstr(r.quote.sgx.mrenclave, 32));
  ASSERT((p = pol(json)));
  ASSERT_EQ(decc_dcap_policy_check(p, &r, rd, &code, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_TCB_NOT_ACCEPTED");
  decc_dcap_policy_destroy(p);
  snprintf(
      json, sizeof json,
      "{\"statuses\":[\"UpToDate\",\"ConfigurationAndSWHardeningNeeded\"],"
      "\"advisories\":[\"INTEL-SA-00289\"],\"sgx\":[{\"mrenclave\":\"%s\"}]}",
      hexstr(r.quote.sgx.mrenclave, 32));
  ASSERT((p = pol(json)));
  ASSERT_EQ(decc_dcap_policy_check(p, &r, rd, &code, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_ADVISORY_NOT_ACCEPTED");
  ASSERT(strstr(err.msg, "INTEL-SA-00615"));
  decc_dcap_policy_destroy(p);
  snprintf(json, sizeof json,
           "{\"statuses\":[\"ConfigurationAndSWHardeningNeeded\"],"
           "\"advisories\":[\"INTEL-SA-00289\",\"INTEL-SA-00615\"],"
           "\"sgx\":[{\"mrsigner\":\"%s\",\"isvprodid\":%u,\"minIsvsvn\":%u}]}",
           hexstr(r.quote.sgx.mrsigner, 32), (unsigned)r.quote.sgx.isvprodid,
           (unsigned)r.quote.sgx.isvsvn);
  ASSERT((p = pol(json)));
  ASSERT_OK(decc_dcap_policy_check(p, &r, rd, &code, &err));
  decc_dcap_policy_destroy(p);
  snprintf(json, sizeof json,
           "{\"statuses\":[\"ConfigurationAndSWHardeningNeeded\"],"
           "\"advisories\":[\"INTEL-SA-00289\",\"INTEL-SA-00615\"],"
           "\"sgx\":[{\"mrsigner\":\"%s\",\"isvprodid\":%u,\"minIsvsvn\":%u}]}",
           hexstr(r.quote.sgx.mrsigner, 32), (unsigned)r.quote.sgx.isvprodid,
           (unsigned)r.quote.sgx.isvsvn + 1);
  ASSERT((p = pol(json)));
  ASSERT_EQ(decc_dcap_policy_check(p, &r, rd, &code, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_UNTRUSTED_IMAGE");
  decc_dcap_policy_destroy(p);
}

TEST(policy_parse_refusals) {
  decc_dcap_policy *p;
  decc_err err;
  const char *bad[] = {
      "[]",
      "{\"statuses\":[\"Revoked\"]}",
      "{\"statuses\":[\"Fine\"]}",
      "{\"tdx\":[{\"mrtd\":\"00\"}]}",
      "{\"tdx\":[{}]}",
      ("{\"sgx\":[{\"mrsigner\":\"" /* no prodid */
       "0000000000000000000000000000000000000000000000000000000000000000\"}]}"),
      "{\"statuses\":[\"UpToDate\"],\"statuses\":[\"OutOfDate\"]}",
      "{\"tdx_images\":[]}",
      "{\"advisories\":[\"\"]}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    decc_status st = decc_dcap_policy_parse(&p, bad[i], strlen(bad[i]), &err);
    if (st == DECC_OK) {
      decc_test_fail(__FILE__, __LINE__, "policy %zu accepted: %s", i, bad[i]);
      return;
    }
  }
}

TEST(session_binding_end_to_end) {
  /* The claims a decc enclave makes (as in the software backend's quote),
   * bound into a TDX quote's report data. */
  decc_quote claims;
  memset(&claims, 0, sizeof claims);
  memcpy(claims.backend, "tdx", 3);
  memset(claims.measurement, 0x11, 32);
  memset(claims.enclave_pubkey, 0x22, 32);
  memset(claims.task_id, 0x33, 32);
  memset(claims.nonce, 0x44, 32);
  claims.timestamp = (uint64_t)NOW;
  uint8_t rd[64], d[32];
  decc_dcap_report_data(rd, &claims);
  decc_quote_digest(d, &claims);
  ASSERT_MEM_EQ(rd, d, 32);
  uint8_t z[32] = {0};
  ASSERT_MEM_EQ(rd + 32, z, 32);

  fx_opts o;
  default_opts(&o, 1);
  o.report_data = rd;
  decc_buf b;
  decc_buf_init(&b, 0);
  B(decc_buf_append_str(&b, "["));
  level(&b, 5, 13, "0,0,2", "UpToDate", NULL);
  B(decc_buf_append_str(&b, "]"));
  B(decc_buf_append_byte(&b, 0));
  o.tcb_levels = (char *)b.data;
  fx f;
  build(&f, &o);
  decc_dcap_verifier *v;
  decc_dcap_collateral *c;
  decc_err err;
  ASSERT_OK(
      decc_dcap_verifier_create(&v, f.root_der, (size_t)f.root_len, &err));
  ASSERT_OK(decc_dcap_collateral_parse(&c, f.coll, strlen(f.coll), &err));
  decc_dcap_result r;
  ASSERT_OK(decc_dcap_verify(v, &r, f.quote.data, f.quote.len, c, NOW, &err));
  char json[512];
  snprintf(json, sizeof json, "{\"tdx\":[{\"mrtd\":\"%s\"}]}",
           hexstr(r.quote.td.mrtd, 48));
  decc_dcap_policy *p = pol(json);
  ASSERT(p);
  const char *code;
  ASSERT_OK(decc_dcap_policy_check(p, &r, rd, &code, &err));
  /* Any other claim (here: the nonce, i.e. a replay for another challenge)
   * gives other report data. */
  decc_quote other = claims;
  other.nonce[0] ^= 1;
  uint8_t rd2[64];
  decc_dcap_report_data(rd2, &other);
  ASSERT_EQ(decc_dcap_policy_check(p, &r, rd2, &code, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(code, "ATTESTATION_REPORT_DATA_MISMATCH");
  other = claims;
  other.measurement[31] ^= 1;
  decc_dcap_report_data(rd2, &other);
  ASSERT_EQ(decc_dcap_policy_check(p, &r, rd2, &code, &err), DECC_E_DENIED);
  /* Refusal codes of verification failures. */
  ASSERT_EQ(decc_dcap_verify(v, &r, f.quote.data, f.quote.len, c,
                             NOW + 60 * DAY, &err),
            DECC_E_STATE);
  ASSERT_STR_EQ(decc_dcap_refusal_code(DECC_E_STATE, &r),
                "ATTESTATION_COLLATERAL_EXPIRED");
  f.quote.data[200] ^= 1;
  decc_status st =
      decc_dcap_verify(v, &r, f.quote.data, f.quote.len, c, NOW, &err);
  ASSERT_STR_EQ(decc_dcap_refusal_code(st, &r), "ATTESTATION_BAD_SIGNATURE");
  ASSERT_STR_EQ(decc_dcap_refusal_code(DECC_E_PARSE, &r),
                "ATTESTATION_MALFORMED_QUOTE");
  decc_dcap_policy_destroy(p);
  decc_dcap_verifier_destroy(v);
  decc_dcap_collateral_destroy(c);
  fx_clear(&f);
  decc_buf_clear(&b);
}

static void put_file(const char *dir, const char *name, const void *p,
                     size_t n) {
  char path[512];
  int w = snprintf(path, sizeof path, "%s/%s", dir, name);
  if (w < 0 || (size_t)w >= sizeof path)
    abort();
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n)
    abort();
  fclose(f);
}

TEST(tsm_stand_in_serves_the_real_quote) {
  /* A stand-in configfs-tsm entry: provider, generation, an inblob to write
   * and an outblob holding the real sample TDX quote. */
  size_t qn;
  char *quote = read_vec("tdx_quote", &qn);
  decc_dcap_quote q;
  decc_err err;
  ASSERT_OK(decc_dcap_quote_parse(&q, (const uint8_t *)quote, qn, &err));
  const char *dir = decc_test_tmpdir();
  char entry[512];
  snprintf(entry, sizeof entry, "%s/entry", dir);
  ASSERT_EQ(mkdir(entry, 0700), 0);
  put_file(entry, "provider", "tdx_guest\n", 10);
  put_file(entry, "generation", "1\n", 2);
  put_file(entry, "inblob", "", 0);
  put_file(entry, "outblob", quote, qn);
  uint8_t *got = NULL;
  size_t gl = 0;
  /* the quote carries the report data asked for */
  ASSERT_OK(decc_tdx_tsm_quote_entry(&got, &gl, entry, q.td.report_data, &err));
  ASSERT_EQ(gl, qn);
  ASSERT_MEM_EQ(got, quote, qn);
  decc_free(got);
  size_t il;
  char path[600];
  snprintf(path, sizeof path, "%s/inblob", entry);
  char *in = decc_test_read_file(path, &il);
  ASSERT_EQ(il, 64);
  ASSERT_MEM_EQ(in, q.td.report_data, 64);
  /* other report data than the quote's: refused */
  uint8_t rd[64];
  memset(rd, 7, sizeof rd);
  ASSERT_EQ(decc_tdx_tsm_quote_entry(&got, &gl, entry, rd, &err), DECC_E_STATE);
  /* another TEE's provider */
  put_file(entry, "provider", "sev_guest\n", 10);
  ASSERT_EQ(decc_tdx_tsm_quote_entry(&got, &gl, entry, q.td.report_data, &err),
            DECC_E_UNSUPPORTED);
  put_file(entry, "provider", "tdx_guest\n", 10);
  /* an SGX quote in outblob */
  size_t sn;
  char *sgx = read_vec("sgx_quote", &sn);
  put_file(entry, "outblob", sgx, sn);
  ASSERT_EQ(decc_tdx_tsm_quote_entry(&got, &gl, entry, q.td.report_data, &err),
            DECC_E_PARSE);
  /* no configfs at all: the mkdir/rmdir wrapper fails cleanly */
  char none[600];
  snprintf(none, sizeof none, "%s/no-such-dir", dir);
  ASSERT_EQ(decc_tdx_tsm_quote(&got, &gl, none, rd, &err), DECC_E_IO);
  ASSERT(got == NULL);
  /* a plain directory (not configfs): the entry has no attributes */
  ASSERT_EQ(decc_tdx_tsm_quote(&got, &gl, dir, rd, &err), DECC_E_IO);
  ASSERT(strstr(err.msg, "provider"));
}
