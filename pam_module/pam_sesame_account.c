/* pam_acct_mgmt as a transport: POST /v1/pam/account and map the account
 * state the daemon reports (disabled: PAM_ACCT_EXPIRED, as pam_unix does
 * for an expired account; locked: PAM_PERM_DENIED). Any daemon problem
 * fails closed. */
#include <security/pam_ext.h>
#include <syslog.h>

#include "pam_sesame.h"
#include "sesame/error.h"

int pam_sesame_account_run(pam_handle_t *pamh, const pam_sesame_opts_t *opts,
			   const pam_sesame_items_t *items)
{
	sesame_client_t *client = NULL;
	json_t *request = NULL;
	json_t *reply = NULL;
	const json_t *locked;
	const json_t *disabled;
	const json_t *message;
	int rv;

	if ((rv = pam_sesame_conn_get(pamh, opts, &client)) != PAM_SUCCESS)
		goto fail;
	request = json_pack("{s:s, s:s}", "user", items->user, "service", items->service);
	if (request == NULL) {
		rv = PAM_BUF_ERR;
		goto fail;
	}
	rv = pam_sesame_conn_call(pamh, opts, client, "/v1/pam/account", request, &reply);
	if (rv != PAM_SUCCESS)
		goto fail;
	locked = json_object_get(reply, "locked");
	disabled = json_object_get(reply, "disabled");
	message = json_object_get(reply, "message");
	if (!json_is_boolean(locked) || (disabled != NULL && !json_is_boolean(disabled)) ||
	    (message != NULL && !json_is_string(message))) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR,
			   "protocol error: account reply without boolean locked");
		rv = PAM_AUTHINFO_UNAVAIL;
		goto fail;
	}
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG, "account user=%s locked=%d", items->user,
			   json_is_true(locked));
	if (json_is_true(disabled)) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE, "account disabled user=%s service=%s",
			   items->user, items->service);
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
				     message != NULL && json_string_length(message) > 0
					 ? json_string_value(message)
					 : sesame_err_message(SESAME_ERR_DISABLED));
		rv = PAM_ACCT_EXPIRED;
		goto fail;
	}
	if (json_is_true(locked)) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE, "account locked user=%s service=%s",
			   items->user, items->service);
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
				     message != NULL && json_string_length(message) > 0
					 ? json_string_value(message)
					 : sesame_err_message(SESAME_ERR_LOCKED));
		rv = PAM_PERM_DENIED;
		goto fail;
	}
	rv = PAM_SUCCESS;
fail:
	json_decref(request);
	json_decref(reply);
	if (rv == PAM_AUTHINFO_UNAVAIL)
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, PAM_SESAME_UNAVAILABLE);
	return rv;
}
