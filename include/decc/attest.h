/*
 * decc/attest.h — enclave attestation: quotes, platform keys and the TEE
 * backend interface.
 *
 * A quote binds, under a platform key's signature: the measurement of the
 * code that runs (the app bundle's SHA-256, the on-chain app checksum),
 * the enclave's ephemeral X25519 public key (secrets are sealed to it), the
 * task id, a nonce chosen by the verifier (freshness) and a timestamp.
 * The SMS keeps the list of platform keys (addresses) it trusts and
 * releases secrets only against a quote signed by one of them.
 *
 * The software backend signs with a secp256k1 platform key held by the
 * worker host. A hardware backend (TDX, SGX) implements the same
 * decc_tee_backend interface with a hardware-rooted quote.
 *
 * Signed digest: keccak256("decc-attestation-v1" ‖ backend name padded to
 * 16 bytes ‖ measurement ‖ enclave_pubkey ‖ task_id ‖ nonce ‖
 * u64be(timestamp)), signed as a 32-byte digest (no EIP-191 prefix: a
 * quote can never be replayed as a transaction or a message signature).
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("when non-NULL", "NULL: …"; err always; trusted may be NULL when n is 0,
 * a message when its length is 0; the destroy functions accept NULL); a
 * NULL one is reported to the misuse handler (decc_set_misuse_handler,
 * common.h) and the function returns DECC_E_INVALID (a void function
 * returns at once) without touching anything.
 */
#ifndef DECC_ATTEST_H
#define DECC_ATTEST_H

#include "common.h"
#include "keys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bound on a hardware quote carried in decc_quote (a TDX v4 quote with its
 * PCK certificate chain is about 5 KiB). */
#define DECC_QUOTE_HW_MAX 16384u

typedef struct decc_quote {
  char backend[16];           /* "software", "tdx", … (NUL-padded) */
  uint8_t measurement[32];    /* SHA-256 of the app bundle */
  uint8_t enclave_pubkey[32]; /* X25519 public key of this enclave run */
  uint8_t task_id[32];
  uint8_t nonce[32];     /* chosen by the verifier */
  uint64_t timestamp;    /* unix seconds when the quote was made */
  decc_address platform; /* platform key that signed */
  uint8_t signature[65];
  /* Hardware backends ("tdx"): the raw DCAP quote, whose report data is
   * decc_dcap_report_data (decc/dcap.h) of the claims above; platform and
   * signature are then zero. Length 0 for the software backend. Not part of
   * decc_quote_digest (the quote binds the digest, not the reverse). */
  uint32_t hw_quote_len;
  uint8_t hw_quote[DECC_QUOTE_HW_MAX];
} decc_quote;

/* The digest the platform key signs (see above). */
DECC_API void decc_quote_digest(uint8_t out32[32], const decc_quote *q);

/* Signs q with a software platform key: sets backend "software" (unless
 * already set), platform and signature. Returns: DECC_OK, DECC_E_INVALID. */
DECC_API decc_status decc_quote_sign(
    decc_quote *q, const uint8_t platform_sk32[32]) DECC_WARN_UNUSED;

/* Verifies a quote: the signature must recover to q->platform, the platform
 * must be one of the n trusted addresses, the nonce must equal
 * expected_nonce32 (when non-NULL) and the timestamp must be within
 * max_age_s of now_s (when max_age_s > 0).
 * Returns: DECC_OK, DECC_E_BAD_SIGNATURE (forged or tampered quote),
 * DECC_E_DENIED (untrusted platform, stale quote, nonce mismatch: err says
 * which). */
DECC_API decc_status decc_quote_verify(const decc_quote *q,
                                       const decc_address *trusted, size_t n,
                                       const uint8_t *expected_nonce32,
                                       uint64_t now_s, uint64_t max_age_s,
                                       decc_err *err) DECC_WARN_UNUSED;

/* JSON form: {"backend","measurement","enclavePublicKey","taskId","nonce",
 * "timestamp","platform","signature"} with 0x-hex fields, plus "hwQuote"
 * (0x-hex, at most DECC_QUOTE_HW_MAX bytes) when hw_quote_len > 0.
 * Out: *json heap string (decc_free). Returns: DECC_OK or DECC_E_NOMEM. */
