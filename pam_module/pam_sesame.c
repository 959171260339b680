/* pam_sesame.so entry points: parse the options, collect and check the PAM
 * items (the user by its canonical name), hand over to the daemon exchange
 * and return its PAM code. The module holds no secret and decides nothing
 * (pam_sesame(8)). */
#include <errno.h>
#include <pwd.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pam_sesame.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/username.h"

/* The build hides every symbol; only these four are the module's API. */
#define PAM_SESAME_EXPORT __attribute__((visibility("default")))

/* A user name as given (PAM_USER) before NSS maps it to its canonical form:
 * LOGIN_NAME_MAX on Linux, room for "DOMAIN\user" and "user@realm". */
#define PAM_SESAME_MAX_GIVEN_USER 256
/* getpwnam_r's buffer: grown from MIN while NSS says ERANGE, up to MAX. */
#define PAM_SESAME_PWBUF_MIN 4096
#define PAM_SESAME_PWBUF_MAX (1024 * 1024)

/* s is 1..max bytes of printable ASCII: what a service name, a remote host
 * or a tty looks like, and safe to put in JSON and in syslog. */
static int pam_sesame_printable(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* An optional string item: NULL when unset or empty, -1 when malformed. */
static int pam_sesame_item_opt(pam_handle_t *pamh, int type, const char *name, size_t max,
			       const char **out)
{
	const void *item = NULL;

	*out = NULL;
	if (pam_get_item(pamh, type, &item) != PAM_SUCCESS || item == NULL ||
	    ((const char *)item)[0] == '\0')
		return 0;
	if (!pam_sesame_printable(item, max)) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR,
			   "%s is longer than %zu bytes or not printable ASCII", name, max);
		return -1;
	}
	*out = item;
	return 0;
}

/* The name the daemon knows the user by: NSS's pw_name for user, so that
 * "ALICE" is sent as "alice" where NSS treats both as one account (SSSD,
 * winbind, LDAP with case-insensitive names), and one account never has
 * two records, two sets of factors or two failure counters in the daemon.
 * A name NSS does not know is sent as given: the daemon decides. */
static int pam_sesame_canonical(pam_handle_t *pamh, const pam_sesame_opts_t *opts, const char *user,
				char *out, size_t outsz)
{
	struct passwd pw;
	struct passwd *found = NULL;
	char *buf = NULL;
	size_t bufsz = PAM_SESAME_PWBUF_MIN;
	const char *name = user;
	int e;
	int rv = PAM_BUF_ERR;

	for (;;) {
		char *nbuf = realloc(buf, bufsz);
		if (nbuf == NULL)
			goto fail;
		buf = nbuf;
		e = getpwnam_r(user, &pw, buf, bufsz, &found);
		if (e != ERANGE || bufsz >= PAM_SESAME_PWBUF_MAX)
			break;
		bufsz *= 2;
	}
	/* "not found" has several spellings (getpwnam_r(3)) */
	if (e != 0 && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM) {
		/* the canonical name is unknown: do not guess it */
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "cannot look up the user: %s",
			   strerror(e));
		rv = PAM_AUTHINFO_UNAVAIL;
		goto fail;
	}
	if (e == 0 && found != NULL && found->pw_name != NULL)
		name = found->pw_name;
	/* the daemon would refuse it; say nothing of it to the log either */
	if (username_validate(name, strlen(name)) != SESAME_OK) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE, "invalid user name");
		rv = PAM_USER_UNKNOWN;
		goto fail;
	}
	if (opts->debug && strcmp(name, user) != 0)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG, "user %s is %s in the passwd database",
			   user, name);
	snprintf(out, outsz, "%s", name); /* validated: at most SESAME_MAX_USERNAME bytes */
	rv = PAM_SUCCESS;
fail:
	if (buf != NULL) {
		explicit_bzero(buf, bufsz);
		free(buf);
	}
	return rv;
}

