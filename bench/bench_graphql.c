/*
 * bench_graphql.c — the DataProtector SDK's getProtectedData through
 * `decc node`'s subgraph endpoint (POST /subgraphs/dataprotector): 10,000
 * protected data of 100 owners, the SDK's query for one owner (filter
 * {and:[{owner}]}, pageSize 1000, newest first, with schema entries), 16
 * concurrent connections from wrk (queries/s, p50 / p99), against the
 * reference measured in the same run: the equivalent SQL run in-process
 * on the node's own index file (1 thread, no HTTP, no GraphQL).
 *
 * Seeding: createDatasetWithSchema calls on the embedded ledger
 * (arbitrum-sepolia profile), 500 per block, before the node starts; the
 * node's indexer then builds the index from the chain like any node would
 * (its catch-up time is printed). No bench-only code in the node.
 *
 * DECC_BENCH_SCALE scales the item count; DECC_BENCH_WRK_SECONDS the wrk
 * duration (default 10 s).
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_util.h"
#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/ledger.h"
#include "decc/mem.h"
#include "decc/node.h"

#define OWNERS 100
#define PER_BLOCK 500

static decc_address owner_addr(size_t k) {
  decc_address a;
  memset(&a, 0, sizeof a);
  a.b[0] = 0x0a;
  a.b[1] = 0xbe;
  a.b[18] = (uint8_t)(k >> 8);
  a.b[19] = (uint8_t)k;
  return a;
}

static const char *QUERY =
    "query ($start: Int!, $range: Int!, $where: ProtectedData_filter) {"
    " protectedDatas(where: $where skip: $start first: $range"
    " orderBy: creationTimestamp orderDirection: desc) {"
    " id name owner { id } schema { id } creationTimestamp multiaddr } }";

static char *body_for(size_t k) {
  char hx[DECC_ADDRESS_HEX_LEN];
  decc_address a = owner_addr(k);
  decc_hex_encode(hx, a.b, 20, 1);
  json_t *j =
      json_pack("{s:s,s:{s:i,s:i,s:{s:[{s:s}]}}}", "query", QUERY, "variables",
                "start", 0, "range", 1000, "where", "and", "owner", hx);
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return s;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The reference: what the endpoint computes, as SQL on the index. */
static double inproc(const char *db_path, int n) {
  sqlite3 *db;
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    return 0;
  sqlite3_stmt *q, *s;
  if (sqlite3_prepare_v2(db,
                         "SELECT id, owner, name, multiaddr, creation_ts FROM "
                         "protected_data WHERE owner=?1 ORDER BY creation_ts "
                         "DESC, id DESC LIMIT 1000",
                         -1, &q, 0) ||
      sqlite3_prepare_v2(db,
                         "SELECT item FROM pd_schema WHERE pd=?1 ORDER BY item",
                         -1, &s, 0)) {
    sqlite3_close(db);
    return 0;
  }
  double *lat = malloc(sizeof(double) * (size_t)n);
  double t0 = bench_now();
  long rows = 0;
  for (int i = 0; lat && i < n; i++) {
    double a = bench_now();
    char hx[DECC_ADDRESS_HEX_LEN];
    decc_address o = owner_addr((size_t)i % OWNERS);
    decc_hex_encode(hx, o.b, 20, 1);
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, hx, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
      rows++;
      sqlite3_reset(s);
      sqlite3_bind_text(s, 1, (const char *)sqlite3_column_text(q, 0), -1,
                        SQLITE_TRANSIENT);
      while (sqlite3_step(s) == SQLITE_ROW)
        ;
    }
    lat[i] = bench_now() - a;
  }
  double dt = bench_now() - t0;
  sqlite3_finalize(q);
  sqlite3_finalize(s);
  sqlite3_close(db);
  if (!lat)
    return 0;
  qsort(lat, (size_t)n, sizeof *lat, cmp_d);
  printf("  in-process SQL on the index: %.0f queries/s, p50 %.3f ms, p99 %.3f "
         "ms (1 thread, %.0f rows/query)\n",
         n / dt, lat[n / 2] * 1e3, lat[(int)(n * 0.99)] * 1e3,
         (double)rows / n);
  free(lat);
  return n / dt;
}

