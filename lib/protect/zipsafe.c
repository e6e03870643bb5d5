/*
 * zipsafe.c — opening, reading and extracting untrusted zip archives.
 *
 * Two parsers look at every archive. Our own walks the end-of-central-
 * directory record and the central directory from the raw bytes, because
 * that is the only way to see an entry name as stored (libzip silently
 * turns NUL bytes into spaces) and to apply our rules before anything is
 * decompressed. libzip then opens the same bytes with ZIP_CHECKCONS (local
 * headers must agree with the directory) and does the decompression and
 * CRC checks. The two views must agree entry by entry (names, sizes,
 * methods), so an archive that parses differently for different readers —
 * a classic way to smuggle entries past a checker — is refused.
 *
 * Extraction never trusts paths: every step goes through directory file
 * descriptors with O_NOFOLLOW, files are created with O_EXCL, and the
 * actual decompressed sizes are counted against the limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "decc/zipsafe.h"

#define CD_MAX (256u << 20) /* bytes of central directory we accept */

struct decc_zip {
  zip_t *za;
  const uint8_t *mem; /* memory archive (borrowed) or NULL */
  int fd;             /* file archive or -1 */
  uint64_t size;
  decc_zip_limits lim;
  decc_zip_entry *e;
  size_t n;
  char *names;    /* all names, NUL-separated */
  size_t *sorted; /* indices sorted by name without a trailing "/" */
};

void decc_zip_limits_default(decc_zip_limits *lim) {
  DECC_ARG_CHECK_VOID(lim != NULL);
  lim->max_entries = DECC_ZIP_DEFAULT_MAX_ENTRIES;
  lim->max_entry_size = DECC_ZIP_DEFAULT_MAX_ENTRY_SIZE;
  lim->max_total_size = DECC_ZIP_DEFAULT_MAX_TOTAL_SIZE;
  lim->max_name_len = DECC_ZIP_DEFAULT_MAX_NAME_LEN;
  lim->max_depth = DECC_ZIP_DEFAULT_MAX_DEPTH;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}
