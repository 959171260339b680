/* The OpenID Connect provider's signing keys: per algorithm a current key
 * (signs), a next one (published ahead, so that relying parties know it
 * before it signs) and a previous one (published after, so that tokens it
 * signed still verify). Generated at first start, private halves sealed
 * (seal.h, purpose "oidc-signing-key", subject the kid), rotated by
 * `sesamectl oidc rotate-keys` and every [oidc] key_rotation days. */
#ifndef AUTHD_OIDC_KEYS_H
#define AUTHD_OIDC_KEYS_H

#include <jansson.h>
#include <stdint.h>

#include "authd.h"

#define OIDC_SEAL_PURPOSE "oidc-signing-key"

typedef struct oidc_keys oidc_keys_t;

/* Makes the keys that are missing for each algorithm of [oidc] and loads
 * them (the current private keys unsealed in memory). */
int oidc_keys_start(authd_t *d, oidc_keys_t **out);
void oidc_keys_free(oidc_keys_t **kp);

/* Rotates the keys of every algorithm that has some; force 0: only those
 * whose current key is older than [oidc] key_rotation days. */
int oidc_keys_rotate(authd_t *d, oidc_keys_t *k, int force, int64_t now);

/* The JWKS document (RFC 7517 §5), malloc'd text. */
int oidc_keys_jwks(authd_t *d, oidc_keys_t *k, int64_t now, char **out);

/* claims signed with alg's current key; *jwt malloc'd. */
int oidc_keys_sign(authd_t *d, oidc_keys_t *k, const char *alg, const char *typ,
		   const json_t *claims, int64_t now, char **jwt);

#endif
