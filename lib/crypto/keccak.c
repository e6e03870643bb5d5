/*
 * keccak.c — keccak-256 as Ethereum uses it (original Keccak padding 0x01,
 * not SHA-3's 0x06), written for decc because Debian ships no C library
 * with it (OpenSSL 3.0's KECCAK-KMAC is a different function).
 *
 * The permutation keeps the 25 lanes in locals; rate = 136 bytes,
 * capacity 512. Lanes are read little-endian as the specification
 * requires, independent of the host byte order. Three things make it
 * faster than the textbook round (bench/bench_keccak.c measures it against
 * OpenSSL's assembly; each was checked by instruction counts):
 *  - a round is computed plane by plane: the five lanes one output row
 *    needs go through theta, rho and pi, then chi writes that row at
 *    once, so 5 temporaries live instead of 25 and fewer lanes spill;
 *  - theta's column parities of the next round are summed as the rows
 *    come out, instead of reloading all 25 lanes;
 *  - lane complementing (Bertoni et al., "Keccak implementation
 *    overview", §2.2): six lanes are kept inverted across the rounds,
 *    (x, y) = (1,0) (2,0) (3,1) (2,2) (2,3) (0,4), which lets chi's
 *    ~b & c be written with AND / OR and one NOT per row instead of five.
 *    The forms per row follow from which of its inputs arrive inverted
 *    (theta inverts columns 0 and 3 of that pattern, pi moves them) and
 *    which outputs must leave inverted; the lanes are inverted on entry
 *    and back on exit, so the state outside is the standard one.
 * Two rounds per loop pass alternate between the a and e lane sets, so
 * no copies go between rounds.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/hash.h"
#include "decc/mem.h"

#define RATE 136

/* iota's round constants (also keccak_x8.c's) */
const uint64_t decc__keccak_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

#define ROL(x, n) (((x) << (n)) | ((x) >> ((64 - (n)) & 63)))

/* One round from lanes A00..A44 (A<x><y>) into E00..E44, rows y = 0..4 in
 * turn; expects c0..c4 = the column parities of A and leaves those of E.
 * For each row, b<x> = the lane pi brings to (x, y) after theta and rho
 * (the pairs and rotations of the specification's pi and rho tables),
 * then chi on complemented lanes: n is the row's one inverted input. */
