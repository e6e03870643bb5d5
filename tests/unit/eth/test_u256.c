/*
 * test_u256.c — uint256 parsing, printing, byte forms and checked
 * arithmetic: known answers at the limb boundaries (0, 2^64, 2^128,
 * 2^256-1), every error path, and randomized cross-checks of div/muldiv
 * against a slow shift-and-subtract reference written here.
 */
#include <stdlib.h>

#include "decc/u256.h"
#include "test.h"

#define MAX_DEC                                                                \
  "11579208923731619542357098500868790785326998466564056403945758400791312963" \
  "9935"
#define MAX_HEX                                                                \
  "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static decc_u256 P(const char *s) {
  decc_u256 v = {{0}};
  if (decc_u256_parse(&v, s) != DECC_OK) {
    fprintf(stderr, "bad literal %s\n", s);
    abort();
  }
  return v;
}

static int eq_dec(const decc_u256 *v, const char *dec) {
  char buf[DECC_U256_DEC_LEN];
  decc_u256_to_dec(buf, v);
  if (strcmp(buf, dec) != 0) {
    fprintf(stderr, "    got %s want %s\n", buf, dec);
    return 0;
  }
  return 1;
}

TEST(parse_decimal_boundaries) {
  decc_u256 v;
  ASSERT_OK(decc_u256_parse(&v, "0"));
  ASSERT(decc_u256_is_zero(&v));
  ASSERT(eq_dec(&v, "0"));
  ASSERT_OK(decc_u256_parse(&v, "18446744073709551615"));
  ASSERT(v.w[0] == UINT64_MAX && v.w[1] == 0);
  ASSERT_OK(decc_u256_parse(&v, "18446744073709551616"));
  ASSERT(v.w[0] == 0 && v.w[1] == 1 && v.w[2] == 0);
  ASSERT_OK(decc_u256_parse(&v, "340282366920938463463374607431768211456"));
  ASSERT(v.w[0] == 0 && v.w[1] == 0 && v.w[2] == 1 && v.w[3] == 0);
  ASSERT_OK(decc_u256_parse(&v, MAX_DEC));
  for (int i = 0; i < 4; i++)
    ASSERT(v.w[i] == UINT64_MAX);
  ASSERT(eq_dec(&v, MAX_DEC));
  ASSERT_EQ(strlen(MAX_DEC), 78);
}

TEST(parse_decimal_errors) {
  decc_u256 v;
  /* 2^256 exactly, and a 79-digit number */
  ASSERT_EQ(decc_u256_parse(&v, "1157920892373161954235709850086879078532699846"
                                "65640564039457584007913129639936"),
            DECC_E_RANGE);
  ASSERT_EQ(decc_u256_parse(&v, "1000000000000000000000000000000000000000000000"
                                "000000000000000000000000000000000"),
            DECC_E_RANGE);
  ASSERT_EQ(decc_u256_parse(&v, ""), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, NULL), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "-1"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "+1"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, " 1"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "1 "), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "1e18"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "1.0"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "12a"), DECC_E_PARSE);
  /* a bad character after an overflow is still a parse error */
  ASSERT_EQ(decc_u256_parse(&v, MAX_DEC "0x"), DECC_E_PARSE);
}

TEST(parse_leading_zeros) {
  decc_u256 v;
  char s[300];
  memset(s, '0', 150);
  strcpy(s + 150, MAX_DEC);
  ASSERT_OK(decc_u256_parse(&v, s));
  ASSERT(eq_dec(&v, MAX_DEC));
  ASSERT_OK(decc_u256_parse(&v, "000"));
  ASSERT(decc_u256_is_zero(&v));
  ASSERT_OK(decc_u256_parse(&v, "007"));
  ASSERT(eq_dec(&v, "7"));
  strcpy(s, "0x");
  memset(s + 2, '0', 100);
  strcpy(s + 102, "ff");
  ASSERT_OK(decc_u256_parse(&v, s));
  ASSERT(eq_dec(&v, "255"));
}

