/*
 * bench_http.c — market queries per second through `decc node`'s HTTP API
 * on an orderbook of 100,000 published workerpool orders, with 64
 * concurrent connections from wrk (p50 / p99 latency), against the same
 * queries run in-process on the orderbook (decc_market_query) as the
 * reference.
 *
 * Seeding: 100,000 orders signed in C by 2,000 keys (50 per key, the
 * market API's open-order limit per signer), published through the
 * orderbook's normal path (signature recovery, owner check, limits) into
 * <home>/market/orders.db before the node starts; the bench's world says
 * each workerpool belongs to its key. The node then serves that file with
 * the periodic refresh off (its chain does not know these workerpools, so
 * a refresh would rightly mark them dead). No bench-only code in the node.
 *
 * DECC_BENCH_SCALE scales the order count (and the wrk duration);
 * DECC_BENCH_WRK_SECONDS overrides the duration (default 10 s per query).
 * DECC_BENCH_BOOK_CACHE=DIR keeps the seeded book as DIR/orders-N.db and
 * reuses it on the next run (seeding 100k signed orders takes minutes on a
 * loaded machine; the keys are derived from fixed seeds, so a kept book is
 * the one this run would seed).
 *
 * Slowloris: with the node still up, /health is probed on fresh
 * connections (200 probes) alone — the reference — and then while 300
 * connections from 127.0.0.2-4 trickle one header line every 5 s (dropped
 * ones are reopened at once), reporting answered probes, p50 and p99.
 * DECC_BENCH_SLOWLORIS=0 skips this part.
 *
 * Control: /health under the same wrk load (64 connections) before the
 * market queries — its latency is the server's and the machine's share of
 * every figure (scheduling, connection handling), the query's is the rest.
 * DECC_BENCH_THREADS=N sets the node's `threads` key (default: the node's
 * default), for thread-count sweeps with the same binary.
 * DECC_BENCH_METRICS=1 prints, after the runs, the node's own latency
 * histogram per route (GET /metrics, from headers received to response
 * queued): the server's share of wrk's figures, without the client side.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "decc/hash.h"
#include "decc/ledger.h"
#include "decc/market.h"
#include "decc/mem.h"
#include "decc/node.h"
#include "decc/order.h"

#define PER_SIGNER 50

typedef struct bworld {
  size_t nkeys;
  decc_address *owner; /* owner[k] signs the orders of workerpool k */
} bworld;

/* workerpool k's address: 0xb0b0 ‖ be32(k) ‖ zeros */
static decc_address wp_addr(size_t k) {
  decc_address a;
  memset(&a, 0, sizeof a);
  a.b[0] = 0xb0;
  a.b[1] = 0xb0;
  a.b[2] = (uint8_t)(k >> 24);
  a.b[3] = (uint8_t)(k >> 16);
  a.b[4] = (uint8_t)(k >> 8);
  a.b[5] = (uint8_t)k;
  return a;
}

static decc_status w_owner(void *ctx, decc_order_type t, const decc_address *r,
                           decc_address *owner) {
  (void)t;
  bworld *w = ctx;
  size_t k = (size_t)r->b[2] << 24 | (size_t)r->b[3] << 16 |
             (size_t)r->b[4] << 8 | r->b[5];
  if (r->b[0] != 0xb0 || r->b[1] != 0xb0 || k >= w->nkeys)
    return DECC_E_NOT_FOUND;
  *owner = w->owner[k];
  return DECC_OK;
}

static decc_status w_consumed(void *ctx, const uint8_t h[32], decc_u256 *c) {
  (void)ctx;
  (void)h;
  *c = decc_u256_from_u64(0);
  return DECC_OK;
}

/* Copies src to dst (plain file copy; the book is closed when it runs).
 * Returns 0 on success. */
static int copy_file(const char *src, const char *dst) {
  FILE *in = fopen(src, "rb");
  if (!in)
    return -1;
  FILE *out = fopen(dst, "wb");
  if (!out) {
    fclose(in);
    return -1;
  }
  char buf[1 << 16];
  size_t n;
  int rc = 0;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n)
      rc = -1;
  if (ferror(in))
    rc = -1;
  fclose(in);
  if (fclose(out) != 0)
    rc = -1;
  return rc;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Runs the query n times in-process; prints qps, p50, p99. */
