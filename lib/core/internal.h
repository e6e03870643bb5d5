/*
 * internal.h — helpers shared by library files; not part of the public API.
 */
#ifndef DECC_CORE_INTERNAL_H
#define DECC_CORE_INTERNAL_H

#include "decc/common.h"

/* secp256k1 context shared by the library (created by decc_init).
 * Returns NULL if initialisation failed. */
struct secp256k1_context_struct;
const struct secp256k1_context_struct *decc__secp_ctx(void);

#define DECC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
