/* The daemon's HTTP server on its unix socket (libmicrohttpd): bounded
 * bodies, SO_PEERCRED callers, JSON errors, dispatch to api handlers. */
#ifndef AUTHD_HTTP_H
#define AUTHD_HTTP_H

#include "authd.h"

typedef struct http_server http_server_t;

/* Binds cfg.socket (refusing to replace a live socket), applies its mode
 * and group, and starts serving. */
int http_start(authd_t *d, http_server_t **out);
/* Stops accepting, waits for requests in flight, removes the socket. */
void http_stop(http_server_t **hp);

#endif
