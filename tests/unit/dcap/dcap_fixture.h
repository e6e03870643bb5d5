/*
 * dcap_fixture.h — a DCAP PKI and quotes built by the tests with OpenSSL:
 * a root CA of their own, the PCK Platform CA, a PCK certificate with its
 * SGX extension (chosen SVNs), the TCB signing certificate, both CRLs
 * (optionally revoking the PCK certificate), TCB info and QE identity JSON
 * signed as Intel signs them, and an SGX v3 or TDX v4 quote signed through
 * the QE report and the attestation key. Included by the dcap tests.
 */
#ifndef DECC_TEST_DCAP_FIXTURE_H
#define DECC_TEST_DCAP_FIXTURE_H

#include <jansson.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <time.h>

#include "decc/buf.h"
#include "decc/dcap.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "test.h"

/* Not every test file uses every helper. */
#pragma GCC diagnostic ignored "-Wunused-function"

#ifndef B
/* Builder calls cannot fail short of OOM; abort then. */
#define B(x)                                                                   \
  do {                                                                         \
    if ((x) != DECC_OK)                                                        \
      abort();                                                                 \
  } while (0)
#endif

/* ---- a PKI and quotes of our own ---------------------------------------- */

#define DAY 86400L
static const int64_t NOW = 1750000000; /* 2025-06-15T15:06:40Z */

typedef struct fx_opts {
  int tdx;
  uint8_t pck_comp[16];
  uint16_t pck_pcesvn;
  uint8_t tee_tcb_svn[16];
  uint8_t mrsignerseam0; /* first byte of MRSIGNERSEAM */
  uint8_t td_attr0;      /* TUD byte */
  uint16_t qe_isvsvn;
  uint16_t qe_prodid;
  uint8_t qe_mrsigner0;
  const uint8_t *report_data; /* 64 bytes, NULL: 0x5A… */
  const char *tcb_levels;     /* JSON array text */
  const char *tcb_extra;      /* extra TCB info members, starting with ',' */
  const char *qe_levels;      /* JSON array text */
  const char *qe_id;          /* NULL: QE / TD_QE */
  int revoke_pck;
  int64_t issue, next; /* TCB info and QE identity dates */
  long leaf_not_after; /* seconds from NOW */
  int keep_pki;        /* 1: keys, certificates and CRLs made once and
                              reused by later keep_pki builds (same root
                              DER), for a relying party set up before the
                              quote exists; fx_pki_free releases them */
} fx_opts;

typedef struct fx {
  uint8_t *root_der;
  int root_len;
  decc_buf quote;
  char *coll;
} fx;

static X509 *mk_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                     const char *cn, long serial, int ca, long not_after) {
  X509 *x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(NOW - 365 * DAY));
  ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(NOW + not_after));
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             (const unsigned char *)cn, -1, -1, 0);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_ASC,
                             (const unsigned char *)"decc tests", -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
  X509_set_pubkey(x, key);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
  const char *ext[][2] = {
      {"basicConstraints", ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {"keyUsage", ca ? "critical,keyCertSign,cRLSign"
                      : "critical,digitalSignature,nonRepudiation"},
      {"subjectKeyIdentifier", "hash"},
      {"authorityKeyIdentifier", "keyid:always"}};
  for (size_t i = 0; i < 4; i++) {
    X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, ext[i][0], ext[i][1]);
    if (e) {
      X509_add_ext(x, e, -1);
      X509_EXTENSION_free(e);
    }
  }
  (void)issuer_key;
  return x;
}

static void der_tlv(decc_buf *b, uint8_t tag, const void *p, size_t n) {
  uint8_t h[4] = {tag};
  size_t hl = 2;
  if (n < 128)
    h[1] = (uint8_t)n;
  else if (n < 256) {
    h[1] = 0x81;
    h[2] = (uint8_t)n;
    hl = 3;
  } else {
    h[1] = 0x82;
    h[2] = (uint8_t)(n >> 8);
    h[3] = (uint8_t)n;
    hl = 4;
  }
  B(decc_buf_append(b, h, hl));
  B(decc_buf_append(b, p, n));
}

