/* Routing, status mapping, strict field decoding and authorisation checks
 * shared by every handler. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "sesame/error.h"
#include "sesame/username.h"

static int not_yours(api_error_t *err)
{
	snprintf(err->message, sizeof(err->message), "%s", "You may only act for your own user.");
	return SESAME_ERR_PERMISSION;
}

/* Every /v1 request, with who may ask it: checked by api_permitted before
 * the handler runs, so that no handler has to remember. */
static const struct {
	const char *path;
	api_handler_t handler;
	api_perm_t perm;
} routes[] = {
    {"/v1/health", api_health, API_ANYONE},
    {"/v1/pam/start", api_pam_start, API_PAM},
    {"/v1/pam/continue", api_pam_continue, API_PAM_TXN},
    {"/v1/pam/account", api_pam_account, API_PAM},
    {"/v1/totp/enroll", api_totp_enroll, API_ROOT},
    {"/v1/totp/confirm", api_totp_confirm, API_ROOT},
    {"/v1/totp/list", api_totp_list, API_ROOT},
    {"/v1/totp/remove", api_totp_remove, API_ROOT},
    {"/v1/passkey/list", api_passkey_list, API_ROOT},
    {"/v1/passkey/remove", api_passkey_remove, API_ROOT},
    {"/v1/user/show", api_user_show, API_SELF},
    {"/v1/user/unlock", api_user_unlock, API_ROOT},
    {"/v1/user/add", api_user_add, API_ROOT},
    {"/v1/user/passwd", api_user_passwd, API_ROOT},
    {"/v1/user/disable", api_user_disable, API_ROOT},
    {"/v1/user/enable", api_user_enable, API_ROOT},
    {"/v1/user/invite", api_user_invite, API_ROOT},
    {"/v1/audit", api_audit, API_ROOT},
    {"/v1/key/status", api_key_status, API_ROOT},
    {"/v1/source/show", api_source_show, API_ROOT},
    {"/v1/source/unlock", api_source_unlock, API_ROOT},
    {"/v1/key/reseal", api_key_reseal, API_ROOT},
    {"/v1/password/check", api_password_check, API_SELF},
    {"/v1/recovery/generate", api_recovery_generate, API_ROOT},
    {"/v1/oidc/rotate-keys", api_oidc_rotate_keys, API_ROOT},
    {"/v1/client/add", api_client_add, API_ROOT},
    {"/v1/client/list", api_client_list, API_ROOT},
    {"/v1/client/show", api_client_show, API_ROOT},
    {"/v1/client/remove", api_client_remove, API_ROOT},
};

api_handler_t api_route(const char *path, api_perm_t *perm)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, path) == 0) {
			*perm = routes[i].perm;
			return routes[i].handler;
		}
	return NULL;
}

int api_permitted(api_perm_t perm, const authd_caller_t *c, const json_t *req, api_error_t *err)
{
	const json_t *user = json_object_get(req, "user");
	int own;

	if (c->is_root || perm == API_ANYONE)
		return SESAME_OK;
	if (perm == API_ROOT)
		return api_need_root(c, err);
	if ((perm == API_PAM || perm == API_PAM_TXN) && c->pam_trusted)
		return SESAME_OK;
	if (perm == API_PAM_TXN) /* the user is inside the token */
		return SESAME_OK;
	/* about itself: "user" is its own name (absent: itself, except for PAM) */
	own =
	    c->name[0] != '\0' &&
	    (user == NULL ? perm == API_SELF
			  : json_is_string(user) && strcmp(json_string_value(user), c->name) == 0);
	return own ? SESAME_OK : not_yours(err);
}

