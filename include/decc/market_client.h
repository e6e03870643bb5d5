/*
 * decc/market_client.h — one way to reach an orderbook, whether it is a
 * decc_market of this process or the iExec market API behind a URL (a
 * decc node's market role, or iExec's market): the DataProtector SDK
 * publishes, lists and reads orders through a decc_market_client and never
 * asks which kind it is. Also the one market "world" adapter: what the
 * orderbook needs from the chain, read through decc_hub.
 *
 * Like decc_chain (decc/chain.h), a decc_market_client is a handle over a
 * backend vtable. Two backends ship: "local" over a decc_market (borrowed)
 * and "http" over the market API (GET /{type}orders with the API's filter
 * names, POST with the EIP-712 login challenge of iexec-protocol.md §7,
 * GET /{type}orders/{hash}). Both answer in the market API's JSON.
 *
 * One status contract whatever the backend (docs/internals/clients.md):
 * the statuses a remote caller can tell apart — DECC_OK, DECC_E_INVALID
 * (400: bad order or filter, bad signature, unknown resource),
 * DECC_E_DENIED (401 / 403: not the owner, not logged in, too many open
 * orders), DECC_E_NOT_FOUND (404), DECC_E_EXISTS (409), DECC_E_INTERNAL
 * (5xx); the http backend adds DECC_E_NETWORK / DECC_E_TIMEOUT /
 * DECC_E_PARSE for transport failures. The local backend maps the
 * orderbook's own statuses through the HTTP status the node would answer
 * (decc_market_http_status). err holds one line with the reason.
 *
 * Thread-safety: the local backend is as thread-safe as decc_market (it
 * is); the http backend keeps no state but its URL and chain id.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (the backend state self, published_json, err;
 * decc_market_client_destroy(NULL) is a no-op); a NULL one, or an order
 * type outside the four, is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID ("" for decc_market_client_backend, 0 for
 * decc_market_client_caps; decc_market_world_over_chain returns at once)
 * without touching anything and without reaching the backend.
 */
#ifndef DECC_MARKET_CLIENT_H
#define DECC_MARKET_CLIENT_H

#include "chain.h"
#include "common.h"
#include "keys.h"
#include "market.h"
#include "order.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the market world over a chain ---------------------------------------- */

/* Where the world reads the chain: one handle the caller serialises
 * (chain), or a handle per call taken from the caller's pool (acquire,
 * then release; both set). Must outlive every market opened with it. */
typedef struct decc_market_chain_world {
  decc_chain *chain;
  decc_chain *(*acquire)(void *pool);
  void (*release)(void *pool, decc_chain *c);
  void *pool;
} decc_market_chain_world;

/* Fills a decc_market_world reading owner() of the entry contracts and
 * the hub's viewConsumed through src (decc/hub.h), with the wall clock.
 * src is borrowed (world.ctx = src). */
DECC_API void decc_market_world_over_chain(decc_market_world *out,
                                           decc_market_chain_world *src);

/* ---- the client ------------------------------------------------------------- */

/* The backend lists closed, filled and dead orders when a filter sets
 * include_all_status (the market API lists open orders only). */
#define DECC_MARKET_CLIENT_ALL_STATUS 1u

typedef struct decc_market_client decc_market_client;

/* The backend vtable. `self` is the backend's state; every function
 * returns decc_status under the contract of the file comment and fills
 * err. Backends implement all of them. */
typedef struct decc_market_client_vtable {
  const char *name;
  unsigned caps; /* DECC_MARKET_CLIENT_* */
  /* Publishes a signed order; sk32 is its signer's key (the login). */
  decc_status (*publish)(void *self, const decc_order *o,
                         const uint8_t sk32[32], char **published_json,
                         decc_err *err);
  decc_status (*query)(void *self, decc_order_type type,
                       const decc_market_filter *f, char **json, decc_err *err);
  decc_status (*get)(void *self, decc_order_type type, const uint8_t hash32[32],
                     char **json, decc_err *err);
  /* The chain moved (a match, a close): re-read what the orderbook keeps
   * from it. A remote market follows the chain itself: no-op there. */
  decc_status (*refresh)(void *self, decc_err *err);
  decc_status (*closed)(void *self, const uint8_t hash32[32], decc_err *err);
  void (*destroy)(void *self);
} decc_market_client_vtable;

