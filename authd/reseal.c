/* Re-sealing after a master key rotation (see reseal.h): the TOTP seeds,
 * a page at a time, then the OpenID Connect signing keys. */
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "oidc_keys.h"
#include "reseal.h"
#include "seal.h"
#include "sesame/error.h"
#include "sesame/log.h"

#define RESEAL_PAGE 128

/* ---- status ---- */

struct status_ctx {
	authd_t *d;
	reseal_status_t *out;
	int64_t last;
	size_t rows;
};

static int count_one(void *arg, int64_t id, const char *user, const unsigned char *sealed,
		     size_t len)
{
	struct status_ctx *c = arg;
	reseal_status_t *o = c->out;
	uint32_t v = 0;
	size_t i;

	(void)user;
	c->last = id;
	c->rows++;
	if (seal_blob_version(sealed, len, &v) != SESAME_OK) {
		o->malformed++;
		return SESAME_OK;
	}
	if (seal_blob_format(sealed, len) == SEAL_FORMAT_MASTER)
		o->legacy++;
	for (i = 0; i < o->n && o->v[i].version < v; i++)
		continue;
	if (i < o->n && o->v[i].version == v) {
		o->v[i].count++;
		return SESAME_OK;
	}
	if (o->n == RESEAL_MAX_VERSIONS) {
		o->malformed++; /* more versions than a key file can hold */
		return SESAME_OK;
	}
	memmove(&o->v[i + 1], &o->v[i], (o->n - i) * sizeof(o->v[0]));
	o->v[i].version = v;
	o->v[i].count = 1;
	o->v[i].loaded = seal_has_version(c->d->keys, v);
	o->n++;
	return SESAME_OK;
}

static int status_tx(store_tx_t *tx, void *arg)
{
	struct status_ctx *c = arg;
	c->rows = 0;
	return store_totp_sealed_page(tx, c->last, RESEAL_PAGE, count_one, c);
}

/* The OpenID Connect signing keys: a few rows, read at once. */
static int oidc_status_tx(store_tx_t *tx, void *arg)
{
	struct status_ctx *c = arg;
	store_oidc_key_t *keys = NULL;
	size_t n = 0;
	int r = store_oidc_key_list(tx, &keys, &n);

	for (size_t i = 0; r == SESAME_OK && i < n; i++)
		r = count_one(c, 0, keys[i].kid, keys[i].sealed, keys[i].sealed_len);
	free(keys);
	return r;
}

int reseal_status(authd_t *d, reseal_status_t *out)
{
	struct status_ctx c = {d, out, 0, 0};
	int r;

	memset(out, 0, sizeof(*out));
	do {
		if ((r = store_read(d->store, status_tx, &c)) != SESAME_OK)
			return r;
	} while (c.rows == RESEAL_PAGE);
	return store_read(d->store, oidc_status_tx, &c);
}

/* ---- re-sealing ---- */

struct resealed {
	int64_t id;
	unsigned char *sealed;
	size_t len;
};

struct run_ctx {
	authd_t *d;
	uint32_t current;
	int64_t last;
	size_t rows, done, unreadable;
	struct resealed page[RESEAL_PAGE];
	size_t n;
};

static int reseal_one(void *arg, int64_t id, const char *user, const unsigned char *sealed,
		      size_t len)
{
	struct run_ctx *c = arg;
	unsigned char *seed = NULL;
	size_t seedlen = 0;
	uint32_t v = 0;
	int r;

	c->last = id;
	c->rows++;
	/* done: the newest key, and the purpose's key rather than the master key */
	if (seal_blob_version(sealed, len, &v) == SESAME_OK && v == c->current &&
	    seal_blob_format(sealed, len) == SEAL_FORMAT_DERIVED)
		return SESAME_OK;
	if (seal_decrypt(c->d->keys, SEAL_PURPOSE_TOTP, user, sealed, len, &seed, &seedlen) !=
	    SESAME_OK) {
		c->unreadable++;
		return SESAME_OK;
	}
	r = seal_encrypt(c->d->keys, SEAL_PURPOSE_TOTP, user, seed, seedlen, &c->page[c->n].sealed,
			 &c->page[c->n].len);
	seal_buf_free(&seed, seedlen);
	if (r != SESAME_OK)
		return r;
	c->page[c->n++].id = id;
	return SESAME_OK;
}

