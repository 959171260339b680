/* Users' passwords (account.h): the policy's verdict and the hash, then
 * the one transaction that stores it and ends the other sessions. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "api.h"
#include "attempt.h"
#include "audit.h"
#include "oidc_logout.h"
#include "sesame/error.h"
#include "sesame/log.h"
#include "usercode.h"
#include "userpw.h"

int account_new_password(authd_t *d, const char *user, const char *real_name, const char *pw,
			 size_t len, const char *old, size_t old_len, char *hash, size_t hashsz,
			 password_result_t *res)
{
	password_input_t in;
	char gecos[256];
	int r;

	if (real_name == NULL || *real_name == '\0') {
		api_real_name_of(user, gecos, sizeof(gecos));
		real_name = gecos;
	}
	memset(&in, 0, sizeof(in));
	in.password = pw;
	in.len = len;
	in.old_password = old;
	in.old_len = old_len;
	in.user = user;
	in.real_name = *real_name ? real_name : NULL;
	if ((r = password_check(d->password, &in, res)) != SESAME_OK)
		return r;
	if (!res->accepted)
		return SESAME_ERR_PASSWORD_REFUSED;
	return userpw_hash(in.password, in.len, hash, hashsz);
}

struct real_name_ctx {
	const char *user;
	char *out;
};

static int real_name_tx(store_tx_t *tx, void *arg)
{
	struct real_name_ctx *c = arg;
	store_user_t u;
	int r = store_user_get(tx, c->user, &u);

	if (r == SESAME_OK)
		memcpy(c->out, u.real_name, sizeof(u.real_name));
	return r;
}

int account_real_name(authd_t *d, const char *user, char out[SESAME_MAX_REAL_NAME + 1])
{
	struct real_name_ctx c = {user, out};

	out[0] = '\0';
	return store_read(d->store, real_name_tx, &c);
}

struct set_ctx {
	const char *user, *hash, *service, *rhost, *reason;
	const unsigned char *keep;
	int64_t now;
};

static int set_tx(store_tx_t *tx, void *arg)
{
	struct set_ctx *c = arg;
	store_user_t u;
	int r;

	if ((r = store_user_get(tx, c->user, &u)) != SESAME_OK ||
	    (r = store_user_set_password(tx, u.id, c->hash, c->now)) != SESAME_OK ||
	    (r = store_session_delete_user_except(tx, u.id, c->keep)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, c->user, c->service, c->rhost, "password", "ok", c->reason);
}

int account_password_set(authd_t *d, const char *user, const char *hash, const unsigned char *keep,
			 const char *service, const char *rhost, const char *reason, int64_t now)
{
	struct set_ctx c = {user, hash, service, rhost, reason, keep, now};
	return store_run(d->store, set_tx, &c);
}

struct add_ctx {
	const char *user, *real_name, *hash, *service;
	int64_t now;
};

static int add_tx(store_tx_t *tx, void *arg)
{
	struct add_ctx *c = arg;
	store_user_t u;
	int r;

	if ((r = store_user_add(tx, c->user, c->real_name, c->now, &u)) != SESAME_OK ||
	    (c->hash && (r = store_user_set_password(tx, u.id, c->hash, c->now)) != SESAME_OK))
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, c->user, c->service, "", "account", "ok", "add");
}

int account_add(authd_t *d, const char *user, const char *real_name, const char *hash,
		const char *service, int64_t now)
{
	struct add_ctx c = {user, real_name, hash, service, now};
	return store_run(d->store, add_tx, &c);
}

struct state_ctx {
	const char *user, *service;
	int disabled; /* -1: unlock */
	int64_t now;
};

static int state_tx(store_tx_t *tx, void *arg)
{
	struct state_ctx *c = arg;
	store_user_t u;
	int r;

	if ((r = store_user_get(tx, c->user, &u)) != SESAME_OK)
		return r;
	r = c->disabled < 0 ? attempt_forgive(tx, c->user)
			    : store_user_set_disabled(tx, u.id, c->disabled);
	if (r != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, c->user, c->service, "", "account", "ok",
			    c->disabled < 0 ? "unlock"
			    : c->disabled   ? "disable"
					    : "enable");
}

int account_set_disabled(authd_t *d, const char *user, int disabled, const char *service,
			 int64_t now)
{
	struct state_ctx c = {user, service, disabled != 0, now};
	int r = store_run(d->store, state_tx, &c);

	/* the relying parties it signed in to end their sessions too */
	if (r == SESAME_OK && disabled && oidc_logout_user(d, user, now) != SESAME_OK)
		log_err("oidc: logout of the disabled %s failed", user);
	return r;
}

int account_unlock(authd_t *d, const char *user, const char *service, int64_t now)
{
	struct state_ctx c = {user, service, -1, now};
	return store_run(d->store, state_tx, &c);
}

struct show_ctx {
	const char *user;
	int64_t now;
	account_view_t *v;
};

static int show_tx(store_tx_t *tx, void *arg)
{
	struct show_ctx *c = arg;
	account_view_t *v = c->v;
	int r;

	account_view_free(v); /* a transaction function may run twice */
	if ((r = store_user_get(tx, c->user, &v->u)) == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	v->known = 1;
	v->factors.known = 1;
	if ((r = store_totp_list(tx, v->u.id, &v->factors.totp, &v->factors.n_totp)) != SESAME_OK ||
	    (r = store_webauthn_list(tx, v->u.id, &v->factors.keys, &v->factors.n_keys)) !=
		SESAME_OK ||
	    (r = usercode_recovery_left_tx(tx, v->u.id, &v->factors.recovery_left)) != SESAME_OK ||
	    (r = attempt_account(tx, c->user, c->now, &v->failures, &v->wait)) != SESAME_OK)
		return r;
	return attempt_longest_wait(tx, c->user, c->now, &v->wait);
}

int account_show(authd_t *d, const char *user, int64_t now, account_view_t *v)
{
	struct show_ctx c = {user, now, v};

	memset(v, 0, sizeof(*v));
	return store_read(d->store, show_tx, &c);
}

void account_view_free(account_view_t *v)
{
	factor_lists_free(&v->factors);
	memset(v, 0, sizeof(*v));
}
