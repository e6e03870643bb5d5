/*
 * fuzz_node.h — shared by the fuzz targets that reach `decc node` through
 * its HTTP server (fuzz_http_request, fuzz_jsonrpc, fuzz_market_query): one
 * in-process node (roles chain + market, embedded ledger, a temporary
 * home, port 0 on 127.0.0.1) started on the first input and destroyed at
 * exit, and two clients:
 *  - fn_exchange, for a complete request (GET or POST, built by the
 *    target): sent on one kept-alive connection, reused from input to input
 *    until the server closes it, the answer read by its framing
 *    (Content-Length or chunked). Until session 8 every request had a
 *    connection of its own: connect, accept, MHD's connection set-up, the
 *    close and its clean-up, and a client polling every 100 us for the
 *    server's state, which took the CPU from the server's threads on a
 *    loaded machine (perf: the fuzz thread in ppoll and getpeername, the
 *    server in connection set-up); fuzz_jsonrpc ran ~500 inputs/s and
 *    fuzz_market_query ~40/s (nice 10, load ~10), now ~1300-2000/s.
 *    Two things keep it exact. The server counts a request finished only
 *    once its state is freed (decc_http_requests_completed), and the client
 *    waits for that count before the input returns (fn_wait_completed), so
 *    libFuzzer's per-input malloc/free balance still holds. And MHD 0.9.75
 *    never answers nor closes a kept-alive connection whose request line
 *    has more query arguments than its memory pool holds (a fresh
 *    connection is closed at once): while no answer has come, the client
 *    looks every millisecond whether every MHD thread sleeps in epoll_wait
 *    (/proc/self/task/TID/wchan), i.e. the server waits for an event; it
 *    then closes the connection, as the old per-request connection ended,
 *    instead of waiting 10 s for the header deadline.
 *  - fn_exchange_wait, for raw bytes (fuzz_http_request), which may be
 *    incomplete or not HTTP: one fresh connection per input, the write side
 *    shut down after the request, so a request cut short ends the
 *    connection instead of waiting for the header deadline.
 *
 * The raw client's write side is shut down once the server has answered,
 * or has done all it could with the request and waits for more. MHD's
 * epoll loop is edge-triggered and takes a short read as "drained", so an
 * end of input that arrives together with the request is never seen and an
 * incomplete request (a Content-Length with no body) held the connection,
 * and the input, until the client gave up. Arriving after the server's
 * read, the end of input is a new event: the server closes at once. Until
 * session 6 the client waited a fixed 10 ms before the shutdown; sessions
 * 6-7 found the server's end of the connection and waited until FIONREAD
 * said it had read everything, then 2 ms more for an answer. Since session
 * 8 the client polls for the answer every FN_RAW_TICK_US and, while none
 * has come, reads /proc/self/task/TID/wchan of the MHD threads: when every
 * one sleeps in epoll_wait, the server has done all it could with what it
 * received (fn_server_idle). FN_EOF_CAP_MS bounds the wait in case the
 * server never rests (it then behaves as before: end of input, then read).
 * Where /proc cannot tell, every wait takes FN_EOF_CAP_MS (raw client) or
 * the 10 s bound (fn_exchange): slow, never wrong.
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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "decc/http.h"
#include "decc/mem.h"
#include "decc/node.h"

static decc_node *fn_node;
static decc_node_config fn_cfg;
static char fn_home[256];
static unsigned fn_port;

/* The longest the end of input waits for the server to read the request
 * (see above); normally it waits microseconds. */
#define FN_EOF_CAP_MS 1000
/* The node's MHD threads (its "threads" setting). */
#define FN_MHD_THREADS 2
#define FN_MHD_THREADS_STR "2"
/* How often the raw client looks for an answer or an idle server (us). */
#define FN_RAW_TICK_US 50

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
      /* 2 MHD threads, not 8: the same thread-pool code, and a quarter of
       * the /proc reads per look at the server (fn_server_idle) */
      decc_node_config_set(&fn_cfg, "threads", FN_MHD_THREADS_STR, &err) ||
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

