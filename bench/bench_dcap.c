/*
 * bench_dcap.c — DCAP quote verification throughput on one core.
 *
 *  - reference: raw OpenSSL ECDSA-P256 verifications/s (EVP_DigestVerify,
 *    SHA-256 over the 632 signed bytes of the sample TDX quote, key parsed
 *    once), measured in the same run;
 *  - quote verifications/s with cached collateral (decc_dcap_verify on the
 *    real TDX and SGX samples, one collateral object reused: the
 *    collateral's chains, CRLs and signatures are checked once per validity
 *    window; each quote still costs its PCK chain with both CRLs, the QE
 *    report signature and the quote signature) — target ≥ 1,000/s;
 *  - cold verifications/s: collateral parsed and fully checked for every
 *    quote (what a verifier without a cache pays);
 *  - the cost added to one SMS session release: DCAP verification with
 *    cached collateral plus the policy check (report data binding, status,
 *    advisories, trusted image), next to the software backend's quote
 *    check (decc_quote_verify: one secp256k1 recovery) it would replace.
 * The ratio "reference verifies per quote" shows how many raw ECDSA
 * verifications one quote verification costs. Every timed call's result is
 * checked. DECC_BENCH_SCALE scales the run time; the samples are read from
 * DECC_SOURCE_DIR/tests/vectors/dcap (default: the source tree of this
 * file).
 */
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "decc/attest.h"
#include "decc/dcap.h"
#include "decc/mem.h"

static void die(const char *what) {
  fprintf(stderr, "bench_dcap: %s\n", what);
  exit(1);
}

static char *slurp(const char *dir, const char *name, size_t *len) {
  char path[4096];
  int w = snprintf(path, sizeof path, "%s/tests/vectors/dcap/%s", dir, name);
  if (w < 0 || (size_t)w >= sizeof path)
    die("vector path too long");
  FILE *f = fopen(path, "rb");
  if (!f)
    die(path);
  char *b = malloc(1 << 20);
  *len = fread(b, 1, (1 << 20) - 1, f);
  b[*len] = 0;
  fclose(f);
  return b;
}

static const char *source_dir(void) {
  const char *e = getenv("DECC_SOURCE_DIR");
  if (e && *e)
    return e;
  static char dir[4096];
  snprintf(dir, sizeof dir, "%s", __FILE__);
  char *p = strstr(dir, "/bench/bench_dcap.c");
  if (!p)
    die("set DECC_SOURCE_DIR to the source tree");
  *p = 0;
  return dir;
}

typedef struct sample {
  const char *name, *now;
  char *quote, *coll;
  size_t qlen, clen;
  int64_t t;
} sample;

