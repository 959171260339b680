/* Online breached-password check: one GET of the Have I Been Pwned range
 * API (k-anonymity) with libcurl, and a strict parser of its reply. Only
 * the first 5 hex digits of the SHA-1 leave the machine. */
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "breach_online.h"
#include "sesame/error.h"
#include "sesame/hex.h"
#include "sesame/log.h"

#define BREACH_ONLINE_MAX_BODY (2u << 20) /* a padded HIBP range is ~40 KiB */
#define BREACH_ONLINE_FIRST_BUF (64u << 10)
#define BREACH_ONLINE_PREFIX 5
#define BREACH_ONLINE_SUFFIX 35	   /* hex digits of SHA-1 after the prefix */
#define BREACH_ONLINE_MAX_COUNT 20 /* digits */
#define BREACH_ONLINE_MAX_URL 1024

#ifndef SESAME_VERSION
#define SESAME_VERSION "unknown"
#endif

typedef struct {
	char *buf;
	size_t len, cap;
	int overflow;
} breach_online_body_t;

static size_t breach_online_on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	breach_online_body_t *b = userdata;
	size_t n = size * nmemb, cap;
	char *p;

	if (n > BREACH_ONLINE_MAX_BODY - b->len) {
		b->overflow = 1;
		return 0; /* aborts the transfer */
	}
	if (b->len + n > b->cap) {
		cap = b->cap ? b->cap : BREACH_ONLINE_FIRST_BUF;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > BREACH_ONLINE_MAX_BODY)
			cap = BREACH_ONLINE_MAX_BODY;
		if ((p = realloc(b->buf, cap)) == NULL)
			return 0;
		b->buf = p;
		b->cap = cap;
	}
	memcpy(b->buf + b->len, ptr, n);
	b->len += n;
	return n;
}

/* Scans every line "SUFFIX:COUNT" (LF or CRLF) of a range reply; *found
 * when want (upper case) is listed with a count above 0. Each suffix is
 * compared in constant time and the scan does not stop at a match.
 * SESAME_ERR_PROTOCOL on any malformed line. */
static int breach_online_parse(const char *body, size_t len, const char *want, int *found)
{
	char up[BREACH_ONLINE_SUFFIX];
	const char *line = body, *end = body + len, *nl;
	int hit = 0;

	while (line < end) {
		size_t n, i;
		int nonzero = 0;

		nl = memchr(line, '\n', (size_t)(end - line));
		n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0) {
			if (nl == NULL)
				break;
			line = nl + 1;
			continue; /* a blank line, e.g. at the end */
		}
		if (n < BREACH_ONLINE_SUFFIX + 2 || line[BREACH_ONLINE_SUFFIX] != ':' ||
		    n - BREACH_ONLINE_SUFFIX - 1 > BREACH_ONLINE_MAX_COUNT)
			return SESAME_ERR_PROTOCOL;
		for (i = 0; i < BREACH_ONLINE_SUFFIX; i++) {
			int v = hex_digit((unsigned char)line[i]);
			if (v < 0)
				return SESAME_ERR_PROTOCOL;
			up[i] = "0123456789ABCDEF"[v];
		}
		for (i = BREACH_ONLINE_SUFFIX + 1; i < n; i++) {
			if (line[i] < '0' || line[i] > '9')
				return SESAME_ERR_PROTOCOL;
			nonzero |= line[i] != '0';
		}
		/* padding lines have count 0: never a hit */
		hit |= (CRYPTO_memcmp(up, want, BREACH_ONLINE_SUFFIX) == 0) & nonzero;
		if (nl == NULL)
			break;
		line = nl + 1;
	}
	*found = hit;
	OPENSSL_cleanse(up, sizeof(up));
	return SESAME_OK;
}

int breach_online_check(const char *base_url, unsigned timeout_ms, const unsigned char sha1[20],
			int *found)
{
	static const char hex[] = "0123456789ABCDEF";
	char digits[41], url[BREACH_ONLINE_MAX_URL];
	breach_online_body_t body = {NULL, 0, 0, 0};
	struct curl_slist *headers = NULL;
	CURL *curl = NULL;
	CURLcode cr;
	long status = 0;
	size_t blen;
	int ok = SESAME_ERR_UNAVAILABLE;

	if (found != NULL)
		*found = 0;
	if (base_url == NULL || sha1 == NULL || found == NULL || timeout_ms == 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	blen = strlen(base_url);
	if ((strncmp(base_url, "https://", 8) != 0 && strncmp(base_url, "http://", 7) != 0) ||
	    blen + BREACH_ONLINE_PREFIX >= sizeof(url))
		return SESAME_ERR_INVALID_ARGUMENT;
	for (int i = 0; i < 20; i++) {
		digits[2 * i] = hex[sha1[i] >> 4];
		digits[2 * i + 1] = hex[sha1[i] & 15];
	}
	digits[40] = '\0';
	memcpy(url, base_url, blen);
	memcpy(url + blen, digits, BREACH_ONLINE_PREFIX);
	url[blen + BREACH_ONLINE_PREFIX] = '\0';

	if ((curl = curl_easy_init()) == NULL)
		goto fail;
	/* every reply padded to 800-1000 lines: its size says nothing */
	if ((headers = curl_slist_append(NULL, "Add-Padding: true")) == NULL)
		goto fail;
	if (curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_USERAGENT, "sesame-authd/" SESAME_VERSION) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https,http") != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)BREACH_ONLINE_MAX_BODY) !=
		CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, breach_online_on_data) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body) != CURLE_OK) {
		log_err_f("curl_easy_setopt failed");
		goto fail;
	}
	cr = curl_easy_perform(curl);
	if (cr != CURLE_OK) {
		/* the URL is not logged: it carries 5 digits of the hash */
		log_msg_f(LOG_WARNING, __func__, "range query failed: %s",
			  body.overflow ? "reply too large" : curl_easy_strerror(cr));
		goto fail;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		log_msg_f(LOG_WARNING, __func__, "range query failed: HTTP status %ld", status);
		goto fail;
	}
	if (breach_online_parse(body.buf ? body.buf : "", body.len, digits + BREACH_ONLINE_PREFIX,
				found) != SESAME_OK) {
		log_msg_f(LOG_WARNING, __func__, "range reply is malformed");
		goto fail;
	}
	ok = SESAME_OK;
fail:
	if (ok != SESAME_OK)
		*found = 0;
	OPENSSL_cleanse(digits, sizeof(digits));
	OPENSSL_cleanse(url, sizeof(url));
	curl_slist_free_all(headers);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	free(body.buf);
	return ok;
}
