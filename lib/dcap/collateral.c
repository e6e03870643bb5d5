/*
 * collateral.c — parsing of DCAP collateral: the JSON bundle (issuer
 * chains, CRLs, signed TCB info and QE identity), the TCB info (version 3,
 * SGX and TDX, with the TDX module identities) and the QE identity
 * (version 2), plus the helpers shared with verify.c (times, PEM chains,
 * raw ECDSA signatures).
 *
 * Field names and meanings: Intel PCS API v4 ("TCB Info V3", "Enclave
 * Identity V2"). Every count and string has a ceiling; anything unexpected
 * in a field decc relies on is an error naming the field, never a default.
 */
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/internal.h"
#include "dcap/dcap_int.h"
#include "decc/encoding.h"
#include "decc/mem.h"

/* ---- shared helpers ----------------------------------------------------- */

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

decc_status decc__dcap_iso_time(int64_t *out, const char *s) {
  int y, mo, d, h, mi, se;
  if (!s || strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' ||
      !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
      s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
      !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se))
    return DECC_E_PARSE;
  const char *p = s + 19;
  if (*p == '.') { /* fractional seconds: digits, ignored */
    p++;
    if (*p < '0' || *p > '9')
      return DECC_E_PARSE;
    while (*p >= '0' && *p <= '9')
      p++;
  }
  if (p[0] != 'Z' || p[1] != 0)
    return DECC_E_PARSE;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return DECC_E_PARSE;
  struct tm tm = {0};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  *out = (int64_t)timegm(&tm);
  return DECC_OK;
}

decc_status decc_dcap_parse_time(int64_t *out, const char *s) {
  DECC_ARG_CHECK(out != NULL);
  if (!s || !*s)
    return DECC_E_PARSE;
  if (decc__dcap_iso_time(out, s) == DECC_OK)
    return DECC_OK;
  int64_t v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9' || p - s > 15)
      return DECC_E_PARSE;
    v = v * 10 + (*p - '0');
  }
  *out = v;
  return DECC_OK;
}

int decc__dcap_asn1_time(int64_t *out, const ASN1_TIME *t) {
  struct tm tm;
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
    return 0;
  *out = (int64_t)timegm(&tm);
  return 1;
}

int decc__dcap_ecdsa_verify(EVP_PKEY *key, const uint8_t sig64[64],
                            const void *data, size_t len) {
  int ok = 0;
  unsigned char *der = NULL;
  ECDSA_SIG *sig = ECDSA_SIG_new();
  BIGNUM *r = BN_bin2bn(sig64, 32, NULL), *s = BN_bin2bn(sig64 + 32, 32, NULL);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return 0;
  }
  int der_len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_len <= 0)
    return 0;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  if (md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
      EVP_DigestVerify(md, der, (size_t)der_len, data, len) == 1)
    ok = 1;
  EVP_MD_CTX_free(md);
  OPENSSL_free(der);
  ERR_clear_error();
  return ok;
}

STACK_OF(X509) * decc__dcap_pem_chain(const void *pem, size_t len) {
  /* Certification data often ends with a NUL; PEM has none inside. */
  while (len && ((const char *)pem)[len - 1] == 0)
    len--;
  if (len == 0 || len > INT32_MAX || memchr(pem, 0, len))
    return NULL;
  BIO *b = BIO_new_mem_buf(pem, (int)len);
  STACK_OF(X509) *sk = sk_X509_new_null();
  if (!b || !sk)
    goto fail;
  ERR_clear_error();
  for (;;) {
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    if (!x) {
      /* The end of the text is "no start line"; anything else is a
       * certificate that does not decode, which must not be dropped
       * silently. */
      unsigned long e = ERR_peek_last_error();
      if (ERR_GET_LIB(e) != ERR_LIB_PEM ||
          ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
        goto fail;
      break;
    }
    if (sk_X509_num(sk) >= DCAP_MAX_CHAIN || !sk_X509_push(sk, x)) {
      X509_free(x);
      goto fail;
    }
  }
  ERR_clear_error();
  BIO_free(b);
  if (sk_X509_num(sk) == 0) {
    sk_X509_free(sk);
    return NULL;
  }
  return sk;
fail:
  ERR_clear_error();
  BIO_free(b);
  sk_X509_pop_free(sk, X509_free);
  return NULL;
}

/* Base64 body of one PEM block (whitespace allowed between lines) -> DER. */
static uint8_t *pem_block_der(const char *b, size_t n, size_t *der_len) {
  char *txt = decc_malloc(n + 1);
  uint8_t *der = decc_malloc(n);
  size_t k = 0;
  if (!txt || !der)
    goto fail;
  for (size_t i = 0; i < n; i++)
    if (b[i] != '\n' && b[i] != '\r' && b[i] != ' ' && b[i] != '\t')
      txt[k++] = b[i];
  if (decc_base64_decode(der, n, der_len, txt, k) != DECC_OK || *der_len == 0)
    goto fail;
  decc_free(txt);
  return der;
fail:
  decc_free(txt);
  decc_free(der);
  return NULL;
}

static int only_space(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] != '\n' && p[i] != '\r' && p[i] != ' ' && p[i] != '\t' && p[i])
      return 0;
  return 1;
}