unsigned api_status(int err)
{
	switch (err) {
	case SESAME_OK:
		return 200;
	case SESAME_ERR_INVALID_ARGUMENT:
	case SESAME_ERR_BAD_JSON:
	case SESAME_ERR_BAD_USERNAME:
	case SESAME_ERR_WRONG_CODE:
	case SESAME_ERR_REPLAY:
	case SESAME_ERR_EXPIRED:
	case SESAME_ERR_PASSWORD_REFUSED:
	case SESAME_ERR_WRONG_PASSWORD:
		return 400;
	case SESAME_ERR_PERMISSION:
	case SESAME_ERR_DISABLED:
		return 403;
	case SESAME_ERR_NOT_FOUND:
		return 404;
	case SESAME_ERR_CONFLICT:
		return 409;
	case SESAME_ERR_TOO_LARGE:
		return 413;
	case SESAME_ERR_LOCKED:
		return 429;
	case SESAME_ERR_UNAVAILABLE:
		return 503;
	default:
		return 500;
	}
}

/* "The field "KEY" WHAT." (key is one of ours, never the caller's) */
static int fail(api_error_t *err, const char *key, const char *what)
{
	snprintf(err->message, sizeof(err->message), "The field \"%s\" %s.", key, what);
	return SESAME_ERR_INVALID_ARGUMENT;
}

int api_fields(const json_t *req, const char *const *allowed, api_error_t *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)req, key, v)
	{
		int known = 0;
		(void)v;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0)
				known = 1;
		if (!known) {
			/* the key is untrusted: do not echo it back */
			snprintf(err->message, sizeof(err->message), "%s",
				 "The request has an unknown field.");
			return SESAME_ERR_INVALID_ARGUMENT;
		}
	}
	return SESAME_OK;
}

int api_string(const json_t *req, const char *key, int required, size_t maxlen, const char *def,
	       const char **out, api_error_t *err)
{
	json_t *v = json_object_get(req, key);
	const char *s;
	size_t len;

	if (v == NULL || json_is_null(v)) {
		if (required)
			return fail(err, key, "is required");
		*out = def;
		return SESAME_OK;
	}
	if (!json_is_string(v))
		return fail(err, key, "must be a string");
	s = json_string_value(v);
	len = json_string_length(v);
	if (len > maxlen || strlen(s) != len)
		return fail(err, key, "is too long");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return fail(err, key, "contains characters that are not allowed");
	*out = s;
	return SESAME_OK;
}

int api_user(const json_t *req, const char *key, const char **out, api_error_t *err)
{
	json_t *v = json_object_get(req, key);

	if (v == NULL)
		return fail(err, key, "is required");
	if (!json_is_string(v))
		return fail(err, key, "must be a string");
	if (username_validate(json_string_value(v), json_string_length(v)) != SESAME_OK)
		return SESAME_ERR_BAD_USERNAME;
	*out = json_string_value(v);
	return SESAME_OK;
}

int api_bool(const json_t *req, const char *key, int def, int *out, api_error_t *err)
{
	json_t *v = json_object_get(req, key);

	if (v == NULL) {
		*out = def;
		return SESAME_OK;
	}
	if (!json_is_boolean(v))
		return fail(err, key, "must be true or false");
	*out = json_is_true(v);
	return SESAME_OK;
}

int api_int(const json_t *req, const char *key, int required, long long min, long long max,
	    long long def, long long *out, api_error_t *err)
{
	json_t *v = json_object_get(req, key);

	if (v == NULL) {
		if (required)
			return fail(err, key, "is required");
		*out = def;
		return SESAME_OK;
	}
	if (!json_is_integer(v))
		return fail(err, key, "must be an integer");
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return fail(err, key, "is out of range");
	*out = json_integer_value(v);
	return SESAME_OK;
}

int api_may_act_for(const authd_caller_t *c, const char *user, int pam, api_error_t *err)
{
	if (c->is_root || (pam && c->pam_trusted) || (c->name[0] && strcmp(c->name, user) == 0))
		return SESAME_OK;
	return not_yours(err);
}

int api_need_root(const authd_caller_t *c, api_error_t *err)
{
	if (c->is_root)
		return SESAME_OK;
	snprintf(err->message, sizeof(err->message), "%s", "This operation needs root.");
	return SESAME_ERR_PERMISSION;
}
