/* Safe, aligned terminal text for sesamectl (see term.h). Audit events
 * carry service and remote host names that came from PAM callers: they
 * must not be able to move the cursor or recolour the screen. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "term.h"

struct term_table {
	size_t ncols;
	size_t nrows;
	size_t cap;   /* rows allocated */
	char **cells; /* nrows * ncols cleaned strings */
};

/* Length of the valid UTF-8 sequence at s (2..4) and its code point, or 0
 * when s does not start one (overlong forms and surrogates refused). */
static size_t term_utf8_seq(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	c = (c << 6) | (s[1] & 0x3f);
	for (size_t i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

/* C1 controls, zero-width and bidirectional formatting characters. */
static int term_cp_hidden(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

void term_clean(const char *in, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	if (outsz == 0)
		return;
	while (*s != '\0') {
		char esc[8];
		const char *piece;
		size_t len;
		uint32_t cp = 0;
		size_t seq = *s >= 0x80 ? term_utf8_seq(s, &cp) : 0;

		if (*s >= 0x20 && *s < 0x7f && *s != '\\') {
			piece = (const char *)s;
			len = 1;
		} else if (seq > 0 && !term_cp_hidden(cp)) {
			piece = (const char *)s;
			len = seq;
		} else if (seq > 0) {
			esc[0] = '\\';
			esc[1] = 'u';
			for (int i = 0; i < 4; i++)
				esc[2 + i] = hex[(cp >> (12 - 4 * i)) & 0xf];
			piece = esc;
			len = 6;
		} else {
			esc[0] = '\\';
			esc[1] = 'x';
			esc[2] = hex[*s >> 4];
			esc[3] = hex[*s & 0xf];
			piece = esc;
			len = 4;
			seq = 1;
		}
		if (len >= outsz - o)
			break;
		memcpy(out + o, piece, len);
		o += len;
		s += seq > 0 ? seq : 1;
	}
	out[o] = '\0';
}

size_t term_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

int term_table_new(size_t ncols, term_table_t **out)
{
	term_table_t *t;

	*out = NULL;
	if (ncols == 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return SESAME_ERR_NOMEM;
	t->ncols = ncols;
	*out = t;
	return SESAME_OK;
}

void term_table_free(term_table_t **tp)
{
	term_table_t *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
	*tp = NULL;
}

int term_table_add(term_table_t *t, const char *const *cells)
{
	char buf[TERM_TEXT_MAX];
	size_t base;
	size_t i;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **grown;
		if (cap > SIZE_MAX / sizeof(char *) / t->ncols)
			return SESAME_ERR_NOMEM;
		if ((grown = realloc(t->cells, cap * t->ncols * sizeof(char *))) == NULL)
			return SESAME_ERR_NOMEM;
		t->cells = grown;
		t->cap = cap;
	}
	base = t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		term_clean(cells[i] != NULL ? cells[i] : "-", buf, sizeof(buf));
		if ((t->cells[base + i] = strdup(buf)) == NULL)
			goto fail;
	}
	t->nrows++;
	return SESAME_OK;
fail:
	while (i-- > 0)
		free(t->cells[base + i]);
	return SESAME_ERR_NOMEM;
}

int term_table_print(const term_table_t *t, FILE *f)
{
	size_t *width;

	if ((width = calloc(t->ncols, sizeof(*width))) == NULL)
		return SESAME_ERR_NOMEM;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = term_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			fputs(cell, f);
			if (c + 1 == t->ncols)
				break;
			for (size_t pad = term_width(cell); pad < width[c] + 2; pad++)
				fputc(' ', f);
		}
		fputc('\n', f);
	}
	free(width);
	return ferror(f) ? SESAME_ERR_IO : SESAME_OK;
}
