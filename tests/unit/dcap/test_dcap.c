/*
 * test_dcap.c — DCAP quote verification.
 *
 * Two sources of truth:
 *   - real quotes and collateral (tests/vectors/dcap) with the results of an
 *     independent verifier, @phala/dcap-qvl (expected.json, made by
 *     tools/vectors/gen_dcap.mjs): decc must agree on status, advisories,
 *     report fields, FMSPC, PCK SVNs, and on each refusal;
 *   - a complete PKI built here with OpenSSL (test root CA, PCK Platform CA,
 *     PCK certificate with its SGX extension, TCB signing certificate, both
 *     CRLs) and quotes assembled and signed here, to reach every refusal and
 *     every TCB status rule: revoked PCK, expired and not-yet-valid
 *     collateral, wrong QE identity, the combination of QE / TDX module
 *     statuses with the platform's, debug reports.
 * Plus tampering of every signed byte and truncation of the real quotes.
 */
#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include "decc/buf.h"
#include "decc/dcap.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "test.h"

/* Builder calls cannot fail short of OOM; abort then. */
#define B(x)                                                                   \
  do {                                                                         \
    if ((x) != DECC_OK)                                                        \
      abort();                                                                 \
  } while (0)

/* ---- real samples ------------------------------------------------------- */

typedef struct sample {
  uint8_t *quote;
  size_t quote_len;
  char *coll;
  size_t coll_len;
} sample;

static void load_sample(sample *s, const char *quote, const char *coll) {
  char path[256];
  snprintf(path, sizeof path, "dcap/%s", quote);
  s->quote = (uint8_t *)decc_test_read_file(decc_test_vector_path(path),
                                            &s->quote_len);
  snprintf(path, sizeof path, "dcap/%s", coll);
  s->coll = decc_test_read_file(decc_test_vector_path(path), &s->coll_len);
}

static decc_status verify_sample(const sample *s, int64_t now,
                                 decc_dcap_result *r, decc_err *err) {
  decc_dcap_collateral *c = NULL;
  decc_dcap_verifier *v = NULL;
  decc_status st = decc_dcap_collateral_parse(&c, s->coll, s->coll_len, err);
  if (!st)
    st = decc_dcap_verifier_create(&v, NULL, 0, err);
  if (!st)
    st = decc_dcap_verify(v, r, s->quote, s->quote_len, c, now, err);
  decc_dcap_verifier_destroy(v);
  decc_dcap_collateral_destroy(c);
  return st;
}

static int hex_eq(const uint8_t *b, size_t n, const char *hex) {
  char buf[2 * 128 + 1];
  if (!hex || strlen(hex) != 2 * n)
    return 0;
  decc_hex_encode(buf, b, n, 0);
  return strcasecmp(buf, hex) == 0;
}

#define JSTR(o, k) json_string_value(json_object_get((o), (k)))
#define JINT(o, k) json_integer_value(json_object_get((o), (k)))

