/*
 * bench_soak.c — a soak run of one `decc node` (roles chain, store, market,
 * in this process, 127.0.0.1 only): wrk with 64 connections sends a mix of
 * market queries (a category page of a 1,000-order book, each of 5
 * categories in turn), JSON-RPC reads (eth_blockNumber, eth_getBalance,
 * eth_chainId) and store cats (gateway GET /ipfs/CID and Kubo POST
 * /api/v0/cat of a 256 KiB file) for SOAK_SECONDS (default 600). Prints the
 * requests, errors (socket errors + non-2xx), throughput, p50 / p99
 * latency, and the node's resident memory (this process: the load comes
 * from wrk, another process) at the start, every 10 % of the run and at
 * the end, and of the idle node (6 s after the load) before and after
 * the soak.
 *
 * Reference measured in the same run: the same mix for 10 s right after
 * the start (the node warm, nothing accumulated yet); the soak reports its
 * throughput as a ratio to it, and its RSS growth from the start (a flat
 * node stays within a few percent).
 *
 * Each RSS sample also says where the memory is, so that growth can be
 * told apart: SQLite's own allocations (sqlite3_memory_used: page caches,
 * schemas, prepared statements of every connection), the malloc heap in
 * use and kept free in the arenas (mallinfo2, glibc), and mmapped chunks.
 *
 *   SOAK_SECONDS (600)  SOAK_CONNECTIONS (64)
 *   SOAK_MALLOC_ARENAS (the node's malloc_arenas key; default: the node's)
 *   SOAK_MALLOC_TRIM_KIB (the node's malloc_trim_kib key; default: the
 *   node's; 0 for a run without the node's trims)
 * At the end it prints the node's trims (/metrics: how many, their CPU
 * time and the resident memory they released) and their CPU time as a
 * share of the node's CPU time over the run (this process: the load is
 * wrk's).
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "bench_util.h"
#include "decc/hash.h"
#include "decc/http_client.h"
#include "decc/ledger.h"
#include "decc/market.h"
#include "decc/mem.h"
#include "decc/node.h"
#include "decc/order.h"

#define NKEYS 20
#define PER_KEY 50 /* the market API's open-order limit per signer */

static decc_address g_owner[NKEYS];

static decc_address pool_addr(size_t k) {
  decc_address a;
  memset(&a, 0, sizeof a);
  a.b[0] = 0x50;
  a.b[1] = 0xa4;
  a.b[19] = (uint8_t)k;
  return a;
}

static decc_status w_owner(void *ctx, decc_order_type t, const decc_address *r,
                           decc_address *owner) {
  (void)ctx;
  (void)t;
  if (r->b[0] != 0x50 || r->b[1] != 0xa4 || r->b[19] >= NKEYS)
    return DECC_E_NOT_FOUND;
  *owner = g_owner[r->b[19]];
  return DECC_OK;
}

static decc_status w_consumed(void *ctx, const uint8_t h[32], decc_u256 *c) {
  (void)ctx;
  (void)h;
  *c = decc_u256_from_u64(0);
  return DECC_OK;
}

/* VmRSS of this process in KiB, 0 when unreadable. */
static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return 0;
  char line[256];
  long v = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
      break;
  fclose(f);
  return v;
}

typedef struct wrk_result {
  double rps;
  long requests, non2xx, sock_errors;
  char p50[32], p99[32];
} wrk_result;

