/*
 * http_server.c — decc's HTTP server on libmicrohttpd (see decc/http.h).
 *
 * Threads: cfg.threads polling threads, each an MHD daemon with its own
 * epoll loop and no listening socket, and one acceptor thread that accepts
 * every connection and gives it to the polling thread serving the fewest
 * (MHD_add_connection). A blocking route's handler runs on its connection's
 * polling thread when that thread serves nobody else, else on the handler
 * pool (see inline_begin and hand_off). cfg.external_loop: one daemon with
 * MHD's own listening socket, driven by decc_http_server_run.
 *
 * MHD calls the access handler several times per request: once with the
 * headers (we route and check Content-Length against the route's limit),
 * then once per body chunk, then a final time with no data, when the
 * handler runs and the response is queued. Per-request state lives in
 * *con_cls and is freed in the completion callback, which MHD always
 * calls — also for aborted connections.
 *
 * Connection guard (hostile clients). MHD's connection timeout is an idle
 * timeout that every received byte resets, so a client trickling one header
 * line every few seconds holds its connection forever, and a few hundred of
 * them hold every slot (slowloris). The guard tracks each connection from
 * MHD's connection notifications with the phase it is in — waiting for
 * request headers (new, or keep-alive between requests), receiving a body,
 * answering — and when that phase began:
 *  - a sweeper thread closes connections past their phase deadline
 *    (header_timeout_s; body_timeout_s extended by the bytes received at
 *    body_min_rate), whatever they trickle;
 *  - when more than max_connections - reserve_connections connections are
 *    waiting for headers, a new connection closes the one waiting longest,
 *    so slots stay free for clients that send their request at once (a
 *    /health probe is served even while the attack goes on);
 *  - the per-IP limit keeps one address from taking every slot (counted
 *    over all threads when the acceptor admits a connection, and by each
 *    MHD daemon over its own).
 * Closing is shutdown(2) on the socket: MHD sees the end of stream on its
 * own thread and closes the connection normally. The socket cannot have been
 * closed and reused under us: MHD calls the CLOSED notification (which
 * removes the entry under guard_mu) before it closes the descriptor, and
 * shutdown is only called under guard_mu on entries still listed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/http.h"
#include "decc/mem.h"

#define MAX_ROUTES 128
#define MAX_SEGS 16
#define MAX_PARAMS 8
#define MAX_RES_HEADERS 8
#define MAX_RAW_ROUTES 8
#define MAX_LOOPS 64 /* polling threads (cfg.threads beyond it: this many) */
/* A connection handed to a polling thread that it never reported (MHD drops
 * it silently when it cannot allocate its memory pool) is forgotten after
 * this long; every other one is reported within milliseconds. */
#define PENDING_FORGET_S 10.0

typedef struct raw_route {
  decc_http_raw_match_fn match;
  decc_http_raw_handler handler;
  decc_http_raw_completed_fn completed;
  void *ctx;
} raw_route;

typedef struct route {
  char method[12];
  char *segs[MAX_SEGS]; /* literal, "{name}" or "*" */
  int nsegs;
  int wildcard; /* last segment is "*" */
  decc_http_handler fn;
  decc_http_body_fn body_fn;
  decc_http_cleanup_fn cleanup;
  void *ctx;
  size_t max_body;
  int blocking;   /* fn runs on the handler pool (decc_http_route_blocking) */
  char label[96]; /* the pattern as registered (metrics) */
} route;

/* Connection phases for the guard. */
enum { PH_HEADERS = 0, PH_BODY = 1, PH_RESPONSE = 2 };

/* One open connection, owned by the guard (MHD's socket_context). */
typedef struct conn_track {
  struct conn_track *prev, *next;
  int fd;
  int phase;
  int closing;         /* shutdown(2) already called */
  double since;        /* start of the current phase (monotonic s) */
  uint64_t body_bytes; /* received in PH_BODY */
  int loop;            /* index in s->loops of the thread serving it, or -1 */
  uint32_t ip;         /* IPv4 peer (network order); 0: not IPv4 */
  double queued;       /* pending only: when it was handed to its thread */
} conn_track;

struct decc_http_server {
  decc_http_config cfg;
  route routes[MAX_ROUTES];
  int nroutes;
  raw_route raw[MAX_RAW_ROUTES];
  int nraw;
  /* One MHD daemon per polling thread, each with its own epoll loop and no
   * listening socket: the acceptor thread accepts and gives each connection
   * to the thread serving the fewest (MHD's own thread pool lets whichever
   * thread wakes first accept, so several keep-alive connections often
   * shared one thread while another had none). With cfg.external_loop:
   * one daemon with MHD's own listening socket and no thread. */
  struct MHD_Daemon *loops[MAX_LOOPS];
  unsigned nloops;
  int started;
  int listen_fd, wake_fd; /* internal loops: the acceptor's sockets */
  int room_fd;            /* eventfd: a connection closed while full */
  pthread_t acceptor;
  int acceptor_running;
  /* one admission at a time (the acceptor, decc_http_server_add_connection):
   * a socket MHD refused is closed inside MHD_add_connection, and its
   * descriptor may be accepted again at once; held until the refused one's
   * pending entry is gone, so no entry ever has a reused descriptor */
  pthread_mutex_t admit_mu;
  uint16_t port;
  /* connection guard, all under guard_mu */
  pthread_mutex_t guard_mu;
  pthread_cond_t guard_cv;
  pthread_t sweeper;
  int sweeper_running;
  int stopping;
  conn_track *conns;
  unsigned nconns;
  unsigned nwaiting; /* PH_HEADERS and not closing */
  uint64_t accepted, deadline_closed, evicted;
  /* Connections the acceptor handed to a thread that has not reported them
   * yet (they count against the limits), and per thread: connections open
   * (reported) and pending, and whether it runs a blocking handler inline
   * (the acceptor then gives it nothing new). */
  conn_track *pending;
  unsigned npending;
  unsigned loop_open[MAX_LOOPS], loop_pending[MAX_LOOPS];
  unsigned char loop_inline[MAX_LOOPS];
  unsigned ninline;
  int want_room; /* the acceptor waits for a connection to close */
  uint64_t blocking_inline, blocking_pooled;
  /* Handler pool of the blocking routes, all under pool_mu: a blocking
   * handler whose polling thread serves other connections runs here, its
   * connection suspended, so that its wait (an SMS release waits for its
   * receipt's fdatasync) holds none of them. */
  pthread_mutex_t pool_mu;
  pthread_cond_t pool_cv;
  pthread_t *pool;
  unsigned npool;
  int pool_stopping;
  int has_blocking; /* a blocking route exists: suspend/resume enabled */
  struct pooled *pool_head, *pool_tail;
  char *cors; /* owned copy of cfg.cors_origins; NULL: CORS off */
};

struct decc_http_request {
  struct MHD_Connection *conn;
  const char *method;
  char *path;
  const route *rt;
  const raw_route *raw; /* set when a raw route owns the request */
  void *raw_state;
  decc_http_server *srv;
  /* the methods of the routes whose pattern matched the path, for a 405's
   * Allow header ("GET, HEAD, POST") */
  char allow[64];
  char *pnames[MAX_PARAMS];
  char *pvalues[MAX_PARAMS];
  int nparams;
  decc_buf body;
  void *state;
  int stream_started;
  int failed_status; /* set when the upload must be refused */
  decc_err err;
  char peer[64];
  double t0;
  struct pooled *pooled; /* handed to the handler pool (blocking route) */
};

struct decc_http_response {
  int status;
  struct MHD_Response *resp;
  char *hname[MAX_RES_HEADERS], *hval[MAX_RES_HEADERS];
  int nh;
};

/* A request handed to the handler pool (blocking routes): its connection is
 * suspended from the hand-off until the pool has filled res. */
typedef struct pooled {
  decc_http_request *req;
  decc_http_response res;
  struct pooled *next;
} pooled;

