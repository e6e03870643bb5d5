/*
 * bundle.c — canonical iApp bundles (see decc/bundle.h): manifest
 * validation, deterministic ustar packing, strict verification and safe
 * unpacking, and sample app scaffolding.
 *
 * The reader accepts exactly what the writer produces (same header bytes,
 * same order): a bundle has one byte representation, so its SHA-256 is a
 * meaningful measurement.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/bundle.h"
#include "decc/hash.h"
#include "decc/mem.h"

#define BLOCK 512
#define MAX_PATH_LEN 255

typedef struct entry {
  char *path; /* relative, directories end with '/' */
  int is_dir;
  int exec;
  uint64_t size;
} entry;

typedef struct entries {
  entry *v;
  size_t n, cap;
} entries;

static void entries_free(entries *e) {
  for (size_t i = 0; i < e->n; i++)
    decc_free(e->v[i].path);
  decc_free(e->v);
  memset(e, 0, sizeof *e);
}

/* A bundle path component must be a plain name. */
static int valid_component(const char *s, size_t n) {
  if (n == 0 || n > 255)
    return 0;
  if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
    return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '\\' || c == '/')
      return 0;
  }
  return 1;
}

/* Validates a relative path (optionally ending with '/'). */
static int valid_path(const char *p) {
  size_t len = strlen(p);
  if (len == 0 || len > MAX_PATH_LEN || p[0] == '/')
    return 0;
  const char *s = p;
  while (*s) {
    const char *e = strchr(s, '/');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    if (!valid_component(s, n))
      return 0;
    s += n;
    if (*s == '/')
      s++;
  }
  return 1;
}

decc_status decc_bundle_manifest_read(decc_bundle_manifest *m, const char *dir,
                                      decc_err *err) {
  DECC_ARG_CHECK(m != NULL);
  DECC_ARG_CHECK(dir != NULL);
  memset(m, 0, sizeof *m);
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, DECC_BUNDLE_MANIFEST);
  json_error_t je;
  json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
  if (!j) {
    struct stat st;
    if (stat(path, &st) != 0)
      return decc_err_set(err, DECC_E_NOT_FOUND,
                          "%s: no %s manifest (run 'decc app init')", dir,
                          DECC_BUNDLE_MANIFEST);
    return decc_err_set(err, DECC_E_PARSE, "%s: line %d: %s", path, je.line,
                        je.text);
  }
  decc_status st = DECC_OK;
  const char *name = json_string_value(json_object_get(j, "name"));
  const char *version = json_string_value(json_object_get(j, "version"));
  const char *ep = json_string_value(json_object_get(j, "entrypoint"));
  if (!json_is_object(j))
    st = decc_err_set(err, DECC_E_PARSE, "%s: not a JSON object", path);
  else if (!name || !*name || strlen(name) >= sizeof m->name)
    st = decc_err_set(err, DECC_E_INVALID,
                      "%s: \"name\" must be a string of 1 to %zu characters",
                      path, sizeof m->name - 1);
  else if (!version || !*version || strlen(version) >= sizeof m->version)
    st = decc_err_set(err, DECC_E_INVALID,
                      "%s: \"version\" must be a string of 1 to %zu "
                      "characters",
                      path, sizeof m->version - 1);
  else if (!ep || !valid_path(ep) || ep[strlen(ep) - 1] == '/' ||
           strlen(ep) >= sizeof m->entrypoint)
    st = decc_err_set(err, DECC_E_INVALID,
                      "%s: \"entrypoint\" must be a relative path inside the "
                      "bundle",
                      path);
  if (!st) {
    snprintf(m->name, sizeof m->name, "%s", name);
    snprintf(m->version, sizeof m->version, "%s", version);
    snprintf(m->entrypoint, sizeof m->entrypoint, "%s", ep);
    char epath[4096];
    snprintf(epath, sizeof epath, "%s/%s", dir, ep);
    struct stat sst;
    if (lstat(epath, &sst) != 0 || !S_ISREG(sst.st_mode))
      st = decc_err_set(err, DECC_E_INVALID,
                        "%s: entrypoint '%s' is not a regular file in the "
                        "bundle",
                        path, ep);
    else if (!(sst.st_mode & 0111))
      st = decc_err_set(err, DECC_E_INVALID,
                        "%s: entrypoint '%s' is not executable (chmod +x)",
                        path, ep);
  }
  json_decref(j);
  return st;
}

