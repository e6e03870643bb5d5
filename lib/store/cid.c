/*
 * cid.c — the multiformats codecs the store and the dataset layer need:
 * unsigned varints, base58btc and base32 multibase, sha2-256 multihashes,
 * CIDv0/CIDv1 text and binary forms, and iExec's binary multiaddr for
 * "/ipfs/<cid>" (the on-chain dataset location). Everything here parses
 * outside input, so every length is checked before it is used.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/cid.h"
#include "decc/hash.h"
#include "decc/mem.h"

static const char B58[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char B32[] = "abcdefghijklmnopqrstuvwxyz234567";

/* ---- varint -------------------------------------------------------------- */

size_t decc_varint_encode(uint8_t out[10], uint64_t v) {
  DECC_ARG_CHECK_RET(out != NULL, 0);
  size_t i = 0;
  while (v >= 0x80) {
    out[i++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[i++] = (uint8_t)v;
  return i;
}

decc_status decc_varint_decode(uint64_t *v, size_t *used, const uint8_t *in,
                               size_t n) {
  DECC_ARG_CHECK(v != NULL);
  DECC_ARG_CHECK(used != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  uint64_t r = 0;
  for (size_t i = 0; i < n && i < 9; i++) {
    r |= (uint64_t)(in[i] & 0x7f) << (7 * i);
    if (!(in[i] & 0x80)) {
      /* A final zero byte after others would be a padded encoding. */
      if (i > 0 && in[i] == 0)
        return DECC_E_PARSE;
      *v = r;
      *used = i + 1;
      return DECC_OK;
    }
  }
  return DECC_E_PARSE;
}

/* ---- base58btc ----------------------------------------------------------- */

decc_status decc_base58btc_encode(char *out, size_t cap, const uint8_t *in,
                                  size_t n) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  if (n > 1024)
    return DECC_E_LIMIT;
  size_t zeros = 0;
  while (zeros < n && in[zeros] == 0)
    zeros++;
  /* log(256)/log(58) < 1.366: digits needed for the remaining bytes. */
  size_t size = (n - zeros) * 138 / 100 + 1;
  uint8_t digits[1420];
  memset(digits, 0, size);
  size_t len = 0; /* used digits, little-endian base 58 */
  for (size_t i = zeros; i < n; i++) {
    unsigned carry = in[i];
    size_t j = 0;
    for (; j < len || carry; j++) {
      carry += 256u * digits[j];
      digits[j] = (uint8_t)(carry % 58);
      carry /= 58;
    }
    len = j;
  }
  if (zeros + len + 1 > cap)
    return DECC_E_RANGE;
  size_t o = 0;
  for (size_t i = 0; i < zeros; i++)
    out[o++] = '1';
  for (size_t i = 0; i < len; i++)
    out[o++] = B58[digits[len - 1 - i]];
  out[o] = 0;
  return DECC_OK;
}

static int b58_value(char c) {
  const char *p = c ? strchr(B58, c) : NULL;
  return p ? (int)(p - B58) : -1;
}

decc_status decc_base58btc_decode(uint8_t *out, size_t cap, size_t *len,
                                  const char *s, size_t slen) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(len != NULL);
  DECC_ARG_CHECK(s != NULL || slen == 0);
  if (slen > 2048)
    return DECC_E_LIMIT;
  size_t zeros = 0;
  while (zeros < slen && s[zeros] == '1')
    zeros++;
  uint8_t bytes[1502]; /* 2048 * log(58)/log(256) < 1500 */
  size_t blen = 0;     /* little-endian base 256 */
  for (size_t i = zeros; i < slen; i++) {
    int v = b58_value(s[i]);
    if (v < 0)
      return DECC_E_PARSE;
    unsigned carry = (unsigned)v;
    size_t j = 0;
    for (; j < blen || carry; j++) {
      if (j < blen)
        carry += 58u * bytes[j];
      bytes[j] = (uint8_t)(carry & 0xff);
      carry >>= 8;
    }
    blen = j;
  }
  if (zeros + blen > cap)
    return DECC_E_RANGE;
  memset(out, 0, zeros);
  for (size_t i = 0; i < blen; i++)
    out[zeros + i] = bytes[blen - 1 - i];
  *len = zeros + blen;
  return DECC_OK;
}

/* ---- base32 -------------------------------------------------------------- */

decc_status decc_base32_encode(char *out, size_t cap, const uint8_t *in,
                               size_t n) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  size_t need = (n * 8 + 4) / 5;
  if (need + 1 > cap)
    return DECC_E_RANGE;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8) | in[i];
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[o++] = B32[(acc >> bits) & 31];
    }
  }
  if (bits > 0)
    out[o++] = B32[(acc << (5 - bits)) & 31];
  out[o] = 0;
  return DECC_OK;
}