STACK_OF(X509) * decc__dcap_pem_chain_known(const void *pem, size_t len,
                                            X509 *const *known,
                                            size_t n_known) {
  static const char B[] = "-----BEGIN CERTIFICATE-----",
                    E[] = "-----END CERTIFICATE-----";
  const char *p = pem, *end = p + len;
  STACK_OF(X509) *sk = sk_X509_new_null();
  if (!sk)
    return NULL;
  for (;;) {
    const char *b = memmem(p, (size_t)(end - p), B, sizeof B - 1);
    if (!b) {
      if (!only_space(p, (size_t)(end - p)))
        goto fail;
      break;
    }
    if (!only_space(p, (size_t)(b - p)))
      goto fail;
    const char *body = b + sizeof B - 1;
    const char *e = memmem(body, (size_t)(end - body), E, sizeof E - 1);
    if (!e || e - body > 16384 || sk_X509_num(sk) >= DCAP_MAX_CHAIN)
      goto fail;
    size_t dl = 0;
    uint8_t *der = pem_block_der(body, (size_t)(e - body), &dl);
    if (!der)
      goto fail;
    X509 *x = NULL;
    for (size_t i = 0; i < n_known && !x; i++) {
      unsigned char *kd = NULL;
      /* i2d of a parsed certificate returns its cached original encoding */
      int kl = known[i] ? i2d_X509(known[i], &kd) : -1;
      if (kl > 0 && (size_t)kl == dl && !memcmp(kd, der, dl) &&
          X509_up_ref(known[i]))
        x = known[i];
      OPENSSL_free(kd);
    }
    if (!x) {
      const unsigned char *q = der;
      x = d2i_X509(NULL, &q, (long)dl);
      if (x && q != der + dl) {
        X509_free(x);
        x = NULL;
      }
    }
    decc_free(der);
    if (!x || !sk_X509_push(sk, x)) {
      X509_free(x);
      goto fail;
    }
    p = e + sizeof E - 1;
  }
  ERR_clear_error();
  if (sk_X509_num(sk) == 0) {
    sk_X509_free(sk);
    return NULL;
  }
  return sk;
fail:
  ERR_clear_error();
  sk_X509_pop_free(sk, X509_free);
  return NULL;
}

/* ---- statuses ----------------------------------------------------------- */

static const char *const STATUS_NAMES[] = {"Unknown",
                                           "UpToDate",
                                           "SWHardeningNeeded",
                                           "ConfigurationNeeded",
                                           "ConfigurationAndSWHardeningNeeded",
                                           "OutOfDate",
                                           "OutOfDateConfigurationNeeded",
                                           "Revoked"};

const char *decc_dcap_tcb_status_name(decc_dcap_tcb_status s) {
  if ((unsigned)s < sizeof STATUS_NAMES / sizeof *STATUS_NAMES)
    return STATUS_NAMES[s];
  return "Unknown";
}

decc_status decc_dcap_tcb_status_parse(decc_dcap_tcb_status *out,
                                       const char *s) {
  DECC_ARG_CHECK(out != NULL);
  for (unsigned i = 1; s && i < sizeof STATUS_NAMES / sizeof *STATUS_NAMES; i++)
    if (!strcmp(s, STATUS_NAMES[i])) {
      *out = (decc_dcap_tcb_status)i;
      return DECC_OK;
    }
  return DECC_E_PARSE;
}

/* ---- JSON field helpers ------------------------------------------------- */

static decc_status jstr(const char **out, size_t *len, json_t *o,
                        const char *key, const char *where, decc_err *err) {
  json_t *v = json_object_get(o, key);
  if (!json_is_string(v))
    return decc_err_set(err, DECC_E_PARSE, "%s: missing string \"%s\"", where,
                        key);
  *out = json_string_value(v);
  if (len)
    *len = json_string_length(v);
  return DECC_OK;
}