/* ---- packing ---------------------------------------------------------- */

static decc_status push_entry(entries *e, const char *path, int is_dir,
                              int exec, uint64_t size, decc_err *err) {
  if (e->n >= DECC_BUNDLE_MAX_ENTRIES)
    return decc_err_set(err, DECC_E_LIMIT, "bundle has more than %d entries",
                        DECC_BUNDLE_MAX_ENTRIES);
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 64;
    entry *v = decc_realloc(e->v, cap * sizeof *v);
    if (!v)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    e->v = v;
    e->cap = cap;
  }
  size_t len = strlen(path);
  char *p = decc_malloc(len + 2);
  if (!p)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  memcpy(p, path, len);
  if (is_dir)
    p[len++] = '/';
  p[len] = 0;
  e->v[e->n++] = (entry){p, is_dir, exec, size};
  return DECC_OK;
}

static decc_status walk(entries *e, const char *root, const char *rel,
                        uint64_t *total, int depth, decc_err *err) {
  if (depth > 32)
    return decc_err_set(err, DECC_E_LIMIT, "bundle directories nest too deep");
  char dpath[4096];
  snprintf(dpath, sizeof dpath, "%s%s%s", root, *rel ? "/" : "", rel);
  DIR *d = opendir(dpath);
  if (!d)
    return decc_err_set(err, DECC_E_IO, "%s: %s", dpath, strerror(errno));
  decc_status st = DECC_OK;
  struct dirent *de;
  while (!st && (de = readdir(d))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    char relp[4096];
    int n =
        snprintf(relp, sizeof relp, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
    if (n < 0 || n >= MAX_PATH_LEN || !valid_path(relp)) {
      st = decc_err_set(err, DECC_E_INVALID,
                        "bundle path '%.80s' is not allowed (too long or "
                        "special characters)",
                        relp);
      break;
    }
    char full[8192];
    snprintf(full, sizeof full, "%s/%s", root, relp);
    struct stat sst;
    if (lstat(full, &sst) != 0) {
      st = decc_err_set(err, DECC_E_IO, "%s: %s", full, strerror(errno));
      break;
    }
    if (S_ISDIR(sst.st_mode)) {
      st = push_entry(e, relp, 1, 1, 0, err);
      if (!st)
        st = walk(e, root, relp, total, depth + 1, err);
    } else if (S_ISREG(sst.st_mode)) {
      *total += (uint64_t)sst.st_size;
      if (*total > DECC_BUNDLE_MAX_BYTES)
        st = decc_err_set(err, DECC_E_LIMIT, "bundle larger than %llu bytes",
                          (unsigned long long)DECC_BUNDLE_MAX_BYTES);
      else
        st = push_entry(e, relp, 0, (sst.st_mode & 0111) != 0,
                        (uint64_t)sst.st_size, err);
    } else {
      st = decc_err_set(err, DECC_E_INVALID,
                        "bundle entry '%s' is not a regular file or "
                        "directory (symlinks and devices are not allowed)",
                        relp);
    }
  }
  closedir(d);
  return st;
}

static int entry_cmp(const void *a, const void *b) {
  return strcmp(((const entry *)a)->path, ((const entry *)b)->path);
}

static void octal(char *dst, size_t width, uint64_t v) {
  /* width-1 digits then NUL, zero padded */
  dst[width - 1] = 0;
  for (size_t i = width - 1; i-- > 0;) {
    dst[i] = (char)('0' + (v & 7));
    v >>= 3;
  }
}

/* Fills a canonical header for e. Returns 0 or -1 (name does not fit). */
static int make_header(uint8_t h[BLOCK], const entry *e) {
  memset(h, 0, BLOCK);
  size_t len = strlen(e->path);
  const char *name = e->path;
  size_t plen = 0;
  if (len > 100) {
    /* split at a '/' so that prefix ≤ 155 and name ≤ 100 */
    size_t cut = 0;
    for (size_t i = 0; i < len && i <= 155; i++)
      if (e->path[i] == '/' && len - i - 1 <= 100 && len - i - 1 > 0)
        cut = i;
    if (!cut)
      return -1;
    plen = cut;
    name = e->path + cut + 1;
    memcpy(h + 345, e->path, plen);
  }
  memcpy(h, name, strlen(name));
  octal((char *)h + 100, 8, e->is_dir || e->exec ? 0755 : 0644);
  octal((char *)h + 108, 8, 0);
  octal((char *)h + 116, 8, 0);
  octal((char *)h + 124, 12, e->is_dir ? 0 : e->size);
  octal((char *)h + 136, 12, 0);
  h[156] = e->is_dir ? '5' : '0';
  memcpy(h + 257, "ustar", 6); /* "ustar\0" */
  memcpy(h + 263, "00", 2);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (int i = 0; i < BLOCK; i++)
    sum += h[i];
  octal((char *)h + 148, 7, sum); /* 6 digits + NUL */
  h[155] = ' ';
  return 0;
}

decc_status decc_bundle_pack(decc_buf *out, uint8_t measurement32[32],
                             const char *dir, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(measurement32 != NULL);
  DECC_ARG_CHECK(dir != NULL);
  decc_bundle_manifest m;
  decc_status st = decc_bundle_manifest_read(&m, dir, err);
  if (st)
    return st;
  entries e = {0};
  uint64_t total = 0;
  st = walk(&e, dir, "", &total, 0, err);
  if (st) {
    entries_free(&e);
    return st;
  }
  qsort(e.v, e.n, sizeof *e.v, entry_cmp);
  size_t start = out->len;
  for (size_t i = 0; i < e.n && !st; i++) {
    uint8_t h[BLOCK];
    if (make_header(h, &e.v[i]) != 0) {
      st = decc_err_set(err, DECC_E_INVALID, "bundle path '%.80s…' too long",
                        e.v[i].path);
      break;
    }
    st = decc_buf_append(out, h, BLOCK);
    if (st || e.v[i].is_dir)
      continue;
    char full[8192];
    snprintf(full, sizeof full, "%s/%s", dir, e.v[i].path);
    int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      st = decc_err_set(err, DECC_E_IO, "%s: %s", full, strerror(errno));
      break;
    }
    uint64_t left = e.v[i].size;
    while (left && !st) {
      uint8_t *dst;
      size_t chunk = left > (1u << 20) ? (1u << 20) : (size_t)left;
      st = decc_buf_extend(out, chunk, &dst);
      if (st)
        break;
      ssize_t r = read(fd, dst, chunk);
      if (r != (ssize_t)chunk) {
        st = decc_err_set(err, DECC_E_IO, "%s: changed while packing", full);
        break;
      }
      left -= chunk;
    }
    close(fd);
    size_t pad = (BLOCK - (size_t)(e.v[i].size % BLOCK)) % BLOCK;
    uint8_t *z;
    if (!st && pad)
      st = decc_buf_extend(out, pad, &z);
  }
  uint8_t *z;
  if (!st)
    st = decc_buf_extend(out, 2 * BLOCK, &z);
  entries_free(&e);
  if (st) {
    if (!err || err->code == DECC_OK)
      decc_err_set(err, st, "packing the bundle: %s", decc_strerror(st));
    out->len = start;
    return st;
  }
  decc_sha256(measurement32, out->data + start, out->len - start);
  return DECC_OK;
}

