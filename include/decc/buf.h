/*
 * decc/buf.h — a growable byte buffer with a ceiling.
 *
 * Every buffer that grows from outside input has a maximum size: exceeding
 * it is a normal DECC_E_LIMIT error, not an abort. The buffer always keeps a
 * NUL byte after its content so text can be used as a C string.
 *
 * Misuse: b is always required, and so is every other pointer argument
 * unless its doc allows NULL ("optional"; appended bytes may be NULL when
 * their length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (NULL when it returns a pointer; a void function returns
 * at once) without touching anything.
 */
#ifndef DECC_BUF_H
#define DECC_BUF_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct decc_buf {
  uint8_t *data; /* read-only for users; NUL-terminated when non-NULL */
  size_t len;    /* read-only: bytes in use */
  size_t cap;    /* private */
  size_t max;    /* private: ceiling on len (0 = SIZE_MAX / 2) */
  int secret;    /* private: wipe on reallocation and clear */
} decc_buf;

/* Initialises an empty buffer whose length may not exceed max bytes
 * (0 = no practical limit). No allocation happens until the first append. */
DECC_API void decc_buf_init(decc_buf *b, size_t max);
/* Same, but the content is wiped whenever memory is released (use for
 * anything holding key material). */
DECC_API void decc_buf_init_secret(decc_buf *b, size_t max);
/* Releases the memory (wiping it for secret buffers); b is empty again. */
DECC_API void decc_buf_clear(decc_buf *b);
/* Sets len to 0 keeping the allocation (wipes old content if secret). */
DECC_API void decc_buf_reset(decc_buf *b);

/* Appends bytes. Returns: DECC_OK, DECC_E_LIMIT past max, DECC_E_NOMEM. */
DECC_API decc_status decc_buf_append(decc_buf *b, const void *p,
                                     size_t n) DECC_WARN_UNUSED;
DECC_API decc_status decc_buf_append_byte(decc_buf *b,
                                          uint8_t c) DECC_WARN_UNUSED;
DECC_API decc_status decc_buf_append_str(decc_buf *b,
                                         const char *s) DECC_WARN_UNUSED;
DECC_API decc_status decc_buf_printf(decc_buf *b, const char *fmt, ...)
    DECC_PRINTF(2, 3) DECC_WARN_UNUSED;
/* Appends n zero bytes and returns (in *out) a pointer to them, valid until
 * the next append. Returns: as decc_buf_append. */
DECC_API decc_status decc_buf_extend(decc_buf *b, size_t n,
                                     uint8_t **out) DECC_WARN_UNUSED;
/* Ensures room for n more bytes without changing len. */
DECC_API decc_status decc_buf_reserve(decc_buf *b, size_t n) DECC_WARN_UNUSED;

/* Transfers ownership of the content to the caller (decc_free it) and leaves
 * b empty. *len_out (optional) receives the length. Returns NULL if empty. */
DECC_API uint8_t *decc_buf_steal(decc_buf *b, size_t *len_out);

#ifdef __cplusplus
}
#endif
#endif /* DECC_BUF_H */
