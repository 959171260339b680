/* Signing keys of the OpenID Connect provider (oidc_keys.h): the store
 * holds them, sealed; this keeps the current private keys and the JWKS in
 * memory, reloaded from the store every OIDC_KEYS_RELOAD seconds so that
 * a rotation by another daemon of the same store is seen. */
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc_jose.h"
#include "oidc_keys.h"
#include "sesame/base64url.h"
#include "sesame/error.h"
#include "sesame/log.h"

#define OIDC_KEYS_RELOAD 60
#define OIDC_KID_BYTES 12

static const char *const oidc_algs[] = {"RS256", "ES256", "EdDSA"};
#define OIDC_NALGS (sizeof(oidc_algs) / sizeof(oidc_algs[0]))

struct oidc_keys {
	pthread_mutex_t lock;
	int64_t loaded;
	EVP_PKEY *current[OIDC_NALGS];
	char kid[OIDC_NALGS][STORE_OIDC_MAX_KID + 1];
	int64_t created[OIDC_NALGS];
	char *jwks;
};

static int alg_index(const char *alg)
{
	for (size_t i = 0; i < OIDC_NALGS; i++)
		if (strcmp(oidc_algs[i], alg) == 0)
			return (int)i;
	return -1;
}

/* A fresh key of alg in state: generated, its public JWK, sealed. */
static int key_make(authd_t *d, const char *alg, int state, int64_t now, store_oidc_key_t *out)
{
	unsigned char id[OIDC_KID_BYTES], *der = NULL, *sealed = NULL;
	size_t der_len = 0, sealed_len = 0;
	EVP_PKEY *k = NULL;
	json_t *jwk = NULL;
	char *text = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (RAND_bytes(id, sizeof(id)) != 1)
		return SESAME_ERR_CRYPTO;
	if ((r = base64url_encode(id, sizeof(id), out->kid, sizeof(out->kid))) != SESAME_OK)
		return r;
	snprintf(out->alg, sizeof(out->alg), "%s", alg);
	out->state = state;
	out->created = now;
	if ((r = oidc_jose_keygen(alg, &k)) != SESAME_OK ||
	    (r = oidc_jose_public_jwk(k, alg, out->kid, &jwk)) != SESAME_OK ||
	    (r = oidc_jose_key_der(k, &der, &der_len)) != SESAME_OK ||
	    (r = seal_encrypt(d->keys, OIDC_SEAL_PURPOSE, out->kid, der, der_len, &sealed,
			      &sealed_len)) != SESAME_OK)
		goto out;
	if ((text = json_dumps(jwk, JSON_COMPACT)) == NULL || strlen(text) > STORE_OIDC_MAX_JWK ||
	    sealed_len > sizeof(out->sealed)) {
		r = SESAME_ERR_TOO_LARGE;
		goto out;
	}
	snprintf(out->public_jwk, sizeof(out->public_jwk), "%s", text);
	memcpy(out->sealed, sealed, sealed_len);
	out->sealed_len = sealed_len;
out:
	if (der) {
		OPENSSL_cleanse(der, der_len);
		free(der);
	}
	free(sealed);
	free(text);
	json_decref(jwk);
	EVP_PKEY_free(k);
	return r;
}

struct list_ctx {
	store_oidc_key_t *items;
	size_t n;
};

static int list_tx(store_tx_t *tx, void *arg)
{
	struct list_ctx *c = arg;

	free(c->items);
	c->items = NULL;
	return store_oidc_key_list(tx, &c->items, &c->n);
}

/* Whether the list holds a key of alg in state; its created time. */
static int has_key(const struct list_ctx *c, const char *alg, int state, int64_t *created)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].alg, alg) == 0 && c->items[i].state == state) {
			if (created)
				*created = c->items[i].created;
			return 1;
		}
	return 0;
}

struct add_ctx {
	store_oidc_key_t *keys; /* current and next of one algorithm */
	size_t n;
	int shift;	    /* rotation: shift first */
	int64_t not_before; /* rotation: only when the current key is older */
	int done;
};

