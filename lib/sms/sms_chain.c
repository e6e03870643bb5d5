/*
 * sms_chain.c — the SMS's two chain views (decc/sms.h): one over a
 * decc_chain, reading what iexec-sms reads with eth_call (owner() of the
 * entry contracts, the hub's viewTask / viewDeal, the app and dataset
 * checksum and multiaddr fields, the latest block time), and one held in
 * memory for tests, benchmarks and dry runs.
 *
 * A decc_chain handle serves one thread at a time while the SMS runs on the
 * HTTP server's threads, so the chain view takes a mutex around each read.
 */
#include <pthread.h>
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/receipts.h"
#include "decc/sms.h"

/* Deal params larger than this are refused when read from the chain. */
#define PARAMS_MAX (1u << 20)

void decc_sms_deal_clear(decc_sms_deal *d) {
  if (!d)
    return;
  decc_free(d->params);
  memset(d, 0, sizeof *d);
}

void decc_sms_asset_clear(decc_sms_asset *a) {
  if (!a)
    return;
  decc_free(a->multiaddr);
  memset(a, 0, sizeof *a);
}

/* ---- over decc_chain ------------------------------------------------------ */

typedef struct cview {
  decc_chain *chain;
  int own;
  decc_address hub;
  pthread_mutex_t mu;
} cview;

/* eth_call of a no-argument or one-word-argument view; a revert or an
 * empty answer is DECC_E_NOT_FOUND (no such entry). */
static decc_status view_call(cview *v, const decc_address *to, const char *sig,
                             const uint8_t *arg32, decc_buf *out,
                             decc_err *err) {
  uint8_t data[36];
  size_t n = 4;
  decc_abi_selector(data, sig);
  if (arg32) {
    memcpy(data + 4, arg32, 32);
    n = 36;
  }
  decc_buf_init(out, 4u << 20);
  pthread_mutex_lock(&v->mu);
  decc_status st = decc_chain_call(v->chain, NULL, to, data, n, out, err);
  pthread_mutex_unlock(&v->mu);
  if (st == DECC_E_REVERT || (st == DECC_OK && out->len == 0)) {
    decc_buf_clear(out);
    char a[DECC_ADDRESS_HEX_LEN];
    return decc_err_set(err, DECC_E_NOT_FOUND, "%s on %s: no such entry", sig,
                        decc_address_to_checksum(a, to));
  }
  if (st)
    decc_buf_clear(out);
  return st;
}

static decc_status cv_owner_of(void *ctx, const decc_address *entry,
                               decc_address *owner, decc_err *err) {
  decc_buf out;
  decc_status st = view_call(ctx, entry, "owner()", NULL, &out, err);
  if (st)
    return st;
  decc_abi_value *v = NULL;
  st = decc_abi_decode(&v, "address", out.data, out.len, 0, err);
  if (!st && decc_abi_get_address(decc_abi_item(v, 0), owner) != DECC_OK)
    st = decc_err_set(err, DECC_E_PARSE, "owner(): bad answer");
  decc_abi_value_free(v);
  decc_buf_clear(&out);
  if (!st && decc_address_is_zero(owner))
    st = decc_err_set(err, DECC_E_NOT_FOUND, "entry has no owner");
  return st;
}

static decc_status cv_task(void *ctx, const uint8_t taskid[32],
                           decc_sms_task *t, decc_err *err) {
  cview *cv = ctx;
  decc_poco_task pt;
  memset(t, 0, sizeof *t);
  pthread_mutex_lock(&cv->mu);
  decc_status st = decc_hub_view_task(cv->chain, taskid, &pt, err);
  pthread_mutex_unlock(&cv->mu);
  if (st)
    return st;
  memcpy(t->deal_id, pt.deal_id, 32);
  t->status = (unsigned)pt.status;
  if (!decc_u256_to_u64(&t->index, &pt.idx) ||
      !decc_u256_to_u64(&t->final_deadline, &pt.final_deadline))
    st = decc_err_set(err, DECC_E_PARSE, "viewTask: value out of range");
  else if (pt.status == DECC_TASK_UNSET)
    st = decc_err_set(err, DECC_E_NOT_FOUND,
                      "task does not exist on chain (UNSET)");
  decc_poco_task_clear(&pt);
  return st;
}

