/*
 * decc/protect.h — DataProtector "protected data": the data object, its
 * validation, schema and zip serialization, and the reader an iApp uses.
 *
 * Compatibility target: @iexec/dataprotector 0.5.3 ("legacy" format) and
 * 2.0.0-beta.27 ("v2", borsh values), and @iexec/dataprotector-deserializer
 * 0.1.1 for reading (iexec-protocol.md §3.2, §3.6). For the same object decc
 * produces the same schema JSON, the same zip entries in the same order with
 * the same bytes (the whole archive is byte-identical to the SDK's when the
 * SDK's clock reads 1980-01-01T00:00:00Z: decc stamps every entry with that
 * DOS date so its output is reproducible), and rejects the same objects with
 * the SDK's own message plus the offending key path.
 *
 * Data object: a tree whose inner nodes are objects (key → node) and whose
 * leaves are bool, number (IEEE double, JavaScript's number), i128 (an
 * exact integer, JavaScript's bigint), string (UTF-8) or binary bytes.
 * Entries are kept in JavaScript property order — the order the SDK sees
 * after JSON.parse: keys that are array indices ("0" … "4294967294", no
 * leading zero) first in ascending numeric order, then the other keys in
 * insertion order.
 *
 * Thread-safety: a tree or reader must not be used by two threads at once;
 * everything else is reentrant.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; err and a validation
 * problem are always optional; a data pointer may be NULL when its length
 * is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL or 0 when it returns a pointer or a number, NaN for
 * decc_js_string_to_number) without touching anything —
 * decc_pd_add_binary_owned still frees the data it was given. Text that
 * comes from outside (a key's characters, a decimal, JSON, a format or
 * mode name, a path, a zip's bytes) is judged as usual: only its absence
 * (a NULL pointer) is misuse.
 */
#ifndef DECC_PROTECT_H
#define DECC_PROTECT_H

#include "buf.h"
#include "common.h"
#include "zipsafe.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Serialization format. */
typedef enum decc_pd_format {
  DECC_PD_LEGACY = 0, /* dataprotector 0.5.3: text numbers, raw strings */
  DECC_PD_V2 = 1      /* dataprotector 2.x: borsh bool/f64/i128/string */
} decc_pd_format;

/* Returns: "legacy" / "v2". */
DECC_API const char *decc_pd_format_name(decc_pd_format f);
/* Parses "legacy" or "v2" (name NUL-terminated). Returns: DECC_OK or
 * DECC_E_INVALID (any other name). */
DECC_API decc_status decc_pd_format_parse(decc_pd_format *out,
                                          const char *name);

typedef enum decc_pd_kind {
  DECC_PD_OBJECT = 1,
  DECC_PD_BOOL,
  DECC_PD_NUMBER,
  DECC_PD_I128,
  DECC_PD_STRING,
  DECC_PD_BINARY,
  /* JSON null / array: kept only so that validation rejects them in the
   * SDK's order with the SDK's message ("Unsupported null data", …). */
  DECC_PD_NULL,
  DECC_PD_ARRAY
} decc_pd_kind;

/* A 128-bit two's-complement integer, little-endian (borsh's i128). */
typedef struct decc_i128 {
  uint8_t le[16];
} decc_i128;

/* Writes the decimal text of v ("-170141183460469231731687303715884105728"
 * at most: 41 bytes with the NUL) into out[41]. Returns out. */
DECC_API char *decc_i128_to_dec(char out[41], const decc_i128 *v);

/* A node of the data object tree. The tree owns all its nodes and their
 * data; only the root is destroyed by the caller. */
typedef struct decc_pd decc_pd;

/* Creates an empty root object. Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_pd_create(decc_pd **out) DECC_WARN_UNUSED;
/* Frees a root and everything below it. NULL is a no-op. */
DECC_API void decc_pd_destroy(decc_pd *root);