/* wrk with a Lua script rotating over the owners' request bodies. */
static double run_wrk(const char *url, const char *lua, int seconds) {
  char cmd[1400], line[512];
  snprintf(cmd, sizeof cmd,
           "wrk -t2 -c16 -d%ds --timeout 10s --latency -s '%s' '%s' 2>&1",
           seconds, lua, url);
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
  if (pclose(p) != 0 || rps == 0) {
    fprintf(stderr, "wrk failed (is it installed? scripts/setup.sh)\n");
    return 0;
  }
  printf("  HTTP getProtectedData: %.0f queries/s, p50 %s, p99 %s (wrk, 16 "
         "connections, %ld requests, %ld non-2xx)\n",
         rps, p50, p99, total, non2xx);
  return non2xx ? 0 : rps;
}

/* Number of items the endpoint lists for owner k (-1 on error). */
static long listed(const char *url, size_t k) {
  char *b = body_for(k);
  const char *h[2] = {"Content-Type: application/json", NULL};
  decc_http_reply r;
  decc_err e;
  long n = -1;
  if (b && decc_http_fetch(&r, "POST", url, h, b, strlen(b), 8 << 20, 30000,
                           &e) == DECC_OK) {
    json_error_t je;
    json_t *j = json_loadb((const char *)r.body.data, r.body.len, 0, &je);
    json_t *a = json_object_get(json_object_get(j, "data"), "protectedDatas");
    if (json_is_array(a))
      n = (long)json_array_size(a);
    json_decref(j);
    decc_buf_clear(&r.body);
  }
  free(b);
  return n;
}

