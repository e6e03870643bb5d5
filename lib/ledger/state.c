/*
 * state.c — typed accessors over the ledger's state tables: account
 * nonces, RLC balances and allowances, the hub's escrow accounts, registry
 * entries with OpenZeppelin ERC721Enumerable bookkeeping, categories,
 * order consumption / presignatures, worker scores, deal and task records.
 * Every write is an upsert so absent rows read as zero, like Solidity
 * mappings. While a block is open, the rows of the overlay's kinds
 * (ledger_int.h) are read through it and written only to it (overlay.c
 * flushes them before COMMIT); outside a block they go to SQLite.
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

static decc_status get_u256(decc_ledger *l, const char *sql, decc_u256 *out,
                            decc_err *err, const char *fmt, const void *k1,
                            const void *k2) {
  sqlite3_stmt *st;
  int found;
  decc_status s = fmt[1] ? ldg_query(l, &st, &found, sql, err, fmt, k1, k2)
                         : ldg_query(l, &st, &found, sql, err, fmt, k1);
  if (s != DECC_OK)
    return s;
  if (found)
    ldg_col_u256(st, 0, out);
  else
    *out = decc_u256_from_u64(0);
  sqlite3_reset(st);
  return DECC_OK;
}

/* A u256 row of an overlaid kind keyed by an address: from the overlay
 * inside a block (filled from SQLite on a miss). */
static decc_status get_u256_ov(decc_ledger *l, int kind, const char *sql,
                               const decc_address *a, decc_u256 *out,
                               decc_err *err) {
  const uint8_t *v;
  size_t n;
  if (l->in_block && ldg_ov_get(l, kind, a->b, 20, &v, &n)) {
    decc_u256_from_be(out, v);
    return DECC_OK;
  }
  decc_status s = get_u256(l, sql, out, err, "a", a, NULL);
  if (s != DECC_OK)
    return s;
  if (l->in_block) {
    uint8_t be[32];
    decc_u256_to_be(be, out);
    ldg_ov_fill(l, kind, a->b, 20, be, 32);
  }
  return DECC_OK;
}

static decc_status put_u256_ov(decc_ledger *l, int kind, const decc_address *a,
                               const decc_u256 *v, decc_err *err) {
  uint8_t be[32];
  decc_u256_to_be(be, v);
  return ldg_ov_put(l, kind, a->b, 20, be, 32, err);
}

decc_status ldg_nonce_get(decc_ledger *l, const decc_address *a, uint64_t *out,
                          decc_err *err) {
  const uint8_t *v;
  size_t n;
  if (l->in_block && ldg_ov_get(l, LDG_OV_NONCE, a->b, 20, &v, &n)) {
    *out = ldg_be64_get(v);
    return DECC_OK;
  }
  sqlite3_stmt *st;
  int found;
  decc_status s =
      ldg_query(l, &st, &found, "SELECT nonce FROM accounts WHERE address=?1",
                err, "a", a);
  if (s != DECC_OK)
    return s;
  *out = found ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  if (l->in_block) {
    uint8_t be[8];
    ldg_be64(be, *out);
    ldg_ov_fill(l, LDG_OV_NONCE, a->b, 20, be, 8);
  }
  return DECC_OK;
}

decc_status ldg_nonce_set(decc_ledger *l, const decc_address *a, uint64_t v,
                          decc_err *err) {
  if (l->in_block) {
    uint8_t be[8];
    ldg_be64(be, v);
    return ldg_ov_put(l, LDG_OV_NONCE, a->b, 20, be, 8, err);
  }
  return ldg_exec(l,
                  "INSERT OR REPLACE INTO accounts(address, nonce) "
                  "VALUES(?1, ?2)",
                  err, "ai", a, (int64_t)v);
}

decc_status ldg_rlc_balance(decc_ledger *l, const decc_address *a,
                            decc_u256 *out, decc_err *err) {
  return get_u256_ov(l, LDG_OV_RLC,
                     "SELECT amount FROM rlc_balances WHERE address=?1", a, out,
                     err);
}

