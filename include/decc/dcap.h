/*
 * decc/dcap.h — Intel DCAP quote verification: TDX quotes (versions 4 and
 * 5) and SGX quotes (version 3), checked against their collateral (TCB
 * info, QE identity, CRLs and issuer chains) up to a pinned root CA.
 *
 * What a successful decc_dcap_verify means, in order of the checks:
 *   - the quote parses (every length field bounded, nothing read outside
 *     the input, trailing bytes only zero padding);
 *   - the PCK certificate chain carried in the quote leads to the pinned
 *     root (Intel SGX Root CA unless a test root is given), every
 *     certificate is valid at `now` and none is revoked by the root CA CRL
 *     or the PCK CRL (both CRLs signed by their issuers and current);
 *   - the TCB info and the QE identity are signed by the TCB signing
 *     certificate (itself chained to the root and not revoked) and current
 *     (issueDate <= now <= nextUpdate);
 *   - the QE report is signed by the PCK key, its report data starts with
 *     SHA-256(attestation key || QE authentication data) and ends with 32
 *     zero bytes, and the QE matches the QE identity (MRSIGNER, ISVPRODID,
 *     masked MISCSELECT and ATTRIBUTES);
 *   - the quote header and body are signed by the attestation key;
 *   - the platform TCB (PCK certificate SVNs, PCESVN, for TDX the TD
 *     report's TEE_TCB_SVN and the TDX module identity) matches a TCB level
 *     whose status is not Revoked; the QE's TCB level likewise; the final
 *     status combines them as Intel's quote verification library does;
 *   - the report is not a debug enclave / TD (and for TDX: no reserved TD
 *     attribute bit, SEPT_VE_DISABLE set, MRSERVICETD zero).
 * Deciding which statuses, advisories and measurements to accept is the
 * caller's policy; this module reports them.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "or NULL", "NULL: …", "NULL is a no-op"; err always; a
 * buffer may be NULL when its length is 0; the text given to
 * decc_dcap_tcb_status_parse, decc_dcap_parse_time (DECC_E_PARSE) and
 * decc_dcap_policy_parse (DECC_E_LIMIT) and the result given to
 * decc_dcap_refusal_code may be NULL, as parsed JSON members may be absent);
 * a NULL one is reported to the misuse handler (decc_set_misuse_handler,
 * common.h) and the function returns DECC_E_INVALID (a void function
 * returns at once) without touching anything — except decc_dcap_verify,
 * which initialises *res before its other checks.
 */
#ifndef DECC_DCAP_H
#define DECC_DCAP_H

#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DECC_DCAP_QUOTE_MAX (64u * 1024u)             /* bytes */
#define DECC_DCAP_COLLATERAL_MAX (8u * 1024u * 1024u) /* JSON bytes */
#define DECC_DCAP_MAX_ADVISORIES 64
#define DECC_DCAP_ADVISORY_LEN 32 /* including the NUL */

#define DECC_DCAP_TEE_SGX 0x00000000u
#define DECC_DCAP_TEE_TDX 0x00000081u

/* Report body kinds. */
typedef enum decc_dcap_body {
  DECC_DCAP_BODY_SGX = 1,  /* SGX enclave report, 384 bytes */
  DECC_DCAP_BODY_TD10 = 2, /* TDX 1.0 TD report, 584 bytes */
  DECC_DCAP_BODY_TD15 = 3  /* TDX 1.5 TD report, 648 bytes */
} decc_dcap_body;

/* A parsed quote. Fixed-size fields are copies; the pointers point into
 * the buffer given to decc_dcap_quote_parse and live as long as it. */
