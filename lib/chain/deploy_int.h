/*
 * deploy_int.h — the DataProtector artifact compiled into the library.
 * Defined in a C file that CMake generates at configure time from the
 * committed contracts/build/DataProtector.json (template
 * lib/chain/dataprotector_code.c.in), so the bytecode decc deploys is the
 * one tests/integration/test_contracts.sh checks against solc, and an
 * installed decc needs no source tree.
 */
#ifndef DECC_CHAIN_DEPLOY_INT_H
#define DECC_CHAIN_DEPLOY_INT_H

/* "0x…" creation bytecode, lowercase hex. */
extern const char decc__dataprotector_hex[];
/* solc version string recorded in the artifact. */
extern const char decc__dataprotector_compiler[];
/* SHA-256 (hex) of contracts/DataProtector.sol recorded in the artifact. */
extern const char decc__dataprotector_source_sha256[];

#endif
