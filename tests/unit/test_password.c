/* Unit tests for authd/password/password.c: every rule of the password
 * policy, refused and (with a close case) accepted, Unicode, the input
 * bound, admin lists, several reasons at once, sentences and hints, and
 * concurrent checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "password/password.h"
#include "sesame/breach_filter.h"
#include "sesame/breach_import.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "unit_util.h"

#define BIT(r) (1u << (r))

struct fixture {
	char *dir;
	password_policy_t *def;	   /* the defaults, organisation word "acme" */
	password_policy_t *short8; /* min_length 8, to see the other rules alone */
};

static password_config_t defaults(void)
{
	sesame_config_t cfg;

	config_defaults(&cfg);
	return cfg.password;
}

static password_policy_t *policy(const password_config_t *cfg)
{
	password_policy_t *p = NULL;
	char err[512] = "";

	if (password_policy_new(cfg, &p, err, sizeof(err)) != SESAME_OK)
		fail_msg("password_policy_new: %s", err);
	return p;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	password_config_t cfg = defaults();

	if (f == NULL || (f->dir = unit_tmpdir()) == NULL)
		return -1;
	snprintf(cfg.org_words[0], sizeof(cfg.org_words[0]), "acme");
	cfg.n_org_words = 1;
	f->def = policy(&cfg);
	cfg.min_length = 8;
	f->short8 = policy(&cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	password_policy_free(&f->def);
	password_policy_free(&f->short8);
	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Checks pw (len bytes) for alice, with no old password. */
static password_result_t check_len(password_policy_t *p, const char *pw, size_t len)
{
	password_input_t in = {pw, len, NULL, 0, "alice", "Alice Smith,,,", "passwd"};
	password_result_t r;

	assert_int_equal(password_check(p, &in, &r), SESAME_OK);
	assert_int_equal(r.accepted, r.reasons == 0);
	return r;
}

static password_result_t check(password_policy_t *p, const char *pw)
{
	return check_len(p, pw, strlen(pw));
}

static password_result_t check_old(password_policy_t *p, const char *pw, const char *old)
{
	password_input_t in = {pw, strlen(pw), old, strlen(old), "alice", NULL, NULL};
	password_result_t r;

	assert_int_equal(password_check(p, &in, &r), SESAME_OK);
	return r;
}

/* Fails with the reason codes when r.reasons != want. */
static void expect(const char *what, password_result_t r, unsigned want)
{
	char got[512] = "";

	if (r.reasons == want)
		return;
	for (int i = 0; i < PW__COUNT; i++)
		if (r.reasons & BIT(i)) {
			strncat(got, " ", sizeof(got) - strlen(got) - 1);
			strncat(got, password_reason_code((password_reason_t)i),
				sizeof(got) - strlen(got) - 1);
		}
	fail_msg("%s: reasons 0x%x (%s), wanted 0x%x; hint \"%s\"", what, r.reasons, got, want,
		 r.hint);
}

static void test_accepts_passphrases(void **state)
{
	struct fixture *f = *state;
	password_result_t r;

	r = check(f->def, "correct horse battery staple");
	expect("passphrase", r, 0);
	assert_int_equal(r.score, 4);
	assert_int_equal(r.length, 28);
	assert_string_equal(r.hint, "");
	expect("mixed", check(f->def, "Xk#9q!Lm2zPw7$Rt"), 0);
	expect("purple", check(f->def, "purple monkey dishwasher lamp"), 0);
}

static void test_input_bound(void **state)
{
	struct fixture *f = *state;
	char big[SESAME_MAX_PASSWORD + 1];
	password_result_t r;

	/* 1024 bytes are checked (and too long for max_length 256) */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = "Tiger lily, seven oaks & a blue kettle 4 tea; "[i % 46];
	r = check_len(f->def, big, SESAME_MAX_PASSWORD);
	assert_false(r.reasons & BIT(PW_INPUT_TOO_LARGE));
	assert_true(r.reasons & BIT(PW_TOO_LONG));
	assert_int_equal(r.length, SESAME_MAX_PASSWORD);
	assert_true(r.score >= 0);
	/* 1025 are not looked at: that one reason, no score, no length */
	r = check_len(f->def, big, SESAME_MAX_PASSWORD + 1);
	expect("1025 bytes", r, BIT(PW_INPUT_TOO_LARGE));
	assert_int_equal(r.score, -1);
	assert_int_equal(r.length, 0);
	assert_string_equal(r.hint, "Use a password of at most 256 characters.");
	/* even when the excess is invalid UTF-8 */
	big[SESAME_MAX_PASSWORD] = '\xff';
	expect("1025 bad bytes", check_len(f->def, big, SESAME_MAX_PASSWORD + 1),
	       BIT(PW_INPUT_TOO_LARGE));
	/* and when the NFKC form is over the bound: U+FDFA (3 bytes) is 33 */
	for (size_t i = 0; i + 3 <= sizeof(big); i += 3)
		memcpy(big + i, "\xef\xb7\xba", 3);
	r = check_len(f->def, big, 1023);
	expect("NFKC over the bound", r, BIT(PW_INPUT_TOO_LARGE));
	assert_int_equal(r.length, 0);
}

static void test_invalid_utf8(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
	    "correct horse \xc0\xaf battery",	      /* overlong */
	    "correct horse \xed\xa0\x80 battery",     /* surrogate */
	    "correct horse \xf4\x90\x80\x80 battery", /* above U+10FFFF */
	    "correct horse \xe2\x82",		      /* truncated */
	    "correct horse \x80 battery",	      /* lone continuation */
	    "password\xff",			      /* common, but not looked at */
	};
	password_result_t r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = check(f->def, bad[i]);
		expect("invalid UTF-8", r, BIT(PW_INVALID_UTF8));
		assert_int_equal(r.score, -1);
		assert_int_equal(r.length, 0);
		assert_non_null(strstr(r.hint, "UTF-8"));
	}
	/* an embedded NUL is refused as well */
	r = check_len(f->def, "correct horse\0battery staple", 28);
	expect("NUL", r, BIT(PW_INVALID_UTF8));
}