static uint64_t rd64(const uint8_t *p) {
  return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Reads n bytes at off from the archive. Returns 0 or -1. */
static int raw_read(decc_zip *z, uint64_t off, void *buf, size_t n) {
  if (off > z->size || n > z->size - off)
    return -1;
  if (z->mem) {
    memcpy(buf, z->mem + off, n);
    return 0;
  }
  uint8_t *p = buf;
  while (n) {
    ssize_t k = pread(z->fd, p, n, (off_t)off);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return -1;
    p += k;
    off += (uint64_t)k;
    n -= (size_t)k;
  }
  return 0;
}

void decc_zip_close(decc_zip *z) {
  if (!z)
    return;
  if (z->za)
    zip_discard(z->za);
  if (z->fd >= 0)
    close(z->fd);
  decc_free(z->e);
  decc_free(z->names);
  decc_free(z->sorted);
  decc_free(z);
}

size_t decc_zip_count(const decc_zip *z) {
  DECC_ARG_CHECK_RET(z != NULL, 0);
  return z->n;
}

const decc_zip_entry *decc_zip_entry_at(const decc_zip *z, size_t i) {
  DECC_ARG_CHECK_RET(z != NULL, NULL);
  return i < z->n ? &z->e[i] : NULL;
}

/* Name without its trailing "/" (the key for duplicates and lookup). */
static size_t stem_len(const char *s, size_t n) {
  return n && s[n - 1] == '/' ? n - 1 : n;
}

static int cmp_stem(const char *a, size_t al, const char *b, size_t bl) {
  int c = memcmp(a, b, al < bl ? al : bl);
  return c ? c : (al > bl) - (al < bl);
}

static int cmp_idx(const void *pa, const void *pb, void *ctx) {
  const decc_zip *z = ctx;
  const decc_zip_entry *a = &z->e[*(const size_t *)pa];
  const decc_zip_entry *b = &z->e[*(const size_t *)pb];
  return cmp_stem(a->name, stem_len(a->name, a->name_len), b->name,
                  stem_len(b->name, b->name_len));
}

decc_status decc_zip_find(const decc_zip *z, const char *name, size_t *index) {
  DECC_ARG_CHECK(z != NULL);
  DECC_ARG_CHECK(name != NULL);
  DECC_ARG_CHECK(index != NULL);
  size_t nl = strlen(name), sl = stem_len(name, nl);
  size_t lo = 0, hi = z->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const decc_zip_entry *e = &z->e[z->sorted[mid]];
    int c = cmp_stem(e->name, stem_len(e->name, e->name_len), name, sl);
    if (c == 0) {
      if (e->name_len != nl || memcmp(e->name, name, nl))
        return DECC_E_NOT_FOUND;
      *index = z->sorted[mid];
      return DECC_OK;
    }
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return DECC_E_NOT_FOUND;
}

/* Checks one name; returns DECC_OK or an error with a message. */
static decc_status check_name(const decc_zip_limits *lim, const uint8_t *s,
                              size_t n, decc_err *err) {
  if (n == 0)
    return decc_err_set(err, DECC_E_PARSE, "zip entry with an empty name");
  if (n > lim->max_name_len)
    return decc_err_set(err, DECC_E_LIMIT, "zip entry name longer than %u",
                        lim->max_name_len);
  if (memchr(s, 0, n))
    return decc_err_set(err, DECC_E_DENIED, "zip entry name contains NUL");
  int shown = (int)(n > 80 ? 80 : n);
  if (memchr(s, '\\', n))
    return decc_err_set(err, DECC_E_DENIED,
                        "zip entry \"%.*s\" contains a backslash", shown, s);
  if (s[0] == '/')
    return decc_err_set(err, DECC_E_DENIED,
                        "zip entry \"%.*s\" is an absolute path", shown, s);
  size_t end = stem_len((const char *)s, n), depth = 0;
  for (size_t i = 0; i <= end;) {
    size_t j = i;
    while (j < end && s[j] != '/')
      j++;
    size_t cl = j - i;
    if (cl == 0 || (cl == 1 && s[i] == '.') ||
        (cl == 2 && s[i] == '.' && s[i + 1] == '.'))
      return decc_err_set(err, DECC_E_DENIED,
                          "zip entry \"%.*s\" has an empty, \".\" or \"..\" "
                          "path component",
                          shown, s);
    if (++depth > lim->max_depth)
      return decc_err_set(err, DECC_E_LIMIT,
                          "zip entry \"%.*s\" is nested deeper than %u", shown,
                          s, lim->max_depth);
    i = j + 1;
  }
  return DECC_OK;
}

/* Locates and parses the end-of-central-directory (zip64 aware).
 * Out: entry count, directory offset and size. */
static decc_status find_cd(decc_zip *z, uint64_t *count, uint64_t *cd_off,
                           uint64_t *cd_size, decc_err *err) {
  if (z->size < 22)
    return decc_err_set(err, DECC_E_PARSE, "not a zip archive (too short)");
  size_t tail = z->size < 65557 ? (size_t)z->size : 65557;
  uint8_t *t = decc_malloc(tail);
  if (!t)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  uint64_t base = z->size - tail;
  if (raw_read(z, base, t, tail) != 0) {
    decc_free(t);
    return decc_err_set(err, DECC_E_IO, "cannot read the zip archive");
  }
  /* The record must end exactly where the file ends (with its comment). */
  size_t pos = tail - 22 + 1;
  int found = 0;
  while (pos-- > 0) {
    if (rd32(t + pos) == 0x06054b50 && pos + 22 + rd16(t + pos + 20) == tail) {
      found = 1;
      break;
    }
  }
  if (!found) {
    decc_free(t);
    return decc_err_set(err, DECC_E_PARSE,
                        "not a zip archive (no end of central directory)");
  }
  const uint8_t *e = t + pos;
  uint64_t eocd = base + pos;
  uint32_t disk = rd16(e + 4), cd_disk = rd16(e + 6);
  uint64_t n_disk = rd16(e + 8), n = rd16(e + 10);
  uint64_t size = rd32(e + 12), off = rd32(e + 16);
  uint64_t limit = eocd; /* the directory must end before this */
  if (n == 0xFFFF || size == 0xFFFFFFFF || off == 0xFFFFFFFF) {
    uint8_t loc[20], z64[56];
    if (eocd < 20 || raw_read(z, eocd - 20, loc, 20) != 0 ||
        rd32(loc) != 0x07064b50) {
      decc_free(t);
      return decc_err_set(err, DECC_E_PARSE, "zip64 locator missing");
    }
    uint64_t zoff = rd64(loc + 8);
    if (rd32(loc + 4) != 0 || rd32(loc + 16) > 1 || zoff > eocd - 20 ||
        raw_read(z, zoff, z64, 56) != 0 || rd32(z64) != 0x06064b50) {
      decc_free(t);
      return decc_err_set(err, DECC_E_PARSE, "bad zip64 end of directory");
    }
    disk = rd32(z64 + 16);
    cd_disk = rd32(z64 + 20);
    n_disk = rd64(z64 + 24);
    n = rd64(z64 + 32);
    size = rd64(z64 + 40);
    off = rd64(z64 + 48);
    limit = zoff;
  }
  decc_free(t);
  if (disk != 0 || cd_disk != 0 || n_disk != n)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "multi-disk zip archives are not supported");
  if (n > z->lim.max_entries)
    return decc_err_set(
        err, DECC_E_LIMIT, "zip archive has %llu entries (limit %llu)",
        (unsigned long long)n, (unsigned long long)z->lim.max_entries);
  if (off > limit || size > limit - off)
    return decc_err_set(err, DECC_E_PARSE,
                        "zip central directory out of "
                        "bounds");
  if (size > CD_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "zip central directory too large");
  *count = n;
  *cd_off = off;
  *cd_size = size;
  return DECC_OK;
}

