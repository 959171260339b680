/* Unit tests for lib/base32.c: RFC 4648 §10 vectors, strict decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <string.h>

#include "sesame/base32.h"
#include "sesame/error.h"

static const struct {
	const char *plain;
	const char *padded;
	const char *bare;
} vectors[] = {
    {"", "", ""},
    {"f", "MY======", "MY"},
    {"fo", "MZXQ====", "MZXQ"},
    {"foo", "MZXW6===", "MZXW6"},
    {"foob", "MZXW6YQ=", "MZXW6YQ"},
    {"fooba", "MZXW6YTB", "MZXW6YTB"},
    {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
};
#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))

static int decode_str(const char *in, unsigned char *out, size_t outsz, size_t *outlen)
{
	return base32_decode(in, strlen(in), out, outsz, outlen);
}

static void test_encoded_len(void **state)
{
	(void)state;
	assert_int_equal(base32_encoded_len(0), 1);
	assert_int_equal(base32_encoded_len(1), 9);
	assert_int_equal(base32_encoded_len(5), 9);
	assert_int_equal(base32_encoded_len(6), 17);
	assert_int_equal(base32_encoded_len(20), 33);
	assert_int_equal(base32_encoded_len(64), 105);
}

static void test_encode_rfc4648_padded(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		char out[32];
		size_t len = strlen(vectors[i].plain);
		memset(out, 'x', sizeof(out));
		assert_int_equal(base32_encode((const unsigned char *)vectors[i].plain, len, 1, out,
					       sizeof(out)),
				 SESAME_OK);
		assert_string_equal(out, vectors[i].padded);
	}
}

static void test_encode_rfc4648_unpadded(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		char out[32];
		size_t len = strlen(vectors[i].plain);
		memset(out, 'x', sizeof(out));
		assert_int_equal(base32_encode((const unsigned char *)vectors[i].plain, len, 0, out,
					       sizeof(out)),
				 SESAME_OK);
		assert_string_equal(out, vectors[i].bare);
	}
}

static void test_encode_exact_buffer(void **state)
{
	char out[17];
	(void)state;
	/* base32_encoded_len(6) == 17 is exactly enough, one less is not */
	assert_int_equal(base32_encode((const unsigned char *)"foobar", 6, 1, out, 17), SESAME_OK);
	assert_string_equal(out, "MZXW6YTBOI======");
	assert_int_equal(base32_encode((const unsigned char *)"foobar", 6, 1, out, 16),
			 SESAME_ERR_TOO_LARGE);
	assert_int_equal(base32_encode((const unsigned char *)"f", 1, 0, out, 8),
			 SESAME_ERR_TOO_LARGE);
	assert_int_equal(base32_encode((const unsigned char *)"", 0, 1, out, 0),
			 SESAME_ERR_TOO_LARGE);
}

static void test_decode_rfc4648(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECTORS; i++) {
		const char *forms[2] = {vectors[i].padded, vectors[i].bare};
		for (size_t f = 0; f < 2; f++) {
			unsigned char out[16];
			size_t outlen = 999;
			assert_int_equal(decode_str(forms[f], out, sizeof(out), &outlen),
					 SESAME_OK);
			assert_int_equal(outlen, strlen(vectors[i].plain));
			assert_memory_equal(out, vectors[i].plain, outlen);
		}
	}
}

