/* /v1/totp/...: enrollment with confirmation, listing and removal (root). */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "audit.h"
#include "otpauth.h"
#include <openssl/crypto.h>
#include <stdint.h>

#include "sesame/error.h"
#include "totp.h"

#define SEAL_PURPOSE_TOTP "totp-seed"
#define ADMIN_SERVICE "sesamectl"

struct enroll_ctx {
	const char *user;
	store_totp_t cred;
	int64_t id;
};

static int enroll_tx(store_tx_t *tx, void *arg)
{
	struct enroll_ctx *c = arg;
	store_user_t u;
	int r;

	if ((r = store_user_ensure(tx, c->user, c->cred.created, &u)) != SESAME_OK ||
	    (r = store_totp_delete_pending(tx, u.id)) != SESAME_OK)
		return r;
	c->cred.user_id = u.id;
	if ((r = store_totp_add(tx, &c->cred, &c->id)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->cred.created, c->user, ADMIN_SERVICE, "", "totp", "ok",
			    "enroll");
}

int api_totp_enroll(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	static const char *const fields[] = {"user", "algorithm", "digits", "name", NULL};
	struct enroll_ctx ctx;
	const char *user, *alg_name, *name;
	long long digits;
	unsigned char seed[64];
	size_t seedlen;
	char *uri = NULL;
	totp_params_t p;
	int r;

	memset(&ctx, 0, sizeof(ctx));
	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = api_string(req, "algorithm", 0, 16, config_alg_name(d->cfg.algorithm), &alg_name,
			    err)) ||
	    (r = api_int(req, "digits", 0, SESAME_TOTP_MIN_DIGITS, SESAME_TOTP_MAX_DIGITS,
			 d->cfg.digits, &digits, err)) ||
	    (r = api_string(req, "name", 0, SESAME_MAX_LABEL, "authenticator", &name, err)) ||
	    (r = api_need_root(c, err)))
		return r;
	if (config_alg_parse(alg_name, &p.alg) != SESAME_OK) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The algorithm must be SHA1, SHA256 or SHA512.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	p.digits = (unsigned)digits;
	p.period = d->cfg.period;
	seedlen = totp_seed_len(p.alg);
	if (RAND_bytes(seed, (int)seedlen) != 1) {
		r = SESAME_ERR_CRYPTO;
		goto fail;
	}
	if ((r = seal_encrypt(d->keys, SEAL_PURPOSE_TOTP, user, seed, seedlen, &ctx.cred.sealed,
			      &ctx.cred.sealed_len)) != SESAME_OK ||
	    (r = otpauth_uri(d->cfg.issuer, user, seed, seedlen, &p, &uri)) != SESAME_OK)
		goto fail;
	ctx.user = user;
	snprintf(ctx.cred.name, sizeof(ctx.cred.name), "%s", name);
	ctx.cred.alg = p.alg;
	ctx.cred.digits = p.digits;
	ctx.cred.period = p.period;
	ctx.cred.created = (int64_t)time(NULL);
	if ((r = store_run(d->store, enroll_tx, &ctx)) != SESAME_OK)
		goto fail;
	*reply = json_pack("{s:s, s:I, s:s, s:s, s:i, s:i}", "user", user, "id", (json_int_t)ctx.id,
			   "otpauth_uri", uri, "algorithm", config_alg_name(p.alg), "digits",
			   (int)p.digits, "period", (int)p.period);
	r = *reply ? SESAME_OK : SESAME_ERR_NOMEM;
fail:
	OPENSSL_cleanse(seed, sizeof(seed));
	if (uri) {
		OPENSSL_cleanse(uri, strlen(uri));
		free(uri);
	}
	free(ctx.cred.sealed);
	return r;
}

struct confirm_ctx {
	authd_t *d;
	const char *user;
	const char *code;
	int64_t now;
	int result;
	int64_t id;
};

static int confirm_tx(store_tx_t *tx, void *arg)
{
	struct confirm_ctx *c = arg;
	store_user_t u;
	store_totp_t *creds = NULL;
	const store_totp_t *pending = NULL;
	unsigned char *seed = NULL;
	size_t n = 0, seedlen = 0;
	int64_t step = -1;
	int r;

	c->result = SESAME_ERR_CONFLICT;
	if ((r = store_user_get(tx, c->user, &u)) == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK || (r = store_totp_list(tx, u.id, &creds, &n)) != SESAME_OK)
		return r;
	for (size_t i = 0; i < n; i++)
		if (!creds[i].confirmed)
			pending = &creds[i];
	if (pending == NULL) {
		r = SESAME_OK;
		goto out;
	}
	if ((r = seal_decrypt(c->d->keys, SEAL_PURPOSE_TOTP, c->user, pending->sealed,
			      pending->sealed_len, &seed, &seedlen)) != SESAME_OK)
		goto out;
	totp_params_t p = {pending->alg, pending->digits, pending->period};
	c->result =
	    totp_verify(seed, seedlen, &p, c->d->cfg.window, (time_t)c->now, c->code, -1, &step);
	c->id = pending->id;
	if (c->result == SESAME_OK) {
		/* the confirming code counts as used: it cannot log in afterwards */
		if ((r = store_totp_confirm(tx, pending->id, step, c->now)) != SESAME_OK)
			goto out;
		store_tx_durable(tx);
	}
	r = audit_record(tx, c->now, c->user, ADMIN_SERVICE, "", "totp",
			 c->result == SESAME_OK ? "ok" : "denied",
			 c->result == SESAME_OK ? "confirm" : sesame_err_code(c->result));
out:
	seal_buf_free(&seed, seedlen);
	store_totp_list_free(&creds, n);
	return r;
}

