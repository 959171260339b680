/* Unit tests for the building blocks of the password policy: strict UTF-8
 * (lib/utf8.c), character classes (pw_text.c), the list set
 * (pw_common.c), context words (pw_context.c), the old-password rule
 * (pw_old.c), the zxcvbn glue (pw_score.c) and NFKC normalisation
 * (pw_normalize.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "password/pw_common.h"
#include "password/pw_context.h"
#include "password/pw_old.h"
#include "password/pw_score.h"
#include "password/pw_text.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/pw_normalize.h"
#include "sesame/utf8.h"
#include "unit_util.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static int valid(const char *s, size_t len, size_t *ncp)
{
	return utf8_validate(s, len, ncp);
}

static void test_utf8_valid(void **state)
{
	static const struct {
		const char *s;
		size_t len, ncp;
	} ok[] = {
	    {S(""), 0},
	    {S("abc"), 3},
	    {S("\xc2\x80"), 1},				/* U+0080, smallest 2-byte */
	    {S("\xdf\xbf"), 1},				/* U+07FF */
	    {S("\xe0\xa0\x80"), 1},			/* U+0800, smallest 3-byte */
	    {S("\xed\x9f\xbf"), 1},			/* U+D7FF, below the surrogates */
	    {S("\xee\x80\x80"), 1},			/* U+E000, above them */
	    {S("\xef\xbf\xbf"), 1},			/* U+FFFF */
	    {S("\xf0\x90\x80\x80"), 1},			/* U+10000, smallest 4-byte */
	    {S("\xf4\x8f\xbf\xbf"), 1},			/* U+10FFFF, the last */
	    {S("e\xcc\x81"), 2},			/* e + combining acute: two code points */
	    {S("\xf0\x9f\x98\x80"), 1},			/* emoji */
	    {S("\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d"), 4}, /* Hebrew, right to left */
	};
	size_t ncp;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ncp = 99;
		assert_true(valid(ok[i].s, ok[i].len, &ncp));
		assert_int_equal(ncp, ok[i].ncp);
	}
	assert_true(valid(S("x"), NULL));
}