decc_status decc_http_server_create(decc_http_server **out,
                                    const decc_http_config *cfg) {
  DECC_ARG_CHECK(out != NULL);
  decc_http_server *s = decc_calloc(1, sizeof *s);
  if (!s)
    return DECC_E_NOMEM;
  if (cfg)
    s->cfg = *cfg;
  if (s->cfg.cors_origins && *s->cfg.cors_origins) {
    if (!decc_http_cors_origins_valid(s->cfg.cors_origins)) {
      decc_free(s);
      return DECC_E_INVALID;
    }
    if (!(s->cors = decc_strdup(s->cfg.cors_origins))) {
      decc_free(s);
      return DECC_E_NOMEM;
    }
  }
  s->cfg.cors_origins = s->cors;
  if (!s->cfg.bind_address)
    s->cfg.bind_address = "127.0.0.1";
  if (!s->cfg.threads)
    s->cfg.threads = 2;
  if (!s->cfg.max_connections)
    s->cfg.max_connections = 256;
  if (!s->cfg.timeout_s)
    s->cfg.timeout_s = 30;
  if (!s->cfg.max_body)
    s->cfg.max_body = 1 << 20;
  if (!s->cfg.max_header_bytes)
    s->cfg.max_header_bytes = 32 * 1024;
  if (!s->cfg.header_timeout_s)
    s->cfg.header_timeout_s = 10;
  if (!s->cfg.body_timeout_s)
    s->cfg.body_timeout_s = 30;
  if (!s->cfg.body_min_rate)
    s->cfg.body_min_rate = 4096;
  if (!s->cfg.max_per_ip)
    s->cfg.max_per_ip =
        s->cfg.max_connections / 2 ? s->cfg.max_connections / 2 : 1;
  if (!s->cfg.reserve_connections)
    s->cfg.reserve_connections =
        s->cfg.max_connections / 8 ? s->cfg.max_connections / 8 : 1;
  if (s->cfg.reserve_connections >= s->cfg.max_connections)
    s->cfg.reserve_connections = s->cfg.max_connections - 1;
  pthread_mutex_init(&s->guard_mu, NULL);
  /* the sweeper's waits use the monotonic clock, like the deadlines */
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&s->guard_cv, &ca);
  pthread_condattr_destroy(&ca);
  pthread_mutex_init(&s->pool_mu, NULL);
  pthread_cond_init(&s->pool_cv, NULL);
  pthread_mutex_init(&s->admit_mu, NULL);
  s->listen_fd = s->wake_fd = s->room_fd = -1;
  *out = s;
  return DECC_OK;
}

/* ---- connection guard ------------------------------------------------------ */

/* Closes t's connection (MHD finishes it on its own thread). guard_mu held. */
static void guard_close(decc_http_server *s, conn_track *t) {
  if (t->closing)
    return;
  if (t->phase == PH_HEADERS)
    s->nwaiting--;
  t->closing = 1;
  (void)shutdown(t->fd, SHUT_RDWR);
}

/* guard_mu held. */
static void guard_set_phase(decc_http_server *s, conn_track *t, int phase) {
  if (!t->closing && t->phase == PH_HEADERS && phase != PH_HEADERS)
    s->nwaiting--;
  else if (!t->closing && t->phase != PH_HEADERS && phase == PH_HEADERS)
    s->nwaiting++;
  t->phase = phase;
  t->since = decc__mono_s();
  t->body_bytes = 0;
}

static conn_track *conn_tracker(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? ci->socket_context : NULL;
}

/* Called on MHD's thread owning c. */
static void guard_phase(decc_http_server *s, struct MHD_Connection *c,
                        int phase) {
  conn_track *t = conn_tracker(c);
  if (!t)
    return;
  pthread_mutex_lock(&s->guard_mu);
  if (t->phase != phase)
    guard_set_phase(s, t, phase);
  pthread_mutex_unlock(&s->guard_mu);
}

static void guard_body(decc_http_server *s, struct MHD_Connection *c,
                       size_t n) {
  conn_track *t = conn_tracker(c);
  if (!t)
    return;
  pthread_mutex_lock(&s->guard_mu);
  t->body_bytes += n;
  pthread_mutex_unlock(&s->guard_mu);
}

/* A raw handler queues its own response: read back whether it did. */
static void guard_raw_answered(decc_http_server *s, struct MHD_Connection *c) {
  if (MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS))
    guard_phase(s, c, PH_RESPONSE);
}

/* The index in s->loops of the daemon serving c, or -1. */
static int loop_of(const decc_http_server *s, struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_DAEMON);
  if (ci)
    for (unsigned i = 0; i < s->nloops; i++)
      if (s->loops[i] == ci->daemon)
        return (int)i;
  return -1;
}

/* The IPv4 address of a peer, network order; 0 for other families. */
static uint32_t peer_ipv4(const struct sockaddr *a) {
  if (!a || a->sa_family != AF_INET)
    return 0;
  struct sockaddr_in a4; /* copied out: a sockaddr * promises no alignment */
  memcpy(&a4, a, sizeof a4);
  return a4.sin_addr.s_addr;
}

/* The open and the pending connections are two lists of trackers. */
static void list_push(conn_track **head, conn_track *t) {
  t->prev = NULL;
  t->next = *head;
  if (*head)
    (*head)->prev = t;
  *head = t;
}

static void list_unlink(conn_track **head, conn_track *t) {
  if (t->prev)
    t->prev->next = t->next;
  else
    *head = t->next;
  if (t->next)
    t->next->prev = t->prev;
  t->prev = t->next = NULL;
}

/* Unlinks t from the pending list. guard_mu held. */
static void pending_unlink(decc_http_server *s, conn_track *t) {
  list_unlink(&s->pending, t);
  s->npending--;
  if (t->loop >= 0)
    s->loop_pending[t->loop]--;
}

/* Takes the pending tracker of the connection on socket fd that loop has
 * just reported, or NULL (a connection MHD accepted itself, or one given
 * with decc_http_server_add_connection in external-loop mode). A socket's
 * descriptor is unique while it is open, and a pending one is open: MHD
 * owns it from MHD_add_connection on. guard_mu held. */
static conn_track *pending_take(decc_http_server *s, int fd, int loop) {
  for (conn_track *t = s->pending; t; t = t->next)
    if (t->fd == fd && t->loop == loop) {
      pending_unlink(s, t);
      return t;
    }
  return NULL;
}

static void notify_connection_cb(void *cls, struct MHD_Connection *c,
                                 void **socket_context,
                                 enum MHD_ConnectionNotificationCode code) {
  decc_http_server *s = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    *socket_context = NULL;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
      return; /* untracked: only MHD's own limits apply to it */
    int fd = ci->connect_fd, loop = loop_of(s, c);
    pthread_mutex_lock(&s->guard_mu);
    conn_track *t = pending_take(s, fd, loop);
    if (!t && (t = decc_calloc(1, sizeof *t))) {
      const union MHD_ConnectionInfo *ai =
          MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
      t->ip = ai ? peer_ipv4(ai->client_addr) : 0;
    }
    if (!t) {
      pthread_mutex_unlock(&s->guard_mu);
      return;
    }
    *socket_context = t;
    t->fd = fd;
    t->loop = loop;
    t->phase = PH_HEADERS;
    t->since = decc__mono_s();
    list_push(&s->conns, t);
    s->nconns++;
    s->nwaiting++;
    s->accepted++;
    if (loop >= 0)
      s->loop_open[loop]++;
    /* Keep reserve_connections slots for prompt requests: the connection
     * that has waited longest for its headers makes room. */
    unsigned cap = s->cfg.max_connections - s->cfg.reserve_connections;
    while (s->nwaiting > cap) {
      conn_track *oldest = NULL;
      for (conn_track *p = s->conns; p; p = p->next)
        if (p != t && !p->closing && p->phase == PH_HEADERS &&
            (!oldest || p->since < oldest->since))
          oldest = p;
      if (!oldest)
        break;
      guard_close(s, oldest);
      s->evicted++;
    }
    pthread_mutex_unlock(&s->guard_mu);
    return;
  }
  conn_track *t = *socket_context;
  if (!t)
    return;
  pthread_mutex_lock(&s->guard_mu);
  if (!t->closing && t->phase == PH_HEADERS)
    s->nwaiting--;
  list_unlink(&s->conns, t);
  s->nconns--;
  if (t->loop >= 0)
    s->loop_open[t->loop]--;
  if (s->want_room && s->room_fd >= 0) {
    s->want_room = 0;
    uint64_t one = 1;
    if (write(s->room_fd, &one, sizeof one) != (ssize_t)sizeof one) {
      /* cannot fail: the acceptor reads it before the next write */
    }
  }
  pthread_mutex_unlock(&s->guard_mu);
  decc_free(t);
  *socket_context = NULL;
}

/* Closes the connections past their phase deadline, a few times a second. */
static void *sweeper_main(void *arg) {
  decc_http_server *s = arg;
  pthread_mutex_lock(&s->guard_mu);
  while (!s->stopping) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 250 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&s->guard_cv, &s->guard_mu, &ts);
    if (s->stopping)
      break;
    double now = decc__mono_s();
    for (conn_track *t = s->conns; t; t = t->next) {
      if (t->closing || t->phase == PH_RESPONSE)
        continue;
      double deadline = t->phase == PH_HEADERS
                            ? t->since + s->cfg.header_timeout_s
                            : t->since + s->cfg.body_timeout_s +
                                  (double)t->body_bytes / s->cfg.body_min_rate;
      if (now > deadline) {
        guard_close(s, t);
        s->deadline_closed++;
      }
    }
  }
  pthread_mutex_unlock(&s->guard_mu);
  return NULL;
}

