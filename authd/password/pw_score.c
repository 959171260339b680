/* zxcvbn glue: input reduction (so that no input makes zxcvbn slow),
 * score, dictionary-word test and the pattern behind the hint. */
#include <math.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <string.h>
#include <zxcvbn.h>

#include "password/pw_score.h"
#include "sesame/utf8.h"

/* Keyboards as zxcvbn-c knows them (US and UK QWERTY, Dvorak; rows
 * unshifted then shifted, ' ' where a shifted sign is not ASCII), each row
 * starting x0 half-keys right of the first: keys on one row are 2 apart,
 * keys on neighbouring rows touch when 1 apart. */
typedef struct {
	const char *plain, *shifted;
	int x0;
} kb_row_t;

static const kb_row_t kb_us[] = {{"`1234567890-=", "~!@#$%^&*()_+", 0},
				 {"qwertyuiop[]\\", "QWERTYUIOP{}|", 3},
				 {"asdfghjkl;'", "ASDFGHJKL:\"", 4},
				 {"zxcvbnm,./", "ZXCVBNM<>?", 5}};
static const kb_row_t kb_uk[] = {{"`1234567890-=", " !\" $%^&*()_+", 0},
				 {"qwertyuiop[]", "QWERTYUIOP{}", 3},
				 {"asdfghjkl;'#", "ASDFGHJKL:@~", 4},
				 {"\\zxcvbnm,./", "|ZXCVBNM<>?", 3}};
static const kb_row_t kb_dvorak[] = {{"`1234567890[]", "~!@#$%^&*(){}", 0},
				     {"',.pyfgcrl/=\\", "\"<>PYFGCRL?+|", 3},
				     {"aoeuidhtns-", "AOEUIDHTNS_", 4},
				     {";qjkxbmwvz", ":QJKXBMWVZ", 5}};
/* Keypads: a grid, neighbours in all eight directions; '0' and '+' span
 * two cells. */
static const char *const pad_pc[] = {" /*-", "789+", "456+", "123 ", "00. "};
static const char *const pad_mac[] = {" =/*", "789-", "456+", "123 ", "00. "};

static unsigned char adj[128][128 / 8];
static pthread_once_t adj_once = PTHREAD_ONCE_INIT;

static void link_keys(unsigned char a, unsigned char b)
{
	if (a == ' ' || b == ' ' || a >= 128 || b >= 128 || a == b)
		return;
	adj[a][b / 8] |= (unsigned char)(1u << (b % 8));
	adj[b][a / 8] |= (unsigned char)(1u << (a % 8));
}

static void link_board(const kb_row_t *rows, size_t n)
{
	for (size_t r1 = 0; r1 < n; r1++)
		for (size_t r2 = r1; r2 < n && r2 <= r1 + 1; r2++)
			for (size_t i = 0; rows[r1].plain[i]; i++)
				for (size_t j = 0; rows[r2].plain[j]; j++) {
					int dx =
					    (rows[r1].x0 + 2 * (int)i) - (rows[r2].x0 + 2 * (int)j);
					if (!(r1 == r2 ? dx == 2 || dx == -2 : dx == 1 || dx == -1))
						continue;
					const char a[2] = {rows[r1].plain[i], rows[r1].shifted[i]};
					const char b[2] = {rows[r2].plain[j], rows[r2].shifted[j]};
					for (int p = 0; p < 2; p++)
						for (int q = 0; q < 2; q++)
							link_keys((unsigned char)a[p],
								  (unsigned char)b[q]);
				}
}

static void link_pad(const char *const *rows, size_t n)
{
	for (size_t r1 = 0; r1 < n; r1++)
		for (size_t c1 = 0; rows[r1][c1]; c1++)
			for (size_t r2 = r1 ? r1 - 1 : 0; r2 < n && r2 <= r1 + 1; r2++)
				for (size_t c2 = c1 ? c1 - 1 : 0; rows[r2][c2] && c2 <= c1 + 1;
				     c2++)
					link_keys((unsigned char)rows[r1][c1],
						  (unsigned char)rows[r2][c2]);
}

