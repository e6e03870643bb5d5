/*
 * protect_int.h — internals shared by the protect layer: the tree node
 * layout, the JavaScript ordering rule, UTF-8 and CRC-32 helpers, i128
 * arithmetic, and the zip writer used by serialization.
 */
#ifndef DECC_PROTECT_INT_H
#define DECC_PROTECT_INT_H

#include <stdint.h>

#include "decc/buf.h"
#include "decc/protect.h"

typedef struct pd_entry {
  char *key; /* NUL-terminated, may contain NUL bytes before key_len */
  size_t key_len;
  decc_pd *node;
} pd_entry;

struct decc_pd {
  decc_pd_kind kind;
  union {
    struct {
      pd_entry *items;
      size_t n, cap;
      size_t n_index; /* items[0..n_index) are array-index keys, sorted */
    } obj;
    int b;
    double num;
    struct { /* STRING (UTF-8), BINARY, I128 (canonical decimal text) */
      uint8_t *data; /* NUL-terminated */
      size_t len;
    } bytes;
  } u;
};

/* Adds node under key (key_len bytes) keeping JS property order. Takes
 * ownership of node even on failure. check_dup = 0 skips the duplicate
 * scan (the caller guarantees uniqueness). */
decc_status decc__pd_insert(decc_pd *obj, const char *key, size_t key_len,
                            decc_pd *node, int check_dup, decc_err *err);
/* Allocates a leaf/object node of the given kind (zeroed). */
decc_pd *decc__pd_node_new(decc_pd_kind kind);
/* A STRING / BINARY / I128 node holding a copy of data (NULL on OOM). */
decc_pd *decc__pd_node_bytes(decc_pd_kind kind, const void *data, size_t len);
/* An I128 node from decimal text; *st = DECC_OK, DECC_E_PARSE or
 * DECC_E_NOMEM (NULL returned for the last two). */
decc_pd *decc__pd_node_i128(const char *decimal, size_t len, decc_status *st);
/* Frees a node and its subtree. */
void decc__pd_node_free(decc_pd *node);

/* 1 if s[0..len) is well-formed UTF-8 (no surrogates, no overlongs). */
int decc__utf8_valid(const uint8_t *s, size_t len);

/* CRC-32 (zip / IEEE 802.3), continuing from crc (start with 0). */
uint32_t decc__crc32(uint32_t crc, const uint8_t *p, size_t n);

/* Validation stage 1 only (ensureDataObjectIsValid). */
decc_status decc__pd_validate_data(const decc_pd *root, decc_pd_format fmt,
                                   decc_pd_problem *problem, decc_err *err);

/* i128 text: parses an optional "-" and decimal digits. Out: *neg and the
 * magnitude *mag; *too_big = 1 when the magnitude exceeds 2^128-1 (mag
 * then undefined). Returns: DECC_OK or DECC_E_PARSE. */
__extension__ typedef unsigned __int128 decc__u128;
decc_status decc__i128_parse(const char *s, size_t len, int *neg,
                             decc__u128 *mag, int *too_big);
/* Little-endian two's complement of (neg ? -mag : mag) modulo 2^128. */
void decc__i128_encode(uint8_t le[16], int neg, decc__u128 mag);

/* Appends JSON.stringify's quoting of s (len bytes of UTF-8). */
decc_status decc__json_quote(decc_buf *b, const uint8_t *s, size_t len);

/* MIME index (into decc__pd_mime_names) the SDK records for data. */
extern const char *const decc__pd_mime_names[15];

#endif
