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
  snprintf(line, sizeof line, "%s (x%.2f of reference%s)", name, v / ref,
           v >= target ? ", target met" : ", BELOW TARGET");
  bench_report(line, v, unit);
}

static double raw_secp(long n, int recover, const uint8_t sk[32]) {
  secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  uint8_t seed[32];
  if (!ctx || decc_random_bytes(seed, 32) != DECC_OK ||
      !secp256k1_context_randomize(ctx, seed))
    die("secp256k1 context");
  uint8_t d[32];
  memset(d, 0x5a, 32);
  secp256k1_ecdsa_recoverable_signature sig;
  secp256k1_pubkey pk;
  double t0 = bench_now();
  if (!recover) {
    for (long i = 0; i < n; i++) {
      d[0] = (uint8_t)i;
      d[1] = (uint8_t)(i >> 8);
      if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, d, sk, NULL, NULL))
        die("raw sign");
    }
  } else {
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, d, sk, NULL, NULL))
      die("raw sign");
    for (long i = 0; i < n; i++)
      if (!secp256k1_ecdsa_recover(ctx, &pk, &sig, d))
        die("raw recover");
  }
  double dt = bench_now() - t0;
  secp256k1_context_destroy(ctx);
  return (double)n / dt;
}

int main(void) {
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

  printf("one core, %ld operations per figure\n", n);
  double raw_sign = raw_secp(n, 0, sk);
  bench_report("reference: libsecp256k1 sign_recoverable", raw_sign, "ops/s");
  double raw_rec = raw_secp(n, 1, sk);
  bench_report("reference: libsecp256k1 recover", raw_rec, "ops/s");

  /* Order sign: vary the salt so every hash differs. */
  double t0 = bench_now();
  for (long i = 0; i < n; i++) {
    memcpy(o.u.request.salt, &i, sizeof i);
    if (decc_order_sign(&o, sk, ds, 0) != DECC_OK)
      die("order sign");
  }
  double sign_rate = (double)n / (bench_now() - t0);
  report_ratio("order sign (requestorder)", sign_rate, raw_sign, "signs/s",
               40000);

  decc_address who;
  t0 = bench_now();
  for (long i = 0; i < n; i++) {
    if (decc_order_recover(&who, &o, ds) != DECC_OK)
      die("order recover");
  }
  double rec_rate = (double)n / (bench_now() - t0);
  if (!decc_address_eq(&who, &me))
    die("recovered the wrong signer");
  report_ratio("order recover (requestorder)", rec_rate, raw_rec,
               "recovers/s", 25000);
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
  t0 = bench_now();
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
    if (!EVP_DigestInit_ex(mctx, md, NULL) || !EVP_DigestUpdate(mctx, buf, len) ||
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
