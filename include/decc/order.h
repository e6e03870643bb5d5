/*
 * decc/order.h — iExec PoCo orders (app, dataset, workerpool, request):
 * the structs, their JSON form (the iExec SDK's shape), EIP-712 hashing
 * under the PoCo domain ("iExecODB", "5.0.0", chainId, hub), signing,
 * signature checks, order operations (SIGN/CLOSE), tags and the deal/task
 * id formulas. Byte-compatible with iexec@9 and PoCo's IexecLibOrders_v5.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "NULL is a no-op"; err is always optional); a NULL one is
 * reported to the misuse handler (decc_set_misuse_handler, common.h) and
 * the function returns DECC_E_INVALID (0 when it returns a number; a void
 * function returns at once) without touching anything. The matchOrders
 * calldata takes all four orders (an all-zero dataset order for none).
 * decc_tag_parse treats a NULL s as missing input (DECC_E_PARSE), not as
 * misuse.
 */
#ifndef DECC_ORDER_H
#define DECC_ORDER_H

#include "common.h"
#include "keys.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum decc_order_type {
  DECC_ORDER_APP = 0,
  DECC_ORDER_DATASET = 1,
  DECC_ORDER_WORKERPOOL = 2,
  DECC_ORDER_REQUEST = 3
} decc_order_type;

/* Longest accepted request params string, in bytes. */
#define DECC_PARAMS_MAX (64 * 1024)

typedef struct decc_apporder {
  decc_address app;
  decc_u256 appprice;
  decc_u256 volume;
  uint8_t tag[32];
  decc_address datasetrestrict;
  decc_address workerpoolrestrict;
  decc_address requesterrestrict;
  uint8_t salt[32];
} decc_apporder;

typedef struct decc_datasetorder {
  decc_address dataset;
  decc_u256 datasetprice;
  decc_u256 volume;
  uint8_t tag[32];
  decc_address apprestrict;
  decc_address workerpoolrestrict;
  decc_address requesterrestrict;
  uint8_t salt[32];
} decc_datasetorder;

typedef struct decc_workerpoolorder {
  decc_address workerpool;
  decc_u256 workerpoolprice;
  decc_u256 volume;
  uint8_t tag[32];
  decc_u256 category;
  decc_u256 trust;
  decc_address apprestrict;
  decc_address datasetrestrict;
  decc_address requesterrestrict;
  uint8_t salt[32];
} decc_workerpoolorder;

typedef struct decc_requestorder {
  decc_address app;
  decc_u256 appmaxprice;
  decc_address dataset;
  decc_u256 datasetmaxprice;
  decc_address workerpool;
  decc_u256 workerpoolmaxprice;
  decc_address requester;
  decc_u256 volume;
  uint8_t tag[32];
  decc_u256 category;
  decc_u256 trust;
  decc_address beneficiary;
  decc_address callback;
  char *params; /* owned, NUL-terminated UTF-8; never NULL after init */
  uint8_t salt[32];
} decc_requestorder;

/* Any order plus its signature. sign_len is 0 (unsigned / presigned),
 * 64 (EIP-2098) or 65 (r ‖ s ‖ v). */
typedef struct decc_order {
  decc_order_type type;
  union {
    decc_apporder app;
    decc_datasetorder dataset;
    decc_workerpoolorder workerpool;
    decc_requestorder request;
  } u;
  uint8_t sign[65];
  size_t sign_len;
} decc_order;

/* Initialises an all-zero order of the given type (request params = "").
 * Returns: DECC_OK or DECC_E_NOMEM. Release with decc_order_clear. */
DECC_API decc_status decc_order_init(decc_order *o,
                                     decc_order_type type) DECC_WARN_UNUSED;
/* Frees owned memory (request params). Safe on a zeroed struct; NULL is a
 * no-op. */
DECC_API void decc_order_clear(decc_order *o);
/* Deep copy. Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_order_copy(decc_order *dst,
                                     const decc_order *src) DECC_WARN_UNUSED;

/* Type names as the SDK and the market use them: "apporder",
 * "datasetorder", "workerpoolorder", "requestorder". */
DECC_API const char *decc_order_type_name(decc_order_type t);
/* Returns: DECC_OK or DECC_E_INVALID for an unknown name. */
DECC_API decc_status decc_order_type_parse(decc_order_type *t,
                                           const char *s) DECC_WARN_UNUSED;

