/*
 * test_ledger_digest.c — the receipt digest that goes into a block's
 * receipt root (docs/internals/ledger.md: tx hash, status, output hash,
 * reason hash, log count, each log's address, topic count, topics and data
 * hash) equals the formula computed here with plain keccak256 calls, for
 * receipts with empty and non-empty output, reason and log data (exec.c
 * takes the empty input's hash from a constant).
 */
#include <string.h>

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
