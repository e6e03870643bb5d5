/*
 * node_poco_subgraph.c — the PoCo subgraph entities served at
 * POST /subgraphs/poco (node_graphql.c parses the query and calls here).
 *
 * What the SDKs send to the PoCo subgraph (read from their dist sources):
 * only the DataProtector SDK's inspectBulkRequest
 * (getProtectedDataInBulkByBulkRequestHash.js):
 *
 *   query ($where: Deal_filter) {
 *     deals(where: $where) { tasks { taskId: id bulkSlice { datasets { id } } } }
 *   }   with $where = {requestorder: <request order hash>}
 *
 * so `deals` is served with the filter keys `id` and `requestorder`, `first`
 * (≤ 1000, default 100) and `skip`, in the subgraph's shapes: Deal { id
 * botFirst botSize requestorder { id } tasks { … } }, Task { id index
 * bulkSlice { id datasets { id } } }. Any other entity, argument, filter
 * key or field is a GraphQL error.
 *
 * Data: the hub's OrdersMatched events (requestHash in their data), scanned
 * on each query (at most DEALS_SCAN_MAX, newest first, as node_deals.c),
 * completed with viewDeal; task ids are PoCo's keccak256(dealid ‖ index).
 * A task's bulkSlice is the slice of its index in the bulk root the deal's
 * params name (`bulk_cid`, a JSON array of slice CIDs, each a JSON array of
 * dataset orders; docs/internals/bulk.md), read from the node's blockstore
 * (bounded, 1 MiB per file); null for a deal without bulk_cid, or when the
 * node has no store role. Datasets are the orders' dataset addresses,
 * lowercase as the subgraph's ids.
 */
#include <string.h>

#include "decc/cid.h"
#include "decc/encoding.h"
#include "decc/hub.h"
#include "decc/mem.h"
#include "decc/order.h"
#include "decc/poco.h"
#include "decc/store.h"
#include "graphql.h"
#include "node_int.h"

#define DEALS_SCAN_MAX 10000
#define POCO_MAX_FIRST 1000
#define POCO_MAX_TASKS 1000 /* tasks in one answer, all deals together */
#define BULK_FILE_MAX (1u << 20)

typedef struct sink {
  decc_buf *b;
} sink;

static decc_status sink_write(void *ud, const uint8_t *p, size_t n,
                              decc_err *err) {
  sink *s = ud;
  if (s->b->len + n > BULK_FILE_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "file larger than %u bytes",
                        BULK_FILE_MAX);
  return decc_buf_append(s->b, p, n);
}

/* A JSON document of the node's blockstore (/ipfs/CID, ipfs://CID or CID),
 * or NULL. */
static json_t *store_json(decc_node *n, const char *ref) {
  if (!n->bs || !ref)
    return NULL;
  if (!strncmp(ref, "/ipfs/", 6))
    ref += 6;
  else if (!strncmp(ref, "ipfs://", 7))
    ref += 7;
  decc_cid cid;
  if (decc_cid_parse(&cid, ref, NULL) != DECC_OK)
    return NULL;
  decc_buf b;
  decc_buf_init(&b, BULK_FILE_MAX + 1);
  sink s = {&b};
  json_t *j = NULL;
  if (decc_store_cat(n->bs, &cid, 0, UINT64_MAX, sink_write, &s, NULL) ==
      DECC_OK) {
    json_error_t je;
    j = json_loadb((const char *)b.data, b.len, 0, &je);
  }
  decc_buf_clear(&b);
  return j;
}

static int fail(char *err, size_t cap, const char *msg, const char *what) {
  snprintf(err, cap, msg, what);
  return -1;
}

/* Checks that every field of sel is in allowed (NULL-terminated), as the
 * subgraph would refuse an unknown field. */
