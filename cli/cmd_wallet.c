/*
 * cmd_wallet.c — `decc wallet`: Ethereum V3 keystores and message signing.
 *
 * create/import write keystores (mode 0600, temp file + no-replace rename,
 * so an existing wallet is never overwritten and no half-written file is
 * left) into -o FILE or <home>/wallets/<name or address>.json; list reads
 * that folder; address/sign-message/sign-typed-data use the key options of
 * cli_key.c; recover needs no key. Passwords and private keys are only read
 * from files or a no-echo prompt: options that would carry them in argv are
 * refused outright, because argv is visible to every local user (ps).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "decc/eip712.h"
#include "decc/encoding.h"
#include "decc/hash.h"
#include "decc/keys.h"
#include "decc/keystore.h"
#include "decc/mem.h"
#include "dev_stack.h"
#include "dp_cli.h"

#define KEYSTORE_MAX (64u * 1024u)        /* matches the library's own limit */
#define MESSAGE_MAX (64u * 1024u * 1024u) /* --file for sign-message */
#define TYPED_DATA_MAX (1u * 1024u * 1024u)
#define NAME_MAX_LEN 64

/* The overview of `decc wallet` (cli_dispatch adds the command list). */
static const char WALLET_OVERVIEW[] =
    "Ethereum keys as V3 keystores: create, import, list, show; sign and "
    "recover.\n"
    "KEY is --keystore FILE [--password-file FILE], --private-key-file FILE "
    "or\n--wallet NAME|ADDRESS|FILE. "
    "A password file's first line is the password; without\n"
    "--password-file the password is read from the terminal without echo. "
    "Passwords\nand keys are never accepted on the command line. Wallets "
    "live in <home>/wallets,\n"
    "home = --home, $DECC_HOME or ~/.decc. --json prints JSON.\n";

/* Options that would put a secret in argv (and so in `ps`) are refused. */
static int secret_in_argv(const char *a) {
  static const char *const bad[] = {"--password",   "--private-key",
                                    "--passphrase", "--secret",
                                    "--key",        "--mnemonic"};
  if (!strncmp(a, "--password-file", 15) && (a[15] == 0))
    return 0;
  if (!strncmp(a, "--private-key-file", 18) && (a[18] == 0))
    return 0;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    size_t n = strlen(bad[i]);
    if (!strncmp(a, bad[i], n) && (a[n] == 0 || a[n] == '='))
      return 1;
  }
  /* --password-file=F style would also be fine, but keep one spelling. */
  return !strncmp(a, "--password-file=", 16) ||
         !strncmp(a, "--private-key-file=", 19);
}

/* Names the option only: what follows '=' may be the secret itself. */
static int refuse_secret(const char *a) {
  const char *eq = strchr(a, '=');
  int n = eq ? (int)(eq - a) : (int)strlen(a);
  return cli_usage_error("%.*s: passwords and private keys are never taken "
                         "from the command line; use --password-file FILE or "
                         "--private-key-file FILE (or the no-echo prompt)",
                         n > 40 ? 40 : n, a);
}

/* ---- small parsers ------------------------------------------------------ */

