/*
 * decc/store.h — the content store: IPFS-identical UnixFS files.
 *
 *   - dag-pb and UnixFS codecs (strict decoders: they never read past the
 *     block, bound every count, and reject what @ipld/dag-pb rejects);
 *   - a streaming importer identical to Kubo's defaults (256 KiB chunks,
 *     balanced DAG of at most 174 links, CIDv0 dag-pb leaves; or CIDv1 with
 *     raw leaves) that keeps one chunk and the partial link lists in memory;
 *   - a streaming exporter that checks every block's hash and the UnixFS
 *     sizes, so it returns the right bytes or an error naming the CID;
 *   - a blockstore in a directory (blocks/<2 chars>/<key>, atomic writes,
 *     recursive pins recorded as files, garbage collection);
 *   - a client for a real IPFS node's Kubo RPC API (libcurl), and the HTTP
 *     routes decc's node serves (/api/v0/add, /api/v0/cat, /ipfs/<cid>) as
 *     a libmicrohttpd access-handler helper.
 *
 * Thread-safety: a decc_blockstore may be used from several threads at once
 * (each call opens its own files); importer and exporter objects belong to
 * one thread at a time.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (err, ud, opts, the importer's put, the optional size outputs; path when
 * fd >= 0; a data pointer may be NULL when its length is 0; the clear,
 * destroy and close functions accept NULL); a NULL one is reported to the
 * misuse handler (decc_set_misuse_handler, common.h) and the function
 * returns DECC_E_INVALID (0 when it returns a number or a truth value,
 * MHD_NO for decc_store_http_handle; a void function returns at once)
 * without touching anything.
 */
#ifndef DECC_STORE_H
#define DECC_STORE_H

#include "cid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kubo's defaults. */
#define DECC_STORE_CHUNK_SIZE 262144u
#define DECC_STORE_MAX_LINKS 174u
/* Largest block the store reads or accepts (Kubo refuses blocks > 2 MiB). */
#define DECC_STORE_MAX_BLOCK (2u * 1024 * 1024)
/* Deepest DAG the exporter and the walkers follow. */
#define DECC_STORE_MAX_DEPTH 64u
/* Most links a decoded dag-pb node may have. */
#define DECC_DAGPB_MAX_LINKS 65536u

/* ---- dag-pb ------------------------------------------------------------- */

/* A link; pointers refer into the decoded block (or the caller's memory when
 * encoding). */
typedef struct decc_dagpb_link {
  const uint8_t *hash; /* binary CID */
  size_t hash_len;
  const char *name; /* not NUL-terminated; valid when has_name */
  size_t name_len;
  int has_name;
  uint64_t tsize; /* cumulative size of the target DAG; when has_tsize */
  int has_tsize;
} decc_dagpb_link;

typedef struct decc_dagpb_node {
  decc_dagpb_link *links; /* heap array owned by the node after decode */
  size_t nlinks;
  const uint8_t *data; /* points into the block; when has_data */
  size_t data_len;
  int has_data;
} decc_dagpb_node;

/* Decodes a dag-pb block strictly (field numbers, wire types, field order
 * Links-then-Data, no duplicates, no unknown fields, at most max_links links,
 * 0 = DECC_DAGPB_MAX_LINKS). node->links is allocated (decc_dagpb_node_clear);
 * other pointers refer into block, which must outlive the node.
 * Returns: DECC_OK, DECC_E_PARSE, DECC_E_LIMIT, DECC_E_NOMEM. */
DECC_API decc_status decc_dagpb_decode(decc_dagpb_node *node,
                                       const uint8_t *block, size_t n,
                                       size_t max_links, decc_err *err);
/* Frees node->links and zeroes the node. NULL-safe. */
DECC_API void decc_dagpb_node_clear(decc_dagpb_node *node);
/* Appends the canonical encoding of node (links first, then data) to out.
 * Returns: DECC_OK, DECC_E_LIMIT (out's ceiling), DECC_E_NOMEM. */
struct decc_buf;
DECC_API decc_status decc_dagpb_encode(struct decc_buf *out,
                                       const decc_dagpb_node *node);

