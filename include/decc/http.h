/*
 * decc/http.h — the HTTP server every decc service is exposed through
 * (chain JSON-RPC, store, market, SMS, scheduler), on libmicrohttpd.
 *
 * Routes are (method, pattern) pairs; a pattern is a path whose segments
 * may be "{name}" (one segment, available with decc_http_req_param) and
 * whose last segment may be "*" (the rest of the path). Bodies are
 * collected up to the route's limit (413 beyond it) unless the route is a
 * streaming route, whose body callback sees the chunks as they arrive.
 * Handlers run on the server's threads; they must be thread-safe. Every
 * request that reaches no route, exceeds a limit or makes a handler fail
 * gets a JSON error ({"ok":false,"error":"…"}), never a crash.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("may be NULL", "optional", "NULL is a no-op"; a body may be NULL when its
 * length is 0; a route's ctx, the stream's cleanup and free_fn, and
 * decc_http_server_stats's server may be NULL); a NULL one is reported to
 * the misuse handler (decc_set_misuse_handler, common.h) and the
 * function returns DECC_E_INVALID (NULL or 0 when it returns a pointer or a
 * number; a void function returns at once) without touching anything —
 * except that decc_http_res_send_owned still frees its body and
 * decc_http_res_stream still calls free_fn(ctx), whose ownership they take
 * whatever they return.
 */
#ifndef DECC_HTTP_H
#define DECC_HTTP_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct decc_http_server decc_http_server;
typedef struct decc_http_request decc_http_request;
typedef struct decc_http_response decc_http_response;

typedef struct decc_http_config {
  const char *bind_address; /* default "127.0.0.1" */
  uint16_t port;            /* 0 = pick a free port (decc_http_server_port) */
  unsigned threads;         /* polling threads (at most 64) and handler-pool
                               threads (blocking routes), default 2 */
  unsigned max_connections; /* default 256 */
  unsigned timeout_s;       /* idle connection timeout, default 30 */
  size_t max_body;          /* default body limit for routes, default 1 MiB */
  size_t max_header_bytes;  /* per-connection header memory, default 32 KiB */
  /* Optional request log: one line per request, never bodies or queries
   * (queries may carry secrets' names), e.g. "GET /health 200 0.2ms". */
  void (*log)(void *log_ctx, const char *line);
  void *log_ctx;
  /* Hostile clients (slowloris, connection exhaustion). timeout_s is an
   * idle timeout that every byte resets; these are deadlines that a
   * trickle of bytes does not extend. 0 = the default in brackets. */
  unsigned header_timeout_s; /* to send the request headers, counted from
                                the connection's start or the end of its
                                previous request (keep-alive) [10] */
  unsigned body_timeout_s;   /* to send the body, from the end of the
                                headers, plus 1 s per body_min_rate bytes
                                received [30] */
  unsigned body_min_rate;    /* bytes/s that extend the body deadline [4096] */
  unsigned max_per_ip;       /* connections from one IP address
                                [max_connections / 2, at least 1] */
  unsigned reserve_connections; /* connections kept free for requests that
                                   arrive promptly (/health, operations):
                                   when more than max_connections - reserve
                                   are waiting for headers, the one waiting
                                   longest is closed [max_connections / 8,
                                   at least 1] */
  /* Optional (metrics): called once per answered request, on the thread
   * that answered it, with the method, the matched route's pattern as
   * registered ("/deals/{dealid}"; "(raw)" for raw routes, "(unmatched)"
   * when no route matched), the HTTP status and the time from the start of
   * the request to the response in seconds. Must be thread-safe. */
  void (*observe)(void *observe_ctx, const char *method, const char *route,
                  int status, double seconds);
  void *observe_ctx;
  /* 0 (default): cfg.threads polling threads (MHD, epoll), each serving
   * the connections an acceptor thread gives it: a new connection goes to
   * the thread serving the fewest.
   * 1: no server thread: the caller drives the server (the same epoll
   * loop) from one thread with decc_http_server_run and may hand it
   * connected sockets with
   * decc_http_server_add_connection. Limits, deadlines (the sweeper thread
   * still runs) and the blocking routes' pool are the same. Meant for
   * harnesses that must know when the server is at rest (the fuzz targets,
   * fuzz/fuzz_node.h), not for serving: a handler then holds every
   * connection. */
  int external_loop;
  /* Cross-origin requests from browsers (CORS): NULL or "" (default): no
   * CORS headers, so a page of another origin cannot read the answers;
   * "*": any origin (Access-Control-Allow-Origin: *); else a comma-separated
   * list of exact origins ("https://app.example,http://localhost:3000"),
   * each echoed when it is the request's Origin (with Vary: Origin). An
   * allowed preflight (OPTIONS with Access-Control-Request-Method) gets 204
   * with the path's methods, the requested headers (token characters
   * only) and a 600 s max age. No credentials are ever allowed: every
   * write decc serves is authorised by a signature, not by cookies. */
  const char *cors_origins;
} decc_http_config;

