/*
 * test_genesis_profile.c — named genesis profiles and fixed-address
 * workerpools: arbitrum-sepolia gets chain id 421614, the SDKs' Sepolia hub
 * and DataProtector addresses and a workerpool at the DataProtector SDK's
 * default address owned by dev account 3 (owner(), ERC-721 balance and
 * description readable through the contracts' views); arbitrum-mainnet is
 * refused unless forced; unknown names are refused; the workerpools survive
 * the genesis JSON round trip (what verify replays) while a genesis without
 * them keeps its exact JSON; a workerpool on a contract's address is refused.
 */
#include <string.h>

#include "decc/ledger.h"
#include "ledger_test_util.h"

static const char *const WP_SEPOLIA =
    "0xB967057a21dc6A66A29721d96b8Aa7454B7c383F";

static decc_buf no_arg_call(const char *sig) {
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  return finish_call(&e, sig);
}

TEST(sepolia_profile_addresses_and_pool) {
  decc_genesis g;
  decc_err err;
  ASSERT_OK(decc_genesis_profile(&g, "arbitrum-sepolia", 0, &err));
  ASSERT_EQ(g.chain_id, 421614u);
  decc_address hub = addr_of("0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E");
  decc_address dp = addr_of("0x168eaf6c33a77e3cad9db892452f51a5d91df621");
  ASSERT(decc_address_eq(&g.addr.hub, &hub));
  ASSERT(decc_address_eq(&g.addr.dataprotector, &dp));
  ASSERT_EQ(g.n_workerpools, 1u);
  g.timestamp = 1700000000;
  decc_ledger *l = NULL;
  ASSERT_OK(decc_ledger_open_memory(&l, &g, &err));
  decc_address wp = addr_of(WP_SEPOLIA), owner = dev_addr(3);
  uint8_t w[32];
  decc_buf c = no_arg_call("owner()");
  ASSERT_EQ(view_word(l, &wp, &c, w), 0);
  ASSERT_MEM_EQ(w + 12, owner.b, 20);
  decc_buf_clear(&c);
  /* The registry counts it as the owner's token. */
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_abi_enc_push_address(&e, &owner);
  c = finish_call(&e, "balanceOf(address)");
  ASSERT_EQ(view_word(l, &g.addr.workerpool_registry, &c, w), 0);
  ASSERT_EQ(word_u64(w), 1u);
  decc_buf_clear(&c);
  /* Its description is the one the genesis gave. */
  c = no_arg_call("m_workerpoolDescription()");
  decc_buf out;
  decc_buf_init(&out, 0);
  ASSERT_OK(decc_ledger_view(l, NULL, &wp, c.data, c.len, &out, &err));
  const char *want = g.workerpools[0].description;
  ASSERT(out.len >= 64 + strlen(want));
  ASSERT_EQ(word_u64(out.data + 32), strlen(want));
  ASSERT_MEM_EQ(out.data + 64, want, strlen(want));
  decc_buf_clear(&out);
  decc_buf_clear(&c);
  decc_ledger_close(l);
  decc_genesis_clear(&g);
}

TEST(mainnet_needs_force_and_unknown_refused) {
  decc_genesis g;
  decc_err err;
  decc_err_clear(&err);
  ASSERT_EQ(decc_genesis_profile(&g, "arbitrum-mainnet", 0, &err),
            DECC_E_INVALID);
  ASSERT(strstr(err.msg, "42161") != NULL);
  decc_genesis_clear(&g);
  ASSERT_OK(decc_genesis_profile(&g, "arbitrum-mainnet", 1, &err));
  ASSERT_EQ(g.chain_id, 42161u);
  decc_genesis_clear(&g);
  ASSERT_EQ(decc_genesis_profile(&g, "goerli", 1, &err), DECC_E_INVALID);
  decc_genesis_clear(&g);
  ASSERT_OK(decc_genesis_profile(&g, "dev", 0, &err));
  ASSERT_EQ(g.chain_id, (uint64_t)DECC_LEDGER_DEFAULT_CHAIN_ID);
  ASSERT_EQ(g.n_workerpools, 0u);
  decc_genesis_clear(&g);
}

TEST(workerpools_json_round_trip) {
  decc_genesis g, back;
  decc_err err;
  char *json = NULL, *json2 = NULL;
  ASSERT_OK(decc_genesis_default(&g));
  ASSERT_OK(decc_genesis_to_json(&json, &g));
  /* No fixed workerpool: the document has no "workerpools" key at all. */
  ASSERT(strstr(json, "workerpools") == NULL);
  decc_free(json);
  decc_genesis_clear(&g);
  ASSERT_OK(decc_genesis_profile(&g, "arbitrum-sepolia", 0, &err));
  ASSERT_OK(decc_genesis_to_json(&json, &g));
  ASSERT(strstr(json, "\"workerpools\"") != NULL);
  ASSERT_OK(decc_genesis_from_json(&back, json, strlen(json), &err));
  ASSERT_EQ(back.n_workerpools, 1u);
  ASSERT(
      decc_address_eq(&back.workerpools[0].address, &g.workerpools[0].address));
  ASSERT(decc_address_eq(&back.workerpools[0].owner, &g.workerpools[0].owner));
  ASSERT_STR_EQ(back.workerpools[0].description, g.workerpools[0].description);
  ASSERT_OK(decc_genesis_to_json(&json2, &back));
  ASSERT_STR_EQ(json, json2);
  decc_free(json);
  decc_free(json2);
  decc_genesis_clear(&back);
  decc_genesis_clear(&g);
}

TEST(workerpool_on_contract_address_refused) {
  decc_genesis g;
  decc_err err;
  ASSERT_OK(decc_genesis_profile(&g, "arbitrum-sepolia", 0, &err));
  g.workerpools[0].address = g.addr.hub;
  decc_ledger *l = NULL;
  decc_err_clear(&err);
  ASSERT_EQ(decc_ledger_open_memory(&l, &g, &err), DECC_E_INVALID);
  ASSERT(strstr(err.msg, "workerpools[0]") != NULL);
  decc_genesis_clear(&g);
  /* Bad JSON entries are named. */
  const char *bad = "{\"workerpools\":[{\"address\":\"0x01\"}]}";
  ASSERT_EQ(decc_genesis_from_json(&g, bad, strlen(bad), &err), DECC_E_PARSE);
  ASSERT(strstr(err.msg, "workerpools[0]") != NULL);
}