decc_status decc_base32_decode(uint8_t *out, size_t cap, size_t *len,
                               const char *s, size_t slen) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(len != NULL);
  DECC_ARG_CHECK(s != NULL || slen == 0);
  /* Lengths 1, 3 and 6 mod 8 cannot come from whole bytes. */
  size_t rem = slen % 8;
  if (rem == 1 || rem == 3 || rem == 6)
    return DECC_E_PARSE;
  if (slen * 5 / 8 > cap)
    return DECC_E_RANGE;
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (size_t i = 0; i < slen; i++) {
    char c = s[i];
    int v;
    if (c >= 'a' && c <= 'z')
      v = c - 'a';
    else if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= '2' && c <= '7')
      v = c - '2' + 26;
    else
      return DECC_E_PARSE;
    acc = (acc << 5) | (uint32_t)v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (uint8_t)(acc >> bits);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    return DECC_E_PARSE;
  *len = o;
  return DECC_OK;
}

/* ---- multihash / CID ----------------------------------------------------- */

void decc_multihash_sha256(uint8_t mh34[34], const void *data, size_t n) {
  DECC_ARG_CHECK_VOID(mh34 != NULL);
  DECC_ARG_CHECK_VOID(data != NULL || n == 0);
  mh34[0] = DECC_MH_SHA2_256;
  mh34[1] = 32;
  decc_sha256(mh34 + 2, data, n);
}

decc_status decc_multihash_parse(uint64_t *code, const uint8_t **digest,
                                 size_t *digest_len, const uint8_t *mh,
                                 size_t mh_len) {
  DECC_ARG_CHECK(mh != NULL || mh_len == 0);
  uint64_t c, l;
  size_t u1, u2;
  if (mh_len > DECC_CID_MH_MAX || decc_varint_decode(&c, &u1, mh, mh_len))
    return DECC_E_PARSE;
  if (decc_varint_decode(&l, &u2, mh + u1, mh_len - u1))
    return DECC_E_PARSE;
  if (l != mh_len - u1 - u2)
    return DECC_E_PARSE;
  if (c == DECC_MH_SHA2_256 && l != 32)
    return DECC_E_PARSE;
  if (code)
    *code = c;
  if (digest)
    *digest = mh + u1 + u2;
  if (digest_len)
    *digest_len = (size_t)l;
  return DECC_OK;
}

decc_status decc_cid_from_sha256(decc_cid *cid, unsigned version,
                                 uint64_t codec, const uint8_t digest32[32]) {
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(digest32 != NULL);
  if (version > 1 || (version == 0 && codec != DECC_CODEC_DAG_PB))
    return DECC_E_INVALID;
  memset(cid, 0, sizeof *cid);
  cid->version = version;
  cid->codec = codec;
  cid->mh[0] = DECC_MH_SHA2_256;
  cid->mh[1] = 32;
  memcpy(cid->mh + 2, digest32, 32);
  cid->mh_len = 34;
  return DECC_OK;
}

decc_status decc_cid_of_block(decc_cid *cid, unsigned version, uint64_t codec,
                              const uint8_t *block, size_t n) {
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(block != NULL || n == 0);
  uint8_t d[32];
  decc_sha256(d, block, n);
  return decc_cid_from_sha256(cid, version, codec, d);
}

