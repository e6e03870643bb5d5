/*
 * cmd_dataset.c — `decc dataset`: dataset keys, encryption, decryption and
 * checksums in the iExec format (include/decc/dataset.h). Subcommands live
 * in one table (cli_dispatch) with the ledger commands (deploy, show,
 * transfer: ledger_extra.c) and publish (dp_publish.c).
 *
 * Key files hold the 44-character base64 key (no newline, like the iExec
 * SDK's `<name>.key`), mode 0600. A key is printed on the terminal only when
 * asked for with `keygen --print`. Existing output files are never replaced
 * unless --force is given; every output is written to a temporary file and
 * renamed, so a failure leaves nothing behind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "decc/dataset.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "dp_cli.h"
#include "ledger_extra.h"

#define KEY_FILE_MAX 4096

/* The overview of `decc dataset` (cli_dispatch adds the command list). */
static const char DATASET_OVERVIEW[] =
    "Dataset keys, encryption and checksums in the iExec format; datasets "
    "on the\nchain and their orders.\n"
    "KEY: --keystore FILE [--password-file FILE] | --private-key-file FILE\n"
    "     | --wallet NAME|ADDRESS|FILE\n";

static const char KEYGEN_HELP[] =
    "usage: decc dataset keygen [-o FILE | --print] [--force]\n\n"
    "Generates a dataset key (base64 of 32 random bytes). Writes FILE "
    "(default\n./dataset.key, mode 0600); --print writes the key to stdout "
    "instead. An\nexisting file is kept unless --force.\n";
static const char ENCRYPT_HELP[] =
    "usage: decc dataset encrypt FILE [--key-file KEY] [-o OUT] [--force]\n\n"
    "Encrypts FILE as IV || AES-256-CBC (iExec dataset format) into OUT "
    "(default\nFILE.enc) and prints its checksum (0x + SHA-256 of OUT, the "
    "on-chain checksum).\nWithout --key-file a new key is generated and "
    "saved to FILE.key (mode 0600).\n";
static const char DECRYPT_HELP[] =
    "usage: decc dataset decrypt FILE.enc --key-file KEY [-o OUT] [--checksum "
    "0xHEX]\n                            [--force]\n\n"
    "Decrypts an iExec dataset file into OUT (default: FILE without .enc; "
    "mode\n0600). With --checksum, the encrypted file must have that "
    "checksum. Wrong key\nor tampered data: error, no output.\n";
static const char CHECKSUM_HELP[] =
    "usage: decc dataset checksum FILE\n\n"
    "Prints the dataset checksum of FILE: 0x + SHA-256 of its bytes.\n";

static int exists(const char *path) {
  struct stat sb;
  return lstat(path, &sb) == 0;
}

/* Refuses to replace an existing file unless forced. Returns CLI_OK or
 * CLI_FAIL (message printed). */
static int check_new(const char *path, int force, const char *what) {
  if (!force && exists(path))
    return cli_fail("%s: %s already exists (use --force to replace it)", path,
                    what);
  return CLI_OK;
}

/* Loads a key file into a dataset key. Returns NULL after an error. */
static decc_dataset_key *load_key(const char *path) {
  size_t len = 0;
  char *text = cli_read_file(path, KEY_FILE_MAX, &len, 1);
  if (!text)
    return NULL;
  decc_err err;
  decc_err_clear(&err);
  decc_dataset_key *key = NULL;
  decc_status st = decc_dataset_key_parse(&key, text, len, &err);
  decc_secure_free(text);
  if (st) {
    cli_fail("%s: %s", path, err.msg);
    return NULL;
  }
  return key;
}

/* Writes the key's base64 form to path (0600). */
static int save_key(const char *path, const decc_dataset_key *key) {
  char b64[45];
  decc_dataset_key_encode(b64, key);
  int rc = cli_write_file_atomic(path, b64, DECC_DATASET_KEY_B64_LEN, 0600);
  decc_memzero(b64, sizeof b64);
  return rc;
}

static char *concat(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = decc_malloc(la + lb + 1);
  if (s) {
    memcpy(s, a, la);
    memcpy(s + la, b, lb + 1);
  }
  return s;
}

/* ---- keygen -------------------------------------------------------------- */

