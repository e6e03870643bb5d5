/*
 * rcdigest.c — the receipt digest, the part of a block's hash that commits
 * to what its transactions did (docs/internals/ledger.md, "Block hash"):
 * keccak256 of tx hash ‖ status byte ‖ hash of the output ‖ hash of the
 * revert reason ‖ u64 log count ‖ for each log: address ‖ topic count
 * byte ‖ topics ‖ hash of its data.
 *
 * Two ways to compute it, with the same result:
 *  - ldg_receipt_digest, one receipt streamed through one hash context (a
 *    transaction executed on its own, and `chain verify`'s replay);
 *  - ldg_receipt_digests, a whole batch at once (decc_ledger_submit_raw):
 *    first the hashes of every output, reason and log data of the batch,
 *    then each receipt's digest input written out whole, both through
 *    decc_keccak256_many, which hashes eight messages at once where the CPU
 *    has AVX-512. In a block of life cycles a receipt carries about eight
 *    logs, so hashing them one at a time was most of the Keccak the
 *    executing thread did (docs/internals/performance.md).
 * A block built by a batch is verified by replaying it one receipt at a
 * time, so every `chain verify` checks the two against each other.
 */
#include <string.h>

#include "decc/hash.h"
#include "decc/mem.h"
#include "ledger/ledger_int.h"

/* keccak256 of the empty string (Ethereum's well-known empty hash). */
static const uint8_t KECCAK_EMPTY[32] = {
    0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d,
    0xb2, 0xdc, 0xc7, 0x03, 0xc0, 0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82,
    0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70};

/* keccak256 of p[0..n): the empty input's hash is a constant, and most
 * receipts hash an empty revert reason and some logs empty data (a
 * permutation each, ~7 k instructions). */
static void hash_of(uint8_t h[32], const void *p, size_t n) {
  if (n)
    decc_keccak256(h, p, n);
  else
    memcpy(h, KECCAK_EMPTY, 32);
}

void ldg_receipt_digest(uint8_t out[32], const decc_receipt *r) {
  decc_keccak256_ctx k;
  uint8_t h[32], n8[8];
  decc_keccak256_init(&k);
  decc_keccak256_update(&k, r->tx_hash, 32);
  uint8_t st = (uint8_t)(r->status ? 1 : 0);
  decc_keccak256_update(&k, &st, 1);
  hash_of(h, r->output, r->output_len);
  decc_keccak256_update(&k, h, 32);
  const char *reason = r->revert_reason ? r->revert_reason : "";
  hash_of(h, reason, strlen(reason));
  decc_keccak256_update(&k, h, 32);
  ldg_be64(n8, r->n_logs);
  decc_keccak256_update(&k, n8, 8);
  for (size_t i = 0; i < r->n_logs; i++) {
    const decc_log *lg = &r->logs[i];
    decc_keccak256_update(&k, lg->address.b, 20);
    uint8_t nt = (uint8_t)lg->n_topics;
    decc_keccak256_update(&k, &nt, 1);
    for (size_t t = 0; t < lg->n_topics; t++)
      decc_keccak256_update(&k, lg->topics[t], 32);
    hash_of(h, lg->data, lg->data_len);
    decc_keccak256_update(&k, h, 32);
  }
  decc_keccak256_final(&k, out);
}

/* Bytes of r's digest input (the fixed part, then each log's). */
static size_t stream_len(const decc_receipt *r) {
  size_t n = 32 + 1 + 32 + 32 + 8;
  for (size_t i = 0; i < r->n_logs; i++)
    n += 20 + 1 + 32 * r->logs[i].n_topics + 32;
  return n;
}

/* Writes r's digest input at p with the hashes of its output, reason and
 * log data in order at inner[0..2 + n_logs); returns the bytes written. */
static size_t stream_write(uint8_t *p, const decc_receipt *r,
                           const uint8_t (*inner)[32]) {
  uint8_t *q = p;
  memcpy(q, r->tx_hash, 32);
  q[32] = (uint8_t)(r->status ? 1 : 0);
  memcpy(q + 33, inner[0], 32);
  memcpy(q + 65, inner[1], 32);
  ldg_be64(q + 97, r->n_logs);
  q += 105;
  for (size_t i = 0; i < r->n_logs; i++) {
    const decc_log *lg = &r->logs[i];
    memcpy(q, lg->address.b, 20);
    q[20] = (uint8_t)lg->n_topics;
    q += 21;
    for (size_t t = 0; t < lg->n_topics; t++, q += 32)
      memcpy(q, lg->topics[t], 32);
    memcpy(q, inner[2 + i], 32);
    q += 32;
  }
  return (size_t)(q - p);
}

