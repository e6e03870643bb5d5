/*
 * cli_key.c — the signing key options shared by every command that signs:
 * --keystore FILE [--password-file FILE], --private-key-file FILE or
 * --wallet NAME (default: the configured or only wallet, cli_key_resolve).
 * cli_parse reads the options (cli_spec.key); this file loads the key.
 * The key is unlocked into secure memory; the password and the hex text
 * are wiped as soon as they have been used.
 */
#include <string.h>

#include "cli.h"
#include "decc/encoding.h"
#include "decc/keys.h"
#include "decc/keystore.h"
#include "decc/mem.h"

int cli_key_load(const cli_key_opts *o, uint8_t **sk32) {
  *sk32 = NULL;
  if (o->keystore && o->private_key_file)
    return cli_usage_error(
        "give either --keystore or --private-key-file, not both");
  cli_key_opts resolved = *o;
  if (!o->keystore && !o->private_key_file) {
    if (cli_key_resolve(&resolved) != CLI_OK)
      return CLI_FAIL;
    o = &resolved;
  }
  uint8_t *sk = decc_secure_alloc(32);
  if (!sk)
    return cli_fail("out of memory");
  decc_err err;
  decc_err_clear(&err);
  if (o->private_key_file) {
    size_t len = 0;
    char *text = cli_read_file(o->private_key_file, 256, &len, 1);
    if (!text) {
      decc_secure_free(sk);
      return CLI_FAIL;
    }
    /* Tolerate surrounding whitespace, as editors add it. */
    char *p = text;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
      p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' ||
                 p[n - 1] == '\r'))
      p[--n] = 0;
    decc_status st = decc_hex_decode_exact(sk, 32, p, "private key", &err);
    decc_secure_free(text);
    if (st == DECC_OK && decc_privkey_verify(sk) != DECC_OK)
      st = decc_err_set(&err, DECC_E_INVALID,
                        "private key is not a valid secp256k1 secret");
    if (st) {
      decc_secure_free(sk);
      return cli_fail("%s: %s", o->private_key_file, err.msg);
    }
    *sk32 = sk;
    return CLI_OK;
  }
  size_t jlen = 0;
  char *json = cli_read_file(o->keystore, 1 << 20, &jlen, 0);
  if (!json) {
    decc_secure_free(sk);
    return CLI_FAIL;
  }
  char *pw = cli_read_password(o->password_file, "Keystore password: ", 0);
  if (!pw) {
    decc_free(json);
    decc_secure_free(sk);
    return CLI_FAIL;
  }
  decc_status st =
      decc_keystore_decrypt(sk, NULL, json, jlen, pw, strlen(pw), &err);
  decc_secure_free(pw);
  decc_free(json);
  if (st) {
    decc_secure_free(sk);
    if (st == DECC_E_BAD_MAC)
      return cli_fail("%s: wrong password (keystore MAC mismatch)",
                      o->keystore);
    return cli_fail("%s: %s", o->keystore,
                    err.msg[0] ? err.msg : decc_strerror(st));
  }
  *sk32 = sk;
  return CLI_OK;
}
