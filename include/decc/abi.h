/*
 * decc/abi.h — Solidity contract ABI: selectors, an encoder (builder) and a
 * strict, bounded decoder driven by type strings.
 *
 * Supported types: uintN/intN (N = 8..256, step 8; "uint"/"int" mean 256),
 * address, bool, bytesN (N = 1..32), bytes, string, tuples "(T1,T2,...)",
 * dynamic arrays "T[]" and fixed arrays "T[k]", nested freely (depth ≤
 * DECC_ABI_MAX_DEPTH). Type strings take no spaces and no parameter names.
 *
 * Encoding: push values into a decc_abi_enc in order; tuples and arrays are
 * opened and closed around their members. The encoder computes the
 * head/tail layout (offsets, lengths, padding) itself, so the caller never
 * handles an offset. Errors are sticky: after the first failing push every
 * later call returns that status, and decc_abi_enc_finish reports it, so a
 * long sequence of pushes needs only one check at the end.
 *
 *   decc_abi_enc e;
 *   decc_abi_enc_init(&e, 0);
 *   decc_abi_enc_push_address(&e, &to);
 *   decc_abi_enc_push_u256(&e, &amount);
 *   st = decc_abi_enc_finish_call(&e, sel4, &calldata);   // appends
 *
 * Decoding: decc_abi_decode* parse a type list ("address,uint256,bytes")
 * or a function signature and return a tree of decc_abi_value nodes, the
 * root being a TUPLE with one item per listed type. The tree is one heap
 * block freed with decc_abi_value_free; scalar words and bytes/string
 * contents point INTO the input buffer (zero copy), which must outlive the
 * tree. The decoder follows solc's ABI coder v2 rules for calldata:
 * offsets and lengths must stay inside the input (and below 2^64), address
 * / bool / uintN / intN / bytesN words must be correctly padded or
 * sign-extended, trailing bytes after the encoding are ignored. With
 * DECC_ABI_CANONICAL the input must additionally be exactly what
 * decc_abi_encode_value produces (canonical offsets, zero padding after
 * bytes/string, no trailing bytes). A node budget proportional to the input
 * size bounds memory and time on hostile inputs whose offsets alias the
 * same data (DECC_E_LIMIT).
 *
 * Thread-safety: encoders, types and value trees are plain data; distinct
 * objects may be used from different threads, a parsed type may be shared
 * read-only.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "NULL is a no-op", err always; a data pointer may be NULL
 * when its length is 0; the typed accessors take a NULL value v, see
 * below); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything — in particular without setting an encoder's sticky error.
 */
#ifndef DECC_ABI_H
#define DECC_ABI_H

#include "buf.h"
#include "common.h"
#include "keys.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deepest nesting of tuples/arrays in a type or an encoder. */
#define DECC_ABI_MAX_DEPTH 32
/* Most nodes a parsed type may have (fields + array levels). */
#define DECC_ABI_MAX_TYPE_NODES 1024
/* Largest k in T[k]. */
#define DECC_ABI_MAX_FIXED_ARRAY 65536
/* Default ceiling on an encoding (decc_abi_enc_init with max_len 0). */
#define DECC_ABI_DEFAULT_MAX (16u * 1024u * 1024u)
/* Hard ceiling on the number of decoded value nodes. */
#define DECC_ABI_MAX_NODES (1u << 22)

/* ---- selectors, topics ---------------------------------------------------- */

/* First 4 bytes of keccak256(sig). sig is hashed as given, so it must be
 * canonical ("transfer(address,uint256)": no spaces, no names, uint256 not
 * uint); decc_abi_func_parse computes the selector of a normalised form. */
DECC_API void decc_abi_selector(uint8_t out4[4], const char *sig);

/* Event topic 0: keccak256 of the canonical event signature, e.g.
 * "OrdersMatched(bytes32,bytes32,bytes32,bytes32,bytes32,uint256)". */
DECC_API void decc_abi_event_topic(uint8_t out32[32], const char *sig);

/* Topic of an indexed parameter. Static values are their 32-byte ABI word;
 * indexed bytes/string are keccak256 of the raw content (topic_hash). */
