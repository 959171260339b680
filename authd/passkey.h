/* Passkeys (WebAuthn) as a factor of the web sign-in: challenges (random,
 * kept as SHA-256, bound to a cookie, single use, short-lived),
 * registration, and assertions decided like PAM's codes: the same failure
 * counter and lock-out, the same audit log. Knows nothing of HTTP or JSON:
 * the caller decodes base64url and owns the cookies. The ceremonies
 * themselves are verified by authd/webauthn/. */
#ifndef AUTHD_PASSKEY_H
#define AUTHD_PASSKEY_H

#include <stddef.h>
#include <stdint.h>

#include "authd.h"
#include "flow.h"
#include "store/store.h"
#include "webauthn/webauthn.h"

#define PASSKEY_CHALLENGE_LEN 32
#define PASSKEY_BINDING_LEN STORE_WA_HASH_LEN
/* purposes: a challenge answers only the ceremony it was issued for */
#define PASSKEY_FOR_REGISTER "register" /* bound to a signed-in session */
#define PASSKEY_FOR_LOGIN "login"	/* discoverable, bound to a pre-session cookie */
#define PASSKEY_FOR_SECOND "second"	/* after the password, bound to that session */

/* Loads [web] attestation_anchors into d->passkey_trust (when set). */
int passkey_trust_load(authd_t *d);

typedef struct {
	unsigned char challenge[PASSKEY_CHALLENGE_LEN];
	unsigned char handle[STORE_WA_HANDLE_LEN]; /* register: the user's (made if none) */
	store_webauthn_t *creds;		   /* register: exclude; second: allow */
	size_t n_creds;
} passkey_options_t;

/* Issues a challenge for purpose, bound to binding, expiring after
 * [web] challenge_ttl; user_id: the session's user (0 for "login").
 * Expired challenges of everyone are purged. Free with _options_free. */
int passkey_options(authd_t *d, const char *purpose,
		    const unsigned char binding[PASSKEY_BINDING_LEN], int64_t user_id, int64_t now,
		    passkey_options_t *out);
void passkey_options_free(passkey_options_t *o);

typedef struct {
	const char *name;	/* validated by the caller: UTF-8, 1..SESAME_MAX_LABEL */
	const char *transports; /* comma-separated, may be "" */
	const unsigned char *client_data;
	size_t client_data_len;
	const unsigned char *att_obj;
	size_t att_obj_len;
} passkey_reg_t;

/* Registers a passkey of user_id (signed in, session hash binding). The
 * verdict goes to *refused: SESAME_OK, or SESAME_ERR_PERMISSION with
 * *reason (a WebAuthn reason, "wrong_challenge", "challenge_expired",
 * "credential_exists"); audited ("passkey", "ok", "register") or
 * ("passkey", "denied", reason). Returns a store or crypto failure. */
int passkey_register(authd_t *d, int64_t user_id, const unsigned char binding[PASSKEY_BINDING_LEN],
		     const char *service, const char *rhost, int64_t now, const passkey_reg_t *in,
		     int *refused, const char **reason);

typedef struct {
	const unsigned char *cred_id;
	size_t cred_id_len;
	webauthn_assertion_t a;
} passkey_login_t;

typedef struct {
	auth_result_t result;
	int reason;	 /* SESAME_OK, _PERMISSION, _LOCKED, _DISABLED, _NOT_FOUND */
	const char *why; /* the audited reason */
	int64_t wait;	 /* seconds, when locked (now or by this failure) */
	int64_t user_id; /* the credential's owner, 0 when unknown */
	char user[SESAME_MAX_USERNAME + 1];
} passkey_verdict_t;

/* Verifies an assertion for purpose "login" (discoverable: the user is
 * the credential's owner, whose handle the response must carry) or
 * "second" (session_user's own credentials only), through the attempt
 * frame (attempt.h) with the passkey entry of the factor table: the
 * gates, then the challenge is consumed and the ceremony checked; a
 * failure counts like a wrong code, a success stores the new sign count.
 * A sign count that did not grow is refused ("sign_count_regression": a
 * cloned authenticator?) and not stored. */
int passkey_login(authd_t *d, const char *purpose, const unsigned char binding[PASSKEY_BINDING_LEN],
		  const char *session_user, const char *service, const char *rhost, int64_t now,
		  const passkey_login_t *in, passkey_verdict_t *v);

#endif
