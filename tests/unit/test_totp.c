/* Unit tests for authd/totp.c: RFC 6238 Appendix B and RFC 4226 Appendix D
 * vectors, window, replay refusal, malformed codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdlib.h>
#include <string.h>

#include "sesame/error.h"
#include "totp.h"

static const unsigned char seed_sha1[] = "12345678901234567890";
static const unsigned char seed_sha256[] = "12345678901234567890123456789012";
static const unsigned char seed_sha512[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

static const time_t times[] = {59, 1111111109, 1111111111, 1234567890, 2000000000, 20000000000};
#define N_TIMES (sizeof(times) / sizeof(times[0]))

static const struct {
	totp_alg_t alg;
	const unsigned char *seed;
	size_t seedlen;
	const char *codes[N_TIMES];
} rfc6238[] = {
    {TOTP_ALG_SHA1,
     seed_sha1,
     20,
     {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"}},
    {TOTP_ALG_SHA256,
     seed_sha256,
     32,
     {"46119246", "68084774", "67062674", "91819424", "90698825", "77737706"}},
    {TOTP_ALG_SHA512,
     seed_sha512,
     64,
     {"90693936", "25091201", "99943326", "93441116", "38618901", "47863826"}},
};
#define N_ALGS (sizeof(rfc6238) / sizeof(rfc6238[0]))

static totp_params_t params(totp_alg_t alg, unsigned digits)
{
	totp_params_t p = {alg, digits, 30};
	return p;
}

static int group_setup(void **state)
{
	(void)state;
	return totp_init() == SESAME_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	totp_done();
	return 0;
}

static void test_seed_len(void **state)
{
	(void)state;
	assert_int_equal(totp_seed_len(TOTP_ALG_SHA1), 20);
	assert_int_equal(totp_seed_len(TOTP_ALG_SHA256), 32);
	assert_int_equal(totp_seed_len(TOTP_ALG_SHA512), 64);
}

static void test_step(void **state)
{
	totp_params_t p = params(TOTP_ALG_SHA1, 8);
	(void)state;
	assert_int_equal(totp_step(&p, 0), 0);
	assert_int_equal(totp_step(&p, 29), 0);
	assert_int_equal(totp_step(&p, 30), 1);
	assert_int_equal(totp_step(&p, 59), 1);
	assert_int_equal(totp_step(&p, 1111111109), 37037036);
	assert_int_equal(totp_step(&p, 20000000000), 666666666);
	p.period = 60;
	assert_int_equal(totp_step(&p, 119), 1);
	assert_int_equal(totp_step(&p, 120), 2);
}

static void test_generate_rfc6238(void **state)
{
	(void)state;
	for (size_t a = 0; a < N_ALGS; a++) {
		totp_params_t p = params(rfc6238[a].alg, 8);
		for (size_t t = 0; t < N_TIMES; t++) {
			char out[9];
			memset(out, 'x', sizeof(out));
			assert_int_equal(totp_generate(rfc6238[a].seed, rfc6238[a].seedlen, &p,
						       times[t], out, sizeof(out)),
					 SESAME_OK);
			assert_string_equal(out, rfc6238[a].codes[t]);
		}
	}
}

static void test_generate_rfc4226_six_digits(void **state)
{
	/* RFC 4226 Appendix D: HOTP of counter c is TOTP at time 30 c */
	static const char *hotp[] = {"755224", "287082", "359152", "969429", "338314",
				     "254676", "287922", "162583", "399871", "520489"};
	totp_params_t p = params(TOTP_ALG_SHA1, 6);
	(void)state;
	for (int c = 0; c < 10; c++) {
		char out[9];
		assert_int_equal(
		    totp_generate(seed_sha1, 20, &p, (time_t)c * 30 + 29, out, sizeof(out)),
		    SESAME_OK);
		assert_string_equal(out, hotp[c]);
	}
}

static void test_generate_seven_digits(void **state)
{
	totp_params_t p = params(TOTP_ALG_SHA1, 7);
	char out[9];
	(void)state;
	/* last 7 digits of the 8-digit RFC 6238 value */
	assert_int_equal(totp_generate(seed_sha1, 20, &p, 59, out, sizeof(out)), SESAME_OK);
	assert_string_equal(out, "4287082");
}

static void test_generate_refuses_bad_arguments(void **state)
{
	totp_params_t p = params(TOTP_ALG_SHA1, 8);
	char out[9];
	(void)state;
	assert_int_equal(totp_generate(seed_sha1, 20, &p, 59, out, 8), SESAME_ERR_INVALID_ARGUMENT);
	assert_int_equal(totp_generate(seed_sha1, 20, &p, -1, out, sizeof(out)),
			 SESAME_ERR_INVALID_ARGUMENT);
	p.digits = 5;
	assert_int_equal(totp_generate(seed_sha1, 20, &p, 59, out, sizeof(out)),
			 SESAME_ERR_INVALID_ARGUMENT);
	p.digits = 9;
	assert_int_equal(totp_generate(seed_sha1, 20, &p, 59, out, sizeof(out)),
			 SESAME_ERR_INVALID_ARGUMENT);
	p.digits = 6;
	assert_int_equal(totp_generate(seed_sha1, 20, &p, 59, out, 7), SESAME_OK);
	assert_string_equal(out, "287082");
}