static int valid_name(const char *n) {
  size_t len = strlen(n);
  if (len == 0 || len > NAME_MAX_LEN || n[0] == '.' || n[0] == '-')
    return 0;
  for (size_t i = 0; i < len; i++) {
    char c = n[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

static void addr_text(char out[DECC_ADDRESS_HEX_LEN], const decc_address *a) {
  decc_address_to_checksum(out, a);
}

/* ---- wallet folder ------------------------------------------------------ */

/* Writes <home>/wallets into out. Returns 0 or -1 after printing an error. */
static int wallets_dir(char *out, size_t cap) {
  const char *home = g_cli.home;
  int n;
  if (!home)
    home = getenv("DECC_HOME");
  if (home && *home)
    n = snprintf(out, cap, "%s/wallets", home);
  else {
    const char *h = getenv("HOME");
    if (!h || !*h) {
      cli_fail("no home directory: set --home, $DECC_HOME or $HOME");
      return -1;
    }
    n = snprintf(out, cap, "%s/.decc/wallets", h);
  }
  if (n < 0 || (size_t)n >= cap) {
    cli_fail("home directory path too long");
    return -1;
  }
  return 0;
}

/* Fails when path already exists (checked before the slow KDF runs; the
 * final no-replace rename is what actually guarantees it). */
static int refuse_existing(const char *path) {
  struct stat st;
  if (lstat(path, &st) == 0)
    return cli_fail("%s already exists; refusing to overwrite it", path);
  return CLI_OK;
}

static void fsync_parent(const char *path) {
  char buf[4096];
  size_t len = strlen(path);
  if (len >= sizeof buf)
    return;
  memcpy(buf, path, len + 1);
  char *slash = strrchr(buf, '/');
  const char *dir = ".";
  if (slash == buf)
    dir = "/";
  else if (slash) {
    *slash = 0;
    dir = buf;
  }
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd); /* best effort: the file itself is already synced */
    close(fd);
  }
}

/* Writes a new file with mode 0600: temp file in the same directory,
 * fsync, then a rename that fails if the target exists (renameat2
 * RENAME_NOREPLACE, or link() where the filesystem lacks it). */
static int write_new_file(const char *path, const char *data, size_t len) {
  size_t plen = strlen(path);
  char *tmp = decc_malloc(plen + 16);
  if (!tmp)
    return cli_fail("out of memory");
  snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp); /* mode 0600 */
  if (fd < 0) {
    int e = errno;
    decc_free(tmp);
    return cli_fail("%s: %s", path, strerror(e));
  }
  int e = 0;
  if (fchmod(fd, 0600) != 0)
    e = errno;
  size_t off = 0;
  while (!e && off < len) {
    ssize_t w = write(fd, data + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      e = errno;
    else
      off += (size_t)w;
  }
  if (!e && fsync(fd) != 0)
    e = errno;
  if (close(fd) != 0 && !e)
    e = errno;
  if (!e && renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0) {
    e = errno;
    if (e == EINVAL || e == ENOSYS || e == EOPNOTSUPP) {
      e = 0;
      if (link(tmp, path) != 0)
        e = errno;
      unlink(tmp);
    }
  }
  if (e) {
    unlink(tmp);
    decc_free(tmp);
    if (e == EEXIST)
      return cli_fail("%s already exists; refusing to overwrite it", path);
    return cli_fail("%s: %s", path, strerror(e));
  }
  decc_free(tmp);
  fsync_parent(path);
  return CLI_OK;
}

/* ---- create / import ---------------------------------------------------- */

typedef struct store_opts {
  const char *out;  /* -o FILE */
  const char *name; /* --name NAME */
  cli_key_opts key;
  decc_keystore_params params;
  int kdf_given; /* any of --kdf/--scrypt-n/--pbkdf2-c */
} store_opts;

/* Resolves the destination: -o FILE, or <wallets>/<name|0xaddress>.json
 * (creating the folder). addr may be NULL when the name is known. */
static int destination(char *out, size_t cap, const store_opts *o,
                       const decc_address *addr) {
  if (o->out) {
    if (strlen(o->out) >= cap)
      return cli_fail("%s: path too long", o->out);
    strcpy(out, o->out);
    return CLI_OK;
  }
  char dir[4096];
  if (wallets_dir(dir, sizeof dir) != 0)
    return CLI_FAIL;
  if (cli_mkdir_p(dir) != CLI_OK) /* mode 0700 */
    return CLI_FAIL;
  char fname[NAME_MAX_LEN + 8];
  if (o->name) {
    size_t n = strlen(o->name);
    int has_ext = n > 5 && !strcmp(o->name + n - 5, ".json");
    snprintf(fname, sizeof fname, "%s%s", o->name, has_ext ? "" : ".json");
  } else {
    char hex[DECC_ADDRESS_HEX_LEN];
    decc_address_to_hex(hex, addr);
    snprintf(fname, sizeof fname, "%s.json", hex);
  }
  int n = snprintf(out, cap, "%s/%s", dir, fname);
  if (n < 0 || (size_t)n >= cap)
    return cli_fail("wallet path too long");
  return CLI_OK;
}

/* Refuses, before any parsing, every word that would carry a secret in
 * argv (and so in `ps`): --password, --private-key=..., also the
 * --password-file=F spelling (one spelling only, so a password typed after
 * "=" by mistake is never taken for a file name). Returns CLI_RUN or
 * CLI_USAGE (printed). */
static int refuse_secrets(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (secret_in_argv(argv[i]))
      return refuse_secret(argv[i]);
  return CLI_RUN;
}

static const char CREATE_HELP[] =
    "usage: decc wallet create [-o FILE | --name NAME] [--password-file F]\n"
    "                          [--kdf scrypt|pbkdf2] [--scrypt-n N] "
    "[--pbkdf2-c C]\n\n"
    "A new random key, written as a V3 keystore (mode 0600) into FILE or\n"
    "<home>/wallets/<NAME or address>.json; an existing file is never\n"
    "overwritten. To store an existing key use 'decc wallet import'.\n"
    "Passwords and keys are never accepted on the command line.\n";

static const char IMPORT_HELP[] =
    "usage: decc wallet import --private-key-file F [-o FILE | --name NAME]\n"
    "                          [--password-file F] [--kdf ...] [--scrypt-n "
    "N]\n"
    "       decc wallet import --keystore F [--password-file F] [-o FILE | "
    "--name NAME]\n\n"
    "Stores a key, encrypted under a new password, or a byte copy of a\n"
    "keystore once it unlocks with --password-file (or the no-echo prompt).\n"
    "Passwords and keys are never accepted on the command line.\n";

/* create and import share the table; import adds the key it stores.
 * Returns CLI_RUN, or the exit code (help printed, or a usage error). */
static int parse_store_opts(store_opts *o, int argc, char **argv,
                            int allow_key) {
  int rc = refuse_secrets(argc, argv);
  if (rc != CLI_RUN)
    return rc;
  const char *cmd = allow_key ? "wallet import" : "wallet create";
  const char *kdf = NULL;
  uint64_t scrypt_n = 0, pbkdf2_c = 0;
  cli_opt opts[] = {
      {"output", 'o', CLI_OPT_STR, &o->out, "FILE",
       "write the keystore to FILE (mode 0600)", 0, 0, 0},
      {"name", 0, CLI_OPT_STR, &o->name, "NAME",
       "write it to <home>/wallets/NAME.json", 0, 0, 0},
      {"password-file", 0, CLI_OPT_STR, &o->key.password_file, "FILE",
       allow_key ? "the password, first line (of --keystore, or for the new "
                   "keystore; default: a no-echo prompt)"
                 : "the new keystore's password, first line (default: a "
                   "no-echo prompt)",
       0, 0, 0},
      {"kdf", 0, CLI_OPT_STR, &kdf, "scrypt|pbkdf2",
       "key derivation (default scrypt)", 0, 0, 0},
      {"scrypt-n", 0, CLI_OPT_U64, &scrypt_n, "N",
       "scrypt cost: a power of two >= 2", 0, 0, 0},
      {"pbkdf2-c", 0, CLI_OPT_U64, &pbkdf2_c, "C", "pbkdf2 iterations", 1,
       UINT32_MAX, 0},
      {NULL, 0, CLI_OPT_STR, NULL, NULL, NULL, 0, 0, 0}, /* import's key */
      {NULL, 0, CLI_OPT_STR, NULL, NULL, NULL, 0, 0, 0},
      {0}};
  if (allow_key) {
    opts[6] = (cli_opt){"private-key-file",
                        0,
                        CLI_OPT_STR,
                        &o->key.private_key_file,
                        "FILE",
                        "a 0x-hex private key file to encrypt",
                        0,
                        0,
                        0};
    opts[7] = (cli_opt){"keystore",
                        0,
                        CLI_OPT_STR,
                        &o->key.keystore,
                        "FILE",
                        "a V3 keystore to copy once it unlocks",
                        0,
                        0,
                        0};
  }
  cli_spec spec = {cmd, allow_key ? IMPORT_HELP : CREATE_HELP, opts, NULL, 0,
                   NULL};
  int np;
  if ((rc = cli_parse(&spec, argc, argv, &np)) != CLI_RUN)
    return rc;
  if (o->name && !valid_name(o->name))
    return cli_cmd_usage(cmd,
                         "--name: use 1-%d characters from A-Z a-z "
                         "0-9 . _ - (not starting with . or -)",
                         NAME_MAX_LEN);
  o->kdf_given = kdf || opts[4].seen || opts[5].seen;
  if (kdf) {
    if (!strcmp(kdf, "scrypt"))
      o->params.kdf = DECC_KDF_SCRYPT;
    else if (!strcmp(kdf, "pbkdf2"))
      o->params.kdf = DECC_KDF_PBKDF2;
    else
      return cli_cmd_usage(cmd, "--kdf must be scrypt or pbkdf2");
  }
  if (opts[4].seen) {
    if (scrypt_n < 2 || (scrypt_n & (scrypt_n - 1)))
      return cli_cmd_usage(cmd, "--scrypt-n must be a power of two >= 2");
    o->params.scrypt_n = scrypt_n;
  }
  if (opts[5].seen)
    o->params.pbkdf2_c = (uint32_t)pbkdf2_c;
  if (o->out && o->name)
    return cli_cmd_usage(cmd, "give either -o FILE or --name NAME, not both");
  if (o->params.kdf == DECC_KDF_PBKDF2 && o->params.scrypt_n)
    return cli_cmd_usage(cmd, "--scrypt-n applies to --kdf scrypt only");
  if (o->params.kdf == DECC_KDF_SCRYPT && o->params.pbkdf2_c)
    return cli_cmd_usage(cmd, "--pbkdf2-c applies to --kdf pbkdf2 only");
  return CLI_RUN;
}

static int report_stored(const decc_address *addr, const char *path) {
  char a[DECC_ADDRESS_HEX_LEN];
  addr_text(a, addr);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s, s:s}", "address", a, "path", path));
  printf("address: %s\nkeystore: %s\n", a, path);
  return CLI_OK;
}

