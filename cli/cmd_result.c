/*
 * cmd_result.c — `decc result`: the beneficiary's RSA key pair and the
 * encrypted result archive of TEE tasks (include/decc/result.h).
 *
 * `keygen` mirrors `iexec result generate-encryption-keypair`: RSA-4096,
 * private key PKCS#8 PEM in DIR/<NAME>_key (mode 0600), public key SPKI PEM
 * in DIR/<NAME>_key.pub, DIR defaulting to .secrets/beneficiary and NAME to
 * "beneficiary" (the iExec CLI uses the wallet address: pass --name 0x…).
 * `encrypt` does what the enclave's post-compute does; `decrypt` what the
 * SDK's `iexec result decrypt` does, including the legacy format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "decc/encoding.h"
#include "decc/mem.h"
#include "decc/result.h"
#include "dp_cli.h"

#define KEY_TEXT_MAX (64 * 1024)

typedef struct result_cmd {
  const char *name;
  const char *summary;
  const char *usage;
  int (*fn)(int argc, char **argv);
} result_cmd;

/* The --help text of subcommand `name` (from CMDS). */
static const char *help_of(const char *name);

static int check_new(const char *path, int force, const char *what) {
  struct stat sb;
  if (!force && lstat(path, &sb) == 0)
    return cli_fail("%s: %s already exists (use --force to replace it)", path,
                    what);
  return CLI_OK;
}

/* Loads an RSA key file (PEM or base64 PEM). need_private: 1 to require
 * the private half. Returns NULL after printing an error. */
static decc_rsa_key *load_rsa(const char *path, int need_private) {
  size_t len = 0;
  char *text = cli_read_file(path, KEY_TEXT_MAX, &len, 1);
  if (!text)
    return NULL;
  decc_err err;
  decc_err_clear(&err);
  decc_rsa_key *k = NULL;
  decc_status st = decc_rsa_key_parse(&k, text, len, &err);
  decc_secure_free(text);
  if (st) {
    cli_fail("%s: %s", path, err.msg);
    return NULL;
  }
  if (need_private && !decc_rsa_key_is_private(k)) {
    decc_rsa_key_destroy(k);
    cli_fail("%s: this is a public key; decryption needs the private key",
             path);
    return NULL;
  }
  return k;
}

/* ---- keygen -------------------------------------------------------------- */

static int cmd_keygen(int argc, char **argv) {
  const char *dir = ".secrets/beneficiary", *name = "beneficiary";
  unsigned bits = DECC_RSA_DEFAULT_BITS;
  int force = 0;
  uint64_t nbits = DECC_RSA_DEFAULT_BITS;
  cli_opt opts[] = {{"output", 'o', CLI_OPT_STR, &dir, "DIR",
                     "the directory (default .secrets/beneficiary)", 0, 0, 0},
                    {"name", 0, CLI_OPT_STR, &name, "NAME",
                     "the file name prefix (default beneficiary)", 0, 0, 0},
                    {"bits", 0, CLI_OPT_U64, &nbits, "N",
                     "RSA modulus size (default 4096)", 2048, 16384, 0},
                    {"force", 0, CLI_OPT_FLAG, &force, NULL,
                     "replace an existing private key", 0, 0, 0},
                    {0}};
  cli_spec spec = {"result keygen", help_of("keygen"), opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  bits = (unsigned)nbits;
  if (!*name || strchr(name, '/'))
    return cli_usage_error("--name must be a plain file name");
  size_t n = strlen(dir) + strlen(name) + 16;
  char *priv_path = decc_malloc(n), *pub_path = decc_malloc(n);
  if (!priv_path || !pub_path) {
    decc_free(priv_path);
    decc_free(pub_path);
    return cli_fail("out of memory");
  }
  snprintf(priv_path, n, "%s/%s_key", dir, name);
  snprintf(pub_path, n, "%s/%s_key.pub", dir, name);
  int rc = cli_mkdir_p(dir);
  if (rc == CLI_OK)
    rc = check_new(priv_path, force, "private key");
  decc_rsa_key *k = NULL;
  decc_err err;
  decc_err_clear(&err);
  if (rc == CLI_OK) {
    cli_progress("generating an RSA-%u key pair...", bits);
    if (decc_rsa_keygen(&k, bits, &err) != DECC_OK)
      rc = cli_fail_err(&err);
  }
  char *priv = NULL, *pub = NULL, *b64 = NULL;
  size_t priv_len = 0, pub_len = 0;
  if (rc == CLI_OK &&
      (decc_rsa_key_private_pem(&priv, &priv_len, k, &err) != DECC_OK ||
       decc_rsa_key_public_pem(&pub, &pub_len, k, &err) != DECC_OK ||
       decc_rsa_key_public_b64(&b64, NULL, k, &err) != DECC_OK))
    rc = cli_fail_err(&err);
  if (rc == CLI_OK)
    rc = cli_write_file_atomic(priv_path, priv, priv_len, 0600);
  if (rc == CLI_OK)
    rc = cli_write_file_atomic(pub_path, pub, pub_len, 0644);
  if (rc == CLI_OK) {
    cli_progress("private key %s (mode 0600; back it up), public key %s",
                 priv_path, pub_path);
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:s,s:s}", "privateKeyFile",
                                    priv_path, "publicKeyFile", pub_path,
                                    "publicKeySmsBase64", b64));
    else
      printf("%s\n%s\n", priv_path, pub_path);
  }
  if (priv)
    decc_secure_free(priv);
  decc_free(pub);
  decc_free(b64);
  decc_rsa_key_destroy(k);
  decc_free(priv_path);
  decc_free(pub_path);
  return rc;
}

