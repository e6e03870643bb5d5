/*
 * decc/bundle.h — iApp bundles: a directory holding the app and its
 * manifest `decc-app.json` {"name", "version", "entrypoint"}, packed into a
 * canonical archive whose SHA-256 is the app's measurement (recorded
 * on-chain as the app checksum, checked by the SMS before it releases
 * secrets, and re-computed by the enclave when it unpacks the bundle).
 *
 * Canonical form: POSIX ustar, entries sorted bytewise by path,
 * directories before their content, mtime 0, uid/gid 0, no user/group
 * names, mode 0755 for directories and executable files, 0644 otherwise,
 * ended by two zero blocks. Only regular files and directories; names are
 * relative, without "..", backslashes or control characters. The same
 * directory content always gives the same bytes, on any machine.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * ("optional", "may be NULL", "NULL is a no-op"; a data pointer may be NULL
 * when its length is 0); a NULL one is reported to the misuse handler
 * (decc_set_misuse_handler, common.h) and the function returns
 * DECC_E_INVALID (a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_BUNDLE_H
#define DECC_BUNDLE_H

#include "buf.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DECC_BUNDLE_MANIFEST "decc-app.json"
#define DECC_BUNDLE_MAX_ENTRIES 10000
#define DECC_BUNDLE_MAX_BYTES (512ull << 20)

typedef struct decc_bundle_manifest {
  char name[128];
  char version[64];
  char entrypoint[256]; /* relative path inside the bundle */
} decc_bundle_manifest;

/* Reads and validates <dir>/decc-app.json (the entrypoint must exist in
 * the directory as an executable regular file).
 * Returns: DECC_OK, DECC_E_NOT_FOUND (no manifest), DECC_E_PARSE /
 * DECC_E_INVALID (err names the field). */
DECC_API decc_status decc_bundle_manifest_read(decc_bundle_manifest *m,
                                               const char *dir,
                                               decc_err *err) DECC_WARN_UNUSED;

/* Packs dir into the canonical archive. Out: the archive bytes appended to
 * *out (initialised by the caller), measurement32 = SHA-256 of them.
 * Returns: DECC_OK, DECC_E_INVALID (symlink, device, bad name, no
 * manifest: err names the path), DECC_E_LIMIT (too many entries / too
 * large), DECC_E_IO. */
DECC_API decc_status decc_bundle_pack(decc_buf *out, uint8_t measurement32[32],
                                      const char *dir,
                                      decc_err *err) DECC_WARN_UNUSED;

/* Verifies and unpacks a canonical archive into the existing, empty
 * directory dest. The archive's SHA-256 must equal expected32 (when
 * non-NULL) — checked before anything is written. Files are created with
 * O_NOFOLLOW|O_EXCL relative to dest; nothing outside dest is touched; on
 * failure what was created is removed.
 * Out: m (optional) = the manifest found in the archive.
 * Returns: DECC_OK, DECC_E_BAD_MAC (measurement mismatch), DECC_E_PARSE
 * (not a canonical bundle: err says why), DECC_E_LIMIT, DECC_E_IO. */
DECC_API decc_status decc_bundle_unpack(const uint8_t *archive, size_t len,
                                        const uint8_t *expected32,
                                        const char *dest,
                                        decc_bundle_manifest *m,
                                        decc_err *err) DECC_WARN_UNUSED;

/* Creates a sample iApp in dir (created if missing, must be empty):
 * lang "sh" (a POSIX shell script) or "c" (a C program with a Makefile
 * building it statically against no decc code; the bundle ships the
 * source and `decc app build` runs `make` first when a Makefile exists).
 * The sample reads the protected data named by $IEXEC_DATASET_FILENAME in
 * $IEXEC_IN, writes a result and computed.json in $IEXEC_OUT.
 * Returns: DECC_OK, DECC_E_INVALID (unknown lang), DECC_E_EXISTS (dir not
 * empty), DECC_E_IO. */
DECC_API decc_status decc_bundle_scaffold(const char *dir, const char *lang,
                                          const char *name,
                                          decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_BUNDLE_H */
