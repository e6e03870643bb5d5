/*
 * native.c — the native coin of the embedded ledger: what the genesis gives
 * each account (dev accounts: devAccounts.native, 10,000 ether by default;
 * listed accounts: their "native"), answered by eth_getBalance.
 *
 * Why a constant: the ledger runs PoCo natively, charges no gas and refuses
 * transactions carrying a value (rawtx.c), so no operation can spend or
 * move native coin. Wallets, SDKs and dApps that check an account holds gas
 * money before sending (or show the balance) still expect funded dev
 * accounts, as on anvil or hardhat. The balance is derived from the genesis
 * stored in the ledger on each call rather than kept as state, so ledgers
 * made before it existed keep their state hash and `decc chain verify`
 * replays them unchanged.
 */
#include <string.h>

#include "decc/keys.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "ledger/ledger_int.h"

decc_status decc_ledger_native_balance(decc_ledger *l, const decc_address *a,
                                       decc_u256 *out, decc_err *err) {
  DECC_ARG_CHECK(l != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(out != NULL);
  *out = decc_u256_from_u64(0);
  uint8_t *gj = NULL;
  size_t gn = 0;
  decc_status s = ldg_meta_get_blob(l, "genesis", &gj, &gn, err);
  if (s != DECC_OK)
    return s;
  decc_genesis g;
  memset(&g, 0, sizeof g);
  if ((s = decc_genesis_from_json(&g, (const char *)gj, gn, err)) != DECC_OK) {
    decc_free(gj);
    decc_genesis_clear(&g);
    decc_err_prefix(err, "stored genesis");
    return DECC_E_CORRUPT;
  }
  decc_free(gj);
  /* An address both listed and a dev account gets both allocations. */
  decc_u256 sum = decc_u256_from_u64(0);
  for (size_t i = 0; i < g.n_accounts; i++)
    if (decc_address_eq(&g.accounts[i].address, a) &&
        decc_u256_add(&sum, &sum, &g.accounts[i].native) != DECC_OK)
      s = decc_err_set(err, DECC_E_CORRUPT, "genesis: native overflow");
  for (unsigned i = 0; !s && i < g.dev_accounts; i++) {
    uint8_t sk[32];
    decc_address d;
    s = decc_ledger_dev_key(sk, i);
    if (!s)
      s = decc_address_from_privkey(&d, sk);
    decc_memzero(sk, sizeof sk);
    if (s) {
      s = decc_err_set(err, s, "genesis: dev key %u", i);
      break;
    }
    if (decc_address_eq(&d, a) &&
        decc_u256_add(&sum, &sum, &g.dev_native) != DECC_OK)
      s = decc_err_set(err, DECC_E_CORRUPT, "genesis: native overflow");
  }
  decc_genesis_clear(&g);
  if (!s)
    *out = sum;
  return s;
}
