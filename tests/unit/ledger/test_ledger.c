/*
 * test_ledger.c — the embedded ledger's mechanics and non-PoCo contracts:
 * genesis, blocks and receipts, RLC transfers and reverts (no state
 * change), escrow deposit / approveAndCall / withdraw, registries (CREATE2
 * addresses, ERC-721 enumeration, transfers), DataProtector, logs
 * queries, time travel, persistence across reopen and replay verification.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decc/chain.h"
#include "decc/encoding.h"
#include "ledger/ledger_int.h"
#include "ledger_test_util.h"

struct counter {
  size_t n;
  uint64_t last_block;
};

static int count_log(const decc_log *lg, void *user) {
  struct counter *c = user;
  c->n++;
  c->last_block = lg->block_number;
  return 0;
}

static decc_buf call_addr_u256(const char *sig, const decc_address *a,
                               uint64_t v) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, a);
  decc_abi_enc_push_u64(&e, v);
  return finish_call(&e, sig);
}

static decc_buf call_addr(const char *sig, const decc_address *a) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, a);
  return finish_call(&e, sig);
}

static decc_buf call_none(const char *sig) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  return finish_call(&e, sig);
}

static uint64_t rlc_of(decc_ledger *l, const decc_address *a) {
  decc_u256 v;
  uint64_t x = UINT64_MAX;
  if (decc_ledger_rlc_balance(l, a, &v, NULL) == DECC_OK)
    decc_u256_to_u64(&x, &v);
  return x;
}

static uint64_t stake_of(decc_ledger *l, const decc_address *a) {
  decc_u256 v, f;
  uint64_t x = UINT64_MAX;
  if (decc_ledger_escrow(l, a, &v, &f, NULL) == DECC_OK)
    decc_u256_to_u64(&x, &v);
  return x;
}

TEST(genesis_defaults) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  ASSERT_EQ(info.chain_id, 31337);
  ASSERT_EQ(info.head_number, 0);
  char h[43];
  ASSERT_STR_EQ(decc_address_to_checksum(h, &info.addr.hub),
                "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0");
  decc_address a0 = dev_addr(0);
  ASSERT_EQ(rlc_of(l, &a0), 1000000ull * 1000000000ull);
  ASSERT_EQ(stake_of(l, &a0), 1000ull * 1000000000ull);
  ASSERT_EQ(rlc_of(l, &info.addr.hub), 10ull * 1000ull * 1000000000ull);
  /* views: countCategory, viewCategory(4), token(), domain separator */
  uint8_t w[32];
  decc_buf d = call_none("countCategory()");
  ASSERT_EQ(view_word(l, &info.addr.hub, &d, w), 0);
  ASSERT_EQ(word_u64(w), 5);
  decc_buf_clear(&d);
  d = call_none("token()");
  ASSERT_EQ(view_word(l, &info.addr.hub, &d, w), 0);
  ASSERT_MEM_EQ(w + 12, info.addr.token.b, 20);
  decc_buf_clear(&d);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u64(&e, 4);
  d = finish_call(&e, "viewCategory(uint256)");
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(
      decc_ledger_view(l, NULL, &info.addr.hub, d.data, d.len, &out, NULL));
  decc_abi_value *v = NULL;
  ASSERT_OK(decc_abi_decode(&v, "(string,string,uint256)", out.data, out.len,
                            DECC_ABI_CANONICAL, NULL));
  char *name = NULL;
  uint64_t tref = 0;
  ASSERT_OK(decc_abi_get_string(decc_abi_item(decc_abi_item(v, 0), 0), &name));
  ASSERT_OK(decc_abi_get_u64(decc_abi_item(decc_abi_item(v, 0), 2), &tref));
  ASSERT_STR_EQ(name, "XL");
  ASSERT_EQ(tref, 36000);
  decc_free(name);
  decc_abi_value_free(v);
  decc_buf_clear(&d);
  /* out of range → panic 0x32 */
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u64(&e, 5);
  d = finish_call(&e, "viewCategory(uint256)");
  decc_err err;
  decc_buf_reset(&out);
  ASSERT_EQ(
      decc_ledger_view(l, NULL, &info.addr.hub, d.data, d.len, &out, &err),
      DECC_E_REVERT);
  ASSERT(strstr(err.msg, "0x4e487b71") != NULL);
  decc_buf_clear(&d);
  decc_buf_clear(&out);
  decc_ledger_close(l);
}