static decc_status cv_deal(void *ctx, const uint8_t dealid[32],
                           decc_sms_deal *d, decc_err *err) {
  cview *cv = ctx;
  decc_poco_deal pd;
  memset(d, 0, sizeof *d);
  pthread_mutex_lock(&cv->mu);
  decc_status st = decc_hub_view_deal(cv->chain, dealid, &pd, err);
  pthread_mutex_unlock(&cv->mu);
  if (st) {
    decc_poco_deal_clear(&pd);
    return st == DECC_E_NOT_FOUND
               ? decc_err_set(err, st, "deal does not exist on chain")
               : st;
  }
  size_t plen = pd.params ? strlen(pd.params) : 0;
  d->app = pd.app.pointer;
  d->app_owner = pd.app.owner;
  d->dataset = pd.dataset.pointer;
  d->dataset_owner = pd.dataset.owner;
  d->workerpool = pd.workerpool.pointer;
  d->workerpool_owner = pd.workerpool.owner;
  memcpy(d->tag, pd.tag, 32);
  d->requester = pd.requester;
  d->beneficiary = pd.beneficiary;
  d->callback = pd.callback;
  if (!decc_u256_to_u64(&d->trust, &pd.trust) ||
      !decc_u256_to_u64(&d->category, &pd.category) ||
      !decc_u256_to_u64(&d->start_time, &pd.start_time) ||
      !decc_u256_to_u64(&d->bot_first, &pd.bot_first) ||
      !decc_u256_to_u64(&d->bot_size, &pd.bot_size))
    st = decc_err_set(err, DECC_E_PARSE, "viewDeal: value out of range");
  else if (plen > PARAMS_MAX)
    st = decc_err_set(err, DECC_E_LIMIT, "deal params too large");
  else {
    d->params = pd.params; /* taken over */
    pd.params = NULL;
  }
  decc_poco_deal_clear(&pd);
  if (st)
    decc_sms_deal_clear(d);
  return st;
}

static decc_status cv_asset(cview *cv, const decc_address *a,
                            const char *checksum_sig, const char *maddr_sig,
                            decc_sms_asset *out, decc_err *err) {
  memset(out, 0, sizeof *out);
  decc_buf b;
  decc_status st = view_call(cv, a, checksum_sig, NULL, &b, err);
  if (st)
    return st;
  decc_abi_value *v = NULL;
  st = decc_abi_decode(&v, "bytes32", b.data, b.len, 0, err);
  if (!st && decc_abi_get_bytes32(decc_abi_item(v, 0), out->checksum))
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", checksum_sig);
  decc_abi_value_free(v);
  v = NULL;
  decc_buf_clear(&b);
  if (!st)
    st = view_call(cv, a, maddr_sig, NULL, &b, err);
  if (st)
    return st;
  const uint8_t *m = NULL;
  size_t mn = 0;
  st = decc_abi_decode(&v, "bytes", b.data, b.len, 0, err);
  if (!st && decc_abi_get_bytes(decc_abi_item(v, 0), &m, &mn))
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", maddr_sig);
  if (!st && mn) {
    out->multiaddr = decc_malloc(mn);
    if (!out->multiaddr)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    else {
      memcpy(out->multiaddr, m, mn);
      out->multiaddr_len = mn;
    }
  }
  decc_abi_value_free(v);
  decc_buf_clear(&b);
  return st;
}

static decc_status cv_app(void *ctx, const decc_address *a, decc_sms_asset *out,
                          decc_err *err) {
  return cv_asset(ctx, a, "m_appChecksum()", "m_appMultiaddr()", out, err);
}

static decc_status cv_dataset(void *ctx, const decc_address *a,
                              decc_sms_asset *out, decc_err *err) {
  return cv_asset(ctx, a, "m_datasetChecksum()", "m_datasetMultiaddr()", out,
                  err);
}

static decc_status cv_now(void *ctx, uint64_t *out, decc_err *err) {
  cview *cv = ctx;
  pthread_mutex_lock(&cv->mu);
  decc_status st = decc_chain_block_timestamp(cv->chain, out, err);
  pthread_mutex_unlock(&cv->mu);
  return st;
}