#define ROUND(A, E, rc)                                                        \
  do {                                                                         \
    d0 = c4 ^ ROL(c1, 1), d1 = c0 ^ ROL(c2, 1), d2 = c1 ^ ROL(c3, 1);          \
    d3 = c2 ^ ROL(c4, 1), d4 = c3 ^ ROL(c0, 1);                                \
    b0 = A##00 ^ d0, b1 = ROL(A##11 ^ d1, 44), b2 = ROL(A##22 ^ d2, 43);       \
    b3 = ROL(A##33 ^ d3, 21), b4 = ROL(A##44 ^ d4, 14), n = ~b2;               \
    E##00 = b0 ^ (b1 | b2);                                                    \
    E##10 = b1 ^ (n | b3);                                                     \
    E##20 = b2 ^ (b3 & b4);                                                    \
    E##30 = b3 ^ (b4 | b0);                                                    \
    E##40 = b4 ^ (b0 & b1);                                                    \
    E##00 ^= (rc);                                                             \
    c0 = E##00, c1 = E##10, c2 = E##20, c3 = E##30, c4 = E##40;                \
    b0 = ROL(A##30 ^ d3, 28), b1 = ROL(A##41 ^ d4, 20),                        \
    b2 = ROL(A##02 ^ d0, 3);                                                   \
    b3 = ROL(A##13 ^ d1, 45), b4 = ROL(A##24 ^ d2, 61), n = ~b4;               \
    E##01 = b0 ^ (b1 | b2);                                                    \
    E##11 = b1 ^ (b2 & b3);                                                    \
    E##21 = b2 ^ (b3 | n);                                                     \
    E##31 = b3 ^ (b4 | b0);                                                    \
    E##41 = b4 ^ (b0 & b1);                                                    \
    c0 ^= E##01, c1 ^= E##11, c2 ^= E##21, c3 ^= E##31, c4 ^= E##41;           \
    b0 = ROL(A##10 ^ d1, 1), b1 = ROL(A##21 ^ d2, 6),                          \
    b2 = ROL(A##32 ^ d3, 25);                                                  \
    b3 = ROL(A##43 ^ d4, 8), b4 = ROL(A##04 ^ d0, 18), n = ~b3;                \
    E##02 = b0 ^ (b1 | b2);                                                    \
    E##12 = b1 ^ (b2 & b3);                                                    \
    E##22 = b2 ^ (n & b4);                                                     \
    E##32 = n ^ (b4 | b0);                                                     \
    E##42 = b4 ^ (b0 & b1);                                                    \
    c0 ^= E##02, c1 ^= E##12, c2 ^= E##22, c3 ^= E##32, c4 ^= E##42;           \
    b0 = ROL(A##40 ^ d4, 27), b1 = ROL(A##01 ^ d0, 36),                        \
    b2 = ROL(A##12 ^ d1, 10);                                                  \
    b3 = ROL(A##23 ^ d2, 15), b4 = ROL(A##34 ^ d3, 56), n = ~b3;               \
    E##03 = b0 ^ (b1 & b2);                                                    \
    E##13 = b1 ^ (b2 | b3);                                                    \
    E##23 = b2 ^ (n | b4);                                                     \
    E##33 = n ^ (b4 & b0);                                                     \
    E##43 = b4 ^ (b0 | b1);                                                    \
    c0 ^= E##03, c1 ^= E##13, c2 ^= E##23, c3 ^= E##33, c4 ^= E##43;           \
    b0 = ROL(A##20 ^ d2, 62), b1 = ROL(A##31 ^ d3, 55),                        \
    b2 = ROL(A##42 ^ d4, 39);                                                  \
    b3 = ROL(A##03 ^ d0, 41), b4 = ROL(A##14 ^ d1, 2), n = ~b1;                \
    E##04 = b0 ^ (n & b2);                                                     \
    E##14 = n ^ (b2 | b3);                                                     \
    E##24 = b2 ^ (b3 & b4);                                                    \
    E##34 = b3 ^ (b4 | b0);                                                    \
    E##44 = b4 ^ (b0 & b1);                                                    \
    c0 ^= E##04, c1 ^= E##14, c2 ^= E##24, c3 ^= E##34, c4 ^= E##44;           \
  } while (0)

static void keccak_f1600(uint64_t s[25]) {
  uint64_t a00 = s[0], a10 = s[1], a20 = s[2], a30 = s[3], a40 = s[4];
  uint64_t a01 = s[5], a11 = s[6], a21 = s[7], a31 = s[8], a41 = s[9];
  uint64_t a02 = s[10], a12 = s[11], a22 = s[12], a32 = s[13], a42 = s[14];
  uint64_t a03 = s[15], a13 = s[16], a23 = s[17], a33 = s[18], a43 = s[19];
  uint64_t a04 = s[20], a14 = s[21], a24 = s[22], a34 = s[23], a44 = s[24];
  uint64_t e00, e10, e20, e30, e40, e01, e11, e21, e31, e41, e02, e12, e22;
  uint64_t e32, e42, e03, e13, e23, e33, e43, e04, e14, e24, e34, e44;
  uint64_t b0, b1, b2, b3, b4, n, d0, d1, d2, d3, d4;
  a10 = ~a10, a20 = ~a20, a31 = ~a31, a22 = ~a22, a23 = ~a23, a04 = ~a04;
  uint64_t c0 = a00 ^ a01 ^ a02 ^ a03 ^ a04;
  uint64_t c1 = a10 ^ a11 ^ a12 ^ a13 ^ a14;
  uint64_t c2 = a20 ^ a21 ^ a22 ^ a23 ^ a24;
  uint64_t c3 = a30 ^ a31 ^ a32 ^ a33 ^ a34;
  uint64_t c4 = a40 ^ a41 ^ a42 ^ a43 ^ a44;
  for (int r = 0; r < 24; r += 2) {
    ROUND(a, e, decc__keccak_rc[r]);
    ROUND(e, a, decc__keccak_rc[r + 1]);
  }
  a10 = ~a10, a20 = ~a20, a31 = ~a31, a22 = ~a22, a23 = ~a23, a04 = ~a04;
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
