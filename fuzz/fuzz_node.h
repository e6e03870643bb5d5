/*
 * fuzz_node.h — shared by the fuzz targets that reach `decc node` through
 * its HTTP server (fuzz_http_request, fuzz_jsonrpc, fuzz_market_query): one
 * in-process node (roles chain + market, embedded ledger, a temporary
 * home, port 0 on 127.0.0.1) started on the first input and destroyed at
 * exit, and a helper that sends one request on a fresh loopback connection
 * and reads the whole response (the write side is shut down after the
 * request, so a request cut short ends the connection instead of waiting
 * for the header deadline).
 *
 * The write side is shut down once the server has answered or has read
 * every byte of the request (the server's end of the connection is in this
 * process: fn_server_fd finds it by its peer address and FIONREAD tells
 * how much of the request it has not read yet). MHD's epoll loop is
 * edge-triggered and takes a short read as "drained", so an end of input
 * that arrives together with the request is never seen and an incomplete
 * request (a Content-Length with no body) held the connection, and the
 * input, until the client gave up. Arriving after the server's read, the
 * end of input is a new event: the server closes at once. Until this
 * session the client waited a fixed 10 ms before the shutdown instead,
 * which bounded the incomplete inputs to 100 a second (perf: the fuzz
 * process asleep in poll most of the time); now an input costs what the
 * server does with it. FN_EOF_CAP_MS bounds the wait in case the server
 * never reads (it then behaves as before: end of input, then read). This
 * is only for inputs that may be incomplete (fuzz_http_request's raw
 * bytes): a complete request (fn_exchange) waits for its answer first.
 *
 * Signals. libFuzzer's -timeout arms a SIGALRM interval timer (every
 * timeout/2 + 1 s) whose handler has no SA_RESTART, and the signal goes to
 * this (the main) thread: a blocking connect, send or recv with a socket
 * timeout, and every poll, then fails with EINTR. Each call here retries
 * it (an interrupted connect goes on in the background: its end is awaited
 * with poll and SO_ERROR). Before, an alarm landing in the /health
 * exchange made it return -1 (connect) or shut the request down before its
 * answer (ppoll taken for an answer), which MHD then drops: "the node no
 * longer answers /health" once in 107,523 and once in 287,024 inputs of
 * the long runs (-timeout=10: an alarm every 6 s), never when replaying
 * (no alarm in a 2 ms run). tests/unit/api/test_fuzz_node.c checks it.
 *
 * Everything on the server side (MHD's threads, the connection guard, the
 * routing, the handlers) runs in this process, so the sanitizers and the
 * coverage see it. A request runs in a few hundred microseconds: these
 * targets are slower than the pure-parser ones (thousands of inputs per
 * second, not hundreds of thousands).
 */
#ifndef DECC_FUZZ_NODE_H
#define DECC_FUZZ_NODE_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "decc/mem.h"
#include "decc/node.h"

static decc_node *fn_node;
static decc_node_config fn_cfg;
static char fn_home[256];
static unsigned fn_port;

/* The longest the end of input waits for the server to read the request
 * (see above); normally it waits microseconds. */
#define FN_EOF_CAP_MS 1000
/* Once the server has read a request that may be incomplete, how long its
 * answer is awaited before the end of input is sent: a complete request's
 * answer that takes longer is lost (the input is then not checked, never
 * wrongly reported). */
#define FN_ANSWER_GRACE_MS 2

static void fn_stop(void) {
  decc_node_destroy(fn_node);
  fn_node = NULL;
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
  if (decc_node_config_set(&fn_cfg, "home", fn_home, &err) ||
      decc_node_config_set(&fn_cfg, "port", "0", &err) ||
      decc_node_config_set(&fn_cfg, "roles", "chain,market", &err) ||
      decc_node_config_set(&fn_cfg, "market_refresh_s", "0", &err) ||
      decc_node_config_set(&fn_cfg, "log_requests", "false", &err) ||
      /* inputs the server waits on (junk before the request line, an
       * incomplete body) keep their connection until the header or body
       * deadline: room for those */
      decc_node_config_set(&fn_cfg, "max_connections", "8192", &err) ||
      decc_node_create(&fn_node, &fn_cfg, NULL, NULL, &err) ||
      decc_node_start(fn_node, &err)) {
    fprintf(stderr, "fuzz_node: %s\n", err.msg);
    abort();
  }
  fn_port = decc_node_port(fn_node);
  atexit(fn_stop);
}

