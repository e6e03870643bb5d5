/*
 * keccak.c — keccak-256 as Ethereum uses it (original Keccak padding 0x01,
 * not SHA-3's 0x06), written for decc because Debian ships no C library
 * with it (OpenSSL 3.0's KECCAK-KMAC is a different function).
 *
 * The permutation keeps the 25 lanes in locals and is written so the
 * compiler fully unrolls the column loops; rate = 136 bytes, capacity 512.
 * Lanes are read little-endian as the specification requires, independent
 * of the host byte order.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/hash.h"
#include "decc/mem.h"

#define RATE 136

static const uint64_t RC[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

#define ROL(x, n) (((x) << (n)) | ((x) >> ((64 - (n)) & 63)))

/* One round on lanes a00..a44 (a<x><y>), written out so every lane stays
 * in a register: theta, then rho+pi into b, then chi back into a, iota. */
static void keccak_f1600(uint64_t s[25]) {
  uint64_t a00 = s[0], a10 = s[1], a20 = s[2], a30 = s[3], a40 = s[4];
  uint64_t a01 = s[5], a11 = s[6], a21 = s[7], a31 = s[8], a41 = s[9];
  uint64_t a02 = s[10], a12 = s[11], a22 = s[12], a32 = s[13], a42 = s[14];
  uint64_t a03 = s[15], a13 = s[16], a23 = s[17], a33 = s[18], a43 = s[19];
  uint64_t a04 = s[20], a14 = s[21], a24 = s[22], a34 = s[23], a44 = s[24];
  for (int r = 0; r < 24; r++) {
    uint64_t c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
    uint64_t c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
    uint64_t c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
    uint64_t c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
    uint64_t c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
    uint64_t d0 = c4 ^ ROL(c1, 1);
    uint64_t d1 = c0 ^ ROL(c2, 1);
    uint64_t d2 = c1 ^ ROL(c3, 1);
    uint64_t d3 = c2 ^ ROL(c4, 1);
    uint64_t d4 = c3 ^ ROL(c0, 1);
    /* rho+pi: b[y][(2x+3y)%5] = ROL(a[x][y] ^ d[x], r[x][y]); bXY below
     * names the destination lane (x = y_src, y = (2x+3y)%5). */
    uint64_t b00 = a00 ^ d0;
    uint64_t b02 = ROL(a10 ^ d1, 1);
    uint64_t b04 = ROL(a20 ^ d2, 62);
    uint64_t b01 = ROL(a30 ^ d3, 28);
    uint64_t b03 = ROL(a40 ^ d4, 27);
    uint64_t b13 = ROL(a01 ^ d0, 36);
    uint64_t b10 = ROL(a11 ^ d1, 44);
    uint64_t b12 = ROL(a21 ^ d2, 6);
    uint64_t b14 = ROL(a31 ^ d3, 55);
    uint64_t b11 = ROL(a41 ^ d4, 20);
    uint64_t b21 = ROL(a02 ^ d0, 3);
    uint64_t b23 = ROL(a12 ^ d1, 10);
    uint64_t b20 = ROL(a22 ^ d2, 43);
    uint64_t b22 = ROL(a32 ^ d3, 25);
    uint64_t b24 = ROL(a42 ^ d4, 39);
    uint64_t b34 = ROL(a03 ^ d0, 41);
    uint64_t b31 = ROL(a13 ^ d1, 45);
    uint64_t b33 = ROL(a23 ^ d2, 15);
    uint64_t b30 = ROL(a33 ^ d3, 21);
    uint64_t b32 = ROL(a43 ^ d4, 8);
    uint64_t b42 = ROL(a04 ^ d0, 18);
    uint64_t b44 = ROL(a14 ^ d1, 2);
    uint64_t b41 = ROL(a24 ^ d2, 61);
    uint64_t b43 = ROL(a34 ^ d3, 56);
    uint64_t b40 = ROL(a44 ^ d4, 14);
    /* chi along each row y: a[x][y] = b[x][y] ^ (~b[x+1][y] & b[x+2][y]) */
    a00 = b00 ^ (~b10 & b20);
    a10 = b10 ^ (~b20 & b30);
    a20 = b20 ^ (~b30 & b40);
    a30 = b30 ^ (~b40 & b00);
    a40 = b40 ^ (~b00 & b10);
    a01 = b01 ^ (~b11 & b21);
    a11 = b11 ^ (~b21 & b31);
    a21 = b21 ^ (~b31 & b41);
    a31 = b31 ^ (~b41 & b01);
    a41 = b41 ^ (~b01 & b11);
    a02 = b02 ^ (~b12 & b22);
    a12 = b12 ^ (~b22 & b32);
    a22 = b22 ^ (~b32 & b42);
    a32 = b32 ^ (~b42 & b02);
    a42 = b42 ^ (~b02 & b12);
    a03 = b03 ^ (~b13 & b23);
    a13 = b13 ^ (~b23 & b33);
    a23 = b23 ^ (~b33 & b43);
    a33 = b33 ^ (~b43 & b03);
    a43 = b43 ^ (~b03 & b13);
    a04 = b04 ^ (~b14 & b24);
    a14 = b14 ^ (~b24 & b34);
    a24 = b24 ^ (~b34 & b44);
    a34 = b34 ^ (~b44 & b04);
    a44 = b44 ^ (~b04 & b14);
    a00 ^= RC[r];
  }
  s[0] = a00, s[1] = a10, s[2] = a20, s[3] = a30, s[4] = a40;
  s[5] = a01, s[6] = a11, s[7] = a21, s[8] = a31, s[9] = a41;
  s[10] = a02, s[11] = a12, s[12] = a22, s[13] = a32, s[14] = a42;
  s[15] = a03, s[16] = a13, s[17] = a23, s[18] = a33, s[19] = a43;
  s[20] = a04, s[21] = a14, s[22] = a24, s[23] = a34, s[24] = a44;
}

