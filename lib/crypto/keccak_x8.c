/*
 * keccak_x8.c — keccak-256 of many independent messages at once, eight
 * states side by side in AVX-512 registers (one 64-bit lane of each of
 * the 25 registers per message).
 *
 * The ledger hashes thousands of short, independent messages per block
 * (every log's data, every receipt's digest stream: docs/internals/
 * ledger.md); one message at a time, each permutation is a chain of
 * dependent 64-bit operations, while AVX-512 runs the same operations on
 * eight states for about the cost of one (vprolq rotates 64-bit lanes,
 * vpternlogq does theta's three-way XOR and chi's a ^ (~b & c) in one
 * instruction). The round is the textbook one (theta, rho, pi, chi, iota
 * of the Keccak reference), lanes indexed x + 5y.
 *
 * Messages are fed to the eight lanes as a queue: when a lane's message
 * ends, its digest is read out and the next message starts in that lane
 * (its state zeroed under a mask), so messages of different lengths keep
 * every lane busy. Full blocks are read in place with gathers; the last,
 * padded block of each message is built in a per-lane buffer.
 *
 * The eight-lane code is compiled for x86-64 only, with the avx512f
 * target attribute; decc_keccak256_many (at the end) uses it only when the
 * CPU and the OS support AVX-512 (never under valgrind, whose CPUID hides
 * it), and otherwise hashes one message at a time with keccak.c. tests/unit/crypto/test_keccak_many.c checks both paths against
 * the one-message function.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/hash.h"
#include "decc/mem.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define RATE 136
#define TGT __attribute__((target("avx512f")))

/* rho's rotation of lane i = x + 5y, and the lane pi moves it to:
 * (x, y) -> (y, 2x + 3y mod 5) */
static const int ROT[25] = {0,  1,  62, 28, 27, 36, 44, 6,  55, 20, 3,  10, 43,
                            25, 39, 41, 45, 15, 21, 8,  18, 2,  61, 56, 14};
static const int PI[25] = {0,  10, 20, 5, 15, 16, 1,  11, 21, 6, 7,  17, 2,
                           12, 22, 23, 8, 18, 3,  13, 14, 24, 9, 19, 4};

/* a ^ b ^ c, and chi's a ^ (~b & c) (vpternlogq truth tables) */
#define XOR3(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0x96)
#define CHI(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0xd2)

static TGT void permute8(__m512i s[25]) {
  __m512i c[5], d[5], b[25];
  for (int r = 0; r < 24; r++) {
#pragma GCC unroll 5
    for (int x = 0; x < 5; x++)
      c[x] = XOR3(XOR3(s[x], s[x + 5], s[x + 10]), s[x + 15], s[x + 20]);
#pragma GCC unroll 5
    for (int x = 0; x < 5; x++)
      d[x] = _mm512_xor_si512(
          c[(x + 4) % 5],
          _mm512_rolv_epi64(c[(x + 1) % 5], _mm512_set1_epi64(1)));
#pragma GCC unroll 25
    for (int i = 0; i < 25; i++)
      b[PI[i]] = _mm512_rolv_epi64(_mm512_xor_si512(s[i], d[i % 5]),
                                   _mm512_set1_epi64(ROT[i]));
#pragma GCC unroll 5
    for (int y = 0; y < 25; y += 5) {
#pragma GCC unroll 5
      for (int x = 0; x < 5; x++)
        s[y + x] = CHI(b[y + x], b[y + (x + 1) % 5], b[y + (x + 2) % 5]);
    }
    s[0] = _mm512_xor_si512(s[0],
                            _mm512_set1_epi64((long long)decc__keccak_rc[r]));
  }
}

/* what a lane is hashing */
typedef struct lane {
  size_t msg;       /* index of its message */
  size_t blk, nblk; /* next block, blocks in all (padding included) */
  int busy;
} lane;

