/* The PAM conversation, made robust against applications that pass no
 * conversation function, fail, or hand back NULL responses. */
#include <security/pam_ext.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pam_sesame.h"

static void conv_wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* One message through the application; *resp_text (when asked for) takes
 * the response text. Returns the application's result or PAM_CONV_ERR. */
static int conv_one(pam_handle_t *pamh, int style, const char *text, char **resp_text)
{
	const void *item = NULL;
	const struct pam_conv *conv;
	struct pam_message msg = {.msg_style = style, .msg = text};
	const struct pam_message *msgs[1] = {&msg};
	struct pam_response *resp = NULL;
	int rv;

	if (pam_get_item(pamh, PAM_CONV, &item) != PAM_SUCCESS || item == NULL) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "no conversation function");
		return PAM_CONV_ERR;
	}
	conv = item;
	if (conv->conv == NULL) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "no conversation function");
		return PAM_CONV_ERR;
	}
	rv = conv->conv(1, msgs, &resp, conv->appdata_ptr);
	if (resp != NULL) {
		if (rv == PAM_SUCCESS && resp_text != NULL) {
			*resp_text = resp[0].resp;
			resp[0].resp = NULL;
		}
		conv_wipe_free(resp[0].resp);
		free(resp);
	}
	return rv == PAM_SUCCESS ? PAM_SUCCESS : PAM_CONV_ERR;
}

int pam_sesame_conv_ask(pam_handle_t *pamh, int style, const char *text, char **answer)
{
	int rv;

	*answer = NULL;
	rv = conv_one(pamh, style, text, answer);
	if (rv != PAM_SUCCESS) {
		pam_sesame_conv_free(answer);
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "conversation failed");
	}
	return rv;
}

void pam_sesame_conv_show(pam_handle_t *pamh, int style, const char *text)
{
	if (text == NULL || text[0] == '\0')
		return;
	(void)conv_one(pamh, style, text, NULL);
}

void pam_sesame_conv_free(char **answer)
{
	if (answer == NULL)
		return;
	conv_wipe_free(*answer);
	*answer = NULL;
}
