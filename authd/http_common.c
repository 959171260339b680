/* Bounded bodies, wiped responses and MHD's log, for both HTTP servers. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_common.h"
#include "sesame/error.h"
#include "sesame/log.h"

void http_body_precheck(struct MHD_Connection *conn, http_body_t *b)
{
	const char *cl =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char *end;
	unsigned long long n;

	if (cl == NULL)
		return;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno || *end || end == cl || n > b->max)
		b->too_large = 1;
}

int http_body_append(http_body_t *b, const char *data, size_t n)
{
	if (b->too_large)
		return SESAME_OK;
	if (n > b->max - b->len) {
		b->too_large = 1;
		http_body_free(b);
		return SESAME_OK;
	}
	if (b->data == NULL && (b->data = malloc(b->max)) == NULL)
		return SESAME_ERR_NOMEM;
	memcpy(b->data + b->len, data, n);
	b->len += n;
	return SESAME_OK;
}

void http_body_free(http_body_t *b)
{
	if (b->data) {
		OPENSSL_cleanse(b->data, b->len);
		free(b->data);
	}
	b->data = NULL;
	b->len = 0;
}

static void wipe_free(void *p)
{
	if (p) {
		OPENSSL_cleanse(p, strlen(p));
		free(p);
	}
}

struct MHD_Response *http_response_wiped(char *text, size_t len)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer_with_free_callback(len, text, wipe_free);

	if (resp == NULL)
		wipe_free(text);
	return resp;
}

void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("http: %s", line);
}