int main(void) {
  bench_peak_rss_at_exit();
  double scale = bench_scale();
  size_t items = (size_t)(10000 * scale);
  if (items < OWNERS)
    items = OWNERS;
  int seconds = (int)(10 * (scale < 1 ? scale : 1));
  if (seconds < 2)
    seconds = 2;
  const char *ws = getenv("DECC_BENCH_WRK_SECONDS");
  if (ws && atoi(ws) > 0)
    seconds = atoi(ws);
  char home[512];
  const char *tmp = getenv("TMPDIR");
  snprintf(home, sizeof home, "%s/decc-bench-graphql-XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(home)) {
    perror("mkdtemp");
    return 1;
  }
  char dir[600], path[700], lua[700], idx[700];
  snprintf(dir, sizeof dir, "%s/chain", home);
  snprintf(path, sizeof path, "%s/ledger.sqlite", dir);
  snprintf(lua, sizeof lua, "%s/bodies.lua", home);
  snprintf(idx, sizeof idx, "%s/index/subgraph.sqlite", home);
  if (mkdir(dir, 0700) != 0) {
    perror(dir);
    return 1;
  }
  decc_genesis g;
  decc_err err;
  decc_ledger *l = NULL;
  if (decc_genesis_profile(&g, "arbitrum-sepolia", 0, &err) ||
      decc_ledger_init(path, &g, &err) || decc_ledger_open(&l, path, &err)) {
    fprintf(stderr, "ledger: %s\n", err.msg);
    return 1;
  }
  decc_address dp = g.addr.dataprotector;
  decc_genesis_clear(&g);
  printf("seeding %zu protected data of %d owners...\n", items, OWNERS);
  double t0 = bench_now();
  decc_ledger_call *calls = calloc(PER_BLOCK, sizeof *calls);
  decc_buf *data = calloc(PER_BLOCK, sizeof *data);
  decc_receipt *rc = calloc(PER_BLOCK, sizeof *rc);
  if (!calls || !data || !rc)
    return 1;
  uint8_t sel[4];
  decc_abi_selector(
      sel, "createDatasetWithSchema(address,string,string,bytes,bytes32)");
  for (size_t i = 0; i < items;) {
    size_t n = 0;
    for (; n < PER_BLOCK && i < items; n++, i++) {
      decc_address o = owner_addr(i % OWNERS);
      char name[32];
      snprintf(name, sizeof name, "pd-%zu", i);
      uint8_t sum[32] = {0};
      for (int b = 0; b < 8; b++)
        sum[31 - b] = (uint8_t)(i >> (8 * b));
      decc_abi_enc e;
      decc_abi_enc_init(&e, 0);
      decc_buf_init(&data[n], 0);
      if (decc_abi_enc_push_address(&e, &o) ||
          decc_abi_enc_push_string(&e, name) ||
          decc_abi_enc_push_string(
              &e, i % 2 ? "{\"email\":\"string\",\"score\":\"f64\"}"
                        : "{\"file\":\"application/pdf\"}") ||
          decc_abi_enc_push_bytes(&e, "/ipfs/QmBench", 13) ||
          decc_abi_enc_push_bytes32(&e, sum) ||
          decc_abi_enc_finish_call(&e, sel, &data[n]))
        return 1;
      decc_abi_enc_clear(&e);
      calls[n] = (decc_ledger_call){o, dp, data[n].data, data[n].len};
    }
    if (decc_ledger_submit_calls(l, calls, n, rc, &err) != DECC_OK) {
      fprintf(stderr, "seed: %s\n", err.msg);
      return 1;
    }
    for (size_t k = 0; k < n; k++) {
      if (rc[k].status != 1) {
        fprintf(stderr, "seed: createDatasetWithSchema reverted: %s\n",
                rc[k].revert_reason ? rc[k].revert_reason : "?");
        return 1;
      }
      decc_receipt_clear(&rc[k]);
      decc_buf_clear(&data[k]);
    }
  }
  decc_ledger_close(l);
  printf("  seeded in %.1f s\n", bench_now() - t0);

  decc_node_config cfg;
  decc_node_config_init(&cfg);
  decc_node *node = NULL;
  if (decc_node_config_set(&cfg, "home", home, &err) ||
      decc_node_config_set(&cfg, "port", "0", &err) ||
      decc_node_config_set(&cfg, "roles", "chain,market", &err) ||
      decc_node_config_set(&cfg, "market_refresh_s", "0", &err) ||
      decc_node_config_set(&cfg, "log_requests", "false", &err) ||
      decc_node_create(&node, &cfg, NULL, NULL, &err) ||
      decc_node_start(node, &err)) {
    fprintf(stderr, "node: %s\n", err.msg);
    return 1;
  }
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%u/subgraphs/dataprotector",
           (unsigned)decc_node_port(node));
  /* Index catch-up: every owner's items listed. */
  t0 = bench_now();
  long want = (long)(items / OWNERS), got = -1;
  while (bench_now() - t0 < 300 && (got = listed(url, OWNERS - 1)) < want)
    usleep(100000);
  if (got < want) {
    fprintf(stderr, "the index did not catch up (%ld of %ld)\n", got, want);
    return 1;
  }
  printf("  index built from the chain in %.1f s\n", bench_now() - t0);

  FILE *f = fopen(lua, "w");
  if (!f)
    return 1;
  fprintf(f, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = "
             "\"application/json\"\nlocal bodies = {}\n");
  for (size_t k = 0; k < OWNERS; k++) {
    char *b = body_for(k);
    fprintf(f, "bodies[%zu] = [==[%s]==]\n", k + 1, b);
    free(b);
  }
  fprintf(f,
          "local i = 0\nrequest = function()\n  i = i %% %d + 1\n"
          "  return wrk.format(nil, nil, nil, bodies[i])\nend\n",
          OWNERS);
  fclose(f);
  double ref = inproc(idx, 2000);
  double h = run_wrk(url, lua, seconds);
  decc_node_destroy(node);
  decc_node_config_clear(&cfg);
  free(calls);
  free(data);
  free(rc);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", home);
  if (h <= 0)
    return 1;
  bench_report("graphql getProtectedData (10k items, 100 owners)", h,
               "queries/s");
  printf("  ratio HTTP+GraphQL / in-process SQL: %.2f\n",
         ref > 0 ? h / ref : 0);
  return 0;
}
