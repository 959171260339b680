/* The typed calls of the protocol (see include/sesame/client.h): each
 * encodes one request, POSTs it, and hands the reply to its decoder
 * (lib/client_decode.c). Secrets in a request (an answer, a password) are
 * wiped from the JSON objects and the encoded body. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sesame/client.h"
#include "sesame/error.h"
#include "sesame/limits.h"
#include "sesame/utf8.h"

/* Fills *error (if any) for a failure of ours or a malformed reply. */
static int call_fail(client_error_t *error, long status, int err)
{
	if (error != NULL) {
		memset(error, 0, sizeof(*error));
		error->status = status;
		error->err = err;
		snprintf(error->code, sizeof(error->code), "%s", sesame_err_code(err));
		snprintf(error->message, sizeof(error->message), "%s", sesame_err_message(err));
	}
	return err;
}

/* Wipes the text of the string members named in secrets (NULL-terminated;
 * jansson frees strings without wiping them), then frees req. */
static void call_request_free(json_t **req, const char *const *secrets)
{
	if (*req == NULL)
		return;
	for (size_t i = 0; secrets != NULL && secrets[i] != NULL; i++) {
		json_t *s = json_object_get(*req, secrets[i]);
		if (json_is_string(s))
			explicit_bzero((char *)json_string_value(s), json_string_length(s));
	}
	json_decref(*req);
	*req = NULL;
}

/* Sets key to a copy of s[0..len) in req; a copy that cannot be added is
 * wiped. 0, or -1 (s not UTF-8, or out of memory). */
static int call_set_secret(json_t *req, const char *key, const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);

	if (v == NULL)
		return -1;
	if (json_object_set(req, key, v) != 0) {
		explicit_bzero((char *)json_string_value(v), json_string_length(v));
		json_decref(v);
		return -1;
	}
	json_decref(v); /* req holds it; call_request_free wipes it */
	return 0;
}

/* POSTs *req to path, then frees it (see call_request_free). SESAME_OK
 * with the text of a 200 reply in *text[0..*len) (owned by c); otherwise
 * the failure, *error filled. req NULL: it could not be built. */
static int call_post(sesame_client_t *c, const char *path, json_t **req, const char *const *secrets,
		     const char **text, size_t *len, client_error_t *error)
{
	char *body = NULL;
	long status = 0;
	int err;

	*text = NULL;
	*len = 0;
	if (*req == NULL)
		return call_fail(error, 0, SESAME_ERR_NOMEM);
	body = json_dumps(*req, JSON_COMPACT);
	call_request_free(req, secrets);
	if (body == NULL)
		return call_fail(error, 0, SESAME_ERR_NOMEM);
	err = sesame_client_post(c, path, body, strlen(body), &status, text, len);
	explicit_bzero(body, strlen(body));
	free(body);
	if (err != SESAME_OK)
		return call_fail(error, 0, err);
	if (status != 200) {
		client_error_t refusal;

		client_error_decode(*text, *len, &refusal);
		refusal.status = status;
		if (error != NULL)
			*error = refusal;
		*text = NULL;
		*len = 0;
		return refusal.err;
	}
	if (error != NULL)
		memset(error, 0, sizeof(*error));
	return SESAME_OK;
}

/* The result of a decoder of a 200 reply. */
static int call_decoded(int err, client_error_t *error)
{
	return err == SESAME_OK ? SESAME_OK : call_fail(error, 200, SESAME_ERR_PROTOCOL);
}

int client_pam_start(sesame_client_t *c, const client_pam_request_t *req, client_pam_step_t *out,
		     client_error_t *error)
{
	json_t *o = NULL;
	const char *text;
	size_t len;
	int err;

	client_pam_step_clear(out);
	if (req == NULL || req->user == NULL || req->service == NULL)
		return call_fail(error, 0, SESAME_ERR_INVALID_ARGUMENT);
	o = json_pack("{s:s, s:s, s:b, s:b}", "user", req->user, "service", req->service, "nullok",
		      (int)req->nullok, "suffix", (int)req->suffix);
	if (o != NULL &&
	    ((req->rhost != NULL &&
	      json_object_set_new(o, "rhost", json_string(req->rhost)) != 0) ||
	     (req->tty != NULL && json_object_set_new(o, "tty", json_string(req->tty)) != 0)))
		call_request_free(&o, NULL);
	err = call_post(c, "/v1/pam/start", &o, NULL, &text, &len, error);
	if (err != SESAME_OK)
		return err;
	return call_decoded(client_pam_step_decode(text, len, out), error);
}