/* ---- encrypt / decrypt --------------------------------------------------- */

typedef struct io_opts {
  const char *in, *out, *key;
  int force;
} io_opts;

/* Returns CLI_RUN, or the exit code (help printed, or a usage error). */
static int parse_io(int argc, char **argv, const char *key_opt, io_opts *o) {
  memset(o, 0, sizeof *o);
  char cmd[32];
  snprintf(cmd, sizeof cmd, "result %s", argv[0]);
  cli_opt opts[] = {
      {"output", 'o', CLI_OPT_STR, &o->out, "FILE", "the output file", 0, 0, 0},
      {key_opt + 2, 0, CLI_OPT_STR, &o->key, "FILE",
       "the RSA key (PEM or SMS base64)", 0, 0, 0},
      {"force", 0, CLI_OPT_FLAG, &o->force, NULL,
       "replace an existing output file", 0, 0, 0},
      {0}};
  cli_spec spec = {cmd, help_of(argv[0]), opts, NULL, 1, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  o->in = np ? argv[1] : NULL;
  if (!o->in)
    return cli_usage_error("%s: missing input file", argv[0]);
  if (!o->key)
    return cli_usage_error("%s: %s is required", argv[0], key_opt);
  return CLI_RUN;
}

static int cmd_encrypt(int argc, char **argv) {
  io_opts o;
  int rc = parse_io(argc, argv, "--public-key", &o);
  if (rc != CLI_RUN)
    return rc;
  if (!o.out)
    return cli_usage_error("encrypt: -o ARCHIVE.zip is required");
  if ((rc = check_new(o.out, o.force, "output file")))
    return rc;
  decc_rsa_key *k = load_rsa(o.key, 0);
  if (!k)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  if (decc_result_encrypt_file(o.out, k, o.in, &err) != DECC_OK)
    rc = cli_fail_err(&err);
  decc_rsa_key_destroy(k);
  if (rc == CLI_OK) {
    cli_progress("encrypted %s -> %s", o.in, o.out);
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s}", "encryptedFile", o.out));
    else
      puts(o.out);
  }
  return rc;
}

