/* Renaming and removing factors (see factor_manage.h). */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "factor_manage.h"
#include "requirement.h"
#include "sesame/error.h"
#include "usercode.h"

struct manage_ctx {
	authd_t *d;
	const char *user;
	const factor_t *kind;
	int64_t id, now;
	const char *name; /* rename; NULL: remove */
	int force;
	const char *service, *rhost;
	int verdict; /* SESAME_OK, _NOT_FOUND or _PERMISSION: the refusal commits */
};

/* How many second factors u has, and whether kind's id is one of its
 * credentials (*found) and counts as a factor (*usable: a pending TOTP
 * authenticator does not). */
static int count_factors(store_tx_t *tx, int64_t user_id, const factor_t *kind, int64_t id,
			 int recovery_counts, size_t *factors, int *found, int *usable)
{
	store_totp_t *totp = NULL;
	store_webauthn_t *keys = NULL;
	size_t ntotp = 0, nkeys = 0;
	int r;

	*factors = 0;
	*found = *usable = 0;
	if ((r = store_totp_list(tx, user_id, &totp, &ntotp)) != SESAME_OK ||
	    (r = store_webauthn_list(tx, user_id, &keys, &nkeys)) != SESAME_OK)
		goto out;
	for (size_t i = 0; i < ntotp; i++) {
		*factors += totp[i].confirmed != 0;
		if (kind == &factor_totp && totp[i].id == id) {
			*found = 1;
			*usable = totp[i].confirmed != 0;
		}
	}
	for (size_t i = 0; i < nkeys; i++)
		if (kind == &factor_passkey && keys[i].id == id)
			*found = *usable = 1;
	*factors += nkeys;
	if (recovery_counts) { /* the requirement names recovery: the codes left are a factor */
		unsigned left = 0;
		if ((r = usercode_recovery_left_tx(tx, user_id, &left)) != SESAME_OK)
			goto out;
		*factors += left > 0;
	}
out:
	store_totp_list_free(&totp, ntotp);
	free(keys);
	return r;
}

void factor_lists_free(factor_lists_t *l)
{
	store_totp_list_free(&l->totp, l->n_totp);
	free(l->keys);
	memset(l, 0, sizeof(*l));
}

struct lists_ctx {
	const char *user;
	factor_lists_t *l;
};

static int lists_tx(store_tx_t *tx, void *arg)
{
	struct lists_ctx *c = arg;
	factor_lists_t *l = c->l;
	store_user_t u;
	int r;

	factor_lists_free(l); /* a transaction function may run twice */
	if ((r = store_user_get(tx, c->user, &u)) == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK)
		return r;
	l->known = 1;
	if ((r = store_totp_list(tx, u.id, &l->totp, &l->n_totp)) != SESAME_OK ||
	    (r = usercode_recovery_left_tx(tx, u.id, &l->recovery_left)) != SESAME_OK)
		return r;
	return store_webauthn_list(tx, u.id, &l->keys, &l->n_keys);
}

int factor_lists(authd_t *d, const char *user, factor_lists_t *out)
{
	struct lists_ctx c = {user, out};

	memset(out, 0, sizeof(*out));
	return store_read(d->store, lists_tx, &c);
}

/* Recovery codes count for the last-factor rule only where a door's
 * requirement names "recovery" itself (not as a stand-in for a code). */
static int recovery_counts(const authd_t *d)
{
	if (requirement_names(&d->require_pam, FACTOR_RECOVERY) ||
	    requirement_names(&d->require_web, FACTOR_RECOVERY))
		return 1;
	for (size_t i = 0; i < d->cfg.require.n_services; i++)
		if (requirement_names(&d->require_services[i], FACTOR_RECOVERY))
			return 1;
	return 0;
}

static int manage_tx(store_tx_t *tx, void *arg)
{
	struct manage_ctx *c = arg;
	store_user_t u;
	size_t factors;
	int found, usable, last, r;

	c->verdict = SESAME_OK;
	if ((r = store_user_get(tx, c->user, &u)) == SESAME_ERR_NOT_FOUND) {
		c->verdict = r;
		return SESAME_OK;
	}
	/* the count decides: no other removal may count on the same snapshot */
	if (r != SESAME_OK || (r = store_user_lock(tx, u.id)) != SESAME_OK ||
	    (r = count_factors(tx, u.id, c->kind, c->id, recovery_counts(c->d), &factors, &found,
			       &usable)) != SESAME_OK)
		return r;
	if (!found) {
		c->verdict = SESAME_ERR_NOT_FOUND;
		return SESAME_OK;
	}
	if (c->name != NULL) {
		r = c->kind == &factor_totp ? store_totp_rename(tx, u.id, c->id, c->name)
					    : store_webauthn_rename(tx, u.id, c->id, c->name);
		if (r != SESAME_OK)
			return r;
		return audit_record(tx, c->now, c->user, c->service, c->rhost, c->kind->name, "ok",
				    "rename");
	}
	last = usable && factors <= 1;
	if (last && c->d->cfg.web.require_mfa && !c->force) {
		c->verdict = SESAME_ERR_PERMISSION;
		return audit_record(tx, c->now, c->user, c->service, c->rhost, c->kind->name,
				    "denied", "last_factor");
	}
	r = c->kind == &factor_totp ? store_totp_delete(tx, u.id, c->id)
				    : store_webauthn_delete(tx, u.id, c->id);
	if (r != SESAME_OK)
		return r;
	store_tx_durable(tx); /* a removed factor stays removed */
	return audit_record(tx, c->now, c->user, c->service, c->rhost, c->kind->name, "ok",
			    last ? "remove_last" : "remove");
}

static int manage(struct manage_ctx *c)
{
	int r;

	if (c->kind != &factor_totp && c->kind != &factor_passkey)
		return SESAME_ERR_INVALID_ARGUMENT;
	r = store_run(c->d->store, manage_tx, c);
	return r == SESAME_OK ? c->verdict : r;
}

int factor_rename(authd_t *d, const char *user, const factor_t *kind, int64_t id, const char *name,
		  const char *service, const char *rhost, int64_t now)
{
	struct manage_ctx c = {d, user, kind, id, now, name, 0, service, rhost, SESAME_OK};
	return manage(&c);
}

int factor_remove(authd_t *d, const char *user, const factor_t *kind, int64_t id, int force,
		  const char *service, const char *rhost, int64_t now)
{
	struct manage_ctx c = {d, user, kind, id, now, NULL, force, service, rhost, SESAME_OK};
	return manage(&c);
}