static decc_status jint(long long *out, json_t *o, const char *key,
                        long long lo, long long hi, const char *where,
                        decc_err *err) {
  json_t *v = json_object_get(o, key);
  if (!json_is_integer(v) || json_integer_value(v) < lo ||
      json_integer_value(v) > hi)
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: \"%s\" must be an integer in [%lld, %lld]", where,
                        key, lo, hi);
  *out = json_integer_value(v);
  return DECC_OK;
}

static decc_status jhex(uint8_t *out, size_t n, json_t *o, const char *key,
                        const char *where, decc_err *err) {
  const char *s = NULL;
  size_t len = 0;
  decc_status st = jstr(&s, &len, o, key, where, err);
  if (st)
    return st;
  size_t got = 0;
  if (len != 2 * n || decc_hex_decode(out, n, &got, s, len) != DECC_OK ||
      got != n)
    return decc_err_set(err, DECC_E_PARSE, "%s: \"%s\" must be %zu hex bytes",
                        where, key, n);
  return DECC_OK;
}

static decc_status jdate(int64_t *out, json_t *o, const char *key,
                         const char *where, decc_err *err) {
  const char *s = NULL;
  decc_status st = jstr(&s, NULL, o, key, where, err);
  if (st)
    return st;
  if (decc__dcap_iso_time(out, s) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: \"%s\" is not an ISO-8601 UTC time", where, key);
  return DECC_OK;
}

/* tcbStatus, tcbDate and advisoryIDs of one level. */
static decc_status level_common(dcap_tcb_level *l, json_t *lv,
                                const char *where, decc_err *err) {
  const char *s = NULL;
  size_t len = 0;
  decc_status st = jstr(&s, NULL, lv, "tcbStatus", where, err);
  if (st)
    return st;
  if (decc_dcap_tcb_status_parse(&l->status, s) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE, "%s: unknown tcbStatus \"%.40s\"",
                        where, s);
  if ((st = jstr(&s, &len, lv, "tcbDate", where, err)))
    return st;
  int64_t t;
  if (len >= sizeof l->date || decc__dcap_iso_time(&t, s) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE, "%s: bad tcbDate", where);
  memcpy(l->date, s, len + 1);
  json_t *adv = json_object_get(lv, "advisoryIDs");
  if (!adv)
    return DECC_OK;
  if (!json_is_array(adv) || json_array_size(adv) > DECC_DCAP_MAX_ADVISORIES)
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: advisoryIDs must be an array of at most %d ids",
                        where, DECC_DCAP_MAX_ADVISORIES);
  for (size_t i = 0; i < json_array_size(adv); i++) {
    json_t *a = json_array_get(adv, i);
    const char *id = json_string_value(a);
    size_t n = id ? json_string_length(a) : 0;
    int ok = n > 0 && n < DECC_DCAP_ADVISORY_LEN;
    for (size_t k = 0; ok && k < n; k++)
      ok = (id[k] >= 'A' && id[k] <= 'Z') || (id[k] >= 'a' && id[k] <= 'z') ||
           (id[k] >= '0' && id[k] <= '9') || id[k] == '-' || id[k] == '_';
    if (!ok)
      return decc_err_set(err, DECC_E_PARSE, "%s: bad advisory id", where);
    memcpy(l->adv.id[l->adv.n++], id, n + 1);
  }
  return DECC_OK;
}

static decc_status svn16(uint8_t out[16], json_t *arr, const char *what,
                         const char *where, decc_err *err) {
  if (!json_is_array(arr) || json_array_size(arr) != 16)
    return decc_err_set(err, DECC_E_PARSE, "%s: %s must have 16 components",
                        where, what);
  for (size_t i = 0; i < 16; i++) {
    long long v = 0;
    decc_status st =
        jint(&v, json_array_get(arr, i), "svn", 0, 255, where, err);
    if (st)
      return st;
    out[i] = (uint8_t)v;
  }
  return DECC_OK;
}

