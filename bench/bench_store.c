/*
 * bench_store.c — `store add` against the real limits of the machine.
 *
 * A file of 1 GiB (times DECC_BENCH_SCALE) is written to a temporary
 * directory, then timed (page cache warm), each figure beside its
 * reference measured in the same run:
 *   - reference: OpenSSL SHA-256 of the file (EVP, SHA-NI when the CPU has
 *     it; read + one hash pass: the floor of any CID computation);
 *   - decc import, CID only (no block writes); target >= 0.8x OpenSSL;
 *   - reference: write+fsync, copying the file into a new file in the same
 *     directory and fsync'ing it (the disk floor of any durable add);
 *   - decc store add into a blockstore (blocks written, pinned, synced
 *     once), run in a child process so its peak RSS is measured alone;
 *     target >= 0.6x write+fsync;
 *   - ipfs-unixfs-importer under node with Kubo's settings and a
 *     discarding blockstore, when DECC_IPFS_IMPORTER_DIR (or
 *     /work/scratch/store) holds node_modules/ipfs-unixfs-importer; skipped
 *     otherwise (nothing is downloaded).
 * Every run checks that the CIDs agree. Peak RSS of add: target < 64 MiB.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "bench_util.h"
#include "decc/cid.h"
#include "decc/store.h"

static int write_file(const char *path, uint64_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return -1;
  static uint32_t buf[1 << 16];
  uint32_t x = 0x2545F491u;
  uint64_t left = size;
  while (left) {
    for (size_t i = 0; i < sizeof buf / 4; i++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      buf[i] = x;
    }
    size_t n = left < sizeof buf ? (size_t)left : sizeof buf;
    if (write(fd, buf, n) != (ssize_t)n) {
      close(fd);
      return -1;
    }
    left -= n;
  }
  return close(fd);
}

static void warm(const char *path) {
  int fd = open(path, O_RDONLY);
  static char buf[1 << 20];
  while (fd >= 0 && read(fd, buf, sizeof buf) > 0) {
  }
  if (fd >= 0)
    close(fd);
}

/* Runs a shell command, returns seconds (negative on failure); its stdout's
 * first line goes to out. */
static double run_cmd(const char *cmd, char *out, size_t cap) {
  double t0 = bench_now();
  FILE *p = popen(cmd, "r");
  if (!p)
    return -1;
  out[0] = 0;
  if (!fgets(out, (int)cap, p))
    out[0] = 0;
  char sink[256];
  while (fgets(sink, sizeof sink, p)) {
  }
  int rc = pclose(p);
  double dt = bench_now() - t0;
  out[strcspn(out, "\n")] = 0;
  return rc == 0 ? dt : -1;
}

/* OpenSSL SHA-256 of a file, read 1 MiB at a time. Returns seconds or -1. */
static double openssl_sha256(const char *path, uint8_t out[32]) {
  static uint8_t buf[1 << 20];
  double t0 = bench_now();
  int fd = open(path, O_RDONLY);
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  if (fd < 0 || !c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
    if (fd >= 0)
      close(fd);
    EVP_MD_CTX_free(c);
    return -1;
  }
  ssize_t r;
  while ((r = read(fd, buf, sizeof buf)) > 0)
    EVP_DigestUpdate(c, buf, (size_t)r);
  unsigned len = 0;
  int ok = r == 0 && EVP_DigestFinal_ex(c, out, &len) == 1;
  EVP_MD_CTX_free(c);
  close(fd);
  return ok ? bench_now() - t0 : -1;
}

/* Copies src into dst with write(2) and one fsync (the disk floor of a
 * durable write of the same bytes). Returns seconds or -1. */
static double write_fsync(const char *src, const char *dst) {
  static uint8_t buf[1 << 20];
  double t0 = bench_now();
  int in = open(src, O_RDONLY),
      out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int ok = in >= 0 && out >= 0;
  ssize_t r;
  while (ok && (r = read(in, buf, sizeof buf)) != 0)
    ok = r > 0 && write(out, buf, (size_t)r) == r;
  ok = ok && fsync(out) == 0;
  if (in >= 0)
    close(in);
  if (out >= 0 && close(out) != 0)
    ok = 0;
  double dt = bench_now() - t0;
  unlink(dst);
  return ok ? dt : -1;
}

/* The 1-minute load average (/proc/loadavg), -1 when unknown: printed
 * with the figures, since other work on the same cores and disk shifts
 * them. */
static double load1(void) {
  FILE *f = fopen("/proc/loadavg", "r");
  double v = -1;
  if (f) {
    if (fscanf(f, "%lf", &v) != 1)
      v = -1;
    fclose(f);
  }
  return v;
}

