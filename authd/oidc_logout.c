/* Back-channel logout of the OpenID Connect provider (oidc_logout.h). */
#include <curl/curl.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "oidc_authz.h"
#include "oidc_logout.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"

#define LOGOUT_EVENT "http://schemas.openid.net/event/backchannel-logout"
#define LOGOUT_TOKEN_TTL 120
#define LOGOUT_TIMEOUT_MS 5000

/* One logout token to post. */
typedef struct {
	char uri[OIDC_MAX_URI + 1];
	char *body; /* logout_token=JWT */
} logout_send_t;

typedef struct {
	logout_send_t *items;
	size_t n;
} logout_batch_t;

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void *sender(void *arg)
{
	logout_batch_t *b = arg;

	for (size_t i = 0; i < b->n; i++) {
		CURL *curl = curl_easy_init();
		long status = 0;
		CURLcode rc = CURLE_FAILED_INIT;
		if (curl != NULL) {
			curl_easy_setopt(curl, CURLOPT_URL, b->items[i].uri);
			curl_easy_setopt(curl, CURLOPT_POSTFIELDS, b->items[i].body);
			curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)LOGOUT_TIMEOUT_MS);
			curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
			curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
			curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
			rc = curl_easy_perform(curl);
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
			curl_easy_cleanup(curl);
		}
		if (rc != CURLE_OK || status != 200)
			log_warn("oidc: back-channel logout to %s failed (%s, HTTP %ld)",
				 b->items[i].uri, curl_easy_strerror(rc), status);
		else
			log_info("oidc: back-channel logout sent to %s", b->items[i].uri);
		free(b->items[i].body);
	}
	free(b->items);
	free(b);
	return NULL;
}

/* The logout token of grant g for client c. */
static int logout_token(authd_t *d, const oidc_client_conf_t *c, const store_oidc_grant_t *g,
			int64_t now, char **jwt)
{
	unsigned char jti[16];
	char jti_text[32];
	json_t *claims;
	int r;

	if (RAND_bytes(jti, sizeof(jti)) != 1)
		return SESAME_ERR_CRYPTO;
	base64url_encode(jti, sizeof(jti), jti_text, sizeof(jti_text));
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:{s:{}}}", "iss", d->oidc->issuer,
			   "sub", g->user, "aud", c->id, "iat", (json_int_t)now, "exp",
			   (json_int_t)(now + LOGOUT_TOKEN_TTL), "jti", jti_text, "sid", g->sid,
			   "events", LOGOUT_EVENT);
	if (claims == NULL)
		return SESAME_ERR_NOMEM;
	r = oidc_keys_sign(d, d->oidc->keys, oidc_client_alg(d, c), "logout+jwt", claims, now, jwt);
	json_decref(claims);
	return r;
}

struct end_ctx {
	int64_t user_id;
	const char *user, *sid;
	store_oidc_grant_t *grants;
	size_t n;
};

static int end_tx(store_tx_t *tx, void *arg)
{
	struct end_ctx *c = arg;
	store_user_t u;
	int r;

	free(c->grants);
	c->grants = NULL;
	c->n = 0;
	if (c->user != NULL) {
		if ((r = store_user_get(tx, c->user, &u)) != SESAME_OK)
			return r == SESAME_ERR_NOT_FOUND ? SESAME_OK : r;
		c->user_id = u.id;
	}
	if ((r = store_oidc_grant_list(tx, c->user_id, c->sid, &c->grants, &c->n)) != SESAME_OK)
		return r;
	for (size_t i = 0; i < c->n; i++)
		if (!c->grants[i].revoked &&
		    (r = store_oidc_grant_revoke(tx, c->grants[i].id)) != SESAME_OK)
			return r;
	return SESAME_OK;
}

static int logout(authd_t *d, struct end_ctx *c, int64_t now)
{
	logout_batch_t *b = NULL;
	pthread_t t;
	pthread_attr_t attr;
	int r;

	if (d->oidc == NULL)
		return SESAME_OK;
	if ((r = store_run(d->store, end_tx, c)) != SESAME_OK || c->n == 0)
		goto out;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->items = calloc(c->n, sizeof(*b->items))) == NULL) {
		r = SESAME_ERR_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n; i++) {
		const store_oidc_grant_t *g = &c->grants[i];
		oidc_client_conf_t client;
		char *jwt = NULL;
		int dup = 0;
		for (size_t j = 0; j < i; j++) /* one token per client and session */
			dup |= strcmp(c->grants[j].client_id, g->client_id) == 0 &&
			       strcmp(c->grants[j].sid, g->sid) == 0;
		if (dup || oidc_client_find(d, g->client_id, &client, NULL) != SESAME_OK ||
		    client.backchannel_logout_uri[0] == '\0')
			continue;
		if ((r = logout_token(d, &client, g, now, &jwt)) != SESAME_OK)
			goto out;
		size_t len = strlen("logout_token=") + strlen(jwt) + 1;
		if ((b->items[b->n].body = malloc(len)) == NULL) {
			free(jwt);
			r = SESAME_ERR_NOMEM;
			goto out;
		}
		/* a JWT is base64url and dots: nothing to escape in a form */
		snprintf(b->items[b->n].body, len, "logout_token=%s", jwt);
		snprintf(b->items[b->n].uri, sizeof(b->items[b->n].uri), "%s",
			 client.backchannel_logout_uri);
		b->n++;
		free(jwt);
	}
	if (b->n == 0)
		goto out;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, sender, b) == 0)
		b = NULL;
	else
		log_err("oidc: cannot start the back-channel logout sender");
	pthread_attr_destroy(&attr);
out:
	if (b) {
		for (size_t i = 0; b->items && i < b->n; i++)
			free(b->items[i].body);
		free(b->items);
		free(b);
	}
	free(c->grants);
	c->grants = NULL;
	return r;
}

int oidc_logout_session(authd_t *d, const session_t *s, int64_t now)
{
	char sid[STORE_OIDC_MAX_SID + 1];
	struct end_ctx c = {s->s.user_id, NULL, sid, NULL, 0};

	oidc_session_sid(s, sid);
	return logout(d, &c, now);
}

int oidc_logout_user(authd_t *d, const char *user, int64_t now)
{
	struct end_ctx c = {0, user, NULL, NULL, 0};
	return logout(d, &c, now);
}

int oidc_logout_redirect_ok(authd_t *d, const char *client_id, const char *uri)
{
	oidc_client_conf_t c;

	return client_id != NULL && uri != NULL &&
	       oidc_client_find(d, client_id, &c, NULL) == SESAME_OK &&
	       oidc_client_redirect_ok(&c, uri);
}
