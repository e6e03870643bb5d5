/*
 * test_ledger_parallel.c — a batch of signed transactions is decoded (and
 * its senders recovered) on several threads; the outcome must be what the
 * serial loop gave: every receipt's sender, order and status as submitted;
 * with bad transactions in a large batch the error names the lowest bad
 * index, every time, and nothing changes; and two ledgers fed the same
 * batches end with the same state hash (block hashes also cover the
 * wall-clock block time, so they are not compared) and verify.
 */
#include <stdio.h>
#include <string.h>

#include "decc/chain.h"
#include "decc/hash.h"
#include "decc/tx.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

#define N 64

/* N transfers alternating between dev keys 0 and 1 (nonces from base). */
static void make_batch(decc_buf raw[N], const decc_ledger_info *info,
                       uint64_t base) {
  decc_address a2 = dev_addr(2);
  for (int i = 0; i < N; i++) {
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    decc_abi_enc_push_address(&e, &a2);
    decc_abi_enc_push_u64(&e, 1 + (uint64_t)i);
    decc_buf d = finish_call(&e, "transfer(address,uint256)");
    uint8_t sk[32];
    decc_buf_init(&raw[i], 0);
    if (decc_ledger_dev_key(sk, (unsigned)(i % 2)) != DECC_OK ||
        decc_ledger_tx_build(&raw[i], info->chain_id, sk,
                             base + (uint64_t)i / 2, &info->addr.token, d.data,
                             d.len, NULL) != DECC_OK)
      decc_buf_reset(&raw[i]);
    decc_memzero(sk, sizeof sk);
    decc_buf_clear(&d);
  }
}

static decc_status submit(decc_ledger *l, decc_buf raw[N], decc_receipt r[N],
                          decc_err *err) {
  const uint8_t *p[N];
  size_t n[N];
  for (int i = 0; i < N; i++) {
    p[i] = raw[i].data;
    n[i] = raw[i].len;
  }
  return decc_ledger_submit_raw(l, p, n, N, r, err);
}

TEST(parallel_decode_keeps_order_senders_and_hashes) {
  decc_ledger *a = mem_ledger(), *b = mem_ledger();
  ASSERT(a && b);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(a, &info, NULL));
  decc_address s0 = dev_addr(0), s1 = dev_addr(1);
  for (uint64_t round = 0; round < 3; round++) {
    decc_buf raw[N];
    make_batch(raw, &info, round * (N / 2));
    decc_receipt ra[N], rb[N];
    ASSERT_OK(submit(a, raw, ra, NULL));
    ASSERT_OK(submit(b, raw, rb, NULL));
    for (int i = 0; i < N; i++) {
      ASSERT_EQ(ra[i].status, 1);
      ASSERT(decc_address_eq(&ra[i].from, i % 2 ? &s1 : &s0));
      uint8_t h[32];
      decc_keccak256(h, raw[i].data, raw[i].len);
      ASSERT(!memcmp(ra[i].tx_hash, h, 32));
      ASSERT(!memcmp(rb[i].tx_hash, h, 32));
      ASSERT(decc_address_eq(&rb[i].from, &ra[i].from));
      ASSERT_EQ(rb[i].status, 1);
      decc_receipt_clear(&ra[i]);
      decc_receipt_clear(&rb[i]);
      decc_buf_clear(&raw[i]);
    }
  }
  uint8_t ha[32], hb[32];
  ASSERT_OK(decc_ledger_state_hash(a, ha, NULL));
  ASSERT_OK(decc_ledger_state_hash(b, hb, NULL));
  ASSERT(!memcmp(ha, hb, 32));
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(a, &rep, NULL));
  decc_ledger_close(a);
  decc_ledger_close(b);
}

TEST(lowest_bad_index_is_reported_and_nothing_changes) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  uint8_t h0[32], h1[32];
  ASSERT_OK(decc_ledger_state_hash(l, h0, NULL));
  decc_buf raw[N];
  make_batch(raw, &info, 0);
  /* Corrupt the signature of 41 and garble 23: 23 must be reported. */
  raw[41].data[raw[41].len - 5] ^= 0x55;
  raw[23].data[0] = 0xff;
  for (int k = 0; k < 5; k++) {
    decc_receipt r[N];
    decc_err err;
    decc_err_clear(&err);
    ASSERT(submit(l, raw, r, &err) != DECC_OK);
    ASSERT(strstr(err.msg, "transaction 23") != NULL);
  }
  raw[23].data[0] = 0x02; /* type 2 again: now 41 is the first bad one */
  decc_receipt r[N];
  decc_err err;
  decc_err_clear(&err);
  ASSERT(submit(l, raw, r, &err) != DECC_OK);
  ASSERT(strstr(err.msg, "transaction 41") != NULL);
  ASSERT_OK(decc_ledger_state_hash(l, h1, NULL));
  ASSERT(!memcmp(h0, h1, 32));
  for (int i = 0; i < N; i++)
    decc_buf_clear(&raw[i]);
  decc_ledger_close(l);
}
