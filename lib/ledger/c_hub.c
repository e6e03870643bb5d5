/*
 * c_hub.c — the PoCo hub's facets that are not PoCo rules: the escrow token
 * (IexecEscrowTokenFacet: deposit, depositFor, depositForArray, withdraw,
 * withdrawTo, receiveApproval), the hub's ERC-20 face (IexecERC20Facet:
 * "Staked RLC" balances, transfer, approve, transferFrom, allowances) and
 * the configuration / accessor views the SDK reads (token(), domain(),
 * eip712domain_separator(), registries, ratios, kitty, categories,
 * viewAccount, viewConsumed, viewPresigned, viewScore, viewApp/Dataset/
 * Workerpool). The matchOrders / task functions live in c_poco.c.
 *
 * Hub balances (m_balances) and frozen amounts (m_frozens) are the
 * `escrow` table; the hub's own address holds every locked amount, as in
 * IexecEscrow.v8.sol; "hub.supply" is m_totalSupply.
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

#define EV_TRANSFER "Transfer(address,address,uint256)"
#define EV_APPROVAL "Approval(address,address,uint256)"
#define SUB_OVERFLOW "SafeMath: subtraction overflow"
#define ADD_OVERFLOW "SafeMath: addition overflow"

static decc_status emit_pair(ldg_ctx *c, const char *ev, const decc_address *a,
                             const decc_address *b, const decc_u256 *v) {
  uint8_t t[3][32], d[32];
  ldg_topic(t[0], ev);
  ldg_topic_addr(t[1], a);
  ldg_topic_addr(t[2], b);
  decc_u256_to_be(d, v);
  return ldg_emit(c, &c->l->addr.hub, 3, (const uint8_t(*)[32])t, d, 32);
}

static decc_status add_balance(ldg_ctx *c, const decc_address *a,
                               const decc_u256 *v, int sub) {
  decc_u256 b, f;
  decc_status s = ldg_escrow_get(c->l, a, &b, &f, c->err);
  if (s != DECC_OK)
    return s;
  if (sub ? decc_u256_sub(&b, &b, v) != DECC_OK
          : decc_u256_add(&b, &b, v) != DECC_OK)
    return ldg_revert(c, sub ? SUB_OVERFLOW : ADD_OVERFLOW);
  return ldg_escrow_set(c->l, a, &b, &f, c->err);
}

/* IexecERC20Core._transferUnchecked */
static decc_status hub_transfer(ldg_ctx *c, const decc_address *from,
                                const decc_address *to, const decc_u256 *v) {
  if (decc_address_is_zero(from))
    return ldg_revert(c, "ERC20: transfer from the zero address");
  if (decc_address_is_zero(to))
    return ldg_revert(c, "ERC20: transfer to the zero address");
  decc_status s;
  if ((s = add_balance(c, from, v, 1)) != DECC_OK ||
      (s = add_balance(c, to, v, 0)) != DECC_OK)
    return s;
  return emit_pair(c, EV_TRANSFER, from, to, v);
}

static decc_status supply_add(ldg_ctx *c, const decc_u256 *v, int sub) {
  decc_u256 t;
  decc_status s = ldg_kv_get(c->l, "hub.supply", &t, c->err);
  if (s != DECC_OK)
    return s;
  if (sub ? decc_u256_sub(&t, &t, v) != DECC_OK
          : decc_u256_add(&t, &t, v) != DECC_OK)
    return ldg_revert(c, sub ? SUB_OVERFLOW : ADD_OVERFLOW);
  return ldg_kv_set(c->l, "hub.supply", &t, c->err);
}

static decc_status hub_mint(ldg_ctx *c, const decc_address *to,
                            const decc_u256 *v) {
  if (decc_address_is_zero(to))
    return ldg_revert(c, "ERC20: mint to the zero address");
  decc_address zero;
  memset(&zero, 0, sizeof zero);
  decc_status s;
  if ((s = supply_add(c, v, 0)) != DECC_OK ||
      (s = add_balance(c, to, v, 0)) != DECC_OK)
    return s;
  return emit_pair(c, EV_TRANSFER, &zero, to, v);
}

