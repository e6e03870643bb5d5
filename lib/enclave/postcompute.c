/*
 * postcompute.c — the pieces of post-compute that do not depend on a
 * session: the result digest of iexec-protocol.md §5.6 (file and
 * directory rules) and the result zip of §5.7 (regular files under
 * /iexec_out, relative names, no directory entries, Deflate). The zip is
 * made deterministic (sorted entries, fixed timestamps and attributes) so
 * that replicated standard tasks upload byte-identical archives, hence
 * the same CID.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "core/internal.h"
#include "decc/enclave.h"
#include "decc/hash.h"
#include "decc/mem.h"

/* Deepest directory nesting zipped, most files. */
#define ZIP_MAX_DEPTH 16
#define ZIP_MAX_FILES 10000
/* 1980-01-01T00:00:00Z: the earliest time a zip (DOS) timestamp holds. */
#define ZIP_FIXED_MTIME 315532800

static int name_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of dir's entries (without "." and ".."). Out: *names (each
 * and the array decc_free'd by free_names). */
static decc_status list_dir(const char *dir, char ***names, size_t *n,
                            decc_err *err) {
  *names = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (!d)
    return decc_err_set(err, errno == ENOENT ? DECC_E_NOT_FOUND : DECC_E_IO,
                        "cannot open directory %s: %s", dir, strerror(errno));
  size_t cap = 0;
  decc_status st = DECC_OK;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if (*n >= ZIP_MAX_FILES) {
      st = decc_err_set(err, DECC_E_LIMIT, "more than %d entries in %s",
                        ZIP_MAX_FILES, dir);
      break;
    }
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      char **nn = decc_realloc(*names, nc * sizeof *nn);
      if (!nn) {
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        break;
      }
      *names = nn;
      cap = nc;
    }
    if (!((*names)[*n] = decc_strdup(de->d_name))) {
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      break;
    }
    (*n)++;
  }
  closedir(d);
  if (!st && *n)
    qsort(*names, *n, sizeof **names, name_cmp);
  return st;
}

static void free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; i++)
    decc_free(names[i]);
  decc_free(names);
}

decc_status decc_enclave_result_digest(uint8_t out32[32], const char *path,
                                       decc_err *err) {
  DECC_ARG_CHECK(out32 != NULL);
  DECC_ARG_CHECK(path != NULL);
  struct stat st;
  if (stat(path, &st) != 0)
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "deterministic output %s does not exist",
                        strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
  if (S_ISREG(st.st_mode)) {
    if (st.st_size == 0)
      return decc_err_set(err, DECC_E_INVALID,
                          "deterministic output file is empty");
    return decc_sha256_file(out32, path, err);
  }
  if (!S_ISDIR(st.st_mode))
    return decc_err_set(err, DECC_E_INVALID,
                        "deterministic output is neither a file nor a "
                        "directory");
  char **names;
  size_t n;
  decc_status s = list_dir(path, &names, &n, err);
  if (s)
    return s;
  /* concatenateAndHash(sha256(child_1), …): hex-decoded digests
   * concatenated and keccak-hashed; a sub-directory or an unreadable child
   * contributes the empty string. */
  decc_keccak256_ctx k;
  decc_keccak256_init(&k);
  for (size_t i = 0; i < n && !s; i++) {
    char *child = NULL;
    size_t cl = strlen(path) + strlen(names[i]) + 2;
    if (!(child = decc_malloc(cl))) {
      s = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      break;
    }
    snprintf(child, cl, "%s/%s", path, names[i]);
    struct stat cs;
    uint8_t h[32];
    if (lstat(child, &cs) == 0 && S_ISREG(cs.st_mode) &&
        decc_sha256_file(h, child, NULL) == DECC_OK)
      decc_keccak256_update(&k, h, 32);
    decc_free(child);
  }
  free_names(names, n);
  if (s)
    return s;
  decc_keccak256_final(&k, out32);
  return DECC_OK;
}

typedef struct zip_walk {
  zip_t *za;
  uint64_t total, max;
  size_t files;
  decc_err *err;
} zip_walk;

