/*
 * decc/eip712.h — EIP-712 typed structured data: hashing and signing.
 *
 * Two levels:
 *   - building blocks for callers that encode their own structs (typehash,
 *     domain separator with any subset of the EIP712Domain fields, the final
 *     0x1901 digest) — what the order code uses on its hot path;
 *   - a generic encoder for eth_signTypedData_v4 JSON documents
 *     {"types":{...},"primaryType":"...","domain":{...},"message":{...}}
 *     (dependent types sorted by name, atomic types, bytes/string hashed,
 *     fixed and dynamic arrays, nested structs), byte-compatible with ethers
 *     6 TypedDataEncoder and MetaMask's v4 signer.
 *
 * Plus the iExec marketplace login challenge: primary type
 * Challenge(string challenge) under the domain {name:"iExec Gateway",
 * version:"1", chainId} (iexec-market-api services/auth.js).
 *
 * JSON value rules of the generic encoder: integers as JSON integers or
 * strings (decimal, "-" for intN, or 0x hex); bool as true/false; address
 * as 0x + 40 hex digits (mixed case must be a valid EIP-55 checksum);
 * bytes/bytesN as 0x hex (bytesN exactly N bytes); string as a JSON string
 * (UTF-8; a \u0000 escape is rejected as malformed JSON).
 * Message fields not declared in the type are ignored (as ethers does);
 * declared fields must be present. All functions are thread-safe.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_EIP712_H
#define DECC_EIP712_H

#include "common.h"
#include "keys.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of the generic JSON encoder (outside input). */
#define DECC_EIP712_JSON_MAX (4u << 20) /* bytes of JSON text */
#define DECC_EIP712_MAX_TYPES 64        /* struct types in "types" */
#define DECC_EIP712_MAX_FIELDS 128      /* members per struct */
#define DECC_EIP712_MAX_DEPTH 32        /* nesting of structs/arrays */
#define DECC_EIP712_MAX_ELEMENTS 100000 /* array elements, whole document */

/* typehash = keccak256(type string), e.g.
 * "Mail(Person from,Person to,string contents)Person(string name,address wallet)". */
DECC_API void decc_eip712_type_hash(uint8_t out32[32], const char *type_string);

/* An EIP712Domain: each field is optional (NULL / has_chain_id = 0 means
 * absent). Present fields are encoded in the canonical order name,
 * version, chainId, verifyingContract, salt, and the type string lists
 * exactly those (as ethers does when EIP712Domain is not given). */
typedef struct decc_eip712_domain {
  const char *name;                       /* string, or NULL */
  const char *version;                    /* string, or NULL */
  int has_chain_id;                       /* 1 when chain_id is present */
  decc_u256 chain_id;                     /* uint256 */
  const decc_address *verifying_contract; /* address, or NULL */
  const uint8_t *salt32;                  /* bytes32, or NULL */
} decc_eip712_domain;

/* domainSeparator = hashStruct(EIP712Domain). */
DECC_API void decc_eip712_domain_separator(uint8_t out32[32],
                                           const decc_eip712_domain *d);

/* digest = keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ structHash). */
DECC_API void decc_eip712_digest(uint8_t out32[32],
                                 const uint8_t domain_separator32[32],
                                 const uint8_t struct_hash32[32]);

/* Hashes eth_signTypedData_v4 JSON. EIP712Domain may be omitted from
 * "types": it is then inferred from the domain's fields. "primaryType" may
 * be omitted when exactly one struct type is not referenced by another.
 * Out: digest32 = keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message));
 * domain_sep32 optional (may be NULL).
 * Returns: DECC_OK, DECC_E_PARSE (not JSON / bad shape), DECC_E_INVALID
 * (bad type or value; err names the offending type/field), DECC_E_RANGE
 * (integer out of its type's range), DECC_E_LIMIT, DECC_E_NOMEM. */
DECC_API decc_status decc_eip712_hash_json(uint8_t digest32[32],
                                           uint8_t *domain_sep32,
                                           const char *json, size_t len,
                                           decc_err *err) DECC_WARN_UNUSED;

/* Like decc_eip712_hash_json, also returning hashStruct(message) in
 * struct_hash32 (optional, may be NULL). */
DECC_API decc_status decc_eip712_hash_json_parts(
    uint8_t digest32[32], uint8_t *domain_sep32, uint8_t *struct_hash32,
    const char *json, size_t len, decc_err *err) DECC_WARN_UNUSED;

/* encodeType of struct `type_name` under the "types" of the typed-data JSON
 * document: the type then its dependencies sorted by name.
 * Out: *out heap string (decc_free).
 * Returns: as decc_eip712_hash_json (DECC_E_NOT_FOUND if type_name is not
 * defined). */
DECC_API decc_status decc_eip712_encode_type(char **out, const char *json,
                                             size_t len, const char *type_name,
                                             decc_err *err) DECC_WARN_UNUSED;

/* Signs typed-data JSON (eth_signTypedData_v4). Out: sig65 = r ‖ s ‖ v
 * (v = 27/28, low-S, RFC 6979) and digest32 (optional).
 * Returns: as decc_eip712_hash_json, or DECC_E_INVALID for a bad key. */
DECC_API decc_status decc_eip712_sign_json(uint8_t sig65[65], uint8_t *digest32,
                                           const uint8_t sk32[32],
                                           const char *json, size_t len,
                                           decc_err *err) DECC_WARN_UNUSED;

/* ---- iExec marketplace login challenge (market API, §7) ---------------- */

/* Domain separator of {name:"iExec Gateway", version:"1", chainId}. */
DECC_API void decc_eip712_challenge_domain(uint8_t out32[32],
                                           uint64_t chain_id);
/* Digest of Challenge(string challenge) with message `challenge` (UTF-8,
 * n bytes) under the gateway domain of chain_id. */
DECC_API void decc_eip712_challenge_hash(uint8_t digest32[32],
                                         uint64_t chain_id,
                                         const char *challenge, size_t n);
/* The typed-data JSON the market API serves for a challenge
 * {"types":{"EIP712Domain":[...],"Challenge":[...]},"domain":{...},
 *  "primaryType":"Challenge","message":{"challenge":...}}.
 * Out: *json_out heap string (decc_free).
 * Returns: DECC_OK, DECC_E_INVALID (challenge not valid UTF-8), DECC_E_NOMEM. */
DECC_API decc_status decc_eip712_challenge_json(
    char **json_out, uint64_t chain_id, const char *challenge) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_EIP712_H */
