/*
 * verify.c — DCAP quote verification (see decc/dcap.h for what a success
 * means) and the TCB status rules.
 *
 * Sources of the rules, facts only (no code taken from them):
 *   - Intel SGX DCAP "ECDSA Quote Library API" and "Intel TDX DCAP Quoting
 *     Library API", sections on quote verification (QE report data =
 *     SHA-256(attestation key || QE auth data) || 32 zero bytes);
 *   - Intel PCS API v4 documentation of TCB Info V3 and Enclave Identity
 *     V2: "go over the sorted TCB levels, the first level whose SGX
 *     components and PCESVN are <= the PCK certificate's (and, for TDX,
 *     whose TDX components are <= TEE_TCB_SVN, skipping indices 0 and 1
 *     when TEE_TCB_SVN[1] != 0, the TDX module being judged by
 *     tdxModuleIdentities) gives the status"; QE identity: first level with
 *     isvsvn <= the QE's ISVSVN;
 *   - the combination of the QE (and TDX module) status with the platform
 *     status as Intel's Quote Verification Library does it: OutOfDate turns
 *     UpToDate/SWHardeningNeeded into OutOfDate and ConfigurationNeeded/
 *     ConfigurationAndSWHardeningNeeded into OutOfDateConfigurationNeeded;
 *     Revoked wins; otherwise the platform status stands. Advisory ids are
 *     the union (platform first, then QE, then TDX module).
 *   - SGX PCK certificate extensions (OID 1.2.840.113741.1.13.1.*).
 * The collateral's own checks (chains, CRLs, signatures, dates) are cached
 * in the collateral per root and validity window: a verification with warm
 * collateral costs the PCK chain, the QE report and the quote signatures.
 */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "dcap/dcap_int.h"
#include "decc/hash.h"
#include "decc/mem.h"

/* ---- checks table ------------------------------------------------------- */

static const struct {
  const char *name, *text;
} CHECKS[] = {
#define DECC_XX_CHECK(name, bit, text) {#name, text},
    DECC_DCAP_CHECK_MAP(DECC_XX_CHECK)
#undef DECC_XX_CHECK
};

const char *decc_dcap_check_text(unsigned i, const char **name_out) {
  if (i >= sizeof CHECKS / sizeof *CHECKS)
    return NULL;
  if (name_out)
    *name_out = CHECKS[i].name;
  return CHECKS[i].text;
}

/* Marks the failed check and sets the error. */
#define FAIL(res, check, err, code, ...)                                       \
  ((res)->failed_check = (check), decc_err_set((err), (code), __VA_ARGS__))

/* ---- verifier ----------------------------------------------------------- */

decc_status decc_dcap_verifier_create(decc_dcap_verifier **out,
                                      const uint8_t *root_der, size_t root_len,
                                      decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(root_der != NULL || root_len == 0);
  *out = NULL;
  decc_status st = decc_init();
  if (st)
    return decc_err_set(err, st, "crypto backend failed to start");
  if (!root_der) {
    root_der = decc__dcap_intel_root_der;
    root_len = decc__dcap_intel_root_der_len;
  }
  if (root_len > 16384)
    return decc_err_set(err, DECC_E_LIMIT, "root certificate too large");
  decc_dcap_verifier *v = decc_calloc(1, sizeof *v);
  if (!v)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  const unsigned char *p = root_der;
  v->root = d2i_X509(NULL, &p, (long)root_len);
  ERR_clear_error();
  if (!v->root || p != root_der + root_len) {
    decc_dcap_verifier_destroy(v);
    return decc_err_set(err, DECC_E_PARSE,
                        "root certificate: not one DER X.509 certificate");
  }
  decc_sha256(v->root_fp, root_der, root_len);
  *out = v;
  return DECC_OK;
}

void decc_dcap_verifier_destroy(decc_dcap_verifier *v) {
  if (!v)
    return;
  X509_free(v->root);
  decc_free(v);
}

/* ---- X.509 helpers ------------------------------------------------------ */

static void cn_of(char *buf, size_t cap, X509 *x) {
  buf[0] = 0;
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, buf,
                                (int)cap) < 0)
    buf[0] = 0;
  ERR_clear_error();
}

/* Verifies `leaf` up to the store's root at `now`, CRLs included. */
static decc_status chain_verify(X509_STORE *store, X509 *leaf,
                                STACK_OF(X509) * untrusted, int64_t now,
                                const char *what, decc_err *err) {
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  if (!ctx || X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) {
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return decc_err_set(err, DECC_E_NOMEM, "%s: cannot set up verification",
                        what);
  }
  X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
  int ok = X509_verify_cert(ctx);
  int e = X509_STORE_CTX_get_error(ctx);
  int depth = X509_STORE_CTX_get_error_depth(ctx);
  X509_STORE_CTX_free(ctx);
  ERR_clear_error();
  if (ok == 1)
    return DECC_OK;
  decc_status code = DECC_E_DENIED;
  const char *hint = "the chain must lead to the pinned Intel SGX Root CA";
  switch (e) {
  case X509_V_ERR_CERT_REVOKED:
    hint = "revoked by a CRL; the platform must not be trusted";
    break;
  case X509_V_ERR_CERT_HAS_EXPIRED:
  case X509_V_ERR_CERT_NOT_YET_VALID:
  case X509_V_ERR_CRL_HAS_EXPIRED:
  case X509_V_ERR_CRL_NOT_YET_VALID:
    code = DECC_E_STATE;
    hint = "check the clock or fetch current collateral";
    break;
  case X509_V_ERR_CERT_SIGNATURE_FAILURE:
  case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    code = DECC_E_BAD_SIGNATURE;
    hint = "a certificate or CRL was altered";
    break;
  case X509_V_ERR_UNABLE_TO_GET_CRL:
    hint = "the collateral's CRLs do not cover this chain (PCK CRL of the "
           "other CA?)";
    break;
  default:
    break;
  }
  return decc_err_set(err, code, "%s: %s at depth %d (%s)", what,
                      X509_verify_cert_error_string(e), depth, hint);
}

