/*
 * test_http_guard.c — the HTTP server against hostile clients, on loopback
 * only, with bounded counts and times:
 *  - slowloris: connections trickling header lines (so MHD's idle timeout,
 *    reset by every byte, never fires) are closed at the header deadline,
 *    not before it;
 *  - a flood of such connections from many source addresses (127.0.0.x,
 *    under the per-IP limit, so that limit does not help) larger than the
 *    connection limit, reopened as soon as they are dropped: /health sent
 *    promptly from 127.0.0.1 is still answered every time, because the
 *    connections waiting longest for their headers make room;
 *  - the per-IP limit refuses one address's excess connections;
 *  - at the connection limit, a new connection waits until one closes;
 *  - a body trickled below the minimum rate is cut at the body deadline,
 *    while a steady upload that outlasts the base deadline and a handler
 *    slower than every deadline are not.
 * The figures printed (/health latencies during the flood) are information,
 * not assertions: the assertions are about what is answered and what is
 * closed, with generous upper bounds so a slow (sanitizer, valgrind) run
 * passes too; lower bounds (never closed before the deadline) are exact.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "decc/http.h"
#include "decc/mem.h"
#include "test.h"

static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void h_health(void *ctx, decc_http_request *req,
                     decc_http_response *res) {
  (void)ctx;
  (void)req;
  (void)decc_http_res_json(res, 200, "{\"ok\":true}");
}

static void h_len(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  size_t n;
  (void)decc_http_req_body(req, &n);
  char out[64];
  snprintf(out, sizeof out, "{\"n\":%zu}", n);
  (void)decc_http_res_json(res, 200, out);
}

static void h_slow(void *ctx, decc_http_request *req, decc_http_response *res) {
  (void)ctx;
  (void)req;
  sleep(3); /* longer than every deadline of the server below */
  (void)decc_http_res_json(res, 200, "{\"slow\":true}");
}

static decc_http_server *start(decc_http_config *cfg, uint16_t *port) {
  decc_http_server *s = NULL;
  if (decc_http_server_create(&s, cfg) ||
      decc_http_route(s, "GET", "/health", h_health, NULL) ||
      decc_http_route(s, "POST", "/len", h_len, NULL) ||
      decc_http_route(s, "GET", "/slow", h_slow, NULL) ||
      decc_http_server_start(s, NULL)) {
    decc_http_server_destroy(s);
    return NULL;
  }
  *port = decc_http_server_port(s);
  return s;
}

/* A TCP connection to 127.0.0.1:port from source address src. */
static int open_from(const char *src, uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  inet_pton(AF_INET, src, &a.sin_addr);
  struct sockaddr_in d;
  memset(&d, 0, sizeof d);
  d.sin_family = AF_INET;
  d.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &d.sin_addr);
  /* bounded: a full accept backlog must not hang the test */
  struct timeval tv = {10, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
      connect(fd, (struct sockaddr *)&d, sizeof d) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int send_str(int fd, const char *s) {
  size_t n = strlen(s);
  return send(fd, s, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n ? 0 : -1;
}

/* 1 when the server closed fd (end of stream or reset), 0 when not (yet).
 * Any bytes the server sent are discarded. */
static int server_closed(int fd) {
  for (;;) {
    char b[512];
    ssize_t r = recv(fd, b, sizeof b, MSG_DONTWAIT);
    if (r == 0)
      return 1;
    if (r < 0)
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : 1;
  }
}

/* Reads an HTTP response's head (up to the blank line) within max_s.
 * Returns the status code, or -1 (closed or timed out). */
static int read_status(int fd, double max_s) {
  char buf[2048];
  size_t len = 0;
  double end = mono() + max_s;
  while (len < sizeof buf - 1) {
    int left = (int)((end - mono()) * 1000);
    if (left <= 0)
      return -1;
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, left) <= 0)
      continue;
    ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
    if (r <= 0)
      return -1;
    len += (size_t)r;
    buf[len] = 0;
    if (strstr(buf, "\r\n\r\n")) {
      int code = -1;
      if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1)
        return -1;
      return code;
    }
  }
  return -1;
}

/* One prompt /health request on a fresh connection from 127.0.0.1.
 * Returns the status (-1: no answer within max_s); *secs = time taken. */
