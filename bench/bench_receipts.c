/*
 * bench_receipts.c — receipt append and verify rates (receipts/s) on a log
 * of 100,000 receipts (issue 15), each next to the reference that bounds it,
 * measured in the same run:
 *
 *  - append: decc_rcpt_store_append (encode, keccak, secp256k1 sign, one
 *    pwrite, fdatasync) into a log on a RAM file system (/dev/shm, or
 *    $DECC_BENCH_DIR), against raw libsecp256k1 sign_recoverable and raw
 *    write+fdatasync of a record-sized frame into reserved space in the
 *    same directory (as the store writes) — an append cannot beat either;
 *  - durable append on the benchmark's temporary directory's file system
 *    ($TMPDIR, a real disk usually): 1,000 appends against 1,000 raw
 *    write+fdatasync into reserved space there (the disk bounds it; the
 *    rate growing the file is printed beside it);
 *  - verify: read the 100,000-receipt log and decc_rcpt_verify_log (two
 *    keccaks and one public-key recovery per receipt), against raw
 *    libsecp256k1 ecdsa_recover.
 *
 * Every timed loop checks its result. Counts scale with DECC_BENCH_SCALE.
 */
#include <fcntl.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_util.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/mem.h"
#include "decc/receipts.h"
#include "decc/vault.h"

static void die(const char *what) {
  fprintf(stderr, "bench_receipts: %s\n", what);
  exit(1);
}

static void ratio(const char *name, double v, double ref, const char *refname,
                  const char *unit) {
  char line[200];
  snprintf(line, sizeof line, "%s (x%.2f of %s)", name, v / ref, refname);
  bench_report(line, v, unit);
}

static void sample(decc_rcpt *r, uint64_t i) {
  memset(r, 0, sizeof *r);
  r->kind = i % 2 ? DECC_RCPT_RESULT : DECC_RCPT_KEY_RELEASE;
  r->time = 1700000000 + i;
  r->chain_time = r->time;
  r->chain_id = 31337;
  memset(r->dataset.b, 1, 20);
  memset(r->deal_id, 2, 32);
  uint64_t task = i / 2; /* a release, then the task's result */
  memcpy(r->task_id, &task, sizeof task);
  r->task_index = task;
  memset(r->app.b, 3, 20);
  memset(r->app_checksum, 4, 32);
  memset(r->requester.b, 5, 20);
  memset(r->grant, 8, 32);
  static const char p[] = "medical research, aggregate statistics only";
  r->purpose_len = sizeof p - 1;
  memcpy(r->purpose, p, sizeof p - 1);
}

/* pwrite+fdatasync of one record-sized frame, n times, one after another.
 * reserved != 0: into space written ahead (zeros), as the receipt store
 * appends (docs/receipts.md, "Log file"), so the file's size does not
 * change and fdatasync writes the data only; else each write grows the
 * file and fdatasync writes the inode too. Returns ops/s. */
