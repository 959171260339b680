/* Unit tests for authd/password/breach_source.c: a configured filter that
 * is missing at start, then reloading after an atomic replacement (old
 * answers, then new ones), a broken replacement and a removed file (the
 * last good filter stays), with two threads checking a common key all
 * along (no miss). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "password/breach_source.h"
#include "sesame/breach_filter.h"
#include "sesame/error.h"
#include "unit_util.h"

struct fixture {
	char *dir;
	char path[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = unit_tmpdir()) == NULL)
		return -1;
	unit_path(f->path, sizeof(f->path), f->dir, "breach.filter");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unit_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* splitmix64: reproducible key sets */
static uint64_t next_key(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t *make_keys(size_t n, uint64_t seed)
{
	uint64_t *k = malloc((n ? n : 1) * sizeof(*k));

	assert_non_null(k);
	for (size_t i = 0; i < n; i++)
		k[i] = next_key(&seed);
	return k;
}

static breach_filter_t *build_open(const char *path, uint64_t *keys, size_t n)
{
	breach_filter_t *bf = NULL;

	assert_int_equal(breach_filter_build(keys, n, path), SESAME_OK);
	assert_int_equal(breach_filter_open(path, &bf), SESAME_OK);
	assert_non_null(bf);
	return bf;
}

struct reader {
	breach_source_t *src;
	uint64_t key; /* in every version of the file */
	atomic_int stop;
	atomic_long checks;
	atomic_long misses;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;
	int found;

	while (!atomic_load(&r->stop)) {
		if (breach_source_check(r->src, r->key, &found) != SESAME_OK || !found)
			atomic_fetch_add(&r->misses, 1);
		atomic_fetch_add(&r->checks, 1);
	}
	return NULL;
}

static int source_has(breach_source_t *src, uint64_t key)
{
	int found = -1;
	assert_int_equal(breach_source_check(src, key, &found), SESAME_OK);
	return found;
}

static void test_reload(void **state)
{
	struct fixture *f = *state;
	enum { N = 20000 };
	uint64_t *a = make_keys(N, 21), *b = make_keys(N, 22), *ca = make_keys(N, 21),
		 *cb = make_keys(N, 22);
	uint64_t only_a = 0, only_b = 0, common = 0xc0ffee;
	breach_filter_t *fa, *fb;
	breach_source_t *src = NULL;
	struct reader r;
	pthread_t th[2];
	char junk[600];

	/* missing at start */
	assert_int_equal(breach_source_new(f->path, &src), SESAME_ERR_NOT_FOUND);
	assert_null(src);

	a[0] = b[0] = ca[0] = cb[0] = common;
	fa = build_open(f->path, a, N);
	unit_path(junk, sizeof(junk), f->dir, "b.filter");
	fb = build_open(junk, b, N);
	/* a key of each set that the other does not (even falsely) contain */
	for (size_t i = 1; i < N && (!only_a || !only_b); i++) {
		if (!only_a && !breach_filter_contains(fb, ca[i]))
			only_a = ca[i];
		if (!only_b && !breach_filter_contains(fa, cb[i]))
			only_b = cb[i];
	}
	assert_true(only_a && only_b);
	breach_filter_close(&fa);
	breach_filter_close(&fb);

	assert_int_equal(breach_source_new(f->path, &src), SESAME_OK);
	memset(&r, 0, sizeof(r));
	r.src = src;
	r.key = common;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader_run, &r), 0);
	assert_int_equal(source_has(src, only_a), 1);
	assert_int_equal(source_has(src, only_b), 0);

	/* replaced atomically: the old answers until the next re-stat */
	assert_int_equal(breach_filter_build(cb, N, f->path), SESAME_OK);
	assert_int_equal(source_has(src, only_a), 1);
	usleep(1100 * 1000);
	assert_int_equal(source_has(src, only_b), 1);
	assert_int_equal(source_has(src, only_a), 0);

	/* a broken replacement and then none: the last good filter stays */
	assert_int_equal(unit_write_text(junk, "not a filter", 0644), 0);
	assert_int_equal(rename(junk, f->path), 0);
	usleep(1100 * 1000);
	assert_int_equal(source_has(src, only_b), 1);
	assert_int_equal(unlink(f->path), 0);
	usleep(1100 * 1000);
	assert_int_equal(source_has(src, only_b), 1);

	atomic_store(&r.stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	print_message("%ld concurrent checks during the reloads, %ld misses\n",
		      atomic_load(&r.checks), atomic_load(&r.misses));
	assert_true(atomic_load(&r.checks) > 0);
	assert_int_equal(atomic_load(&r.misses), 0);
	breach_source_free(&src);
	assert_null(src);
	breach_source_free(&src);
	free(a);
	free(b);
	free(ca);
	free(cb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