/* ---- UnixFS Data message ------------------------------------------------ */

typedef enum decc_unixfs_type {
  DECC_UNIXFS_RAW = 0,
  DECC_UNIXFS_DIRECTORY = 1,
  DECC_UNIXFS_FILE = 2,
  DECC_UNIXFS_METADATA = 3,
  DECC_UNIXFS_SYMLINK = 4,
  DECC_UNIXFS_HAMT_SHARD = 5
} decc_unixfs_type;

typedef struct decc_unixfs {
  int type;            /* decc_unixfs_type (required field) */
  const uint8_t *data; /* points into the decoded bytes; when has_data */
  size_t data_len;
  int has_data;
  uint64_t filesize; /* when has_filesize */
  int has_filesize;
  uint64_t *blocksizes; /* heap array after decode (decc_unixfs_clear) */
  size_t nblocksizes;
} decc_unixfs;

/* Decodes a UnixFS Data message (unknown fields 5..8 — hashType, fanout,
 * mode, mtime — are checked for framing and skipped; at most
 * DECC_DAGPB_MAX_LINKS blocksizes, packed or not).
 * Returns: DECC_OK, DECC_E_PARSE, DECC_E_LIMIT, DECC_E_NOMEM. */
DECC_API decc_status decc_unixfs_decode(decc_unixfs *u, const uint8_t *in,
                                        size_t n, decc_err *err);
DECC_API void decc_unixfs_clear(decc_unixfs *u);
/* Appends the encoding ipfs-unixfs writes (Type, Data when non-empty,
 * filesize when has_filesize, one blocksizes field per entry).
 * Returns: DECC_OK, DECC_E_LIMIT, DECC_E_NOMEM. */
DECC_API decc_status decc_unixfs_encode(struct decc_buf *out,
                                        const decc_unixfs *u);

/* ---- importer ----------------------------------------------------------- */

/* Receives each block the importer produces, children before parents.
 * cid was computed from block (callers need not re-hash it).
 * Returns: DECC_OK to go on; any error stops the import with that status. */
typedef decc_status (*decc_block_put_fn)(void *ud, const decc_cid *cid,
                                         const uint8_t *block, size_t n,
                                         decc_err *err);

typedef struct decc_import_opts {
  unsigned cid_version; /* 0 (Kubo default) or 1 */
  int raw_leaves;       /* -1 = default for the version (v0: no, v1: yes) */
  size_t chunk_size;    /* 0 = 262144; at most 1 MiB */
  size_t max_links;     /* 0 = 174; 2..4096 */
} decc_import_opts;

/* Fills opts with Kubo's defaults for cid_version (0 or 1). */
DECC_API void decc_import_opts_default(decc_import_opts *opts,
                                       unsigned cid_version);

typedef struct decc_importer decc_importer;

/* Starts an import. put may be NULL (only compute the CID). Memory: one
 * chunk plus at most max_links entries per DAG level.
 * Returns: DECC_OK, DECC_E_INVALID (bad options), DECC_E_NOMEM. */
DECC_API decc_status decc_importer_create(decc_importer **out,
                                          const decc_import_opts *opts,
                                          decc_block_put_fn put, void *ud,
                                          decc_err *err);
/* Feeds file bytes. Returns: DECC_OK or the first error (from put, or
 * DECC_E_STATE after an earlier failure / after final). */
DECC_API decc_status decc_importer_update(decc_importer *imp, const void *data,
                                          size_t n, decc_err *err);
/* Flushes the DAG. Out: *root; *cumulative_size (optional: size of all
 * blocks, Kubo's "Size"); *file_size (optional).
 * Returns: DECC_OK or the first error. */
DECC_API decc_status decc_importer_final(decc_importer *imp, decc_cid *root,
                                         uint64_t *cumulative_size,
                                         uint64_t *file_size, decc_err *err);
DECC_API void decc_importer_destroy(decc_importer *imp);

/* Imports the file at path (fd -1) or from fd (path only used in messages)
 * with opts (NULL = CIDv0 defaults), streaming.
 * Returns: as decc_importer_*, DECC_E_IO with err naming the file. */