static void test_decode_case_insensitive(void **state)
{
	unsigned char out[16];
	size_t outlen = 0;
	(void)state;
	assert_int_equal(decode_str("mzxw6ytboi======", out, sizeof(out), &outlen), SESAME_OK);
	assert_int_equal(outlen, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(decode_str("MzXw6YtBoI", out, sizeof(out), &outlen), SESAME_OK);
	assert_int_equal(outlen, 6);
	assert_memory_equal(out, "foobar", 6);
}

static void test_decode_ignores_spaces(void **state)
{
	unsigned char out[16];
	size_t outlen = 0;
	(void)state;
	/* authenticator apps show seeds in groups of four */
	assert_int_equal(decode_str("MZXW 6YTB OI", out, sizeof(out), &outlen), SESAME_OK);
	assert_int_equal(outlen, 6);
	assert_memory_equal(out, "foobar", 6);
}

static void test_decode_rfc6238_seed(void **state)
{
	unsigned char out[32];
	size_t outlen = 0;
	(void)state;
	assert_int_equal(decode_str("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", out, sizeof(out), &outlen),
			 SESAME_OK);
	assert_int_equal(outlen, 20);
	assert_memory_equal(out, "12345678901234567890", 20);
}

static void test_decode_invalid_characters(void **state)
{
	static const char *bad[] = {"MZXW6YT1",	  "MZXW6YT0",	     "MZXW6YT8",  "MZXW6YT9",
				    "MZXW-6YTB",  "MZXW_6YT",	     "MZXW6YT!",  "MZXW\t6YTB",
				    "MZXW\n6YTB", "M\xc3\x89XW6YTB", "MZXW6YTB+", "MZXW6YT/"};
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
	unsigned char out[16];
	size_t outlen = 0;
	(void)state;
	assert_int_equal(base32_decode("MY\0=====", 8, out, sizeof(out), &outlen),
			 SESAME_ERR_INVALID_ARGUMENT);
}

static void test_decode_data_after_padding(void **state)
{
	unsigned char out[16];
	size_t outlen = 0;
	(void)state;
	assert_int_equal(decode_str("MY======MY", out, sizeof(out), &outlen),
			 SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(decode_str("M=Y", out, sizeof(out), &outlen), SESAME_ERR_INVALID_ARGUMENT);
}

static void test_decode_non_canonical_trailing_bits(void **state)
{
	/* each is a canonical encoding with a non-zero unused low bit */
	static const char *bad[] = {"MZ",	  "MZ======",	     "MZXR", "MZXW7", "MZXW6YR",
				    "MZXW6YTBOJ", "mzxw6ytboj======"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char out[16];
		size_t outlen = 0;
		assert_int_equal(decode_str(bad[i], out, sizeof(out), &outlen),
				 SESAME_ERR_INVALID_ARGUMENT);
	}
}

static void test_decode_impossible_lengths(void **state)
{
	/* 1, 3 and 6 symbols (mod 8) cannot come from whole bytes */
	static const char *bad[] = {"M", "MZX", "MZXW6Y", "MZXW6YTBM", "A", "AAA", "AAAAAA"};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char out[16];
		size_t outlen = 0;
		assert_int_equal(decode_str(bad[i], out, sizeof(out), &outlen),
				 SESAME_ERR_INVALID_ARGUMENT);
	}
}

static void test_decode_buffer_too_small(void **state)
{
	unsigned char out[16];
	size_t outlen = 0;
	(void)state;
	assert_int_equal(decode_str("MZXW6YTBOI", out, 5, &outlen), SESAME_ERR_TOO_LARGE);
	assert_int_equal(decode_str("MY", out, 0, &outlen), SESAME_ERR_TOO_LARGE);
	assert_int_equal(decode_str("MZXW6YTBOI", out, 6, &outlen), SESAME_OK);
	assert_int_equal(outlen, 6);
}

static void test_round_trip_all_lengths(void **state)
{
	unsigned char in[64], back[64];
	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 11);
	for (size_t len = 0; len <= sizeof(in); len++) {
		for (int pad = 0; pad <= 1; pad++) {
			char text[128];
			size_t outlen = 999;
			assert_int_equal(base32_encode(in, len, pad, text, sizeof(text)),
					 SESAME_OK);
			assert_true(strlen(text) % 8 == 0 || !pad);
			assert_true(pad || strchr(text, '=') == NULL);
			assert_int_equal(decode_str(text, back, sizeof(back), &outlen), SESAME_OK);
			assert_int_equal(outlen, len);
			assert_memory_equal(back, in, len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encoded_len),
	    cmocka_unit_test(test_encode_rfc4648_padded),
	    cmocka_unit_test(test_encode_rfc4648_unpadded),
	    cmocka_unit_test(test_encode_exact_buffer),
	    cmocka_unit_test(test_decode_rfc4648),
	    cmocka_unit_test(test_decode_case_insensitive),
	    cmocka_unit_test(test_decode_ignores_spaces),
	    cmocka_unit_test(test_decode_rfc6238_seed),
	    cmocka_unit_test(test_decode_invalid_characters),
	    cmocka_unit_test(test_decode_embedded_nul),
	    cmocka_unit_test(test_decode_data_after_padding),
	    cmocka_unit_test(test_decode_non_canonical_trailing_bits),
	    cmocka_unit_test(test_decode_impossible_lengths),
	    cmocka_unit_test(test_decode_buffer_too_small),
	    cmocka_unit_test(test_round_trip_all_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
