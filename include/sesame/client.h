/* Client side of the daemon protocol (docs/protocol.md): one JSON request,
 * one JSON reply, over HTTP/1.1 on the daemon's unix socket. Used by the
 * PAM module and sesamectl. */
#ifndef SESAME_CLIENT_H
#define SESAME_CLIENT_H

#include <jansson.h>

typedef struct sesame_client sesame_client_t;

/* Allocates a client for socket_path with a per-request timeout. The
 * connection is opened lazily and kept alive between calls. Free with
 * sesame_client_free(). */
int sesame_client_new(const char *socket_path, long timeout_ms, sesame_client_t **out);
void sesame_client_free(sesame_client_t **cp);

/* POSTs request (may be NULL: empty object) to path ("/v1/..."). On
 * SESAME_OK, *status holds the HTTP status and *reply a JSON object owned
 * by the caller (json_decref). Errors: SESAME_ERR_UNAVAILABLE (cannot
 * connect), SESAME_ERR_TIMEOUT, SESAME_ERR_PROTOCOL (reply not a JSON
 * object, or larger than SESAME_MAX_BODY). */
int sesame_client_call(sesame_client_t *c, const char *path, const json_t *request, long *status,
		       json_t **reply);

/* For an error reply ({"error","message"}), maps the code back to a
 * sesame_err_t and points *message into reply (valid while reply lives). */
int sesame_client_reply_error(const json_t *reply, const char **message);

#endif