DECC_API decc_status decc_import_fd(decc_cid *root, uint64_t *cumulative_size,
                                    const decc_import_opts *opts, int fd,
                                    const char *path, decc_block_put_fn put,
                                    void *ud, decc_err *err);

/* ---- exporter ----------------------------------------------------------- */

/* Fetches a block by CID. On DECC_OK, *block is a heap buffer (decc_free)
 * of *n bytes. The exporter checks the hash itself. */
typedef decc_status (*decc_block_get_fn)(void *ud, const decc_cid *cid,
                                         uint8_t **block, size_t *n,
                                         decc_err *err);

typedef struct decc_exporter decc_exporter;

/* Opens the file whose root is cid (raw block, or UnixFS File/Raw node) for
 * reading bytes [offset, offset+length) (length UINT64_MAX = to the end).
 * Returns: DECC_OK; DECC_E_NOT_FOUND / DECC_E_CORRUPT (err names the CID);
 * DECC_E_UNSUPPORTED (not a file, or a hash other than sha2-256);
 * DECC_E_RANGE (offset past the end); DECC_E_NOMEM. */
DECC_API decc_status decc_exporter_create(decc_exporter **out,
                                          decc_block_get_fn get, void *ud,
                                          const decc_cid *root, uint64_t offset,
                                          uint64_t length, decc_err *err);
/* The file's total size (from the root node). */
DECC_API uint64_t decc_exporter_file_size(const decc_exporter *ex);
/* Reads up to cap bytes. Out: *got (0 = end of the range).
 * Returns: DECC_OK or the error of a missing/corrupt block (sticky). */
DECC_API decc_status decc_exporter_read(decc_exporter *ex, uint8_t *buf,
                                        size_t cap, size_t *got, decc_err *err);
DECC_API void decc_exporter_destroy(decc_exporter *ex);

/* ---- blockstore --------------------------------------------------------- */

typedef struct decc_blockstore decc_blockstore;

/* Opens (creating if needed) a blockstore in dir: dir/blocks/<xx>/<key>.data,
 * dir/pins/<cid>, dir/lock. Returns: DECC_OK, DECC_E_IO, DECC_E_NOMEM. */
DECC_API decc_status decc_blockstore_open(decc_blockstore **out,
                                          const char *dir, decc_err *err);
DECC_API void decc_blockstore_close(decc_blockstore *bs);
/* The directory bs was opened with (owned by bs, valid until close), so
 * another process can open the same store. */
DECC_API const char *decc_blockstore_dir(const decc_blockstore *bs);
/* Stores block under cid after checking that its sha2-256 matches.
 * Idempotent; atomic (temp + rename). Returns: DECC_OK, DECC_E_CORRUPT
 * (hash mismatch), DECC_E_UNSUPPORTED (not sha2-256), DECC_E_LIMIT, DECC_E_IO. */
DECC_API decc_status decc_blockstore_put(decc_blockstore *bs,
                                         const decc_cid *cid,
                                         const uint8_t *block, size_t n,
                                         decc_err *err);
/* A decc_block_put_fn (ud = the decc_blockstore) for the importer: stores
 * without re-hashing, since the importer just computed the CID. */
DECC_API decc_status decc_blockstore_put_trusted(void *bs, const decc_cid *cid,
                                                 const uint8_t *block, size_t n,
                                                 decc_err *err);
/* A decc_block_get_fn (ud = the decc_blockstore): reads a block (verified
 * against cid). Returns: DECC_OK, DECC_E_NOT_FOUND, DECC_E_CORRUPT,
 * DECC_E_IO, DECC_E_LIMIT, DECC_E_NOMEM. */
DECC_API decc_status decc_blockstore_get(void *bs, const decc_cid *cid,
                                         uint8_t **block, size_t *n,
                                         decc_err *err);
/* Returns: 1 when a block with cid's multihash is stored. */
DECC_API int decc_blockstore_has(decc_blockstore *bs, const decc_cid *cid);
/* Makes stored blocks durable (syncfs). Returns: DECC_OK, DECC_E_IO. */
DECC_API decc_status decc_blockstore_sync(decc_blockstore *bs, decc_err *err);

