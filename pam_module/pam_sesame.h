/* Internal interface of pam_sesame.so: options, conversation helpers, the
 * cached daemon connection, and the authenticate/account exchanges. Nothing
 * declared here is exported (pam_sesame.map keeps only pam_sm_*). */
#ifndef PAM_SESAME_H
#define PAM_SESAME_H

#include <security/pam_modules.h>
#include <stdbool.h>

#include "sesame/client.h"
#include "sesame/limits.h"

#define PAM_SESAME_MAX_STEPS 16	 /* daemon steps in one pam_authenticate */
#define PAM_SESAME_TIMEOUT_MIN 1 /* timeout= bounds, seconds */
#define PAM_SESAME_TIMEOUT_MAX 600
#define PAM_SESAME_RETRY_MIN 1 /* retry= bounds (pam_sm_chauthtok) */
#define PAM_SESAME_RETRY_MAX 10
#define PAM_SESAME_RETRY_DEFAULT 1

/* The one sentence a user sees whenever the daemon cannot decide. */
#define PAM_SESAME_UNAVAILABLE "Authentication service unavailable"
/* The same, when a password change is refused for it. */
#define PAM_SESAME_PW_UNAVAILABLE                                                                  \
	"Authentication service unavailable; the password was not changed."

typedef struct {
	const char *socket; /* into argv, or SESAME_DEFAULT_SOCKET */
	long timeout_ms;    /* per request */
	int retry;	    /* pam_sm_chauthtok: attempts at a new password */
	bool nullok;
	bool otp_suffix;
	bool debug;
	bool enforce_for_root; /* pam_sm_chauthtok: refuse root too */
	bool use_authtok;      /* pam_sm_chauthtok: PAM_AUTHTOK is the new password */
} pam_sesame_opts_t;

/* What the module tells the daemon about the login. user points to
 * user_buf: the canonical name (pam_sesame.c); the others point into PAM
 * items, rhost and tty may be NULL. */
typedef struct {
	const char *user;
	const char *service;
	const char *rhost;
	const char *tty;
	char user_buf[SESAME_MAX_USERNAME + 1];
} pam_sesame_items_t;

/* pam_sesame_args.c: PAM_SUCCESS, or PAM_AUTHINFO_UNAVAIL after logging why. */
int pam_sesame_args_parse(pam_handle_t *pamh, int argc, const char **argv, pam_sesame_opts_t *opts);

/* pam_sesame_conv.c: one prompt through the application's conversation.
 * PAM_SUCCESS with *answer owned by the caller (NULL when the application
 * gave no text; free with pam_sesame_conv_free), or PAM_CONV_ERR. */
int pam_sesame_conv_ask(pam_handle_t *pamh, int style, const char *text, char **answer);
/* Shows text (PAM_TEXT_INFO or PAM_ERROR_MSG); best effort. */
void pam_sesame_conv_show(pam_handle_t *pamh, int style, const char *text);
/* Wipes and frees an answer, NULLs the pointer. */
void pam_sesame_conv_free(char **answer);

/* pam_sesame_conn.c: the client kept in the PAM handle (pam_set_data) so
 * that its connection is reused across calls. *client stays owned by the
 * handle. PAM_SUCCESS, PAM_BUF_ERR or PAM_AUTHINFO_UNAVAIL. */
int pam_sesame_conn_get(pam_handle_t *pamh, const pam_sesame_opts_t *opts,
			sesame_client_t **client);
/* Logs why a typed call on path failed (err, with the daemon's error reply
 * in *error when there was one); returns PAM_AUTHINFO_UNAVAIL. */
int pam_sesame_conn_failed(pam_handle_t *pamh, const pam_sesame_opts_t *opts, const char *path,
			   int err, const client_error_t *error);

/* pam_sesame_auth.c: the step loop of POST /v1/pam/start and continue. */
int pam_sesame_auth_run(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			const pam_sesame_items_t *items);

/* pam_sesame_account.c: POST /v1/pam/account. */
int pam_sesame_account_run(pam_handle_t *pamh, const pam_sesame_opts_t *opts,
			   const pam_sesame_items_t *items);

/* pam_sesame_chauthtok.c: PAM_PRELIM_CHECK asks /v1/health; PAM_UPDATE_AUTHTOK
 * asks for the new password and POSTs /v1/password/check (items->user and
 * items->service needed then only). Any daemon problem is shown and
 * returned as PAM_AUTHTOK_ERR. */
int pam_sesame_chauthtok_run(pam_handle_t *pamh, int flags, const pam_sesame_opts_t *opts,
			     const pam_sesame_items_t *items);

#endif
