/*
 * internal.h — helpers shared by library files; not part of the public API.
 */
#ifndef DECC_CORE_INTERNAL_H
#define DECC_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "decc/common.h"

/* secp256k1 context shared by the library (created by decc_init).
 * Returns NULL if initialisation failed. */
struct secp256k1_context_struct;
const struct secp256k1_context_struct *decc__secp_ctx(void);
/* keccak_x8.c: keccak-256 of out[i] = data[i][0..len[i]) for i < n, eight
 * messages at once in AVX-512 registers. Call only when
 * decc__keccak_x8_available() (the CPU and the OS support AVX-512F); a
 * no-op on other architectures. */
void decc__keccak256_x8(uint8_t (*out)[32], const uint8_t *const *data,
                        const size_t *len, size_t n);
int decc__keccak_x8_available(void);
/* Keccak-f[1600]'s 24 round constants (iota), keccak.c. */
extern const uint64_t decc__keccak_rc[24];
/* keccak_x8.c: with off != 0, decc_keccak256_many hashes one message at a
 * time even where AVX-512 is available (tests compare both paths). */
void decc__keccak_many_scalar(int off);

/* ---- files and clocks (fsutil.c) ---- */

/* "a/b" as a heap string (decc_free). Returns NULL on OOM. */
char *decc__path_join(const char *a, const char *b);
/* Creates path and its missing parents with mode (existing directories are
 * fine). Returns 0, or -1 with errno (ENOTDIR when a component exists and is
 * not a directory, ENAMETOOLONG beyond 4095 bytes). */
int decc__mkdir_p(const char *path, unsigned mode);
/* Removes a directory tree, best effort; symlinks are removed, never
 * followed. */
void decc__rmtree(const char *path);
/* Monotonic clock in milliseconds (for durations and deadlines only). */
uint64_t decc__mono_ms(void);
/* The same monotonic clock in seconds with its full (nanosecond) resolution,
 * for durations shorter than a millisecond: request latencies, phase
 * timings. */
double decc__mono_s(void);
/* Wall-clock time in milliseconds since the Unix epoch (for timestamps that
 * leave the process: signed requests, records). */
uint64_t decc__wall_ms(void);

/* ---- atomic files (atomic.c) ---- */

/* A file being written atomically: a temporary file in the destination's
 * directory that becomes `path` only on commit. */
typedef struct decc__atomic_file {
  int fd;     /* write here; -1 when not open */
  char *tmp;  /* temporary path (heap) */
  char *path; /* final path (heap) */
} decc__atomic_file;

/* Creates the temporary file (mode `mode`, applied before any byte is
 * written). Returns: DECC_OK or DECC_E_IO / DECC_E_NOMEM / DECC_E_INVALID
 * (empty path; err names the path). On failure af is left closed. */
decc_status decc__atomic_open(decc__atomic_file *af, const char *path,
                              unsigned mode, decc_err *err);
/* fsyncs, closes and renames the temporary file over path, then fsyncs the
 * directory. On a failure before the rename the temporary file is removed;
 * a failed directory fsync returns DECC_E_IO with the new file in place.
 * Either way af is closed afterwards. */
decc_status decc__atomic_commit(decc__atomic_file *af, decc_err *err);
/* Closes and removes the temporary file (no-op when not open). */
void decc__atomic_abort(decc__atomic_file *af);
/* The whole of open + write + commit for a buffer in memory.
 * Returns: DECC_OK, or DECC_E_IO / DECC_E_NOMEM with err naming path. */
decc_status decc__atomic_write(const char *path, const void *data, size_t n,
                               unsigned mode, decc_err *err);
/* fsyncs the directory holding path (after a rename or an unlink in it).
 * Returns: DECC_OK or DECC_E_IO with errno set. */
decc_status decc__fsync_parent(const char *path);
/* Writes all n bytes to fd (retrying short writes and EINTR).
 * Returns: DECC_OK or DECC_E_IO (errno preserved). */
decc_status decc__write_all(int fd, const void *p, size_t n);
/* Returns: 0666 & ~umask (read without changing the umask for good). */
unsigned decc__default_file_mode(void);