/* Adding entries to an object node. key is NUL-terminated and stored as is
 * (validation, not insertion, judges its characters); obj and key are
 * required. Common returns: DECC_OK; DECC_E_INVALID (obj not an object
 * node); DECC_E_EXISTS (key already present); DECC_E_NOMEM. */
DECC_API decc_status decc_pd_add_bool(decc_pd *obj, const char *key, int value,
                                      decc_err *err);
DECC_API decc_status decc_pd_add_number(decc_pd *obj, const char *key,
                                        double value, decc_err *err);
/* decimal: optional "-" then digits, any size (the range check belongs to
 * validation, like the SDK's). Also DECC_E_PARSE for bad text. */
DECC_API decc_status decc_pd_add_i128(decc_pd *obj, const char *key,
                                      const char *decimal, decc_err *err);
/* s: len bytes of UTF-8 (copied). Also DECC_E_INVALID for invalid UTF-8
 * (a JavaScript string cannot hold it). */
DECC_API decc_status decc_pd_add_string(decc_pd *obj, const char *key,
                                        const char *s, size_t len,
                                        decc_err *err);
/* Copies len bytes. */
DECC_API decc_status decc_pd_add_binary(decc_pd *obj, const char *key,
                                        const void *data, size_t len,
                                        decc_err *err);
/* Takes ownership of data (allocated with decc_malloc) even on failure,
 * misuse included; avoids copying large values. */
DECC_API decc_status decc_pd_add_binary_owned(decc_pd *obj, const char *key,
                                              void *data, size_t len,
                                              decc_err *err);
/* Adds a binary value whose bytes stay in the file at path and are
 * streamed from it when the object is serialized (decc_pd_serialize*,
 * protectData), so its size costs no memory. The file's size and first
 * bytes (what MIME sniffing reads) are read now; the file must then stay
 * unchanged until serialization, which fails with DECC_E_STATE if its size
 * or modification time changed. decc_pd_bytes_value returns NULL for such
 * a value. Any size: 4 GiB or more is written with zip64 (see
 * serialization below). Returns: DECC_OK; DECC_E_IO (cannot open or read
 * path, or not a regular file); DECC_E_INVALID (bad key, duplicate);
 * DECC_E_NOMEM. */
DECC_API decc_status decc_pd_add_binary_file(decc_pd *obj, const char *key,
                                             const char *path, decc_err *err);
/* Adds an empty nested object. Out: *child (owned by the tree; optional). */
DECC_API decc_status decc_pd_add_object(decc_pd *obj, const char *key,
                                        decc_pd **child, decc_err *err);

/* Inspection. Values are owned by the tree. node / obj is required (a
 * NULL one is misuse: 0 or NULL is returned, as for another kind). */
DECC_API decc_pd_kind decc_pd_kind_of(const decc_pd *node);
/* Returns: the number of entries of an object node (0 for a leaf). */
DECC_API size_t decc_pd_count(const decc_pd *obj);
/* Returns: entry i of an object (JS order; NULL when out of range); *key
 * and *key_len (optional) receive its key (NUL-terminated). */
DECC_API const decc_pd *decc_pd_entry(const decc_pd *obj, size_t i,
                                      const char **key, size_t *key_len);
/* Returns: the child at key, or NULL. */
DECC_API const decc_pd *decc_pd_lookup(const decc_pd *obj, const char *key);
/* Leaf values; each returns 0 / NULL when the node has another kind. */
DECC_API int decc_pd_bool_value(const decc_pd *node);
DECC_API double decc_pd_number_value(const decc_pd *node);
/* string: UTF-8, NUL-terminated; binary: raw. *len (optional) receives
 * the length. */
DECC_API const uint8_t *decc_pd_bytes_value(const decc_pd *node, size_t *len);
/* Returns: the decimal text of an i128 node (canonical: no "+", no leading
 * zero, no "-0"), or NULL. */
DECC_API const char *decc_pd_i128_text(const decc_pd *node);

