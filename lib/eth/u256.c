/*
 * u256.c — checked 256-bit unsigned arithmetic (Solidity's uint256).
 *
 * PoCo computes prices, stakes and rewards in uint256 with checked
 * arithmetic, so every operation here reports overflow instead of wrapping.
 * Division is Knuth's long division on 64-bit limbs (using the compiler's
 * 128-bit type for the two-limb steps); muldiv keeps the full 512-bit product
 * before dividing, as OpenZeppelin's Math.mulDiv does, so a·b may exceed
 * 2^256 as long as the quotient fits.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/u256.h"

__extension__ typedef unsigned __int128 u128;

decc_u256 decc_u256_from_u64(uint64_t v) {
  decc_u256 r = {{v, 0, 0, 0}};
  return r;
}

int decc_u256_to_u64(uint64_t *out, const decc_u256 *v) {
  DECC_ARG_CHECK_RET(v != NULL, 0);

  if (v->w[1] | v->w[2] | v->w[3])
    return 0;
  if (out)
    *out = v->w[0];
  return 1;
}

int decc_u256_is_zero(const decc_u256 *v) {
  DECC_ARG_CHECK_RET(v != NULL, 0);

  return (v->w[0] | v->w[1] | v->w[2] | v->w[3]) == 0;
}

int decc_u256_cmp(const decc_u256 *a, const decc_u256 *b) {
  DECC_ARG_CHECK_RET(a != NULL, 0);
  DECC_ARG_CHECK_RET(b != NULL, 0);

  for (int i = 3; i >= 0; i--) {
    if (a->w[i] != b->w[i])
      return a->w[i] < b->w[i] ? -1 : 1;
  }
  return 0;
}

void decc_u256_from_be(decc_u256 *out, const uint8_t in32[32]) {
  DECC_ARG_CHECK_VOID(out != NULL);
  DECC_ARG_CHECK_VOID(in32 != NULL);

  for (int i = 0; i < 4; i++) {
    uint64_t x = 0;
    for (int j = 0; j < 8; j++)
      x = (x << 8) | in32[(3 - i) * 8 + j];
    out->w[i] = x;
  }
}

void decc_u256_to_be(uint8_t out32[32], const decc_u256 *v) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(v != NULL);

  for (int i = 0; i < 4; i++) {
    uint64_t x = v->w[i];
    for (int j = 7; j >= 0; j--) {
      out32[(3 - i) * 8 + j] = (uint8_t)x;
      x >>= 8;
    }
  }
}

/* ---- arithmetic ---------------------------------------------------------- */

decc_status decc_u256_add(decc_u256 *out, const decc_u256 *a,
                          const decc_u256 *b) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(b != NULL);

  decc_u256 r;
  uint64_t carry = 0;
  for (int i = 0; i < 4; i++) {
    u128 s = (u128)a->w[i] + b->w[i] + carry;
    r.w[i] = (uint64_t)s;
    carry = (uint64_t)(s >> 64);
  }
  if (carry)
    return DECC_E_RANGE;
  *out = r;
  return DECC_OK;
}

decc_status decc_u256_sub(decc_u256 *out, const decc_u256 *a,
                          const decc_u256 *b) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(b != NULL);

  if (decc_u256_cmp(a, b) < 0)
    return DECC_E_RANGE;
  decc_u256 r;
  uint64_t borrow = 0;
  for (int i = 0; i < 4; i++) {
    uint64_t ai = a->w[i], bi = b->w[i];
    uint64_t d = ai - bi - borrow;
    borrow = (ai < bi) || (ai == bi && borrow) ? 1 : 0;
    r.w[i] = d;
  }
  *out = r;
  return DECC_OK;
}

/* Full 4x4-limb product into 8 limbs. */
static void mul_full(uint64_t out[8], const decc_u256 *a, const decc_u256 *b) {
  memset(out, 0, 8 * sizeof out[0]);
  for (int i = 0; i < 4; i++) {
    uint64_t carry = 0;
    for (int j = 0; j < 4; j++) {
      u128 t = (u128)a->w[i] * b->w[j] + out[i + j] + carry;
      out[i + j] = (uint64_t)t;
      carry = (uint64_t)(t >> 64);
    }
    out[i + 4] = carry;
  }
}

