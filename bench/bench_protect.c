/*
 * bench_protect.c — `data serialize` throughput on a 100 MiB binary value
 * (DECC_BENCH_SCALE scales the size), to memory and to a file (atomic
 * write + fsync), then serialize + dataset encryption (AES-256-CBC +
 * SHA-256, include/decc/dataset.h) as `protect` does it.
 * References measured in the same run: memcpy of the same bytes (memory
 * bound) and a plain write + fsync of the same size (disk bound).
 * Each figure is the best of 3 runs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "decc/dataset.h"
#include "decc/mem.h"
#include "decc/protect.h"

#define REPS 3

static void fill(uint8_t *p, size_t n) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = (uint8_t)x;
  }
}

static double mbps(size_t n, double s) { return (double)n / (1 << 20) / s; }

int main(void) {
  size_t n = (size_t)(100.0 * (1 << 20) * bench_scale());
  if (n < (1u << 20))
    n = 1u << 20;
  uint8_t *data = decc_malloc(n);
  uint8_t *copy = decc_malloc(n);
  if (!data || !copy)
    return 1;
  fill(data, n);
  decc_pd *root;
  if (decc_pd_create(&root) != DECC_OK ||
      decc_pd_add_string(root, "name", "bench", 5, NULL) != DECC_OK ||
      decc_pd_add_binary_owned(root, "file", data, n, NULL) != DECC_OK)
    return 1;
  const uint8_t *val = decc_pd_bytes_value(decc_pd_lookup(root, "file"), NULL);
  printf("data serialize: one %zu MiB binary value, best of %d\n", n >> 20,
         REPS);

  double t_copy = 1e9, t_mem = 1e9, t_write = 1e9, t_file = 1e9, t_enc = 1e9;
  size_t zip_len = 0;
  char path[] = "/tmp/bench_protect_XXXXXX";
  int tfd = mkstemp(path);
  if (tfd < 0)
    return 1;
  close(tfd);
  for (int r = 0; r < REPS; r++) {
    double t0 = bench_now();
    memcpy(copy, val, n);
    double t1 = bench_now();
    if (t1 - t0 < t_copy)
      t_copy = t1 - t0;

    decc_buf b;
    decc_buf_init(&b, 0);
    if (decc_buf_reserve(&b, n + 4096) != DECC_OK)
      return 1;
    t0 = bench_now();
    if (decc_pd_serialize(root, DECC_PD_V2, &b, NULL) != DECC_OK)
      return 1;
    t1 = bench_now();
    if (t1 - t0 < t_mem)
      t_mem = t1 - t0;
    zip_len = b.len;

    decc_dataset_key *key;
    if (decc_dataset_key_generate(&key, NULL) != DECC_OK)
      return 1;
    uint8_t *enc;
    size_t enc_len;
    uint8_t sum[32];
    decc_buf_clear(&b);
    decc_buf_init(&b, 0);
    if (decc_buf_reserve(&b, n + 4096) != DECC_OK)
      return 1;
    t0 = bench_now();
    if (decc_pd_serialize(root, DECC_PD_V2, &b, NULL) != DECC_OK ||
        decc_dataset_encrypt(&enc, &enc_len, sum, key, NULL, b.data, b.len,
                             NULL) != DECC_OK)
      return 1;
    t1 = bench_now();
    if (t1 - t0 < t_enc)
      t_enc = t1 - t0;
    decc_free(enc);
    decc_dataset_key_destroy(key);
    decc_buf_clear(&b);

    t0 = bench_now();
    int fd = open(path, O_WRONLY | O_TRUNC);
    size_t off = 0;
    while (fd >= 0 && off < n) {
      ssize_t k = write(fd, copy + off, n - off);
      if (k <= 0)
        return 1;
      off += (size_t)k;
    }
    if (fd < 0 || fsync(fd) != 0 || close(fd) != 0)
      return 1;
    t1 = bench_now();
    if (t1 - t0 < t_write)
      t_write = t1 - t0;

    t0 = bench_now();
    if (decc_pd_serialize_file(root, DECC_PD_V2, path, NULL) != DECC_OK)
      return 1;
    t1 = bench_now();
    if (t1 - t0 < t_file)
      t_file = t1 - t0;
  }
  unlink(path);
  char name[96];
  bench_report("reference: memcpy", mbps(n, t_copy), "MB/s");
  bench_report("serialize to memory (v2 zip)", mbps(n, t_mem), "MB/s");
  printf("  ratio vs memcpy: %.2f (zip %zu bytes)\n", t_copy / t_mem, zip_len);
  bench_report("reference: write + fsync", mbps(n, t_write), "MB/s");
  bench_report("serialize to file (atomic, fsync)", mbps(n, t_file), "MB/s");
  printf("  ratio vs write + fsync: %.2f\n", t_write / t_file);
  snprintf(name, sizeof name, "serialize + encrypt (AES-CBC + SHA-256)");
  bench_report(name, mbps(n, t_enc), "MB/s");
  printf("  ratio vs serialize alone: %.2f\n", t_mem / t_enc);
  printf("peak RSS: %ld MiB\n", bench_peak_rss_kib() / 1024);
  decc_pd_destroy(root);
  decc_free(copy);
  return 0;
}