static int check_fields(const gql_field *sel, size_t n, const char *type,
                        const char *const *allowed, char *err, size_t cap) {
  for (size_t i = 0; i < n; i++) {
    int ok = !strcmp(sel[i].name, "__typename");
    for (size_t k = 0; !ok && allowed[k]; k++)
      ok = !strcmp(sel[i].name, allowed[k]);
    if (!ok) {
      snprintf(err, cap, "type '%s' has no field '%s'", type, sel[i].name);
      return -1;
    }
    if (json_object_size(sel[i].args)) {
      snprintf(err, cap, "field '%s' of '%s' takes no argument here",
               sel[i].name, type);
      return -1;
    }
  }
  return 0;
}

static json_t *hex32(const uint8_t *p) { return decc__json_hex(p, 32); }

/* bulkSlice { id datasets { id } } of task `index` of a deal with bulk
 * root `root` (a parsed JSON array), or null. */
static json_t *bulk_slice(decc_node *n, json_t *root, uint64_t index,
                          const gql_field *f, char *err, size_t cap, int *bad) {
  static const char *const SLICE[] = {"id", "datasets", NULL};
  static const char *const DS[] = {"id", NULL};
  if (check_fields(f->sub, f->n_sub, "BulkSlice", SLICE, err, cap)) {
    *bad = 1;
    return NULL;
  }
  json_t *sc = json_is_array(root) && index < json_array_size(root)
                   ? json_array_get(root, (size_t)index)
                   : NULL;
  if (!json_is_string(sc))
    return json_null();
  json_t *slice = NULL;
  json_t *o = json_object();
  for (size_t i = 0; o && i < f->n_sub; i++) {
    const gql_field *s = &f->sub[i];
    json_t *v = NULL;
    if (!strcmp(s->name, "id")) {
      v = json_string(json_string_value(sc));
    } else if (!strcmp(s->name, "__typename")) {
      v = json_string("BulkSlice");
    } else { /* datasets */
      if (check_fields(s->sub, s->n_sub, "Dataset", DS, err, cap)) {
        *bad = 1;
        break;
      }
      if (!slice)
        slice = store_json(n, json_string_value(sc));
      v = json_array();
      size_t k;
      json_t *ord;
      json_array_foreach(json_is_array(slice) ? slice : NULL, k, ord) {
        /* The slice is what the requester uploaded: an address in any
         * case is read as the subgraph would (its id is lowercase). */
        decc_address a;
        const char *ds = json_string_value(json_object_get(ord, "dataset"));
        char low[DECC_ADDRESS_HEX_LEN];
        if (!ds || strlen(ds) != 42)
          continue;
        for (size_t c = 0; c < 43; c++)
          low[c] = (char)(ds[c] >= 'A' && ds[c] <= 'F' ? ds[c] + 32 : ds[c]);
        if (decc_address_parse(&a, low, NULL) != DECC_OK)
          continue;
        char h[DECC_ADDRESS_HEX_LEN];
        decc_hex_encode(h, a.b, 20, 1);
        json_t *e = json_object();
        for (size_t m = 0; e && m < s->n_sub; m++)
          json_object_set_new(e, s->sub[m].alias,
                              !strcmp(s->sub[m].name, "id")
                                  ? json_string(h)
                                  : json_string("Dataset"));
        json_array_append_new(v, e);
      }
    }
    json_object_set_new(o, s->alias, v ? v : json_null());
  }
  json_decref(slice);
  if (*bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* The selection of one deal. */
static json_t *deal_object(decc_node *n, const uint8_t dealid[32],
                           const uint8_t request_hash[32],
                           const decc_poco_deal *d, const gql_field *f,
                           size_t *tasks_left, char *err, size_t cap) {
  static const char *const DEAL[] = {"id",           "botFirst", "botSize",
                                     "requestorder", "tasks",    NULL};
  static const char *const TASK[] = {"id", "index", "bulkSlice", NULL};
  static const char *const ORDER[] = {"id", NULL};
  if (check_fields(f->sub, f->n_sub, "Deal", DEAL, err, cap))
    return NULL;
  uint64_t first = 0, size = 0;
  if (!decc_u256_to_u64(&first, &d->bot_first) ||
      !decc_u256_to_u64(&size, &d->bot_size)) {
    snprintf(err, cap, "deal with an out-of-range bot");
    return NULL;
  }
  json_t *o = json_object(), *root = NULL;
  int root_read = 0, bad = 0;
  char num[24];
  for (size_t i = 0; o && !bad && i < f->n_sub; i++) {
    const gql_field *s = &f->sub[i];
    json_t *v = NULL;
    if (!strcmp(s->name, "id")) {
      v = hex32(dealid);
    } else if (!strcmp(s->name, "__typename")) {
      v = json_string("Deal");
    } else if (!strcmp(s->name, "botFirst") || !strcmp(s->name, "botSize")) {
      snprintf(num, sizeof num, "%llu",
               (unsigned long long)(s->name[3] == 'F' ? first : size));
      v = json_string(num); /* BigInt: decimal string */
    } else if (!strcmp(s->name, "requestorder")) {
      if (check_fields(s->sub, s->n_sub, "RequestOrder", ORDER, err, cap)) {
        bad = 1;
        break;
      }
      v = json_object();
      for (size_t m = 0; v && m < s->n_sub; m++)
        json_object_set_new(v, s->sub[m].alias,
                            !strcmp(s->sub[m].name, "id")
                                ? hex32(request_hash)
                                : json_string("RequestOrder"));
    } else { /* tasks */
      if (check_fields(s->sub, s->n_sub, "Task", TASK, err, cap)) {
        bad = 1;
        break;
      }
      v = json_array();
      for (uint64_t k = 0; v && k < size && !bad; k++) {
        if (!*tasks_left) {
          snprintf(err, cap,
                   "more than %d tasks in one answer: ask with "
                   "first / skip",
                   POCO_MAX_TASKS);
          bad = 1;
          break;
        }
        (*tasks_left)--;
        uint8_t tid[32];
        decc_u256 idx = decc_u256_from_u64(first + k);
        decc_task_id(tid, dealid, &idx);
        json_t *t = json_object();
        for (size_t m = 0; t && m < s->n_sub && !bad; m++) {
          const gql_field *tf = &s->sub[m];
          json_t *tv = NULL;
          if (!strcmp(tf->name, "id")) {
            tv = hex32(tid);
          } else if (!strcmp(tf->name, "index")) {
            snprintf(num, sizeof num, "%llu", (unsigned long long)(first + k));
            tv = json_string(num);
          } else if (!strcmp(tf->name, "__typename")) {
            tv = json_string("Task");
          } else { /* bulkSlice */
            if (!root_read) {
              json_t *p = json_loads(d->params ? d->params : "", 0, NULL);
              const char *bc =
                  json_string_value(json_object_get(p, "bulk_cid"));
              root = bc && *bc ? store_json(n, bc) : NULL;
              json_decref(p);
              root_read = 1;
            }
            tv = root ? bulk_slice(n, root, first + k, tf, err, cap, &bad)
                      : json_null();
          }
          if (!bad)
            json_object_set_new(t, tf->alias, tv ? tv : json_null());
        }
        if (bad)
          json_decref(t);
        else
          json_array_append_new(v, t);
      }
    }
    if (bad) {
      json_decref(v);
      break;
    }
    json_object_set_new(o, s->alias, v ? v : json_null());
  }
  json_decref(root);
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* Reads a bytes32 filter value. */
static int where_h32(json_t *w, const char *key, uint8_t out[32], int *has,
                     char *err, size_t cap) {
  json_t *v = json_object_get(w, key);
  if (!v)
    return 0;
  if (!json_is_string(v) || decc_hex_decode_exact(out, 32, json_string_value(v),
                                                  key, NULL) != DECC_OK)
    return fail(err, cap, "Deal_filter.%s: expected a 0x bytes32", key);
  *has = 1;
  return 0;
}

json_t *decc__node_poco_deals(decc_node *n, const gql_field *f, char *err,
                              size_t cap) {
  json_t *where = json_object_get(f->args, "where");
  const char *k;
  json_t *v;
  json_object_foreach(f->args, k, v) {
    if (strcmp(k, "where") && strcmp(k, "first") && strcmp(k, "skip")) {
      fail(err, cap, "field 'deals' has no argument '%s'", k);
      return NULL;
    }
  }
  if (where && !json_is_null(where) && !json_is_object(where)) {
    fail(err, cap, "%s: Deal_filter must be an object", "deals");
    return NULL;
  }
  json_object_foreach(where, k, v) {
    if (strcmp(k, "id") && strcmp(k, "requestorder")) {
      fail(err, cap, "Deal_filter has no field '%s' (served: id, requestorder)",
           k);
      return NULL;
    }
  }
  uint8_t want_deal[32], want_req[32];
  int has_deal = 0, has_req = 0;
  if (where_h32(where, "id", want_deal, &has_deal, err, cap) ||
      where_h32(where, "requestorder", want_req, &has_req, err, cap))
    return NULL;
  json_int_t first = 100, skip = 0;
  json_t *fv = json_object_get(f->args, "first"),
         *sv = json_object_get(f->args, "skip");
  if (fv && (!json_is_integer(fv) || (first = json_integer_value(fv)) < 0 ||
             first > POCO_MAX_FIRST)) {
    snprintf(err, cap, "first must be 0..%d", POCO_MAX_FIRST);
    return NULL;
  }
  if (sv && (!json_is_integer(sv) || (skip = json_integer_value(sv)) < 0 ||
             skip > DEALS_SCAN_MAX)) {
    snprintf(err, cap, "skip must be 0..%d", DEALS_SCAN_MAX);
    return NULL;
  }
  if (!n->cpool.n) {
    snprintf(err, cap, "the node reads no chain");
    return NULL;
  }
  uint8_t topic[32];
  if (decc_poco_event_topic(topic, DECC_EV_ORDERS_MATCHED) != DECC_OK) {
    snprintf(err, cap, "internal error (event topic)");
    return NULL;
  }
  decc_log_filter lf;
  decc_log_filter_init(&lf);
  lf.addresses = &n->addr.hub;
  lf.n_addresses = 1;
  lf.topic_alts[0] = (const uint8_t(*)[32])topic;
  lf.n_topic_alts[0] = 1;
  lf.limit = DEALS_SCAN_MAX;
  decc_chain *c = decc__node_pool_acquire(&n->cpool);
  decc_log *logs = NULL;
  size_t nl = 0;
  decc_err e;
  decc_err_clear(&e);
  if (decc_chain_get_logs(c, &lf, &logs, &nl, &e) != DECC_OK) {
    decc__node_pool_release(&n->cpool, c);
    snprintf(err, cap, "reading the chain: %s", e.msg);
    return NULL;
  }
  json_t *out = json_array();
  size_t tasks_left = POCO_MAX_TASKS;
  json_int_t seen = 0;
  /* Newest first, as the subgraph orders by id otherwise: decc's deals
   * index (node_deals.c) does the same. */
  for (size_t i = nl; out && i-- > 0;) {
    const decc_log *lg = &logs[i];
    if (lg->data_len < 6 * 32)
      continue;
    const uint8_t *dealid = lg->data, *req = lg->data + 4 * 32;
    if ((has_deal && memcmp(dealid, want_deal, 32)) ||
        (has_req && memcmp(req, want_req, 32)))
      continue;
    if (seen++ < skip)
      continue;
    if ((json_int_t)json_array_size(out) >= first)
      break;
    decc_poco_deal d;
    if (decc_hub_view_deal(c, dealid, &d, &e) != DECC_OK) {
      snprintf(err, cap, "reading deal: %s", e.msg);
      json_decref(out);
      out = NULL;
      break;
    }
    json_t *o = deal_object(n, dealid, req, &d, f, &tasks_left, err, cap);
    decc_poco_deal_clear(&d);
    if (!o) {
      json_decref(out);
      out = NULL;
      break;
    }
    json_array_append_new(out, o);
  }
  decc_logs_free(logs, nl);
  decc__node_pool_release(&n->cpool, c);
  return out;
}