static decc_status crl_check(X509_CRL *crl, X509 *issuer, int64_t now,
                             const char *what, int64_t *lo, int64_t *hi,
                             decc_err *err) {
  if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)))
    return decc_err_set(err, DECC_E_DENIED, "%s: issuer is not %s", what,
                        "the certificate that should sign it");
  EVP_PKEY *k = X509_get0_pubkey(issuer);
  int ok = k && X509_CRL_verify(crl, k) == 1;
  ERR_clear_error();
  if (!ok)
    return decc_err_set(err, DECC_E_BAD_SIGNATURE,
                        "%s: signature does not verify", what);
  int64_t a, b;
  if (!decc__dcap_asn1_time(&a, X509_CRL_get0_lastUpdate(crl)) ||
      !decc__dcap_asn1_time(&b, X509_CRL_get0_nextUpdate(crl)))
    return decc_err_set(err, DECC_E_PARSE, "%s: missing update times", what);
  if (now < a || now > b)
    return decc_err_set(err, DECC_E_STATE,
                        "%s: valid from %lld to %lld, not at %lld (fetch "
                        "current collateral)",
                        what, (long long)a, (long long)b, (long long)now);
  if (a > *lo)
    *lo = a;
  if (b < *hi)
    *hi = b;
  return DECC_OK;
}

static void narrow_by_certs(STACK_OF(X509) * sk, int64_t *lo, int64_t *hi) {
  for (int i = 0; i < sk_X509_num(sk); i++) {
    int64_t a, b;
    X509 *x = sk_X509_value(sk, i);
    if (decc__dcap_asn1_time(&a, X509_get0_notBefore(x)) && a > *lo)
      *lo = a;
    if (decc__dcap_asn1_time(&b, X509_get0_notAfter(x)) && b < *hi)
      *hi = b;
  }
}

/* TCB info / QE identity signer: issued by the root, CN "Intel SGX TCB
 * Signing", and the ECDSA signature over the exact signed text. */
static decc_status signed_json(X509_STORE *store, STACK_OF(X509) * chain,
                               const char *text, size_t len,
                               const uint8_t sig[64], int64_t now,
                               const char *what, decc_err *err) {
  X509 *signer = sk_X509_value(chain, 0);
  char cn[96];
  cn_of(cn, sizeof cn, signer);
  if (strcmp(cn, "Intel SGX TCB Signing"))
    return decc_err_set(err, DECC_E_DENIED,
                        "%s: signer is \"%.60s\", not Intel SGX TCB Signing",
                        what, cn);
  decc_status st = chain_verify(store, signer, chain, now, what, err);
  if (st)
    return st;
  if (!decc__dcap_ecdsa_verify(X509_get0_pubkey(signer), sig, text, len))
    return decc_err_set(err, DECC_E_BAD_SIGNATURE,
                        "%s: signature does not verify (collateral altered)",
                        what);
  return DECC_OK;
}

/* The collateral's own checks, cached per root and validity window.
 * Out: *store_out (a reference; X509_STORE_free it). */
