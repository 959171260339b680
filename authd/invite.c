/* Enrollment invitations (see invite.h). */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "invite.h"
#include "sesame/error.h"

struct issue_ctx {
	const char *user, *real_name, *service, *rhost;
	const unsigned char *hash;
	int64_t now, expires;
};

static int issue_tx(store_tx_t *tx, void *arg)
{
	struct issue_ctx *c = arg;
	store_user_t u;
	int r = store_user_get(tx, c->user, &u);

	if (r == SESAME_ERR_NOT_FOUND)
		r = store_user_add(tx, c->user, c->real_name ? c->real_name : "", c->now, &u);
	if (r != SESAME_OK)
		return r;
	if (u.disabled)
		return SESAME_ERR_DISABLED;
	if ((r = store_user_lock(tx, u.id)) != SESAME_OK || /* one live invitation */
	    (r = store_invite_purge(tx, c->now)) != SESAME_OK ||
	    (r = store_invite_add(tx, c->hash, u.id, c->now, c->expires)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, c->user, c->service, c->rhost, "invite", "ok", "issued");
}

int invite_issue(authd_t *d, const char *user, const char *real_name, const char *service,
		 const char *rhost, int64_t now, char token[TOKEN_LEN + 1], int64_t *expires)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct issue_ctx c = {user, real_name, service, rhost, hash, now, 0};
	int r;

	if ((r = token_new(token)) != SESAME_OK || (r = token_hash(token, hash)) != SESAME_OK)
		return r;
	c.expires = now + (int64_t)d->cfg.web.invitation_ttl;
	if ((r = store_run(d->store, issue_tx, &c)) != SESAME_OK)
		return r;
	*expires = c.expires;
	return SESAME_OK;
}

struct lookup_ctx {
	const unsigned char *hash;
	int64_t now;
	store_user_t *u;
};

static int lookup_tx(store_tx_t *tx, void *arg)
{
	struct lookup_ctx *c = arg;
	char name[SESAME_MAX_USERNAME + 1];
	int64_t user_id = 0, expires = 0;
	int r = store_invite_get(tx, c->hash, c->now, &user_id, name, &expires);

	if (r != SESAME_OK)
		return r;
	return store_user_get(tx, name, c->u);
}

int invite_lookup(authd_t *d, const char *token, int64_t now, store_user_t *u)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct lookup_ctx c = {hash, now, u};
	int r;

	if ((r = token_hash(token, hash)) != SESAME_OK)
		return r;
	return store_read(d->store, lookup_tx, &c);
}

struct accept_ctx {
	const unsigned char *hash;
	int64_t user_id;
	const char *pw_hash, *service, *rhost;
	int64_t now;
};

static int accept_tx(store_tx_t *tx, void *arg)
{
	struct accept_ctx *c = arg;
	char name[SESAME_MAX_USERNAME + 1];
	int64_t user_id = 0;
	int r = store_invite_take(tx, c->hash, c->now, &user_id);

	if (r != SESAME_OK)
		return r;
	if (user_id != c->user_id)
		return SESAME_ERR_NOT_FOUND; /* rolled back: the row stays */
	/* a new start: browsers signed in before are signed out */
	if ((r = store_user_name(tx, user_id, name)) != SESAME_OK ||
	    (r = store_user_set_password(tx, user_id, c->pw_hash, c->now)) != SESAME_OK ||
	    (r = store_session_delete_user(tx, user_id)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, name, c->service, c->rhost, "invite", "ok", "accepted");
}

int invite_accept(authd_t *d, const char *token, int64_t user_id, const char *hash,
		  const char *service, const char *rhost, int64_t now)
{
	unsigned char th[TOKEN_HASH_LEN];
	struct accept_ctx c = {th, user_id, hash, service, rhost, now};
	int r;

	if ((r = token_hash(token, th)) != SESAME_OK)
		return r;
	return store_run(d->store, accept_tx, &c);
}
