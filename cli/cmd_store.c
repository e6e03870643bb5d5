/*
 * cmd_store.c — `decc store`: the content store from the command line.
 * Works on the local blockstore (<home>/store) or, with --ipfs-api URL, on
 * a real IPFS node (Kubo RPC) for add/cat/get. CIDs match Kubo's defaults
 * (CIDv0) or `ipfs add --cid-version 1`.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "decc/cid.h"
#include "decc/mem.h"
#include "decc/store.h"

/* Printed after every subcommand's options and in the overview. */
#define STORE_FOOTER_TEXT                                                      \
  "The local store lives in <home>/store (home: --home, $DECC_HOME or "        \
  "~/.decc).\n"                                                                \
  "Every block read is checked against its hash; a damaged or missing "        \
  "block\n"                                                                    \
  "is an error naming its CID.\n"
static const char STORE_FOOTER[] = STORE_FOOTER_TEXT;

/* The overview of `decc store` (cli_dispatch adds the command list). */
static const char STORE_OVERVIEW[] =
    "The content store: the local blockstore, or with --ipfs-api URL an IPFS\n"
    "node's Kubo RPC API (add, cat, get), e.g. "
    "http://127.0.0.1:5001.\n" STORE_FOOTER_TEXT;

typedef struct store_opts {
  const char *api;
  const char *dir;
  const char *out;
  unsigned cid_version;
  int pin;
  int only_cid;
  uint64_t offset, length;
  const char *arg; /* the one positional argument */
} store_opts;

/* Which options a subcommand takes (store_sub.opts). */
enum {
  O_API = 1 << 0,  /* --ipfs-api */
  O_OUT = 1 << 1,  /* -o */
  O_ADD = 1 << 2,  /* --cid-version, --no-pin, --pin, -Q */
  O_RANGE = 1 << 3 /* --offset, --length */
};

typedef struct store_sub {
  const char *name;
  int (*fn)(const store_opts *o, int arg);
  int arg;       /* passed to fn (pin: 1, unpin: 0) */
  unsigned opts; /* O_* */
  int max_args;  /* CID or FILE: 1; pins, gc: 0 */
  const char *help;
} store_sub;

/* Parses the options of subcommand sub by its own table. Returns CLI_RUN,
 * or the exit code (help printed, or a usage error). */
static int parse_opts(store_opts *o, const store_sub *sub, int argc,
                      char **argv) {
  memset(o, 0, sizeof *o);
  o->pin = 1;
  o->length = UINT64_MAX;
  const char *cid_version = NULL, *pin = NULL;
  int no_pin = 0;
  cli_opt all[] = {
      {"ipfs-api", 0, CLI_OPT_STR, &o->api, "URL",
       "use an IPFS node's Kubo RPC API, e.g. http://127.0.0.1:5001", 0, 0, 0},
      {"output", 'o', CLI_OPT_STR, &o->out, "FILE",
       "write the file to FILE (atomically)", 0, 0, 0},
      {"cid-version", 0, CLI_OPT_STR, &cid_version, "0|1",
       "CIDv0 (Kubo's default) or CIDv1", 0, 0, 0},
      {"no-pin", 0, CLI_OPT_FLAG, &no_pin, NULL, "do not pin what is added", 0,
       0, 0},
      {"pin", 0, CLI_OPT_STR, &pin, "true|false",
       "--pin=false is --no-pin (Kubo's spelling)", 0, 0, 0},
      {"cid-only", 'Q', CLI_OPT_FLAG, &o->only_cid, NULL, "print only the CID",
       0, 0, 0},
      {"offset", 0, CLI_OPT_U64, &o->offset, "N", "start at byte N", 0, 0, 0},
      {"length", 0, CLI_OPT_U64, &o->length, "N", "write at most N bytes", 0, 0,
       0},
      {"store", 0, CLI_OPT_STR, &o->dir, "DIR",
       "blockstore directory (default <home>/store)", 0, 0, 0},
  };
  /* Which subcommands take each row of all[] (0: every one). */
  static const unsigned TAKEN_BY[] = {O_API, O_OUT,   O_ADD,   O_ADD, O_ADD,
                                      O_ADD, O_RANGE, O_RANGE, 0};
  _Static_assert(sizeof TAKEN_BY / sizeof TAKEN_BY[0] ==
                     sizeof all / sizeof all[0],
                 "one TAKEN_BY entry per option");
  cli_opt opts[sizeof all / sizeof all[0] + 1];
  size_t n = 0;
  for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
    if (!TAKEN_BY[k] || (TAKEN_BY[k] & sub->opts))
      opts[n++] = all[k];
  opts[n] = (cli_opt){0};
  char cmd[32];
  snprintf(cmd, sizeof cmd, "store %s", sub->name);
  cli_spec spec = {cmd, sub->help, opts, NULL, sub->max_args, STORE_FOOTER};
  int np, rc = cli_parse(&spec, argc, argv, &np);
  if (rc != CLI_RUN)
    return rc;
  o->arg = np ? argv[1] : NULL;
  if (cid_version) {
    if (strcmp(cid_version, "0") && strcmp(cid_version, "1"))
      return cli_cmd_usage(cmd, "--cid-version must be 0 or 1");
    o->cid_version = (unsigned)(cid_version[0] - '0');
  }
  if (pin && strcmp(pin, "false") && strcmp(pin, "true"))
    return cli_cmd_usage(cmd, "--pin must be true or false");
  if (no_pin || (pin && !strcmp(pin, "false")))
    o->pin = 0;
  return CLI_RUN;
}

