/* Clients of the OpenID Connect provider: those of the configuration
 * ([oidc.client.ID]) and those added with `sesamectl client add` (the
 * store). A secret is made here, shown once, and kept as its SHA-256
 * only: it is 32 random bytes, so a slow hash would add nothing. */
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "oidc.h"
#include "sesame/error.h"

int oidc_client_find(authd_t *d, const char *id, oidc_client_conf_t *out, int *from_config);

static int find_tx(store_tx_t *tx, void *arg)
{
	oidc_client_conf_t *c = arg;
	char id[OIDC_MAX_CLIENT_ID + 1];

	memcpy(id, c->id, sizeof(id));
	return store_oidc_client_get(tx, id, c);
}

int oidc_client_find(authd_t *d, const char *id, oidc_client_conf_t *out, int *from_config)
{
	const oidc_config_t *o = &d->cfg.oidc;

	if (from_config)
		*from_config = 0;
	if (strlen(id) == 0 || strlen(id) > OIDC_MAX_CLIENT_ID)
		return SESAME_ERR_NOT_FOUND;
	for (size_t i = 0; i < o->n_clients; i++)
		if (strcmp(o->clients[i].id, id) == 0) {
			*out = o->clients[i];
			if (from_config)
				*from_config = 1;
			return SESAME_OK;
		}
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", id);
	return store_read(d->store, find_tx, out);
}

int oidc_client_redirect_ok(const oidc_client_conf_t *c, const char *uri)
{
	for (size_t i = 0; i < c->n_redirect_uris; i++)
		if (strcmp(c->redirect_uris[i], uri) == 0)
			return 1;
	return 0;
}

int oidc_client_requirement(authd_t *d, const oidc_client_conf_t *c, requirement_t *out)
{
	char why[160];

	if (c->require[0] == '\0') {
		*out = d->require_web;
		return SESAME_OK;
	}
	return requirement_parse(c->require, flow_askable(FLOW_WEB), out, why, sizeof(why));
}

const char *oidc_client_alg(authd_t *d, const oidc_client_conf_t *c)
{
	return c->signing_alg[0] ? c->signing_alg : d->cfg.oidc.signing_alg;
}

int oidc_client_secret_ok(const oidc_client_conf_t *c, const char *secret, size_t len)
{
	unsigned char h[SHA256_DIGEST_LENGTH];
	int ok;

	if (!c->has_secret || secret == NULL)
		return 0;
	SHA256((const unsigned char *)secret, len, h);
	ok = CRYPTO_memcmp(h, c->secret_hash, sizeof(h)) == 0;
	OPENSSL_cleanse(h, sizeof(h));
	return ok;
}

static int add_tx(store_tx_t *tx, void *arg)
{
	return store_oidc_client_add(tx, arg);
}

#define WHY(...) (snprintf(why, whysz, __VA_ARGS__), SESAME_ERR_INVALID_ARGUMENT)

