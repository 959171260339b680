/* Stable string codes and sentences for sesame_err_t. */
#include <string.h>

#include "sesame/error.h"

static const struct {
	const char *code;
	const char *message;
} errors[SESAME_ERR__COUNT] = {
    [SESAME_OK] = {"ok", "Success"},
    [SESAME_ERR_INVALID_ARGUMENT] = {"invalid_argument",
				     "A request field is missing or has an invalid value"},
    [SESAME_ERR_BAD_JSON] = {"bad_json", "The request body is not a valid JSON object"},
    [SESAME_ERR_BAD_USERNAME] =
	{"bad_username",
	 "The user name is empty, too long or contains characters that are not allowed"},
    [SESAME_ERR_TOO_LARGE] = {"too_large", "The request is larger than the daemon accepts"},
    [SESAME_ERR_NOT_FOUND] = {"not_found", "No such user or factor"},
    [SESAME_ERR_PERMISSION] = {"permission_denied", "You are not allowed to do this"},
    [SESAME_ERR_CONFLICT] = {"conflict", "This conflicts with the current state"},
    [SESAME_ERR_NOMEM] = {"no_memory", "Out of memory"},
    [SESAME_ERR_IO] = {"io_error", "An input/output error occurred"},
    [SESAME_ERR_STORE] = {"store_error", "The database could not complete the operation"},
    [SESAME_ERR_CRYPTO] = {"crypto_error", "A cryptographic operation failed"},
    [SESAME_ERR_CONFIG] = {"config_error", "The configuration is invalid"},
    [SESAME_ERR_UNAVAILABLE] = {"unavailable", "Authentication service unavailable"},
    [SESAME_ERR_PROTOCOL] = {"protocol_error", "The authentication service sent a malformed reply"},
    [SESAME_ERR_TIMEOUT] = {"timeout", "The authentication service did not answer in time"},
    [SESAME_ERR_WRONG_CODE] = {"wrong_code", "The verification code is wrong"},
    [SESAME_ERR_REPLAY] = {"code_reused", "This verification code was already used"},
    [SESAME_ERR_LOCKED] = {"locked", "Too many failed attempts"},
    [SESAME_ERR_NO_FACTOR] = {"no_factor", "No second factor is enrolled for this user"},
    [SESAME_ERR_EXPIRED] = {"expired", "The request has expired"},
    [SESAME_ERR_INTERNAL] = {"internal", "Internal error"},
    [SESAME_ERR_DISABLED] = {"account_disabled", "This account is disabled"},
    [SESAME_ERR_PASSWORD_REFUSED] = {"password_refused",
				     "The password does not meet the password policy"},
    [SESAME_ERR_WRONG_PASSWORD] = {"wrong_password", "The user name or password is wrong"},
};

const char *sesame_err_code(int err)
{
	if (err < 0 || err >= SESAME_ERR__COUNT)
		err = SESAME_ERR_INTERNAL;
	return errors[err].code;
}

const char *sesame_err_message(int err)
{
	if (err < 0 || err >= SESAME_ERR__COUNT)
		err = SESAME_ERR_INTERNAL;
	return errors[err].message;
}

int sesame_err_from_code(const char *code)
{
	if (code == NULL)
		return SESAME_ERR_INTERNAL;
	for (int i = 0; i < SESAME_ERR__COUNT; i++)
		if (strcmp(errors[i].code, code) == 0)
			return i;
	return SESAME_ERR_INTERNAL;
}