/* Opens the local blockstore. Returns NULL after printing an error. */
static decc_blockstore *open_store(const store_opts *o) {
  char path[PATH_MAX + 16];
  if (o->dir) {
    snprintf(path, sizeof path, "%s", o->dir);
  } else {
    const char *home = g_cli.home;
    char def[PATH_MAX];
    if (!home) {
      const char *h = getenv("HOME");
      if (!h) {
        cli_fail("no home directory: use --home or set DECC_HOME");
        return NULL;
      }
      if ((size_t)snprintf(def, sizeof def, "%s/.decc", h) >= sizeof def) {
        cli_fail("home directory path too long");
        return NULL;
      }
      home = def;
    }
    if (mkdir(home, 0700) != 0 && errno != EEXIST) {
      cli_fail("%s: %s", home, strerror(errno));
      return NULL;
    }
    snprintf(path, sizeof path, "%s/store", home);
  }
  decc_blockstore *bs;
  decc_err err;
  decc_err_clear(&err);
  if (decc_blockstore_open(&bs, path, &err)) {
    cli_fail_err(&err);
    return NULL;
  }
  return bs;
}

static int need_cid(const store_opts *o, decc_cid *cid) {
  if (!o->arg)
    return cli_usage_error("a CID is required");
  decc_err err;
  decc_err_clear(&err);
  const char *s = o->arg;
  if (!strncmp(s, "/ipfs/", 6))
    s += 6;
  if (decc_cid_parse(cid, s, &err))
    return cli_fail_err(&err);
  return CLI_OK;
}

static int cmd_add(const store_opts *o) {
  if (!o->arg)
    return cli_usage_error("add needs a FILE");
  decc_cid cid;
  uint64_t size = 0;
  decc_err err;
  decc_err_clear(&err);
  decc_status st;
  if (o->api) {
    decc_kubo_add_opts ko = {o->cid_version, -1, o->pin, 0};
    st = decc_kubo_add_file(o->api, o->arg, &ko, &cid, &size, &err);
  } else {
    decc_blockstore *bs = open_store(o);
    if (!bs)
      return CLI_FAIL;
    decc_import_opts io;
    decc_import_opts_default(&io, o->cid_version);
    int fd = strcmp(o->arg, "-") ? -1 : 0;
    st = decc_store_add_fd(bs, &cid, &size, &io, fd, fd == 0 ? "stdin" : o->arg,
                           o->pin, &err);
    decc_blockstore_close(bs);
  }
  if (st)
    return cli_fail_err(&err);
  char cs[DECC_CID_STR_MAX];
  if (decc_cid_to_string(cs, sizeof cs, &cid))
    return cli_fail("cannot format the CID");
  const char *base = strrchr(o->arg, '/');
  base = base ? base + 1 : o->arg;
  if (g_cli.json) {
    char sz[24];
    snprintf(sz, sizeof sz, "%llu", (unsigned long long)size);
    return cli_print_json(
        json_pack("{s:s,s:s,s:s}", "Name", base, "Hash", cs, "Size", sz));
  }
  if (o->only_cid || g_cli.quiet)
    printf("%s\n", cs);
  else
    printf("added %s %s\n", cs, base);
  return CLI_OK;
}

