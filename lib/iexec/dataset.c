/*
 * dataset.c — iExec dataset encryption (IV ‖ AES-256-CBC-PKCS#7) and its
 * SHA-256 checksum, streamed in constant memory (iexec-protocol.md §3.2).
 *
 * One stream drives OpenSSL's CBC cipher over fixed 256 KiB output
 * buffers (measured on the project VM: 256 KiB writes cost the kernel a
 * third of what 1 MiB writes do, and keep the data in L2 between the cipher
 * and write()). AES-CBC encryption is inherently serial and about as slow
 * as SHA-256 on this class of CPU, so computing the checksum on the same
 * thread would cost ~40% of the throughput: once a stream has produced
 * more than one buffer it starts a hashing thread, and each filled buffer
 * is handed to the sink (on the caller's thread) and to the hasher at the
 * same time. Eight buffers rotate; a buffer is reused only after the
 * hasher released it, which bounds memory at 2 MiB whatever the input
 * size. Decryption hashes its input the same way, through a second ring of
 * copies (the caller's input buffer is not ours to keep).
 *
 * Also here: the atomic-output helpers shared with result.c (temporary file
 * in the destination directory, fsync, rename).
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/buf.h"
#include "decc/dataset.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/mem.h"
#include "iexec/iexec_int.h"

enum {
  CHUNK = 1 << 18, /* flush threshold of an output buffer (256 KiB) */
  SLACK = 64,      /* room for the block a cipher call may add */
  NBUF = 8,        /* rotating output buffers */
};

/* ---- keys ---------------------------------------------------------------- */

struct decc_dataset_key {
  uint8_t k[DECC_DATASET_KEY_BYTES];
};

static decc_status key_alloc(decc_dataset_key **out, decc_err *err) {
  *out = decc_secure_alloc(sizeof(decc_dataset_key));
  if (!*out)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory (secure memory)");
  return DECC_OK;
}

decc_status decc_dataset_key_generate(decc_dataset_key **out, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  decc_dataset_key *k;
  *out = NULL;
  decc_status st = key_alloc(&k, err);
  if (st)
    return st;
  st = decc_random_bytes(k->k, sizeof k->k);
  if (st) {
    decc_secure_free(k);
    return decc_err_set(err, st, "dataset key: no randomness available");
  }
  *out = k;
  return DECC_OK;
}

decc_status decc_dataset_key_from_bytes(decc_dataset_key **out,
                                        const uint8_t key32[32],
                                        decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(key32 != NULL);
  decc_dataset_key *k;
  *out = NULL;
  decc_status st = key_alloc(&k, err);
  if (st)
    return st;
  memcpy(k->k, key32, sizeof k->k);
  *out = k;
  return DECC_OK;
}

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

decc_status decc_dataset_key_parse(decc_dataset_key **out, const char *text,
                                   size_t len, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(text != NULL || len == 0);
  *out = NULL;
  while (len > 0 && is_space(text[0])) {
    text++;
    len--;
  }
  while (len > 0 && is_space(text[len - 1]))
    len--;
  if (len == 0)
    return decc_err_set(err, DECC_E_PARSE, "dataset key is empty");
  /* 88 characters decode to at most 66 bytes: anything longer cannot be a
   * 32-byte key, and the bound keeps the scratch buffer fixed. */
  if (len > 88)
    return decc_err_set(err, DECC_E_RANGE,
                        "dataset key must be the base64 of 32 bytes (44 "
                        "characters); got %zu characters",
                        len);
  uint8_t tmp[72];
  size_t n = 0;
  decc_status st = decc_base64_decode(tmp, sizeof tmp, &n, text, len);
  if (st) {
    decc_memzero(tmp, sizeof tmp);
    return decc_err_set(err, DECC_E_PARSE,
                        "dataset key is not valid base64 (standard alphabet)");
  }
  if (n != DECC_DATASET_KEY_BYTES) {
    decc_memzero(tmp, sizeof tmp);
    return decc_err_set(err, DECC_E_RANGE,
                        "dataset key must decode to 32 bytes, not %zu", n);
  }
  decc_dataset_key *k;
  st = key_alloc(&k, err);
  if (st == DECC_OK) {
    memcpy(k->k, tmp, sizeof k->k);
    *out = k;
  }
  decc_memzero(tmp, sizeof tmp);
  return st;
}

