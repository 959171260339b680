/* Old-password similarity (see pw_old.h): folded code point arrays and a
 * banded edit distance, so that the cost stays linear. */
#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>

#include "password/pw_old.h"
#include "password/pw_text.h"
#include "sesame/limits.h"
#include "sesame/utf8.h"

/* Decodes and folds s[0..len) into out; returns the number of units. */
static size_t units(const char *s, size_t len, uint32_t *out)
{
	size_t n = 0, pos = 0;

	while (pos < len) {
		uint32_t cp = utf8_next(s, len, &pos);
		out[n++] = cp < 0x80 ? pw_text_fold((unsigned char)cp) : cp;
	}
	return n;
}

static int equal(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

static size_t strip_tail(const uint32_t *a, size_t n)
{
	while (n > 0 && a[n - 1] < 0x80 && pw_text_is_decoration((unsigned char)a[n - 1]))
		n--;
	return n;
}

/* 1 when the edit distance of a and b is at most PW_OLD_MAX_EDITS: the
 * classic table restricted to the band |i - j| <= PW_OLD_MAX_EDITS. */
static int within_edits(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	enum { K = PW_OLD_MAX_EDITS, W = 2 * K + 1, FAR = K + 1 };
	unsigned prev[W], cur[W]; /* [d + K]: cell (i, i + d) */

	if (na > nb + K || nb > na + K)
		return 0;
	for (int d = -K; d <= K; d++)
		prev[d + K] = d >= 0 && (size_t)d <= nb ? (unsigned)d : FAR;
	for (size_t i = 1; i <= na; i++) {
		unsigned low = FAR;
		for (int d = -K; d <= K; d++) {
			long j = (long)i + d;
			unsigned v = FAR;
			if (j == 0) {
				v = i <= K ? (unsigned)i : FAR;
			} else if (j > 0 && (size_t)j <= nb) {
				/* substitute from (i-1, j-1): same d in prev */
				v = prev[d + K] + (a[i - 1] != b[j - 1]);
				/* delete a[i-1] from (i-1, j): d + 1 in prev */
				if (d + 1 <= K && prev[d + 1 + K] + 1 < v)
					v = prev[d + 1 + K] + 1;
				/* insert b[j-1] from (i, j-1): d - 1 in cur */
				if (d - 1 >= -K && cur[d - 1 + K] + 1 < v)
					v = cur[d - 1 + K] + 1;
			}
			cur[d + K] = v > FAR ? FAR : v;
			if (cur[d + K] < low)
				low = cur[d + K];
		}
		if (low > K)
			return 0;
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[(long)nb - (long)na + K] <= K;
}

int pw_old_similar(const char *pw, size_t len, const char *old, size_t old_len)
{
	uint32_t a[SESAME_MAX_PASSWORD], b[SESAME_MAX_PASSWORD];
	size_t na, nb, sa, sb;
	int r = 0;

	if (len > SESAME_MAX_PASSWORD || old_len > SESAME_MAX_PASSWORD)
		return 0;
	na = units(pw, len, a);
	nb = units(old, old_len, b);
	if (equal(a, na, b, nb) || within_edits(a, na, b, nb)) {
		r = 1;
		goto out;
	}
	sa = strip_tail(a, na);
	sb = strip_tail(b, nb);
	if (sa >= PW_OLD_MIN_BASE && equal(a, sa, b, sb)) {
		r = 1;
		goto out;
	}
	if (na == nb) {
		r = 1;
		for (size_t i = 0; i < na && r; i++)
			r = a[i] == b[nb - 1 - i];
	}
out:
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	return r;
}
