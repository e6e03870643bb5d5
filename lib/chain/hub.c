/*
 * hub.c — the PoCo client binding over decc_chain (decc/hub.h): typed
 * views of the hub, the registries and their entries, and the checked
 * opening of a PoCo deployment on a remote EVM chain. The ABI types of the
 * hub's structs come from decc/poco.h (DECC_POCO_*_ABI_TYPE) and their
 * decoders from lib/poco, so nothing here repeats a struct layout.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/encoding.h"
#include "decc/hub.h"
#include "decc/mem.h"

/* Largest answer a view may return (a deal's params are the biggest). */
#define HUB_VIEW_MAX (8u << 20)

/* eth_call of `sig` on `to` with up to two 32-byte words of arguments.
 * Out: out (initialised here; cleared on failure). */
static decc_status view(decc_chain *c, const decc_address *to, const char *sig,
                        const uint8_t *w0, const uint8_t *w1, decc_buf *out,
                        decc_err *err) {
  uint8_t data[68];
  size_t n = 4;
  decc_abi_selector(data, sig);
  if (w0) {
    memcpy(data + n, w0, 32);
    n += 32;
  }
  if (w1) {
    memcpy(data + n, w1, 32);
    n += 32;
  }
  decc_buf_init(out, HUB_VIEW_MAX);
  decc_status st = decc_chain_call(c, NULL, to, data, n, out, err);
  if (st == DECC_OK && out->len == 0) {
    char a[DECC_ADDRESS_HEX_LEN];
    st = decc_err_set(err, DECC_E_NOT_FOUND,
                      "%s on %s: empty answer (no "
                      "contract there?)",
                      sig, decc_address_to_checksum(a, to));
  }
  if (st)
    decc_buf_clear(out);
  return st;
}

static void addr_word(uint8_t w[32], const decc_address *a) {
  memset(w, 0, 12);
  memcpy(w + 12, a->b, 20);
}

static decc_status hub_addr(decc_chain *c, decc_address *hub, decc_err *err) {
  decc_chain_addresses a;
  decc_status st = decc_chain_get_addresses(c, &a, err);
  if (!st)
    *hub = a.hub;
  return st;
}

/* A view returning one value of type `type`. The decoded values borrow
 * from *out: the caller clears both (decc_abi_value_free, decc_buf_clear),
 * also on failure. */
static decc_status view_one(decc_chain *c, const decc_address *to,
                            const char *sig, const uint8_t *w0,
                            const char *type, decc_abi_value **v, decc_buf *out,
                            decc_err *err) {
  *v = NULL;
  decc_status st = view(c, to, sig, w0, NULL, out, err);
  if (st)
    return st;
  st = decc_abi_decode(v, type, out->data, out->len, 0, err);
  if (st)
    decc_err_prefix(err, "%s", sig);
  return st;
}

static decc_status view_u256(decc_chain *c, const decc_address *to,
                             const char *sig, const uint8_t *w0, decc_u256 *out,
                             decc_err *err) {
  decc_abi_value *v = NULL;
  decc_buf vb;
  decc_status st = view_one(c, to, sig, w0, "uint256", &v, &vb, err);
  if (!st && decc_abi_get_u256(decc_abi_item(v, 0), out))
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  decc_abi_value_free(v);
  decc_buf_clear(&vb);
  return st;
}

static decc_status view_address(decc_chain *c, const decc_address *to,
                                const char *sig, decc_address *out,
                                decc_err *err) {
  decc_abi_value *v = NULL;
  decc_buf vb;
  decc_status st = view_one(c, to, sig, NULL, "address", &v, &vb, err);
  if (!st && decc_abi_get_address(decc_abi_item(v, 0), out))
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  decc_abi_value_free(v);
  decc_buf_clear(&vb);
  return st;
}

/* ---- hub views ------------------------------------------------------------- */

decc_status decc_hub_view_deal(decc_chain *c, const uint8_t dealid32[32],
                               decc_poco_deal *d, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(dealid32 != NULL);
  DECC_ARG_CHECK(d != NULL);
  decc_address hub;
  decc_buf out;
  decc_status st = hub_addr(c, &hub, err);
  if (!st)
    st = view(c, &hub, "viewDeal(bytes32)", dealid32, NULL, &out, err);
  if (st) {
    memset(d, 0, sizeof *d); /* clear-safe */
    return st;
  }
  st = decc_poco_deal_from_abi(d, out.data, out.len, err);
  decc_buf_clear(&out);
  if (!st && decc_address_is_zero(&d->app.pointer)) {
    char h[DECC_HEX32_LEN];
    decc_poco_deal_clear(d);
    st = decc_err_set(err, DECC_E_NOT_FOUND, "no deal %s on this chain",
                      decc_hex_encode(h, dealid32, 32, 1));
  }
  return st;
}

