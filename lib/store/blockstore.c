/*
 * blockstore.c — blocks on disk, pins and garbage collection.
 *
 * Layout under the store directory:
 *   blocks/<xx>/<key>.data  one file per block; key = base32 (lower, no
 *                           prefix) of the multihash, so a CIDv0 and its
 *                           CIDv1 dag-pb form share a block; xx = the two
 *                           characters before the key's last one (the
 *                           "next-to-last/2" sharding Kubo's flatfs uses);
 *   pins/<key>              one file per recursive pin, holding the CID
 *                           text; written with temp + fsync + rename;
 *   lock                    flock: every opener holds it shared, gc needs
 *                           it exclusive (so gc never races another
 *                           process's import).
 * Block files are written to a temporary name and renamed, so a reader
 * never sees half a block; reads re-hash every block, so damage on disk is
 * reported as corruption, never returned as data.
 * Durability: no block is fsync'ed on its own. An add writes all its
 * blocks (each one's writeback started at once), then makes them durable
 * with one syncfs before it records the pin (itself fsync'ed with its
 * directory), so what an add returns is on disk, and a crash before that
 * leaves at worst unpinned blocks that gc removes
 * (docs/internals/performance.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "store_int.h"

struct decc_blockstore {
  char *dir;
  int lock_fd;
};

const char *decc_blockstore_dir(const decc_blockstore *bs) {
  DECC_ARG_CHECK_RET(bs != NULL, NULL);
  return bs->dir;
}

decc_status decc__store_key(char *out, size_t cap, const decc_cid *cid) {
  if (cid->mh_len == 0 || cid->mh_len > DECC_CID_MH_MAX)
    return DECC_E_INVALID;
  return decc_base32_encode(out, cap, cid->mh, cid->mh_len);
}

/* Prefixes err's message with "block <cid>". Only failures call it: the
 * CID's text (base58 for a CIDv0, a big-number conversion) was formatted on
 * every read for a message that is almost never needed, about 15 % of a
 * small-block read (perf of fuzz_sms_bulk). Returns st. */
static decc_status blk_fail(decc_err *err, const decc_cid *cid,
                            decc_status st) {
  char s[DECC_CID_STR_MAX];
  if (decc_cid_to_string(s, sizeof s, cid))
    snprintf(s, sizeof s, "(invalid CID)");
  decc_err_prefix(err, "block %s", s);
  return st;
}

decc_status decc__verify_block(const decc_cid *cid, const uint8_t *block,
                               size_t n, decc_err *err) {
  decc_status st;
  if (cid->mh_len != 34 || cid->mh[0] != DECC_MH_SHA2_256 || cid->mh[1] != 32)
    return blk_fail(err, cid,
                    decc_err_set(err, DECC_E_UNSUPPORTED,
                                 "only sha2-256 multihashes are supported"));
  uint8_t d[32];
  decc_sha256(d, block, n);
  if (memcmp(d, cid->mh + 2, 32) != 0) {
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "content does not match its hash (corrupt)");
    return blk_fail(err, cid, st);
  }
  return DECC_OK;
}

