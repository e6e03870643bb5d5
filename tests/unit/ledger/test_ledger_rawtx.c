/*
 * test_ledger_rawtx.c — signed Ethereum transactions on the ledger: type 2
 * and legacy EIP-155 accepted (hash = keccak(raw), raw stored), a revert
 * consumes the nonce and carries PoCo's reason, and every rejection (wrong
 * chain, no chain id, bad / high-S signature, nonce gap or replay,
 * creation, value, garbage) leaves the chain untouched; a bad transaction
 * rejects its whole batch; decc_ledger_send / decc_chain_send store real
 * signed transactions that verify re-checks (and notices tampering).
 */
#include <stdio.h>
#include <string.h>

#include "decc/chain.h"
#include "decc/hash.h"
#include "decc/tx.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

static decc_buf transfer_call(const decc_address *to, uint64_t v) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, to);
  decc_abi_enc_push_u64(&e, v);
  return finish_call(&e, "transfer(address,uint256)");
}

/* A signed tx of the given type from dev key `who`. */
static decc_buf signed_tx(int type, uint64_t chain_id, unsigned who,
                          uint64_t nonce, const decc_address *to,
                          const decc_buf *data) {
  uint8_t sk[32];
  decc_tx tx;
  decc_buf raw;
  decc_buf_init(&raw, 0);
  decc_tx_init(&tx);
  tx.type = type;
  tx.chain_id = chain_id;
  tx.nonce = nonce;
  tx.gas_limit = 100000;
  tx.gas_price = decc_u256_from_u64(1);
  tx.max_fee = decc_u256_from_u64(2);
  tx.has_to = 1;
  tx.to = *to;
  if (decc_ledger_dev_key(sk, who) != DECC_OK ||
      decc_tx_set_data(&tx, data->data, data->len) != DECC_OK ||
      decc_tx_sign(&tx, sk, NULL) != DECC_OK ||
      decc_tx_serialize(&raw, &tx, NULL) != DECC_OK)
    decc_buf_reset(&raw);
  decc_tx_clear(&tx);
  decc_memzero(sk, sizeof sk);
  return raw;
}

static decc_status submit1(decc_ledger *l, const decc_buf *raw, decc_receipt *r,
                           decc_err *err) {
  const uint8_t *p = raw->data;
  size_t n = raw->len;
  decc_receipt tmp;
  decc_status s = decc_ledger_submit_raw(l, &p, &n, 1, r ? r : &tmp, err);
  if (!r && s == DECC_OK)
    decc_receipt_clear(&tmp);
  return s;
}

static uint64_t head_of(decc_ledger *l) {
  decc_ledger_info i;
  if (decc_ledger_get_info(l, &i, NULL) != DECC_OK)
    return UINT64_MAX;
  return i.head_number;
}

TEST(type2_and_legacy_accepted_hash_is_keccak_raw) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a1 = dev_addr(1), a2 = dev_addr(2);
  decc_buf d = transfer_call(&a2, 1000);
  decc_buf raw =
      signed_tx(DECC_TX_EIP1559, info.chain_id, 1, 0, &info.addr.token, &d);
  ASSERT(raw.len > 0);
  decc_receipt r;
  decc_err err;
  ASSERT_OK(submit1(l, &raw, &r, &err));
  ASSERT_EQ(r.status, 1);
  uint8_t h[32];
  decc_keccak256(h, raw.data, raw.len);
  ASSERT_MEM_EQ(r.tx_hash, h, 32);
  ASSERT_MEM_EQ(r.from.b, a1.b, 20);
  ASSERT_EQ(r.n_logs, 1); /* Transfer */
  decc_receipt_clear(&r);
  /* the raw bytes are stored and the receipt found by hash */
  ASSERT_OK(decc_ledger_receipt(l, h, &r, NULL));
  ASSERT_EQ(r.nonce, 0);
  decc_receipt_clear(&r);
  sqlite3_stmt *st;
  int found;
  ASSERT_OK(ldg_query(l, &st, &found, "SELECT raw, kind FROM txs WHERE hash=?1",
                      NULL, "h", h));
  ASSERT(found);
  ASSERT_EQ((size_t)sqlite3_column_bytes(st, 0), raw.len);
  ASSERT_MEM_EQ(sqlite3_column_blob(st, 0), raw.data, raw.len);
  ASSERT_EQ(sqlite3_column_int(st, 1), LDG_TX_RAW);
  sqlite3_reset(st);
  decc_buf_clear(&raw);

  /* legacy EIP-155 with the next nonce */
  raw = signed_tx(DECC_TX_LEGACY, info.chain_id, 1, 1, &info.addr.token, &d);
  ASSERT_OK(submit1(l, &raw, &r, NULL));
  ASSERT_EQ(r.status, 1);
  ASSERT_EQ(r.nonce, 1);
  decc_receipt_clear(&r);
  decc_buf_clear(&raw);
  uint64_t n;
  ASSERT_OK(decc_ledger_nonce(l, &a1, &n, NULL));
  ASSERT_EQ(n, 2);
  decc_buf_clear(&d);

  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, &err));
  ASSERT_EQ(rep.txs, 2);
  decc_ledger_close(l);
}

