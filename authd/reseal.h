/* After a master key rotation (sesamectl key rotate, then a restart), or an
 * upgrade from seeds sealed directly under the master key (seal.h, format
 * 1): how many sealed TOTP seeds and OpenID Connect signing keys each key
 * version holds, and their re-sealing under the newest version's key of
 * their purpose, a page at a time, each page one durable transaction (a crash loses nothing: every
 * seed stays under a loaded version, in a format that opens). Knows nothing of HTTP. */
#ifndef AUTHD_RESEAL_H
#define AUTHD_RESEAL_H

#include <stddef.h>
#include <stdint.h>

#include "authd.h"

#define RESEAL_MAX_VERSIONS 32

typedef struct {
	uint32_t version;
	size_t count;
	int loaded; /* the daemon holds this key */
} reseal_count_t;

typedef struct {
	reseal_count_t v[RESEAL_MAX_VERSIONS]; /* ascending versions */
	size_t n;
	size_t malformed; /* not a sealed blob of a known format */
	size_t legacy;	  /* format 1: sealed directly under a master key (also in v[]) */
} reseal_status_t;

/* Counts the sealed seeds by key version. */
int reseal_status(authd_t *d, reseal_status_t *out);

/* Re-seals every seed not under the newest version, or under it but in
 * format 1 (the master key itself); *resealed: how many,
 * *unreadable: how many could not be opened (their key is not loaded, or
 * the blob was altered): those are left as they are. Audited. */
int reseal_run(authd_t *d, const char *service, int64_t now, size_t *resealed, size_t *unreadable);

#endif