/* Runs wrk with the mix script; parses its summary. 0 on success. */
static int run_wrk(const char *url, const char *script, int conns, int seconds,
                   wrk_result *r) {
  memset(r, 0, sizeof *r);
  snprintf(r->p50, sizeof r->p50, "?");
  snprintf(r->p99, sizeof r->p99, "?");
  char cmd[1400], line[512];
  snprintf(cmd, sizeof cmd,
           "wrk -t2 -c%d -d%ds --timeout 10s --latency -s '%s' '%s' 2>&1",
           conns, seconds, script, url);
  FILE *p = popen(cmd, "r");
  if (!p)
    return -1;
  while (fgets(line, sizeof line, p)) {
    double v;
    long a, b, c, d;
    char unit[32];
    if (sscanf(line, "Requests/sec: %lf", &v) == 1)
      r->rps = v;
    else if (sscanf(line, " 50%% %31s", unit) == 1)
      snprintf(r->p50, sizeof r->p50, "%s", unit);
    else if (sscanf(line, " 99%% %31s", unit) == 1)
      snprintf(r->p99, sizeof r->p99, "%s", unit);
    else if (sscanf(line, " Non-2xx or 3xx responses: %ld", &a) == 1)
      r->non2xx = a;
    else if (sscanf(line,
                    " Socket errors: connect %ld, read %ld, write %ld, "
                    "timeout %ld",
                    &a, &b, &c, &d) == 4)
      r->sock_errors = a + b + c + d;
    else
      (void)sscanf(line, " %ld requests in", &r->requests);
  }
  int rc = pclose(p);
  if (rc != 0 || r->rps == 0) {
    fprintf(stderr, "wrk failed (is it installed? scripts/setup.sh)\n");
    return -1;
  }
  return 0;
}

/* One memory sample, KiB. */
/* Seconds the node is left idle before the idle RSS samples: one tick of
 * its memory maintenance (5 s) and a margin. */
#define SETTLE_S 6

typedef struct mem_sample {
  long rss, sqlite, heap_used, heap_free, mmapped;
} mem_sample;

static mem_sample mem_now(void) {
  mem_sample m;
  memset(&m, 0, sizeof m);
  m.rss = rss_kib();
  m.sqlite = (long)(sqlite3_memory_used() / 1024);
#ifdef __GLIBC__
  struct mallinfo2 mi = mallinfo2();
  m.heap_used = (long)(mi.uordblks / 1024);
  m.heap_free = (long)(mi.fordblks / 1024);
  m.mmapped = (long)(mi.hblkhd / 1024);
#endif
  return m;
}

static void mem_print(const char *label, const mem_sample *m) {
  printf("    %-8s RSS %6ld  sqlite %6ld  heap used %6ld  heap free %6ld  "
         "mmapped %6ld KiB\n",
         label, m->rss, m->sqlite, m->heap_used, m->heap_free, m->mmapped);
}

static long min_of(const long *v, int n) {
  long m = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] < m)
      m = v[i];
  return m;
}

static long max_of(const long *v, int n) {
  long m = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > m)
      m = v[i];
  return m;
}

typedef struct sampler {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int stop;
  double period;
  long samples[16];
  mem_sample mem[16];
  int n;
} sampler;

static void *sampler_main(void *p) {
  sampler *s = p;
  pthread_mutex_lock(&s->mu);
  while (!s->stop && s->n < 16) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double t = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 + s->period;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) != 0 && !s->stop) {
      s->mem[s->n] = mem_now();
      s->samples[s->n] = s->mem[s->n].rss;
      s->n++;
    }
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

/* Adds `len` bytes through the store's Kubo API; writes the CID. */
static int store_add(const char *base, size_t len, char cid[128]) {
  static const char boundary[] = "decc-soak-boundary";
  decc_buf body;
  decc_buf_init(&body, 0);
  decc_status st = decc_buf_printf(
      &body,
      "--%s\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"soak.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n",
      boundary);
  for (size_t i = 0; !st && i < len; i++)
    st = decc_buf_append_byte(&body, (uint8_t)(i * 131u + (i >> 8)));
  if (!st)
    st = decc_buf_printf(&body, "\r\n--%s--\r\n", boundary);
  char url[256], ct[128];
  snprintf(url, sizeof url, "%s/api/v0/add", base);
  snprintf(ct, sizeof ct, "Content-Type: multipart/form-data; boundary=%s",
           boundary);
  const char *headers[] = {ct, NULL};
  decc_http_reply rep;
  decc_err err;
  memset(&rep, 0, sizeof rep);
  if (!st)
    st = decc_http_fetch(&rep, "POST", url, headers, body.data, body.len, 0,
                         60000, &err);
  decc_buf_clear(&body);
  int rc = -1;
  if (!st && rep.status == 200) {
    json_t *j =
        json_loads((const char *)rep.body.data, JSON_DISABLE_EOF_CHECK, NULL);
    const char *h = json_string_value(json_object_get(j, "Hash"));
    if (h && strlen(h) < 128) {
      snprintf(cid, 128, "%s", h);
      rc = 0;
    }
    json_decref(j);
  } else
    fprintf(stderr, "store add: %s (status %ld)\n", st ? err.msg : "",
            rep.status);
  decc_buf_clear(&rep.body);
  return rc;
}