void decc_http_server_stats(decc_http_server *s, decc_http_stats *st) {
  DECC_ARG_CHECK_VOID(st != NULL);
  memset(st, 0, sizeof *st);
  if (!s)
    return;
  pthread_mutex_lock(&s->guard_mu);
  st->open = s->nconns;
  st->waiting = s->nwaiting;
  st->accepted = s->accepted;
  st->deadline_closed = s->deadline_closed;
  st->evicted = s->evicted;
  st->blocking_inline = s->blocking_inline;
  st->blocking_pooled = __atomic_load_n(&s->blocking_pooled, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&s->guard_mu);
}

static decc_status add_route(decc_http_server *s, const char *method,
                             const char *pattern, decc_http_handler fn,
                             decc_http_body_fn body_fn,
                             decc_http_cleanup_fn cleanup, void *ctx,
                             size_t max_body, int blocking) {
  if (pattern[0] != '/' || strlen(method) >= sizeof s->routes[0].method)
    return DECC_E_INVALID;
  if (s->nroutes >= MAX_ROUTES)
    return DECC_E_LIMIT;
  route *r = &s->routes[s->nroutes];
  memset(r, 0, sizeof *r);
  snprintf(r->method, sizeof r->method, "%s", method);
  snprintf(r->label, sizeof r->label, "%s", pattern);
  const char *p = pattern + 1;
  while (*p) {
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (r->nsegs >= MAX_SEGS || r->wildcard)
      goto bad;
    r->segs[r->nsegs] = decc_strndup(p, n);
    if (!r->segs[r->nsegs])
      goto nomem;
    if (!strcmp(r->segs[r->nsegs], "*"))
      r->wildcard = 1;
    r->nsegs++;
    p += n;
    if (*p == '/')
      p++;
  }
  r->fn = fn;
  r->body_fn = body_fn;
  r->cleanup = cleanup;
  r->ctx = ctx;
  r->max_body = max_body;
  r->blocking = blocking;
  s->has_blocking |= blocking;
  s->nroutes++;
  return DECC_OK;
bad:
  for (int i = 0; i < r->nsegs; i++)
    decc_free(r->segs[i]);
  return DECC_E_INVALID;
nomem:
  for (int i = 0; i < r->nsegs; i++)
    decc_free(r->segs[i]);
  return DECC_E_NOMEM;
}

decc_status decc_http_route(decc_http_server *s, const char *method,
                            const char *pattern, decc_http_handler fn,
                            void *ctx) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(method != NULL);
  DECC_ARG_CHECK(pattern != NULL);
  DECC_ARG_CHECK(fn != NULL);
  return add_route(s, method, pattern, fn, NULL, NULL, ctx, s->cfg.max_body, 0);
}

decc_status decc_http_route_limit(decc_http_server *s, const char *method,
                                  const char *pattern, decc_http_handler fn,
                                  void *ctx, size_t max_body) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(method != NULL);
  DECC_ARG_CHECK(pattern != NULL);
  DECC_ARG_CHECK(fn != NULL);
  return add_route(s, method, pattern, fn, NULL, NULL, ctx, max_body, 0);
}

decc_status decc_http_route_blocking(decc_http_server *s, const char *method,
                                     const char *pattern, decc_http_handler fn,
                                     void *ctx, size_t max_body) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(method != NULL);
  DECC_ARG_CHECK(pattern != NULL);
  DECC_ARG_CHECK(fn != NULL);
  if (s->started) /* suspend/resume is a start-time flag of the daemons */
    return DECC_E_INVALID;
  return add_route(s, method, pattern, fn, NULL, NULL, ctx, max_body, 1);
}

decc_status decc_http_route_stream(decc_http_server *s, const char *method,
                                   const char *pattern,
                                   decc_http_body_fn body_fn,
                                   decc_http_cleanup_fn cleanup,
                                   decc_http_handler fn, void *ctx) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(method != NULL);
  DECC_ARG_CHECK(pattern != NULL);
  DECC_ARG_CHECK(body_fn != NULL);
  DECC_ARG_CHECK(fn != NULL);
  return add_route(s, method, pattern, fn, body_fn, cleanup, ctx, SIZE_MAX, 0);
}

decc_status decc_http_route_raw(decc_http_server *s,
                                decc_http_raw_match_fn match,
                                decc_http_raw_handler handler,
                                decc_http_raw_completed_fn completed,
                                void *ctx) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(match != NULL);
  DECC_ARG_CHECK(handler != NULL);
  DECC_ARG_CHECK(completed != NULL);
  if (s->nraw >= MAX_RAW_ROUTES)
    return DECC_E_LIMIT;
  raw_route *r = &s->raw[s->nraw++];
  r->match = match;
  r->handler = handler;
  r->completed = completed;
  r->ctx = ctx;
  return DECC_OK;
}

/* Matches path against r; on success records the parameters in req. */
static int match_route(const route *r, const char *path,
                       decc_http_request *req) {
  const char *p = path;
  if (*p == '/')
    p++;
  int np = 0;
  char *names[MAX_PARAMS], *vals[MAX_PARAMS];
  for (int i = 0; i < r->nsegs; i++) {
    const char *seg = r->segs[i];
    if (!strcmp(seg, "*")) {
      if (np >= MAX_PARAMS)
        goto fail;
      names[np] = decc_strdup("*");
      vals[np] = decc_strdup(p);
      np++;
      goto ok;
    }
    if (!*p && !(i == r->nsegs - 1 && seg[0] == '\0'))
      goto fail;
    const char *e = strchr(p, '/');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    size_t sl = strlen(seg);
    if (sl >= 2 && seg[0] == '{' && seg[sl - 1] == '}') {
      if (n == 0 || np >= MAX_PARAMS)
        goto fail;
      names[np] = decc_strndup(seg + 1, sl - 2);
      vals[np] = decc_strndup(p, n);
      np++;
    } else if (n != sl || memcmp(p, seg, n) != 0) {
      goto fail;
    }
    p += n;
    if (*p == '/')
      p++;
  }
  if (*p)
    goto fail;
ok:
  for (int i = 0; i < np; i++) {
    req->pnames[i] = names[i];
    req->pvalues[i] = vals[i];
  }
  req->nparams = np;
  return 1;
fail:
  for (int i = 0; i < np; i++) {
    decc_free(names[i]);
    decc_free(vals[i]);
  }
  return 0;
}

/* Drops a response that was never queued. */
static void res_discard(decc_http_response *res) {
  if (res->resp)
    MHD_destroy_response(res->resp);
  res->resp = NULL;
  for (int i = 0; i < res->nh; i++) {
    decc_free(res->hname[i]);
    decc_free(res->hval[i]);
  }
  res->nh = 0;
}

static void free_request(decc_http_request *req) {
  if (!req)
    return;
  if (req->pooled) {
    res_discard(&req->pooled->res);
    decc_free(req->pooled);
  }
  if (req->rt && req->rt->cleanup && req->stream_started)
    req->rt->cleanup(req->rt->ctx, req->state);
  for (int i = 0; i < req->nparams; i++) {
    decc_free(req->pnames[i]);
    decc_free(req->pvalues[i]);
  }
  decc_buf_clear(&req->body);
  decc_free(req->path);
  decc_free(req);
}

/* Requests finished by every server of the process (decc_http_requests_
 * completed): counted after their state is freed. */
static uint64_t g_completed;

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)toe;
  decc_http_server *s = cls;
  decc_http_request *req = *con_cls;
  /* A kept-alive connection now waits for its next request's headers. */
  guard_phase(s, c, PH_HEADERS);
  if (req && req->raw) {
    req->raw->completed(req->raw->ctx, &req->raw_state);
    const union MHD_ConnectionInfo *ci =
        s->cfg.log || s->cfg.observe
            ? MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS)
            : NULL;
    if (s->cfg.observe)
      s->cfg.observe(s->cfg.observe_ctx, req->method, "(raw)",
                     ci ? (int)ci->http_status : 0, decc__mono_s() - req->t0);
    if (s->cfg.log) {
      char line[512];
      snprintf(line, sizeof line, "%s %s %u %.1fms %s", req->method, req->path,
               ci ? ci->http_status : 0u, (decc__mono_s() - req->t0) * 1000.0,
               req->peer);
      s->cfg.log(s->cfg.log_ctx, line);
    }
  }
  free_request(req);
  *con_cls = NULL;
  /* last: a reader of the count knows this request's state is freed */
  __atomic_add_fetch(&g_completed, 1, __ATOMIC_RELEASE);
}

uint64_t decc_http_requests_completed(void) {
  return __atomic_load_n(&g_completed, __ATOMIC_ACQUIRE);
}

static void cors_apply(const decc_http_server *s, struct MHD_Connection *c,
                       struct MHD_Response *r);

