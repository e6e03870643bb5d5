/*
 * node_metrics.c — GET /metrics: the node's counters in the Prometheus text
 * exposition format (version 0.0.4), for a scraper on the operator's side:
 *
 *   decc_http_requests_total{method,route,status}       counter
 *   decc_http_request_duration_seconds{method,route}    histogram
 *   decc_http_connections_open, _waiting                gauges
 *   decc_http_connections_closed_total{reason}          counter (guard)
 *   decc_tasks{state}                                   gauge (scheduler)
 *   decc_market_orders{type,status}                     gauge (orderbook)
 *   decc_sms_releases_total, decc_sms_refusals_total{code} counters
 *   decc_node_start_time_seconds                        gauge
 *   decc_node_malloc_trims_total, _trim_cpu_seconds_total,
 *   _trim_released_bytes_total                          counters (node_memory.c)
 *
 * The HTTP server and the SMS report each event through their observe
 * hooks (decc/http.h, decc/sms.h); the counters live here under one mutex.
 * Labels are route patterns as registered ("/deals/{dealid}"), never raw
 * paths or queries, and methods outside the standard ones are counted as
 * "other" (the method is the client's: fuzz_http_request filled all
 * MAX_SERIES series with made-up methods, after which real series were
 * dropped and every scrape rendered 512 histograms), so the number of
 * series is bounded by the routes; past MAX_SERIES new combinations are
 * counted in decc_metrics_dropped_total.
 * Nothing secret is exposed (no addresses, no bodies); a node reachable
 * from outside exposes these counters like /health.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "decc/buf.h"
#include "decc/mem.h"
#include "decc/worker.h"
#include "node_int.h"

#define MAX_SERIES 512 /* (method, route, status) and (method, route) each */
#define MAX_CODES 128  /* SMS refusal codes */
#define NBUCKETS 13

/* seconds; chosen around the targets (10-20 ms p99) */
static const double BOUNDS[NBUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                        0.025,  0.05,  0.1,    0.25,  0.5,
                                        1,      2.5,   10};
