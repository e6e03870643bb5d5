/*
 * bench_keccak.c — Keccak-256 throughput (lib/crypto/keccak.c) against
 * OpenSSL's SHA3-256 through EVP, measured in the same run. SHA3-256 is
 * the same Keccak-f[1600] permutation with the same rate (136 bytes) and
 * only another padding byte, and OpenSSL runs it in assembly: it is the
 * floor a C Keccak-256 can be held to. Two shapes:
 *  - 64-byte messages (two words: what EIP-712 digests, storage keys and
 *    ids hash; one permutation each), in hashes/s and MB/s;
 *  - one large buffer (8 MiB), in MB/s;
 *  - many independent messages at once (decc_keccak256_many: eight
 *    states side by side in AVX-512 registers where the CPU has it; what
 *    the ledger does with a block's log data and receipt digests), in
 *    batches of 256 messages of 64 bytes and of 1,100 bytes (a receipt's
 *    digest stream), against the same messages hashed one at a time by
 *    decc and by OpenSSL.
 * The ratio printed is decc / OpenSSL (1.0 = as fast as the assembly).
 * Every timed loop feeds its digest back into the next input, so nothing
 * can be hoisted, and decc's digest of known inputs is checked first.
 * Iterations scale with DECC_BENCH_SCALE; each side runs alternately in
 * three rounds and the best round counts (the machine is shared).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "decc/encoding.h"
#include "decc/hash.h"

#define BIG (8u << 20)

static void die(const char *what) {
  fprintf(stderr, "bench_keccak: %s\n", what);
  exit(1);
}

/* keccak-256("") and keccak-256("abc"), the published values. */
static void check_vectors(void) {
  static const char *want[2] = {
      "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
      "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"};
  static const char *in[2] = {"", "abc"};
  for (int i = 0; i < 2; i++) {
    uint8_t h[32];
    char hex[65];
    decc_keccak256(h, in[i], strlen(in[i]));
    decc_hex_encode(hex, h, 32, 0);
    if (strcmp(hex, want[i]))
      die("keccak-256 gives a wrong digest: the benchmark would be void");
  }
}

typedef struct ossl {
  EVP_MD_CTX *ctx;
  EVP_MD *sha3;
} ossl;

static void ossl_hash(ossl *o, uint8_t out[32], const void *p, size_t n) {
  unsigned len = 0;
  if (!EVP_DigestInit_ex(o->ctx, o->sha3, NULL) ||
      !EVP_DigestUpdate(o->ctx, p, n) || !EVP_DigestFinal_ex(o->ctx, out, &len))
    die("OpenSSL SHA3-256 failed");
}

/* Seconds for `iters` 64-byte hashes, each input the previous digest
 * twice. Returns the time; *sink gets the last digest's first byte. */
static double small_decc(size_t iters, uint8_t *sink) {
  uint8_t m[64] = {1}, h[32];
  double t0 = bench_now();
  for (size_t i = 0; i < iters; i++) {
    decc_keccak256(h, m, 64);
    memcpy(m, h, 32);
    memcpy(m + 32, h, 32);
  }
  *sink ^= h[0];
  return bench_now() - t0;
}

static double small_ossl(ossl *o, size_t iters, uint8_t *sink) {
  uint8_t m[64] = {1}, h[32];
  double t0 = bench_now();
  for (size_t i = 0; i < iters; i++) {
    ossl_hash(o, h, m, 64);
    memcpy(m, h, 32);
    memcpy(m + 32, h, 32);
  }
  *sink ^= h[0];
  return bench_now() - t0;
}

static double big_decc(uint8_t *buf, size_t reps, uint8_t *sink) {
  uint8_t h[32];
  double t0 = bench_now();
  for (size_t i = 0; i < reps; i++) {
    decc_keccak256(h, buf, BIG);
    buf[i % BIG] ^= h[0];
  }
  *sink ^= h[0];
  return bench_now() - t0;
}

static double big_ossl(ossl *o, uint8_t *buf, size_t reps, uint8_t *sink) {
  uint8_t h[32];
  double t0 = bench_now();
  for (size_t i = 0; i < reps; i++) {
    ossl_hash(o, h, buf, BIG);
    buf[i % BIG] ^= h[0];
  }
  *sink ^= h[0];
  return bench_now() - t0;
}

#define MANY 256

/* Seconds for `rounds` batches of MANY messages of `len` bytes, hashed by
 * decc_keccak256_many (many = 1), decc_keccak256 or OpenSSL (o) one at a
 * time; each batch's messages start with the digests of the one before. */