/* ---- unpacking ---------------------------------------------------------- */

static int parse_octal(const uint8_t *f, size_t width, uint64_t *v) {
  /* canonical: width-1 octal digits then NUL */
  if (f[width - 1] != 0)
    return -1;
  uint64_t x = 0;
  for (size_t i = 0; i < width - 1; i++) {
    if (f[i] < '0' || f[i] > '7')
      return -1;
    x = (x << 3) | (uint64_t)(f[i] - '0');
  }
  *v = x;
  return 0;
}

static int is_zero_block(const uint8_t *b) {
  for (int i = 0; i < BLOCK; i++)
    if (b[i])
      return 0;
  return 1;
}

/* Parses the archive into entries (offsets of file data in *offs).
 * Strict: every header must be byte-identical to the canonical one. */
static decc_status parse_archive(const uint8_t *a, size_t len, entries *e,
                                 size_t **offs, decc_err *err) {
  size_t pos = 0, cap = 0;
  *offs = NULL;
  const char *prev = NULL;
  for (;;) {
    if (len - pos < BLOCK)
      return decc_err_set(err, DECC_E_PARSE, "bundle truncated at byte %zu",
                          pos);
    const uint8_t *h = a + pos;
    if (is_zero_block(h)) {
      if (len - pos != 2 * BLOCK || !is_zero_block(h + BLOCK))
        return decc_err_set(err, DECC_E_PARSE,
                            "bundle does not end with exactly two zero blocks");
      return DECC_OK;
    }
    char path[512];
    size_t plen = strnlen((const char *)h + 345, 155);
    size_t nlen = strnlen((const char *)h, 100);
    if (plen)
      snprintf(path, sizeof path, "%.*s/%.*s", (int)plen, (const char *)h + 345,
               (int)nlen, (const char *)h);
    else
      snprintf(path, sizeof path, "%.*s", (int)nlen, (const char *)h);
    uint64_t size = 0, mode = 0;
    int is_dir = h[156] == '5';
    if ((h[156] != '0' && h[156] != '5') || parse_octal(h + 100, 8, &mode) ||
        parse_octal(h + 124, 12, &size))
      return decc_err_set(err, DECC_E_PARSE,
                          "bundle entry '%.80s' has an unsupported type or "
                          "field",
                          path);
    size_t pl = strlen(path);
    if (is_dir != (pl > 0 && path[pl - 1] == '/'))
      return decc_err_set(err, DECC_E_PARSE,
                          "bundle entry '%.80s': directory names end with '/'",
                          path);
    char check[512];
    snprintf(check, sizeof check, "%.*s", (int)(is_dir ? pl - 1 : pl), path);
    if (!valid_path(check))
      return decc_err_set(err, DECC_E_PARSE,
                          "bundle entry '%.80s' has a forbidden name", path);
    if (prev && strcmp(prev, path) >= 0)
      return decc_err_set(err, DECC_E_PARSE,
                          "bundle entries are not in canonical order at "
                          "'%.80s'",
                          path);
    entry en = {NULL, is_dir, mode == 0755 && !is_dir, is_dir ? 0 : size};
    en.path = path;
    uint8_t canon[BLOCK];
    if (make_header(canon, &en) != 0 || memcmp(canon, h, BLOCK) != 0)
      return decc_err_set(err, DECC_E_PARSE,
                          "bundle entry '%.80s' is not in canonical form",
                          path);
    if (e->n >= DECC_BUNDLE_MAX_ENTRIES)
      return decc_err_set(err, DECC_E_LIMIT, "bundle has too many entries");
    pos += BLOCK;
    if (size > len - pos)
      return decc_err_set(err, DECC_E_PARSE, "bundle entry '%.80s' truncated",
                          path);
    if (e->n == cap) {
      cap = cap ? cap * 2 : 64;
      size_t *no = decc_realloc(*offs, cap * sizeof *no);
      if (!no)
        return decc_err_set(err, DECC_E_NOMEM, "out of memory");
      *offs = no;
    }
    decc_status st = push_entry(e, check, is_dir, en.exec, size, err);
    if (st)
      return st;
    (*offs)[e->n - 1] = pos;
    prev = e->v[e->n - 1].path;
    size_t padded = (size_t)size + (BLOCK - (size_t)(size % BLOCK)) % BLOCK;
    if (padded > len - pos)
      return decc_err_set(err, DECC_E_PARSE, "bundle entry '%.80s' truncated",
                          path);
    for (size_t k = (size_t)size; k < padded; k++)
      if (a[pos + k])
        return decc_err_set(err, DECC_E_PARSE,
                            "bundle entry '%.80s' has non-zero padding", path);
    pos += padded;
  }
}

