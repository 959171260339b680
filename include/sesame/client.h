/* Client side of the daemon protocol (docs/protocol.md): one JSON request,
 * one JSON reply, over HTTP/1.1 on the daemon's unix socket. The typed
 * calls (client_pam_*, client_password_check, client_health) check each
 * reply once (lib/client_decode.c) and return a struct; the PAM module
 * uses only those. sesame_client_call hands back the raw JSON, for
 * sesamectl's administration commands that print what the daemon lists. */
#ifndef SESAME_CLIENT_H
#define SESAME_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "sesame/client_decode.h"

typedef struct sesame_client sesame_client_t;

/* Allocates a client for socket_path with a per-request timeout. The
 * connection is opened lazily and kept alive between calls. Free with
 * sesame_client_free(). */
int sesame_client_new(const char *socket_path, long timeout_ms, sesame_client_t **out);
void sesame_client_free(sesame_client_t **cp);

/* POSTs body[0..len) (a JSON object) to path ("/v1/..."). On SESAME_OK,
 * *status holds the HTTP status and *reply[0..*reply_len) the reply text,
 * NUL-terminated, owned by c: valid until the next call on c, which wipes
 * it. Errors: SESAME_ERR_UNAVAILABLE (cannot connect), SESAME_ERR_TIMEOUT,
 * SESAME_ERR_PROTOCOL (no HTTP reply, or one larger than SESAME_MAX_BODY),
 * SESAME_ERR_TOO_LARGE (body over SESAME_MAX_BODY). */
int sesame_client_post(sesame_client_t *c, const char *path, const char *body, size_t len,
		       long *status, const char **reply, size_t *reply_len);

/* sesame_client_post with request (may be NULL: empty object) encoded, and
 * the reply parsed: on SESAME_OK *reply is a JSON object owned by the
 * caller (json_decref), whatever the status. SESAME_ERR_PROTOCOL also when
 * the reply is not one JSON object. */
int sesame_client_call(sesame_client_t *c, const char *path, const json_t *request, long *status,
		       json_t **reply);

/* For an error reply ({"error","message"}), maps the code back to a
 * sesame_err_t and points *message into reply (valid while reply lives). */
int sesame_client_reply_error(const json_t *reply, const char **message);

/* What the module tells the daemon at /v1/pam/start (rhost, tty may be
 * NULL). */
typedef struct {
	const char *user;
	const char *service;
	const char *rhost;
	const char *tty;
	bool nullok; /* a user without a confirmed factor passes */
	bool suffix; /* a totp prompt is answered from the end of PAM_AUTHTOK */
} client_pam_request_t;

/* /v1/password/check (user, service, old_password may be NULL). */
typedef struct {
	const char *password;
	size_t password_len;
	const char *old_password;
	size_t old_password_len;
	const char *user;
	const char *service;
} client_password_request_t;

/* The typed calls: one request, one checked reply. SESAME_OK with *out
 * filled from a 200 reply; otherwise *out is zeroed and the error code
 * returned, with *error (when not NULL) saying why: its status is the HTTP
 * status of an error reply (err and message are the daemon's), 200 when a
 * 200 reply was malformed (SESAME_ERR_PROTOCOL), 0 when there was no reply
 * at all (SESAME_ERR_UNAVAILABLE, _TIMEOUT, _PROTOCOL, _NOMEM,
 * _INVALID_ARGUMENT). Requests carrying an answer or a password are wiped
 * from every buffer the client made. */
int client_pam_start(sesame_client_t *c, const client_pam_request_t *req, client_pam_step_t *out,
		     client_error_t *error);
/* answer: NULL is the empty answer; at most SESAME_MAX_ANSWER bytes of
 * UTF-8, else SESAME_ERR_INVALID_ARGUMENT and nothing is sent. txn may be
 * the txn of *out (the previous step). */
int client_pam_continue(sesame_client_t *c, const char *txn, const char *answer,
			client_pam_step_t *out, client_error_t *error);
int client_pam_account(sesame_client_t *c, const char *user, const char *service,
		       client_account_t *out, client_error_t *error);
int client_password_check(sesame_client_t *c, const client_password_request_t *req,
			  client_password_t *out, client_error_t *error);
/* /v1/health: SESAME_OK when the daemon answers {"status": "ok"}. */
int client_health(sesame_client_t *c, client_error_t *error);

#endif