/* SEQUENCE { OID 1.2.840.113741.1.13.1[.sub…], value } */
static void sgx_item(decc_buf *out, const uint8_t *sub, size_t subn,
                     uint8_t vtag, const void *v, size_t vn) {
  uint8_t oid[16] = {0x2A, 0x86, 0x48, 0x86, 0xF8, 0x4D, 0x01, 0x0D, 0x01};
  memcpy(oid + 9, sub, subn);
  decc_buf in;
  decc_buf_init(&in, 0);
  der_tlv(&in, 0x06, oid, 9 + subn);
  der_tlv(&in, vtag, v, vn);
  der_tlv(out, 0x30, in.data, in.len);
  decc_buf_clear(&in);
}

static void add_sgx_ext(X509 *x, const fx_opts *o) {
  decc_buf tcb, all, seq;
  decc_buf_init(&tcb, 0);
  decc_buf_init(&all, 0);
  decc_buf_init(&seq, 0);
  for (uint8_t i = 1; i <= 16; i++) {
    uint8_t sub[2] = {2, i};
    uint8_t v = o->pck_comp[i - 1];
    uint8_t iv[2] = {0, v};
    /* DER INTEGER: a leading zero when the high bit is set */
    sgx_item(&tcb, sub, 2, 0x02, v & 0x80 ? iv : iv + 1, v & 0x80 ? 2 : 1);
  }
  uint8_t sub17[2] = {2, 17}, sub18[2] = {2, 18};
  uint8_t pce[3] = {0, (uint8_t)(o->pck_pcesvn >> 8), (uint8_t)o->pck_pcesvn};
  if (pce[1] & 0x80)
    sgx_item(&tcb, sub17, 2, 0x02, pce, 3);
  else if (pce[1])
    sgx_item(&tcb, sub17, 2, 0x02, pce + 1, 2);
  else if (pce[2] & 0x80)
    sgx_item(&tcb, sub17, 2, 0x02, pce + 1, 2);
  else
    sgx_item(&tcb, sub17, 2, 0x02, pce + 2, 1);
  sgx_item(&tcb, sub18, 2, 0x04, o->pck_comp, 16);
  uint8_t s1 = 1, s2 = 2, s3 = 3, s4 = 4;
  uint8_t ppid[16];
  memset(ppid, 0x77, 16);
  sgx_item(&all, &s1, 1, 0x04, ppid, 16);
  sgx_item(&all, &s2, 1, 0x30, tcb.data, tcb.len);
  sgx_item(&all, &s3, 1, 0x04, "\x00\x00", 2);
  sgx_item(&all, &s4, 1, 0x04, "\x11\x22\x33\x44\x55\x66", 6);
  der_tlv(&seq, 0x30, all.data, all.len);
  ASN1_OBJECT *obj = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
  ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(os, seq.data, (int)seq.len);
  X509_EXTENSION *e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
  X509_add_ext(x, e, -1);
  X509_EXTENSION_free(e);
  ASN1_OCTET_STRING_free(os);
  ASN1_OBJECT_free(obj);
  decc_buf_clear(&tcb);
  decc_buf_clear(&all);
  decc_buf_clear(&seq);
}

static X509_CRL *mk_crl(X509 *issuer, EVP_PKEY *key, long revoked_serial) {
  X509_CRL *c = X509_CRL_new();
  X509_CRL_set_version(c, 1);
  X509_CRL_set_issuer_name(c, X509_get_subject_name(issuer));
  ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)(NOW - 10 * DAY));
  X509_CRL_set1_lastUpdate(c, t);
  ASN1_TIME_set(t, (time_t)(NOW + 300 * DAY));
  X509_CRL_set1_nextUpdate(c, t);
  if (revoked_serial) {
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_INTEGER *s = ASN1_INTEGER_new();
    ASN1_INTEGER_set(s, revoked_serial);
    X509_REVOKED_set_serialNumber(r, s);
    ASN1_TIME_set(t, (time_t)(NOW - 5 * DAY));
    X509_REVOKED_set_revocationDate(r, t);
    X509_CRL_add0_revoked(c, r);
    ASN1_INTEGER_free(s);
  }
  ASN1_TIME_free(t);
  X509_CRL_sort(c);
  X509_CRL_sign(c, key, EVP_sha256());
  return c;
}

static void pem_append(decc_buf *b, X509 *x) {
  BIO *m = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(m, x);
  char *p;
  long n = BIO_get_mem_data(m, &p);
  B(decc_buf_append(b, p, (size_t)n));
  BIO_free(m);
}

