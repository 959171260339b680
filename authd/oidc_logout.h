/* Logout for the OpenID Connect provider (OpenID Connect Back-Channel
 * Logout 1.0, RP-Initiated Logout 1.0): when a web session ends (sign-out,
 * the RP's logout request), or all of a user's (disabled by an
 * administrator), the grants it gave are revoked and each client that
 * registered a backchannel_logout_uri gets a logout token (sub, sid,
 * events, no nonce; signed like its ID tokens), posted from a thread of
 * its own so that the sign-out does not wait for relying parties. */
#ifndef AUTHD_OIDC_LOGOUT_H
#define AUTHD_OIDC_LOGOUT_H

#include <stdint.h>

#include "authd.h"
#include "session.h"

/* The session s ended. */
int oidc_logout_session(authd_t *d, const session_t *s, int64_t now);
/* Every session of user ended (disabled). */
int oidc_logout_user(authd_t *d, const char *user, int64_t now);

/* Whether uri is a redirect URI of client id (where RP-initiated logout
 * may send the browser back). */
int oidc_logout_redirect_ok(authd_t *d, const char *client_id, const char *uri);

#endif
