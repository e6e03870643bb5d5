/*
 * fuzz_receipts.c — libFuzzer target for what a receipt verifier reads
 * from outside: a receipt record (decc_rcpt_decode), a grant policy
 * (decc_grant_policy_from_json) and a whole log file (decc_rcpt_log_read:
 * `decc receipts --log FILE` reads any file it is given).
 *
 * Input: byte 0 odd = a policy JSON; byte 0 = 2 mod 4 = a log file; else a
 * record; the rest is the input. Invariants (abort on violation): a
 * decoded record re-encodes to the same bytes and has a hash; a parsed
 * policy re-serialises and parses to the same policy hash; a log with no
 * bad frame is exactly its records' frames, then its torn bytes, then
 * zeros (the reserved space).
 */
/* memfd_create: _GNU_SOURCE comes from the build */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/receipts.h"
#include "fuzz.h"

/* p[0..n) as a log file, read through a memory file. */
static int log_file(const uint8_t *p, size_t n) {
  int fd = memfd_create("log", MFD_CLOEXEC);
  if (fd < 0)
    return 0;
  if (n && write(fd, p, n) != (ssize_t)n) {
    close(fd);
    return 0;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  decc_rcpt_list l;
  decc_status st = decc_rcpt_log_read(&l, path, 0, NULL);
  close(fd);
  if (st != DECC_OK)
    return 0;
  if (l.bad_frames == 0) {
    size_t content = n;
    while (content > 0 && p[content - 1] == 0)
      content--;
    size_t at = 0;
    for (size_t i = 0; i < l.n; i++) {
      uint8_t b[DECC_RCPT_MAX_LEN];
      size_t m = 0;
      if (decc_rcpt_encode(&l.items[i], b, sizeof b, &m) != DECC_OK ||
          at + 4 + m > n || p[at] || p[at + 1] != (uint8_t)(m >> 16) ||
          p[at + 2] != (uint8_t)(m >> 8) || p[at + 3] != (uint8_t)m ||
          memcmp(p + at + 4, b, m))
        abort();
      at += 4 + m;
    }
    if (at + l.torn_bytes != (content > at ? content : at))
      abort();
  }
  decc_rcpt_list_clear(&l);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const uint8_t *p = data + 1;
  size_t n = size - 1;
  if ((data[0] & 3) == 2)
    return log_file(p, n);
  if (!(data[0] & 1)) {
    decc_rcpt r;
    if (decc_rcpt_decode(&r, p, n, NULL) != DECC_OK)
      return 0;
    uint8_t b[DECC_RCPT_MAX_LEN], h[32];
    size_t m = 0;
    if (decc_rcpt_encode(&r, b, sizeof b, &m) != DECC_OK || m != n ||
        memcmp(b, p, n) || decc_rcpt_hash(h, &r) != DECC_OK)
      abort();
    decc_address who;
    (void)!decc_rcpt_signer(&who, &r);
    return 0;
  }
  decc_grant_policy q, q2;
  if (decc_grant_policy_from_json(&q, (const char *)p, n, NULL) != DECC_OK)
    return 0;
  char *js = NULL;
  if (decc_grant_policy_to_json(&js, &q) != DECC_OK)
    abort();
  uint8_t h1[32], h2[32];
  if (decc_grant_policy_from_json(&q2, js, strlen(js), NULL) != DECC_OK)
    abort();
  decc_free(js);
  decc_grant_policy_hash(h1, &q);
  decc_grant_policy_hash(h2, &q2);
  if (memcmp(h1, h2, 32))
    abort();
  return 0;
}
