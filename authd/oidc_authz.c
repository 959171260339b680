/* /authorize of the OpenID Connect provider (oidc_authz.h). */
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "oidc_authz.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"

#define SID_LABEL "sesame-oidc-sid"

/* The parameters read, with where each goes. */
static const struct {
	const char *name;
	size_t off, size;
} params[] = {
#define P(n, f)                                                                                    \
	{                                                                                          \
		n, offsetof(oidc_authz_req_t, f), sizeof(((oidc_authz_req_t *)0)->f)               \
	}
    P("client_id", client_id),
    P("redirect_uri", redirect_uri),
    P("response_type", response_type),
    P("scope", scope),
    P("state", state),
    P("nonce", nonce),
    P("code_challenge", code_challenge),
    P("code_challenge_method", code_challenge_method),
    P("prompt", prompt),
    P("login_hint", login_hint),
    P("acr_values", acr_values),
    P("response_mode", response_mode),
#undef P
};
#define N_PARAMS (sizeof(params) / sizeof(params[0]))
#define SEEN_MAX_AGE (1u << 20)
#define SEEN_CLAIMS (1u << 21)

static void req_error(oidc_authz_req_t *req, const char *error, const char *description)
{
	if (req->error[0]) /* the first one is told */
		return;
	snprintf(req->error, sizeof(req->error), "%s", error);
	snprintf(req->error_description, sizeof(req->error_description), "%s", description);
}

/* Printable ASCII only (UTF-8 in state would be legal; refusing it is
 * safe and keeps logs and URLs plain). */
static int printable(const char *v)
{
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return 0;
	return 1;
}

/* The "acr" asked through the claims parameter (OIDC Core §5.5.1.1):
 * its values join acr_values, and essential is remembered. */
static void claims_param(oidc_authz_req_t *req, const char *value)
{
	static const char *const parts[] = {"id_token", "userinfo"};
	json_t *j = json_loads(value, JSON_REJECT_DUPLICATES, NULL);

	if (j == NULL || !json_is_object(j)) {
		req_error(req, "invalid_request", "The claims parameter is not a JSON object.");
		json_decref(j);
		return;
	}
	for (size_t i = 0; i < 2; i++) {
		json_t *acr = json_object_get(json_object_get(j, parts[i]), "acr");
		json_t *v, *values;
		size_t k;
		if (!json_is_object(acr))
			continue;
		if (json_is_true(json_object_get(acr, "essential")))
			req->acr_essential = 1;
		values = json_object_get(acr, "values");
		if (json_is_string(json_object_get(acr, "value")))
			values = json_pack("[O]", json_object_get(acr, "value"));
		else
			json_incref(values);
		json_array_foreach(values, k, v)
		{
			size_t used = strlen(req->acr_values);
			if (!json_is_string(v) || !printable(json_string_value(v)) ||
			    strchr(json_string_value(v), ' ') ||
			    used + 1 + strlen(json_string_value(v)) >= sizeof(req->acr_values)) {
				req_error(req, "invalid_request",
					  "The claims parameter's acr is not valid.");
				break;
			}
			snprintf(req->acr_values + used, sizeof(req->acr_values) - used, "%s%s",
				 used ? " " : "", json_string_value(v));
		}
		json_decref(values);
	}
	json_decref(j);
}