static decc_status hub_burn(ldg_ctx *c, const decc_address *from,
                            const decc_u256 *v) {
  if (decc_address_is_zero(from))
    return ldg_revert(c, "ERC20: burn from the zero address");
  decc_address zero;
  memset(&zero, 0, sizeof zero);
  decc_status s;
  if ((s = supply_add(c, v, 1)) != DECC_OK ||
      (s = add_balance(c, from, v, 1)) != DECC_OK)
    return s;
  return emit_pair(c, EV_TRANSFER, from, &zero, v);
}

static decc_status hub_approve(ldg_ctx *c, const decc_address *owner,
                               const decc_address *spender,
                               const decc_u256 *v) {
  if (decc_address_is_zero(owner))
    return ldg_revert(c, "ERC20: approve from the zero address");
  if (decc_address_is_zero(spender))
    return ldg_revert(c, "ERC20: approve to the zero address");
  decc_status s = ldg_hub_set_allowance(c->l, owner, spender, v, c->err);
  return s != DECC_OK ? s : emit_pair(c, EV_APPROVAL, owner, spender, v);
}

/* RLC.transferFrom(from, hub, amount) / RLC.transfer(to, amount) as the
 * hub. */
static decc_status token_call(ldg_ctx *c, const char *sig,
                              const decc_address *a1, const decc_address *a2,
                              const decc_u256 *v, int *ok) {
  uint8_t sel[4];
  decc_abi_selector(sel, sig);
  decc_abi_enc e;
  decc_buf call, ret;
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&call, 0);
  decc_buf_init(&ret, 0);
  decc_abi_enc_push_address(&e, a1);
  if (a2)
    decc_abi_enc_push_address(&e, a2);
  decc_abi_enc_push_u256(&e, v);
  decc_status s = decc_abi_enc_finish_call(&e, sel, &call);
  decc_abi_enc_clear(&e);
  if (s != DECC_OK)
    s = decc_err_set(c->err, s, "ledger: cannot encode a token call");
  else
    s = ldg_call(c, &c->l->addr.token, call.data, call.len, &ret);
  *ok = s == DECC_OK && ret.len >= 32 && ret.data[31] == 1;
  decc_buf_clear(&call);
  decc_buf_clear(&ret);
  return s;
}

static decc_status do_deposit(ldg_ctx *c, const decc_address *from,
                              const decc_address *to, const decc_u256 *v) {
  int ok;
  decc_status s = token_call(c, "transferFrom(address,address,uint256)", from,
                             &c->l->addr.hub, v, &ok);
  if (s != DECC_OK)
    return s;
  if (!ok)
    return ldg_revert(c, "failled-transferFrom");
  return hub_mint(c, to, v);
}

static int get_u(const decc_abi_value *a, size_t i, decc_u256 *v) {
  return decc_abi_get_u256(decc_abi_item(a, i), v) == DECC_OK;
}
static int get_a(const decc_abi_value *a, size_t i, decc_address *v) {
  return decc_abi_get_address(decc_abi_item(a, i), v) == DECC_OK;
}

