/*
 * fuzz_result_zip.c — libFuzzer target for the encrypted result archive
 * reader (decc_result_decrypt): zip parsing through libzip, entry lookup and
 * limits, RSA key unwrapping (raw and legacy base64), AES-256-CBC and legacy
 * base64 + AES-128-ECB payloads. The private key is a fixed RSA-2048 test
 * key generated for this target (it protects nothing); the seed corpus in
 * fuzz/corpus/fuzz_result_zip/ holds archives made for it in both formats,
 * so mutations reach the payload stage.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decc/mem.h"
#include "decc/result.h"
#include "fuzz.h"

static const char FUZZ_KEY_PEM[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC8kzJkqeMiK5bV\n"
    "yJgCXhR9YMJdnBi0xamtQi07NOuBtWVyEEUx6QbOxzJDcFjS96vHi3aCaUbBGaWb\n"
    "2D6L+/wxoEXaLiLg0pAb768o7gy41iDQpeC5DUpySztWalj77uEIw7aRAlbbVHfA\n"
    "jkUA+40LS6JR/rH+QfcvNPtPdFC7rsuPoX7hzqD3Xfrm1OUmV45wLIo/dXWx0LLM\n"
    "kfsLIwyfbNfv7lcjwMMxb9ZKSqGTnhu+II9mTvJxinCHzreMUJubHTVTWy9Mn9TV\n"
    "MKxwcsMmhrmYjtLKcpIf3vfArBXWShZaMIWtnMMauZ49wiW7R7RqFKrvM89niG4Q\n"
    "LMrcuxC1AgMBAAECggEAHwNdWRFYnczJ6oBqQY9r8r/IT4FlzcspT+mPi0p1hfhJ\n"
    "hhQXcTEoEbdQdKdkMFQTwAZXd/Ss8oKPij0q8jY/wIChpFOMoGl40mNdrQ9Tb82l\n"
    "iXMSbZS6PuhRCrIETvC3OUwIuToHg1xVsokjX5k/VdF7UV1gNBbwumaOAz/3rBn3\n"
    "clHRGRtPPNr67Y/SPcmBmu8LGygXL+HgYn+fiU/cjp6oiBDMTvVBohLu8ZanIDIR\n"
    "2fwwo4o4f+/MDDgc1P9uHlo1lLOrjxnPBkHdMLe89jj7H/0fXQ1effkBEmuHTqDh\n"
    "O3AyKT857COFd1zKREizTU6oRTNC30rA25XaqtDCeQKBgQDu1aSTk3lqkdOpCG5K\n"
    "9/cmbo1/c/f/VQyZ7hy60Sy4IvEUUXP8iDUGVLlWGwAoBUNhQq81R1mgySt2wswa\n"
    "eF4nVNBo9tUAutsT5vtpT3zhj/Ag/V3YBE4CMFqQxb+9/ZTEqPGeFAtKVRo9ANgc\n"
    "b9sS4mf1gFqnbP9G2pPnCbGCrQKBgQDKINHmsa6KLqU0q9Jow3WHppcH8KB7VUDJ\n"
    "T2uNsY9AYAYkl1zKzcRV4q3LnPef11mg+klwyUu22O4OJ2i1VmXM/2lkCnTlf0+S\n"
    "jFGZW1TiEfSB43qsF8b66pIu22oXG6RAQdKyPk/D2pEbzZcxnfYypU/EYc1O8Rj0\n"
    "Cl7ONNkPKQKBgCjqCn6JhgQ+pQ7Q9ev73KgFylGqMTLZhAYep2dNjCajPb9oUMFT\n"
    "KBpEi1d32qgAdtGDlfY/mdgUflCjAEoMkryUJ/vDRSwR1pPrPuiEiHUvrkhIfzoR\n"
    "SrfPRsSES9ulREYIVxPohSKfv5XxvhPpCZOLm5mP+neyEW025p1uqK0lAoGACAf9\n"
    "zxjIQp1P2yPonFkH1nf8EEizV7Mve9A4Cc1AT+KA2/tXqIc8gd0b4rc974/y875+\n"
    "JIkbBQzhiJZwRqRELz0Gxv7TXjsMwlno9Br46HKmMHMFcMkREu83F72IHZrvj84N\n"
    "vR9UtAd/NIeatlH8ck63OKpaKgTSZP/0fGUFKuECgYAcS/WqLtTP1KxXa847dE0U\n"
    "/Y9eMto2MxRgIPHyx9H1k4SmRs59gSH+yrXpNIPpMq5CfT7C7Y8ZkEmbwuqvvIN8\n"
    "mz3p/9s3gXVv3H9+fg+9jPjDMy1j5pFfCH47zJ7lg0wHkuJdHLNn6uIxQzKeVNG2\n"
    "HLxAVkUeFrvf1Vu2U/v/ug==\n"
    "-----END PRIVATE KEY-----\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static decc_rsa_key *key;
  if (!key && decc_rsa_key_parse(&key, FUZZ_KEY_PEM, strlen(FUZZ_KEY_PEM),
                                 NULL) != DECC_OK)
    abort();
  uint8_t *out = NULL;
  size_t n = 0;
  decc_result_info info;
  decc_err err;
  decc_status st = decc_result_decrypt(&out, &n, &info, key, data, size, &err);
  if (st == DECC_OK) {
    /* a success reports consistent sizes and a NUL-terminated buffer */
    if (!out || info.output_size != n || out[n] != 0 ||
        (info.aes_bits != 128 && info.aes_bits != 256))
      abort();
  } else if (out || n || !err.msg[0] || strchr(err.msg, '\n')) {
    abort(); /* failures leave no output and give a one-line message */
  }
  decc_free(out);
  return 0;
}
