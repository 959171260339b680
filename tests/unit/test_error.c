/* Unit tests for lib/error.c: stable, distinct codes that round-trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <string.h>

#include "sesame/error.h"

static void test_codes_distinct_and_non_empty(void **state)
{
	(void)state;
	for (int i = 0; i < SESAME_ERR__COUNT; i++) {
		const char *c = sesame_err_code(i), *m = sesame_err_message(i);
		assert_non_null(c);
		assert_non_null(m);
		assert_true(strlen(c) > 0);
		assert_true(strlen(m) > 0);
		/* codes are machine strings: lower case, digits and '_' */
		assert_int_equal(strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_"), strlen(c));
		/* one sentence, no trailing newline */
		assert_true(m[strlen(m) - 1] != '\n');
		for (int j = 0; j < i; j++) {
			if (strcmp(c, sesame_err_code(j)) == 0)
				fail_msg("codes %d and %d share \"%s\"", i, j, c);
			if (strcmp(m, sesame_err_message(j)) == 0)
				fail_msg("messages %d and %d are the same", i, j);
		}
	}
}

static void test_from_code_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < SESAME_ERR__COUNT; i++)
		assert_int_equal(sesame_err_from_code(sesame_err_code(i)), i);
}

static void test_stable_strings(void **state)
{
	/* these strings are part of the protocol (daemon JSON, CLI, docs) */
	static const struct {
		int err;
		const char *code;
	} v[] = {
	    {SESAME_OK, "ok"},
	    {SESAME_ERR_INVALID_ARGUMENT, "invalid_argument"},
	    {SESAME_ERR_BAD_JSON, "bad_json"},
	    {SESAME_ERR_BAD_USERNAME, "bad_username"},
	    {SESAME_ERR_TOO_LARGE, "too_large"},
	    {SESAME_ERR_NOT_FOUND, "not_found"},
	    {SESAME_ERR_PERMISSION, "permission_denied"},
	    {SESAME_ERR_CONFLICT, "conflict"},
	    {SESAME_ERR_NOMEM, "no_memory"},
	    {SESAME_ERR_IO, "io_error"},
	    {SESAME_ERR_STORE, "store_error"},
	    {SESAME_ERR_CRYPTO, "crypto_error"},
	    {SESAME_ERR_CONFIG, "config_error"},
	    {SESAME_ERR_UNAVAILABLE, "unavailable"},
	    {SESAME_ERR_PROTOCOL, "protocol_error"},
	    {SESAME_ERR_TIMEOUT, "timeout"},
	    {SESAME_ERR_WRONG_CODE, "wrong_code"},
	    {SESAME_ERR_REPLAY, "code_reused"},
	    {SESAME_ERR_LOCKED, "locked"},
	    {SESAME_ERR_NO_FACTOR, "no_factor"},
	    {SESAME_ERR_EXPIRED, "expired"},
	    {SESAME_ERR_INTERNAL, "internal"},
	    {SESAME_ERR_DISABLED, "account_disabled"},
	    {SESAME_ERR_PASSWORD_REFUSED, "password_refused"},
	    {SESAME_ERR_WRONG_PASSWORD, "wrong_password"},
	};
	(void)state;
	assert_int_equal(sizeof(v) / sizeof(v[0]), SESAME_ERR__COUNT);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_string_equal(sesame_err_code(v[i].err), v[i].code);
}

static void test_unknown(void **state)
{
	(void)state;
	assert_int_equal(sesame_err_from_code("no_such_code"), SESAME_ERR_INTERNAL);
	assert_int_equal(sesame_err_from_code(""), SESAME_ERR_INTERNAL);
	assert_int_equal(sesame_err_from_code("OK"), SESAME_ERR_INTERNAL);
	assert_int_equal(sesame_err_from_code("timeout "), SESAME_ERR_INTERNAL);
	assert_int_equal(sesame_err_from_code(NULL), SESAME_ERR_INTERNAL);
	assert_string_equal(sesame_err_code(-1), "internal");
	assert_string_equal(sesame_err_code(SESAME_ERR__COUNT), "internal");
	assert_string_equal(sesame_err_code(1 << 30), "internal");
	assert_string_equal(sesame_err_message(-5), sesame_err_message(SESAME_ERR_INTERNAL));
	assert_string_equal(sesame_err_message(SESAME_ERR__COUNT),
			    sesame_err_message(SESAME_ERR_INTERNAL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_codes_distinct_and_non_empty),
	    cmocka_unit_test(test_from_code_round_trip),
	    cmocka_unit_test(test_stable_strings),
	    cmocka_unit_test(test_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