/* Imports a file into the store (and pins the root when pin != 0).
 * Returns: as decc_import_fd / decc_blockstore_pin. */
DECC_API decc_status decc_store_add_fd(decc_blockstore *bs, decc_cid *root,
                                       uint64_t *cumulative_size,
                                       const decc_import_opts *opts, int fd,
                                       const char *path, int pin,
                                       decc_err *err);

/* Writes file bytes [offset, offset+length) of cid to write_fn as they are
 * verified. Returns: as decc_exporter_*, or write_fn's error. */
typedef decc_status (*decc_write_fn)(void *ud, const uint8_t *p, size_t n,
                                     decc_err *err);
DECC_API decc_status decc_store_cat(decc_blockstore *bs, const decc_cid *cid,
                                    uint64_t offset, uint64_t length,
                                    decc_write_fn write_fn, void *ud,
                                    decc_err *err);

typedef struct decc_store_stat_info {
  uint64_t codec;           /* DECC_CODEC_RAW or DECC_CODEC_DAG_PB */
  size_t block_size;        /* bytes of this block */
  size_t nlinks;            /* dag-pb links */
  int unixfs_type;          /* decc_unixfs_type, -1 for raw blocks / no Data */
  uint64_t file_size;       /* UnixFS file size (raw: the block size) */
  uint64_t cumulative_size; /* block_size + sum of links' Tsize */
} decc_store_stat_info;

/* Describes one block. Returns: as decc_blockstore_get, DECC_E_PARSE. */
DECC_API decc_status decc_store_stat(decc_blockstore *bs, const decc_cid *cid,
                                     decc_store_stat_info *info, decc_err *err);

/* One link of a node, for decc_store_ls. name is NUL-terminated. */
typedef decc_status (*decc_link_fn)(void *ud, const char *name,
                                    const decc_cid *cid, uint64_t tsize,
                                    decc_err *err);
/* Calls fn for each link of cid's node (none for a raw block).
 * Returns: as decc_store_stat, or fn's error. */
DECC_API decc_status decc_store_ls(decc_blockstore *bs, const decc_cid *cid,
                                   decc_link_fn fn, void *ud, decc_err *err);

/* Pins cid recursively after checking that its whole DAG is stored and
 * intact. The pin is a file written atomically (and fsynced).
 * Returns: DECC_OK, DECC_E_NOT_FOUND / DECC_E_CORRUPT (a block of the DAG),
 * DECC_E_IO. */
DECC_API decc_status decc_blockstore_pin(decc_blockstore *bs,
                                         const decc_cid *cid, decc_err *err);
/* Removes a pin. Returns: DECC_OK, DECC_E_NOT_FOUND (not pinned), DECC_E_IO. */
DECC_API decc_status decc_blockstore_unpin(decc_blockstore *bs,
                                           const decc_cid *cid, decc_err *err);
/* Returns: 1 when cid (same multihash) is pinned. */
DECC_API int decc_blockstore_is_pinned(decc_blockstore *bs,
                                       const decc_cid *cid);
/* Calls fn(ud, cid) for each pin (order unspecified).
 * Returns: DECC_OK, DECC_E_IO, or fn's error. */
typedef decc_status (*decc_cid_fn)(void *ud, const decc_cid *cid,
                                   decc_err *err);
DECC_API decc_status decc_blockstore_pins(decc_blockstore *bs, decc_cid_fn fn,
                                          void *ud, decc_err *err);
/* Deletes every block not reachable from a pin. Refuses to run while another
 * process has the store open (DECC_E_STATE), and refuses if a pinned DAG is
 * incomplete (nothing is deleted then). Out (optional): blocks and bytes
 * removed. Returns: DECC_OK, DECC_E_STATE, DECC_E_NOT_FOUND, DECC_E_CORRUPT,
 * DECC_E_IO, DECC_E_NOMEM. */
DECC_API decc_status decc_blockstore_gc(decc_blockstore *bs,
                                        uint64_t *removed_blocks,
                                        uint64_t *removed_bytes, decc_err *err);

/* ---- Kubo RPC client (a real IPFS node, or decc's own routes) ------------ */

