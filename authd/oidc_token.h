/* The provider's back-channel endpoints (OpenID Connect Core §3.1.3,
 * §5.3; RFC 6749 §4.1.3 and §6; RFC 7636; RFC 7009; RFC 7662): the
 * client's authentication, codes and refresh tokens spent once (a second
 * use revokes what they gave), ID tokens, userinfo, revocation and
 * introspection. Replies are JSON with the status to send. */
#ifndef AUTHD_OIDC_TOKEN_H
#define AUTHD_OIDC_TOKEN_H

#include <jansson.h>
#include <stdint.h>

#include "oidc.h"

typedef struct {
	/* form fields (NULL when absent) */
	const char *grant_type, *code, *redirect_uri, *code_verifier, *refresh_token;
	const char *token, *token_type_hint, *scope;
	/* the client: HTTP Basic, or client_id (+ client_secret) in the body */
	int basic;
	const char *basic_id, *basic_secret;
	const char *post_id, *post_secret;
	int repeated; /* a field was sent twice */
} oidc_token_req_t;

typedef struct {
	unsigned status;
	json_t *body;	/* owned by the caller after the call */
	int www_basic;	/* 401: WWW-Authenticate: Basic */
	int www_bearer; /* 401: WWW-Authenticate: Bearer error="invalid_token" */
} oidc_reply_t;

int oidc_token(authd_t *d, const oidc_token_req_t *req, const char *rhost, int64_t now,
	       oidc_reply_t *out);
int oidc_revoke(authd_t *d, const oidc_token_req_t *req, const char *rhost, int64_t now,
		oidc_reply_t *out);
int oidc_introspect(authd_t *d, const oidc_token_req_t *req, const char *rhost, int64_t now,
		    oidc_reply_t *out);
/* access_token: from "Authorization: Bearer", or NULL. */
int oidc_userinfo(authd_t *d, const char *access_token, int64_t now, oidc_reply_t *out);

#endif
