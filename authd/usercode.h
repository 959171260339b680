/* Single-use codes a user holds: recovery codes (ten at a time, never
 * expire, a factor entry of their own: factor_recovery) and one-time
 * login codes (minutes, one at a time: factor_logincode, a passkey proof
 * carried to a terminal). Shown once, stored as SHA-256 only; a code is
 * spent by a conditional delete whose row count is the verdict. */
#ifndef AUTHD_USERCODE_H
#define AUTHD_USERCODE_H

#include <stdint.h>

#include "authd.h"
#include "store/store.h"

#define USERCODE_RECOVERY_COUNT 10
#define USERCODE_LOGIN_CHARS 12 /* a one-time login code: 60 bits, "xxxx-xxxx-xxxx" */
#define USERCODE_CHARS 16	/* Crockford base32: 80 bits */
/* "xxxx-xxxx-xxxx-xxxx" and its NUL */
#define USERCODE_TEXT_LEN (USERCODE_CHARS + USERCODE_CHARS / 4)

/* The canonical form of a typed code of chars characters into out
 * (chars + 1 bytes): '-' and spaces left out, letters folded, i l o read
 * as 1 1 0. 1 when in is such a code. */
int usercode_canonical(const char *in, size_t chars, char *out);
/* SHA-256 of a canonical code (what the store keeps). */
int usercode_digest(const char *norm, size_t chars, unsigned char out[STORE_CODE_HASH_LEN]);
/* chars (at most USERCODE_CHARS) random base32 characters, canonical. */
int usercode_random(size_t chars, char *norm);

/* Whether in (a NUL-terminated answer) has the shape of a code: 16
 * base32 characters once '-' and spaces are left out. */
int usercode_shaped(const char *in);

/* A new set of USERCODE_RECOVERY_COUNT recovery codes for user, which
 * replaces the old set (void from now), audited ("recovery", "ok",
 * "generate"). codes: for the user's eyes only, then wiped by the caller.
 * SESAME_ERR_NOT_FOUND for an unknown user. */
int usercode_recovery_generate(authd_t *d, const char *user, const char *service, const char *rhost,
			       int64_t now, char codes[USERCODE_RECOVERY_COUNT][USERCODE_TEXT_LEN]);

/* How many recovery codes user has left (0 for an unknown user). */
int usercode_recovery_left(authd_t *d, const char *user, unsigned *left);

/* Inside a transaction: the same, for a known user's record. */
int usercode_recovery_left_tx(store_tx_t *tx, int64_t user_id, unsigned *left);

/* Whether in has the shape of a one-time login code (12 base32
 * characters once '-' and spaces are left out). */
int usercode_login_shaped(const char *in);

/* A one-time login code for user (signed in on the web with a passkey):
 * valid ttl seconds, once, at a PAM code prompt; it replaces the user's
 * previous one. Audited "logincode" "ok" "issue". code: "xxxx-xxxx-xxxx",
 * for the user's eyes only. SESAME_ERR_NOT_FOUND for an unknown user. */
int usercode_login_issue(authd_t *d, const char *user, const char *service, const char *rhost,
			 int64_t now, unsigned ttl, char code[USERCODE_TEXT_LEN]);

#endif