/* Route handler: fills res. Return value is ignored; set a status. */
typedef void (*decc_http_handler)(void *ctx, decc_http_request *req,
                                  decc_http_response *res);

/* Streaming body callback: called for each chunk (n > 0), then once with
 * n == 0 at the end. *state starts NULL and is per request. Returning an
 * error stops the upload and answers 400 (or 413 for DECC_E_LIMIT) with
 * the error's message; cleanup(state) is always called at the end. */
typedef decc_status (*decc_http_body_fn)(void *ctx, decc_http_request *req,
                                         void **state, const uint8_t *chunk,
                                         size_t n, decc_err *err);
typedef void (*decc_http_cleanup_fn)(void *ctx, void *state);

/* Creates a server (not yet listening). cfg may be NULL (defaults).
 * Returns: DECC_OK, DECC_E_INVALID (cfg->cors_origins is not a valid list,
 * see decc_http_cors_origins_valid) or DECC_E_NOMEM. */
DECC_API decc_status decc_http_server_create(
    decc_http_server **s, const decc_http_config *cfg) DECC_WARN_UNUSED;
/* Registers a route with the default body limit. Routes are matched in
 * registration order; a HEAD request with no HEAD route for its path runs
 * the path's GET route (the body is left out), an OPTIONS request with no
 * OPTIONS route gets 204 with an Allow header (and, with cfg.cors_origins,
 * a CORS preflight answer), and a path matched with no route for another
 * method gets 405 with an Allow header. Returns: DECC_OK, DECC_E_INVALID (bad pattern),
 * DECC_E_LIMIT (too many routes), DECC_E_NOMEM. */
DECC_API decc_status decc_http_route(decc_http_server *s, const char *method,
                                     const char *pattern, decc_http_handler fn,
                                     void *ctx) DECC_WARN_UNUSED;
/* Same with an explicit body limit (bytes). */
DECC_API decc_status decc_http_route_limit(decc_http_server *s,
                                           const char *method,
                                           const char *pattern,
                                           decc_http_handler fn, void *ctx,
                                           size_t max_body) DECC_WARN_UNUSED;
/* Same as decc_http_route_limit for a handler that blocks (waits on a disk
 * sync, a lock, another service), so that its wait holds no other
 * connection. When the polling thread serving the request's connection
 * serves no other one, and another polling thread is free to take new
 * connections, fn runs there and the acceptor gives that thread nothing
 * new until fn returns. Otherwise the connection is suspended once its
 * body is in and fn runs on a pool of cfg.threads handler threads. The
 * response, status, log line and metrics are the same either way and as
 * inline (decc_http_server_stats counts both). Must be registered before
 * decc_http_server_start. Returns: as decc_http_route_limit, and
 * DECC_E_INVALID once the server is started. */
DECC_API decc_status decc_http_route_blocking(decc_http_server *s,
                                              const char *method,
                                              const char *pattern,
                                              decc_http_handler fn, void *ctx,
                                              size_t max_body) DECC_WARN_UNUSED;
/* Streaming route: body_fn consumes the body (no limit other than its
 * own), then fn answers; decc_http_req_state gives fn the body state. */
DECC_API decc_status decc_http_route_stream(
    decc_http_server *s, const char *method, const char *pattern,
    decc_http_body_fn body_fn, decc_http_cleanup_fn cleanup,
    decc_http_handler fn, void *ctx) DECC_WARN_UNUSED;

