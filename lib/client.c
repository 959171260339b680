/* Transport of the daemon's JSON-over-HTTP protocol on a unix socket
 * (libcurl): one POST, one bounded reply. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/client.h"
#include "sesame/error.h"
#include "sesame/limits.h"

struct sesame_client {
	CURL *curl;
	struct curl_slist *headers;
	char *socket_path;
	long timeout_ms;
	char *buf; /* reply body, bounded by SESAME_MAX_BODY */
	size_t len;
	int overflow;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	sesame_client_t *c = userdata;
	size_t n = size * nmemb;

	if (n > SESAME_MAX_BODY - c->len) {
		c->overflow = 1;
		return 0; /* aborts the transfer */
	}
	memcpy(c->buf + c->len, ptr, n);
	c->len += n;
	return n;
}

int sesame_client_new(const char *socket_path, long timeout_ms, sesame_client_t **out)
{
	sesame_client_t *c = NULL;
	int ok = SESAME_ERR_NOMEM;

	*out = NULL;
	if (socket_path == NULL || *socket_path == '\0' || timeout_ms <= 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	if ((c->socket_path = strdup(socket_path)) == NULL)
		goto fail;
	if ((c->buf = malloc(SESAME_MAX_BODY + 1)) == NULL)
		goto fail;
	if ((c->curl = curl_easy_init()) == NULL)
		goto fail;
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (c->headers == NULL)
		goto fail;
	/* an empty Expect: avoids curl's 100-continue round trip */
	struct curl_slist *h = curl_slist_append(c->headers, "Expect:");
	if (h == NULL)
		goto fail;
	c->headers = h;
	c->timeout_ms = timeout_ms;
	curl_easy_setopt(c->curl, CURLOPT_UNIX_SOCKET_PATH, c->socket_path);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	*out = c;
	c = NULL;
	ok = SESAME_OK;
fail:
	sesame_client_free(&c);
	return ok;
}

void sesame_client_free(sesame_client_t **cp)
{
	sesame_client_t *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	if (c->buf) {
		/* replies may carry enrollment secrets */
		explicit_bzero(c->buf, SESAME_MAX_BODY + 1);
		free(c->buf);
	}
	free(c->socket_path);
	free(c);
	*cp = NULL;
}

int sesame_client_post(sesame_client_t *c, const char *path, const char *body, size_t len,
		       long *status, const char **reply, size_t *reply_len)
{
	char url[256];
	CURLcode cr;

	*status = 0;
	*reply = NULL;
	*reply_len = 0;
	if (c == NULL || path == NULL || path[0] != '/' || strlen(path) > 200 || body == NULL)
		return SESAME_ERR_INVALID_ARGUMENT;
	/* the previous reply is gone: it may have held an enrollment secret */
	explicit_bzero(c->buf, c->len + 1);
	c->len = 0;
	c->overflow = 0;
	if (len > SESAME_MAX_BODY)
		return SESAME_ERR_TOO_LARGE;
	snprintf(url, sizeof(url), "http://localhost%s", path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, (long)len);
	cr = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL); /* body is the caller's */
	if (cr != CURLE_OK) {
		explicit_bzero(c->buf, c->len);
		c->len = 0;
		if (c->overflow)
			return SESAME_ERR_PROTOCOL;
		if (cr == CURLE_OPERATION_TIMEDOUT)
			return SESAME_ERR_TIMEOUT;
		if (cr == CURLE_COULDNT_CONNECT || cr == CURLE_COULDNT_RESOLVE_HOST)
			return SESAME_ERR_UNAVAILABLE;
		return SESAME_ERR_PROTOCOL;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	c->buf[c->len] = '\0';
	*reply = c->buf;
	*reply_len = c->len;
	return SESAME_OK;
}

int sesame_client_call(sesame_client_t *c, const char *path, const json_t *request, long *status,
		       json_t **reply)
{
	char *body = NULL;
	const char *text = NULL;
	size_t text_len = 0;
	json_t *parsed = NULL;
	int ok;

	*reply = NULL;
	*status = 0;
	body = request ? json_dumps(request, JSON_COMPACT) : strdup("{}");
	if (body == NULL)
		return SESAME_ERR_NOMEM;
	ok = sesame_client_post(c, path, body, strlen(body), status, &text, &text_len);
	if (ok != SESAME_OK)
		goto fail;
	parsed = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, NULL);
	if (parsed == NULL || !json_is_object(parsed)) {
		ok = SESAME_ERR_PROTOCOL;
		goto fail;
	}
	*reply = parsed;
	parsed = NULL;
fail:
	json_decref(parsed);
	/* the request may hold a verification code */
	explicit_bzero(body, strlen(body));
	free(body);
	return ok;
}

int sesame_client_reply_error(const json_t *reply, const char **message)
{
	const json_t *m = json_object_get(reply, "message");
	*message =
	    json_is_string(m) ? json_string_value(m) : sesame_err_message(SESAME_ERR_PROTOCOL);
	return sesame_err_from_code(json_string_value(json_object_get(reply, "error")));
}
