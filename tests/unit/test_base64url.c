/* Unit tests for lib/base64url.c: unpadded url alphabet, strict decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <string.h>

#include "sesame/base64url.h"
#include "sesame/error.h"

static int decode_str(const char *in, unsigned char *out, size_t outsz, size_t *outlen)
{
	return base64url_decode(in, strlen(in), out, outsz, outlen);
}

/* xorshift32: deterministic "random" bytes, so a failure can be replayed */
static uint32_t rng_state = 0x9e3779b9u;
static unsigned char rng_byte(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return (unsigned char)(rng_state >> 24);
}

static void test_encoded_len(void **state)
{
	(void)state;
	assert_int_equal(base64url_encoded_len(0), 1);
	assert_int_equal(base64url_encoded_len(1), 3);
	assert_int_equal(base64url_encoded_len(2), 4);
	assert_int_equal(base64url_encoded_len(3), 5);
	assert_int_equal(base64url_encoded_len(4), 7);
	assert_int_equal(base64url_encoded_len(32), 44);
}

static void test_rfc4648_vectors(void **state)
{
	static const struct {
		const char *plain, *enc;
	} v[] = {{"", ""},	     {"f", "Zg"},	   {"fo", "Zm8"},	  {"foo", "Zm9v"},
		 {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char out[16];
		unsigned char back[16];
		size_t len = strlen(v[i].plain), outlen = 999;
		assert_int_equal(
		    base64url_encode((const unsigned char *)v[i].plain, len, out, sizeof(out)),
		    SESAME_OK);
		assert_string_equal(out, v[i].enc);
		assert_int_equal(decode_str(v[i].enc, back, sizeof(back), &outlen), SESAME_OK);
		assert_int_equal(outlen, len);
		assert_memory_equal(back, v[i].plain, len);
	}
}

static void test_url_alphabet(void **state)
{
	static const unsigned char in[] = {0xfb, 0xff, 0xbf};
	char out[8];
	unsigned char back[4];
	size_t outlen = 0;
	(void)state;
	/* standard base64 would give "+/+/": the url alphabet uses '-' and '_' */
	assert_int_equal(base64url_encode(in, 3, out, sizeof(out)), SESAME_OK);
	assert_string_equal(out, "-_-_");
	assert_int_equal(base64url_encode(in, 2, out, sizeof(out)), SESAME_OK);
	assert_string_equal(out, "-_8");
	assert_int_equal(decode_str("-_-_", back, sizeof(back), &outlen), SESAME_OK);
	assert_int_equal(outlen, 3);
	assert_memory_equal(back, in, 3);
}

static void test_round_trip_random_0_to_64(void **state)
{
	(void)state;
	for (size_t len = 0; len <= 64; len++) {
		for (int rep = 0; rep < 4; rep++) {
			unsigned char in[64], back[64];
			char text[96];
			size_t outlen = 999;
			for (size_t i = 0; i < len; i++)
				in[i] = rng_byte();
			memset(text, 'x', sizeof(text));
			assert_int_equal(base64url_encode(in, len, text, sizeof(text)), SESAME_OK);
			assert_int_equal(strlen(text), base64url_encoded_len(len) - 1);
			assert_int_equal(
			    strspn(
				text,
				"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			    strlen(text));
			assert_int_not_equal(strlen(text) % 4, 1);
			memset(back, 0xa5, sizeof(back));
			assert_int_equal(decode_str(text, back, sizeof(back), &outlen), SESAME_OK);
			assert_int_equal(outlen, len);
			assert_memory_equal(back, in, len);
		}
	}
}

static void test_encode_buffer_too_small(void **state)
{
	char out[16];
	(void)state;
	assert_int_equal(base64url_encode((const unsigned char *)"foobar", 6, out, 9), SESAME_OK);
	assert_string_equal(out, "Zm9vYmFy");
	assert_int_equal(base64url_encode((const unsigned char *)"foobar", 6, out, 8),
			 SESAME_ERR_TOO_LARGE);
	assert_int_equal(base64url_encode((const unsigned char *)"", 0, out, 0),
			 SESAME_ERR_TOO_LARGE);
}

static void test_decode_buffer_too_small(void **state)
{
	unsigned char out[8];
	size_t outlen = 0;
	(void)state;
	assert_int_equal(decode_str("Zm9vYmFy", out, 5, &outlen), SESAME_ERR_TOO_LARGE);
	assert_int_equal(decode_str("Zg", out, 0, &outlen), SESAME_ERR_TOO_LARGE);
	assert_int_equal(decode_str("Zm9vYmFy", out, 6, &outlen), SESAME_OK);
	assert_int_equal(outlen, 6);
}

static void test_decode_invalid_characters(void **state)
{
	static const char *bad[] = {
	    "Zm9v+mFy", "Zm9v/mFy",  "Zg==", "Zm8=",	   "Zm9vYg==", "Zm v",
	    "Zm9\n",	"Zm9v\tYmF", "Zm.v", "Zm\xc3\xa9", "+/+/",     "!!!!"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char out[16];
		size_t outlen = 0;
		assert_int_equal(decode_str(bad[i], out, sizeof(out), &outlen),
				 SESAME_ERR_INVALID_ARGUMENT);
	}
}

static void test_decode_embedded_nul(void **state)
{
	unsigned char out[8];
	size_t outlen = 0;
	(void)state;
	assert_int_equal(base64url_decode("Zm9\0", 4, out, sizeof(out), &outlen),
			 SESAME_ERR_INVALID_ARGUMENT);
}

static void test_decode_length_mod4_is_1(void **state)
{
	static const char *bad[] = {"Z", "Zm9vY", "Zm9vYmFyZ", "AAAAA"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char out[16];
		size_t outlen = 0;
		assert_int_equal(decode_str(bad[i], out, sizeof(out), &outlen),
				 SESAME_ERR_INVALID_ARGUMENT);
	}
}

static void test_decode_non_canonical_trailing_bits(void **state)
{
	/* "Zg" and "Zm8" are canonical; these set unused low bits */
	static const char *bad[] = {"Zh", "Zv", "Zm9", "Zm_", "Zm9vYh", "Zm9vYmF", "AB", "AAB"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char out[16];
		size_t outlen = 0;
		assert_int_equal(decode_str(bad[i], out, sizeof(out), &outlen),
				 SESAME_ERR_INVALID_ARGUMENT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encoded_len),
	    cmocka_unit_test(test_rfc4648_vectors),
	    cmocka_unit_test(test_url_alphabet),
	    cmocka_unit_test(test_round_trip_random_0_to_64),
	    cmocka_unit_test(test_encode_buffer_too_small),
	    cmocka_unit_test(test_decode_buffer_too_small),
	    cmocka_unit_test(test_decode_invalid_characters),
	    cmocka_unit_test(test_decode_embedded_nul),
	    cmocka_unit_test(test_decode_length_mod4_is_1),
	    cmocka_unit_test(test_decode_non_canonical_trailing_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