static double inproc(decc_market *m, const decc_market_filter *f, int n,
                     const char *name) {
  double *lat = malloc(sizeof(double) * (size_t)n);
  if (!lat)
    return 0;
  double t0 = bench_now();
  for (int i = 0; i < n; i++) {
    double a = bench_now();
    char *json = NULL;
    if (decc_market_query(m, DECC_ORDER_WORKERPOOL, f, &json, NULL) !=
        DECC_OK) {
      fprintf(stderr, "in-process query failed\n");
      free(lat);
      return 0;
    }
    decc_free(json);
    lat[i] = bench_now() - a;
  }
  double dt = bench_now() - t0;
  qsort(lat, (size_t)n, sizeof *lat, cmp_d);
  printf(
      "  in-process %s: %.0f queries/s, p50 %.3f ms, p99 %.3f ms (1 thread)\n",
      name, n / dt, lat[n / 2] * 1e3, lat[(int)(n * 0.99)] * 1e3);
  free(lat);
  return n / dt;
}

/* Runs wrk; parses Requests/sec and the 50% / 99% latency lines. */
static double run_wrk(const char *url, int seconds, const char *name) {
  char cmd[1024], line[512];
  snprintf(cmd, sizeof cmd,
           "wrk -t2 -c64 -d%ds --timeout 10s --latency '%s' 2>&1", seconds,
           url);
  FILE *p = popen(cmd, "r");
  if (!p)
    return 0;
  double rps = 0;
  char p50[32] = "?", p99[32] = "?";
  long non2xx = 0, total = 0;
  while (fgets(line, sizeof line, p)) {
    double v;
    char unit[32];
    if (sscanf(line, "Requests/sec: %lf", &v) == 1)
      rps = v;
    else if (sscanf(line, " 50%% %31s", unit) == 1)
      snprintf(p50, sizeof p50, "%s", unit);
    else if (sscanf(line, " 99%% %31s", unit) == 1)
      snprintf(p99, sizeof p99, "%s", unit);
    else if (sscanf(line, " Non-2xx or 3xx responses: %ld", &non2xx) != 1)
      (void)sscanf(line, " %ld requests in", &total);
  }
  int rc = pclose(p);
  if (rc != 0 || rps == 0) {
    fprintf(stderr, "wrk failed (is it installed? scripts/setup.sh)\n");
    return 0;
  }
  printf("  HTTP %s: %.0f queries/s, p50 %s, p99 %s (wrk, 64 connections, "
         "%ld requests, %ld non-2xx)\n",
         name, rps, p50, p99, total, non2xx);
  return non2xx ? 0 : rps;
}

/* ---- slowloris ----------------------------------------------------------- */

#define FLOOD 300
#define PROBES 200