/* A revert whose data the chain gave as hex in err (custom error
 * IncompatibleDatasetOrder(string) or Error(string)) becomes
 * "IncompatibleDatasetOrder: <reason>" / the reason, printable ASCII only;
 * anything else is left as it is. */
static void revert_reason(decc_err *err) {
  const char *h = strstr(err->msg, "0x");
  if (!h)
    return;
  size_t n = strspn(h + 2, "0123456789abcdefABCDEF");
  uint8_t buf[512];
  size_t len = 0;
  if (n < 8 || n % 2 || n / 2 > sizeof buf ||
      decc_hex_decode(buf, sizeof buf, &len, h + 2, n) != DECC_OK)
    return;
  uint8_t custom[4], plain[4];
  decc_abi_selector(custom, "IncompatibleDatasetOrder(string)");
  decc_abi_selector(plain, "Error(string)");
  int is_custom = !memcmp(buf, custom, 4);
  if (!is_custom && memcmp(buf, plain, 4))
    return;
  decc_abi_value *v = NULL;
  char *txt = NULL;
  if (decc_abi_decode(&v, "string", buf + 4, len - 4, 0, NULL) == DECC_OK &&
      decc_abi_get_string(decc_abi_item(v, 0), &txt) == DECC_OK) {
    for (char *p = txt; *p; p++)
      if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
        *p = '?';
    decc_err_set(err, DECC_E_REVERT, "%s%.200s",
                 is_custom ? "IncompatibleDatasetOrder: " : "", txt);
  }
  decc_free(txt);
  decc_abi_value_free(v);
}

/* assertDatasetDealCompatibility(order, dealId) on the hub (PoCo 6.1):
 * an eth_call that reverts with IncompatibleDatasetOrder(reason) when the
 * order may not serve the deal; the chain puts the reason in err. */
static decc_status cv_dataset_order_compatible(void *ctx, const decc_order *o,
                                               const uint8_t dealid[32],
                                               decc_err *err) {
  cview *cv = ctx;
  uint8_t sel[4];
  decc_abi_selector(
      sel, "assertDatasetDealCompatibility(" DECC_ORDER_ABI_DATASET_TYPE
           ",bytes32)");
  decc_abi_enc e;
  decc_buf cd, out;
  decc_abi_enc_init(&e, 1u << 20);
  decc_buf_init(&cd, 1u << 20);
  decc_status st = decc_order_abi_push(&e, o);
  if (!st)
    st = decc_abi_enc_push_bytes32(&e, dealid);
  if (!st)
    st = decc_abi_enc_finish_call(&e, sel, &cd);
  decc_abi_enc_clear(&e);
  if (st) {
    decc_buf_clear(&cd);
    return decc_err_set(err, st,
                        "assertDatasetDealCompatibility: cannot "
                        "encode the dataset order");
  }
  decc_buf_init(&out, 4096);
  pthread_mutex_lock(&cv->mu);
  st = decc_chain_call(cv->chain, NULL, &cv->hub, cd.data, cd.len, &out, err);
  pthread_mutex_unlock(&cv->mu);
  decc_buf_clear(&cd);
  decc_buf_clear(&out);
  if (st == DECC_E_REVERT)
    revert_reason(err);
  return st;
}

static void cv_destroy(void *ctx) {
  cview *cv = ctx;
  if (!cv)
    return;
  if (cv->own)
    decc_chain_destroy(cv->chain);
  pthread_mutex_destroy(&cv->mu);
  decc_free(cv);
}

/* Receipts: price and orders of the deal (decc_rcpt_deal_orders scans the
 * hub's OrdersMatched logs), chain id. */
static decc_status cv_deal_grant(void *ctx, const uint8_t dealid[32],
                                 uint8_t price32[32], uint8_t orders[4][32],
                                 uint64_t *chain_id, decc_err *err) {
  cview *cv = ctx;
  decc_poco_deal pd;
  pthread_mutex_lock(&cv->mu);
  decc_status st = decc_hub_view_deal(cv->chain, dealid, &pd, err);
  if (!st)
    decc_u256_to_be(price32, &pd.dataset.price);
  decc_poco_deal_clear(&pd);
  if (!st)
    st = decc_rcpt_deal_orders(cv->chain, dealid, orders, err);
  if (!st)
    st = decc_chain_id(cv->chain, chain_id, err);
  pthread_mutex_unlock(&cv->mu);
  return st;
}

