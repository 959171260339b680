/* Project-wide error codes: one enum, stable string codes shared by the
 * daemon's JSON errors, the CLI's messages and the tests. */
#ifndef SESAME_ERROR_H
#define SESAME_ERROR_H

typedef enum {
	SESAME_OK = 0,
	SESAME_ERR_INVALID_ARGUMENT, /* "invalid_argument" */
	SESAME_ERR_BAD_JSON,	     /* "bad_json" */
	SESAME_ERR_BAD_USERNAME,     /* "bad_username" */
	SESAME_ERR_TOO_LARGE,	     /* "too_large" */
	SESAME_ERR_NOT_FOUND,	     /* "not_found" */
	SESAME_ERR_PERMISSION,	     /* "permission_denied" */
	SESAME_ERR_CONFLICT,	     /* "conflict" */
	SESAME_ERR_NOMEM,	     /* "no_memory" */
	SESAME_ERR_IO,		     /* "io_error" */
	SESAME_ERR_STORE,	     /* "store_error" */
	SESAME_ERR_CRYPTO,	     /* "crypto_error" */
	SESAME_ERR_CONFIG,	     /* "config_error" */
	SESAME_ERR_UNAVAILABLE,	     /* "unavailable" */
	SESAME_ERR_PROTOCOL,	     /* "protocol_error" */
	SESAME_ERR_TIMEOUT,	     /* "timeout" */
	SESAME_ERR_WRONG_CODE,	     /* "wrong_code" */
	SESAME_ERR_REPLAY,	     /* "code_reused" */
	SESAME_ERR_LOCKED,	     /* "locked" */
	SESAME_ERR_NO_FACTOR,	     /* "no_factor" */
	SESAME_ERR_EXPIRED,	     /* "expired" */
	SESAME_ERR_INTERNAL,	     /* "internal" */
	/* appended: the values above are stable */
	SESAME_ERR_DISABLED,	     /* "account_disabled" */
	SESAME_ERR_PASSWORD_REFUSED, /* "password_refused": the password policy said no */
	SESAME_ERR_WRONG_PASSWORD,   /* "wrong_password" */
	SESAME_ERR__COUNT
} sesame_err_t;

/* Stable machine code, e.g. "bad_username". Never NULL. */
const char *sesame_err_code(int err);
/* One human sentence without a trailing newline. Never NULL. */
const char *sesame_err_message(int err);
/* Reverse of sesame_err_code(); SESAME_ERR_INTERNAL when unknown. */
int sesame_err_from_code(const char *code);

#endif