/* Levels with only an isvsvn (QE identity, TDX module identities). */
static decc_status isv_levels(dcap_tcb_level **out, size_t *n, json_t *arr,
                              const char *where, decc_err *err) {
  if (!json_is_array(arr) || json_array_size(arr) == 0 ||
      json_array_size(arr) > DCAP_MAX_LEVELS)
    return decc_err_set(err, DECC_E_PARSE,
                        "%s: tcbLevels must have 1 to %d entries", where,
                        DCAP_MAX_LEVELS);
  *n = json_array_size(arr);
  *out = decc_calloc(*n, sizeof **out);
  if (!*out)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  for (size_t i = 0; i < *n; i++) {
    json_t *lv = json_array_get(arr, i);
    long long v = 0;
    decc_status st =
        jint(&v, json_object_get(lv, "tcb"), "isvsvn", 0, 65535, where, err);
    if (st || (st = level_common(&(*out)[i], lv, where, err)))
      return st;
    (*out)[i].isvsvn = (uint16_t)v;
  }
  return DECC_OK;
}

static decc_status module_ident(dcap_module *m, json_t *o, const char *where,
                                decc_err *err) {
  decc_status st;
  if ((st = jhex(m->mrsigner, 48, o, "mrsigner", where, err)) ||
      (st = jhex(m->attributes, 8, o, "attributes", where, err)) ||
      (st = jhex(m->attributes_mask, 8, o, "attributesMask", where, err)))
    return st;
  return DECC_OK;
}

static decc_status parse_tcb_info(dcap_tcb_info *t, const char *text,
                                  size_t len, decc_err *err) {
  const char *W = "collateral.tcb_info";
  json_error_t je;
  json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!json_is_object(o)) {
    json_decref(o);
    return decc_err_set(err, DECC_E_PARSE, "%s: not a JSON object", W);
  }
  decc_status st;
  const char *id = NULL;
  long long v = 0;
  if ((st = jstr(&id, NULL, o, "id", W, err)))
    goto out;
  if (strcmp(id, "SGX") && strcmp(id, "TDX")) {
    st = decc_err_set(err, DECC_E_PARSE, "%s: id must be SGX or TDX", W);
    goto out;
  }
  t->is_tdx = !strcmp(id, "TDX");
  if ((st = jint(&v, o, "version", 0, 1000, W, err)))
    goto out;
  t->version = (int)v;
  if (t->version != 3) {
    st = decc_err_set(err, DECC_E_UNSUPPORTED,
                      "%s: version %d not supported (3, from PCS API v4)", W,
                      t->version);
    goto out;
  }
  if ((st = jdate(&t->issue, o, "issueDate", W, err)) ||
      (st = jdate(&t->next, o, "nextUpdate", W, err)) ||
      (st = jhex(t->fmspc, 6, o, "fmspc", W, err)) ||
      (st = jhex(t->pce_id, 2, o, "pceId", W, err)) ||
      (st = jint(&v, o, "tcbType", 0, 0, W, err)))
    goto out;
  if ((st = jint(&v, o, "tcbEvaluationDataNumber", 0, UINT32_MAX, W, err)))
    goto out;
  t->eval_number = (uint32_t)v;
  json_t *levels = json_object_get(o, "tcbLevels");
  if (!json_is_array(levels) || json_array_size(levels) == 0 ||
      json_array_size(levels) > DCAP_MAX_LEVELS) {
    st = decc_err_set(err, DECC_E_PARSE,
                      "%s: tcbLevels must have 1 to %d "
                      "entries",
                      W, DCAP_MAX_LEVELS);
    goto out;
  }
  t->n_levels = json_array_size(levels);
  t->levels = decc_calloc(t->n_levels, sizeof *t->levels);
  if (!t->levels) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < t->n_levels; i++) {
    json_t *lv = json_array_get(levels, i), *tcb = json_object_get(lv, "tcb");
    dcap_tcb_level *l = &t->levels[i];
    if ((st = svn16(l->sgx, json_object_get(tcb, "sgxtcbcomponents"),
                    "sgxtcbcomponents", W, err)) ||
        (st = jint(&v, tcb, "pcesvn", 0, 65535, W, err)))
      goto out;
    l->pcesvn = (uint16_t)v;
    if (t->is_tdx) {
      if ((st = svn16(l->tdx, json_object_get(tcb, "tdxtcbcomponents"),
                      "tdxtcbcomponents", W, err)))
        goto out;
      l->has_tdx = 1;
    }
    if ((st = level_common(l, lv, W, err)))
      goto out;
  }
  json_t *mod = json_object_get(o, "tdxModule");
  if (t->is_tdx && mod) {
    if ((st = module_ident(&t->module, mod, "collateral.tcb_info.tdxModule",
                           err)))
      goto out;
    t->has_module = 1;
  }
  json_t *mods = json_object_get(o, "tdxModuleIdentities");
  if (t->is_tdx && mods) {
    if (!json_is_array(mods) || json_array_size(mods) > DCAP_MAX_MODULES) {
      st = decc_err_set(err, DECC_E_PARSE,
                        "%s: tdxModuleIdentities must have at most %d entries",
                        W, DCAP_MAX_MODULES);
      goto out;
    }
    for (size_t i = 0; i < json_array_size(mods); i++) {
      json_t *m = json_array_get(mods, i);
      dcap_module *dm = &t->modules[t->n_modules++];
      const char *mid = NULL;
      size_t mlen = 0;
      const char *MW = "collateral.tcb_info.tdxModuleIdentities";
      if ((st = jstr(&mid, &mlen, m, "id", MW, err)))
        goto out;
      if (mlen >= sizeof dm->id) {
        st = decc_err_set(err, DECC_E_PARSE, "%s: id too long", MW);
        goto out;
      }
      memcpy(dm->id, mid, mlen + 1);
      if ((st = module_ident(dm, m, MW, err)) ||
          (st = isv_levels(&dm->levels, &dm->n_levels,
                           json_object_get(m, "tcbLevels"), MW, err)))
        goto out;
    }
  }
  st = DECC_OK;
