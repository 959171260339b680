/* Throttling per source (see source.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "sesame/error.h"
#include "source.h"
#include "throttle.h"

int source_key(const char *rhost, char out[SOURCE_KEY_MAX])
{
	unsigned char a[16];
	size_t n;

	out[0] = '\0';
	if (rhost == NULL || (n = strlen(rhost)) == 0 || n >= SOURCE_KEY_MAX)
		return 0;
	if (inet_pton(AF_INET, rhost, a) == 1) {
		if (a[0] == 127)
			return 0;
		inet_ntop(AF_INET, a, out, SOURCE_KEY_MAX);
		return 1;
	}
	if (inet_pton(AF_INET6, rhost, a) == 1) {
		static const unsigned char loop[16] = {[15] = 1};
		if (memcmp(a, loop, 16) == 0)
			return 0;
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) { /* v4-mapped */
			if (a[12] == 127)
				return 0;
			inet_ntop(AF_INET, a + 12, out, SOURCE_KEY_MAX);
			return 1;
		}
		memset(a + 8, 0, 8);
		inet_ntop(AF_INET6, a, out, SOURCE_KEY_MAX - 4);
		strcat(out, "/64");
		return 1;
	}
	if (strcasecmp(rhost, "localhost") == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)rhost[i]);
	out[n] = '\0';
	return 1;
}

uint64_t source_id(const char *rhost)
{
	char key[SOURCE_KEY_MAX];
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	if (!source_key(rhost, key))
		return 0;
	for (const char *p = key; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h ? h : 1;
}

static throttle_params_t params_of(const authd_t *d)
{
	return (throttle_params_t){d->cfg.source_max_failures, d->cfg.source_base_delay,
				   d->cfg.source_max_delay};
}

int source_wait(authd_t *d, store_tx_t *tx, const char *rhost, int64_t now, int64_t *wait)
{
	char key[SOURCE_KEY_MAX];
	store_source_t s;
	int r;

	*wait = 0;
	if (d->cfg.source_max_failures == 0 || !source_key(rhost, key))
		return SESAME_OK;
	r = store_source_get(tx, key, &s);
	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK;
	if (r == SESAME_OK)
		*wait = throttle_wait(s.locked_until, now);
	return r;
}

int source_failure(authd_t *d, store_tx_t *tx, const char *rhost, int64_t now, int64_t *wait)
{
	throttle_params_t p = params_of(d);
	char key[SOURCE_KEY_MAX];
	store_source_t s;
	unsigned delay;
	int r;

	*wait = 0;
	if (d->cfg.source_max_failures == 0 || !source_key(rhost, key))
		return SESAME_OK;
	r = store_source_get(tx, key, &s);
	if (r != SESAME_OK && r != SESAME_ERR_NOT_FOUND)
		return r;
	if (r == SESAME_ERR_NOT_FOUND || now - s.last_failure > (int64_t)d->cfg.source_window)
		s.failures = 0; /* a quiet window forgives */
	if (s.failures < UINT32_MAX)
		s.failures++;
	s.last_failure = now;
	delay = throttle_delay(&p, s.failures);
	s.locked_until = delay ? now + (int64_t)delay : 0;
	*wait = delay;
	return store_source_set(tx, key, &s);
}

struct show_ctx {
	const char *key;
	store_source_t *out;
};

static int show_tx(store_tx_t *tx, void *arg)
{
	struct show_ctx *c = arg;
	return store_source_get(tx, c->key, c->out);
}

int source_show(authd_t *d, const char *key, store_source_t *out)
{
	struct show_ctx c = {key, out};

	memset(out, 0, sizeof(*out));
	return store_read(d->store, show_tx, &c);
}

struct unlock_ctx {
	const char *key, *service;
	int64_t now;
};

static int unlock_tx(store_tx_t *tx, void *arg)
{
	struct unlock_ctx *c = arg;
	int r = store_source_delete(tx, c->key);

	if (r == SESAME_ERR_NOT_FOUND)
		return SESAME_OK; /* nothing to forgive: already unlocked */
	if (r != SESAME_OK)
		return r;
	store_tx_durable(tx);
	return audit_record(tx, c->now, "", c->service, c->key, "source", "ok", "unlock");
}

int source_unlock(authd_t *d, const char *key, const char *service, int64_t now)
{
	struct unlock_ctx c = {key, service, now};
	return store_run(d->store, unlock_tx, &c);
}