/* ---- text (text.c) ---- */

/* Length (1-4) of the well-formed UTF-8 sequence at p within avail bytes
 * (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF); 0 when
 * the bytes there are not one (or avail is 0). */
size_t decc__utf8_seq_len(const uint8_t *p, size_t avail);
/* Returns: 1 when s[0..n) is entirely well-formed UTF-8, else 0. */
int decc__utf8_valid(const uint8_t *s, size_t n);

/* ---- hex beyond the public codec (encoding.c, json_hex.c) ---- */

/* The value 0-15 of one hex digit (either case), or -1. Branches on the
 * character: for public text parsed digit by digit (percent escapes, \u
 * escapes, numbers); secrets go through decc_hex_decode. */
int decc__hex_digit(char c);
/* Writes 2*n UPPERCASE hex digits plus NUL to out (size >= 2*n+1), no
 * prefix: Intel's collateral and PCS URLs spell FMSPC, MRSIGNER and the
 * like this way. Returns out. */
char *decc__hex_encode_upper(char *out, const uint8_t *in, size_t n);
/* Decodes 0x-hex DATA of any even length ("0x"/"0X" required; "0x" alone is
 * empty) into a fresh buffer. Out: *out (decc_free; NULL when empty) and
 * *len. Returns: DECC_OK; DECC_E_PARSE (s NULL, no prefix, odd length, a
 * non-hex digit; *out stays NULL); DECC_E_NOMEM. */
decc_status decc__hex_decode_alloc(const char *s, uint8_t **out, size_t *len);

/* jansson's value type (no jansson.h here: most users of this header do
 * not touch JSON). */
struct json_t;
/* n bytes as a new JSON string "0x" + 2n lowercase digits (p may be NULL
 * when n is 0). Returns: a new reference (json_decref), or NULL on OOM —
 * which json_object_set_new and json_pack "o" report as a failure. */
struct json_t *decc__json_hex(const uint8_t *p, size_t n);
/* Decodes the JSON string v, which must hold exactly n bytes of hex (the
 * whole string: no embedded NUL), with a "0x"/"0X" prefix when need_prefix
 * (else the prefix is optional). Returns: DECC_OK; DECC_E_PARSE (v NULL or
 * not a string, prefix missing, a non-hex digit: out is then zeroed);
 * DECC_E_RANGE (another length: out untouched). */
decc_status decc__json_hex_exact(uint8_t *out, size_t n, const struct json_t *v,
                                 int need_prefix);

/* decc_quote_from_json on an already parsed JSON value (attest.c): the
 * session request carries its quote as a member, parsed once with the
 * request. jq may be NULL or not an object (DECC_E_PARSE). Out: *q (zeroed
 * first). Returns: as decc_quote_from_json. */
struct decc_quote;
decc_status decc__quote_from_jobj(struct decc_quote *q, const struct json_t *jq,
                                  decc_err *err);

/* ---- API contract checks (misuse.c) ---- */

/* Reports a broken contract to the installed handler (decc_set_misuse_handler). */
void decc__misuse(const char *func, const char *what);
/* At the top of a public function: when cond is false, report it and return
 * ret (DECC_E_INVALID, NULL, 0, or nothing for a void function). Cheap (one
 * predictable branch), so it stays in release builds. */
#define DECC__ARG_CHECK(cond, text, ret)                                       \
  do {                                                                         \
    if (__builtin_expect(!(cond), 0)) {                                        \
      decc__misuse(__func__, text);                                            \
      return ret;                                                              \
    }                                                                          \
  } while (0)
/* (each stringizes its own argument: a nested macro would report the
 * expansion of NULL instead of the source text) */
#define DECC_ARG_CHECK_RET(cond, ret) DECC__ARG_CHECK(cond, #cond, ret)
#define DECC_ARG_CHECK(cond) DECC__ARG_CHECK(cond, #cond, DECC_E_INVALID)
#define DECC_ARG_CHECK_VOID(cond) DECC__ARG_CHECK(cond, #cond, )

#define DECC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
