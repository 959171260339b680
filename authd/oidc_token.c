/* Token, userinfo, revocation and introspection endpoints of the OpenID
 * Connect provider (oidc_token.h). Each spend of a code or refresh token
 * is a conditional write in the store; a second spend revokes the grant
 * (every token it gave). */
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "factor.h"
#include "oidc_jose.h"
#include "oidc_token.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"

#define OIDC_VERIFIER_MIN 43
#define OIDC_VERIFIER_MAX 128

const char *oidc_acr(authd_t *d, unsigned factors)
{
	unsigned n = 0;

	for (unsigned b = factors & FACTOR_ALL; b; b &= b - 1)
		n++;
	/* a passkey that verified its user is two factors in one device */
	if (n >= 2 || ((factors & FACTOR_PASSKEY) && d->cfg.web.require_uv))
		return OIDC_ACR_MFA;
	return OIDC_ACR_1FA;
}

static int reply_error(oidc_reply_t *out, unsigned status, const char *error,
		       const char *description)
{
	out->status = status;
	out->body = description
			? json_pack("{s:s, s:s}", "error", error, "error_description", description)
			: json_pack("{s:s}", "error", error);
	return out->body ? SESAME_OK : SESAME_ERR_NOMEM;
}

/* The client's authentication (RFC 6749 §2.3, OIDC Core §9): one method,
 * the one registered. An error reply is made into out (*ok stays 0). */
static int client_auth(authd_t *d, const oidc_token_req_t *req, oidc_client_conf_t *c,
		       oidc_reply_t *out, int *ok)
{
	const char *id = req->basic ? req->basic_id : req->post_id;
	const char *method = req->basic		? "client_secret_basic"
			     : req->post_secret ? "client_secret_post"
						: "none";
	const char *secret = req->basic ? req->basic_secret : req->post_secret;
	int r;

	*ok = 0;
	out->www_basic = req->basic;
	if (req->repeated || (req->basic && req->post_secret) ||
	    (req->basic && req->post_id && req->basic_id &&
	     strcmp(req->post_id, req->basic_id) != 0))
		return reply_error(out, 400, "invalid_request",
				   "One client authentication method, each field once.");
	if (id == NULL || id[0] == '\0')
		return reply_error(out, 401, "invalid_client", "The client is not authenticated.");
	r = oidc_client_find(d, id, c, NULL);
	if (r == SESAME_ERR_NOT_FOUND)
		return reply_error(out, 401, "invalid_client", "The client is not authenticated.");
	if (r != SESAME_OK)
		return r;
	if (strcmp(method, c->auth_method) != 0)
		return reply_error(out, 401, "invalid_client",
				   "This client authenticates with another method.");
	if (c->has_secret && !oidc_client_secret_ok(c, secret, secret ? strlen(secret) : 0))
		return reply_error(out, 401, "invalid_client", "The client is not authenticated.");
	out->www_basic = 0;
	*ok = 1;
	return SESAME_OK;
}

/* ---- ID tokens ---- */

static int id_token(authd_t *d, const oidc_client_conf_t *c, const store_oidc_grant_t *g,
		    const char *access, int with_nonce, int64_t now, char **jwt)
{
	const char *alg = oidc_client_alg(d, c);
	char at_hash[64], amr_text[64], *save = NULL;
	json_t *claims, *amr = json_array();
	unsigned n = 0;
	int r;

	*jwt = NULL;
	factor_amr(g->factors, amr_text, sizeof(amr_text));
	for (char *w = strtok_r(amr_text, " ", &save); amr && w; w = strtok_r(NULL, " ", &save)) {
		json_array_append_new(amr, json_string(w));
		n++;
	}
	if (amr && n >= 2)
		json_array_append_new(amr, json_string("mfa"));
	if ((r = oidc_jose_half_hash(alg, access, at_hash, sizeof(at_hash))) != SESAME_OK) {
		json_decref(amr);
		return r;
	}
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:o, s:s}", "iss",
			   d->oidc->issuer, "sub", g->user, "aud", c->id, "exp",
			   (json_int_t)(now + d->cfg.oidc.id_token_ttl), "iat", (json_int_t)now,
			   "auth_time", (json_int_t)g->auth_time, "azp", c->id, "sid", g->sid,
			   "at_hash", at_hash, "amr", amr, "acr", oidc_acr(d, g->factors));
	if (claims == NULL)
		return SESAME_ERR_NOMEM;
	if (with_nonce && g->nonce[0])
		json_object_set_new(claims, "nonce", json_string(g->nonce));
	r = oidc_keys_sign(d, d->oidc->keys, alg, "JWT", claims, now, jwt);
	json_decref(claims);
	return r;
}

/* ---- the token endpoint ---- */

