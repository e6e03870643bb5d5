/*
 * node_explorer.c — the read-only explorer `decc node` serves at `/`:
 * protected data (schema, owner, grants with remaining uses, expiry and
 * purpose), the receipts of each dataset, deals and tasks with their status
 * and failure cause, balances and the market. Server-rendered HTML with an
 * inline stylesheet and no script at all: nothing to fetch from outside the
 * machine, nothing that runs in the browser.
 *
 * Safety: every value that comes from the chain, the market, a receipt log
 * or the URL goes through esc() (HTML-escaped, so a schema key or an app
 * name cannot inject markup) and the response carries a Content-Security-
 * Policy that forbids scripts, frames and remote resources anyway. The
 * pages only read: the chain through a decc_chain handle opened per
 * request, the node's market, receipt logs and grant policies under
 * <home>/sms, and failure causes from the state files of the data
 * directory. No secret is ever read: dataset keys stay in the SMS vault,
 * and what is shown (checksums, multiaddrs, orders, receipts) is public or
 * the owner's own audit record.
 *
 * Bounds: at most LIST_MAX protected data, deals and tasks per page, so a
 * busy chain costs a bounded number of views per request.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/poco.h"
#include "decc/receipts.h"
#include "decc/worker.h"
#include "node_int.h"

#define LIST_MAX 100
#define TASKS_PER_DEAL_MAX 16
#define RECEIPTS_MAX 500
#define PAGE_MAX (4u << 20)

static const char CSP[] = "default-src 'none'; style-src 'unsafe-inline'; "
                          "form-action 'none'; frame-ancestors 'none'; "
                          "base-uri 'none'";

static const char STYLE[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24}"
    "header{background:#1b3a57;color:#fff;padding:10px 18px}"
    "header a{color:#fff;margin-right:16px;text-decoration:none}"
    "main{padding:12px "
    "18px}h1{font-size:20px}h2{font-size:17px;margin-top:22px}"
    "table{border-collapse:collapse;margin:6px 0 14px}"
    "td,th{border:1px solid #ccd;padding:3px 7px;text-align:left;"
    "vertical-align:top}th{background:#eef1f5}"
    "code,.h{font-family:ui-monospace,monospace;font-size:12px;"
    "word-break:break-all}.FAILED,.bad{color:#a00}.COMPLETED,.good{color:#070}"
    "pre{background:#f5f6f8;padding:6px;max-width:60em;overflow:auto}"
    ".note{color:#555}";

/* ---- HTML builder ---------------------------------------------------------------- */

typedef struct page {
  decc_buf b;
  int bad;
} page;

static void raw(page *p, const char *s) {
  if (decc_buf_append_str(&p->b, s))
    p->bad = 1;
}

/* HTML-escapes s (also quotes, so it is safe inside attributes). */
static void esc(page *p, const char *s) {
  for (; s && *s; s++) {
    const char *r = NULL;
    switch (*s) {
    case '&':
      r = "&amp;";
      break;
    case '<':
      r = "&lt;";
      break;
    case '>':
      r = "&gt;";
      break;
    case '"':
      r = "&quot;";
      break;
    case '\'':
      r = "&#39;";
      break;
    default:
      break;
    }
    if (r)
      raw(p, r);
    else if (decc_buf_append_byte(&p->b, (uint8_t)*s))
      p->bad = 1;
  }
}

static void fmt(page *p, const char *f, ...)
    __attribute__((format(printf, 2, 3)));
/* Formatted text, escaped. */
static void fmt(page *p, const char *f, ...) {
  char s[1024];
  va_list ap;
  va_start(ap, f);
  vsnprintf(s, sizeof s, f, ap);
  va_end(ap);
  esc(p, s);
}

static void hex(page *p, const uint8_t *b, size_t n) {
  char s[2 * 64 + 3];
  if (n > 64)
    n = 64;
  raw(p, "<span class=h>");
  raw(p, decc_hex_encode(s, b, n, 1));
  raw(p, "</span>");
}

static void addr_link(page *p, const decc_address *a) {
  char s[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(s, a);
  if (decc_address_is_zero(a)) {
    raw(p, "<span class=h>0x0 (any)</span>");
    return;
  }
  raw(p, "<a class=h href=\"/explorer/account/");
  raw(p, s);
  raw(p, "\">");
  raw(p, s);
  raw(p, "</a>");
}

static void data_link(page *p, const decc_address *a) {
  char s[DECC_ADDRESS_HEX_LEN];
  decc_address_to_checksum(s, a);
  raw(p, "<a class=h href=\"/explorer/data/");
  raw(p, s);
  raw(p, "\">");
  raw(p, s);
  raw(p, "</a>");
}

static void task_link(page *p, const uint8_t t[32]) {
  char s[DECC_HEX32_LEN];
  decc_hex_encode(s, t, 32, 1);
  raw(p, "<a class=h href=\"/explorer/task/");
  raw(p, s);
  raw(p, "\">");
  raw(p, s);
  raw(p, "</a>");
}

static void when(page *p, uint64_t t) {
  char s[40];
  time_t tt = (time_t)t;
  struct tm tm;
  if (!t || !gmtime_r(&tt, &tm) ||
      !strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &tm))
    snprintf(s, sizeof s, "%llu", (unsigned long long)t);
  esc(p, s);
}

