/*
 * pccs.c — DCAP collateral from a PCCS (Intel's PCS or an operator's
 * caching PCCS), kept in a local cache so verification also works offline.
 *
 * Endpoints (Intel PCS API v4; a PCCS serves the same paths):
 *   GET {base}/sgx/certification/v4/pckcrl?ca=platform|processor&encoding=der
 *       body: the PCK CRL; header SGX-PCK-CRL-Issuer-Chain
 *   GET {base}/{sgx|tdx}/certification/v4/tcb?fmspc=HEX
 *       body: {"tcbInfo":{…},"signature":"hex"}; header TCB-Info-Issuer-Chain
 *       (SGX-TCB-Info-Issuer-Chain in older servers)
 *   GET {base}/{sgx|tdx}/certification/v4/qe/identity
 *       body: {"enclaveIdentity":{…},"signature":"hex"}; header
 *       SGX-Enclave-Identity-Issuer-Chain
 *   GET {base}/sgx/certification/v4/rootcacrl (PCCS; hex or DER); on 404
 *       (Intel's PCS) the root CA's CRL distribution point instead
 * Issuer chains come URL-encoded in headers. The signatures cover the exact
 * bytes of the "tcbInfo" / "enclaveIdentity" values, so those are cut out
 * of the body verbatim, never re-serialised. Nothing fetched is trusted
 * here: decc_dcap_verify checks it all against the pinned root.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "dcap/dcap_int.h"
#include "decc/encoding.h"
#include "decc/http_client.h"
#include "decc/mem.h"

#define PCCS_REPLY_MAX (4u << 20)
#define PCCS_TIMEOUT_MS 20000L
/* CRL distribution point of the Intel SGX Root CA certificate. */
#define INTEL_ROOT_CRL_URL                                                     \
  "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"

/* ---- raw JSON member extraction ----------------------------------------- */

static size_t skip_ws(const char *s, size_t i, size_t n) {
  while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
    i++;
  return i;
}

/* Index just past the JSON string starting at s[i] == '"', or 0. */
static size_t skip_string(const char *s, size_t i, size_t n) {
  for (i++; i < n; i++) {
    if (s[i] == '\\')
      i++;
    else if (s[i] == '"')
      return i + 1;
  }
  return 0;
}

/* Index just past the JSON value at s[i], or 0 (depth bounded). */
static size_t skip_value(const char *s, size_t i, size_t n) {
  if (i >= n)
    return 0;
  if (s[i] == '"')
    return skip_string(s, i, n);
  if (s[i] != '{' && s[i] != '[') {
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' &&
           s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
      i++;
    return i;
  }
  int depth = 0;
  for (; i < n; i++) {
    if (s[i] == '"') {
      size_t j = skip_string(s, i, n);
      if (!j)
        return 0;
      i = j - 1;
    } else if (s[i] == '{' || s[i] == '[') {
      if (++depth > 64)
        return 0;
    } else if (s[i] == '}' || s[i] == ']') {
      if (--depth == 0)
        return i + 1;
    }
  }
  return 0;
}

/* Finds the top-level member `key` of the object in s; out: its raw value. */
static int raw_member(const char *s, size_t n, const char *key,
                      const char **val, size_t *vlen) {
  size_t i = skip_ws(s, 0, n), klen = strlen(key);
  if (i >= n || s[i] != '{')
    return 0;
  i++;
  for (;;) {
    i = skip_ws(s, i, n);
    if (i >= n || s[i] != '"')
      return 0;
    size_t kend = skip_string(s, i, n);
    if (!kend)
      return 0;
    int match = kend - i - 2 == klen && !memcmp(s + i + 1, key, klen);
    i = skip_ws(s, kend, n);
    if (i >= n || s[i] != ':')
      return 0;
    i = skip_ws(s, i + 1, n);
    size_t vend = skip_value(s, i, n);
    if (!vend)
      return 0;
    if (match) {
      *val = s + i;
      *vlen = vend - i;
      return 1;
    }
    i = skip_ws(s, vend, n);
    if (i >= n || s[i] != ',')
      return 0;
    i++;
  }
}

