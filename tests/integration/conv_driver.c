/* A PAM application with hostile conversation functions, for checking that
 * pam_sesame.so never crashes and fails closed: prints "rv=N" for each of
 * COUNT pam_authenticate calls in one handle.
 * Usage: conv_driver SERVICE USER MODE [COUNT]
 * MODE: answer:TEXT, converr, nullarray, nullresp, big (10 MB), nullfn */
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG_ANSWER (10u << 20)

static const char *mode;

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r;

	(void)data;
	for (int i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_ERROR_MSG || msg[i]->msg_style == PAM_TEXT_INFO)
			printf("%s: %s\n", msg[i]->msg_style == PAM_ERROR_MSG ? "error" : "info",
			       msg[i]->msg);
	if (strcmp(mode, "converr") == 0)
		return PAM_CONV_ERR;
	if (strcmp(mode, "nullarray") == 0) {
		*resp = NULL;
		return PAM_SUCCESS;
	}
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		if (strcmp(mode, "nullresp") == 0) {
			r[i].resp = NULL;
		} else if (strcmp(mode, "big") == 0) {
			if ((r[i].resp = malloc(BIG_ANSWER)) != NULL) {
				memset(r[i].resp, '7', BIG_ANSWER - 1);
				r[i].resp[BIG_ANSWER - 1] = '\0';
			}
		} else if (strncmp(mode, "answer:", 7) == 0) {
			r[i].resp = strdup(mode + 7);
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

int main(int argc, char **argv)
{
	struct pam_conv c = {conv, NULL};
	struct pam_conv nullfn = {NULL, NULL};
	pam_handle_t *h = NULL;
	int count, rv;

	if (argc < 4) {
		fprintf(stderr, "usage: conv_driver SERVICE USER MODE [COUNT]\n");
		return 2;
	}
	mode = argv[3];
	count = argc > 4 ? atoi(argv[4]) : 1;
	if ((rv = pam_start(argv[1], argv[2], &c, &h)) != PAM_SUCCESS) {
		fprintf(stderr, "pam_start: %d\n", rv);
		return 2;
	}
	if (strcmp(mode, "nullfn") == 0 && pam_set_item(h, PAM_CONV, &nullfn) != PAM_SUCCESS)
		printf("info: libpam refused a NULL conversation function\n");
	for (int i = 0; i < count; i++) {
		rv = pam_authenticate(h, 0);
		printf("rv=%d\n", rv);
	}
	pam_end(h, rv);
	return 0;
}
