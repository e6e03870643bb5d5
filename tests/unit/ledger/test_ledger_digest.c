/*
 * test_ledger_digest.c — the receipt digest that goes into a block's
 * receipt root (docs/internals/ledger.md: tx hash, status, output hash,
 * reason hash, log count, each log's address, topic count, topics and data
 * hash) equals the formula computed here with plain keccak256 calls, for
 * receipts with empty and non-empty output, reason and log data (exec.c
 * takes the empty input's hash from a constant); and that a batch's
 * digests computed together (ldg_receipt_digests, what
 * decc_ledger_submit_raw folds into the root: eight hashes at once where
 * the CPU has AVX-512) are the same, on both keccak paths, for random
 * batches mixing those shapes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "decc/hash.h"
#include "ledger/ledger_int.h"
#include "test.h"

/* The documented formula, every hash computed. */
static void model(uint8_t out[32], const decc_receipt *r) {
  decc_keccak256_ctx k;
  uint8_t h[32], n8[8], b;
  decc_keccak256_init(&k);
  decc_keccak256_update(&k, r->tx_hash, 32);
  b = r->status ? 1 : 0;
  decc_keccak256_update(&k, &b, 1);
  decc_keccak256(h, r->output, r->output_len);
  decc_keccak256_update(&k, h, 32);
  const char *why = r->revert_reason ? r->revert_reason : "";
  decc_keccak256(h, why, strlen(why));
  decc_keccak256_update(&k, h, 32);
  for (int i = 0; i < 8; i++)
    n8[i] = (uint8_t)((uint64_t)r->n_logs >> (56 - 8 * i));
  decc_keccak256_update(&k, n8, 8);
  for (size_t i = 0; i < r->n_logs; i++) {
    const decc_log *lg = &r->logs[i];
    decc_keccak256_update(&k, lg->address.b, 20);
    b = (uint8_t)lg->n_topics;
    decc_keccak256_update(&k, &b, 1);
    for (size_t t = 0; t < lg->n_topics; t++)
      decc_keccak256_update(&k, lg->topics[t], 32);
    decc_keccak256(h, lg->data, lg->data_len);
    decc_keccak256_update(&k, h, 32);
  }
  decc_keccak256_final(&k, out);
}

TEST(receipt_digest_matches_the_formula) {
  decc_log logs[3];
  memset(logs, 0, sizeof logs);
  uint8_t data[40];
  for (int i = 0; i < 40; i++)
    data[i] = (uint8_t)(7 * i + 1);
  logs[0].address.b[19] = 1;
  logs[0].n_topics = 2;
  memset(logs[0].topics[0], 0xab, 32);
  memset(logs[0].topics[1], 0xcd, 32);
  logs[0].data = data; /* data */
  logs[0].data_len = 40;
  logs[1].address.b[0] = 2; /* no data, no topics */
  logs[2].address.b[5] = 3;
  logs[2].n_topics = 4;
  for (int t = 0; t < 4; t++)
    memset(logs[2].topics[t], t + 1, 32);
  decc_receipt r;
  memset(&r, 0, sizeof r);
  memset(r.tx_hash, 0x5a, 32);
  uint8_t a[32], b[32];
  /* success, empty output, no logs */
  r.status = 1;
  ldg_receipt_digest(a, &r);
  model(b, &r);
  ASSERT_MEM_EQ(a, b, 32);
  /* success with output and the three logs */
  uint8_t output[32] = {0};
  output[31] = 1;
  r.output = output;
  r.output_len = 32;
  r.logs = logs;
  r.n_logs = 3;
  ldg_receipt_digest(a, &r);
  model(b, &r);
  ASSERT_MEM_EQ(a, b, 32);
  /* a revert with a reason, no output */
  char why[] = "iExecV5-matchOrders-0x60";
  r.status = 0;
  r.output = NULL;
  r.output_len = 0;
  r.logs = NULL;
  r.n_logs = 0;
  r.revert_reason = why;
  ldg_receipt_digest(a, &r);
  model(b, &r);
  ASSERT_MEM_EQ(a, b, 32);
  /* and the empty reason differs from a non-empty one */
  why[0] = 0;
  ldg_receipt_digest(b, &r);
  ASSERT(memcmp(a, b, 32) != 0);
}

