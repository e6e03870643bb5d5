/*
 * decc/sms_auth.h — the iExec SMS authorization challenges (exact formulas
 * of iexec-sms AuthorizationService / the SDK's sms/push.js), and the
 * signature checks the SMS makes on them. All signatures are EIP-191
 * personal_sign over the 32 raw bytes of the challenge.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_SMS_AUTH_H
#define DECC_SMS_AUTH_H

#include "common.h"
#include "keys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* keccak256("IEXEC_SMS_DOMAIN"). */
DECC_API void decc_sms_domain_hash(uint8_t out32[32]);

/* web3 secret (dataset key) challenge:
 * H(H(DOMAIN) ‖ secretAddress ‖ H(utf8(value))). */
DECC_API void decc_sms_web3_challenge(uint8_t out32[32],
                                      const decc_address *secret_address,
                                      const char *value, size_t value_len);

/* web2 / requester / app-developer secret challenge:
 * H(H(DOMAIN) ‖ owner ‖ H(utf8(name)) ‖ H(utf8(value))).
 * For the app developer secret: owner = app address, name = "1". */
DECC_API void decc_sms_web2_challenge(uint8_t out32[32],
                                      const decc_address *owner,
                                      const char *name, size_t name_len,
                                      const char *value, size_t value_len);

/* WorkerpoolAuthorization hash H(worker ‖ taskid ‖ enclaveChallenge); with
 * worker = enclave = NULL it is H(taskid), the challenge the scheduler signs
 * for POST /tee/challenges/{taskId}. */
DECC_API void decc_sms_authorization_hash(uint8_t out32[32],
                                          const decc_address *worker,
                                          const uint8_t taskid32[32],
                                          const decc_address *enclave);

/* Signs a challenge (personal_sign of its 32 bytes).
 * Returns: DECC_OK or DECC_E_INVALID. */
DECC_API decc_status
decc_sms_sign_challenge(uint8_t sig65[65], const uint8_t sk32[32],
                        const uint8_t challenge32[32]) DECC_WARN_UNUSED;

/* Parses the Authorization header value ("0x" + 130 hex digits) and checks
 * it is a personal_sign of challenge32 by `expected`.
 * Returns: DECC_OK, DECC_E_PARSE (malformed header), DECC_E_BAD_SIGNATURE
 * (valid signature of someone else, high-S, or garbage). */
DECC_API decc_status decc_sms_check_signature(const char *header,
                                              const uint8_t challenge32[32],
                                              const decc_address *expected,
                                              decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
