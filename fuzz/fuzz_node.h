/*
 * fuzz_node.h — shared by the fuzz targets that reach `decc node` through
 * its HTTP server (fuzz_http_request, fuzz_jsonrpc, fuzz_market_query): one
 * in-process node (roles chain + market, embedded ledger, a temporary
 * home) started on the first input and destroyed at exit, and two clients:
 *  - fn_exchange, for a complete request (GET or POST, built by the
 *    target): sent on one kept-alive connection, reused from input to input
 *    until the server closes it, the answer read by its framing
 *    (Content-Length or chunked);
 *  - fn_exchange_wait, for raw bytes (fuzz_http_request), which may be
 *    incomplete or not HTTP: a fresh connection per input, its bytes may
 *    leave it in any state. The write side is shut down once the server is
 *    at rest with the request (answered it, or waits for more), as a client
 *    that stops sending; then the connection is closed.
 *
 * Since session 9 the server has no thread of its own: the node is
 * created with http_external_loop (decc_http_config.external_loop) and
 * this, the fuzzer's thread, drives it with decc_http_server_run. A
 * connection is one end of a socketpair(AF_UNIX) handed to the server with
 * decc_http_server_add_connection as a peer at 127.0.0.1 (the connection
 * guard and the per-IP limit see a loopback client, as before). An
 * exchange writes the input, runs the server until it is at rest (its
 * epoll descriptor has no event and MHD holds no buffered work: every
 * connection waits for its peer) and reads what it sent, again until
 * nothing moves; a close is
 * followed by a run to rest, in which the server closes its end and frees
 * the connection. So when an input returns, the server has done all it
 * could with it and freed what it allocated for it (libFuzzer's per-input
 * malloc/free balance holds, and no LeakSanitizer scan is triggered), with
 * no waiting and no guessing: the same input does the same things.
 *
 * Until session 8 the node ran MHD's own threads (epoll) on TCP loopback:
 * each raw input cost a connect, an accept, MHD's connection set-up and
 * hand-offs between threads, and "at rest" was read from the threads'
 * /proc/self/task/TID/wchan (all asleep in epoll_wait), polled every 50 us,
 * with time bounds where /proc could not tell; perf put two thirds of
 * fuzz_http_request's time in MHD's threads and loopback TCP (~800 inputs/s
 * under ASan). The loop is MHD's epoll loop, edge-triggered: an end of
 * input that arrives together with the request is taken for a short read
 * and never seen, so the client shuts its write side down only once the
 * server rests with the request; the end of input is then a new event.
 * (A select(2) loop would see it, but select does not report a peer's
 * close for a connection MHD does not read from, e.g. one whose request
 * line overflowed its memory pool: such a connection stayed open after
 * the input, and its memory was freed after the input returned.)
 *
 * Signals. libFuzzer's -timeout arms a SIGALRM interval timer whose handler
 * has no SA_RESTART, delivered to this (the main) thread: the server's
 * select and any send or recv may fail with EINTR; each is retried
 * (decc_http_server_run reports an interrupted wait as "busy": run again).
 * tests/unit/api/test_fuzz_node.c checks it.
 *
 * Everything on the server side (MHD, the connection guard, the routing,
 * the handlers) runs in this process and on this thread, so the sanitizers
 * and the coverage see it.
 */
#ifndef DECC_FUZZ_NODE_H
#define DECC_FUZZ_NODE_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "decc/http.h"
#include "decc/mem.h"
#include "decc/node.h"

static decc_node *fn_node;
static decc_node_config fn_cfg;
static decc_http_server *fn_srv;
static char fn_home[256];

static int fn_ka = -1;        /* client end of the kept-alive connection */
static unsigned fn_ka_opened; /* kept-alive connections opened so far */
static unsigned fn_ka_stuck;  /* requests the server left unanswered at rest */

/* The longest the server may stay busy without resting in one run (it
 * normally rests within microseconds): past it, a server that never stops
 * working with no client activity is a finding. */
#define FN_BUSY_CAP_MS 5000

static void fn_stop(void) {
  if (fn_ka >= 0)
    close(fn_ka);
  fn_ka = -1;
  decc_node_destroy(fn_node);
  fn_node = NULL;
  fn_srv = NULL;
  decc_node_config_clear(&fn_cfg);
  if (fn_home[0]) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fn_home);
    if (system(cmd) != 0)
      fprintf(stderr, "fuzz_node: cannot remove %s\n", fn_home);
  }
}

