/* Escaping and the page buffer (see web_html.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web_html.h"

static void put(html_buf_t *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (n > HTML_MAX - b->len) {
		b->failed = 1;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (p == NULL) {
			b->failed = 1;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void html_raw(html_buf_t *b, const char *s)
{
	put(b, s, strlen(s));
}

void html_text_n(html_buf_t *b, const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep;

		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
				continue;
			rep = "\xef\xbf\xbd"; /* U+FFFD */
		}
		put(b, s + start, i - start);
		html_raw(b, rep);
		start = i + 1;
	}
	put(b, s + start, len - start);
}

void html_text(html_buf_t *b, const char *s)
{
	html_text_n(b, s, strlen(s));
}

void html_msg(html_buf_t *b, i18n_lang_t lang, i18n_msg_t id, const char *value)
{
	const char *m = i18n_get(lang, id);
	const char *hole = strstr(m, "{}");

	if (hole == NULL) {
		html_text(b, m);
		return;
	}
	html_text_n(b, m, (size_t)(hole - m));
	html_text(b, value ? value : "");
	html_text(b, hole + 2);
}

char *html_take(html_buf_t *b, size_t *len)
{
	char *p = NULL;

	if (!b->failed && b->data != NULL) {
		p = b->data;
		*len = b->len;
		b->data = NULL;
	}
	html_free(b);
	return p;
}

void html_free(html_buf_t *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
