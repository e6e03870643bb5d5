/*
 * mime.c — the MIME type DataProtector records for a binary value.
 *
 * The SDK asks magic-bytes.js for every type matching the bytes and keeps
 * the first one in its supported list. magic-bytes.js is not a flat
 * signature list but a tree walk with particular rules, and those rules
 * decide the answer for overlapping signatures, so decc reproduces the walk
 * rather than matching signatures independently:
 *   - signatures are grouped by offset; the groups with an offset are
 *     tried in the order their offset first appeared, the offset-0 group
 *     last, and a group is skipped when its offset is past the data;
 *   - within a group the walk follows the data byte by byte along the
 *     signatures still alive; at each step a "?" wildcard is taken only if
 *     no signature has the exact byte there (no backtracking);
 *   - at each step where some of the surviving signatures end, those
 *     become the group's answer (deeper matches replace shallower ones),
 *     in registration order.
 * Simulating the tree over the live signature set gives the same answers
 * as building it. The table (lib/protect/mime_sigs.inc) is generated from
 * magic-bytes.js by tools/vectors/gen_protect.mjs; tests/vectors/protect/
 * mime.json holds the SDK's answers on crafted inputs.
 */
#include <string.h>

#include "protect_int.h"

/* Order fixed by the generator's SUPPORTED list (indices in the table). */
const char *const decc__pd_mime_names[15] = {"application/octet-stream",
                                             "application/pdf",
                                             "application/xml",
                                             "application/zip",
                                             "audio/midi",
                                             "audio/mpeg",
                                             "audio/x-wav",
                                             "image/bmp",
                                             "image/gif",
                                             "image/jpeg",
                                             "image/png",
                                             "image/webp",
                                             "video/mp4",
                                             "video/mpeg",
                                             "video/x-msvideo"};

typedef struct mime_sig {
  uint16_t offset;
  uint8_t len;
  int8_t mime;       /* index in decc__pd_mime_names, -1 = not supported */
  int16_t bytes[40]; /* -1 = wildcard */
} mime_sig;

#define SIG(off, n, mi, name, ...) {off, n, mi, __VA_ARGS__},
static const mime_sig sigs[] = {
#include "mime_sigs.inc"
};
#undef SIG
enum { NSIGS = sizeof sigs / sizeof sigs[0] };

/* Walks the group of signatures at `offset`. Returns the first supported
 * MIME index among the group's final matches, -1 if none (or no match). */
static int walk(const uint8_t *data, size_t len, uint16_t offset) {
  uint8_t alive[NSIGS];
  size_t nalive = 0;
  for (size_t i = 0; i < NSIGS; i++) {
    alive[i] = sigs[i].offset == offset;
    nalive += alive[i];
  }
  int answer = -1;
  for (size_t d = 0; offset + d < len && nalive; d++) {
    int b = data[offset + d];
    int wild = 0, exact = 0;
    for (size_t i = 0; i < NSIGS; i++) {
      if (!alive[i] || sigs[i].len <= d)
        continue;
      if (sigs[i].bytes[d] == -1)
        wild = 1;
      else if (sigs[i].bytes[d] == b)
        exact = 1;
    }
    int want = (wild && !exact) ? -1 : b;
    nalive = 0;
    int ended = 0, first_supported = -1;
    for (size_t i = 0; i < NSIGS; i++) {
      if (!alive[i])
        continue;
      if (sigs[i].len <= d || sigs[i].bytes[d] != want) {
        alive[i] = 0;
        continue;
      }
      nalive++;
      if (sigs[i].len == d + 1) {
        ended = 1;
        if (first_supported < 0 && sigs[i].mime >= 0)
          first_supported = sigs[i].mime;
      }
    }
    if (ended)
      answer = first_supported;
  }
  return answer;
}

const char *decc_pd_sniff_mime(const uint8_t *data, size_t len) {
  DECC_ARG_CHECK_RET(data != NULL || len == 0, NULL);
  /* Offset groups in order of first appearance, offset 0 last. */
  uint16_t seen[NSIGS];
  size_t nseen = 0;
  for (size_t i = 0; i < NSIGS; i++) {
    uint16_t off = sigs[i].offset;
    if (off == 0)
      continue;
    size_t k = 0;
    while (k < nseen && seen[k] != off)
      k++;
    if (k == nseen)
      seen[nseen++] = off;
  }
  for (size_t k = 0; k < nseen; k++) {
    if (seen[k] >= len)
      continue;
    int m = walk(data, len, seen[k]);
    if (m >= 0)
      return decc__pd_mime_names[m];
  }
  if (len > 0) {
    int m = walk(data, len, 0);
    if (m >= 0)
      return decc__pd_mime_names[m];
  }
  return decc__pd_mime_names[0];
}

size_t decc__pd_mime_span(void) {
  size_t m = 0;
  for (size_t i = 0; i < NSIGS; i++)
    if ((size_t)sigs[i].offset + sigs[i].len > m)
      m = (size_t)sigs[i].offset + sigs[i].len;
  return m;
}
