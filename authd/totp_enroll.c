/* TOTP enrollment shared by the API and the web pages (totp_enroll.h). */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "otpauth.h"
#include "sesame/error.h"
#include "totp.h"
#include "totp_enroll.h"

struct enroll_ctx {
	const totp_enroll_t *e;
	store_totp_t cred;
	int64_t id;
};

static int enroll_tx(store_tx_t *tx, void *arg)
{
	struct enroll_ctx *c = arg;
	store_user_t u;
	int r;

	if ((r = store_user_ensure(tx, c->e->user, c->cred.created, &u)) != SESAME_OK ||
	    (r = store_totp_delete_pending(tx, u.id)) != SESAME_OK)
		return r;
	c->cred.user_id = u.id;
	if ((r = store_totp_add(tx, &c->cred, &c->id)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->cred.created, c->e->user, c->e->service, c->e->rhost, "totp",
			    "ok", "enroll");
}

int totp_enroll_start(authd_t *d, const totp_enroll_t *e, int64_t *id, char **uri)
{
	struct enroll_ctx ctx;
	unsigned char seed[64];
	size_t seedlen = totp_seed_len(e->alg);
	totp_params_t p = {e->alg, e->digits, d->cfg.period};
	int r;

	*uri = NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.e = e;
	if (RAND_bytes(seed, (int)seedlen) != 1) {
		r = SESAME_ERR_CRYPTO;
		goto out;
	}
	if ((r = seal_encrypt(d->keys, SEAL_PURPOSE_TOTP, e->user, seed, seedlen, &ctx.cred.sealed,
			      &ctx.cred.sealed_len)) != SESAME_OK ||
	    (r = otpauth_uri(d->cfg.issuer, e->user, seed, seedlen, &p, uri)) != SESAME_OK)
		goto out;
	snprintf(ctx.cred.name, sizeof(ctx.cred.name), "%s", e->name);
	ctx.cred.alg = p.alg;
	ctx.cred.digits = p.digits;
	ctx.cred.period = p.period;
	ctx.cred.created = e->now;
	if ((r = store_run(d->store, enroll_tx, &ctx)) != SESAME_OK)
		goto out;
	*id = ctx.id;
out:
	OPENSSL_cleanse(seed, sizeof(seed));
	if (r != SESAME_OK && *uri) {
		OPENSSL_cleanse(*uri, strlen(*uri));
		free(*uri);
		*uri = NULL;
	}
	free(ctx.cred.sealed);
	return r;
}

struct confirm_ctx {
	authd_t *d;
	const char *user, *code, *service, *rhost;
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
	r = audit_record(tx, c->now, c->user, c->service, c->rhost, "totp",
			 c->result == SESAME_OK ? "ok" : "denied",
			 c->result == SESAME_OK ? "confirm" : sesame_err_code(c->result));
out:
	seal_buf_free(&seed, seedlen);
	store_totp_list_free(&creds, n);
	return r;
}

int totp_enroll_confirm(authd_t *d, const char *user, const char *code, const char *service,
			const char *rhost, int64_t now, int *result, int64_t *id)
{
	struct confirm_ctx ctx = {d, user, code, service, rhost, now, SESAME_ERR_INTERNAL, 0};
	int r = store_run(d->store, confirm_tx, &ctx);

	*result = ctx.result;
	*id = ctx.id;
	return r;
}