void oidc_authz_param(oidc_authz_req_t *req, const char *name, const char *value, unsigned *seen)
{
	if (value == NULL)
		value = "";
	if (strcmp(name, "request") == 0) {
		req_error(req, "request_not_supported", "Request objects are not supported.");
		return;
	}
	if (strcmp(name, "request_uri") == 0) {
		req_error(req, "request_uri_not_supported", "request_uri is not supported.");
		return;
	}
	if (strcmp(name, "max_age") == 0 || strcmp(name, "claims") == 0) {
		unsigned bit = name[0] == 'm' ? SEEN_MAX_AGE : SEEN_CLAIMS;
		char *end;
		if (*seen & bit) {
			req_error(req, "invalid_request", "A parameter is repeated.");
			return;
		}
		*seen |= bit;
		if (bit == SEEN_CLAIMS) {
			claims_param(req, value);
			return;
		}
		req->max_age = isdigit((unsigned char)value[0]) ? strtoll(value, &end, 10) : -1;
		if (req->max_age < 0 || *end != '\0' || strlen(value) > 9) {
			req->max_age = -1;
			req_error(req, "invalid_request", "max_age is not a number of seconds.");
		}
		return;
	}
	for (size_t i = 0; i < N_PARAMS; i++) {
		char *dst;
		if (strcmp(params[i].name, name) != 0)
			continue;
		dst = (char *)req + params[i].off;
		if (*seen & (1u << i)) {
			req_error(req, "invalid_request", "A parameter is repeated.");
			if (i < 2) /* which client or where to is unclear: no redirect */
				dst[0] = '\0';
			return;
		}
		*seen |= 1u << i;
		if (strlen(value) >= params[i].size || !printable(value)) {
			req_error(req, "invalid_request",
				  "A parameter is too long or not printable.");
			return;
		}
		if (strcmp(name, "acr_values") == 0 && req->acr_values[0]) { /* after claims */
			size_t used = strlen(req->acr_values);
			if (used + 1 + strlen(value) < sizeof(req->acr_values))
				snprintf(dst + used, params[i].size - used, " %s", value);
			return;
		}
		snprintf(dst, params[i].size, "%s", value);
		return;
	}
	/* other parameters are ignored (OIDC Core §3.1.2.1, RFC 6749 §3.1) */
}

/* Whether the space-separated list has word. */
static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p;) {
		size_t k;
		p += strspn(p, " ");
		k = strcspn(p, " ");
		if (k == n && strncmp(p, word, n) == 0)
			return 1;
		p += k;
	}
	return 0;
}

/* Appends "name=value" (percent-encoded) to a URL being built. */
static void url_add(char *url, size_t sz, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(url);

	if (n + 2 + strlen(name) >= sz)
		return;
	url[n++] = strchr(url, '?') ? '&' : '?';
	for (const char *p = name; *p; p++)
		url[n++] = *p;
	url[n++] = '=';
	for (const unsigned char *p = (const unsigned char *)value; *p && n + 4 < sz; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			url[n++] = (char)*p;
		} else {
			url[n++] = '%';
			url[n++] = hex[*p >> 4];
			url[n++] = hex[*p & 15];
		}
	}
	url[n] = '\0';
}

static int redirect_error(authd_t *d, const oidc_authz_req_t *req, const char *error,
			  const char *description, oidc_authz_result_t *out)
{
	out->kind = OIDC_AUTHZ_REDIRECT;
	snprintf(out->location, sizeof(out->location), "%s", req->redirect_uri);
	url_add(out->location, sizeof(out->location), "error", error);
	if (description)
		url_add(out->location, sizeof(out->location), "error_description", description);
	if (req->state[0])
		url_add(out->location, sizeof(out->location), "state", req->state);
	url_add(out->location, sizeof(out->location), "iss", d->oidc->issuer);
	return SESAME_OK;
}

void oidc_session_sid(const session_t *s, char sid[STORE_OIDC_MAX_SID + 1])
{
	unsigned char buf[sizeof(SID_LABEL) + STORE_SESSION_HASH_LEN], h[SHA256_DIGEST_LENGTH];

	memcpy(buf, SID_LABEL, sizeof(SID_LABEL));
	memcpy(buf + sizeof(SID_LABEL), s->s.id_hash, STORE_SESSION_HASH_LEN);
	SHA256(buf, sizeof(buf), h);
	base64url_encode(h, 16, sid, STORE_OIDC_MAX_SID + 1);
}

