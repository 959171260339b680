/* Routing, status mapping, strict field decoding and authorisation checks
 * shared by every handler. */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "sesame/error.h"
#include "sesame/username.h"

static const struct {
	const char *path;
	api_handler_t handler;
} routes[] = {
    {"/v1/health", api_health},
    {"/v1/pam/start", api_pam_start},
    {"/v1/pam/continue", api_pam_continue},
    {"/v1/pam/account", api_pam_account},
    {"/v1/totp/enroll", api_totp_enroll},
    {"/v1/totp/confirm", api_totp_confirm},
    {"/v1/totp/list", api_totp_list},
    {"/v1/totp/remove", api_totp_remove},
    {"/v1/user/show", api_user_show},
    {"/v1/user/unlock", api_user_unlock},
    {"/v1/user/add", api_user_add},
    {"/v1/user/passwd", api_user_passwd},
    {"/v1/user/disable", api_user_disable},
    {"/v1/user/enable", api_user_enable},
    {"/v1/user/invite", api_user_invite},
    {"/v1/audit", api_audit},
    {"/v1/key/status", api_key_status},
    {"/v1/source/show", api_source_show},
    {"/v1/source/unlock", api_source_unlock},
    {"/v1/key/reseal", api_key_reseal},
    {"/v1/password/check", api_password_check},
};

api_handler_t api_route(const char *path)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, path) == 0)
			return routes[i].handler;
	return NULL;
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
	snprintf(err->message, sizeof(err->message), "%s", "You may only act for your own user.");
	return SESAME_ERR_PERMISSION;
}

int api_need_root(const authd_caller_t *c, api_error_t *err)
{
	if (c->is_root)
		return SESAME_OK;
	snprintf(err->message, sizeof(err->message), "%s", "This operation needs root.");
	return SESAME_ERR_PERMISSION;
}
