/* Unit tests for lib/breach/ (breach_filter.c and breach_import.c): no
 * false negatives, the false-positive rate, duplicates, tiny sets, the file
 * format and its refusals, and the parser of imported lists. Reloading a
 * replaced file is the daemon's: test_breach_source.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h> /* after the four headers it needs */

#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sesame/breach_filter.h"
#include "sesame/breach_import.h"
#include "sesame/error.h"
#include "unit_util.h"

#define BIG 1000000	  /* keys in the large set, and as many non-members */
#define MAX_FP_RATE 0.005 /* documented: 0.39 % expected, 0.5 % asserted */
#define HEADER 96

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

static size_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (size_t)st.st_size;
}

static unsigned char *read_all(const char *path, size_t *len)
{
	size_t n = file_size(path);
	unsigned char *b = malloc(n + 1);
	FILE *fp = fopen(path, "rb");

	assert_non_null(b);
	assert_non_null(fp);
	assert_int_equal(fread(b, 1, n, fp), n);
	fclose(fp);
	*len = n;
	return b;
}

/* ---- keys ---- */

static void test_keys(void **state)
{
	/* SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8 */
	static const unsigned char sha1[20] = {0x5b, 0xaa, 0x61, 0xe4, 0xc9, 0xb9, 0x3f,
					       0x3f, 0x06, 0x82, 0x25, 0x0b, 0x6c, 0xf8,
					       0x33, 0x1b, 0x7e, 0xe6, 0x8f, 0xd8};
	(void)state;
	assert_true(breach_key_from_sha1(sha1) == 0x5baa61e4c9b93f3full);
	assert_true(breach_key_from_password("password", 8) == 0x5baa61e4c9b93f3full);
	/* SHA-1("") = DA39A3EE5E6B4B0D3255BFEF95601890AFD80709 */
	assert_true(breach_key_from_password("", 0) == 0xda39a3ee5e6b4b0dull);
}

/* ---- the filter ---- */

static void test_million(void **state)
{
	struct fixture *f = *state;
	uint64_t *keys = make_keys(BIG, 1), *copy = malloc(BIG * sizeof(*copy)), s = 2;
	breach_filter_t *bf;
	size_t fp = 0, bytes;
	double bits, rate;

	assert_non_null(copy);
	memcpy(copy, keys, BIG * sizeof(*keys));
	bf = build_open(f->path, keys, BIG);
	assert_int_equal(breach_filter_count(bf), BIG);
	bytes = breach_filter_bytes(bf);
	assert_int_equal(bytes, file_size(f->path));
	for (size_t i = 0; i < BIG; i++)
		if (!breach_filter_contains(bf, copy[i]))
			fail_msg("false negative for key %zu", i);
	/* keys is only reordered: still the same set */
	for (size_t i = 0; i < BIG; i++)
		if (!breach_filter_contains(bf, keys[i]))
			fail_msg("keys[%zu] changed by the build", i);
	for (size_t i = 0; i < BIG; i++)
		fp += (size_t)breach_filter_contains(bf, next_key(&s));
	rate = (double)fp / BIG;
	bits = 8.0 * (double)bytes / BIG;
	print_message("1e6 entries: %zu bytes, %.3f bits per entry, false-positive rate %.4f %% "
		      "(%zu of %d)\n",
		      bytes, bits, 100.0 * rate, fp, BIG);
	assert_true(rate <= MAX_FP_RATE);
	assert_true(bits <= 10.0);
	breach_filter_close(&bf);
	assert_null(bf);
	free(keys);
	free(copy);
}