static void adj_init(void)
{
	link_board(kb_us, sizeof(kb_us) / sizeof(kb_us[0]));
	link_board(kb_uk, sizeof(kb_uk) / sizeof(kb_uk[0]));
	link_board(kb_dvorak, sizeof(kb_dvorak) / sizeof(kb_dvorak[0]));
	link_pad(pad_pc, sizeof(pad_pc) / sizeof(pad_pc[0]));
	link_pad(pad_mac, sizeof(pad_mac) / sizeof(pad_mac[0]));
}

int pw_score_adjacent(unsigned char a, unsigned char b)
{
	(void)pthread_once(&adj_once, adj_init);
	return a < 128 && b < 128 && (adj[a][b / 8] >> (b % 8)) & 1;
}

size_t pw_score_reduce(const char *s, size_t len, char *out, size_t outsz, unsigned *dropped,
		       size_t *ncp)
{
	uint32_t cps[PW_SCORE_MAX_CP];		   /* the output */
	uint32_t hist[PW_SCORE_PERIOD_MAX];	   /* the last input code points */
	size_t run[PW_SCORE_PERIOD_MAX + 1] = {0}; /* [p]: output positions equal to p back */
	size_t walk = 0, n = 0, olen = 0, pos = 0, i;
	size_t streak = 0; /* period whose input continuation is being dropped */

	*dropped = 0;
	for (i = 0; pos < len && n < PW_SCORE_MAX_CP; i++) {
		size_t start = pos, next_walk = 1;
		uint32_t cp = utf8_next(s, len, &pos);
		/* once a repetition is cut, the rest of it goes too: keeping
		 * what follows out of phase would make up a different text */
		int keep = !(streak != 0 && cp == hist[(i - streak) % PW_SCORE_PERIOD_MAX]);

		if (keep) {
			streak = 0;
			for (size_t p = 1; p <= PW_SCORE_PERIOD_MAX && p <= n && !streak; p++) {
				size_t limit = p == 1 ? PW_SCORE_RUN_MAX - 1
						      : (PW_SCORE_PERIOD_COPIES - 1) * p;
				if (cps[n - p] == cp && run[p] + 1 > limit)
					streak = p;
			}
			keep = streak == 0;
			*dropped |= keep ? 0u : PW_REDUCED_REPEAT;
		}
		if (keep && n > 0 && cp < 128 && cps[n - 1] < 128 &&
		    pw_score_adjacent((unsigned char)cps[n - 1], (unsigned char)cp))
			next_walk = walk + 1;
		if (keep && next_walk > PW_SCORE_WALK_MAX) {
			keep = 0;
			*dropped |= PW_REDUCED_WALK;
		}
		if (keep && olen + (pos - start) < outsz) {
			for (size_t p = 1; p <= PW_SCORE_PERIOD_MAX && p <= n; p++)
				run[p] = cps[n - p] == cp ? run[p] + 1 : 0;
			walk = next_walk;
			cps[n++] = cp;
			memcpy(out + olen, s + start, pos - start);
			olen += pos - start;
		}
		hist[i % PW_SCORE_PERIOD_MAX] = cp;
	}
	if (pos < len)
		*dropped |= PW_REDUCED_CUT;
	if (outsz > 0)
		out[olen] = '\0';
	OPENSSL_cleanse(cps, sizeof(cps));
	OPENSSL_cleanse(hist, sizeof(hist));
	if (ncp != NULL)
		*ncp = n;
	return olen;
}

int pw_score_from_bits(double bits)
{
	double lg = bits * log10(2.0);

	if (lg < 3)
		return 0;
	if (lg < 6)
		return 1;
	if (lg < 8)
		return 2;
	if (lg < 10)
		return 3;
	return 4;
}

/* Non-ASCII code points met so far, each standing for byte 0x80 + index;
 * 0xFF is for a context word's code point that the password lacks. */
typedef struct {
	uint32_t cp[127];
	size_t n;
} cpmap_t;

static unsigned char map_cp(cpmap_t *m, uint32_t cp, int add)
{
	if (cp < 0x80)
		return (unsigned char)cp;
	for (size_t i = 0; i < m->n; i++)
		if (m->cp[i] == cp)
			return (unsigned char)(0x80 + i);
	if (!add)
		return 0xFF;
	if (m->n < sizeof(m->cp) / sizeof(m->cp[0])) {
		m->cp[m->n] = cp;
		return (unsigned char)(0x80 + m->n++);
	}
	return (unsigned char)(0x80 + cp % 127);
}