/* Starts the node once; aborts when it cannot (nothing to fuzz then). */
static void fn_start(void) {
  if (fn_node)
    return;
  const char *tmp = getenv("TMPDIR");
  snprintf(fn_home, sizeof fn_home, "%s/decc-fuzz-node-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(fn_home)) {
    perror("mkdtemp");
    abort();
  }
  decc_err err;
  decc_node_config_init(&fn_cfg);
  /* the server is driven from this thread (see above) */
  fn_cfg.http_external_loop = 1;
  if (decc_node_config_set(&fn_cfg, "home", fn_home, &err) ||
      decc_node_config_set(&fn_cfg, "port", "0", &err) ||
      decc_node_config_set(&fn_cfg, "roles", "chain,market", &err) ||
      decc_node_config_set(&fn_cfg, "market_refresh_s", "0", &err) ||
      decc_node_config_set(&fn_cfg, "log_requests", "false", &err) ||
      /* a list, so that Origin headers reach the matching (CORS) */
      decc_node_config_set(&fn_cfg, "cors_origins",
                           "https://a.example, http://localhost:3000", &err) ||
      /* inputs the server waits on (junk before the request line, an
       * incomplete body) may keep a connection until a deadline: room */
      decc_node_config_set(&fn_cfg, "max_connections", "8192", &err) ||
      decc_node_create(&fn_node, &fn_cfg, NULL, NULL, &err) ||
      decc_node_start(fn_node, &err)) {
    fprintf(stderr, "fuzz_node: %s\n", err.msg);
    abort();
  }
  fn_srv = decc_node_http(fn_node);
  atexit(fn_stop);
}

/* Milliseconds since *t0. */
static long fn_ms_since(const struct timespec *t0) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - t0->tv_sec) * 1000 +
         (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Runs the server until it is at rest (nothing ready, nothing held).
 * Aborts when it cannot run, or stays busy FN_BUSY_CAP_MS. */
static void fn_run(void) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (unsigned i = 1;; i++) {
    int busy = 0;
    decc_err err;
    if (decc_http_server_run(fn_srv, 0, &busy, &err) != DECC_OK) {
      fprintf(stderr, "fuzz_node: %s\n", err.msg);
      abort();
    }
    if (!busy)
      return;
    if ((i & 1023) == 0 && fn_ms_since(&t0) >= FN_BUSY_CAP_MS) {
      fprintf(stderr, "fuzz_node: the server never rests (busy %d ms)\n",
              FN_BUSY_CAP_MS);
      abort();
    }
  }
}

/* A new connection to the server: the client's end (non-blocking), or -1
 * when the server refused it (then nothing is left open). */
static int fn_open(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return -1;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  decc_err err;
  /* the server's end is the server's now, also on failure */
  if (decc_http_server_add_connection(fn_srv, sv[1], (struct sockaddr *)&sa,
                                      sizeof sa, &err) != DECC_OK) {
    fprintf(stderr, "fuzz_node: %s\n", err.msg);
    close(sv[0]);
    return -1;
  }
  if (fcntl(sv[0], F_SETFL, O_NONBLOCK) != 0) {
    close(sv[0]);
    fn_run(); /* the server sees the end and frees its side */
    return -1;
  }
  return sv[0];
}

/* What the client received on one connection. */
typedef struct fn_rx {
  char *out; /* NUL-terminated, at most cap - 1 bytes kept */
  size_t cap;
  size_t n;     /* bytes kept */
  size_t total; /* bytes received */
  int closed;   /* the server closed (or reset) the connection */
} fn_rx;

/* Reads what fd holds now into rx; *moved = 1 when anything came. */
static void fn_recv_ready(int fd, fn_rx *rx, int *moved) {
  while (!rx->closed) {
    char tmp[65536];
    ssize_t r = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    *moved = 1;
    if (r <= 0) {
      rx->closed = 1;
      return;
    }
    size_t keep = (size_t)r;
    if (rx->n + keep > rx->cap - 1)
      keep = rx->cap - 1 - rx->n;
    memcpy(rx->out + rx->n, tmp, keep);
    rx->n += keep;
    rx->total += (size_t)r;
    rx->out[rx->n] = 0;
  }
}

/* Sends len bytes of p on fd while running the server and reading its
 * answer into rx, until nothing moves any more: everything sent (or the
 * server stopped reading: closed, or waits with a full buffer), the server
 * at rest and nothing more to read. */
