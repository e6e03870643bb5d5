/*
 * protect_int.h — internals shared by the protect layer: the tree node
 * layout, the JavaScript ordering rule, UTF-8 and CRC-32 helpers, i128
 * arithmetic, and the zip writer used by serialization.
 */
#ifndef DECC_PROTECT_INT_H
#define DECC_PROTECT_INT_H

#include <stdint.h>

#include "core/internal.h" /* decc__utf8_valid */
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
    struct {         /* STRING (UTF-8), BINARY, I128 (canonical decimal text) */
      uint8_t *data; /* NUL-terminated */
      size_t len;
    } bytes;
  } u;
  /* A BINARY value backed by a file (decc_pd_add_binary_file): its path
   * and its size when added; u.bytes then holds only the first bytes (what
   * MIME sniffing reads), so the value itself is never in memory. NULL for
   * every other node. */
  char *file;
  uint64_t file_len;
  int64_t file_mtime_ns;
};

/* A file-backed BINARY node for path (see decc_pd_add_binary_file).
 * Out: *out. Returns: DECC_OK; DECC_E_IO; DECC_E_LIMIT; DECC_E_NOMEM (err
 * names the path). */
decc_status decc__pd_node_file(decc_pd **out, const char *path, decc_err *err);

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

/* Bytes past which MIME sniffing never looks (the largest signature
 * offset + length): what a file-backed value keeps of its head. */
size_t decc__pd_mime_span(void);

/* Streams the file-backed value n to sink as one stored zip entry body.
 * The CRC-32 must precede the data in the local header (no data
 * descriptor, like JSZip), so the file is read twice: a CRC pass (split
 * over two threads for large files, see pd_file.c) then the data pass.
 * Out: *crc (from the first pass). Calls begin(ctx_b, crc) between the two
 * passes, which writes the headers. Fails with DECC_E_STATE when the file
 * changed size or modification time since it was added or during the
 * passes. */
typedef decc_status (*decc__pd_begin_fn)(void *ctx, uint32_t crc);
decc_status
decc__pd_file_stream(const decc_pd *n, decc__pd_begin_fn begin, void *begin_ctx,
                     decc_status (*sink)(void *ctx, const void *p, size_t len),
                     void *sink_ctx, decc_err *err);

/* ---- zip records (serialize.c) ---------------------------------------------
 * One entry's header: the fixed part (30 bytes local, 46 central), then the
 * name (not stored here), then the extra field: empty, or the zip64
 * extended information (APPNOTE 4.5.3) when a field overflowed. */
typedef struct decc__zip_hdr {
  uint8_t fixed[46];
  size_t fixed_len;
  uint8_t extra[28]; /* 0x0001, length, up to three 8-byte values */
  size_t extra_len;
} decc__zip_hdr;

/* Local header of a stored entry of size bytes at offset, name name_len
 * bytes long. Byte for byte JSZip's below the limits; size >= 0xFFFFFFFF
 * (or force) puts both sizes in a zip64 extra field and "version needed"
 * 4.5, offset >= 0xFFFFFFFF alone gives 4.5 with no extra (the offset is
 * not in the local header). */
void decc__zip_local_header(decc__zip_hdr *h, uint32_t crc, uint64_t size,
                            size_t name_len, uint64_t offset, int force);
/* The central directory header of the same entry: the zip64 extra holds
 * only the overflowed fields, in APPNOTE order (sizes, then offset); force
 * overflows all three. */
void decc__zip_central_header(decc__zip_hdr *h, int is_dir, uint32_t crc,
                              uint64_t size, size_t name_len, uint64_t offset,
                              int force);
/* End records for count entries and a central directory of cd_size bytes
 * at cd_off: the classic 22-byte record alone, or the zip64 record (56)
 * and locator (20) before it when a field overflows (count >= 0xFFFF,
 * cd_size or cd_off >= 0xFFFFFFFF) or force. Returns the bytes written to
 * out (22 or 98). */
#define DECC__ZIP_END_MAX (56 + 20 + 22)
size_t decc__zip_end_records(uint8_t out[DECC__ZIP_END_MAX], uint64_t count,
                             uint64_t cd_size, uint64_t cd_off, int force);
/* TESTS ONLY: 1 makes every later serialization write zip64 records even
 * where the classic fields suffice (so a test can exercise readers on a
 * small archive), 0 restores the normal rule. Process-wide; never called
 * by the library or the CLI. */
void decc__pd_zip64_force(int on);

/* CRC-32 of A ‖ B from crc_a = CRC(A), crc_b = CRC(B) and len_b = |B|. */
uint32_t decc__crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

/* MIME index (into decc__pd_mime_names) the SDK records for data. */
extern const char *const decc__pd_mime_names[15];

#endif
