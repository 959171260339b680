/* The daemon's replies as typed structs (docs/protocol.md): pure decoders,
 * JSON text in, a checked struct out, no I/O. Every field is checked once
 * here (type, presence, bounds, allowed values) and copied into a bounded
 * array, so that the PAM module and sesamectl read only checked values.
 * Fields the client does not know are ignored (forward compatible). */
#ifndef SESAME_CLIENT_DECODE_H
#define SESAME_CLIENT_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "sesame/limits.h"

typedef enum {
	CLIENT_STEP_PROMPT = 1, /* "prompt": ask, send the answer with txn */
	CLIENT_STEP_VERDICT,	/* "verdict": the end of the conversation */
} client_step_kind_t;

typedef enum {
	CLIENT_RESULT_NONE = 0, /* a prompt has no result */
	CLIENT_RESULT_SUCCESS,	/* "success" */
	CLIENT_RESULT_DENIED,	/* "denied" (then message is not empty) */
	CLIENT_RESULT_UNAVAILABLE,
} client_result_t;

/* One step of /v1/pam/start and /v1/pam/continue. Absent optional strings
 * are empty; absent numbers are 0. */
typedef struct {
	client_step_kind_t kind;
	char txn[SESAME_MAX_TXN + 1];	      /* prompt: 1..SESAME_MAX_TXN bytes */
	char prompt[SESAME_MAX_PROMPT + 1];   /* prompt: not empty */
	bool echo;			      /* prompt: answer shown while typed */
	char factor[SESAME_MAX_TOKEN + 1];    /* prompt: not empty; verdict: may be */
	int digits;			      /* prompt: code length, 0 when not told */
	client_result_t result;		      /* verdict */
	char reason[SESAME_MAX_TOKEN + 1];    /* verdict: error code, may be empty */
	char message[SESAME_MAX_MESSAGE + 1]; /* prompt: shown first; verdict: why */
	long wait;			      /* verdict: seconds before another try */
} client_pam_step_t;

/* The reply of /v1/pam/account. */
typedef struct {
	bool locked;
	bool disabled;
	long wait;
	char message[SESAME_MAX_MESSAGE + 1];
} client_account_t;

/* One reason a password was refused. */
typedef struct {
	char code[SESAME_MAX_TOKEN + 1]; /* may be empty */
	char message[SESAME_MAX_MESSAGE + 1];
} client_password_reason_t;

/* The reply of /v1/password/check. */
typedef struct {
	bool accepted;
	bool has_score;
	int score; /* -1..4 when has_score */
	long length;
	size_t nreasons;
	client_password_reason_t reasons[SESAME_MAX_REASONS];
	char hint[SESAME_MAX_MESSAGE + 1]; /* may be empty */
} client_password_t;

/* Why a call failed: an error reply ({"error": code, "message": sentence})
 * or, with status 0, a failure before any reply (connect, timeout). */
typedef struct {
	long status; /* HTTP status; 0 when there was no reply */
	int err;     /* code mapped by sesame_err_from_code (SESAME_ERR_INTERNAL if unknown) */
	char code[SESAME_MAX_TOKEN + 1];
	char message[SESAME_MAX_MESSAGE + 1];
} client_error_t;

/* Each decodes json[0..len) into *out (zeroed first, and zeroed again on
 * failure). SESAME_OK, or SESAME_ERR_PROTOCOL when the text is not one JSON
 * object of the expected shape: malformed or truncated JSON, duplicate
 * keys, a NUL inside a string, a field missing, of the wrong type, too
 * long or out of range, an unknown step or result, a control character in
 * text meant for a terminal. */
int client_pam_step_decode(const char *json, size_t len, client_pam_step_t *out);
int client_account_decode(const char *json, size_t len, client_account_t *out);
int client_password_decode(const char *json, size_t len, client_password_t *out);
/* /v1/health: SESAME_OK only for {"status": "ok"}. */
int client_health_decode(const char *json, size_t len);
/* An error reply (out->status is left 0 for the caller to set). Lenient
 * where the others are strict, since it only explains a failure: a missing
 * or malformed code is protocol_error, a missing or malformed message the
 * code's own sentence; never fails. */
void client_error_decode(const char *json, size_t len, client_error_t *out);

/* Wipes a step (it may hold a txn) or a password reply. */
void client_pam_step_clear(client_pam_step_t *s);

#endif