void decc_dataset_key_encode(char out45[45], const decc_dataset_key *key) {
  DECC_ARG_CHECK_VOID(out45 != NULL);
  DECC_ARG_CHECK_VOID(key != NULL);
  decc_base64_encode(out45, key->k, sizeof key->k);
}

const uint8_t *decc_dataset_key_bytes(const decc_dataset_key *key) {
  DECC_ARG_CHECK_RET(key != NULL, NULL);
  return key->k;
}

void decc_dataset_key_destroy(decc_dataset_key *key) {
  if (key)
    decc_secure_free(key); /* wipes */
}

/* ---- stream -------------------------------------------------------------- */

enum { B_FREE = 0, B_FILLED = 1 };

struct decc_dataset_stream {
  EVP_CIPHER_CTX *ctx;
  unsigned flags;
  int encrypt;
  int failed;   /* sticky: a cipher/sink error happened */
  int finished; /* final was called */
  uint8_t iv[DECC_DATASET_IV_BYTES];
  size_t iv_len; /* decryption: IV bytes collected so far */
  decc_dataset_sink_fn sink;
  void *user;
  int sha_on;
  decc_sha256_ctx sha;
  uint64_t nin, nout;
  uint8_t *mem; /* NBUF * (CHUNK + SLACK) output bytes */
  uint8_t *buf[NBUF];
  size_t len[NBUF];
  size_t hw[NBUF]; /* high-water mark, to wipe only what was used */
  int cur;
  /* Decryption hashes its input: a copy goes through this ring (NBUF *
   * CHUNK bytes, allocated on first use) so the hasher can work on it
   * after update() returned. Encryption hashes the output buffers. */
  uint8_t *hmem;
  int hmem_failed;
  uint8_t *hring[NBUF];
  size_t hlen[NBUF];
  int hcur;
  /* hashing thread: hashes hp[i]/hl[i] for i = hnext, hnext+1, … as they
   * become FILLED, and marks them FREE */
  int th_on;
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int state[NBUF];
  const uint8_t *hp[NBUF];
  size_t hl[NBUF];
  int hnext;
  int stop;
};

static void *hasher_main(void *arg) {
  decc_dataset_stream *s = arg;
  pthread_mutex_lock(&s->mu);
  for (;;) {
    while (s->state[s->hnext] != B_FILLED && !s->stop)
      pthread_cond_wait(&s->cv, &s->mu);
    if (s->state[s->hnext] != B_FILLED)
      break; /* stop requested and nothing left */
    int i = s->hnext;
    pthread_mutex_unlock(&s->mu);
    decc_sha256_update(&s->sha, s->hp[i], s->hl[i]);
    pthread_mutex_lock(&s->mu);
    s->state[i] = B_FREE;
    s->hnext = (i + 1) % NBUF;
    pthread_cond_broadcast(&s->cv);
  }
  pthread_mutex_unlock(&s->mu);
  return NULL;
}

static void hasher_stop(decc_dataset_stream *s) {
  if (!s->th_on)
    return;
  pthread_mutex_lock(&s->mu);
  s->stop = 1;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  pthread_join(s->th, NULL);
  pthread_cond_destroy(&s->cv);
  pthread_mutex_destroy(&s->mu);
  s->th_on = 0;
}

/* Starts the hashing thread; its first buffer will be `first`. Failure is
 * not fatal: the caller then hashes on its own thread. */
static void hasher_start(decc_dataset_stream *s, int first) {
  if (pthread_mutex_init(&s->mu, NULL) != 0)
    return;
  if (pthread_cond_init(&s->cv, NULL) != 0) {
    pthread_mutex_destroy(&s->mu);
    return;
  }
  s->hnext = first;
  s->stop = 0;
  for (int i = 0; i < NBUF; i++)
    s->state[i] = B_FREE;
  if (pthread_create(&s->th, NULL, hasher_main, s) != 0) {
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    return;
  }
  s->th_on = 1;
}