/* One byte a code point of the UTF-8 s[0..len) into out (NUL-terminated,
 * at least len + 1 bytes); returns the bytes written. */
static size_t map_text(cpmap_t *m, const char *s, size_t len, int add, char *out)
{
	size_t n = 0;

	for (size_t pos = 0; pos < len;)
		out[n++] = (char)map_cp(m, utf8_next(s, len, &pos), add);
	out[n] = '\0';
	return n;
}

static pw_pattern_t pattern_of(ZxcTypeMatch_t type)
{
	if ((int)type & MULTIPLE_MATCH)
		return PW_PATTERN_REPEAT;
	switch (type) {
	case REPEATS_MATCH:
		return PW_PATTERN_REPEAT;
	case SEQUENCE_MATCH:
		return PW_PATTERN_SEQUENCE;
	case SPATIAL_MATCH:
		return PW_PATTERN_SPATIAL;
	case DATE_MATCH:
	case YEAR_MATCH:
		return PW_PATTERN_DATE;
	case DICTIONARY_MATCH:
	case DICT_LEET_MATCH:
		return PW_PATTERN_DICTIONARY;
	case USER_MATCH:
	case USER_LEET_MATCH:
		return PW_PATTERN_CONTEXT;
	default:
		return PW_PATTERN_NONE;
	}
}

void pw_score(const char *s, size_t len, const char *const *words, pw_score_t *out)
{
	char text[4 * PW_SCORE_MAX_CP + 1], ztext[PW_SCORE_MAX_CP + 1];
	char zwords[PW_SCORE_MAX_WORDS][PW_SCORE_WORD_MAX + 1];
	const char *zlist[PW_SCORE_MAX_WORDS + 1];
	cpmap_t map = {{0}, 0};
	ZxcMatch_t *info = NULL;
	unsigned dropped = 0;
	size_t tlen, ncp, zlen, nw = 0, longest = 0;

	memset(out, 0, sizeof(*out));
	tlen = pw_score_reduce(s, len, text, sizeof(text), &dropped, &ncp);
	out->scored_cp = ncp;
	if (tlen == 0)
		goto out;
	zlen = map_text(&map, text, tlen, 1, ztext);
	for (size_t i = 0; words != NULL && words[i] != NULL && nw < PW_SCORE_MAX_WORDS; i++) {
		size_t wl = strnlen(words[i], PW_SCORE_WORD_MAX + 1);
		if (wl <= PW_SCORE_WORD_MAX && map_text(&map, words[i], wl, 0, zwords[nw]) > 0) {
			zlist[nw] = zwords[nw];
			nw++;
		}
	}
	zlist[nw] = NULL;
	out->bits = ZxcvbnMatch(ztext, zlist, &info);
	out->score = pw_score_from_bits(out->bits);
	for (const ZxcMatch_t *m = info; m != NULL; m = m->Next) {
		pw_pattern_t pat = pattern_of(m->Type);
		size_t cover = m->Length > 0 ? (size_t)m->Length : 0; /* one byte, one code point */
		int base = (int)m->Type & ~MULTIPLE_MATCH;

		/* the word must make up the password itself, not a reduction */
		if ((base == DICTIONARY_MATCH || base == DICT_LEET_MATCH) && dropped == 0 &&
		    cover >= 3 && cover + PW_SCORE_DICT_SLACK >= zlen)
			out->dictionary = 1;
		if (pat != PW_PATTERN_NONE && cover > longest) {
			longest = cover;
			out->pattern = pat;
		}
	}
	/* what the reduction left out is the longest pattern of all */
	if (dropped & PW_REDUCED_REPEAT)
		out->pattern = PW_PATTERN_REPEAT;
	else if (dropped & PW_REDUCED_WALK)
		out->pattern = PW_PATTERN_SPATIAL;
out:
	ZxcvbnFreeInfo(info);
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(ztext, sizeof(ztext));
	OPENSSL_cleanse(&map, sizeof(map));
}