static int probe_health(uint16_t port, double max_s, double *secs) {
  double t0 = mono();
  int fd = open_from("127.0.0.1", port);
  int code = -1;
  if (fd >= 0) {
    if (send_str(fd, "GET /health HTTP/1.1\r\nHost: t\r\n"
                     "Connection: close\r\n\r\n") == 0)
      code = read_status(fd, max_s);
    close(fd);
  }
  *secs = mono() - t0;
  return code;
}

TEST(trickled_headers_are_closed_at_the_deadline) {
  decc_http_config cfg = {0};
  cfg.max_connections = 64;
  cfg.timeout_s = 120; /* the idle timeout must not be what closes them */
  cfg.header_timeout_s = 2;
  uint16_t port;
  decc_http_server *s = start(&cfg, &port);
  ASSERT(s != NULL);
  enum { N = 20 };
  int fd[N];
  double opened[N], closed_at[N];
  for (int i = 0; i < N; i++) {
    char src[32];
    snprintf(src, sizeof src, "127.0.0.%d", 2 + i % 4);
    opened[i] = mono();
    fd[i] = open_from(src, port);
    ASSERT(fd[i] >= 0);
    ASSERT_OK(send_str(fd[i], "GET /health HTTP/1.1\r\nHost: t\r\n"));
    closed_at[i] = 0;
  }
  /* Trickle a header line every 300 ms until all are closed (at most 60 s:
   * without a deadline none would be, the idle timer being reset). */
  int left = N;
  double stop = mono() + 60;
  while (left > 0 && mono() < stop) {
    usleep(300 * 1000);
    for (int i = 0; i < N; i++) {
      if (closed_at[i] > 0)
        continue;
      if (server_closed(fd[i]) || send_str(fd[i], "X-Trickle: 1\r\n") != 0) {
        closed_at[i] = mono();
        left--;
      }
    }
  }
  ASSERT_EQ(left, 0);
  double first = 1e9, last = 0;
  for (int i = 0; i < N; i++) {
    double held = closed_at[i] - opened[i];
    /* never before the deadline (the server's clock starts after ours) */
    ASSERT(held >= cfg.header_timeout_s - 0.01);
    first = held < first ? held : first;
    last = held > last ? held : last;
    close(fd[i]);
  }
  decc_http_stats st;
  decc_http_server_stats(s, &st);
  printf("  %d trickling connections closed after %.2f..%.2f s (header "
         "deadline %u s); deadline_closed=%llu\n",
         N, first, last, cfg.header_timeout_s,
         (unsigned long long)st.deadline_closed);
  ASSERT(st.deadline_closed >= N);
  /* The server still serves. */
  double t;
  ASSERT_EQ(probe_health(port, 30, &t), 200);
  decc_http_server_destroy(s);
}

/* ---- a reopening slowloris flood in a thread ---- */

enum { FLOOD = 150, FLOOD_IPS = 15, FLOOD_MAX_OPENS = 5000 };

typedef struct flood {
  uint16_t port;
  atomic_int stop;
  atomic_int opens;
  atomic_int ready; /* every connection opened once */
} flood;

