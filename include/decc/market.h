/*
 * decc/market.h — the orderbook: publish, query, unpublish signed iExec
 * orders with the iExec market API's semantics (iexec-market-api
 * `services/order.js`), and keep each order's remaining volume and status
 * (open, filled, canceled, dead) in sync with the chain's OrdersMatched /
 * Closed*Order events.
 *
 * Storage is SQLite (a file in the node's data directory, or ":memory:").
 * A decc_market handle is safe to use from several threads (calls are
 * serialized on one connection). Chain knowledge (owners, consumed volume)
 * comes from a caller-supplied decc_market_world so the market works over
 * the embedded ledger or any EVM chain.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (the world of decc_market_open, `authenticated`, `caller` of
 * decc_market_unpublish, the optional outputs, err, the hashes of
 * decc_market_on_matched; decc_market_close(NULL) is a no-op); a NULL one
 * is reported to the misuse handler (decc_set_misuse_handler, common.h)
 * and the function returns DECC_E_INVALID (decc_market_filter_init returns
 * at once) without touching anything.
 */
#ifndef DECC_MARKET_H
#define DECC_MARKET_H

#include "common.h"
#include "keys.h"
#include "order.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Market API limits (iexec-market-api defaults). */
#define DECC_MARKET_MAX_OPEN_PER_SIGNER 50
#define DECC_MARKET_PAGE_MIN 10
#define DECC_MARKET_PAGE_MAX 1000
#define DECC_MARKET_PAGE_DEFAULT 20
/* Numeric order fields are stored as JSON numbers by the market API, so
 * they must not exceed 2^53 - 1. */
#define DECC_MARKET_MAX_SAFE_INT 9007199254740991ULL

/* What the market needs to know about the chain. Every callback returns
 * DECC_OK or an error (DECC_E_NOT_FOUND when the resource is not
 * registered). */
typedef struct decc_market_world {
  void *ctx;
  /* Current owner of an app / dataset / workerpool entry. */
  decc_status (*owner_of)(void *ctx, decc_order_type type,
                          const decc_address *resource, decc_address *owner);
  /* On-chain consumed volume of an order hash (viewConsumed). */
  decc_status (*consumed)(void *ctx, const uint8_t hash32[32],
                          decc_u256 *consumed);
  /* Unix time in seconds (publication timestamps). NULL = wall clock. */
  uint64_t (*now)(void *ctx);
} decc_market_world;

typedef struct decc_market decc_market;

/* Opens (creating if needed) the orderbook at path (":memory:" allowed) for
 * one chain/hub. world is copied; it may be NULL (no chain knowledge: only
 * request orders can then be published). Out: *m (release with
 * decc_market_close).
 * Returns: DECC_OK, DECC_E_IO (cannot open/create; err says why),
 * DECC_E_NOMEM. */
DECC_API decc_status decc_market_open(decc_market **m, const char *path,
                                      uint64_t chain_id,
                                      const decc_address *hub,
                                      const decc_market_world *world,
                                      decc_err *err) DECC_WARN_UNUSED;
/* Closes the orderbook. NULL is a no-op. */
DECC_API void decc_market_close(decc_market *m);

/* Publishes a signed order. The hash is recomputed with the chain's EIP-712
 * domain; the signer must be the resource's current owner (the requester
 * for request orders); when `authenticated` is non-NULL it must equal the
 * signer (the market API's login); remaining = volume - consumed must be
 * > 0; numeric fields ≤ 2^53-1; at most DECC_MARKET_MAX_OPEN_PER_SIGNER
 * open orders per signer and type. Publishing an order already present is
 * refused (DECC_E_EXISTS).
 * Out: *published_json (optional; heap, decc_free) = the market's
 * "published" object {orderHash, chainId, order, remaining, status,
 * publicationTimestamp, signer}.
 * Returns: DECC_OK, DECC_E_BAD_SIGNATURE, DECC_E_DENIED (signer not owner /
 * not the authenticated address), DECC_E_INVALID (bad fields, nothing
 * remaining), DECC_E_EXISTS, DECC_E_LIMIT, DECC_E_NOT_FOUND (resource not
 * registered), DECC_E_IO. err names the cause. */
DECC_API decc_status decc_market_publish(decc_market *m, const decc_order *o,
                                         const decc_address *authenticated,
                                         char **published_json,
                                         decc_err *err) DECC_WARN_UNUSED;

/* Unpublishes one order by hash (off-chain only). The caller must be the
 * order's signer when `caller` is non-NULL.
 * Returns: DECC_OK, DECC_E_NOT_FOUND, DECC_E_DENIED. */
