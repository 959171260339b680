/* Throttling per source, against password spraying (a few guesses at
 * many accounts from one address, which no per-user counter sees): every
 * failed attempt from a client address counts, whatever the account and
 * the door (PAM, web, passkey); after [throttle] source_max_failures of
 * them within source_window of each other the address waits
 * source_base_delay, doubled at every further failure up to
 * source_max_delay. A success does not forgive the source (one account of
 * its own must not reopen guessing at the others); a quiet window does.
 * In the store, so it survives restarts. Local attempts (no rhost) and
 * loopback addresses are not throttled: a reverse proxy without
 * trusted_proxy would otherwise lock everyone out. */
#ifndef AUTHD_SOURCE_H
#define AUTHD_SOURCE_H

#include <stdint.h>

#include "authd.h"
#include "store/store.h"

#define SOURCE_KEY_MAX 96

/* The key of rhost: an IPv4 address, an IPv6 /64 ("2001:db8:1:2::/64"), or
 * a host name in lower case. 0 with "" when rhost is empty, loopback or
 * longer than a key: not throttled. */
int source_key(const char *rhost, char out[SOURCE_KEY_MAX]);

/* source_key(rhost) as a number, for in-memory limits (web.c's
 * source_rate): 0 when rhost is not throttled. */
uint64_t source_id(const char *rhost);

/* Seconds rhost must still wait (0: none, also when not throttled). */
int source_wait(authd_t *d, store_tx_t *tx, const char *rhost, int64_t now, int64_t *wait);

/* Counts a failed attempt from rhost; *wait: the wait it starts (0: none). */
int source_failure(authd_t *d, store_tx_t *tx, const char *rhost, int64_t now, int64_t *wait);

/* The state of the source key (source_key's): SESAME_ERR_NOT_FOUND when
 * it has none (never failed, or forgiven). */
int source_show(authd_t *d, const char *key, store_source_t *out);

/* Forgives the source key (an administrator's decision), durably,
 * audited; SESAME_OK also when there was nothing to forgive. */
int source_unlock(authd_t *d, const char *key, const char *service, int64_t now);

/* The audit reason of a refusal because the source waits. */
#define SOURCE_LOCKED_REASON "source_locked"

#endif