static void test_duplicates(void **state)
{
	struct fixture *f = *state;
	enum { UNIQUE = 5000, N = 3 * UNIQUE + 1000 };
	uint64_t *base = make_keys(UNIQUE, 7), keys[N];
	breach_filter_t *bf;

	/* each key three times, interleaved, and one key 1000 times more */
	for (size_t i = 0; i < 3 * UNIQUE; i++)
		keys[i] = base[(i * 7919) % UNIQUE];
	for (size_t i = 3 * UNIQUE; i < N; i++)
		keys[i] = base[42];
	bf = build_open(f->path, keys, N);
	assert_int_equal(breach_filter_count(bf), UNIQUE);
	for (size_t i = 0; i < UNIQUE; i++)
		assert_true(breach_filter_contains(bf, base[i]));
	breach_filter_close(&bf);

	/* all the same */
	for (size_t i = 0; i < 100; i++)
		keys[i] = 0x1234;
	bf = build_open(f->path, keys, 100);
	assert_int_equal(breach_filter_count(bf), 1);
	assert_true(breach_filter_contains(bf, 0x1234));
	breach_filter_close(&bf);
	free(base);
}

static void test_tiny(void **state)
{
	struct fixture *f = *state;
	uint64_t keys[3], s = 99;
	breach_filter_t *bf;
	size_t hits;

	/* empty: says no to everything */
	bf = build_open(f->path, NULL, 0);
	assert_int_equal(breach_filter_count(bf), 0);
	assert_int_equal(breach_filter_bytes(bf), HEADER);
	hits = 0;
	for (int i = 0; i < 100000; i++)
		hits += (size_t)breach_filter_contains(bf, next_key(&s));
	assert_int_equal(hits, 0);
	breach_filter_close(&bf);

	for (size_t n = 1; n <= 3; n++) {
		for (uint64_t seed = 0; seed < 50; seed++) {
			uint64_t *k = make_keys(n, 1000 * n + seed);
			memcpy(keys, k, n * sizeof(*k));
			bf = build_open(f->path, k, n);
			assert_int_equal(breach_filter_count(bf), n);
			for (size_t i = 0; i < n; i++)
				assert_true(breach_filter_contains(bf, keys[i]));
			breach_filter_close(&bf);
			free(k);
		}
	}
	/* keys 0 and ~0 are keys like the others */
	keys[0] = 0;
	keys[1] = UINT64_MAX;
	bf = build_open(f->path, keys, 2);
	assert_true(breach_filter_contains(bf, 0));
	assert_true(breach_filter_contains(bf, UINT64_MAX));
	breach_filter_close(&bf);
	assert_int_equal(breach_filter_contains(NULL, 0), 0);
}

static void test_sizes(void **state)
{
	struct fixture *f = *state;
	static const size_t sizes[] = {4, 5, 10, 31, 100, 1000, 4096, 10007, 65536, 200000};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		uint64_t *k = make_keys(n, n), *copy = make_keys(n, n);
		breach_filter_t *bf = build_open(f->path, k, n);
		assert_int_equal(breach_filter_count(bf), n);
		for (size_t j = 0; j < n; j++)
			assert_true(breach_filter_contains(bf, copy[j]));
		breach_filter_close(&bf);
		free(k);
		free(copy);
	}
}