/* The value of the metric `name` (a line "name value") in the node's
 * /metrics, -1 when absent. */
static double metric(const char *base, const char *name) {
  char url[128];
  snprintf(url, sizeof url, "%s/metrics", base);
  decc_http_reply rep;
  decc_err err;
  memset(&rep, 0, sizeof rep);
  double v = -1;
  if (decc_http_fetch(&rep, "GET", url, NULL, NULL, 0, 0, 10000, &err) ==
          DECC_OK &&
      rep.status == 200 && rep.body.data) {
    size_t nl = strlen(name);
    const char *p = (const char *)rep.body.data;
    while (p && *p) {
      if (!strncmp(p, name, nl) && p[nl] == ' ') {
        v = strtod(p + nl + 1, NULL);
        break;
      }
      p = strchr(p, '\n');
      if (p)
        p++;
    }
  }
  decc_buf_clear(&rep.body);
  return v;
}

/* CPU time of this process (user + system), seconds. */
static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void) {
  bench_peak_rss_at_exit();
  const char *e = getenv("SOAK_SECONDS");
  int seconds = e && atoi(e) > 0 ? atoi(e) : 600;
  e = getenv("SOAK_CONNECTIONS");
  int conns = e && atoi(e) > 0 ? atoi(e) : 64;

  char home[512];
  const char *tmp = getenv("TMPDIR");
  snprintf(home, sizeof home, "%s/decc-bench-soak-XXXXXX",
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

  /* the book: NKEYS x PER_KEY workerpool orders in 5 categories, published
   * through the orderbook's normal checks before the node opens it */
  uint8_t sk[NKEYS][32];
  for (size_t k = 0; k < NKEYS; k++) {
    char seed[64];
    int n = snprintf(seed, sizeof seed, "decc bench soak key %zu", k);
    decc_keccak256(sk[k], seed, (size_t)n);
    if (decc_address_from_privkey(&g_owner[k], sk[k]) != DECC_OK)
      return 1;
  }
  decc_market_world mw = {NULL, w_owner, w_consumed, NULL};
  decc_market *m = NULL;
  decc_err err;
  if (decc_market_open(&m, path, chain, &hub, &mw, &err) != DECC_OK) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  for (size_t i = 0; i < NKEYS * PER_KEY; i++) {
    size_t k = i / PER_KEY;
    decc_order o;
    if (decc_order_init(&o, DECC_ORDER_WORKERPOOL) != DECC_OK)
      return 1;
    o.u.workerpool.workerpool = pool_addr(k);
    o.u.workerpool.workerpoolprice = decc_u256_from_u64((i * 7919u) % 1000u);
    o.u.workerpool.volume = decc_u256_from_u64(1 + i % 10);
    o.u.workerpool.category = decc_u256_from_u64(i % 5);
    if (decc_order_sign(&o, sk[k], domain, 1) != DECC_OK ||
        decc_market_publish(m, &o, NULL, NULL, &err) != DECC_OK) {
      fprintf(stderr, "publish %zu: %s\n", i, err.msg);
      return 1;
    }
    decc_order_clear(&o);
  }
  decc_market_close(m);
  decc_memzero(sk, sizeof sk);

  decc_node_config cfg;
  decc_node_config_init(&cfg);
  decc_node *node = NULL;
  if (decc_node_config_set(&cfg, "home", home, &err) ||
      decc_node_config_set(&cfg, "port", "0", &err) ||
      decc_node_config_set(&cfg, "roles", "chain,store,market", &err) ||
      decc_node_config_set(&cfg, "market_refresh_s", "0", &err) ||
      decc_node_config_set(&cfg, "log_requests", "false", &err) ||
      (getenv("SOAK_MALLOC_ARENAS") &&
       decc_node_config_set(&cfg, "malloc_arenas", getenv("SOAK_MALLOC_ARENAS"),
                            &err)) ||
      (getenv("SOAK_MALLOC_TRIM_KIB") &&
       decc_node_config_set(&cfg, "malloc_trim_kib",
                            getenv("SOAK_MALLOC_TRIM_KIB"), &err)) ||
      decc_node_create(&node, &cfg, NULL, NULL, &err) ||
      decc_node_start(node, &err)) {
    fprintf(stderr, "node: %s\n", err.msg);
    return 1;
  }
  unsigned port = decc_node_port(node);
  char base[64], cid[128];
  snprintf(base, sizeof base, "http://127.0.0.1:%u", port);
  if (store_add(base, 256 * 1024, cid) != 0)
    return 1;

  /* the mix, one request after the other on each connection */
  char script[700];
  snprintf(script, sizeof script, "%s/mix.lua", home);
  FILE *f = fopen(script, "w");
  if (!f)
    return 1;
  fprintf(f,
          "local reqs = {}\n"
          "local i = 0\n"
          "init = function(args)\n"
          "  for c = 0, 4 do\n"
          "    reqs[#reqs + 1] = wrk.format('GET', "
          "'/workerpoolorders?chainId=%llu&category=' .. c)\n"
          "  end\n"
          "  local h = { ['Content-Type'] = 'application/json' }\n"
          "  reqs[#reqs + 1] = wrk.format('POST', '/', h, "
          "'{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\","
          "\"params\":[]}')\n"
          "  reqs[#reqs + 1] = wrk.format('POST', '/', h, "
          "'{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"eth_getBalance\","
          "\"params\":[\"0x0000000000000000000000000000000000000001\","
          "\"latest\"]}')\n"
          "  reqs[#reqs + 1] = wrk.format('POST', '/', h, "
          "'{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"eth_chainId\"}')\n"
          "  reqs[#reqs + 1] = wrk.format('GET', '/ipfs/%s')\n"
          "  reqs[#reqs + 1] = wrk.format('POST', '/api/v0/cat?arg=%s')\n"
          "end\n"
          "request = function()\n"
          "  i = i + 1\n"
          "  return reqs[(i %% #reqs) + 1]\n"
          "end\n",
          (unsigned long long)chain, cid, cid);
  fclose(f);

  printf("soak: node on %s (chain, store, market), book %d orders, file "
         "256 KiB (%s), %d connections, %d s\n",
         base, NKEYS * PER_KEY, cid, conns, seconds);
  fflush(stdout);
  wrk_result ref, soak;
  if (run_wrk(base, script, conns, 10, &ref) != 0)
    return 1;
  printf("  reference (first 10 s): %.0f req/s, p50 %s, p99 %s, %ld requests, "
         "%ld errors\n",
         ref.rps, ref.p50, ref.p99, ref.requests, ref.non2xx + ref.sock_errors);
  mem_sample m0 = mem_now();
  long rss0 = m0.rss;
  /* The node idle for a little over one tick of its memory maintenance
   * (node_memory.c, 5 s), before and after the soak: both samples then
   * see the same thing, the memory the node keeps once a load has gone,
   * whereas the samples right after a wrk run still hold whatever its
   * last requests freed and the next tick would give back. */
  sleep(SETTLE_S);
  long idle0 = rss_kib();
  sampler s;
  memset(&s, 0, sizeof s);
  pthread_mutex_init(&s.mu, NULL);
  pthread_cond_init(&s.cv, NULL);
  s.period = seconds / 10.0;
  pthread_t th;
  if (pthread_create(&th, NULL, sampler_main, &s) != 0)
    return 1;
  double trims0 = metric(base, "decc_node_malloc_trims_total");
  double trim_cpu0 = metric(base, "decc_node_malloc_trim_cpu_seconds_total");
  double released0 = metric(base, "decc_node_malloc_trim_released_bytes_total");
  double cpu0 = cpu_s();
  int rc = run_wrk(base, script, conns, seconds, &soak);
  double cpu = cpu_s() - cpu0;
  double trims = metric(base, "decc_node_malloc_trims_total") - trims0;
  double trim_cpu =
      metric(base, "decc_node_malloc_trim_cpu_seconds_total") - trim_cpu0;
  double released =
      metric(base, "decc_node_malloc_trim_released_bytes_total") - released0;
  pthread_mutex_lock(&s.mu);
  s.stop = 1;
  pthread_cond_signal(&s.cv);
  pthread_mutex_unlock(&s.mu);
  pthread_join(th, NULL);
  mem_sample m1 = mem_now();
  long rss1 = m1.rss;
  sleep(SETTLE_S);
  long idle1 = rss_kib();
  decc_node_destroy(node);
  decc_node_config_clear(&cfg);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", home);
  if (rc != 0)
    return 1;
  long errors = soak.non2xx + soak.sock_errors;
  printf("  soak (%d s): %.0f req/s, p50 %s, p99 %s, %ld requests, %ld errors "
         "(%ld non-2xx, %ld socket)\n",
         seconds, soak.rps, soak.p50, soak.p99, soak.requests, errors,
         soak.non2xx, soak.sock_errors);
  printf("  RSS: start %ld KiB, end %ld KiB (%+.1f %%); during:", rss0, rss1,
         rss0 ? 100.0 * (double)(rss1 - rss0) / (double)rss0 : 0.0);
  for (int i = 0; i < s.n; i++)
    printf(" %ld", s.samples[i]);
  printf(" KiB\n");
  /* The start is taken after the 10 s reference, which runs at a lower
   * rate than the soak: the first sample (10 % in) is the node warm at the
   * soak's own rate, every pooled connection and page cache in use. */
  if (s.n > 0 && s.samples[0] > 0)
    printf("  RSS from the first sample (warm) to the end: %+.1f %%; "
           "samples within %+.1f / %+.1f %% of it\n",
           100.0 * (double)(rss1 - s.samples[0]) / (double)s.samples[0],
           100.0 * (double)(min_of(s.samples, s.n) - s.samples[0]) /
               (double)s.samples[0],
           100.0 * (double)(max_of(s.samples, s.n) - s.samples[0]) /
               (double)s.samples[0]);
  printf("  RSS of the idle node (%d s after the load), before the soak "
         "%ld KiB, after it %ld KiB (%+.1f %%)\n",
         SETTLE_S, idle0, idle1,
         idle0 ? 100.0 * (double)(idle1 - idle0) / (double)idle0 : 0.0);
  mem_print("start", &m0);
  for (int i = 0; i < s.n; i++) {
    char label[16];
    snprintf(label, sizeof label, "%d %%", (i + 1) * 10);
    mem_print(label, &s.mem[i]);
  }
  mem_print("end", &m1);
  printf("  node's malloc trims during the soak: %.0f, CPU %.3f ms in all "
         "(%.1f us each; %.4f %% of the node's %.1f s of CPU), released "
         "%.0f KiB of RSS in all\n",
         trims, trim_cpu * 1e3, trims > 0 ? trim_cpu * 1e6 / trims : 0.0,
         cpu > 0 ? 100.0 * trim_cpu / cpu : 0.0, cpu, released / 1024);
  bench_report("soak mixed requests (64 conns)", soak.rps, "req/s");
  printf("  ratio soak / first 10 s: %.2f\n",
         ref.rps > 0 ? soak.rps / ref.rps : 0);
  pthread_mutex_destroy(&s.mu);
  pthread_cond_destroy(&s.cv);
  return errors ? 1 : 0;
}