decc_status decc_u256_mul(decc_u256 *out, const decc_u256 *a,
                          const decc_u256 *b) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(b != NULL);

  uint64_t p[8];
  mul_full(p, a, b);
  if (p[4] | p[5] | p[6] | p[7])
    return DECC_E_RANGE;
  memcpy(out->w, p, sizeof out->w);
  return DECC_OK;
}

static int nlimbs(const uint64_t *x, int n) {
  while (n > 0 && x[n - 1] == 0)
    n--;
  return n;
}

static int clz64(uint64_t x) { return x ? __builtin_clzll(x) : 64; }

/*
 * Long division of u[0..m) by v[0..n) (little-endian limbs, v[n-1] != 0,
 * m <= 8, n <= 4). Writes q[0..m) and r[0..n). Knuth TAOCP vol. 2, 4.3.1,
 * algorithm D, with a single-limb shortcut.
 */
static void divmod_limbs(uint64_t *q, uint64_t *r, const uint64_t *u, int m,
                         const uint64_t *v, int n) {
  memset(q, 0, (size_t)m * sizeof q[0]);
  memset(r, 0, (size_t)n * sizeof r[0]);
  if (m < n) {
    memcpy(r, u, (size_t)m * sizeof u[0]);
    return;
  }
  if (n == 1) {
    u128 rem = 0;
    for (int i = m - 1; i >= 0; i--) {
      u128 cur = (rem << 64) | u[i];
      q[i] = (uint64_t)(cur / v[0]);
      rem = cur % v[0];
    }
    r[0] = (uint64_t)rem;
    return;
  }
  /* Normalise so the divisor's top limb has its high bit set. */
  int s = clz64(v[n - 1]);
  uint64_t vn[4], un[9];
  for (int i = n - 1; i > 0; i--)
    vn[i] = s ? (v[i] << s) | (v[i - 1] >> (64 - s)) : v[i];
  vn[0] = v[0] << s;
  un[m] = s ? u[m - 1] >> (64 - s) : 0;
  for (int i = m - 1; i > 0; i--)
    un[i] = s ? (u[i] << s) | (u[i - 1] >> (64 - s)) : u[i];
  un[0] = u[0] << s;

  for (int j = m - n; j >= 0; j--) {
    u128 num = ((u128)un[j + n] << 64) | un[j + n - 1];
    u128 qhat = num / vn[n - 1];
    u128 rhat = num % vn[n - 1];
    while (qhat >> 64 || qhat * vn[n - 2] > ((rhat << 64) | un[j + n - 2])) {
      qhat--;
      rhat += vn[n - 1];
      if (rhat >> 64)
        break;
    }
    /* Multiply and subtract qhat·vn from un[j..j+n]. */
    uint64_t borrow = 0, carry = 0;
    for (int i = 0; i < n; i++) {
      u128 p = qhat * vn[i] + carry;
      carry = (uint64_t)(p >> 64);
      uint64_t pl = (uint64_t)p;
      uint64_t t = un[i + j] - pl - borrow;
      borrow = (un[i + j] < pl) || (un[i + j] == pl && borrow) ? 1 : 0;
      un[i + j] = t;
    }
    uint64_t top = un[j + n];
    uint64_t t = top - carry - borrow;
    int neg = (top < carry) || (top == carry && borrow);
    un[j + n] = t;
    if (neg) {
      /* qhat was one too large (rare): add the divisor back. */
      qhat--;
      uint64_t c = 0;
      for (int i = 0; i < n; i++) {
        u128 sum = (u128)un[i + j] + vn[i] + c;
        un[i + j] = (uint64_t)sum;
        c = (uint64_t)(sum >> 64);
      }
      un[j + n] += c;
    }
    q[j] = (uint64_t)qhat;
  }
  for (int i = 0; i < n; i++)
    r[i] = s ? (un[i] >> s) | (un[i + 1] << (64 - s)) : un[i];
}

decc_status decc_u256_div(decc_u256 *quot, decc_u256 *rem, const decc_u256 *a,
                          const decc_u256 *b) {
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(b != NULL);

  int n = nlimbs(b->w, 4);
  if (n == 0)
    return DECC_E_RANGE;
  int m = nlimbs(a->w, 4);
  uint64_t q[4] = {0}, r[4] = {0};
  if (m > 0)
    divmod_limbs(q, r, a->w, m, b->w, n);
  if (quot)
    memcpy(quot->w, q, sizeof q);
  if (rem)
    memcpy(rem->w, r, sizeof r);
  return DECC_OK;
}

