/*
 * poco_accounts.c — the escrow account table (address → balance, frozen):
 * a complete table for the in-memory applier or the per-call overlay a
 * rule fills lazily from the world (escrow.c applies moves to it).
 */
#include <string.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "poco/poco_int.h"

/* ---- account table ---------------------------------------------------------- */

void decc_poco_accounts_init(decc_poco_accounts *t) {
  if (t)
    memset(t, 0, sizeof *t);
}

void decc_poco_accounts_clear(decc_poco_accounts *t) {
  if (!t)
    return;
  decc_free(t->v);
  memset(t, 0, sizeof *t);
}

static decc_poco_account *find_mut(decc_poco_accounts *t,
                                   const decc_address *a) {
  for (size_t i = 0; i < t->n; i++)
    if (decc_address_eq(&t->v[i].addr, a))
      return &t->v[i];
  return NULL;
}

const decc_poco_account *decc_poco_accounts_find(const decc_poco_accounts *t,
                                                 const decc_address *addr) {
  if (!t || !addr)
    return NULL;
  return find_mut((decc_poco_accounts *)t, addr);
}

decc_poco_account *decc__poco_account_entry(decc_poco_accounts *t,
                                            const decc_address *a) {
  decc_poco_account *e = find_mut(t, a);
  if (e)
    return e;
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 8;
    decc_poco_account *v = decc_realloc(t->v, cap * sizeof *v);
    if (!v)
      return NULL;
    t->v = v;
    t->cap = cap;
  }
  e = &t->v[t->n++];
  memset(e, 0, sizeof *e);
  e->addr = *a;
  return e;
}

decc_status decc_poco_accounts_set(decc_poco_accounts *t,
                                   const decc_address *addr,
                                   const decc_u256 *balance,
                                   const decc_u256 *frozen) {
  DECC_ARG_CHECK(t != NULL);
  DECC_ARG_CHECK(addr != NULL);
  DECC_ARG_CHECK(balance != NULL);
  DECC_ARG_CHECK(frozen != NULL);
  decc_poco_account *e = decc__poco_account_entry(t, addr);
  if (!e)
    return DECC_E_NOMEM;
  e->balance = *balance;
  e->frozen = *frozen;
  return DECC_OK;
}

decc_status decc_poco_accounts_total(const decc_poco_accounts *t,
                                     decc_u256 *balance_sum,
                                     decc_u256 *frozen_sum) {
  DECC_ARG_CHECK(t != NULL);
  DECC_ARG_CHECK(balance_sum != NULL);
  decc_u256 b = decc_u256_from_u64(0), f = b;
  for (size_t i = 0; i < t->n; i++) {
    if (decc_u256_add(&b, &b, &t->v[i].balance))
      return DECC_E_RANGE;
    if (frozen_sum && decc_u256_add(&f, &f, &t->v[i].frozen))
      return DECC_E_RANGE;
  }
  *balance_sum = b;
  if (frozen_sum)
    *frozen_sum = f;
  return DECC_OK;
}
