/*
 * collect.c — gathering a provenance bundle from a chain (decc_prov_collect):
 * the hub's views of the task and the deal, the app's and the dataset's
 * registry fields, the hub events of the deal and the task, and the signed
 * raw form of every contribution transaction (the enclave's signature and
 * the workerpool's authorization are call arguments PoCo never emits in an
 * event, so the transaction itself is the only place they live).
 */
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/provenance.h"
#include "provenance/prov_int.h"

/* Most logs scanned when looking back for the deal's OrdersMatched. */
#define SCAN_LIMIT 10000

static decc_status add_event(decc_prov_bundle *b, const decc_log *l,
                             decc_err *err) {
  if (b->n_events >= DECC_PROV_MAX_EVENTS)
    return decc_err_set(err, DECC_E_LIMIT,
                        "provenance: the task has more than %d events",
                        DECC_PROV_MAX_EVENTS);
  decc_prov_event *ne =
      decc_realloc(b->events, (b->n_events + 1) * sizeof *b->events);
  if (!ne)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  b->events = ne;
  decc_prov_event *e = &b->events[b->n_events];
  memset(e, 0, sizeof *e);
  decc_poco_event ev =
      l->n_topics ? decc_poco_event_from_topic(l->topics[0]) : DECC_EV_COUNT;
  const char *sig = decc_poco_event_signature(ev);
  if (sig) {
    size_t n = strcspn(sig, "(");
    if (n >= sizeof e->name)
      n = sizeof e->name - 1;
    memcpy(e->name, sig, n);
  }
  if (decc_log_copy(&e->log, l) != DECC_OK)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  b->n_events++;
  return DECC_OK;
}

static int log_before(const decc_log *a, const decc_log *b) {
  return a->block_number != b->block_number ? a->block_number < b->block_number
                                            : a->log_index < b->log_index;
}

/* Events in chain order (insertion sort: at most 64). */
static void sort_events(decc_prov_bundle *b) {
  for (size_t i = 1; i < b->n_events; i++) {
    decc_prov_event t = b->events[i];
    size_t j = i;
    while (j && log_before(&t.log, &b->events[j - 1].log)) {
      b->events[j] = b->events[j - 1];
      j--;
    }
    b->events[j] = t;
  }
}