static const char *const BOUND_LABELS[NBUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",    "1",     "2.5",  "10"};

typedef struct req_series {
  char method[12];
  char route[96];
  int status;
  uint64_t n;
} req_series;

typedef struct lat_series {
  char method[12];
  char route[96];
  uint64_t bucket[NBUCKETS]; /* non-cumulative here, summed on output */
  uint64_t count;
  double sum;
} lat_series;

typedef struct code_series {
  char code[80];
  uint64_t n;
} code_series;

struct node_metrics {
  pthread_mutex_t mu;
  req_series req[MAX_SERIES];
  size_t nreq;
  lat_series lat[MAX_SERIES];
  size_t nlat;
  code_series refusals[MAX_CODES];
  size_t nrefusals;
  uint64_t releases;
  uint64_t dropped;
};

decc_status decc__node_metrics_create(decc_node *n, decc_err *err) {
  n->metrics = decc_calloc(1, sizeof *n->metrics);
  if (!n->metrics)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  pthread_mutex_init(&n->metrics->mu, NULL);
  return DECC_OK;
}

void decc__node_metrics_free(decc_node *n) {
  if (!n->metrics)
    return;
  pthread_mutex_destroy(&n->metrics->mu);
  decc_free(n->metrics);
  n->metrics = NULL;
}

/* The method's label: one of the standard methods, else "other". */
static const char *method_label(const char *method) {
  static const char *const known[] = {"GET",   "HEAD",    "POST",
                                      "PUT",   "DELETE",  "OPTIONS",
                                      "PATCH", "CONNECT", "TRACE"};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (!strcmp(method, known[i]))
      return known[i];
  return "other";
}

void decc__node_metrics_observe_http(void *ctx, const char *method,
                                     const char *route, int status,
                                     double seconds) {
  node_metrics *m = ctx;
  if (!m || !method || !route)
    return;
  method = method_label(method);
  pthread_mutex_lock(&m->mu);
  size_t i;
  for (i = 0; i < m->nreq; i++)
    if (m->req[i].status == status && !strcmp(m->req[i].route, route) &&
        !strcmp(m->req[i].method, method))
      break;
  if (i == m->nreq && m->nreq < MAX_SERIES) {
    snprintf(m->req[i].method, sizeof m->req[i].method, "%s", method);
    snprintf(m->req[i].route, sizeof m->req[i].route, "%s", route);
    m->req[i].status = status;
    m->nreq++;
  }
  if (i < m->nreq)
    m->req[i].n++;
  else
    m->dropped++;
  for (i = 0; i < m->nlat; i++)
    if (!strcmp(m->lat[i].route, route) && !strcmp(m->lat[i].method, method))
      break;
  if (i == m->nlat && m->nlat < MAX_SERIES) {
    snprintf(m->lat[i].method, sizeof m->lat[i].method, "%s", method);
    snprintf(m->lat[i].route, sizeof m->lat[i].route, "%s", route);
    m->nlat++;
  }
  if (i < m->nlat) {
    lat_series *l = &m->lat[i];
    int b = 0;
    while (b < NBUCKETS && seconds > BOUNDS[b])
      b++;
    if (b < NBUCKETS)
      l->bucket[b]++;
    l->count++;
    l->sum += seconds;
  } else
    m->dropped++;
  pthread_mutex_unlock(&m->mu);
}

void decc__node_metrics_observe_sms(void *ctx, const char *event,
                                    const char *code) {
  node_metrics *m = ctx;
  if (!m || !event)
    return;
  pthread_mutex_lock(&m->mu);
  if (!strcmp(event, "release"))
    m->releases++;
  else if (!strcmp(event, "refusal")) {
    const char *c = code ? code : "UNKNOWN";
    size_t i;
    for (i = 0; i < m->nrefusals; i++)
      if (!strcmp(m->refusals[i].code, c))
        break;
    if (i == m->nrefusals && m->nrefusals < MAX_CODES) {
      snprintf(m->refusals[i].code, sizeof m->refusals[i].code, "%s", c);
      m->nrefusals++;
    }
    if (i < m->nrefusals)
      m->refusals[i].n++;
    else
      m->dropped++;
  }
  pthread_mutex_unlock(&m->mu);
}

/* A label value with \, " and newlines escaped as the format requires. */
static decc_status put_label(decc_buf *b, const char *v) {
  decc_status st = DECC_OK;
  const char *p = v;
  while (!st && *p) {
    size_t run = strcspn(p, "\\\"\n"); /* copied as they are */
    if (run)
      st = decc_buf_append(b, p, run);
    p += run;
    if (!st && *p) {
      st = decc_buf_append_str(b, *p == '\\'  ? "\\\\"
                                  : *p == '"' ? "\\\""
                                              : "\\n");
      p++;
    }
  }
  return st;
}

static decc_status head(decc_buf *b, const char *name, const char *type,
                        const char *help) {
  return decc_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                         type);
}

/* method="GET",route="/x" */
static decc_status put_mr(decc_buf *b, const char *method, const char *route) {
  decc_status st = decc_buf_append_str(b, "method=\"");
  if (!st)
    st = put_label(b, method);
  if (!st)
    st = decc_buf_append_str(b, "\",route=\"");
  if (!st)
    st = put_label(b, route);
  if (!st)
    st = decc_buf_append_byte(b, '"');
  return st;
}

/* Orders by type and status, read from the orderbook's file (read-only
 * connection; the market role writes it). */
static decc_status market_sizes(decc_node *n, decc_buf *b) {
  char path[4200];
  if ((size_t)snprintf(path, sizeof path, "%s/market/orders.db", n->cfg.home) >=
      sizeof path)
    return DECC_OK;
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  decc_status st = DECC_OK;
  static const char *const STATUS[4] = {"open", "filled", "canceled", "dead"};
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                      NULL) == SQLITE_OK &&
      sqlite3_prepare_v2(db,
                         "SELECT type, status, COUNT(*) FROM orders GROUP BY "
                         "type, status",
                         -1, &s, NULL) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    st = head(b, "decc_market_orders", "gauge",
              "Orders in the orderbook by type and status.");
    while (!st && sqlite3_step(s) == SQLITE_ROW) {
      int t = sqlite3_column_int(s, 0), stt = sqlite3_column_int(s, 1);
      if (t < 0 || t > 3 || stt < 0 || stt > 3)
        continue;
      st = decc_buf_printf(b,
                           "decc_market_orders{type=\"%s\",status=\"%s\"} "
                           "%" PRId64 "\n",
                           decc_order_type_name((decc_order_type)t),
                           STATUS[stt], (int64_t)sqlite3_column_int64(s, 2));
    }
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return st;
}