/* Milliseconds since *t0. */
static long fn_ms_since(const struct timespec *t0) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (now.tv_sec - t0->tv_sec) * 1000 +
         (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The server's threads (MHD names them "MHD-worker"): their
 * /proc/self/task/TID/wchan, opened once. */
static int fn_mhd_wchan[64];
static int fn_nmhd = -1;

/* Lists the MHD threads; returns how many were found. */
static int fn_mhd_scan(void) {
  for (int i = 0; i < fn_nmhd; i++)
    close(fn_mhd_wchan[i]);
  fn_nmhd = 0;
  DIR *d = opendir("/proc/self/task");
  struct dirent *e;
  while (d && (e = readdir(d)) != NULL && fn_nmhd < 64) {
    char path[64], comm[32] = {0};
    snprintf(path, sizeof path, "/proc/self/task/%.20s/comm", e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      continue;
    ssize_t r = read(fd, comm, sizeof comm - 1);
    close(fd);
    if (r < 3 || strncmp(comm, "MHD", 3) != 0)
      continue;
    snprintf(path, sizeof path, "/proc/self/task/%.20s/wchan", e->d_name);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0)
      fn_mhd_wchan[fn_nmhd++] = fd;
  }
  if (d)
    closedir(d);
  return fn_nmhd;
}

/* 1 when every listed MHD thread sleeps in epoll_wait. */
static int fn_mhd_all_epoll(void) {
  for (int i = 0; i < fn_nmhd; i++) {
    char w[64];
    ssize_t r = pread(fn_mhd_wchan[i], w, sizeof w - 1, 0);
    if (r <= 0)
      return 0;
    w[r] = 0;
    if (!strstr(w, "epoll"))
      return 0;
  }
  return fn_nmhd > 0;
}

/* Opens the wchan of every MHD thread. A thread names itself once it runs,
 * which may be after decc_node_start returned: until all FN_MHD_THREADS
 * are seen (at most 1 s), one that is not could be running unseen. And a
 * kernel may not name where a thread sleeps (wchan "0"): the server, which
 * nobody sends anything now, must be seen at rest within 1 s. Anything
 * else leaves fn_nmhd 0 (no /proc to tell: the waits take their bounds). */
static void fn_mhd_open(void) {
  struct timespec t0, tick = {0, 1000000}; /* 1 ms */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (fn_mhd_scan() != FN_MHD_THREADS || !fn_mhd_all_epoll()) {
    if (fn_ms_since(&t0) >= 1000) {
      fprintf(stderr,
              "fuzz_node: %d MHD threads in /proc/self/task (%d expected), "
              "not seen asleep in epoll_wait: waits use their time bounds\n",
              fn_nmhd, FN_MHD_THREADS);
      for (int i = 0; i < fn_nmhd; i++)
        close(fn_mhd_wchan[i]);
      fn_nmhd = 0;
      return;
    }
    nanosleep(&tick, NULL);
  }
}

/* 1 when every MHD thread of the node sleeps in epoll_wait, i.e. has done
 * all it could with what it received and waits for a new event; 0 when one
 * runs or waits elsewhere, or this cannot be known (no /proc). */
static int fn_server_idle(void) {
  if (fn_nmhd < 0)
    fn_mhd_open();
  return fn_mhd_all_epoll();
}

/* Waits until the server has answered on cfd (or closed it), or has done
 * all it could with the request and waits for more (fn_server_idle: an
 * incomplete request, or junk MHD keeps reading), at most FN_EOF_CAP_MS.
 * Polls the answer every FN_RAW_TICK_US and looks at the server's threads
 * in between. Until session 8 it looked for the server's end of the
 * connection and its unread bytes (FIONREAD) every 100 us and then gave the
 * answer 2 ms more: every input that got no answer cost those 2 ms, and the
 * polling took the CPU from the server on a loaded machine.
 */
static inline void fn_wait_consumed(int cfd) {
  struct timespec t0, tick = {0, FN_RAW_TICK_US * 1000L};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    struct pollfd pf = {cfd, POLLIN, 0};
    int pr = ppoll(&pf, 1, &tick, NULL);
    if (pr < 0 && errno == EINTR)
      continue;
    if (pr != 0)
      break; /* an answer (or the server closed, or an error) */
    if (fn_server_idle()) {
      do /* an answer sent before the server slept? (then read it) */
        pr = poll(&pf, 1, 0);
      while (pr < 0 && errno == EINTR);
      break;
    }
    /* no /proc to tell (fn_nmhd 0): 2 ms for an answer, as before */
    if (fn_ms_since(&t0) >= (fn_nmhd ? FN_EOF_CAP_MS : 2))
      break;
  }
}

/* After the client's close: waits (at most FN_EOF_CAP_MS) until every
 * MHD thread sleeps in epoll_wait again (fn_server_idle), i.e. MHD has
 * seen the end of the connection, closed it and freed it (its loop cleans
 * closed connections up before it waits again). Without this, the server
 * freed an input's memory after the input had returned; libFuzzer then
 * sees more mallocs than frees and runs a full LeakSanitizer scan of the
 * heap for that input (perf: a quarter of the time in
 * __lsan::ScanRangeForPointers and GetAsanChunkByAddrFastLocked). Until
 * session 8 this looked for the server's end of the connection among the
 * process's fds with getpeername, up to 64 calls per input (perf: 21 % of
 * fuzz_http_request's time in fn_server_fd). */