TEST(parse_hex) {
  decc_u256 v;
  ASSERT_OK(decc_u256_parse(&v, MAX_HEX));
  ASSERT(eq_dec(&v, MAX_DEC));
  ASSERT_OK(decc_u256_parse(
      &v,
      "0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"));
  ASSERT(eq_dec(&v, MAX_DEC));
  ASSERT_OK(decc_u256_parse(&v, "0x10000000000000000"));
  ASSERT(eq_dec(&v, "18446744073709551616"));
  ASSERT_OK(decc_u256_parse(&v, "0X0"));
  ASSERT(decc_u256_is_zero(&v));
  ASSERT_OK(decc_u256_parse(&v, "0xDe0B6b3a7640000"));
  ASSERT(eq_dec(&v, "1000000000000000000"));
  ASSERT_EQ(decc_u256_parse(&v, "0x"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "0X"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "0xg"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "0x0x1"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "x1"), DECC_E_PARSE);
  ASSERT_EQ(decc_u256_parse(&v, "0x1fffffffffffffffffffffffffffffffffffffffffff"
                                "fffffffffffffffffffff"),
            DECC_E_RANGE);
  ASSERT_EQ(decc_u256_parse(&v, "0x1fffffffffffffffffffffffffffffffffffffffffff"
                                "fffffffffffffffffffffz"),
            DECC_E_PARSE);
}

TEST(to_dec_values) {
  decc_u256 v = decc_u256_from_u64(0);
  ASSERT(eq_dec(&v, "0"));
  v = decc_u256_from_u64(10000000000000000000ull);
  ASSERT(eq_dec(&v, "10000000000000000000"));
  v = decc_u256_from_u64(9999999999999999999ull);
  ASSERT(eq_dec(&v, "9999999999999999999"));
  v = decc_u256_from_u64(UINT64_MAX);
  ASSERT(eq_dec(&v, "18446744073709551615"));
  /* 10^38 and 10^57: chunk boundaries with internal zero chunks */
  v = P("100000000000000000000000000000000000000");
  ASSERT(eq_dec(&v, "100000000000000000000000000000000000000"));
  v = P("1000000000000000000000000000000000000000000000000000000001");
  ASSERT(
      eq_dec(&v, "1000000000000000000000000000000000000000000000000000000001"));
}

TEST(u64_conversion) {
  uint64_t x = 0;
  decc_u256 v = decc_u256_from_u64(42);
  ASSERT_EQ(decc_u256_to_u64(&x, &v), 1);
  ASSERT_EQ(x, 42);
  v = P("18446744073709551616");
  x = 7;
  ASSERT_EQ(decc_u256_to_u64(&x, &v), 0);
  ASSERT_EQ(x, 7);
  v = P("0x1000000000000000000000000000000000000000000000000");
  ASSERT_EQ(decc_u256_to_u64(&x, &v), 0);
  v = P("18446744073709551615");
  ASSERT_EQ(decc_u256_to_u64(&x, &v), 1);
  ASSERT(x == UINT64_MAX);
}

TEST(be_bytes) {
  uint8_t b[32], b2[32];
  for (int i = 0; i < 32; i++)
    b[i] = (uint8_t)(i + 1);
  decc_u256 v;
  decc_u256_from_be(&v, b);
  ASSERT(v.w[3] == 0x0102030405060708ull);
  ASSERT(v.w[0] == 0x191a1b1c1d1e1f20ull);
  decc_u256_to_be(b2, &v);
  ASSERT_MEM_EQ(b, b2, 32);
  v = decc_u256_from_u64(1);
  decc_u256_to_be(b2, &v);
  ASSERT_EQ(b2[31], 1);
  for (int i = 0; i < 31; i++)
    ASSERT_EQ(b2[i], 0);
}

TEST(cmp_order) {
  decc_u256 a = P("18446744073709551616"), b = P("18446744073709551615");
  ASSERT_EQ(decc_u256_cmp(&a, &b), 1);
  ASSERT_EQ(decc_u256_cmp(&b, &a), -1);
  ASSERT_EQ(decc_u256_cmp(&a, &a), 0);
  decc_u256 m = P(MAX_HEX), z = decc_u256_from_u64(0);
  ASSERT_EQ(decc_u256_cmp(&m, &z), 1);
  ASSERT_EQ(decc_u256_cmp(&z, &m), -1);
  ASSERT(!decc_u256_is_zero(&m));
}