TEST(samples_agree_with_dcap_qvl) {
  size_t n;
  char *text =
      decc_test_read_file(decc_test_vector_path("dcap/expected.json"), &n);
  json_t *doc = json_loadb(text, n, 0, NULL);
  ASSERT(doc);
  json_t *cases = json_object_get(doc, "cases");
  ASSERT(json_array_size(cases) >= 6);
  for (size_t i = 0; i < json_array_size(cases); i++) {
    json_t *c = json_array_get(cases, i);
    const char *name = JSTR(c, "name");
    sample s;
    load_sample(&s, JSTR(c, "quote"), JSTR(c, "collateral"));
    int64_t now;
    ASSERT_OK(decc_dcap_parse_time(&now, JSTR(c, "now")));
    ASSERT_EQ(now, JINT(c, "now_unix"));
    decc_dcap_result r;
    decc_err err;
    decc_status st = verify_sample(&s, now, &r, &err);
    printf("# %s: %s %s %s\n", name, decc_status_name(st),
           decc_dcap_tcb_status_name(r.status), st ? err.msg : "");
    /* Parsed fields, whatever the verdict. */
    const decc_dcap_quote *q = &r.quote;
    ASSERT(r.checks & DECC_DCAP_CHECK_QUOTE_PARSE);
    ASSERT_EQ(q->version, JINT(c, "version"));
    ASSERT_EQ(q->tee_type, JINT(c, "tee_type"));
    ASSERT_EQ(q->qe_svn, JINT(c, "qe_svn"));
    ASSERT_EQ(q->pce_svn, JINT(c, "pce_svn"));
    const char *rt = JSTR(c, "report_type");
    ASSERT_EQ(q->body, !strcmp(rt, "sgx")    ? DECC_DCAP_BODY_SGX
                       : !strcmp(rt, "td10") ? DECC_DCAP_BODY_TD10
                                             : DECC_DCAP_BODY_TD15);
    json_t *rep = json_object_get(c, "report");
    if (q->body == DECC_DCAP_BODY_SGX) {
      ASSERT(hex_eq(q->sgx.cpusvn, 16, JSTR(rep, "cpu_svn")));
      ASSERT_EQ((uint32_t)q->sgx.miscselect[0] |
                    (uint32_t)q->sgx.miscselect[1] << 8 |
                    (uint32_t)q->sgx.miscselect[2] << 16 |
                    (uint32_t)q->sgx.miscselect[3] << 24,
                JINT(rep, "misc_select"));
      ASSERT(hex_eq(q->sgx.attributes, 16, JSTR(rep, "attributes")));
      ASSERT(hex_eq(q->sgx.mrenclave, 32, JSTR(rep, "mr_enclave")));
      ASSERT(hex_eq(q->sgx.mrsigner, 32, JSTR(rep, "mr_signer")));
      ASSERT_EQ(q->sgx.isvprodid, JINT(rep, "isv_prod_id"));
      ASSERT_EQ(q->sgx.isvsvn, JINT(rep, "isv_svn"));
      ASSERT(hex_eq(q->sgx.report_data, 64, JSTR(rep, "report_data")));
    } else {
      ASSERT(hex_eq(q->td.tee_tcb_svn, 16, JSTR(rep, "tee_tcb_svn")));
      ASSERT(hex_eq(q->td.mrseam, 48, JSTR(rep, "mr_seam")));
      ASSERT(hex_eq(q->td.mrsignerseam, 48, JSTR(rep, "mr_signer_seam")));
      ASSERT(hex_eq(q->td.seam_attributes, 8, JSTR(rep, "seam_attributes")));
      ASSERT(hex_eq(q->td.td_attributes, 8, JSTR(rep, "td_attributes")));
      ASSERT(hex_eq(q->td.xfam, 8, JSTR(rep, "xfam")));
      ASSERT(hex_eq(q->td.mrtd, 48, JSTR(rep, "mr_td")));
      ASSERT(hex_eq(q->td.mrconfigid, 48, JSTR(rep, "mr_config_id")));
      ASSERT(hex_eq(q->td.mrowner, 48, JSTR(rep, "mr_owner")));
      ASSERT(hex_eq(q->td.mrownerconfig, 48, JSTR(rep, "mr_owner_config")));
      ASSERT(hex_eq(q->td.rtmr[0], 48, JSTR(rep, "rt_mr0")));
      ASSERT(hex_eq(q->td.rtmr[1], 48, JSTR(rep, "rt_mr1")));
      ASSERT(hex_eq(q->td.rtmr[2], 48, JSTR(rep, "rt_mr2")));
      ASSERT(hex_eq(q->td.rtmr[3], 48, JSTR(rep, "rt_mr3")));
      ASSERT(hex_eq(q->td.report_data, 64, JSTR(rep, "report_data")));
      if (q->body == DECC_DCAP_BODY_TD15) {
        ASSERT(hex_eq(q->td.tee_tcb_svn2, 16, JSTR(rep, "tee_tcb_svn2")));
        ASSERT(hex_eq(q->td.mrservicetd, 48, JSTR(rep, "mr_service_td")));
      }
    }
    if (json_is_true(json_object_get(c, "ok"))) {
      ASSERT_OK(st);
      ASSERT_EQ(r.checks, (1u << DECC_DCAP_CHECK_COUNT) - 1 -
                              (q->tee_type == DECC_DCAP_TEE_SGX
                                   ? DECC_DCAP_CHECK_TDX_MODULE
                                   : 0));
      ASSERT_STR_EQ(decc_dcap_tcb_status_name(r.status), JSTR(c, "status"));
      json_t *adv = json_object_get(c, "advisory_ids");
      ASSERT_EQ(r.n_advisories, json_array_size(adv));
      for (size_t k = 0; k < r.n_advisories; k++)
        ASSERT_STR_EQ(r.advisories[k],
                      json_string_value(json_array_get(adv, k)));
      /* PCK certificate fields are read once the chain is verified. */
      ASSERT(hex_eq(r.fmspc, 6, JSTR(c, "fmspc")));
      ASSERT_EQ(r.pck_pcesvn, JINT(c, "pck_pcesvn"));
      ASSERT(hex_eq(r.pck_cpusvn, 16, JSTR(c, "pck_cpusvn")));
    } else {
      const char *e = JSTR(c, "error");
      ASSERT(st != DECC_OK);
      if (strstr(e, "No matching TCB level found")) {
        ASSERT_EQ(st, DECC_E_DENIED);
        ASSERT_STR_EQ(r.failed_check, "TCB_LEVEL");
        ASSERT(strstr(err.msg, "No matching TCB level found"));
        ASSERT(hex_eq(r.fmspc, 6, JSTR(c, "fmspc")));
        ASSERT_EQ(r.pck_pcesvn, JINT(c, "pck_pcesvn"));
      } else if (strstr(e, "expired") || strstr(e, "future")) {
        ASSERT_EQ(st, DECC_E_STATE);
        ASSERT_STR_EQ(r.failed_check, "COLLATERAL_DATES");
      } else {
        decc_test_fail(__FILE__, __LINE__, "unmapped dcap-qvl error: %s", e);
        return;
      }
    }
  }
  json_decref(doc);
}