/* The HTTP status the market API (a decc node) answers for a status of
 * decc_market_publish (op 'p'), decc_market_query ('q') or decc_market_get
 * ('g'): 200 / 201 for DECC_OK, then 400, 403, 404, 409 or 500. */
DECC_API int decc_market_http_status(decc_status st, char op);

/* Wraps a backend (vt must outlive the client). Takes ownership of self:
 * vt->destroy releases it, also when this call fails.
 * Returns: DECC_OK; DECC_E_INVALID (a NULL out or vt, see Misuse above:
 * self is still released when vt is given); DECC_E_NOMEM. */
DECC_API decc_status decc_market_client_create(
    decc_market_client **out, const decc_market_client_vtable *vt,
    void *self) DECC_WARN_UNUSED;

/* The "local" backend over an orderbook of this process (borrowed: it
 * must outlive the client). Returns: DECC_OK; DECC_E_NOMEM. */
DECC_API decc_status decc_market_client_open_local(
    decc_market_client **out, decc_market *m, decc_err *err) DECC_WARN_UNUSED;

/* The "http" backend over the market API at base_url ("http://host:port",
 * copied) for chain chain_id (sent as ?chainId= and in the login's typed
 * data). Nothing is sent yet.
 * Returns: DECC_OK; DECC_E_INVALID (not an http:// or https:// URL, or
 * longer than 2048 bytes); DECC_E_NOMEM. */
DECC_API decc_status
decc_market_client_open_http(decc_market_client **out, const char *base_url,
                             uint64_t chain_id, decc_err *err) DECC_WARN_UNUSED;

/* Closes the client (a local backend's orderbook stays open). NULL is a
 * no-op. */
DECC_API void decc_market_client_destroy(decc_market_client *c);

/* Name of the backend ("local", "http", …) and its DECC_MARKET_CLIENT_*
 * capabilities. */
DECC_API const char *decc_market_client_backend(const decc_market_client *c);
DECC_API unsigned decc_market_client_caps(const decc_market_client *c);

/* Publishes o, signed by sk32's address (the order must already carry
 * that signature: decc_order_sign). Out: *published_json (optional; heap,
 * decc_free): the market's "published" record.
 * Returns: DECC_OK; DECC_E_INVALID; DECC_E_DENIED; DECC_E_EXISTS; as the
 * contract above. */
DECC_API decc_status decc_market_client_publish(decc_market_client *c,
                                                const decc_order *o,
                                                const uint8_t sk32[32],
                                                char **published_json,
                                                decc_err *err) DECC_WARN_UNUSED;

/* Lists orders of `type` matching f. Out: *json (heap, decc_free) =
 * {"ok":true,"orders":[{orderHash, order, remaining, status, …}],
 * "count":N[,"nextPage":k]}. Returns: DECC_OK; DECC_E_INVALID (bad or
 * missing filter); DECC_E_UNSUPPORTED (include_all_status without
 * DECC_MARKET_CLIENT_ALL_STATUS); transport errors. */
DECC_API decc_status decc_market_client_query(decc_market_client *c,
                                              decc_order_type type,
                                              const decc_market_filter *f,
                                              char **json,
                                              decc_err *err) DECC_WARN_UNUSED;

/* One order record by hash. Out: *json (heap, decc_free) = the record
 * object {orderHash, chainId, order, remaining, status, …} without any
 * envelope. Returns: DECC_OK; DECC_E_NOT_FOUND; transport errors. */
DECC_API decc_status decc_market_client_get(decc_market_client *c,
                                            decc_order_type type,
                                            const uint8_t hash32[32],
                                            char **json,
                                            decc_err *err) DECC_WARN_UNUSED;

/* After a transaction that matched or closed orders: the local backend
 * recomputes remaining volumes and dead orders from the chain (refresh)
 * or marks the order canceled (closed); the http backend does nothing,
 * since the market's node follows the chain itself.
 * Returns: DECC_OK; DECC_E_IO. */
DECC_API decc_status decc_market_client_refresh(decc_market_client *c,
                                                decc_err *err) DECC_WARN_UNUSED;
DECC_API decc_status decc_market_client_closed(decc_market_client *c,
                                               const uint8_t hash32[32],
                                               decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_MARKET_CLIENT_H */
