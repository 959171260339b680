/* /v1/password/check: the password policy for PAM password changes,
 * sesamectl and (later) the web pages. The password never reaches a log,
 * an audit event or a reply. */
#include <openssl/crypto.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "api.h"
#include "audit.h"
#include "password/password.h"
#include "sesame/error.h"

/* "Alice Smith,Room 1,..." -> "Alice Smith" (the full-name field). */
void api_real_name_of(const char *user, char *out, size_t outsz)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	out[0] = '\0';
	if (user == NULL || getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
	    res->pw_gecos == NULL)
		return;
	snprintf(out, outsz, "%.*s", (int)strcspn(res->pw_gecos, ","), res->pw_gecos);
}

/* The real name for the context rule: the daemon's user record first, the
 * passwd (GECOS) full name when the record has none. */
static void real_name_for_policy(authd_t *d, const char *user, char *out, size_t outsz)
{
	char stored[SESAME_MAX_REAL_NAME + 1] = "";

	if (user != NULL)
		(void)account_real_name(d, user, stored); /* none: the passwd one */
	if (stored[0] != '\0')
		snprintf(out, outsz, "%s", stored);
	else
		api_real_name_of(user, out, outsz);
}

/* The audit reason of a check: "ok", or the first refusal's code. */
static const char *check_reason(const password_result_t *r)
{
	for (int i = 0; i < PW__COUNT && !r->accepted; i++)
		if (r->reasons & (1u << i))
			return password_reason_code(i);
	return "ok";
}

json_t *api_password_reasons(const password_policy_t *p, const password_result_t *r)
{
	json_t *reasons = json_array();
	char text[256];

	if (reasons == NULL)
		return NULL;
	for (int i = 0; i < PW__COUNT; i++) {
		if (!(r->reasons & (1u << i)))
			continue;
		password_reason_text(p, i, text, sizeof(text));
		json_array_append_new(reasons, json_pack("{s:s, s:s}", "code",
							 password_reason_code(i), "message", text));
	}
	return json_pack("{s:o, s:s}", "reasons", reasons, "hint", r->hint);
}

static json_t *result_json(const password_policy_t *p, const password_result_t *r)
{
	json_t *o = api_password_reasons(p, r);

	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "accepted", json_boolean(r->accepted)) != 0 ||
	    json_object_set_new(o, "score", json_integer(r->score)) != 0 ||
	    json_object_set_new(o, "length", json_integer((json_int_t)r->length)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int api_password_check(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		       api_error_t *err)
{
	static const char *const fields[] = {"password", "user", "service", "old_password", NULL};
	password_input_t in;
	password_result_t res;
	char real_name[256];
	const char *user = NULL, *service;
	json_t *pw, *old;
	struct timespec now;
	int r;

	if ((r = api_fields(req, fields, err)) ||
	    (json_object_get(req, "user") && (r = api_user(req, "user", &user, err))) ||
	    (r = api_string(req, "service", 0, SESAME_MAX_SERVICE, "", &service, err)))
		return r;
	pw = json_object_get(req, "password");
	old = json_object_get(req, "old_password");
	if (!json_is_string(pw) || (old != NULL && !json_is_string(old))) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The fields \"password\" and \"old_password\" must be strings.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	if (user == NULL) /* the caller itself (who may ask: the route table) */
		user = c->name[0] ? c->name : NULL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!c->is_root &&
	    !ratelimit_take(d->password_rate, c->uid, (double)now.tv_sec + now.tv_nsec / 1e9)) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "Too many password checks; try again in a second.");
		return SESAME_ERR_LOCKED;
	}
	real_name_for_policy(d, user, real_name, sizeof(real_name));
	memset(&in, 0, sizeof(in));
	in.password = json_string_value(pw);
	in.len = json_string_length(pw);
	in.old_password = old ? json_string_value(old) : NULL;
	in.old_len = old ? json_string_length(old) : 0;
	in.user = user;
	in.real_name = real_name[0] ? real_name : NULL;
	in.service = service[0] ? service : NULL;
	if ((r = password_check(d->password, &in, &res)) != SESAME_OK)
		return r;
	if ((r = audit_event(d->store, (int64_t)time(NULL), user ? user : "", service, "",
			     "password", res.accepted ? "accepted" : "refused",
			     check_reason(&res))) != SESAME_OK)
		return r;
	*reply = result_json(d->password, &res);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
