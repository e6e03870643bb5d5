/*
 * vault.c — the SMS's sealed secret store (see decc/vault.h): SQLite rows
 * holding AES-256-GCM ciphertexts bound to their (kind, owner, name) slot,
 * under a key from a 0600 key file or an Argon2id passphrase derivation.
 *
 * Every statement is prepared once per connection and kept (reset after
 * each use): a session release reads and deletes several rows, and
 * preparing (SQL parsing and planning) each time was a visible share of a
 * release. Writes go through the main connection under the vault's mutex;
 * reads through a small pool of read connections, each under its own
 * mutex, so that concurrent releases (eight reads each) do not queue on
 * one lock (WAL mode: readers never block each other or the writer, and
 * each read sees every write committed before it). Each connection is
 * used by one thread at a time, so SQLite's own per-call mutex is not
 * needed (SQLITE_OPEN_NOMUTEX).
 *
 * A read transaction costs two fcntl() calls on the shared-memory file
 * (take and drop a WAL read lock), about 2.5 µs on the virtual CPUs
 * measured; a release makes seven or eight reads. decc_vault_read_begin
 * lets a thread hold one reader with one open transaction for all of
 * them (measured in docs/internals/performance.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "decc/mem.h"
#include "decc/vault.h"

#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define SALT_LEN 16

/* The cached statements, by use. */
enum {
  Q_GET,
  Q_HAS,
  Q_DELETE,
  Q_OWNER,
  Q_INSERT,
  Q_UPDATE,
  Q_UPSERT,
  Q_BEGIN,
  Q_COMMIT,
  Q_N
};

static const char *const SQL[Q_N] = {
    [Q_GET] = "SELECT nonce, ct FROM secrets WHERE kind=?1 AND owner=?2 AND "
              "name=?3",
    [Q_HAS] = "SELECT 1 FROM secrets WHERE kind=?1 AND owner=?2 AND name=?3",
    [Q_DELETE] = "DELETE FROM secrets WHERE kind=?1 AND owner=?2 AND name=?3",
    [Q_OWNER] = "SELECT owner FROM secrets WHERE kind=?1 AND name=?2 "
                "ORDER BY owner LIMIT 1",
    [Q_INSERT] = "INSERT INTO secrets(kind,owner,name,nonce,ct,updated) "
                 "VALUES(?1,?2,?3,?4,?5,?6)",
    [Q_UPDATE] = "UPDATE secrets SET nonce=?4, ct=?5, updated=?6 WHERE "
                 "kind=?1 AND owner=?2 AND name=?3",
    [Q_UPSERT] = "INSERT OR REPLACE INTO secrets(kind,owner,name,nonce,ct,"
                 "updated) VALUES(?1,?2,?3,?4,?5,?6)",
    [Q_BEGIN] = "BEGIN",
    [Q_COMMIT] = "COMMIT",
};

/* Read connections: one per handler thread of `decc node` (eight by
 * default), so that every concurrent release can hold one for its reads
 * (decc_vault_read_begin); a thread that finds none free reads one
 * statement at a time as before. */
#define VAULT_READERS 8

/* One read connection of the pool, opened on first use. */
typedef struct vault_reader {
  pthread_mutex_t mu;
  sqlite3 *db;
  sqlite3_stmt *q[Q_N]; /* the read statements, prepared on first use */
} vault_reader;

struct decc_vault {
  sqlite3 *db;
  uint8_t *key; /* secure memory */
  pthread_mutex_t mu;
  sqlite3_stmt *q[Q_N]; /* prepared on first use, under mu */
  char *path;           /* the database, for the read connections */
  vault_reader rd[VAULT_READERS];
  unsigned rd_next; /* where the next read starts looking (atomic) */
};

/* The cached statement `which` of a connection, ready to bind (call while
 * owning the connection; give it back with done()). NULL: SQLite refused
 * it (message in the db). */
static sqlite3_stmt *prep(sqlite3 *db, sqlite3_stmt **q, int which) {
  if (!q[which] &&
      sqlite3_prepare_v3(db, SQL[which], -1, SQLITE_PREPARE_PERSISTENT,
                         &q[which], NULL) != SQLITE_OK)
    q[which] = NULL;
  return q[which];
}

