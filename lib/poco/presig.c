/*
 * presig.c — the signatures a hub call will check, read from its calldata
 * before it runs, and their recovery (decc_poco_call_signatures,
 * decc_poco_sigcheck_recover). A secp256k1 recovery is the largest single
 * cost of matchOrders and contributeAndFinalize; listing them ahead lets
 * the ledger recover a whole block's on every core while the block itself
 * still executes in order (docs/internals/performance.md). A listed
 * signature the call never checks (a presigned order, a contract signer)
 * costs only time: results are used only for the exact (hash, signature)
 * bytes the call asks about.
 */
#include <pthread.h>
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/keys.h"
#include "poco/poco_int.h"

/* matchOrders' argument list (a type list: four tuples). */
#define ORDERS4                                                                \
  DECC_ORDER_ABI_APP_TYPE "," DECC_ORDER_ABI_DATASET_TYPE                      \
                          "," DECC_ORDER_ABI_WORKERPOOL_TYPE                   \
                          "," DECC_ORDER_ABI_REQUEST_TYPE

/* The next free entry with sig copied in (hash still to fill), or NULL
 * when out is full or sig is not a 64- or 65-byte signature. */
static decc_poco_sigcheck *add(decc_poco_sigcheck *out, size_t cap, size_t *n,
                               const uint8_t *sig, size_t sig_len) {
  if (*n >= cap || (sig_len != 64 && sig_len != 65))
    return NULL;
  decc_poco_sigcheck *c = &out[(*n)++];
  memset(c, 0, sizeof *c);
  memcpy(c->sig, sig, sig_len);
  c->sig_len = sig_len;
  return c;
}

static size_t orders(decc_poco_sigcheck *out, size_t cap,
                     const decc_abi_type *args_t, const uint8_t domain32[32],
                     const uint8_t *data, size_t len) {
  static const decc_order_type ty[4] = {DECC_ORDER_APP, DECC_ORDER_DATASET,
                                        DECC_ORDER_WORKERPOOL,
                                        DECC_ORDER_REQUEST};
  decc_abi_value *args = NULL;
  size_t n = 0;
  if (!args_t ||
      decc_abi_decode_type(&args, args_t, data, len, 0, NULL) != DECC_OK)
    return 0;
  for (int i = 0; i < 4; i++) {
    decc_order o;
    if (decc_order_abi_get(&o, ty[i], decc_abi_item(args, (size_t)i)) !=
        DECC_OK)
      break;
    /* An order without a listable signature is not hashed here: nothing
     * would use its hash. One that is keeps its key, so that matchOrders
     * reuses the hash for exactly this order. */
    decc_poco_sigcheck *c = add(out, cap, &n, o.sign, o.sign_len);
    if (c)
      decc__order_hash_keyed(c->hash, &c->order, &o, domain32);
    decc_order_clear(&o);
  }
  decc_abi_value_free(args);
  return n;
}

/* contribute(bytes32,bytes32,bytes32,address,bytes,bytes) and
 * contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes):
 * the task id is argument 0, the enclave challenge and the authorization
 * signature are at i_enclave and i_auth. */
static size_t authorization(decc_poco_sigcheck *out, size_t cap,
                            const decc_abi_type *args_t, size_t i_enclave,
                            size_t i_auth, const decc_address *sender,
                            const uint8_t *data, size_t len) {
  decc_abi_value *args = NULL;
  size_t n = 0;
  if (!args_t ||
      decc_abi_decode_type(&args, args_t, data, len, 0, NULL) != DECC_OK)
    return 0;
  uint8_t task[32], m[32], dg[32];
  decc_address ec;
  const uint8_t *sig = NULL;
  size_t sig_len = 0;
  if (decc_abi_get_bytes32(decc_abi_item(args, 0), task) == DECC_OK &&
      decc_abi_get_address(decc_abi_item(args, i_enclave), &ec) == DECC_OK &&
      decc_abi_get_bytes(decc_abi_item(args, i_auth), &sig, &sig_len) ==
          DECC_OK) {
    decc_poco_authorization_message(m, sender, task, &ec);
    decc_eip191_digest(dg, m, 32);
    decc_poco_sigcheck *c = add(out, cap, &n, sig, sig_len);
    if (c)
      memcpy(c->hash, dg, 32);
  }
  decc_abi_value_free(args);
  return n;
}

/* The selectors of the calls listed and their argument types, hashed and
 * parsed once: this runs for every hub transaction, a selector is the
 * keccak-256 of its signature (six permutations for matchOrders' 700
 * characters) and parsing matchOrders' argument types cost about 25 k
 * instructions per call. Never freed (like the ledger's record types). */
static const char *const g_sigs[4] = {
    "matchOrders(" ORDERS4 ")", "sponsorMatchOrders(" ORDERS4 ")",
    "contributeAndFinalize(bytes32,bytes32,bytes,bytes,address,bytes,bytes)",
    "contribute(bytes32,bytes32,bytes32,address,bytes,bytes)"};
static uint8_t g_sel[4][4];
static decc_abi_type *g_args[4]; /* NULL if unparsable: nothing listed */
static pthread_once_t g_sel_once = PTHREAD_ONCE_INIT;

static void make_selectors(void) {
  for (int i = 0; i < 4; i++) {
    decc_abi_selector(g_sel[i], g_sigs[i]);
    if (decc_abi_func_parse(&g_args[i], NULL, g_sigs[i], NULL) != DECC_OK)
      g_args[i] = NULL;
  }
}

size_t decc_poco_call_signatures(decc_poco_sigcheck *out, size_t cap,
                                 const uint8_t domain32[32],
                                 const decc_address *sender,
                                 const uint8_t *calldata, size_t len) {
  DECC_ARG_CHECK_RET(out != NULL || cap == 0, 0);
  DECC_ARG_CHECK_RET(domain32 != NULL, 0);
  DECC_ARG_CHECK_RET(sender != NULL, 0);
  DECC_ARG_CHECK_RET(calldata != NULL || len == 0, 0);
  /* (calldata too short to hold a selector is data: nothing to list) */
  if (!cap || len < 4)
    return 0;
  pthread_once(&g_sel_once, make_selectors);
  int which = -1;
  for (int i = 0; i < 4 && which < 0; i++)
    if (!memcmp(g_sel[i], calldata, 4))
      which = i;
  const uint8_t *d = calldata + 4;
  size_t n = len - 4;
  switch (which) {
  case 0:
  case 1:
    return orders(out, cap, g_args[which], domain32, d, n);
  case 2:
    return authorization(out, cap, g_args[2], 4, 6, sender, d, n);
  case 3:
    return authorization(out, cap, g_args[3], 3, 5, sender, d, n);
  default:
    return 0;
  }
}

void decc_poco_sigcheck_recover(decc_poco_sigcheck *c) {
  DECC_ARG_CHECK_VOID(c != NULL);
  memset(&c->signer, 0, sizeof c->signer);
  c->recovered = 0;
  /* exactly decc_poco_verify_signature's EOA path */
  if (c->sig_len == 65 && c->sig[64] != 27 && c->sig[64] != 28) {
    c->recovered = 1; /* never recovered there: address(0) */
    return;
  }
  decc_status st =
      decc_recover_digest_any(&c->signer, c->hash, c->sig, c->sig_len);
  if (st == DECC_E_CRYPTO || st == DECC_E_NOMEM)
    return; /* not an answer: the call recovers it (and fails) itself */
  if (st != DECC_OK)
    memset(&c->signer, 0, sizeof c->signer);
  c->recovered = 1;
}