static decc_status read_asset(decc_chain *c, decc_hub_entry_kind kind,
                              const decc_address *a, uint8_t sum[32],
                              char **multiaddr, decc_err *err) {
  uint8_t *ma = NULL;
  size_t n = 0;
  decc_status st = decc_hub_asset_read(c, kind, a, sum, &ma, &n, err);
  if (st)
    return st;
  /* a multiaddr that is not text (binary form) is kept as 0x-hex */
  int printable = 1;
  for (size_t i = 0; i < n; i++)
    printable &= ma[i] >= 0x20 && ma[i] < 0x7f;
  char *s = decc_malloc(printable ? n + 1 : 2 * n + 3);
  if (!s) {
    decc_free(ma);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  if (printable) {
    memcpy(s, ma, n);
    s[n] = 0;
  } else {
    decc_hex_encode(s, ma, n, 1);
  }
  decc_free(ma);
  decc_free(*multiaddr);
  *multiaddr = s;
  return DECC_OK;
}

decc_status decc_prov_collect(decc_prov_bundle *b, decc_chain *c,
                              const char *source, const uint8_t task_id32[32],
                              decc_err *err) {
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(task_id32 != NULL);
  decc_status st;
  decc_chain_addresses addrs;
  if ((st = decc_chain_id(c, &b->chain_id, err)) ||
      (st = decc_chain_get_addresses(c, &addrs, err)))
    return st;
  b->hub = addrs.hub;
  if (source) {
    char *s = decc_strdup(source);
    if (!s)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    decc_free(b->chain_source);
    b->chain_source = s;
  }
  memcpy(b->task_id, task_id32, 32);

  decc_poco_task t;
  if ((st = decc_hub_view_task(c, task_id32, &t, err)))
    return st;
  if (t.status == DECC_TASK_UNSET) {
    decc_poco_task_clear(&t);
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "no task with this id on the chain");
  }
  if (t.status != DECC_TASK_COMPLETED) {
    unsigned s = t.status;
    decc_poco_task_clear(&t);
    return decc_err_set(err, DECC_E_STATE,
                        "task is %s: only a COMPLETED task has a result to "
                        "vouch for",
                        decc__prov_status_name(s));
  }
  b->task_status = t.status;
  memcpy(b->deal_id, t.deal_id, 32);
  memcpy(b->result_digest, t.result_digest, 32);
  if (!decc_u256_to_u64(&b->task_index, &t.idx)) {
    decc_poco_task_clear(&t);
    return decc_err_set(err, DECC_E_RANGE, "task index out of range");
  }
  if (t.results_len) {
    if (!(b->results = decc_malloc(t.results_len)))
      st = DECC_E_NOMEM;
    else
      memcpy(b->results, t.results, b->results_len = t.results_len);
  }
  if (!st && t.results_callback_len) {
    if (!(b->results_callback = decc_malloc(t.results_callback_len)))
      st = DECC_E_NOMEM;
    else
      memcpy(b->results_callback, t.results_callback,
             b->results_callback_len = t.results_callback_len);
  }
  decc_poco_task_clear(&t);
  if (st)
    return decc_err_set(err, st, "out of memory");

  decc_poco_deal_clear(&b->deal);
  if ((st = decc_hub_view_deal(c, b->deal_id, &b->deal, err)))
    return st;
  if ((st = read_asset(c, DECC_HUB_APP, &b->deal.app.pointer, b->app_checksum,
                       &b->app_multiaddr, err)))
    return st;
  if (!decc_address_is_zero(&b->deal.dataset.pointer)) {
    if ((st = read_asset(c, DECC_HUB_DATASET, &b->deal.dataset.pointer,
                         b->dataset_checksum, &b->dataset_multiaddr, err)))
      return st;
    b->has_dataset = 1;
  }

  /* the task's events: topic1 = task id */
  decc_log_filter f;
  decc_log_filter_init(&f);
  f.addresses = &b->hub;
  f.n_addresses = 1;
  const uint8_t(*tid)[32] = (const uint8_t(*)[32])task_id32;
  f.topic_alts[1] = tid;
  f.n_topic_alts[1] = 1;
  decc_log *logs = NULL;
  size_t n = 0;
  if ((st = decc_chain_get_logs(c, &f, &logs, &n, err)))
    return st;
  uint64_t first_block = UINT64_MAX;
  for (size_t i = 0; i < n && !st; i++) {
    decc_poco_event ev = logs[i].n_topics
                             ? decc_poco_event_from_topic(logs[i].topics[0])
                             : DECC_EV_COUNT;
    if (ev < DECC_EV_TASK_INITIALIZE || ev > DECC_EV_TASK_CLAIMED)
      continue;
    if (logs[i].block_number < first_block)
      first_block = logs[i].block_number;
    st = add_event(b, &logs[i], err);
    if (!st && ev == DECC_EV_TASK_CONTRIBUTE) {
      if (b->n_txs >= DECC_PROV_MAX_TXS) {
        st = decc_err_set(err, DECC_E_LIMIT,
                          "provenance: more than %d contributions",
                          DECC_PROV_MAX_TXS);
        break;
      }
      decc_buf raw;
      decc_buf_init(&raw, DECC_PROV_MAX_TX_BYTES);
      st = decc_chain_tx_raw(c, logs[i].tx_hash, &raw, err);
      if (!st) {
        if (!(b->txs[b->n_txs] = decc_malloc(raw.len))) {
          st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        } else {
          memcpy(b->txs[b->n_txs], raw.data, raw.len);
          b->tx_lens[b->n_txs++] = raw.len;
        }
      }
      decc_buf_clear(&raw);
    }
  }
  decc_logs_free(logs, n);
  if (st)
    return st;
  if (first_block == UINT64_MAX)
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "the chain has no events for this task (a node that "
                        "pruned its logs?)");

  /* the deal's OrdersMatched and SchedulerNotice (dealid is in their data,
   * not a topic): scan back from the task's first event */
  uint8_t topics[2][32];
  if ((st = decc_poco_event_topic(topics[0], DECC_EV_ORDERS_MATCHED)) ||
      (st = decc_poco_event_topic(topics[1], DECC_EV_SCHEDULER_NOTICE)))
    return decc_err_set(err, st, "event topics");
  decc_log_filter_init(&f);
  f.addresses = &b->hub;
  f.n_addresses = 1;
  f.topic_alts[0] = (const uint8_t(*)[32])topics;
  f.n_topic_alts[0] = 2;
  f.to_block = first_block;
  f.from_block = first_block > SCAN_LIMIT ? first_block - SCAN_LIMIT : 0;
  f.limit = SCAN_LIMIT;
  if ((st = decc_chain_get_logs(c, &f, &logs, &n, err)))
    return st;
  for (size_t i = 0; i < n && !st; i++) {
    /* OrdersMatched(bytes32 dealid, …) and SchedulerNotice(address indexed,
     * bytes32 dealid): the deal id is the first data word */
    if (logs[i].data_len >= 32 && !memcmp(logs[i].data, b->deal_id, 32))
      st = add_event(b, &logs[i], err);
  }
  decc_logs_free(logs, n);
  if (st)
    return st;
  sort_events(b);
  return DECC_OK;
}