/* zip64 extended information: replaces the 0xFFFFFFFF fields, in order. */
static int zip64_fields(const uint8_t *x, size_t xl, uint64_t *usize,
                        uint64_t *csize, uint64_t *lho, int need_u, int need_c,
                        int need_o) {
  size_t i = 0;
  while (i + 4 <= xl) {
    uint16_t id = rd16(x + i), len = rd16(x + i + 2);
    if (i + 4 + len > xl)
      return -1;
    if (id == 0x0001) {
      const uint8_t *p = x + i + 4;
      size_t k = 0;
      if (need_u) {
        if (k + 8 > len)
          return -1;
        *usize = rd64(p + k);
        k += 8;
      }
      if (need_c) {
        if (k + 8 > len)
          return -1;
        *csize = rd64(p + k);
        k += 8;
      }
      if (need_o) {
        if (k + 8 > len)
          return -1;
        *lho = rd64(p + k);
      }
      return 0;
    }
    i += 4 + (size_t)len;
  }
  return (need_u || need_c || need_o) ? -1 : 0;
}

static decc_status parse_cd(decc_zip *z, decc_err *err) {
  uint64_t n = 0, cd_off = 0, cd_size = 0;
  decc_status st = find_cd(z, &n, &cd_off, &cd_size, err);
  if (st != DECC_OK)
    return st;
  uint8_t *cd = decc_malloc(cd_size ? (size_t)cd_size : 1);
  z->e = decc_calloc(n ? (size_t)n : 1, sizeof *z->e);
  z->names = decc_malloc(cd_size + 1);
  z->sorted = decc_malloc((n ? (size_t)n : 1) * sizeof *z->sorted);
  if (!cd || !z->e || !z->names || !z->sorted) {
    decc_free(cd);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  if (raw_read(z, cd_off, cd, (size_t)cd_size) != 0) {
    decc_free(cd);
    return decc_err_set(err, DECC_E_IO, "cannot read the zip directory");
  }
  size_t p = 0, np = 0;
  uint64_t total = 0;
  for (uint64_t i = 0; i < n; i++) {
    if (p + 46 > cd_size || rd32(cd + p) != 0x02014b50) {
      st = decc_err_set(err, DECC_E_PARSE, "corrupt zip central directory");
      goto out;
    }
    const uint8_t *h = cd + p;
    uint16_t flags = rd16(h + 8), method = rd16(h + 10);
    uint32_t crc = rd32(h + 16);
    uint64_t csize = rd32(h + 20), usize = rd32(h + 24);
    size_t nl = rd16(h + 28), xl = rd16(h + 30), cl = rd16(h + 32);
    uint32_t disk = rd16(h + 34), eattr = rd32(h + 38);
    uint64_t lho = rd32(h + 42);
    if (p + 46 + nl + xl + cl > cd_size) {
      st = decc_err_set(err, DECC_E_PARSE, "corrupt zip central directory");
      goto out;
    }
    const uint8_t *name = h + 46;
    if ((st = check_name(&z->lim, name, nl, err)) != DECC_OK)
      goto out;
    int shown = (int)(nl > 80 ? 80 : nl);
    if (zip64_fields(h + 46 + nl, xl, &usize, &csize, &lho, usize == 0xFFFFFFFF,
                     csize == 0xFFFFFFFF, lho == 0xFFFFFFFF) != 0) {
      st = decc_err_set(err, DECC_E_PARSE, "bad zip64 field for \"%.*s\"",
                        shown, name);
      goto out;
    }
    if (flags & 0x0041) {
      st = decc_err_set(err, DECC_E_UNSUPPORTED,
                        "zip entry \"%.*s\" is encrypted", shown, name);
      goto out;
    }
    if (method != 0 && method != 8) {
      st = decc_err_set(err, DECC_E_UNSUPPORTED,
                        "zip entry \"%.*s\" uses compression method %u", shown,
                        name, method);
      goto out;
    }
    if (disk != 0 || lho >= cd_off) {
      st = decc_err_set(err, DECC_E_PARSE,
                        "zip entry \"%.*s\" has a bad local header offset",
                        shown, name);
      goto out;
    }
    int is_dir = name[nl - 1] == '/';
    uint32_t mode = eattr >> 16, type = mode & 0170000;
    if (type != 0 && type != 0100000 && type != 0040000) {
      st = decc_err_set(err, DECC_E_DENIED,
                        "zip entry \"%.*s\" is a symlink, device, FIFO or "
                        "socket",
                        shown, name);
      goto out;
    }
    if ((type == 0040000 && !is_dir) || (type == 0100000 && is_dir) ||
        (is_dir && usize != 0)) {
      st = decc_err_set(err, DECC_E_DENIED,
                        "zip entry \"%.*s\" mixes file and directory", shown,
                        name);
      goto out;
    }
    if (usize > z->lim.max_entry_size) {
      st = decc_err_set(err, DECC_E_LIMIT,
                        "zip entry \"%.*s\" declares %llu bytes (limit %llu)",
                        shown, name, (unsigned long long)usize,
                        (unsigned long long)z->lim.max_entry_size);
      goto out;
    }
    total += usize;
    if (total > z->lim.max_total_size) {
      st = decc_err_set(err, DECC_E_LIMIT,
                        "zip archive declares more than %llu bytes in total",
                        (unsigned long long)z->lim.max_total_size);
      goto out;
    }
    decc_zip_entry *e = &z->e[i];
    memcpy(z->names + np, name, nl);
    z->names[np + nl] = 0;
    e->name = z->names + np;
    e->name_len = nl;
    np += nl + 1;
    e->is_dir = is_dir;
    e->size = usize;
    e->comp_size = csize;
    e->method = method;
    e->crc32 = crc;
    e->mode = mode & 07777;
    z->sorted[i] = (size_t)i;
    p += 46 + nl + xl + cl;
  }
  if (p != cd_size) {
    st = decc_err_set(err, DECC_E_PARSE,
                      "zip central directory size does not match its entries");
    goto out;
  }
  z->n = (size_t)n;
  qsort_r(z->sorted, z->n, sizeof *z->sorted, cmp_idx, z);
  for (size_t i = 1; i < z->n; i++) {
    const decc_zip_entry *a = &z->e[z->sorted[i - 1]], *b = &z->e[z->sorted[i]];
    if (!cmp_stem(a->name, stem_len(a->name, a->name_len), b->name,
                  stem_len(b->name, b->name_len))) {
      st = decc_err_set(err, DECC_E_DENIED, "duplicate zip entry \"%.*s\"",
                        (int)(b->name_len > 80 ? 80 : b->name_len), b->name);
      goto out;
    }
  }
out:
  decc_free(cd);
  return st;
}

/* libzip's view must match ours. */
static decc_status cross_check(decc_zip *z, decc_err *err) {
  zip_int64_t n = zip_get_num_entries(z->za, 0);
  if (n < 0 || (uint64_t)n != z->n)
    return decc_err_set(err, DECC_E_PARSE,
                        "zip directory is ambiguous (entry count)");
  for (size_t i = 0; i < z->n; i++) {
    zip_stat_t sb;
    zip_stat_init(&sb);
    const char *nm = zip_get_name(z->za, i, ZIP_FL_ENC_RAW);
    if (!nm || strcmp(nm, z->e[i].name) ||
        zip_stat_index(z->za, i, ZIP_FL_ENC_RAW, &sb) != 0 ||
        !(sb.valid & ZIP_STAT_SIZE) || sb.size != z->e[i].size ||
        sb.comp_size != z->e[i].comp_size || sb.comp_method != z->e[i].method ||
        sb.encryption_method != ZIP_EM_NONE)
      return decc_err_set(err, DECC_E_PARSE,
                          "zip directory is ambiguous (entry %zu)", i);
  }
  return DECC_OK;
}

static decc_status libzip_error(int code, decc_err *err) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, code);
  decc_status st =
      code == ZIP_ER_MEMORY ? DECC_E_NOMEM
      : code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_SEEK
          ? DECC_E_IO
          : DECC_E_PARSE;
  decc_err_set(err, st, "zip archive: %s", zip_error_strerror(&ze));
  zip_error_fini(&ze);
  return st;
}