static sqlite3_stmt *stmt(decc_vault *v, int which) {
  return prep(v->db, v->q, which);
}

/* A connection owned for one read: a reader of the pool, or the main
 * connection when no reader could be opened. */
typedef struct rd_use {
  pthread_mutex_t *mu;
  sqlite3 *db;
  sqlite3_stmt **q;
} rd_use;

/* Opens reader r's connection (under r->mu). Returns 0 on success. */
static int reader_open(decc_vault *v, vault_reader *r) {
  if (r->db)
    return 0;
  if (sqlite3_open_v2(v->path, &r->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      NULL) != SQLITE_OK ||
      sqlite3_exec(r->db, "PRAGMA query_only=1;", NULL, NULL, NULL) !=
          SQLITE_OK) {
    sqlite3_close(r->db);
    r->db = NULL;
    return -1;
  }
  sqlite3_busy_timeout(r->db, 5000);
  return 0;
}

/* The first reader whose lock is free, locked, starting from a rotating
 * position (*start, for a caller that then waits); NULL when all are
 * taken. */
static vault_reader *reader_try(decc_vault *v, unsigned *start) {
  *start = __atomic_fetch_add(&v->rd_next, 1, __ATOMIC_RELAXED);
  for (unsigned k = 0; k < VAULT_READERS; k++) {
    vault_reader *c = &v->rd[(*start + k) % VAULT_READERS];
    if (pthread_mutex_trylock(&c->mu) == 0)
      return c;
  }
  return NULL;
}

/* Takes a free reader (the first one whose lock is free, starting from a
 * rotating position), else waits for one; falls back to the main
 * connection if its connection cannot be opened. */
static void read_begin(decc_vault *v, rd_use *u) {
  unsigned start;
  vault_reader *r = reader_try(v, &start);
  if (!r) {
    r = &v->rd[start % VAULT_READERS];
    pthread_mutex_lock(&r->mu);
  }
  if (reader_open(v, r) == 0) {
    *u = (rd_use){&r->mu, r->db, r->q};
    return;
  }
  pthread_mutex_unlock(&r->mu);
  pthread_mutex_lock(&v->mu);
  *u = (rd_use){&v->mu, v->db, v->q};
}

/* The reader this thread holds with decc_vault_read_begin (one hold per
 * thread; depth counts nested begins on the same vault). Reads of that
 * vault by this thread go through it, inside its open transaction. */
static _Thread_local struct {
  decc_vault *v;
  vault_reader *r;
  unsigned depth;
} tl_hold;

static void read_end(rd_use *u) {
  if (u->mu)
    pthread_mutex_unlock(u->mu);
}

/* read_begin, or the reader this thread holds for v (already locked,
 * not unlocked by read_end). */
static void read_use(decc_vault *v, rd_use *u) {
  if (tl_hold.v == v) {
    *u = (rd_use){NULL, tl_hold.r->db, tl_hold.r->q};
    return;
  }
  read_begin(v, u);
}

/* Runs a cached statement that returns no row (BEGIN, COMMIT). */
static int run_plain(sqlite3 *db, sqlite3_stmt **q, int which) {
  sqlite3_stmt *s = prep(db, q, which);
  int rc = s ? sqlite3_step(s) : SQLITE_ERROR;
  if (s)
    sqlite3_reset(s);
  return rc == SQLITE_DONE ? 0 : -1;
}

int decc_vault_read_begin(decc_vault *v) {
  DECC_ARG_CHECK_RET(v != NULL, 0);
  if (tl_hold.v == v) {
    tl_hold.depth++;
    return 1;
  }
  if (tl_hold.v)
    return 0; /* this thread holds another vault's reader */
  unsigned start;
  vault_reader *r = reader_try(v, &start);
  if (!r)
    return 0; /* every reader is in use: reads go one statement at a time */
  /* BEGIN is deferred: the snapshot is taken at the first read. */
  if (reader_open(v, r) != 0 || run_plain(r->db, r->q, Q_BEGIN) != 0) {
    pthread_mutex_unlock(&r->mu);
    return 0;
  }
  tl_hold.v = v;
  tl_hold.r = r;
  tl_hold.depth = 1;
  return 1;
}