decc_status ldg_rlc_set_balance(decc_ledger *l, const decc_address *a,
                                const decc_u256 *v, decc_err *err) {
  if (l->in_block)
    return put_u256_ov(l, LDG_OV_RLC, a, v, err);
  return ldg_exec(l, "INSERT OR REPLACE INTO rlc_balances VALUES(?1, ?2)", err,
                  "au", a, v);
}

decc_status ldg_rlc_allowance(decc_ledger *l, const decc_address *owner,
                              const decc_address *spender, decc_u256 *out,
                              decc_err *err) {
  return get_u256(l,
                  "SELECT amount FROM rlc_allowances WHERE owner=?1 AND "
                  "spender=?2",
                  out, err, "aa", owner, spender);
}

decc_status ldg_rlc_set_allowance(decc_ledger *l, const decc_address *owner,
                                  const decc_address *spender,
                                  const decc_u256 *v, decc_err *err) {
  return ldg_exec(l, "INSERT OR REPLACE INTO rlc_allowances VALUES(?1, ?2, ?3)",
                  err, "aau", owner, spender, v);
}

decc_status ldg_escrow_get(decc_ledger *l, const decc_address *a,
                           decc_u256 *balance, decc_u256 *frozen,
                           decc_err *err) {
  decc_u256 b = decc_u256_from_u64(0), f = b;
  const uint8_t *v;
  size_t n;
  if (l->in_block && ldg_ov_get(l, LDG_OV_ESCROW, a->b, 20, &v, &n)) {
    decc_u256_from_be(&b, v);
    decc_u256_from_be(&f, v + 32);
  } else {
    sqlite3_stmt *st;
    int found;
    decc_status s = ldg_query(
        l, &st, &found, "SELECT balance, frozen FROM escrow WHERE address=?1",
        err, "a", a);
    if (s != DECC_OK)
      return s;
    if (found) {
      ldg_col_u256(st, 0, &b);
      ldg_col_u256(st, 1, &f);
    }
    sqlite3_reset(st);
    if (l->in_block) {
      uint8_t be[64];
      decc_u256_to_be(be, &b);
      decc_u256_to_be(be + 32, &f);
      ldg_ov_fill(l, LDG_OV_ESCROW, a->b, 20, be, 64);
    }
  }
  if (balance)
    *balance = b;
  if (frozen)
    *frozen = f;
  return DECC_OK;
}

decc_status ldg_escrow_set(decc_ledger *l, const decc_address *a,
                           const decc_u256 *balance, const decc_u256 *frozen,
                           decc_err *err) {
  if (l->in_block) {
    uint8_t be[64];
    decc_u256_to_be(be, balance);
    decc_u256_to_be(be + 32, frozen);
    return ldg_ov_put(l, LDG_OV_ESCROW, a->b, 20, be, 64, err);
  }
  return ldg_exec(l, "INSERT OR REPLACE INTO escrow VALUES(?1, ?2, ?3)", err,
                  "auu", a, balance, frozen);
}

decc_status ldg_hub_allowance(decc_ledger *l, const decc_address *owner,
                              const decc_address *spender, decc_u256 *out,
                              decc_err *err) {
  return get_u256(l,
                  "SELECT amount FROM hub_allowances WHERE owner=?1 AND "
                  "spender=?2",
                  out, err, "aa", owner, spender);
}

decc_status ldg_hub_set_allowance(decc_ledger *l, const decc_address *owner,
                                  const decc_address *spender,
                                  const decc_u256 *v, decc_err *err) {
  return ldg_exec(l, "INSERT OR REPLACE INTO hub_allowances VALUES(?1, ?2, ?3)",
                  err, "aau", owner, spender, v);
}

decc_status ldg_kv_get(decc_ledger *l, const char *key, decc_u256 *out,
                       decc_err *err) {
  return get_u256(l, "SELECT value FROM kv WHERE key=?1", out, err, "t", key,
                  NULL);
}

decc_status ldg_kv_set(decc_ledger *l, const char *key, const decc_u256 *v,
                       decc_err *err) {
  return ldg_exec(l, "INSERT OR REPLACE INTO kv VALUES(?1, ?2)", err, "tu", key,
                  v);
}

/* ---- registry entries ------------------------------------------------------ */

void ldg_entry_clear(ldg_entry *e) {
  if (!e)
    return;
  decc_free(e->name);
  decc_free(e->app_type);
  decc_free(e->multiaddr);
  decc_free(e->mrenclave);
  memset(e, 0, sizeof *e);
}

