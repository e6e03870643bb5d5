/*
 * decc/http_client.h — a small blocking HTTP client (libcurl) for decc's
 * remote backends (a node's SMS, market, chain JSON-RPC, scheduler).
 *
 * Responses are collected up to a caller-given limit; redirects are not
 * followed (a service answering with a redirect is an error here); only
 * http and https URLs are accepted.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("may be NULL", "optional"; a body may be NULL when its length is 0); a
 * NULL one is reported to the misuse handler (decc_set_misuse_handler,
 * common.h) and the function returns DECC_E_INVALID (NULL when it returns a
 * pointer) — after initialising reply when reply itself is given, since
 * callers clear its body on every return. A NULL url is not misuse but a
 * bad URL (DECC_E_INVALID with err set): callers pass configured URLs that
 * may be absent.
 */
#ifndef DECC_HTTP_CLIENT_H
#define DECC_HTTP_CLIENT_H

#include "buf.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct decc_http_reply {
  long status;   /* HTTP status, 0 when no response arrived */
  decc_buf body; /* response body (NUL-terminated); decc_buf_clear it */
  char content_type[96];
} decc_http_reply;

/* Performs one request. headers: NULL-terminated array of "Name: value"
 * strings (may be NULL). body may be NULL for no body (body_len 0). err
 * is optional. max_reply bounds
 * the response body (0 = 16 MiB). timeout_ms 0 = 30 s.
 * Out: reply (initialised by this call; clear its body even on error).
 * Returns: DECC_OK when an HTTP response arrived (whatever its status),
 * DECC_E_INVALID (bad URL), DECC_E_NETWORK (connection failed),
 * DECC_E_TIMEOUT, DECC_E_LIMIT (reply too large). */
DECC_API decc_status decc_http_fetch(decc_http_reply *reply, const char *method,
                                     const char *url,
                                     const char *const *headers,
                                     const void *body, size_t body_len,
                                     size_t max_reply, long timeout_ms,
                                     decc_err *err) DECC_WARN_UNUSED;

/* A GET that also returns one response header (e.g. the issuer chains
 * Intel's PCS and PCCS send in headers). header_name is matched
 * case-insensitively; NULL asks for none (*header_value stays NULL). Out: reply as for decc_http_fetch; *header_value a
 * heap copy of the header's value (decc_free), NULL when absent.
 * Returns: as decc_http_fetch, or DECC_E_NOMEM. */
DECC_API decc_status decc_http_get_with_header(
    decc_http_reply *reply, const char *url, const char *header_name,
    char **header_value, size_t max_reply, long timeout_ms,
    decc_err *err) DECC_WARN_UNUSED;

/* Percent-encodes s for use in a query string (RFC 3986 unreserved kept).
 * Returns a heap string (decc_free) or NULL on OOM. */
DECC_API char *decc_http_escape(const char *s);

#ifdef __cplusplus
}
#endif
#endif
