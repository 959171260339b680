/* pam_chauthtok as a transport (docs/protocol.md, "Password strength"): ask
 * for the new password twice, let sesame-authd's policy judge it (POST
 * /v1/password/check) and hand an accepted one on in PAM_AUTHTOK to the
 * module that stores it (pam_unix use_authtok). The module decides nothing;
 * whenever the daemon gives no clear verdict the password is not changed. */
#include <security/pam_ext.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "pam_sesame.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/utf8.h"

#define CHAUTHTOK_MSG_MAX 640 /* one line shown: "BAD PASSWORD: " + message */

/* What chauthtok_ask got besides a password (PAM codes are >= 0). */
#define CHAUTHTOK_MISMATCH (-1) /* the two entries differ */
#define CHAUTHTOK_ABORT (-2)	/* nothing typed: the user gave up */

/* A password the protocol can carry: at most SESAME_MAX_PASSWORD bytes of
 * UTF-8. */
static int chauthtok_sendable(const char *s)
{
	size_t len = strnlen(s, SESAME_MAX_PASSWORD + 1);

	return len <= SESAME_MAX_PASSWORD && utf8_validate(s, len, NULL);
}

/* The reason codes on one line, for syslog. */
static void chauthtok_reason_codes(const client_password_t *reply, char *buf, size_t bufsz)
{
	size_t len = 0;

	snprintf(buf, bufsz, "-");
	for (size_t i = 0; i < reply->nreasons; i++) {
		const char *code = reply->reasons[i].code;
		int n = snprintf(buf + len, bufsz - len, "%s%s", i ? "," : "",
				 code[0] != '\0' ? code : "?");
		if (n < 0 || (size_t)n >= bufsz - len)
			break;
		len += (size_t)n;
	}
}

/* Tells the user why the password was refused: each reason as an error
 * (as a "BAD PASSWORD" warning when it is not enforced), then the hint. */
static void chauthtok_show_refusal(pam_handle_t *pamh, int flags, const client_password_t *reply,
				   int warn)
{
	char line[CHAUTHTOK_MSG_MAX];

	for (size_t i = 0; i < reply->nreasons; i++) {
		snprintf(line, sizeof(line), "%s%s", warn ? "BAD PASSWORD: " : "",
			 reply->reasons[i].message);
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, line);
	}
	if (reply->nreasons == 0)
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
				     warn ? "BAD PASSWORD: The password was refused."
					  : "The password was refused.");
	if (!warn && ((unsigned int)flags & PAM_SILENT) == 0)
		pam_sesame_conv_show(pamh, PAM_TEXT_INFO, reply->hint);
}

/* One check of password. PAM_SUCCESS with *accepted set (a refusal has
 * been shown; with warn, a policy refusal is shown as a warning and the
 * password accepted), or PAM_AUTHINFO_UNAVAIL. */
static int chauthtok_check(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			   const pam_sesame_items_t *items, sesame_client_t *client,
			   const char *password, const char *old, int warn, int *accepted)
{
	char codes[256];
	client_password_request_t req = {
	    .password = password,
	    .password_len = strlen(password),
	    .user = items->user,
	    .service = items->service,
	};
	client_password_t reply;
	client_error_t error;
	int err;

	*accepted = 0;
	if (!chauthtok_sendable(password)) {
		/* the protocol cannot carry it, so no policy can accept it */
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
				     "The password must be at most 1024 bytes of UTF-8 text.");
		return PAM_SUCCESS;
	}
	if (old != NULL && !chauthtok_sendable(old)) {
		if (opts->debug)
			pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG,
				   "old password not sendable, not compared");
		old = NULL;
	}
	if (old != NULL) {
		req.old_password = old;
		req.old_password_len = strlen(old);
	}
	err = client_password_check(client, &req, &reply, &error);
	if (err != SESAME_OK)
		return pam_sesame_conn_failed(pamh, opts, "/v1/password/check", err, &error);
	*accepted = reply.accepted;
	chauthtok_reason_codes(&reply, codes, sizeof(codes));
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG,
			   "password check user=%s service=%s accepted=%d score=%d reasons=%s",
			   items->user, items->service, *accepted,
			   reply.has_score ? reply.score : -1, codes);
	if (!*accepted) {
		chauthtok_show_refusal(pamh, flags, &reply, warn);
		if (warn) {
			pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE,
				   "refusal not enforced for root: user=%s service=%s reasons=%s",
				   items->user, items->service, codes);
			*accepted = 1;
		}
	}
	return PAM_SUCCESS;
}

/* The new password, typed twice. PAM_SUCCESS with *password (the caller
 * frees it with pam_sesame_conv_free), CHAUTHTOK_MISMATCH, CHAUTHTOK_ABORT
 * (both shown to the user), or PAM_CONV_ERR. */
