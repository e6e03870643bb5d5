/*
 * decc/zipsafe.h — reading and extracting zip archives that come from
 * outside (protected data, task results, app bundles) without trusting them.
 *
 * Opening an archive parses its central directory (our own parser, cross-
 * checked against libzip, which then does the decompression) and refuses
 * the whole archive when any entry is unsafe or out of limits:
 *   - names: empty, longer than max_name_len, absolute ("/x"), containing a
 *     NUL byte, a backslash, an empty, "." or ".." component, or more than
 *     max_depth components; two entries with the same name (a trailing "/"
 *     ignored);
 *   - types: symlink, device, FIFO or socket entries (unix mode in the
 *     external attributes), a directory mode on a name without "/" or the
 *     reverse, a directory entry with data;
 *   - encrypted entries, compression methods other than stored (0) and
 *     deflate (8), multi-disk archives;
 *   - more than max_entries entries, a declared uncompressed size above
 *     max_entry_size, declared sizes summing above max_total_size.
 * Reading checks the *actual* bytes too: an entry that inflates past its
 * declared size (a lying header, a zip bomb) or short of it, or whose CRC
 * does not match, is an error, and reading stops at the limit.
 *
 * Extraction creates directories with mkdirat and files with
 * openat(O_CREAT|O_EXCL|O_NOFOLLOW), always relative to directory file
 * descriptors opened with O_NOFOLLOW below the target, so nothing is written
 * outside it and nothing existing is overwritten or followed. On failure
 * everything the extraction created is removed again.
 *
 * Thread-safety: a decc_zip is not thread-safe; distinct ones are
 * independent.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (lim, err, decc_zip_read's len; the data of decc_zip_open_mem may be
 * NULL when its length is 0; decc_zip_close(NULL) is a no-op); a NULL one
 * is reported to the misuse handler (decc_set_misuse_handler, common.h)
 * and the function returns DECC_E_INVALID (NULL or 0 when it returns a
 * pointer or a count; decc_zip_limits_default returns at once) without
 * touching anything.
 */
#ifndef DECC_ZIPSAFE_H
#define DECC_ZIPSAFE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct decc_zip_limits {
  uint64_t max_entries;    /* entries in the central directory */
  uint64_t max_entry_size; /* uncompressed bytes of one entry */
  uint64_t max_total_size; /* uncompressed bytes of all entries */
  uint32_t max_name_len;   /* bytes of one entry name */
  uint32_t max_depth;      /* path components of one entry name */
} decc_zip_limits;

/* Defaults: 10000 entries, 1 GiB per entry, 4 GiB in total, 1024-byte
 * names, 32 components. */
#define DECC_ZIP_DEFAULT_MAX_ENTRIES 10000u
#define DECC_ZIP_DEFAULT_MAX_ENTRY_SIZE (1ull << 30)
#define DECC_ZIP_DEFAULT_MAX_TOTAL_SIZE (4ull << 30)
#define DECC_ZIP_DEFAULT_MAX_NAME_LEN 1024u
#define DECC_ZIP_DEFAULT_MAX_DEPTH 32u

/* Fills lim with the defaults above. */
DECC_API void decc_zip_limits_default(decc_zip_limits *lim);

/* One entry as recorded in the central directory (declared values). */
typedef struct decc_zip_entry {
  const char *name;   /* NUL-terminated (no NUL inside); lives as long as
                         the decc_zip */
  size_t name_len;    /* strlen(name) */
  int is_dir;         /* 1 for a directory entry (name ends with "/") */
  uint64_t size;      /* declared uncompressed size */
  uint64_t comp_size; /* declared compressed size */
  uint16_t method;    /* 0 = stored, 8 = deflate */
  uint32_t crc32;     /* declared CRC-32 */
  uint32_t mode;      /* unix permission bits (07777) if recorded, else 0 */
} decc_zip_entry;

typedef struct decc_zip decc_zip;

/* Opens and checks the archive at path (see the rules above). lim may be
 * NULL for the defaults. Out: *out, closed with decc_zip_close.
 * Returns: DECC_OK; DECC_E_IO (cannot open/read); DECC_E_PARSE (not a zip,
 * malformed or inconsistent directory); DECC_E_DENIED (unsafe name or entry
 * type); DECC_E_LIMIT (a limit exceeded); DECC_E_UNSUPPORTED (encryption,
 * method, multi-disk); DECC_E_NOMEM. */
DECC_API decc_status decc_zip_open_file(decc_zip **out, const char *path,
                                        const decc_zip_limits *lim,
                                        decc_err *err) DECC_WARN_UNUSED;

/* Same for an archive in memory. The len bytes at data are borrowed: they
 * must stay valid and unchanged until decc_zip_close. */
DECC_API decc_status decc_zip_open_mem(decc_zip **out, const void *data,
                                       size_t len, const decc_zip_limits *lim,
                                       decc_err *err) DECC_WARN_UNUSED;

/* Releases the archive (and closes the file). NULL is a no-op. */
DECC_API void decc_zip_close(decc_zip *z);

/* Returns: the number of entries (central directory order). */
DECC_API size_t decc_zip_count(const decc_zip *z);

/* Returns: entry i (i < decc_zip_count), owned by z; NULL when out of
 * range. */
DECC_API const decc_zip_entry *decc_zip_entry_at(const decc_zip *z, size_t i);

/* Looks an entry up by its exact name ("dir/" for a directory).
 * Out: *index. Returns: DECC_OK or DECC_E_NOT_FOUND (DECC_E_INVALID for a
 * NULL argument, see Misuse above). */
DECC_API decc_status decc_zip_find(const decc_zip *z, const char *name,
                                   size_t *index);

/* Reads entry `index` entirely into a new buffer (decc_free it; a NUL byte
 * follows the data, not counted in *len; len may be NULL). max bounds the size (0 = the
 * archive's max_entry_size).
 * Returns: DECC_OK; DECC_E_INVALID (bad index or a directory); DECC_E_LIMIT
 * (declared or actual size above max); DECC_E_CORRUPT (actual size differs
 * from the declared one, bad CRC, broken compressed data); DECC_E_NOMEM. */
DECC_API decc_status decc_zip_read(decc_zip *z, size_t index, size_t max,
                                   uint8_t **out, size_t *len,
                                   decc_err *err) DECC_WARN_UNUSED;

/* Extracts every entry under dir, creating dir (mode 0755) if it does not
 * exist. Existing files are never replaced and existing symlinks never
 * followed (both are errors). Files get the recorded permission bits
 * (without setuid/setgid/sticky; 0644 when none), directories 0755.
 * The total actual size is bounded by max_total_size.
 * Returns: DECC_OK; DECC_E_EXISTS (a name already exists); DECC_E_IO;
 * DECC_E_LIMIT / DECC_E_CORRUPT as decc_zip_read; DECC_E_NOMEM. On error,
 * every file and directory this call created has been removed. */
DECC_API decc_status decc_zip_extract(decc_zip *z, const char *dir,
                                      decc_err *err) DECC_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif /* DECC_ZIPSAFE_H */
