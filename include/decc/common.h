/*
 * decc/common.h — conventions shared by every public decc header.
 *
 * Everything declared under include/decc/ is the public API; anything else is
 * internal and may change. This header defines the export macro, the single
 * status type every fallible function returns, and the error-context struct
 * that carries a human-readable one-line message next to the status.
 *
 * Conventions (apply to every header):
 *   - 0 (DECC_OK) is success; every fallible function returns decc_status.
 *   - Argument order: context, outputs, in/outs, inputs; a length follows its
 *     pointer; fixed sizes appear in names (addr20, hash32, sig65).
 *   - `decc_err *err` arguments are optional (NULL allowed). When non-NULL and
 *     the call fails, err->code and err->msg describe the failure. Messages
 *     never contain secret material.
 *   - Objects the library allocates have a create/destroy pair; destroy(NULL)
 *     is a no-op. Caller-allocated structs use init/clear.
 */
#ifndef DECC_COMMON_H
#define DECC_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(DECC_BUILDING_LIBRARY) && defined(__GNUC__)
#define DECC_API __attribute__((visibility("default")))
#else
#define DECC_API
#endif

#if defined(__GNUC__)
#define DECC_WARN_UNUSED __attribute__((warn_unused_result))
#define DECC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define DECC_WARN_UNUSED
#define DECC_PRINTF(a, b)
#endif

/* Status codes. Append only; never renumber (values are stable API). */
#define DECC_STATUS_MAP(XX)                                                    \
  XX(OK, 0, "success")                                                         \
  XX(E_INVALID, 1, "invalid argument")                                         \
  XX(E_NOMEM, 2, "out of memory")                                              \
  XX(E_IO, 3, "input/output error")                                            \
  XX(E_PARSE, 4, "malformed input")                                            \
  XX(E_RANGE, 5, "value out of range")                                         \
  XX(E_BAD_SIGNATURE, 6, "bad signature")                                      \
  XX(E_BAD_MAC, 7, "authentication failed")                                    \
  XX(E_CRYPTO, 8, "cryptographic operation failed")                            \
  XX(E_NOT_FOUND, 9, "not found")                                              \
  XX(E_EXISTS, 10, "already exists")                                           \
  XX(E_LIMIT, 11, "size or count limit exceeded")                              \
  XX(E_UNSUPPORTED, 12, "unsupported")                                         \
  XX(E_STATE, 13, "invalid state")                                             \
  XX(E_DENIED, 14, "permission denied")                                        \
  XX(E_REVERT, 15, "transaction reverted")                                     \
  XX(E_NETWORK, 16, "network error")                                           \
  XX(E_TIMEOUT, 17, "timed out")                                               \
  XX(E_INTERNAL, 18, "internal error")                                         \
  XX(E_CORRUPT, 19, "data corrupt")

typedef enum decc_status {
#define DECC_XX_ENUM(name, value, text) DECC_##name = value,
  DECC_STATUS_MAP(DECC_XX_ENUM)
#undef DECC_XX_ENUM
} decc_status;

/* Maximum length of an error message, including the terminating NUL. Room
 * for a cause behind a long context (a URL, a path, a quoted reply): the
 * part of a message users need is usually its end. */
#define DECC_ERR_LEN 1024

/* Sizes, NUL included, of the hex texts the API writes into caller buffers:
 * an address "0x" + 40 digits, a 32-byte hash or word "0x" + 64, a 65-byte
 * signature "0x" + 130. Named so that a buffer says what it holds. */
#define DECC_ADDRESS_HEX_LEN 43
#define DECC_HEX32_LEN 67
#define DECC_SIG_HEX_LEN 133

/* Error context. Public fields, caller-allocated (usually on the stack). */
typedef struct decc_err {
  decc_status code;       /* status of the failure, DECC_OK when none */
  char msg[DECC_ERR_LEN]; /* one line, no trailing newline, never secret */
} decc_err;

/* Returns: a static, human-readable text for `st` ("unknown status" if not
 * a known code). Never NULL. Thread-safe. */
DECC_API const char *decc_strerror(decc_status st);

/* Returns: the symbolic name of `st` without prefix, e.g. "E_PARSE". */
DECC_API const char *decc_status_name(decc_status st);

/* Clears an error context (code = DECC_OK, empty message). err may be NULL. */
DECC_API void decc_err_clear(decc_err *err);

/* Records `code` and a printf-style message in err (if non-NULL).
 * Returns: code, so callers can write `return decc_err_set(err, ...)`.
 * The message is truncated to DECC_ERR_LEN-1 bytes. */
DECC_API decc_status decc_err_set(decc_err *err, decc_status code,
                                  const char *fmt, ...) DECC_PRINTF(3, 4);

/* Prefixes an existing message in err with "prefix: " (keeps the code).
 * Returns: err->code (or DECC_OK when err is NULL). */
DECC_API decc_status decc_err_prefix(decc_err *err, const char *fmt, ...)
    DECC_PRINTF(2, 3);

/* Creates the directory `path` and every missing parent with `mode` (e.g.
 * 0700). Existing directories are fine; an existing non-directory is not.
 * Returns: DECC_OK; DECC_E_INVALID when path is NULL, empty or longer than
 * 4095 bytes; DECC_E_IO when a directory cannot be created (err names it
 * and the system's reason). */
DECC_API decc_status decc_mkdir_p(const char *path, unsigned mode,
                                  decc_err *err);

/* Called when a caller breaks a documented contract of a public function
 * (today: a NULL where a pointer is required), with the function's name and
 * the failed condition as text ("out != NULL"). The function then returns
 * without touching anything: DECC_E_INVALID for a status, NULL for a
 * pointer, 0 for a count or a boolean. */
typedef void (*decc_misuse_fn)(const char *func, const char *what, void *ud);

/* Installs fn (with its ud) for the whole process; NULL restores the default,
 * which writes one line to stderr. Thread-safe. Unlike libsecp256k1's
 * default, decc never aborts on misuse: a node serving many requests keeps
 * serving; install a handler that calls abort() to stop at the first one. */
DECC_API void decc_set_misuse_handler(decc_misuse_fn fn, void *ud);

/* Library version string, e.g. "0.1.0". */
DECC_API const char *decc_version(void);

/* One-time initialisation: libsodium, OpenSSL error strings and the
 * secp256k1 context. Idempotent and thread-safe; other functions call it
 * lazily, so calling it explicitly is optional.
 * Returns: DECC_OK, or DECC_E_CRYPTO when a backend fails to start. */
DECC_API decc_status decc_init(void);

#ifdef __cplusplus
}
#endif
#endif /* DECC_COMMON_H */