/* Hands buffer slot i (data p, n bytes) to the hasher, or hashes it here
 * when no thread runs. */
static void hash_submit(decc_dataset_stream *s, int i, const uint8_t *p,
                        size_t n) {
  if (!s->th_on) {
    decc_sha256_update(&s->sha, p, n);
    return;
  }
  pthread_mutex_lock(&s->mu);
  s->hp[i] = p;
  s->hl[i] = n;
  s->state[i] = B_FILLED;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
}

/* Waits until the hasher has released slot i. */
static void hash_wait_free(decc_dataset_stream *s, int i) {
  if (!s->th_on)
    return;
  pthread_mutex_lock(&s->mu);
  while (s->state[i] != B_FREE)
    pthread_cond_wait(&s->cv, &s->mu);
  pthread_mutex_unlock(&s->mu);
}

/* Decryption: queues input bytes for hashing (copied into the ring). The
 * ring is allocated once the input exceeds one buffer; until then, or if
 * that allocation fails, bytes are hashed right here. */
static void hash_input(decc_dataset_stream *s, const uint8_t *p, size_t n) {
  if (!s->hmem && !s->hmem_failed && s->nin + n > CHUNK) {
    s->hmem = decc_malloc((size_t)NBUF * CHUNK);
    if (s->hmem) {
      for (int i = 0; i < NBUF; i++)
        s->hring[i] = s->hmem + (size_t)i * CHUNK;
    } else {
      s->hmem_failed = 1;
    }
  }
  if (!s->hmem) {
    decc_sha256_update(&s->sha, p, n);
    return;
  }
  while (n > 0) {
    int h = s->hcur;
    size_t room = CHUNK - s->hlen[h];
    size_t k = n < room ? n : room;
    memcpy(s->hring[h] + s->hlen[h], p, k);
    s->hlen[h] += k;
    p += k;
    n -= k;
    if (s->hlen[h] == CHUNK) {
      if (!s->th_on)
        hasher_start(s, h);
      hash_submit(s, h, s->hring[h], CHUNK);
      s->hcur = (h + 1) % NBUF;
      hash_wait_free(s, s->hcur);
      s->hlen[s->hcur] = 0;
    }
  }
}

/* Hands the current buffer to the sink (and the hasher) and moves on. */
static decc_status flush(decc_dataset_stream *s, int last, decc_err *err) {
  int c = s->cur;
  size_t n = s->len[c];
  if (n == 0)
    return DECC_OK;
  if (n > s->hw[c])
    s->hw[c] = n;
  decc_status st = s->sink(s->buf[c], n, s->user);
  if (st) {
    s->failed = 1;
    return decc_err_set(err, st, "dataset %s: output failed: %s",
                        s->encrypt ? "encryption" : "decryption",
                        decc_strerror(st));
  }
  s->nout += n;
  int hashed_here = s->encrypt && s->sha_on;
  if (hashed_here) {
    if (!s->th_on && !last)
      hasher_start(s, c);
    hash_submit(s, c, s->buf[c], n);
  }
  s->cur = (c + 1) % NBUF;
  if (hashed_here)
    hash_wait_free(s, s->cur);
  s->len[s->cur] = 0;
  return DECC_OK;
}