/* ---- JSON input --------------------------------------------------------
 * A JSON object; values: true/false, numbers (parsed to the nearest double,
 * as JSON.parse does: 1.0, 1e3, -0 are numbers), strings, nested objects,
 * and three one-key objects:
 *   {"$base64": "..."}  binary, standard base64 with padding;
 *   {"$file": "rel/path"} binary, the content of a file under base_dir
 *                        (absolute paths, ".." and symlinks leading out of
 *                        base_dir are refused);
 *   {"$i128": "-123"}   a big integer (v2 only; legacy rejects it as the
 *                        SDK rejects a bigint).
 * null and arrays are accepted here and rejected by validation with the
 * SDK's messages. Duplicate keys are an error. */
typedef struct decc_pd_json_opts {
  const char *base_dir;   /* for $file; NULL = "$file" is refused */
  uint64_t max_file_size; /* bytes per $file; 0 = 2 GiB (no limit with
                             stream_files) */
  uint64_t max_binary;    /* total binary bytes; 0 = 4 GiB (no limit with
                             stream_files) */
  uint32_t max_depth;     /* nesting; 0 = 64 */
  int stream_files;       /* 1: $file values are file-backed (see
                             decc_pd_add_binary_file): not read into memory,
                             so only the limits set above apply */
} decc_pd_json_opts;

/* Builds a tree from JSON text (len bytes; json may be NULL when len is 0,
 * which gives DECC_E_PARSE). opts may be NULL (no $file).
 * Out: *out (decc_pd_destroy it).
 * Returns: DECC_OK; DECC_E_PARSE (bad JSON, not an object, malformed
 * $base64/$i128/$file, duplicate key); DECC_E_DENIED ($file escaping
 * base_dir or absolute); DECC_E_IO ($file unreadable); DECC_E_LIMIT;
 * DECC_E_NOMEM. The message names the key path. */
DECC_API decc_status decc_pd_parse_json(decc_pd **out, const char *json,
                                        size_t len,
                                        const decc_pd_json_opts *opts,
                                        decc_err *err) DECC_WARN_UNUSED;

/* ---- validation ----------------------------------------------------------
 * What protectData would reject, in the SDK's order: first everything its
 * ensureDataObjectIsValid checks (keys non-empty and matching
 * ^[a-zA-Z0-9\-_]*$, no null/array; legacy: no bigint), then what its
 * createZipFromObject rejects (legacy: numbers must be safe integers; v2:
 * finite numbers, i128 within the SDK's range check). Traversal in JS
 * property order, first failure wins. */
typedef struct decc_pd_problem {
  char message[96]; /* the SDK's exact text, e.g. "Unsupported empty key" */
  char path[160];   /* dot-joined key path (truncated with "..." if long) */
  int stage;        /* 1 = data validation, 2 = serialization */
} decc_pd_problem;

/* Returns: DECC_OK when valid; DECC_E_INVALID otherwise, with *problem
 * (optional) filled and err->msg = `<message> (at "<path>")`. */
DECC_API decc_status decc_pd_validate(const decc_pd *root, decc_pd_format fmt,
                                      decc_pd_problem *problem, decc_err *err);

/* ---- schema --------------------------------------------------------------
 * The SDK's extractDataSchema serialized like JSON.stringify: legacy types
 * "boolean" / "number" / "string", v2 "bool" / "f64" / "i128" / "string";
 * binary → sniffed MIME type; objects → nested schema objects.
 * Runs the data-validation stage first (as protectData does).
 * Out: *json (NUL-terminated, decc_free it), *len (optional).
 * Returns: DECC_OK; DECC_E_INVALID (see decc_pd_validate); DECC_E_NOMEM. */
DECC_API decc_status decc_pd_schema_json(const decc_pd *root,
                                         decc_pd_format fmt, char **json,
                                         size_t *len, decc_err *err);