/* Parses an order from its JSON text in the SDK's shape: numbers as decimal
 * strings (plain JSON integers also accepted), tag as 0x bytes32 (or an
 * array of tag names like ["tee","tdx"]), params as a string (an object is
 * serialized compactly), optional "salt" and "sign".
 * o is output only (its previous content is not released); on failure it
 * is left cleared.
 * Returns: DECC_OK; DECC_E_PARSE / DECC_E_INVALID / DECC_E_RANGE with err
 * naming the field. */
DECC_API decc_status decc_order_from_json(decc_order *o, decc_order_type type,
                                          const char *json, size_t len,
                                          decc_err *err) DECC_WARN_UNUSED;
/* Bits reported in *present by decc_order_parse_json. */
#define DECC_ORDER_HAS_SALT 1u /* the JSON carried a "salt" */
#define DECC_ORDER_HAS_SIGN 2u /* the JSON carried a non-empty "sign" */

/* Like decc_order_from_json, also telling which optional members were
 * present (*present, optional: DECC_ORDER_HAS_* bits). Every EIP-712 member
 * of the type is required; "salt" and "sign" are optional (zero / unsigned
 * when absent); any other member is an error. Input is limited to
 * DECC_ORDER_JSON_MAX bytes.
 * Returns: as decc_order_from_json (DECC_E_LIMIT for oversized input). */
#define DECC_ORDER_JSON_MAX (1u << 20)
DECC_API decc_status decc_order_parse_json(decc_order *o, decc_order_type type,
                                           const char *json, size_t len,
                                           unsigned *present,
                                           decc_err *err) DECC_WARN_UNUSED;

/* EIP-712 primary type name ("AppOrder", …) and full type string
 * ("AppOrder(address app,…,bytes32 salt)") of an order type. Static. */
DECC_API const char *decc_order_primary_type(decc_order_type t);
DECC_API const char *decc_order_type_string(decc_order_type t);

/* Serializes to the SDK's JSON shape (decimal strings, lowercase hex,
 * checksummed addresses, "sign" when signed). Out: *json_out heap string
 * (decc_free). Returns: DECC_OK, DECC_E_NOMEM, or DECC_E_INVALID (unknown
 * type, or request params that are not valid UTF-8). */
DECC_API decc_status decc_order_to_json(char **json_out,
                                        const decc_order *o) DECC_WARN_UNUSED;

/* EIP-712 domain separator for ("iExecODB", "5.0.0", chain_id, hub). */
DECC_API void decc_poco_domain_separator(uint8_t out32[32], uint64_t chain_id,
                                         const decc_address *hub);
/* EIP-712 structHash of the order (signature excluded). */
DECC_API void decc_order_struct_hash(uint8_t out32[32], const decc_order *o);
/* typedHash = keccak256(0x1901 ‖ domainSeparator ‖ structHash): the order
 * hash PoCo uses for consumed volume, presignatures and deal ids. */
DECC_API void decc_order_hash(uint8_t out32[32], const decc_order *o,
                              const uint8_t domain_separator32[32]);

/* Signs the order in place (sets sign/sign_len). When salt_random != 0 the
 * salt is replaced by 32 random bytes first (the SDK's behaviour).
 * Returns: DECC_OK, DECC_E_INVALID (bad key), DECC_E_CRYPTO. */
DECC_API decc_status decc_order_sign(decc_order *o, const uint8_t sk32[32],
                                     const uint8_t domain_separator32[32],
                                     int salt_random) DECC_WARN_UNUSED;
/* Recovers the signer of o->sign over the order hash.
 * Returns: DECC_OK or DECC_E_BAD_SIGNATURE (unsigned, malformed, high-S). */
DECC_API decc_status
decc_order_recover(decc_address *signer, const decc_order *o,
                   const uint8_t domain_separator32[32]) DECC_WARN_UNUSED;

/* Order operations (manage*Order): SIGN = 0 (presign), CLOSE = 1 (cancel). */
typedef enum decc_order_operation {
  DECC_OP_SIGN = 0,
  DECC_OP_CLOSE = 1
} decc_order_operation;

/* Signs the operation's typed hash (a third party may then submit it).
 * Out: sig65. Returns: DECC_OK, DECC_E_INVALID (bad key). */
DECC_API decc_status decc_order_operation_sign(
    uint8_t sig65[65], const decc_order *o, decc_order_operation op,
    const uint8_t sk32[32],
    const uint8_t domain_separator32[32]) DECC_WARN_UNUSED;