decc_status decc_sms_chain_view_over(decc_sms_chain_view *out,
                                     decc_chain *chain, int take_chain,
                                     decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(chain != NULL);
  memset(out, 0, sizeof *out);
  decc_chain_addresses addr;
  decc_status st = decc_chain_get_addresses(chain, &addr, err);
  if (st)
    return st;
  cview *cv = decc_calloc(1, sizeof *cv);
  if (!cv)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  cv->chain = chain;
  cv->own = take_chain;
  cv->hub = addr.hub;
  pthread_mutex_init(&cv->mu, NULL);
  out->ctx = cv;
  out->owner_of = cv_owner_of;
  out->task = cv_task;
  out->deal = cv_deal;
  out->app = cv_app;
  out->dataset = cv_dataset;
  out->now = cv_now;
  out->destroy = cv_destroy;
  out->dataset_order_compatible = cv_dataset_order_compatible;
  out->deal_grant = cv_deal_grant;
  return DECC_OK;
}

/* ---- in memory ------------------------------------------------------------ */

typedef struct mem_owner {
  decc_address entry, owner;
} mem_owner;
typedef struct mem_asset {
  decc_address entry;
  decc_sms_asset a;
} mem_asset;
typedef struct mem_deal {
  uint8_t id[32];
  decc_sms_deal d;
} mem_deal;
typedef struct mem_task {
  uint8_t id[32];
  decc_sms_task t;
} mem_task;

struct decc_sms_memchain {
  pthread_mutex_t mu;
  mem_owner *owners;
  size_t n_owners, cap_owners;
  mem_asset *assets;
  size_t n_assets, cap_assets;
  mem_deal *deals;
  size_t n_deals, cap_deals;
  mem_task *tasks;
  size_t n_tasks, cap_tasks;
  uint64_t now;
};

decc_status decc_sms_memchain_create(decc_sms_memchain **out) {
  DECC_ARG_CHECK(out != NULL);
  decc_sms_memchain *m = decc_calloc(1, sizeof *m);
  if (!m)
    return DECC_E_NOMEM;
  pthread_mutex_init(&m->mu, NULL);
  *out = m;
  return DECC_OK;
}

void decc_sms_memchain_destroy(decc_sms_memchain *m) {
  if (!m)
    return;
  for (size_t i = 0; i < m->n_assets; i++)
    decc_sms_asset_clear(&m->assets[i].a);
  for (size_t i = 0; i < m->n_deals; i++)
    decc_sms_deal_clear(&m->deals[i].d);
  decc_free(m->owners);
  decc_free(m->assets);
  decc_free(m->deals);
  decc_free(m->tasks);
  pthread_mutex_destroy(&m->mu);
  decc_free(m);
}

