/* Request framing checks, bounded bodies, wiped responses and MHD's log,
 * for both HTTP servers. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_common.h"
#include "sesame/error.h"
#include "sesame/log.h"

/* The headers that say where a request's body ends, counted. */
typedef struct {
	unsigned content_length;
	unsigned transfer_encoding;
	unsigned bad_name; /* whitespace in a field name ("Content-Length :") */
} http_framing_t;

static enum MHD_Result http_framing_count(void *cls, enum MHD_ValueKind kind, const char *key,
					  const char *value)
{
	http_framing_t *f = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		f->content_length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		f->transfer_encoding++;
	/* MHD keeps the space in "Content-Length : 40" and then ignores the
	 * header, where a proxy in front may honour it (RFC 9112 5.1: 400) */
	if (strpbrk(key, " \t") != NULL)
		f->bad_name++;
	return MHD_YES;
}

int http_body_precheck(struct MHD_Connection *conn, http_body_t *b)
{
	http_framing_t f = {0, 0, 0};
	const char *cl;
	char *end;
	unsigned long long n;

	/* MHD 0.9.75 reads a body by the first Content-Length, or by
	 * Transfer-Encoding over Content-Length: a proxy that chose the
	 * other would see the rest of the body as a second request */
	if (MHD_get_connection_values(conn, MHD_HEADER_KIND, http_framing_count, &f) < 0 ||
	    f.content_length > 1 || f.transfer_encoding > 1 ||
	    (f.content_length && f.transfer_encoding) || f.bad_name) {
		log_info("http: refused a request with ambiguous framing (%u Content-Length, %u "
			 "Transfer-Encoding, %u bad field names)",
			 f.content_length, f.transfer_encoding, f.bad_name);
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl == NULL)
		return SESAME_OK;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (errno || *end || end == cl || n > b->max)
		b->too_large = 1;
	return SESAME_OK;
}

enum MHD_Result http_refuse_framing(struct MHD_Connection *conn)
{
	static const char text[] = "Bad request: ambiguous message framing.\n";
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result r;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	/* what follows the headers cannot be trusted to be a next request */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	r = MHD_queue_response(conn, MHD_HTTP_BAD_REQUEST, resp);
	MHD_destroy_response(resp);
	return r;
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
