/*
 * decc/hub.h — the PoCo client binding over decc_chain: typed reads of the
 * iExec hub (viewDeal, viewTask, viewContribution, viewConsumed, accounts),
 * of the registries and their entries (owner, app / dataset / workerpool
 * fields), of the RLC token, and the one way decc opens a PoCo deployment
 * on a remote EVM chain (chain id, code checks, registries and token read
 * from the hub). Every part of decc that reads PoCo state goes through
 * here, embedded ledger or JSON-RPC alike, so each ABI type string and each
 * decoding exists once (the struct types are in decc/poco.h).
 *
 * All functions take a decc_chain used by one thread at a time (decc/chain.h)
 * and fill err with one line naming the view and the address on failure.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("may be NULL", "NULL is a no-op"; err is always optional); a NULL one
 * (also a NULL r->url) is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_HUB_H
#define DECC_HUB_H

#include "chain.h"
#include "common.h"
#include "poco.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- hub views ------------------------------------------------------------- */

/* viewDeal(dealid). Out: *d (initialised by the call; decc_poco_deal_clear).
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no such deal: app is zero); chain
 * errors; DECC_E_PARSE (not PoCo's answer). */
DECC_API decc_status decc_hub_view_deal(decc_chain *c,
                                        const uint8_t dealid32[32],
                                        decc_poco_deal *d,
                                        decc_err *err) DECC_WARN_UNUSED;

/* viewTask(taskid). Out: *t (initialised by the call; decc_poco_task_clear;
 * contributions carry only the worker address).
 * Returns: DECC_OK (an unknown task has status UNSET); chain errors. */
DECC_API decc_status decc_hub_view_task(decc_chain *c,
                                        const uint8_t taskid32[32],
                                        decc_poco_task *t,
                                        decc_err *err) DECC_WARN_UNUSED;

/* viewContribution(taskid, worker). Out: *out (worker set to `worker`).
 * Returns: DECC_OK; chain errors. */
DECC_API decc_status decc_hub_view_contribution(decc_chain *c,
                                                const uint8_t taskid32[32],
                                                const decc_address *worker,
                                                decc_poco_contribution *out,
                                                decc_err *err) DECC_WARN_UNUSED;

/* viewConsumed(orderHash): the volume of an order already used (a closed
 * order reports its whole volume). Returns: DECC_OK; chain errors. */
DECC_API decc_status decc_hub_view_consumed(decc_chain *c,
                                            const uint8_t order_hash32[32],
                                            decc_u256 *out,
                                            decc_err *err) DECC_WARN_UNUSED;

/* An account as PoCo keeps it, plus the RLC wallet balance. */
typedef struct decc_hub_account {
  decc_u256 wallet; /* RLC token balanceOf (not deposited) */
  decc_u256 stake;  /* hub balanceOf: deposited, free */
  decc_u256 locked; /* hub frozenOf: locked in deals */
} decc_hub_account;

/* The three balances of a. Returns: DECC_OK; chain errors. */
DECC_API decc_status decc_hub_account_of(decc_chain *c, const decc_address *a,
                                         decc_hub_account *out,
                                         decc_err *err) DECC_WARN_UNUSED;

/* ---- registries and entries ---------------------------------------------------- */

/* owner() of a registry entry (app, dataset, workerpool).
 * Returns: DECC_OK; DECC_E_NOT_FOUND (no contract there, or no owner). */
DECC_API decc_status decc_hub_owner_of(decc_chain *c, const decc_address *entry,
                                       decc_address *owner,
                                       decc_err *err) DECC_WARN_UNUSED;

/* isRegistered(entry) on a registry. Out: *yes. Returns: DECC_OK; chain
 * errors. */
DECC_API decc_status decc_hub_is_registered(decc_chain *c,
                                            const decc_address *registry,
                                            const decc_address *entry, int *yes,
                                            decc_err *err) DECC_WARN_UNUSED;

/* The kinds of registry entries. */
typedef enum decc_hub_entry_kind {
  DECC_HUB_APP = 0,
  DECC_HUB_DATASET = 1,
  DECC_HUB_WORKERPOOL = 2
} decc_hub_entry_kind;