static decc_status f_deposit(ldg_ctx *c, const decc_abi_value *a,
                             decc_abi_enc *r) {
  decc_u256 v;
  if (!get_u(a, 0, &v))
    return ldg_revert_empty(c);
  decc_status s = do_deposit(c, &c->sender, &c->sender, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_deposit_for(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r) {
  decc_u256 v;
  decc_address to;
  if (!get_u(a, 0, &v) || !get_a(a, 1, &to))
    return ldg_revert_empty(c);
  decc_status s = do_deposit(c, &c->sender, &to, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_deposit_for_array(ldg_ctx *c, const decc_abi_value *a,
                                       decc_abi_enc *r) {
  const decc_abi_value *amounts = decc_abi_item(a, 0),
                       *targets = decc_abi_item(a, 1);
  if (!amounts || !targets)
    return ldg_revert_empty(c);
  if (amounts->count != targets->count)
    return ldg_revert(c, "invalid-array-length");
  for (size_t i = 0; i < amounts->count; i++) {
    decc_u256 v;
    decc_address to;
    if (!get_u(amounts, i, &v) || !get_a(targets, i, &to))
      return ldg_revert_empty(c);
    decc_status s = do_deposit(c, &c->sender, &to, &v);
    if (s != DECC_OK)
      return s;
  }
  return decc_abi_enc_push_bool(r, 1);
}

static decc_status do_withdraw(ldg_ctx *c, const decc_address *to,
                               const decc_u256 *v) {
  decc_status s = hub_burn(c, &c->sender, v);
  if (s != DECC_OK)
    return s;
  int ok; /* _withdraw ignores transfer's return value */
  return token_call(c, "transfer(address,uint256)", to, NULL, v, &ok);
}

static decc_status f_withdraw(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  decc_u256 v;
  if (!get_u(a, 0, &v))
    return ldg_revert_empty(c);
  decc_status s = do_withdraw(c, &c->sender, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_withdraw_to(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r) {
  decc_u256 v;
  decc_address to;
  if (!get_u(a, 0, &v) || !get_a(a, 1, &to))
    return ldg_revert_empty(c);
  decc_status s = do_withdraw(c, &to, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_receive_approval(ldg_ctx *c, const decc_abi_value *a,
                                      decc_abi_enc *r) {
  decc_address from, token;
  decc_u256 v;
  if (!get_a(a, 0, &from) || !get_u(a, 1, &v) || !get_a(a, 2, &token))
    return ldg_revert_empty(c);
  if (!decc_address_eq(&token, &c->l->addr.token))
    return ldg_revert(c, "wrong-token");
  decc_status s = do_deposit(c, &from, &from, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

/* ---- hub ERC-20 ----------------------------------------------------------- */

static decc_status f_transfer(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  decc_address to;
  decc_u256 v;
  if (!get_a(a, 0, &to) || !get_u(a, 1, &v))
    return ldg_revert_empty(c);
  decc_status s = hub_transfer(c, &c->sender, &to, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_approve(ldg_ctx *c, const decc_abi_value *a,
                             decc_abi_enc *r) {
  decc_address sp;
  decc_u256 v;
  if (!get_a(a, 0, &sp) || !get_u(a, 1, &v))
    return ldg_revert_empty(c);
  decc_status s = hub_approve(c, &c->sender, &sp, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_transfer_from(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  decc_address from, to;
  decc_u256 v, allowed;
  if (!get_a(a, 0, &from) || !get_a(a, 1, &to) || !get_u(a, 2, &v))
    return ldg_revert_empty(c);
  decc_status s = hub_transfer(c, &from, &to, &v);
  if (s != DECC_OK || (s = ldg_hub_allowance(c->l, &from, &c->sender, &allowed,
                                             c->err)) != DECC_OK)
    return s;
  if (decc_u256_sub(&allowed, &allowed, &v) != DECC_OK)
    return ldg_revert(c, SUB_OVERFLOW);
  s = hub_approve(c, &from, &c->sender, &allowed);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status change_allowance(ldg_ctx *c, const decc_abi_value *a,
                                    decc_abi_enc *r, int sub) {
  decc_address sp;
  decc_u256 v, cur;
  if (!get_a(a, 0, &sp) || !get_u(a, 1, &v))
    return ldg_revert_empty(c);
  decc_status s = ldg_hub_allowance(c->l, &c->sender, &sp, &cur, c->err);
  if (s != DECC_OK)
    return s;
  if (sub ? decc_u256_sub(&cur, &cur, &v) != DECC_OK
          : decc_u256_add(&cur, &cur, &v) != DECC_OK)
    return ldg_revert(c, sub ? SUB_OVERFLOW : ADD_OVERFLOW);
  s = hub_approve(c, &c->sender, &sp, &cur);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_increase_allowance(ldg_ctx *c, const decc_abi_value *a,
                                        decc_abi_enc *r) {
  return change_allowance(c, a, r, 0);
}

static decc_status f_decrease_allowance(ldg_ctx *c, const decc_abi_value *a,
                                        decc_abi_enc *r) {
  return change_allowance(c, a, r, 1);
}

static decc_status f_approve_and_call(ldg_ctx *c, const decc_abi_value *a,
                                      decc_abi_enc *r) {
  decc_address sp;
  decc_u256 v;
  const uint8_t *extra;
  size_t n;
  if (!get_a(a, 0, &sp) || !get_u(a, 1, &v) ||
      decc_abi_get_bytes(decc_abi_item(a, 2), &extra, &n) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = hub_approve(c, &c->sender, &sp, &v);
  if (s != DECC_OK)
    return s;
  uint8_t sel[4];
  decc_abi_selector(sel, "receiveApproval(address,uint256,address,bytes)");
  decc_abi_enc e;
  decc_buf call, ret;
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&call, 0);
  decc_buf_init(&ret, 0);
  decc_abi_enc_push_address(&e, &c->sender);
  decc_abi_enc_push_u256(&e, &v);
  decc_abi_enc_push_address(&e, &c->l->addr.hub);
  decc_abi_enc_push_bytes(&e, extra, n);
  if ((s = decc_abi_enc_finish_call(&e, sel, &call)) != DECC_OK)
    s = decc_err_set(c->err, s, "ledger: cannot encode receiveApproval");
  else
    s = ldg_call(c, &sp, call.data, call.len, &ret);
  decc_abi_enc_clear(&e);
  int ok = ret.len >= 32 && ret.data[31] == 1;
  decc_buf_clear(&call);
  decc_buf_clear(&ret);
  if (s != DECC_OK)
    return s;
  if (!ok)
    return ldg_revert(c, "approval-refused");
  return decc_abi_enc_push_bool(r, 1);
}

/* ---- views ------------------------------------------------------------------- */

static decc_status f_balance_of(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  decc_address who;
  decc_u256 b;
  if (!get_a(a, 0, &who))
    return ldg_revert_empty(c);
  decc_status s = ldg_escrow_get(c->l, &who, &b, NULL, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u256(r, &b);
}

static decc_status f_frozen_of(ldg_ctx *c, const decc_abi_value *a,
                               decc_abi_enc *r) {
  decc_address who;
  decc_u256 f;
  if (!get_a(a, 0, &who))
    return ldg_revert_empty(c);
  decc_status s = ldg_escrow_get(c->l, &who, NULL, &f, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u256(r, &f);
}

static decc_status view_account(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r, int tuple) {
  decc_address who;
  decc_u256 b, f;
  if (!get_a(a, 0, &who))
    return ldg_revert_empty(c);
  decc_status s = ldg_escrow_get(c->l, &who, &b, &f, c->err);
  if (s != DECC_OK)
    return s;
  if (tuple)
    decc_abi_enc_begin_tuple(r);
  decc_abi_enc_push_u256(r, &b);
  decc_abi_enc_push_u256(r, &f);
  return tuple ? decc_abi_enc_end_tuple(r) : DECC_OK;
}

static decc_status f_view_account(ldg_ctx *c, const decc_abi_value *a,
                                  decc_abi_enc *r) {
  return view_account(c, a, r, 1);
}

static decc_status f_view_account_legacy(ldg_ctx *c, const decc_abi_value *a,
                                         decc_abi_enc *r) {
  return view_account(c, a, r, 0);
}

static decc_status f_allowance(ldg_ctx *c, const decc_abi_value *a,
                               decc_abi_enc *r) {
  decc_address o, sp;
  decc_u256 v;
  if (!get_a(a, 0, &o) || !get_a(a, 1, &sp))
    return ldg_revert_empty(c);
  decc_status s = ldg_hub_allowance(c->l, &o, &sp, &v, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u256(r, &v);
}

static decc_status f_total_supply(ldg_ctx *c, const decc_abi_value *a,
                                  decc_abi_enc *r) {
  decc_u256 v;
  decc_status s = ldg_kv_get(c->l, "hub.supply", &v, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u256(r, &v);
}

static decc_status f_name(ldg_ctx *c, const decc_abi_value *a,
                          decc_abi_enc *r) {
  return decc_abi_enc_push_string(r, "Staked RLC");
}
static decc_status f_symbol(ldg_ctx *c, const decc_abi_value *a,
                            decc_abi_enc *r) {
  return decc_abi_enc_push_string(r, "SRLC");
}
static decc_status f_decimals(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 9);
}
static decc_status f_token(ldg_ctx *c, const decc_abi_value *a,
                           decc_abi_enc *r) {
  return decc_abi_enc_push_address(r, &c->l->addr.token);
}
static decc_status f_appregistry(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r) {
  return decc_abi_enc_push_address(r, &c->l->addr.app_registry);
}
static decc_status f_datasetregistry(ldg_ctx *c, const decc_abi_value *a,
                                     decc_abi_enc *r) {
  return decc_abi_enc_push_address(r, &c->l->addr.dataset_registry);
}
static decc_status f_workerpoolregistry(ldg_ctx *c, const decc_abi_value *a,
                                        decc_abi_enc *r) {
  return decc_abi_enc_push_address(r, &c->l->addr.workerpool_registry);
}
static decc_status f_owner(ldg_ctx *c, const decc_abi_value *a,
                           decc_abi_enc *r) {
  return decc_abi_enc_push_address(r, &c->l->owner);
}
static decc_status f_teebroker(ldg_ctx *c, const decc_abi_value *a,
                               decc_abi_enc *r) {
  decc_address z;
  memset(&z, 0, sizeof z);
  return decc_abi_enc_push_address(r, &z);
}
static decc_status f_callbackgas(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 100000);
}
static decc_status f_cdr(ldg_ctx *c, const decc_abi_value *a, decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 7);
}
static decc_status f_rdr(ldg_ctx *c, const decc_abi_value *a, decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 2);
}
static decc_status f_fdr(ldg_ctx *c, const decc_abi_value *a, decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 10);
}
static decc_status f_wsr(ldg_ctx *c, const decc_abi_value *a, decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 30);
}
static decc_status f_kitty_ratio(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 10);
}
static decc_status f_kitty_min(ldg_ctx *c, const decc_abi_value *a,
                               decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 1000000000ull);
}
static decc_status f_kitty_address(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  static const uint8_t kitty[20] = {0x99, 0xc2, 0x26, 0x84, 0x79, 0xb9, 0x3f,
                                    0xde, 0x36, 0x23, 0x23, 0x51, 0x22, 0x98,
                                    0x15, 0xdf, 0x80, 0x83, 0x7e, 0x23};
  decc_address k;
  memcpy(k.b, kitty, 20);
  return decc_abi_enc_push_address(r, &k);
}
static decc_status f_groupmember(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 4);
}

static decc_status f_domain(ldg_ctx *c, const decc_abi_value *a,
                            decc_abi_enc *r) {
  decc_abi_enc_begin_tuple(r);
  decc_abi_enc_push_string(r, "iExecODB");
  decc_abi_enc_push_string(r, "5.0.0");
  decc_abi_enc_push_u64(r, c->l->chain_id);
  decc_abi_enc_push_address(r, &c->l->addr.hub);
  return decc_abi_enc_end_tuple(r);
}

static decc_status f_domain_separator(ldg_ctx *c, const decc_abi_value *a,
                                      decc_abi_enc *r) {
  return decc_abi_enc_push_bytes32(r, c->l->domain_sep);
}

static decc_status f_count_category(ldg_ctx *c, const decc_abi_value *a,
                                    decc_abi_enc *r) {
  uint64_t n;
  decc_status s = ldg_category_count(c->l, &n, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u64(r, n);
}

static decc_status view_category(ldg_ctx *c, const decc_abi_value *a,
                                 decc_abi_enc *r, int tuple) {
  uint64_t idx, tref;
  int found = 0;
  char *name = NULL, *desc = NULL;
  decc_status s = DECC_OK;
  if (decc_abi_get_u64(decc_abi_item(a, 0), &idx) == DECC_OK)
    s = ldg_category_get(c->l, idx, &found, &name, &desc, &tref, c->err);
  if (s != DECC_OK)
    return s;
  if (!found) /* m_categories[idx] out of bounds */
    return ldg_revert_panic(c, 0x32);
  if (tuple)
    decc_abi_enc_begin_tuple(r);
  decc_abi_enc_push_string(r, name);
  decc_abi_enc_push_string(r, desc);
  decc_abi_enc_push_u64(r, tref);
  s = tuple ? decc_abi_enc_end_tuple(r) : DECC_OK;
  decc_free(name);
  decc_free(desc);
  return s;
}

static decc_status f_view_category(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  return view_category(c, a, r, 1);
}
static decc_status f_view_category_legacy(ldg_ctx *c, const decc_abi_value *a,
                                          decc_abi_enc *r) {
  return view_category(c, a, r, 0);
}

static decc_status f_view_consumed(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  uint8_t h[32];
  decc_u256 v;
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), h) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = ldg_order_get(c->l, h, &v, NULL, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u256(r, &v);
}

static decc_status f_view_presigned(ldg_ctx *c, const decc_abi_value *a,
                                    decc_abi_enc *r) {
  uint8_t h[32];
  decc_address p;
  if (decc_abi_get_bytes32(decc_abi_item(a, 0), h) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = ldg_order_get(c->l, h, NULL, &p, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_address(r, &p);
}

static decc_status f_view_score(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  decc_address w;
  decc_u256 v;
  if (!get_a(a, 0, &w))
    return ldg_revert_empty(c);
  decc_status s = ldg_score_get(c->l, &w, &v, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u256(r, &v);
}

/* viewApp / viewDataset / viewWorkerpool (IexecPocoAccessorsFacet). */
static decc_status view_entry(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r, int kind) {
  decc_address x;
  ldg_entry e;
  int found;
  if (!get_a(a, 0, &x))
    return ldg_revert_empty(c);
  decc_status s = ldg_entry_get(c->l, &x, &e, &found, c->err);
  if (s != DECC_OK)
    return s;
  if (!found || e.kind != kind) {
    ldg_entry_clear(&e);
    return ldg_revert_empty(c); /* owner() on a non-entry */
  }
  decc_abi_enc_begin_tuple(r);
  decc_abi_enc_push_address(r, &e.owner);
  decc_abi_enc_push_string(r, e.name);
  if (kind == LDG_APP) {
    decc_abi_enc_push_string(r, e.app_type ? e.app_type : "");
    decc_abi_enc_push_bytes(r, e.multiaddr, e.multiaddr_len);
    decc_abi_enc_push_bytes32(r, e.checksum);
    decc_abi_enc_push_bytes(r, e.mrenclave, e.mrenclave_len);
  } else if (kind == LDG_DATASET) {
    decc_abi_enc_push_bytes(r, e.multiaddr, e.multiaddr_len);
    decc_abi_enc_push_bytes32(r, e.checksum);
  } else {
    decc_abi_enc_push_u64(r, (uint64_t)e.worker_stake_ratio);
    decc_abi_enc_push_u64(r, (uint64_t)e.scheduler_reward_ratio);
  }
  ldg_entry_clear(&e);
  return decc_abi_enc_end_tuple(r);
}

static decc_status f_view_app(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  return view_entry(c, a, r, LDG_APP);
}
static decc_status f_view_dataset(ldg_ctx *c, const decc_abi_value *a,
                                  decc_abi_enc *r) {
  return view_entry(c, a, r, LDG_DATASET);
}
static decc_status f_view_workerpool(ldg_ctx *c, const decc_abi_value *a,
                                     decc_abi_enc *r) {
  return view_entry(c, a, r, LDG_WORKERPOOL);
}

#define HUB LDG_T_HUB
const ldg_method ldg_hub_methods[] = {
    {HUB, "deposit(uint256)", f_deposit},
    {HUB, "depositFor(uint256,address)", f_deposit_for},
    {HUB, "depositForArray(uint256[],address[])", f_deposit_for_array},
    {HUB, "withdraw(uint256)", f_withdraw},
    {HUB, "withdrawTo(uint256,address)", f_withdraw_to},
    {HUB, "receiveApproval(address,uint256,address,bytes)", f_receive_approval},
    {HUB, "transfer(address,uint256)", f_transfer},
    {HUB, "approve(address,uint256)", f_approve},
    {HUB, "transferFrom(address,address,uint256)", f_transfer_from},
    {HUB, "increaseAllowance(address,uint256)", f_increase_allowance},
    {HUB, "decreaseAllowance(address,uint256)", f_decrease_allowance},
    {HUB, "approveAndCall(address,uint256,bytes)", f_approve_and_call},
    {HUB, "balanceOf(address)", f_balance_of},
    {HUB, "frozenOf(address)", f_frozen_of},
    {HUB, "viewAccount(address)", f_view_account},
    {HUB, "viewAccountABILegacy(address)", f_view_account_legacy},
    {HUB, "allowance(address,address)", f_allowance},
    {HUB, "totalSupply()", f_total_supply},
    {HUB, "name()", f_name},
    {HUB, "symbol()", f_symbol},
    {HUB, "decimals()", f_decimals},
    {HUB, "token()", f_token},
    {HUB, "appregistry()", f_appregistry},
    {HUB, "datasetregistry()", f_datasetregistry},
    {HUB, "workerpoolregistry()", f_workerpoolregistry},
    {HUB, "owner()", f_owner},
    {HUB, "teebroker()", f_teebroker},
    {HUB, "callbackgas()", f_callbackgas},
    {HUB, "contribution_deadline_ratio()", f_cdr},
    {HUB, "reveal_deadline_ratio()", f_rdr},
    {HUB, "final_deadline_ratio()", f_fdr},
    {HUB, "workerpool_stake_ratio()", f_wsr},
    {HUB, "kitty_ratio()", f_kitty_ratio},
    {HUB, "kitty_min()", f_kitty_min},
    {HUB, "kitty_address()", f_kitty_address},
    {HUB, "groupmember_purpose()", f_groupmember},
    {HUB, "domain()", f_domain},
    {HUB, "eip712domain_separator()", f_domain_separator},
    {HUB, "countCategory()", f_count_category},
    {HUB, "viewCategory(uint256)", f_view_category},
    {HUB, "viewCategoryABILegacy(uint256)", f_view_category_legacy},
    {HUB, "viewConsumed(bytes32)", f_view_consumed},
    {HUB, "viewPresigned(bytes32)", f_view_presigned},
    {HUB, "viewScore(address)", f_view_score},
    {HUB, "viewApp(address)", f_view_app},
    {HUB, "viewDataset(address)", f_view_dataset},
    {HUB, "viewWorkerpool(address)", f_view_workerpool},
    {LDG_T_NONE, NULL, NULL}};