static double fsync_rate(const char *dir, int n, int reserved) {
  char path[4200];
  snprintf(path, sizeof path, "%s/fsync.ref", dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    die("cannot create the fsync reference file");
  uint8_t frame[4 + DECC_RCPT_FIXED_LEN + 44];
  memset(frame, 0x5a, sizeof frame);
  if (reserved) {
    size_t total = (size_t)n * sizeof frame;
    uint8_t *zeros = calloc(1, total);
    if (!zeros || write(fd, zeros, total) != (ssize_t)total || fsync(fd))
      die("cannot reserve the fsync reference file");
    free(zeros);
  }
  double t0 = bench_now();
  for (int i = 0; i < n; i++)
    if (pwrite(fd, frame, sizeof frame, (off_t)((size_t)i * sizeof frame)) !=
            (ssize_t)sizeof frame ||
        fdatasync(fd))
      die("write/fdatasync failed");
  double dt = bench_now() - t0;
  close(fd);
  unlink(path);
  return n / dt;
}

static decc_rcpt_store *open_store(const char *dir, decc_vault **v) {
  decc_rcpt_store *s = NULL;
  decc_err err;
  if (decc_vault_open(v, dir, NULL, 0, &err) ||
      decc_rcpt_store_open(&s, dir, *v, &err))
    die(err.msg);
  return s;
}

/* n appends into a fresh store under dir. Returns receipts/s. */
static double append_rate(const char *dir, uint64_t n, decc_address *signer) {
  decc_vault *v;
  decc_rcpt_store *s = open_store(dir, &v);
  decc_rcpt_store_signer(s, signer);
  decc_err err;
  double t0 = bench_now();
  for (uint64_t i = 0; i < n; i++) {
    decc_rcpt r;
    sample(&r, i);
    if (decc_rcpt_store_append(s, &r, NULL, NULL, &err) || r.seq != i)
      die(err.msg);
  }
  double dt = bench_now() - t0;
  decc_rcpt_store_close(s);
  decc_vault_close(v);
  return (double)n / dt;
}

static char *mkdtemp_in(const char *base) {
  char *t = malloc(strlen(base) + 32);
  if (!t)
    die("out of memory");
  sprintf(t, "%s/bench_receipts.XXXXXX", base);
  if (!mkdtemp(t))
    die("cannot create a temporary directory");
  return t;
}

static void rm_rf(const char *d) {
  char cmd[4300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
  if (system(cmd) != 0)
    fprintf(stderr, "bench_receipts: could not remove %s\n", d);
}

int main(void) {
  double scale = bench_scale();
  uint64_t n = (uint64_t)(100000 * scale);
  if (n < 1000)
    n = 1000;
  const char *ram = getenv("DECC_BENCH_DIR");
  if (!ram)
    ram = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  const char *disk = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  char *rd = mkdtemp_in(ram), *dd = mkdtemp_in(disk);
  printf("bench_receipts: %llu receipts; log on %s, durable run on %s\n",
         (unsigned long long)n, ram, disk);

  /* reference: raw secp256k1 sign / recover over a fixed digest */
  secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  uint8_t sk[32], digest[32];
  memset(sk, 0x42, 32);
  decc_keccak256(digest, "bench", 5);
  int k = (int)(20000 * scale) + 100;
  secp256k1_ecdsa_recoverable_signature sig;
  double t0 = bench_now();
  for (int i = 0; i < k; i++) {
    digest[0] = (uint8_t)i;
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, digest, sk, NULL, NULL))
      die("sign");
  }
  double sign_rate = k / (bench_now() - t0);
  secp256k1_pubkey pub;
  t0 = bench_now();
  for (int i = 0; i < k; i++)
    if (!secp256k1_ecdsa_recover(ctx, &pub, &sig, digest))
      die("recover");
  double recover_rate = k / (bench_now() - t0);
  secp256k1_context_destroy(ctx);
  bench_report("reference: raw secp256k1 sign_recoverable", sign_rate, "op/s");
  bench_report("reference: raw secp256k1 recover", recover_rate, "op/s");

  double fs_ram = fsync_rate(rd, (int)(20000 * scale) + 100, 1);
  bench_report("reference: write+fdatasync of a frame into reserved space "
               "(RAM fs)",
               fs_ram, "op/s");
  decc_address signer;
  char sd[4200];
  snprintf(sd, sizeof sd, "%s/sms", rd);
  double app = append_rate(sd, n, &signer);
  ratio("append (durable, signed) on RAM fs", app, sign_rate, "raw sign",
        "receipts/s");
  ratio("append (durable, signed) on RAM fs", app, fs_ram, "raw fdatasync",
        "receipts/s");

  /* verify the whole log */
  char *lp = NULL;
  decc_address ds;
  memset(ds.b, 1, 20);
  char rdir[4300];
  snprintf(rdir, sizeof rdir, "%s/receipts", sd);
  if (decc_rcpt_log_path(&lp, rdir, &ds))
    die("out of memory");
  struct stat sb;
  if (stat(lp, &sb))
    die("no log");
  t0 = bench_now();
  decc_rcpt_list l;
  decc_rcpt_report rep;
  decc_err err;
  if (decc_rcpt_log_read(&l, lp, 0, &err))
    die(err.msg);
  if (decc_rcpt_verify_log(&rep, &l, &ds, &signer, &err))
    die(err.msg);
  double vdt = bench_now() - t0;
  if (l.n != n || rep.n != 0 || rep.checked != n) {
    fprintf(stderr, "bench_receipts: %zu receipts, %zu issues%s%s\n", l.n,
            rep.n, rep.n ? ": " : "", rep.n ? rep.issues[0].msg : "");
    die("the log does not verify");
  }
  printf("bench_receipts: log of %zu receipts, %.1f MiB, verifies\n", l.n,
         (double)sb.st_size / 1048576.0);
  ratio("verify (read + chain + signatures)", (double)n / vdt, recover_rate,
        "raw recover", "receipts/s");
  decc_rcpt_report_clear(&rep);
  decc_rcpt_list_clear(&l);
  decc_free(lp);

  /* durable appends on the disk */
  int m = (int)(1000 * scale) + 50;
  double fs_disk = fsync_rate(dd, m, 1);
  bench_report("reference: write+fdatasync of a frame into reserved space "
               "(disk)",
               fs_disk, "op/s");
  printf("  (growing the file instead: %.0f op/s)\n", fsync_rate(dd, m, 0));
  snprintf(sd, sizeof sd, "%s/sms", dd);
  double app_disk = append_rate(sd, (uint64_t)m, &signer);
  ratio("append (durable, signed) on disk", app_disk, fs_disk, "raw fdatasync",
        "receipts/s");
  bench_report("peak RSS", (double)bench_peak_rss_kib(), "KiB");
  rm_rf(rd);
  rm_rf(dd);
  free(rd);
  free(dd);
  return 0;
}
