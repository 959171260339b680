/* /v1/user/... and /v1/audit: account state, unlock, audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "api.h"
#include "audit.h"
#include "sesame/error.h"

int api_user_show(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err)
{
	static const char *const fields[] = {"user", NULL};
	account_view_t v;
	const char *user;
	json_t *factors;
	int r;

	(void)c; /* who may ask: the route table (api_util.c) */
	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)))
		return r;
	if ((r = account_show(d, user, (int64_t)time(NULL), &v)) != SESAME_OK)
		goto out;
	if ((factors = json_array()) == NULL) {
		r = SESAME_ERR_NOMEM;
		goto out;
	}
	/* every factor: authenticators and passkeys */
	for (size_t i = 0; i < v.factors.n_totp; i++)
		json_array_append_new(factors, api_totp_json(&v.factors.totp[i]));
	for (size_t i = 0; i < v.factors.n_keys; i++)
		json_array_append_new(factors, api_passkey_json(&v.factors.keys[i]));
	*reply =
	    json_pack("{s:s, s:b, s:o, s:i, s:b, s:I, s:I, s:I, s:s, s:b, s:b, s:I}", "user", user,
		      "known", v.known, "factors", factors, "failures", (int)v.failures, "locked",
		      v.wait > 0, "wait", (json_int_t)v.wait, "last_success",
		      (json_int_t)v.u.last_success, "last_failure", (json_int_t)v.u.last_failure,
		      "real_name", v.u.real_name, "has_password", v.u.has_password, "disabled",
		      v.u.disabled, "password_changed", (json_int_t)v.u.password_changed);
	if (*reply != NULL && v.known &&
	    (json_object_set_new(*reply, "created", json_integer((json_int_t)v.u.created)) != 0 ||
	     json_object_set_new(*reply, "recovery_codes",
				 json_integer((json_int_t)v.factors.recovery_left)) != 0)) {
		json_decref(*reply);
		*reply = NULL;
	}
	r = *reply ? SESAME_OK : SESAME_ERR_NOMEM;
out:
	account_view_free(&v);
	return r;
}

int api_user_unlock(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	static const char *const fields[] = {"user", NULL};
	const char *user;
	int r;

	(void)c; /* who may ask: the route table (api_util.c) */
	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)))
		return r;
	if ((r = account_unlock(d, user, "sesamectl", (int64_t)time(NULL))) != SESAME_OK) {
		if (r == SESAME_ERR_NOT_FOUND)
			snprintf(err->message, sizeof(err->message), "%s",
				 "Sesame has no record of this user.");
		return r;
	}
	*reply = json_pack("{s:s, s:b}", "user", user, "unlocked", 1);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_audit(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply, api_error_t *err)
{
	static const char *const fields[] = {"user", "limit", NULL};
	const char *user = NULL;
	store_audit_t *ev = NULL;
	size_t n = 0;
	json_t *events;
	long long limit;
	int r;

	(void)c; /* who may ask: the route table (api_util.c) */
	if ((r = api_fields(req, fields, err)) ||
	    (json_object_get(req, "user") && (r = api_user(req, "user", &user, err))) ||
	    (r = api_int(req, "limit", 0, 1, SESAME_MAX_AUDIT_LIMIT, 100, &limit, err)))
		return r;
	if ((r = audit_list(d->store, user, (unsigned)limit, &ev, &n)) != SESAME_OK)
		goto out;
	if ((events = json_array()) == NULL) {
		r = SESAME_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; r == SESAME_OK && i < n; i++) {
		json_t *o =
		    json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
			      (json_int_t)ev[i].id, "time", (json_int_t)ev[i].time, "user",
			      ev[i].user, "service", ev[i].service, "rhost", ev[i].rhost, "factor",
			      ev[i].factor, "result", ev[i].result, "reason", ev[i].reason);
		if (o == NULL || json_array_append_new(events, o) != 0)
			r = SESAME_ERR_NOMEM;
	}
	*reply = r == SESAME_OK ? json_pack("{s:o}", "events", events) : NULL;
	if (r != SESAME_OK)
		json_decref(events);
	else if (*reply == NULL)
		r = SESAME_ERR_NOMEM;
out:
	free(ev);
	return r;
}
