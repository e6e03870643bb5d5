/*
 * init.c — one-time, thread-safe initialisation of the crypto backends.
 *
 * libsodium must be started before its RNG and secure memory are used; the
 * secp256k1 context is created once, randomised against side channels, and
 * shared read-only by every thread afterwards (libsecp256k1 allows
 * concurrent use of a const context).
 */
#include <pthread.h>
#include <secp256k1.h>
#include <sodium.h>

#include "decc/common.h"
#include "internal.h"

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static decc_status g_init_status = DECC_E_CRYPTO;
static secp256k1_context *g_secp;

static void do_init(void) {
  if (sodium_init() < 0)
    return;
  g_secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (!g_secp)
    return;
  unsigned char seed[32];
  randombytes_buf(seed, sizeof seed);
  int ok = secp256k1_context_randomize(g_secp, seed);
  sodium_memzero(seed, sizeof seed);
  if (!ok)
    return;
  g_init_status = DECC_OK;
}

decc_status decc_init(void) {
  pthread_once(&g_once, do_init);
  return g_init_status;
}

const struct secp256k1_context_struct *decc__secp_ctx(void) {
  if (decc_init() != DECC_OK)
    return NULL;
  return g_secp;
}
