/*
 * bench_protect_e2e.c — `protect` of a 100 MiB file end to end on the
 * embedded default (decc_dp_protect: schema, zip, key, AES-256-CBC +
 * SHA-256, import into the blockstore, createDatasetWithSchema on the
 * ledger, key pushed to the SMS), in MB/s of input and peak memory.
 * DECC_BENCH_SCALE scales the size.
 * Reference measured in the same run: encrypting the same bytes file to
 * file (decc_dataset_encrypt_file: the crypto + disk floor of any protect).
 * Peak memory is reported with and without the data object itself (which
 * the caller holds in memory, as the SDK does).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "decc/dataprotector.h"
#include "decc/dataset.h"
#include "decc/ledger.h"
#include "decc/mem.h"

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

/* Time spent in each protectData step (printed with DECC_BENCH_STEPS=1). */
static double g_last;
static void on_step(void *u, const char *title, int done, const char *d) {
  (void)u;
  (void)d;
  double t = bench_now();
  if (done && getenv("DECC_BENCH_STEPS"))
    printf("  step %-24s %8.3f s\n", title, t - g_last);
  g_last = t;
}

int main(void) {
  size_t n = (size_t)(100.0 * (1 << 20) * bench_scale());
  if (n < (1u << 20))
    n = 1u << 20;
  const char *tmp = getenv("TMPDIR");
  char dir[512], src[600], dst[600], home[600];
  snprintf(dir, sizeof dir, "%s/bench_protect_e2e_XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir))
    return 1;
  snprintf(src, sizeof src, "%s/input.bin", dir);
  snprintf(dst, sizeof dst, "%s/input.enc", dir);
  snprintf(home, sizeof home, "%s/home", dir);
  long rss0 = bench_peak_rss_kib();

  /* The input file. */
  uint8_t *data = decc_malloc(n);
  if (!data)
    return 1;
  fill(data, n);
  int fd = open(src, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || write(fd, data, n) != (ssize_t)n || close(fd) != 0)
    return 1;
  decc_free(data);
  printf("protect end to end: one %zu MiB file, embedded default\n", n >> 20);

  /* Reference: encrypt the file into a file (streaming). */
  decc_dataset_key *key;
  if (decc_dataset_key_generate(&key, NULL) != DECC_OK)
    return 1;
  double t0 = bench_now();
  if (decc_dataset_encrypt_file(dst, NULL, key, src, NULL) != DECC_OK)
    return 1;
  double t_ref = bench_now() - t0;
  decc_dataset_key_destroy(key);
  unlink(dst);

  /* protect: read the file (the caller's data object), then protectData. */
  decc_dp *dp;
  decc_dp_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.home = home;
  decc_err err;
  decc_err_clear(&err);
  uint8_t sk[32];
  if (decc_dp_open(&dp, &cfg, &err) != DECC_OK ||
      decc_ledger_dev_key(sk, 1) != DECC_OK ||
      decc_dp_set_signer(dp, sk, &err) != DECC_OK) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  decc_memzero(sk, sizeof sk);
  t0 = bench_now();
  uint8_t *buf = decc_malloc(n);
  fd = open(src, O_RDONLY);
  size_t got = 0;
  while (fd >= 0 && got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  if (fd >= 0)
    close(fd);
  decc_pd *pd;
  if (!buf || got != n || decc_pd_create(&pd) != DECC_OK ||
      decc_pd_add_binary_owned(pd, "file", buf, n, NULL) != DECC_OK)
    return 1;
  decc_dp_protect_opts o;
  memset(&o, 0, sizeof o);
  o.data = pd;
  o.format = DECC_PD_V2;
  o.name = "bench";
  o.progress = on_step;
  g_last = bench_now();
  decc_dp_protected p;
  if (decc_dp_protect(dp, &p, &o, &err) != DECC_OK) {
    fprintf(stderr, "protect: %s\n", err.msg);
    return 1;
  }
  double t_e2e = bench_now() - t0;
  long rss = bench_peak_rss_kib();
  decc_dp_protected_clear(&p);
  decc_pd_destroy(pd);
  decc_dp_close(dp);

  bench_report("reference: encrypt file to file", mbps(n, t_ref), "MB/s");
  bench_report("protect end to end (read + protectData)", mbps(n, t_e2e),
               "MB/s");
  bench_report("  ratio vs reference", t_ref / t_e2e, "x");
  bench_report("peak RSS", (double)rss / 1024.0, "MiB");
  bench_report("  beyond the data object and the start",
               (double)(rss - rss0) / 1024.0 - (double)n / (1 << 20), "MiB");
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
  return system(cmd) == 0 ? 0 : 1;
}
