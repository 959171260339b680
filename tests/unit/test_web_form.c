/* Unit tests for the strict form decoder of the web pages
 * (authd/web/web_form.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <string.h>

#include "sesame/error.h"
#include "web/web_form.h"

static int parse(const char *body, web_form_field_t *f)
{
	f[0] = (web_form_field_t){"user", 8, NULL, 0};
	f[1] = (web_form_field_t){"password", 16, NULL, 0};
	return web_form_parse(body, strlen(body), f, 2);
}

static void test_decodes(void **state)
{
	web_form_field_t f[2];
	(void)state;

	assert_int_equal(parse("user=al%2Bice&password=a+b%20c%26%3D%C3%A9", f), SESAME_OK);
	assert_string_equal(f[0].value, "al+ice");
	assert_int_equal(f[0].len, 6);
	assert_string_equal(f[1].value, "a b c&=\xc3\xa9");
	web_form_free(f, 2);
	assert_null(f[0].value);

	/* order free, absent fields NULL, empty values kept */
	assert_int_equal(parse("password=", f), SESAME_OK);
	assert_null(f[0].value);
	assert_string_equal(f[1].value, "");
	web_form_free(f, 2);
	assert_int_equal(parse("", f), SESAME_OK);
	assert_null(f[0].value);
	assert_null(f[1].value);
	/* "=" inside a value is data */
	assert_int_equal(parse("user=a=b", f), SESAME_OK);
	assert_string_equal(f[0].value, "a=b");
	web_form_free(f, 2);
	/* exactly the bound */
	assert_int_equal(parse("user=%41%41%41%41%41%41%41%41", f), SESAME_OK);
	assert_string_equal(f[0].value, "AAAAAAAA");
	web_form_free(f, 2);
}

static void test_refuses(void **state)
{
	static const char *const bad[] = {
	    "user=a&user=b",	  "user=%",  "user=%4", "user=%zz", "user=%4g",
	    "user=a%00b",	  "other=1", "user",	"user=a&",  "&user=a",
	    "user=a&&password=b", "=a",	     "User=a",	"us%65r=a", "user=a&password",
	};
	web_form_field_t f[2];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], f) != SESAME_ERR_INVALID_ARGUMENT)
			fail_msg("accepted: %s", bad[i]);
		assert_null(f[0].value);
		assert_null(f[1].value);
	}
	assert_int_equal(parse("user=123456789", f), SESAME_ERR_TOO_LARGE);
	assert_int_equal(parse("password=ok&user=%41%41%41%41%41%41%41%41%41", f),
			 SESAME_ERR_TOO_LARGE);
	assert_null(f[1].value); /* freed on error */
}

static void test_embedded_nul_in_body(void **state)
{
	web_form_field_t f[1] = {{"user", 8, NULL, 0}};
	static const char body[] = "user=a\0b";
	(void)state;

	assert_int_equal(web_form_parse(body, sizeof(body) - 1, f, 1), SESAME_ERR_INVALID_ARGUMENT);
	assert_null(f[0].value);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decodes),
	    cmocka_unit_test(test_refuses),
	    cmocka_unit_test(test_embedded_nul_in_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
