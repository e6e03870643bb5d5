/*
 * decc/deploy.h — deploys iExec's PoCo 6.1.0 (the diamond hub, its facets,
 * the three registries, an RLC token), the five standard categories and
 * decc's DataProtector contract onto an EVM chain reached through a
 * decc_chain (the JSON-RPC backend: the embedded ledger runs these
 * contracts natively and cannot create contracts), and checks that a set
 * of addresses is such a deployment.
 *
 * The PoCo bytecode comes from the @iexec/poco 6.1.0 npm package (its
 * artifacts/ and deployments/arbitrumSepolia/), which
 * tools/engines/install.sh unpacks into $DECC_ENGINES_DIR/chain/poco. The
 * DataProtector bytecode (contracts/DataProtector.sol, compiled into
 * contracts/build/DataProtector.json) is compiled into the library, so an
 * installed decc needs no source tree. Steps, addresses and their order:
 * docs/internals/deploy.md.
 *
 * Thread-safety: a deployment uses its decc_chain handle exclusively.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (err is always optional; decc_dataprotector_builtin's outputs are all
 * optional); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID without touching anything.
 */
#ifndef DECC_DEPLOY_H
#define DECC_DEPLOY_H

#include "chain.h"
#include "common.h"
#include "keys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The PoCo version whose artifacts decc_poco_deploy accepts. */
#define DECC_POCO_DEPLOY_VERSION "6.1.0"
/* Largest artifact / deployment JSON file read (the biggest facet artifact
 * of 6.1.0 is about 150 KiB). */
#define DECC_DEPLOY_MAX_ARTIFACT (8u * 1024u * 1024u)

/* Called after each transaction of a deployment, in order. step is the
 * action ("deploy", "diamondCut", "initialize", "configure",
 * "createCategory"), what the contract or category it concerns
 * ("IexecPoco1Facet", "XS", …); r is the mined receipt (for "deploy",
 * r->contract_address is the new contract). All pointers are valid during
 * the call only. */
typedef void (*decc_poco_deploy_progress_fn)(void *user, const char *step,
                                             const char *what,
                                             const decc_receipt *r);

/* Options. Zero-initialise, then set artifacts_dir. */
typedef struct decc_poco_deploy_opts {
  /* Root of the unpacked @iexec/poco 6.1.0 package (holds package.json,
   * artifacts/ and deployments/). Required. */
  const char *artifacts_dir;
  /* A DataProtector artifact ({"bytecode": "0x…", …}, the format of
   * contracts/build/DataProtector.json) to deploy instead of the one
   * compiled into the library. NULL = the compiled-in one. */
  const char *dataprotector_artifact;
  decc_poco_deploy_progress_fn progress; /* may be NULL */
  void *user;                            /* passed to progress */
} decc_poco_deploy_opts;

/* Deploys, with the key sk32 (which pays every transaction and becomes the
 * owner of the hub and the registries and the holder of the whole RLC
 * supply), in this order: RLC; IexecLibOrders_v5; DiamondCutFacet,
 * DiamondLoupeFacet, OwnershipFacet, DiamondInit; the Diamond (hub) with
 * the cut/loupe/ownership selectors and DiamondInit.init(); each of the 11
 * PoCo facets deployed on Arbitrum (IexecLibOrders_v5 linked in) followed
 * by one diamondCut adding its selectors not yet routed; AppRegistry,
 * DatasetRegistry, WorkerpoolRegistry, each initialize(0x0);
 * configure(RLC, "Staked RLC", "SRLC", 9, registries, 0x0); the five
 * categories of decc_poco_genesis_categories; DataProtector(DatasetRegistry).
 * Then checks the result with decc_poco_deployment_check (and that the hub
 * counts exactly five categories).
 * Every transaction waits for its receipt within the chain's receipt
 * timeout (decc_chain_jsonrpc_opts.receipt_timeout_ms); nothing runs
 * unbounded. Reading the artifacts happens before the first transaction,
 * so a wrong artifacts_dir sends nothing. A failure part-way leaves the
 * contracts already created on the chain (they are unreachable garbage; a
 * new run deploys a fresh set).
 * Out: *out = hub, registries, token and DataProtector (only on success).
 * Returns: DECC_OK; DECC_E_INVALID (NULL argument, reported as
 * misuse; bad key; no artifacts_dir); DECC_E_NOT_FOUND / DECC_E_PARSE / DECC_E_LIMIT (an
 * artifact missing, malformed or too large: err names the file);
 * DECC_E_UNSUPPORTED (artifacts of another PoCo version, or a chain that
 * cannot create contracts); DECC_E_REVERT (a transaction reverted or its
 * gas estimate did); the chain's errors (DECC_E_NETWORK, DECC_E_TIMEOUT,
 * DECC_E_IO). err names the step and the contract, e.g. "deploy
 * IexecPoco1Facet: eth_estimateGas: insufficient funds …". */
DECC_API decc_status decc_poco_deploy(decc_chain *c, const uint8_t sk32[32],
                                      const decc_poco_deploy_opts *o,
                                      decc_chain_addresses *out,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Checks that a is a live deployment on c: the hub, the three registries,
 * the token and the DataProtector all have code, the hub's views
 * appregistry(), datasetregistry(), workerpoolregistry() and token() return
 * the given registries and token, and DataProtector.DATASET_REGISTRY()
 * returns the DatasetRegistry. Sends nothing.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (an address without code, or a view
 * answering another address: err names the contract and the address);
 * DECC_E_INVALID (NULL argument, reported as misuse); the chain's errors. */
DECC_API decc_status decc_poco_deployment_check(decc_chain *c,
                                                const decc_chain_addresses *a,
                                                decc_err *err) DECC_WARN_UNUSED;

/* The DataProtector compiled into the library (from
 * contracts/build/DataProtector.json at build time). Out: *hex = its
 * creation bytecode as "0x…" hex (static, never freed), *compiler = the
 * solc version that produced it, *source_sha256 = SHA-256 of
 * contracts/DataProtector.sol in hex. Any out pointer may be NULL. */
DECC_API void decc_dataprotector_builtin(const char **hex,
                                         const char **compiler,
                                         const char **source_sha256);

#ifdef __cplusplus
}
#endif
#endif /* DECC_DEPLOY_H */
