/* Per-key token buckets in a fixed open-addressing table (bounded memory:
 * when full, the least recently seen bucket is reused). */
#include <pthread.h>
#include <stdlib.h>

#include "ratelimit.h"
#include "sesame/error.h"

#define RATELIMIT_SLOTS 1024

struct bucket {
	uint64_t key;
	int used;
	double tokens;
	double last; /* seconds */
};

struct ratelimit {
	pthread_mutex_t mu;
	double rate, burst;
	struct bucket slots[RATELIMIT_SLOTS];
};

int ratelimit_new(double rate, double burst, ratelimit_t **out)
{
	ratelimit_t *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL)
		return SESAME_ERR_NOMEM;
	pthread_mutex_init(&r->mu, NULL);
	r->rate = rate;
	r->burst = burst;
	*out = r;
	return SESAME_OK;
}

void ratelimit_free(ratelimit_t **rp)
{
	if (rp == NULL || *rp == NULL)
		return;
	pthread_mutex_destroy(&(*rp)->mu);
	free(*rp);
	*rp = NULL;
}

int ratelimit_take(ratelimit_t *r, uint64_t key, double now)
{
	struct bucket *b = NULL, *oldest = NULL;
	size_t start =
	    (size_t)((key ^ (key >> 29)) * 0x9e3779b97f4a7c15ull >> 40) % RATELIMIT_SLOTS;
	int ok;

	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < RATELIMIT_SLOTS && b == NULL; i++) {
		struct bucket *s = &r->slots[(start + i) % RATELIMIT_SLOTS];
		if (s->used && s->key == key)
			b = s;
		else if (!s->used)
			b = s;
		else if (oldest == NULL || s->last < oldest->last)
			oldest = s;
	}
	if (b == NULL)
		b = oldest;
	if (!b->used || b->key != key) {
		b->used = 1;
		b->key = key;
		b->tokens = r->burst;
		b->last = now;
	}
	b->tokens += (now - b->last) * r->rate;
	if (b->tokens > r->burst)
		b->tokens = r->burst;
	b->last = now;
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	pthread_mutex_unlock(&r->mu);
	return ok;
}
