/* Context words and the "made of context words" rule (see pw_context.h):
 * shift-and matching (one 64-bit state per word, so no input makes it
 * slow) and a best-coverage pass over the occurrences. */
#include <openssl/crypto.h>
#include <stdint.h>
#include <string.h>

#include "password/pw_context.h"
#include "password/pw_text.h"
#include "sesame/limits.h"
#include "sesame/utf8.h"

/* Substitutes accepted for each letter. */
static const char *const leet[26] = {
    ['a' - 'a'] = "4@", ['b' - 'a'] = "8",   ['c' - 'a'] = "(<{[", ['e' - 'a'] = "3",
    ['g' - 'a'] = "96", ['i' - 'a'] = "1!|", ['l' - 'a'] = "1|7",  ['o' - 'a'] = "0",
    ['s' - 'a'] = "5$", ['t' - 'a'] = "7+",  ['z' - 'a'] = "2",
};

void pw_context_init(pw_context_t *c)
{
	memset(c, 0, sizeof(*c));
}

static int is_separator(unsigned char b)
{
	return b < 0x80 &&
	       !((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9'));
}

static void add_word(pw_context_t *c, const char *w, size_t len)
{
	size_t ncp = 0, pos = 0;
	int letter = 0;

	if (len == 0 || len > PW_CONTEXT_WORD_MAX || c->n >= PW_CONTEXT_MAX_WORDS)
		return;
	while (pos < len) {
		uint32_t cp = utf8_next(w, len, &pos);
		letter |= pw_text_is_letter(cp);
		ncp++;
	}
	if (ncp < PW_CONTEXT_MIN_CP || !letter)
		return;
	for (size_t i = 0; i < len; i++)
		c->word[c->n][i] = (char)pw_text_fold((unsigned char)w[i]);
	c->word[c->n][len] = '\0';
	for (size_t k = 0; k < c->n; k++)
		if (c->len[k] == len && memcmp(c->word[k], c->word[c->n], len) == 0)
			return;
	c->len[c->n++] = len;
}

void pw_context_add(pw_context_t *c, const char *text)
{
	size_t len, start = 0;

	if (text == NULL)
		return;
	len = strnlen(text, PW_CONTEXT_SOURCE_MAX);
	for (size_t i = 0; i <= len; i++)
		if (i == len || is_separator((unsigned char)text[i])) {
			add_word(c, text + start, i - start);
			start = i + 1;
		}
}

void pw_context_list(const pw_context_t *c, const char **list)
{
	for (size_t i = 0; i < c->n; i++)
		list[i] = c->word[i];
	list[c->n] = NULL;
}

/* The bytes of w[0..len) in reverse code point order. */
static void reverse_cps(const char *w, size_t len, char *out)
{
	size_t pos = 0;

	while (pos < len) {
		size_t start = pos;
		(void)utf8_next(w, len, &pos);
		memcpy(out + (len - pos), w + start, pos - start);
	}
}

/* Records in longest[end] (bytes of the longest occurrence ending at byte
 * end - 1) the occurrences of w[0..m) in pw[0..len). masks is 256 zeroed
 * entries, left zeroed. */
static void find(const char *w, size_t m, const char *pw, size_t len, uint64_t *masks,
		 uint16_t *longest)
{
	uint64_t state = 0, hit = (uint64_t)1 << (m - 1);

	for (size_t j = 0; j < m; j++) {
		unsigned char b = (unsigned char)w[j];
		masks[b] |= (uint64_t)1 << j;
		if (b >= 'a' && b <= 'z' && leet[b - 'a'] != NULL)
			for (const char *s = leet[b - 'a']; *s; s++)
				masks[(unsigned char)*s] |= (uint64_t)1 << j;
	}
	for (size_t i = 0; i < len; i++) {
		state = ((state << 1) | 1) & masks[pw_text_fold((unsigned char)pw[i])];
		if ((state & hit) && longest[i + 1] < m)
			longest[i + 1] = (uint16_t)m;
	}
	for (size_t j = 0; j < m; j++) {
		unsigned char b = (unsigned char)w[j];
		masks[b] = 0;
		if (b >= 'a' && b <= 'z' && leet[b - 'a'] != NULL)
			for (const char *s = leet[b - 'a']; *s; s++)
				masks[(unsigned char)*s] = 0;
	}
}

int pw_context_matches(const pw_context_t *c, const char *pw, size_t len)
{
	uint64_t masks[256] = {0};
	uint16_t longest[SESAME_MAX_PASSWORD + 1] = {0};
	uint16_t best[SESAME_MAX_PASSWORD + 1]; /* code points covered in pw[0..i) */
	uint16_t take[SESAME_MAX_PASSWORD + 1]; /* bytes of the occurrence ending at i, or 0 */
	char rev[PW_CONTEXT_WORD_MAX];
	size_t covered = 0, letters_left = 0, i;
	int found = 0, result = 0;

	if (len > SESAME_MAX_PASSWORD)
		return 0;
	for (size_t k = 0; k < c->n; k++) {
		if (c->len[k] > len)
			continue;
		find(c->word[k], c->len[k], pw, len, masks, longest);
		reverse_cps(c->word[k], c->len[k], rev);
		if (memcmp(rev, c->word[k], c->len[k]) != 0)
			find(rev, c->len[k], pw, len, masks, longest);
	}
	for (i = 1; i <= len; i++)
		found |= longest[i] != 0;
	if (!found)
		goto out;
	/* best coverage: an occurrence ending at i is best taken whole, the
	 * longest one dominating the shorter ones ending there */
	best[0] = 0;
	for (i = 1; i <= len; i++) {
		best[i] = best[i - 1];
		take[i] = 0;
		if (longest[i] != 0) {
			size_t s = i - longest[i], cps = 0;
			for (size_t j = s; j < i; j++)
				cps += ((unsigned char)pw[j] & 0xC0) != 0x80;
			if (best[s] + cps > best[i]) {
				best[i] = (uint16_t)(best[s] + cps);
				take[i] = longest[i];
			}
		}
	}
	covered = best[len];
	/* mark the chosen occurrences (reusing longest[] as "covered" flags
	 * per byte), then count the letters outside them */
	for (i = len; i > 0;) {
		size_t t = take[i];
		memset(longest + (i - t), 0, t * sizeof(longest[0]));
		if (t == 0) {
			longest[i - 1] = 1; /* not covered */
			i--;
		} else {
			i -= t;
		}
	}
	for (size_t pos = 0; pos < len;) {
		int outside = longest[pos] == 1;
		if (pw_text_is_letter(utf8_next(pw, len, &pos)) && outside)
			letters_left++;
	}
	result = covered >= PW_CONTEXT_MIN_CP && covered > letters_left;
out:
	OPENSSL_cleanse(longest, sizeof(longest));
	OPENSSL_cleanse(best, sizeof(best));
	OPENSSL_cleanse(take, sizeof(take));
	return result;
}
