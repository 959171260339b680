/* Unit tests for lib/secmem.c: zeroed whole pages, marked MADV_DONTDUMP
 * and locked (as /proc/self/smaps shows them), unmapped on free. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sesame/error.h"
#include "sesame/secmem.h"

/* The VmFlags of the mapping holding addr into flags; 0, or -1 when no
 * mapping holds it. */
static int vm_flags(const void *addr, char *flags, size_t flagsz)
{
	char line[512];
	uintptr_t a = (uintptr_t)addr;
	int in = 0, found = -1;
	FILE *fp = fopen("/proc/self/smaps", "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = a >= lo && a < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(flags, flagsz, "%s", line + 8);
			found = 0;
			in = 0;
		}
	}
	fclose(fp);
	return found;
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* Whether this process may lock a page (root, or RLIMIT_MEMLOCK allows). */
static int may_lock(void)
{
#ifdef UNDER_ASAN
	return 0; /* AddressSanitizer's mlock() does nothing (and succeeds) */
#else
	struct rlimit rl;
	return geteuid() == 0 ||
	       (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur >= 16 * (rlim_t)getpagesize());
#endif
}

static void test_pages_out_of_dumps(void **state)
{
	size_t page = (size_t)getpagesize();
	const size_t lens[] = {1, 100, page, 3 * page + 1};
	char flags[512];

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		unsigned char *p = NULL;
		size_t span = (lens[i] + page - 1) / page * page;
		assert_int_equal(secmem_new(lens[i], (void **)&p), SESAME_OK);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % page, 0);
		for (size_t j = 0; j < span; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xa5, lens[i]);
		for (size_t off = 0; off < span; off += page) {
			assert_int_equal(vm_flags(p + off, flags, sizeof(flags)), 0);
			if (strstr(flags, " dd") == NULL)
				fail_msg("page %zu of %zu bytes not MADV_DONTDUMP: %s", off / page,
					 lens[i], flags);
			if (may_lock() && strstr(flags, " lo") == NULL)
				fail_msg("page %zu of %zu bytes not locked: %s", off / page,
					 lens[i], flags);
		}
		secmem_free((void **)&p, lens[i]);
		assert_null(p);
	}
}

static void test_free_unmaps(void **state)
{
	void *p = NULL;
	char flags[512];

	(void)state;
	assert_int_equal(secmem_new(64, &p), SESAME_OK);
	assert_int_equal(vm_flags(p, flags, sizeof(flags)), 0);
	unsigned char *at = p;
	secmem_free(&p, 64);
	assert_null(p);
	assert_int_equal(vm_flags(at, flags, sizeof(flags)), -1);
	secmem_free(&p, 64); /* already NULL */
	secmem_free(NULL, 64);
}

static void test_too_large(void **state)
{
	void *p = (void *)&p;

	(void)state;
	assert_int_equal(secmem_new(SIZE_MAX, &p), SESAME_ERR_NOMEM);
	assert_null(p);
	assert_int_equal(secmem_new(SIZE_MAX - (size_t)getpagesize() + 2, &p), SESAME_ERR_NOMEM);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pages_out_of_dumps),
	    cmocka_unit_test(test_free_unmaps),
	    cmocka_unit_test(test_too_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