/* Encrypts sk under a new password and stores it; reports the address
 * and path unless out_addr is given (then they are returned). sk stays
 * owned by the caller. */
static int store_key_ex(const store_opts *o, const uint8_t *sk,
                        decc_address *out_addr, char *out_path,
                        size_t out_cap) {
  decc_address addr;
  if (decc_address_from_privkey(&addr, sk) != DECC_OK)
    return cli_fail("not a valid private key");
  char path[4096];
  if (destination(path, sizeof path, o, &addr) != CLI_OK)
    return CLI_FAIL;
  if (refuse_existing(path) != CLI_OK)
    return CLI_FAIL;
  char *pw = cli_read_password(o->key.password_file,
                               "Password for the new keystore: ", 1);
  if (!pw)
    return CLI_FAIL;
  if (!pw[0])
    cli_progress("warning: the keystore password is empty");
  cli_progress("encrypting the key (%s)...",
               o->params.kdf == DECC_KDF_PBKDF2 ? "pbkdf2" : "scrypt");
  char *json = NULL;
  decc_err err;
  decc_err_clear(&err);
  decc_status st =
      decc_keystore_encrypt(&json, sk, pw, strlen(pw), &o->params, &err);
  decc_secure_free(pw);
  if (st)
    return cli_fail_err(&err);
  int rc = write_new_file(path, json, strlen(json));
  decc_free(json);
  if (rc != CLI_OK)
    return rc;
  if (out_addr) {
    *out_addr = addr;
    snprintf(out_path, out_cap, "%s", path);
    return CLI_OK;
  }
  return report_stored(&addr, path);
}

static int store_key(const store_opts *o, const uint8_t *sk) {
  return store_key_ex(o, sk, NULL, NULL, 0);
}

int cli_wallet_new(const char *name, const char *password_file,
                   decc_address *addr, char *path, size_t cap) {
  store_opts o;
  memset(&o, 0, sizeof o);
  o.name = name;
  o.key.password_file = password_file;
  if (!valid_name(name))
    return cli_usage_error("wallet name '%s': use 1-%d characters from A-Z "
                           "a-z 0-9 . _ - (not starting with . or -)",
                           name, NAME_MAX_LEN);
  char p[4096];
  if (destination(p, sizeof p, &o, NULL) != CLI_OK ||
      refuse_existing(p) != CLI_OK)
    return CLI_FAIL;
  uint8_t *sk = decc_secure_alloc(32);
  if (!sk)
    return cli_fail("out of memory");
  int rc = decc_privkey_generate(sk) == DECC_OK
               ? store_key_ex(&o, sk, addr, path, cap)
               : cli_fail("cannot generate a key (random generator failed)");
  decc_secure_free(sk);
  return rc;
}