static void fn_wait_rest(void) {
  struct timespec t0, tick = {0, 20000}; /* 20 us */
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (!fn_server_idle() && fn_nmhd > 0 && fn_ms_since(&t0) < FN_EOF_CAP_MS)
    ppoll(NULL, 0, &tick, NULL);
  sched_yield(); /* (no /proc to tell: at least let the server run) */
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
 * socket error. Aborts on a response that is not HTTP. */
static inline int fn_exchange_io(const void *req, size_t len, char *out,
                                 size_t cap, long wait_ms) {
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
  fn_wait_consumed(fd);
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
  fn_wait_rest();
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
  return fn_exchange_io(req, len, out, cap, wait_ms);
}

/* ---- complete requests: one keep-alive connection -------------------------
 *
 * fn_exchange sends every complete request on one kept-alive connection
 * (fn_ka) and reads its answer by its framing (Content-Length, chunked, or
 * none for 1xx/204/304); the connection is opened again only when the
 * server closed it (Connection: close, an error answer, a deadline) or the
 * answer could not be framed. No connect, accept, close and connection
 * cleanup per input, no polling for the server's state: the client sleeps
 * in poll until the answer's bytes arrive. */

static int fn_ka = -1;        /* client end of the kept-alive connection */
static unsigned fn_ka_missed; /* completions not seen in time (stderr once) */
static unsigned fn_ka_stuck;  /* requests the server left unanswered at rest */

/* How often fn_read_answer looks whether the server waits for an event
 * while no answer has come. */
#define FN_IDLE_CHECK_MS 1
/* The longest fn_exchange waits, after the answer, for the server to finish
 * the request (decc_http_requests_completed); normally microseconds. */
#define FN_COMPLETE_CAP_MS 200

/* Opens a connection to the node; TCP_NODELAY so that a request (one send)
 * and its answer never wait for a delayed ACK. Returns the fd or -1. */
static int fn_open(long wait_ms) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((uint16_t)fn_port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fn_connect(fd, &sa, wait_ms) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Closes the kept-alive connection and waits until the server has closed
 * and freed its end too (fn_wait_rest), within the input that closed it. */
static void fn_ka_drop(void) {
  if (fn_ka < 0)
    return;
  close(fn_ka);
  fn_ka = -1;
  fn_wait_rest();
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

/* Sends len bytes on fd (EINTR retried). Returns 0, or -1 when the
 * connection failed first (the server may have closed it). */
static int fn_send_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    len -= (size_t)w;
  }
  return 0;
}

/* What fn_read_answer read. */
typedef struct fn_answer {
  size_t n;   /* bytes kept in out */
  int framed; /* the answer ended where its framing says */
  int closed; /* the server closed (or reset) the connection */
  int keep;   /* framed, not closed, no "Connection: close": reusable */
  int stuck;  /* no answer, and the server waits for a new event */
} fn_answer;

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

/* Reads one answer from fd into out (NUL-terminated, at most cap - 1
 * bytes kept; a longer Content-Length body is read and dropped), waiting
 * at most wait_ms between bytes (EINTR retried). A chunked answer longer
 * than out cannot be framed: it is then not reusable. */
static void fn_read_answer(int fd, char *out, size_t cap, long wait_ms,
                           fn_answer *a) {
  memset(a, 0, sizeof *a);
  out[0] = 0;
  size_t total = 0, want = (size_t)-1, head = 0;
  int chunked = 0, conn_close = 0, until_close = 0;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    struct pollfd pf = {fd, POLLIN, 0};
    /* before the first byte, every FN_IDLE_CHECK_MS: see fn_server_idle */
    int pr = poll(&pf, 1, a->n ? (int)wait_ms : FN_IDLE_CHECK_MS);
    if (pr < 0 && errno == EINTR)
      continue; /* an alarm (waits wait_ms again: a bound, not a deadline) */
    if (pr == 0 && !a->n && fn_ms_since(&t0) < wait_ms) {
      if (!fn_server_idle())
        continue;
      pr = poll(&pf, 1, 0); /* an answer sent before the server slept? */
      if (pr == 0) {
        a->stuck = 1;
        fn_ka_stuck++;
        return;
      }
    }
    if (pr <= 0)
      return; /* no more bytes in time: not framed, not reusable */
    char tmp[16384];
    ssize_t r = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (r <= 0) {
      a->closed = 1;
      a->framed = until_close;
      return;
    }
    size_t keep = (size_t)r;
    if (a->n + keep > cap - 1)
      keep = cap - 1 - a->n;
    memcpy(out + a->n, tmp, keep);
    a->n += keep;
    total += (size_t)r;
    out[a->n] = 0;
    if (!head && (head = fn_head_len(out)) != 0) {
      int status = 0;
      if (strncmp(out, "HTTP/1.", 7) != 0 ||
          sscanf(out + 9, "%3d", &status) != 1)
        until_close = 1; /* the caller judges it; no framing to trust */
      char save = out[head - 2];
      out[head - 2] = 0; /* the headers alone */
      const char *cl = strcasestr(out, "\r\nContent-Length:");
      chunked = fn_header_has(out, "Transfer-Encoding", "chunked");
      conn_close = fn_header_has(out, "Connection", "close");
      if (until_close)
        ;
      else if (status < 200) /* an interim answer: the framing is off */
        until_close = 1;
      else if (status == 204 || status == 304)
        want = head;
      else if (chunked)
        want = (size_t)-1;
      else if (cl)
        want = head + strtoul(cl + 17, NULL, 10);
      else
        until_close = 1;
      out[head - 2] = save;
    }
    if (!head || until_close)
      continue;
    if (chunked) {
      size_t end = fn_chunked_end(out, a->n, head);
      if (end == (size_t)-1 || (end == 0 && a->n == cap - 1))
        return; /* cannot be framed: not reusable */
      if (end == 0)
        continue;
      a->framed = 1;
      a->keep = !conn_close && end == total;
      return;
    }
    if (total >= want) {
      a->framed = 1;
      a->keep = !conn_close && total == want;
      return;
    }
  }
}