static void rlc(page *p, const decc_u256 *v) {
  char s[DECC_U256_DEC_LEN];
  esc(p, decc_u256_to_dec(s, v));
  raw(p, " nRLC");
}

static void head(page *p, const char *title) {
  raw(p, "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
         "<meta name=viewport content=\"width=device-width\"><title>");
  esc(p, title);
  raw(p, " · decc explorer</title><style>");
  raw(p, STYLE);
  raw(p, "</style></head><body><header><b>decc explorer</b> &nbsp; "
         "<a href=\"/\">Overview</a><a href=\"/#data\">Protected data</a>"
         "<a href=\"/#deals\">Deals &amp; tasks</a><a href=\"/#market\">"
         "Market</a><a href=\"/#accounts\">Balances</a></header><main><h1>");
  esc(p, title);
  raw(p, "</h1>");
}

static void send_page(decc_http_response *res, page *p, int status) {
  raw(p, "<p class=note>Read-only view served by this decc node. Keys and "
         "secrets are never shown.</p></main></body></html>\n");
  (void)decc_http_res_header(res, "Content-Security-Policy", CSP);
  (void)decc_http_res_header(res, "X-Content-Type-Options", "nosniff");
  (void)decc_http_res_header(res, "Referrer-Policy", "no-referrer");
  (void)decc_http_res_header(res, "Cache-Control", "no-store");
  if (p->bad) {
    decc_buf_clear(&p->b);
    (void)decc_http_res_error(res, 500,
                              "explorer: page too large or out of "
                              "memory");
    return;
  }
  (void)decc_http_res_send(res, status, "text/html; charset=utf-8", p->b.data,
                           p->b.len);
  decc_buf_clear(&p->b);
}

static void error_page(decc_http_response *res, page *p, int status,
                       const char *what, const char *why) {
  head(p, what);
  raw(p, "<p class=bad>");
  esc(p, why);
  raw(p, "</p>");
  send_page(res, p, status);
}

/* ---- data gathering ------------------------------------------------------------ */

static const char *const TASK_STATUS[] = {"UNSET", "ACTIVE", "REVEALING",
                                          "COMPLETED", "FAILED"};

static const char *task_status(unsigned s) {
  return s < 5 ? TASK_STATUS[s] : "UNKNOWN";
}

/* <home>/sms/<sub> (decc_free). */
static char *sms_path(decc_node *n, const char *sub) {
  size_t l = strlen(n->cfg.home) + strlen(sub) + 8;
  char *s = decc_malloc(l);
  if (s)
    snprintf(s, l, "%s/sms/%s", n->cfg.home, sub);
  return s;
}

typedef struct pd_item {
  decc_address address;
  char *schema;
  uint64_t block;
} pd_item;

/* DatasetSchema logs of the DataProtector, newest first (at most max). */
static decc_status list_pd(decc_node *n, decc_chain *c, pd_item **out,
                           size_t *count, decc_err *err) {
  *out = NULL;
  *count = 0;
  if (decc_address_is_zero(&n->addr.dataprotector))
    return DECC_OK;
  uint8_t t0[32];
  decc_abi_event_topic(t0, "DatasetSchema(address,string)");
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &n->addr.dataprotector;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])t0;
  f.n_topic_alts[0] = 1;
  decc_log *logs = NULL;
  size_t nl = 0;
  decc_status st = decc_chain_get_logs(c, &f, &logs, &nl, err);
  if (st)
    return st;
  pd_item *items = decc_calloc(nl ? nl : 1, sizeof *items);
  if (!items) {
    decc_logs_free(logs, nl);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t k = 0;
  for (size_t i = nl; i-- > 0 && k < LIST_MAX;) {
    if (logs[i].n_topics < 2)
      continue;
    decc_abi_value *v = NULL;
    char *schema = NULL;
    if (decc_abi_decode(&v, "string", logs[i].data, logs[i].data_len, 0,
                        NULL) ||
        decc_abi_get_string(decc_abi_item(v, 0), &schema)) {
      decc_abi_value_free(v);
      continue;
    }
    decc_abi_value_free(v);
    memcpy(items[k].address.b, logs[i].topics[1] + 12, 20);
    items[k].schema = schema;
    items[k].block = logs[i].block_number;
    k++;
  }
  decc_logs_free(logs, nl);
  *out = items;
  *count = k;
  return DECC_OK;
}

static void free_pd(pd_item *items, size_t n) {
  for (size_t i = 0; i < n; i++)
    decc_free(items[i].schema);
  decc_free(items);
}

