/* Module options (pam_sesame(8)): argv into a pam_sesame_opts_t. Any unknown
 * or malformed option fails closed, so a typo in /etc/pam.d never silently
 * weakens a stack. */
#include <errno.h>
#include <limits.h>
#include <security/pam_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <syslog.h>

#include "pam_sesame.h"
#include "sesame/paths.h"

#define ARGS_SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* A decimal integer in [min, max]: digits only, no sign, no blanks. */
static int args_parse_int(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "key=value" with a given key: the value, or NULL. */
static const char *args_value(const char *arg, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(arg, key, n) != 0 || arg[n] != '=')
		return NULL;
	return arg + n + 1;
}

int pam_sesame_args_parse(pam_handle_t *pamh, int argc, const char **argv, pam_sesame_opts_t *opts)
{
	const char *v;
	long n;

	opts->socket = SESAME_DEFAULT_SOCKET;
	opts->timeout_ms = SESAME_DEFAULT_TIMEOUT_MS;
	opts->retry = PAM_SESAME_RETRY_DEFAULT;
	opts->nullok = false;
	opts->otp_suffix = false;
	opts->debug = false;
	opts->enforce_for_root = false;
	opts->use_authtok = false;

	if (argc < 0 || (argc > 0 && argv == NULL)) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "invalid module arguments");
		return PAM_AUTHINFO_UNAVAIL;
	}
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (a == NULL) {
			pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "invalid module arguments");
			return PAM_AUTHINFO_UNAVAIL;
		}
		if (strcmp(a, "nullok") == 0) {
			opts->nullok = true;
		} else if (strcmp(a, "otp_suffix") == 0) {
			opts->otp_suffix = true;
		} else if (strcmp(a, "debug") == 0) {
			opts->debug = true;
		} else if (strcmp(a, "enforce_for_root") == 0) {
			opts->enforce_for_root = true;
		} else if (strcmp(a, "use_authtok") == 0) {
			opts->use_authtok = true;
		} else if ((v = args_value(a, "socket")) != NULL) {
			/* the path must fit sun_path with its NUL */
			if (v[0] != '/' || strlen(v) >= ARGS_SUN_PATH_MAX) {
				pam_syslog(
				    pamh, LOG_AUTHPRIV | LOG_ERR,
				    "socket= must be an absolute path shorter than %zu bytes",
				    ARGS_SUN_PATH_MAX);
				return PAM_AUTHINFO_UNAVAIL;
			}
			opts->socket = v;
		} else if ((v = args_value(a, "timeout")) != NULL) {
			if (args_parse_int(v, PAM_SESAME_TIMEOUT_MIN, PAM_SESAME_TIMEOUT_MAX, &n) !=
			    0) {
				pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR,
					   "timeout= must be %d..%d seconds",
					   PAM_SESAME_TIMEOUT_MIN, PAM_SESAME_TIMEOUT_MAX);
				return PAM_AUTHINFO_UNAVAIL;
			}
			opts->timeout_ms = n * 1000;
		} else if ((v = args_value(a, "retry")) != NULL) {
			if (args_parse_int(v, PAM_SESAME_RETRY_MIN, PAM_SESAME_RETRY_MAX, &n) !=
			    0) {
				pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "retry= must be %d..%d",
					   PAM_SESAME_RETRY_MIN, PAM_SESAME_RETRY_MAX);
				return PAM_AUTHINFO_UNAVAIL;
			}
			opts->retry = (int)n;
		} else {
			/* bounded: the option text comes from the admin's file */
			pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "unknown option \"%.64s\"", a);
			return PAM_AUTHINFO_UNAVAIL;
		}
	}
	return PAM_SUCCESS;
}
