/* Renaming and removing a user's factors: one rule and one durability for
 * every kind and every door (the account page, sesamectl). The rule: the
 * last second factor (a confirmed TOTP authenticator or a passkey) of a
 * user is kept while [web] require_mfa is on, unless an administrator
 * forces it (audited "remove_last"). */
#ifndef AUTHD_FACTOR_MANAGE_H
#define AUTHD_FACTOR_MANAGE_H

#include <stdint.h>

#include "authd.h"
#include "factor.h"

/* A user's second factors, as the account page and sesamectl list them. */
typedef struct {
	int known; /* Sésame has a record of the user */
	store_totp_t *totp;
	size_t n_totp;
	store_webauthn_t *keys;
	size_t n_keys;
	unsigned recovery_left; /* recovery codes not used yet */
} factor_lists_t;

/* Reads both lists of user in one read transaction; free with
 * factor_lists_free (also after an error). */
int factor_lists(authd_t *d, const char *user, factor_lists_t *out);
void factor_lists_free(factor_lists_t *l);

/* Renames kind's (factor_totp or factor_passkey) credential id of user;
 * SESAME_ERR_NOT_FOUND when user has none with that id. Audited. */
int factor_rename(authd_t *d, const char *user, const factor_t *kind, int64_t id, const char *name,
		  const char *service, const char *rhost, int64_t now);

/* Removes kind's credential id of user. SESAME_ERR_NOT_FOUND: none such;
 * SESAME_ERR_PERMISSION: the last second factor and not forced (the
 * refusal is audited "denied" "last_factor"). The removal is durable
 * before the answer and audited ("remove", or "remove_last" when forced). */
int factor_remove(authd_t *d, const char *user, const factor_t *kind, int64_t id, int force,
		  const char *service, const char *rhost, int64_t now);

#endif
