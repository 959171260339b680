/* Users' passwords (account.h): the policy's verdict and the hash, then
 * the one transaction that stores it and ends the other sessions. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "api.h"
#include "audit.h"
#include "sesame/error.h"
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
