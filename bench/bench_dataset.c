/*
 * bench_dataset.c — dataset encryption throughput and memory: decc's
 * one-pass encrypt + checksum (IV ‖ AES-256-CBC, SHA-256 of the output) of
 * a 1 GiB file against `openssl enc -aes-256-cbc` (encryption only, no
 * checksum) on the same page-cached file with the same key and IV, and
 * decryption against `openssl enc -d`.
 *   1. file to file once each (informational: on this VM the disk writeback
 *      of 1 GiB dominates and varies run to run); decc's checksum must equal
 *      SHA-256(IV ‖ openssl's output), i.e. the bytes are identical;
 *   2. the compared figures: output to /dev/null, best of three, alternating.
 * decc runs in a child process (this program re-executed with --child) so
 * its peak RSS (wait4 ru_maxrss) is its own. DECC_BENCH_SCALE scales the
 * file (0.1 → ~100 MiB). Targets: ratio >= 0.8, peak RSS < 32 MiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "decc/dataset.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"

extern char **environ;

static const uint8_t KEY[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t IV[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
                               0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

/* Child mode: bench_dataset --child enc|dec IN OUT → prints the checksum. */
static int child(const char *mode, const char *in, const char *out) {
  decc_dataset_key *k = NULL;
  if (decc_dataset_key_from_bytes(&k, KEY, NULL) != DECC_OK)
    return 2;
  int ifd = open(in, O_RDONLY | O_CLOEXEC);
  int ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (ifd < 0 || ofd < 0)
    return 3;
  uint8_t sum[32];
  decc_err err;
  decc_status st = !strcmp(mode, "enc")
                       ? decc_dataset_encrypt_fd(ofd, sum, k, IV, ifd, &err)
                       : decc_dataset_decrypt_fd(ofd, sum, k, ifd, &err);
  close(ifd);
  if (close(ofd) != 0 || st) {
    fprintf(stderr, "child: %s\n", st ? err.msg : "close failed");
    return 4;
  }
  char hex[DECC_HEX32_LEN];
  printf("%s\n", decc_hex_encode(hex, sum, 32, 1));
  decc_dataset_key_destroy(k);
  return 0;
}

/* Runs argv, waits; returns wall seconds (or -1), child's peak RSS in KiB,
 * and up to outcap-1 bytes of its stdout. */
static double run(char *const argv[], long *rss_kib, char *outbuf,
                  size_t outcap) {
  int p[2];
  if (pipe(p) != 0)
    return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, p[1], 1);
  posix_spawn_file_actions_addclose(&fa, p[0]);
  pid_t pid;
  double t0 = bench_now();
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(p[1]);
  if (rc != 0) {
    close(p[0]);
    return -1;
  }
  size_t n = 0;
  ssize_t r;
  while ((r = read(p[0], outbuf + n, outcap - 1 - n)) > 0 &&
         n + (size_t)r < outcap - 1)
    n += (size_t)r;
  if (r > 0)
    n += (size_t)r;
  outbuf[n] = 0;
  close(p[0]);
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) < 0)
    return -1;
  double t = bench_now() - t0;
  if (rss_kib)
    *rss_kib = ru.ru_maxrss;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return -1;
  return t;
}

static int make_input(const char *path, uint64_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  enum { B = 1 << 20 };
  uint64_t *buf = malloc(B);
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (uint64_t off = 0; off < size; off += B) {
    for (size_t i = 0; i < B / 8; i++) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      buf[i] = x;
    }
    size_t n = size - off < B ? (size_t)(size - off) : B;
    if (write(fd, buf, n) != (ssize_t)n) {
      free(buf);
      close(fd);
      return -1;
    }
  }
  free(buf);
  return close(fd);
}

