/* TOTP verifications per second through sesame-authd with concurrent
 * clients, each verification a whole PAM conversation (pam/start then
 * pam/continue) that succeeds and is durably recorded (replay state).
 *   bench_totp_rate enroll SOCKET PREFIX N USERFILE [THREADS]
 *   bench_totp_rate run SOCKET USERFILE THREADS
 * USERFILE lines: "NAME HEXSEED" (also read by bench_pam). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "totp.h"

static const char *sock;
static bench_user_t *users;
static size_t n_users;
static atomic_size_t next_user;
static atomic_long ok_count, bad_count;
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
		if (bench_enroll(c, name, &users[i]) != 0)
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

static void *run_worker(void *arg)
{
	sesame_client_t *c = NULL;
	size_t i;
	time_t now = *(time_t *)arg;

	if (sesame_client_new(sock, 30000, &c) != 0)
		return NULL;
	while ((i = atomic_fetch_add(&next_user, 1)) < 2 * n_users) {
		/* each user succeeds twice: the current step, then the next one */
		const bench_user_t *u = &users[i % n_users];
		if (verify(c, u, now + (i >= n_users ? 30 : 0)) == 0)
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
			fprintf(f, "%s ", users[i].name);
			for (size_t k = 0; k < users[i].seedlen; k++)
				fprintf(f, "%02x", users[i].seed[k]);
			fputc('\n', f);
		}
		fclose(f);
		printf("enrolled=%zu failed=%ld seconds=%.2f\n", n_users, (long)bad_count,
		       bench_now() - t0);
		return bad_count ? 1 : 0;
	}
	if (argc == 5 && strcmp(argv[1], "run") == 0) {
		sock = argv[2];
		threads = atoi(argv[4]);
		if (bench_load_users(argv[3], &users, &n_users) != 0 || threads < 1 ||
		    threads > 256)
			return 2;
		time_t now = time(NULL);
		double t0 = bench_now();
		for (int i = 0; i < threads; i++)
			pthread_create(&th[i], NULL, run_worker, &now);
		for (int i = 0; i < threads; i++)
			pthread_join(th[i], NULL);
		double dt = bench_now() - t0;
		printf("threads=%d verifications=%ld failed=%ld seconds=%.2f per_second=%.0f\n",
		       threads, (long)ok_count, (long)bad_count, dt, (double)ok_count / dt);
		return bad_count ? 1 : 0;
	}
	fprintf(stderr, "usage: bench_totp_rate enroll SOCKET PREFIX N USERFILE [THREADS]\n"
			"       bench_totp_rate run SOCKET USERFILE THREADS\n");
	return 2;
}
