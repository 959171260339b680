/* application/x-www-form-urlencoded, decoded strictly (see web_form.h). */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "sesame/hex.h"
#include "web_form.h"

/* Decodes s[0..n) into f->value (at most f->max bytes). */
static int decode_value(const char *s, size_t n, web_form_field_t *f)
{
	char *out;
	size_t o = 0;

	/* the decoded text is never longer than the encoded one */
	if ((out = malloc(n + 1)) == NULL)
		return SESAME_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;
			if (n - i < 3 || (hi = hex_digit(s[i + 1])) < 0 ||
			    (lo = hex_digit(s[i + 2])) < 0)
				goto bad;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			goto bad;
		if (o == f->max) {
			OPENSSL_cleanse(out, o);
			free(out);
			return SESAME_ERR_TOO_LARGE;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	f->value = out;
	f->len = o;
	return SESAME_OK;
bad:
	OPENSSL_cleanse(out, o);
	free(out);
	return SESAME_ERR_INVALID_ARGUMENT;
}

int web_form_parse(const char *body, size_t len, web_form_field_t *fields, size_t n)
{
	size_t pos = 0;
	int r = SESAME_OK;

	for (size_t i = 0; i < n; i++) {
		fields[i].value = NULL;
		fields[i].len = 0;
	}
	while (pos < len) {
		const char *pair = body + pos, *amp = memchr(pair, '&', len - pos), *eq;
		size_t plen = amp ? (size_t)(amp - pair) : len - pos;
		web_form_field_t *f = NULL;

		pos += plen + (amp != NULL);
		/* "a=1&" and "a=1&&b=2" are malformed too */
		if (plen == 0 || (amp != NULL && pos == len) ||
		    (eq = memchr(pair, '=', plen)) == NULL || eq == pair) {
			r = SESAME_ERR_INVALID_ARGUMENT;
			goto fail;
		}
		size_t nlen = (size_t)(eq - pair);
		for (size_t i = 0; i < n && f == NULL; i++)
			if (strlen(fields[i].name) == nlen &&
			    memcmp(fields[i].name, pair, nlen) == 0)
				f = &fields[i];
		if (f == NULL || f->value != NULL) {
			r = SESAME_ERR_INVALID_ARGUMENT;
			goto fail;
		}
		if ((r = decode_value(eq + 1, plen - nlen - 1, f)) != SESAME_OK)
			goto fail;
	}
	return SESAME_OK;
fail:
	web_form_free(fields, n);
	return r;
}

void web_form_free(web_form_field_t *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fields[i].value) {
			OPENSSL_cleanse(fields[i].value, fields[i].len);
			free(fields[i].value);
		}
		fields[i].value = NULL;
		fields[i].len = 0;
	}
}