static void page_free(struct run_ctx *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->page[i].sealed);
	c->n = 0;
}

static int run_tx(store_tx_t *tx, void *arg)
{
	struct run_ctx *c = arg;
	int r;

	page_free(c);
	c->rows = 0;
	if ((r = store_totp_sealed_page(tx, c->last, RESEAL_PAGE, reseal_one, c)) != SESAME_OK)
		return r;
	for (size_t i = 0; i < c->n; i++)
		if ((r = store_totp_reseal(tx, c->page[i].id, c->page[i].sealed, c->page[i].len)) !=
		    SESAME_OK)
			return r;
	if (c->n)
		store_tx_durable(tx);
	return SESAME_OK;
}

/* The OpenID Connect signing keys (purpose oidc-signing-key, subject the
 * key id): the few rows in one transaction. */
struct oidc_run_ctx {
	authd_t *d;
	uint32_t current;
	size_t done, unreadable;
};

static int oidc_run_tx(store_tx_t *tx, void *arg)
{
	struct oidc_run_ctx *c = arg;
	store_oidc_key_t *keys = NULL;
	size_t n = 0;
	int r = store_oidc_key_list(tx, &keys, &n);

	c->done = c->unreadable = 0;
	for (size_t i = 0; r == SESAME_OK && i < n; i++) {
		const store_oidc_key_t *k = &keys[i];
		unsigned char *der = NULL, *sealed = NULL;
		size_t der_len = 0, sealed_len = 0;
		uint32_t v = 0;
		if (seal_blob_version(k->sealed, k->sealed_len, &v) == SESAME_OK &&
		    v == c->current &&
		    seal_blob_format(k->sealed, k->sealed_len) == SEAL_FORMAT_DERIVED)
			continue;
		if (seal_decrypt(c->d->keys, OIDC_SEAL_PURPOSE, k->kid, k->sealed, k->sealed_len,
				 &der, &der_len) != SESAME_OK) {
			c->unreadable++;
			continue;
		}
		r = seal_encrypt(c->d->keys, OIDC_SEAL_PURPOSE, k->kid, der, der_len, &sealed,
				 &sealed_len);
		seal_buf_free(&der, der_len);
		if (r == SESAME_OK &&
		    (r = store_oidc_key_reseal(tx, k->kid, sealed, sealed_len)) == SESAME_OK)
			c->done++;
		free(sealed);
	}
	free(keys);
	if (r == SESAME_OK && c->done)
		store_tx_durable(tx);
	return r;
}

struct audit_ctx {
	const char *service;
	int64_t now;
};

static int audit_tx(store_tx_t *tx, void *arg)
{
	struct audit_ctx *a = arg;
	store_tx_durable(tx);
	return audit_record(tx, a->now, "", a->service, "", "key", "ok", "reseal");
}

int reseal_run(authd_t *d, const char *service, int64_t now, size_t *resealed, size_t *unreadable)
{
	struct run_ctx *c = calloc(1, sizeof(*c));
	struct audit_ctx a = {service, now};
	int r;

	if (c == NULL)
		return SESAME_ERR_NOMEM;
	c->d = d;
	c->current = seal_current_version(d->keys);
	do {
		int64_t before = c->last;
		size_t unread = c->unreadable;
		if ((r = store_run(d->store, run_tx, c)) != SESAME_OK) {
			c->last = before; /* rolled back: nothing of this page counts */
			c->unreadable = unread;
			break;
		}
		c->done += c->n;
	} while (c->rows == RESEAL_PAGE);
	page_free(c);
	struct oidc_run_ctx o = {d, c->current, 0, 0};
	if (r == SESAME_OK)
		r = store_run(d->store, oidc_run_tx, &o);
	*resealed = c->done + o.done;
	*unreadable = c->unreadable + o.unreadable;
	log_info("key: %zu TOTP seeds and %zu OpenID Connect signing keys re-sealed under key "
		 "version %u, %zu unreadable",
		 c->done, o.done, seal_current_version(d->keys), *unreadable);
	free(c);
	if (r == SESAME_OK)
		r = store_run(d->store, audit_tx, &a);
	return r;
}