int client_pam_continue(sesame_client_t *c, const char *txn, const char *answer,
			client_pam_step_t *out, client_error_t *error)
{
	static const char *const secrets[] = {"answer", NULL};
	size_t alen = answer != NULL ? strnlen(answer, SESAME_MAX_ANSWER + 1) : 0;
	json_t *o = NULL;
	const char *text;
	size_t len;
	int err;

	if (txn == NULL || txn[0] == '\0' || strnlen(txn, SESAME_MAX_TXN + 1) > SESAME_MAX_TXN ||
	    alen > SESAME_MAX_ANSWER || (answer != NULL && !utf8_validate(answer, alen, NULL))) {
		client_pam_step_clear(out);
		return call_fail(error, 0, SESAME_ERR_INVALID_ARGUMENT);
	}
	o = json_pack("{s:s}", "txn", txn);
	if (o != NULL && call_set_secret(o, "answer", answer != NULL ? answer : "", alen) != 0)
		call_request_free(&o, secrets);
	/* only now: txn may point into the previous step, *out */
	client_pam_step_clear(out);
	err = call_post(c, "/v1/pam/continue", &o, secrets, &text, &len, error);
	if (err != SESAME_OK)
		return err;
	return call_decoded(client_pam_step_decode(text, len, out), error);
}

int client_pam_account(sesame_client_t *c, const char *user, const char *service,
		       client_account_t *out, client_error_t *error)
{
	json_t *o = NULL;
	const char *text;
	size_t len;
	int err;

	memset(out, 0, sizeof(*out));
	if (user == NULL || service == NULL)
		return call_fail(error, 0, SESAME_ERR_INVALID_ARGUMENT);
	o = json_pack("{s:s, s:s}", "user", user, "service", service);
	err = call_post(c, "/v1/pam/account", &o, NULL, &text, &len, error);
	if (err != SESAME_OK)
		return err;
	return call_decoded(client_account_decode(text, len, out), error);
}

int client_password_check(sesame_client_t *c, const client_password_request_t *req,
			  client_password_t *out, client_error_t *error)
{
	static const char *const secrets[] = {"password", "old_password", NULL};
	json_t *o = NULL;
	const char *text;
	size_t len;
	int err;

	memset(out, 0, sizeof(*out));
	if (req == NULL || req->password == NULL || req->password_len > SESAME_MAX_PASSWORD ||
	    !utf8_validate(req->password, req->password_len, NULL) ||
	    (req->old_password != NULL &&
	     (req->old_password_len > SESAME_MAX_PASSWORD ||
	      !utf8_validate(req->old_password, req->old_password_len, NULL))))
		return call_fail(error, 0, SESAME_ERR_INVALID_ARGUMENT);
	o = json_object();
	if (o != NULL &&
	    (call_set_secret(o, "password", req->password, req->password_len) != 0 ||
	     (req->old_password != NULL &&
	      call_set_secret(o, "old_password", req->old_password, req->old_password_len) != 0) ||
	     (req->user != NULL && json_object_set_new(o, "user", json_string(req->user)) != 0) ||
	     (req->service != NULL &&
	      json_object_set_new(o, "service", json_string(req->service)) != 0)))
		call_request_free(&o, secrets);
	err = call_post(c, "/v1/password/check", &o, secrets, &text, &len, error);
	if (err != SESAME_OK)
		return err;
	return call_decoded(client_password_decode(text, len, out), error);
}

int client_health(sesame_client_t *c, client_error_t *error)
{
	json_t *o = json_object();
	const char *text;
	size_t len;
	int err;

	err = call_post(c, "/v1/health", &o, NULL, &text, &len, error);
	if (err != SESAME_OK)
		return err;
	return call_decoded(client_health_decode(text, len), error);
}
