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
#include "sesame/limits.h"
#include "sesame/utf8.h"

#define CHAUTHTOK_MAX_REASONS 32 /* reasons shown from one reply */
#define CHAUTHTOK_MSG_MAX 640	 /* one line shown: "BAD PASSWORD: " + message */

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

static int chauthtok_protocol_error(pam_handle_t *pamh, const char *what)
{
	pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "protocol error: %s", what);
	return PAM_AUTHINFO_UNAVAIL;
}

/* Wipes the passwords a request carries (jansson frees its strings without
 * wiping them), then frees it. */
static void chauthtok_request_free(json_t **request)
{
	static const char *const keys[] = {"password", "old_password"};

	if (*request == NULL)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *s = json_object_get(*request, keys[i]);
		if (json_is_string(s))
			explicit_bzero((char *)json_string_value(s), json_string_length(s));
	}
	json_decref(*request);
	*request = NULL;
}

/* Adds key: s to req; a copy that is wiped when it cannot be added. */
static int chauthtok_set_secret(json_t *req, const char *key, const char *s)
{
	json_t *v = json_stringn(s, strlen(s));

	if (v == NULL)
		return -1;
	if (json_object_set(req, key, v) != 0) {
		explicit_bzero((char *)json_string_value(v), json_string_length(v));
		json_decref(v);
		return -1;
	}
	json_decref(v); /* req holds it, and the request free wipes it */
	return 0;
}

/* {password, user, service, old_password?}; both passwords are sendable
 * (old may be NULL). */
static int chauthtok_request(const pam_sesame_items_t *items, const char *password, const char *old,
			     json_t **out)
{
	json_t *req = NULL;
	int rv = PAM_BUF_ERR;

	*out = NULL;
	req = json_pack("{s:s, s:s}", "user", items->user, "service", items->service);
	if (req == NULL || chauthtok_set_secret(req, "password", password) != 0)
		goto fail;
	if (old != NULL && chauthtok_set_secret(req, "old_password", old) != 0)
		goto fail;
	*out = req;
	req = NULL;
	rv = PAM_SUCCESS;
fail:
	chauthtok_request_free(&req);
	return rv;
}

/* The reply's shape, checked in full before anything is shown: accepted
 * (boolean), reasons (array of {code?, message}), hint and score. */
static int chauthtok_reply_check(pam_handle_t *pamh, const json_t *reply)
{
	const json_t *reasons = json_object_get(reply, "reasons");
	const json_t *hint = json_object_get(reply, "hint");
	const json_t *score = json_object_get(reply, "score");
	const json_t *r;
	size_t i;

	if (!json_is_boolean(json_object_get(reply, "accepted")))
		return chauthtok_protocol_error(pamh, "password check without boolean accepted");
	if ((reasons != NULL && !json_is_array(reasons)) ||
	    (hint != NULL && !json_is_string(hint) && !json_is_null(hint)) ||
	    (score != NULL && !json_is_integer(score)))
		return chauthtok_protocol_error(pamh, "password check with ill-typed fields");
	json_array_foreach(reasons, i, r)
	{
		const json_t *code = json_object_get(r, "code");
		if (!json_is_object(r) || !json_is_string(json_object_get(r, "message")) ||
		    (code != NULL && !json_is_string(code)))
			return chauthtok_protocol_error(pamh, "password check with a bad reason");
	}
	return PAM_SUCCESS;
}

/* The reason codes on one line, for syslog. */
static void chauthtok_reason_codes(const json_t *reply, char *buf, size_t bufsz)
{
	const json_t *r;
	size_t i, len = 0;

	snprintf(buf, bufsz, "-");
	json_array_foreach(json_object_get(reply, "reasons"), i, r)
	{
		const char *code = json_string_value(json_object_get(r, "code"));
		int n = snprintf(buf + len, bufsz - len, "%s%.32s", i ? "," : "",
				 code != NULL ? code : "?");
		if (n < 0 || (size_t)n >= bufsz - len)
			break;
		len += (size_t)n;
	}
}

/* Tells the user why the password was refused: each reason as an error
 * (as a "BAD PASSWORD" warning when it is not enforced), then the hint. */
static void chauthtok_show_refusal(pam_handle_t *pamh, int flags, const json_t *reply, int warn)
{
	char line[CHAUTHTOK_MSG_MAX];
	const json_t *reasons = json_object_get(reply, "reasons");
	const char *hint = json_string_value(json_object_get(reply, "hint"));
	const json_t *r;
	size_t i;

	json_array_foreach(reasons, i, r)
	{
		if (i == CHAUTHTOK_MAX_REASONS)
			break;
		snprintf(line, sizeof(line), "%s%s", warn ? "BAD PASSWORD: " : "",
			 json_string_value(json_object_get(r, "message")));
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, line);
	}
	if (json_array_size(reasons) == 0)
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
				     warn ? "BAD PASSWORD: The password was refused."
					  : "The password was refused.");
	if (!warn && ((unsigned int)flags & PAM_SILENT) == 0 && hint != NULL)
		pam_sesame_conv_show(pamh, PAM_TEXT_INFO, hint);
}

/* One check of password. PAM_SUCCESS with *accepted set (a refusal has
 * been shown; with warn, a policy refusal is shown as a warning and the
 * password accepted), or PAM_AUTHINFO_UNAVAIL / PAM_BUF_ERR. */
static int chauthtok_check(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			   const pam_sesame_items_t *items, sesame_client_t *client,
			   const char *password, const char *old, int warn, int *accepted)
{
	char codes[256];
	json_t *request = NULL;
	json_t *reply = NULL;
	int rv;

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
	if ((rv = chauthtok_request(items, password, old, &request)) != PAM_SUCCESS)
		goto fail;
	rv = pam_sesame_conn_call(pamh, opts, client, "/v1/password/check", request, &reply);
	chauthtok_request_free(&request);
	if (rv != PAM_SUCCESS || (rv = chauthtok_reply_check(pamh, reply)) != PAM_SUCCESS)
		goto fail;
	*accepted = json_is_true(json_object_get(reply, "accepted"));
	chauthtok_reason_codes(reply, codes, sizeof(codes));
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG,
			   "password check user=%s service=%s accepted=%d score=%d reasons=%s",
			   items->user, items->service, *accepted,
			   (int)json_integer_value(json_object_get(reply, "score")), codes);
	if (!*accepted) {
		chauthtok_show_refusal(pamh, flags, reply, warn);
		if (warn) {
			pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE,
				   "refusal not enforced for root: user=%s service=%s reasons=%s",
				   items->user, items->service, codes);
			*accepted = 1;
		}
	}
fail:
	chauthtok_request_free(&request);
	json_decref(reply);
	return rv;
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
	json_t *reply = NULL;
	const char *status;
	int rv;

	if ((rv = pam_sesame_conn_get(pamh, opts, &client)) != PAM_SUCCESS)
		return rv;
	if ((rv = pam_sesame_conn_call(pamh, opts, client, "/v1/health", NULL, &reply)) !=
	    PAM_SUCCESS)
		return rv;
	status = json_string_value(json_object_get(reply, "status"));
	if (status == NULL || strcmp(status, "ok") != 0)
		rv = chauthtok_protocol_error(pamh, "health status is not ok");
	json_decref(reply);
	return rv;
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