/* Makes room for one more element in a growable array. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem) {
  if (n < *cap)
    return 1;
  size_t nc = *cap ? *cap * 2 : 8;
  void *p = decc_realloc(*arr, nc * elem);
  if (!p)
    return 0;
  *arr = p;
  *cap = nc;
  return 1;
}

decc_status decc_sms_memchain_set_owner(decc_sms_memchain *m,
                                        const decc_address *entry,
                                        const decc_address *owner) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(entry != NULL);
  DECC_ARG_CHECK(owner != NULL);
  decc_status st = DECC_OK;
  pthread_mutex_lock(&m->mu);
  size_t i = 0;
  while (i < m->n_owners && !decc_address_eq(&m->owners[i].entry, entry))
    i++;
  if (i == m->n_owners) {
    if (!grow((void **)&m->owners, &m->cap_owners, m->n_owners,
              sizeof *m->owners))
      st = DECC_E_NOMEM;
    else
      m->owners[m->n_owners++].entry = *entry;
  }
  if (!st)
    m->owners[i].owner = *owner;
  pthread_mutex_unlock(&m->mu);
  return st;
}

decc_status decc_sms_memchain_set_asset(decc_sms_memchain *m,
                                        const decc_address *entry,
                                        const uint8_t checksum32[32],
                                        const uint8_t *multiaddr, size_t len) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(entry != NULL);
  DECC_ARG_CHECK(checksum32 != NULL);
  DECC_ARG_CHECK(multiaddr != NULL || len == 0);
  uint8_t *copy = NULL;
  if (len) {
    copy = decc_malloc(len);
    if (!copy)
      return DECC_E_NOMEM;
    memcpy(copy, multiaddr, len);
  }
  decc_status st = DECC_OK;
  pthread_mutex_lock(&m->mu);
  size_t i = 0;
  while (i < m->n_assets && !decc_address_eq(&m->assets[i].entry, entry))
    i++;
  if (i == m->n_assets) {
    if (!grow((void **)&m->assets, &m->cap_assets, m->n_assets,
              sizeof *m->assets))
      st = DECC_E_NOMEM;
    else {
      memset(&m->assets[i], 0, sizeof m->assets[i]);
      m->assets[m->n_assets++].entry = *entry;
    }
  }
  if (!st) {
    decc_sms_asset_clear(&m->assets[i].a);
    memcpy(m->assets[i].a.checksum, checksum32, 32);
    m->assets[i].a.multiaddr = copy;
    m->assets[i].a.multiaddr_len = len;
    copy = NULL;
  }
  pthread_mutex_unlock(&m->mu);
  decc_free(copy);
  return st;
}

static decc_status deal_copy(decc_sms_deal *dst, const decc_sms_deal *src) {
  *dst = *src;
  dst->params = decc_strdup(src->params ? src->params : "");
  return dst->params ? DECC_OK : DECC_E_NOMEM;
}

decc_status decc_sms_memchain_set_deal(decc_sms_memchain *m,
                                       const uint8_t dealid32[32],
                                       const decc_sms_deal *d) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(dealid32 != NULL);
  DECC_ARG_CHECK(d != NULL);
  decc_sms_deal copy;
  if (deal_copy(&copy, d) != DECC_OK)
    return DECC_E_NOMEM;
  decc_status st = DECC_OK;
  pthread_mutex_lock(&m->mu);
  size_t i = 0;
  while (i < m->n_deals && memcmp(m->deals[i].id, dealid32, 32))
    i++;
  if (i == m->n_deals) {
    if (!grow((void **)&m->deals, &m->cap_deals, m->n_deals, sizeof *m->deals))
      st = DECC_E_NOMEM;
    else {
      memset(&m->deals[i], 0, sizeof m->deals[i]);
      memcpy(m->deals[m->n_deals++].id, dealid32, 32);
    }
  }
  if (!st) {
    decc_sms_deal_clear(&m->deals[i].d);
    m->deals[i].d = copy;
  }
  pthread_mutex_unlock(&m->mu);
  if (st)
    decc_sms_deal_clear(&copy);
  return st;
}

decc_status decc_sms_memchain_set_task(decc_sms_memchain *m,
                                       const uint8_t taskid32[32],
                                       const decc_sms_task *t) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(t != NULL);
  decc_status st = DECC_OK;
  pthread_mutex_lock(&m->mu);
  size_t i = 0;
  while (i < m->n_tasks && memcmp(m->tasks[i].id, taskid32, 32))
    i++;
  if (i == m->n_tasks) {
    if (!grow((void **)&m->tasks, &m->cap_tasks, m->n_tasks, sizeof *m->tasks))
      st = DECC_E_NOMEM;
    else
      memcpy(m->tasks[m->n_tasks++].id, taskid32, 32);
  }
  if (!st)
    m->tasks[i].t = *t;
  pthread_mutex_unlock(&m->mu);
  return st;
}

void decc_sms_memchain_set_now(decc_sms_memchain *m, uint64_t now) {
  DECC_ARG_CHECK_VOID(m != NULL);
  pthread_mutex_lock(&m->mu);
  m->now = now;
  pthread_mutex_unlock(&m->mu);
}

static decc_status mv_owner_of(void *ctx, const decc_address *entry,
                               decc_address *owner, decc_err *err) {
  decc_sms_memchain *m = ctx;
  decc_status st = DECC_E_NOT_FOUND;
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->n_owners; i++)
    if (decc_address_eq(&m->owners[i].entry, entry)) {
      *owner = m->owners[i].owner;
      st = DECC_OK;
      break;
    }
  pthread_mutex_unlock(&m->mu);
  if (st) {
    char a[DECC_ADDRESS_HEX_LEN];
    return decc_err_set(err, st, "owner() on %s: no such entry",
                        decc_address_to_checksum(a, entry));
  }
  return st;
}

static decc_status mv_task(void *ctx, const uint8_t id[32], decc_sms_task *t,
                           decc_err *err) {
  decc_sms_memchain *m = ctx;
  decc_status st = DECC_E_NOT_FOUND;
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->n_tasks; i++)
    if (!memcmp(m->tasks[i].id, id, 32)) {
      *t = m->tasks[i].t;
      st = t->status == DECC_SMS_TASK_UNSET ? DECC_E_NOT_FOUND : DECC_OK;
      break;
    }
  pthread_mutex_unlock(&m->mu);
  if (st)
    return decc_err_set(err, st, "task does not exist on chain (UNSET)");
  return st;
}

static decc_status mv_deal(void *ctx, const uint8_t id[32], decc_sms_deal *d,
                           decc_err *err) {
  decc_sms_memchain *m = ctx;
  decc_status st = DECC_E_NOT_FOUND;
  memset(d, 0, sizeof *d);
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->n_deals; i++)
    if (!memcmp(m->deals[i].id, id, 32)) {
      st = deal_copy(d, &m->deals[i].d);
      break;
    }
  pthread_mutex_unlock(&m->mu);
  if (st == DECC_E_NOT_FOUND)
    return decc_err_set(err, st, "deal does not exist on chain");
  if (st)
    return decc_err_set(err, st, "out of memory");
  return st;
}

static decc_status mv_asset(void *ctx, const decc_address *a,
                            decc_sms_asset *out, decc_err *err) {
  decc_sms_memchain *m = ctx;
  decc_status st = DECC_E_NOT_FOUND;
  memset(out, 0, sizeof *out);
  pthread_mutex_lock(&m->mu);
  for (size_t i = 0; i < m->n_assets; i++)
    if (decc_address_eq(&m->assets[i].entry, a)) {
      const decc_sms_asset *x = &m->assets[i].a;
      memcpy(out->checksum, x->checksum, 32);
      st = DECC_OK;
      if (x->multiaddr_len) {
        out->multiaddr = decc_malloc(x->multiaddr_len);
        if (!out->multiaddr)
          st = DECC_E_NOMEM;
        else {
          memcpy(out->multiaddr, x->multiaddr, x->multiaddr_len);
          out->multiaddr_len = x->multiaddr_len;
        }
      }
      break;
    }
  pthread_mutex_unlock(&m->mu);
  if (st == DECC_E_NOT_FOUND) {
    char h[DECC_ADDRESS_HEX_LEN];
    return decc_err_set(err, st, "no registry entry %s",
                        decc_address_to_checksum(h, a));
  }
  if (st)
    return decc_err_set(err, st, "out of memory");
  return st;
}

static decc_status mv_now(void *ctx, uint64_t *out, decc_err *err) {
  (void)err;
  decc_sms_memchain *m = ctx;
  pthread_mutex_lock(&m->mu);
  *out = m->now;
  pthread_mutex_unlock(&m->mu);
  return DECC_OK;
}

void decc_sms_memchain_view(decc_sms_chain_view *out, decc_sms_memchain *m) {
  DECC_ARG_CHECK_VOID(out != NULL);
  DECC_ARG_CHECK_VOID(m != NULL);
  memset(out, 0, sizeof *out);
  out->ctx = m;
  out->owner_of = mv_owner_of;
  out->task = mv_task;
  out->deal = mv_deal;
  out->app = mv_asset;
  out->dataset = mv_asset;
  out->now = mv_now;
  out->destroy = NULL;
}
