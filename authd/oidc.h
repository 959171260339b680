/* The OpenID Connect provider: one more door of the sign-in flow. Its
 * /authorize sends the browser through the web sign-in pages and back;
 * what the ID token states (amr, acr, auth_time) is what the web session
 * proved, and each client's requirement ([require] syntax) must be met
 * before a code is issued. The pieces: oidc_config.c (settings),
 * oidc_keys.c + oidc_jose.c (signing), oidc_client.c (clients),
 * oidc_authz.c (/authorize), oidc_token.c (token, userinfo, revocation,
 * introspection), oidc_logout.c (logout). The HTTP side is
 * web/web_oidc.c. */
#ifndef AUTHD_OIDC_H
#define AUTHD_OIDC_H

#include <jansson.h>
#include <stdint.h>

#include "authd.h"
#include "oidc_keys.h"
#include "token.h"

#define OIDC_MAX_STATE 512
#define OIDC_MAX_SCOPE STORE_OIDC_MAX_SCOPE
#define OIDC_MAX_NONCE STORE_OIDC_MAX_NONCE
#define OIDC_MAX_LOCATION 4096 /* a redirect back to a client */
#define OIDC_REQUEST_TTL 900   /* seconds a request waits for its sign-in */
#define OIDC_COOKIE "sesame_oidc"
#define OIDC_ACR_MFA "mfa"
#define OIDC_ACR_1FA "1fa"

struct oidc {
	char issuer[OIDC_MAX_ISSUER + 1];
	oidc_keys_t *keys;
	char *discovery; /* the discovery document, made at start */
};
typedef struct oidc oidc_t;

/* Sets d->oidc up when [oidc] enabled (keys made at first start). */
int oidc_start(authd_t *d);
void oidc_stop(authd_t *d);

/* ---- clients (oidc_client.c) ---- */

/* The client id: configured, else in the store. SESAME_ERR_NOT_FOUND. */
int oidc_client_find(authd_t *d, const char *id, oidc_client_conf_t *out, int *from_config);
/* Whether uri is one of c's redirect URIs (byte for byte). */
int oidc_client_redirect_ok(const oidc_client_conf_t *c, const char *uri);
/* c's requirement ([require] web when it names none). */
int oidc_client_requirement(authd_t *d, const oidc_client_conf_t *c, requirement_t *out);
/* The algorithm c's ID tokens are signed with. */
const char *oidc_client_alg(authd_t *d, const oidc_client_conf_t *c);
/* Whether secret is c's (SHA-256, compared in constant time). */
int oidc_client_secret_ok(const oidc_client_conf_t *c, const char *secret, size_t len);
/* Checks c (id, URIs, method, requirement, algorithm), makes a secret for
 * a confidential client (into secret, shown once; only its hash is kept)
 * and stores c. SESAME_ERR_CONFLICT when the id is taken (in the
 * configuration too); SESAME_ERR_INVALID_ARGUMENT with a sentence. */
int oidc_client_add(authd_t *d, oidc_client_conf_t *c, int64_t now, char secret[TOKEN_LEN + 1],
		    char *why, size_t whysz);
/* The clients (configured first); free(*items). from_config[i] says which. */
int oidc_client_list(authd_t *d, oidc_client_conf_t **items, int **from_config, size_t *n);
/* Removes a stored client and what it was given. SESAME_ERR_NOT_FOUND;
 * SESAME_ERR_PERMISSION for a configured one. */
int oidc_client_remove(authd_t *d, const char *id);
/* JSON description of c (never its secret's hash). */
json_t *oidc_client_json(const oidc_client_conf_t *c, int from_config);

/* ---- claims (oidc_token.c) ---- */

/* "mfa" when factors make a multi-factor sign-in, else "1fa". */
const char *oidc_acr(authd_t *d, unsigned factors);

#endif
