/* /v1/user/... and /v1/audit: account state, unlock, audit trail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "attempt.h"
#include "audit.h"
#include "sesame/error.h"

struct show_ctx {
	const char *user;
	int64_t now;
	json_t *out;
};

static int show_tx(store_tx_t *tx, void *arg)
{
	struct show_ctx *c = arg;
	store_user_t u;
	store_totp_t *creds = NULL;
	store_webauthn_t *keys = NULL;
	size_t n = 0, nkeys = 0;
	unsigned failures = 0;
	int64_t wait = 0;
	json_t *factors;
	int r = store_user_get(tx, c->user, &u);

	if (r == SESAME_ERR_NOT_FOUND) {
		c->out = json_pack("{s:s, s:b, s:[], s:i, s:b, s:i, s:i, s:i, s:s, s:b, s:b, s:i}",
				   "user", c->user, "known", 0, "factors", "failures", 0, "locked",
				   0, "wait", 0, "last_success", 0, "last_failure", 0, "real_name",
				   "", "has_password", 0, "disabled", 0, "password_changed", 0);
		return c->out ? SESAME_OK : SESAME_ERR_NOMEM;
	}
	if (r != SESAME_OK || (r = store_totp_list(tx, u.id, &creds, &n)) != SESAME_OK ||
	    (r = store_webauthn_list(tx, u.id, &keys, &nkeys)) != SESAME_OK ||
	    (r = attempt_account(tx, c->user, c->now, &failures, &wait)) != SESAME_OK ||
	    (r = attempt_longest_wait(tx, c->user, c->now, &wait)) != SESAME_OK)
		goto out;
	if ((factors = json_array()) == NULL) {
		r = SESAME_ERR_NOMEM;
		goto out;
	}
	/* every factor: authenticators and passkeys */
	for (size_t i = 0; i < n; i++)
		json_array_append_new(factors, api_totp_json(&creds[i]));
	for (size_t i = 0; i < nkeys; i++)
		json_array_append_new(factors, api_passkey_json(&keys[i]));
	c->out =
	    json_pack("{s:s, s:b, s:o, s:i, s:b, s:I, s:I, s:I, s:I}", "user", c->user, "known", 1,
		      "factors", factors, "failures", (int)failures, "locked", wait > 0, "wait",
		      (json_int_t)wait, "last_success", (json_int_t)u.last_success, "last_failure",
		      (json_int_t)u.last_failure, "created", (json_int_t)u.created);
	if (c->out != NULL &&
	    (json_object_set_new(c->out, "real_name", json_string(u.real_name)) != 0 ||
	     json_object_set_new(c->out, "has_password", json_boolean(u.has_password)) != 0 ||
	     json_object_set_new(c->out, "disabled", json_boolean(u.disabled)) != 0 ||
	     json_object_set_new(c->out, "password_changed",
				 json_integer((json_int_t)u.password_changed)) != 0)) {
		json_decref(c->out);
		c->out = NULL;
	}
	r = c->out ? SESAME_OK : SESAME_ERR_NOMEM;
out:
	store_totp_list_free(&creds, n);
	free(keys);
	return r;
}

int api_user_show(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", NULL};
	struct show_ctx ctx = {NULL, (int64_t)time(NULL), NULL};
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &ctx.user, err)))
		return r;
	if ((r = store_read(d->store, show_tx, &ctx)) != SESAME_OK) {
		json_decref(ctx.out);
		return r;
	}
	*reply = ctx.out;
	return SESAME_OK;
}

struct unlock_ctx {
	const char *user;
	int64_t now;
};

static int unlock_tx(store_tx_t *tx, void *arg)
{
	struct unlock_ctx *c = arg;
	store_user_t u;
	int r;

	if ((r = store_user_get(tx, c->user, &u)) != SESAME_OK ||
	    (r = attempt_forgive(tx, c->user)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, c->user, "sesamectl", "", "account", "ok", "unlock");
}

int api_user_unlock(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", NULL};
	struct unlock_ctx ctx = {NULL, (int64_t)time(NULL)};
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &ctx.user, err)))
		return r;
	if ((r = store_run(d->store, unlock_tx, &ctx)) != SESAME_OK) {
		if (r == SESAME_ERR_NOT_FOUND)
			snprintf(err->message, sizeof(err->message), "%s",
				 "Sesame has no record of this user.");
		return r;
	}
	*reply = json_pack("{s:s, s:b}", "user", ctx.user, "unlocked", 1);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

struct audit_ctx {
	const char *user;
	unsigned limit;
	json_t *events;
};

static int audit_tx(store_tx_t *tx, void *arg)
{
	struct audit_ctx *c = arg;
	store_audit_t *ev = NULL;
	size_t n = 0;
	int r = store_audit_list(tx, c->user, c->limit, &ev, &n);

	for (size_t i = 0; r == SESAME_OK && i < n; i++) {
		json_t *o =
		    json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
			      (json_int_t)ev[i].id, "time", (json_int_t)ev[i].time, "user",
			      ev[i].user, "service", ev[i].service, "rhost", ev[i].rhost, "factor",
			      ev[i].factor, "result", ev[i].result, "reason", ev[i].reason);
		if (o == NULL || json_array_append_new(c->events, o) != 0)
			r = SESAME_ERR_NOMEM;
	}
	free(ev);
	return r;
}

int api_audit(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply, api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", "limit", NULL};
	struct audit_ctx ctx = {NULL, 100, NULL};
	long long limit;
	int r;

	if ((r = api_fields(req, fields, err)) ||
	    (json_object_get(req, "user") && (r = api_user(req, "user", &ctx.user, err))) ||
	    (r = api_int(req, "limit", 0, 1, SESAME_MAX_AUDIT_LIMIT, 100, &limit, err)))
		return r;
	ctx.limit = (unsigned)limit;
	if ((ctx.events = json_array()) == NULL)
		return SESAME_ERR_NOMEM;
	if ((r = store_read(d->store, audit_tx, &ctx)) != SESAME_OK) {
		json_decref(ctx.events);
		return r;
	}
	*reply = json_pack("{s:o}", "events", ctx.events);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