typedef struct decc_dcap_quote {
  uint16_t version;      /* 3, 4 or 5 */
  uint16_t att_key_type; /* 2 = ECDSA-256 with P-256 */
  uint32_t tee_type;     /* DECC_DCAP_TEE_SGX or DECC_DCAP_TEE_TDX */
  uint16_t qe_svn, pce_svn;
  uint8_t qe_vendor_id[16];
  uint8_t user_data[20];
  decc_dcap_body body;
  struct {
    uint8_t cpusvn[16];
    uint8_t miscselect[4]; /* as in the report (little-endian u32) */
    uint8_t attributes[16];
    uint8_t mrenclave[32];
    uint8_t mrsigner[32];
    uint16_t isvprodid, isvsvn;
    uint8_t report_data[64];
  } sgx; /* valid when body == DECC_DCAP_BODY_SGX */
  struct {
    uint8_t tee_tcb_svn[16];
    uint8_t mrseam[48], mrsignerseam[48];
    uint8_t seam_attributes[8], td_attributes[8], xfam[8];
    uint8_t mrtd[48], mrconfigid[48], mrowner[48], mrownerconfig[48];
    uint8_t rtmr[4][48];
    uint8_t report_data[64];
    uint8_t tee_tcb_svn2[16]; /* TD15 only, else zero */
    uint8_t mrservicetd[48];  /* TD15 only, else zero */
  } td;                       /* valid when body is TD10 or TD15 */
  const uint8_t *signed_data; /* header (+ v5 body descriptor) + body */
  size_t signed_len;
  uint8_t signature[64];       /* r || s over signed_data */
  uint8_t attestation_key[64]; /* x || y, P-256 */
  const uint8_t *qe_report;    /* 384-byte SGX report of the QE */
  uint8_t qe_report_signature[64];
  const uint8_t *qe_auth_data;
  size_t qe_auth_len;
  uint16_t cert_type; /* 5 = PEM PCK certificate chain */
  const uint8_t *cert_data;
  size_t cert_len;
} decc_dcap_quote;

/* Parses a quote without checking any signature.
 * Returns: DECC_OK; DECC_E_PARSE when a length or field is malformed
 * (err names the field); DECC_E_UNSUPPORTED for a version, TEE type,
 * attestation key type or certification data type decc does not handle;
 * DECC_E_LIMIT when len > DECC_DCAP_QUOTE_MAX. */
DECC_API decc_status decc_dcap_quote_parse(decc_dcap_quote *q,
                                           const uint8_t *data, size_t len,
                                           decc_err *err) DECC_WARN_UNUSED;

/* TCB statuses, from best to worst (the values are stable). */
typedef enum decc_dcap_tcb_status {
  DECC_DCAP_TCB_UNKNOWN = 0, /* no level matched / not evaluated */
  DECC_DCAP_TCB_UP_TO_DATE,
  DECC_DCAP_TCB_SW_HARDENING_NEEDED,
  DECC_DCAP_TCB_CONFIGURATION_NEEDED,
  DECC_DCAP_TCB_CONFIGURATION_AND_SW_HARDENING_NEEDED,
  DECC_DCAP_TCB_OUT_OF_DATE,
  DECC_DCAP_TCB_OUT_OF_DATE_CONFIGURATION_NEEDED,
  DECC_DCAP_TCB_REVOKED
} decc_dcap_tcb_status;

/* Returns: Intel's spelling ("UpToDate", "SWHardeningNeeded", …, "Revoked")
 * or "Unknown". Never NULL. */
DECC_API const char *decc_dcap_tcb_status_name(decc_dcap_tcb_status s);
/* Parses Intel's spelling. Returns: DECC_OK or DECC_E_PARSE. */
DECC_API decc_status decc_dcap_tcb_status_parse(decc_dcap_tcb_status *out,
                                                const char *s);

/* Collateral: parsed once, reusable for many quotes of the same platform
 * family (FMSPC). The object caches the result of its own signature checks
 * (per root and validity window), so verifying many quotes with one
 * collateral costs only the per-quote checks. Thread-safe. */
typedef struct decc_dcap_collateral decc_dcap_collateral;

/* Parses collateral JSON: an object with the string members
 * pck_crl_issuer_chain, root_ca_crl (hex DER), pck_crl (hex DER),
 * tcb_info_issuer_chain (PEM), tcb_info (the signed JSON text),
 * tcb_info_signature (hex r||s), qe_identity_issuer_chain, qe_identity,
 * qe_identity_signature — the format of Intel's PCS/PCCS answers as
 * collected by dcap-qvl and by decc_dcap_pccs_get.
 * Out: *out (destroy with decc_dcap_collateral_destroy).
 * Returns: DECC_OK; DECC_E_PARSE (err names the member); DECC_E_LIMIT. */
DECC_API decc_status decc_dcap_collateral_parse(decc_dcap_collateral **out,
                                                const char *json, size_t len,
                                                decc_err *err) DECC_WARN_UNUSED;