static int wallet_create(int argc, char **argv) {
  store_opts o;
  memset(&o, 0, sizeof o);
  int rc = parse_store_opts(&o, argc, argv, 0);
  if (rc != CLI_RUN)
    return rc;
  /* With a known file name, fail on an existing file before asking for a
   * password. */
  if (o.out || o.name) {
    char path[4096];
    if (destination(path, sizeof path, &o, NULL) != CLI_OK ||
        refuse_existing(path) != CLI_OK)
      return CLI_FAIL;
  }
  uint8_t *sk = decc_secure_alloc(32);
  if (!sk)
    return cli_fail("out of memory");
  if (decc_privkey_generate(sk) != DECC_OK) {
    decc_secure_free(sk);
    return cli_fail("cannot generate a key (random generator failed)");
  }
  rc = store_key(&o, sk);
  decc_secure_free(sk);
  return rc;
}

/* import --keystore: keep the file byte for byte once it unlocks. */
static int import_keystore(const store_opts *o) {
  if (o->out || o->name) {
    char early[4096];
    if (destination(early, sizeof early, o, NULL) != CLI_OK ||
        refuse_existing(early) != CLI_OK)
      return CLI_FAIL;
  }
  size_t len = 0;
  char *json = cli_read_file(o->key.keystore, KEYSTORE_MAX, &len, 0);
  if (!json)
    return CLI_FAIL;
  char *pw = cli_read_password(o->key.password_file, "Keystore password: ", 0);
  if (!pw) {
    decc_free(json);
    return CLI_FAIL;
  }
  uint8_t *sk = decc_secure_alloc(32);
  if (!sk) {
    decc_secure_free(pw);
    decc_free(json);
    return cli_fail("out of memory");
  }
  decc_address addr;
  decc_err err;
  decc_err_clear(&err);
  decc_status st =
      decc_keystore_decrypt(sk, &addr, json, len, pw, strlen(pw), &err);
  decc_secure_free(pw);
  decc_secure_free(sk); /* only the check mattered */
  if (st) {
    decc_free(json);
    if (st == DECC_E_BAD_MAC)
      return cli_fail("%s: wrong password (keystore MAC mismatch)",
                      o->key.keystore);
    return cli_fail("%s: %s", o->key.keystore, err.msg);
  }
  char path[4096];
  int rc = destination(path, sizeof path, o, &addr);
  if (rc == CLI_OK)
    rc = write_new_file(path, json, len);
  decc_free(json);
  if (rc != CLI_OK)
    return rc;
  return report_stored(&addr, path);
}

static int wallet_import(int argc, char **argv) {
  store_opts o;
  memset(&o, 0, sizeof o);
  int rc = parse_store_opts(&o, argc, argv, 1);
  if (rc != CLI_RUN)
    return rc;
  if (!o.key.keystore && !o.key.private_key_file)
    return cli_usage_error(
        "import needs --private-key-file FILE or --keystore FILE");
  if (o.key.keystore && o.key.private_key_file)
    return cli_usage_error("give either --keystore or --private-key-file");
  if (o.key.keystore) {
    if (o.kdf_given)
      return cli_usage_error("--kdf/--scrypt-n/--pbkdf2-c apply when "
                             "encrypting a key, not when copying a keystore");
    return import_keystore(&o);
  }
  if (o.out || o.name) {
    char path[4096];
    if (destination(path, sizeof path, &o, NULL) != CLI_OK ||
        refuse_existing(path) != CLI_OK)
      return CLI_FAIL;
  }
  /* cli_key_load reads the key file only (password_file is for the new
   * keystore here, and unused by the private-key path). */
  cli_key_opts ko = {.private_key_file = o.key.private_key_file};
  uint8_t *sk = NULL;
  rc = cli_key_load(&ko, &sk);
  if (rc != CLI_OK)
    return rc;
  rc = store_key(&o, sk);
  decc_secure_free(sk);
  return rc;
}