void decc_vault_read_end(decc_vault *v) {
  if (!v || tl_hold.v != v)
    return;
  if (--tl_hold.depth)
    return;
  vault_reader *r = tl_hold.r;
  tl_hold.v = NULL;
  tl_hold.r = NULL;
  /* A read transaction has nothing to commit; COMMIT only ends it (and
   * the WAL snapshot it pins). Should it fail, the autocommit check below
   * rolls it back so the connection never keeps a transaction open. */
  if (run_plain(r->db, r->q, Q_COMMIT) != 0 && !sqlite3_get_autocommit(r->db))
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
  pthread_mutex_unlock(&r->mu);
}

/* Ends a use of a cached statement: no read transaction stays open and no
 * bound pointer outlives the call. */
static void done(sqlite3_stmt *s) {
  if (s) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
}

static const char AAD_DOMAIN[] = "decc-vault-v1";
static const char CHECK_TEXT[] = "decc vault check value";

/* AES-256-GCM seal: out = ct ‖ tag (n + 16 bytes). */
static decc_status gcm(int enc, uint8_t *out, const uint8_t *in, size_t n,
                       const uint8_t key[KEY_LEN],
                       const uint8_t nonce[NONCE_LEN], const uint8_t *aad,
                       size_t aad_len, uint8_t tag[TAG_LEN]) {
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
  if (!c)
    return DECC_E_NOMEM;
  int ok = EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) &&
           EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, NONCE_LEN, NULL) &&
           EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc);
  int len = 0;
  if (ok && aad_len)
    ok = EVP_CipherUpdate(c, NULL, &len, aad, (int)aad_len);
  if (ok && n)
    ok = EVP_CipherUpdate(c, out, &len, in, (int)n);
  if (ok && !enc)
    ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN, tag);
  decc_status st = DECC_OK;
  if (!ok)
    st = DECC_E_CRYPTO;
  else if (EVP_CipherFinal_ex(c, out + len, &len) != 1)
    st = enc ? DECC_E_CRYPTO : DECC_E_BAD_MAC;
  else if (enc && !EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN, tag))
    st = DECC_E_CRYPTO;
  EVP_CIPHER_CTX_free(c);
  return st;
}

static size_t make_aad(uint8_t *aad, size_t cap, decc_secret_kind kind,
                       const decc_address *owner, const char *name) {
  size_t n = 0, dl = sizeof AAD_DOMAIN - 1, nl = name ? strlen(name) : 0;
  if (dl + 1 + 20 + nl > cap)
    return 0;
  memcpy(aad, AAD_DOMAIN, dl);
  n = dl;
  aad[n++] = (uint8_t)kind;
  memcpy(aad + n, owner->b, 20);
  n += 20;
  memcpy(aad + n, name ? name : "", nl);
  return n + nl;
}

/* Reads exactly n bytes from a file that must be private to its owner. */
static decc_status read_private(const char *path, uint8_t *out, size_t n,
                                decc_err *err) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077)) {
    close(fd);
    return decc_err_set(err, DECC_E_DENIED,
                        "%s must be a regular file of mode 0600", path);
  }
  ssize_t r = read(fd, out, n);
  close(fd);
  if (r != (ssize_t)n)
    return decc_err_set(err, DECC_E_IO, "%s: expected %zu bytes", path, n);
  return DECC_OK;
}

static decc_status create_private(const char *path, const uint8_t *data,
                                  size_t n, decc_err *err) {
  int fd =
      open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(errno));
  ssize_t w = write(fd, data, n);
  int e = 0;
  if (w != (ssize_t)n)
    e = w < 0 ? errno : ENOSPC;
  else if (fsync(fd) != 0)
    e = errno;
  if (close(fd) != 0 && !e)
    e = errno;
  if (e) {
    unlink(path);
    return decc_err_set(err, DECC_E_IO, "%s: %s", path, strerror(e));
  }
  return DECC_OK;
}