static int cmd_keygen(int argc, char **argv) {
  const char *out = NULL;
  int print = 0, force = 0;
  cli_opt opts[] = {{"output", 'o', CLI_OPT_STR, &out, "FILE",
                     "write the key to FILE (0600)", 0, 0, 0},
                    {"print", 0, CLI_OPT_FLAG, &print, NULL,
                     "print the key on stdout", 0, 0, 0},
                    {"force", 0, CLI_OPT_FLAG, &force, NULL,
                     "replace an existing FILE", 0, 0, 0},
                    {0}};
  cli_spec spec = {"dataset keygen", KEYGEN_HELP, opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (print && out)
    return cli_cmd_usage(spec.cmd, "keygen: use either -o FILE or --print");
  decc_err err;
  decc_err_clear(&err);
  decc_dataset_key *key = NULL;
  if (decc_dataset_key_generate(&key, &err) != DECC_OK)
    return cli_fail_err(&err);
  int rc;
  if (print) {
    char b64[45];
    decc_dataset_key_encode(b64, key);
    rc = g_cli.json ? cli_print_json(json_pack("{s:s}", "key", b64))
                    : (puts(b64), CLI_OK);
    decc_memzero(b64, sizeof b64);
  } else {
    if (!out)
      out = "dataset.key";
    rc = check_new(out, force, "key file");
    if (rc == CLI_OK)
      rc = save_key(out, key);
    if (rc == CLI_OK) {
      cli_progress("dataset key written to %s (mode 0600); back it up", out);
      rc = g_cli.json ? cli_print_json(json_pack("{s:s}", "keyFile", out))
                      : (puts(out), CLI_OK);
    }
  }
  decc_dataset_key_destroy(key);
  return rc;
}

/* ---- encrypt ------------------------------------------------------------- */

static int cmd_encrypt(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *key_file = NULL;
  int force = 0;
  cli_opt opts[] = {{"output", 'o', CLI_OPT_STR, &out, "FILE",
                     "the encrypted file (default FILE.enc)", 0, 0, 0},
                    {"key-file", 0, CLI_OPT_STR, &key_file, "KEY",
                     "the dataset key (default: a new one)", 0, 0, 0},
                    {"force", 0, CLI_OPT_FLAG, &force, NULL,
                     "replace an existing output file", 0, 0, 0},
                    {0}};
  cli_spec spec = {"dataset encrypt", ENCRYPT_HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  in = np ? argv[1] : NULL;
  if (!in)
    return cli_cmd_usage(spec.cmd, "encrypt: missing FILE");
  char *out_alloc = NULL, *key_alloc = NULL;
  if (!out)
    out = out_alloc = concat(in, ".enc");
  if (!out)
    return cli_fail("out of memory");
  int rc = check_new(out, force, "output file");
  decc_dataset_key *key = NULL;
  const char *new_key_file = NULL;
  decc_err err;
  decc_err_clear(&err);
  if (rc == CLI_OK && key_file) {
    key = load_key(key_file);
    if (!key)
      rc = CLI_FAIL;
  } else if (rc == CLI_OK) {
    /* Like `iexec dataset encrypt`: a fresh key saved next to the input.
     * It is written before the data so a ciphertext never exists without
     * its key. */
    key_alloc = concat(in, ".key");
    if (!key_alloc)
      rc = cli_fail("out of memory");
    if (rc == CLI_OK)
      rc = check_new(key_alloc, force, "key file");
    if (rc == CLI_OK && decc_dataset_key_generate(&key, &err) != DECC_OK)
      rc = cli_fail_err(&err);
    if (rc == CLI_OK)
      rc = save_key(key_alloc, key);
    if (rc == CLI_OK)
      new_key_file = key_alloc;
  }
  uint8_t sum[32];
  if (rc == CLI_OK &&
      decc_dataset_encrypt_file(out, sum, key, in, &err) != DECC_OK) {
    rc = cli_fail_err(&err);
    if (new_key_file)
      unlink(new_key_file); /* we created it for this run only */
  }
  if (rc == CLI_OK) {
    char hex[DECC_HEX32_LEN];
    decc_hex_encode(hex, sum, 32, 1);
    if (new_key_file)
      cli_progress("generated dataset key in %s (mode 0600); back it up",
                   new_key_file);
    cli_progress("encrypted %s -> %s", in, out);
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:s,s:s?}", "encryptedFile", out,
                                    "checksum", hex, "keyFile",
                                    new_key_file ? new_key_file : key_file));
    else
      puts(hex);
  }
  decc_dataset_key_destroy(key);
  decc_free(out_alloc);
  decc_free(key_alloc);
  return rc;
}

/* ---- decrypt ------------------------------------------------------------- */

