/*
 * policy.c — what a relying party accepts from a verified DCAP quote: TCB
 * statuses, advisory ids, trusted TDX guest images (MRTD and RTMR0..2) or
 * SGX enclaves, and the report data binding the quote to decc's session
 * claims (app measurement, enclave key, task, the verifier's nonce). The
 * refusal codes follow the SMS's ATTESTATION_* codes.
 */
#include <jansson.h>
#include <string.h>

#include "core/internal.h"
#include "dcap/dcap_int.h"
#include "decc/attest.h"
#include "decc/encoding.h"
#include "decc/mem.h"

#define POLICY_MAX 64

typedef struct tdx_image {
  uint8_t mrtd[48], rtmr[3][48];
  int has_rtmr[3];
} tdx_image;

typedef struct sgx_enclave {
  int by_mrenclave;
  uint8_t mrenclave[32], mrsigner[32];
  uint16_t isvprodid, min_isvsvn;
} sgx_enclave;

struct decc_dcap_policy {
  uint32_t statuses; /* bit per decc_dcap_tcb_status */
  size_t n_adv;
  char adv[POLICY_MAX][DECC_DCAP_ADVISORY_LEN];
  size_t n_tdx, n_sgx;
  tdx_image tdx[POLICY_MAX];
  sgx_enclave sgx[POLICY_MAX];
};

void decc_dcap_policy_destroy(decc_dcap_policy *p) { decc_free(p); }

static decc_status hexm(uint8_t *out, size_t n, json_t *o, const char *key,
                        int optional, int *present, decc_err *err) {
  json_t *v = json_object_get(o, key);
  if (present)
    *present = v != NULL;
  if (!v && optional)
    return DECC_OK;
  const char *s = json_string_value(v);
  if (!s || decc_hex_decode_exact(out, n, s, key, err) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "policy: \"%s\" must be %zu hex bytes", key, n);
  return DECC_OK;
}

static decc_status list(json_t *o, const char *key, size_t *n, decc_err *err) {
  json_t *a = json_object_get(o, key);
  *n = 0;
  if (!a)
    return DECC_OK;
  if (!json_is_array(a) || json_array_size(a) > POLICY_MAX)
    return decc_err_set(err, json_is_array(a) ? DECC_E_LIMIT : DECC_E_PARSE,
                        "policy: \"%s\" must be an array of at most %d entries",
                        key, POLICY_MAX);
  *n = json_array_size(a);
  return DECC_OK;
}

decc_status decc_dcap_policy_parse(decc_dcap_policy **out, const char *json,
                                   size_t len, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  *out = NULL;
  if (!json || len > (1u << 20))
    return decc_err_set(err, DECC_E_LIMIT, "policy: missing or over 1 MiB");
  json_error_t je;
  json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
  if (!json_is_object(o)) {
    json_decref(o);
    return decc_err_set(err, DECC_E_PARSE, "policy: not a JSON object (%s)",
                        je.text);
  }
  decc_dcap_policy *p = decc_calloc(1, sizeof *p);
  decc_status st =
      p ? DECC_OK : decc_err_set(err, DECC_E_NOMEM, "out of memory");
  const char *k;
  json_t *v;
  size_t n;
  if (st)
    goto out;
  json_object_foreach(o, k, v) {
    if (strcmp(k, "statuses") && strcmp(k, "advisories") && strcmp(k, "tdx") &&
        strcmp(k, "sgx")) {
      st = decc_err_set(err, DECC_E_PARSE, "policy: unknown member \"%.40s\"",
                        k);
      goto out;
    }
  }
  if ((st = list(o, "statuses", &n, err)))
    goto out;
  if (!json_object_get(o, "statuses"))
    p->statuses = 1u << DECC_DCAP_TCB_UP_TO_DATE;
  for (size_t i = 0; i < n; i++) {
    decc_dcap_tcb_status s;
    const char *name =
        json_string_value(json_array_get(json_object_get(o, "statuses"), i));
    if (decc_dcap_tcb_status_parse(&s, name) != DECC_OK ||
        s == DECC_DCAP_TCB_REVOKED) {
      st = decc_err_set(err, DECC_E_PARSE,
                        "policy: \"%.40s\" is not an acceptable TCB status",
                        name ? name : "?");
      goto out;
    }
    p->statuses |= 1u << s;
  }
  if ((st = list(o, "advisories", &p->n_adv, err)))
    goto out;
  for (size_t i = 0; i < p->n_adv; i++) {
    json_t *a = json_array_get(json_object_get(o, "advisories"), i);
    const char *id = json_string_value(a);
    if (!id || json_string_length(a) == 0 ||
        json_string_length(a) >= DECC_DCAP_ADVISORY_LEN) {
      st = decc_err_set(err, DECC_E_PARSE, "policy: bad advisory id");
      goto out;
    }
    memcpy(p->adv[i], id, json_string_length(a) + 1);
  }
  if ((st = list(o, "tdx", &p->n_tdx, err)))
    goto out;
  for (size_t i = 0; i < p->n_tdx; i++) {
    json_t *e = json_array_get(json_object_get(o, "tdx"), i);
    tdx_image *t = &p->tdx[i];
    static const char *R[3] = {"rtmr0", "rtmr1", "rtmr2"};
    if ((st = hexm(t->mrtd, 48, e, "mrtd", 0, NULL, err)))
      goto out;
    for (int r = 0; r < 3; r++)
      if ((st = hexm(t->rtmr[r], 48, e, R[r], 1, &t->has_rtmr[r], err)))
        goto out;
  }
  if ((st = list(o, "sgx", &p->n_sgx, err)))
    goto out;
  for (size_t i = 0; i < p->n_sgx; i++) {
    json_t *e = json_array_get(json_object_get(o, "sgx"), i);
    sgx_enclave *g = &p->sgx[i];
    if (json_object_get(e, "mrenclave")) {
      g->by_mrenclave = 1;
      if ((st = hexm(g->mrenclave, 32, e, "mrenclave", 0, NULL, err)))
        goto out;
    } else {
      json_t *pid = json_object_get(e, "isvprodid"),
             *svn = json_object_get(e, "minIsvsvn");
      if ((st = hexm(g->mrsigner, 32, e, "mrsigner", 0, NULL, err)))
        goto out;
      if (!json_is_integer(pid) || json_integer_value(pid) < 0 ||
          json_integer_value(pid) > 65535 || !json_is_integer(svn) ||
          json_integer_value(svn) < 0 || json_integer_value(svn) > 65535) {
        st = decc_err_set(err, DECC_E_PARSE,
                          "policy: an sgx entry needs mrenclave, or mrsigner "
                          "with isvprodid and minIsvsvn (0..65535)");
        goto out;
      }
      g->isvprodid = (uint16_t)json_integer_value(pid);
      g->min_isvsvn = (uint16_t)json_integer_value(svn);
    }
  }
out:
  json_decref(o);
  if (st) {
    decc_free(p);
    return st;
  }
  *out = p;
  return DECC_OK;
}

