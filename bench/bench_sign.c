/*
 * bench_sign.c — order signing throughput on one core.
 *
 *  - order sign/s (struct hash + EIP-712 digest + secp256k1 recoverable
 *    signature) and order recover/s (hash + recovery + address), each next
 *    to raw libsecp256k1 sign_recoverable / recover over a fixed digest
 *    measured in the same run (targets: ≥ 40,000 signs/s and ≥ 25,000
 *    recovers/s; the ratio shows what the order layer costs);
 *  - keccak-256 MB/s over 1 MiB inputs next to OpenSSL's SHA3-256 (same
 *    permutation, different padding) as the reference (target ≥ 300 MB/s).
 *
 * Every timed loop checks its result. Iterations scale with
 * DECC_BENCH_SCALE.
 */
#include <openssl/evp.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/order.h"

static void die(const char *what) {
  fprintf(stderr, "bench_sign: %s\n", what);
  exit(1);
}

static void report_ratio(const char *name, double v, double ref,
                         const char *unit, double target) {
  char line[160];
  snprintf(line, sizeof line, "%s (x%.2f of reference; target %.0f %s)", name,
           v / ref, target, v >= target ? "met" : "not met in this run");
  bench_report(line, v, unit);
}

/* Raw libsecp256k1 reference, run in slices interleaved with the decc
 * loops so that both see the same machine load. */
typedef struct raw_ref {
  secp256k1_context *ctx;
  secp256k1_ecdsa_recoverable_signature sig;
  uint8_t d[32];
  double sign_t, rec_t;
} raw_ref;

static void raw_init(raw_ref *r, const uint8_t sk[32]) {
  memset(r, 0, sizeof *r);
  r->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  uint8_t seed[32];
  if (!r->ctx || decc_random_bytes(seed, 32) != DECC_OK ||
      !secp256k1_context_randomize(r->ctx, seed))
    die("secp256k1 context");
  memset(r->d, 0x5a, 32);
  if (!secp256k1_ecdsa_sign_recoverable(r->ctx, &r->sig, r->d, sk, NULL, NULL))
    die("raw sign");
}

static void raw_sign_slice(raw_ref *r, long from, long n,
                           const uint8_t sk[32]) {
  secp256k1_ecdsa_recoverable_signature sig;
  uint8_t d[32];
  memcpy(d, r->d, 32);
  double t0 = bench_now();
  for (long i = from; i < from + n; i++) {
    memcpy(d, &i, sizeof i);
    if (!secp256k1_ecdsa_sign_recoverable(r->ctx, &sig, d, sk, NULL, NULL))
      die("raw sign");
  }
  r->sign_t += bench_now() - t0;
}

static void raw_recover_slice(raw_ref *r, long n) {
  secp256k1_pubkey pk;
  double t0 = bench_now();
  for (long i = 0; i < n; i++)
    if (!secp256k1_ecdsa_recover(r->ctx, &pk, &r->sig, r->d))
      die("raw recover");
  r->rec_t += bench_now() - t0;
}