/* ---- helpers ------------------------------------------------------------ */

/* Percent-decodes in place. Returns 0 on a bad escape. */
static int url_decode(char *s) {
  char *o = s;
  for (char *p = s; *p; p++) {
    if (*p == '%') {
      int a = decc__hex_digit(p[1]), b = a < 0 ? -1 : decc__hex_digit(p[2]);
      if (b < 0)
        return 0;
      *o++ = (char)(a << 4 | b);
      p += 2;
    } else {
      *o++ = *p;
    }
  }
  *o = 0;
  return 1;
}

/* A CRL body as DER, hex text or PEM -> hex text (heap). */
static char *crl_to_hex(const uint8_t *p, size_t n) {
  X509_CRL *crl = NULL;
  size_t i = 0;
  while (i < n && decc__hex_digit((char)p[i]) >= 0)
    i++;
  uint8_t *tmp = NULL;
  if (n >= 2 && i == n && n % 2 == 0) {
    tmp = decc_malloc(n / 2);
    size_t got;
    if (tmp &&
        decc_hex_decode(tmp, n / 2, &got, (const char *)p, n) == DECC_OK) {
      const unsigned char *q = tmp;
      crl = d2i_X509_CRL(NULL, &q, (long)got);
    }
  } else if (n > 10 && !memcmp(p, "-----BEGIN", 10)) {
    BIO *b = BIO_new_mem_buf(p, (int)n);
    crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
  } else {
    const unsigned char *q = p;
    crl = d2i_X509_CRL(NULL, &q, (long)n);
  }
  decc_free(tmp);
  ERR_clear_error();
  if (!crl)
    return NULL;
  unsigned char *der = NULL;
  int dl = i2d_X509_CRL(crl, &der);
  X509_CRL_free(crl);
  char *hex = dl > 0 ? decc_malloc(2 * (size_t)dl + 1) : NULL;
  if (hex)
    decc_hex_encode(hex, der, (size_t)dl, 0);
  OPENSSL_free(der);
  return hex;
}

static decc_status get(decc_http_reply *r, const char *url, const char *hname,
                       char **hval, const char *what, decc_err *err) {
  decc_status st = decc_http_get_with_header(
      r, url, hname, hval, PCCS_REPLY_MAX, PCCS_TIMEOUT_MS, err);
  if (st)
    return decc_err_prefix(err, "pccs: %s", what);
  if (r->status != 200)
    return decc_err_set(err, DECC_E_NETWORK, "pccs: %s: HTTP %ld from %.120s",
                        what, r->status, url);
  if (hname && (!*hval || !url_decode(*hval)))
    return decc_err_set(err, DECC_E_PARSE, "pccs: %s: no usable %s header",
                        what, hname);
  return DECC_OK;
}

/* {"<key>":{…},"signature":"hex"} -> raw value text and signature hex. */
static decc_status signed_body(const decc_http_reply *r, const char *key,
                               char **text, char **sig, const char *what,
                               decc_err *err) {
  const char *s = (const char *)r->body.data, *v, *sv;
  size_t n = r->body.len, vl, svl;
  if (!raw_member(s, n, key, &v, &vl) || v[0] != '{' ||
      !raw_member(s, n, "signature", &sv, &svl) || svl < 2 || sv[0] != '"')
    return decc_err_set(err, DECC_E_PARSE,
                        "pccs: %s: body is not {\"%s\":…,\"signature\":…}",
                        what, key);
  *text = decc_strndup(v, vl);
  *sig = decc_strndup(sv + 1, svl - 2);
  if (!*text || !*sig)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  return DECC_OK;
}

/* The cache file appears whole or not at all (core's atomic write: temp +
 * fsync + rename + directory fsync), so a crash never leaves half a
 * collateral that the next start would have to reject. */
static decc_status write_atomic(const char *path, const char *data, size_t n,
                                decc_err *err) {
  decc_err e;
  decc_err_clear(&e);
  if (decc__atomic_write(path, data, n, 0600u, &e))
    return decc_err_set(err, DECC_E_IO, "pccs cache: %s", e.msg);
  return DECC_OK;
}