/* Offset of the PEM certification data inside a parsed sample. */
static size_t cert_offset(const sample *s) {
  decc_dcap_quote q;
  decc_err err;
  if (decc_dcap_quote_parse(&q, s->quote, s->quote_len, &err))
    return 0;
  return (size_t)(q.cert_data - s->quote);
}

static void tamper_all(const char *quote, const char *coll, const char *now_s) {
  sample s;
  load_sample(&s, quote, coll);
  int64_t now;
  ASSERT_OK(decc_dcap_parse_time(&now, now_s));
  decc_dcap_collateral *c;
  decc_dcap_verifier *v;
  decc_err err;
  ASSERT_OK(decc_dcap_collateral_parse(&c, s.coll, s.coll_len, &err));
  ASSERT_OK(decc_dcap_verifier_create(&v, NULL, 0, &err));
  decc_dcap_result r;
  ASSERT_OK(decc_dcap_verify(v, &r, s.quote, s.quote_len, c, now, &err));
  size_t end = cert_offset(&s), signed_len = r.quote.signed_len;
  size_t pem_len = r.quote.cert_len, tried = 0;
  ASSERT(end > signed_len);
  /* Every byte before the PEM chain: header, body, signature, attestation
   * key, QE report, its signature, QE auth data and the length fields. */
  for (size_t i = 0; i < end; i++) {
    s.quote[i] ^= 0x01;
    decc_status st =
        decc_dcap_verify(v, &r, s.quote, s.quote_len, c, now, &err);
    s.quote[i] ^= 0x01;
    if (st == DECC_OK) {
      decc_test_fail(__FILE__, __LINE__, "%s: byte %zu flipped, still valid",
                     quote, i);
      return;
    }
    /* Body bytes are caught by the quote signature. */
    if (i >= 48 && i < signed_len && r.quote.version != 5)
      ASSERT_STR_EQ(r.failed_check, "QUOTE_SIGNATURE");
  }
  /* The PEM chain: change base64 digits inside each certificate. */
  char *pem = (char *)s.quote + end;
  for (size_t i = 0; i + 40 < pem_len; i += 37) {
    char ch = pem[i];
    int b64 = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              (ch >= '0' && ch <= '9');
    /* skip header lines and the last line of each certificate (padding) */
    if (!b64 || memchr(pem + i, '-', 40 < pem_len - i ? 40 : pem_len - i) ||
        (i > 0 && memchr(pem + i - (i < 70 ? i : 70), '-', i < 70 ? i : 70)))
      continue;
    pem[i] = ch == 'A' ? 'B' : 'A';
    decc_status st =
        decc_dcap_verify(v, &r, s.quote, s.quote_len, c, now, &err);
    pem[i] = ch;
    tried++;
    if (st == DECC_OK) {
      decc_test_fail(__FILE__, __LINE__,
                     "%s: PEM char %zu changed, still valid", quote, i);
      return;
    }
  }
  ASSERT(tried > 50);
  decc_dcap_verifier_destroy(v);
  decc_dcap_collateral_destroy(c);
}

TEST(tdx_sample_every_signed_byte_tampered) {
  tamper_all("tdx_quote", "tdx_quote_collateral.json", "2025-06-20T12:00:00Z");
}

TEST(sgx_sample_every_signed_byte_tampered) {
  tamper_all("sgx_quote", "sgx_quote_collateral.json", "2025-06-20T12:00:00Z");
}

/* Changes the first occurrence of `from` in member `key` of the collateral
 * JSON into `to` (same length). */
static char *edit_member(const char *coll, size_t len, const char *key,
                         const char *from, const char *to) {
  json_t *o = json_loadb(coll, len, 0, NULL);
  const char *v = json_string_value(json_object_get(o, key));
  if (!v) {
    json_decref(o);
    return NULL;
  }
  char *copy = strdup(v);
  char *p = strstr(copy, from);
  if (p)
    memcpy(p, to, strlen(to));
  json_object_set_new(o, key, json_string(copy));
  free(copy);
  char *out = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  return p ? out : (free(out), NULL);
}