decc_status decc_cid_decode(decc_cid *cid, size_t *used, const uint8_t *in,
                            size_t n, decc_err *err) {
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  memset(cid, 0, sizeof *cid);
  /* A CIDv0 is a bare sha2-256 multihash: it starts 0x12 0x20. */
  if (n >= 2 && in[0] == DECC_MH_SHA2_256 && in[1] == 32) {
    if (n < 34 || (!used && n != 34))
      return decc_err_set(err, DECC_E_PARSE,
                          "CIDv0: expected 34 bytes, got %zu", n);
    cid->version = 0;
    cid->codec = DECC_CODEC_DAG_PB;
    memcpy(cid->mh, in, 34);
    cid->mh_len = 34;
    if (used)
      *used = 34;
    return DECC_OK;
  }
  uint64_t ver, codec, code, l;
  size_t u, off = 0;
  if (decc_varint_decode(&ver, &u, in, n) || ver != 1)
    return decc_err_set(err, DECC_E_PARSE, "CID: unsupported version");
  off += u;
  if (decc_varint_decode(&codec, &u, in + off, n - off))
    return decc_err_set(err, DECC_E_PARSE, "CID: bad codec varint");
  off += u;
  size_t mh_start = off;
  if (decc_varint_decode(&code, &u, in + off, n - off))
    return decc_err_set(err, DECC_E_PARSE, "CID: bad multihash code");
  off += u;
  if (decc_varint_decode(&l, &u, in + off, n - off))
    return decc_err_set(err, DECC_E_PARSE, "CID: bad multihash length");
  off += u;
  if (l > n - off || off + l - mh_start > DECC_CID_MH_MAX)
    return decc_err_set(err, DECC_E_PARSE,
                        "CID: multihash truncated or too long");
  size_t end = off + (size_t)l;
  if (!used && end != n)
    return decc_err_set(err, DECC_E_PARSE, "CID: trailing bytes");
  if (decc_multihash_parse(NULL, NULL, NULL, in + mh_start, end - mh_start))
    return decc_err_set(err, DECC_E_PARSE, "CID: malformed multihash");
  cid->version = 1;
  cid->codec = codec;
  memcpy(cid->mh, in + mh_start, end - mh_start);
  cid->mh_len = end - mh_start;
  if (used)
    *used = end;
  return DECC_OK;
}

decc_status decc_cid_encode(uint8_t *out, size_t cap, size_t *len,
                            const decc_cid *cid) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(len != NULL);
  DECC_ARG_CHECK(cid != NULL);
  if (cid->version > 1 || cid->mh_len == 0 || cid->mh_len > DECC_CID_MH_MAX)
    return DECC_E_INVALID;
  if (cid->version == 0) {
    if (cid->codec != DECC_CODEC_DAG_PB || cid->mh_len != 34 ||
        cid->mh[0] != DECC_MH_SHA2_256)
      return DECC_E_INVALID;
    if (cap < 34)
      return DECC_E_RANGE;
    memcpy(out, cid->mh, 34);
    *len = 34;
    return DECC_OK;
  }
  uint8_t hdr[20];
  size_t h = decc_varint_encode(hdr, 1);
  h += decc_varint_encode(hdr + h, cid->codec);
  if (h + cid->mh_len > cap)
    return DECC_E_RANGE;
  memcpy(out, hdr, h);
  memcpy(out + h, cid->mh, cid->mh_len);
  *len = h + cid->mh_len;
  return DECC_OK;
}

decc_status decc_cid_to_string(char *out, size_t cap, const decc_cid *cid) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(cid != NULL);
  uint8_t bin[DECC_CID_BIN_MAX];
  size_t n;
  decc_status st = decc_cid_encode(bin, sizeof bin, &n, cid);
  if (st)
    return st;
  if (cid->version == 0)
    return decc_base58btc_encode(out, cap, bin, n);
  if (cap < 2)
    return DECC_E_RANGE;
  out[0] = 'b';
  return decc_base32_encode(out + 1, cap - 1, bin, n);
}

decc_status decc_cid_parse(decc_cid *cid, const char *s, decc_err *err) {
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(s != NULL);
  size_t n = strlen(s);
  uint8_t bin[DECC_CID_BIN_MAX + 8];
  size_t blen = 0;
  if (n == 46 && s[0] == 'Q' && s[1] == 'm') {
    if (decc_base58btc_decode(bin, sizeof bin, &blen, s, n) || blen != 34 ||
        bin[0] != DECC_MH_SHA2_256 || bin[1] != 32)
      return decc_err_set(err, DECC_E_PARSE,
                          "CIDv0 '%.60s': not base58btc of a "
                          "sha2-256 multihash",
                          s);
    return decc_cid_decode(cid, NULL, bin, blen, err);
  }
  if (n < 2 || n > 2 * DECC_CID_STR_MAX)
    return decc_err_set(err, DECC_E_PARSE, "CID '%.60s': bad length", s);
  decc_status st;
  if (s[0] == 'b' || s[0] == 'B')
    st = decc_base32_decode(bin, sizeof bin, &blen, s + 1, n - 1);
  else if (s[0] == 'z')
    st = decc_base58btc_decode(bin, sizeof bin, &blen, s + 1, n - 1);
  else
    return decc_err_set(err, DECC_E_PARSE,
                        "CID '%.60s': unsupported multibase prefix '%c'", s,
                        s[0]);
  if (st)
    return decc_err_set(err, DECC_E_PARSE, "CID '%.60s': bad multibase text",
                        s);
  if (blen >= 1 && bin[0] != 1)
    return decc_err_set(err, DECC_E_PARSE, "CID '%.60s': not a CIDv1", s);
  st = decc_cid_decode(cid, NULL, bin, blen, err);
  if (st)
    decc_err_prefix(err, "'%.60s'", s);
  return st;
}

