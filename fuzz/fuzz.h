/*
 * fuzz.h — the one declaration every fuzz target shares: the libFuzzer
 * entry point each fuzz/fuzz_*.c defines, and that libFuzzer (DECC_FUZZ=ON)
 * or replay_main.c (every other build) calls. Declared once here so that
 * the targets build with -Wmissing-prototypes without each repeating it.
 */
#ifndef DECC_FUZZ_H
#define DECC_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs the target on one input of SIZE bytes at DATA (DATA may be NULL when
   SIZE is 0). Returns 0; libFuzzer reserves other values. The input belongs
   to the caller and is only read. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