static int cmd_decrypt(int argc, char **argv) {
  io_opts o;
  int rc = parse_io(argc, argv, "--private-key", &o);
  if (rc != CLI_RUN)
    return rc;
  if (!o.out)
    o.out = "results.zip"; /* as `iexec result decrypt` */
  if ((rc = check_new(o.out, o.force, "output file")))
    return rc;
  decc_rsa_key *k = load_rsa(o.key, 1);
  if (!k)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  decc_result_info info;
  memset(&info, 0, sizeof info);
  if (decc_result_decrypt_file(o.out, &info, k, o.in, &err) != DECC_OK)
    rc = cli_fail_err(&err);
  decc_rsa_key_destroy(k);
  if (rc == CLI_OK) {
    const char *fmt =
        info.aes_bits == 256 && !info.legacy_key_b64 ? "current" : "legacy";
    cli_progress("decrypted %s -> %s (%s format, AES-%u, %llu bytes)", o.in,
                 o.out, fmt, info.aes_bits,
                 (unsigned long long)info.output_size);
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:s,s:I}", "decryptedFile", o.out,
                                    "format", fmt, "size",
                                    (json_int_t)info.output_size));
    else
      puts(o.out);
  }
  return rc;
}

/* ---- pubkey -------------------------------------------------------------- */

static int cmd_pubkey(int argc, char **argv) {
  const char *key = NULL;
  int sms = 0;
  cli_opt opts[] = {{"key", 0, CLI_OPT_STR, &key, "FILE",
                     "the RSA key (PEM or SMS base64)", 0, 0, 0},
                    {"sms", 0, CLI_OPT_FLAG, &sms, NULL,
                     "print the SMS base64 form", 0, 0, 0},
                    {0}};
  cli_spec spec = {"result pubkey", help_of("pubkey"), opts, NULL, 0, NULL};
  int np, prc = cli_parse(&spec, argc, argv, &np);
  if (prc != CLI_RUN)
    return prc;
  if (!key)
    return cli_usage_error("pubkey: --key FILE is required");
  decc_rsa_key *k = load_rsa(key, 0);
  if (!k)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  char *text = NULL;
  decc_status st = sms ? decc_rsa_key_public_b64(&text, NULL, k, &err)
                       : decc_rsa_key_public_pem(&text, NULL, k, &err);
  decc_rsa_key_destroy(k);
  if (st)
    return cli_fail_err(&err);
  int rc = CLI_OK;
  if (g_cli.json)
    rc = cli_print_json(
        json_pack("{s:s}", sms ? "publicKeySmsBase64" : "publicKeyPem", text));
  else if (sms)
    puts(text);
  else
    fputs(text, stdout);
  decc_free(text);
  return rc;
}

/* ---- table --------------------------------------------------------------- */

static const result_cmd CMDS[] = {
    {"keygen",
     "Generate the beneficiary RSA key pair: DIR/NAME_key (PKCS#8 "
     "PEM, mode 0600) and DIR/NAME_key.pub\n(SPKI PEM). DIR "
     "defaults to .secrets/beneficiary, NAME to beneficiary (the "
     "iExec CLI\nuses the wallet address); --bits defaults to "
     "4096. An existing private key is kept unless --force.",
     "[-o DIR] [--name NAME] [--bits N] [--force]", cmd_keygen},
    {"encrypt",
     "Build the encrypted result archive of IEXEC_OUT.zip for a "
     "beneficiary public key (PEM or the\nSMS base64 form), as the "
     "TEE post-compute does: aes-key.rsa + iexec_out.zip.aes.",
     "IEXEC_OUT.zip --public-key PUB -o ARCHIVE.zip [--force]", cmd_encrypt},
    {"decrypt",
     "Decrypt an encrypted result archive (current and legacy "
     "formats, as the iExec SDK) into OUT\n(default results.zip, "
     "mode 0600). A wrong key or a damaged archive leaves no "
     "output.",
     "ARCHIVE.zip --private-key KEY [-o OUT] [--force]", cmd_decrypt},
    {"pubkey",
     "Print the public key of KEY (a public or private key file) "
     "as SPKI PEM, or with --sms as\nbase64(PEM), the value the SMS "
     "stores as iexec-result-encryption-public-key.",
     "--key FILE [--sms]", cmd_pubkey},
};

static const char *help_of(const char *name) {
  static char buf[1024]; /* one subcommand per run */
  for (size_t i = 0; i < sizeof CMDS / sizeof CMDS[0]; i++)
    if (!strcmp(CMDS[i].name, name)) {
      snprintf(buf, sizeof buf, "usage: decc result %s %s\n\n%s\n",
               CMDS[i].name, CMDS[i].usage, CMDS[i].summary);
      return buf;
    }
  return NULL;
}