/* ---- the file ---- */

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	char other[600];
	uint64_t *a = make_keys(10000, 5), *b = make_keys(10000, 5);
	unsigned char *x, *y;
	size_t xl, yl;
	struct stat st;
	breach_filter_t *bf;

	unit_path(other, sizeof(other), f->dir, "other.filter");
	umask(077); /* the mode is 0644 whatever the umask */
	assert_int_equal(breach_filter_build(a, 10000, f->path), SESAME_OK);
	umask(022);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	/* the same keys in another order give the same bytes */
	for (size_t i = 0; i < 5000; i++) {
		uint64_t t = b[i];
		b[i] = b[9999 - i];
		b[9999 - i] = t;
	}
	assert_int_equal(breach_filter_build(b, 10000, other), SESAME_OK);
	x = read_all(f->path, &xl);
	y = read_all(other, &yl);
	assert_int_equal(xl, yl);
	assert_memory_equal(x, y, xl);
	assert_memory_equal(x, "SESBF1\0\0", 8);
	assert_int_equal(x[8], 1); /* version 1, little-endian */
	assert_int_equal(x[12], HEADER);
	/* no temporary file is left behind */
	{
		FILE *ls;
		char cmd[700];
		int n = 0;
		snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", f->dir);
		ls = popen(cmd, "r");
		assert_non_null(ls);
		assert_int_equal(fscanf(ls, "%d", &n), 1);
		pclose(ls);
		assert_int_equal(n, 2);
	}
	assert_int_equal(breach_filter_open(f->path, &bf), SESAME_OK);
	assert_int_equal(breach_filter_count(bf), 10000);
	assert_int_equal(breach_filter_bytes(bf), xl);
	/* the identity of the file mapped, which breach_source compares */
	assert_int_equal(stat(f->path, &st), 0);
	assert_non_null(breach_filter_stat(bf));
	assert_int_equal(breach_filter_stat(bf)->st_dev, st.st_dev);
	assert_int_equal(breach_filter_stat(bf)->st_ino, st.st_ino);
	assert_int_equal(breach_filter_stat(bf)->st_size, xl);
	assert_null(breach_filter_stat(NULL));
	breach_filter_close(&bf);
	/* write_fd over a larger file cuts it to size */
	{
		int fd = open(other, O_RDWR | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(ftruncate(fd, (off_t)xl * 3), 0);
		assert_int_equal(breach_filter_write_fd(fd, a, 10000), SESAME_OK);
		assert_int_equal(breach_filter_open_fd(fd, &bf), SESAME_OK);
		assert_int_equal(breach_filter_bytes(bf), xl);
		breach_filter_close(&bf);
		close(fd);
	}
	free(x);
	free(y);
	free(a);
	free(b);
}

/* Writes data to name and expects breach_filter_open to return want. */
static void expect_refused(const char *dir, const char *name, const unsigned char *data, size_t len,
			   int want)
{
	char path[600];
	breach_filter_t *bf = (breach_filter_t *)&bf; /* must be set to NULL */

	unit_path(path, sizeof(path), dir, name);
	assert_int_equal(unit_write_file(path, data, len, 0644), 0);
	assert_int_equal(breach_filter_open(path, &bf), want);
	if (want == SESAME_OK) {
		assert_non_null(bf);
		breach_filter_close(&bf);
	}
	assert_null(bf);
}

/* Recomputes the header checksum after a deliberate change, so that the
 * check of the field itself is what refuses the file. */
static void reseal(unsigned char *h)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	assert_int_equal(EVP_Digest(h, 88, md, &mdlen, EVP_sha256(), NULL), 1);
	memcpy(h + 88, md, 8);
}