TEST(rlc_transfer_and_revert_change_nothing) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_address a0 = dev_addr(0), a1 = dev_addr(1),
               x = addr_of("0x1111111111111111111111111111111111111111");
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_buf d = call_addr_u256("transfer(address,uint256)", &x, 5000);
  decc_receipt r;
  ASSERT_EQ(ldg_t_call(l, &a0, &info.addr.token, &d, &r), 1);
  decc_buf_clear(&d);
  ASSERT_EQ(r.block_number, 1);
  ASSERT_EQ(r.n_logs, 1);
  uint8_t t0[32];
  decc_abi_event_topic(t0, "Transfer(address,address,uint256)");
  ASSERT_MEM_EQ(r.logs[0].topics[0], t0, 32);
  ASSERT_MEM_EQ(r.logs[0].address.b, info.addr.token.b, 20);
  ASSERT_EQ(r.logs[0].data[31], 5000 & 0xff);
  uint8_t txh[32];
  memcpy(txh, r.tx_hash, 32);
  decc_receipt_clear(&r);
  ASSERT_EQ(rlc_of(l, &x), 5000);
  /* The stored receipt equals the returned one. */
  ASSERT_OK(decc_ledger_receipt(l, txh, &r, NULL));
  ASSERT_EQ(r.status, 1);
  ASSERT_EQ(r.n_logs, 1);
  ASSERT_EQ(r.nonce, 0);
  decc_receipt_clear(&r);

  /* x has 5000: sending 5001 reverts; balances unchanged, nonce used. */
  uint8_t before[32], after[32];
  ASSERT_OK(decc_ledger_state_hash(l, before, NULL));
  d = call_addr_u256("transfer(address,uint256)", &a1, 5001);
  ASSERT_EQ(ldg_t_call(l, &x, &info.addr.token, &d, &r), 0);
  ASSERT_EQ(r.n_logs, 0);
  ASSERT(r.revert_reason != NULL);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  ASSERT_EQ(rlc_of(l, &x), 5000);
  uint64_t nonce;
  ASSERT_OK(decc_ledger_nonce(l, &x, &nonce, NULL));
  ASSERT_EQ(nonce, 1);
  ASSERT_OK(decc_ledger_state_hash(l, after, NULL));
  ASSERT(memcmp(before, after, 32) != 0); /* only the nonce moved */
  decc_ledger_close(l);
}

TEST(escrow_deposit_approve_and_call_withdraw) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a2 = dev_addr(2);
  uint64_t rlc0 = rlc_of(l, &a2), st0 = stake_of(l, &a2);
  /* deposit without allowance fails (RLC transferFrom reverts) */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u64(&e, 700);
  decc_buf d = finish_call(&e, "deposit(uint256)");
  ASSERT_EQ(ldg_t_call(l, &a2, &info.addr.hub, &d, NULL), 0);
  /* approve + deposit */
  decc_buf ap = call_addr_u256("approve(address,uint256)", &info.addr.hub, 700);
  ASSERT_EQ(ldg_t_call(l, &a2, &info.addr.token, &ap, NULL), 1);
  decc_receipt r;
  ASSERT_EQ(ldg_t_call(l, &a2, &info.addr.hub, &d, &r), 1);
  /* RLC Transfer (token), hub mint Transfer(0, a2) */
  ASSERT_EQ(r.n_logs, 2);
  ASSERT_MEM_EQ(r.logs[1].address.b, info.addr.hub.b, 20);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  decc_buf_clear(&ap);
  ASSERT_EQ(rlc_of(l, &a2), rlc0 - 700);
  ASSERT_EQ(stake_of(l, &a2), st0 + 700);
  /* approveAndCall(hub, 300, 0x) deposits in one transaction */
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &info.addr.hub);
  decc_abi_enc_push_u64(&e, 300);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  d = finish_call(&e, "approveAndCall(address,uint256,bytes)");
  ASSERT_EQ(ldg_t_call(l, &a2, &info.addr.token, &d, NULL), 1);
  decc_buf_clear(&d);
  ASSERT_EQ(stake_of(l, &a2), st0 + 1000);
  /* withdraw more than the stake reverts; exact withdraw works */
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u64(&e, st0 + 1001);
  d = finish_call(&e, "withdraw(uint256)");
  ASSERT_EQ(ldg_t_call(l, &a2, &info.addr.hub, &d, &r), 0);
  ASSERT_STR_EQ(r.revert_reason, "SafeMath: subtraction overflow");
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u64(&e, st0 + 1000);
  d = finish_call(&e, "withdraw(uint256)");
  ASSERT_EQ(ldg_t_call(l, &a2, &info.addr.hub, &d, NULL), 1);
  decc_buf_clear(&d);
  ASSERT_EQ(stake_of(l, &a2), 0);
  ASSERT_EQ(rlc_of(l, &a2), rlc0 + st0);
  /* views agree: balanceOf / viewAccount */
  uint8_t w[32];
  d = call_addr("balanceOf(address)", &a2);
  ASSERT_EQ(view_word(l, &info.addr.hub, &d, w), 0);
  ASSERT_EQ(word_u64(w), 0);
  decc_buf_clear(&d);
  /* unknown selector on the hub: FunctionNotFound(bytes4) */
  d = call_none("noSuchFunction()");
  ASSERT_EQ(ldg_t_call(l, &a2, &info.addr.hub, &d, &r), 0);
  ASSERT(r.revert_reason && !strncmp(r.revert_reason, "0x5416eb98", 10));
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  decc_ledger_close(l);
}

