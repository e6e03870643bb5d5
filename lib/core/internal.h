/*
 * internal.h — helpers shared by library files; not part of the public API.
 */
#ifndef DECC_CORE_INTERNAL_H
#define DECC_CORE_INTERNAL_H

#include <stdint.h>

#include "decc/common.h"

/* secp256k1 context shared by the library (created by decc_init).
 * Returns NULL if initialisation failed. */
struct secp256k1_context_struct;
const struct secp256k1_context_struct *decc__secp_ctx(void);

/* ---- files and clocks (fsutil.c) ---- */

/* "a/b" as a heap string (decc_free). Returns NULL on OOM. */
char *decc__path_join(const char *a, const char *b);
/* Creates path and its missing parents with mode (existing directories are
 * fine). Returns 0, or -1 with errno (ENOTDIR when a component exists and is
 * not a directory, ENAMETOOLONG beyond 4095 bytes). */
int decc__mkdir_p(const char *path, unsigned mode);
/* Removes a directory tree, best effort; symlinks are removed, never
 * followed. */
void decc__rmtree(const char *path);
/* Monotonic clock in milliseconds (for durations and deadlines only). */
uint64_t decc__mono_ms(void);
/* Wall-clock time in milliseconds since the Unix epoch (for timestamps that
 * leave the process: signed requests, records). */
uint64_t decc__wall_ms(void);

#define DECC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