static enum MHD_Result queue(decc_http_server *s, decc_http_request *req,
                             decc_http_response *res) {
  if (!res->resp) {
    /* The handler produced nothing: that is a server bug, not a crash. */
    static const char msg[] = "{\"ok\":false,\"error\":\"no response\"}";
    res->status = 500;
    res->resp = MHD_create_response_from_buffer(strlen(msg), (void *)msg,
                                                MHD_RESPMEM_PERSISTENT);
    if (res->resp)
      MHD_add_response_header(res->resp, "Content-Type", "application/json");
  }
  if (!res->resp)
    return MHD_NO;
  for (int i = 0; i < res->nh; i++) {
    MHD_add_response_header(res->resp, res->hname[i], res->hval[i]);
    decc_free(res->hname[i]);
    decc_free(res->hval[i]);
  }
  res->nh = 0;
  cors_apply(s, req->conn, res->resp);
  enum MHD_Result r =
      MHD_queue_response(req->conn, (unsigned)res->status, res->resp);
  MHD_destroy_response(res->resp);
  res->resp = NULL; /* (a pooled response is freed with its request) */
  guard_phase(s, req->conn, PH_RESPONSE);
  if (s->cfg.observe)
    s->cfg.observe(s->cfg.observe_ctx, req->method,
                   req->rt ? req->rt->label : "(unmatched)", res->status,
                   decc__mono_s() - req->t0);
  if (s->cfg.log) {
    char line[512];
    snprintf(line, sizeof line, "%s %s %d %.1fms %s", req->method, req->path,
             res->status, (decc__mono_s() - req->t0) * 1000.0, req->peer);
    s->cfg.log(s->cfg.log_ctx, line);
  }
  return r;
}

/* ---- CORS ------------------------------------------------------------------
 * Browsers let a page read an answer from another origin only when the
 * answer names that origin (or "*") in Access-Control-Allow-Origin, and
 * send a preflight OPTIONS first for requests that are not "simple" (a JSON
 * body, custom headers). A dApp in a browser that talks to a decc node (the
 * official SDKs: JSON-RPC, market, SMS, store) needs both. */

/* The entries of a comma-separated origins list, without the spaces
 * around them: returns the next one's start and its length in *len (0 for
 * an empty entry) and moves *p past its comma, or to NULL after the last
 * entry; returns NULL once *p is NULL. */
static const char *next_origin(const char **p, size_t *len) {
  const char *q = *p;
  if (!q)
    return NULL;
  q += strspn(q, " ");
  size_t n = strcspn(q, ",");
  *p = q[n] == ',' ? q + n + 1 : NULL;
  while (n && q[n - 1] == ' ')
    n--;
  *len = n;
  return q;
}

int decc_http_cors_origins_valid(const char *origins) {
  if (!origins || !*origins)
    return 1; /* CORS off */
  const char *p = origins, *o;
  size_t n;
  while ((o = next_origin(&p, &n))) {
    if (n == 1 && *o == '*')
      continue;
    size_t sl = !strncmp(o, "https://", 8)  ? 8
                : !strncmp(o, "http://", 7) ? 7
                                            : 0;
    if (!sl || n <= sl)
      return 0;
    for (size_t i = sl; i < n; i++)
      if (!(isalnum((unsigned char)o[i]) || strchr(".-:[]", o[i])))
        return 0;
  }
  return 1;
}

/* The Access-Control-Allow-Origin value for origin under s's policy: "*",
 * the origin itself when it is listed, or NULL (CORS off, no Origin, not
 * listed). *vary is set when the answer depends on the Origin header. */
static const char *cors_allow(const decc_http_server *s, const char *origin,
                              int *vary) {
  *vary = 0;
  if (!s->cors || !origin || !*origin)
    return NULL;
  size_t ol = strlen(origin), n;
  const char *p = s->cors, *o;
  while ((o = next_origin(&p, &n))) {
    if (n == 1 && *o == '*')
      return "*";
    if (n == ol && !memcmp(o, origin, n)) {
      *vary = 1;
      return origin;
    }
  }
  *vary = 1; /* another origin would be allowed: caches must keep them apart */
  return NULL;
}

/* Adds the CORS answer for the request on c to r (nothing when CORS is off
 * or the origin is not allowed). */
