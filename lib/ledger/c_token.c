/*
 * c_token.c — the RLC token (the 0.4-era RLC.sol deployed as PoCo's base
 * token: "iExec RLC Token", "RLC", 9 decimals). ERC-20 transfer /
 * transferFrom / approve with Transfer and Approval events, and
 * approveAndCall, which approves and then calls the spender's
 * receiveApproval(from, value, token, extraData) — how the SDK deposits
 * into the hub in one transaction. Arithmetic failures revert without a
 * reason, as RLC.sol's assert-based SafeMath does.
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

#define EV_TRANSFER "Transfer(address,address,uint256)"
#define EV_APPROVAL "Approval(address,address,uint256)"

static decc_status emit_pair(ldg_ctx *c, const char *ev, const decc_address *a,
                             const decc_address *b, const decc_u256 *v) {
  uint8_t topics[3][32], data[32];
  ldg_topic(topics[0], ev);
  ldg_topic_addr(topics[1], a);
  ldg_topic_addr(topics[2], b);
  decc_u256_to_be(data, v);
  return ldg_emit(c, &c->l->addr.token, 3, (const uint8_t(*)[32])topics, data,
                  32);
}

static decc_status rlc_move(ldg_ctx *c, const decc_address *from,
                            const decc_address *to, const decc_u256 *v) {
  decc_u256 bf, bt;
  decc_status s;
  if ((s = ldg_rlc_balance(c->l, from, &bf, c->err)) != DECC_OK)
    return s;
  if (decc_u256_sub(&bf, &bf, v) != DECC_OK)
    return ldg_revert_empty(c);
  if ((s = ldg_rlc_set_balance(c->l, from, &bf, c->err)) != DECC_OK ||
      (s = ldg_rlc_balance(c->l, to, &bt, c->err)) != DECC_OK)
    return s;
  if (decc_u256_add(&bt, &bt, v) != DECC_OK)
    return ldg_revert_empty(c);
  if ((s = ldg_rlc_set_balance(c->l, to, &bt, c->err)) != DECC_OK)
    return s;
  return emit_pair(c, EV_TRANSFER, from, to, v);
}

static decc_status f_name(ldg_ctx *c, const decc_abi_value *a,
                          decc_abi_enc *r) {
  return decc_abi_enc_push_string(r, "iExec RLC Token");
}

static decc_status f_symbol(ldg_ctx *c, const decc_abi_value *a,
                            decc_abi_enc *r) {
  return decc_abi_enc_push_string(r, "RLC");
}

static decc_status f_decimals(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  return decc_abi_enc_push_u64(r, 9);
}

static decc_status f_total_supply(ldg_ctx *c, const decc_abi_value *a,
                                  decc_abi_enc *r) {
  decc_u256 v;
  decc_status s = ldg_kv_get(c->l, "rlc.supply", &v, c->err);
  return s != DECC_OK ? s : decc_abi_enc_push_u256(r, &v);
}

static decc_status f_balance_of(ldg_ctx *c, const decc_abi_value *a,
                                decc_abi_enc *r) {
  decc_address who;
  decc_u256 v;
  decc_status s;
  if (decc_abi_get_address(decc_abi_item(a, 0), &who) != DECC_OK)
    return ldg_revert_empty(c);
  if ((s = ldg_rlc_balance(c->l, &who, &v, c->err)) != DECC_OK)
    return s;
  return decc_abi_enc_push_u256(r, &v);
}

static decc_status f_allowance(ldg_ctx *c, const decc_abi_value *a,
                               decc_abi_enc *r) {
  decc_address o, sp;
  decc_u256 v;
  decc_status s;
  if (decc_abi_get_address(decc_abi_item(a, 0), &o) != DECC_OK ||
      decc_abi_get_address(decc_abi_item(a, 1), &sp) != DECC_OK)
    return ldg_revert_empty(c);
  if ((s = ldg_rlc_allowance(c->l, &o, &sp, &v, c->err)) != DECC_OK)
    return s;
  return decc_abi_enc_push_u256(r, &v);
}

static decc_status f_transfer(ldg_ctx *c, const decc_abi_value *a,
                              decc_abi_enc *r) {
  decc_address to;
  decc_u256 v;
  if (decc_abi_get_address(decc_abi_item(a, 0), &to) != DECC_OK ||
      decc_abi_get_u256(decc_abi_item(a, 1), &v) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = rlc_move(c, &c->sender, &to, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_transfer_from(ldg_ctx *c, const decc_abi_value *a,
                                   decc_abi_enc *r) {
  decc_address from, to;
  decc_u256 v, allowed;
  decc_status s;
  if (decc_abi_get_address(decc_abi_item(a, 0), &from) != DECC_OK ||
      decc_abi_get_address(decc_abi_item(a, 1), &to) != DECC_OK ||
      decc_abi_get_u256(decc_abi_item(a, 2), &v) != DECC_OK)
    return ldg_revert_empty(c);
  if ((s = ldg_rlc_allowance(c->l, &from, &c->sender, &allowed, c->err)) !=
      DECC_OK)
    return s;
  if (decc_u256_sub(&allowed, &allowed, &v) != DECC_OK)
    return ldg_revert_empty(c);
  if ((s = rlc_move(c, &from, &to, &v)) != DECC_OK ||
      (s = ldg_rlc_set_allowance(c->l, &from, &c->sender, &allowed, c->err)) !=
          DECC_OK)
    return s;
  return decc_abi_enc_push_bool(r, 1);
}

static decc_status do_approve(ldg_ctx *c, const decc_address *spender,
                              const decc_u256 *v) {
  decc_status s = ldg_rlc_set_allowance(c->l, &c->sender, spender, v, c->err);
  return s != DECC_OK ? s : emit_pair(c, EV_APPROVAL, &c->sender, spender, v);
}

static decc_status f_approve(ldg_ctx *c, const decc_abi_value *a,
                             decc_abi_enc *r) {
  decc_address sp;
  decc_u256 v;
  if (decc_abi_get_address(decc_abi_item(a, 0), &sp) != DECC_OK ||
      decc_abi_get_u256(decc_abi_item(a, 1), &v) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = do_approve(c, &sp, &v);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

static decc_status f_approve_and_call(ldg_ctx *c, const decc_abi_value *a,
                                      decc_abi_enc *r) {
  decc_address sp;
  decc_u256 v;
  const uint8_t *extra;
  size_t extra_len;
  if (decc_abi_get_address(decc_abi_item(a, 0), &sp) != DECC_OK ||
      decc_abi_get_u256(decc_abi_item(a, 1), &v) != DECC_OK ||
      decc_abi_get_bytes(decc_abi_item(a, 2), &extra, &extra_len) != DECC_OK)
    return ldg_revert_empty(c);
  decc_status s = do_approve(c, &sp, &v);
  if (s != DECC_OK)
    return s;
  /* spender.receiveApproval(msg.sender, value, this, extraData) */
  uint8_t sel[4];
  decc_abi_selector(sel, "receiveApproval(address,uint256,address,bytes)");
  decc_abi_enc e;
  decc_buf call;
  decc_abi_enc_init(&e, 0);
  decc_buf_init(&call, 0);
  decc_abi_enc_push_address(&e, &c->sender);
  decc_abi_enc_push_u256(&e, &v);
  decc_abi_enc_push_address(&e, &c->l->addr.token);
  decc_abi_enc_push_bytes(&e, extra, extra_len);
  s = decc_abi_enc_finish_call(&e, sel, &call);
  decc_abi_enc_clear(&e);
  if (s != DECC_OK) {
    decc_buf_clear(&call);
    return decc_err_set(c->err, s, "ledger: cannot encode receiveApproval");
  }
  s = ldg_call(c, &sp, call.data, call.len, NULL);
  decc_buf_clear(&call);
  return s != DECC_OK ? s : decc_abi_enc_push_bool(r, 1);
}

const ldg_method ldg_token_methods[] = {
    {LDG_T_TOKEN, "name()", f_name},
    {LDG_T_TOKEN, "symbol()", f_symbol},
    {LDG_T_TOKEN, "decimals()", f_decimals},
    {LDG_T_TOKEN, "totalSupply()", f_total_supply},
    {LDG_T_TOKEN, "balanceOf(address)", f_balance_of},
    {LDG_T_TOKEN, "allowance(address,address)", f_allowance},
    {LDG_T_TOKEN, "transfer(address,uint256)", f_transfer},
    {LDG_T_TOKEN, "transferFrom(address,address,uint256)", f_transfer_from},
    {LDG_T_TOKEN, "approve(address,uint256)", f_approve},
    {LDG_T_TOKEN, "approveAndCall(address,uint256,bytes)", f_approve_and_call},
    {LDG_T_NONE, NULL, NULL}};