/* A TCP connection from src to 127.0.0.1:port, or -1. */
static int tcp_from(const char *src, unsigned port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_in a, d;
  memset(&a, 0, sizeof a);
  memset(&d, 0, sizeof d);
  a.sin_family = d.sin_family = AF_INET;
  inet_pton(AF_INET, src, &a.sin_addr);
  d.sin_port = htons((uint16_t)port);
  inet_pton(AF_INET, "127.0.0.1", &d.sin_addr);
  struct timeval tv = {5, 0}; /* a full backlog must not hang the run */
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
      connect(fd, (struct sockaddr *)&d, sizeof d) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

typedef struct flood {
  unsigned port;
  atomic_int stop, ready, opened;
} flood;

static int send_all(int fd, const char *s) {
  size_t n = strlen(s);
  return send(fd, s, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n ? 0 : -1;
}

/* Keeps FLOOD connections open, each sending a header line every 5 s and
 * never the blank line that ends the headers; reopens the dropped ones. */
static void *flood_main(void *arg) {
  flood *f = arg;
  int fd[FLOOD];
  double next[FLOOD];
  static const char *const SRC[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4"};
  for (int i = 0; i < FLOOD; i++)
    fd[i] = -1;
  while (!atomic_load(&f->stop)) {
    double now = bench_now();
    for (int i = 0; i < FLOOD && !atomic_load(&f->stop); i++) {
      if (fd[i] >= 0) {
        char b[256];
        ssize_t r = recv(fd[i], b, sizeof b, MSG_DONTWAIT);
        int closed = r == 0 || (r < 0 && errno != EAGAIN &&
                                errno != EWOULDBLOCK && errno != EINTR);
        if (!closed && now >= next[i]) {
          closed = send_all(fd[i], "X-Slow: 1\r\n") != 0;
          next[i] = now + 5;
        }
        if (closed) {
          close(fd[i]);
          fd[i] = -1;
        }
      }
      if (fd[i] < 0 && (fd[i] = tcp_from(SRC[i % 3], f->port)) >= 0) {
        atomic_fetch_add(&f->opened, 1);
        if (send_all(fd[i], "GET /health HTTP/1.1\r\nHost: x\r\n") != 0) {
          close(fd[i]);
          fd[i] = -1;
        }
        next[i] = now + 5;
      }
    }
    atomic_store(&f->ready, 1);
    usleep(50 * 1000);
  }
  for (int i = 0; i < FLOOD; i++)
    if (fd[i] >= 0)
      close(fd[i]);
  return NULL;
}

/* One /health on a fresh connection from 127.0.0.1: its latency in s, or
 * -1 when it is not answered with 200 within 10 s. */
static double probe_health(unsigned port) {
  double t0 = bench_now();
  int fd = tcp_from("127.0.0.1", port);
  if (fd < 0)
    return -1;
  double lat = -1;
  if (send_all(fd, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: "
                   "close\r\n\r\n") == 0) {
    char buf[4096];
    size_t len = 0;
    while (len < sizeof buf - 1) {
      struct pollfd p = {fd, POLLIN, 0};
      int left = (int)((t0 + 10 - bench_now()) * 1000);
      if (left <= 0 || poll(&p, 1, left) <= 0)
        break;
      ssize_t r = recv(fd, buf + len, sizeof buf - 1 - len, 0);
      if (r <= 0)
        break;
      len += (size_t)r;
      buf[len] = 0;
      int code = 0;
      if (strstr(buf, "\r\n\r\n")) {
        if (sscanf(buf, "HTTP/1.%*d %d", &code) == 1 && code == 200)
          lat = bench_now() - t0;
        break;
      }
    }
  }
  close(fd);
  return lat;
}

/* PROBES probes 20 ms apart; prints answered, p50, p99; returns p99 in s
 * (-1: some probe unanswered). */
static double probe_series(unsigned port, const char *name) {
  double lat[PROBES];
  int ok = 0;
  for (int i = 0; i < PROBES; i++) {
    double l = probe_health(port);
    if (l >= 0)
      lat[ok++] = l;
    usleep(20 * 1000);
  }
  if (!ok) {
    printf("  /health %s: 0/%d answered\n", name, PROBES);
    return -1;
  }
  qsort(lat, (size_t)ok, sizeof lat[0], cmp_d);
  double p99 = lat[(int)(ok * 0.99) < ok ? (int)(ok * 0.99) : ok - 1];
  printf("  /health %s: %d/%d answered, p50 %.2f ms, p99 %.2f ms\n", name, ok,
         PROBES, lat[ok / 2] * 1e3, p99 * 1e3);
  return ok == PROBES ? p99 : -1;
}

/* Reference (no flood) then the flood; prints both, returns 0 on success. */
static int run_slowloris(unsigned port) {
  double ref = probe_series(port, "alone (reference)");
  flood f;
  memset(&f, 0, sizeof f);
  f.port = port;
  pthread_t th;
  if (pthread_create(&th, NULL, flood_main, &f) != 0)
    return -1;
  double until = bench_now() + 30;
  while (!atomic_load(&f.ready) && bench_now() < until)
    usleep(50 * 1000);
  usleep(500 * 1000);
  char name[96];
  snprintf(name, sizeof name, "with %d slowloris connections", FLOOD);
  double p99 = probe_series(port, name);
  atomic_store(&f.stop, 1);
  pthread_join(th, NULL);
  printf("  slowloris connections opened: %d\n", atomic_load(&f.opened));
  if (ref < 0 || p99 < 0)
    return -1;
  bench_report("/health p99 with 300 slowloris connections", p99 * 1e3, "ms");
  printf("  ratio to /health alone: %.2f\n", ref > 0 ? p99 / ref : 0);
  return 0;
}

int main(void) {
  bench_peak_rss_at_exit();
  double scale = bench_scale();
  size_t norders = (size_t)(100000 * scale);
  if (norders < PER_SIGNER)
    norders = PER_SIGNER;
  size_t nkeys = (norders + PER_SIGNER - 1) / PER_SIGNER;
  int seconds = (int)(10 * (scale < 1 ? scale : 1));
  if (seconds < 2)
    seconds = 2;
  const char *ws = getenv("DECC_BENCH_WRK_SECONDS");
  if (ws && atoi(ws) > 0)
    seconds = atoi(ws);

  char home[512];
  const char *tmp = getenv("TMPDIR");
  snprintf(home, sizeof home, "%s/decc-bench-http-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(home)) {
    perror("mkdtemp");
    return 1;
  }
  char dir[600], path[700];
  snprintf(dir, sizeof dir, "%s/market", home);
  snprintf(path, sizeof path, "%s/orders.db", dir);
  if (mkdir(dir, 0700) != 0) {
    perror(dir);
    return 1;
  }
  decc_genesis g;
  if (decc_genesis_default(&g) != DECC_OK)
    return 1;
  uint64_t chain = g.chain_id;
  decc_address hub = g.addr.hub;
  decc_genesis_clear(&g);
  uint8_t domain[32];
  decc_poco_domain_separator(domain, chain, &hub);

  bworld w = {nkeys, calloc(nkeys, sizeof(decc_address))};
  uint8_t(*sks)[32] = calloc(nkeys, 32);
  if (!w.owner || !sks)
    return 1;
  for (size_t k = 0; k < nkeys; k++) {
    char seed[64];
    int n = snprintf(seed, sizeof seed, "decc bench http key %zu", k);
    decc_keccak256(sks[k], seed, (size_t)n);
    if (decc_address_from_privkey(&w.owner[k], sks[k]) != DECC_OK)
      return 1;
  }
  decc_market_world mw = {&w, w_owner, w_consumed, NULL};
  decc_market *m = NULL;
  decc_err err;
  const char *cache = getenv("DECC_BENCH_BOOK_CACHE");
  char cached[700] = "";
  int reuse = 0;
  if (cache && *cache) {
    snprintf(cached, sizeof cached, "%s/orders-%zu.db", cache, norders);
    reuse = access(cached, R_OK) == 0 && copy_file(cached, path) == 0;
  }
  if (decc_market_open(&m, path, chain, &hub, &mw, &err) != DECC_OK) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  if (reuse)
    printf("reusing the seeded book %s (%zu orders)\n", cached, norders);
  else
    printf("seeding %zu workerpool orders (%zu signers, 5 categories)...\n",
           norders, nkeys);
  double t0 = bench_now();
  for (size_t i = 0; !reuse && i < norders; i++) {
    size_t k = i / PER_SIGNER;
    decc_order o;
    if (decc_order_init(&o, DECC_ORDER_WORKERPOOL) != DECC_OK)
      return 1;
    o.u.workerpool.workerpool = wp_addr(k);
    o.u.workerpool.workerpoolprice = decc_u256_from_u64((i * 7919u) % 1000u);
    o.u.workerpool.volume = decc_u256_from_u64(1 + i % 10);
    o.u.workerpool.category = decc_u256_from_u64(i % 5);
    o.u.workerpool.trust = decc_u256_from_u64(i % 3);
    decc_tag_from_bits(o.u.workerpool.tag, i % 4 == 0 ? 0x9 : 0);
    if (decc_order_sign(&o, sks[k], domain, 1) != DECC_OK ||
        decc_market_publish(m, &o, NULL, NULL, &err) != DECC_OK) {
      fprintf(stderr, "publish %zu: %s\n", i, err.msg);
      return 1;
    }
    decc_order_clear(&o);
  }
  double seed_s = bench_now() - t0;
  if (!reuse)
    printf("  seeded in %.1f s (%.0f signed+published orders/s)\n", seed_s,
           (double)norders / seed_s);

  /* Q1: a category page (20 of ~N/5 matches, price order, count);
   * Q2: one workerpool's orders in a category (N/5/nkeys… ≈ 10 matches) */
  decc_market_filter f1, f2;
  decc_market_filter_init(&f1);
  f1.has_category = 1;
  f1.category = 2;
  f1.app.mode = f1.dataset.mode = f1.requester.mode = DECC_MF_ANY;
  f2 = f1;
  f2.has_resource = 1;
  f2.resource = wp_addr(nkeys / 2);
  char hx[DECC_ADDRESS_HEX_LEN];
  decc_address_to_hex(hx, &f2.resource);
  int iters = (int)(2000 * (scale < 1 ? scale : 1));
  if (iters < 50)
    iters = 50;
  double ref1 =
      inproc(m, &f1, iters / 10 < 20 ? 20 : iters / 10, "category page");
  double ref2 = inproc(m, &f2, iters, "one workerpool");
  decc_market_close(m);
  if (cached[0] && !reuse) {
    /* the book is closed (WAL checkpointed into the file): keep a copy */
    char tmpc[720];
    snprintf(tmpc, sizeof tmpc, "%s.tmp", cached);
    if (mkdir(cache, 0700) != 0 && access(cache, W_OK) != 0)
      fprintf(stderr, "cannot keep the book in %s\n", cache);
    else if (copy_file(path, tmpc) != 0 || rename(tmpc, cached) != 0)
      fprintf(stderr, "cannot keep the book as %s\n", cached);
  }

  /* the node on the same data directory */
  decc_node_config cfg;
  decc_node_config_init(&cfg);
  decc_node *node = NULL;
  if (decc_node_config_set(&cfg, "home", home, &err) ||
      decc_node_config_set(&cfg, "port", "0", &err) ||
      decc_node_config_set(&cfg, "roles", "chain,market", &err) ||
      decc_node_config_set(&cfg, "market_refresh_s", "0", &err) ||
      (getenv("DECC_BENCH_THREADS") &&
       decc_node_config_set(&cfg, "threads", getenv("DECC_BENCH_THREADS"),
                            &err)) ||
      decc_node_create(&node, &cfg, NULL, NULL, &err) ||
      decc_node_start(node, &err)) {
    fprintf(stderr, "node: %s\n", err.msg);
    return 1;
  }
  char url1[256], url2[400];
  unsigned port = decc_node_port(node);
  snprintf(
      url1, sizeof url1,
      "http://127.0.0.1:%u/workerpoolorders?chainId=%llu&category=2&app=any&"
      "dataset=any&requester=any",
      port, (unsigned long long)chain);
  snprintf(url2, sizeof url2, "%s&workerpool=%s", url1, hx);
  char url0[128];
  snprintf(url0, sizeof url0, "http://127.0.0.1:%u/health", port);
  double h0 = run_wrk(url0, seconds, "/health (control)");
  double h1 = run_wrk(url1, seconds, "category page");
  double h2 = run_wrk(url2, seconds, "one workerpool");
  const char *mx = getenv("DECC_BENCH_METRICS");
  if (mx && !strcmp(mx, "1")) {
    char mcmd[256];
    snprintf(mcmd, sizeof mcmd,
             "curl -s http://127.0.0.1:%u/metrics | grep -E "
             "'request_duration_seconds_(bucket|count).*(health|orders)'",
             port);
    fflush(stdout); /* curl writes to the same stdout */
    if (system(mcmd) != 0)
      fprintf(stderr, "no metrics (curl missing?)\n");
  }
  const char *sl = getenv("DECC_BENCH_SLOWLORIS");
  int slow_rc = sl && !strcmp(sl, "0") ? 0 : run_slowloris(port);
  decc_node_destroy(node);
  decc_node_config_clear(&cfg);
  free(w.owner);
  decc_memzero(sks, nkeys * 32);
  free(sks);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", home);
  if (h0 <= 0 || h1 <= 0 || h2 <= 0 || slow_rc != 0)
    return 1;
  bench_report("http market query, category page (100k book)", h1, "queries/s");
  printf("  ratio HTTP / in-process: %.2f\n", ref1 > 0 ? h1 / ref1 : 0);
  bench_report("http market query, one workerpool (100k book)", h2,
               "queries/s");
  printf("  ratio HTTP / in-process: %.2f\n", ref2 > 0 ? h2 / ref2 : 0);
  return 0;
}