static decc_status zip_add_tree(zip_walk *w, const char *dir, const char *rel,
                                int depth) {
  if (depth > ZIP_MAX_DEPTH)
    return decc_err_set(w->err, DECC_E_LIMIT,
                        "result directories nested deeper than %d",
                        ZIP_MAX_DEPTH);
  char **names;
  size_t n;
  decc_status st = list_dir(dir, &names, &n, w->err);
  if (st)
    return st;
  for (size_t i = 0; i < n && !st; i++) {
    size_t pl = strlen(dir) + strlen(names[i]) + 2;
    size_t rl = strlen(rel) + strlen(names[i]) + 2;
    char *p = decc_malloc(pl), *r = decc_malloc(rl);
    if (!p || !r) {
      decc_free(p);
      decc_free(r);
      st = decc_err_set(w->err, DECC_E_NOMEM, "out of memory");
      break;
    }
    snprintf(p, pl, "%s/%s", dir, names[i]);
    snprintf(r, rl, "%s%s%s", rel, *rel ? "/" : "", names[i]);
    struct stat s;
    if (lstat(p, &s) != 0) {
      st = decc_err_set(w->err, DECC_E_IO, "cannot stat result file %s", r);
    } else if (S_ISDIR(s.st_mode)) {
      st = zip_add_tree(w, p, r, depth + 1);
    } else if (S_ISREG(s.st_mode)) {
      w->total += (uint64_t)s.st_size;
      if (++w->files > ZIP_MAX_FILES || w->total > w->max) {
        st = decc_err_set(w->err, DECC_E_LIMIT,
                          "result larger than %llu bytes or %d files",
                          (unsigned long long)w->max, ZIP_MAX_FILES);
      } else {
        zip_source_t *src = zip_source_file(w->za, p, 0, -1);
        zip_int64_t ix =
            src ? zip_file_add(w->za, r, src, ZIP_FL_ENC_UTF_8) : -1;
        if (ix < 0) {
          if (src)
            zip_source_free(src);
          st = decc_err_set(w->err, DECC_E_IO, "zip %s: %s", r,
                            zip_strerror(w->za));
        } else if (zip_set_file_compression(w->za, (zip_uint64_t)ix,
                                            ZIP_CM_DEFLATE, 0) != 0 ||
                   zip_file_set_mtime(w->za, (zip_uint64_t)ix, ZIP_FIXED_MTIME,
                                      0) != 0 ||
                   zip_file_set_external_attributes(
                       w->za, (zip_uint64_t)ix, 0, ZIP_OPSYS_UNIX,
                       (zip_uint32_t)0100644 << 16) != 0) {
          st = decc_err_set(w->err, DECC_E_IO, "zip %s: %s", r,
                            zip_strerror(w->za));
        }
      }
    } /* symlinks, devices, fifos: not results */
    decc_free(p);
    decc_free(r);
  }
  free_names(names, n);
  return st;
}

decc_status decc_enclave_zip_dir(const char *out_path, const char *dir,
                                 uint64_t max_bytes, decc_err *err) {
  DECC_ARG_CHECK(out_path != NULL);
  DECC_ARG_CHECK(dir != NULL);
  size_t tl = strlen(out_path) + 16;
  char *tmp = decc_malloc(tl);
  if (!tmp)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  snprintf(tmp, tl, "%s.tmp", out_path);
  unlink(tmp);
  int zerr = 0;
  zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_EXCL, &zerr);
  if (!za) {
    decc_free(tmp);
    return decc_err_set(err, DECC_E_IO, "cannot create the result zip");
  }
  zip_walk w = {za, 0, max_bytes ? max_bytes : UINT64_MAX, 0, err};
  decc_status st = zip_add_tree(&w, dir, "", 0);
  if (st) {
    zip_discard(za);
    unlink(tmp);
    decc_free(tmp);
    return st;
  }
  if (w.files == 0) {
    /* libzip writes nothing for an empty archive: write the 22-byte
     * end-of-central-directory record ourselves. */
    zip_discard(za);
    static const uint8_t eocd[22] = {0x50, 0x4b, 0x05, 0x06};
    FILE *f = fopen(tmp, "wb");
    if (!f || fwrite(eocd, 1, sizeof eocd, f) != sizeof eocd) {
      if (f)
        fclose(f);
      unlink(tmp);
      decc_free(tmp);
      return decc_err_set(err, DECC_E_IO, "cannot write the result zip");
    }
    if (fclose(f) != 0) {
      unlink(tmp);
      decc_free(tmp);
      return decc_err_set(err, DECC_E_IO, "cannot write the result zip");
    }
  } else if (zip_close(za) != 0) {
    st = decc_err_set(err, DECC_E_IO, "writing the result zip: %s",
                      zip_strerror(za));
    zip_discard(za);
    unlink(tmp);
    decc_free(tmp);
    return st;
  }
  if (rename(tmp, out_path) != 0) {
    unlink(tmp);
    decc_free(tmp);
    return decc_err_set(err, DECC_E_IO, "cannot rename the result zip");
  }
  decc_free(tmp);
  return DECC_OK;
}
