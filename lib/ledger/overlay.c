/*
 * overlay.c — the per-block write-back overlay of the ledger's hot state
 * rows (account nonces, RLC balances, escrow accounts, order consumption
 * and presignatures, worker scores, deal and task records; layouts in
 * ledger_int.h).
 *
 * Why: executing a transaction read and upserted these rows one SQLite
 * statement at a time, and each call ran inside a SQLite savepoint whose
 * statement journal copied every page the call touched. With the rows in
 * memory for the length of a block, repeated reads cost a hash lookup,
 * repeated writes of one row in a block reach SQLite once, and a revert is
 * undone here from an undo log, so a call that only touches overlaid rows
 * opens no savepoint at all (sql.c opens one lazily at a call's first
 * direct SQL write). The dirty rows are written inside the block's own
 * SQLite transaction just before COMMIT (ldg_ov_flush), so a block is
 * still all or nothing on disk; an aborted block drops the overlay.
 *
 * Entries are kept in an array in first-use order (the flush order, so it
 * is deterministic) and found through an open-addressing index of entry
 * numbers. An entry is NONE (not cached: a key first written by a call
 * that reverted), CLEAN (a copy of the SQLite row) or DIRTY (to flush).
 *
 * Values of up to OV_SMALL bytes (nonces, balances, escrow accounts,
 * order consumption: most of a block's writes) are carved from chunks the
 * overlay keeps from block to block, and are only given back when the
 * block ends: a life cycle wrote about a dozen of them, each a malloc and
 * a free. Larger values (deal and task records) are heap copies, freed
 * when replaced.
 *
 * Deal and task rows are written by ldg_record_write (also for writes
 * outside a block): their tables have no unique index on the id on new
 * files (ledger_int.h), so a row is inserted or updated according to what
 * the block's read of it found, which the entry remembers.
 */
#include <string.h>

#include "decc/mem.h"
#include "ledger/ledger_int.h"

enum { OV_NONE = 0, OV_CLEAN = 1, OV_DIRTY = 2 };

/* Longest key (an order hash, a deal or task id). */
#define OV_KEY_MAX 32
/* Values this long or shorter live in the chunks; longer ones on the
 * heap (the length a value is stored with says which). */
#define OV_SMALL 128
/* A chunk's size, and how many chunks an emptied overlay keeps. */
#define OV_CHUNK (16 * 1024)
#define OV_KEEP_CHUNKS 8
/* An index or entry array larger than this is freed when the overlay is
 * emptied instead of being cleared and kept (a rare huge block). */
#define OV_KEEP_ENTS 16384

/* What the block's SQLite transaction held for an entry's key before the
 * block wrote it: learned when a read filled the entry (deals and tasks
 * are written with INSERT or UPDATE accordingly, ldg_record_write). */
enum { OV_ROW_UNKNOWN = 0, OV_ROW_ABSENT = 1, OV_ROW_PRESENT = 2 };

typedef struct ov_ent {
  uint8_t kind, klen, state;
  uint8_t row; /* OV_ROW_*: the SQLite row before the block */
  uint8_t key[OV_KEY_MAX];
  uint8_t *val; /* NULL: the row is missing (deals, tasks) */
  size_t vlen;
} ov_ent;

/* The previous state of an entry a transaction wrote. */
typedef struct ov_undo {
  size_t idx;
  uint8_t state;
  uint8_t *val;
  size_t vlen;
} ov_undo;

/* A chunk of small values; `used` bytes of data are taken. */
typedef struct ov_chunk {
  struct ov_chunk *next;
  size_t used;
  uint8_t data[OV_CHUNK];
} ov_chunk;

struct ldg_overlay {
  ov_ent *ents;
  size_t n, cap;
  uint32_t *index; /* entry number + 1; 0 = free slot */
  size_t icap;     /* a power of two, at least twice n */
  ov_undo *undo;
  size_t nundo, capundo;
  ov_chunk *chunks; /* the one values are taken from first */
  ov_chunk *spare;  /* emptied chunks, used before new ones */
};

static uint64_t key_hash(int kind, const uint8_t *key, size_t klen) {
  uint64_t h = 0x9E3779B97F4A7C15ull * ((uint64_t)(unsigned)kind + 1);
  for (size_t i = 0; i < klen; i++) {
    h ^= key[i];
    h *= 0x100000001B3ull;
  }
  return h ^ (h >> 29);
}

/* The slot of key in the index: its entry's, or the free slot where it
 * would go. */