static decc_status load_key(decc_vault *v, const char *dir,
                            const char *passphrase, size_t pp_len,
                            decc_err *err) {
  char path[4096];
  if (!passphrase) {
    snprintf(path, sizeof path, "%s/vault.key", dir);
    decc_status st = read_private(path, v->key, KEY_LEN, err);
    if (st == DECC_E_IO && access(path, F_OK) != 0) {
      uint8_t k[KEY_LEN];
      if (decc_random_bytes(k, sizeof k) != DECC_OK)
        return decc_err_set(err, DECC_E_CRYPTO, "no randomness");
      st = create_private(path, k, sizeof k, err);
      if (!st)
        memcpy(v->key, k, KEY_LEN);
      decc_memzero(k, sizeof k);
    }
    return st;
  }
  snprintf(path, sizeof path, "%s/vault.salt", dir);
  uint8_t salt[SALT_LEN];
  decc_status st = read_private(path, salt, sizeof salt, err);
  if (st == DECC_E_IO && access(path, F_OK) != 0) {
    if (decc_random_bytes(salt, sizeof salt) != DECC_OK)
      return decc_err_set(err, DECC_E_CRYPTO, "no randomness");
    st = create_private(path, salt, sizeof salt, err);
  }
  if (st)
    return st;
  if (crypto_pwhash(v->key, KEY_LEN, passphrase, pp_len, salt,
                    crypto_pwhash_OPSLIMIT_INTERACTIVE,
                    crypto_pwhash_MEMLIMIT_INTERACTIVE,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return decc_err_set(err, DECC_E_NOMEM,
                        "vault: key derivation ran out of memory");
  return DECC_OK;
}

static const char SCHEMA[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA secure_delete=ON;"
    "CREATE TABLE IF NOT EXISTS secrets(kind INTEGER NOT NULL, owner BLOB NOT "
    "NULL, name TEXT NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL, "
    "updated INTEGER NOT NULL, PRIMARY KEY(kind, owner, name));"
    "CREATE INDEX IF NOT EXISTS secrets_by_name ON secrets(kind, name);"
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, nonce BLOB, ct "
    "BLOB);";

/* Proves the key: the first open seals a check value, later opens must
 * open it (a wrong passphrase fails here, not on the first secret). */
static decc_status check_key(decc_vault *v, decc_err *err) {
  sqlite3_stmt *s = NULL;
  decc_status st = DECC_OK;
  uint8_t nonce[NONCE_LEN], buf[64], tag[TAG_LEN];
  const size_t n = sizeof CHECK_TEXT - 1;
  if (sqlite3_prepare_v2(v->db, "SELECT nonce, ct FROM meta WHERE k='check'",
                         -1, &s, NULL) != SQLITE_OK)
    return decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(v->db));
  if (sqlite3_step(s) == SQLITE_ROW) {
    if (sqlite3_column_bytes(s, 0) != NONCE_LEN ||
        sqlite3_column_bytes(s, 1) != (int)(n + TAG_LEN))
      st = decc_err_set(err, DECC_E_CORRUPT, "vault: check record corrupt");
    else {
      memcpy(nonce, sqlite3_column_blob(s, 0), NONCE_LEN);
      const uint8_t *ct = sqlite3_column_blob(s, 1);
      memcpy(tag, ct + n, TAG_LEN);
      st = gcm(0, buf, ct, n, v->key, nonce, NULL, 0, tag);
      if (st == DECC_E_BAD_MAC || (!st && memcmp(buf, CHECK_TEXT, n)))
        st = decc_err_set(err, DECC_E_BAD_MAC,
                          "vault: wrong passphrase or key file");
    }
    sqlite3_finalize(s);
    return st;
  }
  sqlite3_finalize(s);
  if (decc_random_bytes(nonce, sizeof nonce) != DECC_OK)
    return decc_err_set(err, DECC_E_CRYPTO, "no randomness");
  st = gcm(1, buf, (const uint8_t *)CHECK_TEXT, n, v->key, nonce, NULL, 0, tag);
  if (st)
    return decc_err_set(err, st, "vault: sealing failed");
  memcpy(buf + n, tag, TAG_LEN);
  if (sqlite3_prepare_v2(v->db,
                         "INSERT INTO meta(k, nonce, ct) VALUES('check',?1,?2)",
                         -1, &s, NULL) != SQLITE_OK)
    return decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(v->db));
  sqlite3_bind_blob(s, 1, nonce, NONCE_LEN, SQLITE_STATIC);
  sqlite3_bind_blob(s, 2, buf, (int)(n + TAG_LEN), SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_DONE)
    st = decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(v->db));
  sqlite3_finalize(s);
  return st;
}

