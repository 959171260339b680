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

/* The TOTP verdict on code for user, as auth_answer gives it to PAM, for
 * other callers (the web sign-in): the same counters, lock-out, replay
 * refusal and audit (service, rhost as given, factor "totp"). */
int auth_totp_verify(authd_t *d, const char *user, const char *service, const char *rhost,
		     const char *code, int64_t now, auth_step_t *step);

/* What an unknown, disabled or password-less user, and a wrong password,
 * are told: the same sentence for all of them. */
#define AUTH_PASSWORD_MESSAGE "Wrong user name or password."

/* Prepares the dummy hash that unknown users are verified against (one
 * Argon2 hash, about 0.2 s); called at start so that the first sign-in is
 * not slower than the others. */
int auth_password_init(void);

/* The verdict on user's password pw (len bytes): the lock-out first (a
 * locked user is told the wait, nothing is verified), then Argon2id
 * outside any transaction (unknown, disabled and password-less users are
 * verified against a dummy hash: same work, same sentence), then one
 * transaction that counts a wrong password in the user's failure counter
 * (the one PAM uses), rehashes an old-parameter hash after a match, and
 * audits (factor "password"). Success does NOT reset the counter: only a
 * second factor does. reason: SESAME_OK, SESAME_ERR_WRONG_PASSWORD,
 * SESAME_ERR_DISABLED (tell it as a wrong password), SESAME_ERR_LOCKED. */
int auth_password(authd_t *d, const char *user, const char *service, const char *rhost,
		  const char *pw, size_t len, int64_t now, auth_step_t *step);

/* What a disabled user is told, at authentication and account checks. */
#define AUTH_DISABLED_MESSAGE "This account is disabled."

/* Account state for pam_sm_acct_mgmt: *wait > 0 when the user is locked,
 * *disabled when an administrator disabled the account; message says why
 * (empty when neither). */
int auth_account(authd_t *d, const char *user, const char *service, int64_t now, int64_t *wait,
		 int *disabled, char *message, size_t msgsz);

#endif