/* A registry entry's public fields (every string NUL-terminated, owned:
 * decc_hub_entry_clear). Fields a kind does not have stay empty / zero:
 *   app:        name, type, multiaddr, checksum, mrenclave
 *   dataset:    name, multiaddr, checksum
 *   workerpool: name (m_workerpoolDescription), worker_stake_ratio,
 *               scheduler_reward_ratio */
typedef struct decc_hub_entry {
  decc_hub_entry_kind kind;
  decc_address address;
  decc_address owner;
  char *name;
  char *type;         /* app: m_appType ("DOCKER") */
  uint8_t *multiaddr; /* raw bytes as stored */
  size_t multiaddr_len;
  uint8_t checksum[32];
  uint8_t *mrenclave; /* app: m_appMREnclave bytes */
  size_t mrenclave_len;
  decc_u256 worker_stake_ratio;
  decc_u256 scheduler_reward_ratio;
} decc_hub_entry;

/* Reads the entry at `a`, checking first that the registry of `kind` (from
 * the chain's addresses) has it registered.
 * Returns: DECC_OK; DECC_E_NOT_FOUND ("0x… is not a registered app"); chain
 * errors. */
DECC_API decc_status decc_hub_entry_read(decc_chain *c,
                                         decc_hub_entry_kind kind,
                                         const decc_address *a,
                                         decc_hub_entry *out,
                                         decc_err *err) DECC_WARN_UNUSED;
/* The two fields an app or a dataset is fetched and checked by (what the
 * worker and the SMS read): m_appChecksum / m_datasetChecksum and
 * m_appMultiaddr / m_datasetMultiaddr, without the registry check. Out:
 * checksum, *multiaddr (decc_free; NUL-terminated), *len.
 * Returns: DECC_OK; DECC_E_INVALID (a workerpool); DECC_E_NOT_FOUND (no
 * contract answers there); chain errors. */
DECC_API decc_status decc_hub_asset_read(decc_chain *c,
                                         decc_hub_entry_kind kind,
                                         const decc_address *a,
                                         uint8_t checksum[32],
                                         uint8_t **multiaddr, size_t *len,
                                         decc_err *err) DECC_WARN_UNUSED;

/* Frees what an entry owns and zeroes it. NULL is a no-op. */
DECC_API void decc_hub_entry_clear(decc_hub_entry *e);

/* ---- opening a PoCo deployment on an EVM chain ---------------------------------- */

/* What decc_hub_open_remote checks and uses. */
typedef struct decc_hub_remote {
  const char *url;                     /* Ethereum JSON-RPC, http(s):// */
  decc_address hub;                    /* the PoCo diamond */
  int has_dataprotector;               /* 1: dataprotector below is given */
  decc_address dataprotector;          /* decc's / iExec's DataProtector */
  int require_dataprotector;           /* 1: refuse when it has no code */
  uint64_t expect_chain_id;            /* non-zero: refuse another chain id */
  const decc_chain_jsonrpc_opts *opts; /* may be NULL (defaults) */
} decc_hub_remote;

/* Opens the JSON-RPC chain at r->url as a PoCo deployment: asks the chain
 * id (an unreachable URL fails here, naming it), refuses a chain id other
 * than r->expect_chain_id, checks that the hub has code (never send a
 * transaction to an empty address, never list what an empty address
 * "holds"), reads the registries and the token from the hub
 * (appregistry(), datasetregistry(), workerpoolregistry(), token()), and
 * checks the DataProtector's code when required. Out: *out (destroy it).
 * Errors are one line naming the URL, the chain id and the address:
 * DECC_E_NETWORK / DECC_E_TIMEOUT (no answer), DECC_E_STATE (wrong chain
 * id), DECC_E_NOT_FOUND (no code at the hub / DataProtector), chain
 * errors. */
DECC_API decc_status decc_hub_open_remote(decc_chain **out,
                                          const decc_hub_remote *r,
                                          decc_err *err) DECC_WARN_UNUSED;

/* Checks that `a` has code on c; `what` names it in the error ("PoCo hub",
 * "DataProtector"). Returns: DECC_OK; DECC_E_NOT_FOUND; chain errors. */
DECC_API decc_status decc_hub_require_code(decc_chain *c, const decc_address *a,
                                           const char *what,
                                           decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_HUB_H */