static decc_buf create_app_call(const decc_address *owner, const char *name) {
  decc_abi_enc e;
  uint8_t sum[32];
  memset(sum, 0xab, 32);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, owner);
  decc_abi_enc_push_string(&e, name);
  decc_abi_enc_push_string(&e, "DOCKER");
  decc_abi_enc_push_bytes(&e, "\x12\x34", 2);
  decc_abi_enc_push_bytes32(&e, sum);
  decc_abi_enc_push_bytes(&e, NULL, 0);
  return finish_call(&e,
                     "createApp(address,string,string,bytes,bytes32,bytes)");
}

TEST(registry_create_enumerate_transfer) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address owner = addr_of("0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A");
  decc_address a3 = dev_addr(3), a4 = dev_addr(4);
  decc_buf d = create_app_call(&owner, "my-app");
  /* predictApp gives the address createApp returns */
  uint8_t sel[4], w[32];
  decc_abi_selector(sel,
                    "predictApp(address,string,string,bytes,bytes32,bytes)");
  decc_buf pd;
  decc_buf_init(&pd, 0);
  ASSERT_OK(decc_buf_append(&pd, sel, 4));
  ASSERT_OK(decc_buf_append(&pd, d.data + 4, d.len - 4));
  ASSERT_EQ(view_word(l, &info.addr.app_registry, &pd, w), 0);
  decc_buf_clear(&pd);
  decc_receipt r;
  ASSERT_EQ(ldg_t_call(l, &a3, &info.addr.app_registry, &d, &r), 1);
  ASSERT_EQ(r.output_len, 32);
  ASSERT_MEM_EQ(r.output, w, 32);
  decc_address app;
  memcpy(app.b, w + 12, 20);
  /* mint: Transfer(0, owner, tokenId) with 4 topics */
  ASSERT_EQ(r.n_logs, 1);
  ASSERT_EQ(r.logs[0].n_topics, 4);
  ASSERT_MEM_EQ(r.logs[0].topics[3] + 12, app.b, 20);
  decc_receipt_clear(&r);
  /* same inputs again: CREATE2 collision */
  ASSERT_EQ(ldg_t_call(l, &a3, &info.addr.app_registry, &d, &r), 0);
  ASSERT_STR_EQ(r.revert_reason, "Create2: Failed on deploy");
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  /* a second app for the same owner */
  d = create_app_call(&owner, "my-app-2");
  ASSERT_EQ(ldg_t_call(l, &a3, &info.addr.app_registry, &d, &r), 1);
  decc_address app2;
  memcpy(app2.b, r.output + 12, 20);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  /* entry views */
  d = call_none("owner()");
  ASSERT_EQ(view_word(l, &app, &d, w), 0);
  ASSERT_MEM_EQ(w + 12, owner.b, 20);
  decc_buf_clear(&d);
  d = call_none("m_appChecksum()");
  ASSERT_EQ(view_word(l, &app, &d, w), 0);
  ASSERT_EQ(w[0], 0xab);
  decc_buf_clear(&d);
  d = call_addr("isRegistered(address)", &app);
  ASSERT_EQ(view_word(l, &info.addr.app_registry, &d, w), 0);
  ASSERT_EQ(w[31], 1);
  ASSERT_EQ(view_word(l, &info.addr.dataset_registry, &d, w), 0);
  ASSERT_EQ(w[31], 0);
  decc_buf_clear(&d);
  d = call_addr("balanceOf(address)", &owner);
  ASSERT_EQ(view_word(l, &info.addr.app_registry, &d, w), 0);
  ASSERT_EQ(word_u64(w), 2);
  decc_buf_clear(&d);
  /* the owner is not a dev account: a3 may not transfer it */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &owner);
  decc_abi_enc_push_address(&e, &a4);
  uint8_t tok[32];
  memset(tok, 0, 12);
  memcpy(tok + 12, app.b, 20);
  decc_abi_enc_push_word(&e, tok);
  d = finish_call(&e, "transferFrom(address,address,uint256)");
  ASSERT_EQ(ldg_t_call(l, &a3, &info.addr.app_registry, &d, &r), 0);
  ASSERT_STR_EQ(r.revert_reason,
                "ERC721: transfer caller is not owner nor approved");
  decc_receipt_clear(&r);
  /* the owner transfers app (index 0) to a4: app2 takes index 0 */
  ASSERT_EQ(ldg_t_call(l, &owner, &info.addr.app_registry, &d, &r), 1);
  ASSERT_EQ(r.n_logs, 2); /* Approval(owner, 0, id), Transfer */
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  d = call_addr_u256("tokenOfOwnerByIndex(address,uint256)", &owner, 0);
  ASSERT_EQ(view_word(l, &info.addr.app_registry, &d, w), 0);
  ASSERT_MEM_EQ(w + 12, app2.b, 20);
  decc_buf_clear(&d);
  d = call_addr_u256("tokenOfOwnerByIndex(address,uint256)", &owner, 1);
  ASSERT_EQ(view_word(l, &info.addr.app_registry, &d, w), -1);
  decc_buf_clear(&d);
  d = call_none("owner()");
  ASSERT_EQ(view_word(l, &app, &d, w), 0);
  ASSERT_MEM_EQ(w + 12, a4.b, 20);
  decc_buf_clear(&d);
  decc_ledger_close(l);
}