/* ---- list --------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int wallet_list(int argc, char **argv) {
  cli_spec spec = {
      .cmd = "wallet list",
      .help = "usage: decc wallet list\n\n"
              "Addresses and files of the keystores in <home>/wallets.\n"};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  char dir[4096];
  if (wallets_dir(dir, sizeof dir) != 0)
    return CLI_FAIL;
  json_t *arr = json_array();
  if (!arr)
    return cli_fail("out of memory");
  DIR *d = opendir(dir);
  if (!d && errno != ENOENT) {
    int e = errno;
    json_decref(arr);
    return cli_fail("%s: %s", dir, strerror(e));
  }
  char **names = NULL;
  size_t count = 0, cap = 0;
  int rc = CLI_OK;
  struct dirent *e;
  while (d && (e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 5, ".json"))
      continue;
    if (count == cap) {
      size_t ncap = cap ? cap * 2 : 16;
      char **nn = decc_realloc(names, ncap * sizeof *nn);
      if (!nn) {
        rc = cli_fail("out of memory");
        break;
      }
      names = nn;
      cap = ncap;
    }
    if (!(names[count] = decc_strdup(e->d_name))) {
      rc = cli_fail("out of memory");
      break;
    }
    count++;
  }
  if (d)
    closedir(d);
  if (count)
    qsort(names, count, sizeof *names, cmp_str);
  for (size_t i = 0; rc == CLI_OK && i < count; i++) {
    char path[4096 + 300];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    const char *problem = NULL;
    char a[DECC_ADDRESS_HEX_LEN] = "";
    if (st.st_size > (off_t)KEYSTORE_MAX) {
      problem = "file too large for a keystore";
    } else {
      FILE *f = fopen(path, "rb");
      char buf[KEYSTORE_MAX];
      size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
      if (!f)
        problem = "cannot open";
      else
        fclose(f);
      decc_address addr;
      decc_err err;
      decc_err_clear(&err);
      if (f && decc_keystore_address(&addr, buf, len, &err) == DECC_OK)
        addr_text(a, &addr);
      else if (f)
        problem = err.code == DECC_E_NOT_FOUND ? "no address field"
                                               : "not a keystore";
    }
    json_t *item =
        json_pack("{s:s?, s:s}", "address", a[0] ? a : NULL, "path", path);
    if (item && problem)
      json_object_set_new(item, "problem", json_string(problem));
    if (!item || json_array_append_new(arr, item) != 0)
      rc = cli_fail("out of memory");
    else if (!g_cli.json)
      printf("%-42s  %s%s%s\n", a[0] ? a : "?", path, problem ? "  # " : "",
             problem ? problem : "");
  }
  for (size_t i = 0; i < count; i++)
    decc_free(names[i]);
  decc_free(names);
  if (rc != CLI_OK) {
    json_decref(arr);
    return rc;
  }
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s, s:o}", "dir", dir, "wallets", arr));
  if (!count)
    cli_progress("no wallets in %s", dir);
  json_decref(arr);
  return CLI_OK;
}

/* ---- messages ----------------------------------------------------------- */

/* The message given by --text/--hex/--hash/--file. */
/* The order of the MSG_OPTS rows. */
enum { MSG_TEXT, MSG_HEX, MSG_HASH, MSG_FILE };

typedef struct msg_opts {
  const char *kind; /* option name used, NULL if none */
  int which;        /* MSG_* of kind */
  const char *value;
} msg_opts;

/* The four message options, as table rows (cli_opt) writing into v[]. */
#define MSG_OPTS(v)                                                            \
  {"text", 0, CLI_OPT_STR, &(v)[0], "STR", "the message: this text", 0, 0, 0}, \
      {"hex", 0, CLI_OPT_STR, &(v)[1], "HEX", "the message: these bytes", 0,   \
       0,     0},                                                              \
      {"hash",  0,        CLI_OPT_STR,                                         \
       &(v)[2], "0xHASH", "the message: 32 raw bytes (signed as they are)",    \
       0,       0,        0},                                                  \
  {                                                                            \
    "file", 0, CLI_OPT_STR, &(v)[3], "PATH",                                   \
        "the message: the bytes of PATH ('-' stdin)", 0, 0, 0                  \
  }

/* Picks the one message option given among v[] (text, hex, hash, file).
 * Returns CLI_RUN, or CLI_USAGE (printed) when more than one was given. */
static int msg_pick(msg_opts *m, const char *const v[4], const char *cmd) {
  static const char *const NAMES[4] = {"--text", "--hex", "--hash", "--file"};
  for (int k = 0; k < 4; k++) {
    if (!v[k])
      continue;
    if (m->kind)
      return cli_cmd_usage(cmd,
                           "give exactly one of --text, --hex, --hash, --file");
    m->kind = NAMES[k];
    m->which = k;
    m->value = v[k];
  }
  return CLI_RUN;
}

/* Loads the message bytes. Out: *buf (decc_free) and *len. */
static int msg_load(const msg_opts *m, uint8_t **buf, size_t *len) {
  *buf = NULL;
  *len = 0;
  if (!m->kind)
    return cli_usage_error(
        "a message is required: --text, --hex, --hash or --file");
  if (m->which == MSG_FILE) {
    char *b = cli_read_file(m->value, MESSAGE_MAX, len, 0);
    if (!b)
      return CLI_FAIL;
    *buf = (uint8_t *)b;
    return CLI_OK;
  }
  size_t n = strlen(m->value);
  uint8_t *b = decc_malloc(n + 1);
  if (!b)
    return cli_fail("out of memory");
  if (m->which == MSG_TEXT) {
    memcpy(b, m->value, n);
    *len = n;
  } else {
    size_t got = 0;
    if (decc_hex_decode(b, n + 1, &got, m->value, n) != DECC_OK) {
      decc_free(b);
      return cli_fail("%s: not valid hex", m->kind);
    }
    if (m->which == MSG_HASH && got != 32) {
      decc_free(b);
      return cli_fail("--hash must be 0x followed by 64 hex digits (32 "
                      "bytes), got %zu bytes",
                      got);
    }
    *len = got;
  }
  *buf = b;
  return CLI_OK;
}

static int load_typed_data(const char *path, uint8_t digest[32],
                           uint8_t domain[32]) {
  size_t len = 0;
  char *json = cli_read_file(path, TYPED_DATA_MAX, &len, 0);
  if (!json)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_eip712_hash_json(digest, domain, json, len, &err);
  decc_free(json);
  if (st)
    return cli_fail("%s: %s", path, err.msg[0] ? err.msg : decc_strerror(st));
  return CLI_OK;
}

/* ---- address / sign ----------------------------------------------------- */

static const char ADDRESS_HELP[] =
    "usage: decc wallet address KEY\n\n"
    "Prints the address of the key (KEY: the wallet options below).\n";

