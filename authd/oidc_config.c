/* [oidc] and [oidc.client.ID] of sesame-authd.conf(5) (see oidc_config.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oidc_config.h"
#include "sesame/error.h"

#define OIDC_CLIENT_SECTION "oidc.client."

void oidc_config_defaults(oidc_config_t *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->signing_alg, sizeof(o->signing_alg), "%s", "RS256");
	o->algorithms = OIDC_ALG_RS256;
	o->code_ttl = 60;
	o->access_token_ttl = 600;
	o->id_token_ttl = 600;
	o->refresh_token_ttl = 30 * 86400;
	o->key_rotation = 90;
}

unsigned oidc_alg_bit(const char *name)
{
	if (strcmp(name, "RS256") == 0)
		return OIDC_ALG_RS256;
	if (strcmp(name, "ES256") == 0)
		return OIDC_ALG_ES256;
	if (strcmp(name, "EdDSA") == 0)
		return OIDC_ALG_EDDSA;
	return 0;
}

static int loopback_host(const char *h, size_t n)
{
	return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	       (n == 9 && strncmp(h, "127.0.0.1", 9) == 0) ||
	       (n == 5 && strncmp(h, "[::1]", 5) == 0);
}

int oidc_uri_ok(const char *uri, int any_http)
{
	const char *host, *end;
	size_t n = strlen(uri);
	int https = strncmp(uri, "https://", 8) == 0;

	if (n == 0 || n > OIDC_MAX_URI || strchr(uri, '#') != NULL)
		return 0;
	for (const char *p = uri; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '"' ||
		    *p == '<' || *p == '>' || *p == '\\')
			return 0;
	if (!https && strncmp(uri, "http://", 7) != 0)
		return 0;
	host = uri + (https ? 8 : 7);
	end = host + strcspn(host, "/?");
	if (end == host || memchr(host, '@', (size_t)(end - host)) != NULL)
		return 0;
	if (!https && !any_http) {
		size_t hl;
		if (host[0] == '[') {
			const char *rb = memchr(host, ']', (size_t)(end - host));
			if (rb == NULL)
				return 0;
			hl = (size_t)(rb + 1 - host);
		} else {
			const char *colon = memchr(host, ':', (size_t)(end - host));
			hl = (size_t)((colon ? colon : end) - host);
		}
		return loopback_host(host, hl);
	}
	return 1;
}

static int set_text(char *dst, size_t dstsz, const char *v)
{
	if (strlen(v) >= dstsz)
		return -1;
	snprintf(dst, dstsz, "%s", v);
	return 0;
}

static int parse_seconds(const char *v, unsigned long min, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long u;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	u = strtoul(v, &end, 10);
	if (*end != '\0' || u < min || u > max)
		return -1;
	*out = (unsigned)u;
	return 0;
}

static int parse_algorithms(oidc_config_t *o, const char *v)
{
	char buf[64];
	char *save = NULL;
	unsigned bits = 0;

	if (set_text(buf, sizeof(buf), v) != 0)
		return -1;
	for (char *w = strtok_r(buf, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		unsigned b = oidc_alg_bit(w);
		if (b == 0)
			return -1;
		bits |= b;
	}
	if (bits == 0)
		return -1;
	o->algorithms = bits;
	return 0;
}

static int hex_digest(const char *v, unsigned char out[OIDC_HASH_LEN])
{
	if (strlen(v) != 2 * OIDC_HASH_LEN)
		return -1;
	for (size_t i = 0; i < OIDC_HASH_LEN; i++) {
		unsigned hi, lo;
		if (!isxdigit((unsigned char)v[2 * i]) || !isxdigit((unsigned char)v[2 * i + 1]))
			return -1;
		hi = (unsigned)(isdigit((unsigned char)v[2 * i]) ? v[2 * i] - '0'
								 : (tolower(v[2 * i]) - 'a' + 10));
		lo = (unsigned)(isdigit((unsigned char)v[2 * i + 1])
				    ? v[2 * i + 1] - '0'
				    : (tolower(v[2 * i + 1]) - 'a' + 10));
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* A client id: 1..64 of [A-Za-z0-9._-]. */
static int client_id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > OIDC_MAX_CLIENT_ID)
		return 0;
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
			return 0;
	return 1;
}