static decc_status collateral_checks(const decc_dcap_verifier *v,
                                     decc_dcap_collateral *c, int64_t now,
                                     decc_dcap_result *res,
                                     X509_STORE **store_out, decc_err *err) {
  const uint32_t bits = DECC_DCAP_CHECK_COLLATERAL_DATES |
                        DECC_DCAP_CHECK_CRLS |
                        DECC_DCAP_CHECK_TCB_INFO_SIGNATURE |
                        DECC_DCAP_CHECK_QE_IDENTITY_SIGNATURE;
  decc_status st = DECC_OK;
  pthread_mutex_lock(&c->lock);
  if (c->cached && !memcmp(c->cached_root, v->root_fp, 32) &&
      now >= c->cached_lo && now <= c->cached_hi) {
    res->checks |= bits;
    goto done;
  }
  c->cached = 0;
  if (now < c->tcb.issue || now > c->tcb.next) {
    st = FAIL(res, "COLLATERAL_DATES", err, DECC_E_STATE,
              "collateral.tcb_info: valid from %lld to %lld (issueDate.."
              "nextUpdate), not at %lld; fetch current collateral",
              (long long)c->tcb.issue, (long long)c->tcb.next, (long long)now);
    goto done;
  }
  if (now < c->qe.issue || now > c->qe.next) {
    st = FAIL(res, "COLLATERAL_DATES", err, DECC_E_STATE,
              "collateral.qe_identity: valid from %lld to %lld (issueDate.."
              "nextUpdate), not at %lld; fetch current collateral",
              (long long)c->qe.issue, (long long)c->qe.next, (long long)now);
    goto done;
  }
  res->checks |= DECC_DCAP_CHECK_COLLATERAL_DATES;
  int64_t lo, hi;
  decc_dcap_collateral_window(c, &lo, &hi);

  X509_STORE_free(c->store);
  c->store = X509_STORE_new();
  if (!c->store || X509_STORE_add_cert(c->store, v->root) != 1 ||
      X509_STORE_add_crl(c->store, c->root_crl) != 1 ||
      X509_STORE_add_crl(c->store, c->pck_crl) != 1 ||
      X509_STORE_set_flags(c->store, X509_V_FLAG_CRL_CHECK |
                                         X509_V_FLAG_CRL_CHECK_ALL |
                                         X509_V_FLAG_X509_STRICT) != 1) {
    ERR_clear_error();
    st = FAIL(res, "CRLS", err, DECC_E_NOMEM, "cannot build the X.509 store");
    goto done;
  }
  /* Root CA CRL: signed by the pinned root. PCK CRL: signed by the PCK CA
   * of its issuer chain, which itself chains to the root. */
  if ((st = crl_check(c->root_crl, v->root, now, "collateral.root_ca_crl", &lo,
                      &hi, err))) {
    res->failed_check = "CRLS";
    goto done;
  }
  X509 *pck_ca = sk_X509_value(c->pck_crl_chain, 0);
  if ((st = chain_verify(c->store, pck_ca, c->pck_crl_chain, now,
                         "collateral.pck_crl_issuer_chain", err)) ||
      (st = crl_check(c->pck_crl, pck_ca, now, "collateral.pck_crl", &lo, &hi,
                      err))) {
    res->failed_check = "CRLS";
    goto done;
  }
  res->checks |= DECC_DCAP_CHECK_CRLS;
  if ((st = signed_json(c->store, c->tcb_chain, c->tcb_info_text,
                        c->tcb_info_len, c->tcb_info_sig, now,
                        "collateral.tcb_info", err))) {
    res->failed_check = "TCB_INFO_SIGNATURE";
    goto done;
  }
  res->checks |= DECC_DCAP_CHECK_TCB_INFO_SIGNATURE;
  if ((st = signed_json(c->store, c->qe_chain, c->qe_identity_text,
                        c->qe_identity_len, c->qe_identity_sig, now,
                        "collateral.qe_identity", err))) {
    res->failed_check = "QE_IDENTITY_SIGNATURE";
    goto done;
  }
  res->checks |= DECC_DCAP_CHECK_QE_IDENTITY_SIGNATURE;
  narrow_by_certs(c->tcb_chain, &lo, &hi);
  narrow_by_certs(c->qe_chain, &lo, &hi);
  narrow_by_certs(c->pck_crl_chain, &lo, &hi);
  c->cached = 1;
  memcpy(c->cached_root, v->root_fp, 32);
  c->cached_lo = lo;
  c->cached_hi = hi;
done:
  if (!st) {
    X509_STORE_up_ref(c->store);
    *store_out = c->store;
  }
  pthread_mutex_unlock(&c->lock);
  return st;
}

/* ---- PCK certificate SGX extension --------------------------------------- */

typedef struct der {
  const uint8_t *p;
  size_t n;
} der;

/* Reads one TLV. Returns 1 and the tag and content, 0 on malformed DER. */
static int der_next(der *d, unsigned *tag, der *content) {
  if (d->n < 2)
    return 0;
  *tag = d->p[0];
  size_t len = d->p[1], hdr = 2;
  if (len & 0x80) {
    size_t k = len & 0x7f;
    if (k == 0 || k > 4 || d->n < 2 + k)
      return 0;
    len = 0;
    for (size_t i = 0; i < k; i++)
      len = len << 8 | d->p[2 + i];
    hdr += k;
  }
  if (len > d->n - hdr)
    return 0;
  content->p = d->p + hdr;
  content->n = len;
  d->p += hdr + len;
  d->n -= hdr + len;
  return 1;
}

static int der_uint(const der *c, uint32_t max, uint32_t *out) {
  if (c->n == 0 || c->n > 4 || (c->p[0] & 0x80))
    return 0;
  uint32_t v = 0;
  for (size_t i = 0; i < c->n; i++)
    v = v << 8 | c->p[i];
  if (v > max)
    return 0;
  *out = v;
  return 1;
}

static const uint8_t SGX_EXT_OID[9] = {0x2A, 0x86, 0x48, 0x86, 0xF8,
                                       0x4D, 0x01, 0x0D, 0x01};

typedef struct pck_info {
  uint8_t comp[16], cpusvn[16], ppid[16], fmspc[6], pceid[2];
  uint16_t pcesvn;
} pck_info;

static int oid_child(const der *oid, size_t prefix_extra, const uint8_t *extra,
                     unsigned *last) {
  size_t want = sizeof SGX_EXT_OID + prefix_extra + 1;
  if (oid->n != want || memcmp(oid->p, SGX_EXT_OID, sizeof SGX_EXT_OID) ||
      (prefix_extra &&
       memcmp(oid->p + sizeof SGX_EXT_OID, extra, prefix_extra)))
    return 0;
  *last = oid->p[want - 1];
  return 1;
}

