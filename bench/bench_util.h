/* Shared by the benchmarks: enroll users through the daemon's API and
 * compute their codes locally (liboath, as an authenticator app would). */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stddef.h>
#include <time.h>

#include "sesame/client.h"

typedef struct {
	char name[64];
	unsigned char seed[64];
	size_t seedlen;
} bench_user_t;

/* Enrolls and confirms (with the code of the previous step) user `name`;
 * fills u. Returns 0 on success. */
int bench_enroll(sesame_client_t *c, const char *name, bench_user_t *u);

/* The 6-digit SHA-1 code of u at time t. */
void bench_code(const bench_user_t *u, time_t t, char out[16]);

double bench_now(void);		/* monotonic seconds */
double bench_cpu_seconds(void); /* this process's CPU time (user + system), seconds */

/* Reads a user file ("NAME HEXSEED" lines) into a malloc'd array. */
int bench_load_users(const char *path, bench_user_t **users, size_t *n);

#endif
