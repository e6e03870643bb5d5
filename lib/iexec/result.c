/*
 * result.c — the encrypted result archive of an iExec TEE task
 * (iexec-protocol.md §5.7 for what the post-compute builds, §6 for how the
 * SDK's decryptResult opens it).
 *
 * Encryption feeds the plain iexec_out.zip through a dataset stream
 * (IV ‖ AES-256-CBC) from inside a libzip source callback, so the payload
 * is encrypted while libzip writes the archive and is never held whole.
 * Decryption reads the payload entry through zip_fopen in 256 KiB chunks and
 * decrypts as it goes. The SDK's two historical formats are both accepted:
 * raw RSA + AES-256-CBC (current) and base64 RSA + base64 AES-128-ECB
 * (legacy); base64 is decoded the lenient way Node.js does, because that
 * is what the SDK accepts.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/dataset.h"
#include "decc/mem.h"
#include "decc/result.h"
#include "iexec/iexec_int.h"

enum {
  CHUNK = 1 << 18,       /* payload read size (256 KiB, as dataset.c) */
  ENC_IN_CHUNK = 1 << 18 /* plaintext fed per refill when encrypting */
};

/* ---- output sinks -------------------------------------------------------- */

typedef struct out_sink {
  int fd;        /* >= 0: write here */
  decc_buf *buf; /* else append here */
  int err_no;
  uint64_t n;
} out_sink;

static decc_status out_sink_fn(const uint8_t *data, size_t len, void *user) {
  out_sink *o = user;
  decc_status st;
  if (o->fd >= 0) {
    st = decc__write_all(o->fd, data, len);
    if (st)
      o->err_no = errno;
  } else {
    st = decc_buf_append(o->buf, data, len);
  }
  if (st == DECC_OK)
    o->n += len;
  return st;
}

/* ---- encryption: a libzip source that encrypts on the fly --------------- */

typedef struct enc_src {
  int fd;             /* plaintext from this fd, or */
  const uint8_t *mem; /* from memory */
  size_t mem_len, mem_pos;
  const decc_dataset_key *key;
  decc_dataset_stream *s;
  decc_buf pend; /* ciphertext produced, not yet taken by libzip */
  size_t pend_pos;
  uint8_t *inbuf; /* ENC_IN_CHUNK bytes of plaintext (wiped) */
  size_t inbuf_hw;
  uint64_t total; /* announced encrypted size */
  uint64_t produced;
  int done;
  zip_error_t zerr;
  decc_err err; /* first failure, for the caller's message */
} enc_src;

static decc_status pend_sink(const uint8_t *data, size_t len, void *user) {
  return decc_buf_append(&((enc_src *)user)->pend, data, len);
}

static int enc_fail(enc_src *e, int zip_code) {
  zip_error_set(&e->zerr, zip_code, 0);
  return -1;
}

/* Produces more ciphertext into e->pend. Returns 0 or -1. */
static int enc_refill(enc_src *e) {
  size_t r;
  if (e->fd >= 0) {
    ssize_t got;
    do
      got = read(e->fd, e->inbuf, ENC_IN_CHUNK);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
      decc_err_set(&e->err, DECC_E_IO, "read error: %s", strerror(errno));
      return enc_fail(e, ZIP_ER_READ);
    }
    r = (size_t)got;
    if (r > e->inbuf_hw)
      e->inbuf_hw = r;
    if (r && decc_dataset_stream_update(e->s, e->inbuf, r, &e->err))
      return enc_fail(e, ZIP_ER_INTERNAL);
  } else {
    r = e->mem_len - e->mem_pos;
    if (r > ENC_IN_CHUNK)
      r = ENC_IN_CHUNK;
    if (r && decc_dataset_stream_update(e->s, e->mem + e->mem_pos, r, &e->err))
      return enc_fail(e, ZIP_ER_INTERNAL);
    e->mem_pos += r;
  }
  if (r == 0) {
    if (decc_dataset_stream_final(e->s, NULL, &e->err))
      return enc_fail(e, ZIP_ER_INTERNAL);
    e->done = 1;
  }
  return 0;
}

