/* The offline breach filter: build time, file size, bits per entry, peak
 * memory, lookups per second and the false-positive rate for generated key
 * sets (10 and 100 million by default), and the time to parse a Have I
 * Been Pwned list through the import code path. Each size runs in its own
 * child process so that its peak RSS is its own.
 *   bench_breach_filter [-d DIR] [-i IMPORT_LINES] [N ...]
 * The 100 million run needs about 2.5 GB of memory. Results and how they
 * were taken: docs/breach-filter.md. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sesame/breach_filter.h"
#include "sesame/breach_import.h"
#include "sesame/error.h"

#define BENCH_QUERIES 10000000 /* lookups timed, members and non-members */

static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t bench_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull); /* splitmix64 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static long bench_peak_mb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss / 1024;
}

/* One size, in the calling process. */
static int bench_size(const char *dir, size_t n)
{
	char path[4096];
	uint64_t *keys = NULL, *q = NULL, s = n;
	breach_filter_t *f = NULL;
	volatile size_t sink = 0;
	size_t fp = 0, hits = 0;
	double t0, build_s, member_s, other_s, bits;
	int r, ok = 1;

	snprintf(path, sizeof(path), "%s/bench-breach-%zu.filter", dir, n);
	if ((keys = malloc(n * sizeof(*keys))) == NULL ||
	    (q = malloc(BENCH_QUERIES * sizeof(*q))) == NULL) {
		fprintf(stderr, "n=%zu: out of memory\n", n);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		keys[i] = bench_next(&s);
	t0 = bench_now();
	r = breach_filter_build(keys, n, path);
	build_s = bench_now() - t0;
	if (r != SESAME_OK || (r = breach_filter_open(path, &f)) != SESAME_OK) {
		fprintf(stderr, "n=%zu: %s\n", n, sesame_err_code(r));
		goto out;
	}
	/* members (the keys array is only reordered by the build), after an
	 * untimed pass that maps the file's pages */
	for (size_t i = 0; i < BENCH_QUERIES; i++)
		q[i] = keys[(i * 2654435761u) % n];
	for (size_t i = 0; i < BENCH_QUERIES; i++)
		sink += (size_t)breach_filter_contains(f, q[i]);
	t0 = bench_now();
	for (size_t i = 0; i < BENCH_QUERIES; i++)
		hits += (size_t)breach_filter_contains(f, q[i]);
	member_s = bench_now() - t0;
	/* others: another stream of the generator */
	s = ~(uint64_t)n;
	for (size_t i = 0; i < BENCH_QUERIES; i++)
		q[i] = bench_next(&s);
	t0 = bench_now();
	for (size_t i = 0; i < BENCH_QUERIES; i++)
		fp += (size_t)breach_filter_contains(f, q[i]);
	other_s = bench_now() - t0;
	sink = hits + fp;
	(void)sink;
	bits = 8.0 * (double)breach_filter_bytes(f) / (double)breach_filter_count(f);
	printf("n=%zu entries=%zu build_s=%.2f bytes=%zu MB=%.1f bits_per_entry=%.3f "
	       "peak_rss_MB=%ld lookups_per_s_member=%.0f lookups_per_s_other=%.0f "
	       "false_negatives=%zu fp_rate_pct=%.4f\n",
	       n, breach_filter_count(f), build_s, breach_filter_bytes(f),
	       (double)breach_filter_bytes(f) / 1e6, bits, bench_peak_mb(),
	       BENCH_QUERIES / member_s, BENCH_QUERIES / other_s, BENCH_QUERIES - hits,
	       100.0 * (double)fp / BENCH_QUERIES);
	fflush(stdout);
	ok = hits == BENCH_QUERIES ? 0 : 1;
out:
	breach_filter_close(&f);
	unlink(path);
	free(keys);
	free(q);
	return ok;
}

/* Writes lines of "SHA1HEX:COUNT\r\n" (upper case, as HIBP) to path. */
static int bench_write_list(const char *path, size_t lines)
{
	static const char hex[] = "0123456789ABCDEF";
	char line[64];
	uint64_t s = 7, a, b, c;
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	for (size_t i = 0; i < lines; i++) {
		a = bench_next(&s);
		b = bench_next(&s);
		c = bench_next(&s);
		for (int j = 0; j < 16; j++) {
			line[j] = hex[(a >> (60 - 4 * j)) & 15];
			line[16 + j] = hex[(b >> (60 - 4 * j)) & 15];
		}
		for (int j = 0; j < 8; j++)
			line[32 + j] = hex[(c >> (60 - 4 * j)) & 15];
		if (fwrite(line, 1, 40, f) != 40 ||
		    fprintf(f, ":%u\r\n", (unsigned)(c & 0xfff) + 1) < 0)
			break;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static int bench_import(const char *dir, size_t lines)
{
	char path[4096];
	breach_import_t imp;
	double t0, dt;
	off_t size;
	int fd, r, ok = 1;

	memset(&imp, 0, sizeof(imp));
	snprintf(path, sizeof(path), "%s/bench-breach-hibp.txt", dir);
	t0 = bench_now();
	if (bench_write_list(path, lines) != 0) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		unlink(path);
		return 1;
	}
	fprintf(stderr, "(wrote %zu lines in %.1f s)\n", lines, bench_now() - t0);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	t0 = bench_now();
	r = breach_import_read(fd, 0, &imp);
	dt = bench_now() - t0;
	close(fd);
	if (r != SESAME_OK)
		goto out;
	printf("import lines=%" PRIu64 " valid=%zu rejected=%" PRIu64 " bytes=%lld parse_s=%.2f "
	       "lines_per_s=%.0f MB_per_s=%.0f (file in the page cache)\n",
	       imp.lines, imp.n, imp.rejected, (long long)size, dt, (double)imp.lines / dt,
	       (double)size / 1e6 / dt);
	ok = imp.n == lines ? 0 : 1;
out:
	breach_import_free(&imp);
	unlink(path);
	return ok;
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp";
	size_t import_lines = 10000000, sizes[16], nsizes = 0;
	int c, status, rc = 0;

	while ((c = getopt(argc, argv, "d:i:")) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'i')
			import_lines = strtoull(optarg, NULL, 10);
		else {
			fprintf(stderr, "usage: %s [-d DIR] [-i IMPORT_LINES] [N ...]\n", argv[0]);
			return 2;
		}
	}
	for (int i = optind; i < argc && nsizes < 16; i++)
		sizes[nsizes++] = strtoull(argv[i], NULL, 10);
	if (nsizes == 0) {
		sizes[nsizes++] = 10000000;
		sizes[nsizes++] = 100000000;
	}
	for (size_t i = 0; i < nsizes; i++) {
		pid_t pid;
		fflush(stdout);
		if ((pid = fork()) == 0)
			_exit(bench_size(dir, sizes[i]));
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			rc = 1;
	}
	if (import_lines > 0 && bench_import(dir, import_lines) != 0)
		rc = 1;
	return rc;
}
