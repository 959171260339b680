/* Unit tests for authd/otpauth.c: the otpauth:// Key URI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdlib.h>
#include <string.h>

#include "otpauth.h"
#include "sesame/error.h"

static const unsigned char rfc_seed[] = "12345678901234567890";

static void free_uri(char **uri)
{
	if (*uri) {
		memset(*uri, 0, strlen(*uri));
		free(*uri);
		*uri = NULL;
	}
}

static void test_known_seed(void **state)
{
	totp_params_t p = {TOTP_ALG_SHA1, 6, 30};
	char *uri = NULL;
	(void)state;
	assert_int_equal(otpauth_uri("Sesame", "alice", rfc_seed, 20, &p, &uri), SESAME_OK);
	assert_string_equal(uri,
			    "otpauth://totp/Sesame:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
			    "&issuer=Sesame&algorithm=SHA1&digits=6&period=30");
	free_uri(&uri);
}

static void test_secret_without_padding(void **state)
{
	totp_params_t p = {TOTP_ALG_SHA1, 6, 30};
	char *uri = NULL;
	(void)state;
	/* "foobar" is "MZXW6YTBOI======" with padding */
	assert_int_equal(
	    otpauth_uri("Sesame", "alice", (const unsigned char *)"foobar", 6, &p, &uri),
	    SESAME_OK);
	assert_non_null(strstr(uri, "?secret=MZXW6YTBOI&issuer="));
	const char *secret = strstr(uri, "secret=") + 7;
	assert_int_equal(strcspn(secret, "&"), 10); /* no '=' padding in the value */
	free_uri(&uri);
}

static void test_percent_encoding(void **state)
{
	totp_params_t p = {TOTP_ALG_SHA1, 6, 30};
	char *uri = NULL;
	(void)state;
	assert_int_equal(otpauth_uri("Example Co", "a+b@c", rfc_seed, 20, &p, &uri), SESAME_OK);
	assert_string_equal(
	    uri, "otpauth://totp/Example%20Co:a%2Bb%40c?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		 "&issuer=Example%20Co&algorithm=SHA1&digits=6&period=30");
	free_uri(&uri);
	/* unreserved characters stay, everything else is %XX in upper case */
	assert_int_equal(
	    otpauth_uri("A&B=C?D/E#F%G:H~I", "first.last_x-y~z$", rfc_seed, 20, &p, &uri),
	    SESAME_OK);
	assert_string_equal(
	    uri, "otpauth://totp/A%26B%3DC%3FD%2FE%23F%25G%3AH~I:first.last_x-y~z%24"
		 "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		 "&issuer=A%26B%3DC%3FD%2FE%23F%25G%3AH~I&algorithm=SHA1&digits=6&period=30");
	free_uri(&uri);
	assert_int_equal(otpauth_uri("Caf\xc3\xa9", "\x7f", rfc_seed, 20, &p, &uri), SESAME_OK);
	assert_non_null(strstr(uri, "totp/Caf%C3%A9:%7F?"));
	free_uri(&uri);
}

static void test_parameters(void **state)
{
	static const unsigned char seed32[] = "12345678901234567890123456789012";
	static const unsigned char seed64[] =
	    "1234567890123456789012345678901234567890123456789012345678901234";
	totp_params_t p256 = {TOTP_ALG_SHA256, 8, 60};
	totp_params_t p512 = {TOTP_ALG_SHA512, 7, 15};
	char *uri = NULL;
	(void)state;
	assert_int_equal(otpauth_uri("Sesame", "bob", seed32, 32, &p256, &uri), SESAME_OK);
	assert_string_equal(
	    uri,
	    "otpauth://totp/Sesame:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
	    "&issuer=Sesame&algorithm=SHA256&digits=8&period=60");
	free_uri(&uri);
	assert_int_equal(otpauth_uri("Sesame", "bob", seed64, 64, &p512, &uri), SESAME_OK);
	assert_non_null(strstr(uri, "&algorithm=SHA512&digits=7&period=15"));
	/* 64 bytes: 103 base32 symbols, no '=' */
	const char *s = strstr(uri, "secret=") + 7;
	assert_int_equal(strcspn(s, "&"), 103);
	free_uri(&uri);
}

static void test_limits(void **state)
{
	totp_params_t p = {TOTP_ALG_SHA1, 6, 30};
	unsigned char seed[128];
	char name[100];
	char *uri = (char *)"untouched";
	(void)state;
	memset(seed, 0x5a, sizeof(seed));
	/* 95 bytes of seed still fit, 100 do not */
	assert_int_equal(otpauth_uri("S", "u", seed, 95, &p, &uri), SESAME_OK);
	free_uri(&uri);
	uri = (char *)"untouched";
	assert_int_equal(otpauth_uri("S", "u", seed, 100, &p, &uri), SESAME_ERR_TOO_LARGE);
	assert_null(uri);
	/* 64 bytes, all encoded, fit; 65 do not */
	memset(name, ' ', 64);
	name[64] = '\0';
	assert_int_equal(otpauth_uri(name, name, seed, 20, &p, &uri), SESAME_OK);
	assert_int_equal(
	    strlen(uri),
	    strlen("otpauth://totp/:?secret=&issuer=&algorithm=SHA1&digits=6&period=30") +
		3 * 64 * 3 + 32);
	free_uri(&uri);
	name[64] = ' ';
	name[65] = '\0';
	assert_int_equal(otpauth_uri(name, "u", seed, 20, &p, &uri), SESAME_ERR_TOO_LARGE);
	assert_null(uri);
	assert_int_equal(otpauth_uri("S", name, seed, 20, &p, &uri), SESAME_ERR_TOO_LARGE);
	assert_null(uri);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_seed),	     cmocka_unit_test(test_secret_without_padding),
	    cmocka_unit_test(test_percent_encoding), cmocka_unit_test(test_parameters),
	    cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
