/*
 * blkcache.c — rows that calls read over and over within a block and
 * almost never write: registry entries (the whole row, and the kind that
 * ldg_target_of asks for) and categories (their count and time
 * reference).
 *
 * Why: a task life cycle read the app's and the workerpool's entry rows
 * nine times and the category table twice — eleven of its ~36 SQLite
 * statements while executing, each a statement reset, bind, B-tree
 * search and column copy, to read the same few rows in every cycle of a
 * block.
 *
 * Why it cannot serve a stale row: it is used only while a block is open,
 * when this connection holds the write lock (BEGIN IMMEDIATE), so no
 * other connection or process can change these tables; it is emptied
 * when a block begins and ends, after every direct SQL write a call makes
 * (ldg_exec while a call runs counts them in l->call_writes: entries,
 * categories, allowances, kv are written that way, never through the
 * overlay) and when a call's writes are rolled back (a value read after the call's own write could be one
 * the rollback undid). A miss reads SQLite as before, so state, receipts
 * and hashes are the same with or without it (test_ledger_blkcache).
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

enum { BC_ENTRIES = 16, BC_KINDS = 32, BC_CATS = 8 };

typedef struct bc_entry {
  int used, found;
  decc_address a;
  ldg_entry e; /* owned copy; empty when !found */
} bc_entry;

typedef struct bc_kind {
  int used;
  decc_address a;
  int kind; /* LDG_APP / LDG_DATASET / LDG_WORKERPOOL, or -1: no entry */
} bc_kind;

typedef struct bc_cat {
  int used, found;
  uint64_t idx, time_ref;
} bc_cat;

struct ldg_blkcache {
  uint64_t seen_writes; /* l->call_writes when last emptied */
  bc_entry ent[BC_ENTRIES];
  bc_kind kind[BC_KINDS];
  bc_cat cat[BC_CATS];
  int have_count;
  uint64_t count;
};

/* the slot of an address: its last byte (addresses are hash output) */
static size_t slot_of(const decc_address *a, size_t n) {
  return a->b[19] & (n - 1);
}

/* The owned parts of a cached entry (what ldg_entry_clear frees; not
 * called from here, so this file and state.c do not call each other). */
static void ent_free(ldg_entry *e) {
  decc_free(e->name);
  decc_free(e->app_type);
  decc_free(e->multiaddr);
  decc_free(e->mrenclave);
  memset(e, 0, sizeof *e);
}

void ldg_bc_clear(decc_ledger *l) {
  struct ldg_blkcache *c = l->bc;
  if (!c)
    return;
  for (size_t i = 0; i < BC_ENTRIES; i++)
    ent_free(&c->ent[i].e);
  memset(c, 0, sizeof *c);
  c->seen_writes = l->call_writes;
}

static struct ldg_blkcache *bc_get(decc_ledger *l) {
  if (!l->in_block || l->bc_off)
    return NULL;
  if (!l->bc && !(l->bc = decc_calloc(1, sizeof *l->bc)))
    return NULL; /* work uncached */
  /* a call wrote a row directly since: anything here may be stale */
  if (l->bc->seen_writes != l->call_writes)
    ldg_bc_clear(l);
  return l->bc;
}

void ldg_bc_free(decc_ledger *l) {
  ldg_bc_clear(l);
  decc_free(l->bc);
  l->bc = NULL;
}

static int dup_bytes(uint8_t **out, const uint8_t *p, size_t n) {
  *out = NULL;
  if (!p)
    return 1;
  if (!(*out = decc_malloc(n ? n : 1)))
    return 0;
  if (n)
    memcpy(*out, p, n);
  return 1;
}

static int dup_text(char **out, const char *s) {
  return dup_bytes((uint8_t **)out, (const uint8_t *)s, s ? strlen(s) + 1 : 0);
}

/* A deep copy of an entry; 0 when out of memory (dst then cleared). */
static int entry_copy(ldg_entry *dst, const ldg_entry *src) {
  *dst = *src;
  dst->name = NULL;
  dst->app_type = NULL;
  dst->multiaddr = NULL;
  dst->mrenclave = NULL;
  if (!dup_text(&dst->name, src->name) ||
      !dup_text(&dst->app_type, src->app_type) ||
      !dup_bytes(&dst->multiaddr, src->multiaddr, src->multiaddr_len) ||
      !dup_bytes(&dst->mrenclave, src->mrenclave, src->mrenclave_len)) {
    ent_free(dst);
    return 0;
  }
  return 1;
}

int ldg_bc_entry_get(decc_ledger *l, const decc_address *a, ldg_entry *out,
                     int *found, int strings) {
  struct ldg_blkcache *c = bc_get(l);
  if (!c)
    return 0;
  bc_entry *s = &c->ent[slot_of(a, BC_ENTRIES)];
  if (!s->used || !decc_address_eq(&s->a, a))
    return 0;
  *found = s->found;
  if (!s->found) {
    memset(out, 0, sizeof *out);
    return 1;
  }
  if (!strings) { /* no copies to make and free */
    ldg_entry_fixed(out, &s->e);
    return 1;
  }
  return entry_copy(out, &s->e) ? 1 : -1;
}

void ldg_bc_entry_put(decc_ledger *l, const decc_address *a, const ldg_entry *e,
                      int found) {
  struct ldg_blkcache *c = bc_get(l);
  if (!c)
    return;
  bc_entry *s = &c->ent[slot_of(a, BC_ENTRIES)];
  ent_free(&s->e);
  s->used = 0;
  if (found && !entry_copy(&s->e, e))
    return; /* out of memory: simply not cached */
  s->used = 1;
  s->found = found;
  s->a = *a;
}

int ldg_bc_kind_get(decc_ledger *l, const decc_address *a, int *kind) {
  struct ldg_blkcache *c = bc_get(l);
  if (!c)
    return 0;
  bc_kind *s = &c->kind[slot_of(a, BC_KINDS)];
  if (!s->used || !decc_address_eq(&s->a, a))
    return 0;
  *kind = s->kind;
  return 1;
}

void ldg_bc_kind_put(decc_ledger *l, const decc_address *a, int kind) {
  struct ldg_blkcache *c = bc_get(l);
  if (!c)
    return;
  bc_kind *s = &c->kind[slot_of(a, BC_KINDS)];
  s->used = 1;
  s->a = *a;
  s->kind = kind;
}

int ldg_bc_cat_count_get(decc_ledger *l, uint64_t *n) {
  struct ldg_blkcache *c = bc_get(l);
  if (!c || !c->have_count)
    return 0;
  *n = c->count;
  return 1;
}

void ldg_bc_cat_count_put(decc_ledger *l, uint64_t n) {
  struct ldg_blkcache *c = bc_get(l);
  if (!c)
    return;
  c->have_count = 1;
  c->count = n;
}

int ldg_bc_cat_get(decc_ledger *l, uint64_t idx, int *found,
                   uint64_t *time_ref) {
  struct ldg_blkcache *c = bc_get(l);
  if (!c)
    return 0;
  bc_cat *s = &c->cat[idx & (BC_CATS - 1)];
  if (!s->used || s->idx != idx)
    return 0;
  *found = s->found;
  *time_ref = s->time_ref;
  return 1;
}

void ldg_bc_cat_put(decc_ledger *l, uint64_t idx, int found,
                    uint64_t time_ref) {
  struct ldg_blkcache *c = bc_get(l);
  if (!c)
    return;
  bc_cat *s = &c->cat[idx & (BC_CATS - 1)];
  s->used = 1;
  s->idx = idx;
  s->found = found;
  s->time_ref = found ? time_ref : 0;
}