TEST(sample_collateral_tampered) {
  sample s;
  load_sample(&s, "tdx_quote", "tdx_quote_collateral.json");
  int64_t now;
  ASSERT_OK(decc_dcap_parse_time(&now, "2025-06-20T12:00:00Z"));
  static const struct {
    const char *key, *from, *to;
    decc_status want;
    const char *check;
  } cases[] = {
      {"tcb_info", "\"tcbEvaluationDataNumber\":17",
       "\"tcbEvaluationDataNumber\":18", DECC_E_BAD_SIGNATURE,
       "TCB_INFO_SIGNATURE"},
      {"tcb_info", "\"pcesvn\":11", "\"pcesvn\":10", DECC_E_BAD_SIGNATURE,
       "TCB_INFO_SIGNATURE"},
      {"qe_identity", "\"isvprodid\":2", "\"isvprodid\":3",
       DECC_E_BAD_SIGNATURE, "QE_IDENTITY_SIGNATURE"},
      {"tcb_info_signature", "0", "1", DECC_E_BAD_SIGNATURE,
       "TCB_INFO_SIGNATURE"},
      {"qe_identity_signature", "d", "e", DECC_E_BAD_SIGNATURE,
       "QE_IDENTITY_SIGNATURE"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *coll = edit_member(s.coll, s.coll_len, cases[i].key, cases[i].from,
                             cases[i].to);
    ASSERT(coll);
    sample t = s;
    t.coll = coll;
    t.coll_len = strlen(coll);
    decc_dcap_result r;
    decc_err err;
    decc_status st = verify_sample(&t, now, &r, &err);
    printf("# %s: %s (%s)\n", cases[i].key, decc_status_name(st), err.msg);
    ASSERT_EQ(st, cases[i].want);
    ASSERT_STR_EQ(r.failed_check, cases[i].check);
    free(coll);
  }
  /* A CRL byte changed: the DER no longer parses or no longer verifies. */
  const char *crls[] = {"root_ca_crl", "pck_crl"};
  for (size_t i = 0; i < 2; i++) {
    json_t *o = json_loadb(s.coll, s.coll_len, 0, NULL);
    char *hex = strdup(json_string_value(json_object_get(o, crls[i])));
    size_t n = strlen(hex);
    for (size_t pos = n - 20; pos < n; pos += 7) {
      char keep = hex[pos];
      hex[pos] = keep == '0' ? '1' : '0';
      json_object_set_new(o, crls[i], json_string(hex));
      char *coll = json_dumps(o, JSON_COMPACT);
      sample t = s;
      t.coll = coll;
      t.coll_len = strlen(coll);
      decc_dcap_result r;
      decc_err err;
      decc_status st = verify_sample(&t, now, &r, &err);
      ASSERT(st == DECC_E_BAD_SIGNATURE || st == DECC_E_PARSE);
      free(coll);
      hex[pos] = keep;
    }
    free(hex);
    json_decref(o);
  }
}

TEST(samples_truncated) {
  const char *names[] = {"tdx_quote", "sgx_quote", "tdx_quote_outdated"};
  for (size_t k = 0; k < 3; k++) {
    sample s;
    char cn[64];
    snprintf(cn, sizeof cn, "%s_collateral.json", names[k]);
    load_sample(&s, names[k], cn);
    decc_dcap_quote q;
    decc_err err;
    ASSERT_OK(decc_dcap_quote_parse(&q, s.quote, s.quote_len, &err));
    size_t end = (size_t)(q.cert_data - s.quote) + q.cert_len;
    for (size_t n = 0; n < end; n++) {
      /* a fresh copy of exactly n bytes, so ASan sees any overread */
      uint8_t *cut = malloc(n ? n : 1);
      memcpy(cut, s.quote, n);
      decc_status st = decc_dcap_quote_parse(&q, cut, n, &err);
      free(cut);
      if (st == DECC_OK) {
        decc_test_fail(__FILE__, __LINE__, "%s cut to %zu bytes parsed",
                       names[k], n);
        return;
      }
    }
    /* Non-zero bytes after the signature data are refused. */
    uint8_t *longer = malloc(s.quote_len + 1);
    memcpy(longer, s.quote, s.quote_len);
    longer[s.quote_len] = 1;
    ASSERT_EQ(decc_dcap_quote_parse(&q, longer, s.quote_len + 1, &err),
              DECC_E_PARSE);
    longer[s.quote_len] = 0;
    ASSERT_OK(decc_dcap_quote_parse(&q, longer, s.quote_len + 1, &err));
    free(longer);
  }
}

TEST(sample_refused_under_another_root) {
  /* Real Intel-signed collateral checked against a root that is not
   * Intel's: the chains must not verify. */
  sample s;
  load_sample(&s, "tdx_quote", "tdx_quote_collateral.json");
  EVP_PKEY *k = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -86400L * 3650);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             (const unsigned char *)"Intel SGX Root CA", -1, -1,
                             0);
  X509_set_issuer_name(x, X509_get_subject_name(x));
  X509_set_pubkey(x, k);
  ASSERT(X509_sign(x, k, EVP_sha256()) > 0);
  unsigned char *der = NULL;
  int dl = i2d_X509(x, &der);
  decc_dcap_verifier *v;
  decc_dcap_collateral *c;
  decc_err err;
  ASSERT_OK(decc_dcap_verifier_create(&v, der, (size_t)dl, &err));
  ASSERT_OK(decc_dcap_collateral_parse(&c, s.coll, s.coll_len, &err));
  int64_t now;
  ASSERT_OK(decc_dcap_parse_time(&now, "2025-06-20T12:00:00Z"));
  decc_dcap_result r;
  decc_status st = decc_dcap_verify(v, &r, s.quote, s.quote_len, c, now, &err);
  printf("# %s\n", err.msg);
  ASSERT(st == DECC_E_DENIED || st == DECC_E_BAD_SIGNATURE);
  ASSERT_STR_EQ(r.failed_check, "CRLS");
  decc_dcap_verifier_destroy(v);
  decc_dcap_collateral_destroy(c);
  OPENSSL_free(der);
  X509_free(x);
  EVP_PKEY_free(k);
}

