/* pam_authenticate as a transport (docs/protocol.md, "PAM: the step
 * protocol"): POST /v1/pam/start, perform each step the daemon sends, POST
 * /v1/pam/continue with the answer, until a verdict. The module decides
 * nothing; any step it cannot read exactly fails closed. */
#include <security/pam_ext.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pam_sesame.h"
#include "sesame/limits.h"

/* Returned by the step handlers when the daemon is waiting for an answer. */
#define AUTH_CONTINUE (-1)

/* key as a string: 0 with *out set (NULL when absent and optional), -1
 * when missing-but-required or not a string. */
static int auth_get_string(const json_t *obj, const char *key, int required, const char **out)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL)
		return required ? -1 : 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static int auth_protocol_error(pam_handle_t *pamh, const char *what)
{
	pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "protocol error: %s", what);
	return PAM_AUTHINFO_UNAVAIL;
}

/* Frees a request after wiping the answer it may carry (jansson frees its
 * strings without wiping them). */
static void auth_request_free(json_t **request)
{
	json_t *a;

	if (*request == NULL)
		return;
	a = json_object_get(*request, "answer");
	if (json_is_string(a))
		explicit_bzero((char *)json_string_value(a), json_string_length(a));
	json_decref(*request);
	*request = NULL;
}

static int auth_start_request(const pam_sesame_opts_t *opts, const pam_sesame_items_t *items,
			      json_t **out)
{
	json_t *req = NULL;
	int rv = PAM_BUF_ERR;

	*out = NULL;
	req = json_pack("{s:s, s:s, s:b, s:b}", "user", items->user, "service", items->service,
			"nullok", (int)opts->nullok, "suffix", (int)opts->otp_suffix);
	if (req == NULL)
		goto fail;
	if (items->rhost != NULL &&
	    json_object_set_new(req, "rhost", json_string(items->rhost)) != 0)
		goto fail;
	if (items->tty != NULL && json_object_set_new(req, "tty", json_string(items->tty)) != 0)
		goto fail;
	*out = req;
	req = NULL;
	rv = PAM_SUCCESS;
fail:
	json_decref(req);
	return rv;
}

static int auth_continue_request(json_t *txn, const char *answer, json_t **out)
{
	size_t len = answer != NULL ? strnlen(answer, SESAME_MAX_ANSWER + 1) : 0;
	json_t *a = NULL;
	json_t *req = NULL;
	int rv = PAM_BUF_ERR;

	*out = NULL;
	/* An answer that cannot be a valid one (over SESAME_MAX_ANSWER bytes,
	 * or not UTF-8) is replaced by the empty answer, like a missing one:
	 * its bytes never leave the module, and the daemon counts and audits
	 * it as a wrong code and sends the denial. Simplest way to fail closed
	 * without the module taking a decision of its own. */
	if (answer != NULL && len <= SESAME_MAX_ANSWER)
		a = json_stringn(answer, len);
	if (a == NULL)
		a = json_string("");
	if (a == NULL)
		goto fail;
	if ((req = json_object()) == NULL)
		goto fail;
	if (json_object_set(req, "txn", txn) != 0)
		goto fail;
	if (json_object_set_new(req, "answer", a) != 0) {
		a = NULL; /* set_new consumed it */
		goto fail;
	}
	a = NULL;
	*out = req;
	req = NULL;
	rv = PAM_SUCCESS;
fail:
	if (a != NULL) {
		explicit_bzero((char *)json_string_value(a), json_string_length(a));
		json_decref(a);
	}
	auth_request_free(&req);
	return rv;
}

/* otp_suffix: the code is the last `digits` bytes of PAM_AUTHTOK (asked as
 * "Password: " when no earlier module set it), and PAM_AUTHTOK becomes the
 * prefix for the next module (use_first_pass). *answer stays NULL, i.e. the
 * empty answer, when nothing long enough was typed. */