static zip_int64_t enc_cb(void *ud, void *data, zip_uint64_t len,
                          zip_source_cmd_t cmd) {
  enc_src *e = ud;
  switch (cmd) {
  case ZIP_SOURCE_OPEN:
    /* libzip may open a source more than once: always start over. */
    decc_dataset_stream_destroy(e->s);
    e->s = NULL;
    decc_buf_reset(&e->pend);
    e->pend_pos = 0;
    e->produced = 0;
    e->done = 0;
    e->mem_pos = 0;
    if (e->fd >= 0 && lseek(e->fd, 0, SEEK_SET) != 0) {
      decc_err_set(&e->err, DECC_E_IO, "input is not seekable");
      return enc_fail(e, ZIP_ER_SEEK);
    }
    if (decc_dataset_stream_create(
            &e->s, DECC_DATASET_ENCRYPT | DECC_DATASET_NO_CHECKSUM, e->key,
            NULL, pend_sink, e, &e->err))
      return enc_fail(e, ZIP_ER_MEMORY);
    return 0;
  case ZIP_SOURCE_READ: {
    if (!e->s)
      return enc_fail(e, ZIP_ER_INTERNAL);
    while (e->pend_pos == e->pend.len && !e->done) {
      decc_buf_reset(&e->pend);
      e->pend_pos = 0;
      if (enc_refill(e) != 0)
        return -1;
    }
    size_t avail = e->pend.len - e->pend_pos;
    size_t n = avail < len ? avail : (size_t)len;
    if (n)
      memcpy(data, e->pend.data + e->pend_pos, n);
    e->pend_pos += n;
    e->produced += n;
    if (e->produced > e->total ||
        (n == 0 && e->done && e->produced != e->total)) {
      decc_err_set(&e->err, DECC_E_IO,
                   "input changed size while it was being encrypted");
      return enc_fail(e, ZIP_ER_INCONS);
    }
    return (zip_int64_t)n;
  }
  case ZIP_SOURCE_CLOSE:
    decc_dataset_stream_destroy(e->s);
    e->s = NULL;
    return 0;
  case ZIP_SOURCE_STAT: {
    zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &e->zerr);
    if (!st)
      return -1;
    st->valid |= ZIP_STAT_SIZE;
    st->size = e->total;
    return sizeof(*st);
  }
  case ZIP_SOURCE_ERROR:
    return zip_error_to_data(&e->zerr, data, len);
  case ZIP_SOURCE_FREE:
    return 0; /* the caller owns e */
  case ZIP_SOURCE_SUPPORTS:
    return zip_source_make_command_bitmap(
        ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
        ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
  default:
    return enc_fail(e, ZIP_ER_OPNOTSUPP);
  }
}

static void enc_src_clear(enc_src *e) {
  decc_dataset_stream_destroy(e->s);
  e->s = NULL;
  decc_buf_clear(&e->pend);
  if (e->inbuf) {
    decc_memzero(e->inbuf, e->inbuf_hw);
    decc_free(e->inbuf);
    e->inbuf = NULL;
  }
  zip_error_fini(&e->zerr);
}

