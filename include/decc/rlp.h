/*
 * decc/rlp.h — Ethereum Recursive Length Prefix encoding.
 *
 * Encoder: push strings, integers and nested lists into a decc_rlp_enc and
 * finish into a decc_buf. Errors are sticky (one check at the end is
 * enough), as in decc/abi.h.
 *
 * Decoder: zero-copy views (decc_rlp_item) into the caller's buffer, which
 * must outlive them. Decoding is strict — only the canonical encoding is
 * accepted, as Ethereum clients require for transactions:
 *   - a single byte < 0x80 must be encoded as itself, not as 0x81 b;
 *   - payloads shorter than 56 bytes must use the short form;
 *   - long-form lengths have no leading zero byte and fit in 8 bytes;
 *   - a declared length may not exceed the input;
 *   - integers (decc_rlp_item_get_u64/u256) have no leading zero byte
 *     (zero is the empty string).
 * Every violation is DECC_E_PARSE with a message naming it and the offset.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_RLP_H
#define DECC_RLP_H

#include "buf.h"
#include "common.h"
#include "u256.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deepest list nesting accepted by the encoder and decc_rlp_validate. */
#define DECC_RLP_MAX_DEPTH 64
/* Default ceiling on an encoding (decc_rlp_enc_init with max_len 0). */
#define DECC_RLP_DEFAULT_MAX (16u * 1024u * 1024u)

/* ---- encoder ---------------------------------------------------------------- */

/* Caller-allocated; all fields private. */
typedef struct decc_rlp_enc {
  decc_buf buf;                    /* output so far, headers included */
  size_t open[DECC_RLP_MAX_DEPTH]; /* payload start of each open list */
  int depth;
  decc_status err; /* sticky first error */
} decc_rlp_enc;

/* Initialises an empty encoder; the encoding may not exceed max_len bytes
 * (0 = DECC_RLP_DEFAULT_MAX). No allocation until the first push. */
DECC_API void decc_rlp_enc_init(decc_rlp_enc *e, size_t max_len);
/* Releases the memory. */
DECC_API void decc_rlp_enc_clear(decc_rlp_enc *e);

/* Push one item into the innermost open list (or the top level).
 * Returns: DECC_OK, DECC_E_NOMEM, DECC_E_LIMIT or the sticky error. */
/* A byte string (n may be 0; p may be NULL when n is 0). */
DECC_API decc_status decc_rlp_enc_push_bytes(decc_rlp_enc *e, const void *p,
                                             size_t n);
/* An integer as its minimal big-endian bytes (0 = empty string). */
DECC_API decc_status decc_rlp_enc_push_u64(decc_rlp_enc *e, uint64_t v);
DECC_API decc_status decc_rlp_enc_push_u256(decc_rlp_enc *e,
                                            const decc_u256 *v);
/* An already-encoded item, copied verbatim (not validated). */
DECC_API decc_status decc_rlp_enc_push_raw(decc_rlp_enc *e, const void *p,
                                           size_t n);
/* Open/close a list. Returns DECC_E_LIMIT past DECC_RLP_MAX_DEPTH,
 * DECC_E_STATE for end_list without an open list. */
DECC_API decc_status decc_rlp_enc_begin_list(decc_rlp_enc *e);
DECC_API decc_status decc_rlp_enc_end_list(decc_rlp_enc *e);

/* Appends everything pushed at the top level to out and resets the encoder
 * for reuse. Returns: DECC_OK; the sticky error; DECC_E_STATE if a list is
 * still open; the error of out. out is unchanged on error. */
DECC_API decc_status decc_rlp_enc_finish(decc_rlp_enc *e,
                                         decc_buf *out) DECC_WARN_UNUSED;

/* ---- decoder ---------------------------------------------------------------- */

/* A decoded item. Public, read-only; points into the input. */
typedef struct decc_rlp_item {
  int is_list;         /* 1 for a list, 0 for a byte string */
  const uint8_t *data; /* payload: string bytes, or the encoded children */
  size_t len;          /* payload length */
  const uint8_t *raw;  /* the whole encoding, header included */
  size_t raw_len;
} decc_rlp_item;

/* Decodes the first item of in (len bytes); the item's children are not
 * examined. Out: *item; *consumed (optional) = raw_len.
 * Returns: DECC_OK or DECC_E_PARSE (empty input, non-canonical header,
 * length past the end). */
DECC_API decc_status decc_rlp_decode_item(decc_rlp_item *item, size_t *consumed,
                                          const uint8_t *in, size_t len,
                                          decc_err *err) DECC_WARN_UNUSED;

/* Decodes exactly one item covering all of in (trailing bytes are
 * DECC_E_PARSE) and validates its whole tree (decc_rlp_validate). */
DECC_API decc_status decc_rlp_decode(decc_rlp_item *item, const uint8_t *in,
                                     size_t len,
                                     decc_err *err) DECC_WARN_UNUSED;

/* Checks that in is exactly one canonical item whose nested lists are all
 * canonical and at most DECC_RLP_MAX_DEPTH deep. Returns: DECC_OK,
 * DECC_E_PARSE or DECC_E_LIMIT (too deep). */
DECC_API decc_status decc_rlp_validate(const uint8_t *in, size_t len,
                                       decc_err *err) DECC_WARN_UNUSED;

/* Splits a list into its direct children. Out: items[0..*count).
 * Returns: DECC_OK; DECC_E_INVALID (not a list); DECC_E_PARSE (bad
 * child); DECC_E_LIMIT (more than max children). */
DECC_API decc_status decc_rlp_list_items(decc_rlp_item *items, size_t max,
                                         size_t *count,
                                         const decc_rlp_item *list,
                                         decc_err *err) DECC_WARN_UNUSED;

/* Iteration over a list without a fixed-size array. */
typedef struct decc_rlp_iter {
  const uint8_t *p; /* private */
  size_t left;      /* private */
} decc_rlp_iter;
/* Returns: DECC_OK, or DECC_E_INVALID when list is not a list. */
DECC_API decc_status decc_rlp_iter_init(decc_rlp_iter *it,
                                        const decc_rlp_item *list);
/* Out: *item = next child. Returns: DECC_OK; DECC_E_NOT_FOUND at the end;
 * DECC_E_PARSE (bad child). */
DECC_API decc_status decc_rlp_iter_next(decc_rlp_iter *it, decc_rlp_item *item,
                                        decc_err *err) DECC_WARN_UNUSED;

/* Canonical integers. Returns: DECC_OK; DECC_E_INVALID (a list);
 * DECC_E_PARSE (leading zero byte); DECC_E_RANGE (too long). */
DECC_API decc_status decc_rlp_item_get_u64(const decc_rlp_item *item,
                                           uint64_t *out) DECC_WARN_UNUSED;
DECC_API decc_status decc_rlp_item_get_u256(const decc_rlp_item *item,
                                            decc_u256 *out) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_RLP_H */
