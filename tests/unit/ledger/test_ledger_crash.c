/*
 * test_ledger_crash.c — crash safety: a forked writer submits a long run
 * of signed transactions (RLC transfers in batches of 1–8 per block, and
 * single decc_ledger_send calls) to a file ledger and reports each
 * acknowledged tx hash on a pipe once its submit call has returned; the
 * parent kill -9s it at a random point after its first acknowledgement
 * (so a slow run, e.g. under valgrind, still tests something), several
 * rounds in a row. After
 * each kill the ledger reopens, every acknowledged transaction is there
 * with its receipt, each sender's nonce equals its stored transactions,
 * blocks are gap-free, and `verify` replays the whole history to the same
 * state. The next round's writer resumes from the reopened state.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "decc/tx.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

#define N_SENDERS 4
#define ROUNDS 6

/* The writer: never returns. */
static void writer(const char *path, int fd, unsigned seed) {
  decc_ledger *l;
  if (decc_ledger_open(&l, path, NULL) != DECC_OK)
    _exit(3);
  decc_ledger_info info;
  if (decc_ledger_get_info(l, &info, NULL) != DECC_OK)
    _exit(3);
  uint8_t sk[N_SENDERS][32];
  decc_address from[N_SENDERS];
  uint64_t nonce[N_SENDERS];
  for (unsigned i = 0; i < N_SENDERS; i++)
    if (decc_ledger_dev_key(sk[i], i + 1) != DECC_OK ||
        decc_address_from_privkey(&from[i], sk[i]) != DECC_OK ||
        decc_ledger_nonce(l, &from[i], &nonce[i], NULL) != DECC_OK)
      _exit(3);
  uint64_t x = seed * 2654435761u + 1;
  for (uint64_t it = 0;; it++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    decc_address to = from[x % N_SENDERS];
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_address(&e, &to);
    decc_abi_enc_push_u64(&e, 1 + x % 1000);
    decc_buf d = finish_call(&e, "transfer(address,uint256)");
    if (it % 5 == 4) { /* a single signed send */
      decc_receipt r;
      unsigned s = (unsigned)(x >> 8) % N_SENDERS;
      if (decc_ledger_send(l, sk[s], &info.addr.token, d.data, d.len, &r,
                           NULL) != DECC_OK)
        _exit(4);
      nonce[s]++;
      if (write(fd, r.tx_hash, 32) != 32)
        _exit(5);
      decc_receipt_clear(&r);
    } else { /* a batch of raw transactions in one block */
      size_t n = 1 + (x >> 16) % 8;
      decc_buf raw[8];
      const uint8_t *p[8];
      size_t lens[8];
      decc_receipt r[8];
      for (size_t k = 0; k < n; k++) {
        unsigned s = (unsigned)(k + it) % N_SENDERS;
        decc_buf_init(&raw[k], 0);
        if (decc_ledger_tx_build(&raw[k], info.chain_id, sk[s], nonce[s]++,
                                 &info.addr.token, d.data, d.len,
                                 NULL) != DECC_OK)
          _exit(4);
        p[k] = raw[k].data;
        lens[k] = raw[k].len;
      }
      if (decc_ledger_submit_raw(l, p, lens, n, r, NULL) != DECC_OK)
        _exit(4);
      for (size_t k = 0; k < n; k++) {
        if (write(fd, r[k].tx_hash, 32) != 32)
          _exit(5);
        decc_receipt_clear(&r[k]);
        decc_buf_clear(&raw[k]);
      }
    }
    decc_buf_clear(&d);
  }
}

TEST(kill_9_loses_nothing_acknowledged) {
  const char *dir = decc_test_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/crash.sqlite", dir);
  decc_genesis g;
  ASSERT_OK(decc_genesis_default(&g));
  ASSERT_OK(decc_ledger_init(path, &g, NULL));
  decc_genesis_clear(&g);
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  size_t total_acked = 0;
  for (int round = 0; round < ROUNDS; round++) {
    int pfd[2];
    ASSERT_EQ(pipe(pfd), 0);
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
      close(pfd[0]);
      writer(path, pfd[1], (unsigned)round + 1);
    }
    close(pfd[1]);
    /* Wait for the writer's first acknowledgement (an event, not a clock:
     * under valgrind opening the ledger alone can take longer than any
     * fixed delay), then 0–200 ms more of writing, then SIGKILL wherever
     * it is. The wait is bounded only against a hung writer. */
    uint8_t *acked = NULL;
    size_t n = 0, cap = 0;
    for (int waited = 0; n < 32 && waited < 600;) {
      if (n + 4096 > cap) {
        cap = cap ? cap * 2 : 65536;
        acked = decc_realloc(acked, cap);
        ASSERT(acked);
      }
      struct pollfd pf = {pfd[0], POLLIN, 0};
      int pr = poll(&pf, 1, 1000);
      if (pr < 0 && errno == EINTR)
        continue;
      ASSERT(pr >= 0);
      if (pr == 0) {
        waited++;
        continue;
      }
      ssize_t r = read(pfd[0], acked + n, 32 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break; /* the writer is gone: the status check below says why */
      n += (size_t)r;
    }
    struct timespec ts = {0, (long)(rand() % 200) * 1000000L};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
    int wst = 0;
    ASSERT_EQ(waitpid(pid, &wst, 0), pid);
    ASSERT(WIFSIGNALED(wst)); /* it was still writing, not failing */
    ASSERT(n >= 32);          /* and had acknowledged something */
    /* acknowledged hashes (a trailing partial write is ignored) */
    for (;;) {
      if (n + 4096 > cap) {
        cap = cap ? cap * 2 : 65536;
        acked = decc_realloc(acked, cap);
        ASSERT(acked);
      }
      ssize_t r = read(pfd[0], acked + n, 4096);
      if (r < 0 && errno == EINTR)
        continue;
      ASSERT(r >= 0);
      if (r == 0)
        break;
      n += (size_t)r;
    }
    close(pfd[0]);
    size_t count = n / 32;
    total_acked += count;
    decc_ledger *l;
    ASSERT_OK(decc_ledger_open(&l, path, NULL));
    for (size_t i = 0; i < count; i++) {
      decc_receipt rc;
      ASSERT_OK(decc_ledger_receipt(l, acked + 32 * i, &rc, NULL));
      ASSERT_EQ(rc.status, 1);
      decc_receipt_clear(&rc);
    }
    decc_free(acked);
    /* nonces agree with the stored transactions */
    for (unsigned s = 1; s <= N_SENDERS; s++) {
      decc_address a = dev_addr(s);
      uint64_t nonce;
      ASSERT_OK(decc_ledger_nonce(l, &a, &nonce, NULL));
      sqlite3_stmt *st;
      int found;
      ASSERT_OK(ldg_query(l, &st, &found,
                          "SELECT count(*) FROM txs WHERE sender=?1", NULL, "a",
                          &a));
      ASSERT_EQ((uint64_t)sqlite3_column_int64(st, 0), nonce);
      sqlite3_reset(st);
    }
    decc_ledger_verify_report rep;
    decc_err err;
    ASSERT_OK(decc_ledger_verify(l, &rep, &err));
    ASSERT(rep.txs >= total_acked);
    decc_ledger_close(l);
  }
  ASSERT(total_acked > 0);
}