static uint64_t load64_le(const uint8_t *p) {
  return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
         (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
         (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

static void absorb_block(uint64_t st[25], const uint8_t *blk) {
  for (int i = 0; i < RATE / 8; i++)
    st[i] ^= load64_le(blk + 8 * i);
  keccak_f1600(st);
}

void decc_keccak256_init(decc_keccak256_ctx *c) {
  DECC_ARG_CHECK_VOID(c != NULL);
  memset(c, 0, sizeof *c);
}

void decc_keccak256_update(decc_keccak256_ctx *c, const void *data, size_t n) {
  DECC_ARG_CHECK_VOID(c != NULL);
  DECC_ARG_CHECK_VOID(data != NULL || n == 0);
  if (n == 0)
    return; /* an empty message part; data may be NULL (memcpy would be UB) */
  const uint8_t *p = data;
  if (c->pos) {
    size_t take = RATE - c->pos < n ? RATE - c->pos : n;
    memcpy(c->buf + c->pos, p, take);
    c->pos += take;
    p += take;
    n -= take;
    if (c->pos < RATE)
      return;
    absorb_block(c->st, c->buf);
    c->pos = 0;
  }
  while (n >= RATE) {
    absorb_block(c->st, p);
    p += RATE;
    n -= RATE;
  }
  if (n) {
    memcpy(c->buf, p, n);
    c->pos = n;
  }
}

void decc_keccak256_final(decc_keccak256_ctx *c, uint8_t out32[32]) {
  DECC_ARG_CHECK_VOID(c != NULL);
  DECC_ARG_CHECK_VOID(out32 != NULL);
  memset(c->buf + c->pos, 0, RATE - c->pos);
  c->buf[c->pos] ^= 0x01;
  c->buf[RATE - 1] ^= 0x80;
  absorb_block(c->st, c->buf);
  for (int i = 0; i < 4; i++) {
    uint64_t w = c->st[i];
    for (int j = 0; j < 8; j++)
      out32[8 * i + j] = (uint8_t)(w >> (8 * j));
  }
  decc_memzero(c, sizeof *c);
}

void decc_keccak256(uint8_t out32[32], const void *data, size_t n) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(data != NULL || n == 0);
  decc_keccak256_ctx c;
  decc_keccak256_init(&c);
  decc_keccak256_update(&c, data, n);
  decc_keccak256_final(&c, out32);
}