decc_status decc_hub_view_task(decc_chain *c, const uint8_t taskid32[32],
                               decc_poco_task *t, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(t != NULL);
  decc_address hub;
  decc_buf out;
  decc_status st = hub_addr(c, &hub, err);
  if (!st)
    st = view(c, &hub, "viewTask(bytes32)", taskid32, NULL, &out, err);
  if (st) {
    decc_poco_task_init(t);
    return st;
  }
  st = decc_poco_task_from_abi(t, out.data, out.len, err);
  decc_buf_clear(&out);
  return st;
}

decc_status decc_hub_view_contribution(decc_chain *c,
                                       const uint8_t taskid32[32],
                                       const decc_address *worker,
                                       decc_poco_contribution *out,
                                       decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(taskid32 != NULL);
  DECC_ARG_CHECK(worker != NULL);
  DECC_ARG_CHECK(out != NULL);
  memset(out, 0, sizeof *out);
  out->worker = *worker;
  decc_address hub;
  uint8_t w[32];
  addr_word(w, worker);
  decc_buf b;
  decc_status st = hub_addr(c, &hub, err);
  if (!st)
    st = view(c, &hub, "viewContribution(bytes32,address)", taskid32, w, &b,
              err);
  if (st)
    return st;
  st = decc_poco_contribution_from_abi(out, b.data, b.len, err);
  decc_buf_clear(&b);
  return st;
}

decc_status decc_hub_view_consumed(decc_chain *c,
                                   const uint8_t order_hash32[32],
                                   decc_u256 *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(order_hash32 != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_address hub;
  decc_status st = hub_addr(c, &hub, err);
  return st ? st
            : view_u256(c, &hub, "viewConsumed(bytes32)", order_hash32, out,
                        err);
}

decc_status decc_hub_account_of(decc_chain *c, const decc_address *a,
                                decc_hub_account *out, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(out != NULL);
  decc_chain_addresses x;
  uint8_t w[32];
  addr_word(w, a);
  decc_status st = decc_chain_get_addresses(c, &x, err);
  if (!st)
    st = view_u256(c, &x.token, "balanceOf(address)", w, &out->wallet, err);
  if (!st)
    st = view_u256(c, &x.hub, "balanceOf(address)", w, &out->stake, err);
  if (!st)
    st = view_u256(c, &x.hub, "frozenOf(address)", w, &out->locked, err);
  return st;
}

/* ---- registries and entries ---------------------------------------------------- */

decc_status decc_hub_owner_of(decc_chain *c, const decc_address *entry,
                              decc_address *owner, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(entry != NULL);
  DECC_ARG_CHECK(owner != NULL);
  decc_err e2;
  decc_err_clear(&e2);
  decc_status st = view_address(c, entry, "owner()", owner, &e2);
  char a[DECC_ADDRESS_HEX_LEN];
  if (st == DECC_E_REVERT || st == DECC_E_PARSE || st == DECC_E_NOT_FOUND ||
      (!st && decc_address_is_zero(owner)))
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "%s is not a registered app, dataset or workerpool",
                        decc_address_to_checksum(a, entry));
  if (st && err)
    *err = e2;
  return st;
}

decc_status decc_hub_is_registered(decc_chain *c, const decc_address *registry,
                                   const decc_address *entry, int *yes,
                                   decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(registry != NULL);
  DECC_ARG_CHECK(entry != NULL);
  DECC_ARG_CHECK(yes != NULL);
  uint8_t w[32];
  addr_word(w, entry);
  decc_u256 v;
  decc_status st = view_u256(c, registry, "isRegistered(address)", w, &v, err);
  if (!st)
    *yes = !decc_u256_is_zero(&v);
  return st;
}

void decc_hub_entry_clear(decc_hub_entry *e) {
  if (!e)
    return;
  decc_free(e->name);
  decc_free(e->type);
  decc_free(e->multiaddr);
  decc_free(e->mrenclave);
  memset(e, 0, sizeof *e);
}