TGT void decc__keccak256_x8(uint8_t (*out)[32], const uint8_t *const *data,
                            const size_t *len, size_t n) {
  static const uint8_t zero_block[RATE];
  __m512i s[25];
  _Alignas(64) uint8_t pad[8][RATE];
  _Alignas(64) uint64_t ptr[8];
  _Alignas(64) uint64_t dig[4][8];
  lane ln[8];
  memset(ln, 0, sizeof ln);
  for (int w = 0; w < 25; w++)
    s[w] = _mm512_setzero_si512();
  size_t next = 0;
  for (;;) {
    __mmask8 fresh = 0;
    int busy = 0;
    for (int k = 0; k < 8; k++) {
      if (!ln[k].busy && next < n) {
        ln[k].msg = next++;
        ln[k].blk = 0;
        ln[k].nblk = len[ln[k].msg] / RATE + 1;
        ln[k].busy = 1;
        fresh |= (__mmask8)(1u << k);
      }
      busy |= ln[k].busy;
    }
    if (!busy)
      break;
    if (fresh) /* a new message starts from the zero state in its lane */
      for (int w = 0; w < 25; w++)
        s[w] = _mm512_mask_mov_epi64(s[w], fresh, _mm512_setzero_si512());
    for (int k = 0; k < 8; k++) {
      const uint8_t *p = zero_block; /* an idle lane absorbs zeros */
      if (ln[k].busy) {
        const uint8_t *m = data[ln[k].msg];
        size_t off = ln[k].blk * RATE;
        if (ln[k].blk + 1 < ln[k].nblk) {
          p = m + off;
        } else { /* the last block: the rest, then 0x01 ... 0x80 */
          size_t rem = len[ln[k].msg] - off;
          if (rem)
            memcpy(pad[k], m + off, rem);
          memset(pad[k] + rem, 0, RATE - rem);
          pad[k][rem] ^= 0x01;
          pad[k][RATE - 1] ^= 0x80;
          p = pad[k];
        }
      }
      ptr[k] = (uint64_t)(uintptr_t)p;
    }
    __m512i vp = _mm512_load_si512(ptr);
    for (int w = 0; w < RATE / 8; w++) {
      __m512i at = _mm512_add_epi64(vp, _mm512_set1_epi64(8 * w));
      /* (without optimisation GCC expands the gather as a macro whose
       * all-ones mask trips -Wsign-conversion) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-conversion"
      s[w] = _mm512_xor_si512(s[w], _mm512_i64gather_epi64(at, NULL, 1));
#pragma GCC diagnostic pop
    }
    permute8(s);
    int done = 0;
    for (int k = 0; k < 8; k++)
      if (ln[k].busy && ++ln[k].blk == ln[k].nblk)
        done = 1;
    if (!done)
      continue;
    for (int w = 0; w < 4; w++)
      _mm512_store_si512(dig[w], s[w]);
    for (int k = 0; k < 8; k++) {
      if (!ln[k].busy || ln[k].blk != ln[k].nblk)
        continue;
      for (int w = 0; w < 4; w++) /* lanes are little-endian words */
        for (int j = 0; j < 8; j++)
          out[ln[k].msg][8 * w + j] = (uint8_t)(dig[w][k] >> (8 * j));
      ln[k].busy = 0;
    }
  }
  /* the messages may be secrets: no copy of them or of a state stays */
  for (int w = 0; w < 25; w++)
    s[w] = _mm512_setzero_si512();
  decc_memzero(s, sizeof s);
  decc_memzero(pad, sizeof pad);
  decc_memzero(dig, sizeof dig);
}

int decc__keccak_x8_available(void) {
  return __builtin_cpu_supports("avx512f") ? 1 : 0;
}

#else

void decc__keccak256_x8(uint8_t (*out)[32], const uint8_t *const *data,
                        const size_t *len, size_t n) {
  (void)out, (void)data, (void)len, (void)n;
}

int decc__keccak_x8_available(void) { return 0; }

#endif

/* set by tests (decc__keccak_many_scalar): the one-message path */
static int many_scalar;

void decc__keccak_many_scalar(int off) { many_scalar = off; }

void decc_keccak256_many(uint8_t (*out)[32], const uint8_t *const *data,
                         const size_t *len, size_t n) {
  DECC_ARG_CHECK_VOID(out != NULL || n == 0);
  DECC_ARG_CHECK_VOID(data != NULL || n == 0);
  DECC_ARG_CHECK_VOID(len != NULL || n == 0);
  /* below three messages the lanes would mostly idle: one at a time is as
   * fast (bench_keccak) */
  if (n >= 3 && !many_scalar && decc__keccak_x8_available()) {
    decc__keccak256_x8(out, data, len, n);
    return;
  }
  for (size_t i = 0; i < n; i++)
    decc_keccak256(out[i], data[i], len[i]);
}