out:
  json_decref(o);
  return st;
}

static decc_status parse_qe_identity(dcap_qe_identity *q, const char *text,
                                     size_t len, decc_err *err) {
  const char *W = "collateral.qe_identity";
  json_error_t je;
  json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
  if (!json_is_object(o)) {
    json_decref(o);
    return decc_err_set(err, DECC_E_PARSE, "%s: not a JSON object", W);
  }
  decc_status st;
  const char *id = NULL;
  size_t idlen = 0;
  long long v = 0;
  if ((st = jstr(&id, &idlen, o, "id", W, err)))
    goto out;
  if (idlen >= sizeof q->id) {
    st = decc_err_set(err, DECC_E_PARSE, "%s: id too long", W);
    goto out;
  }
  memcpy(q->id, id, idlen + 1);
  if ((st = jint(&v, o, "version", 0, 1000, W, err)))
    goto out;
  q->version = (int)v;
  if ((st = jdate(&q->issue, o, "issueDate", W, err)) ||
      (st = jdate(&q->next, o, "nextUpdate", W, err)) ||
      (st = jhex(q->miscselect, 4, o, "miscselect", W, err)) ||
      (st = jhex(q->miscselect_mask, 4, o, "miscselectMask", W, err)) ||
      (st = jhex(q->attributes, 16, o, "attributes", W, err)) ||
      (st = jhex(q->attributes_mask, 16, o, "attributesMask", W, err)) ||
      (st = jhex(q->mrsigner, 32, o, "mrsigner", W, err)) ||
      (st = jint(&v, o, "isvprodid", 0, 65535, W, err)))
    goto out;
  q->isvprodid = (uint16_t)v;
  st = isv_levels(&q->levels, &q->n_levels, json_object_get(o, "tcbLevels"), W,
                  err);
out:
  json_decref(o);
  return st;
}

/* ---- the bundle --------------------------------------------------------- */

static decc_status hex_member(uint8_t **out, size_t *out_len, json_t *o,
                              const char *key, decc_err *err) {
  const char *s = NULL;
  size_t len = 0;
  decc_status st = jstr(&s, &len, o, key, "collateral", err);
  if (st)
    return st;
  *out = decc_malloc(len / 2 + 1);
  if (!*out)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (len == 0 ||
      decc_hex_decode(*out, len / 2 + 1, out_len, s, len) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE, "collateral: \"%s\" is not hex",
                        key);
  return DECC_OK;
}

static decc_status crl_member(X509_CRL **out, json_t *o, const char *key,
                              decc_err *err) {
  uint8_t *der = NULL;
  size_t n = 0;
  decc_status st = hex_member(&der, &n, o, key, err);
  if (!st) {
    const unsigned char *p = der;
    *out = d2i_X509_CRL(NULL, &p, (long)n);
    if (!*out || p != der + n) {
      X509_CRL_free(*out);
      *out = NULL;
      st = decc_err_set(err, DECC_E_PARSE,
                        "collateral: \"%s\" is not a DER CRL", key);
    }
  }
  ERR_clear_error();
  decc_free(der);
  return st;
}