static int wallet_address(int argc, char **argv) {
  cli_key_opts k = {0};
  int np, rc = refuse_secrets(argc, argv);
  cli_spec spec = {"wallet address", ADDRESS_HELP, NULL, &k, 0, NULL};
  if (rc == CLI_RUN)
    rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  if (cli_key_resolve(&k) != CLI_OK)
    return CLI_USAGE;
  uint8_t *sk = NULL;
  if ((rc = cli_key_load(&k, &sk)) != CLI_OK)
    return rc;
  decc_address addr;
  decc_status st = decc_address_from_privkey(&addr, sk);
  decc_secure_free(sk);
  if (st)
    return cli_fail("not a valid private key");
  char a[DECC_ADDRESS_HEX_LEN];
  addr_text(a, &addr);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s}", "address", a));
  puts(a);
  return CLI_OK;
}

/* Signs digest with the loaded key and prints the result. */
static int sign_and_print(const cli_key_opts *k, const uint8_t digest[32],
                          const uint8_t *domain) {
  uint8_t *sk = NULL;
  int rc = cli_key_load(k, &sk);
  if (rc != CLI_OK)
    return rc;
  uint8_t sig[65];
  decc_address addr;
  decc_status st = decc_sign_digest(sig, sk, digest);
  if (st == DECC_OK)
    st = decc_address_from_privkey(&addr, sk);
  decc_secure_free(sk);
  if (st)
    return cli_fail("signing failed: %s", decc_strerror(st));
  char sig_hex[DECC_SIG_HEX_LEN], dig_hex[DECC_HEX32_LEN],
      dom_hex[DECC_HEX32_LEN], a[DECC_ADDRESS_HEX_LEN];
  decc_hex_encode(sig_hex, sig, 65, 1);
  decc_hex_encode(dig_hex, digest, 32, 1);
  addr_text(a, &addr);
  if (g_cli.json) {
    json_t *j = json_pack("{s:s, s:s, s:s}", "address", a, "signature", sig_hex,
                          "digest", dig_hex);
    if (j && domain)
      json_object_set_new(j, "domain_separator",
                          json_string(decc_hex_encode(dom_hex, domain, 32, 1)));
    return cli_print_json(j);
  }
  puts(sig_hex);
  return CLI_OK;
}

static const char SIGN_MESSAGE_HELP[] =
    "usage: decc wallet sign-message KEY (--text STR | --hex HEX | --hash "
    "0x<32 bytes> |\n"
    "                                     --file PATH)\n\n"
    "Prints the EIP-191 personal_sign signature of the message (--hash signs\n"
    "the 32 raw bytes). KEY: the wallet options below.\n";

static int wallet_sign_message(int argc, char **argv) {
  cli_key_opts k = {0};
  msg_opts m = {0};
  const char *mv[4] = {0};
  cli_opt opts[] = {MSG_OPTS(mv), {0}};
  cli_spec spec = {"wallet sign-message", SIGN_MESSAGE_HELP, opts, &k, 0, NULL};
  int np, rc = refuse_secrets(argc, argv);
  if (rc == CLI_RUN)
    rc = cli_parse(&spec, argc, argv, &np);
  if (rc == CLI_RUN)
    rc = msg_pick(&m, mv, spec.cmd);
  if (rc != CLI_RUN)
    return rc;
  if (cli_key_resolve(&k) != CLI_OK)
    return CLI_USAGE;
  uint8_t *msg = NULL;
  size_t len = 0;
  rc = msg_load(&m, &msg, &len);
  if (rc != CLI_OK)
    return rc;
  uint8_t digest[32];
  decc_eip191_digest(digest, msg, len);
  decc_free(msg);
  return sign_and_print(&k, digest, NULL);
}

static const char SIGN_TYPED_HELP[] =
    "usage: decc wallet sign-typed-data KEY FILE.json\n\n"
    "Prints the EIP-712 signature of eth_signTypedData_v4 JSON ('-' reads\n"
    "stdin). KEY: the wallet options below.\n";

static int wallet_sign_typed_data(int argc, char **argv) {
  cli_key_opts k = {0};
  cli_spec spec = {
      "wallet sign-typed-data", SIGN_TYPED_HELP, NULL, &k, 1, NULL};
  int np, rc = refuse_secrets(argc, argv);
  if (rc == CLI_RUN)
    rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  const char *file = np ? argv[1] : NULL;
  if (!file)
    return cli_cmd_usage(spec.cmd, "sign-typed-data needs a FILE.json");
  if (cli_key_resolve(&k) != CLI_OK)
    return CLI_USAGE;
  uint8_t digest[32], domain[32];
  if ((rc = load_typed_data(file, digest, domain)) != CLI_OK)
    return rc;
  return sign_and_print(&k, digest, domain);
}

/* ---- recover ------------------------------------------------------------ */

static const char RECOVER_HELP[] =
    "usage: decc wallet recover (--text|--hex|--hash|--file ...) --signature "
    "0x...\n"
    "       decc wallet recover --typed-data FILE.json --signature 0x...\n\n"
    "Prints the signer address of an EIP-191 message or EIP-712 typed data\n"
    "(add --expect ADDRESS to check it: exit 1 when it differs).\n";