static int chauthtok_ask(pam_handle_t *pamh, char **password)
{
	char *again = NULL;
	int rv;

	*password = NULL;
	rv = pam_sesame_conv_ask(pamh, PAM_PROMPT_ECHO_OFF, "New password: ", password);
	if (rv != PAM_SUCCESS)
		goto fail;
	if (*password == NULL || (*password)[0] == '\0') {
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, "No password has been supplied.");
		rv = CHAUTHTOK_ABORT;
		goto fail;
	}
	rv = pam_sesame_conv_ask(pamh, PAM_PROMPT_ECHO_OFF, "Retype new password: ", &again);
	if (rv != PAM_SUCCESS)
		goto fail;
	if (again == NULL || strcmp(*password, again) != 0) {
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, "Sorry, passwords do not match.");
		rv = CHAUTHTOK_MISMATCH;
	}
fail:
	if (rv != PAM_SUCCESS)
		pam_sesame_conv_free(password);
	pam_sesame_conv_free(&again);
	return rv;
}

/* PAM_PRELIM_CHECK: is the daemon there? Failing now spares the user the
 * prompts of the other modules (pam_unix asks for the current password). */
static int chauthtok_prelim(pam_handle_t *pamh, const pam_sesame_opts_t *opts)
{
	sesame_client_t *client = NULL;
	client_error_t error;
	int err;
	int rv;

	if ((rv = pam_sesame_conn_get(pamh, opts, &client)) != PAM_SUCCESS)
		return rv;
	err = client_health(client, &error);
	if (err != SESAME_OK)
		return pam_sesame_conn_failed(pamh, opts, "/v1/health", err, &error);
	return PAM_SUCCESS;
}

/* The retry loop of PAM_UPDATE_AUTHTOK. */
static int chauthtok_update(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			    const pam_sesame_items_t *items)
{
	sesame_client_t *client = NULL;
	const void *item = NULL;
	const char *old = NULL;
	char *typed = NULL;
	/* like pam_pwquality: root changing a password is warned, not refused */
	int warn = getuid() == 0 && !opts->enforce_for_root;
	int tries = opts->use_authtok ? 1 : opts->retry;
	int accepted = 0;
	int rv;

	if ((rv = pam_sesame_conn_get(pamh, opts, &client)) != PAM_SUCCESS)
		goto fail;
	/* set by an earlier module's prelim phase (pam_unix), or absent */
	if (pam_get_item(pamh, PAM_OLDAUTHTOK, &item) == PAM_SUCCESS && item != NULL &&
	    ((const char *)item)[0] != '\0')
		old = item;
	for (int i = 0; i < tries && !accepted; i++) {
		const char *password;

		if (opts->use_authtok) {
			item = NULL;
			if (pam_get_item(pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS || item == NULL) {
				pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR,
					   "use_authtok: no PAM_AUTHTOK from an earlier module");
				pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
						     "No password has been supplied.");
				rv = PAM_AUTHTOK_ERR;
				goto fail;
			}
			password = item;
		} else {
			rv = chauthtok_ask(pamh, &typed);
			if (rv == CHAUTHTOK_MISMATCH)
				continue;
			if (rv == CHAUTHTOK_ABORT) {
				rv = PAM_AUTHTOK_ERR;
				goto fail;
			}
			if (rv != PAM_SUCCESS)
				goto fail;
			password = typed;
		}
		rv = chauthtok_check(pamh, flags, opts, items, client, password, old, warn,
				     &accepted);
		if (rv != PAM_SUCCESS)
			goto fail;
		/* libpam copies the item (and wipes the one it replaces) */
		if (accepted && typed != NULL &&
		    (rv = pam_set_item(pamh, PAM_AUTHTOK, typed)) != PAM_SUCCESS)
			goto fail;
		pam_sesame_conv_free(&typed);
	}
	rv = PAM_SUCCESS;
	if (!accepted) {
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
				     tries > 1 ? "Have exhausted maximum number of retries; the "
						 "password was not changed."
					       : "The password was not changed.");
		rv = PAM_AUTHTOK_ERR;
	}
fail:
	pam_sesame_conv_free(&typed);
	return rv;
}

int pam_sesame_chauthtok_run(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			     const pam_sesame_items_t *items)
{
	unsigned int f = (unsigned int)flags;
	int rv;

	if (f & PAM_PRELIM_CHECK)
		rv = chauthtok_prelim(pamh, opts);
	else if (f & PAM_UPDATE_AUTHTOK)
		rv = chauthtok_update(pamh, flags, opts, items);
	else
		return PAM_SERVICE_ERR;
	if (rv == PAM_AUTHINFO_UNAVAIL) {
		/* fail closed, root included: no verdict, no change */
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, PAM_SESAME_PW_UNAVAILABLE);
		rv = PAM_AUTHTOK_ERR;
	}
	return rv;
}