static int cmd_decrypt(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *key_file = NULL, *checksum = NULL;
  int force = 0;
  cli_opt opts[] = {{"output", 'o', CLI_OPT_STR, &out, "FILE",
                     "the decrypted file (default: FILE without .enc)", 0, 0,
                     0},
                    {"key-file", 0, CLI_OPT_STR, &key_file, "KEY",
                     "the dataset key (required)", 0, 0, 0},
                    {"checksum", 0, CLI_OPT_STR, &checksum, "0x…",
                     "the expected checksum of the plain data", 0, 0, 0},
                    {"force", 0, CLI_OPT_FLAG, &force, NULL,
                     "replace an existing output file", 0, 0, 0},
                    {0}};
  cli_spec spec = {"dataset decrypt", DECRYPT_HELP, opts, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  in = np ? argv[1] : NULL;
  if (!in)
    return cli_cmd_usage(spec.cmd, "decrypt: missing FILE");
  if (!key_file)
    return cli_cmd_usage(spec.cmd, "decrypt: --key-file is required");
  char *out_alloc = NULL;
  if (!out) {
    size_t n = strlen(in);
    if (n <= 4 || strcmp(in + n - 4, ".enc"))
      return cli_cmd_usage(spec.cmd, "decrypt: -o is required when FILE does "
                                     "not end in .enc");
    out = out_alloc = decc_strndup(in, n - 4);
    if (!out)
      return cli_fail("out of memory");
  }
  uint8_t expect[32];
  decc_err err;
  decc_err_clear(&err);
  int rc = CLI_OK;
  if (checksum && decc_hex_decode_exact(expect, 32, checksum, "--checksum",
                                        &err) != DECC_OK)
    rc = cli_cmd_usage(spec.cmd, "%s", err.msg);
  if (rc == CLI_OK)
    rc = check_new(out, force, "output file");
  decc_dataset_key *key = NULL;
  if (rc == CLI_OK && !(key = load_key(key_file)))
    rc = CLI_FAIL;
  uint8_t sum[32];
  if (rc == CLI_OK &&
      decc_dataset_decrypt_file(out, sum, key, in, checksum ? expect : NULL,
                                &err) != DECC_OK)
    rc = cli_fail_err(&err);
  if (rc == CLI_OK) {
    char hex[DECC_HEX32_LEN];
    decc_hex_encode(hex, sum, 32, 1);
    cli_progress("decrypted %s -> %s (checksum %s)", in, out, hex);
    if (g_cli.json)
      rc = cli_print_json(
          json_pack("{s:s,s:s}", "decryptedFile", out, "checksum", hex));
    else
      puts(out);
  }
  decc_dataset_key_destroy(key);
  decc_free(out_alloc);
  return rc;
}

/* ---- checksum ------------------------------------------------------------ */

static int cmd_checksum(int argc, char **argv) {
  cli_spec spec = {"dataset checksum", CHECKSUM_HELP, NULL, NULL, 1, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (np != 1)
    return cli_cmd_usage(spec.cmd, "checksum needs exactly one FILE");
  char hex[DECC_HEX32_LEN];
  decc_err err;
  decc_err_clear(&err);
  if (decc_dataset_checksum_file(hex, argv[1], &err) != DECC_OK)
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:s}", "checksum", hex));
  puts(hex);
  return CLI_OK;
}

/* ---- table --------------------------------------------------------------- */

static int dataset_publish(int argc, char **argv) {
  return cli_dp_publish(argc, argv, 2); /* a dataset order (dp_publish.c) */
}
static int dataset_ledger(int argc, char **argv) {
  return cli_ledger_dataset(argc, argv); /* deploy, show, transfer */
}

static const cli_sub SUBS[] = {
    {"keygen", "[-o FILE | --print] [--force]: a new dataset key", cmd_keygen},
    {"encrypt", "FILE [--key-file KEY] [-o OUT]: encrypt, print the checksum",
     cmd_encrypt},
    {"decrypt", "FILE.enc --key-file KEY [-o OUT]: decrypt a dataset file",
     cmd_decrypt},
    {"checksum", "FILE: 0x + SHA-256 of its bytes", cmd_checksum},
    {"publish", "DATASET [--price A] [--volume N]: sign and publish an order",
     dataset_publish},
    {"deploy", "--name NAME --multiaddr M --checksum 0x… KEY: register it",
     dataset_ledger},
    {"show", "ADDRESS: the dataset's on-chain fields", dataset_ledger},
    {"transfer", "ADDRESS NEW_OWNER KEY: give the dataset (its NFT) away",
     dataset_ledger},
    {NULL, NULL, NULL}};

int cli_cmd_dataset(int argc, char **argv) {
  return cli_dispatch("dataset", DATASET_OVERVIEW, SUBS, argc, argv);
}
