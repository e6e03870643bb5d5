/*
 * bench_store.c — `store add` throughput against one SHA-256 pass.
 *
 * A file of 1 GiB (times DECC_BENCH_SCALE) is written to a temporary
 * directory, then timed (page cache warm):
 *   - reference: `sha256sum FILE` (one hash pass: the floor for any CID
 *     computation over the file);
 *   - decc import, CID only (no block writes);
 *   - decc store add into a blockstore (blocks written, pinned, synced),
 *     run in a child process so its peak RSS is measured alone;
 *   - ipfs-unixfs-importer under node with Kubo's settings and a
 *     discarding blockstore, when DECC_IPFS_IMPORTER_DIR (or
 *     /work/scratch/store) holds node_modules/ipfs-unixfs-importer; skipped
 *     otherwise (nothing is downloaded).
 * Every run checks that the CIDs agree. Targets: add >= 0.5x sha256sum,
 * peak RSS < 64 MiB, decc faster than the JS importer.
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

int main(void) {
  double scale = bench_scale();
  uint64_t size = (uint64_t)((double)(1ull << 30) * scale);
  if (size < (1u << 20))
    size = 1u << 20;
  double mib = (double)size / (1024.0 * 1024.0);
  char dir[] = "/tmp/decc-bench-store-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  char file[256], store[256], cmd[1024], out[512];
  snprintf(file, sizeof file, "%s/input.bin", dir);
  snprintf(store, sizeof store, "%s/store", dir);
  printf("bench_store: file of %.1f MiB (DECC_BENCH_SCALE=%.3g)\n", mib, scale);
  if (write_file(file, size)) {
    perror("write input");
    return 1;
  }
  warm(file);

  snprintf(cmd, sizeof cmd, "sha256sum '%s'", file);
  double t_sha = run_cmd(cmd, out, sizeof out);
  if (t_sha <= 0) {
    fprintf(stderr, "sha256sum failed\n");
    return 1;
  }
  bench_report("sha256sum (reference)", mib / t_sha, "MiB/s");

  /* CID only. */
  decc_cid cid_hash, cid_add;
  double t0 = bench_now();
  if (decc_import_fd(&cid_hash, NULL, NULL, -1, file, NULL, NULL, NULL)) {
    fprintf(stderr, "import failed\n");
    return 1;
  }
  double t_hash = bench_now() - t0;
  bench_report("decc import, CID only", mib / t_hash, "MiB/s");

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
  bench_report("store add peak RSS", (double)ru.ru_maxrss / 1024.0, "MiB");
  printf("root %s\n", cs);
  printf("ratio add / sha256sum          %.2fx (target >= 0.5x)\n",
         t_sha / t_add);
  printf("ratio CID-only / sha256sum     %.2fx\n", t_sha / t_hash);
  printf("peak RSS %s 64 MiB\n", ru.ru_maxrss < 64 * 1024 ? "<" : ">=");

  /* The JS importer, when an installed copy is available. */
  const char *jsdir = getenv("DECC_IPFS_IMPORTER_DIR");
  if (!jsdir)
    jsdir = "/work/scratch/store";
  char probe[512];
  snprintf(probe, sizeof probe, "%s/node_modules/ipfs-unixfs-importer/package.json",
           jsdir);
  if (access(probe, R_OK) != 0 || system("node --version >/dev/null 2>&1") != 0) {
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
    fputs("import { importer } from 'ipfs-unixfs-importer'\n"
          "import { fixedSize } from 'ipfs-unixfs-importer/chunker'\n"
          "import { balanced } from 'ipfs-unixfs-importer/layout'\n"
          "import { createReadStream } from 'node:fs'\n"
          "const discard = { put: async (c) => c, has: async () => false }\n"
          "const o = { cidVersion: 0, rawLeaves: false, chunker: fixedSize({ chunkSize: 262144 }),\n"
          "  layout: balanced({ maxChildrenPerNode: 174 }), reduceSingleLeafToSelf: true,\n"
          "  wrapWithDirectory: false }\n"
          "let last\n"
          "const content = createReadStream(process.argv[2], { highWaterMark: 262144 })\n"
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
      bench_report("ipfs-unixfs-importer (node), CID only", mib / t_js, "MiB/s");
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