static decc_status open_common(decc_zip **out, decc_zip *z,
                               const decc_zip_limits *lim, decc_err *err) {
  if (lim)
    z->lim = *lim;
  else
    decc_zip_limits_default(&z->lim);
  decc_status st = parse_cd(z, err);
  if (st == DECC_OK) {
    int code = 0;
    if (z->mem) {
      zip_error_t ze;
      zip_error_init(&ze);
      zip_source_t *src = zip_source_buffer_create(z->mem, z->size, 0, &ze);
      if (src) {
        z->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
        if (!z->za)
          zip_source_free(src);
      }
      code = zip_error_code_zip(&ze);
      zip_error_fini(&ze);
    } else {
      int dfd = dup(z->fd);
      z->za = dfd >= 0 ? zip_fdopen(dfd, ZIP_CHECKCONS, &code) : NULL;
      if (!z->za) {
        if (dfd >= 0)
          close(dfd);
        if (dfd < 0)
          code = ZIP_ER_OPEN;
      }
    }
    st = z->za ? cross_check(z, err) : libzip_error(code, err);
  }
  if (st != DECC_OK) {
    decc_zip_close(z);
    return st;
  }
  *out = z;
  return DECC_OK;
}

decc_status decc_zip_open_mem(decc_zip **out, const void *data, size_t len,
                              const decc_zip_limits *lim, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(data != NULL || len == 0);
  *out = NULL;
  decc_zip *z = decc_calloc(1, sizeof *z);
  if (!z)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  static const uint8_t empty[1];
  z->mem = data ? data : empty;
  z->fd = -1;
  z->size = len;
  return open_common(out, z, lim, err);
}

