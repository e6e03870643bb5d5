/*
 * app_bundle.h — `decc app init|build` handlers (see app_bundle.c).
 */
#ifndef DECC_CLI_APP_BUNDLE_H
#define DECC_CLI_APP_BUNDLE_H
/* argv[0] is "init" or "build". Returns a CLI exit code, or -1 when
 * argv[0] is neither. */
int cli_app_bundle(int argc, char **argv);
#endif