static size_t slot_find(const struct ldg_overlay *o, int kind,
                        const uint8_t *key, size_t klen) {
  size_t mask = o->icap - 1, i = (size_t)key_hash(kind, key, klen) & mask;
  for (;; i = (i + 1) & mask) {
    uint32_t e = o->index[i];
    if (!e)
      return i;
    const ov_ent *x = &o->ents[e - 1];
    if (x->kind == kind && x->klen == klen && !memcmp(x->key, key, klen))
      return i;
  }
}

static int grow_index(struct ldg_overlay *o) {
  size_t ncap = o->icap ? o->icap * 2 : 256;
  uint32_t *ni = decc_calloc(ncap, sizeof *ni);
  if (!ni)
    return 0;
  decc_free(o->index);
  o->index = ni;
  o->icap = ncap;
  for (size_t k = 0; k < o->n; k++) {
    const ov_ent *x = &o->ents[k];
    o->index[slot_find(o, x->kind, x->key, x->klen)] = (uint32_t)(k + 1);
  }
  return 1;
}

/* The entry of key, created (state NONE) when absent; NULL when out of
 * memory or the key is too long. */
static ov_ent *ent_get(decc_ledger *l, int kind, const uint8_t *key,
                       size_t klen, size_t *idx) {
  if (klen > OV_KEY_MAX || kind < 0 || kind >= LDG_OV_KINDS)
    return NULL;
  struct ldg_overlay *o = l->ov;
  if (!o && !(o = l->ov = decc_calloc(1, sizeof *o)))
    return NULL;
  if ((o->n + 1) * 2 > o->icap && !grow_index(o))
    return NULL;
  size_t s = slot_find(o, kind, key, klen);
  if (o->index[s]) {
    *idx = o->index[s] - 1;
    return &o->ents[*idx];
  }
  if (o->n == o->cap) {
    size_t ncap = o->cap ? o->cap * 2 : 128;
    ov_ent *ne = decc_realloc(o->ents, ncap * sizeof *ne);
    if (!ne)
      return NULL;
    o->ents = ne;
    o->cap = ncap;
  }
  ov_ent *x = &o->ents[o->n];
  memset(x, 0, sizeof *x);
  x->kind = (uint8_t)kind;
  x->klen = (uint8_t)klen;
  memcpy(x->key, key, klen);
  *idx = o->n;
  o->index[s] = (uint32_t)(++o->n);
  return x;
}

/* The existing entry of key, or NULL (none, or no overlay). */
static ov_ent *ent_find(const decc_ledger *l, int kind, const uint8_t *key,
                        size_t klen) {
  struct ldg_overlay *o = l->ov;
  if (!o || !o->n || klen > OV_KEY_MAX)
    return NULL;
  uint32_t e = o->index[slot_find(o, kind, key, klen)];
  return e ? &o->ents[e - 1] : NULL;
}

int ldg_ov_get(decc_ledger *l, int kind, const uint8_t *key, size_t klen,
               const uint8_t **val, size_t *vlen) {
  const ov_ent *x = ent_find(l, kind, key, klen);
  if (!x || x->state == OV_NONE)
    return 0;
  *val = x->val;
  *vlen = x->vlen;
  return 1;
}

/* A copy of val (NULL for a missing row): in a chunk when vlen is at most
 * OV_SMALL, else on the heap; *ok = 0 when out of memory. */
static uint8_t *dup_val(struct ldg_overlay *o, const void *val, size_t vlen,
                        int *ok) {
  *ok = 1;
  if (!val)
    return NULL;
  uint8_t *p;
  if (vlen <= OV_SMALL) {
    size_t need = (vlen + 7) & ~(size_t)7; /* 8-byte steps */
    ov_chunk *c = o->chunks;
    if (!c || OV_CHUNK - c->used < need) {
      if ((c = o->spare))
        o->spare = c->next;
      else if (!(c = decc_malloc(sizeof *c))) {
        *ok = 0;
        return NULL;
      }
      c->used = 0;
      c->next = o->chunks;
      o->chunks = c;
    }
    p = c->data + c->used;
    c->used += need;
  } else if (!(p = decc_malloc(vlen))) {
    *ok = 0;
    return NULL;
  }
  memcpy(p, val, vlen);
  return p;
}

/* Gives back a value dup_val made (a chunk's space returns when the
 * overlay is emptied). */
static void free_val(uint8_t *p, size_t vlen) {
  if (vlen > OV_SMALL)
    decc_free(p);
}

void ldg_ov_fill(decc_ledger *l, int kind, const uint8_t *key, size_t klen,
                 const void *val, size_t vlen) {
  size_t idx;
  ov_ent *x = ent_get(l, kind, key, klen, &idx);
  if (!x || x->state != OV_NONE)
    return;
  int ok;
  uint8_t *p = dup_val(l->ov, val, vlen, &ok);
  if (!ok)
    return;
  free_val(x->val, x->vlen);
  x->val = p;
  x->vlen = val ? vlen : 0;
  x->state = OV_CLEAN;
  x->row = val ? OV_ROW_PRESENT : OV_ROW_ABSENT;
}