/* Adds the two entries to za. On failure za must be discarded. */
static decc_status add_entries(zip_t *za, enc_src *e, const uint8_t *rsa,
                               size_t rsa_len, decc_err *err) {
  zip_source_t *ks = zip_source_buffer(za, rsa, rsa_len, 0);
  if (!ks)
    return decc_err_set(err, DECC_E_NOMEM, "zip: out of memory");
  zip_int64_t ki =
      zip_file_add(za, DECC_RESULT_KEY_ENTRY, ks, ZIP_FL_ENC_UTF_8);
  if (ki < 0) {
    zip_source_free(ks);
    return decc_err_set(err, DECC_E_INTERNAL, "zip: %s", zip_strerror(za));
  }
  zip_source_t *ps = zip_source_function(za, enc_cb, e);
  if (!ps)
    return decc_err_set(err, DECC_E_NOMEM, "zip: out of memory");
  zip_int64_t pi =
      zip_file_add(za, DECC_RESULT_PAYLOAD_ENTRY, ps, ZIP_FL_ENC_UTF_8);
  if (pi < 0) {
    zip_source_free(ps);
    return decc_err_set(err, DECC_E_INTERNAL, "zip: %s", zip_strerror(za));
  }
  /* Stored: ciphertext does not compress, and deflating 1 GB would only
   * cost time. Readers (JSZip in the SDK, libzip) accept either. */
  if (zip_set_file_compression(za, (zip_uint64_t)ki, ZIP_CM_STORE, 0) != 0 ||
      zip_set_file_compression(za, (zip_uint64_t)pi, ZIP_CM_STORE, 0) != 0 ||
      zip_file_set_external_attributes(za, (zip_uint64_t)ki, 0, ZIP_OPSYS_UNIX,
                                       0100644u << 16) != 0 ||
      zip_file_set_external_attributes(za, (zip_uint64_t)pi, 0, ZIP_OPSYS_UNIX,
                                       0100644u << 16) != 0)
    return decc_err_set(err, DECC_E_INTERNAL, "zip: %s", zip_strerror(za));
  return DECC_OK;
}

/* Generates the AES key and its RSA envelope. */
static decc_status make_key(decc_dataset_key **key, uint8_t *rsa,
                            size_t rsa_cap, size_t *rsa_len,
                            const decc_rsa_key *pub, decc_err *err) {
  decc_status st = decc_dataset_key_generate(key, err);
  if (st)
    return st;
  /* SPEC: iexec-protocol §5.7.2 — the raw 32-byte key, PKCS#1 v1.5. */
  st = decc_rsa_encrypt_pkcs1(rsa, rsa_cap, rsa_len, pub,
                              decc_dataset_key_bytes(*key),
                              DECC_DATASET_KEY_BYTES, err);
  if (st) {
    decc_dataset_key_destroy(*key);
    *key = NULL;
  }
  return st;
}