static void cors_apply(const decc_http_server *s, struct MHD_Connection *c,
                       struct MHD_Response *r) {
  if (!s->cors || !r)
    return;
  int vary;
  const char *allow = cors_allow(
      s, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"), &vary);
  if (allow)
    MHD_add_response_header(r, "Access-Control-Allow-Origin", allow);
  if (vary)
    MHD_add_response_header(r, "Vary", "Origin");
}

/* The server whose raw handler this thread is running (set around each
 * call): decc_http_raw_cors needs its policy, and a raw handler can also
 * run under another MHD daemon (decc_store_http_handle is public), whose
 * connections carry nothing of ours. */
static _Thread_local decc_http_server *tl_raw_server;

/* Runs raw route req->raw's handler for this call of access_cb. */
static enum MHD_Result run_raw(decc_http_server *s, decc_http_request *req,
                               struct MHD_Connection *conn, const char *url,
                               const char *method, const char *upload_data,
                               size_t *upload_data_size) {
  tl_raw_server = s;
  enum MHD_Result r = (enum MHD_Result)req->raw->handler(
      req->raw->ctx, conn, url, method, upload_data, upload_data_size,
      &req->raw_state);
  tl_raw_server = NULL;
  guard_raw_answered(s, conn);
  return r;
}

void decc_http_raw_cors(struct MHD_Connection *c, struct MHD_Response *r) {
  if (c && r && tl_raw_server)
    cors_apply(tl_raw_server, c, r);
}

/* A header list a preflight asks for ("content-type, authorization") is
 * echoed only when it is made of token characters, commas and spaces (a
 * header name is a token), so the answer cannot carry anything else. */
static int header_list_ok(const char *v) {
  if (!v || !*v || strlen(v) > 512)
    return 0;
  for (const char *p = v; *p; p++)
    if (!(isalnum((unsigned char)*p) || strchr("!#$%&'*+-.^_`|~, ", *p)))
      return 0;
  return 1;
}

/* Answers OPTIONS on a path whose routes have other methods: 204 with
 * Allow (RFC 9110 9.3.7) and, for an allowed CORS preflight, the methods,
 * the requested headers and how long the browser may cache the answer
 * (queue adds Access-Control-Allow-Origin). */
static enum MHD_Result respond_options(decc_http_server *s,
                                       decc_http_request *req) {
  decc_http_response res;
  memset(&res, 0, sizeof res);
  res.status = 204;
  res.resp =
      MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (!res.resp)
    return MHD_NO;
  MHD_add_response_header(res.resp, "Allow", req->allow);
  int vary;
  const char *origin =
      MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Origin");
  const char *want = MHD_lookup_connection_value(
      req->conn, MHD_HEADER_KIND, "Access-Control-Request-Method");
  if (want && cors_allow(s, origin, &vary)) {
    MHD_add_response_header(res.resp, "Access-Control-Allow-Methods",
                            req->allow);
    const char *hdrs = MHD_lookup_connection_value(
        req->conn, MHD_HEADER_KIND, "Access-Control-Request-Headers");
    if (header_list_ok(hdrs))
      MHD_add_response_header(res.resp, "Access-Control-Allow-Headers", hdrs);
    MHD_add_response_header(res.resp, "Access-Control-Max-Age", "600");
  }
  return queue(s, req, &res);
}

static void clear_params(decc_http_request *req) {
  for (int k = 0; k < req->nparams; k++) {
    DECC_FREE(req->pnames[k]);
    DECC_FREE(req->pvalues[k]);
  }
  req->nparams = 0;
}

/* Adds m to req->allow unless it is there already (or would not fit: the
 * header then names the methods that fit; routes' methods are < 12 bytes). */
static void allow_add(decc_http_request *req, const char *m) {
  size_t used = strlen(req->allow), ml = strlen(m);
  for (const char *p = req->allow; *p;) {
    size_t n = strcspn(p, ",");
    if (n == ml && !memcmp(p, m, n))
      return;
    p += n;
    p += strspn(p, ", ");
  }
  if (used + ml + 3 > sizeof req->allow)
    return;
  snprintf(req->allow + used, sizeof req->allow - used, "%s%s",
           used ? ", " : "", m);
}

/* Sets req->rt (and its parameters) to the first route of `method` whose
 * pattern matches req->path or, for HEAD with no HEAD route there, to the
 * path's first GET route (RFC 9110 9.3.2: HEAD is GET without the body,
 * which MHD leaves out). When there is none, req->allow lists the methods
 * of every matching pattern, GET implying HEAD. Returns 1 when some
 * pattern matched the path (whatever its method), 0 when none did. */
static int find_route(decc_http_server *s, decc_http_request *req,
                      const char *method) {
  int path_matched = 0, get = -1;
  int head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
  req->allow[0] = 0;
  for (int i = 0; i < s->nroutes; i++) {
    const route *r = &s->routes[i];
    if (!match_route(r, req->path, req))
      continue;
    path_matched = 1;
    if (!strcmp(r->method, method)) {
      req->rt = r; /* keeps its parameters; Allow serves only a 405 */
      return 1;
    }
    clear_params(req);
    allow_add(req, r->method);
    if (!strcmp(r->method, MHD_HTTP_METHOD_GET)) {
      allow_add(req, MHD_HTTP_METHOD_HEAD);
      if (get < 0)
        get = i;
    }
  }
  /* (matched above, so it matches again and records its parameters) */
  if (head && get >= 0 && match_route(&s->routes[get], req->path, req))
    req->rt = &s->routes[get];
  return path_matched;
}

static enum MHD_Result respond_error(decc_http_server *s,
                                     decc_http_request *req, int status,
                                     const char *msg) {
  decc_http_response res;
  memset(&res, 0, sizeof res);
  if (decc_http_res_error(&res, status, "%s", msg) != DECC_OK)
    return MHD_NO;
  return queue(s, req, &res);
}

/* ---- handler pool (blocking routes) ---------------------------------------- */

/* Whether req's blocking handler may run inline, on the polling thread that
 * serves its connection, instead of on the pool: when that thread serves no
 * other connection (none is open or pending on it) and at least one other
 * thread is left without an inline handler. Marks the thread as running one
 * until inline_end; the acceptor gives it no connection meanwhile, so the
 * wait holds nobody else. A hand-off costs a wake-up of a pool thread and a
 * resumption on the polling thread: on a 2-core VM about 40 us of CPU per
 * request (bench_sms, round trips to a blocking route). */
static int inline_begin(decc_http_server *s, decc_http_request *req) {
  if (s->nloops < 2)
    return 0;
  conn_track *t = conn_tracker(req->conn);
  if (!t || t->loop < 0)
    return 0;
  int l = t->loop, ok = 0;
  pthread_mutex_lock(&s->guard_mu);
  if (s->loop_open[l] + s->loop_pending[l] == 1 && !s->loop_inline[l] &&
      s->ninline + 1 < s->nloops) {
    s->loop_inline[l] = 1;
    s->ninline++;
    s->blocking_inline++;
    ok = 1;
  }
  pthread_mutex_unlock(&s->guard_mu);
  return ok ? l + 1 : 0;
}

static void inline_end(decc_http_server *s, int token) {
  pthread_mutex_lock(&s->guard_mu);
  s->loop_inline[token - 1] = 0;
  s->ninline--;
  pthread_mutex_unlock(&s->guard_mu);
}

/* Suspends req's connection and queues req for the pool; returns 0 (the
 * caller answers inline) when there is no pool or it is stopping, or on
 * NOMEM. Called on the MHD thread owning the connection. */
static int hand_off(decc_http_server *s, decc_http_request *req) {
  pooled *p = decc_calloc(1, sizeof *p);
  if (!p)
    return 0;
  p->req = req;
  p->res.status = 200;
  pthread_mutex_lock(&s->pool_mu);
  if (!s->npool || s->pool_stopping) {
    pthread_mutex_unlock(&s->pool_mu);
    decc_free(p);
    return 0;
  }
  req->pooled = p;
  __atomic_fetch_add(&s->blocking_pooled, 1, __ATOMIC_RELAXED);
  /* suspended before it is queued: the pool's resume cannot come first */
  MHD_suspend_connection(req->conn);
  if (s->pool_tail)
    s->pool_tail->next = p;
  else
    s->pool_head = p;
  s->pool_tail = p;
  pthread_cond_signal(&s->pool_cv);
  pthread_mutex_unlock(&s->pool_mu);
  return 1;
}

/* Runs queued handlers until the pool stops and its queue is empty (every
 * suspended connection is resumed before MHD is stopped). */
static void *pool_main(void *arg) {
  decc_http_server *s = arg;
  pthread_mutex_lock(&s->pool_mu);
  for (;;) {
    while (!s->pool_head && !s->pool_stopping)
      pthread_cond_wait(&s->pool_cv, &s->pool_mu);
    pooled *p = s->pool_head;
    if (!p)
      break;
    s->pool_head = p->next;
    if (!s->pool_head)
      s->pool_tail = NULL;
    pthread_mutex_unlock(&s->pool_mu);
    decc_http_request *req = p->req;
    req->rt->fn(req->rt->ctx, req, &p->res);
    /* req belongs to MHD's thread again from here (it may be freed) */
    MHD_resume_connection(req->conn);
    pthread_mutex_lock(&s->pool_mu);
  }
  pthread_mutex_unlock(&s->pool_mu);
  return NULL;
}

/* Starts cfg.threads pool threads; with fewer (thread limits) the blocking
 * routes still work, and with none they run inline. */
static void pool_start(decc_http_server *s) {
  s->pool = decc_calloc(s->cfg.threads, sizeof *s->pool);
  if (!s->pool)
    return;
  for (unsigned i = 0; i < s->cfg.threads; i++) {
    if (pthread_create(&s->pool[i], NULL, pool_main, s) != 0)
      break;
    pthread_mutex_lock(&s->pool_mu);
    s->npool++;
    pthread_mutex_unlock(&s->pool_mu);
  }
}

static void pool_stop(decc_http_server *s) {
  pthread_mutex_lock(&s->pool_mu);
  s->pool_stopping = 1;
  pthread_cond_broadcast(&s->pool_cv);
  unsigned n = s->npool;
  pthread_mutex_unlock(&s->pool_mu);
  for (unsigned i = 0; i < n; i++)
    pthread_join(s->pool[i], NULL);
  decc_free(s->pool);
  s->pool = NULL;
  s->npool = 0;
  s->pool_stopping = 0;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn,
                                 const char *url, const char *method,
                                 const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls) {
  (void)version;
  decc_http_server *s = cls;
  decc_http_request *req = *con_cls;
  if (!req) {
    req = decc_calloc(1, sizeof *req);
    if (!req)
      return MHD_NO;
    req->t0 = decc__mono_s();
    req->conn = conn;
    /* Headers complete: the body deadline starts. */
    guard_phase(s, conn, PH_BODY);
    req->method = method;
    req->path = decc_strdup(url ? url : "/");
    if (!req->path) {
      decc_free(req);
      return MHD_NO;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
      /* Copied out: a struct sockaddr * promises no sockaddr_in/_in6
         alignment, and the family says which one is there. */
      if (ci->client_addr->sa_family == AF_INET) {
        struct sockaddr_in a4;
        memcpy(&a4, ci->client_addr, sizeof a4);
        inet_ntop(AF_INET, &a4.sin_addr, req->peer, sizeof req->peer);
      } else if (ci->client_addr->sa_family == AF_INET6) {
        struct sockaddr_in6 a6;
        memcpy(&a6, ci->client_addr, sizeof a6);
        inet_ntop(AF_INET6, &a6.sin6_addr, req->peer, sizeof req->peer);
      }
    }
    *con_cls = req;
    for (int i = 0; i < s->nraw; i++)
      if (s->raw[i].match(s->raw[i].ctx, req->path)) {
        if (!strcmp(method, MHD_HTTP_METHOD_OPTIONS)) {
          /* raw handlers serve their own methods (the store: GET, HEAD,
           * POST); OPTIONS, a browser's preflight, is answered here */
          snprintf(req->allow, sizeof req->allow, "GET, HEAD, POST");
          req->failed_status = 405;
          return MHD_YES;
        }
        req->raw = &s->raw[i];
        return run_raw(s, req, conn, url, method, upload_data,
                       upload_data_size);
      }
    int path_matched = find_route(s, req, method);
    if (!req->rt)
      req->failed_status = path_matched ? 405 : 404;
    else if (!req->rt->body_fn) {
      /* bodies may carry secrets (SMS pushes): wiped, never realloc'd */
      decc_buf_init_secret(&req->body, req->rt->max_body);
      const char *cl = MHD_lookup_connection_value(
          conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (cl) {
        char *end = NULL;
        unsigned long long v = strtoull(cl, &end, 10);
        if (!end || *end || v > req->rt->max_body)
          req->failed_status = 413;
      }
    }
    return MHD_YES;
  }
  if (req->pooled && !*upload_data_size) /* resumed: the pool answered */
    return queue(s, req, &req->pooled->res);
  if (*upload_data_size)
    guard_body(s, conn, *upload_data_size);
  else
    /* The body is complete: the handler's own time is not the client's. */
    guard_phase(s, conn, PH_RESPONSE);
  if (req->raw)
    return run_raw(s, req, conn, url, method, upload_data, upload_data_size);
  if (*upload_data_size) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    if (req->failed_status)
      return MHD_YES; /* discard the rest of a refused upload */
    if (req->rt->body_fn) {
      req->stream_started = 1;
      if (req->rt->body_fn(req->rt->ctx, req, &req->state,
                           (const uint8_t *)upload_data, n,
                           &req->err) != DECC_OK)
        req->failed_status = req->err.code == DECC_E_LIMIT ? 413 : 400;
      return MHD_YES;
    }
    decc_status st = decc_buf_append(&req->body, upload_data, n);
    if (st)
      req->failed_status = st == DECC_E_LIMIT ? 413 : 500;
    return MHD_YES;
  }
  /* Final call: answer. */
  if (!req->failed_status && req->rt && req->rt->body_fn) {
    req->stream_started = 1;
    if (req->rt->body_fn(req->rt->ctx, req, &req->state, NULL, 0, &req->err) !=
        DECC_OK)
      req->failed_status = req->err.code == DECC_E_LIMIT ? 413 : 400;
  }
  switch (req->failed_status) {
  case 0:
    break;
  case 404:
    return respond_error(s, req, 404, "no such route");
  case 405: {
    if (!strcmp(req->method, MHD_HTTP_METHOD_OPTIONS))
      return respond_options(s, req);
    /* RFC 9110 15.5.6: a 405 names the methods the resource has */
    decc_http_response res;
    memset(&res, 0, sizeof res);
    if (decc_http_res_error(&res, 405, "method not allowed") != DECC_OK ||
        decc_http_res_header(&res, "Allow", req->allow) != DECC_OK) {
      res_discard(&res);
      return MHD_NO;
    }
    return queue(s, req, &res);
  }
  case 413:
    return respond_error(
        s, req, 413, req->err.msg[0] ? req->err.msg : "request body too large");
  default:
    return respond_error(s, req, req->failed_status,
                         req->err.msg[0] ? req->err.msg : "bad request");
  }
  int token = req->rt->blocking ? inline_begin(s, req) : 0;
  if (req->rt->blocking && !token) {
    if (hand_off(s, req))
      return MHD_YES; /* answered when the pool resumes the connection */
    /* no pool (external loop, stopping, out of memory): inline after all */
    pthread_mutex_lock(&s->guard_mu);
    s->blocking_inline++;
    pthread_mutex_unlock(&s->guard_mu);
  }
  decc_http_response res;
  memset(&res, 0, sizeof res);
  res.status = 200;
  req->rt->fn(req->rt->ctx, req, &res);
  if (token)
    inline_end(s, token);
  return queue(s, req, &res);
}

/* ---- acceptor (internal polling threads) -------------------------------------- */

/* Forgets pending connections no thread reported in time. guard_mu held. */
static void purge_pending(decc_http_server *s, double now) {
  for (conn_track *t = s->pending, *next; t; t = next) {
    next = t->next;
    if (now - t->queued > PENDING_FORGET_S) {
      pending_unlink(s, t);
      decc_free(t);
    }
  }
}

/* Whether max_connections are open or pending; if so, the next close
 * writes room_fd. guard_mu held. */
static int server_full(decc_http_server *s) {
  purge_pending(s, decc__mono_s());
  s->want_room = s->nconns + s->npending >= s->cfg.max_connections;
  return s->want_room;
}

/* Gives the accepted socket fd to the polling thread serving the fewest
 * connections (open and pending) among those not running a blocking handler
 * inline, after the server-wide limits: max_connections and max_per_ip,
 * counted over every thread (each MHD daemon also applies them to its own
 * connections, which can only be fewer). Owns fd: closes it when refused.
 * Returns DECC_OK, DECC_E_LIMIT (a limit, or MHD refused it) or
 * DECC_E_NOMEM. */
static decc_status admit(decc_http_server *s, int fd,
                         const struct sockaddr *addr, socklen_t len) {
  uint32_t ip = peer_ipv4(addr);
  double now = decc__mono_s();
  pthread_mutex_lock(&s->admit_mu);
  pthread_mutex_lock(&s->guard_mu);
  purge_pending(s, now);
  decc_status st = DECC_OK;
  unsigned same_ip = 0;
  if (ip)
    for (int pass = 0; pass < 2; pass++)
      for (conn_track *t = pass ? s->pending : s->conns; t; t = t->next)
        same_ip += t->ip == ip;
  conn_track *t = NULL;
  int best = -1;
  if (s->nconns + s->npending >= s->cfg.max_connections ||
      same_ip >= s->cfg.max_per_ip)
    st = DECC_E_LIMIT;
  else if (!(t = decc_calloc(1, sizeof *t)))
    st = DECC_E_NOMEM;
  else {
    unsigned best_load = 0;
    for (unsigned i = 0; i < s->nloops; i++) {
      unsigned load = s->loop_open[i] + s->loop_pending[i];
      if (!s->loop_inline[i] && (best < 0 || load < best_load)) {
        best = (int)i;
        best_load = load;
      }
    }
    if (best < 0)
      best = 0; /* cannot happen: one thread is always left without */
    t->fd = fd;
    t->loop = best;
    t->ip = ip;
    t->queued = now;
    list_push(&s->pending, t);
    s->npending++;
    s->loop_pending[best]++;
  }
  pthread_mutex_unlock(&s->guard_mu);
  if (st != DECC_OK) {
    pthread_mutex_unlock(&s->admit_mu);
    close(fd);
    return st;
  }
  /* Not under guard_mu: the thread takes t over (STARTED) as soon as it
   * sees the connection, maybe before this returns. MHD closes the socket
   * itself when it refuses it, and then never reports it: t is still
   * pending (no other admission ran meanwhile: admit_mu). */
  if (MHD_add_connection(s->loops[best], fd, addr, len) != MHD_YES) {
    pthread_mutex_lock(&s->guard_mu);
    pending_unlink(s, t);
    pthread_mutex_unlock(&s->guard_mu);
    pthread_mutex_unlock(&s->admit_mu);
    decc_free(t);
    return DECC_E_LIMIT;
  }
  pthread_mutex_unlock(&s->admit_mu);
  return DECC_OK;
}

/* Accepts connections until the server stops (wake_fd). While
 * max_connections are open it accepts none: new ones wait in the kernel's
 * backlog until one closes (room_fd), as with MHD's own accept, instead of
 * being refused; a prompt request then gets the slot an eviction frees. */
static void *acceptor_main(void *arg) {
  decc_http_server *s = arg;
  struct pollfd pf[3] = {{s->listen_fd, POLLIN, 0},
                         {s->wake_fd, POLLIN, 0},
                         {s->room_fd, POLLIN, 0}};
  int backoff_ms = -1;
  for (;;) {
    pthread_mutex_lock(&s->guard_mu);
    int full = server_full(s);
    pthread_mutex_unlock(&s->guard_mu);
    pf[0].fd = full ? -1 : s->listen_fd; /* poll skips a negative fd */
    /* full: look again now and then (pending entries expire) */
    int n = poll(pf, 3, full ? 1000 : backoff_ms);
    if (n < 0 && errno != EINTR)
      break; /* cannot happen with valid descriptors */
    if (pf[1].revents)
      break;
    if (pf[2].revents) {
      uint64_t v;
      if (read(s->room_fd, &v, sizeof v) < 0) {
        /* EAGAIN cannot happen after POLLIN; nothing to do either way */
      }
    }
    backoff_ms = -1;
    if (full || !(pf[0].revents & POLLIN))
      continue;
    /* a burst is taken at once; the loop polls again when it is drained */
    for (int k = 0; k < 64; k++) {
      pthread_mutex_lock(&s->guard_mu);
      full = server_full(s);
      pthread_mutex_unlock(&s->guard_mu);
      if (full)
        break;
      struct sockaddr_storage ss;
      socklen_t sl = sizeof ss;
      int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &sl,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        /* Out of descriptors or memory: the pending connection stays
         * readable, so wait a little instead of spinning on it. */
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
            errno == ENOMEM)
          backoff_ms = 10;
        break;
      }
      (void)admit(s, fd, (struct sockaddr *)&ss, sl);
    }
  }
  return NULL;
}

