/* The daemon connection, kept in the PAM handle so that repeated
 * pam_authenticate/pam_acct_mgmt calls reuse one keep-alive connection
 * instead of reconnecting each time. */
#include <security/pam_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "pam_sesame.h"
#include "sesame/error.h"

#define CONN_DATA_NAME "sesame.conn"

typedef struct {
	sesame_client_t *client;
	char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
	long timeout_ms;
	pid_t pid; /* a forked child must not share its parent's connection */
} conn_t;

static void conn_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	conn_t *cn = data;

	(void)pamh;
	(void)error_status;
	if (cn == NULL)
		return;
	sesame_client_free(&cn->client);
	free(cn);
}

int pam_sesame_conn_get(pam_handle_t *pamh, const pam_sesame_opts_t *opts, sesame_client_t **client)
{
	const void *data = NULL;
	conn_t *cn = NULL;
	size_t len = strlen(opts->socket);
	int err;
	int rv = PAM_BUF_ERR;

	*client = NULL;
	if (pam_get_data(pamh, CONN_DATA_NAME, &data) == PAM_SUCCESS && data != NULL) {
		const conn_t *old = data;
		if (old->pid == getpid() && old->timeout_ms == opts->timeout_ms &&
		    strcmp(old->socket, opts->socket) == 0) {
			*client = old->client;
			return PAM_SUCCESS;
		}
	}
	if (len >= sizeof(cn->socket)) { /* checked by the option parser too */
		rv = PAM_AUTHINFO_UNAVAIL;
		goto fail;
	}
	if ((cn = calloc(1, sizeof(*cn))) == NULL)
		goto fail;
	memcpy(cn->socket, opts->socket, len + 1);
	cn->timeout_ms = opts->timeout_ms;
	cn->pid = getpid();
	err = sesame_client_new(cn->socket, cn->timeout_ms, &cn->client);
	if (err != SESAME_OK) {
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "cannot create client: %s",
			   sesame_err_code(err));
		rv = err == SESAME_ERR_NOMEM ? PAM_BUF_ERR : PAM_AUTHINFO_UNAVAIL;
		goto fail;
	}
	/* replaces (and cleans up) a client made for other options */
	if (pam_set_data(pamh, CONN_DATA_NAME, cn, conn_cleanup) != PAM_SUCCESS)
		goto fail;
	*client = cn->client;
	cn = NULL;
	rv = PAM_SUCCESS;
fail:
	conn_cleanup(pamh, cn, 0);
	return rv;
}

int pam_sesame_conn_failed(pam_handle_t *pamh, const pam_sesame_opts_t *opts, const char *path,
			   int err, const client_error_t *error)
{
	if (error->status == 0)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "%s via %s: %s (%s)", path, opts->socket,
			   sesame_err_code(err), sesame_err_message(err));
	else if (error->status == 200)
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "%s: protocol error: malformed reply",
			   path);
	else
		pam_syslog(pamh, LOG_AUTHPRIV | LOG_ERR, "%s: HTTP %ld %s: %.200s", path,
			   error->status, error->code, error->message);
	return PAM_AUTHINFO_UNAVAIL;
}
