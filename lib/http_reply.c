/* HTTP/1.1 reply reader: see include/sesame/http_reply.h. Strict on
 * purpose: the peer is our own daemon, so whatever it would never send is
 * an error rather than something to tolerate. */
#include <string.h>

#include "sesame/http_reply.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* name[0..n) equals the lower-case literal lit, ignoring case */
static int name_is(const char *name, size_t n, const char *lit)
{
	if (strlen(lit) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower(name[i]) != lit[i])
			return 0;
	return 1;
}

/* A field-name is a token (RFC 9110 5.1): letters, digits and !#$%&'*+-.^_`|~ */
static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The comma-separated value v[0..n) lists the token "close". */
static int lists_close(const char *v, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t start, end;
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < n && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (name_is(v + start, end - start, "close"))
			return 1;
	}
	return 0;
}

/* Digits only, no sign, no leading space left, at most max. */
static int parse_length(const char *v, size_t n, size_t max, size_t *out)
{
	size_t x = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(v[i]))
			return 0;
		x = x * 10 + (size_t)(v[i] - '0');
		if (x > max)
			return 0;
	}
	*out = x;
	return 1;
}

/* One header line line[0..n) (CRLF excluded) into the reply's framing. */
static int header_line(const char *line, size_t n, size_t max_body, int *have_length,
		       http_reply_t *r)
{
	const char *colon = memchr(line, ':', n);
	const char *v;
	size_t name_len, vn;

	if (colon == NULL || colon == line)
		return 0;
	name_len = (size_t)(colon - line);
	for (size_t i = 0; i < name_len; i++)
		if (!is_tchar(line[i]))
			return 0; /* also refuses obs-fold: a line that starts with a space */
	v = colon + 1;
	vn = n - name_len - 1;
	while (vn > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vn--;
	}
	while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
		vn--;
	for (size_t i = 0; i < vn; i++)
		if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
			return 0;
	if (name_is(line, name_len, "content-length")) {
		if (*have_length || !parse_length(v, vn, max_body, &r->body_len))
			return 0;
		*have_length = 1;
	} else if (name_is(line, name_len, "transfer-encoding")) {
		return 0;
	} else if (name_is(line, name_len, "connection")) {
		if (lists_close(v, vn))
			r->close = 1;
	}
	return 1;
}

/* "HTTP/1.x NNN reason" with a status from 200 to 599. */
static int status_line(const char *line, size_t n, http_reply_t *r)
{
	if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
	    line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
	    (n > 12 && line[12] != ' '))
		return 0;
	r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
	if (r->status < 200 || r->status > 599)
		return 0;
	for (size_t i = 13; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
			return 0;
	if (line[7] == '0')
		r->close = 1; /* HTTP/1.0: no keep-alive unless asked, and we never ask */
	return 1;
}

http_reply_state_t http_reply_parse(const char *buf, size_t len, size_t max_body, http_reply_t *r)
{
	http_reply_t got = {0};
	size_t pos = 0;
	int have_length = 0;
	int first = 1;

	memset(r, 0, sizeof(*r));
	for (;;) {
		size_t avail = len - pos;
		size_t scan = avail;
		const char *lf;
		size_t n;

		if (pos + scan > HTTP_REPLY_MAX_HEAD)
			scan = HTTP_REPLY_MAX_HEAD > pos ? HTTP_REPLY_MAX_HEAD - pos : 0;
		lf = memchr(buf + pos, '\n', scan);
		if (lf == NULL) {
			const char *cr = memchr(buf + pos, '\r', scan);
			if (cr != NULL && cr < buf + pos + scan - 1)
				return HTTP_REPLY_BAD; /* a CR not followed by LF */
			return len >= HTTP_REPLY_MAX_HEAD ? HTTP_REPLY_BAD : HTTP_REPLY_MORE;
		}
		n = (size_t)(lf - (buf + pos));
		if (n == 0 || buf[pos + n - 1] != '\r')
			return HTTP_REPLY_BAD; /* bare LF */
		n--;			       /* the line without CRLF */
		if (memchr(buf + pos, '\r', n) != NULL || memchr(buf + pos, '\0', n) != NULL)
			return HTTP_REPLY_BAD;
		if (first) {
			if (!status_line(buf + pos, n, &got))
				return HTTP_REPLY_BAD;
			first = 0;
		} else if (n == 0) {
			pos += 2;
			break; /* end of the head */
		} else if (!header_line(buf + pos, n, max_body, &have_length, &got)) {
			return HTTP_REPLY_BAD;
		}
		pos += n + 2;
	}
	if (!have_length)
		return HTTP_REPLY_BAD;
	if (len - pos < got.body_len)
		return HTTP_REPLY_MORE;
	if (len - pos > got.body_len)
		return HTTP_REPLY_BAD; /* bytes after the body: nothing was asked for them */
	got.body_off = pos;
	*r = got;
	return HTTP_REPLY_COMPLETE;
}