TEST(add_sub) {
  decc_u256 a = P("18446744073709551615"), one = decc_u256_from_u64(1), r;
  ASSERT_OK(decc_u256_add(&r, &a, &one));
  ASSERT(eq_dec(&r, "18446744073709551616"));
  ASSERT_OK(decc_u256_sub(&r, &r, &one)); /* aliasing */
  ASSERT(eq_dec(&r, "18446744073709551615"));
  decc_u256 m = P(MAX_HEX);
  ASSERT_EQ(decc_u256_add(&r, &m, &one), DECC_E_RANGE);
  ASSERT_OK(decc_u256_add(&r, &m, &(decc_u256){{0}}));
  ASSERT(eq_dec(&r, MAX_DEC));
  decc_u256 z = decc_u256_from_u64(0);
  ASSERT_EQ(decc_u256_sub(&r, &z, &one), DECC_E_RANGE);
  ASSERT_OK(decc_u256_sub(&r, &m, &m));
  ASSERT(decc_u256_is_zero(&r));
  /* borrow across all limbs: 2^192 - 1 */
  decc_u256 p192 = P("0x1000000000000000000000000000000000000000000000000");
  ASSERT_OK(decc_u256_sub(&r, &p192, &one));
  ASSERT(r.w[0] == UINT64_MAX && r.w[1] == UINT64_MAX && r.w[2] == UINT64_MAX &&
         r.w[3] == 0);
  /* carry chain: (2^256-1) - 2^128 + 2^128 */
  decc_u256 p128 = P("340282366920938463463374607431768211456");
  ASSERT_OK(decc_u256_sub(&r, &m, &p128));
  ASSERT_OK(decc_u256_add(&r, &r, &p128));
  ASSERT(eq_dec(&r, MAX_DEC));
}

TEST(mul_values) {
  decc_u256 a = P("340282366920938463463374607431768211455"), r; /* 2^128-1 */
  ASSERT_OK(decc_u256_mul(&r, &a, &a));
  ASSERT(eq_dec(&r, "1157920892373161954235709850086879078525894199317986871125"
                    "30834793049593217025"));
  decc_u256 p128 = P("340282366920938463463374607431768211456");
  ASSERT_EQ(decc_u256_mul(&r, &p128, &p128), DECC_E_RANGE);
  decc_u256 m = P(MAX_HEX), two = decc_u256_from_u64(2);
  ASSERT_EQ(decc_u256_mul(&r, &m, &two), DECC_E_RANGE);
  decc_u256 one = decc_u256_from_u64(1), z = decc_u256_from_u64(0);
  ASSERT_OK(decc_u256_mul(&r, &m, &one));
  ASSERT(eq_dec(&r, MAX_DEC));
  ASSERT_OK(decc_u256_mul(&r, &m, &z));
  ASSERT(decc_u256_is_zero(&r));
  /* 3^160 */
  decc_u256 three = decc_u256_from_u64(3);
  r = one;
  for (int i = 0; i < 160; i++)
    ASSERT_OK(decc_u256_mul(&r, &r, &three));
  ASSERT(eq_dec(&r, "2184745005283921262423065650299023514256705010491275188081"
                    "2823948662932355201"));
  decc_u256 six = P("6");
  ASSERT_EQ(decc_u256_mul(&r, &r, &six), DECC_E_RANGE);
}

TEST(div_values) {
  decc_u256 q, r;
  decc_u256 m = P(MAX_HEX), z = decc_u256_from_u64(0);
  ASSERT_EQ(decc_u256_div(&q, &r, &m, &z), DECC_E_RANGE);
  ASSERT_OK(decc_u256_div(&q, &r, &m, &m));
  ASSERT(eq_dec(&q, "1") && decc_u256_is_zero(&r));
  ASSERT_OK(decc_u256_div(&q, &r, &z, &m));
  ASSERT(decc_u256_is_zero(&q) && decc_u256_is_zero(&r));
  decc_u256 ten = decc_u256_from_u64(10);
  ASSERT_OK(decc_u256_div(&q, &r, &m, &ten));
  ASSERT(eq_dec(&q, "1157920892373161954235709850086879078532699846656405640394"
                    "5758400791312963993"));
  ASSERT(eq_dec(&r, "5"));
  decc_u256 p128 = P("340282366920938463463374607431768211456");
  ASSERT_OK(decc_u256_div(&q, &r, &m, &p128));
  ASSERT(eq_dec(&q, "340282366920938463463374607431768211455"));
  ASSERT(eq_dec(&r, "340282366920938463463374607431768211455"));
  /* quot and rem optional; small / big */
  ASSERT_OK(decc_u256_div(&q, NULL, &ten, &m));
  ASSERT(decc_u256_is_zero(&q));
  ASSERT_OK(decc_u256_div(NULL, &r, &ten, &m));
  ASSERT(eq_dec(&r, "10"));
}