static decc_status fd_write(void *ud, const uint8_t *p, size_t n,
                            decc_err *err) {
  int fd = *(int *)ud;
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return decc_err_set(err, DECC_E_IO, "write: %s", strerror(errno));
    p += w;
    n -= (size_t)w;
  }
  return DECC_OK;
}

/* Streams the file to fd (local store or remote node). */
static decc_status fetch_to_fd(const store_opts *o, const decc_cid *cid, int fd,
                               decc_err *err) {
  if (o->api) {
    if (o->offset || o->length != UINT64_MAX)
      return decc_err_set(
          err, DECC_E_UNSUPPORTED,
          "--offset/--length are not supported with --ipfs-api");
    return decc_kubo_cat(o->api, cid, 1, fd_write, &fd, 0, err);
  }
  decc_blockstore *bs = open_store(o);
  if (!bs)
    return decc_err_set(err, DECC_E_IO, "cannot open the store");
  decc_status st =
      decc_store_cat(bs, cid, o->offset, o->length, fd_write, &fd, err);
  decc_blockstore_close(bs);
  return st;
}

static int cmd_cat(const store_opts *o) {
  decc_cid cid;
  int rc = need_cid(o, &cid);
  if (rc)
    return rc;
  decc_err err;
  decc_err_clear(&err);
  if (fetch_to_fd(o, &cid, 1, &err))
    return err.msg[0] ? cli_fail_err(&err) : CLI_FAIL;
  return CLI_OK;
}

static int cmd_get(const store_opts *o) {
  decc_cid cid;
  int rc = need_cid(o, &cid);
  if (rc)
    return rc;
  if (!o->out)
    return cli_usage_error("get needs -o FILE");
  size_t pl = strlen(o->out);
  char *tmp = decc_malloc(pl + 16);
  if (!tmp)
    return cli_fail("out of memory");
  snprintf(tmp, pl + 16, "%s.tmpXXXXXX", o->out);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    decc_free(tmp);
    return cli_fail("%s: %s", o->out, strerror(e));
  }
  decc_err err;
  decc_err_clear(&err);
  decc_status st = fetch_to_fd(o, &cid, fd, &err);
  if (!st && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
    st = decc_err_set(&err, DECC_E_IO, "%s: %s", o->out, strerror(errno));
  if (close(fd) != 0 && !st)
    st = decc_err_set(&err, DECC_E_IO, "%s: %s", o->out, strerror(errno));
  if (!st && rename(tmp, o->out) != 0)
    st = decc_err_set(&err, DECC_E_IO, "%s: %s", o->out, strerror(errno));
  if (st) {
    unlink(tmp);
    decc_free(tmp);
    return cli_fail_err(&err);
  }
  decc_free(tmp);
  if (g_cli.json)
    return cli_print_json(
        json_pack("{s:s,s:s}", "Hash", o->arg, "Path", o->out));
  cli_progress("saved %s to %s", o->arg, o->out);
  return CLI_OK;
}

static const char *type_name(int t) {
  switch (t) {
  case DECC_UNIXFS_RAW:
    return "raw";
  case DECC_UNIXFS_DIRECTORY:
    return "directory";
  case DECC_UNIXFS_FILE:
    return "file";
  case DECC_UNIXFS_METADATA:
    return "metadata";
  case DECC_UNIXFS_SYMLINK:
    return "symlink";
  case DECC_UNIXFS_HAMT_SHARD:
    return "hamt-sharded-directory";
  default:
    return "none";
  }
}