static decc_status view_string(decc_chain *c, const decc_address *to,
                               const char *sig, char **out, decc_err *err) {
  decc_abi_value *v = NULL;
  decc_buf vb;
  decc_status st = view_one(c, to, sig, NULL, "string", &v, &vb, err);
  if (!st && decc_abi_get_string(decc_abi_item(v, 0), out))
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  decc_abi_value_free(v);
  decc_buf_clear(&vb);
  return st;
}

static decc_status view_bytes(decc_chain *c, const decc_address *to,
                              const char *sig, uint8_t **out, size_t *len,
                              decc_err *err) {
  decc_abi_value *v = NULL;
  decc_buf vb;
  decc_status st = view_one(c, to, sig, NULL, "bytes", &v, &vb, err);
  const uint8_t *p;
  size_t n;
  if (!st && decc_abi_get_bytes(decc_abi_item(v, 0), &p, &n))
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  else if (!st && !(*out = decc_malloc(n + 1)))
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  else if (!st) {
    if (n)
      memcpy(*out, p, n);
    (*out)[n] = 0;
    *len = n;
  }
  decc_abi_value_free(v);
  decc_buf_clear(&vb);
  return st;
}

static decc_status view_b32(decc_chain *c, const decc_address *to,
                            const char *sig, uint8_t out[32], decc_err *err) {
  decc_abi_value *v = NULL;
  decc_buf vb;
  decc_status st = view_one(c, to, sig, NULL, "bytes32", &v, &vb, err);
  if (!st && decc_abi_get_bytes32(decc_abi_item(v, 0), out))
    st = decc_err_set(err, DECC_E_PARSE, "%s: bad answer", sig);
  decc_abi_value_free(v);
  decc_buf_clear(&vb);
  return st;
}

static const char *const KIND_NAME[] = {"app", "dataset", "workerpool"};

decc_status decc_hub_entry_read(decc_chain *c, decc_hub_entry_kind kind,
                                const decc_address *a, decc_hub_entry *out,
                                decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(out != NULL);
  memset(out, 0, sizeof *out);
  if ((unsigned)kind > DECC_HUB_WORKERPOOL)
    return decc_err_set(err, DECC_E_INVALID, "hub: bad entry kind");
  out->kind = kind;
  out->address = *a;
  decc_chain_addresses x;
  decc_status st = decc_chain_get_addresses(c, &x, err);
  if (st)
    return st;
  const decc_address *reg = kind == DECC_HUB_APP       ? &x.app_registry
                            : kind == DECC_HUB_DATASET ? &x.dataset_registry
                                                       : &x.workerpool_registry;
  int yes = 0;
  if ((st = decc_hub_is_registered(c, reg, a, &yes, err)))
    return st;
  char h[DECC_ADDRESS_HEX_LEN];
  if (!yes)
    return decc_err_set(err, DECC_E_NOT_FOUND, "%s is not a registered %s",
                        decc_address_to_checksum(h, a), KIND_NAME[kind]);
  if ((st = decc_hub_owner_of(c, a, &out->owner, err)))
    return st;
  switch (kind) {
  case DECC_HUB_APP:
    if ((st = view_string(c, a, "m_appName()", &out->name, err)) ||
        (st = view_string(c, a, "m_appType()", &out->type, err)) ||
        (st = view_bytes(c, a, "m_appMultiaddr()", &out->multiaddr,
                         &out->multiaddr_len, err)) ||
        (st = view_b32(c, a, "m_appChecksum()", out->checksum, err)) ||
        (st = view_bytes(c, a, "m_appMREnclave()", &out->mrenclave,
                         &out->mrenclave_len, err)))
      break;
    break;
  case DECC_HUB_DATASET:
    if ((st = view_string(c, a, "m_datasetName()", &out->name, err)) ||
        (st = view_bytes(c, a, "m_datasetMultiaddr()", &out->multiaddr,
                         &out->multiaddr_len, err)) ||
        (st = view_b32(c, a, "m_datasetChecksum()", out->checksum, err)))
      break;
    break;
  case DECC_HUB_WORKERPOOL:
    if ((st =
             view_string(c, a, "m_workerpoolDescription()", &out->name, err)) ||
        (st = view_u256(c, a, "m_workerStakeRatioPolicy()", NULL,
                        &out->worker_stake_ratio, err)) ||
        (st = view_u256(c, a, "m_schedulerRewardRatioPolicy()", NULL,
                        &out->scheduler_reward_ratio, err)))
      break;
    break;
  }
  if (st)
    decc_hub_entry_clear(out);
  return st;
}