static void test_length(void **state)
{
	struct fixture *f = *state;
	password_config_t cfg = defaults();
	password_policy_t *p;
	char longpw[600] = "";
	password_result_t r;

	r = check(f->def, "Xk#9q!Lm2zPw7$");
	expect("14", r, BIT(PW_TOO_SHORT));
	assert_int_equal(r.length, 14);
	assert_string_equal(r.hint,
			    "Use at least 15 characters; several unrelated words are easy to "
			    "remember.");
	expect("15", check(f->def, "Xk#9q!Lm2zPw7$R"), 0);
	/* code points, not bytes: 14 Hebrew letters and 2 spaces are 30 bytes */
	r = check(f->def, "\xd7\x99\xd7\xa8\xd7\x95\xd7\xa9\xd7\x9c\xd7\x99\xd7\x9d "
			  "\xd7\x96\xd7\x94\xd7\x91 \xd7\xa2\xd7\xaa\xd7\x99\xd7\xa7");
	expect("Hebrew 16", r, 0);
	assert_int_equal(r.length, 16);
	/* max_length: 64 accepted, 65 too long */
	cfg.max_length = 64;
	p = policy(&cfg);
	for (int i = 0; i < 8; i++)
		strcat(longpw, "kettle7 ");
	expect("64", check(p, longpw), 0);
	strcat(longpw, "x");
	r = check(p, longpw);
	expect("65", r, BIT(PW_TOO_LONG));
	assert_string_equal(r.hint, "Use a password of at most 64 characters.");
	password_policy_free(&p);
}