decc_status decc_zip_open_file(decc_zip **out, const char *path,
                               const decc_zip_limits *lim, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(path != NULL);
  *out = NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    int e = fd < 0 ? errno : 0;
    if (fd >= 0)
      close(fd);
    return decc_err_set(err, DECC_E_IO, "%s: %s", path,
                        e ? strerror(e) : "not a regular file");
  }
  decc_zip *z = decc_calloc(1, sizeof *z);
  if (!z) {
    close(fd);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  z->fd = fd;
  z->size = (uint64_t)sb.st_size;
  decc_status st = open_common(out, z, lim, err);
  if (st != DECC_OK)
    decc_err_prefix(err, "%s", path);
  return st;
}

/* Streams entry idx to the callback (NULL = discard), enforcing the
 * declared size, `max` and the CRC (libzip). */
typedef decc_status (*chunk_fn)(void *ctx, const uint8_t *p, size_t n);

static decc_status stream_entry(decc_zip *z, size_t idx, uint64_t max,
                                chunk_fn fn, void *ctx, decc_err *err) {
  const decc_zip_entry *e = &z->e[idx];
  int shown = (int)(e->name_len > 80 ? 80 : e->name_len);
  if (e->size > max)
    return decc_err_set(err, DECC_E_LIMIT,
                        "zip entry \"%.*s\" is larger than %llu bytes", shown,
                        e->name, (unsigned long long)max);
  zip_file_t *f = zip_fopen_index(z->za, idx, 0);
  if (!f)
    return decc_err_set(err, DECC_E_CORRUPT, "zip entry \"%.*s\": %s", shown,
                        e->name, zip_strerror(z->za));
  enum { CHUNK = 1 << 16 };
  uint8_t *buf = decc_malloc(CHUNK);
  if (!buf) {
    zip_fclose(f);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  uint64_t got = 0;
  decc_status st = DECC_OK;
  for (;;) {
    zip_int64_t k = zip_fread(f, buf, CHUNK);
    if (k < 0) {
      st = decc_err_set(err, DECC_E_CORRUPT, "zip entry \"%.*s\": %s", shown,
                        e->name, zip_file_strerror(f));
      break;
    }
    if (k == 0)
      break;
    got += (uint64_t)k;
    if (got > e->size) {
      st = decc_err_set(err, DECC_E_CORRUPT,
                        "zip entry \"%.*s\" is larger than it declares", shown,
                        e->name);
      break;
    }
    if (fn && (st = fn(ctx, buf, (size_t)k)) != DECC_OK)
      break;
  }
  if (st == DECC_OK && got != e->size)
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "zip entry \"%.*s\" is shorter than it declares", shown,
                      e->name);
  decc_free(buf);
  zip_fclose(f);
  return st;
}

