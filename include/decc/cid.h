/*
 * decc/cid.h — content identifiers as IPFS writes them: unsigned varints,
 * multibase (base58btc "z…"/CIDv0, base32 lower "b…"), multihash
 * (sha2-256), CIDv0 / CIDv1 (dag-pb 0x70, raw 0x55 and any other codec
 * carried through), and the binary multiaddr iExec stores on chain for a
 * dataset ("/ipfs/<cid>" → a5 03 ‖ varint(len) ‖ multihash).
 *
 * All functions are pure (no I/O, no global state) and thread-safe.
 *
 * Misuse: every pointer argument is required unless its doc allows NULL
 * (err; the optional outputs of decc_multihash_parse and decc_cid_decode's
 * used; a data pointer may be NULL when its length is 0); a NULL one is
 * reported to the misuse handler (decc_set_misuse_handler, common.h) and
 * the function returns DECC_E_INVALID (0 when it returns a number or a
 * truth value; a void function returns at once) without touching
 * anything.
 */
#ifndef DECC_CID_H
#define DECC_CID_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Multicodec / multihash codes used by the store. */
#define DECC_CODEC_RAW 0x55u
#define DECC_CODEC_DAG_PB 0x70u
#define DECC_MH_SHA2_256 0x12u
#define DECC_MULTIADDR_IPFS 421u /* "ipfs"/"p2p" protocol code */

/* Longest multihash kept in a decc_cid (code varint + length varint +
 * digest up to 64 bytes, e.g. sha2-512). */
#define DECC_CID_MH_MAX 80
/* Longest text form decc_cid_to_string writes, including the NUL. */
#define DECC_CID_STR_MAX 160
/* Longest binary form (version + codec + multihash). */
#define DECC_CID_BIN_MAX (DECC_CID_MH_MAX + 20)

/* A parsed CID. Public fields; caller-allocated, no clear function needed. */
typedef struct decc_cid {
  unsigned version;            /* 0 or 1 */
  uint64_t codec;              /* multicodec (dag-pb for every CIDv0) */
  uint8_t mh[DECC_CID_MH_MAX]; /* multihash bytes: code ‖ len ‖ digest */
  size_t mh_len;
} decc_cid;

/* ---- unsigned varint (LEB128, as multiformats use it) -------------------- */

/* Writes v as an unsigned varint into out (at least 10 bytes).
 * Returns: the number of bytes written (1..10). */
DECC_API size_t decc_varint_encode(uint8_t out[10], uint64_t v);
/* Reads one varint from in[0..n). Out: *v, *used (bytes consumed).
 * Multiformats require the minimal encoding and at most 9 bytes (63 bits).
 * Returns: DECC_OK; DECC_E_PARSE (truncated, over-long or non-minimal). */
DECC_API decc_status decc_varint_decode(uint64_t *v, size_t *used,
                                        const uint8_t *in, size_t n);

/* ---- multibase alphabets ------------------------------------------------- */

/* Bitcoin base58 of in[0..n) (leading zero bytes become '1') into out
 * (cap bytes including the NUL). Returns: DECC_OK, DECC_E_RANGE when out is
 * too small, DECC_E_LIMIT for inputs above 1024 bytes. */
DECC_API decc_status decc_base58btc_encode(char *out, size_t cap,
                                           const uint8_t *in, size_t n);
/* Decodes base58btc text s[0..slen). Out: bytes into out, *len.
 * Returns: DECC_OK, DECC_E_PARSE (character outside the alphabet),
 * DECC_E_RANGE (out too small), DECC_E_LIMIT (text above 2048 chars). */
DECC_API decc_status decc_base58btc_decode(uint8_t *out, size_t cap,
                                           size_t *len, const char *s,
                                           size_t slen);
/* RFC 4648 base32, lowercase alphabet, no padding (multibase 'b').
 * Returns: DECC_OK or DECC_E_RANGE when out (cap incl. NUL) is too small. */
DECC_API decc_status decc_base32_encode(char *out, size_t cap,
                                        const uint8_t *in, size_t n);
/* Decodes unpadded base32 (either case). Returns: DECC_OK, DECC_E_PARSE
 * (bad character, impossible length or non-zero trailing bits),
 * DECC_E_RANGE (out too small). */
DECC_API decc_status decc_base32_decode(uint8_t *out, size_t cap, size_t *len,
                                        const char *s, size_t slen);

/* ---- multihash / CID ----------------------------------------------------- */

