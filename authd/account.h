/* A user's password, for every path that sets one (sesamectl, the web
 * account page): judged by the policy, then hashed with Argon2id (slow by
 * design, so always outside any store transaction), then stored with the
 * end of the user's other sessions. */
#ifndef AUTHD_ACCOUNT_H
#define AUTHD_ACCOUNT_H

#include <stddef.h>

#include "authd.h"
#include "factor_manage.h"
#include "password/password.h"

/* Judges pw (len bytes) as user's new password (real_name: the stored
 * one, "" or NULL: the system's GECOS; old: the current password when
 * known, else NULL), then hashes it into hash. SESAME_ERR_PASSWORD_REFUSED:
 * the policy said no, its verdict in *res. */
int account_new_password(authd_t *d, const char *user, const char *real_name, const char *pw,
			 size_t len, const char *old, size_t old_len, char *hash, size_t hashsz,
			 password_result_t *res);

/* user's stored real name into out ("" when none); SESAME_ERR_NOT_FOUND
 * when Sésame has no record of user. */
int account_real_name(authd_t *d, const char *user, char out[SESAME_MAX_REAL_NAME + 1]);

/* Stores hash (from account_new_password) as user's password, durably,
 * and ends the user's web sessions except keep (the SHA-256 of the
 * session that made the change; NULL: all of them): whoever held another
 * session holds nothing after a password change. Audited (factor
 * "password", result "ok", reason). SESAME_ERR_NOT_FOUND: no such user. */
int account_password_set(authd_t *d, const char *user, const char *hash, const unsigned char *keep,
			 const char *service, const char *rhost, const char *reason, int64_t now);

/* Creates the record of user (real_name may be ""; hash NULL: no
 * password), durably, audited. SESAME_ERR_CONFLICT when one exists. */
int account_add(authd_t *d, const char *user, const char *real_name, const char *hash,
		const char *service, int64_t now);

/* Disables or enables user, durably, audited. SESAME_ERR_NOT_FOUND. */
int account_set_disabled(authd_t *d, const char *user, int disabled, const char *service,
			 int64_t now);

/* Forgets the failures of user from every source (attempt_forgive),
 * durably, audited. SESAME_ERR_NOT_FOUND when Sésame has no record. */
int account_unlock(authd_t *d, const char *user, const char *service, int64_t now);

/* What an administrator sees of a user: the record, the factors, the
 * account-wide failures and the longest wait from any source. */
typedef struct {
	int known;
	store_user_t u;
	factor_lists_t factors;
	unsigned failures;
	int64_t wait;
} account_view_t;

/* Reads user's view in one read transaction; free with account_view_free
 * (also after an error). */
int account_show(authd_t *d, const char *user, int64_t now, account_view_t *v);
void account_view_free(account_view_t *v);

#endif