typedef struct mem_sink {
  uint8_t *p;
  size_t n;
} mem_sink;

static decc_status to_mem(void *ctx, const uint8_t *p, size_t n) {
  mem_sink *m = ctx;
  memcpy(m->p + m->n, p, n);
  m->n += n;
  return DECC_OK;
}

decc_status decc_zip_read(decc_zip *z, size_t index, size_t max, uint8_t **out,
                          size_t *len, decc_err *err) {
  DECC_ARG_CHECK(z != NULL);
  DECC_ARG_CHECK(out != NULL);
  *out = NULL;
  if (len)
    *len = 0;
  if (index >= z->n || z->e[index].is_dir)
    return decc_err_set(err, DECC_E_INVALID, "no such file entry");
  uint64_t lim = max ? max : z->lim.max_entry_size;
  if (lim > z->lim.max_entry_size)
    lim = z->lim.max_entry_size;
  if (z->e[index].size > lim || z->e[index].size >= SIZE_MAX)
    return stream_entry(z, index, lim, NULL, NULL, err);
  mem_sink m = {decc_malloc((size_t)z->e[index].size + 1), 0};
  if (!m.p)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = stream_entry(z, index, lim, to_mem, &m, err);
  if (st != DECC_OK) {
    decc_free(m.p);
    return st;
  }
  m.p[m.n] = 0;
  *out = m.p;
  if (len)
    *len = m.n;
  return DECC_OK;
}

/* ---- extraction ---------------------------------------------------------- */

typedef struct created {
  char *path; /* relative to the target */
  int is_dir;
} created;

typedef struct xctx {
  int root;
  created *c;
  size_t nc, capc;
  uint64_t total, max_total;
  int fd; /* file being written */
  int err_no;
} xctx;

static int remember(xctx *x, const char *path, size_t len, int is_dir) {
  if (x->nc == x->capc) {
    size_t ncap = x->capc ? x->capc * 2 : 16;
    created *nc = decc_realloc(x->c, ncap * sizeof *nc);
    if (!nc)
      return -1;
    x->c = nc;
    x->capc = ncap;
  }
  char *p = decc_strndup(path, len);
  if (!p)
    return -1;
  x->c[x->nc].path = p;
  x->c[x->nc].is_dir = is_dir;
  x->nc++;
  return 0;
}

/* Opens the directory `rel` (len bytes, "/"-separated) below root without
 * following symlinks. Returns an fd (root itself is dup'ed) or -1. */
static int open_dir_nofollow(int root, const char *rel, size_t len) {
  int cur = dup(root);
  size_t i = 0;
  while (cur >= 0 && i < len) {
    size_t j = i;
    while (j < len && rel[j] != '/')
      j++;
    char comp[NAME_MAX + 1];
    if (j - i >= sizeof comp) {
      close(cur);
      return -1;
    }
    memcpy(comp, rel + i, j - i);
    comp[j - i] = 0;
    int next =
        openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(cur);
    cur = next;
    i = j + 1;
  }
  return cur;
}

static void undo(xctx *x) {
  for (size_t k = x->nc; k-- > 0;) {
    const char *p = x->c[k].path;
    const char *slash = strrchr(p, '/');
    size_t plen = slash ? (size_t)(slash - p) : 0;
    int dfd = open_dir_nofollow(x->root, p, plen);
    if (dfd >= 0) {
      if (unlinkat(dfd, slash ? slash + 1 : p,
                   x->c[k].is_dir ? AT_REMOVEDIR : 0) != 0) {
        /* best effort: something else may have been put there */
      }
      close(dfd);
    }
  }
}

