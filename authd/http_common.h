/* What the daemon's two HTTP servers (the unix-socket API, http.c, and
 * the web pages, web/web.c) share: libmicrohttpd settings, the refusal of
 * ambiguous requests, bounded request bodies, responses whose buffer is
 * wiped, and MHD's log. */
#ifndef AUTHD_HTTP_COMMON_H
#define AUTHD_HTTP_COMMON_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stddef.h>

#define HTTP_CONNECTION_TIMEOUT 30 /* seconds a connection may stay idle */
/* Per-connection memory pool (headers, read buffer). MHD zeroes it for
 * every request: the 32 KiB default was a quarter of the daemon's CPU.
 * Bodies larger than the pool still stream through it in pieces. */
#define HTTP_CONNECTION_MEMORY 8192

/* A request body of at most max bytes. too_large: the bound was passed
 * (announced by Content-Length, or a chunked body that grew over it);
 * what was read is dropped then. */
typedef struct {
	char *data; /* max bytes once the first piece arrives */
	size_t len;
	size_t max;
	int too_large;
} http_body_t;

/* The first look at a request, before anything else is done with it.
 * SESAME_ERR_INVALID_ARGUMENT: where its body ends is ambiguous (more than
 * one Content-Length or Transfer-Encoding, both, or whitespace inside a
 * field name), so a proxy in front could split the stream into other
 * requests than MHD does (request smuggling): answer http_refuse_framing.
 * Otherwise SESAME_OK, with b->too_large set when Content-Length is
 * malformed or over b->max: then refuse before reading a byte of the body. */
int http_body_precheck(struct MHD_Connection *conn, http_body_t *b);

/* Queues 400 (plain text) and closes the connection after it: nothing that
 * follows on it is read. */
enum MHD_Result http_refuse_framing(struct MHD_Connection *conn);

/* Appends n bytes; past the bound, drops the body and sets too_large.
 * SESAME_ERR_NOMEM when the buffer cannot be allocated. */
int http_body_append(http_body_t *b, const char *data, size_t n);

/* Wipes (it may hold a password or a code) and frees the body. */
void http_body_free(http_body_t *b);

/* A response that owns text (len bytes, malloc'd) and wipes it when MHD
 * is done with it. NULL (text freed) when out of memory. */
struct MHD_Response *http_response_wiped(char *text, size_t len);

/* MHD_OPTION_EXTERNAL_LOGGER: one debug line per message. */
__attribute__((format(printf, 2, 0))) void http_mhd_log(void *cls, const char *fmt, va_list ap);

#endif