TEST(workerpool_policy_and_dataprotector) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a5 = dev_addr(5), a6 = dev_addr(6);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &a5);
  decc_abi_enc_push_string(&e, "pool");
  decc_buf d = finish_call(&e, "createWorkerpool(address,string)");
  decc_receipt r;
  ASSERT_EQ(ldg_t_call(l, &a6, &info.addr.workerpool_registry, &d, &r), 1);
  decc_address wp;
  memcpy(wp.b, r.output + 12, 20);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  uint8_t w[32];
  d = call_none("m_workerStakeRatioPolicy()");
  ASSERT_EQ(view_word(l, &wp, &d, w), 0);
  ASSERT_EQ(word_u64(w), 30);
  decc_buf_clear(&d);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_u64(&e, 40);
  decc_abi_enc_push_u64(&e, 5);
  d = finish_call(&e, "changePolicy(uint256,uint256)");
  ASSERT_EQ(ldg_t_call(l, &a6, &wp, &d, &r), 0);
  ASSERT_STR_EQ(r.revert_reason, "caller is not the owner");
  decc_receipt_clear(&r);
  ASSERT_EQ(ldg_t_call(l, &a5, &wp, &d, &r), 1);
  ASSERT_EQ(r.n_logs, 1);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  d = call_none("m_schedulerRewardRatioPolicy()");
  ASSERT_EQ(view_word(l, &wp, &d, w), 0);
  ASSERT_EQ(word_u64(w), 5);
  decc_buf_clear(&d);

  /* DataProtector: dataset + DatasetSchema; dataset owner = a5 */
  uint8_t sum[32];
  memset(sum, 0x5a, 32);
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &a5);
  decc_abi_enc_push_string(&e, "my data");
  decc_abi_enc_push_string(&e, "{\"email\":\"string\"}");
  decc_abi_enc_push_bytes(&e, "\xa5\x03", 2);
  decc_abi_enc_push_bytes32(&e, sum);
  d = finish_call(
      &e, "createDatasetWithSchema(address,string,string,bytes,bytes32)");
  ASSERT_EQ(ldg_t_call(l, &a6, &info.addr.dataprotector, &d, &r), 1);
  ASSERT_EQ(r.n_logs, 2);
  uint8_t t0[32];
  decc_abi_event_topic(t0, "DatasetSchema(address,string)");
  ASSERT_MEM_EQ(r.logs[1].topics[0], t0, 32);
  ASSERT_MEM_EQ(r.logs[1].topics[1] + 12, r.output + 12, 20);
  decc_address ds;
  memcpy(ds.b, r.output + 12, 20);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  d = call_none("owner()");
  ASSERT_EQ(view_word(l, &ds, &d, w), 0);
  ASSERT_MEM_EQ(w + 12, a5.b, 20);
  decc_buf_clear(&d);

  /* log query by address + topic0 */
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &info.addr.dataprotector;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])t0;
  f.n_topic_alts[0] = 1;
  decc_log *logs;
  size_t n;
  ASSERT_OK(decc_ledger_logs(l, &f, &logs, &n, NULL));
  ASSERT_EQ(n, 1);
  ASSERT_MEM_EQ(logs[0].topics[1] + 12, ds.b, 20);
  decc_logs_free(logs, n);
  f.from_block = 100;
  ASSERT_OK(decc_ledger_logs(l, &f, &logs, &n, NULL));
  ASSERT_EQ(n, 0);
  decc_logs_free(logs, n);
  decc_ledger_close(l);
}