decc_status decc_blockstore_open(decc_blockstore **out, const char *dir,
                                 decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(dir != NULL);
  *out = NULL;
  decc_blockstore *bs = decc_calloc(1, sizeof *bs);
  if (!bs || !(bs->dir = decc_strdup(dir))) {
    decc_free(bs);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  bs->lock_fd = -1;
  char *blocks = decc__path_join(dir, "blocks"),
       *pins = decc__path_join(dir, "pins"),
       *lock = decc__path_join(dir, "lock");
  decc_status st = DECC_OK;
  if (!blocks || !pins || !lock) {
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  } else if (decc__mkdir_p(dir, 0755) || decc__mkdir_p(blocks, 0755) ||
             decc__mkdir_p(pins, 0755)) {
    st = decc_err_set(err, DECC_E_IO, "store %s: cannot create: %s", dir,
                      strerror(errno));
  } else {
    bs->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (bs->lock_fd < 0 || flock(bs->lock_fd, LOCK_SH) != 0)
      st = decc_err_set(err, DECC_E_IO, "store %s: lock: %s", dir,
                        strerror(errno));
  }
  decc_free(blocks);
  decc_free(pins);
  decc_free(lock);
  if (st) {
    decc_blockstore_close(bs);
    return st;
  }
  *out = bs;
  return DECC_OK;
}

void decc_blockstore_close(decc_blockstore *bs) {
  if (!bs)
    return;
  if (bs->lock_fd >= 0)
    close(bs->lock_fd);
  decc_free(bs->dir);
  decc_free(bs);
}

/* Out: the shard directory and block file path (heap, decc_free). */
static decc_status block_paths(const decc_blockstore *bs, const decc_cid *cid,
                               char **shard, char **file) {
  char key[DECC_CID_STR_MAX];
  if (decc__store_key(key, sizeof key, cid))
    return DECC_E_INVALID;
  size_t kl = strlen(key);
  if (kl < 3)
    return DECC_E_INVALID;
  size_t dl = strlen(bs->dir);
  size_t cap = dl + kl + 32;
  *shard = decc_malloc(cap);
  *file = decc_malloc(cap);
  if (!*shard || !*file) {
    decc_free(*shard);
    decc_free(*file);
    return DECC_E_NOMEM;
  }
  snprintf(*shard, cap, "%s/blocks/%.2s", bs->dir, key + kl - 3);
  snprintf(*file, cap, "%s/%s.data", *shard, key);
  return DECC_OK;
}

static decc_status write_all(int fd, const uint8_t *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return DECC_E_IO;
    p += w;
    n -= (size_t)w;
  }
  return DECC_OK;
}