static char *crl_hex(X509_CRL *c) {
  unsigned char *der = NULL;
  int n = i2d_X509_CRL(c, &der);
  char *h = malloc(2 * (size_t)n + 1);
  decc_hex_encode(h, der, (size_t)n, 0);
  OPENSSL_free(der);
  return h;
}

/* Raw r||s ECDSA-P256 signature over SHA-256(data). */
static void sign_raw(uint8_t out[64], EVP_PKEY *k, const void *data, size_t n) {
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  unsigned char der[80];
  size_t dl = sizeof der;
  EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k);
  EVP_DigestSign(md, der, &dl, data, n);
  EVP_MD_CTX_free(md);
  const unsigned char *p = der;
  ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)dl);
  BN_bn2binpad(ECDSA_SIG_get0_r(s), out, 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(s), out + 32, 32);
  ECDSA_SIG_free(s);
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static void iso(char out[24], int64_t t) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *DEFAULT_QE_LEVELS =
    "[{\"tcb\":{\"isvsvn\":8},\"tcbDate\":\"2024-01-01T00:00:00Z\","
    "\"tcbStatus\":\"UpToDate\"},{\"tcb\":{\"isvsvn\":6},\"tcbDate\":"
    "\"2023-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":"
    "[\"INTEL-SA-00615\"]}]";

static void default_opts(fx_opts *o, int tdx) {
  memset(o, 0, sizeof *o);
  o->tdx = tdx;
  memset(o->pck_comp, 5, 16);
  o->pck_pcesvn = 13;
  o->tee_tcb_svn[0] = 3; /* TDX module SVN */
  o->tee_tcb_svn[1] = 1; /* TDX module major version */
  o->tee_tcb_svn[2] = 2;
  o->qe_isvsvn = 8;
  o->qe_prodid = tdx ? 2 : 1;
  o->qe_mrsigner0 = 0xAB;
  o->qe_levels = DEFAULT_QE_LEVELS;
  o->issue = NOW - DAY;
  o->next = NOW + 29 * DAY;
  o->leaf_not_after = 365 * DAY;
}

/* One TCB level: every SGX component = sgx, pcesvn, TDX components (16
 * comma-separated values, or NULL for SGX), status and advisories
 * (a JSON array text or NULL). */
static void level(decc_buf *b, int sgx, int pcesvn, const char *tdx,
                  const char *status, const char *adv) {
  B(decc_buf_append_str(b, b->len > 1 ? "," : ""));
  B(decc_buf_append_str(b, "{\"tcb\":{\"sgxtcbcomponents\":["));
  for (int i = 0; i < 16; i++)
    B(decc_buf_printf(b, "%s{\"svn\":%d}", i ? "," : "", sgx));
  B(decc_buf_printf(b, "],\"pcesvn\":%d", pcesvn));
  if (tdx) {
    B(decc_buf_append_str(b, ",\"tdxtcbcomponents\":["));
    const char *p = tdx;
    for (int i = 0; i < 16; i++) {
      B(decc_buf_printf(b, "%s{\"svn\":%d}", i ? "," : "", atoi(p)));
      p = strchr(p, ',');
      p = p ? p + 1 : "0";
    }
    B(decc_buf_append_str(b, "]"));
  }
  B(decc_buf_printf(b,
                    "},\"tcbDate\":\"2024-0%d-01T00:00:00Z\","
                    "\"tcbStatus\":\"%s\"",
                    sgx % 9 + 1, status));
  if (adv)
    B(decc_buf_printf(b, ",\"advisoryIDs\":%s", adv));
  B(decc_buf_append_str(b, "}"));
}

/* tdxModule and one identity TDX_01 (levels: SVN 3 UpToDate, SVN 2
 * OutOfDate), MRSIGNER zero, attributes zero under a full mask. */
