/*
 * ids.c — PoCo deal and task identifiers (iexec-protocol.md §1.1):
 * dealid = keccak256(requestorderHash ‖ u256(consumed before the match))
 * (IexecPoco1Facet._matchOrders) and taskid = keccak256(dealid ‖ u256(idx))
 * (IexecPoco2Facet.initialize; the SDK's abi.encode form is the same 64
 * bytes).
 */
#include <string.h>

#include "core/internal.h"
#include "decc/hash.h"
#include "decc/order.h"

static void hash_pair(uint8_t out32[32], const uint8_t a32[32],
                      const decc_u256 *b) {
  uint8_t buf[64];
  memcpy(buf, a32, 32);
  decc_u256_to_be(buf + 32, b);
  decc_keccak256(out32, buf, sizeof buf);
}

void decc_deal_id(uint8_t out32[32], const uint8_t request_hash32[32],
                  const decc_u256 *consumed) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(request_hash32 != NULL);
  DECC_ARG_CHECK_VOID(consumed != NULL);
  hash_pair(out32, request_hash32, consumed);
}

void decc_task_id(uint8_t out32[32], const uint8_t deal_id32[32],
                  const decc_u256 *index) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(deal_id32 != NULL);
  DECC_ARG_CHECK_VOID(index != NULL);
  hash_pair(out32, deal_id32, index);
}