/* Scratch kept between batches: a block of 100 life cycles (300
 * receipts) needs under 1 MiB; a larger buffer (a batch of thousands of transactions
 * with long logs) is freed after its batch. */
#define LDG_RCD_KEEP (4u << 20)

/* the part of l's scratch buffer at *off, `size` bytes, 16-byte aligned */
static void *carve(uint8_t *base, size_t *off, size_t size) {
  void *p = base + *off;
  *off += (size + 15) & ~(size_t)15;
  return p;
}

void ldg_receipt_digests(decc_ledger *l, const decc_receipt *r, size_t n,
                         uint8_t (*out)[32]) {
  size_t m = 0, bytes = 0;
  for (size_t i = 0; i < n; i++) {
    m += 2 + r[i].n_logs;
    bytes += stream_len(&r[i]);
  }
  /* per inner hash: a pointer, a length, its packed digest and its place;
   * per receipt: a pointer and a length; then the digest inputs */
  size_t need = m * (sizeof(const uint8_t *) + sizeof(size_t) + 64) +
                n * (sizeof(const uint8_t *) + sizeof(size_t)) + bytes + 6 * 16;
  if (need > l->rcd_cap) {
    uint8_t *b = decc_realloc(l->rcd, need);
    if (!b) { /* out of memory: one receipt at a time, the same digests */
      for (size_t i = 0; i < n; i++)
        ldg_receipt_digest(out[i], &r[i]);
      return;
    }
    l->rcd = b;
    l->rcd_cap = need;
  }
  size_t off = 0;
  const uint8_t **ip = carve(l->rcd, &off, m * sizeof *ip);
  size_t *il = carve(l->rcd, &off, m * sizeof *il);
  uint8_t(*pd)[32] = carve(l->rcd, &off, m * 32);
  uint8_t(*ih)[32] = carve(l->rcd, &off, m * 32);
  const uint8_t **sp = carve(l->rcd, &off, n * sizeof *sp);
  size_t *sl = carve(l->rcd, &off, n * sizeof *sl);
  uint8_t *sb = carve(l->rcd, &off, bytes);
  /* the inner hashes in order: outputs, reasons and log data, the
   * non-empty ones packed and hashed together (the empty input's hash is
   * a constant: most receipts have no revert reason, some logs no data) */
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    const char *reason = r[i].revert_reason ? r[i].revert_reason : "";
    size_t rl = strlen(reason);
    if (r[i].output_len)
      ip[k] = r[i].output, il[k++] = r[i].output_len;
    if (rl)
      ip[k] = (const uint8_t *)reason, il[k++] = rl;
    for (size_t g = 0; g < r[i].n_logs; g++)
      if (r[i].logs[g].data_len)
        ip[k] = r[i].logs[g].data, il[k++] = r[i].logs[g].data_len;
  }
  decc_keccak256_many(pd, ip, il, k);
  k = 0;
  size_t h = 0;
#define INNER(len) memcpy(ih[h++], (len) ? pd[k++] : KECCAK_EMPTY, 32)
  for (size_t i = 0; i < n; i++) {
    INNER(r[i].output_len);
    INNER(r[i].revert_reason ? strlen(r[i].revert_reason) : 0);
    for (size_t g = 0; g < r[i].n_logs; g++)
      INNER(r[i].logs[g].data_len);
  }
#undef INNER
  size_t at = 0;
  for (size_t i = 0, first = 0; i < n; i++) {
    sp[i] = sb + at;
    sl[i] = stream_write(sb + at, &r[i], (const uint8_t(*)[32])ih + first);
    at += sl[i];
    first += 2 + r[i].n_logs;
  }
  decc_keccak256_many(out, sp, sl, n);
  /* kept for the next batch unless an unusually large one grew it */
  if (l->rcd_cap > LDG_RCD_KEEP)
    ldg_rcd_free(l);
}

void ldg_rcd_free(decc_ledger *l) {
  decc_free(l->rcd);
  l->rcd = NULL;
  l->rcd_cap = 0;
}