static void test_verify_rfc6238_exact_time(void **state)
{
	(void)state;
	for (size_t a = 0; a < N_ALGS; a++) {
		totp_params_t p = params(rfc6238[a].alg, 8);
		for (size_t t = 0; t < N_TIMES; t++) {
			int64_t step = -42;
			for (unsigned window = 0; window <= 2; window++) {
				assert_int_equal(totp_verify(rfc6238[a].seed, rfc6238[a].seedlen,
							     &p, window, times[t],
							     rfc6238[a].codes[t], -1, &step),
						 SESAME_OK);
				assert_int_equal(step, (int64_t)times[t] / 30);
			}
		}
	}
}

static void test_verify_other_algorithm_refused(void **state)
{
	/* a SHA-1 code is not a SHA-256 code for the same time */
	totp_params_t p = params(TOTP_ALG_SHA256, 8);
	int64_t step = 0;
	(void)state;
	assert_int_equal(totp_verify(seed_sha256, 32, &p, 1, 59, "94287082", -1, &step),
			 SESAME_ERR_WRONG_CODE);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 59, "94287082", -1, &step),
			 SESAME_ERR_WRONG_CODE);
}

static void test_verify_window(void **state)
{
	(void)state;
	for (size_t a = 0; a < N_ALGS; a++) {
		totp_params_t p = params(rfc6238[a].alg, 8);
		for (size_t t = 1; t < N_TIMES; t++) {
			const char *code = rfc6238[a].codes[t];
			int64_t s0 = (int64_t)times[t] / 30;
			/* the verifier's clock is k steps ahead of or behind the token's */
			for (int k = -3; k <= 3; k++) {
				time_t now = times[t] + (time_t)k * 30;
				int ak = abs(k);
				for (unsigned window = 0; window <= 2; window++) {
					int64_t step = -42;
					int r = totp_verify(rfc6238[a].seed, rfc6238[a].seedlen, &p,
							    window, now, code, -1, &step);
					if ((unsigned)ak <= window) {
						assert_int_equal(r, SESAME_OK);
						assert_int_equal(step, s0);
					} else {
						assert_int_equal(r, SESAME_ERR_WRONG_CODE);
						assert_int_equal(step, -42);
					}
				}
			}
		}
	}
}

static void test_verify_window_edges_within_step(void **state)
{
	totp_params_t p = params(TOTP_ALG_SHA1, 8);
	int64_t step = 0;
	(void)state;
	/* 1111111109 is in step 37037036 = [1111111080, 1111111110) */
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 0, 1111111080, "07081804", -1, &step),
			 SESAME_OK);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 0, 1111111079, "07081804", -1, &step),
			 SESAME_ERR_WRONG_CODE);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 0, 1111111110, "07081804", -1, &step),
			 SESAME_ERR_WRONG_CODE);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 1111111139, "07081804", -1, &step),
			 SESAME_OK);
	assert_int_equal(step, 37037036);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 1111111140, "07081804", -1, &step),
			 SESAME_ERR_WRONG_CODE);
}

static void test_verify_malformed_codes(void **state)
{
	static const char *bad[] = {
	    "",
	    "9428708",
	    "942870820",
	    "9428708200",
	    "94287082 ",
	    " 94287082",
	    "9428708a",
	    "a4287082",
	    "9428-082",
	    "+4287082",
	    "-4287082",
	    "94287\n82",
	    "\xef\xbc\x99"
	    "42870",
	    "94287082\n",
	    "0x4287082",
	    "        ",
	};
	totp_params_t p = params(TOTP_ALG_SHA1, 8);
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t step = -42;
		int r = totp_verify(seed_sha1, 20, &p, 1, 59, bad[i], -1, &step);
		if (r != SESAME_ERR_WRONG_CODE)
			fail_msg("code #%zu gave %d", i, r);
		assert_int_equal(step, -42);
	}
	/* the right code with the digits of another configuration */
	p.digits = 6;
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 59, "94287082", -1, &(int64_t){0}),
			 SESAME_ERR_WRONG_CODE);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 59, "287082", -1, &(int64_t){0}),
			 SESAME_OK);
}