static int pam_sesame_items_get(pam_handle_t *pamh, const pam_sesame_opts_t *opts,
				pam_sesame_items_t *items)
{
	const char *user = NULL;
	int rv;

	rv = pam_get_user(pamh, &user, NULL);
	if (rv != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "cannot get the user name: %s",
			   pam_strerror(pamh, rv));
		return rv == PAM_CONV_AGAIN ? PAM_INCOMPLETE : rv;
	}
	/* only a printable, bounded name goes to NSS */
	if (user == NULL || !pam_sesame_printable(user, PAM_SESAME_MAX_GIVEN_USER)) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE, "invalid user name");
		return PAM_USER_UNKNOWN;
	}
	rv = pam_sesame_canonical(pamh, opts, user, items->user_buf, sizeof(items->user_buf));
	if (rv != PAM_SUCCESS)
		return rv;
	items->user = items->user_buf;
	if (pam_sesame_item_opt(pamh, PAM_SERVICE, "PAM_SERVICE", SESAME_MAX_SERVICE,
				&items->service) != 0 ||
	    pam_sesame_item_opt(pamh, PAM_RHOST, "PAM_RHOST", SESAME_MAX_RHOST, &items->rhost) !=
		0 ||
	    pam_sesame_item_opt(pamh, PAM_TTY, "PAM_TTY", SESAME_MAX_TTY, &items->tty) != 0)
		return PAM_AUTHINFO_UNAVAIL;
	if (items->service == NULL) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "no PAM_SERVICE");
		return PAM_AUTHINFO_UNAVAIL;
	}
	return PAM_SUCCESS;
}

/* Options and items for both entry points; tells the user when the
 * service is unavailable. */
static int pam_sesame_prepare(pam_handle_t *pamh, int argc, const char **argv,
			      pam_sesame_opts_t *opts, pam_sesame_items_t *items)
{
	int rv;

	rv = pam_sesame_args_parse(pamh, argc, argv, opts);
	if (rv == PAM_SUCCESS)
		rv = pam_sesame_items_get(pamh, opts, items);
	if (rv == PAM_AUTHINFO_UNAVAIL)
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, PAM_SESAME_UNAVAILABLE);
	return rv;
}

/* No pam_fail_delay here: the daemon throttles. */
PAM_SESAME_EXPORT int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc,
					  const char **argv)
{
	pam_sesame_opts_t opts;
	pam_sesame_items_t items = {0};
	int rv;

	rv = pam_sesame_prepare(pamh, argc, argv, &opts, &items);
	if (rv != PAM_SUCCESS)
		return rv;
	return pam_sesame_auth_run(pamh, flags, &opts, &items);
}

PAM_SESAME_EXPORT int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}

PAM_SESAME_EXPORT int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	pam_sesame_opts_t opts;
	pam_sesame_items_t items = {0};
	int rv;

	(void)flags;
	rv = pam_sesame_prepare(pamh, argc, argv, &opts, &items);
	if (rv != PAM_SUCCESS)
		return rv;
	return pam_sesame_account_run(pamh, &opts, &items);
}

/* Password changes: every failure is PAM_AUTHTOK_ERR with one sentence, so
 * that no password is changed unchecked (pam_sesame_chauthtok.c). */
PAM_SESAME_EXPORT int pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	pam_sesame_opts_t opts;
	pam_sesame_items_t items = {0};
	int rv;

	rv = pam_sesame_args_parse(pamh, argc, argv, &opts);
	/* the user and service matter to the check, not to the prelim phase */
	if (rv == PAM_SUCCESS && ((unsigned int)flags & PAM_UPDATE_AUTHTOK) != 0)
		rv = pam_sesame_items_get(pamh, &opts, &items);
	if (rv == PAM_AUTHINFO_UNAVAIL) {
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, PAM_SESAME_PW_UNAVAILABLE);
		return PAM_AUTHTOK_ERR;
	}
	if (rv != PAM_SUCCESS)
		return rv;
	return pam_sesame_chauthtok_run(pamh, flags, &opts, &items);
}