static int wallet_recover(int argc, char **argv) {
  msg_opts m = {0};
  const char *sig_text = NULL, *typed = NULL, *expect = NULL;
  const char *mv[4] = {0};
  cli_opt opts[] = {MSG_OPTS(mv),
                    {"typed-data", 0, CLI_OPT_STR, &typed, "FILE.json",
                     "the message: eth_signTypedData_v4 JSON", 0, 0, 0},
                    {"signature", 0, CLI_OPT_STR, &sig_text, "0xSIG",
                     "65 bytes (r, s, v) or 64 (EIP-2098)", 0, 0, 0},
                    {"expect", 0, CLI_OPT_STR, &expect, "ADDRESS",
                     "fail unless the signer is ADDRESS", 0, 0, 0},
                    {0}};
  cli_spec spec = {"wallet recover", RECOVER_HELP, opts, NULL, 0, NULL};
  int np, rc = refuse_secrets(argc, argv);
  if (rc == CLI_RUN)
    rc = cli_parse(&spec, argc, argv, &np);
  if (rc == CLI_RUN)
    rc = msg_pick(&m, mv, spec.cmd);
  if (rc != CLI_RUN)
    return rc;
  if (!sig_text)
    return cli_cmd_usage(spec.cmd, "recover needs --signature 0x...");
  if (typed && m.kind)
    return cli_cmd_usage(spec.cmd,
                         "give either a message or --typed-data, not both");
  if (!typed && !m.kind)
    return cli_cmd_usage(spec.cmd,
                         "recover needs a message (--text, --hex, --hash, "
                         "--file) or --typed-data FILE");
  decc_address want;
  decc_err err;
  decc_err_clear(&err);
  if (expect && decc_address_parse(&want, expect, &err) != DECC_OK)
    return cli_fail("--expect: %s", err.msg);
  uint8_t sig[65];
  size_t sig_len = 0;
  if (decc_hex_decode(sig, sizeof sig, &sig_len, sig_text, strlen(sig_text)) !=
          DECC_OK ||
      (sig_len != 65 && sig_len != 64))
    return cli_fail("--signature must be 65 bytes (r, s, v) or 64 bytes "
                    "(EIP-2098) of hex");
  uint8_t digest[32];
  if (typed) {
    if ((rc = load_typed_data(typed, digest, NULL)) != CLI_OK)
      return rc;
  } else {
    uint8_t *msg = NULL;
    size_t len = 0;
    if ((rc = msg_load(&m, &msg, &len)) != CLI_OK)
      return rc;
    decc_eip191_digest(digest, msg, len);
    decc_free(msg);
  }
  decc_address signer;
  if (decc_recover_digest_any(&signer, digest, sig, sig_len) != DECC_OK)
    return cli_fail("invalid signature (cannot recover a signer; high-S and "
                    "bad v are rejected)");
  char a[DECC_ADDRESS_HEX_LEN], dig_hex[DECC_HEX32_LEN];
  addr_text(a, &signer);
  decc_hex_encode(dig_hex, digest, 32, 1);
  int match = expect ? decc_address_eq(&signer, &want) : 1;
  if (g_cli.json) {
    json_t *j = json_pack("{s:s, s:s}", "address", a, "digest", dig_hex);
    if (j && expect)
      json_object_set_new(j, "match", json_boolean(match));
    rc = cli_print_json(j);
  } else {
    puts(a);
    rc = CLI_OK;
  }
  if (rc == CLI_OK && !match) {
    char w[DECC_ADDRESS_HEX_LEN];
    addr_text(w, &want);
    return cli_fail("signer %s is not the expected %s", a, w);
  }
  return rc;
}

/* ---- show: balances ------------------------------------------------------ */

static int cmp_name(const void *a, const void *b) {
  return strcmp((const char *)a, (const char *)b);
}

/* One wallet's line (or JSON item appended to arr). */
static int show_one(decc_dp *dp, const char *name, const decc_address *a,
                    json_t *arr) {
  decc_dp_balance b;
  decc_err err;
  decc_err_clear(&err);
  if (decc_dp_get_balance(dp, a, &b, &err) != DECC_OK)
    return cli_fail("balance of %s: %s", name ? name : "wallet", err.msg);
  uint64_t nonce = 0;
  if (decc_chain_nonce(decc_dp_chain(dp), a, &nonce, &err) != DECC_OK)
    return cli_fail("nonce of %s: %s", name ? name : "wallet", err.msg);
  char addr[DECC_ADDRESS_HEX_LEN], w[96], s[96], l[96], wn[DECC_U256_DEC_LEN],
      sn[DECC_U256_DEC_LEN], ln[DECC_U256_DEC_LEN];
  addr_text(addr, a);
  decc_dp_format_rlc(w, &b.wallet);
  decc_dp_format_rlc(s, &b.stake);
  decc_dp_format_rlc(l, &b.locked);
  if (arr) {
    /* nRLC as decimal strings, as the SDKs print amounts. */
    decc_u256_to_dec(wn, &b.wallet);
    decc_u256_to_dec(sn, &b.stake);
    decc_u256_to_dec(ln, &b.locked);
    json_t *item = json_pack("{s:s?,s:s,s:s,s:s,s:s,s:I}", "name", name,
                             "address", addr, "nRLC", wn, "stake", sn, "locked",
                             ln, "nonce", (json_int_t)nonce);
    if (!item || json_array_append_new(arr, item))
      return cli_fail("out of memory");
    return CLI_OK;
  }
  printf("%-8s %s  wallet %s  account %s deposited, %s locked  nonce %llu\n",
         name ? name : "-", addr, w, s, l, (unsigned long long)nonce);
  return CLI_OK;
}

static const char SHOW_HELP[] =
    "usage: decc wallet show [NAME|ADDRESS|FILE] [--all]\n\n"
    "Address, RLC balance, PoCo account (deposited, locked) and nonce of a\n"
    "wallet (default: the configured or only one; --all: every wallet of\n"
    "<home>/wallets) on the chain in use; no password needed.\n";

