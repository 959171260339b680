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
	client_account_t acct;
	client_error_t error;
	int err;
	int rv;

	if ((rv = pam_sesame_conn_get(pamh, opts, &client)) != PAM_SUCCESS)
		goto fail;
	err = client_pam_account(client, items->user, items->service, &acct, &error);
	if (err != SESAME_OK) {
		rv = pam_sesame_conn_failed(pamh, opts, "/v1/pam/account", err, &error);
		goto fail;
	}
	if (opts->debug)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_DEBUG, "account user=%s locked=%d disabled=%d",
			   items->user, acct.locked, acct.disabled);
	if (acct.disabled) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE, "account disabled user=%s service=%s",
			   items->user, items->service);
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG,
				     acct.message[0] != '\0'
					 ? acct.message
					 : sesame_err_message(SESAME_ERR_DISABLED));
		rv = PAM_ACCT_EXPIRED;
		goto fail;
	}
	if (acct.locked) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_NOTICE, "account locked user=%s service=%s",
			   items->user, items->service);
		pam_sesame_conv_show(
		    pamh, PAM_ERROR_MSG,
		    acct.message[0] != '\0' ? acct.message : sesame_err_message(SESAME_ERR_LOCKED));
		rv = PAM_PERM_DENIED;
		goto fail;
	}
	rv = PAM_SUCCESS;
fail:
	if (rv == PAM_AUTHINFO_UNAVAIL)
		pam_sesame_conv_show(pamh, PAM_ERROR_MSG, PAM_SESAME_UNAVAILABLE);
	return rv;
}
