/*
 * dp_int.h — shared internals of the DataProtector SDK (lib/dataprotector):
 * the context struct and the chain / market helpers every workflow uses.
 */
#ifndef DECC_DP_INT_H
#define DECC_DP_INT_H

#include <jansson.h>

#include "decc/abi.h"
#include "decc/buf.h"
#include "decc/dataprotector.h"
#include "decc/hub.h"
#include "decc/ledger.h"
#include "decc/market_client.h"
#include "decc/mem.h"
#include "decc/sms_client.h"

struct decc_dp {
  char *home;
  decc_chain *chain;
  decc_ledger *ledger; /* second connection: block timestamps by number */
  decc_chain_addresses addr;
  uint64_t chain_id;
  uint8_t domain[32]; /* PoCo EIP-712 domain separator */
  decc_blockstore *bs;
  char *ipfs_api_url;
  decc_sms *sms;         /* the embedded SMS (owned), or NULL when remote */
  decc_sms_client *smsc; /* every SMS call: over sms, or over HTTP */
  decc_market *market;   /* the embedded orderbook (owned), or NULL */
  decc_market_chain_world mworld; /* its chain reads (over chain) */
  decc_market_client *mc;         /* every market call: over market, or HTTP */
  char *node_url;  /* the remote market's node (its workerpool API), or NULL */
  char *chain_url; /* JSON-RPC chain (ledger is NULL then) */
  uint8_t *sk;     /* secure memory, 32 bytes; NULL = no signer */
  decc_address me;
  decc_dp_runner_fn runner;
  void *runner_user;
  int dataprotector_checked; /* its code was seen on the chain */
};

/* Calls progress if set. */
void decc__dp_progress(decc_dp_progress_fn fn, void *user, const char *title,
                       int done, const char *detail);

/* DECC_E_NOT_FOUND (one line naming the chain and address) unless the
 * DataProtector has code on the chain: checked before the first
 * createDatasetWithSchema or DatasetSchema log query, so that nothing is
 * sent to, or listed from, an empty address. */
decc_status decc__dp_need_dataprotector(decc_dp *dp, decc_err *err);

/* DECC_E_STATE unless a signer is set. */
decc_status decc__dp_need_signer(const decc_dp *dp, decc_err *err);

/* Sends calldata to `to` signed by the signer and waits for the receipt.
 * A reverted transaction becomes DECC_E_REVERT with "<what> reverted:
 * <reason>" in err (the receipt is cleared then). */
decc_status decc__dp_send(decc_dp *dp, const decc_address *to,
                          const decc_buf *calldata, decc_receipt *rc,
                          const char *what, decc_err *err);

/* Finishes the encoder as calldata for `sig` (clearing it), sends it and
 * returns the tx hash in txh (optional). */
decc_status decc__dp_send_abi(decc_dp *dp, const decc_address *to,
                              const char *sig, decc_abi_enc *e,
                              const char *what, uint8_t *txh, decc_err *err);

/* eth_call of calldata (appended to out, which the caller initialised). */
decc_status decc__dp_view(decc_dp *dp, const decc_address *to,
                          const decc_buf *calldata, decc_buf *out,
                          decc_err *err);
/* A view taking no argument or one 32-byte word (arg32 may be NULL),
 * decoded as `rtype` ("address", "uint256", "bytes", "string", …).
 * Out: *root (decc_abi_value_free) borrowing *raw (decc_buf_clear both). */
decc_status decc__dp_view_simple(decc_dp *dp, const decc_address *to,
                                 const char *sig, const uint8_t *arg32,
                                 const char *rtype, decc_buf *raw,
                                 decc_abi_value **root, decc_err *err);
decc_status decc__dp_view_address(decc_dp *dp, const decc_address *to,
                                  const char *sig, const uint8_t *arg32,
                                  decc_address *out, decc_err *err);
decc_status decc__dp_view_u256(decc_dp *dp, const decc_address *to,
                               const char *sig, const uint8_t *arg32,
                               decc_u256 *out, decc_err *err);
/* Bytes / string view into a fresh heap buffer (NUL-terminated). */
decc_status decc__dp_view_bytes(decc_dp *dp, const decc_address *to,
                                const char *sig, uint8_t **out, size_t *len,
                                decc_err *err);

/* Reads viewTask(taskid) into t (decc_poco_task_clear). */
struct decc_poco_task;
struct decc_poco_deal;
decc_status decc__dp_view_task(decc_dp *dp, const uint8_t taskid[32],
                               unsigned *status, uint8_t deal_id[32],
                               uint64_t *final_deadline, char **results,
                               decc_err *err);
/* Reads viewDeal(dealid): params (heap) and the tag. */
decc_status decc__dp_view_deal_params(decc_dp *dp, const uint8_t dealid[32],
                                      char **params, decc_err *err);

/* Timestamp of a block (embedded ledger). */
decc_status decc__dp_block_time(decc_dp *dp, uint64_t number, uint64_t *ts,
                                decc_err *err);

/* Formats an address (checksummed) into a static-per-call buffer. */
const char *decc__dp_addr(char out[DECC_ADDRESS_HEX_LEN],
                          const decc_address *a);

/* Signs and publishes an order on the market. Out: hash32 (optional). */
decc_status decc__dp_publish(decc_dp *dp, decc_order *o, uint8_t *hash32,
                             decc_err *err);

/* Tells a local market about an on-chain Closed*Order / OrdersMatched
 * (data192 = the event's six words), idempotently (a node may apply the
 * same event to the same file); no-ops on a remote market, whose node
 * follows the chain itself. */
decc_status decc__dp_market_closed(decc_dp *dp, const uint8_t hash32[32],
                                   decc_err *err);
decc_status decc__dp_market_matched(decc_dp *dp, const uint8_t *data192,
                                    decc_err *err);

/* Runs a market query and parses every record. Out: *orders (each
 * decc_order_clear + decc_free the array), hashes (32 bytes each),
 * remaining and status arrays, *n, *count. */
typedef struct decc__dp_rec {
  decc_order order;
  uint8_t hash[32];
  uint64_t remaining;
  char status[16];
} decc__dp_rec;
decc_status decc__dp_query(decc_dp *dp, decc_order_type type,
                           const decc_market_filter *f, decc__dp_rec **recs,
                           size_t *n, size_t *count, decc_err *err);
void decc__dp_recs_free(decc__dp_rec *recs, size_t n);

/* Store: adds a file (pinned), returns the CID; reads a CID fully. */
decc_status decc__dp_store_add(decc_dp *dp, const char *path, decc_cid *cid,
                               decc_err *err);
decc_status decc__dp_store_get(decc_dp *dp, const decc_cid *cid, size_t max,
                               decc_buf *out, decc_err *err);

/* Pushes secrets to the SMS, signing the iExec challenges as the signer. */
decc_status decc__dp_sms_push_web3(decc_dp *dp, const decc_address *dataset,
                                   const char *value, size_t len,
                                   decc_err *err);
decc_status decc__dp_sms_push_web2(decc_dp *dp, const char *name,
                                   const char *value, size_t len,
                                   decc_err *err);
decc_status decc__dp_sms_push_requester(decc_dp *dp, const char *key,
                                        const char *value, size_t len,
                                        decc_err *err);

/* A fresh temporary path under <home>/tmp (heap; the file is created empty
 * with mode 0600). */
decc_status decc__dp_tmpfile(decc_dp *dp, char **path, decc_err *err);

#endif