/* Where the server's end of the last connection was: the next one is
 * usually there again (each input's connections are closed before the
 * next), so the scan below mostly costs one getpeername (perf: the scan
 * from cfd up was 4 % of the time). */
static int fn_last_sfd;

/* The server's end of the loopback connection whose client end is cfd
 * (an fd of this process whose peer is cfd's local address), or -1 when
 * the server has not accepted it yet. hint: where to look first. */
static int fn_server_fd(int cfd, int hint) {
  struct sockaddr_in me, peer;
  socklen_t l = sizeof me;
  if (getsockname(cfd, (struct sockaddr *)&me, &l) != 0)
    return -1;
  /* accept() takes the lowest free fd, which is at most the number of
   * fds open; cfd was the lowest free one a moment before: the server's
   * end is below cfd + 64 unless 64 fds were opened in between */
  int maxfd = cfd + 64;
  for (int i = 0; i < maxfd; i++) {
    int fd = (hint + i) % maxfd;
    if (fd == cfd)
      continue;
    l = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &l) == 0 &&
        peer.sin_family == AF_INET && peer.sin_port == me.sin_port &&
        peer.sin_addr.s_addr == me.sin_addr.s_addr)
      return fn_last_sfd = fd;
  }
  return -1;
}

/* Milliseconds since *t0. */
static long fn_ms_since(const struct timespec *t0) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - t0->tv_sec) * 1000 +
         (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* 1 when fd is (still) the server's end of the connection whose client
 * end had local port port (network order). */
static int fn_is_peer(int fd, uint16_t port) {
  struct sockaddr_in peer;
  socklen_t l = sizeof peer;
  return fd >= 0 && getpeername(fd, (struct sockaddr *)&peer, &l) == 0 &&
         peer.sin_family == AF_INET && peer.sin_port == port;
}

/* Waits until the server has answered on cfd or, when the request may be
 * incomplete (complete == 0), has read all that was sent (see the top of
 * this file) and then FN_ANSWER_GRACE_MS more for its answer; at most
 * wait_ms (complete) or FN_EOF_CAP_MS. A complete request is never shut
 * down before its answer: MHD closes a connection whose client's end of
 * input it reads before the response is sent, and such a lost answer made
 * the /health check fail once in 107,523 inputs under load 12.
 * Returns the server's end of the connection when it was found, else -1. */
static int fn_wait_consumed(int cfd, int complete, long wait_ms) {
  struct timespec t0, tick = {0, 100000}; /* 100 us */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct sockaddr_in me;
  socklen_t l = sizeof me;
  if (getsockname(cfd, (struct sockaddr *)&me, &l) != 0)
    return -1;
  int sfd = -1;
  for (;;) {
    struct pollfd pf = {cfd, POLLIN, 0};
    int pr = ppoll(&pf, 1, &tick, NULL);
    if (pr > 0 || (pr < 0 && errno != EINTR))
      return sfd; /* an answer (or the server closed, or an error) */
    if (sfd < 0)
      sfd = fn_server_fd(cfd, fn_last_sfd);
    int unread = -1;
    /* fn_is_peer again: MHD may have closed sfd and the number been
     * reused by the time FIONREAD was asked */
    if (!complete && sfd >= 0 && ioctl(sfd, FIONREAD, &unread) == 0 &&
        unread == 0 && fn_is_peer(sfd, me.sin_port)) {
      (void)poll(&pf, 1, FN_ANSWER_GRACE_MS);
      return sfd;
    }
    if (sfd >= 0 && !fn_is_peer(sfd, me.sin_port))
      sfd = -1;
    if (fn_ms_since(&t0) >= (complete ? wait_ms : FN_EOF_CAP_MS))
      return sfd;
  }
}

/* After the client's close: waits (at most FN_EOF_CAP_MS) until the
 * server has closed its end sfd of the connection whose client end had
 * local port port, i.e. MHD has cleaned the connection up. Without this,
 * the server freed an input's memory after the input had returned;
 * libFuzzer then sees more mallocs than frees and runs a full LeakSanitizer
 * scan of the heap for that input (perf: a quarter of the time in
 * __lsan::ScanRangeForPointers and GetAsanChunkByAddrFastLocked). */
static void fn_wait_closed(int sfd, uint16_t port) {
  struct timespec t0, tick = {0, 20000}; /* 20 us */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (fn_is_peer(sfd, port) && fn_ms_since(&t0) < FN_EOF_CAP_MS)
    ppoll(NULL, 0, &tick, NULL);
  /* MHD frees the connection right after closing its socket */
  sched_yield();
}

/* connect(2) on the blocking socket fd, through an alarm: an interrupted
 * connect goes on in the background, so its end is awaited (POLLOUT, at
 * most wait_ms in all) and read from SO_ERROR. Returns 0 when connected. */
static int fn_connect(int fd, const struct sockaddr_in *sa, long wait_ms) {
  if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0)
    return 0;
  if (errno != EINTR)
    return -1;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    long left = wait_ms - fn_ms_since(&t0);
    if (left <= 0)
      return -1;
    struct pollfd pf = {fd, POLLOUT, 0};
    int pr = poll(&pf, 1, (int)left);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr <= 0)
      return -1;
    int soerr = 0;
    socklen_t l = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l) != 0 || soerr)
      return -1;
    return 0;
  }
}

