/*
 * poco_revert.c — PoCo's revert records: the three ways a rule reverts
 * (empty, Error(string), Panic(uint256)), their text and their EVM revert
 * data, and the common ending of a public rule function.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "decc/abi.h"
#include "poco/poco_int.h"

/* ---- reverts -------------------------------------------------------------- */

static decc_status set_revert(decc_poco_effects *fx, decc_poco_revert_kind k,
                              const char *msg, uint8_t panic) {
  memset(&fx->revert, 0, sizeof fx->revert);
  fx->revert.kind = k;
  fx->revert.panic = panic;
  if (msg)
    snprintf(fx->revert.reason, sizeof fx->revert.reason, "%s", msg);
  return DECC_E_REVERT;
}

decc_status decc__poco_revert_empty(decc_poco_effects *fx) {
  return set_revert(fx, DECC_POCO_REVERT_EMPTY, NULL, 0);
}

decc_status decc__poco_revert_msg(decc_poco_effects *fx, const char *msg) {
  return set_revert(fx, DECC_POCO_REVERT_ERROR, msg, 0);
}

decc_status decc__poco_revert_panic(decc_poco_effects *fx, uint8_t code) {
  return set_revert(fx, DECC_POCO_REVERT_PANIC, NULL, code);
}

const char *decc_poco_revert_text(const decc_poco_revert *r) {
  static const char *const panics[] = {"panic 0x11", "panic 0x12", "panic 0x32",
                                       "panic"};
  if (!r)
    return "no revert";
  switch (r->kind) {
  case DECC_POCO_REVERT_NONE:
    return "no revert";
  case DECC_POCO_REVERT_EMPTY:
    return "revert";
  case DECC_POCO_REVERT_ERROR:
  case DECC_POCO_REVERT_CUSTOM:
    return r->reason;
  case DECC_POCO_REVERT_PANIC:
    return r->panic == 0x11   ? panics[0]
           : r->panic == 0x12 ? panics[1]
           : r->panic == 0x32 ? panics[2]
                              : panics[3];
  }
  return "revert";
}

decc_status decc_poco_revert_data(decc_buf *out, const decc_poco_revert *r) {
  static const uint8_t error_sel[4] = {0x08, 0xc3, 0x79, 0xa0};
  static const uint8_t panic_sel[4] = {0x4e, 0x48, 0x7b, 0x71};
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(r != NULL);
  switch (r->kind) {
  case DECC_POCO_REVERT_EMPTY:
    return DECC_OK;
  case DECC_POCO_REVERT_PANIC: {
    uint8_t w[32] = {0};
    w[31] = r->panic;
    decc_status st = decc_buf_append(out, panic_sel, 4);
    return st ? st : decc_buf_append(out, w, 32);
  }
  case DECC_POCO_REVERT_ERROR:
  case DECC_POCO_REVERT_CUSTOM: {
    uint8_t sel[4];
    if (r->kind == DECC_POCO_REVERT_CUSTOM) {
      if (!r->custom_sig)
        return DECC_E_INVALID;
      decc_abi_selector(sel, r->custom_sig);
    } else {
      memcpy(sel, error_sel, 4);
    }
    decc_abi_enc e;
    decc_abi_enc_init(&e, 0);
    (void)decc_abi_enc_push_string(&e, r->reason);
    decc_status st = decc_abi_enc_finish_call(&e, sel, out);
    decc_abi_enc_clear(&e);
    return st;
  }
  case DECC_POCO_REVERT_NONE:
    break;
  }
  return DECC_E_INVALID;
}

decc_status decc__poco_finish(decc_poco_effects *fx, decc_status st,
                              decc_err *err, const char *what) {
  if (st == DECC_OK)
    return st;
  if (st == DECC_E_REVERT) {
    decc_poco_revert r = fx->revert;
    decc_poco_effects_clear(fx);
    fx->revert = r;
    return decc_err_set(err, st, "%s reverted: %s", what,
                        decc_poco_revert_text(&fx->revert));
  }
  decc_poco_effects_clear(fx);
  return decc_err_set(err, st, "%s: %s", what, decc_strerror(st));
}