static int apply_client(oidc_config_t *o, const char *id, const char *name, const char *v)
{
	oidc_client_conf_t *c = NULL;

	if (!client_id_ok(id))
		return -2;
	for (size_t i = 0; i < o->n_clients; i++)
		if (strcmp(o->clients[i].id, id) == 0)
			c = &o->clients[i];
	if (c == NULL) {
		if (o->n_clients == OIDC_MAX_CONFIG_CLIENTS)
			return -1;
		c = &o->clients[o->n_clients++];
		memset(c, 0, sizeof(*c));
		snprintf(c->id, sizeof(c->id), "%s", id);
		snprintf(c->auth_method, sizeof(c->auth_method), "%s", "client_secret_basic");
	}
	if (strcmp(name, "redirect_uri") == 0) { /* repeated: one per line */
		if (c->n_redirect_uris == OIDC_MAX_URIS || !oidc_uri_ok(v, 0))
			return -1;
		return set_text(c->redirect_uris[c->n_redirect_uris++], sizeof(c->redirect_uris[0]),
				v);
	}
	if (strcmp(name, "secret_sha256") == 0) {
		if (hex_digest(v, c->secret_hash) != 0)
			return -1;
		c->has_secret = 1;
		return 0;
	}
	if (strcmp(name, "auth_method") == 0) {
		if (strcmp(v, "client_secret_basic") != 0 && strcmp(v, "client_secret_post") != 0 &&
		    strcmp(v, "none") != 0)
			return -1;
		return set_text(c->auth_method, sizeof(c->auth_method), v);
	}
	if (strcmp(name, "backchannel_logout_uri") == 0)
		return oidc_uri_ok(v, 0) ? set_text(c->backchannel_logout_uri,
						    sizeof(c->backchannel_logout_uri), v)
					 : -1;
	if (strcmp(name, "require") == 0)
		return set_text(c->require, sizeof(c->require), v);
	if (strcmp(name, "signing_alg") == 0)
		return oidc_alg_bit(v) ? set_text(c->signing_alg, sizeof(c->signing_alg), v) : -1;
	return -2;
}

int oidc_config_apply(oidc_config_t *o, const char *section, const char *name, const char *v)
{
	if (strncmp(section, OIDC_CLIENT_SECTION, sizeof(OIDC_CLIENT_SECTION) - 1) == 0)
		return apply_client(o, section + sizeof(OIDC_CLIENT_SECTION) - 1, name, v);
	if (strcmp(section, "oidc") != 0)
		return -2;
	if (strcmp(name, "enabled") == 0) {
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			o->enabled = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
			o->enabled = 0;
		else
			return -1;
		return 0;
	}
	if (strcmp(name, "issuer") == 0) /* checked by oidc_config_validate */
		return set_text(o->issuer, sizeof(o->issuer), v);
	if (strcmp(name, "signing_alg") == 0)
		return oidc_alg_bit(v) ? set_text(o->signing_alg, sizeof(o->signing_alg), v) : -1;
	if (strcmp(name, "algorithms") == 0)
		return parse_algorithms(o, v);
	if (strcmp(name, "code_ttl") == 0)
		return parse_seconds(v, 10, 600, &o->code_ttl);
	if (strcmp(name, "access_token_ttl") == 0)
		return parse_seconds(v, 60, 86400, &o->access_token_ttl);
	if (strcmp(name, "id_token_ttl") == 0)
		return parse_seconds(v, 60, 86400, &o->id_token_ttl);
	if (strcmp(name, "refresh_token_ttl") == 0)
		return parse_seconds(v, 300, 365 * 86400, &o->refresh_token_ttl);
	if (strcmp(name, "key_rotation") == 0)
		return parse_seconds(v, 0, 3650, &o->key_rotation);
	return -2;
}

void oidc_config_issuer(const oidc_config_t *o, const char *public_url,
			char out[OIDC_MAX_ISSUER + 1])
{
	size_t n;

	snprintf(out, OIDC_MAX_ISSUER + 1, "%s",
		 o->issuer[0] ? o->issuer
		 : public_url ? public_url
			      : "");
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/') /* ".../" and "..." are one issuer */
		out[--n] = '\0';
}

unsigned oidc_config_algorithms(const oidc_config_t *o)
{
	return o->algorithms | oidc_alg_bit(o->signing_alg);
}

int oidc_config_validate(const oidc_config_t *o, const char *public_url, char *err, size_t errsz)
{
	char issuer[OIDC_MAX_ISSUER + 1];

	if (!o->enabled)
		return SESAME_OK;
	oidc_config_issuer(o, public_url, issuer);
	if (issuer[0] == '\0') {
		snprintf(err, errsz, "oidc.issuer is needed (or web.public_url, or web.origins)");
		return SESAME_ERR_CONFIG;
	}
	if (!oidc_uri_ok(issuer, 0) || strchr(issuer, '?') != NULL) {
		snprintf(err, errsz,
			 "oidc.issuer %s must be an https URL without query or fragment "
			 "(plain http only for localhost)",
			 issuer);
		return SESAME_ERR_CONFIG;
	}
	for (size_t i = 0; i < o->n_clients; i++) {
		const oidc_client_conf_t *c = &o->clients[i];
		int public = strcmp(c->auth_method, "none") == 0;
		if (c->n_redirect_uris == 0) {
			snprintf(err, errsz, "oidc.client.%s needs a redirect_uri", c->id);
			return SESAME_ERR_CONFIG;
		}
		if (public == c->has_secret) {
			snprintf(err, errsz,
				 "oidc.client.%s: auth_method none goes without secret_sha256, "
				 "the others need it",
				 c->id);
			return SESAME_ERR_CONFIG;
		}
		if (c->signing_alg[0] &&
		    !(oidc_config_algorithms(o) & oidc_alg_bit(c->signing_alg))) {
			snprintf(err, errsz,
				 "oidc.client.%s: signing_alg %s is not in oidc.algorithms", c->id,
				 c->signing_alg);
			return SESAME_ERR_CONFIG;
		}
	}
	return SESAME_OK;
}
