/*
 * reccache.c — decoded deal and task records, kept beside their stored
 * bytes so that a record read again is not ABI-decoded again.
 *
 * Why: a task life cycle stores a deal (matchOrders) and reads it back
 * twice (initialize, contributeAndFinalize), and stores a task
 * (initialize) that contributeAndFinalize reads back; decoding a record
 * through the generic ABI decoder cost ~10 k instructions per deal and
 * ~12 k per task (callgrind, bench_ledger). The writer already holds the
 * decoded form, so it leaves a copy here.
 *
 * Correctness does not depend on when the cache is dropped: an entry is
 * used only when the record bytes just read (from the block's overlay or
 * from SQLite) are byte-identical to the bytes the entry was made from,
 * and those bytes are the ABI encoding of the cached struct, whose
 * decoding is that struct (every field is stored; c_poco.c's loaders
 * read each one back). So a reverted call, an aborted block or another
 * process writing the file only make an entry miss, never serve stale
 * data, and state, receipts and hashes are the same as without it.
 *
 * Bounded: two direct-mapped tables of RC_SLOTS entries per ledger handle
 * (the slot is chosen by the id's first bytes; ids are keccak hashes), a
 * newer record replaces the older in its slot, and a record larger than
 * RC_REC_MAX is not cached. Freed with the handle (decc_ledger_close).
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

#define RC_SLOTS 256
/* A deal record is ~0.7 KiB plus its params; a task ~0.8 KiB plus a
 * contribution of 192 bytes per worker and its results. */
#define RC_REC_MAX (64 * 1024)

typedef struct rc_slot {
  int used;
  uint8_t id[32];
  uint8_t *rec;
  size_t len;
  decc_poco_deal deal; /* deal table */
  decc_poco_task task; /* task table */
} rc_slot;

struct ldg_reccache {
  rc_slot deals[RC_SLOTS], tasks[RC_SLOTS];
};

static rc_slot *slot_of(decc_ledger *l, int task, const uint8_t id[32],
                        int create) {
  if (!l->rc) {
    if (!create || !(l->rc = decc_calloc(1, sizeof *l->rc)))
      return NULL;
  }
  size_t i = ((size_t)id[0] << 8 | id[1]) % RC_SLOTS;
  return task ? &l->rc->tasks[i] : &l->rc->deals[i];
}

static void slot_clear(rc_slot *s) {
  decc_free(s->rec);
  decc_poco_deal_clear(&s->deal);
  decc_poco_task_clear(&s->task);
  memset(s, 0, sizeof *s);
}

/* The slot holding exactly (id, rec), or NULL. */
static rc_slot *find(decc_ledger *l, int task, const uint8_t id[32],
                     const uint8_t *rec, size_t len) {
  rc_slot *s = slot_of(l, task, id, 0);
  if (!s || !s->used || s->len != len || memcmp(s->id, id, 32) ||
      memcmp(s->rec, rec, len))
    return NULL;
  return s;
}

/* Empties id's slot and fills it with a copy of rec; NULL when the record
 * is not to be cached (too large, out of memory: the cache is only an
 * optimisation, so that is not an error). */
static rc_slot *claim(decc_ledger *l, int task, const uint8_t id[32],
                      const uint8_t *rec, size_t len) {
  if (len == 0 || len > RC_REC_MAX)
    return NULL;
  rc_slot *s = slot_of(l, task, id, 1);
  if (!s)
    return NULL;
  slot_clear(s);
  if (!(s->rec = decc_malloc(len)))
    return NULL;
  memcpy(s->rec, rec, len);
  s->len = len;
  memcpy(s->id, id, 32);
  return s;
}

int ldg_rc_deal_get(decc_ledger *l, const uint8_t id[32], const uint8_t *rec,
                    size_t len, decc_poco_deal *out) {
  rc_slot *s = find(l, 0, id, rec, len);
  return s && decc_poco_deal_copy(out, &s->deal) == DECC_OK;
}

void ldg_rc_deal_put(decc_ledger *l, const uint8_t id[32], const uint8_t *rec,
                     size_t len, const decc_poco_deal *d) {
  rc_slot *s = claim(l, 0, id, rec, len);
  if (!s)
    return;
  if (decc_poco_deal_copy(&s->deal, d) != DECC_OK) {
    slot_clear(s);
    return;
  }
  s->used = 1;
}

int ldg_rc_task_get(decc_ledger *l, const uint8_t id[32], const uint8_t *rec,
                    size_t len, decc_poco_task *out) {
  rc_slot *s = find(l, 1, id, rec, len);
  return s && decc_poco_task_copy(out, &s->task) == DECC_OK;
}

void ldg_rc_task_put(decc_ledger *l, const uint8_t id[32], const uint8_t *rec,
                     size_t len, const decc_poco_task *t) {
  rc_slot *s = claim(l, 1, id, rec, len);
  if (!s)
    return;
  if (decc_poco_task_copy(&s->task, t) != DECC_OK) {
    slot_clear(s);
    return;
  }
  s->used = 1;
}

void ldg_rc_free(decc_ledger *l) {
  if (!l->rc)
    return;
  for (size_t i = 0; i < RC_SLOTS; i++) {
    slot_clear(&l->rc->deals[i]);
    slot_clear(&l->rc->tasks[i]);
  }
  decc_free(l->rc);
  l->rc = NULL;
}