static int parse_tcb_ext(const der *tcb, pck_info *pi) {
  der d = *tcb, item;
  unsigned tag;
  uint32_t seen = 0;
  static const uint8_t two = 0x02;
  while (d.n) {
    der in, oid, val;
    unsigned t2, t3, which;
    uint32_t v;
    if (!der_next(&d, &tag, &item) || tag != 0x30)
      return 0;
    in = item;
    if (!der_next(&in, &t2, &oid) || t2 != 0x06 || !der_next(&in, &t3, &val) ||
        in.n)
      return 0;
    if (!oid_child(&oid, 1, &two, &which))
      continue;
    if (which >= 1 && which <= 16) {
      if (t3 != 0x02 || !der_uint(&val, 255, &v))
        return 0;
      pi->comp[which - 1] = (uint8_t)v;
    } else if (which == 17) {
      if (t3 != 0x02 || !der_uint(&val, 65535, &v))
        return 0;
      pi->pcesvn = (uint16_t)v;
    } else if (which == 18) {
      if (t3 != 0x04 || val.n != 16)
        return 0;
      memcpy(pi->cpusvn, val.p, 16);
    } else {
      continue;
    }
    seen |= 1u << (which - 1);
  }
  return seen == 0x3FFFF; /* components 1..16, PCESVN, CPUSVN */
}

static int parse_pck_ext(X509 *x, pck_info *pi) {
  for (int i = 0; i < X509_get_ext_count(x); i++) {
    X509_EXTENSION *ext = X509_get_ext(x, i);
    const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
    if ((size_t)OBJ_length(obj) != sizeof SGX_EXT_OID ||
        memcmp(OBJ_get0_data(obj), SGX_EXT_OID, sizeof SGX_EXT_OID))
      continue;
    const ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(ext);
    der top = {ASN1_STRING_get0_data(os), (size_t)ASN1_STRING_length(os)}, seq;
    unsigned tag;
    if (!der_next(&top, &tag, &seq) || tag != 0x30 || top.n)
      return 0;
    unsigned seen = 0;
    while (seq.n) {
      der item, oid, val;
      unsigned t2, t3, which;
      if (!der_next(&seq, &tag, &item) || tag != 0x30 ||
          !der_next(&item, &t2, &oid) || t2 != 0x06 ||
          !der_next(&item, &t3, &val) || item.n)
        return 0;
      if (!oid_child(&oid, 0, NULL, &which))
        continue;
      if (which == 1 && t3 == 0x04 && val.n == 16) {
        memcpy(pi->ppid, val.p, 16);
        seen |= 1;
      } else if (which == 2 && t3 == 0x30) {
        if (!parse_tcb_ext(&val, pi))
          return 0;
        seen |= 2;
      } else if (which == 3 && t3 == 0x04 && val.n == 2) {
        memcpy(pi->pceid, val.p, 2);
        seen |= 4;
      } else if (which == 4 && t3 == 0x04 && val.n == 6) {
        memcpy(pi->fmspc, val.p, 6);
        seen |= 8;
      } else if (which <= 4) {
        return 0;
      }
    }
    return seen == 15;
  }
  return 0;
}

int decc__dcap_pck_fmspc(X509 *leaf, uint8_t fmspc[6]) {
  pck_info pi;
  memset(&pi, 0, sizeof pi);
  if (!parse_pck_ext(leaf, &pi))
    return 0;
  memcpy(fmspc, pi.fmspc, 6);
  return 1;
}

/* ---- TCB status rules --------------------------------------------------- */

static void adv_add(decc_dcap_result *res, const dcap_advisories *a) {
  for (size_t i = 0; i < a->n; i++) {
    int dup = 0;
    for (size_t k = 0; k < res->n_advisories && !dup; k++)
      dup = !strcmp(res->advisories[k], a->id[i]);
    if (!dup && res->n_advisories < DECC_DCAP_MAX_ADVISORIES)
      memcpy(res->advisories[res->n_advisories++], a->id[i],
             DECC_DCAP_ADVISORY_LEN);
  }
}

/* Intel QVL's combination of a component status (QE or TDX module) with
 * the platform status. */
static decc_dcap_tcb_status converge(decc_dcap_tcb_status platform,
                                     decc_dcap_tcb_status other) {
  if (other == DECC_DCAP_TCB_REVOKED)
    return DECC_DCAP_TCB_REVOKED;
  if (other == DECC_DCAP_TCB_OUT_OF_DATE) {
    if (platform == DECC_DCAP_TCB_UP_TO_DATE ||
        platform == DECC_DCAP_TCB_SW_HARDENING_NEEDED)
      return DECC_DCAP_TCB_OUT_OF_DATE;
    if (platform == DECC_DCAP_TCB_CONFIGURATION_NEEDED ||
        platform == DECC_DCAP_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED)
      return DECC_DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED;
  }
  return platform;
}

static const dcap_tcb_level *isv_match(const dcap_tcb_level *l, size_t n,
                                       uint16_t isvsvn) {
  for (size_t i = 0; i < n; i++)
    if (l[i].isvsvn <= isvsvn)
      return &l[i];
  return NULL;
}