#include "dcap_fixture.h"

TEST(own_root_accepted_and_intel_root_refuses_it) {
  fx_opts o;
  default_opts(&o, 0);
  int sgx[] = {5}, pce[] = {13};
  const char *st[] = {"UpToDate"}, *adv[] = {NULL};
  char *lv = levels_sgx(1, sgx, pce, st, adv);
  o.tcb_levels = lv;
  decc_dcap_result r;
  decc_err err;
  ASSERT_OK(run(&o, NOW, &r, &err));
  ASSERT_EQ(r.status, DECC_DCAP_TCB_UP_TO_DATE);
  ASSERT_EQ(r.n_advisories, 0);
  ASSERT(hex_eq(r.fmspc, 6, "112233445566"));
  ASSERT_EQ(r.pck_pcesvn, 13);
  ASSERT(r.pck_ca_platform);
  /* The same quote and collateral under the pinned Intel root. */
  fx f;
  build(&f, &o);
  decc_dcap_verifier *v;
  decc_dcap_collateral *c;
  ASSERT_OK(decc_dcap_verifier_create(&v, NULL, 0, &err));
  ASSERT_OK(decc_dcap_collateral_parse(&c, f.coll, strlen(f.coll), &err));
  ASSERT_EQ(decc_dcap_verify(v, &r, f.quote.data, f.quote.len, c, NOW, &err),
            DECC_E_DENIED);
  ASSERT_STR_EQ(r.failed_check, "CRLS");
  /* Same collateral object, now its own root: the cache must not carry the
   * refusal nor the other root's success. */
  decc_dcap_verifier *own;
  ASSERT_OK(
      decc_dcap_verifier_create(&own, f.root_der, (size_t)f.root_len, &err));
  ASSERT_OK(decc_dcap_verify(own, &r, f.quote.data, f.quote.len, c, NOW, &err));
  ASSERT_EQ(decc_dcap_verify(v, &r, f.quote.data, f.quote.len, c, NOW, &err),
            DECC_E_DENIED);
  /* Warm cache, then a time outside the window: refused again. */
  ASSERT_OK(decc_dcap_verify(own, &r, f.quote.data, f.quote.len, c, NOW, &err));
  ASSERT_EQ(decc_dcap_verify(own, &r, f.quote.data, f.quote.len, c,
                             NOW + 40 * DAY, &err),
            DECC_E_STATE);
  ASSERT_OK(decc_dcap_verify(own, &r, f.quote.data, f.quote.len, c, NOW, &err));
  decc_dcap_verifier_destroy(v);
  decc_dcap_verifier_destroy(own);
  decc_dcap_collateral_destroy(c);
  fx_clear(&f);
  free(lv);
}