decc_status decc_vault_open(decc_vault **out, const char *dir,
                            const char *passphrase, size_t pp_len,
                            decc_err *err) {
  DECC_ARG_CHECK(out != NULL);
  DECC_ARG_CHECK(dir != NULL);
  *out = NULL;
  if (decc_init() != DECC_OK)
    return decc_err_set(err, DECC_E_CRYPTO, "crypto backends unavailable");
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    return decc_err_set(err, DECC_E_IO, "%s: %s", dir, strerror(errno));
  decc_vault *v = decc_calloc(1, sizeof *v);
  if (!v)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  v->key = decc_secure_alloc(KEY_LEN);
  if (!v->key) {
    decc_free(v);
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  }
  pthread_mutex_init(&v->mu, NULL);
  for (int i = 0; i < VAULT_READERS; i++)
    pthread_mutex_init(&v->rd[i].mu, NULL);
  decc_status st = load_key(v, dir, passphrase, pp_len, err);
  char path[4096];
  snprintf(path, sizeof path, "%s/secrets.sqlite", dir);
  if (!st && !(v->path = decc_strdup(path)))
    st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
  if (!st) {
    /* the database file is created private: it reveals who has secrets */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0)
      close(fd);
    if (sqlite3_open_v2(path, &v->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
      st = decc_err_set(err, DECC_E_IO, "%s: %s", path,
                        v->db ? sqlite3_errmsg(v->db) : "cannot open");
  }
  if (!st) {
    sqlite3_busy_timeout(v->db, 5000);
    char *emsg = NULL;
    if (sqlite3_exec(v->db, SCHEMA, NULL, NULL, &emsg) != SQLITE_OK) {
      st = decc_err_set(err, DECC_E_IO, "%s: %s", path, emsg ? emsg : "?");
      sqlite3_free(emsg);
    }
  }
  if (!st)
    st = check_key(v, err);
  if (st) {
    decc_vault_close(v);
    return st;
  }
  *out = v;
  return DECC_OK;
}

void decc_vault_close(decc_vault *v) {
  if (!v)
    return;
  for (int i = 0; i < Q_N; i++)
    sqlite3_finalize(v->q[i]);
  sqlite3_close(v->db);
  for (int r = 0; r < VAULT_READERS; r++) {
    for (int i = 0; i < Q_N; i++)
      sqlite3_finalize(v->rd[r].q[i]);
    sqlite3_close(v->rd[r].db);
    pthread_mutex_destroy(&v->rd[r].mu);
  }
  decc_free(v->path);
  decc_secure_free(v->key);
  pthread_mutex_destroy(&v->mu);
  decc_free(v);
}

/* Web2 secret names are case-insensitive in the iExec SMS. */
static void norm_name(char *out, size_t cap, decc_secret_kind kind,
                      const char *name) {
  snprintf(out, cap, "%s", name ? name : "");
  if (kind == DECC_SECRET_WEB2)
    for (char *p = out; *p; p++)
      if (*p >= 'A' && *p <= 'Z')
        *p = (char)(*p - 'A' + 'a');
}

decc_status decc_vault_put(decc_vault *v, decc_secret_kind kind,
                           const decc_address *owner, const char *name,
                           const uint8_t *value, size_t len, int update,
                           decc_err *err) {
  DECC_ARG_CHECK(v != NULL);
  DECC_ARG_CHECK(owner != NULL);
  DECC_ARG_CHECK(value != NULL || len == 0);
  if (len > DECC_SECRET_MAX)
    return decc_err_set(err, DECC_E_LIMIT, "secret larger than %d bytes",
                        DECC_SECRET_MAX);
  if (name && strlen(name) > 256)
    return decc_err_set(err, DECC_E_INVALID, "secret name too long");
  char nm[260];
  norm_name(nm, sizeof nm, kind, name);
  uint8_t aad[512], nonce[NONCE_LEN], tag[TAG_LEN];
  size_t aad_len = make_aad(aad, sizeof aad, kind, owner, nm);
  uint8_t *ct = decc_malloc(len + TAG_LEN);
  if (!ct)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  decc_status st = decc_random_bytes(nonce, sizeof nonce);
  if (!st)
    st = gcm(1, ct, value, len, v->key, nonce, aad, aad_len, tag);
  if (st) {
    decc_free(ct);
    return decc_err_set(err, st, "vault: sealing failed");
  }
  memcpy(ct + len, tag, TAG_LEN);
  pthread_mutex_lock(&v->mu);
  sqlite3_stmt *s = stmt(v, update == 0   ? Q_INSERT
                            : update == 1 ? Q_UPDATE
                                          : Q_UPSERT);
  if (!s) {
    st = decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(v->db));
  } else {
    sqlite3_bind_int(s, 1, (int)kind);
    sqlite3_bind_blob(s, 2, owner->b, 20, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, nm, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, nonce, NONCE_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, ct, (int)(len + TAG_LEN), SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(s);
    if (rc == SQLITE_CONSTRAINT)
      st = decc_err_set(err, DECC_E_EXISTS,
                        "secret already exists and cannot be replaced");
    else if (rc != SQLITE_DONE)
      st = decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(v->db));
    else if (update == 1 && sqlite3_changes(v->db) == 0)
      st = decc_err_set(err, DECC_E_NOT_FOUND, "secret not found");
  }
  done(s);
  pthread_mutex_unlock(&v->mu);
  decc_free(ct);
  return st;
}

