/* TOTP verifications per second through sesame-authd with concurrent
 * clients, each verification a whole PAM conversation (pam/start then
 * pam/continue) that succeeds and is durably recorded (replay state), and
 * the latency of one verification (p50, p99, max: from the client's send
 * of pam/start to its receipt of the pam/continue answer).
 *   bench_totp_rate enroll SOCKET PREFIX N USERFILE [THREADS]
 *     (USERFILE: the users enrolled; a failed one is tried 5 times)
 *   bench_totp_rate run SOCKET[,SOCKET...] USERFILE THREADS [WARMUP]
 * run: each user of USERFILE succeeds twice (the current time step, then
 * the next one: a code is accepted once); the clients are spread over the
 * sockets in turn (several daemons on one shared database); the first
 * WARMUP verifications (default 0) are left out of the percentiles (the
 * daemon's first statements on a connection are prepared then).
 * USERFILE lines: "NAME HEXSEED" (also read by bench_pam). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "totp.h"

#define MAX_SOCKETS 8

static const char *sock;
static const char *socks[MAX_SOCKETS];
static int n_socks;
static double *lat; /* seconds, by verification number */
static bench_user_t *users;
static size_t n_users;
static atomic_size_t next_user;
static atomic_long ok_count, bad_count, retry_count;
static const char *prefix;

static void *enroll_worker(void *arg)
{
	sesame_client_t *c = NULL;
	char name[64];
	size_t i;

	(void)arg;
	if (sesame_client_new(sock, 30000, &c) != 0)
		return NULL;
	while ((i = atomic_fetch_add(&next_user, 1)) < n_users) {
		snprintf(name, sizeof(name), "%s%zu", prefix, i);
		/* a 503 (PostgreSQL's serialization failures, given up after
		 * the daemon's own tries) is tried again, as a client would */
		int tries = 0;
		while (bench_enroll(c, name, &users[i]) != 0 && ++tries < 5)
			atomic_fetch_add(&retry_count, 1);
		if (tries == 5)
			atomic_fetch_add(&bad_count, 1);
	}
	sesame_client_free(&c);
	return NULL;
}

static int verify(sesame_client_t *c, const bench_user_t *u, time_t t)
{
	json_t *req, *reply = NULL;
	char code[16];
	long status = 0;
	int ok = -1;

	req = json_pack("{s:s, s:s}", "user", u->name, "service", "bench");
	if (sesame_client_call(c, "/v1/pam/start", req, &status, &reply) != 0 || status != 200)
		goto out;
	json_t *txn = json_incref(json_object_get(reply, "txn"));
	json_decref(req);
	json_decref(reply);
	reply = NULL;
	bench_code(u, t, code);
	req = json_pack("{s:o, s:s}", "txn", txn, "answer", code);
	if (sesame_client_call(c, "/v1/pam/continue", req, &status, &reply) != 0 || status != 200)
		goto out;
	const char *result = json_string_value(json_object_get(reply, "result"));
	ok = result && strcmp(result, "success") == 0 ? 0 : -1;
out:
	if (ok != 0 && atomic_load(&bad_count) < 5) {
		char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
		fprintf(stderr, "verification of %s failed: HTTP %ld %s\n", u->name, status,
			text ? text : "(no reply)");
		free(text);
	}
	json_decref(req);
	json_decref(reply);
	return ok;
}

typedef struct {
	const char *sock;
	time_t now;
} run_arg_t;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of the n sorted values v, microseconds. */
static double quantile_us(const double *v, size_t n, double q)
{
	size_t k = (size_t)(q * (double)n + 0.999999);

	if (n == 0)
		return 0;
	return 1e6 * v[k == 0 ? 0 : (k > n ? n - 1 : k - 1)];
}