/* Stops the acceptor and closes its sockets (new connections are refused
 * by the kernel from here). */
static void acceptor_stop(decc_http_server *s) {
  if (s->acceptor_running) {
    uint64_t one = 1;
    if (write(s->wake_fd, &one, sizeof one) != (ssize_t)sizeof one) {
      /* an eventfd write of 1 cannot fail short of overflow */
    }
    pthread_join(s->acceptor, NULL);
    s->acceptor_running = 0;
  }
  if (s->listen_fd >= 0)
    close(s->listen_fd);
  if (s->wake_fd >= 0)
    close(s->wake_fd);
  /* The CLOSED notifications write room_fd under guard_mu: once it is -1
   * there, none can write to a descriptor number reused since. */
  pthread_mutex_lock(&s->guard_mu);
  int room = s->room_fd;
  s->room_fd = -1;
  s->want_room = 0;
  pthread_mutex_unlock(&s->guard_mu);
  if (room >= 0)
    close(room);
  s->listen_fd = s->wake_fd = -1;
}

/* Opens the listening socket on sa. */
static decc_status listen_on(decc_http_server *s, const struct sockaddr_in *sa,
                             decc_err *err) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int on = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      bind(fd, (const struct sockaddr *)sa, sizeof *sa) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    return decc_err_set(err, DECC_E_IO,
                        "cannot listen on %s:%u (%s): choose another port or "
                        "stop the process using it",
                        s->cfg.bind_address, (unsigned)s->cfg.port,
                        strerror(e));
  }
  struct sockaddr_in got;
  socklen_t gl = sizeof got;
  s->port = getsockname(fd, (struct sockaddr *)&got, &gl) == 0
                ? ntohs(got.sin_port)
                : s->cfg.port;
  s->listen_fd = fd;
  return DECC_OK;
}