decc_status decc_dataset_stream_create(
    decc_dataset_stream **out, unsigned flags, const decc_dataset_key *key,
    const uint8_t *iv16, decc_dataset_sink_fn sink, void *user, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(sink != NULL);
  *out = NULL;
  int enc = (flags & DECC_DATASET_ENCRYPT) != 0;
  if (!key || !sink)
    return decc_err_set(err, DECC_E_INVALID,
                        "dataset stream: missing key or sink");
  if (!enc && iv16)
    return decc_err_set(err, DECC_E_INVALID,
                        "dataset decryption takes the IV from the input");
  decc_dataset_stream *s = decc_calloc(1, sizeof *s);
  if (!s)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  s->flags = flags;
  s->encrypt = enc;
  s->sink = sink;
  s->user = user;
  s->mem = decc_malloc((size_t)NBUF * (CHUNK + SLACK));
  s->ctx = EVP_CIPHER_CTX_new();
  if (!s->mem || !s->ctx) {
    decc_dataset_stream_destroy(s);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  for (int i = 0; i < NBUF; i++)
    s->buf[i] = s->mem + (size_t)i * (CHUNK + SLACK);
  if (!(flags & DECC_DATASET_NO_CHECKSUM)) {
    if (decc_sha256_init(&s->sha) != DECC_OK) {
      decc_dataset_stream_destroy(s);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    s->sha_on = 1;
  }
  decc_status st = DECC_OK;
  if (enc) {
    if (iv16)
      memcpy(s->iv, iv16, sizeof s->iv);
    else
      st = decc_random_bytes(s->iv, sizeof s->iv);
    if (st == DECC_OK && EVP_CipherInit_ex2(s->ctx, EVP_aes_256_cbc(), key->k,
                                            s->iv, 1, NULL) != 1)
      st = DECC_E_CRYPTO;
    if (st == DECC_OK) {
      memcpy(s->buf[0], s->iv, sizeof s->iv); /* the IV is the first output */
      s->len[0] = sizeof s->iv;
      s->iv_len = sizeof s->iv;
    }
  } else if (EVP_CipherInit_ex2(s->ctx, EVP_aes_256_cbc(), key->k, NULL, 0,
                                NULL) != 1) {
    st = DECC_E_CRYPTO;
  }
  if (st) {
    decc_dataset_stream_destroy(s);
    return decc_err_set(err, st, "dataset stream: cannot start AES-256-CBC");
  }
  *out = s;
  return DECC_OK;
}

decc_status decc_dataset_stream_update(decc_dataset_stream *s, const void *in,
                                       size_t n, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  if (s->failed || s->finished)
    return decc_err_set(err, DECC_E_STATE, "dataset stream already %s",
                        s->failed ? "failed" : "finished");
  const uint8_t *p = in;
  if (!s->encrypt && s->iv_len < sizeof s->iv && n > 0) {
    size_t take = sizeof s->iv - s->iv_len;
    if (take > n)
      take = n;
    memcpy(s->iv + s->iv_len, p, take);
    if (s->sha_on)
      hash_input(s, p, take);
    s->iv_len += take;
    s->nin += take;
    p += take;
    n -= take;
    if (s->iv_len == sizeof s->iv &&
        EVP_CipherInit_ex2(s->ctx, NULL, NULL, s->iv, -1, NULL) != 1) {
      s->failed = 1;
      return decc_err_set(err, DECC_E_CRYPTO,
                          "dataset decryption: cannot set the IV");
    }
  }
  while (n > 0) {
    int c = s->cur;
    size_t room = CHUNK - s->len[c]; /* > 0: buffers are flushed at CHUNK */
    size_t take = n < room ? n : room;
    int outl = 0;
    if (EVP_CipherUpdate(s->ctx, s->buf[c] + s->len[c], &outl, p, (int)take) !=
        1) {
      s->failed = 1;
      return decc_err_set(err, DECC_E_CRYPTO, "dataset stream: AES failure");
    }
    if (!s->encrypt && s->sha_on)
      hash_input(s, p, take);
    s->len[c] += (size_t)outl;
    s->nin += take;
    p += take;
    n -= take;
    if (s->len[c] >= CHUNK) {
      decc_status st = flush(s, 0, err);
      if (st)
        return st;
    }
  }
  return DECC_OK;
}

decc_status decc_dataset_stream_final(decc_dataset_stream *s,
                                      uint8_t *checksum32, decc_err *err) {
  DECC_ARG_CHECK(s != NULL);
  if (s->failed || s->finished)
    return decc_err_set(err, DECC_E_STATE, "dataset stream already %s",
                        s->failed ? "failed" : "finished");
  s->finished = 1;
  if (!s->encrypt) {
    /* SPEC: iexec-protocol §3.2.5 — IV(16) then at least one block. */
    if (s->nin < 2 * DECC_DATASET_IV_BYTES) {
      s->failed = 1;
      return decc_err_set(err, DECC_E_CORRUPT,
                          "encrypted data is truncated: %llu bytes, the "
                          "minimum is 32 (IV + one block)",
                          (unsigned long long)s->nin);
    }
    if (s->nin % 16 != 0) {
      s->failed = 1;
      return decc_err_set(err, DECC_E_CORRUPT,
                          "encrypted data is truncated or corrupted: %llu "
                          "bytes is not IV + a multiple of 16",
                          (unsigned long long)s->nin);
    }
  }
  int c = s->cur, outl = 0;
  if (EVP_CipherFinal_ex(s->ctx, s->buf[c] + s->len[c], &outl) != 1) {
    s->failed = 1;
    if (s->encrypt)
      return decc_err_set(err, DECC_E_CRYPTO, "dataset stream: AES failure");
    return decc_err_set(err, DECC_E_BAD_MAC,
                        "decryption failed (bad padding): wrong key or "
                        "tampered data");
  }
  s->len[c] += (size_t)outl;
  decc_status st = flush(s, 1, err);
  if (st == DECC_OK && !s->encrypt && s->sha_on && s->hmem &&
      s->hlen[s->hcur] > 0)
    hash_submit(s, s->hcur, s->hring[s->hcur], s->hlen[s->hcur]);
  hasher_stop(s);
  if (st)
    return st;
  if (s->sha_on) {
    uint8_t sum[32];
    decc_sha256_final(&s->sha, sum);
    s->sha_on = 0;
    if (checksum32)
      memcpy(checksum32, sum, 32);
  } else if (checksum32) {
    memset(checksum32, 0, 32);
  }
  return DECC_OK;
}

uint64_t decc_dataset_stream_bytes_in(const decc_dataset_stream *s) {
  DECC_ARG_CHECK_RET(s != NULL, 0);
  return s->nin;
}

uint64_t decc_dataset_stream_bytes_out(const decc_dataset_stream *s) {
  DECC_ARG_CHECK_RET(s != NULL, 0);
  return s->nout;
}

void decc_dataset_stream_destroy(decc_dataset_stream *s) {
  if (!s)
    return;
  hasher_stop(s);
  if (s->sha_on)
    decc_sha256_abort(&s->sha);
  EVP_CIPHER_CTX_free(s->ctx); /* wipes the key schedule */
  if (s->mem) {
    for (int i = 0; i < NBUF; i++) {
      size_t used = s->len[i] > s->hw[i] ? s->len[i] : s->hw[i];
      if (used)
        decc_memzero(s->buf[i], used);
    }
    decc_free(s->mem);
  }
  decc_free(s->hmem); /* ciphertext only: nothing secret */
  decc_memzero(s, sizeof *s);
  decc_free(s);
}

/* ---- fd, file and memory forms ------------------------------------------- */

uint64_t decc_dataset_encrypted_size(uint64_t n) {
  return DECC_DATASET_IV_BYTES + (n / 16 + 1) * 16;
}

typedef struct fd_sink {
  int fd;
  int err_no;
} fd_sink;

static decc_status fd_sink_fn(const uint8_t *data, size_t len, void *user) {
  fd_sink *fs = user;
  if (decc__write_all(fs->fd, data, len) != DECC_OK) {
    fs->err_no = errno;
    return DECC_E_IO;
  }
  return DECC_OK;
}

/* Pumps in_fd through a stream writing to out_fd. The messages name
 * "input"/"output"; file-level callers prefix paths. */
static decc_status pump_fd(int out_fd, uint8_t *checksum32,
                           const decc_dataset_key *key, const uint8_t *iv16,
                           int in_fd, unsigned flags, const uint8_t *expect32,
                           decc_err *err) {
  fd_sink fs = {out_fd, 0};
  decc_dataset_stream *s = NULL;
  decc_status st =
      decc_dataset_stream_create(&s, flags, key, iv16, fd_sink_fn, &fs, err);
  if (st)
    return st;
  uint8_t *in = decc_malloc(CHUNK);
  if (!in) {
    decc_dataset_stream_destroy(s);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  size_t hw = 0;
  for (;;) {
    ssize_t r = read(in_fd, in, CHUNK);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      st = decc_err_set(err, DECC_E_IO, "read error: %s", strerror(errno));
      break;
    }
    if (r == 0)
      break;
    if ((size_t)r > hw)
      hw = (size_t)r;
    st = decc_dataset_stream_update(s, in, (size_t)r, err);
    if (st)
      break;
  }
  uint8_t sum[32];
  if (st == DECC_OK)
    st = decc_dataset_stream_final(s, sum, err);
  if (st == DECC_E_IO && fs.err_no)
    decc_err_set(err, DECC_E_IO, "write error: %s", strerror(fs.err_no));
  if (st == DECC_OK && expect32 && !decc_ct_memeq(sum, expect32, 32))
    st = decc_err_set(err, DECC_E_CORRUPT,
                      "checksum mismatch: the encrypted file is not the "
                      "expected one");
  if (st == DECC_OK && checksum32)
    memcpy(checksum32, sum, 32);
  if (flags & DECC_DATASET_ENCRYPT)
    decc_memzero(in, hw); /* plaintext */
  decc_free(in);
  decc_dataset_stream_destroy(s);
  return st;
}

decc_status decc_dataset_encrypt_fd(int out_fd, uint8_t *checksum32,
                                    const decc_dataset_key *key,
                                    const uint8_t *iv16, int in_fd,
                                    decc_err *err) {
  DECC_ARG_CHECK(key != NULL);
  return pump_fd(out_fd, checksum32, key, iv16, in_fd, DECC_DATASET_ENCRYPT,
                 NULL, err);
}

decc_status decc_dataset_decrypt_fd(int out_fd, uint8_t *checksum32,
                                    const decc_dataset_key *key, int in_fd,
                                    decc_err *err) {
  DECC_ARG_CHECK(key != NULL);
  return pump_fd(out_fd, checksum32, key, NULL, in_fd, 0, NULL, err);
}

static decc_status file_op(const char *out_path, uint8_t *checksum32,
                           const decc_dataset_key *key, const char *in_path,
                           int encrypt, const uint8_t *expect32,
                           decc_err *err) {
  int in_fd = open(in_path, O_RDONLY | O_CLOEXEC);
  if (in_fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", in_path, strerror(errno));
  struct stat sb;
  if (fstat(in_fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    close(in_fd);
    return decc_err_set(err, DECC_E_IO, "%s: is a directory", in_path);
  }
  decc__atomic_file af;
  decc_status st = decc__atomic_open(
      &af, out_path, encrypt ? decc__default_file_mode() : 0600u, err);
  if (st) {
    close(in_fd);
    return st;
  }
  st = pump_fd(af.fd, checksum32, key, NULL, in_fd,
               encrypt ? DECC_DATASET_ENCRYPT : 0u, expect32, err);
  close(in_fd);
  if (st) {
    decc__atomic_abort(&af);
    /* Name the file the problem is about. */
    if (st == DECC_E_IO && err && !strncmp(err->msg, "write", 5))
      decc_err_prefix(err, "%s", out_path);
    else
      decc_err_prefix(err, "%s", in_path);
    return st;
  }
  return decc__atomic_commit(&af, err);
}

decc_status decc_dataset_encrypt_file(const char *out_path, uint8_t *checksum32,
                                      const decc_dataset_key *key,
                                      const char *in_path, decc_err *err) {
  DECC_ARG_CHECK(out_path != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(in_path != NULL);
  return file_op(out_path, checksum32, key, in_path, 1, NULL, err);
}

decc_status decc_dataset_decrypt_file(const char *out_path, uint8_t *checksum32,
                                      const decc_dataset_key *key,
                                      const char *in_path,
                                      const uint8_t *expect32, decc_err *err) {
  DECC_ARG_CHECK(out_path != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(in_path != NULL);
  return file_op(out_path, checksum32, key, in_path, 0, expect32, err);
}

static decc_status buf_sink_fn(const uint8_t *data, size_t len, void *user) {
  return decc_buf_append((decc_buf *)user, data, len);
}

static decc_status mem_op(uint8_t **out, size_t *out_len, uint8_t *checksum32,
                          const decc_dataset_key *key, const uint8_t *iv16,
                          const void *in, size_t n, int encrypt,
                          decc_err *err) {
  *out = NULL;
  *out_len = 0;
  decc_buf b;
  if (encrypt)
    decc_buf_init(&b, 0);
  else
    decc_buf_init_secret(&b, 0);
  size_t want = encrypt ? (size_t)decc_dataset_encrypted_size(n) : n;
  if ((encrypt && want < n) || decc_buf_reserve(&b, want) != DECC_OK) {
    decc_buf_clear(&b);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  decc_dataset_stream *s = NULL;
  decc_status st = decc_dataset_stream_create(
      &s, encrypt ? DECC_DATASET_ENCRYPT : 0u, key, iv16, buf_sink_fn, &b, err);
  if (st == DECC_OK)
    st = decc_dataset_stream_update(s, in, n, err);
  if (st == DECC_OK)
    st = decc_dataset_stream_final(s, checksum32, err);
  decc_dataset_stream_destroy(s);
  if (st) {
    decc_buf_clear(&b);
    return st;
  }
  /* The reserve above allocated, so even an empty result is a valid
   * NUL-terminated buffer. */
  b.data[b.len] = 0;
  size_t len = 0;
  *out = decc_buf_steal(&b, &len);
  if (!*out) {
    decc_buf_clear(&b);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  *out_len = len;
  return DECC_OK;
}

decc_status decc_dataset_encrypt(uint8_t **out, size_t *out_len,
                                 uint8_t *checksum32,
                                 const decc_dataset_key *key,
                                 const uint8_t *iv16, const void *in, size_t n,
                                 decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(out_len != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  return mem_op(out, out_len, checksum32, key, iv16, in, n, 1, err);
}

decc_status decc_dataset_decrypt(uint8_t **out, size_t *out_len,
                                 uint8_t *checksum32,
                                 const decc_dataset_key *key, const void *in,
                                 size_t n, decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(out_len != NULL);
  DECC_ARG_CHECK(key != NULL);
  DECC_ARG_CHECK(in != NULL || n == 0);
  return mem_op(out, out_len, checksum32, key, NULL, in, n, 0, err);
}

decc_status decc_dataset_checksum_file(char hex67[DECC_HEX32_LEN],
                                       const char *path, decc_err *err) {
  DECC_ARG_CHECK(hex67 != NULL);
  DECC_ARG_CHECK(path != NULL);
  uint8_t sum[32];
  decc_status st = decc_sha256_file(sum, path, err);
  if (st)
    return st;
  decc_hex_encode(hex67, sum, 32, 1);
  return DECC_OK;
}

/* ---- lenient base64 (legacy result format) ------------------------------- */

static int b64_sym(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+' || c == '-')
    return 62;
  if (c == '/' || c == '_')
    return 63;
  return -1;
}

void decc__b64_lenient_init(decc__b64_lenient *d) {
  d->acc = 0;
  d->nsym = 0;
  d->stopped = 0;
}

size_t decc__b64_lenient_update(decc__b64_lenient *d, uint8_t *out,
                                const char *in, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n && !d->stopped; i++) {
    unsigned char c = (unsigned char)in[i];
    if (c == '=') {
      d->stopped = 1;
      break;
    }
    int v = b64_sym(c);
    if (v < 0)
      continue; /* Node skips anything outside the alphabets */
    d->acc = (d->acc << 6) | (uint32_t)v;
    if (++d->nsym == 4) {
      out[w++] = (uint8_t)(d->acc >> 16);
      out[w++] = (uint8_t)(d->acc >> 8);
      out[w++] = (uint8_t)d->acc;
      d->acc = 0;
      d->nsym = 0;
    }
  }
  return w;
}

size_t decc__b64_lenient_final(decc__b64_lenient *d, uint8_t *out) {
  size_t w = 0;
  if (d->nsym == 2) {
    out[w++] = (uint8_t)(d->acc >> 4);
  } else if (d->nsym == 3) {
    out[w++] = (uint8_t)(d->acc >> 10);
    out[w++] = (uint8_t)(d->acc >> 2);
  }
  d->acc = 0;
  d->nsym = 0;
  return w;
}