static void fn_pump(int fd, const char *p, size_t len, fn_rx *rx) {
  for (;;) {
    int moved = 0;
    while (len > 0) {
      ssize_t w = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        len = 0; /* the server closed: read what it said (413, 400) */
      if (w <= 0)
        break;
      p += w;
      len -= (size_t)w;
      moved = 1;
    }
    fn_run();
    fn_recv_ready(fd, rx, &moved);
    if (!moved || rx->closed)
      return;
  }
}

/* Closes the client's end fd and runs the server until it has closed and
 * freed its end. */
static void fn_close(int fd) {
  close(fd);
  fn_run();
}

/* The HTTP status of the answer in out (0 when there is none). Aborts on
 * an answer that is not HTTP. */
static int fn_status(const char *out, size_t n) {
  int status = 0;
  if (n == 0)
    return 0;
  if (strncmp(out, "HTTP/1.", 7) != 0 || sscanf(out + 9, "%3d", &status) != 1 ||
      status < 100 || status > 599) {
    fprintf(stderr, "fuzz_node: not an HTTP response: %.80s\n", out);
    abort();
  }
  return status;
}

/* Sends req (len bytes, any bytes) on a new connection and returns what the
 * server answered in out (NUL-terminated, at most cap - 1 bytes kept): the
 * HTTP status of the first answer, 0 when none came (the server closed, or
 * waits for more input), -1 when the server refused the connection. The
 * write side is shut down once the server rests with the request, then the
 * rest of the answer is read and the connection closed; the server has
 * freed it on return. Aborts on an answer that is not HTTP. */
static inline int fn_exchange_io(const void *req, size_t len, char *out,
                                 size_t cap) {
  fn_start();
  out[0] = 0;
  int fd = fn_open();
  if (fd < 0)
    return -1;
  fn_rx rx = {out, cap, 0, 0, 0};
  fn_pump(fd, req, len, &rx);
  if (!rx.closed) {
    shutdown(fd, SHUT_WR);
    fn_pump(fd, NULL, 0, &rx);
  }
  fn_close(fd);
  return fn_status(out, rx.n);
}

/* For any bytes (the request may be incomplete or not HTTP at all).
 * wait_ms is kept for the targets' calls: nothing waits any more (the
 * server's rest is known), so it bounds nothing. inline: not every target
 * uses it. */
static inline int fn_exchange_wait(const void *req, size_t len, char *out,
                                   size_t cap, long wait_ms) {
  (void)wait_ms;
  return fn_exchange_io(req, len, out, cap);
}

/* ---- complete requests: one keep-alive connection ------------------------ */

/* Length of the head (through CRLF CRLF) in out[0..n), or 0. */
static size_t fn_head_len(const char *out) {
  const char *e = strstr(out, "\r\n\r\n");
  return e ? (size_t)(e + 4 - out) : 0;
}

/* 1 when the headers (NUL-terminated, status line first) have a header
 * name whose value holds token (case-insensitive). */
static int fn_header_has(const char *headers, const char *name,
                         const char *token) {
  size_t nl = strlen(name);
  for (const char *h = strstr(headers, "\r\n"); h; h = strstr(h, "\r\n")) {
    h += 2;
    if (strncasecmp(h, name, nl) != 0 || h[nl] != ':')
      continue;
    size_t vl = strcspn(h + nl + 1, "\r");
    char v[256];
    snprintf(v, sizeof v, "%.*s", (int)(vl < sizeof v ? vl : sizeof v - 1),
             h + nl + 1);
    if (strcasestr(v, token))
      return 1;
  }
  return 0;
}

/* In a chunked body starting at out + pos (n bytes of out held): returns
 * the end of the last chunk and its trailer when it is all there, 0 when
 * more is needed. Each chunk: hex size [;ext] CRLF data CRLF; the last
 * has size 0, then trailer lines up to an empty line. */
static size_t fn_chunked_end(const char *out, size_t n, size_t pos) {
  for (;;) {
    const char *eol = memmem(out + pos, n - pos, "\r\n", 2);
    if (!eol)
      return 0;
    char *x;
    unsigned long long sz = strtoull(out + pos, &x, 16);
    if (x == out + pos) /* not a size: let the connection go */
      return (size_t)-1;
    pos = (size_t)(eol + 2 - out);
    if (sz == 0) {
      for (;;) { /* trailer lines, then the empty line */
        eol = memmem(out + pos, n - pos, "\r\n", 2);
        if (!eol)
          return 0;
        size_t line = (size_t)(eol - (out + pos));
        pos += line + 2;
        if (line == 0)
          return pos;
      }
    }
    if (sz > n || pos + sz + 2 > n)
      return 0;
    pos += (size_t)sz + 2;
  }
}