/* A raw route hands whole requests to a libmicrohttpd access handler, for
 * services written against MHD directly (the store's streaming multipart
 * upload and streamed downloads). match(ctx, url) says whether a path is
 * the route's; handler has MHD's access-handler contract (it queues its
 * own responses and enforces its own body limit) with con_cls pointing to
 * a per-request slot that starts NULL; completed(ctx, &slot) is always
 * called when the request ends (also on aborted connections). Raw routes
 * are tried before the others, in registration order. The server's
 * connection, header-memory and timeout limits still apply, and the
 * request is logged like any other (status read back from MHD).
 * Returns: DECC_OK, DECC_E_INVALID (a NULL function: misuse), DECC_E_LIMIT. */
struct MHD_Connection;
typedef int (*decc_http_raw_match_fn)(void *ctx, const char *url);
typedef int (*decc_http_raw_handler)(void *ctx, struct MHD_Connection *conn,
                                     const char *url, const char *method,
                                     const char *upload_data,
                                     size_t *upload_data_size, void **con_cls);
typedef void (*decc_http_raw_completed_fn)(void *ctx, void **con_cls);
DECC_API decc_status decc_http_route_raw(decc_http_server *s,
                                         decc_http_raw_match_fn match,
                                         decc_http_raw_handler handler,
                                         decc_http_raw_completed_fn completed,
                                         void *ctx) DECC_WARN_UNUSED;

/* Returns 1 when origins is a valid cors_origins value: NULL or "" (CORS
 * off), or comma-separated entries (spaces allowed around them), each "*"
 * or an origin as browsers send it, http:// or https:// then a host and an
 * optional port (letters, digits, ".-:[]"), no path; 0 otherwise (an empty
 * entry included). */
DECC_API int decc_http_cors_origins_valid(const char *origins);

/* For raw handlers, which build their MHD responses themselves: adds the
 * CORS header the server's cfg.cors_origins allows for the request on c
 * (none when CORS is off, the request has no Origin or its origin is not
 * listed) to r, before the handler queues it; does nothing when c or r is
 * NULL or outside a decc server's raw handler (decc_store_http_handle under
 * another daemon). An OPTIONS request on a raw
 * route never reaches its handler: the server answers it (204, Allow:
 * GET, HEAD, POST, and the preflight's headers when CORS allows). */
struct MHD_Response;
DECC_API void decc_http_raw_cors(struct MHD_Connection *c,
                                 struct MHD_Response *r);

/* Starts listening. Returns: DECC_OK or DECC_E_IO (err: address in use…). */
DECC_API decc_status decc_http_server_start(decc_http_server *s,
                                            decc_err *err) DECC_WARN_UNUSED;
/* External loop only (cfg.external_loop = 1, after start; one thread at
 * a time): waits at most timeout_ms (0: not at all) for an event on the
 * server's sockets, work MHD already holds (buffered bytes) or one of its
 * timeouts, then handles everything ready (one MHD_run):
 * reads, parses, runs the handlers, writes what the sockets take, closes
 * and frees finished connections (their completions have run on return).
 * *busy is 1 when something was ready (call again: more may follow), 0
 * when nothing was within timeout_ms: every connection then waits for its
 * peer (more bytes, room to write) or for a handler thread, i.e. the
 * server is at rest. An interrupted wait (EINTR) returns DECC_OK with
 * *busy 1. Returns: DECC_OK; DECC_E_STATE (err: not started, or not in
 * external-loop mode); DECC_E_IO (err: poll failed). */
DECC_API decc_status decc_http_server_run(decc_http_server *s, int timeout_ms,
                                          int *busy,
                                          decc_err *err) DECC_WARN_UNUSED;
/* Hands the server a connected stream socket fd (after start; with the
 * external loop, from the loop's thread), e.g. one end of a
 * socketpair(AF_UNIX): it is served as if accepted from peer (addr, len
 * bytes: the per-IP limit and decc_http_req_peer use it; an AF_INET
 * 127.0.0.1 address makes it a loopback client). Takes ownership of fd:
 * it is closed on failure too. Returns: DECC_OK; DECC_E_STATE (err: not
 * started); DECC_E_LIMIT (err: MHD refused it: connection or per-IP limit,
 * memory). */
struct sockaddr;
DECC_API decc_status decc_http_server_add_connection(
    decc_http_server *s, int fd, const struct sockaddr *addr, unsigned len,
    decc_err *err) DECC_WARN_UNUSED;