/* The MIME type the SDK records for binary data: the first type supported
 * by DataProtector among magic-bytes.js's answers (same signature tree, same
 * priorities), else "application/octet-stream". Returns a static string
 * (NULL only on misuse: data NULL with len > 0). */
DECC_API const char *decc_pd_sniff_mime(const uint8_t *data, size_t len);

/* ---- serialization -------------------------------------------------------
 * The protected-data zip: STORE method, an explicit "dir/" entry before
 * each nested object's entries, entry order = JS property order, value
 * bytes per format (legacy: UTF-8 text, decimal integer text, one byte
 * 0x01/0x00, raw bytes; v2: borsh bool (1 byte), f64 LE, i128 LE two's
 * complement, u32 LE length ‖ UTF-8, raw bytes). JSZip's exact layout
 * below its limits; zip64 records only where a field overflows (an entry
 * of 0xFFFFFFFF bytes or more, an offset at or past 0xFFFFFFFF, 65535
 * entries or more: docs/iexec-protocol.md §3.2). Validates first. */

/* Appends the archive to out. Returns: DECC_OK; DECC_E_INVALID (see
 * decc_pd_validate); DECC_E_LIMIT; DECC_E_NOMEM. */
DECC_API decc_status decc_pd_serialize(const decc_pd *root, decc_pd_format fmt,
                                       decc_buf *out, decc_err *err);
/* Receives the next n bytes of the archive; non-DECC_OK aborts. ctx is
 * the caller's (passed through, may be NULL). */
typedef decc_status (*decc_pd_sink_fn)(void *ctx, const void *p, size_t n);
/* Streams the archive to sink in order (file-backed values are read in
 * 1 MiB pieces; memory use does not depend on their size). Returns: as
 * decc_pd_serialize, plus the sink's status, DECC_E_IO and DECC_E_STATE
 * for file-backed values (see decc_pd_add_binary_file); on error what the
 * sink received must be discarded. */
DECC_API decc_status decc_pd_serialize_stream(const decc_pd *root,
                                              decc_pd_format fmt,
                                              decc_pd_sink_fn sink, void *ctx,
                                              decc_err *err);
/* Writes the archive to path atomically (temporary file in the same
 * directory, fsync, rename; mode 0600). Returns: as decc_pd_serialize, plus
 * DECC_E_IO; on error no file is left behind. */
DECC_API decc_status decc_pd_serialize_file(const decc_pd *root,
                                            decc_pd_format fmt,
                                            const char *path, decc_err *err);

/* ---- reader (what an iApp uses; @iexec/dataprotector-deserializer) -------
 */
typedef enum decc_pd_mode {
  DECC_PD_MODE_OPTIMISTIC = 0, /* borsh, strings fall back to raw UTF-8 */
  DECC_PD_MODE_BORSH = 1,      /* v2 data */
  DECC_PD_MODE_LEGACY = 2      /* 0.5.3 data */
} decc_pd_mode;

/* Returns: "optimistic" / "borsh" / "legacy". */
DECC_API const char *decc_pd_mode_name(decc_pd_mode m);
/* Parses one of those names. Returns: DECC_OK or DECC_E_INVALID (any other
 * name). */
DECC_API decc_status decc_pd_mode_parse(decc_pd_mode *out, const char *name);

typedef struct decc_pd_reader decc_pd_reader;

/* Opens a (decrypted) protected-data zip with zipsafe rules; lim may be
 * NULL. Returns: as decc_zip_open_file. */
DECC_API decc_status decc_pd_reader_open(decc_pd_reader **out,
                                         const char *zip_path,
                                         decc_pd_mode mode,
                                         const decc_zip_limits *lim,
                                         decc_err *err) DECC_WARN_UNUSED;
/* Same over memory (zip may be NULL when len is 0); the bytes are
 * borrowed until decc_pd_reader_close. */
DECC_API decc_status decc_pd_reader_open_mem(decc_pd_reader **out,
                                             const void *zip, size_t len,
                                             decc_pd_mode mode,
                                             const decc_zip_limits *lim,
                                             decc_err *err) DECC_WARN_UNUSED;
