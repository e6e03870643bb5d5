/*
 * keystore_int.h — internal knobs of the V3 keystore code (lib/eth/keystore.c).
 *
 * The public decc_keystore_decrypt applies fixed KDF cost limits chosen so a
 * hostile file cannot make decc spend more than about a gigabyte of memory
 * or several seconds of CPU. The fuzz target and the tests need the same
 * parser with much smaller limits, so the limits are a parameter here.
 */
#ifndef DECC_ETH_KEYSTORE_INT_H
#define DECC_ETH_KEYSTORE_INT_H

#include "decc/keystore.h"

/* Upper bounds on what a keystore may ask the KDF to do. */
typedef struct decc_keystore_limits {
  uint64_t scrypt_max_n;   /* N must be a power of two in [2, max_n] */
  uint64_t scrypt_max_nr;  /* N·r bound (memory is 128·N·r bytes) */
  uint64_t scrypt_max_nrp; /* N·r·p bound (work) */
  uint32_t pbkdf2_max_c;   /* iteration count bound */
} decc_keystore_limits;

/* The limits decc_keystore_decrypt and decc_keystore_encrypt apply:
 * N ≤ 2^20, 128·N·r ≤ 1 GiB, N·r·p ≤ 2^24, c ≤ 2^24. */
extern const decc_keystore_limits decc__keystore_default_limits;

/* Largest keystore text accepted (a real one is about 500 bytes; ethers
 * adds a mnemonic block of a few hundred more). */
#define DECC_KEYSTORE_MAX_JSON (64u * 1024u)
/* Largest password accepted, in bytes. */
#define DECC_KEYSTORE_MAX_PASSWORD (64u * 1024u)

/* decc_keystore_decrypt with explicit KDF limits (NULL = defaults). */
decc_status decc__keystore_decrypt_limited(uint8_t sk32[32], decc_address *addr,
                                           const char *json, size_t json_len,
                                           const char *password, size_t pw_len,
                                           const decc_keystore_limits *lim,
                                           decc_err *err);

#endif