static void put32(unsigned char *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static void test_refused(void **state)
{
	struct fixture *f = *state;
	uint64_t *k = make_keys(2000, 11);
	unsigned char *good, *bad;
	size_t len;
	breach_filter_t *bf = NULL;

	assert_int_equal(breach_filter_build(k, 2000, f->path), SESAME_OK);
	good = read_all(f->path, &len);
	bad = malloc(len + 4096);
	assert_non_null(bad);

	/* missing, a directory */
	assert_int_equal(breach_filter_open("/nonexistent/breach.filter", &bf),
			 SESAME_ERR_NOT_FOUND);
	assert_null(bf);
	assert_int_equal(breach_filter_open(f->dir, &bf), SESAME_ERR_CONFIG);
	assert_null(bf);

	/* truncated anywhere */
	expect_refused(f->dir, "t0", good, 0, SESAME_ERR_CONFIG);
	expect_refused(f->dir, "t1", good, 10, SESAME_ERR_CONFIG);
	expect_refused(f->dir, "t2", good, HEADER - 1, SESAME_ERR_CONFIG);
	expect_refused(f->dir, "t3", good, HEADER, SESAME_ERR_CONFIG);
	expect_refused(f->dir, "t4", good, len / 2, SESAME_ERR_CONFIG);
	expect_refused(f->dir, "t5", good, len - 1, SESAME_ERR_CONFIG);
	/* one byte more */
	memcpy(bad, good, len);
	bad[len] = 0;
	expect_refused(f->dir, "long", bad, len + 1, SESAME_ERR_CONFIG);

	/* every header byte flipped in turn: the checksum or a field check */
	for (size_t i = 0; i < HEADER; i++) {
		memcpy(bad, good, len);
		bad[i] ^= 0x40;
		expect_refused(f->dir, "flip", bad, len, SESAME_ERR_CONFIG);
	}
	/* a fingerprint changed: the contents checksum */
	memcpy(bad, good, len);
	bad[HEADER + (len - HEADER) / 3] ^= 1;
	expect_refused(f->dir, "data", bad, len, SESAME_ERR_CONFIG);

	/* resealed headers with one wrong field each */
	memcpy(bad, good, len);
	memcpy(bad, "SESBF2\0\0", 8);
	reseal(bad);
	expect_refused(f->dir, "magic", bad, len, SESAME_ERR_CONFIG);
	memcpy(bad, good, len);
	put32(bad + 8, 2);
	reseal(bad);
	expect_refused(f->dir, "version", bad, len, SESAME_ERR_CONFIG);
	/* a header that claims to be larger, even with room for it */
	memcpy(bad, good, HEADER);
	memset(bad + HEADER, 0, 4096);
	memcpy(bad + 4096, good + HEADER, len - HEADER);
	put32(bad + 12, 4096);
	reseal(bad);
	expect_refused(f->dir, "hdrsize", bad, len - HEADER + 4096, SESAME_ERR_CONFIG);
	/* a fingerprint array longer than the file (and than the segments) */
	memcpy(bad, good, len);
	put64(bad + 48, 0xffffffffffull);
	reseal(bad);
	expect_refused(f->dir, "arraylen", bad, len, SESAME_ERR_CONFIG);
	/* segment length not a power of two; segment count off by one */
	memcpy(bad, good, len);
	put32(bad + 20, bad[20] + 1u);
	reseal(bad);
	expect_refused(f->dir, "seglen", bad, len, SESAME_ERR_CONFIG);
	memcpy(bad, good, len);
	put32(bad + 24, (uint32_t)bad[24] + ((uint32_t)bad[25] << 8) + 1u);
	reseal(bad);
	expect_refused(f->dir, "segcount", bad, len, SESAME_ERR_CONFIG);
	/* more entries than cells */
	memcpy(bad, good, len);
	put64(bad + 40, len);
	reseal(bad);
	expect_refused(f->dir, "entries", bad, len, SESAME_ERR_CONFIG);
	/* an empty filter must have no array */
	memcpy(bad, good, len);
	put64(bad + 40, 0);
	reseal(bad);
	expect_refused(f->dir, "empty", bad, len, SESAME_ERR_CONFIG);

	/* the good one still opens */
	expect_refused(f->dir, "good", good, len, SESAME_OK);
	free(good);
	free(bad);
	free(k);
}

/* ---- the import parser ---- */

static void test_import_line(void **state)
{
	uint64_t k;
	(void)state;

	assert_int_equal(
	    breach_import_line("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3861493", 48, 0, &k),
	    SESAME_OK);
	assert_true(k == 0x5baa61e4c9b93f3full);
	assert_int_equal(
	    breach_import_line("5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8\r", 41, 0, &k), SESAME_OK);
	assert_true(k == 0x5baa61e4c9b93f3full);
	assert_int_equal(breach_import_line("", 0, 0, &k), SESAME_ERR_NOT_FOUND);
	assert_int_equal(breach_import_line("\r", 1, 0, &k), SESAME_ERR_NOT_FOUND);
	static const char *bad[] = {
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD",	 /* 39 digits */
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8A", /* 41 */
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FG8",	 /* not hex */
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:", /* empty count */
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:1x",
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8 ",
	    " 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8",
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:-1",
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:123456789012345678901", /* 21 digits */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(breach_import_line(bad[i], strlen(bad[i]), 0, &k),
				 SESAME_ERR_INVALID_ARGUMENT);
	/* plain */
	assert_int_equal(breach_import_line("password\r", 9, 1, &k), SESAME_OK);
	assert_true(k == 0x5baa61e4c9b93f3full);
	/* plain lines are keyed in NFKC form, the form the policy looks up:
	 * "é" as "e" + U+0301 gives the key of U+00E9, "ﬁ" that of "fi" */
	assert_int_equal(breach_import_line("cafe\xcc\x81", 6, 1, &k), SESAME_OK);
	assert_true(k == breach_key_from_password("caf\xc3\xa9", 5));
	assert_int_equal(breach_import_line("\xef\xac\x81ve\r", 6, 1, &k), SESAME_OK);
	assert_true(k == breach_key_from_password("five", 4));
	/* invalid UTF-8 is keyed as it is */
	assert_int_equal(breach_import_line("e\xcc\x81\xff", 4, 1, &k), SESAME_OK);
	assert_true(k == breach_key_from_password("e\xcc\x81\xff", 4));
	{
		char big[1100];
		memset(big, 'a', sizeof(big));
		assert_int_equal(breach_import_line(big, 1024, 1, &k), SESAME_OK);
		assert_int_equal(breach_import_line(big, 1025, 1, &k), SESAME_ERR_INVALID_ARGUMENT);
	}
}

static void test_import_read(void **state)
{
	struct fixture *f = *state;
	char path[600];
	breach_import_t imp;
	int fd;
	/* a line longer than the reader's buffer, then more lines */
	size_t biglen = (1u << 20) + 5000;
	char *text = malloc(biglen + 1000);

	assert_non_null(text);
	strcpy(text, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:10\r\n"
		     "\n"
		     "garbage\n"
		     "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709\n");
	size_t n = strlen(text);
	memset(text + n, 'x', biglen);
	n += biglen;
	strcpy(text + n, "\nda39a3ee5e6b4b0d3255bfef95601890afd80709:1");
	n += strlen(text + n);
	unit_path(path, sizeof(path), f->dir, "list.txt");
	assert_int_equal(unit_write_file(path, text, n, 0644), 0);
	memset(&imp, 0, sizeof(imp));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(breach_import_read(fd, 0, &imp), SESAME_OK);
	close(fd);
	assert_int_equal(imp.lines, 6);
	assert_int_equal(imp.n, 3);
	assert_int_equal(imp.rejected, 2);
	assert_int_equal(imp.first_rejected, 3);
	assert_true(imp.keys[0] == 0x5baa61e4c9b93f3full);
	assert_true(imp.keys[1] == 0xda39a3ee5e6b4b0dull);
	assert_true(imp.keys[2] == 0xda39a3ee5e6b4b0dull);
	breach_import_free(&imp);
	assert_null(imp.keys);

	/* plain, CRLF, no final newline */
	assert_int_equal(unit_write_text(path, "password\r\n\r\n123456\nqwerty", 0644), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(breach_import_read(fd, 1, &imp), SESAME_OK);
	close(fd);
	assert_int_equal(imp.lines, 4);
	assert_int_equal(imp.n, 3);
	assert_int_equal(imp.rejected, 0);
	assert_true(imp.keys[0] == 0x5baa61e4c9b93f3full);
	assert_true(imp.keys[1] == breach_key_from_password("123456", 6));
	assert_true(imp.keys[2] == breach_key_from_password("qwerty", 6));
	breach_import_free(&imp);

	/* a read error */
	fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(breach_import_read(fd, 0, &imp), SESAME_ERR_IO);
	close(fd);
	breach_import_free(&imp);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test_setup_teardown(test_million, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tiny, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	    cmocka_unit_test(test_import_line),
	    cmocka_unit_test_setup_teardown(test_import_read, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