/* Counters of the connection guard (see decc_http_config). */
typedef struct decc_http_stats {
  unsigned open;            /* connections open now */
  unsigned waiting;         /* of which waiting for request headers */
  uint64_t accepted;        /* connections accepted since start */
  uint64_t deadline_closed; /* closed for missing a header/body deadline */
  uint64_t evicted;         /* closed to keep reserve_connections free */
  uint64_t blocking_inline; /* blocking-route requests run on their own
                               connection's polling thread (the caller's
                               with external_loop: there is no pool) */
  uint64_t blocking_pooled; /* ... handed to the handler pool */
} decc_http_stats;
/* Fills *st (zeros before start, or when s is NULL). Thread-safe. */
DECC_API void decc_http_server_stats(decc_http_server *s, decc_http_stats *st);
/* The number of requests every server of this process has finished: the
 * completion (MHD's, also for an aborted request) has run and freed the
 * request's state. Counted last, so a client that has read a keep-alive
 * answer can wait for the count to pass its request and then know the
 * server holds nothing of it any more (the fuzz harness, fuzz/fuzz_node.h,
 * keeps libFuzzer's per-input malloc/free balance that way). Thread-safe;
 * never fails. */
DECC_API uint64_t decc_http_requests_completed(void);
/* Port actually bound (after start). */
DECC_API uint16_t decc_http_server_port(const decc_http_server *s);
/* Stops (waits for in-flight handlers) and frees. NULL is a no-op. */
DECC_API void decc_http_server_destroy(decc_http_server *s);

/* ---- request accessors (valid during the handler) ---- */
DECC_API const char *decc_http_req_method(const decc_http_request *r);
DECC_API const char *decc_http_req_path(const decc_http_request *r);
/* Query argument (decoded) or NULL. */
DECC_API const char *decc_http_req_query(const decc_http_request *r,
                                         const char *name);
/* Header value (case-insensitive name) or NULL. */
DECC_API const char *decc_http_req_header(const decc_http_request *r,
                                          const char *name);
/* Path parameter captured by "{name}" or "*", or NULL. */
DECC_API const char *decc_http_req_param(const decc_http_request *r,
                                         const char *name);
/* Collected body (NUL-terminated for convenience; empty when none); its
 * length in *len (len may be NULL). */
DECC_API const uint8_t *decc_http_req_body(const decc_http_request *r,
                                           size_t *len);
/* The streaming route's body state. */
DECC_API void *decc_http_req_state(const decc_http_request *r);
/* Peer IP as text. */
DECC_API const char *decc_http_req_peer(const decc_http_request *r);

/* ---- response builders ---- */
/* Copies the body (content_type may be NULL: no Content-Type header).
 * Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_http_res_send(decc_http_response *res, int status,
                                        const char *content_type,
                                        const void *body, size_t len);
/* Takes ownership of a decc_malloc'd body (freed also on failure). */
DECC_API decc_status decc_http_res_send_owned(decc_http_response *res,
                                              int status,
                                              const char *content_type,
                                              void *body, size_t len);
/* Sends JSON text (application/json). */
DECC_API decc_status decc_http_res_json(decc_http_response *res, int status,
                                        const char *json);
/* Sends {"ok":false,"error":"<message>"} with the given status. */
DECC_API decc_status decc_http_res_error(decc_http_response *res, int status,
                                         const char *fmt, ...)
    DECC_PRINTF(3, 4);
/* Streams a response from a callback: read(ctx, pos, buf, max) returns the
 * bytes written (0 = end, -1 = error); free_fn(ctx) is called at the end.
 * size may be -1 (unknown: chunked). */
DECC_API decc_status decc_http_res_stream(
    decc_http_response *res, int status, const char *content_type, int64_t size,
    long (*read)(void *ctx, uint64_t pos, char *buf, size_t max), void *ctx,
    void (*free_fn)(void *ctx));
/* Adds a response header (copied). */
DECC_API decc_status decc_http_res_header(decc_http_response *res,
                                          const char *name, const char *value);

/* Maps a decc_status to the HTTP status a service should answer with
 * (E_PARSE/E_INVALID/E_RANGE → 400, E_BAD_SIGNATURE/E_DENIED → 401/403,
 * E_NOT_FOUND → 404, E_EXISTS → 409, E_LIMIT → 413, else 500). */
DECC_API int decc_http_status_for(decc_status st);

#ifdef __cplusplus
}
#endif
#endif /* DECC_HTTP_H */