static decc_status render(decc_node *n, decc_buf *b) {
  node_metrics *m = n->metrics;
  decc_status st = DECC_OK;
  pthread_mutex_lock(&m->mu);
  st = head(b, "decc_http_requests_total", "counter",
            "HTTP requests answered, by method, route pattern and status.");
  for (size_t i = 0; !st && i < m->nreq; i++) {
    st = decc_buf_append_str(b, "decc_http_requests_total{");
    if (!st)
      st = put_mr(b, m->req[i].method, m->req[i].route);
    if (!st)
      st = decc_buf_printf(b, ",status=\"%d\"} %" PRIu64 "\n", m->req[i].status,
                           m->req[i].n);
  }
  if (!st)
    st = head(b, "decc_http_request_duration_seconds", "histogram",
              "Time from the start of a request to its response.");
  for (size_t i = 0; !st && i < m->nlat; i++) {
    const lat_series *l = &m->lat[i];
    uint64_t cum = 0;
    for (int k = 0; !st && k <= NBUCKETS; k++) {
      if (k < NBUCKETS)
        cum += l->bucket[k];
      st = decc_buf_append_str(b, "decc_http_request_duration_seconds_bucket{");
      if (!st)
        st = put_mr(b, l->method, l->route);
      if (!st)
        st = decc_buf_printf(b, ",le=\"%s\"} %" PRIu64 "\n",
                             k < NBUCKETS ? BOUND_LABELS[k] : "+Inf",
                             k < NBUCKETS ? cum : l->count);
    }
    const char *suffix[2] = {"sum", "count"};
    for (int k = 0; !st && k < 2; k++) {
      st = decc_buf_printf(b, "decc_http_request_duration_seconds_%s{",
                           suffix[k]);
      if (!st)
        st = put_mr(b, l->method, l->route);
      if (!st)
        st = k == 0 ? decc_buf_printf(b, "} %.6f\n", l->sum)
                    : decc_buf_printf(b, "} %" PRIu64 "\n", l->count);
    }
  }
  if (!st)
    st = head(b, "decc_sms_releases_total", "counter",
              "Sessions the SMS released to an attested enclave.");
  if (!st)
    st = decc_buf_printf(b, "decc_sms_releases_total %" PRIu64 "\n",
                         m->releases);
  if (!st)
    st = head(b, "decc_sms_refusals_total", "counter", "SMS refusals by code.");
  for (size_t i = 0; !st && i < m->nrefusals; i++) {
    st = decc_buf_append_str(b, "decc_sms_refusals_total{code=\"");
    if (!st)
      st = put_label(b, m->refusals[i].code);
    if (!st)
      st = decc_buf_printf(b, "\"} %" PRIu64 "\n", m->refusals[i].n);
  }
  if (!st)
    st = head(b, "decc_metrics_dropped_total", "counter",
              "Events not counted because the series limit was reached.");
  if (!st)
    st = decc_buf_printf(b, "decc_metrics_dropped_total %" PRIu64 "\n",
                         m->dropped);
  pthread_mutex_unlock(&m->mu);

  decc_http_stats hs;
  decc_http_server_stats(n->http, &hs);
  if (!st)
    st =
        head(b, "decc_http_connections_open", "gauge", "Connections open now.");
  if (!st)
    st = decc_buf_printf(b, "decc_http_connections_open %u\n", hs.open);
  if (!st)
    st = head(b, "decc_http_connections_waiting", "gauge",
              "Open connections waiting for request headers.");
  if (!st)
    st = decc_buf_printf(b, "decc_http_connections_waiting %u\n", hs.waiting);
  if (!st)
    st = head(b, "decc_http_connections_accepted_total", "counter",
              "Connections accepted since the start.");
  if (!st)
    st = decc_buf_printf(
        b, "decc_http_connections_accepted_total %" PRIu64 "\n", hs.accepted);
  if (!st)
    st = head(b, "decc_http_connections_closed_total", "counter",
              "Connections closed by the guard: a header/body deadline "
              "missed, or evicted to keep capacity for prompt requests.");
  if (!st)
    st = decc_buf_printf(
        b,
        "decc_http_connections_closed_total{reason=\"deadline\"} %" PRIu64 "\n"
        "decc_http_connections_closed_total{reason=\"evicted\"} %" PRIu64 "\n",
        hs.deadline_closed, hs.evicted);
  if (!st)
    st = head(b, "decc_http_blocking_requests_total", "counter",
              "Requests to routes that may wait (SMS releases): run on their "
              "connection's own thread (inline) or handed to the handler "
              "pool (pool).");
  if (!st)
    st = decc_buf_printf(
        b,
        "decc_http_blocking_requests_total{ran=\"inline\"} %" PRIu64 "\n"
        "decc_http_blocking_requests_total{ran=\"pool\"} %" PRIu64 "\n",
        hs.blocking_inline, hs.blocking_pooled);
  if (!st && n->sched) {
    size_t open = 0, ended = 0;
    decc_scheduler_counts(n->sched, &open, &ended);
    st = head(b, "decc_tasks", "gauge",
              "Tasks in the scheduler's table: open (not yet ended) and ended "
              "(completed, failed or claimed).");
    if (!st)
      st = decc_buf_printf(b,
                           "decc_tasks{state=\"open\"} %zu\n"
                           "decc_tasks{state=\"ended\"} %zu\n",
                           open, ended);
  }
  if (!st && n->market)
    st = market_sizes(n, b);
  if (!st)
    st = head(b, "decc_node_start_time_seconds", "gauge",
              "Unix time the node started serving.");
  if (!st)
    st = decc_buf_printf(b, "decc_node_start_time_seconds %" PRIu64 "\n",
                         n->started_at);
  if (!st)
    st = head(b, "decc_node_malloc_trims_total", "counter",
              "Times the node gave free heap memory back (malloc_trim).");
  if (!st)
    st = decc_buf_printf(b, "decc_node_malloc_trims_total %" PRIu64 "\n",
                         __atomic_load_n(&n->mem.trims, __ATOMIC_RELAXED));
  if (!st)
    st = head(b, "decc_node_malloc_trim_cpu_seconds_total", "counter",
              "CPU time spent in those trims.");
  if (!st)
    st = decc_buf_printf(
        b, "decc_node_malloc_trim_cpu_seconds_total %.6f\n",
        (double)__atomic_load_n(&n->mem.trim_cpu_ns, __ATOMIC_RELAXED) / 1e9);
  if (!st)
    st = head(b, "decc_node_malloc_trim_released_bytes_total", "counter",
              "Resident memory the trims released.");
  if (!st)
    st = decc_buf_printf(
        b, "decc_node_malloc_trim_released_bytes_total %" PRIu64 "\n",
        __atomic_load_n(&n->mem.released_kib, __ATOMIC_RELAXED) * 1024);
  return st;
}

static void h_metrics(void *ctx, decc_http_request *req,
                      decc_http_response *res) {
  (void)req;
  decc_node *n = ctx;
  decc_buf b;
  decc_buf_init(&b, 16u << 20);
  decc_status st = render(n, &b);
  size_t len = 0;
  char *body = st ? NULL : (char *)decc_buf_steal(&b, &len);
  decc_buf_clear(&b);
  if (!body) {
    (void)decc_http_res_error(res, 500, "metrics: %s", decc_strerror(st));
    return;
  }
  if (decc_http_res_send_owned(res, 200,
                               "text/plain; version=0.0.4; charset=utf-8", body,
                               len) != DECC_OK)
    (void)decc_http_res_error(res, 500, "out of memory");
}

decc_status decc__node_metrics_mount(decc_node *n, decc_err *err) {
  decc_status st = decc_http_route(n->http, "GET", "/metrics", h_metrics, n);
  return st ? decc_err_set(err, st, "metrics route: %s", decc_strerror(st))
            : DECC_OK;
}