int decc_cid_equal(const decc_cid *a, const decc_cid *b) {
  DECC_ARG_CHECK_RET(a != NULL, 0);
  DECC_ARG_CHECK_RET(b != NULL, 0);
  return a->version == b->version && a->codec == b->codec &&
         decc_cid_same_hash(a, b);
}

int decc_cid_same_hash(const decc_cid *a, const decc_cid *b) {
  DECC_ARG_CHECK_RET(a != NULL, 0);
  DECC_ARG_CHECK_RET(b != NULL, 0);
  return a->mh_len == b->mh_len && memcmp(a->mh, b->mh, a->mh_len) == 0;
}

/* ---- binary multiaddr ---------------------------------------------------- */

decc_status decc_multiaddr_from_string(uint8_t *out, size_t cap, size_t *len,
                                       const char *s, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(len != NULL);
  DECC_ARG_CHECK(s != NULL);
  const char *rest;
  if (!strncmp(s, "/ipfs/", 6))
    rest = s + 6;
  else if (!strncmp(s, "/p2p/", 5))
    rest = s + 5;
  else
    return decc_err_set(err, DECC_E_PARSE,
                        "multiaddr '%.60s': expected /ipfs/<cid> or /p2p/<cid>",
                        s);
  size_t rl = strlen(rest);
  if (rl > 0 && rest[rl - 1] == '/')
    rl--; /* multiaddr text tolerates one trailing slash */
  char cidtxt[2 * DECC_CID_STR_MAX + 1];
  if (rl == 0 || rl >= sizeof cidtxt || memchr(rest, '/', rl))
    return decc_err_set(err, DECC_E_PARSE,
                        "multiaddr '%.60s': expected a single CID component",
                        s);
  memcpy(cidtxt, rest, rl);
  cidtxt[rl] = 0;
  decc_cid cid;
  decc_status st = decc_cid_parse(&cid, cidtxt, err);
  if (st)
    return decc_err_prefix(err, "multiaddr");
  uint8_t hdr[20];
  size_t h = decc_varint_encode(hdr, DECC_MULTIADDR_IPFS);
  h += decc_varint_encode(hdr + h, cid.mh_len);
  if (h + cid.mh_len > cap)
    return decc_err_set(err, DECC_E_RANGE,
                        "multiaddr: output buffer too small");
  memcpy(out, hdr, h);
  memcpy(out + h, cid.mh, cid.mh_len);
  *len = h + cid.mh_len;
  return DECC_OK;
}

decc_status decc_multiaddr_to_string(char **out, const uint8_t *in, size_t n,
                                     decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  *out = NULL;
  uint64_t proto, l;
  size_t u1, u2;
  if (decc_varint_decode(&proto, &u1, in, n))
    return decc_err_set(err, DECC_E_PARSE, "multiaddr: bad protocol varint");
  if (proto != DECC_MULTIADDR_IPFS)
    return decc_err_set(err, DECC_E_PARSE,
                        "multiaddr: protocol %llu is not ipfs/p2p (421)",
                        (unsigned long long)proto);
  if (decc_varint_decode(&l, &u2, in + u1, n - u1))
    return decc_err_set(err, DECC_E_PARSE, "multiaddr: bad length varint");
  if (l != n - u1 - u2)
    return decc_err_set(err, DECC_E_PARSE,
                        "multiaddr: length %llu does not match %zu bytes",
                        (unsigned long long)l, n - u1 - u2);
  const uint8_t *mh = in + u1 + u2;
  uint64_t code;
  if (decc_multihash_parse(&code, NULL, NULL, mh, (size_t)l))
    return decc_err_set(err, DECC_E_PARSE, "multiaddr: malformed multihash");
  /* Only a sha2-256 multihash renders as a CIDv0 (Qm…) that parses back. */
  if (code != DECC_MH_SHA2_256)
    return decc_err_set(err, DECC_E_PARSE,
                        "multiaddr: multihash 0x%llx is not sha2-256",
                        (unsigned long long)code);
  char b58[DECC_CID_STR_MAX];
  if (decc_base58btc_encode(b58, sizeof b58, mh, (size_t)l))
    return decc_err_set(err, DECC_E_PARSE, "multiaddr: multihash too long");
  size_t sl = strlen(b58);
  char *s = decc_malloc(sl + 7);
  if (!s)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  memcpy(s, "/ipfs/", 6);
  memcpy(s + 6, b58, sl + 1);
  *out = s;
  return DECC_OK;
}
