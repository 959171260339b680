/* pam_authenticate as a transport (docs/protocol.md, "PAM: the step
 * protocol"): POST /v1/pam/start, perform each step the daemon sends, POST
 * /v1/pam/continue with the answer, until a verdict. The module decides
 * nothing; the typed client checks every step, and any step it cannot read
 * exactly fails closed. */
#include <security/pam_ext.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pam_sesame.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/utf8.h"

static int auth_protocol_error(pam_handle_t *pamh, const char *what)
{
	pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "protocol error: %s", what);
	return PAM_AUTHINFO_UNAVAIL;
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

/* A "prompt" step: PAM_SUCCESS with *answer (NULL: the empty answer; the
 * caller frees it with pam_sesame_conv_free), or a PAM error. */
static int auth_prompt(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
		       const client_pam_step_t *step, int *suffix_used, char **answer)
{
	int suffix = opts->otp_suffix && !*suffix_used && strcmp(step->factor, "totp") == 0;
	int rv;

	*answer = NULL;
	if (suffix &&
	    (step->digits < SESAME_TOTP_MIN_DIGITS || step->digits > SESAME_TOTP_MAX_DIGITS))
		return auth_protocol_error(pamh, "totp prompt without valid digits");
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG, "step: prompt factor=%s echo=%d%s",
			   step->factor, step->echo, suffix ? " (answered from PAM_AUTHTOK)" : "");
	if (((unsigned int)flags & PAM_SILENT) == 0)
		pam_sesame_conv_show(pamh, PAM_TEXT_INFO, step->message);
	if (suffix) {
		/* once per authentication: a second totp prompt is asked normally */
		*suffix_used = 1;
		rv = auth_answer_suffix(pamh, (size_t)step->digits, answer);
	} else {
		rv =
		    pam_sesame_conv_ask(pamh, step->echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF,
					step->prompt, answer);
	}
	if (rv != PAM_SUCCESS)
		return rv;
	/* An answer that cannot be a valid one (over SESAME_MAX_ANSWER bytes,
	 * or not UTF-8) is replaced by the empty answer, like a missing one:
	 * its bytes never leave the module, and the daemon counts and audits
	 * it as a wrong code and sends the denial. Simplest way to fail closed
	 * without the module taking a decision of its own. */
	if (*answer != NULL) {
		size_t len = strnlen(*answer, SESAME_MAX_ANSWER + 1);
		if (len > SESAME_MAX_ANSWER || !utf8_validate(*answer, len, NULL))
			pam_sesame_conv_free(answer);
	}
	return PAM_SUCCESS;
}

/* A "verdict" step: the PAM code it maps to. *told is set when the user was
 * already shown why the service is unavailable. */
static int auth_verdict(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			const pam_sesame_items_t *items, const client_pam_step_t *step, int *told)
{
	static const char *const results[] = {"-", "success", "denied", "unavailable"};
	const char *reason = step->reason[0] != '\0' ? step->reason : "-";

	if (opts->debug && step->result <= CLIENT_RESULT_UNAVAILABLE)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG, "step: verdict result=%s reason=%s",
			   results[step->result], reason);
	switch (step->result) {
	case CLIENT_RESULT_SUCCESS:
		if (((unsigned int)flags & PAM_SILENT) == 0)
			pam_sesame_conv_show(pamh, PAM_TEXT_INFO, step->message);
		return PAM_SUCCESS;
	case CLIENT_RESULT_DENIED:
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE, "denied user=%s service=%s reason=%s",
			   items->user, items->service, reason);
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, step->message);
		return PAM_AUTH_ERR;
	case CLIENT_RESULT_UNAVAILABLE:
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "sesame-authd unavailable: reason=%s",
			   reason);
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
				     step->message[0] != '\0' ? step->message
							      : PAM_SESAME_UNAVAILABLE);
		*told = 1;
		return PAM_AUTHINFO_UNAVAIL;
	default: /* the decoder admits no other */
		return auth_protocol_error(pamh, "unknown verdict result");
	}
}

int pam_sesame_auth_run(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			const pam_sesame_items_t *items)
{
	const client_pam_request_t req = {
	    .user = items->user,
	    .service = items->service,
	    .rhost = items->rhost,
	    .tty = items->tty,
	    .nullok = opts->nullok,
	    .suffix = opts->otp_suffix,
	};
	sesame_client_t *client = NULL;
	client_pam_step_t step;
	client_error_t error;
	char *answer = NULL;
	const char *path = "/v1/pam/start";
	int suffix_used = 0;
	int told = 0;
	int err;
	int rv;

	client_pam_step_clear(&step);
	if ((rv = pam_sesame_conn_get(pamh, opts, &client)) != PAM_SUCCESS)
		goto fail;
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG, "start user=%s service=%s", items->user,
			   items->service);
	for (int i = 0; i < PAM_SESAME_MAX_STEPS; i++) {
		if (i == 0) {
			err = client_pam_start(client, &req, &step, &error);
		} else {
			path = "/v1/pam/continue";
			err = client_pam_continue(client, step.txn, answer, &step, &error);
			pam_sesame_conv_free(&answer);
		}
		if (err != SESAME_OK) {
			rv = pam_sesame_conn_failed(pamh, opts, path, err, &error);
			goto fail;
		}
		if (step.kind == CLIENT_STEP_VERDICT) {
			rv = auth_verdict(pamh, flags, opts, items, &step, &told);
			goto fail;
		}
		rv = auth_prompt(pamh, flags, opts, &step, &suffix_used, &answer);
		if (rv != PAM_SUCCESS)
			goto fail;
	}
	rv = auth_protocol_error(pamh, "no verdict within the step limit");
fail:
	pam_sesame_conv_free(&answer);
	client_pam_step_clear(&step);
	if (rv == PAM_AUTHINFO_UNAVAIL && !told)
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, PAM_SESAME_UNAVAILABLE);
	return rv;
}