decc_status decc_u256_muldiv(decc_u256 *out, const decc_u256 *a,
                             const decc_u256 *b, const decc_u256 *d) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(a != NULL);
  DECC_ARG_CHECK(b != NULL);
  DECC_ARG_CHECK(d != NULL);

  int n = nlimbs(d->w, 4);
  if (n == 0)
    return DECC_E_RANGE;
  uint64_t p[8];
  mul_full(p, a, b);
  int m = nlimbs(p, 8);
  uint64_t q[8] = {0}, r[4];
  if (m > 0)
    divmod_limbs(q, r, p, m, d->w, n);
  if (q[4] | q[5] | q[6] | q[7])
    return DECC_E_RANGE;
  memcpy(out->w, q, sizeof out->w);
  return DECC_OK;
}

/* ---- text ---------------------------------------------------------------- */

decc_status decc_u256_parse(decc_u256 *out, const char *s) {
  DECC_ARG_CHECK(out != NULL);
  if (!s || !*s) /* a missing value, as from an absent JSON member */
    return DECC_E_PARSE;
  decc_u256 r = {{0, 0, 0, 0}};
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s += 2;
    if (!*s)
      return DECC_E_PARSE;
    int range = 0;
    for (; *s; s++) {
      int d = decc__hex_digit(*s);
      if (d < 0)
        return DECC_E_PARSE;
      /* Keep scanning after an overflow so a bad character still wins. */
      if (r.w[3] >> 60)
        range = 1;
      if (range)
        continue;
      r.w[3] = (r.w[3] << 4) | (r.w[2] >> 60);
      r.w[2] = (r.w[2] << 4) | (r.w[1] >> 60);
      r.w[1] = (r.w[1] << 4) | (r.w[0] >> 60);
      r.w[0] = (r.w[0] << 4) | (uint64_t)d;
    }
    if (range)
      return DECC_E_RANGE;
    *out = r;
    return DECC_OK;
  }
  int range = 0;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return DECC_E_PARSE;
    if (range)
      continue;
    /* r = r*10 + d, limb by limb, with the final carry as overflow. */
    uint64_t carry = (uint64_t)(*s - '0');
    for (int i = 0; i < 4; i++) {
      u128 t = (u128)r.w[i] * 10u + carry;
      r.w[i] = (uint64_t)t;
      carry = (uint64_t)(t >> 64);
    }
    if (carry)
      range = 1;
  }
  if (range)
    return DECC_E_RANGE;
  *out = r;
  return DECC_OK;
}

char *decc_u256_to_dec(char out[DECC_U256_DEC_LEN], const decc_u256 *v) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(v != NULL, NULL);

  /* Peel 19 decimal digits at a time (10^19 < 2^64). */
  static const uint64_t P19 = 10000000000000000000ull;
  uint64_t x[4];
  memcpy(x, v->w, sizeof x);
  char tmp[DECC_U256_DEC_LEN + 19];
  size_t pos = sizeof tmp;
  tmp[--pos] = 0;
  int n = nlimbs(x, 4);
  do {
    u128 rem = 0;
    for (int i = n - 1; i >= 0; i--) {
      u128 cur = (rem << 64) | x[i];
      x[i] = (uint64_t)(cur / P19);
      rem = cur % P19;
    }
    uint64_t chunk = (uint64_t)rem;
    n = nlimbs(x, n);
    for (int k = 0; k < 19; k++) {
      tmp[--pos] = (char)('0' + chunk % 10);
      chunk /= 10;
      if (n == 0 && chunk == 0)
        break;
    }
  } while (n > 0);
  memcpy(out, tmp + pos, sizeof tmp - pos);
  return out;
}

char *decc_u256_to_hex(char out[DECC_U256_HEX_LEN], const decc_u256 *v) {
  DECC_ARG_CHECK_RET(out != NULL, NULL);
  DECC_ARG_CHECK_RET(v != NULL, NULL);

  static const char digits[] = "0123456789abcdef";
  size_t o = 0;
  out[o++] = '0';
  out[o++] = 'x';
  int started = 0;
  for (int i = 63; i >= 0; i--) {
    unsigned nib = (unsigned)(v->w[i / 16] >> ((i % 16) * 4)) & 0xf;
    if (!nib && !started && i > 0)
      continue;
    started = 1;
    out[o++] = digits[nib];
  }
  out[o] = 0;
  return out;
}