static void test_unicode(void **state)
{
	struct fixture *f = *state;
	password_result_t r;

	/* lengths are counted after NFKC: "é" is one code point whether typed
	 * as U+00E9 or as "e" + U+0301 (which were 1 and 2 before) */
	r = check(f->def, "\xc3\xa9");
	assert_int_equal(r.length, 1);
	r = check(f->def, "e\xcc\x81");
	assert_int_equal(r.length, 1);
	r = check(f->def, "cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"
			  "e!!");
	assert_int_equal(r.length, 14);
	assert_true(r.reasons & BIT(PW_TOO_SHORT));
	r = check(f->def, "cre\xcc\x80me bru\xcc\x82le\xcc\x81"
			  "e!!"); /* 17 code points as typed */
	assert_int_equal(r.length, 14);
	assert_true(r.reasons & BIT(PW_TOO_SHORT));
	r = check(f->def, "cre\xcc\x80me bru\xcc\x82le\xcc\x81"
			  "e!!!");
	assert_int_equal(r.length, 15);
	assert_false(r.reasons & BIT(PW_TOO_SHORT));
	/* compatibility forms too: the ligature "ﬁ" is "fi", full-width
	 * letters are ASCII ones */
	r = check(f->def, "\xef\xac\x81");
	assert_int_equal(r.length, 2);
	expect("full-width common",
	       check(f->short8, "\xef\xbd\x90\xef\xbd\x81\xef\xbd\x93"
				"\xef\xbd\x93\xef\xbd\x97\xef\xbd\x8f"
				"\xef\xbd\x92\xef\xbd\x84"),
	       BIT(PW_COMMON) | BIT(PW_DICTIONARY) | BIT(PW_WEAK));
	/* emoji: 15 four-byte code points */
	r = check(f->def, "\xf0\x9f\x94\xa5\xf0\x9f\x8c\x8a\xf0\x9f\x8c\xb2\xf0\x9f\x8f\x94"
			  "\xf0\x9f\x8e\xb8\xf0\x9f\x90\x99\xf0\x9f\x8d\x95\xf0\x9f\x9a\x80"
			  "\xf0\x9f\x8c\x99\xf0\x9f\x90\xa2\xf0\x9f\x8e\xb2\xf0\x9f\x8d\x8b"
			  "\xf0\x9f\xa6\x8a\xf0\x9f\x8c\xb5\xf0\x9f\x8e\xba");
	expect("emoji", r, 0);
	assert_int_equal(r.length, 15);
	/* right-to-left passphrases: Hebrew and Arabic */
	expect("Hebrew",
	       check(f->def, "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d "
			     "\xd7\x99\xd7\xa8\xd7\x95\xd7\xa9\xd7\x9c\xd7\x99\xd7\x9d"),
	       0);
	expect("Arabic",
	       check(f->def, "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xd8\xa8\xd8\xa7\xd9\x84"
			     "\xd8\xb9\xd8\xa7\xd9\x84\xd9\x85 \xd8\xa7\xd9\x84\xd8\xac\xd9\x85"
			     "\xd9\x8a\xd9\x84"),
	       0);
	/* but one emoji repeated is weak, like any repetition */
	r = check(f->def, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
			  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
			  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
			  "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
	expect("one emoji", r, BIT(PW_WEAK));
	assert_string_equal(r.hint, "Avoid repeated words and characters.");
}

static void test_composition(void **state)
{
	struct fixture *f = *state;
	password_config_t cfg = defaults();
	password_policy_t *p;
	password_result_t r;

	/* off by default */
	expect("default", check(f->def, "correct horse battery staple"), 0);
	cfg.min_classes = 3;
	p = policy(&cfg);
	r = check(p, "correct horse battery staple"); /* lower + other (space) */
	expect("two classes", r, BIT(PW_COMPOSITION));
	assert_non_null(strstr(r.hint, "at least 3"));
	expect("three", check(p, "Correct horse battery staple"), 0);
	/* letters of other scripts with case count as lower or upper case */
	expect("accents", check(p, "\xc3\x89toile filante \xc3\xa0 minuit"), 0);
	password_policy_free(&p);
	cfg.min_classes = 4;
	p = policy(&cfg);
	expect("four", check(p, "Correct horse battery staple 9"), 0);
	expect("no digit", check(p, "Correct horse battery staple"), BIT(PW_COMPOSITION));
	password_policy_free(&p);
}

static void test_common(void **state)
{
	struct fixture *f = *state;
	password_result_t r;

	r = check(f->short8, "baseball");
	assert_true(r.reasons & BIT(PW_COMMON));
	assert_string_equal(r.hint, "Add more unrelated words; a single word is easy to guess.");
	assert_true(check(f->short8, "BaseBall").reasons & BIT(PW_COMMON));
	/* common once the appended digits and symbols are gone */
	assert_true(check(f->short8, "password123!").reasons & BIT(PW_COMMON));
	assert_true(check(f->short8, "Dragon2024").reasons & BIT(PW_COMMON));
	assert_true(check(f->def, "Dragon-2024-05-17!!").reasons & BIT(PW_COMMON));
	/* not when the word is one among others */
	expect("dragon among others", check(f->def, "Dragonfly2024 uphill tulip"), 0);
	assert_false(check(f->def, "2024!!!!!!!!!!!!!!").reasons & BIT(PW_COMMON));
}

static void test_admin_lists(void **state)
{
	struct fixture *f = *state;
	password_config_t cfg = defaults();
	password_policy_t *p = NULL;
	char err[512] = "";

	unit_path(cfg.lists[0], sizeof(cfg.lists[0]), f->dir, "ours.txt");
	unit_path(cfg.lists[1], sizeof(cfg.lists[1]), f->dir, "theirs.txt");
	cfg.n_lists = 2;
	assert_int_equal(unit_write_text(cfg.lists[0],
					 "# refused at Acme\r\n"
					 "Welcome to Acme 2025\r\n"
					 "\r\n"
					 "correct horse battery staple\r\n",
					 0644),
			 0);
	/* the second list is missing: an error naming it */
	assert_int_equal(password_policy_new(&cfg, &p, err, sizeof(err)), SESAME_ERR_IO);
	assert_null(p);
	assert_non_null(strstr(err, cfg.lists[1]));
	assert_int_equal(unit_write_text(cfg.lists[1], "tiger lily seven oaks\n", 0644), 0);
	p = policy(&cfg);
	expect("listed", check(p, "correct horse battery staple"), BIT(PW_COMMON));
	expect("case", check(p, "WELCOME TO ACME 2025"), BIT(PW_COMMON));
	expect("second list", check(p, "Tiger Lily Seven Oaks"), BIT(PW_COMMON));
	assert_false(check(p, "# refused at Acme").reasons & BIT(PW_COMMON));
	expect("not listed", check(p, "correct horse battery stapler"), 0);
	password_policy_free(&p);
}

static void test_dictionary(void **state)
{
	struct fixture *f = *state;
	password_result_t r;

	r = check(f->short8, "elephants");
	assert_true(r.reasons & BIT(PW_DICTIONARY));
	assert_string_equal(r.hint, "Add more unrelated words; a single word is easy to guess.");
	assert_true(check(f->short8, "Elephants1").reasons & BIT(PW_DICTIONARY));
	assert_true(check(f->short8, "3l3phant5").reasons & BIT(PW_DICTIONARY));
	expect("several words", check(f->short8, "elephants uphill tulip"), 0);
}

static void test_context(void **state)
{
	struct fixture *f = *state;
	password_input_t in = {NULL, 0, NULL, 0, "alice", "Alice Smith,Room 12,,", "passwd"};
	password_result_t r;

	r = check(f->short8, "Alice2024!");
	assert_true(r.reasons & BIT(PW_CONTEXT));
	assert_string_equal(
	    r.hint, "Avoid your name, your user name and the service or organisation name.");
	assert_true(check(f->short8, "ecila-ecila").reasons & BIT(PW_CONTEXT));
	assert_true(check(f->short8, "4l1c3 2024 !!").reasons & BIT(PW_CONTEXT));
	assert_true(check(f->short8, "Acme-2025").reasons & BIT(PW_CONTEXT));
	assert_true(check(f->short8, "SmithAlice99").reasons & BIT(PW_CONTEXT));
	/* a long passphrase that merely contains the name is fine */
	expect("contains", check(f->def, "correct horse alice battery staple"), 0);
	/* the same password for someone else */
	in.user = "bob";
	in.real_name = NULL;
	in.password = "Alice2024!";
	in.len = strlen(in.password);
	assert_int_equal(password_check(f->short8, &in, &r), SESAME_OK);
	assert_false(r.reasons & BIT(PW_CONTEXT));
	/* a long strong-looking password made of the context words */
	expect("names", check(f->def, "SmithAliceSmith#4"), BIT(PW_CONTEXT) | BIT(PW_WEAK));
}

static void test_weak_and_hints(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *pw, *hint;
	} cases[] = {
	    {"aaaaaaaaaaaaaaaaaaaa", "Avoid repeated words and characters."},
	    {"abcdefghijklmnopqrstu", "Avoid sequences like abc or 6543."},
	    {"123456789012345", "Avoid keyboard patterns like qwerty."},
	    {"19071985190719851907", "Avoid repeated words and characters."},
	    {"qwertyuiopasdfgh", "Add more unrelated words; a single word is easy to guess."},
	};
	password_result_t r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = check(f->def, cases[i].pw);
		expect(cases[i].pw, r, BIT(PW_WEAK) | (r.reasons & BIT(PW_COMMON)));
		assert_true(r.score < 3);
		assert_string_equal(r.hint, cases[i].hint);
		assert_null(strstr(r.hint, cases[i].pw));
	}
	/* min_score is the configured one */
	r = check(f->short8, "Tr0ub4dor&3");
	assert_int_equal(r.score, 4); /* zxcvbn-c; python-zxcvbn says 4 too */
	expect("troubador", r, 0);
}