int main(void) {
  bench_peak_rss_at_exit();
  if (decc_init() != DECC_OK)
    die("decc_init");
  long n = (long)(20000 * bench_scale());
  if (n < 1000)
    n = 1000;
  uint8_t sk[32];
  memset(sk, 0x11, 32);
  decc_address me;
  if (decc_address_from_privkey(&me, sk) != DECC_OK)
    die("key");

  /* A realistic request order (params string, all fields set). */
  decc_order o;
  if (decc_order_init(&o, DECC_ORDER_REQUEST) != DECC_OK)
    die("init");
  decc_free(o.u.request.params);
  o.u.request.params = decc_strdup(
      "{\"iexec_args\":\"--in data.csv\",\"iexec_result_storage_provider\":"
      "\"ipfs\",\"iexec_input_files\":[\"https://example.com/a.csv\"]}");
  if (!o.u.request.params)
    die("oom");
  o.u.request.requester = me;
  o.u.request.beneficiary = me;
  o.u.request.volume = decc_u256_from_u64(1);
  o.u.request.workerpoolmaxprice = decc_u256_from_u64(1000000000);
  decc_tag_from_bits(o.u.request.tag, 0x9);
  decc_address hub;
  if (decc_address_parse(&hub, "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0",
                         NULL) != DECC_OK)
    die("hub");
  uint8_t ds[32];
  decc_poco_domain_separator(ds, 42161, &hub);

  printf("one core, %ld operations per figure (reference interleaved)\n", n);
  raw_ref ref;
  raw_init(&ref, sk);
  const long slice = 500;
  double sign_t = 0, rec_t = 0;
  decc_address who;
  for (long done = 0; done < n; done += slice) {
    raw_sign_slice(&ref, done, slice, sk);
    /* Order sign: vary the salt so every hash differs. */
    double t0 = bench_now();
    for (long i = done; i < done + slice; i++) {
      memcpy(o.u.request.salt, &i, sizeof i);
      if (decc_order_sign(&o, sk, ds, 0) != DECC_OK)
        die("order sign");
    }
    sign_t += bench_now() - t0;
    raw_recover_slice(&ref, slice);
    t0 = bench_now();
    for (long i = 0; i < slice; i++)
      if (decc_order_recover(&who, &o, ds) != DECC_OK)
        die("order recover");
    rec_t += bench_now() - t0;
    if (!decc_address_eq(&who, &me))
      die("recovered the wrong signer");
  }
  secp256k1_context_destroy(ref.ctx);
  long total = (n + slice - 1) / slice * slice;
  double raw_sign = (double)total / ref.sign_t,
         raw_rec = (double)total / ref.rec_t;
  double sign_rate = (double)total / sign_t, rec_rate = (double)total / rec_t;
  bench_report("reference: libsecp256k1 sign_recoverable", raw_sign, "ops/s");
  report_ratio("order sign (requestorder)", sign_rate, raw_sign, "signs/s",
               40000);
  bench_report("reference: libsecp256k1 recover", raw_rec, "ops/s");
  report_ratio("order recover (requestorder)", rec_rate, raw_rec, "recovers/s",
               25000);
  decc_order_clear(&o);

  /* keccak-256 vs OpenSSL SHA3-256 on 1 MiB. */
  size_t len = 1u << 20;
  int reps = (int)(200 * bench_scale());
  if (reps < 20)
    reps = 20;
  uint8_t *buf = malloc(len);
  if (!buf)
    die("oom");
  for (size_t i = 0; i < len; i++)
    buf[i] = (uint8_t)(i * 131 + 7);
  uint8_t h[32], first[32];
  decc_keccak256(first, buf, len);
  double t0 = bench_now();
  for (int r = 0; r < reps; r++) {
    decc_keccak256(h, buf, len);
    if (memcmp(h, first, 32) != 0)
      die("keccak not deterministic");
  }
  double kmb = (double)reps * (double)len / (bench_now() - t0) / 1e6;

  EVP_MD *md = EVP_MD_fetch(NULL, "SHA3-256", NULL);
  EVP_MD_CTX *mctx = EVP_MD_CTX_new();
  if (!md || !mctx)
    die("OpenSSL SHA3-256");
  unsigned int hl = 0;
  t0 = bench_now();
  for (int r = 0; r < reps; r++)
    if (!EVP_DigestInit_ex(mctx, md, NULL) ||
        !EVP_DigestUpdate(mctx, buf, len) ||
        !EVP_DigestFinal_ex(mctx, h, &hl) || hl != 32)
      die("SHA3-256");
  double smb = (double)reps * (double)len / (bench_now() - t0) / 1e6;
  EVP_MD_CTX_free(mctx);
  EVP_MD_free(md);
  free(buf);
  bench_report("reference: OpenSSL SHA3-256 (1 MiB)", smb, "MB/s");
  report_ratio("keccak-256 (1 MiB)", kmb, smb, "MB/s", 300);
  return 0;
}