decc_status ldg_ov_put(decc_ledger *l, int kind, const uint8_t *key,
                       size_t klen, const void *val, size_t vlen,
                       decc_err *err) {
  size_t idx;
  ov_ent *x = ent_get(l, kind, key, klen, &idx);
  if (!x)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  struct ldg_overlay *o = l->ov;
  int ok;
  uint8_t *p = dup_val(o, val, vlen, &ok);
  if (!ok)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (l->tx_active) {
    if (o->nundo == o->capundo) {
      size_t ncap = o->capundo ? o->capundo * 2 : 64;
      ov_undo *nu = decc_realloc(o->undo, ncap * sizeof *nu);
      if (!nu) {
        free_val(p, val ? vlen : 0);
        return decc_err_set(err, DECC_E_NOMEM, "out of memory");
      }
      o->undo = nu;
      o->capundo = ncap;
    }
    o->undo[o->nundo++] = (ov_undo){idx, x->state, x->val, x->vlen};
  } else {
    free_val(x->val, x->vlen);
  }
  x->val = p;
  x->vlen = val ? vlen : 0;
  x->state = OV_DIRTY;
  return DECC_OK;
}

void ldg_ov_note_new(decc_ledger *l, int kind, const uint8_t *key,
                     size_t klen) {
  ov_ent *x = ent_find(l, kind, key, klen);
  if (x && x->row == OV_ROW_UNKNOWN)
    x->row = OV_ROW_ABSENT;
}

void ldg_ov_tx_begin(decc_ledger *l) {
  if (l->ov)
    l->ov->nundo = 0;
  l->tx_active = 1;
}

void ldg_ov_tx_end(decc_ledger *l, int revert) {
  struct ldg_overlay *o = l->ov;
  l->tx_active = 0;
  if (!o)
    return;
  /* newest first, so a row written twice ends at its oldest value */
  while (o->nundo) {
    ov_undo *u = &o->undo[--o->nundo];
    if (revert) {
      ov_ent *x = &o->ents[u->idx];
      free_val(x->val, x->vlen);
      x->val = u->val;
      x->vlen = u->vlen;
      x->state = u->state;
    } else {
      free_val(u->val, u->vlen);
    }
  }
}

decc_status ldg_record_write(decc_ledger *l, int kind, const uint8_t id[32],
                             const uint8_t *v, size_t vlen, int exists,
                             decc_err *err) {
  int deal = kind == LDG_OV_DEAL;
  size_t off = deal ? LDG_OV_DEAL_RECORD : LDG_OV_TASK_RECORD;
  if ((kind != LDG_OV_DEAL && kind != LDG_OV_TASK) || !v || vlen < off)
    return decc_err_set(err, DECC_E_INTERNAL, "ledger: bad record row");
  decc_address a[4];
  if (deal)
    for (int i = 0; i < 4; i++)
      memcpy(a[i].b, v + 20 * i, 20);
  int64_t num = (int64_t)ldg_be64_get(v + (deal ? 80 : 32));
  decc_status s = DECC_OK;
  if (exists != 0) {
    s = deal ? ldg_exec(
                   l,
                   "UPDATE deals SET record=?2, app=?3, dataset=?4, "
                   "workerpool=?5, requester=?6, block=?7 WHERE " LDG_ID_MATCH,
                   err, "hbaaaai", id, v + off, vlen - off, &a[0], &a[1], &a[2],
                   &a[3], num)
             : ldg_exec(l,
                        "UPDATE tasks SET deal=?2, status=?3, record=?4 "
                        "WHERE " LDG_ID_MATCH,
                        err, "hhib", id, v, num, v + off, vlen - off);
    /* a row that was not there after all is inserted below */
    if (s != DECC_OK || sqlite3_changes(l->db) > 0)
      return s;
  }
  return deal ? ldg_exec(l,
                         "INSERT INTO deals VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                         err, "hbaaaai", id, v + off, vlen - off, &a[0], &a[1],
                         &a[2], &a[3], num)
              : ldg_exec(l, "INSERT INTO tasks VALUES(?1, ?2, ?3, ?4)", err,
                         "hhib", id, v, num, v + off, vlen - off);
}

