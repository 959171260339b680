/* Server-side web sessions on the store (see session.h): the web door's
 * flows, between two requests. */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "session.h"

#define WEB_SERVICE "web"

static int csrf_text(session_t *w)
{
	return base64url_encode(w->s.csrf, sizeof(w->s.csrf), w->csrf, sizeof(w->csrf));
}

/* A new session record for user_id at stage: cookie and CSRF drawn. */
static int session_fill(authd_t *d, const char *stage, int64_t now, char cookie[WEB_TOKEN_LEN + 1],
			session_t *w)
{
	int64_t life = d->cfg.web.session_lifetime;
	int r;

	if (strcmp(stage, WEB_STAGE_PASSWORD) == 0 && life > WEB_SESSION_PASSWORD_TTL)
		life = WEB_SESSION_PASSWORD_TTL;
	if ((r = token_new(cookie)) != SESAME_OK ||
	    (r = token_hash(cookie, w->s.id_hash)) != SESAME_OK)
		return r;
	if (RAND_bytes(w->s.csrf, sizeof(w->s.csrf)) != 1)
		return SESAME_ERR_CRYPTO;
	w->s.created = w->s.last_seen = now;
	w->s.expires = now + life;
	snprintf(w->s.stage, sizeof(w->s.stage), "%s", stage);
	return csrf_text(w);
}

struct create_ctx {
	const char *user;
	const unsigned char *old_hash; /* or NULL */
	int64_t now;
	session_t *w;
};

static int create_tx(store_tx_t *tx, void *arg)
{
	struct create_ctx *c = arg;
	store_user_t u;
	int r;

	if ((r = store_user_get(tx, c->user, &u)) != SESAME_OK)
		return r;
	c->w->s.user_id = u.id;
	snprintf(c->w->s.user, sizeof(c->w->s.user), "%s", u.name);
	if (c->old_hash && (r = store_session_delete(tx, c->old_hash)) != SESAME_OK &&
	    r != SESAME_ERR_NOT_FOUND)
		return r;
	/* the expired sessions of everyone go at each sign-in */
	if ((r = store_session_purge(tx, c->now)) != SESAME_OK)
		return r;
	return store_session_add(tx, &c->w->s);
}

int session_create(authd_t *d, const char *user, const char *stage, unsigned factors,
		   const char *old_cookie, int64_t now, char cookie[WEB_TOKEN_LEN + 1],
		   session_t *out)
{
	unsigned char old_hash[STORE_SESSION_HASH_LEN];
	struct create_ctx c = {user, NULL, now, out};
	int r;

	memset(out, 0, sizeof(*out));
	if (token_hash(old_cookie, old_hash) == SESAME_OK)
		c.old_hash = old_hash;
	if ((r = session_fill(d, stage, now, cookie, out)) != SESAME_OK)
		return r;
	out->s.factors = factors;
	out->s.auth_time = now;
	return store_run(d->store, create_tx, &c);
}

struct lookup_ctx {
	authd_t *d;
	const unsigned char *hash;
	const char *rhost;
	int64_t now;
	session_t *w;
	int expired;
};

static int lookup_read_tx(store_tx_t *tx, void *arg)
{
	struct lookup_ctx *c = arg;
	return store_session_get(tx, c->hash, &c->w->s);
}

static int lookup_write_tx(store_tx_t *tx, void *arg)
{
	struct lookup_ctx *c = arg;
	int r;

	if (!c->expired)
		return store_session_touch(tx, c->hash, c->now);
	if ((r = store_session_delete(tx, c->hash)) != SESAME_OK)
		return r == SESAME_ERR_NOT_FOUND ? SESAME_OK : r; /* gone meanwhile */
	return audit_record(tx, c->now, c->w->s.user, WEB_SERVICE, c->rhost, "session", "denied",
			    c->w->s.user_disabled ? sesame_err_code(SESAME_ERR_DISABLED)
						  : sesame_err_code(SESAME_ERR_EXPIRED));
}

