/* The web pages on TCP ([web] listen): sign-in with a password and a TOTP
 * code, server-side sessions, a minimal account page. docs/web.md. */
#ifndef AUTHD_WEB_H
#define AUTHD_WEB_H

#include "authd.h"

typedef struct web_server web_server_t;

/* Binds cfg.web.listen, loads the TLS certificate and key when set, and
 * starts serving. */
int web_start(authd_t *d, web_server_t **out);
/* Stops accepting and waits for requests in flight. */
void web_stop(web_server_t **wp);

#endif