static int auth_answer_suffix(pam_handle_t *pamh, size_t digits, char **answer)
{
	const void *item = NULL;
	char *typed = NULL;
	char *prefix = NULL;
	const char *tok;
	size_t len;
	int rv;

	*answer = NULL;
	rv = pam_get_item(pamh, PAM_AUTHTOK, &item);
	if (rv != PAM_SUCCESS)
		goto fail;
	if (item == NULL) {
		rv = pam_sesame_conv_ask(pamh, PAM_PROMPT_ECHO_OFF, "Password: ", &typed);
		if (rv != PAM_SUCCESS || typed == NULL)
			goto fail;
		rv = pam_set_item(pamh, PAM_AUTHTOK, typed);
		if (rv != PAM_SUCCESS)
			goto fail;
		rv = pam_get_item(pamh, PAM_AUTHTOK, &item);
		if (rv != PAM_SUCCESS)
			goto fail;
		if (item == NULL) {
			rv = PAM_SYSTEM_ERR;
			goto fail;
		}
	}
	tok = item;
	len = strlen(tok);
	if (len < digits)
		goto fail; /* rv is PAM_SUCCESS: the empty answer */
	/* copies first: pam_set_item wipes and frees the item tok points to */
	if ((*answer = strndup(tok + len - digits, digits)) == NULL ||
	    (prefix = strndup(tok, len - digits)) == NULL) {
		rv = PAM_BUF_ERR;
		goto fail;
	}
	rv = pam_set_item(pamh, PAM_AUTHTOK, prefix);
fail:
	if (rv != PAM_SUCCESS)
		pam_sesame_conv_free(answer);
	pam_sesame_conv_free(&typed);
	pam_sesame_conv_free(&prefix);
	return rv;
}

/* A "prompt" step: AUTH_CONTINUE with *next holding the continue request,
 * or a PAM error. */
static int auth_prompt(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts, json_t *reply,
		       int *suffix_used, json_t **next)
{
	json_t *txn = json_object_get(reply, "txn");
	const json_t *echo = json_object_get(reply, "echo");
	const json_t *digits = json_object_get(reply, "digits");
	const char *factor;
	const char *prompt;
	const char *message;
	char *answer = NULL;
	int suffix;
	int rv;

	if (!json_is_string(txn) || json_string_length(txn) == 0 ||
	    json_string_length(txn) > SESAME_MAX_TXN)
		return auth_protocol_error(pamh, "prompt step with a missing or oversized txn");
	if (auth_get_string(reply, "factor", 1, &factor) != 0 ||
	    auth_get_string(reply, "prompt", 1, &prompt) != 0 ||
	    auth_get_string(reply, "message", 0, &message) != 0)
		return auth_protocol_error(pamh, "prompt step without factor or prompt");
	if ((echo != NULL && !json_is_boolean(echo)) ||
	    (digits != NULL && !json_is_integer(digits)))
		return auth_protocol_error(pamh, "prompt step with ill-typed echo or digits");
	suffix = opts->otp_suffix && !*suffix_used && strcmp(factor, "totp") == 0;
	if (suffix && (digits == NULL || json_integer_value(digits) < SESAME_TOTP_MIN_DIGITS ||
		       json_integer_value(digits) > SESAME_TOTP_MAX_DIGITS))
		return auth_protocol_error(pamh, "totp prompt without valid digits");
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG, "step: prompt factor=%.32s echo=%d%s",
			   factor, json_is_true(echo),
			   suffix ? " (answered from PAM_AUTHTOK)" : "");
	if (((unsigned int)flags & PAM_SILENT) == 0)
		pam_sesame_conv_show(pamh, PAM_TEXT_INFO, message);
	if (suffix) {
		/* once per authentication: a second totp prompt is asked normally */
		*suffix_used = 1;
		rv = auth_answer_suffix(pamh, (size_t)json_integer_value(digits), &answer);
	} else {
		rv = pam_sesame_conv_ask(
		    pamh, json_is_true(echo) ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF, prompt,
		    &answer);
	}
	if (rv != PAM_SUCCESS)
		goto fail;
	rv = auth_continue_request(txn, answer, next);
	if (rv == PAM_SUCCESS)
		rv = AUTH_CONTINUE;