DECC_API void decc_abi_topic_address(uint8_t out32[32], const decc_address *a);
DECC_API void decc_abi_topic_u256(uint8_t out32[32], const decc_u256 *v);
DECC_API void decc_abi_topic_hash(uint8_t out32[32], const void *data,
                                  size_t n);

/* ---- encoder ---------------------------------------------------------------- */

/* Private state of one open tuple/array level. */
typedef struct decc_abi_frame {
  decc_buf head;   /* static part: values and offset placeholders */
  decc_buf tail;   /* dynamic part: contents the offsets point to */
  decc_buf fixups; /* size_t positions in head of tail-relative offsets */
  size_t count;    /* members pushed so far */
  int kind;        /* tuple, dynamic array or fixed array */
  int dynamic;     /* a member is dynamic (or kind is dynamic array) */
} decc_abi_frame;

/* Encoder. Caller-allocated (about 4 KiB, fine on the stack); all fields
 * private. Level 0 is the top-level argument tuple. */
typedef struct decc_abi_enc {
  decc_abi_frame frames[DECC_ABI_MAX_DEPTH + 1];
  int depth;
  size_t max;
  decc_status err; /* sticky first error */
} decc_abi_enc;

/* Initialises an empty encoder whose output may not exceed max_len bytes
 * (0 = DECC_ABI_DEFAULT_MAX). No allocation until the first push. */
DECC_API void decc_abi_enc_init(decc_abi_enc *e, size_t max_len);
/* Releases all memory; e may be re-initialised. */
DECC_API void decc_abi_enc_clear(decc_abi_enc *e);

/* Each push appends one member to the innermost open tuple/array.
 * Returns: DECC_OK; DECC_E_NOMEM; DECC_E_LIMIT (max_len exceeded);
 * DECC_E_RANGE (value does not fit the type); or the earlier sticky error. */
/* A raw, already-encoded 32-byte static word. */
DECC_API decc_status decc_abi_enc_push_word(decc_abi_enc *e,
                                            const uint8_t w32[32]);
/* uint256 (and any uintN whose range the caller has checked). */
DECC_API decc_status decc_abi_enc_push_u256(decc_abi_enc *e,
                                            const decc_u256 *v);
/* uintN with a range check: DECC_E_RANGE if v ≥ 2^bits (bits 8..256). */
DECC_API decc_status decc_abi_enc_push_uint(decc_abi_enc *e, const decc_u256 *v,
                                            unsigned bits);
DECC_API decc_status decc_abi_enc_push_u64(decc_abi_enc *e, uint64_t v);
/* intN for N ≥ 64: two's complement, sign-extended to 32 bytes. */
DECC_API decc_status decc_abi_enc_push_i64(decc_abi_enc *e, int64_t v);
DECC_API decc_status decc_abi_enc_push_address(decc_abi_enc *e,
                                               const decc_address *a);
DECC_API decc_status decc_abi_enc_push_bool(decc_abi_enc *e, int v);
DECC_API decc_status decc_abi_enc_push_bytes32(decc_abi_enc *e,
                                               const uint8_t b32[32]);
/* bytesN (n = 1..32): left-aligned, zero padded. DECC_E_RANGE if n > 32. */
DECC_API decc_status decc_abi_enc_push_bytesn(decc_abi_enc *e, const uint8_t *b,
                                              size_t n);
/* Dynamic bytes (n may be 0; b may be NULL when n is 0). */
DECC_API decc_status decc_abi_enc_push_bytes(decc_abi_enc *e, const void *b,
                                             size_t n);
/* string: the bytes of s up to its NUL (UTF-8 is not validated, as solc). */
DECC_API decc_status decc_abi_enc_push_string(decc_abi_enc *e, const char *s);
DECC_API decc_status decc_abi_enc_push_string_n(decc_abi_enc *e, const char *s,
                                                size_t n);

/* Open/close a tuple (struct) member; members are pushed in between. */
DECC_API decc_status decc_abi_enc_begin_tuple(decc_abi_enc *e);
DECC_API decc_status decc_abi_enc_end_tuple(decc_abi_enc *e);
/* Open/close a dynamic array T[]; the element count is the number of
 * pushes in between (the length word is written by end_array). */