int oidc_client_add(authd_t *d, oidc_client_conf_t *c, int64_t now, char secret[TOKEN_LEN + 1],
		    char *why, size_t whysz)
{
	oidc_client_conf_t other;
	requirement_t req;
	char rwhy[160];
	int public = strcmp(c->auth_method, "none") == 0, r;

	secret[0] = '\0';
	if (c->id[0] == '\0')
		return WHY("The client id is empty.");
	for (const char *p = c->id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return WHY("A client id holds letters, digits, '.', '_' and '-' only.");
	if (strcmp(c->auth_method, "client_secret_basic") != 0 &&
	    strcmp(c->auth_method, "client_secret_post") != 0 && !public)
		return WHY("The authentication method is client_secret_basic, "
			   "client_secret_post or none.");
	if (c->n_redirect_uris == 0)
		return WHY("A client needs at least one redirect URI.");
	for (size_t i = 0; i < c->n_redirect_uris; i++)
		if (!oidc_uri_ok(c->redirect_uris[i], 0))
			return WHY("Redirect URI %zu is not an https URL without fragment "
				   "(plain http only on localhost).",
				   i + 1);
	if (c->backchannel_logout_uri[0] && !oidc_uri_ok(c->backchannel_logout_uri, 0))
		return WHY("The back-channel logout URI is not an https URL "
			   "(plain http only on localhost).");
	if (c->require[0] && requirement_parse(c->require, flow_askable(FLOW_WEB), &req, rwhy,
					       sizeof(rwhy)) != SESAME_OK)
		return WHY("The requirement is not valid: %s", rwhy);
	if (c->signing_alg[0] &&
	    !(oidc_config_algorithms(&d->cfg.oidc) & oidc_alg_bit(c->signing_alg)))
		return WHY("The signing algorithm must be one of [oidc] algorithms.");
	if (oidc_client_find(d, c->id, &other, NULL) == SESAME_OK)
		return SESAME_ERR_CONFLICT;
	c->has_secret = !public;
	if (!public) {
		if ((r = token_new(secret)) != SESAME_OK)
			return r;
		SHA256((const unsigned char *)secret, strlen(secret), c->secret_hash);
	}
	c->created = now;
	r = store_run(d->store, add_tx, c);
	if (r != SESAME_OK)
		OPENSSL_cleanse(secret, TOKEN_LEN + 1);
	return r;
}

struct list_ctx {
	oidc_client_conf_t *items;
	size_t n;
};

static int list_tx(store_tx_t *tx, void *arg)
{
	struct list_ctx *c = arg;

	free(c->items);
	c->items = NULL;
	return store_oidc_client_list(tx, &c->items, &c->n);
}

int oidc_client_list(authd_t *d, oidc_client_conf_t **items, int **from_config, size_t *n)
{
	const oidc_config_t *o = &d->cfg.oidc;
	struct list_ctx l = {NULL, 0};
	oidc_client_conf_t *all;
	int *fc;
	int r;

	*items = NULL;
	*from_config = NULL;
	*n = 0;
	if ((r = store_read(d->store, list_tx, &l)) != SESAME_OK)
		return r;
	all = calloc(o->n_clients + l.n + 1, sizeof(*all));
	fc = calloc(o->n_clients + l.n + 1, sizeof(*fc));
	if (all == NULL || fc == NULL) {
		free(all);
		free(fc);
		free(l.items);
		return SESAME_ERR_NOMEM;
	}
	for (size_t i = 0; i < o->n_clients; i++) {
		all[i] = o->clients[i];
		fc[i] = 1;
	}
	if (l.n)
		memcpy(all + o->n_clients, l.items, l.n * sizeof(*all));
	free(l.items);
	*items = all;
	*from_config = fc;
	*n = o->n_clients + l.n;
	return SESAME_OK;
}

static int remove_tx(store_tx_t *tx, void *arg)
{
	return store_oidc_client_delete(tx, arg);
}

int oidc_client_remove(authd_t *d, const char *id)
{
	for (size_t i = 0; i < d->cfg.oidc.n_clients; i++)
		if (strcmp(d->cfg.oidc.clients[i].id, id) == 0)
			return SESAME_ERR_PERMISSION;
	return store_run(d->store, remove_tx, (void *)id);
}

json_t *oidc_client_json(const oidc_client_conf_t *c, int from_config)
{
	json_t *uris = json_array();
	json_t *j;

	for (size_t i = 0; uris && i < c->n_redirect_uris; i++)
		json_array_append_new(uris, json_string(c->redirect_uris[i]));
	j = json_pack("{s:s, s:b, s:s, s:o, s:s, s:s, s:s, s:s, s:I}", "id", c->id, "public",
		      !c->has_secret, "auth_method", c->auth_method, "redirect_uris", uris,
		      "backchannel_logout_uri", c->backchannel_logout_uri, "require", c->require,
		      "signing_alg", c->signing_alg, "source",
		      from_config ? "configuration" : "sesamectl", "created",
		      (json_int_t)c->created);
	return j;
}