static double many_run(ossl *o, int many, uint8_t *msgs, size_t len,
                       size_t rounds, uint8_t *sink) {
  static uint8_t h[MANY][32];
  const uint8_t *p[MANY];
  size_t lens[MANY];
  for (size_t k = 0; k < MANY; k++) {
    p[k] = msgs + k * len;
    lens[k] = len;
  }
  double t0 = bench_now();
  for (size_t r = 0; r < rounds; r++) {
    if (many)
      decc_keccak256_many(h, p, lens, MANY);
    else
      for (size_t k = 0; k < MANY; k++) {
        if (o)
          ossl_hash(o, h[k], p[k], len);
        else
          decc_keccak256(h[k], p[k], len);
      }
    for (size_t k = 0; k < MANY; k++)
      memcpy(msgs + k * len, h[k], 32);
  }
  *sink ^= h[MANY - 1][0];
  return bench_now() - t0;
}

static void many_shape(ossl *o, size_t len, size_t rounds, uint8_t *sink) {
  uint8_t *msgs = malloc(MANY * len);
  if (!msgs)
    die("out of memory");
  for (size_t i = 0; i < MANY * len; i++)
    msgs[i] = (uint8_t)(i * 7 + 1);
  double best[3] = {1e30, 1e30, 1e30};
  for (int round = 0; round < 3; round++)
    for (int w = 0; w < 3; w++) {
      double t = many_run(w == 2 ? o : NULL, w == 0, msgs, len, rounds, sink);
      best[w] = t < best[w] ? t : best[w];
    }
  double n = (double)(MANY * rounds);
  printf("keccak-256, batches of %d messages of %zu bytes, %zu batches per "
         "round (best of 3)\n",
         MANY, len, rounds);
  printf("  decc_keccak256_many                          %12.0f hashes/s "
         "%8.1f MB/s\n",
         n / best[0], (double)len * n / best[0] / 1e6);
  printf("  decc keccak-256, one at a time               %12.0f hashes/s\n",
         n / best[1]);
  printf("  reference: OpenSSL SHA3-256, one at a time   %12.0f hashes/s\n",
         n / best[2]);
  printf("  ratio many / OpenSSL one at a time           %12.2f x\n",
         best[2] / best[0]);
  free(msgs);
}

int main(void) {
  bench_peak_rss_at_exit();
  check_vectors();
  ossl o;
  o.ctx = EVP_MD_CTX_new();
  o.sha3 = EVP_MD_fetch(NULL, "SHA3-256", NULL);
  if (!o.ctx || !o.sha3)
    die("OpenSSL has no SHA3-256 (EVP_MD_fetch)");
  double scale = bench_scale();
  size_t iters = (size_t)(400000 * scale);
  size_t reps = (size_t)(12 * scale);
  if (iters < 1000)
    iters = 1000;
  if (reps < 1)
    reps = 1;
  uint8_t *buf = malloc(BIG);
  if (!buf)
    die("out of memory");
  for (size_t i = 0; i < BIG; i++)
    buf[i] = (uint8_t)(i * 131 + 7);

  double ni = (double)iters, nb = (double)BIG * (double)reps;
  uint8_t sink = 0;
  double sd = 1e30, so = 1e30, bd = 1e30, bo = 1e30;
  for (int round = 0; round < 3; round++) {
    double t = small_decc(iters, &sink);
    sd = t < sd ? t : sd;
    t = small_ossl(&o, iters, &sink);
    so = t < so ? t : so;
    t = big_decc(buf, reps, &sink);
    bd = t < bd ? t : bd;
    t = big_ossl(&o, buf, reps, &sink);
    bo = t < bo ? t : bo;
  }
  printf("keccak-256, 64-byte messages, %zu per round (best of 3)\n", iters);
  printf("  decc keccak-256                              %12.0f hashes/s "
         "%8.1f MB/s\n",
         ni / sd, 64.0 * ni / sd / 1e6);
  printf("  reference: OpenSSL SHA3-256 (EVP, assembly) %12.0f hashes/s "
         "%8.1f MB/s\n",
         ni / so, 64.0 * ni / so / 1e6);
  printf("  ratio decc / OpenSSL                         %12.2f x\n", so / sd);
  printf("keccak-256, one %u MiB buffer, %zu per round (best of 3)\n",
         BIG >> 20, reps);
  printf("  decc keccak-256                              %12.1f MB/s\n",
         nb / bd / 1e6);
  printf("  reference: OpenSSL SHA3-256 (EVP, assembly) %12.1f MB/s\n",
         nb / bo / 1e6);
  printf("  ratio decc / OpenSSL                         %12.2f x\n", bo / bd);
  size_t mr = (size_t)(800 * scale);
  many_shape(&o, 64, mr < 10 ? 10 : mr, &sink);
  many_shape(&o, 1100, mr / 8 < 2 ? 2 : mr / 8, &sink);
  printf("  (digest sink %02x)\n", sink);
  free(buf);
  EVP_MD_free(o.sha3);
  EVP_MD_CTX_free(o.ctx);
  return 0;
}
