/*
 * quote.c — strict parser of Intel DCAP quotes (SGX v3, TDX v4 and v5).
 *
 * The quote is hostile input: every read goes through a bounded cursor,
 * every length field is checked against what remains, and the nested
 * structures must end exactly where their length says. Only zero bytes may
 * follow the signature data (real TDX quotes come zero-padded in a fixed
 * buffer); they are outside the signed range either way.
 *
 * Layout (Intel SGX ECDSA Quote Library API, appendix A; Intel TDX DCAP
 * Quoting Library API, "Quote format"; all integers little-endian):
 *   header, 48 bytes: version u16 @0, attestation key type u16 @2, TEE type
 *     u32 @4, QE SVN u16 @8, PCE SVN u16 @10, QE vendor id 16 @12, user
 *     data 20 @28;
 *   v5 only: body type u16 @48, body size u32 @50, body @54;
 *   body: SGX report 384, TD report 1.0 584, TD report 1.5 648 bytes;
 *   signature data length u32, then the signature data:
 *     v3: signature 64, attestation key 64, QE report 384, QE report
 *         signature 64, QE auth length u16 + data, cert type u16, cert
 *         size u32 + data;
 *     v4/v5: signature 64, attestation key 64, cert type u16 (= 6, QE
 *         report certification data), size u32, then inside: QE report,
 *         QE report signature, QE auth data, cert type (5), size, data.
 */
#include <string.h>

#include "core/internal.h"
#include "dcap/dcap_int.h"

typedef struct cur {
  const uint8_t *p;
  size_t n;
} cur;

static int take(cur *c, const uint8_t **out, size_t n) {
  if (c->n < n)
    return 0;
  *out = c->p;
  c->p += n;
  c->n -= n;
  return 1;
}
static int copy(cur *c, void *dst, size_t n) {
  const uint8_t *p;
  if (!take(c, &p, n))
    return 0;
  memcpy(dst, p, n);
  return 1;
}
static int u16(cur *c, uint16_t *v) {
  const uint8_t *p;
  if (!take(c, &p, 2))
    return 0;
  *v = (uint16_t)(p[0] | p[1] << 8);
  return 1;
}
static int u32(cur *c, uint32_t *v) {
  const uint8_t *p;
  if (!take(c, &p, 4))
    return 0;
  *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
       (uint32_t)p[3] << 24;
  return 1;
}

static const uint8_t INTEL_QE_VENDOR[16] = {0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C,
                                            0x4C, 0xA9, 0x94, 0x0A, 0x0D, 0xB3,
                                            0x95, 0x7F, 0x06, 0x07};

static void parse_sgx_body(decc_dcap_quote *q, const uint8_t *b) {
  memcpy(q->sgx.cpusvn, b, 16);
  memcpy(q->sgx.miscselect, b + 16, 4);
  memcpy(q->sgx.attributes, b + 48, 16);
  memcpy(q->sgx.mrenclave, b + 64, 32);
  memcpy(q->sgx.mrsigner, b + 128, 32);
  q->sgx.isvprodid = (uint16_t)(b[256] | b[257] << 8);
  q->sgx.isvsvn = (uint16_t)(b[258] | b[259] << 8);
  memcpy(q->sgx.report_data, b + 320, 64);
}

static void parse_td_body(decc_dcap_quote *q, const uint8_t *b, int td15) {
  memcpy(q->td.tee_tcb_svn, b, 16);
  memcpy(q->td.mrseam, b + 16, 48);
  memcpy(q->td.mrsignerseam, b + 64, 48);
  memcpy(q->td.seam_attributes, b + 112, 8);
  memcpy(q->td.td_attributes, b + 120, 8);
  memcpy(q->td.xfam, b + 128, 8);
  memcpy(q->td.mrtd, b + 136, 48);
  memcpy(q->td.mrconfigid, b + 184, 48);
  memcpy(q->td.mrowner, b + 232, 48);
  memcpy(q->td.mrownerconfig, b + 280, 48);
  for (int i = 0; i < 4; i++)
    memcpy(q->td.rtmr[i], b + 328 + 48 * i, 48);
  memcpy(q->td.report_data, b + 520, 64);
  if (td15) {
    memcpy(q->td.tee_tcb_svn2, b + 584, 16);
    memcpy(q->td.mrservicetd, b + 600, 48);
  }
}

/* QE report, its signature, QE auth data and the PCK certification data:
 * the part common to v3 (directly) and v4/v5 (inside type-6 data). */
static decc_status parse_qe_part(decc_dcap_quote *q, cur *c, decc_err *err) {
  uint16_t auth_len = 0;
  uint32_t cert_len = 0;
  if (!take(c, &q->qe_report, 384))
    return decc_err_set(err, DECC_E_PARSE, "quote: truncated QE report");
  if (!copy(c, q->qe_report_signature, 64))
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: truncated QE report signature");
  if (!u16(c, &auth_len) || !take(c, &q->qe_auth_data, auth_len))
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: QE authentication data length %u exceeds "
                        "the quote",
                        (unsigned)auth_len);
  q->qe_auth_len = auth_len;
  if (!u16(c, &q->cert_type) || !u32(c, &cert_len))
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: truncated certification data header");
  if (cert_len > c->n)
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: certification data length %u exceeds the "
                        "%zu bytes left",
                        (unsigned)cert_len, c->n);
  if (!take(c, &q->cert_data, cert_len))
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: truncated certification data");
  q->cert_len = cert_len;
  if (c->n != 0)
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: %zu unexpected bytes after the certification "
                        "data",
                        c->n);
  if (q->cert_type != 5)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "quote: certification data type %u not supported (only "
                        "5, the PCK certificate chain inside the quote)",
                        (unsigned)q->cert_type);
  return DECC_OK;
}