TEST(muldiv_values) {
  decc_u256 r;
  decc_u256 m = P(MAX_HEX), z = decc_u256_from_u64(0);
  decc_u256 p255 =
      P("0x8000000000000000000000000000000000000000000000000000000000000000");
  /* intermediate exceeds 2^256 but the result fits */
  ASSERT_OK(decc_u256_muldiv(&r, &m, &p255, &m));
  ASSERT(eq_dec(&r, "5789604461865809771178549250434395392663499233282028201972"
                    "8792003956564819968"));
  ASSERT_OK(decc_u256_muldiv(&r, &m, &m, &m));
  ASSERT(eq_dec(&r, MAX_DEC));
  ASSERT_EQ(decc_u256_muldiv(&r, &m, &m, &z), DECC_E_RANGE);
  decc_u256 two = decc_u256_from_u64(2), one = decc_u256_from_u64(1);
  ASSERT_EQ(decc_u256_muldiv(&r, &m, &two, &one), DECC_E_RANGE);
  /* floor: 7*5/3 = 11 */
  decc_u256 x7 = P("7"), x5 = P("5"), x3 = P("3");
  ASSERT_OK(decc_u256_muldiv(&r, &x7, &x5, &x3));
  ASSERT(eq_dec(&r, "11"));
  /* PoCo-style price split: 1e18 * 95 / 100 */
  decc_u256 wei = P("1000000000000000000"), x95 = P("95"), x100 = P("100");
  ASSERT_OK(decc_u256_muldiv(&r, &wei, &x95, &x100));
  ASSERT(eq_dec(&r, "950000000000000000"));
  ASSERT_OK(decc_u256_muldiv(&r, &z, &m, &one));
  ASSERT(decc_u256_is_zero(&r));
}

/* ---- randomized cross-check against a slow reference --------------------- */

static uint64_t g_rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}

/* Random value with a random number of significant limbs and sometimes
 * all-ones or tiny limbs, to hit Knuth D's rare correction branch. */
static decc_u256 rnd_u256(void) {
  decc_u256 v = {{0}};
  int limbs = (int)(rnd() % 5);
  for (int i = 0; i < limbs; i++) {
    switch (rnd() % 4) {
    case 0:
      v.w[i] = UINT64_MAX;
      break;
    case 1:
      v.w[i] = rnd() & 0xff;
      break;
    case 2:
      v.w[i] = 1ull << 63;
      break;
    default:
      v.w[i] = rnd();
    }
  }
  return v;
}

/* Reference: restoring binary long division of an 8-limb number by a
 * 4-limb number. */
static void ref_divmod(uint64_t q[8], uint64_t r[4], const uint64_t u[8],
                       const decc_u256 *d) {
  uint64_t rem[5] = {0};
  memset(q, 0, 8 * sizeof q[0]);
  for (int bit = 511; bit >= 0; bit--) {
    /* rem = rem*2 + bit */
    for (int i = 4; i > 0; i--)
      rem[i] = (rem[i] << 1) | (rem[i - 1] >> 63);
    rem[0] = (rem[0] << 1) | ((u[bit / 64] >> (bit % 64)) & 1);
    /* if rem >= d: rem -= d */
    int ge = rem[4] != 0;
    if (!ge) {
      ge = 1;
      for (int i = 3; i >= 0; i--) {
        if (rem[i] != d->w[i]) {
          ge = rem[i] > d->w[i];
          break;
        }
      }
    }
    if (ge) {
      uint64_t borrow = 0;
      for (int i = 0; i < 5; i++) {
        uint64_t di = i < 4 ? d->w[i] : 0;
        uint64_t t = rem[i] - di - borrow;
        borrow = (rem[i] < di) || (rem[i] == di && borrow);
        rem[i] = t;
      }
      q[bit / 64] |= 1ull << (bit % 64);
    }
  }
  memcpy(r, rem, 4 * sizeof r[0]);
}