static void test_verify_replay(void **state)
{
	totp_params_t p = params(TOTP_ALG_SHA1, 8);
	const int64_t s0 = 1234567890 / 30;
	int64_t step = -42;
	(void)state;
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 1234567890, "89005924", s0 - 1, &step),
			 SESAME_OK);
	assert_int_equal(step, s0);
	step = -42;
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 1234567890, "89005924", s0, &step),
			 SESAME_ERR_REPLAY);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 1234567890, "89005924", s0 + 1, &step),
			 SESAME_ERR_REPLAY);
	/* accepted one step later (the code was typed late), then replayed */
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 1234567890 + 30, "89005924", s0, &step),
			 SESAME_ERR_REPLAY);
	assert_int_equal(step, -42);
	/* a wrong code stays wrong, even when last_step is in the future */
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 1234567890, "89005925", s0 + 5, &step),
			 SESAME_ERR_WRONG_CODE);
}

/* Finds two steps with the same 6-digit SHA-1 code (a birthday collision
 * among the first steps): the only way to test which step wins. */
static void find_collision(int64_t *s1, int64_t *s2)
{
	const int64_t limit = 20000;
	int32_t *seen = calloc(1000000, sizeof(*seen));
	totp_params_t p = params(TOTP_ALG_SHA1, 6);

	assert_non_null(seen);
	for (int64_t s = 0; s < limit; s++) {
		char out[9];
		assert_int_equal(
		    totp_generate(seed_sha1, 20, &p, (time_t)(s * 30), out, sizeof(out)),
		    SESAME_OK);
		long v = strtol(out, NULL, 10);
		if (seen[v] != 0) {
			*s1 = seen[v] - 1;
			*s2 = s;
			free(seen);
			return;
		}
		seen[v] = (int32_t)s + 1;
	}
	free(seen);
	fail_msg("no 6-digit collision in %lld steps", (long long)limit);
}

static void test_verify_later_step_wins(void **state)
{
	totp_params_t p = params(TOTP_ALG_SHA1, 6);
	int64_t s1 = -1, s2 = -1, step;
	char code[9], other[9];
	(void)state;
	find_collision(&s1, &s2);
	assert_true(s1 < s2);
	assert_int_equal(totp_generate(seed_sha1, 20, &p, (time_t)(s1 * 30), code, sizeof(code)),
			 SESAME_OK);
	assert_int_equal(totp_generate(seed_sha1, 20, &p, (time_t)(s2 * 30), other, sizeof(other)),
			 SESAME_OK);
	assert_string_equal(code, other);

	/* a window around both steps, centred between them */
	int64_t center = (s1 + s2) / 2;
	unsigned window = (unsigned)(s2 - s1);
	time_t now = (time_t)(center * 30);
	/* precondition: no third step of the window has the same code */
	for (int64_t s = center - window; s <= center + (int64_t)window; s++) {
		char c[9];
		if (s < 0 || s == s1 || s == s2)
			continue;
		assert_int_equal(totp_generate(seed_sha1, 20, &p, (time_t)(s * 30), c, sizeof(c)),
				 SESAME_OK);
		if (strcmp(c, code) == 0)
			skip();
	}

	step = -42;
	assert_int_equal(totp_verify(seed_sha1, 20, &p, window, now, code, -1, &step), SESAME_OK);
	assert_int_equal(step, s2); /* both match: the later one wins */
	step = -42;
	assert_int_equal(totp_verify(seed_sha1, 20, &p, window, now, code, s1, &step), SESAME_OK);
	assert_int_equal(step, s2); /* last_step between them */
	step = -42;
	assert_int_equal(totp_verify(seed_sha1, 20, &p, window, now, code, s2 - 1, &step),
			 SESAME_OK);
	assert_int_equal(step, s2);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, window, now, code, s2, &step),
			 SESAME_ERR_REPLAY);
}

static void test_verify_near_epoch(void **state)
{
	totp_params_t p = params(TOTP_ALG_SHA1, 8);
	int64_t step = -42;
	(void)state;
	/* steps below 0 are skipped, not computed with a negative time */
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 2, 0, "94287082", -1, &step), SESAME_OK);
	assert_int_equal(step, 1);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 1, 0, "94287082", -1, &step), SESAME_OK);
	assert_int_equal(totp_verify(seed_sha1, 20, &p, 0, 0, "94287082", -1, &step),
			 SESAME_ERR_WRONG_CODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed_len),
	    cmocka_unit_test(test_step),
	    cmocka_unit_test(test_generate_rfc6238),
	    cmocka_unit_test(test_generate_rfc4226_six_digits),
	    cmocka_unit_test(test_generate_seven_digits),
	    cmocka_unit_test(test_generate_refuses_bad_arguments),
	    cmocka_unit_test(test_verify_rfc6238_exact_time),
	    cmocka_unit_test(test_verify_other_algorithm_refused),
	    cmocka_unit_test(test_verify_window),
	    cmocka_unit_test(test_verify_window_edges_within_step),
	    cmocka_unit_test(test_verify_malformed_codes),
	    cmocka_unit_test(test_verify_replay),
	    cmocka_unit_test(test_verify_later_step_wins),
	    cmocka_unit_test(test_verify_near_epoch),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
