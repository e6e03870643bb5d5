/*
 * store_int.h — helpers shared by the store's files (not public API):
 * protobuf field reading/writing and the key a block is filed under.
 */
#ifndef DECC_STORE_INT_H
#define DECC_STORE_INT_H

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/cid.h"
#include "decc/store.h"

/* Protobuf wire types. */
#define PB_VARINT 0
#define PB_LEN 2

/* Reads a protobuf key (field number and wire type) at in[*pos].
 * Returns 0 on success, -1 on malformed input. */
int decc__pb_key(const uint8_t *in, size_t n, size_t *pos, uint64_t *field,
                 unsigned *wire);
/* Reads a protobuf varint (at most 10 bytes, value < 2^64).
 * Returns 0 / -1. */
int decc__pb_varint(const uint8_t *in, size_t n, size_t *pos, uint64_t *v);
/* Reads a length-delimited field body. Out: *p, *len. Returns 0 / -1. */
int decc__pb_bytes(const uint8_t *in, size_t n, size_t *pos, const uint8_t **p,
                   size_t *len);
/* Writes a varint into out (>= 10 bytes). Returns its length. */
size_t decc__pb_put_varint(uint8_t *out, uint64_t v);
/* Length of v as a varint. */
size_t decc__pb_varint_len(uint64_t v);

/* File name key of a block: base32 lower of the multihash (no prefix).
 * out needs DECC_CID_STR_MAX bytes. Returns DECC_OK or DECC_E_INVALID. */
decc_status decc__store_key(char *out, size_t cap, const decc_cid *cid);

/* Checks that block hashes to cid's multihash (sha2-256 only).
 * Returns DECC_OK, DECC_E_CORRUPT, DECC_E_UNSUPPORTED; err names the CID. */
decc_status decc__verify_block(const decc_cid *cid, const uint8_t *block,
                               size_t n, decc_err *err);

/* decc_blockstore_get without the hash check, for callers that verify
 * themselves (the exporter). */
decc_status decc__blockstore_get_unverified(void *bs, const decc_cid *cid,
                                            uint8_t **block, size_t *n,
                                            decc_err *err);

/* Records a pin without walking the DAG (the caller just wrote it): syncs
 * the store, then writes the pin file atomically. */
decc_status decc__pin_record(decc_blockstore *bs, const decc_cid *cid,
                             decc_err *err);

/* Background block writer (blockstore.c): an add's blocks are written on a
 * thread of their own while the importer hashes the next ones. start:
 * Out: *w. put: a decc_block_put_fn (ud = the writer); copies the block
 * and returns, or returns the first error of an earlier write. finish:
 * waits until every block handed over is written, frees w, returns the
 * first write error (DECC_OK when none). */
typedef struct decc__bs_writer decc__bs_writer;
decc_status decc__bs_writer_start(decc__bs_writer **w, decc_blockstore *bs,
                                  decc_err *err);
decc_status decc__bs_writer_put(void *w, const decc_cid *cid,
                                const uint8_t *block, size_t n, decc_err *err);
decc_status decc__bs_writer_finish(decc__bs_writer *w, decc_err *err);

/* Visits every block of the DAG under root (depth first, each block once per
 * path), verifying hashes. fn may be NULL. Returns DECC_OK or the first
 * error (missing/corrupt block named). */
typedef decc_status (*decc__visit_fn)(void *ud, const decc_cid *cid,
                                      size_t block_size, decc_err *err);
decc_status decc__dag_walk(decc_blockstore *bs, const decc_cid *root,
                           decc__visit_fn fn, void *ud, decc_err *err);

#endif