fail:
	pam_sesame_conv_free(&answer);
	return rv;
}

/* A "verdict" step: the PAM code it maps to. *told is set when the user was
 * already shown why the service is unavailable. */
static int auth_verdict(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			const pam_sesame_items_t *items, const json_t *reply, int *told)
{
	const char *result;
	const char *reason;
	const char *message;

	if (auth_get_string(reply, "result", 1, &result) != 0 ||
	    auth_get_string(reply, "reason", 0, &reason) != 0 ||
	    auth_get_string(reply, "message", 0, &message) != 0)
		return auth_protocol_error(pamh, "verdict without result");
	if (reason == NULL)
		reason = "-";
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG,
			   "step: verdict result=%.32s reason=%.32s", result, reason);
	if (strcmp(result, "success") == 0) {
		if (((unsigned int)flags & PAM_SILENT) == 0)
			pam_sesame_conv_show(pamh, PAM_TEXT_INFO, message);
		return PAM_SUCCESS;
	}
	if (strcmp(result, "denied") == 0) {
		if (message == NULL)
			return auth_protocol_error(pamh, "denied verdict without message");
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE,
			   "denied user=%s service=%s reason=%.32s", items->user, items->service,
			   reason);
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, message);
		return PAM_AUTH_ERR;
	}
	if (strcmp(result, "unavailable") == 0) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "sesame-authd unavailable: reason=%.32s",
			   reason);
		pam_sesame_conv_show(
		    pamh, PAM_ERROR_MSG,
		    message != NULL && message[0] != '\0' ? message : PAM_SESAME_UNAVAILABLE);
		*told = 1;
		return PAM_AUTHINFO_UNAVAIL;
	}
	return auth_protocol_error(pamh, "unknown verdict result");
}

int pam_sesame_auth_run(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			const pam_sesame_items_t *items)
{
	sesame_client_t *client = NULL;
	json_t *request = NULL;
	json_t *reply = NULL;
	const char *path = "/v1/pam/start";
	const char *step;
	int suffix_used = 0;
	int told = 0;
	int rv;

	if ((rv = pam_sesame_conn_get(pamh, opts, &client)) != PAM_SUCCESS)
		goto fail;
	if ((rv = auth_start_request(opts, items, &request)) != PAM_SUCCESS)
		goto fail;
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG, "start user=%s service=%s", items->user,
			   items->service);
	for (int i = 0; i < PAM_SESAME_MAX_STEPS; i++) {
		rv = pam_sesame_conn_call(pamh, opts, client, path, request, &reply);
		auth_request_free(&request);
		if (rv != PAM_SUCCESS)
			goto fail;
		if (auth_get_string(reply, "step", 1, &step) != 0)
			rv = auth_protocol_error(pamh, "reply without step");
		else if (strcmp(step, "prompt") == 0)
			rv = auth_prompt(pamh, flags, opts, reply, &suffix_used, &request);
		else if (strcmp(step, "verdict") == 0)
			rv = auth_verdict(pamh, flags, opts, items, reply, &told);
		else
			rv = auth_protocol_error(pamh, "unknown step");
		json_decref(reply);
		reply = NULL;
		if (rv != AUTH_CONTINUE)
			goto fail;
		path = "/v1/pam/continue";
	}
	rv = auth_protocol_error(pamh, "no verdict within the step limit");
fail:
	auth_request_free(&request);
	json_decref(reply);
	if (rv == PAM_AUTHINFO_UNAVAIL && !told)
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, PAM_SESAME_UNAVAILABLE);
	return rv;
}
