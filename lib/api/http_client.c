/*
 * http_client.c — blocking HTTP requests over libcurl (see
 * decc/http_client.h). libcurl's global init is done once, thread-safely,
 * before the first request.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "decc/http_client.h"
#include "decc/mem.h"

static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static size_t on_data(char *p, size_t sz, size_t n, void *ud) {
  decc_buf *b = ud;
  return decc_buf_append(b, p, sz * n) == DECC_OK ? sz * n : 0;
}

static void reply_init(decc_http_reply *reply, size_t max_reply) {
  memset(reply, 0, sizeof *reply);
  decc_buf_init(&reply->body, max_reply ? max_reply : 16u << 20);
}

/* One request (reply already initialised); when hname is set, *hval
 * receives a copy of that response header (NULL when absent). */
static decc_status fetch(decc_http_reply *reply, const char *method,
                         const char *url, const char *const *headers,
                         const void *body, size_t body_len, size_t max_reply,
                         long timeout_ms, const char *hname, char **hval,
                         decc_err *err) {
  if (!url ||
      (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8)))
    return decc_err_set(err, DECC_E_INVALID, "not an http(s) URL: %.80s",
                        url ? url : "(null)");
  pthread_once(&g_curl_once, curl_init_once);
  CURL *c = curl_easy_init();
  if (!c)
    return decc_err_set(err, DECC_E_NOMEM, "cannot create an HTTP handle");
  struct curl_slist *hl = NULL;
  for (size_t i = 0; headers && headers[i]; i++) {
    struct curl_slist *n = curl_slist_append(hl, headers[i]);
    if (!n) {
      curl_slist_free_all(hl);
      curl_easy_cleanup(c);
      return decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
    hl = n;
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 30000L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  if (hl)
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
  if (!strcmp(method, "HEAD"))
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply->body);
  CURLcode rc = curl_easy_perform(c);
  decc_status st = DECC_OK;
  if (rc == CURLE_OK) {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
    char *ct = NULL;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
      snprintf(reply->content_type, sizeof reply->content_type, "%s", ct);
    struct curl_header *h = NULL;
    if (hname &&
        curl_easy_header(c, hname, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h &&
        h->value) {
      *hval = decc_strdup(h->value);
      if (!*hval)
        st = decc_err_set(err, DECC_E_NOMEM, "out of memory");
    }
  } else if (rc == CURLE_WRITE_ERROR) {
    /* Messages name the route without its query string: a long filter
     * would otherwise fill the message and push the cause out. */
    st = decc_err_set(err, DECC_E_LIMIT, "%s %.*s: reply larger than %zu bytes",
                      method, (int)strcspn(url, "?"), url, reply->body.max);
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    st = decc_err_set(err, DECC_E_TIMEOUT, "%s %.*s: timed out", method,
                      (int)strcspn(url, "?"), url);
  } else {
    st = decc_err_set(err, DECC_E_NETWORK, "%s %.*s: %s", method,
                      (int)strcspn(url, "?"), url, curl_easy_strerror(rc));
  }
  curl_slist_free_all(hl);
  curl_easy_cleanup(c);
  return st;
}

decc_status decc_http_fetch(decc_http_reply *reply, const char *method,
                            const char *url, const char *const *headers,
                            const void *body, size_t body_len, size_t max_reply,
                            long timeout_ms, decc_err *err) {
  DECC_ARG_CHECK(reply != NULL);
  /* (initialised before the other checks: callers clear its body on every
   * return) */
  reply_init(reply, max_reply);
  DECC_ARG_CHECK(method != NULL);
  DECC_ARG_CHECK(body != NULL || body_len == 0);
  return fetch(reply, method, url, headers, body, body_len, max_reply,
               timeout_ms, NULL, NULL, err);
}

decc_status decc_http_get_with_header(decc_http_reply *reply, const char *url,
                                      const char *header_name,
                                      char **header_value, size_t max_reply,
                                      long timeout_ms, decc_err *err) {
  DECC_ARG_CHECK(reply != NULL);
  reply_init(reply, max_reply);
  DECC_ARG_CHECK(header_value != NULL);
  *header_value = NULL;
  return fetch(reply, "GET", url, NULL, NULL, 0, max_reply, timeout_ms,
               header_name, header_value, err);
}

char *decc_http_escape(const char *s) {
  DECC_ARG_CHECK_RET(s != NULL, NULL);
  static const char hex[] = "0123456789ABCDEF";
  size_t n = strlen(s);
  char *out = decc_malloc(3 * n + 1);
  if (!out)
    return NULL;
  char *o = out;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned char c = *p;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~')
      *o++ = (char)c;
    else {
      *o++ = '%';
      *o++ = hex[c >> 4];
      *o++ = hex[c & 15];
    }
  }
  *o = 0;
  return out;
}
