/* Enrollment through the API and local code computation for benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench_util.h"
#include "sesame/base32.h"
#include "totp.h"

static const totp_params_t sha1_6 = {TOTP_ALG_SHA1, 6, 30};

double bench_cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void bench_code(const bench_user_t *u, time_t t, char out[16])
{
	totp_generate(u->seed, u->seedlen, &sha1_6, t, out, 16);
}

int bench_enroll(sesame_client_t *c, const char *name, bench_user_t *u)
{
	json_t *req = NULL, *reply = NULL;
	const char *uri, *s;
	char secret[160], code[16];
	size_t n = 0;
	long status = 0;
	int ok = -1;

	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	req = json_pack("{s:s, s:s, s:i}", "user", name, "algorithm", "SHA1", "digits", 6);
	if (sesame_client_call(c, "/v1/totp/enroll", req, &status, &reply) != 0 || status != 200)
		goto fail;
	uri = json_string_value(json_object_get(reply, "otpauth_uri"));
	if (uri == NULL || (s = strstr(uri, "secret=")) == NULL)
		goto fail;
	s += 7;
	n = strcspn(s, "&");
	if (n >= sizeof(secret))
		goto fail;
	memcpy(secret, s, n);
	secret[n] = '\0';
	if (base32_decode(secret, n, u->seed, sizeof(u->seed), &u->seedlen) != 0)
		goto fail;
	json_decref(req);
	json_decref(reply);
	reply = NULL;
	bench_code(u, time(NULL) - 30, code);
	req = json_pack("{s:s, s:s}", "user", name, "code", code);
	if (sesame_client_call(c, "/v1/totp/confirm", req, &status, &reply) != 0 || status != 200)
		goto fail;
	ok = 0;
fail:
	if (ok != 0)
		fprintf(stderr, "enroll %s failed (HTTP %ld)\n", name, status);
	json_decref(req);
	json_decref(reply);
	return ok;
}

int bench_load_users(const char *path, bench_user_t **users, size_t *n)
{
	FILE *f = fopen(path, "r");
	char name[64], hex[130];
	size_t cap = 0;

	*users = NULL;
	*n = 0;
	if (f == NULL)
		return -1;
	while (fscanf(f, "%63s %129s", name, hex) == 2) {
		if (*n == cap) {
			bench_user_t *grown;
			cap = cap ? cap * 2 : 1024;
			if ((grown = realloc(*users, cap * sizeof(**users))) == NULL) {
				fclose(f);
				return -1;
			}
			*users = grown;
		}
		bench_user_t *u = &(*users)[(*n)++];
		memset(u, 0, sizeof(*u));
		snprintf(u->name, sizeof(u->name), "%s", name);
		u->seedlen = strlen(hex) / 2;
		for (size_t i = 0; i < u->seedlen; i++)
			sscanf(hex + 2 * i, "%2hhx", &u->seed[i]);
	}
	fclose(f);
	return 0;
}