/* Deal ids of the newest OrdersMatched events (at most LIST_MAX). */
static decc_status list_deals(decc_node *n, decc_chain *c, uint8_t (**ids)[32],
                              size_t *count, decc_err *err) {
  *ids = NULL;
  *count = 0;
  uint8_t t0[32];
  decc_status st = decc_poco_event_topic(t0, DECC_EV_ORDERS_MATCHED);
  if (st)
    return decc_err_set(err, st, "event topic");
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &n->addr.hub;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])t0;
  f.n_topic_alts[0] = 1;
  decc_log *logs = NULL;
  size_t nl = 0;
  if ((st = decc_chain_get_logs(c, &f, &logs, &nl, err)))
    return st;
  uint8_t(*out)[32] = decc_calloc(nl ? nl : 1, 32);
  if (!out) {
    decc_logs_free(logs, nl);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t k = 0;
  for (size_t i = nl; i-- > 0 && k < LIST_MAX;)
    if (logs[i].data_len >= 32)
      memcpy(out[k++], logs[i].data, 32);
  decc_logs_free(logs, nl);
  *ids = out;
  *count = k;
  return DECC_OK;
}

/* Orders of the node's market as parsed JSON (NULL when none / no market). */
static json_t *market_orders(decc_node *n, decc_order_type type,
                             const decc_market_filter *f) {
  if (!n->market)
    return NULL;
  char *js = NULL;
  if (decc_market_query(n->market, type, f, &js, NULL))
    return NULL;
  json_t *j = json_loads(js, 0, NULL);
  decc_free(js);
  json_t *orders = json_incref(json_object_get(j, "orders"));
  json_decref(j);
  return orders;
}

