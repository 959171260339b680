/* A user's new password, for every path that sets one (sesamectl, the web
 * account page): judged by the policy, then hashed with Argon2id, slow by
 * design, so always outside any store transaction. */
#ifndef AUTHD_ACCOUNT_H
#define AUTHD_ACCOUNT_H

#include <stddef.h>

#include "authd.h"
#include "password/password.h"

/* Judges pw (len bytes) as user's new password (real_name: the stored
 * one, "" or NULL: the system's GECOS; old: the current password when
 * known, else NULL), then hashes it into hash. SESAME_ERR_PASSWORD_REFUSED:
 * the policy said no, its verdict in *res. */
int account_new_password(authd_t *d, const char *user, const char *real_name, const char *pw,
			 size_t len, const char *old, size_t old_len, char *hash, size_t hashsz,
			 password_result_t *res);

#endif