static int masked_eq(const uint8_t *a, const uint8_t *b, const uint8_t *mask,
                     size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((a[i] & mask[i]) != (b[i] & mask[i]))
      return 0;
  return 1;
}

static int all_zero(const uint8_t *p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; i++)
    acc |= p[i];
  return acc == 0;
}

/* Platform TCB level (and, for TDX, the TDX module). */
static decc_status tcb_rules(const decc_dcap_collateral *c, const pck_info *pi,
                             decc_dcap_result *res,
                             const dcap_tcb_level **plat_out,
                             const dcap_tcb_level **mod_out, decc_err *err) {
  const decc_dcap_quote *q = &res->quote;
  const dcap_tcb_info *t = &c->tcb;
  int tdx = q->tee_type == DECC_DCAP_TEE_TDX;
  const dcap_tcb_level *match = NULL;
  for (size_t i = 0; i < t->n_levels && !match; i++) {
    const dcap_tcb_level *l = &t->levels[i];
    int ok = pi->pcesvn >= l->pcesvn;
    for (int k = 0; ok && k < 16; k++)
      ok = pi->comp[k] >= l->sgx[k];
    if (ok && tdx) {
      int start = q->td.tee_tcb_svn[1] != 0 ? 2 : 0;
      for (int k = start; ok && k < 16; k++)
        ok = q->td.tee_tcb_svn[k] >= l->tdx[k];
    }
    if (ok)
      match = l;
  }
  if (!match)
    return FAIL(res, "TCB_LEVEL", err, DECC_E_DENIED,
                "tcb_level: No matching TCB level found (the platform's SVNs "
                "are below every level of the TCB info: update the platform)");
  res->platform_status = match->status;
  res->status = match->status;
  *plat_out = match;
  memcpy(res->tcb_date, match->date, sizeof res->tcb_date);
  if (match->status == DECC_DCAP_TCB_REVOKED) {
    res->status = DECC_DCAP_TCB_REVOKED;
    adv_add(res, &match->adv);
    return FAIL(res, "TCB_LEVEL", err, DECC_E_DENIED,
                "tcb_level: the platform's TCB level is Revoked");
  }
  res->checks |= DECC_DCAP_CHECK_TCB_LEVEL;
  if (!tdx)
    return DECC_OK;

  /* TDX module: TEE_TCB_SVN[1] is the module's major version, [0] its SVN.
   * Version 0 is judged by "tdxModule", others by tdxModuleIdentities
   * entry "TDX_%02X". */
  uint8_t major = q->td.tee_tcb_svn[1], svn = q->td.tee_tcb_svn[0];
  const dcap_module *m = NULL;
  char id[16];
  snprintf(id, sizeof id, "TDX_%02X", major);
  if (major != 0 && t->n_modules) {
    for (size_t i = 0; i < t->n_modules && !m; i++)
      if (!strcmp(t->modules[i].id, id))
        m = &t->modules[i];
    if (!m)
      return FAIL(res, "TDX_MODULE", err, DECC_E_DENIED,
                  "tdx_module: no identity %s in the TCB info", id);
  } else if (t->has_module) {
    m = &t->module;
  } else {
    return FAIL(res, "TDX_MODULE", err, DECC_E_DENIED,
                "tdx_module: the TCB info has no tdxModule");
  }
  if (memcmp(q->td.mrsignerseam, m->mrsigner, 48) ||
      !masked_eq(q->td.seam_attributes, m->attributes, m->attributes_mask, 8))
    return FAIL(res, "TDX_MODULE", err, DECC_E_DENIED,
                "tdx_module: MRSIGNERSEAM or SEAMATTRIBUTES differ from %s",
                m == &t->module ? "tdxModule" : id);
  decc_dcap_tcb_status mod = DECC_DCAP_TCB_UNKNOWN;
  if (m != &t->module) {
    const dcap_tcb_level *ml = isv_match(m->levels, m->n_levels, svn);
    if (!ml)
      return FAIL(res, "TDX_MODULE", err, DECC_E_DENIED,
                  "tdx_module: No matching TDX module TCB level (%s SVN %u)",
                  id, (unsigned)svn);
    mod = ml->status;
    res->module_status = mod;
    res->status = converge(res->platform_status, mod);
    *mod_out = ml;
  }
  if (mod == DECC_DCAP_TCB_REVOKED)
    return FAIL(res, "TDX_MODULE", err, DECC_E_DENIED,
                "tdx_module: the TDX module's TCB level is Revoked");
  res->checks |= DECC_DCAP_CHECK_TDX_MODULE;
  return DECC_OK;
}

/* ---- the verification --------------------------------------------------- */

/* The attestation key as an EVP_PKEY, through the fixed DER
 * SubjectPublicKeyInfo prefix of an uncompressed P-256 point (RFC 5480);
 * OpenSSL checks that the point is on the curve. */
static EVP_PKEY *p256_key(const uint8_t xy[64]) {
  static const uint8_t prefix[27] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a,
                                     0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
                                     0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03,
                                     0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
  uint8_t spki[91];
  memcpy(spki, prefix, sizeof prefix);
  memcpy(spki + 27, xy, 64);
  const unsigned char *p = spki;
  EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)sizeof spki);
  ERR_clear_error();
  return k;
}

