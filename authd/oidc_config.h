/* [oidc] of sesame-authd.conf(5): the OpenID Connect provider's settings,
 * and the clients declared in [oidc.client.ID] sections (the others are
 * added with `sesamectl client add` and kept in the store). */
#ifndef AUTHD_OIDC_CONFIG_H
#define AUTHD_OIDC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define OIDC_MAX_ISSUER 255
#define OIDC_MAX_CLIENT_ID 64
#define OIDC_MAX_URI 512
#define OIDC_MAX_URIS 8
#define OIDC_MAX_REQUIRE_TEXT 128
#define OIDC_MAX_CONFIG_CLIENTS 16
#define OIDC_HASH_LEN 32

/* The signature algorithms the provider can sign with (RFC 7518 names). */
#define OIDC_ALG_RS256 1u
#define OIDC_ALG_ES256 2u
#define OIDC_ALG_EDDSA 4u

/* One client: from the configuration, or a row of the store. */
typedef struct {
	char id[OIDC_MAX_CLIENT_ID + 1];
	int has_secret;				  /* a confidential client */
	unsigned char secret_hash[OIDC_HASH_LEN]; /* SHA-256 of the secret */
	char auth_method[32]; /* client_secret_basic, client_secret_post, none */
	char redirect_uris[OIDC_MAX_URIS][OIDC_MAX_URI + 1];
	size_t n_redirect_uris;
	char backchannel_logout_uri[OIDC_MAX_URI + 1];
	char require[OIDC_MAX_REQUIRE_TEXT]; /* empty: [require] web */
	char signing_alg[8];		     /* empty: [oidc] signing_alg */
	int64_t created;
} oidc_client_conf_t;

typedef struct {
	int enabled;			  /* default no */
	char issuer[OIDC_MAX_ISSUER + 1]; /* empty: [web] public_url */
	char signing_alg[8];		  /* default RS256 */
	unsigned algorithms;		  /* OIDC_ALG_* with keys (and signing_alg's) */
	unsigned code_ttl;		  /* seconds; default 60 */
	unsigned access_token_ttl;	  /* seconds; default 600 */
	unsigned id_token_ttl;		  /* seconds; default 600 */
	unsigned refresh_token_ttl;	  /* seconds; default 30 days */
	unsigned key_rotation;		  /* days between automatic rotations; 0: never */
	oidc_client_conf_t clients[OIDC_MAX_CONFIG_CLIENTS];
	size_t n_clients;
} oidc_config_t;

void oidc_config_defaults(oidc_config_t *o);

/* One entry of [oidc] or [oidc.client.ID]: 0 valid, -1 invalid value, -2
 * unknown key (as config.c's apply). */
int oidc_config_apply(oidc_config_t *o, const char *section, const char *name, const char *v);

/* Cross-field checks once the file is read (public_url: the web pages'
 * base, the issuer's default). SESAME_ERR_CONFIG with a sentence. */
int oidc_config_validate(const oidc_config_t *o, const char *public_url, char *err, size_t errsz);

/* The issuer: [oidc] issuer or public_url, without a trailing slash. */
void oidc_config_issuer(const oidc_config_t *o, const char *public_url,
			char out[OIDC_MAX_ISSUER + 1]);

/* The algorithms keys are kept for: algorithms and signing_alg's. */
unsigned oidc_config_algorithms(const oidc_config_t *o);

/* The OIDC_ALG_* bit of an algorithm name, 0 when unknown. */
unsigned oidc_alg_bit(const char *name);

/* Whether uri is an absolute http(s) URI without a fragment; https, or
 * http only on a loopback host (localhost, 127.0.0.1, [::1]) unless
 * any_http. */
int oidc_uri_ok(const char *uri, int any_http);

#endif