TEST(rejections_change_nothing) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a2 = dev_addr(2);
  decc_buf d = transfer_call(&a2, 5);
  uint8_t h0[32], h1[32];
  ASSERT_OK(decc_ledger_state_hash(l, h0, NULL));
  uint64_t head0 = head_of(l);
  decc_err err;
  decc_receipt r;

  /* wrong chain id */
  decc_buf raw = signed_tx(DECC_TX_EIP1559, 42161, 1, 0, &info.addr.token, &d);
  ASSERT_EQ(submit1(l, &raw, &r, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "chain id") != NULL);
  decc_buf_clear(&raw);
  /* legacy without EIP-155 */
  raw = signed_tx(DECC_TX_LEGACY, 0, 1, 0, &info.addr.token, &d);
  ASSERT_EQ(submit1(l, &raw, &r, &err), DECC_E_INVALID);
  decc_buf_clear(&raw);
  /* nonce gap */
  raw = signed_tx(DECC_TX_EIP1559, info.chain_id, 1, 5, &info.addr.token, &d);
  ASSERT_EQ(submit1(l, &raw, &r, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "nonce") != NULL);
  decc_buf_clear(&raw);
  /* high-S twin of a valid signature: s' = n - s, parity flipped */
  raw = signed_tx(DECC_TX_EIP1559, info.chain_id, 1, 0, &info.addr.token, &d);
  {
    decc_tx tx;
    decc_tx_init(&tx);
    ASSERT_OK(decc_tx_parse(&tx, raw.data, raw.len, NULL));
    static const uint8_t N[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
        0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    decc_u256 n, s, hs;
    decc_u256_from_be(&n, N);
    decc_u256_from_be(&s, tx.s);
    ASSERT_OK(decc_u256_sub(&hs, &n, &s));
    decc_u256_to_be(tx.s, &hs);
    tx.y_parity ^= 1;
    decc_buf hi;
    decc_buf_init(&hi, 0);
    ASSERT_OK(decc_tx_serialize(&hi, &tx, NULL));
    decc_tx_clear(&tx);
    ASSERT_EQ(submit1(l, &hi, &r, &err), DECC_E_INVALID);
    decc_buf_clear(&hi);
  }
  /* a corrupted r: either no sender or some unfunded stranger whose nonce
   * is 0 while the tx says 3 */
  decc_buf_clear(&raw);
  raw = signed_tx(DECC_TX_EIP1559, info.chain_id, 1, 3, &info.addr.token, &d);
  raw.data[raw.len - 40] ^= 0x01;
  {
    decc_status s = (decc_status)submit1(l, &raw, &r, &err);
    ASSERT(s == DECC_E_BAD_SIGNATURE || s == DECC_E_INVALID);
  }
  decc_buf_clear(&raw);
  /* garbage and truncation */
  uint8_t junk[5] = {0x02, 0xc3, 0x01, 0x02, 0x03};
  decc_buf jb = {0};
  decc_buf_init(&jb, 0);
  ASSERT_OK(decc_buf_append(&jb, junk, sizeof junk));
  ASSERT_EQ(submit1(l, &jb, &r, &err), DECC_E_INVALID);
  decc_buf_clear(&jb);
  /* creation and value */
  {
    uint8_t sk[32];
    ASSERT_OK(decc_ledger_dev_key(sk, 1));
    decc_tx tx;
    decc_tx_init(&tx);
    tx.type = DECC_TX_EIP1559;
    tx.chain_id = info.chain_id;
    tx.has_to = 0;
    ASSERT_OK(decc_tx_sign(&tx, sk, NULL));
    decc_buf c;
    decc_buf_init(&c, 0);
    ASSERT_OK(decc_tx_serialize(&c, &tx, NULL));
    ASSERT_EQ(submit1(l, &c, &r, &err), DECC_E_INVALID);
    ASSERT(strstr(err.msg, "creation") != NULL);
    decc_buf_reset(&c);
    tx.has_to = 1;
    tx.to = info.addr.token;
    tx.value = decc_u256_from_u64(1);
    ASSERT_OK(decc_tx_sign(&tx, sk, NULL));
    ASSERT_OK(decc_tx_serialize(&c, &tx, NULL));
    ASSERT_EQ(submit1(l, &c, &r, &err), DECC_E_INVALID);
    decc_buf_clear(&c);
    decc_tx_clear(&tx);
    decc_memzero(sk, sizeof sk);
  }
  /* a batch with a good tx then a bad nonce: all rejected */
  decc_buf good =
      signed_tx(DECC_TX_EIP1559, info.chain_id, 1, 0, &info.addr.token, &d);
  decc_buf bad = signed_tx(DECC_TX_EIP1559, info.chain_id, 1, 0,
                           &info.addr.token, &d); /* same nonce twice */
  const uint8_t *ps[2] = {good.data, bad.data};
  size_t ns[2] = {good.len, bad.len};
  decc_receipt rs[2];
  ASSERT_EQ(decc_ledger_submit_raw(l, ps, ns, 2, rs, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "transaction 1") != NULL);
  ASSERT_EQ(head_of(l), head0);
  ASSERT_OK(decc_ledger_state_hash(l, h1, NULL));
  ASSERT_MEM_EQ(h0, h1, 32);
  /* the good one alone goes through; replaying it is refused */
  ASSERT_OK(submit1(l, &good, NULL, NULL));
  ASSERT_EQ(submit1(l, &good, &r, &err), DECC_E_INVALID);
  ASSERT_EQ(head_of(l), head0 + 1);
  decc_buf_clear(&good);
  decc_buf_clear(&bad);
  decc_buf_clear(&d);
  decc_ledger_close(l);
}

