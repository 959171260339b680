/* The authentication policy behind the PAM step protocol: what to ask
 * next and the verdict. Knows nothing of HTTP or JSON. */
#ifndef AUTHD_AUTH_H
#define AUTHD_AUTH_H

#include <stdint.h>

#include "authd.h"

typedef struct {
	char user[SESAME_MAX_USERNAME + 1];
	char service[SESAME_MAX_SERVICE + 1];
	char rhost[SESAME_MAX_RHOST + 1];
	char tty[SESAME_MAX_TTY + 1];
	int nullok;
	char factor[16]; /* the factor that was prompted for: "totp" or "none" */
} auth_request_t;

typedef enum { AUTH_STEP_PROMPT, AUTH_STEP_VERDICT } auth_step_kind_t;
typedef enum { AUTH_SUCCESS, AUTH_DENIED, AUTH_UNAVAILABLE } auth_result_t;

typedef struct {
	auth_step_kind_t kind;
	/* prompt */
	char factor[16];
	unsigned digits;
	/* verdict */
	auth_result_t result;
	int reason;	   /* sesame_err_t; SESAME_OK on success */
	int64_t wait;	   /* seconds, when reason is SESAME_ERR_LOCKED */
	char message[192]; /* for the user */
} auth_step_t;

/* First step of a PAM conversation for rq. Sets rq->factor. */
int auth_begin(authd_t *d, auth_request_t *rq, int64_t now, auth_step_t *step);

/* Verdict on the answer to the prompt of rq->factor. */
int auth_answer(authd_t *d, const auth_request_t *rq, const char *answer, int64_t now,
		auth_step_t *step);

/* What a disabled user is told, at authentication and account checks. */
#define AUTH_DISABLED_MESSAGE "This account is disabled."

/* Account state for pam_sm_acct_mgmt: *wait > 0 when the user is locked,
 * *disabled when an administrator disabled the account; message says why
 * (empty when neither). */
int auth_account(authd_t *d, const char *user, const char *service, int64_t now, int64_t *wait,
		 int *disabled, char *message, size_t msgsz);

#endif