decc_status decc_dcap_quote_parse(decc_dcap_quote *q, const uint8_t *data,
                                  size_t len, decc_err *err) {
  DECC_ARG_CHECK(q != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  memset(q, 0, sizeof *q);
  if (len > DECC_DCAP_QUOTE_MAX)
    return decc_err_set(err, DECC_E_LIMIT,
                        "quote: %zu bytes, more than the %u-byte limit", len,
                        DECC_DCAP_QUOTE_MAX);
  cur c = {data, len};
  if (len < 48)
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: %zu bytes, shorter than "
                        "the 48-byte header",
                        len);
  (void)u16(&c, &q->version);
  (void)u16(&c, &q->att_key_type);
  (void)u32(&c, &q->tee_type);
  (void)u16(&c, &q->qe_svn);
  (void)u16(&c, &q->pce_svn);
  (void)copy(&c, q->qe_vendor_id, 16);
  (void)copy(&c, q->user_data, 20);
  if (q->version < 3 || q->version > 5)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "quote: version %u not supported (3, 4 and 5 are)",
                        (unsigned)q->version);
  if (q->tee_type != DECC_DCAP_TEE_SGX && q->tee_type != DECC_DCAP_TEE_TDX)
    return decc_err_set(
        err, DECC_E_UNSUPPORTED,
        "quote: TEE type 0x%x is neither SGX (0) nor TDX (0x81)",
        (unsigned)q->tee_type);
  if (q->tee_type == DECC_DCAP_TEE_SGX && q->version != 3)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "quote: SGX quotes must be version 3, not %u",
                        (unsigned)q->version);
  if (q->tee_type == DECC_DCAP_TEE_TDX && q->version == 3)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "quote: TDX quotes must be version 4 or 5, not 3");
  if (q->att_key_type != 2)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "quote: attestation key type %u not supported (only "
                        "2, ECDSA-256 with P-256)",
                        (unsigned)q->att_key_type);
  if (memcmp(q->qe_vendor_id, INTEL_QE_VENDOR, 16) != 0)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "quote: QE vendor id is not Intel's");

  size_t body_len;
  if (q->version == 5) {
    uint16_t bt = 0;
    uint32_t bs = 0;
    if (!u16(&c, &bt) || !u32(&c, &bs))
      return decc_err_set(err, DECC_E_PARSE,
                          "quote: truncated v5 body "
                          "descriptor");
    if (bt < 1 || bt > 3)
      return decc_err_set(err, DECC_E_UNSUPPORTED,
                          "quote: v5 body type %u unknown", (unsigned)bt);
    q->body = (decc_dcap_body)bt;
    body_len = bt == 1 ? 384 : bt == 2 ? 584 : 648;
    if (bs != body_len)
      return decc_err_set(err, DECC_E_PARSE,
                          "quote: v5 body size %u, expected %zu for type %u",
                          (unsigned)bs, body_len, (unsigned)bt);
    if ((q->tee_type == DECC_DCAP_TEE_SGX) != (bt == 1))
      return decc_err_set(err, DECC_E_PARSE,
                          "quote: v5 body type %u does not fit the TEE type",
                          (unsigned)bt);
  } else {
    q->body = q->tee_type == DECC_DCAP_TEE_TDX ? DECC_DCAP_BODY_TD10
                                               : DECC_DCAP_BODY_SGX;
    body_len = q->body == DECC_DCAP_BODY_SGX ? 384 : 584;
  }
  const uint8_t *body;
  if (!take(&c, &body, body_len))
    return decc_err_set(err, DECC_E_PARSE, "quote: truncated report body");
  if (q->body == DECC_DCAP_BODY_SGX)
    parse_sgx_body(q, body);
  else
    parse_td_body(q, body, q->body == DECC_DCAP_BODY_TD15);
  q->signed_data = data;
  q->signed_len = (size_t)(c.p - data);

  uint32_t sig_len = 0;
  if (!u32(&c, &sig_len))
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: truncated signature data length");
  if (sig_len > c.n)
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: signature data length %u exceeds the %zu "
                        "bytes left",
                        (unsigned)sig_len, c.n);
  for (size_t i = sig_len; i < c.n; i++)
    if (c.p[i] != 0)
      return decc_err_set(err, DECC_E_PARSE,
                          "quote: non-zero bytes after the signature data");
  cur s = {c.p, sig_len};
  if (!copy(&s, q->signature, 64) || !copy(&s, q->attestation_key, 64))
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: truncated signature or attestation key");
  if (q->version == 3)
    return parse_qe_part(q, &s, err);
  uint16_t outer_type = 0;
  uint32_t outer_len = 0;
  if (!u16(&s, &outer_type) || !u32(&s, &outer_len))
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: truncated certification data header");
  if (outer_type != 6)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "quote: outer certification data type %u (expected "
                        "6, QE report certification data)",
                        (unsigned)outer_type);
  if (outer_len != s.n)
    return decc_err_set(err, DECC_E_PARSE,
                        "quote: certification data length %u, but %zu bytes "
                        "left in the signature data",
                        (unsigned)outer_len, s.n);
  return parse_qe_part(q, &s, err);
}
