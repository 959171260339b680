/* Unit tests for lib/username.c: the one user-name rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <string.h>

#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/username.h"

static int check(const char *name)
{
	return username_validate(name, strlen(name));
}

static void test_accepted(void **state)
{
	static const char *ok[] = {"alice", "a",     "_svc",   "first.last",  "user@example.org",
				   "host$", "Z",     "9lives", "a-b",	      "a+tag",
				   "a_b",   "ALICE", "_",      "a.b-c_d+e@f$"};
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (check(ok[i]) != SESAME_OK)
			fail_msg("\"%s\" was refused", ok[i]);
	}
}

static void test_length_bounds(void **state)
{
	char name[SESAME_MAX_USERNAME + 2];
	(void)state;
	assert_int_equal(SESAME_MAX_USERNAME, 64);
	memset(name, 'a', sizeof(name));
	assert_int_equal(username_validate(name, 64), SESAME_OK);
	assert_int_equal(username_validate(name, 65), SESAME_ERR_BAD_USERNAME);
	name[63] = '$';
	assert_int_equal(username_validate(name, 64), SESAME_OK);
	assert_int_equal(username_validate(name, 0), SESAME_ERR_BAD_USERNAME);
	assert_int_equal(check(""), SESAME_ERR_BAD_USERNAME);
	assert_int_equal(username_validate(NULL, 5), SESAME_ERR_BAD_USERNAME);
}

static void test_refused(void **state)
{
	static const char *bad[] = {
	    "-alice",
	    "-",
	    ".alice",
	    ".",
	    "..",
	    "a/b",
	    "/",
	    "../etc",
	    "a b",
	    " alice",
	    "alice ",
	    "a\tb",
	    "a\nb",
	    "alice\n",
	    "a\rb",
	    "a\x01",
	    "a\x1f",
	    "a\x7f",
	    "\x7f"
	    "a",
	    "a\x1b[31m",
	    "\xc3\xa9lodie",
	    "\xc3\xa9",
	    "a\xc3\xa9",
	    "a\xff",
	    "a$b",
	    "$",
	    "$a",
	    "a$$",
	    "a:b",
	    ":",
	    "alice:x:0",
	    "a,b",
	    "a;b",
	    "a\\b",
	    "a\"b",
	    "a'b",
	    "a*",
	    "a%",
	    "a#",
	    "a=b",
	    "(a)",
	    "@a",
	    "+a",
	    "$$",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (check(bad[i]) != SESAME_ERR_BAD_USERNAME)
			fail_msg("entry %zu was accepted", i);
	}
}

static void test_embedded_nul(void **state)
{
	(void)state;
	/* the explicit length lets a caller catch "alice\0root" */
	assert_int_equal(username_validate("alice\0root", 10), SESAME_ERR_BAD_USERNAME);
	assert_int_equal(username_validate("alice\0", 6), SESAME_ERR_BAD_USERNAME);
	assert_int_equal(username_validate("\0alice", 6), SESAME_ERR_BAD_USERNAME);
	assert_int_equal(username_validate("alice\0root", 5), SESAME_OK);
}

static void test_dollar_only_last(void **state)
{
	(void)state;
	assert_int_equal(username_validate("host$x", 5), SESAME_OK);
	assert_int_equal(username_validate("host$x", 6), SESAME_ERR_BAD_USERNAME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepted),	     cmocka_unit_test(test_length_bounds),
	    cmocka_unit_test(test_refused),	     cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_dollar_only_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