TEST(batch_is_one_block_and_time_travel) {
  decc_ledger *l = mem_ledger();
  ASSERT(l);
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a0 = dev_addr(0), a1 = dev_addr(1);
  decc_buf d1 = call_addr_u256("transfer(address,uint256)", &a1, 1),
           d2 = call_addr_u256("transfer(address,uint256)", &a1, 2);
  decc_ledger_call calls[3] = {{a0, info.addr.token, d1.data, d1.len},
                               {a0, info.addr.token, d2.data, d2.len},
                               {a1, info.addr.token, d1.data, d1.len}};
  decc_receipt r[3];
  ASSERT_OK(decc_ledger_submit_calls(l, calls, 3, r, NULL));
  ASSERT_EQ(r[0].block_number, 1);
  ASSERT_EQ(r[2].block_number, 1);
  ASSERT_EQ(r[1].nonce, 1);
  ASSERT_EQ(r[2].tx_index, 2);
  ASSERT_EQ(r[1].logs[0].log_index, 1);
  ASSERT_MEM_EQ(r[0].block_hash, r[2].block_hash, 32);
  for (int i = 0; i < 3; i++)
    decc_receipt_clear(&r[i]);
  decc_ledger_block b;
  ASSERT_OK(decc_ledger_block_get(l, 1, &b, NULL));
  ASSERT_EQ(b.tx_count, 3);
  uint64_t t1 = b.timestamp;
  int64_t off;
  ASSERT_OK(decc_ledger_time_increase(l, 3600, &off, NULL));
  ASSERT_EQ(off, 3600);
  ASSERT_EQ(ldg_t_call(l, &a0, &info.addr.token, &d1, NULL), 1);
  ASSERT_OK(decc_ledger_block_get(l, UINT64_MAX, &b, NULL));
  ASSERT_EQ(b.number, 2);
  ASSERT(b.timestamp >= t1 + 3600);
  decc_ledger_block b1;
  ASSERT_OK(decc_ledger_block_get(l, 1, &b1, NULL));
  ASSERT_MEM_EQ(b.parent, b1.hash, 32);
  decc_buf_clear(&d1);
  decc_buf_clear(&d2);
  decc_ledger_close(l);
}