static decc_status chain_member(STACK_OF(X509) * *out, json_t *o,
                                const char *key, decc_err *err) {
  const char *s = NULL;
  size_t len = 0;
  decc_status st = jstr(&s, &len, o, key, "collateral", err);
  if (st)
    return st;
  *out = decc__dcap_pem_chain(s, len);
  if (!*out || sk_X509_num(*out) < 2)
    return decc_err_set(err, DECC_E_PARSE,
                        "collateral: \"%s\" must be a PEM chain of 2 to %d "
                        "certificates",
                        key, DCAP_MAX_CHAIN);
  return DECC_OK;
}

static decc_status sig_member(uint8_t out[64], json_t *o, const char *key,
                              decc_err *err) {
  return jhex(out, 64, o, key, "collateral", err);
}

static decc_status text_member(char **out, size_t *len, json_t *o,
                               const char *key, decc_err *err) {
  const char *s = NULL;
  decc_status st = jstr(&s, len, o, key, "collateral", err);
  if (st)
    return st;
  *out = decc_strndup(s, *len);
  return *out ? DECC_OK : decc_err_set(err, DECC_E_NOMEM, "out of memory");
}

static void free_levels(dcap_tcb_level *l) { decc_free(l); }

void decc_dcap_collateral_destroy(decc_dcap_collateral *c) {
  if (!c)
    return;
  decc_free(c->tcb_info_text);
  decc_free(c->qe_identity_text);
  sk_X509_pop_free(c->tcb_chain, X509_free);
  sk_X509_pop_free(c->qe_chain, X509_free);
  sk_X509_pop_free(c->pck_crl_chain, X509_free);
  X509_CRL_free(c->root_crl);
  X509_CRL_free(c->pck_crl);
  free_levels(c->tcb.levels);
  for (size_t i = 0; i < c->tcb.n_modules; i++)
    free_levels(c->tcb.modules[i].levels);
  free_levels(c->qe.levels);
  X509_STORE_free(c->store);
  pthread_mutex_destroy(&c->lock);
  decc_free(c);
}

decc_status decc_dcap_collateral_parse(decc_dcap_collateral **out,
                                       const char *json, size_t len,
                                       decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(json != NULL);
  *out = NULL;
  if (len > DECC_DCAP_COLLATERAL_MAX)
    return decc_err_set(err, DECC_E_LIMIT,
                        "collateral: %zu bytes, more than the %u-byte limit",
                        len, DECC_DCAP_COLLATERAL_MAX);
  decc_status st = decc_init();
  if (st)
    return decc_err_set(err, st, "crypto backend failed to start");
  decc_dcap_collateral *c = decc_calloc(1, sizeof *c);
  if (!c)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  pthread_mutex_init(&c->lock, NULL);
  json_error_t je;
  json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!json_is_object(o)) {
    st = decc_err_set(err, DECC_E_PARSE, "collateral: not a JSON object (%s)",
                      je.text);
    goto out;
  }
  if ((st = text_member(&c->tcb_info_text, &c->tcb_info_len, o, "tcb_info",
                        err)) ||
      (st = text_member(&c->qe_identity_text, &c->qe_identity_len, o,
                        "qe_identity", err)) ||
      (st = sig_member(c->tcb_info_sig, o, "tcb_info_signature", err)) ||
      (st = sig_member(c->qe_identity_sig, o, "qe_identity_signature", err)) ||
      (st = chain_member(&c->tcb_chain, o, "tcb_info_issuer_chain", err)) ||
      (st = chain_member(&c->qe_chain, o, "qe_identity_issuer_chain", err)) ||
      (st = chain_member(&c->pck_crl_chain, o, "pck_crl_issuer_chain", err)) ||
      (st = crl_member(&c->root_crl, o, "root_ca_crl", err)) ||
      (st = crl_member(&c->pck_crl, o, "pck_crl", err)) ||
      (st = parse_tcb_info(&c->tcb, c->tcb_info_text, c->tcb_info_len, err)) ||
      (st = parse_qe_identity(&c->qe, c->qe_identity_text, c->qe_identity_len,
                              err)))
    goto out;
out:
  json_decref(o);
  if (st) {
    decc_dcap_collateral_destroy(c);
    return st;
  }
  *out = c;
  return DECC_OK;
}

void decc_dcap_collateral_window(const decc_dcap_collateral *c, int64_t *issued,
                                 int64_t *next_update) {
  DECC_ARG_CHECK_VOID(c != NULL);
  DECC_ARG_CHECK_VOID(issued != NULL);
  DECC_ARG_CHECK_VOID(next_update != NULL);
  *issued = c->tcb.issue > c->qe.issue ? c->tcb.issue : c->qe.issue;
  *next_update = c->tcb.next < c->qe.next ? c->tcb.next : c->qe.next;
}
