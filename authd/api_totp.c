/* /v1/totp/enroll|confirm: enrollment with confirmation (root); listing
 * and removal are api_factor.c's, for both kinds of second factor. */
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "audit.h"
#include "sesame/error.h"
#include "totp_enroll.h"

#define ADMIN_SERVICE "sesamectl"

int api_totp_enroll(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		    api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", "algorithm", "digits", "name", NULL};
	totp_enroll_t e;
	const char *user, *alg_name, *name;
	long long digits;
	char *uri = NULL;
	int64_t id = 0;
	int r;

	memset(&e, 0, sizeof(e));
	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &user, err)) ||
	    (r = api_string(req, "algorithm", 0, 16, totp_alg_name(d->cfg.algorithm), &alg_name,
			    err)) ||
	    (r = api_int(req, "digits", 0, SESAME_TOTP_MIN_DIGITS, SESAME_TOTP_MAX_DIGITS,
			 d->cfg.digits, &digits, err)) ||
	    (r = api_string(req, "name", 0, SESAME_MAX_LABEL, "authenticator", &name, err)))
		return r;
	if (totp_alg_parse(alg_name, &e.alg) != SESAME_OK) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The algorithm must be SHA1, SHA256 or SHA512.");
		return SESAME_ERR_INVALID_ARGUMENT;
	}
	e.user = user;
	e.name = name;
	e.digits = (unsigned)digits;
	e.service = ADMIN_SERVICE;
	e.rhost = "";
	e.now = (int64_t)time(NULL);
	if ((r = totp_enroll_start(d, &e, &id, &uri)) != SESAME_OK)
		return r;
	*reply = json_pack("{s:s, s:I, s:s, s:s, s:i, s:i}", "user", user, "id", (json_int_t)id,
			   "otpauth_uri", uri, "algorithm", totp_alg_name(e.alg), "digits",
			   (int)e.digits, "period", (int)d->cfg.period);
	r = *reply ? SESAME_OK : SESAME_ERR_NOMEM;
	OPENSSL_cleanse(uri, strlen(uri));
	free(uri);
	return r;
}

int api_totp_confirm(authd_t *d, const authd_caller_t *c, json_t *req, json_t **reply,
		     api_error_t *err)
{
	(void)c; /* who may ask: the route table (api_util.c) */
	static const char *const fields[] = {"user", "code", NULL};
	struct {
		const char *user, *code;
		int result;
		int64_t id;
	} ctx = {NULL, NULL, SESAME_ERR_INTERNAL, 0};
	int r;

	if ((r = api_fields(req, fields, err)) || (r = api_user(req, "user", &ctx.user, err)) ||
	    (r = api_string(req, "code", 1, SESAME_TOTP_MAX_DIGITS, NULL, &ctx.code, err)))
		return r;
	if ((r = totp_enroll_confirm(d, ctx.user, ctx.code, ADMIN_SERVICE, "", (int64_t)time(NULL),
				     &ctx.result, &ctx.id)) != SESAME_OK)
		return r;
	if (ctx.result == SESAME_ERR_CONFLICT) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "No TOTP enrollment is waiting for confirmation for this user.");
		return SESAME_ERR_CONFLICT;
	}
	if (ctx.result != SESAME_OK) {
		snprintf(err->message, sizeof(err->message), "%s",
			 "The code does not match the pending authenticator; check the phone's "
			 "clock and try the next code.");
		return ctx.result == SESAME_ERR_REPLAY ? SESAME_ERR_WRONG_CODE : ctx.result;
	}
	*reply = json_pack("{s:s, s:I, s:b}", "user", ctx.user, "id", (json_int_t)ctx.id,
			   "confirmed", 1);
	return *reply ? SESAME_OK : SESAME_ERR_NOMEM;
}

json_t *api_totp_json(const store_totp_t *t)
{
	return json_pack("{s:s, s:I, s:s, s:s, s:i, s:i, s:b, s:I, s:I}", "type", "totp", "id",
			 (json_int_t)t->id, "name", t->name, "algorithm", totp_alg_name(t->alg),
			 "digits", (int)t->digits, "period", (int)t->period, "confirmed",
			 t->confirmed, "created", (json_int_t)t->created, "last_used",
			 (json_int_t)t->last_used);
}