/* 1 when the answer in out[0..n) (total bytes received, the connection
 * not closed) ends exactly where its framing says and does not ask to
 * close: the connection can take the next request. 204/304 have no body;
 * 1xx or no framing: not reusable. A chunked answer longer than out
 * cannot be framed: not reusable either. */
static int fn_reusable(char *out, size_t n, size_t total) {
  size_t head = fn_head_len(out);
  int status = 0;
  if (!head || n < 12 || n != total || sscanf(out + 9, "%3d", &status) != 1)
    return 0;
  char save = out[head - 2];
  out[head - 2] = 0; /* the headers alone */
  const char *cl = strcasestr(out, "\r\nContent-Length:");
  int chunked = fn_header_has(out, "Transfer-Encoding", "chunked");
  int conn_close = fn_header_has(out, "Connection", "close");
  size_t want = 0;
  if (status == 204 || status == 304)
    want = head;
  else if (status >= 200 && chunked)
    want = fn_chunked_end(out, n, head);
  else if (status >= 200 && cl)
    want = head + strtoul(cl + 17, NULL, 10);
  out[head - 2] = save;
  return !conn_close && want == n;
}

/* 1 when the kept-alive connection can take a request: nothing to read on
 * it (the server has neither closed it nor sent anything unasked). */
static int fn_ka_usable(void) {
  struct pollfd pf = {fn_ka, POLLIN | POLLRDHUP, 0};
  int pr;
  do
    pr = poll(&pf, 1, 0);
  while (pr < 0 && errno == EINTR);
  return pr == 0;
}

/* Closes the kept-alive connection; the server has freed it on return. */
static void fn_ka_drop(void) {
  if (fn_ka < 0)
    return;
  fn_close(fn_ka);
  fn_ka = -1;
}

/* For a complete request (GET or POST, not HEAD), which must be answered:
 * sends it on the kept-alive connection (opened when there is none or the
 * server closed it; once more on a fresh one when a reused connection
 * turns out closed before any answer) and returns the answer in out
 * (NUL-terminated, at most cap - 1 bytes kept) once the server rests: the
 * HTTP status, 0 when no answer came (the server rests without one: the
 * connection is dropped, fn_ka_stuck counts it), -1 when the server
 * refused the connection. Aborts on an answer that is not HTTP. */
static int fn_exchange(const void *req, size_t len, char *out, size_t cap) {
  fn_start();
  fn_rx rx;
  for (int attempt = 0;; attempt++) {
    if (fn_ka >= 0 && !fn_ka_usable())
      fn_ka_drop();
    int reused = fn_ka >= 0;
    if (fn_ka < 0) {
      if ((fn_ka = fn_open()) < 0)
        return -1;
      fn_ka_opened++;
    }
    out[0] = 0;
    rx = (fn_rx){out, cap, 0, 0, 0};
    fn_pump(fn_ka, req, len, &rx);
    if (rx.n == 0 && reused && attempt == 0 && rx.closed) {
      fn_ka_drop(); /* closed by the server while idle: not this request */
      continue;
    }
    break;
  }
  if (rx.n == 0 && !rx.closed)
    fn_ka_stuck++; /* MHD 0.9.75 keeps e.g. a request line with more query
                      arguments than its pool holds, unanswered */
  if (rx.closed || !fn_reusable(out, rx.n, rx.total))
    fn_ka_drop();
  return fn_status(out, rx.n);
}

/* The body of the first response in resp (after the blank line, cut at
 * its Content-Length: pipelined requests get several responses), or
 * NULL. */
static const char *fn_body(char *resp) {
  char *b = strstr(resp, "\r\n\r\n");
  if (!b)
    return NULL;
  *b = 0; /* headers alone while looking for the length */
  const char *cl = strcasestr(resp, "\r\nContent-Length:");
  size_t want = cl ? strtoul(cl + 17, NULL, 10) : (size_t)-1;
  *b = '\r';
  b += 4;
  if (want != (size_t)-1 && strlen(b) > want)
    b[want] = 0;
  return b;
}

#endif