DECC_API decc_status decc_market_unpublish(decc_market *m, decc_order_type type,
                                           const uint8_t hash32[32],
                                           const decc_address *caller,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Unpublishes the most recent (last != 0) or every open order of `resource`
 * (app/dataset/workerpool address, or requester for request orders) signed
 * by `caller`. Out: *hashes_json (optional) = JSON array of the hashes.
 * Returns: DECC_OK, DECC_E_NOT_FOUND (nothing to unpublish). */
DECC_API decc_status decc_market_unpublish_by(decc_market *m,
                                              decc_order_type type,
                                              const decc_address *resource,
                                              const decc_address *caller,
                                              int last, char **hashes_json,
                                              decc_err *err) DECC_WARN_UNUSED;

/* Restriction filter, as the market API reads ?app= / ?isAppStrict=:
 * OMITTED → only orders whose restriction is 0x0; ANY → no filter;
 * VALUE → restriction ∈ {0x0, value}, or = value when strict. */
typedef enum decc_market_restrict_mode {
  DECC_MF_OMITTED = 0,
  DECC_MF_ANY = 1,
  DECC_MF_VALUE = 2
} decc_market_restrict_mode;

typedef struct decc_market_restrict {
  decc_market_restrict_mode mode;
  decc_address addr;
  int strict;
} decc_market_restrict;

typedef struct decc_market_filter {
  /* resource (app / dataset / workerpool) or, for request orders, the
   * requester; resource_owner = appOwner / datasetOwner / workerpoolOwner */
  int has_resource;
  decc_address resource;
  int has_owner;
  decc_address owner;
  /* restriction filters (which apply depends on the order type) */
  decc_market_restrict app, dataset, workerpool, requester;
  int has_beneficiary; /* request orders */
  decc_address beneficiary;
  int has_category;
  uint64_t category;
  int has_min_tag, has_max_tag;
  uint8_t min_tag[32], max_tag[32];
  uint64_t min_volume; /* on remaining volume; 0 = none */
  int has_min_trust, has_max_trust;
  uint64_t min_trust, max_trust;
  int bulk_only;          /* dataset orders: price 0 and volume ≥ 2^53 - 2 */
  int include_all_status; /* 0 = open orders only (the API's behaviour) */
  uint32_t page_index;
  uint32_t page_size; /* 0 = default */
} decc_market_filter;

/* Zero filter: everything omitted, page 0, default size. */
DECC_API void decc_market_filter_init(decc_market_filter *f);

/* Lists orders of `type` matching f, sorted by price ascending, then
 * publication time, then hash. Out: *json_out (heap, decc_free) =
 * {"ok":true,"orders":[…],"count":N[,"nextPage":k]}.
 * Returns: DECC_OK, DECC_E_INVALID (page size out of range, missing
 * required filter: app/appOwner for app orders, dataset/datasetOwner for
 * dataset orders, category for workerpool and request orders),
 * DECC_E_IO. */
DECC_API decc_status decc_market_query(decc_market *m, decc_order_type type,
                                       const decc_market_filter *f,
                                       char **json_out,
                                       decc_err *err) DECC_WARN_UNUSED;

/* One order by hash. Out: *json_out = the order record object.
 * Returns: DECC_OK, DECC_E_NOT_FOUND. */
DECC_API decc_status decc_market_get(decc_market *m, decc_order_type type,
                                     const uint8_t hash32[32], char **json_out,
                                     decc_err *err) DECC_WARN_UNUSED;

/* Fetches the stored order itself (signed), for matching.
 * Returns: DECC_OK, DECC_E_NOT_FOUND. */
DECC_API decc_status decc_market_get_order(decc_market *m, decc_order_type type,
                                           const uint8_t hash32[32],
                                           decc_order *out,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Chain events. OrdersMatched: each non-zero hash's remaining volume is
 * recomputed as volume - consumed read from the chain through the world
 * (idempotent: an event seen twice counts once); without a world
 * `consumed` callback it drops by `volume`. Filled at 0. Closed*Order: the
 * order becomes canceled. Unknown hashes are ignored; an on_matched hash
 * may be NULL, like a zero one (no such order in the match).
 * Returns: DECC_OK or DECC_E_IO. */
DECC_API decc_status decc_market_on_matched(
    decc_market *m, const uint8_t app_hash32[32],
    const uint8_t dataset_hash32[32], const uint8_t workerpool_hash32[32],
    const uint8_t request_hash32[32], const decc_u256 *volume) DECC_WARN_UNUSED;
DECC_API decc_status decc_market_on_closed(
    decc_market *m, const uint8_t hash32[32]) DECC_WARN_UNUSED;

/* Records the expiry of a grant (a dataset order with an owner-signed
 * policy, decc/receipts.h): from `expires` (unix seconds, the world's
 * clock) on, queries of open dataset orders no longer list it. Set once:
 * a later call for the same hash is ignored (a policy is never replaced).
 * Returns: DECC_OK; DECC_E_INVALID (expires 0); DECC_E_IO. */
DECC_API decc_status decc_market_set_expiry(decc_market *m,
                                            const uint8_t hash32[32],
                                            uint64_t expires) DECC_WARN_UNUSED;

/* Re-checks open orders against the chain: remaining from consumed
 * volume, and "dead" when the signer no longer owns the resource (e.g. the
 * dataset was transferred). Out: *changed (optional) = orders updated.
 * Returns: DECC_OK or DECC_E_IO. */
DECC_API decc_status decc_market_refresh(decc_market *m,
                                         size_t *changed) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_MARKET_H */