static int cmd_stat(const store_opts *o) {
  decc_cid cid;
  int rc = need_cid(o, &cid);
  if (rc)
    return rc;
  decc_blockstore *bs = open_store(o);
  if (!bs)
    return CLI_FAIL;
  decc_store_stat_info in;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_store_stat(bs, &cid, &in, &err);
  int pinned = decc_blockstore_is_pinned(bs, &cid);
  decc_blockstore_close(bs);
  if (st)
    return cli_fail_err(&err);
  const char *codec = in.codec == DECC_CODEC_RAW ? "raw" : "dag-pb";
  if (g_cli.json)
    return cli_print_json(json_pack(
        "{s:s,s:s,s:I,s:I,s:s,s:I,s:I,s:b}", "Hash", o->arg, "Codec", codec,
        "BlockSize", (json_int_t)in.block_size, "NumLinks",
        (json_int_t)in.nlinks, "Type",
        in.codec == DECC_CODEC_RAW ? "raw" : type_name(in.unixfs_type),
        "FileSize", (json_int_t)in.file_size, "CumulativeSize",
        (json_int_t)in.cumulative_size, "Pinned", pinned));
  printf("Hash: %s\nCodec: %s\nBlockSize: %zu\nNumLinks: %zu\nType: %s\n"
         "FileSize: %llu\nCumulativeSize: %llu\nPinned: %s\n",
         o->arg, codec, in.block_size, in.nlinks,
         in.codec == DECC_CODEC_RAW ? "raw" : type_name(in.unixfs_type),
         (unsigned long long)in.file_size,
         (unsigned long long)in.cumulative_size, pinned ? "yes" : "no");
  return CLI_OK;
}

static decc_status ls_print(void *ud, const char *name, const decc_cid *cid,
                            uint64_t tsize, decc_err *err) {
  json_t *arr = ud;
  char cs[DECC_CID_STR_MAX];
  if (decc_cid_to_string(cs, sizeof cs, cid))
    return decc_err_set(err, DECC_E_INVALID, "bad link CID");
  if (arr) {
    if (json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:I}", "Name", name, "Hash",
                                        cs, "Size", (json_int_t)tsize)))
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    return DECC_OK;
  }
  printf("%s %llu %s\n", cs, (unsigned long long)tsize, name);
  return DECC_OK;
}

static int cmd_ls(const store_opts *o) {
  decc_cid cid;
  int rc = need_cid(o, &cid);
  if (rc)
    return rc;
  decc_blockstore *bs = open_store(o);
  if (!bs)
    return CLI_FAIL;
  json_t *arr = g_cli.json ? json_array() : NULL;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_store_ls(bs, &cid, ls_print, arr, &err);
  decc_blockstore_close(bs);
  if (st) {
    json_decref(arr);
    return cli_fail_err(&err);
  }
  if (arr)
    return cli_print_json(json_pack("{s:s,s:o}", "Hash", o->arg, "Links", arr));
  return CLI_OK;
}

static int cmd_pin(const store_opts *o, int pin) {
  decc_cid cid;
  int rc = need_cid(o, &cid);
  if (rc)
    return rc;
  decc_blockstore *bs = open_store(o);
  if (!bs)
    return CLI_FAIL;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = pin ? decc_blockstore_pin(bs, &cid, &err)
                       : decc_blockstore_unpin(bs, &cid, &err);
  decc_blockstore_close(bs);
  if (st)
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:[s]}", "Pins", o->arg));
  if (!g_cli.quiet)
    printf("%s %s\n", pin ? "pinned" : "unpinned", o->arg);
  return CLI_OK;
}

static decc_status pins_print(void *ud, const decc_cid *cid, decc_err *err) {
  char cs[DECC_CID_STR_MAX];
  if (decc_cid_to_string(cs, sizeof cs, cid))
    return decc_err_set(err, DECC_E_INVALID, "bad pin CID");
  if (ud)
    return json_array_append_new(ud, json_string(cs))
               ? decc_err_set(err, DECC_E_NOMEM, "out of memory")
               : DECC_OK;
  printf("%s recursive\n", cs);
  return DECC_OK;
}

static int cmd_pins(const store_opts *o) {
  decc_blockstore *bs = open_store(o);
  if (!bs)
    return CLI_FAIL;
  json_t *arr = g_cli.json ? json_array() : NULL;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_blockstore_pins(bs, pins_print, arr, &err);
  decc_blockstore_close(bs);
  if (st) {
    json_decref(arr);
    return cli_fail_err(&err);
  }
  if (arr)
    return cli_print_json(json_pack("{s:o}", "Pins", arr));
  return CLI_OK;
}