static void ref_mul(uint64_t out[8], const decc_u256 *a, const decc_u256 *b) {
  memset(out, 0, 8 * sizeof out[0]);
  for (int i = 0; i < 4; i++) {
    uint64_t carry = 0;
    for (int j = 0; j < 4; j++) {
      __extension__ unsigned __int128 t =
          (unsigned __int128)a->w[i] * b->w[j] + out[i + j] + carry;
      out[i + j] = (uint64_t)t;
      carry = (uint64_t)(t >> 64);
    }
    out[i + 4] = carry;
  }
}

TEST(random_div_muldiv_vs_reference) {
  for (int it = 0; it < 4000; it++) {
    decc_u256 a = rnd_u256(), b = rnd_u256(), d = rnd_u256();
    uint64_t wide[8] = {0}, q[8], r[4];
    memcpy(wide, a.w, sizeof a.w);
    decc_u256 qq, rr;
    decc_status st = decc_u256_div(&qq, &rr, &a, &d);
    if (decc_u256_is_zero(&d)) {
      ASSERT_EQ(st, DECC_E_RANGE);
      continue;
    }
    ASSERT_OK(st);
    ref_divmod(q, r, wide, &d);
    ASSERT_MEM_EQ(qq.w, q, 32);
    ASSERT_MEM_EQ(rr.w, r, 32);

    ref_mul(wide, &a, &b);
    ref_divmod(q, r, wide, &d);
    st = decc_u256_muldiv(&qq, &a, &b, &d);
    if (q[4] | q[5] | q[6] | q[7]) {
      ASSERT_EQ(st, DECC_E_RANGE);
    } else {
      ASSERT_OK(st);
      ASSERT_MEM_EQ(qq.w, q, 32);
    }
    /* mul agrees with the wide product when it fits */
    st = decc_u256_mul(&qq, &a, &b);
    if (wide[4] | wide[5] | wide[6] | wide[7]) {
      ASSERT_EQ(st, DECC_E_RANGE);
    } else {
      ASSERT_OK(st);
      ASSERT_MEM_EQ(qq.w, wide, 32);
    }
  }
}

TEST(random_dec_roundtrip) {
  for (int it = 0; it < 2000; it++) {
    decc_u256 a = rnd_u256(), b;
    char s[DECC_U256_DEC_LEN];
    decc_u256_to_dec(s, &a);
    ASSERT(strlen(s) <= 78);
    ASSERT(s[0] != '0' || s[1] == 0);
    ASSERT_OK(decc_u256_parse(&b, s));
    ASSERT_EQ(decc_u256_cmp(&a, &b), 0);
    /* add/sub inverse */
    decc_u256 c = rnd_u256(), sum, back;
    if (decc_u256_add(&sum, &a, &c) == DECC_OK) {
      ASSERT_OK(decc_u256_sub(&back, &sum, &c));
      ASSERT_EQ(decc_u256_cmp(&back, &a), 0);
    }
  }
}

TEST(to_hex_quantity) {
  char h[DECC_U256_HEX_LEN];
  decc_u256 v = decc_u256_from_u64(0);
  ASSERT_STR_EQ(decc_u256_to_hex(h, &v), "0x0");
  v = decc_u256_from_u64(255);
  ASSERT_STR_EQ(decc_u256_to_hex(h, &v), "0xff");
  v = P("18446744073709551616");
  ASSERT_STR_EQ(decc_u256_to_hex(h, &v), "0x10000000000000000");
  v = P(MAX_DEC);
  ASSERT_STR_EQ(decc_u256_to_hex(h, &v), MAX_HEX);
  for (int it = 0; it < 500; it++) {
    decc_u256 a = rnd_u256(), b;
    ASSERT_OK(decc_u256_parse(&b, decc_u256_to_hex(h, &a)));
    ASSERT_EQ(decc_u256_cmp(&a, &b), 0);
  }
}