DECC_API decc_status decc_abi_enc_begin_array(decc_abi_enc *e);
/* Open a fixed-size array T[k]; k is the number of pushes before
 * end_array (encoded like a tuple of k members; no length word). */
DECC_API decc_status decc_abi_enc_begin_fixed_array(decc_abi_enc *e);
DECC_API decc_status decc_abi_enc_end_array(decc_abi_enc *e);
/* Begin/end errors: DECC_E_LIMIT past DECC_ABI_MAX_DEPTH; DECC_E_STATE for
 * an end without a matching begin (or tuple/array mismatch). */

/* Appends the encoding of the top-level members to out, then resets the
 * encoder for reuse (its memory is kept until decc_abi_enc_clear).
 * Returns: DECC_OK; the sticky error; DECC_E_STATE if a tuple/array is
 * still open; DECC_E_NOMEM/DECC_E_LIMIT from out. On error the encoder is
 * reset too and out is unchanged. */
DECC_API decc_status decc_abi_enc_finish(decc_abi_enc *e,
                                         decc_buf *out) DECC_WARN_UNUSED;
/* Same, preceded by the 4-byte selector: calldata. */
DECC_API decc_status decc_abi_enc_finish_call(decc_abi_enc *e,
                                              const uint8_t sel4[4],
                                              decc_buf *out) DECC_WARN_UNUSED;

/* ---- types ------------------------------------------------------------------ */

typedef enum decc_abi_kind {
  DECC_ABI_UINT = 1,    /* uintN; bits = N */
  DECC_ABI_INT,         /* intN; bits = N */
  DECC_ABI_ADDRESS,     /* 20 bytes right-aligned in the word */
  DECC_ABI_BOOL,        /* 0 or 1 */
  DECC_ABI_FIXED_BYTES, /* bytesN; bits = N (bytes, 1..32) */
  DECC_ABI_BYTES,       /* dynamic bytes */
  DECC_ABI_STRING,      /* dynamic string */
  DECC_ABI_TUPLE,       /* (T1,...,Tn) */
  DECC_ABI_ARRAY,       /* T[] */
  DECC_ABI_FIXED_ARRAY  /* T[k] */
} decc_abi_kind;

/* A parsed type (opaque). */
typedef struct decc_abi_type decc_abi_type;

/* Parses a comma-separated type list into a tuple type, e.g.
 * "address,uint256" or "(address,uint256,bytes,string)[]" (a 1-member
 * list). An empty string is the empty list.
 * Out: *out, free with decc_abi_type_free.
 * Returns: DECC_OK; DECC_E_PARSE (syntax, unknown type, empty tuple "()"
 * inside a type, T[0]); DECC_E_LIMIT (depth, node count or fixed array
 * size); DECC_E_NOMEM. err names the problem and its position. */
DECC_API decc_status decc_abi_type_parse(decc_abi_type **out, const char *types,
                                         decc_err *err) DECC_WARN_UNUSED;

/* Parses a function (or event) signature "name(types)" — e.g.
 * "matchOrders((address,uint256,...),...)". Out: *args = the argument list
 * as a tuple type (free with decc_abi_type_free); sel4 (optional) = the
 * selector of the normalised signature ("uint" → "uint256"). Returns: as
 * decc_abi_type_parse. */
DECC_API decc_status decc_abi_func_parse(decc_abi_type **args, uint8_t sel4[4],
                                         const char *sig,
                                         decc_err *err) DECC_WARN_UNUSED;

/* Frees a parsed type (NULL is a no-op). */
DECC_API void decc_abi_type_free(decc_abi_type *t);

/* Writes the canonical text of a type list (as parsed, without the outer
 * parentheses of the list) to out. Returns: DECC_OK or the buffer error. */
DECC_API decc_status
decc_abi_type_canonical(decc_buf *out, const decc_abi_type *t) DECC_WARN_UNUSED;

/* ---- decoded values ----------------------------------------------------------- */

/* One decoded value. Public, read-only. Pointers are into the input buffer
 * (word, data) or into the tree's own block (items). */