static void test_old_password(void **state)
{
	struct fixture *f = *state;
	password_config_t cfg = defaults();
	password_policy_t *p;
	password_result_t r;
	const char *old = "Summer-Holidays-2023!";

	r = check_old(f->def, old, old);
	expect("same", r, BIT(PW_SAME_AS_OLD));
	assert_string_equal(r.hint, "Choose a new password that is not based on the old one.");
	expect("year", check_old(f->def, "Summer-Holidays-2024!", old), BIT(PW_SAME_AS_OLD));
	expect("case", check_old(f->def, "summer-holidays-2023!", old), BIT(PW_SAME_AS_OLD));
	expect("suffix", check_old(f->def, "Summer-Holidays-2024!!#", old), BIT(PW_SAME_AS_OLD));
	expect("reversed", check_old(f->def, "!3202-syadiloH-remmuS", old), BIT(PW_SAME_AS_OLD));
	expect("prefix", check_old(f->def, "xSummer-Holidays-2023!", old), BIT(PW_SAME_AS_OLD));
	expect("different", check_old(f->def, "Winter-Mountains-2024!", old), 0);
	expect("unrelated", check_old(f->def, "correct horse battery staple", old), 0);
	/* check_old = 0 turns the rule off */
	cfg.check_old = 0;
	p = policy(&cfg);
	expect("off", check_old(p, old, old), 0);
	password_policy_free(&p);
}