static decc_status enc_setup(enc_src *e, uint64_t plain_len, decc_err *err) {
  e->total = decc_dataset_encrypted_size(plain_len);
  if (e->total > DECC_RESULT_MAX_PAYLOAD)
    return decc_err_set(err, DECC_E_LIMIT,
                        "result too large: %llu bytes once encrypted, the "
                        "SDK accepts at most %llu",
                        (unsigned long long)e->total,
                        (unsigned long long)DECC_RESULT_MAX_PAYLOAD);
  decc_buf_init(&e->pend, 0);
  zip_error_init(&e->zerr);
  if (e->fd >= 0) {
    e->inbuf = decc_malloc(ENC_IN_CHUNK);
    if (!e->inbuf)
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  return DECC_OK;
}

/* Picks the most useful message after zip_close failed. */
static decc_status close_error(enc_src *e, zip_t *za, decc_err *err) {
  if (e->err.code != DECC_OK) {
    if (err)
      *err = e->err;
    return e->err.code;
  }
  return decc_err_set(err, DECC_E_IO, "cannot write the archive: %s",
                      zip_strerror(za));
}

decc_status decc_result_encrypt_file(const char *out_path,
                                     const decc_rsa_key *pub,
                                     const char *zip_path, decc_err *err) {
  DECC_ARG_CHECK(out_path != NULL);
  DECC_ARG_CHECK(pub != NULL);
  DECC_ARG_CHECK(zip_path != NULL);
  enc_src e;
  memset(&e, 0, sizeof e);
  e.fd = open(zip_path, O_RDONLY | O_CLOEXEC);
  if (e.fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", zip_path, strerror(errno));
  struct stat sb;
  if (fstat(e.fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    close(e.fd);
    return decc_err_set(err, DECC_E_IO, "%s: not a regular file", zip_path);
  }
  decc_status st = enc_setup(&e, (uint64_t)sb.st_size, err);
  decc_dataset_key *key = NULL;
  uint8_t rsa[2048];
  size_t rsa_len = 0;
  if (st == DECC_OK)
    st = make_key(&key, rsa, sizeof rsa, &rsa_len, pub, err);
  e.key = key;
  /* libzip writes its own temporary file and renames it over the path it
   * was given; that path is our own temporary name, so the final name
   * appears only after an fsync, as for every other output. */
  decc__atomic_file af = {.fd = -1};
  if (st == DECC_OK)
    st = decc__atomic_open(&af, out_path, decc__default_file_mode(), err);
  zip_t *za = NULL;
  if (st == DECC_OK) {
    close(af.fd);
    af.fd = -1;
    int zerr = 0;
    za = zip_open(af.tmp, ZIP_TRUNCATE, &zerr);
    if (!za)
      st = decc_err_set(err, DECC_E_IO,
                        "%s: cannot create the archive (libzip "
                        "error %d)",
                        out_path, zerr);
  }
  if (st == DECC_OK)
    st = add_entries(za, &e, rsa, rsa_len, err);
  if (st == DECC_OK) {
    if (zip_close(za) != 0) {
      st = close_error(&e, za, err);
      decc_err_prefix(err, "%s",
                      st == DECC_E_IO && e.err.code == DECC_OK ? out_path
                                                               : zip_path);
    } else {
      za = NULL;
      af.fd = open(af.tmp, O_RDWR | O_CLOEXEC);
      if (af.fd < 0)
        st = decc_err_set(err, DECC_E_IO, "%s: %s", out_path, strerror(errno));
      else
        st = decc__atomic_commit(&af, err);
    }
  }
  if (za)
    zip_discard(za);
  if (st)
    decc__atomic_abort(&af);
  decc_dataset_key_destroy(key);
  enc_src_clear(&e);
  close(e.fd);
  return st;
}

decc_status decc_result_encrypt(uint8_t **out, size_t *out_len,
                                const decc_rsa_key *pub, const void *zip,
                                size_t n, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(out_len != NULL);
  DECC_ARG_CHECK(pub != NULL);
  DECC_ARG_CHECK(zip != NULL || n == 0);
  *out = NULL;
  *out_len = 0;
  enc_src e;
  memset(&e, 0, sizeof e);
  e.fd = -1;
  e.mem = zip;
  e.mem_len = n;
  decc_status st = enc_setup(&e, (uint64_t)n, err);
  decc_dataset_key *key = NULL;
  uint8_t rsa[2048];
  size_t rsa_len = 0;
  if (st == DECC_OK)
    st = make_key(&key, rsa, sizeof rsa, &rsa_len, pub, err);
  e.key = key;
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *dst = NULL;
  zip_t *za = NULL;
  if (st == DECC_OK) {
    dst = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (dst)
      za = zip_open_from_source(dst, ZIP_TRUNCATE, &ze);
    if (!za) {
      if (dst)
        zip_source_free(dst);
      dst = NULL;
      st = decc_err_set(err, DECC_E_NOMEM, "zip: %s", zip_error_strerror(&ze));
    } else {
      zip_source_keep(dst); /* read the archive back after zip_close */
    }
  }
  if (st == DECC_OK)
    st = add_entries(za, &e, rsa, rsa_len, err);
  if (st == DECC_OK) {
    if (zip_close(za) != 0)
      st = close_error(&e, za, err);
    else
      za = NULL;
  }
  if (za)
    zip_discard(za);
  if (st == DECC_OK) {
    zip_stat_t zs;
    uint8_t *b = NULL;
    if (zip_source_stat(dst, &zs) != 0 || !(zs.valid & ZIP_STAT_SIZE) ||
        zip_source_open(dst) != 0) {
      st = decc_err_set(err, DECC_E_INTERNAL,
                        "zip: cannot read the archive back");
    } else {
      b = decc_malloc((size_t)zs.size + 1);
      if (!b)
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      else if (zip_source_read(dst, b, zs.size) != (zip_int64_t)zs.size)
        st = decc_err_set(err, DECC_E_INTERNAL,
                          "zip: short read of the archive");
      zip_source_close(dst);
    }
    if (st) {
      decc_free(b);
    } else {
      b[zs.size] = 0;
      *out = b;
      *out_len = (size_t)zs.size;
    }
  }
  if (dst)
    zip_source_free(dst);
  zip_error_fini(&ze);
  decc_dataset_key_destroy(key);
  enc_src_clear(&e);
  return st;
}

/* ---- decryption ---------------------------------------------------------- */

/* Finds `name` at the archive root; exactly one entry may carry it. */
static decc_status find_entry(zip_t *za, const char *name, zip_uint64_t *idx,
                              zip_stat_t *zs, uint64_t max, decc_err *err) {
  zip_int64_t n = zip_get_num_entries(za, 0);
  int found = 0;
  for (zip_int64_t i = 0; i < n; i++) {
    const char *nm = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
    if (nm && !strcmp(nm, name)) {
      if (found)
        return decc_err_set(err, DECC_E_INVALID,
                            "archive has more than one %s entry", name);
      found = 1;
      *idx = (zip_uint64_t)i;
    }
  }
  if (!found)
    return decc_err_set(err, DECC_E_NOT_FOUND,
                        "not an encrypted result: no %s entry in the archive",
                        name);
  if (zip_stat_index(za, *idx, 0, zs) != 0 || !(zs->valid & ZIP_STAT_SIZE))
    return decc_err_set(err, DECC_E_PARSE, "%s: cannot read its zip header",
                        name);
  if ((zs->valid & ZIP_STAT_ENCRYPTION_METHOD) &&
      zs->encryption_method != ZIP_EM_NONE)
    return decc_err_set(err, DECC_E_UNSUPPORTED,
                        "%s: password-protected zip entries are not supported",
                        name);
  if (zs->size > max)
    return decc_err_set(err, DECC_E_LIMIT,
                        "%s is too large (%llu bytes, "
                        "limit %llu)",
                        name, (unsigned long long)zs->size,
                        (unsigned long long)max);
  return DECC_OK;
}

/* Reads the small key entry whole (at most max bytes, checked on the
 * actual data, not only the header). */
static decc_status read_key_entry(zip_t *za, zip_uint64_t idx, uint8_t *buf,
                                  size_t max, size_t *len, decc_err *err) {
  zip_file_t *zf = zip_fopen_index(za, idx, 0);
  if (!zf)
    return decc_err_set(err, DECC_E_CORRUPT, "%s: %s", DECC_RESULT_KEY_ENTRY,
                        zip_strerror(za));
  size_t n = 0;
  decc_status st = DECC_OK;
  for (;;) {
    zip_int64_t r = zip_fread(zf, buf + n, max + 1 - n);
    if (r < 0) {
      st = decc_err_set(err, DECC_E_CORRUPT, "%s: %s", DECC_RESULT_KEY_ENTRY,
                        zip_file_strerror(zf));
      break;
    }
    if (r == 0)
      break;
    n += (size_t)r;
    if (n > max) {
      st = decc_err_set(err, DECC_E_LIMIT, "%s is too large (over %zu bytes)",
                        DECC_RESULT_KEY_ENTRY, max);
      break;
    }
  }
  zip_fclose(zf);
  *len = n;
  return st;
}

/* Recovers the AES key from aes-key.rsa, raw first then legacy base64.
 * Out: key (secret), *klen, *legacy. */
static decc_status unwrap_key(uint8_t *key, size_t cap, size_t *klen,
                              int *legacy, const decc_rsa_key *priv,
                              const uint8_t *ent, size_t n, decc_err *err) {
  decc_err e1;
  decc_err_clear(&e1);
  *legacy = 0;
  /* SPEC: iexec-protocol §6 — raw PKCS#1 v1.5 ciphertext (current). */
  decc_status st = decc_rsa_decrypt_pkcs1(key, cap, klen, priv, ent, n, &e1);
  if (st == DECC_OK)
    return DECC_OK;
  if (st != DECC_E_BAD_MAC)
    return decc_err_set(err, st, "%s", e1.msg);
  /* Legacy: base64 text of the ciphertext, whose plaintext is the base64
   * AES key. Both decoded leniently, as Node's Buffer.from(s, 'base64'). */
  uint8_t ct[DECC_RESULT_MAX_KEY_ENTRY];
  decc__b64_lenient d;
  decc__b64_lenient_init(&d);
  size_t cn = decc__b64_lenient_update(&d, ct, (const char *)ent, n);
  cn += decc__b64_lenient_final(&d, ct + cn);
  uint8_t *b64key = decc_secure_alloc(2048);
  if (!b64key)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  size_t bn = 0;
  st = decc_rsa_decrypt_pkcs1(b64key, 2048, &bn, priv, ct, cn, &e1);
  if (st == DECC_OK) {
    if (bn / 4 * 3 + 3 > cap) {
      st = decc_err_set(err, DECC_E_CORRUPT, "legacy result key too long");
    } else {
      decc__b64_lenient_init(&d);
      size_t kn = decc__b64_lenient_update(&d, key, (const char *)b64key, bn);
      kn += decc__b64_lenient_final(&d, key + kn);
      *klen = kn;
      *legacy = 1;
    }
  } else {
    st = decc_err_set(err, DECC_E_BAD_MAC,
                      "cannot decrypt %s with this private key (wrong key, "
                      "or the entry is corrupted)",
                      DECC_RESULT_KEY_ENTRY);
  }
  decc_secure_free(b64key);
  return st;
}

/* Payload decryption, one of two ciphers. */
typedef struct payload_dec {
  int cbc;
  decc_dataset_stream *s; /* AES-256-CBC */
  EVP_CIPHER_CTX *ecb;    /* legacy AES-128-ECB */
  decc__b64_lenient b64;
  uint8_t *tmp; /* decoded base64 / ECB output */
  size_t tmp_hw;
  uint64_t ecb_in; /* ciphertext bytes after base64 */
  out_sink *sink;
} payload_dec;

static decc_status ecb_feed(payload_dec *p, const uint8_t *ct, size_t n,
                            decc_err *err) {
  uint8_t *o = p->tmp + CHUNK; /* second half of tmp: output */
  int ol = 0;
  if (EVP_DecryptUpdate(p->ecb, o, &ol, ct, (int)n) != 1)
    return decc_err_set(err, DECC_E_CRYPTO, "AES-128-ECB failure");
  p->ecb_in += n;
  if ((size_t)ol + CHUNK > p->tmp_hw)
    p->tmp_hw = (size_t)ol + CHUNK;
  decc_status st = out_sink_fn(o, (size_t)ol, p->sink);
  if (st)
    return decc_err_set(err, st, "write error: %s",
                        p->sink->err_no ? strerror(p->sink->err_no)
                                        : decc_strerror(st));
  return DECC_OK;
}

static decc_status payload_update(payload_dec *p, const uint8_t *in, size_t n,
                                  decc_err *err) {
  if (p->cbc)
    return decc_dataset_stream_update(p->s, in, n, err);
  /* base64 text → ciphertext (at most 3/4 of n + 3 bytes) */
  size_t done = 0;
  while (done < n) {
    size_t take = n - done > CHUNK ? CHUNK : n - done;
    size_t cn = decc__b64_lenient_update(&p->b64, p->tmp,
                                         (const char *)in + done, take);
    if (cn > p->tmp_hw)
      p->tmp_hw = cn;
    decc_status st = ecb_feed(p, p->tmp, cn, err);
    if (st)
      return st;
    done += take;
  }
  return DECC_OK;
}

static decc_status payload_final(payload_dec *p, decc_err *err) {
  if (p->cbc)
    return decc_dataset_stream_final(p->s, NULL, err);
  uint8_t tail[4];
  size_t tn = decc__b64_lenient_final(&p->b64, tail);
  decc_status st = tn ? ecb_feed(p, tail, tn, err) : DECC_OK;
  if (st)
    return st;
  if (p->ecb_in == 0 || p->ecb_in % 16 != 0)
    return decc_err_set(err, DECC_E_CORRUPT,
                        "legacy result payload is truncated (%llu bytes after "
                        "base64, not a non-zero multiple of 16)",
                        (unsigned long long)p->ecb_in);
  uint8_t *o = p->tmp + CHUNK;
  int ol = 0;
  if (EVP_DecryptFinal_ex(p->ecb, o, &ol) != 1)
    return decc_err_set(err, DECC_E_BAD_MAC,
                        "decryption failed (bad padding): wrong key or "
                        "tampered data");
  st = out_sink_fn(o, (size_t)ol, p->sink);
  if (st)
    return decc_err_set(err, st, "write error: %s",
                        p->sink->err_no ? strerror(p->sink->err_no)
                                        : decc_strerror(st));
  return DECC_OK;
}

static decc_status sink_adapter(const uint8_t *data, size_t len, void *user) {
  return out_sink_fn(data, len, user);
}

static decc_status decrypt_archive(zip_t *za, out_sink *sink,
                                   decc_result_info *info,
                                   const decc_rsa_key *priv, decc_err *err) {
  if (!decc_rsa_key_is_private(priv))
    return decc_err_set(err, DECC_E_INVALID,
                        "result decryption needs the private key");
  zip_uint64_t ki, pi;
  zip_stat_t ks, ps;
  decc_status st = find_entry(za, DECC_RESULT_KEY_ENTRY, &ki, &ks,
                              DECC_RESULT_MAX_KEY_ENTRY, err);
  if (st)
    return st;
  st = find_entry(za, DECC_RESULT_PAYLOAD_ENTRY, &pi, &ps,
                  DECC_RESULT_MAX_PAYLOAD, err);
  if (st)
    return st;
  uint8_t ent[DECC_RESULT_MAX_KEY_ENTRY + 1];
  size_t en = 0;
  st = read_key_entry(za, ki, ent, DECC_RESULT_MAX_KEY_ENTRY, &en, err);
  if (st)
    return st;
  uint8_t *aes = decc_secure_alloc(2048);
  if (!aes)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  size_t an = 0;
  int legacy = 0;
  st = unwrap_key(aes, 2048, &an, &legacy, priv, ent, en, err);
  payload_dec p;
  memset(&p, 0, sizeof p);
  p.sink = sink;
  decc_dataset_key *dk = NULL;
  if (st == DECC_OK) {
    /* SPEC: iexec-protocol §6 — the key length selects the cipher. */
    if (an == 32) {
      p.cbc = 1;
      st = decc_dataset_key_from_bytes(&dk, aes, err);
      if (st == DECC_OK)
        st = decc_dataset_stream_create(&p.s, DECC_DATASET_NO_CHECKSUM, dk,
                                        NULL, sink_adapter, sink, err);
    } else if (an == 16) {
      p.tmp = decc_malloc(2 * CHUNK + 32);
      p.ecb = EVP_CIPHER_CTX_new();
      if (!p.tmp || !p.ecb)
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
      else if (EVP_DecryptInit_ex2(p.ecb, EVP_aes_128_ecb(), aes, NULL, NULL) !=
               1)
        st = decc_err_set(err, DECC_E_CRYPTO, "cannot start AES-128-ECB");
      decc__b64_lenient_init(&p.b64);
    } else {
      st = decc_err_set(err, DECC_E_CORRUPT,
                        "unexpected result key length %zu bytes (expected 32, "
                        "or 16 for the legacy format)",
                        an);
    }
  }
  decc_secure_free(aes);
  decc_dataset_key_destroy(dk);
  zip_file_t *zf = NULL;
  uint8_t *buf = NULL;
  uint64_t total = 0;
  if (st == DECC_OK) {
    zf = zip_fopen_index(za, pi, 0);
    buf = decc_malloc(CHUNK);
    if (!zf)
      st = decc_err_set(err, DECC_E_CORRUPT, "%s: %s",
                        DECC_RESULT_PAYLOAD_ENTRY, zip_strerror(za));
    else if (!buf)
      st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  while (st == DECC_OK) {
    zip_int64_t r = zip_fread(zf, buf, CHUNK);
    if (r < 0) {
      st = decc_err_set(err, DECC_E_CORRUPT, "%s: %s",
                        DECC_RESULT_PAYLOAD_ENTRY, zip_file_strerror(zf));
      break;
    }
    if (r == 0)
      break;
    total += (uint64_t)r;
    /* The header's size was checked; the data must agree with it. */
    if (total > ps.size) {
      st = decc_err_set(err, DECC_E_CORRUPT,
                        "%s holds more data than its header declares",
                        DECC_RESULT_PAYLOAD_ENTRY);
      break;
    }
    st = payload_update(&p, buf, (size_t)r, err);
  }
  if (st == DECC_OK && total != ps.size)
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "%s is truncated (%llu of %llu "
                      "bytes)",
                      DECC_RESULT_PAYLOAD_ENTRY, (unsigned long long)total,
                      (unsigned long long)ps.size);
  if (st == DECC_OK)
    st = payload_final(&p, err);
  if (zf)
    zip_fclose(zf);
  decc_free(buf);
  decc_dataset_stream_destroy(p.s);
  EVP_CIPHER_CTX_free(p.ecb);
  if (p.tmp) {
    decc_memzero(p.tmp, p.tmp_hw);
    decc_free(p.tmp);
  }
  if (st == DECC_OK && info) {
    info->legacy_key_b64 = legacy;
    info->aes_bits = p.cbc ? 256 : 128;
    info->payload_size = total;
    info->output_size = sink->n;
  }
  return st;
}

static decc_status zip_open_error(int code, const char *what, decc_err *err) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, code);
  decc_status st =
      (code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_NOENT)
          ? DECC_E_IO
      : code == ZIP_ER_MEMORY ? DECC_E_NOMEM
                              : DECC_E_PARSE;
  decc_err_set(err, st, "%s: not a readable zip archive: %s", what,
               zip_error_strerror(&ze));
  zip_error_fini(&ze);
  return st;
}

decc_status decc_result_decrypt_file(const char *out_path,
                                     decc_result_info *info,
                                     const decc_rsa_key *priv,
                                     const char *archive_path, decc_err *err) {
  DECC_ARG_CHECK(out_path != NULL);
  DECC_ARG_CHECK(priv != NULL);
  DECC_ARG_CHECK(archive_path != NULL);
  int zerr = 0;
  zip_t *za = zip_open(archive_path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  if (!za)
    return zip_open_error(zerr, archive_path, err);
  decc__atomic_file af;
  decc_status st = decc__atomic_open(&af, out_path, 0600u, err);
  if (st) {
    zip_discard(za);
    return st;
  }
  out_sink sink = {af.fd, NULL, 0, 0};
  st = decrypt_archive(za, &sink, info, priv, err);
  zip_discard(za);
  if (st) {
    decc__atomic_abort(&af);
    if (sink.err_no)
      decc_err_prefix(err, "%s", out_path);
    else
      decc_err_prefix(err, "%s", archive_path);
    return st;
  }
  return decc__atomic_commit(&af, err);
}

decc_status decc_result_decrypt(uint8_t **out, size_t *out_len,
                                decc_result_info *info,
                                const decc_rsa_key *priv, const void *archive,
                                size_t n, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(out_len != NULL);
  DECC_ARG_CHECK(priv != NULL);
  DECC_ARG_CHECK(archive != NULL || n == 0);
  *out = NULL;
  *out_len = 0;
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(archive, n, 0, &ze);
  zip_t *za =
      src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
  if (!za) {
    int code = zip_error_code_zip(&ze);
    if (src)
      zip_source_free(src);
    zip_error_fini(&ze);
    return zip_open_error(code, "archive", err);
  }
  zip_error_fini(&ze);
  decc_buf b;
  decc_buf_init_secret(&b, (size_t)DECC_RESULT_MAX_PAYLOAD);
  out_sink sink = {-1, &b, 0, 0};
  decc_status st = decrypt_archive(za, &sink, info, priv, err);
  zip_discard(za); /* also frees src */
  if (st == DECC_OK && decc_buf_reserve(&b, 1) != DECC_OK)
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (st == DECC_OK)
    b.data[b.len] = 0;
  if (st) {
    decc_buf_clear(&b);
    return st;
  }
  size_t len = b.len;
  uint8_t *data = decc_buf_steal(&b, NULL);
  if (!data)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  *out = data;
  *out_len = len;
  return DECC_OK;
}