/* A random receipt in r (its buffers in *mem, freed by the caller). */
static void random_receipt(decc_receipt *r, uint64_t *x, void **mem) {
#define NEXT (*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17, *x)
  memset(r, 0, sizeof *r);
  size_t nl = (size_t)(NEXT % 12);
  decc_log *logs = calloc(nl ? nl : 1, sizeof *logs);
  uint8_t *bytes = malloc(8192);
  size_t used = 0;
  for (size_t i = 0; i < 8192; i++)
    bytes[i] = (uint8_t)(NEXT >> 11);
  memcpy(r->tx_hash, bytes, 32);
  r->status = (int)(NEXT % 4 != 0);
  size_t ol = (size_t)(NEXT % 3 == 0 ? 0 : NEXT % 300);
  r->output = ol ? bytes + 40 : NULL;
  r->output_len = ol;
  used = 400;
  if (!r->status && NEXT % 2)
    r->revert_reason = "iExecV5-matchOrders-0x60";
  else if (!r->status)
    r->revert_reason = "";
  for (size_t i = 0; i < nl; i++) {
    logs[i].address.b[i % 20] = (uint8_t)NEXT;
    logs[i].n_topics = (size_t)(NEXT % 5);
    for (size_t t = 0; t < logs[i].n_topics; t++)
      memset(logs[i].topics[t], (int)(NEXT & 0xff), 32);
    size_t dl = (size_t)(NEXT % 4 == 0 ? 0 : NEXT % 600);
    logs[i].data = dl ? bytes + used : NULL;
    logs[i].data_len = dl;
    used += dl;
  }
  r->logs = nl ? logs : NULL;
  r->n_logs = nl;
  mem[0] = logs;
  mem[1] = bytes;
#undef NEXT
}

TEST(receipt_digests_of_a_batch_match_one_by_one) {
  decc_ledger l; /* only its scratch buffer is used */
  memset(&l, 0, sizeof l);
  uint64_t x = 0x2545f4914f6cdd1dULL;
  for (int scalar = 0; scalar < 2; scalar++) {
    decc__keccak_many_scalar(scalar);
    for (int round = 0; round < 40; round++) {
      size_t n = (size_t)(round * 7 % 37);
      decc_receipt r[37];
      void *mem[37][2];
      uint8_t dg[37][32], want[32];
      for (size_t i = 0; i < n; i++)
        random_receipt(&r[i], &x, mem[i]);
      ldg_receipt_digests(&l, r, n, dg);
      for (size_t i = 0; i < n; i++) {
        model(want, &r[i]);
        ASSERT_MEM_EQ(dg[i], want, 32);
        free(mem[i][0]);
        free(mem[i][1]);
      }
    }
  }
  decc__keccak_many_scalar(0);
  ASSERT(l.rcd != NULL); /* the scratch buffer is kept between batches */
  /* one receipt of 40,000 logs needs more than is kept (4 MiB): the same
   * digest, and the buffer is freed after it */
  decc_receipt big;
  memset(&big, 0, sizeof big);
  big.status = 1;
  big.n_logs = 40000;
  big.logs = calloc(big.n_logs, sizeof *big.logs);
  ASSERT(big.logs != NULL);
  for (size_t i = 0; i < big.n_logs; i++)
    big.logs[i].address.b[0] = (uint8_t)i;
  uint8_t dg1[1][32], want1[32];
  ldg_receipt_digests(&l, &big, 1, dg1);
  model(want1, &big);
  ASSERT_MEM_EQ(dg1[0], want1, 32);
  ASSERT(l.rcd == NULL);
  free(big.logs);
  ldg_rcd_free(&l);
  ASSERT(l.rcd == NULL);
}
