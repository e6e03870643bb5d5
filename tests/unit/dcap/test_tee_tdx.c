/*
 * test_tee_tdx.c — the worker's TDX backend (decc_tee_tdx_create) against a
 * stand-in configfs-tsm entry directory (this machine is not a TDX guest):
 *   - with a TDX quote built by the test PKI whose report data binds the
 *     claims, quote() writes decc_dcap_report_data of the claims to inblob,
 *     returns the quote in hw_quote, and that quote verifies and passes the
 *     policy's report-data check; the JSON transport keeps it;
 *   - with the real sample TDX quote in outblob (its report data cannot
 *     bind a decc session), quote() refuses (DECC_E_STATE) after asking for
 *     the claims' report data;
 *   - without configfs-tsm, quote() fails with DECC_E_IO;
 *   - the node config keys that select the backend.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "dcap_fixture.h"
#include "decc/attest.h"
#include "decc/node.h"

static void put_file(const char *dir, const char *name, const void *p,
                     size_t n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(p, 1, n, f) != n)
    abort();
  fclose(f);
}

/* A stand-in entry directory serving `quote` from outblob. */
static void stand_in(char entry[512], const char *name, const void *quote,
                     size_t n) {
  snprintf(entry, 512, "%s/%s", decc_test_tmpdir(), name);
  if (mkdir(entry, 0700) != 0)
    abort();
  put_file(entry, "provider", "tdx_guest\n", 10);
  put_file(entry, "generation", "1\n", 2);
  put_file(entry, "inblob", "", 0);
  put_file(entry, "outblob", quote, n);
}

static void claims_init(decc_quote *q) {
  memset(q, 0, sizeof *q);
  memset(q->measurement, 0x11, 32);
  memset(q->enclave_pubkey, 0x22, 32);
  memset(q->task_id, 0x33, 32);
  memset(q->nonce, 0x44, 32);
  q->timestamp = (uint64_t)NOW;
  /* a leftover from a software quote must not survive */
  memset(q->signature, 0x55, sizeof q->signature);
}

static char *read_inblob(const char *entry, size_t *n) {
  char path[600];
  snprintf(path, sizeof path, "%s/inblob", entry);
  return decc_test_read_file(path, n);
}

TEST(tdx_backend_quote_binds_the_claims) {
  /* The report data the backend must ask for: the claims with backend
   * "tdx" (the backend sets it). */
  decc_quote want;
  claims_init(&want);
  memcpy(want.backend, "tdx", 3);
  uint8_t rd[64];
  decc_dcap_report_data(rd, &want);

  fx_opts o;
  default_opts(&o, 1);
  o.report_data = rd;
  decc_buf lv;
  decc_buf_init(&lv, 0);
  B(decc_buf_append_str(&lv, "["));
  level(&lv, 5, 13, "0,0,2", "UpToDate", NULL);
  B(decc_buf_append_str(&lv, "]"));
  B(decc_buf_append_byte(&lv, 0));
  o.tcb_levels = (char *)lv.data;
  fx f;
  build(&f, &o);
  char entry[512];
  stand_in(entry, "fx-entry", f.quote.data, f.quote.len);

  decc_tee_backend b;
  decc_err err;
  ASSERT_OK(decc_tee_tdx_create(&b, NULL, entry));
  ASSERT_STR_EQ(b.name, "tdx");
  decc_quote q;
  claims_init(&q);
  ASSERT_OK(b.quote(b.ctx, &q, &err));
  ASSERT_STR_EQ(q.backend, "tdx");
  ASSERT_EQ(q.hw_quote_len, f.quote.len);
  ASSERT_MEM_EQ(q.hw_quote, f.quote.data, f.quote.len);
  uint8_t z[65] = {0};
  ASSERT_MEM_EQ(q.signature, z, 65);
  ASSERT(decc_address_is_zero(&q.platform));
  size_t il;
  char *in = read_inblob(entry, &il);
  ASSERT_EQ(il, 64);
  ASSERT_MEM_EQ(in, rd, 64);
  free(in);

  /* What a relying party does: verify the chain, then the binding. */
  decc_dcap_verifier *v;
  decc_dcap_collateral *c;
  ASSERT_OK(
      decc_dcap_verifier_create(&v, f.root_der, (size_t)f.root_len, &err));
  ASSERT_OK(decc_dcap_collateral_parse(&c, f.coll, strlen(f.coll), &err));
  decc_dcap_result r;
  ASSERT_OK(decc_dcap_verify(v, &r, q.hw_quote, q.hw_quote_len, c, NOW, &err));
  char pj[256], mh[2 * 48 + 1];
  snprintf(pj, sizeof pj, "{\"tdx\":[{\"mrtd\":\"%s\"}]}",
           decc_hex_encode(mh, r.quote.td.mrtd, 48, 0));
  decc_dcap_policy *p;
  ASSERT_OK(decc_dcap_policy_parse(&p, pj, strlen(pj), &err));
  uint8_t rd2[64];
  decc_dcap_report_data(rd2, &q);
  const char *code = NULL;
  ASSERT_OK(decc_dcap_policy_check(p, &r, rd2, &code, &err));

  /* The JSON transport keeps the hardware quote and the claims. */
  char *js;
  ASSERT_OK(decc_quote_to_json(&js, &q));
  ASSERT(strstr(js, "\"hwQuote\":\"0x"));
  decc_quote back;
  ASSERT_OK(decc_quote_from_json(&back, js, strlen(js), &err));
  decc_free(js);
  ASSERT_EQ(back.hw_quote_len, q.hw_quote_len);
  ASSERT_MEM_EQ(back.hw_quote, q.hw_quote, q.hw_quote_len);
  decc_dcap_report_data(rd2, &back);
  ASSERT_MEM_EQ(rd2, rd, 64);
  /* a software quote's JSON has no hwQuote, and reads back without one */
  decc_quote sw = q;
  sw.hw_quote_len = 0;
  ASSERT_OK(decc_quote_to_json(&js, &sw));
  ASSERT(!strstr(js, "hwQuote"));
  ASSERT_OK(decc_quote_from_json(&back, js, strlen(js), &err));
  ASSERT_EQ(back.hw_quote_len, 0);
  decc_free(js);
  /* a malformed hwQuote is refused */
  const char *bad[] = {"\"0x\"", "\"0x123\"", "\"0xzz\"", "17"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    ASSERT_OK(decc_quote_to_json(&js, &sw));
    size_t jl = strlen(js);
    char *mod = malloc(jl + 64);
    ASSERT(mod);
    memcpy(mod, js, jl - 1);
    snprintf(mod + jl - 1, 64, ",\"hwQuote\":%s}", bad[i]);
    ASSERT_EQ(decc_quote_from_json(&back, mod, strlen(mod), &err),
              DECC_E_PARSE);
    free(mod);
    decc_free(js);
  }
  /* larger than DECC_QUOTE_HW_MAX */
  size_t big = 2 * (DECC_QUOTE_HW_MAX + 1);
  char *huge = malloc(big + 64);
  ASSERT(huge);
  int off = snprintf(huge, 64, "{\"hwQuote\":\"0x");
  memset(huge + off, 'a', big);
  strcpy(huge + off + big, "\"}");
  ASSERT_EQ(decc_quote_from_json(&back, huge, strlen(huge), &err),
            DECC_E_PARSE);
  free(huge);

  /* Other claims (a replayed quote for another nonce): the stand-in still
   * serves the old quote, whose report data no longer matches. */
  claims_init(&q);
  q.nonce[0] ^= 1;
  ASSERT_EQ(b.quote(b.ctx, &q, &err), DECC_E_STATE);
  ASSERT_EQ(q.hw_quote_len, 0);

  decc_tee_tdx_destroy(&b);
  ASSERT(b.ctx == NULL);
  decc_dcap_policy_destroy(p);
  decc_dcap_verifier_destroy(v);
  decc_dcap_collateral_destroy(c);
  fx_clear(&f);
  decc_buf_clear(&lv);
}