static void remove_created(int dfd, entries *e, size_t upto) {
  /* reverse order removes files before their directories */
  for (size_t i = upto; i-- > 0;) {
    char p[512];
    snprintf(p, sizeof p, "%s", e->v[i].path);
    size_t l = strlen(p);
    if (l && p[l - 1] == '/')
      p[l - 1] = 0;
    unlinkat(dfd, p, e->v[i].is_dir ? AT_REMOVEDIR : 0);
  }
}

decc_status decc_bundle_unpack(const uint8_t *archive, size_t len,
                               const uint8_t *expected32, const char *dest,
                               decc_bundle_manifest *m, decc_err *err) {
  DECC_ARG_CHECK(archive != NULL || len == 0);
  DECC_ARG_CHECK(dest != NULL);
  if (expected32) {
    uint8_t h[32];
    decc_sha256(h, archive, len);
    if (memcmp(h, expected32, 32) != 0)
      return decc_err_set(err, DECC_E_BAD_MAC,
                          "bundle measurement does not match the expected "
                          "one (app checksum)");
  }
  entries e = {0};
  size_t *offs = NULL;
  decc_status st = parse_archive(archive, len, &e, &offs, err);
  if (st) {
    entries_free(&e);
    decc_free(offs);
    return st;
  }
  int dfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) {
    st = decc_err_set(err, DECC_E_IO, "%s: %s", dest, strerror(errno));
    entries_free(&e);
    decc_free(offs);
    return st;
  }
  /* `done` counts entries created by this call: only those are removed
   * when a later entry fails (an entry that failed, e.g. with EEXIST, may
   * be someone else's file). */
  size_t done = 0;
  for (size_t i = 0; i < e.n && !st; i++) {
    entry *en = &e.v[i];
    char p[512];
    snprintf(p, sizeof p, "%s", en->path);
    size_t l = strlen(p);
    if (en->is_dir) {
      p[l - 1] = 0;
      if (mkdirat(dfd, p, 0755) != 0)
        st =
            decc_err_set(err, DECC_E_IO, "%s/%s: %s", dest, p, strerror(errno));
      else
        done = i + 1;
      continue;
    }
    /* Parents were created by earlier entries (canonical order); openat
     * through them cannot follow a symlink because none exists in dest
     * that we did not create as a directory. */
    int fd =
        openat(dfd, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
               en->exec ? 0755 : 0644);
    if (fd < 0) {
      st = decc_err_set(err, DECC_E_IO, "%s/%s: %s", dest, p, strerror(errno));
      continue;
    }
    done = i + 1; /* created: remove it if anything fails from here on */
    const uint8_t *data = archive + offs[i];
    size_t left = (size_t)en->size;
    while (left) {
      ssize_t w = write(fd, data, left);
      if (w < 0) {
        st =
            decc_err_set(err, DECC_E_IO, "%s/%s: %s", dest, p, strerror(errno));
        break;
      }
      data += w;
      left -= (size_t)w;
    }
    if (fchmod(fd, en->exec ? 0755 : 0644) != 0 && !st)
      st = decc_err_set(err, DECC_E_IO, "%s/%s: %s", dest, p, strerror(errno));
    if (close(fd) != 0 && !st)
      st = decc_err_set(err, DECC_E_IO, "%s/%s: %s", dest, p, strerror(errno));
  }
  if (!st && m) {
    st = decc_bundle_manifest_read(m, dest, err);
    if (st)
      decc_err_prefix(err, "bundle manifest");
  }
  if (st)
    remove_created(dfd, &e, done);
  close(dfd);
  entries_free(&e);
  decc_free(offs);
  return st;
}