/* A PKCE challenge of S256: 43 base64url characters. */
static int challenge_ok(const char *c)
{
	if (strlen(c) != 43)
		return 0;
	for (const char *p = c; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return 0;
	return 1;
}

/* ---- the request waits in the store during the sign-in ---- */

struct save_ctx {
	unsigned char hash[TOKEN_HASH_LEN];
	const char *params;
	int64_t now, expires;
};

static int save_tx(store_tx_t *tx, void *arg)
{
	struct save_ctx *c = arg;
	return store_oidc_request_add(tx, c->hash, c->params, c->now, c->expires);
}

static int request_save(authd_t *d, const oidc_authz_req_t *req, int64_t now,
			char cookie[TOKEN_LEN + 1])
{
	json_t *j = json_object();
	struct save_ctx c;
	char *text = NULL;
	int r = SESAME_ERR_NOMEM;

	if (j == NULL)
		return r;
	for (size_t i = 0; i < N_PARAMS; i++)
		json_object_set_new(j, params[i].name,
				    json_string((const char *)req + params[i].off));
	json_object_set_new(j, "max_age", json_integer(req->max_age));
	json_object_set_new(j, "acr_essential", json_boolean(req->acr_essential));
	json_object_set_new(j, "created", json_integer(req->created));
	json_object_set_new(j, "prior_sid", json_string(req->prior_sid));
	if ((text = json_dumps(j, JSON_COMPACT)) == NULL || strlen(text) > STORE_OIDC_MAX_PARAMS)
		goto out;
	if ((r = token_new(cookie)) != SESAME_OK || (r = token_hash(cookie, c.hash)) != SESAME_OK)
		goto out;
	c.params = text;
	c.now = now;
	c.expires = now + OIDC_REQUEST_TTL;
	r = store_run(d->store, save_tx, &c);
out:
	free(text);
	json_decref(j);
	return r;
}

struct take_ctx {
	unsigned char hash[TOKEN_HASH_LEN];
	int64_t now;
	char params[STORE_OIDC_MAX_PARAMS + 1];
};

static int take_tx(store_tx_t *tx, void *arg)
{
	struct take_ctx *c = arg;
	return store_oidc_request_take(tx, c->hash, c->now, c->params, sizeof(c->params));
}

int oidc_authz_resume(authd_t *d, const char *cookie, int64_t now, oidc_authz_req_t *req)
{
	struct take_ctx *c = calloc(1, sizeof(*c));
	json_t *j = NULL;
	int r;

	memset(req, 0, sizeof(*req));
	if (c == NULL)
		return SESAME_ERR_NOMEM;
	c->now = now;
	if ((r = token_hash(cookie, c->hash)) != SESAME_OK ||
	    (r = store_run(d->store, take_tx, c)) != SESAME_OK)
		goto out;
	if ((j = json_loads(c->params, 0, NULL)) == NULL) {
		r = SESAME_ERR_NOT_FOUND;
		goto out;
	}
	for (size_t i = 0; i < N_PARAMS; i++) {
		const char *v = json_string_value(json_object_get(j, params[i].name));
		snprintf((char *)req + params[i].off, params[i].size, "%s", v ? v : "");
	}
	req->max_age = json_integer_value(json_object_get(j, "max_age"));
	if (!json_is_integer(json_object_get(j, "max_age")))
		req->max_age = -1;
	req->acr_essential = json_is_true(json_object_get(j, "acr_essential"));
	req->created = json_integer_value(json_object_get(j, "created"));
	snprintf(req->prior_sid, sizeof(req->prior_sid), "%s",
		 json_string_value(json_object_get(j, "prior_sid"))
		     ? json_string_value(json_object_get(j, "prior_sid"))
		     : "");
out:
	json_decref(j);
	free(c);
	return r;
}

/* ---- a code ---- */

struct issue_ctx {
	store_oidc_grant_t g;
	unsigned char hash[TOKEN_HASH_LEN];
	const char *redirect_uri, *challenge, *rhost;
	int64_t now, code_expires;
};

static int issue_tx(store_tx_t *tx, void *arg)
{
	struct issue_ctx *c = arg;
	int r;

	c->g.id = 0;
	if ((r = store_oidc_purge(tx, c->now)) != SESAME_OK ||
	    (r = store_oidc_grant_add(tx, &c->g)) != SESAME_OK ||
	    (r = store_oidc_code_add(tx, c->hash, c->g.id, c->redirect_uri, c->challenge,
				     c->code_expires)) != SESAME_OK)
		return r;
	return audit_record(tx, c->now, c->g.user, c->g.client_id, c->rhost, "oidc", "ok", "code");
}

/* Whether factors make the sign-in that acr value names. */
static int acr_met(authd_t *d, const char *acr, unsigned factors)
{
	if (strcmp(acr, OIDC_ACR_1FA) == 0)
		return factors != 0;
	if (strcmp(acr, OIDC_ACR_MFA) == 0)
		return strcmp(oidc_acr(d, factors), OIDC_ACR_MFA) == 0;
	return 0;
}

/* Whether one of the acr values asked (none: any) is met by factors;
 * *known: whether any of them is a value of ours. */
static int acr_ok(authd_t *d, const char *list, unsigned factors, int *known)
{
	char buf[OIDC_MAX_ACR + 1];
	char *save = NULL;
	int asked = 0, met = 0;

	*known = 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		asked = 1;
		if (strcmp(w, OIDC_ACR_1FA) == 0 || strcmp(w, OIDC_ACR_MFA) == 0)
			*known = 1;
		if (acr_met(d, w, factors))
			met = 1;
	}
	if (!asked)
		*known = 1;
	return !asked || met;
}