static const char GET_HELP[] =
    "usage: decc result get TASK_ID [-o FILE] [--key FILE] [--path ENTRY]\n"
    "         [--bundle FILE] [wallet]\n\n"
    "Downloads the result of a completed task, decrypts it with your result\n"
    "key (default <home>/results/<address>_key) when the deal asked for\n"
    "encryption, and writes the zip to -o (default TASK_ID.zip) or its entry\n"
    "ENTRY (to stdout without -o).\n"
    "--bundle FILE also writes the task's provenance bundle (deal, task, app\n"
    "and dataset checksums, the enclave-signed contribution, chain events\n"
    "with block hashes): check it offline with 'decc verify FILE'.\n";

/* `decc result get TASKID`: needs the chain and the store (decc_dp). */
static int cmd_get(int argc, char **argv) {
  dp_cli_opts w;
  memset(&w, 0, sizeof w);
  const char *out = NULL, *key = NULL, *path = NULL, *bundle = NULL;
  cli_opt opts[] = {
      {"output", 'o', CLI_OPT_STR, &out, "FILE",
       "where to write the result (default TASK_ID.zip)", 0, 0, 0},
      {"key", 0, CLI_OPT_STR, &key, "FILE",
       "the result key (default <home>/results/<address>_key)", 0, 0, 0},
      {"path", 0, CLI_OPT_STR, &path, "ENTRY",
       "write only this entry of the result zip", 0, 0, 0},
      {"bundle", 0, CLI_OPT_STR, &bundle, "FILE",
       "also write the task's provenance bundle", 0, 0, 0},
      {0}};
  cli_spec spec = {"result get", GET_HELP, opts, &w.key, 1, NULL};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  w.wallet = w.key.wallet;
  const char *task = np ? argv[1] : NULL;
  uint8_t t[32];
  if (!task)
    return cli_cmd_usage("result get", "a task id is required");
  if (dp_cli_hash(t, task, "task id"))
    return CLI_USAGE;
  decc_dp *dp;
  /* The default key path names the requester: a wallet is needed unless
   * --key is given. */
  rc = dp_cli_open(&dp, &w, key == NULL);
  if (rc != CLI_OK)
    return rc;
  uint8_t *res = NULL;
  size_t len = 0;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_dp_fetch_result(dp, &res, &len, t, key, path, &err);
  if (!st && bundle && /* cmd_verify.c */
      cli_prov_write_bundle(dp, t, res, len, path == NULL, bundle)) {
    decc_dp_close(dp);
    decc_free(res);
    return CLI_FAIL;
  }
  decc_dp_close(dp);
  if (st)
    return cli_fail_err(&err);
  char named[80];
  decc_hex_encode(named, t, 32, 1);
  strcat(named, ".zip");
  const char *dest = out ? out : (path ? NULL : named);
  if (dest)
    rc = cli_write_file_atomic(dest, res, len, 0600);
  else
    fwrite(res, 1, len, stdout);
  decc_free(res);
  if (rc == CLI_OK && dest) {
    if (g_cli.json)
      rc = cli_print_json(json_pack("{s:s,s:s,s:I}", "taskId", task, "output",
                                    dest, "size", (json_int_t)len));
    else
      printf("result of task %s written to %s (%zu bytes)\n", task, dest, len);
  }
  return rc;
}

static const cli_sub SUBS[] = {
    {"keygen", "[-o DIR] [--name NAME]: the beneficiary RSA key pair",
     cmd_keygen},
    {"encrypt", "IEXEC_OUT.zip --public-key PUB -o ARCHIVE.zip: as TEEs do",
     cmd_encrypt},
    {"decrypt", "ARCHIVE.zip --private-key KEY [-o OUT]: decrypt a result",
     cmd_decrypt},
    {"pubkey", "--key FILE [--sms]: the public key (SPKI PEM)", cmd_pubkey},
    {"get", "TASK_ID [--path ENTRY] [-o FILE]: download and decrypt it",
     cmd_get},
    {NULL, NULL, NULL}};

int cli_cmd_result(int argc, char **argv) {
  return cli_dispatch("result", NULL, SUBS, argc, argv);
}