typedef struct decc_kubo_add_opts {
  unsigned cid_version; /* 0 or 1 */
  int raw_leaves;       /* -1 = node default for the version */
  int pin;              /* pin on the node */
  long timeout_s;       /* 0 = no overall timeout */
} decc_kubo_add_opts;

/* POST {api_url}/api/v0/add with the file streamed as multipart/form-data.
 * api_url is e.g. "http://127.0.0.1:5001". Out: *cid; *size (optional: the
 * node's cumulative "Size"). Parses Kubo's {Name, Hash, Size} (Size as a
 * string or a number). Returns: DECC_OK, DECC_E_IO (file), DECC_E_NETWORK
 * (HTTP failure or a node error, message included), DECC_E_PARSE. */
DECC_API decc_status decc_kubo_add_file(const char *api_url, const char *path,
                                        const decc_kubo_add_opts *opts,
                                        decc_cid *cid, uint64_t *size,
                                        decc_err *err);
/* Reads the file cid names from an IPFS node's Kubo RPC API into write_fn.
 * verify = 1 (untrusted node): the DAG is fetched block by block (POST
 * {api_url}/api/v0/block/get?arg=<cid>, each answer at most
 * DECC_STORE_MAX_BLOCK bytes) through the exporter, so every block is
 * re-hashed against its CID before any of its bytes are written: on a lying
 * node write_fn has received only a prefix of the true file when the call
 * fails. verify = 0: POST /api/v0/cat streamed to write_fn unchecked.
 * timeout_s bounds the whole transfer (0 = none).
 * Returns: DECC_OK, DECC_E_NETWORK (unreachable, HTTP error, timeout),
 * DECC_E_CORRUPT (a block does not match its CID, or is oversize),
 * DECC_E_UNSUPPORTED (not a UnixFS file, not sha2-256), DECC_E_LIMIT,
 * DECC_E_NOMEM, write_fn's error. */
DECC_API decc_status decc_kubo_cat(const char *api_url, const decc_cid *cid,
                                   int verify, decc_write_fn write_fn, void *ud,
                                   long timeout_s, decc_err *err);

/* ---- HTTP routes for the node (libmicrohttpd) ---------------------------- */

struct MHD_Connection;

typedef struct decc_store_http_cfg {
  decc_blockstore *bs;    /* the store served (required) */
  uint64_t max_add_bytes; /* request body limit for add; 0 = 1 GiB */
  int read_only;          /* 1 = /api/v0/add answers 403 */
} decc_store_http_cfg;

/* Returns: 1 when url is one of the store's routes: /api/v0/add,
 * /api/v0/cat, /api/v0/block/get, /ipfs/<cid>. */
DECC_API int decc_store_http_route(const char *url);
/* Handles a request for a store route with MHD's access-handler contract
 * (same arguments and meaning as MHD_AccessHandlerCallback, after the
 * caller's own cls). Routes:
 *   POST /api/v0/add?cid-version=&raw-leaves=&pin=   multipart, each file
 *        part streamed into the importer; one JSON line per file
 *        {"Name","Hash","Size"} (Size as a string, like Kubo);
 *   POST /api/v0/cat?arg=<cid>[&offset=&length=]   the file, streamed;
 *   POST /api/v0/block/get?arg=<cid>               one raw block (verified);
 *   GET|HEAD /ipfs/<cid>                             the same (gateway).
 * Errors are Kubo-style JSON {"Message","Code","Type":"error"} (400 bad
 * argument, 404 not found, 405 wrong method, 413 too large, 500 otherwise).
 * Returns: MHD_YES or MHD_NO (as int). Pair with decc_store_http_completed
 * in MHD_OPTION_NOTIFY_COMPLETED. */
DECC_API int decc_store_http_handle(const decc_store_http_cfg *cfg,
                                    struct MHD_Connection *conn,
                                    const char *url, const char *method,
                                    const char *upload_data,
                                    size_t *upload_data_size, void **con_cls);
/* Frees the per-request state a store route left in *con_cls. */
DECC_API void decc_store_http_completed(void **con_cls);

#ifdef __cplusplus
}
#endif
#endif /* DECC_STORE_H */