/* Reads a cached file; returns it when it parses and is current at now. */
static char *cache_read(const char *path, int64_t now) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = decc_malloc(DECC_DCAP_COLLATERAL_MAX + 1);
  size_t n = buf ? fread(buf, 1, DECC_DCAP_COLLATERAL_MAX + 1, f) : 0;
  fclose(f);
  if (!buf || n == 0 || n > DECC_DCAP_COLLATERAL_MAX) {
    decc_free(buf);
    return NULL;
  }
  buf[n] = 0;
  decc_dcap_collateral *c = NULL;
  if (decc_dcap_collateral_parse(&c, buf, n, NULL) != DECC_OK) {
    decc_free(buf);
    return NULL;
  }
  int64_t lo, hi;
  decc_dcap_collateral_window(c, &lo, &hi);
  decc_dcap_collateral_destroy(c);
  if (now < lo || now > hi) {
    decc_free(buf);
    return NULL;
  }
  return buf;
}

decc_status decc_dcap_pccs_get(char **json, int *from_cache,
                               const char *base_url, const char *cache_dir,
                               int offline, const uint8_t *quote,
                               size_t quote_len, int64_t now, decc_err *err) {
  DECC_ARG_CHECK(json != NULL);
  DECC_ARG_CHECK(quote != NULL);
  *json = NULL;
  if (from_cache)
    *from_cache = 0;
  decc_dcap_quote q;
  decc_status st = decc_dcap_quote_parse(&q, quote, quote_len, err);
  if (st)
    return st;
  STACK_OF(X509) *chain = decc__dcap_pem_chain(q.cert_data, q.cert_len);
  uint8_t fmspc[6];
  char cn[96] = "";
  if (chain && sk_X509_num(chain) >= 2)
    X509_NAME_get_text_by_NID(X509_get_subject_name(sk_X509_value(chain, 1)),
                              NID_commonName, cn, sizeof cn);
  int ok = chain && decc__dcap_pck_fmspc(sk_X509_value(chain, 0), fmspc);
  sk_X509_pop_free(chain, X509_free);
  ERR_clear_error();
  if (!ok)
    return decc_err_set(err, DECC_E_PARSE,
                        "pccs: the quote's PCK certificate has no FMSPC");
  const char *ca = strstr(cn, "Processor") ? "processor" : "platform";
  const char *tee = q.tee_type == DECC_DCAP_TEE_TDX ? "tdx" : "sgx";
  char fm[13];
  decc__hex_encode_upper(fm, fmspc, 6);

  char path[4096] = "";
  if (cache_dir) {
    if (mkdir(cache_dir, 0700) != 0 && errno != EEXIST)
      return decc_err_set(err, DECC_E_IO, "pccs cache: %s: %s", cache_dir,
                          strerror(errno));
    if ((size_t)snprintf(path, sizeof path, "%s/%s-%s-%s.json", cache_dir, tee,
                         fm, ca) >= sizeof path)
      return decc_err_set(err, DECC_E_INVALID, "pccs cache: path too long");
    char *cached = cache_read(path, now);
    if (cached) {
      *json = cached;
      if (from_cache)
        *from_cache = 1;
      return DECC_OK;
    }
  }
  if (offline || !base_url)
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "pccs: no current collateral for %s FMSPC %s in the "
                        "cache%s%s; fetch it once online (--pccs URL)",
                        tee, fm, cache_dir ? " " : "",
                        cache_dir ? cache_dir : "");

  size_t bl = strlen(base_url);
  while (bl && base_url[bl - 1] == '/')
    bl--;
  char url[4400];
  decc_http_reply r[4];
  memset(r, 0, sizeof r);
  char *crl_chain = NULL, *tcb_chain = NULL, *qe_chain = NULL, *dummy = NULL;
  char *tcb_text = NULL, *tcb_sig = NULL, *qe_text = NULL, *qe_sig = NULL;
  char *pck_hex = NULL, *root_hex = NULL;
  json_t *out = NULL;

  snprintf(url, sizeof url,
           "%.*s/sgx/certification/v4/pckcrl?ca=%s&encoding=der", (int)bl,
           base_url, ca);
  if ((st = get(&r[0], url, "SGX-PCK-CRL-Issuer-Chain", &crl_chain, "pckcrl",
                err)))
    goto done;
  snprintf(url, sizeof url, "%.*s/%s/certification/v4/tcb?fmspc=%s", (int)bl,
           base_url, tee, fm);
  st = get(&r[1], url, "TCB-Info-Issuer-Chain", &tcb_chain, "tcb", err);
  if (st == DECC_E_PARSE && r[1].status == 200) { /* older header name */
    decc_buf_clear(&r[1].body);
    decc_free(tcb_chain);
    tcb_chain = NULL;
    st = get(&r[1], url, "SGX-TCB-Info-Issuer-Chain", &tcb_chain, "tcb", err);
  }
  if (st)
    goto done;
  snprintf(url, sizeof url, "%.*s/%s/certification/v4/qe/identity", (int)bl,
           base_url, tee);
  if ((st = get(&r[2], url, "SGX-Enclave-Identity-Issuer-Chain", &qe_chain,
                "qe/identity", err)))
    goto done;
  snprintf(url, sizeof url, "%.*s/sgx/certification/v4/rootcacrl", (int)bl,
           base_url);
  st = get(&r[3], url, NULL, &dummy, "rootcacrl", err);
  if (st == DECC_E_NETWORK && r[3].status == 404) {
    /* Intel's PCS has no rootcacrl endpoint: the root CA's CRL
     * distribution point (verified against the pinned root like any CRL). */
    decc_buf_clear(&r[3].body);
    st = get(&r[3], INTEL_ROOT_CRL_URL, NULL, &dummy, "root CA CRL", err);
  }
  if (st)
    goto done;
  if ((st = signed_body(&r[1], "tcbInfo", &tcb_text, &tcb_sig, "tcb", err)) ||
      (st = signed_body(&r[2], "enclaveIdentity", &qe_text, &qe_sig,
                        "qe/identity", err)))
    goto done;
  pck_hex = crl_to_hex(r[0].body.data, r[0].body.len);
  root_hex = crl_to_hex(r[3].body.data, r[3].body.len);
  if (!pck_hex || !root_hex) {
    st = decc_err_set(err, DECC_E_PARSE, "pccs: %s is not a CRL",
                      pck_hex ? "rootcacrl" : "pckcrl");
    goto done;
  }
  out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
                  "pck_crl_issuer_chain", crl_chain, "root_ca_crl", root_hex,
                  "pck_crl", pck_hex, "tcb_info_issuer_chain", tcb_chain,
                  "tcb_info", tcb_text, "tcb_info_signature", tcb_sig,
                  "qe_identity_issuer_chain", qe_chain, "qe_identity", qe_text,
                  "qe_identity_signature", qe_sig);
  char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
  if (!text) {
    st = decc_err_set(err, DECC_E_PARSE,
                      "pccs: answers are not valid UTF-8 text");
    goto done;
  }
  /* Refuse to cache what does not even parse. */
  decc_dcap_collateral *c = NULL;
  st = decc_dcap_collateral_parse(&c, text, strlen(text), err);
  decc_dcap_collateral_destroy(c);
  if (!st && path[0])
    st = write_atomic(path, text, strlen(text), err);
  if (!st) {
    *json = decc_strdup(text);
    if (!*json)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  free(text);
done:
  json_decref(out);
  for (int i = 0; i < 4; i++)
    decc_buf_clear(&r[i].body);
  decc_free(crl_chain);
  decc_free(tcb_chain);
  decc_free(qe_chain);
  decc_free(dummy);
  decc_free(tcb_text);
  decc_free(tcb_sig);
  decc_free(qe_text);
  decc_free(qe_sig);
  decc_free(pck_hex);
  decc_free(root_hex);
  return st;
}