/* "crème brûlée au caramel 1987" with the accents precomposed (NFC, as
 * most keyboards send them) and as combining marks (NFD, as macOS file
 * names and some input methods give them): one password. */
#define CREME_NFC                                                                                  \
	"Cr\xc3\xa8me br\xc3\xbbl\xc3\xa9"                                                         \
	"e au caramel 1987"
#define CREME_NFD                                                                                  \
	"Cre\xcc\x80me bru\xcc\x82le\xcc\x81"                                                      \
	"e au caramel 1987"
/* "Ångström fjord lantern 42", the Å as A + U+030A and as U+00C5 */
#define ANGSTROM_NFD "A\xcc\x8angstro\xcc\x88m fjord lantern 42"
#define ANGSTROM_NFC "\xc3\x85ngstr\xc3\xb6m fjord lantern 42"

static void test_normalization(void **state)
{
	struct fixture *f = *state;
	password_config_t cfg = defaults();
	password_policy_t *p;
	password_result_t r;
	uint64_t keys[1000], seed = 42;
	password_input_t in = {NULL, 0, NULL, 0, "jdoe", NULL, NULL};

	/* both spellings are accepted alike, with one length */
	r = check(f->def, CREME_NFC);
	expect("NFC", r, 0);
	assert_int_equal(r.length, 28);
	r = check(f->def, CREME_NFD);
	expect("NFD", r, 0);
	assert_int_equal(r.length, 28);

	/* an admin list written in NFD refuses the NFC spelling, and back */
	unit_path(cfg.lists[0], sizeof(cfg.lists[0]), f->dir, "nfd.txt");
	cfg.n_lists = 1;
	assert_int_equal(unit_write_text(cfg.lists[0], CREME_NFD "\n" ANGSTROM_NFC "\n", 0644), 0);
	p = policy(&cfg);
	expect("listed NFD, typed NFC", check(p, CREME_NFC), BIT(PW_COMMON));
	expect("listed NFC, typed NFD", check(p, ANGSTROM_NFD), BIT(PW_COMMON));
	password_policy_free(&p);
	cfg = defaults();

	/* context words: a real name in NFD, the password in NFC */
	in.real_name = "Jose\xcc\x81 Doe";
	in.password = "Jos\xc3\xa9-Jos\xc3\xa9-1987!";
	in.len = strlen(in.password);
	assert_int_equal(password_check(f->short8, &in, &r), SESAME_OK);
	assert_true(r.reasons & BIT(PW_CONTEXT));

	/* the old password in one spelling, the new one in the other */
	expect("old NFD", check_old(f->def, CREME_NFC, CREME_NFD), BIT(PW_SAME_AS_OLD));

	/* the offline breach filter: a HIBP-style key of the NFC spelling
	 * finds the NFD one; a plain list imported in NFD finds the NFC one */
	for (size_t i = 0; i < 998; i++) {
		seed = seed * 6364136223846793005u + 1442695040888963407u;
		keys[i] = seed;
	}
	keys[998] = breach_key_from_password(CREME_NFC, strlen(CREME_NFC));
	assert_int_equal(breach_import_line(ANGSTROM_NFD, strlen(ANGSTROM_NFD), 1, &keys[999]),
			 SESAME_OK);
	unit_path(cfg.breach_filter, sizeof(cfg.breach_filter), f->dir, "breach.filter");
	assert_int_equal(breach_filter_build(keys, 1000, cfg.breach_filter), SESAME_OK);
	p = policy(&cfg);
	expect("breached NFC", check(p, CREME_NFC), BIT(PW_BREACHED));
	expect("breached NFD", check(p, CREME_NFD), BIT(PW_BREACHED));
	expect("imported NFD, typed NFC", check(p, ANGSTROM_NFC), BIT(PW_BREACHED));
	expect("not listed", check(p, "correct horse battery staple"), 0);
	password_policy_free(&p);
}