typedef struct decc_abi_value {
  decc_abi_kind kind;
  unsigned bits;                /* UINT/INT: N; FIXED_BYTES: N bytes; else 0 */
  const uint8_t *word;          /* static scalars: their 32-byte ABI word */
  const uint8_t *data;          /* BYTES/STRING: content (not NUL-terminated) */
  size_t len;                   /* BYTES/STRING: content length */
  size_t count;                 /* TUPLE/ARRAY/FIXED_ARRAY: number of items */
  struct decc_abi_value *items; /* the items, contiguous */
} decc_abi_value;

/* Decode flags. */
#define DECC_ABI_CANONICAL 1u /* input must be the canonical encoding */

/* Decodes data (len bytes) as the type list t. Out: *root, a TUPLE with
 * one item per listed type; free with decc_abi_value_free. The tree
 * borrows data (see the file comment).
 * Returns: DECC_OK; DECC_E_PARSE (out-of-bounds offset/length, bad
 * padding, non-canonical with DECC_ABI_CANONICAL); DECC_E_LIMIT (node
 * budget); DECC_E_NOMEM. err names the problem and the byte position. */
DECC_API decc_status decc_abi_decode_type(decc_abi_value **root,
                                          const decc_abi_type *t,
                                          const uint8_t *data, size_t len,
                                          unsigned flags,
                                          decc_err *err) DECC_WARN_UNUSED;
/* Same, parsing the type list text first. */
DECC_API decc_status decc_abi_decode(decc_abi_value **root, const char *types,
                                     const uint8_t *data, size_t len,
                                     unsigned flags,
                                     decc_err *err) DECC_WARN_UNUSED;
/* Decodes calldata for the function signature sig: checks the 4-byte
 * selector (DECC_E_PARSE "selector mismatch" otherwise) and decodes the
 * arguments. Out: *args as for decc_abi_decode. */
DECC_API decc_status decc_abi_decode_call(decc_abi_value **args,
                                          const char *sig,
                                          const uint8_t *calldata, size_t len,
                                          unsigned flags,
                                          decc_err *err) DECC_WARN_UNUSED;

/* Frees a tree returned by a decoder (NULL is a no-op). */
DECC_API void decc_abi_value_free(decc_abi_value *root);

/* Re-encodes a decoded value (its items for a TUPLE root) into an encoder:
 * decc_abi_enc_finish then yields the canonical encoding.
 * Returns: as the push functions. */
DECC_API decc_status decc_abi_enc_push_value(decc_abi_enc *e,
                                             const decc_abi_value *v);
DECC_API decc_status decc_abi_encode_value(
    decc_buf *out, const decc_abi_value *root) DECC_WARN_UNUSED;

/* Typed accessors. Each returns DECC_E_INVALID when v is NULL or of
 * another kind, so a chain of gets needs a single check (a NULL v is not
 * misuse; a NULL output is). */
/* Item i of a tuple/array, or NULL when out of range / not a container. */
DECC_API const decc_abi_value *decc_abi_item(const decc_abi_value *v, size_t i);
DECC_API decc_status decc_abi_get_address(const decc_abi_value *v,
                                          decc_address *out);
/* UINT (any N) as a u256. */
DECC_API decc_status decc_abi_get_u256(const decc_abi_value *v, decc_u256 *out);
/* UINT that fits in 64 bits; DECC_E_RANGE otherwise. */
DECC_API decc_status decc_abi_get_u64(const decc_abi_value *v, uint64_t *out);
/* INT that fits in int64; DECC_E_RANGE otherwise. */
DECC_API decc_status decc_abi_get_i64(const decc_abi_value *v, int64_t *out);
DECC_API decc_status decc_abi_get_bool(const decc_abi_value *v, int *out);
/* FIXED_BYTES: the raw 32-byte word (left-aligned value, zero padded). */
DECC_API decc_status decc_abi_get_bytes32(const decc_abi_value *v,
                                          uint8_t out32[32]);
/* BYTES or STRING: borrowed pointer and length. */
DECC_API decc_status decc_abi_get_bytes(const decc_abi_value *v,
                                        const uint8_t **data, size_t *len);
/* STRING (or BYTES) as a fresh NUL-terminated heap copy (decc_free it).
 * DECC_E_PARSE if it contains a NUL byte; DECC_E_NOMEM. */
DECC_API decc_status decc_abi_get_string(const decc_abi_value *v, char **out);

#ifdef __cplusplus
}
#endif
#endif /* DECC_ABI_H */