/* Sends req (len bytes) on a new connection, then reads the response into
 * out (NUL-terminated, at most cap - 1 bytes kept), waiting at most
 * wait_ms between bytes. Returns the HTTP status of the response, 0 when
 * none came (the server closed, or waits for more input: MHD ignores a
 * client's end of input until its header or body deadline), -1 on a local
 * socket error. Aborts on a response that is not HTTP. complete: req is a
 * whole request (the end of input waits for its answer, see
 * fn_wait_consumed). */
static int fn_exchange_io(const void *req, size_t len, char *out, size_t cap,
                          long wait_ms, int complete) {
  fn_start();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  struct timeval tv = {wait_ms / 1000, (wait_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)fn_port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fn_connect(fd, &sa, wait_ms) != 0) {
    close(fd);
    return -1;
  }
  const char *p = req;
  size_t left = len;
  while (left > 0) {
    ssize_t w = send(fd, p, left, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue; /* an alarm before any byte was sent */
    if (w <= 0)
      break; /* the server may close early (413, 400): read what it said */
    p += w;
    left -= (size_t)w;
  }
  /* an answer, or the request fully read */
  int sfd = fn_wait_consumed(fd, complete, wait_ms);
  struct sockaddr_in me;
  socklen_t ml = sizeof me;
  if (getsockname(fd, (struct sockaddr *)&me, &ml) != 0)
    me.sin_port = 0;
  if (sfd < 0)
    sfd = fn_server_fd(fd, fn_last_sfd);
  shutdown(fd, SHUT_WR);
  /* read until the server closes or, for a kept-alive connection, until
   * the response announced by Content-Length is complete */
  size_t n = 0, total = 0, want = (size_t)-1;
  for (;;) {
    char tmp[4096];
    ssize_t r = recv(fd, tmp, sizeof tmp, 0);
    if (r < 0 && errno == EINTR)
      continue; /* an alarm, not the end of the answer */
    if (r <= 0)
      break;
    size_t keep = (size_t)r;
    if (n + keep > cap - 1)
      keep = cap - 1 - n;
    memcpy(out + n, tmp, keep);
    n += keep;
    total += (size_t)r;
    out[n] = 0;
    if (want == (size_t)-1) {
      const char *end = strstr(out, "\r\n\r\n");
      const char *cl = strcasestr(out, "\r\nContent-Length:");
      if (end && cl && cl < end)
        want = (size_t)(end + 4 - out) + strtoul(cl + 17, NULL, 10);
    }
    if (total >= want)
      break;
  }
  close(fd);
  if (sfd >= 0 && me.sin_port)
    fn_wait_closed(sfd, me.sin_port);
  out[n] = 0;
  if (n == 0)
    return 0;
  int status = 0;
  if (strncmp(out, "HTTP/1.", 7) != 0 || sscanf(out + 9, "%3d", &status) != 1 ||
      status < 100 || status > 599) {
    fprintf(stderr, "fuzz_node: not an HTTP response: %.80s\n", out);
    abort();
  }
  return status;
}

/* For any bytes (the request may be incomplete or not HTTP at all).
 * inline: not every target uses it. */
static inline int fn_exchange_wait(const void *req, size_t len, char *out,
                                   size_t cap, long wait_ms) {
  return fn_exchange_io(req, len, out, cap, wait_ms, 0);
}

/* For a complete request, which must be answered: waits up to 10 s for the
 * answer before the end of input. */
static inline int fn_exchange(const void *req, size_t len, char *out,
                              size_t cap) {
  return fn_exchange_io(req, len, out, cap, 10000, 1);
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