/* Frees the collateral; NULL is a no-op. */
DECC_API void decc_dcap_collateral_destroy(decc_dcap_collateral *c);
/* Out: the validity window of the TCB info and QE identity
 * (max issueDate, min nextUpdate), Unix seconds. */
DECC_API void decc_dcap_collateral_window(const decc_dcap_collateral *c,
                                          int64_t *issued,
                                          int64_t *next_update);

/* A verifier holds the trust anchor. */
typedef struct decc_dcap_verifier decc_dcap_verifier;

/* Creates a verifier trusting root_der (a DER X.509 certificate), or the
 * pinned Intel SGX Root CA when root_der is NULL. Tests pass their own root.
 * Out: *out (destroy with decc_dcap_verifier_destroy).
 * Returns: DECC_OK, DECC_E_PARSE (not a certificate), DECC_E_NOMEM. */
DECC_API decc_status decc_dcap_verifier_create(decc_dcap_verifier **out,
                                               const uint8_t *root_der,
                                               size_t root_len,
                                               decc_err *err) DECC_WARN_UNUSED;
/* NULL is a no-op. */
DECC_API void decc_dcap_verifier_destroy(decc_dcap_verifier *v);

/* Checks passed, as bits of decc_dcap_result.checks. */
#define DECC_DCAP_CHECK_MAP(XX)                                                \
  XX(QUOTE_PARSE, 0, "quote parsed (lengths bounded, version and TEE known)")  \
  XX(COLLATERAL_DATES, 1,                                                      \
     "TCB info and QE identity current (issueDate..nextUpdate)")               \
  XX(CRLS, 2, "root CA CRL and PCK CRL signed by their issuers and current")   \
  XX(TCB_INFO_SIGNATURE, 3,                                                    \
     "TCB info signed by the TCB signing chain to the root")                   \
  XX(QE_IDENTITY_SIGNATURE, 4,                                                 \
     "QE identity signed by the TCB signing chain to the root")                \
  XX(PCK_CHAIN, 5, "PCK certificate chain to the root, valid, not revoked")    \
  XX(QE_REPORT_SIGNATURE, 6, "QE report signed by the PCK key")                \
  XX(QE_REPORT_DATA, 7,                                                        \
     "QE report data binds the attestation key and QE auth data")              \
  XX(QE_IDENTITY, 8,                                                           \
     "QE matches the QE identity (MRSIGNER, ISVPRODID, masks)")                \
  XX(QUOTE_SIGNATURE, 9,                                                       \
     "quote header and body signed by the attestation key")                    \
  XX(FMSPC, 10, "PCK certificate FMSPC and PCE ID match the TCB info")         \
  XX(TCB_LEVEL, 11, "platform TCB level found and not revoked")                \
  XX(TDX_MODULE, 12, "TDX module identity matched (TDX only)")                 \
  XX(QE_TCB_LEVEL, 13, "QE TCB level found and not revoked")                   \
  XX(REPORT_ATTRIBUTES, 14, "not a debug enclave/TD; TD attributes acceptable")

typedef enum decc_dcap_check {
#define DECC_XX_CHECK(name, bit, text) DECC_DCAP_CHECK_##name = 1u << (bit),
  DECC_DCAP_CHECK_MAP(DECC_XX_CHECK)
#undef DECC_XX_CHECK
} decc_dcap_check;
#define DECC_DCAP_CHECK_COUNT 15

/* Returns: the description of check number i (0..DECC_DCAP_CHECK_COUNT-1),
 * or NULL past the end. *name_out (optional) gets its short name. */
DECC_API const char *decc_dcap_check_text(unsigned i, const char **name_out);