int oidc_authorize(authd_t *d, oidc_authz_req_t *req, const session_t *s, int resumed,
		   const char *rhost, int64_t now, oidc_authz_result_t *out)
{
	oidc_client_conf_t client;
	requirement_t need;
	struct issue_ctx *ic = NULL;
	char code[TOKEN_LEN + 1], sid[STORE_OIDC_MAX_SID + 1] = "";
	int none, login, known, met, r;

	memset(out, 0, sizeof(*out));
	/* 1. the client and its redirect URI, or a page (no redirect) */
	out->kind = OIDC_AUTHZ_PAGE;
	if (req->client_id[0] == '\0' ||
	    (r = oidc_client_find(d, req->client_id, &client, NULL)) == SESAME_ERR_NOT_FOUND) {
		snprintf(out->location, sizeof(out->location), "%s", "unknown client");
		return SESAME_OK;
	}
	if (r != SESAME_OK)
		return r;
	if (req->redirect_uri[0] == '\0' || !oidc_client_redirect_ok(&client, req->redirect_uri)) {
		snprintf(out->location, sizeof(out->location), "%s", "unregistered redirect URI");
		return SESAME_OK;
	}
	/* 2. everything else goes back to the client */
	if (req->error[0])
		return redirect_error(d, req, req->error, req->error_description, out);
	if (strcmp(req->response_type, "code") != 0)
		return redirect_error(d, req, "unsupported_response_type",
				      "Only the authorization code flow (response_type=code) is "
				      "supported.",
				      out);
	if (req->response_mode[0] && strcmp(req->response_mode, "query") != 0)
		return redirect_error(d, req, "invalid_request",
				      "Only response_mode=query is supported.", out);
	if (!has_word(req->scope, "openid"))
		return redirect_error(d, req, "invalid_scope", "The scope must contain openid.",
				      out);
	if (req->code_challenge[0] || req->code_challenge_method[0]) {
		if (strcmp(req->code_challenge_method, "S256") != 0)
			return redirect_error(d, req, "invalid_request",
					      "code_challenge_method must be S256.", out);
		if (!challenge_ok(req->code_challenge))
			return redirect_error(d, req, "invalid_request",
					      "code_challenge is not an S256 challenge.", out);
	} else if (!client.has_secret) {
		return redirect_error(d, req, "invalid_request",
				      "A public client must use PKCE (code_challenge, S256).", out);
	}
	none = has_word(req->prompt, "none");
	login = has_word(req->prompt, "login");
	if (none &&
	    (login || has_word(req->prompt, "consent") || has_word(req->prompt, "select_account")))
		return redirect_error(d, req, "invalid_request", "prompt=none goes alone.", out);
	if ((r = oidc_client_requirement(d, &client, &need)) != SESAME_OK)
		return r;
	if (req->created == 0)
		req->created = now;

	/* 3. the sign-in: present, fresh enough, of the hinted user, and
	 * meeting the client's requirement and the acr asked */
	met = s != NULL && requirement_met(&need, s->s.factors) &&
	      acr_ok(d, req->acr_values, s->s.factors, &known);
	if (!acr_ok(d, req->acr_values, FACTOR_ALL, &known))
		return redirect_error(d, req, "unmet_authentication_requirements",
				      "The acr values asked are not offered here.", out);
	if (s != NULL)
		oidc_session_sid(s, sid);
	if (s == NULL || !met || (login && !resumed) ||
	    (resumed && req->prior_sid[0] && strcmp(req->prior_sid, sid) == 0) ||
	    (req->max_age >= 0 && now - s->s.auth_time > req->max_age) ||
	    (!resumed && req->login_hint[0] && strcmp(req->login_hint, s->s.user) != 0)) {
		if (resumed && s != NULL && !met)
			return redirect_error(
			    d, req,
			    req->acr_values[0] ? "unmet_authentication_requirements"
					       : "access_denied",
			    "The sign-in did not meet this client's requirement.", out);
		if (resumed)
			return redirect_error(d, req, "login_required", "No new sign-in was made.",
					      out);
		if (none)
			return redirect_error(
			    d, req, s == NULL || met ? "login_required" : "interaction_required",
			    NULL, out);
		if (s != NULL && login)
			memcpy(req->prior_sid, sid, sizeof(req->prior_sid));
		out->kind = OIDC_AUTHZ_LOGIN;
		out->force_login = s != NULL;
		snprintf(out->location, sizeof(out->location), "%s", "/login");
		return request_save(d, req, now, out->cookie);
	}

	/* 4. a code */
	if ((ic = calloc(1, sizeof(*ic))) == NULL)
		return SESAME_ERR_NOMEM;
	snprintf(ic->g.client_id, sizeof(ic->g.client_id), "%s", client.id);
	ic->g.user_id = s->s.user_id;
	snprintf(ic->g.user, sizeof(ic->g.user), "%s", s->s.user);
	oidc_session_sid(s, ic->g.sid);
	snprintf(ic->g.scope, sizeof(ic->g.scope), "%s", req->scope);
	snprintf(ic->g.nonce, sizeof(ic->g.nonce), "%s", req->nonce);
	ic->g.factors = s->s.factors;
	ic->g.auth_time = s->s.auth_time;
	ic->g.created = now;
	ic->g.expires = now + d->cfg.oidc.refresh_token_ttl;
	ic->redirect_uri = req->redirect_uri;
	ic->challenge = req->code_challenge;
	ic->rhost = rhost;
	ic->now = now;
	ic->code_expires = now + d->cfg.oidc.code_ttl;
	if ((r = token_new(code)) != SESAME_OK || (r = token_hash(code, ic->hash)) != SESAME_OK ||
	    (r = store_run(d->store, issue_tx, ic)) != SESAME_OK)
		goto out;
	out->kind = OIDC_AUTHZ_REDIRECT;
	snprintf(out->location, sizeof(out->location), "%s", req->redirect_uri);
	url_add(out->location, sizeof(out->location), "code", code);
	if (req->state[0])
		url_add(out->location, sizeof(out->location), "state", req->state);
	url_add(out->location, sizeof(out->location), "iss", d->oidc->issuer);
out:
	OPENSSL_cleanse(code, sizeof(code));
	free(ic);
	return r;
}
