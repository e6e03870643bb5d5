/*
 * test_ledger_native.c — the embedded ledger's native coin
 * (decc_ledger_native_balance, lib/ledger/native.c): every dev account of
 * the default genesis holds DECC_GENESIS_DEV_NATIVE_ETH ether, other
 * addresses none; a genesis can set devAccounts.native and accounts[].native
 * (an address both listed and dev gets both); the default leaves the
 * genesis JSON without a "native" key (ledgers made before it re-serialise
 * byte for byte) and a custom one survives the round trip; the balance does
 * not move the state hash (verify passes).
 */
#include <string.h>

#include "decc/ledger.h"
#include "ledger_test_util.h"

static decc_u256 ether(uint64_t n) {
  decc_u256 a = decc_u256_from_u64(n),
            w = decc_u256_from_u64(1000000000000000000ull), r;
  if (decc_u256_mul(&r, &a, &w) != DECC_OK)
    r = decc_u256_from_u64(0);
  return r;
}

TEST(dev_accounts_hold_the_default) {
  decc_genesis g;
  decc_err err;
  ASSERT_OK(decc_genesis_default(&g));
  g.timestamp = 1700000000;
  decc_ledger *l = NULL;
  ASSERT_OK(decc_ledger_open_memory(&l, &g, &err));
  decc_u256 v, want = ether(DECC_GENESIS_DEV_NATIVE_ETH);
  for (unsigned i = 0; i < g.dev_accounts; i++) {
    decc_address a = dev_addr(i);
    ASSERT_OK(decc_ledger_native_balance(l, &a, &v, &err));
    ASSERT_EQ(decc_u256_cmp(&v, &want), 0);
  }
  /* Not a dev account (the 11th key, and the hub). */
  decc_address other = dev_addr(g.dev_accounts);
  ASSERT_OK(decc_ledger_native_balance(l, &other, &v, &err));
  ASSERT(decc_u256_is_zero(&v));
  ASSERT_OK(decc_ledger_native_balance(l, &g.addr.hub, &v, &err));
  ASSERT(decc_u256_is_zero(&v));
  decc_ledger_verify_report rep;
  ASSERT_OK(decc_ledger_verify(l, &rep, &err));
  decc_ledger_close(l);
  /* The default is not written into the genesis document. */
  char *json = NULL;
  ASSERT_OK(decc_genesis_to_json(&json, &g));
  ASSERT(strstr(json, "native") == NULL);
  decc_free(json);
  decc_genesis_clear(&g);
}

TEST(genesis_sets_native_amounts) {
  decc_address x = dev_addr(20), d1 = dev_addr(1);
  char hx[43], hd[43];
  decc_address_to_hex(hx, &x);
  decc_address_to_hex(hd, &d1);
  char doc[1024];
  snprintf(doc, sizeof doc,
           "{\"timestamp\":1700000000,\"devAccounts\":{\"count\":3,"
           "\"native\":\"5\"},\"accounts\":[{\"address\":\"%s\",\"rlc\":\"1\","
           "\"native\":\"123456789012345678901234567890\"},{\"address\":\"%s\","
           "\"native\":\"7\"}]}",
           hx, hd);
  decc_genesis g, back;
  decc_err err;
  ASSERT_OK(decc_genesis_from_json(&g, doc, strlen(doc), &err));
  decc_ledger *l = NULL;
  ASSERT_OK(decc_ledger_open_memory(&l, &g, &err));
  decc_u256 v, want;
  ASSERT_OK(decc_ledger_native_balance(l, &x, &v, &err));
  ASSERT_OK(decc_u256_parse(&want, "123456789012345678901234567890"));
  ASSERT_EQ(decc_u256_cmp(&v, &want), 0);
  decc_address d0 = dev_addr(0);
  ASSERT_OK(decc_ledger_native_balance(l, &d0, &v, &err));
  want = decc_u256_from_u64(5);
  ASSERT_EQ(decc_u256_cmp(&v, &want), 0);
  /* Dev account 1 is also listed: 5 + 7. */
  ASSERT_OK(decc_ledger_native_balance(l, &d1, &v, &err));
  want = decc_u256_from_u64(12);
  ASSERT_EQ(decc_u256_cmp(&v, &want), 0);
  /* Dev account 3 does not exist with count 3. */
  decc_address d3 = dev_addr(3);
  ASSERT_OK(decc_ledger_native_balance(l, &d3, &v, &err));
  ASSERT(decc_u256_is_zero(&v));
  decc_ledger_close(l);
  /* Round trip keeps the custom amounts. */
  char *json = NULL, *json2 = NULL;
  ASSERT_OK(decc_genesis_to_json(&json, &g));
  ASSERT(strstr(json, "\"native\"") != NULL);
  ASSERT_OK(decc_genesis_from_json(&back, json, strlen(json), &err));
  ASSERT_OK(decc_genesis_to_json(&json2, &back));
  ASSERT_STR_EQ(json, json2);
  want = decc_u256_from_u64(5);
  ASSERT_EQ(decc_u256_cmp(&back.dev_native, &want), 0);
  decc_free(json);
  decc_free(json2);
  decc_genesis_clear(&back);
  decc_genesis_clear(&g);
  /* Not an amount. */
  const char *bad = "{\"devAccounts\":{\"native\":\"-1\"}}";
  ASSERT_EQ(decc_genesis_from_json(&g, bad, strlen(bad), &err), DECC_E_PARSE);
  decc_genesis_clear(&g);
}