struct grant_ctx {
	const oidc_client_conf_t *client;
	const oidc_token_req_t *req;
	const char *rhost;
	int64_t now, access_expires, refresh_expires;
	unsigned char in_hash[TOKEN_HASH_LEN]; /* the code or refresh token */
	unsigned char access_hash[TOKEN_HASH_LEN], refresh_hash[TOKEN_HASH_LEN];
	/* outputs */
	const char *error, *description;
	store_oidc_grant_t g;
};

/* S256(verifier) == challenge (RFC 7636 §4.6), in constant time. */
static int pkce_ok(const char *verifier, const char *challenge)
{
	unsigned char h[SHA256_DIGEST_LENGTH];
	char text[48];
	size_t n = verifier ? strlen(verifier) : 0;

	if (n < OIDC_VERIFIER_MIN || n > OIDC_VERIFIER_MAX)
		return 0;
	for (const char *p = verifier; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-._~", *p))
			return 0;
	SHA256((const unsigned char *)verifier, n, h);
	if (base64url_encode(h, sizeof(h), text, sizeof(text)) != SESAME_OK ||
	    strlen(challenge) != strlen(text))
		return 0;
	return CRYPTO_memcmp(text, challenge, strlen(text)) == 0;
}

/* The tokens of c->g, and the audit line. */
static int tokens_add(store_tx_t *tx, struct grant_ctx *c, const char *what)
{
	/* a family ends with its grant */
	int64_t refresh_expires =
	    c->refresh_expires < c->g.expires ? c->refresh_expires : c->g.expires;
	int r;

	if ((r = store_oidc_token_add(tx, c->access_hash, c->g.id, STORE_OIDC_ACCESS,
				      c->access_expires)) != SESAME_OK ||
	    (r = store_oidc_token_add(tx, c->refresh_hash, c->g.id, STORE_OIDC_REFRESH,
				      refresh_expires)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, c->g.user, c->client->id, c->rhost, "oidc", "ok", what);
}

/* A reuse: the grant and everything it gave are revoked, audited. */
static int reuse(store_tx_t *tx, struct grant_ctx *c, int64_t grant_id, const char *what)
{
	store_oidc_grant_t g;
	int r;

	c->error = "invalid_grant";
	c->description = "This grant was used already; what it gave is revoked.";
	if ((r = store_oidc_grant_revoke(tx, grant_id)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	if (store_oidc_grant_get(tx, grant_id, &g) != SESAME_OK)
		return SESAME_OK;
	log_warn("oidc: %s of %s reused by client %s: grant revoked", what, g.user, c->client->id);
	return audit_record(tx, c->now, g.user, c->client->id, c->rhost, "oidc", "denied", what);
}

static int code_tx(store_tx_t *tx, void *arg)
{
	struct grant_ctx *c = arg;
	char redirect[STORE_OIDC_MAX_URI + 1], challenge[STORE_OIDC_MAX_CHALLENGE + 1];
	int64_t grant_id = 0, expires = 0;
	int r;

	c->error = c->description = NULL;
	r = store_oidc_code_take(tx, c->in_hash, &grant_id, redirect, challenge, &expires);
	if (r == SESAME_ERR_REPLAY)
		return reuse(tx, c, grant_id, "code_reused");
	c->error = "invalid_grant";
	if (r == SESAME_ERR_NOT_FOUND) {
		c->description = "Unknown code.";
		return SESAME_OK;
	}
	if (r != SESAME_OK || (r = store_oidc_grant_get(tx, grant_id, &c->g)) != SESAME_OK)
		return r;
	/* the code is spent whatever follows: a wrong verifier does not get a second try */
	if (strcmp(c->g.client_id, c->client->id) != 0)
		c->description = "This code was issued to another client.";
	else if (expires <= c->now)
		c->description = "This code has expired.";
	else if (c->req->redirect_uri == NULL || strcmp(redirect, c->req->redirect_uri) != 0)
		c->description = "redirect_uri differs from the authorization request's.";
	else if (challenge[0] ? !pkce_ok(c->req->code_verifier, challenge)
			      : c->req->code_verifier != NULL)
		c->description = "The PKCE code_verifier does not match the code_challenge.";
	else if (c->g.revoked || c->g.user_disabled)
		c->description = "This grant is revoked.";
	else
		c->error = NULL;
	if (c->error)
		return SESAME_OK;
	return tokens_add(tx, c, "token");
}

static int refresh_tx(store_tx_t *tx, void *arg)
{
	struct grant_ctx *c = arg;
	int64_t grant_id = 0;
	int r;

	c->error = c->description = NULL;
	r = store_oidc_token_spend(tx, c->in_hash, c->now, &grant_id);
	if (r == SESAME_ERR_REPLAY)
		return reuse(tx, c, grant_id, "refresh_reused");
	c->error = "invalid_grant";
	c->description = "Unknown, expired or revoked refresh token.";
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK || (r = store_oidc_grant_get(tx, grant_id, &c->g)) != SESAME_OK)
		return r;
	if (strcmp(c->g.client_id, c->client->id) != 0)
		return SESAME_ERR_PERMISSION; /* undone: the owner's token stays good */
	if (c->g.user_disabled)
		return SESAME_OK;
	c->error = c->description = NULL;
	return tokens_add(tx, c, "refresh");
}

int oidc_token(authd_t *d, const oidc_token_req_t *req, const char *rhost, int64_t now,
	       oidc_reply_t *out)
{
	oidc_client_conf_t client;
	struct grant_ctx *c = NULL;
	char access[TOKEN_LEN + 1], refresh[TOKEN_LEN + 1], *jwt = NULL;
	int ok, is_code, r;

	memset(out, 0, sizeof(*out));
	if ((r = client_auth(d, req, &client, out, &ok)) != SESAME_OK || !ok)
		return r;
	if (req->grant_type == NULL)
		return reply_error(out, 400, "invalid_request", "grant_type is missing.");
	is_code = strcmp(req->grant_type, "authorization_code") == 0;
	if (!is_code && strcmp(req->grant_type, "refresh_token") != 0)
		return reply_error(out, 400, "unsupported_grant_type", NULL);
	if ((is_code ? req->code : req->refresh_token) == NULL)
		return reply_error(out, 400, "invalid_request",
				   is_code ? "code is missing." : "refresh_token is missing.");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return SESAME_ERR_NOMEM;
	c->client = &client;
	c->req = req;
	c->rhost = rhost;
	c->now = now;
	c->access_expires = now + d->cfg.oidc.access_token_ttl;
	if (token_hash(is_code ? req->code : req->refresh_token, c->in_hash) != SESAME_OK) {
		r = reply_error(out, 400, "invalid_grant", "Unknown code or refresh token.");
		goto end;
	}
	if ((r = token_new(access)) != SESAME_OK || (r = token_new(refresh)) != SESAME_OK ||
	    (r = token_hash(access, c->access_hash)) != SESAME_OK ||
	    (r = token_hash(refresh, c->refresh_hash)) != SESAME_OK)
		goto end;
	c->refresh_expires = now + d->cfg.oidc.refresh_token_ttl;
	r = store_run(d->store, is_code ? code_tx : refresh_tx, c);
	if (r == SESAME_ERR_PERMISSION) {
		r = reply_error(out, 400, "invalid_grant",
				"This token was issued to another client.");
		goto end;
	}
	if (r != SESAME_OK)
		goto end;
	if (c->error) {
		r = reply_error(out, 400, c->error, c->description);
		goto end;
	}
	if ((r = id_token(d, &client, &c->g, access, is_code, now, &jwt)) != SESAME_OK)
		goto end;
	out->status = 200;
	out->body =
	    json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "access_token", access, "token_type",
		      "Bearer", "expires_in", (json_int_t)d->cfg.oidc.access_token_ttl,
		      "refresh_token", refresh, "id_token", jwt, "scope", c->g.scope);
	r = out->body ? SESAME_OK : SESAME_ERR_NOMEM;
end:
	OPENSSL_cleanse(access, sizeof(access));
	OPENSSL_cleanse(refresh, sizeof(refresh));
	free(jwt);
	free(c);
	return r;
}

/* ---- the token's grant: userinfo, introspection, revocation ---- */

struct lookup_ctx {
	unsigned char hash[TOKEN_HASH_LEN];
	int kind; /* 0: either */
	int64_t now;
	int found_kind;
	int64_t expires;
	store_oidc_grant_t g;
	store_user_t u;
};

static int lookup_tx(store_tx_t *tx, void *arg)
{
	struct lookup_ctx *c = arg;
	int64_t gid = 0;
	int r = SESAME_ERR_NOT_FOUND;

	c->found_kind = 0;
	for (int k = STORE_OIDC_ACCESS; k <= STORE_OIDC_REFRESH && r == SESAME_ERR_NOT_FOUND; k++) {
		if (c->kind && c->kind != k)
			continue;
		r = store_oidc_token_get(tx, c->hash, k, c->now, &gid, &c->expires);
		if (r == SESAME_OK)
			c->found_kind = k;
	}
	if (r != SESAME_OK || (r = store_oidc_grant_get(tx, gid, &c->g)) != SESAME_OK)
		return r;
	return store_user_get(tx, c->g.user, &c->u);
}

int oidc_userinfo(authd_t *d, const char *access_token, int64_t now, oidc_reply_t *out)
{
	struct lookup_ctx c;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.kind = STORE_OIDC_ACCESS;
	c.now = now;
	out->www_bearer = 1;
	if (token_hash(access_token, c.hash) != SESAME_OK)
		return reply_error(out, 401, "invalid_token", NULL);
	r = store_read(d->store, lookup_tx, &c);
	if (r == SESAME_ERR_NOT_FOUND || (r == SESAME_OK && c.u.disabled))
		return reply_error(out, 401, "invalid_token", NULL);
	if (r != SESAME_OK)
		return r;
	out->www_bearer = 0;
	out->status = 200;
	if ((out->body = json_pack("{s:s}", "sub", c.g.user)) == NULL)
		return SESAME_ERR_NOMEM;
	if (strstr(c.g.scope, "profile") != NULL) {
		json_object_set_new(out->body, "preferred_username", json_string(c.g.user));
		if (c.u.real_name[0])
			json_object_set_new(out->body, "name", json_string(c.u.real_name));
	}
	return SESAME_OK;
}

int oidc_introspect(authd_t *d, const oidc_token_req_t *req, const char *rhost, int64_t now,
		    oidc_reply_t *out)
{
	(void)rhost;
	oidc_client_conf_t client;
	struct lookup_ctx c;
	int ok, r;

	memset(out, 0, sizeof(*out));
	if ((r = client_auth(d, req, &client, out, &ok)) != SESAME_OK || !ok)
		return r;
	if (req->token == NULL)
		return reply_error(out, 400, "invalid_request", "token is missing.");
	memset(&c, 0, sizeof(c));
	c.now = now;
	out->status = 200;
	r = token_hash(req->token, c.hash) == SESAME_OK ? store_read(d->store, lookup_tx, &c)
							: SESAME_ERR_NOT_FOUND;
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	/* only the client the token was issued to learns about it */
	if (r != SESAME_OK || c.u.disabled || strcmp(c.g.client_id, client.id) != 0) {
		out->body = json_pack("{s:b}", "active", 0);
		return out->body ? SESAME_OK : SESAME_ERR_NOMEM;
	}
	out->body = json_pack(
	    "{s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "active", 1, "scope",
	    c.g.scope, "client_id", c.g.client_id, "username", c.g.user, "sub", c.g.user,
	    "token_type", c.found_kind == STORE_OIDC_ACCESS ? "Bearer" : "refresh_token", "exp",
	    (json_int_t)c.expires, "iat", (json_int_t)c.g.created, "iss", d->oidc->issuer, "aud",
	    c.g.client_id, "acr", oidc_acr(d, c.g.factors));
	return out->body ? SESAME_OK : SESAME_ERR_NOMEM;
}

struct revoke_ctx {
	unsigned char hash[TOKEN_HASH_LEN];
	const char *client_id, *rhost;
	int64_t now;
	int found;
};

static int revoke_tx(store_tx_t *tx, void *arg)
{
	struct revoke_ctx *c = arg;
	store_oidc_grant_t g;
	int64_t gid = 0;
	int kind = 0, r;

	c->found = 0;
	r = store_oidc_token_delete(tx, c->hash, &gid, &kind);
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r != SESAME_OK || (r = store_oidc_grant_get(tx, gid, &g)) != SESAME_OK)
		return r;
	if (strcmp(g.client_id, c->client_id) != 0)
		return SESAME_ERR_PERMISSION; /* undone */
	c->found = 1;
	/* a refresh token ends its whole grant (RFC 7009 §2.1) */
	if (kind == STORE_OIDC_REFRESH && (r = store_oidc_grant_revoke(tx, gid)) != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, g.user, g.client_id, c->rhost, "oidc", "ok", "revoked");
}

int oidc_revoke(authd_t *d, const oidc_token_req_t *req, const char *rhost, int64_t now,
		oidc_reply_t *out)
{
	oidc_client_conf_t client;
	struct revoke_ctx c;
	int ok, r;

	memset(out, 0, sizeof(*out));
	if ((r = client_auth(d, req, &client, out, &ok)) != SESAME_OK || !ok)
		return r;
	if (req->token == NULL)
		return reply_error(out, 400, "invalid_request", "token is missing.");
	memset(&c, 0, sizeof(c));
	c.client_id = client.id;
	c.rhost = rhost;
	c.now = now;
	/* an unknown token is no error (RFC 7009 §2.2) */
	if (token_hash(req->token, c.hash) == SESAME_OK) {
		r = store_run(d->store, revoke_tx, &c);
		if (r == SESAME_ERR_PERMISSION)
			return reply_error(out, 400, "invalid_request",
					   "This token was issued to another client.");
		if (r != SESAME_OK)
			return r;
	}
	out->status = 200;
	out->body = json_object();
	return out->body ? SESAME_OK : SESAME_ERR_NOMEM;
}