int api_totp_confirm(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err)
{
	static const char *const fields[] = {"user", "code", NULL};
	struct confirm_ctx ctx = {d, NULL, NULL, (int64_t)time(NULL), SESAME_ERR_INTERNAL, 0};
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &ctx.user, err)) ||
	    (r = api_string(req, "code", 1, SESAME_TOTP_MAX_DIGITS, NULL, &ctx.code, err)) ||
	    (r = api_need_root(c, err)))
		return r;
	if ((r = store_run(d->store, confirm_tx, &ctx)) != SESAME_OK)
		return r;
	if (ctx.result == SESAME_ERR_CONFLICT) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "No TOTP enrollment is waiting for confirmation for this user.");
		return SESAME_ERR_CONFLICT;
	}
	if (ctx.result != SESAME_OK) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The code does not match the pending authenticator; check the phone's "
			 "clock and try the next code.");
		return ctx.result == SESAME_ERR_REPLAY ? SESAME_ERR_WRONG_CODE : ctx.result;
	}
	*reply = json_pack("{s:s, s:I, s:b}", "user", ctx.user, "id", (json_int_t)ctx.id,
			   "confirmed", 1);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

json_t *api_totp_json(const store_totp_t *t)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:i, s:i, s:b, s:I, s:I}", "type", "totp", "id",
			 (json_int_t)t->id, "name", t->name, "algorithm", config_alg_name(t->alg),
			 "digits", (int)t->digits, "period", (int)t->period, "confirmed",
			 t->confirmed, "created", (json_int_t)t->created, "last_used",
			 (json_int_t)t->last_used);
}

struct list_ctx {
	const char *user;
	json_t *items;
};

static int list_tx(store_tx_t *tx, void *arg)
{
	struct list_ctx *c = arg;
	store_user_t u;
	store_totp_t *creds = NULL;
	size_t n = 0;
	int r = store_user_get(tx, c->user, &u);

	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK || (r = store_totp_list(tx, u.id, &creds, &n)) != SESAME_OK)
		return r;
	for (size_t i = 0; i < n && r == SESAME_OK; i++)
		if (json_array_append_new(c->items, api_totp_json(&creds[i])) != 0)
			r = SESAME_ERR_NOMEM;
	store_totp_list_free(&creds, n);
	return r;
}

int api_totp_list(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		  api_error_t *err)
{
	static const char *const fields[] = {"user", NULL};
	struct list_ctx ctx = {NULL, NULL};
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &ctx.user, err)) ||
	    (r = api_need_root(c, err)))
		return r;
	if ((ctx.items = json_array()) == NULL)
		return SESAME_ERR_NOMEM;
	if ((r = store_read(d->store, list_tx, &ctx)) != SESAME_OK) {
		json_decref(ctx.items);
		return r;
	}
	*reply = json_pack("{s:s, s:o}", "user", ctx.user, "totp", ctx.items);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

struct remove_ctx {
	const char *user;
	int64_t id;
	int64_t now;
};

static int remove_tx(store_tx_t *tx, void *arg)
{
	struct remove_ctx *c = arg;
	store_user_t u;
	int r;

	if ((r = store_user_get(tx, c->user, &u)) != SESAME_OK ||
	    (r = store_totp_delete(tx, u.id, c->id)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, c->user, ADMIN_SERVICE, "", "totp", "ok", "remove");
}

int api_totp_remove(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	static const char *const fields[] = {"user", "id", NULL};
	struct remove_ctx ctx = {NULL, 0, (int64_t)time(NULL)};
	long long id;
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &ctx.user, err)) ||
	    (r = api_int(req, "id", 1, 1, INT64_MAX, 0, &id, err)) || (r = api_need_root(c, err)))
		return r;
	ctx.id = id;
	if ((r = store_run(d->store, remove_tx, &ctx)) != SESAME_OK) {
		if (r == SESAME_ERR_NOT_FOUND)
			snprintf(err->message, sizeof(err->message), "%s",
				 "This user has no TOTP authenticator with that id.");
		return r;
	}
	*reply = json_pack("{s:s, s:I, s:b}", "user", ctx.user, "id", (json_int_t)id, "removed", 1);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