static int wallet_show(int argc, char **argv) {
  int all = 0;
  cli_opt opts[] = {{"all", 0, CLI_OPT_FLAG, &all, NULL,
                     "every wallet of <home>/wallets", 0, 0, 0},
                    {0}};
  cli_spec spec = {"wallet show", SHOW_HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  const char *ref = np ? argv[1] : NULL;
  if (all && ref)
    return cli_cmd_usage(spec.cmd, "give a wallet or --all, not both");
  /* Names and addresses first: no password, no chain needed for them. */
  size_t n = 0;
  char(*names)[NAME_MAX_LEN + 1] = NULL;
  decc_address *addrs = NULL;
  if (all) {
    char dir[4096];
    if (wallets_dir(dir, sizeof dir) != 0)
      return CLI_FAIL;
    DIR *d = opendir(dir);
    if (!d)
      return cli_fail("%s: %s (create a wallet with 'decc wallet create "
                      "--name NAME')",
                      dir, strerror(errno));
    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(d))) {
      size_t len = strlen(e->d_name);
      if (e->d_name[0] == '.' || len < 6 || len - 5 > NAME_MAX_LEN ||
          strcmp(e->d_name + len - 5, ".json"))
        continue;
      if (n == cap) {
        cap = cap ? cap * 2 : 8;
        void *nn = decc_realloc(names, cap * sizeof *names);
        void *na = nn ? decc_realloc(addrs, cap * sizeof *addrs) : NULL;
        if (nn)
          names = nn;
        if (na)
          addrs = na;
        if (!nn || !na) {
          closedir(d);
          decc_free(names);
          decc_free(addrs);
          return cli_fail("out of memory");
        }
      }
      snprintf(names[n], sizeof names[n], "%.*s", (int)(len - 5), e->d_name);
      n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++)
      if (dp_cli_ref_address(&addrs[i], names[i], "wallet") != 0) {
        decc_free(names);
        decc_free(addrs);
        return CLI_FAIL;
      }
  } else {
    names = decc_malloc(sizeof *names);
    addrs = decc_malloc(sizeof *addrs);
    if (!names || !addrs) {
      decc_free(names);
      decc_free(addrs);
      return cli_fail("out of memory");
    }
    n = 1;
    dp_cli_opts o;
    memset(&o, 0, sizeof o);
    o.wallet = ref;
    names[0][0] = '\0';
    if (ref && strncmp(ref, "0x", 2) && !strchr(ref, '/') &&
        strlen(ref) <= NAME_MAX_LEN)
      snprintf(names[0], sizeof names[0], "%s", ref);
    char home[4096];
    dp_cli_config cfg;
    if (!ref && dp_cli_home(home, sizeof home) == 0 &&
        dp_cli_config_load(&cfg, home) == CLI_OK) {
      /* The configured wallet's name, for the line. */
      if (cfg.wallet && strncmp(cfg.wallet, "0x", 2) &&
          !strchr(cfg.wallet, '/') && strlen(cfg.wallet) <= NAME_MAX_LEN)
        snprintf(names[0], sizeof names[0], "%s", cfg.wallet);
      dp_cli_config_clear(&cfg);
    }
    if ((ref ? dp_cli_ref_address(&addrs[0], ref, "wallet")
             : dp_cli_me(&addrs[0], &o)) != 0) {
      decc_free(names);
      decc_free(addrs);
      return CLI_FAIL;
    }
  }
  decc_dp *dp = NULL;
  dp_cli_opts none;
  memset(&none, 0, sizeof none);
  int rc = dp_cli_open(&dp, &none, 0);
  json_t *arr = NULL;
  if (rc == CLI_OK && g_cli.json && !(arr = json_array()))
    rc = cli_fail("out of memory");
  for (size_t i = 0; rc == CLI_OK && i < n; i++)
    rc = show_one(dp, names[i][0] ? names[i] : NULL, &addrs[i], arr);
  decc_dp_close(dp);
  decc_free(names);
  decc_free(addrs);
  if (!n && rc == CLI_OK && !g_cli.json)
    cli_progress("no wallets");
  if (rc != CLI_OK) {
    json_decref(arr);
    return rc;
  }
  if (arr) {
    if (all)
      return cli_print_json(json_pack("{s:o}", "wallets", arr));
    json_t *one = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return cli_print_json(one);
  }
  return CLI_OK;
}

/* ---- dispatch ----------------------------------------------------------- */

static const cli_sub SUBS[] = {
    {"create", "a new random key, as a V3 keystore (mode 0600)", wallet_create},
    {"import", "store a key (encrypted) or a keystore that unlocks",
     wallet_import},
    {"list", "addresses and files in <home>/wallets", wallet_list},
    {"show", "[NAME|ADDRESS|FILE] [--all]: balances and nonce; no password",
     wallet_show},
    {"address", "KEY: the address of the key", wallet_address},
    {"sign-message", "KEY (--text|--hex|--hash|--file): EIP-191 signature",
     wallet_sign_message},
    {"sign-typed-data", "KEY FILE.json: EIP-712 signature (signTypedData_v4)",
     wallet_sign_typed_data},
    {"recover", "... --signature 0x...: the signer's address", wallet_recover},
    {NULL, NULL, NULL}};

int cli_cmd_wallet(int argc, char **argv) {
  return cli_dispatch("wallet", WALLET_OVERVIEW, SUBS, argc, argv);
}
