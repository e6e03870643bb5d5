/*
 * dcap_int.h — internals shared by the lib/dcap sources: the parsed collateral
 * (TCB info, QE identity, CRLs, issuer chains), its signature-check cache,
 * the verifier, and the small DER and time helpers.
 */
#ifndef DECC_DCAP_INT_H
#define DECC_DCAP_INT_H

#include <openssl/x509.h>
#include <pthread.h>

#include "decc/dcap.h"

#define DCAP_MAX_LEVELS 128 /* TCB levels per TCB info / identity */
#define DCAP_MAX_MODULES 16 /* tdxModuleIdentities entries */
#define DCAP_MAX_CHAIN 8    /* certificates in one PEM chain */

typedef struct dcap_advisories {
  size_t n;
  char id[DECC_DCAP_MAX_ADVISORIES][DECC_DCAP_ADVISORY_LEN];
} dcap_advisories;

typedef struct dcap_tcb_level {
  uint8_t sgx[16];
  uint8_t tdx[16];
  int has_tdx;
  uint16_t pcesvn;
  uint16_t isvsvn; /* QE identity and TDX module levels */
  decc_dcap_tcb_status status;
  char date[24];
  dcap_advisories adv;
} dcap_tcb_level;

typedef struct dcap_module {
  char id[16]; /* "TDX_01" … */
  uint8_t mrsigner[48], attributes[8], attributes_mask[8];
  size_t n_levels;
  dcap_tcb_level *levels;
} dcap_module;

typedef struct dcap_tcb_info {
  int is_tdx;
  int version;
  int64_t issue, next;
  uint8_t fmspc[6], pce_id[2];
  uint32_t eval_number;
  size_t n_levels;
  dcap_tcb_level *levels;
  int has_module;     /* "tdxModule" present */
  dcap_module module; /* tdxModule (no levels) */
  size_t n_modules;
  dcap_module modules[DCAP_MAX_MODULES];
} dcap_tcb_info;

typedef struct dcap_qe_identity {
  char id[8]; /* "QE" or "TD_QE" */
  int version;
  int64_t issue, next;
  uint8_t miscselect[4], miscselect_mask[4];
  uint8_t attributes[16], attributes_mask[16];
  uint8_t mrsigner[32];
  uint16_t isvprodid;
  size_t n_levels;
  dcap_tcb_level *levels;
} dcap_qe_identity;

struct decc_dcap_collateral {
  char *tcb_info_text; /* the signed bytes */
  size_t tcb_info_len;
  uint8_t tcb_info_sig[64];
  char *qe_identity_text;
  size_t qe_identity_len;
  uint8_t qe_identity_sig[64];
  STACK_OF(X509) * tcb_chain, *qe_chain, *pck_crl_chain;
  X509_CRL *root_crl, *pck_crl;
  dcap_tcb_info tcb;
  dcap_qe_identity qe;
  /* Cache of the collateral checks (signatures, chains, CRLs): valid for
   * the root with this fingerprint while lo <= now <= hi. */
  pthread_mutex_t lock;
  int cached;
  uint8_t cached_root[32];
  int64_t cached_lo, cached_hi;
  X509_STORE *store; /* root + both CRLs, built for cached_root */
};

struct decc_dcap_verifier {
  X509 *root;
  uint8_t root_fp[32]; /* SHA-256 of the DER */
};

/* The pinned Intel SGX Root CA (DER). */
extern const uint8_t decc__dcap_intel_root_der[];
extern const size_t decc__dcap_intel_root_der_len;

/* ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff]Z" -> Unix seconds. */
decc_status decc__dcap_iso_time(int64_t *out, const char *s);
/* ASN1_TIME -> Unix seconds. */
int decc__dcap_asn1_time(int64_t *out, const ASN1_TIME *t);
/* Verifies a raw r||s P-256 ECDSA signature over SHA-256(data). Returns 1
 * when valid, 0 otherwise. */
int decc__dcap_ecdsa_verify(EVP_PKEY *key, const uint8_t sig64[64],
                            const void *data, size_t len);
/* Reads up to DCAP_MAX_CHAIN PEM certificates. Returns NULL on error. */
STACK_OF(X509) * decc__dcap_pem_chain(const void *pem, size_t len);

/* Reads a PEM chain (at most DCAP_MAX_CHAIN certificates, nothing but
 * whitespace or NULs around them); a certificate whose DER equals one of
 * `known` is that object (referenced), others are parsed. NULL on error. */
STACK_OF(X509) * decc__dcap_pem_chain_known(const void *pem, size_t len,
                                            X509 *const *known, size_t n_known);
/* FMSPC from a PCK certificate's SGX extension. Returns 1 or 0. */
int decc__dcap_pck_fmspc(X509 *leaf, uint8_t fmspc[6]);

#endif