typedef struct decc_dcap_result {
  decc_dcap_quote quote;       /* parsed quote (pointers into the input) */
  uint32_t checks;             /* decc_dcap_check bits that passed */
  const char *failed_check;    /* short name of the failed check, or NULL */
  decc_dcap_tcb_status status; /* final status (platform ⊕ QE ⊕ module) */
  decc_dcap_tcb_status platform_status, qe_status, module_status;
  size_t n_advisories; /* union of the matched levels' ids */
  char advisories[DECC_DCAP_MAX_ADVISORIES][DECC_DCAP_ADVISORY_LEN];
  char tcb_date[24]; /* matched platform level's tcbDate */
  uint32_t tcb_evaluation_data_number;
  uint8_t fmspc[6], pce_id[2]; /* from the PCK certificate */
  uint16_t pck_pcesvn;
  uint8_t pck_cpusvn[16], pck_tcb_svn[16];
  uint8_t ppid[16];
  int pck_ca_platform; /* 1: PCK Platform CA, 0: Processor CA */
} decc_dcap_result;

/* Verifies a quote against collateral at time `now` (Unix seconds, UTC).
 * Out: *res (always initialised; on failure it holds what was parsed and
 * checked so far, failed_check names the check that failed).
 * Returns: DECC_OK when every check passed and the final TCB status is not
 * Revoked — the status and advisories are then the caller's policy;
 * DECC_E_PARSE / DECC_E_UNSUPPORTED / DECC_E_LIMIT (quote or collateral
 * malformed); DECC_E_BAD_SIGNATURE (a signature does not verify);
 * DECC_E_STATE (a certificate, CRL, TCB info or QE identity is expired or
 * not yet valid at `now`); DECC_E_DENIED (chain not to the root, revoked
 * certificate, QE identity mismatch, FMSPC mismatch, no matching TCB level
 * ("No matching TCB level found"), Revoked status, debug or bad
 * attributes). err names the check and the fix. */