/* Builds the sha2-256 multihash 12 20 ‖ sha256(data) into mh34. */
DECC_API void decc_multihash_sha256(uint8_t mh34[34], const void *data,
                                    size_t n);
/* Checks a multihash's framing. Out (optional): *code, *digest (points into
 * mh), *digest_len. Returns: DECC_OK, DECC_E_PARSE (bad varints, length
 * mismatch or longer than DECC_CID_MH_MAX). */
DECC_API decc_status decc_multihash_parse(uint64_t *code,
                                          const uint8_t **digest,
                                          size_t *digest_len, const uint8_t *mh,
                                          size_t mh_len);

/* Fills cid with version, codec and the sha2-256 multihash of digest32.
 * CIDv0 requires codec == DECC_CODEC_DAG_PB. Returns: DECC_OK, DECC_E_INVALID. */
DECC_API decc_status decc_cid_from_sha256(decc_cid *cid, unsigned version,
                                          uint64_t codec,
                                          const uint8_t digest32[32]);
/* CID of a block: sha2-256 of block[0..n) under version/codec.
 * Returns: as decc_cid_from_sha256. */
DECC_API decc_status decc_cid_of_block(decc_cid *cid, unsigned version,
                                       uint64_t codec, const uint8_t *block,
                                       size_t n);

/* Parses the text form: CIDv0 ("Qm…", 46 base58btc chars of a sha2-256
 * multihash) or a multibase CIDv1 with prefix 'b'/'B' (base32) or 'z'
 * (base58btc). Returns: DECC_OK; DECC_E_PARSE with err naming the problem. */
DECC_API decc_status decc_cid_parse(decc_cid *cid, const char *s,
                                    decc_err *err);
/* Parses the binary form (CIDv0 = a bare 34-byte sha2-256 multihash,
 * CIDv1 = varint(1) ‖ varint(codec) ‖ multihash) from in[0..n). Out: *used
 * (optional) bytes consumed; without used the whole input must be the CID.
 * Returns: DECC_OK, DECC_E_PARSE. */
DECC_API decc_status decc_cid_decode(decc_cid *cid, size_t *used,
                                     const uint8_t *in, size_t n,
                                     decc_err *err);
/* Binary form of cid into out (cap >= DECC_CID_BIN_MAX is always enough).
 * Out: *len. Returns: DECC_OK, DECC_E_RANGE, DECC_E_INVALID (bad cid). */
DECC_API decc_status decc_cid_encode(uint8_t *out, size_t cap, size_t *len,
                                     const decc_cid *cid);
/* Text form: base58btc for v0, base32 lower ('b' prefix) for v1, into out
 * (cap >= DECC_CID_STR_MAX is always enough). Returns: DECC_OK,
 * DECC_E_RANGE, DECC_E_INVALID. */
DECC_API decc_status decc_cid_to_string(char *out, size_t cap,
                                        const decc_cid *cid);
/* Returns: 1 when a and b have the same version, codec and multihash. */
DECC_API int decc_cid_equal(const decc_cid *a, const decc_cid *b);
/* Returns: 1 when a and b name the same content hash (multihash equal,
 * version/codec ignored: e.g. Qm… and its bafy… form). */
DECC_API int decc_cid_same_hash(const decc_cid *a, const decc_cid *b);

/* ---- binary multiaddr (iExec dataset field) ------------------------------ */

/* Encodes "/ipfs/<cid>" or "/p2p/<cid>" (CIDv0 Qm… or CIDv1 b…/z…) to the
 * binary multiaddr varint(421)=a5 03 ‖ varint(len(multihash)) ‖ multihash
 * (CID version/codec dropped, as iExec does).
 * Out: bytes into out (cap bytes), *len.
 * Returns: DECC_OK, DECC_E_PARSE (err names the problem), DECC_E_RANGE. */
DECC_API decc_status decc_multiaddr_from_string(uint8_t *out, size_t cap,
                                                size_t *len, const char *s,
                                                decc_err *err);
/* Decodes a binary multiaddr to "/ipfs/<CIDv0 base58btc>" (heap string,
 * decc_free). Only one ipfs/p2p component holding a sha2-256 multihash is
 * accepted (anything else has no CIDv0 form).
 * Returns: DECC_OK, DECC_E_PARSE, DECC_E_NOMEM. */
DECC_API decc_status decc_multiaddr_to_string(char **out, const uint8_t *in,
                                              size_t n, decc_err *err);

#ifdef __cplusplus
}
#endif
#endif /* DECC_CID_H */
