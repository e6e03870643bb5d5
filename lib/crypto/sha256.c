/*
 * sha256.c — SHA-256 through OpenSSL's EVP interface (SHA-NI accelerated
 * where the CPU has it), one-shot, streaming and whole-file forms.
 *
 * The digest is fetched from OpenSSL's provider once per process:
 * EVP_sha256() is a legacy handle that OpenSSL 3 resolves again (a
 * provider lookup, EVP_MD_fetch) on every init, which was a sixth of the
 * instructions of hashing the small blocks of a bulk slice.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/hash.h"
#include "decc/mem.h"

static const EVP_MD *g_md;
static pthread_once_t g_md_once = PTHREAD_ONCE_INIT;

/* Kept for the life of the process (a static reference, never freed). If
 * the fetch fails, the legacy handle still works, only slower. */
static void md_fetch(void) {
  EVP_MD *md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
  g_md = md ? md : EVP_sha256();
}

static const EVP_MD *sha256_md(void) {
  pthread_once(&g_md_once, md_fetch);
  return g_md;
}

decc_status decc_sha256_init(decc_sha256_ctx *c) {
  DECC_ARG_CHECK(c != NULL);
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  if (!md)
    return DECC_E_NOMEM;
  if (EVP_DigestInit_ex(md, sha256_md(), NULL) != 1) {
    EVP_MD_CTX_free(md);
    return DECC_E_CRYPTO;
  }
  c->md = md;
  return DECC_OK;
}

/* EVP_DigestUpdate/Final only fail on a broken context (allocation failure
 * inside OpenSSL). Rather than letting a caller use an unfinished digest as
 * a checksum or a measurement, such a failure is fatal: it cannot happen in
 * a working process and there is no correct value to return. */
void decc_sha256_update(decc_sha256_ctx *c, const void *data, size_t n) {
  DECC_ARG_CHECK_VOID(c != NULL);
  DECC_ARG_CHECK_VOID(data != NULL || n == 0);
  if (n && EVP_DigestUpdate((EVP_MD_CTX *)c->md, data, n) != 1)
    abort();
}

void decc_sha256_final(decc_sha256_ctx *c, uint8_t out32[32]) {
  DECC_ARG_CHECK_VOID(c != NULL);
  DECC_ARG_CHECK_VOID(out32 != NULL);
  unsigned int len = 32;
  if (EVP_DigestFinal_ex((EVP_MD_CTX *)c->md, out32, &len) != 1 || len != 32)
    abort();
  EVP_MD_CTX_free((EVP_MD_CTX *)c->md);
  c->md = NULL;
}

void decc_sha256_abort(decc_sha256_ctx *c) {
  DECC_ARG_CHECK_VOID(c != NULL);
  EVP_MD_CTX_free((EVP_MD_CTX *)c->md);
  c->md = NULL;
}

void decc_sha256(uint8_t out32[32], const void *data, size_t n) {
  DECC_ARG_CHECK_VOID(out32 != NULL);
  DECC_ARG_CHECK_VOID(data != NULL || n == 0);
  unsigned int len = 32;
  /* as above: no correct value exists if OpenSSL cannot hash */
  if (EVP_Digest(data, n, out32, &len, sha256_md(), NULL) != 1)
    abort();
}

decc_status decc_sha256_file(uint8_t out32[32], const char *path,
                             decc_err *err) {
  DECC_ARG_CHECK(out32 != NULL);
  DECC_ARG_CHECK(path != NULL);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
  decc_sha256_ctx c;
  decc_status st = decc_sha256_init(&c);
  if (st) {
    close(fd);
    return decc_err_set(err, st, "sha256: %s", decc_strerror(st));
  }
  enum { CHUNK = 1 << 20 };
  uint8_t *buf = decc_malloc(CHUNK);
  if (!buf) {
    decc_sha256_abort(&c);
    close(fd);
    return decc_err_set(err, DECC_E_NOMEM, "sha256: out of memory");
  }
  for (;;) {
    ssize_t r = read(fd, buf, CHUNK);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int e = errno;
      decc_free(buf);
      decc_sha256_abort(&c);
      close(fd);
      return decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(e));
    }
    if (r == 0)
      break;
    decc_sha256_update(&c, buf, (size_t)r);
  }
  decc_free(buf);
  close(fd);
  decc_sha256_final(&c, out32);
  return DECC_OK;
}