static void test_utf8_invalid(void **state)
{
	static const struct {
		const char *s;
		size_t len;
	} bad[] = {
	    {S("\xc0\xaf")},	     /* overlong '/' */
	    {S("\xc1\xbf")},	     /* overlong */
	    {S("\xe0\x80\xaf")},     /* overlong, 3 bytes */
	    {S("\xe0\x9f\xbf")},     /* overlong U+07FF */
	    {S("\xf0\x80\x80\xaf")}, /* overlong, 4 bytes */
	    {S("\xf0\x8f\xbf\xbf")}, /* overlong U+FFFF */
	    {S("\xed\xa0\x80")},     /* surrogate U+D800 */
	    {S("\xed\xbf\xbf")},     /* surrogate U+DFFF */
	    {S("\xf4\x90\x80\x80")}, /* U+110000 */
	    {S("\xf5\x80\x80\x80")}, /* beyond any plane */
	    {S("\xff")},	     /* never in UTF-8 */
	    {S("\x80")},	     /* lone continuation */
	    {S("a\xbf"
	       "b")},		 /* continuation between letters */
	    {S("\xe2\x82")},	 /* truncated 3-byte */
	    {S("\xf0\x9f\x98")}, /* truncated emoji */
	    {S("abc\xc3")},	 /* truncated at the end */
	    {S("\xe2\x28\xa1")}, /* bad second byte */
	    {S("a\0b")},	 /* NUL */
	    {S("\xc3\xa9\xc3")}, /* good then truncated */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(valid(bad[i].s, bad[i].len, NULL));
}

static void test_utf8_next(void **state)
{
	const char s[] = "a\xc3\xa9\xf0\x9f\x98\x80"
			 "b";
	const char bad[] = "a\xff"
			   "b";
	size_t pos = 0;

	(void)state;
	assert_int_equal(utf8_next(s, sizeof(s) - 1, &pos), 'a');
	assert_int_equal(utf8_next(s, sizeof(s) - 1, &pos), 0xE9);
	assert_int_equal(utf8_next(s, sizeof(s) - 1, &pos), 0x1F600);
	assert_int_equal(pos, 7);
	/* an ill-formed byte decodes as 0xDC00 + byte, one byte at a time */
	pos = 1;
	assert_int_equal(utf8_next(bad, 3, &pos), 0xDCFF);
	assert_int_equal(pos, 2);
}

static void test_text_classes(void **state)
{
	(void)state;
	assert_int_equal(pw_text_class('a'), PW_CLASS_LOWER);
	assert_int_equal(pw_text_class('Z'), PW_CLASS_UPPER);
	assert_int_equal(pw_text_class('7'), PW_CLASS_DIGIT);
	assert_int_equal(pw_text_class(' '), PW_CLASS_OTHER);
	assert_int_equal(pw_text_class('%'), PW_CLASS_OTHER);
	assert_int_equal(pw_text_class(0xE9), PW_CLASS_LOWER);	/* é */
	assert_int_equal(pw_text_class(0xC9), PW_CLASS_UPPER);	/* É */
	assert_int_equal(pw_text_class(0xD7), PW_CLASS_OTHER);	/* × */
	assert_int_equal(pw_text_class(0x141), PW_CLASS_UPPER); /* Ł */
	assert_int_equal(pw_text_class(0x142), PW_CLASS_LOWER); /* ł */
	assert_int_equal(pw_text_class(0x17D), PW_CLASS_UPPER); /* Ž */
	assert_int_equal(pw_text_class(0x17E), PW_CLASS_LOWER); /* ž */
	assert_int_equal(pw_text_class(0x3A9), PW_CLASS_UPPER); /* Ω */
	assert_int_equal(pw_text_class(0x3C9), PW_CLASS_LOWER); /* ω */
	assert_int_equal(pw_text_class(0x416), PW_CLASS_UPPER); /* Ж */
	assert_int_equal(pw_text_class(0x436), PW_CLASS_LOWER); /* ж */
	assert_int_equal(pw_text_class(0x5E9), PW_CLASS_OTHER); /* ש: no case */
	assert_int_equal(pw_text_class(0x1F600), PW_CLASS_OTHER);
	assert_int_equal(pw_text_strip_tail(S("Dragon2024!")), 6);
	assert_int_equal(pw_text_strip_tail(S("2024")), 0);
	assert_int_equal(pw_text_strip_tail(S("caf\xc3\xa9")), 5); /* é stays */
}

static void test_common_text(void **state)
{
	pw_common_t *c = NULL;
	char longline[SESAME_MAX_PASSWORD + 3];
	const char list[] = "# a comment\r\n"
			    "ZebraCrossing\r\n"
			    "\r\n"
			    "\n"
			    "  spaced  \n"
			    "#not-a-password\n"
			    "last-line-without-newline";

	(void)state;
	assert_int_equal(pw_common_new(&c), SESAME_OK);
	assert_int_equal(pw_common_add_text(c, S(list)), SESAME_OK);
	memset(longline, 'x', sizeof(longline));
	longline[sizeof(longline) - 1] = '\n';
	assert_int_equal(pw_common_add_text(c, longline, sizeof(longline)), SESAME_OK);
	assert_int_equal(pw_common_finish(c), SESAME_OK);
	assert_int_equal(pw_common_count(c), 3);
	assert_true(pw_common_contains(c, S("zebracrossing")));
	assert_true(pw_common_contains(c, S("ZEBRACROSSING")));
	assert_false(pw_common_contains(c, S("zebracrossing\r")));
	assert_true(pw_common_contains(c, S("  spaced  "))); /* lines are literal */
	assert_false(pw_common_contains(c, S("spaced")));
	assert_true(pw_common_contains(c, S("last-line-without-newline")));
	assert_false(pw_common_contains(c, S("# a comment")));
	assert_false(pw_common_contains(c, S("#not-a-password")));
	assert_false(pw_common_contains(c, S("")));
	pw_common_free(&c);
	assert_null(c);
	pw_common_free(&c); /* idempotent */
}

static void test_common_bundled(void **state)
{
	pw_common_t *c = NULL;
	struct timespec t0, t1;
	double ms;

	(void)state;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	assert_int_equal(pw_common_new(&c), SESAME_OK);
	assert_int_equal(
	    pw_common_add_text(c, (const char *)pw_common_bundled, pw_common_bundled_len),
	    SESAME_OK);
	assert_int_equal(pw_common_finish(c), SESAME_OK);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* the comment lines of data/common-passwords.txt are not compiled in */
	assert_int_equal(pw_common_count(c), 30000);
	assert_true(ms < 50);
	assert_true(pw_common_contains(c, S("123456")));
	assert_true(pw_common_contains(c, S("Password")));
	assert_true(pw_common_contains(c, S("geekboy"))); /* the last one */
	assert_false(pw_common_contains(c, S("correct horse battery staple")));
	pw_common_free(&c);
}

static void test_common_files(void **state)
{
	char *dir = unit_tmpdir();
	char path[512], err[512];
	pw_common_t *c = NULL;

	(void)state;
	assert_non_null(dir);
	assert_int_equal(pw_common_new(&c), SESAME_OK);
	unit_path(path, sizeof(path), dir, "missing.txt");
	err[0] = '\0';
	assert_int_equal(pw_common_add_file(c, path, err, sizeof(err)), SESAME_ERR_IO);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
	err[0] = '\0';
	assert_int_equal(pw_common_add_file(c, dir, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_non_null(strstr(err, dir));
	unit_path(path, sizeof(path), dir, "list.txt");
	assert_int_equal(unit_write_text(path, "# ours\r\nAcmeWelcome1\r\n", 0600), 0);
	assert_int_equal(pw_common_add_file(c, path, err, sizeof(err)), SESAME_OK);
	assert_int_equal(pw_common_finish(c), SESAME_OK);
	assert_true(pw_common_contains(c, S("acmewelcome1")));
	pw_common_free(&c);
	unit_rmtree(dir);
	free(dir);
}

static pw_context_t ctx_of(const char *user, const char *real, const char *service, const char *org)
{
	pw_context_t c;

	pw_context_init(&c);
	pw_context_add(&c, org);
	pw_context_add(&c, user);
	pw_context_add(&c, real);
	pw_context_add(&c, service);
	return c;
}

static void test_context_words(void **state)
{
	pw_context_t c = ctx_of("alice.smith", "Jean-Pierre O'Neil,Room 12,555-1234,,", "passwd",
				"Acme Corp, ab");
	const char *list[PW_CONTEXT_MAX_WORDS + 1];
	static const char *const want[] = {"acme",   "corp", "alice", "smith", "jean",
					   "pierre", "neil", "room",  "passwd"};

	(void)state;
	/* "ab", "o" and "12" are too short; "555", "1234" have no letter */
	assert_int_equal(c.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < c.n; i++)
		assert_string_equal(c.word[i], want[i]);
	pw_context_list(&c, list);
	assert_string_equal(list[0], "acme");
	assert_null(list[c.n]);
	/* duplicates are kept once; NULL sources add nothing */
	pw_context_add(&c, "ALICE");
	pw_context_add(&c, NULL);
	assert_int_equal(c.n, sizeof(want) / sizeof(want[0]));
}

static void test_context_rule(void **state)
{
	pw_context_t c = ctx_of("alice", "Alice Smith", "passwd", "acme");
	static const struct {
		const char *pw;
		int refused;
	} cases[] = {
	    {"Alice2024!", 1},
	    {"alice", 1},
	    {"ALICE", 1},
	    {"ecila", 1}, /* reversed */
	    {"Ecila-1999", 1},
	    {"4l1c3", 1}, /* substitutions */
	    {"@L!CE_77", 1},
	    {"Acme-2025", 1}, /* organisation word */
	    {"2025acme!!", 1},
	    {"SmithAlice99", 1}, /* both names */
	    {"alice bob", 1},	 /* 5 of 8 letters */
	    {"passwd-123", 1},	 /* service */
	    {"correct horse alice battery staple", 0},
	    {"Malice aforethought tulip", 0}, /* inside another word, among others */
	    {"alice in wonderland", 0},	      /* 5 code points, 12 other letters */
	    {"alicebobcarol", 0},	      /* 5 against 8 */
	    {"al1", 0},			      /* not a whole word */
	    {"unrelated words only", 0},
	    {"", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = pw_context_matches(&c, cases[i].pw, strlen(cases[i].pw));
		if (got != cases[i].refused)
			fail_msg("context rule on case %zu: got %d", i, got);
	}
}

static void test_context_unicode(void **state)
{
	pw_context_t c = ctx_of("zoe", "Zo\xc3\xab M\xc3\xbcller", NULL, NULL);

	(void)state;
	/* non-ASCII words are compared byte for byte (no Unicode case folding) */
	assert_true(pw_context_matches(&c, S("m\xc3\xbcller#1")));
	assert_true(pw_context_matches(&c, S("rell\xc3\xbcm"))); /* reversed by code points */
	assert_true(pw_context_matches(&c, S("zo\xc3\xab!")));
	assert_false(pw_context_matches(&c, S("M\xc3\x9cLLER"))); /* Ü is not folded */
	/* nothing at all: no occurrence */
	pw_context_init(&c);
	assert_false(pw_context_matches(&c, S("alice2024")));
}

static void test_context_worst_case_fast(void **state)
{
	char pw[SESAME_MAX_PASSWORD];
	char word[PW_CONTEXT_WORD_MAX + 1];
	pw_context_t c;
	struct timespec t0, t1;

	(void)state;
	pw_context_init(&c);
	memset(word, 'a', PW_CONTEXT_WORD_MAX);
	word[PW_CONTEXT_WORD_MAX] = '\0';
	for (int i = 0; i < PW_CONTEXT_MAX_WORDS; i++) {
		word[i % PW_CONTEXT_WORD_MAX] = 'b'; /* distinct near-misses */
		pw_context_add(&c, word);
		word[i % PW_CONTEXT_WORD_MAX] = 'a';
	}
	memset(pw, 'a', sizeof(pw));
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	assert_false(pw_context_matches(&c, pw, sizeof(pw)));
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	/* CPU time, generous for sanitizer builds: quadratic would be far more */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 20000000L);
}

static void test_old_rule(void **state)
{
	static const struct {
		const char *old, *pw;
		int similar;
	} cases[] = {
	    {"Summer-Holidays-2023!", "Summer-Holidays-2023!", 1},
	    {"Summer-Holidays-2023!", "Summer-Holidays-2024!", 1},
	    {"Summer-Holidays-2023!", "summer-holidays-2023!", 1},
	    {"Summer-Holidays-2023!", "Summer-Holidays-2024!!!", 1}, /* same base */
	    {"Summer-Holidays-2023!", "Summer-Holidays", 1},
	    {"Summer-Holidays-2023!", "!3202-syadiloH-remmuS", 1}, /* reversed */
	    {"Tr0ub4dor&3 horse", "Tr0ub4dor&3 horses", 1},	   /* one added at the end */
	    {"Tr0ub4dor&3 horse", "xTr0ub4dor&3 horse", 1},	   /* at the start */
	    {"Tr0ub4dor&3 horse", "r0ub4dor&3 hors", 1},	   /* two removed */
	    {"Tr0ub4dor&3 horse", "Tr0ub4d0r&3 h0rse", 1},	   /* two changed */
	    {"Tr0ub4dor&3 horse", "Tr0ub4d0r&3 h0rs3", 0},	   /* three changed */
	    {"Tr0ub4dor&3 horse", "XYTr0ub4dor&3 horseZ", 0},	   /* three added */
	    {"Tr0ub4dor&3 horse", "correct horse battery staple", 0},
	    {"2023-2024-2025", "1999-1999-1999", 0},			  /* digits only: no base */
	    {"caf\xc3\xa9 cr\xc3\xa8me", "caf\xc3\xa9 cr\xc3\xa8mes", 1}, /* code points */
	    {"\xff\xfe old bytes", "\xff\xfe old bytes!", 1},		  /* old not UTF-8 */
	    {"", "a completely new one", 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = pw_old_similar(cases[i].pw, strlen(cases[i].pw), cases[i].old,
					 strlen(cases[i].old));
		if (got != cases[i].similar)
			fail_msg("old-password rule on case %zu: got %d", i, got);
	}
	assert_false(pw_old_similar(S("abc"), "abc", SESAME_MAX_PASSWORD + 1));
}

static void test_score_thresholds(void **state)
{
	const double l2 = 1 / 0.30102999566398120; /* bits per decimal digit */

	(void)state;
	assert_int_equal(pw_score_from_bits(0), 0);
	assert_int_equal(pw_score_from_bits(2.99 * l2), 0);
	assert_int_equal(pw_score_from_bits(3.01 * l2), 1);
	assert_int_equal(pw_score_from_bits(5.99 * l2), 1);
	assert_int_equal(pw_score_from_bits(6.01 * l2), 2);
	assert_int_equal(pw_score_from_bits(7.99 * l2), 2);
	assert_int_equal(pw_score_from_bits(8.01 * l2), 3);
	assert_int_equal(pw_score_from_bits(9.99 * l2), 3);
	assert_int_equal(pw_score_from_bits(10.01 * l2), 4);
}

static void test_score_adjacency(void **state)
{
	(void)state;
	assert_true(pw_score_adjacent('q', 'w'));
	assert_true(pw_score_adjacent('w', 'q'));
	assert_true(pw_score_adjacent('Q', 'w')); /* shifted */
	assert_true(pw_score_adjacent('1', '2'));
	assert_true(pw_score_adjacent('!', '@'));
	assert_true(pw_score_adjacent('a', 'z'));
	assert_true(pw_score_adjacent('\\', 'z')); /* UK */
	assert_true(pw_score_adjacent('#', ']'));  /* UK */
	assert_true(pw_score_adjacent('a', 'o'));  /* Dvorak */
	assert_true(pw_score_adjacent('1', '5'));  /* keypad diagonal */
	assert_true(pw_score_adjacent('0', '.'));
	assert_false(pw_score_adjacent('a', 'l'));
	assert_false(pw_score_adjacent('q', 'p'));
	assert_false(pw_score_adjacent('a', 'a'));
	assert_false(pw_score_adjacent(' ', 'a'));
	assert_false(pw_score_adjacent(0xC3, 'a'));
}

/* Longest run in s of code points each adjacent to the one before. */
static size_t longest_walk(const char *s)
{
	size_t best = 0, run = 0;

	for (size_t i = 0; s[i]; i++) {
		run = i > 0 && pw_score_adjacent((unsigned char)s[i - 1], (unsigned char)s[i])
			  ? run + 1
			  : 1;
		if (run > best)
			best = run;
	}
	return best;
}

static void test_score_reduce(void **state)
{
	char out[4 * PW_SCORE_MAX_CP + 1], in[SESAME_MAX_PASSWORD + 1];
	unsigned dropped;
	size_t ncp, len;

	(void)state;
	/* ordinary text goes through untouched */
	len = pw_score_reduce(S("correct horse battery staple"), out, sizeof(out), &dropped, &ncp);
	assert_int_equal(len, 28);
	assert_int_equal(dropped, 0);
	assert_string_equal(out, "correct horse battery staple");
	/* a run keeps PW_SCORE_RUN_MAX copies */
	pw_score_reduce(S("xaaaaaaaaaaay"), out, sizeof(out), &dropped, &ncp);
	assert_string_equal(out, "xaaaay");
	assert_int_equal(dropped, PW_REDUCED_REPEAT);
	/* a repeated unit keeps PW_SCORE_PERIOD_COPIES copies, in phase */
	pw_score_reduce(S("1212121212121212121212"), out, sizeof(out), &dropped, &ncp);
	assert_string_equal(out, "121212");
	pw_score_reduce(S("abcabcabcabcabcabcZ"), out, sizeof(out), &dropped, &ncp);
	assert_string_equal(out, "abcabcabcZ");
	/* a keyboard walk keeps PW_SCORE_WALK_MAX keys in a row */
	pw_score_reduce(S("qawsedrftgyhujikolp;"), out, sizeof(out), &dropped, &ncp);
	assert_true(dropped & PW_REDUCED_WALK);
	assert_true(longest_walk(out) <= PW_SCORE_WALK_MAX);
	/* at most PW_SCORE_MAX_CP code points, whatever the input */
	for (size_t i = 0; i < SESAME_MAX_PASSWORD; i++)
		in[i] = "The quick brown fox jumps over 13 lazy dogs; "[i % 45];
	len = pw_score_reduce(in, SESAME_MAX_PASSWORD, out, sizeof(out), &dropped, &ncp);
	assert_int_equal(ncp, PW_SCORE_MAX_CP);
	assert_int_equal(len, PW_SCORE_MAX_CP);
	/* multi-byte code points are kept whole */
	for (size_t i = 0; i < 4 * 120; i += 4)
		memcpy(in + i, "\xf0\x9f\x98\x80", 4);
	memcpy(in, "\xf0\x9f\x90\xa2", 4); /* a different first emoji */
	len = pw_score_reduce(in, 4 * 120, out, sizeof(out), &dropped, &ncp);
	assert_int_equal(len, 4 * (1 + PW_SCORE_RUN_MAX));
	assert_true(utf8_validate(out, len, NULL));
}

static void test_score_patterns(void **state)
{
	static const struct {
		const char *pw;
		pw_pattern_t pattern;
		int max_score, dictionary;
	} cases[] = {
	    {"aaaaaaaaaaaaaaaaaaaa", PW_PATTERN_REPEAT, 0, 0},
	    {"abcabcabcabcabcabc", PW_PATTERN_REPEAT, 0, 0},
	    {"abcdefghijklmnopqrstu", PW_PATTERN_SEQUENCE, 0, 0},
	    {"123456789012345", PW_PATTERN_SPATIAL, 0, 0},
	    {"elephants", PW_PATTERN_DICTIONARY, 1, 1},
	    {"Elephants1", PW_PATTERN_DICTIONARY, 1, 1},
	    {"3l3phant5", PW_PATTERN_DICTIONARY, 2, 1},
	    {"passwordpassword", PW_PATTERN_REPEAT, 0, 1},
	    {"19071985", PW_PATTERN_DATE, 1, 0},
	    {"correct horse battery staple", PW_PATTERN_DICTIONARY, 4, 0},
	};
	pw_score_t sc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pw_score(cases[i].pw, strlen(cases[i].pw), NULL, &sc);
		if (sc.pattern != cases[i].pattern || sc.score > cases[i].max_score ||
		    sc.dictionary != cases[i].dictionary)
			fail_msg("case %zu: pattern %d score %d dictionary %d", i, sc.pattern,
				 sc.score, sc.dictionary);
	}
	assert_int_equal(sc.score, 4);
}

static void test_score_user_words(void **state)
{
	const char *words[] = {"zanzibarian", NULL};
	pw_score_t with, without;

	(void)state;
	pw_score(S("zanzibarian 1987"), NULL, &without);
	pw_score(S("zanzibarian 1987"), words, &with);
	assert_true(with.bits < without.bits);
	assert_int_equal(with.pattern, PW_PATTERN_CONTEXT);
}

/* The reduction bounds zxcvbn's time on its worst inputs: zig-zags, long
 * keyboard walks, runs (each over a second or several ms unreduced). */
static void test_score_worst_cases_fast(void **state)
{
	static const char *const units[] = {"12", "a", "qw", "1a", "aA"};
	char pw[SESAME_MAX_PASSWORD + 1];
	pw_score_t sc;

	(void)state;
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		struct timespec t0, t1;
		size_t ul = strlen(units[u]);
		for (size_t i = 0; i < SESAME_MAX_PASSWORD; i++)
			pw[i] = units[u][i % ul];
		pw[SESAME_MAX_PASSWORD] = '\0';
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		pw_score(pw, SESAME_MAX_PASSWORD, NULL, &sc);
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		assert_true(sc.score <= 1);
		/* CPU time; generous: a sanitizer build is several times slower */
		assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 <
			    100);
	}
}

/* pw_normalize() of a literal: SESAME_OK, the form, the result. */
static void expect_norm(const char *in, size_t len, pw_normalize_form_t form, const char *want)
{
	char out[PW_NORMALIZE_BUF];
	size_t n = 12345;
	pw_normalize_form_t got = (pw_normalize_form_t)-1;

	assert_int_equal(pw_normalize(in, len, out, sizeof(out), &n, &got), SESAME_OK);
	assert_int_equal(got, form);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	assert_int_equal(out[n], '\0');
}

static void test_normalize(void **state)
{
	static char big[SESAME_MAX_PASSWORD + 2];
	static char fdfa[SESAME_MAX_PASSWORD];
	char out[PW_NORMALIZE_BUF];
	size_t n;
	pw_normalize_form_t form;

	(void)state;
	/* ASCII and NFC text as they are */
	expect_norm(S(""), PW_NORMALIZE_NFKC, "");
	expect_norm(S("correct horse"), PW_NORMALIZE_NFKC, "correct horse");
	expect_norm(S("cr\xc3\xa8me"), PW_NORMALIZE_NFKC, "cr\xc3\xa8me");
	/* canonical: combining marks composed, and put in canonical order */
	expect_norm(S("cre\xcc\x80me"), PW_NORMALIZE_NFKC, "cr\xc3\xa8me");
	expect_norm(S("A\xcc\x8a"), PW_NORMALIZE_NFKC, "\xc3\x85");
	expect_norm(S("\xe2\x84\xab"), PW_NORMALIZE_NFKC, "\xc3\x85"); /* ANGSTROM SIGN */
	expect_norm(S("q\xcc\xa3\xcc\x87"), PW_NORMALIZE_NFKC, "q\xcc\xa3\xcc\x87");
	expect_norm(S("q\xcc\x87\xcc\xa3"), PW_NORMALIZE_NFKC, "q\xcc\xa3\xcc\x87");
	/* Hangul jamo into a syllable */
	expect_norm(S("\xe1\x84\x80\xe1\x85\xa1"), PW_NORMALIZE_NFKC, "\xea\xb0\x80");
	/* compatibility: ligature, full-width, superscript, no-break space */
	expect_norm(S("\xef\xac\x81"), PW_NORMALIZE_NFKC, "fi");
	expect_norm(S("\xef\xbc\xa1\xef\xbd\x82\xef\xbc\x91"), PW_NORMALIZE_NFKC, "Ab1");
	expect_norm(S("x\xc2\xb2"), PW_NORMALIZE_NFKC, "x2");
	expect_norm(S("a\xc2\xa0"
		      "b"),
		    PW_NORMALIZE_NFKC, "a b");
	/* invalid UTF-8 and NUL: the raw bytes, not an error */
	expect_norm(S("e\xcc\x81\xff"), PW_NORMALIZE_INVALID, "e\xcc\x81\xff");
	expect_norm(S("\xc0\xaf"), PW_NORMALIZE_INVALID, "\xc0\xaf");
	assert_int_equal(pw_normalize("e\xcc\x81\0x", 5, out, sizeof(out), &n, &form), SESAME_OK);
	assert_int_equal(form, PW_NORMALIZE_INVALID);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "e\xcc\x81\0x", 5);
	/* the longest expansion (U+FDFA, 3 bytes, is 33): a full input of it
	 * cannot fit the bound and stays raw; 31 of them (1023 bytes) do */
	for (size_t i = 0; i + 3 <= sizeof(fdfa); i += 3)
		memcpy(fdfa + i, "\xef\xb7\xba", 3);
	assert_int_equal(pw_normalize(fdfa, 1023, out, sizeof(out), &n, &form), SESAME_OK);
	assert_int_equal(form, PW_NORMALIZE_TOO_LONG);
	assert_int_equal(n, 1023);
	assert_memory_equal(out, fdfa, n);
	assert_int_equal(pw_normalize(fdfa, 31 * 3, out, sizeof(out), &n, &form), SESAME_OK);
	assert_int_equal(form, PW_NORMALIZE_NFKC);
	assert_int_equal(n, 31 * 33);
	assert_memory_equal(out, "\xd8\xb5\xd9\x84\xd9\x89 ", 7);
	/* bounds */
	memset(big, 'a', sizeof(big));
	assert_int_equal(pw_normalize(big, SESAME_MAX_PASSWORD, out, sizeof(out), &n, NULL),
			 SESAME_OK);
	assert_int_equal(n, SESAME_MAX_PASSWORD);
	assert_int_equal(pw_normalize(big, SESAME_MAX_PASSWORD + 1, out, sizeof(out), &n, &form),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_string_equal(out, "");
	assert_int_equal(pw_normalize("ab", 2, out, PW_NORMALIZE_BUF - 1, &n, NULL),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(pw_normalize(NULL, 1, out, sizeof(out), &n, NULL),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(pw_normalize(NULL, 0, out, sizeof(out), &n, NULL), SESAME_OK);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_invalid),
	    cmocka_unit_test(test_utf8_next),
	    cmocka_unit_test(test_text_classes),
	    cmocka_unit_test(test_common_text),
	    cmocka_unit_test(test_common_bundled),
	    cmocka_unit_test(test_common_files),
	    cmocka_unit_test(test_context_words),
	    cmocka_unit_test(test_context_rule),
	    cmocka_unit_test(test_context_unicode),
	    cmocka_unit_test(test_context_worst_case_fast),
	    cmocka_unit_test(test_old_rule),
	    cmocka_unit_test(test_score_thresholds),
	    cmocka_unit_test(test_score_adjacency),
	    cmocka_unit_test(test_score_reduce),
	    cmocka_unit_test(test_score_patterns),
	    cmocka_unit_test(test_score_user_words),
	    cmocka_unit_test(test_score_worst_cases_fast),
	    cmocka_unit_test(test_normalize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
