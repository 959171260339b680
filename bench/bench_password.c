/* Password policy checks per second and latency (p50, p99, max), in
 * process, one thread: typical passwords, then worst cases (1024-byte
 * repetitions, 256 code points of mixed scripts and emoji, passphrases at
 * max_length, invalid UTF-8 at the bound, inputs built to be slow for
 * zxcvbn). Target: p99 under 2 ms for any accepted input.
 * Latency is given twice: wall clock, and this thread's CPU time (the cost
 * of the check itself, without the time other processes took the CPU).
 *   bench_password [ITERATIONS]    (default 2000 per row) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "password/password.h"
#include "sesame/error.h"
#include "sesame/limits.h"

#define MAX_INPUTS 32

typedef struct {
	const char *name;
	char *pw[MAX_INPUTS];
	size_t len[MAX_INPUTS];
	size_t n;
} row_t;

static double clock_us(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static double now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void add(row_t *r, const char *pw, size_t len)
{
	if (r->n >= MAX_INPUTS || (r->pw[r->n] = malloc(len + 1)) == NULL)
		abort();
	memcpy(r->pw[r->n], pw, len);
	r->pw[r->n][len] = '\0';
	r->len[r->n++] = len;
}

/* len bytes of unit repeated. */
static void add_repeat(row_t *r, const char *unit, size_t len)
{
	char buf[SESAME_MAX_PASSWORD + 2];
	size_t ul = strlen(unit);

	for (size_t i = 0; i < len; i++)
		buf[i] = unit[i % ul];
	add(r, buf, len);
}

/* Whole code points taken in turn from the pieces, up to ncp code points
 * or max bytes. */
static void add_cycle(row_t *r, const char *const *pieces, size_t npieces, size_t ncp, size_t max)
{
	char buf[SESAME_MAX_PASSWORD + 2];
	size_t len = 0;

	for (size_t i = 0; i < ncp; i++) {
		const char *p = pieces[i % npieces];
		size_t pl = strlen(p);
		if (len + pl > max)
			break;
		memcpy(buf + len, p, pl);
		len += pl;
	}
	add(r, buf, len);
}

/* len random characters from alphabet (fixed seed: the same every run). */
static void add_random(row_t *r, const char *alphabet, size_t len, unsigned seed)
{
	char buf[SESAME_MAX_PASSWORD + 2];
	size_t al = strlen(alphabet);

	srand(seed);
	for (size_t i = 0; i < len; i++)
		buf[i] = alphabet[(size_t)rand() % al];
	add(r, buf, len);
}

static void run(password_policy_t *p, const row_t *r, int iters)
{
	double *lat = malloc(sizeof(double) * (size_t)iters);
	double *cpu = malloc(sizeof(double) * (size_t)iters);
	double total = 0;
	size_t p99 = (size_t)((double)iters * 0.99);
	int accepted = 0;

	if (lat == NULL || cpu == NULL)
		abort();
	for (int i = 0; i < iters; i++) {
		size_t k = (size_t)i % r->n;
		password_input_t in = {r->pw[k], r->len[k],	   NULL,    0,
				       "alice",	 "Alice Smith,,,", "passwd"};
		password_result_t res;
		double c0 = clock_us(CLOCK_THREAD_CPUTIME_ID), t0 = now_us();
		if (password_check(p, &in, &res) != SESAME_OK)
			abort();
		lat[i] = now_us() - t0;
		cpu[i] = clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
		total += lat[i];
		accepted += res.accepted;
	}
	qsort(lat, (size_t)iters, sizeof(double), cmp_double);
	qsort(cpu, (size_t)iters, sizeof(double), cmp_double);
	printf("%-44s %3zu %4.0f%% %8.0f %7.1f %7.1f %7.1f %7.1f %7.1f\n", r->name, r->n,
	       100.0 * accepted / iters, iters / (total / 1e6), lat[iters / 2], lat[p99],
	       lat[iters - 1], cpu[iters / 2], cpu[p99]);
	free(lat);
	free(cpu);
}