static decc_status to_fd(void *ctx, const uint8_t *p, size_t n) {
  xctx *x = ctx;
  x->total += n;
  if (x->total > x->max_total)
    return DECC_E_LIMIT;
  while (n) {
    ssize_t k = write(x->fd, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      x->err_no = k < 0 ? errno : EIO;
      return DECC_E_IO;
    }
    p += k;
    n -= (size_t)k;
  }
  return DECC_OK;
}

static decc_status extract_one(decc_zip *z, xctx *x, size_t idx,
                               decc_err *err) {
  const decc_zip_entry *e = &z->e[idx];
  const char *name = e->name;
  size_t end = stem_len(name, e->name_len);
  int shown = (int)(e->name_len > 80 ? 80 : e->name_len);
  int cur = dup(x->root);
  if (cur < 0)
    return decc_err_set(err, DECC_E_IO, "dup: %s", strerror(errno));
  size_t i = 0;
  decc_status st = DECC_OK;
  for (;;) {
    size_t j = i;
    while (j < end && name[j] != '/')
      j++;
    char comp[NAME_MAX + 1];
    if (j - i >= sizeof comp) {
      st = decc_err_set(err, DECC_E_LIMIT, "%.*s: path component too long",
                        shown, name);
      break;
    }
    memcpy(comp, name + i, j - i);
    comp[j - i] = 0;
    int last = j >= end;
    if (last && !e->is_dir) {
      mode_t perm = e->mode ? ((mode_t)(e->mode & 0777) | 0600) : 0644;
      x->fd =
          openat(cur, comp,
                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, perm);
      if (x->fd < 0) {
        int er = errno;
        st = decc_err_set(err, er == EEXIST ? DECC_E_EXISTS : DECC_E_IO,
                          "%.*s: %s", shown, name, strerror(er));
        break;
      }
      if (remember(x, name, e->name_len, 0) != 0) {
        close(x->fd);
        unlinkat(cur, comp, 0);
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        break;
      }
      decc_err local;
      decc_err_clear(&local);
      x->err_no = 0;
      st = stream_entry(z, idx, z->lim.max_entry_size, to_fd, x, &local);
      if (st == DECC_E_LIMIT && !local.msg[0])
        decc_err_set(&local, st, "zip archive holds more than %llu bytes",
                     (unsigned long long)x->max_total);
      else if (st == DECC_E_IO && !local.msg[0])
        decc_err_set(&local, st, "%.*s: %s", shown, name,
                     strerror(x->err_no ? x->err_no : EIO));
      if (close(x->fd) != 0 && st == DECC_OK)
        st = decc_err_set(&local, DECC_E_IO, "%.*s: %s", shown, name,
                          strerror(errno));
      x->fd = -1;
      if (st != DECC_OK && err)
        *err = local;
      break;
    }
    if (mkdirat(cur, comp, 0755) == 0) {
      if (remember(x, name, j, 1) != 0) {
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
        break;
      }
    } else if (errno != EEXIST) {
      st = decc_err_set(err, DECC_E_IO, "%.*s: %s", shown, name,
                        strerror(errno));
      break;
    }
    int next =
        openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      st = decc_err_set(err, DECC_E_EXISTS,
                        "%.*s: a non-directory or symlink is in the way", shown,
                        name);
      break;
    }
    close(cur);
    cur = next;
    if (last)
      break;
    i = j + 1;
  }
  close(cur);
  return st;
}

decc_status decc_zip_extract(decc_zip *z, const char *dir, decc_err *err) {
  DECC_ARG_CHECK(z != NULL);
  DECC_ARG_CHECK(dir != NULL);
  int made_root = 0;
  if (mkdir(dir, 0755) == 0)
    made_root = 1;
  else if (errno != EEXIST)
    return decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(errno));
  xctx x = {.fd = -1, .max_total = z->lim.max_total_size};
  x.root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (x.root < 0) {
    int e = errno;
    if (made_root)
      rmdir(dir);
    return decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(e));
  }
  decc_status st = DECC_OK;
  for (size_t i = 0; i < z->n && st == DECC_OK; i++)
    st = extract_one(z, &x, i, err);
  if (st != DECC_OK)
    undo(&x);
  for (size_t k = 0; k < x.nc; k++)
    decc_free(x.c[k].path);
  decc_free(x.c);
  close(x.root);
  if (st != DECC_OK && made_root)
    rmdir(dir);
  return st;
}
