/* The floor of a password sign-in (bench/run_web.sh): Argon2id password
 * verifications per second through the daemon's own userpw_verify
 * (authd/userpw.c: libargon2, m = 64 MiB, t = 3, p = 1, at most
 * USERPW_MAX_CONCURRENT at a time), THREADS threads in a loop for SECONDS.
 * A sign-in does exactly one of these, so sign-ins/s over this rate is
 * what the rest of a sign-in costs.
 *   bench_argon2 THREADS SECONDS */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "sesame/error.h"
#include "userpw.h"

#define ARGON2_PASSWORD "violet-tractor-quantum-harbor-97"
#define ARGON2_MAX_THREADS 256

static char argon2_hash[USERPW_ENCODED_MAX];
static double argon2_deadline;
static atomic_long argon2_done, argon2_failed;

static void *worker(void *arg)
{
	int rehash = 0;

	(void)arg;
	while (bench_now() < argon2_deadline) {
		if (userpw_verify(argon2_hash, ARGON2_PASSWORD, strlen(ARGON2_PASSWORD), &rehash) ==
		    SESAME_OK)
			atomic_fetch_add(&argon2_done, 1);
		else
			atomic_fetch_add(&argon2_failed, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[ARGON2_MAX_THREADS];
	int threads, started = 0;
	double seconds, t0, c0, dt;

	if (argc != 3 || (threads = atoi(argv[1])) < 1 || threads > ARGON2_MAX_THREADS ||
	    (seconds = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: bench_argon2 THREADS SECONDS\n");
		return 2;
	}
	if (userpw_hash(ARGON2_PASSWORD, strlen(ARGON2_PASSWORD), argon2_hash,
			sizeof(argon2_hash)) != SESAME_OK) {
		fprintf(stderr, "bench_argon2: userpw_hash failed\n");
		return 1;
	}
	t0 = bench_now();
	c0 = bench_cpu_seconds();
	argon2_deadline = t0 + seconds;
	for (; started < threads; started++)
		if (pthread_create(&th[started], NULL, worker, NULL) != 0)
			break;
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	dt = bench_now() - t0;
	printf("threads=%d slots=%d verifications=%ld failed=%ld seconds=%.2f per_second=%.2f "
	       "cpu_ms_each=%.1f\n",
	       started, USERPW_MAX_CONCURRENT, (long)argon2_done, (long)argon2_failed, dt,
	       (double)argon2_done / dt,
	       argon2_done ? 1000.0 * (bench_cpu_seconds() - c0) / (double)argon2_done : 0.0);
	return argon2_failed || started != threads ? 1 : 0;
}
