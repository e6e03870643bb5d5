/*
 * app_bundle.h — `decc app init|build` handlers (see app_bundle.c).
 */
#ifndef DECC_CLI_APP_BUNDLE_H
#define DECC_CLI_APP_BUNDLE_H
/* `decc app init` and `decc app build` (argv[0] is the subcommand name).
 * Return a CLI exit code: 0 ok, 1 failure, 2 usage (printed). */
int cli_app_init(int argc, char **argv);
int cli_app_build(int argc, char **argv);

#include <stddef.h>
/* python/decc_protected.py, embedded at build time (CMakeLists.txt
 * generates it): NUL-terminated text of decc_py_reader_len bytes. */
extern const unsigned char decc_py_reader[];
extern const size_t decc_py_reader_len;
/* Scaffolds a Python iApp in dir (created if missing, must be empty):
 * decc-app.json, app.py and decc_protected.py (app_python.c). Returns
 * DECC_OK or the error (err). */
#include "decc/common.h"
decc_status cli_app_scaffold_python(const char *dir, const char *name,
                                    decc_err *err);
#endif