/* ---- scaffolding ---------------------------------------------------------- */

static const char SH_APP[] =
    "#!/bin/sh\n"
    "# A decc iApp: reads the protected data (a zip of key/value entries)\n"
    "# from $IEXEC_IN/$IEXEC_DATASET_FILENAME and writes its result and\n"
    "# computed.json in $IEXEC_OUT. Runs in the enclave: no network, "
    "read-only\n"
    "# inputs, only $IEXEC_OUT is writable.\n"
    "set -eu\n"
    "out=\"${IEXEC_OUT:-/iexec_out}\"\n"
    "data=\"${IEXEC_IN:-/iexec_in}/${IEXEC_DATASET_FILENAME:-}\"\n"
    "if [ -n \"${IEXEC_DATASET_FILENAME:-}\" ] && [ -f \"$data\" ]; then\n"
    "  entries=$(unzip -Z1 \"$data\" | grep -v '/$' | wc -l)\n"
    "  email=$(unzip -p \"$data\" email 2>/dev/null | tr -d '\\000-\\037' || "
    "true)\n"
    "  domain=${email#*@}\n"
    "  printf '{\"entries\":%s,\"emailDomain\":\"%s\",\"args\":\"%s\"}\\n' \\\n"
    "    \"$entries\" \"$domain\" \"$*\" > \"$out/result.json\"\n"
    "else\n"
    "  printf '{\"entries\":0,\"args\":\"%s\"}\\n' \"$*\" > "
    "\"$out/result.json\"\n"
    "fi\n"
    "printf '{\"deterministic-output-path\":\"%s/result.json\"}\\n' \"$out\" "
    "\\\n"
    "  > \"$out/computed.json\"\n"
    "echo \"done: $(cat \"$out/result.json\")\"\n";