int main(void) {
  bench_peak_rss_at_exit();
  const char *dir = source_dir();
  sample s[2] = {{"tdx_quote", "2025-06-20T12:00:00Z", 0, 0, 0, 0, 0},
                 {"sgx_quote", "2025-06-20T12:00:00Z", 0, 0, 0, 0, 0}};
  for (int i = 0; i < 2; i++) {
    char cn[64];
    snprintf(cn, sizeof cn, "%s_collateral.json", s[i].name);
    s[i].quote = slurp(dir, s[i].name, &s[i].qlen);
    s[i].coll = slurp(dir, cn, &s[i].clen);
    if (decc_dcap_parse_time(&s[i].t, s[i].now))
      die("time");
  }
  double secs = 2.0 * bench_scale();
  decc_err err;
  decc_dcap_verifier *v;
  if (decc_dcap_verifier_create(&v, NULL, 0, &err))
    die(err.msg);

  /* Reference: raw ECDSA-P256 verify of the TDX quote's own signature. */
  decc_dcap_quote q;
  if (decc_dcap_quote_parse(&q, (const uint8_t *)s[0].quote, s[0].qlen, &err))
    die(err.msg);
  uint8_t spki[91] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                      0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                      0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
  memcpy(spki + 27, q.attestation_key, 64);
  const unsigned char *pp = spki;
  EVP_PKEY *key = d2i_PUBKEY(NULL, &pp, sizeof spki);
  ECDSA_SIG *es = ECDSA_SIG_new();
  ECDSA_SIG_set0(es, BN_bin2bn(q.signature, 32, NULL),
                 BN_bin2bn(q.signature + 32, 32, NULL));
  unsigned char *der = NULL;
  int dl = i2d_ECDSA_SIG(es, &der);
  if (!key || dl <= 0)
    die("reference key");
  long n = 0;
  double t0 = bench_now(), t1;
  do {
    for (int k = 0; k < 100; k++) {
      EVP_MD_CTX *md = EVP_MD_CTX_new();
      if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
          EVP_DigestVerify(md, der, (size_t)dl, q.signed_data, q.signed_len) !=
              1)
        die("reference verify failed");
      EVP_MD_CTX_free(md);
    }
    n += 100;
  } while ((t1 = bench_now()) - t0 < secs);
  double ref = (double)n / (t1 - t0);
  bench_report("reference: OpenSSL ECDSA-P256 verify/s", ref, "verify/s");

  for (int i = 0; i < 2; i++) {
    decc_dcap_collateral *c;
    if (decc_dcap_collateral_parse(&c, s[i].coll, s[i].clen, &err))
      die(err.msg);
    decc_dcap_result r;
    n = 0;
    t0 = bench_now();
    do {
      for (int k = 0; k < 20; k++)
        if (decc_dcap_verify(v, &r, (const uint8_t *)s[i].quote, s[i].qlen, c,
                             s[i].t, &err))
          die(err.msg);
      n += 20;
    } while ((t1 = bench_now()) - t0 < secs);
    double warm = (double)n / (t1 - t0);
    decc_dcap_collateral_destroy(c);
    char line[160];
    snprintf(line, sizeof line,
             "%s verify/s, cached collateral (%.1f ref verifies each; target "
             "1000 %s)",
             s[i].name, ref / warm, warm >= 1000 ? "met" : "not met");
    bench_report(line, warm, "quotes/s");

    n = 0;
    t0 = bench_now();
    do {
      for (int k = 0; k < 5; k++) {
        if (decc_dcap_collateral_parse(&c, s[i].coll, s[i].clen, &err) ||
            decc_dcap_verify(v, &r, (const uint8_t *)s[i].quote, s[i].qlen, c,
                             s[i].t, &err))
          die(err.msg);
        decc_dcap_collateral_destroy(c);
      }
      n += 5;
    } while ((t1 = bench_now()) - t0 < secs);
    double cold = (double)n / (t1 - t0);
    snprintf(line, sizeof line,
             "%s verify/s, collateral parsed+checked each time (%.1f ref "
             "verifies each)",
             s[i].name, ref / cold);
    bench_report(line, cold, "quotes/s");
  }
  /* Session release: DCAP (cached collateral) + policy, vs software quote. */
  {
    decc_dcap_collateral *c;
    decc_dcap_result r;
    if (decc_dcap_collateral_parse(&c, s[0].coll, s[0].clen, &err) ||
        decc_dcap_verify(v, &r, (const uint8_t *)s[0].quote, s[0].qlen, c,
                         s[0].t, &err))
      die(err.msg);
    char pj[256], h[97];
    static const char HX[] = "0123456789abcdef";
    for (int k = 0; k < 48; k++) {
      h[2 * k] = HX[r.quote.td.mrtd[k] >> 4];
      h[2 * k + 1] = HX[r.quote.td.mrtd[k] & 15];
    }
    h[96] = 0;
    snprintf(pj, sizeof pj, "{\"tdx\":[{\"mrtd\":\"%s\"}]}", h);
    decc_dcap_policy *pol;
    if (decc_dcap_policy_parse(&pol, pj, strlen(pj), &err))
      die(err.msg);
    uint8_t rd[64];
    memcpy(rd, r.quote.td.report_data, 64);
    n = 0;
    t0 = bench_now();
    do {
      for (int k = 0; k < 20; k++) {
        const char *code;
        if (decc_dcap_verify(v, &r, (const uint8_t *)s[0].quote, s[0].qlen, c,
                             s[0].t, &err) ||
            decc_dcap_policy_check(pol, &r, rd, &code, &err))
          die(err.msg);
      }
      n += 20;
    } while ((t1 = bench_now()) - t0 < secs);
    double tdx_us = (t1 - t0) / (double)n * 1e6;
    decc_dcap_policy_destroy(pol);
    decc_dcap_collateral_destroy(c);

    uint8_t sk[32];
    memset(sk, 0x42, sizeof sk);
    decc_quote sq;
    memset(&sq, 0, sizeof sq);
    memset(sq.measurement, 1, 32);
    sq.timestamp = 1750000000;
    if (decc_quote_sign(&sq, sk))
      die("software quote");
    decc_address plat = sq.platform;
    n = 0;
    t0 = bench_now();
    do {
      for (int k = 0; k < 100; k++)
        if (decc_quote_verify(&sq, &plat, 1, NULL, 0, 0, &err))
          die(err.msg);
      n += 100;
    } while ((t1 = bench_now()) - t0 < secs);
    double sw_us = (t1 - t0) / (double)n * 1e6;
    char line[160];
    snprintf(line, sizeof line,
             "session release: TDX quote check (verify+policy) vs software "
             "%.1f us (x%.1f)",
             sw_us, tdx_us / sw_us);
    bench_report(line, tdx_us, "us");
  }
  OPENSSL_free(der);
  ECDSA_SIG_free(es);
  EVP_PKEY_free(key);
  decc_dcap_verifier_destroy(v);
  for (int i = 0; i < 2; i++) {
    free(s[i].quote);
    free(s[i].coll);
  }
  return 0;
}