DECC_API decc_status decc_dcap_verify(const decc_dcap_verifier *v,
                                      decc_dcap_result *res,
                                      const uint8_t *quote, size_t quote_len,
                                      decc_dcap_collateral *coll, int64_t now,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Parses an ISO-8601 UTC time "YYYY-MM-DDTHH:MM:SSZ" (fractional seconds
 * allowed and ignored) or decimal Unix seconds. Returns: DECC_OK or
 * DECC_E_PARSE. */
DECC_API decc_status decc_dcap_parse_time(int64_t *out, const char *s);

/* Collateral from a PCCS (Intel's PCS at https://api.trustedservices.intel.com
 * or an operator's caching PCCS), through a local cache.
 *   base_url  e.g. "https://pccs.example:8081" (the /sgx|tdx/certification/v4
 *             paths are appended), or NULL: the cache only;
 *   cache_dir directory for cached answers (created 0700), or NULL;
 *   offline   1: only the cache is read, never the network.
 * The FMSPC and the PCK CA (platform/processor) come from the quote's PCK
 * certificate. A cached file is used while its TCB info and QE identity are
 * current at `now`; otherwise it is fetched again (GET …/pckcrl?ca=…,
 * …/tcb?fmspc=…, …/qe/identity, …/rootcacrl) and rewritten atomically.
 * Out: *json (heap, decc_free) in the format of decc_dcap_collateral_parse,
 * *from_cache 1 when the cache answered.
 * Returns: DECC_OK; DECC_E_NOT_FOUND (offline and not cached);
 * DECC_E_NETWORK / DECC_E_TIMEOUT; DECC_E_PARSE (a bad answer or quote);
 * DECC_E_IO (cache not writable). */
DECC_API decc_status decc_dcap_pccs_get(char **json, int *from_cache,
                                        const char *base_url,
                                        const char *cache_dir, int offline,
                                        const uint8_t *quote, size_t quote_len,
                                        int64_t now,
                                        decc_err *err) DECC_WARN_UNUSED;

/* ---- policy for hardware quotes ------------------------------------------
 * What a relying party (the SMS) accepts beyond "genuine and verified":
 * policy JSON
 *   {"statuses":   ["UpToDate", …]        accepted final TCB statuses
 *                                          (default ["UpToDate"]),
 *    "advisories": ["INTEL-SA-00615", …]  advisory ids tolerated (default
 *                                          none: any reported id refuses),
 *    "tdx": [{"mrtd":HEX48, "rtmr0":HEX48, "rtmr1":HEX48, "rtmr2":HEX48}],
 *                                          trusted guest images (the RTMRs
 *                                          are optional: absent = any),
 *    "sgx": [{"mrenclave":HEX32} | {"mrsigner":HEX32, "isvprodid":N,
 *             "minIsvsvn":N}]}             trusted enclaves
 * A TDX quote needs a matching "tdx" entry, an SGX quote a matching "sgx"
 * entry; an empty list trusts nothing. At most 64 entries per list. */
typedef struct decc_dcap_policy decc_dcap_policy;

/* Out: *out (decc_dcap_policy_destroy). Returns: DECC_OK, DECC_E_PARSE
 * (err names the member), DECC_E_LIMIT, DECC_E_NOMEM. */
DECC_API decc_status decc_dcap_policy_parse(decc_dcap_policy **out,
                                            const char *json, size_t len,
                                            decc_err *err) DECC_WARN_UNUSED;
/* NULL is a no-op. */
DECC_API void decc_dcap_policy_destroy(decc_dcap_policy *p);

/* Checks a verified result (decc_dcap_verify returned DECC_OK) against the
 * policy and the report data the quote must carry (64 bytes; see
 * decc_dcap_report_data). Out: *code (code optional), a static refusal
 * code on failure:
 * ATTESTATION_REPORT_DATA_MISMATCH, ATTESTATION_TCB_NOT_ACCEPTED,
 * ATTESTATION_ADVISORY_NOT_ACCEPTED, ATTESTATION_UNTRUSTED_IMAGE.
 * Returns: DECC_OK or DECC_E_DENIED. */
DECC_API decc_status decc_dcap_policy_check(const decc_dcap_policy *p,
                                            const decc_dcap_result *res,
                                            const uint8_t report_data64[64],
                                            const char **code,
                                            decc_err *err) DECC_WARN_UNUSED;

/* The refusal code for a decc_dcap_verify failure (status and
 * res->failed_check): ATTESTATION_MALFORMED_QUOTE,
 * ATTESTATION_COLLATERAL_EXPIRED, ATTESTATION_BAD_SIGNATURE,
 * ATTESTATION_TCB_NOT_ACCEPTED (no level, Revoked),
 * ATTESTATION_DEBUG_OR_BAD_ATTRIBUTES, ATTESTATION_UNTRUSTED_PLATFORM
 * (chain, CRL, QE identity, FMSPC). Never NULL. */
DECC_API const char *decc_dcap_refusal_code(decc_status st,
                                            const decc_dcap_result *res);

/* The report data decc binds into a hardware quote: the 32-byte digest the
 * software backend signs (decc/attest.h decc_quote_digest: backend name,
 * app measurement, enclave public key, task id, the verifier's nonce,
 * timestamp) followed by 32 zero bytes. Out: out64. */
struct decc_quote;
DECC_API void decc_dcap_report_data(uint8_t out64[64],
                                    const struct decc_quote *claims);

/* ---- quotes inside a TDX guest (Linux configfs-tsm) -----------------------
 * The kernel ABI (Documentation/ABI/testing/configfs-tsm): an entry
 * directory under /sys/kernel/config/tsm/report holds inblob (write the 64
 * report-data bytes), outblob (read: the quote), generation (a counter
 * bumped by every write; unchanged across the read means no other writer
 * raced) and provider ("tdx_guest"). */
#define DECC_TSM_REPORT_DIR "/sys/kernel/config/tsm/report"

/* Obtains a quote through an existing entry directory.
 * Out: *quote (heap, decc_free), *len.
 * Returns: DECC_OK; DECC_E_IO (entry missing or unreadable — not a TDX guest
 * or no configfs); DECC_E_UNSUPPORTED (provider is not tdx_guest);
 * DECC_E_STATE (generation changed: retry); DECC_E_PARSE (outblob is not a
 * TDX quote); DECC_E_LIMIT. */
DECC_API decc_status decc_tdx_tsm_quote_entry(uint8_t **quote, size_t *len,
                                              const char *entry_dir,
                                              const uint8_t report_data64[64],
                                              decc_err *err) DECC_WARN_UNUSED;

/* Creates a private entry under tsm_dir (NULL: DECC_TSM_REPORT_DIR),
 * obtains the quote through it and removes the entry.
 * Returns: as decc_tdx_tsm_quote_entry. */
DECC_API decc_status decc_tdx_tsm_quote(uint8_t **quote, size_t *len,
                                        const char *tsm_dir,
                                        const uint8_t report_data64[64],
                                        decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_DCAP_H */
