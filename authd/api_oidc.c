/* /v1/oidc/rotate-keys, /v1/client/add|list|show|remove (root): the
 * OpenID Connect provider's keys and clients (authd/oidc_*.c). */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "oidc.h"
#include "sesame/error.h"

static int need_oidc(authd_t *d, api_error_t *err)
{
	if (d->oidc != NULL)
		return SESAME_OK;
	snprintf(err->message, sizeof(err->message), "%s",
		 "The OpenID Connect provider is off ([oidc] enabled = no).");
	return SESAME_ERR_UNAVAILABLE;
}

int api_oidc_rotate_keys(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
			 api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {NULL};
	char *jwks = NULL;
	int64_t now = (int64_t)time(NULL);
	int r;

	if ((r = api_fields(req, fields, err)) || (r = need_oidc(d, err)))
		return r;
	if ((r = oidc_keys_rotate(d, d->oidc->keys, 1, now)) != SESAME_OK ||
	    (r = oidc_keys_jwks(d, d->oidc->keys, now, &jwks)) != SESAME_OK)
		return r;
	*reply = json_pack("{s:o}", "jwks", json_loads(jwks, 0, NULL));
	free(jwks);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

/* "uris": an array of 1..OIDC_MAX_URIS strings into c. */
static int uris_field(json_t *req, oidc_client_conf_t *c, api_error_t *err)
{
	json_t *a = json_object_get(req, "redirect_uris"), *v;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > OIDC_MAX_URIS) {
		snprintf(err->message, sizeof(err->message),
			 "The field \"redirect_uris\" must hold 1 to %d URIs.", OIDC_MAX_URIS);
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) > OIDC_MAX_URI) {
			snprintf(err->message, sizeof(err->message), "%s",
				 "A redirect URI is not text or is too long.");
			return SESAME_ERR_INVALID_ARGUMENT;
		}
		snprintf(c->redirect_uris[i], sizeof(c->redirect_uris[i]), "%s",
			 json_string_value(v));
	}
	c->n_redirect_uris = json_array_size(a);
	return SESAME_OK;
}

int api_client_add(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		   api_error_t *err)
{
	(void)c;
	static const char *const fields[] = {
	    "id",      "redirect_uris", "auth_method", "backchannel_logout_uri",
	    "require", "signing_alg",	NULL};
	const char *id, *method, *logout, *require, *alg;
	char secret[TOKEN_LEN + 1];
	oidc_client_conf_t client;
	int r;

	memset(&client, 0, sizeof(client));
	if ((r = api_fields(req, fields, err)) || (r = need_oidc(d, err)) ||
	    (r = api_string(req, "id", 1, OIDC_MAX_CLIENT_ID, NULL, &id, err)) ||
	    (r = api_string(req, "auth_method", 0, 31, "client_secret_basic", &method, err)) ||
	    (r = api_string(req, "backchannel_logout_uri", 0, OIDC_MAX_URI, "", &logout, err)) ||
	    (r = api_string(req, "require", 0, OIDC_MAX_REQUIRE_TEXT - 1, "", &require, err)) ||
	    (r = api_string(req, "signing_alg", 0, 7, "", &alg, err)) ||
	    (r = uris_field(req, &client, err)))
		return r;
	snprintf(client.id, sizeof(client.id), "%s", id);
	snprintf(client.auth_method, sizeof(client.auth_method), "%s", method);
	snprintf(client.backchannel_logout_uri, sizeof(client.backchannel_logout_uri), "%s",
		 logout);
	snprintf(client.require, sizeof(client.require), "%s", require);
	snprintf(client.signing_alg, sizeof(client.signing_alg), "%s", alg);
	r = oidc_client_add(d, &client, (int64_t)time(NULL), secret, err->message,
			    sizeof(err->message));
	if (r == SESAME_ERR_CONFLICT)
		snprintf(err->message, sizeof(err->message), "%s", "This client id is taken.");
	if (r != SESAME_OK)
		return r;
	*reply = oidc_client_json(&client, 0);
	if (*reply && secret[0])
		json_object_set_new(*reply, "secret", json_string(secret));
	OPENSSL_cleanse(secret, sizeof(secret));
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_client_list(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c;
	static const char *const fields[] = {NULL};
	oidc_client_conf_t *items = NULL;
	int *from_config = NULL;
	json_t *arr;
	size_t n = 0;
	int r;

	if ((r = api_fields(req, fields, err)) || (r = need_oidc(d, err)) ||
	    (r = oidc_client_list(d, &items, &from_config, &n)))
		return r;
	if ((arr = json_array()) != NULL)
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, oidc_client_json(&items[i], from_config[i]));
	free(items);
	free(from_config);
	*reply = json_pack("{s:o}", "clients", arr);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_client_show(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c;
	static const char *const fields[] = {"id", NULL};
	oidc_client_conf_t client;
	const char *id;
	int from_config = 0, r;

	if ((r = api_fields(req, fields, err)) || (r = need_oidc(d, err)) ||
	    (r = api_string(req, "id", 1, OIDC_MAX_CLIENT_ID, NULL, &id, err)))
		return r;
	if ((r = oidc_client_find(d, id, &client, &from_config)) != SESAME_OK)
		return r;
	*reply = oidc_client_json(&client, from_config);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

int api_client_remove(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		      api_error_t *err)
{
	(void)c;
	static const char *const fields[] = {"id", NULL};
	const char *id;
	int r;

	if ((r = api_fields(req, fields, err)) || (r = need_oidc(d, err)) ||
	    (r = api_string(req, "id", 1, OIDC_MAX_CLIENT_ID, NULL, &id, err)))
		return r;
	r = oidc_client_remove(d, id);
	if (r == SESAME_ERR_PERMISSION)
		snprintf(err->message, sizeof(err->message), "%s",
			 "This client is in the configuration file: remove it there.");
	if (r != SESAME_OK)
		return r;
	*reply = json_pack("{s:s}", "id", id);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}