static decc_status pck_leaf(const decc_dcap_collateral *coll, X509 *ca,
                            X509 *leaf, int64_t now, decc_err *err) {
  int64_t a, b;
  X509_REVOKED *rev = NULL;
  decc_status st = DECC_OK;
  if (X509_check_issued(ca, leaf) != X509_V_OK)
    st = decc_err_set(err, DECC_E_DENIED,
                      "pck_chain: the PCK certificate is not issued by the "
                      "PCK CA");
  else if (X509_get_extension_flags(leaf) & EXFLAG_CRITICAL)
    st = decc_err_set(err, DECC_E_DENIED,
                      "pck_chain: unhandled critical extension in the PCK "
                      "certificate");
  else if (X509_verify(leaf, X509_get0_pubkey(ca)) != 1)
    st = decc_err_set(err, DECC_E_BAD_SIGNATURE,
                      "pck_chain: certificate signature failure at depth 0 (a "
                      "certificate or CRL was altered)");
  else if (!decc__dcap_asn1_time(&a, X509_get0_notBefore(leaf)) ||
           !decc__dcap_asn1_time(&b, X509_get0_notAfter(leaf)))
    st = decc_err_set(err, DECC_E_PARSE, "pck_chain: bad validity dates");
  else if (now < a || now > b)
    st = decc_err_set(err, DECC_E_STATE,
                      "pck_chain: certificate %s at depth 0 (check the clock "
                      "or fetch current collateral)",
                      now < a ? "is not yet valid" : "has expired");
  else if (X509_CRL_get0_by_cert(coll->pck_crl, &rev, leaf) != 0)
    st = decc_err_set(err, DECC_E_DENIED,
                      "pck_chain: certificate revoked at depth 0 (revoked by "
                      "the PCK CRL; the platform must not be trusted)");
  ERR_clear_error();
  return st;
}

static decc_status pck_chain(const decc_dcap_verifier *v,
                             const decc_dcap_collateral *coll,
                             X509_STORE *store, STACK_OF(X509) * chain,
                             int64_t now, decc_dcap_result *res,
                             decc_err *err) {
  int n = sk_X509_num(chain);
  if (n < 2 || n > 3)
    return FAIL(res, "PCK_CHAIN", err, DECC_E_PARSE,
                "pck_chain: %d certificates in the quote (expected PCK, PCK "
                "CA and root)",
                n);
  X509 *leaf = sk_X509_value(chain, 0), *ca = sk_X509_value(chain, 1);
  if (n == 3 && X509_cmp(sk_X509_value(chain, 2), v->root) != 0)
    return FAIL(res, "PCK_CHAIN", err, DECC_E_DENIED,
                "pck_chain: the quote's root certificate is not the pinned "
                "root CA");
  char cn[96];
  cn_of(cn, sizeof cn, leaf);
  if (strcmp(cn, "Intel SGX PCK Certificate"))
    return FAIL(
        res, "PCK_CHAIN", err, DECC_E_DENIED,
        "pck_chain: leaf is \"%.60s\", not an Intel SGX PCK Certificate", cn);
  cn_of(cn, sizeof cn, ca);
  if (!strcmp(cn, "Intel SGX PCK Platform CA"))
    res->pck_ca_platform = 1;
  else if (strcmp(cn, "Intel SGX PCK Processor CA"))
    return FAIL(res, "PCK_CHAIN", err, DECC_E_DENIED,
                "pck_chain: issuer is \"%.60s\", not the PCK Platform or "
                "Processor CA",
                cn);
  if (X509_check_ca(leaf) != 0) {
    ERR_clear_error();
    return FAIL(res, "PCK_CHAIN", err, DECC_E_DENIED,
                "pck_chain: the PCK certificate is a CA certificate");
  }
  decc_status st;
  X509 *known_ca = sk_X509_value(coll->pck_crl_chain, 0);
  if (X509_cmp(ca, known_ca) == 0) {
    /* The quote's PCK CA is the PCK CRL's issuer, already verified up to
     * the root (and against the root CA CRL) with the collateral: only the
     * leaf remains — issued by that CA, signature, validity, not in the
     * PCK CRL (whose signature was checked with the collateral). */
    st = pck_leaf(coll, ca, leaf, now, err);
  } else {
    st = chain_verify(store, leaf, chain, now, "pck_chain", err);
  }
  if (st)
    res->failed_check = "PCK_CHAIN";
  else
    res->checks |= DECC_DCAP_CHECK_PCK_CHAIN;
  return st;
}