/* Closes the reader. NULL is a no-op. */
DECC_API void decc_pd_reader_close(decc_pd_reader *r);

typedef enum decc_pd_vtype {
  DECC_PD_V_BOOL = 1, /* "bool", "boolean" */
  DECC_PD_V_NUMBER,   /* "f64", "number" */
  DECC_PD_V_I128,     /* "i128" */
  DECC_PD_V_STRING,   /* "string": UTF-8 in data/len */
  DECC_PD_V_BYTES     /* any other type name: raw entry bytes */
} decc_pd_vtype;

typedef struct decc_pd_value {
  decc_pd_vtype type;
  int boolean;
  double number; /* may be NaN/±Infinity for legacy "number" text */
  decc_i128 i128;
  uint8_t *data; /* STRING / BYTES: owned, NUL-terminated; see _clear */
  size_t len;
} decc_pd_value;

/* getValue(path, type): reads entry path (dots become "/") and decodes it
 * as the deserializer does for the mode:
 *   "bool" "f64" "i128": borsh (error in legacy mode);
 *   "string": legacy = UTF-8 (invalid bytes → U+FFFD); borsh = borsh
 *      string; optimistic = borsh string, else the legacy decoding;
 *   "number": JavaScript Number(text) (error in borsh mode);
 *   "boolean": first byte non-zero (error in borsh mode);
 *   anything else: the raw bytes.
 * Strings are returned as the UTF-8 encoding of the JavaScript string the
 * deserializer returns (same decoder quirks).
 * Out: *out (decc_pd_value_clear it). Returns: DECC_OK; DECC_E_NOT_FOUND
 * ("Failed to load path P"); DECC_E_UNSUPPORTED ("Unsupported schema ..."),
 * DECC_E_PARSE ("Failed to deserialize ..."); zip errors as decc_zip_read. */
DECC_API decc_status decc_pd_get(decc_pd_reader *r, const char *path,
                                 const char *type, decc_pd_value *out,
                                 decc_err *err);
/* Frees what a decc_pd_value holds and zeroes it. NULL is a no-op. */
DECC_API void decc_pd_value_clear(decc_pd_value *v);

/* Typed shortcuts over decc_pd_get. */
DECC_API decc_status decc_pd_get_bool(decc_pd_reader *r, const char *path,
                                      int *out, decc_err *err);
DECC_API decc_status decc_pd_get_f64(decc_pd_reader *r, const char *path,
                                     double *out, decc_err *err);
DECC_API decc_status decc_pd_get_i128(decc_pd_reader *r, const char *path,
                                      decc_i128 *out, decc_err *err);
/* *out: NUL-terminated UTF-8, decc_free it; *len (optional): its length. */
DECC_API decc_status decc_pd_get_string(decc_pd_reader *r, const char *path,
                                        char **out, size_t *len, decc_err *err);
/* Raw entry bytes whatever the format. *out: decc_free it; *len
 * (optional): their length. */
DECC_API decc_status decc_pd_get_bytes(decc_pd_reader *r, const char *path,
                                       uint8_t **out, size_t *len,
                                       decc_err *err);

/* ---- JavaScript number text ----------------------------------------------
 * Formats d exactly as JavaScript's String(d) ("0.1", "1e+308", "-2.5",
 * "NaN", "Infinity"; -0 gives "0") into out (>= 32 bytes). Returns out. */
DECC_API char *decc_js_number_to_string(char out[32], double d);
/* JavaScript's Number(text) for len bytes of UTF-8: trims JS whitespace,
 * "" → 0, 0x/0o/0b integers, Infinity, decimal literals; anything else
 * NaN. text may be NULL when len is 0. Never fails (NaN on misuse). */
DECC_API double decc_js_string_to_number(const char *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* DECC_PROTECT_H */