DECC_API decc_status decc_quote_to_json(char **json,
                                        const decc_quote *q) DECC_WARN_UNUSED;
/* Returns: DECC_OK, DECC_E_PARSE (err names the field). */
DECC_API decc_status decc_quote_from_json(decc_quote *q, const char *json,
                                          size_t len,
                                          decc_err *err) DECC_WARN_UNUSED;

/* A TEE backend: how an enclave obtains a quote for itself. */
typedef struct decc_tee_backend {
  const char *name;
  void *ctx;
  /* Fills the signature fields of q (measurement, enclave key, task id,
   * nonce, timestamp are set by the caller). */
  decc_status (*quote)(void *ctx, decc_quote *q, decc_err *err);
} decc_tee_backend;

/* The software backend: quotes signed by the platform key sk32, which the
 * backend copies into secure memory. Out: *b (release with
 * decc_tee_software_destroy). Returns: DECC_OK, DECC_E_INVALID, DECC_E_NOMEM. */
DECC_API decc_status decc_tee_software_create(
    decc_tee_backend *b, const uint8_t platform_sk32[32]) DECC_WARN_UNUSED;
/* Wipes the key and zeroes *b. NULL or a zeroed backend is a no-op. */
DECC_API void decc_tee_software_destroy(decc_tee_backend *b);

/* The Intel TDX backend, inside a TDX guest: quote() sets backend "tdx",
 * zeroes platform and signature, and obtains a DCAP quote whose report data
 * is decc_dcap_report_data(q) through Linux configfs-tsm
 * (decc_tdx_tsm_quote under tsm_dir, NULL: /sys/kernel/config/tsm/report;
 * or, when tsm_entry is non-NULL, through that existing entry directory,
 * e.g. one an administrator created for an unprivileged worker). The quote
 * goes into q->hw_quote. quote() errors: DECC_E_IO (no configfs-tsm),
 * DECC_E_UNSUPPORTED (not a TDX provider), DECC_E_STATE (a concurrent
 * writer changed the report data: retry), DECC_E_PARSE, DECC_E_LIMIT
 * (quote larger than DECC_QUOTE_HW_MAX).
 * create copies the paths. Out: *b (release with decc_tee_tdx_destroy).
 * Returns: DECC_OK, DECC_E_INVALID (path too long), DECC_E_NOMEM. */
DECC_API decc_status
decc_tee_tdx_create(decc_tee_backend *b, const char *tsm_dir,
                    const char *tsm_entry) DECC_WARN_UNUSED;
/* Frees the paths and zeroes *b. NULL or a zeroed backend is a no-op. */
DECC_API void decc_tee_tdx_destroy(decc_tee_backend *b);

/* Ephemeral enclave key pair for sealed boxes (X25519). sk32 should be
 * secure memory. Returns: DECC_OK or DECC_E_CRYPTO. */
DECC_API decc_status decc_enclave_keypair(uint8_t pk32[32],
                                          uint8_t sk32[32]) DECC_WARN_UNUSED;

/* Seals a message to an enclave public key (anonymous sender, X25519 +
 * XSalsa20-Poly1305: 48 bytes of overhead). out must hold n + 48 bytes.
 * Returns: DECC_OK or DECC_E_CRYPTO. */
DECC_API decc_status decc_seal(uint8_t *out, const uint8_t *msg, size_t n,
                               const uint8_t pk32[32]) DECC_WARN_UNUSED;
/* Opens a sealed message (out holds n - 48 bytes).
 * Returns: DECC_OK, DECC_E_BAD_MAC (wrong key or tampered), DECC_E_RANGE. */
DECC_API decc_status decc_seal_open(uint8_t *out, const uint8_t *box, size_t n,
                                    const uint8_t pk32[32],
                                    const uint8_t sk32[32]) DECC_WARN_UNUSED;
#define DECC_SEAL_OVERHEAD 48

#ifdef __cplusplus
}
#endif
#endif /* DECC_ATTEST_H */