static decc_status qe_identity_rules(const decc_dcap_collateral *c,
                                     decc_dcap_result *res, decc_err *err) {
  const decc_dcap_quote *q = &res->quote;
  const dcap_qe_identity *id = &c->qe;
  const uint8_t *r = q->qe_report;
  const char *want = q->tee_type == DECC_DCAP_TEE_TDX ? "TD_QE" : "QE";
  if (strcmp(id->id, want) || id->version != 2)
    return FAIL(res, "QE_IDENTITY", err, DECC_E_DENIED,
                "qe_identity: collateral is %.8s version %d, the quote needs "
                "%s version 2",
                id->id, id->version, want);
  uint16_t prodid = (uint16_t)(r[256] | r[257] << 8);
  uint16_t isvsvn = (uint16_t)(r[258] | r[259] << 8);
  if (memcmp(r + 128, id->mrsigner, 32)) {
    char got[65];
    decc__hex_encode_upper(got, r + 128, 32);
    return FAIL(res, "QE_IDENTITY", err, DECC_E_DENIED,
                "qe_identity: QE MRSIGNER %s is not the identity's", got);
  }
  if (prodid != id->isvprodid)
    return FAIL(res, "QE_IDENTITY", err, DECC_E_DENIED,
                "qe_identity: QE ISVPRODID %u, identity says %u",
                (unsigned)prodid, (unsigned)id->isvprodid);
  if (!masked_eq(r + 16, id->miscselect, id->miscselect_mask, 4))
    return FAIL(res, "QE_IDENTITY", err, DECC_E_DENIED,
                "qe_identity: QE MISCSELECT differs (masked)");
  if (!masked_eq(r + 48, id->attributes, id->attributes_mask, 16) ||
      (r[48] & 0x02))
    return FAIL(res, "QE_IDENTITY", err, DECC_E_DENIED,
                "qe_identity: QE ATTRIBUTES differ (masked) or debug QE");
  res->checks |= DECC_DCAP_CHECK_QE_IDENTITY;
  const dcap_tcb_level *l = isv_match(id->levels, id->n_levels, isvsvn);
  /* Intel QVL: an ISVSVN below every level counts as Revoked. */
  res->qe_status = l ? l->status : DECC_DCAP_TCB_REVOKED;
  if (res->qe_status == DECC_DCAP_TCB_REVOKED)
    return FAIL(res, "QE_TCB_LEVEL", err, DECC_E_DENIED,
                "qe_tcb_level: QE ISVSVN %u is %s", (unsigned)isvsvn,
                l ? "Revoked" : "below every level of the QE identity");
  res->checks |= DECC_DCAP_CHECK_QE_TCB_LEVEL;
  return DECC_OK;
}

static decc_status attribute_rules(decc_dcap_result *res, decc_err *err) {
  const decc_dcap_quote *q = &res->quote;
  if (q->body == DECC_DCAP_BODY_SGX) {
    if (q->sgx.attributes[0] & 0x02)
      return FAIL(res, "REPORT_ATTRIBUTES", err, DECC_E_DENIED,
                  "report_attributes: debug enclave");
  } else {
    const uint8_t *a = q->td.td_attributes;
    if (a[0] != 0)
      return FAIL(res, "REPORT_ATTRIBUTES", err, DECC_E_DENIED,
                  "report_attributes: debug TD (TUD bits set)");
    /* SEC bits 8..27 and 29 reserved, OTHER bits 32..62 reserved. */
    if (a[1] || a[2] || (a[3] & 0x2F) || a[4] || a[5] || a[6] || (a[7] & 0x7F))
      return FAIL(res, "REPORT_ATTRIBUTES", err, DECC_E_DENIED,
                  "report_attributes: reserved TD attribute bits set");
    if (!(a[3] & 0x10))
      return FAIL(res, "REPORT_ATTRIBUTES", err, DECC_E_DENIED,
                  "report_attributes: SEPT_VE_DISABLE is not set");
    if (q->body == DECC_DCAP_BODY_TD15 && !all_zero(q->td.mrservicetd, 48))
      return FAIL(res, "REPORT_ATTRIBUTES", err, DECC_E_DENIED,
                  "report_attributes: MRSERVICETD is not zero");
  }
  res->checks |= DECC_DCAP_CHECK_REPORT_ATTRIBUTES;
  return DECC_OK;
}

