/* TOTP enrollment shared by /v1/totp/... (sesamectl) and the web account
 * page: a pending authenticator (random seed, sealed, its otpauth URI),
 * and its confirmation by a first code (renaming and removing:
 * factor_manage.h). Every change is audited with the caller's service
 * and rhost. */
#ifndef AUTHD_TOTP_ENROLL_H
#define AUTHD_TOTP_ENROLL_H

#include <stdint.h>

#include "authd.h"

typedef struct {
	const char *user;
	const char *name;
	totp_alg_t alg;
	unsigned digits;
	const char *service, *rhost; /* of the audit record */
	int64_t now;
} totp_enroll_t;

/* Creates user's pending authenticator (replacing a pending one; the
 * user record is created when missing). *uri: malloc'd otpauth URI
 * (holds the secret: wipe and free it); *id: the credential's id. */
int totp_enroll_start(authd_t *d, const totp_enroll_t *e, int64_t *id, char **uri);

/* Checks code against user's pending authenticator and confirms it on a
 * match (the code counts as used). Returns the store's error; *result:
 * SESAME_OK, SESAME_ERR_CONFLICT (nothing pending) or the verifier's
 * refusal. Audited (factor "totp", "confirm" or the refusal). */
int totp_enroll_confirm(authd_t *d, const char *user, const char *code, const char *service,
			const char *rhost, int64_t now, int *result, int64_t *id);

#endif