static int cmd_gc(const store_opts *o) {
  decc_blockstore *bs = open_store(o);
  if (!bs)
    return CLI_FAIL;
  uint64_t nb = 0, bytes = 0;
  decc_err err;
  decc_err_clear(&err);
  decc_status st = decc_blockstore_gc(bs, &nb, &bytes, &err);
  decc_blockstore_close(bs);
  if (st)
    return cli_fail_err(&err);
  if (g_cli.json)
    return cli_print_json(json_pack("{s:I,s:I}", "RemovedBlocks",
                                    (json_int_t)nb, "RemovedBytes",
                                    (json_int_t)bytes));
  if (!g_cli.quiet)
    printf("removed %llu blocks (%llu bytes)\n", (unsigned long long)nb,
           (unsigned long long)bytes);
  return CLI_OK;
}

static int cmd_pins_(const store_opts *o, int arg) {
  (void)arg;
  return cmd_pins(o);
}
static int cmd_gc_(const store_opts *o, int arg) {
  (void)arg;
  return cmd_gc(o);
}
static int cmd_add_(const store_opts *o, int arg) {
  (void)arg;
  return cmd_add(o);
}
static int cmd_cat_(const store_opts *o, int arg) {
  (void)arg;
  return cmd_cat(o);
}
static int cmd_get_(const store_opts *o, int arg) {
  (void)arg;
  return cmd_get(o);
}
static int cmd_stat_(const store_opts *o, int arg) {
  (void)arg;
  return cmd_stat(o);
}
static int cmd_ls_(const store_opts *o, int arg) {
  (void)arg;
  return cmd_ls(o);
}

static const store_sub SUBS[] = {
    {"add", cmd_add_, 0, O_API | O_ADD, 1,
     "usage: decc store add FILE [--cid-version 0|1] [--no-pin] [-Q]\n\n"
     "Imports FILE ('-' stdin) and prints its CID (Kubo's defaults).\n"},
    {"cat", cmd_cat_, 0, O_API | O_RANGE, 1,
     "usage: decc store cat CID [--offset N] [--length N]\n\n"
     "Writes the file to stdout.\n"},
    {"get", cmd_get_, 0, O_API | O_OUT, 1,
     "usage: decc store get CID -o FILE\n\n"
     "Writes the file to FILE (atomically).\n"},
    {"stat", cmd_stat_, 0, 0, 1,
     "usage: decc store stat CID\n\n"
     "Block size, type, links and sizes of a local block.\n"},
    {"ls", cmd_ls_, 0, 0, 1,
     "usage: decc store ls CID\n\nThe links of a local node.\n"},
    {"pin", cmd_pin, 1, 0, 1,
     "usage: decc store pin CID\n\nPins CID and what it links to.\n"},
    {"unpin", cmd_pin, 0, 0, 1,
     "usage: decc store unpin CID\n\nRemoves the recursive pin of CID.\n"},
    {"pins", cmd_pins_, 0, 0, 0,
     "usage: decc store pins\n\nThe recursive pins of the local store.\n"},
    {"gc", cmd_gc_, 0, 0, 0,
     "usage: decc store gc\n\nDeletes the unpinned blocks.\n"},
};

/* Every subcommand: argv[0] names its SUBS row, whose table parses the
 * options. */
static int store_run(int argc, char **argv) {
  for (size_t i = 0; i < sizeof SUBS / sizeof SUBS[0]; i++) {
    if (strcmp(argv[0], SUBS[i].name))
      continue;
    store_opts o;
    int rc = parse_opts(&o, &SUBS[i], argc, argv);
    if (rc != CLI_RUN)
      return rc;
    return SUBS[i].fn(&o, SUBS[i].arg);
  }
  return cli_fail("store: no table row for '%s'", argv[0]); /* not reached */
}

static const cli_sub DISPATCH[] = {
    {"add", "FILE [--cid-version 0|1] [--no-pin] [-Q]: import, print the CID",
     store_run},
    {"cat", "CID [--offset N] [--length N]: write the file to stdout",
     store_run},
    {"get", "CID -o FILE: write the file (atomically)", store_run},
    {"stat", "CID: block size, type, links, sizes", store_run},
    {"ls", "CID: links of a node", store_run},
    {"pin", "CID: pin it and what it links to", store_run},
    {"unpin", "CID: remove its recursive pin", store_run},
    {"pins", "the recursive pins", store_run},
    {"gc", "delete unpinned blocks", store_run},
    {NULL, NULL, NULL}};

int cli_cmd_store(int argc, char **argv) {
  return cli_dispatch("store", STORE_OVERVIEW, DISPATCH, argc, argv);
}