static void *flood_main(void *arg) {
  flood *f = arg;
  int fd[FLOOD];
  for (int i = 0; i < FLOOD; i++)
    fd[i] = -1;
  while (!atomic_load(&f->stop)) {
    for (int i = 0; i < FLOOD && !atomic_load(&f->stop); i++) {
      if (fd[i] >= 0 &&
          (server_closed(fd[i]) || send_str(fd[i], "X-Trickle: 1\r\n") != 0)) {
        close(fd[i]);
        fd[i] = -1;
      }
      if (fd[i] < 0 && atomic_load(&f->opens) < FLOOD_MAX_OPENS) {
        char src[32];
        snprintf(src, sizeof src, "127.0.0.%d", 10 + i % FLOOD_IPS);
        fd[i] = open_from(src, f->port);
        atomic_fetch_add(&f->opens, 1);
        if (fd[i] >= 0 &&
            send_str(fd[i], "GET /health HTTP/1.1\r\nHost: t\r\n") != 0) {
          close(fd[i]);
          fd[i] = -1;
        }
      }
    }
    atomic_store(&f->ready, 1);
    usleep(300 * 1000);
  }
  for (int i = 0; i < FLOOD; i++)
    if (fd[i] >= 0)
      close(fd[i]);
  return NULL;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

TEST(health_is_answered_during_a_slowloris_flood) {
  decc_http_config cfg = {0};
  cfg.max_connections = 64; /* the flood (150) is well above it */
  cfg.timeout_s = 120;
  cfg.header_timeout_s = 30; /* the deadline is not what saves /health here */
  uint16_t port;
  decc_http_server *s = start(&cfg, &port);
  ASSERT(s != NULL);
  flood f;
  memset(&f, 0, sizeof f);
  f.port = port;
  pthread_t th;
  ASSERT_OK(pthread_create(&th, NULL, flood_main, &f));
  double until = mono() + 60;
  while (!atomic_load(&f.ready) && mono() < until)
    usleep(50 * 1000);
  usleep(500 * 1000);
  enum { PROBES = 15 };
  double lat[PROBES];
  int ok = 0;
  for (int i = 0; i < PROBES; i++) {
    int code = probe_health(port, 20, &lat[i]);
    ok += code == 200;
    if (code != 200)
      printf("  probe %d: no answer (%d) after %.2f s\n", i, code, lat[i]);
    usleep(200 * 1000);
  }
  decc_http_stats st;
  decc_http_server_stats(s, &st);
  atomic_store(&f.stop, 1);
  pthread_join(th, NULL);
  qsort(lat, PROBES, sizeof lat[0], cmp_double);
  printf("  flood of %d trickling connections from %d addresses (%d opened), "
         "limit %u: /health %d/%d answered, p50 %.1f ms, max %.1f ms; "
         "evicted=%llu open=%u waiting=%u\n",
         FLOOD, FLOOD_IPS, atomic_load(&f.opens), cfg.max_connections, ok,
         PROBES, lat[PROBES / 2] * 1000, lat[PROBES - 1] * 1000,
         (unsigned long long)st.evicted, st.open, st.waiting);
  ASSERT_EQ(ok, PROBES);
  ASSERT(st.evicted > 0);
  /* waiting connections stay under max_connections - reserve (+ the
   * connection being accepted) */
  ASSERT(st.waiting <= cfg.max_connections);
  decc_http_server_destroy(s);
}

TEST(per_ip_limit_refuses_the_excess) {
  decc_http_config cfg = {0};
  cfg.max_connections = 64;
  cfg.max_per_ip = 4;
  cfg.timeout_s = 120;
  cfg.header_timeout_s = 60;
  uint16_t port;
  decc_http_server *s = start(&cfg, &port);
  ASSERT(s != NULL);
  enum { N = 7 };
  int fd[N];
  for (int i = 0; i < N; i++) {
    fd[i] = open_from("127.0.0.77", port);
    ASSERT(fd[i] >= 0);
  }
  /* The excess is closed at once by the server; allow a slow run 20 s. */
  int closed = 0;
  double until = mono() + 20;
  int is_closed[N] = {0};
  while (closed < N - 4 && mono() < until) {
    usleep(100 * 1000);
    for (int i = 0; i < N; i++)
      if (!is_closed[i] && server_closed(fd[i])) {
        is_closed[i] = 1;
        closed++;
      }
  }
  ASSERT_EQ(closed, N - 4);
  /* the others are still open and are served */
  int served = 0;
  for (int i = 0; i < N; i++) {
    if (is_closed[i])
      continue;
    ASSERT_OK(send_str(fd[i], "GET /health HTTP/1.1\r\nHost: t\r\n\r\n"));
    served += read_status(fd[i], 20) == 200;
  }
  ASSERT_EQ(served, 4);
  /* another address is not affected */
  double t;
  ASSERT_EQ(probe_health(port, 20, &t), 200);
  for (int i = 0; i < N; i++)
    close(fd[i]);
  decc_http_server_destroy(s);
}

/* At max_connections, a new connection waits in the kernel's backlog and is
 * served once a connection closes: it is neither refused nor dropped. The
 * four open ones are sending bodies, so none can be evicted. */
TEST(a_full_server_queues_new_connections_until_one_closes) {
  decc_http_config cfg = {0};
  cfg.max_connections = 4;
  cfg.max_per_ip = 8;
  cfg.timeout_s = 120;
  cfg.body_timeout_s = 60;
  uint16_t port;
  decc_http_server *s = start(&cfg, &port);
  ASSERT(s != NULL);
  /* one at a time, each in its body before the next: a fourth connection
   * starting while three still wait for headers would evict one */
  int fd[4];
  decc_http_stats st;
  for (int i = 0; i < 4; i++) {
    fd[i] = open_from("127.0.0.1", port);
    ASSERT(fd[i] >= 0);
    ASSERT_OK(send_str(fd[i], "POST /len HTTP/1.1\r\nHost: t\r\n"
                              "Content-Length: 8\r\n\r\nabcd"));
    double until = mono() + 20;
    do {
      usleep(5 * 1000);
      decc_http_server_stats(s, &st);
    } while ((st.open < (unsigned)i + 1 || st.waiting) && mono() < until);
    ASSERT_EQ(st.open, (unsigned)i + 1);
    ASSERT_EQ(st.waiting, 0);
  }
  ASSERT_EQ(st.evicted, 0);
  int extra = open_from("127.0.0.1", port); /* completes in the backlog */
  ASSERT(extra >= 0);
  ASSERT_OK(send_str(extra, "GET /health HTTP/1.1\r\nHost: t\r\n"
                            "Connection: close\r\n\r\n"));
  ASSERT_EQ(read_status(extra, 0.5), -1); /* not served while full */
  ASSERT_EQ(server_closed(extra), 0);     /* nor refused */
  /* one upload ends and its connection closes: the waiting one gets in */
  ASSERT_OK(send_str(fd[0], "efgh"));
  ASSERT_EQ(read_status(fd[0], 20), 200);
  close(fd[0]);
  ASSERT_EQ(read_status(extra, 20), 200);
  close(extra);
  for (int i = 1; i < 4; i++)
    close(fd[i]);
  decc_http_server_destroy(s);
}

TEST(body_deadline_cuts_trickles_not_steady_uploads) {
  decc_http_config cfg = {0};
  cfg.max_connections = 64;
  cfg.timeout_s = 120;
  cfg.header_timeout_s = 2;
  cfg.body_timeout_s = 2;
  cfg.body_min_rate = 1000;
  uint16_t port;
  decc_http_server *s = start(&cfg, &port);
  ASSERT(s != NULL);
  /* A steady upload of 9000 bytes at about 3000 B/s lasts about 3 s, past
   * the 2 s base deadline, but every 1000 bytes extend it by 1 s. */
  int fd = open_from("127.0.0.1", port);
  ASSERT(fd >= 0);
  ASSERT_OK(send_str(fd, "POST /len HTTP/1.1\r\nHost: t\r\n"
                         "Content-Length: 9000\r\n\r\n"));
  char chunk[301];
  memset(chunk, 'b', 300);
  chunk[300] = 0;
  for (int i = 0; i < 30; i++) {
    usleep(100 * 1000);
    ASSERT_OK(send_str(fd, chunk));
  }
  ASSERT_EQ(read_status(fd, 20), 200);
  close(fd);
  /* A body trickled at 5 B/s is cut near the 2 s deadline, unanswered. */
  fd = open_from("127.0.0.1", port);
  ASSERT(fd >= 0);
  double t0 = mono();
  ASSERT_OK(send_str(fd, "POST /len HTTP/1.1\r\nHost: t\r\n"
                         "Content-Length: 1000\r\n\r\n"));
  int cut = 0;
  while (!cut && mono() < t0 + 60) {
    usleep(200 * 1000);
    cut = server_closed(fd) || send_str(fd, "x") != 0;
  }
  double held = mono() - t0;
  ASSERT(cut);
  ASSERT(held >= cfg.body_timeout_s - 0.01);
  close(fd);
  printf("  trickled body cut after %.2f s (body deadline %u s)\n", held,
         cfg.body_timeout_s);
  /* A handler slower than every deadline still answers. */
  fd = open_from("127.0.0.1", port);
  ASSERT(fd >= 0);
  ASSERT_OK(send_str(fd, "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_EQ(read_status(fd, 30), 200);
  close(fd);
  decc_http_server_destroy(s);
}