static const char C_APP[] =
    "/* A decc iApp in C: lists the entries of the protected data (a STORE\n"
    " * zip written by `decc protect`) found at "
    "$IEXEC_IN/$IEXEC_DATASET_FILENAME\n"
    " * and writes result.json and computed.json to $IEXEC_OUT. Runs in the\n"
    " * enclave: no network, read-only inputs, only $IEXEC_OUT is writable. "
    "*/\n"
    "#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
    "#include <string.h>\n\n"
    "static uint32_t le32(const unsigned char *p) {\n"
    "  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;\n}\n"
    "static uint16_t le16(const unsigned char *p) { return p[0] | p[1] << 8; "
    "}\n\n"
    "int main(int argc, char **argv) {\n"
    "  const char *in = getenv(\"IEXEC_IN\"), *name = "
    "getenv(\"IEXEC_DATASET_FILENAME\");\n"
    "  const char *out = getenv(\"IEXEC_OUT\");\n"
    "  if (!out) out = \"/iexec_out\";\n"
    "  char path[4096], res[4096];\n"
    "  int entries = 0;\n"
    "  if (in && name && *name) {\n"
    "    snprintf(path, sizeof path, \"%s/%s\", in, name);\n"
    "    FILE *f = fopen(path, \"rb\");\n"
    "    unsigned char h[30];\n"
    "    /* walk the local file headers: STORE entries, sizes in the header "
    "*/\n"
    "    while (f && fread(h, 1, 30, f) == 30 && le32(h) == 0x04034b50) {\n"
    "      uint32_t csize = le32(h + 18);\n"
    "      uint16_t nlen = le16(h + 26), xlen = le16(h + 28);\n"
    "      if (fseek(f, (long)nlen + xlen + csize, SEEK_CUR) != 0) break;\n"
    "      entries++;\n"
    "    }\n"
    "    if (f) fclose(f);\n"
    "  }\n"
    "  snprintf(path, sizeof path, \"%s/result.json\", out);\n"
    "  FILE *r = fopen(path, \"w\");\n"
    "  if (!r) return 1;\n"
    "  fprintf(r, \"{\\\"entries\\\":%d,\\\"args\\\":%d}\\n\", entries, argc - "
    "1);\n"
    "  fclose(r);\n"
    "  snprintf(res, sizeof res, \"%s/computed.json\", out);\n"
    "  FILE *c = fopen(res, \"w\");\n"
    "  if (!c) return 1;\n"
    "  fprintf(c, \"{\\\"deterministic-output-path\\\":\\\"%s\\\"}\\n\", "
    "path);\n"
    "  fclose(c);\n"
    "  printf(\"done: %d entries\\n\", entries);\n"
    "  (void)argv;\n  return 0;\n}\n";