decc_status decc_dcap_verify(const decc_dcap_verifier *v, decc_dcap_result *res,
                             const uint8_t *quote, size_t quote_len,
                             decc_dcap_collateral *coll, int64_t now,
                             decc_err *err) {
  DECC_ARG_CHECK(res != NULL);
  /* (res first: it is documented as always initialised) */
  memset(res, 0, sizeof *res);
  decc_err_clear(err);
  DECC_ARG_CHECK(v != NULL);
  DECC_ARG_CHECK(coll != NULL);
  DECC_ARG_CHECK(quote != NULL || quote_len == 0);
  decc_status st = decc_dcap_quote_parse(&res->quote, quote, quote_len, err);
  if (st) {
    res->failed_check = "QUOTE_PARSE";
    return st;
  }
  res->checks |= DECC_DCAP_CHECK_QUOTE_PARSE;
  const decc_dcap_quote *q = &res->quote;
  X509_STORE *store = NULL;
  STACK_OF(X509) *chain = NULL;
  EVP_PKEY *ak = NULL;
  if ((st = collateral_checks(v, coll, now, res, &store, err)))
    return st;
  res->tcb_evaluation_data_number = coll->tcb.eval_number;

  {
    /* The PCK CA and the root in the quote are nearly always the ones the
     * collateral and the verifier already hold: reuse those objects and
     * parse only the PCK certificate (X.509 parsing dominates otherwise). */
    X509 *known[2] = {sk_X509_value(coll->pck_crl_chain, 0), v->root};
    chain = decc__dcap_pem_chain_known(q->cert_data, q->cert_len, known, 2);
  }
  if (!chain) {
    st = FAIL(res, "PCK_CHAIN", err, DECC_E_PARSE,
              "pck_chain: the quote's certification data is not a PEM chain");
    goto out;
  }
  if ((st = pck_chain(v, coll, store, chain, now, res, err)))
    goto out;
  X509 *leaf = sk_X509_value(chain, 0);
  pck_info pi;
  memset(&pi, 0, sizeof pi);
  if (!parse_pck_ext(leaf, &pi)) {
    st = FAIL(res, "PCK_CHAIN", err, DECC_E_PARSE,
              "pck_chain: the PCK certificate's SGX extension is malformed or "
              "incomplete");
    goto out;
  }
  memcpy(res->fmspc, pi.fmspc, 6);
  memcpy(res->pce_id, pi.pceid, 2);
  memcpy(res->pck_cpusvn, pi.cpusvn, 16);
  memcpy(res->pck_tcb_svn, pi.comp, 16);
  memcpy(res->ppid, pi.ppid, 16);
  res->pck_pcesvn = pi.pcesvn;

  if (!decc__dcap_ecdsa_verify(X509_get0_pubkey(leaf), q->qe_report_signature,
                               q->qe_report, 384)) {
    st = FAIL(res, "QE_REPORT_SIGNATURE", err, DECC_E_BAD_SIGNATURE,
              "qe_report: signature by the PCK key does not verify (QE report "
              "altered)");
    goto out;
  }
  res->checks |= DECC_DCAP_CHECK_QE_REPORT_SIGNATURE;

  {
    decc_sha256_ctx h;
    uint8_t digest[32];
    if (decc_sha256_init(&h) != DECC_OK) {
      st = FAIL(res, "QE_REPORT_DATA", err, DECC_E_CRYPTO, "sha256 failed");
      goto out;
    }
    decc_sha256_update(&h, q->attestation_key, 64);
    decc_sha256_update(&h, q->qe_auth_data, q->qe_auth_len);
    decc_sha256_final(&h, digest);
    if (memcmp(digest, q->qe_report + 320, 32) ||
        !all_zero(q->qe_report + 352, 32)) {
      st = FAIL(res, "QE_REPORT_DATA", err, DECC_E_DENIED,
                "qe_report: report data is not SHA-256(attestation key || QE "
                "auth data) || zeros (attestation key not bound to the QE)");
      goto out;
    }
  }
  res->checks |= DECC_DCAP_CHECK_QE_REPORT_DATA;

  if ((st = qe_identity_rules(coll, res, err)))
    goto out;

  ak = p256_key(q->attestation_key);
  if (!ak || !decc__dcap_ecdsa_verify(ak, q->signature, q->signed_data,
                                      q->signed_len)) {
    st = FAIL(res, "QUOTE_SIGNATURE", err, DECC_E_BAD_SIGNATURE,
              "quote: signature by the attestation key does not verify (quote "
              "altered)");
    goto out;
  }
  res->checks |= DECC_DCAP_CHECK_QUOTE_SIGNATURE;

  const dcap_tcb_info *t = &coll->tcb;
  if ((q->tee_type == DECC_DCAP_TEE_TDX) != t->is_tdx) {
    st = FAIL(res, "FMSPC", err, DECC_E_DENIED,
              "tcb_info: collateral is for %s, the quote is %s",
              t->is_tdx ? "TDX" : "SGX",
              q->tee_type == DECC_DCAP_TEE_TDX ? "TDX" : "SGX");
    goto out;
  }
  if (memcmp(pi.fmspc, t->fmspc, 6) || memcmp(pi.pceid, t->pce_id, 2)) {
    char a[13], b[13];
    decc__hex_encode_upper(a, pi.fmspc, 6);
    decc__hex_encode_upper(b, t->fmspc, 6);
    st = FAIL(res, "FMSPC", err, DECC_E_DENIED,
              "tcb_info: FMSPC/PCE ID mismatch (PCK certificate %s, TCB info "
              "%s): fetch the collateral for this platform",
              a, b);
    goto out;
  }
  res->checks |= DECC_DCAP_CHECK_FMSPC;

  const dcap_tcb_level *plat = NULL, *mod = NULL;
  if ((st = tcb_rules(coll, &pi, res, &plat, &mod, err)))
    goto out;
  /* Advisory ids: platform level, then QE level, then TDX module level. */
  adv_add(res, &plat->adv);
  const dcap_tcb_level *ql =
      isv_match(coll->qe.levels, coll->qe.n_levels,
                (uint16_t)(q->qe_report[258] | q->qe_report[259] << 8));
  if (ql)
    adv_add(res, &ql->adv);
  if (mod)
    adv_add(res, &mod->adv);
  res->status = converge(res->status, res->qe_status);
  if (res->status == DECC_DCAP_TCB_REVOKED) {
    st =
        FAIL(res, "TCB_LEVEL", err, DECC_E_DENIED, "tcb: final status Revoked");
    goto out;
  }
  st = attribute_rules(res, err);
out:
  EVP_PKEY_free(ak);
  sk_X509_pop_free(chain, X509_free);
  X509_STORE_free(store);
  ERR_clear_error();
  return st;
}
