/*
 * cli_common.c — error output, JSON output, file and password input and
 * atomic file writes shared by every `decc` subcommand.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "decc/mem.h"

int cli_fail(const char *fmt, ...) {
  va_list ap;
  fputs("decc: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return CLI_FAIL;
}

int cli_usage_error(const char *fmt, ...) {
  va_list ap;
  fputs("decc: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs(" (see --help)\n", stderr);
  return CLI_USAGE;
}

int cli_fail_err(const decc_err *err) {
  if (err->msg[0])
    return cli_fail("%s", err->msg);
  return cli_fail("%s", decc_strerror(err->code));
}

void cli_progress(const char *fmt, ...) {
  if (g_cli.quiet || g_cli.json)
    return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_print_json(json_t *j) {
  if (!j)
    return cli_fail("out of memory");
  char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!s)
    return cli_fail("out of memory");
  puts(s);
  free(s);
  return CLI_OK;
}

const char *cli_self_exe(void) {
  static char path[4096];
  if (!path[0]) {
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0 || (size_t)n >= sizeof path - 1) {
      path[0] = 0;
      return NULL;
    }
    path[n] = 0;
  }
  return path;
}

char *cli_read_file(const char *path, size_t max, size_t *len, int secret) {
  int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
  if (fd < 0) {
    cli_fail("%s: %s", path, strerror(errno));
    return NULL;
  }
  /* The buffer holds up to max bytes plus one probe byte: reading that
   * extra byte is how a file of more than max bytes is told apart from one
   * of exactly max bytes. Secret files get their whole buffer up front in
   * secure memory (never realloc'd: that would leave copies behind). */
  size_t cap = secret ? max + 1 : (max + 1 < 4096 ? max + 1 : 4096), n = 0;
  char *buf = secret ? decc_secure_alloc(cap + 1) : decc_malloc(cap + 1);
  if (!buf) {
    if (fd)
      close(fd);
    cli_fail("out of memory");
    return NULL;
  }
  for (;;) {
    if (n > max) {
      if (secret)
        decc_secure_free(buf);
      else
        decc_free(buf);
      if (fd)
        close(fd);
      cli_fail("%s: file too large (limit %zu bytes)", path, max);
      return NULL;
    }
    if (n == cap) { /* only plain buffers get here: secret cap is max+1 */
      size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
      char *nb = decc_realloc(buf, ncap + 1);
      if (!nb) {
        decc_free(buf);
        if (fd)
          close(fd);
        cli_fail("out of memory");
        return NULL;
      }
      buf = nb;
      cap = ncap;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int e = errno;
      if (secret)
        decc_secure_free(buf);
      else
        decc_free(buf);
      if (fd)
        close(fd);
      cli_fail("%s: %s", path, strerror(e));
      return NULL;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  if (fd)
    close(fd);
  if (secret)
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
      buf[--n] = 0;
  buf[n] = 0;
  if (len)
    *len = n;
  return buf;
}

static char *prompt_once(const char *prompt) {
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    cli_fail("no terminal to read a password from; use --password-file");
    return NULL;
  }
  struct termios old, quiet;
  if (tcgetattr(fd, &old) != 0) {
    close(fd);
    cli_fail("cannot read a password from this terminal; use --password-file");
    return NULL;
  }
  quiet = old;
  quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
  quiet.c_lflag |= ICANON;
  if (write(fd, prompt, strlen(prompt)) < 0) { /* best effort */
  }
  tcsetattr(fd, TCSAFLUSH, &quiet);
  enum { MAXPW = 1024 };
  char *buf = decc_secure_alloc(MAXPW + 1);
  size_t n = 0;
  while (buf && n < MAXPW) {
    char c;
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0 || c == '\n' || c == '\r')
      break;
    buf[n++] = c;
  }
  tcsetattr(fd, TCSAFLUSH, &old);
  if (write(fd, "\n", 1) < 0) { /* best effort */
  }
  close(fd);
  if (!buf)
    cli_fail("out of memory");
  return buf;
}

char *cli_read_password(const char *path, const char *prompt, int confirm) {
  if (path) {
    size_t len = 0;
    char *pw = cli_read_file(path, 4096, &len, 1);
    if (!pw)
      return NULL;
    /* The password is the first line of the file (geth/foundry style). */
    char *nl = strpbrk(pw, "\r\n");
    if (nl)
      decc_memzero(nl, len - (size_t)(nl - pw));
    return pw;
  }
  char *a = prompt_once(prompt ? prompt : "Password: ");
  if (!a || !confirm)
    return a;
  char *b = prompt_once("Repeat password: ");
  if (!b) {
    decc_secure_free(a);
    return NULL;
  }
  size_t la = strlen(a), lb = strlen(b);
  int same = la == lb && decc_ct_memeq(a, b, la);
  decc_secure_free(b);
  if (!same) {
    decc_secure_free(a);
    cli_fail("passwords do not match");
    return NULL;
  }
  return a;
}

int cli_write_file_atomic(const char *path, const void *data, size_t len,
                          unsigned mode) {
  size_t plen = strlen(path);
  char *tmp = decc_malloc(plen + 16);
  if (!tmp)
    return cli_fail("out of memory");
  snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    decc_free(tmp);
    return cli_fail("%s: %s", path, strerror(e));
  }
  if (fchmod(fd, (mode_t)mode) != 0)
    goto fail;
  const uint8_t *p = data;
  size_t off = 0;
  while (off < len) {
    ssize_t w = write(fd, p + off, len - off);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      goto fail;
    off += (size_t)w;
  }
  if (fsync(fd) != 0)
    goto fail;
  if (close(fd) != 0) {
    fd = -1;
    goto fail;
  }
  fd = -1;
  if (rename(tmp, path) != 0)
    goto fail;
  /* make the rename itself durable */
  {
    char *dir = decc_strdup(path);
    if (dir) {
      char *slash = strrchr(dir, '/');
      const char *d = ".";
      if (slash == dir)
        d = "/";
      else if (slash) {
        *slash = 0;
        d = dir;
      }
      int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
      }
      decc_free(dir);
    }
  }
  decc_free(tmp);
  return CLI_OK;
fail:;
  int e = errno;
  if (fd >= 0)
    close(fd);
  unlink(tmp);
  decc_free(tmp);
  return cli_fail("%s: %s", path, strerror(e));
}

int cli_mkdir_p(const char *path) {
  decc_err err;
  decc_err_clear(&err);
  if (decc_mkdir_p(path, 0700, &err) != DECC_OK)
    return cli_fail_err(&err);
  return CLI_OK;
}