decc_status decc_hub_asset_read(decc_chain *c, decc_hub_entry_kind kind,
                                const decc_address *a, uint8_t checksum[32],
                                uint8_t **multiaddr, size_t *len,
                                decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(checksum != NULL);
  DECC_ARG_CHECK(multiaddr != NULL);
  DECC_ARG_CHECK(len != NULL);
  *multiaddr = NULL;
  *len = 0;
  if (kind != DECC_HUB_APP && kind != DECC_HUB_DATASET)
    return decc_err_set(err, DECC_E_INVALID,
                        "hub: only apps and datasets have a checksum");
  int app = kind == DECC_HUB_APP;
  decc_status st = view_b32(
      c, a, app ? "m_appChecksum()" : "m_datasetChecksum()", checksum, err);
  if (!st)
    st = view_bytes(c, a, app ? "m_appMultiaddr()" : "m_datasetMultiaddr()",
                    multiaddr, len, err);
  return st;
}

/* ---- opening a remote deployment -------------------------------------------------- */

decc_status decc_hub_require_code(decc_chain *c, const decc_address *a,
                                  const char *what, decc_err *err) {
  DECC_ARG_CHECK(c != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(what != NULL);
  decc_buf code;
  decc_buf_init(&code, 0);
  decc_status st = decc_chain_code(c, a, &code, err);
  size_t n = code.len;
  decc_buf_clear(&code);
  if (st)
    return decc_err_prefix(err, "eth_getCode(%s)", what);
  if (n == 0) {
    char h[DECC_ADDRESS_HEX_LEN];
    uint64_t id = 0;
    decc_err e2;
    if (decc_chain_id(c, &id, &e2) != DECC_OK)
      id = 0;
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "no %s at %s on chain %llu (no contract code there): "
                        "deploy PoCo with 'decc chain deploy' or give the "
                        "right address",
                        what, decc_address_to_checksum(h, a),
                        (unsigned long long)id);
  }
  return DECC_OK;
}

decc_status decc_hub_open_remote(decc_chain **out, const decc_hub_remote *r,
                                 decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(r != NULL);
  DECC_ARG_CHECK(r->url != NULL);
  *out = NULL;
  decc_chain_addresses a;
  memset(&a, 0, sizeof a);
  a.hub = r->hub;
  if (r->has_dataprotector)
    a.dataprotector = r->dataprotector;
  decc_chain *probe = NULL;
  uint64_t id = 0;
  decc_status st = decc_chain_open_jsonrpc_ex(&probe, r->url, &a, r->opts, err);
  if (!st)
    st = decc_chain_id(probe, &id, err);
  if (st) {
    decc_chain_destroy(probe);
    return decc_err_prefix(err, "chain %s", r->url);
  }
  if (r->expect_chain_id && id != r->expect_chain_id) {
    decc_chain_destroy(probe);
    return decc_err_set(err, DECC_E_STATE,
                        "chain %s has chain id %llu, expected %llu (wrong URL "
                        "or wrong profile)",
                        r->url, (unsigned long long)id,
                        (unsigned long long)r->expect_chain_id);
  }
  if ((st = decc_hub_require_code(probe, &r->hub, "PoCo hub", err)) ||
      (r->has_dataprotector && r->require_dataprotector &&
       (st = decc_hub_require_code(probe, &r->dataprotector, "DataProtector",
                                   err))) ||
      (st = view_address(probe, &r->hub, "appregistry()", &a.app_registry,
                         err)) ||
      (st = view_address(probe, &r->hub, "datasetregistry()",
                         &a.dataset_registry, err)) ||
      (st = view_address(probe, &r->hub, "workerpoolregistry()",
                         &a.workerpool_registry, err)) ||
      (st = view_address(probe, &r->hub, "token()", &a.token, err))) {
    decc_chain_destroy(probe);
    return decc_err_prefix(err, "chain %s (id %llu)", r->url,
                           (unsigned long long)id);
  }
  decc_chain_destroy(probe);
  /* The backend copies the addresses at open: reopen with all of them. */
  st = decc_chain_open_jsonrpc_ex(out, r->url, &a, r->opts, err);
  if (st)
    return decc_err_prefix(err, "chain %s", r->url);
  return DECC_OK;
}
