/* Unit tests for authd/throttle.c: exponential back-off arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <limits.h>

#include "throttle.h"

static const throttle_params_t defaults = {5, 30, 900};

static void test_no_delay_below_max_failures(void **state)
{
	(void)state;
	for (unsigned f = 0; f < 5; f++)
		assert_int_equal(throttle_delay(&defaults, f), 0);
}

static void test_base_then_doubling_then_cap(void **state)
{
	(void)state;
	assert_int_equal(throttle_delay(&defaults, 5), 30);
	assert_int_equal(throttle_delay(&defaults, 6), 60);
	assert_int_equal(throttle_delay(&defaults, 7), 120);
	assert_int_equal(throttle_delay(&defaults, 8), 240);
	assert_int_equal(throttle_delay(&defaults, 9), 480);
	assert_int_equal(throttle_delay(&defaults, 10), 900); /* 960 capped */
	assert_int_equal(throttle_delay(&defaults, 11), 900);
	assert_int_equal(throttle_delay(&defaults, 100), 900);
}

static void test_monotonic(void **state)
{
	const throttle_params_t p = {3, 7, 100000};
	unsigned prev = 0;
	(void)state;
	for (unsigned f = 0; f < 200; f++) {
		unsigned d = throttle_delay(&p, f);
		assert_true(d >= prev);
		assert_true(d <= p.max_delay);
		prev = d;
	}
	assert_int_equal(throttle_delay(&p, 3), 7);
	assert_int_equal(throttle_delay(&p, 4), 14);
	assert_int_equal(prev, 100000);
}

static void test_huge_failure_counts(void **state)
{
	const throttle_params_t big = {1, UINT_MAX, UINT_MAX};
	const throttle_params_t odd = {1, 3, 4000000000u};
	(void)state;
	/* shifts of 31, 32, 33, 63, 64 and more must neither wrap nor be UB */
	for (unsigned f = 30; f < 70; f++)
		assert_int_equal(throttle_delay(&defaults, f), 900);
	assert_int_equal(throttle_delay(&defaults, UINT_MAX), 900);
	assert_int_equal(throttle_delay(&defaults, UINT_MAX - 1), 900);
	assert_int_equal(throttle_delay(&big, 1), UINT_MAX);
	assert_int_equal(throttle_delay(&big, 2), UINT_MAX);
	assert_int_equal(throttle_delay(&big, 33), UINT_MAX);
	assert_int_equal(throttle_delay(&big, UINT_MAX), UINT_MAX);
	/* 3 << 30 = 3221225472 fits; 3 << 31 would wrap a 32-bit unsigned */
	assert_int_equal(throttle_delay(&odd, 31), 3221225472u);
	assert_int_equal(throttle_delay(&odd, 32), 4000000000u);
	assert_int_equal(throttle_delay(&odd, 33), 4000000000u);
}

static void test_zero_max_failures(void **state)
{
	const throttle_params_t p = {0, 2, 10};
	(void)state;
	assert_int_equal(throttle_delay(&p, 0), 2);
	assert_int_equal(throttle_delay(&p, 1), 4);
	assert_int_equal(throttle_delay(&p, 3), 10);
}

static void test_wait(void **state)
{
	(void)state;
	assert_int_equal(throttle_wait(1000, 960), 40);
	assert_int_equal(throttle_wait(1000, 999), 1);
	assert_int_equal(throttle_wait(1000, 1000), 0);
	assert_int_equal(throttle_wait(1000, 1001), 0);
	assert_int_equal(throttle_wait(0, 1700000000), 0);
	assert_int_equal(throttle_wait(INT64_MAX, 0), INT64_MAX);
	assert_int_equal(throttle_wait(INT64_MIN, INT64_MAX), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_delay_below_max_failures),
	    cmocka_unit_test(test_base_then_doubling_then_cap),
	    cmocka_unit_test(test_monotonic),
	    cmocka_unit_test(test_huge_failure_counts),
	    cmocka_unit_test(test_zero_max_failures),
	    cmocka_unit_test(test_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
