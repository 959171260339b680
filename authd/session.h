/* Web sessions: the cookie holds 32 random bytes (base64url); the store
 * keeps only their SHA-256, the user, the stage ("password" after the
 * password, "done" after the second factor), the times and the session's
 * CSRF token. Idle and absolute expiry are enforced at every lookup. */
#ifndef AUTHD_SESSION_H
#define AUTHD_SESSION_H

#include <stdint.h>

#include "authd.h"
#include "flow.h"
#include "token.h"

#define WEB_SESSION_COOKIE "sesame_session"
#define WEB_TOKEN_BYTES TOKEN_BYTES
#define WEB_TOKEN_LEN TOKEN_LEN
#define WEB_STAGE_PASSWORD "password"
#define WEB_STAGE_DONE "done"
/* after an invitation's password: only a first factor can be added */
#define WEB_STAGE_ENROLL "enroll"
/* How long the second factor may wait after the password. */
#define WEB_SESSION_PASSWORD_TTL 300

typedef struct {
	store_session_t s;
	char csrf[WEB_TOKEN_LEN + 1]; /* the session's CSRF token, base64url */
} session_t;

/* Creates a session of user at stage, with the factors its sign-in
 * proved (FACTOR_* bits, proved now); its cookie value into cookie. Also
 * removes old_cookie's session when not NULL (a new sign-in replaces it). */
int session_create(authd_t *d, const char *user, const char *stage, unsigned factors,
		   const char *old_cookie, int64_t now, char cookie[WEB_TOKEN_LEN + 1],
		   session_t *out);

/* The web flow that session s is (flow.h): its user, the factors proved. */
void session_flow(const session_t *s, const char *rhost, flow_t *f);

/* Records that s has proved factors (FACTOR_* bits), the last just now. */
int session_set_factors(authd_t *d, session_t *s, unsigned factors, int64_t now);

/* The live session of cookie. SESAME_ERR_NOT_FOUND: none (or a malformed
 * cookie); SESAME_ERR_EXPIRED: it was idle too long, is past its
 * lifetime or its user is disabled, and is now deleted (audited with
 * rhost). Refreshes last_seen. */
int session_lookup(authd_t *d, const char *cookie, const char *rhost, int64_t now, session_t *out);

/* Replaces session s by a new one at stage "done" that proved factors (a
 * new cookie, a new CSRF token, the full lifetime from now). */
int session_promote(authd_t *d, const session_t *s, unsigned factors, int64_t now,
		    char cookie[WEB_TOKEN_LEN + 1], session_t *out);

/* Deletes session s (sign-out), audited. */
int session_delete(authd_t *d, const session_t *s, const char *rhost, int64_t now);

#endif
