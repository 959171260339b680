/* Small token buckets, one per key (a local uid, a client address), for
 * requests that cost CPU (password checks, Argon2id): bounds what one
 * local user or one network source can make the daemon do. In memory; not
 * shared between daemons (it guards CPU, not a security decision). */
#ifndef AUTHD_RATELIMIT_H
#define AUTHD_RATELIMIT_H

#include <stdint.h>
#include <sys/types.h>

typedef struct ratelimit ratelimit_t;

/* rate: tokens per second; burst: bucket size. */
int ratelimit_new(double rate, double burst, ratelimit_t **out);
void ratelimit_free(ratelimit_t **rp);

/* 1 when key may proceed now (one token taken), 0 when over its rate. */
int ratelimit_take(ratelimit_t *r, uint64_t key, double now);

#endif