/* Reads and opens a record: into buf (cap bytes) when buf is non-NULL,
 * else into fresh secure memory returned in *value. */
static decc_status get_impl(decc_vault *v, decc_secret_kind kind,
                            const decc_address *owner, const char *name,
                            uint8_t *buf, size_t cap, uint8_t **value,
                            size_t *len, decc_err *err) {
  if (value)
    *value = NULL;
  *len = 0;
  char nm[260];
  if (name && strlen(name) > 256)
    return decc_err_set(err, DECC_E_NOT_FOUND, "secret not found");
  norm_name(nm, sizeof nm, kind, name);
  /* Copy the sealed record out under the lock (cached statement), then
   * decrypt without holding it so concurrent session releases overlap. */
  uint8_t nonce[NONCE_LEN], sealed[DECC_SECRET_MAX + TAG_LEN];
  size_t cl = 0;
  decc_status st = DECC_OK;
  rd_use u;
  read_use(v, &u);
  sqlite3_stmt *s = prep(u.db, u.q, Q_GET);
  if (!s) {
    st = decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(u.db));
    read_end(&u);
    return st;
  }
  sqlite3_bind_int(s, 1, (int)kind);
  sqlite3_bind_blob(s, 2, owner->b, 20, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, nm, -1, SQLITE_STATIC);
  if (sqlite3_step(s) != SQLITE_ROW) {
    st = decc_err_set(err, DECC_E_NOT_FOUND, "secret not found");
  } else {
    int c = sqlite3_column_bytes(s, 1);
    if (sqlite3_column_bytes(s, 0) != NONCE_LEN || c < TAG_LEN ||
        c > DECC_SECRET_MAX + TAG_LEN) {
      st = decc_err_set(err, DECC_E_CORRUPT, "vault: record corrupt");
    } else {
      cl = (size_t)c;
      memcpy(nonce, sqlite3_column_blob(s, 0), NONCE_LEN);
      memcpy(sealed, sqlite3_column_blob(s, 1), cl);
    }
  }
  done(s);
  read_end(&u);
  if (st)
    return st;
  size_t n = cl - TAG_LEN;
  if (buf && n + 1 > cap)
    return decc_err_set(err, DECC_E_LIMIT, "vault: buffer too small");
  uint8_t *plain = buf ? buf : decc_secure_alloc(n + 1);
  if (!plain)
    return decc_err_set(err, DECC_E_NOMEM, "out of memory");
  uint8_t tag[TAG_LEN], aad[512];
  memcpy(tag, sealed + n, TAG_LEN);
  size_t aad_len = make_aad(aad, sizeof aad, kind, owner, nm);
  st = gcm(0, plain, sealed, n, v->key, nonce, aad, aad_len, tag);
  if (st) {
    if (buf)
      decc_memzero(buf, n);
    else
      decc_secure_free(plain);
    return decc_err_set(err, DECC_E_BAD_MAC,
                        "vault: sealed secret failed authentication "
                        "(tampered record)");
  }
  plain[n] = 0;
  if (value)
    *value = plain;
  *len = n;
  return DECC_OK;
}