decc_status ldg_entry_get(decc_ledger *l, const decc_address *a, ldg_entry *e,
                          int *found, decc_err *err) {
  sqlite3_stmt *st;
  memset(e, 0, sizeof *e);
  int hit = ldg_bc_entry_get(l, a, e, found, 1);
  if (hit)
    return hit > 0 ? DECC_OK : decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status s = ldg_query(
      l, &st, found,
      "SELECT kind, owner, global_index, owner_index, name, app_type, "
      "multiaddr, checksum, mrenclave, worker_stake_ratio, "
      "scheduler_reward_ratio FROM entries WHERE address=?1",
      err, "a", a);
  if (s != DECC_OK || !*found) {
    if (st)
      sqlite3_reset(st);
    if (s == DECC_OK)
      ldg_bc_entry_put(l, a, e, 0);
    return s;
  }
  e->address = *a;
  e->kind = sqlite3_column_int(st, 0);
  ldg_col_addr(st, 1, &e->owner);
  e->global_index = sqlite3_column_int64(st, 2);
  e->owner_index = sqlite3_column_int64(st, 3);
  ldg_col_h32(st, 7, e->checksum);
  e->worker_stake_ratio = sqlite3_column_int64(st, 9);
  e->scheduler_reward_ratio = sqlite3_column_int64(st, 10);
  if (ldg_col_text(st, 4, &e->name) != DECC_OK ||
      ldg_col_text(st, 5, &e->app_type) != DECC_OK ||
      ldg_col_blob(st, 6, &e->multiaddr, &e->multiaddr_len) != DECC_OK ||
      ldg_col_blob(st, 8, &e->mrenclave, &e->mrenclave_len) != DECC_OK) {
    sqlite3_reset(st);
    ldg_entry_clear(e);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  sqlite3_reset(st);
  ldg_bc_entry_put(l, a, e, 1);
  return DECC_OK;
}

decc_status ldg_entry_head(decc_ledger *l, const decc_address *a, ldg_entry *e,
                           int *found, decc_err *err) {
  memset(e, 0, sizeof *e);
  if (ldg_bc_entry_get(l, a, e, found, 0) > 0)
    return DECC_OK;
  /* a miss: the whole entry is read (and cached), its strings dropped */
  ldg_entry full;
  decc_status s = ldg_entry_get(l, a, &full, found, err);
  if (s == DECC_OK && *found)
    ldg_entry_fixed(e, &full);
  ldg_entry_clear(&full);
  return s;
}

decc_status ldg_nft_balance(decc_ledger *l, int kind, const decc_address *owner,
                            uint64_t *out, decc_err *err) {
  sqlite3_stmt *st;
  int found;
  decc_status s = ldg_query(
      l, &st, &found, "SELECT count(*) FROM entries WHERE kind=?1 AND owner=?2",
      err, "ia", (int64_t)kind, owner);
  if (s != DECC_OK)
    return s;
  *out = found ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return DECC_OK;
}

decc_status ldg_nft_total(decc_ledger *l, int kind, uint64_t *out,
                          decc_err *err) {
  sqlite3_stmt *st;
  int found;
  decc_status s =
      ldg_query(l, &st, &found, "SELECT count(*) FROM entries WHERE kind=?1",
                err, "i", (int64_t)kind);
  if (s != DECC_OK)
    return s;
  *out = found ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return DECC_OK;
}

decc_status ldg_entry_insert(decc_ledger *l, ldg_entry *e, decc_err *err) {
  uint64_t total, bal;
  decc_status s;
  if ((s = ldg_nft_total(l, e->kind, &total, err)) != DECC_OK ||
      (s = ldg_nft_balance(l, e->kind, &e->owner, &bal, err)) != DECC_OK)
    return s;
  e->global_index = (int64_t)total;
  e->owner_index = (int64_t)bal;
  return ldg_exec(
      l,
      "INSERT INTO entries(address, kind, owner, global_index, owner_index, "
      "name, app_type, multiaddr, checksum, mrenclave, worker_stake_ratio, "
      "scheduler_reward_ratio) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
      err, "aiaiittbhbii", &e->address, (int64_t)e->kind, &e->owner,
      e->global_index, e->owner_index, e->name ? e->name : "", e->app_type,
      e->multiaddr, e->multiaddr_len, e->checksum, e->mrenclave,
      e->mrenclave_len, e->worker_stake_ratio, e->scheduler_reward_ratio);
}

decc_status ldg_nft_owned_at(decc_ledger *l, int kind,
                             const decc_address *owner, uint64_t idx,
                             decc_address *out, int *found, decc_err *err) {
  sqlite3_stmt *st;
  decc_status s = ldg_query(l, &st, found,
                            "SELECT address FROM entries WHERE kind=?1 AND "
                            "owner=?2 AND owner_index=?3",
                            err, "iai", (int64_t)kind, owner, (int64_t)idx);
  if (s != DECC_OK)
    return s;
  if (*found)
    ldg_col_addr(st, 0, out);
  sqlite3_reset(st);
  return DECC_OK;
}

decc_status ldg_nft_by_index(decc_ledger *l, int kind, uint64_t idx,
                             decc_address *out, int *found, decc_err *err) {
  sqlite3_stmt *st;
  decc_status s =
      ldg_query(l, &st, found,
                "SELECT address FROM entries WHERE kind=?1 AND global_index=?2",
                err, "ii", (int64_t)kind, (int64_t)idx);
  if (s != DECC_OK)
    return s;
  if (*found)
    ldg_col_addr(st, 0, out);
  sqlite3_reset(st);
  return DECC_OK;
}

decc_status ldg_entry_transfer(decc_ledger *l, const decc_address *entry,
                               const decc_address *to, decc_err *err) {
  ldg_entry e;
  int found;
  decc_status s = ldg_entry_get(l, entry, &e, &found, err);
  if (s != DECC_OK)
    return s;
  if (!found)
    return decc_err_set(err, DECC_E_INTERNAL, "ledger: transfer of no entry");
  uint64_t bal_from, bal_to;
  if ((s = ldg_nft_balance(l, e.kind, &e.owner, &bal_from, err)) != DECC_OK ||
      (s = ldg_nft_balance(l, e.kind, to, &bal_to, err)) != DECC_OK)
    goto out;
  /* OpenZeppelin EnumerableSet.remove: the last element takes the removed
   * one's slot. The moved token is parked at -1 first because of the
   * unique (kind, owner, owner_index) index. */
  if ((s = ldg_exec(l, "UPDATE entries SET owner_index=-1 WHERE address=?1",
                    err, "a", entry)) != DECC_OK)
    goto out;
  if ((uint64_t)e.owner_index != bal_from - 1) {
    if ((s = ldg_exec(l,
                      "UPDATE entries SET owner_index=?1 WHERE kind=?2 AND "
                      "owner=?3 AND owner_index=?4",
                      err, "iiai", e.owner_index, (int64_t)e.kind, &e.owner,
                      (int64_t)(bal_from - 1))) != DECC_OK)
      goto out;
  }
  s = ldg_exec(l,
               "UPDATE entries SET owner=?1, owner_index=?2 WHERE address=?3",
               err, "aia", to, (int64_t)bal_to, entry);
out:
  ldg_entry_clear(&e);
  return s;
}

decc_status ldg_entry_set_policy(decc_ledger *l, const decc_address *entry,
                                 int64_t worker_stake_ratio,
                                 int64_t scheduler_reward_ratio,
                                 decc_err *err) {
  return ldg_exec(l,
                  "UPDATE entries SET worker_stake_ratio=?1, "
                  "scheduler_reward_ratio=?2 WHERE address=?3",
                  err, "iia", worker_stake_ratio, scheduler_reward_ratio,
                  entry);
}

decc_status ldg_nft_approved(decc_ledger *l, const decc_address *token,
                             decc_address *out, decc_err *err) {
  sqlite3_stmt *st;
  int found;
  decc_status s = ldg_query(l, &st, &found,
                            "SELECT approved FROM nft_approvals WHERE token=?1",
                            err, "a", token);
  if (s != DECC_OK)
    return s;
  memset(out, 0, sizeof *out);
  if (found)
    ldg_col_addr(st, 0, out);
  sqlite3_reset(st);
  return DECC_OK;
}

decc_status ldg_nft_set_approved(decc_ledger *l, const decc_address *token,
                                 const decc_address *to, decc_err *err) {
  if (decc_address_is_zero(to))
    return ldg_exec(l, "DELETE FROM nft_approvals WHERE token=?1", err, "a",
                    token);
  return ldg_exec(l, "INSERT OR REPLACE INTO nft_approvals VALUES(?1, ?2)", err,
                  "aa", token, to);
}

decc_status ldg_nft_operator(decc_ledger *l, int kind,
                             const decc_address *owner, const decc_address *op,
                             int *out, decc_err *err) {
  sqlite3_stmt *st;
  decc_status s = ldg_query(l, &st, out,
                            "SELECT 1 FROM nft_operators WHERE kind=?1 AND "
                            "owner=?2 AND operator=?3",
                            err, "iaa", (int64_t)kind, owner, op);
  if (st)
    sqlite3_reset(st);
  return s;
}

decc_status ldg_nft_set_operator(decc_ledger *l, int kind,
                                 const decc_address *owner,
                                 const decc_address *op, int approved,
                                 decc_err *err) {
  if (!approved)
    return ldg_exec(l,
                    "DELETE FROM nft_operators WHERE kind=?1 AND owner=?2 AND "
                    "operator=?3",
                    err, "iaa", (int64_t)kind, owner, op);
  return ldg_exec(l, "INSERT OR REPLACE INTO nft_operators VALUES(?1, ?2, ?3)",
                  err, "iaa", (int64_t)kind, owner, op);
}

/* ---- categories, orders, scores ------------------------------------------ */

decc_status ldg_category_count(decc_ledger *l, uint64_t *out, decc_err *err) {
  sqlite3_stmt *st;
  int found;
  if (ldg_bc_cat_count_get(l, out))
    return DECC_OK;
  decc_status s =
      ldg_query(l, &st, &found, "SELECT count(*) FROM categories", err, "");
  if (s != DECC_OK)
    return s;
  *out = found ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  ldg_bc_cat_count_put(l, *out);
  return DECC_OK;
}

decc_status ldg_category_get(decc_ledger *l, uint64_t idx, int *found,
                             char **name, char **description,
                             uint64_t *time_ref, decc_err *err) {
  sqlite3_stmt *st;
  if (idx > (uint64_t)INT64_MAX) {
    *found = 0;
    return DECC_OK;
  }
  /* PoCo asks only for the time reference (the cached part) */
  int want_text = name || description;
  uint64_t tr = 0;
  if (!want_text && ldg_bc_cat_get(l, idx, found, &tr)) {
    if (time_ref)
      *time_ref = tr;
    return DECC_OK;
  }
  decc_status s = ldg_query(
      l, &st, found,
      "SELECT name, description, time_ref FROM categories WHERE idx=?1", err,
      "i", (int64_t)idx);
  if (s != DECC_OK || !*found) {
    if (st)
      sqlite3_reset(st);
    if (s == DECC_OK && !want_text)
      ldg_bc_cat_put(l, idx, 0, 0);
    return s;
  }
  tr = (uint64_t)sqlite3_column_int64(st, 2);
  if (time_ref)
    *time_ref = tr;
  if (!want_text)
    ldg_bc_cat_put(l, idx, 1, tr);
  if (name && ldg_col_text(st, 0, name) != DECC_OK)
    s = DECC_E_NOMEM;
  if (s == DECC_OK && description &&
      ldg_col_text(st, 1, description) != DECC_OK) {
    s = DECC_E_NOMEM;
    if (name)
      DECC_FREE(*name);
  }
  sqlite3_reset(st);
  return s == DECC_OK ? s : decc_err_set(err, s, "out of memory");
}

decc_status ldg_category_add(decc_ledger *l, const char *name,
                             const char *description, uint64_t time_ref,
                             uint64_t *idx, decc_err *err) {
  uint64_t n;
  decc_status s = ldg_category_count(l, &n, err);
  if (s != DECC_OK)
    return s;
  if (time_ref > (uint64_t)INT64_MAX)
    return decc_err_set(err, DECC_E_RANGE, "category time out of range");
  if (idx)
    *idx = n;
  return ldg_exec(l, "INSERT INTO categories VALUES(?1, ?2, ?3, ?4)", err,
                  "itti", (int64_t)n, name, description, (int64_t)time_ref);
}

decc_status ldg_order_get(decc_ledger *l, const uint8_t hash[32],
                          decc_u256 *consumed, decc_address *presigned,
                          decc_err *err) {
  const uint8_t *vc = NULL, *vp = NULL;
  size_t n;
  int hc = l->in_block && ldg_ov_get(l, LDG_OV_CONSUMED, hash, 32, &vc, &n);
  int hp = l->in_block && ldg_ov_get(l, LDG_OV_PRESIGNED, hash, 32, &vp, &n);
  decc_u256 c = decc_u256_from_u64(0);
  decc_address p;
  memset(&p, 0, sizeof p);
  if (hc)
    decc_u256_from_be(&c, vc);
  if (hp)
    memcpy(p.b, vp, 20);
  if (!hc || !hp) {
    sqlite3_stmt *st;
    int found;
    decc_status s = ldg_query(
        l, &st, &found, "SELECT consumed, presigned FROM orders WHERE hash=?1",
        err, "h", hash);
    if (s != DECC_OK)
      return s;
    if (found && !hc)
      ldg_col_u256(st, 0, &c);
    if (found && !hp)
      ldg_col_addr(st, 1, &p);
    sqlite3_reset(st);
    if (l->in_block && !hc) {
      uint8_t be[32];
      decc_u256_to_be(be, &c);
      ldg_ov_fill(l, LDG_OV_CONSUMED, hash, 32, be, 32);
    }
    if (l->in_block && !hp)
      ldg_ov_fill(l, LDG_OV_PRESIGNED, hash, 32, p.b, 20);
  }
  if (consumed)
    *consumed = c;
  if (presigned)
    *presigned = p;
  return DECC_OK;
}

decc_status ldg_order_set_consumed(decc_ledger *l, const uint8_t hash[32],
                                   const decc_u256 *v, decc_err *err) {
  if (l->in_block) {
    uint8_t be[32];
    decc_u256_to_be(be, v);
    return ldg_ov_put(l, LDG_OV_CONSUMED, hash, 32, be, 32, err);
  }
  return ldg_exec(l,
                  "INSERT INTO orders(hash, consumed) VALUES(?1, ?2) "
                  "ON CONFLICT(hash) DO UPDATE SET consumed=excluded.consumed",
                  err, "hu", hash, v);
}

decc_status ldg_order_set_presigned(decc_ledger *l, const uint8_t hash[32],
                                    const decc_address *signer, decc_err *err) {
  if (l->in_block)
    return ldg_ov_put(l, LDG_OV_PRESIGNED, hash, 32, signer->b, 20, err);
  return ldg_exec(
      l,
      "INSERT INTO orders(hash, presigned) VALUES(?1, ?2) "
      "ON CONFLICT(hash) DO UPDATE SET presigned=excluded.presigned",
      err, "ha", hash, signer);
}

decc_status ldg_score_get(decc_ledger *l, const decc_address *w, decc_u256 *out,
                          decc_err *err) {
  return get_u256_ov(l, LDG_OV_SCORE,
                     "SELECT score FROM scores WHERE worker=?1", w, out, err);
}

decc_status ldg_score_set(decc_ledger *l, const decc_address *w,
                          const decc_u256 *v, decc_err *err) {
  if (l->in_block)
    return put_u256_ov(l, LDG_OV_SCORE, w, v, err);
  return ldg_exec(l, "INSERT OR REPLACE INTO scores VALUES(?1, ?2)", err, "au",
                  w, v);
}

/* ---- deal and task records ---------------------------------------------- */

/* The record of a deal or task: sql reads its record column; off is where
 * the record starts in the overlay's value. */
static decc_status record_get(decc_ledger *l, int kind, const char *sql,
                              size_t off, const uint8_t id[32], decc_buf *out,
                              int *found, decc_err *err) {
  const uint8_t *v;
  size_t n;
  decc_status s;
  if (l->in_block && ldg_ov_get(l, kind, id, 32, &v, &n)) {
    *found = v != NULL;
    if (v && (s = decc_buf_append(out, v + off, n - off)) != DECC_OK)
      return decc_err_set(err, s, "out of memory");
    return DECC_OK;
  }
  sqlite3_stmt *st;
  if ((s = ldg_query(l, &st, found, sql, err, "h", id)) != DECC_OK)
    return s;
  size_t before = out->len;
  if (*found) {
    const void *p = sqlite3_column_blob(st, 0);
    int len = sqlite3_column_bytes(st, 0);
    if (p && len > 0 && (s = decc_buf_append(out, p, (size_t)len)) != DECC_OK) {
      sqlite3_reset(st);
      return decc_err_set(err, s, "out of memory");
    }
  }
  sqlite3_reset(st);
  if (l->in_block && !*found)
    ldg_ov_fill(l, kind, id, 32, NULL, 0);
  else if (l->in_block) {
    /* cache the row: a zero prefix stands in for the columns a reader
     * never uses (a clean row is never written back) */
    uint8_t *row = decc_calloc(1, off + (out->len - before));
    if (row) {
      memcpy(row + off, out->data + before, out->len - before);
      ldg_ov_fill(l, kind, id, 32, row, off + (out->len - before));
      decc_free(row);
    }
  }
  return DECC_OK;
}

decc_status ldg_deal_record(decc_ledger *l, const uint8_t id[32], decc_buf *out,
                            int *found, decc_err *err) {
  return record_get(l, LDG_OV_DEAL,
                    "SELECT record FROM deals WHERE " LDG_ID_MATCH,
                    LDG_OV_DEAL_RECORD, id, out, found, err);
}

decc_status ldg_task_record(decc_ledger *l, const uint8_t id[32], decc_buf *out,
                            int *found, decc_err *err) {
  return record_get(l, LDG_OV_TASK,
                    "SELECT record FROM tasks WHERE " LDG_ID_MATCH,
                    LDG_OV_TASK_RECORD, id, out, found, err);
}

decc_status ldg_deal_put(decc_ledger *l, const uint8_t id[32],
                         const uint8_t *rec, size_t len,
                         const decc_address *app, const decc_address *dataset,
                         const decc_address *workerpool,
                         const decc_address *requester, uint64_t block,
                         decc_err *err) {
  if (len > DECC_LEDGER_MAX_CALLDATA * 4)
    return decc_err_set(err, DECC_E_LIMIT, "ledger: deal record too large");
  uint8_t *row = decc_malloc(LDG_OV_DEAL_RECORD + len);
  if (!row)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  memcpy(row, app->b, 20);
  memcpy(row + 20, dataset->b, 20);
  memcpy(row + 40, workerpool->b, 20);
  memcpy(row + 60, requester->b, 20);
  ldg_be64(row + 80, block);
  if (len)
    memcpy(row + LDG_OV_DEAL_RECORD, rec, len);
  decc_status s = l->in_block
                      ? ldg_ov_put(l, LDG_OV_DEAL, id, 32, row,
                                   LDG_OV_DEAL_RECORD + len, err)
                      : ldg_record_write(l, LDG_OV_DEAL, id, row,
                                         LDG_OV_DEAL_RECORD + len, -1, err);
  decc_free(row);
  return s;
}

decc_status ldg_task_put(decc_ledger *l, const uint8_t id[32],
                         const uint8_t deal[32], int64_t status,
                         const uint8_t *rec, size_t len, decc_err *err) {
  if (len > DECC_LEDGER_MAX_CALLDATA * 4)
    return decc_err_set(err, DECC_E_LIMIT, "ledger: task record too large");
  uint8_t *row = decc_malloc(LDG_OV_TASK_RECORD + len);
  if (!row)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  memcpy(row, deal, 32);
  ldg_be64(row + 32, (uint64_t)status);
  if (len)
    memcpy(row + LDG_OV_TASK_RECORD, rec, len);
  decc_status s = l->in_block
                      ? ldg_ov_put(l, LDG_OV_TASK, id, 32, row,
                                   LDG_OV_TASK_RECORD + len, err)
                      : ldg_record_write(l, LDG_OV_TASK, id, row,
                                         LDG_OV_TASK_RECORD + len, -1, err);
  decc_free(row);
  return s;
}