/* SHA-256 of IV ‖ file: what decc's checksum must be if the bytes match. */
static int sha_iv_file(char hex67[DECC_HEX32_LEN], const char *path) {
  decc_sha256_ctx c;
  if (decc_sha256_init(&c) != DECC_OK)
    return -1;
  decc_sha256_update(&c, IV, 16);
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    decc_sha256_abort(&c);
    return -1;
  }
  uint8_t *b = malloc(1 << 20);
  ssize_t r;
  while ((r = read(fd, b, 1 << 20)) > 0)
    decc_sha256_update(&c, b, (size_t)r);
  close(fd);
  free(b);
  uint8_t sum[32];
  decc_sha256_final(&c, sum);
  decc_hex_encode(hex67, sum, 32, 1);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "--child"))
    return child(argv[2], argv[3], argv[4]);
  uint64_t size = (uint64_t)((double)(1ull << 30) * bench_scale());
  size &= ~(uint64_t)0xfff;
  if (size < (1u << 20))
    size = 1u << 20;
  const char *tmp = getenv("TMPDIR");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/decc-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char in[600], enc[600], oenc[600];
  snprintf(in, sizeof in, "%s/plain", dir);
  snprintf(enc, sizeof enc, "%s/decc.enc", dir);
  snprintf(oenc, sizeof oenc, "%s/openssl.enc", dir);
  int failed = 0;
  if (make_input(in, size) != 0) {
    fprintf(stderr, "cannot write %s\n", in);
    rmdir(dir);
    return 1;
  }
  char self[4096];
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  if (sl <= 0) {
    unlink(in);
    rmdir(dir);
    return 1;
  }
  self[sl] = 0;
  sync(); /* the input's writeback must not slow the first timed run */
  char khex[65], ivhex[33];
  decc_hex_encode(khex, KEY, 32, 0);
  decc_hex_encode(ivhex, IV, 16, 0);
  double mb = (double)size / 1e6;
  printf("file: %.1f MiB in %s (page-cached); MB = 10^6 bytes\n",
         (double)size / 1048576.0, dir);

  double la[3] = {0, 0, 0};
  if (getloadavg(la, 3) > 0)
    printf("load average before the run: %.2f (other work on the 2 cores "
           "skews the figures)\n",
           la[0]);
  char out[256], sum_decc[256] = "", ref[DECC_HEX32_LEN];
  long rss = 0, rss_max = 0;

  /* 1. file to file, once each: decc's output is checked against
   * openssl's, and decc's memory is measured on the real workload. */
  char *dfile[] = {self, "--child", "enc", in, enc, NULL};
  double t_df = run(dfile, &rss, out, sizeof out);
  snprintf(sum_decc, sizeof sum_decc, "%s", out);
  sum_decc[strcspn(sum_decc, "\n")] = 0;
  rss_max = rss;
  char *ofile[] = {"/usr/bin/openssl",
                   "enc",
                   "-aes-256-cbc",
                   "-K",
                   khex,
                   "-iv",
                   ivhex,
                   "-in",
                   in,
                   "-out",
                   oenc,
                   NULL};
  sync();
  double t_of = run(ofile, NULL, out, sizeof out);
  sync();
  if (t_df < 0 || t_of < 0) {
    fprintf(stderr, "a run failed (decc child, or /usr/bin/openssl missing)\n");
    failed = 1;
  } else {
    int same = sha_iv_file(ref, oenc) == 0 && !strcmp(ref, sum_decc);
    printf("outputs identical (decc checksum == SHA-256(IV || openssl "
           "output)): %s\n",
           same ? "yes" : "NO");
    failed |= !same;
    bench_report("file->file decc encrypt+checksum", mb / t_df, "MB/s");
    bench_report("file->file openssl enc (no checksum)", mb / t_of, "MB/s");
  }

  /* 2. the compared figure: same input, output to /dev/null so disk
   * writeback does not decide the result; best of three, alternating. */
  double t_decc = 1e30, t_ossl = 1e30, td = 1e30, to = 1e30;
  long drss = 0;
  for (int rep = 0; rep < 3 && !failed; rep++) {
    char *d1[] = {self, "--child", "enc", in, "/dev/null", NULL};
    char *o1[] = {"/usr/bin/openssl",
                  "enc",
                  "-aes-256-cbc",
                  "-K",
                  khex,
                  "-iv",
                  ivhex,
                  "-in",
                  in,
                  "-out",
                  "/dev/null",
                  NULL};
    char *d2[] = {self, "--child", "dec", enc, "/dev/null", NULL};
    char *o2[] = {"/usr/bin/openssl",
                  "enc",
                  "-d",
                  "-aes-256-cbc",
                  "-K",
                  khex,
                  "-iv",
                  ivhex,
                  "-in",
                  oenc,
                  "-out",
                  "/dev/null",
                  NULL};
    double t = run(d1, &rss, out, sizeof out);
    failed |= t < 0 || strncmp(out, sum_decc, 66) != 0;
    t_decc = t < t_decc ? t : t_decc;
    rss_max = rss > rss_max ? rss : rss_max;
    t = run(o1, NULL, out, sizeof out);
    failed |= t < 0;
    t_ossl = t < t_ossl ? t : t_ossl;
    t = run(d2, &rss, out, sizeof out);
    /* decryption's checksum is of its input: the same value */
    failed |= t < 0 || strncmp(out, sum_decc, 66) != 0;
    td = t < td ? t : td;
    drss = rss > drss ? rss : drss;
    t = run(o2, NULL, out, sizeof out);
    failed |= t < 0;
    to = t < to ? t : to;
  }
  if (!failed) {
    bench_report("decc encrypt+checksum (to /dev/null)", mb / t_decc, "MB/s");
    bench_report("openssl enc -aes-256-cbc (to /dev/null)", mb / t_ossl,
                 "MB/s");
    bench_report("ratio decc / openssl (target >= 0.8)", t_ossl / t_decc, "x");
    bench_report("decc peak RSS, encryption (target < 32768)", (double)rss_max,
                 "KiB");
    bench_report("decc decrypt+checksum (to /dev/null)", mb / td, "MB/s");
    bench_report("openssl enc -d -aes-256-cbc (to /dev/null)", mb / to, "MB/s");
    bench_report("ratio decc / openssl (decrypt)", to / td, "x");
    bench_report("decc peak RSS, decryption", (double)drss, "KiB");
  }
  unlink(in);
  unlink(enc);
  unlink(oenc);
  rmdir(dir);
  if (failed)
    fprintf(stderr, "bench_dataset: FAILED\n");
  return failed;
}
