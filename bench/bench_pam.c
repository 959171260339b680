/* In-process PAM benchmark: one PAM handle, pam_authenticate in a loop, the
 * module's own cost (pam_start/pam_end excluded). Success path: each call
 * is a different user (PAM_USER changed in the handle) answering the
 * current code, since a code is accepted once. Failure path: the users in
 * turn, each with a wrong code. Users and codes come from a file "NAME HEXSEED" per line.
 * Usage: bench_pam SERVICE USERFILE success|failure COUNT */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "totp.h"

static const char *answer;

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(answer);
	*resp = r;
	return PAM_SUCCESS;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct pam_conv c = {conv, NULL};
	pam_handle_t *h = NULL;
	bench_user_t *users;
	size_t n;
	char(*codes)[16];
	double *lat;
	int success, count, rv, errors = 0;

	if (argc != 5 || totp_init() != 0 || bench_load_users(argv[2], &users, &n) != 0 || n == 0) {
		fprintf(stderr, "usage: bench_pam SERVICE USERFILE success|failure COUNT\n");
		return 2;
	}
	success = strcmp(argv[3], "success") == 0;
	count = atoi(argv[4]);
	if (success && (size_t)count > n)
		count = (int)n;
	codes = calloc((size_t)count, sizeof(*codes));
	lat = calloc((size_t)count, sizeof(*lat));
	for (int i = 0; i < count; i++) {
		if (success)
			bench_code(&users[i], time(NULL), codes[i]);
		else
			snprintf(codes[i], sizeof(codes[i]), "%s", "000000x"); /* never valid */
	}
	if (pam_start(argv[1], users[0].name, &c, &h) != PAM_SUCCESS)
		return 2;
	/* warm-up (connection, module load) with a wrong code of user 0 */
	answer = "000000x";
	pam_authenticate(h, 0);
	double t0 = bench_now();
	for (int i = 0; i < count; i++) {
		double s = bench_now();
		pam_set_item(h, PAM_USER, users[(size_t)i % n].name);
		answer = codes[i];
		rv = pam_authenticate(h, 0);
		lat[i] = bench_now() - s;
		if ((rv == PAM_SUCCESS) != success)
			errors++;
	}
	double total = bench_now() - t0;
	pam_end(h, PAM_SUCCESS);
	qsort(lat, (size_t)count, sizeof(*lat), cmp_double);
	printf("%s %s calls=%d unexpected=%d mean_us=%.1f median_us=%.1f p99_us=%.1f\n", argv[1],
	       argv[3], count, errors, total / count * 1e6, lat[count / 2] * 1e6,
	       lat[(size_t)(count * 0.99)] * 1e6);
	return errors ? 1 : 0;
}