static const char *jstr(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static const char *jnum(json_t *o, const char *k, char buf[32]) {
  json_t *v = json_object_get(o, k);
  if (json_is_integer(v))
    snprintf(buf, 32, "%lld", (long long)json_integer_value(v));
  else
    snprintf(buf, 32, "%s", json_is_string(v) ? json_string_value(v) : "");
  return buf;
}

/* ---- sections ------------------------------------------------------------------- */

static void section_chain(decc_node *n, decc_chain *c, page *p) {
  uint64_t block = 0, ts = 0;
  if (decc_chain_block_number(c, &block, NULL) ||
      decc_chain_block_timestamp(c, &ts, NULL))
    block = ts = 0; /* shown as 0: the page still renders */
  raw(p, "<table><tr><th>chain id</th><td>");
  fmt(p, "%llu", (unsigned long long)n->chain_id);
  raw(p, "</td></tr><tr><th>latest block</th><td>");
  fmt(p, "%llu (", (unsigned long long)block);
  when(p, ts);
  raw(p, ")</td></tr><tr><th>hub</th><td>");
  hex(p, n->addr.hub.b, 20);
  raw(p, "</td></tr><tr><th>DataProtector</th><td>");
  hex(p, n->addr.dataprotector.b, 20);
  raw(p, "</td></tr><tr><th>chain</th><td>");
  esc(p, n->remote_chain ? "remote (chain_url)" : "this node's ledger");
  raw(p, "</td></tr></table>");
}

static void section_pd(decc_chain *c, page *p, pd_item *items, size_t n) {
  raw(p, "<h2 id=data>Protected data</h2>");
  if (!n) {
    raw(p, "<p class=note>No protected data on this chain yet.</p>");
    return;
  }
  raw(p, "<table><tr><th>protected data</th><th>name</th><th>owner</th>"
         "<th>schema</th><th>block</th></tr>");
  for (size_t i = 0; i < n; i++) {
    decc_hub_entry e;
    memset(&e, 0, sizeof e);
    int have = decc_hub_entry_read(c, DECC_HUB_DATASET, &items[i].address, &e,
                                   NULL) == DECC_OK;
    raw(p, "<tr><td>");
    data_link(p, &items[i].address);
    raw(p, "</td><td>");
    esc(p, have && e.name ? e.name : "");
    raw(p, "</td><td>");
    if (have)
      addr_link(p, &e.owner);
    raw(p, "</td><td><code>");
    esc(p, items[i].schema);
    raw(p, "</code></td><td>");
    fmt(p, "%llu", (unsigned long long)items[i].block);
    raw(p, "</td></tr>");
    decc_hub_entry_clear(&e);
  }
  raw(p, "</table>");
}

/* One deal's tasks as table rows. */
static void deal_rows(decc_node *n, decc_chain *c, page *p,
                      const uint8_t deal_id[32]) {
  decc_poco_deal d;
  if (decc_hub_view_deal(c, deal_id, &d, NULL))
    return;
  uint64_t first = 0, size = 0;
  (void)decc_u256_to_u64(&first, &d.bot_first);
  (void)decc_u256_to_u64(&size, &d.bot_size);
  if (size > TASKS_PER_DEAL_MAX)
    size = TASKS_PER_DEAL_MAX;
  for (uint64_t i = first; i < first + size; i++) {
    uint8_t m[64], tid[32];
    memcpy(m, deal_id, 32);
    decc_u256 idx = decc_u256_from_u64(i);
    decc_u256_to_be(m + 32, &idx);
    decc_keccak256(tid, m, 64);
    decc_poco_task t;
    unsigned status = 0;
    if (decc_hub_view_task(c, tid, &t, NULL) == DECC_OK) {
      status = t.status;
      decc_poco_task_clear(&t);
    }
    char *cause = NULL;
    if (status != DECC_TASK_COMPLETED &&
        decc_worker_failure_cause(n->cfg.home, tid, &cause, NULL))
      cause = NULL; /* nothing recorded on this node */
    raw(p, "<tr><td>");
    hex(p, deal_id, 32);
    raw(p, "</td><td>");
    task_link(p, tid);
    raw(p, "</td><td class=");
    raw(p, task_status(status));
    raw(p, ">");
    esc(p, task_status(status));
    raw(p, "</td><td>");
    esc(p, cause ? cause : "");
    raw(p, "</td><td>");
    addr_link(p, &d.app.pointer);
    raw(p, "</td><td>");
    if (!decc_address_is_zero(&d.dataset.pointer))
      data_link(p, &d.dataset.pointer);
    raw(p, "</td><td>");
    addr_link(p, &d.requester);
    raw(p, "</td></tr>");
    decc_free(cause);
  }
  decc_poco_deal_clear(&d);
}

static void section_deals(decc_node *n, decc_chain *c, page *p,
                          uint8_t (*ids)[32], size_t nd) {
  raw(p, "<h2 id=deals>Deals &amp; tasks</h2>");
  if (!nd) {
    raw(p, "<p class=note>No deal yet.</p>");
    return;
  }
  raw(p, "<table><tr><th>deal</th><th>task</th><th>status</th>"
         "<th>failure cause</th><th>app</th><th>dataset</th>"
         "<th>requester</th></tr>");
  for (size_t i = 0; i < nd; i++)
    deal_rows(n, c, p, ids[i]);
  raw(p, "</table>");
}

static void order_table(page *p, json_t *orders, const char *res_key,
                        const char *price_key) {
  raw(p, "<table><tr><th>order hash</th><th>");
  esc(p, res_key);
  raw(p, "</th><th>price</th><th>volume</th><th>remaining</th>"
         "<th>status</th><th>published</th></tr>");
  size_t i;
  json_t *o;
  json_array_foreach(orders, i, o) {
    json_t *ord = json_object_get(o, "order");
    char b1[32], b2[32], b3[32];
    raw(p, "<tr><td class=h>");
    esc(p, jstr(o, "orderHash"));
    raw(p, "</td><td class=h>");
    esc(p, jstr(ord, res_key));
    raw(p, "</td><td>");
    esc(p, jnum(ord, price_key, b1));
    raw(p, " nRLC</td><td>");
    esc(p, jnum(ord, "volume", b2));
    raw(p, "</td><td>");
    esc(p, jnum(o, "remaining", b3));
    raw(p, "</td><td>");
    esc(p, jstr(o, "status"));
    raw(p, "</td><td>");
    esc(p, jstr(o, "publicationTimestamp"));
    raw(p, "</td></tr>");
  }
  raw(p, "</table>");
}

static void section_market(decc_node *n, page *p, uint8_t (*ids)[32], size_t nd,
                           decc_chain *c) {
  raw(p, "<h2 id=market>Market</h2>");
  if (!n->market) {
    raw(p, "<p class=note>This node does not run the market role.</p>");
    return;
  }
  decc_market_filter f;
  decc_market_filter_init(&f);
  f.app.mode = f.dataset.mode = f.requester.mode = DECC_MF_ANY;
  f.has_category = 1;
  json_t *all = json_array();
  for (uint64_t cat = 0; all && cat < 5; cat++) {
    f.category = cat;
    json_t *o = market_orders(n, DECC_ORDER_WORKERPOOL, &f);
    json_array_extend(all, o ? o : json_array());
    json_decref(o);
  }
  raw(p, "<h3>Workerpool orders (open)</h3>");
  order_table(p, all, "workerpool", "workerpoolprice");
  json_decref(all);
  /* app orders of the apps that appear in deals */
  all = json_array();
  decc_market_filter_init(&f);
  f.dataset.mode = f.workerpool.mode = f.requester.mode = DECC_MF_ANY;
  f.has_resource = 1;
  decc_address seen[LIST_MAX];
  size_t ns = 0;
  for (size_t i = 0; all && i < nd; i++) {
    decc_poco_deal d;
    if (decc_hub_view_deal(c, ids[i], &d, NULL))
      continue;
    int dup = 0;
    for (size_t k = 0; k < ns; k++)
      dup |= decc_address_eq(&seen[k], &d.app.pointer);
    if (!dup && ns < LIST_MAX) {
      seen[ns++] = d.app.pointer;
      f.resource = d.app.pointer;
      json_t *o = market_orders(n, DECC_ORDER_APP, &f);
      json_array_extend(all, o ? o : json_array());
      json_decref(o);
    }
    decc_poco_deal_clear(&d);
  }
  raw(p, "<h3>App orders (open, apps with deals)</h3>");
  order_table(p, all, "app", "appprice");
  json_decref(all);
  raw(p, "<p class=note>Dataset orders (grants) are listed on each protected "
         "data page.</p>");
}

static void balance_row(decc_chain *c, page *p, const decc_address *a,
                        const char *role) {
  decc_hub_account acc;
  raw(p, "<tr><td>");
  addr_link(p, a);
  raw(p, "</td><td>");
  esc(p, role);
  raw(p, "</td>");
  if (decc_hub_account_of(c, a, &acc, NULL) == DECC_OK) {
    raw(p, "<td>");
    rlc(p, &acc.wallet);
    raw(p, "</td><td>");
    rlc(p, &acc.stake);
    raw(p, "</td><td>");
    rlc(p, &acc.locked);
    raw(p, "</td>");
  } else {
    raw(p, "<td colspan=3 class=bad>unavailable</td>");
  }
  raw(p, "</tr>");
}

static void section_accounts(decc_chain *c, page *p, uint8_t (*ids)[32],
                             size_t nd, pd_item *pd, size_t npd) {
  raw(p, "<h2 id=accounts>Balances</h2><p class=note>Accounts that appear "
         "in deals and protected data: RLC in the wallet, deposited "
         "(stake) and locked in deals.</p><table><tr><th>account</th>"
         "<th>role</th><th>wallet</th><th>stake</th><th>locked</th></tr>");
  decc_address seen[3 * LIST_MAX + LIST_MAX];
  size_t ns = 0;
#define ADD(addr, role)                                                        \
  do {                                                                         \
    int dup_ = 0;                                                              \
    for (size_t k_ = 0; k_ < ns; k_++)                                         \
      dup_ |= decc_address_eq(&seen[k_], (addr));                              \
    if (!dup_ && ns < sizeof seen / sizeof seen[0] &&                          \
        !decc_address_is_zero(addr)) {                                         \
      seen[ns++] = *(addr);                                                    \
      balance_row(c, p, (addr), (role));                                       \
    }                                                                          \
  } while (0)
  for (size_t i = 0; i < nd; i++) {
    decc_poco_deal d;
    if (decc_hub_view_deal(c, ids[i], &d, NULL))
      continue;
    ADD(&d.requester, "requester");
    ADD(&d.app.owner, "app owner");
    ADD(&d.dataset.owner, "dataset owner");
    ADD(&d.workerpool.owner, "workerpool owner");
    decc_poco_deal_clear(&d);
  }
  for (size_t i = 0; i < npd; i++) {
    decc_address owner;
    if (decc_hub_owner_of(c, &pd[i].address, &owner, NULL) == DECC_OK)
      ADD(&owner, "data owner");
  }
#undef ADD
  raw(p, "</table>");
}

/* ---- pages ---------------------------------------------------------------------- */

static void close_chain(void *h) { decc_chain_destroy(h); }

/* A chain handle for one page: an idle one when there is one (opening the
 * embedded ledger and reading its schema was a quarter of a page's CPU),
 * else a new one; give it back with done_chain. */
static int open_chain(decc_node *n, decc_http_response *res, page *p,
                      decc_chain **c) {
  if ((*c = decc__node_idle_take(&n->xchains)))
    return 0;
  decc_err err;
  decc_err_clear(&err);
  if (decc__node_chain_open(n, c, &err)) {
    error_page(res, p, 503, "Explorer",
               "this node has no chain to read (chain role or chain_url)");
    return -1;
  }
  return 0;
}

static void done_chain(decc_node *n, decc_chain *c) {
  decc__node_idle_put(&n->xchains, c);
}

static void h_index(void *ctx, decc_http_request *req,
                    decc_http_response *res) {
  (void)req;
  decc_node *n = ctx;
  page p = {0};
  decc_buf_init(&p.b, PAGE_MAX);
  decc_chain *c;
  if (open_chain(n, res, &p, &c))
    return;
  head(&p, "Overview");
  section_chain(n, c, &p);
  pd_item *pd = NULL;
  size_t npd = 0;
  uint8_t(*ids)[32] = NULL;
  size_t nd = 0;
  decc_err err;
  decc_err_clear(&err);
  if (list_pd(n, c, &pd, &npd, &err) || list_deals(n, c, &ids, &nd, &err)) {
    raw(&p, "<p class=bad>");
    esc(&p, err.msg);
    raw(&p, "</p>");
  }
  section_pd(c, &p, pd, npd);
  section_deals(n, c, &p, ids, nd);
  section_market(n, &p, ids, nd, c);
  section_accounts(c, &p, ids, nd, pd, npd);
  free_pd(pd, npd);
  decc_free(ids);
  done_chain(n, c);
  send_page(res, &p, 200);
}

static void grants_table(decc_node *n, page *p, const decc_address *data) {
  raw(p, "<h2 id=grants>Grants</h2>");
  if (!n->market) {
    raw(p, "<p class=note>This node does not run the market role: grants "
           "are not listed here.</p>");
    return;
  }
  decc_market_filter f;
  decc_market_filter_init(&f);
  f.has_resource = 1;
  f.resource = *data;
  f.app.mode = f.workerpool.mode = f.requester.mode = DECC_MF_ANY;
  f.include_all_status = 1;
  json_t *orders = market_orders(n, DECC_ORDER_DATASET, &f);
  if (!orders || !json_array_size(orders)) {
    raw(p, "<p class=note>No grant.</p>");
    json_decref(orders);
    return;
  }
  char *pdir = sms_path(n, "policies");
  raw(p, "<table><tr><th>grant (dataset order)</th><th>app</th><th>user</th>"
         "<th>price per use</th><th>uses granted</th><th>remaining uses</th>"
         "<th>status</th><th>expires</th><th>purpose</th></tr>");
  size_t i;
  json_t *o;
  uint64_t now = (uint64_t)time(NULL);
  json_array_foreach(orders, i, o) {
    json_t *ord = json_object_get(o, "order");
    char b1[32], b2[32], b3[32];
    const char *user = jstr(ord, "requesterrestrict");
    raw(p, "<tr><td class=h>");
    esc(p, jstr(o, "orderHash"));
    raw(p, "</td><td class=h>");
    esc(p, jstr(ord, "apprestrict"));
    raw(p, "</td><td class=h>");
    esc(p, !strcmp(user, "0x0000000000000000000000000000000000000000")
               ? "any user"
               : user);
    raw(p, "</td><td>");
    esc(p, jnum(ord, "datasetprice", b1));
    raw(p, " nRLC</td><td>");
    esc(p, jnum(ord, "volume", b2));
    raw(p, "</td><td>");
    esc(p, jnum(o, "remaining", b3));
    raw(p, "</td><td>");
    esc(p, jstr(o, "status"));
    raw(p, "</td>");
    uint8_t h[32];
    decc_grant_policy pol;
    if (pdir &&
        decc_hex_decode_exact(h, 32, jstr(o, "orderHash"), "hash", NULL) ==
            DECC_OK &&
        decc_grant_policy_load(pdir, h, &pol, NULL) == DECC_OK) {
      raw(p, pol.expires && pol.expires <= now ? "<td class=bad>" : "<td>");
      if (pol.expires)
        when(p, pol.expires);
      else
        raw(p, "never");
      if (pol.expires && pol.expires <= now)
        raw(p, " (expired)");
      raw(p, "</td><td>");
      esc(p, pol.purpose);
      raw(p, "</td>");
    } else {
      raw(p, "<td>never</td><td></td>");
    }
    raw(p, "</tr>");
  }
  raw(p, "</table>");
  decc_free(pdir);
  json_decref(orders);
}

static void receipts_table(decc_node *n, page *p, const decc_address *data) {
  raw(p, "<h2 id=receipts>Receipts</h2>");
  if (!n->sms) {
    raw(p, "<p class=note>receipts not available: this node does not run "
           "the SMS, which keeps the receipt logs</p>");
    return;
  }
  char *dir = sms_path(n, "receipts");
  char *path = NULL;
  decc_rcpt_list l;
  memset(&l, 0, sizeof l);
  decc_err err;
  decc_err_clear(&err);
  if (!dir || decc_rcpt_log_path(&path, dir, data) ||
      decc_rcpt_log_read(&l, path, RECEIPTS_MAX, &err)) {
    raw(p, "<p class=bad>receipts not available: ");
    esc(p, err.msg[0] ? err.msg : "no receipt log");
    raw(p, "</p>");
    decc_free(dir);
    decc_free(path);
    return;
  }
  decc_free(dir);
  decc_free(path);
  if (!l.n) {
    raw(p, "<p class=note>No receipt: the SMS has not released this "
           "dataset's key yet.</p>");
  } else {
    raw(p, "<p class=note>Each use of the data, as the SMS recorded and "
           "signed it (hash-linked log; check it with 'decc receipts DATA "
           "--verify').</p><table><tr><th>#</th><th>kind</th><th>time</th>"
           "<th>task</th><th>app</th><th>requester</th><th>price</th>"
           "<th>purpose</th><th>signed by</th></tr>");
    for (size_t i = 0; i < l.n; i++) {
      const decc_rcpt *r = &l.items[i];
      decc_address signer;
      int sig_ok = decc_rcpt_signer(&signer, r) == DECC_OK;
      decc_u256 price;
      decc_u256_from_be(&price, r->price);
      raw(p, "<tr><td>");
      fmt(p, "%llu", (unsigned long long)r->seq);
      raw(p, "</td><td>");
      esc(p, decc_rcpt_kind_name(r->kind));
      raw(p, "</td><td>");
      when(p, r->time);
      raw(p, "</td><td>");
      task_link(p, r->task_id);
      raw(p, "</td><td>");
      addr_link(p, &r->app);
      raw(p, "</td><td>");
      addr_link(p, &r->requester);
      raw(p, "</td><td>");
      rlc(p, &price);
      raw(p, "</td><td>");
      esc(p, r->purpose);
      raw(p, "</td><td>");
      if (sig_ok)
        hex(p, signer.b, 20);
      else
        raw(p, "<span class=bad>bad signature</span>");
      raw(p, "</td></tr>");
    }
    raw(p, "</table>");
  }
  if (l.torn_bytes || l.bad_frames) {
    raw(p, "<p class=bad>");
    fmt(p, "log damage: %llu torn bytes, %llu unreadable frames",
        (unsigned long long)l.torn_bytes, (unsigned long long)l.bad_frames);
    raw(p, "</p>");
  }
  decc_rcpt_list_clear(&l);
}

static void h_data(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_node *n = ctx;
  page p = {0};
  decc_buf_init(&p.b, PAGE_MAX);
  decc_address a;
  const char *s = decc_http_req_param(req, "address");
  if (!s || strlen(s) != 42 || decc_address_parse(&a, s, NULL)) {
    error_page(res, &p, 400, "Protected data", "not an address");
    return;
  }
  decc_chain *c;
  if (open_chain(n, res, &p, &c))
    return;
  decc_hub_entry e;
  memset(&e, 0, sizeof e);
  if (decc_hub_entry_read(c, DECC_HUB_DATASET, &a, &e, NULL)) {
    done_chain(n, c);
    error_page(res, &p, 404, "Protected data",
               "no dataset with this address on the chain");
    return;
  }
  head(&p, "Protected data");
  raw(&p, "<table><tr><th>address</th><td>");
  hex(&p, a.b, 20);
  raw(&p, "</td></tr><tr><th>name</th><td>");
  esc(&p, e.name ? e.name : "");
  raw(&p, "</td></tr><tr><th>owner</th><td>");
  addr_link(&p, &e.owner);
  raw(&p, "</td></tr><tr><th>multiaddr</th><td class=h>");
  {
    /* text ("/ipfs/…") or the binary multiaddr DataProtector v2 stores
     * (shown as hex) */
    int text = 1;
    for (size_t i = 0; i < e.multiaddr_len; i++)
      text &= e.multiaddr[i] >= 0x20 && e.multiaddr[i] <= 0x7e;
    char *m = decc_malloc(2 * e.multiaddr_len + 3);
    if (m) {
      if (text) {
        memcpy(m, e.multiaddr, e.multiaddr_len);
        m[e.multiaddr_len] = 0;
      } else {
        decc_hex_encode(m, e.multiaddr, e.multiaddr_len, 1);
      }
      esc(&p, m);
      decc_free(m);
    }
  }
  raw(&p, "</td></tr><tr><th>checksum</th><td>");
  hex(&p, e.checksum, 32);
  raw(&p, "</td></tr><tr><th>schema</th><td>");
  pd_item *pd = NULL;
  size_t npd = 0;
  int found = 0;
  if (list_pd(n, c, &pd, &npd, NULL) == DECC_OK)
    for (size_t i = 0; i < npd && !found; i++)
      if (decc_address_eq(&pd[i].address, &a)) {
        raw(&p, "<pre>");
        esc(&p, pd[i].schema);
        raw(&p, "</pre>");
        found = 1;
      }
  if (!found)
    raw(&p, "<span class=note>not a DataProtector dataset (no schema)</span>");
  free_pd(pd, npd);
  raw(&p, "</td></tr></table>");
  decc_hub_entry_clear(&e);
  done_chain(n, c);
  grants_table(n, &p, &a);
  receipts_table(n, &p, &a);
  send_page(res, &p, 200);
}

static void h_task(void *ctx, decc_http_request *req, decc_http_response *res) {
  decc_node *n = ctx;
  page p = {0};
  decc_buf_init(&p.b, PAGE_MAX);
  uint8_t tid[32];
  const char *s = decc_http_req_param(req, "taskid");
  if (!s || strlen(s) != 66 ||
      decc_hex_decode_exact(tid, 32, s, "task", NULL)) {
    error_page(res, &p, 400, "Task", "not a task id");
    return;
  }
  decc_chain *c;
  if (open_chain(n, res, &p, &c))
    return;
  decc_poco_task t;
  int known = decc_hub_view_task(c, tid, &t, NULL) == DECC_OK;
  if (!known || t.status == DECC_TASK_UNSET) {
    if (known)
      decc_poco_task_clear(&t);
    done_chain(n, c);
    error_page(res, &p, 404, "Task", "no task with this id on the chain");
    return;
  }
  head(&p, "Task");
  raw(&p, "<table><tr><th>task</th><td>");
  hex(&p, tid, 32);
  raw(&p, "</td></tr><tr><th>status</th><td class=");
  raw(&p, task_status(t.status));
  raw(&p, ">");
  esc(&p, task_status(t.status));
  raw(&p, "</td></tr>");
  char *cause = NULL;
  if (t.status != DECC_TASK_COMPLETED &&
      decc_worker_failure_cause(n->cfg.home, tid, &cause, NULL) == DECC_OK) {
    raw(&p, "<tr><th>failure cause</th><td class=bad>");
    esc(&p, cause);
    raw(&p, "</td></tr>");
  }
  decc_free(cause);
  raw(&p, "<tr><th>deal</th><td>");
  hex(&p, t.deal_id, 32);
  raw(&p, "</td></tr><tr><th>index</th><td>");
  char d[DECC_U256_DEC_LEN];
  esc(&p, decc_u256_to_dec(d, &t.idx));
  raw(&p, "</td></tr><tr><th>result digest</th><td>");
  hex(&p, t.result_digest, 32);
  raw(&p, "</td></tr><tr><th>results</th><td class=h>");
  {
    char *r = decc_malloc(t.results_len + 1);
    if (r) {
      memcpy(r, t.results, t.results_len);
      r[t.results_len] = 0;
      for (size_t i = 0; i < t.results_len; i++)
        if ((unsigned char)r[i] < 0x20 || (unsigned char)r[i] > 0x7e)
          r[i] = '?';
      esc(&p, r);
      decc_free(r);
    }
  }
  raw(&p, "</td></tr>");
  decc_poco_deal deal;
  if (decc_hub_view_deal(c, t.deal_id, &deal, NULL) == DECC_OK) {
    raw(&p, "<tr><th>app</th><td>");
    addr_link(&p, &deal.app.pointer);
    raw(&p, "</td></tr><tr><th>dataset</th><td>");
    if (!decc_address_is_zero(&deal.dataset.pointer))
      data_link(&p, &deal.dataset.pointer);
    raw(&p, "</td></tr><tr><th>workerpool</th><td>");
    addr_link(&p, &deal.workerpool.pointer);
    raw(&p, "</td></tr><tr><th>requester</th><td>");
    addr_link(&p, &deal.requester);
    raw(&p, "</td></tr><tr><th>price (app + data + pool)</th><td>");
    decc_u256 sum = deal.app.price;
    if (decc_u256_add(&sum, &sum, &deal.dataset.price) ||
        decc_u256_add(&sum, &sum, &deal.workerpool.price))
      raw(&p, "overflow");
    else
      rlc(&p, &sum);
    raw(&p, "</td></tr>");
    decc_poco_deal_clear(&deal);
  }
  raw(&p, "</table><p class=note>Provenance: 'decc result get TASK --bundle "
          "FILE' then 'decc verify FILE'.</p>");
  decc_poco_task_clear(&t);
  done_chain(n, c);
  send_page(res, &p, 200);
}

static void h_account(void *ctx, decc_http_request *req,
                      decc_http_response *res) {
  decc_node *n = ctx;
  page p = {0};
  decc_buf_init(&p.b, PAGE_MAX);
  decc_address a;
  const char *s = decc_http_req_param(req, "address");
  if (!s || strlen(s) != 42 || decc_address_parse(&a, s, NULL)) {
    error_page(res, &p, 400, "Account", "not an address");
    return;
  }
  decc_chain *c;
  if (open_chain(n, res, &p, &c))
    return;
  head(&p, "Account");
  raw(&p, "<table><tr><th>account</th><th>role</th><th>wallet</th>"
          "<th>stake</th><th>locked</th></tr>");
  balance_row(c, &p, &a, "");
  raw(&p, "</table>");
  done_chain(n, c);
  send_page(res, &p, 200);
}

decc_status decc__node_explorer_mount(decc_node *n, decc_err *err) {
  decc__node_idle_init(&n->xchains, close_chain);
  decc_status st = decc_http_route(n->http, "GET", "/", h_index, n);
  if (!st)
    st = decc_http_route(n->http, "GET", "/explorer/data/{address}", h_data, n);
  if (!st)
    st = decc_http_route(n->http, "GET", "/explorer/task/{taskid}", h_task, n);
  if (!st)
    st = decc_http_route(n->http, "GET", "/explorer/account/{address}",
                         h_account, n);
  return st ? decc_err_set(err, st, "explorer routes: %s", decc_strerror(st))
            : DECC_OK;
}