TEST(file_persistence_verify_and_chain_api) {
  const char *dir = decc_test_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/ledger.sqlite", dir);
  decc_genesis g;
  ASSERT_OK(decc_genesis_default(&g));
  ASSERT_OK(decc_ledger_init(path, &g, NULL));
  decc_err err;
  ASSERT_EQ(decc_ledger_init(path, &g, &err), DECC_E_EXISTS);
  decc_genesis_clear(&g);
  decc_ledger *l;
  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  decc_ledger_info info;
  ASSERT_OK(decc_ledger_get_info(l, &info, NULL));
  decc_address a0 = dev_addr(0), a1 = dev_addr(1);
  for (int i = 0; i < 5; i++) {
    decc_buf d = create_app_call(&a1, i % 2 ? "odd" : "even");
    ldg_t_call(l, &a0, &info.addr.app_registry, &d, NULL); /* 2nd+ revert */
    decc_buf_clear(&d);
  }
  decc_ledger_close(l);

  /* the chain interface over the same file */
  decc_chain *c;
  ASSERT_OK(decc_chain_open_embedded(&c, path, NULL));
  ASSERT_STR_EQ(decc_chain_backend(c), "embedded");
  uint64_t head;
  ASSERT_OK(decc_chain_block_number(c, &head, NULL));
  ASSERT_EQ(head, 5);
  decc_log_filter f;
  decc_log_filter_init(&f);
  decc_chain_watch *w;
  ASSERT_OK(decc_chain_watch_create(&w, c, &f, 0, NULL));
  size_t seen = 0;
  struct counter cnt = {0, 0};
  ASSERT_OK(decc_chain_watch_poll(w, count_log, &cnt, &seen, NULL));
  ASSERT_EQ(seen, 2); /* two successful createApp mints */
  ASSERT_EQ(cnt.n, 2);
  ASSERT_OK(decc_chain_watch_poll(w, count_log, &cnt, &seen, NULL));
  ASSERT_EQ(seen, 0);
  decc_chain_watch_destroy(w);
  uint8_t sk[32];
  ASSERT_OK(decc_ledger_dev_key(sk, 1));
  decc_buf d = call_addr_u256("transfer(address,uint256)", &a0, 42);
  decc_receipt r;
  ASSERT_OK(decc_chain_send(c, sk, &info.addr.token, d.data, d.len, &r, NULL));
  ASSERT_EQ(r.status, 1);
  ASSERT_MEM_EQ(r.from.b, a1.b, 20);
  decc_receipt r2;
  ASSERT_OK(decc_chain_wait_receipt(c, r.tx_hash, 1000, 10, &r2, NULL));
  ASSERT_MEM_EQ(r2.block_hash, r.block_hash, 32);
  decc_receipt_clear(&r2);
  decc_receipt_clear(&r);
  decc_buf_clear(&d);
  decc_buf out;
  decc_buf_init(&out, 0);
  d = call_addr("balanceOf(address)", &a0);
  ASSERT_OK(
      decc_chain_call(c, NULL, &info.addr.token, d.data, d.len, &out, NULL));
  ASSERT_EQ(out.len, 32);
  decc_buf_clear(&out);
  decc_buf_clear(&d);
  decc_chain_destroy(c);
  decc_memzero(sk, sizeof sk);

  ASSERT_OK(decc_ledger_open(&l, path, NULL));
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, &err));
  ASSERT_EQ(rep.blocks, 6);
  ASSERT_EQ(rep.txs, 6);
  ASSERT_MEM_EQ(rep.state_hash, rep.replay_hash, 32);
  /* tamper with a stored balance: verify must notice */
  ASSERT_OK(ldg_exec(l,
                     "UPDATE rlc_balances SET amount=zeroblob(32) WHERE "
                     "address=?1",
                     NULL, "a", &a0));
  ASSERT_EQ(decc_ledger_verify(l, &rep, &err), DECC_E_CORRUPT);
  decc_ledger_close(l);
}

TEST(watch_delivers_each_log_once) {
  const char *dir = decc_test_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/w.sqlite", dir);
  decc_genesis g;
  ASSERT_OK(decc_genesis_default(&g));
  ASSERT_OK(decc_ledger_init(path, &g, NULL));
  decc_genesis_clear(&g);
  decc_chain *c;
  ASSERT_OK(decc_chain_open_embedded(&c, path, NULL));
  decc_chain_addresses ad;
  ASSERT_OK(decc_chain_get_addresses(c, &ad, NULL));
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &ad.token;
  f.n_addresses = 1;
  decc_chain_watch *w;
  ASSERT_OK(decc_chain_watch_create(&w, c, &f, UINT64_MAX, NULL));
  uint8_t sk[32];
  ASSERT_OK(decc_ledger_dev_key(sk, 0));
  decc_address a1 = dev_addr(1);
  size_t n = 0;
  for (int round = 0; round < 3; round++) {
    decc_buf d = call_addr_u256("transfer(address,uint256)", &a1, 1);
    decc_receipt r;
    ASSERT_OK(decc_chain_send(c, sk, &ad.token, d.data, d.len, &r, NULL));
    decc_receipt_clear(&r);
    decc_buf_clear(&d);
    size_t got = 0;
    struct counter cnt = {0, 0};
    ASSERT_OK(decc_chain_watch_poll(w, count_log, &cnt, &got, NULL));
    ASSERT_EQ(got, 1);
    n += got;
  }
  ASSERT_EQ(n, 3);
  decc_chain_watch_destroy(w);
  decc_chain_destroy(c);
  decc_memzero(sk, sizeof sk);
}