decc_status decc_blockstore_put_trusted(void *ud, const decc_cid *cid,
                                        const uint8_t *block, size_t n,
                                        decc_err *err) {
  DECC_ARG_CHECK(ud != NULL);
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(block != NULL || n == 0);
  decc_blockstore *bs = ud;
  if (n > DECC_STORE_MAX_BLOCK)
    return decc_err_set(err, DECC_E_LIMIT, "block of %zu bytes exceeds %u", n,
                        DECC_STORE_MAX_BLOCK);
  char *shard, *file;
  decc_status st = block_paths(bs, cid, &shard, &file);
  if (st)
    return decc_err_set(err, st, "block: bad CID");
  struct stat sb;
  if (stat(file, &sb) == 0 && (size_t)sb.st_size == n) {
    decc_free(shard);
    decc_free(file);
    return DECC_OK; /* content-addressed: already there */
  }
  size_t tl = strlen(shard) + 24;
  char *tmp = decc_malloc(tl);
  if (!tmp) {
    decc_free(shard);
    decc_free(file);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  snprintf(tmp, tl, "%s/.tmp-XXXXXX", shard);
  int fd = mkstemp(tmp);
  /* A new shard: one mkdir (blocks/ exists but for a store's first
   * block), not a walk of the whole path (two calls per component). */
  if (fd < 0 && errno == ENOENT &&
      (mkdir(shard, 0755) == 0 || errno == EEXIST ||
       (errno == ENOENT && decc__mkdir_p(shard, 0755) == 0))) {
    snprintf(tmp, tl, "%s/.tmp-XXXXXX", shard); /* mkstemp altered it */
    fd = mkstemp(tmp);
  }
  if (fd < 0) {
    st = decc_err_set(err, DECC_E_IO, "store: %s: %s", shard, strerror(errno));
  } else {
    st = write_all(fd, block, n);
    /* Start the writeback now, without waiting: the disk works while the
     * next blocks are hashed, and the one sync that makes the add durable
     * (decc__pin_record / decc_blockstore_sync) finds little left to do.
     * A hint only: its failure changes nothing. */
    if (!st)
      (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (fchmod(fd, 0444) != 0 && !st)
      st = DECC_E_IO;
    if (close(fd) != 0 && !st)
      st = DECC_E_IO;
    if (!st && rename(tmp, file) != 0)
      st = DECC_E_IO;
    if (st) {
      int e = errno;
      unlink(tmp);
      st = decc_err_set(err, DECC_E_IO, "store: writing %s: %s", file,
                        strerror(e));
    }
  }
  decc_free(tmp);
  decc_free(shard);
  decc_free(file);
  return st;
}

decc_status decc_blockstore_put(decc_blockstore *bs, const decc_cid *cid,
                                const uint8_t *block, size_t n, decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(block != NULL || n == 0);
  if (n > DECC_STORE_MAX_BLOCK)
    return decc_err_set(err, DECC_E_LIMIT, "block of %zu bytes exceeds %u", n,
                        DECC_STORE_MAX_BLOCK);
  decc_status st = decc__verify_block(cid, block, n, err);
  return st ? st : decc_blockstore_put_trusted(bs, cid, block, n, err);
}

static decc_status get_impl(decc_blockstore *bs, const decc_cid *cid,
                            uint8_t **block, size_t *n, int verify,
                            decc_err *err) {
  *block = NULL;
  *n = 0;
  /* the CID's binary form is its validity check (the text is formatted
   * only for an error, blk_fail) */
  uint8_t bin[DECC_CID_BIN_MAX];
  size_t binlen;
  if (decc_cid_encode(bin, sizeof bin, &binlen, cid))
    return decc_err_set(err, DECC_E_INVALID, "block: invalid CID");
  char *shard, *file;
  decc_status st = block_paths(bs, cid, &shard, &file);
  if (st)
    return blk_fail(err, cid, decc_err_set(err, st, "bad CID"));
  decc_free(shard);
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  decc_free(file);
  if (fd < 0)
    return blk_fail(err, cid,
                    errno == ENOENT
                        ? decc_err_set(err, DECC_E_NOT_FOUND, "not found")
                        : decc_err_set(err, DECC_E_IO, "%s", strerror(errno)));
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    close(fd);
    return blk_fail(err, cid,
                    decc_err_set(err, DECC_E_IO, "%s", strerror(errno)));
  }
  if (sb.st_size > (off_t)DECC_STORE_MAX_BLOCK) {
    close(fd);
    return blk_fail(err, cid, decc_err_set(err, DECC_E_LIMIT, "too large"));
  }
  size_t len = (size_t)sb.st_size;
  uint8_t *buf = decc_malloc(len ? len : 1);
  if (!buf) {
    close(fd);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t off = 0;
  while (off < len) {
    ssize_t r = read(fd, buf + off, len - off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    off += (size_t)r;
  }
  close(fd);
  if (off != len) {
    decc_free(buf);
    return blk_fail(err, cid, decc_err_set(err, DECC_E_IO, "short read"));
  }
  st = verify ? decc__verify_block(cid, buf, len, err) : DECC_OK;
  if (st) {
    decc_free(buf);
    return st;
  }
  *block = buf;
  *n = len;
  return DECC_OK;
}

decc_status decc_blockstore_get(void *bs, const decc_cid *cid, uint8_t **block,
                                size_t *n, decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(cid != NULL);
  DECC_ARG_CHECK(block != NULL);
  DECC_ARG_CHECK(n != NULL);
  return get_impl(bs, cid, block, n, 1, err);
}

decc_status decc__blockstore_get_unverified(void *bs, const decc_cid *cid,
                                            uint8_t **block, size_t *n,
                                            decc_err *err) {
  return get_impl(bs, cid, block, n, 0, err);
}

int decc_blockstore_has(decc_blockstore *bs, const decc_cid *cid) {
  DECC_ARG_CHECK_RET(bs != NULL, 0);
  DECC_ARG_CHECK_RET(cid != NULL, 0);
  char *shard, *file;
  if (block_paths(bs, cid, &shard, &file))
    return 0;
  struct stat sb;
  int ok = stat(file, &sb) == 0;
  decc_free(shard);
  decc_free(file);
  return ok;
}

decc_status decc_blockstore_sync(decc_blockstore *bs, decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  if (syncfs(bs->lock_fd) != 0)
    return decc_err_set(err, DECC_E_IO, "store %s: sync: %s", bs->dir,
                        strerror(errno));
  return DECC_OK;
}

/* ---- DAG walking --------------------------------------------------------- */

/* A set of block keys (open addressing, strings owned by the set). */
typedef struct keyset {
  char **slots;
  size_t cap, n;
} keyset;

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  while (*s)
    h = (h ^ (uint8_t)*s++) * 1099511628211ull;
  return h;
}

static void keyset_free(keyset *k) {
  for (size_t i = 0; i < k->cap; i++)
    decc_free(k->slots[i]);
  decc_free(k->slots);
  memset(k, 0, sizeof *k);
}

static int keyset_has(const keyset *k, const char *s) {
  if (!k->cap)
    return 0;
  for (size_t i = hash_str(s) & (k->cap - 1);; i = (i + 1) & (k->cap - 1)) {
    if (!k->slots[i])
      return 0;
    if (!strcmp(k->slots[i], s))
      return 1;
  }
}

/* Returns 1 if added, 0 if present, -1 on OOM. */
static int keyset_add(keyset *k, const char *s) {
  if (keyset_has(k, s))
    return 0;
  if ((k->n + 1) * 2 > k->cap) {
    size_t nc = k->cap ? k->cap * 2 : 256;
    char **ns = decc_calloc(nc, sizeof *ns);
    if (!ns)
      return -1;
    for (size_t i = 0; i < k->cap; i++)
      if (k->slots[i]) {
        size_t j = hash_str(k->slots[i]) & (nc - 1);
        while (ns[j])
          j = (j + 1) & (nc - 1);
        ns[j] = k->slots[i];
      }
    decc_free(k->slots);
    k->slots = ns;
    k->cap = nc;
  }
  char *d = decc_strdup(s);
  if (!d)
    return -1;
  size_t j = hash_str(s) & (k->cap - 1);
  while (k->slots[j])
    j = (j + 1) & (k->cap - 1);
  k->slots[j] = d;
  k->n++;
  return 1;
}

static decc_status walk(decc_blockstore *bs, const decc_cid *cid,
                        unsigned depth, keyset *seen, decc__visit_fn fn,
                        void *ud, decc_err *err) {
  char key[DECC_CID_STR_MAX];
  if (decc__store_key(key, sizeof key, cid))
    return decc_err_set(err, DECC_E_INVALID, "walk: bad CID");
  int added = keyset_add(seen, key);
  if (added < 0)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (added == 0)
    return DECC_OK;
  if (depth > DECC_STORE_MAX_DEPTH)
    return decc_err_set(err, DECC_E_LIMIT, "DAG deeper than %u levels",
                        DECC_STORE_MAX_DEPTH);
  uint8_t *block;
  size_t n;
  decc_status st = decc_blockstore_get(bs, cid, &block, &n, err);
  if (st)
    return st;
  if (fn && (st = fn(ud, cid, n, err)) != DECC_OK) {
    decc_free(block);
    return st;
  }
  if (cid->codec == DECC_CODEC_DAG_PB) {
    decc_dagpb_node node;
    st = decc_dagpb_decode(&node, block, n, 0, err);
    for (size_t i = 0; !st && i < node.nlinks; i++) {
      decc_cid child;
      st = decc_cid_decode(&child, NULL, node.links[i].hash,
                           node.links[i].hash_len, err);
      if (!st)
        st = walk(bs, &child, depth + 1, seen, fn, ud, err);
    }
    decc_dagpb_node_clear(&node);
    if (st == DECC_E_PARSE) {
      char cs[DECC_CID_STR_MAX];
      decc_cid_to_string(cs, sizeof cs, cid);
      decc_err_prefix(err, "block %s", cs);
      st = DECC_E_CORRUPT;
      if (err)
        err->code = st;
    }
  }
  decc_free(block);
  return st;
}

decc_status decc__dag_walk(decc_blockstore *bs, const decc_cid *root,
                           decc__visit_fn fn, void *ud, decc_err *err) {
  keyset seen = {0};
  decc_status st = walk(bs, root, 0, &seen, fn, ud, err);
  keyset_free(&seen);
  return st;
}

/* ---- pins ---------------------------------------------------------------- */

static char *pin_path(const decc_blockstore *bs, const decc_cid *cid) {
  char key[DECC_CID_STR_MAX];
  if (decc__store_key(key, sizeof key, cid))
    return NULL;
  size_t cap = strlen(bs->dir) + strlen(key) + 8;
  char *p = decc_malloc(cap);
  if (p)
    snprintf(p, cap, "%s/pins/%s", bs->dir, key);
  return p;
}

static void fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
}

decc_status decc_blockstore_pin(decc_blockstore *bs, const decc_cid *cid,
                                decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(cid != NULL);
  /* The whole DAG must be present and intact before it is promised. */
  decc_status st = decc__dag_walk(bs, cid, NULL, NULL, err);
  if (st)
    return decc_err_prefix(err, "pin");
  return decc__pin_record(bs, cid, err);
}

decc_status decc__pin_record(decc_blockstore *bs, const decc_cid *cid,
                             decc_err *err) {
  /* Blocks first, then the pin that refers to them. */
  decc_status st = decc_blockstore_sync(bs, err);
  if (st)
    return st;
  char text[DECC_CID_STR_MAX];
  if (decc_cid_to_string(text, sizeof text, cid))
    return decc_err_set(err, DECC_E_INVALID, "pin: invalid CID");
  char *path = pin_path(bs, cid);
  if (!path)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  size_t tl = strlen(path) + 16;
  char *tmp = decc_malloc(tl);
  if (!tmp) {
    decc_free(path);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  snprintf(tmp, tl, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    st = DECC_E_IO;
  } else {
    size_t tlen = strlen(text);
    text[tlen] = '\n';
    st = write_all(fd, (const uint8_t *)text, tlen + 1);
    text[tlen] = 0;
    if (!st && fsync(fd) != 0)
      st = DECC_E_IO;
    if (close(fd) != 0 && !st)
      st = DECC_E_IO;
    if (!st && rename(tmp, path) != 0)
      st = DECC_E_IO;
    if (st)
      unlink(tmp);
  }
  if (st) {
    st = decc_err_set(err, DECC_E_IO, "pin %s: %s", text, strerror(errno));
  } else {
    char *pins = decc__path_join(bs->dir, "pins");
    if (pins)
      fsync_dir(pins);
    decc_free(pins);
  }
  decc_free(tmp);
  decc_free(path);
  return st;
}

decc_status decc_blockstore_unpin(decc_blockstore *bs, const decc_cid *cid,
                                  decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(cid != NULL);
  char *path = pin_path(bs, cid);
  if (!path)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  char text[DECC_CID_STR_MAX] = "?";
  decc_cid_to_string(text, sizeof text, cid);
  decc_status st = DECC_OK;
  if (unlink(path) != 0)
    st = errno == ENOENT
             ? decc_err_set(err, DECC_E_NOT_FOUND, "unpin %s: not pinned", text)
             : decc_err_set(err, DECC_E_IO, "unpin %s: %s", text,
                            strerror(errno));
  else {
    char *pins = decc__path_join(bs->dir, "pins");
    if (pins)
      fsync_dir(pins);
    decc_free(pins);
  }
  decc_free(path);
  return st;
}

int decc_blockstore_is_pinned(decc_blockstore *bs, const decc_cid *cid) {
  DECC_ARG_CHECK_RET(bs != NULL, 0);
  DECC_ARG_CHECK_RET(cid != NULL, 0);
  char *path = pin_path(bs, cid);
  if (!path)
    return 0;
  int ok = access(path, F_OK) == 0;
  decc_free(path);
  return ok;
}

decc_status decc_blockstore_pins(decc_blockstore *bs, decc_cid_fn fn, void *ud,
                                 decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  DECC_ARG_CHECK(fn != NULL);
  char *pins = decc__path_join(bs->dir, "pins");
  if (!pins)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  DIR *d = opendir(pins);
  if (!d) {
    decc_status st =
        decc_err_set(err, DECC_E_IO, "%s: %s", pins, strerror(errno));
    decc_free(pins);
    return st;
  }
  decc_status st = DECC_OK;
  struct dirent *e;
  while (!st && (e = readdir(d))) {
    if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
      continue; /* ".", "..", leftover temporaries */
    char *p = decc__path_join(pins, e->d_name);
    if (!p) {
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      break;
    }
    char text[DECC_CID_STR_MAX + 2] = {0};
    FILE *f = fopen(p, "r");
    decc_free(p);
    if (!f)
      continue; /* removed meanwhile */
    int ok = fgets(text, sizeof text, f) != NULL;
    fclose(f);
    text[strcspn(text, "\r\n")] = 0;
    decc_cid cid;
    if (!ok || decc_cid_parse(&cid, text, NULL) != DECC_OK) {
      st = decc_err_set(err, DECC_E_CORRUPT, "pin file %s: not a CID",
                        e->d_name);
      break;
    }
    st = fn(ud, &cid, err);
  }
  closedir(d);
  decc_free(pins);
  return st;
}

/* ---- garbage collection -------------------------------------------------- */

typedef struct gc_ctx {
  decc_blockstore *bs;
  keyset live;
} gc_ctx;

static decc_status gc_mark(void *ud, const decc_cid *cid, decc_err *err) {
  gc_ctx *g = ud;
  keyset seen = {0};
  decc_status st = walk(g->bs, cid, 0, &seen, NULL, NULL, err);
  for (size_t i = 0; !st && i < seen.cap; i++)
    if (seen.slots[i] && keyset_add(&g->live, seen.slots[i]) < 0)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  keyset_free(&seen);
  return st;
}

decc_status decc_blockstore_gc(decc_blockstore *bs, uint64_t *removed_blocks,
                               uint64_t *removed_bytes, decc_err *err) {
  DECC_ARG_CHECK(bs != NULL);
  if (removed_blocks)
    *removed_blocks = 0;
  if (removed_bytes)
    *removed_bytes = 0;
  if (flock(bs->lock_fd, LOCK_EX | LOCK_NB) != 0)
    return decc_err_set(err, DECC_E_STATE,
                        "gc: the store is in use by another process");
  gc_ctx g = {.bs = bs};
  decc_status st = decc_blockstore_pins(bs, gc_mark, &g, err);
  if (st)
    decc_err_prefix(err, "gc (nothing deleted)");
  char *blocks = st ? NULL : decc__path_join(bs->dir, "blocks");
  if (!st && !blocks)
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  DIR *d = blocks ? opendir(blocks) : NULL;
  if (blocks && !d)
    st = decc_err_set(err, DECC_E_IO, "%s: %s", blocks, strerror(errno));
  struct dirent *e;
  while (d && !st && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char *sub = decc__path_join(blocks, e->d_name);
    DIR *sd = sub ? opendir(sub) : NULL;
    struct dirent *f;
    while (sd && (f = readdir(sd))) {
      const char *name = f->d_name;
      if (!strcmp(name, ".") || !strcmp(name, ".."))
        continue;
      char *fp = decc__path_join(sub, name);
      if (!fp)
        break;
      size_t nl = strlen(name);
      int is_block = nl > 5 && !strcmp(name + nl - 5, ".data");
      char key[DECC_CID_STR_MAX];
      int live = 0;
      if (is_block && nl - 5 < sizeof key) {
        memcpy(key, name, nl - 5);
        key[nl - 5] = 0;
        live = keyset_has(&g.live, key);
      }
      struct stat sb;
      /* Leftover temporaries of interrupted writes go too: nobody else has
       * the store open while gc holds the exclusive lock. */
      if (!live && stat(fp, &sb) == 0 && unlink(fp) == 0 && is_block) {
        if (removed_blocks)
          (*removed_blocks)++;
        if (removed_bytes)
          *removed_bytes += (uint64_t)sb.st_size;
      }
      decc_free(fp);
    }
    if (sd)
      closedir(sd);
    decc_free(sub);
  }
  if (d)
    closedir(d);
  decc_free(blocks);
  keyset_free(&g.live);
  if (flock(bs->lock_fd, LOCK_SH) != 0 && !st)
    st = decc_err_set(err, DECC_E_IO, "gc: lock: %s", strerror(errno));
  return st;
}

/* ---- background block writer ---------------------------------------------
 * An add hashes each chunk (the CPU part) and writes it as a block file
 * (the kernel part: a copy into the page cache and four metadata calls).
 * The writer moves the second part to a thread of its own so the two
 * overlap on two cores: the importer hands each block over (one copy into
 * a ring slot) and goes on hashing. Errors are sticky and reported by the
 * next put or by finish; finish waits until every block is written, so
 * the sync that follows covers them all. */

#define WSLOTS 4

struct decc__bs_writer {
  decc_blockstore *bs;
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  uint8_t *buf[WSLOTS];
  size_t cap[WSLOTS], len[WSLOTS];
  decc_cid cid[WSLOTS];
  int full[WSLOTS];
  int head, tail; /* next slot to fill / to write */
  int done;       /* no more blocks */
  decc_status failed;
  decc_err err;
};

static void *writer_main(void *arg) {
  decc__bs_writer *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->full[w->tail] && !w->done)
      pthread_cond_wait(&w->cv, &w->mu);
    if (!w->full[w->tail])
      break; /* done and drained */
    int i = w->tail;
    pthread_mutex_unlock(&w->mu);
    decc_err e;
    decc_err_clear(&e);
    decc_status st =
        w->failed ? DECC_OK
                  : decc_blockstore_put_trusted(w->bs, &w->cid[i], w->buf[i],
                                                w->len[i], &e);
    pthread_mutex_lock(&w->mu);
    if (st && !w->failed) {
      w->failed = st;
      w->err = e;
    }
    w->full[i] = 0;
    w->tail = (i + 1) % WSLOTS;
    pthread_cond_broadcast(&w->cv);
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

decc_status decc__bs_writer_start(decc__bs_writer **out, decc_blockstore *bs,
                                  decc_err *err) {
  *out = NULL;
  decc__bs_writer *w = decc_calloc(1, sizeof *w);
  if (!w)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  w->bs = bs;
  decc_err_clear(&w->err);
  if (pthread_mutex_init(&w->mu, NULL) != 0) {
    decc_free(w);
    return decc_err_set(err, DECC_E_NOMEM, "cannot create a mutex");
  }
  if (pthread_cond_init(&w->cv, NULL) != 0) {
    pthread_mutex_destroy(&w->mu);
    decc_free(w);
    return decc_err_set(err, DECC_E_NOMEM, "cannot create a condition");
  }
  if (pthread_create(&w->th, NULL, writer_main, w) != 0) {
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    decc_free(w);
    return decc_err_set(err, DECC_E_NOMEM, "cannot start a thread");
  }
  *out = w;
  return DECC_OK;
}

decc_status decc__bs_writer_put(void *ud, const decc_cid *cid,
                                const uint8_t *block, size_t n, decc_err *err) {
  decc__bs_writer *w = ud;
  if (n > DECC_STORE_MAX_BLOCK)
    return decc_err_set(err, DECC_E_LIMIT, "block of %zu bytes exceeds %u", n,
                        DECC_STORE_MAX_BLOCK);
  pthread_mutex_lock(&w->mu);
  while (w->full[w->head] && !w->failed)
    pthread_cond_wait(&w->cv, &w->mu);
  decc_status st = w->failed;
  if (st && err)
    *err = w->err;
  int i = w->head;
  pthread_mutex_unlock(&w->mu);
  if (st)
    return st;
  /* Slot i is ours until it is marked full. */
  if (w->cap[i] < n) {
    uint8_t *nb = decc_realloc(w->buf[i], n);
    if (!nb)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    w->buf[i] = nb;
    w->cap[i] = n;
  }
  if (n)
    memcpy(w->buf[i], block, n);
  w->len[i] = n;
  w->cid[i] = *cid;
  pthread_mutex_lock(&w->mu);
  w->full[i] = 1;
  w->head = (i + 1) % WSLOTS;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  return DECC_OK;
}

decc_status decc__bs_writer_finish(decc__bs_writer *w, decc_err *err) {
  if (!w)
    return DECC_OK;
  pthread_mutex_lock(&w->mu);
  w->done = 1;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->th, NULL);
  decc_status st = w->failed;
  if (st && err)
    *err = w->err;
  pthread_cond_destroy(&w->cv);
  pthread_mutex_destroy(&w->mu);
  for (int i = 0; i < WSLOTS; i++)
    decc_free(w->buf[i]);
  decc_free(w);
  return st;
}
