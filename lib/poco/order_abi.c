/*
 * order_abi.c — orders as ABI tuples, the way PoCo's functions take them
 * (matchOrders, manage*Order, computeDealVolume, …): the order's fields in
 * struct order followed by its `sign` bytes, and the matchOrders calldata.
 * The decoder (decc_order_abi_get, what the embedded ledger reads from a
 * transaction) sits beside the encoder. One place for what the ledger,
 * the CLI, the DataProtector client and the tests would otherwise each
 * spell out.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "decc/mem.h"
#include "decc/order.h"

decc_status decc_order_abi_push(decc_abi_enc *e, const decc_order *o) {
  DECC_ARG_CHECK(e != NULL);
  DECC_ARG_CHECK(o != NULL);
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

/* The inverse of decc_order_abi_push: the order's fields and sign bytes
 * from a decoded tuple (sign lengths other than 64/65 are kept as given:
 * PoCo refuses them when it checks the signature). */
static decc_status sign_from(const decc_abi_value *v, decc_order *o) {
  const uint8_t *p;
  size_t n;
  if (decc_abi_get_bytes(v, &p, &n) != DECC_OK)
    return DECC_E_PARSE;
  memcpy(o->sign, p, n < 65 ? n : 65);
  o->sign_len = n; /* lengths other than 64/65 are malformed for PoCo */
  return DECC_OK;
}

decc_status decc_order_abi_get(decc_order *o, decc_order_type type,
                               const decc_abi_value *t) {
  DECC_ARG_CHECK(o != NULL);
  DECC_ARG_CHECK(t != NULL);
  decc_status s = decc_order_init(o, type);
  if (s != DECC_OK)
    return s;
  int bad = 0;
#define A(i, f) bad |= decc_abi_get_address(decc_abi_item(t, i), &f) != DECC_OK
#define U(i, f) bad |= decc_abi_get_u256(decc_abi_item(t, i), &f) != DECC_OK
#define B(i, f) bad |= decc_abi_get_bytes32(decc_abi_item(t, i), f) != DECC_OK
  switch (type) {
  case DECC_ORDER_APP: {
    decc_apporder *x = &o->u.app;
    A(0, x->app);
    U(1, x->appprice);
    U(2, x->volume);
    B(3, x->tag);
    A(4, x->datasetrestrict);
    A(5, x->workerpoolrestrict);
    A(6, x->requesterrestrict);
    B(7, x->salt);
    bad |= sign_from(decc_abi_item(t, 8), o) != DECC_OK;
    break;
  }
  case DECC_ORDER_DATASET: {
    decc_datasetorder *x = &o->u.dataset;
    A(0, x->dataset);
    U(1, x->datasetprice);
    U(2, x->volume);
    B(3, x->tag);
    A(4, x->apprestrict);
    A(5, x->workerpoolrestrict);
    A(6, x->requesterrestrict);
    B(7, x->salt);
    bad |= sign_from(decc_abi_item(t, 8), o) != DECC_OK;
    break;
  }
  case DECC_ORDER_WORKERPOOL: {
    decc_workerpoolorder *x = &o->u.workerpool;
    A(0, x->workerpool);
    U(1, x->workerpoolprice);
    U(2, x->volume);
    B(3, x->tag);
    U(4, x->category);
    U(5, x->trust);
    A(6, x->apprestrict);
    A(7, x->datasetrestrict);
    A(8, x->requesterrestrict);
    B(9, x->salt);
    bad |= sign_from(decc_abi_item(t, 10), o) != DECC_OK;
    break;
  }
  case DECC_ORDER_REQUEST: {
    decc_requestorder *x = &o->u.request;
    A(0, x->app);
    U(1, x->appmaxprice);
    A(2, x->dataset);
    U(3, x->datasetmaxprice);
    A(4, x->workerpool);
    U(5, x->workerpoolmaxprice);
    A(6, x->requester);
    U(7, x->volume);
    B(8, x->tag);
    U(9, x->category);
    U(10, x->trust);
    A(11, x->beneficiary);
    A(12, x->callback);
    char *params = NULL;
    if (decc_abi_get_string(decc_abi_item(t, 13), &params) == DECC_OK) {
      decc_free(x->params);
      x->params = params;
    } else
      bad = 1; /* a params string with a NUL byte is refused */
    B(14, x->salt);
    bad |= sign_from(decc_abi_item(t, 15), o) != DECC_OK;
    break;
  }
  }
#undef A
#undef U
#undef B
  if (bad) {
    decc_order_clear(o);
    return DECC_E_PARSE;
  }
  return DECC_OK;
}

/* PoCo's ABI signature of matchOrders / sponsorMatchOrders arguments. */
#define MATCH_ARGS                                                             \
  "(" DECC_ORDER_ABI_APP_TYPE "," DECC_ORDER_ABI_DATASET_TYPE                  \
  "," DECC_ORDER_ABI_WORKERPOOL_TYPE "," DECC_ORDER_ABI_REQUEST_TYPE ")"

decc_status decc_match_orders_calldata(decc_buf *out, const decc_order *app,
                                       const decc_order *dataset,
                                       const decc_order *workerpool,
                                       const decc_order *request, int sponsor) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(app != NULL);
  DECC_ARG_CHECK(dataset != NULL);
  DECC_ARG_CHECK(workerpool != NULL);
  DECC_ARG_CHECK(request != NULL);
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
