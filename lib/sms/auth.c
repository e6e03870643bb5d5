/*
 * auth.c — iExec SMS authorization challenges and their signature checks
 * (see decc/sms_auth.h). The operands are hashed as raw bytes, exactly as
 * iexec-sms's concatenateAndHash does with hex-decoded arguments.
 */
#include <string.h>

#include "core/internal.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/sms_auth.h"

static const char DOMAIN[] = "IEXEC_SMS_DOMAIN";

void decc_sms_domain_hash(uint8_t out32[32]) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  decc_keccak256(out32, DOMAIN, sizeof DOMAIN - 1);
}

void decc_sms_web3_challenge(uint8_t out32[32],
                             const decc_address *secret_address,
                             const char *value, size_t value_len) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(secret_address != NULL);
  DECC_ARG_CHECK_VOID(value != NULL || value_len == 0);
  uint8_t buf[32 + 20 + 32];
  decc_sms_domain_hash(buf);
  memcpy(buf + 32, secret_address->b, 20);
  decc_keccak256(buf + 52, value, value_len);
  decc_keccak256(out32, buf, sizeof buf);
}

void decc_sms_web2_challenge(uint8_t out32[32], const decc_address *owner,
                             const char *name, size_t name_len,
                             const char *value, size_t value_len) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(owner != NULL);
  DECC_ARG_CHECK_VOID(name != NULL || name_len == 0);
  DECC_ARG_CHECK_VOID(value != NULL || value_len == 0);
  uint8_t buf[32 + 20 + 32 + 32];
  decc_sms_domain_hash(buf);
  memcpy(buf + 32, owner->b, 20);
  decc_keccak256(buf + 52, name, name_len);
  decc_keccak256(buf + 84, value, value_len);
  decc_keccak256(out32, buf, sizeof buf);
}

void decc_sms_authorization_hash(uint8_t out32[32], const decc_address *worker,
                                 const uint8_t taskid32[32],
                                 const decc_address *enclave) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(taskid32 != NULL);
  /* concatenateAndHash skips empty operands: with no worker and no enclave
   * the hash is H(taskid) */
  uint8_t buf[20 + 32 + 20];
  size_t n = 0;
  if (worker) {
    memcpy(buf, worker->b, 20);
    n = 20;
  }
  memcpy(buf + n, taskid32, 32);
  n += 32;
  if (enclave) {
    memcpy(buf + n, enclave->b, 20);
    n += 20;
  }
  decc_keccak256(out32, buf, n);
}

decc_status decc_sms_sign_challenge(uint8_t sig65[65], const uint8_t sk32[32],
                                    const uint8_t challenge32[32]) {
  DECC_ARG_CHECK(sig65 != NULL);
  DECC_ARG_CHECK(sk32 != NULL);
  DECC_ARG_CHECK(challenge32 != NULL);
  return decc_eip191_sign(sig65, sk32, challenge32, 32);
}

decc_status decc_sms_check_signature(const char *header,
                                     const uint8_t challenge32[32],
                                     const decc_address *expected,
                                     decc_err *err) {
  DECC_ARG_CHECK(challenge32 != NULL);
  DECC_ARG_CHECK(expected != NULL);
  uint8_t sig[65];
  if (!header ||
      decc_hex_decode_exact(sig, 65, header, "authorization", NULL) != DECC_OK)
    return decc_err_set(err, DECC_E_PARSE,
                        "Authorization header must be a 65-byte 0x-hex "
                        "signature");
  decc_address who;
  if (decc_eip191_recover(&who, challenge32, 32, sig) != DECC_OK ||
      !decc_address_eq(&who, expected))
    return decc_err_set(err, DECC_E_BAD_SIGNATURE,
                        "authorization signature does not match the expected "
                        "signer");
  return DECC_OK;
}