static decc_status flush_one(decc_ledger *l, const ov_ent *x, decc_err *err) {
  decc_address a[4];
  const uint8_t *v = x->val;
  if (x->kind <= LDG_OV_ESCROW || x->kind == LDG_OV_SCORE)
    memcpy(a[0].b, x->key, 20);
  switch (x->kind) {
  case LDG_OV_NONCE:
    return ldg_exec(l,
                    "INSERT OR REPLACE INTO accounts(address, nonce) "
                    "VALUES(?1, ?2)",
                    err, "ai", &a[0], (int64_t)ldg_be64_get(v));
  case LDG_OV_RLC:
    return ldg_exec(l, "INSERT OR REPLACE INTO rlc_balances VALUES(?1, ?2)",
                    err, "ab", &a[0], v, (size_t)32);
  case LDG_OV_ESCROW:
    return ldg_exec(l, "INSERT OR REPLACE INTO escrow VALUES(?1, ?2, ?3)", err,
                    "abb", &a[0], v, (size_t)32, v + 32, (size_t)32);
  case LDG_OV_CONSUMED:
    return ldg_exec(l,
                    "INSERT INTO orders(hash, consumed) VALUES(?1, ?2) ON "
                    "CONFLICT(hash) DO UPDATE SET consumed=excluded.consumed",
                    err, "hb", x->key, v, (size_t)32);
  case LDG_OV_PRESIGNED:
    memcpy(a[0].b, v, 20);
    return ldg_exec(l,
                    "INSERT INTO orders(hash, presigned) VALUES(?1, ?2) ON "
                    "CONFLICT(hash) DO UPDATE SET presigned=excluded.presigned",
                    err, "ha", x->key, &a[0]);
  case LDG_OV_SCORE:
    return ldg_exec(l, "INSERT OR REPLACE INTO scores VALUES(?1, ?2)", err,
                    "ab", &a[0], v, (size_t)32);
  case LDG_OV_DEAL:
  case LDG_OV_TASK:
    return ldg_record_write(l, x->kind, x->key, v, x->vlen,
                            x->row == OV_ROW_ABSENT    ? 0
                            : x->row == OV_ROW_PRESENT ? 1
                                                       : -1,
                            err);
  default:
    return decc_err_set(err, DECC_E_INTERNAL, "ledger: bad overlay row");
  }
}

/* The smallest value each kind's writer stores (flush_one reads that
 * far). */
static size_t min_len(int kind) {
  static const size_t n[LDG_OV_KINDS] = {
      8, 32, 64, 32, 20, 32, LDG_OV_DEAL_RECORD, LDG_OV_TASK_RECORD};
  return n[kind];
}

decc_status ldg_ov_flush(decc_ledger *l, decc_err *err) {
  struct ldg_overlay *o = l->ov;
  if (!o)
    return DECC_OK;
  for (size_t k = 0; k < o->n; k++) {
    const ov_ent *x = &o->ents[k];
    if (x->state != OV_DIRTY)
      continue;
    /* every writer stores a row (deals and tasks are never deleted) */
    if (!x->val || x->vlen < min_len(x->kind))
      return decc_err_set(err, DECC_E_INTERNAL, "ledger: bad overlay row");
    decc_status s = flush_one(l, x, err);
    if (s != DECC_OK)
      return s;
  }
  return DECC_OK;
}

void ldg_ov_clear(decc_ledger *l) {
  struct ldg_overlay *o = l->ov;
  l->tx_active = 0;
  if (!o)
    return;
  ldg_ov_tx_end(l, 1); /* frees the newer values an open undo log holds */
  for (size_t k = 0; k < o->n; k++)
    free_val(o->ents[k].val, o->ents[k].vlen);
  o->n = 0;
  /* the arrays and a few chunks stay for the next block, unless a huge
   * block grew them */
  if (o->icap > 2 * OV_KEEP_ENTS || o->cap > OV_KEEP_ENTS) {
    decc_free(o->ents);
    decc_free(o->index);
    o->ents = NULL;
    o->index = NULL;
    o->cap = o->icap = 0;
  } else if (o->index) {
    memset(o->index, 0, o->icap * sizeof *o->index);
  }
  size_t kept = 0;
  for (ov_chunk *c = o->spare; c; c = c->next)
    kept++;
  while (o->chunks) {
    ov_chunk *c = o->chunks;
    o->chunks = c->next;
    if (kept < OV_KEEP_CHUNKS) {
      c->next = o->spare;
      o->spare = c;
      kept++;
    } else {
      decc_free(c);
    }
  }
}

void ldg_ov_free(decc_ledger *l) {
  ldg_ov_clear(l);
  struct ldg_overlay *o = l->ov;
  if (!o)
    return;
  while (o->spare) {
    ov_chunk *c = o->spare;
    o->spare = c->next;
    decc_free(c);
  }
  decc_free(o->ents);
  decc_free(o->index);
  decc_free(o->undo);
  decc_free(o);
  l->ov = NULL;
}
