/* Unit tests for lib/log.c: one log call is one line, whatever its fields
 * hold (newlines, escape sequences, invalid UTF-8), read back from the
 * stderr sink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sesame/log.h"

/* Runs the log calls of fn with stderr sent to a temporary file; returns
 * what was written (malloc'd). */
static char *captured(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *text;
	long n;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	assert_int_equal(fseek(tmp, 0, SEEK_END), 0);
	n = ftell(tmp);
	assert_true(n >= 0);
	rewind(tmp);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, tmp), (size_t)n);
	fclose(tmp);
	return text;
}

static void log_hostile(void)
{
	log_init("test_log", SESAME_LOG_STDERR, LOG_DEBUG);
	log_info("login of %s from %s", "a\nb\x1b[31m", "host\r\nerror: forged");
}

static void test_one_line(void **state)
{
	char *text;

	(void)state;
	text = captured(log_hostile);
	assert_string_equal(text,
			    "info: login of a\\x0ab\\x1b[31m from host\\x0d\\x0aerror: forged\n");
	free(text);
}

static void log_function(void)
{
	log_init("test_log", SESAME_LOG_STDERR, LOG_INFO);
	log_err_f("rhost %s", "\x7f\xff\xc3\xa9");
	log_debug("not shown at LOG_INFO: %s", "x");
}

static void test_function_prefix_and_level(void **state)
{
	char *text;

	(void)state;
	text = captured(log_function);
	assert_string_equal(text, "error: log_function: rhost \\x7f\\xff\xc3\xa9\n");
	free(text);
}

static void log_long(void)
{
	char field[3000];

	memset(field, '\n', sizeof(field) - 1);
	field[sizeof(field) - 1] = '\0';
	log_init("test_log", SESAME_LOG_STDERR, LOG_DEBUG);
	log_warn("%s", field);
}

static void test_long_message_stays_one_line(void **state)
{
	char *text;
	size_t len;

	(void)state;
	text = captured(log_long);
	len = strlen(text);
	assert_true(len > 9 && text[len - 1] == '\n');
	assert_null(memchr(text, '\n', len - 1)); /* one line */
	assert_memory_equal(text, "warning: \\x0a", 13);
	/* cut before an escape, never inside one */
	assert_int_equal((len - 1 - strlen("warning: ")) % 4, 0);
	free(text);
}

static void expect(const char *in, size_t len, const char *want)
{
	char out[256];

	assert_int_equal(log_escape(out, sizeof(out), in, len), strlen(want));
	assert_string_equal(out, want);
}

static void test_escape(void **state)
{
	char out[10];

	(void)state;
	expect("plain text 123", 14, "plain text 123");
	expect("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 14,
	       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91");
	expect("a\tb\x1f\x7f", 5, "a\\x09b\\x1f\\x7f");
	expect("a\0b", 3, "a\\x00b");	/* a NUL inside */
	expect("\\x0a", 4, "\\x5cx0a"); /* an escape in the input is not ours */
	expect("\xc0\xaf\xed\xa0\x80", 5, "\\xc0\\xaf\\xed\\xa0\\x80"); /* overlong, surrogate */
	expect("\xe2\x82", 2, "\\xe2\\x82");				/* cut sequence */
	expect("\xc2\x85", 2, "\\xc2\\x85");				/* NEL (C1) */
	expect("\xc2\x9b"
	       "31m",
	       5, "\\xc2\\x9b31m");		      /* 8-bit CSI */
	expect("\xe2\x80\xa8", 3, "\\xe2\\x80\\xa8"); /* line separator */
	expect("\xe2\x80\xae", 3, "\\xe2\\x80\\xae"); /* right-to-left override */
	expect("\xe2\x81\xa6", 3, "\\xe2\\x81\\xa6"); /* isolate */
	expect("\xc2\xa0", 2, "\xc2\xa0");	      /* no-break space: shown */
	/* a small buffer: cut before the piece that does not fit */
	assert_int_equal(log_escape(out, 8, "abcde\nfgh", 9), 5);
	assert_string_equal(out, "abcde");
	assert_int_equal(log_escape(out, sizeof(out), "ab\ncdefgh", 9), 9);
	assert_string_equal(out, "ab\\x0acde");
	assert_int_equal(log_escape(out, 1, "abc", 3), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_line),
	    cmocka_unit_test(test_function_prefix_and_level),
	    cmocka_unit_test(test_long_message_stays_one_line),
	    cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