/* After an answer on the kept-alive connection: waits (at most
 * FN_COMPLETE_CAP_MS) until the server has finished the request (its
 * completion has freed the request's state). MHD sends the last byte
 * before it runs the completion: returning at once let the server free the
 * input's memory after the input had returned, and libFuzzer takes more
 * mallocs than frees for a leak (it runs the input again, then a full
 * LeakSanitizer scan of the heap). */
static void fn_wait_completed(uint64_t target) {
  if (decc_http_requests_completed() >= target)
    return;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (unsigned i = 0; decc_http_requests_completed() < target; i++) {
    sched_yield();
    if ((i & 63) == 63 && fn_ms_since(&t0) >= FN_COMPLETE_CAP_MS) {
      if (!fn_ka_missed++)
        fprintf(stderr, "fuzz_node: a request's completion took over %d ms\n",
                FN_COMPLETE_CAP_MS);
      return;
    }
  }
}

/* For a complete request (GET or POST, not HEAD), which must be answered:
 * sends it on the kept-alive connection (opened when there is none or the
 * server closed it; once more on a fresh one when a reused connection
 * turns out closed before any answer) and reads its answer into out
 * (NUL-terminated, at most cap - 1 bytes kept), waiting at most 10 s
 * between bytes. Returns the HTTP status, 0 when no answer came, -1 when
 * the node cannot be reached. Aborts on an answer that is not HTTP. */
static int fn_exchange(const void *req, size_t len, char *out, size_t cap) {
  fn_start();
  const long wait_ms = 10000;
  uint64_t done0 = decc_http_requests_completed();
  fn_answer a;
  for (int attempt = 0;; attempt++) {
    if (fn_ka >= 0 && !fn_ka_usable())
      fn_ka_drop();
    int reused = fn_ka >= 0;
    if (fn_ka < 0 && (fn_ka = fn_open(wait_ms)) < 0)
      return -1;
    /* a failed send still reads what the server said (413, 400) */
    int sent = fn_send_all(fn_ka, req, len) == 0;
    fn_read_answer(fn_ka, out, cap, wait_ms, &a);
    if (a.n == 0 && reused && attempt == 0 && (a.closed || !sent)) {
      fn_ka_drop(); /* closed by the server while idle: not this request */
      continue;
    }
    break;
  }
  if (!a.keep)
    fn_ka_drop();
  else
    fn_wait_completed(done0 + 1);
  if (a.n == 0)
    return 0;
  int status = 0;
  if (strncmp(out, "HTTP/1.", 7) != 0 || sscanf(out + 9, "%3d", &status) != 1 ||
      status < 100 || status > 599) {
    fprintf(stderr, "fuzz_node: not an HTTP response: %.80s\n", out);
    abort();
  }
  return status;
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