decc_status decc_vault_get(decc_vault *v, decc_secret_kind kind,
                           const decc_address *owner, const char *name,
                           uint8_t **value, size_t *len, decc_err *err) {
  DECC_ARG_CHECK(v != NULL);
  DECC_ARG_CHECK(owner != NULL);
  DECC_ARG_CHECK(value != NULL);
  DECC_ARG_CHECK(len != NULL);
  return get_impl(v, kind, owner, name, NULL, 0, value, len, err);
}

decc_status decc_vault_get_into(decc_vault *v, decc_secret_kind kind,
                                const decc_address *owner, const char *name,
                                uint8_t *buf, size_t cap, size_t *len,
                                decc_err *err) {
  DECC_ARG_CHECK(v != NULL);
  DECC_ARG_CHECK(owner != NULL);
  DECC_ARG_CHECK(buf != NULL);
  DECC_ARG_CHECK(len != NULL);
  return get_impl(v, kind, owner, name, buf, cap, NULL, len, err);
}

int decc_vault_has(decc_vault *v, decc_secret_kind kind,
                   const decc_address *owner, const char *name) {
  DECC_ARG_CHECK_RET(v != NULL, 0);
  DECC_ARG_CHECK_RET(owner != NULL, 0);
  char nm[260];
  if (name && strlen(name) > 256)
    return 0;
  norm_name(nm, sizeof nm, kind, name);
  rd_use u;
  read_use(v, &u);
  sqlite3_stmt *s = prep(u.db, u.q, Q_HAS);
  int found = 0;
  if (s) {
    sqlite3_bind_int(s, 1, (int)kind);
    sqlite3_bind_blob(s, 2, owner->b, 20, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, nm, -1, SQLITE_STATIC);
    found = sqlite3_step(s) == SQLITE_ROW;
  }
  done(s);
  read_end(&u);
  return found;
}

decc_status decc_vault_delete(decc_vault *v, decc_secret_kind kind,
                              const decc_address *owner, const char *name,
                              decc_err *err) {
  DECC_ARG_CHECK(v != NULL);
  DECC_ARG_CHECK(owner != NULL);
  char nm[260];
  norm_name(nm, sizeof nm, kind, name);
  pthread_mutex_lock(&v->mu);
  sqlite3_stmt *s = stmt(v, Q_DELETE);
  decc_status st = DECC_OK;
  if (!s)
    st = decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(v->db));
  else {
    sqlite3_bind_int(s, 1, (int)kind);
    sqlite3_bind_blob(s, 2, owner->b, 20, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, nm, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
      st = decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(v->db));
    else if (sqlite3_changes(v->db) == 0)
      st = decc_err_set(err, DECC_E_NOT_FOUND, "secret not found");
  }
  done(s);
  pthread_mutex_unlock(&v->mu);
  return st;
}

decc_status decc_vault_find_owner(decc_vault *v, decc_secret_kind kind,
                                  const char *name, decc_address *owner,
                                  decc_err *err) {
  DECC_ARG_CHECK(v != NULL);
  DECC_ARG_CHECK(owner != NULL);
  char nm[260];
  if (!name || strlen(name) > 256)
    return decc_err_set(err, DECC_E_NOT_FOUND, "secret not found");
  norm_name(nm, sizeof nm, kind, name);
  rd_use u;
  read_use(v, &u);
  sqlite3_stmt *s = prep(u.db, u.q, Q_OWNER);
  decc_status st = DECC_OK;
  if (!s) {
    st = decc_err_set(err, DECC_E_IO, "vault: %s", sqlite3_errmsg(u.db));
  } else {
    sqlite3_bind_int(s, 1, (int)kind);
    sqlite3_bind_text(s, 2, nm, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW)
      st = decc_err_set(err, DECC_E_NOT_FOUND, "secret not found");
    else if (sqlite3_column_bytes(s, 0) != 20)
      st = decc_err_set(err, DECC_E_CORRUPT, "vault: record corrupt");
    else
      memcpy(owner->b, sqlite3_column_blob(s, 0), 20);
  }
  done(s);
  read_end(&u);
  return st;
}
