/* The HTTP/1.1 reply reader of the protocol client (lib/client.c): the one
 * HTTP parser that runs inside root processes (pam_sesame.so in sshd, su).
 * It reads what sesame-authd (libmicrohttpd) sends and nothing more: a
 * status line, header lines ending in CRLF, a Content-Length and exactly
 * that many body bytes. Anything else — a chunked or unframed body, two
 * Content-Length headers, a 1xx reply, a folded or bare-LF header line,
 * bytes after the body — is refused, so the caller fails closed. */
#ifndef SESAME_HTTP_REPLY_H
#define SESAME_HTTP_REPLY_H

#include <stddef.h>

#define HTTP_REPLY_MAX_HEAD 8192 /* bytes of status line and headers */

typedef enum {
	HTTP_REPLY_COMPLETE = 0, /* buf[0..len) is exactly one whole reply */
	HTTP_REPLY_MORE,	 /* a prefix of an acceptable reply: read more */
	HTTP_REPLY_BAD,		 /* not a reply this reader accepts */
} http_reply_state_t;

typedef struct {
	int status;	 /* 200..599 */
	size_t body_off; /* where the body starts in buf */
	size_t body_len; /* its Content-Length */
	int close;	 /* the server closes the connection after this reply */
} http_reply_t;

/* Reads buf[0..len) as the start of one reply whose body may hold at most
 * max_body bytes. *r is filled only when HTTP_REPLY_COMPLETE is returned
 * (zeroed otherwise). */
http_reply_state_t http_reply_parse(const char *buf, size_t len, size_t max_body, http_reply_t *r);

#endif