static int add_tx(store_tx_t *tx, void *arg)
{
	struct add_ctx *c = arg;
	struct list_ctx l = {NULL, 0};
	const char *alg = c->keys[0].alg;
	int64_t created = 0;
	int r;

	c->done = 0;
	if ((r = store_oidc_key_list(tx, &l.items, &l.n)) != SESAME_OK)
		return r;
	/* decided again inside the transaction: another daemon may have done it */
	if (c->shift) {
		if (!has_key(&l, alg, STORE_OIDC_KEY_NEXT, NULL) ||
		    (has_key(&l, alg, STORE_OIDC_KEY_CURRENT, &created) &&
		     created >= c->not_before))
			goto out;
		if ((r = store_oidc_key_shift(tx, alg)) != SESAME_OK)
			goto out;
	} else if (has_key(&l, alg, STORE_OIDC_KEY_CURRENT, NULL)) {
		goto out;
	}
	for (size_t i = 0; i < c->n; i++)
		if ((r = store_oidc_key_add(tx, &c->keys[i])) != SESAME_OK)
			goto out;
	store_tx_durable(tx);
	c->done = 1;
out:
	free(l.items);
	return r;
}

/* Reads the keys into k (under its lock). */
static int keys_load(authd_t *d, oidc_keys_t *k, int64_t now)
{
	struct list_ctx l = {NULL, 0};
	json_t *jwks = NULL, *arr;
	char *text = NULL;
	int r;

	if ((r = store_read(d->store, list_tx, &l)) != SESAME_OK)
		return r;
	r = SESAME_ERR_NOMEM;
	if ((jwks = json_object()) == NULL || (arr = json_array()) == NULL ||
	    json_object_set_new(jwks, "keys", arr) != 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		const store_oidc_key_t *s = &l.items[i];
		json_t *jwk = json_loads(s->public_jwk, 0, NULL);
		int a = alg_index(s->alg);
		if (jwk == NULL || a < 0) {
			json_decref(jwk);
			continue;
		}
		json_array_append_new(arr, jwk);
		if (s->state == STORE_OIDC_KEY_CURRENT && strcmp(k->kid[a], s->kid) != 0) {
			unsigned char *der = NULL;
			size_t len = 0;
			EVP_PKEY *pk = NULL;
			r = seal_decrypt(d->keys, OIDC_SEAL_PURPOSE, s->kid, s->sealed,
					 s->sealed_len, &der, &len);
			if (r == SESAME_OK)
				r = oidc_jose_key_from_der(der, len, &pk);
			seal_buf_free(&der, len);
			if (r != SESAME_OK) {
				log_err("oidc: cannot open the signing key %s (%s)", s->kid,
					sesame_err_code(r));
				goto out;
			}
			EVP_PKEY_free(k->current[a]);
			k->current[a] = pk;
			snprintf(k->kid[a], sizeof(k->kid[a]), "%s", s->kid);
		}
		if (s->state == STORE_OIDC_KEY_CURRENT)
			k->created[a] = s->created;
	}
	if ((text = json_dumps(jwks, JSON_COMPACT)) == NULL)
		goto out;
	free(k->jwks);
	k->jwks = text;
	k->loaded = now;
	r = SESAME_OK;
out:
	json_decref(jwks);
	free(l.items);
	return r;
}

/* Adds keys for alg: current and next (first start), or a rotation. */
static int keys_add(authd_t *d, const char *alg, int rotate, int64_t not_before, int64_t now,
		    int *done)
{
	store_oidc_key_t keys[2];
	struct add_ctx c = {keys, rotate ? 1 : 2, rotate, not_before, 0};
	int r;

	/* slow (RSA): outside any transaction */
	if ((r = key_make(d, alg, STORE_OIDC_KEY_NEXT, now, &keys[0])) != SESAME_OK)
		return r;
	if (!rotate) {
		keys[1] = keys[0];
		keys[0].state = STORE_OIDC_KEY_CURRENT;
		if ((r = key_make(d, alg, STORE_OIDC_KEY_NEXT, now, &keys[1])) != SESAME_OK)
			return r;
	}
	r = store_run(d->store, add_tx, &c);
	OPENSSL_cleanse(keys, sizeof(keys));
	if (r == SESAME_OK && c.done)
		log_info("oidc: %s %s signing keys", rotate ? "rotated the" : "made the first",
			 alg);
	if (done)
		*done = c.done;
	return r;
}