int session_lookup(authd_t *d, const char *cookie, const char *rhost, int64_t now, session_t *out)
{
	unsigned char hash[STORE_SESSION_HASH_LEN];
	struct lookup_ctx c = {d, hash, rhost, now, out, 0};
	const store_session_t *s = &out->s;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = token_hash(cookie, hash)) != SESAME_OK)
		return r;
	if ((r = store_read(d->store, lookup_read_tx, &c)) != SESAME_OK)
		return r;
	c.expired = now >= s->expires || now - s->last_seen >= (int64_t)d->cfg.web.session_idle ||
		    s->user_disabled || s->stage[0] == '\0';
	if (c.expired || now > s->last_seen)
		if ((r = store_run(d->store, lookup_write_tx, &c)) != SESAME_OK)
			return r;
	if (c.expired) {
		memset(out, 0, sizeof(*out));
		return SESAME_ERR_EXPIRED;
	}
	out->s.last_seen = now;
	return csrf_text(out);
}

struct promote_ctx {
	const unsigned char *old_hash;
	const session_t *w;
};

static int promote_tx(store_tx_t *tx, void *arg)
{
	struct promote_ctx *c = arg;
	int r;

	/* the old id is refused from now on: whoever saw it before the
	 * second factor holds nothing */
	if ((r = store_session_delete(tx, c->old_hash)) != SESAME_OK)
		return r;
	return store_session_add(tx, &c->w->s);
}

int session_promote(authd_t *d, const session_t *s, unsigned factors, int64_t now,
		    char cookie[WEB_TOKEN_LEN + 1], session_t *out)
{
	struct promote_ctx c = {s->s.id_hash, out};
	int r;

	memset(out, 0, sizeof(*out));
	out->s.user_id = s->s.user_id;
	memcpy(out->s.user, s->s.user, sizeof(out->s.user));
	if ((r = session_fill(d, WEB_STAGE_DONE, now, cookie, out)) != SESAME_OK)
		return r;
	out->s.factors = factors;
	out->s.auth_time = now;
	return store_run(d->store, promote_tx, &c);
}

struct delete_ctx {
	const session_t *w;
	const char *rhost;
	int64_t now;
};

static int delete_tx(store_tx_t *tx, void *arg)
{
	struct delete_ctx *c = arg;
	int r = store_session_delete(tx, c->w->s.id_hash);

	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	return audit_record(tx, c->now, c->w->s.user, WEB_SERVICE, c->rhost, "session", "ok",
			    "logout");
}

int session_delete(authd_t *d, const session_t *s, const char *rhost, int64_t now)
{
	struct delete_ctx c = {s, rhost, now};
	return store_run(d->store, delete_tx, &c);
}

void session_flow(const session_t *s, const char *rhost, flow_t *f)
{
	memset(f, 0, sizeof(*f));
	f->door = FLOW_WEB;
	snprintf(f->user, sizeof(f->user), "%s", s->s.user);
	snprintf(f->service, sizeof(f->service), "%s", WEB_SERVICE);
	snprintf(f->rhost, sizeof(f->rhost), "%s", rhost);
	f->passed = s->s.factors;
	/* a session from before the flow recorded factors: its stage says */
	if (f->passed == 0 && strcmp(s->s.stage, WEB_STAGE_PASSWORD) == 0)
		f->passed = FACTOR_PASSWORD;
	f->auth_time = s->s.auth_time;
}

struct factors_ctx {
	session_t *s;
	unsigned factors;
	int64_t now;
};

static int factors_tx(store_tx_t *tx, void *arg)
{
	struct factors_ctx *c = arg;
	return store_session_set_auth(tx, c->s->s.id_hash, c->factors, c->now);
}

int session_set_factors(authd_t *d, session_t *s, unsigned factors, int64_t now)
{
	struct factors_ctx c = {s, factors, now};
	int r = store_run(d->store, factors_tx, &c);

	if (r == SESAME_OK) {
		s->s.factors = factors;
		s->s.auth_time = now;
	}
	return r;
}
