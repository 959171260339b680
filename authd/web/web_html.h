/* HTML output of the web pages: a bounded growing buffer, and the one
 * function that escapes every dynamic value put into a page. */
#ifndef AUTHD_WEB_HTML_H
#define AUTHD_WEB_HTML_H

#include <stddef.h>

#include "i18n.h"

#define HTML_MAX 65536 /* bytes of one page */

typedef struct {
	char *data; /* NUL-terminated while not failed */
	size_t len;
	size_t cap;
	int failed; /* out of memory or over HTML_MAX: the page is not sent */
} html_buf_t;

/* Appends s as is: for the pages' own markup, never for a value. */
void html_raw(html_buf_t *b, const char *s);
/* Appends len bytes of s escaped for text and quoted attribute values:
 * & < > " ' become entities; NUL and other C0 controls (but tab, CR and
 * LF) become U+FFFD. */
void html_text_n(html_buf_t *b, const char *s, size_t len);
void html_text(html_buf_t *b, const char *s);
/* Appends the catalog's sentence id in lang, escaped, with value (escaped)
 * in place of its "{}". */
void html_msg(html_buf_t *b, i18n_lang_t lang, i18n_msg_t id, const char *value);
/* Takes the text out of b (the caller frees it) and leaves b empty; NULL
 * when b failed. */
char *html_take(html_buf_t *b, size_t *len);
void html_free(html_buf_t *b);

#endif