/* typed hash of <X>OrderOperation(order, operation). */
DECC_API void decc_order_operation_hash(uint8_t out32[32], const decc_order *o,
                                        decc_order_operation op,
                                        const uint8_t domain_separator32[32]);

/* Tags: bytes32 bitmaps, bit 0 = least significant bit of byte 31.
 * Known names: tee (bit 0), scone (1), gramine (2), tdx (3), gpu (8). */
DECC_API void decc_tag_from_bits(uint8_t tag32[32], uint64_t bits);
/* Parses "0x…" (≤ 32 bytes, left-padded) or a comma-separated list of tag
 * names ("tee,tdx"). Returns: DECC_OK or DECC_E_PARSE (also for s NULL). */
DECC_API decc_status decc_tag_parse(uint8_t tag32[32], const char *s,
                                    decc_err *err) DECC_WARN_UNUSED;
/* Returns: 1 if bit `bit` is set in tag32. */
DECC_API int decc_tag_has(const uint8_t tag32[32], unsigned bit);
/* Name of a known tag bit ("tee", "scone", "gramine", "tdx", "gpu") or
 * NULL. */
DECC_API const char *decc_tag_bit_name(unsigned bit);
/* Writes the comma-separated names of the bits set in tag32, lowest bit
 * first ("tee,tdx"; "" for a zero tag), like the SDK's decodeTag.
 * Returns: DECC_OK, DECC_E_PARSE (a set bit has no name; err names it),
 * DECC_E_RANGE (out, cap bytes with the NUL, too small). */
DECC_API decc_status decc_tag_to_names(char *out, size_t cap,
                                       const uint8_t tag32[32],
                                       decc_err *err) DECC_WARN_UNUSED;

/* dealid = keccak256(requestorderHash ‖ u256(consumed before the match)). */
DECC_API void decc_deal_id(uint8_t out32[32], const uint8_t request_hash32[32],
                           const decc_u256 *consumed);
/* taskid = keccak256(dealid ‖ u256(index)). */
DECC_API void decc_task_id(uint8_t out32[32], const uint8_t deal_id32[32],
                           const decc_u256 *index);

/* ---- orders as PoCo function arguments (lib/poco/order_abi.c) ---- */
struct decc_abi_enc;
struct decc_buf;

/* ABI types of the order tuples PoCo's functions take (struct order's
 * fields, then `bytes sign`): IexecLibOrders_v5 AppOrder, DatasetOrder,
 * WorkerpoolOrder, RequestOrder. */
#define DECC_ORDER_ABI_APP_TYPE                                                \
  "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes)"
#define DECC_ORDER_ABI_DATASET_TYPE DECC_ORDER_ABI_APP_TYPE
#define DECC_ORDER_ABI_WORKERPOOL_TYPE                                         \
  "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,"  \
  "bytes32,bytes)"
#define DECC_ORDER_ABI_REQUEST_TYPE                                            \
  "(address,uint256,address,uint256,address,uint256,address,uint256,bytes32,"  \
  "uint256,uint256,address,address,string,bytes32,bytes)"

/* Pushes the order as the ABI tuple PoCo's functions take: its fields in
 * struct order, then its `sign` bytes. Returns: DECC_OK or the encoder's
 * error (DECC_E_LIMIT, DECC_E_NOMEM); DECC_E_INVALID for a bad type. */
DECC_API decc_status decc_order_abi_push(struct decc_abi_enc *e,
                                         const decc_order *o) DECC_WARN_UNUSED;

/* Reads an order of `type` from a decoded tuple of the type above (the
 * inverse of decc_order_abi_push). Out: *o (decc_order_clear).
 * Returns: DECC_OK; DECC_E_PARSE (a field of the wrong kind, a params
 * string with a NUL byte); DECC_E_NOMEM. */
struct decc_abi_value;
DECC_API decc_status decc_order_abi_get(decc_order *o, decc_order_type type,
                                        const struct decc_abi_value *tuple)
    DECC_WARN_UNUSED;

/* Appends the calldata of matchOrders(app, dataset, workerpool, request)
 * (sponsorMatchOrders when sponsor != 0) to out. "No dataset" is an
 * all-zero dataset order with an empty sign, as the SDK sends it.
 * Returns: DECC_OK, DECC_E_INVALID (an order of the wrong type), or the
 * encoder's error. */
DECC_API decc_status decc_match_orders_calldata(struct decc_buf *out,
                                                const decc_order *app,
                                                const decc_order *dataset,
                                                const decc_order *workerpool,
                                                const decc_order *request,
                                                int sponsor) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_ORDER_H */
