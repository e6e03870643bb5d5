/*
 * order_abi.c — orders as ABI tuples, the way PoCo's functions take them
 * (matchOrders, manage*Order, computeDealVolume, …): the order's fields in
 * struct order followed by its `sign` bytes, and the matchOrders calldata.
 * One place for what the ledger CLI, the DataProtector client and the
 * tests would otherwise each spell out.
 */
#include "decc/abi.h"
#include "decc/order.h"

decc_status decc_order_abi_push(decc_abi_enc *e, const decc_order *o) {
  decc_status s = decc_abi_enc_begin_tuple(e);
  switch (o->type) {
  case DECC_ORDER_APP: {
    const decc_apporder *x = &o->u.app;
    s = s ? s : decc_abi_enc_push_address(e, &x->app);
    s = s ? s : decc_abi_enc_push_u256(e, &x->appprice);
    s = s ? s : decc_abi_enc_push_u256(e, &x->volume);
    s = s ? s : decc_abi_enc_push_bytes32(e, x->tag);
    s = s ? s : decc_abi_enc_push_address(e, &x->datasetrestrict);
    s = s ? s : decc_abi_enc_push_address(e, &x->workerpoolrestrict);
    s = s ? s : decc_abi_enc_push_address(e, &x->requesterrestrict);
    s = s ? s : decc_abi_enc_push_bytes32(e, x->salt);
    break;
  }
  case DECC_ORDER_DATASET: {
    const decc_datasetorder *x = &o->u.dataset;
    s = s ? s : decc_abi_enc_push_address(e, &x->dataset);
    s = s ? s : decc_abi_enc_push_u256(e, &x->datasetprice);
    s = s ? s : decc_abi_enc_push_u256(e, &x->volume);
    s = s ? s : decc_abi_enc_push_bytes32(e, x->tag);
    s = s ? s : decc_abi_enc_push_address(e, &x->apprestrict);
    s = s ? s : decc_abi_enc_push_address(e, &x->workerpoolrestrict);
    s = s ? s : decc_abi_enc_push_address(e, &x->requesterrestrict);
    s = s ? s : decc_abi_enc_push_bytes32(e, x->salt);
    break;
  }
  case DECC_ORDER_WORKERPOOL: {
    const decc_workerpoolorder *x = &o->u.workerpool;
    s = s ? s : decc_abi_enc_push_address(e, &x->workerpool);
    s = s ? s : decc_abi_enc_push_u256(e, &x->workerpoolprice);
    s = s ? s : decc_abi_enc_push_u256(e, &x->volume);
    s = s ? s : decc_abi_enc_push_bytes32(e, x->tag);
    s = s ? s : decc_abi_enc_push_u256(e, &x->category);
    s = s ? s : decc_abi_enc_push_u256(e, &x->trust);
    s = s ? s : decc_abi_enc_push_address(e, &x->apprestrict);
    s = s ? s : decc_abi_enc_push_address(e, &x->datasetrestrict);
    s = s ? s : decc_abi_enc_push_address(e, &x->requesterrestrict);
    s = s ? s : decc_abi_enc_push_bytes32(e, x->salt);
    break;
  }
  case DECC_ORDER_REQUEST: {
    const decc_requestorder *x = &o->u.request;
    s = s ? s : decc_abi_enc_push_address(e, &x->app);
    s = s ? s : decc_abi_enc_push_u256(e, &x->appmaxprice);
    s = s ? s : decc_abi_enc_push_address(e, &x->dataset);
    s = s ? s : decc_abi_enc_push_u256(e, &x->datasetmaxprice);
    s = s ? s : decc_abi_enc_push_address(e, &x->workerpool);
    s = s ? s : decc_abi_enc_push_u256(e, &x->workerpoolmaxprice);
    s = s ? s : decc_abi_enc_push_address(e, &x->requester);
    s = s ? s : decc_abi_enc_push_u256(e, &x->volume);
    s = s ? s : decc_abi_enc_push_bytes32(e, x->tag);
    s = s ? s : decc_abi_enc_push_u256(e, &x->category);
    s = s ? s : decc_abi_enc_push_u256(e, &x->trust);
    s = s ? s : decc_abi_enc_push_address(e, &x->beneficiary);
    s = s ? s : decc_abi_enc_push_address(e, &x->callback);
    s = s ? s : decc_abi_enc_push_string(e, x->params ? x->params : "");
    s = s ? s : decc_abi_enc_push_bytes32(e, x->salt);
    break;
  }
  default:
    return DECC_E_INVALID;
  }
  s = s ? s : decc_abi_enc_push_bytes(e, o->sign, o->sign_len);
  s = s ? s : decc_abi_enc_end_tuple(e);
  return s;
}

/* PoCo's ABI signature of matchOrders / sponsorMatchOrders arguments. */
#define MATCH_ARGS                                                             \
  "((address,uint256,uint256,bytes32,address,address,address,bytes32,bytes),"  \
  "(address,uint256,uint256,bytes32,address,address,address,bytes32,bytes),"   \
  "(address,uint256,uint256,bytes32,uint256,uint256,address,address,address,"  \
  "bytes32,bytes),(address,uint256,address,uint256,address,uint256,address,"   \
  "uint256,bytes32,uint256,uint256,address,address,string,bytes32,bytes))"

decc_status decc_match_orders_calldata(decc_buf *out, const decc_order *app,
                                       const decc_order *dataset,
                                       const decc_order *workerpool,
                                       const decc_order *request,
                                       int sponsor) {
  if (app->type != DECC_ORDER_APP || dataset->type != DECC_ORDER_DATASET ||
      workerpool->type != DECC_ORDER_WORKERPOOL ||
      request->type != DECC_ORDER_REQUEST)
    return DECC_E_INVALID;
  uint8_t sel[4];
  decc_abi_selector(sel, sponsor ? "sponsorMatchOrders" MATCH_ARGS
                                 : "matchOrders" MATCH_ARGS);
  decc_abi_enc e;
  decc_abi_enc_init(&e, 0);
  decc_status st = decc_order_abi_push(&e, app);
  st = st ? st : decc_order_abi_push(&e, dataset);
  st = st ? st : decc_order_abi_push(&e, workerpool);
  st = st ? st : decc_order_abi_push(&e, request);
  st = st ? st : decc_abi_enc_finish_call(&e, sel, out);
  decc_abi_enc_clear(&e);
  return st;
}