static void *run_worker(void *arg)
{
	const run_arg_t *a = arg;
	sesame_client_t *c = NULL;
	size_t i;

	if (sesame_client_new(a->sock, 30000, &c) != 0) {
		fprintf(stderr, "cannot connect to %s\n", a->sock);
		return NULL;
	}
	while ((i = atomic_fetch_add(&next_user, 1)) < 2 * n_users) {
		/* each user succeeds twice: the current step, then the next one */
		const bench_user_t *u = &users[i % n_users];
		double t0 = bench_now();
		int r = verify(c, u, a->now + (i >= n_users ? 30 : 0));
		lat[i] = bench_now() - t0;
		if (r == 0)
			atomic_fetch_add(&ok_count, 1);
		else
			atomic_fetch_add(&bad_count, 1);
	}
	sesame_client_free(&c);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[256];
	int threads;

	totp_init();
	if (argc >= 6 && strcmp(argv[1], "enroll") == 0) {
		sock = argv[2];
		prefix = argv[3];
		n_users = (size_t)atol(argv[4]);
		threads = argc > 6 ? atoi(argv[6]) : 16;
		users = calloc(n_users, sizeof(*users));
		double t0 = bench_now();
		for (int i = 0; i < threads; i++)
			pthread_create(&th[i], NULL, enroll_worker, NULL);
		for (int i = 0; i < threads; i++)
			pthread_join(th[i], NULL);
		FILE *f = fopen(argv[5], "w");
		for (size_t i = 0; i < n_users; i++) {
			if (users[i].seedlen == 0)
				continue; /* not enrolled */
			fprintf(f, "%s ", users[i].name);
			for (size_t k = 0; k < users[i].seedlen; k++)
				fprintf(f, "%02x", users[i].seed[k]);
			fputc('\n', f);
		}
		fclose(f);
		printf("enrolled=%zu failed=%ld tried_again=%ld seconds=%.2f\n", n_users,
		       (long)bad_count, (long)retry_count, bench_now() - t0);
		return bad_count ? 1 : 0;
	}
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "run") == 0) {
		static char list[4096];
		static run_arg_t args[256];
		size_t warmup = argc == 6 ? (size_t)atol(argv[5]) : 0;

		snprintf(list, sizeof(list), "%s", argv[2]);
		for (char *save = NULL, *p = strtok_r(list, ",", &save);
		     p != NULL && n_socks < MAX_SOCKETS; p = strtok_r(NULL, ",", &save))
			socks[n_socks++] = p;
		threads = atoi(argv[4]);
		if (n_socks == 0 || bench_load_users(argv[3], &users, &n_users) != 0 ||
		    n_users == 0 || threads < 1 || threads > 256 || warmup >= 2 * n_users)
			return 2;
		if ((lat = calloc(2 * n_users, sizeof(*lat))) == NULL)
			return 2;
		time_t now = time(NULL);
		double t0 = bench_now();
		for (int i = 0; i < threads; i++) {
			args[i] = (run_arg_t){socks[i % n_socks], now};
			pthread_create(&th[i], NULL, run_worker, &args[i]);
		}
		for (int i = 0; i < threads; i++)
			pthread_join(th[i], NULL);
		double dt = bench_now() - t0;
		size_t n = 2 * n_users - warmup;
		qsort(lat + warmup, n, sizeof(*lat), cmp_double);
		printf("threads=%d daemons=%d verifications=%ld failed=%ld seconds=%.2f "
		       "per_second=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f\n",
		       threads, n_socks, (long)ok_count, (long)bad_count, dt, (double)ok_count / dt,
		       quantile_us(lat + warmup, n, 0.50), quantile_us(lat + warmup, n, 0.99),
		       quantile_us(lat + warmup, n, 1.0));
		return bad_count || ok_count == 0 ? 1 : 0;
	}
	fprintf(stderr,
		"usage: bench_totp_rate enroll SOCKET PREFIX N USERFILE [THREADS]\n"
		"       bench_totp_rate run SOCKET[,SOCKET...] USERFILE THREADS [WARMUP]\n");
	return 2;
}