int main(void) {
  double scale = bench_scale();
  uint64_t size = (uint64_t)((double)(1ull << 30) * scale);
  if (size < (1u << 20))
    size = 1u << 20;
  double mib = (double)size / (1024.0 * 1024.0);
  const char *tmp = getenv("TMPDIR");
  char dir[200];
  snprintf(dir, sizeof dir, "%s/decc-bench-store-XXXXXX",
           tmp && *tmp && strlen(tmp) < 150 ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char file[256], store[256], cmd[1024], out[512];
  snprintf(file, sizeof file, "%s/input.bin", dir);
  snprintf(store, sizeof store, "%s/store", dir);
  printf("bench_store: file of %.1f MiB (DECC_BENCH_SCALE=%.3g), load %.1f\n",
         mib, scale, load1());
  if (write_file(file, size)) {
    perror("write input");
    return 1;
  }
  warm(file);

  uint8_t sha[32];
  double t_sha = openssl_sha256(file, sha);
  if (t_sha <= 0) {
    fprintf(stderr, "OpenSSL SHA-256 failed\n");
    return 1;
  }
  bench_report("reference: OpenSSL SHA-256 of the file", mib / t_sha, "MiB/s");

  /* CID only. */
  decc_cid cid_hash, cid_add;
  double t0 = bench_now();
  if (decc_import_fd(&cid_hash, NULL, NULL, -1, file, NULL, NULL, NULL)) {
    fprintf(stderr, "import failed\n");
    return 1;
  }
  double t_hash = bench_now() - t0;
  bench_report("decc import, CID only", mib / t_hash, "MiB/s");
  bench_report("  ratio vs OpenSSL SHA-256 (target >= 0.8)", t_sha / t_hash,
               "x");

  char copy[300];
  snprintf(copy, sizeof copy, "%s/copy.bin", dir);
  double t_wf = write_fsync(file, copy);
  if (t_wf <= 0) {
    fprintf(stderr, "write+fsync reference failed\n");
    return 1;
  }
  bench_report("reference: write+fsync of the file", mib / t_wf, "MiB/s");

  /* store add in a child, for a clean peak RSS. */
  int pfd[2];
  if (pipe(pfd)) {
    perror("pipe");
    return 1;
  }
  t0 = bench_now();
  pid_t pid = fork();
  if (pid == 0) {
    close(pfd[0]);
    decc_blockstore *bs;
    decc_err err;
    decc_cid c;
    if (decc_blockstore_open(&bs, store, &err) ||
        decc_store_add_fd(bs, &c, NULL, NULL, -1, file, 1, &err)) {
      fprintf(stderr, "add: %s\n", err.msg);
      _exit(1);
    }
    decc_blockstore_close(bs);
    _exit(write(pfd[1], &c, sizeof c) == (ssize_t)sizeof c ? 0 : 1);
  }
  close(pfd[1]);
  int status = 0;
  struct rusage ru;
  if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0 ||
      read(pfd[0], &cid_add, sizeof cid_add) != (ssize_t)sizeof cid_add) {
    fprintf(stderr, "store add failed\n");
    return 1;
  }
  double t_add = bench_now() - t0;
  close(pfd[0]);
  if (!decc_cid_equal(&cid_hash, &cid_add)) {
    fprintf(stderr, "CID mismatch between import and add\n");
    return 1;
  }
  char cs[DECC_CID_STR_MAX];
  decc_cid_to_string(cs, sizeof cs, &cid_add);
  bench_report("decc store add (write+pin+sync)", mib / t_add, "MiB/s");
  bench_report("  ratio vs write+fsync (target >= 0.6)", t_wf / t_add, "x");
  bench_report("store add peak RSS", (double)ru.ru_maxrss / 1024.0, "MiB");
  bench_report("bench process peak RSS", (double)bench_peak_rss_kib() / 1024.0,
               "MiB");
  printf("root %s\n", cs);
  printf("peak RSS %s 64 MiB; load %.1f\n",
         ru.ru_maxrss < 64 * 1024 ? "<" : ">=", load1());

  /* The JS importer, when an installed copy is available. */
  const char *jsdir = getenv("DECC_IPFS_IMPORTER_DIR");
  if (!jsdir)
    jsdir = "/work/scratch/store";
  char probe[512];
  snprintf(probe, sizeof probe,
           "%s/node_modules/ipfs-unixfs-importer/package.json", jsdir);
  if (access(probe, R_OK) != 0 ||
      system("node --version >/dev/null 2>&1") != 0) {
    printf("ipfs-unixfs-importer: SKIP (no node or no installed copy in %s)\n",
           jsdir);
  } else {
    char script[600];
    snprintf(script, sizeof script, "%s/.decc-bench-import.mjs", jsdir);
    FILE *f = fopen(script, "w");
    if (!f) {
      perror("script");
      return 1;
    }
    fputs(
        "import { importer } from 'ipfs-unixfs-importer'\n"
        "import { fixedSize } from 'ipfs-unixfs-importer/chunker'\n"
        "import { balanced } from 'ipfs-unixfs-importer/layout'\n"
        "import { createReadStream } from 'node:fs'\n"
        "const discard = { put: async (c) => c, has: async () => false }\n"
        "const o = { cidVersion: 0, rawLeaves: false, chunker: fixedSize({ "
        "chunkSize: 262144 }),\n"
        "  layout: balanced({ maxChildrenPerNode: 174 }), "
        "reduceSingleLeafToSelf: true,\n"
        "  wrapWithDirectory: false }\n"
        "let last\n"
        "const content = createReadStream(process.argv[2], { highWaterMark: "
        "262144 })\n"
        "for await (const e of importer([{ content }], discard, o)) last = e\n"
        "console.log(last.cid.toString())\n",
        f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "node '%s' '%s'", script, file);
    double t_js = run_cmd(cmd, out, sizeof out);
    unlink(script);
    if (t_js <= 0) {
      printf("ipfs-unixfs-importer: failed to run\n");
    } else {
      bench_report("ipfs-unixfs-importer (node), CID only", mib / t_js,
                   "MiB/s");
      printf("CIDs %s (js %s)\n", strcmp(out, cs) ? "DIFFER" : "agree", out);
      printf("ratio decc CID-only / js importer  %.2fx (decc must be > 1)\n",
             t_js / t_hash);
      printf("ratio decc store add / js importer %.2fx\n", t_js / t_add);
    }
  }
  snprintf(cmd, sizeof cmd, "chmod -R u+w '%s' && rm -rf '%s'", dir, dir);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", dir);
  return 0;
}