#define REFUSE(code_out, c, err, ...)                                          \
  (*(code_out) = (c), decc_err_set((err), DECC_E_DENIED, __VA_ARGS__))

decc_status decc_dcap_policy_check(const decc_dcap_policy *p,
                                   const decc_dcap_result *res,
                                   const uint8_t report_data64[64],
                                   const char **code, decc_err *err) {
  DECC_ARG_CHECK(p != NULL);
  DECC_ARG_CHECK(res != NULL);
  DECC_ARG_CHECK(report_data64 != NULL);
  const char *dummy;
  if (!code)
    code = &dummy;
  *code = NULL;
  const decc_dcap_quote *q = &res->quote;
  int tdx = q->body != DECC_DCAP_BODY_SGX;
  const uint8_t *rd = tdx ? q->td.report_data : q->sgx.report_data;
  if (!decc_ct_memeq(rd, report_data64, 64))
    return REFUSE(code, "ATTESTATION_REPORT_DATA_MISMATCH", err,
                  "policy: the quote's report data does not bind this "
                  "session (enclave key, task, nonce, measurement)");
  if (!(p->statuses & (1u << res->status)))
    return REFUSE(code, "ATTESTATION_TCB_NOT_ACCEPTED", err,
                  "policy: TCB status %s is not accepted",
                  decc_dcap_tcb_status_name(res->status));
  for (size_t i = 0; i < res->n_advisories; i++) {
    int ok = 0;
    for (size_t k = 0; k < p->n_adv && !ok; k++)
      ok = !strcmp(p->adv[k], res->advisories[i]);
    if (!ok)
      return REFUSE(code, "ATTESTATION_ADVISORY_NOT_ACCEPTED", err,
                    "policy: advisory %s is not accepted", res->advisories[i]);
  }
  if (tdx) {
    for (size_t i = 0; i < p->n_tdx; i++) {
      const tdx_image *t = &p->tdx[i];
      int ok = !memcmp(t->mrtd, q->td.mrtd, 48);
      for (int r = 0; ok && r < 3; r++)
        ok = !t->has_rtmr[r] || !memcmp(t->rtmr[r], q->td.rtmr[r], 48);
      if (ok)
        return DECC_OK;
    }
    return REFUSE(code, "ATTESTATION_UNTRUSTED_IMAGE", err,
                  "policy: MRTD/RTMR0-2 match no trusted TDX guest image");
  }
  for (size_t i = 0; i < p->n_sgx; i++) {
    const sgx_enclave *g = &p->sgx[i];
    if (g->by_mrenclave ? !memcmp(g->mrenclave, q->sgx.mrenclave, 32)
                        : !memcmp(g->mrsigner, q->sgx.mrsigner, 32) &&
                              g->isvprodid == q->sgx.isvprodid &&
                              q->sgx.isvsvn >= g->min_isvsvn)
      return DECC_OK;
  }
  return REFUSE(code, "ATTESTATION_UNTRUSTED_IMAGE", err,
                "policy: MRENCLAVE/MRSIGNER match no trusted SGX enclave");
}

const char *decc_dcap_refusal_code(decc_status st,
                                   const decc_dcap_result *res) {
  const char *c = res && res->failed_check ? res->failed_check : "";
  if (st == DECC_E_PARSE || st == DECC_E_UNSUPPORTED || st == DECC_E_LIMIT)
    return "ATTESTATION_MALFORMED_QUOTE";
  if (st == DECC_E_STATE)
    return "ATTESTATION_COLLATERAL_EXPIRED";
  if (st == DECC_E_BAD_SIGNATURE)
    return "ATTESTATION_BAD_SIGNATURE";
  if (!strcmp(c, "TCB_LEVEL") || !strcmp(c, "TDX_MODULE") ||
      !strcmp(c, "QE_TCB_LEVEL"))
    return "ATTESTATION_TCB_NOT_ACCEPTED";
  if (!strcmp(c, "REPORT_ATTRIBUTES"))
    return "ATTESTATION_DEBUG_OR_BAD_ATTRIBUTES";
  return "ATTESTATION_UNTRUSTED_PLATFORM";
}

void decc_dcap_report_data(uint8_t out64[64], const struct decc_quote *claims) {
  DECC_ARG_CHECK_VOID(out64 != NULL);
  DECC_ARG_CHECK_VOID(claims != NULL);
  decc_quote_digest(out64, claims);
  memset(out64 + 32, 0, 32);
}