int oidc_keys_start(authd_t *d, oidc_keys_t **out)
{
	unsigned algs = oidc_config_algorithms(&d->cfg.oidc);
	int64_t now = (int64_t)time(NULL);
	oidc_keys_t *k;
	int r;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return SESAME_ERR_NOMEM;
	pthread_mutex_init(&k->lock, NULL);
	for (size_t i = 0; i < OIDC_NALGS; i++)
		if ((algs & oidc_alg_bit(oidc_algs[i])) &&
		    (r = keys_add(d, oidc_algs[i], 0, 0, now, NULL)) != SESAME_OK)
			goto fail;
	if ((r = oidc_keys_rotate(d, k, 0, now)) != SESAME_OK)
		goto fail;
	*out = k;
	return SESAME_OK;
fail:
	oidc_keys_free(&k);
	return r;
}

void oidc_keys_free(oidc_keys_t **kp)
{
	oidc_keys_t *k;

	if (kp == NULL || (k = *kp) == NULL)
		return;
	for (size_t i = 0; i < OIDC_NALGS; i++)
		EVP_PKEY_free(k->current[i]);
	free(k->jwks);
	pthread_mutex_destroy(&k->lock);
	free(k);
	*kp = NULL;
}

int oidc_keys_rotate(authd_t *d, oidc_keys_t *k, int force, int64_t now)
{
	int64_t age = (int64_t)d->cfg.oidc.key_rotation * 86400;
	int r = SESAME_OK;

	pthread_mutex_lock(&k->lock);
	if ((r = keys_load(d, k, now)) != SESAME_OK)
		goto out;
	for (size_t i = 0; i < OIDC_NALGS; i++) {
		int done = 0;
		if (k->current[i] == NULL || (!force && (age == 0 || now - k->created[i] < age)))
			continue;
		if ((r = keys_add(d, oidc_algs[i], 1, force ? now + 1 : now - age, now, &done)) !=
		    SESAME_OK)
			goto out;
	}
	r = keys_load(d, k, now);
out:
	pthread_mutex_unlock(&k->lock);
	return r;
}

/* Reloads k when it is older than OIDC_KEYS_RELOAD (under its lock). */
static int keys_fresh(authd_t *d, oidc_keys_t *k, int64_t now)
{
	int64_t age = (int64_t)d->cfg.oidc.key_rotation * 86400;

	if (now - k->loaded < OIDC_KEYS_RELOAD)
		return SESAME_OK;
	for (size_t i = 0; i < OIDC_NALGS; i++)
		if (k->current[i] != NULL && age > 0 && now - k->created[i] >= age) {
			pthread_mutex_unlock(&k->lock);
			int r = oidc_keys_rotate(d, k, 0, now); /* takes the lock itself */
			pthread_mutex_lock(&k->lock);
			return r;
		}
	return keys_load(d, k, now);
}

int oidc_keys_jwks(authd_t *d, oidc_keys_t *k, int64_t now, char **out)
{
	int r;

	pthread_mutex_lock(&k->lock);
	r = keys_fresh(d, k, now);
	*out = r == SESAME_OK ? strdup(k->jwks) : NULL;
	pthread_mutex_unlock(&k->lock);
	if (r == SESAME_OK && *out == NULL)
		r = SESAME_ERR_NOMEM;
	return r;
}

int oidc_keys_sign(authd_t *d, oidc_keys_t *k, const char *alg, const char *typ,
		   const json_t *claims, int64_t now, char **jwt)
{
	int a = alg_index(alg), r;
	char kid[STORE_OIDC_MAX_KID + 1];
	EVP_PKEY *key = NULL;

	*jwt = NULL;
	if (a < 0)
		return SESAME_ERR_INVALID_ARGUMENT;
	pthread_mutex_lock(&k->lock);
	r = keys_fresh(d, k, now);
	if (r == SESAME_OK && k->current[a] == NULL)
		r = SESAME_ERR_NOT_FOUND;
	if (r == SESAME_OK && EVP_PKEY_up_ref(k->current[a]) == 1) {
		key = k->current[a];
		memcpy(kid, k->kid[a], sizeof(kid));
	}
	pthread_mutex_unlock(&k->lock);
	if (r != SESAME_OK)
		return r;
	if (key == NULL)
		return SESAME_ERR_CRYPTO;
	/* outside the lock: signatures run in parallel */
	r = oidc_jose_sign(key, alg, kid, typ, claims, jwt);
	EVP_PKEY_free(key);
	return r;
}