TEST(revoked_pck_refused) {
  fx_opts o;
  default_opts(&o, 0);
  int sgx[] = {5}, pce[] = {13};
  const char *st[] = {"UpToDate"}, *adv[] = {NULL};
  char *lv = levels_sgx(1, sgx, pce, st, adv);
  o.tcb_levels = lv;
  o.revoke_pck = 1;
  decc_dcap_result r;
  decc_err err;
  ASSERT_EQ(run(&o, NOW, &r, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(r.failed_check, "PCK_CHAIN");
  ASSERT(strstr(err.msg, "revoked"));
  free(lv);
}

TEST(expired_and_not_yet_valid_collateral) {
  fx_opts o;
  default_opts(&o, 1);
  int sgx[] = {5}, pce[] = {13};
  const char *st[] = {"UpToDate"}, *adv[] = {NULL};
  decc_buf b;
  decc_buf_init(&b, 0);
  B(decc_buf_append_str(&b, "["));
  level(&b, sgx[0], pce[0], "0,0,2", st[0], adv[0]);
  B(decc_buf_append_str(&b, "]"));
  B(decc_buf_append_byte(&b, 0));
  o.tcb_levels = (char *)b.data;
  decc_dcap_result r;
  decc_err err;
  ASSERT_OK(run(&o, NOW, &r, &err));
  ASSERT_EQ(r.status, DECC_DCAP_TCB_UP_TO_DATE);
  ASSERT(r.checks & DECC_DCAP_CHECK_TDX_MODULE);
  ASSERT_EQ(run(&o, o.next + 1, &r, &err), DECC_E_STATE);
  ASSERT_STR_EQ(r.failed_check, "COLLATERAL_DATES");
  ASSERT_EQ(run(&o, o.issue - 1, &r, &err), DECC_E_STATE);
  ASSERT_STR_EQ(r.failed_check, "COLLATERAL_DATES");
  ASSERT_OK(run(&o, o.next, &r, &err)); /* inclusive bounds */
  /* An expired PCK certificate, collateral current. */
  o.leaf_not_after = -DAY;
  ASSERT_EQ(run(&o, NOW, &r, &err), DECC_E_STATE);
  ASSERT_STR_EQ(r.failed_check, "PCK_CHAIN");
  decc_buf_clear(&b);
}

TEST(wrong_qe_identity_refused) {
  fx_opts o;
  default_opts(&o, 0);
  int sgx[] = {5}, pce[] = {13};
  const char *st[] = {"UpToDate"}, *adv[] = {NULL};
  char *lv = levels_sgx(1, sgx, pce, st, adv);
  o.tcb_levels = lv;
  decc_dcap_result r;
  decc_err err;
  o.qe_mrsigner0 = 0xAC;
  ASSERT_EQ(run(&o, NOW, &r, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(r.failed_check, "QE_IDENTITY");
  ASSERT(strstr(err.msg, "MRSIGNER"));
  o.qe_mrsigner0 = 0xAB;
  o.qe_prodid = 9;
  ASSERT_EQ(run(&o, NOW, &r, &err), DECC_E_DENIED);
  ASSERT(strstr(err.msg, "ISVPRODID"));
  o.qe_prodid = 1;
  o.qe_id = "TD_QE"; /* a TDX QE identity for an SGX quote */
  ASSERT_EQ(run(&o, NOW, &r, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(r.failed_check, "QE_IDENTITY");
  o.qe_id = NULL;
  o.qe_isvsvn = 5; /* below every QE level: Revoked, as Intel's QVL */
  ASSERT_EQ(run(&o, NOW, &r, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(r.failed_check, "QE_TCB_LEVEL");
  ASSERT_EQ(r.qe_status, DECC_DCAP_TCB_REVOKED);
  free(lv);
}

TEST(sgx_tcb_status_rules) {
  /* Levels in Intel's order; the PCK certificate has every component 5
   * and PCESVN 13. */
  static const struct {
    int n;
    int sgx[3], pce[3];
    const char *status[3], *adv[3];
    uint16_t qe_isvsvn;
    decc_status want;
    const char *final;
    const char *ids[3];
    size_t nids;
  } cases[] = {
      {2,
       {6, 5},
       {13, 13},
       {"UpToDate", "SWHardeningNeeded"},
       {NULL, "[\"INTEL-SA-00615\"]"},
       8,
       DECC_OK,
       "SWHardeningNeeded",
       {"INTEL-SA-00615"},
       1},
      {1,
       {5},
       {13},
       {"ConfigurationNeeded"},
       {"[\"INTEL-SA-00289\"]"},
       8,
       DECC_OK,
       "ConfigurationNeeded",
       {"INTEL-SA-00289"},
       1},
      {1,
       {5},
       {13},
       {"ConfigurationAndSWHardeningNeeded"},
       {"[\"INTEL-SA-00289\",\"INTEL-SA-00615\"]"},
       8,
       DECC_OK,
       "ConfigurationAndSWHardeningNeeded",
       {"INTEL-SA-00289", "INTEL-SA-00615"},
       2},
      /* PCESVN too low for the first level: the second one matches */
      {2,
       {5, 4},
       {14, 10},
       {"UpToDate", "OutOfDate"},
       {NULL, "[\"INTEL-SA-00106\"]"},
       8,
       DECC_OK,
       "OutOfDate",
       {"INTEL-SA-00106"},
       1},
      {1,
       {4},
       {13},
       {"OutOfDateConfigurationNeeded"},
       {"[\"A-1\"]"},
       8,
       DECC_OK,
       "OutOfDateConfigurationNeeded",
       {"A-1"},
       1},
      /* QE OutOfDate: UpToDate platform becomes OutOfDate … */
      {1,
       {5},
       {13},
       {"UpToDate"},
       {NULL},
       7,
       DECC_OK,
       "OutOfDate",
       {"INTEL-SA-00615"},
       1},
      /* … and ConfigurationNeeded becomes OutOfDateConfigurationNeeded;
       * platform advisories first, then the QE's. */
      {1,
       {5},
       {13},
       {"ConfigurationNeeded"},
       {"[\"INTEL-SA-00289\"]"},
       7,
       DECC_OK,
       "OutOfDateConfigurationNeeded",
       {"INTEL-SA-00289", "INTEL-SA-00615"},
       2},
      {1,
       {5},
       {13},
       {"SWHardeningNeeded"},
       {"[\"INTEL-SA-00615\"]"},
       7,
       DECC_OK,
       "OutOfDate",
       {"INTEL-SA-00615"},
       1},
      {1, {5}, {13}, {"Revoked"}, {NULL}, 8, DECC_E_DENIED, "Revoked", {0}, 0},
      {2,
       {6, 7},
       {13, 13},
       {"UpToDate", "OutOfDate"},
       {NULL, NULL},
       8,
       DECC_E_DENIED,
       "Unknown",
       {0},
       0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    printf("# case %zu\n", i);
    fx_opts o;
    default_opts(&o, 0);
    char *lv = levels_sgx(cases[i].n, cases[i].sgx, cases[i].pce,
                          cases[i].status, cases[i].adv);
    o.tcb_levels = lv;
    o.qe_isvsvn = cases[i].qe_isvsvn;
    decc_dcap_result r;
    decc_err err;
    decc_status st = run(&o, NOW, &r, &err);
    free(lv);
    ASSERT_EQ(st, cases[i].want);
    ASSERT_STR_EQ(decc_dcap_tcb_status_name(r.status), cases[i].final);
    if (st == DECC_OK)
      ASSERT(adv_eq(&r, cases[i].ids, cases[i].nids));
    if (!strcmp(cases[i].final, "Unknown"))
      ASSERT(strstr(err.msg, "No matching TCB level found"));
  }
}

TEST(tdx_tcb_and_module_rules) {
  static const struct {
    uint8_t svn[3];     /* TEE_TCB_SVN[0..2] */
    const char *tdx[2]; /* TDX components of the two levels */
    const char *extra;  /* NULL: default module identities */
    uint8_t mrsignerseam0, tud;
    decc_status want;
    const char *final, *check;
  } cases[] = {
      /* module 1.x: indices 0 and 1 are not compared (level asks 9,9) */
      {{3, 1, 2}, {"9,9,3", "9,9,2"}, NULL, 0, 0, DECC_OK, "OutOfDate", NULL},
      {{3, 1, 3}, {"9,9,3", "9,9,2"}, NULL, 0, 0, DECC_OK, "UpToDate", NULL},
      /* module SVN 2: the module level says OutOfDate */
      {{2, 1, 3}, {"0,0,3", "0,0,2"}, NULL, 0, 0, DECC_OK, "OutOfDate", NULL},
      /* module SVN 1: below every module level */
      {{1, 1, 3},
       {"0,0,3", "0,0,2"},
       NULL,
       0,
       0,
       DECC_E_DENIED,
       "UpToDate",
       "TDX_MODULE"},
      /* major version 2 has no identity */
      {{3, 2, 3},
       {"0,0,3", "0,0,2"},
       NULL,
       0,
       0,
       DECC_E_DENIED,
       "UpToDate",
       "TDX_MODULE"},
      /* module 0 (TDX 1.0): all 16 compared, tdxModule identity */
      {{3, 0, 3}, {"4,0,3", "3,0,2"}, NULL, 0, 0, DECC_OK, "OutOfDate", NULL},
      {{3, 1, 3},
       {"0,0,3", "0,0,2"},
       NULL,
       0x42,
       0,
       DECC_E_DENIED,
       "UpToDate",
       "TDX_MODULE"},
      {{3, 1, 3},
       {"0,0,3", "0,0,2"},
       NULL,
       0,
       1,
       DECC_E_DENIED,
       "UpToDate",
       "REPORT_ATTRIBUTES"},
      {{3, 1, 1},
       {"0,0,3", "0,0,2"},
       NULL,
       0,
       0,
       DECC_E_DENIED,
       "Unknown",
       "TCB_LEVEL"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    printf("# case %zu\n", i);
    fx_opts o;
    default_opts(&o, 1);
    memcpy(o.tee_tcb_svn, cases[i].svn, 3);
    o.mrsignerseam0 = cases[i].mrsignerseam0;
    o.td_attr0 = cases[i].tud;
    o.tcb_extra = cases[i].extra;
    decc_buf b;
    decc_buf_init(&b, 0);
    B(decc_buf_append_str(&b, "["));
    level(&b, 5, 13, cases[i].tdx[0], "UpToDate", NULL);
    level(&b, 5, 13, cases[i].tdx[1], "OutOfDate", "[\"INTEL-SA-00837\"]");
    B(decc_buf_append_str(&b, "]"));
    B(decc_buf_append_byte(&b, 0));
    o.tcb_levels = (char *)b.data;
    decc_dcap_result r;
    decc_err err;
    decc_status st = run(&o, NOW, &r, &err);
    decc_buf_clear(&b);
    ASSERT_EQ(st, cases[i].want);
    ASSERT_STR_EQ(decc_dcap_tcb_status_name(r.status), cases[i].final);
    if (cases[i].check)
      ASSERT_STR_EQ(r.failed_check, cases[i].check);
    if (st == DECC_OK && r.status == DECC_DCAP_TCB_OUT_OF_DATE) {
      ASSERT_EQ(r.n_advisories, 1);
      ASSERT_STR_EQ(r.advisories[0], "INTEL-SA-00837");
    }
  }
}

TEST(debug_sgx_enclave_refused) {
  fx_opts o;
  default_opts(&o, 0);
  int sgx[] = {5}, pce[] = {13};
  const char *st[] = {"UpToDate"}, *adv[] = {NULL};
  char *lv = levels_sgx(1, sgx, pce, st, adv);
  o.tcb_levels = lv;
  o.td_attr0 = 0x02; /* SGX ATTRIBUTES.DEBUG */
  decc_dcap_result r;
  decc_err err;
  ASSERT_EQ(run(&o, NOW, &r, &err), DECC_E_DENIED);
  ASSERT_STR_EQ(r.failed_check, "REPORT_ATTRIBUTES");
  free(lv);
}

TEST(names_and_times) {
  decc_dcap_tcb_status s;
  for (int i = 1; i <= 7; i++) {
    ASSERT_OK(decc_dcap_tcb_status_parse(
        &s, decc_dcap_tcb_status_name((decc_dcap_tcb_status)i)));
    ASSERT_EQ(s, i);
  }
  ASSERT_EQ(decc_dcap_tcb_status_parse(&s, "uptodate"), DECC_E_PARSE);
  int64_t t;
  ASSERT_OK(decc_dcap_parse_time(&t, "2025-06-19T10:16:03Z"));
  ASSERT_EQ(t, 1750328163);
  ASSERT_OK(decc_dcap_parse_time(&t, "2025-06-19T10:16:03.123Z"));
  ASSERT_EQ(t, 1750328163);
  ASSERT_OK(decc_dcap_parse_time(&t, "1750328163"));
  ASSERT_EQ(t, 1750328163);
  ASSERT_EQ(decc_dcap_parse_time(&t, "2025-06-19 10:16:03"), DECC_E_PARSE);
  ASSERT_EQ(decc_dcap_parse_time(&t, "2025-13-19T10:16:03Z"), DECC_E_PARSE);
  const char *name;
  for (unsigned i = 0; i < DECC_DCAP_CHECK_COUNT; i++)
    ASSERT(decc_dcap_check_text(i, &name) && name);
  ASSERT(decc_dcap_check_text(DECC_DCAP_CHECK_COUNT, NULL) == NULL);
}

TEST(sample_with_another_platforms_collateral) {
  /* The SGX quote's PCK comes from the Processor CA, the TDX collateral's
   * PCK CRL from the Platform CA (and the reverse): the full chain check
   * runs and finds no CRL for the PCK certificate's issuer. */
  static const char *pairs[][2] = {{"sgx_quote", "tdx_quote_collateral.json"},
                                   {"tdx_quote", "sgx_quote_collateral.json"}};
  for (size_t i = 0; i < 2; i++) {
    sample s;
    load_sample(&s, pairs[i][0], pairs[i][1]);
    int64_t now;
    ASSERT_OK(decc_dcap_parse_time(&now, "2025-06-20T12:00:00Z"));
    decc_dcap_result r;
    decc_err err;
    decc_status st = verify_sample(&s, now, &r, &err);
    printf("# %s + %s: %s\n", pairs[i][0], pairs[i][1], err.msg);
    ASSERT_EQ(st, DECC_E_DENIED);
    ASSERT_STR_EQ(r.failed_check, "PCK_CHAIN");
    ASSERT(strstr(err.msg, "CRL"));
  }
}