TEST(tdx_backend_real_sample_quote_does_not_bind_a_session) {
  size_t qn;
  char *sample =
      decc_test_read_file(decc_test_vector_path("dcap/tdx_quote"), &qn);
  ASSERT(sample);
  char entry[512];
  stand_in(entry, "real-entry", sample, qn);
  decc_tee_backend b;
  decc_err err;
  ASSERT_OK(decc_tee_tdx_create(&b, "/unused", entry));
  decc_quote q;
  claims_init(&q);
  ASSERT_EQ(b.quote(b.ctx, &q, &err), DECC_E_STATE);
  /* it asked for the claims' report data */
  decc_quote want;
  claims_init(&want);
  memcpy(want.backend, "tdx", 3);
  uint8_t rd[64];
  decc_dcap_report_data(rd, &want);
  size_t il;
  char *in = read_inblob(entry, &il);
  ASSERT_EQ(il, 64);
  ASSERT_MEM_EQ(in, rd, 64);
  free(in);
  decc_tee_tdx_destroy(&b);
  free(sample);
}

TEST(tdx_backend_without_configfs) {
  char none[600], plain[600];
  snprintf(none, sizeof none, "%s/no-such-dir", decc_test_tmpdir());
  snprintf(plain, sizeof plain, "%s/plain", decc_test_tmpdir());
  ASSERT_EQ(mkdir(plain, 0700), 0);
  decc_tee_backend b;
  decc_err err;
  decc_quote q;
  ASSERT_OK(decc_tee_tdx_create(&b, none, NULL));
  claims_init(&q);
  ASSERT_EQ(b.quote(b.ctx, &q, &err), DECC_E_IO);
  ASSERT(strstr(err.msg, "configfs-tsm"));
  decc_tee_tdx_destroy(&b);
  /* a plain directory: the entry it creates has no attributes */
  ASSERT_OK(decc_tee_tdx_create(&b, plain, NULL));
  claims_init(&q);
  ASSERT_EQ(b.quote(b.ctx, &q, &err), DECC_E_IO);
  ASSERT_EQ(rmdir(plain), 0); /* the entry was removed again */
  decc_tee_tdx_destroy(&b);
}

TEST(node_config_selects_the_backend) {
  decc_node_config c;
  decc_node_config_init(&c);
  decc_err err;
  ASSERT_OK(decc_node_config_set(&c, "tee_backend", "tdx", &err));
  ASSERT_STR_EQ(c.tee_backend, "tdx");
  ASSERT_OK(decc_node_config_set(&c, "tsm_dir", "/sys/kernel/config/tsm/report",
                                 &err));
  ASSERT_OK(decc_node_config_set(&c, "tsm_entry", "/run/decc-tsm", &err));
  ASSERT_STR_EQ(c.tsm_entry, "/run/decc-tsm");
  ASSERT_OK(decc_node_config_set(&c, "tee_backend", "software", &err));
  ASSERT_EQ(decc_node_config_set(&c, "tee_backend", "sgx", &err),
            DECC_E_INVALID);
  ASSERT(strstr(err.msg, "tee_backend"));
  decc_node_config_clear(&c);
}