int main(int argc, char **argv)
{
	static const char *const typical[] = {
	    "password",
	    "Password1",
	    "123456789",
	    "qwertyuiop",
	    "iloveyou2024!",
	    "Alice2024!",
	    "Summer-Holidays-2024!",
	    "dragon",
	    "letmein",
	    "Tr0ub4dor&3",
	    "correct horse battery staple",
	    "purple monkey dishwasher lamp",
	    "Xk#9q!Lm2zPw7$Rt",
	    "elephants uphill tulip",
	    "my cat is called Moustache-42",
	    "crème brûlée au café noir",
	    "שלום עולם ירושלים הבירה",
	    "tiger lily seven oaks blue kettle",
	    "aaaaaaaaaaaaaaaa",
	    "1qaz2wsx3edc4rfv",
	};
	static const char *const scripts[] = {
	    "é",  "ß",	"ø",  "Ł",  "ž",  "Ω", "λ", "Ж", "ы", "ש",    "ל", "م", "ر",
	    "日", "本", "語", "한", "글", "ह", "ि", "🔥", "🌊", "🦊", "🎸", " ",
	};
	static const char *const words[] = {"kettle ",	"orchard ", "granite ", "mosaic ",
					    "lantern ", "thistle ", "quartz ",	"harbour "};
	row_t rows[16];
	size_t nrows = 0;
	sesame_config_t cfg;
	password_policy_t *p = NULL;
	char err[512];
	int iters = argc > 1 ? atoi(argv[1]) : 2000;
	double t0;

	if (iters < 100)
		iters = 100;
	memset(rows, 0, sizeof(rows));
	config_defaults(&cfg);
	snprintf(cfg.password.org_words[0], sizeof(cfg.password.org_words[0]), "acme");
	cfg.password.n_org_words = 1;
	t0 = now_us();
	if (password_policy_new(&cfg.password, &p, err, sizeof(err)) != SESAME_OK) {
		fprintf(stderr, "password_policy_new: %s\n", err);
		return 1;
	}
	printf("policy with the bundled list: %.1f ms to build\n\n", (now_us() - t0) / 1e3);

	rows[nrows].name = "typical (20 weak and strong)";
	for (size_t i = 0; i < sizeof(typical) / sizeof(typical[0]); i++)
		add(&rows[nrows], typical[i], strlen(typical[i]));
	nrows++;
	rows[nrows].name = "1024 bytes \"aaaa...\"";
	add_repeat(&rows[nrows++], "a", SESAME_MAX_PASSWORD);
	rows[nrows].name = "1024 bytes \"abab...\"";
	add_repeat(&rows[nrows++], "ab", SESAME_MAX_PASSWORD);
	rows[nrows].name = "1024 bytes \"1212...\" (keyboard zig-zag)";
	add_repeat(&rows[nrows++], "12", SESAME_MAX_PASSWORD);
	rows[nrows].name = "1024 bytes of keyboard walks";
	add_repeat(&rows[nrows++],
		   "qawsedrftgyhujikolp;['/.,mnbvcxz1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/-['=]"
		   "\\qwertyuiopasdfghj",
		   SESAME_MAX_PASSWORD);
	rows[nrows].name = "256 code points, mixed scripts and emoji";
	add_cycle(&rows[nrows++], scripts, sizeof(scripts) / sizeof(scripts[0]), 256,
		  SESAME_MAX_PASSWORD);
	rows[nrows].name = "passphrase of 256 code points (max_length)";
	add_cycle(&rows[nrows], words, sizeof(words) / sizeof(words[0]), 256, 256);
	add_cycle(&rows[nrows++], words + 3, 5, 256, 256);
	rows[nrows].name = "invalid UTF-8 at byte 1024";
	add_repeat(&rows[nrows], "correct horse ", SESAME_MAX_PASSWORD);
	rows[nrows].pw[0][SESAME_MAX_PASSWORD - 1] = '\xc3';
	nrows++;
	rows[nrows].name = "1025 bytes (input_too_large)";
	add_repeat(&rows[nrows++], "correct horse ", SESAME_MAX_PASSWORD + 1);
	rows[nrows].name = "adversarial: 100 random digits";
	for (unsigned s = 1; s <= 8; s++)
		add_random(&rows[nrows], "0123456789", 100, s);
	nrows++;
	rows[nrows].name = "adversarial: 100 random of \"a4@\"";
	for (unsigned s = 1; s <= 8; s++)
		add_random(&rows[nrows], "a4@", 100, s);
	nrows++;
	rows[nrows].name = "adversarial: 256 random of \"0123\"";
	for (unsigned s = 1; s <= 8; s++)
		add_random(&rows[nrows], "0123", 256, s);
	nrows++;

	printf("%-44s %3s %5s %8s %7s %7s %7s %7s %7s\n", "inputs", "n", "acc", "checks/s",
	       "p50 us", "p99 us", "max us", "cpu p50", "cpu p99");
	for (size_t i = 0; i < nrows; i++)
		run(p, &rows[i], iters);
	for (size_t i = 0; i < nrows; i++)
		for (size_t k = 0; k < rows[i].n; k++)
			free(rows[i].pw[k]);
	password_policy_free(&p);
	return 0;
}
