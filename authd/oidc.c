/* The OpenID Connect provider's start and stop (oidc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "sesame/error.h"
#include "sesame/log.h"

/* The discovery document (OpenID Connect Discovery 1.0 §3), made once. */
static int discovery_make(authd_t *d, oidc_t *o)
{
	static const char *const alg_names[] = {"RS256", "ES256", "EdDSA"};
	const char *iss;
	unsigned algs;
	json_t *j, *a;
	char url[OIDC_MAX_ISSUER + 64];

	iss = o->issuer;
	algs = oidc_config_algorithms(&d->cfg.oidc);
	if ((a = json_array()) == NULL)
		return SESAME_ERR_NOMEM;
	for (size_t i = 0; i < 3; i++)
		if (algs & oidc_alg_bit(alg_names[i]))
			json_array_append_new(a, json_string(alg_names[i]));
	j = json_pack(
	    "{s:s, s:o, s:[s], s:[s], s:[s,s], s:[s], s:[s,s], s:[s,s,s], s:[s,s,s],"
	    " s:[s,s], s:[s], s:[s,s], s:b, s:b, s:b, s:[s,s], s:b, s:b, s:b, s:b,"
	    " s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s]}",
	    "issuer", iss, "id_token_signing_alg_values_supported", a, "response_types_supported",
	    "code", "response_modes_supported", "query", "grant_types_supported",
	    "authorization_code", "refresh_token", "subject_types_supported", "public",
	    "scopes_supported", "openid", "profile", "token_endpoint_auth_methods_supported",
	    "client_secret_basic", "client_secret_post", "none",
	    "revocation_endpoint_auth_methods_supported", "client_secret_basic",
	    "client_secret_post", "none", "introspection_endpoint_auth_methods_supported",
	    "client_secret_basic", "client_secret_post", "code_challenge_methods_supported", "S256",
	    "acr_values_supported", OIDC_ACR_1FA, OIDC_ACR_MFA, "claims_parameter_supported", 1,
	    "request_parameter_supported", 0, "request_uri_parameter_supported", 0,
	    "prompt_values_supported", "none", "login",
	    "authorization_response_iss_parameter_supported", 1, "backchannel_logout_supported", 1,
	    "backchannel_logout_session_supported", 1, "frontchannel_logout_supported", 0,
	    "claims_supported", "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "azp",
	    "sid", "at_hash", "amr", "acr", "preferred_username", "name");
	if (j == NULL)
		return SESAME_ERR_NOMEM;
	static const struct {
		const char *key, *path;
	} endpoints[] = {
	    {"authorization_endpoint", "/oidc/authorize"},
	    {"token_endpoint", "/oidc/token"},
	    {"userinfo_endpoint", "/oidc/userinfo"},
	    {"jwks_uri", "/oidc/jwks"},
	    {"revocation_endpoint", "/oidc/revoke"},
	    {"introspection_endpoint", "/oidc/introspect"},
	    {"end_session_endpoint", "/oidc/logout"},
	};
	for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		snprintf(url, sizeof(url), "%s%s", iss, endpoints[i].path);
		json_object_set_new(j, endpoints[i].key, json_string(url));
	}
	o->discovery = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return o->discovery ? SESAME_OK : SESAME_ERR_NOMEM;
}

int oidc_start(authd_t *d)
{
	char url[SESAME_MAX_ORIGIN + 1];
	oidc_t *o;
	int r;

	if (!d->cfg.oidc.enabled)
		return SESAME_OK;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return SESAME_ERR_NOMEM;
	config_web_public_url(&d->cfg.web, url);
	oidc_config_issuer(&d->cfg.oidc, url, o->issuer);
	d->oidc = o;
	if ((r = discovery_make(d, o)) != SESAME_OK) {
		oidc_stop(d);
		return r;
	}
	if ((r = oidc_keys_start(d, &o->keys)) != SESAME_OK) {
		log_err("oidc: cannot set up the signing keys (%s)", sesame_err_code(r));
		oidc_stop(d);
		return r;
	}
	log_info("OpenID Connect provider %s", o->issuer);
	return SESAME_OK;
}

void oidc_stop(authd_t *d)
{
	if (d->oidc == NULL)
		return;
	oidc_keys_free(&d->oidc->keys);
	free(d->oidc->discovery);
	free(d->oidc);
	d->oidc = NULL;
}