/* Starts one MHD daemon: the external loop's (its own listening socket, no
 * thread) or a polling thread fed by the acceptor. */
static struct MHD_Daemon *start_loop(decc_http_server *s,
                                     const struct sockaddr_in *sa) {
  unsigned flags = MHD_USE_EPOLL;
  if (!s->cfg.external_loop)
    flags |= MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_NO_LISTEN_SOCKET |
             MHD_USE_ITC;
  if (s->has_blocking)
    flags |= MHD_ALLOW_SUSPEND_RESUME;
  return MHD_start_daemon(
      flags, s->cfg.port, NULL, NULL, &access_cb, s, MHD_OPTION_SOCK_ADDR,
      (const struct sockaddr *)sa, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)s->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)s->cfg.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      s->cfg.max_header_bytes, MHD_OPTION_NOTIFY_COMPLETED, &completed_cb,
      (void *)s, MHD_OPTION_NOTIFY_CONNECTION, &notify_connection_cb, (void *)s,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)s->cfg.max_per_ip,
      MHD_OPTION_END);
}

/* Stops the threads and daemons that started, in the order that lets each
 * finish: no new connection, every handed-off request answered and its
 * connection resumed (MHD refuses to stop with suspended connections),
 * then the daemons, whose CLOSED notifications free the trackers. */
static void stop_all(decc_http_server *s) {
  if (s->sweeper_running) {
    pthread_mutex_lock(&s->guard_mu);
    s->stopping = 1;
    pthread_cond_signal(&s->guard_cv);
    pthread_mutex_unlock(&s->guard_mu);
    pthread_join(s->sweeper, NULL);
    s->sweeper_running = 0;
    s->stopping = 0;
  }
  acceptor_stop(s);
  pool_stop(s);
  for (unsigned i = 0; i < s->nloops; i++)
    MHD_stop_daemon(s->loops[i]);
  s->nloops = 0;
  s->started = 0;
}

