/* /authorize (OpenID Connect Core §3.1.2): the request's checks, the
 * decision against the browser's web session — issue a code, send the
 * browser to the sign-in pages (and back: the request waits in the store),
 * or an error — in the order RFC 6749 §4.1.2.1 asks: an unknown client or
 * redirect URI never gets a redirect; every other error goes back to the
 * client's redirect URI. */
#ifndef AUTHD_OIDC_AUTHZ_H
#define AUTHD_OIDC_AUTHZ_H

#include <stdint.h>

#include "oidc.h"
#include "session.h"

#define OIDC_MAX_HINT 64
#define OIDC_MAX_ACR 256

typedef struct {
	char client_id[OIDC_MAX_CLIENT_ID + 1];
	char redirect_uri[OIDC_MAX_URI + 1];
	char response_type[32];
	char scope[OIDC_MAX_SCOPE + 1];
	char state[OIDC_MAX_STATE + 1];
	char nonce[OIDC_MAX_NONCE + 1];
	char code_challenge[STORE_OIDC_MAX_CHALLENGE + 1];
	char code_challenge_method[16];
	char prompt[64];
	char login_hint[OIDC_MAX_HINT + 1];
	char acr_values[OIDC_MAX_ACR + 1]; /* acr_values, and claims' essential acr */
	int acr_essential;		   /* asked through claims with essential */
	char response_mode[16];
	int64_t max_age; /* -1: none */
	int64_t created; /* when the request first came */
	/* prompt=login: the session that was signed in then, which must not
	 * be the one that comes back */
	char prior_sid[STORE_OIDC_MAX_SID + 1];
	/* what the decoder saw wrong before the client was known good: an
	 * OAuth error code and its description, sent to the redirect URI */
	char error[48];
	char error_description[128];
} oidc_authz_req_t;

typedef enum {
	OIDC_AUTHZ_PAGE,     /* an error page: the client or redirect URI is not known good */
	OIDC_AUTHZ_REDIRECT, /* back to the client: location (a code, or an error) */
	OIDC_AUTHZ_LOGIN,    /* to the sign-in pages: the request waits under cookie */
} oidc_authz_kind_t;

typedef struct {
	oidc_authz_kind_t kind;
	char location[OIDC_MAX_LOCATION];
	char cookie[TOKEN_LEN + 1]; /* LOGIN: the waiting request's id */
	int force_login;	    /* LOGIN: show the form even to a signed-in browser */
} oidc_authz_result_t;

/* Decodes one parameter (name, value) into req; the decoder calls it for
 * each. A repeated or oversized parameter sets req->error. */
void oidc_authz_param(oidc_authz_req_t *req, const char *name, const char *value, unsigned *seen);

/* The decision for req. s: the browser's session at stage "done", or NULL.
 * resumed: req came back from the sign-in pages (a second round trip is
 * never asked). */
int oidc_authorize(authd_t *d, oidc_authz_req_t *req, const session_t *s, int resumed,
		   const char *rhost, int64_t now, oidc_authz_result_t *out);

/* The request waiting under cookie (taken: single use). NOT_FOUND. */
int oidc_authz_resume(authd_t *d, const char *cookie, int64_t now, oidc_authz_req_t *req);

/* The "sid" of a web session (stable for the session, tells nothing of
 * its cookie). */
void oidc_session_sid(const session_t *s, char sid[STORE_OIDC_MAX_SID + 1]);

#endif