static char *tdx_modules(void) {
  static char buf[1024];
  char z[97];
  memset(z, '0', 96);
  z[96] = 0;
  snprintf(
      buf, sizeof buf,
      ",\"tdxModule\":{\"mrsigner\":\"%s\",\"attributes\":"
      "\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},"
      "\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"%s\","
      "\"attributes\":\"0000000000000000\",\"attributesMask\":"
      "\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":[{\"tcb\":{\"isvsvn\":3},"
      "\"tcbDate\":\"2024-03-13T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
      "{\"tcb\":{\"isvsvn\":2},\"tcbDate\":\"2023-08-09T00:00:00Z\","
      "\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-00837\"]}]}]",
      z, z);
  return buf;
}

/* The PKI kept across builds with keep_pki (see fx_opts). */
static struct fx_pki {
  EVP_PKEY *rk, *ck, *lk, *tk, *ak;
  X509 *root, *ca, *leaf, *tcbs;
  X509_CRL *root_crl, *pck_crl;
} g_fx_pki;

static void fx_pki_free(void) {
  X509_CRL_free(g_fx_pki.root_crl);
  X509_CRL_free(g_fx_pki.pck_crl);
  X509_free(g_fx_pki.root);
  X509_free(g_fx_pki.ca);
  X509_free(g_fx_pki.leaf);
  X509_free(g_fx_pki.tcbs);
  EVP_PKEY_free(g_fx_pki.rk);
  EVP_PKEY_free(g_fx_pki.ck);
  EVP_PKEY_free(g_fx_pki.lk);
  EVP_PKEY_free(g_fx_pki.tk);
  EVP_PKEY_free(g_fx_pki.ak);
  memset(&g_fx_pki, 0, sizeof g_fx_pki);
}

static void build(fx *f, const fx_opts *o) {
  memset(f, 0, sizeof *f);
  EVP_PKEY *rk, *ck, *lk, *tk, *ak;
  X509 *root, *ca, *leaf, *tcbs;
  X509_CRL *root_crl, *pck_crl;
  if (o->keep_pki && g_fx_pki.rk) {
    rk = g_fx_pki.rk, ck = g_fx_pki.ck, lk = g_fx_pki.lk, tk = g_fx_pki.tk;
    ak = g_fx_pki.ak;
    root = g_fx_pki.root, ca = g_fx_pki.ca, leaf = g_fx_pki.leaf;
    tcbs = g_fx_pki.tcbs;
    root_crl = g_fx_pki.root_crl, pck_crl = g_fx_pki.pck_crl;
  } else {
    rk = EVP_EC_gen("P-256"), ck = EVP_EC_gen("P-256"),
    lk = EVP_EC_gen("P-256"), tk = EVP_EC_gen("P-256"),
    ak = EVP_EC_gen("P-256");
    root = mk_cert(rk, NULL, rk, "decc test SGX Root CA", 1, 1, 3650 * DAY);
    X509_sign(root, rk, EVP_sha256());
    ca = mk_cert(ck, root, rk, "Intel SGX PCK Platform CA", 2, 1, 3000 * DAY);
    X509_sign(ca, rk, EVP_sha256());
    leaf = mk_cert(lk, ca, ck, "Intel SGX PCK Certificate", 77, 0,
                   o->leaf_not_after);
    add_sgx_ext(leaf, o);
    X509_sign(leaf, ck, EVP_sha256());
    tcbs = mk_cert(tk, root, rk, "Intel SGX TCB Signing", 3, 0, 3000 * DAY);
    X509_sign(tcbs, rk, EVP_sha256());
    root_crl = mk_crl(root, rk, 999);
    pck_crl = mk_crl(ca, ck, o->revoke_pck ? 77 : 0);
    if (o->keep_pki)
      g_fx_pki = (struct fx_pki){rk, ck,   lk,   tk,       ak,     root,
                                 ca, leaf, tcbs, root_crl, pck_crl};
  }
  f->root_der = NULL;
  f->root_len = i2d_X509(root, &f->root_der);

  /* QE report and quote. */
  uint8_t att[65];
  size_t al = sizeof att;
  EVP_PKEY_get_octet_string_param(ak, "pub", att, sizeof att, &al);
  uint8_t auth[32];
  memset(auth, 0x3C, sizeof auth);
  uint8_t qe[384];
  memset(qe, 0, sizeof qe);
  memset(qe, 0x01, 16); /* cpusvn */
  qe[48] = 0x11;
  memset(qe + 64, 0xEE, 32);
  memset(qe + 128, o->qe_mrsigner0, 32);
  put16(qe + 256, o->qe_prodid);
  put16(qe + 258, o->qe_isvsvn);
  decc_sha256_ctx h;
  B(decc_sha256_init(&h));
  decc_sha256_update(&h, att + 1, 64);
  decc_sha256_update(&h, auth, sizeof auth);
  decc_sha256_final(&h, qe + 320);
  uint8_t qesig[64];
  sign_raw(qesig, lk, qe, sizeof qe);

  decc_buf pem;
  decc_buf_init(&pem, 0);
  pem_append(&pem, leaf);
  pem_append(&pem, ca);
  pem_append(&pem, root);

  uint8_t hdr[48];
  memset(hdr, 0, sizeof hdr);
  put16(hdr, o->tdx ? 4 : 3);
  put16(hdr + 2, 2);
  put32(hdr + 4, o->tdx ? 0x81 : 0);
  put16(hdr + 10, o->pck_pcesvn);
  static const uint8_t vendor[16] = {0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C,
                                     0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3,
                                     0x95, 0x7F, 0x06, 0x07};
  memcpy(hdr + 12, vendor, 16);
  uint8_t body[584];
  size_t bl = o->tdx ? 584 : 384;
  memset(body, 0, sizeof body);
  if (o->tdx) {
    memcpy(body, o->tee_tcb_svn, 16);
    body[64] = o->mrsignerseam0;
    body[120] = o->td_attr0;
    body[123] = 0x10;             /* SEPT_VE_DISABLE */
    memset(body + 136, 0x4D, 48); /* MRTD */
    memset(body + 520, 0x5A, 64); /* report data */
    if (o->report_data)
      memcpy(body + 520, o->report_data, 64);
  } else {
    body[48] = 0x04 | o->td_attr0; /* MODE64BIT (+ DEBUG when asked) */
    memset(body + 64, 0x6E, 32);
    memset(body + 320, 0x5A, 64);
    if (o->report_data)
      memcpy(body + 320, o->report_data, 64);
  }
  decc_buf_init(&f->quote, 0);
  B(decc_buf_append(&f->quote, hdr, 48));
  B(decc_buf_append(&f->quote, body, bl));
  uint8_t sig[64];
  sign_raw(sig, ak, f->quote.data, f->quote.len);
  decc_buf qepart;
  decc_buf_init(&qepart, 0);
  uint8_t tmp[6];
  B(decc_buf_append(&qepart, qe, 384));
  B(decc_buf_append(&qepart, qesig, 64));
  put16(tmp, sizeof auth);
  B(decc_buf_append(&qepart, tmp, 2));
  B(decc_buf_append(&qepart, auth, sizeof auth));
  put16(tmp, 5);
  put32(tmp + 2, (uint32_t)pem.len);
  B(decc_buf_append(&qepart, tmp, 6));
  B(decc_buf_append(&qepart, pem.data, pem.len));
  decc_buf sigdata;
  decc_buf_init(&sigdata, 0);
  B(decc_buf_append(&sigdata, sig, 64));
  B(decc_buf_append(&sigdata, att + 1, 64));
  if (o->tdx) {
    put16(tmp, 6);
    put32(tmp + 2, (uint32_t)qepart.len);
    B(decc_buf_append(&sigdata, tmp, 6));
  }
  B(decc_buf_append(&sigdata, qepart.data, qepart.len));
  put32(tmp, (uint32_t)sigdata.len);
  B(decc_buf_append(&f->quote, tmp, 4));
  B(decc_buf_append(&f->quote, sigdata.data, sigdata.len));

  /* Collateral. */
  char is[24], nx[24];
  iso(is, o->issue);
  iso(nx, o->next);
  decc_buf tcb;
  decc_buf_init(&tcb, 0);
  B(decc_buf_printf(
      &tcb,
      "{\"id\":\"%s\",\"version\":3,\"issueDate\":\"%s\",\"nextUpdate\":\"%s\","
      "\"fmspc\":\"112233445566\",\"pceId\":\"0000\",\"tcbType\":0,"
      "\"tcbEvaluationDataNumber\":17%s,\"tcbLevels\":%s}",
      o->tdx ? "TDX" : "SGX", is, nx,
      o->tcb_extra ? o->tcb_extra : (o->tdx ? tdx_modules() : ""),
      o->tcb_levels));
  decc_buf qid;
  decc_buf_init(&qid, 0);
  char mrs[65];
  memset(mrs, 0, sizeof mrs);
  for (int i = 0; i < 32; i++)
    snprintf(mrs + 2 * i, 3, "%02X", 0xAB);
  B(decc_buf_printf(
      &qid,
      "{\"id\":\"%s\",\"version\":2,\"issueDate\":\"%s\",\"nextUpdate\":\"%s\","
      "\"tcbEvaluationDataNumber\":17,\"miscselect\":\"00000000\","
      "\"miscselectMask\":\"FFFFFFFF\",\"attributes\":"
      "\"11000000000000000000000000000000\",\"attributesMask\":"
      "\"FBFFFFFFFFFFFFFF0000000000000000\",\"mrsigner\":\"%s\",\"isvprodid\":%"
      "d,"
      "\"tcbLevels\":%s}",
      o->qe_id ? o->qe_id : (o->tdx ? "TD_QE" : "QE"), is, nx, mrs,
      o->tdx ? 2 : 1, o->qe_levels));
  uint8_t tsig[64], qsig[64];
  sign_raw(tsig, tk, tcb.data, tcb.len);
  sign_raw(qsig, tk, qid.data, qid.len);
  char tsh[129], qsh[129];
  decc_hex_encode(tsh, tsig, 64, 0);
  decc_hex_encode(qsh, qsig, 64, 0);
  decc_buf tchain, pchain;
  decc_buf_init(&tchain, 0);
  decc_buf_init(&pchain, 0);
  pem_append(&tchain, tcbs);
  pem_append(&tchain, root);
  pem_append(&pchain, ca);
  pem_append(&pchain, root);
  B(decc_buf_append_byte(&tchain, 0));
  B(decc_buf_append_byte(&pchain, 0));
  B(decc_buf_append_byte(&tcb, 0));
  B(decc_buf_append_byte(&qid, 0));
  char *rch = crl_hex(root_crl), *pch = crl_hex(pck_crl);
  json_t *j =
      json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "pck_crl_issuer_chain",
                (char *)pchain.data, "root_ca_crl", rch, "pck_crl", pch,
                "tcb_info_issuer_chain", (char *)tchain.data, "tcb_info",
                (char *)tcb.data, "tcb_info_signature", tsh,
                "qe_identity_issuer_chain", (char *)tchain.data, "qe_identity",
                (char *)qid.data, "qe_identity_signature", qsh);
  f->coll = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  free(rch);
  free(pch);
  decc_buf_clear(&tchain);
  decc_buf_clear(&pchain);
  decc_buf_clear(&tcb);
  decc_buf_clear(&qid);
  decc_buf_clear(&pem);
  decc_buf_clear(&qepart);
  decc_buf_clear(&sigdata);
  if (o->keep_pki)
    return; /* g_fx_pki owns them (fx_pki_free) */
  X509_CRL_free(root_crl);
  X509_CRL_free(pck_crl);
  X509_free(root);
  X509_free(ca);
  X509_free(leaf);
  X509_free(tcbs);
  EVP_PKEY_free(rk);
  EVP_PKEY_free(ck);
  EVP_PKEY_free(lk);
  EVP_PKEY_free(tk);
  EVP_PKEY_free(ak);
}

static void fx_clear(fx *f) {
  OPENSSL_free(f->root_der);
  decc_buf_clear(&f->quote);
  free(f->coll);
}

/* Builds and verifies with the fixture's own root. */
static decc_status run(const fx_opts *o, int64_t now, decc_dcap_result *r,
                       decc_err *err) {
  fx f;
  build(&f, o);
  decc_dcap_verifier *v = NULL;
  decc_dcap_collateral *c = NULL;
  decc_status st =
      decc_dcap_verifier_create(&v, f.root_der, (size_t)f.root_len, err);
  if (!st)
    st = decc_dcap_collateral_parse(&c, f.coll, strlen(f.coll), err);
  if (!st)
    st = decc_dcap_verify(v, r, f.quote.data, f.quote.len, c, now, err);
  if (st)
    printf("#   -> %s: %s\n", decc_status_name(st), err->msg);
  decc_dcap_verifier_destroy(v);
  decc_dcap_collateral_destroy(c);
  fx_clear(&f);
  return st;
}

static char *levels_sgx(int n, const int *sgx, const int *pcesvn,
                        const char *const *status, const char *const *adv) {
  decc_buf b;
  decc_buf_init(&b, 0);
  B(decc_buf_append_str(&b, "["));
  for (int i = 0; i < n; i++)
    level(&b, sgx[i], pcesvn[i], NULL, status[i], adv[i]);
  B(decc_buf_append_str(&b, "]"));
  B(decc_buf_append_byte(&b, 0));
  return (char *)decc_buf_steal(&b, NULL);
}

static int adv_eq(const decc_dcap_result *r, const char *const *ids, size_t n) {
  if (r->n_advisories != n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (strcmp(r->advisories[i], ids[i]))
      return 0;
  return 1;
}

#endif