decc_status decc_http_server_start(decc_http_server *s, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  if (s->started)
    return decc_err_set(err, DECC_E_STATE,
                        "the HTTP server is already started");
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(s->cfg.port);
  if (inet_pton(AF_INET, s->cfg.bind_address, &sa.sin_addr) != 1)
    return decc_err_set(err, DECC_E_INVALID, "invalid bind address '%s'",
                        s->cfg.bind_address);
  /* The external loop (cfg.external_loop) has no MHD thread: the caller's
   * decc_http_server_run runs the same epoll loop (no pool: size 0). */
  decc_status st = DECC_OK;
  unsigned want = s->cfg.external_loop         ? 1
                  : s->cfg.threads > MAX_LOOPS ? MAX_LOOPS
                                               : s->cfg.threads;
  if (!s->cfg.external_loop) {
    if ((st = listen_on(s, &sa, err)) != DECC_OK)
      return st;
    if ((s->wake_fd = eventfd(0, EFD_CLOEXEC)) < 0 ||
        (s->room_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
      int e = errno;
      acceptor_stop(s);
      return decc_err_set(err, DECC_E_IO,
                          "cannot create the HTTP server's eventfd: %s "
                          "(descriptor limit: raise ulimit -n)",
                          strerror(e));
    }
  }
  while (s->nloops < want) {
    struct MHD_Daemon *d = start_loop(s, &sa);
    if (!d)
      break;
    s->loops[s->nloops++] = d;
  }
  if (!s->nloops) {
    acceptor_stop(s);
    if (!s->cfg.external_loop)
      return decc_err_set(err, DECC_E_NOMEM,
                          "cannot start the HTTP server's polling threads "
                          "(out of memory or at the thread limit)");
    return decc_err_set(err, DECC_E_IO,
                        "cannot listen on %s:%u (address in use or not "
                        "permitted)",
                        s->cfg.bind_address, (unsigned)s->cfg.port);
  }
  /* (fewer threads than asked when the system refuses more: served by
   * those, as MHD's own pool would) */
  s->started = 1;
  if (pthread_create(&s->sweeper, NULL, sweeper_main, s) != 0) {
    st = decc_err_set(err, DECC_E_NOMEM,
                      "cannot start the connection sweeper thread");
    goto fail;
  }
  s->sweeper_running = 1;
  if (s->has_blocking)
    pool_start(s);
  if (s->cfg.external_loop) {
    const union MHD_DaemonInfo *di =
        MHD_get_daemon_info(s->loops[0], MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.port;
  } else if (pthread_create(&s->acceptor, NULL, acceptor_main, s) != 0) {
    st = decc_err_set(err, DECC_E_NOMEM,
                      "cannot start the HTTP server's acceptor thread");
    goto fail;
  } else {
    s->acceptor_running = 1;
  }
  return DECC_OK;
fail:
  stop_all(s);
  return st;
}

decc_status decc_http_server_run(decc_http_server *s, int timeout_ms, int *busy,
                                 decc_err *err) {
  DECC_ARG_CHECK(s != NULL && busy != NULL);
  *busy = 0;
  struct MHD_Daemon *d =
      s->started && s->cfg.external_loop ? s->loops[0] : NULL;
  const union MHD_DaemonInfo *di =
      d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
  if (!di)
    return decc_err_set(err, DECC_E_STATE,
                        "decc_http_server_run needs a started server with "
                        "external_loop set in its config");
  /* MHD's next timeout counts as work when it falls within the wait: a
   * connection's idle timeout, or 0 when MHD already has work (a
   * connection whose buffered bytes it has not processed yet — its epoll
   * is edge-triggered, so no new event comes for those — or a resumed
   * connection). */
  long wait_ms = timeout_ms > 0 ? timeout_ms : 0;
  int due = 0;
  MHD_UNSIGNED_LONG_LONG mhd_ms;
  if (MHD_get_timeout(d, &mhd_ms) == MHD_YES &&
      mhd_ms <= (MHD_UNSIGNED_LONG_LONG)wait_ms) {
    wait_ms = (long)mhd_ms;
    due = 1;
  }
  /* MHD's epoll descriptor is readable when one of its sockets has an
   * event: the same loop as MHD's own threads, driven from here. */
  struct pollfd pf = {di->epoll_fd, POLLIN, 0};
  int n = poll(&pf, 1, (int)wait_ms);
  if (n < 0 && errno == EINTR) {
    *busy = 1; /* nothing handled: the caller runs again */
    return DECC_OK;
  }
  if (n < 0)
    return decc_err_set(err, DECC_E_IO, "poll on the HTTP server failed: %s",
                        strerror(errno));
  if (n == 0 && !due)
    return DECC_OK; /* at rest */
  *busy = 1;
  (void)MHD_run(d); /* does not wait: handles what is ready */
  return DECC_OK;
}

decc_status decc_http_server_add_connection(decc_http_server *s, int fd,
                                            const struct sockaddr *addr,
                                            unsigned len, decc_err *err) {
  if (!s || !addr) {
    if (fd >= 0)
      close(fd); /* ownership was taken whatever happens */
    DECC_ARG_CHECK(s != NULL && addr != NULL);
  }
  if (!s->started) {
    close(fd);
    return decc_err_set(err, DECC_E_STATE,
                        "add the connection after decc_http_server_start");
  }
  /* MHD closes the socket itself when it refuses it */
  decc_status st = s->cfg.external_loop
                       ? (MHD_add_connection(s->loops[0], fd, addr,
                                             (socklen_t)len) == MHD_YES
                              ? DECC_OK
                              : DECC_E_LIMIT)
                       : admit(s, fd, addr, (socklen_t)len);
  if (st == DECC_E_NOMEM)
    return decc_err_set(err, st, "out of memory adding a connection");
  if (st != DECC_OK)
    return decc_err_set(err, DECC_E_LIMIT,
                        "the HTTP server refused the connection (connection "
                        "or per-IP limit, or memory): close idle connections "
                        "first");
  return DECC_OK;
}

uint16_t decc_http_server_port(const decc_http_server *s) {
  DECC_ARG_CHECK_RET(s != NULL, 0);
  return s->port;
}

void decc_http_server_destroy(decc_http_server *s) {
  if (!s)
    return;
  stop_all(s);
  for (int pass = 0; pass < 2; pass++)
    for (conn_track *t = pass ? s->pending : s->conns, *next; t; t = next) {
      next = t->next;
      decc_free(t);
    }
  pthread_cond_destroy(&s->guard_cv);
  pthread_mutex_destroy(&s->guard_mu);
  pthread_cond_destroy(&s->pool_cv);
  pthread_mutex_destroy(&s->pool_mu);
  pthread_mutex_destroy(&s->admit_mu);
  for (int i = 0; i < s->nroutes; i++)
    for (int k = 0; k < s->routes[i].nsegs; k++)
      decc_free(s->routes[i].segs[k]);
  decc_free(s->cors);
  decc_free(s);
}

/* ---- request accessors ---------------------------------------------------- */

const char *decc_http_req_method(const decc_http_request *r) {
  DECC_ARG_CHECK_RET(r != NULL, NULL);
  return r->method;
}
const char *decc_http_req_path(const decc_http_request *r) {
  DECC_ARG_CHECK_RET(r != NULL, NULL);
  return r->path;
}

const char *decc_http_req_query(const decc_http_request *r, const char *name) {
  DECC_ARG_CHECK_RET(r != NULL, NULL);
  DECC_ARG_CHECK_RET(name != NULL, NULL);
  return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *decc_http_req_header(const decc_http_request *r, const char *name) {
  DECC_ARG_CHECK_RET(r != NULL, NULL);
  DECC_ARG_CHECK_RET(name != NULL, NULL);
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *decc_http_req_param(const decc_http_request *r, const char *name) {
  DECC_ARG_CHECK_RET(r != NULL, NULL);
  DECC_ARG_CHECK_RET(name != NULL, NULL);
  for (int i = 0; i < r->nparams; i++)
    if (!strcmp(r->pnames[i], name))
      return r->pvalues[i];
  return NULL;
}

const uint8_t *decc_http_req_body(const decc_http_request *r, size_t *len) {
  DECC_ARG_CHECK_RET(r != NULL, NULL);
  static const uint8_t empty[1] = {0};
  if (len)
    *len = r->body.len;
  return r->body.data ? r->body.data : empty;
}

void *decc_http_req_state(const decc_http_request *r) {
  DECC_ARG_CHECK_RET(r != NULL, NULL);
  return r->state;
}
const char *decc_http_req_peer(const decc_http_request *r) {
  DECC_ARG_CHECK_RET(r != NULL, NULL);
  return r->peer;
}

/* ---- responses ------------------------------------------------------------- */

static void free_body(void *p) { decc_free(p); }

decc_status decc_http_res_send_owned(decc_http_response *res, int status,
                                     const char *content_type, void *body,
                                     size_t len) {
  /* (the body is ours even when refused, as on DECC_E_NOMEM) */
  if (!res || (!body && len))
    decc_free(body);
  DECC_ARG_CHECK(res != NULL);
  DECC_ARG_CHECK(body != NULL || len == 0);
  if (res->resp) {
    MHD_destroy_response(res->resp);
    res->resp = NULL;
  }
  res->resp =
      MHD_create_response_from_buffer_with_free_callback(len, body, &free_body);
  if (!res->resp) {
    decc_free(body);
    return DECC_E_NOMEM;
  }
  if (content_type)
    MHD_add_response_header(res->resp, "Content-Type", content_type);
  res->status = status;
  return DECC_OK;
}

decc_status decc_http_res_send(decc_http_response *res, int status,
                               const char *content_type, const void *body,
                               size_t len) {
  DECC_ARG_CHECK(res != NULL);
  DECC_ARG_CHECK(body != NULL || len == 0);
  void *copy = decc_malloc(len ? len : 1);
  if (!copy)
    return DECC_E_NOMEM;
  if (len)
    memcpy(copy, body, len);
  return decc_http_res_send_owned(res, status, content_type, copy, len);
}

decc_status decc_http_res_json(decc_http_response *res, int status,
                               const char *json) {
  DECC_ARG_CHECK(res != NULL);
  DECC_ARG_CHECK(json != NULL);
  return decc_http_res_send(res, status, "application/json", json,
                            strlen(json));
}

decc_status decc_http_res_error(decc_http_response *res, int status,
                                const char *fmt, ...) {
  DECC_ARG_CHECK(res != NULL);
  DECC_ARG_CHECK(fmt != NULL);
  char msg[DECC_ERR_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* JSON-escape the message by hand: it is short and plain text. */
  decc_buf b;
  decc_buf_init(&b, 4 * sizeof msg + 64);
  decc_status st = decc_buf_append_str(&b, "{\"ok\":false,\"error\":\"");
  const char *end = msg + strlen(msg);
  for (const char *p = msg; !st && *p; p++) {
    unsigned char c = (unsigned char)*p;
    size_t u = decc__utf8_seq_len((const uint8_t *)p, (size_t)(end - p));
    if (c == '"' || c == '\\')
      st = decc_buf_printf(&b, "\\%c", c);
    else if (c < 0x20)
      st = decc_buf_printf(&b, "\\u%04x", c);
    else if (u == 0) /* a message may quote client bytes: keep it JSON */
      st = decc_buf_append_str(&b, "\\ufffd");
    else {
      st = decc_buf_append(&b, p, u);
      p += u - 1;
    }
  }
  if (!st)
    st = decc_buf_append_str(&b, "\"}");
  if (st) {
    decc_buf_clear(&b);
    return st;
  }
  size_t len = 0;
  uint8_t *body = decc_buf_steal(&b, &len);
  return decc_http_res_send_owned(res, status, "application/json", body, len);
}

typedef struct stream_ctx {
  long (*read)(void *ctx, uint64_t pos, char *buf, size_t max);
  void (*free_fn)(void *ctx);
  void *ctx;
} stream_ctx;

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max) {
  stream_ctx *sc = cls;
  long n = sc->read(sc->ctx, pos, buf, max);
  if (n == 0)
    return MHD_CONTENT_READER_END_OF_STREAM;
  if (n < 0)
    return MHD_CONTENT_READER_END_WITH_ERROR;
  return (ssize_t)n;
}

static void stream_free(void *cls) {
  stream_ctx *sc = cls;
  if (sc->free_fn)
    sc->free_fn(sc->ctx);
  decc_free(sc);
}

decc_status decc_http_res_stream(decc_http_response *res, int status,
                                 const char *content_type, int64_t size,
                                 long (*read)(void *ctx, uint64_t pos,
                                              char *buf, size_t max),
                                 void *ctx, void (*free_fn)(void *ctx)) {
  /* (ctx is ours even when refused, as on DECC_E_NOMEM) */
  if ((!res || !read) && free_fn)
    free_fn(ctx);
  DECC_ARG_CHECK(res != NULL);
  DECC_ARG_CHECK(read != NULL);
  stream_ctx *sc = decc_malloc(sizeof *sc);
  if (!sc) {
    if (free_fn)
      free_fn(ctx);
    return DECC_E_NOMEM;
  }
  sc->read = read;
  sc->free_fn = free_fn;
  sc->ctx = ctx;
  if (res->resp)
    MHD_destroy_response(res->resp);
  res->resp = MHD_create_response_from_callback(
      size < 0 ? MHD_SIZE_UNKNOWN : (uint64_t)size, 64 * 1024, &stream_read, sc,
      &stream_free);
  if (!res->resp) {
    stream_free(sc);
    return DECC_E_NOMEM;
  }
  if (content_type)
    MHD_add_response_header(res->resp, "Content-Type", content_type);
  res->status = status;
  return DECC_OK;
}

decc_status decc_http_res_header(decc_http_response *res, const char *name,
                                 const char *value) {
  DECC_ARG_CHECK(res != NULL);
  DECC_ARG_CHECK(name != NULL);
  DECC_ARG_CHECK(value != NULL);
  if (res->nh >= MAX_RES_HEADERS)
    return DECC_E_LIMIT;
  res->hname[res->nh] = decc_strdup(name);
  res->hval[res->nh] = decc_strdup(value);
  if (!res->hname[res->nh] || !res->hval[res->nh]) {
    DECC_FREE(res->hname[res->nh]);
    DECC_FREE(res->hval[res->nh]);
    return DECC_E_NOMEM;
  }
  res->nh++;
  return DECC_OK;
}

int decc_http_status_for(decc_status st) {
  switch (st) {
  case DECC_OK:
    return 200;
  case DECC_E_PARSE:
  case DECC_E_INVALID:
  case DECC_E_RANGE:
    return 400;
  case DECC_E_BAD_SIGNATURE:
  case DECC_E_BAD_MAC:
    return 401;
  case DECC_E_DENIED:
    return 403;
  case DECC_E_NOT_FOUND:
    return 404;
  case DECC_E_EXISTS:
    return 409;
  case DECC_E_LIMIT:
    return 413;
  case DECC_E_UNSUPPORTED:
    return 501;
  case DECC_E_TIMEOUT:
    return 504;
  default:
    return 500;
  }
}