static void test_several_reasons(void **state)
{
	struct fixture *f = *state;
	password_result_t r;
	char text[256];

	r = check_old(f->def, "alice1", "alice1");
	expect("several", r,
	       BIT(PW_TOO_SHORT) | BIT(PW_COMMON) | BIT(PW_CONTEXT) | BIT(PW_WEAK) |
		   BIT(PW_SAME_AS_OLD));
	/* the hint names what to change first */
	assert_string_equal(r.hint, "Choose a new password that is not based on the old one.");
	r = check(f->def, "password");
	expect("password", r,
	       BIT(PW_TOO_SHORT) | BIT(PW_COMMON) | BIT(PW_DICTIONARY) | BIT(PW_WEAK));
	assert_int_equal(r.score, 0);
	password_reason_text(f->def, PW_TOO_SHORT, text, sizeof(text));
	assert_string_equal(text, "The password must have at least 15 characters.");
	/* an empty password is too short and scores 0 */
	r = check(f->def, "");
	expect("empty", r, BIT(PW_TOO_SHORT) | BIT(PW_WEAK));
	assert_int_equal(r.score, 0);
	assert_int_equal(r.length, 0);
}

static void test_codes_and_texts(void **state)
{
	struct fixture *f = *state;
	static const char *const codes[PW__COUNT] = {
	    "input_too_large",
	    "invalid_utf8",
	    "too_short",
	    "too_long",
	    "composition",
	    "common",
	    "dictionary",
	    "context",
	    "weak",
	    "breached",
	    "breach_check_unavailable",
	    "same_as_old",
	};
	char text[256], small[8];

	for (int i = 0; i < PW__COUNT; i++) {
		assert_string_equal(password_reason_code((password_reason_t)i), codes[i]);
		text[0] = '\0';
		password_reason_text(f->def, (password_reason_t)i, text, sizeof(text));
		assert_true(strlen(text) > 10);
		assert_true(strncmp(text, "The ", 4) == 0);
		assert_int_equal(text[strlen(text) - 1], '.');
		password_reason_text(NULL, (password_reason_t)i, text, sizeof(text));
		assert_true(strlen(text) > 10);
	}
	assert_string_equal(password_reason_code(PW__COUNT), "unknown");
	password_reason_text(f->def, PW_TOO_LONG, text, sizeof(text));
	assert_string_equal(text, "The password must have at most 256 characters.");
	password_reason_text(f->def, PW_COMMON, text, sizeof(text));
	assert_string_equal(text, "The password is one of the most common passwords.");
	password_reason_text(f->def, PW_BREACH_UNAVAILABLE, text, sizeof(text));
	assert_string_equal(text,
			    "The breached-password service could not be reached; try again later.");
	password_reason_text(f->def, PW_SAME_AS_OLD, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1); /* truncated, terminated */
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	password_input_t in = {NULL, 3, NULL, 0, NULL, NULL, NULL};
	password_result_t r;
	password_config_t cfg = defaults();
	password_policy_t *p = NULL;
	char err[256] = "";

	assert_int_equal(password_check(f->def, &in, &r), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(password_check(NULL, &in, &r), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(password_check(f->def, NULL, &r), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(r.score, -1);
	cfg.min_length = 300;
	assert_int_equal(password_policy_new(&cfg, &p, err, sizeof(err)), SESAME_ERR_CONFIG);
	assert_null(p);
	assert_true(strlen(err) > 0);
	password_policy_free(&p);
}

struct worker {
	password_policy_t *p;
	int failures;
};

static void *worker_main(void *arg)
{
	static const char *const pws[] = {"correct horse battery staple", "Alice2024!",
					  "password123!", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d!"};
	struct worker *w = arg;
	password_result_t want[4], got;

	for (int i = 0; i < 4; i++) {
		password_input_t in = {pws[i], strlen(pws[i]), NULL, 0, "alice", NULL, NULL};
		password_check(w->p, &in, &want[i]);
	}
	for (int round = 0; round < 50; round++)
		for (int i = 0; i < 4; i++) {
			password_input_t in = {pws[i],	strlen(pws[i]), NULL, 0,
					       "alice", NULL,		NULL};
			password_check(w->p, &in, &got);
			if (memcmp(&got, &want[i], sizeof(got)) != 0)
				w->failures++;
		}
	return NULL;
}

static void test_threads(void **state)
{
	struct fixture *f = *state;
	pthread_t t[4];
	struct worker w[4];

	for (int i = 0; i < 4; i++) {
		w[i].p = f->def;
		w[i].failures = 0;
		assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepts_passphrases),
	    cmocka_unit_test(test_input_bound),
	    cmocka_unit_test(test_invalid_utf8),
	    cmocka_unit_test(test_length),
	    cmocka_unit_test(test_unicode),
	    cmocka_unit_test(test_composition),
	    cmocka_unit_test(test_common),
	    cmocka_unit_test(test_admin_lists),
	    cmocka_unit_test(test_dictionary),
	    cmocka_unit_test(test_context),
	    cmocka_unit_test(test_weak_and_hints),
	    cmocka_unit_test(test_old_password),
	    cmocka_unit_test(test_normalization),
	    cmocka_unit_test(test_several_reasons),
	    cmocka_unit_test(test_codes_and_texts),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
