/*
 * sms_int.h — helpers shared by the SMS files (sms.c, sms_http.c,
 * sms_client.c); not part of the public API.
 */
#ifndef DECC_SMS_INT_H
#define DECC_SMS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "decc/common.h"

/* Returns: 1 when s[0..n) is valid UTF-8 without NUL bytes. */
int decc__sms_utf8_ok(const char *s, size_t n);

/* Appends s[0..n) as a JSON string literal (quotes included) to b. The
 * input must be valid UTF-8; control characters are \u-escaped. */
struct decc_buf;
decc_status decc__sms_json_str(struct decc_buf *b, const char *s, size_t n);

/* Writes the lowercase 0x-hex of 32 bytes into out[67]. */
char *decc__sms_hex32(char out[67], const uint8_t b[32]);

#endif