static const char C_MAKEFILE[] = "# Builds the iApp binary that the bundle "
                                 "ships (run by `decc app build`).\n"
                                 "app: app.c\n\t$(CC) -O2 -Wall -o app app.c\n";

static decc_status write_new(const char *dir, const char *name,
                             const char *text, unsigned mode, decc_err *err) {
  char p[4096];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                (mode_t)mode);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", p, strerror(errno));
  size_t n = strlen(text);
  ssize_t w = write(fd, text, n);
  int e = 0;
  if (w != (ssize_t)n)
    e = w < 0 ? errno : ENOSPC;
  else if (fchmod(fd, (mode_t)mode) != 0)
    e = errno;
  if (close(fd) != 0 && !e)
    e = errno;
  return e ? decc_err_set(err, DECC_E_IO, "%s: %s", p, strerror(e)) : DECC_OK;
}

decc_status decc_bundle_scaffold(const char *dir, const char *lang,
                                 const char *name, decc_err *err) {
  DECC_ARG_CHECK(dir != NULL);
  int is_sh = lang && !strcmp(lang, "sh");
  int is_c = lang && !strcmp(lang, "c");
  if (!is_sh && !is_c)
    return decc_err_set(err, DECC_E_INVALID,
                        "unknown app language '%s' (use sh or c)",
                        lang ? lang : "");
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(errno));
  DIR *d = opendir(dir);
  if (!d)
    return decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(errno));
  struct dirent *de;
  int empty = 1;
  while ((de = readdir(d)))
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
      empty = 0;
  closedir(d);
  if (!empty)
    return decc_err_set(err, DECC_E_EXISTS, "%s is not empty", dir);
  const char *nm = name && *name ? name : (is_sh ? "hello-sh" : "hello-c");
  json_t *man = json_pack("{s:s,s:s,s:s}", "name", nm, "version", "1.0.0",
                          "entrypoint", is_sh ? "run.sh" : "app");
  char *mtext =
      man ? json_dumps(man, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  json_decref(man);
  if (!mtext)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  char with_nl[1024];
  snprintf(with_nl, sizeof with_nl, "%s\n", mtext);
  free(mtext);
  decc_status st = write_new(dir, DECC_BUNDLE_MANIFEST, with_nl, 0644, err);
  if (!st && is_sh)
    st = write_new(dir, "run.sh", SH_APP, 0755, err);
  if (!st && is_c) {
    st = write_new(dir, "app.c", C_APP, 0644, err);
    if (!st)
      st = write_new(dir, "Makefile", C_MAKEFILE, 0644, err);
  }
  return st;
}
