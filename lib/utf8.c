/* Strict UTF-8 validation and decoding (Unicode Table 3-7). */
#include "sesame/utf8.h"

/* Length of the sequence starting at s[0..len) when it is well formed, else
 * 0; the code point goes to *cp. NUL counts as ill-formed here. */
static size_t decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char b = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;
	uint32_t v;

	if (b >= 0x01 && b <= 0x7F) {
		*cp = b;
		return 1;
	}
	if (b >= 0xC2 && b <= 0xDF) {
		n = 2;
		v = b & 0x1Fu;
	} else if (b >= 0xE0 && b <= 0xEF) {
		n = 3;
		v = b & 0x0Fu;
		if (b == 0xE0)
			lo = 0xA0; /* overlong below U+0800 */
		else if (b == 0xED)
			hi = 0x9F; /* surrogates U+D800..U+DFFF */
	} else if (b >= 0xF0 && b <= 0xF4) {
		n = 4;
		v = b & 0x07u;
		if (b == 0xF0)
			lo = 0x90; /* overlong below U+10000 */
		else if (b == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		return 0; /* NUL, continuation, C0, C1, F5..FF */
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = s[i];
		if (c < (i == 1 ? lo : 0x80) || c > (i == 1 ? hi : 0xBF))
			return 0;
		v = (v << 6) | (c & 0x3Fu);
	}
	*cp = v;
	return n;
}

int utf8_validate(const char *s, size_t len, size_t *ncp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = 0, count = 0;
	uint32_t cp;

	while (pos < len) {
		size_t n = decode(u + pos, len - pos, &cp);
		if (n == 0)
			return 0;
		pos += n;
		count++;
	}
	if (ncp != NULL)
		*ncp = count;
	return 1;
}

uint32_t utf8_next(const char *s, size_t len, size_t *pos)
{
	const unsigned char *u = (const unsigned char *)s + *pos;
	uint32_t cp;
	size_t n = decode(u, len - *pos, &cp);

	if (n == 0) {
		*pos += 1;
		return 0xDC00u + u[0];
	}
	*pos += n;
	return cp;
}