TEST(revert_consumes_nonce_with_reason) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a1 = dev_addr(1);
  /* withdraw more than the stake: PoCo's escrow reverts */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_u256 big;
  ASSERT_OK(decc_u256_parse(&big, "1000000000000000000000"));
  decc_abi_enc_push_u256(&e, &big);
  decc_buf d = finish_call(&e, "withdraw(uint256)");
  decc_buf raw =
      signed_tx(DECC_TX_EIP1559, info.chain_id, 1, 0, &info.addr.hub, &d);
  uint8_t h0[32];
  ASSERT_OK(decc_ledger_state_hash(l, h0, NULL));
  decc_receipt r;
  ASSERT_OK(submit1(l, &raw, &r, NULL));
  ASSERT_EQ(r.status, 0);
  ASSERT(r.revert_reason != NULL);
  ASSERT_EQ(r.n_logs, 0);
  decc_receipt_clear(&r);
  uint64_t n;
  ASSERT_OK(decc_ledger_nonce(l, &a1, &n, NULL));
  ASSERT_EQ(n, 1);
  decc_buf_clear(&raw);
  decc_buf_clear(&d);
  decc_ledger_close(l);
}

TEST(send_and_chain_send_store_signed_txs_verify_checks_them) {
  const char *dir = decc_test_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/raw.sqlite", dir);
  decc_genesis g;
  ASSERT_OK(decc_genesis_default(&g));
  ASSERT_OK(decc_ledger_init(path, &g, NULL));
  decc_genesis_clear(&g);
  decc_ledger *l;
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  uint8_t sk[32];
  ASSERT_OK(decc_ledger_dev_key(sk, 3));
  decc_address a3 = dev_addr(3), a4 = dev_addr(4);
  decc_buf d = transfer_call(&a4, 77);
  decc_receipt r;
  for (int i = 0; i < 3; i++) {
    ASSERT_OK(
        decc_ledger_send(l, sk, &info.addr.token, d.data, d.len, &r, NULL));
    ASSERT_EQ(r.status, 1);
    ASSERT_EQ(r.nonce, (uint64_t)i);
    decc_receipt_clear(&r);
  }
  decc_ledger_close(l);
  decc_chain *c;
  ASSERT_OK(decc_chain_open_embedded(&c, path, NULL));
  ASSERT_OK(decc_chain_send(c, sk, &info.addr.token, d.data, d.len, &r, NULL));
  ASSERT_EQ(r.status, 1);
  ASSERT_EQ(r.nonce, 3);
  ASSERT_MEM_EQ(r.from.b, a3.b, 20);
  uint8_t last[32];
  memcpy(last, r.tx_hash, 32);
  decc_receipt_clear(&r);
  decc_chain_destroy(c);
  decc_buf_clear(&d);
  decc_memzero(sk, sizeof sk);

  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  /* every stored tx is a signed one whose hash is keccak(raw) */
  sqlite3_stmt *st;
  int found;
  ASSERT_OK(ldg_query(l, &st, &found, "SELECT raw FROM txs WHERE hash=?1", NULL,
                      "h", last));
  ASSERT(found);
  uint8_t h[32];
  decc_keccak256(h, sqlite3_column_blob(st, 0),
                 (size_t)sqlite3_column_bytes(st, 0));
  sqlite3_reset(st);
  ASSERT_MEM_EQ(h, last, 32);
  decc_ledger_verify_report rep;
  decc_err err;
  ASSERT_OK(decc_ledger_verify(l, &rep, &err));
  ASSERT_EQ(rep.txs, 4);
  /* a stored input that no longer matches the signed bytes is caught */
  ASSERT_OK(
      ldg_exec(l, "UPDATE txs SET input=x'00' WHERE hash=?1", NULL, "h", last));
  ASSERT_EQ(decc_ledger_verify(l, &rep, &err), DECC_E_CORRUPT);
  ASSERT(strstr(err.msg, "signed transaction") != NULL);
  decc_ledger_close(l);
}
